//! `treadcuectl export`: the history as files other tools read. CSV is
//! one file, a row per session, the columns of the history's fields
//! (`HISTORY_FIELDS`), as RFC 4180 writes it, so a spreadsheet or a
//! clinic's own tools take it as it is. FIT and TCX are a file per
//! session, made by the daemon (`io.github.treadcue.Treadcue1.Export`),
//! as is the physiotherapist's report (`treadcuectl report`).

use std::path::{Path, PathBuf};

use clap::ValueEnum;
use serde_json::{Map, Value};
use zbus::proxy;

use super::TreadcueProxy;
use super::history::{all_rows, local_time};
use crate::calendar::Date;
use crate::controller::{HISTORY_FIELDS, Whose};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A FIT activity file per session: Garmin Connect, Strava,
    /// intervals.icu.
    Fit,
    /// A TCX file per session, for tools that take no FIT.
    Tcx,
    /// One file, treadcue-history.csv, a row per session.
    Csv,
}

#[proxy(
    interface = "io.github.treadcue.Treadcue1.Export",
    default_service = "io.github.treadcue.Treadcue1",
    default_path = "/io/github/treadcue/Treadcue1"
)]
pub trait Export {
    fn session_file(&self, session: i64, format: &str) -> zbus::Result<(String, Vec<u8>)>;
    fn walker_report(
        &self,
        walker: &str,
        since: &str,
        until: &str,
    ) -> zbus::Result<(String, Vec<u8>)>;
}

/// The file `export` writes into the folder.
pub const CSV_FILE: &str = "treadcue-history.csv";

/// What to export, and where.
pub(super) struct Wanted<'a> {
    pub format: Format,
    pub whose: Whose,
    pub since: Option<Date>,
    pub until: Option<Date>,
    pub folder: &'a Path,
}

pub(super) async fn export(
    connection: &zbus::Connection,
    proxy: &TreadcueProxy<'_>,
    wanted: Wanted<'_>,
) -> zbus::Result<()> {
    if let (Some(since), Some(until)) = (wanted.since, wanted.until)
        && since > until
    {
        return Err(zbus::Error::Failure(format!(
            "the period starts (--since {since}) after it ends (--until {until}): nothing to export"
        )));
    }
    let mut rows = all_rows(proxy, &wanted.whose).await?;
    rows.retain(|row| within(row, wanted.since, wanted.until));
    let folder = wanted.folder;
    let format = match wanted.format {
        Format::Csv => {
            let path = folder.join(CSV_FILE);
            write(&path, csv(&rows).as_bytes()).map_err(|e| cannot_write(&path, e))?;
            println!("{} sessions in {}", rows.len(), path.display());
            return Ok(());
        }
        Format::Fit => "fit",
        Format::Tcx => "tcx",
    };
    check_folder(folder).map_err(|e| cannot_write(folder, e))?;
    let files = ExportProxy::new(connection).await?;
    for row in &rows {
        let session = row.get("session").and_then(Value::as_i64).unwrap_or(0);
        let (name, contents) = files.session_file(session, format).await?;
        // The daemon names the file; only its last part is taken.
        let name = Path::new(&name).file_name().unwrap_or_default();
        let path = folder.join(name);
        write(&path, &contents).map_err(|e| cannot_write(&path, e))?;
    }
    println!(
        "{} sessions as {format} files in {}",
        rows.len(),
        folder.display()
    );
    Ok(())
}

/// `treadcuectl report`: the daemon makes the PDF; it is written to
/// `output`, or into it under the daemon's name when it is a folder.
/// The walker's report (the active walker's when `walker` is empty).
pub(super) async fn report(
    connection: &zbus::Connection,
    walker: &str,
    (since, until): (Option<Date>, Option<Date>),
    output: &Path,
) -> zbus::Result<()> {
    let text = |date: Option<Date>| date.map(|d| d.to_string()).unwrap_or_default();
    let files = ExportProxy::new(connection).await?;
    let (name, contents) = files
        .walker_report(walker, &text(since), &text(until))
        .await?;
    let path = if output.is_dir() {
        output.join(Path::new(&name).file_name().unwrap_or_default())
    } else {
        output.to_path_buf()
    };
    write(&path, &contents).map_err(|e| cannot_write(&path, e))?;
    println!("The report is in {}", path.display());
    Ok(())
}

fn cannot_write(path: &Path, e: std::io::Error) -> zbus::Error {
    zbus::Error::Failure(format!("cannot write {}: {e}", path.display()))
}

fn check_folder(folder: &Path) -> std::io::Result<()> {
    if folder.is_dir() {
        return Ok(());
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::NotFound,
        format!("{} is not a folder", folder.display()),
    ))
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
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty());
    check_folder(folder.unwrap_or(Path::new(".")))?;
    let mut partial: PathBuf = path.to_path_buf();
    partial.as_mut_os_string().push(".partial");
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
