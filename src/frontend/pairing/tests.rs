//! The pairing rules, with the time handed in.

use super::*;

fn pairing() -> (tempfile::TempDir, Pairing) {
    let dir = tempfile::tempdir().unwrap();
    let pairing = Pairing::load(dir.path().join("web-devices.json"));
    (dir, pairing)
}

fn wrong_for(code: &str) -> &'static str {
    if code == "000000" { "000001" } else { "000000" }
}

#[test]
fn the_right_code_gives_a_token_that_checks_and_survives_a_restart() {
    let (dir, pairing) = pairing();
    let now = Instant::now();
    let code = pairing.new_code(now).unwrap();
    assert_eq!(code.len(), 6);
    assert!(code.chars().all(|c| c.is_ascii_digit()));
    let token = pairing
        .pair(&code, "Mozilla/5.0 (Linux; Android 14)", "phone", now)
        .unwrap();
    assert!(pairing.check(&token, now));
    assert!(!pairing.check("not-a-token", now));
    assert_eq!(
        pairing.pair(&code, "x", "phone", now),
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
fn a_code_said_aloud_is_not_replaced_while_it_is_good() {
    let (_dir, pairing) = pairing();
    let now = Instant::now();
    let code = pairing.code_to_say(now).unwrap();
    assert_eq!(
        pairing.code_to_say(now + Duration::from_secs(1)),
        Err(PairError::TooSoon(29))
    );
    assert_eq!(
        pairing.code_to_say(now + SPEAK_EVERY),
        Err(PairError::CodeWaiting(90))
    );
    // The code being typed still pairs.
    let later = now + SPEAK_EVERY + Duration::from_secs(5);
    assert!(pairing.pair(&code, "x", "phone", later).is_ok());
    // Used: the next phone may ask.
    assert!(pairing.code_to_say(later).is_ok());
    // The walker's own say replaces a waiting code.
    let local = pairing.new_code(later).unwrap();
    assert!(pairing.pair(&local, "x", "phone", later).is_ok());
}

#[test]
fn a_code_expires_after_two_minutes() {
    let (_dir, pairing) = pairing();
    let now = Instant::now();
    let code = pairing.new_code(now).unwrap();
    let late = now + CODE_LIFETIME + Duration::from_secs(1);
    assert_eq!(
        pairing.pair(&code, "x", "phone", late),
        Err(PairError::Expired)
    );
}

#[test]
fn five_wrong_codes_lock_out_their_source_only() {
    let (_dir, pairing) = pairing();
    let now = Instant::now();
    let code = pairing.new_code(now).unwrap();
    for _ in 0..MAX_FAILURES {
        assert_eq!(
            pairing.pair(wrong_for(&code), "x", "attacker", now),
            Err(PairError::Wrong)
        );
    }
    assert_eq!(
        pairing.pair(&code, "x", "attacker", now),
        Err(PairError::Locked(60))
    );
    // The walker's phone, and the local path, go on.
    assert!(pairing.pair(&code, "x", "phone", now).is_ok());
    let code = pairing.new_code(now).unwrap();
    let later = now + LOCKOUT + Duration::from_secs(1);
    assert!(pairing.pair(&code, "x", "attacker", later).is_ok());
}

#[test]
fn many_sources_guessing_void_the_code() {
    let (_dir, pairing) = pairing();
    let now = Instant::now();
    let code = pairing.new_code(now).unwrap();
    for n in 0..MAX_GUESSES_PER_CODE {
        let source = format!("10.0.0.{n}");
        assert_eq!(
            pairing.pair(wrong_for(&code), "x", &source, now),
            Err(PairError::Wrong)
        );
    }
    assert_eq!(
        pairing.pair(&code, "x", "phone", now),
        Err(PairError::NoCode),
        "void after {MAX_GUESSES_PER_CODE} wrong guesses"
    );
}

#[test]
fn the_sources_remembered_stay_bounded() {
    let (_dir, pairing) = pairing();
    let now = Instant::now();
    for n in 0..(MAX_SOURCES * 3) {
        pairing.new_code(now).unwrap();
        let _ = pairing.pair("x", "x", &n.to_string(), now);
    }
    assert!(pairing.state().sources.len() <= MAX_SOURCES);
}

#[test]
fn a_forgotten_phone_is_refused() {
    let (_dir, pairing) = pairing();
    let now = Instant::now();
    let code = pairing.new_code(now).unwrap();
    let token = pairing.pair(&code, "x", "phone", now).unwrap();
    let id = pairing.devices()[0].id.clone();
    assert_eq!(pairing.forget(Some("nobody"), now), Ok(0));
    assert_eq!(pairing.forget(Some(&id), now), Ok(1));
    assert!(!pairing.check(&token, now));
}
