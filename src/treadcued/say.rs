//! `treadcued say`: speak one phrase with the configured voice, to hear a
//! voice or test the headphones.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::mpsc::RecvTimeoutError;
use std::time::Duration;

use clap::Args;

use super::play::EXIT_NO_DEVICE;
use super::sound_args::SoundArgs;
use super::{EXIT_INVALID, fail};
use crate::audio::pcm::write_wav;
use crate::audio::player::Player;
use crate::audio::render::render;
use crate::audio::sequencer::Event;
use crate::config::Config;
use crate::plan::Plan;
use crate::prepare::Bank;

#[derive(Debug, Args)]
pub struct SayArgs {
    /// The words to say.
    #[arg(value_name = "TEXT", required = true)]
    pub text: Vec<String>,
    /// Write the phrase to this WAV file instead of playing it.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub sound: SoundArgs,
}

/// Longest phrase `say` takes: a cue, not a speech.
const MAX_CHARS: usize = 500;

pub fn run(args: &SayArgs, config: &Config) -> ExitCode {
    let text = args.text.join(" ");
    let text: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let text = text.trim();
    if text.is_empty() || text.chars().count() > MAX_CHARS {
        return fail(
            EXIT_INVALID,
            format!("say takes 1 to {MAX_CHARS} characters of text"),
        );
    }
    let voice = match config.build_voice() {
        Ok(voice) => voice,
        Err(e) => return fail(EXIT_INVALID, e),
    };
    let clip = match voice.render(text) {
        Ok(clip) => clip,
        Err(e) => return fail(1, e),
    };
    let options = config.player_options();
    let rate = options.output.rate;
    let mut bank = match Bank::new(rate, None) {
        Ok(bank) => bank,
        Err(e) => return fail(1, e),
    };
    bank.add_phrase(text, &clip);
    let plan = Arc::new(Plan::phrase(text, &bank, rate));
    let sounds = bank.sounds_for(&plan);
    if let Some(path) = &args.output {
        return match write_wav(
            path,
            rate,
            &render(plan, sounds, config.sound.volume).samples,
        ) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(1, e),
        };
    }
    let (player, news) = Player::new(options);
    if let Err(e) = player.start_phrase(plan, sounds) {
        return fail(EXIT_NO_DEVICE, e);
    }
    super::interrupt::catch();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        if super::interrupt::asked() {
            return ExitCode::from(super::interrupt::EXIT_INTERRUPTED);
        }
        match news.events.recv_timeout(Duration::from_millis(100)) {
            Ok((_, Event::Finished { .. })) | Err(RecvTimeoutError::Disconnected) => break,
            _ if std::time::Instant::now() >= deadline => break,
            _ => {}
        }
    }
    // Let the device play out its buffer before the stream closes.
    std::thread::sleep(Duration::from_millis(200));
    ExitCode::SUCCESS
}
