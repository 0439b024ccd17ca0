//! The sections of a phrasebook: what each kind of cue, the course and
//! the coach say, the posture reminders, and the words numbers, times
//! and speeds are said in.

use serde::Deserialize;

use super::Template;

/// What the coach says about what the treadmill and the strap report.
/// `{belt}` and `{speed}` are speeds said as numbers ("one point five"),
/// `{bpm}` a heart rate.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default = "CoachTexts::english")]
pub struct CoachTexts {
    pub nudge: Template,
    pub turn: Template,
    pub heart_rate: Template,
    pub heart_high: Template,
    pub treadmill_lost: Template,
    pub treadmill_lost_at_turn: Template,
    pub strap_lost: Template,
    pub control_refused: Template,
    pub control_lost: Template,
    pub incline_by_hand: Template,
    pub treadmill_stopped: Template,
    pub safety_key: Template,
    pub treadmill_held: Template,
    pub strap_held: Template,
}

/// What is said when a course's session starts, or when it is not due.
/// Where the voice cannot say one (the bundled voice lacks the words and
/// no synthesizer is installed), a wording made of cue texts it has is
/// said instead (see the controller's course module).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default = "CourseTexts::english")]
pub struct CourseTexts {
    pub session: Template,
    pub easing_back: Template,
    pub rest: Template,
    pub complete: Template,
    pub choose: Template,
    /// Why the walk about to start is the one before again.
    pub again_not_done: Template,
    pub again_too_hard: Template,
    pub stepped_back: Template,
    /// When the next walk is due, said after a walk ends.
    pub next_due: Template,
    pub next_now: Template,
    /// Rating with the headphones' buttons, after a walk ends.
    pub rate: Template,
    pub choice: Template,
    pub kept: Template,
    pub too_hard: Template,
    pub right: Template,
    pub too_easy: Template,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Names {
    pub warm_up: String,
    pub backward: String,
    pub recover: String,
    pub cool_down: String,
    pub walk: String,
}

/// What the cues say. A phrasebook written before a cue existed takes the
/// English one.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default = "CueTexts::english")]
pub struct CueTexts {
    pub briefing: Template,
    pub announce_forward: Template,
    pub announce_backward: Template,
    /// What is said of a step too short for the whole announcement.
    pub announce_short: Template,
    pub named: Template,
    pub round: Template,
    /// Before a turn into a slower backward step.
    pub heads_up_to_backward: Template,
    pub heads_up_to_backward_same: Template,
    pub heads_up_to_backward_faster: Template,
    pub heads_up_to_forward: Template,
    pub heads_up_faster: Template,
    pub heads_up_slower: Template,
    pub heads_up_steeper: Template,
    pub heads_up_flatter: Template,
    pub heads_up_both: Template,
    pub heads_up_same: Template,
    pub heads_up_finish: Template,
    pub halfway: Template,
    pub remaining: Template,
    pub finish: Template,
    /// Said before the countdown when a skip turns the walker around.
    pub skip_to_backward: Template,
    pub skip_to_forward: Template,
    /// Said before the clock goes on again after a pause.
    pub resume_forward: Template,
    pub resume_backward: Template,
}

impl CueTexts {
    pub(super) fn english() -> Self {
        super::english_or_empty(|book| book.cues.clone())
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostureTexts {
    pub form: Vec<String>,
    pub incline: Vec<String>,
    pub jog: Vec<String>,
    pub squat: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Words {
    pub ones: Vec<String>,
    pub tens: Vec<String>,
    pub tens_join: String,
    pub hundred: String,
    pub point: String,
    pub second: String,
    pub seconds: String,
    pub minute: String,
    pub minutes: String,
    pub hour: String,
    pub hours: String,
    pub and_a_half: Template,
    pub and: Template,
    pub mph_one: String,
    pub mph_many: String,
    pub kmh_one: String,
    pub kmh_many: String,
    pub flat: String,
    pub incline: Template,
    pub decline: Template,
    pub minus: String,
}

// A phrasebook written before a section or a text existed takes the
// English one.
impl CoachTexts {
    pub(super) fn english() -> Self {
        super::english_or_empty(|book| book.coach.clone())
    }
}

impl CourseTexts {
    pub(super) fn english() -> Self {
        super::english_or_empty(|book| book.course.clone())
    }
}
