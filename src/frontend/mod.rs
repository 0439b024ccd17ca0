//! The front ends: thin adapters that turn what they are asked into the
//! controller's [`crate::controller::Command`]s and tell what changed.
//! Each is started by the composition root ([`crate::daemon`]) with a
//! [`crate::controller::Handle`] and a [`crate::shutdown::Shutdown`],
//! and none reaches past the controller or into another front end
//! (the phones' pairing is shared by the web remote and D-Bus, the MQTT
//! link's state by MQTT and D-Bus).

pub mod avahi;
pub mod bluez;
pub mod dbus;
pub mod link;
pub mod mqtt;
pub mod pairing;
pub mod web;
