//! What the controller keeps on disk: the running session's checkpoint,
//! brought back after a crash, and the history of sessions that ended.

use std::time::SystemTime;

use super::{ControlError, Controller};
use crate::audio::sequencer::Event;
use crate::session::{Session, from_micros, micros};
use crate::store::history::Outcome;
use crate::store::{Checkpoint, Entry, StateFiles};

impl Controller {
    /// Writes a finished session to the history, then lets its checkpoint
    /// go: a crash between the two finds the entry and drops the
    /// checkpoint.
    pub(super) fn record_end(&self, entry: &Entry) {
        let _writing = self.writing.lock().unwrap_or_else(|p| p.into_inner());
        if let Err(e) = self.state.history.append(entry) {
            tracing::error!("{e}");
        }
        if let Err(e) = self.state.checkpoint.clear() {
            tracing::error!("{e}");
        }
    }

    /// Saves where the session stands, or clears the checkpoint when no
    /// session is active.
    pub fn save_checkpoint(&self) {
        let _writing = self.writing.lock().unwrap_or_else(|p| p.into_inner());
        let saved = match self.checkpoint() {
            Some(checkpoint) => self.state.checkpoint.save(&checkpoint),
            None => self.state.checkpoint.clear(),
        };
        if let Err(e) = saved {
            tracing::error!("{e}");
        }
    }

    /// The active session as a checkpoint.
    fn checkpoint(&self) -> Option<Checkpoint> {
        let session = self.session();
        let plan = session.plan().filter(|_| session.is_active())?.clone();
        let (step, at) = self
            .player
            .with_session(|s| (s.step(), s.position()))
            .unwrap_or((session.step(), 0));
        Some(Checkpoint {
            program: plan.program_id.clone(),
            program_name: plan.program_name.clone(),
            started_at: micros(session.started_at()),
            state: session.state().as_str().to_string(),
            step,
            step_count: plan.steps.len(),
            position: plan.seconds(at),
            saved_at: micros(SystemTime::now()),
        })
    }

    /// The way out at SIGTERM: the session pauses with a fade and is
    /// checkpointed, to come back paused at the next start.
    pub fn suspend(&self) {
        if self.session().is_active() {
            self.act(|s| s.pause().then(|| Event::Paused { at: s.position() }));
        }
        self.save_checkpoint();
    }

    /// Brings back a checkpointed session, paused where it was. A session
    /// already in the history (it ended just before a crash) is dropped.
    pub fn restore(&self, checkpoint: &Checkpoint) -> Result<(), String> {
        if self.state.history.contains(checkpoint.started_at) {
            return self.state.checkpoint.clear();
        }
        let setup = self.setup();
        let program = setup
            .catalog
            .load(&checkpoint.program)
            .map_err(|e| format!("cannot bring back {}: {e}", checkpoint.program))?;
        let (plan, bank) = self.prepare(&setup, &program).map_err(|e| e.to_string())?;
        let at = (checkpoint.position.max(0.0) * f64::from(plan.sample_rate)) as u64;
        self.player
            .start_at(plan.clone(), bank.sounds_for(&plan), Some(at))
            .map_err(|e| e.to_string())?;
        let step = self.player.with_session(|s| s.step()).unwrap_or(0);
        let at = self.player.with_session(|s| s.position()).unwrap_or(at);
        self.session()
            .restored(plan, step, at, from_micros(checkpoint.started_at));
        self.save_checkpoint();
        Ok(())
    }

    /// Gives up a checkpointed session: it goes to the history as
    /// interrupted.
    pub fn discard(&self, checkpoint: &Checkpoint) {
        if !self.state.history.contains(checkpoint.started_at) {
            let entry = Entry {
                program: checkpoint.program.clone(),
                program_name: checkpoint.program_name.clone(),
                start: rfc3339(from_micros(checkpoint.started_at)),
                end: rfc3339(from_micros(checkpoint.saved_at)),
                steps_done: checkpoint.step as u32,
                step_count: checkpoint.step_count as u32,
                completed: false,
                outcome: Outcome::Interrupted,
                walked: checkpoint.position,
                session: checkpoint.started_at,
            };
            self.record_end(&entry);
        } else if let Err(e) = self.state.checkpoint.clear() {
            tracing::error!("{e}");
        }
    }

    /// Every session in the history, oldest first; damaged lines (a
    /// power cut can tear the last one) are left out.
    pub fn history(&self) -> Result<Vec<Entry>, ControlError> {
        let read = self.state.history.read().map_err(ControlError::Storage)?;
        if read.damaged > 0 {
            tracing::warn!(
                "{}: {} damaged line(s) left out",
                self.state.history.path.display(),
                read.damaged
            );
        }
        Ok(read.entries)
    }

    pub fn state_files(&self) -> &StateFiles {
        &self.state
    }
}

/// The history's entry for a session ending at sample `at`.
pub(super) fn history_entry(
    session: &Session,
    at: u64,
    outcome: Outcome,
    now: SystemTime,
) -> Option<Entry> {
    let plan = session.plan()?;
    let finished = outcome == Outcome::Finished;
    let step_count = plan.steps.len() as u32;
    Some(Entry {
        program: plan.program_id.clone(),
        program_name: plan.program_name.clone(),
        start: rfc3339(session.started_at()),
        end: rfc3339(now),
        steps_done: if finished {
            step_count
        } else {
            session.step() as u32
        },
        step_count,
        completed: finished,
        outcome,
        walked: plan.seconds(at.min(plan.length)),
        session: micros(session.started_at()),
    })
}

fn rfc3339(t: SystemTime) -> String {
    humantime::format_rfc3339_seconds(t).to_string()
}
