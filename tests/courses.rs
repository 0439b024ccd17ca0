//! Course files as a user writes them, checked and planned with
//! `treadcued check` and `treadcued plan`; and the built-in courses.

use std::path::Path;
use std::process::{Command, Output};

use treadcue::course::BUILT_IN_COURSES;

fn treadcued(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_treadcued"))
        .args(args)
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .output()
        .expect("treadcued runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// A course file's text with `sessions` after a valid head.
fn course(sessions: &str) -> String {
    format!("name = \"Mine\"\nsessions_per_week = 3\n{sessions}")
}

#[test]
fn every_built_in_course_passes_check_by_file_and_by_name() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/courses");
    let out = treadcued(&["check", "--strict", dir.to_str().unwrap()]);
    let said = stdout(&out);
    assert!(out.status.success(), "{said}");
    assert_eq!(
        said.matches(": ok (course:").count(),
        BUILT_IN_COURSES.len(),
        "{said}"
    );
    assert!(BUILT_IN_COURSES.len() >= 4);
    for course in BUILT_IN_COURSES {
        let out = treadcued(&["check", course.id]);
        assert!(out.status.success(), "{}", stdout(&out));
    }
}

#[test]
fn every_session_of_every_built_in_course_passes_check_strict() {
    for built_in in BUILT_IN_COURSES {
        let course =
            treadcue::course::parse(built_in.id, built_in.id, built_in.text.as_bytes()).unwrap();
        for session in &course.sessions {
            let out = treadcued(&["check", "--strict", &session.program]);
            assert!(out.status.success(), "{}: {}", built_in.id, stdout(&out));
        }
        if built_in.id != "from-zero" {
            assert!(
                course.description.contains("et al."),
                "{} cites its study in its description",
                built_in.id
            );
        }
    }
}

#[test]
fn the_published_protocols_are_what_the_courses_walk() {
    let stroke = treadcue::course::parse(
        "stroke-rehab",
        "stroke-rehab",
        BUILT_IN_COURSES
            .iter()
            .find(|c| c.id == "stroke-rehab")
            .unwrap()
            .text
            .as_bytes(),
    )
    .unwrap();
    assert_eq!(
        (stroke.walks(), stroke.sessions_per_week),
        (12, 3),
        "4 weeks, 3 a week"
    );
    assert!(stroke.description.contains("clinician"));
    let knee = treadcue::course::parse(
        "knee-oa",
        "knee-oa",
        BUILT_IN_COURSES
            .iter()
            .find(|c| c.id == "knee-oa")
            .unwrap()
            .text
            .as_bytes(),
    )
    .unwrap();
    assert_eq!(
        (knee.walks(), knee.sessions_per_week),
        (18, 3),
        "6 weeks, 3 a week"
    );
    let plan = stdout(&treadcued(&["plan", "knee-oa-10", "--json"]));
    let plan: serde_json::Value = serde_json::from_str(&plan).unwrap();
    let backward: f64 = plan["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["direction"] == "backward")
        .map(|s| s["length"].as_f64().unwrap() / plan["sample_rate"].as_f64().unwrap())
        .sum();
    assert_eq!(backward, 600.0, "ten minutes backward");
}

#[test]
fn errors_name_the_line_and_column_and_suggest_keys() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "name = \"Mine\"\nsession_per_week = 3\n",
            "2:1: error: unknown key `session_per_week`",
            Some("did you mean `sessions_per_week`?"),
        ),
        (
            &course("[[sessions]]\nprogram = \"demo\"\ntimes = 0\n") as &str,
            "5:9: error: session 1: times is 0; it must be 1 to 30",
            None,
        ),
        (
            "name = \"Mine\"\nsessions_per_week = 9\n[[sessions]]\nprogram = \"demo\"\n",
            "2:21: error: sessions_per_week is 9; it must be 1 to 7",
            None,
        ),
        (
            &course("min_rest = \"soon\"\n[[sessions]]\nprogram = \"demo\"\n"),
            "3:12: error: min_rest is not a duration",
            None,
        ),
        (
            &course("[[sessions]]\nprogrm = \"demo\"\n"),
            "4:1: error: unknown key `progrm`",
            Some("did you mean `program`?"),
        ),
        (
            "name = \"Mine\"\nsessions_per_week = 3\n",
            "error: the course has no sessions",
            None,
        ),
    ];
    for (i, (text, error, help)) in cases.iter().enumerate() {
        let file = write(dir.path(), &format!("c{i}.toml"), text);
        let out = treadcued(&["check", &file]);
        let said = stdout(&out);
        assert_eq!(out.status.code(), Some(1), "{said}");
        assert!(
            said.contains(&format!("{file}:{error}")) || said.contains(error),
            "{error}\n{said}"
        );
        if let Some(help) = help {
            assert!(said.contains(help), "{said}");
        }
    }
}

#[test]
fn a_missing_or_unsafe_program_is_an_error_naming_the_session() {
    let dir = tempfile::tempdir().unwrap();
    let programs = dir.path().join("programs");
    std::fs::create_dir(&programs).unwrap();
    write(
        &programs,
        "straight-back.toml",
        "name = \"Straight back\"\n[[steps]]\ndirection = \"backward\"\nduration = \"2m\"\nspeed = 0.8\n",
    );
    let file = write(
        dir.path(),
        "mine.toml",
        &course(
            "[[sessions]]\nprogram = \"demo\"\n\
             [[sessions]]\nprogram = \"zero-w9\"\n\
             [[sessions]]\nprogram = \"straight-back\"\n",
        ),
    );
    let out = treadcued(&["check", "--programs", programs.to_str().unwrap(), &file]);
    let said = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains(&format!(
            "{file}:6:11: error: session 2: there is no program `zero-w9`"
        )),
        "{said}"
    );
    assert!(said.contains("did you mean `zero-w1`?"), "{said}");
    assert!(
        said.contains(&format!(
            "{file}:8:11: error: session 3: the program `straight-back` fails the safety checks: \
             the program starts walking backward with no forward warm-up"
        )),
        "{said}"
    );
    assert!(said.contains(&format!("{file}: 2 error(s)")), "{said}");
}

#[test]
fn plan_lists_the_sessions_with_their_dates_if_begun_today() {
    let out = treadcued(&["plan", "from-zero"]);
    let said = stdout(&out);
    assert!(out.status.success(), "{said}");
    let rows: Vec<&str> = said
        .lines()
        .filter(|l| l.trim_start().starts_with(char::is_numeric))
        .collect();
    assert_eq!(rows.len(), 18, "{said}");
    let today = treadcue::calendar::local(std::time::SystemTime::now())
        .unwrap()
        .date
        .to_string();
    assert!(
        rows[0].contains(&today) && rows[0].contains("zero-w1"),
        "{said}"
    );
    assert!(rows[17].contains("zero-w6"), "{said}");
    let weeks: Vec<&str> = rows
        .iter()
        .map(|r| r.split_whitespace().nth(2).unwrap())
        .collect();
    assert_eq!(weeks[2], "1");
    assert_eq!(
        weeks[3], "2",
        "three a week: the fourth walk is in week two"
    );
}
