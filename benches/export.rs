//! Export benchmark: prints figures, asserts nothing. Run with
//! `cargo bench --bench export`. It writes a year of daily 30-minute
//! sessions with a treadmill and a strap (a sample a second, a pause in
//! each) into a state folder, starts the release `treadcued` on it, and
//! times `treadcuectl report` (the physiotherapist's PDF for the year)
//! and `treadcuectl export --format fit` (and tcx, and csv) for the
//! whole year, with the memory the daemon and the command line reached.
//! The report goes first: the daemon's peak is a high-water mark.

#[path = "../tests/support/mod.rs"]
mod support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use support::bus::{Daemon, PrivateBus};
use support::process_status_kb as status_kb;
use support::pulse::PulseServer;
use treadcue::store::Entry;
use treadcue::store::records::{Mark, RecordsFolder, Sample};

const DAYS: i64 = 365;
const SECONDS: u32 = 30 * 60;
/// Six five-minute steps, forward and backward by turns.
const STEP: u32 = 300;

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let release = support::release_build();
    let pulse = PulseServer::start();
    let bus = PrivateBus::start(None);
    let state = bus.dir().join("treadcue");
    let made = Instant::now();
    write_year(&state);
    println!(
        "treadcue export benchmark: {DAYS} sessions of 30 min, a sample a second ({} MB of records), written in {:.1} s\n",
        folder_bytes(&state.join("records")) / 1_000_000,
        made.elapsed().as_secs_f64()
    );
    let daemon = Daemon::start_binary(&release.join("treadcued"), &bus, &pulse.address(), &[]);
    let pid = daemon.child.id().to_string();
    let out = tempfile::tempdir().unwrap();
    let pdf = out.path().join("year.pdf");
    let before = status_kb(&pid, "VmRSS:");
    let started = Instant::now();
    let cli_peak_kb = run_ctl(
        &release.join("treadcuectl"),
        &bus,
        &["report", "-o", pdf.to_str().unwrap()],
    );
    println!(
        "report: {:.1} MB of PDF in {:.2} s; daemon {:.1} MB resident before, {:.1} MB at its peak; treadcuectl {:.1} MB at its peak",
        std::fs::metadata(&pdf).unwrap().len() as f64 / 1e6,
        started.elapsed().as_secs_f64(),
        before / 1024.0,
        status_kb(&pid, "VmHWM:") / 1024.0,
        cli_peak_kb / 1024.0
    );
    for format in ["fit", "tcx", "csv"] {
        let out = tempfile::tempdir().unwrap();
        let before = status_kb(&pid, "VmRSS:");
        let started = Instant::now();
        let cli_peak_kb = export(&release.join("treadcuectl"), &bus, format, out.path());
        let took = started.elapsed();
        println!(
            "{format}: {} files, {:.1} MB, in {:.2} s; daemon {:.1} MB resident before, {:.1} MB at its peak; treadcuectl {:.1} MB at its peak",
            std::fs::read_dir(out.path()).unwrap().count(),
            folder_bytes(out.path()) as f64 / 1e6,
            took.as_secs_f64(),
            before / 1024.0,
            status_kb(&pid, "VmHWM:") / 1024.0,
            cli_peak_kb / 1024.0
        );
    }
    drop(daemon);
}

/// Runs the export; the peak resident memory of the command line, kB.
fn export(ctl: &Path, bus: &PrivateBus, format: &str, folder: &Path) -> f64 {
    run_ctl(
        ctl,
        bus,
        &["export", "--format", format, "-o", folder.to_str().unwrap()],
    )
}

/// Runs treadcuectl; its peak resident memory, kB.
fn run_ctl(ctl: &Path, bus: &PrivateBus, args: &[&str]) -> f64 {
    let mut child = Command::new("/usr/bin/env")
        .arg(format!("DBUS_SESSION_BUS_ADDRESS={}", bus.address))
        .arg(ctl)
        .args(args)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id().to_string();
    let mut peak: f64 = 0.0;
    loop {
        // VmHWM is the peak so far: the last reading before the end is
        // the command's peak.
        let now = status_kb(&pid, "VmHWM:");
        if !now.is_nan() {
            peak = peak.max(now);
        }
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "treadcuectl {args:?}");
            return peak;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn folder_bytes(folder: &Path) -> u64 {
    std::fs::read_dir(folder)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

/// The history and the records of a year of mornings.
fn write_year(state: &Path) {
    std::fs::create_dir_all(state).unwrap();
    let records = RecordsFolder::new(state.join("records"));
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let mut history = String::new();
    for day in 0..DAYS {
        let start = now - (DAYS - day) * 86_400;
        let session = start * 1_000_000;
        let samples = session_samples();
        records.append(session, &samples).unwrap();
        let entry = entry(start, session, samples.last().unwrap());
        history.push_str(&serde_json::to_string(&entry).unwrap());
        history.push('\n');
    }
    std::fs::write(state.join("history.jsonl"), history).unwrap();
}

/// A sample a second; a 30-second pause halfway.
fn session_samples() -> Vec<Sample> {
    let mut samples = Vec::with_capacity(SECONDS as usize + 2);
    let mut backward = 0.0f32;
    for second in 1..=SECONDS {
        let step = (second - 1) / STEP;
        let is_backward = step % 2 == 1;
        let kmh = if is_backward { 1.6 } else { 4.0 };
        if is_backward {
            backward += 1.0;
        }
        let paused = second > SECONDS / 2;
        let mark = match second {
            s if s == SECONDS / 2 => Mark::Pause,
            s if s == SECONDS / 2 + 1 => Mark::Resume,
            _ => Mark::Walking,
        };
        let metres = second as f32 * 0.8;
        samples.push(Sample {
            mark,
            at_ms: (second + if paused { 30 } else { 0 }) * 1000,
            step: step as u16,
            backward: is_backward,
            walked: second as f32,
            walked_backward: backward,
            program_metres: metres,
            belt_metres: Some(metres),
            speed_kmh: kmh,
            speed_from_belt: true,
            heart_rate: Some(95 + (second % 40) as u8),
            incline: Some(1.0),
        });
    }
    samples
}

fn entry(start: i64, session: i64, last: &Sample) -> Entry {
    let iso = |secs: i64| {
        humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_secs(secs as u64)).to_string()
    };
    let line = serde_json::json!({
        "program": "retro-builder", "program_name": "Backward builder",
        "start": iso(start), "end": iso(start + i64::from(SECONDS) + 31),
        "steps_done": 6, "step_count": 6, "completed": true, "outcome": "finished",
        "walked": f64::from(last.walked), "walked_backward": f64::from(last.walked_backward),
        "top_backward_speed": 1.0, "units": "mph", "position": f64::from(SECONDS),
        "program_distance_m": f64::from(last.program_metres).round(),
        "session": session, "distance_m": f64::from(last.belt_metres.unwrap()).round(),
        "heart_rate_average": 114, "heart_rate_max": 134, "minutes_above_limit": 0.5,
        "course": "knee-oa", "course_session": (start / 86_400) % 18,
    });
    serde_json::from_value(line).unwrap()
}
