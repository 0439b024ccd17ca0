//! What a media player interface shows of the session: its playback
//! status and which buttons can act on it now. MPRIS on the session bus
//! and the player registered with BlueZ both read it from here, so they
//! never disagree; BlueZ passes a headphone's Pause, Next or Previous on
//! only while the matching flag is true (`profiles/audio/media.c`), so a
//! flag that is false when the action is possible loses the button.

use super::Command;
use crate::session::{State, Status};

/// A media player's buttons: MPRIS on the session bus and a headphone's
/// AVRCP through BlueZ mean the same by each, so both players turn them
/// into commands here. Pause follows `headphone_pause`; Next and Previous
/// rate a course walk once it ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaButton {
    Play,
    Pause,
    PlayPause,
    Stop,
    Next,
    Previous,
}

impl From<MediaButton> for Command {
    fn from(button: MediaButton) -> Command {
        match button {
            MediaButton::Play => Command::Play,
            MediaButton::Pause => Command::ButtonPause,
            MediaButton::PlayPause => Command::PlayPause,
            MediaButton::Stop => Command::Stop,
            MediaButton::Next => Command::ButtonNext,
            MediaButton::Previous => Command::ButtonPrevious,
        }
    }
}

/// The player's face: the MPRIS properties a button press depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MediaControls {
    /// "Playing", "Paused" or "Stopped".
    pub playback_status: &'static str,
    /// Play always does something: it resumes, or with no session starts
    /// today's (or says why it does not).
    pub can_play: bool,
    pub can_pause: bool,
    pub can_go_next: bool,
    pub can_go_previous: bool,
    /// treadcue can always be controlled.
    pub can_control: bool,
}

impl MediaControls {
    pub fn of(status: &Status) -> MediaControls {
        let active = status.state.is_active();
        // After a course walk, until it is rated or another begins, Next
        // and Previous say the ratings to choose from (see `rating`).
        let rating = !active && status.course.last_rating == "unrated";
        MediaControls {
            playback_status: playback_status(status.state),
            can_play: true,
            can_pause: active,
            // Next on the last step has nowhere to go.
            can_go_next: (active && status.step_index + 1 < status.step_count) || rating,
            // Previous restarts the step, or goes a step back.
            can_go_previous: active || rating,
            can_control: true,
        }
    }

    /// Each property by its MPRIS name, for a registration or a change.
    pub fn flags(&self) -> [(&'static str, bool); 5] {
        [
            ("CanPlay", self.can_play),
            ("CanPause", self.can_pause),
            ("CanGoNext", self.can_go_next),
            ("CanGoPrevious", self.can_go_previous),
            ("CanControl", self.can_control),
        ]
    }

    /// The flags whose value differs from `before`'s.
    pub fn changed_flags(&self, before: &MediaControls) -> Vec<(&'static str, bool)> {
        self.flags()
            .into_iter()
            .zip(before.flags())
            .filter(|(now, then)| now.1 != then.1)
            .map(|(now, _)| now)
            .collect()
    }
}

pub fn playback_status(state: State) -> &'static str {
    match state {
        State::Running => "Playing",
        State::Paused => "Paused",
        _ => "Stopped",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(state: State, step_index: u32, step_count: u32) -> Status {
        let mut status = crate::session::Session::default().status();
        status.state = state;
        status.step_index = step_index;
        status.step_count = step_count;
        status
    }

    #[test]
    fn a_running_session_can_be_paused_and_skipped() {
        let controls = MediaControls::of(&status(State::Running, 0, 3));
        assert_eq!(controls.playback_status, "Playing");
        assert!(controls.can_pause && controls.can_go_next && controls.can_go_previous);
        assert!(controls.can_play && controls.can_control);
    }

    #[test]
    fn the_last_step_has_no_next_and_idle_has_no_pause() {
        let last = MediaControls::of(&status(State::Paused, 2, 3));
        assert!(!last.can_go_next && last.can_pause && last.can_go_previous);
        let idle = MediaControls::of(&status(State::Idle, 0, 0));
        assert!(!idle.can_pause && !idle.can_go_next && !idle.can_go_previous);
        assert!(idle.can_play, "Play starts today's session");
        assert_eq!(
            idle.changed_flags(&last),
            vec![("CanPause", false), ("CanGoPrevious", false)]
        );
    }
}
