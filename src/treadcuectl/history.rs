//! `treadcuectl history`: the sessions walked, in local time, filtered by
//! date or count.

use std::collections::HashMap;
use std::time::Duration;

use super::TreadcueProxy;
use crate::calendar::{Date, LocalTime, local};
use crate::program::clock;

pub(super) async fn history(
    connection: &zbus::Connection,
    proxy: &TreadcueProxy<'_>,
    json: bool,
    limit: Option<usize>,
    since: Option<Date>,
) -> zbus::Result<()> {
    let mut rows = proxy.history().await?;
    // Which sessions were a course's, and how they were rated.
    let courses: HashMap<String, (String, u32, String)> = proxy
        .course_history()
        .await?
        .into_iter()
        .map(|(start, course, session, rating)| (start, (course, session, rating)))
        .collect();
    // How much of each was walked backward, and how fast.
    let backward: HashMap<String, (f64, f64, String)> = proxy
        .backward_history()
        .await?
        .into_iter()
        .map(|(start, seconds, top, units)| (start, (seconds, top, units)))
        .collect();
    let measured = super::bluetooth::measured(connection).await;
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
                    let course = courses.get(&start);
                    let backward = backward.get(&start);
                    let measured = measured.get(&start).copied().unwrap_or_default();
                    let mut row = serde_json::json!({
                        "course": course.map(|c| c.0.clone()),
                        "course_session": course.map(|c| c.1),
                        "rating": course.map(|c| c.2.clone()),
                        "program": program,
                        "program_name": name,
                        "start": start,
                        "end": end,
                        "steps_done": done,
                        "step_count": count,
                        "completed": completed,
                        "outcome": outcome,
                        "walked": walked,
                        "walked_backward": backward.map_or(0.0, |b| b.0),
                        "top_backward_speed": backward.filter(|b| b.1 > 0.0).map(|b| b.1),
                        "units": backward.filter(|b| !b.2.is_empty()).map(|b| b.2.clone()),
                    });
                    for (key, value) in measured.json() {
                        row[key] = value;
                    }
                    row
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
        let when = local_time(&start).map_or_else(|| start.clone(), |t| t.to_string());
        // Whole seconds, one format for every row.
        let seconds = |s: f64| clock(Duration::from_secs(s.max(0.0).round() as u64));
        let walked = seconds(walked);
        let back = backward.get(&start);
        let backward_part = format!("back {:>5}", seconds(back.map_or(0.0, |b| b.0)));
        let top = back
            .filter(|b| b.1 > 0.0)
            .map(|(_, top, units)| format!("  top backward {top} {units}"))
            .unwrap_or_default();
        let steps = format!("{done}/{count} steps");
        let course = courses
            .get(&start)
            .map_or_else(String::new, |(course, session, rating)| {
                format!("  ({course} session {}, {rating})", session + 1)
            });
        let measured = measured
            .get(&start)
            .map(|m| format!("  [{}]", m.words()))
            .unwrap_or_default();
        println!(
            "{when}  {program:<22} {walked:>7}  {backward_part}  {steps:<12} {outcome:<11}  {name}{course}{top}{measured}"
        );
    }
    Ok(())
}

/// `--since`'s value.
pub(super) fn parse_date(text: &str) -> Result<Date, String> {
    text.parse()
}

/// An RFC 3339 time from the daemon, on the local clock.
fn local_time(rfc3339: &str) -> Option<LocalTime> {
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
