//! What the history shows a walker looking back: every week since the
//! first, the empty ones too, and the fastest backward speed of each
//! session.

mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use support::bus::{Daemon, PrivateBus};
use support::pulse::PulseServer;
use support::world::playerctl_on;

/// A session walked three weeks ago, written as an earlier release did
/// (no top speed).
fn old_entry() -> String {
    let (start, session) = support::days_ago(21);
    serde_json::json!({
        "program": "demo", "program_name": "Seventy-second demo",
        "start": start, "end": start, "steps_done": 3, "step_count": 3,
        "completed": true, "outcome": "finished", "walked": 120.0,
        "walked_backward": 60.0, "position": 120.0, "session": session,
    })
    .to_string()
}

fn json(bus: &PrivateBus, args: &[&str]) -> serde_json::Value {
    let out = bus.ctl(args);
    assert!(out.status.success(), "{out:?}");
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn the_weeks_run_without_gaps_and_each_session_keeps_its_top_backward_speed() {
    let pulse = PulseServer::start();
    let bus = PrivateBus::start(None);
    let state = bus.dir().join("treadcue");
    std::fs::create_dir_all(&state).unwrap();
    std::fs::write(state.join("history.jsonl"), old_entry() + "\n").unwrap();
    let _daemon = Daemon::start(&bus, &pulse.address(), &[]);

    // Into the demo's backward step (0.8 mph), a few seconds walked.
    assert!(bus.ctl(&["start", "demo"]).status.success());
    assert!(bus.ctl(&["next"]).status.success());
    // Walked, as the samples played count it (MPRIS's position in the
    // step): a fresh sound server may take a while to start taking them.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let status = bus.status();
        let into_step: f64 = playerctl_on(&bus, &["position"]).parse().unwrap_or(0.0);
        if status["direction"] == "backward" && into_step > 1.0 {
            break;
        }
        assert!(Instant::now() < deadline, "never walked backward: {status}");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(bus.ctl(&["stop"]).status.success());

    let history = json(&bus, &["history", "--json"]);
    let (old, new) = (&history[0], &history[1]);
    assert_eq!(old["top_backward_speed"], serde_json::Value::Null, "{old}");
    assert_eq!(old["walked_backward"], 60.0);
    assert_eq!(new["top_backward_speed"], 0.8, "{new}");
    assert_eq!(new["units"], "mph");
    assert!(new["walked_backward"].as_f64().unwrap() >= 1.0, "{new}");
    let text = String::from_utf8(bus.ctl(&["history"]).stdout).unwrap();
    assert!(
        text.lines()
            .last()
            .unwrap()
            .contains("top backward 0.8 mph"),
        "{text}"
    );

    // Three weeks back to this one: four weeks (five when the old session
    // fell in a week that started on a later weekday), none left out.
    let weeks = json(&bus, &["history", "--weeks", "--json"]);
    let weeks = weeks.as_array().unwrap();
    assert!((4..=5).contains(&weeks.len()), "{weeks:?}");
    let minutes = |week: &serde_json::Value| {
        week["forward_minutes"].as_f64().unwrap() + week["backward_minutes"].as_f64().unwrap()
    };
    assert_eq!(minutes(&weeks[0]), 2.0, "{weeks:?}");
    assert_eq!(weeks[1]["backward_minutes"], 0.0, "{weeks:?}");
    assert_eq!(minutes(&weeks[weeks.len() - 2]), 0.0, "{weeks:?}");
    assert!(minutes(weeks.last().unwrap()) > 0.0, "{weeks:?}");
    // Each a week after the last.
    let mondays: Vec<&str> = weeks.iter().map(|w| w["week"].as_str().unwrap()).collect();
    for pair in mondays.windows(2) {
        let apart = Command::new("bash")
            .arg("-c")
            .arg(format!(
                "echo $(( ($(date -ud {} +%s) - $(date -ud {} +%s)) / 86400 ))",
                pair[1], pair[0]
            ))
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&apart.stdout).trim(),
            "7",
            "{mondays:?}"
        );
    }
}
