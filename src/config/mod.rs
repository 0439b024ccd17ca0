//! Configuration: the file, then the flags over it, turned in one place
//! into a checked, ready-to-use [`Config`] with every default filled in.

mod build;
pub mod devices;
pub mod ducking;
pub mod file;
pub mod limits;
mod loader;
pub mod mqtt;
mod places;
pub mod settings;
pub mod zwo;

use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

use crate::audio::output::{AfterDeviceLoss, OutputOptions};
use crate::audio::player::PlayerOptions;
use crate::controller::HeadphonePause;
use crate::course::CourseCatalog;
use crate::frontend::dbus::Bus;
use crate::phrasebook::Phrasebook;
use crate::program::catalog::Catalog;
use crate::program::cue_settings::CueSettings;
use crate::program::{self, Units};
use crate::store::StateFiles;
use crate::voice::{self, DEFAULT_ESPEAK_VOICE, DEFAULT_WORDS_PER_MINUTE, Voice, VoiceChoice};

use file::ReadFile;
pub use loader::{Loaded, Loader};
use places::xdg_dir;
use places::{
    default_cache_dir, default_course_folders, default_program_folders, default_state_dir,
    spill_dir,
};
use settings::{
    AfterCrash, AfterLoss, DaemonSettings, PauseButton, SoundSettings, UnitsChoice, VoiceKind,
    VoiceSettings,
};

pub const DEFAULT_VOLUME: f32 = 0.8;
pub const DEFAULT_PERIOD_MS: u64 = 10;
/// The note of streams lowered under a cue, in the state folder.
pub const DUCKED_NOTE: &str = "ducked.json";
const LOG_LEVELS: [&str; 5] = ["error", "warn", "info", "debug", "trace"];

/// What the command line says, over the file.
#[derive(Debug, Clone, Default)]
pub struct Flags {
    pub sound: SoundSettings,
    pub voice: VoiceSettings,
    pub daemon: DaemonSettings,
    /// Added after the file's folders, so they win over them.
    pub program_folders: Vec<PathBuf>,
    /// The same for course folders.
    pub course_folders: Vec<PathBuf>,
    pub web: settings::WebSettings,
    pub ducking: ducking::DuckingSettings,
    pub bluetooth: settings::BluetoothSettings,
    pub treadmill: devices::TreadmillSettings,
    pub heart: devices::HeartSettings,
    pub zwo: zwo::ZwoSettings,
    pub mqtt: mqtt::MqttSettings,
}

/// The effective configuration. `treadcued --print-config` prints it, in
/// the config file's own format.
#[derive(Debug, Clone, Serialize)]
pub struct Config {
    /// The files it was read from, the last winning; empty: none.
    #[serde(skip)]
    pub files: Vec<PathBuf>,
    pub sound: Sound,
    pub voice: VoiceConfig,
    pub daemon: Daemon,
    pub programs: Programs,
    pub courses: Courses,
    pub web: WebConfig,
    pub ducking: ducking::Ducking,
    pub bluetooth: Bluetooth,
    pub treadmill: devices::Treadmill,
    pub heart: devices::Heart,
    pub zwo: zwo::Zwo,
    pub mqtt: mqtt::Mqtt,
    pub cues: CueSettings,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bluetooth {
    /// Headphone buttons through BlueZ.
    pub buttons: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct WebConfig {
    /// Where the web remote listens; off when `None`.
    pub listen: Option<String>,
    /// Names it answers to besides the machine's own.
    pub hosts: Vec<String>,
    /// Announced through Avahi when it listens beyond this machine.
    pub advertise: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Courses {
    pub folders: Vec<PathBuf>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Sound {
    pub device: Option<String>,
    pub volume: f32,
    pub tone_volume: f32,
    pub tones: Option<PathBuf>,
    pub period_ms: u64,
    pub pre_roll_ms: u64,
    pub after_device_loss: AfterLoss,
}

#[derive(Debug, Clone, Serialize)]
pub struct VoiceConfig {
    pub engine: VoiceKind,
    pub espeak_voice: String,
    pub words_per_minute: u32,
    pub piper_model: Option<PathBuf>,
    pub command: Option<String>,
    pub cache: PathBuf,
    pub phrasebook: Option<PathBuf>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Daemon {
    pub bus: String,
    pub headphone_pause: PauseButton,
    pub after_crash: AfterCrash,
    pub state_dir: PathBuf,
    pub log_level: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Programs {
    pub folders: Vec<PathBuf>,
    pub units: UnitsChoice,
}

impl Config {
    /// The defaults with `read`'s settings over them, then `flags` over
    /// those. A bad value in the file is an error that names the file and
    /// the key.
    pub fn resolve(read: Option<&ReadFile>, flags: Flags) -> Result<Config, String> {
        let file_courses = read.and_then(|r| r.file.courses.folders.clone());
        let file_web = read.and_then(|r| r.file.web.listen.clone());
        let file_hosts = read.and_then(|r| r.file.web.hosts.clone());
        let file_advertise = read.and_then(|r| r.file.web.advertise);
        let file_buttons = read.and_then(|r| r.file.bluetooth.buttons);
        let in_file = |e: String| match read {
            Some(read) => format!("{}: {e}", read.name),
            None => e,
        };
        let file_treadmill = read.map(|r| r.file.treadmill.clone()).unwrap_or_default();
        let file_heart = read.map(|r| r.file.heart.clone()).unwrap_or_default();
        let file_zwo = read.map(|r| r.file.zwo.clone()).unwrap_or_default();
        zwo::Zwo::resolve(file_zwo.clone()).map_err(in_file)?;
        let hostname = crate::frontend::web::address::hostname().unwrap_or_default();
        let file_mqtt = read.map(|r| r.file.mqtt.clone()).unwrap_or_default();
        mqtt::Mqtt::resolve(file_mqtt.clone(), &hostname).map_err(in_file)?;
        devices::Treadmill::resolve(file_treadmill.clone()).map_err(in_file)?;
        devices::Heart::resolve(file_heart.clone()).map_err(in_file)?;
        let file_ducking = match read {
            Some(read) => {
                let settings = read.file.ducking.clone();
                ducking::Ducking::resolve(settings.clone())
                    .map_err(|e| format!("{}: {e}", read.name))?;
                settings
            }
            None => Default::default(),
        };
        let (file_sound, file_voice, file_daemon, file_programs, cues) = match read {
            Some(read) => {
                let f = &read.file;
                let in_file = |e: String| format!("{}: {e}", read.name);
                check_file_values(&f.sound, &f.voice).map_err(&in_file)?;
                check_daemon(f.daemon.bus.as_deref(), f.daemon.log_level.as_deref())
                    .map_err(|e| in_file(format!("[daemon] {e}")))?;
                let cues = file_cues(read)?;
                (
                    f.sound.clone(),
                    f.voice.clone(),
                    f.daemon.clone(),
                    f.programs.clone(),
                    cues,
                )
            }
            None => Default::default(),
        };
        let sound = file_sound.merge(flags.sound);
        let voice = file_voice.merge(flags.voice);
        let daemon = file_daemon.merge(flags.daemon);
        let mut folders = file_programs
            .folders
            .unwrap_or_else(default_program_folders);
        folders.extend(flags.program_folders);
        let mut course_folders = file_courses.unwrap_or_else(default_course_folders);
        course_folders.extend(flags.course_folders);
        let config = Config {
            files: read.map(|r| r.paths.clone()).unwrap_or_default(),
            sound: Sound::from(sound),
            voice: VoiceConfig::from(voice),
            daemon: Daemon::from_settings(daemon),
            programs: Programs {
                folders,
                units: file_programs.units.unwrap_or(UnitsChoice::Program),
            },
            courses: Courses {
                folders: course_folders,
            },
            web: WebConfig {
                listen: flags.web.listen.or(file_web),
                hosts: flags.web.hosts.or(file_hosts).unwrap_or_default(),
                advertise: flags.web.advertise.or(file_advertise).unwrap_or(true),
            },
            ducking: ducking::Ducking::resolve(file_ducking.merge(flags.ducking))?,
            bluetooth: Bluetooth {
                buttons: flags.bluetooth.buttons.or(file_buttons).unwrap_or(true),
            },
            treadmill: devices::Treadmill::resolve(file_treadmill.merge(flags.treadmill))?,
            heart: devices::Heart::resolve(file_heart.merge(flags.heart))?,
            zwo: zwo::Zwo::resolve(file_zwo.merge(flags.zwo))?,
            mqtt: mqtt::Mqtt::resolve(file_mqtt.merge(flags.mqtt), &hostname)?,
            cues,
        };
        config.check()?;
        Ok(config)
    }

    /// The values that may have come from the flags.
    fn check(&self) -> Result<(), String> {
        check_daemon(Some(&self.daemon.bus), Some(&self.daemon.log_level))?;
        self.web_listen().map(drop)
    }

    /// Where the web remote listens, if it is on.
    pub fn web_listen(&self) -> Result<Option<std::net::SocketAddr>, String> {
        let Some(listen) = &self.web.listen else {
            return Ok(None);
        };
        listen.trim().parse().map(Some).map_err(|_| {
            format!("[web] listen {listen:?} is not an address and port like 0.0.0.0:8321")
        })
    }

    /// The defaults alone, as with no file and no flags.
    pub fn defaults() -> Config {
        Config::resolve(None, Flags::default()).expect("the defaults are valid")
    }

    /// The config file's text for this configuration.
    pub fn to_toml(&self) -> String {
        let source = match self.files.as_slice() {
            [] => "# no config file: defaults, with the flags over them".into(),
            [path] => format!("# read from {}, with the flags over it", path.display()),
            [first, over @ ..] => {
                let mut text = format!("# read from {}", first.display());
                for path in over {
                    text += &format!("\n# then {}, key by key over it", path.display());
                }
                text + "\n# with the flags over them"
            }
        };
        let body = toml::to_string(self).unwrap_or_else(|e| format!("# cannot print: {e}\n"));
        format!("{source}\n\n{body}")
    }
}

fn parse_bus(bus: &str) -> Result<Bus, String> {
    match bus {
        "session" => Ok(Bus::Session),
        "system" => Ok(Bus::System),
        address if address.contains(':') => Ok(Bus::Address(address.to_string())),
        other => Err(format!(
            "bus `{other}` is not \"session\", \"system\" or an address like \"unix:path=/run/treadcue/bus\""
        )),
    }
}

fn check_daemon(bus: Option<&str>, log_level: Option<&str>) -> Result<(), String> {
    if let Some(bus) = bus {
        parse_bus(bus)?;
    }
    match log_level {
        Some(level) if !LOG_LEVELS.contains(&level) => Err(format!(
            "log_level `{level}` is not one of {}",
            LOG_LEVELS.join(", ")
        )),
        _ => Ok(()),
    }
}

/// Range checks of the file's own numbers; the flags' are checked as
/// they are parsed.
fn check_file_values(sound: &SoundSettings, voice: &VoiceSettings) -> Result<(), String> {
    fn section(name: &'static str) -> impl Fn(String) -> String {
        move |e| format!("[{name}] {e}")
    }
    if let Some(v) = sound.volume {
        limits::check_volume(v).map_err(section("sound"))?;
    }
    if let Some(v) = sound.tone_volume {
        limits::check_volume(v)
            .map_err(|e| format!("tone_{e}"))
            .map_err(section("sound"))?;
    }
    if let Some(ms) = sound.period_ms {
        limits::check_period(ms).map_err(section("sound"))?;
    }
    if let Some(ms) = sound.pre_roll_ms {
        limits::check_pre_roll(ms).map_err(section("sound"))?;
    }
    if let Some(wpm) = voice.words_per_minute {
        limits::check_words_per_minute(wpm).map_err(section("voice"))?;
    }
    Ok(())
}

/// The file's `[cues]`, checked as a program's are, over the defaults.
fn file_cues(read: &ReadFile) -> Result<CueSettings, String> {
    let raw = read.file.cues.clone().into();
    let changes = program::cue_overrides(&read.source, &raw).map_err(|errors| {
        errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    })?;
    Ok(CueSettings::default().with(&changes))
}

impl From<SoundSettings> for Sound {
    fn from(s: SoundSettings) -> Sound {
        Sound {
            device: s.device,
            volume: s.volume.unwrap_or(DEFAULT_VOLUME),
            tone_volume: s.tone_volume.unwrap_or(1.0),
            tones: s.tones,
            period_ms: s.period_ms.unwrap_or(DEFAULT_PERIOD_MS),
            pre_roll_ms: s.pre_roll_ms.unwrap_or(0),
            after_device_loss: s.after_device_loss.unwrap_or(AfterLoss::Resume),
        }
    }
}

impl From<VoiceSettings> for VoiceConfig {
    fn from(v: VoiceSettings) -> VoiceConfig {
        VoiceConfig {
            engine: v.engine.unwrap_or(VoiceKind::Pack),
            espeak_voice: v
                .espeak_voice
                .unwrap_or_else(|| DEFAULT_ESPEAK_VOICE.into()),
            words_per_minute: v.words_per_minute.unwrap_or(DEFAULT_WORDS_PER_MINUTE),
            piper_model: v.piper_model,
            command: v.command,
            cache: v.cache.unwrap_or_else(default_cache_dir),
            phrasebook: v.phrasebook,
        }
    }
}

impl Daemon {
    fn from_settings(d: DaemonSettings) -> Daemon {
        Daemon {
            bus: d.bus.unwrap_or_else(|| "session".into()),
            headphone_pause: d.headphone_pause.unwrap_or(PauseButton::Pause),
            after_crash: d.after_crash.unwrap_or(AfterCrash::ResumePaused),
            state_dir: d.state_dir.unwrap_or_else(default_state_dir),
            log_level: d.log_level.unwrap_or_else(|| "info".into()),
        }
    }
}

/// systemd's `StateDirectory=` when run by it, else
/// `$XDG_STATE_HOME/treadcue`, or under `~/.local/state`.
/// Every key of the config file, as `section.key`.
pub fn known_keys() -> Vec<String> {
    // Settings with no default are not printed until set.
    let mut keys: Vec<String> = [
        "sound.device",
        "sound.tones",
        "voice.piper_model",
        "voice.command",
        "voice.phrasebook",
        "web.listen",
        "web.hosts",
        "zwo.threshold_pace",
        "mqtt.broker",
        "mqtt.username",
        "mqtt.password_file",
        "mqtt.ca_file",
    ]
    .map(String::from)
    .to_vec();
    let printed: toml::Table = Config::defaults().to_toml().parse().unwrap_or_default();
    for (section, table) in &printed {
        if let Some(table) = table.as_table() {
            keys.extend(table.keys().map(|key| format!("{section}.{key}")));
        }
    }
    keys
}

/// An espeak-ng voice that does not speak (a "variant", or a name it does
/// not have) is refused before espeak-ng is ever run with it. With
/// espeak-ng not installed, the voice says so when it is used.
fn check_espeak_voice(name: &str) -> Result<(), String> {
    if !voice::is_installed("espeak-ng") {
        return Ok(());
    }
    if voice::espeak_voice_names(true).iter().any(|v| v == name) {
        return Ok(());
    }
    let voices = voice::espeak_voices();
    Err(format!(
        "espeak-ng has no voice {name:?} that speaks; the voices are: {} (`treadcued voices` lists them)",
        voices.join(", ")
    ))
}
