//! Rendered phrases kept on disk, so a program loads in milliseconds the
//! second time and a slow synthesizer runs once per phrase, ever.

use std::path::{Path, PathBuf};

use super::{Voice, VoiceError};
use crate::audio::pcm::Clip;

pub struct Cached<V> {
    voice: V,
    dir: PathBuf,
}

impl<V: Voice> Cached<V> {
    pub fn new(voice: V, dir: PathBuf) -> Self {
        Cached { voice, dir }
    }

    fn path(&self, text: &str) -> PathBuf {
        self.dir.join(format!(
            "{:016x}.wav",
            fnv1a(&format!("{}\n{text}", self.voice.id()))
        ))
    }
}

impl<V: Voice> Voice for Cached<V> {
    fn id(&self) -> String {
        self.voice.id()
    }

    fn render(&self, text: &str) -> Result<Clip, VoiceError> {
        let path = self.path(text);
        if let Some(clip) = recall(&path) {
            return Ok(clip);
        }
        let clip = self.voice.render(text)?;
        // A cache that cannot be written only costs time: say it and go on.
        if let Err(e) = store(&path, &clip) {
            tracing::warn!("cannot cache a rendered phrase: {e}");
        }
        evict(&self.dir, MAX_CACHE_BYTES);
        Ok(clip)
    }

    fn render_once(&self, text: &str) -> Result<Clip, VoiceError> {
        match recall(&self.path(text)) {
            Some(clip) => Ok(clip),
            None => self.voice.render_once(text),
        }
    }
}

/// The cache's size bound: a program's phrases take a few megabytes, so
/// this holds every program's many times over; the least recently used
/// phrases go first.
pub const MAX_CACHE_BYTES: u64 = 64 << 20;

/// A cached clip, marked as used just now.
fn recall(path: &Path) -> Option<Clip> {
    let clip = Clip::read_wav(path).ok()?;
    if let Ok(file) = std::fs::File::options().append(true).open(path) {
        let _ = file.set_modified(std::time::SystemTime::now());
    }
    Some(clip)
}

/// Removes the least recently used clips until the folder holds at most
/// `limit` bytes of them.
pub fn evict(dir: &Path, limit: u64) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut clips: Vec<(std::time::SystemTime, u64, PathBuf)> = entries
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "wav"))
        .filter_map(|e| {
            let metadata = e.metadata().ok()?;
            Some((metadata.modified().ok()?, metadata.len(), e.path()))
        })
        .collect();
    let mut total: u64 = clips.iter().map(|c| c.1).sum();
    clips.sort();
    for (_, size, path) in clips {
        if total <= limit {
            break;
        }
        if std::fs::remove_file(&path).is_ok() {
            total = total.saturating_sub(size);
        }
    }
}

/// Writes to a temporary name and renames, so a crash never leaves a
/// half-written clip that would later be read as a phrase.
fn store(path: &Path, clip: &Clip) -> Result<(), String> {
    let dir = path.parent().ok_or("cache path has no folder")?;
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let partial = path.with_extension("wav.partial");
    clip.write_wav(&partial)?;
    std::fs::rename(&partial, path).map_err(|e| format!("{}: {e}", path.display()))
}

/// A small, stable hash: file names must not change between releases.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}
