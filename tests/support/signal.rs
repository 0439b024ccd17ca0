//! Measurements on rendered or recorded audio.

/// Power of `samples` at `hz` (Goertzel), normalized by length.
pub fn power_at(samples: &[f32], hz: f64, rate: u32) -> f64 {
    let w = 2.0 * std::f64::consts::PI * hz / f64::from(rate);
    let coeff = 2.0 * w.cos();
    let (mut s1, mut s2) = (0.0f64, 0.0f64);
    for &x in samples {
        let s0 = f64::from(x) + coeff * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    (s1 * s1 + s2 * s2 - coeff * s1 * s2) / (samples.len() as f64).powi(2)
}

pub fn rms(samples: &[f32]) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    (samples.iter().map(|s| f64::from(*s).powi(2)).sum::<f64>() / samples.len() as f64).sqrt()
}

pub fn peak(samples: &[f32]) -> f32 {
    samples.iter().fold(0.0, |m, s| m.max(s.abs()))
}

/// Largest jump between neighbouring samples: a click shows as a jump.
pub fn largest_step(samples: &[f32]) -> f32 {
    samples
        .windows(2)
        .fold(0.0, |m, w| m.max((w[1] - w[0]).abs()))
}

/// Starts of sounds: samples above `level` after at least `quiet` samples
/// at or below it.
pub fn onsets(samples: &[f32], level: f32, quiet: usize) -> Vec<usize> {
    let mut found = Vec::new();
    let mut silent_for = quiet;
    for (i, s) in samples.iter().enumerate() {
        if s.abs() > level {
            if silent_for >= quiet {
                found.push(i);
            }
            silent_for = 0;
        } else {
            silent_for += 1;
        }
    }
    found
}

/// Lines heard onsets up with planned starts: the offset (recording index
/// minus plan sample) that matches the most starts within 10 ms, and for
/// each planned start, where it was heard under that offset.
pub fn align(heard: &[usize], planned: &[usize], rate: u32) -> (i64, Vec<Option<i64>>) {
    let window = i64::from(rate) / 100;
    let matched = |offset: i64| -> Vec<Option<i64>> {
        planned
            .iter()
            .map(|p| {
                heard
                    .iter()
                    .map(|h| *h as i64)
                    .find(|h| (h - (*p as i64 + offset)).abs() < window)
            })
            .collect()
    };
    let rough = heard
        .iter()
        .flat_map(|h| planned.iter().map(move |p| *h as i64 - *p as i64))
        // A recording starts before what it records: of equally good
        // offsets, the earliest.
        .max_by_key(|o| (matched(*o).iter().flatten().count(), std::cmp::Reverse(*o)))
        .unwrap_or(0);
    // Many offsets within the window match as well; the median of the
    // matched pairs is the one that fits them best.
    let mut shifts: Vec<i64> = planned
        .iter()
        .zip(matched(rough))
        .filter_map(|(p, h)| h.map(|h| h - *p as i64))
        .collect();
    shifts.sort_unstable();
    let offset = shifts.get(shifts.len() / 2).copied().unwrap_or(rough);
    (offset, matched(offset))
}
