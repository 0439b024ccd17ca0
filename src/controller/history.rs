//! The history as clients see it: one row per session, with the course
//! walk it was and its rating joined by the session itself (never by a
//! start time written to the second), the same row for the web API,
//! D-Bus and `treadcuectl`; a page of it at a time; and the minutes
//! walked week by week.

use std::time::SystemTime;

use serde_json::{Map, Value, json};

use std::collections::HashMap;

use super::keeping::entry_walker;
use super::{ControlError, Controller, Whose};
use crate::calendar::{Date, week_of};
use crate::course::Rating;
use crate::session::WalkerTag;
use crate::session::from_micros;
use crate::store::Entry;
use crate::store::walkers::{Walker, WalkerFiles};

/// Most sessions in one page of the history.
pub const HISTORY_PAGE_MAX: usize = 1000;

/// The most weeks `weekly_minutes` lists: ten years.
const MAX_WEEKS: i64 = 520;

/// Every field of a history row, in the order the row gives them: the
/// one list of names the web API's JSON, D-Bus `HistoryRecords` and
/// `treadcuectl history --json` share.
pub const HISTORY_FIELDS: [&str; 22] = [
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
    "walker",
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
            "walker": e.counting.walker.as_ref().map(|w| w.name.clone()),
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
        whose: &Whose,
        offset: usize,
        limit: usize,
    ) -> Result<(Vec<Entry>, usize), ControlError> {
        if !(1..=HISTORY_PAGE_MAX).contains(&limit) {
            return Err(ControlError::InvalidArgument(format!(
                "limit must be from 1 to {HISTORY_PAGE_MAX}, not {limit}"
            )));
        }
        let mut entries = self.history_of(whose)?;
        let total = entries.len();
        let end = total.saturating_sub(offset);
        entries.truncate(end);
        entries.drain(..end.saturating_sub(limit));
        Ok((entries, total))
    }

    /// Minutes walked forward and backward per local week (named by its
    /// Monday), oldest first, from the first week walked to this one: a
    /// week without walking is there with zero minutes, so a break shows.
    pub fn weekly_minutes(&self, whose: &Whose) -> Result<Vec<(String, f64, f64)>, ControlError> {
        let mut weeks: std::collections::BTreeMap<Date, (f64, f64)> = Default::default();
        for entry in self.history_of(whose)? {
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
        whose: &Whose,
        offset: usize,
        limit: usize,
    ) -> Result<(Vec<HistoryRow>, usize), ControlError> {
        let (entries, total) = self.history_page(whose, offset, limit)?;
        // Each walker rates their own walks.
        let mut ratings = HashMap::new();
        for (walker, files) in self.walkers_of(whose)? {
            let enrolment = files.enrolment.load().map_err(ControlError::Storage)?;
            ratings.insert(walker.id, enrolment.ratings);
        }
        let rows = entries
            .into_iter()
            .map(|entry| {
                let walker = entry.counting.walker.as_ref().map(|w| w.id);
                let rated = walker
                    .and_then(|id| ratings.get(&id))
                    .and_then(|r| r.get(&entry.session))
                    .copied();
                let course = entry.counting.course.as_ref().map(|tag| CourseWalk {
                    course: tag.course.clone(),
                    session: tag.walk.walk,
                    rating: Rating::shown(rated).to_string(),
                });
                HistoryRow { entry, course }
            })
            .collect();
        Ok((rows, total))
    }
}

impl Controller {
    /// Every session in the active walker's history, oldest first.
    pub fn history(&self) -> Result<Vec<Entry>, ControlError> {
        self.history_of(&Whose::Active)
    }

    /// Every session in the history of `whose`, oldest first, each
    /// naming its walker; damaged lines (a power cut can tear the last
    /// one) are left out.
    pub fn history_of(&self, whose: &Whose) -> Result<Vec<Entry>, ControlError> {
        let mut entries = Vec::new();
        let walkers = self.walkers_of(whose)?;
        for (walker, files) in &walkers {
            let read = files.history.read().map_err(ControlError::Storage)?;
            if read.damaged > 0 {
                tracing::warn!(
                    "{}: {} damaged line(s) left out",
                    files.history.path.display(),
                    read.damaged
                );
            }
            entries.extend(read.entries.into_iter().map(|e| named(e, walker)));
        }
        // Sessions that ended while the storage failed are history too.
        let waiting = self.unwritten_entries();
        for entry in waiting {
            let theirs = walkers
                .iter()
                .find(|(w, _)| Some(w.id) == entry_walker(&entry).or(first_walker(&walkers)));
            if let Some((walker, _)) = theirs
                && !entries.iter().any(|e| e.session == entry.session)
            {
                entries.push(named(entry, walker));
            }
        }
        entries.sort_by_key(|e| e.session);
        Ok(entries)
    }

    /// The history's entry of the session that started at `session`,
    /// written or waiting for the storage to come back.
    pub fn find_in_history(&self, session: i64) -> Result<Option<Entry>, ControlError> {
        let waiting = self.unwritten_entries();
        if let Some(entry) = waiting.into_iter().find(|e| e.session == session) {
            return Ok(Some(entry));
        }
        for (walker, files) in self.walkers_of(&Whose::All)? {
            if let Some(entry) = files.history.find(session).map_err(ControlError::Storage)? {
                return Ok(Some(named(entry, &walker)));
            }
        }
        Ok(None)
    }
}

/// The id of the first walker's, among those of a view: entries of
/// before walkers are theirs.
fn first_walker(walkers: &[(Walker, WalkerFiles)]) -> Option<u32> {
    walkers
        .iter()
        .find(|(w, _)| w.folder.is_empty())
        .map(|(w, _)| w.id)
}

/// An entry naming `walker`, by the name they have now, as the file it
/// was read from says (entries written before walkers name none).
fn named(mut entry: Entry, walker: &Walker) -> Entry {
    entry.counting.walker = Some(WalkerTag {
        id: walker.id,
        name: walker.name.clone(),
    });
    entry
}
