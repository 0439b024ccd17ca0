//! What the configuration makes: each part of the daemon (the bus, the
//! programs and courses, the voice and words, the sound output, the state
//! folder, the sensors) as the file and the flags set it.

use super::*;

impl Config {
    pub fn bus(&self) -> Result<Bus, String> {
        parse_bus(&self.daemon.bus)
    }

    /// How the controller uses the treadmill and the strap.
    pub fn fitness_settings(&self) -> crate::controller::FitnessSettings {
        devices::fitness_settings(&self.treadmill, &self.heart)
    }

    pub fn headphone_pause(&self) -> HeadphonePause {
        match self.daemon.headphone_pause {
            PauseButton::Pause => HeadphonePause::Pause,
            PauseButton::Ignore => HeadphonePause::Ignore,
        }
    }

    pub fn catalog(&self) -> Catalog {
        let units = match self.programs.units {
            UnitsChoice::Program => None,
            UnitsChoice::Mph => Some(Units::Mph),
            UnitsChoice::Kmh => Some(Units::Kmh),
        };
        Catalog::new(self.programs.folders.clone())
            .with_units(units)
            .with_zwo(self.zwo.options())
    }

    pub fn course_catalog(&self) -> CourseCatalog {
        CourseCatalog::new(self.courses.folders.clone())
    }

    pub fn voice_choice(&self) -> Result<VoiceChoice, String> {
        let v = &self.voice;
        Ok(match v.engine {
            VoiceKind::Pack => VoiceChoice::Pack,
            VoiceKind::EspeakNg => {
                check_espeak_voice(&v.espeak_voice)?;
                VoiceChoice::EspeakNg {
                    voice: v.espeak_voice.clone(),
                    words_per_minute: v.words_per_minute,
                }
            }
            VoiceKind::Piper => VoiceChoice::Piper {
                model: v.piper_model.clone().ok_or(
                    "the piper voice needs a model: --piper-model FILE or [voice] piper_model",
                )?,
            },
            VoiceKind::Command => {
                let command = v.command.as_deref().ok_or(
                    "the command voice needs a command: --voice-command or [voice] command",
                )?;
                VoiceChoice::Command {
                    argv: command.split_whitespace().map(String::from).collect(),
                }
            }
        })
    }

    pub fn build_voice(&self) -> Result<Box<dyn Voice>, String> {
        Ok(voice::build(
            &self.voice_choice()?,
            Some(self.voice.cache.clone()),
        ))
    }

    /// The phrasebook named by the config, or the built-in English one.
    pub fn phrasebook(&self) -> Result<Phrasebook, String> {
        let Some(path) = &self.voice.phrasebook else {
            return Ok(Phrasebook::default());
        };
        // A phrasebook is a few kilobytes; a megabyte is plenty.
        let text = crate::files::read_regular_text(path, 1 << 20)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Phrasebook::parse(&path.display().to_string(), &text).map_err(|errors| {
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        })
    }

    pub fn output_options(&self) -> OutputOptions {
        OutputOptions {
            device: self.sound.device.clone(),
            period: Duration::from_millis(self.sound.period_ms),
            after_loss: match self.sound.after_device_loss {
                AfterLoss::Resume => AfterDeviceLoss::Resume,
                AfterLoss::Pause => AfterDeviceLoss::StayPaused,
            },
            ducking: self
                .ducking
                .options(self.daemon.state_dir.join(DUCKED_NOTE)),
            ..OutputOptions::default()
        }
    }

    pub fn player_options(&self) -> PlayerOptions {
        PlayerOptions {
            output: self.output_options(),
            volume: self.sound.volume,
            pre_roll: Duration::from_millis(self.sound.pre_roll_ms),
        }
    }

    /// Where the checkpoint and the history live.
    pub fn state_files(&self) -> StateFiles {
        StateFiles::in_dir(&self.daemon.state_dir).with_spill(spill_dir())
    }
}
