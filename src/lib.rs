//! treadcue: spoken and audible coaching for backward walking on a
//! treadmill. The daemon and its commands are thin shells around this
//! library.

pub mod audio;
pub mod catalog;
pub mod cli;
pub mod cue_settings;
pub mod phrasebook;
pub mod plan;
pub mod program;
pub mod spoken;
pub mod voice;
