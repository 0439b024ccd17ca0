//! What a front end holds: the controller behind an async handle. A
//! front end turns its input into a [`Command`] and calls
//! [`Handle::apply`]; it reads with [`Handle::ask`] (anything that reads
//! files or may wait) or [`Handle::status`]. Which calls go to a blocking
//! thread is decided here once, so a front end never has to know that a
//! Start renders phrases or that a Stop writes the history.

use std::sync::Arc;

use super::{Command, ControlError, Controller, Reload};
use crate::session::Status;

#[derive(Clone)]
pub struct Handle {
    controller: Arc<Controller>,
    /// Reads the configuration again, as the daemon was started with.
    reload: Option<Reload>,
}

impl Handle {
    pub fn new(controller: Arc<Controller>) -> Handle {
        Handle {
            controller,
            reload: None,
        }
    }

    /// A handle that can reload the configuration with `reload`.
    pub fn with_reload(self, reload: Reload) -> Handle {
        Handle {
            reload: Some(reload),
            ..self
        }
    }

    /// Reads the configuration again: its warnings, or why it was
    /// refused (the one in force stays). A refusal is logged and told to
    /// every listener as [`super::Change::ConfigRefused`], whoever asked.
    pub async fn reload(&self) -> Result<Vec<String>, ControlError> {
        let reload = self.reload.clone().ok_or_else(|| {
            ControlError::InvalidState("this treadcued cannot reload its configuration".into())
        })?;
        let result = self.ask(move |_| Ok(reload())).await?;
        match result {
            Ok(warnings) => {
                tracing::info!("reloaded the configuration");
                Ok(warnings)
            }
            Err(message) => {
                tracing::warn!("reload refused, keeping the configuration in force: {message}");
                self.controller.config_refused(&message);
                Err(ControlError::InvalidArgument(message))
            }
        }
    }

    /// Applies `command`; a command that may take long runs on the
    /// runtime's blocking threads, so the caller's task (the bus, the web
    /// server) keeps answering meanwhile.
    pub async fn apply(&self, command: Command) -> Result<(), ControlError> {
        if !command.may_block() {
            return self.controller.apply(command);
        }
        self.ask(move |c| c.apply(command)).await
    }

    /// Runs `query` on a blocking thread: reading the history, preparing
    /// the program list, anything that may wait on a file or a lock held
    /// through a slow call.
    pub async fn ask<T: Send + 'static>(
        &self,
        query: impl FnOnce(&Controller) -> Result<T, ControlError> + Send + 'static,
    ) -> Result<T, ControlError> {
        let controller = self.controller.clone();
        tokio::task::spawn_blocking(move || query(&controller))
            .await
            .map_err(|e| ControlError::Internal(e.to_string()))?
    }

    /// Runs `news` on a blocking thread: what a device or the daemon
    /// tells the controller (a reading, a device gone, the daemon
    /// stopping), which may say something, and a synthesizer may take a
    /// while.
    pub async fn tell(&self, news: impl FnOnce(&Controller) + Send + 'static) {
        let controller = self.controller.clone();
        if let Err(e) = tokio::task::spawn_blocking(move || news(&controller)).await {
            tracing::warn!("news for the controller was lost: {e}");
        }
    }

    /// Where the session stands now: taken under the controller's lock
    /// for a moment, so it is read on the caller's own task.
    pub fn status(&self) -> Status {
        self.controller.status()
    }

    /// Idle, running, paused, finished or stopped.
    pub fn state(&self) -> crate::session::State {
        self.controller.state()
    }

    /// Every change from now on, in order.
    pub fn subscribe(&self) -> tokio::sync::mpsc::UnboundedReceiver<super::Change> {
        self.controller.subscribe()
    }

    /// The controller itself, for reads that take a lock for a moment
    /// only (the volume, the step's position, the sensors' readings) and
    /// for the reports of the front ends that carry the sensors.
    pub fn controller(&self) -> &Arc<Controller> {
        &self.controller
    }
}
