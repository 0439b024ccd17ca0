//! How far down the other audio is at each moment: pure arithmetic on the
//! sounds the plan says are coming, no clock and no sound server.
//!
//! The level is a fraction of the configured depth (0: untouched, 1: the
//! full depth), applied in decibels so the ramps sound even. It reaches 1
//! [`LEAD`] before a sound's first sample, having ramped over the attack
//! time, holds while the sound plays and for [`HOLD`] after it, then comes
//! back over the release time. Because the plan knows every cue ahead,
//! the ramp down is over before the first word, not started by it.

use std::time::Duration;

/// Full depth is reached this long before a sound starts, on top of the
/// stream's own buffer (which already puts the samples pulled ahead of
/// the samples heard): room for a late tick of the ducker.
pub const LEAD: Duration = Duration::from_millis(30);
/// Held this long after a sound's last sample is pulled, for the part of
/// it still in the stream's buffer.
pub const HOLD: Duration = Duration::from_millis(60);

#[derive(Debug, Clone)]
pub struct Envelope {
    attack: f64,
    release: f64,
    level: f64,
}

impl Envelope {
    pub fn new(attack: Duration, release: Duration) -> Envelope {
        Envelope {
            attack: attack.as_secs_f64(),
            release: release.as_secs_f64(),
            level: 0.0,
        }
    }

    /// The level now, 0 to 1.
    pub fn level(&self) -> f64 {
        self.level
    }

    /// Moves on by `elapsed` seconds, given the sounds coming as (start,
    /// end) in seconds from now, and gives the level now. It rises as
    /// fast as the sounds ahead need (at once for a sound that starts
    /// now) and falls no faster than the release allows.
    pub fn advance(&mut self, sounds: &[(f64, f64)], elapsed: f64) -> f64 {
        let wanted = sounds
            .iter()
            .map(|&(start, end)| self.wanted_for(start, end))
            .fold(0.0, f64::max);
        let falling = if self.release > 0.0 {
            self.level - elapsed / self.release
        } else {
            0.0
        };
        self.level = wanted.max(falling).clamp(0.0, 1.0);
        self.level
    }

    fn wanted_for(&self, start: f64, end: f64) -> f64 {
        if end + HOLD.as_secs_f64() < 0.0 {
            return 0.0;
        }
        let until_full = start - LEAD.as_secs_f64();
        if until_full <= 0.0 {
            return 1.0;
        }
        if self.attack <= 0.0 {
            return 0.0;
        }
        (1.0 - until_full / self.attack).clamp(0.0, 1.0)
    }

    /// Forgets any duck: the level is 0 at once.
    pub fn reset(&mut self) {
        self.level = 0.0;
    }
}

/// The gain in decibels for a level, with `depth` the full depth (below 0).
pub fn gain_db(depth: f64, level: f64) -> f64 {
    depth * level
}

#[cfg(test)]
mod tests {
    use super::*;

    fn envelope() -> Envelope {
        Envelope::new(Duration::from_millis(200), Duration::from_millis(500))
    }

    #[test]
    fn full_depth_is_reached_before_the_first_sample() {
        let mut e = envelope();
        // Far ahead: untouched.
        assert_eq!(e.advance(&[(1.0, 2.0)], 0.01), 0.0);
        // Halfway through the attack.
        let half = 0.1 + LEAD.as_secs_f64();
        assert!((e.advance(&[(half, half + 1.0)], 0.01) - 0.5).abs() < 1e-9);
        // Down by the lead before the start, and while it plays.
        assert_eq!(e.advance(&[(LEAD.as_secs_f64(), 1.0)], 0.01), 1.0);
        assert_eq!(e.advance(&[(0.0, 0.5)], 0.01), 1.0);
    }

    #[test]
    fn it_comes_back_over_the_release_and_not_faster() {
        let mut e = envelope();
        e.advance(&[(0.0, 0.1)], 0.01);
        // Within the hold after the sound.
        assert_eq!(e.advance(&[(0.0, -0.05)], 0.01), 1.0);
        // Past it: falls by elapsed / release.
        let after = e.advance(&[], 0.1);
        assert!((after - 0.8).abs() < 1e-9, "{after}");
        assert_eq!(e.advance(&[], 1.0), 0.0);
    }

    #[test]
    fn a_sound_that_starts_now_lowers_at_once() {
        let mut e = envelope();
        assert_eq!(e.advance(&[(0.0, 0.3)], 0.01), 1.0);
    }

    #[test]
    fn close_cues_keep_it_down_between_them() {
        let mut e = envelope();
        e.advance(&[(0.0, 0.2)], 0.01);
        // The next one starts within the attack: the level stays high.
        let between = e.advance(&[(0.15, 0.5)], 0.1);
        assert!(between > 0.7, "{between}");
    }

    #[test]
    fn gain_is_the_depth_times_the_level() {
        assert_eq!(gain_db(-15.0, 1.0), -15.0);
        assert_eq!(gain_db(-15.0, 0.0), 0.0);
        assert_eq!(gain_db(-20.0, 0.5), -10.0);
    }
}
