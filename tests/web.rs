//! The web remote over real HTTP on 127.0.0.1, with curl as the client:
//! pairing, every call refused without a token, the controls checked on
//! D-Bus as well, the event stream, and bad requests.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::bus::{Daemon, PrivateBus};
use support::pulse::PulseServer;
use support::remote::{Remote, remote};
use support::world::playerctl_on;

#[test]
fn every_call_needs_a_paired_phone_and_pairing_takes_the_right_code_only() {
    let remote = remote();
    for (method, path) in [
        ("GET", "/api/status"),
        ("GET", "/api/programs"),
        ("POST", "/api/pause"),
        ("POST", "/api/stop"),
        ("GET", "/api/history"),
        ("GET", "/api/events"),
        ("POST", "/api/today"),
        ("PUT", "/api/volume"),
    ] {
        let (status, reply) = remote.json(method, path, Some("{}"));
        assert_eq!(
            (status, reply["error"].as_str()),
            (401, Some("Unauthorized")),
            "{method} {path}"
        );
    }
    // The page itself loads, to show the pairing screen.
    let (status, page) = remote.curl("GET", "/", None, &[]);
    assert_eq!(status, 200);
    assert!(page.contains("Pair this phone"));

    // Asking for a code speaks it; the reply never carries it.
    let (status, reply) = remote.json("POST", "/api/pair/request", None);
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["expires_in"], 120);
    assert!(reply.get("code").is_none());
    // Asked again at once, it is not said over the coaching again.
    let (status, reply) = remote.json("POST", "/api/pair/request", None);
    assert_eq!(
        (status, reply["error"].as_str()),
        (429, Some("TooSoon")),
        "{reply}"
    );

    let code = remote.pairing_code();
    let wrong = if code == "123456" { "654321" } else { "123456" };
    let (status, reply) = remote.json(
        "POST",
        "/api/pair",
        Some(&format!("{{\"code\": \"{wrong}\"}}")),
    );
    assert_eq!((status, reply["error"].as_str()), (403, Some("WrongCode")));
    let (status, _) = remote.json(
        "POST",
        "/api/pair",
        Some(&format!("{{\"code\": \"{code}\"}}")),
    );
    assert_eq!(status, 200);
    let (status, reply) = remote.json("GET", "/api/status", None);
    assert_eq!((status, reply["State"].as_str()), (200, Some("idle")));
    // The same code twice is refused: codes are for one phone.
    let (status, _) = remote.json(
        "POST",
        "/api/pair",
        Some(&format!("{{\"code\": \"{code}\"}}")),
    );
    assert_eq!(status, 403);

    // The phone is listed, and once forgotten it is refused.
    let devices = remote.bus.ctl(&["web", "devices", "--json"]);
    let devices: serde_json::Value = serde_json::from_slice(&devices.stdout).unwrap();
    assert_eq!(devices.as_array().unwrap().len(), 1);
    let id = devices[0]["id"].as_str().unwrap();
    assert!(remote.bus.ctl(&["web", "forget", id]).status.success());
    let (status, _) = remote.json("GET", "/api/status", None);
    assert_eq!(status, 401);
    assert!(
        !remote.bus.ctl(&["web", "forget", id]).status.success(),
        "gone already"
    );
}

#[test]
fn five_wrong_codes_lock_out_their_address_only_and_are_logged_as_a_rate() {
    let remote = remote();
    let code = remote.pairing_code();
    let wrong = if code == "000000" { "000001" } else { "000000" };
    for _ in 0..5 {
        let (status, _) = remote.json(
            "POST",
            "/api/pair",
            Some(&format!("{{\"code\": \"{wrong}\"}}")),
        );
        assert_eq!(status, 403);
    }
    let (status, reply) = remote.json(
        "POST",
        "/api/pair",
        Some(&format!("{{\"code\": \"{code}\"}}")),
    );
    assert_eq!(
        (status, reply["error"].as_str()),
        (429, Some("PairingLocked")),
        "{reply}"
    );
    // The walker's own way stays open, and a phone elsewhere pairs.
    let code = remote.pairing_code();
    let (status, body) = remote.curl(
        "POST",
        "/api/pair",
        Some(&format!("{{\"code\": \"{code}\"}}")),
        &["--interface", "127.0.0.2"],
    );
    assert_eq!(status, 200, "{body}");
    let log = remote.daemon.stderr();
    assert!(log.contains("wrong pairing codes from 127.0.0.1"), "{log}");
    assert!(log.contains("a phone was paired from 127.0.0.2"), "{log}");
}

#[test]
fn the_controls_act_on_the_one_session_every_front_end_sees() {
    let remote = remote();
    remote.pair();
    let (status, reply) = remote.json("POST", "/api/start", Some("{\"program\": \"demo\"}"));
    assert_eq!(
        (status, reply["Program"].as_str()),
        (200, Some("demo")),
        "{reply}"
    );
    assert_eq!(remote.dbus_state(), "running");
    let (_, reply) = remote.json("POST", "/api/pause", None);
    assert_eq!(reply["State"], "paused");
    assert_eq!(remote.dbus_state(), "paused");
    assert_eq!(playerctl_on(&remote.bus, &["status"]), "Paused");
    let (_, reply) = remote.json("POST", "/api/resume", None);
    assert_eq!(reply["State"], "running");
    let (_, reply) = remote.json("POST", "/api/next", None);
    assert_eq!(reply["StepIndex"], 1);
    assert_eq!(remote.bus.status()["step_index"], 1);
    let (_, reply) = remote.json("PUT", "/api/volume", Some("{\"volume\": 0.6}"));
    assert_eq!(reply["Volume"], 0.6);
    assert_eq!(remote.bus.status()["volume"], 0.6);
    let (status, reply) = remote.json("PUT", "/api/volume", Some("{\"volume\": 7}"));
    assert_eq!(
        (status, reply["error"].as_str()),
        (400, Some("InvalidArgument"))
    );
    let (status, reply) = remote.json("POST", "/api/start", Some("{\"program\": \"dem\"}"));
    assert_eq!(
        (status, reply["error"].as_str()),
        (404, Some("UnknownProgram"))
    );
    assert!(
        reply["message"]
            .as_str()
            .unwrap()
            .contains("did you mean \"demo\"")
    );
    let (_, reply) = remote.json("POST", "/api/stop", None);
    assert_eq!(reply["State"], "stopped");
    let (status, reply) = remote.json("POST", "/api/pause", None);
    assert_eq!(
        (status, reply["error"].as_str()),
        (409, Some("InvalidState"))
    );
    let (_, history) = remote.json("GET", "/api/history", None);
    assert_eq!(history.as_array().unwrap().len(), 1);
    assert_eq!(history[0]["program"], "demo");

    // The session as a FIT file to download, and clear errors around it.
    let session = history[0]["session"].as_i64().unwrap();
    let url = format!("{}/api/sessions/{session}/fit", remote.base);
    let jar = remote.jar.path().to_str().unwrap();
    let out = std::process::Command::new("curl")
        .args(["-s", "-f", "-b", jar, &url])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let bytes = out.stdout;
    assert_eq!(&bytes[8..12], b".FIT", "a FIT file's header");
    for (path, code, error) in [
        (
            format!("/api/sessions/{session}/gpx"),
            400,
            "InvalidArgument",
        ),
        ("/api/sessions/soon/fit".to_string(), 400, "InvalidArgument"),
        (
            format!("/api/sessions/{}/fit", session + 1),
            404,
            "UnknownSession",
        ),
    ] {
        let (status, reply) = remote.json("GET", &path, None);
        assert_eq!(status, code, "{path}: {reply}");
        assert_eq!(reply["error"], error, "{path}: {reply}");
    }
}

#[test]
fn the_event_stream_tells_a_pause_made_with_playerctl() {
    let remote = remote();
    remote.pair();
    remote.json("POST", "/api/start", Some("{\"program\": \"demo\"}"));
    let jar = remote.jar.path().to_str().unwrap().to_string();
    let mut stream = Command::new("curl")
        .args([
            "-s",
            "-N",
            "-b",
            &jar,
            &format!("{}/api/events", remote.base),
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(stream.stdout.take().unwrap()).lines();
    let mut next_status = || -> serde_json::Value {
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut event = String::new();
        loop {
            assert!(Instant::now() < deadline, "no status event");
            let line = lines.next().unwrap().unwrap();
            if let Some(name) = line.strip_prefix("event: ") {
                event = name.to_string();
            } else if let Some(data) = line.strip_prefix("data: ")
                && event == "status"
            {
                return serde_json::from_str(data).unwrap();
            }
        }
    };
    assert_eq!(next_status()["State"], "running", "the state of now first");
    playerctl_on(&remote.bus, &["pause"]);
    loop {
        if next_status()["State"] == "paused" {
            break;
        }
    }
    let _ = stream.kill();
    let _ = stream.wait();
}

#[test]
fn bad_requests_get_clear_errors_and_change_nothing() {
    let remote = remote();
    remote.pair();
    let (status, reply) = remote.json("POST", "/api/start", Some("{\"program\": "));
    assert_eq!(
        (status, reply["error"].as_str()),
        (400, Some("InvalidArgument")),
        "{reply}"
    );
    let (status, reply) = remote.json("POST", "/api/start", Some("{\"programme\": \"demo\"}"));
    assert_eq!(status, 422, "{reply}");
    let big = format!("{{\"program\": \"{}\"}}", "x".repeat(20_000));
    let (status, reply) = remote.json("POST", "/api/start", Some(&big));
    assert_eq!(
        (status, reply["error"].as_str()),
        (413, Some("TooLarge")),
        "{reply}"
    );
    let (status, reply) = remote.json("GET", "/api/nothing", None);
    assert_eq!((status, reply["error"].as_str()), (404, Some("NotFound")));
    let (status, reply) = remote.json("DELETE", "/api/status", None);
    assert_eq!(
        (status, reply["error"].as_str()),
        (405, Some("MethodNotAllowed"))
    );
    // Another site open on the phone cannot drive the coach.
    let (status, _) = remote.curl(
        "POST",
        "/api/start",
        Some("{\"program\": \"demo\"}"),
        &["-H", "Origin: http://evil.example"],
    );
    assert_eq!(status, 403);
    assert_eq!(remote.dbus_state(), "idle", "nothing started");
}

#[test]
fn a_paired_phone_stays_paired_across_a_restart() {
    let mut remote = remote();
    remote.pair();
    let args = ["--web", remote.base.trim_start_matches("http://")];
    remote.daemon.child.kill().unwrap();
    remote.daemon.child.wait().unwrap();
    remote.daemon = Daemon::start(&remote.bus, &remote._pulse.address(), &args);
    let (status, reply) = remote.json("GET", "/api/status", None);
    assert_eq!(status, 200, "{reply}");
}

/// SIGTERM with phones watching: the event streams end and the daemon
/// exits as quickly as without them.
#[test]
fn sigterm_ends_open_event_streams_and_exits_promptly() {
    let mut remote = remote();
    remote.pair();
    let jar = remote.jar.path().to_str().unwrap().to_string();
    let mut streams: Vec<std::process::Child> = (0..3)
        .map(|_| {
            Command::new("curl")
                .args([
                    "-s",
                    "-N",
                    "-b",
                    &jar,
                    &format!("{}/api/events", remote.base),
                ])
                .stdout(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    let asked = Instant::now();
    unsafe { libc::kill(remote.daemon.child.id() as i32, libc::SIGTERM) };
    let exit = remote.daemon.child.wait().unwrap();
    assert!(exit.success(), "{exit}");
    assert!(
        asked.elapsed() < Duration::from_secs(3),
        "{:?}",
        asked.elapsed()
    );
    for stream in &mut streams {
        let ended = stream.wait().unwrap();
        assert!(ended.success(), "the stream ended cleanly: {ended}");
    }
}

/// Phones that misbehave cannot hold anyone up: 64 event streams at most
/// (the next is refused with 503), one that never reads its stream, and
/// one that sends its request a byte at a time; meanwhile the bus and
/// other phones are answered and the session plays on.
#[test]
fn slow_and_stalled_clients_hold_nothing_up_and_streams_are_bounded() {
    use std::io::Write;
    let remote = remote();
    remote.pair();
    let address = remote.base.trim_start_matches("http://").to_string();
    // 64 streams, none of them read: the server writes into full buffers.
    let streams = remote.stalled_streams(64);
    std::thread::sleep(Duration::from_millis(500));
    let (status, reply) = remote.json("GET", "/api/events", None);
    assert_eq!(
        (status, reply["error"].as_str()),
        (503, Some("TooManyStreams"))
    );
    // A request trickling in a byte at a time.
    let mut slow = std::net::TcpStream::connect(&address).unwrap();
    let trickle = std::thread::spawn(move || {
        for byte in b"GET /api/status HTTP/1.1\r\n" {
            if slow.write_all(&[*byte]).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    });
    remote.json("POST", "/api/start", Some("{\"program\": \"demo\"}"));
    let mut last = -1.0;
    for _ in 0..20 {
        // Each change is told to 64 streams that never read.
        let (status, reply) = remote.json("POST", "/api/next", None);
        if status == 409 {
            remote.json("POST", "/api/previous", None);
            remote.json("POST", "/api/previous", None);
            continue;
        }
        assert_eq!(status, 200, "{reply}");
        let on_bus = remote.bus.status();
        assert_eq!(
            on_bus["step_index"], reply["StepIndex"],
            "D-Bus and the web agree"
        );
        assert!(on_bus["state"] == "running");
        last = on_bus["session_left"].as_f64().unwrap();
    }
    assert!(last >= 0.0);
    // The sound went on: the daemon's clock moved while all this went on.
    let before = remote.bus.status()["session_left"].as_f64().unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let after = remote.bus.status()["session_left"].as_f64().unwrap();
    assert!(
        after < before - 0.5,
        "the session played on: {before} then {after}"
    );
    drop(streams);
    trickle.join().unwrap();
    // Once closed, the streams are counted out again.
    std::thread::sleep(Duration::from_millis(500));
    let jar = remote.jar.path().to_str().unwrap().to_string();
    let mut one = Command::new("curl")
        .args([
            "-s",
            "-N",
            "-b",
            &jar,
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
        ])
        .arg(format!("{}/api/events", remote.base))
        .args(["--max-time", "1"])
        .output()
        .unwrap();
    one.stdout.retain(|b| !b.is_ascii_whitespace());
    assert_eq!(String::from_utf8_lossy(&one.stdout), "200");
}

/// Countdown ticks stay a second apart, as heard on the sound server,
/// while 64 event streams that never read are open and a phone polls
/// the status as fast as it can: the web shares the daemon, not the
/// sound's timing.
#[test]
fn the_sound_keeps_time_with_64_stalled_streams_open() {
    const TICKS: &str = "name = \"Ticks\"\n[cues]\nbriefing = false\ncountdown = 5\n\
        [[steps]]\ndirection = \"forward\"\nduration = \"12s\"\nspeed = 1.5\n\
        [[steps]]\ndirection = \"forward\"\nduration = \"12s\"\nspeed = 2.5\n";
    support::require("curl", "curl");
    let programs = tempfile::tempdir().unwrap();
    std::fs::write(programs.path().join("ticks.toml"), TICKS).unwrap();
    let pulse = PulseServer::start();
    let bus = PrivateBus::start(None);
    let address = format!("127.0.0.1:{}", support::free_port());
    let daemon = Daemon::start(
        &bus,
        &pulse.address(),
        &[
            "--web",
            &address,
            "--programs",
            programs.path().to_str().unwrap(),
        ],
    );
    let remote = Remote {
        _pulse: pulse,
        bus,
        daemon,
        base: format!("http://{address}"),
        jar: tempfile::NamedTempFile::new().unwrap(),
    };
    remote.pair();
    let (_, reply) = remote.json("GET", "/api/status", None);
    assert_eq!(reply["State"], "idle");
    let _streams = remote.stalled_streams(64);
    let recording = remote._pulse.record();
    remote.json("POST", "/api/start", Some("{\"program\": \"ticks\"}"));
    let deadline = Instant::now() + Duration::from_secs(40);
    while remote.json("GET", "/api/status", None).1["State"] != "finished" {
        assert!(Instant::now() < deadline, "the session never finished");
    }
    let samples = recording.finish();
    let heard = support::signal::onsets(&samples, 0.01, support::pulse::RATE as usize / 5);
    let second = i64::from(support::pulse::RATE);
    let on_time = heard
        .windows(2)
        .filter(|w| ((w[1] - w[0]) as i64 - second).abs() * 1000 < 5 * second)
        .count();
    // Two countdowns of five ticks and a go tone, and the finish: at
    // least ten gaps of one second, each within 5 ms. A device that ran
    // dry or was lost for a moment (it says so) makes what follows late:
    // each such moment may cost the gap it falls in. So may one moment
    // on the sound server's or the recorder's side, which treadcue cannot
    // see (a one-off shift of a few ms with every other gap exact, seen
    // with the cores busy); a sound that drifts or stalls with the
    // streams misses them all.
    let log = remote.daemon.stderr();
    let late = log.matches("ran dry").count() + log.matches("audio device lost").count();
    let wanted = 9usize.saturating_sub(late).max(5);
    assert!(
        on_time >= wanted,
        "{on_time} one-second gaps among {heard:?}; the device said:\n{log}"
    );
}

/// `[web] listen` in the config file turns the remote on; a reload that
/// moves it says it waits for a restart, and one that breaks it is
/// refused with the key named.
#[test]
fn the_config_files_web_listen_is_served_and_a_reload_says_what_waits() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("treadcue.toml");
    let listen = format!("127.0.0.1:{}", support::free_port());
    std::fs::write(&config, format!("[web]\nlisten = \"{listen}\"\n")).unwrap();
    let pulse = PulseServer::start();
    let bus = PrivateBus::start(None);
    let daemon = Daemon::start(
        &bus,
        &pulse.address(),
        &["--config", config.to_str().unwrap()],
    );
    let remote = Remote {
        _pulse: pulse,
        bus,
        daemon,
        base: format!("http://{listen}"),
        jar: tempfile::NamedTempFile::new().unwrap(),
    };
    let (status, _) = remote.json("GET", "/api/status", None);
    assert_eq!(status, 401, "served, and asking for pairing");

    let moved = format!("127.0.0.1:{}", support::free_port());
    std::fs::write(&config, format!("[web]\nlisten = \"{moved}\"\n")).unwrap();
    let out = remote.bus.ctl(&["reload"]);
    assert!(out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("[web] listen changed: it takes effect when treadcued restarts"),
        "{said}"
    );

    std::fs::write(&config, "[web]\nlisten = \"everywhere\"\n").unwrap();
    let out = remote.bus.ctl(&["reload"]);
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("[web] listen \"everywhere\" is not an address"),
        "{said}"
    );
    let (status, _) = remote.json("GET", "/api/status", None);
    assert_eq!(status, 401, "still served where it was");
}

/// Hundreds of connections that send nothing: the daemon keeps its file
/// descriptors (a session still starts and ends in the history), and
/// the idle ones are closed after the idle limit, so phones get in again.
#[test]
fn a_flood_of_idle_connections_is_bounded_and_closed() {
    let remote = remote();
    remote.pair();
    let address = remote.base.trim_start_matches("http://").to_string();
    let idle: Vec<std::net::TcpStream> = (0..300)
        .filter_map(|_| std::net::TcpStream::connect(&address).ok())
        .collect();
    assert!(idle.len() >= 256, "{} connections made", idle.len());
    // The rest of the daemon goes on.
    assert!(remote.bus.ctl(&["start", "demo"]).status.success());
    assert!(remote.bus.ctl(&["stop"]).status.success());
    let history = remote.bus.ctl(&["history", "--json"]);
    let history: serde_json::Value = serde_json::from_slice(&history.stdout).unwrap();
    assert_eq!(
        history.as_array().unwrap().len(),
        1,
        "the session was recorded"
    );
    // Past the idle limit, the idle connections are gone and a phone is
    // answered again.
    std::thread::sleep(Duration::from_secs(22));
    let (status, reply) = remote.json("GET", "/api/status", None);
    assert_eq!((status, reply["State"].as_str()), (200, Some("stopped")));
    drop(idle);
}

/// `GET /api/status` carries every property of the native D-Bus
/// interface, by the same names, with the same values.
#[test]
fn the_status_has_every_dbus_property_by_its_name() {
    let remote = remote();
    remote.pair();
    remote.json("POST", "/api/start", Some("{\"program\": \"demo\"}"));
    remote.json("POST", "/api/pause", None);
    let out = remote.bus.busctl(&[
        "introspect",
        "io.github.treadcue.Treadcue1",
        "/io/github/treadcue/Treadcue1",
        "io.github.treadcue.Treadcue1",
    ]);
    let introspected = String::from_utf8_lossy(&out.stdout);
    let properties: Vec<&str> = introspected
        .lines()
        .filter(|l| l.contains(" property "))
        .filter_map(|l| l.split_whitespace().next())
        .map(|name| name.trim_start_matches('.'))
        .collect();
    assert!(properties.len() >= 20, "{introspected}");
    let (_, status) = remote.json("GET", "/api/status", None);
    for name in &properties {
        assert!(
            status.get(*name).is_some(),
            "{name} is missing from {status}"
        );
    }
    let out = remote.bus.busctl(&[
        "get-property",
        "io.github.treadcue.Treadcue1",
        "/io/github/treadcue/Treadcue1",
        "io.github.treadcue.Treadcue1",
        "StepName",
    ]);
    let step_name = String::from_utf8_lossy(&out.stdout);
    let expected = format!("s \"{}\"", status["StepName"].as_str().unwrap());
    assert_eq!(step_name.trim(), expected, "{status}");
    assert_eq!(status["State"], "paused");
}
