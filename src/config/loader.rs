//! Reading the configuration: the file found, with the flags over it.

use std::path::PathBuf;

use super::{Config, Flags, file};

/// Reads the configuration the same way each time, at start and at every
/// reload: the file found then, with the same flags over it.
#[derive(Debug, Clone, Default)]
pub struct Loader {
    /// `--config`, which must then exist.
    pub explicit: Option<PathBuf>,
    pub flags: Flags,
}

/// A configuration, with the warnings reading it gave.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub config: Config,
    pub warnings: Vec<String>,
}

impl Loader {
    pub fn load(&self) -> Result<Loaded, String> {
        let read = file::locate(self.explicit.as_deref())
            .map(|path| file::read(&path))
            .transpose()?;
        let config = Config::resolve(read.as_ref(), self.flags.clone())?;
        Ok(Loaded {
            config,
            warnings: read.map(|r| r.warnings).unwrap_or_default(),
        })
    }
}
