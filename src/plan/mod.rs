//! The cue plan: a program compiled into a flat, sorted list of cues at
//! exact sample offsets. Pure and deterministic, so the same program always
//! sounds the same and tests can assert on it to the sample.

mod compose;
mod fit;
mod lengths;
mod occupancy;
mod table;

use std::time::Duration;

use serde::Serialize;

use crate::phrasebook::Phrasebook;
use crate::program::cue_settings::CueSettings;
use crate::program::{Direction, Program, Role, Round, Units};

pub use fit::fit_warnings;
pub use lengths::{CueLengths, Estimates, Tone};
pub use table::render_table;

/// Silence kept between any two cues so words never run together.
pub const GAP: Duration = Duration::from_millis(250);
/// Silence between a cue's tone and its words.
pub const TONE_TO_SPEECH: Duration = Duration::from_millis(150);

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CueKind {
    Briefing,
    Announcement,
    HeadsUp,
    Countdown,
    Go,
    Halfway,
    Remaining,
    Posture,
    Text,
    Finish,
}

impl CueKind {
    /// Higher keeps its time when two cues compete.
    pub fn priority(self) -> u8 {
        match self {
            CueKind::Briefing => 90,
            CueKind::Countdown | CueKind::Go => 80,
            // The end of the session keeps its time even when a crowded
            // program pushes announcements late.
            CueKind::Finish => 75,
            CueKind::Announcement => 70,
            CueKind::HeadsUp => 60,
            CueKind::Text => 40,
            CueKind::Remaining | CueKind::Halfway => 30,
            CueKind::Posture => 20,
        }
    }

    /// Whether the cue is about its own step and must be said inside it.
    pub fn bound_to_step(self) -> bool {
        matches!(
            self,
            CueKind::Announcement
                | CueKind::Halfway
                | CueKind::Remaining
                | CueKind::Posture
                | CueKind::Text
        )
    }

    /// Safety, announcements and countdowns are always heard; the rest
    /// give way when there is no room. A heads-up with no room before its
    /// countdown is dropped: said after the change it would mislead.
    pub fn may_drop(self) -> bool {
        matches!(
            self,
            CueKind::HeadsUp
                | CueKind::Halfway
                | CueKind::Remaining
                | CueKind::Posture
                | CueKind::Text
        )
    }

    pub fn label(self) -> &'static str {
        match self {
            CueKind::Briefing => "briefing",
            CueKind::Announcement => "announcement",
            CueKind::HeadsUp => "heads-up",
            CueKind::Countdown => "countdown",
            CueKind::Go => "go",
            CueKind::Halfway => "halfway",
            CueKind::Remaining => "remaining",
            CueKind::Posture => "posture",
            CueKind::Text => "text",
            CueKind::Finish => "finish",
        }
    }
}

/// One sound at one moment: a tone, words, or a tone followed by words.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cue {
    /// First sample of the cue.
    pub start: u64,
    /// Samples from the first to the last sound of the cue.
    pub length: u64,
    pub kind: CueKind,
    pub priority: u8,
    /// Index of the step the cue belongs to.
    pub step: usize,
    pub tone: Option<Tone>,
    pub text: Option<String>,
    /// Where the words start, counted from `start`.
    pub speech_offset: u64,
}

impl Cue {
    pub fn end(&self) -> u64 {
        self.start + self.length
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlannedStep {
    pub name: String,
    pub role: Role,
    pub direction: Direction,
    pub speed: f64,
    pub incline: f64,
    pub round: Option<Round>,
    pub start: u64,
    pub length: u64,
}

impl PlannedStep {
    pub fn end(&self) -> u64 {
        self.start + self.length
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub program_id: String,
    pub program_name: String,
    pub units: Units,
    pub sample_rate: u32,
    /// Samples to the end of the last step.
    pub length: u64,
    /// Samples to the end of the last sound, the finish included.
    pub end: u64,
    pub steps: Vec<PlannedStep>,
    pub cues: Vec<Cue>,
    /// Cues that had no room in full: shortened or left out.
    #[serde(skip)]
    pub adjustments: Vec<Adjustment>,
}

/// A cue that did not fit its step as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Adjustment {
    pub step: usize,
    pub kind: CueKind,
    /// Said in its short form; otherwise left out.
    pub shortened: bool,
}

impl Plan {
    pub fn samples(&self, d: Duration) -> u64 {
        to_samples(d, self.sample_rate)
    }

    pub fn seconds(&self, samples: u64) -> f64 {
        samples as f64 / f64::from(self.sample_rate)
    }

    /// The step playing at a sample, or the last one after the end.
    pub fn step_at(&self, sample: u64) -> usize {
        self.steps
            .partition_point(|s| s.start <= sample)
            .saturating_sub(1)
    }

    /// Every distinct text the plan speaks, for rendering before playing.
    pub fn phrases(&self) -> Vec<&str> {
        let mut all: Vec<&str> = self.cues.iter().filter_map(|c| c.text.as_deref()).collect();
        all.sort_unstable();
        all.dedup();
        all
    }
}

/// Whether `spoken` samples of speech would talk over a step of `length`
/// samples: a walker backward needs more quiet than words to feel their
/// feet, so no step is more than half speech.
pub fn talked_over(spoken: u64, length: u64) -> bool {
    spoken * 2 > length
}

/// A duration in samples, rounded to the nearest: a length measured in
/// samples and turned into a `Duration` comes back exact.
pub fn to_samples(d: Duration, sample_rate: u32) -> u64 {
    ((d.as_nanos() * u128::from(sample_rate) + 500_000_000) / 1_000_000_000) as u64
}

/// Compiles a program into its plan. `defaults` are the cue settings in
/// force before the program's own changes; `lengths` tells how long each
/// sound will be.
pub fn compile(
    program: &Program,
    defaults: &CueSettings,
    phrases: &Phrasebook,
    lengths: &dyn CueLengths,
    sample_rate: u32,
) -> Plan {
    compose::Composer::new(program, defaults, phrases, lengths, sample_rate).plan()
}

impl Plan {
    /// A plan that says one phrase and ends: what `say` plays.
    pub fn phrase(text: &str, lengths: &dyn CueLengths, sample_rate: u32) -> Plan {
        let length = to_samples(lengths.speech(text), sample_rate);
        Plan {
            program_id: "say".into(),
            program_name: "Say".into(),
            units: Units::Mph,
            sample_rate,
            length,
            end: length,
            steps: Vec::new(),
            adjustments: Vec::new(),
            cues: vec![Cue {
                start: 0,
                length,
                kind: CueKind::Text,
                priority: CueKind::Text.priority(),
                step: 0,
                tone: None,
                text: Some(text.to_string()),
                speech_offset: 0,
            }],
        }
    }
}
