//! Rating a course walk with the headphones alone. Once a course walk
//! ends, the coach says when the next one is due and how to rate this
//! one: Next and Previous say the choices in turn, Play keeps the one
//! said last. No press is ambiguous: Next and Previous have nothing else
//! to do with no session, Pause never rates (earbuds send it when taken
//! out), and Play keeps only a choice heard in the last half minute, so
//! a Play from earbuds put back in starts today's session as ever. Until
//! the walk is rated or another session starts, the buttons can rate it.

use std::time::{Duration, Instant, SystemTime};

use super::{ControlError, Controller};
use crate::course::Rating;

/// The choices, in the order Next says them.
const CHOICES: [Rating; 3] = [Rating::Right, Rating::TooEasy, Rating::TooHard];
/// How long a choice said stays the one Play keeps.
const KEEP_WITHIN: Duration = Duration::from_secs(30);

impl Controller {
    /// A button's Next: the next step; with no session, after a course
    /// walk not rated yet, the next rating to choose from.
    pub fn button_next(&self) -> Result<(), ControlError> {
        if self.state().is_active() {
            return self.next();
        }
        self.choose_rating(1)
    }

    /// A button's Previous: as Next, the other way.
    pub fn button_previous(&self) -> Result<(), ControlError> {
        if self.state().is_active() {
            return self.previous();
        }
        self.choose_rating(CHOICES.len() - 1)
    }

    /// Whether the buttons rate a walk now: with no session, after a
    /// course walk not rated yet.
    fn rating_open(&self) -> bool {
        !self.state().is_active() && self.course_status().last_rating == "unrated"
    }

    /// Says the choice `step` places on from the one said last.
    fn choose_rating(&self, step: usize) -> Result<(), ControlError> {
        if !self.rating_open() {
            return Err(ControlError::InvalidState(
                "no session, and no walk to rate".into(),
            ));
        }
        let choice = {
            let mut core = self.core();
            let index = match core.rating_choice {
                Some((said, _)) => (position(said) + step) % CHOICES.len(),
                None if step == 1 => 0,
                None => CHOICES.len() - 1,
            };
            core.rating_choice = Some((CHOICES[index], Instant::now()));
            CHOICES[index]
        };
        let texts = &self.setup().phrases.course;
        let word = sentence_case(&self.rating_word(choice));
        tracing::info!("rating: {} said", choice.as_str());
        self.say(&texts.choice.fill(&[("rating", &word)]))
    }

    /// Play after a choice was said: keeps it, and says so and when the
    /// next walk is due. False when there was no choice to keep.
    pub(super) fn keep_rating(&self) -> Result<bool, ControlError> {
        let choice = self
            .core()
            .rating_choice
            .take()
            .filter(|(_, at)| at.elapsed() <= KEEP_WITHIN);
        let Some((rating, _)) = choice.filter(|_| self.rating_open()) else {
            return Ok(false);
        };
        self.rate(rating.as_str())?;
        let texts = &self.setup().phrases.course;
        let kept = texts.kept.fill(&[("rating", &self.rating_word(rating))]);
        let said = [Some(kept), self.next_due_words()];
        self.say(&said.into_iter().flatten().collect::<Vec<_>>().join(" "))?;
        Ok(true)
    }

    /// What the coach says once a course walk ends: when the next walk
    /// is due, and how to rate this one.
    pub(super) fn after_walk_words(&self) -> Option<String> {
        let due = self.next_due_words()?;
        let setup = self.setup();
        Some(format!("{due} {}", setup.phrases.course.rate))
    }

    /// "The next session is due in two days." (or now, or the course is
    /// complete); none without a course.
    fn next_due_words(&self) -> Option<String> {
        let status = self.course_status();
        if status.id.is_empty() {
            return None;
        }
        let setup = self.setup();
        let texts = &setup.phrases.course;
        Some(if status.session >= status.sessions {
            texts.complete.to_string()
        } else if status.next_due == 0 {
            texts.next_now.to_string()
        } else {
            let due = crate::session::from_micros(status.next_due);
            let wait = super::today::spoken_wait(&setup, due.max(SystemTime::now()));
            texts.next_due.fill(&[("wait", &wait)])
        })
    }

    fn rating_word(&self, rating: Rating) -> String {
        let texts = &self.setup().phrases.course;
        match rating {
            Rating::TooHard => texts.too_hard.to_string(),
            Rating::Right => texts.right.to_string(),
            Rating::TooEasy => texts.too_easy.to_string(),
        }
    }
}

fn position(rating: Rating) -> usize {
    CHOICES.iter().position(|c| *c == rating).unwrap_or(0)
}

/// "too hard" said first in a sentence: "Too hard".
fn sentence_case(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
