//! Paces: what a run workout's `Power` is a fraction of.
//!
//! In a Zwift run workout `Power` is a fraction of a reference speed: the
//! threshold pace, or with `pace="N"` the walker's 1 mile (0), 5 km (1),
//! 10 km (2), half marathon (3) or marathon (4) pace. treadcue takes the
//! threshold pace as the 10 km pace and derives the others by Riegel's
//! rule (a race's time grows with its distance to the power 1.06, so its
//! pace with the distance to the power 0.06).

/// The distances of the reference paces, in km, by `pace` index.
const DISTANCES_KM: [f64; 5] = [1.609_344, 5.0, 10.0, 21.097_5, 42.195];
/// The distance the threshold pace is taken to be the pace of.
const THRESHOLD_KM: f64 = 10.0;
/// Riegel's exponent less one: how pace grows with distance.
const PACE_EXPONENT: f64 = 0.06;

/// A pace, in seconds per km.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pace(pub f64);

impl Pace {
    /// "9:00" (minutes and seconds per km) to a pace, from 2:00 to 30:00.
    pub fn parse(text: &str) -> Result<Pace, String> {
        let fail = || {
            format!("{text:?} is not a pace like 9:00 (minutes:seconds per km, from 2:00 to 30:00)")
        };
        let (minutes, seconds) = text.trim().split_once(':').ok_or_else(fail)?;
        if seconds.len() != 2 {
            return Err(fail());
        }
        let minutes: u32 = minutes.parse().map_err(|_| fail())?;
        let seconds: u32 = seconds.parse().map_err(|_| fail())?;
        if seconds >= 60 {
            return Err(fail());
        }
        let pace = f64::from(minutes * 60 + seconds);
        if !(120.0..=1800.0).contains(&pace) {
            return Err(fail());
        }
        Ok(Pace(pace))
    }

    /// The reference pace `index` (see the module), this being the
    /// threshold pace; the threshold itself with `None`.
    pub fn reference(self, index: Option<u8>) -> Pace {
        let Some(index) = index else { return self };
        let distance = DISTANCES_KM[usize::from(index.min(4))];
        Pace(self.0 * (distance / THRESHOLD_KM).powf(PACE_EXPONENT))
    }

    /// The speed of this pace, in km/h.
    pub fn kmh(self) -> f64 {
        3600.0 / self.0
    }

    /// "9:00".
    pub fn label(self) -> String {
        let seconds = self.0.round() as u64;
        format!("{}:{:02}", seconds / 60, seconds % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paces_parse_and_the_references_follow_riegel() {
        let threshold = Pace::parse("9:00").unwrap();
        assert_eq!(threshold.0, 540.0);
        assert!((threshold.kmh() - 6.6667).abs() < 1e-3);
        assert_eq!(threshold.reference(Some(2)), threshold);
        let mile = threshold.reference(Some(0)).0;
        let marathon = threshold.reference(Some(4)).0;
        assert!(mile < 540.0 && marathon > 540.0, "{mile} {marathon}");
        assert!((marathon / 540.0 - 4.2195f64.powf(0.06)).abs() < 1e-9);
        for bad in [
            "9", "9:60", "1:00", "31:00", "x:00", "9:5x", "-9:00", "9:005",
        ] {
            assert!(Pace::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Pace::parse("12:05").unwrap().label(), "12:05");
    }
}
