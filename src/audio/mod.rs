//! Sound: tones, the clip bank, the sequencer that plays a plan, the live
//! device output and the offline render.

pub mod alsa;
pub mod device;
pub mod ducking;
pub mod output;
pub mod pcm;
pub mod player;
pub mod render;
pub mod sequencer;
pub mod slot;
pub mod sound_server;
pub mod stream;
pub mod tones;
