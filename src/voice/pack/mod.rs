//! The bundled voice pack: recordings of every phrase and phrase part the
//! phrasebook and built-in programs need, made once from a neural voice by
//! `scripts/build-voice-pack` and compiled into the binary, so treadcue
//! speaks with nothing else installed. A phrase is put together from the
//! longest recorded parts that cover it, word for word.

use std::borrow::Cow;
use std::collections::HashMap;

use super::{Voice, VoiceError};
use crate::audio::pcm::Clip;
use crate::phrasebook::{Phrasebook, Template};
use crate::program;
use crate::program::catalog::BUILT_IN;

/// The pack's recordings: one WAV of every part back to back, and an index
/// of where each part lies in it.
const BUNDLED_WAV: &[u8] = include_bytes!("../../../sounds/voice/clips.wav");
const BUNDLED_INDEX: &str = include_str!("../../../sounds/voice/index.tsv");
pub const BUNDLED_NAME: &str = "joe";

/// Lets the system drop the pages of the bundled recordings that sessions
/// read: they are part of the binary and come back from it when next
/// said, so an idle daemon does not keep every phrase it ever said.
pub fn release_bundled_pages() {
    // SAFETY: sysconf has no memory effects.
    let page = usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).unwrap_or(4096);
    let start = BUNDLED_WAV.as_ptr() as usize;
    let first = start.div_ceil(page) * page;
    let end = (start + BUNDLED_WAV.len()) / page * page;
    if end <= first {
        return;
    }
    // SAFETY: the range lies inside the binary's read-only data, whole
    // pages only; MADV_DONTNEED on read-only file-backed pages only drops
    // them from memory, and they are read again from the file when used.
    unsafe {
        libc::madvise(first as *mut libc::c_void, end - first, libc::MADV_DONTNEED);
    }
}

/// Silence between parts, by the punctuation that ends a part.
const PAUSE_WORD_SECS: f32 = 0.05;
const PAUSE_COMMA_SECS: f32 = 0.15;
const PAUSE_STOP_SECS: f32 = 0.30;
/// Longest run of words looked up as one recording.
const MAX_PART_WORDS: usize = 40;

pub struct Pack {
    name: String,
    rate: u32,
    /// The 16-bit little-endian samples, as stored. The bundled pack's are
    /// read in place from the binary: only the parts a session says are
    /// ever paged into memory.
    pcm: Cow<'static, [u8]>,
    /// Normalized words of a part to its span in `samples`.
    parts: HashMap<String, (usize, usize)>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Pause {
    Word,
    Comma,
    Stop,
}

/// A span of recorded samples and the pause after it.
type Part = ((usize, usize), Pause);

struct Word {
    key: String,
    pause: Pause,
}

/// The words of a text as the pack looks them up: lower case, without
/// the punctuation around them, each with the pause its punctuation asks.
fn words(text: &str) -> Vec<Word> {
    text.split_whitespace()
        .filter_map(|token| {
            let pause = match token.chars().last() {
                Some('.' | '!' | '?') => Pause::Stop,
                Some(',' | ';' | ':') => Pause::Comma,
                _ => Pause::Word,
            };
            let key = token
                .trim_matches(|c: char| !c.is_alphanumeric() && c != '%')
                .to_lowercase();
            (!key.is_empty()).then_some(Word { key, pause })
        })
        .collect()
}

fn key_of(words: &[Word]) -> String {
    words
        .iter()
        .map(|w| w.key.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

impl Pack {
    pub fn bundled() -> Pack {
        Pack::from_parts(BUNDLED_NAME, Cow::Borrowed(BUNDLED_WAV), BUNDLED_INDEX)
            .expect("the bundled voice pack is valid")
    }

    /// A pack from its WAV (16-bit mono) and its index
    /// (`start<TAB>length<TAB>text` per line, in samples).
    pub fn from_parts(name: &str, wav: Cow<'static, [u8]>, index: &str) -> Result<Pack, String> {
        let (rate, data) = pcm_data(&wav)?;
        let pcm = match wav {
            Cow::Borrowed(bytes) => Cow::Borrowed(&bytes[data]),
            Cow::Owned(bytes) => Cow::Owned(bytes[data].to_vec()),
        };
        let samples = pcm.len() / 2;
        let mut parts = HashMap::new();
        for (number, line) in index
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let bad = || {
                format!(
                    "voice pack index line {}: expected start, length and text",
                    number + 1
                )
            };
            let mut fields = line.splitn(3, '\t');
            let start: usize = fields.next().and_then(|f| f.parse().ok()).ok_or_else(bad)?;
            let length: usize = fields.next().and_then(|f| f.parse().ok()).ok_or_else(bad)?;
            let text = fields.next().ok_or_else(bad)?;
            if start.saturating_add(length) > samples {
                return Err(format!(
                    "voice pack index line {}: past the end of the recordings",
                    number + 1
                ));
            }
            parts.insert(key_of(&words(text)), (start, length));
        }
        Ok(Pack {
            name: name.to_string(),
            rate,
            pcm,
            parts,
        })
    }

    fn sample(&self, i: usize) -> f32 {
        f32::from(i16::from_le_bytes([self.pcm[2 * i], self.pcm[2 * i + 1]])) / 32768.0
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn len(&self) -> usize {
        self.parts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }

    /// Whether the pack can say `text`.
    pub fn covers(&self, text: &str) -> bool {
        self.cover(&words(text)).is_ok()
    }

    /// Every word of `text` that no recording says, each once, in order.
    pub fn missing(&self, text: &str) -> Vec<String> {
        let words = words(text);
        let mut missing: Vec<String> = Vec::new();
        let mut at = 0;
        while at < words.len() {
            match self.longest_at(&words, at) {
                Some((end, _)) => at = end,
                None => {
                    if !missing.contains(&words[at].key) {
                        missing.push(words[at].key.clone());
                    }
                    at += 1;
                }
            }
        }
        missing
    }

    /// The longest recording of the words from `at`: where it ends, and
    /// its span.
    fn longest_at(&self, words: &[Word], at: usize) -> Option<(usize, (usize, usize))> {
        (at + 1..=(at + MAX_PART_WORDS).min(words.len()))
            .rev()
            .find_map(|end| {
                self.parts
                    .get(&key_of(&words[at..end]))
                    .map(|span| (end, *span))
            })
    }

    /// The recordings that say the words, longest first, or the first word
    /// no recording has.
    fn cover<'w>(&self, words: &'w [Word]) -> Result<Vec<Part>, &'w str> {
        let mut parts = Vec::new();
        let mut at = 0;
        while at < words.len() {
            let (end, span) = self.longest_at(words, at).ok_or(words[at].key.as_str())?;
            parts.push((span, words[end - 1].pause));
            at = end;
        }
        Ok(parts)
    }
}

impl Voice for Pack {
    fn id(&self) -> String {
        format!("pack:{}", self.name)
    }

    fn is_fast(&self) -> bool {
        true
    }

    fn missing_words(&self, text: &str) -> Vec<String> {
        self.missing(text)
    }

    fn render(&self, text: &str) -> Result<Clip, VoiceError> {
        let words = words(text);
        let parts = self
            .cover(&words)
            .map_err(|missing| VoiceError::CannotSay {
                voice: self.id(),
                text: text.to_string(),
                missing: missing.to_string(),
            })?;
        let mut out = Vec::new();
        for (i, ((start, length), pause)) in parts.iter().enumerate() {
            out.extend((*start..start + length).map(|i| self.sample(i)));
            if i + 1 < parts.len() {
                let secs = match pause {
                    Pause::Word => PAUSE_WORD_SECS,
                    Pause::Comma => PAUSE_COMMA_SECS,
                    Pause::Stop => PAUSE_STOP_SECS,
                };
                out.extend(std::iter::repeat_n(0.0, (secs * self.rate as f32) as usize));
            }
        }
        Ok(Clip::new(self.rate, out))
    }
}

/// The sample rate and the byte range of the samples in a 16-bit mono
/// PCM WAV file.
fn pcm_data(wav: &[u8]) -> Result<(u32, std::ops::Range<usize>), String> {
    let bad = |what: &str| format!("voice pack WAV: {what}");
    if wav.len() < 12 || &wav[..4] != b"RIFF" || &wav[8..12] != b"WAVE" {
        return Err(bad("not a WAV file"));
    }
    let mut at = 12;
    let mut rate = None;
    while at + 8 <= wav.len() {
        let id = &wav[at..at + 4];
        let size =
            u32::from_le_bytes([wav[at + 4], wav[at + 5], wav[at + 6], wav[at + 7]]) as usize;
        let body = at + 8..(at + 8).saturating_add(size).min(wav.len());
        match id {
            b"fmt " if body.len() >= 16 => {
                let f = &wav[body.clone()];
                let (format, channels, bits) = (
                    u16::from_le_bytes([f[0], f[1]]),
                    u16::from_le_bytes([f[2], f[3]]),
                    u16::from_le_bytes([f[14], f[15]]),
                );
                if format != 1 || channels != 1 || bits != 16 {
                    return Err(bad("the recordings must be 16-bit mono PCM"));
                }
                rate = Some(u32::from_le_bytes([f[4], f[5], f[6], f[7]]));
            }
            b"data" => {
                return Ok((
                    rate.ok_or_else(|| bad("no format before the data"))?,
                    body.start..body.start + body.len() / 2 * 2,
                ));
            }
            _ => {}
        }
        at = body.end + size % 2;
    }
    Err(bad("no data"))
}

/// Every part a voice pack must record so that it can say every phrase
/// the phrasebook and the built-in programs produce: whole fixed phrases,
/// the fixed words of each template, numbers, units and names.
pub fn fragments(book: &Phrasebook) -> Vec<String> {
    let mut all: Vec<String> = book.fixed_phrases().into_iter().map(String::from).collect();
    let w = &book.words;
    // The fixed words between the placeholders of every text: cues,
    // words, the course's and the coach's.
    for (_, template, _) in book.templates() {
        all.extend(template_pieces(template));
    }
    all.extend((0..=100).map(|n| w.number(n)));
    all.extend(
        [
            &w.point, &w.minus, &w.second, &w.seconds, &w.minute, &w.minutes, &w.hour, &w.hours,
            &w.flat,
        ]
        .map(String::clone),
    );
    all.extend([&w.mph_one, &w.mph_many, &w.kmh_one, &w.kmh_many].map(String::clone));
    for role in [
        program::Role::WarmUp,
        program::Role::Backward,
        program::Role::Recover,
        program::Role::CoolDown,
        program::Role::Walk,
    ] {
        all.push(book.role_name(role).to_string());
    }
    all.extend(built_in_texts());
    all.retain(|t| t.chars().any(char::is_alphanumeric));
    let mut seen = std::collections::HashSet::new();
    all.retain(|t| seen.insert(key_of(&words(t))));
    all
}

/// The fixed words between a template's placeholders.
fn template_pieces(template: &Template) -> Vec<String> {
    let text = template.to_string();
    let mut pieces = Vec::new();
    let mut rest = text.as_str();
    while let Some(open) = rest.find('{') {
        pieces.push(rest[..open].to_string());
        rest = rest[open..].split_once('}').map_or("", |(_, after)| after);
    }
    pieces.push(rest.to_string());
    // Punctuation before the words belongs to the placeholder's phrase.
    pieces
        .iter()
        .map(|p| {
            p.trim_start_matches(|c: char| c.is_ascii_punctuation() || c.is_whitespace())
                .trim_end()
                .to_string()
        })
        .collect()
}

/// Names, notes and timed texts of the built-in programs.
fn built_in_texts() -> Vec<String> {
    let mut texts = Vec::new();
    for built_in in BUILT_IN {
        let Ok(program) = program::parse(built_in.id, built_in.id, built_in.text.as_bytes()) else {
            continue;
        };
        for step in &program.steps {
            texts.extend(step.name.clone());
            texts.extend(step.note.as_deref().map(String::from));
            texts.extend(step.texts.iter().map(|t| t.text.to_string()));
        }
    }
    texts
}

#[cfg(test)]
mod tests;
