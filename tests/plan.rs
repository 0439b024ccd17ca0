//! The cue plan: what a walker hears and when, checked on the built-in
//! programs and on many generated ones.

use std::time::Duration;

use proptest::prelude::*;
use treadcue::catalog::{BUILT_IN, built_in};
use treadcue::cue_settings::CueSettings;
use treadcue::phrasebook::Phrasebook;
use treadcue::plan::{CueKind, CueLengths, Estimates, GAP, Plan, Tone, compile, to_samples};
use treadcue::program::{Program, SafetyOptions, parse, safety_warnings};

const RATE: u32 = 48_000;

fn plan_of(program: &Program) -> Plan {
    compile(
        program,
        &CueSettings::default(),
        &Phrasebook::default(),
        &Estimates,
        RATE,
    )
}

fn built_in_plan(id: &str) -> Plan {
    plan_of(&built_in(id).unwrap().unwrap())
}

fn secs(plan: &Plan, samples: u64) -> f64 {
    plan.seconds(samples)
}

/// Everything a walker relies on, checked on one plan.
fn assert_plan_keeps_its_promises(program: &Program, plan: &Plan) {
    let settings = CueSettings::default().with(&program.cues);
    // The session lasts the sum of its steps, steps back to back.
    assert_eq!(plan.length, to_samples(program.total(), RATE));
    let mut at = 0;
    for step in &plan.steps {
        assert_eq!(step.start, at);
        at = step.end();
    }
    assert_eq!(plan.steps.len(), program.steps.len());

    // Sorted, and never two sounds at once: a gap between any two cues.
    let gap = to_samples(GAP, RATE);
    for pair in plan.cues.windows(2) {
        assert!(pair[0].start <= pair[1].start, "unsorted: {pair:#?}");
        assert!(pair[0].end() + gap <= pair[1].start, "overlap: {pair:#?}");
    }

    // The safety briefing opens the session when it is on.
    if settings.briefing {
        let first = &plan.cues[0];
        assert_eq!((first.kind, first.start), (CueKind::Briefing, 0));
    }

    // Every step is announced inside itself; every change has its full
    // countdown and its go tone exactly on time.
    for (i, step) in plan.steps.iter().enumerate() {
        let announced = plan
            .cues
            .iter()
            .filter(|c| c.kind == CueKind::Announcement && c.step == i);
        let announced: Vec<_> = announced.collect();
        assert_eq!(announced.len(), 1, "step {i}");
        assert!(
            announced[0].start >= step.start && announced[0].start < step.end(),
            "step {i}"
        );
        let change = if i == 0 {
            None
        } else {
            Some((step.start, CueKind::Go))
        };
        let end_of_session = (i + 1 == plan.steps.len()).then_some((step.end(), CueKind::Finish));
        for (at, closing) in change.into_iter().chain(end_of_session) {
            let closing_cue = plan
                .cues
                .iter()
                .find(|c| c.kind == closing && c.start == at);
            assert!(
                closing_cue.is_some(),
                "no {closing:?} at {}",
                secs(plan, at)
            );
            for second in 1..=u64::from(settings.countdown) {
                let tick = at - second * u64::from(RATE);
                assert!(
                    plan.cues.iter().any(|c| c.kind == CueKind::Countdown
                        && c.start == tick
                        && c.tone == Some(Tone::Tick)),
                    "no countdown tick at {}",
                    secs(plan, tick)
                );
            }
        }
    }
    assert!(
        plan.cues
            .iter()
            .any(|c| c.kind == CueKind::Finish && c.text.is_some())
    );
}

/// Every change gets its heads-up inside the step that ends, finished
/// before the countdown starts.
fn assert_every_change_has_a_heads_up(program: &Program, plan: &Plan) {
    let settings = CueSettings::default().with(&program.cues);
    for (i, step) in plan.steps.iter().enumerate() {
        let heads_up = plan
            .cues
            .iter()
            .find(|c| c.kind == CueKind::HeadsUp && c.step == i);
        let heads_up = heads_up.unwrap_or_else(|| panic!("step {i} has no heads-up"));
        let countdown_from = step.end() - u64::from(settings.countdown) * u64::from(RATE);
        assert!(
            heads_up.start >= step.start,
            "step {i}: heads-up before its step"
        );
        assert!(
            heads_up.end() <= countdown_from,
            "step {i}: heads-up runs into the countdown"
        );
    }
}

#[test]
fn every_built_in_plan_keeps_its_promises() {
    for b in BUILT_IN {
        let program = built_in(b.id).unwrap().unwrap();
        let plan = plan_of(&program);
        assert_plan_keeps_its_promises(&program, &plan);
        assert_every_change_has_a_heads_up(&program, &plan);
    }
}

#[test]
fn the_demo_plays_every_kind_of_cue_within_a_minute() {
    let plan = built_in_plan("demo");
    assert_eq!(plan.length, u64::from(RATE) * 60);
    let kinds = [
        CueKind::Briefing,
        CueKind::Announcement,
        CueKind::HeadsUp,
        CueKind::Countdown,
        CueKind::Go,
        CueKind::Halfway,
        CueKind::Remaining,
        CueKind::Posture,
        CueKind::Text,
        CueKind::Finish,
    ];
    for kind in kinds {
        assert!(
            plan.cues.iter().any(|c| c.kind == kind),
            "the demo has no {kind:?} cue"
        );
    }
}

#[test]
fn announcements_say_direction_speed_incline_and_length_in_words() {
    let plan = built_in_plan("retro-first-steps");
    let texts: Vec<&str> = plan
        .cues
        .iter()
        .filter(|c| c.kind == CueKind::Announcement)
        .filter_map(|c| c.text.as_deref())
        .collect();
    assert_eq!(
        texts[0],
        "Forward at one point five miles per hour, flat, for three minutes. Walk normally and settle in."
    );
    assert_eq!(
        texts[1],
        "Backward at point eight miles per hour, flat, for thirty seconds. Round one of six. Hold both handrails. Reach back with your toes."
    );
    assert_eq!(
        texts[2],
        "Forward at one point five miles per hour, flat, for one and a half minutes."
    );
}

#[test]
fn a_turn_gets_the_longer_heads_up_and_says_how_to_turn() {
    let plan = built_in_plan("retro-first-steps");
    let before_turn = plan
        .cues
        .iter()
        .find(|c| c.kind == CueKind::HeadsUp && c.step == 0)
        .unwrap();
    assert_eq!(
        before_turn.start,
        plan.steps[1].start - 15 * u64::from(RATE)
    );
    assert_eq!(before_turn.tone, Some(Tone::Chime));
    assert_eq!(
        before_turn.text.as_deref(),
        Some("In fifteen seconds: slow down, hold the rails, and turn to walk backward.")
    );
    let plan = built_in_plan("retro-incline-ladder");
    let steeper = plan
        .cues
        .iter()
        .find(|c| c.kind == CueKind::HeadsUp && c.step == 1)
        .unwrap();
    assert_eq!(steeper.start, plan.steps[2].start - 10 * u64::from(RATE));
    assert_eq!(
        steeper.text.as_deref(),
        Some("In ten seconds: raise the incline to two percent.")
    );
}

#[test]
fn posture_reminders_rotate_and_only_in_backward_steps() {
    let plan = built_in_plan("retro-rehab-30");
    let reminders: Vec<_> = plan
        .cues
        .iter()
        .filter(|c| c.kind == CueKind::Posture)
        .collect();
    assert!(reminders.len() >= 10, "{}", reminders.len());
    for r in &reminders {
        assert_eq!(
            plan.steps[r.step].direction,
            treadcue::program::Direction::Backward
        );
    }
    let book = Phrasebook::default();
    let said: Vec<&str> = reminders.iter().filter_map(|r| r.text.as_deref()).collect();
    assert_eq!(
        said[..book.posture.form.len()],
        book.posture
            .form
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()[..]
    );
}

#[test]
fn quiet_recovery_silences_reminders_and_halfway_in_recovery_steps() {
    let plan = built_in_plan("retro-rehab-30");
    for cue in &plan.cues {
        if plan.steps[cue.step].role == treadcue::program::Role::Recover {
            assert!(
                !matches!(
                    cue.kind,
                    CueKind::Halfway | CueKind::Remaining | CueKind::Posture
                ),
                "{cue:#?}"
            );
        }
    }
}

/// Lengths that make every phrase long, so cues must compete for room.
struct Slow;

impl CueLengths for Slow {
    fn speech(&self, text: &str) -> Duration {
        Estimates.speech(text) * 3
    }
    fn tone(&self, tone: Tone) -> Duration {
        tone.default_length()
    }
}

#[test]
fn when_cues_compete_the_important_ones_stay_and_lesser_ones_give_way() {
    let program = built_in("demo").unwrap().unwrap();
    let plan = compile(
        &program,
        &CueSettings::default(),
        &Phrasebook::default(),
        &Slow,
        RATE,
    );
    for pair in plan.cues.windows(2) {
        assert!(pair[0].end() <= pair[1].start, "overlap: {pair:#?}");
    }
    let count = |kind| plan.cues.iter().filter(|c| c.kind == kind).count();
    assert_eq!(count(CueKind::Briefing), 1);
    assert_eq!(count(CueKind::Announcement), 3);
    assert_eq!(count(CueKind::Countdown), 6);
    assert_eq!(count(CueKind::Finish), 1);
    assert!(count(CueKind::Posture) + count(CueKind::Halfway) + count(CueKind::Remaining) < 3);
}

#[test]
fn compiling_is_deterministic() {
    let program = built_in("retro-builder").unwrap().unwrap();
    assert_eq!(plan_of(&program), plan_of(&program));
}

#[test]
fn the_plan_lists_the_phrases_to_render() {
    let plan = built_in_plan("demo");
    let phrases = plan.phrases();
    assert!(phrases.contains(&"Nice and steady."));
    assert!(phrases.windows(2).all(|w| w[0] < w[1]));
}

fn arbitrary_program() -> impl Strategy<Value = String> {
    let step = (any::<bool>(), 30u32..600, 5u32..35, -3i32..15);
    (prop::collection::vec(step, 1..12), 1u32..4, any::<bool>()).prop_map(|(steps, repeat, briefing)| {
        let mut text = format!("name = \"Generated\"\nexperienced = true\n[cues]\nbriefing = {briefing}\n");
        for (i, (backward, secs, tenths, incline)) in steps.iter().enumerate() {
            let table = if i == 1 {
                text.push_str(&format!("[[steps]]\nrepeat = {repeat}\n"));
                "steps.steps"
            } else {
                "steps"
            };
            let direction = if *backward { "backward" } else { "forward" };
            let speed = f64::from(*tenths) / 10.0;
            text.push_str(&format!(
                "[[{table}]]\ndirection = \"{direction}\"\nduration = \"{secs}s\"\nspeed = {speed}\nincline = {incline}\n"
            ));
        }
        text
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn generated_programs_compile_to_plans_that_keep_their_promises(text in arbitrary_program()) {
        let program = parse("generated", "generated.toml", text.as_bytes()).expect("generated programs are valid");
        let plan = plan_of(&program);
        assert_plan_keeps_its_promises(&program, &plan);
        // Steps of 30 s and more leave room for every heads-up.
        assert_every_change_has_a_heads_up(&program, &plan);
        let _ = safety_warnings(&program, &SafetyOptions::default());
    }
}
