//! Reading the configuration: the files found, layered, with the flags
//! over them.

use std::path::PathBuf;

use super::{Config, Flags, file};

/// Reads the configuration the same way each time, at start and at every
/// reload: the files found then, with the same flags over them.
#[derive(Debug, Clone, Default)]
pub struct Loader {
    /// `--config`, which must then exist and is read alone.
    pub explicit: Option<PathBuf>,
    pub flags: Flags,
    /// The system's file; None: [`file::SYSTEM_CONFIG`].
    pub system_file: Option<PathBuf>,
    /// The user's file; None: [`file::user_config`].
    pub user_file: Option<PathBuf>,
}

/// A configuration, with the warnings reading it gave.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub config: Config,
    pub warnings: Vec<String>,
}

impl Loader {
    pub fn load(&self) -> Result<Loaded, String> {
        let system = self
            .system_file
            .clone()
            .unwrap_or_else(|| PathBuf::from(file::SYSTEM_CONFIG));
        let layers: Vec<PathBuf> = [
            Some(system),
            self.user_file.clone().or_else(file::user_config),
        ]
        .into_iter()
        .flatten()
        .collect();
        let files = file::locate(self.explicit.as_deref(), &layers)
            .iter()
            .map(|path| file::read(path))
            .collect::<Result<Vec<_>, _>>()?;
        if files.len() > 1 {
            // Each file is checked on its own first, so a bad value is
            // reported in the file and at the line where it is written.
            for read in &files {
                Config::resolve(Some(read), Flags::default())?;
            }
        }
        let read = file::layer(files)?;
        let config = Config::resolve(read.as_ref(), self.flags.clone())?;
        Ok(Loaded {
            config,
            warnings: read.map(|r| r.warnings).unwrap_or_default(),
        })
    }
}
