//! Turns a program file into a [`Program`], or into every error found in
//! it, each pointing at its place in the file.

mod cues;
mod steps;

use std::ops::Range;
use std::time::Duration;

use toml::Spanned;

use super::diagnostic::{Diagnostic, Severity, SourceFile};
use super::limits::*;
use super::raw::{RawCues, RawProgram};
use super::suggest::{nearest, one_of};

use super::{CueOverrides, Direction, Program, Role, Step, Units};

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
