//! treadcue on a real MQTT broker: a private mosquitto, with mosquitto's
//! own clients as the dashboard and the front desk. Two treadmills on one
//! broker, each its own device, driven from MQTT and D-Bus with the state
//! checked on both after every reply; the broker killed mid-session;
//! Home Assistant's birth message; the last will after SIGKILL; bad
//! payloads; and reloads that move or remove the entities. TLS and
//! credentials are in tests/mqtt_clinic.rs.

mod support;

use std::time::{Duration, Instant};

use serde_json::Value;
use support::bus::{Daemon, PrivateBus};
use support::mosquitto::{Message, Mosquitto, Watch};
use support::pulse::PulseServer;

/// A 30-minute program: it is still under way at every check.
const LONG: &str = "retro-rehab-30";

struct Treadmill {
    bus: PrivateBus,
    daemon: Daemon,
    topic: String,
}

impl Treadmill {
    fn start(pulse: &PulseServer, broker: &Mosquitto, topic: &str, extra: &[&str]) -> Treadmill {
        let bus = PrivateBus::start(None);
        let url = broker.url();
        let mut args = vec!["--mqtt-broker", &url, "--mqtt-topic", topic];
        args.extend_from_slice(extra);
        let daemon = Daemon::start(&bus, &pulse.address(), &args);
        Treadmill {
            bus,
            daemon,
            topic: topic.to_string(),
        }
    }

    fn status(&self) -> Value {
        self.bus.status()
    }

    fn ctl(&self, args: &[&str]) {
        let out = self.bus.ctl(args);
        assert!(out.status.success(), "treadcuectl {args:?}: {out:?}");
    }

    fn cmd(&self, broker: &Mosquitto, verb: &str, payload: &str) {
        broker.publish(
            &format!("{}/cmd/{verb}", self.topic),
            payload.as_bytes(),
            false,
        );
    }
}

fn is_online(topic: &str) -> impl Fn(&Message) -> bool + '_ {
    move |m| m.topic == format!("{topic}/availability") && m.payload == "online"
}

/// The discovery configs of the node `node`, by topic, once all are in.
fn discovery_of(watch: &mut Watch, node: &str, count: usize) -> Vec<Message> {
    let mine = |m: &Message| {
        m.topic.starts_with("homeassistant/")
            && m.topic.split('/').nth(2) == Some(node)
            && !m.payload.is_empty()
    };
    let deadline = Instant::now() + support::mosquitto::WAIT;
    loop {
        let mut found: Vec<Message> = Vec::new();
        for m in watch.seen.iter().filter(|m| mine(m)) {
            found.retain(|f| f.topic != m.topic);
            found.push(m.clone());
        }
        if found.len() >= count {
            return found;
        }
        assert!(
            Instant::now() < deadline,
            "{} of {count} configs of {node}",
            found.len()
        );
        watch.wait_for("a discovery config", |m| mine(m));
    }
}

const ENTITIES: usize = 11 + 6 + 2;

#[test]
fn two_treadmills_on_one_broker_are_two_devices_driven_from_mqtt_and_dbus() {
    let pulse = PulseServer::start();
    let broker = Mosquitto::start();
    let mut watch = broker.watch("#");
    let a = Treadmill::start(&pulse, &broker, "clinic/treadmill-a", &[]);
    let b = Treadmill::start(&pulse, &broker, "clinic/treadmill-b", &[]);
    watch.wait_for("treadmill a online", is_online(&a.topic));
    watch.wait_for("treadmill b online", is_online(&b.topic));
    let configs_a = discovery_of(&mut watch, "clinic_treadmill-a", ENTITIES);
    let configs_b = discovery_of(&mut watch, "clinic_treadmill-b", ENTITIES);
    let ids = |configs: &[Message]| -> Vec<String> {
        configs
            .iter()
            .map(|m| m.json()["unique_id"].as_str().unwrap().to_string())
            .collect()
    };
    let (ids_a, ids_b) = (ids(&configs_a), ids(&configs_b));
    assert!(
        ids_a.iter().all(|id| !ids_b.contains(id)),
        "{ids_a:?} {ids_b:?}"
    );
    assert_ne!(
        configs_a[0].json()["device"]["identifiers"],
        configs_b[0].json()["device"]["identifiers"]
    );
    assert_eq!(configs_a[0].json()["device"]["name"], "treadmill-a");

    // Started from the front desk: the state on the broker and on D-Bus agree.
    let mark = watch.seen.len();
    a.cmd(&broker, "start", LONG);
    assert_eq!(watch.wait_result(&a.topic, "start")["ok"], true);
    let state = watch.wait_state_since(mark, &a.topic, "a running", |s| s["state"] == "running");
    assert_eq!(state["program"], LONG);
    assert_eq!(state["step_number"], 1);
    assert!(state["session_left"].as_u64().unwrap() > 1500, "{state}");
    let status = a.status();
    assert_eq!(
        (status["state"].as_str(), status["program"].as_str()),
        (Some("running"), Some(LONG))
    );
    assert_eq!(b.status()["state"], "idle");

    // A start while it runs is refused, unless it says it replaces.
    a.cmd(&broker, "start", "demo");
    let refused = watch.wait_result(&a.topic, "start");
    assert_eq!(refused["ok"], false);
    assert!(
        refused["error"].as_str().unwrap().contains("under way"),
        "{refused}"
    );
    assert_eq!(a.status()["program"], LONG);

    // D-Bus and MQTT, turn about, each seen on the other.
    a.ctl(&["pause"]);
    watch.wait_state(&a.topic, "a paused", |s| s["state"] == "paused");
    a.cmd(&broker, "resume", "PRESS");
    assert_eq!(watch.wait_result(&a.topic, "resume")["ok"], true);
    assert_eq!(a.status()["state"], "running");
    let mark = watch.seen.len();
    a.cmd(&broker, "next", "PRESS");
    assert_eq!(watch.wait_result(&a.topic, "next")["ok"], true);
    assert_eq!(a.status()["step_index"], 1);
    watch.wait_state_since(mark, &a.topic, "a at step 2", |s| s["step_number"] == 2);
    a.ctl(&["next"]);
    watch.wait_state(&a.topic, "a at step 3", |s| s["step_number"] == 3);
    a.cmd(&broker, "previous", "PRESS");
    assert_eq!(watch.wait_result(&a.topic, "previous")["ok"], true);
    let step = a.status()["step_index"].as_u64().unwrap();
    assert!(
        step == 2 || step == 1,
        "previous restarts the step or goes back: {step}"
    );
    a.cmd(&broker, "start", r#"{"program": "demo", "replace": true}"#);
    assert_eq!(watch.wait_result(&a.topic, "start")["ok"], true);
    assert_eq!(a.status()["program"], "demo");
    let mark = watch.seen.len();
    a.cmd(&broker, "stop", "PRESS");
    assert_eq!(watch.wait_result(&a.topic, "stop")["ok"], true);
    let state = watch.wait_state_since(mark, &a.topic, "a stopped", |s| s["state"] == "stopped");
    assert!(state["step_left"].is_null(), "{state}");

    // Treadmill b saw none of it.
    assert_eq!(b.status()["state"], "idle");
    let b_state = format!("{}/state", b.topic);
    for m in watch.seen.iter().filter(|m| m.topic == b_state) {
        assert_eq!(m.json()["state"], "idle", "{m:?}");
    }
    // Nothing a front end did was recorded twice.
    let history = a.bus.ctl(&["history", "--json"]);
    let entries: Value = serde_json::from_slice(&history.stdout).unwrap();
    let count = |program: &str| {
        entries
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["program"] == program)
            .count()
    };
    assert_eq!((count(LONG), count("demo")), (1, 1), "{entries}");
}

#[test]
fn home_assistant_coming_back_gets_the_entities_and_sigkill_shows_offline() {
    let pulse = PulseServer::start();
    let broker = Mosquitto::start();
    let mut watch = broker.watch("#");
    let mut t = Treadmill::start(&pulse, &broker, "home/treadmill", &[]);
    watch.wait_for("online", is_online(&t.topic));
    discovery_of(&mut watch, "home_treadmill", ENTITIES);
    watch.seen.clear();

    broker.publish("homeassistant/status", b"online", false);
    let again = discovery_of(&mut watch, "home_treadmill", ENTITIES);
    assert!(
        again.iter().all(|m| !m.retained),
        "sent anew, not from the store"
    );

    // A newcomer dashboard gets availability and state at once.
    let mut newcomer = broker.watch(&format!("{}/#", t.topic));
    let state = newcomer.wait_for("the retained state", |m| m.topic.ends_with("/state"));
    assert!(state.retained);
    assert_eq!(state.json()["state"], "idle");

    let _ = t.daemon.child.kill();
    let _ = t.daemon.child.wait();
    watch.wait_for("the last will", |m| {
        m.topic == format!("{}/availability", t.topic) && m.payload == "offline"
    });
}

/// `Connected` as each PropertiesChanged of the Mqtt interface on the
/// daemon at `address` tells it, from the moment this returns.
fn link_changes(address: &str) -> std::sync::mpsc::Receiver<bool> {
    let (tx, rx) = std::sync::mpsc::channel();
    let (ready_tx, ready) = std::sync::mpsc::channel();
    let address = address.to_string();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            use futures_util::StreamExt;
            let connection = zbus::connection::Builder::address(address.as_str())
                .build()
                .await
                .unwrap();
            let properties = zbus::fdo::PropertiesProxy::builder(&connection)
                .destination("io.github.treadcue.Treadcue1")
                .path("/io/github/treadcue/Treadcue1")
                .build()
                .await
                .unwrap();
            let mut changes = properties.receive_properties_changed().await.unwrap();
            ready_tx.send(()).unwrap();
            while let Some(change) = changes.next().await {
                let args = change.args().unwrap();
                if args.interface_name() != "io.github.treadcue.Treadcue1.Mqtt" {
                    continue;
                }
                if let Some(connected) = args.changed_properties().get("Connected")
                    && tx.send(bool::try_from(connected).unwrap()).is_err()
                {
                    return;
                }
            }
        });
    });
    ready.recv().unwrap();
    rx
}

#[test]
fn the_session_plays_on_while_the_broker_is_gone_and_everything_comes_back() {
    let pulse = PulseServer::start();
    let mut broker = Mosquitto::start();
    let t = Treadmill::start(&pulse, &broker, "gym/t1", &[]);
    {
        let mut watch = broker.watch("#");
        watch.wait_for("online", is_online(&t.topic));
        t.cmd(&broker, "start", LONG);
        watch.wait_state(&t.topic, "running", |s| s["state"] == "running");
    }
    let link = link_changes(&t.bus.address);
    let before = (Instant::now(), t.status()["session_left"].as_f64().unwrap());
    broker.kill();
    // D-Bus answers while the broker is gone, and says MQTT is down.
    let deadline = Instant::now() + support::mosquitto::WAIT;
    loop {
        let status = t.status();
        assert_eq!(status["state"], "running", "{status}");
        if status["mqtt"]["connected"] == false {
            assert!(
                status["mqtt"]["status"]
                    .as_str()
                    .unwrap()
                    .contains("127.0.0.1"),
                "{status}"
            );
            break;
        }
        assert!(
            Instant::now() < deadline,
            "MQTT never said it was down: {status}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    t.ctl(&["pause"]);
    assert_eq!(t.status()["state"], "paused");
    t.ctl(&["resume"]);
    let out = t.bus.ctl(&["status"]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("mqtt: "),
        "{out:?}"
    );

    broker.restart();
    let mut watch = broker.watch("#");
    watch.wait_for("online again", is_online(&t.topic));
    let state = watch.wait_state(&t.topic, "the state again", |s| s["state"] == "running");
    assert_eq!(state["program"], LONG);
    discovery_of(&mut watch, "gym_t1", ENTITIES);
    assert_eq!(t.status()["mqtt"]["connected"], true);
    // D-Bus clients were told both ways, as it happened.
    let told: Vec<bool> = link.try_iter().collect();
    assert_eq!(told.first(), Some(&false), "{told:?}");
    assert_eq!(told.last(), Some(&true), "{told:?}");
    // The session went on all along: its time left went down with the
    // clock (a pause of a moment aside), not stopped with the broker.
    let (then, left_then) = before;
    let left_now = t.status()["session_left"].as_f64().unwrap();
    let walked = left_then - left_now;
    let wall = then.elapsed().as_secs_f64();
    assert!(
        walked > wall - 5.0 && walked <= wall + 1.0,
        "walked {walked} s in {wall} s"
    );
}

#[test]
fn bad_commands_are_logged_and_ignored_and_the_session_is_untouched() {
    let pulse = PulseServer::start();
    let broker = Mosquitto::start();
    let mut watch = broker.watch("#");
    // A command someone left retained was meant for a moment gone by: the
    // broker hands it to treadcue at each connection, and it is not taken.
    broker.publish("desk/t/cmd/start", b"demo", true);
    let t = Treadmill::start(&pulse, &broker, "desk/t", &[]);
    watch.wait_for("online", is_online(&t.topic));
    t.cmd(&broker, "pause", "PRESS");
    assert_eq!(watch.wait_result(&t.topic, "pause")["ok"], false);
    assert_eq!(
        t.status()["state"],
        "idle",
        "the retained start was not taken"
    );
    // Clearing it reaches treadcue as an empty message: not a command.
    broker.publish("desk/t/cmd/start", b"", true);
    assert_eq!(watch.wait_result(&t.topic, "start")["ok"], false);
    t.cmd(&broker, "start", LONG);
    assert_eq!(watch.wait_result(&t.topic, "start")["ok"], true);
    // Someone tidying the broker clears a retained stop: the walker walks on.
    broker.publish("desk/t/cmd/stop", b"", true);
    let cleared = watch.wait_result(&t.topic, "stop");
    assert_eq!(cleared["ok"], false, "{cleared}");
    assert!(cleared.to_string().contains("empty message"), "{cleared}");
    assert_eq!(t.status()["state"], "running");
    let cases: [(&str, &[u8], &str); 7] = [
        ("launch", b"now", "there is no command \\\"launch\\\""),
        ("start", b"../../etc/passwd", "is not a program id"),
        (
            "start",
            br#"{"program": "demo", "exec": "rm -rf /"}"#,
            "unknown field",
        ),
        ("start", b"{\"program\":", "start:"),
        ("start_today", b"tomorrow", "not \\\"tomorrow\\\""),
        ("pause", &[0xff, 0xfe, 0x00], "not UTF-8"),
        ("stop", &[b'x'; 4000], "4000 bytes"),
    ];
    for (verb, payload, why) in cases {
        broker.publish(&format!("{}/cmd/{verb}", t.topic), payload, false);
        let result = watch.wait_result(&t.topic, verb);
        assert_eq!(result["ok"], false, "{verb}: {result}");
        assert!(result.to_string().contains(why), "{verb}: {result}");
        let status = t.status();
        assert_eq!(
            (status["state"].as_str(), status["program"].as_str()),
            (Some("running"), Some(LONG))
        );
    }
    broker.publish(&format!("{}/cmd/pause", t.topic), b"PRESS", false);
    assert_eq!(watch.wait_result(&t.topic, "pause")["ok"], true);
    assert_eq!(t.status()["state"], "paused");
    let log = t.daemon.stderr();
    for why in [
        "there is no command \"launch\"",
        "is not a program id",
        "a retained command is ignored",
    ] {
        assert!(log.contains(why), "{why} not in the log: {log}");
    }
    // A message far larger than a command costs the connection a moment,
    // never the session.
    broker.publish(
        &format!("{}/cmd/next", t.topic),
        &vec![b'x'; 300_000],
        false,
    );
    broker.publish(&format!("{}/cmd/resume", t.topic), b"PRESS", false);
    let deadline = Instant::now() + support::mosquitto::WAIT;
    while t.status()["state"] != "running" {
        assert!(Instant::now() < deadline, "resume never came through");
        std::thread::sleep(Duration::from_millis(200));
        broker.publish(&format!("{}/cmd/resume", t.topic), b"PRESS", false);
    }
    assert_eq!(
        t.status()["step_index"],
        0,
        "the oversized next was not taken"
    );
}

#[test]
fn reloads_move_and_remove_the_entities() {
    let pulse = PulseServer::start();
    let broker = Mosquitto::start();
    let mut watch = broker.watch("#");
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    let write = |topic: &str, discovery: bool| {
        let text = format!(
            "[mqtt]\nbroker = \"{}\"\ntopic = \"{topic}\"\ndiscovery = {discovery}\n",
            broker.url()
        );
        std::fs::write(&config, text).unwrap();
    };
    write("site/one", true);
    let bus = PrivateBus::start(None);
    let config_arg = config.display().to_string();
    let _daemon = Daemon::start(&bus, &pulse.address(), &["--config", &config_arg]);
    watch.wait_for("online", is_online("site/one"));
    let announced = discovery_of(&mut watch, "site_one", ENTITIES);
    for m in &announced {
        support::home_assistant::check_against_home_assistant(m);
    }

    write("site/one", false);
    let mark = watch.seen.len();
    assert!(bus.ctl(&["reload"]).status.success());
    for m in &announced {
        let removed = |r: &Message| r.topic == m.topic && r.payload.is_empty();
        watch.wait_since(mark, &format!("{} removed", m.topic), removed);
    }
    watch.wait_since(mark, "online again", is_online("site/one"));

    write("site/two", true);
    assert!(bus.ctl(&["reload"]).status.success());
    watch.wait_for("offline on the old topic", |m| {
        m.topic == "site/one/availability" && m.payload == "offline"
    });
    watch.wait_for("online on the new topic", is_online("site/two"));
    discovery_of(&mut watch, "site_two", ENTITIES);

    // Turned off: offline, and nothing more.
    std::fs::write(&config, "").unwrap();
    assert!(bus.ctl(&["reload"]).status.success());
    watch.wait_for("offline", |m| {
        m.topic == "site/two/availability" && m.payload == "offline"
    });
    assert_eq!(bus.status()["mqtt"]["status"], "off");
}
