//! `treadcuectl export --format fit|tcx`: every FIT file decodes without
//! an error in Garmin's own FIT SDK for Python (tests/reference/
//! fit_summary.py), with sport, sub-sport, laps, time, distance and heart
//! rate equal to the history's; every TCX file validates against Garmin's
//! TrainingCenterDatabase v2 schema (xmlschema). Sessions with pauses,
//! cut by a crash, with a treadmill and a strap, and with neither.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;
use support::bus::{Daemon, PrivateBus};
use support::fitness::{FAST, STRAP, TREADMILL, belt, connected, heart, world};
use support::pulse::PulseServer;

fn reference_python() -> PathBuf {
    let python = Path::new(env!("CARGO_MANIFEST_DIR")).join(".reference-venv/bin/python");
    assert!(
        python.exists(),
        "Garmin's FIT SDK is missing: scripts/setup --test makes .reference-venv"
    );
    python
}

/// What Garmin's SDK makes of each FIT file in `folder`, by file name.
fn decoded(folder: &Path) -> Vec<(String, Value)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "fit"))
        .collect();
    files.sort();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference/fit_summary.py");
    let out = Command::new(reference_python())
        .arg(script)
        .args(&files)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let all: Value = serde_json::from_slice(&out.stdout).unwrap();
    files
        .iter()
        .map(|f| {
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            (name, all[f.to_str().unwrap()].clone())
        })
        .collect()
}

/// Validates every TCX file in `folder` against Garmin's schema.
fn assert_tcx_valid(folder: &Path, count: usize) {
    let files: Vec<PathBuf> = std::fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "tcx"))
        .collect();
    assert_eq!(files.len(), count, "{files:?}");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let schema = root.join(".reference-venv/share/GarminTrainingCenterDatabase_v2.xsd");
    assert!(schema.exists(), "scripts/setup --test fetches the schema");
    let out = Command::new(reference_python())
        .arg(root.join("tests/reference/validate_tcx.py"))
        .arg(schema)
        .args(&files)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn history(bus: &PrivateBus) -> Vec<Value> {
    let out = bus.ctl(&["history", "--json"]);
    serde_json::from_slice::<Value>(&out.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn export(bus: &PrivateBus, format: &str, folder: &Path) {
    let out = bus.ctl(&["export", "--format", format, "-o", folder.to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");
}

fn close(a: f64, b: f64, within: f64) -> bool {
    (a - b).abs() <= within
}

/// Checks one decoded file against its history entry: what every
/// exported session must satisfy.
fn assert_matches(name: &str, fit: &Value, entry: &Value, sport: &str) {
    assert_eq!(fit["errors"], Value::Array(vec![]), "{name}: {fit}");
    assert_eq!(fit["integrity"], true, "{name}: CRC");
    assert_eq!(fit["order"][0], 0, "{name}: File Id comes first");
    assert_eq!(fit["file_id_mesgs"][0]["type"], "activity");
    assert!(
        fit["device_info_mesgs"]
            .as_array()
            .is_some_and(|d| !d.is_empty())
    );
    let session = &fit["session_mesgs"][0];
    assert_eq!(session["sport"], sport, "{name}");
    assert_eq!(session["sub_sport"], "treadmill", "{name}: never virtual");
    let walked = entry["walked"].as_f64().unwrap();
    let timer = session["total_timer_time"].as_f64().unwrap();
    assert!(
        close(timer, walked, 0.001),
        "{name}: {timer} s timed, {walked} s walked"
    );
    let distance = entry["distance_m"]
        .as_f64()
        .or(entry["program_distance_m"].as_f64())
        .unwrap();
    let fit_distance = session["total_distance"].as_f64().unwrap();
    assert!(
        close(fit_distance, distance, 0.01),
        "{name}: {fit_distance} m, history {distance} m"
    );
    for (fit_field, history_field) in [
        ("avg_heart_rate", "heart_rate_average"),
        ("max_heart_rate", "heart_rate_max"),
    ] {
        assert_eq!(
            session.get(fit_field).unwrap_or(&Value::Null),
            &entry[history_field],
            "{name}: {fit_field}"
        );
    }
    let laps = fit["lap_mesgs"].as_array().unwrap();
    assert_eq!(session["num_laps"].as_u64().unwrap() as usize, laps.len());
    let sum = |field: &str| laps.iter().map(|l| l[field].as_f64().unwrap()).sum::<f64>();
    assert!(
        close(sum("total_timer_time"), walked, 0.01 * laps.len() as f64),
        "{name}: laps' time"
    );
    assert!(
        close(sum("total_distance"), distance, 0.02 * laps.len() as f64),
        "{name}: laps' distance"
    );
    let activity = &fit["activity_mesgs"][0];
    assert_eq!(activity["num_sessions"], 1);
    assert!(
        activity["local_timestamp"].is_number(),
        "{name}: local_timestamp"
    );
    let records = fit["record_mesgs"].as_array().unwrap();
    let times: Vec<f64> = records
        .iter()
        .map(|r| r["timestamp"].as_f64().unwrap())
        .collect();
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "{name}: records in time order"
    );
    let distances: Vec<f64> = records
        .iter()
        .map(|r| r["distance"].as_f64().unwrap())
        .collect();
    assert!(
        distances.windows(2).all(|w| w[0] <= w[1] + 1e-9),
        "{name}: distance never runs back"
    );
    // About one record a second walked, and one at each step change,
    // pause and resume.
    let seconds = walked.floor() as usize;
    let marks = timer_events(fit).len();
    assert!(
        records.len() + 2 >= seconds && records.len() <= seconds + laps.len() + marks + 2,
        "{name}: {} records for {walked} s walked: {}",
        records.len(),
        fit["record_mesgs"]
    );
}

/// The timer events as (type) in order: start, then each pause and
/// resume, then the stop at the end.
fn timer_events(fit: &Value) -> Vec<String> {
    fit["event_mesgs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["event"] == "timer")
        .map(|e| e["event_type"].as_str().unwrap().to_string())
        .collect()
}

/// Waits until the daemon's checkpoint says `seconds` more were walked.
fn walk(bus: &PrivateBus, seconds: f64) {
    let walked = || {
        bus.checkpoint().map_or(0.0, |c| {
            c["walked"][0].as_f64().unwrap_or(0.0) + c["walked"][1].as_f64().unwrap_or(0.0)
        })
    };
    let target = walked() + seconds;
    let deadline = Instant::now() + Duration::from_secs(60);
    while walked() < target {
        assert!(Instant::now() < deadline, "{seconds} s were not walked");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn checkpoint(bus: &PrivateBus) -> Value {
    bus.checkpoint().expect("a checkpoint")
}

/// Samples in the session's records file: after an 8-byte header, 32
/// bytes each.
fn records_file_samples(bus: &PrivateBus, checkpoint: &Value) -> u64 {
    let session = checkpoint["started_at"].as_i64().unwrap();
    let file = bus.dir().join(format!("treadcue/records/{session}.rec"));
    (std::fs::metadata(file).unwrap().len() - 8) / 32
}

fn ok(bus: &PrivateBus, args: &[&str]) {
    let out = bus.ctl(args);
    assert!(out.status.success(), "{args:?}: {out:?}");
}

#[test]
fn a_session_with_pauses_and_no_devices_exports_as_the_history_says() {
    let pulse = PulseServer::start();
    let bus = PrivateBus::start(None);
    let _daemon = Daemon::start(&bus, &pulse.address(), &[]);
    ok(&bus, &["start", "retro-first-steps"]);
    walk(&bus, 3.0);
    ok(&bus, &["pause"]);
    std::thread::sleep(Duration::from_millis(1500));
    ok(&bus, &["resume"]);
    walk(&bus, 2.0);
    ok(&bus, &["next"]);
    walk(&bus, 3.0);
    ok(&bus, &["stop"]);

    let out = tempfile::tempdir().unwrap();
    export(&bus, "fit", out.path());
    export(&bus, "tcx", out.path());
    let entry = history(&bus).pop().unwrap();
    let files = decoded(out.path());
    assert_eq!(files.len(), 1);
    let (name, fit) = &files[0];
    assert!(name.ends_with("retro-first-steps.fit"), "{name}");
    assert_matches(name, fit, &entry, "walking");
    assert_eq!(
        fit["lap_mesgs"].as_array().unwrap().len(),
        2,
        "a lap per step walked"
    );
    assert_eq!(
        timer_events(fit),
        ["start", "stop_all", "start", "stop_all"],
        "{}",
        fit["event_mesgs"]
    );
    let session = &fit["session_mesgs"][0];
    assert_eq!(
        session["start_time"].as_f64().unwrap() as i64 + 631_065_600,
        entry["session"].as_i64().unwrap() / 1_000_000,
        "the start in UTC"
    );
    // The pause is in the elapsed time, not in the timer's.
    assert!(
        session["total_elapsed_time"].as_f64().unwrap()
            > session["total_timer_time"].as_f64().unwrap() + 1.0
    );
    assert!(entry["distance_m"].is_null() && entry["program_distance_m"].as_f64().unwrap() > 0.0);
    let description = session["developer_fields"].to_string();
    assert!(
        description.contains("from the program's speeds"),
        "{description}"
    );
    assert_tcx_valid(out.path(), 1);
}

#[test]
fn a_session_with_a_treadmill_and_a_strap_exports_their_distance_and_heart_rate() {
    let w = world(&["--treadmill", TREADMILL, "--heart", STRAP]);
    ok(&w.bus, &["start", "steady"]);
    connected(&w);
    let start = Instant::now();
    let mut metres = 500;
    while start.elapsed() < Duration::from_secs(5) {
        belt(&w.system, FAST, metres);
        heart(&w, 100 + (metres % 7) as u8);
        metres += 1;
        std::thread::sleep(Duration::from_millis(300));
    }
    ok(&w.bus, &["stop"]);
    let out = tempfile::tempdir().unwrap();
    export(&w.bus, "fit", out.path());
    export(&w.bus, "tcx", out.path());
    let entry = history(&w.bus).pop().unwrap();
    assert!(entry["distance_m"].as_f64().unwrap() > 0.0, "{entry}");
    assert!(entry["heart_rate_max"].as_u64().unwrap() >= 100, "{entry}");
    let files = decoded(out.path());
    let (name, fit) = &files[0];
    assert_matches(name, fit, &entry, "walking");
    let records = fit["record_mesgs"].as_array().unwrap();
    assert!(
        records
            .iter()
            .any(|r| r["heart_rate"].as_u64().is_some_and(|b| b >= 100)),
        "{name}"
    );
    let description = fit["session_mesgs"][0]["developer_fields"].to_string();
    assert!(description.contains("from the treadmill"), "{description}");
    assert_tcx_valid(out.path(), 1);
}

#[test]
fn a_session_cut_by_a_crash_exports_what_its_checkpoint_kept_and_what_came_after() {
    let pulse = PulseServer::start();
    let bus = PrivateBus::start(None);
    let mut daemon = Daemon::start(&bus, &pulse.address(), &[]);
    // The demo jogs: the sport is running.
    ok(&bus, &["start", "demo"]);
    walk(&bus, 4.0);
    daemon.child.kill().unwrap();
    daemon.child.wait().unwrap();
    let kept = checkpoint(&bus);
    let counted = kept["records"].as_u64().unwrap();
    assert!(counted >= 3, "{kept}");
    let _daemon = Daemon::start(&bus, &pulse.address(), &[]);
    assert_eq!(bus.status()["state"], "paused");
    // Brought back with exactly the samples its checkpoint counted, and
    // a stop of the timer where they end.
    let back = checkpoint(&bus);
    assert_eq!(back["walked"], kept["walked"]);
    assert_eq!(back["records"].as_u64().unwrap(), counted + 1);
    assert_eq!(records_file_samples(&bus, &back), counted + 1);
    ok(&bus, &["resume"]);
    walk(&bus, 3.0);
    ok(&bus, &["stop"]);
    let out = tempfile::tempdir().unwrap();
    export(&bus, "fit", out.path());
    export(&bus, "tcx", out.path());
    let entries = history(&bus);
    assert_eq!(entries.len(), 1, "{entries:?}");
    let files = decoded(out.path());
    let (name, fit) = &files[0];
    assert_matches(name, fit, &entries[0], "running");
    // Restored paused, then resumed: a stop and a start in between.
    let events = timer_events(fit);
    assert_eq!(events.first().map(String::as_str), Some("start"));
    assert!(
        events.windows(2).any(|w| w == ["stop_all", "start"]),
        "{events:?}"
    );
    assert_tcx_valid(out.path(), 1);
}
