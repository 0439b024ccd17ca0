//! `io.github.treadcue.Treadcue1.Mqtt`: how the MQTT link stands, for
//! `treadcuectl status` and anyone watching the daemon.

use zbus::interface;

use crate::frontend::link::MqttLink;

pub struct MqttState {
    pub link: MqttLink,
}

#[interface(name = "io.github.treadcue.Treadcue1.Mqtt")]
impl MqttState {
    /// Whether treadcue is connected to its MQTT broker.
    #[zbus(property(emits_changed_signal = "false"))]
    async fn connected(&self) -> bool {
        self.link.get().connected
    }

    /// The link in words: "off", "connecting to mqtt://…", "connected to
    /// mqtt://… as TOPIC", or why it is not.
    #[zbus(property(emits_changed_signal = "false"))]
    async fn status(&self) -> String {
        self.link.get().text
    }
}
