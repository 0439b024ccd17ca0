//! `[mqtt]`: treadcue on an MQTT broker, with Home Assistant's discovery.
//! Off until a broker is set.

use std::path::PathBuf;

use clap::Args;
use serde::{Deserialize, Serialize};

use crate::frontend::mqtt::{Broker, MqttOptions};

pub const DEFAULT_DISCOVERY_PREFIX: &str = "homeassistant";

/// `[mqtt]` in the file, and the flags that set the same.
#[derive(Debug, Clone, Default, Args, Deserialize)]
pub struct MqttSettings {
    /// The MQTT broker to publish the session to and take commands from,
    /// like mqtt://broker.local:1883 or mqtts://broker.local:8883
    /// [default: off].
    #[arg(long = "mqtt-broker", value_name = "URL")]
    pub broker: Option<String>,
    #[arg(skip)]
    pub username: Option<String>,
    #[arg(skip)]
    pub password_file: Option<PathBuf>,
    #[arg(skip)]
    pub ca_file: Option<PathBuf>,
    #[arg(skip)]
    pub client_id: Option<String>,
    /// The topic treadcue publishes under [default: treadcue/HOSTNAME].
    #[arg(long = "mqtt-topic", value_name = "TOPIC")]
    pub topic: Option<String>,
    #[arg(skip)]
    pub discovery_prefix: Option<String>,
    #[arg(skip)]
    pub discovery: Option<bool>,
    /// Read only to refuse it: a password does not belong in the config.
    #[arg(skip)]
    pub password: Option<toml::Value>,
}

impl MqttSettings {
    /// These settings with `flags` over them.
    pub fn merge(self, flags: MqttSettings) -> MqttSettings {
        MqttSettings {
            broker: flags.broker.or(self.broker),
            topic: flags.topic.or(self.topic),
            ..self
        }
    }
}

/// `[mqtt]` as it is in force.
#[derive(Debug, Clone, Serialize)]
pub struct Mqtt {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub broker: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_file: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<PathBuf>,
    pub client_id: String,
    pub topic: String,
    pub discovery_prefix: String,
    pub discovery: bool,
}

impl Mqtt {
    /// Checked settings, the defaults filled in from `hostname`.
    pub fn resolve(settings: MqttSettings, hostname: &str) -> Result<Mqtt, String> {
        let section = |e: String| format!("[mqtt] {e}");
        if settings.password.is_some() {
            return Err(section(
                "password: the password does not go in the config file; put it in a file only treadcue can read and name that file with password_file".into(),
            ));
        }
        if let Some(broker) = &settings.broker {
            Broker::parse(broker).map_err(section)?;
        }
        if settings.password_file.is_some() && settings.username.is_none() {
            return Err(section("password_file is set without username".into()));
        }
        let topic = settings
            .topic
            .unwrap_or_else(|| format!("treadcue/{}", topic_word(hostname)));
        check_topic("topic", &topic).map_err(section)?;
        let discovery_prefix = settings
            .discovery_prefix
            .unwrap_or_else(|| DEFAULT_DISCOVERY_PREFIX.into());
        check_topic("discovery_prefix", &discovery_prefix).map_err(section)?;
        let client_id = settings
            .client_id
            .unwrap_or_else(|| topic.replace('/', "-"));
        if client_id.is_empty() || client_id.len() > 128 {
            return Err(section("client_id must have 1 to 128 characters".into()));
        }
        Ok(Mqtt {
            broker: settings.broker,
            username: settings.username,
            password_file: settings.password_file,
            ca_file: settings.ca_file,
            client_id,
            topic,
            discovery_prefix,
            discovery: settings.discovery.unwrap_or(true),
        })
    }

    /// What the MQTT front end runs with; none when no broker is set.
    pub fn options(&self) -> Option<MqttOptions> {
        let broker = Broker::parse(self.broker.as_deref()?).ok()?;
        Some(MqttOptions {
            broker,
            username: self.username.clone(),
            password_file: self.password_file.clone(),
            ca_file: self.ca_file.clone(),
            client_id: self.client_id.clone(),
            topic: self.topic.clone(),
            discovery_prefix: self.discovery_prefix.clone(),
            discovery: self.discovery,
            device_name: self
                .topic
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_string(),
        })
    }
}

/// A topic treadcue publishes under: levels of text, no wildcards.
fn check_topic(key: &str, topic: &str) -> Result<(), String> {
    let bad = |why: &str| Err(format!("{key} {topic:?} {why}"));
    if topic.is_empty() || topic.len() > 200 {
        return bad("must have 1 to 200 characters");
    }
    if topic.contains(['+', '#', '\0']) {
        return bad("has a wildcard (+ or #); it must name one topic");
    }
    if topic.starts_with('/') || topic.ends_with('/') || topic.contains("//") {
        return bad("has an empty level: no / at its start or end, and none doubled");
    }
    Ok(())
}

/// The hostname as one topic level.
fn topic_word(hostname: &str) -> String {
    let word: String = hostname
        .chars()
        .map(|c| if matches!(c, '/' | '+' | '#') { '-' } else { c })
        .collect();
    if word.is_empty() {
        "treadmill".into()
    } else {
        word
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_come_from_the_hostname() {
        let mqtt = Mqtt::resolve(MqttSettings::default(), "pi-3").unwrap();
        assert_eq!(mqtt.topic, "treadcue/pi-3");
        assert_eq!(mqtt.client_id, "treadcue-pi-3");
        assert!(mqtt.options().is_none(), "off with no broker");
        let on = MqttSettings {
            broker: Some("mqtt://hub".into()),
            ..Default::default()
        };
        let options = Mqtt::resolve(on, "pi-3").unwrap().options().unwrap();
        assert_eq!(options.device_name, "pi-3");
        assert!(options.discovery);
    }

    #[test]
    fn a_password_in_the_file_is_refused_with_the_way_out() {
        let settings = MqttSettings {
            password: Some(toml::Value::String("secret".into())),
            ..Default::default()
        };
        let e = Mqtt::resolve(settings, "pi").unwrap_err();
        assert!(e.contains("password_file") && !e.contains("secret"), "{e}");
    }

    #[test]
    fn wildcard_topics_are_refused() {
        for topic in ["treadcue/#", "a/+/b", "/a", "a/", ""] {
            let settings = MqttSettings {
                topic: Some(topic.into()),
                ..Default::default()
            };
            assert!(Mqtt::resolve(settings, "pi").is_err(), "{topic}");
        }
    }
}
