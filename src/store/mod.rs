//! What must outlive the daemon: the running session's checkpoint and the
//! history of finished sessions, both written so that a crash or a power
//! cut at any moment leaves a whole file behind.

pub mod checkpoint;
pub mod enrolment;
pub mod history;
pub mod lock;
pub mod records;
pub mod walkers;

use std::path::Path;

pub use crate::files::{sync_dir, write_atomically};
pub use checkpoint::Checkpoint;
pub use history::Entry;
pub use lock::StateLock;

/// The daemon's files, in one folder: the machine's own here, each
/// walker's (history, course, records) as [`walkers`] says.
#[derive(Debug, Clone)]
pub struct StateFiles {
    pub dir: std::path::PathBuf,
    pub checkpoint: checkpoint::CheckpointFile,
    /// Who walks, and where each walker's files are.
    pub walkers: walkers::WalkersFile,
    /// Ended sessions that the history could not take yet, kept outside
    /// the state folder so a restart still knows they ended.
    pub spill: Option<history::HistoryFile>,
}

impl StateFiles {
    fn volume_file(&self) -> std::path::PathBuf {
        self.dir.join("volume")
    }

    /// Keeps a volume set at run time, with the config's volume it was
    /// set over, so a restart keeps it until the config's own changes.
    pub fn save_volume(&self, volume: f64, config_volume: f64) -> Result<(), String> {
        let text = format!("{volume} {config_volume}\n");
        write_atomically(&self.volume_file(), text.as_bytes()).map_err(|e| {
            format!(
                "cannot keep the volume in {}: {e}",
                self.volume_file().display()
            )
        })
    }

    /// The volume set at run time, if it was set over `config_volume`.
    /// A file that is not two numbers (the volume, 0 to 1, and the
    /// config's) is an error that says so, and the config's volume holds.
    pub fn saved_volume(&self, config_volume: f64) -> Result<Option<f64>, String> {
        let path = self.volume_file();
        let text = match crate::files::read_regular_text(&path, 64) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(format!(
                    "cannot read the volume kept in {}: {e}; the config's volume is used",
                    path.display()
                ));
            }
        };
        let numbers: Vec<Option<f64>> = text.split_whitespace().map(|n| n.parse().ok()).collect();
        let (volume, over) = match numbers[..] {
            [Some(volume), Some(over)] if (0.0..=1.0).contains(&volume) => (volume, over),
            _ => {
                return Err(format!(
                    "the volume kept in {} is not a volume and the config's volume ({:?}); it is ignored and the config's volume is used",
                    path.display(),
                    text.trim()
                ));
            }
        };
        Ok(((over - config_volume).abs() < 1e-6).then_some(volume))
    }

    fn devices_file(&self) -> std::path::PathBuf {
        self.dir.join("bluetooth-devices.json")
    }

    /// The Bluetooth devices kept with `treadcuectl treadmill use` and
    /// `heart use`: kind ("treadmill", "heart") to address.
    pub fn kept_devices(&self) -> std::collections::BTreeMap<String, String> {
        crate::files::read_regular(&self.devices_file(), 4096)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    /// Keeps the devices chosen, kind to address.
    pub fn save_devices(
        &self,
        devices: &std::collections::BTreeMap<String, String>,
    ) -> Result<(), String> {
        let bytes = serde_json::to_vec_pretty(devices).unwrap_or_default();
        write_atomically(&self.devices_file(), &bytes).map_err(|e| {
            format!(
                "cannot keep the device in {}: {e}",
                self.devices_file().display()
            )
        })
    }

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
            walkers: walkers::WalkersFile::new(dir),
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
