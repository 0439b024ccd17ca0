//! The sound and voice flags every sound-making command shares, and the
//! preparation of a program with the resulting configuration.

use clap::Args;

use crate::audio::bank::{self, Bank};
use crate::config::Config;
use crate::config::settings::{SoundSettings, VoiceSettings};
use crate::plan::Plan;
use crate::program::Program;
use crate::voice::Voice;

#[derive(Debug, Clone, Default, Args)]
pub struct SoundArgs {
    #[command(flatten)]
    pub sound: SoundSettings,
    #[command(flatten)]
    pub voice: VoiceSettings,
}

/// Loads a program named on the command line and prepares it at `rate`;
/// on failure, the exit status and the message to give.
pub fn load_and_prepare(
    config: &Config,
    arg: &str,
    rate: u32,
) -> Result<(Plan, Bank), (u8, String)> {
    let program = config
        .catalog()
        .load_arg(arg)
        .map_err(|e| (super::EXIT_INVALID, e.to_string()))?;
    let voice = config.build_voice().map_err(|e| (super::EXIT_INVALID, e))?;
    prepare(config, &program, voice.as_ref(), rate).map_err(|e| (1, e))
}

/// Renders every phrase of the program and compiles its plan at `rate`.
pub fn prepare(
    config: &Config,
    program: &Program,
    voice: &dyn Voice,
    rate: u32,
) -> Result<(Plan, Bank), String> {
    let phrases = config.phrasebook()?;
    let mut bank =
        Bank::new(rate, config.sound.tones.as_deref())?.with_tone_volume(config.sound.tone_volume);
    let plan = bank::prepare(program, &config.cues, &phrases, voice, &mut bank)
        .map_err(|e| e.to_string())?;
    Ok((plan, bank))
}
