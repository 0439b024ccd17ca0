//! The native interface's PropertiesChanged: every property that differs
//! between two statuses, in one signal, by the status's one table of
//! properties.

use std::borrow::Cow;
use std::collections::HashMap;

use zbus::Variant;
use zbus::names::InterfaceName;
use zbus::object_server::SignalEmitter;

use crate::session::{Property, Status};

/// Sends the properties that differ between two statuses in one
/// PropertiesChanged signal.
pub async fn announce_changes(
    emitter: &SignalEmitter<'_>,
    old: &Status,
    new: &Status,
) -> zbus::Result<()> {
    let changed: HashMap<&str, Variant<'_>> = new
        .changed_since(old)
        .into_iter()
        .map(|(name, value)| (name, variant(value)))
        .collect();
    if changed.is_empty() {
        return Ok(());
    }
    let interface = InterfaceName::from_static_str_unchecked(super::INTERFACE);
    zbus::fdo::Properties::properties_changed(emitter, interface, changed, Cow::Borrowed(&[])).await
}

/// A property as D-Bus carries it: `s`, `d`, `u`, `x` or `b`.
fn variant(value: Property) -> Variant<'static> {
    match value {
        Property::Text(text) => Variant::from(text),
        Property::Number(number) => Variant::from(number),
        Property::Count(count) => Variant::from(count),
        Property::Time(micros) => Variant::from(micros),
        Property::Flag(flag) => Variant::from(flag),
    }
}
