//! The session as lines for a person, fitted to the terminal's width.

use super::{Properties, number, text, time, unsigned};

/// Room taken on a bar's line besides the bar itself.
const BAR_LABELS: usize = 24;

/// The session as a few lines, none longer than `width` characters;
/// `None` when the daemon is not there.
pub fn describe(
    p: Option<&Properties>,
    step_left: f64,
    session_left: f64,
    width: usize,
) -> Vec<String> {
    let lines = match p {
        None => vec!["treadcued is not running; waiting for it to come back".into()],
        Some(p) => session_lines(p, step_left, session_left, width),
    };
    lines.into_iter().map(|line| fit(line, width)).collect()
}

fn session_lines(p: &Properties, step_left: f64, session_left: f64, width: usize) -> Vec<String> {
    let state = text(p, "State");
    let program = text(p, "Program");
    let title = format!("{} ({program})", text(p, "ProgramName"));
    let step_of = format!(
        "step {} of {}",
        unsigned(p, "StepIndex") + 1,
        unsigned(p, "StepCount")
    );
    match state.as_str() {
        "idle" => {
            return vec![
                "idle: no session. `treadcuectl list` shows the programs, `treadcuectl start NAME` starts one".into(),
            ];
        }
        "stopped" | "finished" => {
            return vec![
                format!("{title}: {state} at {step_of}"),
                format!("`treadcuectl start {program}` walks it again"),
            ];
        }
        _ => {}
    }
    let reason = text(p, "PauseReason");
    let state = match reason.as_str() {
        "" => state,
        "device" => "paused: waiting for the audio device".into(),
        "belt" => "paused: waiting for the belt to slow before the turn".into(),
        "treadmill" => "paused: the belt was stopped at the treadmill".into(),
        reason => format!("paused ({reason})"),
    };
    let bar_width = width.saturating_sub(BAR_LABELS).clamp(10, 100);
    let step_length = number(p, "StepLength");
    let session_length = number(p, "SessionLength");
    let mut lines = vec![
        format!("{title}: {state}"),
        format!("{step_of}: {}", step_words(p)),
        format!(
            "step    {} {} left",
            bar(1.0 - step_left / step_length.max(1e-9), bar_width),
            time(step_left)
        ),
        format!(
            "session {} {} left",
            bar(1.0 - session_left / session_length.max(1e-9), bar_width),
            time(session_left)
        ),
    ];
    let next = text(p, "NextStep");
    if !next.is_empty() {
        lines.push(format!("next: {next}"));
    }
    lines.extend(measured_line(p));
    lines
}

/// What the treadmill and the strap report, when either is there:
/// "belt 1.50 mph, incline 2.0%, 120 m; heart rate 118".
pub fn measured_line(p: &Properties) -> Option<String> {
    let mut parts = Vec::new();
    if super::properties::flag(p, "TreadmillConnected") {
        parts.push(format!(
            "belt {:.2} {}, incline {:.1}%, {:.0} m",
            number(p, "BeltSpeed"),
            match text(p, "Units").as_str() {
                "" => "mph".to_string(),
                units => units.to_string(),
            },
            number(p, "BeltIncline"),
            number(p, "BeltDistance")
        ));
    }
    let heart = unsigned(p, "HeartRate");
    if heart > 0 {
        parts.push(format!("heart rate {heart}"));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// "Backward at 0.8 mph, incline 0%", with the step's name first when it
/// says more than its direction.
fn step_words(p: &Properties) -> String {
    let name = text(p, "StepName");
    let direction = text(p, "Direction");
    let mut chars = direction.chars();
    let capital: String = chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    let moving = format!(
        "{capital} at {:.1} {}, incline {}%",
        number(p, "Speed"),
        text(p, "Units"),
        number(p, "Incline")
    );
    if name.eq_ignore_ascii_case(&direction) || name.is_empty() {
        moving
    } else {
        format!("{name}, {moving}")
    }
}

fn bar(done: f64, width: usize) -> String {
    let filled = ((done.clamp(0.0, 1.0)) * width as f64).round() as usize;
    format!("[{}{}]", "#".repeat(filled), ".".repeat(width - filled))
}

/// Cut to `width` characters, so a line never wraps.
pub(super) fn fit(line: String, width: usize) -> String {
    if line.chars().count() <= width {
        return line;
    }
    line.chars()
        .take(width.saturating_sub(1))
        .chain(['…'])
        .collect()
}
