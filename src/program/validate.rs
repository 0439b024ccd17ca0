//! Turns a program file into a [`Program`], or into every error found in
//! it, each pointing at its place in the file.

use std::ops::Range;
use std::sync::Arc;
use std::time::Duration;

use toml::Spanned;

use super::diagnostic::{Diagnostic, Severity, SourceFile};
use super::limits::*;
use super::raw::{REPEAT_KEYS, RawCues, RawDuration, RawItem, RawProgram, RawTextCue};
use super::suggest::{nearest, one_of};

use super::{CueOverrides, Direction, PostureSet, Program, Role, Round, Step, TextCue, Units};

/// Parses and validates a program file's bytes. `id` names the program
/// (the file's stem); `file` is how diagnostics name the file.
pub fn parse(id: &str, file: &str, bytes: &[u8]) -> Result<Program, Vec<Diagnostic>> {
    let text = file_text(file, bytes, "program", "`steps`")?;
    let source = SourceFile::new(file, text);
    let raw: RawProgram = toml::from_str(text).map_err(|e| vec![source.toml_error(&e)])?;
    let mut validator = Validator::new(&source);
    let program = validator.program(id, raw);
    match program {
        Some(program) if validator.errors.is_empty() => Ok(Program {
            source: source.clone(),
            ..program
        }),
        _ => Err(validator.into_errors()),
    }
}

/// A file's bytes as the text of a `kind` ("program", "course"): not too
/// big, UTF-8, not empty (an empty one is told it needs a `name` and
/// `needs`).
pub fn file_text<'a>(
    file: &str,
    bytes: &'a [u8],
    kind: &str,
    needs: &str,
) -> Result<&'a str, Vec<Diagnostic>> {
    let whole = |message: String| vec![Diagnostic::whole_file(Severity::Error, file, message)];
    if bytes.len() > MAX_FILE_BYTES {
        return Err(whole(format!(
            "the file is {} bytes; a {kind} file may be at most {MAX_FILE_BYTES} bytes",
            bytes.len()
        )));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        whole(format!(
            "the file is not UTF-8 text (bad byte at offset {}); is it a {kind} file?",
            e.valid_up_to()
        ))
    })?;
    if text.trim().is_empty() {
        return Err(whole(format!(
            "the file is empty: a {kind} needs a `name` and {needs}"
        )));
    }
    Ok(text)
}

/// A text a person wrote (a name, a note), trimmed, or why it is refused:
/// empty, longer than `max_chars`, or with a control character.
pub fn checked_text(text: &str, what: &str, max_chars: usize) -> Result<String, String> {
    let text = text.trim();
    let chars = text.chars().count();
    if text.is_empty() {
        Err(format!("{what} is empty"))
    } else if chars > max_chars {
        Err(format!(
            "{what} is {chars} characters long; at most {max_chars} are allowed"
        ))
    } else if text.chars().any(char::is_control) {
        Err(format!("{what} contains a control character"))
    } else {
        Ok(text.to_string())
    }
}

/// Checks a `[cues]` table found in another file (the config file) the
/// way a program's own is checked.
pub fn cue_overrides(source: &SourceFile, raw: &RawCues) -> Result<CueOverrides, Vec<Diagnostic>> {
    let mut validator = Validator::new(source);
    let overrides = validator.cues(raw);
    if validator.errors.is_empty() {
        Ok(overrides)
    } else {
        Err(validator.into_errors())
    }
}

/// A step or a repeat block before unrolling, so the total length can be
/// checked before any memory is spent on the unrolled list.
enum Node {
    Step(Step),
    Repeat { count: u32, children: Vec<Node> },
}

impl Node {
    fn total(&self) -> Duration {
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

    fn unroll(&self, round: Option<Round>, out: &mut Vec<Step>) {
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

struct Validator<'a> {
    source: &'a SourceFile,
    errors: Vec<Diagnostic>,
    /// Errors found past [`MAX_ERRORS`]: counted, not built.
    more: usize,
}

/// Errors shown for one file; the rest are counted. A broken file of a
/// megabyte costs milliseconds, not minutes, and a screen, not a flood.
pub const MAX_ERRORS: usize = 50;

impl Validator<'_> {
    fn new(source: &SourceFile) -> Validator<'_> {
        Validator {
            source,
            errors: Vec::new(),
            more: 0,
        }
    }

    /// Whether another error is still shown.
    fn room(&mut self) -> bool {
        if self.errors.len() < MAX_ERRORS {
            return true;
        }
        self.more += 1;
        false
    }

    fn error(&mut self, span: Range<usize>, message: impl Into<String>) {
        if self.room() {
            self.errors.push(self.source.error(span, message));
        }
    }

    fn error_with_help(
        &mut self,
        span: Range<usize>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        if self.room() {
            self.errors
                .push(self.source.error(span, message).with_help(help));
        }
    }

    /// The errors found, with a last line for those not shown.
    fn into_errors(mut self) -> Vec<Diagnostic> {
        if self.more > 0 {
            self.errors.push(Diagnostic::whole_file(
                Severity::Error,
                &self.source.name,
                format!("and {} more error(s) not shown; fix these first", self.more),
            ));
        }
        self.errors
    }

    fn program(&mut self, id: &str, raw: RawProgram) -> Option<Program> {
        let name = match &raw.name {
            Some(name) => self.text(name, "the program's name", MAX_NAME_CHARS),
            None => {
                self.error_with_help(
                    0..0,
                    "the program has no `name`",
                    "add a line like `name = \"First steps\"` at the top",
                );
                None
            }
        };
        let description = raw
            .description
            .as_ref()
            .and_then(|d| self.text(d, "the description", MAX_DESCRIPTION_CHARS))
            .unwrap_or_default();
        let units = self.units(raw.units.as_ref());
        let cues = raw
            .cues
            .as_ref()
            .map(|c| self.cues(c.get_ref()))
            .unwrap_or_default();
        let steps = self.steps(raw.steps.as_ref(), units);
        Some(Program {
            id: id.to_string(),
            name: name?,
            description,
            units,
            experienced: raw.experienced.unwrap_or(false),
            cues,
            steps: steps?,
            preface: None,
            source: SourceFile::new("", ""),
        })
    }

    fn units(&mut self, raw: Option<&Spanned<String>>) -> Units {
        let Some(raw) = raw else { return Units::Mph };
        match raw.get_ref().trim().to_lowercase().as_str() {
            "mph" => Units::Mph,
            "km/h" | "kmh" | "kph" => Units::Kmh,
            other => {
                let allowed = ["mph", "km/h"];
                let mut help = format!("units are {}", one_of(&allowed));
                if let Some(near) = nearest(other, &allowed) {
                    help = format!("did you mean `{near}`? {help}");
                }
                self.error_with_help(raw.span(), format!("unknown units `{other}`"), help);
                Units::Mph
            }
        }
    }

    fn steps(
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

    fn items(&mut self, items: &[Spanned<RawItem>], depth: usize, units: Units) -> Vec<Node> {
        items
            .iter()
            .filter_map(|item| self.item(item, depth, units))
            .collect()
    }

    fn item(&mut self, item: &Spanned<RawItem>, depth: usize, units: Units) -> Option<Node> {
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

    fn repeat(
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

    fn step(&mut self, item: &Spanned<RawItem>, units: Units) -> Option<Step> {
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

    fn direction(
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

    fn step_duration(
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

    fn speed(
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

    fn incline(&mut self, raw: &Spanned<f64>) -> Option<f64> {
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
    fn posture(
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

    fn text_cues(
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

    fn text_cue(&mut self, cue: &Spanned<RawTextCue>, step: Option<Duration>) -> Option<TextCue> {
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

    fn cues(&mut self, raw: &RawCues) -> CueOverrides {
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

    fn within(
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

    fn at_least(
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

    fn duration(&mut self, raw: &Spanned<RawDuration>, what: &str) -> Option<Duration> {
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

    fn text(&mut self, raw: &Spanned<String>, what: &str, max_chars: usize) -> Option<String> {
        checked_text(raw.get_ref(), what, max_chars)
            .map_err(|message| self.error(raw.span(), message))
            .ok()
    }
}

/// Gives each step its place: forward steps before the first backward one
/// warm up, the last step after the last backward one cools down, and
/// the forward steps between recover (the recovery of a repeated bout
/// that follows its last backward step too: one program has one
/// cool-down).
fn assign_roles(steps: &mut [Step]) {
    let final_step = steps.len().saturating_sub(1);
    let first = steps
        .iter()
        .position(|s| s.direction == Direction::Backward);
    let last = steps
        .iter()
        .rposition(|s| s.direction == Direction::Backward);
    for (i, step) in steps.iter_mut().enumerate() {
        step.role = match (step.direction, first, last) {
            (Direction::Backward, _, _) => Role::Backward,
            (_, Some(first), _) if i < first => Role::WarmUp,
            (_, _, Some(last)) if i > last && i == final_step => Role::CoolDown,
            (_, Some(_), Some(_)) => Role::Recover,
            _ => Role::Walk,
        };
    }
}

/// A duration as a clock reading: "4:05:00", "12:30", "0:45.5".
pub fn clock(d: Duration) -> String {
    let millis = d.as_millis();
    let secs = millis / 1000;
    let frac = millis % 1000;
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    let mut out = if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    };
    if frac != 0 {
        out.push_str(&format!(".{}", format!("{frac:03}").trim_end_matches('0')));
    }
    out
}
