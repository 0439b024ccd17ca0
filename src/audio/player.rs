//! The player: plays one prepared session at a time on the device, and
//! holds the device only while a session is loaded, so an idle treadcue
//! costs no CPU and leaves the headphones to other programs.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use super::output::{AudioError, DeviceEvent, Output, OutputOptions, lock};
use super::sequencer::{CueSound, Event, PlayState, Sequencer};
use crate::plan::Plan;

/// Silence played after the device opens and before the session starts:
/// the first moments of a new stream are irregular, and a Bluetooth link
/// needs them to wake.
pub const SETTLE: Duration = Duration::from_millis(500);
/// The same before a phrase said alone (`say`): a person waiting to hear
/// it notices half a second, and one phrase has no countdown to keep even.
/// Links that sleep get the configured pre-roll on top.
pub const PHRASE_SETTLE: Duration = Duration::from_millis(100);

/// The silence before a phrase said alone on a new stream: with ducking,
/// the attack too, so other audio is down before the first word.
pub fn phrase_settle(output: &OutputOptions) -> Duration {
    match &output.ducking {
        Some(ducking) => PHRASE_SETTLE + ducking.attack + crate::audio::ducking::envelope::LEAD,
        None => PHRASE_SETTLE,
    }
}

/// Where a session brought back after a crash carries on from: paused at
/// `at` (a sample of its plan), having walked `walked` (samples forward,
/// backward), its fastest backward step so far `fastest_backward`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Restore {
    pub at: u64,
    pub walked: [u64; 2],
    pub fastest_backward: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct PlayerOptions {
    pub output: OutputOptions,
    pub volume: f32,
    /// Near-silent noise before each cue, in seconds.
    pub pre_roll: Duration,
}

impl Default for PlayerOptions {
    fn default() -> Self {
        PlayerOptions {
            output: OutputOptions::default(),
            volume: 0.8,
            pre_roll: Duration::ZERO,
        }
    }
}

pub struct Player {
    options: PlayerOptions,
    output: Mutex<Option<Output>>,
    events: Sender<(u64, Event)>,
    /// The id of the last sequencer started; each start takes the next.
    started: AtomicU64,
    /// The device was opened and nothing has played on it yet.
    fresh: AtomicBool,
    device_events: Sender<DeviceEvent>,
    volume: Mutex<f32>,
}

/// What a player reports: the sequencers' events, each with the id
/// [`Player::start`] gave the sequencer, and the device's.
pub struct PlayerNews {
    pub events: Receiver<(u64, Event)>,
    pub device: Receiver<DeviceEvent>,
}

impl Player {
    pub fn new(options: PlayerOptions) -> (Player, PlayerNews) {
        let (events, event_news) = mpsc::channel();
        let (device_events, device_news) = mpsc::channel();
        let volume = Mutex::new(options.volume);
        let player = Player {
            options,
            output: Mutex::new(None),
            events,
            started: AtomicU64::new(0),
            fresh: AtomicBool::new(false),
            device_events,
            volume,
        };
        (
            player,
            PlayerNews {
                events: event_news,
                device: device_news,
            },
        )
    }

    fn output(&self) -> MutexGuard<'_, Option<Output>> {
        crate::sync::lock(&self.output)
    }

    /// Opens the device if it is not open yet and starts `plan`, replacing
    /// any session playing. Gives the new sequencer's id: its events carry
    /// it, and [`Player::with_sequencer`] finds it by it.
    pub fn start(&self, plan: Arc<Plan>, sounds: Arc<[CueSound]>) -> Result<u64, AudioError> {
        self.start_at(plan, sounds, None)
    }

    /// Plays a phrase said alone, with a shorter settle on a new stream:
    /// long enough, when other audio is lowered, for it to be down
    /// before the first word.
    pub fn start_phrase(
        &self,
        plan: Arc<Plan>,
        sounds: Arc<[CueSound]>,
    ) -> Result<u64, AudioError> {
        self.start_settled(plan, sounds, None, phrase_settle(&self.options.output))
    }

    /// Like [`Player::start`], but paused at sample `paused_at` when given,
    /// having walked so many samples (forward, backward) before.
    pub fn start_at(
        &self,
        plan: Arc<Plan>,
        sounds: Arc<[CueSound]>,
        paused_at: Option<Restore>,
    ) -> Result<u64, AudioError> {
        self.start_settled(plan, sounds, paused_at, SETTLE)
    }

    fn start_settled(
        &self,
        plan: Arc<Plan>,
        sounds: Arc<[CueSound]>,
        paused_at: Option<Restore>,
        settle: Duration,
    ) -> Result<u64, AudioError> {
        let mut output = self.output();
        self.open_in(&mut output)?;
        let output = output.as_ref().expect("opened above");
        let rate = u64::from(plan.sample_rate);
        let settle = if self.fresh.swap(false, Ordering::SeqCst) {
            settle.as_millis() as u64 * rate / 1000
        } else {
            0
        };
        let pre_roll = (self.options.pre_roll.as_secs_f64() * rate as f64) as u64;
        let volume = *crate::sync::lock(&self.volume);
        let id = self.started.fetch_add(1, Ordering::SeqCst) + 1;
        let sequencer = Sequencer::new(plan, sounds, volume)
            .with_id(id)
            .with_tagged_events(self.events.clone(), id)
            .with_pre_roll(pre_roll)
            .with_lead_in(settle);
        let mut sequencer = match paused_at {
            Some(restore) => sequencer
                .with_fastest_backward(restore.fastest_backward)
                .paused_at(restore.at)
                .with_walked(restore.walked),
            None => sequencer,
        };
        if output.is_lost() {
            // Held until the device is back; a fresh start then plays.
            sequencer.hold_for_device(paused_at.is_none());
        }
        *lock(output.slot()) = Some(sequencer);
        Ok(id)
    }

    /// Opens the device if it is not open yet: a caller that must not
    /// wait for a device while it holds a lock opens it first.
    pub fn open(&self) -> Result<(), AudioError> {
        self.open_in(&mut self.output())
    }

    fn open_in(&self, output: &mut Option<Output>) -> Result<(), AudioError> {
        if output.is_none() {
            *output = Some(Output::open(
                self.options.output.clone(),
                self.device_events.clone(),
            )?);
            // The first session on a new stream waits for it to settle.
            self.fresh.store(true, Ordering::SeqCst);
        }
        Ok(())
    }

    /// Runs `action` on the sequencer with this id, if it still plays:
    /// a command meant for one session never reaches the next.
    pub fn with_sequencer<T>(
        &self,
        id: u64,
        action: impl FnOnce(&mut Sequencer) -> T,
    ) -> Option<T> {
        self.with_session(|s| (s.id() == id).then(|| action(s)))
            .flatten()
    }

    /// Runs `action` on whatever sequencer plays, if any.
    pub fn with_session<T>(&self, action: impl FnOnce(&mut Sequencer) -> T) -> Option<T> {
        let output = self.output();
        let output = output.as_ref()?;
        let mut slot = lock(output.slot());
        slot.as_mut().map(action)
    }

    pub fn set_volume(&self, volume: f32) {
        let volume = volume.clamp(0.0, 1.0);
        *crate::sync::lock(&self.volume) = volume;
        self.with_session(|s| s.set_volume(volume));
    }

    pub fn volume(&self) -> f32 {
        *crate::sync::lock(&self.volume)
    }

    /// Whether the device is open.
    pub fn holds_device(&self) -> bool {
        self.output().is_some()
    }

    /// Closes the device when no session is playing or paused. The owner
    /// calls this a little after a session ends, so its last sound plays
    /// out.
    pub fn release_if_idle(&self) -> bool {
        let mut output = self.output();
        let idle = output.as_ref().is_some_and(|o| {
            lock(o.slot())
                .as_ref()
                .is_none_or(|s| matches!(s.state(), PlayState::Stopped | PlayState::Finished))
        });
        if idle {
            *output = None;
        }
        idle
    }
}
