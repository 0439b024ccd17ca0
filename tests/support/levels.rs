//! Reading a recording of cues over "music": the music is a steady 15 kHz
//! sine, above the voice pack's band, so its level is measured apart from
//! the speech and tones in the same recording.

use std::path::Path;

use super::pulse::RATE;

pub const MUSIC_HZ: f64 = 15_000.0;
/// One measuring window: 10 ms, a whole number of the sine's periods.
pub const WINDOW: usize = 480;
/// A moving average this long cancels the 15 kHz sine exactly (five of
/// its periods) and keeps the voice: what is left is the cues alone.
const CUES_ONLY: usize = 16;

/// A half-minute program with cues spaced out: announcements, countdown
/// ticks, go tones and the finish, with quiet between them.
pub const CUE_PROGRAM: &str = r#"
name = "Ducking check"
units = "mph"

[cues]
briefing = false
heads_up = "6s"
heads_up_turn = "7s"
countdown = 2
halfway = false
remaining = []

[[steps]]
direction = "forward"
duration = "12s"
speed = 1.5

[[steps]]
direction = "backward"
duration = "12s"
speed = 0.8

[[steps]]
direction = "forward"
duration = "9s"
speed = 1.5
"#;

/// Writes `seconds` of the music: a stereo 15 kHz sine at a quarter of
/// full scale (-12 dBFS).
pub fn write_music(path: &Path, seconds: u32) {
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut writer = hound::WavWriter::create(path, spec).expect("a music file");
    for i in 0..RATE * seconds {
        let t = f64::from(i) / f64::from(RATE);
        let v = (0.25 * (2.0 * std::f64::consts::PI * MUSIC_HZ * t).sin() * 32767.0) as i16;
        writer.write_sample(v).unwrap();
        writer.write_sample(v).unwrap();
    }
    writer.finalize().unwrap();
}

/// The music's level in dBFS in the window starting at `at`.
pub fn music_db(samples: &[f32], at: usize) -> f64 {
    let window = &samples[at.min(samples.len())..(at + WINDOW).min(samples.len())];
    if window.is_empty() {
        return f64::NEG_INFINITY;
    }
    let k = 2.0 * (2.0 * std::f64::consts::PI * MUSIC_HZ / f64::from(RATE)).cos();
    let (mut s1, mut s2) = (0.0f64, 0.0f64);
    for &x in window {
        let s0 = f64::from(x) + k * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    let power = (s1 * s1 + s2 * s2 - k * s1 * s2).max(0.0);
    let amplitude = power.sqrt() * 2.0 / window.len() as f64;
    20.0 * (amplitude + 1e-9).log10()
}

/// The cues' own sound (the music taken out) at each sample.
pub fn cues_only(samples: &[f32]) -> Vec<f32> {
    let mut out = vec![0.0; samples.len()];
    let mut sum = 0.0f32;
    for (i, &x) in samples.iter().enumerate() {
        sum += x;
        if i >= CUES_ONLY {
            sum -= samples[i - CUES_ONLY];
        }
        out[i] = sum / CUES_ONLY as f32;
    }
    out
}

/// The first sample from `from` at which something louder than
/// `threshold` sounds.
pub fn onset(samples: &[f32], from: usize, threshold: f32) -> Option<usize> {
    samples
        .iter()
        .skip(from)
        .position(|x| x.abs() > threshold)
        .map(|i| i + from)
}

/// Windows (their first samples) during which a cue sounds, with the
/// windows either side sounding too: a click (a recorder connecting, a
/// step in the music's volume) is not a cue.
pub fn sounding_windows(cues: &[f32], threshold: f32) -> Vec<usize> {
    let loud = |at: usize| {
        cues.get(at..at + WINDOW)
            .is_some_and(|w| w.iter().any(|x| x.abs() > threshold))
    };
    (WINDOW..cues.len().saturating_sub(2 * WINDOW))
        .step_by(WINDOW)
        .filter(|&at| loud(at - WINDOW) && loud(at) && loud(at + WINDOW))
        .collect()
}

/// The music's level before anything else plays: the median over the
/// windows of `from..to`.
pub fn baseline(samples: &[f32], from: usize, to: usize) -> f64 {
    let mut levels: Vec<f64> = (from..to)
        .step_by(WINDOW)
        .map(|at| music_db(samples, at))
        .collect();
    levels.sort_by(f64::total_cmp);
    levels[levels.len() / 2]
}

/// The music's own level at the end of a recording, once treadcue has
/// gone: the start of a null sink's recording holds what the sink
/// rendered ahead of time, so it is no place to measure.
pub fn level_at_end(samples: &[f32]) -> f64 {
    let second = RATE as usize;
    baseline(
        samples,
        samples.len().saturating_sub(second * 7 / 10),
        samples.len().saturating_sub(second * 3 / 10),
    )
}

/// The samples of a 16-bit WAV file treadcued rendered.
pub fn read_wav(path: &Path) -> Vec<f32> {
    hound::WavReader::open(path)
        .unwrap()
        .samples::<i16>()
        .map(|s| f32::from(s.unwrap()) / 32768.0)
        .collect()
}

/// The cues of a `render --timeline` file, as (first, last) samples.
pub fn timeline_cues(path: &Path) -> Vec<(usize, usize)> {
    let timeline: serde_json::Value =
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    timeline["cues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["sample"].as_u64().unwrap() as usize,
                c["end_sample"].as_u64().unwrap() as usize,
            )
        })
        .collect()
}
