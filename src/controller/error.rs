//! What a command can fail with, each error saying what to do about it.

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ControlError {
    /// The name asked for, and the nearest name there is.
    #[error("there is no program {0:?}{near}; the list of programs gives the names", near = did_you_mean(.1))]
    UnknownProgram(String, Option<String>),
    #[error("the program {id:?} is broken: {details}")]
    InvalidProgram { id: String, details: String },
    #[error("there is no course {0:?}{near}; the list of courses gives the names", near = did_you_mean(.1))]
    UnknownCourse(String, Option<String>),
    #[error("{0}")]
    InvalidState(String),
    #[error("{0}")]
    InvalidArgument(String),
    /// A session the history does not have (a download of one, say).
    #[error("{0}")]
    UnknownSession(String),
    #[error("{0}")]
    Device(String),
    #[error("{0}")]
    Voice(String),
    #[error("{0}")]
    Storage(String),
    /// A start that would end the session under way, which it did not
    /// ask to replace.
    #[error(
        "{running:?} is under way: starting {wanted:?} would end it; stop it first, or ask to replace it"
    )]
    SessionRunning { running: String, wanted: String },
    /// An enrolment that would replace the progress in the course
    /// followed, which it did not ask to replace.
    #[error(
        "you follow {following} (session {session} of {sessions}): enrolling in {wanted} replaces that progress; ask to replace it to go on"
    )]
    CourseFollowed {
        following: String,
        session: u32,
        sessions: u32,
        wanted: String,
    },
    /// A call that failed inside treadcued (a panic caught at its edge).
    #[error("the call failed inside treadcued: {0}")]
    Internal(String),
}

fn did_you_mean(near: &Option<String>) -> String {
    near.as_ref()
        .map(|n| format!(" (did you mean {n:?}?)"))
        .unwrap_or_default()
}

pub(super) fn no_session() -> ControlError {
    ControlError::InvalidState("no session is running: start a program first".into())
}
