//! The native interface, `io.github.treadcue.Treadcue1`.

use std::sync::Arc;

use zbus::interface;
use zbus::object_server::{ObjectServer, SignalEmitter};

use super::record::Records;
use super::{Announcer, Error};
use crate::controller::{
    Command, Controller, Entry, Handle, IfFollowing, IfRunning, RemovedRecord, Whose,
};

/// One session of the history as D-Bus carries it.
pub type HistoryRow = (String, String, String, String, u32, u32, bool, String, f64);

fn history_row(e: Entry) -> HistoryRow {
    (
        e.program,
        e.program_name,
        e.start,
        e.end,
        e.steps_done,
        e.step_count,
        e.completed,
        e.outcome.as_str().to_string(),
        e.walked,
    )
}

pub struct Treadcue {
    pub controller: Handle,
    pub announcer: Arc<Announcer>,
}

/// Asks the controller off the bus's own task: the bus keeps answering.
async fn ask<T: Send + 'static>(
    controller: &Handle,
    query: impl FnOnce(&Controller) -> Result<T, crate::controller::ControlError> + Send + 'static,
) -> Result<T, Error> {
    controller.ask(query).await.map_err(Error::from)
}

impl Treadcue {
    /// Applies a command, then announces what it changed before the call
    /// replies.
    async fn apply(&self, server: &ObjectServer, command: Command) -> Result<(), Error> {
        let result = self.controller.apply(command).await.map_err(Error::from);
        self.told(server, result).await
    }

    /// Announces what a call changed before the call replies.
    async fn told(&self, server: &ObjectServer, result: Result<(), Error>) -> Result<(), Error> {
        // Even a call that failed may have changed something (a Stop whose
        // history could not be written did stop): tell what is.
        if let Err(e) = self.announcer.announce(server).await {
            tracing::warn!("cannot send a property change: {e}");
        }
        result
    }
}

#[interface(name = "io.github.treadcue.Treadcue1")]
impl Treadcue {
    /// Every program: id, name, description and length in seconds.
    #[zbus(out_args("programs"))]
    async fn list_programs(&self) -> Result<Vec<(String, String, String, f64)>, Error> {
        ask(&self.controller, |c| {
            Ok(c.list_programs()
                .into_iter()
                .map(|p| (p.id, p.name, p.description, p.seconds))
                .collect())
        })
        .await
    }

    /// Every program file that cannot be played: id and its first error.
    #[zbus(out_args("programs"))]
    async fn list_broken_programs(&self) -> Result<Vec<(String, String)>, Error> {
        ask(&self.controller, |c| Ok(c.broken_programs())).await
    }

    /// Starts a program by id (a name, never a path), replacing any session.
    async fn start(
        &self,
        #[zbus(object_server)] server: &ObjectServer,
        program: String,
    ) -> Result<(), Error> {
        let if_running = IfRunning::Replace;
        let start = Command::Start {
            program,
            if_running,
        };
        self.apply(server, start).await
    }

    /// Pauses the session; harmless when paused.
    async fn pause(&self, #[zbus(object_server)] server: &ObjectServer) -> Result<(), Error> {
        self.apply(server, Command::Pause).await
    }

    /// Resumes the session; harmless when running.
    async fn resume(&self, #[zbus(object_server)] server: &ObjectServer) -> Result<(), Error> {
        self.apply(server, Command::Resume).await
    }

    /// Stops the session; it is in the history when this returns.
    async fn stop(&self, #[zbus(object_server)] server: &ObjectServer) -> Result<(), Error> {
        self.apply(server, Command::Stop).await
    }

    /// Skips to the next step.
    async fn next(&self, #[zbus(object_server)] server: &ObjectServer) -> Result<(), Error> {
        self.apply(server, Command::Next).await
    }

    /// Back to the start of the step, or the step before within its first
    /// three seconds.
    async fn previous(&self, #[zbus(object_server)] server: &ObjectServer) -> Result<(), Error> {
        self.apply(server, Command::Previous).await
    }

    /// Says a phrase now (at most 500 characters; control characters are
    /// dropped).
    async fn say(&self, text: String) -> Result<(), Error> {
        self.controller
            .apply(Command::Say(text))
            .await
            .map_err(Error::from)
    }

    /// Every finished, stopped or interrupted session, oldest first:
    /// program, program name, start and end (RFC 3339), steps done, step
    /// count, completed, outcome (finished, stopped, interrupted) and
    /// seconds walked.
    #[zbus(out_args("sessions"))]
    async fn history(&self) -> Result<Vec<HistoryRow>, Error> {
        ask(&self.controller, |c| {
            Ok(c.history()?.into_iter().map(history_row).collect())
        })
        .await
    }

    /// As `History`, a page at a time: the `limit` sessions (at most
    /// 1000) before the newest `offset`, oldest first, and how many there
    /// are in all. A long history is read without one huge reply.
    #[zbus(out_args("sessions", "total"))]
    async fn history_page(&self, offset: u32, limit: u32) -> Result<(Vec<HistoryRow>, u32), Error> {
        ask(&self.controller, move |c| {
            let whose = Whose::Active;
            let (entries, total) = c.history_page(&whose, offset as usize, limit as usize)?;
            Ok((
                entries.into_iter().map(history_row).collect(),
                u32::try_from(total).unwrap_or(u32::MAX),
            ))
        })
        .await
    }

    /// The history a page at a time as `HistoryPage` gives it, each
    /// session one dictionary with every field that has a value: program,
    /// program_name, start, end (RFC 3339), steps_done, step_count,
    /// completed, outcome, walked, walked_backward, top_backward_speed,
    /// units, course, course_session, rating, distance_m,
    /// heart_rate_average, heart_rate_max, minutes_above_limit,
    /// program_distance_m, session, walker (the names and meanings of the
    /// web API's `/api/history`).
    #[zbus(out_args("sessions", "total"))]
    async fn history_records(&self, offset: u32, limit: u32) -> Result<Records, Error> {
        let page = (Whose::Active, offset, limit);
        ask(&self.controller, move |c| super::record::page(c, page)).await
    }

    /// As `HistoryRecords`, of the walker named `walker`, or of every
    /// walker when it is empty.
    #[zbus(out_args("sessions", "total"))]
    async fn walker_history_records(
        &self,
        walker: String,
        offset: u32,
        limit: u32,
    ) -> Result<Records, Error> {
        let whose = match walker.trim() {
            "" => Whose::All,
            name => Whose::Named(name.to_string()),
        };
        ask(&self.controller, move |c| {
            super::record::page(c, (whose, offset, limit))
        })
        .await
    }

    /// The walkers, in the order they were added: name, whether they are
    /// the active walker, their own heart-rate limit (0: the machine's)
    /// and units ("": the machine's).
    #[zbus(out_args("walkers"))]
    async fn list_walkers(&self) -> Result<Vec<(String, bool, u32, String)>, Error> {
        ask(&self.controller, |c| {
            Ok(c.walkers()
                .into_iter()
                .map(|w| {
                    let heart_max = w.heart_max.map_or(0, u32::from);
                    (w.name, w.active, heart_max, w.units.unwrap_or_default())
                })
                .collect())
        })
        .await
    }

    /// Adds a walker (a name of 1 to 32 characters, unique whatever its
    /// case), with a course and history of their own.
    async fn add_walker(
        &self,
        #[zbus(object_server)] server: &ObjectServer,
        name: String,
    ) -> Result<(), Error> {
        let result = ask(&self.controller, move |c| c.add_walker(&name)).await;
        self.told(server, result).await
    }

    /// Makes `name` the active walker: their course, history, heart-rate
    /// limit and units from now on, and the headphones' Play starts their
    /// session. Refused while another walker's session is under way.
    async fn use_walker(
        &self,
        #[zbus(object_server)] server: &ObjectServer,
        name: String,
    ) -> Result<(), Error> {
        self.apply(server, Command::UseWalker(name)).await
    }

    /// Gives the walker `name` the name `new_name` (1 to 32 characters,
    /// unique whatever its case); their history follows them, as entries
    /// name their walker by an id that stays theirs.
    async fn rename_walker(
        &self,
        #[zbus(object_server)] server: &ObjectServer,
        name: String,
        new_name: String,
    ) -> Result<(), Error> {
        let result = ask(&self.controller, move |c| c.rename_walker(&name, &new_name)).await;
        self.told(server, result).await
    }

    /// Sets a walker's own heart-rate limit (60 to 240, or 0 for the
    /// machine's) and units ("km/h", "mph", or "" for the machine's).
    async fn set_walker(&self, name: String, heart_max: u32, units: String) -> Result<(), Error> {
        let heart_max = match heart_max {
            0 => None,
            bpm => Some(u16::try_from(bpm).unwrap_or(u16::MAX)),
        };
        let units = Some(units).filter(|u| !u.trim().is_empty());
        let set = move |c: &Controller| c.set_walker(&name, Some(heart_max), Some(units));
        ask(&self.controller, set).await
    }

    /// Removes a walker. Their history, course and records go to the
    /// state folder's `archive/` (its folder is returned), or are deleted
    /// for good when `delete` is true (an empty string is returned).
    /// Clients ask the person first. Refused while the walker walks, and
    /// for the only walker.
    #[zbus(out_args("archive"))]
    async fn remove_walker(
        &self,
        #[zbus(object_server)] server: &ObjectServer,
        name: String,
        delete: bool,
    ) -> Result<String, Error> {
        let record = if delete {
            RemovedRecord::Delete
        } else {
            RemovedRecord::Archive
        };
        let result = ask(&self.controller, move |c| c.remove_walker(&name, record)).await;
        let archive = result.as_ref().ok().cloned().flatten();
        self.told(server, result.map(drop)).await?;
        Ok(archive.map(|p| p.display().to_string()).unwrap_or_default())
    }

    /// Minutes walked forward and backward per week: the week's Monday
    /// (local date), forward minutes, backward minutes; oldest first.
    #[zbus(out_args("weeks"))]
    async fn weekly_minutes(&self) -> Result<Vec<(String, f64, f64)>, Error> {
        ask(&self.controller, |c| c.weekly_minutes(&Whose::Active)).await
    }

    /// Every course: id, name, description and number of sessions
    /// (counting each session's `times`).
    #[zbus(out_args("courses"))]
    async fn list_courses(&self) -> Result<Vec<(String, String, String, u32)>, Error> {
        ask(&self.controller, |c| {
            Ok(c.list_courses()
                .into_iter()
                .map(|c| (c.id, c.name, c.description, c.sessions))
                .collect())
        })
        .await
    }

    /// Follows a course from its first session; enrolling in the course
    /// followed already keeps the progress.
    async fn enrol(
        &self,
        #[zbus(object_server)] server: &ObjectServer,
        course: String,
    ) -> Result<(), Error> {
        let if_following = IfFollowing::Replace;
        let enrol = Command::Enrol {
            course,
            if_following,
        };
        self.apply(server, enrol).await
    }

    /// Follows no course any more.
    async fn leave(&self, #[zbus(object_server)] server: &ObjectServer) -> Result<(), Error> {
        self.apply(server, Command::Leave).await
    }

    /// Starts the course's next session, due or not, replacing one under
    /// way as Start does.
    async fn start_today(&self, #[zbus(object_server)] server: &ObjectServer) -> Result<(), Error> {
        let today = Command::StartToday(IfRunning::Replace);
        self.apply(server, today).await
    }

    /// Rates the course session that ended last: too-hard, right or
    /// too-easy. A second rating replaces the first.
    async fn rate(
        &self,
        #[zbus(object_server)] server: &ObjectServer,
        rating: String,
    ) -> Result<(), Error> {
        self.apply(server, Command::Rate(rating)).await
    }

    /// Every session of the course followed, counting `times`: index from
    /// 0, program, state ("done", "next", "to come"), when it was last
    /// walked (RFC 3339, empty if never) and how ("done, right", "not
    /// done, too-hard"...).
    #[zbus(out_args("sessions"))]
    async fn course_overview(&self) -> Result<Vec<(u32, String, String, String, String)>, Error> {
        ask(&self.controller, |c| {
            Ok(c.course_overview()?
                .into_iter()
                .map(|r| (r.walk, r.program, r.state, r.last_walked, r.last_outcome))
                .collect())
        })
        .await
    }

    /// Every session of the history that was a course's: its start (RFC
    /// 3339, as History gives it), the course, the session number (from
    /// 0, counting `times`) and its rating.
    #[zbus(out_args("sessions"))]
    async fn course_history(&self) -> Result<Vec<(String, String, u32, String)>, Error> {
        ask(&self.controller, |c| c.course_history()).await
    }

    /// The backward walking of every session of the history: its start
    /// (as History gives it), the seconds walked backward, the fastest
    /// backward speed walked (0 when none) and its units ("" when none).
    #[zbus(out_args("sessions"))]
    async fn backward_history(&self) -> Result<Vec<(String, f64, f64, String)>, Error> {
        ask(&self.controller, |c| {
            Ok(c.history()?
                .into_iter()
                .map(|e| {
                    let top = e.top_backward_speed.unwrap_or(0.0);
                    (e.start, e.walked_backward, top, e.units.unwrap_or_default())
                })
                .collect())
        })
        .await
    }

    /// Re-reads the configuration; a broken one is reported (with a
    /// ConfigError signal too) and the old one stays in force.
    #[zbus(out_args("warnings"))]
    async fn reload(&self) -> Result<Vec<String>, Error> {
        self.controller.reload().await.map_err(Error::from)
    }

    /// idle, running, paused, finished or stopped.
    #[zbus(property)]
    fn state(&self) -> String {
        self.announcer.shown().state.as_str().to_string()
    }

    /// The program's id; empty with no session.
    #[zbus(property)]
    fn program(&self) -> String {
        self.announcer.shown().program
    }

    #[zbus(property)]
    fn program_name(&self) -> String {
        self.announcer.shown().program_name
    }

    /// The step under way, from 0.
    #[zbus(property)]
    fn step_index(&self) -> u32 {
        self.announcer.shown().step_index
    }

    #[zbus(property)]
    fn step_count(&self) -> u32 {
        self.announcer.shown().step_count
    }

    #[zbus(property)]
    fn step_name(&self) -> String {
        self.announcer.shown().step_name
    }

    /// forward or backward.
    #[zbus(property)]
    fn direction(&self) -> String {
        self.announcer.shown().direction_name().to_string()
    }

    /// Belt speed of the step, in `Units`.
    #[zbus(property)]
    fn speed(&self) -> f64 {
        self.announcer.shown().speed
    }

    /// Incline of the step, in percent.
    #[zbus(property)]
    fn incline(&self) -> f64 {
        self.announcer.shown().incline
    }

    /// The active walker's name: whose session, course and history.
    #[zbus(property)]
    fn walker(&self) -> String {
        self.announcer.shown().walker
    }

    /// mph or km/h.
    #[zbus(property)]
    fn units(&self) -> String {
        self.announcer.shown().units_label().to_string()
    }

    /// Length of the step, in seconds.
    #[zbus(property)]
    fn step_length(&self) -> f64 {
        self.announcer.shown().step_length
    }

    /// Seconds left in the step as of the last change; exact while paused.
    #[zbus(property)]
    fn step_remaining(&self) -> f64 {
        self.announcer.shown().step_remaining
    }

    /// When the step ends, in microseconds since the Unix epoch, while
    /// running (0 otherwise): count down from it without polling.
    #[zbus(property)]
    fn step_ends_at(&self) -> i64 {
        self.announcer.shown().step_ends_at
    }

    /// When the session ends, likewise.
    #[zbus(property)]
    fn session_ends_at(&self) -> i64 {
        self.announcer.shown().session_ends_at
    }

    /// Seconds into the session, as of the last change.
    #[zbus(property)]
    fn elapsed(&self) -> f64 {
        self.announcer.shown().elapsed
    }

    #[zbus(property)]
    fn session_length(&self) -> f64 {
        self.announcer.shown().session_length
    }

    /// Why a paused session is paused: "requested", "device" (the audio
    /// device is gone; the session goes on by itself when it is back) or
    /// "restored" (brought back after treadcued stopped); empty unless
    /// paused.
    #[zbus(property)]
    fn pause_reason(&self) -> String {
        self.announcer.shown().pause_reason.as_str().to_string()
    }

    /// The step after this one as a person reads it; empty at the last.
    #[zbus(property)]
    fn next_step(&self) -> String {
        self.announcer.shown().next_step
    }

    /// The course followed, by id; empty when none.
    #[zbus(property)]
    fn course(&self) -> String {
        self.announcer.shown().course.id
    }

    #[zbus(property)]
    fn course_name(&self) -> String {
        self.announcer.shown().course.name
    }

    /// The course's next session, from 0, counting each session's
    /// `times`; equal to CourseSessions once the course is done.
    #[zbus(property)]
    fn course_session(&self) -> u32 {
        self.announcer.shown().course.session
    }

    #[zbus(property)]
    fn course_sessions(&self) -> u32 {
        self.announcer.shown().course.sessions
    }

    /// When the next session is due, in microseconds since the Unix
    /// epoch; 0 when it is due now.
    #[zbus(property)]
    fn next_due(&self) -> i64 {
        self.announcer.shown().course.next_due
    }

    /// How the course walk that ended last was rated: "unrated",
    /// "too-hard", "right" or "too-easy"; empty before the first walk.
    #[zbus(property)]
    fn last_rating(&self) -> String {
        self.announcer.shown().course.last_rating
    }

    /// A Bluetooth treadmill is connected.
    #[zbus(property)]
    fn treadmill_connected(&self) -> bool {
        self.announcer.shown().fitness.treadmill_connected
    }

    /// The belt's speed as the treadmill reports it, in `Units`; 0 with
    /// no treadmill.
    #[zbus(property)]
    fn belt_speed(&self) -> f64 {
        self.announcer.shown().fitness.belt_speed
    }

    /// The treadmill's incline, percent.
    #[zbus(property)]
    fn belt_incline(&self) -> f64 {
        self.announcer.shown().fitness.belt_incline
    }

    /// Metres the belt ran this session.
    #[zbus(property)]
    fn belt_distance(&self) -> f64 {
        self.announcer.shown().fitness.belt_distance
    }

    /// Beats per minute from the heart-rate strap; 0 when there is none.
    #[zbus(property)]
    fn heart_rate(&self) -> u32 {
        self.announcer.shown().fitness.heart_rate
    }

    /// From 0 to 1.
    #[zbus(property)]
    fn volume(&self) -> f64 {
        self.controller.controller().volume()
    }

    #[zbus(property)]
    fn set_volume(&mut self, volume: f64) -> Result<(), Error> {
        // Setting the volume never blocks: it is applied on the bus's task.
        let set = Command::SetVolume(volume);
        self.controller.controller().apply(set).map_err(Error::from)
    }

    /// A step started: index, name, direction, speed, incline, length in
    /// seconds.
    #[zbus(signal)]
    pub async fn step_started(
        emitter: &SignalEmitter<'_>,
        index: u32,
        name: &str,
        direction: &str,
        speed: f64,
        incline: f64,
        length: f64,
    ) -> zbus::Result<()>;

    /// The session ended: program id, and whether it ran to the end.
    #[zbus(signal)]
    pub async fn session_finished(
        emitter: &SignalEmitter<'_>,
        program: &str,
        completed: bool,
    ) -> zbus::Result<()>;

    /// The checkpoint or the history could not be written: what failed.
    /// Ended sessions are kept and written when the storage is back.
    #[zbus(signal)]
    pub async fn storage_error(emitter: &SignalEmitter<'_>, message: &str) -> zbus::Result<()>;

    /// A reload found a broken configuration; the old one stays.
    #[zbus(signal)]
    pub async fn config_error(emitter: &SignalEmitter<'_>, message: &str) -> zbus::Result<()>;
}
