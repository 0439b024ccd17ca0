//! The walkers who share the treadmill, as the controller keeps them:
//! the one writer of the list, the one who says whose files a session,
//! an entry or a view belongs to. While a session is under way the
//! active walker is the session's: choosing another waits for its end,
//! so a tap on the phone never moves a walk to someone else.

use std::sync::MutexGuard;

use super::{Change, ControlError, Controller};
use crate::program::{Program, Units};
use crate::session::WalkerTag;
use crate::store::walkers::{Walker, WalkerFiles, Walkers};

/// Whose entries a view shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Whose {
    /// The active walker's.
    #[default]
    Active,
    /// The walker's of that name.
    Named(String),
    /// Every walker's.
    All,
}

impl Whose {
    /// A front end's choice: a name, or none for the active walker.
    pub fn named(name: Option<&str>) -> Whose {
        match name.map(str::trim) {
            None | Some("") => Whose::Active,
            Some(name) => Whose::Named(name.to_string()),
        }
    }
}

/// What happens to a removed walker's record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemovedRecord {
    /// Moved whole to the state folder's `archive/`.
    Archive,
    Delete,
}

/// One walker as front ends list them.
#[derive(Debug, Clone, PartialEq)]
pub struct WalkerInfo {
    pub name: String,
    pub active: bool,
    /// Their own limit; `None` follows the machine's.
    pub heart_max: Option<u16>,
    /// Their own units; `None` follows the machine's.
    pub units: Option<String>,
}

impl Controller {
    fn walkers_list(&self) -> MutexGuard<'_, Walkers> {
        crate::sync::lock(&self.walkers)
    }

    pub fn walkers(&self) -> Vec<WalkerInfo> {
        let walkers = self.walkers_list();
        walkers
            .walkers
            .iter()
            .map(|w| WalkerInfo {
                name: w.name.clone(),
                active: w.id == walkers.active().id,
                heart_max: w.heart_max,
                units: w.units.clone(),
            })
            .collect()
    }

    /// The active walker's name.
    pub fn active_walker(&self) -> String {
        self.walkers_list().active().name.clone()
    }

    /// The active walker as a session names them.
    pub(super) fn walker_tag(&self) -> WalkerTag {
        let walkers = self.walkers_list();
        let active = walkers.active();
        WalkerTag {
            id: active.id,
            name: active.name.clone(),
        }
    }

    /// A program in the active walker's own units, when they have some.
    pub(super) fn in_walker_units(&self, program: Program) -> Program {
        match self.walker_units() {
            Some(units) => program.in_units(units),
            None => program,
        }
    }

    /// The active walker's own units.
    pub(super) fn walker_units(&self) -> Option<Units> {
        match self.walkers_list().active().units.as_deref() {
            Some("km/h") => Some(Units::Kmh),
            Some("mph") => Some(Units::Mph),
            _ => None,
        }
    }

    /// The active walker's own heart-rate limit.
    pub(super) fn walker_heart_max(&self) -> Option<u16> {
        self.walkers_list().active().heart_max
    }

    /// A session brought back is its walker's, who is active again: the
    /// walker with `id`, or for a checkpoint of before walkers the first
    /// walker. One no longer listed leaves the active walker as it is.
    pub(super) fn walker_back(&self, id: Option<u32>) -> WalkerTag {
        let chosen = {
            let walkers = self.walkers_list();
            id.and_then(|id| walkers.by_id(id))
                .or_else(|| {
                    id.is_none()
                        .then(|| walkers.walkers.iter().find(|w| w.folder.is_empty()))
                        .flatten()
                })
                .map(|w| w.name.clone())
        };
        if let Some(name) = chosen
            && let Err(e) = self.change_walkers(|w| w.choose(&name).map(drop))
        {
            tracing::warn!("{e}");
        }
        self.walker_tag()
    }

    /// The files of the walker with `id`; for an entry or a checkpoint
    /// of before walkers (no id), or of a walker no longer listed, the
    /// first walker's (whose files were the only ones then), else the
    /// active walker's.
    pub(super) fn walker_files(&self, id: Option<u32>) -> WalkerFiles {
        let walkers = self.walkers_list();
        let walker = id
            .and_then(|id| walkers.by_id(id))
            .or_else(|| walkers.walkers.iter().find(|w| w.folder.is_empty()))
            .unwrap_or_else(|| walkers.active());
        self.state.walkers.files(walker)
    }

    pub(super) fn every_walkers_files(&self) -> Vec<WalkerFiles> {
        let walkers = self.walkers_list();
        walkers
            .walkers
            .iter()
            .map(|w| self.state.walkers.files(w))
            .collect()
    }

    pub(super) fn active_files(&self) -> WalkerFiles {
        let walkers = self.walkers_list();
        self.state.walkers.files(walkers.active())
    }

    /// The walkers a view is about, each with their files.
    pub(super) fn walkers_of(
        &self,
        whose: &Whose,
    ) -> Result<Vec<(Walker, WalkerFiles)>, ControlError> {
        let walkers = self.walkers_list();
        let chosen: Vec<&Walker> = match whose {
            Whose::Active => vec![walkers.active()],
            Whose::Named(name) => vec![walkers.find(name).map_err(ControlError::InvalidArgument)?],
            Whose::All => walkers.walkers.iter().collect(),
        };
        Ok(chosen
            .into_iter()
            .map(|w| (w.clone(), self.state.walkers.files(w)))
            .collect())
    }

    /// Changes the list, keeps it, and tells listeners. Nothing changes
    /// when it cannot be kept.
    fn change_walkers<T>(
        &self,
        change: impl FnOnce(&mut Walkers) -> Result<T, String>,
    ) -> Result<T, ControlError> {
        let done = {
            let mut walkers = self.walkers_list();
            let mut changed = walkers.clone();
            let done = change(&mut changed).map_err(ControlError::InvalidArgument)?;
            self.state
                .walkers
                .save(&changed)
                .map_err(ControlError::Storage)?;
            *walkers = changed;
            done
        };
        self.notify(Change::Walkers);
        Ok(done)
    }

    pub fn add_walker(&self, name: &str) -> Result<(), ControlError> {
        self.change_walkers(|w| w.add(name).map(drop))?;
        tracing::info!("walker added: {}", name.trim());
        Ok(())
    }

    /// Makes `name` the active walker: their course, history and
    /// settings from now on. Refused while another walker's session is
    /// under way.
    pub fn use_walker(&self, name: &str) -> Result<(), ControlError> {
        {
            let core = self.core();
            let walking = self.walking(&core);
            self.change_walkers(|w| {
                let id = w.find(name)?.id;
                if let Some(walking) = walking.filter(|t| t.id != id) {
                    return Err(format!(
                        "{} is walking now: choose another walker once the session ends",
                        walking.name
                    ));
                }
                w.choose(name).map(drop)
            })?;
        }
        self.refresh_course();
        Ok(())
    }

    /// The walker of the session under way.
    fn walking(&self, core: &super::Core) -> Option<WalkerTag> {
        core.session
            .is_active()
            .then(|| core.session.counting().walker.clone())
            .flatten()
    }

    pub fn rename_walker(&self, name: &str, new_name: &str) -> Result<(), ControlError> {
        self.change_walkers(|w| w.rename(name, new_name))
    }

    /// Sets a walker's own heart-rate limit and units (see
    /// [`Walkers::set`]); a session under way keeps what it started with.
    pub fn set_walker(
        &self,
        name: &str,
        heart_max: Option<Option<u16>>,
        units: Option<Option<String>>,
    ) -> Result<(), ControlError> {
        self.change_walkers(|w| w.set(name, heart_max, units))
    }

    /// Takes a walker off the list, their record archived or deleted: the
    /// archive's folder when archived. Refused while they walk.
    pub fn remove_walker(
        &self,
        name: &str,
        record: RemovedRecord,
    ) -> Result<Option<std::path::PathBuf>, ControlError> {
        let removed = {
            let core = self.core();
            let walking = self.walking(&core);
            self.change_walkers(|w| {
                let walker = w.find(name)?;
                if walking.is_some_and(|t| t.id == walker.id) {
                    return Err(format!(
                        "{} is walking now: stop the session before removing them",
                        walker.name
                    ));
                }
                w.remove(name)
            })?
        };
        // Off the list first: a crash from here leaves files no walker
        // names, never a walker without their files.
        let kept = match record {
            RemovedRecord::Archive => {
                let today = crate::calendar::local(std::time::SystemTime::now())
                    .map_or_else(|| "undated".into(), |t| t.date.to_string());
                Some(self.state.walkers.archive(&removed, &today))
            }
            RemovedRecord::Delete => self.state.walkers.delete(&removed).err().map(Err),
        };
        tracing::info!("walker removed: {}", removed.name);
        self.refresh_course();
        kept.transpose().map_err(ControlError::Storage)
    }
}
