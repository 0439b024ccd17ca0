//! The live device. It lives on its own thread, because a cpal stream may
//! not move between threads, and the rest of treadcue talks to it through
//! a channel. The stream stays open from start to stop, fed with silence
//! between cues, so a Bluetooth link never idles and clips the next word.
//! A device that fails pauses the session and is retried with backoff.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rodio::cpal::traits::{DeviceTrait, HostTrait};
use rodio::{DeviceSinkBuilder, MixerDeviceSink, Source, cpal};

use super::sequencer::Sequencer;

/// The sequencer the device plays, or none (silence) between sessions.
pub type Slot = Arc<Mutex<Option<Sequencer>>>;

/// Locks the slot even if a panic elsewhere poisoned it: the audio must
/// go on, and the sequencer's state is whole after every call.
pub fn lock(slot: &Slot) -> MutexGuard<'_, Option<Sequencer>> {
    slot.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AudioError {
    #[error(
        "no audio output device: {0}. Is the sound server (PipeWire or PulseAudio) running, and are the headphones connected? `treadcued devices` lists the devices treadcue can see"
    )]
    NoDevice(String),
    #[error("there is no audio device named {name:?}; the devices are: {known}")]
    UnknownDevice { name: String, known: String },
    #[error(
        "cannot open the audio device {device:?}: {reason}. Is the sound server (PipeWire or PulseAudio) running, and are the headphones connected? `treadcued devices` lists the devices; choose one with --device"
    )]
    Open { device: String, reason: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceInfo {
    /// The name to give `--device`.
    pub id: String,
    pub description: String,
    pub is_default: bool,
}

/// What the device thread reports besides the sequencer's own events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceEvent {
    /// The device failed; the session is paused and the device retried.
    Lost(String),
    /// The device is back.
    Restored,
}

/// What to do when a lost device comes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AfterDeviceLoss {
    /// Carry on where the session paused.
    #[default]
    Resume,
    /// Stay paused until told to resume.
    StayPaused,
}

#[derive(Debug, Clone)]
pub struct OutputOptions {
    /// Device id or description; `None` for the default device.
    pub device: Option<String>,
    /// Requested device period; shorter answers pause faster, longer
    /// survives a busy machine.
    pub period: Duration,
    pub after_loss: AfterDeviceLoss,
    /// Longest wait between attempts to reopen a lost device.
    pub max_retry: Duration,
    /// Sample rate of the sessions played; the device is asked for it.
    pub rate: u32,
}

impl Default for OutputOptions {
    fn default() -> Self {
        OutputOptions {
            device: None,
            period: Duration::from_millis(10),
            after_loss: AfterDeviceLoss::Resume,
            max_retry: Duration::from_secs(10),
            rate: 48_000,
        }
    }
}

enum Message {
    /// An error from the stream of the given generation: errors from a
    /// stream already replaced are old news.
    StreamError(u64, String),
    /// A new stream of the given generation failed while settling: open it
    /// again at once, quietly; nothing has played on it yet.
    StreamStalled(u64),
    Shutdown,
}

/// The open device: its thread, the slot it plays, and the rate sessions
/// are played at.
pub struct Output {
    slot: Slot,
    /// Set while the device is lost and being retried.
    lost: Arc<AtomicBool>,
    rate: u32,
    messages: Sender<Message>,
    thread: Option<JoinHandle<()>>,
}

impl Output {
    /// Opens the device and starts feeding it silence. Fails with a clear
    /// error when there is no usable device.
    pub fn open(options: OutputOptions, events: Sender<DeviceEvent>) -> Result<Output, AudioError> {
        let slot: Slot = Arc::new(Mutex::new(None));
        let (messages, inbox) = mpsc::channel();
        let (ready, opened) = mpsc::channel();
        let thread_slot = slot.clone();
        let thread_messages = messages.clone();
        let lost = Arc::new(AtomicBool::new(false));
        let thread_lost = lost.clone();
        let thread = std::thread::Builder::new()
            .name("treadcue-audio".into())
            .spawn(move || {
                let device = DeviceThread {
                    options,
                    slot: thread_slot,
                    lost: thread_lost,
                    messages: thread_messages,
                    inbox,
                    events,
                };
                device.run(ready)
            })
            .map_err(|e| AudioError::Open {
                device: "default".into(),
                reason: e.to_string(),
            })?;
        let rate = opened.recv().map_err(|_| AudioError::Open {
            device: "default".into(),
            reason: "the audio thread stopped".into(),
        })??;
        Ok(Output {
            slot,
            lost,
            rate,
            messages,
            thread: Some(thread),
        })
    }

    pub fn rate(&self) -> u32 {
        self.rate
    }

    pub fn slot(&self) -> &Slot {
        &self.slot
    }

    /// Whether the device is lost and being retried.
    pub fn is_lost(&self) -> bool {
        self.lost.load(Ordering::SeqCst)
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        let _ = self.messages.send(Message::Shutdown);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// What the device's own thread works with.
struct DeviceThread {
    options: OutputOptions,
    slot: Slot,
    lost: Arc<AtomicBool>,
    messages: Sender<Message>,
    inbox: Receiver<Message>,
    events: Sender<DeviceEvent>,
}

impl DeviceThread {
    fn run(self, ready: Sender<Result<u32, AudioError>>) {
        let mut generation = 0;
        let sink = match open_sink(&self.options, &self.messages, generation) {
            Ok(sink) => sink,
            Err(e) => {
                let _ = ready.send(Err(e));
                return;
            }
        };
        let rate = self.options.rate;
        sink.mixer().add(SlotSource::new(self.slot.clone(), rate));
        let _ = ready.send(Ok(rate));
        let mut sink = Some(sink);
        loop {
            match self.inbox.recv() {
                Ok(Message::StreamError(from, reason)) if from == generation => {
                    drop(sink.take());
                    generation += 1;
                    match self.recover(reason, rate, generation) {
                        Some(reopened) => sink = Some(reopened),
                        None => return,
                    }
                }
                Ok(Message::StreamStalled(from)) if from == generation => {
                    drop(sink.take());
                    generation += 1;
                    match open_sink(&self.options, &self.messages, generation) {
                        Ok(fresh) => {
                            fresh.mixer().add(SlotSource::new(self.slot.clone(), rate));
                            sink = Some(fresh);
                        }
                        // It will not open either: a lost device after all.
                        Err(e) => {
                            let _ = self
                                .messages
                                .send(Message::StreamError(generation, e.to_string()));
                        }
                    }
                }
                Ok(Message::StreamError(..) | Message::StreamStalled(_)) => {}
                Ok(Message::Shutdown) | Err(_) => return,
            }
        }
    }

    /// The device failed: holds the session paused, retries the device
    /// until it opens (or treadcue shuts down: `None`), then carries on
    /// as the options say, or as a Resume asked meanwhile.
    fn recover(&self, reason: String, rate: u32, generation: u64) -> Option<MixerDeviceSink> {
        self.lost.store(true, Ordering::SeqCst);
        let _ = self.events.send(DeviceEvent::Lost(reason));
        let paused_here = lock(&self.slot)
            .as_mut()
            .is_some_and(Sequencer::device_lost);
        let reopened = reopen(
            &self.options,
            &self.slot,
            rate,
            &self.messages,
            &self.inbox,
            generation,
        )?;
        let resume = paused_here && self.options.after_loss == AfterDeviceLoss::Resume;
        self.lost.store(false, Ordering::SeqCst);
        let _ = self.events.send(DeviceEvent::Restored);
        if let Some(sequencer) = lock(&self.slot).as_mut() {
            sequencer.device_back(resume);
        }
        Some(reopened)
    }
}

/// Tries the device again and again, waiting longer each time, until it
/// opens or treadcue shuts down (`None`).
fn reopen(
    options: &OutputOptions,
    slot: &Slot,
    rate: u32,
    messages: &Sender<Message>,
    inbox: &Receiver<Message>,
    generation: u64,
) -> Option<MixerDeviceSink> {
    let mut wait = Duration::from_millis(250);
    loop {
        let deadline = Instant::now() + wait;
        // Wait out the whole backoff: stream errors still queued from the
        // failed stream are no reason to try sooner.
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match inbox.recv_timeout(left) {
                Ok(Message::Shutdown) | Err(RecvTimeoutError::Disconnected) => return None,
                Ok(Message::StreamError(..) | Message::StreamStalled(_)) => {}
                Err(RecvTimeoutError::Timeout) => break,
            }
        }
        match open_sink(options, messages, generation) {
            Ok(sink) => {
                sink.mixer().add(SlotSource::new(slot.clone(), rate));
                return Some(sink);
            }
            Err(e) => tracing::debug!("the audio device is still gone: {e}"),
        }
        wait = (wait * 2).min(options.max_retry);
    }
}

fn open_sink(
    options: &OutputOptions,
    messages: &Sender<Message>,
    generation: u64,
) -> Result<MixerDeviceSink, AudioError> {
    let device = find_device(options.device.as_deref())?;
    let name = device_id(&device);
    let open_error = |e: rodio::DeviceSinkError| AudioError::Open {
        device: name.clone(),
        reason: e.to_string(),
    };
    let builder = DeviceSinkBuilder::from_device(device.clone()).map_err(open_error)?;
    let period = (f64::from(options.rate) * options.period.as_secs_f64()).round() as u32;
    let errors = messages.clone();
    let mut judge = ErrorJudge::new(Instant::now());
    let on_error = move |e: cpal::Error| match judge.verdict(&e, Instant::now()) {
        Verdict::Glitch => {}
        Verdict::Stalled => {
            let _ = errors.send(Message::StreamStalled(generation));
        }
        Verdict::Lost => {
            let _ = errors.send(Message::StreamError(generation, e.to_string()));
        }
    };
    // The session's own rate spares a resampler; a fixed short period
    // makes a pause quick.
    let preferred = builder
        .with_sample_rate(rodio::SampleRate::new(options.rate.max(1)).expect("rate is positive"))
        .with_buffer_size(cpal::BufferSize::Fixed(period.max(64)))
        .with_error_callback(on_error.clone());
    let mut sink = match preferred.open_stream() {
        Ok(sink) => sink,
        // Some devices refuse that: take the device's own settings, and
        // the mixer converts.
        Err(_) => DeviceSinkBuilder::from_device(device)
            .map_err(open_error)?
            .with_error_callback(on_error)
            .open_stream()
            .map_err(open_error)?,
    };
    sink.log_on_drop(false);
    Ok(sink)
}

/// Tells a lost device from a passing glitch. An underrun, a changed route
/// or a refused real-time priority leave the stream playing; a device
/// reported gone is gone. Any other error counts only when it keeps
/// coming: from a dead sound server, a loss; in the first moments of a
/// stream, when the PulseAudio plugin sometimes fails while connecting and
/// the stream then stalls, a stream to open again.
#[derive(Debug, Clone)]
struct ErrorJudge {
    opened: Instant,
    recent: Vec<Instant>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Glitch,
    Stalled,
    Lost,
}

/// Errors within this window...
const ERROR_WINDOW: Duration = Duration::from_secs(1);
/// ...this many of them, and the stream is gone.
const ERRORS_FOR_LOSS: usize = 3;
/// A new stream's settling time: failing then, it is opened again rather
/// than the device given up for lost.
const STREAM_GRACE: Duration = Duration::from_secs(2);

impl ErrorJudge {
    fn new(opened: Instant) -> Self {
        ErrorJudge {
            opened,
            recent: Vec::new(),
        }
    }

    fn verdict(&mut self, error: &cpal::Error, now: Instant) -> Verdict {
        use cpal::ErrorKind::*;
        match error.kind() {
            Xrun | DeviceChanged | RealtimeDenied => return Verdict::Glitch,
            DeviceNotAvailable | HostUnavailable | StreamInvalidated => return Verdict::Lost,
            _ => {}
        }
        self.recent
            .retain(|at| now.duration_since(*at) < ERROR_WINDOW);
        self.recent.push(now);
        match (
            self.recent.len() >= ERRORS_FOR_LOSS,
            now.duration_since(self.opened) < STREAM_GRACE,
        ) {
            (false, _) => Verdict::Glitch,
            (true, true) => Verdict::Stalled,
            (true, false) => Verdict::Lost,
        }
    }
}

fn device_id(device: &cpal::Device) -> String {
    device
        .id()
        .map_or_else(|_| "unknown".into(), |id| id.id().to_string())
}

fn find_device(name: Option<&str>) -> Result<cpal::Device, AudioError> {
    let host = cpal::default_host();
    let Some(name) = name else {
        return host
            .default_output_device()
            .ok_or_else(|| AudioError::NoDevice("the system has no default output".into()));
    };
    let devices: Vec<cpal::Device> = host
        .output_devices()
        .map_err(|e| AudioError::NoDevice(e.to_string()))?
        .collect();
    let matches = |d: &cpal::Device| {
        device_id(d).eq_ignore_ascii_case(name)
            || d.description()
                .is_ok_and(|desc| desc.name().eq_ignore_ascii_case(name))
    };
    if let Some(device) = devices.iter().find(|d| matches(d)) {
        return Ok(device.clone());
    }
    let known: Vec<String> = devices.iter().map(device_id).collect();
    Err(AudioError::UnknownDevice {
        name: name.to_string(),
        known: known.join(", "),
    })
}

/// Every output device the audio system offers.
pub fn list_devices() -> Result<Vec<DeviceInfo>, AudioError> {
    let host = cpal::default_host();
    let default = host.default_output_device().map(|d| device_id(&d));
    let devices = host
        .output_devices()
        .map_err(|e| AudioError::NoDevice(e.to_string()))?;
    Ok(devices
        .map(|d| {
            let id = device_id(&d);
            DeviceInfo {
                is_default: default.as_deref() == Some(id.as_str()),
                description: d
                    .description()
                    .map_or_else(|_| String::new(), |desc| desc.name().to_string()),
                id,
            }
        })
        .collect())
}

/// Block of samples taken from the sequencer at once: the lock is taken
/// once per block, not per sample.
const BLOCK: usize = 64;

/// The rodio source that plays whatever sequencer is in the slot.
struct SlotSource {
    slot: Slot,
    rate: rodio::SampleRate,
    block: [f32; BLOCK],
    at: usize,
}

impl SlotSource {
    fn new(slot: Slot, rate: u32) -> Self {
        let rate = rodio::SampleRate::new(rate.max(1)).expect("rate is positive");
        SlotSource {
            slot,
            rate,
            block: [0.0; BLOCK],
            at: BLOCK,
        }
    }
}

impl Iterator for SlotSource {
    type Item = f32;

    fn next(&mut self) -> Option<f32> {
        if self.at == BLOCK {
            match lock(&self.slot).as_mut() {
                Some(sequencer) => sequencer.fill(&mut self.block),
                None => self.block.fill(0.0),
            }
            self.at = 0;
        }
        self.at += 1;
        Some(self.block[self.at - 1])
    }
}

impl Source for SlotSource {
    fn current_span_len(&self) -> Option<usize> {
        None
    }

    fn channels(&self) -> rodio::ChannelCount {
        rodio::ChannelCount::new(1).expect("one channel")
    }

    fn sample_rate(&self) -> rodio::SampleRate {
        self.rate
    }

    fn total_duration(&self) -> Option<Duration> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_odd_error_is_a_glitch_and_a_stream_of_them_a_lost_device() {
        let t0 = Instant::now();
        let odd = cpal::Error::new(cpal::ErrorKind::BackendError);
        let at = |ms: u64| t0 + Duration::from_millis(ms);
        // A burst while the stream settles: open it again.
        let mut judge = ErrorJudge::new(t0);
        assert_eq!(judge.verdict(&odd, at(10)), Verdict::Glitch);
        assert_eq!(judge.verdict(&odd, at(20)), Verdict::Glitch);
        assert_eq!(judge.verdict(&odd, at(30)), Verdict::Stalled);
        // Later, one odd error is a glitch, a stream of them a loss.
        let mut judge = ErrorJudge::new(t0);
        assert_eq!(judge.verdict(&odd, at(5000)), Verdict::Glitch);
        assert_eq!(judge.verdict(&odd, at(5010)), Verdict::Glitch);
        assert_eq!(judge.verdict(&odd, at(5020)), Verdict::Lost);
        assert_eq!(
            judge.verdict(&cpal::Error::new(cpal::ErrorKind::Xrun), at(9000)),
            Verdict::Glitch
        );
        let gone = cpal::Error::new(cpal::ErrorKind::DeviceNotAvailable);
        assert_eq!(ErrorJudge::new(t0).verdict(&gone, t0), Verdict::Lost);
    }
}
