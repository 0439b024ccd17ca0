//! Fits cues onto one timeline without overlap: the most important cue
//! keeps its time, a lesser one moves to the nearest free gap in its window
//! or, if it may be dropped, is dropped.

use std::ops::RangeInclusive;

/// Sorted, disjoint half-open intervals `[start, end)` already taken.
#[derive(Debug, Default)]
pub struct Occupancy {
    taken: Vec<(u64, u64)>,
}

impl Occupancy {
    /// The start nearest `wanted` inside `window` where `length` samples are
    /// free, if any. Ties go to the later start, so a cue is moved late
    /// rather than early where it can be.
    pub fn nearest_free(
        &self,
        wanted: u64,
        length: u64,
        window: RangeInclusive<u64>,
    ) -> Option<u64> {
        let (lo, hi) = (*window.start(), *window.end());
        if lo > hi {
            return None;
        }
        let wanted = wanted.clamp(lo, hi);
        if self.is_free(wanted, length) {
            return Some(wanted);
        }
        let later = self.free_at_or_after(wanted, length).filter(|s| *s <= hi);
        let earlier = self.free_at_or_before(wanted, length).filter(|s| *s >= lo);
        match (earlier, later) {
            (Some(e), Some(l)) => Some(if wanted - e < l - wanted { e } else { l }),
            (e, l) => l.or(e),
        }
    }

    pub fn take(&mut self, start: u64, length: u64) {
        let at = self.taken.partition_point(|&(s, _)| s < start);
        self.taken.insert(at, (start, start + length.max(1)));
    }

    fn is_free(&self, start: u64, length: u64) -> bool {
        let end = start + length.max(1);
        let first_after = self.taken.partition_point(|&(_, e)| e <= start);
        self.taken.get(first_after).is_none_or(|&(s, _)| s >= end)
    }

    /// Earliest free start at or after `from`: walk forward over the taken
    /// intervals until a gap is wide enough.
    fn free_at_or_after(&self, from: u64, length: u64) -> Option<u64> {
        let mut candidate = from;
        let first = self.taken.partition_point(|&(_, e)| e <= from);
        for &(s, e) in &self.taken[first..] {
            if s >= candidate + length.max(1) {
                break;
            }
            candidate = candidate.max(e);
        }
        Some(candidate)
    }

    /// Latest free start at or before `from`, walking backward.
    fn free_at_or_before(&self, from: u64, length: u64) -> Option<u64> {
        let length = length.max(1);
        let mut candidate = from;
        let end = self.taken.partition_point(|&(s, _)| s < from + length);
        for &(s, e) in self.taken[..end].iter().rev() {
            if e <= candidate {
                break;
            }
            candidate = s.checked_sub(length)?;
        }
        Some(candidate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_free_time_is_kept() {
        let mut o = Occupancy::default();
        o.take(100, 50);
        assert_eq!(o.nearest_free(10, 20, 0..=1000), Some(10));
        assert_eq!(o.nearest_free(150, 20, 0..=1000), Some(150));
    }

    #[test]
    fn a_clash_moves_to_the_nearest_gap() {
        let mut o = Occupancy::default();
        o.take(100, 50);
        // Wanted at 140: the gap after (150) is nearer than before (80).
        assert_eq!(o.nearest_free(140, 20, 0..=1000), Some(150));
        // Wanted at 105: the gap before (80) is nearer than after (150).
        assert_eq!(o.nearest_free(105, 20, 0..=1000), Some(80));
    }

    #[test]
    fn a_gap_too_small_is_skipped() {
        let mut o = Occupancy::default();
        o.take(100, 50);
        o.take(160, 50);
        assert_eq!(o.nearest_free(150, 20, 140..=1000), Some(210));
    }

    #[test]
    fn nothing_in_the_window_is_none() {
        let mut o = Occupancy::default();
        o.take(100, 100);
        assert_eq!(o.nearest_free(120, 20, 110..=170), None);
        assert_eq!(o.nearest_free(0, 200, 0..=50), None);
    }
}
