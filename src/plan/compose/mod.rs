//! Builds every cue a program asks for, each with the time it wants and the
//! window it may move in, then fits them onto one timeline.

mod place;
mod reminders;
mod wording;

use std::collections::HashMap;
use std::ops::RangeInclusive;
use std::time::Duration;

use super::{Cue, CueKind, CueLengths, GAP, Plan, PlannedStep, TONE_TO_SPEECH, Tone, to_samples};
use crate::phrasebook::Phrasebook;
use crate::program::cue_settings::CueSettings;
use crate::program::{PostureSet, Program, Role, Step};

/// How far a halfway, time-left or posture cue may drift from its moment.
const DRIFT: Duration = Duration::from_secs(3);
/// A halfway, time-left or posture cue this close to the author's own
/// `say` text is left to it.
const AUTHOR_REPLACES: Duration = Duration::from_secs(5);
/// How far a "N to go" cue may drift: it states a time.
const REMAINING_DRIFT: Duration = Duration::from_secs(1);
/// No posture reminder this soon after a turn: the announcement, and the
/// walker finding their feet, come first.
const QUIET_AFTER_TURN: Duration = Duration::from_secs(10);
/// Nor this close before a heads-up is due.
const QUIET_BEFORE_HEADS_UP: Duration = Duration::from_secs(3);
/// How far a heads-up may drift before its lead is re-worded.
const HEADS_UP_DRIFT: Duration = Duration::from_secs(2);
/// Room kept for re-wording a heads-up whose lead changed.
const REWORD_SLACK: Duration = Duration::from_millis(600);
/// The lead words stand in the heads-up text until it is placed.
const LEAD: &str = "{lead}";
/// The end of any timeline, far past the longest program.
const FAR: u64 = u64::MAX / 4;

struct Candidate {
    kind: CueKind,
    step: usize,
    tone: Option<Tone>,
    text: Option<String>,
    wanted: u64,
    /// Where the cue may go to keep its meaning.
    window: RangeInclusive<u64>,
    /// Where the cue goes when its window is full; `None` drops it.
    fallback: Option<RangeInclusive<u64>>,
    /// For a heads-up: the moment of the change, to word the lead.
    change_at: Option<u64>,
    /// The samples the whole cue must lie inside, `[start, end)`: a
    /// step's words are said during that step, a heads-up before its
    /// countdown. `None` for cues not bound to a step.
    bounds: Option<(u64, u64)>,
    /// A shorter wording to try when the whole one does not fit.
    short_text: Option<String>,
}

pub struct Composer<'a> {
    program: &'a Program,
    settings: CueSettings,
    phrases: &'a Phrasebook,
    lengths: &'a dyn CueLengths,
    rate: u32,
    steps: Vec<PlannedStep>,
    next_reminder: HashMap<PostureSet, usize>,
    candidates: Vec<Candidate>,
}

impl<'a> Composer<'a> {
    pub fn new(
        program: &'a Program,
        defaults: &CueSettings,
        phrases: &'a Phrasebook,
        lengths: &'a dyn CueLengths,
        rate: u32,
    ) -> Self {
        let mut start = 0;
        let steps = program
            .steps
            .iter()
            .map(|step| {
                let planned = PlannedStep {
                    name: step
                        .name
                        .clone()
                        .unwrap_or_else(|| phrases.role_name(step.role).to_string()),
                    role: step.role,
                    direction: step.direction,
                    speed: step.speed,
                    incline: step.incline,
                    round: step.round,
                    start,
                    length: to_samples(step.duration, rate),
                };
                start += planned.length;
                planned
            })
            .collect();
        Composer {
            program,
            settings: defaults.with(&program.cues),
            phrases,
            lengths,
            rate,
            steps,
            next_reminder: HashMap::new(),
            candidates: Vec::new(),
        }
    }

    pub fn plan(mut self) -> Plan {
        let briefing = self
            .settings
            .briefing
            .then(|| self.phrases.cues.briefing.to_string());
        let text = match (self.program.preface.clone(), briefing) {
            (Some(preface), Some(briefing)) => Some(format!("{preface} {briefing}")),
            (preface, briefing) => preface.or(briefing),
        };
        if let Some(text) = text {
            self.push(CueKind::Briefing, 0, None, Some(text), 0, 0..=0);
        }
        for index in 0..self.steps.len() {
            self.step_cues(index);
        }
        self.finish_cues();
        let (cues, adjustments) = self.place();
        let length = self.steps.last().map_or(0, PlannedStep::end);
        Plan {
            program_id: self.program.id.clone(),
            program_name: self.program.name.clone(),
            units: self.program.units,
            sample_rate: self.rate,
            length,
            end: cues.iter().map(Cue::end).max().unwrap_or(0).max(length),
            steps: self.steps,
            cues,
            adjustments,
        }
    }

    fn samples(&self, d: Duration) -> u64 {
        to_samples(d, self.rate)
    }

    fn push(
        &mut self,
        kind: CueKind,
        step: usize,
        tone: Option<Tone>,
        text: Option<String>,
        wanted: u64,
        window: RangeInclusive<u64>,
    ) {
        // Only the briefing may wait for room; a tick or a go tone keeps
        // its exact sample or is not played.
        let fallback = (kind == CueKind::Briefing).then_some(0..=FAR);
        let bounds = kind
            .bound_to_step()
            .then(|| (self.steps[step].start, self.steps[step].end()));
        self.candidates.push(Candidate {
            kind,
            step,
            tone,
            text,
            wanted,
            window,
            fallback,
            change_at: None,
            bounds,
            short_text: None,
        });
    }

    fn near(&self, at: u64, drift: Duration) -> RangeInclusive<u64> {
        let drift = self.samples(drift);
        at.saturating_sub(drift)..=at + drift
    }

    fn step_cues(&mut self, index: usize) {
        let planned = self.steps[index].clone();
        let step = &self.program.steps[index];
        let (start, end) = (planned.start, planned.end());
        // A step that changes nothing (same direction, speed and incline
        // as the one before) gets no countdown into it, only its name.
        let unchanged = self.unchanged(index);
        if index > 0 && !unchanged {
            self.countdown(index, start, Tone::Go, CueKind::Go);
        }
        let announcement = if unchanged {
            self.phrases.cues.named.fill(&[("name", &planned.name)])
        } else {
            self.announcement(index)
        };
        self.push(
            CueKind::Announcement,
            index,
            None,
            Some(announcement),
            start,
            start..=end.saturating_sub(1),
        );
        let short = self.short_announcement(index);
        if let Some(candidate) = self.candidates.last_mut().filter(|_| !unchanged) {
            candidate.short_text = Some(short);
        }
        if !self.unchanged(index + 1) {
            self.heads_up(index);
        }
        for text in step.texts.iter() {
            let at = start + self.samples(text.at);
            self.push(
                CueKind::Text,
                index,
                None,
                Some(text.text.to_string()),
                at,
                at..=end.saturating_sub(1),
            );
        }
        let quiet = self.settings.quiet_recovery && step.role == Role::Recover;
        if !quiet {
            self.halfway(index, step.duration);
            self.remaining(index, step.duration);
            self.posture(index, step);
        }
    }

    /// Ticks in the seconds before `at`, then the closing tone at `at`.
    fn countdown(&mut self, step: usize, at: u64, closing: Tone, kind: CueKind) {
        for second in 1..=u64::from(self.settings.countdown) {
            let tick = at.saturating_sub(second * u64::from(self.rate));
            self.push(
                CueKind::Countdown,
                step,
                Some(Tone::Tick),
                None,
                tick,
                tick..=tick,
            );
        }
        let text = (kind == CueKind::Finish).then(|| self.phrases.cues.finish.to_string());
        self.push(kind, step, Some(closing), text, at, at..=at);
    }

    /// The warning before the change that ends step `index`: what is coming,
    /// spoken with its lead so the walker can get ready.
    fn heads_up(&mut self, index: usize) {
        let this = &self.program.steps[index];
        let next = self.program.steps.get(index + 1);
        let turn = next.is_some_and(|n| n.direction != this.direction);
        let lead = if turn {
            self.settings.heads_up_turn
        } else {
            self.settings.heads_up
        };
        let text = self.heads_up_text(this, next);
        let (start, change) = (self.steps[index].start, self.steps[index].end());
        let reserved = self.speech_length(
            Some(Tone::Chime),
            Some(&text.replace(LEAD, &self.phrases.words.duration(lead))),
        ) + self.samples(REWORD_SLACK);
        let countdown = self.samples(Duration::from_secs(self.settings.countdown.into()));
        let latest = change.saturating_sub(countdown + reserved + self.samples(GAP));
        let wanted = change.saturating_sub(self.samples(lead));
        let near = self.near(wanted, HEADS_UP_DRIFT);
        self.candidates.push(Candidate {
            kind: CueKind::HeadsUp,
            step: index,
            tone: Some(Tone::Chime),
            text: Some(text),
            wanted,
            window: (*near.start()).max(start)..=(*near.end()).min(latest),
            fallback: Some(start..=latest),
            change_at: Some(change),
            // Said and done before the countdown to its change begins.
            bounds: Some((start, change.saturating_sub(countdown))),
            short_text: None,
        });
    }

    /// Whether step `index` changes nothing from the step before it.
    fn unchanged(&self, index: usize) -> bool {
        let steps = &self.program.steps;
        match (
            index.checked_sub(1).and_then(|i| steps.get(i)),
            steps.get(index),
        ) {
            (Some(before), Some(this)) => {
                before.direction == this.direction
                    && before.speed == this.speed
                    && before.incline == this.incline
            }
            _ => false,
        }
    }

    /// Whether the author's own words come within a few seconds of `at`
    /// in step `index`: a generic cue there gives way to them.
    fn author_speaks_near(&self, index: usize, at: u64) -> bool {
        let start = self.steps[index].start;
        let near = self.samples(AUTHOR_REPLACES);
        self.program.steps[index]
            .texts
            .iter()
            .map(|t| start + self.samples(t.at))
            .any(|said| said.abs_diff(at) <= near)
    }

    fn finish_cues(&mut self) {
        let Some(last) = self.steps.len().checked_sub(1) else {
            return;
        };
        let end = self.steps[last].end();
        self.countdown(last, end, Tone::Finish, CueKind::Finish);
        if let Some(finish) = self.candidates.last_mut() {
            finish.window = end..=FAR;
        }
    }

    fn speech_length(&self, tone: Option<Tone>, text: Option<&str>) -> u64 {
        self.parts(tone, text).0
    }

    /// The cue's whole length and where its words start.
    fn parts(&self, tone: Option<Tone>, text: Option<&str>) -> (u64, u64) {
        let tone_len = tone.map_or(0, |t| self.samples(self.lengths.tone(t)));
        let offset = if tone.is_some() && text.is_some() {
            tone_len + self.samples(TONE_TO_SPEECH)
        } else {
            tone_len
        };
        let speech = text.map_or(0, |t| self.samples(self.lengths.speech(t)));
        (offset + speech, offset)
    }
}

/// Capitalizes the first letter, since placeholders like "{remaining} to
/// go" start a sentence with a lower-case word.
fn sentence_case(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
