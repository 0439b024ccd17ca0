//! What front ends ask: start, pause, resume, skip, stop, say and the
//! volume. Each command acts on the sequencer and takes where it then
//! stands under the controller's one lock, so a reply always tells the
//! truth, and two clients calling at once are applied one after the
//! other.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::{ControlError, Controller, Core, IfRunning, no_session};
use crate::audio::sequencer::{CueSound, Sequencer};
use crate::plan::Plan;
use crate::prepare::Bank;
use crate::program::Direction;
use crate::program::Program;
use crate::program::catalog::{Catalog, LoadError, is_program_id};
use crate::session::{Counting, Session};
use crate::store::history::Outcome;

use super::keeping::history_entry;

/// Longest text `Say` accepts.
pub const MAX_SAY_CHARS: usize = 500;
/// Said once a session when the checkpoint or the history cannot be
/// written.
const STORAGE_NOTICE: &str = "Your progress cannot be saved. The session goes on.";
/// Into a step, Previous restarts it rather than going back a step.
const RESTART_WITHIN: Duration = Duration::from_secs(3);

impl Controller {
    /// Runs `action` on the active session's sequencer and takes where it
    /// then stands, all under the lock; a session that ended here is in
    /// the history before this returns.
    pub(super) fn command<T>(
        &self,
        action: impl FnOnce(&mut Sequencer) -> T,
    ) -> Result<T, ControlError> {
        self.command_marking(|s, _| action(s))
    }

    /// The same, with the session to mark what the action did to it.
    pub(super) fn command_marking<T>(
        &self,
        action: impl FnOnce(&mut Sequencer, &mut Session) -> T,
    ) -> Result<T, ControlError> {
        let (out, ended) = {
            let mut core = self.core();
            let id = core.active().ok_or_else(no_session)?;
            let session = &mut core.session;
            let (out, snapshot) = self
                .player
                .with_sequencer(id, |s| (action(s, session), s.snapshot()))
                .ok_or_else(no_session)?;
            (out, self.settle(&mut core, &snapshot))
        };
        if let Some(ending) = ended {
            self.end(ending)?;
        }
        Ok(out)
    }

    /// Loads, prepares and starts a program, replacing any session. Slow
    /// when a synthesizer must render new phrases: call it off the bus's
    /// own task.
    pub fn start(&self, id: &str) -> Result<(), ControlError> {
        self.start_as(id, IfRunning::Replace)
    }

    /// The same, refusing to end a session under way unless `if_running`
    /// says to replace it.
    pub fn start_as(&self, id: &str, if_running: IfRunning) -> Result<(), ControlError> {
        let program = self.in_walker_units(load(&self.setup().catalog, id)?);
        self.start_program(&program, Counting::default(), if_running)
    }

    /// The error for a start that would end the session under way.
    pub(super) fn refuse_if_running(
        &self,
        core: &Core,
        wanted: &str,
        if_running: IfRunning,
    ) -> Result<(), ControlError> {
        if if_running == IfRunning::Refuse && core.session.is_active() {
            return Err(ControlError::SessionRunning {
                running: core.session.status().program_name,
                wanted: wanted.to_string(),
            });
        }
        Ok(())
    }

    /// Starts a loaded program as a session that counts for `counting`.
    pub(super) fn start_program(
        &self,
        program: &Program,
        mut counting: Counting,
        if_running: IfRunning,
    ) -> Result<(), ControlError> {
        // Told at once, before any phrase is rendered, and again under
        // the lock: a session started meanwhile is not ended either.
        self.refuse_if_running(&self.core(), &program.name, if_running)?;
        let setup = self.setup();
        let (plan, bank) = self.prepare(&setup, program)?;
        // Opening the device may take a while: not under the lock.
        self.player
            .open()
            .map_err(|e| ControlError::Device(e.to_string()))?;
        self.discard_leftover();
        let replaced = {
            let mut core = self.core();
            self.refuse_if_running(&core, &program.name, if_running)?;
            let replaced = self.end_replaced(&mut core);
            let sounds = bank.sounds_for(&plan);
            let id = self
                .player
                .start(plan.clone(), sounds)
                .map_err(|e| ControlError::Device(e.to_string()))?;
            let snapshot = self
                .player
                .with_sequencer(id, |s| s.snapshot())
                .ok_or_else(|| ControlError::Device("the player lost the new session".into()))?;
            core.session.started(plan, &snapshot, SystemTime::now());
            counting.walker = Some(self.walker_tag());
            core.session.count_as(counting);
            core.playing = Some(id);
            core.storage_told = false;
            core.rating_choice = None;
            core.fitness.new_session();
            let status = core.session.status();
            tracing::info!(
                "{}: started, {} steps, {:.0} s",
                status.program,
                status.step_count,
                status.session_length
            );
            self.notify(super::Change::Session {
                status: Box::new(self.status_of(&core)),
                step_started: None,
                ended: None,
            });
            replaced
        };
        if let Some(ending) = replaced {
            // The new session plays; a history that cannot be written is
            // told through the storage notice, not by refusing the start.
            let _ = self.end(ending);
        }
        self.save_checkpoint();
        Ok(())
    }

    /// The active session, replaced by a new one, ends as stopped where
    /// its sequencer stands: its ending, for the caller to record and tell.
    fn end_replaced(&self, core: &mut Core) -> Option<super::Ending> {
        let id = core.active()?;
        let snapshot = self.player.with_sequencer(id, |s| s.snapshot());
        if let Some(ending) = snapshot.and_then(|s| self.settle(core, &s)) {
            return Some(ending);
        }
        let session = &core.session;
        let at = snapshot.map_or(
            (
                session.position(),
                session.walked(),
                session.fastest_backward(),
            ),
            |s| (s.position, s.walked, s.fastest_backward),
        );
        let record = self.take_record(core, snapshot.as_ref(), true);
        let entry = history_entry(&core.session, at, Outcome::Stopped, SystemTime::now())
            .map(|entry| self.with_measured(entry, core));
        core.playing = None;
        core.session.stopped();
        Some(super::Ending {
            entry,
            change: super::Change::Session {
                status: Box::new(self.status_of(core)),
                step_started: None,
                ended: Some(false),
            },
            record,
        })
    }

    pub fn stop(&self) -> Result<(), ControlError> {
        self.command(|s| s.stop()).map(drop)
    }

    /// On to the next step. Skipping a backward step is marked: the
    /// session no longer counts as a course walk done. A skip that turns
    /// the walker round says so and counts in before the step's "go".
    /// The checkpoint is written before the reply, as for Previous.
    pub fn next(&self) -> Result<(), ControlError> {
        let words = self.turn_words(|_, step, _| step + 1);
        self.command_marking(|s, session| {
            let step = s.step() + 1;
            if step >= s.plan().steps.len() {
                return Err(ControlError::InvalidState("this is the last step".into()));
            }
            if s.plan().steps[step - 1].direction == Direction::Backward {
                session.skipped_backward();
            }
            seek(s, step, words);
            Ok(())
        })??;
        self.checkpoint_before_reply()
    }

    /// Back to the start of the step, or to the step before when the
    /// step has only just begun.
    pub fn previous(&self) -> Result<(), ControlError> {
        let words = self.turn_words(previous_target);
        self.command(|s| {
            let target = previous_target(s.plan(), s.step(), s.position());
            seek(s, target, words);
        })?;
        self.checkpoint_before_reply()
    }

    /// What is said before a skip that turns the walker round: "Next: slow
    /// to point six, hold the rails, and turn to walk backward." With no
    /// turn, or nothing the voice can say, nothing (a turn still counts
    /// in).
    fn turn_words(&self, target: impl Fn(&Plan, usize, u64) -> usize) -> Option<CueSound> {
        let (now, to) = {
            let core = self.core();
            let id = core.active()?;
            self.player.with_sequencer(id, |s| {
                let plan = s.plan();
                let to = plan.steps.get(target(plan, s.step(), s.position()))?;
                Some((plan.steps.get(s.step())?.direction, to.clone()))
            })??
        };
        if now == to.direction {
            return None;
        }
        let setup = self.setup();
        let cues = &setup.phrases.cues;
        let template = match to.direction {
            Direction::Backward => &cues.skip_to_backward,
            Direction::Forward => &cues.skip_to_forward,
        };
        let text = template.fill(&[("number", &setup.phrases.words.decimal(to.speed))]);
        self.words_sound(&text)
    }

    /// Says a phrase now, over the session if one plays.
    pub fn say(&self, text: &str) -> Result<(), ControlError> {
        self.say_as(text, false)
    }

    /// Says a phrase once the cue sounding now is over, so the coach's
    /// own words never talk over a cue.
    pub fn say_between_cues(&self, text: &str) -> Result<(), ControlError> {
        self.say_as(text, true)
    }

    /// A phrase rendered, as a plan of its own and its one sound.
    pub(super) fn phrase(&self, text: &str) -> Result<(Arc<Plan>, Arc<[CueSound]>), ControlError> {
        let clip = self
            .setup()
            .voice
            .render_once(text)
            .map_err(|e| ControlError::Voice(e.to_string()))?;
        let mut bank = Bank::new(self.rate, None).map_err(ControlError::Voice)?;
        bank.add_phrase(text, &clip);
        let plan = Arc::new(Plan::phrase(text, &bank, self.rate));
        let sounds = bank.sounds_for(&plan);
        Ok((plan, sounds))
    }

    fn say_as(&self, text: &str, after_cue: bool) -> Result<(), ControlError> {
        let text = clean_say_text(text)?;
        let (plan, sounds) = self.phrase(&text)?;
        self.player
            .open()
            .map_err(|e| ControlError::Device(e.to_string()))?;
        let core = self.core();
        if let Some(id) = core.active() {
            let sound = sounds[0].clone();
            return self
                .player
                .with_sequencer(id, |s| match after_cue {
                    true => s.say_after_cue(sound),
                    false => s.say(sound),
                })
                .ok_or_else(no_session);
        }
        // No session: the phrase plays on a sequencer of its own, whose
        // id is never the session's, so nothing it reports counts.
        self.player
            .start_phrase(plan, sounds)
            .map(drop)
            .map_err(|e| ControlError::Device(e.to_string()))
    }

    /// Tells the walker, once a session, that its progress cannot be
    /// saved: a notice on the bus alone reaches nobody on the belt.
    pub fn tell_storage_failing(&self) {
        {
            let mut core = self.core();
            if core.active().is_none() || core.storage_told {
                return;
            }
            core.storage_told = true;
        }
        if let Err(e) = self.say(STORAGE_NOTICE) {
            tracing::warn!("cannot say that storage is failing: {e}");
        }
    }

    pub fn volume(&self) -> f64 {
        // The player keeps an f32: report what was set, not its rounding.
        (f64::from(self.player.volume()) * 1e4).round() / 1e4 + 0.0
    }

    pub fn set_volume(&self, volume: f64) -> Result<(), ControlError> {
        if !(0.0..=1.0).contains(&volume) {
            return Err(ControlError::InvalidArgument(format!(
                "volume {volume} is outside 0 to 1"
            )));
        }
        // -0 is 0: adding a positive zero drops the sign.
        self.player.set_volume((volume + 0.0) as f32);
        if let Err(e) = self.state.save_volume(self.volume(), self.config_volume) {
            tracing::warn!("{e}");
        }
        self.notify(super::Change::Volume(self.volume()));
        Ok(())
    }
}

/// The step Previous goes to from `step`, `position` samples into the
/// session: the step's own start, or the step before it just after a
/// change.
fn previous_target(plan: &Plan, step: usize, position: u64) -> usize {
    let start = plan.steps.get(step).map_or(0, |st| st.start);
    let into_step = plan.seconds(position.saturating_sub(start));
    if into_step < RESTART_WITHIN.as_secs_f64() {
        step.saturating_sub(1)
    } else {
        step
    }
}

/// Seeks to `target`, counting in when it turns the walker round.
fn seek(s: &mut Sequencer, target: usize, words: Option<CueSound>) {
    let now = s.plan().steps.get(s.step()).map(|st| st.direction);
    let to = s.plan().steps.get(target).map(|st| st.direction);
    if now.is_some() && to.is_some() && now != to {
        s.seek_step_turning(target, words);
    } else {
        s.seek_step(target);
    }
}

/// A program by id, or the error a client can act on.
pub(super) fn load(catalog: &Catalog, id: &str) -> Result<Program, ControlError> {
    let unknown = |id: &str| {
        let known = catalog.ids();
        let known: Vec<&str> = known.iter().map(String::as_str).collect();
        let near = crate::program::suggest::nearest(id, &known).map(str::to_string);
        ControlError::UnknownProgram(id.to_string(), near)
    };
    if !is_program_id(id) {
        return Err(unknown(id));
    }
    catalog.load(id).map_err(|e| match e {
        LoadError::NotFound { id, .. } => unknown(&id),
        LoadError::Invalid(diagnostics) => ControlError::InvalidProgram {
            id: id.to_string(),
            details: diagnostics
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join("\n"),
        },
    })
}

/// Control characters become spaces and runs of space one; 1 to
/// [`MAX_SAY_CHARS`] characters must be left.
fn clean_say_text(text: &str) -> Result<String, ControlError> {
    let text: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let chars = text.chars().count();
    if chars == 0 || chars > MAX_SAY_CHARS {
        return Err(ControlError::InvalidArgument(format!(
            "Say takes 1 to {MAX_SAY_CHARS} characters of text, not {chars}"
        )));
    }
    Ok(text)
}
