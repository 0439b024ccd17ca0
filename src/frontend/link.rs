//! How the MQTT link stands: written by the MQTT front end alone, read by
//! D-Bus for `treadcuectl status`. Shared the way the phones' pairing is,
//! so neither front end reaches into the other.

use std::sync::Arc;

use tokio::sync::watch;

/// Connected or not, and in words: "off", "connected to mqtt://…",
/// or why not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkState {
    pub connected: bool,
    pub text: String,
}

/// The MQTT link's state, one writer and any number of readers.
#[derive(Clone)]
pub struct MqttLink(Arc<watch::Sender<LinkState>>);

impl Default for MqttLink {
    fn default() -> MqttLink {
        MqttLink::new()
    }
}

impl MqttLink {
    pub fn new() -> MqttLink {
        let off = LinkState {
            connected: false,
            text: "off".into(),
        };
        MqttLink(Arc::new(watch::channel(off).0))
    }

    /// Sets the state; the same state again changes nothing.
    pub fn set(&self, connected: bool, text: &str) {
        self.0.send_if_modified(|state| {
            if state.connected == connected && state.text == text {
                return false;
            }
            *state = LinkState {
                connected,
                text: text.to_string(),
            };
            true
        });
    }

    pub fn get(&self) -> LinkState {
        self.0.borrow().clone()
    }

    /// Every change from now on.
    pub fn subscribe(&self) -> watch::Receiver<LinkState> {
        self.0.subscribe()
    }
}
