//! Commands as data. Every front end (D-Bus, MPRIS, the headphone
//! buttons through BlueZ, the web remote) turns what it was asked into a
//! [`Command`]; [`Controller::apply`] is the one place a command becomes
//! controller calls, and [`Command::may_block`] the one place that says
//! which of them may take long. The rules the front ends share live with
//! the commands, not in them: a start that would end a session under way
//! ([`IfRunning`]), an enrolment that would replace a course's progress
//! ([`IfFollowing`]), a button's Previous restarting the step, a button's
//! Next rating a course walk after it ended.

use super::{ControlError, Controller, IfRunning};

/// What an enrolment does when another course is followed: D-Bus `Enrol`
/// replaces it, as it always has; the phone asks first, so one tap never
/// throws a walker's progress away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IfFollowing {
    Replace,
    Refuse,
}

/// One thing a front end asks the controller to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Starts a program by id.
    Start {
        program: String,
        if_running: IfRunning,
    },
    /// Starts the course's next session, due or not.
    StartToday(IfRunning),
    /// A player's Play (MPRIS, headphones): resumes; with no session,
    /// today's session of the course, or the program walked last.
    Play,
    /// A player's PlayPause: toggles the session; with none, as Play.
    PlayPause,
    /// Pauses; harmless when paused.
    Pause,
    /// A player's Pause: pauses, unless `headphone_pause` says to ignore
    /// it (earbuds that send Pause when taken out).
    ButtonPause,
    /// Resumes; harmless when running.
    Resume,
    /// Stops the session; it is in the history when this returns.
    Stop,
    /// The next step.
    Next,
    /// Back to the start of the step, or the step before within its first
    /// seconds.
    Previous,
    /// A player's Next: the next step; after a course walk, the next
    /// rating to choose.
    ButtonNext,
    /// A player's Previous: as `ButtonNext`, the other way.
    ButtonPrevious,
    /// Says a phrase now.
    Say(String),
    /// Sets the volume, 0 to 1.
    SetVolume(f64),
    /// Follows a course from its first session.
    Enrol {
        course: String,
        if_following: IfFollowing,
    },
    /// Follows no course any more.
    Leave,
    /// Rates the course walk that ended last.
    Rate(String),
    /// Makes the walker of that name the active one.
    UseWalker(String),
}

impl Command {
    /// Whether applying it may take long: rendering phrases for a start,
    /// the synthesizer for words, writing the history, the enrolment or a
    /// skip's checkpoint. Those run off the runtime's own thread; the rest
    /// only tell the sequencer and answer at once, so a Pause is never
    /// queued behind a slow Start.
    pub fn may_block(&self) -> bool {
        !matches!(
            self,
            Command::Pause | Command::ButtonPause | Command::Resume | Command::SetVolume(_)
        )
    }
}

impl Controller {
    /// Applies `command`: the one place each command becomes controller
    /// calls, whichever front end it came from.
    pub fn apply(&self, command: Command) -> Result<(), ControlError> {
        match command {
            Command::Start {
                program,
                if_running,
            } => self.start_as(&program, if_running),
            Command::StartToday(if_running) => self.start_today(if_running),
            Command::Play => self.play(),
            Command::PlayPause => self.play_pause(),
            Command::Pause => self.pause(),
            Command::ButtonPause => self.button_pause(),
            Command::Resume => self.resume(),
            Command::Stop => self.stop(),
            Command::Next => self.next(),
            Command::Previous => self.previous(),
            Command::ButtonNext => self.button_next(),
            Command::ButtonPrevious => self.button_previous(),
            Command::Say(text) => self.say(&text),
            Command::SetVolume(volume) => self.set_volume(volume),
            Command::Enrol {
                course,
                if_following,
            } => self.enrol_as(&course, if_following),
            Command::Leave => self.leave(),
            Command::Rate(rating) => self.rate(&rating),
            Command::UseWalker(name) => self.use_walker(&name),
        }
    }
}
