//! Pause, resume, skip, stop and volume on the sequencer that plays a
//! plan, measured sample by sample.

mod support;

use std::sync::Arc;
use std::sync::mpsc;

use support::signal::{largest_step, peak};
use treadcue::audio::sequencer::{CueSound, Event, PlayState, Sequencer};
use treadcue::plan::{CueKind, Plan};

const RATE: u32 = 48_000;
/// The fade a cut sound gets: 5 ms.
const FADE: usize = 240;

fn demo() -> (Arc<Plan>, Arc<[CueSound]>) {
    support::prepared_built_in("demo", RATE)
}

fn play(sequencer: &mut Sequencer, samples: usize) -> Vec<f32> {
    let mut out = vec![0.0; samples];
    sequencer.fill(&mut out);
    out
}

/// A moment in the middle of the first announcement's words.
fn mid_speech(plan: &Plan) -> usize {
    let cue = plan
        .cues
        .iter()
        .find(|c| c.kind == CueKind::Announcement)
        .unwrap();
    (cue.start + cue.length / 2) as usize
}

#[test]
fn pause_goes_silent_within_the_fade_and_stops_the_clock() {
    let (plan, sounds) = demo();
    let mut seq = Sequencer::new(plan.clone(), sounds, 1.0);
    let before = play(&mut seq, mid_speech(&plan));
    assert!(
        peak(&before[before.len() - 4800..]) > 0.05,
        "speech should be sounding"
    );
    assert!(seq.pause());
    let at = seq.position();
    let after = play(&mut seq, RATE as usize);
    assert!(peak(&after[FADE..]) == 0.0, "silence after the fade");
    assert!(
        largest_step(&after[..FADE + 1]) < 0.05,
        "the fade does not click"
    );
    assert_eq!(seq.position(), at, "the clock stands still while paused");
    assert!(!seq.pause(), "pausing again is harmless");
}

#[test]
fn resume_continues_from_the_sample_it_paused_at() {
    let (plan, sounds) = demo();
    let reference = play(
        &mut Sequencer::new(plan.clone(), sounds.clone(), 1.0),
        plan.end as usize,
    );

    let mut seq = Sequencer::new(plan.clone(), sounds, 1.0);
    let pause_at = mid_speech(&plan);
    play(&mut seq, pause_at);
    seq.pause();
    play(&mut seq, 3 * RATE as usize);
    assert!(seq.resume());
    assert!(!seq.resume(), "resuming while playing is harmless");
    let rest = play(&mut seq, plan.end as usize - pause_at);
    // After its short fade-in, the output is the uninterrupted session.
    assert!(
        rest[FADE..] == reference[pause_at + FADE..],
        "resume did not continue where it paused"
    );
    assert_eq!(seq.state(), PlayState::Finished);
}

#[test]
fn skipping_to_a_step_starts_it_with_its_go_tone() {
    let (plan, sounds) = demo();
    let (events, news) = mpsc::channel();
    let mut seq = Sequencer::new(plan.clone(), sounds.clone(), 1.0).with_events(events);
    play(&mut seq, mid_speech(&plan));
    assert!(seq.seek_step(1));
    assert_eq!(seq.position(), plan.steps[1].start);
    assert_eq!(seq.step(), 1);
    let out = play(&mut seq, RATE as usize);
    let reference = play(
        &mut Sequencer::new(plan.clone(), sounds, 1.0),
        plan.steps[1].start as usize + RATE as usize,
    );
    // The old words fade out over the first samples; then it is step 2.
    assert!(out[FADE..] == reference[plan.steps[1].start as usize + FADE..]);
    let got: Vec<Event> = news.try_iter().collect();
    assert!(got.contains(&Event::StepStarted {
        step: 1,
        at: plan.steps[1].start
    }));
    assert!(!seq.seek_step(plan.steps.len()), "no step past the last");
}

#[test]
fn stop_ends_the_session_for_good() {
    let (plan, sounds) = demo();
    let mut seq = Sequencer::new(plan.clone(), sounds, 1.0);
    play(&mut seq, mid_speech(&plan));
    assert!(seq.stop());
    let after = play(&mut seq, RATE as usize);
    assert!(peak(&after[FADE..]) == 0.0);
    assert_eq!(seq.state(), PlayState::Stopped);
    assert!(!seq.resume() && !seq.seek_step(0) && !seq.stop());
}

#[test]
fn a_volume_change_glides_without_a_click() {
    let (plan, sounds) = demo();
    let mut seq = Sequencer::new(plan.clone(), sounds, 1.0);
    play(&mut seq, mid_speech(&plan) - 2400);
    let before = play(&mut seq, 2400);
    seq.set_volume(0.1);
    let after = play(&mut seq, 4800);
    assert!(largest_step(&[&before[..], &after[..]].concat()) < 0.1);
    assert!(peak(&after[2400..]) < 0.2 * peak(&before));
    assert!((seq.volume() - 0.1).abs() < 1e-6);
}

#[test]
fn the_session_reports_steps_cues_and_its_end() {
    let (plan, sounds) = demo();
    let (events, news) = mpsc::channel();
    let mut seq = Sequencer::new(plan.clone(), sounds, 1.0).with_events(events);
    play(&mut seq, plan.end as usize + 100);
    let got: Vec<Event> = news.try_iter().collect();
    let steps: Vec<u64> = got
        .iter()
        .filter_map(|e| {
            if let Event::StepStarted { at, .. } = e {
                Some(*at)
            } else {
                None
            }
        })
        .collect();
    assert_eq!(
        steps,
        plan.steps.iter().map(|s| s.start).collect::<Vec<_>>()
    );
    assert_eq!(
        got.iter()
            .filter(|e| matches!(e, Event::CueStarted { .. }))
            .count(),
        plan.cues.len()
    );
    assert_eq!(got.last(), Some(&Event::Finished { at: plan.end }));
}

#[test]
fn a_session_brought_back_waits_paused_then_plays_on_from_its_place() {
    let (plan, sounds) = demo();
    let step = 1;
    let at = plan.steps[step].start + 2 * u64::from(RATE);
    let (events, heard) = mpsc::channel();
    let mut seq = Sequencer::new(plan.clone(), sounds, 1.0)
        .with_events(events)
        .paused_at(at);
    assert_eq!(
        (seq.state(), seq.step(), seq.position()),
        (PlayState::Paused, step, at)
    );
    let waiting = play(&mut seq, RATE as usize);
    assert_eq!(peak(&waiting), 0.0, "silent until resumed");
    assert_eq!(seq.position(), at);

    assert!(seq.resume());
    // The next cue after the place sounds at its own sample, not earlier.
    let next = plan.cues.iter().find(|c| c.start >= at).unwrap();
    let until = (next.start - at) as usize;
    let played = play(&mut seq, until + RATE as usize / 10);
    assert_eq!(peak(&played[..until]), 0.0, "nothing before the next cue");
    assert!(peak(&played[until..]) > 0.0, "the next cue sounds on time");
    let reported: Vec<Event> = heard.try_iter().collect();
    assert!(
        !reported
            .iter()
            .any(|e| matches!(e, Event::StepStarted { .. })),
        "no step started again: {reported:?}"
    );
}

/// The time walked is the clock while it runs, split by direction: a
/// whole demo walks exactly its forward and backward steps; a skip is not
/// walked, and a pause is not either.
#[test]
fn walked_time_counts_only_the_samples_played_by_direction() {
    let (plan, sounds) = demo();
    let by_direction = |backward: bool| -> u64 {
        plan.steps
            .iter()
            .filter(|s| (s.direction == treadcue::program::Direction::Backward) == backward)
            .map(|s| s.length)
            .sum()
    };
    let mut whole = Sequencer::new(plan.clone(), sounds.clone(), 1.0);
    play(&mut whole, plan.end as usize);
    assert_eq!(
        whole.snapshot().walked,
        [by_direction(false), by_direction(true)]
    );

    let mut skipped = Sequencer::new(plan.clone(), sounds, 1.0);
    play(&mut skipped, RATE as usize);
    skipped.pause();
    play(&mut skipped, RATE as usize);
    skipped.resume();
    skipped.seek_step(2);
    play(&mut skipped, RATE as usize);
    assert_eq!(skipped.snapshot().walked, [2 * u64::from(RATE), 0]);
}

/// A sound of `seconds` of a steady level, standing in for words.
fn words(seconds: f64) -> CueSound {
    let samples: Arc<[f32]> = vec![0.25; (seconds * f64::from(RATE)) as usize].into();
    CueSound {
        length: samples.len(),
        tone: Some(samples),
        speech: None,
        speech_offset: 0,
    }
}

/// Where the output is louder than `level`, by runs: (start, length).
fn sounding(out: &[f32], level: f32) -> Vec<(usize, usize)> {
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for (i, s) in out.iter().enumerate() {
        if s.abs() <= level {
            continue;
        }
        match runs.last_mut() {
            // A tone's own zero crossings do not split it.
            Some((start, len)) if i <= *start + *len + 96 => *len = i + 1 - *start,
            _ => runs.push((i, 1)),
        }
    }
    runs
}

#[test]
fn a_skip_that_turns_the_walker_round_says_so_and_counts_in_before_the_go() {
    let (plan, sounds) = demo();
    let turn = 1;
    assert_ne!(plan.steps[turn].direction, plan.steps[0].direction);
    let (events, news) = mpsc::channel();
    let mut seq = Sequencer::new(plan.clone(), sounds, 1.0).with_events(events);
    play(&mut seq, RATE as usize * 2);
    let _ = news.try_iter().count();
    assert!(seq.seek_step_turning(turn, Some(words(1.0))));
    assert_eq!(seq.step(), turn, "the step has changed at once");
    let start = plan.steps[turn].start;
    // 1 s of words, a gap, the step's own count of ticks a second apart
    // (two in the demo), then the go.
    let ticks = plan
        .cues
        .iter()
        .filter(|c| c.kind == CueKind::Countdown && c.step == turn)
        .count();
    assert_eq!(ticks, 2);
    let out = play(&mut seq, RATE as usize * 6);
    let lead = (RATE as f64 * 1.25) as usize + ticks * RATE as usize;
    let runs = sounding(&out, 0.01);
    assert_eq!(runs[0].0, 0, "the words at once");
    // A tick's first samples ramp up: it is heard within a millisecond.
    let near = |heard: usize, planned: usize| heard.abs_diff(planned) < 48;
    let first = (RATE as f64 * 1.25) as usize;
    for (n, run) in runs[1..=ticks].iter().enumerate() {
        assert!(near(run.0, first + n * RATE as usize), "{runs:?}");
    }
    let go = plan
        .cues
        .iter()
        .position(|c| c.kind == CueKind::Go && c.step == turn)
        .unwrap();
    let started: Vec<(usize, u64)> = news
        .try_iter()
        .filter_map(|e| match e {
            Event::CueStarted { cue, at } => Some((cue, at)),
            _ => None,
        })
        .collect();
    assert_eq!(started.first(), Some(&(go, start)), "the go comes after");
    assert!(
        near(runs[ticks + 1].0, lead),
        "a second after the last tick: {runs:?}"
    );
    assert!(seq.position() > start);
}

#[test]
fn a_turning_skip_while_paused_counts_in_at_the_resume_and_a_plain_one_does_not() {
    let (plan, sounds) = demo();
    let mut seq = Sequencer::new(plan.clone(), sounds.clone(), 1.0);
    play(&mut seq, RATE as usize * 2);
    seq.pause();
    assert!(seq.seek_step_turning(1, None));
    let silent = play(&mut seq, RATE as usize);
    assert_eq!(peak(&silent[FADE..]), 0.0, "nothing counted while paused");
    assert!(seq.resume_saying(Some(words(0.5))));
    let out = play(&mut seq, RATE as usize * 5);
    let runs = sounding(&out, 0.01);
    let first = (RATE as f64 * 0.75) as usize;
    assert_eq!(runs[0].0, 0, "the resume's words at once");
    assert!(runs[1].0.abs_diff(first) < 48, "then the ticks: {runs:?}");
    assert!(runs[2].0.abs_diff(first + RATE as usize) < 48, "{runs:?}");

    // A resume with no turn: its words, then the clock goes on.
    let mut seq = Sequencer::new(plan.clone(), sounds, 1.0);
    play(&mut seq, RATE as usize * 2);
    seq.pause();
    let at = seq.position();
    assert!(seq.resume_saying(Some(words(0.5))));
    play(&mut seq, (RATE as f64 * 0.75) as usize);
    assert_eq!(seq.position(), at, "the clock waits for the words");
    play(&mut seq, 100);
    assert_eq!(seq.position(), at + 100);
}
