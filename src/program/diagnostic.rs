//! Errors and warnings about a program file, pointing at the place in the
//! file they are about, rendered the way compilers do so a person can find
//! and fix the line.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use serde::Serialize;

use super::suggest::{nearest, one_of};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One finding about a program file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub file: String,
    /// 1-based line; 0 when the finding is about the file as a whole.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
    pub message: String,
    pub help: Option<String>,
    #[serde(skip)]
    excerpt: Option<Excerpt>,
}

#[derive(Debug, Clone, PartialEq)]
struct Excerpt {
    text: String,
    caret_from: usize,
    caret_len: usize,
}

impl Diagnostic {
    /// A finding about the whole file, with no position inside it.
    pub fn whole_file(severity: Severity, file: &str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            file: file.to_string(),
            line: 0,
            column: 0,
            message: message.into(),
            help: None,
            excerpt: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The same finding as an error, for `--strict`.
    pub fn as_error(mut self) -> Self {
        self.severity = Severity::Error;
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        if self.line == 0 {
            write!(f, "{}: {label}: {}", self.file, self.message)?;
        } else {
            write!(
                f,
                "{}:{}:{}: {label}: {}",
                self.file, self.line, self.column, self.message
            )?;
        }
        if let Some(excerpt) = &self.excerpt {
            let number = self.line.to_string();
            let pad = " ".repeat(number.len());
            write!(f, "\n{pad} |\n{number} | {}", excerpt.text)?;
            write!(
                f,
                "\n{pad} | {}{}",
                " ".repeat(excerpt.caret_from),
                "^".repeat(excerpt.caret_len.max(1))
            )?;
        }
        if let Some(help) = &self.help {
            write!(f, "\n  = help: {help}")?;
        }
        Ok(())
    }
}

/// The text of a program file with its name, able to turn byte spans into
/// lines, columns and excerpts.
#[derive(Debug)]
pub struct SourceFile {
    pub name: String,
    pub text: String,
}

/// Longest excerpt line shown under a diagnostic; longer lines are cut so a
/// one-line 10 MB file does not flood the terminal.
const EXCERPT_MAX_CHARS: usize = 120;

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Arc<Self> {
        Arc::new(SourceFile {
            name: name.into(),
            text: text.into(),
        })
    }

    pub fn error(&self, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        self.diagnostic(Severity::Error, span, message)
    }

    pub fn warning(&self, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        self.diagnostic(Severity::Warning, span, message)
    }

    /// Rewrites serde's and toml's wording into the project's: keys, not
    /// fields; the nearest allowed key; numbers, not f64.
    pub fn toml_error(&self, error: &toml::de::Error) -> Diagnostic {
        let span = error.span().unwrap_or(0..0);
        let message = error.message().trim();
        if let Some(rest) = message.strip_prefix("unknown field `") {
            return self.unknown_key(span, rest);
        }
        let friendly = message
            .replace("expected f64", "expected a number")
            .replace("expected i64", "expected a whole number")
            .replace("expected a boolean", "expected true or false")
            .replace("invalid type: ", "wrong kind of value: ")
            .replace("expected a sequence", "expected a list in [brackets]");
        self.error(span, friendly)
    }

    fn unknown_key(&self, span: Range<usize>, rest: &str) -> Diagnostic {
        let (typed, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let allowed: Vec<&str> = expected
            .split('`')
            .skip(1)
            .step_by(2)
            .filter(|k| !k.is_empty())
            .collect();
        let mut help = format!("the keys allowed here are {}", one_of(&allowed));
        if let Some(near) = nearest(typed, &allowed) {
            help = format!("did you mean `{near}`? {help}");
        }
        self.error(span, format!("unknown key `{typed}`"))
            .with_help(help)
    }

    pub fn diagnostic(
        &self,
        severity: Severity,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> Diagnostic {
        let start = floor_char_boundary(&self.text, span.start.min(self.text.len()));
        let end = floor_char_boundary(&self.text, span.end.clamp(start, self.text.len()));
        let line_start = self.text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = self.text[start..]
            .find('\n')
            .map_or(self.text.len(), |i| start + i);
        let line = self.text[..start].matches('\n').count() + 1;
        let line_text = self.text[line_start..line_end].trim_end_matches('\r');
        let column = self.text[line_start..start].chars().count() + 1;
        let caret_len = self.text[start..end.min(line_end)].chars().count();
        Diagnostic {
            severity,
            file: self.name.clone(),
            line,
            column,
            message: message.into(),
            help: None,
            excerpt: Some(excerpt(line_text, column - 1, caret_len)),
        }
    }
}

fn excerpt(line_text: &str, caret_from: usize, caret_len: usize) -> Excerpt {
    let shown: String = line_text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(EXCERPT_MAX_CHARS)
        .collect();
    let caret_from = caret_from.min(EXCERPT_MAX_CHARS);
    let caret_len = caret_len.min(EXCERPT_MAX_CHARS.saturating_sub(caret_from));
    Excerpt {
        text: shown,
        caret_from,
        caret_len,
    }
}

fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_at_line_and_column_with_an_excerpt() {
        let file = SourceFile::new("a.toml", "name = \"x\"\nspeed = 25\n");
        let d = file.error(19..21, "too fast");
        assert_eq!((d.line, d.column), (2, 9));
        let shown = d.to_string();
        assert!(shown.starts_with("a.toml:2:9: error: too fast"), "{shown}");
        assert!(shown.contains("2 | speed = 25\n  |         ^^"), "{shown}");
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let file = SourceFile::new("a.toml", "name = \"Rückwärts\" x");
        let d = file.error(21..22, "stray");
        assert_eq!(d.column, 20);
    }

    #[test]
    fn spans_past_the_end_do_not_panic() {
        let file = SourceFile::new("a.toml", "é");
        let d = file.error(1..99, "odd");
        assert_eq!(d.line, 1);
    }
}
