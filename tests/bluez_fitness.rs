//! The treadmill (FTMS) and the heart-rate strap through BlueZ, faked on
//! a private "system" bus (python3-dbusmock's bluez5 template with GATT
//! services and characteristics added: tests/support/bluez_fitness.py).
//! treadcued connects when a session starts; the belt's readings become
//! properties, hold the session before a turn, nudge the walker; control
//! writes the right bytes and gives up on a refusal; the strap's limit
//! warns; a device that vanishes is told once and reconnected.

mod support;

use std::time::Duration;

use serde_json::Value;
use support::bluez::{wait_for, wait_until};
use support::fitness::*;

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
    let sent = writes(&w);
    assert_eq!(
        sent[..4],
        [
            vec![0x00],
            vec![0x07],
            vec![0x02, fast[0], fast[1]],
            vec![0x03, 0, 0],
        ]
    );
    // Then the belt is slowed to the turn's speed, and kept there through
    // the fresh countdown into the turn. (The audio device of a loaded
    // machine may fail and come back meanwhile: the session, and so the
    // belt, pauses and starts again at the speed it had.)
    let slowed = sent
        .iter()
        .position(|w| *w == [0x02, slow[0], slow[1]])
        .expect("the belt is slowed");
    let paused_or_started = |w: &Vec<u8>| *w == [0x08, 0x02] || *w == [0x07];
    assert!(
        sent[4..slowed]
            .iter()
            .all(|w| paused_or_started(w) || w[..] == sent[2][..] || w[..] == sent[3][..]),
        "only the forward step's speed before the hold: {sent:?}"
    );
    assert!(
        sent[slowed..]
            .iter()
            .all(|w| paused_or_started(w) || *w == [0x02, slow[0], slow[1]]),
        "never faster again before the turn: {sent:?}"
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
