//! Words before the clock goes on: a resume says what comes ("Resuming:
//! backward at point six"), and a skip that turns the walker round says
//! the turn and counts in, so no skip ever puts a walker backward
//! without warning. The clock waits (a lead-in) while they play; then
//! the step's own "go" and announcement come as planned.

use std::sync::Arc;

use super::{CueSound, PlayState, Sequencer};
use crate::plan::CueKind;

/// Ticks counted in when the plan has no countdown of its own.
const DEFAULT_TICKS: usize = 3;

impl Sequencer {
    /// Resumes, saying `words` first while the clock waits; after a skip
    /// that turned the walker round, counting in too. False when there
    /// was nothing to resume.
    pub fn resume_saying(&mut self, words: Option<CueSound>) -> bool {
        if !self.resume() {
            return false;
        }
        self.go_after(words);
        true
    }

    /// Jumps to the start of `step`, which turns the walker round: the
    /// clock waits while `words` and a countdown play (now, or at the
    /// resume when paused), then the step begins with its "go".
    pub fn seek_step_turning(&mut self, step: usize, words: Option<CueSound>) -> bool {
        if !self.seek_step(step) {
            return false;
        }
        self.count_in_due = true;
        if self.state == PlayState::Playing {
            self.go_after(words);
        }
        true
    }

    fn go_after(&mut self, words: Option<CueSound>) {
        if std::mem::take(&mut self.count_in_due) {
            self.count_in(words);
        } else if let Some(words) = words {
            let gap = self.samples(crate::plan::GAP.as_secs_f64());
            self.lead_in = self.lead_in.max(words.length as u64 + gap);
            self.overlay = Some((words, 0));
        }
    }

    /// `words`, then as many ticks a second apart as the step's own
    /// countdown has, the clock going on a second after the last.
    fn count_in(&mut self, words: Option<CueSound>) {
        let step = self.step();
        let countdown: Vec<usize> = (0..self.plan.cues.len())
            .filter(|&i| self.plan.cues[i].kind == CueKind::Countdown)
            .collect();
        let ticks = countdown
            .iter()
            .filter(|&&i| self.plan.cues[i].step == step)
            .count();
        let ticks = if ticks == 0 { DEFAULT_TICKS } else { ticks };
        let tick = countdown.first().and_then(|&i| self.sounds[i].tone.clone());
        let second = self.samples(1.0);
        let gap = self.samples(crate::plan::GAP.as_secs_f64());
        let first_tick = words.as_ref().map_or(0, |w| w.length as u64 + gap);
        let lead = first_tick + ticks as u64 * second;
        let mut tone = vec![0.0f32; lead as usize];
        // The words' own tone, if they have one, then the ticks.
        if let Some(own) = words.as_ref().and_then(|w| w.tone.as_ref()) {
            let end = own.len().min(tone.len());
            tone[..end].copy_from_slice(&own[..end]);
        }
        if let Some(tick) = tick {
            for n in 0..ticks {
                let at = (first_tick + n as u64 * second) as usize;
                let end = (at + tick.len()).min(tone.len());
                tone[at..end].copy_from_slice(&tick[..end - at]);
            }
        }
        let sound = CueSound {
            tone: Some(Arc::from(tone)),
            speech: words.as_ref().and_then(|w| w.speech.clone()),
            speech_offset: words.as_ref().map_or(0, |w| w.speech_offset),
            length: lead as usize,
        };
        self.lead_in = self.lead_in.max(lead);
        self.overlay = Some((sound, 0));
    }

    fn samples(&self, seconds: f64) -> u64 {
        (f64::from(self.plan.sample_rate) * seconds).round() as u64
    }
}
