//! `[treadmill]` and `[heart]`: the Bluetooth treadmill (FTMS) and
//! heart-rate strap. The file's sections and the flags fill the settings;
//! [`Treadmill`] and [`Heart`] are the checked results with the defaults
//! in, and [`FitnessSettings`] what the controller uses.

use clap::Args;
use serde::{Deserialize, Serialize};

use crate::controller::FitnessSettings;
use crate::program::KM_PER_MILE;

#[derive(Debug, Clone, Default, Args, Deserialize)]
pub struct TreadmillSettings {
    /// The treadmill's Bluetooth address, like "C0:FF:EE:12:34:56"
    /// (`treadcuectl treadmill use` keeps one too, which wins).
    #[arg(long = "treadmill", id = "treadmill_address", value_name = "ADDRESS")]
    pub address: Option<String>,
    /// Let treadcue set the belt's speed and incline: true or false
    /// [default: false].
    #[arg(
        long = "treadmill-control",
        id = "treadmill_control",
        value_name = "BOOL"
    )]
    pub control: Option<bool>,
    /// How far off the step's speed the belt may run before the coach
    /// says so, like "0.3 mph" or "0.5 km/h" [default: 0.3 mph].
    #[arg(long = "nudge-margin", id = "nudge_margin", value_name = "SPEED")]
    pub margin: Option<String>,
}

#[derive(Debug, Clone, Default, Args, Deserialize)]
pub struct HeartSettings {
    /// The heart-rate strap's Bluetooth address (`treadcuectl heart use`
    /// keeps one too, which wins).
    #[arg(long = "heart", id = "heart_address", value_name = "ADDRESS")]
    pub address: Option<String>,
    /// Say the heart rate after each halfway cue: true or false
    /// [default: false].
    #[arg(long = "heart-speak", id = "heart_speak", value_name = "BOOL")]
    pub speak: Option<bool>,
    /// A clinician's limit in beats per minute: above it for 10 s, the
    /// coach says to slow down [default: none].
    #[arg(long = "heart-max", id = "heart_max", value_name = "BPM")]
    pub max: Option<u16>,
}

impl TreadmillSettings {
    pub fn merge(self, over: TreadmillSettings) -> TreadmillSettings {
        TreadmillSettings {
            address: over.address.or(self.address),
            control: over.control.or(self.control),
            margin: over.margin.or(self.margin),
        }
    }
}

impl HeartSettings {
    pub fn merge(self, over: HeartSettings) -> HeartSettings {
        HeartSettings {
            address: over.address.or(self.address),
            speak: over.speak.or(self.speak),
            max: over.max.or(self.max),
        }
    }
}

/// The effective `[treadmill]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Treadmill {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    pub control: bool,
    pub margin: String,
}

/// The effective `[heart]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Heart {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    pub speak: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<u16>,
}

/// Limits a clinician's heart-rate ceiling lies within.
const HEART_MAX: std::ops::RangeInclusive<u16> = 60..=230;
/// The widest margin that still means something on a walking belt.
const WIDEST_MARGIN_KMH: f64 = 5.0;

impl Treadmill {
    pub fn resolve(settings: TreadmillSettings) -> Result<Treadmill, String> {
        let address = settings
            .address
            .map(|a| {
                crate::bluetooth::checked_address(&a)
                    .map_err(|e| format!("[treadmill] address: {e}"))
            })
            .transpose()?;
        let margin = settings.margin.unwrap_or_else(|| "0.3 mph".into());
        margin_kmh(&margin)?;
        Ok(Treadmill {
            address,
            control: settings.control.unwrap_or(false),
            margin,
        })
    }
}

impl Heart {
    pub fn resolve(settings: HeartSettings) -> Result<Heart, String> {
        let address = settings
            .address
            .map(|a| {
                crate::bluetooth::checked_address(&a).map_err(|e| format!("[heart] address: {e}"))
            })
            .transpose()?;
        if let Some(max) = settings.max.filter(|m| !HEART_MAX.contains(m)) {
            return Err(format!(
                "[heart] max {max} is not a heart-rate limit: give beats per minute from {} to {}",
                HEART_MAX.start(),
                HEART_MAX.end()
            ));
        }
        Ok(Heart {
            address,
            speak: settings.speak.unwrap_or(false),
            max: settings.max,
        })
    }
}

/// What the controller is given of both.
pub fn fitness_settings(treadmill: &Treadmill, heart: &Heart) -> FitnessSettings {
    FitnessSettings {
        treadmill: treadmill.address.clone(),
        heart: heart.address.clone(),
        margin_kmh: margin_kmh(&treadmill.margin).unwrap_or(0.3 * KM_PER_MILE),
        control: treadmill.control,
        heart_speak: heart.speak,
        heart_max: heart.max,
    }
}

/// A margin like "0.3 mph" or "0.5 km/h", in km/h.
fn margin_kmh(text: &str) -> Result<f64, String> {
    let bad = || {
        format!(
            "[treadmill] margin {text:?} is not a speed like \"0.3 mph\" or \"0.5 km/h\" (above 0, at most {WIDEST_MARGIN_KMH} km/h)"
        )
    };
    let text = text.trim();
    let (number, factor) = if let Some(n) = text.strip_suffix("mph") {
        (n, KM_PER_MILE)
    } else if let Some(n) = text
        .strip_suffix("km/h")
        .or_else(|| text.strip_suffix("kmh"))
    {
        (n, 1.0)
    } else {
        return Err(bad());
    };
    let value: f64 = number.trim().parse().map_err(|_| bad())?;
    let kmh = value * factor;
    if !(kmh > 0.0 && kmh <= WIDEST_MARGIN_KMH) {
        return Err(bad());
    }
    Ok(kmh)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn margins_take_either_unit_and_refuse_nonsense() {
        assert!((margin_kmh("0.3 mph").unwrap() - 0.482_803_2).abs() < 1e-9);
        assert_eq!(margin_kmh("0.5km/h").unwrap(), 0.5);
        for bad in ["0.3", "fast", "0 mph", "-1 mph", "9 km/h", "NaN mph"] {
            let e = margin_kmh(bad).unwrap_err();
            assert!(e.contains("[treadmill] margin"), "{e}");
        }
    }

    #[test]
    fn addresses_are_six_hex_pairs() {
        assert_eq!(
            crate::bluetooth::checked_address("c0:ff:ee:12:34:56").unwrap(),
            "C0:FF:EE:12:34:56"
        );
        for bad in [
            "",
            "C0:FF:EE:12:34",
            "C0:FF:EE:12:34:5G",
            "C0-FF-EE-12-34-56",
        ] {
            assert!(crate::bluetooth::checked_address(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_heart_limit_must_be_a_heart_rate() {
        let heart = |max| {
            Heart::resolve(HeartSettings {
                max: Some(max),
                ..Default::default()
            })
        };
        assert!(heart(140).is_ok());
        assert!(heart(20).unwrap_err().contains("[heart] max 20"));
        assert!(heart(300).is_err());
    }
}
