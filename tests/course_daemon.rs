//! Courses in the daemon, on a private dbus-daemon with a real audio
//! device: enrolling, today's session, ratings, playerctl's Play, and
//! progress that survives a kill. Time is moved by the test course, not
//! by the clock: its `min_rest` is an hour where a rest day is needed,
//! and the long break is left to the pure rules' tests.

mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use support::bus::{Daemon, PrivateBus};
use support::pulse::PulseServer;
use support::world::playerctl_on;

/// A short walk: only its backward step must be walked in real time;
/// the forward ones may be skipped with Next and the walk still counts.
const SHORT: &str = "name = \"Short\"\n\
    [[steps]]\ndirection = \"forward\"\nduration = \"30s\"\nspeed = 1.0\n\
    [[steps]]\ndirection = \"backward\"\nduration = \"20s\"\nspeed = 0.8\n\
    [[steps]]\ndirection = \"forward\"\nduration = \"15s\"\nspeed = 1.0\n";

/// Folders with the test's programs and its course.
struct Folders {
    _dir: tempfile::TempDir,
    programs: PathBuf,
    courses: PathBuf,
}

fn folders() -> Folders {
    let dir = tempfile::tempdir().unwrap();
    let programs = dir.path().join("programs");
    let courses = dir.path().join("courses");
    std::fs::create_dir_all(&programs).unwrap();
    std::fs::create_dir_all(&courses).unwrap();
    std::fs::write(programs.join("short-a.toml"), SHORT).unwrap();
    std::fs::write(
        programs.join("short-b.toml"),
        SHORT.replace("Short", "Short B"),
    )
    .unwrap();
    std::fs::write(
        courses.join("test-course.toml"),
        "name = \"Test course\"\nsessions_per_week = 3\nmin_rest = \"1h\"\n\
         [[sessions]]\nprogram = \"short-a\"\ntimes = 2\n\
         [[sessions]]\nprogram = \"short-b\"\ntimes = 2\n",
    )
    .unwrap();
    std::fs::write(
        courses.join("quick-course.toml"),
        "name = \"Quick course\"\nsessions_per_week = 7\nmin_rest = \"3s\"\n\
         [[sessions]]\nprogram = \"short-a\"\ntimes = 3\n",
    )
    .unwrap();
    Folders {
        _dir: dir,
        programs,
        courses,
    }
}

fn args(folders: &Folders) -> Vec<String> {
    vec![
        "--programs".into(),
        folders.programs.display().to_string(),
        "--courses".into(),
        folders.courses.display().to_string(),
    ]
}

fn ctl_ok(bus: &PrivateBus, args: &[&str]) -> String {
    let out = bus.ctl(args);
    assert!(
        out.status.success(),
        "treadcuectl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn ctl_err(bus: &PrivateBus, args: &[&str]) -> String {
    let out = bus.ctl(args);
    assert!(!out.status.success(), "treadcuectl {args:?} should fail");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn wait_for(what: &str, within: Duration, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + within;
    while !check() {
        assert!(Instant::now() < deadline, "{what}: not within {within:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn history(dir: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(dir.join("treadcue/history.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn start_daemon(bus: &PrivateBus, folders: &Folders) -> Daemon {
    let args = args(folders);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    Daemon::start_on_null_device(bus, &args)
}

/// On a device that takes samples as fast as they come, a walk ends at
/// once: the course moves on, the history names the walk, and ratings
/// decide what comes next.
#[test]
fn a_finished_walk_moves_the_course_on_and_ratings_steer_it() {
    let folders = folders();
    let bus = PrivateBus::start(None);
    let daemon = start_daemon(&bus, &folders);
    assert!(ctl_err(&bus, &["today"]).contains("you follow no course"));
    assert!(ctl_err(&bus, &["rate", "right"]).contains("you follow no course"));
    assert!(
        ctl_err(&bus, &["course", "enrol", "test-cours"]).contains("did you mean \"test-course\"")
    );
    let listed = ctl_ok(&bus, &["course", "list", "--json"]);
    let listed: serde_json::Value = serde_json::from_str(&listed).unwrap();
    let ours = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "test-course")
        .unwrap();
    assert_eq!(ours["sessions"], 4);

    let enrolled = ctl_ok(&bus, &["course", "enrol", "test-course"]);
    assert!(
        enrolled.contains("Next: session 1 of 4, due now."),
        "{enrolled}"
    );
    assert!(ctl_err(&bus, &["rate", "right"]).contains("nothing to rate"));
    let status = bus.status();
    assert_eq!(
        (status["course"].as_str(), status["course_session"].as_u64()),
        (Some("test-course"), Some(0))
    );

    ctl_ok(&bus, &["today"]);
    wait_for("the walk to end", Duration::from_secs(10), || {
        bus.status()["course_session"] == 1
    });
    // Announced before its briefing, in words the voice has.
    let said = daemon.stderr();
    assert!(
        said.contains("walk 1 of 4 started, announced as \"Week one, session one of four.\"")
            || said.contains("walk 1 of 4 started, announced as \"Round one of four.\""),
        "{said}"
    );
    let entries = history(bus.dir());
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["course"], "test-course");
    assert_eq!(entries[0]["course_session"], 0);
    assert_eq!(entries[0]["completed"], true);
    let due = bus.status()["next_due"].as_i64().unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_micros() as i64;
    assert!(
        (now + 3_500_000_000..now + 3_601_000_000).contains(&due),
        "due {due}, now {now}"
    );

    // Too easy skips the session's second walk; rated again, the last
    // rating counts.
    ctl_ok(&bus, &["rate", "too-easy"]);
    assert_eq!(bus.status()["course_session"], 2);
    ctl_ok(&bus, &["rate", "right"]);
    assert_eq!(bus.status()["course_session"], 1);
    // Enrolling again in the same course keeps the progress.
    ctl_ok(&bus, &["course", "enrol", "test-course"]);
    assert_eq!(bus.status()["course_session"], 1);
    let shown = ctl_ok(&bus, &["course", "show", "--json"]);
    let shown: serde_json::Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(shown["walks"][0]["state"], "done");
    assert_eq!(shown["walks"][0]["last_outcome"], "done, right");
    assert_eq!(shown["walks"][1]["state"], "next");
    assert!(shown["next_due"].is_string(), "{shown}");

    ctl_ok(&bus, &["rate", "too-hard"]);
    ctl_ok(&bus, &["course", "leave"]);
    assert_eq!(bus.status()["course"], "");
    // The history shows the walk with its course and rating, after
    // leaving too.
    let listed = ctl_ok(&bus, &["history", "--json"]);
    let listed: serde_json::Value = serde_json::from_str(&listed).unwrap();
    let walk = &listed[0];
    assert_eq!(
        (&walk["course"], &walk["course_session"], &walk["rating"]),
        (
            &serde_json::json!("test-course"),
            &serde_json::json!(0),
            &serde_json::json!("too-hard")
        ),
        "{listed}"
    );
    let text = ctl_ok(&bus, &["history"]);
    assert!(text.contains("(test-course session 1, too-hard)"), "{text}");
}

/// Play with no session starts today's walk; on a rest day the first
/// Play only says when the next is due, and a second one starts it.
#[test]
fn playerctl_play_starts_todays_walk_and_a_rest_day_asks_twice() {
    let folders = folders();
    let bus = PrivateBus::start(None);
    let mut daemon = start_daemon(&bus, &folders);
    // No course and no history: it says how to choose, and starts nothing.
    playerctl_on(&bus, &["play"]);
    assert_eq!(bus.status()["state"], "idle");
    wait_for("the hint to be logged", Duration::from_secs(5), || {
        daemon.stderr().contains("play: No program yet.")
    });

    ctl_ok(&bus, &["course", "enrol", "test-course"]);
    playerctl_on(&bus, &["play"]);
    wait_for("today's walk to be walked", Duration::from_secs(10), || {
        history(bus.dir()).len() == 1
    });
    assert_eq!(history(bus.dir())[0]["program"], "short-a");
    wait_for("the course to move on", Duration::from_secs(5), || {
        bus.status()["course_session"] == 1
    });

    // A rest day: told, nothing started.
    playerctl_on(&bus, &["play"]);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(history(bus.dir()).len(), 1, "nothing started on a rest day");
    let said = daemon.stderr();
    assert!(
        said.contains("play: Rest today. The next session is due in one hour."),
        "{said}"
    );
    // Pressed again within seconds: it starts anyway.
    playerctl_on(&bus, &["play"]);
    wait_for(
        "the second press to start the walk",
        Duration::from_secs(10),
        || history(bus.dir()).len() == 2,
    );
    assert_eq!(history(bus.dir())[1]["course_session"], 1);

    // With no course, Play starts the program walked last.
    ctl_ok(&bus, &["course", "leave"]);
    playerctl_on(&bus, &["play"]);
    wait_for(
        "the program walked last to start",
        Duration::from_secs(10),
        || history(bus.dir()).len() == 3,
    );
    let third = &history(bus.dir())[2];
    assert_eq!(third["program"], "short-a");
    assert!(third.get("course").is_none(), "{third}");
    assert!(daemon.is_running());
}

/// Next over a backward step makes the walk not done: the course stays.
/// Next over a forward step does not.
#[test]
fn skipping_a_backward_step_makes_the_walk_not_done() {
    let folders = folders();
    let pulse = PulseServer::start();
    let bus = PrivateBus::start(None);
    let args = args(&folders);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let _daemon = Daemon::start(&bus, &pulse.address(), &args);
    ctl_ok(&bus, &["course", "enrol", "test-course"]);
    ctl_ok(&bus, &["today"]);
    ctl_ok(&bus, &["next"]); // over the forward warm-up
    assert_eq!(bus.status()["direction"], "backward");
    ctl_ok(&bus, &["next"]); // over the backward step
    wait_for("the walk to end", Duration::from_secs(40), || {
        history(bus.dir()).len() == 1
    });
    let entry = &history(bus.dir())[0];
    assert_eq!(entry["completed"], true, "it reached its end");
    assert_eq!(entry["skipped_backward"], true);
    assert_eq!(bus.status()["course_session"], 0, "the same walk again");
    assert_eq!(bus.status()["next_due"], 0, "a walk not done makes no rest");
}

/// A kill in the middle of a course walk loses nothing and counts
/// nothing twice: the daemon comes back with the walk paused and the
/// course where it was; walked to its end, the walk counts once.
#[test]
fn a_killed_course_walk_comes_back_paused_and_counts_once_when_finished() {
    let folders = folders();
    let pulse = PulseServer::start();
    let bus = PrivateBus::start(None);
    let args = args(&folders);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut daemon = Daemon::start(&bus, &pulse.address(), &args);
    ctl_ok(&bus, &["course", "enrol", "test-course"]);
    ctl_ok(&bus, &["today"]);
    std::thread::sleep(Duration::from_secs(3));
    daemon.child.kill().unwrap();
    daemon.child.wait().unwrap();

    let _daemon = Daemon::start(&bus, &pulse.address(), &args);
    let status = bus.status();
    assert_eq!(status["state"], "paused", "{status}");
    assert_eq!(status["program"], "short-a");
    assert_eq!(
        (status["course"].as_str(), status["course_session"].as_u64()),
        (Some("test-course"), Some(0))
    );
    assert!(history(bus.dir()).is_empty(), "nothing counted yet");

    ctl_ok(&bus, &["resume"]);
    if bus.status()["direction"] == "forward" {
        ctl_ok(&bus, &["next"]); // over the rest of the warm-up
    }
    wait_for("the restored walk to end", Duration::from_secs(60), || {
        history(bus.dir()).len() == 1
    });
    let entry = &history(bus.dir())[0];
    assert_eq!(
        (
            entry["completed"].as_bool(),
            entry["course_session"].as_u64()
        ),
        (Some(true), Some(0))
    );
    wait_for("the course to move on", Duration::from_secs(5), || {
        bus.status()["course_session"] == 1
    });
    // The enrolment and the progress outlive another restart too.
    drop(_daemon);
    let _daemon = Daemon::start(&bus, &pulse.address(), &args);
    let status = bus.status();
    assert_eq!(
        (status["course"].as_str(), status["course_session"].as_u64()),
        (Some("test-course"), Some(1))
    );
    assert_eq!(history(bus.dir()).len(), 1, "counted once");
}

/// Clients that watch properties hear every course change: enrolling, the
/// walk counted, and the next walk falling due (NextDue turns 0).
#[test]
fn course_properties_are_announced_as_they_change() {
    use futures_util::StreamExt;
    let folders = folders();
    let bus = PrivateBus::start(None);
    let _daemon = start_daemon(&bus, &folders);
    let runtime = support::world::runtime();
    runtime.block_on(async {
        let connection = zbus::connection::Builder::address(bus.address.as_str())
            .build()
            .await
            .unwrap();
        let proxy = treadcue::treadcuectl::TreadcueProxy::new(&connection)
            .await
            .unwrap();
        let properties = zbus::fdo::PropertiesProxy::builder(&connection)
            .destination("io.github.treadcue.Treadcue1")
            .path("/io/github/treadcue/Treadcue1")
            .build()
            .await
            .unwrap();
        let mut changes = properties.receive_properties_changed().await.unwrap();
        let mut next_change = async || -> std::collections::HashMap<String, String> {
            let signal = tokio::time::timeout(Duration::from_secs(10), changes.next())
                .await
                .expect("a PropertiesChanged in time")
                .unwrap();
            let args = signal.args().unwrap();
            args.changed_properties()
                .iter()
                .map(|(k, v)| (k.to_string(), format!("{v}")))
                .collect()
        };
        proxy.enrol("quick-course").await.unwrap();
        let told = next_change().await;
        assert_eq!(
            told.get("Course").map(String::as_str),
            Some("\"quick-course\""),
            "{told:?}"
        );
        assert_eq!(
            told.get("CourseSessions").map(String::as_str),
            Some("uint32 3"),
            "{told:?}"
        );
        assert_eq!(proxy.course_session().await.unwrap(), 0);

        proxy.start_today().await.unwrap();
        // The walk ends at once on this device: CourseSession moves on,
        // and NextDue is set, then turns 0 three seconds later.
        let mut due_set = false;
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            assert!(
                std::time::Instant::now() < deadline,
                "NextDue never came back to 0"
            );
            let told = next_change().await;
            if told.get("CourseSession").map(String::as_str) == Some("uint32 1") {
                assert!(
                    told.get("NextDue").is_some_and(|d| d != "int64 0"),
                    "{told:?}"
                );
                due_set = true;
            } else if due_set && told.get("NextDue").map(String::as_str) == Some("int64 0") {
                break;
            }
        }
        assert_eq!(proxy.next_due().await.unwrap(), 0);
        proxy.leave().await.unwrap();
        let told = next_change().await;
        assert_eq!(
            told.get("Course").map(String::as_str),
            Some("\"\""),
            "{told:?}"
        );
    });
}
