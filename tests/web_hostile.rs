//! The web remote on a hostile network, from the attacker's side (raw
//! sockets from other addresses, foreign `Host` and `Origin` headers),
//! with a paired phone measured at the same time: the phone is answered,
//! and the headphones stay the walker's.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use support::remote::{Remote, connect_from, idle_flood, remote, remote_with, trickle_headers};

/// The paired phone's slowest answer to `GET /api/status` over `calls`.
fn slowest_status(remote: &Remote, calls: usize) -> Duration {
    (0..calls)
        .map(|_| {
            let asked = Instant::now();
            let (status, body) = remote.curl("GET", "/api/status", None, &["--max-time", "5"]);
            assert_eq!(status, 200, "the paired phone was refused: {body}");
            asked.elapsed()
        })
        .max()
        .unwrap_or_default()
}

fn address(remote: &Remote) -> String {
    remote.base.trim_start_matches("http://").to_string()
}

/// Whether the server has closed `stream` (reads end, or fail), waiting
/// up to `within`.
fn closed_by_server(stream: &mut TcpStream, within: Duration) -> bool {
    stream.set_read_timeout(Some(within)).unwrap();
    let mut buffer = [0u8; 65536];
    let until = Instant::now() + within;
    while Instant::now() < until {
        match stream.read(&mut buffer) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return false,
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => return false,
            Err(_) => return true,
        }
    }
    false
}

#[test]
fn a_foreign_host_is_refused_so_a_rebound_page_cannot_make_it_speak() {
    let remote = remote_with(&["--web-host", "treadmill.example"]);
    let port = remote.base.rsplit(':').next().unwrap().to_string();
    // What a page rebound to the Pi sends: its own name as Host, and as
    // Origin.
    for path in ["/", "/api/pair/request", "/api/status"] {
        let method = if path == "/api/pair/request" {
            "POST"
        } else {
            "GET"
        };
        let (status, body) = remote.curl(
            method,
            path,
            None,
            &[
                "-H",
                &format!("Host: evil.example:{port}"),
                "-H",
                &format!("Origin: http://evil.example:{port}"),
            ],
        );
        assert_eq!(status, 421, "{path}: {body}");
        if path != "/" {
            assert!(body.contains("UnknownHost"), "{body}");
        }
    }
    assert!(
        !remote.daemon.stderr().contains("the code was spoken"),
        "nothing was said"
    );
    // The machine's own names and addresses, and the configured one.
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("treadmill.example:{port}"),
        format!("[::1]:{port}"),
    ] {
        let (status, _) = remote.curl("GET", "/", None, &["-H", &format!("Host: {host}")]);
        assert_eq!(status, 200, "{host}");
    }
}

#[test]
fn a_pairing_code_is_never_said_over_a_session_nor_replaces_one_being_typed() {
    let remote = remote();
    remote.pair();
    assert!(remote.bus.ctl(&["start", "demo"]).status.success());
    // A stranger's request while the walker walks: refused, and silent.
    let (status, body) = remote.curl("POST", "/api/pair/request", None, &["-b", "/dev/null"]);
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("PairingBusy"), "{body}");
    // Paused, a phone may ask: one code is said.
    assert!(remote.bus.ctl(&["pause"]).status.success());
    let (status, body) = remote.curl("POST", "/api/pair/request", None, &[]);
    assert_eq!(status, 200, "{body}");
    // Asking again does not say another, however asked.
    for extra in [&[][..], &["--interface", "127.0.0.3"][..]] {
        let (status, body) = remote.curl("POST", "/api/pair/request", None, extra);
        assert!(status == 429 || status == 409, "{status} {body}");
    }
    let spoken = remote
        .daemon
        .stderr()
        .matches("the code was spoken")
        .count();
    assert_eq!(spoken, 1, "one code said");
    // The walker's own say (the local path) gives a code at any time.
    assert_eq!(remote.pairing_code().len(), 6);
}

#[test]
fn a_header_trickle_from_one_address_is_closed_and_the_phone_is_answered_at_once() {
    let remote = remote();
    remote.pair();
    let address = address(&remote);
    let stop = Arc::new(AtomicBool::new(false));
    // 300 connections from one address, each sending its headers a byte
    // a second.
    let mut slow: Vec<TcpStream> = (0..300)
        .filter_map(|_| connect_from("127.0.0.7", &address).ok())
        .collect();
    let trickle = {
        let writers: Vec<TcpStream> = slow.iter().map(|s| s.try_clone().unwrap()).collect();
        let stop = stop.clone();
        std::thread::spawn(move || trickle_headers(writers, stop))
    };
    std::thread::sleep(Duration::from_secs(2));
    let slowest = slowest_status(&remote, 20);
    assert!(
        slowest < Duration::from_secs(1),
        "the paired phone waited {slowest:?}"
    );
    // The request deadline closes every one of them, trickling or not.
    let started = Instant::now();
    for stream in &mut slow {
        let left = Duration::from_secs(20).saturating_sub(started.elapsed());
        assert!(
            closed_by_server(stream, left.max(Duration::from_millis(10))),
            "a trickling connection still open after {:?}",
            started.elapsed()
        );
    }
    stop.store(true, Ordering::SeqCst);
    trickle.join().unwrap();
    assert!(
        remote
            .daemon
            .stderr()
            .contains("too many open from 127.0.0.7")
    );
}

#[test]
fn idle_connections_reopened_as_closed_do_not_keep_the_phone_waiting() {
    let remote = remote();
    remote.pair();
    let address = address(&remote);
    let stop = Arc::new(AtomicBool::new(false));
    // 400 idle connections from one address, each reopened when closed.
    let flood = {
        let stop = stop.clone();
        std::thread::spawn(move || idle_flood("127.0.0.8", &address, stop))
    };
    std::thread::sleep(Duration::from_secs(2));
    let slowest = slowest_status(&remote, 30);
    stop.store(true, Ordering::SeqCst);
    let opened = flood.join().unwrap();
    assert!(opened >= 400, "{opened} connections opened");
    assert!(
        slowest < Duration::from_secs(1),
        "the paired phone waited {slowest:?}"
    );
}

#[test]
fn the_history_comes_in_pages() {
    let remote = remote();
    // 3000 sessions, written as the daemon writes them.
    let lines: String = (0..3000)
        .map(|n| {
            serde_json::json!({
                "program": "demo", "program_name": format!("Walk {n}"),
                "start": "2026-01-01T00:00:00Z", "end": "2026-01-01T00:01:00Z",
                "steps_done": 3, "step_count": 3, "completed": true,
                "outcome": "finished", "walked": 60.0, "session": 1_767_225_600_000_000i64 + n,
            })
            .to_string()
                + "\n"
        })
        .collect();
    std::fs::write(remote.bus.dir().join("treadcue/history.jsonl"), lines).unwrap();
    remote.pair();
    let names = |path: &str| -> Vec<String> {
        let (status, reply) = remote.json("GET", path, None);
        assert_eq!(status, 200, "{reply}");
        reply
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["program_name"].as_str().unwrap().to_string())
            .collect()
    };
    let newest = names("/api/history");
    assert_eq!(newest.len(), 200);
    assert_eq!(newest.last().unwrap(), "Walk 2999");
    assert_eq!(newest[0], "Walk 2800");
    assert_eq!(
        names("/api/history?limit=3&offset=10"),
        ["Walk 2987", "Walk 2988", "Walk 2989"]
    );
    assert!(names("/api/history?offset=5000").is_empty());
    let (_, head) = remote.curl("GET", "/api/history?limit=1", None, &["-D", "-"]);
    assert!(
        head.to_ascii_lowercase().contains("x-total-count: 3000"),
        "{head}"
    );
    // D-Bus likewise.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (rows, total) = runtime.block_on(async {
        let connection = zbus::connection::Builder::address(remote.bus.address.as_str())
            .build()
            .await
            .unwrap();
        let proxy = treadcue::treadcuectl::TreadcueProxy::new(&connection)
            .await
            .unwrap();
        assert!(proxy.history_page(0, 1001).await.is_err());
        proxy.history_page(10, 3).await.unwrap()
    });
    assert_eq!(total, 3000);
    let names: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
    assert_eq!(names, ["Walk 2987", "Walk 2988", "Walk 2989"]);
    for bad in ["limit=0", "limit=1001", "limit=x", "page=2"] {
        let (status, reply) = remote.json("GET", &format!("/api/history?{bad}"), None);
        assert_eq!(
            (status, reply["error"].as_str()),
            (400, Some("InvalidArgument")),
            "{bad}"
        );
    }
}

#[test]
fn an_event_stream_whose_client_stopped_reading_is_closed() {
    let remote = remote();
    remote.pair();
    let address = address(&remote);
    // A client with a small window that asks for the events and never
    // reads them.
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let to: std::net::SocketAddr = address.parse().unwrap();
    socket.connect(&to.into()).unwrap();
    let mut stalled: TcpStream = socket.into();
    let request = format!(
        "GET /api/events HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {}\r\n\r\n",
        remote.token()
    );
    stalled.write_all(request.as_bytes()).unwrap();
    // Changes to tell it: far more than its window and the server's
    // buffer hold.
    for n in 0..150 {
        let volume = format!("{{\"volume\": {}}}", f64::from(n % 10) / 10.0);
        let (status, _) = remote.curl("PUT", "/api/volume", Some(&volume), &[]);
        assert_eq!(status, 200);
    }
    // Past the write stall limit the server has given up on it: what is
    // left to read ends.
    std::thread::sleep(Duration::from_secs(12));
    assert!(
        closed_by_server(&mut stalled, Duration::from_secs(10)),
        "the stream is still open"
    );
    // A stream that reads is kept.
    let (status, _) = remote.curl("GET", "/api/events", None, &["-N", "--max-time", "1"]);
    assert_eq!(status, 200);
}
