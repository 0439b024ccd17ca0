//! Ctrl-C and SIGTERM for the foreground commands that play (`run`,
//! `say`): they stop the sound and let the player close, so music that
//! was lowered under a cue comes back at once rather than at the next
//! start of treadcued.

use std::sync::atomic::{AtomicBool, Ordering};

static ASKED: AtomicBool = AtomicBool::new(false);

extern "C" fn note(_: libc::c_int) {
    // Only an atomic store: safe in a signal handler.
    ASKED.store(true, Ordering::SeqCst);
}

/// From now on SIGINT and SIGTERM are noted instead of ending the process.
pub fn catch() {
    for signal in [libc::SIGINT, libc::SIGTERM] {
        // SAFETY: the handler only stores to an atomic.
        unsafe {
            libc::signal(signal, note as *const () as libc::sighandler_t);
        }
    }
}

/// Whether SIGINT or SIGTERM came since [`catch`].
pub fn asked() -> bool {
    ASKED.load(Ordering::SeqCst)
}

/// The exit status of a command stopped by a signal, as a shell gives.
pub const EXIT_INTERRUPTED: u8 = 130;
