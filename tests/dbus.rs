//! treadcued on a private dbus-daemon, driven by real third-party clients:
//! zbus, busctl, dbus-send, python3-dbus and treadcuectl. MPRIS clients
//! are in `mpris.rs`.

mod support;

use std::process::Command;
use std::time::Duration;

use futures_util::StreamExt;
use support::bus::Daemon;
use support::world::*;

#[test]
fn a_zbus_client_starts_pauses_skips_and_sees_signals_and_changes() {
    let world = world(&[]);
    runtime().block_on(async {
        let (connection, proxy) = connect(&world).await;
        let properties = zbus::fdo::PropertiesProxy::builder(&connection)
            .destination(OBJECT[0])
            .path(OBJECT[1])
            .build()
            .await
            .unwrap();
        let mut changes = properties.receive_properties_changed().await.unwrap();
        let mut steps = proxy.receive_step_started().await.unwrap();
        let mut finished = proxy.receive_session_finished().await.unwrap();
        let programs = proxy.list_programs().await.unwrap();
        assert!(programs.iter().any(|(id, name, _, secs)| id == "demo"
            && name == "Seventy-second demo"
            && *secs == 70.0));

        proxy.start("demo").await.unwrap();
        assert_eq!(proxy.state().await.unwrap(), "running");
        let step = tokio::time::timeout(Duration::from_secs(10), steps.next())
            .await
            .expect("StepStarted")
            .unwrap();
        assert_eq!(*step.args().unwrap().index(), 0);
        assert_eq!(step.args().unwrap().direction(), &"forward");

        proxy.pause().await.unwrap();
        proxy.pause().await.expect("Pause while paused is harmless");
        assert_eq!(proxy.state().await.unwrap(), "paused");
        let saw_paused = tokio::time::timeout(Duration::from_secs(10), async {
            while let Some(change) = changes.next().await {
                let args = change.args().unwrap();
                if args
                    .changed_properties()
                    .get("State")
                    .is_some_and(|v| format!("{v:?}").contains("paused"))
                {
                    return true;
                }
            }
            false
        })
        .await;
        assert_eq!(
            saw_paused,
            Ok(true),
            "a PropertiesChanged with State paused"
        );

        proxy.next().await.unwrap();
        let step = tokio::time::timeout(Duration::from_secs(10), steps.next())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (*step.args().unwrap().index(), step.args().unwrap().name()),
            (1, &"Backward")
        );
        proxy.resume().await.unwrap();
        proxy
            .resume()
            .await
            .expect("Resume while running is harmless");
        proxy.stop().await.unwrap();
        let end = tokio::time::timeout(Duration::from_secs(10), finished.next())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (
                end.args().unwrap().program(),
                *end.args().unwrap().completed()
            ),
            (&"demo", false)
        );
        assert_eq!(proxy.state().await.unwrap(), "stopped");
    });
}

#[test]
fn busctl_introspects_lists_starts_and_reads_properties() {
    let world = world(&[]);
    let (ok, out, _) = busctl(&world, &["introspect", OBJECT[0], OBJECT[1], OBJECT[2]]);
    assert!(ok);
    for member in [
        ".ListPrograms",
        ".Start",
        ".Pause",
        ".Resume",
        ".Stop",
        ".Next",
        ".Previous",
        ".Say",
        ".Reload",
        ".State",
        ".StepEndsAt",
        ".Volume",
        ".StepStarted",
        ".SessionFinished",
    ] {
        assert!(out.contains(member), "introspection lacks {member}");
    }
    assert_eq!(property(&world, "State"), "s \"idle\"");
    let (ok, _, err) = call(&world, "Start", &["s", "retro-first-steps"]);
    assert!(ok, "{err}");
    assert_eq!(property(&world, "State"), "s \"running\"");
    assert_eq!(property(&world, "Program"), "s \"retro-first-steps\"");
    assert_eq!(property(&world, "StepCount"), "u 14");
    assert_eq!(property(&world, "StepName"), "s \"Warm-up\"");
    assert_eq!(property(&world, "Units"), "s \"mph\"");
    let ends: i64 = property(&world, "StepEndsAt")
        .trim_start_matches("x ")
        .parse()
        .unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_micros() as i64;
    let left = (ends - now) as f64 / 1e6;
    assert!(
        (170.0..=181.0).contains(&left),
        "a client computes {left} s left in the 3-minute warm-up"
    );
    let (ok, _, _) = set_volume(&world, "d", "0.25");
    assert!(ok);
    assert_eq!(property(&world, "Volume"), "d 0.25");
}

#[test]
fn python_dbus_drives_the_daemon() {
    let world = world(&[]);
    let script = r#"
import sys, dbus
bus = dbus.bus.BusConnection(sys.argv[1])
obj = bus.get_object("io.github.treadcue.Treadcue1", "/io/github/treadcue/Treadcue1")
iface = dbus.Interface(obj, "io.github.treadcue.Treadcue1")
props = dbus.Interface(obj, "org.freedesktop.DBus.Properties")
iface.Start("retro-builder")
iface.Pause()
print(props.Get("io.github.treadcue.Treadcue1", "State"))
print(props.Get("io.github.treadcue.Treadcue1", "StepCount"))
try:
    iface.Start("no-such-program")
except dbus.exceptions.DBusException as e:
    print(e.get_dbus_name())
"#;
    let out = Command::new("/usr/bin/python3")
        .args(["-c", script, &world.bus.address])
        .output()
        .expect("python3 runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("No module named 'dbus'"),
        "python3-dbus is missing: install the Debian package python3-dbus (scripts/setup --test does)"
    );
    assert!(out.status.success(), "{stderr}");
    let lines: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(String::from)
        .collect();
    assert_eq!(
        lines,
        [
            "paused",
            "14",
            "io.github.treadcue.Treadcue1.Error.UnknownProgram"
        ]
    );
}

#[test]
fn every_malformed_call_gets_its_named_error_and_the_daemon_goes_on() {
    let mut world = world(&[]);
    let base = "io.github.treadcue.Treadcue1.Error";
    assert_eq!(
        error_name(&world, "Start", &["string:../../etc/passwd"]),
        format!("{base}.UnknownProgram")
    );
    assert_eq!(
        error_name(&world, "Start", &["string:"]),
        format!("{base}.UnknownProgram")
    );
    assert_eq!(
        error_name(&world, "Pause", &[]),
        format!("{base}.InvalidState")
    );
    assert_eq!(
        error_name(&world, "Next", &[]),
        format!("{base}.InvalidState")
    );
    assert_eq!(
        error_name(&world, "Start", &["int32:5"]),
        "org.freedesktop.DBus.Error.InvalidArgs"
    );
    // A method that takes no argument refuses one.
    assert_eq!(
        error_name(&world, "Web.PairingCode", &["string:123456"]),
        "org.freedesktop.DBus.Error.InvalidArgs"
    );
    assert_eq!(
        error_name(&world, "Say", &[&format!("string:{}", "x".repeat(10_000))]),
        format!("{base}.InvalidArgument")
    );
    assert_eq!(
        error_name(&world, "Say", &["string:   "]),
        format!("{base}.InvalidArgument")
    );
    let (ok, _, err) = set_volume(&world, "d", "3");
    assert!(!ok && err.contains("volume 3 is outside 0 to 1"), "{err}");
    let (ok, _, _) = set_volume(&world, "s", "loud");
    assert!(!ok);
    // Minus zero is zero, and reads back as 0.
    let (ok, _, err) = busctl(
        &world,
        &[
            "set-property",
            "--",
            OBJECT[0],
            OBJECT[1],
            OBJECT[2],
            "Volume",
            "d",
            "-0",
        ],
    );
    assert!(ok, "{err}");
    assert_eq!(property(&world, "Volume"), "d 0");
    let (ok, _, err) = call(&world, "Say", &["s", "Hello\u{7}\u{1b}[31m walker"]);
    assert!(
        ok,
        "control characters are dropped, the rest is said: {err}"
    );
    let (ok, _, _) = call(&world, "NoSuchMethod", &[]);
    assert!(!ok);
    assert!(world.daemon.is_running(), "{}", world.daemon.stderr());
    let (ok, _, _) = busctl(
        &world,
        &[
            "call",
            OBJECT[0],
            OBJECT[1],
            "org.freedesktop.DBus.Peer",
            "Ping",
        ],
    );
    assert!(ok, "the daemon still answers");
}

#[test]
fn treadcuectl_drives_the_daemon_and_says_when_it_is_not_running() {
    let mut world = world(&[]);
    let ctl = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_treadcuectl"))
            .args(["--bus-address", &world.bus.address])
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    assert!(ctl(&["list"]).1.contains("retro-rehab-30"));
    assert_eq!(ctl(&["start", "demo"]).0, Some(0));
    let (_, json, _) = ctl(&["status", "--json"]);
    let status: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        (status["state"].as_str(), status["step_count"].as_u64()),
        (Some("running"), Some(3)),
        "{}",
        world.daemon.stderr()
    );
    assert_eq!(ctl(&["toggle"]).0, Some(0));
    assert!(
        ctl(&["status"])
            .1
            .contains("Seventy-second demo (demo): paused")
    );
    ctl(&["toggle"]);
    assert!(ctl(&["status"]).1.contains(": running"));
    ctl(&["volume", "0.3"]);
    assert_eq!(ctl(&["volume"]).1.trim(), "0.30");
    let (code, _, err) = ctl(&["start", "nope"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("there is no program \"nope\""), "{err}");
    let _ = world.daemon.child.kill();
    let _ = world.daemon.child.wait();
    let out = Command::new(env!("CARGO_BIN_EXE_treadcuectl"))
        .args(["--bus-address", &world.bus.address, "status"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("treadcued is not running on the bus at")
    );
}

#[test]
fn a_broken_phrasebook_on_reload_is_refused_and_the_old_one_stays() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("en.toml");
    let english = treadcue::phrasebook::ENGLISH;
    std::fs::write(&book, english.replace("Halfway there.", "Half done.")).unwrap();
    let world = world(&["--phrasebook", book.to_str().unwrap()]);
    std::fs::write(&book, english.replace("[words]", "[wrods]")).unwrap();
    runtime().block_on(async {
        let (connection, proxy) = connect(&world).await;
        let _ = &connection;
        let mut errors = proxy.receive_config_error().await.unwrap();
        let reloaded = proxy.reload().await;
        let message = match reloaded {
            Err(zbus::Error::MethodError(name, Some(message), _)) => {
                assert_eq!(
                    name.as_str(),
                    "io.github.treadcue.Treadcue1.Error.InvalidArgument"
                );
                message
            }
            other => panic!("Reload of a broken phrasebook answered {other:?}"),
        };
        assert!(message.contains("unknown key `wrods`"), "{message}");
        let signal = tokio::time::timeout(Duration::from_secs(5), errors.next())
            .await
            .expect("a ConfigError signal")
            .unwrap();
        assert!(signal.args().unwrap().message().contains("wrods"));
        // The old phrasebook stays in force.
        proxy.start("demo").await.unwrap();
        assert_eq!(
            proxy.state().await.unwrap(),
            "running",
            "{}",
            world.daemon.stderr()
        );
    });
}

#[test]
fn treadcuectl_watch_follows_the_session_from_signals() {
    let world = world(&[]);
    let mut watch = Command::new(env!("CARGO_BIN_EXE_treadcuectl"))
        .args(["--bus-address", &world.bus.address, "watch"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = watch.stdout.take().unwrap();
    let (lines, said) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .for_each(|l| drop(lines.send(l)));
    });
    // Let watch subscribe before anything happens, on a busy machine too.
    std::thread::sleep(Duration::from_secs(2));
    call(&world, "Start", &["s", "demo"]);
    // A fresh sound server can take a few seconds to start a stream: wait
    // for the step to start, as watch reports it.
    let mut seen = Vec::new();
    while !seen.iter().any(|l: &String| l.contains("step 1 started")) {
        match said.recv_timeout(Duration::from_secs(20)) {
            Ok(line) => seen.push(line),
            Err(_) => panic!("watch never reported the step starting: {seen:?}"),
        }
    }
    call(&world, "Pause", &[]);
    call(&world, "Stop", &[]);
    while let Ok(line) = said.recv_timeout(Duration::from_secs(3)) {
        seen.push(line);
    }
    // The daemon goes, and comes back with the session restored: watch
    // says so, then shows the state read afresh.
    let mut world = world;
    call(&world, "Start", &["s", "demo"]);
    std::thread::sleep(Duration::from_secs(3));
    let _ = world.daemon.child.kill();
    let _ = world.daemon.child.wait();
    world.daemon = Daemon::start(&world.bus, &world._pulse.address(), &[]);
    while let Ok(line) = said.recv_timeout(Duration::from_secs(3)) {
        seen.push(line);
    }
    let _ = watch.kill();
    let _ = watch.wait();
    let text = seen.join("\n");
    assert_eq!(
        seen[0], "idle: no session",
        "it starts with the state now: {text}"
    );
    let gone = seen
        .iter()
        .position(|l| l == "treadcued is not running")
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        seen[gone..].iter().any(|l| l.starts_with("paused: step")),
        "back, paused, read afresh: {text}"
    );
    assert!(text.contains("step 1 started: Warm-up"), "{text}");
    assert!(text.contains("running: step 1 of 3 Warm-up"), "{text}");
    assert!(text.contains("paused: step 1 of 3 Warm-up"), "{text}");
    assert!(text.contains("session demo stopped"), "{text}");
}

/// A reload that takes the file but ignores some of it says so to the
/// caller, with the key it most likely meant.
#[test]
fn a_reload_tells_the_caller_what_it_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "[sound]\nvolume = 0.6\n").unwrap();
    let world = world(&["--config", config.to_str().unwrap()]);
    std::fs::write(&config, "volume = 0.5\n[sound]\nvolum = 0.4\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_treadcuectl"))
        .args(["--bus-address", &world.bus.address, "reload"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("unknown key `volume` ignored; did you mean `sound.volume`?"),
        "{said}"
    );
    assert!(
        said.contains("unknown key `sound.volum` ignored; did you mean `sound.volume`?"),
        "{said}"
    );
}

/// At the default level the log tells a session's story: the start of
/// the daemon, each session's start, pause, resume, steps and end.
#[test]
fn the_log_tells_what_each_session_did() {
    let world = world(&[]);
    call(&world, "Start", &["s", "demo"]);
    call(&world, "Pause", &[]);
    call(&world, "Resume", &[]);
    call(&world, "Next", &[]);
    call(&world, "Stop", &[]);
    std::thread::sleep(Duration::from_millis(300));
    let log = world.daemon.stderr();
    for line in [
        "programs ready, 0 broken",
        "demo: started, 3 steps, 70 s",
        "demo: paused (requested)",
        "demo: resumed",
        "demo: step 2 of 3, Backward (backward, 0.8 mph)",
        "demo: stopped at step 2 of 3",
    ] {
        assert!(log.contains(line), "no {line:?} in:\n{log}");
    }
}

/// A treadcuectl user reads words, not D-Bus method names, and a misspelt
/// program gets the nearest name.
#[test]
fn errors_speak_the_clients_language_and_suggest_a_program() {
    let world = world(&[]);
    let ctl = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_treadcuectl"))
            .args(["--bus-address", &world.bus.address])
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let said = ctl(&["start", "retro-buildr"]);
    assert!(said.contains("did you mean \"retro-builder\"?"), "{said}");
    let said = ctl(&["pause"]);
    assert!(
        said.contains("no session is running: start a program first"),
        "{said}"
    );
    assert!(!said.contains("Start("), "{said}");
}

/// A volume set through either interface is announced on both, and kept
/// across a restart.
#[test]
fn a_volume_change_is_told_on_both_interfaces_and_kept() {
    let mut world = world(&[]);
    let runtime = runtime();
    runtime.block_on(async {
        let (connection, proxy) = connect(&world).await;
        let mpris = zbus::fdo::PropertiesProxy::builder(&connection)
            .destination("org.mpris.MediaPlayer2.treadcue")
            .path("/org/mpris/MediaPlayer2")
            .build()
            .await
            .unwrap();
        let mut native_told = proxy.receive_volume_changed().await;
        let mut mpris_told = mpris.receive_properties_changed().await.unwrap();
        // The first item of a property stream is its value now.
        let _ = tokio::time::timeout(Duration::from_secs(2), native_told.next()).await;

        let (ok, _, err) = busctl(
            &world,
            &[
                "set-property",
                "org.mpris.MediaPlayer2.treadcue",
                "/org/mpris/MediaPlayer2",
                "org.mpris.MediaPlayer2.Player",
                "Volume",
                "d",
                "0.3",
            ],
        );
        assert!(ok, "{err}");
        let told = tokio::time::timeout(Duration::from_secs(5), native_told.next())
            .await
            .expect("the native interface told the MPRIS change")
            .unwrap();
        assert_eq!(told.get().await.unwrap(), 0.3);

        proxy.set_volume(0.4).await.unwrap();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            let change = tokio::time::timeout_at(deadline, mpris_told.next())
                .await
                .expect("MPRIS told the native change")
                .unwrap();
            let args = change.args().unwrap();
            // The MPRIS change of before may come first.
            let volume = args
                .changed_properties()
                .get("Volume")
                .filter(|_| args.interface_name() == "org.mpris.MediaPlayer2.Player")
                .map(|v| f64::try_from(v).unwrap());
            if volume == Some(0.4) {
                break;
            }
        }
    });
    let _ = world.daemon.child.kill();
    let _ = world.daemon.child.wait();
    world.daemon = Daemon::start(&world.bus, &world._pulse.address(), &[]);
    assert_eq!(property(&world, "Volume"), "d 0.4");

    // A kept volume that is garbage is said, and the config's is used.
    let _ = world.daemon.child.kill();
    let _ = world.daemon.child.wait();
    let kept = world.bus.dir().join("treadcue/volume");
    assert!(kept.exists(), "the volume is kept in {}", kept.display());
    std::fs::write(&kept, "loud\n").unwrap();
    world.daemon = Daemon::start(&world.bus, &world._pulse.address(), &[]);
    assert_eq!(property(&world, "Volume"), "d 0.8");
    let said = world.daemon.stderr();
    assert!(
        said.contains("the volume kept in")
            && said.contains("\"loud\"")
            && said.contains("is ignored"),
        "{said}"
    );
}

/// Broken programs do not vanish: `list --all` shows them with their first
/// error.
#[test]
fn list_all_shows_broken_programs_with_their_first_error() {
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(
        folder.path().join("knee.toml"),
        "name = \"Knee\"\n[[steps]]\nspeed = 1\n",
    )
    .unwrap();
    let world = world(&["--programs", folder.path().to_str().unwrap()]);
    let list = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_treadcuectl"))
            .args(["--bus-address", &world.bus.address, "list"])
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let is_ours = |l: &&str| l.split_whitespace().next() == Some("knee");
    assert!(!list(&[]).lines().any(|l| is_ours(&l)));
    let all = list(&["--all"]);
    let line = all.lines().find(is_ours).unwrap_or_else(|| panic!("{all}"));
    assert!(
        line.contains("broken") && line.contains("knee.toml:"),
        "{line}"
    );
}

/// `treadcuectl watch` in a real (pseudo-)terminal of 60 columns: space
/// pauses and resumes, `n` skips, `q` quits, and no line is drawn wider
/// than the terminal.
#[test]
fn treadcuectl_watch_in_a_terminal_fits_it_and_takes_keys() {
    let world = world(&[]);
    call(&world, "Start", &["s", "demo"]);
    let transcript = world.bus.dir().join("screen");
    // python3's pty module gives watch a terminal of a set size, types
    // the keys a second apart and keeps what was drawn.
    let script = r#"
import os, pty, sys, time, fcntl, termios, struct, select
ctl, address, out = sys.argv[1], sys.argv[2], sys.argv[3]
pid, fd = pty.fork()
if pid == 0:
    os.execv(ctl, [ctl, "--bus-address", address, "watch"])
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 60, 0, 0))
drawn = b""
def read_for(seconds):
    global drawn
    end = time.time() + seconds
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                drawn += os.read(fd, 65536)
            except OSError:
                return
for key in [b"", b" ", b" ", b"n", b"q"]:
    if key:
        os.write(fd, key)
    read_for(1.5)
_, status = os.waitpid(pid, 0)
open(out, "wb").write(drawn)
sys.exit(os.waitstatus_to_exitcode(status))
"#;
    let out = Command::new("python3")
        .args([
            "-c",
            script,
            env!("CARGO_BIN_EXE_treadcuectl"),
            &world.bus.address,
        ])
        .arg(&transcript)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "watch did not quit on q: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let drawn = String::from_utf8_lossy(&std::fs::read(&transcript).unwrap()).into_owned();
    // Without the escape sequences, every line fits 60 columns.
    let plain = strip_escapes(&drawn);
    for line in plain.split(['\r', '\n']) {
        assert!(
            line.chars().count() <= 60,
            "{} columns: {line:?}",
            line.chars().count()
        );
    }
    assert!(plain.contains("next: Backward at 0.8 mph"), "{plain}");
    assert!(plain.contains("paused (requested)"), "{plain}");
    // Space paused, space resumed, n skipped to the second step.
    assert_eq!(property(&world, "State"), "s \"running\"");
    assert_eq!(property(&world, "StepIndex"), "u 1");
}

/// The text of a terminal transcript without its escape sequences.
fn strip_escapes(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            if chars.peek() == Some(&'[') {
                chars.next();
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
            continue;
        }
        out.push(c);
    }
    out
}

/// The interface's properties are the status's one table: the same
/// names, with the types the table's values carry, and nothing besides
/// (the web remote's JSON and every PropertiesChanged come from the same
/// table).
#[test]
fn the_properties_on_the_bus_are_the_status_table() {
    use treadcue::session::{Property, Session};
    let world = world(&[]);
    let (ok, out, err) = busctl(&world, &["introspect", OBJECT[0], OBJECT[1], OBJECT[2]]);
    assert!(ok, "{err}");
    let on_bus: Vec<(String, String)> = out
        .lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>())
        .filter(|cols| cols.get(1) == Some(&"property") && cols[0].starts_with('.'))
        .map(|cols| (cols[0][1..].to_string(), cols[2].to_string()))
        .collect();
    let mut table: Vec<(String, String)> = Session::default()
        .status()
        .properties()
        .into_iter()
        .map(|(name, value)| {
            let signature = match value {
                Property::Text(_) => "s",
                Property::Number(_) => "d",
                Property::Count(_) => "u",
                Property::Time(_) => "x",
                Property::Flag(_) => "b",
            };
            (name.to_string(), signature.to_string())
        })
        .collect();
    let mut on_bus_sorted = on_bus.clone();
    on_bus_sorted.sort();
    table.sort();
    assert_eq!(on_bus_sorted, table, "busctl introspect:\n{out}");
}
