//! D-Bus benchmark: prints figures, asserts nothing. Run with
//! `cargo bench --bench dbus`. It starts a private dbus-daemon and
//! PulseAudio, runs the release `treadcued` on them, and measures:
//!
//! - round trips of Pause/Resume and of reading State, against a bare
//!   `org.freedesktop.DBus.Peer.Ping` to the daemon (the bus's own floor);
//! - the idle daemon's memory and wakeups with the bus connected.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use support::bus::{Daemon, PrivateBus};
use support::process_status_kb as status_kb;
use support::pulse::PulseServer;
use treadcue::treadcuectl::TreadcueProxy;

const CALLS: usize = 5000;

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let binary = support::release_build().join("treadcued");
    let pulse = PulseServer::start();
    let bus = PrivateBus::start(None);
    let daemon = Daemon::start_binary(&binary, &bus, &pulse.address(), &[]);
    let pid = daemon.child.id().to_string();
    println!("treadcue D-Bus benchmark ({CALLS} calls each, one client, private dbus-daemon)\n");

    let (rss_kb, wakeups) = idle_figures(&pid);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(round_trips(&bus.address));
    println!(
        "idle daemon, bus connected: {:.1} MB resident ({:.1} MB of it heap), {wakeups:.1} wakeups/s",
        rss_kb / 1024.0,
        status_kb(&pid, "RssAnon:") / 1024.0
    );
    let (calls, took) = runtime.block_on(burst(&bus.address));
    // The device is let go 5 s after the last session; then idle again.
    std::thread::sleep(Duration::from_secs(7));
    let (after_kb, _) = idle_figures(&pid);
    println!(
        "after a {BURST_CLIENTS}-client burst ({calls} calls in {:.1} s): {:.1} MB resident when idle again ({:.1} MB of it heap; target: at most 15 MB)",
        took.as_secs_f64(),
        after_kb / 1024.0,
        status_kb(&pid, "RssAnon:") / 1024.0
    );
}

/// Round trips of a call that does nothing (the bus's floor), a property
/// read, and Pause and Resume, printed against the floor.
async fn round_trips(address: &str) {
    let connection = zbus::connection::Builder::address(address)
        .build()
        .await
        .unwrap();
    let proxy = TreadcueProxy::builder(&connection)
        .cache_properties(zbus::proxy::CacheProperties::No)
        .build()
        .await
        .unwrap();
    let peer = zbus::fdo::PeerProxy::builder(&connection)
        .destination("io.github.treadcue.Treadcue1")
        .path("/io/github/treadcue/Treadcue1")
        .build()
        .await
        .unwrap();
    proxy.start("retro-rehab-30").await.unwrap();
    let ping = measure(|| async { peer.ping().await.unwrap() }).await;
    let state = measure(|| async { proxy.state().await.unwrap() }).await;
    let mut paused = false;
    let pause_resume = measure(|| {
        paused = !paused;
        let pause = paused;
        let proxy = &proxy;
        async move {
            if pause {
                proxy.pause().await.unwrap()
            } else {
                proxy.resume().await.unwrap()
            }
        }
    })
    .await;
    println!("round trip (us)                  p50       p99    p50 / floor   target");
    for (name, figures) in [
        ("Peer.Ping (the floor)", ping),
        ("read State", state),
        ("Pause / Resume", pause_resume),
    ] {
        println!(
            "  {name:<26} {:>8.1}  {:>8.1}      {:>5.2}x      {}",
            figures.0,
            figures.1,
            figures.0 / ping.0,
            if name.starts_with("Pause") {
                "<= 1.3x"
            } else {
                ""
            }
        );
    }
}

const BURST_CLIENTS: usize = 20;

/// Twenty clients at once, each listing, starting, saying, pausing,
/// resuming and stopping; gives the calls answered and the time taken.
async fn burst(address: &str) -> (usize, Duration) {
    let started = Instant::now();
    let clients = (0..BURST_CLIENTS).map(|id| async move {
        let connection = zbus::connection::Builder::address(address)
            .build()
            .await
            .unwrap();
        let proxy = TreadcueProxy::builder(&connection)
            .cache_properties(zbus::proxy::CacheProperties::No)
            .build()
            .await
            .unwrap();
        let mut answered = 0;
        for call in 0..100 {
            let ok = match (id + call) % 7 {
                0 => proxy.list_programs().await.is_ok(),
                1 => proxy.start("demo").await.is_ok(),
                2 => proxy.say(&format!("Client {id} call {call}")).await.is_ok(),
                3 => proxy.pause().await.is_ok(),
                4 => proxy.resume().await.is_ok(),
                5 => proxy.state().await.is_ok(),
                _ => proxy.stop().await.is_ok(),
            };
            answered += usize::from(ok);
        }
        answered
    });
    let answered = futures_util::future::join_all(clients).await;
    let connection = zbus::connection::Builder::address(address)
        .build()
        .await
        .unwrap();
    let proxy = TreadcueProxy::new(&connection).await.unwrap();
    let _ = proxy.stop().await;
    (answered.iter().sum(), started.elapsed())
}

/// Median and 99th percentile of a call's round trip, in microseconds.
async fn measure<F, Fut, T>(mut call: F) -> (f64, f64)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    for _ in 0..200 {
        call().await;
    }
    let mut times = Vec::with_capacity(CALLS);
    for _ in 0..CALLS {
        let started = Instant::now();
        call().await;
        times.push(started.elapsed().as_secs_f64() * 1e6);
    }
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2], times[times.len() * 99 / 100])
}

/// Context switches of every thread of a process, from /proc.
fn switches(pid: &str) -> u64 {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return 0;
    };
    tasks
        .flatten()
        .filter_map(|t| std::fs::read_to_string(t.path().join("status")).ok())
        .flat_map(|status| {
            status
                .lines()
                .filter(|l| l.contains("ctxt_switches"))
                .filter_map(|l| {
                    l.split_whitespace()
                        .nth(1)
                        .and_then(|v| v.parse::<u64>().ok())
                })
                .collect::<Vec<_>>()
        })
        .sum()
}

/// Resident memory and wakeups per second of the idle daemon.
fn idle_figures(pid: &str) -> (f64, f64) {
    std::thread::sleep(Duration::from_secs(1));
    let before = switches(pid);
    let started = Instant::now();
    std::thread::sleep(Duration::from_secs(10));
    let wakeups = (switches(pid) - before) as f64 / started.elapsed().as_secs_f64();
    (status_kb(pid, "VmRSS:"), wakeups)
}
