//! The audio device and the session's truth: while the device is gone the
//! session says it is paused for the device, whatever a client asks, and
//! it goes on when the device is back if a Resume asked for that.

mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use support::bus::{Daemon, PrivateBus};
use support::pulse::PulseServer;

fn property(bus: &PrivateBus, name: &str) -> String {
    let out = bus.busctl(&[
        "get-property",
        "io.github.treadcue.Treadcue1",
        "/io/github/treadcue/Treadcue1",
        "io.github.treadcue.Treadcue1",
        name,
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    // `s "paused"` -> paused
    text.trim()
        .split_once(' ')
        .map_or("", |(_, v)| v)
        .trim_matches('"')
        .to_string()
}

fn ctl(bus: &PrivateBus, args: &[&str]) -> bool {
    Command::new(env!("CARGO_BIN_EXE_treadcuectl"))
        .arg("--bus-address")
        .arg(&bus.address)
        .args(args)
        .status()
        .unwrap()
        .success()
}

fn wait_for(bus: &PrivateBus, name: &str, value: &str, daemon: &Daemon) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while property(bus, name) != value {
        assert!(
            Instant::now() < deadline,
            "{name} never became {value:?} (is {:?})\n{}",
            property(bus, name),
            daemon.stderr()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn resume_while_the_device_is_gone_says_paused_for_the_device_and_plays_when_it_is_back() {
    let mut pulse = PulseServer::start();
    let bus = PrivateBus::start(None);
    let daemon = Daemon::start(
        &bus,
        &pulse.address(),
        &["--after-device-loss", "pause", "--period-ms", "20"],
    );
    assert!(ctl(&bus, &["start", "retro-rehab-30"]));
    wait_for(&bus, "State", "running", &daemon);
    std::thread::sleep(Duration::from_secs(2));

    pulse.kill();
    wait_for(&bus, "PauseReason", "device", &daemon);
    assert_eq!(property(&bus, "State"), "paused");
    // Asked to resume with no device: the truth is still paused.
    assert!(ctl(&bus, &["resume"]));
    assert_eq!(property(&bus, "State"), "paused");
    assert_eq!(property(&bus, "PauseReason"), "device");
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(property(&bus, "State"), "paused");

    // Back: the Resume asked for is carried out.
    pulse.restart();
    wait_for(&bus, "State", "running", &daemon);
    assert_eq!(property(&bus, "PauseReason"), "");

    // A Pause while the device is gone cancels a Resume asked before it.
    pulse.kill();
    wait_for(&bus, "PauseReason", "device", &daemon);
    assert!(ctl(&bus, &["resume"]));
    assert!(ctl(&bus, &["pause"]));
    pulse.restart();
    wait_for(&bus, "PauseReason", "requested", &daemon);
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(property(&bus, "State"), "paused");
}
