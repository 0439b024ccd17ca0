//! A text with `{name}` placeholders, filled when it is said.

use std::fmt;

use serde::Deserialize;

/// A text with `{name}` placeholders.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(transparent)]
pub struct Template(String);

impl Template {
    /// The text as written, placeholders and all.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Fills the placeholders; values not named in the text are ignored.
    pub fn fill(&self, values: &[(&str, &str)]) -> String {
        let mut out = self.0.clone();
        for (name, value) in values {
            out = out.replace(&format!("{{{name}}}"), value);
        }
        out
    }

    pub fn placeholders(&self) -> impl Iterator<Item = &str> {
        self.0
            .split('{')
            .skip(1)
            .filter_map(|part| part.split_once('}').map(|(name, _)| name))
    }
}

impl From<&str> for Template {
    fn from(text: &str) -> Self {
        Template(text.to_string())
    }
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
