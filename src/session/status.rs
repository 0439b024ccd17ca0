//! Everything a client shows of the session as of one moment, and the
//! one table of its properties by the names the native D-Bus interface
//! gives them: D-Bus announces their changes from it, and the web remote
//! sends it as JSON.

use serde::Serialize;

use crate::course::CourseStatus;
use crate::program::{Direction, Units};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    Idle,
    Running,
    Paused,
    Finished,
    Stopped,
}

impl State {
    /// A session is loaded: pause, resume, skip and stop act on it.
    pub fn is_active(self) -> bool {
        matches!(self, State::Running | State::Paused)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            State::Idle => "idle",
            State::Running => "running",
            State::Paused => "paused",
            State::Finished => "finished",
            State::Stopped => "stopped",
        }
    }
}

/// Everything a client shows about the session, as of one moment.
#[derive(Debug, Clone, PartialEq)]
pub struct Status {
    pub state: State,
    pub program: String,
    pub program_name: String,
    /// From 0; 0 with no session.
    pub step_index: u32,
    pub step_count: u32,
    pub step_name: String,
    /// With no session, none.
    pub direction: Option<Direction>,
    pub speed: f64,
    pub incline: f64,
    /// With no session, none.
    pub units: Option<Units>,
    /// Length of the current step, in seconds.
    pub step_length: f64,
    /// Seconds left in the step: exact while paused, as of the last
    /// change while running.
    pub step_remaining: f64,
    /// Wall-clock end of the step in microseconds since the Unix epoch,
    /// while running; 0 otherwise. A client counts down from it without
    /// asking again.
    pub step_ends_at: i64,
    /// The same for the whole session.
    pub session_ends_at: i64,
    /// Seconds into the session, as of the last change.
    pub elapsed: f64,
    /// Length of the whole session, in seconds.
    pub session_length: f64,
    /// Why a paused session is paused; `None` unless paused.
    pub pause_reason: PauseReason,
    /// The step after this one as a person reads it ("Forward at 1.5 mph,
    /// incline 0%, for 1:30"); empty at the last step.
    pub next_step: String,
    /// The player's volume, 0 to 1: not the session's, but announced with
    /// it so both interfaces tell every change.
    pub volume: f64,
    /// The course the walker follows, announced with the session for the
    /// same reason.
    pub course: CourseStatus,
    /// What the treadmill and the heart-rate strap report.
    pub fitness: crate::fitness::FitnessStatus,
    /// The active walker's name: whose session, course and history.
    pub walker: String,
}

/// Why a paused session is paused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PauseReason {
    /// Not paused.
    None,
    /// A client or a headphone button asked.
    Requested,
    /// The audio device is gone; the session goes on when it is back.
    Device,
    /// Brought back after treadcued stopped or crashed.
    Restored,
    /// Held before a turn-around until the belt is slow enough; it goes
    /// on by itself when it is.
    Belt,
    /// The belt was stopped or paused at the treadmill's console, or by
    /// its safety key; it goes on when the belt is started there again.
    Treadmill,
}

impl PauseReason {
    pub fn as_str(self) -> &'static str {
        match self {
            PauseReason::None => "",
            PauseReason::Requested => "requested",
            PauseReason::Device => "device",
            PauseReason::Restored => "restored",
            PauseReason::Belt => "belt",
            PauseReason::Treadmill => "treadmill",
        }
    }
}

/// One property's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Property {
    Text(String),
    Number(f64),
    Count(u32),
    /// Microseconds since the Unix epoch.
    Time(i64),
    Flag(bool),
}

impl Status {
    pub(super) fn idle() -> Status {
        Status {
            state: State::Idle,
            program: String::new(),
            program_name: String::new(),
            step_index: 0,
            step_count: 0,
            step_name: String::new(),
            direction: None,
            speed: 0.0,
            incline: 0.0,
            units: None,
            step_length: 0.0,
            step_remaining: 0.0,
            step_ends_at: 0,
            session_ends_at: 0,
            elapsed: 0.0,
            session_length: 0.0,
            pause_reason: PauseReason::None,
            next_step: String::new(),
            volume: 0.0,
            course: CourseStatus::default(),
            fitness: Default::default(),
            walker: String::new(),
        }
    }

    /// "forward" or "backward"; empty with no session.
    pub fn direction_name(&self) -> &'static str {
        self.direction.map_or("", Direction::as_str)
    }

    /// "mph" or "km/h"; empty with no session.
    pub fn units_label(&self) -> &'static str {
        self.units.map_or("", Units::label)
    }

    /// Every property, by its D-Bus name, in the interface's order.
    pub fn properties(&self) -> Vec<(&'static str, Property)> {
        use Property::{Count, Flag, Number, Text, Time};
        let text = |s: &str| Text(s.to_string());
        let (c, f) = (&self.course, &self.fitness);
        vec![
            ("State", text(self.state.as_str())),
            ("Program", text(&self.program)),
            ("ProgramName", text(&self.program_name)),
            ("StepIndex", Count(self.step_index)),
            ("StepCount", Count(self.step_count)),
            ("StepName", text(&self.step_name)),
            (
                "Direction",
                text(self.direction.map_or("", Direction::as_str)),
            ),
            ("Speed", Number(self.speed)),
            ("Incline", Number(self.incline)),
            ("Units", text(self.units_label())),
            ("StepLength", Number(self.step_length)),
            ("StepRemaining", Number(self.step_remaining)),
            ("StepEndsAt", Time(self.step_ends_at)),
            ("SessionEndsAt", Time(self.session_ends_at)),
            ("Elapsed", Number(self.elapsed)),
            ("SessionLength", Number(self.session_length)),
            ("PauseReason", text(self.pause_reason.as_str())),
            ("NextStep", text(&self.next_step)),
            ("Volume", Number(self.volume)),
            ("Walker", text(&self.walker)),
            ("Course", text(&c.id)),
            ("CourseName", text(&c.name)),
            ("CourseSession", Count(c.session)),
            ("CourseSessions", Count(c.sessions)),
            ("NextDue", Time(c.next_due)),
            ("LastRating", text(&c.last_rating)),
            ("TreadmillConnected", Flag(f.treadmill_connected)),
            ("BeltSpeed", Number(f.belt_speed)),
            ("BeltIncline", Number(f.belt_incline)),
            ("BeltDistance", Number(f.belt_distance)),
            ("HeartRate", Count(f.heart_rate)),
        ]
    }

    /// The properties that differ from `before`'s.
    pub fn changed_since(&self, before: &Status) -> Vec<(&'static str, Property)> {
        let before = before.properties();
        self.properties()
            .into_iter()
            .zip(before)
            .filter(|((_, now), (_, was))| now != was)
            .map(|(now, _)| now)
            .collect()
    }
}
