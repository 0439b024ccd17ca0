//! `io.github.treadcue.Treadcue1.Bluetooth`: finding and choosing the
//! treadmill and the heart-rate strap (`treadcuectl treadmill`, `heart`),
//! and the heart rate said on request. Scanning asks BlueZ on the system
//! bus, as the daemon's user, who may (the `bluetooth` group).

use std::collections::HashMap;
use std::time::Duration;

use zbus::interface;

use super::Error;
use crate::bluetooth::{self, FITNESS_MACHINE, HEART_RATE};
use crate::controller::{Handle, Sensor};

/// The longest scan a client may ask for.
const LONGEST_SCAN_SECS: u32 = 60;

pub struct BluetoothDevices {
    pub controller: Handle,
}

fn sensor(kind: &str) -> Result<Sensor, Error> {
    match kind {
        "treadmill" => Ok(Sensor::Treadmill),
        "heart" => Ok(Sensor::Heart),
        other => Err(Error::InvalidArgument(format!(
            "{other:?} is no kind of device treadcue uses: \"treadmill\" or \"heart\""
        ))),
    }
}

#[interface(name = "io.github.treadcue.Treadcue1.Bluetooth")]
impl BluetoothDevices {
    /// Looks for devices of `kind` ("treadmill": the Fitness Machine
    /// Service; "heart": the Heart Rate Service) for `seconds` (1 to 60):
    /// address, name and signal strength in dBm (0 when unknown), the
    /// strongest first.
    #[zbus(out_args("devices"))]
    async fn scan(&self, kind: String, seconds: u32) -> Result<Vec<(String, String, i16)>, Error> {
        let service = match sensor(&kind)? {
            Sensor::Treadmill => FITNESS_MACHINE,
            Sensor::Heart => HEART_RATE,
        };
        if !(1..=LONGEST_SCAN_SECS).contains(&seconds) {
            return Err(Error::InvalidArgument(format!(
                "a scan takes 1 to {LONGEST_SCAN_SECS} seconds, not {seconds}"
            )));
        }
        let connection = bluetooth::system_bus()
            .await
            .map_err(|e| Error::NoBluetooth(format!("no system bus, so no Bluetooth: {e}")))?;
        let found =
            bluetooth::scan::scan(&connection, service, Duration::from_secs(seconds.into()))
                .await
                .map_err(Error::NoBluetooth)?;
        Ok(found
            .into_iter()
            .map(|f| (f.address, f.name, f.rssi.unwrap_or(0)))
            .collect())
    }

    /// Uses the device at `address` for `kind` from the next connection
    /// on, kept across restarts; an empty address goes back to the
    /// config's.
    async fn r#use(&self, kind: String, address: String) -> Result<(), Error> {
        let sensor = sensor(&kind)?;
        self.controller
            .ask(move |c| c.keep_sensor(sensor, &address))
            .await
            .map_err(Error::from)
    }

    /// The address used for `kind`: kept with Use, else the config's;
    /// empty when none.
    async fn address(&self, kind: String) -> Result<String, Error> {
        Ok(self
            .controller
            .controller()
            .sensor_address(sensor(&kind)?)
            .unwrap_or_default())
    }

    /// What the treadmill and the strap measured, for each session of the
    /// history that has any: its start (RFC 3339, as History gives it),
    /// metres (-1 when not measured), average and maximum heart rate (0
    /// when not measured), minutes above the limit (-1 with no limit).
    #[zbus(out_args("sessions"))]
    async fn measured_history(&self) -> Result<Vec<(String, f64, u32, u32, f64)>, Error> {
        let entries = self.controller.ask(|c| c.history()).await?;
        Ok(entries
            .into_iter()
            .filter(|e| e.measured != Default::default())
            .map(|e| {
                let m = e.measured;
                (
                    e.start,
                    m.distance_m.unwrap_or(-1.0),
                    m.heart_rate_average.unwrap_or(0),
                    m.heart_rate_max.unwrap_or(0),
                    m.minutes_above_limit.unwrap_or(-1.0),
                )
            })
            .collect())
    }

    /// What the treadmill sent last, field by field, in the units the
    /// names say (`speed_kmh`, `distance_m`, `elevation_gain_m`,
    /// `energy_kcal`, `elapsed_s` ...): only the fields it sent with a
    /// value, and `readings`, how many it sent this session. Read on
    /// request; not announced, as it changes every second.
    #[zbus(property(emits_changed_signal = "false"))]
    fn treadmill_reading(&self) -> HashMap<String, f64> {
        self.controller
            .controller()
            .treadmill_reading_now()
            .into_iter()
            .map(|(name, value)| (name.to_string(), value))
            .collect()
    }

    /// Says the heart rate into the headphones now.
    async fn say_heart_rate(&self) -> Result<(), Error> {
        self.controller
            .ask(|c| c.say_heart_rate())
            .await
            .map_err(Error::from)
    }
}
