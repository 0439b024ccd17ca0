//! Locks that outlive a panic. A thread that panicked while holding one
//! of treadcue's locks leaves state that is still whole (every writer
//! finishes its change before it can fail), and the session must go on:
//! so a poisoned lock is taken as it is, never passed on as a panic.

use std::sync::{Mutex, MutexGuard};

pub fn lock<T: ?Sized>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
