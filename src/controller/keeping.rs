//! What the controller keeps on disk: the running session's checkpoint,
//! brought back after a crash, and the history of sessions that ended.
//! Storage may fail (a full disk, a folder gone read-only): the failure
//! reaches clients, an entry that could not be written is kept and
//! written when storage is back, and a session that ended never comes
//! back from a checkpoint left behind.

use std::time::SystemTime;

use super::recording::{Recording, ToWrite};
use super::{Change, ControlError, Controller};
use crate::audio::player::Restore;
use crate::session::{Session, from_micros, micros};
use crate::store::history::Outcome;
use crate::store::{Checkpoint, Entry, StateFiles};

/// What the writer remembers between writes.
#[derive(Default)]
pub(super) struct Keeping {
    /// Ended sessions whose history entry could not be written yet.
    unwritten: Vec<Entry>,
    /// The last storage failure told, so one failure is told once.
    told: Option<String>,
    /// A checkpoint found at the start that could not be brought back.
    leftover: Option<Checkpoint>,
}

impl Controller {
    fn keeping(&self) -> std::sync::MutexGuard<'_, Keeping> {
        crate::sync::lock(&self.writing)
    }

    /// Writes an ended session to the history, then lets its checkpoint
    /// go: a crash between the two finds the entry and drops the
    /// checkpoint. When the history cannot be written, the entry is kept
    /// (in memory, and in the checkpoint if that can still be written, so
    /// a restart records it rather than bringing the session back).
    pub(super) fn record_end(&self, entry: &Entry) -> Result<(), ControlError> {
        let mut keeping = self.keeping();
        keeping.unwritten.push(entry.clone());
        let result = self.write_unwritten(&mut keeping);
        self.tell_storage(&mut keeping, result.as_ref().err());
        result.map_err(|e| {
            ControlError::Storage(format!(
                "the session ended, but it could not be added to the history ({e}); \
                 treadcued keeps it and writes it when the storage is back"
            ))
        })
    }

    /// Writes what is waiting for the history, oldest first.
    fn write_unwritten(&self, keeping: &mut Keeping) -> Result<(), String> {
        while let Some(entry) = keeping.unwritten.first().cloned() {
            let history = self.walker_files(entry_walker(&entry)).history;
            if !history.contains(entry.session)
                && let Err(e) = history.append(&entry)
            {
                self.spill(&entry);
                return Err(e);
            }
            keeping.unwritten.remove(0);
        }
        if let Some(spill) = &self.state.spill {
            // Everything in it is in the history now.
            let _ = std::fs::remove_file(&spill.path);
        }
        if self.core().active().is_none() {
            self.state.checkpoint.clear()?;
        }
        Ok(())
    }

    /// Leaves word that a session ended where a restart finds it: in the
    /// checkpoint's place (never the running session it was), and in the
    /// spill outside the state folder, which may be all that can still be
    /// written.
    fn spill(&self, entry: &Entry) {
        let _ = self
            .state
            .checkpoint
            .save(&Checkpoint::ended(entry.clone()));
        if let Some(spill) = &self.state.spill
            && !spill.contains(entry.session)
            && let Err(e) = spill.append(entry)
        {
            tracing::warn!("{e}");
        }
    }

    /// At the start: sessions that ended while the history could not be
    /// written, kept in the spill, wait to be written, and their
    /// checkpoints are never taken for sessions to bring back.
    pub fn take_spilled(&self) {
        let Some(spill) = &self.state.spill else {
            return;
        };
        let Ok(read) = spill.read() else { return };
        if read.entries.is_empty() {
            return;
        }
        tracing::info!(
            "{} ended session(s) wait for the history in {}",
            read.entries.len(),
            spill.path.display()
        );
        let mut keeping = self.keeping();
        keeping.unwritten.extend(read.entries);
        let result = self.write_unwritten(&mut keeping);
        self.tell_storage(&mut keeping, result.as_ref().err());
    }

    /// Whether the session that started at `started_at` has ended: in the
    /// history, or waiting to be written to it.
    fn has_ended(&self, started_at: i64) -> bool {
        self.every_walkers_files()
            .iter()
            .any(|files| files.history.contains(started_at))
            || self
                .keeping()
                .unwritten
                .iter()
                .any(|e| e.session == started_at)
    }

    /// Ended sessions waiting for the storage, to be shown as history.
    pub(super) fn unwritten_entries(&self) -> Vec<Entry> {
        self.keeping().unwritten.clone()
    }

    /// Whether history entries wait for the storage to come back.
    pub fn storage_waiting(&self) -> bool {
        !self.keeping().unwritten.is_empty()
    }

    /// Tries again what could not be written.
    pub fn retry_storage(&self) {
        let mut keeping = self.keeping();
        let result = self.write_unwritten(&mut keeping);
        self.tell_storage(&mut keeping, result.as_ref().err());
    }

    /// Tells listeners of a new storage failure, or that it is over.
    fn tell_storage(&self, keeping: &mut Keeping, failure: Option<&String>) {
        match failure {
            Some(e) if keeping.told.as_ref() != Some(e) => {
                tracing::error!("{e}");
                keeping.told = Some(e.clone());
                self.notify(Change::Storage(e.clone()));
            }
            Some(_) => {}
            None => {
                if keeping.told.take().is_some() {
                    tracing::info!("the state folder can be written again");
                }
            }
        }
    }

    /// Saves where the session stands, or clears the checkpoint when no
    /// session is active.
    pub fn save_checkpoint(&self) {
        let _ = self.write_checkpoint();
    }

    /// A skip's checkpoint, written before its reply: a power cut right
    /// after the reply brings the session back where the walker was
    /// sent. When it cannot be written the reply says so (the skip
    /// itself stands).
    pub(super) fn checkpoint_before_reply(&self) -> Result<(), ControlError> {
        self.write_checkpoint().map_err(|e| {
            ControlError::Storage(format!(
                "done, but where the session stands could not be saved: {e}"
            ))
        })
    }

    /// As `save_checkpoint`, saying what went wrong. The record's new
    /// samples go to the disk first, so the checkpoint never counts a
    /// sample that is not there.
    fn write_checkpoint(&self) -> Result<(), String> {
        let mut keeping = self.keeping();
        if !keeping.unwritten.is_empty() {
            // The ended session's checkpoint must stay until its entry
            // is written.
            let result = self.write_unwritten(&mut keeping);
            self.tell_storage(&mut keeping, result.as_ref().err());
            result?;
        }
        let saved = match self.checkpoint() {
            Some((mut checkpoint, record)) => {
                checkpoint.records = self.write_record(record);
                self.state.checkpoint.save(&checkpoint)
            }
            None => self.state.checkpoint.clear(),
        };
        self.tell_storage(&mut keeping, saved.as_ref().err());
        saved
    }

    /// Appends samples to their session's file; how many the file holds
    /// after. Samples that cannot be written wait for the next time
    /// (a failing disk is told by the checkpoint's own failure).
    pub(super) fn write_record(&self, record: Option<ToWrite>) -> u64 {
        let Some(record) = record else { return 0 };
        let kept = record.kept_after;
        let records = self.walker_files(record.walker).records;
        match records.append(record.session, &record.samples) {
            Ok(()) => kept,
            Err(e) => {
                let written = kept - record.samples.len() as u64;
                let mut core = self.core();
                if !std::mem::replace(&mut core.recording.failure_told, true) {
                    tracing::warn!("{e}; the samples wait in memory and are tried again");
                }
                core.recording.unwritten(record);
                written
            }
        }
    }

    /// An ended session's last samples, written under the writer's lock
    /// so they follow any a checkpoint was writing; then the oldest
    /// records go if the folder is over its limit.
    pub(super) fn write_ended_record(&self, record: Option<ToWrite>) {
        let Some(record) = record else { return };
        let session = record.session;
        let _keeping = self.keeping();
        let records = self.walker_files(record.walker).records;
        if let Err(e) = records.append(session, &record.samples)
            && !record.failure_told
        {
            tracing::warn!("{e}; the session's last seconds are not in its record");
        }
        match records.bound(Some(session)) {
            Ok(dropped) if !dropped.is_empty() => tracing::info!(
                "{} oldest session record(s) dropped to keep {} under its limit",
                dropped.len(),
                records.dir.display()
            ),
            Ok(_) => {}
            Err(e) => tracing::warn!("{e}"),
        }
    }

    /// The active session as a checkpoint, with the record's samples
    /// taken at the same moment.
    fn checkpoint(&self) -> Option<(Checkpoint, Option<ToWrite>)> {
        let mut core = self.core();
        let id = core.active()?;
        let snapshot = self.player.with_sequencer(id, |s| s.snapshot());
        // The sample and the checkpoint that counts it are of one moment.
        let record = self.take_record(&mut core, snapshot.as_ref(), false);
        let session = &core.session;
        let plan = session.plan()?.clone();
        let (step, at, walked, fastest) = snapshot.map_or(
            (
                session.step(),
                session.position(),
                session.walked(),
                session.fastest_backward(),
            ),
            |s| (s.step, s.position, s.walked, s.fastest_backward),
        );
        let top_backward_speed = fastest.and_then(|f| plan.steps.get(f)).map(|s| s.speed);
        let checkpoint = Checkpoint {
            program: plan.program_id.clone(),
            program_name: plan.program_name.clone(),
            started_at: micros(session.started_at()),
            state: session.state().as_str().to_string(),
            step: step.min(plan.steps.len().saturating_sub(1)),
            step_count: plan.steps.len(),
            position: plan.seconds(at),
            walked: walked.map(|w| plan.seconds(w)),
            saved_at: micros(SystemTime::now()),
            fastest_backward: fastest,
            top_backward_speed,
            units: top_backward_speed.map(|_| plan.units.label().to_string()),
            records: 0,
            ended: None,
            counting: session.counting().clone(),
        };
        Some((checkpoint, record))
    }

    /// The way out at SIGTERM: the session pauses with a fade and is
    /// checkpointed, to come back paused at the next start.
    pub fn suspend(&self) {
        let _ = self.command(|s| s.pause());
        self.save_checkpoint();
    }

    /// Brings back a checkpointed session, paused where it was. A session
    /// already in the history (it ended just before a crash) is dropped,
    /// and one that ended but could not be written is written now.
    pub fn restore(&self, checkpoint: &Checkpoint) -> Result<(), String> {
        let restored = self.bring_back(checkpoint);
        if restored.is_err() {
            self.keeping().leftover = Some(checkpoint.clone());
        }
        restored
    }

    fn bring_back(&self, checkpoint: &Checkpoint) -> Result<(), String> {
        if let Some(entry) = &checkpoint.ended {
            return self.record_end(entry).map_err(|e| e.to_string());
        }
        if self.has_ended(checkpoint.started_at) {
            let _ = self.state.checkpoint.clear();
            return Ok(());
        }
        let mut counting = checkpoint.counting.clone();
        counting.walker = Some(self.walker_back(checkpoint_walker(checkpoint)));
        let setup = self.setup();
        let program = setup
            .catalog
            .load(&checkpoint.program)
            .map(|program| self.in_walker_units(program))
            .map_err(|e| format!("cannot bring back {}: {e}", checkpoint.program))?;
        let (plan, bank) = self.prepare(&setup, &program).map_err(|e| e.to_string())?;
        // Rounded, not cut: 4.004 s is 192191.99999999997 samples at
        // 48 kHz, and a cut would lose one on every restore.
        let samples =
            |seconds: f64| (seconds.max(0.0) * f64::from(plan.sample_rate)).round() as u64;
        let at = samples(checkpoint.position);
        let kept = self.kept_record(checkpoint);
        self.player.open().map_err(|e| e.to_string())?;
        {
            let mut core = self.core();
            let walked = checkpoint.walked.map(samples);
            let id = self
                .player
                .start_at(
                    plan.clone(),
                    bank.sounds_for(&plan),
                    Some(Restore {
                        at,
                        walked,
                        fastest_backward: checkpoint.fastest_backward,
                    }),
                )
                .map_err(|e| e.to_string())?;
            let snapshot = self
                .player
                .with_sequencer(id, |s| s.snapshot())
                .ok_or("the player lost the session")?;
            let started_at = from_micros(checkpoint.started_at);
            core.recording = Recording::resumed(checkpoint.started_at, &kept, &plan);
            core.session.restored(plan, &snapshot, started_at);
            core.session.count_as(counting);
            core.playing = Some(id);
        }
        self.save_checkpoint();
        Ok(())
    }

    /// The samples a checkpoint counted, read back after the samples
    /// past them (written just before a crash) are cut off.
    fn kept_record(&self, checkpoint: &Checkpoint) -> Vec<crate::store::records::Sample> {
        let records = self.walker_files(checkpoint_walker(checkpoint)).records;
        let kept = records
            .cut_to(checkpoint.started_at, checkpoint.records)
            .and_then(|()| records.read(checkpoint.started_at));
        match kept {
            Ok(mut samples) => {
                samples.truncate(checkpoint.records as usize);
                samples
            }
            Err(e) => {
                tracing::warn!("{e}");
                Vec::new()
            }
        }
    }

    /// Gives up a checkpointed session: it goes to the history as
    /// interrupted, with the samples its checkpoint counted.
    pub fn discard(&self, checkpoint: &Checkpoint) {
        if let Some(entry) = &checkpoint.ended {
            let _ = self.record_end(entry);
        } else if !self.has_ended(checkpoint.started_at) {
            let kept = self.kept_record(checkpoint);
            let entry = Entry {
                program: checkpoint.program.clone(),
                program_name: checkpoint.program_name.clone(),
                start: rfc3339(from_micros(checkpoint.started_at)),
                end: rfc3339(from_micros(checkpoint.saved_at)),
                steps_done: checkpoint.step.min(checkpoint.step_count) as u32,
                step_count: checkpoint.step_count as u32,
                completed: false,
                outcome: Outcome::Interrupted,
                walked: checkpoint.walked[0] + checkpoint.walked[1],
                walked_backward: checkpoint.walked[1],
                top_backward_speed: checkpoint.top_backward_speed,
                units: checkpoint.units.clone(),
                position: checkpoint.position,
                program_distance_m: program_distance(&kept, checkpoint),
                session: checkpoint.started_at,
                counting: checkpoint.counting.clone(),
                measured: Default::default(),
            };
            let _ = self.record_end(&entry);
        } else if let Err(e) = self.state.checkpoint.clear() {
            tracing::error!("{e}");
        }
    }

    /// A checkpoint left by a session that could not be brought back goes
    /// to the history as interrupted when the next session starts, before
    /// that session's checkpoint takes its place. Only that one: a
    /// checkpoint of this daemon's own sessions is never taken for it.
    pub(super) fn discard_leftover(&self) {
        let leftover = self.keeping().leftover.take();
        if let Some(leftover) = leftover {
            self.discard(&leftover);
        }
    }

    pub fn state_files(&self) -> &StateFiles {
        &self.state
    }
}

/// The walker an entry names; `None` for one of before walkers.
pub(super) fn entry_walker(entry: &Entry) -> Option<u32> {
    entry.counting.walker.as_ref().map(|w| w.id)
}

fn checkpoint_walker(checkpoint: &Checkpoint) -> Option<u32> {
    checkpoint.counting.walker.as_ref().map(|w| w.id)
}

/// The program's distance for the time a checkpoint kept: its last
/// sample's, and the step's speed on to the time walked.
fn program_distance(
    kept: &[crate::store::records::Sample],
    checkpoint: &Checkpoint,
) -> Option<f64> {
    let last = kept.last()?;
    let walked = checkpoint.walked[0] + checkpoint.walked[1];
    // A belt's speed is not the program's: then no more than the sample.
    let kmh = if last.speed_from_belt {
        0.0
    } else {
        f64::from(last.speed_kmh)
    };
    Some(last.program_metres_at(walked, kmh).round())
}

/// Where a session ended: the sample of its program, the samples walked
/// (forward, backward) and the fastest backward step walked.
pub(super) type EndedAt = (u64, [u64; 2], Option<usize>);

/// The history's entry for a session ending at `ended`.
pub(super) fn history_entry(
    session: &Session,
    (at, walked, fastest): EndedAt,
    outcome: Outcome,
    now: SystemTime,
) -> Option<Entry> {
    let plan = session.plan()?;
    let top_backward_speed = fastest
        .and_then(|step| plan.steps.get(step))
        .map(|s| s.speed);
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
            (session.step() as u32).min(step_count)
        },
        step_count,
        completed: finished,
        outcome,
        walked: plan.seconds(walked[0] + walked[1]),
        walked_backward: plan.seconds(walked[1]),
        top_backward_speed,
        units: top_backward_speed.map(|_| plan.units.label().to_string()),
        position: plan.seconds(at.min(plan.length)),
        program_distance_m: None,
        session: micros(session.started_at()),
        counting: session.counting().clone(),
        measured: Default::default(),
    })
}

fn rfc3339(t: SystemTime) -> String {
    humantime::format_rfc3339_seconds(t).to_string()
}
