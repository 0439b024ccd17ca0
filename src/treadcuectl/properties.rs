//! The daemon's properties as `treadcuectl` reads them: all at once,
//! and each by its type.

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use zbus::OwnedVariant;

use crate::frontend::dbus;
use crate::program::clock;

pub(super) type Properties = HashMap<String, OwnedVariant>;

pub(super) async fn properties_proxy(
    connection: &zbus::Connection,
) -> zbus::Result<zbus::fdo::PropertiesProxy<'static>> {
    zbus::fdo::PropertiesProxy::builder(connection)
        .destination(dbus::NAME)
        .path(dbus::PATH)
        .build()
        .await
}

pub(super) async fn all_properties(connection: &zbus::Connection) -> zbus::Result<Properties> {
    let properties = properties_proxy(connection).await?;
    let interface = zbus::names::InterfaceName::from_static_str_unchecked(dbus::INTERFACE);
    Ok(properties.get_all(interface).await?.into_iter().collect())
}

/// The properties of the daemon's interface `name` (a part of it such
/// as `Mqtt`); none from a daemon without it.
pub(super) async fn part_properties(connection: &zbus::Connection, name: &str) -> Properties {
    let Ok(properties) = properties_proxy(connection).await else {
        return Properties::new();
    };
    let interface = format!("{}.{name}", dbus::INTERFACE);
    let Ok(interface) = zbus::names::InterfaceName::try_from(interface) else {
        return Properties::new();
    };
    properties
        .get_all(interface)
        .await
        .map(|p| p.into_iter().collect())
        .unwrap_or_default()
}

pub(super) fn text(p: &Properties, key: &str) -> String {
    p.get(key)
        .and_then(|v| String::try_from(v.clone()).ok())
        .unwrap_or_default()
}

pub(super) fn flag(p: &Properties, key: &str) -> bool {
    p.get(key)
        .and_then(|v| bool::try_from(v.clone()).ok())
        .unwrap_or(false)
}

pub(super) fn number(p: &Properties, key: &str) -> f64 {
    p.get(key)
        .and_then(|v| f64::try_from(v.clone()).ok())
        .unwrap_or(0.0)
}

pub(super) fn unsigned(p: &Properties, key: &str) -> u32 {
    p.get(key)
        .and_then(|v| u32::try_from(v.clone()).ok())
        .unwrap_or(0)
}

pub(super) fn micros(p: &Properties, key: &str) -> i64 {
    p.get(key)
        .and_then(|v| i64::try_from(v.clone()).ok())
        .unwrap_or(0)
}

/// Seconds until a wall-clock time given in microseconds since the epoch.
pub(super) fn seconds_until(at: i64) -> f64 {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as i64);
    ((at - now) as f64 / 1e6).max(0.0)
}

/// Seconds left in the step and the session, from the properties alone.
pub(super) fn left(p: &Properties) -> (f64, f64) {
    if text(p, "State") == "running" {
        (
            seconds_until(micros(p, "StepEndsAt")),
            seconds_until(micros(p, "SessionEndsAt")),
        )
    } else {
        let step = number(p, "StepRemaining");
        (
            step,
            (number(p, "SessionLength") - number(p, "Elapsed")).max(step),
        )
    }
}

pub(super) fn time(seconds: f64) -> String {
    clock(Duration::from_secs(seconds.round() as u64))
}
