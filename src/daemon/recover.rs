//! A session left behind by a crash, a kill or a power cut comes back
//! paused, or goes to the history, as the config says.

use crate::config::settings::AfterCrash;
use crate::controller::Controller;

pub fn recover(controller: &Controller, after_crash: AfterCrash) {
    controller.take_spilled();
    let checkpoint = match controller.state_files().checkpoint.load() {
        Ok(Some(checkpoint)) => checkpoint,
        Ok(None) => return,
        Err(e) => {
            tracing::error!("{e}");
            return;
        }
    };
    // A session brought back where nothing can be written could not be
    // recorded when it ends: it waits for a start that can.
    if let Err(e) = controller.state_files().writable() {
        tracing::error!(
            "{e}; the interrupted session of {} stays in its checkpoint until treadcued can record it",
            checkpoint.program
        );
        return;
    }
    if after_crash == AfterCrash::Discard {
        tracing::info!(
            "an interrupted session of {} was discarded, as after_crash says; it is in the history",
            checkpoint.program
        );
        controller.discard(&checkpoint);
        return;
    }
    match controller.restore(&checkpoint) {
        Ok(()) if controller.state().is_active() => {
            tracing::info!(
                "the interrupted session of {} is back, paused at step {} of {}, {:.0} s in",
                checkpoint.program,
                checkpoint.step + 1,
                checkpoint.step_count,
                checkpoint.position
            );
            if let Err(e) =
                controller.say("Your session is back, paused. Resume when you are ready.")
            {
                tracing::debug!("cannot say that the session is back: {e}");
            }
        }
        Ok(()) => tracing::info!("the checkpoint was of a session already in the history"),
        // The checkpoint stays for the next start.
        Err(e) => tracing::error!("the interrupted session could not be brought back: {e}"),
    }
}
