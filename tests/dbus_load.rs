//! Fifty clients calling at once while a session plays: every call is
//! answered, nothing stalls, and the countdown ticks stay on time.

mod support;

use std::time::{Duration, Instant};

use support::bus::{Daemon, PrivateBus};
use support::pulse::{PulseServer, RATE};
use support::signal::{align, onsets};
use treadcue::treadcuectl::TreadcueProxy;

const CLIENTS: usize = 50;
const CALLS: usize = 200;

/// Two short steps with five-second countdowns: many ticks, quickly.
const PROGRAM: &str = "name = \"Load\"\n[cues]\nbriefing = false\ncountdown = 5\n\
[[steps]]\ndirection = \"forward\"\nduration = \"12s\"\nspeed = 1.5\n\
[[steps]]\ndirection = \"backward\"\nduration = \"12s\"\nspeed = 0.8\n";

async fn client(address: String, id: usize) -> Result<Duration, String> {
    let connection = zbus::connection::Builder::address(address.as_str())
        .build()
        .await
        .map_err(|e| format!("client {id} cannot connect: {e}"))?;
    // No cache: every property read goes to the daemon.
    let proxy = TreadcueProxy::builder(&connection)
        .cache_properties(zbus::proxy::CacheProperties::No)
        .build()
        .await
        .map_err(|e| e.to_string())?;
    let peer = zbus::fdo::PeerProxy::builder(&connection)
        .destination("io.github.treadcue.Treadcue1")
        .path("/io/github/treadcue/Treadcue1")
        .build()
        .await
        .map_err(|e| e.to_string())?;
    let mut slowest = Duration::ZERO;
    for call in 0..CALLS {
        let started = Instant::now();
        let answer = match call % 4 {
            0 => proxy.state().await.map(|s| s.len()),
            1 => proxy.volume().await.map(|_| 0),
            2 => peer.ping().await.map(|()| 0),
            _ => proxy.list_programs().await.map(|p| p.len()),
        };
        let answer = tokio::time::timeout(Duration::from_secs(10), async { answer }).await;
        match answer {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => return Err(format!("client {id} call {call}: {e}")),
            Err(_) => return Err(format!("client {id} call {call} stalled")),
        }
        slowest = slowest.max(started.elapsed());
    }
    Ok(slowest)
}

#[test]
fn fifty_clients_calling_at_once_are_all_answered_and_the_ticks_stay_on_time() {
    let pulse = PulseServer::start();
    let bus = PrivateBus::start(None);
    let programs = tempfile::tempdir().unwrap();
    std::fs::write(programs.path().join("load.toml"), PROGRAM).unwrap();
    let folder = programs.path().display().to_string();
    // Fifty clients, two sound servers and a bus share two cores here: a
    // 20 ms period gives the stream the headroom a Pi by the treadmill
    // has to itself.
    let mut daemon = Daemon::start(
        &bus,
        &pulse.address(),
        &["--programs", &folder, "--period-ms", "20"],
    );
    let recording = pulse.record();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let results = runtime.block_on(async {
        let connection = zbus::connection::Builder::address(bus.address.as_str())
            .build()
            .await
            .unwrap();
        let proxy = TreadcueProxy::new(&connection).await.unwrap();
        proxy.start("load").await.unwrap();
        let clients = (0..CLIENTS).map(|id| client(bus.address.clone(), id));
        let results = futures_util::future::join_all(clients).await;
        // Let the session finish before the recording stops.
        while proxy.state().await.unwrap() == "running" {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        results
    });
    let samples = recording.finish();
    assert!(daemon.is_running(), "{}", daemon.stderr());
    let errors: Vec<&String> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert!(
        errors.is_empty(),
        "{} of {CLIENTS} clients failed: {:?}",
        errors.len(),
        &errors[..errors.len().min(3)]
    );

    // The ticks: 5, 6, 7 ... as planned, each second on the second.
    let ticks: Vec<usize> = [7u64, 8, 9, 10, 11, 12, 19, 20, 21, 22, 23, 24]
        .iter()
        .map(|s| (s * u64::from(RATE)) as usize)
        .collect();
    let heard = onsets(&samples, 0.01, RATE as usize / 5);
    let (offset, _) = align(&heard, &ticks, RATE);
    // The device running dry (it is logged) makes what follows late,
    // never early: from a late tick on, the rest is measured from it.
    let stderr = daemon.stderr();
    let ran_dry = stderr.contains("ran dry") || stderr.contains("audio device back");
    let (mut slip, mut measured, mut late) = (0i64, 0, 0);
    for planned in &ticks {
        let expected = *planned as i64 + offset + slip;
        let near = heard
            .iter()
            .map(|&h| h as i64)
            .find(|h| (h - expected).abs() < i64::from(RATE) / 100);
        let Some(at) = near else {
            let heard_late = heard
                .iter()
                .map(|&h| h as i64)
                .find(|h| (expected..expected + i64::from(RATE) / 2).contains(h))
                .filter(|_| ran_dry)
                .unwrap_or_else(|| {
                    panic!("the tick at {planned} was not heard (device ran dry: {ran_dry})")
                });
            slip = heard_late - (*planned as i64 + offset);
            late += 1;
            continue;
        };
        measured += 1;
        let error_ms = (at - expected) as f64 * 1000.0 / f64::from(RATE);
        assert!(
            error_ms.abs() < 5.0,
            "tick at {planned} off by {error_ms:.2} ms under load"
        );
    }
    assert!(
        measured > 2 * late,
        "{measured} ticks on time, {late} late after the device ran dry"
    );
}
