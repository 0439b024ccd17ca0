//! Where treadcue keeps things when the configuration does not say: the
//! XDG folders of the user it runs as, or the service's own.

use std::path::{Path, PathBuf};

/// `$XDG_CACHE_HOME/treadcue/phrases`, or under `~/.cache`.
pub(super) fn default_cache_dir() -> PathBuf {
    xdg_dir("XDG_CACHE_HOME", ".cache")
        .unwrap_or_else(std::env::temp_dir)
        .join("treadcue")
        .join("phrases")
}

/// The system's program folder, then the user's: each read if it exists,
/// the user's programs winning over the system's of the same name.
pub(super) fn default_program_folders() -> Vec<PathBuf> {
    let mut folders = vec![PathBuf::from("/etc/treadcue/programs")];
    if let Some(config) = xdg_dir("XDG_CONFIG_HOME", ".config") {
        folders.push(config.join("treadcue/programs"));
    }
    folders
}

/// The system's course folder, then the user's, as for programs.
pub(super) fn default_course_folders() -> Vec<PathBuf> {
    let mut folders = vec![PathBuf::from("/etc/treadcue/courses")];
    if let Some(config) = xdg_dir("XDG_CONFIG_HOME", ".config") {
        folders.push(config.join("treadcue/courses"));
    }
    folders
}

/// Where ended sessions wait when the state folder cannot be written: the
/// runtime folder (systemd's RuntimeDirectory, else the user's), on
/// another file system than the state, and private to its user.
pub(super) fn spill_dir() -> Option<PathBuf> {
    ["RUNTIME_DIRECTORY", "XDG_RUNTIME_DIR"]
        .into_iter()
        .filter_map(|name| std::env::var(name).ok())
        .filter_map(|dirs| dirs.split(':').next().map(PathBuf::from))
        .find(|p| p.is_absolute())
        .map(|dir| dir.join("treadcue"))
}

pub(super) fn default_state_dir() -> PathBuf {
    let systemd = std::env::var("STATE_DIRECTORY")
        .ok()
        .and_then(|dirs| dirs.split(':').next().map(PathBuf::from))
        .filter(|p| p.is_absolute());
    systemd.unwrap_or_else(|| {
        xdg_dir("XDG_STATE_HOME", ".local/state")
            .unwrap_or_else(std::env::temp_dir)
            .join("treadcue")
    })
}

/// An XDG base folder: `$variable` when absolute, else `~/under_home`;
/// None with neither.
pub(super) fn xdg_dir(variable: &str, under_home: &str) -> Option<PathBuf> {
    std::env::var_os(variable)
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(under_home)))
}
