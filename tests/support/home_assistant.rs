//! Home Assistant's MQTT discovery schemas, as
//! tests/reference/home-assistant-mqtt-discovery.json transcribes them
//! from Home Assistant's own source, applied to a discovery message.

use serde_json::Value;

use super::mosquitto::Message;

/// One discovery message checked, key by key, against Home Assistant's
/// schemas as tests/reference/home-assistant-mqtt-discovery.json
/// transcribes them.
pub fn check_against_home_assistant(message: &Message) {
    let schema: Value = serde_json::from_str(include_str!(
        "../reference/home-assistant-mqtt-discovery.json"
    ))
    .unwrap();
    let levels: Vec<&str> = message.topic.split('/').collect();
    let [_, component, node, object, "config"] = levels[..] else {
        panic!(
            "{}: not <prefix>/<component>/<node>/<object>/config",
            message.topic
        )
    };
    let id_chars = |s: &str| {
        s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    };
    assert!(id_chars(node) && id_chars(object), "{}", message.topic);
    let kind = &schema["components"][component];
    assert!(
        kind.is_object(),
        "{component} is not a component checked here"
    );
    let config = message.json();
    let what = &message.topic;
    for key in kind["required"].as_array().unwrap() {
        assert!(
            config.get(key.as_str().unwrap()).is_some(),
            "{what}: {key} missing"
        );
    }
    for (key, value) in config.as_object().unwrap() {
        let kind_of = kind["keys"]
            .get(key)
            .or_else(|| schema["common"].get(key))
            .or_else(|| schema["availability"].get(key))
            .unwrap_or_else(|| panic!("{what}: {key} is not a key Home Assistant reads"));
        check_type(what, key, kind_of.as_str().unwrap(), value);
    }
    let device = &config["device"];
    let device_keys = &schema["device"]["keys"];
    for (key, value) in device.as_object().expect("a device block") {
        check_type(
            what,
            key,
            device_keys[key]
                .as_str()
                .unwrap_or_else(|| panic!("device.{key}")),
            value,
        );
    }
    assert!(
        device["identifiers"]
            .as_array()
            .is_some_and(|ids| !ids.is_empty()),
        "{what}"
    );
    for key in schema["origin"]["required"].as_array().unwrap() {
        assert!(
            config["origin"].get(key.as_str().unwrap()).is_some(),
            "{what}: origin.{key}"
        );
    }
    assert!(
        config["unique_id"]
            .as_str()
            .is_some_and(|id| !id.is_empty())
    );
    assert!(
        config["availability_topic"]
            .as_str()
            .unwrap()
            .ends_with("/availability")
    );
    if component == "sensor" {
        check_sensor(&schema, what, &config);
    }
}

fn check_type(what: &str, key: &str, kind: &str, value: &Value) {
    let ok = match kind {
        "string" | "template" => value.is_string(),
        "subscribe_topic" | "publish_topic" => value.as_str().is_some_and(|t| {
            !t.is_empty() && (kind == "subscribe_topic" || !t.contains(['+', '#']))
        }),
        "boolean" => value.is_boolean(),
        "integer" => value.is_u64() || value.is_i64(),
        "list" => value.is_array(),
        "map" => value.is_object(),
        other => panic!("unknown type {other}"),
    };
    assert!(ok, "{what}: {key} should be a {kind}, is {value}");
}

fn check_sensor(schema: &Value, what: &str, config: &Value) {
    let class = config["device_class"].as_str();
    if class == Some("enum") {
        assert!(config["options"].is_array(), "{what}: enum without options");
        assert!(config.get("unit_of_measurement").is_none() && config.get("state_class").is_none());
    } else {
        assert!(
            config.get("options").is_none(),
            "{what}: options without enum"
        );
    }
    if let Some(state_class) = config.get("state_class") {
        assert!(
            schema["sensor_state_classes"]
                .as_array()
                .unwrap()
                .contains(state_class),
            "{what}"
        );
    }
    if let (Some(class), Some(unit)) = (class, config.get("unit_of_measurement")) {
        let units = &schema["sensor_device_class_units"][class];
        assert!(
            units.as_array().is_some_and(|u| u.contains(unit)),
            "{what}: {unit} is not a {class} unit"
        );
    }
}
