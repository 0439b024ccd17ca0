//! Importing workouts of our own making that use every element and
//! attribute, and faults.

use super::*;

const ALL: &str = r#"<workout_file>
    <author>treadcue tests</author>
    <name>Every block</name>
    <description>Warm-up, steady, intervals, a free part, a cool-down.</description>
    <sportType>run</sportType>
    <workout>
        <Warmup Duration="300" PowerLow="0.4" PowerHigh="0.6">
            <textevent timeoffset="10" message="Easy start."/>
        </Warmup>
        <SteadyState Duration="120" Power="0.7" pace="3">
            <TextEvent TimeOffset="60" message="Halfway through the steady part."/>
        </SteadyState>
        <IntervalsT Repeat="3" OnDuration="60" OffDuration="90" OnPower="0.8" OffPower="0.5">
            <textevent timeoffset="200" message="Second hard minute."/>
        </IntervalsT>
        <FreeRide Duration="60"/>
        <Ramp Duration="60" PowerLow="0.6" PowerHigh="0.5">
            <gameplayevent timeoffset="5" camera="1" type="camera_change"/>
            <TextNotification text="Nearly there." timeOffset="30" font_size="0.5"/>
        </Ramp>
        <Cooldown Duration="240" PowerLow="0.5" PowerHigh="0.3"/>
        <textevent timeoffset="1190" message="Last ten seconds."/>
    </workout>
</workout_file>"#;

fn at_nine_minutes() -> ZwoOptions {
    ZwoOptions {
        threshold: Some(Pace::parse("9:00").unwrap()),
        ..ZwoOptions::default()
    }
}

#[test]
fn every_block_becomes_steps_with_its_texts_where_they_fall() {
    let imported = import(ALL, "all.zwo", &at_nine_minutes()).unwrap();
    let program = crate::program::parse("all", "all.toml", imported.toml.as_bytes()).unwrap();
    // Warm-up, steady, 3 x (on, off), free, ramp, cool-down.
    assert_eq!(program.steps.len(), 11);
    let total: f64 = program.steps.iter().map(|s| s.duration.as_secs_f64()).sum();
    assert_eq!(total, 300.0 + 120.0 + 3.0 * 150.0 + 60.0 + 60.0 + 240.0);
    // 9:00 per km is 6.67 km/h: the warm-up walks at half of it.
    assert_eq!(program.steps[0].speed, 3.3);
    assert_eq!(program.steps[0].texts[0].text.as_ref(), "Easy start.");
    // Offset 200 s of the intervals is 50 s into the second "on" minute.
    let second_on = &program.steps[4];
    assert_eq!(second_on.texts.len(), 1);
    assert_eq!(second_on.texts[0].at.as_secs_f64(), 50.0);
    assert!(
        program
            .steps
            .iter()
            .all(|s| s.direction == crate::program::Direction::Forward)
    );
    assert!(
        program.steps[8]
            .note
            .as_deref()
            .unwrap()
            .contains("Your own pace")
    );
    // Zwift's other spelling of a text, and a text of the whole workout.
    assert_eq!(program.steps[9].texts[0].text.as_ref(), "Nearly there.");
    let last = &program.steps[10].texts[0];
    assert_eq!(
        (last.at.as_secs_f64(), last.text.as_ref()),
        (200.0, "Last ten seconds.")
    );
    // A range where a steady block has one power: its middle.
    let ranged = ALL.replace(
        "Power=\"0.7\" pace=\"3\"",
        "PowerLow=\"0.6\" PowerHigh=\"0.8\" pace=\"3\"",
    );
    assert_ne!(ranged, ALL);
    let ranged = import(&ranged, "r.zwo", &at_nine_minutes()).unwrap();
    assert_eq!(ranged.toml, imported.toml.replace("all.zwo", "r.zwo"));
}

#[test]
fn speeds_over_the_walking_cap_are_capped_and_said() {
    let fast = ALL.replace("Power=\"0.7\"", "Power=\"1.5\"");
    let imported = import(&fast, "fast.zwo", &at_nine_minutes()).unwrap();
    let program = crate::program::parse("fast", "fast.toml", imported.toml.as_bytes()).unwrap();
    assert_eq!(program.steps[1].speed, DEFAULT_MAX_SPEED_KMH);
    let note = imported
        .notes
        .iter()
        .find(|n| n.message.contains("capped"))
        .unwrap();
    assert_eq!(note.line, 10, "{note}");
}

#[test]
fn backward_steps_are_marked_and_capped_for_walking_backward() {
    let options = ZwoOptions {
        backward: vec![3, 5],
        ..at_nine_minutes()
    };
    let imported = import(ALL, "all.zwo", &options).unwrap();
    let program = crate::program::parse("all", "all.toml", imported.toml.as_bytes()).unwrap();
    use crate::program::Direction::{Backward, Forward};
    let directions: Vec<_> = program.steps.iter().map(|s| s.direction).collect();
    assert_eq!(
        directions[..6],
        [Forward, Forward, Backward, Forward, Backward, Forward]
    );
    let too_far = ZwoOptions {
        backward: vec![12],
        ..at_nine_minutes()
    };
    let errors = import(ALL, "all.zwo", &too_far).unwrap_err();
    assert!(errors[0].message.contains("steps 1 to 11"), "{}", errors[0]);
}

#[test]
fn without_a_threshold_pace_nothing_is_guessed() {
    let errors = import(ALL, "all.zwo", &ZwoOptions::default()).unwrap_err();
    assert!(
        errors[0].message.contains("no threshold pace"),
        "{}",
        errors[0]
    );
    let with_file_pace = ALL.replace(
        "<workout>",
        "<thresholdSecPerKm>480</thresholdSecPerKm><workout>",
    );
    let imported = import(&with_file_pace, "all.zwo", &ZwoOptions::default()).unwrap();
    assert!(
        imported.notes[0]
            .message
            .contains("the file's own threshold pace, 8:00")
    );
}

#[test]
fn faults_are_errors_with_line_and_column() {
    let cases: [(&str, &str, usize); 8] = [
        (
            "<workout_file><sportType>run</sportType><workout>",
            "well-formed",
            1,
        ),
        (
            "<workout_file><sportType>bike</sportType><workout/></workout_file>",
            "not a run workout",
            1,
        ),
        (
            "<workout_file><sportType>run</sportType><workout>\n<Sprint Duration=\"60\"/></workout></workout_file>",
            "unknown block <Sprint>",
            2,
        ),
        (
            "<workout_file><sportType>run</sportType><workout>\n<SteadyState Duration=\"60\" Power=\"0.7\" pace=\"32766\"/></workout></workout_file>",
            "pace=\"32766\"",
            2,
        ),
        (
            "<workout_file><sportType>run</sportType><workout>\n\n<SteadyState Duration=\"-5\" Power=\"0.7\"/></workout></workout_file>",
            "Duration=\"-5\"",
            3,
        ),
        (
            "<workout_file><sportType>run</sportType><workout>\n<MaxEffort Duration=\"20\"/></workout></workout_file>",
            "all-out sprint",
            2,
        ),
        (
            "<workout_file><sportType>run</sportType><workout>\n<SteadyState Duration=\"600\" Power=\"0.7\" durationType=\"distance\"/></workout></workout_file>",
            "distance",
            2,
        ),
        (
            "<!DOCTYPE x [<!ENTITY a \"aaaa\">]><workout_file/>",
            "well-formed",
            1,
        ),
    ];
    for (text, says, line) in cases {
        let errors = import(text, "bad.zwo", &at_nine_minutes()).unwrap_err();
        assert!(errors[0].message.contains(says), "{text}: {}", errors[0]);
        assert_eq!(errors[0].line, line, "{text}: {}", errors[0]);
        assert!(errors[0].column >= 1);
    }
}

mod generated {
    use proptest::prelude::*;

    use super::*;

    /// A block's XML and its length in seconds.
    fn block() -> impl Strategy<Value = (String, f64)> {
        let seconds = 5u32..600;
        let power = 0.3f64..1.5;
        let texts = proptest::collection::vec((0.0f64..1.0, "[a-zA-Z ]{1,40}"), 0..3);
        (0u8..4, seconds.clone(), seconds, power.clone(), power, 1u32..5, texts).prop_map(
            |(kind, a, b, p, q, repeat, texts)| {
                let (open, length) = match kind {
                    0 => (format!("<SteadyState Duration=\"{a}\" Power=\"{p:.2}\""), f64::from(a)),
                    1 => (format!("<Ramp Duration=\"{a}\" PowerLow=\"{p:.2}\" PowerHigh=\"{q:.2}\""), f64::from(a)),
                    2 => (
                        format!(
                            "<IntervalsT Repeat=\"{repeat}\" OnDuration=\"{a}\" OffDuration=\"{b}\" OnPower=\"{p:.2}\" OffPower=\"{q:.2}\""
                        ),
                        f64::from(repeat * (a + b)),
                    ),
                    _ => (format!("<FreeRide Duration=\"{a}\""), f64::from(a)),
                };
                let events: String = texts
                    .iter()
                    .map(|(share, message)| {
                        let at = (share * length).floor().min(length - 1.0);
                        format!("<textevent timeoffset=\"{at}\" message=\"{}\"/>", message.trim())
                    })
                    .filter(|e| !e.contains("message=\"\""))
                    .collect();
                (format!("{open}>{events}</{}>", open[1..].split(' ').next().unwrap()), length)
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn the_import_lasts_the_workout_and_every_text_falls_in_its_step(
            blocks in proptest::collection::vec(block(), 1..8)
        ) {
            let xml = format!(
                "<workout_file><sportType>run</sportType><workout>{}</workout></workout_file>",
                blocks.iter().map(|b| b.0.as_str()).collect::<String>()
            );
            let workout_length: f64 = blocks.iter().map(|b| b.1).sum();
            let imported = import(&xml, "generated.zwo", &at_nine_minutes()).unwrap();
            // Parsing checks that every text cue lies inside its step.
            let program = crate::program::parse("g", "g.toml", imported.toml.as_bytes())
                .unwrap_or_else(|e| panic!("{}\n{}", e[0], imported.toml));
            prop_assert_eq!(program.total().as_secs_f64(), workout_length);
            let texts: usize = program.steps.iter().map(|s| s.texts.len()).sum();
            prop_assert_eq!(texts, xml.matches("<textevent").count());
            for step in &program.steps {
                prop_assert!(step.speed >= MIN_SPEED_KMH && step.speed <= DEFAULT_MAX_SPEED_KMH);
            }
        }
    }
}

/// Treadmill hill workouts give a slope and no power, and write single
/// steps as intervals with no off half (as Auuki's run workouts do).
#[test]
fn slopes_become_inclines_at_the_walkers_own_pace() {
    let hills = "<workout_file><sportType>run</sportType><workout>\n\
        <IntervalsT Repeat=\"1\" OnDuration=\"300\" OffDuration=\"0\" OnSlope=\"1\"/>\n\
        <IntervalsT Repeat=\"2\" OnDuration=\"30\" OffDuration=\"60\" OnSlope=\"4\" OffSlope=\"0\"/>\n\
        </workout></workout_file>";
    let imported = import(hills, "hills.zwo", &at_nine_minutes()).unwrap();
    let program = crate::program::parse("h", "h.toml", imported.toml.as_bytes()).unwrap();
    let inclines: Vec<f64> = program.steps.iter().map(|s| s.incline).collect();
    assert_eq!(inclines, [1.0, 4.0, 0.0, 4.0, 0.0]);
    assert!(
        program.steps.iter().all(|s| s.speed == 4.3),
        "65% of 6.67 km/h"
    );
    assert!(
        program.steps[0]
            .note
            .as_deref()
            .unwrap()
            .contains("Your own pace")
    );
    let steep = hills.replace("OnSlope=\"4\"", "OnSlope=\"40\"");
    let errors = import(&steep, "steep.zwo", &at_nine_minutes()).unwrap_err();
    assert!(
        errors[0].message.contains("OnSlope=\"40\""),
        "{}",
        errors[0]
    );
    assert_eq!(errors[0].line, 3);
}

#[test]
fn a_megabyte_of_blocks_or_of_nesting_is_refused_without_a_panic() {
    let block = "<SteadyState Duration=\"2\" Power=\"0.5\"/>";
    let many = format!(
        "<workout_file><sportType>run</sportType><workout>{}</workout></workout_file>",
        block.repeat(1_000_000 / block.len())
    );
    let errors = import(&many, "many.zwo", &at_nine_minutes()).unwrap_err();
    assert!(errors[0].message.contains("at least 5 s"), "{}", errors[0]);
    let deep = format!("{}{}", "<a>".repeat(300_000), "</a>".repeat(300_000));
    let errors = import(&deep, "deep.zwo", &at_nine_minutes()).unwrap_err();
    assert!(errors[0].message.contains("well-formed"), "{}", errors[0]);
}
