//! The cues within a step that remind rather than announce: halfway,
//! the time left, and the posture reminders of backward walking, each
//! kept clear of the step's turn and of what the author says.

use super::*;

impl Composer<'_> {
    pub(super) fn halfway(&mut self, index: usize, duration: Duration) {
        if !self.settings.halfway || duration < self.settings.halfway_min {
            return;
        }
        let mid = self.steps[index].start + self.steps[index].length / 2;
        if self.author_speaks_near(index, mid) {
            return;
        }
        let text = self.phrases.cues.halfway.to_string();
        self.push(
            CueKind::Halfway,
            index,
            Some(Tone::Halfway),
            Some(text),
            mid,
            self.near(mid, DRIFT),
        );
    }

    pub(super) fn remaining(&mut self, index: usize, duration: Duration) {
        let end = self.steps[index].end();
        for mark in self.settings.remaining.clone() {
            if duration < mark * 2 {
                continue;
            }
            let at = end - self.samples(mark);
            if self.author_speaks_near(index, at) {
                continue;
            }
            let words = self.phrases.words.duration(mark);
            let text = self.phrases.cues.remaining.fill(&[("remaining", &words)]);
            // Said early or late, "N to go" would be wrong by as much.
            self.push(
                CueKind::Remaining,
                index,
                None,
                Some(text),
                at,
                self.near(at, REMAINING_DRIFT),
            );
        }
    }

    /// Reminders at even spacing through the step, rotating through the
    /// set across the whole session so the walker hears each in turn.
    /// None in the quiet after a turn or once the heads-up of the change
    /// ahead is due, and none that would make more than half of the step
    /// speech: a walker in a short first bout is not talked over.
    pub(super) fn posture(&mut self, index: usize, step: &Step) {
        let Some(set) = step.posture else { return };
        let every = self.samples(step.posture_every.unwrap_or(self.settings.posture_every));
        let (start, end) = (self.steps[index].start, self.steps[index].end());
        let (from, until) = self.posture_room(index);
        let texts = self.phrases.posture_texts(set).to_vec();
        let mut spoken = self.spoken_in(index);
        let mut at = start + every;
        while at < end {
            if at < from || at > until || self.author_speaks_near(index, at) {
                at += every;
                continue;
            }
            let next = self.next_reminder.get(&set).copied().unwrap_or_default();
            let text = texts[next % texts.len()].clone();
            let length = self.speech_length(None, Some(&text));
            if super::super::talked_over(spoken + length, end - start) {
                break;
            }
            self.next_reminder.insert(set, next + 1);
            spoken += length;
            let window = self.near(at, DRIFT);
            let window = (*window.start()).max(start.max(from))..=(*window.end()).min(until);
            self.push(CueKind::Posture, index, None, Some(text), at, window);
            at += every;
        }
    }

    /// Where posture reminders may go in step `index`: not in the first
    /// seconds after a turn into it, nor once the heads-up of the change
    /// that ends it is near.
    pub(super) fn posture_room(&self, index: usize) -> (u64, u64) {
        let (start, end) = (self.steps[index].start, self.steps[index].end());
        let steps = &self.program.steps;
        let turned = index > 0 && steps[index - 1].direction != steps[index].direction;
        let from = if turned {
            start + self.samples(QUIET_AFTER_TURN)
        } else {
            start
        };
        let until = match steps.get(index + 1) {
            Some(next) if !self.unchanged(index + 1) => {
                let lead = if next.direction != steps[index].direction {
                    self.settings.heads_up_turn
                } else {
                    self.settings.heads_up
                };
                end.saturating_sub(self.samples(lead + QUIET_BEFORE_HEADS_UP))
            }
            _ => end.saturating_sub(1),
        };
        (from, until)
    }

    /// Speech already asked of step `index`: its announcement, heads-up,
    /// the author's texts, halfway and time-left cues.
    pub(super) fn spoken_in(&self, index: usize) -> u64 {
        self.candidates
            .iter()
            .filter(|c| c.step == index && c.text.is_some() && c.kind != CueKind::Briefing)
            .map(|c| {
                let text = c.text.as_deref().map(|t| t.replace(LEAD, ""));
                self.speech_length(c.tone, text.as_deref())
            })
            .sum()
    }
}
