//! MPRIS on a private bus, as playerctl, media keys and Bluetooth
//! headphone buttons (through BlueZ's mpris-proxy) use it.

mod support;

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::world::*;

#[test]
fn playerctl_pauses_plays_and_skips_like_headphone_buttons() {
    let world = world(&[]);
    assert!(world.bus.has_owner("org.mpris.MediaPlayer2.treadcue"));
    assert_eq!(playerctl(&world, &["status"]), "Stopped");
    call(&world, "Start", &["s", "demo"]);
    assert_eq!(playerctl(&world, &["status"]), "Playing");
    playerctl(&world, &["pause"]);
    playerctl(&world, &["pause"]);
    assert_eq!(playerctl(&world, &["status"]), "Paused");
    assert_eq!(property(&world, "State"), "s \"paused\"");
    playerctl(&world, &["play"]);
    playerctl(&world, &["play"]);
    assert_eq!(playerctl(&world, &["status"]), "Playing");
    playerctl(&world, &["next"]);
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(property(&world, "StepIndex"), "u 1");
    assert_eq!(
        playerctl(&world, &["metadata", "xesam:title"]),
        "Step 2 of 3: Backward"
    );
    assert_eq!(
        playerctl(&world, &["metadata", "xesam:album"]),
        "Seventy-second demo"
    );
    playerctl(&world, &["previous"]);
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(property(&world, "StepIndex"), "u 0");
}

/// playerctl's `position` is the time into the step (the track), never
/// past the track's length, moving while the session plays and standing
/// still while it is paused.
#[test]
fn playerctl_shows_the_position_in_the_step_as_it_moves() {
    let world = world(&[]);
    call(&world, "Start", &["s", "demo"]);
    playerctl(&world, &["next"]);
    let length: f64 = playerctl(&world, &["metadata", "mpris:length"])
        .parse()
        .unwrap();
    assert_eq!(length, 31_000_000.0);
    let position = |world: &World| -> f64 { playerctl(world, &["position"]).parse().unwrap() };
    // A fresh sound server may take a moment to start taking samples; the
    // position counts samples played, so it waits with them.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while position(&world) < 0.5 {
        assert!(std::time::Instant::now() < deadline, "the step never moved");
        std::thread::sleep(Duration::from_millis(100));
    }
    let first = position(&world);
    assert!((0.5..31.0).contains(&first), "{first} s into a 31 s step");
    std::thread::sleep(Duration::from_millis(1500));
    let second = position(&world);
    assert!(second > first && second < 31.0, "{first} then {second}");
    playerctl(&world, &["pause"]);
    let paused = position(&world);
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(position(&world), paused, "a paused step stands still");
    assert!(paused >= second && paused < 31.0, "{second} then {paused}");
}

#[test]
fn a_headphone_pause_can_be_ignored() {
    let world = world(&["--headphone-pause", "ignore"]);
    call(&world, "Start", &["s", "demo"]);
    playerctl(&world, &["pause"]);
    assert_eq!(property(&world, "State"), "s \"running\"");
    // The daemon's own Pause still pauses.
    call(&world, "Pause", &[]);
    assert_eq!(property(&world, "State"), "s \"paused\"");
}

#[test]
fn a_reload_changes_what_a_headphone_pause_does() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("treadcue.toml");
    std::fs::write(&config, "[daemon]\nheadphone_pause = \"pause\"\n").unwrap();
    let world = world(&["--config", config.to_str().unwrap()]);
    call(&world, "Start", &["s", "demo"]);
    std::fs::write(&config, "[daemon]\nheadphone_pause = \"ignore\"\n").unwrap();
    let (reloaded, _, error) = call(&world, "Reload", &[]);
    assert!(reloaded, "{error}");
    playerctl(&world, &["pause"]);
    assert_eq!(property(&world, "State"), "s \"running\"");
}

/// Waits until playerctl's position (seconds into the step) reaches
/// `seconds`, or fails after `patience`.
fn wait_for_position(world: &World, seconds: f64, patience: Duration) -> f64 {
    let deadline = Instant::now() + patience;
    loop {
        let position: f64 = playerctl(world, &["position"]).parse().unwrap_or(0.0);
        if position >= seconds {
            return position;
        }
        assert!(Instant::now() < deadline, "the step stood at {position} s");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Previous a few seconds into a step begins that step again: the track
/// stays the same, so clients that count the position themselves are told
/// with `Seeked`; Next to a new step is told by new Metadata, not Seeked.
#[test]
fn previous_restarting_a_step_is_told_as_a_seek_to_its_start() {
    let world = world(&[]);
    let mut monitor = Command::new("dbus-monitor")
        .arg("--address")
        .arg(&world.bus.address)
        .arg("type='signal',interface='org.mpris.MediaPlayer2.Player',member='Seeked'")
        .stdout(Stdio::piped())
        .spawn()
        .expect("dbus-monitor runs (Debian package dbus-bin)");
    call(&world, "Start", &["s", "demo"]);
    playerctl(&world, &["next"]);
    wait_for_position(&world, 3.5, Duration::from_secs(20));
    playerctl(&world, &["previous"]);
    assert_eq!(property(&world, "StepIndex"), "u 1", "the same step again");
    let after: f64 = playerctl(&world, &["position"]).parse().unwrap();
    assert!(after < 3.0, "the step began again, yet stands at {after} s");
    std::thread::sleep(Duration::from_millis(500));
    unsafe { libc::kill(monitor.id() as i32, libc::SIGTERM) };
    monitor.wait().unwrap();
    let mut seen = String::new();
    monitor
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut seen)
        .unwrap();
    let seeks: Vec<i64> = seen
        .lines()
        .filter_map(|l| l.trim().strip_prefix("int64 "))
        .map(|v| v.parse().unwrap())
        .collect();
    assert_eq!(seeks.len(), 1, "one Seeked, for the restart only:\n{seen}");
    assert!(
        (0..3_000_000).contains(&seeks[0]),
        "Seeked to {} µs",
        seeks[0]
    );
}
