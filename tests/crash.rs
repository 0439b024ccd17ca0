//! Sessions that outlive the daemon: SIGTERM checkpoints and exits, a
//! killed daemon comes back with the session paused where it was, and
//! the history survives kills at any moment.

mod support;

use std::process::Command;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures_util::StreamExt;
use support::bus::{Daemon, PrivateBus};
use support::pulse::PulseServer;
use treadcue::treadcuectl::TreadcueProxy;

fn signal(daemon: &Daemon, name: &str) {
    Command::new("kill")
        .args([name, &daemon.child.id().to_string()])
        .status()
        .unwrap();
}

fn wait_for_exit(daemon: &mut Daemon, within: Duration) -> std::process::ExitStatus {
    let asked = Instant::now();
    loop {
        if let Some(status) = daemon.child.try_wait().unwrap() {
            return status;
        }
        assert!(
            asked.elapsed() < within,
            "treadcued took over {within:?} to stop"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_killed_daemon_comes_back_paused_where_it_was_and_sigterm_checkpoints() {
    let pulse = PulseServer::start();
    let bus = PrivateBus::start(None);
    let daemon = Daemon::start(&bus, &pulse.address(), &[]);
    assert!(bus.ctl(&["start", "retro-first-steps"]).status.success());
    // Once the stream runs, a pause and a resume tie the status to the
    // samples played; then on, past a few periodic checkpoints.
    std::thread::sleep(Duration::from_secs(3));
    assert!(bus.ctl(&["pause"]).status.success());
    assert!(bus.ctl(&["resume"]).status.success());
    std::thread::sleep(Duration::from_secs(5));
    let before = bus.status();
    assert_eq!(before["state"], "running");
    let mut daemon = daemon;
    signal(&daemon, "-KILL");
    wait_for_exit(&mut daemon, Duration::from_secs(2));
    let left_at_kill = before["session_left"].as_f64().unwrap();

    let mut daemon = Daemon::start(&bus, &pulse.address(), &[]);
    let after = bus.status();
    assert_eq!(after["state"], "paused", "{after}");
    assert_eq!(after["program"], "retro-first-steps");
    let left_now = after["session_left"].as_f64().unwrap();
    assert!(
        (left_now - left_at_kill).abs() <= 5.0,
        "killed with {left_at_kill:.1} s left, back with {left_now:.1} s left"
    );
    let said = daemon.stderr();
    assert!(said.contains("is back, paused"), "{said}");

    // Resumed, then SIGTERM: exit 0 within 2 s, the session on disk.
    let restored_at = bus.checkpoint().unwrap()["position"].as_f64().unwrap();
    assert!(bus.ctl(&["resume"]).status.success());
    // Playing again: the periodic checkpoint moves on.
    let deadline = Instant::now() + Duration::from_secs(15);
    while bus.checkpoint().unwrap()["position"].as_f64().unwrap() < restored_at + 0.5 {
        assert!(
            Instant::now() < deadline,
            "the session did not play on after Resume"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    signal(&daemon, "-TERM");
    let exit = wait_for_exit(&mut daemon, Duration::from_secs(2));
    assert!(exit.success(), "SIGTERM exit: {exit}");
    let saved = bus.checkpoint().expect("a checkpoint after SIGTERM");
    assert_eq!(saved["program"], "retro-first-steps");
    assert_eq!(saved["state"], "paused");
    let position = saved["position"].as_f64().unwrap();
    assert!(position > restored_at + 0.5, "{restored_at} then {saved}");
}

#[test]
fn with_after_crash_discard_the_interrupted_session_goes_to_the_history() {
    let pulse = PulseServer::start();
    let bus = PrivateBus::start(None);
    let mut daemon = Daemon::start(&bus, &pulse.address(), &["--after-crash", "discard"]);
    assert!(bus.ctl(&["start", "demo"]).status.success());
    std::thread::sleep(Duration::from_secs(3));
    signal(&daemon, "-KILL");
    wait_for_exit(&mut daemon, Duration::from_secs(2));

    let _daemon = Daemon::start(&bus, &pulse.address(), &["--after-crash", "discard"]);
    assert_eq!(bus.status()["state"], "idle");
    assert!(bus.checkpoint().is_none(), "the checkpoint is gone");
    let out = bus.ctl(&["history", "--json"]);
    assert!(out.status.success());
    let history: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let entries = history.as_array().unwrap();
    assert_eq!(entries.len(), 1, "{history}");
    assert_eq!(entries[0]["program"], "demo");
    assert_eq!(entries[0]["outcome"], "interrupted");
    assert_eq!(entries[0]["completed"], false);
}

#[test]
fn stopped_and_finished_sessions_are_in_the_history() {
    let bus = PrivateBus::start(None);
    let _daemon = Daemon::start_on_null_device(&bus, &[]);
    let out = bus.ctl(&["history"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "No sessions yet."
    );
    assert!(bus.ctl(&["start", "demo"]).status.success());
    // The null device plays the minute in a blink.
    let deadline = Instant::now() + Duration::from_secs(20);
    while bus.status()["state"] != "finished" {
        assert!(Instant::now() < deadline, "the demo never finished");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(bus.ctl(&["start", "retro-first-steps"]).status.success());
    assert!(bus.ctl(&["stop"]).status.success());

    let shown = String::from_utf8_lossy(&bus.ctl(&["history"]).stdout).into_owned();
    let lines: Vec<&str> = shown.lines().collect();
    assert_eq!(lines.len(), 2, "{shown}");
    assert!(
        lines[0].contains("demo")
            && lines[0].contains("3/3 steps")
            && lines[0].contains("finished")
    );
    assert!(lines[1].contains("retro-first-steps") && lines[1].contains("stopped"));
}

/// A small xorshift: random enough for kill times, and the seed is
/// printed so a failure can be replayed.
struct Random(u64);

impl Random {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// Starts short sessions one after another on the null device until the
/// daemon goes away; counts the SessionFinished signals heard. Each one
/// is sent only once the session is in the history.
async fn walk_until_killed(address: &str) -> usize {
    let Ok(connection) = zbus::connection::Builder::address(address).build().await else {
        return 0;
    };
    let Ok(proxy) = TreadcueProxy::new(&connection).await else {
        return 0;
    };
    let Ok(mut finished) = proxy.receive_session_finished().await else {
        return 0;
    };
    // The daemon's name going away ends the walk at once.
    let mut owner = proxy.inner().receive_owner_changed().await.unwrap();
    let mut heard = 0;
    loop {
        if proxy.start("blink").await.is_err() {
            return heard;
        }
        tokio::select! {
            signal = finished.next() => match signal {
                Some(signal) if signal.args().is_ok_and(|a| *a.completed()) => heard += 1,
                _ => return heard,
            },
            change = owner.next() => if change.is_none_or(|o| o.is_none()) {
                return heard;
            },
            () = tokio::time::sleep(Duration::from_secs(10)) => return heard,
        }
    }
}

#[test]
fn the_history_survives_200_kills_whole_and_with_every_finished_session() {
    let bus = PrivateBus::start(None);
    let programs = bus.dir().join("programs");
    std::fs::create_dir_all(&programs).unwrap();
    std::fs::write(
        programs.join("blink.toml"),
        "name = \"Blink\"\n[cues]\nbriefing = false\n[[steps]]\ndirection = \"forward\"\nduration = \"5s\"\nspeed = 1.0\n[[steps]]\ndirection = \"backward\"\nduration = \"5s\"\nspeed = 0.6\n",
    )
    .unwrap();
    let folder = programs.to_str().unwrap().to_string();
    let seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    println!("seed {seed}");
    let mut random = Random(seed);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut heard = 0;
    for _ in 0..200 {
        let mut daemon = Daemon::start_on_null_device(
            &bus,
            &["--programs", &folder, "--after-crash", "discard"],
        );
        let kill_after = Duration::from_millis(random.below(600));
        let address = bus.address.clone();
        let walker = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(walk_until_killed(&address))
        });
        std::thread::sleep(kill_after);
        signal(&daemon, "-KILL");
        wait_for_exit(&mut daemon, Duration::from_secs(5));
        heard += walker.join().unwrap();
    }
    drop(runtime);

    let text = std::fs::read_to_string(bus.dir().join("treadcue/history.jsonl")).unwrap();
    assert!(text.ends_with('\n'), "the last line is whole");
    let mut completed = 0;
    for (number, line) in text.lines().enumerate() {
        let entry: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("line {} is torn ({e}): {line}", number + 1));
        if entry["completed"] == true {
            completed += 1;
        }
    }
    println!("{heard} finishes heard, {completed} in the history");
    assert!(heard > 50, "too few sessions finished to tell: {heard}");
    assert!(
        completed >= heard,
        "{heard} sessions were heard to finish, only {completed} are in the history"
    );
}

#[test]
fn a_session_that_cannot_come_back_is_kept_until_the_next_start_then_recorded() {
    let pulse = PulseServer::start();
    let bus = PrivateBus::start(None);
    let programs = bus.dir().join("programs");
    std::fs::create_dir_all(&programs).unwrap();
    std::fs::copy("config/programs/demo.toml", programs.join("mine.toml")).unwrap();
    let folder = ["--programs", programs.to_str().unwrap()];
    let mut daemon = Daemon::start(&bus, &pulse.address(), &folder);
    assert!(bus.ctl(&["start", "mine"]).status.success());
    std::thread::sleep(Duration::from_secs(3));
    signal(&daemon, "-KILL");
    wait_for_exit(&mut daemon, Duration::from_secs(2));

    // Without the folder, the program is gone: the session cannot come
    // back, and its checkpoint is kept rather than thrown away.
    let daemon = Daemon::start(&bus, &pulse.address(), &[]);
    assert_eq!(bus.status()["state"], "idle");
    assert_eq!(bus.checkpoint().unwrap()["program"], "mine");
    assert!(daemon.stderr().contains("could not be brought back"));

    // The next session takes its place; the old one is in the history.
    assert!(bus.ctl(&["start", "demo"]).status.success());
    let out = bus.ctl(&["history", "--json"]);
    let history: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(history[0]["program"], "mine", "{history}");
    assert_eq!(history[0]["outcome"], "interrupted");
    assert_eq!(bus.checkpoint().unwrap()["program"], "demo");
}

/// The history tells the time walked, not how far the program got; it is
/// shown in local time, one duration format, and can be cut by date and
/// count.
#[test]
fn the_history_counts_time_walked_in_local_time_by_date_and_count() {
    let pulse = PulseServer::start();
    let bus = PrivateBus::start(None);
    let _daemon = Daemon::start(&bus, &pulse.address(), &[]);
    assert!(bus.ctl(&["start", "demo"]).status.success());
    // Skipped on into the backward step, then to the last step: 46 s
    // into the program, hardly any of it walked.
    assert!(bus.ctl(&["next"]).status.success());
    std::thread::sleep(Duration::from_secs(2));
    assert!(bus.ctl(&["next"]).status.success());
    std::thread::sleep(Duration::from_secs(1));
    assert!(bus.ctl(&["stop"]).status.success());
    let line = std::fs::read_to_string(bus.dir().join("treadcue/history.jsonl")).unwrap();
    let entry: serde_json::Value = serde_json::from_str(line.lines().next().unwrap()).unwrap();
    let (walked, position) = (
        entry["walked"].as_f64().unwrap(),
        entry["position"].as_f64().unwrap(),
    );
    assert!(position >= 46.0, "{entry}");
    assert!(
        walked < 10.0,
        "walked {walked} s of a session skipped to its end: {entry}"
    );

    let start = entry["start"].as_str().unwrap();
    let utc_hour: u32 = start[11..13].parse().unwrap();
    let shown = |tz: &str, args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_treadcuectl"))
            .args(["--bus-address", &bus.address, "history"])
            .args(args)
            .env("TZ", tz)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let tokyo = shown("Asia/Tokyo", &[]);
    let tokyo_hour: u32 = tokyo[11..13].parse().unwrap();
    assert_eq!(tokyo_hour, (utc_hour + 9) % 24, "{start} shown as {tokyo}");
    assert!(tokyo.contains(" 0:0"), "whole seconds: {tokyo}");
    assert_eq!(
        shown("UTC", &["--since", "2999-01-01"]).trim(),
        "No sessions yet."
    );
    assert!(shown("UTC", &["--since", "2020-01-01", "--limit", "1"]).contains("demo"));
    // Minutes per week, forward and backward, adding up to what was walked.
    let weeks: serde_json::Value =
        serde_json::from_str(&shown("UTC", &["--weeks", "--json"])).unwrap();
    let week = &weeks[0];
    let (forward, backward) = (
        week["forward_minutes"].as_f64().unwrap(),
        week["backward_minutes"].as_f64().unwrap(),
    );
    assert!(
        ((forward + backward) * 60.0 - walked).abs() < 0.01,
        "{weeks} against {walked} s"
    );
    assert!((backward * 60.0 - entry["walked_backward"].as_f64().unwrap()).abs() < 0.01);
    let monday = week["week"].as_str().unwrap();
    assert!(
        monday <= &start[..10],
        "the week of {start} starts on {monday}"
    );
}

/// Seconds walked, forward and backward, as a checkpoint has them.
fn walked_in(checkpoint: &serde_json::Value) -> f64 {
    let walked = &checkpoint["walked"];
    walked[0].as_f64().unwrap() + walked[1].as_f64().unwrap()
}

#[test]
fn a_killed_and_restored_session_records_all_it_kept_and_all_it_walked_after() {
    let pulse = PulseServer::start();
    let bus = PrivateBus::start(None);
    let mut daemon = Daemon::start(&bus, &pulse.address(), &[]);
    assert!(bus.ctl(&["start", "retro-first-steps"]).status.success());
    let deadline = Instant::now() + Duration::from_secs(30);
    while bus.checkpoint().is_none_or(|c| walked_in(&c) < 4.0) {
        assert!(Instant::now() < deadline, "no checkpoint with 4 s walked");
        std::thread::sleep(Duration::from_millis(100));
    }
    signal(&daemon, "-KILL");
    wait_for_exit(&mut daemon, Duration::from_secs(2));
    // What the power cut left on disk is what comes back.
    let kept = bus.checkpoint().unwrap();

    let _daemon = Daemon::start(&bus, &pulse.address(), &[]);
    let back = bus.status();
    assert_eq!(back["state"], "paused", "{back}");
    assert!(bus.ctl(&["resume"]).status.success());
    // Walking on: the checkpoints move past what was kept.
    let deadline = Instant::now() + Duration::from_secs(30);
    while walked_in(&bus.checkpoint().unwrap()) < walked_in(&kept) + 3.0 {
        assert!(
            Instant::now() < deadline,
            "the restored session did not walk on: {}",
            bus.checkpoint().unwrap()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(bus.ctl(&["pause"]).status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let paused = loop {
        let now = bus.checkpoint().unwrap();
        if now["state"] == "paused" {
            break now;
        }
        assert!(Instant::now() < deadline, "no paused checkpoint");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(bus.ctl(&["stop"]).status.success());

    let out = bus.ctl(&["history", "--json"]);
    let history: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let entries = history.as_array().unwrap();
    assert_eq!(entries.len(), 1, "one session, recorded once: {history}");
    let recorded = entries[0]["walked"].as_f64().unwrap();
    let expected = walked_in(&paused);
    assert!(
        (recorded - expected).abs() < 0.05,
        "kept {:.2} s, then paused at {expected:.2} s walked, but the history says {recorded:.2} s",
        walked_in(&kept)
    );
}

#[test]
fn a_kill_right_after_a_skips_reply_brings_the_session_back_on_the_step_skipped_to() {
    let pulse = PulseServer::start();
    let bus = PrivateBus::start(None);
    let mut daemon = Daemon::start(&bus, &pulse.address(), &[]);
    assert!(bus.ctl(&["start", "retro-first-steps"]).status.success());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for (skip, step) in [("next", 1), ("next", 2), ("next", 3), ("previous", 2)] {
        let before = bus.status();
        runtime.block_on(async {
            let connection = zbus::connection::Builder::address(bus.address.as_str())
                .build()
                .await
                .unwrap();
            let proxy = TreadcueProxy::new(&connection).await.unwrap();
            match skip {
                "next" => proxy.next().await.unwrap(),
                _ => proxy.previous().await.unwrap(),
            }
            // The reply is in: the power goes now, not a millisecond on.
            daemon.child.kill().unwrap();
        });
        wait_for_exit(&mut daemon, Duration::from_secs(2));
        daemon = Daemon::start(&bus, &pulse.address(), &[]);
        let back = bus.status();
        assert_eq!(back["state"], "paused", "{back}");
        assert_eq!(
            back["step_index"], step,
            "after {skip} from step {}: {back}",
            before["step_index"]
        );
        assert!(bus.ctl(&["resume"]).status.success());
    }
}
