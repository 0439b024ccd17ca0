//! What a new user meets in the first hour with the command line: help
//! that explains every command, programs of one's own found where the
//! README says, clear words when the daemon cannot be reached, and
//! output that can be piped into `head`.

use std::path::Path;
use std::process::{Command, Output};

fn treadcued(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_treadcued"))
        .args(args)
        .env("XDG_CONFIG_HOME", home)
        .env_remove("RUST_LOG")
        .output()
        .unwrap()
}

fn program(name: &str, speed: f64) -> String {
    format!(
        "name = \"{name}\"\n[[steps]]\ndirection = \"forward\"\nduration = \"2m\"\nspeed = {speed}\n"
    )
}

#[test]
fn every_treadcuectl_command_and_argument_is_described() {
    let help = Command::new(env!("CARGO_BIN_EXE_treadcuectl"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    for line in help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
    {
        if line.trim().is_empty() {
            break;
        }
        assert!(
            line.split_whitespace().count() > 1,
            "no description: {line:?}"
        );
    }
    for (command, argument) in [
        ("start", "<PROGRAM>"),
        ("say", "<TEXT>"),
        ("volume", "[LEVEL]"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_treadcuectl"))
            .args([command, "--help"])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let line = text
            .lines()
            .skip_while(|l| !l.starts_with("Arguments:"))
            .find(|l| l.contains(argument))
            .unwrap_or_else(|| panic!("{command}: {text}"));
        assert!(
            line.split_whitespace().count() > 2,
            "{command} {argument}: {line:?}"
        );
    }
}

#[test]
fn programs_of_ones_own_are_found_in_the_config_folder_and_later_folders_win() {
    let home = tempfile::tempdir().unwrap();
    let own = home.path().join("treadcue/programs");
    std::fs::create_dir_all(&own).unwrap();
    std::fs::write(own.join("knee.toml"), program("Knee, mine", 1.5)).unwrap();
    let out = treadcued(home.path(), &["plan", "knee"]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.starts_with("Knee, mine (knee)"), "{said}");

    let extra = tempfile::tempdir().unwrap();
    std::fs::write(extra.path().join("knee.toml"), program("Knee, extra", 1.2)).unwrap();
    let folder = extra.path().to_str().unwrap();
    let out = treadcued(home.path(), &["--programs", folder, "plan", "knee"]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.starts_with("Knee, extra (knee)"),
        "--programs wins: {said}"
    );
}

#[test]
fn check_takes_a_folder_and_checks_every_program_in_it() {
    let home = tempfile::tempdir().unwrap();
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("a.toml"), program("A", 1.5)).unwrap();
    std::fs::write(folder.path().join("b.toml"), "name = \"B\"\n").unwrap();
    std::fs::write(folder.path().join("notes.txt"), "not a program").unwrap();
    let out = treadcued(home.path(), &["check", folder.path().to_str().unwrap()]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains("a.toml: ok"), "{said}");
    assert!(said.contains("b.toml: 1 error(s)"), "{said}");
    assert!(!said.contains("notes.txt"), "{said}");
}

#[test]
fn treadcuectl_says_programs_start_by_name_and_when_no_bus_is_there() {
    let out = Command::new(env!("CARGO_BIN_EXE_treadcuectl"))
        .args(["start", "./knee.toml"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains("started by name"), "{said}");
    assert!(said.contains("~/.config/treadcue/programs/"), "{said}");
    assert!(said.contains("treadcuectl start knee"), "{said}");

    let out = Command::new(env!("CARGO_BIN_EXE_treadcuectl"))
        .arg("status")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env("XDG_RUNTIME_DIR", "/nonexistent")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{said}");
    assert!(said.contains("treadcued is not reachable"), "{said}");
    assert!(said.contains("--system"), "{said}");
}

#[test]
fn output_piped_into_head_ends_quietly() {
    let home = tempfile::tempdir().unwrap();
    let script = format!(
        "{} plan retro-rehab-30 --json | head -c 1 >/dev/null; exit ${{PIPESTATUS[0]}}",
        env!("CARGO_BIN_EXE_treadcued")
    );
    let out = Command::new("bash")
        .args(["-c", &script])
        .env("XDG_CONFIG_HOME", home.path())
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!said.contains("panicked"), "{said}");
    assert!(!said.contains("Broken pipe"), "{said}");
}

/// Each command takes the options it uses: render plays to no device, and
/// the device and voice listings read no programs.
#[test]
fn each_command_takes_only_the_options_it_uses() {
    let home = tempfile::tempdir().unwrap();
    let help = treadcued(home.path(), &["render", "--help"]);
    let help = String::from_utf8_lossy(&help.stdout);
    for unused in [
        "--device",
        "--period-ms",
        "--after-device-loss",
        "--pre-roll-ms",
    ] {
        assert!(!help.contains(unused), "render offers {unused}:\n{help}");
    }
    assert!(
        help.contains("--volume") && help.contains("--programs"),
        "{help}"
    );
    for command in ["devices", "voices"] {
        let out = treadcued(home.path(), &[command, "--programs", "/tmp"]);
        assert_eq!(out.status.code(), Some(2), "{command} took --programs");
    }
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("knee.toml"), program("Knee", 1.5)).unwrap();
    let dir = folder.path().to_str().unwrap();
    for args in [
        ["--programs", dir, "check", "knee"],
        ["check", "knee", "--programs", dir],
    ] {
        let out = treadcued(home.path(), &args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}
