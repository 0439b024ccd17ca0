//! What a session measured each second, kept for export: one file per
//! session in `records/`, named by the session, of fixed-size samples.
//!
//! Crash-safe like the history: samples are appended and flushed before
//! the checkpoint that counts them is written, and a session brought
//! back from a checkpoint cuts its file back to that count, so the
//! records always match the time walked the checkpoint kept. Bounded:
//! past a size limit the oldest sessions' files go first; the history's
//! totals are never touched.

use std::fs::OpenOptions;
use std::io::{ErrorKind, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// The first bytes of every records file, with the format's version.
const MAGIC: &[u8; 8] = b"TCREC\x00\x01\n";
/// Bytes in one sample on disk.
pub const SAMPLE_BYTES: usize = 32;
/// The most one file is read to: a day of samples, many times over.
const LARGEST_FILE: u64 = 64 << 20;

/// What a sample marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// A second walked.
    Walking,
    /// The session paused here.
    Pause,
    /// The session resumed here.
    Resume,
}

/// One moment of a session.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    pub mark: Mark,
    /// Milliseconds since the session started (wall clock).
    pub at_ms: u32,
    /// The program's step, from 0.
    pub step: u16,
    pub backward: bool,
    /// Seconds walked so far, and of them backward.
    pub walked: f32,
    pub walked_backward: f32,
    /// Metres so far by the program's speeds.
    pub program_metres: f32,
    /// Metres so far by the treadmill, when one counted.
    pub belt_metres: Option<f32>,
    /// km/h: the belt's when a treadmill sent it, else the step's.
    pub speed_kmh: f32,
    pub speed_from_belt: bool,
    pub heart_rate: Option<u8>,
    /// Percent, the treadmill's when it sent one.
    pub incline: Option<f32>,
}

impl Sample {
    /// The program's distance once `walked` seconds are walked in all,
    /// going on from this sample at `kmh`.
    pub fn program_metres_at(&self, walked: f64, kmh: f64) -> f64 {
        let after = (walked - f64::from(self.walked)).max(0.0);
        f64::from(self.program_metres) + after * kmh / 3.6
    }

    fn encode(&self) -> [u8; SAMPLE_BYTES] {
        let mut b = [0u8; SAMPLE_BYTES];
        b[0] = match self.mark {
            Mark::Walking => 0,
            Mark::Pause => 1,
            Mark::Resume => 2,
        };
        b[1] = u8::from(self.backward) | (u8::from(self.speed_from_belt) << 1);
        b[2..4].copy_from_slice(&self.step.to_le_bytes());
        b[4..8].copy_from_slice(&self.at_ms.to_le_bytes());
        b[8..12].copy_from_slice(&self.walked.to_le_bytes());
        b[12..16].copy_from_slice(&self.walked_backward.to_le_bytes());
        b[16..20].copy_from_slice(&self.program_metres.to_le_bytes());
        b[20..24].copy_from_slice(&self.belt_metres.unwrap_or(f32::NAN).to_le_bytes());
        b[24..28].copy_from_slice(&self.speed_kmh.to_le_bytes());
        b[28] = self.heart_rate.unwrap_or(0);
        let incline = self.incline.map_or(i16::MIN, |i| (i * 10.0).round() as i16);
        b[30..32].copy_from_slice(&incline.to_le_bytes());
        b
    }

    /// A sample from its bytes; `None` for one no version wrote.
    fn decode(b: &[u8]) -> Option<Sample> {
        let f32_at = |i: usize| f32::from_le_bytes(b[i..i + 4].try_into().unwrap());
        let mark = match b[0] {
            0 => Mark::Walking,
            1 => Mark::Pause,
            2 => Mark::Resume,
            _ => return None,
        };
        let belt = f32_at(20);
        let incline = i16::from_le_bytes([b[30], b[31]]);
        Some(Sample {
            mark,
            backward: b[1] & 1 != 0,
            speed_from_belt: b[1] & 2 != 0,
            step: u16::from_le_bytes([b[2], b[3]]),
            at_ms: u32::from_le_bytes(b[4..8].try_into().unwrap()),
            walked: f32_at(8),
            walked_backward: f32_at(12),
            program_metres: f32_at(16),
            belt_metres: (!belt.is_nan()).then_some(belt),
            speed_kmh: f32_at(24),
            heart_rate: (b[28] != 0).then_some(b[28]),
            incline: (incline != i16::MIN).then(|| f32::from(incline) / 10.0),
        })
    }
}

/// The folder of records files, and its size limit.
#[derive(Debug, Clone)]
pub struct RecordsFolder {
    pub dir: PathBuf,
    /// Bytes all the files may take together.
    pub limit: u64,
}

/// The default limit: about three years of daily half hours.
pub const DEFAULT_LIMIT: u64 = 64 << 20;

impl RecordsFolder {
    pub fn new(dir: PathBuf) -> RecordsFolder {
        RecordsFolder {
            dir,
            limit: DEFAULT_LIMIT,
        }
    }

    /// The file of the session that started at `session` (microseconds).
    pub fn path(&self, session: i64) -> PathBuf {
        self.dir.join(format!("{session}.rec"))
    }

    /// Appends samples to the session's file and flushes them: after
    /// this, `kept` of them are on the disk.
    pub fn append(&self, session: i64, samples: &[Sample]) -> Result<(), String> {
        if samples.is_empty() {
            return Ok(());
        }
        let path = self.path(session);
        let fail =
            |e: std::io::Error| format!("cannot keep the records in {}: {e}", path.display());
        std::fs::create_dir_all(&self.dir).map_err(fail)?;
        let created = !path.exists();
        let mut file = OpenOptions::new()
            .append(true)
            .create(true)
            .custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW)
            .open(&path)
            .map_err(fail)?;
        let mut bytes = Vec::with_capacity(MAGIC.len() + samples.len() * SAMPLE_BYTES);
        if file.metadata().map_err(fail)?.len() == 0 {
            bytes.extend_from_slice(MAGIC);
        }
        samples.iter().for_each(|s| bytes.extend(s.encode()));
        file.write_all(&bytes).map_err(fail)?;
        file.sync_data().map_err(fail)?;
        if created {
            super::sync_dir(&self.dir).map_err(fail)?;
        }
        Ok(())
    }

    /// Cuts the session's file back to its first `count` samples: what a
    /// checkpoint counted. Samples written after it are dropped, as the
    /// time they were walked in is.
    pub fn cut_to(&self, session: i64, count: u64) -> Result<(), String> {
        let path = self.path(session);
        let length = MAGIC.len() as u64 + count * SAMPLE_BYTES as u64;
        match std::fs::metadata(&path) {
            Ok(m) if m.len() > length => {}
            _ => return Ok(()),
        }
        let file = OpenOptions::new()
            .write(true)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&path)
            .and_then(|f| f.set_len(length).and_then(|()| f.sync_all()));
        file.map_err(|e| format!("cannot cut back {}: {e}", path.display()))
    }

    /// The session's samples, oldest first; none when it has no file. A
    /// torn last sample (a power cut mid-write) is left out.
    pub fn read(&self, session: i64) -> Result<Vec<Sample>, String> {
        let path = self.path(session);
        let bytes = match crate::files::open_regular(&path) {
            Ok(file) => {
                let mut bytes = Vec::new();
                file.take(LARGEST_FILE)
                    .read_to_end(&mut bytes)
                    .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                bytes
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        if bytes.is_empty() {
            return Ok(Vec::new());
        }
        let Some(body) = bytes.strip_prefix(MAGIC.as_slice()) else {
            return Err(format!(
                "{} is not a treadcue records file (or of a newer version)",
                path.display()
            ));
        };
        Ok(body
            .chunks_exact(SAMPLE_BYTES)
            .filter_map(Sample::decode)
            .collect())
    }

    /// Drops the oldest sessions' files until all fit the limit. `keep`
    /// (the running session's) is never dropped.
    pub fn bound(&self, keep: Option<i64>) -> Result<Vec<i64>, String> {
        let mut files = self.sessions()?;
        let mut total: u64 = files.iter().map(|(_, size)| size).sum();
        let mut dropped = Vec::new();
        files.sort();
        for (session, size) in files {
            if total <= self.limit {
                break;
            }
            if Some(session) == keep {
                continue;
            }
            match std::fs::remove_file(self.path(session)) {
                Ok(()) => {
                    total -= size;
                    dropped.push(session);
                }
                Err(e) => return Err(format!("cannot drop {}: {e}", self.path(session).display())),
            }
        }
        Ok(dropped)
    }

    /// Every session with a records file, and its size.
    fn sessions(&self) -> Result<Vec<(i64, u64)>, String> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            // No folder (or something else in its place): nothing to bound.
            Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory) => {
                return Ok(Vec::new());
            }
            Err(e) => return Err(format!("cannot read {}: {e}", self.dir.display())),
        };
        Ok(entries
            .flatten()
            .filter_map(|entry| {
                let name = entry.file_name();
                let session = Path::new(&name)
                    .to_str()?
                    .strip_suffix(".rec")?
                    .parse()
                    .ok()?;
                Some((session, entry.metadata().ok()?.len()))
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(second: u32) -> Sample {
        Sample {
            mark: Mark::Walking,
            at_ms: second * 1000,
            step: (second / 10) as u16,
            backward: second.is_multiple_of(2),
            walked: second as f32,
            walked_backward: (second / 2) as f32,
            program_metres: second as f32 * 0.5,
            belt_metres: (second > 3).then_some(second as f32 * 0.4),
            speed_kmh: 1.8,
            speed_from_belt: second > 3,
            heart_rate: (second > 1).then_some(100 + second as u8),
            incline: (second > 2).then_some(-1.5),
        }
    }

    #[test]
    fn samples_read_back_as_written_and_a_cut_drops_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let folder = RecordsFolder::new(dir.path().join("records"));
        assert_eq!(folder.read(7).unwrap(), vec![]);
        let first: Vec<Sample> = (0..5).map(sample).collect();
        let then: Vec<Sample> = (5..9).map(sample).collect();
        folder.append(7, &first).unwrap();
        folder.append(7, &then).unwrap();
        let all: Vec<Sample> = (0..9).map(sample).collect();
        assert_eq!(folder.read(7).unwrap(), all);
        folder.cut_to(7, 5).unwrap();
        assert_eq!(folder.read(7).unwrap(), first);
    }

    #[test]
    fn a_torn_last_sample_is_left_out() {
        let dir = tempfile::tempdir().unwrap();
        let folder = RecordsFolder::new(dir.path().to_path_buf());
        folder.append(1, &[sample(0), sample(1)]).unwrap();
        let mut bytes = std::fs::read(folder.path(1)).unwrap();
        bytes.truncate(bytes.len() - 5);
        std::fs::write(folder.path(1), bytes).unwrap();
        assert_eq!(folder.read(1).unwrap(), vec![sample(0)]);
        std::fs::write(folder.path(1), b"not records").unwrap();
        let error = folder.read(1).unwrap_err();
        assert!(error.contains("1.rec") && error.contains("not a treadcue records file"));
    }

    #[test]
    fn past_the_limit_the_oldest_files_go_but_never_the_running_one() {
        let dir = tempfile::tempdir().unwrap();
        let mut folder = RecordsFolder::new(dir.path().to_path_buf());
        let samples: Vec<Sample> = (0..100).map(sample).collect();
        for session in [30, 10, 20] {
            folder.append(session, &samples).unwrap();
        }
        let one = std::fs::metadata(folder.path(10)).unwrap().len();
        folder.limit = 2 * one;
        assert_eq!(folder.bound(Some(10)).unwrap(), vec![20]);
        assert!(folder.path(10).exists() && folder.path(30).exists());
        folder.limit = one;
        assert_eq!(folder.bound(None).unwrap(), vec![10]);
        assert_eq!(folder.read(30).unwrap().len(), 100);
    }
}
