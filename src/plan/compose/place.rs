//! Fitting the candidates onto one timeline: the most important first,
//! each inside the bounds of its step, shortened or left out when there
//! is no room, never moved past its step.

use std::ops::RangeInclusive;
use std::time::Duration;

use super::super::occupancy::Occupancy;
use super::super::{Adjustment, Cue, GAP};
use super::{Candidate, Composer, LEAD, REWORD_SLACK, sentence_case};

impl Composer<'_> {
    /// Places every candidate, most important first. A cue bound to a
    /// step must lie wholly inside it: one that finds no room there is
    /// said in its short form if it has one, or not at all, and never
    /// pushed into a later step. What was shortened or dropped is noted.
    pub(super) fn place(&mut self) -> (Vec<Cue>, Vec<Adjustment>) {
        let mut candidates = std::mem::take(&mut self.candidates);
        candidates.sort_by_key(|c| (std::cmp::Reverse(c.kind.priority()), c.wanted));
        let mut taken = Occupancy::default();
        let mut cues = Vec::with_capacity(candidates.len());
        let mut adjustments = Vec::new();
        for candidate in candidates {
            let full = candidate
                .text
                .as_deref()
                .map(|t| self.nominal(t, &candidate));
            let placed = self.fit(&taken, &candidate, full).or_else(|| {
                let short = candidate.short_text.clone()?;
                let placed = self.fit(&taken, &candidate, Some(short))?;
                adjustments.push(Adjustment {
                    step: candidate.step,
                    kind: candidate.kind,
                    shortened: true,
                });
                Some(placed)
            });
            let Some((start, text)) = placed else {
                adjustments.push(Adjustment {
                    step: candidate.step,
                    kind: candidate.kind,
                    shortened: false,
                });
                continue;
            };
            let (length, speech_offset) = self.parts(candidate.tone, text.as_deref());
            taken.take(start, length + self.samples(GAP));
            cues.push(Cue {
                start,
                length,
                kind: candidate.kind,
                priority: candidate.kind.priority(),
                step: candidate.step,
                tone: candidate.tone,
                text: text.map(|t| sentence_case(&t)),
                speech_offset,
            });
        }
        cues.sort_by_key(|c| (c.start, std::cmp::Reverse(c.priority)));
        adjustments.sort_by_key(|a| (a.step, a.kind));
        (cues, adjustments)
    }

    /// Where `text` (with the candidate's tone) fits, and its final words.
    fn fit(
        &self,
        taken: &Occupancy,
        candidate: &Candidate,
        text: Option<String>,
    ) -> Option<(u64, Option<String>)> {
        let (length, _) = self.parts(candidate.tone, text.as_deref());
        let slack = if candidate.change_at.is_some() {
            self.samples(REWORD_SLACK)
        } else {
            0
        };
        let reserve = length + self.samples(GAP) + slack;
        let within = |window: &RangeInclusive<u64>| match candidate.bounds {
            // The cue, rewording included, ends inside its bounds.
            Some((lo, hi)) => {
                let last = hi.checked_sub(length + slack)?;
                Some((*window.start()).max(lo)..=(*window.end()).min(last))
            }
            None => Some(window.clone()),
        };
        let start = std::iter::once(&candidate.window)
            .chain(candidate.fallback.as_ref())
            .find_map(|window| {
                within(window).and_then(|w| taken.nearest_free(candidate.wanted, reserve, w))
            })?;
        let text = self.final_text(candidate, start, text, length);
        Some((start, text))
    }

    /// The text with the lead it was meant to have.
    fn nominal(&self, text: &str, candidate: &Candidate) -> String {
        match candidate.change_at {
            Some(change) => self.with_lead(text, change - candidate.wanted.min(change)),
            None => text.to_string(),
        }
    }

    /// A heads-up says the lead it really has once placed, if the words
    /// still fit the room kept for them.
    fn final_text(
        &self,
        candidate: &Candidate,
        start: u64,
        nominal: Option<String>,
        nominal_len: u64,
    ) -> Option<String> {
        let (Some(change), Some(template)) = (candidate.change_at, candidate.text.as_deref())
        else {
            return nominal;
        };
        let actual = self.with_lead(template, change.saturating_sub(start));
        let (length, _) = self.parts(candidate.tone, Some(&actual));
        if length <= nominal_len + self.samples(REWORD_SLACK) {
            Some(actual)
        } else {
            nominal
        }
    }

    fn with_lead(&self, text: &str, lead: u64) -> String {
        let secs = (lead as f64 / f64::from(self.rate)).round() as u64;
        text.replace(
            LEAD,
            &self.phrases.words.duration(Duration::from_secs(secs)),
        )
    }
}
