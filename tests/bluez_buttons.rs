//! Headphone buttons through BlueZ itself, with bluetoothd faked on a
//! private "system" bus (tests/support/bluez_media.py: python3-dbusmock's
//! bluez5 template, with players registered through org.bluez.Media1
//! kept and gated as BlueZ's `profiles/audio/media.c` and `avrcp.c` do).
//! treadcued registers its player on every adapter, again when one
//! appears or bluetoothd restarts, and tells BlueZ whenever a button
//! becomes possible: a headset's Pause reaches the session only then.
//! No mpris-proxy runs.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use serde_json::Value;
use support::bluez::{FakeBluez, busctl, wait_until};
use support::bus::{Daemon, PrivateBus};
use support::pulse::PulseServer;

/// A call to the fake bluetoothd's test controls, its reply as JSON.
fn mock(system: &PrivateBus, method: &str, args: &[&str]) -> Value {
    let mut all = vec![
        "--json=short",
        "call",
        "org.bluez",
        "/",
        "org.bluez.Mock",
        method,
    ];
    all.extend_from_slice(args);
    let out = busctl(system, &all);
    if out.trim().is_empty() {
        return Value::Null;
    }
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{method}: {e}: {out}"))
}

/// The players registered on an adapter, by sender, in BlueZ's order.
fn players(system: &PrivateBus, adapter: &str) -> Vec<String> {
    let reply = mock(system, "Players", &["s", adapter]);
    serde_json::from_value(reply["data"][0].clone()).unwrap()
}

/// What bluetoothd believes of the player `sender` registered.
fn flag(system: &PrivateBus, adapter: &str, sender: &str, name: &str) -> Value {
    let reply = mock(system, "PlayerFlags", &["ss", adapter, sender]);
    reply["data"][0][name]["data"].clone()
}

/// A headset's button, as bluetoothd passes it on: whether it did.
fn press(system: &PrivateBus, adapter: &str, button: &str) -> bool {
    let reply = mock(system, "PressButton", &["ss", adapter, button]);
    reply["data"][0] == true
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

fn start(bus: &PrivateBus, program: &str) {
    let out = bus.ctl(&["start", program]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    wait_until("the session runs", || state(bus) == "running");
}

struct Headphones {
    bus: PrivateBus,
    system: PrivateBus,
    daemon: Daemon,
    bluez: FakeBluez,
    _pulse: PulseServer,
}

impl Drop for Headphones {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("treadcued said:\n{}", self.daemon.stderr());
        }
    }
}

impl Headphones {
    /// A fake bluetoothd with hci0, and treadcued registered on it.
    fn new() -> Headphones {
        let pulse = PulseServer::start();
        let bus = PrivateBus::start(None);
        let system = PrivateBus::start(None);
        let bluez = FakeBluez::start(&system);
        mock(&system, "AddAdapter", &["ss", "hci0", "treadmill-pi"]);
        let daemon = Daemon::start_with_system_bus(&bus, &pulse.address(), &system, &[]);
        let w = Headphones {
            bus,
            system,
            daemon,
            bluez,
            _pulse: pulse,
        };
        let me = w.treadcued();
        wait_until("the player is registered on hci0", || {
            players(&w.system, "hci0").contains(&me)
        });
        w
    }

    fn treadcued(&self) -> String {
        unique_name(&self.system, self.daemon.child.id())
    }

    /// Waits until bluetoothd knows a flag of treadcued's player.
    fn wait_flag(&self, name: &str, value: bool) {
        let me = self.treadcued();
        wait_until(&format!("BlueZ learns {name} {value}"), || {
            flag(&self.system, "hci0", &me, name) == value
        });
    }
}

#[test]
fn a_headsets_buttons_reach_the_session_only_once_bluez_is_told_they_can() {
    let w = Headphones::new();
    let me = w.treadcued();
    mock(&w.system, "ConnectHeadset", &["s", "hci0"]);
    // Registered with the truth: nothing to pause or skip yet, Play
    // starts today's session.
    assert_eq!(flag(&w.system, "hci0", &me, "CanPause"), false);
    assert_eq!(flag(&w.system, "hci0", &me, "CanPlay"), true);
    assert_eq!(flag(&w.system, "hci0", &me, "CanControl"), true);
    assert!(!press(&w.system, "hci0", "Pause"), "nothing to pause");

    start(&w.bus, "retro-rehab-30");
    w.wait_flag("CanPause", true);
    w.wait_flag("CanGoNext", true);
    assert!(press(&w.system, "hci0", "Pause"), "BlueZ passes Pause on");
    wait_until("the headset's Pause pauses", || state(&w.bus) == "paused");
    wait_until("BlueZ shows the headset Paused", || {
        flag(&w.system, "hci0", &me, "PlaybackStatus") == "Paused"
    });
    assert!(press(&w.system, "hci0", "Play"));
    wait_until("Play resumes", || state(&w.bus) == "running");
    assert!(press(&w.system, "hci0", "Next"));
    wait_until("Next skips a step", || {
        w.bus.status()["step_index"].as_u64() == Some(1)
    });
    assert!(press(&w.system, "hci0", "Previous"));
    wait_until("Previous goes back a step", || {
        w.bus.status()["step_index"].as_u64() == Some(0)
    });

    // Once stopped, there is nothing to pause again, and BlueZ knows.
    assert!(press(&w.system, "hci0", "Stop"));
    wait_until("Stop ends the session", || state(&w.bus) == "stopped");
    w.wait_flag("CanPause", false);
    assert!(!press(&w.system, "hci0", "Pause"));
}

#[test]
fn the_player_is_registered_on_every_adapter_and_again_after_a_restart() {
    let mut w = Headphones::new();
    let me = w.treadcued();
    // An adapter plugged in later gets the player too, with the session
    // as it is: a registration tells the truth of now.
    start(&w.bus, "retro-rehab-30");
    w.wait_flag("CanPause", true);
    mock(&w.system, "AddAdapter", &["ss", "hci1", "treadmill-pi"]);
    wait_until("the player is registered on hci1", || {
        players(&w.system, "hci1").contains(&me)
    });
    assert_eq!(flag(&w.system, "hci1", &me, "CanPause"), true);
    assert_eq!(
        players(&w.system, "hci0"),
        vec![me.clone()],
        "once an adapter"
    );

    // bluetoothd restarts: the player is registered with the new one,
    // able to pause the session that runs.
    w.bluez.stop();
    w.bluez = FakeBluez::start(&w.system);
    mock(&w.system, "AddAdapter", &["ss", "hci0", "treadmill-pi"]);
    wait_until("registered again after bluetoothd restarted", || {
        players(&w.system, "hci0").contains(&me)
    });
    assert_eq!(flag(&w.system, "hci0", &me, "CanPause"), true);
    mock(&w.system, "ConnectHeadset", &["s", "hci0"]);
    assert!(press(&w.system, "hci0", "Pause"));
    wait_until("paused through the new bluetoothd", || {
        state(&w.bus) == "paused"
    });

    // At exit, the player is unregistered.
    let _ = Command::new("kill")
        .args(["-TERM", &w.daemon.child.id().to_string()])
        .status();
    wait_until("treadcued stops", || !w.daemon.is_running());
    assert!(players(&w.system, "hci0").is_empty());
}

/// A music app with its own player registered on hci0; it prints each
/// button it gets.
struct MusicApp {
    child: Child,
    lines: Receiver<String>,
}

impl MusicApp {
    fn register(system: &PrivateBus) -> MusicApp {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/music_app.py");
        let mut child = Command::new("/usr/bin/python3")
            .args([script, "/org/bluez/hci0"])
            .env("DBUS_SYSTEM_BUS_ADDRESS", &system.address)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let (sender, lines) = mpsc::channel();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        std::thread::spawn(move || {
            for line in stdout.lines().map_while(Result::ok) {
                let _ = sender.send(line);
            }
        });
        let mut app = MusicApp { child, lines };
        assert_eq!(app.said(), "registered");
        app
    }

    /// The next line it printed: a button it got.
    fn said(&mut self) -> String {
        self.lines
            .recv_timeout(Duration::from_secs(15))
            .expect("the music app said nothing")
    }

    /// Unregisters and exits.
    fn quit(mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

impl Drop for MusicApp {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

#[test]
fn a_music_app_registered_later_does_not_take_the_buttons() {
    let w = Headphones::new();
    mock(&w.system, "ConnectHeadset", &["s", "hci0"]);
    let music = MusicApp::register(&w.system);
    start(&w.bus, "retro-rehab-30");
    w.wait_flag("CanPause", true);
    assert!(press(&w.system, "hci0", "Pause"));
    wait_until("the session's own player got Pause", || {
        state(&w.bus) == "paused"
    });
    music.quit();
}

#[test]
fn a_music_app_registered_first_has_the_buttons_until_it_goes() {
    let pulse = PulseServer::start();
    let bus = PrivateBus::start(None);
    let system = PrivateBus::start(None);
    let _bluez = FakeBluez::start(&system);
    mock(&system, "AddAdapter", &["ss", "hci0", "treadmill-pi"]);
    let mut music = MusicApp::register(&system);
    mock(&system, "ConnectHeadset", &["s", "hci0"]);
    let daemon = Daemon::start_with_system_bus(&bus, &pulse.address(), &system, &[]);
    let me = unique_name(&system, daemon.child.id());
    wait_until("treadcued registered second", || {
        players(&system, "hci0").len() == 2
    });
    assert_eq!(players(&system, "hci0")[1], me);
    start(&bus, "retro-rehab-30");
    wait_until("BlueZ learns CanPause", || {
        flag(&system, "hci0", &me, "CanPause") == true
    });
    // BlueZ gives a headset the first player registered: the music app.
    assert!(press(&system, "hci0", "Pause"));
    assert_eq!(music.said(), "Pause");
    assert_eq!(state(&bus), "running", "the walk goes on");

    // Once the music app is gone, the buttons come to treadcued.
    music.quit();
    wait_until("only treadcued is left", || {
        players(&system, "hci0") == vec![me.clone()]
    });
    assert!(press(&system, "hci0", "Pause"));
    wait_until("the session pauses", || state(&bus) == "paused");
}

#[test]
fn with_buttons_off_nothing_is_registered() {
    let pulse = PulseServer::start();
    let bus = PrivateBus::start(None);
    let system = PrivateBus::start(None);
    let _bluez = FakeBluez::start(&system);
    mock(&system, "AddAdapter", &["ss", "hci0", "treadmill-pi"]);
    let _daemon = Daemon::start_with_system_bus(
        &bus,
        &pulse.address(),
        &system,
        &["--bluetooth-buttons", "false"],
    );
    assert!(bus.ctl(&["status"]).status.success());
    std::thread::sleep(Duration::from_secs(1));
    assert!(players(&system, "hci0").is_empty());
}
