//! What did not fit: the cues a plan had to shorten or leave out because
//! their step was too short, told the way the plan resolved them, so a
//! program that passes `check` plays as its author expects.

use super::{Adjustment, CueKind, Plan, talked_over};
use crate::program::{Diagnostic, Direction, Program};

/// One warning for each kind of cue that was shortened or left out,
/// naming the steps it happened in (numbered from 1) and pointing at the
/// first of them. Posture, halfway and time-left cues are left out
/// quietly: they give way by design.
pub fn fit_warnings(program: &Program, plan: &Plan) -> Vec<Diagnostic> {
    let mut warnings = Vec::new();
    for (kind, shortened, what) in [
        (
            CueKind::Announcement,
            true,
            "too short to announce in full: only the short form (the speed) is said",
        ),
        (
            CueKind::Announcement,
            false,
            "too short to announce at all: nothing is said of them",
        ),
        (
            CueKind::HeadsUp,
            false,
            "too short for the heads-up before the change that ends them: the change comes with only its countdown",
        ),
        (
            CueKind::Text,
            false,
            "too short for their own `say` text: it is not said",
        ),
    ] {
        let steps = steps_with(&plan.adjustments, kind, shortened);
        let Some(&first) = steps.first() else {
            continue;
        };
        let Some(step) = program.steps.get(first) else {
            continue;
        };
        let message = format!("{} {what}", describe(&steps));
        warnings.push(
            program
                .source
                .warning(step.span.clone(), message)
                .with_help("make these steps longer, or set fewer cues in [cues] (a shorter countdown, no heads-up)"),
        );
    }
    warnings.extend(talked_over_warning(program, plan));
    warnings
}

/// A warning when a backward step is more than half speech even with the
/// posture reminders left out: its announcement, notes and the heads-up
/// of the next change leave the walker no quiet to feel their feet.
fn talked_over_warning(program: &Program, plan: &Plan) -> Option<Diagnostic> {
    let steps: Vec<usize> = plan
        .steps
        .iter()
        .enumerate()
        .filter(|(_, step)| step.direction == Direction::Backward)
        .filter(|(index, step)| talked_over(spoken_in(plan, *index), step.length))
        .map(|(index, _)| index)
        .collect();
    let step = program.steps.get(*steps.first()?)?;
    let message = format!(
        "{} more than half speech while the walker is backward",
        describe(&steps)
    );
    Some(
        program
            .source
            .warning(step.span.clone(), message)
            .with_help("make these steps longer, or say less in them (shorter `say` texts, a shorter heads-up)"),
    )
}

/// Samples of words in step `index`, the safety briefing aside.
fn spoken_in(plan: &Plan, index: usize) -> u64 {
    plan.cues
        .iter()
        .filter(|c| c.step == index && c.text.is_some() && c.kind != CueKind::Briefing)
        .map(|c| c.length - c.speech_offset)
        .sum()
}

fn steps_with(adjustments: &[Adjustment], kind: CueKind, shortened: bool) -> Vec<usize> {
    let mut steps: Vec<usize> = adjustments
        .iter()
        .filter(|a| a.kind == kind && a.shortened == shortened)
        .map(|a| a.step)
        .collect();
    steps.dedup();
    steps
}

/// "step 3", "steps 2, 4 and 6", "steps 2 to 101 (50 of them)".
fn describe(steps: &[usize]) -> String {
    let numbers: Vec<String> = steps.iter().map(|s| (s + 1).to_string()).collect();
    match numbers.as_slice() {
        [one] => format!("step {one} is"),
        [first, .., last] if steps.len() > 4 => {
            let contiguous = steps.windows(2).all(|w| w[1] == w[0] + 1);
            if contiguous {
                format!("steps {first} to {last} are")
            } else {
                format!("steps {first} to {last} ({} of them) are", steps.len())
            }
        }
        [init @ .., last] => format!("steps {} and {last} are", init.join(", ")),
        [] => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::describe;

    #[test]
    fn steps_read_like_prose() {
        assert_eq!(describe(&[2]), "step 3 is");
        assert_eq!(describe(&[1, 3, 5]), "steps 2, 4 and 6 are");
        assert_eq!(describe(&[1, 2, 3, 4, 5]), "steps 2 to 6 are");
        let every_other: Vec<usize> = (1..101).step_by(2).collect();
        assert_eq!(describe(&every_other), "steps 2 to 100 (50 of them) are");
    }
}
