//! Zwift run workouts as programs, through the command line as a walker
//! or a physiotherapist uses it: check, plan, render, import, and a
//! programs folder, with the threshold pace from a flag or the config.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

const WORKOUT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/zwo/walk-intervals.zwo");

fn treadcued(args: &[&str], config_home: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_treadcued"))
        .args(args)
        .env("XDG_CONFIG_HOME", config_home)
        .output()
        .unwrap()
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn without_a_threshold_pace_a_workout_is_refused_and_with_one_it_is_checked_and_capped() {
    let home = tempfile::tempdir().unwrap();
    let refused = treadcued(&["check", WORKOUT], home.path());
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused));
    assert!(
        text(&refused).contains("no threshold pace"),
        "{}",
        text(&refused)
    );

    let checked = treadcued(&["--threshold-pace", "9:00", "check", WORKOUT], home.path());
    let said = text(&checked);
    assert!(checked.status.success(), "{said}");
    // Power 1.2 of 9:00 per km is 8 km/h: a walk is capped at 6.4.
    assert!(
        said.contains(
            "walk-intervals.zwo:13:9: warning: <SteadyState> asks for 8.0 km/h: capped to 6.4 km/h"
        ),
        "{said}"
    );
    assert!(said.contains("ok with"), "{said}");
}

#[test]
fn the_timeline_has_every_text_at_its_offset_and_every_block_its_length() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (wav, timeline) = (dir.path().join("w.wav"), dir.path().join("t.json"));
    let rendered = Command::new(env!("CARGO_BIN_EXE_treadcued"))
        .args([
            "--threshold-pace",
            "9:00",
            "render",
            WORKOUT,
            "--rate",
            "8000",
            "--output",
        ])
        .arg(&wav)
        .arg("--timeline")
        .arg(&timeline)
        .env("XDG_CONFIG_HOME", home.path())
        .output()
        .unwrap();
    assert!(rendered.status.success(), "{}", text(&rendered));
    let timeline: Value = serde_json::from_slice(&std::fs::read(&timeline).unwrap()).unwrap();
    let texts: Vec<(f64, &str)> = timeline["cues"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "text")
        .map(|c| (c["seconds"].as_f64().unwrap(), c["text"].as_str().unwrap()))
        .collect();
    // 20 s into the warm-up; 70 s into the intervals, which start at 3:00.
    assert_eq!(
        texts,
        [(20.0, "Settle into an easy walk."), (250.0, "Recover now.")]
    );
    let plan = treadcued(
        &[
            "--threshold-pace",
            "9:00",
            "plan",
            WORKOUT,
            "--json",
            "--sample-rate",
            "8000",
        ],
        home.path(),
    );
    let plan: Value = serde_json::from_slice(&plan.stdout).unwrap();
    let lengths: Vec<f64> = plan["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["length"].as_f64().unwrap() / 8000.0)
        .collect();
    assert_eq!(lengths, [180.0, 60.0, 60.0, 60.0, 60.0, 60.0, 120.0]);
}

#[test]
fn an_import_plays_the_same_as_the_workout_and_can_turn_steps_backward() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let toml = dir.path().join("walk.toml");
    let toml_arg = toml.to_str().unwrap();
    let imported = treadcued(
        &[
            "--threshold-pace",
            "9:00",
            "import",
            WORKOUT,
            "-o",
            toml_arg,
        ],
        home.path(),
    );
    assert!(imported.status.success(), "{}", text(&imported));
    let plan_of = |arg: &str| -> Value {
        let out = treadcued(
            &[
                "--threshold-pace",
                "9:00",
                "plan",
                arg,
                "--json",
                "--sample-rate",
                "8000",
            ],
            home.path(),
        );
        assert!(out.status.success(), "{}", text(&out));
        let mut plan: Value = serde_json::from_slice(&out.stdout).unwrap();
        plan["program_id"] = Value::Null;
        plan
    };
    assert_eq!(plan_of(WORKOUT), plan_of(toml_arg), "the same plan");

    // A physiotherapist turns the easy minutes backward.
    let retro = dir.path().join("retro.toml");
    let imported = treadcued(
        &[
            "--threshold-pace",
            "9:00",
            "import",
            WORKOUT,
            "--backward",
            "3,5",
            "-o",
            retro.to_str().unwrap(),
        ],
        home.path(),
    );
    assert!(imported.status.success(), "{}", text(&imported));
    let program = std::fs::read_to_string(&retro).unwrap();
    assert_eq!(
        program.matches("direction = \"backward\"").count(),
        2,
        "{program}"
    );
    // The backward rules apply to it now.
    let checked = treadcued(&["check", retro.to_str().unwrap()], home.path());
    assert!(text(&checked).contains("backward"), "{}", text(&checked));
    let wrong = treadcued(
        &[
            "--threshold-pace",
            "9:00",
            "import",
            WORKOUT,
            "--backward",
            "9",
        ],
        home.path(),
    );
    assert_eq!(wrong.status.code(), Some(1));
    assert!(text(&wrong).contains("steps 1 to 7"), "{}", text(&wrong));
}

#[test]
fn a_workout_in_a_programs_folder_is_a_program_by_name_with_the_config_pace() {
    let home = tempfile::tempdir().unwrap();
    let folder = tempfile::tempdir().unwrap();
    std::fs::copy(WORKOUT, folder.path().join("walk-intervals.zwo")).unwrap();
    std::fs::create_dir_all(home.path().join("treadcue")).unwrap();
    std::fs::write(
        home.path().join("treadcue/config.toml"),
        "[zwo]\nthreshold_pace = \"10:00\"\nmax_speed = 5.0\n",
    )
    .unwrap();
    let folder_arg = folder.path().to_str().unwrap();
    let planned = treadcued(
        &["plan", "walk-intervals", "--programs", folder_arg, "--json"],
        home.path(),
    );
    assert!(planned.status.success(), "{}", text(&planned));
    let plan: Value = serde_json::from_slice(&planned.stdout).unwrap();
    let speeds: Vec<f64> = plan["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["speed"].as_f64().unwrap())
        .collect();
    // 10:00 per km is 6 km/h; the config's cap is 5.
    assert_eq!(speeds, [3.2, 4.5, 3.0, 4.5, 3.0, 5.0, 2.9]);
    let checked = treadcued(&["check", folder_arg], home.path());
    assert!(
        text(&checked).contains("walk-intervals.zwo: ok"),
        "{}",
        text(&checked)
    );
    // A broken pace in the config is named.
    std::fs::write(
        home.path().join("treadcue/config.toml"),
        "[zwo]\nthreshold_pace = \"fast\"\n",
    )
    .unwrap();
    let broken = treadcued(
        &["plan", "walk-intervals", "--programs", folder_arg],
        home.path(),
    );
    assert!(!broken.status.success());
    assert!(
        text(&broken).contains("[zwo] threshold_pace"),
        "{}",
        text(&broken)
    );
}
