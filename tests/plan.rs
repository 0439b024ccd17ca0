//! The cue plan: what a walker hears and when, checked on the built-in
//! programs and on many generated ones.

mod support;

use std::time::Duration;

use proptest::prelude::*;
use treadcue::phrasebook::Phrasebook;
use treadcue::plan::{CueKind, CueLengths, Estimates, GAP, Plan, Tone, compile, to_samples};
use treadcue::program::catalog::{BUILT_IN, built_in};
use treadcue::program::cue_settings::CueSettings;
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
        let unchanged = i > 0 && same_as(&plan.steps[i - 1], step);
        let change = if i == 0 || unchanged {
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

/// Whether a step changes nothing from `before`: no countdown, go tone
/// or heads-up leads into it.
fn same_as(before: &treadcue::plan::PlannedStep, step: &treadcue::plan::PlannedStep) -> bool {
    before.direction == step.direction
        && before.speed == step.speed
        && before.incline == step.incline
}

/// Every change gets its heads-up inside the step that ends, finished
/// before the countdown starts.
fn assert_every_change_has_a_heads_up(program: &Program, plan: &Plan) {
    let settings = CueSettings::default().with(&program.cues);
    for (i, step) in plan.steps.iter().enumerate() {
        if plan
            .steps
            .get(i + 1)
            .is_some_and(|next| same_as(step, next))
        {
            assert!(
                !plan
                    .cues
                    .iter()
                    .any(|c| c.kind == CueKind::HeadsUp && c.step == i),
                "step {i}: a heads-up before a step that changes nothing"
            );
            continue;
        }
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
fn the_demo_plays_every_kind_of_cue_in_seventy_seconds() {
    let plan = built_in_plan("demo");
    assert_eq!(plan.length, u64::from(RATE) * 70);
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
        Some("In fifteen seconds: slow to point eight, then turn to walk backward.")
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
    // An announcement with no room in its step, even in short, is left
    // out and the plan says so; it is never said in a later step.
    let dropped = plan
        .adjustments
        .iter()
        .filter(|a| a.kind == CueKind::Announcement && !a.shortened)
        .count();
    assert_eq!(count(CueKind::Announcement) + dropped, 3);
    // Ticks keep their exact seconds: one that the long briefing covers is
    // left out, never moved; the countdown to the end is whole.
    assert!((3..=6).contains(&count(CueKind::Countdown)));
    assert_every_cue_in_its_interval(&program, &plan);
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

/// Programs of short steps and long repeats, with every cue setting
/// varied: what the plan cannot fit, it shortens or leaves out.
fn crowded_program() -> impl Strategy<Value = String> {
    let step = (any::<bool>(), 5u32..40, 5u32..35, -3i32..15, any::<bool>());
    let cues = (
        (0u32..=10, 6u32..=60, 6u32..=60, any::<bool>()),
        (
            10u32..=300,
            10u32..=120,
            any::<bool>(),
            10u32..=90,
            any::<bool>(),
        ),
    );
    (
        prop::collection::vec(step, 1..6),
        1u32..=50,
        cues,
    )
        .prop_map(|(steps, repeat, ((countdown, heads_up, turn, halfway), (halfway_min, remaining, quiet, posture, briefing)))| {
            let mut text = format!(
                "name = \"Crowded\"\nexperienced = true\n[cues]\ncountdown = {countdown}\n\
                 heads_up = \"{heads_up}s\"\nheads_up_turn = \"{turn}s\"\nhalfway = {halfway}\n\
                 halfway_min = \"{halfway_min}s\"\nremaining = [\"{remaining}s\"]\n\
                 quiet_recovery = {quiet}\nposture_every = \"{posture}s\"\nbriefing = {briefing}\n"
            );
            for (i, (backward, secs, tenths, incline, note)) in steps.iter().enumerate() {
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
                if *note {
                    text.push_str("note = \"Keep your hands near the rails.\"\n");
                    text.push_str("say = [{ at = \"3s\", text = \"Short, controlled steps.\" }]\n");
                }
            }
            text
        })
}

/// Every cue lies inside the interval it belongs to: a step's words in
/// that step, a heads-up before its countdown, ticks and go tones on
/// their exact samples; and no two cues overlap.
fn assert_every_cue_in_its_interval(program: &Program, plan: &Plan) {
    let settings = CueSettings::default().with(&program.cues);
    let second = u64::from(RATE);
    for pair in plan.cues.windows(2) {
        assert!(pair[0].end() <= pair[1].start, "overlap: {pair:#?}");
    }
    for cue in &plan.cues {
        let step = &plan.steps[cue.step];
        match cue.kind {
            CueKind::Announcement
            | CueKind::Halfway
            | CueKind::Remaining
            | CueKind::Posture
            | CueKind::Text => assert!(
                cue.start >= step.start && cue.end() <= step.end(),
                "{cue:#?} outside step {} ({}..{})",
                cue.step,
                step.start,
                step.end()
            ),
            CueKind::HeadsUp => {
                let countdown = u64::from(settings.countdown) * second;
                assert!(
                    cue.start >= step.start && cue.end() <= step.end().saturating_sub(countdown),
                    "{cue:#?} not before the countdown of step {}",
                    cue.step
                );
            }
            CueKind::Go => assert_eq!(cue.start, step.start, "{cue:#?}"),
            CueKind::Countdown => {
                let change = if cue.step + 1 == plan.steps.len() && cue.start >= step.start {
                    step.end()
                } else {
                    step.start
                };
                let before = change - cue.start;
                assert!(
                    before % second == 0 && before / second <= u64::from(settings.countdown),
                    "{cue:#?} off its second"
                );
            }
            // At the end, or after a briefing that outlasts the session.
            CueKind::Finish => assert!(cue.start >= plan.length, "{cue:#?}"),
            CueKind::Briefing => assert_eq!(cue.start, 0),
        }
    }
    // Each step is announced once, in full or short, or the plan says it
    // had no room.
    for i in 0..plan.steps.len() {
        let announced = plan
            .cues
            .iter()
            .filter(|c| c.kind == CueKind::Announcement && c.step == i)
            .count();
        let dropped = plan
            .adjustments
            .iter()
            .any(|a| a.kind == CueKind::Announcement && a.step == i && !a.shortened);
        assert_eq!(announced + usize::from(dropped), 1, "step {i}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn crowded_programs_never_say_a_cue_outside_its_step(text in crowded_program()) {
        let program = parse("crowded", "crowded.toml", text.as_bytes()).expect("generated programs are valid");
        for lengths in [&Estimates as &dyn CueLengths, &Slow] {
            let plan = compile(&program, &CueSettings::default(), &Phrasebook::default(), lengths, RATE);
            assert_every_cue_in_its_interval(&program, &plan);
        }
    }
}

/// The program that once put announcements minutes after their steps:
/// now every step's words are said in it, the crowded ones in short.
#[test]
fn fifty_rounds_of_ten_second_steps_are_announced_in_their_own_steps() {
    let text = support::LONG_REPEATS;
    let program = parse("long", "long.toml", text.as_bytes()).unwrap();
    let plan = plan_of(&program);
    assert_every_cue_in_its_interval(&program, &plan);
    let cool_down = plan.steps.len() - 1;
    let said_in_cool_down: Vec<&str> = plan
        .cues
        .iter()
        .filter(|c| c.step == cool_down && c.kind == CueKind::Announcement)
        .filter_map(|c| c.text.as_deref())
        .collect();
    assert_eq!(
        said_in_cool_down,
        ["Forward at two miles per hour, flat, for five minutes."]
    );
    assert!(
        plan.cues
            .iter()
            .any(|c| c.kind == CueKind::Announcement
                && c.text.as_deref() == Some("Three point three.")),
        "the crowded steps get the short form"
    );
    assert!(plan.adjustments.iter().any(|a| a.shortened));
}

/// A step that changes nothing from the one before gets no heads-up,
/// countdown or go tone, only its name: the walker has nothing to do.
#[test]
fn a_step_that_changes_nothing_is_named_without_a_countdown() {
    let plan = built_in_plan("retro-first-steps");
    let last = plan.steps.len() - 1;
    assert!(same_as(&plan.steps[last - 1], &plan.steps[last]));
    let into_last: Vec<_> = plan
        .cues
        .iter()
        .filter(|c| c.step == last && matches!(c.kind, CueKind::Go | CueKind::Announcement))
        .collect();
    assert_eq!(into_last.len(), 1, "{into_last:#?}");
    assert_eq!(into_last[0].text.as_deref(), Some("Cool-down."));
    assert!(
        !plan
            .cues
            .iter()
            .any(|c| c.step == last - 1 && c.kind == CueKind::HeadsUp),
        "no heads-up into an identical step"
    );
    let ticks_before_last = plan
        .cues
        .iter()
        .filter(|c| {
            c.kind == CueKind::Countdown && c.step == last && c.start < plan.steps[last].start
        })
        .count();
    assert_eq!(ticks_before_last, 0);
}

/// The author's own words near a generic cue replace it: no "Halfway
/// there." beside "Halfway through this bout".
#[test]
fn an_authors_say_replaces_a_generic_cue_close_to_it() {
    let text = "name = \"Bouts\"\n\
        [[steps]]\ndirection = \"forward\"\nduration = \"5m\"\nspeed = 2.0\n\
        [[steps]]\ndirection = \"backward\"\nduration = \"2m\"\nspeed = 1.0\n\
        say = [{ at = \"1m\", text = \"Halfway through this bout: breathe.\" }]\n\
        [[steps]]\ndirection = \"forward\"\nduration = \"5m\"\nspeed = 2.0\n";
    let program = parse("bouts", "bouts.toml", text.as_bytes()).unwrap();
    let plan = plan_of(&program);
    let in_bout = |kind| plan.cues.iter().any(|c| c.step == 1 && c.kind == kind);
    assert!(in_bout(CueKind::Text));
    assert!(
        !in_bout(CueKind::Halfway),
        "a generic halfway beside the author's"
    );
    // Elsewhere the generic cue stays.
    assert!(
        plan.cues
            .iter()
            .any(|c| c.step == 0 && c.kind == CueKind::Halfway)
    );
}

/// A course's words about the session ("Week two, session five of
/// eighteen.") come first, in the briefing's cue, and keep every promise.
#[test]
fn a_preface_is_said_first_before_the_briefing() {
    let mut program = built_in("zero-w1").unwrap().unwrap();
    let plain = plan_of(&program);
    program.preface = Some("Week two, session five of eighteen.".into());
    let plan = plan_of(&program);
    let first = &plan.cues[0];
    assert_eq!(first.start, 0);
    let text = first.text.as_deref().unwrap();
    assert!(
        text.starts_with("Week two, session five of eighteen. Safety first"),
        "{text}"
    );
    assert_eq!(
        plan.cues.len(),
        plain.cues.len(),
        "said in the briefing's cue"
    );
    assert_plan_keeps_its_promises(&program, &plan);
}

/// A program cools down once, at its end: the recovery after the last
/// backward bout of a repeat is not a second cool-down.
#[test]
fn every_built_in_program_cools_down_once_at_its_end() {
    use treadcue::program::Role;
    for b in BUILT_IN {
        let program = built_in(b.id).unwrap().unwrap();
        let cool_downs: Vec<usize> = (0..program.steps.len())
            .filter(|&i| program.steps[i].role == Role::CoolDown)
            .collect();
        assert!(
            cool_downs.is_empty() || cool_downs == [program.steps.len() - 1],
            "{}: cool-downs at steps {cool_downs:?} of {}",
            b.id,
            program.steps.len()
        );
    }
}
