//! What the state folder can do to treadcued, and what treadcued must not
//! do to it: a second daemon leaves the first one's files alone, special
//! files never hang it, and a folder gone read-only or a full disk loses
//! no session, invents none, and brings back no session that ended.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use support::bus::{Daemon, PrivateBus};
use support::pulse::PulseServer;

fn state_dir(bus: &PrivateBus) -> PathBuf {
    bus.dir().join("treadcue")
}

fn history(bus: &PrivateBus) -> Vec<serde_json::Value> {
    std::fs::read_to_string(state_dir(bus).join("history.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success(), "mkfifo {}", path.display());
}

fn kill(daemon: &mut Daemon, signal: &str) {
    Command::new("kill")
        .args([signal, &daemon.child.id().to_string()])
        .status()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while daemon.is_running() {
        assert!(
            Instant::now() < deadline,
            "treadcued did not stop on {signal}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn wait_until(what: &str, within: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + within;
    while !done() {
        assert!(
            Instant::now() < deadline,
            "{what} did not happen within {within:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A small tmpfs of the test's own over the state folder: remounted
/// read-only or filled, it fails the way a real disk does.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(dir: &Path, size: &str) -> Tmpfs {
        std::fs::create_dir_all(dir).unwrap();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "mounting a tmpfs for the state folder needs root, as CI runs: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Tmpfs(dir.to_path_buf())
    }

    fn remount(&self, mode: &str) {
        let status = Command::new("mount")
            .args(["-o", &format!("remount,{mode}")])
            .arg(&self.0)
            .status()
            .unwrap();
        assert!(status.success(), "remount {mode}");
    }

    /// Fills what is left of it with one file.
    fn fill(&self) -> PathBuf {
        let filler = self.0.join("filler");
        let _ = Command::new("dd")
            .args(["if=/dev/zero", "bs=4096"])
            .arg(format!("of={}", filler.display()))
            .stderr(std::process::Stdio::null())
            .status();
        filler
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

#[test]
fn a_second_daemon_on_the_same_state_folder_touches_nothing_and_names_the_first() {
    let pulse = PulseServer::start();
    let bus = PrivateBus::start(None);
    let first = Daemon::start(&bus, &pulse.address(), &[]);
    assert!(bus.ctl(&["start", "retro-rehab-30"]).status.success());
    wait_until("a checkpoint", Duration::from_secs(10), || {
        state_dir(&bus).join("session.json").exists()
    });
    let second = Command::new(env!("CARGO_BIN_EXE_treadcued"))
        .args(["--bus-address", &bus.address, "--device", "null"])
        .env("XDG_STATE_HOME", bus.dir())
        .env("XDG_CONFIG_HOME", bus.dir())
        .env("XDG_CACHE_HOME", bus.dir())
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(4), "{said}");
    assert!(
        said.contains(&format!("another treadcued (process {})", first.child.id())),
        "{said}"
    );
    assert!(history(&bus).is_empty(), "the live session was recorded");
    assert!(state_dir(&bus).join("session.json").exists());
    assert_eq!(bus.status()["state"], "running");
}

#[test]
fn a_fifo_for_a_checkpoint_is_named_and_the_daemon_starts() {
    let bus = PrivateBus::start(None);
    std::fs::create_dir_all(state_dir(&bus)).unwrap();
    mkfifo(&state_dir(&bus).join("session.json"));
    let daemon = Daemon::start_on_null_device(&bus, &[]);
    assert_eq!(bus.status()["state"], "idle");
    let said = daemon.stderr();
    assert!(said.contains("session.json is a FIFO"), "{said}");
}

#[test]
fn a_fifo_config_on_reload_is_refused_and_sigterm_still_stops_the_daemon() {
    let bus = PrivateBus::start(None);
    let config = bus.dir().join("custom.toml");
    std::fs::write(&config, "[sound]\nvolume = 0.5\n").unwrap();
    let mut daemon = Daemon::start_on_null_device(&bus, &["--config", config.to_str().unwrap()]);
    std::fs::remove_file(&config).unwrap();
    mkfifo(&config);
    let reload = bus.ctl(&["reload"]);
    assert!(!reload.status.success());
    let said = String::from_utf8_lossy(&reload.stderr);
    assert!(said.contains("custom.toml is a FIFO"), "{said}");
    Command::new("kill")
        .args(["-HUP", &daemon.child.id().to_string()])
        .status()
        .unwrap();
    wait_until(
        "the refused reload in the log",
        Duration::from_secs(5),
        || daemon.stderr().contains("reload refused"),
    );
    assert_eq!(bus.status()["state"], "idle", "the daemon still answers");
    kill(&mut daemon, "-TERM");
}

#[test]
fn check_and_plan_name_a_fifo_instead_of_waiting_on_it() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("knee.toml");
    mkfifo(&fifo);
    for command in ["check", "plan"] {
        let out = Command::new("timeout")
            .args(["10", env!("CARGO_BIN_EXE_treadcued"), command])
            .arg(&fifo)
            .env("XDG_CONFIG_HOME", dir.path())
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{command}: {said}");
        assert!(said.contains("knee.toml is a FIFO"), "{command}: {said}");
    }
}

/// The folder goes read-only mid-session: Stop still stops and says the
/// history could not be written; the session is listed all the same, and
/// written once the folder can be written again; it never comes back.
#[test]
fn a_read_only_state_folder_loses_no_session_and_brings_back_none() {
    let pulse = PulseServer::start();
    let bus = PrivateBus::start(None);
    let disk = Tmpfs::mount(&state_dir(&bus), "4m");
    let mut daemon = Daemon::start(&bus, &pulse.address(), &[]);
    assert!(bus.ctl(&["start", "retro-rehab-30"]).status.success());
    std::thread::sleep(Duration::from_secs(2));
    disk.remount("ro");
    let stop = bus.ctl(&["stop"]);
    let said = String::from_utf8_lossy(&stop.stderr);
    assert!(!stop.status.success(), "Stop on a read-only folder: {said}");
    assert!(said.contains("could not be added to the history"), "{said}");
    assert_eq!(bus.status()["state"], "stopped");
    let listed = bus.ctl(&["history", "--json"]);
    let listed: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    let log = daemon.stderr();
    assert!(
        log.contains("history.jsonl: Read-only file system"),
        "{log}"
    );

    // Killed and started again while the folder is still read-only: the
    // ended session is known from the runtime folder, nothing comes back,
    // and once the folder can be written the entry is, exactly once.
    kill(&mut daemon, "-KILL");
    let mut daemon = Daemon::start(&bus, &pulse.address(), &[]);
    assert_eq!(bus.status()["state"], "idle");
    disk.remount("rw");
    wait_until("the kept entry written", Duration::from_secs(15), || {
        history(&bus).len() == 1
    });
    wait_until("the checkpoint cleared", Duration::from_secs(15), || {
        !state_dir(&bus).join("session.json").exists()
    });
    kill(&mut daemon, "-KILL");
    let daemon = Daemon::start(&bus, &pulse.address(), &[]);
    assert_eq!(bus.status()["state"], "idle", "a stopped session came back");
    let entries = history(&bus);
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["outcome"], "stopped");
    drop(daemon);

    // The same without a restart: the entry is written when it can be.
    let daemon = Daemon::start(&bus, &pulse.address(), &[]);
    assert!(bus.ctl(&["start", "demo"]).status.success());
    std::thread::sleep(Duration::from_secs(1));
    let before = history(&bus).len();
    disk.remount("ro");
    assert!(!bus.ctl(&["stop"]).status.success());
    disk.remount("rw");
    wait_until("the kept entry written", Duration::from_secs(15), || {
        history(&bus).len() == before + 1
    });
    wait_until("the checkpoint cleared", Duration::from_secs(15), || {
        !state_dir(&bus).join("session.json").exists()
    });
    let last = history(&bus).pop().unwrap();
    assert_eq!(last["program"], "demo");
    assert_eq!(last["outcome"], "stopped");
    drop(daemon);
}

/// A full disk: the checkpoint goes into the room kept for it, so a
/// killed session still comes back.
#[test]
fn on_a_full_disk_a_killed_session_still_comes_back() {
    let pulse = PulseServer::start();
    let bus = PrivateBus::start(None);
    let disk = Tmpfs::mount(&state_dir(&bus), "1m");
    let mut daemon = Daemon::start(&bus, &pulse.address(), &[]);
    // A first session makes the reserve, as any daemon's first does.
    assert!(bus.ctl(&["start", "demo"]).status.success());
    assert!(bus.ctl(&["stop"]).status.success());
    assert!(state_dir(&bus).join("session.json.reserve").exists());
    let filler = disk.fill();
    assert!(bus.ctl(&["start", "retro-rehab-30"]).status.success());
    std::thread::sleep(Duration::from_secs(5));
    let before = bus.status();
    kill(&mut daemon, "-KILL");
    let daemon = Daemon::start(&bus, &pulse.address(), &[]);
    let after = bus.status();
    assert_eq!(after["state"], "paused", "{after}\n{}", daemon.stderr());
    assert_eq!(after["program"], "retro-rehab-30");
    let lost = after["session_left"].as_f64().unwrap() - before["session_left"].as_f64().unwrap();
    assert!((0.0..=5.0).contains(&lost), "{lost} s of the session lost");
    std::fs::remove_file(filler).unwrap();
}
