//! Home Assistant's MQTT discovery: one device per treadmill, with its
//! sensors, buttons, a select of programs and one of walkers, each
//! announced retained on
//! `<prefix>/<component>/<node>/<object>/config` and removed by an empty
//! retained message there. The keys are those of Home Assistant's MQTT
//! schemas (`homeassistant/components/mqtt/`: `entity.py` for the
//! device, origin and availability, `sensor.py`, `button.py`,
//! `select.py`); tests/mqtt.rs checks every payload against them.

use serde_json::{Map, Value, json};

use super::MqttOptions;

/// One entity's discovery message.
#[derive(Debug, Clone)]
pub struct Entity {
    /// `sensor`, `button` or `select`.
    pub component: &'static str,
    pub object: &'static str,
    pub config: Value,
}

impl Entity {
    pub fn topic(&self, options: &MqttOptions) -> String {
        format!(
            "{}/{}/{}/{}/config",
            options.discovery_prefix,
            self.component,
            options.node_id(),
            self.object
        )
    }
}

/// A sensor reading one field of the state: its object id, name, the
/// field, and keys of its own.
struct Sensor(&'static str, &'static str, &'static str, Value);

fn sensors() -> Vec<Sensor> {
    let duration = json!({"device_class": "duration", "unit_of_measurement": "s"});
    let speed = json!({"device_class": "speed", "unit_of_measurement": "km/h",
        "state_class": "measurement", "suggested_display_precision": 1});
    vec![
        Sensor(
            "state",
            "State",
            "state",
            json!({"device_class": "enum",
                "options": ["idle", "running", "paused", "finished", "stopped"],
                "icon": "mdi:walk"}),
        ),
        Sensor(
            "program",
            "Program",
            "program_name",
            json!({"icon": "mdi:format-list-numbered"}),
        ),
        Sensor("step", "Step", "step", json!({"icon": "mdi:shoe-print"})),
        Sensor(
            "direction",
            "Direction",
            "direction",
            json!({"device_class": "enum", "options": ["forward", "backward"],
                "icon": "mdi:swap-vertical"}),
        ),
        Sensor("step_left", "Step time left", "step_left", duration.clone()),
        Sensor(
            "session_left",
            "Session time left",
            "session_left",
            duration,
        ),
        Sensor("speed", "Program speed", "speed_kmh", speed.clone()),
        Sensor("belt_speed", "Belt speed", "belt_speed_kmh", speed),
        Sensor(
            "heart_rate",
            "Heart rate",
            "heart_rate",
            json!({"unit_of_measurement": "bpm", "state_class": "measurement",
                "icon": "mdi:heart-pulse"}),
        ),
        Sensor(
            "course",
            "Course",
            "course_name",
            json!({"icon": "mdi:calendar-check"}),
        ),
        Sensor(
            "course_position",
            "Course position",
            "course_position",
            json!({"icon": "mdi:progress-check"}),
        ),
    ]
}

/// The buttons: object id (also the command's verb), name, icon.
const BUTTONS: [(&str, &str, &str); 6] = [
    ("pause", "Pause", "mdi:pause"),
    ("resume", "Resume", "mdi:play"),
    ("next", "Next step", "mdi:skip-next"),
    ("previous", "Previous step", "mdi:skip-previous"),
    ("stop", "Stop", "mdi:stop"),
    ("start_today", "Start today's session", "mdi:calendar-start"),
];

/// What the selects offer: the programs' ids and the walkers' names.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Choices {
    pub programs: Vec<String>,
    pub walkers: Vec<String>,
}

/// Every entity of this treadmill.
pub fn entities(options: &MqttOptions, choices: &Choices) -> Vec<Entity> {
    let topic = &options.topic;
    let mut all: Vec<Entity> = sensors()
        .into_iter()
        .map(|Sensor(object, name, field, own)| {
            let keys = json!({
                "state_topic": format!("{topic}/state"),
                "value_template": format!("{{{{ value_json.{field} }}}}"),
            });
            entity(options, "sensor", object, name, [keys, own])
        })
        .collect();
    all.extend(BUTTONS.iter().map(|&(object, name, icon)| {
        let keys = json!({"command_topic": format!("{topic}/cmd/{object}"), "icon": icon});
        entity(options, "button", object, name, [keys, json!({})])
    }));
    // Choosing a walker while a session is under way is refused (the
    // result topic says so), and the state brings the select back to who
    // walks. "None" is Home Assistant's word for no option chosen.
    let selects = [
        (
            "program_select",
            "Start program",
            "start",
            "{{ value_json.program if value_json.program else 'None' }}",
            &choices.programs,
            "mdi:play-box-multiple",
        ),
        (
            "walker_select",
            "Walker",
            "walker",
            "{{ value_json.walker }}",
            &choices.walkers,
            "mdi:account-switch",
        ),
    ];
    all.extend(
        selects.map(|(object, name, verb, template, offered, icon)| {
            let keys = json!({
                "command_topic": format!("{topic}/cmd/{verb}"),
                "state_topic": format!("{topic}/state"),
                "value_template": template,
                "options": offered,
                "icon": icon,
            });
            entity(options, "select", object, name, [keys, json!({})])
        }),
    );
    all
}

/// An entity with the keys every one has: its name and unique id, the
/// availability, the device and the origin.
fn entity(
    options: &MqttOptions,
    component: &'static str,
    object: &'static str,
    name: &str,
    own: [Value; 2],
) -> Entity {
    let node = options.node_id();
    let mut config = Map::new();
    config.insert("name".into(), json!(name));
    config.insert(
        "unique_id".into(),
        json!(format!("treadcue_{node}_{object}")),
    );
    config.insert(
        "availability_topic".into(),
        json!(super::client::availability(options)),
    );
    config.insert("device".into(), device(options));
    config.insert(
        "origin".into(),
        json!({"name": "treadcue", "sw_version": env!("CARGO_PKG_VERSION")}),
    );
    for part in own {
        if let Value::Object(keys) = part {
            config.extend(keys);
        }
    }
    Entity {
        component,
        object,
        config: Value::Object(config),
    }
}

/// The treadmill as one device: named by its machine, with the version.
fn device(options: &MqttOptions) -> Value {
    json!({
        "identifiers": [format!("treadcue_{}", options.node_id())],
        "name": options.device_name,
        "manufacturer": "treadcue",
        "model": "treadcue treadmill coach",
        "sw_version": env!("CARGO_PKG_VERSION"),
    })
}
