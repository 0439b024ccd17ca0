//! Under systemd: the daemon's own NOTIFY_SOCKET messages, received by a
//! socket of the test's, as systemd would receive them.

mod support;

use std::os::unix::net::UnixDatagram;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::bus::PrivateBus;
use support::pulse::PulseServer;

const NAME: &str = "io.github.treadcue.Treadcue1";

struct Notifications {
    socket: UnixDatagram,
}

impl Notifications {
    /// The next message, if one comes within `wait`.
    fn next(&self, wait: Duration) -> Option<String> {
        self.socket.set_read_timeout(Some(wait)).unwrap();
        let mut buffer = [0u8; 4096];
        let n = self.socket.recv(&mut buffer).ok()?;
        Some(String::from_utf8_lossy(&buffer[..n]).into_owned())
    }

    /// Waits for a message containing `words`, returning it.
    fn expect(&self, words: &str, within: Duration) -> String {
        let deadline = Instant::now() + within;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.next(left) {
                Some(message) if message.contains(words) => return message,
                Some(_) => {}
                None => break,
            }
        }
        panic!("no {words:?} from treadcued within {within:?}");
    }
}

#[test]
fn systemd_hears_ready_after_the_name_then_status_watchdog_and_stopping() {
    let pulse = PulseServer::start();
    let bus = PrivateBus::start(None);
    let socket_path = bus.dir().join("notify");
    let notifications = Notifications {
        socket: UnixDatagram::bind(&socket_path).unwrap(),
    };
    let mut daemon = Command::new(env!("CARGO_BIN_EXE_treadcued"))
        .args(["--bus-address", &bus.address, "--device", "pulse"])
        .env("PULSE_SERVER", pulse.address())
        .env("XDG_CACHE_HOME", bus.dir())
        .env("XDG_CONFIG_HOME", bus.dir())
        .env("XDG_STATE_HOME", bus.dir())
        .env("NOTIFY_SOCKET", &socket_path)
        .env("WATCHDOG_USEC", "1000000")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();

    let ready = notifications.expect("READY=1", Duration::from_secs(20));
    assert!(bus.has_owner(NAME), "READY=1 came before {NAME} was owned");
    assert!(ready.contains("STATUS=Idle: no session"), "{ready}");

    // Twice per WATCHDOG_USEC: at least five pings in three seconds.
    let started = Instant::now();
    let mut pings = 0;
    while started.elapsed() < Duration::from_secs(3) {
        if notifications
            .next(Duration::from_millis(200))
            .is_some_and(|m| m.contains("WATCHDOG=1"))
        {
            pings += 1;
        }
    }
    assert!(
        pings >= 5,
        "{pings} watchdog pings in 3 s with a 1 s watchdog"
    );

    let out = bus.busctl(&[
        "call",
        NAME,
        "/io/github/treadcue/Treadcue1",
        NAME,
        "Start",
        "s",
        "demo",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let status = notifications.expect(
        "STATUS=Running demo: step 1 of 3, Warm-up",
        Duration::from_secs(20),
    );
    assert!(status.contains("left"), "{status}");
    // Playing, the pings go on: the sound is flowing.
    notifications.expect("WATCHDOG=1", Duration::from_secs(2));
    notifications.expect("WATCHDOG=1", Duration::from_secs(2));

    // A sound server that stops taking samples stalls the session: the
    // pings stop for longer than the watchdog's timeout, so systemd would
    // restart treadcued. (Should the stream report the server lost, the
    // session pauses and the pings come back: a paused daemon is well.)
    let signal = |name: &str| {
        Command::new("kill")
            .args([name, &pulse.pid().to_string()])
            .status()
            .unwrap()
    };
    signal("-STOP");
    let stopped = Instant::now();
    let mut last_ping = stopped;
    let mut longest_gap = Duration::ZERO;
    while stopped.elapsed() < Duration::from_secs(4) {
        if notifications
            .next(Duration::from_millis(100))
            .is_some_and(|m| m.contains("WATCHDOG=1"))
        {
            longest_gap = longest_gap.max(last_ping.elapsed());
            last_ping = Instant::now();
        }
    }
    longest_gap = longest_gap.max(last_ping.elapsed());
    signal("-CONT");
    assert!(
        longest_gap > Duration::from_secs(1),
        "pings went on while the sound had stopped (longest gap {longest_gap:?})"
    );
    notifications.expect("WATCHDOG=1", Duration::from_secs(3));

    let stop_asked = Instant::now();
    Command::new("kill")
        .args(["-TERM", &daemon.id().to_string()])
        .status()
        .unwrap();
    notifications.expect("STOPPING=1", Duration::from_secs(2));
    let status = loop {
        if let Some(status) = daemon.try_wait().unwrap() {
            break status;
        }
        assert!(
            stop_asked.elapsed() < Duration::from_secs(2),
            "treadcued took over 2 s to stop"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "treadcued exited with {status}");
    assert!(!bus.has_owner(NAME), "the name is released");
}

#[test]
fn sighup_with_a_broken_configuration_keeps_the_old_one() {
    let pulse = PulseServer::start();
    let bus = PrivateBus::start(None);
    // A config file that brings in a program of the walker's own.
    let programs = bus.dir().join("programs");
    std::fs::create_dir_all(&programs).unwrap();
    std::fs::copy("config/programs/demo.toml", programs.join("mine.toml")).unwrap();
    let config = bus.dir().join("treadcue.toml");
    let good = format!(
        "[programs]\nfolders = [{:?}]\n",
        programs.display().to_string()
    );
    std::fs::write(&config, &good).unwrap();
    let socket_path = bus.dir().join("notify");
    let notifications = Notifications {
        socket: UnixDatagram::bind(&socket_path).unwrap(),
    };
    let mut daemon = Command::new(env!("CARGO_BIN_EXE_treadcued"))
        .args([
            "--bus-address",
            &bus.address,
            "--device",
            "pulse",
            "--config",
            config.to_str().unwrap(),
        ])
        .env("PULSE_SERVER", pulse.address())
        .env("XDG_CACHE_HOME", bus.dir())
        .env("XDG_STATE_HOME", bus.dir())
        .env("NOTIFY_SOCKET", &socket_path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    notifications.expect("READY=1", Duration::from_secs(20));
    let hangup = || {
        Command::new("kill")
            .args(["-HUP", &daemon.id().to_string()])
            .status()
            .unwrap()
    };

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        use futures_util::StreamExt;
        let connection = zbus::connection::Builder::address(bus.address.as_str())
            .build()
            .await
            .unwrap();
        let proxy = treadcue::treadcuectl::TreadcueProxy::new(&connection)
            .await
            .unwrap();
        let mut errors = proxy.receive_config_error().await.unwrap();
        std::fs::write(&config, format!("{good}[sound]\nvolume = \"loud\"\n")).unwrap();
        hangup();
        let error = tokio::time::timeout(Duration::from_secs(10), errors.next())
            .await
            .expect("a ConfigError")
            .unwrap();
        let message = error.args().unwrap().message().to_string();
        assert!(message.contains("treadcue.toml:4:"), "{message}");
        notifications.expect("STATUS=Reload refused", Duration::from_secs(5));
        // Still running, with the old configuration and its program.
        proxy.start("mine").await.unwrap();
        assert_eq!(proxy.state().await.unwrap(), "running");
        proxy.stop().await.unwrap();

        // A good file on the next SIGHUP is taken without complaint, and
        // is in force: without the folder, the program is gone.
        std::fs::write(&config, "[programs]\nfolders = []\n").unwrap();
        hangup();
        assert!(
            tokio::time::timeout(Duration::from_secs(2), errors.next())
                .await
                .is_err(),
            "no ConfigError for a good file"
        );
        let gone = proxy.start("mine").await.unwrap_err();
        assert!(gone.to_string().contains("UnknownProgram"), "{gone}");
    });
    assert!(
        daemon.try_wait().unwrap().is_none(),
        "SIGHUP must not end treadcued"
    );
    let _ = daemon.kill();
    let _ = daemon.wait();
}

#[test]
fn a_reload_changes_the_log_level() {
    let pulse = PulseServer::start();
    let bus = PrivateBus::start(None);
    let config = bus.dir().join("treadcue.toml");
    std::fs::write(&config, "[daemon]\nlog_level = \"error\"\n").unwrap();
    let daemon = support::bus::Daemon::start(
        &bus,
        &pulse.address(),
        &["--config", config.to_str().unwrap()],
    );
    let hangup = || {
        Command::new("kill")
            .args(["-HUP", &daemon.child.id().to_string()])
            .status()
            .unwrap()
    };
    let said_within = |words: &str, wait: Duration| {
        let deadline = Instant::now() + wait;
        while Instant::now() < deadline {
            if daemon.stderr().contains(words) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    };
    // At "error", a reload is not worth a line.
    hangup();
    assert!(
        !said_within("reloaded", Duration::from_secs(1)),
        "{}",
        daemon.stderr()
    );
    // The reload that brings "info" logs under it.
    std::fs::write(&config, "[daemon]\nlog_level = \"info\"\n").unwrap();
    hangup();
    assert!(
        said_within("reloaded", Duration::from_secs(5)),
        "{}",
        daemon.stderr()
    );
}
