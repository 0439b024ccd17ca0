//! Treadmills as they are, through the fake bluetoothd
//! (tests/support/bluez_fitness.py): a walking pad that cannot incline,
//! the machine's own status (the belt stopped at the console or by the
//! safety key, a speed set there, control taken by another app), fields a
//! machine sends as "not available" or under flags the 2017 layout calls
//! reserved, and the errors a real bluetoothd gives.

mod support;

use std::time::Duration;

use support::bluez::wait_until;
use support::fitness::*;

fn state_and_reason(w: &World) -> (String, String) {
    let s = status(&w.bus);
    (
        s["state"].as_str().unwrap_or_default().into(),
        s["pause_reason"].as_str().unwrap_or_default().into(),
    )
}

/// A Fitness Machine Status notification, as the machine sends it.
fn machine_says(w: &World, bytes: &[u8]) {
    notify(&w.system, TREADMILL, MACHINE_STATUS, bytes);
}

fn speed_bytes(kmh_hundredths: u16) -> Vec<u8> {
    let [lo, hi] = kmh_hundredths.to_le_bytes();
    vec![0x02, lo, hi]
}

#[test]
fn a_walking_pad_keeps_speed_control_and_the_incline_is_the_walkers() {
    let w = world(&["--treadmill", PAD, "--treadmill-control", "true"]);
    start(&w, "steady");
    // 1.5 mph is 2.4 km/h on the pad's 0.1 steps; no incline is ever
    // asked of a machine whose features say it takes none.
    wait_until("control taken, belt started", || {
        writes_of(&w, PAD) == [vec![0x00], vec![0x07], speed_bytes(240)]
    });
    // The second step: 2.0 mph (3.2 km/h) on an incline of 2 %.
    assert!(w.bus.ctl(&["next"]).status.success());
    wait_until("the belt goes to the step's speed", || {
        writes_of(&w, PAD).last() == Some(&speed_bytes(320))
    });
    wait_until("the walker is told the incline is theirs", || {
        said(&w, "This treadmill cannot set its incline") == 1
    });
    assert!(
        !writes_of(&w, PAD).iter().any(|w| w[0] == 0x03),
        "no incline asked"
    );
    assert!(w.bus.ctl(&["pause"]).status.success());
    wait_until("the belt pauses with the session", || {
        writes_of(&w, PAD).last() == Some(&vec![0x08, 0x02])
    });
    assert!(w.bus.ctl(&["resume"]).status.success());
    wait_until("speed control goes on", || {
        writes_of(&w, PAD).ends_with(&[vec![0x07], speed_bytes(320)])
    });
    assert_eq!(said(&w, "cannot set its incline"), 1, "said once");
    assert_eq!(said(&w, "did not take a command"), 0);
}

#[test]
fn a_machine_that_claims_an_incline_and_refuses_it_keeps_speed_control() {
    // Machines report more than they do: this pad says it takes an
    // incline target, then answers one "not supported" (80 03 02).
    let w = world(&["--treadmill", PAD, "--treadmill-control", "true"]);
    let claims = ["say", PAD, "8", "12", "20", "0", "0", "3", "0", "0", "0"];
    mock(&w.system, "SetFeatures", &claims);
    start(&w, "steady");
    wait_until("started, the incline asked once", || {
        writes_of(&w, PAD).len() == 4
    });
    assert!(w.bus.ctl(&["next"]).status.success());
    wait_until("speed control goes on", || {
        writes_of(&w, PAD).last() == Some(&speed_bytes(320))
    });
    wait_until("the incline is the walker's", || {
        said(&w, "This treadmill cannot set its incline") == 1
    });
    assert_eq!(
        writes_of(&w, PAD).iter().filter(|w| w[0] == 0x03).count(),
        1
    );
    assert_eq!(status(&w.bus)["state"], "running");
    assert_eq!(said(&w, "did not take a command"), 0);
}

#[test]
fn the_belt_stopped_at_the_console_pauses_the_session_and_its_start_resumes_it() {
    let w = world(&["--treadmill", TREADMILL]);
    start(&w, "steady");
    connected(&w);
    machine_says(&w, &[0x02, 0x01]);
    wait_until("paused at once, for the treadmill", || {
        state_and_reason(&w) == ("paused".into(), "treadmill".into())
    });
    wait_until("told why", || {
        said(&w, "The belt stopped. The session is paused.") == 1
    });
    machine_says(&w, &[0x04]);
    wait_until("started there again, the session goes on", || {
        status(&w.bus)["state"] == "running"
    });

    machine_says(&w, &[0x03]);
    wait_until("the safety key pauses it", || {
        state_and_reason(&w) == ("paused".into(), "treadmill".into())
    });
    wait_until("told why", || said(&w, "The safety key is out.") == 1);
    machine_says(&w, &[0x04]);
    wait_until("going again", || status(&w.bus)["state"] == "running");

    // A pause the walker asked for is theirs to end, whatever the belt.
    assert!(w.bus.ctl(&["pause"]).status.success());
    machine_says(&w, &[0x04]);
    machine_says(&w, &[0x02, 0x02]);
    wait_until("the status is taken", || said(&w, "The belt stopped") >= 1);
    assert_eq!(state_and_reason(&w), ("paused".into(), "requested".into()));
}

#[test]
fn a_speed_set_at_the_console_is_the_walkers_and_is_not_fought() {
    let w = world(&["--treadmill", TREADMILL, "--treadmill-control", "true"]);
    start(&w, "steady");
    wait_until("control taken", || writes(&w).len() == 4);
    // The walker sets 2.0 mph at the console: the machine says so (to
    // treadcue, another client) and the belt runs at it.
    machine_says(&w, &[0x05, 0x42, 0x01]);
    let belt = Belt::run(&w.system, 322);
    wait_until("the belt at the walker's speed", || {
        status(&w.bus)["belt_speed"] == 2.0
    });
    // Longer than the 10 s off the step's speed that earn a nudge.
    std::thread::sleep(Duration::from_secs(12));
    assert_eq!(said(&w, "The belt is at"), 0, "no nudge against the walker");
    // Every speed sent since is the walker's (a session held for a
    // moment, on a loaded machine, pauses and restarts the belt at it).
    let since: Vec<Vec<u8>> = writes(&w)[4..].to_vec();
    assert!(
        since
            .iter()
            .all(|w| w.first() != Some(&0x02) || *w == speed_bytes(320)),
        "the speed is not set back: {:?}",
        writes(&w)
    );
    assert!(w.bus.ctl(&["pause"]).status.success());
    wait_until("the belt pauses with the session", || {
        writes(&w).last() == Some(&vec![0x08, 0x02])
    });
    assert!(w.bus.ctl(&["resume"]).status.success());
    wait_until("resumed at the walker's speed", || {
        writes(&w).ends_with(&[vec![0x07], speed_bytes(320), vec![0x03, 0, 0]])
    });
    drop(belt);
}

#[test]
fn control_taken_by_another_app_is_said_once_and_nothing_more_is_sent() {
    let w = world(&["--treadmill", TREADMILL, "--treadmill-control", "true"]);
    start(&w, "steady");
    wait_until("control taken", || writes(&w).len() == 4);
    machine_says(&w, &[0xff]);
    wait_until("told once", || {
        said(&w, "Another app took over the treadmill") == 1
    });
    assert!(w.bus.ctl(&["pause"]).status.success());
    assert!(w.bus.ctl(&["resume"]).status.success());
    assert!(w.bus.ctl(&["next"]).status.success());
    // A round trip through the machine: its next reading is taken after
    // the commands above were handled.
    belt(&w.system, 322, 5);
    wait_until("the reading is in", || status(&w.bus)["belt_speed"] == 2.0);
    assert_eq!(writes(&w).len(), 4, "nothing sent after control was lost");
    assert_eq!(said(&w, "did not take a command"), 0);
}

#[test]
fn fields_a_machine_cannot_measure_do_not_cost_the_rest() {
    let w = world(&["--treadmill", TREADMILL]);
    start(&w, "steady");
    connected(&w);
    // Speed 2.41 km/h, distance 0xFFFFFF, inclination and ramp 0x7FFF.
    notify(
        &w.system,
        TREADMILL,
        TREADMILL_DATA,
        &[
            0x0c, 0x00, 0xf1, 0x00, 0xff, 0xff, 0xff, 0xff, 0x7f, 0xff, 0x7f,
        ],
    );
    wait_until("the speed is taken", || status(&w.bus)["belt_speed"] == 1.5);
    assert_eq!(status(&w.bus)["belt_distance"], 0.0);
    // A CITYSPORTS walking pad's notification: flags 84 24, bit 13 being
    // reserved in the 2017 layout, with three bytes (see fitness_codecs).
    let capture = [
        0x84, 0x24, 0x2c, 0x01, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09, 0x00, 0x06,
        0x00, 0x00,
    ];
    notify(&w.system, TREADMILL, TREADMILL_DATA, &capture);
    wait_until("its speed, 3.0 km/h, in mph", || {
        status(&w.bus)["belt_speed"] == 1.86
    });
    let reading = reading(&w);
    assert_eq!(reading.get("distance_m"), Some(&6.0), "{reading:?}");
    assert_eq!(reading.get("elapsed_s"), Some(&9.0), "{reading:?}");
    assert_eq!(reading.get("incline_percent"), None, "{reading:?}");
    let shown = w.bus.ctl(&["treadmill"]);
    let shown = String::from_utf8_lossy(&shown.stdout);
    assert!(
        shown.contains("the treadmill counts 0 kcal, 0:00:09 on its clock"),
        "{shown}"
    );
}

#[test]
fn the_grips_heart_rate_counts_when_no_strap_is_chosen() {
    let w = world(&["--treadmill", TREADMILL]);
    start(&w, "steady");
    connected(&w);
    // Speed and heart rate: 120 from the grips, then no hand on them.
    notify(
        &w.system,
        TREADMILL,
        TREADMILL_DATA,
        &[0x00, 0x01, 0xf1, 0x00, 120],
    );
    wait_until("the grips' rate", || status(&w.bus)["heart_rate"] == 120);
    notify(
        &w.system,
        TREADMILL,
        TREADMILL_DATA,
        &[0x00, 0x01, 0xf1, 0x00, 0],
    );
    wait_until("no hand, no rate", || status(&w.bus)["heart_rate"] == 0);
}

#[test]
fn a_treadmill_another_program_holds_is_said_once_and_not_asked_again() {
    let w = world(&["--treadmill", TREADMILL]);
    mock(&w.system, "HoldNotify", &["ss", TREADMILL, TREADMILL_DATA]);
    start(&w, "steady");
    wait_until("told once", || {
        said(&w, "Another app is reading the treadmill") == 1
    });
    // What a retry would do, within its first 1 + 2 s, did not happen.
    std::thread::sleep(Duration::from_secs(4));
    let log = w.daemon.stderr();
    assert_eq!(log.matches("another program holds it").count(), 1, "{log}");
    assert!(!log.contains("trying again"), "{log}");
    assert_eq!(status(&w.bus)["state"], "running");
}

#[test]
fn a_treadmill_bluez_is_connecting_already_is_no_loss() {
    let w = world(&["--treadmill", TREADMILL]);
    mock(&w.system, "ConnectSlowly", &["s", TREADMILL]);
    start(&w, "steady");
    connected(&w);
    let log = w.daemon.stderr();
    assert!(!log.contains("trying again"), "{log}");
}

#[test]
fn a_write_another_client_holds_up_is_tried_again() {
    let w = world(&["--treadmill", TREADMILL, "--treadmill-control", "true"]);
    mock(&w.system, "BusyWrites", &["su", TREADMILL, "3"]);
    start(&w, "steady");
    wait_until("control taken, belt started", || {
        writes(&w)
            == [
                vec![0x00],
                vec![0x07],
                speed_bytes(240),
                vec![0x03, 0x00, 0x00],
            ]
    });
    assert_eq!(said(&w, "did not take a command"), 0);
}
