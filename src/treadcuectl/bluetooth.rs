//! `treadcuectl treadmill` and `treadcuectl heart`: find a Bluetooth
//! treadmill or heart-rate strap, keep the one to use, and read what it
//! reports.

use clap::Subcommand;
use zbus::proxy;

use super::properties::{all_properties, flag, number, text, unsigned};

#[proxy(
    interface = "io.github.treadcue.Treadcue1.Bluetooth",
    default_service = "io.github.treadcue.Treadcue1",
    default_path = "/io/github/treadcue/Treadcue1"
)]
pub trait BluetoothDevices {
    fn scan(&self, kind: &str, seconds: u32) -> zbus::Result<Vec<(String, String, i16)>>;
    fn r#use(&self, kind: &str, address: &str) -> zbus::Result<()>;
    fn address(&self, kind: &str) -> zbus::Result<String>;
    fn say_heart_rate(&self) -> zbus::Result<()>;
    fn measured_history(&self) -> zbus::Result<Vec<(String, f64, u32, u32, f64)>>;
    #[zbus(property)]
    fn treadmill_reading(&self) -> zbus::Result<std::collections::HashMap<String, f64>>;
}

/// What was measured in a session.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Measured {
    pub distance_m: Option<f64>,
    pub heart_average: Option<u32>,
    pub heart_max: Option<u32>,
    pub minutes_above: Option<f64>,
}

impl Measured {
    /// "1.2 km, heart 118 avg 150 max, 2.5 min above the limit".
    pub fn words(&self) -> String {
        let mut parts = Vec::new();
        if let Some(metres) = self.distance_m {
            parts.push(format!("{:.2} km", metres / 1000.0));
        }
        if let (Some(average), Some(max)) = (self.heart_average, self.heart_max) {
            parts.push(format!("heart {average} avg {max} max"));
        }
        if let Some(minutes) = self.minutes_above {
            parts.push(format!("{minutes:.1} min above the limit"));
        }
        parts.join(", ")
    }
}

#[derive(Debug, Subcommand)]
pub enum DeviceCommand {
    /// List the devices of this kind in range (BlueZ discovers for a
    /// while), strongest signal first.
    Scan {
        /// How long to look, in seconds (1 to 60).
        #[arg(long, default_value_t = 10)]
        seconds: u32,
    },
    /// Use the device with this address from the next session on.
    Use {
        /// Its Bluetooth address, as `scan` shows it.
        address: String,
    },
    /// Forget the device kept with `use` (the config's is used again).
    Forget,
}

/// `treadmill` or `heart` with a command, or alone: what it reports now.
pub(super) async fn device(
    connection: &zbus::Connection,
    kind: &str,
    command: Option<DeviceCommand>,
) -> zbus::Result<()> {
    let proxy = BluetoothDevicesProxy::new(connection).await?;
    match command {
        Some(DeviceCommand::Scan { seconds }) => {
            let found = proxy.scan(kind, seconds).await?;
            if found.is_empty() {
                eprintln!("no {kind} found; is it on and awake, and not connected to another app?");
            }
            for (address, name, rssi) in found {
                let signal = if rssi == 0 {
                    String::new()
                } else {
                    format!("{rssi} dBm")
                };
                println!("{address}  {signal:>8}  {name}");
            }
            Ok(())
        }
        Some(DeviceCommand::Use { address }) => {
            proxy.r#use(kind, &address).await?;
            eprintln!(
                "{kind}: {} from the next session on",
                address.trim().to_uppercase()
            );
            Ok(())
        }
        Some(DeviceCommand::Forget) => proxy.r#use(kind, "").await,
        None => show(connection, &proxy, kind).await,
    }
}

async fn show(
    connection: &zbus::Connection,
    proxy: &BluetoothDevicesProxy<'_>,
    kind: &str,
) -> zbus::Result<()> {
    let address = proxy.address(kind).await?;
    let p = all_properties(connection).await?;
    if address.is_empty() {
        let device = if kind == "heart" {
            "heart-rate strap"
        } else {
            kind
        };
        println!(
            "no {device} chosen: `treadcuectl {kind} scan`, then `treadcuectl {kind} use ADDRESS`"
        );
        return Ok(());
    }
    if kind == "heart" {
        let bpm = unsigned(&p, "HeartRate");
        if bpm == 0 {
            println!("heart rate strap {address}: no reading (it connects while a session runs)");
            return Ok(());
        }
        println!("heart rate {bpm}");
        // Said too: the walker on the belt cannot read a terminal.
        return proxy.say_heart_rate().await;
    }
    if !flag(&p, "TreadmillConnected") {
        println!("treadmill {address}: not connected (it connects while a session runs)");
        return Ok(());
    }
    println!(
        "treadmill {address}: belt {:.2} {}, incline {:.1}%, {:.0} m this session",
        number(&p, "BeltSpeed"),
        match text(&p, "Units").as_str() {
            "" => "mph".to_string(),
            units => units.to_string(),
        },
        number(&p, "BeltIncline"),
        number(&p, "BeltDistance")
    );
    // What else the machine measures, as it says it ("climbed 12.5 m,
    // 48 kcal, 0:15:20 on its clock"); nothing from an older daemon.
    let reading = proxy.treadmill_reading().await.unwrap_or_default();
    let extra = measured_words(&reading);
    if !extra.is_empty() {
        println!("the treadmill counts {extra}");
    }
    Ok(())
}

/// The treadmill's own figures a walker reads on its console.
fn measured_words(reading: &std::collections::HashMap<String, f64>) -> String {
    let mut parts = Vec::new();
    if let Some(metres) = reading.get("elevation_gain_m") {
        parts.push(format!("climbed {metres:.1} m"));
    }
    if let Some(kcal) = reading.get("energy_kcal") {
        parts.push(format!("{kcal:.0} kcal"));
    }
    if let Some(&seconds) = reading.get("elapsed_s") {
        let s = seconds as u64;
        parts.push(format!(
            "{}:{:02}:{:02} on its clock",
            s / 3600,
            s / 60 % 60,
            s % 60
        ));
    }
    parts.join(", ")
}
