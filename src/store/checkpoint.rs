//! The running session's checkpoint: enough to bring it back, paused
//! where it was, after the daemon dies.

use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::Entry;
use super::write_atomically;
use crate::session::Counting;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub program: String,
    pub program_name: String,
    /// When the session started, in microseconds since the Unix epoch;
    /// it names the session.
    pub started_at: i64,
    /// "running" or "paused" when saved.
    pub state: String,
    /// From 0.
    pub step: usize,
    pub step_count: usize,
    /// Seconds into the session.
    pub position: f64,
    /// Seconds walked forward and backward so far.
    #[serde(default)]
    pub walked: [f64; 2],
    pub saved_at: i64,
    /// The fastest backward step walked so far (from 0), and its speed
    /// in `units`: a session brought back keeps what it worked up to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fastest_backward: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_backward_speed: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub units: Option<String>,
    /// Samples of the session's record on the disk when it was saved:
    /// a session brought back keeps those and no more.
    #[serde(default)]
    pub records: u64,
    /// The session ended, but its history entry could not be written:
    /// the entry to write at the next start, instead of bringing the
    /// session back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended: Option<Entry>,
    /// The course walk it is, and whether a backward step was skipped.
    #[serde(default, flatten)]
    pub counting: Counting,
}

impl Checkpoint {
    /// What stands for a session that ended while the history could not
    /// be written.
    pub fn ended(entry: Entry) -> Checkpoint {
        Checkpoint {
            program: entry.program.clone(),
            program_name: entry.program_name.clone(),
            started_at: entry.session,
            state: entry.outcome.as_str().to_string(),
            step: entry.steps_done as usize,
            step_count: entry.step_count as usize,
            position: entry.position,
            walked: [entry.walked - entry.walked_backward, entry.walked_backward],
            saved_at: entry.session,
            fastest_backward: None,
            top_backward_speed: entry.top_backward_speed,
            units: entry.units.clone(),
            records: 0,
            counting: entry.counting.clone(),
            ended: Some(entry),
        }
    }
}

/// Where the checkpoint lives, and how it is saved and read.
#[derive(Debug, Clone)]
pub struct CheckpointFile {
    pub path: PathBuf,
}

impl CheckpointFile {
    pub fn new(path: PathBuf) -> Self {
        CheckpointFile { path }
    }

    /// Saves the checkpoint whole. When the disk is full, the space the
    /// last checkpoint (or the reserve beside it) already holds is written
    /// over instead: a killed session is not lost to a full disk.
    pub fn save(&self, checkpoint: &Checkpoint) -> Result<(), String> {
        let json = serde_json::to_vec_pretty(checkpoint).map_err(|e| e.to_string())?;
        match write_atomically(&self.path, &padded(json.clone(), RESERVED)) {
            Ok(()) => {
                self.keep_reserve();
                Ok(())
            }
            Err(e) => self
                .save_in_place(&json)
                .map_err(|_| format!("cannot save the checkpoint {}: {e}", self.path.display())),
        }
    }

    /// The reserve: a file of [`RESERVED`] bytes beside the checkpoint,
    /// made while there is room, for the first checkpoint of a session
    /// when there is none.
    fn reserve(&self) -> PathBuf {
        self.path.with_extension("json.reserve")
    }

    fn keep_reserve(&self) {
        let reserve = self.reserve();
        if reserve.exists() {
            return;
        }
        // Without it only a full disk costs more: never an error.
        let _ = write_atomically(&reserve, &padded(Vec::new(), RESERVED));
    }

    /// Writes over the blocks the checkpoint file (or else the reserve)
    /// already has: no new space is needed. Not atomic, which is why it is
    /// only the way out of a full disk.
    fn save_in_place(&self, json: &[u8]) -> std::io::Result<()> {
        if overwrite(&self.path, json).is_ok() {
            return Ok(());
        }
        let reserve = self.reserve();
        overwrite(&reserve, json)?;
        std::fs::rename(&reserve, &self.path)?;
        super::sync_dir(self.path.parent().unwrap_or(Path::new(".")))
    }

    /// No session to keep any more.
    pub fn clear(&self) -> Result<(), String> {
        match std::fs::remove_file(&self.path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(format!("cannot remove {}: {e}", self.path.display())),
        }
    }

    /// The checkpoint left behind, if any. A file that cannot be read as
    /// one is moved aside (never deleted) and reported.
    pub fn load(&self) -> Result<Option<Checkpoint>, String> {
        // A checkpoint is a few hundred bytes; a FIFO or a huge file put
        // in its place is an error, not a hang.
        let bytes = match crate::files::read_regular(&self.path, 1 << 20) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("cannot read {}: {e}", self.path.display())),
        };
        serde_json::from_slice(&bytes).map(Some).map_err(|e| {
            let aside = set_aside(&self.path);
            format!(
                "the checkpoint {} is damaged ({e}); moved to {}",
                self.path.display(),
                aside.display()
            )
        })
    }
}

/// Room for any checkpoint: one is a few hundred bytes.
const RESERVED: usize = 4096;

/// `json` followed by spaces up to `length`: still the same JSON.
fn padded(mut json: Vec<u8>, length: usize) -> Vec<u8> {
    if json.len() < length {
        json.resize(length, b' ');
    }
    json
}

/// Writes `json` over an existing file of at least its length, padding
/// with spaces to the file's length, and flushes it.
fn overwrite(path: &Path, json: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW)
        .open(path)?;
    let metadata = file.metadata()?;
    let length = metadata.len() as usize;
    if !metadata.is_file() || length < json.len() {
        return Err(std::io::Error::other("no room kept for the checkpoint"));
    }
    file.write_all(&padded(json.to_vec(), length))?;
    file.sync_all()
}

/// Moves a damaged file to `NAME.json.damaged`, for a person to look at;
/// where it went (its own path when it cannot be moved).
pub(super) fn set_aside(path: &Path) -> PathBuf {
    let aside = path.with_extension("json.damaged");
    if std::fs::rename(path, &aside).is_err() {
        return path.to_path_buf();
    }
    aside
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checkpoint_is_saved_whole_read_back_and_a_damaged_one_set_aside() {
        let dir = tempfile::tempdir().unwrap();
        let file = CheckpointFile::new(dir.path().join("state/session.json"));
        assert_eq!(file.load().unwrap(), None);
        let checkpoint = Checkpoint {
            program: "demo".into(),
            program_name: "One-minute demo".into(),
            started_at: 1,
            state: "running".into(),
            step: 1,
            step_count: 3,
            position: 30.5,
            walked: [20.0, 10.5],
            saved_at: 2,
            fastest_backward: Some(1),
            top_backward_speed: Some(0.8),
            units: Some("mph".into()),
            records: 12,
            ended: None,
            counting: Counting {
                course: Some(crate::session::CourseTag {
                    course: "from-zero".into(),
                    walk: crate::course::CourseWalk {
                        walk: 4,
                        eased_from: Some(6),
                    },
                }),
                skipped_backward: true,
                walker: Some(crate::session::WalkerTag {
                    id: 2,
                    name: "Anna".into(),
                }),
            },
        };
        file.save(&checkpoint).unwrap();
        assert_eq!(file.load().unwrap(), Some(checkpoint));
        // Nothing is left behind beside it but the checkpoint and the
        // space reserved for a full disk.
        let mut names: Vec<String> = std::fs::read_dir(dir.path().join("state"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["session.json", "session.json.reserve"]);

        std::fs::write(&file.path, "{\"program\": ").unwrap();
        let error = file.load().unwrap_err();
        assert!(error.contains("damaged"), "{error}");
        assert!(dir.path().join("state/session.json.damaged").exists());
        assert_eq!(file.load().unwrap(), None);
        file.clear().unwrap();
    }
}
