//! What the coach makes of the readings: when the belt runs off the
//! step's speed long enough to say so, when the heart stays above the
//! walker's limit long enough to warn, and what a session measured for
//! its history. Pure: the time of each reading is an argument.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// The belt must be off the step's speed this long before a nudge.
pub const NUDGE_AFTER: Duration = Duration::from_secs(10);
/// At most one nudge in this long.
pub const NUDGE_EVERY: Duration = Duration::from_secs(60);
/// The heart must stay above the limit this long before the first warning.
pub const HEART_WARN_AFTER: Duration = Duration::from_secs(10);
/// Warnings go on at most this often while it stays above.
pub const HEART_WARN_EVERY: Duration = Duration::from_secs(30);
/// A reading counts for the time to the next one, but no longer: a
/// strap that went quiet does not stretch its last beat over minutes.
const LONGEST_READING: Duration = Duration::from_secs(5);

/// Watches the belt against the step; says when to nudge.
#[derive(Debug, Default, Clone)]
pub struct BeltNudge {
    off_since: Option<Instant>,
    last_nudge: Option<Instant>,
}

impl BeltNudge {
    /// Takes a reading (`belt` and `wanted` in one unit, `margin` too);
    /// true when the walker should be told now.
    pub fn observe(&mut self, now: Instant, wanted: f64, belt: f64, margin: f64) -> bool {
        if (belt - wanted).abs() <= margin {
            self.off_since = None;
            return false;
        }
        let since = *self.off_since.get_or_insert(now);
        let long_enough = now.duration_since(since) >= NUDGE_AFTER;
        let quiet = self
            .last_nudge
            .is_none_or(|last| now.duration_since(last) >= NUDGE_EVERY);
        if long_enough && quiet {
            self.last_nudge = Some(now);
            return true;
        }
        false
    }

    /// The step changed or the session paused: a belt off the new speed
    /// gets its full time to follow.
    pub fn restart(&mut self) {
        self.off_since = None;
    }
}

/// What a session measured, for its history; each left out when nothing
/// measured it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Measured {
    /// Metres the belt ran during the session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distance_m: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heart_rate_average: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heart_rate_max: Option<u32>,
    /// Minutes above the walker's limit (`[heart] max`), when one is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minutes_above_limit: Option<f64>,
}

/// Watches the heart rate: warns above the limit, and keeps the
/// session's average, maximum and time above it.
#[derive(Debug, Default, Clone)]
pub struct HeartWatch {
    above_since: Option<Instant>,
    last_warning: Option<Instant>,
    last: Option<(Instant, u16)>,
    /// Beats per minute times seconds, and the seconds they cover.
    weighted: f64,
    seconds: f64,
    max: u16,
    seconds_above: f64,
}

impl HeartWatch {
    /// Takes a reading. `counting` says whether the session runs (a
    /// paused session's time counts for nothing); true when the walker
    /// should be warned now.
    pub fn observe(&mut self, now: Instant, bpm: u16, limit: Option<u16>, counting: bool) -> bool {
        if let Some((then, previous)) = self.last.filter(|_| counting) {
            let span = now.duration_since(then).min(LONGEST_READING).as_secs_f64();
            self.weighted += f64::from(previous) * span;
            self.seconds += span;
            if limit.is_some_and(|limit| previous > limit) {
                self.seconds_above += span;
            }
        }
        if counting {
            self.max = self.max.max(bpm);
        }
        self.last = Some((now, bpm));
        if !(counting && limit.is_some_and(|limit| bpm > limit)) {
            self.above_since = None;
            return false;
        }
        let since = *self.above_since.get_or_insert(now);
        let due = self
            .last_warning
            .is_none_or(|last| now.duration_since(last) >= HEART_WARN_EVERY);
        if now.duration_since(since) >= HEART_WARN_AFTER && due {
            self.last_warning = Some(now);
            return true;
        }
        false
    }

    /// The strap stopped sending: its last beat counts no further.
    pub fn lost(&mut self) {
        self.last = None;
        self.above_since = None;
    }

    /// Average and maximum, and minutes above `limit` when one is set.
    pub fn measured(&self, limit: Option<u16>) -> (Option<u32>, Option<u32>, Option<f64>) {
        if self.max == 0 {
            return (None, None, None);
        }
        let average = (self.seconds > 0.0).then(|| (self.weighted / self.seconds).round() as u32);
        let above = limit.map(|_| (self.seconds_above / 60.0 * 100.0).round() / 100.0);
        (average, Some(u32::from(self.max)), above)
    }
}

/// The belt's distance this session from the machine's own count (which
/// runs from its own start), or from the speed where it sends none.
#[derive(Debug, Default, Clone)]
pub struct Distance {
    /// The machine's count when the session first saw it, less what the
    /// session had run by then.
    base: Option<f64>,
    metres: f64,
    last_speed: Option<(Instant, f64)>,
}

impl Distance {
    /// Takes a reading: the machine's count in metres, if sent, and the
    /// speed in km/h. `running` says whether the session's clock runs.
    pub fn observe(&mut self, now: Instant, count: Option<u32>, kmh: Option<f64>, running: bool) {
        match count {
            Some(count) => {
                let count = f64::from(count);
                // A machine that reset its count starts a new base.
                let base = match self.base {
                    Some(base) if base <= count => base,
                    _ => count - self.metres,
                };
                self.base = Some(base);
                if running {
                    self.metres = count - base;
                } else {
                    // Metres run while paused are not the session's.
                    self.base = Some(count - self.metres);
                }
            }
            None => {
                if let Some((then, speed)) = self.last_speed {
                    if running {
                        let span = now.duration_since(then).min(LONGEST_READING);
                        self.metres += speed / 3.6 * span.as_secs_f64();
                    }
                    self.last_speed = Some((now, speed));
                }
            }
        }
        // A notification of "more data" carries no speed: the last one
        // still holds.
        if let Some(kmh) = kmh {
            self.last_speed = Some((now, kmh));
        }
    }

    pub fn metres(&self) -> f64 {
        self.metres
    }

    /// Measured anything at all.
    pub fn measured(&self) -> Option<f64> {
        (self.base.is_some() || self.last_speed.is_some()).then(|| self.metres.round())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(start: Instant, secs: u64) -> Instant {
        start + Duration::from_secs(secs)
    }

    #[test]
    fn a_nudge_comes_after_ten_seconds_off_and_at_most_once_a_minute() {
        let t = Instant::now();
        let mut nudge = BeltNudge::default();
        let said: Vec<u64> = (0..=130)
            .filter(|s| nudge.observe(at(t, *s), 0.8, 1.5, 0.3))
            .collect();
        assert_eq!(said, vec![10, 70, 130]);
    }

    #[test]
    fn a_belt_within_the_margin_resets_the_wait() {
        let t = Instant::now();
        let mut nudge = BeltNudge::default();
        for s in 0..9 {
            assert!(!nudge.observe(at(t, s), 0.8, 1.5, 0.3));
        }
        assert!(!nudge.observe(at(t, 9), 0.8, 1.0, 0.3));
        assert!(!nudge.observe(at(t, 15), 0.8, 1.5, 0.3));
        assert!(nudge.observe(at(t, 25), 0.8, 1.5, 0.3));
    }

    #[test]
    fn the_heart_warns_after_ten_seconds_above_then_every_thirty() {
        let t = Instant::now();
        let mut heart = HeartWatch::default();
        let warned: Vec<u64> = (0..=75)
            .filter(|s| heart.observe(at(t, *s), 150, Some(140), true))
            .collect();
        assert_eq!(warned, vec![10, 40, 70]);
        let (average, max, above) = heart.measured(Some(140));
        assert_eq!((average, max), (Some(150), Some(150)));
        assert_eq!(above, Some(1.25));
    }

    #[test]
    fn no_limit_no_warning_and_paused_time_does_not_count() {
        let t = Instant::now();
        let mut heart = HeartWatch::default();
        for s in 0..60 {
            assert!(!heart.observe(at(t, s), 180, None, true));
        }
        for s in 60..120 {
            heart.observe(at(t, s), 100, None, false);
        }
        assert_eq!(heart.measured(None), (Some(180), Some(180), None));
    }

    #[test]
    fn distance_follows_the_machine_count_from_the_first_reading() {
        let t = Instant::now();
        let mut d = Distance::default();
        d.observe(t, Some(1200), Some(3.0), true);
        d.observe(at(t, 10), Some(1210), Some(3.0), true);
        d.observe(at(t, 20), Some(1215), Some(0.0), false);
        d.observe(at(t, 30), Some(1220), Some(3.0), true);
        assert_eq!(
            d.metres(),
            15.0,
            "metres up to a paused reading are left out"
        );
        d.observe(at(t, 40), Some(4), Some(3.0), true);
        d.observe(at(t, 50), Some(14), Some(3.0), true);
        assert_eq!(d.metres(), 25.0, "a reset count carries on from there");
    }

    #[test]
    fn a_notification_without_speed_keeps_the_last_one() {
        let t = Instant::now();
        let mut d = Distance::default();
        d.observe(t, None, Some(3.6), true);
        d.observe(at(t, 1), None, None, true);
        d.observe(at(t, 2), None, Some(3.6), true);
        assert_eq!(d.measured(), Some(2.0));
    }

    #[test]
    fn distance_from_speed_when_the_machine_sends_no_count() {
        let t = Instant::now();
        let mut d = Distance::default();
        assert_eq!(d.measured(), None);
        for s in 0..=10 {
            d.observe(at(t, s), None, Some(3.6), true);
        }
        assert_eq!(d.measured(), Some(10.0));
    }
}
