//! The controller: the one writer of the session's state. Every front end
//! (D-Bus, MPRIS, the command line) asks it; the player's events reach it
//! tagged with the sequencer they came from, and it alone applies them,
//! so an event of an older session, or of a phrase said alone, never
//! changes the session of now. What it changed goes out as [`Change`]s,
//! in the order it happened, to whoever listens.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use crate::audio::player::Player;
use crate::audio::sequencer::Snapshot;
use crate::course::CourseCatalog;
use crate::phrasebook::Phrasebook;
use crate::program::catalog::Catalog;
use crate::program::cue_settings::CueSettings;
use crate::session::{Session, State, Status};
use crate::store::StateFiles;
use crate::store::history::Outcome;
use crate::voice::Voice;
use events::log_change;
use keeping::history_entry;

mod command;
mod commands;
mod course;
mod error;
mod events;
mod export;
mod handle;
mod history;
mod keeping;
mod machine;
mod media;
mod pausing;
mod programs;
mod rating;
mod readings;
mod ready_sounds;
mod recording;
mod report;
mod sensors;
mod today;
mod walkers;

use programs::give_back_memory;
pub use programs::limit_heap_arenas;

/// The file formats a session of the history is exported in.
pub use crate::export::Format as ExportFormat;
/// A session of the history, as front ends read it.
pub use crate::store::Entry;
pub use command::{Command, IfFollowing};
pub use commands::MAX_SAY_CHARS;
pub use course::{CourseInfo, PLAY_AGAIN_WITHIN, WalkRow};
pub use error::ControlError;
use error::no_session;
pub use handle::Handle;
pub use history::{CourseWalk, HISTORY_FIELDS, HISTORY_PAGE_MAX, HistoryRow};
pub use machine::TreadmillStop;
pub use media::{MediaButton, MediaControls, playback_status};
pub use ready_sounds::ReadySounds;
pub use report::ReportFormat;
pub use sensors::{BeltTarget, FitnessSettings, Sensor};
pub use walkers::{RemovedRecord, WalkerInfo, Whose};

/// What a start does when a session is under way: a script's D-Bus Start
/// replaces it, as it always has; the phone and the other front ends ask
/// first, so one stray tap on a moving belt never ends a walk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IfRunning {
    Replace,
    Refuse,
}

/// What a headphone's (MPRIS) Pause does: earbuds that send Pause when
/// taken out would otherwise stop the coaching mid-step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HeadphonePause {
    #[default]
    Pause,
    Ignore,
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
    pub courses: CourseCatalog,
    pub cues: CueSettings,
    pub phrases: Phrasebook,
    pub voice: Box<dyn Voice>,
    pub tones: Option<PathBuf>,
    pub tone_volume: f32,
    /// What a headphone's (MPRIS) Pause does.
    pub headphone_pause: HeadphonePause,
    /// How the treadmill and the heart-rate strap are used.
    pub fitness: FitnessSettings,
    /// The pause's notes and the resume's words, made once in this
    /// setup's voice.
    pub ready_sounds: ReadySounds,
}

pub struct ControllerParts {
    pub setup: Setup,
    pub player: Player,
    pub rate: u32,
    /// Where the checkpoint and the history are kept.
    pub state: StateFiles,
    /// The config's volume: one set at run time is kept over it.
    pub config_volume: f64,
}

/// Re-reads the configuration: the warnings about it (unknown keys), or
/// why it was refused and the old one kept.
pub type Reload = Arc<dyn Fn() -> Result<Vec<String>, String> + Send + Sync>;

/// What the controller tells its listeners, in the order it happened.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// The session's status changed. `step_started` names a step that
    /// began; `ended` says the session ended, and whether it ran to its
    /// end. The status is as of the change.
    Session {
        status: Box<Status>,
        step_started: Option<usize>,
        ended: Option<bool>,
    },
    /// The checkpoint or the history could not be written.
    Storage(String),
    /// The volume changed.
    Volume(f64),
    /// The course followed, or where it stands, changed.
    Course,
    /// The treadmill or the heart-rate strap reported, connected or left.
    Fitness,
    /// A reload was refused, and why: the configuration in force stays.
    ConfigRefused(String),
    /// A walker was added, removed or changed, or another one chosen.
    Walkers,
}

/// A session that ended: its history entry, and the change that tells it,
/// sent once the entry is written.
struct Ending {
    entry: Option<Entry>,
    change: Change,
    /// The record's last samples, written before the entry.
    record: Option<recording::ToWrite>,
}

/// The session and which of the player's sequencers plays it: the state
/// only the controller writes, under one lock.
#[derive(Default)]
struct Core {
    session: Session,
    playing: Option<u64>,
    /// The walker was told this session's progress cannot be saved.
    storage_told: bool,
    fitness: readings::Fitness,
    /// The session's record, second by second.
    recording: recording::Recording,
    /// The rating a button said last after a course walk, and when: Play
    /// keeps it (see `rating`).
    rating_choice: Option<(crate::course::Rating, std::time::Instant)>,
    /// Words due because of player events, said off the events' thread.
    coach_words: Vec<String>,
}

impl Core {
    /// The sequencer of the active session.
    fn active(&self) -> Option<u64> {
        self.playing.filter(|_| self.session.is_active())
    }
}

pub struct Controller {
    player: Player,
    rate: u32,
    /// What a reload may change, swapped whole; taken for a moment,
    /// alone, and a session keeps the one it started with.
    setup: Mutex<Arc<Setup>>,
    state: StateFiles,
    /// Held while the checkpoint or the history is written, so a late
    /// checkpoint never outlives the session's end. Never taken while
    /// `core` is held.
    writing: Mutex<keeping::Keeping>,
    /// Samples the device had pulled at the last health check: the
    /// watchdog's alone.
    last_pulled: AtomicU64,
    /// The session and what goes with it: the one lock every command
    /// takes. Taken before `listeners` (a change is told under it, so
    /// changes go out in order); when `writing` is needed too, that one
    /// is taken first.
    core: Mutex<Core>,
    /// Whoever listens for changes; taken last, for a moment.
    listeners: Mutex<Vec<UnboundedSender<Change>>>,
    config_volume: f64,
    /// The course followed: its own locks, each taken alone (see
    /// `course::CourseKeeping`).
    courses: course::CourseKeeping,
    /// The Bluetooth devices chosen with `use`, as kept in the state
    /// folder: read once, asked for at every change; taken alone.
    kept_devices: Mutex<std::collections::BTreeMap<String, String>>,
    /// Who walks, and which one is active: taken alone, or last.
    walkers: Mutex<crate::store::walkers::Walkers>,
}

impl Controller {
    pub fn new(parts: ControllerParts) -> Controller {
        let kept_devices = parts.state.kept_devices();
        let (walkers, warning) = parts.state.walkers.load();
        if let Some(warning) = warning {
            tracing::error!("{warning}");
        }
        Controller {
            player: parts.player,
            rate: parts.rate,
            setup: Mutex::new(Arc::new(parts.setup)),
            state: parts.state,
            writing: Mutex::new(keeping::Keeping::default()),
            last_pulled: AtomicU64::new(0),
            core: Mutex::new(Core::default()),
            listeners: Mutex::new(Vec::new()),
            config_volume: parts.config_volume,
            courses: course::CourseKeeping::default(),
            kept_devices: Mutex::new(kept_devices),
            walkers: Mutex::new(walkers),
        }
    }

    fn core(&self) -> MutexGuard<'_, Core> {
        crate::sync::lock(&self.core)
    }

    /// Every change from now on, in order.
    pub fn subscribe(&self) -> UnboundedReceiver<Change> {
        let (sender, receiver) = unbounded_channel();
        crate::sync::lock(&self.listeners).push(sender);
        receiver
    }

    fn notify(&self, change: Change) {
        let mut listeners = crate::sync::lock(&self.listeners);
        listeners.retain(|listener| listener.send(change.clone()).is_ok());
    }

    /// Tells the listeners that a reload was refused.
    pub fn config_refused(&self, message: &str) {
        self.notify(Change::ConfigRefused(message.to_string()));
    }

    /// Cues from the next session on with `setup`; the course, read
    /// from its new folders, shows what it now makes next.
    pub fn reconfigure(&self, setup: Setup) {
        *crate::sync::lock(&self.setup) = Arc::new(setup);
        self.refresh_course();
    }

    pub fn headphone_pause(&self) -> HeadphonePause {
        self.setup().headphone_pause
    }

    fn setup(&self) -> Arc<Setup> {
        crate::sync::lock(&self.setup).clone()
    }

    pub fn status(&self) -> Status {
        self.status_of(&self.core())
    }

    fn status_of(&self, core: &Core) -> Status {
        let mut status = core.session.status();
        status.volume = self.volume();
        status.course = self.course_status();
        status.fitness = core.fitness.status(status.units);
        status.walker = self.active_walker();
        status
    }

    pub fn state(&self) -> State {
        self.core().session.state()
    }

    /// Microseconds into the current step by the samples played, read
    /// now; `None` with no active session.
    pub fn step_position(&self) -> Option<i64> {
        let core = self.core();
        let id = core.active()?;
        self.player.with_sequencer(id, |s| {
            let plan = s.plan();
            let start = plan.steps.get(s.step()).map_or(0, |step| step.start);
            (plan.seconds(s.position().saturating_sub(start)) * 1e6) as i64
        })
    }

    /// Brings the session up to `snapshot` and tells listeners what that
    /// changed. A session that ended here is told only once it is
    /// recorded: the caller passes the ending to [`Controller::end`] once
    /// the lock is let go, so `SessionFinished` never comes before the
    /// history has the session.
    fn settle(&self, core: &mut Core, snapshot: &Snapshot) -> Option<Ending> {
        let now = SystemTime::now();
        let before = core.session.status();
        let applied = core.session.apply(snapshot, now);
        if !applied.changed {
            return None;
        }
        log_change(
            &before,
            &core.session.status(),
            applied.step_started.is_some(),
        );
        let change = Change::Session {
            status: Box::new(self.status_of(core)),
            step_started: applied.step_started,
            ended: applied.ended.map(|state| state == State::Finished),
        };
        let Some(state) = applied.ended else {
            self.notify(change);
            return None;
        };
        let outcome = match state {
            State::Finished => Outcome::Finished,
            _ => Outcome::Stopped,
        };
        let record = self.take_record(core, Some(snapshot), true);
        let entry = history_entry(
            &core.session,
            (
                snapshot.position,
                snapshot.walked,
                snapshot.fastest_backward,
            ),
            outcome,
            now,
        )
        .map(|entry| self.with_measured(entry, core));
        Some(Ending {
            entry,
            change,
            record,
        })
    }

    /// The entry with what the treadmill and the strap measured.
    fn with_measured(&self, mut entry: Entry, core: &Core) -> Entry {
        entry.measured = core.fitness.measured(self.fitness_settings().heart_max);
        entry.program_distance_m = core.recording.program_metres().map(f64::round);
        entry
    }

    /// Records an ended session, then tells listeners it ended.
    fn end(&self, ending: Ending) -> Result<(), ControlError> {
        let of_course = ending
            .entry
            .as_ref()
            .is_some_and(|e| e.counting.course.is_some());
        self.write_ended_record(ending.record);
        let recorded = ending.entry.map_or(Ok(()), |entry| self.record_end(&entry));
        if of_course {
            // The walk counts from here: clients see the course move on
            // with the session's end. The walker hears when the next is
            // due and how to rate this one, once the finish words are.
            self.refresh_course();
            if let Some(words) = self.after_walk_words() {
                self.coach_words_due(words);
            }
        }
        self.notify(ending.change);
        recorded
    }

    /// Whether the sound goes on: a running session's device must have
    /// pulled samples since the last check. Idle, paused (a lost device
    /// pauses) or finished, there is nothing to stall.
    pub fn is_healthy(&self) -> bool {
        let pulled = self.player.with_session(|s| s.pulled()).unwrap_or(0);
        let last = self.last_pulled.swap(pulled, Ordering::Relaxed);
        pulled != last || self.state() != State::Running
    }

    /// Lets the device go once nothing plays, and the memory the
    /// session's calls used with it.
    pub fn release_device_if_idle(&self) -> bool {
        let released = self.player.release_if_idle();
        if released {
            give_back_memory();
            crate::voice::pack::release_bundled_pages();
        }
        released
    }
}
