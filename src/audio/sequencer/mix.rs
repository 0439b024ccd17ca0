//! Mixing the next samples: the session's cues at their exact samples,
//! a phrase said over them, the tail of a cue cut short fading out, the
//! volume smoothed, and the clock moved on step by step.

use super::*;

impl Sequencer {
    /// Fills `out` with the next samples: the session while playing,
    /// silence (and any fading tail) otherwise. The stream stays fed.
    pub fn fill(&mut self, out: &mut [f32]) {
        self.pulled += out.len() as u64;
        for sample in out.iter_mut() {
            let mut value = self.tail_sample() + self.overlay_sample();
            if self.state == PlayState::Playing && self.lead_in > 0 {
                self.lead_in -= 1;
            } else if self.state == PlayState::Playing && self.reached_gate() {
                self.hold_at_gate();
            } else if self.state == PlayState::Playing {
                value += self.main_sample() * self.fade_in_gain();
                self.advance();
            }
            self.gain += (self.target_gain - self.gain) * self.smoothing;
            *sample = value * self.gain;
        }
    }

    fn tail_sample(&mut self) -> f32 {
        let Some(tail) = &mut self.tail else {
            return 0.0;
        };
        let sound = &self.sounds[tail.cue];
        let value = sound.sample(tail.offset) * tail.remaining as f32 / self.fade_len as f32;
        tail.offset += 1;
        tail.remaining -= 1;
        if tail.remaining == 0 || tail.offset >= sound.length {
            self.tail = None;
        }
        value
    }

    fn overlay_sample(&mut self) -> f32 {
        if self.overlay.is_none() && self.current.is_none() && self.tail.is_none() {
            self.overlay = self.queued.take().map(|sound| (sound, 0));
        }
        let Some((sound, offset)) = &mut self.overlay else {
            return 0.0;
        };
        let value = sound.sample(*offset);
        *offset += 1;
        if *offset >= sound.length {
            self.overlay = None;
        }
        value
    }

    fn fade_in_gain(&mut self) -> f32 {
        if self.fade_in_left == 0 {
            return 1.0;
        }
        self.fade_in_left -= 1;
        1.0 - self.fade_in_left as f32 / self.fade_len as f32
    }

    /// The session's own sound at the current sample, starting the steps
    /// and cues whose time has come.
    fn main_sample(&mut self) -> f32 {
        while self
            .plan
            .steps
            .get(self.next_step)
            .is_some_and(|s| s.start <= self.position)
        {
            self.emit(Event::StepStarted {
                step: self.next_step,
                at: self.position,
            });
            self.next_step += 1;
            self.step_changed();
        }
        let due = self.plan.cues.get(self.next_cue).map(|c| c.start);
        if let Some(start) = due.filter(|start| *start <= self.position) {
            let offset = (self.position - start) as usize;
            self.current = Some((self.next_cue, offset));
            self.emit(Event::CueStarted {
                cue: self.next_cue,
                at: self.position,
            });
            self.next_cue += 1;
        }
        match self.current {
            Some((cue, offset)) => self.sounds[cue].sample(offset),
            None => self.pre_roll_noise(),
        }
    }

    fn pre_roll_noise(&mut self) -> f32 {
        let due = self.plan.cues.get(self.next_cue).map(|c| c.start);
        if self.pre_roll == 0 || due.is_none_or(|start| start > self.position + self.pre_roll) {
            return 0.0;
        }
        // A tiny linear congruential generator: cheap and allocation-free.
        self.noise = self
            .noise
            .wrapping_mul(1_664_525)
            .wrapping_add(1_013_904_223);
        (self.noise >> 9) as f32 / (1u32 << 23) as f32 * 2.0 * PRE_ROLL_LEVEL - PRE_ROLL_LEVEL
    }

    fn advance(&mut self) {
        if let Some((cue, offset)) = &mut self.current {
            *offset += 1;
            if *offset >= self.sounds[*cue].length {
                self.current = None;
            }
        }
        // The finish words play past the last step: not walked.
        if self.next_step > 0 && self.position < self.plan.length {
            self.walked[self.walking] += 1;
            if let Some(step) = self.faster_backward.take() {
                self.fastest_backward = Some(step);
            }
        }
        self.position += 1;
        if self.position >= self.plan.end {
            self.state = PlayState::Finished;
            self.emit(Event::Finished { at: self.position });
        }
    }
}
