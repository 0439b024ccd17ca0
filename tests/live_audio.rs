//! Live playback through a real sound server: a private PulseAudio with a
//! null sink, recorded with `parec`. What the walker would hear, measured
//! on what the device really played.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use support::pulse::{PulseServer, RATE};
use support::signal::{onsets, peak};
use treadcue::audio::output::{DeviceEvent, Output, OutputOptions, lock};
use treadcue::audio::render::render;
use treadcue::audio::sequencer::{Event, Sequencer};
use treadcue::plan::{CueKind, Plan};
use treadcue::program::parse;

/// Two short steps with five-second countdowns: ticks to measure, fast.
const PROGRAM: &str = "name = \"Live\"\n[cues]\nbriefing = false\ncountdown = 5\n\
[[steps]]\ndirection = \"forward\"\nduration = \"12s\"\nspeed = 1.5\n\
[[steps]]\ndirection = \"backward\"\nduration = \"12s\"\nspeed = 0.8\n";

/// Every test here plays into the same sink, so they take turns. The
/// server's address is set for this process before any audio opens.
fn server() -> MutexGuard<'static, PulseServer> {
    static SERVER: OnceLock<Mutex<PulseServer>> = OnceLock::new();
    let server = SERVER.get_or_init(|| {
        let server = PulseServer::start();
        // SAFETY: set once, before any thread of this process reads it.
        unsafe { std::env::set_var("PULSE_SERVER", server.address()) };
        Mutex::new(server)
    });
    server.lock().unwrap_or_else(|p| p.into_inner())
}

struct Live {
    output: Output,
    plan: Arc<Plan>,
    reference: Vec<f32>,
    news: Receiver<Event>,
    device: Receiver<DeviceEvent>,
}

/// Opens the `pulse` device and puts the test program in it, playing.
fn play(volume: f32) -> Live {
    let (device_events, device) = mpsc::channel::<DeviceEvent>();
    let options = OutputOptions {
        device: Some("pulse".into()),
        ..OutputOptions::default()
    };
    let output =
        Output::open(options, device_events).expect("the private sound server's device opens");
    assert_eq!(output.rate(), RATE, "the null sink runs at 48 kHz");
    let program = parse("live", "live.toml", PROGRAM.as_bytes()).unwrap();
    let (plan, sounds) = support::prepared(&program, RATE);
    let reference = render(plan.clone(), sounds.clone(), volume).samples;
    let (events, news) = mpsc::channel();
    *lock(output.slot()) = Some(Sequencer::new(plan.clone(), sounds, volume).with_events(events));
    Live {
        output,
        plan,
        reference,
        news,
        device,
    }
}

fn wait_for(news: &Receiver<Event>, wanted: impl Fn(&Event) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        if news.recv_timeout(left).is_ok_and(|e| wanted(&e)) {
            return;
        }
    }
    panic!("the event never came");
}

fn cue_starts(plan: &Plan, kinds: &[CueKind]) -> Vec<usize> {
    plan.cues
        .iter()
        .filter(|c| kinds.contains(&c.kind))
        .map(|c| c.start as usize)
        .collect()
}

/// The recording's offset from the session clock: the session's first
/// sound, found by the same measure in the recording and in the offline
/// render of the same session. Nothing else plays into the sink.
fn offset_of(recording: &[f32], reference: &[f32]) -> i64 {
    let first = |samples: &[f32]| {
        onsets(samples, 0.01, RATE as usize / 5)
            .first()
            .copied()
            .expect("a sound") as i64
    };
    first(recording) - first(reference)
}

/// The onset nearest to `expected`, if one is within `window` samples.
fn nearest(onsets: &[usize], expected: i64, window: i64) -> Option<i64> {
    onsets
        .iter()
        .map(|&o| o as i64)
        .filter(|o| (o - expected).abs() < window)
        .min_by_key(|o| (o - expected).abs())
}

/// The planned starts cut into countdowns: runs exactly a second apart.
fn countdowns(starts: &[usize]) -> Vec<Vec<usize>> {
    let mut runs: Vec<Vec<usize>> = Vec::new();
    for &start in starts {
        match runs.last_mut() {
            Some(run) if start - run[run.len() - 1] == RATE as usize => run.push(start),
            _ => runs.push(vec![start]),
        }
    }
    runs
}

/// Every event until the session finishes.
fn until_finished(news: &Receiver<Event>) -> Vec<Event> {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut seen = Vec::new();
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match news.recv_timeout(left) {
            Ok(event) => {
                let done = matches!(event, Event::Finished { .. });
                seen.push(event);
                if done {
                    return seen;
                }
            }
            Err(_) => break,
        }
    }
    panic!("the session never finished");
}

/// The runs cut where the device was lost: what plays after a loss comes
/// after the outage, whose length is the machine's, not the plan's.
fn unbroken(runs: Vec<Vec<usize>>, losses: &[u64]) -> Vec<Vec<usize>> {
    runs.into_iter()
        .flat_map(|run| {
            let mut parts: Vec<Vec<usize>> = vec![Vec::new()];
            for (i, &tick) in run.iter().enumerate() {
                let lost_before = i > 0
                    && losses
                        .iter()
                        .any(|&at| run[i - 1] as u64 <= at && at < tick as u64);
                if lost_before {
                    parts.push(Vec::new());
                }
                parts.last_mut().unwrap().push(tick);
            }
            parts
        })
        .collect()
}

#[test]
fn countdown_ticks_are_played_one_second_apart() {
    let server = server();
    let recording = server.record();
    let live = play(0.8);
    let events = until_finished(&live.news);
    drop(live.output);
    let underruns = live
        .device
        .try_iter()
        .filter(|e| matches!(e, DeviceEvent::Underrun))
        .count();
    let samples = recording.finish();
    let ticks = cue_starts(
        &live.plan,
        &[CueKind::Countdown, CueKind::Go, CueKind::Finish],
    );
    let offset = offset_of(&samples, &live.reference);
    let heard = onsets(&samples, 0.01, RATE as usize / 5);
    let runs = countdowns(&ticks);
    assert!(
        runs.len() >= 2 && runs.iter().all(|r| r.len() >= 3),
        "{runs:?}"
    );
    // On a loaded machine ALSA's pulse plugin may fail now and then: the
    // session pauses until the device is back (a DeviceChanged event),
    // and what follows is heard that much later.
    let losses: Vec<u64> = events
        .iter()
        .filter_map(|e| match e {
            Event::DeviceChanged { at } => Some(*at),
            _ => None,
        })
        .collect();
    let runs = unbroken(runs, &losses);
    assert!(runs.iter().any(|r| r.len() >= 3), "{runs:?}");
    // How far the recording has slipped from the plan so far: a hiccup
    // of the sound server shifts the rest of the recording, not the
    // spacing the walker hears.
    let mut slip = 0;
    let (mut measured, mut late) = (0, 0);
    for run in runs {
        // Each countdown is lined up on its own first tick, looked for
        // where the last one was found to have slipped to.
        let expected_first = run[0] as i64 + offset + slip;
        let mut first = nearest(&heard, expected_first, i64::from(RATE) * 3 / 5)
            .unwrap_or_else(|| panic!("the countdown at {} was not heard", run[0]));
        slip = first - (run[0] as i64 + offset);
        for planned in &run[1..] {
            let expected = first + (*planned - run[0]) as i64;
            let Some(at) = nearest(&heard, expected, 480) else {
                // A starved machine's device runs dry (an underrun, which
                // it reports): the tick comes late, never early, and
                // what follows is measured from it.
                let heard_late = heard
                    .iter()
                    .map(|&o| o as i64)
                    .filter(|o| (expected..expected + i64::from(RATE) / 2).contains(o))
                    .min()
                    .filter(|_| underruns > 0)
                    .unwrap_or_else(|| {
                        panic!("the tick at {planned} was not heard ({underruns} underruns)")
                    });
                first = heard_late - (*planned - run[0]) as i64;
                slip = first - (run[0] as i64 + offset);
                late += 1;
                continue;
            };
            measured += 1;
            // Sample-accurate in the stream; the tolerance covers only a
            // scheduling hiccup of a loaded machine. The benchmark has
            // figures.
            let error_ms = (at - expected) as f64 * 1000.0 / f64::from(RATE);
            assert!(
                error_ms.abs() < 5.0,
                "tick at {planned} off by {error_ms:.2} ms"
            );
        }
    }
    assert!(
        measured > 2 * late,
        "{measured} ticks measured, {late} late after an underrun"
    );
}

#[test]
fn pause_goes_silent_and_resume_continues_where_it_stopped() {
    let server = server();
    let recording = server.record();
    let live = play(0.8);
    // Pause in the middle of the second step's announcement.
    let announcement = live
        .plan
        .cues
        .iter()
        .find(|c| c.kind == CueKind::Announcement && c.step == 1)
        .unwrap();
    let pause_at = announcement.start + announcement.length / 2;
    while lock(live.output.slot()).as_ref().unwrap().position() < pause_at {
        std::thread::sleep(Duration::from_millis(2));
    }
    let paused_at = {
        let mut slot = lock(live.output.slot());
        let sequencer = slot.as_mut().unwrap();
        assert!(sequencer.pause());
        sequencer.position() as usize
    };
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(
        lock(live.output.slot()).as_ref().unwrap().position() as usize,
        paused_at,
        "the clock stood still"
    );
    assert!(lock(live.output.slot()).as_mut().unwrap().resume());
    wait_for(&live.news, |e| matches!(e, Event::Finished { .. }));
    drop(live.output);
    let samples = recording.finish();

    // Line up on the go tone just before the pause, not only on the first
    // sound: a stream that stalled at its start shifts what follows.
    let go = live
        .plan
        .cues
        .iter()
        .find(|c| c.kind == CueKind::Go)
        .unwrap()
        .start as i64;
    // The go tone is found by its sound, not only as an onset: on a
    // loaded machine the stream may slip by more than a countdown tick's
    // distance, and a tick is an onset too.
    let first = offset_of(&samples, &live.reference);
    let offset = locate(
        &samples,
        &live.reference,
        go as usize,
        first,
        i64::from(RATE),
    )
    .expect("the go tone was heard");
    // After the 5 ms fade, with 2 ms for how late an onset is detected.
    let silence_from = (paused_at as i64 + offset) as usize + 240 + 96;
    assert!(
        peak(&samples[silence_from - 4800..silence_from - 480]) > 0.05,
        "speech was sounding before the pause"
    );
    let gap = &samples[silence_from..silence_from + RATE as usize];
    assert!(
        peak(gap) < 1e-3,
        "sound went on after the pause: peak {}",
        peak(gap)
    );

    // After the silence, the same speech goes on from the paused sample.
    let back = silence_from
        + samples[silence_from..]
            .iter()
            .position(|s| s.abs() > 1e-3)
            .unwrap();
    let expected = &live.reference[paused_at + 240..paused_at + 240 + 4800];
    let best = (-480i64..480)
        .map(|lag| {
            let start = (back as i64 + lag) as usize;
            let heard = &samples[start..start + 4800];
            let error: f32 = heard.iter().zip(expected).map(|(a, b)| (a - b).abs()).sum();
            (error / 4800.0, lag)
        })
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .unwrap();
    assert!(
        best.0 < 0.01,
        "what played after the resume is not the paused speech (mean error {})",
        best.0
    );
}

/// The offset (recording minus plan) at which the 50 ms of the reference
/// from `at` are heard best, searched within `window` samples of `guess`;
/// `None` when nothing there sounds like them.
fn locate(samples: &[f32], reference: &[f32], at: usize, guess: i64, window: i64) -> Option<i64> {
    let len = RATE as usize / 20;
    let wanted = reference.get(at..at + len)?;
    let (error, offset) = (guess - window..=guess + window)
        .filter_map(|offset| {
            let start = usize::try_from(at as i64 + offset).ok()?;
            let heard = samples.get(start..start + len)?;
            let error: f32 = heard.iter().zip(wanted).map(|(a, b)| (a - b).abs()).sum();
            Some((error / len as f32, offset))
        })
        .min_by(|a, b| a.0.total_cmp(&b.0))?;
    (error < 0.01).then_some(offset)
}

fn treadcued_program_file(dir: &std::path::Path) -> String {
    let path = dir.join("live.toml");
    // Long enough to outlive the device's absence.
    std::fs::write(&path, PROGRAM.replace("12s", "40s")).unwrap();
    path.display().to_string()
}

#[test]
fn a_vanishing_device_pauses_the_session_and_it_carries_on_when_back() {
    // Takes its turn with the others, but has a server of its own: this one
    // is killed and started again.
    let _turn = server();
    let mut server = PulseServer::start();
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_treadcued"))
        .args([
            "run",
            &treadcued_program_file(dir.path()),
            "--device",
            "pulse",
        ])
        .env("PULSE_SERVER", server.address())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (lines, said) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .for_each(|l| drop(lines.send(l)))
    });
    let expect = |words: &str| {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let left = deadline
                .checked_duration_since(Instant::now())
                .unwrap_or_else(|| panic!("treadcued never said {words:?}"));
            if said
                .recv_timeout(left)
                .is_ok_and(|line| line.contains(words))
            {
                return;
            }
        }
    };
    expect("step 1 of 2");
    server.kill();
    expect("audio device lost");
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        child.try_wait().unwrap().is_none(),
        "treadcued must keep running without its device"
    );
    server.restart();
    expect("audio device back");
    let recording = server.record();
    std::thread::sleep(Duration::from_millis(1500));
    assert!(child.try_wait().unwrap().is_none());
    let _ = child.kill();
    let _ = child.wait();
    let _ = recording.finish();
}

#[test]
fn no_device_at_start_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("asound.conf");
    std::fs::write(&empty, "").unwrap();
    // An ALSA with no devices at all, whatever this machine has, and no
    // sound server (this process's private one would play it).
    let output = Command::new(env!("CARGO_BIN_EXE_treadcued"))
        .args(["run", "demo"])
        .env("ALSA_CONFIG_PATH", &empty)
        .env(
            "PULSE_SERVER",
            format!("unix:{}/none", dir.path().display()),
        )
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        err.contains("cannot open the audio device") || err.contains("no audio output device"),
        "{err}"
    );
    assert!(
        err.contains("`treadcued devices` lists the devices"),
        "{err}"
    );
}
