//! Logging what an attacker can make happen thousands of times a second
//! (wrong pairing codes, connections refused) as a rate: one line at most
//! every [`EVERY`], with how many and from how many sources, so a flood
//! cannot fill the journal.

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Least time between two lines of one log.
pub const EVERY: Duration = Duration::from_secs(10);
/// Most sources named in one line.
const NAMED: usize = 3;

pub struct RateLog {
    what: &'static str,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    last_line: Option<Instant>,
    count: u64,
    sources: HashSet<String>,
}

impl RateLog {
    /// A log whose lines say "`count` `what` `sources`".
    pub fn new(what: &'static str) -> RateLog {
        RateLog {
            what,
            state: Mutex::new(State::default()),
        }
    }

    /// Counts one from `source`; writes a line when the last was
    /// [`EVERY`] ago or more.
    pub fn note(&self, source: &str) {
        let mut state = crate::sync::lock(&self.state);
        state.count += 1;
        if state.sources.len() < 1000 {
            state.sources.insert(source.to_string());
        }
        let now = Instant::now();
        if state
            .last_line
            .is_some_and(|at| now.duration_since(at) < EVERY)
        {
            return;
        }
        let mut named: Vec<&String> = state.sources.iter().collect();
        named.sort();
        let others = named.len().saturating_sub(NAMED);
        let mut sources: Vec<&str> = named.iter().take(NAMED).map(|s| s.as_str()).collect();
        let more = format!("{others} more");
        if others > 0 {
            sources.push(&more);
        }
        let window = match state.last_line {
            Some(at) => format!("in the last {} s", now.duration_since(at).as_secs()),
            None => "so far".to_string(),
        };
        tracing::warn!(
            "web: {} {} {} ({window})",
            state.count,
            self.what,
            sources.join(", ")
        );
        *state = State {
            last_line: Some(now),
            ..State::default()
        };
    }
}
