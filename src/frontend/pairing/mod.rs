//! Which phones may use the web remote: whoever wears the headphones
//! decides. A phone asks for a code, treadcued speaks it into the
//! headphones (or `treadcuectl web pair` prints it for a local user), and
//! the phone that sends it back gets a long random token. Tokens are kept
//! hashed in the state folder, so pairing survives restarts and the file
//! gives nobody a way in.
//!
//! Pure but for the file and the random source: every call takes the
//! time, so the rules are tested without waiting.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::session::micros;

/// How long a code may be used.
pub const CODE_LIFETIME: Duration = Duration::from_secs(120);
/// Wrong codes in a row from one source before it is locked out.
pub const MAX_FAILURES: u32 = 5;
/// How long a source stays locked out.
pub const LOCKOUT: Duration = Duration::from_secs(60);
/// Wrong guesses at one code, from all sources together, before the code
/// is void: many machines guessing at once get no more than this.
pub const MAX_GUESSES_PER_CODE: u32 = 20;
/// Most sources whose failures are remembered.
const MAX_SOURCES: usize = 4096;
/// Most phones kept; pairing one more forgets the one seen longest ago.
const MAX_DEVICES: usize = 32;
/// Least time between two codes said aloud: a page asking again and
/// again must not talk over the walker's quiet.
pub const SPEAK_EVERY: Duration = Duration::from_secs(30);
/// How often a device's last-seen time is written, at most.
const SEEN_WRITE_EVERY: Duration = Duration::from_secs(300);

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PairError {
    #[error(
        "this device is locked out after {MAX_FAILURES} wrong codes; try again in {0} s \
         (`treadcuectl web pair` on treadcue's computer still works)"
    )]
    Locked(u64),
    #[error("a code was said a moment ago: listen for it, or ask again in {0} s")]
    TooSoon(u64),
    #[error(
        "a code said in the headphones is still good for {0} s: type the one you heard \
         (`treadcuectl web pair` on treadcue's computer gives a new one)"
    )]
    CodeWaiting(u64),
    #[error("no code is waiting: ask for one first")]
    NoCode,
    #[error("the code has expired: ask for a new one")]
    Expired,
    #[error("wrong code")]
    Wrong,
    #[error("{0}")]
    Storage(String),
}

/// A paired phone as kept and listed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Device {
    /// A short id to forget it by.
    pub id: String,
    /// From the phone's User-Agent.
    pub name: String,
    /// SHA-256 of the token, hex.
    token_hash: String,
    /// Microseconds since the Unix epoch.
    pub first_seen: i64,
    pub last_seen: i64,
}

/// The code waiting to be typed.
struct Code {
    digits: String,
    issued: Instant,
    /// Wrong guesses at it, from every source.
    wrong: u32,
}

/// Wrong codes from one source (a phone's address).
#[derive(Default)]
struct Source {
    failures: u32,
    locked_until: Option<Instant>,
}

#[derive(Default)]
struct State {
    code: Option<Code>,
    sources: std::collections::HashMap<String, Source>,
    devices: Vec<Device>,
    last_written: Option<Instant>,
    last_spoken: Option<Instant>,
}

pub struct Pairing {
    file: PathBuf,
    state: Mutex<State>,
}

impl Pairing {
    /// Pairing kept in `file`; a file that cannot be read pairs nobody
    /// (and is reported).
    pub fn load(file: PathBuf) -> Pairing {
        let devices = match crate::files::read_regular_text(&file, 1 << 20) {
            Ok(text) => serde_json::from_str(&text).unwrap_or_else(|e| {
                tracing::error!("{} is damaged ({e}); no phone is paired", file.display());
                Vec::new()
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => {
                tracing::error!("cannot read {}: {e}; no phone is paired", file.display());
                Vec::new()
            }
        };
        let state = State {
            devices,
            ..State::default()
        };
        Pairing {
            file,
            state: Mutex::new(state),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        crate::sync::lock(&self.state)
    }

    /// A new 6-digit code, replacing any earlier one: the local path
    /// (`treadcuectl web pair`), the walker's own say, never locked out.
    pub fn new_code(&self, now: Instant) -> Result<String, PairError> {
        let mut state = self.state();
        let digits = random_code().map_err(PairError::Storage)?;
        state.code = Some(Code {
            digits: digits.clone(),
            issued: now,
            wrong: 0,
        });
        Ok(digits)
    }

    /// A new code to say aloud for a phone that asked: not within
    /// [`SPEAK_EVERY`] of the last, and never replacing a code that is
    /// still good (the walker may be typing it).
    pub fn code_to_say(&self, now: Instant) -> Result<String, PairError> {
        {
            let mut state = self.state();
            if let Some(at) = state.last_spoken
                && now.duration_since(at) < SPEAK_EVERY
            {
                let wait = SPEAK_EVERY - now.duration_since(at);
                return Err(PairError::TooSoon(wait.as_secs_f64().ceil() as u64));
            }
            if let Some(code) = &state.code
                && now.duration_since(code.issued) < CODE_LIFETIME
            {
                let left = CODE_LIFETIME - now.duration_since(code.issued);
                return Err(PairError::CodeWaiting(left.as_secs_f64().ceil() as u64));
            }
            state.last_spoken = Some(now);
        }
        self.new_code(now)
    }

    /// Trades the right code for a token for a phone called `name`, asking
    /// from `source` (its address): wrong codes lock that source out, and
    /// void the code once [`MAX_GUESSES_PER_CODE`] have been tried.
    pub fn pair(
        &self,
        code: &str,
        name: &str,
        source: &str,
        now: Instant,
    ) -> Result<String, PairError> {
        let mut state = self.state();
        locked(&state, source, now)?;
        let (expected, issued) = match &state.code {
            Some(code) => (code.digits.clone(), code.issued),
            None => return Err(PairError::NoCode),
        };
        if now.duration_since(issued) > CODE_LIFETIME {
            state.code = None;
            return Err(PairError::Expired);
        }
        if !same(code.trim().as_bytes(), expected.as_bytes()) {
            wrong_guess(&mut state, source, now);
            return Err(PairError::Wrong);
        }
        state.code = None;
        state.sources.remove(source);
        let token = random_hex(32).map_err(PairError::Storage)?;
        self.add_device(&mut state, &token, name, now)?;
        Ok(token)
    }

    fn add_device(
        &self,
        state: &mut State,
        token: &str,
        name: &str,
        now: Instant,
    ) -> Result<(), PairError> {
        let wall = micros(SystemTime::now());
        if state.devices.len() >= MAX_DEVICES {
            state
                .devices
                .sort_by_key(|d| std::cmp::Reverse(d.last_seen));
            state.devices.truncate(MAX_DEVICES - 1);
        }
        let id = random_hex(4).map_err(PairError::Storage)?;
        state.devices.push(Device {
            id,
            name: device_name(name),
            token_hash: hash(token),
            first_seen: wall,
            last_seen: wall,
        });
        self.write(state, now).map_err(PairError::Storage)
    }

    /// Whether `token` belongs to a paired phone; notes it was seen.
    pub fn check(&self, token: &str, now: Instant) -> bool {
        let hashed = hash(token);
        let mut state = self.state();
        let Some(device) = state
            .devices
            .iter_mut()
            .find(|d| same(d.token_hash.as_bytes(), hashed.as_bytes()))
        else {
            return false;
        };
        device.last_seen = micros(SystemTime::now());
        let due = state
            .last_written
            .is_none_or(|at| now.duration_since(at) >= SEEN_WRITE_EVERY);
        if due && let Err(e) = self.write(&mut state, now) {
            tracing::warn!("{e}");
        }
        true
    }

    pub fn devices(&self) -> Vec<Device> {
        self.state().devices.clone()
    }

    /// Forgets the phone `id`, or every phone with `None`; how many.
    pub fn forget(&self, id: Option<&str>, now: Instant) -> Result<usize, PairError> {
        let mut state = self.state();
        let before = state.devices.len();
        state.devices.retain(|d| id.is_some_and(|id| d.id != id));
        let forgotten = before - state.devices.len();
        if forgotten > 0 {
            self.write(&mut state, now).map_err(PairError::Storage)?;
        }
        Ok(forgotten)
    }

    fn write(&self, state: &mut State, now: Instant) -> Result<(), String> {
        let text = serde_json::to_string_pretty(&state.devices).map_err(|e| e.to_string())?;
        crate::files::write_atomically(&self.file, text.as_bytes()).map_err(|e| {
            format!(
                "cannot keep the paired phones in {}: {e}",
                self.file.display()
            )
        })?;
        state.last_written = Some(now);
        Ok(())
    }
}

fn locked(state: &State, source: &str, now: Instant) -> Result<(), PairError> {
    match state.sources.get(source).and_then(|s| s.locked_until) {
        Some(until) if until > now => Err(PairError::Locked(
            until.duration_since(now).as_secs_f64().ceil() as u64,
        )),
        _ => Ok(()),
    }
}

/// Counts a wrong code against its source and against the code.
fn wrong_guess(state: &mut State, source: &str, now: Instant) {
    if state.sources.len() >= MAX_SOURCES {
        // Forget those not locked out: the map stays bounded however
        // many addresses guess.
        state
            .sources
            .retain(|_, s| s.locked_until.is_some_and(|until| until > now));
    }
    let entry = state.sources.entry(source.to_string()).or_default();
    entry.failures += 1;
    if entry.failures >= MAX_FAILURES {
        entry.failures = 0;
        entry.locked_until = Some(now + LOCKOUT);
    }
    if let Some(code) = &mut state.code {
        code.wrong += 1;
        if code.wrong >= MAX_GUESSES_PER_CODE {
            state.code = None;
        }
    }
}

/// Compares without stopping at the first difference, so the time taken
/// tells nothing about how much of a guess was right.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

fn hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn random_hex(bytes: usize) -> Result<String, String> {
    let mut buffer = vec![0u8; bytes];
    getrandom::fill(&mut buffer).map_err(|e| format!("no random source: {e}"))?;
    Ok(hex(&buffer))
}

/// Six digits, each as likely as any other.
fn random_code() -> Result<String, String> {
    loop {
        let mut bytes = [0u8; 4];
        getrandom::fill(&mut bytes).map_err(|e| format!("no random source: {e}"))?;
        let n = u32::from_le_bytes(bytes);
        // Below the largest multiple of a million: no digit favoured.
        if n < 4_294_000_000 {
            return Ok(format!("{:06}", n % 1_000_000));
        }
    }
}

/// A phone's name from its User-Agent: the part a person recognises,
/// printable and short.
fn device_name(user_agent: &str) -> String {
    let inside = user_agent
        .split_once('(')
        .and_then(|(_, rest)| rest.split_once(')'))
        .map_or(user_agent, |(inside, _)| inside);
    let name: String = inside
        .chars()
        .filter(|c| !c.is_control())
        .take(60)
        .collect();
    if name.trim().is_empty() {
        "unknown browser".into()
    } else {
        name.trim().to_string()
    }
}

#[cfg(test)]
mod tests;
