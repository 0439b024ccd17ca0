//! Web remote benchmark: prints figures, asserts nothing. Run with
//! `cargo bench --bench web`. It runs the release `treadcued` with the
//! web remote on a private dbus-daemon and PulseAudio, and measures:
//!
//! - everything the first page load transfers;
//! - from a D-Bus `Pause` (or `Resume`) to its event on an open event
//!   stream, on loopback;
//! - the idle daemon's resident memory with the web remote on;
//! - a paired phone's answer times while one address attacks (headers
//!   trickled, idle connections, wrong pairing codes), beside a D-Bus
//!   round trip.

#[path = "../../tests/support/mod.rs"]
mod support;

mod attacks;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use support::bus::{Daemon, PrivateBus};
use support::pulse::PulseServer;
use treadcue::treadcuectl::TreadcueProxy;

const ROUNDS: usize = 200;

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let release = support::release_build();
    let pulse = PulseServer::start();
    let bus = PrivateBus::start(None);
    let port = support::free_port();
    let address = format!("127.0.0.1:{port}");
    let daemon = Daemon::start_binary(
        &release.join("treadcued"),
        &bus,
        &pulse.address(),
        &["--web", &address],
    );
    println!("treadcue web remote benchmark (release build, loopback, private dbus-daemon)\n");

    std::thread::sleep(Duration::from_secs(2));
    let rss = rss_mb(daemon.child.id());
    println!("idle RSS with the web remote on: {rss:.1} MB  (target <= 15 MB)");

    let page = get(&address, "/", None);
    println!(
        "first page load: {} bytes in one response (the page inlines its style and script; target <= 100 kB)",
        page.len()
    );

    let code = Command::new(release.join("treadcuectl"))
        .args(["--bus-address", &bus.address, "web", "pair"])
        .output()
        .unwrap();
    let code = String::from_utf8_lossy(&code.stdout).trim().to_string();
    let reply = post(&address, "/api/pair", &format!("{{\"code\": \"{code}\"}}"));
    let token = reply
        .split("\"token\":\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a token")
        .to_string();

    let (p50, p99, max) = pause_to_event(&bus, &address, &token);
    println!(
        "D-Bus Pause/Resume to its event on an open stream, {ROUNDS} rounds: p50 {p50:.2} ms, p99 {p99:.2} ms, max {max:.2} ms  (target p50 <= 20 ms)"
    );
    attacks::print(&address, &token, &bus);
}

/// Resident memory of a process, in MB.
fn rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// The whole response (headers and body) to one request.
fn exchange(address: &str, request: &str) -> String {
    let mut stream = TcpStream::connect(address).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    String::from_utf8_lossy(&response).into_owned()
}

fn get(address: &str, path: &str, token: Option<&str>) -> String {
    let auth = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
    exchange(
        address,
        &format!("GET {path} HTTP/1.1\r\nHost: {address}\r\n{auth}Connection: close\r\n\r\n"),
    )
}

fn post(address: &str, path: &str, body: &str) -> String {
    exchange(
        address,
        &format!(
            "POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    )
}

/// Milliseconds from each D-Bus call to the stream's status event with
/// the state it set: p50, p99 and the worst.
fn pause_to_event(bus: &PrivateBus, address: &str, token: &str) -> (f64, f64, f64) {
    let mut stream = TcpStream::connect(address).unwrap();
    let request = format!(
        "GET /api/events HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).unwrap();
    let (sender, states) = mpsc::channel::<(String, Instant)>();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { return };
            if let Some(rest) = line.split("\"State\":\"").nth(1) {
                let state = rest.split('"').next().unwrap_or("").to_string();
                if sender.send((state, Instant::now())).is_err() {
                    return;
                }
            }
        }
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut times = runtime.block_on(async {
        let connection = zbus::connection::Builder::address(bus.address.as_str())
            .build()
            .await
            .unwrap();
        let proxy = TreadcueProxy::new(&connection).await.unwrap();
        proxy.start("retro-rehab-30").await.unwrap();
        std::thread::sleep(Duration::from_millis(500));
        while states.try_recv().is_ok() {}
        let mut times = Vec::new();
        for round in 0..ROUNDS {
            let (wanted, asked) = if round % 2 == 0 {
                let asked = Instant::now();
                proxy.pause().await.unwrap();
                ("paused", asked)
            } else {
                let asked = Instant::now();
                proxy.resume().await.unwrap();
                ("running", asked)
            };
            loop {
                let (state, at) = states
                    .recv_timeout(Duration::from_secs(5))
                    .expect("an event");
                if state == wanted {
                    times.push(at.duration_since(asked).as_secs_f64() * 1000.0);
                    break;
                }
            }
        }
        times
    });
    times.sort_by(f64::total_cmp);
    let at = |share: f64| times[((times.len() - 1) as f64 * share) as usize];
    (at(0.5), at(0.99), times[times.len() - 1])
}
