use std::collections::BTreeMap;
use std::time::Duration;

use super::*;
use crate::calendar::Date;
use crate::course::{Course, CourseSession, Rating};
use crate::program::{SourceFile, Units};
use crate::store::Entry;

fn date(text: &str) -> Date {
    text.parse().unwrap()
}

/// Noon UTC on `day`, in microseconds: the same local date in any zone
/// the tests run in (TZ is UTC here).
fn noon(day: &str) -> i64 {
    let d = date(day);
    let epoch = date("1970-01-01");
    (d.days_after(epoch) * 86_400 + 12 * 3600) * 1_000_000
}

fn entry(day: &str, minutes: f64, backward: f64, course_walk: Option<u32>) -> Entry {
    let session = noon(day);
    let iso = |micros: i64| {
        humantime::format_rfc3339_seconds(
            std::time::UNIX_EPOCH + Duration::from_micros(micros as u64),
        )
        .to_string()
    };
    let mut line = serde_json::json!({
        "program": "retro-builder", "program_name": "Backward builder",
        "start": iso(session), "end": iso(session + (minutes * 60e6) as i64),
        "steps_done": 6, "step_count": 6, "completed": true, "outcome": "finished",
        "walked": minutes * 60.0, "walked_backward": backward * 60.0,
        "top_backward_speed": 1.0, "units": "mph", "position": minutes * 60.0,
        "session": session, "heart_rate_average": 110, "heart_rate_max": 131,
        "minutes_above_limit": 1.5,
    });
    if let Some(walk) = course_walk {
        line["course"] = "knee".into();
        line["course_session"] = walk.into();
    }
    serde_json::from_value(line).unwrap()
}

fn course() -> Course {
    Course {
        id: "knee".into(),
        name: "Knee course".into(),
        description: "Three a week, a day between.".into(),
        sessions_per_week: 3,
        min_rest: Duration::from_secs(44 * 3600),
        sessions: vec![CourseSession {
            program: "retro-builder".into(),
            times: 20,
            note: Some("Hold the rails.".into()),
            program_span: 0..0,
            note_span: 0..0,
        }],
        source: SourceFile::new("knee.toml", ""),
    }
}

/// Two weeks from Monday 2026-11-02, a course followed since then:
/// three course walks in the first week (the third a day too soon),
/// one in the second, and one walk outside the course.
fn inputs() -> Inputs {
    let history = vec![
        entry("2026-11-02", 30.0, 10.0, Some(0)),
        entry("2026-11-04", 30.0, 12.0, Some(1)),
        entry("2026-11-05", 20.0, 8.0, Some(2)),
        entry("2026-11-10", 25.0, 10.0, Some(3)),
        entry("2026-11-12", 15.0, 0.0, None),
    ];
    let rests = rests(&history);
    let ratings = BTreeMap::from([
        (history[0].session, Rating::TooHard),
        (history[1].session, Rating::Right),
        (history[4].session, Rating::TooEasy),
    ]);
    let walks = history
        .into_iter()
        .map(|entry| Walk {
            rating: ratings
                .get(&entry.session)
                .copied()
                .filter(|_| entry.counting.course.is_some()),
            rest_before: rests.get(&entry.session).copied(),
            record: RecordSummary {
                backward_kmh_average: Some(1.5),
                incline_average: Some(2.0),
                incline_max: Some(4.0),
            },
            entry,
        })
        .collect();
    Inputs {
        since: date("2026-11-02"),
        until: date("2026-11-15"),
        made: "2026-11-16 08:00".into(),
        walker: "Anna".into(),
        units: Units::Kmh,
        heart_limit: Some(125),
        walks,
        courses: BTreeMap::from([("knee".to_string(), course())]),
        enrolled: Some(("knee".into(), date("2026-11-02"))),
        programs: BTreeMap::from([(
            "retro-builder".to_string(),
            (
                "Backward builder".to_string(),
                "Builds backward time.".to_string(),
            ),
        )]),
    }
}

#[test]
fn weeks_count_prescribed_walked_and_minutes_each_way() {
    let report = Report::build(&inputs());
    assert_eq!(report.weeks.len(), 2);
    let (first, second) = (&report.weeks[0], &report.weeks[1]);
    assert_eq!(
        (first.prescribed, first.sessions, first.course_walks),
        (Some(3), 3, 3)
    );
    assert_eq!(
        (second.prescribed, second.sessions, second.course_walks),
        (Some(3), 2, 1)
    );
    assert_eq!(first.rest_broken, 1, "11-05 came a day after 11-04");
    assert_eq!(
        (first.backward_minutes, first.forward_minutes),
        (30.0, 50.0)
    );
    let t = &report.totals;
    assert_eq!((t.prescribed, t.walked_as_prescribed), (6, 4));
    assert_eq!((t.rest_kept, t.rest_broken), (2, 1));
    assert_eq!(
        t.ratings,
        [1, 1, 0, 2],
        "the walk outside the course is not rated"
    );
    assert_eq!(t.minutes_above_limit, 7.5);
    assert_eq!(t.adherence().map(f64::round), Some(67.0));
}

#[test]
fn speeds_are_shown_in_the_reports_units() {
    let report = Report::build(&inputs());
    let first = &report.sessions[0];
    assert!((first.top_backward_speed.unwrap() - 1.609_344).abs() < 1e-9);
    assert_eq!(first.average_backward_speed, Some(1.5));
    assert_eq!(first.course_walk, Some((1, "too-hard")));
    assert_eq!(report.sessions[4].course_walk, None);
}

#[test]
fn a_course_joined_midweek_asks_for_its_share_of_that_week() {
    let mut inputs = inputs();
    inputs.walks.clear();
    inputs.enrolled = Some(("knee".into(), date("2026-11-06")));
    let report = Report::build(&inputs);
    let asked: Vec<Option<u32>> = report.weeks.iter().map(|w| w.prescribed).collect();
    assert_eq!(
        asked,
        [Some(1), Some(3)],
        "Friday to Sunday is 3/7 of a week"
    );
}

#[test]
fn notes_name_the_course_its_walks_and_the_programs_once() {
    let report = Report::build(&inputs());
    let titles: Vec<&str> = report.notes.iter().map(|n| n.title.as_str()).collect();
    assert_eq!(
        titles,
        ["Knee course", "Knee course, walk 1", "Backward builder"],
        "one note per course session text, not per walk"
    );
}

#[test]
fn the_pdf_and_the_page_carry_the_figures() {
    let report = Report::build(&inputs());
    let pdf = report.pdf().unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let page = report.html().unwrap();
    for figure in [
        "Course walks as prescribed: 4 of 6 (67%)",
        "<svg",
        "2026-11-09",
    ] {
        assert!(page.contains(figure), "{figure} missing");
    }
    let _ = std::fs::write(std::env::temp_dir().join("treadcue-report-unit.pdf"), &pdf);
}

#[test]
fn an_empty_period_still_makes_a_report() {
    let mut inputs = inputs();
    inputs.walks.clear();
    inputs.enrolled = None;
    let report = Report::build(&inputs);
    assert_eq!(report.totals.sessions, 0);
    assert!(report.pdf().is_ok());
    assert!(report.html().unwrap().contains("no course was followed"));
}

#[test]
fn any_program_name_makes_a_pdf_and_a_safe_page() {
    let mut inputs = inputs();
    let name = "Knee (left \\ <b>&\"é€ 中文\u{1}".to_string() + &"x".repeat(500);
    inputs.walks[0].entry.program_name = name;
    let report = Report::build(&inputs);
    let pdf = report.pdf().unwrap();
    assert!(pdf.ends_with(b"%%EOF\n") || pdf.ends_with(b"%%EOF"));
    let page = report.html().unwrap();
    assert!(page.contains("Knee (left \\ &lt;b&gt;&amp;&quot;é€ 中文"));
    assert!(!page.contains("<b>"));
}
