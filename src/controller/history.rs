//! The history as clients see it: one row per session, with the course
//! walk it was and its rating joined by the session itself (never by a
//! start time written to the second), the same row for the web API,
//! D-Bus and `treadcuectl`; a page of it at a time; and the minutes
//! walked week by week.

use std::time::SystemTime;

use serde_json::{Map, Value, json};

use super::{ControlError, Controller};
use crate::calendar::{Date, week_of};
use crate::course::Rating;
use crate::session::from_micros;
use crate::store::Entry;

/// Most sessions in one page of the history.
pub const HISTORY_PAGE_MAX: usize = 1000;

/// The most weeks `weekly_minutes` lists: ten years.
const MAX_WEEKS: i64 = 520;

/// Every field of a history row, in the order the row gives them: the
/// one list of names the web API's JSON, D-Bus `HistoryRecords` and
/// `treadcuectl history --json` share.
pub const HISTORY_FIELDS: [&str; 21] = [
    "program",
    "program_name",
    "start",
    "end",
    "steps_done",
    "step_count",
    "completed",
    "outcome",
    "walked",
    "walked_backward",
    "top_backward_speed",
    "units",
    "course",
    "course_session",
    "rating",
    "distance_m",
    "heart_rate_average",
    "heart_rate_max",
    "minutes_above_limit",
    "program_distance_m",
    "session",
];

/// A course walk as the history shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct CourseWalk {
    pub course: String,
    /// From 0, counting the course's `times`.
    pub session: u32,
    /// "right", "too-hard", "too-easy" or "unrated".
    pub rating: String,
}

/// One session of the history, with the course walk it was.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryRow {
    pub entry: Entry,
    pub course: Option<CourseWalk>,
}

impl HistoryRow {
    /// The row by [`HISTORY_FIELDS`]; a field with nothing to say is
    /// null.
    pub fn fields(&self) -> Map<String, Value> {
        let e = &self.entry;
        let course = self.course.as_ref();
        let row = json!({
            "program": e.program, "program_name": e.program_name,
            "start": e.start, "end": e.end, "steps_done": e.steps_done,
            "step_count": e.step_count, "completed": e.completed,
            "outcome": e.outcome.as_str(), "walked": e.walked,
            "walked_backward": e.walked_backward,
            "top_backward_speed": e.top_backward_speed,
            "units": e.units,
            "course": course.map(|c| c.course.clone()),
            "course_session": course.map(|c| c.session),
            "rating": course.map(|c| c.rating.clone()),
            "distance_m": e.measured.distance_m,
            "heart_rate_average": e.measured.heart_rate_average,
            "heart_rate_max": e.measured.heart_rate_max,
            "minutes_above_limit": e.measured.minutes_above_limit,
            "program_distance_m": e.program_distance_m,
            "session": e.session,
        });
        match row {
            Value::Object(fields) => fields,
            _ => Map::new(),
        }
    }
}

impl Controller {
    /// The `limit` sessions (1 to [`HISTORY_PAGE_MAX`]) before the newest
    /// `offset`, oldest first, and how many there are in all: a long
    /// history read a page at a time, by the web and D-Bus alike.
    pub fn history_page(
        &self,
        offset: usize,
        limit: usize,
    ) -> Result<(Vec<Entry>, usize), ControlError> {
        if !(1..=HISTORY_PAGE_MAX).contains(&limit) {
            return Err(ControlError::InvalidArgument(format!(
                "limit must be from 1 to {HISTORY_PAGE_MAX}, not {limit}"
            )));
        }
        let mut entries = self.history()?;
        let total = entries.len();
        let end = total.saturating_sub(offset);
        entries.truncate(end);
        entries.drain(..end.saturating_sub(limit));
        Ok((entries, total))
    }

    /// Minutes walked forward and backward per local week (named by its
    /// Monday), oldest first, from the first week walked to this one: a
    /// week without walking is there with zero minutes, so a break shows.
    pub fn weekly_minutes(&self) -> Result<Vec<(String, f64, f64)>, ControlError> {
        let mut weeks: std::collections::BTreeMap<Date, (f64, f64)> = Default::default();
        for entry in self.history()? {
            let Some(week) = week_of(from_micros(entry.session)) else {
                continue;
            };
            let backward = entry.walked_backward.clamp(0.0, entry.walked.max(0.0));
            let forward = entry.walked.max(0.0) - backward;
            let minutes = weeks.entry(week).or_default();
            minutes.0 += forward / 60.0;
            minutes.1 += backward / 60.0;
        }
        let Some(&first) = weeks.keys().next() else {
            return Ok(Vec::new());
        };
        let last = week_of(SystemTime::now())
            .into_iter()
            .chain(weeks.keys().next_back().copied())
            .max()
            .unwrap_or(first);
        // A clock once set years wrong does not make a list of thousands.
        let mut week = first.max(last.plus_days(-7 * MAX_WEEKS));
        let mut rows = Vec::new();
        while week <= last {
            let (forward, backward) = weeks.get(&week).copied().unwrap_or_default();
            rows.push((week.to_string(), forward, backward));
            week = week.plus_days(7);
        }
        Ok(rows)
    }

    /// As [`Controller::history_page`], each session with the course walk
    /// it was and its rating.
    pub fn history_rows(
        &self,
        offset: usize,
        limit: usize,
    ) -> Result<(Vec<HistoryRow>, usize), ControlError> {
        let (entries, total) = self.history_page(offset, limit)?;
        let enrolment = self
            .state_files()
            .enrolment
            .load()
            .map_err(ControlError::Storage)?;
        let rows = entries
            .into_iter()
            .map(|entry| {
                let course = entry.counting.course.as_ref().map(|tag| CourseWalk {
                    course: tag.course.clone(),
                    session: tag.walk.walk,
                    rating: Rating::shown(enrolment.ratings.get(&entry.session).copied())
                        .to_string(),
                });
                HistoryRow { entry, course }
            })
            .collect();
        Ok((rows, total))
    }
}
