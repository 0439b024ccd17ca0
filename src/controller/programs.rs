//! The programs the controller can play: listed, checked, and prepared
//! (phrases rendered, plan compiled) ahead of a start; and the memory
//! that preparing them leaves behind, given back.

use std::sync::Arc;

use super::{ControlError, Controller, ProgramInfo, Setup};
use crate::plan::Plan;
use crate::prepare::{self, Bank};
use crate::program::Program;

impl Controller {
    /// Every valid program, by id; broken files are left out.
    pub fn list_programs(&self) -> Vec<ProgramInfo> {
        let setup = self.setup();
        let catalog = &setup.catalog;
        catalog
            .ids()
            .into_iter()
            .filter_map(|id| catalog.load(&id).ok())
            .map(|p| ProgramInfo {
                seconds: p.total().as_secs_f64(),
                id: p.id.clone(),
                name: p.name.clone(),
                description: p.description.clone(),
            })
            .collect()
    }

    /// Every program that cannot be played, by id, with its first error.
    pub fn broken_programs(&self) -> Vec<(String, String)> {
        let setup = self.setup();
        let catalog = &setup.catalog;
        catalog
            .ids()
            .into_iter()
            .filter_map(|id| match catalog.load(&id) {
                Ok(_) => None,
                Err(crate::program::catalog::LoadError::Invalid(errors)) => {
                    let first = errors.first().map(ToString::to_string).unwrap_or_default();
                    Some((id, first))
                }
                Err(e) => Some((id, e.to_string())),
            })
            .collect()
    }

    /// Loads every program and renders its phrases, so a Start later has
    /// nothing slow left to do (rendered phrases are cached on disk).
    /// Broken programs are logged, not fatal: the others still play.
    /// Gives how many programs are ready and how many are broken.
    pub fn warm_up(&self) -> (usize, usize) {
        let setup = self.setup();
        let (mut ready, mut broken) = (0, 0);
        for id in setup.catalog.ids() {
            let prepared = setup
                .catalog
                .load(&id)
                .map_err(|e| e.to_string())
                .and_then(|program| self.prepare(&setup, &program).map_err(|e| e.to_string()));
            match prepared {
                Ok(_) => ready += 1,
                Err(e) => {
                    broken += 1;
                    tracing::warn!("program {id} cannot be played: {e}");
                }
            }
        }
        give_back_memory();
        crate::voice::pack::release_bundled_pages();
        (ready, broken)
    }

    /// Renders the program's phrases and compiles its plan.
    pub(super) fn prepare(
        &self,
        setup: &Setup,
        program: &Program,
    ) -> Result<(Arc<Plan>, Bank), ControlError> {
        let mut bank = Bank::new(self.rate, setup.tones.as_deref())
            .map_err(ControlError::Voice)?
            .with_tone_volume(setup.tone_volume);
        let plan = prepare::prepare(
            program,
            &setup.cues,
            &setup.phrases,
            setup.voice.as_ref(),
            &mut bank,
        )
        .map_err(|e| ControlError::Voice(e.to_string()))?;
        Ok((Arc::new(plan), bank))
    }
}

/// Keeps glibc to two heap arenas: by default every thread that ever
/// allocated under contention gets one (up to eight per core), and a
/// burst of concurrent clients left tens of megabytes held in them.
pub fn limit_heap_arenas() {
    #[cfg(target_env = "gnu")]
    // SAFETY: mallopt only sets an allocator parameter; called before
    // any thread of the daemon starts.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

/// Hands the memory freed after preparing every program back to the
/// system: the rendering threads' heaps would otherwise stay with the
/// idle daemon, a dozen megabytes on a Pi.
pub(crate) fn give_back_memory() {
    #[cfg(target_env = "gnu")]
    // SAFETY: malloc_trim only releases free heap pages; it touches no
    // memory in use.
    unsafe {
        libc::malloc_trim(0);
    }
}
