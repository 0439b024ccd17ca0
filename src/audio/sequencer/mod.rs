//! Plays a plan sample-accurately. The session clock is the count of
//! samples played: every cue starts at its exact sample, never "when a
//! timer fires", so countdown ticks are evenly spaced and an hour-long
//! session does not drift. The same code fills a device buffer live and a
//! WAV file offline.

use std::sync::Arc;
use std::sync::mpsc::Sender;

use super::pcm::Speech;
use crate::plan::Plan;

mod control;
mod count_in;
mod gate;
mod mix;

/// Fade applied when a sound is cut by pause, skip or stop: short enough
/// to stay within one device period, long enough not to click.
const FADE_SECS: f64 = 0.005;
/// How quickly a volume change takes effect; smoothed so it never clicks.
const VOLUME_SMOOTHING_SECS: f64 = 0.010;
/// Level of the keep-alive noise played before cues when a pre-roll is
/// set: inaudible (about -66 dBFS), yet not digital silence, which some
/// Bluetooth links take as the end of playback.
const PRE_ROLL_LEVEL: f32 = 0.0005;

/// What one cue sounds like: an optional tone, then optional words.
#[derive(Debug, Clone)]
pub struct CueSound {
    pub tone: Option<Arc<[f32]>>,
    pub speech: Option<Speech>,
    /// Where the words start, from the cue's first sample.
    pub speech_offset: usize,
    /// Samples from the first to the last sound.
    pub length: usize,
}

impl CueSound {
    fn sample(&self, offset: usize) -> f32 {
        let tone = self
            .tone
            .as_ref()
            .and_then(|t| t.get(offset))
            .copied()
            .unwrap_or(0.0);
        let speech = match (&self.speech, offset.checked_sub(self.speech_offset)) {
            (Some(speech), Some(at)) => speech.sample(at),
            _ => 0.0,
        };
        tone + speech
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlayState {
    Playing,
    Paused,
    Stopped,
    Finished,
}

/// What the sequencer reports, each with the session sample it happened at.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    StepStarted {
        step: usize,
        at: u64,
    },
    CueStarted {
        cue: usize,
        at: u64,
    },
    Paused {
        at: u64,
    },
    Resumed {
        at: u64,
    },
    Stopped {
        at: u64,
    },
    Finished {
        at: u64,
    },
    /// The device was lost or came back: the session is held or free.
    DeviceChanged {
        at: u64,
    },
}

/// A sound that is fading out after being cut, playing on while the clock
/// stands still or has jumped elsewhere.
#[derive(Debug, Clone, Copy)]
struct Tail {
    cue: usize,
    offset: usize,
    remaining: usize,
}

pub struct Sequencer {
    plan: Arc<Plan>,
    sounds: Arc<[CueSound]>,
    state: PlayState,
    /// The session clock: samples played since the start of the plan.
    position: u64,
    next_cue: usize,
    next_step: usize,
    /// The cue sounding now and how far into it.
    current: Option<(usize, usize)>,
    tail: Option<Tail>,
    /// A phrase said on request, over whatever is playing, and how far.
    overlay: Option<(CueSound, usize)>,
    /// A phrase to say once no cue sounds.
    queued: Option<CueSound>,
    fade_len: usize,
    fade_in_left: usize,
    gain: f32,
    target_gain: f32,
    smoothing: f32,
    pre_roll: u64,
    /// Silence to play before the clock starts.
    lead_in: u64,
    /// Every sample the device has pulled, playing or not: the audio
    /// thread's heartbeat.
    pulled: u64,
    noise: u32,
    events: Option<Box<dyn Fn(Event) + Send>>,
    /// Steps started so far, by the clock or by a seek: a listener that
    /// sees this move knows a step began, even the same one again.
    step_starts: u64,
    /// The player's name for this sequencer; 0 when played alone.
    id: u64,
    /// Samples walked forward and backward: the clock while it runs, so a
    /// skipped part is not counted and a step gone back to counts twice.
    walked: [u64; 2],
    /// Which of `walked` the step under way counts into (1: backward):
    /// set when the step changes, not looked up for every sample.
    walking: usize,
    /// The fastest backward step walked in (for at least a sample), and
    /// the step under way when it is faster still and not walked yet.
    fastest_backward: Option<usize>,
    faster_backward: Option<usize>,
    /// The device is gone: the session is held paused until it is back.
    device_lost: bool,
    /// Resume was asked for while the device was gone.
    resume_when_back: bool,
    /// The turn gate: the session holds before this step begins.
    gate: gate::Gate,
    /// A skip turned the walker round: the next start of the clock
    /// counts in first (see `count_in`).
    count_in_due: bool,
}

/// Where a sequencer stands, read at one moment under its lock: the one
/// source of truth for what a session reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Snapshot {
    pub state: PlayState,
    pub step: usize,
    pub position: u64,
    /// Samples of silence still to play before the clock starts.
    pub lead_in: u64,
    pub step_starts: u64,
    pub device_lost: bool,
    /// Held by the turn gate, waiting for the belt to slow.
    pub held_at_gate: bool,
    /// Samples walked forward and backward so far.
    pub walked: [u64; 2],
    /// The fastest backward step walked so far.
    pub fastest_backward: Option<usize>,
}

impl Sequencer {
    /// A sequencer at the start of `plan`, playing. `sounds` holds one
    /// entry per cue of the plan, in the same order.
    pub fn new(plan: Arc<Plan>, sounds: Arc<[CueSound]>, volume: f32) -> Self {
        assert_eq!(plan.cues.len(), sounds.len(), "one sound per cue");
        let rate = f64::from(plan.sample_rate);
        Sequencer {
            fade_len: ((rate * FADE_SECS) as usize).max(1),
            smoothing: (1.0 / (rate * VOLUME_SMOOTHING_SECS)) as f32,
            plan,
            sounds,
            state: PlayState::Playing,
            position: 0,
            next_cue: 0,
            next_step: 0,
            current: None,
            tail: None,
            overlay: None,
            queued: None,
            fade_in_left: 0,
            gain: volume.clamp(0.0, 1.0),
            target_gain: volume.clamp(0.0, 1.0),
            pre_roll: 0,
            lead_in: 0,
            pulled: 0,
            noise: 0x1234_5678,
            events: None,
            step_starts: 0,
            id: 0,
            walked: [0, 0],
            walking: 0,
            fastest_backward: None,
            faster_backward: None,
            device_lost: false,
            resume_when_back: false,
            gate: gate::Gate::default(),
            count_in_due: false,
        }
    }

    /// Reports events on this channel from now on.
    pub fn with_events(self, events: Sender<Event>) -> Self {
        self.with_listener(move |event| {
            // A listener that went away must not stop the sound.
            let _ = events.send(event);
        })
    }

    /// Reports events, each tagged with `id`, on this channel from now on:
    /// whoever reads several sequencers' events tells them apart.
    pub fn with_tagged_events(self, events: Sender<(u64, Event)>, id: u64) -> Self {
        self.with_listener(move |event| {
            let _ = events.send((id, event));
        })
    }

    fn with_listener(mut self, listener: impl Fn(Event) + Send + 'static) -> Self {
        self.events = Some(Box::new(listener));
        self
    }

    pub fn with_id(mut self, id: u64) -> Self {
        self.id = id;
        self
    }

    pub fn id(&self) -> u64 {
        self.id
    }

    /// Notes which way the step now under way walks.
    fn step_changed(&mut self) {
        let step = self.step();
        let speed = |step: usize| self.plan.steps.get(step).map_or(0.0, |s| s.speed);
        let backward = self
            .plan
            .steps
            .get(step)
            .is_some_and(|s| s.direction == crate::program::Direction::Backward);
        self.walking = usize::from(backward);
        let faster = self.fastest_backward.is_none_or(|f| speed(step) > speed(f));
        self.faster_backward = (backward && faster).then_some(step);
    }

    /// Carries on from a session that had walked this much (samples
    /// forward, backward), as one brought back after a crash.
    pub fn with_walked(mut self, walked: [u64; 2]) -> Self {
        self.walked = walked;
        self
    }

    /// Carries on from a session whose fastest backward step so far was
    /// `step`: a slower one walked after it does not take its place. Set
    /// before [`Sequencer::paused_at`], which weighs the step it lands on.
    pub fn with_fastest_backward(mut self, step: Option<usize>) -> Self {
        self.fastest_backward = step.filter(|s| *s < self.plan.steps.len());
        self
    }

    /// Plays near-silent noise for this many samples before each cue.
    pub fn with_pre_roll(mut self, samples: u64) -> Self {
        self.pre_roll = samples;
        self
    }

    /// Plays this many samples of silence before the session starts.
    pub fn with_lead_in(mut self, samples: u64) -> Self {
        self.lead_in = samples;
        self
    }

    /// Starts paused at `position` (clamped to the plan), as a session
    /// brought back after a crash does: cues before it are not replayed,
    /// and nothing is reported until the walker resumes.
    pub fn paused_at(mut self, position: u64) -> Self {
        let position = position.min(self.plan.length);
        self.position = position;
        self.next_cue = self.plan.cues.partition_point(|c| c.start < position);
        self.next_step = self.plan.steps.partition_point(|s| s.start <= position);
        self.step_changed();
        self.state = PlayState::Paused;
        self
    }

    pub fn plan(&self) -> &Arc<Plan> {
        &self.plan
    }

    pub fn state(&self) -> PlayState {
        self.state
    }

    pub fn position(&self) -> u64 {
        self.position
    }

    /// The step under way (the first one before the session starts).
    pub fn step(&self) -> usize {
        self.next_step.saturating_sub(1)
    }

    pub fn volume(&self) -> f32 {
        self.target_gain
    }

    /// The sounds due within the next `horizon` samples pulled, each as
    /// (first, last) sample counted from the next one pulled: what the
    /// ducker lowers other audio for. A paused session has none coming,
    /// only what is still fading out or said over it.
    pub fn sounds_ahead(&self, horizon: u64) -> Vec<(u64, u64)> {
        let mut ahead = Vec::new();
        if let Some(tail) = &self.tail {
            ahead.push((0, tail.remaining as u64));
        }
        if let Some((sound, offset)) = &self.overlay {
            ahead.push((0, sound.length.saturating_sub(*offset) as u64));
        }
        if self.state != PlayState::Playing {
            return ahead;
        }
        let lead = self.lead_in;
        if let Some((cue, offset)) = self.current {
            let left = self.sounds[cue].length.saturating_sub(offset) as u64;
            ahead.push((lead, lead + left));
        }
        for cue in &self.plan.cues[self.next_cue.min(self.plan.cues.len())..] {
            let from = lead + cue.start.saturating_sub(self.position);
            if from > horizon {
                break;
            }
            ahead.push((from, lead + cue.end().saturating_sub(self.position)));
        }
        ahead
    }

    /// Samples pulled so far, paused or not.
    pub fn pulled(&self) -> u64 {
        self.pulled
    }

    /// Where the session stands now.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            state: self.state,
            step: self.step(),
            position: self.position,
            lead_in: if self.state == PlayState::Playing {
                self.lead_in
            } else {
                0
            },
            step_starts: self.step_starts,
            device_lost: self.device_lost,
            held_at_gate: self.gate.is_holding(),
            walked: self.walked,
            fastest_backward: self.fastest_backward,
        }
    }

    pub(super) fn emit(&mut self, event: Event) {
        if matches!(event, Event::StepStarted { .. }) {
            self.step_starts += 1;
        }
        if let Some(listener) = &self.events {
            listener(event);
        }
    }
}
