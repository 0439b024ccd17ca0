//! Zwift run workouts (`.zwo`) as treadcue programs. A workout is read
//! (`read`), its speeds found from the walker's threshold pace (`pace`),
//! capped for walking, and written as a treadcue program in TOML, which
//! then goes through the same parser, checks and plan as any program: a
//! `.zwo` and the TOML that `treadcued import` writes of it play the
//! same.
//!
//! Each block is one step, forward unless marked backward: a ramp
//! (`Warmup`, `Cooldown`, `Ramp`) is walked at its middle speed with its
//! span said in the step's note, so the belt does not change every few
//! seconds; `IntervalsT` is written out repeat by repeat, so every text
//! event lands in the repeat it belongs to; `FreeRide` walks at 65% of
//! the threshold speed, "your own pace"; `MaxEffort` is refused.

mod pace;
mod read;
mod workout;

use std::fmt::Write as _;

pub use pace::Pace;
use workout::{Block, Kind, Workout};

use crate::program::{Diagnostic, Severity, SourceFile};

/// The fastest an imported step walks forward unless the config says
/// otherwise, in km/h (4 mph): a walk, whatever a runner's workout asks.
pub const DEFAULT_MAX_SPEED_KMH: f64 = 6.4;
/// The fastest an imported step walks backward, in km/h (3.5 mph, the
/// safety checks' backward cap).
pub const MAX_BACKWARD_KMH: f64 = 5.6;
/// The slowest step, in km/h: a treadmill's belt barely moves below.
const MIN_SPEED_KMH: f64 = 1.0;
/// A `FreeRide` block's speed, as a share of the threshold speed.
const FREE_SHARE: f64 = 0.65;
/// The note of a step at the walker's own pace.
const OWN_PACE: &str = "Your own pace: slow the belt or speed it up as you like.";
/// Shortest step treadcue plays.
const MIN_SECONDS: f64 = 5.0;

/// What the walker's side brings to an import.
#[derive(Debug, Clone, PartialEq)]
pub struct ZwoOptions {
    /// The walker's threshold pace; without it, the file's
    /// `thresholdSecPerKm`; without either the import fails.
    pub threshold: Option<Pace>,
    /// The fastest forward step, km/h.
    pub max_speed_kmh: f64,
    /// Steps (from 1) to walk backward.
    pub backward: Vec<usize>,
}

impl Default for ZwoOptions {
    fn default() -> Self {
        ZwoOptions {
            threshold: None,
            max_speed_kmh: DEFAULT_MAX_SPEED_KMH,
            backward: Vec::new(),
        }
    }
}

/// A workout as a treadcue program, with what the import changed.
#[derive(Debug, Clone)]
pub struct Imported {
    pub toml: String,
    /// Speeds capped, and where the threshold came from: warnings to show.
    pub notes: Vec<Diagnostic>,
}

/// One step of the program being written.
struct Step {
    seconds: f64,
    kmh: f64,
    /// Percent.
    incline: f64,
    backward: bool,
    note: Option<String>,
    says: Vec<(f64, String)>,
    /// The block it comes from, for errors and notes.
    block: usize,
}

/// Imports the `.zwo` text of `file`.
pub fn import(text: &str, file: &str, options: &ZwoOptions) -> Result<Imported, Vec<Diagnostic>> {
    let source = SourceFile::new(file, text);
    let workout = read::read(&source)?;
    let mut notes = Vec::new();
    let threshold = threshold(&workout, options, file, &mut notes)?;
    let mut steps = Vec::new();
    let mut errors = Vec::new();
    for (index, block) in workout.blocks.iter().enumerate() {
        steps_of(block, index, threshold, &mut steps);
        check_texts(&source, block, &mut errors);
    }
    place_workout_texts(&source, &workout, &mut steps, &mut errors);
    mark_backward(&mut steps, &options.backward, file, &mut errors);
    for step in &mut steps {
        cap(
            step,
            &workout.blocks[step.block],
            options,
            &source,
            &mut notes,
        );
        if step.seconds < MIN_SECONDS && errors.len() < read::MAX_ERRORS {
            let block = &workout.blocks[step.block];
            let message = format!(
                "<{}> makes a step of {:.1} s: treadcue's steps last at least {MIN_SECONDS} s",
                block.element, step.seconds
            );
            errors.push(source.error(block.span.clone(), message));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Imported {
        toml: write_program(&workout, file, threshold, &steps),
        notes,
    })
}

/// The walker's threshold pace, else the file's; else an error.
fn threshold(
    workout: &Workout,
    options: &ZwoOptions,
    file: &str,
    notes: &mut Vec<Diagnostic>,
) -> Result<Pace, Vec<Diagnostic>> {
    if let Some(pace) = options.threshold {
        return Ok(pace);
    }
    if let Some(seconds) = workout.threshold {
        let pace = Pace(seconds);
        notes.push(Diagnostic::whole_file(
            Severity::Warning,
            file,
            format!(
                "speeds follow the file's own threshold pace, {} per km (its author's, \
                 not yours): set yours with --threshold-pace or [zwo] threshold_pace",
                pace.label()
            ),
        ));
        return Ok(pace);
    }
    Err(vec![
        Diagnostic::whole_file(
            Severity::Error,
            file,
            "no threshold pace: a Zwift run workout gives its speeds as shares of the \
             walker's threshold pace, and treadcue plays nothing at a guessed speed",
        )
        .with_help(
            "set it in the config ([zwo] threshold_pace = \"9:00\", minutes per km) or \
             with --threshold-pace 9:00",
        ),
    ])
}

/// The speed of `power` at the block's reference pace, in km/h.
fn speed(threshold: Pace, block: &Block, power: f64) -> f64 {
    threshold.reference(block.pace).kmh() * power
}

fn steps_of(block: &Block, index: usize, threshold: Pace, steps: &mut Vec<Step>) {
    let step = |seconds: f64, kmh: f64, note: Option<String>| Step {
        seconds,
        kmh,
        incline: 0.0,
        backward: false,
        note,
        says: Vec::new(),
        block: index,
    };
    let first = steps.len();
    match &block.kind {
        Kind::Steady { seconds, power } => {
            steps.push(step(*seconds, speed(threshold, block, *power), None))
        }
        Kind::Ramp { seconds, low, high } => {
            let (from, to) = (
                speed(threshold, block, *low),
                speed(threshold, block, *high),
            );
            let note = format!(
                "A ramp from {from:.1} to {to:.1} kilometres an hour, walked at the middle."
            );
            steps.push(step(*seconds, (from + to) / 2.0, Some(note)));
        }
        Kind::Intervals { repeat, on, off } => {
            for _ in 0..*repeat {
                for part in [on, off].into_iter().filter(|p| p.seconds > 0.0) {
                    let kmh = part
                        .power
                        .map_or(threshold.kmh() * FREE_SHARE, |p| speed(threshold, block, p));
                    let note = part.power.is_none().then(|| OWN_PACE.to_string());
                    let mut walked = step(part.seconds, kmh, note);
                    walked.incline = part.slope.unwrap_or(0.0);
                    steps.push(walked);
                }
            }
        }
        Kind::Free { seconds } => {
            let note = OWN_PACE.to_string();
            steps.push(step(*seconds, threshold.kmh() * FREE_SHARE, Some(note)));
        }
    }
    // Each text event goes to the step it falls in, at its time there.
    for text in &block.texts {
        let mut at = text.offset;
        for step in &mut steps[first..] {
            if at < step.seconds {
                step.says.push((at, text.message.clone()));
                break;
            }
            at -= step.seconds;
        }
    }
}

/// Texts of `<workout>` itself, placed from its start into the step they
/// fall in.
fn place_workout_texts(
    source: &SourceFile,
    workout: &Workout,
    steps: &mut [Step],
    errors: &mut Vec<Diagnostic>,
) {
    for text in &workout.texts {
        let mut at = text.offset;
        let step = steps.iter_mut().find(|step| {
            let here = at < step.seconds;
            if !here {
                at -= step.seconds;
            }
            here
        });
        match step {
            Some(step) => step.says.push((at, text.message.clone())),
            None => errors.push(source.error(
                text.span.clone(),
                format!("timeoffset {} is past the end of the workout", text.offset),
            )),
        }
        errors.extend(too_long(source, text));
    }
}

/// An error when `text` is longer than treadcue says.
fn too_long(source: &SourceFile, text: &workout::Text) -> Option<Diagnostic> {
    let chars = text.message.chars().count();
    let most = crate::program::limits::MAX_TEXT_CHARS;
    (chars > most).then(|| {
        let message =
            format!("this message is {chars} characters long: treadcue says at most {most}");
        source.error(text.span.clone(), message)
    })
}

/// Text events that treadcue could not say: too long, or at the very end
/// of their block.
fn check_texts(source: &SourceFile, block: &Block, errors: &mut Vec<Diagnostic>) {
    let length = block.kind.seconds();
    for text in &block.texts {
        errors.extend(too_long(source, text));
        if text.offset >= length {
            let message = format!(
                "timeoffset {} is at or past the end of its block ({length} s long)",
                text.offset
            );
            errors.push(source.error(text.span.clone(), message));
        }
    }
}

fn mark_backward(steps: &mut [Step], backward: &[usize], file: &str, errors: &mut Vec<Diagnostic>) {
    for &number in backward {
        match number.checked_sub(1).and_then(|i| steps.get_mut(i)) {
            Some(step) => step.backward = true,
            None => errors.push(Diagnostic::whole_file(
                Severity::Error,
                file,
                format!(
                    "--backward {number}: the workout makes steps 1 to {}",
                    steps.len()
                ),
            )),
        }
    }
}

/// Keeps a step's speed within walking: the caps win over the workout.
fn cap(
    step: &mut Step,
    block: &Block,
    options: &ZwoOptions,
    source: &SourceFile,
    notes: &mut Vec<Diagnostic>,
) {
    let top = if step.backward {
        options.max_speed_kmh.min(MAX_BACKWARD_KMH)
    } else {
        options.max_speed_kmh
    };
    let wanted = step.kmh;
    step.kmh = wanted.clamp(MIN_SPEED_KMH, top.max(MIN_SPEED_KMH));
    step.kmh = (step.kmh * 10.0).round() / 10.0;
    if (step.kmh - wanted).abs() >= 0.05 && notes.len() < read::MAX_ERRORS {
        let way = if wanted > step.kmh {
            "capped"
        } else {
            "raised"
        };
        let message = format!(
            "<{}> asks for {wanted:.1} km/h: {way} to {:.1} km/h{}",
            block.element,
            step.kmh,
            if step.backward {
                " (walked backward)"
            } else {
                ""
            }
        );
        notes.push(source.warning(block.span.clone(), message));
    }
}

/// A TOML string, quoted and escaped.
fn quoted(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

fn write_program(workout: &Workout, file: &str, threshold: Pace, steps: &[Step]) -> String {
    let mut out = String::new();
    let source = std::path::Path::new(file)
        .file_name()
        .map_or_else(|| file.to_string(), |n| n.to_string_lossy().into_owned());
    let _ = writeln!(
        out,
        "# Imported from the Zwift workout {source}, at a threshold pace of {} per km.",
        threshold.label()
    );
    let _ = writeln!(
        out,
        "# Every step is forward unless marked; edit directions and notes freely."
    );
    let name = match workout.name.trim() {
        "" => "Imported workout".to_string(),
        name => name
            .chars()
            .take(crate::program::limits::MAX_NAME_CHARS)
            .collect(),
    };
    let _ = writeln!(out, "name = {}", quoted(&name));
    if !workout.description.trim().is_empty() {
        let description: String = workout
            .description
            .chars()
            .filter(|c| !c.is_control() || *c == '\n')
            .take(crate::program::limits::MAX_DESCRIPTION_CHARS)
            .collect();
        let _ = writeln!(out, "description = {}", quoted(description.trim()));
    }
    let _ = writeln!(out, "units = \"km/h\"");
    for step in steps {
        let direction = if step.backward { "backward" } else { "forward" };
        let _ = writeln!(out, "\n[[steps]]\ndirection = \"{direction}\"");
        let _ = writeln!(
            out,
            "duration = \"{}ms\"",
            (step.seconds * 1000.0).round() as u64
        );
        let _ = writeln!(out, "speed = {:.1}", step.kmh);
        if step.incline != 0.0 {
            let _ = writeln!(out, "incline = {:.1}", step.incline);
        }
        if let Some(note) = &step.note {
            let _ = writeln!(out, "note = {}", quoted(note));
        }
        if !step.says.is_empty() {
            let says: Vec<String> = step
                .says
                .iter()
                .map(|(at, text)| {
                    format!(
                        "{{ at = \"{}ms\", text = {} }}",
                        (at * 1000.0).round() as u64,
                        quoted(text)
                    )
                })
                .collect();
            let _ = writeln!(out, "say = [{}]", says.join(", "));
        }
    }
    out
}

#[cfg(test)]
mod tests;
