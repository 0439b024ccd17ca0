//! The controller's own schedule: the player's events, read on a thread
//! of their own (they come from the audio thread through a blocking
//! channel) and applied by the controller alone; a running session's
//! checkpoint every few seconds; history entries that could not be
//! written tried again; the device let go a while after a session.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::Controller;
use crate::audio::output::DeviceEvent;
use crate::audio::player::PlayerNews;
use crate::audio::sequencer::Event;
use crate::session::{State, Status};

/// How long the device is kept after a session ends, so its last sound
/// plays out and a new session starts without a new stream.
const RELEASE_AFTER: Duration = Duration::from_secs(5);
/// The event thread's longest sleep when nothing is due.
const IDLE_WAIT: Duration = Duration::from_secs(3600);
/// How often a running session is checkpointed between its changes: a
/// crash loses at most this much of the walker's place.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(2);
/// How often history entries that could not be written are tried again.
const RETRY_STORAGE_EVERY: Duration = Duration::from_secs(3);

/// When each timer is next due; `None` when it has nothing to do.
#[derive(Default)]
struct Timers {
    release: Option<Instant>,
    checkpoint: Option<Instant>,
    retry: Option<Instant>,
    record: Option<Instant>,
}

impl Timers {
    /// How long to sleep: until the first timer due, or however long
    /// with none, so an idle daemon does not wake up.
    fn wait(&self) -> Duration {
        [self.release, self.checkpoint, self.retry, self.record]
            .into_iter()
            .flatten()
            .min()
            .map_or(IDLE_WAIT, |at| at.saturating_duration_since(Instant::now()))
    }
}

impl Controller {
    /// Starts the thread that applies the player's events and runs the
    /// timers, until the player is gone.
    pub fn run_events(self: &Arc<Self>, news: PlayerNews) {
        let controller = self.clone();
        std::thread::Builder::new()
            .name("treadcue-events".into())
            .spawn(move || controller.event_loop(news))
            .expect("the event thread starts");
    }

    fn event_loop(self: Arc<Self>, news: PlayerNews) {
        let mut timers = Timers::default();
        loop {
            let running = self.state() == State::Running;
            timers.checkpoint = every(timers.checkpoint, CHECKPOINT_EVERY, running, || {
                self.save_checkpoint()
            });
            timers.record = every(
                timers.record,
                super::recording::RECORD_EVERY,
                running,
                || self.record_second(),
            );
            timers.retry = every(
                timers.retry,
                RETRY_STORAGE_EVERY,
                self.storage_waiting(),
                || self.retry_storage(),
            );
            match news.events.recv_timeout(timers.wait()) {
                Ok((id, event)) => self.take_event(id, &event, &mut timers),
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return,
            }
            // The sequencer reports a device change as an event, so its
            // news is here by the time that event is.
            news.device.try_iter().for_each(log_device);
            if timers.release.is_some_and(|at| Instant::now() >= at) {
                self.release_device_if_idle();
                timers.release = None;
            }
        }
    }

    fn take_event(self: &Arc<Self>, id: u64, event: &Event, timers: &mut Timers) {
        if matches!(event, Event::Finished { .. } | Event::Stopped { .. }) {
            timers.release = Some(Instant::now() + RELEASE_AFTER);
        }
        if self.on_player_event(id, event) {
            self.save_checkpoint();
        }
        self.say_coach_words();
    }

    /// Says what the coach has to say after an event on a thread of its
    /// own, so a slow synthesizer never holds up the next event.
    fn say_coach_words(self: &Arc<Self>) {
        let words = self.take_coach_words();
        if words.is_empty() {
            return;
        }
        let controller = self.clone();
        std::thread::spawn(move || {
            for text in words {
                controller.say_coach(&text);
            }
        });
    }
}

impl Controller {
    /// Takes an event of the player's sequencer `id`. Only the active
    /// session's sequencer counts, and what it counts for is where that
    /// sequencer stands now, read under the lock: an event that comes
    /// late changes nothing a command already changed. True when the
    /// event was the active session's.
    pub fn on_player_event(&self, id: u64, event: &Event) -> bool {
        if let Event::CueStarted { cue, .. } = event {
            self.on_cue_started(id, *cue);
            return false;
        }
        let (ended, turn) = {
            let mut core = self.core();
            if core.active() != Some(id) {
                return false;
            }
            let Some(snapshot) = self.player.with_sequencer(id, |s| s.snapshot()) else {
                return false;
            };
            let ended = self.settle(&mut core, &snapshot);
            (ended, self.turn_notice(&mut core))
        };
        if let Some(ending) = ended {
            let _ = self.end(ending);
        }
        if let Some(text) = turn {
            self.coach_words_due(text);
        }
        true
    }

    /// Words the coach has to say because of a player event: the caller
    /// says them (with [`Controller::say_coach`]) off the thread that
    /// handles events, as a synthesizer may take a while.
    pub fn take_coach_words(&self) -> Vec<String> {
        std::mem::take(&mut self.core().coach_words)
    }

    pub(super) fn coach_words_due(&self, text: String) {
        self.core().coach_words.push(text);
    }

    /// A halfway cue of the session brings the heart rate after it, when
    /// the walker asked for that.
    fn on_cue_started(&self, id: u64, cue: usize) {
        let halfway = {
            let core = self.core();
            core.active() == Some(id)
                && core
                    .session
                    .plan()
                    .and_then(|p| p.cues.get(cue))
                    .map(|c| c.kind)
                    == Some(crate::plan::CueKind::Halfway)
        };
        if halfway
            && self.fitness_settings().heart_speak
            && let Some(text) = self.heart_rate_words()
        {
            self.coach_words_due(text);
        }
    }
}

/// One line in the log for each thing a session does: paused (and why),
/// resumed, a step begun, ended and how.
pub(super) fn log_change(before: &Status, now: &Status, step_started: bool) {
    let program = &now.program;
    match (before.state, now.state) {
        (State::Running, State::Paused) => {
            tracing::info!("{program}: paused ({})", now.pause_reason.as_str());
        }
        (State::Paused, State::Running) => tracing::info!("{program}: resumed"),
        (_, State::Finished) => tracing::info!("{program}: finished"),
        (_, State::Stopped) => tracing::info!(
            "{program}: stopped at step {} of {}",
            now.step_index + 1,
            now.step_count
        ),
        _ => {}
    }
    if step_started && now.state.is_active() {
        tracing::info!(
            "{program}: step {} of {}, {} ({}, {} {})",
            now.step_index + 1,
            now.step_count,
            now.step_name,
            now.direction_name(),
            now.speed,
            now.units_label()
        );
    }
}

/// Runs `action` every `period` while `active` holds: gives the next
/// time it is due, or None when there is nothing to do (so the event
/// thread sleeps until the next event).
fn every(
    due: Option<Instant>,
    period: Duration,
    active: bool,
    action: impl FnOnce(),
) -> Option<Instant> {
    if !active {
        return None;
    }
    let now = Instant::now();
    match due {
        Some(at) if at > now => Some(at),
        Some(_) => {
            action();
            Some(now + period)
        }
        None => Some(now + period),
    }
}

fn log_device(event: DeviceEvent) {
    match event {
        DeviceEvent::Lost(reason) => {
            tracing::warn!("audio device lost ({reason}): session held paused, retrying");
        }
        DeviceEvent::Restored => tracing::info!("audio device back"),
        DeviceEvent::Underrun => underrun_told(),
    }
}

/// Says that the device ran dry (what plays after comes that much late),
/// at most once every ten seconds, with how many times since.
fn underrun_told() {
    static TOLD: std::sync::Mutex<(Option<Instant>, u32)> = std::sync::Mutex::new((None, 0));
    let mut told = crate::sync::lock(&TOLD);
    told.1 += 1;
    if told
        .0
        .is_none_or(|at| at.elapsed() >= Duration::from_secs(10))
    {
        tracing::info!(
            "the audio device ran dry {} time(s): sound came late",
            told.1
        );
        *told = (Some(Instant::now()), 0);
    }
}
