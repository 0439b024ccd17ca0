//! Every way a program file can be wrong gets a message that says what and
//! where, the way a person writing one by hand needs it.

use treadcue::program::{Diagnostic, Direction, Program, Role, Units, parse};

const HEADER: &str = "name = \"Test\"\n";

fn parse_text(text: &str) -> Result<Program, Vec<Diagnostic>> {
    parse("test", "test.toml", text.as_bytes())
}

fn errors(text: &str) -> Vec<Diagnostic> {
    match parse_text(text) {
        Ok(_) => panic!("expected errors in:\n{text}"),
        Err(errors) => errors,
    }
}

/// The one error in `text`, checked for its words and its place.
fn assert_error(text: &str, words: &str, line: usize, column: usize) -> Diagnostic {
    let errors = errors(text);
    let found = errors
        .iter()
        .find(|e| e.message.contains(words))
        .unwrap_or_else(|| panic!("no error saying {words:?} among {errors:#?}"));
    assert_eq!((found.line, found.column), (line, column), "{found}");
    assert!(found.is_error());
    found.clone()
}

fn step(body: &str) -> String {
    format!("{HEADER}\n[[steps]]\n{body}\n")
}

const GOOD_STEP: &str = "direction = \"forward\"\nduration = \"2m\"\nspeed = 2.0";

#[test]
fn a_well_formed_program_parses_with_its_repeats_unrolled() {
    let text = format!(
        "{HEADER}units = \"km/h\"\n[[steps]]\n{GOOD_STEP}\n\n[[steps]]\nrepeat = 3\n  [[steps.steps]]\n  direction = \"backward\"\n  duration = \"1m30s\"\n  speed = 1.2\n  incline = 2\n  [[steps.steps]]\n  direction = \"forward\"\n  duration = 60\n  speed = 3\n"
    );
    let program = parse_text(&text).unwrap();
    assert_eq!(program.units, Units::Kmh);
    assert_eq!(program.steps.len(), 7);
    let backward = &program.steps[1];
    assert_eq!(backward.direction, Direction::Backward);
    assert_eq!(backward.duration.as_secs(), 90);
    assert_eq!((backward.speed, backward.incline), (1.2, 2.0));
    assert_eq!(backward.round.map(|r| (r.index, r.count)), Some((1, 3)));
    assert_eq!(program.steps[5].round.map(|r| r.index), Some(3));
    assert_eq!(program.total().as_secs(), 120 + 3 * 150);
    let roles: Vec<Role> = program.steps.iter().map(|s| s.role).collect();
    assert_eq!(roles[0], Role::WarmUp);
    assert_eq!(roles[2], Role::Recover);
    assert_eq!(roles[6], Role::CoolDown);
}

#[test]
fn an_unknown_key_names_the_nearest_and_the_allowed_ones() {
    let text = step("direction = \"forward\"\nduration = \"2m\"\nspede = 2.0");
    let error = assert_error(&text, "unknown key `spede`", 6, 1);
    let help = error.help.unwrap();
    assert!(help.starts_with("did you mean `speed`?"), "{help}");
    assert!(help.contains("`incline`"), "{help}");
}

#[test]
fn an_unknown_top_level_key_is_reported() {
    let error = assert_error(
        "name = \"x\"\ncolour = \"red\"\n",
        "unknown key `colour`",
        2,
        1,
    );
    assert!(error.help.unwrap().contains("`steps`"));
}

#[test]
fn missing_parts_of_a_step_are_named() {
    assert_error(
        &step("duration = \"2m\"\nspeed = 2.0"),
        "this step has no `direction`",
        3,
        1,
    );
    assert_error(
        &step("direction = \"forward\"\nspeed = 2.0"),
        "this step has no `duration`",
        3,
        1,
    );
    assert_error(
        &step("direction = \"forward\"\nduration = \"2m\""),
        "this step has no `speed`",
        3,
        1,
    );
}

#[test]
fn a_program_needs_a_name_and_steps() {
    let missing_name = format!("[[steps]]\n{GOOD_STEP}\n");
    assert!(errors(&missing_name)[0].message.contains("no `name`"));
    assert!(errors(HEADER)[0].message.contains("no `steps`"));
    assert!(
        errors(&format!("{HEADER}steps = []\n"))[0]
            .message
            .contains("no steps")
    );
}

#[test]
fn a_misspelt_direction_suggests_the_right_one() {
    let error = assert_error(
        &step("direction = \"backwards\"\nduration = \"2m\"\nspeed = 1.0"),
        "unknown direction `backwards`",
        4,
        13,
    );
    assert!(error.help.unwrap().contains("did you mean `backward`?"));
}

#[test]
fn durations_must_be_readable_positive_and_long_enough() {
    let bad = |d: &str| {
        step(&format!(
            "direction = \"forward\"\nduration = {d}\nspeed = 2.0"
        ))
    };
    assert_error(
        &bad("\"ten minutes\""),
        "`ten minutes` is not a duration",
        5,
        12,
    );
    assert_error(&bad("\"0s\""), "must last at least 0:05", 5, 12);
    assert_error(&bad("-5"), "cannot be negative", 5, 12);
    assert_error(&bad("\"3s\""), "must last at least 0:05, not 0:03", 5, 12);
    assert_error(&bad("\"5h\""), "at most 4 hours", 5, 12);
    assert_error(&bad("1e300"), "far longer than any workout", 5, 12);
    assert_error(&bad("nan"), "not a usable number of seconds", 5, 12);
}

#[test]
fn speed_and_incline_stay_within_a_treadmill() {
    let with = |extra: &str| {
        step(&format!(
            "direction = \"forward\"\nduration = \"2m\"\n{extra}"
        ))
    };
    let error = assert_error(&with("speed = 25"), "speed 25 mph is outside", 6, 9);
    assert_eq!(
        error.help.as_deref(),
        Some("speeds run from 0.1 to 12.5 mph")
    );
    assert_error(&with("speed = 0"), "speed 0 mph is outside", 6, 9);
    assert_error(&with("speed = inf"), "speed inf mph is outside", 6, 9);
    assert_error(
        &with("speed = 2\nincline = 16"),
        "incline 16% is out of range",
        7,
        11,
    );
    assert_error(
        &with("speed = 2\nincline = -4"),
        "incline -4% is out of range",
        7,
        11,
    );
    let kmh = format!(
        "{HEADER}units = \"km/h\"\n[[steps]]\ndirection = \"forward\"\nduration = \"2m\"\nspeed = 21\n"
    );
    assert_error(&kmh, "speed 21 km/h is outside", 6, 9);
}

#[test]
fn a_wrong_kind_of_value_says_what_was_expected() {
    let text = step("direction = \"forward\"\nduration = \"2m\"\nspeed = \"fast\"");
    assert_error(&text, "expected a number", 6, 9);
}

#[test]
fn a_huge_integer_is_a_clear_error_not_a_panic() {
    let text = step("direction = \"forward\"\nduration = \"2m\"\nspeed = 99999999999999999999999");
    let errors = errors(&text);
    assert_eq!(errors[0].line, 6, "{}", errors[0]);
}

#[test]
fn names_and_texts_have_limits() {
    let long = "x".repeat(81);
    assert_error(
        &format!("name = \"{long}\"\n[[steps]]\n{GOOD_STEP}\n"),
        "81 characters long; at most 80",
        1,
        8,
    );
    assert_error(
        &format!("name = \"   \"\n[[steps]]\n{GOOD_STEP}\n"),
        "the program's name is empty",
        1,
        8,
    );
    assert_error(
        &format!("name = \"a\\u0007b\"\n[[steps]]\n{GOOD_STEP}\n"),
        "control character",
        1,
        8,
    );
    let note = "y".repeat(201);
    assert_error(
        &step(&format!("{GOOD_STEP}\nnote = \"{note}\"")),
        "201 characters long; at most 200",
        7,
        8,
    );
}

#[test]
fn repeats_are_bounded() {
    let block = |n: i64| format!("{HEADER}[[steps]]\nrepeat = {n}\n[[steps.steps]]\n{GOOD_STEP}\n");
    assert_error(
        &block(0),
        "repeat = 0 is out of range: a block repeats 1 to 100 times",
        3,
        10,
    );
    assert_error(&block(101), "repeat = 101 is out of range", 3, 10);
    let without_steps = format!("{HEADER}[[steps]]\nrepeat = 2\n");
    assert!(
        errors(&without_steps)[0]
            .message
            .contains("repeat block has no `steps`")
    );
}

#[test]
fn step_keys_in_a_repeat_block_are_pointed_out() {
    let text =
        format!("{HEADER}[[steps]]\nrepeat = 2\nspeed = 2.0\n[[steps.steps]]\n{GOOD_STEP}\n");
    let error = assert_error(
        &text,
        "`speed` belongs to a step, not to a repeat block",
        4,
        9,
    );
    assert!(error.help.unwrap().contains("`repeat`, `name` or `steps`"));
}

#[test]
fn steps_inside_a_plain_step_are_refused() {
    let text = format!("{HEADER}[[steps]]\n{GOOD_STEP}\n[[steps.steps]]\n{GOOD_STEP}\n");
    assert!(
        errors(&text)[0]
            .message
            .contains("a step cannot hold `steps`")
    );
}

#[test]
fn nesting_deeper_than_three_is_refused() {
    let mut text = HEADER.to_string();
    let mut table = String::from("steps");
    for _ in 0..4 {
        text.push_str(&format!("[[{table}]]\nrepeat = 2\n"));
        table.push_str(".steps");
    }
    text.push_str(&format!("[[{table}]]\n{GOOD_STEP}\n"));
    let error = assert_error(&text, "nest at most 3 deep; this one is 4 deep", 9, 10);
    assert!(error.is_error());
}

#[test]
fn a_program_longer_than_four_hours_is_refused() {
    let text = format!(
        "{HEADER}[[steps]]\nrepeat = 100\n[[steps.steps]]\ndirection = \"forward\"\nduration = \"3m\"\nspeed = 2\n"
    );
    let errors = errors(&text);
    assert!(
        errors[0].message.contains("the program lasts 5:00:00"),
        "{}",
        errors[0]
    );
    assert_eq!(
        errors[0].help.as_deref(),
        Some("a program may last at most 4 hours")
    );
}

#[test]
fn timed_text_cues_must_fall_inside_their_step() {
    let text = step(&format!(
        "{GOOD_STEP}\nsay = [{{ at = \"3m\", text = \"hello\" }}]"
    ));
    assert_error(&text, "would come after its step ends", 7, 15);
    let no_text = step(&format!("{GOOD_STEP}\nsay = [{{ at = \"30s\" }}]"));
    assert!(errors(&no_text)[0].message.contains("has no `text`"));
    let unknown = step(&format!(
        "{GOOD_STEP}\nsay = [{{ at = \"30s\", txt = \"hi\" }}]"
    ));
    assert!(
        errors(&unknown)[0]
            .help
            .as_deref()
            .unwrap()
            .contains("did you mean `text`?")
    );
}

#[test]
fn posture_sets_and_units_are_checked_against_their_lists() {
    let set = assert_error(
        &step(&format!("{GOOD_STEP}\nposture = \"forms\"")),
        "unknown posture set `forms`",
        7,
        11,
    );
    assert!(set.help.unwrap().starts_with("did you mean `form`?"));
    let units = assert_error(
        &format!("{HEADER}units = \"mhp\"\n[[steps]]\n{GOOD_STEP}\n"),
        "unknown units `mhp`",
        2,
        9,
    );
    assert!(units.help.unwrap().contains("did you mean `mph`?"));
}

#[test]
fn cue_settings_are_checked() {
    let with = |cues: &str| format!("{HEADER}[cues]\n{cues}\n[[steps]]\n{GOOD_STEP}\n");
    assert_error(
        &with("countdown = 11"),
        "countdown = 11 is out of range",
        3,
        13,
    );
    assert_error(
        &with("heads_up = \"2m\""),
        "heads_up of 2:00 is out of range: 0:06 to 1:00",
        3,
        12,
    );
    assert_error(
        &with("posture_every = \"5s\""),
        "posture_every must last at least 0:10",
        3,
        17,
    );
    let error = assert_error(
        &with("heads_upp = \"10s\""),
        "unknown key `heads_upp`",
        3,
        1,
    );
    assert!(error.help.unwrap().starts_with("did you mean `heads_up`?"));
}

#[test]
fn a_syntax_error_points_at_the_line() {
    let errors = errors("name = \"x\"\n[[steps]\n");
    assert_eq!(errors[0].line, 2, "{}", errors[0]);
}

#[test]
fn all_errors_are_reported_at_once() {
    let text = format!(
        "{HEADER}[[steps]]\ndirection = \"sideways\"\nduration = \"2m\"\nspeed = 40\n[[steps]]\ndirection = \"forward\"\nduration = \"1s\"\nspeed = 2\n"
    );
    let errors = errors(&text);
    assert_eq!(errors.len(), 3, "{errors:#?}");
}

#[test]
fn errors_render_with_file_line_column_and_an_excerpt() {
    let text = step("direction = \"forward\"\nduration = \"2m\"\nspeed = 25");
    let shown = errors(&text)[0].to_string();
    assert!(
        shown.starts_with("test.toml:6:9: error: speed 25 mph is outside what a treadmill does"),
        "{shown}"
    );
    assert!(shown.contains("6 | speed = 25\n  |         ^^"), "{shown}");
    assert!(
        shown.ends_with("= help: speeds run from 0.1 to 12.5 mph"),
        "{shown}"
    );
}
