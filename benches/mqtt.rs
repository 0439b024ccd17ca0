//! MQTT benchmark: prints figures, asserts nothing. Run with
//! `cargo bench --bench mqtt`. It starts a private mosquitto, dbus-daemon
//! and PulseAudio, runs the release `treadcued` with `[mqtt]` on them,
//! and measures:
//!
//! - a command on MQTT (`cmd/pause`, `cmd/resume`) to the state change
//!   seen on MQTT's `state` topic, against `Pause` / `Resume` on D-Bus to
//!   the `State` change seen on D-Bus, in the same run;
//! - the idle daemon's memory with MQTT connected, beside one without;
//! - CPU time and messages while a session publishes.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use rumqttc::{AsyncClient, Event, EventLoop, Packet, QoS};
use support::bus::{Daemon, PrivateBus};
use support::mosquitto::Mosquitto;
use support::process_status_kb as status_kb;
use support::pulse::PulseServer;
use tokio::sync::mpsc;
use treadcue::treadcuectl::TreadcueProxy;

const CHANGES: usize = 300;
/// Between commands: more than the 50 ms the daemon leaves between two
/// state messages, so each change is timed alone, not behind the last.
const SPACING: Duration = Duration::from_millis(80);
const TOPIC: &str = "bench/treadmill";

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let binary = support::release_build().join("treadcued");
    let pulse = PulseServer::start();
    let broker = Mosquitto::start();
    let url = broker.url();
    let bus = PrivateBus::start(None);
    let args = ["--mqtt-broker", url.as_str(), "--mqtt-topic", TOPIC];
    let daemon = Daemon::start_binary(&binary, &bus, &pulse.address(), &args);
    let plain_bus = PrivateBus::start(None);
    let plain = Daemon::start_binary(&binary, &plain_bus, &pulse.address(), &[]);
    let pid = daemon.child.id().to_string();
    println!(
        "treadcue MQTT benchmark ({CHANGES} state changes each way, private mosquitto and dbus-daemon)\n"
    );

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let (client, mut states) = subscriber(broker.port).await;
        // The retained idle state: the daemon is connected.
        wait_state(&mut states, "idle").await;
        std::thread::sleep(Duration::from_secs(2));
        println!(
            "idle, MQTT connected: {:.1} MB resident ({:.1} MB heap); without MQTT: {:.1} MB resident ({:.1} MB heap)",
            status_kb(&pid, "VmRSS:") / 1024.0,
            status_kb(&pid, "RssAnon:") / 1024.0,
            status_kb(&plain.child.id().to_string(), "VmRSS:") / 1024.0,
            status_kb(&plain.child.id().to_string(), "RssAnon:") / 1024.0,
        );
        let proxy = dbus_proxy(&bus.address).await;
        proxy.start("retro-rehab-30").await.unwrap();
        wait_state(&mut states, "running").await;

        let mqtt = mqtt_changes(&client, &mut states).await;
        let dbus = dbus_changes(&proxy).await;
        println!("\ncommand to state change seen (us)   p50        p99");
        println!("  MQTT  cmd/pause, cmd/resume  {:>9.0}  {:>9.0}", mqtt.0, mqtt.1);
        println!("  D-Bus Pause, Resume          {:>9.0}  {:>9.0}", dbus.0, dbus.1);
        println!("  MQTT / D-Bus at p50          {:>8.1}x", mqtt.0 / dbus.0);

        let plain_proxy = dbus_proxy(&plain_bus.address).await;
        plain_proxy.start("retro-rehab-30").await.unwrap();
        session_cost([&pid, &plain.child.id().to_string()], &mut states).await;
        plain_proxy.stop().await.unwrap();
        proxy.stop().await.unwrap();
    });
}

/// A client of the broker and the `state` payloads it receives.
async fn subscriber(port: u16) -> (AsyncClient, mpsc::UnboundedReceiver<serde_json::Value>) {
    let options = rumqttc::MqttOptions::new("bench", "127.0.0.1", port);
    let (client, eventloop) = AsyncClient::new(options, 64);
    client
        .subscribe(format!("{TOPIC}/state"), QoS::AtMostOnce)
        .await
        .unwrap();
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(forward_states(eventloop, tx));
    (client, rx)
}

async fn forward_states(mut eventloop: EventLoop, tx: mpsc::UnboundedSender<serde_json::Value>) {
    loop {
        match eventloop.poll().await {
            Ok(Event::Incoming(Packet::Publish(p))) => {
                if let Ok(state) = serde_json::from_slice(&p.payload) {
                    let _ = tx.send(state);
                }
            }
            Ok(_) => {}
            Err(e) => panic!("the benchmark's MQTT client: {e}"),
        }
    }
}

async fn wait_state(states: &mut mpsc::UnboundedReceiver<serde_json::Value>, wanted: &str) {
    loop {
        let state = states.recv().await.expect("states");
        if state["state"] == wanted {
            return;
        }
    }
}

/// Pause and resume by MQTT, each timed to its state on MQTT.
async fn mqtt_changes(
    client: &AsyncClient,
    states: &mut mpsc::UnboundedReceiver<serde_json::Value>,
) -> (f64, f64) {
    let mut times = Vec::with_capacity(CHANGES);
    for i in 0..CHANGES {
        let (verb, wanted) = if i % 2 == 0 {
            ("pause", "paused")
        } else {
            ("resume", "running")
        };
        tokio::time::sleep(SPACING).await;
        while states.try_recv().is_ok() {}
        let started = Instant::now();
        client
            .publish(
                format!("{TOPIC}/cmd/{verb}"),
                QoS::AtMostOnce,
                false,
                "PRESS",
            )
            .await
            .unwrap();
        wait_state(states, wanted).await;
        times.push(started.elapsed().as_secs_f64() * 1e6);
    }
    percentiles(times)
}

async fn dbus_proxy(address: &str) -> TreadcueProxy<'static> {
    let connection = zbus::connection::Builder::address(address)
        .build()
        .await
        .unwrap();
    TreadcueProxy::new(&connection).await.unwrap()
}

/// Pause and resume by D-Bus, each timed to its `State` change signal.
async fn dbus_changes(proxy: &TreadcueProxy<'static>) -> (f64, f64) {
    let mut changes = proxy.receive_state_changed().await;
    let mut times = Vec::with_capacity(CHANGES);
    for i in 0..CHANGES {
        let wanted = if i % 2 == 0 { "paused" } else { "running" };
        tokio::time::sleep(SPACING).await;
        let started = Instant::now();
        if i % 2 == 0 {
            proxy.pause().await.unwrap();
        } else {
            proxy.resume().await.unwrap();
        }
        loop {
            let change = changes.next().await.expect("State changes");
            if change.get().await.unwrap() == wanted {
                break;
            }
        }
        times.push(started.elapsed().as_secs_f64() * 1e6);
    }
    percentiles(times)
}

/// CPU time and state messages over 10 s of a running session, for the
/// daemon with MQTT and the one without, both playing.
async fn session_cost(pids: [&str; 2], states: &mut mpsc::UnboundedReceiver<serde_json::Value>) {
    while states.try_recv().is_ok() {}
    let cpu_before = pids.map(cpu_seconds);
    let started = Instant::now();
    let mut messages = 0;
    while started.elapsed() < Duration::from_secs(10) {
        if tokio::time::timeout(Duration::from_millis(200), states.recv())
            .await
            .is_ok()
        {
            messages += 1;
        }
    }
    let took = started.elapsed().as_secs_f64();
    let share = |i: usize| (cpu_seconds(pids[i]) - cpu_before[i]) / took * 100.0;
    println!(
        "\nduring a session: {:.2} % of one core with MQTT ({:.1} state messages/s), {:.2} % without",
        share(0),
        messages as f64 / took,
        share(1)
    );
}

fn percentiles(mut times: Vec<f64>) -> (f64, f64) {
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2], times[times.len() * 99 / 100])
}

/// User and system CPU time of a process, in seconds.
fn cpu_seconds(pid: &str) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name, which is in parentheses.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i).and_then(|v| v.parse::<f64>().ok()))
        .sum();
    ticks / 100.0
}
