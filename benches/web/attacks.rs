//! A paired phone's answer times while a client on the network attacks
//! the web remote, beside a D-Bus round trip on the same daemon.

use std::io::Write;
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::support::bus::PrivateBus;
use super::support::remote::{connect_from, idle_flood, trickle_headers};

const CALLS: usize = 100;

/// An attack from one address, run until told to stop.
type Attack = fn(String, Arc<AtomicBool>);

/// p50, p99 and the worst of `times`, in milliseconds.
fn spread(mut times: Vec<f64>) -> String {
    times.sort_by(f64::total_cmp);
    let at = |share: f64| times[((times.len() - 1) as f64 * share) as usize];
    format!(
        "p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        at(0.5),
        at(0.99),
        times[times.len() - 1]
    )
}

/// The paired phone's `GET /api/status`, `CALLS` times, each on a new
/// connection as a phone's browser may.
fn phone_times(address: &str, token: &str) -> Vec<f64> {
    (0..CALLS)
        .map(|_| {
            let asked = Instant::now();
            let reply = super::get(address, "/api/status", Some(token));
            assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
            asked.elapsed().as_secs_f64() * 1000.0
        })
        .collect()
}

/// `CALLS` D-Bus `Get` of the state, on one connection.
fn dbus_times(bus: &PrivateBus) -> Vec<f64> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let connection = zbus::connection::Builder::address(bus.address.as_str())
            .build()
            .await
            .unwrap();
        let proxy = treadcue::treadcuectl::TreadcueProxy::builder(&connection)
            .cache_properties(zbus::proxy::CacheProperties::No)
            .build()
            .await
            .unwrap();
        let mut times = Vec::new();
        for _ in 0..CALLS {
            let asked = Instant::now();
            proxy.state().await.unwrap();
            times.push(asked.elapsed().as_secs_f64() * 1000.0);
        }
        times
    })
}

/// Runs `attack` on its own thread until the phone's calls are done.
fn during(
    attack: impl FnOnce(Arc<AtomicBool>) + Send + 'static,
    measure: impl FnOnce() -> Vec<f64>,
) -> Vec<f64> {
    let stop = Arc::new(AtomicBool::new(false));
    let attacker = {
        let stop = stop.clone();
        std::thread::spawn(move || attack(stop))
    };
    std::thread::sleep(Duration::from_secs(2));
    let times = measure();
    stop.store(true, Ordering::SeqCst);
    attacker.join().unwrap();
    times
}

/// 300 connections from one address sending headers a byte a second.
fn trickle(address: String, stop: Arc<AtomicBool>) {
    let slow: Vec<TcpStream> = (0..300)
        .filter_map(|_| connect_from("127.0.0.7", &address).ok())
        .collect();
    trickle_headers(slow, stop);
}

/// 400 idle connections from one address, reopened as they are closed.
fn idle(address: String, stop: Arc<AtomicBool>) {
    idle_flood("127.0.0.8", &address, stop);
}

/// Wrong pairing codes as fast as one client can send them.
fn guesses(address: String, stop: Arc<AtomicBool>) {
    let body = "{\"code\": \"000000\"}";
    while !stop.load(Ordering::SeqCst) {
        let Ok(mut stream) = connect_from("127.0.0.9", &address) else {
            continue;
        };
        let request = format!(
            "POST /api/pair HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = stream.write_all(request.as_bytes());
        let mut sink = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stream, &mut sink);
    }
}

pub fn print(address: &str, token: &str, bus: &PrivateBus) {
    println!("\nA paired phone's GET /api/status, {CALLS} calls, while one address attacks:");
    println!(
        "  D-Bus round trip (Get State), for comparison: {}",
        spread(dbus_times(bus))
    );
    println!(
        "  quiet:                                          {}",
        spread(phone_times(address, token))
    );
    let attacks: [(&str, Attack); 3] = [
        ("300 connections trickling headers a byte/s:   ", trickle),
        ("400 idle connections reopened as closed:      ", idle),
        ("wrong pairing codes as fast as one client can:", guesses),
    ];
    for (name, attack) in attacks {
        let target = address.to_string();
        let times = during(
            move |stop| attack(target, stop),
            || phone_times(address, token),
        );
        println!("  {name}  {}", spread(times));
    }
}
