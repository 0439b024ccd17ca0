//! BlueZ faked on a private "system" bus with python3-dbusmock.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::bus::PrivateBus;

/// The fake bluetoothd.
pub struct FakeBluez(Child);

impl FakeBluez {
    /// python3-dbusmock's bluez5 template, with players registered and
    /// headset buttons passed on as bluetoothd does (bluez_media.py).
    pub fn start(system: &PrivateBus) -> FakeBluez {
        let template = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/bluez_media.py");
        FakeBluez::start_template(system, template)
    }

    /// With a treadmill's and a strap's GATT objects (bluez_fitness.py).
    pub fn start_fitness(system: &PrivateBus) -> FakeBluez {
        let template = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/support/bluez_fitness.py"
        );
        FakeBluez::start_template(system, template)
    }

    fn start_template(system: &PrivateBus, template: &str) -> FakeBluez {
        let has_dbusmock = Command::new("/usr/bin/python3")
            .args(["-c", "import dbusmock"])
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            has_dbusmock,
            "these tests need python3-dbusmock: sudo apt install python3-dbusmock (scripts/setup --test)"
        );
        let child = Command::new("/usr/bin/python3")
            .args(["-m", "dbusmock", "--template", template])
            .env("DBUS_SYSTEM_BUS_ADDRESS", &system.address)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        wait_until("the fake BlueZ is on the bus", || {
            system.has_owner("org.bluez")
        });
        FakeBluez(child)
    }

    pub fn stop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for FakeBluez {
    fn drop(&mut self) {
        self.stop();
    }
}

pub fn wait_until(what: &str, done: impl FnMut() -> bool) {
    wait_for(what, Duration::from_secs(15), done);
}

/// The same, for something that takes longer than most.
pub fn wait_for(what: &str, within: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + within;
    while !done() {
        assert!(Instant::now() < deadline, "{what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

pub fn busctl(system: &PrivateBus, args: &[&str]) -> String {
    let out = system.busctl(args);
    assert!(
        out.status.success(),
        "busctl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A plain adapter (the template's AddAdapter).
pub fn add_adapter(system: &PrivateBus, name: &str) {
    busctl(
        system,
        &[
            "call",
            "org.bluez",
            "/",
            "org.bluez.Mock",
            "AddAdapter",
            "ss",
            name,
            "treadmill-pi",
        ],
    );
}
