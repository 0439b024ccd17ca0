//! A daemon on a private bus with a private sound server, and the clients
//! tests drive it with: busctl, dbus-send, playerctl and zbus.

use std::process::Command;

use super::bus::{Daemon, PrivateBus};
use super::pulse::PulseServer;
use treadcue::treadcuectl::TreadcueProxy;

pub const OBJECT: [&str; 3] = [
    "io.github.treadcue.Treadcue1",
    "/io/github/treadcue/Treadcue1",
    "io.github.treadcue.Treadcue1",
];

pub struct World {
    pub _pulse: PulseServer,
    pub bus: PrivateBus,
    pub daemon: Daemon,
}

impl Drop for World {
    fn drop(&mut self) {
        // A failed test shows what the daemon said.
        if std::thread::panicking() {
            eprintln!("treadcued said:\n{}", self.daemon.stderr());
        }
    }
}

pub fn world(extra: &[&str]) -> World {
    let pulse = PulseServer::start();
    let bus = PrivateBus::start(None);
    let daemon = Daemon::start(&bus, &pulse.address(), extra);
    World {
        _pulse: pulse,
        bus,
        daemon,
    }
}

pub fn busctl(world: &World, args: &[&str]) -> (bool, String, String) {
    let out = world.bus.busctl(args);
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

pub fn call(world: &World, method: &str, signature_and_args: &[&str]) -> (bool, String, String) {
    let mut args = vec!["call", OBJECT[0], OBJECT[1], OBJECT[2], method];
    args.extend_from_slice(signature_and_args);
    busctl(world, &args)
}

/// Sets the Volume property with busctl, with any signature and value.
pub fn set_volume(world: &World, signature: &str, value: &str) -> (bool, String, String) {
    busctl(
        world,
        &[
            "set-property",
            OBJECT[0],
            OBJECT[1],
            OBJECT[2],
            "Volume",
            signature,
            value,
        ],
    )
}

pub fn property(world: &World, name: &str) -> String {
    let (ok, out, err) = busctl(
        world,
        &["get-property", OBJECT[0], OBJECT[1], OBJECT[2], name],
    );
    assert!(ok, "{err}");
    out.trim().to_string()
}

/// The D-Bus error name busctl shows for a failed call, from the bus's own
/// error reply via `--json`-less output: busctl prints the message only, so
/// ask dbus-send for the name.
pub fn error_name(world: &World, method: &str, args: &[&str]) -> String {
    let out = Command::new("dbus-send")
        .arg(format!("--bus={}", world.bus.address))
        .args([
            "--print-reply",
            &format!("--dest={}", OBJECT[0]),
            OBJECT[1],
            &format!("{}.{method}", OBJECT[2]),
        ])
        .args(args)
        .output()
        .expect("dbus-send runs");
    assert!(!out.status.success(), "{method} should have failed");
    let err = String::from_utf8_lossy(&out.stderr);
    err.split_whitespace()
        .find(|w| w.contains(".Error."))
        .unwrap_or(&err)
        .trim_end_matches(':')
        .to_string()
}

pub async fn connect(world: &World) -> (zbus::Connection, TreadcueProxy<'static>) {
    let connection = zbus::connection::Builder::address(world.bus.address.as_str())
        .build()
        .await
        .unwrap();
    let proxy = TreadcueProxy::new(&connection).await.unwrap();
    (connection, proxy)
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

pub fn playerctl(world: &World, args: &[&str]) -> String {
    playerctl_on(&world.bus, args)
}

/// playerctl against treadcue's MPRIS player on `bus`.
pub fn playerctl_on(bus: &PrivateBus, args: &[&str]) -> String {
    let out = Command::new("playerctl")
        .args(["--player", "treadcue"])
        .args(args)
        .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
        .output()
        .expect("playerctl is missing: install the Debian package playerctl (scripts/setup --test does)");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}
