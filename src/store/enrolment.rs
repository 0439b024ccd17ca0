//! The walker's course: which one, since when, and how each walk was
//! rated (kept after leaving a course, for the history to show). Which
//! walks were done is not kept here but read from the history, whose
//! entries name their course walk: a session ends (and counts) once,
//! however the daemon dies, and the two files can never disagree about
//! it.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::write_atomically;
use crate::course::Rating;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Enrolment {
    /// The course followed; `None` after leaving it.
    pub course: Option<String>,
    /// When the walker enrolled, in microseconds since the Unix epoch:
    /// walks of the course that started before do not count.
    pub since: i64,
    /// Ratings given, by session (its start in microseconds since the
    /// epoch). A walk not rated here was rated "right".
    #[serde(default)]
    pub ratings: BTreeMap<i64, Rating>,
}

/// Where the enrolment lives: replaced whole at each change, so a crash
/// leaves the old file or the new one.
#[derive(Debug, Clone)]
pub struct EnrolmentFile {
    pub path: PathBuf,
}

/// Longest enrolment file read: ratings of a few thousand walks.
const MAX_BYTES: u64 = 1024 * 1024;

impl EnrolmentFile {
    pub fn new(path: PathBuf) -> Self {
        EnrolmentFile { path }
    }

    pub fn save(&self, enrolment: &Enrolment) -> Result<(), String> {
        let mut text = serde_json::to_string_pretty(enrolment).map_err(|e| e.to_string())?;
        text.push('\n');
        write_atomically(&self.path, text.as_bytes())
            .map_err(|e| format!("cannot keep the course in {}: {e}", self.path.display()))
    }

    /// The enrolment; with no file, one that follows no course. A file
    /// that cannot be read is an error, never taken for "no course".
    pub fn load(&self) -> Result<Enrolment, String> {
        let text = match crate::files::read_regular_text(&self.path, MAX_BYTES) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Enrolment::default());
            }
            Err(e) => return Err(format!("cannot read {}: {e}", self.path.display())),
        };
        serde_json::from_str(&text).map_err(|e| {
            // Set aside, never deleted: the next read starts afresh, and
            // the ratings are there for a person to recover.
            let aside = super::checkpoint::set_aside(&self.path);
            format!(
                "{} is damaged ({e}); moved to {}",
                self.path.display(),
                aside.display()
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_enrolment_comes_back_as_saved() {
        let dir = tempfile::tempdir().unwrap();
        let file = EnrolmentFile::new(dir.path().join("course.json"));
        assert_eq!(file.load(), Ok(Enrolment::default()));
        let mut enrolment = Enrolment {
            course: Some("from-zero".into()),
            since: 5,
            ratings: BTreeMap::new(),
        };
        enrolment.ratings.insert(7, Rating::TooHard);
        file.save(&enrolment).unwrap();
        assert_eq!(file.load(), Ok(enrolment));
    }

    #[test]
    fn a_damaged_file_is_reported_and_kept_aside() {
        let dir = tempfile::tempdir().unwrap();
        let file = EnrolmentFile::new(dir.path().join("course.json"));
        std::fs::write(&file.path, "{\"course\": ").unwrap();
        assert!(file.load().unwrap_err().contains("is damaged"));
        assert!(
            dir.path().join("course.json.damaged").exists(),
            "kept aside"
        );
        assert_eq!(file.load(), Ok(Enrolment::default()), "then no course");
    }
}
