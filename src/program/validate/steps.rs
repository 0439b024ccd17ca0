//! The steps of a program: each checked (direction, length, speed,
//! incline, posture), and repeat blocks unrolled once their whole length
//! is known to be within bounds.

use std::ops::Range;
use std::sync::Arc;
use std::time::Duration;

use toml::Spanned;

use super::{Validator, assign_roles, clock};
use crate::program::limits::*;
use crate::program::raw::{REPEAT_KEYS, RawDuration, RawItem};
use crate::program::suggest::{nearest, one_of};
use crate::program::{Direction, PostureSet, Role, Round, Step, Units};

/// A step or a repeat block before unrolling, so the total length can be
/// checked before any memory is spent on the unrolled list.
pub(super) enum Node {
    Step(Step),
    Repeat { count: u32, children: Vec<Node> },
}

impl Node {
    pub(super) fn total(&self) -> Duration {
        match self {
            Node::Step(step) => step.duration,
            Node::Repeat { count, children } => children
                .iter()
                .fold(Duration::ZERO, |sum, child| {
                    sum.saturating_add(child.total())
                })
                .saturating_mul(*count),
        }
    }

    pub(super) fn unroll(&self, round: Option<Round>, out: &mut Vec<Step>) {
        match self {
            Node::Step(step) => out.push(Step {
                round,
                ..step.clone()
            }),
            Node::Repeat { count, children } => {
                for index in 1..=*count {
                    let round = Some(Round {
                        index,
                        count: *count,
                    });
                    for child in children {
                        child.unroll(round, out);
                    }
                }
            }
        }
    }
}

impl Validator<'_> {
    pub(super) fn steps(
        &mut self,
        raw: Option<&Spanned<Vec<Spanned<RawItem>>>>,
        units: Units,
    ) -> Option<Vec<Step>> {
        let Some(raw) = raw else {
            self.error_with_help(
                0..0,
                "the program has no `steps`",
                "add steps as `[[steps]]` tables, each with a direction, duration and speed",
            );
            return None;
        };
        if raw.get_ref().is_empty() {
            self.error(raw.span(), "the program has no steps: add at least one");
            return None;
        }
        let nodes = self.items(raw.get_ref(), 1, units);
        let total = nodes
            .iter()
            .fold(Duration::ZERO, |sum, n| sum.saturating_add(n.total()));
        if total > MAX_TOTAL {
            self.error_with_help(
                raw.span(),
                format!("the program lasts {}", clock(total)),
                "a program may last at most 4 hours",
            );
        }
        if !self.errors.is_empty() {
            return None;
        }
        let mut steps = Vec::new();
        for node in &nodes {
            node.unroll(None, &mut steps);
        }
        assign_roles(&mut steps);
        Some(steps)
    }

    pub(super) fn items(
        &mut self,
        items: &[Spanned<RawItem>],
        depth: usize,
        units: Units,
    ) -> Vec<Node> {
        items
            .iter()
            .filter_map(|item| self.item(item, depth, units))
            .collect()
    }

    pub(super) fn item(
        &mut self,
        item: &Spanned<RawItem>,
        depth: usize,
        units: Units,
    ) -> Option<Node> {
        let raw = item.get_ref();
        if let Some(repeat) = &raw.repeat {
            return self.repeat(item, repeat, depth, units);
        }
        if let Some(steps) = &raw.steps {
            self.error_with_help(
                steps.span(),
                "a step cannot hold `steps`",
                "to repeat steps, add `repeat = N` to this table and leave direction, duration and speed to the steps inside it",
            );
            return None;
        }
        self.step(item, units).map(Node::Step)
    }

    pub(super) fn repeat(
        &mut self,
        item: &Spanned<RawItem>,
        repeat: &Spanned<i64>,
        depth: usize,
        units: Units,
    ) -> Option<Node> {
        let raw = item.get_ref();
        if depth > MAX_NESTING {
            self.error(
                repeat.span(),
                format!("repeat blocks nest at most {MAX_NESTING} deep; this one is {depth} deep"),
            );
            return None;
        }
        for (key, span) in raw.step_keys_present() {
            self.error_with_help(
                span,
                format!("`{key}` belongs to a step, not to a repeat block"),
                format!(
                    "a repeat block takes only {}; put `{key}` in the steps inside it",
                    one_of(REPEAT_KEYS)
                ),
            );
        }
        if let Some(name) = &raw.name {
            self.text(name, "the block's name", MAX_NAME_CHARS);
        }
        let count = *repeat.get_ref();
        if !(1..=MAX_REPEAT).contains(&count) {
            self.error(
                repeat.span(),
                format!(
                    "repeat = {count} is out of range: a block repeats 1 to {MAX_REPEAT} times"
                ),
            );
        }
        let Some(steps) = &raw.steps else {
            self.error_with_help(
                item.span(),
                "this repeat block has no `steps`",
                "add the steps to repeat as `[[steps.steps]]` tables under it",
            );
            return None;
        };
        if steps.get_ref().is_empty() {
            self.error(steps.span(), "this repeat block's `steps` is empty");
        }
        let children = self.items(steps.get_ref(), depth + 1, units);
        Some(Node::Repeat {
            count: count.clamp(1, MAX_REPEAT) as u32,
            children,
        })
    }

    pub(super) fn step(&mut self, item: &Spanned<RawItem>, units: Units) -> Option<Step> {
        let raw = item.get_ref();
        let span = item.span();
        let direction = self.direction(raw.direction.as_ref(), &span);
        let duration = self.step_duration(raw.duration.as_ref(), &span);
        let speed = self.speed(raw.speed.as_ref(), &span, units);
        let incline = raw.incline.as_ref().and_then(|i| self.incline(i));
        let name = raw
            .name
            .as_ref()
            .and_then(|n| self.text(n, "a step's name", MAX_NAME_CHARS));
        let note = raw
            .note
            .as_ref()
            .and_then(|n| self.text(n, "a note", MAX_TEXT_CHARS));
        let posture = self.posture(
            raw.posture.as_ref(),
            direction.unwrap_or(Direction::Forward),
        );
        let posture_every = raw
            .posture_every
            .as_ref()
            .and_then(|e| self.at_least(e, "posture_every", MIN_POSTURE_EVERY));
        let texts = self.text_cues(raw.say.as_deref().unwrap_or(&[]), duration);
        Some(Step {
            name,
            role: Role::Walk,
            direction: direction?,
            duration: duration?,
            speed: speed?,
            incline: incline.unwrap_or(0.0),
            note: note.map(Arc::from),
            posture: posture?,
            posture_every,
            texts: texts?.into(),
            round: None,
            span,
            note_span: raw.note.as_ref().map(|n| n.span()),
        })
    }

    pub(super) fn direction(
        &mut self,
        raw: Option<&Spanned<String>>,
        step: &Range<usize>,
    ) -> Option<Direction> {
        let Some(raw) = raw else {
            self.error_with_help(
                step.clone(),
                "this step has no `direction`",
                "add `direction = \"forward\"` or `direction = \"backward\"`",
            );
            return None;
        };
        match raw.get_ref().trim().to_lowercase().as_str() {
            "forward" => Some(Direction::Forward),
            "backward" => Some(Direction::Backward),
            other => {
                let allowed = ["forward", "backward"];
                let near = nearest(other, &allowed).unwrap_or("backward");
                self.error_with_help(
                    raw.span(),
                    format!("unknown direction `{other}`"),
                    format!("did you mean `{near}`? a direction is `forward` or `backward`"),
                );
                None
            }
        }
    }

    pub(super) fn step_duration(
        &mut self,
        raw: Option<&Spanned<RawDuration>>,
        step: &Range<usize>,
    ) -> Option<Duration> {
        let Some(raw) = raw else {
            self.error_with_help(
                step.clone(),
                "this step has no `duration`",
                "add a line like `duration = \"90s\"` or `duration = \"2m\"`",
            );
            return None;
        };
        let duration = self.at_least(raw, "a step", MIN_STEP)?;
        if duration > MAX_TOTAL {
            self.error(raw.span(), "a step may last at most 4 hours");
            return None;
        }
        Some(duration)
    }

    pub(super) fn speed(
        &mut self,
        raw: Option<&Spanned<f64>>,
        step: &Range<usize>,
        units: Units,
    ) -> Option<f64> {
        let Some(raw) = raw else {
            self.error_with_help(
                step.clone(),
                "this step has no `speed`",
                format!(
                    "add the belt speed in {}, like `speed = 2.0`",
                    units.label()
                ),
            );
            return None;
        };
        let speed = *raw.get_ref();
        let (min, max) = units.speed_limits();
        let unit = units.label();
        if !(min..=max).contains(&speed) {
            self.error_with_help(
                raw.span(),
                format!("speed {speed} {unit} is outside what a treadmill does"),
                format!("speeds run from {min} to {max} {unit}"),
            );
            return None;
        }
        Some(speed)
    }

    pub(super) fn incline(&mut self, raw: &Spanned<f64>) -> Option<f64> {
        let incline = *raw.get_ref();
        let (min, max) = INCLINE_PERCENT;
        if !(min..=max).contains(&incline) {
            self.error_with_help(
                raw.span(),
                format!("incline {incline}% is out of range"),
                format!("inclines run from {min}% to {max}%"),
            );
            return None;
        }
        Some(incline)
    }

    /// `Some(None)` is a step without reminders.
    pub(super) fn posture(
        &mut self,
        raw: Option<&Spanned<String>>,
        direction: Direction,
    ) -> Option<Option<PostureSet>> {
        let Some(raw) = raw else {
            return Some((direction == Direction::Backward).then_some(PostureSet::Form));
        };
        let set = match raw.get_ref().trim().to_lowercase().as_str() {
            "form" => Some(PostureSet::Form),
            "incline" => Some(PostureSet::Incline),
            "jog" => Some(PostureSet::Jog),
            "squat" => Some(PostureSet::Squat),
            "off" => None,
            other => {
                let mut help = format!("posture sets are {}", one_of(PostureSet::NAMES));
                if let Some(near) = nearest(other, PostureSet::NAMES) {
                    help = format!("did you mean `{near}`? {help}");
                }
                self.error_with_help(raw.span(), format!("unknown posture set `{other}`"), help);
                return None;
            }
        };
        Some(set)
    }
}
