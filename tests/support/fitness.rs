//! A fake bluetoothd with a treadmill and a heart-rate strap
//! (tests/support/bluez_fitness.py), treadcued connected to it, and what
//! the tests do to them: notifications as the devices send them, the
//! control point's writes, what the coach said.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::Value;

use super::bluez::{FakeBluez, add_adapter, busctl, wait_until};
use super::bus::{Daemon, PrivateBus};
use super::pulse::PulseServer;

pub const TREADMILL: &str = "C0:FF:EE:00:00:01";
/// A walking pad with no incline target.
pub const PAD: &str = "C0:FF:EE:00:00:02";
pub const STRAP: &str = "DE:AD:BE:EF:00:01";
pub const TREADMILL_DATA: &str = "00002acd-0000-1000-8000-00805f9b34fb";
pub const HEART_MEASUREMENT: &str = "00002a37-0000-1000-8000-00805f9b34fb";
pub const MACHINE_STATUS: &str = "00002ada-0000-1000-8000-00805f9b34fb";
/// 1.5 mph and 0.8 mph, as a treadmill sends them (0.01 km/h).
pub const FAST: u32 = 241;
pub const SLOW: u32 = 129;

/// Forward 12 s at 1.5 mph, then a turn into backward at 0.8 mph.
pub const TURN: &str = "name = \"Turn\"\nexperienced = true\n\
[cues]\nbriefing = false\ncountdown = 3\nheads_up = \"6s\"\nheads_up_turn = \"6s\"\n\
[[steps]]\ndirection = \"forward\"\nduration = \"15s\"\nspeed = 1.5\n\
[[steps]]\ndirection = \"backward\"\nduration = \"20s\"\nspeed = 0.8\n\
[[steps]]\ndirection = \"forward\"\nduration = \"10s\"\nspeed = 1.5\n";
/// Two minutes forward at 1.5 mph, then a minute at 2.
pub const STEADY: &str = "name = \"Steady\"\n\
[cues]\nbriefing = false\n\
[[steps]]\ndirection = \"forward\"\nduration = \"2m\"\nspeed = 1.5\n\
[[steps]]\ndirection = \"forward\"\nduration = \"1m\"\nspeed = 2.0\nincline = 2\n";

/// Half a minute with its halfway cue at 15 s.
pub const HALVES: &str = "name = \"Halves\"\n\
[cues]\nbriefing = false\nhalfway_min = \"20s\"\n\
[[steps]]\ndirection = \"forward\"\nduration = \"30s\"\nspeed = 1.5\n";

pub struct World {
    pub bus: PrivateBus,
    pub system: PrivateBus,
    pub daemon: Daemon,
    pub bluez: FakeBluez,
    pub pulse: PulseServer,
    pub programs: tempfile::TempDir,
}

impl Drop for World {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("treadcued said:\n{}", self.daemon.stderr());
        }
    }
}

pub fn world(extra: &[&str]) -> World {
    let pulse = PulseServer::start();
    let bus = PrivateBus::start(None);
    let system = PrivateBus::start(None);
    let bluez = FakeBluez::start_fitness(&system);
    add_adapter(&system, "hci0");
    mock(
        &system,
        "AddTreadmill",
        &["sss", "hci0", TREADMILL, "Belt 3000"],
    );
    mock(
        &system,
        "AddWalkingPad",
        &["sss", "hci0", PAD, "WalkingPad C2"],
    );
    mock(
        &system,
        "AddHeartStrap",
        &["sss", "hci0", STRAP, "Chest strap"],
    );
    let programs = tempfile::tempdir().unwrap();
    std::fs::write(programs.path().join("turn.toml"), TURN).unwrap();
    std::fs::write(programs.path().join("steady.toml"), STEADY).unwrap();
    std::fs::write(programs.path().join("halves.toml"), HALVES).unwrap();
    let folder = programs.path().display().to_string();
    let mut args = vec!["--programs", &folder, "--bluetooth-buttons", "false"];
    args.extend_from_slice(extra);
    let daemon = Daemon::start_with_system_bus(&bus, &pulse.address(), &system, &args);
    World {
        bus,
        system,
        daemon,
        bluez,
        pulse,
        programs,
    }
}

pub fn mock(system: &PrivateBus, method: &str, args: &[&str]) -> String {
    let mut all = vec!["call", "org.bluez", "/", "org.bluez.Mock", method];
    all.extend_from_slice(args);
    busctl(system, &all)
}

/// A value the device sends, as BlueZ hands it on.
pub fn notify(system: &PrivateBus, address: &str, uuid: &str, bytes: &[u8]) {
    notify_at(&system.address, address, uuid, bytes);
}

pub fn notify_at(bus: &str, address: &str, uuid: &str, bytes: &[u8]) {
    let out = try_notify(bus, address, uuid, bytes);
    assert!(
        out.status.success(),
        "Notify: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A notification that may find no device to come from.
pub fn try_notify(bus: &str, address: &str, uuid: &str, bytes: &[u8]) -> std::process::Output {
    let count = bytes.len().to_string();
    let bytes: Vec<String> = bytes.iter().map(u8::to_string).collect();
    std::process::Command::new("busctl")
        .arg(format!("--address={bus}"))
        .args([
            "call",
            "org.bluez",
            "/",
            "org.bluez.Mock",
            "Notify",
            "ssay",
            address,
            uuid,
            &count,
        ])
        .args(&bytes)
        .output()
        .unwrap()
}

/// Treadmill Data: the speed (0.01 km/h) and the machine's distance.
pub fn belt(system: &PrivateBus, speed: u32, metres: u32) {
    belt_at(&system.address, speed, metres);
}

pub fn belt_at(bus: &str, speed: u32, metres: u32) {
    let [s0, s1, ..] = speed.to_le_bytes();
    let [d0, d1, d2, _] = metres.to_le_bytes();
    notify_at(
        bus,
        TREADMILL,
        TREADMILL_DATA,
        &[0x04, 0x00, s0, s1, d0, d1, d2],
    );
}

/// A treadmill that keeps telling its speed, twice a second, as real
/// ones do, until dropped.
pub struct Belt {
    speed: Arc<AtomicU32>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Belt {
    pub fn run(system: &PrivateBus, speed: u32) -> Belt {
        let address = system.address.clone();
        let speed = Arc::new(AtomicU32::new(speed));
        let stop = Arc::new(AtomicBool::new(false));
        let (s, halt) = (speed.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let mut metres = 1000;
            while !halt.load(Ordering::Relaxed) {
                belt_at(&address, s.load(Ordering::Relaxed), metres);
                metres += 1;
                std::thread::sleep(Duration::from_millis(500));
            }
        });
        Belt {
            speed,
            stop,
            thread: Some(thread),
        }
    }

    pub fn set(&self, speed: u32) {
        self.speed.store(speed, Ordering::Relaxed);
    }
}

impl Drop for Belt {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

pub fn status(bus: &PrivateBus) -> Value {
    bus.status()
}

pub fn start(w: &World, program: &str) {
    let out = w.bus.ctl(&["start", program]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

pub fn connected(w: &World) {
    wait_until("the treadmill connects when the session starts", || {
        status(&w.bus)["treadmill_connected"] == true
    });
}

/// How often the coach said words containing `text`.
pub fn said(w: &World, text: &str) -> usize {
    w.daemon
        .stderr()
        .lines()
        .filter(|l| l.contains("coach: ") && l.contains(text))
        .count()
}

/// Every control point write so far to the treadmill, as lists of bytes.
pub fn writes(w: &World) -> Vec<Vec<u8>> {
    writes_of(w, TREADMILL)
}

/// The same for the device at `address`.
pub fn writes_of(w: &World, address: &str) -> Vec<Vec<u8>> {
    let out = mock(&w.system, "ControlWrites", &["s", address]);
    // `aay N k b b ... k b ...`
    let mut words = out
        .split_whitespace()
        .skip(2)
        .map(|n| n.parse::<u8>().unwrap());
    let mut all = Vec::new();
    while let Some(length) = words.next() {
        all.push((0..length).map(|_| words.next().unwrap()).collect());
    }
    all
}

/// `TreadmillReading` on D-Bus: the last Treadmill Data, field by field.
pub fn reading(w: &World) -> std::collections::HashMap<String, f64> {
    let out = w.bus.busctl(&[
        "--json=short",
        "get-property",
        "io.github.treadcue.Treadcue1",
        "/io/github/treadcue/Treadcue1",
        "io.github.treadcue.Treadcue1.Bluetooth",
        "TreadmillReading",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    let json: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    serde_json::from_value(json["data"].clone()).unwrap()
}

pub fn heart(w: &World, bpm: u8) {
    notify(&w.system, STRAP, HEART_MEASUREMENT, &[0x00, bpm]);
}
