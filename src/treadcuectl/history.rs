//! `treadcuectl history`: the sessions walked, in local time, filtered by
//! date or count.

use std::time::Duration;

use serde_json::{Map, Value};
use unicode_width::UnicodeWidthStr;

use super::TreadcueProxy;
use super::bluetooth::Measured;
use crate::calendar::{Date, LocalTime, local};
use crate::controller::{HISTORY_FIELDS, HISTORY_PAGE_MAX, Whose};
use crate::frontend::dbus::record;
use crate::program::clock;

/// Which sessions `history` shows, and how.
pub(super) struct Shown {
    pub json: bool,
    pub limit: Option<usize>,
    pub since: Option<Date>,
    pub whose: Whose,
}

pub(super) async fn history(proxy: &TreadcueProxy<'_>, shown: Shown) -> zbus::Result<()> {
    let Shown {
        json,
        limit,
        since,
        whose,
    } = shown;
    let every_walker = whose == Whose::All;
    let mut rows = all_rows(proxy, &whose).await?;
    if let Some(since) = since {
        rows.retain(|row| local_time(&text(row, "start")).is_some_and(|t| t.date >= since));
    }
    if let Some(limit) = limit {
        let skip = rows.len().saturating_sub(limit);
        rows.drain(..skip);
    }
    if json {
        let rows = rows.into_iter().map(Value::Object).collect();
        println!("{}", Value::Array(rows));
        return Ok(());
    }
    if rows.is_empty() {
        println!("No sessions yet.");
    }
    let width = rows
        .iter()
        .map(|row| text(row, "walker").width())
        .max()
        .unwrap_or(0);
    for row in rows {
        if every_walker {
            let walker = text(&row, "walker");
            let pad = " ".repeat(width - walker.width());
            println!("{walker}{pad}  {}", line(&row));
        } else {
            println!("{}", line(&row));
        }
    }
    Ok(())
}

/// Every session of the history of `whose`, oldest first, read a page at
/// a time: each the daemon's one row, with the fields `HISTORY_FIELDS`
/// names.
pub(super) async fn all_rows(
    proxy: &TreadcueProxy<'_>,
    whose: &Whose,
) -> zbus::Result<Vec<Map<String, Value>>> {
    let page = HISTORY_PAGE_MAX as u32;
    let mut rows = Vec::new();
    let mut offset = 0;
    loop {
        let (records, total) = match whose {
            Whose::Active => proxy.history_records(offset, page).await?,
            Whose::Named(name) => proxy.walker_history_records(name, offset, page).await?,
            Whose::All => proxy.walker_history_records("", offset, page).await?,
        };
        let got = records.len() as u32;
        let older = records
            .iter()
            .map(|record| record::fields(record, &HISTORY_FIELDS));
        // Pages come newest first; each is oldest first within.
        rows.splice(0..0, older);
        offset += got;
        if got == 0 || offset >= total {
            return Ok(rows);
        }
    }
}

fn text(row: &Map<String, Value>, name: &str) -> String {
    row.get(name)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn number(row: &Map<String, Value>, name: &str) -> Option<f64> {
    row.get(name).and_then(Value::as_f64)
}

/// One session on one line.
fn line(row: &Map<String, Value>) -> String {
    let start = text(row, "start");
    let when = local_time(&start).map_or(start, |t| t.to_string());
    // Whole seconds, one format for every row.
    let seconds = |s: f64| clock(Duration::from_secs(s.max(0.0).round() as u64));
    let walked = seconds(number(row, "walked").unwrap_or(0.0));
    let backward = seconds(number(row, "walked_backward").unwrap_or(0.0));
    let backward_part = format!("back {backward:>5}");
    let top = match (number(row, "top_backward_speed"), text(row, "units")) {
        (Some(top), units) if top > 0.0 => format!("  top backward {top} {units}"),
        _ => String::new(),
    };
    let steps = format!(
        "{}/{} steps",
        number(row, "steps_done").unwrap_or(0.0),
        number(row, "step_count").unwrap_or(0.0)
    );
    let course = match number(row, "course_session") {
        Some(session) => format!(
            "  ({} session {}, {})",
            text(row, "course"),
            session as u64 + 1,
            text(row, "rating")
        ),
        None => String::new(),
    };
    let measured = Measured {
        distance_m: number(row, "distance_m"),
        heart_average: number(row, "heart_rate_average").map(|n| n as u32),
        heart_max: number(row, "heart_rate_max").map(|n| n as u32),
        minutes_above: number(row, "minutes_above_limit"),
    }
    .words();
    let measured = if measured.is_empty() {
        String::new()
    } else {
        format!("  [{measured}]")
    };
    format!(
        "{when}  {:<22} {walked:>7}  {backward_part}  {steps:<12} {:<11}  {}{course}{top}{measured}",
        text(row, "program"),
        text(row, "outcome"),
        text(row, "program_name"),
    )
}

/// `--since`'s value.
pub(super) fn parse_date(text: &str) -> Result<Date, String> {
    text.parse()
}

/// An RFC 3339 time from the daemon, on the local clock.
pub(super) fn local_time(rfc3339: &str) -> Option<LocalTime> {
    local(humantime::parse_rfc3339(rfc3339).ok()?)
}

/// Minutes walked forward and backward, week by week (weeks start on
/// Monday, local time).
pub(super) async fn weeks(proxy: &TreadcueProxy<'_>, json: bool) -> zbus::Result<()> {
    let weeks = proxy.weekly_minutes().await?;
    if json {
        let rows: Vec<serde_json::Value> = weeks
            .iter()
            .map(|(week, forward, backward)| {
                serde_json::json!({"week": week, "forward_minutes": forward, "backward_minutes": backward})
            })
            .collect();
        println!("{}", serde_json::Value::Array(rows));
        return Ok(());
    }
    if weeks.is_empty() {
        println!("No sessions yet.");
    }
    for (week, forward, backward) in weeks {
        println!("week of {week}  forward {forward:>6.1} min  backward {backward:>6.1} min");
    }
    Ok(())
}
