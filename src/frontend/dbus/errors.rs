//! Named D-Bus errors, each with a message a person understands.

use zbus::DBusError;

use crate::controller::ControlError;

#[derive(Debug, DBusError)]
#[zbus(prefix = "io.github.treadcue.Treadcue1.Error")]
pub enum Error {
    #[zbus(error)]
    ZBus(zbus::Error),
    /// No program has that name.
    UnknownProgram(String),
    /// No course has that name.
    UnknownCourse(String),
    /// The program's file has errors.
    InvalidProgram(String),
    /// The call makes no sense now, like Pause with no session.
    InvalidState(String),
    /// An argument is out of range or malformed.
    InvalidArgument(String),
    /// The audio device cannot be opened.
    NoDevice(String),
    /// The voice cannot say a phrase.
    Voice(String),
    /// The history or checkpoint cannot be read or written.
    Storage(String),
    /// Bluetooth cannot be used: no BlueZ, no adapter.
    NoBluetooth(String),
    /// A start would end the session under way, and did not ask to
    /// replace it (Start and StartToday always replace it).
    SessionRunning(String),
}

impl From<ControlError> for Error {
    fn from(e: ControlError) -> Self {
        let message = e.to_string();
        match e {
            ControlError::UnknownProgram(..) => Error::UnknownProgram(message),
            ControlError::UnknownCourse(..) => Error::UnknownCourse(message),
            ControlError::InvalidProgram { .. } => Error::InvalidProgram(message),
            ControlError::InvalidState(_) => Error::InvalidState(message),
            // A bus client named a session the history lacks: its argument.
            ControlError::InvalidArgument(_) | ControlError::UnknownSession(_) => {
                Error::InvalidArgument(message)
            }
            ControlError::Device(_) => Error::NoDevice(message),
            ControlError::Voice(_) => Error::Voice(message),
            ControlError::Storage(_) => Error::Storage(message),
            ControlError::SessionRunning { .. } => Error::SessionRunning(message),
            // D-Bus Enrol always replaces: no call of the bus refuses so.
            ControlError::CourseFollowed { .. } => Error::InvalidState(message),
            ControlError::Internal(_) => Error::ZBus(zbus::Error::Failure(message)),
        }
    }
}
