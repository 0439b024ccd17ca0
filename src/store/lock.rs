//! One daemon per state folder: an exclusive lock on a file in it, taken
//! before anything in the folder is read or written, and held for the
//! daemon's life. A second treadcued (say, started by hand while the
//! service runs) finds it taken and leaves the running one's session,
//! checkpoint and history alone.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::fd::AsRawFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// The lock; dropping it (or the process ending, however) lets it go.
#[derive(Debug)]
pub struct StateLock {
    _file: File,
    pub path: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "another treadcued{} is using the state folder {}; stop it first (`systemctl --user stop treadcued`, or the system unit), or give this one its own --state-dir",
        .holder.map(|pid| format!(" (process {pid})")).unwrap_or_default(),
        .dir.display()
    )]
    Held { dir: PathBuf, holder: Option<u32> },
    #[error("cannot lock the state folder {}: {source}", .dir.display())]
    Io {
        dir: PathBuf,
        source: std::io::Error,
    },
}

impl StateLock {
    /// Takes the folder's lock without waiting, creating the folder and
    /// the lock file as needed, and writes this process's id in it.
    pub fn take(dir: &Path) -> Result<StateLock, LockError> {
        let io = |source| LockError::Io {
            dir: dir.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(io)?;
        let path = dir.join("lock");
        // A FIFO or a device planted there must not hang the start.
        let flags = libc::O_NONBLOCK | libc::O_NOFOLLOW;
        // Made if missing; a folder gone read-only has it already.
        let _ = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .custom_flags(flags)
            .mode(0o644)
            .open(&path);
        // Held open for reading only: flock needs no more, and a file
        // open for writing would keep the folder's file system from
        // being remounted read-only.
        let mut file = OpenOptions::new()
            .read(true)
            .custom_flags(flags)
            .open(&path)
            .map_err(io)?;
        if !file.metadata().map_err(io)?.is_file() {
            return Err(io(std::io::Error::other(format!(
                "{} is not a regular file",
                path.display()
            ))));
        }
        // SAFETY: flock on a descriptor this function owns; it touches no
        // memory.
        let locked = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        if locked != 0 {
            let error = std::io::Error::last_os_error();
            if error.raw_os_error() == Some(libc::EWOULDBLOCK) {
                return Err(LockError::Held {
                    dir: dir.to_path_buf(),
                    holder: read_pid(&mut file),
                });
            }
            return Err(io(error));
        }
        // Who holds it, for the message a second daemon gives. A failure
        // here costs only that message.
        let _ = write_pid(&path);
        Ok(StateLock { _file: file, path })
    }
}

fn write_pid(path: &Path) -> std::io::Result<()> {
    let mut file = OpenOptions::new()
        .write(true)
        .truncate(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW)
        .open(path)?;
    writeln!(file, "{}", std::process::id())
}

fn read_pid(file: &mut File) -> Option<u32> {
    let mut text = String::new();
    file.seek(SeekFrom::Start(0)).ok()?;
    file.take(32).read_to_string(&mut text).ok()?;
    text.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_the_folder_is_refused_and_names_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let first = StateLock::take(dir.path()).unwrap();
        // flock locks belong to the open file: a second open is refused
        // even in the same process.
        let second = StateLock::take(dir.path()).unwrap_err();
        let message = second.to_string();
        assert!(
            message.contains(&format!("process {}", std::process::id())),
            "{message}"
        );
        drop(first);
        StateLock::take(dir.path()).unwrap();
    }
}
