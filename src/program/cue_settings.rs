//! How often and how early treadcue speaks: the defaults, which the config
//! file changes for every program and a program changes for itself.

use std::time::Duration;

use serde::Serialize;

use crate::program::CueOverrides;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CueSettings {
    /// Lead time of the heads-up before a change that keeps the direction.
    #[serde(serialize_with = "human::serialize")]
    pub heads_up: Duration,
    /// Lead time before a change of direction: turning takes longer.
    #[serde(serialize_with = "human::serialize")]
    pub heads_up_turn: Duration,
    /// Seconds of countdown ticks before each change.
    pub countdown: u32,
    pub halfway: bool,
    /// Steps shorter than this get no halfway cue.
    #[serde(serialize_with = "human::serialize")]
    pub halfway_min: Duration,
    /// "N left" marks, announced in steps at least twice as long as N.
    #[serde(serialize_with = "human::list")]
    pub remaining: Vec<Duration>,
    /// No reminders, halfway or remaining cues during recovery steps.
    pub quiet_recovery: bool,
    /// Spacing of posture reminders in backward steps.
    #[serde(serialize_with = "human::serialize")]
    pub posture_every: Duration,
    /// Spoken safety briefing at the start.
    pub briefing: bool,
}

impl Default for CueSettings {
    fn default() -> Self {
        CueSettings {
            heads_up: Duration::from_secs(10),
            heads_up_turn: Duration::from_secs(15),
            countdown: 3,
            halfway: true,
            halfway_min: Duration::from_secs(120),
            remaining: vec![Duration::from_secs(60)],
            quiet_recovery: false,
            posture_every: Duration::from_secs(45),
            briefing: true,
        }
    }
}

impl CueSettings {
    /// These settings with a program's (or the config file's) changes.
    pub fn with(&self, changes: &CueOverrides) -> CueSettings {
        CueSettings {
            heads_up: changes.heads_up.unwrap_or(self.heads_up),
            heads_up_turn: changes.heads_up_turn.unwrap_or(self.heads_up_turn),
            countdown: changes.countdown.unwrap_or(self.countdown),
            halfway: changes.halfway.unwrap_or(self.halfway),
            halfway_min: changes.halfway_min.unwrap_or(self.halfway_min),
            remaining: changes
                .remaining
                .clone()
                .unwrap_or_else(|| self.remaining.clone()),
            quiet_recovery: changes.quiet_recovery.unwrap_or(self.quiet_recovery),
            posture_every: changes.posture_every.unwrap_or(self.posture_every),
            briefing: changes.briefing.unwrap_or(self.briefing),
        }
    }
}

/// Durations written the way a config file gives them: "1m 30s".
mod human {
    use std::time::Duration;

    use serde::{Serialize, Serializer};

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        humantime::format_duration(*d).to_string().serialize(s)
    }

    pub fn list<S: Serializer>(list: &[Duration], s: S) -> Result<S::Ok, S::Error> {
        let texts: Vec<String> = list
            .iter()
            .map(|d| humantime::format_duration(*d).to_string())
            .collect();
        texts.serialize(s)
    }
}
