//! Every sound a session needs, rendered before it starts: tones at the
//! output rate, phrases compact at their voice's rate. A cue never waits
//! for a synthesizer.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crate::audio::pcm::{Clip, Speech};
use crate::audio::sequencer::CueSound;
use crate::audio::tones;
use crate::phrasebook::Phrasebook;
use crate::plan::{self, CueLengths, Estimates, Plan, Tone};
use crate::program::Program;
use crate::program::cue_settings::CueSettings;
use crate::voice::{Voice, VoiceError};

/// Peak level of speech: a little above the tones, which carry further.
const SPEECH_PEAK: f32 = 0.6;
/// Ramp at both ends of a phrase, so a cut-off breath never clicks.
const EDGE_SECS: f64 = 0.002;
/// Compiling a plan can reword a heads-up, which asks for a new phrase;
/// this many rounds always settle.
const MAX_ROUNDS: usize = 4;

pub struct Bank {
    rate: u32,
    tones: HashMap<Tone, Arc<[f32]>>,
    phrases: HashMap<String, Speech>,
}

impl Bank {
    /// A bank with the tones, from `tone_dir` where a file replaces one.
    pub fn new(rate: u32, tone_dir: Option<&Path>) -> Result<Bank, String> {
        let mut tone_clips = HashMap::new();
        for tone in Tone::ALL {
            tone_clips.insert(tone, tones::load(tone, tone_dir, rate)?.samples);
        }
        Ok(Bank {
            rate,
            tones: tone_clips,
            phrases: HashMap::new(),
        })
    }

    /// Scales the tones by `gain` (0 to 1), for a walker who finds the
    /// beeps too loud beside the voice.
    pub fn with_tone_volume(mut self, gain: f32) -> Bank {
        let gain = gain.clamp(0.0, 1.0);
        for samples in self.tones.values_mut() {
            *samples = samples.iter().map(|s| s * gain).collect();
        }
        self
    }

    pub fn rate(&self) -> u32 {
        self.rate
    }

    pub fn has_phrase(&self, text: &str) -> bool {
        self.phrases.contains_key(text)
    }

    /// Takes a rendered phrase.
    pub fn add_phrase(&mut self, text: &str, clip: &Clip) {
        self.phrases
            .insert(text.to_string(), compact(clip, self.rate));
    }

    /// Renders every phrase not yet in the bank, on all cores when the
    /// voice is slow: a synthesizer is the only thing that makes loading
    /// wait. Each phrase is made compact as soon as it is rendered, so
    /// loading never holds a program's worth of raw audio.
    pub fn render_missing(&mut self, texts: &[&str], voice: &dyn Voice) -> Result<(), VoiceError> {
        let missing: Vec<&str> = texts
            .iter()
            .copied()
            .filter(|t| !self.has_phrase(t))
            .collect();
        let rate = self.rate;
        let render_all = |texts: &[&str]| -> Result<Vec<(String, Speech)>, VoiceError> {
            texts
                .iter()
                .map(|t| {
                    voice
                        .render(t)
                        .map(|clip| (t.to_string(), compact(&clip, rate)))
                })
                .collect()
        };
        let workers = if voice.is_fast() {
            1
        } else {
            std::thread::available_parallelism().map_or(2, |n| n.get())
        };
        let chunk = missing.len().div_ceil(workers).max(1);
        let rendered: Vec<Result<Vec<(String, Speech)>, VoiceError>> = if workers == 1 {
            vec![render_all(&missing)]
        } else {
            std::thread::scope(|scope| {
                let handles: Vec<_> = missing
                    .chunks(chunk)
                    .map(|texts| scope.spawn(move || render_all(texts)))
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().expect("a voice worker panicked"))
                    .collect()
            })
        };
        for batch in rendered {
            self.phrases.extend(batch?);
        }
        Ok(())
    }

    /// A tone alone, to play over a session (the pause's confirmation).
    pub fn tone_sound(&self, tone: Tone) -> CueSound {
        let samples = self.tones[&tone].clone();
        CueSound {
            length: samples.len(),
            tone: Some(samples),
            speech: None,
            speech_offset: 0,
        }
    }

    /// The sound of each cue of `plan`, in order.
    pub fn sounds_for(&self, plan: &Plan) -> Arc<[CueSound]> {
        plan.cues
            .iter()
            .map(|cue| CueSound {
                tone: cue.tone.map(|t| self.tones[&t].clone()),
                speech: cue.text.as_ref().and_then(|t| self.phrases.get(t).cloned()),
                speech_offset: cue.speech_offset as usize,
                length: cue.length as usize,
            })
            .collect()
    }

    fn seconds(&self, samples: usize) -> Duration {
        Duration::from_secs_f64(samples as f64 / f64::from(self.rate))
    }
}

/// A rendered phrase made ready to play: trimmed so its words start at the
/// cue's first sample, evened in level, with soft edges, and compact.
fn compact(clip: &Clip, out_rate: u32) -> Speech {
    let ready = clip.trimmed().normalized(SPEECH_PEAK);
    let mut samples = ready.samples.to_vec();
    let edge = ((f64::from(ready.rate) * EDGE_SECS) as usize).min(samples.len() / 2);
    for i in 0..edge {
        let gain = (i + 1) as f32 / (edge + 1) as f32;
        samples[i] *= gain;
        let last = samples.len() - 1 - i;
        samples[last] *= gain;
    }
    Speech::new(&Clip::new(ready.rate, samples), out_rate)
}

impl CueLengths for Bank {
    fn speech(&self, text: &str) -> Duration {
        match self.phrases.get(text) {
            Some(speech) => self.seconds(speech.len()),
            None => Estimates.speech(text),
        }
    }

    fn tone(&self, tone: Tone) -> Duration {
        self.seconds(self.tones[&tone].len())
    }
}

/// Compiles a program against real phrase lengths, rendering every phrase
/// it speaks into `bank` first.
pub fn prepare(
    program: &Program,
    settings: &CueSettings,
    book: &Phrasebook,
    voice: &dyn Voice,
    bank: &mut Bank,
) -> Result<Plan, VoiceError> {
    let mut plan = plan::compile(program, settings, book, bank, bank.rate);
    for _ in 0..MAX_ROUNDS {
        let phrases = plan.phrases();
        if phrases.iter().all(|p| bank.has_phrase(p)) {
            return Ok(plan);
        }
        bank.render_missing(&phrases, voice)?;
        plan = plan::compile(program, settings, book, bank, bank.rate);
    }
    // Still new words after the last round: render them; the lengths used
    // for the plan were estimates only for these few.
    let phrases = plan.phrases();
    bank.render_missing(&phrases, voice)?;
    Ok(plan::compile(program, settings, book, bank, bank.rate))
}
