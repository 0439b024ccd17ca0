//! Today's session: the course's next walk, started by name or by one
//! press of a headphone's Play, and what is said when there is nothing
//! to start.

use std::time::{Duration, SystemTime};

use super::commands::load;
use super::course::Progress;
use super::{ControlError, Controller, IfRunning, Setup};
use crate::course::Because;
use crate::session::{Counting, CourseTag};
use crate::voice::Voice;

impl Controller {
    /// Starts the course's next walk, due or not, announcing it first;
    /// a session under way is ended only when `if_running` says so.
    pub fn start_today(&self, if_running: IfRunning) -> Result<(), ControlError> {
        let progress = self.progress(SystemTime::now())?.ok_or_else(|| {
            ControlError::InvalidState("you follow no course: enrol in one first".into())
        })?;
        self.start_walk(&progress, if_running)
    }

    /// Starts the walk `progress` makes next.
    fn start_walk(&self, progress: &Progress, if_running: IfRunning) -> Result<(), ControlError> {
        if progress.next.complete {
            return Err(ControlError::InvalidState(format!(
                "every session of {} is done: enrol in another course, or leave it and enrol again to walk it anew",
                progress.course.name
            )));
        }
        let setup = self.setup();
        let walk = progress.next.walk;
        let session = &progress.course.sessions[progress.course.session_of(walk.walk)];
        let mut program = self.in_walker_units(load(&setup.catalog, &session.program)?);
        program.preface = preface(&setup, progress);
        let said = program.preface.clone().unwrap_or_default();
        let counting = Counting {
            course: Some(CourseTag {
                course: progress.course.id.clone(),
                walk,
            }),
            ..Counting::default()
        };
        self.start_program(&program, counting, if_running)?;
        tracing::info!(
            "{}: walk {} of {} started, announced as \"{said}\"",
            progress.course.id,
            walk.walk + 1,
            progress.course.walks()
        );
        Ok(())
    }

    /// Play with no session: the course's walk when it is due (on a rest
    /// day, a second press within a few seconds starts it anyway); with
    /// no course, the program walked last; with no history, how to choose.
    /// With a session, Play resumes it.
    pub fn play(&self) -> Result<(), ControlError> {
        if self.core().session.is_active() {
            return self.resume();
        }
        // Play after a rating was chosen keeps it (see `rating`).
        if self.keep_rating()? {
            return Ok(());
        }
        let setup = self.setup();
        let texts = &setup.phrases.course;
        let Some(progress) = self.progress(SystemTime::now())? else {
            return match self.history()?.last() {
                Some(last) => self.start_as(&last.program, IfRunning::Refuse),
                None => self.tell(&setup, &[texts.choose.to_string()]),
            };
        };
        if progress.next.complete {
            return self.tell(&setup, &[texts.complete.to_string()]);
        }
        if let Some(due) = progress.next.due_at
            && !self.asked_again()
        {
            let wait = spoken_wait(&setup, due);
            let rest = texts.rest.fill(&[("wait", &wait)]);
            let fallback = setup.phrases.cues.remaining.fill(&[("remaining", &wait)]);
            return self.tell(&setup, &[rest, fallback]);
        }
        self.start_walk(&progress, IfRunning::Refuse)
    }

    /// Says the first of `texts` the voice can say, over nothing.
    fn tell(&self, setup: &Setup, texts: &[String]) -> Result<(), ControlError> {
        let Some(text) = first_sayable(setup.voice.as_ref(), texts) else {
            tracing::info!(
                "nothing to start, and the voice cannot say why: {}",
                texts[0]
            );
            return Ok(());
        };
        tracing::info!("play: {text}");
        self.say(&text)
    }

    /// `n` in words, as the phrasebook in use says numbers.
    pub fn number_words(&self, n: u64) -> String {
        self.setup().phrases.words.number(n)
    }

    /// Says the first of `texts` the voice can say, and which that was;
    /// `None` when it can say none of them.
    pub fn announce(&self, texts: &[String]) -> Result<Option<String>, ControlError> {
        let setup = self.setup();
        let Some(text) = first_sayable(setup.voice.as_ref(), texts) else {
            return Ok(None);
        };
        self.say(&text)?;
        Ok(Some(text))
    }
}

/// What is said before the briefing of a course's walk: which one it is,
/// that it eases back in, and the session's note. A part the voice cannot
/// say is said in cue words it has ("Round five of eighteen."), or left
/// out.
fn preface(setup: &Setup, progress: &Progress) -> Option<String> {
    let words = &setup.phrases.words;
    let texts = &setup.phrases.course;
    let course = &progress.course;
    let walk = progress.next.walk.walk;
    let number = words.number(u64::from(walk) + 1);
    let count = words.number(u64::from(course.walks()));
    let week = words.number(u64::from(course.week_of(walk)));
    let intro = texts
        .session
        .fill(&[("week", &week), ("number", &number), ("count", &count)]);
    let round = setup
        .phrases
        .cues
        .round
        .fill(&[("index", &number), ("count", &count)]);
    let voice = setup.voice.as_ref();
    // Why this walk, first: a welcome back before "week one, session
    // one", which alone would sound like starting over.
    let why = match progress.next.because {
        _ if progress.next.is_easing_back() => Some(&texts.easing_back),
        Because::NotDone => Some(&texts.again_not_done),
        Because::TooHard => Some(&texts.again_too_hard),
        Because::SteppedBack => Some(&texts.stepped_back),
        Because::Onward => None,
    };
    let mut parts = vec![why.and_then(|why| first_sayable(voice, &[why.to_string()]))];
    parts.push(first_sayable(voice, &[intro, round]));
    if let Some(note) = course.sessions[course.session_of(walk)].note.clone() {
        parts.push(first_sayable(voice, &[note]));
    }
    let said: Vec<String> = parts.into_iter().flatten().collect();
    (!said.is_empty()).then(|| said.join(" "))
}

fn first_sayable(voice: &dyn Voice, texts: &[String]) -> Option<String> {
    texts
        .iter()
        .find(|t| voice.missing_words(t).is_empty())
        .cloned()
}

/// How long until `due`, as said: minutes under two hours, else hours.
pub(super) fn spoken_wait(setup: &Setup, due: SystemTime) -> String {
    let wait = due
        .duration_since(SystemTime::now())
        .unwrap_or_default()
        .as_secs();
    let rounded = match wait {
        0..60 => wait.max(1),
        60..7200 => wait.div_ceil(60) * 60,
        _ => (wait + 1800) / 3600 * 3600,
    };
    setup.phrases.words.duration(Duration::from_secs(rounded))
}
