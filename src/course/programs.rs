//! A course's programs must exist and pass the safety checks: a walker
//! led through weeks by a course is not shown a warning and left to judge.

use super::Course;
use crate::program::catalog::{Catalog, LoadError};
use crate::program::suggest::nearest;
use crate::program::{Diagnostic, SafetyOptions, safety_warnings};

/// An error for each session whose program is missing, broken or unsafe,
/// at the place the file names it.
pub fn check_programs(
    course: &Course,
    catalog: &Catalog,
    options: &SafetyOptions,
) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    for (index, session) in course.sessions.iter().enumerate() {
        let number = index + 1;
        let span = session.program_span.clone();
        let id = &session.program;
        match catalog.load(id) {
            Ok(program) => {
                if let Some(warning) = safety_warnings(&program, options).first() {
                    errors.push(course.source.error(
                        span,
                        format!(
                            "session {number}: the program `{id}` fails the safety checks: {}",
                            warning.message
                        ),
                    ));
                }
            }
            Err(LoadError::NotFound { known, .. }) => {
                let known: Vec<&str> = known.iter().map(String::as_str).collect();
                let mut error = course.source.error(
                    span,
                    format!("session {number}: there is no program `{id}`"),
                );
                if let Some(near) = nearest(id, &known) {
                    error = error.with_help(format!("did you mean `{near}`?"));
                }
                errors.push(error);
            }
            Err(LoadError::Invalid(problems)) => {
                let first = problems
                    .first()
                    .map_or(String::new(), |p| p.message.clone());
                errors.push(course.source.error(
                    span,
                    format!("session {number}: the program `{id}` is broken: {first}"),
                ));
            }
        }
    }
    errors
}
