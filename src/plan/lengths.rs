//! How long each sound lasts. The plan needs lengths to keep cues apart;
//! the voice that will speak them knows them exactly, and before any voice
//! has rendered anything an estimate from the words serves.

use std::time::Duration;

use serde::Serialize;

/// The synthesized signals, each with its own sound so the walker can
/// tell them apart without looking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tone {
    /// One second of countdown.
    Tick,
    /// The change itself, at the end of a countdown.
    Go,
    /// Before a heads-up: something changes soon.
    Chime,
    Halfway,
    Finish,
    /// A pause was taken: the walker pressing a button hears it worked.
    Pause,
}

impl Tone {
    pub const ALL: [Tone; 6] = [
        Tone::Tick,
        Tone::Go,
        Tone::Chime,
        Tone::Halfway,
        Tone::Finish,
        Tone::Pause,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Tone::Tick => "tick",
            Tone::Go => "go",
            Tone::Chime => "chime",
            Tone::Halfway => "halfway",
            Tone::Finish => "finish",
            Tone::Pause => "pause",
        }
    }

    /// Length of the synthesized tone.
    pub fn default_length(self) -> Duration {
        Duration::from_millis(match self {
            Tone::Tick => 100,
            Tone::Go => 400,
            Tone::Chime => 300,
            Tone::Halfway => 350,
            Tone::Finish => 900,
            Tone::Pause => 300,
        })
    }
}

pub trait CueLengths {
    fn speech(&self, text: &str) -> Duration;
    fn tone(&self, tone: Tone) -> Duration;
}

/// Lengths guessed from the text at an unhurried coaching pace, for
/// planning before any phrase is rendered.
#[derive(Debug, Clone, Copy, Default)]
pub struct Estimates;

const SECONDS_PER_WORD: f64 = 0.36;
const SECONDS_PER_PAUSE: f64 = 0.25;

impl CueLengths for Estimates {
    fn speech(&self, text: &str) -> Duration {
        let words = text.split_whitespace().count() as f64;
        let pauses = text
            .chars()
            .filter(|c| matches!(c, ',' | '.' | ':' | ';' | '?' | '!'))
            .count() as f64;
        Duration::from_secs_f64(words * SECONDS_PER_WORD + pauses * SECONDS_PER_PAUSE)
    }

    fn tone(&self, tone: Tone) -> Duration {
        tone.default_length()
    }
}
