//! The walker's course: enrolling and leaving, rating a walk, and which
//! walk is next. What was walked is read from the history (each entry
//! names its course walk), the rest from the enrolment file; the status
//! clients see is worked out again after every change, and kept for
//! every status to read.

use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use super::{ControlError, Controller, IfFollowing};
use crate::course::{
    Course, CourseLoadError, CourseStatus, Next, Rating, WalkRecord, check_programs, next_walk,
};
use crate::program::SafetyOptions;
use crate::session::{CourseTag, micros};
use crate::store::Entry;
use crate::store::enrolment::Enrolment;
use crate::sync::lock;

/// A second Play within this long of being told it is a rest day starts
/// the session anyway.
pub const PLAY_AGAIN_WITHIN: Duration = Duration::from_secs(10);

/// One course as `ListCourses` reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct CourseInfo {
    pub id: String,
    pub name: String,
    pub description: String,
    /// Walks in the whole course, counting each session's `times`.
    pub sessions: u32,
    /// Weeks the course takes at its pace, and its walks a week.
    pub weeks: u32,
    pub per_week: u32,
}

/// What the controller keeps of the course between changes.
#[derive(Default)]
pub(super) struct CourseKeeping {
    /// Held while the enrolment is read and written: one change at a
    /// time. Taken before any other lock, and the course's status is
    /// worked out again only once it is let go.
    writing: Mutex<()>,
    /// The status as of the last change; `next_due` is the time due,
    /// turned into 0 once it has passed when a status is read. Read
    /// under the controller's `core` when a status is made, so it is
    /// taken after that one and held for a moment.
    shown: Mutex<CourseStatus>,
    /// When Play was last answered with "rest today"; taken alone.
    rest_told: Mutex<Option<Instant>>,
}

fn no_course() -> ControlError {
    ControlError::InvalidState("you follow no course: enrol in one first".into())
}

/// A course, with the walks of it recorded since enrolling and what they
/// make next.
pub(super) struct Progress {
    pub course: Course,
    pub records: Vec<WalkRecord>,
    pub next: Next,
}

/// One walk of the course as `treadcuectl course show` lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct WalkRow {
    pub walk: u32,
    pub program: String,
    /// "done", "next" or "to come".
    pub state: String,
    /// RFC 3339; empty if never walked.
    pub last_walked: String,
    /// "done, right", "not done, too-hard"...; empty if never walked.
    pub last_outcome: String,
}

impl Controller {
    /// Every valid course, by id; broken ones are left out (and logged).
    pub fn list_courses(&self) -> Vec<CourseInfo> {
        let setup = self.setup();
        setup
            .courses
            .ids()
            .into_iter()
            .filter_map(|id| match self.load_course(&id) {
                Ok(course) => Some(CourseInfo {
                    id: course.id.clone(),
                    name: course.name.clone(),
                    description: course.description.clone(),
                    sessions: course.walks(),
                    weeks: course.week_of(course.walks().saturating_sub(1)),
                    per_week: course.sessions_per_week,
                }),
                Err(e) => {
                    tracing::warn!("course {id} cannot be walked: {e}");
                    None
                }
            })
            .collect()
    }

    /// A course whose programs all exist and pass the safety checks.
    pub(super) fn load_course(&self, id: &str) -> Result<Course, ControlError> {
        let setup = self.setup();
        let course = setup.courses.load(id).map_err(|e| match e {
            CourseLoadError::NotFound { id, known } => {
                let known: Vec<&str> = known.iter().map(String::as_str).collect();
                let near = crate::program::suggest::nearest(&id, &known).map(str::to_string);
                ControlError::UnknownCourse(id, near)
            }
            CourseLoadError::Invalid(errors) => ControlError::InvalidProgram {
                id: id.to_string(),
                details: first_error(&errors),
            },
        })?;
        let options = SafetyOptions {
            cues: setup.cues.clone(),
            ..SafetyOptions::default()
        };
        let problems = check_programs(&course, &setup.catalog, &options);
        if !problems.is_empty() {
            return Err(ControlError::InvalidProgram {
                id: id.to_string(),
                details: first_error(&problems),
            });
        }
        Ok(course)
    }

    /// Follows course `id` from its first session. Enrolling in the
    /// course followed already keeps the progress.
    pub fn enrol(&self, id: &str) -> Result<(), ControlError> {
        self.enrol_as(id, IfFollowing::Replace)
    }

    /// The same, refusing to replace the progress in another course
    /// unless `if_following` says to.
    pub fn enrol_as(&self, id: &str, if_following: IfFollowing) -> Result<(), ControlError> {
        let followed = self.course_status();
        if if_following == IfFollowing::Refuse && !followed.id.is_empty() && followed.id != id {
            return Err(ControlError::CourseFollowed {
                following: followed.name,
                session: (followed.session + 1).min(followed.sessions),
                sessions: followed.sessions,
                wanted: id.to_string(),
            });
        }
        let course = self.load_course(id)?;
        {
            let _one = lock(&self.courses.writing);
            let file = &self.active_files().enrolment;
            let mut enrolment = file.load().map_err(ControlError::Storage)?;
            if enrolment.course.as_ref() == Some(&course.id) {
                return Ok(());
            }
            enrolment.course = Some(course.id.clone());
            enrolment.since = micros(SystemTime::now());
            file.save(&enrolment).map_err(ControlError::Storage)?;
            tracing::info!("enrolled in the course {}", course.id);
        }
        self.refresh_course();
        Ok(())
    }

    /// Follows no course any more; the walks stay in the history, with
    /// their ratings.
    pub fn leave(&self) -> Result<(), ControlError> {
        {
            let _one = lock(&self.courses.writing);
            let file = &self.active_files().enrolment;
            let mut enrolment = file.load().map_err(ControlError::Storage)?;
            let left = enrolment.course.take().ok_or_else(no_course)?;
            file.save(&enrolment).map_err(ControlError::Storage)?;
            tracing::info!("left the course {left}");
        }
        self.refresh_course();
        Ok(())
    }

    /// Rates the course walk that ended last; a second rating replaces
    /// the first.
    pub fn rate(&self, rating: &str) -> Result<(), ControlError> {
        let rating: Rating = rating.parse().map_err(ControlError::InvalidArgument)?;
        {
            let _one = lock(&self.courses.writing);
            let file = &self.active_files().enrolment;
            let mut enrolment = file.load().map_err(ControlError::Storage)?;
            let course = enrolment.course.clone().ok_or_else(no_course)?;
            let walks = self.course_walks(&enrolment, &course)?;
            let Some(last) = walks.last() else {
                return Err(ControlError::InvalidState(
                    "no session of the course has ended yet: there is nothing to rate".into(),
                ));
            };
            enrolment.ratings.insert(last.session, rating);
            file.save(&enrolment).map_err(ControlError::Storage)?;
            tracing::info!("{course}: rated {}", rating.as_str());
        }
        self.refresh_course();
        Ok(())
    }

    /// Each walk of the enrolled course: its index, program, "done",
    /// "next" or "to come", and when it was last walked (RFC 3339, empty
    /// if never), with how it went ("done" or "not done") and was rated.
    pub fn course_overview(&self) -> Result<Vec<WalkRow>, ControlError> {
        let progress = self.progress(SystemTime::now())?.ok_or_else(no_course)?;
        let course = &progress.course;
        let next = progress.next.walk.walk;
        let rows = (0..course.walks()).map(|walk| {
            let walked = |r: &&WalkRecord| r.walk.walk == walk && r.done;
            // A walk once done stays done, also when the course steps
            // back to walk it again.
            let state = if walk == next && !progress.next.complete {
                "next"
            } else if progress.records.iter().any(|r| walked(&r)) || walk < next {
                "done"
            } else {
                "to come"
            };
            let last = progress.records.iter().rev().find(|r| r.walk.walk == walk);
            WalkRow {
                walk,
                program: course.sessions[course.session_of(walk)].program.clone(),
                state: state.into(),
                last_walked: last.map_or_else(String::new, |r| {
                    humantime::format_rfc3339_seconds(r.ended_at).to_string()
                }),
                last_outcome: last.map_or_else(String::new, |r| {
                    let how = if r.done { "done" } else { "not done" };
                    format!("{how}, {}", Rating::shown(r.rating))
                }),
            }
        });
        Ok(rows.collect())
    }

    /// The enrolled course and what its walks make next, read afresh.
    pub(super) fn progress(&self, now: SystemTime) -> Result<Option<Progress>, ControlError> {
        let enrolment = self
            .active_files()
            .enrolment
            .load()
            .map_err(ControlError::Storage)?;
        let Some(id) = &enrolment.course else {
            return Ok(None);
        };
        let course = self.load_course(id)?;
        let records: Vec<WalkRecord> = self
            .course_walks(&enrolment, id)?
            .iter()
            .filter_map(|entry| record_of(entry, &enrolment))
            .collect();
        let next = next_walk(&course, &records, now);
        Ok(Some(Progress {
            course,
            records,
            next,
        }))
    }

    /// Every course walk of the history with its rating: the session's
    /// start (RFC 3339, as the history gives it), the course, the walk
    /// (from 0), and the rating ("unrated" when none was given).
    pub fn course_history(&self) -> Result<Vec<(String, String, u32, String)>, ControlError> {
        let enrolment = self
            .active_files()
            .enrolment
            .load()
            .map_err(ControlError::Storage)?;
        Ok(self
            .history()?
            .into_iter()
            .filter_map(|entry| {
                let tag = entry.counting.course.clone()?;
                let rating = enrolment.ratings.get(&entry.session).copied();
                let rating = Rating::shown(rating).to_string();
                Some((entry.start, tag.course, tag.walk.walk, rating))
            })
            .collect())
    }

    /// The history's entries of course `course` since enrolling.
    fn course_walks(
        &self,
        enrolment: &Enrolment,
        course: &str,
    ) -> Result<Vec<Entry>, ControlError> {
        let mut walks: Vec<Entry> = self
            .history()?
            .into_iter()
            .filter(|e| e.session >= enrolment.since)
            .filter(|e| {
                e.counting
                    .course
                    .as_ref()
                    .is_some_and(|c| c.course == course)
            })
            .collect();
        walks.sort_by_key(|e| e.session);
        Ok(walks)
    }

    /// Works the course's status out again and keeps it for clients.
    pub fn refresh_course(&self) {
        let _one = lock(&self.courses.writing);
        let status = match self.progress(SystemTime::now()) {
            Ok(Some(progress)) => status_of(&progress),
            Ok(None) => CourseStatus::default(),
            Err(e) => {
                tracing::warn!("cannot read the course's progress: {e}");
                return;
            }
        };
        let changed = {
            let mut shown = lock(&self.courses.shown);
            std::mem::replace(&mut *shown, status.clone()) != status
        };
        if changed {
            self.notify(super::Change::Course);
        }
    }

    /// The course's status as of now: a due time that has passed is 0.
    pub(super) fn course_status(&self) -> CourseStatus {
        let mut status = lock(&self.courses.shown).clone();
        if status.next_due <= micros(SystemTime::now()) {
            status.next_due = 0;
        }
        status
    }

    /// When the next walk falls due, if that is still to come: clients
    /// are told then that it is due.
    pub fn next_due(&self) -> Option<SystemTime> {
        let due = lock(&self.courses.shown).next_due;
        (due > micros(SystemTime::now())).then(|| crate::session::from_micros(due))
    }

    /// Whether Play was told "rest today" within the last few seconds,
    /// and remembers that it is told so now when not.
    pub(super) fn asked_again(&self) -> bool {
        let mut told = lock(&self.courses.rest_told);
        if told.is_some_and(|at| at.elapsed() <= PLAY_AGAIN_WITHIN) {
            *told = None;
            return true;
        }
        *told = Some(Instant::now());
        false
    }
}

/// A history entry as a walk of the course, rated as the enrolment says.
fn record_of(entry: &Entry, enrolment: &Enrolment) -> Option<WalkRecord> {
    let CourseTag { walk, .. } = entry.counting.course.clone()?;
    let ended_at = humantime::parse_rfc3339(&entry.end).ok()?;
    Some(WalkRecord {
        walk,
        done: entry.completed && !entry.counting.skipped_backward,
        rating: enrolment.ratings.get(&entry.session).copied(),
        ended_at,
    })
}

fn status_of(progress: &Progress) -> CourseStatus {
    let course = &progress.course;
    CourseStatus {
        id: course.id.clone(),
        name: course.name.clone(),
        session: progress.next.walk.walk,
        sessions: course.walks(),
        next_due: progress.next.due_at.map_or(0, micros),
        last_rating: progress
            .records
            .last()
            .map_or_else(String::new, |r| Rating::shown(r.rating).to_string()),
    }
}

fn first_error(errors: &[crate::program::Diagnostic]) -> String {
    errors.first().map(ToString::to_string).unwrap_or_default()
}
