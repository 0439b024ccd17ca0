//! What each cue says: a step's announcement, its short form, and the
//! heads-up before a change.

use super::super::super::phrasebook::Template;
use super::super::super::program::{Direction, Step};
use super::Composer;

impl Composer<'_> {
    pub(super) fn announcement(&self, index: usize) -> String {
        let step = &self.program.steps[index];
        let words = &self.phrases.words;
        let cues = &self.phrases.cues;
        let template = match step.direction {
            Direction::Forward => &cues.announce_forward,
            Direction::Backward => &cues.announce_backward,
        };
        let mut parts = Vec::new();
        if let Some(name) = &step.name {
            parts.push(cues.named.fill(&[("name", name)]));
        }
        parts.push(template.fill(&[
            ("speed", &words.speed(step.speed, self.program.units)),
            ("incline", &words.incline(step.incline)),
            ("duration", &words.duration(step.duration)),
        ]));
        let previous_round = index
            .checked_sub(1)
            .and_then(|i| self.program.steps[i].round);
        if let Some(round) = step.round.filter(|r| Some(*r) != previous_round) {
            parts.push(cues.round.fill(&[
                ("index", &words.number(round.index.into())),
                ("count", &words.number(round.count.into())),
            ]));
        }
        parts.extend(step.note.as_deref().map(str::to_string));
        parts.join(" ")
    }

    /// What is said of a step too short for its whole announcement.
    pub(super) fn short_announcement(&self, index: usize) -> String {
        let step = &self.program.steps[index];
        let words = &self.phrases.words;
        self.phrases.cues.announce_short.fill(&[
            ("number", &words.decimal(step.speed)),
            ("speed", &words.speed(step.speed, self.program.units)),
            ("incline", &words.incline(step.incline)),
            ("duration", &words.duration(step.duration)),
        ])
    }

    pub(super) fn heads_up_text(&self, this: &Step, next: Option<&Step>) -> String {
        let cues = &self.phrases.cues;
        let words = &self.phrases.words;
        let Some(next) = next else {
            return cues.heads_up_finish.fill(&[]);
        };
        let template: &Template = match (next.direction, this.direction) {
            (Direction::Backward, Direction::Forward) => {
                // Slow down before turning, never speed up first.
                match next.speed.total_cmp(&this.speed) {
                    std::cmp::Ordering::Less => &cues.heads_up_to_backward,
                    std::cmp::Ordering::Equal => &cues.heads_up_to_backward_same,
                    std::cmp::Ordering::Greater => &cues.heads_up_to_backward_faster,
                }
            }
            (Direction::Forward, Direction::Backward) => &cues.heads_up_to_forward,
            _ => {
                let speed = next.speed.total_cmp(&this.speed);
                let incline = next.incline.total_cmp(&this.incline);
                use std::cmp::Ordering::*;
                match (speed, incline) {
                    (Greater, Equal) => &cues.heads_up_faster,
                    (Less, Equal) => &cues.heads_up_slower,
                    (Equal, Greater) => &cues.heads_up_steeper,
                    (Equal, Less) => &cues.heads_up_flatter,
                    (Equal, Equal) => &cues.heads_up_same,
                    _ => &cues.heads_up_both,
                }
            }
        };
        let name = next
            .name
            .clone()
            .unwrap_or_else(|| self.phrases.role_name(next.role).to_string());
        template.fill(&[
            ("name", &name),
            ("speed", &words.speed(next.speed, self.program.units)),
            ("number", &words.decimal(next.speed)),
            ("incline", &words.incline(next.incline)),
            ("percent", &words.signed(next.incline)),
        ])
    }
}
