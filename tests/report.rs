//! The physiotherapist's report: `treadcuectl report` writes a PDF that
//! poppler (`pdftotext`, `pdftoppm`, a reader nobody here wrote) reads
//! back with the figures of the history as `treadcuectl history --json`
//! gives them; its minutes chart shows bars in proportion to the minutes
//! walked each way; the web remote's `/report` and `/report.pdf` give
//! the same figures to a paired phone only; bad dates are refused with a
//! clear error.

mod support;

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};
use support::remote::{Remote, remote_with};
use treadcue::calendar::Date;
use treadcue::store::records::{Mark, RecordsFolder, Sample};

const SINCE: &str = "2026-10-05";
const UNTIL: &str = "2026-10-25";

/// Microseconds since 1970 of `day` at `hour`:00 UTC: the same local
/// date wherever the tests run within seven hours of UTC.
fn at(day: &str, hour: i64) -> i64 {
    let date: Date = day.parse().unwrap();
    let epoch: Date = "1970-01-01".parse().unwrap();
    (date.days_after(epoch) * 86_400 + hour * 3600) * 1_000_000
}

fn rfc3339(micros: i64) -> String {
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_micros(micros as u64);
    humantime::format_rfc3339_seconds(t).to_string()
}

/// A session of the knee course (walk `walk`), or of a program outside
/// it, with what a treadmill and a strap measured.
fn session(day: &str, hour: i64, minutes: f64, backward: f64, walk: Option<u32>) -> Value {
    let start = at(day, hour);
    let mut line = json!({
        "program": "knee-oa-10", "program_name": "Knee ten",
        "start": rfc3339(start), "end": rfc3339(start + (minutes * 60e6) as i64),
        "steps_done": 3, "step_count": 3, "completed": true, "outcome": "finished",
        "walked": minutes * 60.0, "walked_backward": backward * 60.0,
        "top_backward_speed": 0.8, "units": "mph", "position": minutes * 60.0,
        "session": start, "heart_rate_average": 100 + walk.unwrap_or(9),
        "heart_rate_max": 120 + 3 * walk.unwrap_or(9), "minutes_above_limit": 0.5,
    });
    match walk {
        Some(walk) => {
            line["course"] = "knee-oa".into();
            line["course_session"] = walk.into();
        }
        None => {
            line["program"] = "retro-builder".into();
            line["program_name"] = "Backward builder".into();
        }
    }
    line
}

/// One course walk before the period (it counts only for the rest before
/// the first), four in its first week (one too soon after the one
/// before), a course walk and another walk in the second, nothing in the
/// third.
fn history() -> Vec<Value> {
    vec![
        session("2026-09-30", 12, 25.0, 10.0, Some(0)),
        session(SINCE, 12, 30.0, 10.0, Some(1)),
        session("2026-10-07", 12, 30.0, 12.0, Some(2)),
        session("2026-10-07", 16, 20.0, 5.0, Some(3)),
        session("2026-10-09", 12, 30.0, 10.0, Some(4)),
        session("2026-10-12", 12, 20.0, 8.0, Some(5)),
        session("2026-10-14", 12, 15.0, 3.0, None),
    ]
}

/// Samples for the walk on SINCE: backward at 1.6 km/h on a 2% incline.
fn samples() -> Vec<Sample> {
    (1..=1800u32)
        .map(|second| Sample {
            mark: Mark::Walking,
            at_ms: second * 1000,
            step: (second / 600) as u16,
            backward: second / 600 == 1,
            walked: second as f32,
            walked_backward: second.saturating_sub(600).min(600) as f32,
            program_metres: second as f32,
            belt_metres: None,
            speed_kmh: if second / 600 == 1 { 1.6 } else { 4.0 },
            speed_from_belt: false,
            heart_rate: Some(100),
            incline: Some(2.0),
        })
        .collect()
}

fn seed(remote: &Remote) {
    let state = remote.bus.dir().join("treadcue");
    std::fs::create_dir_all(&state).unwrap();
    let lines: String = history().iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(state.join("history.jsonl"), lines).unwrap();
    let rated = |day, hour, rating| (at(day, hour).to_string(), json!(rating));
    let ratings: serde_json::Map<String, Value> = [
        rated(SINCE, 12, "too-hard"),
        rated("2026-10-07", 12, "right"),
        rated("2026-10-12", 12, "too-easy"),
        // A rating of the walk outside the course counts for nothing.
        rated("2026-10-14", 12, "too-easy"),
    ]
    .into_iter()
    .collect();
    let enrolment = json!({"course": "knee-oa", "since": at("2026-09-28", 6), "ratings": ratings});
    std::fs::write(state.join("course.json"), enrolment.to_string()).unwrap();
    RecordsFolder::new(state.join("records"))
        .append(at(SINCE, 12), &samples())
        .unwrap();
}

/// The history as `treadcuectl history --json` gives it, of the period.
fn rows(remote: &Remote) -> Vec<Value> {
    let out = remote.bus.ctl(&["history", "--json"]);
    assert!(out.status.success(), "{out:?}");
    let all: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(all.len(), history().len());
    all.into_iter()
        .filter(|r| r["start"].as_str().unwrap()[..10] >= *SINCE)
        .collect()
}

fn pdf_text(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-layout"])
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// The words of the sessions table's row for `date` and `time`.
fn session_line<'a>(text: &'a str, date: &str, time: &str) -> Vec<&'a str> {
    text.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .find(|words| words.len() > 2 && words[0] == date && words[1] == time)
        .unwrap_or_else(|| panic!("no session at {date} {time}:\n{text}"))
}

/// The words of the line that starts with `first`.
fn line_of<'a>(text: &'a str, first: &str) -> Vec<&'a str> {
    text.lines()
        .find(|l| l.trim_start().starts_with(first))
        .unwrap_or_else(|| panic!("no line starts with {first}:\n{text}"))
        .split_whitespace()
        .collect()
}

fn minutes(rows: &[Value], field: &str) -> f64 {
    rows.iter().map(|r| r[field].as_f64().unwrap()).sum::<f64>() / 60.0
}

fn count(rows: &[Value], rating: &str) -> usize {
    rows.iter().filter(|r| r["rating"] == rating).count()
}

/// The summary, as the history says it must read.
fn expected_summary(rows: &[Value]) -> Vec<String> {
    let (walked, backward) = (minutes(rows, "walked"), minutes(rows, "walked_backward"));
    let above: f64 = rows
        .iter()
        .map(|r| r["minutes_above_limit"].as_f64().unwrap())
        .sum();
    let highest = rows
        .iter()
        .map(|r| r["heart_rate_max"].as_u64().unwrap())
        .max()
        .unwrap();
    vec![
        format!(
            "Sessions: {} ({} walked to the end)",
            rows.len(),
            rows.len()
        ),
        format!(
            "Minutes walked: {walked:.1} (backward {backward:.1}, forward {:.1})",
            walked - backward
        ),
        // Three a week for three weeks; the first week's four count as three.
        "Course walks as prescribed: 4 of 9 (44%)".into(),
        "Rest before course walks: kept 4, too short 1".into(),
        format!(
            "Ratings of course walks: too hard {}, right {}, too easy {}, unrated {}",
            count(rows, "too-hard"),
            count(rows, "right"),
            count(rows, "too-easy"),
            count(rows, "unrated")
        ),
        format!("highest {highest} bpm; {above:.1} minutes above the limit of 125 bpm"),
    ]
}

/// Each week's row: Monday, prescribed, sessions, course walks, rests
/// too short, minutes backward, forward, in all.
fn expected_weeks(rows: &[Value]) -> Vec<Vec<String>> {
    let since: Date = SINCE.parse().unwrap();
    (0..3)
        .map(|week| {
            let monday = since.plus_days(7 * week);
            let of_week: Vec<&Value> = rows
                .iter()
                .filter(|r| {
                    let day: Date = r["start"].as_str().unwrap()[..10].parse().unwrap();
                    day.monday() == monday
                })
                .collect();
            let sum = |field: &str| {
                of_week
                    .iter()
                    .map(|r| r[field].as_f64().unwrap())
                    .fold(0.0, |sum, minutes| sum + minutes)
                    / 60.0
            };
            let course_walks = of_week.iter().filter(|r| !r["course"].is_null()).count();
            let short = usize::from(week == 0);
            let (walked, backward) = (sum("walked"), sum("walked_backward"));
            vec![
                monday.to_string(),
                "3".into(),
                of_week.len().to_string(),
                course_walks.to_string(),
                short.to_string(),
                format!("{backward:.1}"),
                format!("{:.1}", walked - backward),
                format!("{walked:.1}"),
            ]
        })
        .collect()
}

#[test]
fn the_pdf_report_says_what_the_history_says() {
    support::require("pdftotext", "poppler-utils");
    let remote = remote_with(&["--heart-max", "125"]);
    seed(&remote);
    let rows = rows(&remote);
    let folder = tempfile::tempdir().unwrap();
    let pdf = folder.path().join("report.pdf");
    let out = remote.bus.ctl(&[
        "report",
        "--since",
        SINCE,
        "--until",
        UNTIL,
        "-o",
        pdf.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{out:?}");
    let text = pdf_text(&pdf);
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for line in expected_summary(&rows) {
        assert!(flat.contains(&line), "{line:?} is not in:\n{text}");
    }
    assert!(
        flat.contains(&format!("Walker, from {SINCE} to {UNTIL}")),
        "{text}"
    );
    for week in expected_weeks(&rows) {
        assert_eq!(line_of(&text, &week[0]), week, "{text}");
    }
    // The walk with a record: its average backward speed (1.6 km/h in
    // mph), incline and rating; a walk without one shows dashes.
    let first = session_line(&text, SINCE, "12:00");
    assert_eq!(
        first[first.len() - 10..],
        [
            "30.0", "10.0", "0.8", "0.99", "2.0/2.0", "101/123", "0.5", "2", "too-hard", "kept"
        ],
        "{text}"
    );
    let too_soon = session_line(&text, "2026-10-07", "16:00");
    assert_eq!(too_soon[too_soon.len() - 3..], ["4", "unrated", "short"]);
    let other = session_line(&text, "2026-10-14", "12:00");
    assert!(
        other.ends_with(&["-", "-", "-"]),
        "outside the course: {other:?}"
    );
    for note in ["Hold the handrails.", "Knee ten", "Backward builder"] {
        assert!(flat.contains(note), "the plan's note {note:?} is missing");
    }
    assert_bars_in_proportion(&pdf, &rows);
}

/// Counts the pixels of the minutes chart (between its title and the
/// next chart's) in the backward and the forward colours: the bars have
/// one width, so their areas go as the minutes.
fn assert_bars_in_proportion(pdf: &Path, rows: &[Value]) {
    let (top, bottom) = chart_band(pdf);
    let folder = pdf.parent().unwrap();
    let prefix = folder.join("page");
    let out = Command::new("pdftoppm")
        .args(["-r", "72", "-f", "1", "-l", "1", "-singlefile"])
        .arg(pdf)
        .arg(&prefix)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let image = std::fs::read(folder.join("page.ppm")).unwrap();
    let (width, pixels) = ppm(&image);
    let near = |p: &[u8], c: [u8; 3]| p.iter().zip(c).all(|(a, b)| a.abs_diff(b) <= 8);
    let (mut backward, mut forward) = (0usize, 0usize);
    for (index, pixel) in pixels.chunks(3).enumerate() {
        let y = (index / width) as f64;
        if y < top || y > bottom {
            continue;
        }
        backward += usize::from(near(pixel, [0x1f, 0x5f, 0xa8]));
        forward += usize::from(near(pixel, [0xe8, 0x9a, 0x3c]));
    }
    let drawn = backward as f64 / forward as f64;
    let walked = minutes(rows, "walked_backward")
        / (minutes(rows, "walked") - minutes(rows, "walked_backward"));
    assert!(
        (drawn / walked - 1.0).abs() < 0.08,
        "backward:forward drawn {backward}:{forward} = {drawn:.3}, walked {walked:.3}"
    );
}

/// The page's y (points, from the top) of the minutes chart's title and
/// of the next chart's, from poppler's word boxes.
fn chart_band(pdf: &Path) -> (f64, f64) {
    let out = Command::new("pdftotext")
        .args(["-bbox", "-f", "1", "-l", "1"])
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    let html = String::from_utf8(out.stdout).unwrap();
    let words: Vec<(f64, String)> = html
        .lines()
        .filter_map(|l| {
            let y = l.split("yMin=\"").nth(1)?.split('"').next()?.parse().ok()?;
            let word = l.split('>').nth(1)?.split('<').next()?.to_string();
            Some((y, word))
        })
        .collect();
    let title = |start: [&str; 3]| {
        words
            .windows(3)
            .find(|w| w.iter().zip(start).all(|(word, want)| word.1 == want))
            .map(|w| w[0].0)
            .unwrap_or_else(|| panic!("no chart titled {start:?}: {words:?}"))
    };
    let minutes = title(["Minutes", "walked", "per"]);
    (minutes + 14.0, title(["Course", "walks", "per"]) - 4.0)
}

/// A binary PPM's width and its RGB bytes.
fn ppm(image: &[u8]) -> (usize, &[u8]) {
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        while image[at].is_ascii_whitespace() {
            at += 1;
        }
        let start = at;
        while !image[at].is_ascii_whitespace() {
            at += 1;
        }
        fields.push(String::from_utf8_lossy(&image[start..at]).into_owned());
    }
    assert_eq!(fields[0], "P6");
    (fields[1].parse().unwrap(), &image[at + 1..])
}

#[test]
fn the_report_reaches_from_the_first_session_to_today_by_default() {
    let remote = remote_with(&[]);
    seed(&remote);
    let folder = tempfile::tempdir().unwrap();
    let out = remote
        .bus
        .ctl(&["report", "-o", folder.path().to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");
    let today = treadcue::calendar::local(std::time::SystemTime::now())
        .unwrap()
        .date;
    let name = format!("treadcue-report-Walker-2026-09-30-to-{today}.pdf");
    let text = pdf_text(&folder.path().join(&name));
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("Sessions: 7 (7 walked to the end)"), "{text}");
    assert!(flat.contains("no limit set"), "{text}");
}

/// What `pdffonts` says of the fonts in `pdf`: a line each.
fn pdf_fonts(pdf: &Path) -> String {
    let out = Command::new("pdffonts").arg(pdf).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn names_in_any_script_are_printed_and_name_the_file() {
    support::require("pdffonts", "poppler-utils");
    let remote = remote_with(&[]);
    seed(&remote);
    let ctl = |args: &[&str]| {
        let out = remote.bus.ctl(args);
        assert!(out.status.success(), "{args:?}: {out:?}");
    };
    ctl(&["walker", "rename", "Walker", "Łukasz Żółć"]);
    ctl(&["walker", "add", "王芳"]);
    let folder = tempfile::tempdir().unwrap();
    let out = folder.path().to_str().unwrap();
    let period = ["--since", SINCE, "--until", UNTIL, "-o", out];
    ctl(&[&["report"][..], &period].concat());
    ctl(&[&["report", "--walker", "王芳"][..], &period].concat());

    let polish = folder.path().join(format!(
        "treadcue-report-Łukasz-Żółć-{SINCE}-to-{UNTIL}.pdf"
    ));
    let text = pdf_text(&polish);
    assert!(text.contains("Łukasz Żółć, from"), "{text}");
    assert!(text.contains("Sessions: 6"), "their sessions: {text}");
    let fonts = pdf_fonts(&polish);
    assert!(
        fonts
            .lines()
            .any(|l| l.contains("CID TrueType") && l.contains("yes yes yes")),
        "a font embedded as a subset with a map back to Unicode: {fonts}"
    );
    let chinese = folder
        .path()
        .join(format!("treadcue-report-王芳-{SINCE}-to-{UNTIL}.pdf"));
    let text = pdf_text(&chinese);
    assert!(text.contains("王芳, from"), "{text}");
    assert!(
        text.contains("Sessions: 0"),
        "王芳 has walked nothing: {text}"
    );

    // The phone saves the file under the same name.
    remote.pair();
    let (code, reply) = remote.curl(
        "GET",
        &format!("/report.pdf?since={SINCE}&until={UNTIL}"),
        None,
        &["-D", "-"],
    );
    assert_eq!(code, 200);
    let encoded = "%C5%81ukasz-%C5%BB%C3%B3%C5%82%C4%87";
    assert!(
        reply.contains(&format!(
            "filename*=UTF-8''treadcue-report-{encoded}-{SINCE}-to-{UNTIL}.pdf"
        )),
        "{}",
        &reply[..reply.find("%PDF").unwrap_or(reply.len())]
    );
}

#[test]
fn a_paired_phone_gets_the_report_as_a_page_and_as_a_pdf() {
    let remote = remote_with(&["--heart-max", "125"]);
    seed(&remote);
    let rows = rows(&remote);
    let period = format!("?since={SINCE}&until={UNTIL}");
    let (code, reply) = remote.json("GET", &format!("/report{period}"), None);
    assert_eq!(code, 401, "the report is the walker's health record");
    assert_eq!(
        reply["error"], "Unauthorized",
        "a script gets JSON: {reply}"
    );
    let browser = ["-H", "Accept: text/html,application/xhtml+xml,*/*;q=0.8"];
    let (code, page) = remote.curl("GET", &format!("/report{period}"), None, &browser);
    assert_eq!(code, 401);
    assert!(
        page.contains("Pair this phone first") && page.contains("href=\"/\""),
        "a browser is told how to pair, with the way to the remote: {page}"
    );
    assert!(
        !page.contains("Sessions:"),
        "and sees nothing of the record"
    );
    let (code, _) = remote.curl("GET", "/report.pdf", None, &[]);
    assert_eq!(code, 401);
    remote.pair();
    let (code, page) = remote.curl("GET", &format!("/report{period}"), None, &[]);
    assert_eq!(code, 200, "{page}");
    let page_text = page.replace("&#39;", "'");
    for line in expected_summary(&rows) {
        assert!(page_text.contains(&line), "{line:?} is not on the page");
    }
    assert_eq!(page.matches("<svg").count(), 5, "five charts");
    let pdf = tempfile::NamedTempFile::new().unwrap();
    let out = Command::new("curl")
        .args(["-sf", "-b", remote.jar.path().to_str().unwrap(), "-o"])
        .arg(pdf.path())
        .arg(format!("{}/report.pdf{period}", remote.base))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let flat: String = pdf_text(pdf.path())
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for line in expected_summary(&rows) {
        assert!(flat.contains(&line), "{line:?} is not in the PDF");
    }
}

#[test]
fn bad_periods_are_refused_with_what_is_wrong() {
    let remote = remote_with(&[]);
    seed(&remote);
    remote.pair();
    let (code, reply) = remote.json("GET", "/report?since=2026-13-01", None);
    assert_eq!(code, 400);
    assert!(
        reply["message"].as_str().unwrap().contains("since"),
        "{reply}"
    );
    let (code, reply) = remote.json("GET", "/report?from=2026-10-01", None);
    assert_eq!(code, 400);
    assert!(
        reply["message"].as_str().unwrap().contains("from"),
        "{reply}"
    );
    let out = remote.bus.busctl(&[
        "call",
        "io.github.treadcue.Treadcue1",
        "/io/github/treadcue/Treadcue1",
        "io.github.treadcue.Treadcue1.Export",
        "Report",
        "ss",
        UNTIL,
        SINCE,
    ]);
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("after it ends"), "{said}");
    let out = remote
        .bus
        .ctl(&["report", "--since", "yesterday", "-o", "/tmp/x.pdf"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("yesterday"));
}
