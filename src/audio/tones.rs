//! The synthesized signals. Each has its own pitch and rhythm so a walker
//! tells them apart by ear, and each note has a smooth attack and release
//! so no tone starts or ends with a click.

use std::f32::consts::PI;
use std::path::Path;

use super::pcm::Clip;
use crate::plan::Tone;

/// Peak level of a tone, leaving headroom under full scale.
const LEVEL: f32 = 0.5;
const ATTACK_SECS: f32 = 0.004;

/// One note: a pitch, a length, and how much of the length is release.
struct Note {
    hz: f32,
    secs: f32,
    release: f32,
}

const fn note(hz: f32, secs: f32, release: f32) -> Note {
    Note { hz, secs, release }
}

// A short, neutral blip for each counted second.
const TICK: &[Note] = &[note(1000.0, 0.100, 0.040)];
// Higher and longer than a tick: the moment of change.
const GO: &[Note] = &[note(1320.0, 0.400, 0.200)];
// Two rising notes: listen, something is coming.
const CHIME: &[Note] = &[note(660.0, 0.140, 0.060), note(880.0, 0.160, 0.100)];
// One soft bell.
const HALFWAY: &[Note] = &[note(784.0, 0.350, 0.300)];
// A rising major triad.
const FINISH: &[Note] = &[
    note(523.25, 0.300, 0.120),
    note(659.25, 0.300, 0.120),
    note(783.99, 0.300, 0.200),
];

// Two falling notes, the chime turned round: the session has stopped.
const PAUSE: &[Note] = &[note(880.0, 0.140, 0.060), note(587.33, 0.160, 0.100)];

/// The notes of each tone. Their lengths add up to `Tone::default_length`.
fn notes(tone: Tone) -> &'static [Note] {
    match tone {
        Tone::Tick => TICK,
        Tone::Go => GO,
        Tone::Chime => CHIME,
        Tone::Halfway => HALFWAY,
        Tone::Finish => FINISH,
        Tone::Pause => PAUSE,
    }
}

/// The frequency a listener hears as the tone's pitch (its first note),
/// for tests and tools.
pub fn pitch(tone: Tone) -> f32 {
    notes(tone)[0].hz
}

pub fn synthesize(tone: Tone, rate: u32) -> Clip {
    let mut samples = Vec::new();
    for n in notes(tone) {
        samples.extend(render_note(n, rate as f32));
    }
    Clip::new(rate, samples)
}

fn render_note(n: &Note, rate: f32) -> impl Iterator<Item = f32> + '_ {
    let len = (n.secs * rate).round() as usize;
    let attack = (ATTACK_SECS * rate).max(1.0);
    let release = (n.release * rate).max(1.0);
    (0..len).map(move |i| {
        let t = i as f32;
        let left = (len - i) as f32;
        // Raised-cosine ramps: zero slope at both ends of each ramp.
        let up = if t < attack {
            0.5 - 0.5 * (PI * t / attack).cos()
        } else {
            1.0
        };
        let down = if left < release {
            0.5 - 0.5 * (PI * left / release).cos()
        } else {
            1.0
        };
        let phase = 2.0 * PI * n.hz * t / rate;
        // A little second harmonic makes a tone cut through treadmill noise.
        let wave = phase.sin() + 0.15 * (2.0 * phase).sin();
        LEVEL / 1.15 * wave * up * down
    })
}

/// A replacement tone longer than this is refused: tones mark moments.
const LONGEST_TONE: std::time::Duration = std::time::Duration::from_secs(5);

/// The tone from `dir/<name>.wav` if the user put one there, else the
/// synthesized one; resampled to `rate`.
pub fn load(tone: Tone, dir: Option<&Path>, rate: u32) -> Result<Clip, String> {
    let custom = dir
        .map(|d| d.join(format!("{}.wav", tone.name())))
        .filter(|p| p.exists());
    match custom {
        Some(path) => Ok(Clip::read_short_wav(&path, LONGEST_TONE)?
            .trimmed()
            .resampled(rate)),
        None => Ok(synthesize(tone, rate)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthesized_tones_have_their_planned_length() {
        for tone in Tone::ALL {
            let clip = synthesize(tone, 48_000);
            let planned = crate::plan::to_samples(tone.default_length(), 48_000) as usize;
            assert_eq!(clip.samples.len(), planned, "{tone:?}");
        }
    }

    #[test]
    fn tones_start_and_end_at_silence() {
        for tone in Tone::ALL {
            let clip = synthesize(tone, 48_000);
            assert!(
                clip.samples[0].abs() < 1e-3 && clip.samples.last().unwrap().abs() < 1e-3,
                "{tone:?}"
            );
            assert!(clip.samples.iter().all(|s| s.abs() <= LEVEL + 1e-3));
        }
    }
}
