//! A Zwift workout as its file gives it: blocks of power (a fraction of
//! the threshold pace) over time, with the texts said during them.

use std::ops::Range;

/// A workout as the file gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct Workout {
    pub name: String,
    pub description: String,
    /// `thresholdSecPerKm`, when the file sets it.
    pub threshold: Option<f64>,
    pub blocks: Vec<Block>,
    /// Texts placed directly in `<workout>`, from its start.
    pub texts: Vec<Text>,
}

/// A block of the workout, with where it is in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub kind: Kind,
    pub element: String,
    pub span: Range<usize>,
    /// Which reference pace `Power` is a fraction of: 0 one mile, 1 5 km,
    /// 2 10 km, 3 half marathon, 4 marathon; `None` for the threshold.
    pub pace: Option<u8>,
    pub texts: Vec<Text>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// `SteadyState`.
    Steady { seconds: f64, power: f64 },
    /// `Warmup`, `Cooldown`, `Ramp`: from one power to another.
    Ramp { seconds: f64, low: f64, high: f64 },
    /// `IntervalsT`: `repeat` times on, then off.
    Intervals { repeat: u32, on: Part, off: Part },
    /// `FreeRide`: the walker's own pace.
    Free { seconds: f64 },
}

/// One half of an interval: how long, at what power (`None`: the
/// walker's own pace) and on what slope (`OnSlope`, in percent, as
/// treadmill workouts made for hills give it).
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    pub seconds: f64,
    pub power: Option<f64>,
    pub slope: Option<f64>,
}

impl Kind {
    pub fn seconds(&self) -> f64 {
        match self {
            Kind::Steady { seconds, .. } | Kind::Ramp { seconds, .. } | Kind::Free { seconds } => {
                *seconds
            }
            Kind::Intervals { repeat, on, off } => f64::from(*repeat) * (on.seconds + off.seconds),
        }
    }
}

/// A text event: `message` said `offset` seconds into its block.
#[derive(Debug, Clone, PartialEq)]
pub struct Text {
    pub offset: f64,
    pub message: String,
    pub span: Range<usize>,
}
