//! Which walk of a course comes next, and when: a pure function of the
//! walks recorded (each done or not, and how it was rated) and the clock.
//!
//! | what happened | what comes next |
//! | --- | --- |
//! | done, rated right | the next walk, or the next session once its `times` are used up |
//! | done, not rated | as rated right: the walk is done, and an unrated walk is shown unrated |
//! | done, rated too easy | the next session, skipping this one's remaining `times` |
//! | done, rated too hard | the same session again |
//! | too hard twice in a row | one session back |
//! | not done | the same session again |
//! | no session for more than 14 days | the previous session first, to ease back in |

use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use super::{Course, CourseWalk};

/// A break longer than this eases the walker back in.
pub const LONG_BREAK: Duration = Duration::from_secs(14 * 24 * 3600);

/// How a walk felt, as the walker rates it afterwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rating {
    TooHard,
    Right,
    TooEasy,
}

impl Rating {
    pub const NAMES: [&'static str; 3] = ["too-hard", "right", "too-easy"];

    pub fn as_str(self) -> &'static str {
        match self {
            Rating::TooHard => "too-hard",
            Rating::Right => "right",
            Rating::TooEasy => "too-easy",
        }
    }

    /// A walk's rating as shown: "unrated" when none was given.
    pub fn shown(rating: Option<Rating>) -> &'static str {
        rating.map_or("unrated", Rating::as_str)
    }
}

impl std::str::FromStr for Rating {
    type Err = String;

    fn from_str(text: &str) -> Result<Rating, String> {
        match text {
            "too-hard" => Ok(Rating::TooHard),
            "right" => Ok(Rating::Right),
            "too-easy" => Ok(Rating::TooEasy),
            other => Err(format!(
                "{other:?} is not a rating: say too-hard, right or too-easy"
            )),
        }
    }
}

/// One walk of the course as it ended.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WalkRecord {
    pub walk: CourseWalk,
    /// Reached its end with no backward step skipped.
    pub done: bool,
    /// `None` until the walker rates it; it then counts as right.
    pub rating: Option<Rating>,
    pub ended_at: SystemTime,
}

/// Why the next walk is the one it is: what the walker is told first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Because {
    /// The first walk, or the course went on.
    #[default]
    Onward,
    /// The last walk was not walked to its end: it comes again.
    NotDone,
    /// The last walk was too hard: it comes again.
    TooHard,
    /// Two walks in a row were too hard: a session back.
    SteppedBack,
}

/// What comes next.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Next {
    pub walk: CourseWalk,
    /// When it is due; `None` when it is due now.
    pub due_at: Option<SystemTime>,
    /// Every walk of the course is done.
    pub complete: bool,
    pub because: Because,
}

impl Next {
    /// An easier walk after a long break.
    pub fn is_easing_back(&self) -> bool {
        self.walk.eased_from.is_some()
    }
}

/// The walk to do next, after `records` (oldest first), at `now`.
pub fn next_walk(course: &Course, records: &[WalkRecord], now: SystemTime) -> Next {
    let mut at = CourseWalk {
        walk: 0,
        eased_from: None,
    };
    let mut too_hard_in_a_row = 0;
    let mut because = Because::Onward;
    for record in records {
        too_hard_in_a_row = if record.rating == Some(Rating::TooHard) {
            too_hard_in_a_row + 1
        } else {
            0
        };
        at = after(course, record, too_hard_in_a_row);
        because = match (too_hard_in_a_row, record.done, record.rating) {
            (2.., _, _) => Because::SteppedBack,
            (_, false, _) => Because::NotDone,
            (_, true, Some(Rating::TooHard)) => Because::TooHard,
            _ => Because::Onward,
        };
        if too_hard_in_a_row >= 2 {
            // Stepped back: the next too-hard counts afresh.
            too_hard_in_a_row = 0;
        }
    }
    let last = records.last();
    let away = last.and_then(|r| now.duration_since(r.ended_at).ok());
    if away.is_some_and(|away| away > LONG_BREAK) && at.eased_from.is_none() {
        at = eased_back(course, at);
    }
    let last_done = records.iter().rev().find(|r| r.done);
    let due_at = last_done
        .map(|r| r.ended_at + course.min_rest)
        .filter(|due| *due > now);
    Next {
        walk: at,
        due_at,
        complete: at.walk >= course.walks(),
        because,
    }
}

/// Where one recorded walk leaves the course.
fn after(course: &Course, record: &WalkRecord, too_hard_in_a_row: u32) -> CourseWalk {
    let played = record.walk;
    if too_hard_in_a_row >= 2 {
        let session = course.session_of(played.walk);
        let walk = course.first_walk_of(session.saturating_sub(1));
        return CourseWalk {
            walk,
            eased_from: None,
        };
    }
    if !record.done || record.rating == Some(Rating::TooHard) {
        return played;
    }
    let onward = match (played.eased_from, record.rating) {
        // The easier walk is behind: back to where the walker was.
        (Some(was), _) => was,
        (None, Some(Rating::TooEasy)) => course.first_walk_of(course.session_of(played.walk) + 1),
        (None, _) => played.walk + 1,
    };
    CourseWalk {
        walk: onward.min(course.walks()),
        eased_from: None,
    }
}

/// The first walk of the session before `at`'s, remembering `at`.
fn eased_back(course: &Course, at: CourseWalk) -> CourseWalk {
    let session = course.session_of(at.walk.min(course.walks().saturating_sub(1)));
    if session == 0 || at.walk >= course.walks() {
        return at;
    }
    CourseWalk {
        walk: course.first_walk_of(session - 1),
        eased_from: Some(at.walk),
    }
}
