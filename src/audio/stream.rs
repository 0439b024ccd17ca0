//! What the device thread and its backends (a stream to the sound
//! server, ALSA) share: the options a stream is opened with, what it
//! reports back, and the errors and events of a device.

use std::sync::mpsc::Sender;
use std::time::Duration;

use super::ducking::DuckingOptions;

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
    /// The device ran dry for a moment (an underrun) and played on: what
    /// follows is heard that much later.
    Underrun,
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
    /// How other audio is lowered under the cues; `None`: not at all.
    pub ducking: Option<DuckingOptions>,
}

impl Default for OutputOptions {
    fn default() -> Self {
        OutputOptions {
            device: None,
            period: Duration::from_millis(10),
            after_loss: AfterDeviceLoss::Resume,
            max_retry: Duration::from_secs(10),
            rate: 48_000,
            ducking: None,
        }
    }
}

pub(super) enum Message {
    /// An error from the stream of the given generation: errors from a
    /// stream already replaced are old news.
    StreamError(u64, String),
    /// A new stream of the given generation failed while settling: open it
    /// again at once, quietly; nothing has played on it yet.
    StreamStalled(u64),
    /// The stream ran dry and played on.
    Underrun,
    Shutdown,
}

/// How a backend tells the device thread its stream failed; reports from
/// a stream already replaced are ignored.
#[derive(Clone)]
pub struct StreamReports {
    pub(super) messages: Sender<Message>,
    pub(super) generation: u64,
}

impl StreamReports {
    /// The stream is gone: the device is lost until it opens again.
    pub fn lost(&self, reason: String) {
        let _ = self
            .messages
            .send(Message::StreamError(self.generation, reason));
    }

    /// A new stream failed while settling: open it again, quietly.
    pub fn stalled(&self) {
        let _ = self.messages.send(Message::StreamStalled(self.generation));
    }

    /// The stream ran dry for a moment and plays on.
    pub fn underrun(&self) {
        let _ = self.messages.send(Message::Underrun);
    }
}
