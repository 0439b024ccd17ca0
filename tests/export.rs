//! `treadcuectl export --format csv`: the history as a CSV file, read back
//! by Python's own csv module (a reader nobody here wrote) and compared
//! field by field with `treadcuectl history --json`; dates filter by the
//! session's local start date.

mod support;

use std::process::Command;

use serde_json::{Value, json};
use support::bus::{Daemon, PrivateBus};

/// Two sessions of long ago, written as the daemon writes its history:
/// one whose name a spreadsheet would split, one with measurements.
fn old_sessions() -> String {
    let lines = [
        json!({"program": "knee", "program_name": "Knee, \"gentle\"\nweek 1",
            "start": "2026-01-05T09:00:00Z", "end": "2026-01-05T09:20:00Z",
            "steps_done": 5, "step_count": 5, "completed": true, "outcome": "finished",
            "walked": 1200.0, "walked_backward": 300.0, "top_backward_speed": 1.2,
            "units": "mph", "position": 1200.0, "session": 1_767_603_600_000_000_i64}),
        json!({"program": "retro-builder", "program_name": "Backward builder",
            "start": "2026-03-10T18:00:00Z", "end": "2026-03-10T18:10:00Z",
            "steps_done": 4, "step_count": 15, "completed": false, "outcome": "stopped",
            "walked": 600.5, "walked_backward": 120.25, "position": 600.5,
            "session": 1_773_165_600_000_000_i64,
            "distance_m": 402.0, "heart_rate_average": 101, "heart_rate_max": 123}),
    ];
    lines.iter().map(|l| format!("{l}\n")).collect()
}

/// The CSV file as Python's csv module reads it: a list of rows, each
/// column name to text.
fn read_with_python(path: &std::path::Path) -> Vec<Value> {
    let out = Command::new("python3")
        .args([
            "-c",
            "import csv, json, sys; print(json.dumps(list(csv.DictReader(open(sys.argv[1], newline='', encoding='utf-8')))))",
        ])
        .arg(path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    serde_json::from_slice::<Value>(&out.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

/// A history field as the CSV must spell it.
fn as_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

#[test]
fn the_history_exports_as_csv_that_a_csv_reader_takes_field_for_field() {
    let bus = PrivateBus::start(None);
    let state = bus.dir().join("treadcue");
    std::fs::create_dir_all(&state).unwrap();
    std::fs::write(state.join("history.jsonl"), old_sessions()).unwrap();
    let _daemon = Daemon::start_on_null_device(&bus, &[]);
    // And one walked now.
    assert!(bus.ctl(&["start", "retro-first-steps"]).status.success());
    assert!(bus.ctl(&["stop"]).status.success());
    let history: Value = serde_json::from_slice(&bus.ctl(&["history", "--json"]).stdout).unwrap();
    let history = history.as_array().unwrap();
    assert_eq!(history.len(), 3, "{history:?}");

    let out_dir = tempfile::tempdir().unwrap();
    let folder = out_dir.path().to_str().unwrap();
    let out = bus.ctl(&["export", "--format", "csv", "-o", folder]);
    assert!(out.status.success(), "{out:?}");
    let file = out_dir.path().join("treadcue-history.csv");
    let rows = read_with_python(&file);
    assert_eq!(rows.len(), history.len());
    for (row, session) in rows.iter().zip(history) {
        let session = session.as_object().unwrap();
        assert_eq!(row.as_object().unwrap().len(), session.len(), "{row}");
        for (field, value) in session {
            assert_eq!(row[field], as_text(value), "{field} of {session:?}");
        }
    }
    assert_eq!(rows[0]["program_name"], "Knee, \"gentle\"\nweek 1");
    assert_eq!(rows[1]["heart_rate_max"], "123");

    // Only February to March: the second session.
    let out = bus.ctl(&[
        "export",
        "--format",
        "csv",
        "--since",
        "2026-02-01",
        "--until",
        "2026-03-10",
        "-o",
        folder,
    ]);
    assert!(out.status.success(), "{out:?}");
    let rows = read_with_python(&file);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["program"], "retro-builder");
}

#[test]
fn export_says_what_is_wrong_with_its_arguments() {
    let bus = PrivateBus::start(None);
    let _daemon = Daemon::start_on_null_device(&bus, &[]);
    let missing = bus.dir().join("no-such-folder");
    let out = bus.ctl(&["export", "--format", "csv", "-o", missing.to_str().unwrap()]);
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("no-such-folder") && said.contains("not a folder"),
        "{said}"
    );

    let out = bus.ctl(&["export", "--format", "xls", "-o", "."]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("possible values: fit, tcx, csv"));
    let out = bus.ctl(&["export", "--format", "csv", "--since", "March", "-o", "."]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("March"));
    let backward = [
        "export",
        "--format",
        "fit",
        "--since",
        "2026-12-10",
        "--until",
        "2026-12-01",
        "-o",
        ".",
    ];
    let out = bus.ctl(&backward);
    assert!(!out.status.success(), "a period that ends before it starts");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("2026-12-10") && said.contains("after it ends"),
        "{said}"
    );
}

#[test]
fn sessions_without_a_record_or_with_a_damaged_one_still_export_as_fit_and_tcx() {
    let bus = PrivateBus::start(None);
    let state = bus.dir().join("treadcue");
    std::fs::create_dir_all(state.join("records")).unwrap();
    std::fs::write(state.join("history.jsonl"), old_sessions()).unwrap();
    // The second session's record was damaged.
    std::fs::write(
        state.join("records/1773165600000000.rec"),
        b"not samples at all",
    )
    .unwrap();
    let daemon = Daemon::start_on_null_device(&bus, &[]);
    let out_dir = tempfile::tempdir().unwrap();
    let folder = out_dir.path().to_str().unwrap();
    for format in ["fit", "tcx"] {
        let out = bus.ctl(&["export", "--format", format, "-o", folder]);
        assert!(out.status.success(), "{out:?}");
    }
    let mut names: Vec<String> = std::fs::read_dir(out_dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "2026-01-05T09-00-00Z-knee.fit",
            "2026-01-05T09-00-00Z-knee.tcx",
            "2026-03-10T18-00-00Z-retro-builder.fit",
            "2026-03-10T18-00-00Z-retro-builder.tcx",
        ]
    );
    let fit = std::fs::read(out_dir.path().join(&names[2])).unwrap();
    assert_eq!(&fit[8..12], b".FIT");
    assert!(
        daemon
            .stderr()
            .contains("1773165600000000.rec is not a treadcue records file"),
        "{}",
        daemon.stderr()
    );
}
