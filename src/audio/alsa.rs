//! The ALSA backend, through cpal and rodio: for a Pi with no sound
//! server (bluez-alsa, a USB card), or an ALSA device named on purpose.

use std::time::{Duration, Instant};

use rodio::cpal::traits::{DeviceTrait, HostTrait};
use rodio::{DeviceSinkBuilder, MixerDeviceSink, cpal};

use super::slot::{Slot, SlotSource};
use super::stream::{AudioError, DeviceInfo, OutputOptions, StreamReports};

/// Opens `device` (the default when `None`) and plays the slot on it.
pub(super) fn open(
    device: Option<&str>,
    options: &OutputOptions,
    slot: &Slot,
    reports: StreamReports,
) -> Result<MixerDeviceSink, AudioError> {
    let device = find_device(device)?;
    let name = device_id(&device);
    let open_error = |e: rodio::DeviceSinkError| AudioError::Open {
        device: name.clone(),
        reason: e.to_string(),
    };
    let builder = DeviceSinkBuilder::from_device(device.clone()).map_err(open_error)?;
    let period = (f64::from(options.rate) * options.period.as_secs_f64()).round() as u32;
    let mut judge = ErrorJudge::new(Instant::now());
    let on_error = move |e: cpal::Error| match judge.verdict(&e, Instant::now()) {
        Verdict::Glitch => {}
        Verdict::Underrun => reports.underrun(),
        Verdict::Stalled => reports.stalled(),
        Verdict::Lost => reports.lost(e.to_string()),
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
    sink.mixer()
        .add(SlotSource::new(slot.clone(), options.rate));
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
    /// The stream ran dry and plays on: told, so a listener knows what
    /// follows is late.
    Underrun,
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
            Xrun => return Verdict::Underrun,
            DeviceChanged | RealtimeDenied => return Verdict::Glitch,
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

pub(super) fn find_device(name: Option<&str>) -> Result<cpal::Device, AudioError> {
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

/// Every output device ALSA offers, plugins included.
pub fn list_alsa_devices() -> Result<Vec<DeviceInfo>, AudioError> {
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
            Verdict::Underrun
        );
        let gone = cpal::Error::new(cpal::ErrorKind::DeviceNotAvailable);
        assert_eq!(ErrorJudge::new(t0).verdict(&gone, t0), Verdict::Lost);
    }
}
