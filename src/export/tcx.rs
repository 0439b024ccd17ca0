//! A session as Garmin's Training Center Database (TCX) v2: one
//! Activity, one Lap per program step walked, a Trackpoint per sample.
//!
//! TCX knows three sports: Running, Biking and Other. A walk is Other
//! (Strava reads it as a workout, the closest it has, and keeps the
//! distance and heart rate); a program that jogs is Running. FIT says
//! walking and treadmill exactly, and is the file to prefer.

use std::fmt::Write as _;

use super::{Activity, Lap, minutes_seconds};

const HEADER: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2 http://www.garmin.com/xmlschemas/TrainingCenterDatabasev2.xsd">
"#;

/// The TCX file's text.
pub fn encode(activity: &Activity) -> String {
    let sport = if activity.jogs { "Running" } else { "Other" };
    let mut out = String::from(HEADER);
    out.push_str("  <Activities>\n");
    let _ = writeln!(out, "    <Activity Sport=\"{sport}\">");
    let _ = writeln!(out, "      <Id>{}</Id>", time(activity, 0));
    let laps = activity.laps();
    for lap in &laps {
        push_lap(&mut out, activity, lap);
    }
    let _ = writeln!(
        out,
        "      <Notes>{}</Notes>",
        escape(&activity.description())
    );
    out.push_str("    </Activity>\n  </Activities>\n</TrainingCenterDatabase>\n");
    out
}

fn push_lap(out: &mut String, activity: &Activity, lap: &Lap) {
    let _ = writeln!(
        out,
        "      <Lap StartTime=\"{}\">",
        time(activity, lap.start_ms)
    );
    let _ = writeln!(
        out,
        "        <TotalTimeSeconds>{:.3}</TotalTimeSeconds>",
        lap.walked
    );
    let _ = writeln!(
        out,
        "        <DistanceMeters>{:.2}</DistanceMeters>",
        lap.metres
    );
    // Not measured: TCX asks for a number, and 0 says none was counted.
    out.push_str("        <Calories>0</Calories>\n");
    if let (Some(average), Some(max)) = (lap.heart_rate_average, lap.heart_rate_max) {
        push_heart(out, "AverageHeartRateBpm", average, "        ");
        push_heart(out, "MaximumHeartRateBpm", max, "        ");
    }
    out.push_str("        <Intensity>Active</Intensity>\n");
    out.push_str("        <TriggerMethod>Manual</TriggerMethod>\n");
    push_track(out, activity, lap);
    let _ = writeln!(
        out,
        "        <Notes>Step {}, {}: {} walked backward.</Notes>",
        lap.step + 1,
        if lap.backward { "backward" } else { "forward" },
        minutes_seconds(lap.walked_backward)
    );
    out.push_str("      </Lap>\n");
}

/// The lap's samples as trackpoints: from its start to its end.
fn push_track(out: &mut String, activity: &Activity, lap: &Lap) {
    let points: Vec<_> = activity
        .samples
        .iter()
        .filter(|s| s.step == lap.step && s.at_ms >= lap.start_ms && s.at_ms <= lap.end_ms)
        .collect();
    if points.is_empty() {
        return;
    }
    out.push_str("        <Track>\n");
    for sample in points {
        out.push_str("          <Trackpoint>\n");
        let _ = writeln!(
            out,
            "            <Time>{}</Time>",
            time(activity, sample.at_ms)
        );
        let _ = writeln!(
            out,
            "            <DistanceMeters>{:.2}</DistanceMeters>",
            activity.metres_at(sample)
        );
        if let Some(bpm) = sample.heart_rate {
            push_heart(out, "HeartRateBpm", bpm, "            ");
        }
        out.push_str("          </Trackpoint>\n");
    }
    out.push_str("        </Track>\n");
}

fn push_heart(out: &mut String, name: &str, bpm: u8, indent: &str) {
    let _ = writeln!(out, "{indent}<{name}><Value>{bpm}</Value></{name}>");
}

/// The UTC time `at_ms` into the session, as xsd:dateTime.
fn time(activity: &Activity, at_ms: u32) -> String {
    let at = std::time::UNIX_EPOCH
        + std::time::Duration::from_secs(u64::try_from(activity.start_unix()).unwrap_or(0))
        + std::time::Duration::from_millis(u64::from(at_ms / 1000 * 1000));
    humantime::format_rfc3339_seconds(at).to_string()
}

/// Text as XML takes it: markup escaped, and the control characters
/// XML 1.0 forbids left out.
fn escape(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control() || matches!(c, '\t' | '\n'))
        .collect::<String>()
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
