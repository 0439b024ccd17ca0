//! The offline render, checked to the sample: what a walker would hear
//! and when, measured on the audio itself.

mod support;

use std::sync::Arc;

use support::signal::{largest_step, onsets, peak, power_at, rms};
use treadcue::audio::render::{Rendered, render};
use treadcue::audio::tones;
use treadcue::phrasebook::Phrasebook;
use treadcue::plan::{CueKind, Plan, Tone};
use treadcue::prepare::{Bank, prepare};
use treadcue::program::catalog::built_in;
use treadcue::program::cue_settings::CueSettings;
use treadcue::voice::Pack;

const RATE: u32 = 48_000;

fn render_built_in(id: &str, volume: f32) -> (Arc<Plan>, Rendered) {
    let (plan, sounds) = support::prepared_built_in(id, RATE);
    let rendered = render(plan.clone(), sounds, volume);
    (plan, rendered)
}

#[test]
fn every_cue_starts_at_its_timeline_sample_and_the_plan_sample() {
    let (plan, rendered) = render_built_in("demo", 1.0);
    assert_eq!(rendered.timeline.cues.len(), plan.cues.len());
    for (played, planned) in rendered.timeline.cues.iter().zip(&plan.cues) {
        assert_eq!(played.sample, planned.start, "{played:?}");
        let s = played.sample as usize;
        // Silence right up to the cue, sound from its first samples on.
        if s > 0 {
            assert_eq!(rendered.samples[s - 1], 0.0, "sound before {played:?}");
        }
        assert!(
            rendered.samples[s..s + 48].iter().any(|x| x.abs() > 1e-4),
            "no sound at the start of {played:?}"
        );
    }
}

#[test]
fn nothing_sounds_between_cues() {
    let (plan, rendered) = render_built_in("retro-five-at-five", 1.0);
    let mut at = 0usize;
    for cue in &plan.cues {
        let gap = &rendered.samples[at..cue.start as usize];
        assert!(
            gap.iter().all(|s| *s == 0.0),
            "sound between cues before {:?}",
            cue.kind
        );
        at = cue.end() as usize;
    }
}

#[test]
fn tones_have_their_pitch() {
    let (_, rendered) = render_built_in("demo", 1.0);
    let candidates = Tone::ALL.map(tones::pitch);
    for cue in rendered.timeline.cues.iter().filter(|c| c.tone.is_some()) {
        let tone = cue.tone.unwrap();
        let first_note = (tone.default_length().as_secs_f64() * f64::from(RATE)) as usize;
        let first_note = match tone {
            Tone::Chime => first_note * 140 / 300,
            Tone::Finish => first_note / 3,
            _ => first_note,
        };
        let sound = &rendered.samples[cue.sample as usize..cue.sample as usize + first_note];
        let loudest = candidates
            .iter()
            .copied()
            .max_by(|a, b| {
                power_at(sound, f64::from(*a), RATE).total_cmp(&power_at(
                    sound,
                    f64::from(*b),
                    RATE,
                ))
            })
            .unwrap();
        assert_eq!(loudest, tones::pitch(tone), "{tone:?} at {}", cue.seconds);
    }
}

#[test]
fn speech_sounds_where_the_timeline_says() {
    let (_, rendered) = render_built_in("demo", 1.0);
    for cue in rendered.timeline.cues.iter().filter(|c| c.text.is_some()) {
        let words = &rendered.samples[cue.speech_sample.unwrap() as usize..cue.end_sample as usize];
        assert!(rms(words) > 0.02, "quiet speech for {:?}", cue.text);
        if let Some(tone) = cue.tone {
            // Between the tone and the words: a short silence.
            let tone_end = cue.sample as usize
                + (tone.default_length().as_secs_f64() * f64::from(RATE)) as usize;
            let between = &rendered.samples[tone_end..cue.speech_sample.unwrap() as usize];
            assert!(
                peak(between) < 1e-3,
                "sound between tone and words of {:?}",
                cue.text
            );
        }
    }
}

#[test]
fn nothing_clips_and_no_cue_clicks_at_its_edges() {
    let (_, rendered) = render_built_in("retro-builder", 1.0);
    assert!(
        peak(&rendered.samples) < 0.99,
        "clipping: {}",
        peak(&rendered.samples)
    );
    let ms = RATE as usize / 1000;
    for cue in &rendered.timeline.cues {
        let (start, end) = (cue.sample as usize, cue.end_sample as usize);
        let edges = [
            &rendered.samples[start.saturating_sub(1)..start + 2 * ms],
            &rendered.samples[end - 2 * ms..(end + 1).min(rendered.samples.len())],
        ];
        for edge in edges {
            assert!(
                largest_step(edge) < 0.05,
                "a click at an edge of {:?} at {:.3} s",
                cue.kind,
                cue.seconds
            );
        }
    }
}

#[test]
fn countdown_ticks_are_exactly_one_second_apart() {
    let (_, rendered) = render_built_in("retro-first-steps", 1.0);
    let ticks: Vec<u64> = rendered
        .timeline
        .cues
        .iter()
        .filter(|c| c.kind == CueKind::Countdown)
        .map(|c| c.sample)
        .collect();
    assert!(ticks.len() >= 39);
    for pair in ticks
        .windows(2)
        .filter(|p| p[1] - p[0] < 2 * u64::from(RATE))
    {
        assert_eq!(pair[1] - pair[0], u64::from(RATE));
    }
    // And in the audio itself, not only in the timeline.
    let heard = onsets(&rendered.samples, 1e-4, RATE as usize / 10);
    for tick in ticks.iter().map(|t| *t as usize) {
        // A tone rises from zero: it is heard within its first millisecond.
        assert!(
            heard.iter().any(|o| (tick..tick + 48).contains(o)),
            "no onset at tick {tick}"
        );
    }
}

#[test]
fn rendering_is_deterministic_and_volume_scales_it() {
    let (_, loud) = render_built_in("demo", 1.0);
    let (_, again) = render_built_in("demo", 1.0);
    assert!(loud.samples == again.samples);
    let (_, quiet) = render_built_in("demo", 0.5);
    let ratio = peak(&quiet.samples) / peak(&loud.samples);
    assert!((ratio - 0.5).abs() < 0.01, "{ratio}");
}

#[test]
fn a_wav_file_replaces_a_synthesized_tone() {
    let dir = tempfile::tempdir().unwrap();
    let low: Vec<f32> = (0..9_600)
        .map(|i| 0.4 * (2.0 * std::f32::consts::PI * 440.0 * i as f32 / 48_000.0).sin())
        .collect();
    treadcue::audio::pcm::write_wav(&dir.path().join("tick.wav"), 48_000, &low).unwrap();
    let program = built_in("demo").unwrap().unwrap();
    let mut bank = Bank::new(RATE, Some(dir.path())).unwrap();
    let plan = Arc::new(
        prepare(
            &program,
            &CueSettings::default(),
            &Phrasebook::default(),
            &Pack::bundled(),
            &mut bank,
        )
        .unwrap(),
    );
    let rendered = render(plan.clone(), bank.sounds_for(&plan), 1.0);
    let tick = rendered
        .timeline
        .cues
        .iter()
        .find(|c| c.kind == CueKind::Countdown)
        .unwrap();
    // The plan makes room for the file's length, and the file is what plays.
    assert_eq!(tick.end_sample - tick.sample, 9_600 - 1);
    let sound = &rendered.samples[tick.sample as usize..tick.end_sample as usize];
    assert!(power_at(sound, 440.0, RATE) > 10.0 * power_at(sound, 1000.0, RATE));
}

/// Renders `demo` with `treadcued render` and the given flags: the
/// samples and the timeline.
fn render_cli(flags: &[&str]) -> (Vec<f32>, serde_json::Value) {
    render_program_cli("demo", flags)
}

/// The same for any program.
fn render_program_cli(program: &str, flags: &[&str]) -> (Vec<f32>, serde_json::Value) {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("out.wav");
    let timeline = dir.path().join("out.json");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_treadcued"))
        .args(["render", program, "-o", wav.to_str().unwrap()])
        .args(["--timeline", timeline.to_str().unwrap()])
        .args(flags)
        .env("XDG_CONFIG_HOME", dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let samples = hound::WavReader::open(&wav)
        .unwrap()
        .into_samples::<i16>()
        .map(|s| f32::from(s.unwrap()) / 32768.0)
        .collect();
    let timeline = serde_json::from_slice(&std::fs::read(&timeline).unwrap()).unwrap();
    (samples, timeline)
}

/// The loudest sample of the first cue of `kind`.
fn cue_peak(samples: &[f32], timeline: &serde_json::Value, kind: &str) -> f32 {
    let cue = timeline["cues"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == kind)
        .unwrap();
    let (start, end) = (
        cue["sample"].as_u64().unwrap() as usize,
        cue["end_sample"].as_u64().unwrap() as usize,
    );
    peak(&samples[start..end])
}

#[test]
fn tone_volume_turns_the_beeps_down_and_leaves_the_voice_alone() {
    let (full, timeline) = render_cli(&[]);
    let (half, _) = render_cli(&["--tone-volume", "0.5"]);
    let ratio = cue_peak(&half, &timeline, "countdown") / cue_peak(&full, &timeline, "countdown");
    assert!(
        (ratio - 0.5).abs() < 0.02,
        "ticks at {ratio} of their level"
    );
    let speech =
        cue_peak(&half, &timeline, "announcement") / cue_peak(&full, &timeline, "announcement");
    assert!(
        (speech - 1.0).abs() < 0.01,
        "speech at {speech} of its level"
    );
}

/// Fifty rounds of ten-second steps, as a walker once heard them with
/// announcements minutes late: rendered in the bundled voice, every
/// step's words sound inside that step.
#[test]
fn a_crowded_program_renders_every_step_s_words_inside_the_step() {
    let text = support::LONG_REPEATS;
    let program = treadcue::program::parse("long", "long.toml", text.as_bytes()).unwrap();
    let (plan, sounds) = support::prepared(&program, RATE);
    let rendered = render(plan.clone(), sounds, 1.0);
    let mut announced = vec![0; plan.steps.len()];
    for cue in &rendered.timeline.cues {
        let step = &plan.steps[cue.step];
        let bound = matches!(
            cue.kind,
            CueKind::Announcement | CueKind::Halfway | CueKind::Remaining | CueKind::Posture
        );
        if bound {
            assert!(
                cue.sample >= step.start && cue.end_sample <= step.end(),
                "{cue:?} sounds outside step {}",
                cue.step + 1
            );
        }
        if cue.kind == CueKind::Announcement {
            announced[cue.step] += 1;
        }
    }
    assert!(announced.iter().all(|&n| n == 1), "{announced:?}");
}

/// A valid four-hour program renders in a few megabytes: the samples
/// stream to the file. Held to 400 MB of address space, a render that
/// kept the session in memory (460 MB at 8 kHz) could not finish.
#[test]
fn a_four_hour_program_renders_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from(
        "name = \"Four hours\"\nexperienced = true\n\
         [[steps]]\ndirection = \"forward\"\nduration = \"10m\"\nspeed = 2.0\n\
         [[steps]]\nrepeat = 22\n\
         [[steps.steps]]\ndirection = \"forward\"\nduration = \"5m\"\nspeed = 2.0\n\
         [[steps.steps]]\ndirection = \"forward\"\nduration = \"5m\"\nspeed = 2.5\n",
    );
    text.push_str("[[steps]]\ndirection = \"forward\"\nduration = \"10m\"\nspeed = 2.0\n");
    let program = dir.path().join("four.toml");
    std::fs::write(&program, text).unwrap();
    let wav = dir.path().join("four.wav");
    let script = format!(
        "ulimit -v 400000 && exec {} render {} --rate 8000 -o {}",
        env!("CARGO_BIN_EXE_treadcued"),
        program.display(),
        wav.display()
    );
    let out = std::process::Command::new("sh")
        .args(["-c", &script])
        .env("XDG_CONFIG_HOME", dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reader = hound::WavReader::open(&wav).unwrap();
    let seconds = f64::from(reader.duration()) / 8000.0;
    assert!((14_400.0..14_420.0).contains(&seconds), "{seconds} s");
}

/// `plan --json` shows the plan that is played: for every built-in
/// program, its cues are the render's timeline, cue for cue and sample
/// for sample.
#[test]
fn plan_and_render_agree_on_every_cue_of_every_built_in_program() {
    let dir = tempfile::tempdir().unwrap();
    for built_in in treadcue::program::catalog::BUILT_IN {
        let plan = std::process::Command::new(env!("CARGO_BIN_EXE_treadcued"))
            .args(["plan", built_in.id, "--json"])
            .env("XDG_CONFIG_HOME", dir.path())
            .output()
            .unwrap();
        assert!(
            plan.status.success(),
            "{}",
            String::from_utf8_lossy(&plan.stderr)
        );
        let plan: serde_json::Value = serde_json::from_slice(&plan.stdout).unwrap();
        let (_, timeline) = render_program_cli(built_in.id, &[]);
        let planned = plan["cues"].as_array().unwrap();
        let played = timeline["cues"].as_array().unwrap();
        assert_eq!(planned.len(), played.len(), "{}", built_in.id);
        for (p, r) in planned.iter().zip(played) {
            assert_eq!(p["start"], r["sample"], "{}: {p} against {r}", built_in.id);
            assert_eq!(p["text"], r["text"], "{}", built_in.id);
        }
    }
}
