//! Voices turn cue text into PCM before it is needed. Backends: the
//! bundled voice pack, espeak-ng and piper run as commands, or any command
//! that writes WAV. Command voices are cached on disk by voice and text.

mod cache;
mod command;
pub mod pack;

use std::path::PathBuf;

use crate::audio::pcm::Clip;

pub use cache::{Cached, evict};
pub use command::{
    CommandVoice, espeak_ng, espeak_voice_names, espeak_voices, is_installed, piper,
};
pub use pack::Pack;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum VoiceError {
    /// The synthesizer's program is not on this machine.
    #[error("{program} is not installed: {hint}")]
    NotInstalled { program: String, hint: String },
    /// The voice cannot say this text (the bundled pack lacks a word).
    #[error("the {voice} voice cannot say {text:?}: it has no recording of {missing:?}")]
    CannotSay {
        voice: String,
        text: String,
        missing: String,
    },
    #[error("{voice} failed to say {text:?}: {reason}")]
    Failed {
        voice: String,
        text: String,
        reason: String,
    },
}

pub trait Voice: Send + Sync {
    /// A stable name for this voice, used in listings and cache keys:
    /// "pack:joe", "espeak-ng:en-us", "piper:en_US-joe-medium".
    fn id(&self) -> String;
    /// The text as speech, at whatever rate the voice produces.
    fn render(&self, text: &str) -> Result<Clip, VoiceError>;
    /// The same for a phrase said once (a client's Say): not worth a
    /// place in a cache, where any caller could otherwise fill the disk.
    fn render_once(&self, text: &str) -> Result<Clip, VoiceError> {
        self.render(text)
    }
    /// The words of `text` this voice cannot say; none for a synthesizer.
    fn missing_words(&self, _text: &str) -> Vec<String> {
        Vec::new()
    }
    /// Who says what of `text`: each part with the id of the voice that
    /// will say it, in order. One part for a single voice; a chain gives
    /// each sentence to the first voice that can say it.
    fn speakers(&self, text: &str) -> Vec<(String, String)> {
        vec![(self.id(), text.to_string())]
    }
    /// Whether rendering takes no noticeable time, so spreading it over
    /// threads would cost more than it saves.
    fn is_fast(&self) -> bool {
        false
    }
}

/// Tries voices in turn: the first that can say a phrase says it. Lets
/// the bundled pack speak what it has and a synthesizer the rest.
pub struct Chain(pub Vec<Box<dyn Voice>>);

impl Voice for Chain {
    fn id(&self) -> String {
        self.0.iter().map(|v| v.id()).collect::<Vec<_>>().join("+")
    }

    fn is_fast(&self) -> bool {
        self.0.first().is_some_and(|v| v.is_fast())
    }

    fn missing_words(&self, text: &str) -> Vec<String> {
        // What any voice of the chain can say is said.
        let mut missing = Vec::new();
        for voice in &self.0 {
            missing = voice.missing_words(text);
            if missing.is_empty() {
                break;
            }
        }
        missing
    }

    fn render(&self, text: &str) -> Result<Clip, VoiceError> {
        self.in_parts(text, |voice, part| voice.render(part))
    }

    fn speakers(&self, text: &str) -> Vec<(String, String)> {
        let says_all = |voice: &dyn Voice, part: &str| voice.missing_words(part).is_empty();
        let speaker_of = |part: &str| {
            self.0
                .iter()
                .find(|v| says_all(v.as_ref(), part))
                .map(|v| v.speakers(part))
                .unwrap_or_default()
        };
        let sentences = sentences(text);
        let first_says_all = self.0.first().is_some_and(|v| says_all(v.as_ref(), text));
        if sentences.len() < 2 || first_says_all {
            return speaker_of(text);
        }
        sentences.iter().flat_map(|s| speaker_of(s)).collect()
    }

    fn render_once(&self, text: &str) -> Result<Clip, VoiceError> {
        self.in_parts(text, |voice, part| voice.render_once(part))
    }
}

/// Silence between sentences said by different voices.
const BETWEEN_SENTENCES_SECS: f64 = 0.3;

impl Chain {
    /// The whole text in the first voice that says all of it; else each
    /// sentence in the first voice that says it, so the bundled pack keeps
    /// saying what it can (an announcement) and only the sentence it
    /// lacks (a note's unknown word) goes to the synthesizer.
    fn in_parts(
        &self,
        text: &str,
        render: impl Fn(&dyn Voice, &str) -> Result<Clip, VoiceError>,
    ) -> Result<Clip, VoiceError> {
        let sentences = sentences(text);
        let first = self.0.first().map(|v| v.missing_words(text).is_empty());
        if sentences.len() < 2 || first != Some(false) {
            return self.first_that_says(text, |voice| render(voice, text));
        }
        let mut clips = Vec::new();
        for sentence in &sentences {
            clips.push(self.first_that_says(sentence, |voice| render(voice, sentence))?);
        }
        Ok(joined(clips))
    }
}

/// A text cut after each `.`, `!` or `?` that ends a word.
fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        let end = i + c.len_utf8();
        let ends_word = text[end..].starts_with(' ') || end == text.len();
        if matches!(c, '.' | '!' | '?') && ends_word {
            out.push(text[start..end].trim());
            start = end;
        }
    }
    if !text[start..].trim().is_empty() {
        out.push(text[start..].trim());
    }
    out.retain(|s| !s.is_empty());
    out
}

/// Clips one after another at the first one's rate, a short silence
/// between them.
fn joined(clips: Vec<Clip>) -> Clip {
    let rate = clips.first().map_or(16_000, |c| c.rate);
    let gap = (BETWEEN_SENTENCES_SECS * f64::from(rate)) as usize;
    let mut samples = Vec::new();
    for (i, clip) in clips.into_iter().enumerate() {
        if i > 0 {
            samples.extend(std::iter::repeat_n(0.0, gap));
        }
        samples.extend_from_slice(&clip.trimmed().resampled(rate).samples);
    }
    Clip::new(rate, samples)
}

impl Chain {
    fn first_that_says(
        &self,
        text: &str,
        render: impl Fn(&dyn Voice) -> Result<Clip, VoiceError>,
    ) -> Result<Clip, VoiceError> {
        let mut first_error = None;
        for voice in &self.0 {
            match render(voice.as_ref()) {
                Ok(clip) => return Ok(clip),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        Err(first_error.unwrap_or(VoiceError::Failed {
            voice: "none".into(),
            text: text.into(),
            reason: "no voice is configured".into(),
        }))
    }
}

/// Which voice speaks, as the config file and flags give it.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum VoiceChoice {
    /// The bundled pack, with espeak-ng for what the pack lacks when it
    /// is installed.
    #[default]
    Pack,
    EspeakNg {
        voice: String,
        words_per_minute: u32,
    },
    Piper {
        model: PathBuf,
    },
    /// Argument list with `{text}`, and `{output}` where the command
    /// writes its WAV (else WAV is read from its standard output).
    Command {
        argv: Vec<String>,
    },
}

pub const DEFAULT_ESPEAK_VOICE: &str = "en-us";
pub const DEFAULT_WORDS_PER_MINUTE: u32 = 160;

/// Builds the chosen voice, cached on disk under `cache_dir` when it runs
/// a command.
pub fn build(choice: &VoiceChoice, cache_dir: Option<PathBuf>) -> Box<dyn Voice> {
    let cached = |voice: CommandVoice| -> Box<dyn Voice> {
        match &cache_dir {
            Some(dir) => Box::new(Cached::new(voice, dir.clone())),
            None => Box::new(voice),
        }
    };
    match choice {
        VoiceChoice::Pack => {
            let mut chain: Vec<Box<dyn Voice>> = vec![Box::new(Pack::bundled())];
            if command::is_installed("espeak-ng") {
                chain.push(cached(espeak_ng(
                    DEFAULT_ESPEAK_VOICE,
                    DEFAULT_WORDS_PER_MINUTE,
                )));
            }
            Box::new(Chain(chain))
        }
        VoiceChoice::EspeakNg {
            voice,
            words_per_minute,
        } => cached(espeak_ng(voice, *words_per_minute)),
        VoiceChoice::Piper { model } => cached(piper(model)),
        VoiceChoice::Command { argv } => cached(CommandVoice::custom(argv.clone())),
    }
}
