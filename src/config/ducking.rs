//! `[ducking]`: how music and podcasts are lowered under the cues. The
//! file's section and the flags fill [`DuckingSettings`]; [`Ducking`] is
//! the checked result with every default in.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use serde::{Deserialize, Serialize};

use crate::audio::ducking::DuckingOptions;

#[derive(Debug, Clone, Default, Args, Deserialize)]
pub struct DuckingSettings {
    /// Lower other audio (music, podcasts) while a cue sounds: true or
    /// false [default: true].
    #[arg(long = "ducking", value_name = "BOOL")]
    pub enabled: Option<bool>,
    /// How far other audio goes down under a cue, in dB, like -15
    /// [default: -15].
    #[arg(long = "duck-depth", value_name = "DB", allow_hyphen_values = true)]
    pub depth: Option<f64>,
    /// How long the way down takes; it is over before the cue starts
    /// [default: 200ms].
    #[arg(long = "duck-attack", value_name = "DURATION")]
    pub attack: Option<String>,
    /// How long the way back up takes after the cue [default: 600ms].
    #[arg(long = "duck-release", value_name = "DURATION")]
    pub release: Option<String>,
    /// Streams of these media roles are never lowered [default: phone].
    #[arg(skip)]
    pub never_duck: Option<Vec<String>>,
}

impl DuckingSettings {
    pub fn merge(self, over: DuckingSettings) -> DuckingSettings {
        DuckingSettings {
            enabled: over.enabled.or(self.enabled),
            depth: over.depth.or(self.depth),
            attack: over.attack.or(self.attack),
            release: over.release.or(self.release),
            never_duck: over.never_duck.or(self.never_duck),
        }
    }
}

/// The effective `[ducking]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ducking {
    pub enabled: bool,
    pub depth: f64,
    pub attack: String,
    pub release: String,
    pub never_duck: Vec<String>,
}

const DEEPEST: f64 = -60.0;
const LONGEST_ATTACK: Duration = Duration::from_secs(2);
const LONGEST_RELEASE: Duration = Duration::from_secs(5);

impl Ducking {
    /// Checks `settings` and fills in the defaults; an error names the
    /// key and says what it takes.
    pub fn resolve(settings: DuckingSettings) -> Result<Ducking, String> {
        let defaults = DuckingOptions::default();
        let depth = settings.depth.unwrap_or(defaults.depth_db);
        if !(DEEPEST..0.0).contains(&depth) {
            return Err(format!(
                "[ducking] depth {depth} is not a level below the music's own: give decibels from {DEEPEST} to just under 0, like -15 (to turn ducking off, enabled = false)"
            ));
        }
        let attack = duration("attack", settings.attack, defaults.attack, LONGEST_ATTACK)?;
        let release = duration(
            "release",
            settings.release,
            defaults.release,
            LONGEST_RELEASE,
        )?;
        Ok(Ducking {
            enabled: settings.enabled.unwrap_or(true),
            depth,
            attack: humantime::format_duration(attack).to_string(),
            release: humantime::format_duration(release).to_string(),
            never_duck: settings.never_duck.unwrap_or(defaults.never_duck),
        })
    }

    /// The ducker's options, noting lowered streams in `note`; `None`
    /// when ducking is off.
    pub fn options(&self, note: PathBuf) -> Option<DuckingOptions> {
        let parse = |text: &str| humantime::parse_duration(text).unwrap_or_default();
        self.enabled.then(|| DuckingOptions {
            depth_db: self.depth,
            attack: parse(&self.attack),
            release: parse(&self.release),
            never_duck: self.never_duck.clone(),
            note: Some(note),
        })
    }
}

fn duration(
    key: &str,
    text: Option<String>,
    default: Duration,
    longest: Duration,
) -> Result<Duration, String> {
    let Some(text) = text else {
        return Ok(default);
    };
    let longest_text = humantime::format_duration(longest);
    match humantime::parse_duration(text.trim()) {
        Ok(d) if d <= longest => Ok(d),
        Ok(_) => Err(format!(
            "[ducking] {key} {text:?} is longer than {longest_text}"
        )),
        Err(_) => Err(format!(
            "[ducking] {key} {text:?} is not a duration like \"200ms\" (at most {longest_text})"
        )),
    }
}
