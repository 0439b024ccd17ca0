//! Headphone buttons through BlueZ itself, with BlueZ faked on a private
//! "system" bus by python3-dbusmock's bluez5 template (with the media
//! interface's RegisterPlayer added to each adapter): treadcued registers
//! its player on every adapter, again when one appears or bluetoothd
//! restarts, and a Pause sent as BlueZ sends a headphone's pauses the
//! session. No mpris-proxy runs.

mod support;

use std::process::Command;
use std::time::Duration;

use support::bluez::{FakeBluez, busctl, wait_until};
use support::bus::{Daemon, PrivateBus};
use support::pulse::PulseServer;

const PLAYER: &str = "/io/github/treadcue/Treadcue1/bluez_player";

/// An adapter, with the media interface's player methods BlueZ has.
fn add_adapter(system: &PrivateBus, name: &str) {
    support::bluez::add_adapter(system, name);
    let path = format!("/org/bluez/{name}");
    for (method, signature) in [("RegisterPlayer", "oa{sv}"), ("UnregisterPlayer", "o")] {
        busctl(
            system,
            &[
                "call",
                "org.bluez",
                &path,
                "org.freedesktop.DBus.Mock",
                "AddMethod",
                "sssss",
                "org.bluez.Media1",
                method,
                signature,
                "",
                "",
            ],
        );
    }
}

/// How often `method` was called on the adapter, and what the calls said.
fn calls(system: &PrivateBus, adapter: &str, method: &str) -> (usize, String) {
    let out = system.busctl(&[
        "call",
        "org.bluez",
        &format!("/org/bluez/{adapter}"),
        "org.freedesktop.DBus.Mock",
        "GetMethodCalls",
        "s",
        method,
    ]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    // `a(tav) 2 ...`
    let count = text
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    (count, text)
}

/// treadcued's own connection on the system bus.
fn unique_name(system: &PrivateBus, pid: u32) -> String {
    let listing = busctl(system, &["list", "--no-pager", "--no-legend"]);
    listing
        .lines()
        .find_map(|line| {
            let mut fields = line.split_whitespace();
            let name = fields.next()?;
            (name.starts_with(':') && fields.next() == Some(&pid.to_string()))
                .then(|| name.to_string())
        })
        .unwrap_or_else(|| panic!("treadcued is not on the system bus:\n{listing}"))
}

fn state(bus: &PrivateBus) -> String {
    bus.status()["state"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn headphone_buttons_reach_the_session_through_bluez_on_every_adapter() {
    let pulse = PulseServer::start();
    let bus = PrivateBus::start(None);
    let system = PrivateBus::start(None);
    let mut bluez = FakeBluez::start(&system);
    add_adapter(&system, "hci0");
    let mut daemon = Daemon::start_with_system_bus(&bus, &pulse.address(), &system, &[]);
    wait_until("the player is registered on hci0", || {
        calls(&system, "hci0", "RegisterPlayer").0 == 1
    });
    assert!(calls(&system, "hci0", "RegisterPlayer").1.contains(PLAYER));

    // An adapter plugged in later gets the player too.
    add_adapter(&system, "hci1");
    wait_until("the player is registered on hci1", || {
        calls(&system, "hci1", "RegisterPlayer").0 == 1
    });
    assert_eq!(
        calls(&system, "hci0", "RegisterPlayer").0,
        1,
        "registered once per adapter"
    );

    // Pause from the headphones, as BlueZ sends it.
    assert!(bus.ctl(&["start", "retro-rehab-30"]).status.success());
    wait_until("the session runs", || state(&bus) == "running");
    let treadcued = unique_name(&system, daemon.child.id());
    let press = |method: &str| {
        busctl(
            &system,
            &[
                "call",
                &treadcued,
                PLAYER,
                "org.mpris.MediaPlayer2.Player",
                method,
            ],
        );
    };
    press("Pause");
    wait_until("the headphones' Pause pauses", || state(&bus) == "paused");
    let status = busctl(
        &system,
        &[
            "get-property",
            &treadcued,
            PLAYER,
            "org.mpris.MediaPlayer2.Player",
            "PlaybackStatus",
        ],
    );
    assert_eq!(status.trim(), "s \"Paused\"");
    press("Play");
    wait_until("the headphones' Play resumes", || state(&bus) == "running");
    press("Next");
    wait_until("Next skips a step", || {
        bus.status()["step_index"].as_u64() == Some(1)
    });

    // bluetoothd restarts: the player is registered with the new one.
    bluez.stop();
    let mut bluez = FakeBluez::start(&system);
    add_adapter(&system, "hci0");
    wait_until("registered again after bluetoothd restarted", || {
        calls(&system, "hci0", "RegisterPlayer").0 >= 1
    });

    // At exit, the player is unregistered.
    let _ = Command::new("kill")
        .args(["-TERM", &daemon.child.id().to_string()])
        .status();
    wait_until("treadcued stops", || !daemon.is_running());
    assert_eq!(
        calls(&system, "hci0", "UnregisterPlayer").0,
        1,
        "{}",
        daemon.stderr()
    );
    bluez.stop();
}

#[test]
fn with_buttons_off_nothing_is_registered() {
    let pulse = PulseServer::start();
    let bus = PrivateBus::start(None);
    let system = PrivateBus::start(None);
    let _bluez = FakeBluez::start(&system);
    add_adapter(&system, "hci0");
    let _daemon = Daemon::start_with_system_bus(
        &bus,
        &pulse.address(),
        &system,
        &["--bluetooth-buttons", "false"],
    );
    assert!(bus.ctl(&["status"]).status.success());
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(calls(&system, "hci0", "RegisterPlayer").0, 0);
}
