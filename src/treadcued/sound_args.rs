//! The sound and voice flags every sound-making command shares, and the
//! preparation of a program with the resulting configuration.

use clap::Args;

use crate::config::Config;
use crate::config::settings::{SoundSettings, VoiceSettings};
use crate::plan::{self, Estimates, Plan, fit_warnings};
use crate::prepare::{self, Bank};
use crate::program::{Diagnostic, Program, SafetyOptions, safety_warnings};
use crate::voice::Voice;

#[derive(Debug, Clone, Default, Args)]
pub struct SoundArgs {
    #[command(flatten)]
    pub sound: SoundSettings,
    #[command(flatten)]
    pub voice: VoiceSettings,
    #[command(flatten)]
    pub ducking: crate::config::ducking::DuckingSettings,
}

/// The flags of a command that makes sound but plays it to no device
/// (render): the voice and the levels, no device, period or device loss.
#[derive(Debug, Clone, Default, Args)]
pub struct FileSoundArgs {
    /// Volume from 0 to 1 [default: 0.8].
    #[arg(long, value_parser = crate::config::limits::parse_volume)]
    pub volume: Option<f32>,
    /// Loudness of the tones beside the voice, from 0 to 1 [default: 1].
    #[arg(long, value_parser = crate::config::limits::parse_volume)]
    pub tone_volume: Option<f32>,
    /// Folder of WAV files replacing tones: tick.wav, go.wav, chime.wav,
    /// halfway.wav, finish.wav.
    #[arg(long, value_name = "DIR")]
    pub tones: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub voice: VoiceSettings,
}

impl FileSoundArgs {
    /// The same as the flags every sound command shares, with no device.
    pub fn to_sound_args(&self) -> SoundArgs {
        SoundArgs {
            sound: SoundSettings {
                volume: self.volume,
                tone_volume: self.tone_volume,
                tones: self.tones.clone(),
                ..SoundSettings::default()
            },
            voice: self.voice.clone(),
            ducking: Default::default(),
        }
    }
}

/// Extra program folders, for the commands that read programs.
#[derive(Debug, Clone, Default, Args)]
pub struct ProgramFolders {
    /// Extra folder of program files; programs there override built-in
    /// ones of the same name. May be given more than once.
    #[arg(long = "programs", value_name = "DIR")]
    pub folders: Vec<std::path::PathBuf>,
}

/// Loads a program named on the command line and prepares it at `rate`;
/// on failure, the exit status and the message to give.
pub fn load_and_prepare(
    config: &Config,
    arg: &str,
    rate: u32,
) -> Result<(Program, Plan, Bank), (u8, String)> {
    let program = config
        .catalog()
        .load_arg(arg)
        .map_err(|e| (super::EXIT_INVALID, e.to_string()))?;
    let voice = config.build_voice().map_err(|e| (super::EXIT_INVALID, e))?;
    let (plan, bank) = prepare(config, &program, voice.as_ref(), rate).map_err(|e| (1, e))?;
    Ok((program, plan, bank))
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
    let plan = prepare::prepare(program, &config.cues, &phrases, voice, &mut bank)
        .map_err(|e| e.to_string())?;
    Ok((plan, bank))
}

/// The warnings about cues that do not fit their steps, as the program
/// will really play with the configured voice; with a voice that cannot
/// render the program, as estimated from the words.
pub fn fit_warnings_of(config: &Config, program: &Program) -> Vec<Diagnostic> {
    let rate = config.player_options().output.rate;
    let planned = config
        .build_voice()
        .and_then(|voice| prepare(config, program, voice.as_ref(), rate));
    let plan = match planned {
        Ok((plan, _)) => plan,
        Err(_) => match config.phrasebook() {
            Ok(phrases) => plan::compile(program, &config.cues, &phrases, &Estimates, rate),
            Err(_) => return Vec::new(),
        },
    };
    fit_warnings(program, &plan)
}

/// Prints the program's safety warnings, and the fit warnings of the plan
/// it was prepared into, to standard error, as `check` would show them.
pub fn warn_about(config: &Config, program: &Program, plan: &Plan) {
    let options = SafetyOptions {
        cues: config.cues.clone(),
        ..SafetyOptions::default()
    };
    let mut warnings = safety_warnings(program, &options);
    warnings.extend(fit_warnings(program, plan));
    for warning in warnings {
        eprintln!("{warning}\n");
    }
}

/// Which voice says which of the program's cues, as `check` prints it.
pub fn voice_lines(config: &Config, program: &Program) -> Vec<String> {
    let (Ok(voice), Ok(phrases)) = (config.build_voice(), config.phrasebook()) else {
        return Vec::new();
    };
    let plan = plan::compile(program, &config.cues, &phrases, &Estimates, 16_000);
    super::spoken_by::spoken_by(voice.as_ref(), &plan)
}

/// An error for each text of the program that the configured voice cannot
/// say, naming every word it lacks, at the step the text belongs to.
/// Where the words of `text` are written: the `say` text that is it,
/// the note that holds the missing words, or else the step.
fn where_written(
    step: &crate::program::Step,
    text: &str,
    missing: &[String],
) -> std::ops::Range<usize> {
    if let Some(cue) = step.texts.iter().find(|t| t.text.as_ref() == text) {
        return cue.span.clone();
    }
    let in_note = step.note.as_deref().is_some_and(|note| {
        let note = note.to_lowercase();
        missing.iter().any(|w| note.contains(&w.to_lowercase()))
    });
    match (&step.note_span, in_note) {
        (Some(span), true) => span.clone(),
        _ => step.span.clone(),
    }
}

pub fn unsayable_errors(config: &Config, program: &Program) -> Vec<Diagnostic> {
    let (Ok(voice), Ok(phrases)) = (config.build_voice(), config.phrasebook()) else {
        return Vec::new();
    };
    let plan = plan::compile(program, &config.cues, &phrases, &Estimates, 16_000);
    let mut errors: Vec<Diagnostic> = Vec::new();
    for cue in &plan.cues {
        let Some(text) = &cue.text else { continue };
        let missing = voice.missing_words(text);
        let Some(step) = program.steps.get(cue.step).filter(|_| !missing.is_empty()) else {
            continue;
        };
        let words: Vec<String> = missing.iter().map(|w| format!("`{w}`")).collect();
        let error = program
            .source
            .error(
                where_written(step, text, &missing),
                format!("the voice cannot say {} in \"{text}\"", words.join(", ")),
            )
            .with_help(
                "install espeak-ng (`sudo apt install espeak-ng`) to speak what the bundled voice lacks, or reword it",
            );
        if !errors.contains(&error) {
            errors.push(error);
        }
    }
    errors
}
