//! The walkers who share the treadmill: who they are, which one is
//! active, and where each one's course, history and records are kept.
//! The first walker's files stay where a single walker's always were,
//! in the state folder itself, so a state folder from before walkers
//! is that walker's with nothing moved; every other walker has a
//! folder of their own under `walkers/`. A removed walker's folder goes
//! whole to `archive/`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{enrolment, history, records, write_atomically};

/// Most walkers on one treadmill: a clinic's patients of a day.
pub const MAX_WALKERS: usize = 50;
/// Longest name, in characters: it is said and shown on a button.
pub const MAX_NAME_CHARS: usize = 32;
/// The first walker's name until they are renamed.
pub const FIRST_NAME: &str = "Walker";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Walker {
    /// Never given to another walker, even after this one is removed:
    /// history entries and checkpoints name their walker by it.
    pub id: u32,
    pub name: String,
    /// Their files' folder, inside the state folder; empty for the
    /// first walker, whose files are in the state folder itself.
    #[serde(default)]
    pub folder: String,
    /// Their own heart-rate limit, over the machine's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heart_max: Option<u16>,
    /// Their own units, "km/h" or "mph", over the machine's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub units: Option<String>,
}

/// The walkers, in the order they were added, and the active one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Walkers {
    pub active: u32,
    pub walkers: Vec<Walker>,
    /// The id the next walker added gets.
    pub next_id: u32,
}

/// One walker's files.
#[derive(Debug, Clone)]
pub struct WalkerFiles {
    pub dir: PathBuf,
    pub history: history::HistoryFile,
    pub enrolment: enrolment::EnrolmentFile,
    pub records: records::RecordsFolder,
}

impl WalkerFiles {
    /// The files of a walker whose folder is `dir`.
    pub fn in_dir(dir: &Path) -> WalkerFiles {
        WalkerFiles {
            dir: dir.to_path_buf(),
            history: history::HistoryFile::new(dir.join("history.jsonl")),
            enrolment: enrolment::EnrolmentFile::new(dir.join("course.json")),
            records: records::RecordsFolder::new(dir.join("records")),
        }
    }

    /// The names of the walker's own files and folders in `dir`.
    const NAMES: [&str; 3] = ["history.jsonl", "course.json", "records"];
}

impl Default for Walkers {
    /// One walker: the one a state folder from before walkers belongs to.
    fn default() -> Walkers {
        Walkers {
            active: 1,
            walkers: vec![Walker {
                id: 1,
                name: FIRST_NAME.into(),
                folder: String::new(),
                heart_max: None,
                units: None,
            }],
            next_id: 2,
        }
    }
}

/// A name as it is kept: its spaces trimmed and made single, checked.
pub fn checked_name(name: &str) -> Result<String, String> {
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    let chars = name.chars().count();
    if chars == 0 || chars > MAX_NAME_CHARS {
        return Err(format!(
            "a walker's name has 1 to {MAX_NAME_CHARS} characters, not {chars}"
        ));
    }
    if name.chars().any(char::is_control) {
        return Err("a walker's name cannot hold control characters".into());
    }
    Ok(name)
}

/// Units as a walker's setting: "km/h" or "mph".
pub fn checked_units(units: &str) -> Result<String, String> {
    match units.trim().to_ascii_lowercase().as_str() {
        "km/h" | "kmh" | "kph" => Ok("km/h".into()),
        "mph" => Ok("mph".into()),
        other => Err(format!("units are km/h or mph, not {other:?}")),
    }
}

impl Walkers {
    /// The active walker (the first, should the list name none).
    pub fn active(&self) -> &Walker {
        self.by_id(self.active).unwrap_or(&self.walkers[0])
    }

    pub fn by_id(&self, id: u32) -> Option<&Walker> {
        self.walkers.iter().find(|w| w.id == id)
    }

    /// The walker called `name`, whatever its case.
    pub fn find(&self, name: &str) -> Result<&Walker, String> {
        let wanted = name.split_whitespace().collect::<Vec<_>>().join(" ");
        self.walkers
            .iter()
            .find(|w| w.name.to_lowercase() == wanted.to_lowercase())
            .ok_or_else(|| {
                format!(
                    "there is no walker called {name:?}; the walkers are {}",
                    self.names().join(", ")
                )
            })
    }

    pub fn names(&self) -> Vec<String> {
        self.walkers.iter().map(|w| w.name.clone()).collect()
    }

    fn name_free(&self, name: &str, except: Option<u32>) -> Result<(), String> {
        match self.find(name) {
            Ok(w) if Some(w.id) != except => {
                Err(format!("there is a walker called {} already", w.name))
            }
            _ => Ok(()),
        }
    }

    /// Adds a walker, with a folder of their own; their id.
    pub fn add(&mut self, name: &str) -> Result<u32, String> {
        let name = checked_name(name)?;
        self.name_free(&name, None)?;
        if self.walkers.len() >= MAX_WALKERS {
            return Err(format!("one treadmill takes at most {MAX_WALKERS} walkers"));
        }
        let id = self
            .next_id
            .max(self.walkers.iter().map(|w| w.id + 1).max().unwrap_or(1));
        self.next_id = id + 1;
        self.walkers.push(Walker {
            id,
            name,
            folder: format!("walkers/{id}"),
            heart_max: None,
            units: None,
        });
        Ok(id)
    }

    pub fn rename(&mut self, name: &str, new_name: &str) -> Result<(), String> {
        let id = self.find(name)?.id;
        let new_name = checked_name(new_name)?;
        self.name_free(&new_name, Some(id))?;
        self.by_id_mut(id).name = new_name;
        Ok(())
    }

    fn by_id_mut(&mut self, id: u32) -> &mut Walker {
        let at = self.walkers.iter().position(|w| w.id == id).unwrap_or(0);
        &mut self.walkers[at]
    }

    /// Makes the walker called `name` the active one; their id.
    pub fn choose(&mut self, name: &str) -> Result<u32, String> {
        let id = self.find(name)?.id;
        self.active = id;
        Ok(id)
    }

    /// Takes the walker called `name` off the list; the active walker
    /// becomes the first left. The last walker stays.
    pub fn remove(&mut self, name: &str) -> Result<Walker, String> {
        let id = self.find(name)?.id;
        if self.walkers.len() == 1 {
            return Err(format!(
                "{} is the only walker: add another before removing them",
                self.walkers[0].name
            ));
        }
        let at = self.walkers.iter().position(|w| w.id == id).unwrap_or(0);
        let removed = self.walkers.remove(at);
        if self.active == id {
            self.active = self.walkers[0].id;
        }
        Ok(removed)
    }

    /// Sets a walker's own heart-rate limit and units; `None` leaves one
    /// as it is, `Some(None)` goes back to the machine's.
    pub fn set(
        &mut self,
        name: &str,
        heart_max: Option<Option<u16>>,
        units: Option<Option<String>>,
    ) -> Result<(), String> {
        let id = self.find(name)?.id;
        if let Some(Some(bpm)) = heart_max
            && !(60..=240).contains(&bpm)
        {
            return Err(format!(
                "a heart-rate limit is 60 to 240 beats a minute, not {bpm}"
            ));
        }
        let units = match units {
            Some(Some(units)) => Some(Some(checked_units(&units)?)),
            other => other,
        };
        let walker = self.by_id_mut(id);
        if let Some(heart_max) = heart_max {
            walker.heart_max = heart_max;
        }
        if let Some(units) = units {
            walker.units = units;
        }
        Ok(())
    }

    /// A list read from a file: every walker needs an id of their own, a
    /// name and a folder inside the state folder.
    fn checked(self) -> Result<Walkers, String> {
        if self.walkers.is_empty() {
            return Err("it names no walker".into());
        }
        let mut ids = std::collections::HashSet::new();
        for walker in &self.walkers {
            checked_name(&walker.name)?;
            if !ids.insert(walker.id) {
                return Err(format!("two walkers have the id {}", walker.id));
            }
            if !folder_inside(&walker.folder) {
                return Err(format!("{:?} is not a folder of walkers/", walker.folder));
            }
        }
        Ok(self)
    }
}

/// Whether a walker's folder is the state folder itself or one of
/// `walkers/`: a list edited by hand never sends files elsewhere.
fn folder_inside(folder: &str) -> bool {
    folder.is_empty()
        || folder.strip_prefix("walkers/").is_some_and(|rest| {
            !rest.is_empty()
                && rest
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
}

/// Where the list of walkers lives, in the state folder.
#[derive(Debug, Clone)]
pub struct WalkersFile {
    pub state_dir: PathBuf,
}

/// Longest list file read.
const MAX_BYTES: u64 = 256 * 1024;

impl WalkersFile {
    pub fn new(state_dir: &Path) -> WalkersFile {
        WalkersFile {
            state_dir: state_dir.to_path_buf(),
        }
    }

    pub fn path(&self) -> PathBuf {
        self.state_dir.join("walkers.json")
    }

    /// The files of `walker`.
    pub fn files(&self, walker: &Walker) -> WalkerFiles {
        WalkerFiles::in_dir(&self.state_dir.join(&walker.folder))
    }

    /// The list. With no file, the one walker of a state folder from
    /// before walkers. A damaged file is set aside, with a warning, and
    /// the list made again from the walkers' folders, so no walker's
    /// record is lost to it (their names are in the file set aside).
    pub fn load(&self) -> (Walkers, Option<String>) {
        let path = self.path();
        let text = match crate::files::read_regular_text(&path, MAX_BYTES) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return (Walkers::default(), None);
            }
            Err(e) => {
                let warning = format!(
                    "cannot read {}: {e}; the walkers are found from their folders",
                    path.display()
                );
                return (self.found_in_folders(), Some(warning));
            }
        };
        match serde_json::from_str::<Walkers>(&text)
            .map_err(|e| e.to_string())
            .and_then(Walkers::checked)
        {
            Ok(walkers) => (walkers, None),
            Err(e) => {
                let aside = super::checkpoint::set_aside(&path);
                let warning = format!(
                    "{} is damaged ({e}); it is moved to {} and the walkers are found from their folders",
                    path.display(),
                    aside.display()
                );
                (self.found_in_folders(), Some(warning))
            }
        }
    }

    /// The first walker and one for each folder of `walkers/`.
    fn found_in_folders(&self) -> Walkers {
        let mut walkers = Walkers::default();
        let mut ids: Vec<u32> = std::fs::read_dir(self.state_dir.join("walkers"))
            .into_iter()
            .flatten()
            .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse().ok())
            .filter(|&id| id > 1)
            .collect();
        ids.sort_unstable();
        for id in ids {
            walkers.walkers.push(Walker {
                id,
                name: format!("{FIRST_NAME} {id}"),
                folder: format!("walkers/{id}"),
                heart_max: None,
                units: None,
            });
            walkers.next_id = walkers.next_id.max(id + 1);
        }
        walkers
    }

    pub fn save(&self, walkers: &Walkers) -> Result<(), String> {
        let mut text = serde_json::to_string_pretty(walkers).map_err(|e| e.to_string())?;
        text.push('\n');
        write_atomically(&self.path(), text.as_bytes())
            .map_err(|e| format!("cannot keep the walkers in {}: {e}", self.path().display()))
    }

    /// Moves a removed walker's files to a folder of `archive/` named by
    /// their id, name and the day, with a note of who they were; their
    /// folder, or the files of the first walker one by one (a removal
    /// cut short is finished by removing them again). Returns the
    /// archive's folder.
    pub fn archive(&self, walker: &Walker, today: &str) -> Result<PathBuf, String> {
        let label: String = walker
            .name
            .chars()
            .map(|c| if c.is_alphanumeric() { c } else { '-' })
            .collect();
        let archive = self
            .state_dir
            .join("archive")
            .join(format!("{}-{label}-{today}", walker.id));
        let failed = |e: std::io::Error| {
            format!(
                "cannot archive {}'s record in {}: {e}",
                walker.name,
                archive.display()
            )
        };
        std::fs::create_dir_all(&archive).map_err(failed)?;
        let note = serde_json::to_vec_pretty(walker).unwrap_or_default();
        write_atomically(&archive.join("walker.json"), &note).map_err(failed)?;
        let from = self.state_dir.join(&walker.folder);
        for name in WalkerFiles::NAMES {
            match std::fs::rename(from.join(name), archive.join(name)) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(failed(e)),
            }
        }
        if !walker.folder.is_empty() {
            // Whatever else was in their folder goes too.
            let _ = std::fs::remove_dir_all(&from);
        }
        super::sync_dir(&archive).map_err(failed)?;
        Ok(archive)
    }

    /// Deletes a removed walker's files for good.
    pub fn delete(&self, walker: &Walker) -> Result<(), String> {
        let from = self.state_dir.join(&walker.folder);
        let failed = |e: std::io::Error| {
            format!(
                "cannot delete {}'s record in {}: {e}",
                walker.name,
                from.display()
            )
        };
        if !walker.folder.is_empty() {
            return match std::fs::remove_dir_all(&from) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(failed(e)),
                _ => Ok(()),
            };
        }
        for name in WalkerFiles::NAMES {
            let path = from.join(name);
            let removed = if path.is_dir() {
                std::fs::remove_dir_all(&path)
            } else {
                std::fs::remove_file(&path)
            };
            match removed {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(failed(e)),
                _ => {}
            }
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "walkers_tests.rs"]
mod tests;
