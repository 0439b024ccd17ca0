//! Walkers over MQTT, on a real mosquitto: the state names the active
//! walker, Home Assistant's "Walker" select offers every walker (and is
//! announced again when one is added or renamed), and `cmd/walker`
//! chooses one, refused while a session is under way as on the phone and
//! D-Bus. Each reply is checked on the broker and on D-Bus.

mod support;

use serde_json::Value;
use support::bus::{Daemon, PrivateBus};
use support::mosquitto::{Message, Mosquitto, Watch};
use support::pulse::PulseServer;

const TOPIC: &str = "home/treadmill";
const SELECT: &str = "homeassistant/select/home_treadmill/walker_select/config";

/// The walker select's config once it offers `names`.
fn select_offering(watch: &mut Watch, mark: usize, names: &[&str]) -> Message {
    let wanted: Vec<Value> = names.iter().map(|n| Value::from(*n)).collect();
    watch.wait_since(mark, &format!("the select offering {names:?}"), |m| {
        m.topic == SELECT
            && !m.payload.is_empty()
            && m.json()["options"] == Value::from(wanted.clone())
    })
}

/// `cmd/walker` with `payload`: its result, and the state once it names
/// `walker` (taken as it comes, before or after the result).
fn command(broker: &Mosquitto, watch: &mut Watch, payload: &str, walker: &str) -> Value {
    let mark = watch.seen.len();
    broker.publish(&format!("{TOPIC}/cmd/walker"), payload.as_bytes(), false);
    let reply = watch.wait_result(TOPIC, "walker");
    let what = format!("{walker} walks");
    watch.wait_state_since(mark, TOPIC, &what, |s| s["walker"] == walker);
    reply
}

fn ctl(bus: &PrivateBus, args: &[&str]) {
    let out = bus.ctl(args);
    assert!(out.status.success(), "treadcuectl {args:?}: {out:?}");
}

#[test]
fn the_walker_is_in_the_state_offered_by_a_select_and_chosen_from_mqtt() {
    let pulse = PulseServer::start();
    let broker = Mosquitto::start();
    let mut watch = broker.watch("#");
    let bus = PrivateBus::start(None);
    let url = broker.url();
    let args = ["--mqtt-broker", url.as_str(), "--mqtt-topic", TOPIC];
    let _daemon = Daemon::start(&bus, &pulse.address(), &args);
    let first = select_offering(&mut watch, 0, &["Walker"]);
    support::home_assistant::check_against_home_assistant(&first);
    assert_eq!(first.json()["command_topic"], format!("{TOPIC}/cmd/walker"));
    watch.wait_state(TOPIC, "the walker named", |s| s["walker"] == "Walker");

    // Added and renamed on D-Bus: the select is announced again.
    let mark = watch.seen.len();
    ctl(&bus, &["walker", "add", "Anna"]);
    ctl(&bus, &["walker", "rename", "Walker", "Ben"]);
    let offered = select_offering(&mut watch, mark, &["Ben", "Anna"]);
    support::home_assistant::check_against_home_assistant(&offered);

    // Chosen from the broker; D-Bus agrees.
    let reply = command(&broker, &mut watch, "anna", "Anna");
    assert_eq!(reply["ok"], true, "{reply}");
    assert_eq!(bus.status()["walker"], "Anna");

    // Not while Anna's session is under way; her session stays hers.
    ctl(&bus, &["start", "retro-rehab-30"]);
    let reply = command(&broker, &mut watch, "Ben", "Anna");
    assert_eq!(reply["ok"], false, "{reply}");
    let error = reply["error"].as_str().unwrap();
    assert!(error.contains("Anna is walking now"), "{error}");
    assert_eq!(bus.status()["walker"], "Anna");
    ctl(&bus, &["stop"]);

    let reply = command(&broker, &mut watch, "Carl", "Anna");
    assert_eq!(reply["ok"], false);
    assert!(
        reply["error"].as_str().unwrap().contains("Ben, Anna"),
        "the walkers are listed: {reply}"
    );
    let reply = command(&broker, &mut watch, "Ben", "Ben");
    assert_eq!(reply["ok"], true, "{reply}");
    assert_eq!(bus.status()["walker"], "Ben");

    // Anna's one session is hers, recorded once.
    let out = bus.ctl(&["history", "--json", "--walker", "Anna"]);
    let rows: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 1, "{rows}");
    assert_eq!(rows[0]["walker"], "Anna");
    let out = bus.ctl(&["history", "--json"]);
    let rows: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows, Value::Array(vec![]), "Ben has walked nothing");
}
