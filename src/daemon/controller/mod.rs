//! What every front end asks of the daemon: list, start, pause, resume,
//! skip, stop, say, volume and status. Front ends (D-Bus, MPRIS) call
//! these; none of this knows about D-Bus.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use crate::audio::bank::{self, Bank};
use crate::audio::player::{Player, SETTLE};
use crate::audio::sequencer::{CueSound, Event};
use crate::catalog::{Catalog, LoadError, is_program_id};
use crate::cue_settings::CueSettings;
use crate::dbus::mpris::HeadphonePause;
use crate::phrasebook::Phrasebook;
use crate::plan::Plan;
use crate::program::Program;
use crate::session::{Session, State, Status};
use crate::store::StateFiles;
use crate::store::history::Outcome;
use crate::voice::Voice;
use keeping::history_entry;

mod keeping;

/// Longest text `Say` accepts.
pub const MAX_SAY_CHARS: usize = 500;
/// Into a step, Previous restarts it rather than going back a step.
const RESTART_WITHIN: Duration = Duration::from_secs(3);

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ControlError {
    #[error("there is no program {0:?}; ListPrograms gives the names")]
    UnknownProgram(String),
    #[error("the program {id:?} is broken: {details}")]
    InvalidProgram { id: String, details: String },
    #[error("{0}")]
    InvalidState(String),
    #[error("{0}")]
    InvalidArgument(String),
    #[error("{0}")]
    Device(String),
    #[error("{0}")]
    Voice(String),
    #[error("{0}")]
    Storage(String),
}

/// One program as `ListPrograms` reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgramInfo {
    pub id: String,
    pub name: String,
    pub description: String,
    pub seconds: f64,
}

/// What a reload may change: where programs come from, how and with what
/// words and voice they are cued. A session keeps what it started with.
pub struct Setup {
    pub catalog: Catalog,
    pub cues: CueSettings,
    pub phrases: Phrasebook,
    pub voice: Box<dyn Voice>,
    pub tones: Option<PathBuf>,
    pub tone_volume: f32,
    /// What a headphone's (MPRIS) Pause does.
    pub headphone_pause: HeadphonePause,
}

pub struct ControllerParts {
    pub setup: Setup,
    pub player: Player,
    pub rate: u32,
    /// Where the checkpoint and the history are kept.
    pub state: StateFiles,
}

pub struct Controller {
    player: Player,
    rate: u32,
    setup: Mutex<Arc<Setup>>,
    state: StateFiles,
    /// Held while the checkpoint or the history is written, so a late
    /// checkpoint never outlives the session's end.
    writing: Mutex<()>,
    /// Samples the device had pulled at the last health check.
    last_pulled: Mutex<u64>,
    session: Mutex<Session>,
    /// The player is saying a phrase with no session: its events are not
    /// the session's.
    saying_alone: AtomicBool,
}

fn no_session() -> ControlError {
    ControlError::InvalidState("no session is running: start one with Start(program)".into())
}

impl Controller {
    pub fn new(parts: ControllerParts) -> Controller {
        Controller {
            player: parts.player,
            rate: parts.rate,
            setup: Mutex::new(Arc::new(parts.setup)),
            state: parts.state,
            writing: Mutex::new(()),
            last_pulled: Mutex::new(0),
            session: Mutex::new(Session::default()),
            saying_alone: AtomicBool::new(false),
        }
    }

    fn session(&self) -> MutexGuard<'_, Session> {
        self.session.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Cues from the next session on with `setup`.
    pub fn reconfigure(&self, setup: Setup) {
        *self.setup.lock().unwrap_or_else(|e| e.into_inner()) = Arc::new(setup);
    }

    pub fn headphone_pause(&self) -> HeadphonePause {
        self.setup().headphone_pause
    }

    fn setup(&self) -> Arc<Setup> {
        self.setup.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn status(&self) -> Status {
        self.session().status()
    }

    pub fn volume(&self) -> f64 {
        // The player keeps an f32: report what was set, not its rounding.
        (f64::from(self.player.volume()) * 1e4).round() / 1e4
    }

    /// Every valid program, by id; broken files are left out.
    pub fn list_programs(&self) -> Vec<ProgramInfo> {
        let setup = self.setup();
        let catalog = &setup.catalog;
        catalog
            .ids()
            .into_iter()
            .filter_map(|id| catalog.load(&id).ok())
            .map(|p| ProgramInfo {
                seconds: p.total().as_secs_f64(),
                id: p.id,
                name: p.name,
                description: p.description,
            })
            .collect()
    }

    /// Loads every program and renders its phrases, so a Start later has
    /// nothing slow left to do (rendered phrases are cached on disk).
    /// Broken programs are logged, not fatal: the others still play.
    pub fn warm_up(&self) {
        let setup = self.setup();
        for id in setup.catalog.ids() {
            let prepared = setup
                .catalog
                .load(&id)
                .map_err(|e| e.to_string())
                .and_then(|program| self.prepare(&setup, &program).map_err(|e| e.to_string()));
            if let Err(e) = prepared {
                tracing::warn!("program {id} cannot be played: {e}");
            }
        }
        give_back_memory();
    }

    /// Loads, prepares and starts a program, replacing any session. Slow
    /// when a synthesizer must render new phrases: call it off the bus's
    /// own task.
    pub fn start(&self, id: &str) -> Result<(), ControlError> {
        if !is_program_id(id) {
            return Err(ControlError::UnknownProgram(id.to_string()));
        }
        let setup = self.setup();
        let program = setup.catalog.load(id).map_err(|e| match e {
            LoadError::NotFound { id, .. } => ControlError::UnknownProgram(id),
            LoadError::Invalid(diagnostics) => ControlError::InvalidProgram {
                id: id.to_string(),
                details: diagnostics
                    .iter()
                    .map(|d| d.to_string())
                    .collect::<Vec<_>>()
                    .join("\n"),
            },
        })?;
        let (plan, bank) = self.prepare(&setup, &program)?;
        let held = self.player.holds_device();
        self.end_replaced_session();
        self.player
            .start(plan.clone(), bank.sounds_for(&plan))
            .map_err(|e| ControlError::Device(e.to_string()))?;
        self.saying_alone.store(false, Ordering::SeqCst);
        let lead_in = if held { Duration::ZERO } else { SETTLE };
        self.session().started(plan, lead_in, SystemTime::now());
        self.save_checkpoint();
        Ok(())
    }

    /// Renders the program's phrases and compiles its plan.
    fn prepare(&self, setup: &Setup, program: &Program) -> Result<(Arc<Plan>, Bank), ControlError> {
        let mut bank = Bank::new(self.rate, setup.tones.as_deref())
            .map_err(ControlError::Voice)?
            .with_tone_volume(setup.tone_volume);
        let plan = bank::prepare(
            program,
            &setup.cues,
            &setup.phrases,
            setup.voice.as_ref(),
            &mut bank,
        )
        .map_err(|e| ControlError::Voice(e.to_string()))?;
        Ok((Arc::new(plan), bank))
    }

    /// A session replaced by a new one ends as stopped, in the history.
    /// With no session, a checkpoint left by one that could not be
    /// brought back goes to the history as interrupted before the new
    /// session's checkpoint takes its place.
    fn end_replaced_session(&self) {
        let entry = {
            let session = self.session();
            if !session.is_active() {
                drop(session);
                if let Ok(Some(leftover)) = self.state.checkpoint.load() {
                    self.discard(&leftover);
                }
                return;
            }
            let at = self.player.with_session(|s| s.position()).unwrap_or(0);
            history_entry(&session, at, Outcome::Stopped, SystemTime::now())
        };
        if let Some(entry) = entry {
            self.record_end(&entry);
        }
    }

    /// Harmless when paused already.
    pub fn pause(&self) -> Result<(), ControlError> {
        self.require_active()?;
        self.act(|s| s.pause().then(|| Event::Paused { at: s.position() }));
        Ok(())
    }

    /// Runs `action` on the playing session and applies the event it
    /// caused at once, so a client asking right after its call sees the
    /// new state; the sequencer's own report of it changes nothing more.
    fn act(&self, action: impl FnOnce(&mut crate::audio::sequencer::Sequencer) -> Option<Event>) {
        if let Some(Some(event)) = self.player.with_session(action) {
            self.on_event(&event);
        }
    }

    /// Harmless when running already.
    pub fn resume(&self) -> Result<(), ControlError> {
        self.require_active()?;
        self.act(|s| s.resume().then(|| Event::Resumed { at: s.position() }));
        Ok(())
    }

    pub fn stop(&self) -> Result<(), ControlError> {
        self.require_active()?;
        self.act(|s| s.stop().then(|| Event::Stopped { at: s.position() }));
        Ok(())
    }

    fn seek(&self, step: usize) {
        self.act(|s| {
            s.seek_step(step).then(|| Event::StepStarted {
                step,
                at: s.position(),
            })
        });
    }

    pub fn next(&self) -> Result<(), ControlError> {
        let (step, count) = self.position()?;
        if step + 1 >= count {
            return Err(ControlError::InvalidState("this is the last step".into()));
        }
        self.seek(step + 1);
        Ok(())
    }

    /// Back to the start of the step, or to the step before when the
    /// step has only just begun.
    pub fn previous(&self) -> Result<(), ControlError> {
        let (step, _) = self.position()?;
        let into_step = self
            .player
            .with_session(|s| {
                let plan = s.plan();
                plan.seconds(s.position().saturating_sub(plan.steps[s.step()].start))
            })
            .unwrap_or(0.0);
        let target = if into_step < RESTART_WITHIN.as_secs_f64() {
            step.saturating_sub(1)
        } else {
            step
        };
        self.seek(target);
        Ok(())
    }

    /// Says a phrase now, over the session if one plays.
    pub fn say(&self, text: &str) -> Result<(), ControlError> {
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
        let clip = self
            .setup()
            .voice
            .render(&text)
            .map_err(|e| ControlError::Voice(e.to_string()))?;
        let mut bank = Bank::new(self.rate, None).map_err(ControlError::Voice)?;
        bank.add_phrase(&text, &clip);
        let plan = Arc::new(Plan::phrase(&text, &bank, self.rate));
        let sounds = bank.sounds_for(&plan);
        if self.session().is_active() {
            let sound: CueSound = sounds[0].clone();
            self.player.with_session(|s| s.say(sound));
            return Ok(());
        }
        // No session: the phrase is a tiny session of its own, which does
        // not change what clients see.
        self.saying_alone.store(true, Ordering::SeqCst);
        self.player
            .start(plan, sounds)
            .map_err(|e| ControlError::Device(e.to_string()))
    }

    pub fn set_volume(&self, volume: f64) -> Result<(), ControlError> {
        if !(0.0..=1.0).contains(&volume) {
            return Err(ControlError::InvalidArgument(format!(
                "volume {volume} is outside 0 to 1"
            )));
        }
        self.player.set_volume(volume as f32);
        Ok(())
    }

    /// Takes an event from the player; true when the status changed. A
    /// session that ends here is in the history before this returns.
    pub fn on_event(&self, event: &Event) -> bool {
        if self.saying_alone.load(Ordering::SeqCst) {
            return false;
        }
        let now = SystemTime::now();
        let (changed, ended) = {
            let mut session = self.session();
            let was_active = session.is_active();
            let changed = session.on_event(event, now);
            let ended = match session.state() {
                State::Finished if was_active => Some(Outcome::Finished),
                State::Stopped if was_active => Some(Outcome::Stopped),
                _ => None,
            };
            let at = match *event {
                Event::Finished { at } | Event::Stopped { at } => at,
                _ => 0,
            };
            (
                changed,
                ended.and_then(|outcome| history_entry(&session, at, outcome, now)),
            )
        };
        if let Some(entry) = ended {
            self.record_end(&entry);
        }
        changed
    }

    /// Whether the sound goes on: a running session's device must have
    /// pulled samples since the last check. Idle, paused (a lost device
    /// pauses) or finished, there is nothing to stall.
    pub fn is_healthy(&self) -> bool {
        let pulled = self.player.with_session(|s| s.pulled()).unwrap_or(0);
        let mut last = self.last_pulled.lock().unwrap_or_else(|p| p.into_inner());
        let moved = pulled != *last;
        *last = pulled;
        moved || self.state() != State::Running
    }

    /// Lets the device go once nothing plays.
    pub fn release_device_if_idle(&self) -> bool {
        self.player.release_if_idle()
    }

    fn require_active(&self) -> Result<(), ControlError> {
        if self.session().is_active() {
            Ok(())
        } else {
            Err(no_session())
        }
    }

    fn position(&self) -> Result<(usize, usize), ControlError> {
        let session = self.session();
        if !session.is_active() {
            return Err(no_session());
        }
        let count = session.plan().map_or(0, |p| p.steps.len());
        drop(session);
        let step = self.player.with_session(|s| s.step()).unwrap_or(0);
        Ok((step, count))
    }

    pub fn state(&self) -> State {
        self.session().state()
    }
}

/// Hands the memory freed after preparing every program back to the
/// system: the rendering threads' heaps would otherwise stay with the
/// idle daemon, a dozen megabytes on a Pi.
fn give_back_memory() {
    #[cfg(target_env = "gnu")]
    // SAFETY: malloc_trim only releases free heap pages; it touches no
    // memory in use.
    unsafe {
        libc::malloc_trim(0);
    }
}
