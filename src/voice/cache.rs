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
        if let Ok(clip) = Clip::read_wav(&path) {
            return Ok(clip);
        }
        let clip = self.voice.render(text)?;
        // A cache that cannot be written only costs time: say it and go on.
        if let Err(e) = store(&path, &clip) {
            tracing::warn!("cannot cache a rendered phrase: {e}");
        }
        Ok(clip)
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
