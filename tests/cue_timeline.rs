//! What a walker hears around the turns of every built-in program, read
//! from `treadcued render --timeline` (the sounds as rendered) and
//! `treadcued plan --json` (where the steps are): the speed to slow to
//! before a turn into backward, quiet around every turn, and backward
//! steps never more words than quiet.

use std::process::Command;

use serde_json::Value;
use treadcue::program::catalog::BUILT_IN;

const RATE: f64 = 8000.0;

/// No posture tip this soon after a turn...
const QUIET_AFTER_TURN: f64 = 8.0;
/// ...nor this close before the heads-up of the next one.
const QUIET_BEFORE_HEADS_UP: f64 = 2.0;

struct Heard {
    steps: Vec<Value>,
    cues: Vec<Value>,
}

fn hear(id: &str) -> Heard {
    let dir = tempfile::tempdir().unwrap();
    let (wav, timeline) = (dir.path().join("s.wav"), dir.path().join("t.json"));
    let rendered = Command::new(env!("CARGO_BIN_EXE_treadcued"))
        .args(["render", id, "--rate", "8000", "--output"])
        .arg(&wav)
        .arg("--timeline")
        .arg(&timeline)
        .output()
        .unwrap();
    assert!(rendered.status.success(), "{id}: {rendered:?}");
    let planned = Command::new(env!("CARGO_BIN_EXE_treadcued"))
        .args(["plan", id, "--json", "--sample-rate", "8000"])
        .output()
        .unwrap();
    assert!(planned.status.success(), "{id}: {planned:?}");
    let plan: Value = serde_json::from_slice(&planned.stdout).unwrap();
    let timeline: Value = serde_json::from_slice(&std::fs::read(&timeline).unwrap()).unwrap();
    Heard {
        steps: plan["steps"].as_array().unwrap().clone(),
        cues: timeline["cues"].as_array().unwrap().clone(),
    }
}

fn secs(samples: &Value) -> f64 {
    samples.as_u64().unwrap() as f64 / RATE
}

fn kind(cue: &Value) -> &str {
    cue["kind"].as_str().unwrap()
}

fn text(cue: &Value) -> &str {
    cue["text"].as_str().unwrap_or("")
}

impl Heard {
    fn direction(&self, step: usize) -> &str {
        self.steps[step]["direction"].as_str().unwrap()
    }

    fn speed(&self, step: usize) -> f64 {
        self.steps[step]["speed"].as_f64().unwrap()
    }

    fn start(&self, step: usize) -> f64 {
        secs(&self.steps[step]["start"])
    }

    fn end(&self, step: usize) -> f64 {
        self.start(step) + secs(&self.steps[step]["length"])
    }

    fn cue(&self, of_kind: &str, step: usize) -> Option<&Value> {
        self.cues
            .iter()
            .find(|c| kind(c) == of_kind && c["step"].as_u64() == Some(step as u64))
    }

    /// Indexes of the steps that start with a change of direction.
    fn turns(&self) -> Vec<usize> {
        (1..self.steps.len())
            .filter(|&i| self.direction(i) != self.direction(i - 1))
            .collect()
    }

    /// The speed as the walker hears it in the announcement of `step`:
    /// "Backward at point six miles per hour" gives "point six".
    fn spoken_speed(&self, step: usize) -> String {
        let announcement = self.cue("announcement", step).expect("announced");
        let text = text(announcement);
        let after_at = text.split_once(" at ").expect("a speed").1;
        let unit = [" mile", " kilometre", " kilometer"]
            .iter()
            .filter_map(|u| after_at.find(u))
            .min()
            .unwrap_or_else(|| panic!("no unit in {text:?}"));
        after_at[..unit].to_string()
    }
}

#[test]
fn every_turn_into_backward_says_the_speed_to_slow_to_first() {
    let mut turns = 0;
    for program in BUILT_IN {
        let heard = hear(program.id);
        for step in heard.turns() {
            if heard.direction(step) != "backward" {
                continue;
            }
            turns += 1;
            let heads_up = heard
                .cue("heads-up", step - 1)
                .unwrap_or_else(|| panic!("{}: no heads-up before step {}", program.id, step + 1));
            let speed = heard.spoken_speed(step);
            let (before, after) = (heard.speed(step - 1), heard.speed(step));
            let expected = if after < before {
                format!("slow to {speed}, then turn to walk backward")
            } else if after == before {
                format!("turn to walk backward, still at {speed}")
            } else {
                format!("turn to walk backward, then speed up to {speed}")
            };
            assert!(
                text(heads_up).contains(&expected),
                "{}: before step {} the heads-up says {:?}, not {expected:?}",
                program.id,
                step + 1,
                text(heads_up)
            );
            assert!(
                secs(&heads_up["end_sample"]) <= heard.start(step),
                "{}: the heads-up of step {} runs into it",
                program.id,
                step + 1
            );
        }
    }
    assert!(turns >= 43, "only {turns} turns into backward");
}

#[test]
fn no_posture_tip_near_a_turn_and_no_backward_step_is_mostly_words() {
    for program in BUILT_IN {
        let heard = hear(program.id);
        let turns = heard.turns();
        for posture in heard.cues.iter().filter(|c| kind(c) == "posture") {
            let (start, end) = (secs(&posture["sample"]), secs(&posture["end_sample"]));
            for &turn in &turns {
                let turned_at = heard.start(turn);
                assert!(
                    !(turned_at..turned_at + QUIET_AFTER_TURN).contains(&start),
                    "{}: {:?} at {start:.1} s, right after the turn at {turned_at:.1} s",
                    program.id,
                    text(posture)
                );
                let Some(heads_up) = heard.cue("heads-up", turn - 1) else {
                    continue;
                };
                let heads_up_at = secs(&heads_up["sample"]);
                assert!(
                    end + QUIET_BEFORE_HEADS_UP <= heads_up_at || start >= turned_at,
                    "{}: {:?} ends at {end:.1} s, just before the heads-up at {heads_up_at:.1} s",
                    program.id,
                    text(posture)
                );
            }
        }
        for step in 0..heard.steps.len() {
            if heard.direction(step) != "backward" {
                continue;
            }
            let words: f64 = heard
                .cues
                .iter()
                .filter(|c| c["step"].as_u64() == Some(step as u64) && kind(c) != "briefing")
                .filter(|c| c["speech_sample"].is_u64())
                .map(|c| secs(&c["end_sample"]) - secs(&c["speech_sample"]))
                .sum();
            let length = heard.end(step) - heard.start(step);
            assert!(
                words * 2.0 <= length,
                "{}: backward step {} is {words:.1} s of words in {length:.1} s",
                program.id,
                step + 1
            );
        }
    }
}

#[test]
fn the_first_backward_bouts_of_a_beginner_are_not_talked_over() {
    let heard = hear("retro-first-steps");
    let first_bouts: Vec<usize> = (0..heard.steps.len())
        .filter(|&i| heard.direction(i) == "backward")
        .take(2)
        .collect();
    for bout in first_bouts {
        let said: Vec<&str> = heard
            .cues
            .iter()
            .filter(|c| c["step"].as_u64() == Some(bout as u64) && !text(c).is_empty())
            .map(kind)
            .collect();
        assert!(
            !said.contains(&"posture"),
            "bout at {:.0} s hears {said:?}",
            heard.start(bout)
        );
    }
}
