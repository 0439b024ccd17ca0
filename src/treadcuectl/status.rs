//! The daemon's properties as `treadcuectl` reads them, and `status`.

use super::properties::{
    all_properties, flag, left, micros, number, part_properties, text, unsigned,
};
use super::view::describe;

pub(super) async fn status(connection: &zbus::Connection, json: bool) -> zbus::Result<()> {
    let p = all_properties(connection).await?;
    let (step_left, session_left) = left(&p);
    let mqtt = part_properties(connection, "Mqtt").await;
    if json {
        let value = serde_json::json!({
            "walker": text(&p, "Walker"),
            "state": text(&p, "State"),
            "pause_reason": text(&p, "PauseReason"),
            "program": text(&p, "Program"),
            "program_name": text(&p, "ProgramName"),
            "step_index": unsigned(&p, "StepIndex"),
            "step_count": unsigned(&p, "StepCount"),
            "step_name": text(&p, "StepName"),
            "direction": text(&p, "Direction"),
            "speed": number(&p, "Speed"),
            "incline": number(&p, "Incline"),
            "units": text(&p, "Units"),
            "step_length": number(&p, "StepLength"),
            "step_left": step_left,
            "session_left": session_left,
            "volume": number(&p, "Volume"),
            "course": text(&p, "Course"),
            "course_session": unsigned(&p, "CourseSession"),
            "course_sessions": unsigned(&p, "CourseSessions"),
            "next_due": micros(&p, "NextDue"),
            "last_rating": text(&p, "LastRating"),
            "treadmill_connected": flag(&p, "TreadmillConnected"),
            "belt_speed": number(&p, "BeltSpeed"),
            "belt_incline": number(&p, "BeltIncline"),
            "belt_distance": number(&p, "BeltDistance"),
            "heart_rate": unsigned(&p, "HeartRate"),
            "mqtt": {
                "connected": flag(&mqtt, "Connected"),
                "status": text(&mqtt, "Status"),
            },
        });
        println!("{value}");
        return Ok(());
    }
    for line in describe(Some(&p), step_left, session_left, usize::MAX) {
        println!("{line}");
    }
    if text(&p, "State") == "idle"
        && let Some(measured) = super::view::measured_line(&p)
    {
        println!("{measured}");
    }
    let walker = text(&p, "Walker");
    if !walker.is_empty() {
        println!("walker: {walker}");
    }
    if !text(&p, "Course").is_empty() {
        println!(
            "course: {}. {}",
            text(&p, "CourseName"),
            super::course::next_line(&p)
        );
    }
    let link = text(&mqtt, "Status");
    if !link.is_empty() && link != "off" {
        println!("mqtt: {link}");
    }
    Ok(())
}
