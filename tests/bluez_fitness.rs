//! The treadmill (FTMS) and the heart-rate strap through BlueZ, faked on
//! a private "system" bus (python3-dbusmock's bluez5 template with GATT
//! services and characteristics added: tests/support/bluez_fitness.py).
//! treadcued connects when a session starts; the belt's readings become
//! properties, hold the session before a turn, nudge the walker; control
//! writes the right bytes and gives up on a refusal; the strap's limit
//! warns; a device that vanishes is told once and reconnected.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::Value;
use support::bluez::{FakeBluez, add_adapter, busctl, wait_for, wait_until};
use support::bus::{Daemon, PrivateBus};
use support::pulse::PulseServer;

const TREADMILL: &str = "C0:FF:EE:00:00:01";
const STRAP: &str = "DE:AD:BE:EF:00:01";
const TREADMILL_DATA: &str = "00002acd-0000-1000-8000-00805f9b34fb";
const HEART_MEASUREMENT: &str = "00002a37-0000-1000-8000-00805f9b34fb";
/// 1.5 mph and 0.8 mph, as a treadmill sends them (0.01 km/h).
const FAST: u32 = 241;
const SLOW: u32 = 129;

/// Forward 12 s at 1.5 mph, then a turn into backward at 0.8 mph.
const TURN: &str = "name = \"Turn\"\nexperienced = true\n\
[cues]\nbriefing = false\ncountdown = 3\nheads_up = \"6s\"\nheads_up_turn = \"6s\"\n\
[[steps]]\ndirection = \"forward\"\nduration = \"15s\"\nspeed = 1.5\n\
[[steps]]\ndirection = \"backward\"\nduration = \"20s\"\nspeed = 0.8\n\
[[steps]]\ndirection = \"forward\"\nduration = \"10s\"\nspeed = 1.5\n";
/// Two minutes forward at 1.5 mph, then a minute at 2.
const STEADY: &str = "name = \"Steady\"\n\
[cues]\nbriefing = false\n\
[[steps]]\ndirection = \"forward\"\nduration = \"2m\"\nspeed = 1.5\n\
[[steps]]\ndirection = \"forward\"\nduration = \"1m\"\nspeed = 2.0\nincline = 2\n";

/// Half a minute with its halfway cue at 15 s.
const HALVES: &str = "name = \"Halves\"\n\
[cues]\nbriefing = false\nhalfway_min = \"20s\"\n\
[[steps]]\ndirection = \"forward\"\nduration = \"30s\"\nspeed = 1.5\n";

struct World {
    bus: PrivateBus,
    system: PrivateBus,
    daemon: Daemon,
    bluez: FakeBluez,
    _pulse: PulseServer,
    _programs: tempfile::TempDir,
}

impl Drop for World {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("treadcued said:\n{}", self.daemon.stderr());
        }
    }
}

fn world(extra: &[&str]) -> World {
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
        _pulse: pulse,
        _programs: programs,
    }
}

fn mock(system: &PrivateBus, method: &str, args: &[&str]) -> String {
    let mut all = vec!["call", "org.bluez", "/", "org.bluez.Mock", method];
    all.extend_from_slice(args);
    busctl(system, &all)
}

/// A value the device sends, as BlueZ hands it on.
fn notify(system: &PrivateBus, address: &str, uuid: &str, bytes: &[u8]) {
    notify_at(&system.address, address, uuid, bytes);
}

fn notify_at(bus: &str, address: &str, uuid: &str, bytes: &[u8]) {
    let out = try_notify(bus, address, uuid, bytes);
    assert!(
        out.status.success(),
        "Notify: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A notification that may find no device to come from.
fn try_notify(bus: &str, address: &str, uuid: &str, bytes: &[u8]) -> std::process::Output {
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
fn belt(system: &PrivateBus, speed: u32, metres: u32) {
    belt_at(&system.address, speed, metres);
}

fn belt_at(bus: &str, speed: u32, metres: u32) {
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
struct Belt {
    speed: Arc<AtomicU32>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Belt {
    fn run(system: &PrivateBus, speed: u32) -> Belt {
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

    fn set(&self, speed: u32) {
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

fn status(bus: &PrivateBus) -> Value {
    bus.status()
}

fn start(w: &World, program: &str) {
    let out = w.bus.ctl(&["start", program]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn connected(w: &World) {
    wait_until("the treadmill connects when the session starts", || {
        status(&w.bus)["treadmill_connected"] == true
    });
}

/// How often the coach said words containing `text`.
fn said(w: &World, text: &str) -> usize {
    w.daemon
        .stderr()
        .lines()
        .filter(|l| l.contains("coach: ") && l.contains(text))
        .count()
}

#[test]
fn the_belt_arrives_as_properties_and_its_distance_in_the_history() {
    let w = world(&["--treadmill", TREADMILL]);
    assert_eq!(
        status(&w.bus)["treadmill_connected"],
        false,
        "no session, no connection"
    );
    start(&w, "steady");
    connected(&w);
    assert!(
        w.daemon.stderr().contains("belt runs 0.8 to 20 km/h"),
        "speed range read"
    );
    belt(&w.system, FAST, 1200);
    wait_until("the belt's speed in mph", || {
        status(&w.bus)["belt_speed"] == 1.5
    });
    belt(&w.system, FAST, 1230);
    wait_until("the session's distance", || {
        status(&w.bus)["belt_distance"] == 30.0
    });
    let property = w.bus.busctl(&[
        "get-property",
        "io.github.treadcue.Treadcue1",
        "/io/github/treadcue/Treadcue1",
        "io.github.treadcue.Treadcue1",
        "BeltSpeed",
    ]);
    assert_eq!(String::from_utf8_lossy(&property.stdout).trim(), "d 1.5");

    // Cut short, announcing absent fields, or no belt's speed: ignored.
    notify(&w.system, TREADMILL, TREADMILL_DATA, &[0x04, 0x00, 0xf1]);
    notify(
        &w.system,
        TREADMILL,
        TREADMILL_DATA,
        &[0x00, 0x00, 0x30, 0x75],
    );
    notify(&w.system, TREADMILL, TREADMILL_DATA, &[0xff, 0xff]);
    wait_until("each bad value is logged", || {
        w.daemon.stderr().matches("ignored (").count() >= 3
    });
    assert_eq!(
        status(&w.bus)["belt_speed"],
        1.5,
        "a bad value changes nothing"
    );
    assert_eq!(status(&w.bus)["state"], "running");

    assert!(w.bus.ctl(&["stop"]).status.success());
    wait_until("the treadmill is let go after the session", || {
        status(&w.bus)["treadmill_connected"] == false
    });
    let history = w.bus.ctl(&["history", "--json"]);
    let entries: Value = serde_json::from_slice(&history.stdout).unwrap();
    let last = entries.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["distance_m"], 30.0, "{last}");
}

#[test]
fn the_turn_gate_holds_until_the_belt_is_slow_then_counts_down_again() {
    let w = world(&["--treadmill", TREADMILL]);
    start(&w, "turn");
    connected(&w);
    let belt = Belt::run(&w.system, FAST);
    wait_for("held at the turn", Duration::from_secs(40), || {
        let s = status(&w.bus);
        s["state"] == "paused" && s["pause_reason"] == "belt"
    });
    let s = status(&w.bus);
    assert_eq!(s["step_index"], 0, "the backward step has not begun: {s}");
    wait_until("told to slow the belt", || {
        said(&w, "Slow the belt to point eight, then turn.") == 1
    });
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(
        status(&w.bus)["state"],
        "paused",
        "a fast belt keeps it held"
    );

    belt.set(SLOW);
    wait_until("the slow belt lets the session go on", || {
        status(&w.bus)["state"] == "running"
    });
    assert_eq!(
        status(&w.bus)["step_index"],
        0,
        "a fresh countdown comes first"
    );
    wait_until("then the turn", || status(&w.bus)["step_index"] == 1);
    assert_eq!(said(&w, "Slow the belt"), 1, "said once a hold");
}

#[test]
fn a_belt_off_the_step_speed_for_ten_seconds_gets_one_nudge() {
    let w = world(&["--treadmill", TREADMILL]);
    start(&w, "steady");
    connected(&w);
    // 2.0 mph against the step's 1.5: past the 0.3 mph margin.
    let _belt = Belt::run(&w.system, 322);
    std::thread::sleep(Duration::from_secs(7));
    assert_eq!(said(&w, "The belt is at"), 0, "not before 10 s");
    wait_until("the nudge", || {
        said(&w, "The belt is at two. This step wants one point five.") == 1
    });
    std::thread::sleep(Duration::from_secs(6));
    assert_eq!(said(&w, "The belt is at"), 1, "at most once a minute");
}

/// Every control point write so far, as lists of bytes.
fn writes(w: &World) -> Vec<Vec<u8>> {
    let out = mock(&w.system, "ControlWrites", &["s", TREADMILL]);
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

#[test]
fn control_sets_the_belt_at_each_change_and_a_refusal_drops_it() {
    let w = world(&["--treadmill", TREADMILL, "--treadmill-control", "true"]);
    start(&w, "steady");
    connected(&w);
    // 1.5 mph is 2.41 km/h; the fake belt runs in steps of 0.1 km/h from
    // 0.8, and treadcue never asks for more than the step's speed: 2.4.
    let speed = 240u16.to_le_bytes();
    let expected: Vec<Vec<u8>> = vec![
        vec![0x00],
        vec![0x07],
        vec![0x02, speed[0], speed[1]],
        vec![0x03, 0, 0],
    ];
    wait_until("control taken, belt started at the step's speed", || {
        writes(&w) == expected
    });

    assert!(w.bus.ctl(&["pause"]).status.success());
    wait_until("the belt pauses with the session", || {
        writes(&w).last() == Some(&vec![0x08, 0x02])
    });
    assert!(w.bus.ctl(&["resume"]).status.success());
    wait_until("and starts again at the step's speed", || {
        writes(&w)[5..] == [vec![0x07], vec![0x02, speed[0], speed[1]], vec![0x03, 0, 0]]
    });

    // The treadmill now refuses: said once, and nothing more is sent.
    mock(&w.system, "SetControlAnswer", &["sy", TREADMILL, "5"]);
    assert!(w.bus.ctl(&["next"]).status.success());
    wait_until("the refusal is said", || {
        said(&w, "The treadmill did not take a command") == 1
    });
    let sent = writes(&w).len();
    let two = 320u16.to_le_bytes();
    assert_eq!(
        writes(&w).last(),
        Some(&vec![0x02, two[0], two[1]]),
        "2 mph was asked for"
    );
    assert!(w.bus.ctl(&["pause"]).status.success());
    assert!(w.bus.ctl(&["resume"]).status.success());
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(writes(&w).len(), sent, "control dropped for the session");
    assert_eq!(status(&w.bus)["state"], "running", "the session goes on");
}

#[test]
fn a_treadmill_that_vanishes_is_told_once_and_reconnected() {
    let w = world(&["--treadmill", TREADMILL]);
    start(&w, "steady");
    connected(&w);
    mock(&w.system, "Vanish", &["s", TREADMILL]);
    wait_until("disconnected", || {
        status(&w.bus)["treadmill_connected"] == false
    });
    wait_until("one spoken notice", || {
        said(&w, "The treadmill is out of reach") == 1
    });
    std::thread::sleep(Duration::from_secs(4));
    assert_eq!(
        said(&w, "out of reach"),
        1,
        "failed reconnections are not told"
    );
    assert_eq!(status(&w.bus)["state"], "running", "the session goes on");
    mock(&w.system, "Return", &["s", TREADMILL]);
    connected(&w);
    belt(&w.system, SLOW, 10);
    wait_until("readings again", || status(&w.bus)["belt_speed"] == 0.8);
}

fn heart(w: &World, bpm: u8) {
    notify(&w.system, STRAP, HEART_MEASUREMENT, &[0x00, bpm]);
}

#[test]
fn the_heart_rate_limit_warns_and_the_history_keeps_the_figures() {
    let w = world(&["--heart", STRAP, "--heart-max", "140"]);
    start(&w, "steady");
    wait_until("the strap connects", || {
        heart(&w, 120);
        status(&w.bus)["heart_rate"] == 120
    });
    for _ in 0..6 {
        heart(&w, 120);
        std::thread::sleep(Duration::from_millis(500));
    }
    // No reading to trust: 0, 255, off the skin (contact bits 10).
    heart(&w, 0);
    heart(&w, 255);
    notify(&w.system, STRAP, HEART_MEASUREMENT, &[0x04, 150]);
    wait_until("bad values are logged", || {
        w.daemon.stderr().matches("ignored (").count() >= 2
    });
    assert_eq!(status(&w.bus)["heart_rate"], 120);
    for _ in 0..26 {
        heart(&w, 150);
        std::thread::sleep(Duration::from_millis(500));
    }
    assert_eq!(status(&w.bus)["heart_rate"], 150);
    assert_eq!(
        said(&w, "Heart rate one hundred fifty: slow down."),
        1,
        "warned once after 10 s above"
    );
    let out = w.bus.ctl(&["heart"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "heart rate 150"
    );
    // A strap that goes quiet (off the chest) has no rate to show.
    wait_for(
        "a silent strap shows no rate",
        Duration::from_secs(20),
        || status(&w.bus)["heart_rate"] == 0,
    );
    assert!(w.bus.ctl(&["stop"]).status.success());
    let history = w.bus.ctl(&["history", "--json"]);
    let entries: Value = serde_json::from_slice(&history.stdout).unwrap();
    let last = entries.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["heart_rate_max"], 150, "{last}");
    let average = last["heart_rate_average"].as_u64().unwrap();
    assert!((125..=150).contains(&average), "{last}");
    let above = last["minutes_above_limit"].as_f64().unwrap();
    assert!((0.15..=0.25).contains(&above), "about 12 s above: {last}");
}

#[test]
fn scan_lists_treadmills_and_use_keeps_one() {
    let w = world(&[]);
    let out = w.bus.ctl(&["treadmill", "scan", "--seconds", "1"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains(TREADMILL) && text.contains("Belt 3000"),
        "{text}"
    );
    assert!(!text.contains(STRAP), "a strap is no treadmill: {text}");
    let out = w.bus.ctl(&["heart", "scan", "--seconds", "1"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains(STRAP));

    // A scan under way holds nothing else up.
    let address = w.bus.address.clone();
    let scanning = std::thread::spawn(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_treadcuectl"))
            .args([
                "--bus-address",
                &address,
                "treadmill",
                "scan",
                "--seconds",
                "4",
            ])
            .output()
            .unwrap()
    });
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(status(&w.bus)["state"], "idle");
    assert!(
        !scanning.is_finished(),
        "status answered while the scan went on"
    );
    assert!(scanning.join().unwrap().status.success());

    let out = w.bus.ctl(&["treadmill", "scan", "--seconds", "0"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 to 60 seconds"));
    let out = w.bus.busctl(&[
        "call",
        "io.github.treadcue.Treadcue1",
        "/io/github/treadcue/Treadcue1",
        "io.github.treadcue.Treadcue1.Bluetooth",
        "Scan",
        "su",
        "bike",
        "1",
    ]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("\"treadmill\" or \"heart\""));
    let out = w.bus.ctl(&["treadmill", "use", "C0:FF:EE"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a Bluetooth address"));
    assert!(
        w.bus
            .ctl(&["treadmill", "use", &TREADMILL.to_lowercase()])
            .status
            .success()
    );
    let out = w.bus.ctl(&["treadmill"]);
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains(&format!("treadmill {TREADMILL}: not connected"))
    );
    start(&w, "steady");
    connected(&w);
}

#[test]
fn a_scan_without_bluez_says_what_is_missing() {
    let mut w = world(&[]);
    w.bluez.stop();
    let out = w.bus.ctl(&["treadmill", "scan", "--seconds", "1"]);
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("is bluetoothd running?"), "{said}");
}

#[test]
fn with_control_the_belt_slows_before_the_walker_turns() {
    let w = world(&["--treadmill", TREADMILL, "--treadmill-control", "true"]);
    start(&w, "turn");
    connected(&w);
    wait_for("the turn", Duration::from_secs(40), || {
        status(&w.bus)["step_index"] == 1
    });
    // Started at 1.5 mph (2.4 km/h in the belt's steps); held at the
    // turn, the belt is set to 0.8 mph (1.2), it slows, and only then,
    // after a fresh countdown, the backward step begins.
    let (fast, slow) = (240u16.to_le_bytes(), 120u16.to_le_bytes());
    assert_eq!(
        writes(&w)[..5],
        [
            vec![0x00],
            vec![0x07],
            vec![0x02, fast[0], fast[1]],
            vec![0x03, 0, 0],
            vec![0x02, slow[0], slow[1]]
        ]
    );
    let log = w.daemon.stderr();
    let held = log.find("paused (belt)").expect("held before the turn");
    let turned = log.find("step 2 of 3").unwrap();
    assert!(held < turned, "{log}");
    assert_eq!(said(&w, "Slow the belt to point eight, then turn."), 1);
    assert!(w.bus.ctl(&["stop"]).status.success());
    wait_until("the belt stops with the session", || {
        writes(&w).last() == Some(&vec![0x08, 0x01])
    });
}

#[test]
fn the_heart_rate_is_said_after_the_halfway_cue_when_asked() {
    let w = world(&["--heart", STRAP, "--heart-speak", "true"]);
    start(&w, "halves");
    wait_for(
        "the heart rate after the halfway cue",
        Duration::from_secs(30),
        || {
            heart(&w, 120);
            std::thread::sleep(Duration::from_millis(300));
            said(&w, "Heart rate one hundred twenty.") == 1
        },
    );
    let s = status(&w.bus);
    let elapsed = s["step_length"].as_f64().unwrap() - s["step_left"].as_f64().unwrap();
    assert!((15.0..20.0).contains(&elapsed), "said at {elapsed} s");
}

#[test]
fn a_treadmill_that_never_answers_is_not_asked_again() {
    let w = world(&["--treadmill", TREADMILL, "--treadmill-control", "true"]);
    mock(&w.system, "SetControlAnswer", &["sy", TREADMILL, "0"]);
    start(&w, "steady");
    wait_until("the silence is said", || {
        said(&w, "The treadmill did not take a command") == 1
    });
    assert!(w.daemon.stderr().contains("no answer within 3 s"));
    connected(&w);
    for command in ["pause", "resume", "next"] {
        assert!(w.bus.ctl(&[command]).status.success());
    }
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(writes(&w), vec![vec![0x00]], "only the request for control");
    assert_eq!(status(&w.bus)["state"], "running");
}

#[test]
fn a_strap_that_vanishes_is_told_once_and_its_rate_comes_back() {
    let w = world(&["--heart", STRAP]);
    start(&w, "steady");
    wait_until("the strap connects", || {
        heart(&w, 120);
        status(&w.bus)["heart_rate"] == 120
    });
    mock(&w.system, "Vanish", &["s", STRAP]);
    wait_until("no rate without the strap", || {
        status(&w.bus)["heart_rate"] == 0
    });
    wait_until("one spoken notice", || {
        said(&w, "The heart rate strap is out of reach") == 1
    });
    assert_eq!(status(&w.bus)["state"], "running", "the session goes on");
    mock(&w.system, "Return", &["s", STRAP]);
    wait_until("the rate again once it is back", || {
        // Until it is reconnected the fake has nothing to notify on.
        let _ = try_notify(&w.system.address, STRAP, HEART_MEASUREMENT, &[0, 118]);
        status(&w.bus)["heart_rate"] == 118
    });
    assert_eq!(said(&w, "out of reach"), 1);
}
