//! Shutdown handed in as a value. The composition root holds the one
//! [`Trigger`]; every front end and task it starts gets a [`Shutdown`]
//! and ends once that fires (or once the trigger is gone, so a task can
//! never outlive the daemon that started it).

use tokio::sync::watch;

/// Fires the shutdown for every [`Shutdown`] made from it.
pub struct Trigger {
    fired: watch::Sender<bool>,
}

impl Default for Trigger {
    fn default() -> Trigger {
        Trigger::new()
    }
}

impl Trigger {
    pub fn new() -> Trigger {
        Trigger {
            fired: watch::channel(false).0,
        }
    }

    /// A shutdown to hand to a task.
    pub fn subscribe(&self) -> Shutdown {
        Shutdown {
            fired: self.fired.subscribe(),
        }
    }

    /// Tells every task to end.
    pub fn fire(&self) {
        self.fired.send_replace(true);
    }
}

/// What a task waits on to end.
#[derive(Clone)]
pub struct Shutdown {
    fired: watch::Receiver<bool>,
}

impl Shutdown {
    /// Resolves once the shutdown fired, at once if it already has: a
    /// loop may wait on it again and again.
    pub async fn wait(&mut self) {
        // An error means the trigger is gone: that ends the task too.
        let _ = self.fired.wait_for(|fired| *fired).await;
    }

    pub fn is_fired(&self) -> bool {
        *self.fired.borrow()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_shutdown_ends_once_fired_and_again_after() {
        let trigger = Trigger::new();
        let mut first = trigger.subscribe();
        let mut second = first.clone();
        assert!(!first.is_fired());
        let waiting = tokio::spawn(async move { second.wait().await });
        trigger.fire();
        waiting.await.unwrap();
        first.wait().await;
        first.wait().await;
        assert!(first.is_fired());
    }

    #[tokio::test]
    async fn a_dropped_trigger_ends_the_tasks() {
        let trigger = Trigger::new();
        let mut shutdown = trigger.subscribe();
        drop(trigger);
        shutdown.wait().await;
    }
}
