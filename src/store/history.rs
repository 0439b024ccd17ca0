//! The history of sessions: one JSON line per finished or stopped
//! session, appended with a single write and flushed before the session
//! counts as ended, so a crash can neither tear a line nor lose one.

use std::fs::OpenOptions;
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::session::Counting;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Walked to the end.
    Finished,
    /// Stopped, or replaced by another session.
    Stopped,
    /// Cut short by a crash or power cut, and not brought back.
    Interrupted,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Finished => "finished",
            Outcome::Stopped => "stopped",
            Outcome::Interrupted => "interrupted",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub program: String,
    pub program_name: String,
    /// RFC 3339, UTC.
    pub start: String,
    pub end: String,
    /// Steps walked to their end.
    pub steps_done: u32,
    pub step_count: u32,
    pub completed: bool,
    pub outcome: Outcome,
    /// Seconds actually walked: the session's clock while it ran, so a
    /// skipped part is not counted and pauses are not either.
    pub walked: f64,
    /// Of the seconds walked, those walked backward.
    #[serde(default)]
    pub walked_backward: f64,
    /// The fastest backward step walked, in `units`: what the walker
    /// worked up to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_backward_speed: Option<f64>,
    /// The program's units, "mph" or "km/h".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub units: Option<String>,
    /// Seconds into the program when it ended.
    #[serde(default)]
    pub position: f64,
    /// Metres by the program's speeds for the time walked: the
    /// distance when no treadmill counted one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub program_distance_m: Option<f64>,
    /// The session's start in microseconds since the Unix epoch: two
    /// entries for one session are never written.
    pub session: i64,
    /// The course walk it was, and whether a backward step was skipped.
    #[serde(default, flatten)]
    pub counting: Counting,
    /// What the treadmill and the heart-rate strap measured.
    #[serde(default, flatten)]
    pub measured: crate::fitness::coach::Measured,
}

impl Entry {
    /// When the session ended, in seconds since the Unix epoch, if its
    /// `end` reads as RFC 3339.
    pub fn end_unix(&self) -> Option<f64> {
        humantime::parse_rfc3339(&self.end)
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_secs_f64())
    }
}

/// The history file: what is in it, with how many lines were damaged.
#[derive(Debug, Default)]
pub struct HistoryRead {
    pub entries: Vec<Entry>,
    pub damaged: usize,
}

#[derive(Debug, Clone)]
pub struct HistoryFile {
    pub path: PathBuf,
}

impl HistoryFile {
    pub fn new(path: PathBuf) -> Self {
        HistoryFile { path }
    }

    /// Appends one entry and flushes it to the disk.
    pub fn append(&self, entry: &Entry) -> Result<(), String> {
        let fail = |e: std::io::Error| format!("cannot add to {}: {e}", self.path.display());
        let mut line = serde_json::to_string(entry).map_err(|e| e.to_string())?;
        line.push('\n');
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(fail)?;
        }
        let created = !self.path.exists();
        // Never through a link, never into a FIFO or a device put there.
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW)
            .open(&self.path)
            .map_err(fail)?;
        if !file.metadata().map_err(fail)?.is_file() {
            return Err(fail(std::io::Error::other("it is not a regular file")));
        }
        // A power cut can leave the last line torn; start on a fresh
        // line so the torn piece stays a damaged line of its own.
        if !ends_with_newline(&mut file).map_err(fail)? {
            line.insert(0, '\n');
        }
        // One write: a killed process either wrote the line or did not.
        file.write_all(line.as_bytes()).map_err(fail)?;
        file.sync_data().map_err(fail)?;
        if created && let Some(dir) = self.path.parent() {
            super::sync_dir(dir).map_err(fail)?;
        }
        Ok(())
    }

    /// Every whole entry, oldest first. A missing file is an empty history.
    pub fn read(&self) -> Result<HistoryRead, String> {
        let mut read = HistoryRead::default();
        for line in self.text()?.lines().filter(|l| !l.trim().is_empty()) {
            match serde_json::from_str(line) {
                Ok(entry) => read.entries.push(entry),
                Err(_) => read.damaged += 1,
            }
        }
        Ok(read)
    }

    /// The entry of the session that started at `session`, the newest if
    /// there were two. Only lines with its number are parsed: finding
    /// each session of a long history one by one stays cheap.
    pub fn find(&self, session: i64) -> Result<Option<Entry>, String> {
        let number = session.to_string();
        Ok(self
            .text()?
            .lines()
            .rev()
            .filter(|line| line.contains(&number))
            .filter_map(|line| serde_json::from_str::<Entry>(line).ok())
            .find(|entry| entry.session == session))
    }

    /// Whether the session that started at `session` is in the history.
    pub fn contains(&self, session: i64) -> bool {
        self.find(session).is_ok_and(|found| found.is_some())
    }

    /// The file's text; empty when there is no file.
    fn text(&self) -> Result<String, String> {
        let opened = crate::files::open_regular(&self.path).and_then(|mut file| {
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes).map(|_| bytes)
        });
        match opened {
            Ok(bytes) => Ok(String::from_utf8_lossy(&bytes).into_owned()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
            Err(e) => Err(format!("cannot read {}: {e}", self.path.display())),
        }
    }
}

fn ends_with_newline(file: &mut std::fs::File) -> std::io::Result<bool> {
    let length = file.seek(SeekFrom::End(0))?;
    if length == 0 {
        return Ok(true);
    }
    file.seek(SeekFrom::End(-1))?;
    let mut last = [0u8; 1];
    file.read_exact(&mut last)?;
    Ok(last[0] == b'\n')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(session: i64) -> Entry {
        Entry {
            program: "demo".into(),
            program_name: "One-minute demo".into(),
            start: "2026-11-21T10:00:00Z".into(),
            end: "2026-11-21T10:01:00Z".into(),
            steps_done: 3,
            step_count: 3,
            completed: true,
            outcome: Outcome::Finished,
            walked: 60.0,
            walked_backward: 20.0,
            top_backward_speed: Some(0.8),
            units: Some("mph".into()),
            position: 60.0,
            program_distance_m: Some(25.0),
            session,
            counting: Counting::default(),
            measured: Default::default(),
        }
    }

    #[test]
    fn a_session_is_found_by_its_number_whatever_the_spacing_and_damage_around_it() {
        let dir = tempfile::tempdir().unwrap();
        let history = HistoryFile::new(dir.path().join("history.jsonl"));
        assert_eq!(history.find(7).unwrap(), None);
        history.append(&entry(1_000_007)).unwrap();
        let spaced = serde_json::to_string_pretty(&entry(2_000_007))
            .unwrap()
            .replace('\n', " ");
        let mut text = std::fs::read_to_string(&history.path).unwrap();
        text.push_str(&format!("{spaced}\n{{\"session\": 3000007, torn\n"));
        std::fs::write(&history.path, text).unwrap();
        assert_eq!(history.find(2_000_007).unwrap(), Some(entry(2_000_007)));
        assert_eq!(history.find(1_000_007).unwrap(), Some(entry(1_000_007)));
        assert_eq!(
            history.find(3_000_007).unwrap(),
            None,
            "a torn line is no entry"
        );
        assert!(history.contains(1_000_007) && !history.contains(7));
    }

    #[test]
    fn a_line_torn_by_a_power_cut_is_left_out_and_the_next_entry_is_whole() {
        let dir = tempfile::tempdir().unwrap();
        let history = HistoryFile::new(dir.path().join("history.jsonl"));
        history.append(&entry(1)).unwrap();
        // The power went while the second entry was being written.
        let torn = serde_json::to_string(&entry(2)).unwrap();
        let mut file = OpenOptions::new().append(true).open(&history.path).unwrap();
        file.write_all(&torn.as_bytes()[..torn.len() / 2]).unwrap();
        drop(file);
        history.append(&entry(3)).unwrap();

        let read = history.read().unwrap();
        let sessions: Vec<i64> = read.entries.iter().map(|e| e.session).collect();
        assert_eq!(sessions, [1, 3]);
        assert_eq!(read.damaged, 1);
        assert!(history.contains(3) && !history.contains(2));
    }

    #[test]
    fn a_missing_history_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let history = HistoryFile::new(dir.path().join("none.jsonl"));
        assert!(history.read().unwrap().entries.is_empty());
    }
}
