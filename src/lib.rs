//! treadcue: spoken and audible coaching for backward walking on a
//! treadmill. The daemon and its commands are thin shells around this
//! library.

pub mod audio;
pub mod bluetooth;
pub mod bluez;
pub mod calendar;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod controller;
pub mod course;
pub mod ctl;
pub mod cue_settings;
pub mod daemon;
pub mod dbus;
pub mod ducking;
pub mod files;
pub mod fitness;
pub mod logging;
pub mod pairing;
pub mod phrasebook;
pub mod plan;
pub mod program;
pub mod session;
pub mod shutdown;
pub mod sound_server;
pub mod spoken;
pub mod store;
pub mod sync;
pub mod voice;
pub mod web;
pub mod zwo;
