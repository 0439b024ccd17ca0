//! What the session is told to do while it plays: pause, resume, stop,
//! go to a step, say a phrase, change the volume; and the device lost and
//! back.

use super::*;

impl Sequencer {
    /// The device is gone: pauses, and holds the session paused (a Resume
    /// now waits for the device) until [`Sequencer::device_back`].
    pub fn device_lost(&mut self) -> bool {
        self.device_lost = true;
        self.resume_when_back = false;
        // Held at a turn, it stays held: the belt lets it go, not the
        // device coming back (a hiccup must not replay the countdown).
        let paused = !self.gate.is_holding() && self.pause();
        self.emit(Event::DeviceChanged { at: self.position });
        paused
    }

    /// Starts held for a device that is lost; resumes when it is back if
    /// `resume` says so.
    pub fn hold_for_device(&mut self, resume: bool) {
        self.device_lost();
        self.resume_when_back = resume;
    }

    /// The device is back: resumes when `resume` says so or a Resume was
    /// asked for meanwhile.
    pub fn device_back(&mut self, resume: bool) -> bool {
        self.device_lost = false;
        let wanted = std::mem::take(&mut self.resume_when_back);
        // A hold at a turn is the belt's to end, or the walker's Resume.
        let resume = resume && !self.gate.is_holding();
        let resumed = (resume || wanted) && self.resume();
        self.emit(Event::DeviceChanged { at: self.position });
        resumed
    }

    /// Cuts the sounding cue with a fade, keeping where it was.
    pub(super) fn fade_out_current(&mut self) {
        if let Some((cue, offset)) = self.current {
            self.tail = Some(Tail {
                cue,
                offset,
                remaining: self.fade_len,
            });
        }
    }

    /// Stops the clock; harmless when not playing.
    pub fn pause(&mut self) -> bool {
        self.resume_when_back = false;
        if self.gate.is_holding() {
            // The walker's own pause: resuming counts down again and
            // meets the gate afresh.
            self.leave_gate_paused();
            self.emit(Event::Paused { at: self.position });
            return true;
        }
        if self.state != PlayState::Playing {
            return false;
        }
        self.fade_out_current();
        self.state = PlayState::Paused;
        self.emit(Event::Paused { at: self.position });
        true
    }

    /// Restarts the clock from the sample it stopped at; harmless when
    /// playing, and nothing to resume once stopped or finished.
    pub fn resume(&mut self) -> bool {
        if self.state != PlayState::Paused {
            return false;
        }
        if self.device_lost {
            // Nothing could be heard: say paused until the device is back.
            self.resume_when_back = true;
            return false;
        }
        if self.gate.is_holding() {
            self.pass_gate();
        }
        self.state = PlayState::Playing;
        self.fade_in_left = self.fade_len;
        self.emit(Event::Resumed { at: self.position });
        true
    }

    pub fn stop(&mut self) -> bool {
        if matches!(self.state, PlayState::Stopped | PlayState::Finished) {
            return false;
        }
        self.fade_out_current();
        self.current = None;
        self.state = PlayState::Stopped;
        self.emit(Event::Stopped { at: self.position });
        true
    }

    /// Jumps to the start of a step; paused stays paused.
    pub fn seek_step(&mut self, step: usize) -> bool {
        if step >= self.plan.steps.len()
            || matches!(self.state, PlayState::Stopped | PlayState::Finished)
        {
            return false;
        }
        self.clear_gate();
        self.count_in_due = false;
        self.fade_out_current();
        self.current = None;
        self.position = self.plan.steps[step].start;
        self.next_cue = self.plan.cues.partition_point(|c| c.start < self.position);
        self.next_step = step + 1;
        self.step_changed();
        self.emit(Event::StepStarted {
            step,
            at: self.position,
        });
        true
    }

    /// Says `sound` now, over the session, whether it plays or pauses.
    pub fn say(&mut self, sound: CueSound) {
        self.overlay = Some((sound, 0));
    }

    /// Says `sound` once the cue (or phrase) sounding now is over.
    pub fn say_after_cue(&mut self, sound: CueSound) {
        self.queued = Some(sound);
    }

    pub fn set_volume(&mut self, volume: f32) {
        self.target_gain = volume.clamp(0.0, 1.0);
    }
}
