//! What treadcue publishes: availability, the state, discovery, and each
//! command's result. Every publish is a non-blocking try into the
//! client's bounded queue; a state that could not be queued is tried
//! again at the next tick, and only the latest state is ever sent.

use std::time::{Duration, Instant};

use rumqttc::{AsyncClient, QoS};
use serde_json::Value;

use super::MqttOptions;
use super::discovery::{Choices, Entity, entities};

/// The shortest gap between two state messages: a burst of changes is
/// sent as its last state.
pub const STATE_GAP: Duration = Duration::from_millis(50);

pub struct Publisher {
    client: AsyncClient,
    options: MqttOptions,
    connected: bool,
    /// The state last sent, so an unchanged one is not sent again.
    last_state: Option<Value>,
    last_sent: Option<Instant>,
    /// A state is waiting for the gap to pass, or for room in the queue.
    pub pending: bool,
}

impl Publisher {
    pub fn new(client: AsyncClient, options: MqttOptions) -> Publisher {
        Publisher {
            client,
            options,
            connected: false,
            last_state: None,
            last_sent: None,
            pending: false,
        }
    }

    pub fn options(&self) -> &MqttOptions {
        &self.options
    }

    /// Subscribes to commands and Home Assistant's birth, then says
    /// online and sends discovery and the state afresh.
    pub fn connected(&mut self, choices: &Choices, state: Value) {
        self.connected = true;
        let topic = &self.options.topic;
        self.try_subscribe(format!("{topic}/cmd/+"));
        if self.options.discovery {
            self.try_subscribe(format!("{}/status", self.options.discovery_prefix));
        }
        let availability = super::client::availability(&self.options);
        self.send(availability, QoS::AtLeastOnce, true, "online");
        self.discovery(choices);
        self.last_state = None;
        self.state(state);
    }

    pub fn lost(&mut self) {
        self.connected = false;
    }

    /// Announces every entity, or removes them when discovery is off.
    pub fn discovery(&mut self, choices: &Choices) {
        if !self.connected {
            return;
        }
        let all = entities(&self.options, choices);
        if self.options.discovery {
            for entity in &all {
                let payload = entity.config.to_string();
                self.send(entity.topic(&self.options), QoS::AtLeastOnce, true, payload);
            }
        } else {
            self.remove(&all);
        }
    }

    /// Removes the entities: an empty retained config deletes each.
    fn remove(&mut self, all: &[Entity]) {
        for entity in all {
            self.send(entity.topic(&self.options), QoS::AtLeastOnce, true, "");
        }
    }

    /// Sends `state` unless it is the one sent last; waits out the gap
    /// after the last one first (the caller sends it when `pending`).
    pub fn state(&mut self, state: Value) {
        if !self.connected || self.last_state.as_ref() == Some(&state) {
            self.pending = false;
            return;
        }
        if self.last_sent.is_some_and(|at| at.elapsed() < STATE_GAP) {
            self.pending = true;
            return;
        }
        let topic = format!("{}/state", self.options.topic);
        self.pending = !self.send(topic, QoS::AtMostOnce, true, state.to_string());
        if !self.pending {
            self.last_state = Some(state);
            self.last_sent = Some(Instant::now());
        }
    }

    /// When a pending state may go.
    pub fn next_state_at(&self) -> Instant {
        self.last_sent
            .map_or_else(Instant::now, |at| at + STATE_GAP)
    }

    /// What a command came to, for whoever sent it.
    pub fn result(&mut self, result: Value) {
        if self.connected {
            let topic = format!("{}/result", self.options.topic);
            self.send(topic, QoS::AtMostOnce, false, result.to_string());
        }
    }

    /// Says offline and disconnects; with `remove`, removes the entities
    /// first (discovery turned off, or the topic changed).
    pub fn goodbye(&mut self, remove: bool, choices: &Choices) {
        if self.connected {
            if remove {
                self.remove(&entities(&self.options, choices));
            }
            let availability = super::client::availability(&self.options);
            self.send(availability, QoS::AtLeastOnce, true, "offline");
        }
        let _ = self.client.try_disconnect();
        self.connected = false;
    }

    fn send(&self, topic: String, qos: QoS, retain: bool, payload: impl Into<Vec<u8>>) -> bool {
        match self.client.try_publish(&topic, qos, retain, payload) {
            Ok(()) => true,
            Err(e) => {
                tracing::debug!("mqtt: {topic} not sent now: {e}");
                false
            }
        }
    }

    fn try_subscribe(&self, topic: String) {
        if let Err(e) = self.client.try_subscribe(&topic, QoS::AtLeastOnce) {
            tracing::warn!("mqtt: cannot subscribe to {topic}: {e}");
        }
    }
}
