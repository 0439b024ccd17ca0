//! The sound server (PulseAudio, or PipeWire through pipewire-pulse),
//! spoken to through its own protocol: its sinks by name, a playback
//! stream that stays on the sink it was given, and the other streams'
//! volumes for ducking. Nothing here runs `pactl`.
//!
//! libpulse objects may not leave the thread that made them, so each user
//! (a listing, the playback thread, the ducker) holds its own
//! [`Connection`] on its own thread.

pub mod playback;
pub mod sinks;

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use libpulse_binding as pulse;
use pulse::context::{Context, FlagSet as ContextFlags, State};
use pulse::mainloop::standard::Mainloop;
use pulse::operation::{Operation, State as OperationState};
use pulse::proplist::{Proplist, properties};

pub use sinks::{Sink, list_sinks};

/// How long connecting or one request may take before the server counts
/// as not answering.
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(3);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServerError {
    #[error("no sound server answers ({0})")]
    Unreachable(String),
    #[error("the sound server went away ({0})")]
    Gone(String),
    #[error("{0}")]
    StreamEnded(String),
    #[error("the sound server did not answer within {0:?}")]
    Timeout(Duration),
}

/// One connection to the sound server, with the main loop that drives it.
pub struct Connection {
    // Dropped in this order: the context before its main loop.
    pub context: Context,
    pub mainloop: Mainloop,
}

impl Connection {
    /// Connects to the server `PULSE_SERVER` or the user's configuration
    /// names, never starting one.
    pub fn open(role: &str) -> Result<Connection, ServerError> {
        let unreachable = |what: &str| ServerError::Unreachable(what.to_string());
        let mainloop = Mainloop::new().ok_or_else(|| unreachable("no main loop"))?;
        let mut proplist = Proplist::new().ok_or_else(|| unreachable("no property list"))?;
        let _ = proplist.set_str(properties::APPLICATION_NAME, "treadcue");
        let _ = proplist.set_str(properties::APPLICATION_ID, "io.github.treadcue");
        let context = Context::new_with_proplist(&mainloop, &format!("treadcue {role}"), &proplist)
            .ok_or_else(|| unreachable("no context"))?;
        let mut connection = Connection { context, mainloop };
        connection
            .context
            .connect(None, ContextFlags::NOAUTOSPAWN, None)
            .map_err(|e| unreachable(&e.to_string().unwrap_or_default()))?;
        let deadline = Instant::now() + ANSWER_TIMEOUT;
        loop {
            match connection.context.get_state() {
                State::Ready => return Ok(connection),
                State::Failed | State::Terminated => {
                    return Err(unreachable(&connection.error()));
                }
                _ => {}
            }
            if Instant::now() >= deadline {
                return Err(ServerError::Timeout(ANSWER_TIMEOUT));
            }
            connection.iterate(Duration::from_millis(50))?;
        }
    }

    /// Runs the main loop once, waiting at most `timeout` for something to
    /// happen. Fails when the connection is lost.
    pub fn iterate(&mut self, timeout: Duration) -> Result<(), ServerError> {
        let micros = pulse::time::MicroSeconds(timeout.as_micros() as u64);
        let ran = self
            .mainloop
            .prepare(Some(micros))
            .and_then(|()| self.mainloop.poll())
            .and_then(|_| self.mainloop.dispatch());
        if let Err(e) = ran {
            return Err(ServerError::Gone(e.to_string().unwrap_or_default()));
        }
        match self.context.get_state() {
            State::Failed | State::Terminated => Err(ServerError::Gone(self.error())),
            _ => Ok(()),
        }
    }

    /// Runs the main loop until `operation` is done, and gives what its
    /// callback left in `result`.
    pub fn wait<T: ?Sized, R: Default>(
        &mut self,
        mut operation: Operation<T>,
        result: &Rc<RefCell<R>>,
    ) -> Result<R, ServerError> {
        let deadline = Instant::now() + ANSWER_TIMEOUT;
        while operation.get_state() == OperationState::Running {
            if Instant::now() >= deadline {
                operation.cancel();
                return Err(ServerError::Timeout(ANSWER_TIMEOUT));
            }
            self.iterate(Duration::from_millis(50))?;
        }
        Ok(result.take())
    }

    fn error(&self) -> String {
        self.context.errno().to_string().unwrap_or_default()
    }
}
