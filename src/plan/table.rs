//! The plan as a table a person reads: the steps, then every cue in order.

use std::fmt::Write;
use std::time::Duration;

use super::Plan;
use crate::program::clock;

pub fn render_table(plan: &Plan) -> String {
    let mut out = String::new();
    let time = |samples: u64| {
        clock(Duration::from_millis(
            (plan.seconds(samples) * 1000.0).round() as u64,
        ))
    };
    let unit = plan.units.label();
    let _ = writeln!(
        out,
        "{} ({}): {}, {} steps, {} cues\n",
        plan.program_name,
        plan.program_id,
        time(plan.length),
        plan.steps.len(),
        plan.cues.len()
    );
    let _ = writeln!(
        out,
        "{:>4}  {:>8}  {:>8}  {:<9}  {:>10}  {:>7}  name",
        "step", "start", "length", "direction", "speed", "incline"
    );
    for (i, step) in plan.steps.iter().enumerate() {
        let _ = writeln!(
            out,
            "{:>4}  {:>8}  {:>8}  {:<9}  {:>10}  {:>6}%  {}",
            i + 1,
            time(step.start),
            time(step.length),
            step.direction.as_str(),
            format!("{:.1} {unit}", step.speed),
            step.incline,
            step.name
        );
    }
    let _ = writeln!(out, "\n{:>9}  {:>4}  {:<12}  sound", "time", "step", "cue");
    for cue in &plan.cues {
        let tone = cue.tone.map(|t| format!("[{}]", t.name()));
        let sound = [tone, cue.text.clone()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        let _ = writeln!(
            out,
            "{:>9}  {:>4}  {:<12}  {sound}",
            time(cue.start),
            cue.step + 1,
            cue.kind.label()
        );
    }
    out
}
