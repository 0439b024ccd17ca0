//! Helpers shared by the tests that meet real parts: signal measurements
//! and a private PulseAudio server.
#![allow(dead_code)]

pub mod bluez;
pub mod bus;
pub mod fitness;
pub mod home_assistant;
pub mod levels;
pub mod mosquitto;
pub mod pulse;
pub mod remote;
pub mod signal;
pub mod world;

use std::process::Command;
use std::sync::Arc;

use treadcue::audio::sequencer::CueSound;
use treadcue::phrasebook::Phrasebook;
use treadcue::plan::Plan;
use treadcue::prepare::{Bank, prepare};
use treadcue::program::Program;
use treadcue::program::catalog::built_in;
use treadcue::program::cue_settings::CueSettings;
use treadcue::voice::Pack;

/// Fifty rounds of two ten-second steps between a 5-minute warm-up and
/// cool-down: a program once heard with announcements minutes late.
pub const LONG_REPEATS: &str = "name = \"Long repeats\"\nexperienced = true\n\
    [[steps]]\ndirection = \"forward\"\nduration = \"5m\"\nspeed = 2.0\n\
    [[steps]]\nrepeat = 50\n\
    [[steps.steps]]\ndirection = \"forward\"\nduration = \"10s\"\nspeed = 3.3\n\
    [[steps.steps]]\ndirection = \"forward\"\nduration = \"10s\"\nspeed = 2.7\n\
    [[steps]]\ndirection = \"forward\"\nduration = \"5m\"\nspeed = 2.0\n";

/// Builds the release binaries, as a benchmark measures them, and gives
/// the folder they are in.
pub fn release_build() -> std::path::PathBuf {
    let status = Command::new("cargo")
        .args(["build", "--release", "--quiet", "--bins"])
        .status();
    assert!(status.is_ok_and(|s| s.success()), "cargo build --release");
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release")
}

/// A TCP port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Fails, naming the package to install, when a real part is missing.
pub fn require(program: &str, package: &str) {
    let found = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {program}"))
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "{program} is missing: install the Debian package {package} (scripts/setup --test does)"
    );
}

/// A program's plan and sounds as treadcue plays them, in the bundled voice.
pub fn prepared(program: &Program, rate: u32) -> (Arc<Plan>, Arc<[CueSound]>) {
    let mut bank = Bank::new(rate, None).unwrap();
    let plan = prepare(
        program,
        &CueSettings::default(),
        &Phrasebook::default(),
        &Pack::bundled(),
        &mut bank,
    )
    .unwrap();
    let plan = Arc::new(plan);
    let sounds = bank.sounds_for(&plan);
    (plan, sounds)
}

/// The same for a built-in program.
pub fn prepared_built_in(id: &str, rate: u32) -> (Arc<Plan>, Arc<[CueSound]>) {
    prepared(&built_in(id).unwrap().unwrap(), rate)
}

/// A UTC time `days` ago, as the history writes a session's start, and in
/// microseconds since the epoch, as it names the session.
pub fn days_ago(days: u32) -> (String, i64) {
    let out = Command::new("date")
        .args([
            "-u",
            "-d",
            &format!("{days} days ago"),
            "+%Y-%m-%dT%H:%M:%SZ %s",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let (rfc, seconds) = text.trim().split_once(' ').unwrap();
    (rfc.to_string(), seconds.parse::<i64>().unwrap() * 1_000_000)
}

/// A figure of /proc/PID/status, in kB.
pub fn process_status_kb(pid: &str, field: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(f64::NAN)
}
