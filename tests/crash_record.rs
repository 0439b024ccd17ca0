//! What a session worked up to survives a power cut: the fastest
//! backward step walked before a SIGKILL is the session's top backward
//! speed in the history, whether the session is brought back and walked
//! on (more slowly) or given up as interrupted. The time walked comes
//! back to the millisecond the checkpoint kept. A per-second record that
//! cannot be written is said once and the session goes on.

mod support;

use std::time::{Duration, Instant};

use serde_json::Value;
use support::bus::{Daemon, PrivateBus};
use support::pulse::PulseServer;

fn checkpoint(bus: &PrivateBus) -> Value {
    bus.checkpoint().unwrap_or(Value::Null)
}

fn ok(bus: &PrivateBus, args: &[&str]) {
    let out = bus.ctl(args);
    assert!(out.status.success(), "{args:?}: {out:?}");
}

/// Starts the program, walks into its backward step (0.8 mph) until a
/// checkpoint has it as the fastest and 4 s walked on it, and cuts the
/// power.
fn walk_backward_then_kill(bus: &PrivateBus, pulse: &PulseServer, extra: &[&str]) {
    let mut daemon = Daemon::start(bus, &pulse.address(), extra);
    ok(bus, &["start", "retro-first-steps"]);
    ok(bus, &["next"]);
    let deadline = Instant::now() + Duration::from_secs(30);
    let backward = |c: &Value| c["walked"][1].as_f64().unwrap_or(0.0);
    while checkpoint(bus)["top_backward_speed"] != 0.8 || backward(&checkpoint(bus)) < 4.0 {
        assert!(
            Instant::now() < deadline,
            "no checkpoint with the backward step: {}",
            checkpoint(bus)
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    daemon.child.kill().unwrap();
    daemon.child.wait().unwrap();
}

fn last_entry(bus: &PrivateBus) -> Value {
    let out = bus.ctl(&["history", "--json"]);
    let history: Value = serde_json::from_slice(&out.stdout).unwrap();
    let entries = history.as_array().unwrap();
    assert_eq!(entries.len(), 1, "{history}");
    entries[0].clone()
}

#[test]
fn a_session_brought_back_keeps_the_backward_speed_walked_before_the_crash() {
    let pulse = PulseServer::start();
    let bus = PrivateBus::start(None);
    walk_backward_then_kill(&bus, &pulse, &[]);
    let _daemon = Daemon::start(&bus, &pulse.address(), &[]);
    assert_eq!(bus.status()["state"], "paused");
    ok(&bus, &["resume"]);
    // On to the forward steps: nothing backward is walked after the crash.
    ok(&bus, &["next"]);
    let deadline = Instant::now() + Duration::from_secs(30);
    while checkpoint(&bus)["step"] != 2 || checkpoint(&bus)["state"] != "running" {
        assert!(Instant::now() < deadline, "{}", checkpoint(&bus));
        std::thread::sleep(Duration::from_millis(100));
    }
    ok(&bus, &["stop"]);
    let entry = last_entry(&bus);
    assert_eq!(entry["top_backward_speed"], 0.8, "{entry}");
    assert_eq!(entry["units"], "mph", "{entry}");
}

#[test]
fn a_restore_keeps_the_time_walked_to_the_millisecond() {
    let pulse = PulseServer::start();
    let bus = PrivateBus::start(None);
    walk_backward_then_kill(&bus, &pulse, &[]);
    // Times that are not whole samples in floating point: 4.004 s is
    // 192191.99999999997 samples at 48 kHz, 8.008 s 384383.99999999994.
    let mut kept = checkpoint(&bus);
    kept["walked"] = serde_json::json!([4.004, 8.008]);
    let path = bus.dir().join("treadcue/session.json");
    std::fs::write(&path, kept.to_string()).unwrap();
    let _daemon = Daemon::start(&bus, &pulse.address(), &[]);
    assert_eq!(bus.status()["state"], "paused");
    assert_eq!(
        checkpoint(&bus)["walked"],
        serde_json::json!([4.004, 8.008]),
        "brought back as it was kept"
    );
    ok(&bus, &["stop"]);
    let entry = last_entry(&bus);
    assert_eq!(
        (&entry["walked"], &entry["walked_backward"]),
        (&Value::from(12.012), &Value::from(8.008)),
        "{entry}"
    );
}

#[test]
fn a_session_given_up_after_a_crash_keeps_its_backward_speed_too() {
    let pulse = PulseServer::start();
    let bus = PrivateBus::start(None);
    let discard = ["--after-crash", "discard"];
    walk_backward_then_kill(&bus, &pulse, &discard);
    let _daemon = Daemon::start(&bus, &pulse.address(), &discard);
    let entry = last_entry(&bus);
    assert_eq!(entry["outcome"], "interrupted", "{entry}");
    assert_eq!(entry["top_backward_speed"], 0.8, "{entry}");
    assert!(
        entry["program_distance_m"]
            .as_f64()
            .is_some_and(|m| m > 0.0),
        "{entry}"
    );
}

#[test]
fn a_record_that_cannot_be_written_is_said_once_and_costs_the_session_nothing() {
    let pulse = PulseServer::start();
    let bus = PrivateBus::start(None);
    let state = bus.dir().join("treadcue");
    std::fs::create_dir_all(&state).unwrap();
    // A file where the records' folder goes.
    std::fs::write(state.join("records"), "in the way").unwrap();
    let daemon = Daemon::start(&bus, &pulse.address(), &[]);
    ok(&bus, &["start", "retro-first-steps"]);
    let deadline = Instant::now() + Duration::from_secs(30);
    while checkpoint(&bus)["walked"][0].as_f64().unwrap_or(0.0) < 5.0 {
        assert!(Instant::now() < deadline, "{}", checkpoint(&bus));
        std::thread::sleep(Duration::from_millis(100));
    }
    ok(&bus, &["stop"]);
    let entry = last_entry(&bus);
    assert!(entry["walked"].as_f64().unwrap() >= 5.0, "{entry}");
    let said = daemon.stderr();
    assert_eq!(said.matches("cannot keep the records").count(), 1, "{said}");
}
