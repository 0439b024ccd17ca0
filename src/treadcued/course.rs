//! `treadcued check` and `plan` for courses: a course file is checked
//! like a program (and its programs with it), and planned as the list of
//! its sessions with their dates if begun today.

use std::path::Path;
use std::time::{Duration, SystemTime};

use crate::calendar::local;
use crate::config::Config;
use crate::course::catalog::{is_course_file, load_file};
use crate::course::{Course, CourseLoadError, check_programs};
use crate::program::{Diagnostic, SafetyOptions, clock};

/// Whether a command-line argument names a course: a course file, or the
/// name of a course that is not also a program's.
pub fn is_course(arg: &str, config: &Config) -> bool {
    if crate::program::catalog::looks_like_path(arg) {
        return is_course_file(Path::new(arg));
    }
    config.catalog().load(arg).is_err() && config.course_catalog().ids().iter().any(|id| id == arg)
}

/// Loads a course file or course name.
pub fn load(arg: &str, config: &Config) -> Result<Course, Vec<Diagnostic>> {
    if crate::program::catalog::looks_like_path(arg) {
        return load_file(Path::new(arg));
    }
    config.course_catalog().load(arg).map_err(|e| match e {
        CourseLoadError::Invalid(errors) => errors,
        not_found => vec![Diagnostic::whole_file(
            crate::program::Severity::Error,
            arg,
            not_found.to_string(),
        )],
    })
}

/// Prints what is wrong with a course; true when it can be followed.
pub fn check(arg: &str, config: &Config) -> bool {
    let course = match load(arg, config) {
        Ok(course) => course,
        Err(errors) => return print_errors(arg, &errors),
    };
    let options = SafetyOptions {
        cues: config.cues.clone(),
        ..SafetyOptions::default()
    };
    let mut errors = check_programs(&course, &config.catalog(), &options);
    errors.extend(unsayable_notes(&course, config));
    if !errors.is_empty() {
        return print_errors(arg, &errors);
    }
    let weeks = course.week_of(course.walks().saturating_sub(1));
    println!(
        "{arg}: ok (course: {} sessions over {weeks} week{}, {} a week)",
        course.walks(),
        if weeks == 1 { "" } else { "s" },
        course.sessions_per_week
    );
    true
}

fn print_errors(arg: &str, errors: &[Diagnostic]) -> bool {
    for error in errors {
        println!("{error}\n");
    }
    println!("{arg}: {} error(s)", errors.len());
    false
}

/// A note the configured voice cannot say is an error, as in programs.
fn unsayable_notes(course: &Course, config: &Config) -> Vec<Diagnostic> {
    let Ok(voice) = config.build_voice() else {
        return Vec::new();
    };
    course
        .sessions
        .iter()
        .enumerate()
        .filter_map(|(index, session)| {
            let note = session.note.as_ref()?;
            let missing = voice.missing_words(note);
            if missing.is_empty() {
                return None;
            }
            let words: Vec<String> = missing.iter().map(|w| format!("`{w}`")).collect();
            Some(
                course
                    .source
                    .error(
                        session.note_span.clone(),
                        format!(
                            "session {}: the voice cannot say {} in \"{note}\"",
                            index + 1,
                            words.join(", ")
                        ),
                    )
                    .with_help("install espeak-ng (`sudo apt install espeak-ng`) to speak what the bundled voice lacks, or reword it"),
            )
        })
        .collect()
}

/// Prints the course's sessions with their dates if begun today.
pub fn plan(arg: &str, config: &Config) -> bool {
    let course = match load(arg, config) {
        Ok(course) => course,
        Err(errors) => return print_errors(arg, &errors),
    };
    println!(
        "{} ({}): {} sessions, {} a week, at least {} between them\n",
        course.name,
        course.id,
        course.walks(),
        course.sessions_per_week,
        humantime::format_duration(course.min_rest)
    );
    println!(
        "{:>4}  {:<10}  {:<4}  {:<8}  program",
        "", "date", "week", "length"
    );
    let catalog = config.catalog();
    let today = SystemTime::now();
    for walk in 0..course.walks() {
        let session = &course.sessions[course.session_of(walk)];
        let day = today + Duration::from_secs(u64::from(course.day_of(walk)) * 86_400);
        let date = local(day).map_or_else(String::new, |t| t.date.to_string());
        let length = catalog
            .load(&session.program)
            .map_or_else(|_| "?".into(), |p| clock(p.total()));
        println!(
            "{:>4}  {date:<10}  {:<4}  {length:<8}  {}",
            walk + 1,
            course.week_of(walk),
            session.program
        );
    }
    true
}
