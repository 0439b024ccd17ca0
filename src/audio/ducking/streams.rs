//! Which streams the ducker lowers and what their own volumes are: the
//! bookkeeping, apart from the connection, so it can be checked alone.

use std::collections::HashMap;

use libpulse_binding::volume::{ChannelVolumes, Volume, VolumeDB};

/// A playback stream as the sound server lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct Seen {
    pub index: u32,
    pub sink: u32,
    /// treadcue's own stream (its process), never lowered.
    pub ours: bool,
    pub role: Option<String>,
    pub application: String,
    pub volume: ChannelVolumes,
    /// The stream has a volume that may be set.
    pub settable: bool,
}

/// A stream on treadcue's sink, and what its volume is.
#[derive(Debug, Clone)]
pub struct Tracked {
    /// The user's own volume: what it goes back to.
    pub user: ChannelVolumes,
    /// What treadcue last set, if anything since the user's.
    pub set: Option<ChannelVolumes>,
    pub application: String,
}

impl Tracked {
    /// What the server holds for it, as far as treadcue knows.
    fn current(&self) -> ChannelVolumes {
        self.set.unwrap_or(self.user)
    }

    /// Lowered below the user's volume now.
    pub fn is_lowered(&self) -> bool {
        self.set.is_some_and(|set| set != self.user)
    }
}

#[derive(Debug, Default)]
pub struct Streams {
    pub tracked: HashMap<u32, Tracked>,
    never_duck: Vec<String>,
}

impl Streams {
    pub fn new(never_duck: Vec<String>) -> Streams {
        Streams {
            tracked: HashMap::new(),
            never_duck,
        }
    }

    /// What treadcue had set on each stream when a listing was asked for:
    /// a listing that shows something else shows a change by the user.
    pub fn expected(&self) -> HashMap<u32, ChannelVolumes> {
        self.tracked
            .iter()
            .map(|(index, t)| (*index, t.current()))
            .collect()
    }

    /// Takes in a full listing asked for when `expected` held. Gives the
    /// streams to put back to their user's volume now: ones that left
    /// treadcue's sink while lowered.
    pub fn observe(
        &mut self,
        listing: &[Seen],
        expected: &HashMap<u32, ChannelVolumes>,
    ) -> Vec<(u32, ChannelVolumes)> {
        let own_sink = listing.iter().find(|s| s.ours).map(|s| s.sink);
        let mut put_back = Vec::new();
        let mut still = HashMap::new();
        for seen in listing {
            let Some(mut tracked) = self.tracked.remove(&seen.index) else {
                if own_sink == Some(seen.sink) && self.may_lower(seen) {
                    still.insert(seen.index, fresh(seen));
                }
                continue;
            };
            if own_sink != Some(seen.sink) || !self.may_lower(seen) {
                if tracked.is_lowered() {
                    put_back.push((seen.index, tracked.user));
                }
                continue;
            }
            let was = expected.get(&seen.index).copied().unwrap_or(tracked.user);
            if seen.volume != was {
                // Someone else set it: that is the user's volume now.
                tracked.user = seen.volume;
                tracked.set = None;
            }
            still.insert(seen.index, tracked);
        }
        // Streams not listed have ended: forgotten.
        self.tracked = still;
        put_back
    }

    fn may_lower(&self, seen: &Seen) -> bool {
        !seen.ours
            && seen.settable
            && seen
                .role
                .as_ref()
                .is_none_or(|role| !self.never_duck.contains(role))
    }

    /// The volumes to set for the streams to be `gain_db` below their
    /// user's volume (0: at it); only those that change.
    pub fn lower_to(&mut self, gain_db: f64) -> Vec<(u32, ChannelVolumes)> {
        let mut changes = Vec::new();
        for (index, tracked) in &mut self.tracked {
            let target = scaled(&tracked.user, gain_db);
            if target != tracked.current() {
                tracked.set = Some(target);
                changes.push((*index, target));
            }
        }
        changes.sort_by_key(|(index, _)| *index);
        changes
    }

    /// Every stream lowered now, with its user's volume.
    pub fn lowered(&self) -> Vec<(u32, &Tracked)> {
        let mut lowered: Vec<(u32, &Tracked)> = self
            .tracked
            .iter()
            .filter(|(_, t)| t.is_lowered())
            .map(|(index, t)| (*index, t))
            .collect();
        lowered.sort_by_key(|(index, _)| *index);
        lowered
    }
}

fn fresh(seen: &Seen) -> Tracked {
    Tracked {
        user: seen.volume,
        set: None,
        application: seen.application.clone(),
    }
}

/// `volume` lowered by `gain_db` decibels (exactly `volume` at 0).
pub fn scaled(volume: &ChannelVolumes, gain_db: f64) -> ChannelVolumes {
    let mut out = *volume;
    if gain_db < -0.01 {
        out.sw_multiply_scalar(Volume::from(VolumeDB(gain_db)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stereo(v: u32) -> ChannelVolumes {
        let mut c = ChannelVolumes::default();
        c.set(2, Volume(v));
        c
    }

    fn seen(index: u32, sink: u32, volume: u32) -> Seen {
        Seen {
            index,
            sink,
            ours: false,
            role: None,
            application: "music".into(),
            volume: stereo(volume),
            settable: true,
        }
    }

    fn ours(sink: u32) -> Seen {
        Seen {
            ours: true,
            ..seen(1, sink, 65536)
        }
    }

    fn db(v: &ChannelVolumes) -> f64 {
        VolumeDB::from(v.max()).0
    }

    #[test]
    fn only_other_streams_on_our_sink_are_lowered_and_come_back_exactly() {
        let mut streams = Streams::new(vec!["phone".into()]);
        let phone = Seen {
            role: Some("phone".into()),
            ..seen(4, 0, 65536)
        };
        let listing = [ours(0), seen(2, 0, 50000), seen(3, 1, 65536), phone];
        streams.observe(&listing, &HashMap::new());
        let down = streams.lower_to(-15.0);
        assert_eq!(down.len(), 1, "{down:?}");
        assert_eq!(down[0].0, 2);
        let before = db(&stereo(50000));
        assert!((db(&down[0].1) - (before - 15.0)).abs() < 0.1);
        let up = streams.lower_to(0.0);
        assert_eq!(up, vec![(2, stereo(50000))]);
        assert!(streams.lower_to(0.0).is_empty(), "nothing more to set");
    }

    #[test]
    fn a_change_by_the_user_during_a_duck_becomes_their_volume() {
        let mut streams = Streams::new(Vec::new());
        streams.observe(&[ours(0), seen(2, 0, 60000)], &HashMap::new());
        streams.lower_to(-15.0);
        let expected = streams.expected();
        // The user turned it to 30000 meanwhile.
        streams.observe(&[ours(0), seen(2, 0, 30000)], &expected);
        let again = streams.lower_to(-15.0);
        assert!((db(&again[0].1) - (db(&stereo(30000)) - 15.0)).abs() < 0.1);
        assert_eq!(streams.lower_to(0.0), vec![(2, stereo(30000))]);
    }

    #[test]
    fn our_own_setting_seen_back_is_not_a_user_change() {
        let mut streams = Streams::new(Vec::new());
        streams.observe(&[ours(0), seen(2, 0, 60000)], &HashMap::new());
        let down = streams.lower_to(-15.0)[0].1;
        let expected = streams.expected();
        let mut listed = seen(2, 0, 0);
        listed.volume = down;
        streams.observe(&[ours(0), listed], &expected);
        assert_eq!(streams.lower_to(0.0), vec![(2, stereo(60000))]);
    }

    #[test]
    fn a_stream_that_leaves_our_sink_goes_back_and_one_that_ends_is_forgotten() {
        let mut streams = Streams::new(Vec::new());
        streams.observe(
            &[ours(0), seen(2, 0, 60000), seen(3, 0, 60000)],
            &HashMap::new(),
        );
        streams.lower_to(-15.0);
        let expected = streams.expected();
        let moved = Seen {
            volume: expected[&2],
            ..seen(2, 1, 0)
        };
        let put_back = streams.observe(&[ours(0), moved], &expected);
        assert_eq!(put_back, vec![(2, stereo(60000))]);
        assert!(streams.tracked.is_empty());
    }

    #[test]
    fn without_our_stream_nothing_is_lowered() {
        let mut streams = Streams::new(Vec::new());
        streams.observe(&[seen(2, 0, 60000)], &HashMap::new());
        assert!(streams.lower_to(-15.0).is_empty());
    }
}
