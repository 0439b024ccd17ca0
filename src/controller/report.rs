//! The physiotherapist's report (see `report`) for a period of the
//! history: the sessions with their ratings, the rest before each course
//! walk and what their per-second records add, the courses and programs
//! they belong to, and the walker's limit and units.

use std::collections::BTreeMap;
use std::time::SystemTime;

use super::{ControlError, Controller, Whose};
use crate::calendar::{Date, local};
use crate::program::Units;
use crate::report::{Inputs, RecordSummary, Report, Walk, rests};
use crate::session::from_micros;
use crate::store::Entry;
use crate::store::records::RecordsFolder;
use crate::store::walkers::Walker;

/// The longest period a report covers: ten years of weeks.
const MAX_DAYS: i64 = 3650;

/// How the report is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    /// A PDF file to send or print.
    Pdf,
    /// A page to read in a browser and print from it.
    Html,
}

impl Controller {
    /// The report as clients ask for it: the dates as "2026-11-21", an
    /// empty one left open. Its file name and its contents.
    pub fn report_file(
        &self,
        walker: &str,
        since: &str,
        until: &str,
        format: ReportFormat,
    ) -> Result<(String, Vec<u8>), ControlError> {
        let date = |text: &str, which: &str| -> Result<Option<Date>, ControlError> {
            if text.is_empty() {
                return Ok(None);
            }
            text.parse()
                .map(Some)
                .map_err(|e| ControlError::InvalidArgument(format!("{which}: {e}")))
        };
        let whose = Whose::named(Some(walker));
        let report = self.report(&whose, date(since, "since")?, date(until, "until")?)?;
        let name = report.file_name();
        let bytes = match format {
            ReportFormat::Pdf => report.pdf(),
            ReportFormat::Html => report.html().map(String::into_bytes),
        };
        Ok((name, bytes.map_err(ControlError::Internal)?))
    }

    /// The report of one walker (`whose` is not `All`) from `since` to
    /// `until` (local dates, both included): by default from the first
    /// session to today.
    pub fn report(
        &self,
        whose: &Whose,
        since: Option<Date>,
        until: Option<Date>,
    ) -> Result<Report, ControlError> {
        let Some((walker, files)) = self
            .walkers_of(whose)?
            .into_iter()
            .next()
            .filter(|_| *whose != Whose::All)
        else {
            return Err(ControlError::InvalidArgument(
                "a report is of one walker: name them".into(),
            ));
        };
        let history = self.history_of(whose)?;
        let now = SystemTime::now();
        let today = local(now)
            .map(|t| t.date)
            .ok_or_else(|| ControlError::Internal("the local clock cannot be read".into()))?;
        let (since, until) = period(since, until, today, &history)?;
        let rests = rests(&history);
        let enrolment = files.enrolment.load().map_err(ControlError::Storage)?;
        let walks: Vec<Walk> = history
            .into_iter()
            .filter(|e| date_of(e).is_some_and(|d| d >= since && d <= until))
            .map(|entry| {
                let course = entry.counting.course.is_some();
                Walk {
                    rating: enrolment
                        .ratings
                        .get(&entry.session)
                        .copied()
                        .filter(|_| course),
                    rest_before: rests.get(&entry.session).copied(),
                    record: record_summary(&files.records, entry.session),
                    entry,
                }
            })
            .collect();
        let enrolled = enrolment
            .course
            .clone()
            .zip(local(from_micros(enrolment.since)).map(|t| t.date));
        let inputs = Inputs {
            since,
            until,
            made: local(now).map(|t| t.to_string()).unwrap_or_default(),
            walker: walker.name.clone(),
            units: self.report_units(&walker, &walks),
            heart_limit: walker.heart_max.or(self.setup().fitness.heart_max),
            courses: self.courses_of(&walks, enrolled.as_ref().map(|e| e.0.as_str())),
            programs: self.programs_of(&walks),
            enrolled,
            walks,
        };
        Ok(Report::build(&inputs))
    }

    /// The walker's own units, the units speeds are set in, else the
    /// latest session's.
    fn report_units(&self, walker: &Walker, walks: &[Walk]) -> Units {
        let own = match walker.units.as_deref() {
            Some("km/h") => Some(Units::Kmh),
            Some("mph") => Some(Units::Mph),
            _ => None,
        };
        own.or(self.setup().catalog.units).unwrap_or_else(|| {
            match walks.iter().rev().find_map(|w| w.entry.units.as_deref()) {
                Some("mph") => Units::Mph,
                _ => Units::Kmh,
            }
        })
    }

    fn courses_of(
        &self,
        walks: &[Walk],
        enrolled: Option<&str>,
    ) -> BTreeMap<String, crate::course::Course> {
        let ids = walks
            .iter()
            .filter_map(|w| w.entry.counting.course.as_ref().map(|t| t.course.as_str()))
            .chain(enrolled);
        let setup = self.setup();
        let mut courses = BTreeMap::new();
        for id in ids {
            if !courses.contains_key(id)
                && let Ok(course) = setup.courses.load(id)
            {
                courses.insert(id.to_string(), course);
            }
        }
        courses
    }

    fn programs_of(&self, walks: &[Walk]) -> BTreeMap<String, (String, String)> {
        let setup = self.setup();
        let mut programs = BTreeMap::new();
        for walk in walks {
            let id = &walk.entry.program;
            if !programs.contains_key(id)
                && let Ok(program) = setup.catalog.load(id)
            {
                programs.insert(id.clone(), (program.name, program.description));
            }
        }
        programs
    }
}

/// What the session's per-second record adds; nothing when it was
/// dropped by the bound or is damaged.
fn record_summary(records: &RecordsFolder, session: i64) -> RecordSummary {
    match records.read(session) {
        Ok(samples) => RecordSummary::of(&samples),
        Err(e) => {
            tracing::debug!("{e}; the report uses the session's totals");
            RecordSummary::default()
        }
    }
}

fn date_of(entry: &Entry) -> Option<Date> {
    local(from_micros(entry.session)).map(|t| t.date)
}

/// The period asked for, with what is left open filled in: from the
/// first session (four weeks back with none) to today, and never more
/// than [`MAX_DAYS`].
fn period(
    since: Option<Date>,
    until: Option<Date>,
    today: Date,
    history: &[Entry],
) -> Result<(Date, Date), ControlError> {
    let until = until.unwrap_or(today);
    let first = history.iter().filter_map(date_of).min();
    let since = since
        .or(first.filter(|f| *f <= until))
        .unwrap_or(until.plus_days(-27));
    if since > until {
        return Err(ControlError::InvalidArgument(format!(
            "the report's period starts ({since}) after it ends ({until})"
        )));
    }
    // A period reaching back before anything was walked starts with the
    // first session, so years of empty weeks are not listed.
    let since = match first {
        Some(first) if first > since && first <= until => first,
        _ => since,
    };
    Ok((since.max(until.plus_days(-MAX_DAYS)), until))
}
