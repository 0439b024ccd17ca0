//! Many clients at once, and the races a home makes: whatever the order
//! of calls, what the daemon says after each reply is possible, what a
//! reply promises holds, and every session is recorded once, with
//! numbers that fit the program.

mod support;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use support::bus::{Daemon, PrivateBus};
use support::pulse::PulseServer;
use treadcue::treadcuectl::TreadcueProxy;
use zbus::OwnedVariant as OwnedValue;

/// Three short steps: sessions finish by themselves during the test too.
const SHORT: &str = "name = \"Short\"\n[cues]\nbriefing = false\ncountdown = 3\n\
[[steps]]\ndirection = \"forward\"\nduration = \"6s\"\nspeed = 1.5\n\
[[steps]]\ndirection = \"backward\"\nduration = \"6s\"\nspeed = 0.8\n\
[[steps]]\ndirection = \"forward\"\nduration = \"6s\"\nspeed = 1.5\n";

struct World {
    _pulse: PulseServer,
    bus: PrivateBus,
    daemon: Daemon,
    _programs: tempfile::TempDir,
}

impl Drop for World {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("treadcued said:\n{}", self.daemon.stderr());
        }
    }
}

fn world() -> World {
    let pulse = PulseServer::start();
    let bus = PrivateBus::start(None);
    let programs = tempfile::tempdir().unwrap();
    std::fs::write(programs.path().join("short.toml"), SHORT).unwrap();
    let folder = programs.path().display().to_string();
    let daemon = Daemon::start(
        &bus,
        &pulse.address(),
        &["--programs", &folder, "--period-ms", "20"],
    );
    World {
        _pulse: pulse,
        bus,
        daemon,
        _programs: programs,
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

async fn proxy(address: &str) -> TreadcueProxy<'static> {
    let connection = zbus::connection::Builder::address(address)
        .build()
        .await
        .unwrap();
    // No cache: every read asks the daemon.
    TreadcueProxy::builder(&connection)
        .cache_properties(zbus::proxy::CacheProperties::No)
        .build()
        .await
        .unwrap()
}

/// Every property in one call: one moment of the daemon's state.
async fn properties(proxy: &TreadcueProxy<'static>) -> HashMap<String, OwnedValue> {
    let properties = zbus::fdo::PropertiesProxy::builder(proxy.inner().connection())
        .destination("io.github.treadcue.Treadcue1")
        .path("/io/github/treadcue/Treadcue1")
        .build()
        .await
        .unwrap();
    let interface = zbus::names::InterfaceName::try_from("io.github.treadcue.Treadcue1").unwrap();
    properties.get_all(interface).await.unwrap()
}

fn text(props: &HashMap<String, OwnedValue>, name: &str) -> String {
    String::try_from(props[name].try_clone().unwrap()).unwrap()
}

fn number(props: &HashMap<String, OwnedValue>, name: &str) -> u32 {
    u32::try_from(&props[name]).unwrap()
}

/// What must hold at any moment, whatever happened before.
fn check_possible(props: &HashMap<String, OwnedValue>, after: &str) {
    let state = text(props, "State");
    let (index, count) = (number(props, "StepIndex"), number(props, "StepCount"));
    assert!(
        ["idle", "running", "paused", "finished", "stopped"].contains(&state.as_str()),
        "after {after}: State {state:?}"
    );
    if state != "idle" {
        assert!(count > 0, "after {after}: {state} with no steps");
        assert!(
            index < count,
            "after {after}: {state} at step {index} of {count}"
        );
    }
    let reason = text(props, "PauseReason");
    assert_eq!(
        state == "paused",
        !reason.is_empty(),
        "after {after}: {state} with pause reason {reason:?}"
    );
}

/// A small deterministic generator: each client's calls are the same
/// every run, their interleaving is not.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, sides: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % sides
    }
}

/// One client's calls; gives how many Starts succeeded.
async fn client(address: String, seed: u64, until: Instant) -> usize {
    let proxy = proxy(&address).await;
    let mut dice = Dice(seed);
    let mut started = 0;
    for call in 0..400 {
        if Instant::now() >= until {
            break;
        }
        let (name, result) = match dice.roll(9) {
            0 => ("Start(short)", proxy.start("short").await),
            1 => ("Start(demo)", proxy.start("demo").await),
            2 => ("Say", proxy.say(&format!("Trial {call}")).await),
            3 | 4 => ("Pause", proxy.pause().await),
            5 => ("Resume", proxy.resume().await),
            6 => ("Next", proxy.next().await),
            7 => ("Previous", proxy.previous().await),
            _ => ("Stop", proxy.stop().await),
        };
        match result {
            Ok(()) if name.starts_with("Start") => started += 1,
            Ok(()) => {}
            // No session, or the last step: the daemon's right answer.
            Err(zbus::Error::MethodError(error, _, _))
                if error.as_str() == "io.github.treadcue.Treadcue1.Error.InvalidState" => {}
            Err(e) => panic!("{name} failed: {e}"),
        }
        check_possible(&properties(&proxy).await, name);
        tokio::time::sleep(Duration::from_millis(dice.roll(40))).await;
    }
    started
}

/// Counts SessionFinished signals until told to stop; the stream is read
/// all along, as a client must.
async fn count_finishes(
    proxy: TreadcueProxy<'static>,
    stop: tokio::sync::oneshot::Receiver<()>,
) -> usize {
    let mut finished = proxy.receive_session_finished().await.unwrap();
    let mut count = 0;
    tokio::pin!(stop);
    loop {
        tokio::select! {
            _ = &mut stop => return count,
            Some(_) = finished.next() => count += 1,
        }
    }
}

#[test]
fn twenty_clients_interleaving_every_command_never_see_an_impossible_state() {
    let world = world();
    let address = world.bus.address.clone();
    let runtime = runtime();
    let (started, signalled) = runtime.block_on(async {
        let watcher = proxy(&address).await;
        let (stop, stopped) = tokio::sync::oneshot::channel();
        let listener = tokio::spawn(count_finishes(watcher.clone(), stopped));
        // The listener subscribes before the first call.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let until = Instant::now() + Duration::from_secs(25);
        let clients: Vec<_> = (0..20)
            .map(|seed| tokio::spawn(client(address.clone(), seed + 1, until)))
            .collect();
        let mut started = 0;
        for client in clients {
            started += client.await.unwrap();
        }
        let last = properties(&watcher).await;
        check_possible(&last, "the last call");
        // The last session ends too, so every session started has ended.
        let _ = watcher.stop().await;
        // Signals of the last sessions are on their way.
        tokio::time::sleep(Duration::from_millis(500)).await;
        stop.send(()).unwrap();
        (started, listener.await.unwrap())
    });
    assert!(started > 20, "only {started} sessions started");
    let history = history(&world);
    assert_eq!(
        history.len(),
        started,
        "every session started ends in the history exactly once"
    );
    assert_eq!(
        signalled,
        history.len(),
        "one SessionFinished per recorded session"
    );
    let mut sessions: Vec<i64> = history
        .iter()
        .map(|e| e["session"].as_i64().unwrap())
        .collect();
    sessions.sort_unstable();
    sessions.dedup();
    assert_eq!(sessions.len(), history.len(), "a session recorded twice");
    for entry in &history {
        check_entry(entry);
    }
    let log = world.daemon.stderr();
    assert!(!log.contains("panicked"), "{log}");
}

/// A history entry's numbers fit its program.
fn check_entry(entry: &serde_json::Value) {
    let done = entry["steps_done"].as_u64().unwrap();
    let count = entry["step_count"].as_u64().unwrap();
    let walked = entry["walked"].as_f64().unwrap();
    let length = match entry["program"].as_str().unwrap() {
        "short" => 18.0,
        "demo" => 70.0,
        other => panic!("a session of {other} nobody started"),
    };
    assert!(done <= count, "{entry}");
    assert!((0.0..=length + 0.5).contains(&walked), "{entry}");
    if entry["completed"].as_bool().unwrap() {
        assert_eq!(done, count, "{entry}");
        assert!(walked >= length - 8.0, "finished after {walked} s: {entry}");
    }
}

fn history(world: &World) -> Vec<serde_json::Value> {
    let path = world.bus.dir().join("treadcue/history.jsonl");
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// A Start that a Say from another client follows within milliseconds,
/// on a daemon that has let the device go and on one that holds it: the
/// new session plays on, unfinished, and can be skipped back.
#[test]
fn a_say_racing_a_start_never_ends_or_replaces_the_new_session() {
    let world = world();
    let address = world.bus.address.clone();
    let runtime = runtime();
    runtime.block_on(async {
        let starter = proxy(&address).await;
        let sayer = proxy(&address).await;
        for trial in 0..8u64 {
            let start = starter.start("retro-rehab-30");
            let say = async {
                tokio::time::sleep(Duration::from_millis(7 + trial % 6)).await;
                sayer.say(&format!("Trial {trial}")).await
            };
            let (started, said) = tokio::join!(start, say);
            started.unwrap();
            said.unwrap();
            tokio::time::sleep(Duration::from_millis(1500)).await;
            let props = properties(&starter).await;
            check_possible(&props, "Start and Say");
            assert_eq!(text(&props, "State"), "running", "trial {trial}");
            assert_eq!(text(&props, "Program"), "retro-rehab-30", "trial {trial}");
            starter.next().await.unwrap();
            starter.previous().await.unwrap();
            assert_eq!(number(&properties(&starter).await, "StepIndex"), 0);
            starter.stop().await.unwrap();
            if trial % 2 == 0 {
                // Long enough for the daemon to let the device go.
                tokio::time::sleep(Duration::from_millis(6000)).await;
            }
        }
    });
    let history = history(&world);
    assert_eq!(history.len(), 8);
    for entry in &history {
        assert_eq!(entry["outcome"], "stopped", "{entry}");
        assert_eq!(entry["completed"], false, "{entry}");
        assert!(entry["walked"].as_f64().unwrap() < 10.0, "{entry}");
    }
}

/// One client: what each reply promises holds when the next call asks.
#[test]
fn each_reply_is_what_the_next_read_sees() {
    let world = world();
    let address = world.bus.address.clone();
    runtime().block_on(async {
        let proxy = proxy(&address).await;
        proxy.start("retro-rehab-30").await.unwrap();
        for round in 0..100 {
            proxy.pause().await.unwrap();
            let props = properties(&proxy).await;
            assert_eq!(text(&props, "State"), "paused", "round {round}");
            assert_eq!(text(&props, "PauseReason"), "requested");
            proxy.resume().await.unwrap();
            assert_eq!(
                text(&properties(&proxy).await, "State"),
                "running",
                "round {round}"
            );
        }
        let count = number(&properties(&proxy).await, "StepCount");
        for step in 1..count {
            proxy.next().await.unwrap();
            assert_eq!(number(&properties(&proxy).await, "StepIndex"), step);
        }
        assert!(proxy.next().await.is_err(), "Next past the last step");
        proxy.previous().await.unwrap();
        assert_eq!(number(&properties(&proxy).await, "StepIndex"), count - 2);
        proxy.stop().await.unwrap();
        assert_eq!(text(&properties(&proxy).await, "State"), "stopped");
        // Stop's promise: the session is in the history when it returns.
        assert_eq!(history(&world).len(), 1);
    });
}
