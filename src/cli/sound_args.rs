//! The sound options every sound-making command shares, turned into ready
//! settings in one place.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};

use crate::audio::bank::{self, Bank};
use crate::audio::output::{AfterDeviceLoss, OutputOptions};
use crate::audio::player::PlayerOptions;
use crate::catalog::Catalog;
use crate::cue_settings::CueSettings;
use crate::phrasebook::Phrasebook;
use crate::plan::Plan;
use crate::program::Program;
use crate::voice::{self, DEFAULT_ESPEAK_VOICE, DEFAULT_WORDS_PER_MINUTE, Voice, VoiceChoice};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VoiceKind {
    /// The bundled voice pack (espeak-ng says what it lacks, if installed).
    Pack,
    EspeakNg,
    Piper,
    /// The command given with --voice-command.
    Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AfterLoss {
    Resume,
    Pause,
}

#[derive(Debug, Clone, Args)]
pub struct SoundArgs {
    /// Output device, by the name `treadcued devices` shows; default: the
    /// system's default output.
    #[arg(long, value_name = "NAME")]
    pub device: Option<String>,
    /// Which voice speaks the cues.
    #[arg(long, value_enum, default_value_t = VoiceKind::Pack)]
    pub voice: VoiceKind,
    /// The espeak-ng voice, with --voice espeak-ng.
    #[arg(long, value_name = "NAME", default_value = DEFAULT_ESPEAK_VOICE)]
    pub espeak_voice: String,
    /// Speaking rate of espeak-ng, in words per minute.
    #[arg(long, value_name = "WPM", default_value_t = DEFAULT_WORDS_PER_MINUTE, value_parser = clap::value_parser!(u32).range(80..=450))]
    pub words_per_minute: u32,
    /// The piper voice model (.onnx), with --voice piper.
    #[arg(long, value_name = "FILE")]
    pub piper_model: Option<PathBuf>,
    /// With --voice command: the command and its arguments, split at
    /// spaces and run without a shell. `{text}` stands for the phrase,
    /// `{output}` for the WAV file to write (else WAV is read from its
    /// standard output).
    #[arg(long, value_name = "COMMAND")]
    pub voice_command: Option<String>,
    /// Volume from 0 to 1.
    #[arg(long, default_value_t = 0.8, value_parser = parse_volume)]
    pub volume: f32,
    /// Folder of WAV files replacing tones: tick.wav, go.wav, chime.wav,
    /// halfway.wav, finish.wav.
    #[arg(long, value_name = "DIR")]
    pub tones: Option<PathBuf>,
    /// Where rendered phrases are cached; default: the user's cache folder.
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,
    /// Device period in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(2..=200))]
    pub period_ms: u64,
    /// Near-silent noise this many milliseconds before each cue, for
    /// Bluetooth links that fall asleep on digital silence.
    #[arg(long, value_name = "MS", default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=2000))]
    pub pre_roll_ms: u64,
    /// What to do when a lost device comes back.
    #[arg(long, value_enum, default_value_t = AfterLoss::Resume)]
    pub after_device_loss: AfterLoss,
}

fn parse_volume(text: &str) -> Result<f32, String> {
    let volume: f32 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number"))?;
    if (0.0..=1.0).contains(&volume) {
        Ok(volume)
    } else {
        Err(format!("volume {volume} is outside 0 to 1"))
    }
}

impl SoundArgs {
    pub fn voice_choice(&self) -> Result<VoiceChoice, String> {
        Ok(match self.voice {
            VoiceKind::Pack => VoiceChoice::Pack,
            VoiceKind::EspeakNg => VoiceChoice::EspeakNg {
                voice: self.espeak_voice.clone(),
                words_per_minute: self.words_per_minute,
            },
            VoiceKind::Piper => VoiceChoice::Piper {
                model: self
                    .piper_model
                    .clone()
                    .ok_or("--voice piper needs --piper-model FILE")?,
            },
            VoiceKind::Command => {
                let command = self
                    .voice_command
                    .as_deref()
                    .ok_or("--voice command needs --voice-command")?;
                VoiceChoice::Command {
                    argv: command.split_whitespace().map(String::from).collect(),
                }
            }
        })
    }

    pub fn build_voice(&self) -> Result<Box<dyn Voice>, String> {
        Ok(voice::build(&self.voice_choice()?, Some(self.cache_dir())))
    }

    pub fn cache_dir(&self) -> PathBuf {
        self.cache.clone().unwrap_or_else(default_cache_dir)
    }

    pub fn output_options(&self) -> OutputOptions {
        OutputOptions {
            device: self.device.clone(),
            period: Duration::from_millis(self.period_ms),
            after_loss: match self.after_device_loss {
                AfterLoss::Resume => AfterDeviceLoss::Resume,
                AfterLoss::Pause => AfterDeviceLoss::StayPaused,
            },
            ..OutputOptions::default()
        }
    }

    pub fn player_options(&self) -> PlayerOptions {
        PlayerOptions {
            output: self.output_options(),
            volume: self.volume,
            pre_roll: Duration::from_millis(self.pre_roll_ms),
        }
    }

    /// Loads a program named on the command line and prepares it at `rate`;
    /// on failure, the exit status and the message to give.
    pub fn load_and_prepare(
        &self,
        catalog: &Catalog,
        arg: &str,
        rate: u32,
    ) -> Result<(Plan, Bank), (u8, String)> {
        let program = catalog
            .load_arg(arg)
            .map_err(|e| (super::EXIT_INVALID, e.to_string()))?;
        let voice = self.build_voice().map_err(|e| (super::EXIT_INVALID, e))?;
        self.prepare(&program, voice.as_ref(), rate)
            .map_err(|e| (1, e))
    }

    /// Renders every phrase of the program and compiles its plan at `rate`.
    pub fn prepare(
        &self,
        program: &Program,
        voice: &dyn Voice,
        rate: u32,
    ) -> Result<(Plan, Bank), String> {
        let mut bank = Bank::new(rate, self.tones.as_deref())?;
        let plan = bank::prepare(
            program,
            &CueSettings::default(),
            &Phrasebook::default(),
            voice,
            &mut bank,
        )
        .map_err(|e| e.to_string())?;
        Ok((plan, bank))
    }
}

/// `$XDG_CACHE_HOME/treadcue/phrases`, or under `~/.cache`.
fn default_cache_dir() -> PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("treadcue").join("phrases")
}
