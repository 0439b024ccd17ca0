//! Helpers shared by the tests that meet real parts: signal measurements
//! and a private PulseAudio server.
#![allow(dead_code)]

pub mod bus;
pub mod pulse;
pub mod signal;
