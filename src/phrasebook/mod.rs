//! Every word treadcue speaks, loaded from a TOML phrasebook so that a user
//! can reword or translate the cues without rebuilding.

use std::fmt;

use serde::Deserialize;

use crate::program::{Diagnostic, PostureSet, Role, Severity, SourceFile};

/// The English phrasebook, built in so treadcue speaks with no files
/// installed.
pub const ENGLISH: &str = include_str!("../config/phrases/en.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phrasebook {
    pub language: String,
    pub names: Names,
    pub cues: CueTexts,
    pub posture: PostureTexts,
    pub words: Words,
    /// What a course says; a phrasebook from before courses still reads.
    #[serde(default)]
    pub course: CourseTexts,
    /// What is said of the treadmill and the heart-rate strap.
    #[serde(default)]
    pub coach: CoachTexts,
}

/// What the coach says about what the treadmill and the strap report.
/// `{belt}` and `{speed}` are speeds said as numbers ("one point five"),
/// `{bpm}` a heart rate.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
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

impl Default for CoachTexts {
    fn default() -> Self {
        CoachTexts {
            nudge: "The belt is at {belt}. This step wants {speed}.".into(),
            turn: "Slow the belt to {speed}, then turn.".into(),
            heart_rate: "Heart rate {bpm}.".into(),
            heart_high: "Heart rate {bpm}: slow down.".into(),
            treadmill_lost: "The treadmill is out of reach. The session goes on.".into(),
            treadmill_lost_at_turn:
                "The treadmill is out of reach. Press play once the belt is slow.".into(),
            strap_lost: "The heart rate strap is out of reach. The session goes on.".into(),
            control_refused:
                "The treadmill did not take a command. Set the belt by hand for the rest of this session."
                    .into(),
            control_lost:
                "Another app took over the treadmill. Set the belt by hand for the rest of this session."
                    .into(),
            incline_by_hand:
                "This treadmill cannot set its incline. Set the incline by hand when you hear it."
                    .into(),
            treadmill_stopped: "The belt stopped. The session is paused.".into(),
            safety_key: "The safety key is out. The session is paused.".into(),
            treadmill_held:
                "Another app is reading the treadmill. Its speed is not shown this session."
                    .into(),
            strap_held:
                "Another app is reading the heart rate strap. Its rate is not shown this session."
                    .into(),
        }
    }
}

/// What is said when a course's session starts, or when it is not due.
/// Where the voice cannot say one (the bundled voice lacks the words and
/// no synthesizer is installed), a wording made of cue texts it has is
/// said instead (see the controller's course module).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CourseTexts {
    pub session: Template,
    pub easing_back: Template,
    pub rest: Template,
    pub complete: Template,
    pub choose: Template,
}

impl Default for CourseTexts {
    fn default() -> Self {
        CourseTexts {
            session: "Week {week}, session {number} of {count}.".into(),
            easing_back: "Welcome back. An easier session first, to ease back in.".into(),
            rest: "Rest today. The next session is due in {wait}. Press play again to walk anyway."
                .into(),
            complete: "The course is complete. Well done.".into(),
            choose: "No program yet. Choose one with treadcue control, or enrol in a course."
                .into(),
        }
    }
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

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CueTexts {
    pub briefing: Template,
    pub announce_forward: Template,
    pub announce_backward: Template,
    /// What is said of a step too short for the whole announcement.
    #[serde(default = "default_announce_short")]
    pub announce_short: Template,
    pub named: Template,
    pub round: Template,
    pub heads_up_to_backward: Template,
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

/// A phrasebook from before the short announcement still reads.
fn default_announce_short() -> Template {
    Template("{number}.".into())
}

/// A text with `{name}` placeholders.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(transparent)]
pub struct Template(String);

impl Template {
    /// Fills the placeholders; values not named in the text are ignored.
    pub fn fill(&self, values: &[(&str, &str)]) -> String {
        let mut out = self.0.clone();
        for (name, value) in values {
            out = out.replace(&format!("{{{name}}}"), value);
        }
        out
    }

    pub fn placeholders(&self) -> impl Iterator<Item = &str> {
        self.0
            .split('{')
            .skip(1)
            .filter_map(|part| part.split_once('}').map(|(name, _)| name))
    }
}

impl From<&str> for Template {
    fn from(text: &str) -> Self {
        Template(text.to_string())
    }
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Default for Phrasebook {
    fn default() -> Self {
        Phrasebook::parse("en.toml (built in)", ENGLISH).expect("the built-in phrasebook is valid")
    }
}

impl Phrasebook {
    /// Parses and checks a phrasebook: every placeholder must be one the
    /// text can be given, and the lists must be complete.
    pub fn parse(file: &str, text: &str) -> Result<Phrasebook, Vec<Diagnostic>> {
        let source = SourceFile::new(file, text);
        let book: Phrasebook = toml::from_str(text).map_err(|e| vec![source.toml_error(&e)])?;
        let problems = book.problems();
        if problems.is_empty() {
            Ok(book)
        } else {
            Err(problems
                .into_iter()
                .map(|p| Diagnostic::whole_file(Severity::Error, file, p))
                .collect())
        }
    }

    fn problems(&self) -> Vec<String> {
        let step = &["speed", "incline", "duration"][..];
        let lead = &["lead", "name", "speed", "incline", "percent"][..];
        let c = &self.cues;
        let w = &self.words;
        let short = &["number", "speed", "incline", "duration"][..];
        let o = &self.course;
        let f = &self.coach;
        let templates: [(&str, &Template, &[&str]); 41] = [
            ("cues.briefing", &c.briefing, &[]),
            ("cues.announce_forward", &c.announce_forward, step),
            ("cues.announce_backward", &c.announce_backward, step),
            ("cues.announce_short", &c.announce_short, short),
            ("cues.named", &c.named, &["name"]),
            ("cues.round", &c.round, &["index", "count"]),
            ("cues.heads_up_to_backward", &c.heads_up_to_backward, lead),
            ("cues.heads_up_to_forward", &c.heads_up_to_forward, lead),
            ("cues.heads_up_faster", &c.heads_up_faster, lead),
            ("cues.heads_up_slower", &c.heads_up_slower, lead),
            ("cues.heads_up_steeper", &c.heads_up_steeper, lead),
            ("cues.heads_up_flatter", &c.heads_up_flatter, lead),
            ("cues.heads_up_both", &c.heads_up_both, lead),
            ("cues.heads_up_same", &c.heads_up_same, lead),
            ("cues.heads_up_finish", &c.heads_up_finish, &["lead"]),
            ("cues.halfway", &c.halfway, &[]),
            ("cues.remaining", &c.remaining, &["remaining"]),
            ("cues.finish", &c.finish, &[]),
            ("words.and_a_half", &w.and_a_half, &["whole", "unit"]),
            ("words.and", &w.and, &["big", "small"]),
            ("words.incline", &w.incline, &["percent"]),
            ("words.decline", &w.decline, &["percent"]),
            ("course.session", &o.session, &["week", "number", "count"]),
            ("course.easing_back", &o.easing_back, &[]),
            ("course.rest", &o.rest, &["wait"]),
            ("course.complete", &o.complete, &[]),
            ("course.choose", &o.choose, &[]),
            ("coach.nudge", &f.nudge, &["belt", "speed"]),
            ("coach.turn", &f.turn, &["speed"]),
            ("coach.heart_rate", &f.heart_rate, &["bpm"]),
            ("coach.heart_high", &f.heart_high, &["bpm"]),
            ("coach.treadmill_lost", &f.treadmill_lost, &[]),
            (
                "coach.treadmill_lost_at_turn",
                &f.treadmill_lost_at_turn,
                &[],
            ),
            ("coach.strap_lost", &f.strap_lost, &[]),
            ("coach.control_refused", &f.control_refused, &[]),
            ("coach.control_lost", &f.control_lost, &[]),
            ("coach.incline_by_hand", &f.incline_by_hand, &[]),
            ("coach.treadmill_stopped", &f.treadmill_stopped, &[]),
            ("coach.safety_key", &f.safety_key, &[]),
            ("coach.treadmill_held", &f.treadmill_held, &[]),
            ("coach.strap_held", &f.strap_held, &[]),
        ];
        let mut problems = Vec::new();
        for (key, template, allowed) in templates {
            for name in template.placeholders() {
                if !allowed.contains(&name) {
                    problems.push(format!(
                        "`{key}` uses {{{name}}}, which it is never given; it may use {}",
                        if allowed.is_empty() {
                            "no placeholders".to_string()
                        } else {
                            allowed
                                .iter()
                                .map(|a| format!("{{{a}}}"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        }
                    ));
                }
            }
        }
        if w.ones.len() != 20 {
            problems.push(format!(
                "`words.ones` must list the words for 0 to 19, not {} words",
                w.ones.len()
            ));
        }
        if w.tens.len() != 10 {
            problems.push(format!(
                "`words.tens` must list 10 words (0, 10, 20 ... 90), not {}",
                w.tens.len()
            ));
        }
        for set in [
            PostureSet::Form,
            PostureSet::Incline,
            PostureSet::Jog,
            PostureSet::Squat,
        ] {
            if self.posture_texts(set).is_empty() {
                problems.push(format!(
                    "`posture.{}` needs at least one reminder",
                    set.key()
                ));
            }
        }
        problems
    }

    pub fn role_name(&self, role: Role) -> &str {
        match role {
            Role::WarmUp => &self.names.warm_up,
            Role::Backward => &self.names.backward,
            Role::Recover => &self.names.recover,
            Role::CoolDown => &self.names.cool_down,
            Role::Walk => &self.names.walk,
        }
    }

    pub fn posture_texts(&self, set: PostureSet) -> &[String] {
        match set {
            PostureSet::Form => &self.posture.form,
            PostureSet::Incline => &self.posture.incline,
            PostureSet::Jog => &self.posture.jog,
            PostureSet::Squat => &self.posture.squat,
        }
    }

    /// Every fixed phrase: what a voice pack must hold besides the parts
    /// that numbers and names are composed from.
    pub fn fixed_phrases(&self) -> Vec<&str> {
        let mut all = vec![
            self.cues.briefing.0.as_str(),
            &self.cues.halfway.0,
            &self.cues.finish.0,
        ];
        for set in [
            PostureSet::Form,
            PostureSet::Incline,
            PostureSet::Jog,
            PostureSet::Squat,
        ] {
            all.extend(self.posture_texts(set).iter().map(String::as_str));
        }
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_phrasebook_parses() {
        let book = Phrasebook::default();
        assert_eq!(book.language, "en");
        assert_eq!(book.words.ones[7], "seven");
    }

    #[test]
    fn a_placeholder_the_text_is_never_given_is_reported() {
        let broken = ENGLISH.replace("Halfway there.", "Halfway, {name}.");
        let errors = Phrasebook::parse("en.toml", &broken).unwrap_err();
        assert!(
            errors[0].message.contains("`cues.halfway` uses {name}"),
            "{}",
            errors[0]
        );
    }

    #[test]
    fn a_missing_phrase_is_named() {
        let broken = ENGLISH.replace(
            "finish = \"Workout complete",
            "finnish = \"Workout complete",
        );
        let errors = Phrasebook::parse("en.toml", &broken).unwrap_err();
        assert!(
            errors[0].message.contains("unknown key `finnish`"),
            "{}",
            errors[0]
        );
        assert_eq!(
            errors[0]
                .help
                .as_deref()
                .map(|h| h.starts_with("did you mean `finish`")),
            Some(true)
        );
    }

    #[test]
    fn templates_fill_their_placeholders() {
        let t = Template("In {lead}: speed up to {speed}.".into());
        assert_eq!(
            t.fill(&[("lead", "ten seconds"), ("speed", "two miles per hour")]),
            "In ten seconds: speed up to two miles per hour."
        );
        assert_eq!(t.placeholders().collect::<Vec<_>>(), ["lead", "speed"]);
    }
}
