//! `treadcuectl history`: the sessions walked, in local time, filtered by
//! date or count.

use std::time::{Duration, UNIX_EPOCH};

use super::TreadcueProxy;
use crate::program::clock;

pub(super) async fn history(
    proxy: &TreadcueProxy<'_>,
    json: bool,
    limit: Option<usize>,
    since: Option<Date>,
) -> zbus::Result<()> {
    let mut rows = proxy.history().await?;
    if let Some(since) = since {
        rows.retain(|row| local_time(&row.2).is_some_and(|t| t.date >= since));
    }
    if let Some(limit) = limit {
        let skip = rows.len().saturating_sub(limit);
        rows.drain(..skip);
    }
    if json {
        let entries: Vec<serde_json::Value> = rows
            .into_iter()
            .map(
                |(program, name, start, end, done, count, completed, outcome, walked)| {
                    serde_json::json!({
                        "program": program,
                        "program_name": name,
                        "start": start,
                        "end": end,
                        "steps_done": done,
                        "step_count": count,
                        "completed": completed,
                        "outcome": outcome,
                        "walked": walked,
                    })
                },
            )
            .collect();
        println!("{}", serde_json::Value::Array(entries));
        return Ok(());
    }
    if rows.is_empty() {
        println!("No sessions yet.");
    }
    for (program, name, start, _end, done, count, _completed, outcome, walked) in rows {
        let when = local_time(&start).map_or(start, |t| t.to_string());
        // Whole seconds, one format for every row.
        let walked = clock(Duration::from_secs(walked.max(0.0).round() as u64));
        let steps = format!("{done}/{count} steps");
        println!("{when}  {program:<22} {walked:>7}  {steps:<12} {outcome:<11}  {name}");
    }
    Ok(())
}

/// A calendar date, for `--since`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    year: i32,
    month: u32,
    day: u32,
}

pub(super) fn parse_date(text: &str) -> Result<Date, String> {
    let bad = || format!("{text:?} is not a date like 2026-11-21");
    let mut parts = text.split('-');
    let mut next = || parts.next().and_then(|p| p.parse::<i64>().ok());
    let (year, month, day) = (
        next().ok_or_else(bad)?,
        next().ok_or_else(bad)?,
        next().ok_or_else(bad)?,
    );
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return Err(bad());
    }
    Ok(Date {
        year: year as i32,
        month: month as u32,
        day: day as u32,
    })
}

/// A moment on the local clock (the TZ variable, else /etc/localtime).
struct LocalTime {
    date: Date,
    hour: u32,
    minute: u32,
}

impl std::fmt::Display for LocalTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let d = self.date;
        write!(
            f,
            "{}-{:02}-{:02} {:02}:{:02}",
            d.year, d.month, d.day, self.hour, self.minute
        )
    }
}

/// An RFC 3339 time from the daemon, on the local clock.
fn local_time(rfc3339: &str) -> Option<LocalTime> {
    let at = humantime::parse_rfc3339(rfc3339).ok()?;
    let secs = at.duration_since(UNIX_EPOCH).ok()?.as_secs() as libc::time_t;
    // SAFETY: localtime_r fills the struct it is given and keeps no
    // pointer to it (glibc reads TZ, or /etc/localtime, on first use).
    let tm = unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&secs, &mut tm).is_null() {
            return None;
        }
        tm
    };
    Some(LocalTime {
        date: Date {
            year: tm.tm_year + 1900,
            month: (tm.tm_mon + 1) as u32,
            day: tm.tm_mday as u32,
        },
        hour: tm.tm_hour as u32,
        minute: tm.tm_min as u32,
    })
}
