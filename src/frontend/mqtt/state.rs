//! The session as the `state` topic carries it: one JSON object that
//! every Home Assistant sensor reads a field of, with speeds in km/h
//! (Home Assistant converts them to the viewer's units) and times left
//! in whole seconds.

use serde_json::{Value, json};

use crate::session::{State, Status};

const KMH_PER_MPH: f64 = 1.609_344;

/// The `state` payload for `status` at `now` (microseconds since the
/// Unix epoch). Fields a session does not have are null.
pub fn state_payload(status: &Status, now: i64) -> Value {
    let session = status.state.is_active() || !status.program.is_empty();
    let some = |present: bool, value: Value| if present { value } else { Value::Null };
    let text = |s: &str| some(!s.is_empty(), json!(s));
    let (step_left, session_left) = time_left(status, now);
    let fitness = &status.fitness;
    json!({
        "state": status.state.as_str(),
        "pause_reason": text(status.pause_reason.as_str()),
        "program": text(&status.program),
        "program_name": text(&status.program_name),
        "step": text(&status.step_name),
        "step_number": some(session, json!(status.step_index + 1)),
        "step_count": some(session, json!(status.step_count)),
        "direction": text(status.direction_name()),
        "speed_kmh": some(session, json!(round(kmh(status, status.speed), 2))),
        "incline": some(session, json!(status.incline)),
        "step_left": step_left.map_or(Value::Null, |s| json!(s)),
        "session_left": session_left.map_or(Value::Null, |s| json!(s)),
        "belt_speed_kmh": some(
            fitness.treadmill_connected,
            json!(round(kmh(status, fitness.belt_speed), 2))
        ),
        "heart_rate": some(fitness.heart_rate > 0, json!(fitness.heart_rate)),
        "course": text(&status.course.id),
        "course_name": text(&status.course.name),
        "course_position": text(&course_position(status)),
        "walker": text(&status.walker),
    })
}

/// Whole seconds left in the step and the session: counted from their
/// end while running, as they stand while paused; none with no session
/// under way.
fn time_left(status: &Status, now: i64) -> (Option<u64>, Option<u64>) {
    let seconds = |s: f64| s.max(0.0).ceil() as u64;
    let until = |end: i64| seconds((end - now) as f64 / 1e6);
    match status.state {
        State::Running if status.step_ends_at > 0 => (
            Some(until(status.step_ends_at)),
            Some(until(status.session_ends_at)),
        ),
        State::Running | State::Paused => (
            Some(seconds(status.step_remaining)),
            Some(seconds(status.session_length - status.elapsed)),
        ),
        _ => (None, None),
    }
}

/// A speed in the session's units, in km/h; with no session the
/// treadmill reports in mph.
fn kmh(status: &Status, speed: f64) -> f64 {
    match status.units_label() {
        "km/h" => speed,
        _ => speed * KMH_PER_MPH,
    }
}

fn round(value: f64, places: i32) -> f64 {
    let scale = 10f64.powi(places);
    (value * scale).round() / scale
}

/// "session 3 of 12", empty with no course.
fn course_position(status: &Status) -> String {
    let course = &status.course;
    if course.id.is_empty() {
        return String::new();
    }
    let next = (course.session + 1).min(course.sessions);
    format!("session {next} of {}", course.sessions)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::Session;

    #[test]
    fn an_idle_daemon_has_no_session_fields() {
        let status = Session::default().status();
        let payload = state_payload(&status, 0);
        assert_eq!(payload["state"], "idle");
        for field in ["program", "step", "step_left", "speed_kmh", "heart_rate"] {
            assert!(payload[field].is_null(), "{field}: {payload}");
        }
    }

    #[test]
    fn a_running_step_counts_down_from_its_end() {
        let status = Status {
            state: State::Running,
            program: "demo".into(),
            step_ends_at: 10_500_000,
            session_ends_at: 70_000_000,
            ..Session::default().status()
        };
        let payload = state_payload(&status, 1_000_000);
        assert_eq!(payload["step_left"], 10);
        assert_eq!(payload["session_left"], 69);
    }
}
