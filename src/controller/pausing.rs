//! Pause and resume, from any front end, each confirmed in the ears: a
//! walker pressing an earbud on a moving belt cannot look at a screen. A
//! pause sounds two falling notes; a resume says what the walker is about
//! to do ("Resuming: backward at point six") while the clock waits, and
//! then goes on.

use super::{ControlError, Controller, HeadphonePause};
use crate::audio::sequencer::{CueSound, PlayState};
use crate::audio::tones;
use crate::plan::Tone;
use crate::program::Direction;
use crate::session::{PauseReason, State};

impl Controller {
    /// Harmless when paused already.
    pub fn pause(&self) -> Result<(), ControlError> {
        let tone = self.pause_tone();
        self.command(|s| {
            if s.pause()
                && let Some(tone) = tone
            {
                s.say(tone);
            }
        })
    }

    /// Harmless when running already. With the device lost, the session
    /// stays paused (its pause reason says why) and goes on by itself
    /// when the device is back.
    pub fn resume(&self) -> Result<(), ControlError> {
        let words = self.resume_words();
        self.command(|s| s.resume_saying(words)).map(drop)
    }

    /// Resumes a paused session, pauses a running one.
    pub fn toggle(&self) -> Result<(), ControlError> {
        let paused = self.command(|s| s.state() == PlayState::Paused)?;
        if paused { self.resume() } else { self.pause() }
    }

    /// A button's PlayPause (MPRIS, headphones): toggles the session;
    /// with none, what Play does. May start a session: off async tasks.
    pub fn play_pause(&self) -> Result<(), ControlError> {
        if self.state().is_active() {
            return self.toggle();
        }
        self.play()
    }

    /// A button's Pause (MPRIS, headphones): pauses, or does nothing when
    /// `headphone_pause` says so (earbuds that send Pause when taken out).
    pub fn button_pause(&self) -> Result<(), ControlError> {
        match self.headphone_pause() {
            HeadphonePause::Pause => self.pause(),
            HeadphonePause::Ignore => Ok(()),
        }
    }

    /// The pause's two notes, as loud as the session's tones.
    fn pause_tone(&self) -> Option<CueSound> {
        let setup = self.setup();
        // A text can never be empty: this key is the tone's alone.
        setup
            .ready_sounds
            .get_or_make("", || self.make_pause_tone())
    }

    fn make_pause_tone(&self) -> Option<CueSound> {
        let setup = self.setup();
        let clip = tones::load(Tone::Pause, setup.tones.as_deref(), self.rate)
            .map_err(|e| tracing::warn!("no pause tone: {e}"))
            .ok()?;
        let gain = setup.tone_volume.clamp(0.0, 1.0);
        let samples: std::sync::Arc<[f32]> = clip.samples.iter().map(|s| s * gain).collect();
        Some(CueSound {
            length: samples.len(),
            tone: Some(samples),
            speech: None,
            speech_offset: 0,
        })
    }

    /// "Resuming: backward at point six." for a paused session: the step
    /// it goes on with, or the turn ahead when it was held before one.
    /// None when not paused, or when the voice cannot say it. (A session
    /// paused after a skip that turned the walker round counts in too.)
    fn resume_words(&self) -> Option<CueSound> {
        let (direction, speed) = {
            let core = self.core();
            if core.session.state() != State::Paused {
                return None;
            }
            let plan = core.session.plan()?;
            let held = core.session.pause_reason() == PauseReason::Belt;
            let step = core.session.step() + usize::from(held);
            let step = plan.steps.get(step)?;
            (step.direction, step.speed)
        };
        let setup = self.setup();
        let cues = &setup.phrases.cues;
        let template = match direction {
            Direction::Forward => &cues.resume_forward,
            Direction::Backward => &cues.resume_backward,
        };
        let text = template.fill(&[("number", &setup.phrases.words.decimal(speed))]);
        setup
            .ready_sounds
            .get_or_make(&text, || self.words_sound(&text))
    }

    /// A phrase ready to play over the session; None (and logged) when
    /// the voice cannot say it.
    pub(super) fn words_sound(&self, text: &str) -> Option<CueSound> {
        match self.phrase(text) {
            Ok((_, sounds)) => sounds.first().cloned(),
            Err(e) => {
                tracing::warn!("cannot say {text:?}: {e}");
                None
            }
        }
    }
}
