//! Workout programs: the typed, validated form of a user's TOML file, its
//! parser and its safety checks. Pure: no file or device is touched here.

pub mod catalog;
pub mod cue_settings;
mod diagnostic;
pub mod limits;
pub mod raw;
mod safety;
pub mod suggest;
mod validate;
pub mod zwo;

use std::ops::Range;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

pub use diagnostic::{Diagnostic, Severity, SourceFile};
pub use safety::{SafetyOptions, safety_warnings};
pub use validate::{checked_text, clock, cue_overrides, file_text, parse};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Forward,
    Backward,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Forward => "forward",
            Direction::Backward => "backward",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Units {
    #[serde(rename = "mph")]
    Mph,
    #[serde(rename = "km/h")]
    Kmh,
}

pub const KM_PER_MILE: f64 = 1.609_344;

impl Units {
    pub fn label(self) -> &'static str {
        match self {
            Units::Mph => "mph",
            Units::Kmh => "km/h",
        }
    }

    pub fn to_mph(self, speed: f64) -> f64 {
        match self {
            Units::Mph => speed,
            Units::Kmh => speed / KM_PER_MILE,
        }
    }

    pub fn to_kmh(self, speed: f64) -> f64 {
        self.to_mph(speed) * KM_PER_MILE
    }

    pub fn from_kmh(self, kmh: f64) -> f64 {
        self.from_mph(kmh / KM_PER_MILE)
    }

    pub fn from_mph(self, mph: f64) -> f64 {
        match self {
            Units::Mph => mph,
            Units::Kmh => mph * KM_PER_MILE,
        }
    }

    pub fn speed_limits(self) -> (f64, f64) {
        match self {
            Units::Mph => limits::SPEED_MPH,
            Units::Kmh => limits::SPEED_KMH,
        }
    }
}

/// Where a step stands in the session, which gives its default name and
/// decides whether it counts as recovery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    WarmUp,
    Backward,
    Recover,
    CoolDown,
    /// A forward step in a program with no backward step at all.
    Walk,
}

/// Which rotating set of form reminders a step gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PostureSet {
    Form,
    Incline,
    Jog,
    Squat,
}

impl PostureSet {
    pub const NAMES: &[&str] = &["form", "incline", "jog", "squat", "off"];

    pub fn key(self) -> &'static str {
        match self {
            PostureSet::Form => "form",
            PostureSet::Incline => "incline",
            PostureSet::Jog => "jog",
            PostureSet::Squat => "squat",
        }
    }
}

/// A spoken cue the program places at an offset inside a step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TextCue {
    #[serde(with = "secs")]
    pub at: Duration,
    pub text: Arc<str>,
    /// Where the text is written, for errors about it.
    #[serde(skip)]
    pub span: Range<usize>,
}

/// Which round of which repeat block a step belongs to (innermost block).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Round {
    pub index: u32,
    pub count: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// The name the program gave; the phrasebook supplies one from the role
    /// when it gave none.
    pub name: Option<String>,
    pub role: Role,
    pub direction: Direction,
    #[serde(with = "secs")]
    pub duration: Duration,
    /// In the program's units.
    pub speed: f64,
    /// In percent.
    pub incline: f64,
    pub note: Option<Arc<str>>,
    /// `None`: no reminders in this step.
    pub posture: Option<PostureSet>,
    /// Spacing of reminders in this step, when it overrides the cue settings.
    #[serde(with = "opt_secs")]
    pub posture_every: Option<Duration>,
    pub texts: Arc<[TextCue]>,
    pub round: Option<Round>,
    /// Where the step is written, for warnings about it.
    #[serde(skip)]
    pub span: Range<usize>,
    /// Where its note is written, when it has one.
    #[serde(skip)]
    pub note_span: Option<Range<usize>>,
}

/// Per-program changes to the cue settings; `None` keeps the default.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CueOverrides {
    #[serde(with = "opt_secs")]
    pub heads_up: Option<Duration>,
    #[serde(with = "opt_secs")]
    pub heads_up_turn: Option<Duration>,
    pub countdown: Option<u32>,
    pub halfway: Option<bool>,
    #[serde(with = "opt_secs")]
    pub halfway_min: Option<Duration>,
    #[serde(skip)]
    pub remaining: Option<Vec<Duration>>,
    pub quiet_recovery: Option<bool>,
    #[serde(with = "opt_secs")]
    pub posture_every: Option<Duration>,
    pub briefing: Option<bool>,
}

/// A validated program, with its repeat blocks unrolled into a flat list
/// of steps in the order they are walked.
#[derive(Debug, Clone, Serialize)]
pub struct Program {
    pub id: String,
    pub name: String,
    pub description: String,
    pub units: Units,
    pub experienced: bool,
    pub cues: CueOverrides,
    pub steps: Vec<Step>,
    /// Said before the briefing: what a course says of the session it
    /// starts ("Week two, session five of eighteen."). Never in a file.
    #[serde(skip)]
    pub preface: Option<String>,
    #[serde(skip)]
    pub source: Arc<SourceFile>,
}

impl Program {
    pub fn total(&self) -> Duration {
        self.steps.iter().map(|s| s.duration).sum()
    }

    /// The same program with its speeds given in `units`, to a tenth, for
    /// a walker whose treadmill shows the other units.
    pub fn in_units(mut self, units: Units) -> Program {
        if units != self.units {
            for step in &mut self.steps {
                let speed = units.from_mph(self.units.to_mph(step.speed));
                step.speed = (speed * 10.0).round() / 10.0;
            }
            self.units = units;
        }
        self
    }
}

/// Durations in JSON as seconds, which every client can read.
mod secs {
    use serde::Serializer;
    use std::time::Duration;

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(d.as_secs_f64())
    }
}

mod opt_secs {
    use serde::Serializer;
    use std::time::Duration;

    pub fn serialize<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_some(&d.as_secs_f64()),
            None => s.serialize_none(),
        }
    }
}
