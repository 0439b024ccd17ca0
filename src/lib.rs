//! treadcue: spoken and audible coaching for backward walking on a
//! treadmill. The daemon and its commands are thin shells around this
//! library.

pub mod audio;
pub mod bluetooth;
pub mod calendar;
pub mod config;
pub mod controller;
pub mod course;
pub mod daemon;
pub mod export;
pub mod files;
pub mod fitness;
pub mod frontend;
pub mod logging;
pub mod phrasebook;
pub mod plan;
pub mod prepare;
pub mod process;
pub mod program;
pub mod report;
pub mod session;
pub mod shutdown;
pub mod spoken;
pub mod store;
pub mod sync;
pub mod treadcuectl;
pub mod treadcued;
pub mod voice;
