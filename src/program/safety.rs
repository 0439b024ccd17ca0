//! The safety rules of backward walking, checked against a program. They
//! are warnings, since a clinician may have good reason to break one, and
//! errors under `--strict`.

use std::time::Duration;

use super::diagnostic::Diagnostic;
use super::validate::clock;
use super::{Direction, Program, Step};
use crate::program::cue_settings::CueSettings;

#[derive(Debug, Clone)]
pub struct SafetyOptions {
    /// Fastest backward speed allowed without a warning.
    pub backward_cap_mph: f64,
    /// Fastest first backward step for a program not marked `experienced`.
    pub beginner_start_mph: f64,
    /// The cue defaults in force, to judge whether a turn has time for its
    /// heads-up.
    pub cues: CueSettings,
}

impl Default for SafetyOptions {
    fn default() -> Self {
        SafetyOptions {
            backward_cap_mph: 3.5,
            beginner_start_mph: 1.0,
            cues: CueSettings::default(),
        }
    }
}

/// Time a step needs after its own announcement before a heads-up.
const ANNOUNCEMENT_ROOM: Duration = Duration::from_secs(5);
/// Time a step's announcement takes to say, about.
const ANNOUNCEMENT_LENGTH: Duration = Duration::from_secs(7);

/// Every safety warning for the program, each once even when a repeat
/// block makes the same step break a rule many times.
pub fn safety_warnings(program: &Program, options: &SafetyOptions) -> Vec<Diagnostic> {
    let mut check = Check {
        program,
        options,
        cues: options.cues.with(&program.cues),
        found: Vec::new(),
    };
    check.first_backward_step();
    check.backward_speeds();
    check.room_to_announce();
    check.changes_between_steps();
    check.found
}

/// The program checked, and the warnings found so far.
struct Check<'a> {
    program: &'a Program,
    options: &'a SafetyOptions,
    cues: crate::program::cue_settings::CueSettings,
    found: Vec<Diagnostic>,
}

impl Check<'_> {
    fn warn(&mut self, step: &Step, message: String, help: &str) {
        let warning = self
            .program
            .source
            .warning(step.span.clone(), message)
            .with_help(help);
        if !self.found.contains(&warning) {
            self.found.push(warning);
        }
    }

    /// A forward warm-up first, and a beginner's first backward step slow.
    fn first_backward_step(&mut self) {
        let (program, options) = (self.program, self.options);
        let Some(first) = program
            .steps
            .iter()
            .position(|s| s.direction == Direction::Backward)
        else {
            return;
        };
        let step = &program.steps[first];
        if first == 0 {
            self.warn(
                step,
                "the program starts walking backward with no forward warm-up".into(),
                "add a few minutes of ordinary forward walking first",
            );
        }
        let (units, unit) = (program.units, program.units.label());
        if !program.experienced && units.to_mph(step.speed) > options.beginner_start_mph + 1e-9 {
            self.warn(
                step,
                format!(
                    "the first backward step is at {} {unit}; beginners start at {:.1} {unit} or slower",
                    step.speed,
                    units.from_mph(options.beginner_start_mph)
                ),
                "slow it down, or mark the program for experienced walkers with `experienced = true`",
            );
        }
    }

    /// No backward step above the cap.
    fn backward_speeds(&mut self) {
        let (program, options) = (self.program, self.options);
        let (units, unit) = (program.units, program.units.label());
        for step in program
            .steps
            .iter()
            .filter(|s| s.direction == Direction::Backward)
        {
            if units.to_mph(step.speed) > options.backward_cap_mph + 1e-9 {
                self.warn(
                    step,
                    format!(
                        "backward speed {} {unit} is above the cap of {:.1} {unit}",
                        step.speed,
                        units.from_mph(options.backward_cap_mph)
                    ),
                    "walking backward faster than this risks a fall",
                );
            }
        }
    }

    /// Every step long enough to be announced before its countdown.
    fn room_to_announce(&mut self) {
        let countdown = Duration::from_secs(self.cues.countdown.into());
        let needed = ANNOUNCEMENT_LENGTH + countdown;
        for step in &self.program.steps {
            if step.duration < needed {
                let message = format!(
                    "this step lasts {}, too short to announce it before its {}-second countdown",
                    clock(step.duration),
                    self.cues.countdown
                );
                let help = format!(
                    "make it at least {} long, or shorten `countdown` in [cues]",
                    clock(needed)
                );
                self.warn(step, message, &help);
            }
        }
    }

    /// One change at a time, and room to warn of each turn.
    fn changes_between_steps(&mut self) {
        let unit = self.program.units.label();
        let needed = self.cues.heads_up_turn + ANNOUNCEMENT_ROOM;
        for pair in self.program.steps.windows(2) {
            let (before, after) = (&pair[0], &pair[1]);
            if before.speed != after.speed && before.incline != after.incline {
                self.warn(
                    after,
                    format!(
                        "speed and incline both change here ({} to {} {unit}, {}% to {}%)",
                        before.speed, after.speed, before.incline, after.incline
                    ),
                    "change one at a time: add a step that changes only one of them",
                );
            }
            if before.direction != after.direction && before.duration < needed {
                let message = format!(
                    "this step lasts {}, too short to warn of the turn that ends it ({} heads-up)",
                    clock(before.duration),
                    clock(self.cues.heads_up_turn)
                );
                let help = format!(
                    "make it at least {} long, or shorten `heads_up_turn` in [cues]",
                    clock(needed)
                );
                self.warn(before, message, &help);
            }
        }
    }
}
