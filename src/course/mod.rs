//! Courses: an ordered list of sessions (programs) walked over weeks, and
//! the rules that say which one is next. All of it is pure: the files are
//! read by [`catalog`], the progress is a function of the walks recorded
//! and a clock ([`progress`]), and what is kept lives in the store.

pub mod catalog;
mod parse;
mod programs;
pub mod progress;

use std::ops::Range;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::program::SourceFile;

pub use catalog::{BUILT_IN_COURSES, CourseCatalog, CourseLoadError};
pub use parse::parse;
pub use programs::check_programs;
pub use progress::{Because, Next, Rating, WalkRecord, next_walk};

/// The keys that make a TOML file a course rather than a program.
pub const COURSE_KEYS: &[&str] = &["sessions", "sessions_per_week", "min_rest"];

/// Time from the end of a done session to the next being due, unless the
/// course says otherwise.
pub const DEFAULT_MIN_REST: Duration = Duration::from_secs(20 * 3600);

/// The walker's course as clients see it: empty with no course.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CourseStatus {
    pub id: String,
    pub name: String,
    /// The next walk, from 0, counting each session's `times`.
    pub session: u32,
    /// Walks in the whole course.
    pub sessions: u32,
    /// When the next walk is due, in microseconds since the Unix epoch;
    /// 0 when it is due now (or there is no course).
    pub next_due: i64,
    /// How the walk that ended last was rated: "unrated", "too-hard",
    /// "right" or "too-easy"; empty before the first walk.
    pub last_rating: String,
}

/// A validated course.
#[derive(Debug, Clone)]
pub struct Course {
    pub id: String,
    pub name: String,
    pub description: String,
    pub sessions_per_week: u32,
    pub min_rest: Duration,
    pub sessions: Vec<CourseSession>,
    pub source: Arc<SourceFile>,
}

/// One session of a course: a program walked `times` times.
#[derive(Debug, Clone)]
pub struct CourseSession {
    pub program: String,
    pub times: u32,
    pub note: Option<String>,
    /// Where the program is named in the file, for errors about it.
    pub program_span: Range<usize>,
    /// Where the note is, likewise.
    pub note_span: Range<usize>,
}

/// A walk of a course being played: which one (from 0, counting each
/// session's `times`), and, for a walk that eases back after a long
/// break, the walk the course goes on with once it is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CourseWalk {
    pub walk: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eased_from: Option<u32>,
}

impl Course {
    /// Walks in the whole course: each session counted `times` times.
    pub fn walks(&self) -> u32 {
        self.sessions.iter().map(|s| s.times).sum()
    }

    /// The session (from 0) that walk `walk` belongs to; the last for a
    /// walk past the end.
    pub fn session_of(&self, walk: u32) -> usize {
        let mut first = 0;
        for (index, session) in self.sessions.iter().enumerate() {
            first += session.times;
            if walk < first {
                return index;
            }
        }
        self.sessions.len().saturating_sub(1)
    }

    /// The first walk of session `index`; the end of the course past the
    /// last session.
    pub fn first_walk_of(&self, index: usize) -> u32 {
        self.sessions.iter().take(index).map(|s| s.times).sum()
    }

    /// The session's walk `walk` is, if the course has it.
    pub fn session_for(&self, walk: u32) -> Option<&CourseSession> {
        (walk < self.walks()).then(|| &self.sessions[self.session_of(walk)])
    }

    /// The week (from 1) walk `walk` falls in, at the course's pace.
    pub fn week_of(&self, walk: u32) -> u32 {
        walk / self.sessions_per_week.max(1) + 1
    }

    /// Days from the first walk to walk `walk`, at the course's pace:
    /// three a week fall on days 0, 2 and 4 of each week.
    pub fn day_of(&self, walk: u32) -> u32 {
        let per_week = self.sessions_per_week.max(1);
        (walk / per_week) * 7 + (walk % per_week) * 7 / per_week
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn course(times: &[u32]) -> Course {
        Course {
            id: "c".into(),
            name: "C".into(),
            description: String::new(),
            sessions_per_week: 3,
            min_rest: DEFAULT_MIN_REST,
            sessions: times
                .iter()
                .map(|t| CourseSession {
                    program: "demo".into(),
                    times: *t,
                    note: None,
                    program_span: 0..0,
                    note_span: 0..0,
                })
                .collect(),
            source: SourceFile::new("c.toml", ""),
        }
    }

    #[test]
    fn walks_count_each_sessions_times() {
        let c = course(&[3, 1, 2]);
        assert_eq!(c.walks(), 6);
        let sessions: Vec<usize> = (0..6).map(|w| c.session_of(w)).collect();
        assert_eq!(sessions, [0, 0, 0, 1, 2, 2]);
        assert_eq!(
            (c.first_walk_of(0), c.first_walk_of(1), c.first_walk_of(2)),
            (0, 3, 4)
        );
        assert_eq!(c.first_walk_of(3), 6);
    }

    #[test]
    fn three_a_week_fall_on_every_other_day() {
        let c = course(&[9]);
        let days: Vec<u32> = (0..6).map(|w| c.day_of(w)).collect();
        assert_eq!(days, [0, 2, 4, 7, 9, 11]);
        assert_eq!((c.week_of(2), c.week_of(3)), (1, 2));
    }
}
