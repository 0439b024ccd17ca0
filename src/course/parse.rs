//! Reads a course file: every key spanned, so each error names the line
//! and column, and an unknown key gets a did-you-mean as in programs.

use std::ops::Range;
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::{Course, CourseSession, DEFAULT_MIN_REST};
use crate::program::catalog::is_program_id;
use crate::program::limits::{MAX_DESCRIPTION_CHARS, MAX_NAME_CHARS, MAX_TEXT_CHARS};
use crate::program::raw::RawDuration;
use crate::program::{Diagnostic, Severity, SourceFile, checked_text, file_text};

/// Most sessions a course may list, counting `times`: four years at
/// seven a week would still fit.
pub const MAX_WALKS: u32 = 1500;
/// Most times one session may be walked before moving on.
pub const MAX_TIMES: i64 = 30;
/// Longest rest a course may ask for between sessions.
pub const MAX_MIN_REST: Duration = Duration::from_secs(7 * 24 * 3600);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCourse {
    name: Option<Spanned<String>>,
    description: Option<Spanned<String>>,
    sessions_per_week: Option<Spanned<i64>>,
    min_rest: Option<Spanned<RawDuration>>,
    sessions: Option<Spanned<Vec<Spanned<RawSession>>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSession {
    program: Option<Spanned<String>>,
    times: Option<Spanned<i64>>,
    note: Option<Spanned<String>>,
}

/// Parses and validates a course file's bytes. Its programs are checked
/// separately ([`super::check_programs`]): they live in a catalog.
pub fn parse(id: &str, file: &str, bytes: &[u8]) -> Result<Course, Vec<Diagnostic>> {
    let text = file_text(file, bytes, "course", "`sessions`")?;
    let source = SourceFile::new(file, text);
    let raw: RawCourse = toml::from_str(text).map_err(|e| vec![source.toml_error(&e)])?;
    let mut reader = Reader {
        source,
        errors: Vec::new(),
    };
    match reader.course(id, raw) {
        Some(course) if reader.errors.is_empty() => Ok(course),
        _ => Err(reader.errors),
    }
}

struct Reader {
    source: Arc<SourceFile>,
    errors: Vec<Diagnostic>,
}

impl Reader {
    fn error(&mut self, span: Range<usize>, message: impl Into<String>) {
        self.errors.push(self.source.error(span, message));
    }

    fn whole(&mut self, message: &str) {
        self.errors.push(Diagnostic::whole_file(
            Severity::Error,
            &self.source.name,
            message,
        ));
    }

    fn course(&mut self, id: &str, raw: RawCourse) -> Option<Course> {
        let name = match &raw.name {
            Some(name) => self.text(name, "the course's name", MAX_NAME_CHARS),
            None => {
                self.whole("the course has no `name`: add a line like name = \"Backward walking from zero\"");
                None
            }
        };
        let description = raw
            .description
            .as_ref()
            .and_then(|d| self.text(d, "the description", MAX_DESCRIPTION_CHARS))
            .unwrap_or_default();
        let sessions_per_week = self.per_week(raw.sessions_per_week.as_ref());
        let min_rest = raw
            .min_rest
            .as_ref()
            .map_or(Some(DEFAULT_MIN_REST), |r| self.rest(r));
        let sessions = self.sessions(raw.sessions.as_ref());
        Some(Course {
            id: id.to_string(),
            name: name?,
            description,
            sessions_per_week: sessions_per_week?,
            min_rest: min_rest?,
            sessions: sessions?,
            source: self.source.clone(),
        })
    }

    fn per_week(&mut self, raw: Option<&Spanned<i64>>) -> Option<u32> {
        let Some(raw) = raw else {
            self.whole(
                "the course has no `sessions_per_week`: add a line like sessions_per_week = 3",
            );
            return None;
        };
        match *raw.get_ref() {
            n @ 1..=7 => Some(n as u32),
            n => {
                self.error(
                    raw.span(),
                    format!("sessions_per_week is {n}; it must be 1 to 7"),
                );
                None
            }
        }
    }

    fn rest(&mut self, raw: &Spanned<RawDuration>) -> Option<Duration> {
        let parsed = match raw.get_ref() {
            RawDuration::Text(text) => humantime::parse_duration(text.trim()).ok(),
            RawDuration::Seconds(secs) if *secs >= 0.0 => Duration::try_from_secs_f64(*secs).ok(),
            RawDuration::Seconds(_) => None,
        };
        match parsed {
            Some(rest) if rest <= MAX_MIN_REST => Some(rest),
            Some(_) => {
                self.error(raw.span(), "min_rest is longer than a week");
                None
            }
            None => {
                self.error(
                    raw.span(),
                    "min_rest is not a duration: write it like \"20h\", \"1d\" or \"90m\"",
                );
                None
            }
        }
    }

    fn sessions(
        &mut self,
        raw: Option<&Spanned<Vec<Spanned<RawSession>>>>,
    ) -> Option<Vec<CourseSession>> {
        let Some(raw) = raw.filter(|r| !r.get_ref().is_empty()) else {
            self.whole(
                "the course has no sessions: add [[sessions]] tables, each with a `program`",
            );
            return None;
        };
        let sessions: Vec<Option<CourseSession>> = raw
            .get_ref()
            .iter()
            .enumerate()
            .map(|(i, s)| self.session(i, s))
            .collect();
        let sessions: Option<Vec<CourseSession>> = sessions.into_iter().collect();
        let walks: u32 = sessions.as_ref()?.iter().map(|s| s.times).sum();
        if walks > MAX_WALKS {
            self.error(
                raw.span(),
                format!("the course has {walks} sessions counting `times`; at most {MAX_WALKS} are allowed"),
            );
            return None;
        }
        sessions
    }

    fn session(&mut self, index: usize, raw: &Spanned<RawSession>) -> Option<CourseSession> {
        let number = index + 1;
        let session = raw.get_ref();
        let Some(program) = &session.program else {
            self.error(raw.span(), format!("session {number} names no `program`"));
            return None;
        };
        if !is_program_id(program.get_ref()) {
            self.error(
                program.span(),
                format!(
                    "session {number}: `{}` is not a program name (letters, digits, - and _)",
                    program.get_ref()
                ),
            );
            return None;
        }
        let times = match session.times.as_ref().map(|t| (*t.get_ref(), t.span())) {
            None => Some(1),
            Some((n @ 1..=MAX_TIMES, _)) => Some(n as u32),
            Some((n, span)) => {
                self.error(
                    span,
                    format!("session {number}: times is {n}; it must be 1 to {MAX_TIMES}"),
                );
                None
            }
        };
        let note = match &session.note {
            Some(note) => {
                Some(self.text(note, &format!("session {number}'s note"), MAX_TEXT_CHARS)?)
            }
            None => None,
        };
        Some(CourseSession {
            program: program.get_ref().clone(),
            times: times?,
            note,
            program_span: program.span(),
            note_span: session.note.as_ref().map_or(0..0, Spanned::span),
        })
    }

    fn text(&mut self, raw: &Spanned<String>, what: &str, max_chars: usize) -> Option<String> {
        checked_text(raw.get_ref(), what, max_chars)
            .map_err(|message| self.error(raw.span(), message))
            .ok()
    }
}
