//! `[zwo]`: how Zwift run workouts become walks: the walker's threshold
//! pace (what their speeds are shares of) and the fastest an imported
//! step may walk.

use clap::Args;
use serde::{Deserialize, Serialize};

use crate::program::zwo::{DEFAULT_MAX_SPEED_KMH, Pace, ZwoOptions};

/// `[zwo]` in the file, and the flags that set the same.
#[derive(Debug, Clone, Default, Args, Deserialize)]
pub struct ZwoSettings {
    /// The walker's threshold pace for Zwift run workouts (.zwo), in
    /// minutes:seconds per km, like 9:00 [default: none; a .zwo then says
    /// it needs one].
    #[arg(long = "threshold-pace", value_name = "MM:SS", global = true)]
    pub threshold_pace: Option<String>,
    /// The fastest an imported workout walks forward, in km/h [default:
    /// 6.4, 4 mph].
    #[arg(long = "zwo-max-speed", value_name = "KMH", global = true)]
    pub max_speed: Option<f64>,
}

impl ZwoSettings {
    /// These settings with `flags` over them.
    pub fn merge(self, flags: ZwoSettings) -> ZwoSettings {
        ZwoSettings {
            threshold_pace: flags.threshold_pace.or(self.threshold_pace),
            max_speed: flags.max_speed.or(self.max_speed),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Zwo {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold_pace: Option<String>,
    pub max_speed: f64,
}

impl Zwo {
    pub fn resolve(settings: ZwoSettings) -> Result<Zwo, String> {
        if let Some(pace) = &settings.threshold_pace {
            Pace::parse(pace).map_err(|e| format!("[zwo] threshold_pace: {e}"))?;
        }
        let max_speed = settings.max_speed.unwrap_or(DEFAULT_MAX_SPEED_KMH);
        if !(1.0..=20.0).contains(&max_speed) {
            return Err(format!(
                "[zwo] max_speed = {max_speed} is out of range: 1 to 20 km/h"
            ));
        }
        Ok(Zwo {
            threshold_pace: settings.threshold_pace,
            max_speed,
        })
    }

    /// The options an import takes.
    pub fn options(&self) -> ZwoOptions {
        ZwoOptions {
            threshold: self
                .threshold_pace
                .as_deref()
                .and_then(|p| Pace::parse(p).ok()),
            max_speed_kmh: self.max_speed,
            backward: Vec::new(),
        }
    }
}
