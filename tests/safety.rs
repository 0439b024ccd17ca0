//! The safety rules of backward walking, each caught, each quiet when
//! followed, and errors under `--strict` through the command.

use treadcue::program::catalog::BUILT_IN;
use treadcue::program::{Diagnostic, SafetyOptions, parse, safety_warnings};

fn warnings(text: &str) -> Vec<Diagnostic> {
    let program = parse("test", "test.toml", text.as_bytes()).expect("valid program");
    safety_warnings(&program, &SafetyOptions::default())
}

fn steps(header: &str, steps: &[(&str, &str, f64, f64)]) -> String {
    let mut text = format!("name = \"Test\"\n{header}\n");
    for (direction, duration, speed, incline) in steps {
        text.push_str(&format!(
            "[[steps]]\ndirection = \"{direction}\"\nduration = \"{duration}\"\nspeed = {speed}\nincline = {incline}\n\n"
        ));
    }
    text
}

fn only_warning(text: &str, words: &str) -> Diagnostic {
    let found = warnings(text);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].message.contains(words), "{}", found[0]);
    assert!(!found[0].is_error());
    found[0].clone()
}

const WARM_UP: (&str, &str, f64, f64) = ("forward", "3m", 2.0, 0.0);
const COOL_DOWN: (&str, &str, f64, f64) = ("forward", "3m", 2.0, 0.0);

#[test]
fn a_safe_program_has_no_warnings() {
    let text = steps("", &[WARM_UP, ("backward", "1m", 0.8, 0.0), COOL_DOWN]);
    assert!(warnings(&text).is_empty());
}

#[test]
fn changing_speed_and_incline_together_is_flagged_where_it_happens() {
    let text = steps(
        "",
        &[
            WARM_UP,
            ("backward", "1m", 1.0, 0.0),
            ("backward", "1m", 1.2, 3.0),
            ("backward", "1m", 1.2, 0.0),
            COOL_DOWN,
        ],
    );
    let warning = only_warning(
        &text,
        "speed and incline both change here (1 to 1.2 mph, 0% to 3%)",
    );
    assert_eq!(warning.line, 15, "{warning}");
}

#[test]
fn backward_speed_above_the_cap_is_flagged() {
    let text = steps(
        "experienced = true",
        &[
            WARM_UP,
            ("backward", "1m", 2.0, 0.0),
            ("backward", "1m", 3.8, 0.0),
            COOL_DOWN,
        ],
    );
    only_warning(&text, "backward speed 3.8 mph is above the cap of 3.5 mph");
    let program = parse("t", "t.toml", text.as_bytes()).unwrap();
    let relaxed = SafetyOptions {
        backward_cap_mph: 4.0,
        ..SafetyOptions::default()
    };
    assert!(safety_warnings(&program, &relaxed).is_empty());
}

#[test]
fn the_cap_applies_in_kilometres_too() {
    let text = steps(
        "units = \"km/h\"\nexperienced = true",
        &[
            ("forward", "3m", 3.0, 0.0),
            ("backward", "1m", 6.0, 0.0),
            ("forward", "3m", 3.0, 0.0),
        ],
    );
    only_warning(&text, "backward speed 6 km/h is above the cap of 5.6 km/h");
}

#[test]
fn a_fast_first_backward_step_needs_an_experienced_program() {
    let fast = [WARM_UP, ("backward", "1m", 2.0, 0.0), COOL_DOWN];
    let warning = only_warning(
        &steps("", &fast),
        "the first backward step is at 2 mph; beginners start at 1.0 mph or slower",
    );
    assert!(warning.help.unwrap().contains("experienced = true"));
    assert!(warnings(&steps("experienced = true", &fast)).is_empty());
}

#[test]
fn backward_without_a_forward_warm_up_is_flagged() {
    let text = steps("", &[("backward", "1m", 0.8, 0.0), COOL_DOWN]);
    only_warning(&text, "starts walking backward with no forward warm-up");
}

#[test]
fn a_turn_without_time_for_its_heads_up_is_flagged() {
    let text = steps(
        "",
        &[
            WARM_UP,
            ("backward", "15s", 0.8, 0.0),
            ("forward", "2m", 0.8, 0.0),
        ],
    );
    let warning = only_warning(
        &text,
        "this step lasts 0:15, too short to warn of the turn that ends it (0:15 heads-up)",
    );
    assert!(warning.help.unwrap().contains("at least 0:20"));
    // A shorter heads-up in the program makes the same step fine.
    let shorter = steps(
        "[cues]\nheads_up_turn = \"8s\"",
        &[
            WARM_UP,
            ("backward", "15s", 0.8, 0.0),
            ("forward", "2m", 0.8, 0.0),
        ],
    );
    assert!(warnings(&shorter).is_empty());
}

#[test]
fn a_rule_broken_in_every_round_of_a_repeat_is_reported_once() {
    let text = "name = \"T\"\n[[steps]]\ndirection = \"forward\"\nduration = \"3m\"\nspeed = 2\n[[steps]]\nrepeat = 5\n[[steps.steps]]\ndirection = \"backward\"\nduration = \"1m\"\nspeed = 1\nincline = 2\n[[steps.steps]]\ndirection = \"forward\"\nduration = \"1m\"\nspeed = 2\n";
    let found = warnings(text);
    assert_eq!(found.len(), 2, "{found:#?}");
}

#[test]
fn every_built_in_program_passes_every_safety_check() {
    for built_in in BUILT_IN {
        let program = parse(built_in.id, built_in.id, built_in.text.as_bytes())
            .unwrap_or_else(|e| panic!("{}: {e:#?}", built_in.id));
        let found = safety_warnings(&program, &SafetyOptions::default());
        assert!(found.is_empty(), "{}: {found:#?}", built_in.id);
    }
}

#[test]
fn a_step_too_short_for_its_announcement_and_countdown_is_flagged() {
    let text = steps(
        "[cues]\ncountdown = 5",
        &[
            WARM_UP,
            ("backward", "10s", 0.8, 0.0),
            ("backward", "1m", 0.8, 0.0),
            COOL_DOWN,
        ],
    );
    let warning = only_warning(
        &text,
        "this step lasts 0:10, too short to announce it before its 5-second countdown",
    );
    assert!(warning.help.unwrap().contains("at least 0:12"));
}
