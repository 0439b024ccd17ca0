//! Which device the cues play on, and the stream that plays them there.
//! Where a sound server answers, its sinks are the devices, by name or
//! description, and no device means its default sink, followed when it
//! changes. ALSA devices (bluez-alsa, a USB card, a name in an asoundrc)
//! are used when named, or when no sound server answers.

use rodio::MixerDeviceSink;

use super::alsa;
use super::slot::{self, Slot};
use super::stream::{AudioError, DeviceInfo, OutputOptions, StreamReports};
use crate::audio::sound_server::playback::{Playback, PlaybackOptions};
use crate::audio::sound_server::{self, ServerError};

/// An open stream, playing the slot; dropping it closes it.
pub enum Stream {
    Server(Playback),
    Alsa(MixerDeviceSink),
}

/// Where the options' device is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// A sink of the sound server; `None` is its default sink.
    Server(Option<String>),
    /// An ALSA device; `None` is ALSA's default.
    Alsa(Option<String>),
}

/// Finds where `device` is: a sink of the sound server first, then an
/// ALSA device.
pub fn route(device: Option<&str>) -> Result<Route, AudioError> {
    let sinks = sound_server::list_sinks();
    let Some(wanted) = device else {
        return Ok(match sinks {
            Ok(_) => Route::Server(None),
            Err(_) => Route::Alsa(None),
        });
    };
    if let Ok(sinks) = &sinks
        && let Some(sink) = sinks.iter().find(|s| s.is_called(wanted))
    {
        return Ok(Route::Server(Some(sink.name.clone())));
    }
    match alsa::find_device(Some(wanted)) {
        Ok(_) => Ok(Route::Alsa(Some(wanted.to_string()))),
        // Name what a user would choose from: the sinks where there is a
        // sound server, the ALSA devices where there is none.
        Err(AudioError::UnknownDevice { name, known }) => Err(AudioError::UnknownDevice {
            name,
            known: match sinks {
                Ok(sinks) if !sinks.is_empty() => sink_names(&sinks),
                _ => known,
            },
        }),
        Err(e) => Err(e),
    }
}

fn sink_names(sinks: &[sound_server::Sink]) -> String {
    let names: Vec<String> = sinks
        .iter()
        .map(|s| format!("{} ({})", s.name, s.description))
        .collect();
    names.join(", ")
}

/// Opens the options' device and plays the slot on it; with
/// `server_only`, only on the sound server (a stream that began there
/// waits for it to come back).
pub(super) fn open(
    options: &OutputOptions,
    slot: &Slot,
    reports: StreamReports,
    server_only: bool,
) -> Result<Stream, AudioError> {
    let route = route(options.device.as_deref())?;
    if server_only && !matches!(route, Route::Server(_)) {
        return Err(AudioError::Open {
            device: options.device.clone().unwrap_or_else(|| "default".into()),
            reason: "the sound server is not back yet".into(),
        });
    }
    match route {
        Route::Server(sink) => open_server(sink, options, slot, reports).map(Stream::Server),
        Route::Alsa(device) => {
            alsa::open(device.as_deref(), options, slot, reports).map(Stream::Alsa)
        }
    }
}

fn open_server(
    sink: Option<String>,
    options: &OutputOptions,
    slot: &Slot,
    reports: StreamReports,
) -> Result<Playback, AudioError> {
    let name = sink.clone().unwrap_or_else(|| "the default sink".into());
    let playback = PlaybackOptions {
        sink,
        rate: options.rate,
        period: options.period,
    };
    let slot = slot.clone();
    let fill = Box::new(move |out: &mut [f32]| slot::fill(&slot, out));
    let on_lost = Box::new(move |reason: String| reports.lost(reason));
    Playback::open(playback, fill, on_lost).map_err(|e: ServerError| AudioError::Open {
        device: name,
        reason: e.to_string(),
    })
}

/// The devices a user can choose from: the sound server's sinks where
/// one answers, else ALSA's devices.
pub fn list_devices() -> Result<Vec<DeviceInfo>, AudioError> {
    match sound_server::list_sinks() {
        Ok(sinks) => Ok(sinks
            .into_iter()
            .map(|s| DeviceInfo {
                id: s.name,
                description: s.description,
                is_default: s.is_default,
            })
            .collect()),
        Err(_) => alsa::list_alsa_devices(),
    }
}
