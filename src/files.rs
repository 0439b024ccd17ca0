//! Files: reading the ones a user or an attacker may point treadcue at,
//! and writing whole files that a crash never leaves half written.
//!
//! Reading: only
//! regular files are read, opened without blocking: a FIFO never written
//! to, a device or a socket in a program folder, the config's place or
//! the state folder is an error that names the file and what it is,
//! never a hang. Reads stop one byte past a limit, so a huge file is
//! refused without being read whole.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

/// Reads `path` if it is a regular file of at most `limit` bytes. A file
/// over the limit gives `limit + 1` bytes: the caller names the limit.
pub fn read_regular(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    let file = open_regular(path)?;
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// The same as text; invalid UTF-8 is an error naming the file.
pub fn read_regular_text(path: &Path, limit: u64) -> std::io::Result<String> {
    let bytes = read_regular(path, limit)?;
    if bytes.len() as u64 > limit {
        return Err(std::io::Error::other(format!(
            "{} is larger than {limit} bytes",
            path.display()
        )));
    }
    String::from_utf8(bytes).map_err(|_| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("{} is not UTF-8 text", path.display()),
        )
    })
}

/// Opens `path` for reading without blocking, and only if it is a
/// regular file.
pub fn open_regular(path: &Path) -> std::io::Result<File> {
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    let kind = file.metadata()?.file_type();
    if !kind.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!(
                "{} is {}, not a regular file",
                path.display(),
                describe(kind)
            ),
        ));
    }
    Ok(file)
}

fn describe(kind: std::fs::FileType) -> &'static str {
    if kind.is_dir() {
        "a folder"
    } else if kind.is_fifo() {
        "a FIFO (named pipe)"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_char_device() || kind.is_block_device() {
        "a device"
    } else {
        "a special file"
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fifo_is_refused_at_once_with_its_name_and_kind() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("session.json");
        let c_path = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: mkfifo with a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
        let error = read_regular(&fifo, 100).unwrap_err().to_string();
        assert!(error.contains("session.json is a FIFO"), "{error}");
        let error = read_regular(dir.path(), 100).unwrap_err().to_string();
        assert!(error.contains("a folder"), "{error}");
    }

    #[test]
    fn a_file_over_the_limit_gives_one_byte_more() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("big");
        std::fs::write(&file, vec![b'x'; 50]).unwrap();
        assert_eq!(read_regular(&file, 10).unwrap().len(), 11);
        assert!(read_regular_text(&file, 10).is_err());
        assert_eq!(read_regular_text(&file, 50).unwrap().len(), 50);
    }
}
