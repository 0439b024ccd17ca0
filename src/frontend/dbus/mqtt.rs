//! `io.github.treadcue.Treadcue1.Mqtt`: how the MQTT link stands, for
//! `treadcuectl status` and anyone watching the daemon; each change is
//! announced in one PropertiesChanged signal.

use std::borrow::Cow;
use std::collections::HashMap;

use zbus::names::InterfaceName;
use zbus::{Connection, Variant, interface};

use crate::frontend::link::MqttLink;

const INTERFACE: &str = "io.github.treadcue.Treadcue1.Mqtt";

pub struct MqttState {
    pub link: MqttLink,
}

#[interface(name = "io.github.treadcue.Treadcue1.Mqtt")]
impl MqttState {
    /// Whether treadcue is connected to its MQTT broker.
    #[zbus(property)]
    async fn connected(&self) -> bool {
        self.link.get().connected
    }

    /// The link in words: "off", "connecting to mqtt://…", "connected to
    /// mqtt://… as TOPIC", or why it is not.
    #[zbus(property)]
    async fn status(&self) -> String {
        self.link.get().text
    }
}

/// Announces every change of the link, both properties in one signal,
/// for as long as the connection serves the interface.
pub async fn announce_changes(connection: Connection, link: MqttLink) {
    let mut changes = link.subscribe();
    let Ok(served) = connection
        .object_server()
        .interface::<_, MqttState>(super::PATH)
        .await
    else {
        return;
    };
    while changes.changed().await.is_ok() {
        let now = changes.borrow_and_update().clone();
        let changed = HashMap::from([
            ("Connected", Variant::from(now.connected)),
            ("Status", Variant::from(now.text)),
        ]);
        let interface = InterfaceName::from_static_str_unchecked(INTERFACE);
        let emitter = served.signal_emitter();
        let sent = zbus::fdo::Properties::properties_changed(
            emitter,
            interface,
            changed,
            Cow::Borrowed(&[]),
        )
        .await;
        if sent.is_err() {
            return;
        }
    }
}
