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
/// it still in the stream's buffer, before the way back up; part of the
/// release time, not added to it.
pub const HOLD: Duration = Duration::from_millis(100);

#[derive(Debug, Clone)]
pub struct Envelope {
    attack: f64,
    /// The hold after a sound, then the ramp up: together the release.
    hold: f64,
    ramp: f64,
    level: f64,
    /// Seconds of hold left since a sound was last heard.
    held: f64,
}

impl Envelope {
    /// `release` is the whole way back: hold, then ramp.
    pub fn new(attack: Duration, release: Duration) -> Envelope {
        let release = release.as_secs_f64();
        let hold = HOLD.as_secs_f64().min(release);
        Envelope {
            attack: attack.as_secs_f64(),
            hold,
            ramp: release - hold,
            level: 0.0,
            held: 0.0,
        }
    }

    /// Moves on by `elapsed` seconds, given the sounds coming as (start,
    /// end) in seconds from now, and gives the level now. It rises as
    /// fast as the sounds ahead need (at once for a sound that starts
    /// now) and falls no faster than the release allows.
    pub fn advance(&mut self, sounds: &[(f64, f64)], elapsed: f64) -> f64 {
        let sounding = sounds.iter().any(|&(start, end)| start <= 0.0 && end > 0.0);
        self.held = if sounding {
            self.hold
        } else {
            (self.held - elapsed).max(0.0)
        };
        let wanted = sounds
            .iter()
            .map(|&(start, end)| self.wanted_for(start, end))
            .fold(if self.held > 0.0 { 1.0 } else { 0.0 }, f64::max);
        let falling = if self.ramp > 0.0 {
            self.level - elapsed / self.ramp
        } else {
            0.0
        };
        self.level = wanted.max(falling).clamp(0.0, 1.0);
        self.level
    }

    fn wanted_for(&self, start: f64, end: f64) -> f64 {
        if end <= 0.0 {
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
        self.held = 0.0;
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
    fn it_holds_then_comes_back_within_the_release_and_not_faster() {
        let mut e = envelope();
        e.advance(&[(0.0, 0.1)], 0.01);
        // The sound is over (the sequencer no longer lists it): held.
        assert_eq!(e.advance(&[], 0.05), 1.0);
        assert_eq!(e.advance(&[], 0.04), 1.0);
        // Past the hold: falls over the rest of the release (0.4 s).
        let after = e.advance(&[], 0.11);
        assert!(after < 1.0 && after > 0.7, "{after}");
        let later = e.advance(&[], 0.1);
        assert!((after - later - 0.25).abs() < 1e-9, "{after} {later}");
        // Back by the end of the release.
        assert_eq!(e.advance(&[], 0.3), 0.0);
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
