//! Which voice says which cue: with the bundled pack and a synthesizer
//! behind it, a walker hears two voices, and `check` and `plan` say where.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::plan::Plan;
use crate::program::clock;
use crate::voice::Voice;

/// Lines that tell which voice says the plan's spoken cues: one when a
/// single voice says them all; else how many cues the main voice (the
/// one that speaks in most) speaks in, and every part the others say.
pub fn spoken_by(voice: &dyn Voice, plan: &Plan) -> Vec<String> {
    let mut cues_of: BTreeMap<String, usize> = BTreeMap::new();
    let mut parts_of: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut spoken = 0;
    for cue in &plan.cues {
        let Some(text) = &cue.text else { continue };
        spoken += 1;
        let at = clock(Duration::from_secs_f64(plan.seconds(cue.start)));
        let mut speakers = voice.speakers(text);
        for (id, part) in &speakers {
            let where_ = format!("{at} step {} {}", cue.step + 1, cue.kind.label());
            parts_of
                .entry(id.clone())
                .or_default()
                .push(format!("  {where_}: \"{part}\""));
        }
        speakers.dedup_by(|a, b| a.0 == b.0);
        for (id, _) in speakers {
            *cues_of.entry(id).or_default() += 1;
        }
    }
    let Some((main, count)) = cues_of.iter().max_by_key(|(_, n)| **n) else {
        return Vec::new();
    };
    if cues_of.len() == 1 {
        return vec![format!("voice: {main} says all {spoken} spoken cues")];
    }
    let mut out = vec![format!(
        "voices: {main} speaks in {count} of {spoken} spoken cues"
    )];
    for (id, parts) in parts_of.iter().filter(|(id, _)| *id != main) {
        out.push(format!("voices: {id} says {} part(s):", parts.len()));
        out.extend(parts.iter().cloned());
    }
    out
}
