//! The settings as the config file and the command line both give them:
//! every one optional, so a layer says only what it changes. Each struct
//! is a section of the file and a group of flags at once.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use serde::{Deserialize, Serialize};

use super::limits::{parse_period, parse_pre_roll, parse_volume, parse_words_per_minute};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum VoiceKind {
    /// The bundled voice pack (espeak-ng says what it lacks, if installed).
    Pack,
    EspeakNg,
    Piper,
    /// The command given with --voice-command.
    Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AfterLoss {
    Resume,
    Pause,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PauseButton {
    /// A headphone's Pause pauses the session.
    Pause,
    /// A headphone's Pause is ignored (earbuds that pause when taken out).
    Ignore,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AfterCrash {
    /// Bring the interrupted session back, paused where it was.
    ResumePaused,
    /// Forget it (it is still written to the history).
    Discard,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Deserialize, Serialize)]
pub enum UnitsChoice {
    /// Each program's own units.
    #[serde(rename = "program")]
    Program,
    #[serde(rename = "mph")]
    Mph,
    #[serde(rename = "km/h")]
    #[value(name = "km/h", alias = "kmh")]
    Kmh,
}

/// `[sound]`: the output device and how it is fed.
#[derive(Debug, Clone, Default, Args, Deserialize)]
pub struct SoundSettings {
    /// Output device, by the name `treadcued devices` shows; default: the
    /// system's default output.
    #[arg(long, value_name = "NAME")]
    pub device: Option<String>,
    /// Volume from 0 to 1 [default: 0.8].
    #[arg(long, value_parser = parse_volume)]
    pub volume: Option<f32>,
    /// Loudness of the tones beside the voice, from 0 to 1 [default: 1].
    #[arg(long, value_parser = parse_volume)]
    pub tone_volume: Option<f32>,
    /// Folder of WAV files replacing tones: tick.wav, go.wav, chime.wav,
    /// halfway.wav, finish.wav.
    #[arg(long, value_name = "DIR")]
    pub tones: Option<PathBuf>,
    /// Device period in milliseconds [default: 10].
    #[arg(long, value_name = "MS", value_parser = parse_period)]
    pub period_ms: Option<u64>,
    /// Near-silent noise this many milliseconds before each cue, for
    /// Bluetooth links that fall asleep on digital silence [default: 0].
    #[arg(long, value_name = "MS", value_parser = parse_pre_roll)]
    pub pre_roll_ms: Option<u64>,
    /// What to do when a lost device comes back [default: resume].
    #[arg(long, value_enum)]
    pub after_device_loss: Option<AfterLoss>,
}

/// `[voice]`: who speaks the cues.
#[derive(Debug, Clone, Default, Args, Deserialize)]
pub struct VoiceSettings {
    /// Which voice speaks the cues [default: pack].
    #[arg(long = "voice", value_enum)]
    pub engine: Option<VoiceKind>,
    /// The espeak-ng voice, with --voice espeak-ng [default: en-us].
    #[arg(long, value_name = "NAME")]
    pub espeak_voice: Option<String>,
    /// Speaking rate of espeak-ng, in words per minute [default: 160].
    #[arg(long, value_name = "WPM", value_parser = parse_words_per_minute)]
    pub words_per_minute: Option<u32>,
    /// The piper voice model (.onnx), with --voice piper.
    #[arg(long, value_name = "FILE")]
    pub piper_model: Option<PathBuf>,
    /// With --voice command: the command and its arguments, split at
    /// spaces and run without a shell. `{text}` stands for the phrase,
    /// `{output}` for the WAV file to write (else WAV is read from its
    /// standard output).
    #[arg(long = "voice-command", value_name = "COMMAND")]
    pub command: Option<String>,
    /// Where rendered phrases are cached; default: the user's cache folder.
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,
    /// A phrasebook to speak from instead of the built-in English one;
    /// Reload re-reads it.
    #[arg(long, value_name = "FILE")]
    pub phrasebook: Option<PathBuf>,
}

/// `[daemon]`: the service's own settings.
#[derive(Debug, Clone, Default, Args, Deserialize)]
pub struct DaemonSettings {
    /// Serve on the system bus instead of the session bus.
    #[arg(long, conflicts_with = "bus_address")]
    #[serde(skip)]
    pub system: bool,
    /// Serve on the bus at this address instead of the session bus.
    #[arg(long, value_name = "ADDRESS")]
    #[serde(skip)]
    pub bus_address: Option<String>,
    /// The file's `bus`: "session", "system" or an address.
    #[arg(skip)]
    pub bus: Option<String>,
    /// What a headphone's (MPRIS) Pause does [default: pause].
    #[arg(long, value_enum)]
    pub headphone_pause: Option<PauseButton>,
    /// What to do with a session a crash or power cut interrupted
    /// [default: resume-paused].
    #[arg(long, value_enum)]
    pub after_crash: Option<AfterCrash>,
    /// Where the session checkpoint and the history are kept; default:
    /// systemd's StateDirectory, else $XDG_STATE_HOME/treadcue.
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
    /// How much to log: error, warn, info, debug or trace; RUST_LOG, when
    /// set, wins [default: info].
    #[arg(long, value_name = "LEVEL")]
    pub log_level: Option<String>,
}

/// `[web]`: the web remote.
#[derive(Debug, Clone, Default, Args, Deserialize)]
pub struct WebSettings {
    /// Serve the web remote (the page and its API) at this address and
    /// port, like 0.0.0.0:8321 for the whole LAN [default: off].
    #[arg(long = "web", value_name = "ADDR:PORT")]
    pub listen: Option<String>,
    /// A name the web remote answers to besides this machine's hostname,
    /// HOSTNAME.local, localhost and IP addresses (a name on your router,
    /// say); repeat for more.
    #[arg(long = "web-host", value_name = "NAME")]
    pub hosts: Option<Vec<String>>,
    /// Announce the web remote on the local network through Avahi
    /// (mDNS/DNS-SD), so a phone finds it as HOSTNAME.local [default:
    /// true].
    #[arg(long = "web-advertise", value_name = "BOOL")]
    pub advertise: Option<bool>,
}

/// `[bluetooth]`: treadcue and BlueZ.
#[derive(Debug, Clone, Default, Args, Deserialize)]
pub struct BluetoothSettings {
    /// Register with BlueZ on the system bus, so headphone buttons reach
    /// treadcue with no mpris-proxy: true or false [default: true].
    #[arg(long = "bluetooth-buttons", value_name = "BOOL")]
    pub buttons: Option<bool>,
}

/// `[courses]`: where courses come from.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CourseSettings {
    /// Folders searched before the built-in courses, earlier first.
    pub folders: Option<Vec<PathBuf>>,
}

/// `[programs]`: where programs come from and how speeds are given.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProgramSettings {
    /// Folders searched before the built-in programs, earlier first.
    pub folders: Option<Vec<PathBuf>>,
    pub units: Option<UnitsChoice>,
}

impl SoundSettings {
    /// These settings with `over`'s wherever `over` has one.
    pub fn merge(self, over: SoundSettings) -> SoundSettings {
        SoundSettings {
            device: over.device.or(self.device),
            volume: over.volume.or(self.volume),
            tone_volume: over.tone_volume.or(self.tone_volume),
            tones: over.tones.or(self.tones),
            period_ms: over.period_ms.or(self.period_ms),
            pre_roll_ms: over.pre_roll_ms.or(self.pre_roll_ms),
            after_device_loss: over.after_device_loss.or(self.after_device_loss),
        }
    }
}

impl VoiceSettings {
    pub fn merge(self, over: VoiceSettings) -> VoiceSettings {
        VoiceSettings {
            engine: over.engine.or(self.engine),
            espeak_voice: over.espeak_voice.or(self.espeak_voice),
            words_per_minute: over.words_per_minute.or(self.words_per_minute),
            piper_model: over.piper_model.or(self.piper_model),
            command: over.command.or(self.command),
            cache: over.cache.or(self.cache),
            phrasebook: over.phrasebook.or(self.phrasebook),
        }
    }
}

impl DaemonSettings {
    /// The bus these settings name, flags before the file's key.
    fn named_bus(&self) -> Option<String> {
        self.bus_address
            .clone()
            .or_else(|| self.system.then(|| "system".to_string()))
            .or_else(|| self.bus.clone())
    }

    pub fn merge(self, over: DaemonSettings) -> DaemonSettings {
        DaemonSettings {
            system: false,
            bus_address: None,
            bus: over.named_bus().or_else(|| self.named_bus()),
            headphone_pause: over.headphone_pause.or(self.headphone_pause),
            after_crash: over.after_crash.or(self.after_crash),
            state_dir: over.state_dir.or(self.state_dir),
            log_level: over.log_level.or(self.log_level),
        }
    }
}
