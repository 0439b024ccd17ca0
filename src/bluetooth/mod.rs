//! A small BlueZ client over zbus: find Bluetooth LE devices offering a
//! service ([`scan`]), connect to one and use its GATT characteristics
//! ([`gatt`]). BlueZ does the radio work; this speaks to `bluetoothd` on
//! the system bus (or the bus `DBUS_SYSTEM_BUS_ADDRESS` names). The
//! treadmill's and the strap's meanings live in [`crate::fitness`] and
//! the front end that uses both in [`crate::frontend::bluez`].

pub mod gatt;
pub mod scan;

use std::collections::HashMap;

use zbus::fdo::ObjectManagerProxy;
use zbus::{OwnedObjectPath, OwnedVariant as OwnedValue};

pub const BLUEZ: &str = "org.bluez";
pub const ADAPTER: &str = "org.bluez.Adapter1";
pub const DEVICE: &str = "org.bluez.Device1";
pub const CHARACTERISTIC: &str = "org.bluez.GattCharacteristic1";

/// The Fitness Machine Service and its characteristics.
pub const FITNESS_MACHINE: &str = "00001826-0000-1000-8000-00805f9b34fb";
pub const FEATURE: &str = "00002acc-0000-1000-8000-00805f9b34fb";
pub const TREADMILL_DATA: &str = "00002acd-0000-1000-8000-00805f9b34fb";
pub const SPEED_RANGE: &str = "00002ad4-0000-1000-8000-00805f9b34fb";
pub const INCLINE_RANGE: &str = "00002ad5-0000-1000-8000-00805f9b34fb";
pub const CONTROL_POINT: &str = "00002ad9-0000-1000-8000-00805f9b34fb";
pub const MACHINE_STATUS: &str = "00002ada-0000-1000-8000-00805f9b34fb";
/// The Heart Rate Service and its measurement.
pub const HEART_RATE: &str = "0000180d-0000-1000-8000-00805f9b34fb";
pub const HEART_RATE_MEASUREMENT: &str = "00002a37-0000-1000-8000-00805f9b34fb";

/// Every object BlueZ has, with its interfaces and their properties.
pub type Objects = HashMap<OwnedObjectPath, HashMap<String, HashMap<String, OwnedValue>>>;

/// The system bus, where BlueZ lives.
pub async fn system_bus() -> zbus::Result<zbus::Connection> {
    zbus::connection::Builder::system().build().await
}

pub async fn object_manager(
    connection: &zbus::Connection,
) -> zbus::Result<ObjectManagerProxy<'static>> {
    ObjectManagerProxy::builder(connection)
        .destination(BLUEZ)
        .path("/")
        .build()
        .await
}

/// BlueZ's objects, with interface names as plain strings.
pub async fn objects(connection: &zbus::Connection) -> zbus::Result<Objects> {
    let managed = object_manager(connection)
        .await?
        .get_managed_objects()
        .await?;
    Ok(managed
        .into_iter()
        .map(|(path, interfaces)| {
            let interfaces = interfaces
                .into_iter()
                .map(|(name, properties)| (name.to_string(), properties))
                .collect();
            (path, interfaces)
        })
        .collect())
}

/// A string property of one interface of an object.
pub fn text_property(
    interfaces: &HashMap<String, HashMap<String, OwnedValue>>,
    interface: &str,
    name: &str,
) -> Option<String> {
    let value = interfaces.get(interface)?.get(name)?;
    String::try_from(value.try_clone().ok()?).ok()
}

/// The UUIDs a device or characteristic lists, in lower case.
pub fn uuids(interfaces: &HashMap<String, HashMap<String, OwnedValue>>) -> Vec<String> {
    let Some(value) = interfaces.get(DEVICE).and_then(|d| d.get("UUIDs")) else {
        return Vec::new();
    };
    let Ok(value) = value.try_clone() else {
        return Vec::new();
    };
    Vec::<String>::try_from(value)
        .unwrap_or_default()
        .into_iter()
        .map(|u| u.to_ascii_lowercase())
        .collect()
}

/// A Bluetooth address, six pairs of hex digits, in capitals as BlueZ
/// writes it.
pub fn checked_address(text: &str) -> Result<String, String> {
    let text = text.trim();
    let parts: Vec<&str> = text.split(':').collect();
    let good = parts.len() == 6
        && parts
            .iter()
            .all(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_hexdigit()));
    if !good {
        // A caller's whole text is not echoed back, however long.
        let shown: String = text.chars().take(40).collect();
        let more = if shown.len() < text.len() { "..." } else { "" };
        return Err(format!(
            "{shown:?}{more} is not a Bluetooth address: give six pairs of hex digits, like \"C0:FF:EE:12:34:56\" (`treadcuectl treadmill scan` lists what is in range)"
        ));
    }
    Ok(text.to_ascii_uppercase())
}
