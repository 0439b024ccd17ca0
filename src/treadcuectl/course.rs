//! `treadcuectl course`, `today` and `rate`: the walker's course.

use clap::Subcommand;

use super::{Properties, TreadcueProxy, all_properties, micros, text, unsigned};
use crate::calendar::local;
use crate::session::from_micros;

#[derive(Debug, Subcommand)]
pub enum CourseCommand {
    /// List the courses.
    List {
        /// As JSON, for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Follow a course from its first session (enrolling in the course
    /// followed already keeps the progress).
    Enrol {
        /// The course's name, as `treadcuectl course list` shows it.
        course: String,
    },
    /// Follow no course any more (the sessions walked stay in the history).
    Leave,
    /// Show the course followed: sessions done and to come, and when the
    /// next is due.
    Show {
        /// As JSON, for scripts (times in RFC 3339).
        #[arg(long)]
        json: bool,
    },
}

pub(super) async fn course(
    connection: &zbus::Connection,
    proxy: &TreadcueProxy<'_>,
    command: CourseCommand,
) -> zbus::Result<()> {
    match command {
        CourseCommand::List { json } => list(proxy, json).await,
        CourseCommand::Enrol { course } => {
            let before = all_properties(connection).await?;
            proxy.enrol(&course).await?;
            let p = all_properties(connection).await?;
            println!("{}", enrolled_line(&before, &p));
            println!("{}", next_line(&p));
            Ok(())
        }
        CourseCommand::Leave => proxy.leave().await,
        CourseCommand::Show { json } => show(connection, proxy, json).await,
    }
}

async fn list(proxy: &TreadcueProxy<'_>, json: bool) -> zbus::Result<()> {
    let courses = proxy.list_courses().await?;
    if json {
        let rows: Vec<serde_json::Value> = courses
            .into_iter()
            .map(|(id, name, description, sessions)| {
                serde_json::json!({"id": id, "name": name, "description": description, "sessions": sessions})
            })
            .collect();
        println!("{}", serde_json::Value::Array(rows));
        return Ok(());
    }
    for (id, name, description, sessions) in courses {
        println!("{id:<18} {sessions:>3} sessions  {name}");
        println!("{:<34}{description}", "");
    }
    Ok(())
}

async fn show(
    connection: &zbus::Connection,
    proxy: &TreadcueProxy<'_>,
    json: bool,
) -> zbus::Result<()> {
    let p = all_properties(connection).await?;
    if text(&p, "Course").is_empty() {
        println!(
            "You follow no course: `treadcuectl course list` shows them, `treadcuectl course enrol NAME` starts one."
        );
        return Ok(());
    }
    let walks = proxy.course_overview().await?;
    if json {
        let rows: Vec<serde_json::Value> = walks
            .iter()
            .map(|(walk, program, state, last, how)| {
                serde_json::json!({"session": walk, "program": program, "state": state, "last_walked": last, "last_outcome": how})
            })
            .collect();
        let due = micros(&p, "NextDue");
        let value = serde_json::json!({
            "course": text(&p, "Course"),
            "name": text(&p, "CourseName"),
            "session": unsigned(&p, "CourseSession"),
            "sessions": unsigned(&p, "CourseSessions"),
            "next_due": (due > 0).then(|| humantime::format_rfc3339_seconds(from_micros(due)).to_string()),
            "walks": rows,
        });
        println!("{value}");
        return Ok(());
    }
    println!("{} ({})", text(&p, "CourseName"), text(&p, "Course"));
    let done = walks.iter().filter(|w| w.2 == "done").count();
    println!("{done} of {} sessions done. {}", walks.len(), next_line(&p));
    println!();
    for (walk, program, state, last, how) in &walks {
        let when = humantime::parse_rfc3339(last)
            .ok()
            .and_then(local)
            .map(|t| format!("  last walked {t}: {how}"))
            .unwrap_or_default();
        println!("{:>4}  {state:<8} {program}{when}", walk + 1);
    }
    Ok(())
}

/// Which course the walker now follows, and what that replaced.
fn enrolled_line(before: &Properties, now: &Properties) -> String {
    let (was, is) = (text(before, "Course"), text(now, "Course"));
    let name = format!("{} ({is})", text(now, "CourseName"));
    if was == is {
        return format!("You already follow {name}: your progress in it stays.");
    }
    let mut line = format!("Enrolled in {name}.");
    if !was.is_empty() {
        line.push_str(&format!(
            " This replaces your progress in {} ({was}): its sessions stay in the history, and enrolling in it again starts it from its first session.",
            text(before, "CourseName")
        ));
    }
    line
}

/// "Next: session 5 of 18, due now." or "... due 2026-11-23 07:30."
pub(super) fn next_line(p: &Properties) -> String {
    let (session, sessions) = (unsigned(p, "CourseSession"), unsigned(p, "CourseSessions"));
    if session >= sessions {
        return "The course is complete.".into();
    }
    let due = micros(p, "NextDue");
    let when = if due <= 0 {
        "due now".to_string()
    } else {
        local(from_micros(due)).map_or_else(|| "due later".into(), |t| format!("due {t}"))
    };
    format!("Next: session {} of {sessions}, {when}.", session + 1)
}

/// `treadcuectl today`: the course's next session, due or not.
pub(super) async fn today(
    connection: &zbus::Connection,
    proxy: &TreadcueProxy<'_>,
) -> zbus::Result<()> {
    let before = all_properties(connection).await?;
    let due = micros(&before, "NextDue");
    proxy.start_today().await?;
    let session = unsigned(&before, "CourseSession") + 1;
    let sessions = unsigned(&before, "CourseSessions");
    let mut line = format!(
        "Started session {session} of {sessions} of {}",
        text(&before, "CourseName")
    );
    if due > 0 {
        let early = super::time(super::seconds_until(due));
        line.push_str(&format!(" ({early} before it was due)"));
    }
    println!("{line}.");
    Ok(())
}
