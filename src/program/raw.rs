//! The program file as written: every field optional and spanned, so the
//! validator can say exactly where something is missing or wrong.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProgram {
    pub name: Option<Spanned<String>>,
    pub description: Option<Spanned<String>>,
    pub units: Option<Spanned<String>>,
    pub experienced: Option<bool>,
    pub cues: Option<Spanned<RawCues>>,
    pub steps: Option<Spanned<Vec<Spanned<RawItem>>>>,
}

/// A step or a repeat block: one table type for both, told apart by the
/// presence of `repeat`, so a mix-up gets a precise message instead of
/// serde's "did not match any variant".
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawItem {
    pub repeat: Option<Spanned<i64>>,
    pub name: Option<Spanned<String>>,
    pub direction: Option<Spanned<String>>,
    pub duration: Option<Spanned<RawDuration>>,
    pub speed: Option<Spanned<f64>>,
    pub incline: Option<Spanned<f64>>,
    pub note: Option<Spanned<String>>,
    pub posture: Option<Spanned<String>>,
    pub posture_every: Option<Spanned<RawDuration>>,
    pub say: Option<Vec<Spanned<RawTextCue>>>,
    pub steps: Option<Spanned<Vec<Spanned<RawItem>>>>,
}

/// Keys a repeat block may hold; anything else belongs to a step.
pub const REPEAT_KEYS: &[&str] = &["repeat", "name", "steps"];

impl RawItem {
    /// The step-only keys present in this table, with their spans, to name
    /// them when they turn up in a repeat block.
    pub fn step_keys_present(&self) -> Vec<(&'static str, std::ops::Range<usize>)> {
        let mut found = Vec::new();
        let mut note = |key: &'static str, span: Option<std::ops::Range<usize>>| {
            if let Some(span) = span {
                found.push((key, span));
            }
        };
        note("direction", self.direction.as_ref().map(Spanned::span));
        note("duration", self.duration.as_ref().map(Spanned::span));
        note("speed", self.speed.as_ref().map(Spanned::span));
        note("incline", self.incline.as_ref().map(Spanned::span));
        note("note", self.note.as_ref().map(Spanned::span));
        note("posture", self.posture.as_ref().map(Spanned::span));
        note(
            "posture_every",
            self.posture_every.as_ref().map(Spanned::span),
        );
        if let Some(first) = self.say.as_ref().and_then(|s| s.first()) {
            note("say", Some(first.span()));
        }
        found
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTextCue {
    pub at: Option<Spanned<RawDuration>>,
    pub text: Option<Spanned<String>>,
}

/// The keys of `[cues]`, written once for the two places they are read:
/// a program, where an unknown key is an error ([`RawCues`]), and the
/// config file, where it is warned about (`config::file::FileCues`).
/// The lenient one turns into the strict one.
macro_rules! cue_keys {
    ($(#[$attr:meta])* $name:ident) => {
        $(#[$attr])*
        pub struct $name {
            pub heads_up: Option<::toml::Spanned<$crate::program::raw::RawDuration>>,
            pub heads_up_turn: Option<::toml::Spanned<$crate::program::raw::RawDuration>>,
            pub countdown: Option<::toml::Spanned<i64>>,
            pub halfway: Option<bool>,
            pub halfway_min: Option<::toml::Spanned<$crate::program::raw::RawDuration>>,
            pub remaining: Option<Vec<::toml::Spanned<$crate::program::raw::RawDuration>>>,
            pub quiet_recovery: Option<bool>,
            pub posture_every: Option<::toml::Spanned<$crate::program::raw::RawDuration>>,
            pub briefing: Option<bool>,
        }
    };
    (lenient $(#[$attr:meta])* $name:ident) => {
        $crate::program::raw::cue_keys!($(#[$attr])* $name);

        impl From<$name> for $crate::program::raw::RawCues {
            fn from(c: $name) -> Self {
                let $name {
                    heads_up,
                    heads_up_turn,
                    countdown,
                    halfway,
                    halfway_min,
                    remaining,
                    quiet_recovery,
                    posture_every,
                    briefing,
                } = c;
                $crate::program::raw::RawCues {
                    heads_up,
                    heads_up_turn,
                    countdown,
                    halfway,
                    halfway_min,
                    remaining,
                    quiet_recovery,
                    posture_every,
                    briefing,
                }
            }
        }
    };
}
pub(crate) use cue_keys;

cue_keys!(
    #[derive(Debug, Default, Deserialize)]
    #[serde(deny_unknown_fields)]
    RawCues
);

/// A duration as written: `"1m30s"`, or a bare number of seconds.
#[derive(Debug, Clone, PartialEq)]
pub enum RawDuration {
    Text(String),
    Seconds(f64),
}

impl<'de> Deserialize<'de> for RawDuration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RawDurationVisitor)
    }
}

struct RawDurationVisitor;

impl Visitor<'_> for RawDurationVisitor {
    type Value = RawDuration;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a duration like \"90s\", \"1m30s\" or \"2m\"")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<RawDuration, E> {
        Ok(RawDuration::Text(v.to_string()))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawDuration, E> {
        Ok(RawDuration::Seconds(v as f64))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawDuration, E> {
        Ok(RawDuration::Seconds(v as f64))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawDuration, E> {
        Ok(RawDuration::Seconds(v))
    }
}
