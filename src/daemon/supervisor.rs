//! Telling systemd how the daemon is: ready once the bus name is owned,
//! a status line that follows the session, the watchdog while the work
//! goes on, and stopping. Without NOTIFY_SOCKET none of this is sent.

use std::time::Duration;

use sd_notify::NotifyState;

use crate::program::clock;
use crate::session::{State, Status};

pub struct Supervisor {
    watchdog: Option<Duration>,
}

impl Supervisor {
    pub fn from_env() -> Supervisor {
        Supervisor {
            watchdog: sd_notify::watchdog_enabled(),
        }
    }

    /// How often to ping the watchdog: twice per timeout, as systemd asks.
    pub fn watchdog_interval(&self) -> Option<Duration> {
        self.watchdog.map(|timeout| timeout / 2)
    }

    pub fn ready(&self, status: &Status) {
        send(&[
            NotifyState::Ready,
            NotifyState::Status(&status_line(status)),
        ]);
    }

    pub fn status(&self, status: &Status) {
        send(&[NotifyState::Status(&status_line(status))]);
    }

    /// A status line of its own, like a refused reload.
    pub fn status_text(&self, text: &str) {
        send(&[NotifyState::Status(text)]);
    }

    pub fn watchdog(&self) {
        send(&[NotifyState::Watchdog]);
    }

    pub fn stopping(&self) {
        send(&[NotifyState::Stopping, NotifyState::Status("Stopping")]);
    }
}

fn send(states: &[NotifyState]) {
    if let Err(e) = sd_notify::notify(states) {
        tracing::warn!("cannot notify systemd: {e}");
    }
}

/// "Running retro-first-steps: step 3 of 14, Backward, 0:42 left".
pub fn status_line(status: &Status) -> String {
    let state = match status.state {
        State::Idle => return "Idle: no session".into(),
        State::Running => "Running",
        State::Paused => "Paused",
        State::Finished => "Finished",
        State::Stopped => "Stopped",
    };
    let left = clock(Duration::from_secs(status.step_remaining.round() as u64));
    format!(
        "{state} {}: step {} of {}, {}, {left} left",
        status.program,
        status.step_index + 1,
        status.step_count,
        status.step_name
    )
}
