//! What the report says, worked out from the history once and shared by
//! the PDF and the page: the weeks (prescribed against walked, minutes
//! each way), each session's figures, the ratings and the notes.

use std::collections::BTreeMap;

use crate::calendar::{Date, local};
use crate::course::{Course, Rating};
use crate::program::Units;
use crate::session::from_micros;
use crate::store::Entry;
use crate::store::records::{Mark, Sample};

/// What a session's per-second record adds to its history entry.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RecordSummary {
    /// Mean belt (or program) speed over the seconds walked backward.
    pub backward_kmh_average: Option<f64>,
    pub incline_average: Option<f64>,
    pub incline_max: Option<f64>,
}

impl RecordSummary {
    pub fn of(samples: &[Sample]) -> RecordSummary {
        let walking = || samples.iter().filter(|s| s.mark != Mark::Pause);
        let backward: Vec<f64> = walking()
            .filter(|s| s.backward && s.speed_kmh > 0.0)
            .map(|s| f64::from(s.speed_kmh))
            .collect();
        let inclines: Vec<f64> = walking().filter_map(|s| s.incline.map(f64::from)).collect();
        RecordSummary {
            backward_kmh_average: mean(&backward),
            incline_average: mean(&inclines),
            incline_max: inclines.iter().copied().reduce(f64::max),
        }
    }
}

fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// One session of the period, as the controller gathers it.
#[derive(Debug, Clone)]
pub struct Walk {
    pub entry: Entry,
    /// Course walks only: the walker's rating, `None` when unrated.
    pub rating: Option<Rating>,
    pub record: RecordSummary,
    /// Course walks only: seconds from the end of the same course's
    /// walk before to this one's start.
    pub rest_before: Option<f64>,
}

/// Everything the report is made from.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// The period, both days included, on the local calendar.
    pub since: Date,
    pub until: Date,
    /// When the report was made, as the page prints it.
    pub made: String,
    /// Whose report it is.
    pub walker: String,
    /// Speeds are shown in these.
    pub units: Units,
    pub heart_limit: Option<u16>,
    /// The period's sessions, oldest first.
    pub walks: Vec<Walk>,
    /// The courses the walks belong to, and the one followed now, by id.
    pub courses: BTreeMap<String, Course>,
    /// The course followed now, and since when (local date).
    pub enrolled: Option<(String, Date)>,
    /// The programs walked: id to (name, description).
    pub programs: BTreeMap<String, (String, String)>,
}

/// The report, ready to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub since: Date,
    pub until: Date,
    pub made: String,
    pub walker: String,
    pub units: &'static str,
    pub heart_limit: Option<u16>,
    pub totals: Totals,
    pub weeks: Vec<Week>,
    pub sessions: Vec<SessionRow>,
    pub notes: Vec<Note>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Totals {
    pub sessions: u32,
    pub finished: u32,
    pub minutes: f64,
    pub backward_minutes: f64,
    /// Course walks the weeks prescribed, and those walked against them
    /// (at most the prescription each week).
    pub prescribed: u32,
    pub walked_as_prescribed: u32,
    pub rest_kept: u32,
    pub rest_broken: u32,
    pub minutes_above_limit: f64,
    /// Too hard, right, too easy, unrated: course walks only.
    pub ratings: [u32; 4],
}

impl Totals {
    /// Walked against prescribed, in percent; `None` with no course.
    pub fn adherence(&self) -> Option<f64> {
        (self.prescribed > 0)
            .then(|| 100.0 * f64::from(self.walked_as_prescribed) / f64::from(self.prescribed))
    }
}

/// The names of [`Totals::ratings`], in its order.
pub const RATING_NAMES: [&str; 4] = ["too hard", "right", "too easy", "unrated"];

/// One week, from its Monday.
#[derive(Debug, Clone, PartialEq)]
pub struct Week {
    pub monday: Date,
    /// Course walks the course asks for in this week; `None` when no
    /// course was followed.
    pub prescribed: Option<u32>,
    pub sessions: u32,
    pub course_walks: u32,
    /// Course walks that came sooner than the course's rest allows.
    pub rest_broken: u32,
    pub backward_minutes: f64,
    pub forward_minutes: f64,
}

/// One session, as the table and the charts show it.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionRow {
    pub date: Date,
    /// "07:30", local.
    pub time: String,
    /// Days since the period's first day: where the charts put it.
    pub day: f64,
    pub program: String,
    pub outcome: &'static str,
    pub minutes: f64,
    pub backward_minutes: f64,
    pub top_backward_speed: Option<f64>,
    pub average_backward_speed: Option<f64>,
    pub incline_average: Option<f64>,
    pub incline_max: Option<f64>,
    pub heart_rate_average: Option<u32>,
    pub heart_rate_max: Option<u32>,
    pub minutes_above_limit: Option<f64>,
    /// Course walks: the walk (from 1) and its rating.
    pub course_walk: Option<(u32, &'static str)>,
    /// Course walks: whether the rest before it was long enough.
    pub rest_kept: Option<bool>,
}

/// A program's or a course's own words, as the plan gave them.
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    pub title: String,
    pub text: String,
}

/// Longest note kept: the report is not the place for a manual.
const MAX_NOTE_CHARS: usize = 600;

impl Report {
    pub fn build(inputs: &Inputs) -> Report {
        let units = inputs.units;
        let sessions: Vec<SessionRow> = inputs
            .walks
            .iter()
            .map(|walk| session_row(walk, inputs))
            .collect();
        let weeks = weeks(inputs, &sessions);
        Report {
            since: inputs.since,
            until: inputs.until,
            made: inputs.made.clone(),
            walker: inputs.walker.clone(),
            units: units.label(),
            heart_limit: inputs.heart_limit,
            totals: totals(&sessions, &weeks),
            weeks,
            sessions,
            notes: notes(inputs),
        }
    }
}

fn session_row(walk: &Walk, inputs: &Inputs) -> SessionRow {
    let e = &walk.entry;
    let at = local(from_micros(e.session));
    let date = at.map_or(inputs.since, |t| t.date);
    let entry_units = match e.units.as_deref() {
        Some("mph") => Units::Mph,
        _ => Units::Kmh,
    };
    let in_units = |kmh: f64| match inputs.units {
        Units::Kmh => kmh,
        Units::Mph => Units::Kmh.to_mph(kmh),
    };
    let course = e.counting.course.as_ref();
    let rest_kept = course.zip(walk.rest_before).map(|(tag, rest)| {
        let min_rest = inputs.courses.get(&tag.course).map(|c| c.min_rest);
        min_rest.is_none_or(|min| rest >= min.as_secs_f64())
    });
    SessionRow {
        date,
        time: at.map_or_else(String::new, |t| format!("{:02}:{:02}", t.hour, t.minute)),
        day: at.map_or(0.0, |t| {
            t.date.days_after(inputs.since) as f64
                + f64::from(t.hour * 60 + t.minute) / (24.0 * 60.0)
        }),
        program: e.program_name.clone(),
        outcome: e.outcome.as_str(),
        minutes: e.walked.max(0.0) / 60.0,
        backward_minutes: e.walked_backward.clamp(0.0, e.walked.max(0.0)) / 60.0,
        top_backward_speed: e
            .top_backward_speed
            .map(|s| in_units(entry_units.to_kmh(s))),
        average_backward_speed: walk.record.backward_kmh_average.map(in_units),
        incline_average: walk.record.incline_average,
        incline_max: walk.record.incline_max,
        heart_rate_average: e.measured.heart_rate_average,
        heart_rate_max: e.measured.heart_rate_max,
        minutes_above_limit: e.measured.minutes_above_limit,
        course_walk: course.map(|tag| (tag.walk.walk + 1, Rating::shown(walk.rating))),
        rest_kept,
    }
}

/// The weeks of the period, Monday to Sunday, each there even when
/// nothing was walked, so a break shows.
fn weeks(inputs: &Inputs, sessions: &[SessionRow]) -> Vec<Week> {
    let mut by_monday: BTreeMap<Date, Week> = BTreeMap::new();
    let mut monday = inputs.since.monday();
    while monday <= inputs.until {
        by_monday.insert(monday, empty_week(monday, inputs));
        monday = monday.plus_days(7);
    }
    let mut courses_walked: BTreeMap<Date, String> = BTreeMap::new();
    for (row, walk) in sessions.iter().zip(&inputs.walks) {
        let Some(week) = by_monday.get_mut(&row.date.monday()) else {
            continue;
        };
        week.sessions += 1;
        week.backward_minutes += row.backward_minutes;
        week.forward_minutes += row.minutes - row.backward_minutes;
        if let Some(tag) = &walk.entry.counting.course {
            week.course_walks += 1;
            week.rest_broken += u32::from(row.rest_kept == Some(false));
            courses_walked
                .entry(week.monday)
                .or_insert_with(|| tag.course.clone());
        }
    }
    // A week of a course once followed asks what that course asked.
    for (monday, course) in courses_walked {
        let week = by_monday.get_mut(&monday);
        if let (Some(week), Some(course)) = (week, inputs.courses.get(&course)) {
            week.prescribed.get_or_insert(course.sessions_per_week);
        }
    }
    by_monday.into_values().collect()
}

/// A week with nothing walked yet: what the course followed now asks of
/// it, for the part of it since the walker enrolled.
fn empty_week(monday: Date, inputs: &Inputs) -> Week {
    let prescribed = inputs.enrolled.as_ref().and_then(|(id, since)| {
        let course = inputs.courses.get(id)?;
        let sunday = monday.plus_days(6);
        if *since > sunday {
            return None;
        }
        let days = 7 - since.days_after(monday).clamp(0, 7);
        let share = f64::from(course.sessions_per_week) * days as f64 / 7.0;
        Some(share.round() as u32)
    });
    Week {
        monday,
        prescribed,
        sessions: 0,
        course_walks: 0,
        rest_broken: 0,
        backward_minutes: 0.0,
        forward_minutes: 0.0,
    }
}

fn totals(sessions: &[SessionRow], weeks: &[Week]) -> Totals {
    let mut totals = Totals::default();
    for row in sessions {
        totals.sessions += 1;
        totals.finished += u32::from(row.outcome == "finished");
        totals.minutes += row.minutes;
        totals.backward_minutes += row.backward_minutes;
        totals.minutes_above_limit += row.minutes_above_limit.unwrap_or(0.0);
        match row.rest_kept {
            Some(true) => totals.rest_kept += 1,
            Some(false) => totals.rest_broken += 1,
            None => {}
        }
        if let Some((_, rating)) = row.course_walk {
            let index = Rating::NAMES.iter().position(|r| *r == rating).unwrap_or(3);
            totals.ratings[index] += 1;
        }
    }
    for week in weeks {
        if let Some(prescribed) = week.prescribed {
            totals.prescribed += prescribed;
            totals.walked_as_prescribed += week.course_walks.min(prescribed);
        }
    }
    totals
}

/// The programs' descriptions and the courses' notes for the walks of
/// the period, each once.
fn notes(inputs: &Inputs) -> Vec<Note> {
    let mut notes = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for walk in &inputs.walks {
        let e = &walk.entry;
        if let Some(tag) = &e.counting.course
            && let Some(course) = inputs.courses.get(&tag.course)
        {
            if seen.insert(format!("course {}", course.id)) && !course.description.is_empty() {
                notes.push(note(&course.name, &course.description));
            }
            let session = course.session_for(tag.walk.walk);
            if let Some(text) = session.and_then(|s| s.note.as_deref())
                && seen.insert(format!("note {} {text}", course.id))
            {
                let title = format!("{}, walk {}", course.name, tag.walk.walk + 1);
                notes.push(note(&title, text));
            }
        }
        if let Some((name, description)) = inputs.programs.get(&e.program)
            && seen.insert(format!("program {}", e.program))
            && !description.is_empty()
        {
            notes.push(note(name, description));
        }
    }
    notes
}

fn note(title: &str, text: &str) -> Note {
    let mut text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() > MAX_NOTE_CHARS {
        text = text.chars().take(MAX_NOTE_CHARS).collect::<String>() + "...";
    }
    Note {
        title: title.to_string(),
        text,
    }
}

/// For each course walk in `history` (oldest first), seconds from the
/// end of the same course's walk before it to its start.
pub fn rests(history: &[Entry]) -> BTreeMap<i64, f64> {
    let mut last_end: BTreeMap<&str, f64> = BTreeMap::new();
    let mut rests = BTreeMap::new();
    for entry in history {
        let Some(tag) = &entry.counting.course else {
            continue;
        };
        let start = entry.session as f64 / 1e6;
        if let Some(end) = last_end.get(tag.course.as_str()) {
            rests.insert(entry.session, start - end);
        }
        let end = entry.end_unix().unwrap_or(start + entry.walked);
        last_end.insert(&tag.course, end);
    }
    rests
}
