//! The slot the device plays from: the sequencer of the session under
//! way, or nothing (silence) between sessions, shared by the device's
//! thread, the player and the ducker.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use rodio::Source;

use super::sequencer::Sequencer;

/// The sequencer the device plays, or none (silence) between sessions.
pub type Slot = Arc<Mutex<Option<Sequencer>>>;

/// Locks the slot even if a panic elsewhere poisoned it: the audio must
/// go on, and the sequencer's state is whole after every call.
pub fn lock(slot: &Slot) -> MutexGuard<'_, Option<Sequencer>> {
    crate::sync::lock(slot)
}

/// Fills `out` from whatever sequencer is in the slot, silence if none:
/// for a backend that is asked for a buffer at a time.
pub fn fill(slot: &Slot, out: &mut [f32]) {
    match lock(slot).as_mut() {
        Some(sequencer) => sequencer.fill(out),
        None => out.fill(0.0),
    }
}

/// Block of samples taken from the sequencer at once: the lock is taken
/// once per block, not per sample.
const BLOCK: usize = 64;

/// The rodio source that plays whatever sequencer is in the slot.
pub struct SlotSource {
    slot: Slot,
    rate: rodio::SampleRate,
    block: [f32; BLOCK],
    at: usize,
}

impl SlotSource {
    pub fn new(slot: Slot, rate: u32) -> Self {
        let rate = rodio::SampleRate::new(rate.max(1)).expect("rate is positive");
        SlotSource {
            slot,
            rate,
            block: [0.0; BLOCK],
            at: BLOCK,
        }
    }
}

impl Iterator for SlotSource {
    type Item = f32;

    fn next(&mut self) -> Option<f32> {
        if self.at == BLOCK {
            match lock(&self.slot).as_mut() {
                Some(sequencer) => sequencer.fill(&mut self.block),
                None => self.block.fill(0.0),
            }
            self.at = 0;
        }
        self.at += 1;
        Some(self.block[self.at - 1])
    }
}

impl Source for SlotSource {
    fn current_span_len(&self) -> Option<usize> {
        None
    }

    fn channels(&self) -> rodio::ChannelCount {
        rodio::ChannelCount::new(1).expect("one channel")
    }

    fn sample_rate(&self) -> rodio::SampleRate {
        self.rate
    }

    fn total_duration(&self) -> Option<Duration> {
        None
    }
}
