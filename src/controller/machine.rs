//! What the treadmill says happened at its own end, taken in by the
//! controller: the belt stopped at the console or by the safety key
//! pauses the session at once, started there again it goes on; a speed
//! the walker chose at the console is theirs for the step; control taken
//! by another app, an incline the machine cannot set, or a device another
//! program holds are each said once a session.

use super::{Controller, Sensor};
use crate::session::PauseReason;

/// How the belt came to stand, as the treadmill's status says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TreadmillStop {
    Stopped,
    Paused,
    SafetyKey,
}

impl Controller {
    /// The belt stopped at the treadmill: the session pauses at once,
    /// with `treadmill` as its reason, and the walker hears why.
    pub fn treadmill_stopped(&self, how: TreadmillStop) {
        let paused = self.command_marking(|s, session| {
            let paused = s.pause();
            if paused {
                session.paused_for(PauseReason::Treadmill);
            }
            paused
        });
        if !matches!(paused, Ok(true)) {
            return;
        }
        tracing::info!("treadmill: the belt was stopped there ({how:?})");
        let texts = &self.setup().phrases.coach;
        let text = match how {
            TreadmillStop::SafetyKey => texts.safety_key.fill(&[]),
            TreadmillStop::Stopped | TreadmillStop::Paused => texts.treadmill_stopped.fill(&[]),
        };
        self.say_coach(&text);
    }

    /// The belt was started at the treadmill: a session it paused goes
    /// on. One the walker paused themselves stays paused.
    pub fn treadmill_started(&self) {
        let resumed = self.command_marking(|s, session| {
            session.pause_reason() == PauseReason::Treadmill && s.resume()
        });
        if matches!(resumed, Ok(true)) {
            tracing::info!("treadmill: the belt was started there; the session goes on");
        }
    }

    /// The walker set this speed (km/h) at the console: it is theirs for
    /// the step. No nudge, and control does not set it back.
    pub fn walker_chose_speed(&self, kmh: f64) {
        let mut core = self.core();
        if !core.session.is_active() {
            return;
        }
        let step = core.session.step();
        core.fitness.walker_speed = Some((step, kmh));
        tracing::info!(
            "treadmill: the walker chose {kmh} km/h for step {}",
            step + 1
        );
    }

    /// Another app or the console took control of the belt: treadcue
    /// sends nothing more this session, and says so once.
    pub fn control_lost(&self) {
        tracing::warn!("treadmill: control was taken away; treadcue no longer sets the belt");
        let first = !std::mem::replace(&mut self.core().fitness.control_dropped, true);
        if first {
            let text = self.setup().phrases.coach.control_lost.fill(&[]);
            self.say_coach(&text);
        }
    }

    /// The step has an incline the treadmill cannot set: said once a
    /// session, the walker sets it by hand.
    pub fn incline_by_hand(&self) {
        let first = !std::mem::replace(&mut self.core().fitness.told_incline, true);
        if first {
            let text = self.setup().phrases.coach.incline_by_hand.fill(&[]);
            self.say_coach(&text);
        }
    }

    /// Another program holds what treadcue would read from the device:
    /// said once a session; nothing is tried again until it ends.
    pub fn sensor_held(&self, sensor: Sensor) {
        let index = match sensor {
            Sensor::Treadmill => 0,
            Sensor::Heart => 1,
        };
        let first = !std::mem::replace(&mut self.core().fitness.told_held[index], true);
        if first {
            let texts = &self.setup().phrases.coach;
            let text = match sensor {
                Sensor::Treadmill => texts.treadmill_held.fill(&[]),
                Sensor::Heart => texts.strap_held.fill(&[]),
            };
            self.say_coach(&text);
        }
    }
}
