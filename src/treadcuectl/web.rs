//! `treadcuectl web`: pair a phone with the web remote, list and forget
//! paired phones.

use clap::Subcommand;
use zbus::proxy;

use crate::calendar::local;
use crate::session::from_micros;

#[proxy(
    interface = "io.github.treadcue.Treadcue1.Web",
    default_service = "io.github.treadcue.Treadcue1",
    default_path = "/io/github/treadcue/Treadcue1"
)]
pub trait WebPairing {
    fn pairing_code(&self) -> zbus::Result<String>;
    #[zbus(property)]
    fn addresses(&self) -> zbus::Result<Vec<String>>;
    fn devices(&self) -> zbus::Result<Vec<(String, String, i64, i64)>>;
    fn forget(&self, id: &str) -> zbus::Result<u32>;
}

#[derive(Debug, Subcommand)]
pub enum WebCommand {
    /// Where a phone opens the web remote, and a QR code of it for the
    /// phone's camera (the default).
    Address {
        /// Only the addresses.
        #[arg(long)]
        no_qr: bool,
    },
    /// Print a code to pair a phone with (good for two minutes): open the
    /// web remote on the phone and enter it.
    Pair,
    /// List the paired phones.
    Devices {
        /// As JSON, for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Forget a paired phone (it must pair again), or every one.
    Forget {
        /// The phone's id, as `treadcuectl web devices` shows it.
        #[arg(required_unless_present = "all")]
        id: Option<String>,
        /// Forget every paired phone.
        #[arg(long, conflicts_with = "id")]
        all: bool,
    },
}

pub(super) async fn web(connection: &zbus::Connection, command: WebCommand) -> zbus::Result<()> {
    let proxy = WebPairingProxy::new(connection).await?;
    match command {
        WebCommand::Address { no_qr } => address(&proxy, no_qr).await?,
        WebCommand::Pair => {
            let code = proxy.pairing_code().await?;
            println!("{code}");
            eprintln!("Enter this code on the phone within two minutes.");
        }
        WebCommand::Devices { json } => devices(&proxy, json).await?,
        WebCommand::Forget { id, .. } => {
            let forgotten = proxy.forget(id.as_deref().unwrap_or("")).await?;
            if forgotten == 0 {
                return Err(zbus::Error::Failure(
                    "no paired phone has that id (`treadcuectl web devices` lists them)".into(),
                ));
            }
            println!("{forgotten} phone(s) forgotten");
        }
    }
    Ok(())
}

async fn address(proxy: &WebPairingProxy<'_>, no_qr: bool) -> zbus::Result<()> {
    let addresses = proxy.addresses().await?;
    let Some(first) = addresses.first() else {
        return Err(zbus::Error::Failure(
            "the web remote is off: set [web] listen = \"0.0.0.0:8321\" in the config and restart treadcued (docs/web-remote.md)".into(),
        ));
    };
    for url in &addresses {
        println!("{url}");
    }
    if no_qr {
        return Ok(());
    }
    // The code carries an address rather than the .local name: every
    // phone can open an address, not every one resolves mDNS names.
    let coded = addresses
        .iter()
        .find(|url| !url.contains(".local:"))
        .unwrap_or(first);
    let code = crate::frontend::web::qr::terminal(coded).map_err(zbus::Error::Failure)?;
    println!("\n{code}");
    println!("Point the phone's camera at the code to open {coded}");
    Ok(())
}

async fn devices(proxy: &WebPairingProxy<'_>, json: bool) -> zbus::Result<()> {
    let devices = proxy.devices().await?;
    let when = |micros: i64| local(from_micros(micros)).map_or_else(String::new, |t| t.to_string());
    if json {
        let rows: Vec<serde_json::Value> = devices
            .iter()
            .map(|(id, name, first, last)| {
                serde_json::json!({"id": id, "name": name, "first_seen": when(*first), "last_seen": when(*last)})
            })
            .collect();
        println!("{}", serde_json::Value::Array(rows));
        return Ok(());
    }
    if devices.is_empty() {
        println!("No phone is paired: `treadcuectl web pair` gives a code.");
    }
    for (id, name, first, last) in devices {
        println!(
            "{id}  first seen {}  last seen {}  {name}",
            when(first),
            when(last)
        );
    }
    Ok(())
}
