//! `treadcued check` and `treadcued plan` as a user runs them.

mod support;

use std::path::Path;
use std::process::{Command, Output};

use treadcue::program::catalog::BUILT_IN;

fn treadcued(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_treadcued"))
        .args(args)
        .output()
        .expect("treadcued runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

const GOOD: &str = "name = \"Mine\"\n[[steps]]\ndirection = \"forward\"\nduration = \"2m\"\nspeed = 2\n[[steps]]\ndirection = \"backward\"\nduration = \"1m\"\nspeed = 0.8\n[[steps]]\ndirection = \"forward\"\nduration = \"2m\"\nspeed = 2\n";

#[test]
fn every_shipped_program_file_is_built_in_and_passes_check() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/programs");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| p.display().to_string())
        .collect();
    files.sort();
    assert_eq!(
        files.len(),
        BUILT_IN.len(),
        "every file in config/programs is built in"
    );
    let mut args = vec!["check", "--strict"];
    args.extend(files.iter().map(String::as_str));
    let output = treadcued(&args);
    assert!(output.status.success(), "{}", stdout(&output));
    assert_eq!(
        stdout(&output).matches(": ok (").count(),
        BUILT_IN.len(),
        "{}",
        stdout(&output)
    );
}

#[test]
fn check_exits_zero_for_a_good_file_and_one_for_a_broken_one() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "good.toml", GOOD);
    let broken = write(
        dir.path(),
        "broken.toml",
        &GOOD.replace("speed = 0.8", "speed = 80"),
    );
    let output = treadcued(&["check", &good]);
    assert_eq!(output.status.code(), Some(0));
    assert!(
        stdout(&output).contains("good.toml: ok (3 steps, 5:00)"),
        "{}",
        stdout(&output)
    );

    let output = treadcued(&["check", &good, &broken]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(
        text.contains("broken.toml:9:9: error: speed 80 mph is outside what a treadmill does"),
        "{text}"
    );
    assert!(text.contains("broken.toml: 1 error(s)"), "{text}");
}

#[test]
fn warnings_pass_unless_strict() {
    let dir = tempfile::tempdir().unwrap();
    let risky = write(
        dir.path(),
        "risky.toml",
        &GOOD.replace("speed = 0.8", "speed = 1.5"),
    );
    let output = treadcued(&["check", &risky]);
    assert_eq!(output.status.code(), Some(0));
    assert!(
        stdout(&output).contains("warning: the first backward step is at 1.5 mph"),
        "{}",
        stdout(&output)
    );
    let output = treadcued(&["check", "--strict", &risky]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stdout(&output).contains("error: the first backward step"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn usage_errors_exit_two() {
    assert_eq!(treadcued(&["check"]).status.code(), Some(2));
    assert_eq!(
        treadcued(&["check", "--bogus", "x.toml"]).status.code(),
        Some(2)
    );
    assert_eq!(treadcued(&["frobnicate"]).status.code(), Some(2));
}

#[test]
fn an_unknown_program_lists_the_ones_there_are() {
    let output = treadcued(&["plan", "retro-first-stpes"]);
    assert_eq!(output.status.code(), Some(1));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        err.contains("there is no program `retro-first-stpes`"),
        "{err}"
    );
    assert!(err.contains("retro-first-steps"), "{err}");
    // Ids are names, never paths.
    let output = treadcued(&["--programs", "/etc", "plan", "passwd"]);
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn plan_prints_a_readable_table() {
    let output = treadcued(&["plan", "demo"]);
    assert!(output.status.success());
    let text = stdout(&output);
    assert!(
        text.starts_with("Seventy-second demo (demo): 1:10, 3 steps"),
        "{text}"
    );
    assert!(text.contains("briefing      Safety first"), "{text}");
    assert!(text.contains("[finish] Workout complete"), "{text}");
}

#[test]
fn plan_json_is_machine_readable_and_in_samples() {
    let output = treadcued(&["plan", "demo", "--json", "--sample-rate", "16000"]);
    assert!(output.status.success());
    let plan: serde_json::Value = serde_json::from_slice(&output.stdout).expect("valid JSON");
    assert_eq!(plan["sample_rate"], 16000);
    assert_eq!(plan["length"], 70 * 16000);
    assert_eq!(plan["steps"].as_array().unwrap().len(), 3);
    let first = &plan["cues"][0];
    assert_eq!(first["kind"], "briefing");
    assert_eq!(first["start"], 0);
}

#[test]
fn a_program_folder_overrides_a_built_in_program() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "demo.toml", GOOD);
    let folder = dir.path().display().to_string();
    let output = treadcued(&["--programs", &folder, "plan", "demo"]);
    assert!(
        stdout(&output).starts_with("Mine (demo): 5:00"),
        "{}",
        stdout(&output)
    );
}

/// `check` says how the plan resolves steps too short for their cues, so
/// what passes `--strict` plays as written.
#[test]
fn check_warns_of_steps_too_short_to_announce_in_full() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("long.toml");
    std::fs::write(&file, support::LONG_REPEATS).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_treadcued"))
        .args(["check", "--strict", file.to_str().unwrap()])
        .env("XDG_CONFIG_HOME", dir.path())
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{said}");
    assert!(
        said.contains("steps 2 to 100 (50 of them) are too short to announce in full: only the short form (the speed) is said"),
        "{said}"
    );
    assert!(said.contains("long.toml:"), "{said}");
}

/// Replacement tones with impossible headers are refused by name, at the
/// start of the command, not with a panic or a huge allocation.
#[test]
fn a_tone_file_with_an_impossible_rate_is_refused_by_name() {
    fn wav(rate: u32) -> Vec<u8> {
        let data = vec![0u8; 200];
        let mut bytes = b"RIFF".to_vec();
        bytes.extend((36 + data.len() as u32).to_le_bytes());
        bytes.extend(b"WAVEfmt ");
        bytes.extend(16u32.to_le_bytes());
        bytes.extend(1u16.to_le_bytes());
        bytes.extend(1u16.to_le_bytes());
        bytes.extend(rate.to_le_bytes());
        bytes.extend((rate * 2).to_le_bytes());
        bytes.extend(2u16.to_le_bytes());
        bytes.extend(16u16.to_le_bytes());
        bytes.extend(b"data");
        bytes.extend((data.len() as u32).to_le_bytes());
        bytes.extend(data);
        bytes
    }
    for rate in [0, 1] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("tick.wav"), wav(rate)).unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_treadcued"))
            .args(["render", "demo", "-o"])
            .arg(dir.path().join("out.wav"))
            .arg("--tones")
            .arg(dir.path())
            .env("XDG_CONFIG_HOME", dir.path())
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "rate {rate}: {said}");
        assert!(
            said.contains(&format!("tick.wav: the sample rate is {rate} Hz")),
            "{said}"
        );
    }
}

#[test]
fn check_warns_when_a_backward_step_is_mostly_words() {
    let dir = tempfile::tempdir().unwrap();
    let chatty = |seconds: u32| {
        format!(
            "name = \"Chatty\"\n[[steps]]\ndirection = \"forward\"\nduration = \"2m\"\nspeed = 2\n\
             [[steps]]\ndirection = \"backward\"\nduration = \"{seconds}s\"\nspeed = 0.8\n\
             say = [{{ at = \"9s\", text = \"Keep going, you are doing really well: chest up, eyes to the back of the treadmill.\" }}]\n\
             [[steps]]\ndirection = \"forward\"\nduration = \"2m\"\nspeed = 2\n"
        )
    };
    let short = write(dir.path(), "short.toml", &chatty(24));
    let output = treadcued(&["check", &short]);
    let text = format!(
        "{}{}",
        stdout(&output),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "a warning is not an error: {text}");
    assert!(
        text.contains(
            "short.toml:6:1: warning: step 2 is more than half speech while the walker is backward"
        ),
        "{text}"
    );
    let long = write(dir.path(), "long.toml", &chatty(60));
    let output = treadcued(&["check", &long]);
    let text = format!(
        "{}{}",
        stdout(&output),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!text.contains("more than half speech"), "{text}");
}
