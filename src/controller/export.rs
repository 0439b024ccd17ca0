//! A session of the history as a file for other tools (see `export`):
//! its entry, its per-second record and whether its program jogs.

use super::{ControlError, Controller};
use crate::export::{Activity, Format};
use crate::program::PostureSet;

impl Controller {
    /// The session that started at `session` (microseconds) in `format`:
    /// the file's name and its bytes.
    pub fn session_file(
        &self,
        session: i64,
        format: Format,
    ) -> Result<(String, Vec<u8>), ControlError> {
        let activity = self.activity(session)?;
        activity.file(format).map_err(ControlError::Internal)
    }

    /// The session that started at `session`, ready to be written out.
    pub fn activity(&self, session: i64) -> Result<Activity, ControlError> {
        let entry = self.find_in_history(session)?.ok_or_else(|| {
            ControlError::UnknownSession(format!(
                "no session in the history started at {session} (microseconds since 1970; \
                 see the history's `session` field)"
            ))
        })?;
        // A damaged record costs the seconds, not the session: it goes
        // out with its totals, as one lap.
        let walker = entry.counting.walker.as_ref().map(|w| w.id);
        let records = self.walker_files(walker).records;
        let samples = records.read(session).unwrap_or_else(|e| {
            tracing::warn!("{e}; the session is exported with its totals only");
            Vec::new()
        });
        let jogs = self
            .setup()
            .catalog
            .load(&entry.program)
            .is_ok_and(|p| p.steps.iter().any(|s| s.posture == Some(PostureSet::Jog)));
        Ok(Activity {
            entry,
            samples,
            jogs,
        })
    }
}
