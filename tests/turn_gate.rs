//! The turn gate on the sequencer: held at the exact sample the countdown
//! into a backward step ends, before its "go"; released to a fresh
//! countdown; never held twice for one turn.

mod support;

use std::sync::Arc;
use std::sync::mpsc::{self, Receiver};

use treadcue::audio::sequencer::{CueSound, Event, PlayState, Sequencer};
use treadcue::plan::{CueKind, Plan};

const RATE: u32 = 48_000;
/// The demo's first turn-around: forward, then backward at 0.8 mph.
const TURN: usize = 1;

fn demo() -> (Arc<Plan>, Arc<[CueSound]>) {
    support::prepared_built_in("demo", RATE)
}

fn play(sequencer: &mut Sequencer, samples: u64) {
    let mut out = vec![0.0; samples as usize];
    sequencer.fill(&mut out);
}

fn gated() -> (Arc<Plan>, Sequencer, Receiver<Event>) {
    let (plan, sounds) = demo();
    let (events, news) = mpsc::channel();
    let mut seq = Sequencer::new(plan.clone(), sounds, 1.0).with_events(events);
    seq.set_gate(Some(TURN));
    (plan, seq, news)
}

/// The countdown ticks into `step`, by their first sample.
fn countdown(plan: &Plan, step: usize) -> Vec<u64> {
    plan.cues
        .iter()
        .filter(|c| c.kind == CueKind::Countdown && c.step == step)
        .map(|c| c.start)
        .collect()
}

fn cues_started(news: &Receiver<Event>) -> Vec<u64> {
    news.try_iter()
        .filter_map(|e| match e {
            Event::CueStarted { at, .. } => Some(at),
            _ => None,
        })
        .collect()
}

#[test]
fn the_gate_holds_at_the_end_of_the_countdown_before_the_go() {
    let (plan, mut seq, news) = gated();
    let boundary = plan.steps[TURN].start;
    play(&mut seq, boundary + 5 * u64::from(RATE));
    assert_eq!(seq.state(), PlayState::Paused);
    assert_eq!(seq.position(), boundary, "held at the change's own sample");
    assert!(seq.snapshot().held_at_gate);
    assert_eq!(seq.step(), TURN - 1, "the backward step has not begun");
    let events: Vec<Event> = news.try_iter().collect();
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, Event::StepStarted { step, .. } if *step == TURN)),
        "no step start while held: {events:?}"
    );
    let ticks = countdown(&plan, TURN);
    assert!(!ticks.is_empty(), "the demo counts down into its turn");
    for tick in &ticks {
        assert!(
            events.contains(&Event::CueStarted {
                cue: plan.cues.iter().position(|c| c.start == *tick).unwrap(),
                at: *tick
            }),
            "the countdown was heard before the hold"
        );
    }
}

#[test]
fn releasing_the_gate_counts_down_again_then_turns() {
    let (plan, mut seq, news) = gated();
    let boundary = plan.steps[TURN].start;
    play(&mut seq, boundary + u64::from(RATE));
    let _ = news.try_iter().count();
    assert!(seq.release_gate());
    let ticks = countdown(&plan, TURN);
    assert_eq!(seq.position(), ticks.iter().copied().min().unwrap());
    assert!(!seq.snapshot().held_at_gate);
    let to_turn = boundary - seq.position() + 10;
    play(&mut seq, to_turn);
    let heard = cues_started(&news);
    for tick in &ticks {
        assert!(heard.contains(tick), "tick at {tick} heard again");
    }
    assert!(heard.contains(&boundary), "the go at the change");
    assert_eq!(seq.step(), TURN);
    assert_eq!(seq.state(), PlayState::Playing);
}

#[test]
fn a_turn_passed_is_not_held_again_and_a_resume_passes_it_too() {
    let (plan, mut seq, _news) = gated();
    let boundary = plan.steps[TURN].start;
    play(&mut seq, boundary + 100);
    assert!(seq.resume(), "a walker's own resume passes the gate");
    seq.set_gate(Some(TURN));
    assert_eq!(seq.gate(), None, "the same turn is not armed again");
    play(&mut seq, 5 * u64::from(RATE));
    assert_eq!(seq.step(), TURN);
    assert!(!seq.release_gate(), "nothing to release when not held");
}

#[test]
fn no_gate_plays_through_and_a_seek_leaves_a_hold() {
    let (plan, sounds) = demo();
    let mut free = Sequencer::new(plan.clone(), sounds, 1.0);
    play(&mut free, plan.steps[TURN].start + 10);
    assert_eq!(free.step(), TURN);

    let (_, mut seq, _news) = gated();
    play(&mut seq, plan.steps[TURN].start + 10);
    assert!(seq.snapshot().held_at_gate);
    assert!(seq.seek_step(TURN + 1));
    assert!(!seq.snapshot().held_at_gate);
    assert_eq!(seq.state(), PlayState::Paused, "a seek keeps a pause");
}

#[test]
fn a_pause_while_held_is_the_walkers_and_a_resume_meets_the_gate_again() {
    let (plan, mut seq, _news) = gated();
    let boundary = plan.steps[TURN].start;
    play(&mut seq, boundary + 100);
    assert!(seq.pause(), "the walker's pause takes over the hold");
    assert!(!seq.snapshot().held_at_gate, "now a plain pause");
    assert_eq!(seq.state(), PlayState::Paused);
    let countdown_start = countdown(&plan, TURN).into_iter().min().unwrap();
    assert_eq!(seq.position(), countdown_start);
    assert_eq!(seq.gate(), Some(TURN), "still armed");
    assert!(seq.resume());
    play(&mut seq, boundary - countdown_start + u64::from(RATE));
    assert!(
        seq.snapshot().held_at_gate,
        "held again after the countdown"
    );
    assert_eq!(seq.position(), boundary);
}

#[test]
fn the_audio_device_failing_while_held_keeps_the_hold() {
    let (plan, mut seq, news) = gated();
    let boundary = plan.steps[TURN].start;
    play(&mut seq, boundary + 100);
    let _ = news.try_iter().count();
    // The device fails and comes back, as a loaded machine's sound
    // server can make it: still held at the change's sample, no
    // countdown replayed, nothing resumed.
    assert!(!seq.device_lost(), "held already: nothing new to pause");
    assert!(seq.snapshot().held_at_gate && seq.snapshot().device_lost);
    assert!(!seq.device_back(true));
    play(&mut seq, 5 * u64::from(RATE));
    assert!(seq.snapshot().held_at_gate);
    assert_eq!(seq.state(), PlayState::Paused);
    assert_eq!(seq.position(), boundary);
    assert!(cues_started(&news).is_empty(), "no countdown again");
    // A slow belt while the device is gone lets it go once it is back.
    let (plan, mut seq, news) = gated();
    play(&mut seq, boundary + 100);
    let _ = news.try_iter().count();
    seq.device_lost();
    assert!(
        !seq.release_gate(),
        "nothing heard until the device is back"
    );
    assert!(seq.device_back(false), "then the fresh countdown");
    assert_eq!(
        seq.position(),
        countdown(&plan, TURN).into_iter().min().unwrap()
    );
}
