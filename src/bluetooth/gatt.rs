//! One connected Bluetooth LE device and its GATT characteristics: read,
//! write, notifications, and news of the device going away.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use zbus::fdo::{DBusProxy, InterfacesRemovedStream, NameOwnerChangedStream, PropertiesProxy};
use zbus::{OwnedObjectPath, Variant as Value};

use super::scan::{device_path, no_bluez};
use super::{BLUEZ, CHARACTERISTIC, DEVICE, object_manager, objects, text_property};

/// How long BlueZ may take to connect and read the device's services.
const CONNECT_WITHIN: Duration = Duration::from_secs(20);
/// How long a device not yet known is looked for before connecting.
const DISCOVER_FOR: Duration = Duration::from_secs(8);

#[zbus::proxy(interface = "org.bluez.Device1", default_service = "org.bluez")]
trait Device {
    fn connect(&self) -> zbus::Result<()>;
    fn disconnect(&self) -> zbus::Result<()>;
    #[zbus(property)]
    fn services_resolved(&self) -> zbus::Result<bool>;
}

#[zbus::proxy(
    interface = "org.bluez.GattCharacteristic1",
    default_service = "org.bluez"
)]
trait Characteristic {
    fn read_value(&self, options: HashMap<&str, Value<'_>>) -> zbus::Result<Vec<u8>>;
    fn write_value(&self, value: &[u8], options: HashMap<&str, Value<'_>>) -> zbus::Result<()>;
    fn start_notify(&self) -> zbus::Result<()>;
}

/// Why a characteristic could not be used, as bluetoothd answers
/// (`src/gatt-client.c`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GattError {
    /// Another program holds it (`AcquireNotify` or `AcquireWrite`):
    /// `NotPermitted`. Asking again changes nothing until it lets go.
    Held(String),
    /// Another client's write is under way: `InProgress`. Try again.
    Busy(String),
    Failed(String),
}

impl std::fmt::Display for GattError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GattError::Held(why) | GattError::Busy(why) | GattError::Failed(why) => {
                f.write_str(why)
            }
        }
    }
}

impl From<GattError> for String {
    fn from(e: GattError) -> String {
        e.to_string()
    }
}

/// What a method error of BlueZ's means to treadcue.
fn gatt_error(e: zbus::Error, what: String) -> GattError {
    match &e {
        zbus::Error::MethodError(name, _, _) if name.ends_with(".NotPermitted") => {
            GattError::Held(format!("{what}: another program holds it ({e})"))
        }
        zbus::Error::MethodError(name, _, _) if name.ends_with(".InProgress") => {
            GattError::Busy(format!("{what}: {e}"))
        }
        _ => GattError::Failed(format!("{what}: {e}")),
    }
}

/// A device treadcue is connected to.
#[derive(Clone)]
pub struct Peripheral {
    connection: zbus::Connection,
    path: OwnedObjectPath,
}

/// Notifications or indications of one characteristic, as they come.
pub struct Values(zbus::fdo::PropertiesChangedStream);

impl Values {
    /// The next value sent; `None` once the stream ends.
    pub async fn next(&mut self) -> Option<Vec<u8>> {
        loop {
            let signal = self.0.next().await?;
            let Ok(args) = signal.args() else { continue };
            let Some(value) = args.changed_properties().get("Value") else {
                continue;
            };
            if let Ok(bytes) = value.try_to_owned().map(Vec::<u8>::try_from) {
                match bytes {
                    Ok(bytes) => return Some(bytes),
                    Err(e) => tracing::debug!("a characteristic value that is no byte array: {e}"),
                }
            }
        }
    }
}

/// Watches for the device going: disconnected, removed, or BlueZ gone.
pub struct Loss {
    device: zbus::fdo::PropertiesChangedStream,
    removed: InterfacesRemovedStream,
    owners: NameOwnerChangedStream,
    path: OwnedObjectPath,
}

impl Loss {
    /// Resolves when the device is gone, saying how.
    pub async fn gone(&mut self) -> String {
        loop {
            tokio::select! {
                Some(signal) = self.device.next() => {
                    let disconnected = signal.args().ok().and_then(|a| {
                        let value = a.changed_properties().get("Connected")?.try_to_owned().ok()?;
                        bool::try_from(value).ok()
                    }) == Some(false);
                    if disconnected {
                        return "disconnected".into();
                    }
                }
                Some(signal) = self.removed.next() => {
                    if signal.args().is_ok_and(|a| a.object_path().as_str() == self.path.as_str()) {
                        return "no longer known to BlueZ".into();
                    }
                }
                Some(_) = self.owners.next() => return "bluetoothd stopped".into(),
                else => return "BlueZ's signals ended".into(),
            }
        }
    }
}

impl Peripheral {
    /// Connects to the device with `address` and waits for its services.
    /// A device BlueZ does not know yet is looked for first.
    pub async fn connect(
        connection: &zbus::Connection,
        address: &str,
        service: &str,
    ) -> Result<Peripheral, String> {
        let path = match device_path(connection, address).await? {
            Some(path) => path,
            None => {
                super::scan::scan(connection, service, DISCOVER_FOR).await?;
                device_path(connection, address)
                    .await?
                    .ok_or_else(|| format!("{address} is not in range"))?
            }
        };
        let device = DeviceProxy::builder(connection)
            .path(path.clone())
            .build()
            .await
            .map_err(|e| e.to_string())?;
        match device.connect().await {
            Ok(()) => {}
            // BlueZ is connecting it already (a trusted device it
            // reconnects by itself: `dev_connect` in `src/device.c`):
            // not a loss, its services come as for our own Connect.
            Err(zbus::Error::MethodError(name, _, _))
                if name.ends_with("AlreadyConnected") || name.ends_with("InProgress") => {}
            Err(e) => return Err(format!("cannot connect to {address}: {e}")),
        }
        let started = Instant::now();
        while !device.services_resolved().await.unwrap_or(false) {
            if started.elapsed() > CONNECT_WITHIN {
                let _ = device.disconnect().await;
                return Err(format!("{address} connected but sent no services"));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(Peripheral {
            connection: connection.clone(),
            path,
        })
    }

    /// The device's characteristic with this UUID.
    pub async fn characteristic(&self, uuid: &str) -> Result<OwnedObjectPath, String> {
        let objects = objects(&self.connection).await.map_err(no_bluez)?;
        let prefix = format!("{}/", self.path.as_str());
        objects
            .into_iter()
            .find(|(path, interfaces)| {
                path.as_str().starts_with(&prefix)
                    && text_property(interfaces, CHARACTERISTIC, "UUID")
                        .is_some_and(|u| u.eq_ignore_ascii_case(uuid))
            })
            .map(|(path, _)| path)
            .ok_or_else(|| format!("the device has no characteristic {uuid}"))
    }

    async fn proxy(&self, path: &OwnedObjectPath) -> Result<CharacteristicProxy<'static>, String> {
        CharacteristicProxy::builder(&self.connection)
            .path(path.clone())
            .build()
            .await
            .map_err(|e| e.to_string())
    }

    pub async fn read(&self, path: &OwnedObjectPath) -> Result<Vec<u8>, String> {
        let proxy = self.proxy(path).await?;
        proxy
            .read_value(HashMap::new())
            .await
            .map_err(|e| e.to_string())
    }

    /// Writes with a response from the device.
    pub async fn write(&self, path: &OwnedObjectPath, bytes: &[u8]) -> Result<(), GattError> {
        let proxy = self.proxy(path).await.map_err(GattError::Failed)?;
        let options = HashMap::from([("type", Value::from("request"))]);
        proxy
            .write_value(bytes, options)
            .await
            .map_err(|e| gatt_error(e, format!("cannot write to {}", path.as_str())))
    }

    /// The values the characteristic notifies (or indicates) from now.
    pub async fn subscribe(&self, path: &OwnedObjectPath) -> Result<Values, GattError> {
        // Listening first: a value sent as notifying starts is not lost.
        let failed = |e: zbus::Error| GattError::Failed(e.to_string());
        let changes = PropertiesProxy::builder(&self.connection)
            .destination(BLUEZ)
            .path(path.clone())
            .build()
            .await
            .map_err(failed)?
            .receive_properties_changed()
            .await
            .map_err(failed)?;
        let proxy = self.proxy(path).await.map_err(GattError::Failed)?;
        match proxy.start_notify().await {
            Ok(()) => Ok(Values(changes)),
            // Our own session is already under way.
            Err(zbus::Error::MethodError(name, _, _)) if name.ends_with("InProgress") => {
                Ok(Values(changes))
            }
            Err(e) => Err(gatt_error(
                e,
                format!("cannot subscribe to {}", path.as_str()),
            )),
        }
    }

    /// A watch for this device going away.
    pub async fn loss(&self) -> Result<Loss, String> {
        let text = |e: zbus::Error| e.to_string();
        let device = PropertiesProxy::builder(&self.connection)
            .destination(BLUEZ)
            .path(self.path.clone())
            .build()
            .await
            .map_err(text)?
            .receive_properties_changed()
            .await
            .map_err(text)?;
        let removed = object_manager(&self.connection)
            .await
            .map_err(text)?
            .receive_interfaces_removed()
            .await
            .map_err(text)?;
        let owners = DBusProxy::new(&self.connection)
            .await
            .map_err(text)?
            .receive_name_owner_changed_with_args(&[(0, BLUEZ)])
            .await
            .map_err(text)?;
        Ok(Loss {
            device,
            removed,
            owners,
            path: self.path.clone(),
        })
    }

    /// Lets the device go, for other apps to use.
    pub async fn disconnect(&self) {
        if let Ok(device) = DeviceProxy::builder(&self.connection)
            .path(self.path.clone())
            .build()
            .await
        {
            let _ = device.disconnect().await;
        }
    }

    /// The device's name as BlueZ shows it.
    pub async fn name(&self) -> Option<String> {
        let objects = objects(&self.connection).await.ok()?;
        let interfaces = objects.get(&self.path)?;
        text_property(interfaces, DEVICE, "Alias")
    }
}
