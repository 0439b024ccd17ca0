//! A private dbus-daemon, and treadcued serving on it.

use super::require;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct PrivateBus {
    dir: tempfile::TempDir,
    child: Child,
    pub address: String,
}

impl PrivateBus {
    /// A session-type bus, or one run with `config` (a policy test).
    pub fn start(config: Option<&Path>) -> PrivateBus {
        require("dbus-daemon", "dbus-daemon");
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("bus");
        let address = format!("unix:path={}", socket.display());
        let mut command = Command::new("dbus-daemon");
        match config {
            Some(config) => command.arg(format!("--config-file={}", config.display())),
            None => command.arg("--session"),
        };
        let child = command
            .args(["--nofork", "--nopidfile", &format!("--address={address}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon starts");
        let deadline = Instant::now() + Duration::from_secs(10);
        while !socket.exists() {
            assert!(Instant::now() < deadline, "the private bus did not come up");
            std::thread::sleep(Duration::from_millis(20));
        }
        PrivateBus {
            dir,
            child,
            address,
        }
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn busctl(&self, args: &[&str]) -> std::process::Output {
        require("busctl", "systemd");
        Command::new("busctl")
            .arg(format!("--address={}", self.address))
            .args(args)
            .output()
            .unwrap()
    }

    /// `treadcuectl ARGS` against the daemon on this bus.
    pub fn ctl(&self, args: &[&str]) -> std::process::Output {
        Command::new(env!("CARGO_BIN_EXE_treadcuectl"))
            .arg("--bus-address")
            .arg(&self.address)
            .args(args)
            .output()
            .unwrap()
    }

    /// `treadcuectl status --json`: the session as a script sees it.
    pub fn status(&self) -> serde_json::Value {
        let out = self.ctl(&["status", "--json"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// The daemon's checkpoint (`session.json` in its state folder), as
    /// a power cut would leave it; none when there is none. It is
    /// renamed into place whole, so it is never read half written.
    pub fn checkpoint(&self) -> Option<serde_json::Value> {
        let text = std::fs::read(self.dir().join("treadcue/session.json")).ok()?;
        Some(serde_json::from_slice(&text).expect("a whole checkpoint"))
    }

    /// Whether a name has an owner on this bus.
    pub fn has_owner(&self, name: &str) -> bool {
        let out = self.busctl(&[
            "call",
            "org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus",
            "NameHasOwner",
            "s",
            name,
        ]);
        String::from_utf8_lossy(&out.stdout).trim() == "b true"
    }
}

impl Drop for PrivateBus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct Daemon {
    pub child: Child,
    stderr: PathBuf,
}

impl Daemon {
    /// treadcued on `bus`, playing through the private sound server, with
    /// `extra` arguments; returns once its name is owned.
    pub fn start(bus: &PrivateBus, pulse_address: &str, extra: &[&str]) -> Daemon {
        Daemon::start_binary(
            Path::new(env!("CARGO_BIN_EXE_treadcued")),
            bus,
            pulse_address,
            extra,
        )
    }

    /// The same with a given `treadcued` binary (a release build).
    pub fn start_binary(
        binary: &Path,
        bus: &PrivateBus,
        pulse_address: &str,
        extra: &[&str],
    ) -> Daemon {
        Daemon::spawn(binary, bus, ("pulse", pulse_address), extra)
    }

    /// treadcued playing straight to the sound server's sink `sink`.
    pub fn start_on_sink(
        bus: &PrivateBus,
        pulse_address: &str,
        sink: &str,
        extra: &[&str],
    ) -> Daemon {
        let binary = Path::new(env!("CARGO_BIN_EXE_treadcued"));
        Daemon::spawn(binary, bus, (sink, pulse_address), extra)
    }

    /// treadcued on ALSA's null device, which takes samples as fast as
    /// they come: a session plays in a blink.
    pub fn start_on_null_device(bus: &PrivateBus, extra: &[&str]) -> Daemon {
        let binary = Path::new(env!("CARGO_BIN_EXE_treadcued"));
        Daemon::spawn(binary, bus, ("null", ""), extra)
    }

    /// treadcued with `system` as its system bus, where BlueZ lives.
    pub fn start_with_system_bus(
        bus: &PrivateBus,
        pulse_address: &str,
        system: &PrivateBus,
        extra: &[&str],
    ) -> Daemon {
        let binary = Path::new(env!("CARGO_BIN_EXE_treadcued"));
        let system = [("DBUS_SYSTEM_BUS_ADDRESS", system.address.as_str())];
        Daemon::spawn_with(binary, bus, ("pulse", pulse_address), extra, &system)
    }

    /// treadcued on ALSA's null device with `system` as its system bus.
    pub fn start_on_null_device_with_system_bus(
        bus: &PrivateBus,
        system: &PrivateBus,
        extra: &[&str],
    ) -> Daemon {
        let binary = Path::new(env!("CARGO_BIN_EXE_treadcued"));
        let system = [("DBUS_SYSTEM_BUS_ADDRESS", system.address.as_str())];
        Daemon::spawn_with(binary, bus, ("null", ""), extra, &system)
    }

    fn spawn(binary: &Path, bus: &PrivateBus, device: (&str, &str), extra: &[&str]) -> Daemon {
        // No test reaches the machine's own system bus (and its BlueZ).
        let nowhere = format!("unix:path={}/no-system-bus", bus.dir().display());
        let system = [("DBUS_SYSTEM_BUS_ADDRESS", nowhere.as_str())];
        Daemon::spawn_with(binary, bus, device, extra, &system)
    }

    fn spawn_with(
        binary: &Path,
        bus: &PrivateBus,
        (device, pulse_address): (&str, &str),
        extra: &[&str],
        env: &[(&str, &str)],
    ) -> Daemon {
        static STARTED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let count = STARTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let stderr = bus
            .dir()
            .join(format!("treadcued-{}-{count}.err", std::process::id()));
        let child = Command::new(binary)
            .args(["--bus-address", &bus.address, "--device", device])
            .args(extra)
            .env("PULSE_SERVER", pulse_address)
            .env("XDG_CACHE_HOME", bus.dir())
            // No config file of the machine's, and the checkpoint and
            // history in the test's own folder.
            .env("XDG_CONFIG_HOME", bus.dir())
            .env("XDG_STATE_HOME", bus.dir())
            // Ended sessions wait here when the state folder fails.
            .env("XDG_RUNTIME_DIR", bus.dir().join("runtime"))
            // Logs at the configured level, whatever the test's shell says.
            .env_remove("RUST_LOG")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&stderr).unwrap())
            .spawn()
            .expect("treadcued starts");
        let mut daemon = Daemon { child, stderr };
        let deadline = Instant::now() + Duration::from_secs(20);
        while !bus.has_owner("io.github.treadcue.Treadcue1") {
            if let Ok(Some(status)) = daemon.child.try_wait() {
                panic!("treadcued exited with {status}: {}", daemon.stderr());
            }
            assert!(Instant::now() < deadline, "treadcued never took its name");
            std::thread::sleep(Duration::from_millis(20));
        }
        daemon
    }

    pub fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    pub fn is_running(&mut self) -> bool {
        self.child.try_wait().is_ok_and(|s| s.is_none())
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
