//! A walker pressing an earbud cannot look at a screen: a pause and a
//! resume pressed on the headphones (MPRIS, through playerctl) are each
//! heard, through a real sound server. The pause is two falling notes;
//! the resume says what comes next before the clock goes on.

mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use support::bus::{Daemon, PrivateBus};
use support::pulse::{PulseServer, RATE};
use support::world::playerctl_on;

/// No briefing and no time-left cues: after its announcement the first
/// step is quiet for a good while, so whatever sounds then is the
/// confirmation.
const QUIET: &str = "name = \"Quiet\"\n\
    [cues]\nbriefing = false\nhalfway = false\nremaining = []\n\
    [[steps]]\ndirection = \"forward\"\nduration = \"2m\"\nspeed = 1.5\n\
    [[steps]]\ndirection = \"backward\"\nduration = \"1m\"\nspeed = 0.6\n";

const RESUME_WORDS: &str = "Resuming: forward at one point five.";
/// Words of the same shape that the resume must not be taken for.
const OTHER_WORDS: &str = "Resuming: backward at zero point six.";

fn wait_for(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !check() {
        assert!(Instant::now() < deadline, "{what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn status(bus: &PrivateBus) -> (String, f64) {
    let status = bus.status();
    (
        status["state"].as_str().unwrap_or_default().to_string(),
        status["step_left"].as_f64().unwrap_or(f64::NAN),
    )
}

/// Where sound is, as (start, end) sample ranges: 10 ms windows above a
/// floor, gaps shorter than `bridge` joined.
fn sounding(samples: &[f32], bridge: usize) -> Vec<(usize, usize)> {
    let window = RATE as usize / 100;
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for (i, chunk) in samples.chunks(window).enumerate() {
        if chunk.iter().all(|s| s.abs() < 0.01) {
            continue;
        }
        let (start, end) = (i * window, i * window + chunk.len());
        match runs.last_mut() {
            Some(last) if start - last.1 < bridge => last.1 = end,
            _ => runs.push((start, end)),
        }
    }
    runs
}

/// The pitch of a stretch of pure tone, from its zero crossings.
fn pitch(samples: &[f32]) -> f64 {
    let crossings = samples
        .windows(2)
        .filter(|w| (w[0] < 0.0) != (w[1] < 0.0))
        .count();
    crossings as f64 / 2.0 / (samples.len() as f64 / f64::from(RATE))
}

/// How alike `heard` is to `reference` heard from about `at`: the
/// reference is cut into half-second pieces and each piece finds its best
/// lag on its own (a stream that stalls for a moment on a loaded machine
/// shifts the pieces after the stall), as a normalized correlation (1 is
/// the same sound at any volume), averaged over the pieces.
fn likeness(heard: &[f32], at: usize, reference: &[f32], window: usize) -> f64 {
    let piece = RATE as usize / 2;
    let pieces: Vec<f64> = reference
        .chunks(piece)
        .enumerate()
        .filter(|(_, part)| part.len() == piece)
        .map(|(i, part)| best_lag(heard, at + i * piece, part, window))
        .collect();
    pieces.iter().sum::<f64>() / pieces.len().max(1) as f64
}

/// The best normalized correlation of `part` with `heard` starting
/// within `window` samples before and up to twice `window` after `at`.
fn best_lag(heard: &[f32], at: usize, part: &[f32], window: usize) -> f64 {
    let norm = |s: &[f32]| s.iter().map(|&x| f64::from(x).powi(2)).sum::<f64>().sqrt();
    let part_norm = norm(part);
    (at.saturating_sub(window)..at + 2 * window)
        .step_by(2)
        .filter(|&start| start + part.len() <= heard.len())
        .map(|start| {
            let stretch = &heard[start..start + part.len()];
            let dot: f64 = stretch
                .iter()
                .zip(part)
                .map(|(&a, &b)| f64::from(a) * f64::from(b))
                .sum();
            dot / (norm(stretch) * part_norm).max(1e-12)
        })
        .fold(0.0, f64::max)
}

fn said(words: &str, dir: &std::path::Path) -> Vec<f32> {
    let path = dir.join("words.wav");
    let output = Command::new(env!("CARGO_BIN_EXE_treadcued"))
        .args(["say", "--output"])
        .arg(&path)
        .arg(words)
        .env("XDG_CONFIG_HOME", dir)
        .env("XDG_CACHE_HOME", dir)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let mut reader = hound::WavReader::open(&path).unwrap();
    assert_eq!(
        reader.spec().sample_rate,
        RATE,
        "the words at the sink's rate"
    );
    match reader.spec().sample_format {
        hound::SampleFormat::Float => reader.samples::<f32>().map(Result::unwrap).collect(),
        hound::SampleFormat::Int => reader
            .samples::<i16>()
            .map(|s| f32::from(s.unwrap()) / 32768.0)
            .collect(),
    }
}

#[test]
fn a_pause_and_a_resume_on_the_headphones_are_each_heard() {
    let server = PulseServer::start();
    let bus = PrivateBus::start(None);
    let programs = bus.dir().join("programs");
    std::fs::create_dir_all(&programs).unwrap();
    std::fs::write(programs.join("quiet.toml"), QUIET).unwrap();
    let _daemon = Daemon::start(
        &bus,
        &server.address(),
        &["--programs", programs.to_str().unwrap()],
    );
    let recording = server.record();
    assert!(bus.ctl(&["start", "quiet"]).status.success());
    // The announcement has long ended 10 s into the step.
    wait_for("ten seconds walked", || status(&bus).1 <= 110.0);

    playerctl_on(&bus, &["pause"]);
    wait_for("the pause", || status(&bus).0 == "paused");
    let paused_left = status(&bus).1;
    // Paused, the clock stands; leave the pause's notes room to sound.
    std::thread::sleep(Duration::from_millis(1500));
    playerctl_on(&bus, &["play"]);
    // The clock goes on only once the words are said.
    wait_for("the clock going on", || status(&bus).1 <= paused_left - 1.0);
    assert!(bus.ctl(&["stop"]).status.success());
    let samples = recording.finish();

    let runs = sounding(&samples, RATE as usize / 2);
    assert!(
        runs.len() >= 3,
        "the announcement, the pause and the resume: {runs:?}"
    );
    let (tone, words) = (runs[runs.len() - 2], runs[runs.len() - 1]);
    // Counted in windows that sound: a stream that stalls for a moment
    // on a loaded machine splits a sound without lengthening it.
    let window = RATE as usize / 100;
    let tone_secs = samples[tone.0..tone.1]
        .chunks(window)
        .filter(|chunk| chunk.iter().any(|s| s.abs() >= 0.01))
        .count() as f64
        / 100.0;
    assert!(
        (0.2..0.45).contains(&tone_secs),
        "the pause is a short sound, not {tone_secs:.2} s"
    );
    let tenth = RATE as usize / 10;
    let (high, low) = (
        pitch(&samples[tone.0 + 480..tone.0 + 480 + tenth / 2]),
        pitch(&samples[tone.1 - 480 - tenth..tone.1 - 480]),
    );
    assert!(
        (850.0..910.0).contains(&high) && (560.0..615.0).contains(&low),
        "the pause falls from 880 Hz to 587 Hz: heard {high:.0} then {low:.0}"
    );
    let gap = (words.0 - tone.1) as f64 / f64::from(RATE);
    assert!(gap > 1.0, "silence while paused: only {gap:.2} s");

    let dir = tempfile::tempdir().unwrap();
    let reference = said(RESUME_WORDS, dir.path());
    let resume_likeness = likeness(&samples, words.0, &reference, RATE as usize / 5);
    // Other words at the same place, as a measure of what likeness
    // wrong words reach.
    let other = said(OTHER_WORDS, dir.path());
    let other_likeness = likeness(&samples, words.0, &other, RATE as usize / 5);
    eprintln!("likeness {resume_likeness:.2}, of other words {other_likeness:.2}");
    assert!(
        resume_likeness > 0.75 && resume_likeness > other_likeness + 0.1,
        "the resume says {RESUME_WORDS:?}: likeness {resume_likeness:.2}, \
         other words {other_likeness:.2}"
    );
}
