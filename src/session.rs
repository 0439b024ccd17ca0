//! The session: what is playing and where it stands, fed with commands'
//! results and the sequencer's events. Pure: it knows nothing of D-Bus or
//! devices, and takes the wall clock as an argument.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;

use crate::audio::sequencer::Event;
use crate::plan::Plan;

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
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Status {
    pub state: State,
    pub program: String,
    pub program_name: String,
    /// From 0; 0 with no session.
    pub step_index: u32,
    pub step_count: u32,
    pub step_name: String,
    pub direction: String,
    pub speed: f64,
    pub incline: f64,
    pub units: String,
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
}

pub struct Session {
    plan: Option<Arc<Plan>>,
    state: State,
    step: usize,
    /// Session sample of the last event, and when it happened.
    at: u64,
    at_time: SystemTime,
    /// Samples of silence before the clock starts, after a start.
    lead_in: u64,
    /// When the session was first started; it names the session in the
    /// checkpoint and the history.
    started_at: SystemTime,
}

impl Default for Session {
    fn default() -> Self {
        Session {
            plan: None,
            state: State::Idle,
            step: 0,
            at: 0,
            at_time: UNIX_EPOCH,
            lead_in: 0,
            started_at: UNIX_EPOCH,
        }
    }
}

impl Session {
    pub fn state(&self) -> State {
        self.state
    }

    pub fn plan(&self) -> Option<&Arc<Plan>> {
        self.plan.as_ref()
    }

    pub fn step(&self) -> usize {
        self.step
    }

    /// Whether pause, resume, skip and stop have something to act on.
    pub fn is_active(&self) -> bool {
        self.state.is_active()
    }

    /// A session starts; its clock starts after `lead_in` of silence.
    pub fn started(&mut self, plan: Arc<Plan>, lead_in: Duration, now: SystemTime) {
        self.lead_in = (lead_in.as_secs_f64() * f64::from(plan.sample_rate)) as u64;
        self.plan = Some(plan);
        self.state = State::Running;
        self.step = 0;
        self.at = 0;
        self.at_time = now;
        self.started_at = now;
    }

    /// A session brought back from a checkpoint: paused at sample `at` of
    /// `step`, keeping the time it was first started.
    pub fn restored(&mut self, plan: Arc<Plan>, step: usize, at: u64, started_at: SystemTime) {
        self.plan = Some(plan);
        self.state = State::Paused;
        self.step = step;
        self.at = at;
        self.at_time = started_at;
        self.started_at = started_at;
        self.lead_in = 0;
    }

    pub fn started_at(&self) -> SystemTime {
        self.started_at
    }

    /// Takes an event of the sequencer; true when the status changed.
    pub fn on_event(&mut self, event: &Event, now: SystemTime) -> bool {
        let (state, at) = match *event {
            Event::StepStarted { step, at } => {
                self.step = step;
                (self.state, at)
            }
            Event::Paused { at } => (State::Paused, at),
            Event::Resumed { at } => (State::Running, at),
            Event::Finished { at } => (State::Finished, at),
            Event::Stopped { at } => (State::Stopped, at),
            Event::CueStarted { .. } => return false,
        };
        self.state = state;
        self.at = at;
        self.at_time = now;
        self.lead_in = 0;
        true
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
            direction: step.map_or_else(String::new, |s| s.direction.as_str().to_string()),
            speed: step.map_or(0.0, |s| s.speed),
            incline: step.map_or(0.0, |s| s.incline),
            units: plan.units.label().to_string(),
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
        }
    }
}

impl Status {
    fn idle() -> Status {
        Status {
            state: State::Idle,
            program: String::new(),
            program_name: String::new(),
            step_index: 0,
            step_count: 0,
            step_name: String::new(),
            direction: String::new(),
            speed: 0.0,
            incline: 0.0,
            units: String::new(),
            step_length: 0.0,
            step_remaining: 0.0,
            step_ends_at: 0,
            session_ends_at: 0,
            elapsed: 0.0,
            session_length: 0.0,
        }
    }
}

/// Microseconds since the Unix epoch: how clients and the checkpoint are
/// given times.
pub fn micros(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as i64)
}

pub fn from_micros(micros: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_micros(micros.max(0) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::built_in;
    use crate::cue_settings::CueSettings;
    use crate::phrasebook::Phrasebook;
    use crate::plan::{Estimates, compile};

    fn plan() -> Arc<Plan> {
        let program = built_in("demo").unwrap().unwrap();
        Arc::new(compile(
            &program,
            &CueSettings::default(),
            &Phrasebook::default(),
            &Estimates,
            1000,
        ))
    }

    #[test]
    fn a_session_follows_its_events_and_counts_down_on_the_wall_clock() {
        let t0 = UNIX_EPOCH + Duration::from_secs(1_000_000);
        let mut session = Session::default();
        assert_eq!(session.status().state, State::Idle);
        let plan = plan();
        session.started(plan.clone(), Duration::ZERO, t0);
        let status = session.status();
        assert_eq!(
            (status.state, status.step_index, status.step_count),
            (State::Running, 0, 3)
        );
        assert_eq!(status.step_ends_at, micros(t0) + 23_000_000);

        let t1 = t0 + Duration::from_secs(23);
        assert!(session.on_event(
            &Event::StepStarted {
                step: 1,
                at: plan.steps[1].start
            },
            t1
        ));
        let status = session.status();
        assert_eq!(
            (status.step_index, status.direction.as_str()),
            (1, "backward")
        );
        assert_eq!(status.step_ends_at, micros(t1) + 23_000_000);

        let t2 = t1 + Duration::from_secs(3);
        session.on_event(
            &Event::Paused {
                at: plan.steps[1].start + 3000,
            },
            t2,
        );
        let status = session.status();
        assert_eq!(
            (status.state, status.step_ends_at, status.step_remaining),
            (State::Paused, 0, 20.0)
        );

        let t3 = t2 + Duration::from_secs(60);
        session.on_event(
            &Event::Resumed {
                at: plan.steps[1].start + 3000,
            },
            t3,
        );
        assert_eq!(session.status().step_ends_at, micros(t3) + 20_000_000);

        session.on_event(&Event::Finished { at: plan.end }, t3);
        assert_eq!(session.status().state, State::Finished);
        assert!(!session.is_active());
    }
}
