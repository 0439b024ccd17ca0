//! The live device. It lives on its own thread, because a cpal stream may
//! not move between threads, and the rest of treadcue talks to it through
//! a channel. Behind it, a stream to the sound server or to ALSA
//! (`device`). The stream stays open from start to stop, fed with silence
//! between cues, so a Bluetooth link never idles and clips the next word.
//! A device that fails pauses the session and is retried with backoff.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::device::{self, Stream};
use super::sequencer::Sequencer;
pub use super::slot::{Slot, lock};
use super::stream::Message;
pub use super::stream::{
    AfterDeviceLoss, AudioError, DeviceEvent, DeviceInfo, OutputOptions, StreamReports,
};
use crate::audio::ducking::Ducker;

/// The open device: its thread, the slot it plays, and the rate sessions
/// are played at.
pub struct Output {
    slot: Slot,
    /// Set while the device is lost and being retried.
    lost: Arc<AtomicBool>,
    rate: u32,
    messages: Sender<Message>,
    thread: Option<JoinHandle<()>>,
    /// Dropped after the device's thread has stopped: the music comes
    /// back once the cues are gone.
    _ducker: Option<Ducker>,
}

impl Output {
    /// Opens the device and starts feeding it silence. Fails with a clear
    /// error when there is no usable device.
    pub fn open(options: OutputOptions, events: Sender<DeviceEvent>) -> Result<Output, AudioError> {
        let slot: Slot = Arc::new(Mutex::new(None));
        let ducking = options.ducking.clone();
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
                    on_server: std::cell::Cell::new(false),
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
        let ducker = ducking.and_then(|d| Ducker::start(d, slot.clone(), rate));
        Ok(Output {
            slot,
            lost,
            rate,
            messages,
            thread: Some(thread),
            _ducker: ducker,
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
    /// The first stream went to the sound server: later ones wait for it,
    /// and never fall back to an ALSA device while it restarts (the cues
    /// would go to the Pi's jack, not the headphones).
    on_server: std::cell::Cell<bool>,
}

impl DeviceThread {
    fn run(self, ready: Sender<Result<u32, AudioError>>) {
        let mut generation = 0;
        let sink = match self.open_stream(generation) {
            Ok(sink) => sink,
            Err(e) => {
                let _ = ready.send(Err(e));
                return;
            }
        };
        let rate = self.options.rate;
        let _ = ready.send(Ok(rate));
        let mut sink = Some(sink);
        loop {
            match self.inbox.recv() {
                Ok(Message::StreamError(from, reason)) if from == generation => {
                    drop(sink.take());
                    generation += 1;
                    match self.recover(reason, generation) {
                        Some(reopened) => sink = Some(reopened),
                        None => return,
                    }
                }
                Ok(Message::StreamStalled(from)) if from == generation => {
                    drop(sink.take());
                    generation += 1;
                    match self.open_stream(generation) {
                        Ok(fresh) => sink = Some(fresh),
                        // It will not open either: a lost device after all.
                        Err(e) => {
                            let _ = self
                                .messages
                                .send(Message::StreamError(generation, e.to_string()));
                        }
                    }
                }
                Ok(Message::Underrun) => {
                    let _ = self.events.send(DeviceEvent::Underrun);
                }
                Ok(Message::StreamError(..) | Message::StreamStalled(_)) => {}
                Ok(Message::Shutdown) | Err(_) => return,
            }
        }
    }

    /// The device failed: holds the session paused, retries the device
    /// until it opens (or treadcue shuts down: `None`), then carries on
    /// as the options say, or as a Resume asked meanwhile.
    fn recover(&self, reason: String, generation: u64) -> Option<Stream> {
        self.lost.store(true, Ordering::SeqCst);
        let _ = self.events.send(DeviceEvent::Lost(reason));
        let paused_here = lock(&self.slot)
            .as_mut()
            .is_some_and(Sequencer::device_lost);
        let reopened = self.reopen(generation)?;
        let resume = paused_here && self.options.after_loss == AfterDeviceLoss::Resume;
        self.lost.store(false, Ordering::SeqCst);
        let _ = self.events.send(DeviceEvent::Restored);
        if let Some(sequencer) = lock(&self.slot).as_mut() {
            sequencer.device_back(resume);
        }
        Some(reopened)
    }

    fn open_stream(&self, generation: u64) -> Result<Stream, AudioError> {
        let reports = StreamReports {
            messages: self.messages.clone(),
            generation,
        };
        let stream = device::open(&self.options, &self.slot, reports, self.on_server.get())?;
        if matches!(stream, Stream::Server(_)) {
            self.on_server.set(true);
        }
        Ok(stream)
    }

    /// Tries the device again and again, waiting longer each time, until
    /// it opens or treadcue shuts down (`None`).
    fn reopen(&self, generation: u64) -> Option<Stream> {
        let mut wait = Duration::from_millis(250);
        loop {
            let deadline = Instant::now() + wait;
            // Wait out the whole backoff: stream errors still queued from
            // the failed stream are no reason to try sooner.
            while let Some(left) = deadline.checked_duration_since(Instant::now()) {
                match self.inbox.recv_timeout(left) {
                    Ok(Message::Shutdown) | Err(RecvTimeoutError::Disconnected) => return None,
                    Ok(
                        Message::StreamError(..) | Message::StreamStalled(_) | Message::Underrun,
                    ) => {}
                    Err(RecvTimeoutError::Timeout) => break,
                }
            }
            match self.open_stream(generation) {
                Ok(sink) => return Some(sink),
                Err(e) => tracing::debug!("the audio device is still gone: {e}"),
            }
            wait = (wait * 2).min(self.options.max_retry);
        }
    }
}
