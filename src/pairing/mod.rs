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
/// Wrong codes in a row before pairing is locked.
pub const MAX_FAILURES: u32 = 5;
/// How long pairing stays locked.
pub const LOCKOUT: Duration = Duration::from_secs(60);
/// Most phones kept; pairing one more forgets the one seen longest ago.
const MAX_DEVICES: usize = 32;
/// Least time between two codes said aloud: a page asking again and
/// again must not talk over the coaching.
pub const SPEAK_EVERY: Duration = Duration::from_secs(5);
/// How often a device's last-seen time is written, at most.
const SEEN_WRITE_EVERY: Duration = Duration::from_secs(300);

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PairError {
    #[error("pairing is locked after {MAX_FAILURES} wrong codes; try again in {0} s")]
    Locked(u64),
    #[error("a code was said a moment ago: listen for it, or ask again in {0} s")]
    TooSoon(u64),
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

#[derive(Default)]
struct State {
    code: Option<(String, Instant)>,
    failures: u32,
    locked_until: Option<Instant>,
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
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A new 6-digit code, replacing any earlier one.
    pub fn new_code(&self, now: Instant) -> Result<String, PairError> {
        let mut state = self.state();
        locked(&state, now)?;
        let code = random_code().map_err(PairError::Storage)?;
        state.code = Some((code.clone(), now));
        Ok(code)
    }

    /// A new code to say aloud: as [`Pairing::new_code`], but not twice
    /// within [`SPEAK_EVERY`].
    pub fn code_to_say(&self, now: Instant) -> Result<String, PairError> {
        {
            let mut state = self.state();
            if let Some(at) = state.last_spoken
                && now.duration_since(at) < SPEAK_EVERY
            {
                let wait = SPEAK_EVERY - now.duration_since(at);
                return Err(PairError::TooSoon(wait.as_secs_f64().ceil() as u64));
            }
            state.last_spoken = Some(now);
        }
        self.new_code(now)
    }

    /// Trades the right code for a token for a phone called `name`.
    pub fn pair(&self, code: &str, name: &str, now: Instant) -> Result<String, PairError> {
        let mut state = self.state();
        locked(&state, now)?;
        let (expected, issued) = state.code.clone().ok_or(PairError::NoCode)?;
        if now.duration_since(issued) > CODE_LIFETIME {
            state.code = None;
            return Err(PairError::Expired);
        }
        if !same(code.trim().as_bytes(), expected.as_bytes()) {
            state.failures += 1;
            if state.failures >= MAX_FAILURES {
                state.failures = 0;
                state.code = None;
                state.locked_until = Some(now + LOCKOUT);
            }
            return Err(PairError::Wrong);
        }
        state.code = None;
        state.failures = 0;
        let token = random_hex(32).map_err(PairError::Storage)?;
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
            token_hash: hash(&token),
            first_seen: wall,
            last_seen: wall,
        });
        self.write(&mut state, now).map_err(PairError::Storage)?;
        Ok(token)
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
        crate::store::write_atomically(&self.file, text.as_bytes()).map_err(|e| {
            format!(
                "cannot keep the paired phones in {}: {e}",
                self.file.display()
            )
        })?;
        state.last_written = Some(now);
        Ok(())
    }
}

fn locked(state: &State, now: Instant) -> Result<(), PairError> {
    match state.locked_until {
        Some(until) if until > now => Err(PairError::Locked(
            until.duration_since(now).as_secs_f64().ceil() as u64,
        )),
        _ => Ok(()),
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
mod tests {
    use super::*;

    fn pairing() -> (tempfile::TempDir, Pairing) {
        let dir = tempfile::tempdir().unwrap();
        let pairing = Pairing::load(dir.path().join("web-devices.json"));
        (dir, pairing)
    }

    #[test]
    fn the_right_code_gives_a_token_that_checks_and_survives_a_restart() {
        let (dir, pairing) = pairing();
        let now = Instant::now();
        let code = pairing.new_code(now).unwrap();
        assert_eq!(code.len(), 6);
        assert!(code.chars().all(|c| c.is_ascii_digit()));
        let token = pairing
            .pair(&code, "Mozilla/5.0 (Linux; Android 14)", now)
            .unwrap();
        assert!(pairing.check(&token, now));
        assert!(!pairing.check("not-a-token", now));
        assert_eq!(
            pairing.pair(&code, "x", now),
            Err(PairError::NoCode),
            "used once"
        );
        let again = Pairing::load(dir.path().join("web-devices.json"));
        assert!(again.check(&token, now));
        let kept = std::fs::read_to_string(dir.path().join("web-devices.json")).unwrap();
        assert!(!kept.contains(&token), "only the token's hash is kept");
        assert_eq!(again.devices()[0].name, "Linux; Android 14");
    }

    #[test]
    fn codes_are_said_at_most_every_few_seconds() {
        let (_dir, pairing) = pairing();
        let now = Instant::now();
        assert!(pairing.code_to_say(now).is_ok());
        assert_eq!(
            pairing.code_to_say(now + Duration::from_secs(1)),
            Err(PairError::TooSoon(4))
        );
        assert!(pairing.code_to_say(now + SPEAK_EVERY).is_ok());
    }

    #[test]
    fn a_code_expires_after_two_minutes() {
        let (_dir, pairing) = pairing();
        let now = Instant::now();
        let code = pairing.new_code(now).unwrap();
        let late = now + CODE_LIFETIME + Duration::from_secs(1);
        assert_eq!(pairing.pair(&code, "x", late), Err(PairError::Expired));
    }

    #[test]
    fn five_wrong_codes_lock_pairing_for_a_minute() {
        let (_dir, pairing) = pairing();
        let now = Instant::now();
        let code = pairing.new_code(now).unwrap();
        let wrong = if code == "000000" { "000001" } else { "000000" };
        for _ in 0..MAX_FAILURES {
            assert_eq!(pairing.pair(wrong, "x", now), Err(PairError::Wrong));
        }
        assert_eq!(pairing.pair(&code, "x", now), Err(PairError::Locked(60)));
        assert!(matches!(pairing.new_code(now), Err(PairError::Locked(_))));
        let later = now + LOCKOUT + Duration::from_secs(1);
        let code = pairing.new_code(later).unwrap();
        assert!(pairing.pair(&code, "x", later).is_ok());
    }

    #[test]
    fn a_forgotten_phone_is_refused() {
        let (_dir, pairing) = pairing();
        let now = Instant::now();
        let code = pairing.new_code(now).unwrap();
        let token = pairing.pair(&code, "x", now).unwrap();
        let id = pairing.devices()[0].id.clone();
        assert_eq!(pairing.forget(Some("nobody"), now), Ok(0));
        assert_eq!(pairing.forget(Some(&id), now), Ok(1));
        assert!(!pairing.check(&token, now));
    }
}
