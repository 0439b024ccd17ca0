//! The treadmill and the heart-rate strap as front ends: while a session
//! is loaded, each configured device is connected (and reconnected with a
//! growing pause when it goes), its values decoded and handed to the
//! controller, which alone decides what they mean. Between sessions the
//! devices are let go, for other apps to use.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc::UnboundedReceiver;
use tokio::sync::watch;

use super::treadmill::TreadmillLink;
use crate::bluetooth::gatt::{Peripheral, Values};
use crate::bluetooth::{self, FITNESS_MACHINE, HEART_RATE, HEART_RATE_MEASUREMENT};
use crate::controller::{Change, Controller, Sensor};
use crate::fitness::heart_rate;

/// The first pause before trying a lost device again, and the longest.
const FIRST_RETRY: Duration = Duration::from_secs(1);
const LONGEST_RETRY: Duration = Duration::from_secs(30);
/// A device that sends nothing for this long has no reading to show.
const SILENT_AFTER: Duration = Duration::from_secs(10);

/// How one connection ended.
enum Ended {
    /// treadcued is stopping.
    Stop,
    /// No session wants the device, or another device is to be used.
    NotWanted,
    /// The device went or could not be reached.
    Lost(String),
}

/// Serves both devices until `stop` turns true.
pub async fn serve_sensors(controller: Arc<Controller>, stop: watch::Receiver<bool>) {
    tokio::join!(
        serve(controller.clone(), Sensor::Treadmill, stop.clone()),
        serve(controller, Sensor::Heart, stop),
    );
}

async fn serve(controller: Arc<Controller>, sensor: Sensor, mut stop: watch::Receiver<bool>) {
    let mut changes = controller.subscribe();
    let mut retry = FIRST_RETRY;
    loop {
        let address = loop {
            if let Some(address) = controller
                .sensor_address(sensor)
                .filter(|_| controller.wants_sensors())
            {
                break address;
            }
            retry = FIRST_RETRY;
            tokio::select! {
                _ = stop.changed() => return,
                change = changes.recv() => if change.is_none() { return },
            }
        };
        let ended = match bluetooth::system_bus().await {
            Ok(connection) => {
                connect(
                    &controller,
                    sensor,
                    &connection,
                    &address,
                    &mut changes,
                    &mut stop,
                )
                .await
            }
            Err(e) => Ended::Lost(format!("no system bus: {e}")),
        };
        match ended {
            Ended::Stop => return,
            Ended::NotWanted => continue,
            Ended::Lost(why) => {
                tracing::info!(
                    "{} {address}: {why}; trying again in {} s",
                    sensor.as_str(),
                    retry.as_secs()
                );
                if wait(retry, &controller, &mut changes, &mut stop).await {
                    return;
                }
                retry = (retry * 2).min(LONGEST_RETRY);
            }
        }
    }
}

/// Waits `how_long`, or less when the session ends; true when
/// treadcued stops.
async fn wait(
    how_long: Duration,
    controller: &Controller,
    changes: &mut UnboundedReceiver<Change>,
    stop: &mut watch::Receiver<bool>,
) -> bool {
    let until = tokio::time::sleep(how_long);
    tokio::pin!(until);
    loop {
        tokio::select! {
            _ = stop.changed() => return true,
            () = &mut until => return false,
            change = changes.recv() => {
                if change.is_none() { return true }
                if !controller.wants_sensors() { return false }
            }
        }
    }
}

/// One connection, from connecting to its end.
async fn connect(
    controller: &Arc<Controller>,
    sensor: Sensor,
    connection: &zbus::Connection,
    address: &str,
    changes: &mut UnboundedReceiver<Change>,
    stop: &mut watch::Receiver<bool>,
) -> Ended {
    let service = match sensor {
        Sensor::Treadmill => FITNESS_MACHINE,
        Sensor::Heart => HEART_RATE,
    };
    let device = match Peripheral::connect(connection, address, service).await {
        Ok(device) => device,
        Err(e) => return Ended::Lost(e),
    };
    let ended = match sensor {
        Sensor::Treadmill => match TreadmillLink::open(controller.clone(), &device).await {
            Ok(mut link) => {
                run(
                    controller, sensor, &device, address, &mut link, changes, stop,
                )
                .await
            }
            Err(e) => Ended::Lost(e),
        },
        Sensor::Heart => match HeartLink::open(controller.clone(), &device).await {
            Ok(mut link) => {
                run(
                    controller, sensor, &device, address, &mut link, changes, stop,
                )
                .await
            }
            Err(e) => Ended::Lost(e),
        },
    };
    if !matches!(ended, Ended::Lost(_)) {
        device.disconnect().await;
    }
    ended
}

/// What a connected device does with its values and the session's news.
pub(super) trait Link {
    fn values(&mut self) -> &mut Values;
    /// A value the device sent.
    async fn on_value(&mut self, bytes: Vec<u8>);
    /// The session changed.
    async fn on_change(&mut self) {}
}

async fn run(
    controller: &Arc<Controller>,
    sensor: Sensor,
    device: &Peripheral,
    address: &str,
    link: &mut impl Link,
    changes: &mut UnboundedReceiver<Change>,
    stop: &mut watch::Receiver<bool>,
) -> Ended {
    let mut loss = match device.loss().await {
        Ok(loss) => loss,
        Err(e) => return Ended::Lost(e),
    };
    tracing::info!("{} {address}: connected", sensor.as_str());
    told(controller, sensor, true).await;
    let mut silent_at = tokio::time::Instant::now() + SILENT_AFTER;
    let mut silent = false;
    let ended = loop {
        tokio::select! {
            _ = stop.changed() => break Ended::Stop,
            why = loss.gone() => break Ended::Lost(why),
            value = link.values().next() => match value {
                Some(bytes) => {
                    silent_at = tokio::time::Instant::now() + SILENT_AFTER;
                    silent = false;
                    link.on_value(bytes).await;
                }
                None => break Ended::Lost("its values stopped".into()),
            },
            () = tokio::time::sleep_until(silent_at), if !silent => {
                // Connected but saying nothing (a strap off the chest):
                // its last reading is no longer the truth.
                silent = true;
                controller.sensor_silent(sensor);
            }
            change = changes.recv() => {
                if change.is_none() { break Ended::Stop }
                let wanted = controller.sensor_address(sensor).filter(|_| controller.wants_sensors());
                if wanted.as_deref() != Some(address) {
                    link.on_change().await;
                    break Ended::NotWanted;
                }
                link.on_change().await;
            }
        }
    };
    told(controller, sensor, false).await;
    ended
}

/// Hands a decoded value to the controller, off the async threads (it
/// may say something); a value that does not decode is logged with its
/// bytes and dropped.
pub(super) async fn hand_over<T: Send + 'static>(
    controller: &Arc<Controller>,
    device: &str,
    bytes: &[u8],
    decoded: Result<T, crate::fitness::DecodeError>,
    take: fn(&Controller, &T),
) {
    match decoded {
        Ok(value) => {
            let controller = controller.clone();
            let _ = tokio::task::spawn_blocking(move || take(&controller, &value)).await;
        }
        Err(e) => tracing::warn!("{device}: {e}; ignored ({bytes:02x?})"),
    }
}

/// Tells the controller, off the async threads: it may say something.
async fn told(controller: &Arc<Controller>, sensor: Sensor, connected: bool) {
    let controller = controller.clone();
    let _ =
        tokio::task::spawn_blocking(move || controller.sensor_connected(sensor, connected)).await;
}

/// The heart-rate strap: its measurements.
struct HeartLink {
    controller: Arc<Controller>,
    values: Values,
}

impl HeartLink {
    async fn open(controller: Arc<Controller>, device: &Peripheral) -> Result<HeartLink, String> {
        let measurement = device.characteristic(HEART_RATE_MEASUREMENT).await?;
        let values = device.subscribe(&measurement).await?;
        Ok(HeartLink { controller, values })
    }
}

impl Link for HeartLink {
    fn values(&mut self) -> &mut Values {
        &mut self.values
    }

    async fn on_value(&mut self, bytes: Vec<u8>) {
        let measurement = heart_rate::measurement(&bytes);
        hand_over(
            &self.controller,
            "heart rate strap",
            &bytes,
            measurement,
            Controller::heart_reading,
        )
        .await;
    }
}
