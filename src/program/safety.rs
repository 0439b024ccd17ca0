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
    let mut found: Vec<Diagnostic> = Vec::new();
    let mut warn = |step: &Step, message: String, help: &str| {
        let warning = program
            .source
            .warning(step.span.clone(), message)
            .with_help(help);
        if !found.contains(&warning) {
            found.push(warning);
        }
    };
    let units = program.units;
    let unit = units.label();
    let cues = options.cues.with(&program.cues);

    if let Some(first) = program
        .steps
        .iter()
        .position(|s| s.direction == Direction::Backward)
    {
        let step = &program.steps[first];
        if first == 0 {
            warn(
                step,
                "the program starts walking backward with no forward warm-up".into(),
                "add a few minutes of ordinary forward walking first",
            );
        }
        if !program.experienced && units.to_mph(step.speed) > options.beginner_start_mph + 1e-9 {
            warn(
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
    for step in program
        .steps
        .iter()
        .filter(|s| s.direction == Direction::Backward)
    {
        if units.to_mph(step.speed) > options.backward_cap_mph + 1e-9 {
            warn(
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
    let countdown = Duration::from_secs(cues.countdown.into());
    for step in &program.steps {
        let needed = ANNOUNCEMENT_LENGTH + countdown;
        if step.duration < needed {
            warn(
                step,
                format!(
                    "this step lasts {}, too short to announce it before its {}-second countdown",
                    clock(step.duration),
                    cues.countdown
                ),
                &format!(
                    "make it at least {} long, or shorten `countdown` in [cues]",
                    clock(needed)
                ),
            );
        }
    }
    for pair in program.steps.windows(2) {
        let (before, after) = (&pair[0], &pair[1]);
        if before.speed != after.speed && before.incline != after.incline {
            warn(
                after,
                format!(
                    "speed and incline both change here ({} to {} {unit}, {}% to {}%)",
                    before.speed, after.speed, before.incline, after.incline
                ),
                "change one at a time: add a step that changes only one of them",
            );
        }
        let needed = cues.heads_up_turn + ANNOUNCEMENT_ROOM;
        if before.direction != after.direction && before.duration < needed {
            warn(
                before,
                format!(
                    "this step lasts {}, too short to warn of the turn that ends it ({} heads-up)",
                    clock(before.duration),
                    clock(cues.heads_up_turn)
                ),
                &format!(
                    "make it at least {} long, or shorten `heads_up_turn` in [cues]",
                    clock(needed)
                ),
            );
        }
    }
    found
}
