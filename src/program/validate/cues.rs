//! The cues of a program (its spoken notes, its `[cues]` table) and the
//! checks every value shares: a duration, a number within bounds, a text
//! a person wrote.

use std::time::Duration;

use toml::Spanned;

use super::{Validator, checked_text, clock};
use crate::program::limits::*;
use crate::program::raw::{RawCues, RawDuration, RawTextCue};
use crate::program::{CueOverrides, TextCue};

impl Validator<'_> {
    pub(super) fn text_cues(
        &mut self,
        raw: &[Spanned<RawTextCue>],
        step: Option<Duration>,
    ) -> Option<Vec<TextCue>> {
        if raw.len() > MAX_TEXT_CUES_PER_STEP {
            self.error(
                raw[MAX_TEXT_CUES_PER_STEP].span(),
                format!("a step holds at most {MAX_TEXT_CUES_PER_STEP} `say` cues"),
            );
            return None;
        }
        let before = self.errors.len();
        let cues: Vec<TextCue> = raw.iter().filter_map(|c| self.text_cue(c, step)).collect();
        (self.errors.len() == before).then_some(cues)
    }

    pub(super) fn text_cue(
        &mut self,
        cue: &Spanned<RawTextCue>,
        step: Option<Duration>,
    ) -> Option<TextCue> {
        let raw = cue.get_ref();
        let help = "write it as `{ at = \"20s\", text = \"...\" }`";
        let Some(at) = &raw.at else {
            self.error_with_help(cue.span(), "this `say` cue has no `at`", help);
            return None;
        };
        let Some(text) = &raw.text else {
            self.error_with_help(cue.span(), "this `say` cue has no `text`", help);
            return None;
        };
        let at_time = self.duration(at, "`at`")?;
        if let Some(step) = step.filter(|step| at_time >= *step) {
            self.error(
                at.span(),
                format!(
                    "this cue at {} would come after its step ends ({} long)",
                    clock(at_time),
                    clock(step)
                ),
            );
            return None;
        }
        let text_span = text.span();
        let text = self.text(text, "a `say` text", MAX_TEXT_CHARS)?;
        Some(TextCue {
            at: at_time,
            text: text.into(),
            span: text_span,
        })
    }

    pub(super) fn cues(&mut self, raw: &RawCues) -> CueOverrides {
        let heads_up = |v: &mut Self, raw: &Option<Spanned<RawDuration>>, key: &str| {
            raw.as_ref()
                .and_then(|r| v.within(r, key, Duration::from_secs(6), MAX_HEADS_UP))
        };
        let countdown = raw.countdown.as_ref().and_then(|c| {
            let n = *c.get_ref();
            if (0..=MAX_COUNTDOWN).contains(&n) {
                Some(n as u32)
            } else {
                self.error(
                    c.span(),
                    format!("countdown = {n} is out of range: 0 to {MAX_COUNTDOWN} seconds"),
                );
                None
            }
        });
        let remaining = raw.remaining.as_ref().map(|marks| {
            if marks.len() > MAX_REMAINING_MARKS {
                self.error(
                    marks[MAX_REMAINING_MARKS].span(),
                    format!("at most {MAX_REMAINING_MARKS} `remaining` marks"),
                );
            }
            marks
                .iter()
                .filter_map(|m| self.at_least(m, "a `remaining` mark", Duration::from_secs(10)))
                .collect()
        });
        CueOverrides {
            heads_up: heads_up(self, &raw.heads_up, "heads_up"),
            heads_up_turn: heads_up(self, &raw.heads_up_turn, "heads_up_turn"),
            countdown,
            halfway: raw.halfway,
            halfway_min: raw
                .halfway_min
                .as_ref()
                .and_then(|h| self.at_least(h, "halfway_min", Duration::from_secs(10))),
            remaining,
            quiet_recovery: raw.quiet_recovery,
            posture_every: raw
                .posture_every
                .as_ref()
                .and_then(|p| self.at_least(p, "posture_every", MIN_POSTURE_EVERY)),
            briefing: raw.briefing,
        }
    }

    pub(super) fn within(
        &mut self,
        raw: &Spanned<RawDuration>,
        what: &str,
        min: Duration,
        max: Duration,
    ) -> Option<Duration> {
        let value = self.duration(raw, what)?;
        if value < min || value > max {
            self.error(
                raw.span(),
                format!(
                    "{what} of {} is out of range: {} to {}",
                    clock(value),
                    clock(min),
                    clock(max)
                ),
            );
            return None;
        }
        Some(value)
    }

    pub(super) fn at_least(
        &mut self,
        raw: &Spanned<RawDuration>,
        what: &str,
        min: Duration,
    ) -> Option<Duration> {
        let value = self.duration(raw, what)?;
        if value < min {
            self.error(
                raw.span(),
                format!(
                    "{what} must last at least {}, not {}",
                    clock(min),
                    clock(value)
                ),
            );
            return None;
        }
        Some(value)
    }

    pub(super) fn duration(&mut self, raw: &Spanned<RawDuration>, what: &str) -> Option<Duration> {
        let help = "write durations like \"90s\", \"1m30s\" or \"2m\", or as a number of seconds";
        let parsed = match raw.get_ref() {
            RawDuration::Text(text) => humantime::parse_duration(text.trim())
                .map_err(|_| format!("`{text}` is not a duration")),
            RawDuration::Seconds(secs) if *secs < 0.0 => Err(format!("{what} cannot be negative")),
            RawDuration::Seconds(secs) if *secs > MAX_TOTAL.as_secs_f64() * 2.0 => Err(format!(
                "{what} of {secs:e} seconds is far longer than any workout"
            )),
            RawDuration::Seconds(secs) => Duration::try_from_secs_f64(*secs)
                .map_err(|_| format!("{secs} is not a usable number of seconds")),
        };
        match parsed {
            // Round to whole milliseconds: finer than any cue needs, and keeps
            // sums exact.
            Ok(d) if d <= MAX_TOTAL * 2 => Some(Duration::from_millis(d.as_millis() as u64)),
            Ok(d) => {
                self.error(
                    raw.span(),
                    format!("{what} of {} is far longer than any workout", clock(d)),
                );
                None
            }
            Err(message) => {
                self.error_with_help(raw.span(), message, help);
                None
            }
        }
    }

    pub(super) fn text(
        &mut self,
        raw: &Spanned<String>,
        what: &str,
        max_chars: usize,
    ) -> Option<String> {
        checked_text(raw.get_ref(), what, max_chars)
            .map_err(|message| self.error(raw.span(), message))
            .ok()
    }
}
