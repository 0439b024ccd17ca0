//! Every word treadcue speaks, loaded from a TOML phrasebook so that a user
//! can reword or translate the cues without rebuilding.

mod template;
mod texts;

use serde::Deserialize;

use crate::program::{Diagnostic, PostureSet, Role, Severity, SourceFile};
pub use template::Template;
pub use texts::{CoachTexts, CourseTexts, CueTexts, Names, PostureTexts, Words};

/// The English phrasebook, built in so treadcue speaks with no files
/// installed.
pub const ENGLISH: &str = include_str!("../../config/phrases/en.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phrasebook {
    pub language: String,
    pub names: Names,
    pub cues: CueTexts,
    pub posture: PostureTexts,
    pub words: Words,
    /// What a course says; a phrasebook from before courses still reads.
    #[serde(default = "CourseTexts::english")]
    pub course: CourseTexts,
    /// What is said of the treadmill and the heart-rate strap.
    #[serde(default = "CoachTexts::english")]
    pub coach: CoachTexts,
}

impl Default for Phrasebook {
    fn default() -> Self {
        english().clone()
    }
}

/// The built-in English phrasebook, parsed once: the texts a phrasebook
/// written before a section or a cue existed takes from it.
pub(crate) fn english() -> &'static Phrasebook {
    static ENGLISH_BOOK: std::sync::OnceLock<Phrasebook> = std::sync::OnceLock::new();
    ENGLISH_BOOK.get_or_init(|| {
        PARSING_ENGLISH.set(true);
        let book = Phrasebook::parse("en.toml (built in)", ENGLISH);
        PARSING_ENGLISH.set(false);
        book.expect("the built-in phrasebook is valid")
    })
}

thread_local! {
    /// The English book is being parsed: a section's default is asked for
    /// before its texts are read, and the book itself is not there yet.
    static PARSING_ENGLISH: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// A section as the English book has it; empty while that book is being
/// parsed (it then gives every text itself).
fn english_or_empty<T: Default>(section: impl FnOnce(&Phrasebook) -> T) -> T {
    if PARSING_ENGLISH.get() {
        T::default()
    } else {
        section(english())
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

    /// Every text with a key, and the placeholders it may use.
    pub fn templates(&self) -> [(&'static str, &Template, &'static [&'static str]); 58] {
        let step = &["speed", "incline", "duration"][..];
        let lead = &["lead", "name", "speed", "incline", "percent", "number"][..];
        let c = &self.cues;
        let w = &self.words;
        let short = &["number", "speed", "incline", "duration"][..];
        let o = &self.course;
        let f = &self.coach;
        [
            ("cues.briefing", &c.briefing, &[]),
            ("cues.announce_forward", &c.announce_forward, step),
            ("cues.announce_backward", &c.announce_backward, step),
            ("cues.announce_short", &c.announce_short, short),
            ("cues.named", &c.named, &["name"]),
            ("cues.round", &c.round, &["index", "count"]),
            ("cues.heads_up_to_backward", &c.heads_up_to_backward, lead),
            (
                "cues.heads_up_to_backward_same",
                &c.heads_up_to_backward_same,
                lead,
            ),
            (
                "cues.heads_up_to_backward_faster",
                &c.heads_up_to_backward_faster,
                lead,
            ),
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
            ("cues.skip_to_backward", &c.skip_to_backward, &["number"]),
            ("cues.skip_to_forward", &c.skip_to_forward, &["number"]),
            ("cues.resume_forward", &c.resume_forward, &["number"]),
            ("cues.resume_backward", &c.resume_backward, &["number"]),
            ("words.and_a_half", &w.and_a_half, &["whole", "unit"]),
            ("words.and", &w.and, &["big", "small"]),
            ("words.incline", &w.incline, &["percent"]),
            ("words.decline", &w.decline, &["percent"]),
            ("course.session", &o.session, &["week", "number", "count"]),
            ("course.easing_back", &o.easing_back, &[]),
            ("course.rest", &o.rest, &["wait"]),
            ("course.complete", &o.complete, &[]),
            ("course.choose", &o.choose, &[]),
            ("course.again_not_done", &o.again_not_done, &[]),
            ("course.again_too_hard", &o.again_too_hard, &[]),
            ("course.stepped_back", &o.stepped_back, &[]),
            ("course.next_due", &o.next_due, &["wait"]),
            ("course.next_now", &o.next_now, &[]),
            ("course.rate", &o.rate, &[]),
            ("course.choice", &o.choice, &["rating"]),
            ("course.kept", &o.kept, &["rating"]),
            ("course.too_hard", &o.too_hard, &[]),
            ("course.right", &o.right, &[]),
            ("course.too_easy", &o.too_easy, &[]),
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
        ]
    }

    fn problems(&self) -> Vec<String> {
        let templates = self.templates();
        let w = &self.words;
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
            self.cues.briefing.as_str(),
            self.cues.halfway.as_str(),
            self.cues.finish.as_str(),
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
    fn the_english_book_gives_every_text_itself() {
        let book = Phrasebook::default();
        for (key, template, _) in book.templates() {
            assert!(!template.as_str().is_empty(), "en.toml has no {key}");
        }
    }

    #[test]
    fn a_book_written_before_a_text_existed_takes_the_english_one() {
        let older = ENGLISH
            .lines()
            .filter(|l| !l.starts_with("skip_to_") && !l.starts_with("kept ="))
            .collect::<Vec<_>>()
            .join("\n");
        let book = Phrasebook::parse("old.toml", &older).unwrap();
        assert_eq!(book.cues.skip_to_backward, english().cues.skip_to_backward);
        assert_eq!(book.course.kept, english().course.kept);
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
        let t = Template::from("In {lead}: speed up to {speed}.");
        assert_eq!(
            t.fill(&[("lead", "ten seconds"), ("speed", "two miles per hour")]),
            "In ten seconds: speed up to two miles per hour."
        );
        assert_eq!(t.placeholders().collect::<Vec<_>>(), ["lead", "speed"]);
    }
}
