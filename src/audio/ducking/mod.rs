//! Ducking: while a cue sounds, every other stream on the sink treadcue
//! plays to is lowered, and brought back after. The plan knows every cue
//! ahead, so the music is already down at a cue's first sample.
//!
//! The ducker runs on its own thread beside the device, with its own
//! connection to the sound server. It reads what is coming from the
//! sequencer in the slot (never the other way round: the audio callback
//! does not wait for the sound server), turns that into a level with the
//! [`envelope`], and sets the other streams' volumes. The music's volume
//! stays the user's: it is put back exactly, a change the user makes
//! during a duck is kept, and what was lowered is written to the state
//! folder first, so a treadcued that dies mid-duck puts it back when it
//! next starts.

pub mod envelope;
mod remembered;
mod streams;
mod worker;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::audio::slot::Slot;

pub use remembered::restore_left_over;

/// How other audio is lowered; `[ducking]` in the config.
#[derive(Debug, Clone, PartialEq)]
pub struct DuckingOptions {
    /// Decibels below the stream's own level at full depth: negative.
    pub depth_db: f64,
    /// How long the way down takes; it ends before the cue starts.
    pub attack: Duration,
    /// How long the way back up takes, after the cue.
    pub release: Duration,
    /// Streams with these `media.role`s are never lowered (a call).
    pub never_duck: Vec<String>,
    /// The file where lowered streams are noted, to put them back after a
    /// crash; none, no note.
    pub note: Option<PathBuf>,
}

impl Default for DuckingOptions {
    fn default() -> Self {
        DuckingOptions {
            depth_db: -15.0,
            attack: Duration::from_millis(200),
            release: Duration::from_millis(600),
            never_duck: vec!["phone".into()],
            note: None,
        }
    }
}

/// The running ducker; dropping it puts every stream back and stops it.
pub struct Ducker {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Ducker {
    /// Starts lowering other streams under the sounds of whatever
    /// sequencer `slot` holds, played at `rate`.
    pub fn start(options: DuckingOptions, slot: Slot, rate: u32) -> Option<Ducker> {
        let stop = Arc::new(AtomicBool::new(false));
        let thread_stop = stop.clone();
        let thread = std::thread::Builder::new()
            .name("treadcue-duck".into())
            .spawn(move || worker::run(options, slot, rate, &thread_stop));
        match thread {
            Ok(thread) => Some(Ducker {
                stop,
                thread: Some(thread),
            }),
            Err(e) => {
                tracing::warn!("cannot start the ducker ({e}): other audio is not lowered");
                None
            }
        }
    }
}

impl Drop for Ducker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
