//! The turn gate: the session holds at the end of the countdown into a
//! step (a turn-around into backward walking) until the belt is slow
//! enough, then carries on from a fresh countdown. The controller, which
//! sees the belt, arms and releases it; the sequencer holds at the exact
//! sample, so the change's "go" is never heard before the hold.

use super::{Event, PlayState, Sequencer};
use crate::plan::CueKind;

#[derive(Debug, Default)]
pub(super) struct Gate {
    /// The step the session holds before.
    before: Option<usize>,
    /// Held there now.
    holding: bool,
    /// A step whose gate was passed: it is not armed again, so a walker
    /// who carries on by hand is not held a second time.
    passed: Option<usize>,
}

impl Gate {
    pub(super) fn is_holding(&self) -> bool {
        self.holding
    }
}

impl Sequencer {
    /// Holds the session before `step` begins (`None`: before none). A
    /// step whose gate was already passed is not held again.
    pub fn set_gate(&mut self, step: Option<usize>) {
        if self.gate.holding || (step.is_some() && step == self.gate.passed) {
            return;
        }
        self.gate.before = step;
    }

    /// The step the session would hold before.
    pub fn gate(&self) -> Option<usize> {
        self.gate.before
    }

    /// The step whose gate the belt (or the walker) let go: the fresh
    /// countdown into it is playing, or it has begun.
    pub fn gate_passed(&self) -> Option<usize> {
        self.gate.passed
    }

    /// The belt is slow enough: carries on from a fresh countdown. False
    /// when not held.
    pub fn release_gate(&mut self) -> bool {
        self.gate.holding && self.resume()
    }

    pub(super) fn reached_gate(&self) -> bool {
        self.gate.before.is_some_and(|step| {
            step == self.next_step
                && self
                    .plan
                    .steps
                    .get(step)
                    .is_some_and(|s| s.start <= self.position)
        })
    }

    pub(super) fn hold_at_gate(&mut self) {
        self.gate.holding = true;
        self.fade_out_current();
        self.current = None;
        self.state = PlayState::Paused;
        self.emit(Event::Paused { at: self.position });
    }

    /// Leaves the hold (by the belt or by a Resume): back to the start of
    /// the countdown into the held step, so the walker hears it again.
    pub(super) fn pass_gate(&mut self) {
        let step = self.gate.before.take();
        self.gate.holding = false;
        self.gate.passed = step;
        if let Some(step) = step {
            self.rewind_to_countdown(step);
        }
    }

    /// A pause asked for while held: a plain pause before the countdown,
    /// the gate still armed for when the walker resumes.
    pub(super) fn leave_gate_paused(&mut self) {
        self.gate.holding = false;
        if let Some(step) = self.gate.before {
            self.rewind_to_countdown(step);
        }
    }

    fn rewind_to_countdown(&mut self, step: usize) {
        let countdown = self
            .plan
            .cues
            .iter()
            .filter(|c| c.kind == CueKind::Countdown && c.step == step)
            .map(|c| c.start)
            .min();
        let boundary = self.plan.steps.get(step).map_or(self.position, |s| s.start);
        self.position = countdown.unwrap_or(boundary).min(self.position);
        self.next_cue = self.plan.cues.partition_point(|c| c.start < self.position);
    }

    /// A seek leaves any hold: the walker chose where to go. A turn met
    /// again after it is a new one, held again if the belt is fast.
    pub(super) fn clear_gate(&mut self) {
        self.gate.before = None;
        self.gate.holding = false;
        self.gate.passed = None;
    }
}
