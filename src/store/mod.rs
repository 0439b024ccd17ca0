//! What must outlive the daemon: the running session's checkpoint and the
//! history of finished sessions, both written so that a crash or a power
//! cut at any moment leaves a whole file behind.

pub mod checkpoint;
pub mod history;
pub mod lock;

use std::fs::File;
use std::io::Write;
use std::path::Path;

pub use checkpoint::Checkpoint;
pub use history::Entry;
pub use lock::StateLock;

/// Replaces `path` with `bytes` all at once: written to a file beside it,
/// flushed to the disk, renamed over it, and the rename itself flushed.
/// A reader sees the old file or the new one, never a mix.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut temporary = tempfile::NamedTempFile::new_in(dir)?;
    temporary.write_all(bytes)?;
    temporary.as_file().sync_all()?;
    temporary.persist(path).map_err(|e| e.error)?;
    sync_dir(dir)
}

/// Makes a rename or a new file in `dir` survive a power cut.
pub fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

/// The daemon's two files, in one folder.
#[derive(Debug, Clone)]
pub struct StateFiles {
    pub dir: std::path::PathBuf,
    pub checkpoint: checkpoint::CheckpointFile,
    pub history: history::HistoryFile,
    /// Ended sessions that the history could not take yet, kept outside
    /// the state folder so a restart still knows they ended.
    pub spill: Option<history::HistoryFile>,
}

impl StateFiles {
    /// Whether a file can be written in the folder now.
    pub fn writable(&self) -> Result<(), String> {
        tempfile::NamedTempFile::new_in(&self.dir)
            .map(drop)
            .map_err(|e| {
                format!(
                    "the state folder {} cannot be written: {e}",
                    self.dir.display()
                )
            })
    }

    pub fn in_dir(dir: &Path) -> StateFiles {
        StateFiles {
            dir: dir.to_path_buf(),
            checkpoint: checkpoint::CheckpointFile::new(dir.join("session.json")),
            history: history::HistoryFile::new(dir.join("history.jsonl")),
            spill: None,
        }
    }

    /// Keeps ended sessions the history cannot take in `dir`, if given.
    pub fn with_spill(self, dir: Option<std::path::PathBuf>) -> StateFiles {
        StateFiles {
            spill: dir.map(|d| history::HistoryFile::new(d.join("unwritten.jsonl"))),
            ..self
        }
    }
}
