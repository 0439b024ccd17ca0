//! The web remote's page in a real headless Chromium (Debian's chromium
//! and chromium-driver, driven by python3-selenium): pairing, starting,
//! the moving bar, pausing from the page and from playerctl. Screenshots
//! at phone size, light and dark, are saved in target/screenshots/.

mod support;

use std::path::Path;
use std::process::Command;

use support::bus::{Daemon, PrivateBus};
use support::pulse::PulseServer;

/// A program whose name looks like HTML: the page must show it as text.
const MARKUP: &str = "name = \"<b>Bold</b> walk\"\n\
    [[steps]]\ndirection = \"forward\"\nduration = \"2m\"\nspeed = 1.5\n\
    [[steps]]\ndirection = \"backward\"\nduration = \"1m\"\nspeed = 0.8\n\
    [[steps]]\ndirection = \"forward\"\nduration = \"2m\"\nspeed = 1.5\n";

/// Runs `tests/browser/SCRIPT` against a daemon serving the page, with
/// the markup program among its programs; returns where the screenshots
/// are.
fn run_browser(script: &str) -> std::path::PathBuf {
    support::require("chromium", "chromium");
    support::require("chromedriver", "chromium-driver");
    let selenium = Command::new("/usr/bin/python3")
        .args(["-c", "import selenium"])
        .status();
    assert!(
        selenium.is_ok_and(|s| s.success()),
        "python3-selenium is missing: install the Debian package python3-selenium (scripts/setup --test does)"
    );
    let programs = tempfile::tempdir().unwrap();
    std::fs::write(programs.path().join("markup.toml"), MARKUP).unwrap();
    let pulse = PulseServer::start();
    let bus = PrivateBus::start(None);
    // A session walked two weeks ago, before this one.
    let state = bus.dir().join("treadcue");
    std::fs::create_dir_all(&state).unwrap();
    std::fs::write(state.join("history.jsonl"), earlier_session(14)).unwrap();
    let port = support::free_port();
    let listen = format!("127.0.0.1:{port}");
    let daemon = Daemon::start(
        &bus,
        &pulse.address(),
        &[
            "--web",
            &listen,
            "--programs",
            programs.path().to_str().unwrap(),
        ],
    );
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/browser")
        .join(script);
    let out = Command::new("/usr/bin/python3")
        .arg(&script)
        .arg(format!("http://{listen}"))
        .arg(&bus.address)
        .arg(env!("CARGO_BIN_EXE_treadcuectl"))
        .arg(&shots)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}\n{}\ntreadcued said:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        daemon.stderr()
    );
    shots
}

/// A history line for a session `days` ago that walked backward at up
/// to 0.7 mph.
fn earlier_session(days: u32) -> String {
    let (start, session) = support::days_ago(days);
    serde_json::json!({
        "program": "retro-first-steps", "program_name": "Retro first steps",
        "start": start, "end": start, "steps_done": 9, "step_count": 9,
        "completed": true, "outcome": "finished", "walked": 600.0,
        "walked_backward": 180.0, "top_backward_speed": 0.7, "units": "mph",
        "position": 600.0, "session": session,
    })
    .to_string()
        + "\n"
}

fn assert_pngs(shots: &Path, names: &[&str]) {
    for name in names {
        let png = std::fs::read(shots.join(name)).unwrap();
        assert!(png.starts_with(b"\x89PNG"), "{name} is a PNG");
    }
}

#[test]
fn the_page_pairs_starts_shows_progress_and_follows_every_front_end() {
    let shots = run_browser("remote.py");
    assert_pngs(
        &shots,
        &["remote-pairing.png", "remote-light.png", "remote-dark.png"],
    );
}

/// A walker's taps on a moving belt: a stray tap never ends a walk or
/// drops a course's progress; an ended session shows what was walked,
/// asks for the rating and offers the next; courses from the phone.
#[test]
fn the_page_asks_before_ending_a_walk_and_carries_a_course_from_the_phone() {
    let shots = run_browser("walker.py");
    assert_pngs(
        &shots,
        &[
            "remote-session.png",
            "remote-ask.png",
            "remote-ended.png",
            "remote-courses.png",
            "remote-history.png",
            "remote-walkers.png",
        ],
    );
}
