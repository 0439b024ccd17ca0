//! Finding devices: a discovery on every adapter for a while, filtered
//! to one service, then the devices BlueZ knows that offer it.

use std::collections::HashMap;
use std::time::Duration;

use zbus::{OwnedObjectPath, Variant as Value};

use super::{ADAPTER, DEVICE, objects, text_property, uuids};

#[zbus::proxy(interface = "org.bluez.Adapter1", default_service = "org.bluez")]
trait Adapter {
    fn start_discovery(&self) -> zbus::Result<()>;
    fn stop_discovery(&self) -> zbus::Result<()>;
    fn set_discovery_filter(&self, filter: HashMap<&str, Value<'_>>) -> zbus::Result<()>;
}

/// A device in range (or known to BlueZ) offering the service asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub address: String,
    pub name: String,
    /// Signal strength in dBm, when BlueZ heard it lately.
    pub rssi: Option<i16>,
}

/// Discovers for `how_long` on every adapter, then lists the devices
/// offering `service`. An error says what is missing (no BlueZ, no
/// adapter).
pub async fn scan(
    connection: &zbus::Connection,
    service: &str,
    how_long: Duration,
) -> Result<Vec<Found>, String> {
    let adapters = adapters(connection).await?;
    if adapters.is_empty() {
        return Err("no Bluetooth adapter: is one plugged in and powered on?".into());
    }
    let mut proxies = Vec::new();
    for path in adapters {
        let proxy = AdapterProxy::builder(connection)
            .path(path)
            .build()
            .await
            .map_err(|e| e.to_string())?;
        let filter = HashMap::from([
            ("UUIDs", Value::from(vec![service.to_string()])),
            ("Transport", Value::from("le")),
        ]);
        if let Err(e) = proxy.set_discovery_filter(filter).await {
            tracing::debug!("discovery filter refused: {e}");
        }
        // One already under way (bluetoothctl's) does as well.
        if let Err(e) = proxy.start_discovery().await {
            tracing::debug!("discovery: {e}");
        }
        proxies.push(proxy);
    }
    tokio::time::sleep(how_long).await;
    for proxy in proxies {
        let _ = proxy.stop_discovery().await;
    }
    offering(connection, service).await
}

/// The devices BlueZ knows that offer `service`, strongest signal first.
pub async fn offering(connection: &zbus::Connection, service: &str) -> Result<Vec<Found>, String> {
    let objects = objects(connection).await.map_err(no_bluez)?;
    let mut found: Vec<Found> = objects
        .values()
        .filter(|interfaces| uuids(interfaces).iter().any(|u| u == service))
        .filter_map(|interfaces| {
            let rssi = interfaces
                .get(DEVICE)
                .and_then(|d| d.get("RSSI"))
                .and_then(|v| i16::try_from(v).ok());
            Some(Found {
                address: text_property(interfaces, DEVICE, "Address")?,
                name: text_property(interfaces, DEVICE, "Alias")
                    .or_else(|| text_property(interfaces, DEVICE, "Name"))
                    .unwrap_or_default(),
                rssi,
            })
        })
        .collect();
    found.sort_by_key(|f| std::cmp::Reverse(f.rssi.unwrap_or(i16::MIN)));
    Ok(found)
}

/// The object of the device with this address, if BlueZ knows it.
pub async fn device_path(
    connection: &zbus::Connection,
    address: &str,
) -> Result<Option<OwnedObjectPath>, String> {
    let objects = objects(connection).await.map_err(no_bluez)?;
    Ok(objects.into_iter().find_map(|(path, interfaces)| {
        let own = text_property(&interfaces, DEVICE, "Address")?;
        own.eq_ignore_ascii_case(address).then_some(path)
    }))
}

async fn adapters(connection: &zbus::Connection) -> Result<Vec<OwnedObjectPath>, String> {
    let objects = objects(connection).await.map_err(no_bluez)?;
    Ok(objects
        .into_iter()
        .filter(|(_, interfaces)| interfaces.contains_key(ADAPTER))
        .map(|(path, _)| path)
        .collect())
}

/// What a failed call to BlueZ's object manager means to a walker.
pub fn no_bluez(e: zbus::Error) -> String {
    format!("BlueZ does not answer ({e}): is bluetoothd running?")
}
