//! `treadcuectl export`: the history as a file other tools read. CSV for
//! now: one file, a row per session, the columns of the history's
//! fields (`HISTORY_FIELDS`), as RFC 4180 writes it, so a spreadsheet or
//! a clinic's own tools take it as it is.

use std::path::{Path, PathBuf};

use clap::ValueEnum;
use serde_json::{Map, Value};

use super::TreadcueProxy;
use super::history::{all_rows, local_time};
use crate::calendar::Date;
use crate::controller::HISTORY_FIELDS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One file, treadcue-history.csv, a row per session.
    Csv,
}

/// The file `export` writes into the folder.
pub const CSV_FILE: &str = "treadcue-history.csv";

pub(super) async fn export(
    proxy: &TreadcueProxy<'_>,
    format: Format,
    since: Option<Date>,
    until: Option<Date>,
    folder: &Path,
) -> zbus::Result<()> {
    let mut rows = all_rows(proxy).await?;
    rows.retain(|row| within(row, since, until));
    let Format::Csv = format;
    let path = folder.join(CSV_FILE);
    write(&path, csv(&rows).as_bytes())
        .map_err(|e| zbus::Error::Failure(format!("cannot write {}: {e}", path.display())))?;
    println!("{} sessions in {}", rows.len(), path.display());
    Ok(())
}

/// Whether the session started on a local date from `since` to `until`,
/// both included.
fn within(row: &Map<String, Value>, since: Option<Date>, until: Option<Date>) -> bool {
    let start = row.get("start").and_then(Value::as_str).unwrap_or_default();
    let Some(date) = local_time(start).map(|t| t.date) else {
        return since.is_none() && until.is_none();
    };
    since.is_none_or(|since| date >= since) && until.is_none_or(|until| date <= until)
}

/// Writes the file whole or not at all: a new file renamed into place.
fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let folder = path.parent().unwrap_or(Path::new("."));
    if !folder.is_dir() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("{} is not a folder", folder.display()),
        ));
    }
    let partial: PathBuf = path.with_extension("csv.partial");
    std::fs::write(&partial, bytes)?;
    std::fs::rename(&partial, path)
}

/// The rows as CSV: a header of the field names, then a line per row;
/// a field with nothing to say is empty.
pub fn csv(rows: &[Map<String, Value>]) -> String {
    let mut out = String::new();
    push_line(&mut out, HISTORY_FIELDS.iter().map(|f| f.to_string()));
    for row in rows {
        push_line(
            &mut out,
            HISTORY_FIELDS
                .iter()
                .map(|field| cell(row.get(*field).unwrap_or(&Value::Null))),
        );
    }
    out
}

fn cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// One line, fields quoted where RFC 4180 says they must be.
fn push_line(out: &mut String, fields: impl Iterator<Item = String>) {
    let quoted: Vec<String> = fields.map(|field| quote(&field)).collect();
    out.push_str(&quoted.join(","));
    out.push_str("\r\n");
}

fn quote(field: &str) -> String {
    if field.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_with_commas_quotes_and_lines_are_quoted_and_nulls_are_empty() {
        let row = json!({"program": "knee", "program_name": "Knee, \"gentle\"\nweek 1",
            "walked": 61.5, "completed": true, "course": null});
        let text = csv(&[row.as_object().unwrap().clone()]);
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(lines[0], HISTORY_FIELDS.join(","));
        assert!(
            lines[1].starts_with("knee,\"Knee, \"\"gentle\"\"\nweek 1\","),
            "{text}"
        );
        assert!(text.ends_with("\r\n"));
    }
}
