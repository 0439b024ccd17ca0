//! The session: what is playing and where it stands, fed with commands'
//! results and the sequencer's events. Pure: it knows nothing of D-Bus or
//! devices, and takes the wall clock as an argument.

mod status;

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::audio::sequencer::{PlayState, Snapshot};
pub use crate::calendar::{from_micros, micros};
use crate::course::{CourseStatus, CourseWalk};
use crate::plan::Plan;
pub use status::{PauseReason, Property, State, Status};

/// What taking a player snapshot changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Applied {
    /// Anything a client sees.
    pub changed: bool,
    /// A step began (by the clock or a skip): its index.
    pub step_started: Option<usize>,
    /// The session ended here, and how: it is recorded once, by whoever
    /// gets this.
    pub ended: Option<State>,
}

pub struct Session {
    plan: Option<Arc<Plan>>,
    state: State,
    pause_reason: PauseReason,
    step: usize,
    /// Session sample of the last snapshot, and when it was taken.
    at: u64,
    at_time: SystemTime,
    /// Samples of silence before the clock starts, after a start.
    lead_in: u64,
    /// The player's count of step starts last seen.
    step_starts: u64,
    /// Samples walked forward and backward, as of the last snapshot.
    walked: [u64; 2],
    /// The fastest backward step walked, as of the last snapshot.
    fastest_backward: Option<usize>,
    /// When the session was first started; it names the session in the
    /// checkpoint and the history.
    started_at: SystemTime,
    /// What the session counts for beyond itself.
    counting: Counting,
}

/// What a session counts for beyond itself: the walk of a course it is,
/// and whether a backward step was skipped (a course's walk is then not
/// done).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "CountingFields", into = "CountingFields")]
pub struct Counting {
    pub course: Option<CourseTag>,
    pub skipped_backward: bool,
    /// Whose walk it is; `None` in entries and checkpoints written
    /// before there were walkers, which are the first walker's.
    pub walker: Option<WalkerTag>,
}

/// The walker a session is for, by the id that stays theirs and the name
/// they had then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkerTag {
    pub id: u32,
    pub name: String,
}

/// A session that is a walk of a course.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourseTag {
    pub course: String,
    pub walk: CourseWalk,
}

/// [`Counting`] as the history and the checkpoint write it: flat keys,
/// each left out when empty (`"course": "from-zero", "course_session": 4`).
#[derive(Default, Serialize, Deserialize)]
struct CountingFields {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    course: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    course_session: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    eased_from: Option<u32>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    skipped_backward: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    walker: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    walker_id: Option<u32>,
}

impl From<CountingFields> for Counting {
    fn from(fields: CountingFields) -> Counting {
        let course = fields.course.map(|course| CourseTag {
            course,
            walk: CourseWalk {
                walk: fields.course_session.unwrap_or(0),
                eased_from: fields.eased_from,
            },
        });
        let walker = fields.walker_id.map(|id| WalkerTag {
            id,
            name: fields.walker.unwrap_or_default(),
        });
        Counting {
            course,
            skipped_backward: fields.skipped_backward,
            walker,
        }
    }
}

impl From<Counting> for CountingFields {
    fn from(counting: Counting) -> CountingFields {
        let walk = counting.course.as_ref().map(|c| c.walk);
        CountingFields {
            course: counting.course.map(|c| c.course),
            course_session: walk.map(|w| w.walk),
            eased_from: walk.and_then(|w| w.eased_from),
            skipped_backward: counting.skipped_backward,
            walker: counting.walker.as_ref().map(|w| w.name.clone()),
            walker_id: counting.walker.map(|w| w.id),
        }
    }
}

impl Default for Session {
    fn default() -> Self {
        Session {
            plan: None,
            state: State::Idle,
            pause_reason: PauseReason::None,
            step: 0,
            at: 0,
            at_time: UNIX_EPOCH,
            lead_in: 0,
            step_starts: 0,
            walked: [0, 0],
            fastest_backward: None,
            started_at: UNIX_EPOCH,
            counting: Counting::default(),
        }
    }
}

impl Session {
    pub fn pause_reason(&self) -> PauseReason {
        self.pause_reason
    }

    pub fn state(&self) -> State {
        self.state
    }

    pub fn plan(&self) -> Option<&Arc<Plan>> {
        self.plan.as_ref()
    }

    pub fn step(&self) -> usize {
        self.step
    }

    /// Session sample as of the last snapshot.
    pub fn position(&self) -> u64 {
        self.at
    }

    /// Samples walked forward and backward, as of the last snapshot.
    pub fn walked(&self) -> [u64; 2] {
        self.walked
    }

    /// The fastest backward step walked, as of the last snapshot.
    pub fn fastest_backward(&self) -> Option<usize> {
        self.fastest_backward
    }

    /// Whether pause, resume, skip and stop have something to act on.
    pub fn is_active(&self) -> bool {
        self.state.is_active()
    }

    /// A session starts from `snapshot` of its new sequencer.
    pub fn started(&mut self, plan: Arc<Plan>, snapshot: &Snapshot, now: SystemTime) {
        *self = Session {
            plan: Some(plan),
            started_at: now,
            ..Session::default()
        };
        self.take(snapshot, now);
    }

    /// A session brought back from a checkpoint, keeping the time it was
    /// first started.
    pub fn restored(&mut self, plan: Arc<Plan>, snapshot: &Snapshot, started_at: SystemTime) {
        *self = Session {
            plan: Some(plan),
            started_at,
            ..Session::default()
        };
        self.take(snapshot, started_at);
        self.pause_reason = PauseReason::Restored;
    }

    /// Ends the session as stopped where it stands: it was replaced.
    pub fn stopped(&mut self) {
        if self.is_active() {
            self.state = State::Stopped;
            self.pause_reason = PauseReason::None;
        }
    }

    pub fn started_at(&self) -> SystemTime {
        self.started_at
    }

    pub fn counting(&self) -> &Counting {
        &self.counting
    }

    /// Says what the session counts for: set once it started or was
    /// brought back.
    pub fn count_as(&mut self, counting: Counting) {
        self.counting = counting;
    }

    /// The session was paused for `reason`, which a snapshot alone does
    /// not show: it stays the reason while the session stays paused.
    pub fn paused_for(&mut self, reason: PauseReason) {
        self.pause_reason = reason;
    }

    /// A backward step was skipped: the session is no course walk done.
    pub fn skipped_backward(&mut self) {
        self.counting.skipped_backward = true;
    }

    /// Takes where the player stands. Only the active session follows its
    /// player: an ended one keeps what it ended with.
    pub fn apply(&mut self, snapshot: &Snapshot, now: SystemTime) -> Applied {
        if !self.is_active() {
            return Applied::default();
        }
        let before = (self.state, self.step, self.pause_reason, self.step_starts);
        let step_started = (snapshot.step_starts != self.step_starts).then_some(snapshot.step);
        let mut next = Session {
            plan: self.plan.clone(),
            pause_reason: self.pause_reason,
            started_at: self.started_at,
            counting: self.counting.clone(),
            ..Session::default()
        };
        next.take(snapshot, now);
        let after = (next.state, next.step, next.pause_reason, next.step_starts);
        if before == after {
            // A running clock moves on as it was told; a new time for the
            // same change would only make clients count again.
            return Applied::default();
        }
        *self = next;
        Applied {
            changed: true,
            step_started,
            ended: (!self.is_active()).then_some(self.state),
        }
    }

    fn take(&mut self, snapshot: &Snapshot, now: SystemTime) {
        let length = self.plan.as_ref().map_or(0, |p| p.steps.len());
        self.state = match snapshot.state {
            PlayState::Playing => State::Running,
            PlayState::Paused => State::Paused,
            PlayState::Finished => State::Finished,
            PlayState::Stopped => State::Stopped,
        };
        self.pause_reason = match (self.state, snapshot.device_lost, self.pause_reason) {
            (State::Paused, true, _) => PauseReason::Device,
            (State::Paused, false, _) if snapshot.held_at_gate => PauseReason::Belt,
            (State::Paused, false, reason @ (PauseReason::Restored | PauseReason::Treadmill)) => {
                reason
            }
            (State::Paused, false, _) => PauseReason::Requested,
            _ => PauseReason::None,
        };
        // A plan with no steps (a phrase) is never a session's.
        self.step = snapshot.step.min(length.saturating_sub(1));
        self.at = snapshot.position;
        self.at_time = now;
        self.lead_in = snapshot.lead_in;
        self.step_starts = snapshot.step_starts;
        self.walked = snapshot.walked;
        self.fastest_backward = snapshot.fastest_backward;
    }

    /// The status at `now`.
    pub fn status(&self) -> Status {
        let Some(plan) = &self.plan else {
            return Status::idle();
        };
        let seconds = |samples: u64| plan.seconds(samples);
        let step = plan.steps.get(self.step);
        let step_end = step.map_or(plan.length, |s| s.end());
        let running = self.state == State::Running;
        let lead_in = seconds(self.lead_in);
        let wall = |samples_ahead: u64| {
            if running {
                micros(self.at_time) + ((seconds(samples_ahead) + lead_in) * 1e6) as i64
            } else {
                0
            }
        };
        Status {
            state: self.state,
            program: plan.program_id.clone(),
            program_name: plan.program_name.clone(),
            step_index: self.step as u32,
            step_count: plan.steps.len() as u32,
            step_name: step.map_or_else(String::new, |s| s.name.clone()),
            direction: step.map(|s| s.direction),
            speed: step.map_or(0.0, |s| s.speed),
            incline: step.map_or(0.0, |s| s.incline),
            units: Some(plan.units),
            step_length: step.map_or(0.0, |s| seconds(s.length)),
            step_remaining: if self.is_active() {
                seconds(step_end.saturating_sub(self.at))
            } else {
                0.0
            },
            step_ends_at: wall(step_end.saturating_sub(self.at)),
            session_ends_at: wall(plan.length.saturating_sub(self.at)),
            elapsed: seconds(self.at.min(plan.length)),
            session_length: seconds(plan.length),
            pause_reason: self.pause_reason,
            next_step: plan
                .steps
                .get(self.step + 1)
                .map(|next| describe_step(next, plan))
                .unwrap_or_default(),
            volume: 0.0,
            course: CourseStatus::default(),
            fitness: Default::default(),
            walker: String::new(),
        }
    }
}

/// A step as a person reads it: "Backward at 0.8 mph, incline 0%, for 0:30"
/// (with its name first when the name is not just its direction).
fn describe_step(step: &crate::plan::PlannedStep, plan: &Plan) -> String {
    let direction = step.direction.as_str();
    let mut words = String::new();
    if !step.name.eq_ignore_ascii_case(direction) {
        words.push_str(&format!("{}: ", step.name));
    }
    let mut chars = direction.chars();
    let direction: String = chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    words.push_str(&format!(
        "{direction} at {} {}, incline {}%, for {}",
        step.speed,
        plan.units.label(),
        step.incline,
        crate::program::clock(Duration::from_secs_f64(plan.seconds(step.length)))
    ));
    words
}

#[cfg(test)]
mod tests;
