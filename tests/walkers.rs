//! Several walkers on one treadmill, against the real daemon: a state
//! folder written by the release before walkers becomes the first
//! walker's with nothing lost (its killed session comes back as theirs);
//! each walker's sessions, course and settings stay theirs; a session's
//! walker survives a SIGKILL; a removed walker's record is archived whole.

mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;
use support::bus::{Daemon, PrivateBus};
use support::pulse::PulseServer;

fn ok(bus: &PrivateBus, args: &[&str]) -> String {
    let out = bus.ctl(args);
    assert!(out.status.success(), "{args:?}: {out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn refused(bus: &PrivateBus, args: &[&str]) -> String {
    let out = bus.ctl(args);
    assert!(!out.status.success(), "{args:?} should be refused: {out:?}");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn history(bus: &PrivateBus, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["history", "--json"];
    args.extend_from_slice(extra);
    let rows: Value = serde_json::from_str(&ok(bus, &args)).unwrap();
    rows.as_array().unwrap().clone()
}

fn state_dir(bus: &PrivateBus) -> PathBuf {
    bus.dir().join("treadcue")
}

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/state-0.1.0")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

/// Sessions of a minute or so, under a busy machine: a generous wait.
fn wait_for(what: &str, done: impl FnMut() -> bool) {
    support::bluez::wait_for(what, Duration::from_secs(60), done);
}

#[test]
fn a_state_folder_of_the_release_before_walkers_becomes_the_first_walkers() {
    let bus = PrivateBus::start(None);
    let dir = state_dir(&bus);
    copy_dir(&fixture(), &dir);
    let before: Vec<Value> = lines(&dir.join("history.jsonl"))
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let _daemon = Daemon::start_on_null_device(&bus, &[]);

    assert_eq!(ok(&bus, &["walker", "list"]).trim(), "* Walker");
    let status = bus.status();
    assert_eq!(
        (&status["walker"], &status["state"], &status["pause_reason"]),
        (
            &Value::from("Walker"),
            &Value::from("paused"),
            &Value::from("restored")
        ),
        "the session killed under the old release comes back: {status}"
    );
    assert_eq!(status["course"], "balance-60-plus", "the course is kept");
    let rows = history(&bus, &[]);
    let sessions = |rows: &[Value]| {
        rows.iter()
            .map(|r| r["session"].clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(sessions(&rows), sessions(&before), "every session is there");
    for (row, old) in rows.iter().zip(&before) {
        assert_eq!(row["walker"], "Walker");
        assert_eq!(
            (&row["walked"], &row["outcome"]),
            (&old["walked"], &old["outcome"])
        );
    }
    assert_eq!(rows[0]["rating"], "too-hard", "the rating is kept");

    // The killed session is theirs: choosing another walker waits for it.
    ok(&bus, &["walker", "add", "Anna"]);
    let said = refused(&bus, &["walker", "use", "anna"]);
    assert!(said.contains("Walker is walking now"), "{said}");
    ok(&bus, &["stop"]);
    let rows = history(&bus, &[]);
    assert_eq!(rows.len(), before.len() + 1);
    assert_eq!(rows.last().unwrap()["walker"], "Walker");

    let said = ok(&bus, &["walker", "use", "anna"]);
    assert!(said.starts_with("Anna is the walker now"), "{said}");
    assert_eq!(bus.status()["walker"], "Anna");
    assert!(ok(&bus, &["status"]).contains("walker: Anna\n"));
    assert_eq!(bus.status()["course"], "", "Anna follows no course yet");
    assert!(history(&bus, &[]).is_empty(), "Anna has walked nothing");
    assert_eq!(history(&bus, &["--all"]).len(), before.len() + 1);
    assert_eq!(
        history(&bus, &["--walker", "WALKER"]).len(),
        before.len() + 1
    );

    // The old lines are as the old release wrote them.
    let now = lines(&dir.join("history.jsonl"));
    assert_eq!(
        now[..before.len()],
        lines(&fixture().join("history.jsonl"))[..]
    );
}

#[test]
fn each_walkers_sessions_course_and_units_stay_theirs() {
    let bus = PrivateBus::start(None);
    let _daemon = Daemon::start_on_null_device(&bus, &[]);
    ok(&bus, &["walker", "rename", "walker", "Ben"]);
    ok(&bus, &["course", "enrol", "balance-60-plus"]);
    ok(
        &bus,
        &[
            "walker",
            "add",
            "Anna",
            "--units",
            "km/h",
            "--heart-max",
            "130",
        ],
    );
    let listed = ok(&bus, &["walker"]);
    assert_eq!(listed, "* Ben\n  Anna  (heart-rate limit 130, km/h)\n");
    ok(&bus, &["walker", "use", "Anna"]);
    ok(&bus, &["start", "retro-first-steps"]);
    wait_for("Anna's session ends", || history(&bus, &[]).len() == 1);
    let anna = &history(&bus, &[])[0];
    assert_eq!(
        (&anna["walker"], &anna["units"]),
        (&Value::from("Anna"), &Value::from("km/h"))
    );
    assert_eq!(anna["top_backward_speed"], 1.3, "0.8 mph in Anna's km/h");
    assert_eq!(bus.status()["course"], "");

    ok(&bus, &["walker", "use", "ben"]);
    assert_eq!(bus.status()["course"], "balance-60-plus", "Ben's course");
    ok(&bus, &["today"]);
    wait_for("Ben's walk ends", || history(&bus, &[]).len() == 1);
    let ben = &history(&bus, &[])[0];
    assert_eq!(
        (&ben["walker"], &ben["units"]),
        (&Value::from("Ben"), &Value::from("mph"))
    );
    ok(&bus, &["rate", "too-easy"]);
    let all = history(&bus, &["--all"]);
    let walkers: Vec<&Value> = all.iter().map(|r| &r["walker"]).collect();
    assert_eq!(walkers, [&Value::from("Anna"), &Value::from("Ben")]);
    assert_eq!(all[1]["rating"], "too-easy");
    let listed = ok(&bus, &["history", "--all"]);
    let starts: Vec<&str> = listed.lines().map(|l| &l[..6]).collect();
    assert_eq!(starts, ["Anna  ", "Ben   "], "a column of names:\n{listed}");

    let dir = state_dir(&bus);
    assert_eq!(lines(&dir.join("history.jsonl")).len(), 1, "Ben's file");
    assert_eq!(
        lines(&dir.join("walkers/2/history.jsonl")).len(),
        1,
        "Anna's"
    );
    let anna_session = anna["session"].as_i64().unwrap();
    assert!(
        dir.join(format!("walkers/2/records/{anna_session}.rec"))
            .exists()
    );

    // Anna's report says her limit; Ben's the machine's (none).
    let folder = tempfile::tempdir().unwrap();
    let out = folder.path().to_str().unwrap();
    ok(&bus, &["report", "--walker", "anna", "-o", out]);
    ok(&bus, &["report", "-o", out]);
    let mut names: Vec<String> = std::fs::read_dir(folder.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(
        names[0].starts_with("treadcue-report-Anna-")
            && names[1].starts_with("treadcue-report-Ben-"),
        "{names:?}"
    );
    support::require("pdftotext", "poppler-utils");
    {
        let text = |name: &str| {
            let out = std::process::Command::new("pdftotext")
                .arg(folder.path().join(name))
                .arg("-")
                .output()
                .unwrap();
            String::from_utf8_lossy(&out.stdout)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert!(
            text(&names[0]).contains("limit of 130 bpm"),
            "{}",
            text(&names[0])
        );
        assert!(text(&names[1]).contains("no limit set"));
    }

    // A name given twice, or none, is refused with what is wrong.
    assert!(refused(&bus, &["walker", "add", "ANNA"]).contains("already"));
    assert!(refused(&bus, &["walker", "use", "Carl"]).contains("Ben, Anna"));
    assert!(refused(&bus, &["history", "--walker", "Carl", "--json"]).contains("no walker called"));
}

#[test]
fn a_killed_session_comes_back_as_its_walkers() {
    let pulse = PulseServer::start();
    let bus = PrivateBus::start(None);
    let mut daemon = Daemon::start(&bus, &pulse.address(), &[]);
    ok(&bus, &["walker", "add", "Anna"]);
    ok(&bus, &["walker", "use", "Anna"]);
    ok(&bus, &["start", "retro-first-steps"]);
    wait_for("a checkpoint with 2 s walked", || {
        bus.checkpoint().is_some_and(|c| {
            c["walker_id"] == 2
                && c["walked"][0].as_f64().unwrap_or(0.0) >= 2.0
                && c["records"].as_u64().unwrap_or(0) >= 2
        })
    });
    daemon.child.kill().unwrap();
    daemon.child.wait().unwrap();
    // As a hand edit of the list might: another walker is active.
    let list = state_dir(&bus).join("walkers.json");
    let edited = std::fs::read_to_string(&list)
        .unwrap()
        .replace("\"active\": 2", "\"active\": 1");
    std::fs::write(&list, edited).unwrap();

    let _daemon = Daemon::start(&bus, &pulse.address(), &[]);
    let status = bus.status();
    assert_eq!(
        (&status["walker"], &status["state"]),
        (&Value::from("Anna"), &Value::from("paused"))
    );
    ok(&bus, &["stop"]);
    let rows = history(&bus, &[]);
    assert_eq!(rows.len(), 1, "Anna's session is in Anna's history");
    assert_eq!(rows[0]["walker"], "Anna");
    let session = rows[0]["session"].as_i64().unwrap();
    let record = state_dir(&bus).join(format!("walkers/2/records/{session}.rec"));
    assert!(record.exists(), "the record stays Anna's");
    ok(&bus, &["walker", "use", "Walker"]);
    assert!(history(&bus, &[]).is_empty());
}

#[test]
fn a_removed_walkers_record_is_archived_whole_or_deleted_when_asked() {
    let bus = PrivateBus::start(None);
    let _daemon = Daemon::start_on_null_device(&bus, &[]);
    ok(&bus, &["walker", "add", "Anna"]);
    ok(&bus, &["walker", "add", "Carl"]);
    ok(&bus, &["start", "retro-first-steps"]);
    wait_for("the first walker's session ends", || {
        history(&bus, &[]).len() == 1
    });
    let dir = state_dir(&bus);
    let kept = std::fs::read(dir.join("history.jsonl")).unwrap();

    assert!(
        refused(&bus, &["walker", "remove", "Walker"]).contains("--yes"),
        "asked, nothing removed"
    );
    assert!(dir.join("history.jsonl").exists());
    let said = ok(&bus, &["walker", "remove", "Walker", "--yes"]);
    let archive = PathBuf::from(said.trim().rsplit(" in ").next().unwrap());
    assert!(archive.starts_with(dir.join("archive")), "{said}");
    assert_eq!(std::fs::read(archive.join("history.jsonl")).unwrap(), kept);
    assert_eq!(
        std::fs::read_dir(archive.join("records")).unwrap().count(),
        1
    );
    assert!(!dir.join("history.jsonl").exists());
    assert_eq!(
        ok(&bus, &["walker"]),
        "* Anna\n  Carl\n",
        "the active walker was removed"
    );

    ok(&bus, &["start", "retro-first-steps"]);
    wait_for("Anna's session ends", || history(&bus, &[]).len() == 1);
    ok(&bus, &["walker", "remove", "Carl", "--delete", "--yes"]);
    assert!(!dir.join("walkers/3").exists());
    assert!(refused(&bus, &["walker", "remove", "Anna", "--yes"]).contains("only walker"));
    assert_eq!(history(&bus, &["--all"]).len(), 1);
}

#[test]
fn the_phone_chooses_the_walker_and_sees_one_walkers_history_or_everyones() {
    let remote = support::remote::remote_with(&[]);
    let bus = &remote.bus;
    ok(bus, &["walker", "add", "Anna Bé"]);
    remote.pair();
    let (code, walkers) = remote.json("GET", "/api/walkers", None);
    assert_eq!(code, 200);
    assert_eq!(walkers[1]["name"], "Anna Bé");
    assert_eq!(
        (&walkers[0]["active"], &walkers[1]["active"]),
        (&Value::from(true), &Value::from(false))
    );

    ok(bus, &["start", "retro-first-steps"]);
    let (code, error) = remote.json("POST", "/api/walkers/use", Some(r#"{"name": "anna bé"}"#));
    assert_eq!(code, 400, "{error}");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("Walker is walking now")
    );
    ok(bus, &["stop"]);
    let (code, status) = remote.json("POST", "/api/walkers/use", Some(r#"{"name": "anna bé"}"#));
    assert_eq!((code, &status["Walker"]), (200, &Value::from("Anna Bé")));
    assert_eq!(
        bus.status()["walker"],
        "Anna Bé",
        "D-Bus tells the same walker"
    );

    let (_, mine) = remote.json("GET", "/api/history", None);
    assert_eq!(mine, Value::Array(vec![]));
    let (_, all) = remote.json("GET", "/api/history?all=true", None);
    assert_eq!(all.as_array().unwrap().len(), 1);
    assert_eq!(all[0]["walker"], "Walker");
    let (_, theirs) = remote.json("GET", "/api/history?walker=WALKER", None);
    assert_eq!(theirs, all);
    let (code, _) = remote.json("GET", "/api/history?walker=Anna%20B%C3%A9", None);
    assert_eq!(code, 200);
    let (code, error) = remote.json("GET", "/api/history?walker=Carl", None);
    assert_eq!(code, 400, "{error}");
    let (code, _) = remote.json("GET", "/api/history?all=maybe", None);
    assert_eq!(code, 400);
    let (code, page) = remote.curl("GET", "/report?walker=Anna+B%C3%A9", None, &[]);
    assert_eq!(code, 200, "{page}");
    assert!(
        page.contains("Anna Bé, from"),
        "the report names its walker"
    );
}
