//! Sounds the controller says again and again (the pause's two notes,
//! "Resuming: backward at point six"), made once per setup: rendering a
//! phrase and the tones it goes with takes milliseconds, and a Pause or
//! a Resume from a headphone button is answered at once. A reload brings
//! a new setup, and so new sounds in its voice.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::audio::sequencer::CueSound;

/// Most sounds kept: a program's resume phrases, a few speeds each.
const MOST: usize = 64;

#[derive(Default)]
pub struct ReadySounds {
    /// By what is said (or the tone's name); taken alone, for a moment:
    /// a sound is made with it let go.
    made: Mutex<HashMap<String, CueSound>>,
}

impl ReadySounds {
    /// The sound kept for `key`, or the one `make` makes, kept for next
    /// time. A sound that cannot be made is not kept: it is tried again.
    pub(super) fn get_or_make(
        &self,
        key: &str,
        make: impl FnOnce() -> Option<CueSound>,
    ) -> Option<CueSound> {
        if let Some(sound) = crate::sync::lock(&self.made).get(key) {
            return Some(sound.clone());
        }
        let sound = make()?;
        let mut made = crate::sync::lock(&self.made);
        if made.len() >= MOST {
            made.clear();
        }
        made.insert(key.to_string(), sound.clone());
        Some(sound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(length: usize) -> CueSound {
        CueSound {
            length,
            tone: Some(vec![0.5; length].into()),
            speech: None,
            speech_offset: 0,
        }
    }

    #[test]
    fn a_sound_is_made_once_and_a_failure_is_tried_again() {
        let ready = ReadySounds::default();
        let mut made = 0;
        for _ in 0..3 {
            let sound = ready.get_or_make("pause", || {
                made += 1;
                Some(tone(10))
            });
            assert_eq!(sound.map(|s| s.length), Some(10));
        }
        assert_eq!(made, 1);
        assert!(ready.get_or_make("broken", || None).is_none());
        assert_eq!(
            ready
                .get_or_make("broken", || Some(tone(3)))
                .map(|s| s.length),
            Some(3)
        );
    }
}
