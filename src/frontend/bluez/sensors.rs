//! The treadmill and the heart-rate strap as front ends: while a session
//! is loaded, each configured device is connected (and reconnected with a
//! growing pause when it goes), its values decoded and handed to the
//! controller, which alone decides what they mean. Between sessions the
//! devices are let go, for other apps to use.

use std::time::Duration;

use tokio::sync::mpsc::UnboundedReceiver;

use super::heart::HeartLink;
use super::link::{Link, OpenError};
use super::treadmill::TreadmillLink;
use crate::bluetooth::gatt::Peripheral;
use crate::bluetooth::{self, FITNESS_MACHINE, HEART_RATE};
use crate::controller::{Change, Controller, Handle, Sensor};
use crate::shutdown::Shutdown;

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
    /// Another program holds what treadcue would read: trying again
    /// changes nothing while it does.
    Held(String),
}

/// Serves both devices until the shutdown.
pub async fn serve_sensors(controller: Handle, stop: Shutdown) {
    tokio::join!(
        serve(controller.clone(), Sensor::Treadmill, stop.clone()),
        serve(controller, Sensor::Heart, stop),
    );
}

async fn serve(controller: Handle, sensor: Sensor, mut stop: Shutdown) {
    let mut changes = controller.subscribe();
    let mut retry = FIRST_RETRY;
    loop {
        let address = loop {
            if let Some(address) = wanted(&controller, sensor) {
                break address;
            }
            retry = FIRST_RETRY;
            tokio::select! {
                () = stop.wait() => return,
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
            Ended::Held(why) => {
                tracing::warn!("{} {address}: {why}", sensor.as_str());
                controller.tell(move |c| c.sensor_held(sensor)).await;
                if until_not_wanted(&controller, sensor, &address, &mut changes, &mut stop).await {
                    return;
                }
            }
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
    controller: &Handle,
    changes: &mut UnboundedReceiver<Change>,
    stop: &mut Shutdown,
) -> bool {
    let until = tokio::time::sleep(how_long);
    tokio::pin!(until);
    loop {
        tokio::select! {
            () = stop.wait() => return true,
            () = &mut until => return false,
            change = changes.recv() => {
                if change.is_none() { return true }
                if !controller.controller().wants_sensors() { return false }
            }
        }
    }
}

/// Waits until the session no longer wants this device (it ended, or
/// another address was chosen); true when treadcued stops.
async fn until_not_wanted(
    controller: &Handle,
    sensor: Sensor,
    address: &str,
    changes: &mut UnboundedReceiver<Change>,
    stop: &mut Shutdown,
) -> bool {
    loop {
        if wanted(controller, sensor).as_deref() != Some(address) {
            return false;
        }
        tokio::select! {
            () = stop.wait() => return true,
            change = changes.recv() => if change.is_none() { return true },
        }
    }
}

/// One connection, from connecting to its end.
async fn connect(
    controller: &Handle,
    sensor: Sensor,
    connection: &zbus::Connection,
    address: &str,
    changes: &mut UnboundedReceiver<Change>,
    stop: &mut Shutdown,
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
            Err(e) => e.into(),
        },
        Sensor::Heart => match HeartLink::open(controller.clone(), &device).await {
            Ok(mut link) => {
                run(
                    controller, sensor, &device, address, &mut link, changes, stop,
                )
                .await
            }
            Err(e) => e.into(),
        },
    };
    if !matches!(ended, Ended::Lost(_)) {
        device.disconnect().await;
    }
    ended
}

impl From<OpenError> for Ended {
    fn from(e: OpenError) -> Ended {
        match e {
            OpenError::Lost(why) => Ended::Lost(why),
            OpenError::Held(why) => Ended::Held(why),
        }
    }
}

async fn run(
    controller: &Handle,
    sensor: Sensor,
    device: &Peripheral,
    address: &str,
    link: &mut impl Link,
    changes: &mut UnboundedReceiver<Change>,
    stop: &mut Shutdown,
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
            () = stop.wait() => break Ended::Stop,
            why = loss.gone() => break Ended::Lost(why),
            value = link.next() => match value {
                Some(value) => {
                    silent_at = tokio::time::Instant::now() + SILENT_AFTER;
                    silent = false;
                    link.on_value(value).await;
                }
                None => break Ended::Lost("its values stopped".into()),
            },
            () = tokio::time::sleep_until(silent_at), if !silent => {
                // Connected but saying nothing (a strap off the chest):
                // its last reading is no longer the truth.
                silent = true;
                controller.controller().sensor_silent(sensor);
            }
            change = changes.recv() => {
                if change.is_none() { break Ended::Stop }
                let wanted = wanted(controller, sensor);
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

/// The address the session wants this device at; none between sessions.
fn wanted(controller: &Handle, sensor: Sensor) -> Option<String> {
    let controller: &Controller = controller.controller();
    controller
        .sensor_address(sensor)
        .filter(|_| controller.wants_sensors())
}

/// Tells the controller the device came or went.
async fn told(controller: &Handle, sensor: Sensor, connected: bool) {
    controller
        .tell(move |c| c.sensor_connected(sensor, connected))
        .await;
}
