//! What a walker on a moving belt does with a phone and the headphones'
//! buttons: a start while a session runs never ends it without being
//! told to; after a course walk the buttons rate it with no press
//! ambiguous, and the walker hears when the next walk is due and why a
//! walk comes again; the course never shows a walked session undone.

mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use support::bus::{Daemon, PrivateBus};
use support::remote::remote_with;
use support::world::playerctl_on;

const SHORT: &str = "name = \"Short\"\n\
    [[steps]]\ndirection = \"forward\"\nduration = \"30s\"\nspeed = 1.0\n\
    [[steps]]\ndirection = \"backward\"\nduration = \"20s\"\nspeed = 0.8\n\
    [[steps]]\ndirection = \"forward\"\nduration = \"15s\"\nspeed = 1.0\n";

fn wait_for(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while !check() {
        assert!(Instant::now() < deadline, "{what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_start_while_a_session_runs_is_refused_unless_it_says_it_replaces() {
    let remote = remote_with(&[]);
    remote.pair();
    let (code, _) = remote.json("POST", "/api/start", Some(r#"{"program": "demo"}"#));
    assert_eq!(code, 200);
    // A stray tap on another program: refused, and the walk goes on.
    let (code, reply) = remote.json(
        "POST",
        "/api/start",
        Some(r#"{"program": "retro-first-steps"}"#),
    );
    assert_eq!(code, 409, "{reply}");
    assert_eq!(reply["error"], "SessionRunning");
    let message = reply["message"].as_str().unwrap();
    assert!(
        message.contains("Seventy-second demo") && message.contains("First steps backward"),
        "both sessions are named: {message}"
    );
    let (_, status) = remote.json("GET", "/api/status", None);
    assert_eq!(
        (status["Program"].as_str(), status["State"].as_str()),
        (Some("demo"), Some("running"))
    );
    // Asked to replace, it does.
    let (code, status) = remote.json(
        "POST",
        "/api/start",
        Some(r#"{"program": "retro-first-steps", "replace": true}"#),
    );
    assert_eq!(code, 200, "{status}");
    assert_eq!(status["Program"], "retro-first-steps");
    // Today's session likewise: refused mid-session, body or none.
    assert!(
        remote
            .bus
            .ctl(&["course", "enrol", "from-zero"])
            .status
            .success()
    );
    for body in [None, Some("{}"), Some(r#"{"replace": false}"#)] {
        let (code, reply) = remote.json("POST", "/api/today", body);
        assert_eq!(
            (code, reply["error"].as_str()),
            (409, Some("SessionRunning")),
            "{body:?}"
        );
    }
    let (code, status) = remote.json("POST", "/api/today", Some(r#"{"replace": true}"#));
    assert_eq!(code, 200, "{status}");
    assert_eq!(status["Course"], "from-zero");
    // D-Bus Start keeps its meaning for scripts: it replaces.
    assert!(remote.bus.ctl(&["start", "demo"]).status.success());
    assert_eq!(remote.bus.status()["program"], "demo");
    // A malformed body is an error that says so.
    let (code, reply) = remote.json("POST", "/api/today", Some("{"));
    assert_eq!(
        (code, reply["error"].as_str()),
        (400, Some("InvalidArgument"))
    );
}

/// A course whose walks end at once on ALSA's null device.
struct Course {
    _dir: tempfile::TempDir,
    programs: PathBuf,
    courses: PathBuf,
}

fn course(min_rest: &str) -> Course {
    let dir = tempfile::tempdir().unwrap();
    let (programs, courses) = (dir.path().join("programs"), dir.path().join("courses"));
    std::fs::create_dir_all(&programs).unwrap();
    std::fs::create_dir_all(&courses).unwrap();
    std::fs::write(programs.join("short-a.toml"), SHORT).unwrap();
    std::fs::write(
        programs.join("short-b.toml"),
        SHORT.replace("Short", "Short B"),
    )
    .unwrap();
    std::fs::write(
        courses.join("two-steps.toml"),
        format!(
            "name = \"Two steps\"\nsessions_per_week = 3\nmin_rest = \"{min_rest}\"\n\
             [[sessions]]\nprogram = \"short-a\"\n\
             [[sessions]]\nprogram = \"short-b\"\ntimes = 2\n"
        ),
    )
    .unwrap();
    Course {
        _dir: dir,
        programs,
        courses,
    }
}

fn daemon(bus: &PrivateBus, course: &Course) -> Daemon {
    let programs = course.programs.display().to_string();
    let courses = course.courses.display().to_string();
    Daemon::start_on_null_device(bus, &["--programs", &programs, "--courses", &courses])
}

fn history_len(dir: &Path) -> usize {
    std::fs::read_to_string(dir.join("treadcue/history.jsonl"))
        .unwrap_or_default()
        .lines()
        .count()
}

fn last_rating(bus: &PrivateBus) -> String {
    let out = bus.busctl(&[
        "get-property",
        "io.github.treadcue.Treadcue1",
        "/io/github/treadcue/Treadcue1",
        "io.github.treadcue.Treadcue1",
        "LastRating",
    ]);
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .trim_start_matches("s ")
        .trim_matches('"')
        .to_string()
}

fn ctl(bus: &PrivateBus, args: &[&str]) -> String {
    let out = bus.ctl(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn after_a_course_walk_the_buttons_rate_it_and_no_press_rates_by_accident() {
    let course = course("1h");
    let bus = PrivateBus::start(None);
    let daemon = daemon(&bus, &course);
    ctl(&bus, &["course", "enrol", "two-steps"]);
    playerctl_on(&bus, &["play"]);
    wait_for("the walk ends", || history_len(bus.dir()) == 1);
    wait_for(
        "the walker hears when the next is due, and how to rate",
        || {
            let said = daemon.stderr();
            said.contains("coach: The next session is due in one hour. How was it? Press next")
        },
    );
    assert_eq!(last_rating(&bus), "unrated");
    // Earbuds taken out send Pause, put back in send Play: neither rates.
    playerctl_on(&bus, &["pause"]);
    assert_eq!(last_rating(&bus), "unrated");
    playerctl_on(&bus, &["play"]);
    wait_for("Play says it is a rest day", || {
        daemon.stderr().contains("play: Rest today.")
    });
    assert_eq!(last_rating(&bus), "unrated", "Play with no choice heard");
    assert_eq!(history_len(bus.dir()), 1, "nothing started");
    // Next says the choices in turn, Previous goes back; Play keeps.
    playerctl_on(&bus, &["next"]);
    playerctl_on(&bus, &["next"]);
    playerctl_on(&bus, &["next"]);
    playerctl_on(&bus, &["previous"]);
    let said = daemon.stderr();
    let order: Vec<&str> = said
        .lines()
        .filter_map(|l| l.split("rating: ").nth(1))
        .collect();
    assert_eq!(
        order,
        [
            "right said",
            "too-easy said",
            "too-hard said",
            "too-easy said"
        ]
    );
    assert_eq!(last_rating(&bus), "unrated", "not kept yet");
    playerctl_on(&bus, &["play"]);
    wait_for("kept", || last_rating(&bus) == "too-easy");
    let listed = ctl(&bus, &["history"]);
    assert!(
        listed.contains("(two-steps session 1, too-easy)"),
        "{listed}"
    );
    // Rated, the buttons rate nothing more.
    playerctl_on(&bus, &["next"]);
    assert_eq!(last_rating(&bus), "too-easy");
}

#[test]
fn an_unrated_walk_stays_unrated_and_a_step_back_is_told_and_keeps_walks_done() {
    let course = course("0s");
    let bus = PrivateBus::start(None);
    let daemon = daemon(&bus, &course);
    ctl(&bus, &["course", "enrol", "two-steps"]);
    ctl(&bus, &["today"]);
    wait_for("the first walk ends", || history_len(bus.dir()) == 1);
    let listed = ctl(&bus, &["history"]);
    assert!(
        listed.contains("(two-steps session 1, unrated)"),
        "{listed}"
    );
    // Unrated counts as right: the course goes on to session B.
    assert_eq!(bus.status()["course_session"], 1);
    for walk in 2..=3 {
        ctl(&bus, &["today"]);
        wait_for("a walk of B ends", || history_len(bus.dir()) == walk);
        ctl(&bus, &["rate", "too-hard"]);
    }
    // Too hard twice: back a session, and the walks done stay done.
    let shown = ctl(&bus, &["course", "show"]);
    assert!(shown.starts_with("Two steps"), "{shown}");
    assert!(shown.contains("1 of 3 sessions done"), "{shown}");
    assert_eq!(bus.status()["course_session"], 0);
    ctl(&bus, &["today"]);
    wait_for("the walk again", || history_len(bus.dir()) == 4);
    assert!(
        daemon.stderr().contains(
            "announced as \"The last two sessions were too hard, so we go back a step. Week one, session one of three.\""
        ),
        "{}",
        daemon.stderr()
    );
}

#[test]
fn enrolling_names_the_course_and_says_what_it_replaced() {
    let course = course("1h");
    let bus = PrivateBus::start(None);
    let _daemon = daemon(&bus, &course);
    let said = ctl(&bus, &["course", "enrol", "two-steps"]);
    assert!(
        said.contains("Enrolled in Two steps (two-steps)."),
        "{said}"
    );
    assert!(!said.contains("replaces"), "{said}");
    let said = ctl(&bus, &["course", "enrol", "two-steps"]);
    assert!(said.contains("You already follow Two steps"), "{said}");
    let said = ctl(&bus, &["course", "enrol", "from-zero"]);
    assert!(
        said.contains("This replaces your progress in Two steps (two-steps)"),
        "{said}"
    );
}
