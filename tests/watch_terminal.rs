//! `treadcuectl watch` in a real terminal (a pty from util-linux's
//! `script`): it shows the course followed and what the keys do, and the
//! keys act on the session.

mod support;

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use support::bus::{Daemon, PrivateBus};
use support::pulse::PulseServer;

fn wait_for(what: &str, seconds: u64, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    while !check() {
        assert!(Instant::now() < deadline, "{what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn watch_in_a_terminal_shows_the_course_and_the_keys_and_the_keys_act() {
    let pulse = PulseServer::start();
    let bus = PrivateBus::start(None);
    let _daemon = Daemon::start(&bus, &pulse.address(), &[]);
    assert!(bus.ctl(&["course", "enrol", "from-zero"]).status.success());

    let command = format!(
        "{} --bus-address '{}' watch",
        env!("CARGO_BIN_EXE_treadcuectl"),
        bus.address
    );
    let mut watch = Command::new("script")
        .args(["-qfec", &command, "/dev/null"])
        .env("COLUMNS", "100")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("script, from util-linux");
    let mut stdout = watch.stdout.take().unwrap();
    let screen = Arc::new(Mutex::new(String::new()));
    let shown = screen.clone();
    std::thread::spawn(move || {
        let mut buffer = [0u8; 4096];
        while let Ok(n) = stdout.read(&mut buffer) {
            if n == 0 {
                break;
            }
            shown
                .lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buffer[..n]));
        }
    });
    let seen = |text: &str| screen.lock().unwrap().contains(text);
    wait_for("the keys on screen", 20, || {
        seen("keys: space pause/resume")
    });
    wait_for("the course on screen", 5, || {
        seen("course: Backward walking from zero. Next: session 1 of 18, due now.")
    });

    assert!(bus.ctl(&["start", "demo"]).status.success());
    wait_for("the session on screen", 20, || seen("Seventy-second demo"));
    let mut keys = watch.stdin.take().unwrap();
    keys.write_all(b" ").unwrap();
    keys.flush().unwrap();
    wait_for("space to pause", 20, || bus.status()["state"] == "paused");
    keys.write_all(b" ").unwrap();
    keys.flush().unwrap();
    wait_for("space to resume", 20, || bus.status()["state"] == "running");
    keys.write_all(b"q").unwrap();
    keys.flush().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while watch.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "q quits");
        std::thread::sleep(Duration::from_millis(50));
    }
}
