//! Sound benchmark: prints figures, asserts nothing. Run with
//! `cargo bench --bench audio`. It starts a private PulseAudio server with
//! a null sink and records what is played with `parec`.
//!
//! - live tick spacing error, treadcue's sequencer against a naive player
//!   (a timer that adds each cue to the mixer when it is due);
//! - pause-to-silence;
//! - CPU while playing and idle, peak memory of `treadcued run`;
//! - offline render speed; phrase render time per voice, cold and cached.

#[path = "../tests/support/mod.rs"]
mod support;

use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rodio::cpal::traits::{DeviceTrait, HostTrait};
use support::pulse::{PulseServer, RATE, SINK};
use support::{prepared, signal};
use treadcue::audio::output::{Output, OutputOptions, lock};
use treadcue::audio::player::{Player, PlayerOptions};
use treadcue::audio::render::render;
use treadcue::audio::sequencer::{Event, Sequencer};
use treadcue::audio::tones;
use treadcue::phrasebook::Phrasebook;
use treadcue::plan::{CueKind, Plan, Tone};
use treadcue::program::catalog::built_in;
use treadcue::program::cue_settings::CueSettings;
use treadcue::program::{Program, parse};
use treadcue::voice::{Cached, Pack, Voice, espeak_ng, is_installed, piper};

/// Ten-second countdowns: many ticks to measure in half a minute.
const TICKS: &str = "name = \"Ticks\"\n[cues]\nbriefing = false\ncountdown = 10\n\
[[steps]]\ndirection = \"forward\"\nduration = \"15s\"\nspeed = 1.5\n\
[[steps]]\ndirection = \"forward\"\nduration = \"15s\"\nspeed = 1.5\n";

const PERIOD: Duration = Duration::from_millis(10);

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo bench` lists benchmarks with this flag.
    }
    let server = PulseServer::start();
    // SAFETY: set before any other thread of this process exists.
    unsafe { std::env::set_var("PULSE_SERVER", server.address()) };
    println!(
        "treadcue sound benchmark (device period {} ms, PulseAudio null sink at {RATE} Hz)\n",
        PERIOD.as_millis()
    );

    let program = ticks_program();
    let (plan, sounds) = prepared(&program, RATE);
    let ticks: Vec<usize> = plan
        .cues
        .iter()
        .filter(|c| matches!(c.kind, CueKind::Countdown | CueKind::Go | CueKind::Finish))
        .map(|c| c.start as usize)
        .collect();

    let (ours, ours_cpu) = tick_errors(&server, &ticks, || play_sequencer(&plan, sounds.clone()));
    let (naive, naive_cpu) = tick_errors(&server, &ticks, || play_naive(&plan, &ticks));
    println!("live tick spacing error (ms)         max      p99   target");
    println!(
        "  treadcue sequencer             {:>7.3}  {:>7.3}   <= 1 ms",
        ours.0, ours.1
    );
    println!(
        "  naive timer + mixer            {:>7.3}  {:>7.3}",
        naive.0, naive.1
    );
    println!(
        "CPU of one core while playing: treadcue {ours_cpu:.2} %, naive {naive_cpu:.2} %  (target <= 3 %)"
    );

    let (idle, paused) = idle_cpu(&plan, sounds.clone());
    println!("CPU of one core idle (no session, device released): {idle:.2} %  (target <= 0.5 %)");
    println!("CPU of one core paused (stream open, feeding silence): {paused:.2} %");

    let (median, worst) = pause_to_silence(&server);
    println!(
        "pause to silence, upper bound over 10 pauses: median {median:.1} ms, max {worst:.1} ms  (target <= 25 ms)"
    );

    let (cpu, peak_mb) = daemon_process(&server);
    println!(
        "`treadcued run` (release build, bundled voice): CPU {cpu:.2} % while playing, peak memory {peak_mb:.1} MB  (target <= 20 MB)"
    );

    render_speed();
    phrase_times();
}

fn ticks_program() -> Program {
    parse("ticks", "ticks.toml", TICKS.as_bytes()).expect("the benchmark program is valid")
}

/// CPU time of a process so far, from /proc, in seconds.
fn cpu_seconds(pid: &str) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks: f64 = fields.get(11..13).map_or(0.0, |f| {
        f.iter().filter_map(|v| v.parse::<f64>().ok()).sum()
    });
    ticks / 100.0
}

/// Plays with `player` while recording; returns the spacing error of the
/// ticks heard (max, p99, in ms) and the CPU share of this process.
fn tick_errors(server: &PulseServer, ticks: &[usize], player: impl FnOnce()) -> ((f64, f64), f64) {
    let recording = server.record();
    let (cpu0, wall0) = (cpu_seconds("self"), Instant::now());
    player();
    let cpu = (cpu_seconds("self") - cpu0) / wall0.elapsed().as_secs_f64() * 100.0;
    let samples = recording.finish();
    let heard = signal::onsets(&samples, 0.01, RATE as usize / 5);
    let (_, at) = signal::align(&heard, ticks, RATE);
    // Each interval between two heard ticks against the planned interval.
    let mut errors: Vec<f64> = at
        .windows(2)
        .zip(ticks.windows(2))
        .filter_map(|(h, t)| {
            Some(((h[1]? - h[0]?) as f64 - (t[1] - t[0]) as f64).abs() * 1000.0 / f64::from(RATE))
        })
        .collect();
    errors.sort_by(f64::total_cmp);
    let p99 = errors
        .get(((errors.len() as f64 * 0.99).ceil() as usize).saturating_sub(1))
        .copied()
        .unwrap_or(f64::NAN);
    ((errors.last().copied().unwrap_or(f64::NAN), p99), cpu)
}

fn output() -> Output {
    let (events, _) = mpsc::channel();
    let options = OutputOptions {
        device: Some("pulse".into()),
        period: PERIOD,
        ..OutputOptions::default()
    };
    Output::open(options, events).expect("the private server's device opens")
}

fn play_sequencer(plan: &Arc<Plan>, sounds: Arc<[treadcue::audio::sequencer::CueSound]>) {
    let output = output();
    let (events, news) = mpsc::channel();
    *lock(output.slot()) = Some(Sequencer::new(plan.clone(), sounds, 0.8).with_events(events));
    while !matches!(
        news.recv_timeout(Duration::from_secs(120)),
        Ok(Event::Finished { .. }) | Err(_)
    ) {}
    std::thread::sleep(Duration::from_millis(200));
}

/// The naive way: a timer thread that adds each tick's sound to the mixer
/// when the wall clock says it is due.
fn play_naive(plan: &Plan, ticks: &[usize]) {
    let device = rodio::cpal::default_host()
        .output_devices()
        .unwrap()
        .find(|d| d.id().is_ok_and(|id| id.id() == "pulse"))
        .expect("the pulse device");
    let period = (f64::from(RATE) * PERIOD.as_secs_f64()) as u32;
    let mut sink = rodio::DeviceSinkBuilder::from_device(device)
        .unwrap()
        .with_buffer_size(rodio::cpal::BufferSize::Fixed(period))
        .open_stream()
        .unwrap();
    sink.log_on_drop(false);
    let tick = tones::synthesize(Tone::Tick, RATE)
        .samples
        .iter()
        .map(|s| s * 0.8)
        .collect::<Vec<f32>>();
    let start = Instant::now();
    let one = rodio::ChannelCount::new(1).unwrap();
    let rate = rodio::SampleRate::new(RATE).unwrap();
    for at in ticks {
        let due = start + Duration::from_secs_f64(*at as f64 / f64::from(RATE));
        std::thread::sleep(due.saturating_duration_since(Instant::now()));
        sink.mixer()
            .add(rodio::buffer::SamplesBuffer::new(one, rate, tick.clone()));
    }
    std::thread::sleep(
        Duration::from_secs_f64(plan.seconds(plan.end) - start.elapsed().as_secs_f64())
            .max(Duration::from_millis(300)),
    );
}

fn cpu_share_over(duration: Duration) -> f64 {
    let (cpu0, wall0) = (cpu_seconds("self"), Instant::now());
    std::thread::sleep(duration);
    (cpu_seconds("self") - cpu0) / wall0.elapsed().as_secs_f64() * 100.0
}

/// A player with no session (it has let the device go), then a paused one.
fn idle_cpu(plan: &Arc<Plan>, sounds: Arc<[treadcue::audio::sequencer::CueSound]>) -> (f64, f64) {
    let options = PlayerOptions {
        output: OutputOptions {
            device: Some("pulse".into()),
            period: PERIOD,
            ..OutputOptions::default()
        },
        ..PlayerOptions::default()
    };
    let (player, _news) = Player::new(options);
    player
        .start(plan.clone(), sounds)
        .expect("the device opens");
    std::thread::sleep(Duration::from_secs(1));
    player.with_session(|s| s.stop());
    std::thread::sleep(Duration::from_millis(300));
    assert!(player.release_if_idle() && !player.holds_device());
    let idle = cpu_share_over(Duration::from_secs(10));
    let (player, _news) = Player::new(PlayerOptions {
        output: OutputOptions {
            device: Some("pulse".into()),
            period: PERIOD,
            ..OutputOptions::default()
        },
        ..PlayerOptions::default()
    });
    let program = ticks_program();
    let (plan, sounds) = prepared(&program, RATE);
    player.start(plan, sounds).expect("the device opens");
    std::thread::sleep(Duration::from_secs(1));
    player.with_session(|s| s.pause());
    let paused = cpu_share_over(Duration::from_secs(10));
    (idle, paused)
}

/// Pauses in the middle of speech ten times; each time, the wall-clock
/// time from the pause call to the first recorded silence. The recorder's
/// own latency is included, so these are upper bounds.
fn pause_to_silence(server: &PulseServer) -> (f64, f64) {
    let program = built_in("demo").unwrap().unwrap();
    let (plan, sounds) = prepared(&program, RATE);
    let briefing = plan
        .cues
        .iter()
        .find(|c| c.kind == CueKind::Briefing)
        .unwrap();
    let output = output();
    let chunks = Arc::new(Mutex::new(Vec::<(Instant, Vec<f32>)>::new()));
    let mut parec = Command::new("parec")
        .args([
            "--server",
            &server.address(),
            "-d",
            &format!("{SINK}.monitor"),
            "--latency-msec=5",
            "--format=float32le",
            "--channels=1",
            "--raw",
        ])
        .arg(format!("--rate={RATE}"))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = parec.stdout.take().unwrap();
    let sink = chunks.clone();
    std::thread::spawn(move || {
        let mut buffer = [0u8; 4 * 240];
        while let Ok(n) = stdout.read(&mut buffer) {
            if n == 0 {
                break;
            }
            let samples = buffer[..n - n % 4]
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect();
            sink.lock().unwrap().push((Instant::now(), samples));
        }
    });
    std::thread::sleep(Duration::from_millis(300));
    let mut results = Vec::new();
    for _ in 0..10 {
        let mut sequencer = Sequencer::new(plan.clone(), sounds.clone(), 0.8);
        let mut skip = vec![0.0; (briefing.start + RATE as u64) as usize];
        sequencer.fill(&mut skip); // start a second into the briefing
        *lock(output.slot()) = Some(sequencer);
        std::thread::sleep(Duration::from_millis(700));
        chunks.lock().unwrap().clear();
        let paused = Instant::now();
        lock(output.slot()).as_mut().unwrap().pause();
        std::thread::sleep(Duration::from_millis(300));
        let recorded = chunks.lock().unwrap().clone();
        results.push(silence_after(&recorded, paused));
        *lock(output.slot()) = None;
        std::thread::sleep(Duration::from_millis(200));
    }
    let _ = parec.kill();
    let _ = parec.wait();
    results.sort_by(f64::total_cmp);
    (results[results.len() / 2], results[results.len() - 1])
}

/// Milliseconds from `paused` to the start of the silence that follows
/// the last sound in `chunks`, each chunk stamped when it arrived.
fn silence_after(chunks: &[(Instant, Vec<f32>)], paused: Instant) -> f64 {
    let mut last_sound: Option<(Instant, usize, usize)> = None;
    for (at, samples) in chunks {
        if let Some(i) = samples.iter().rposition(|s| s.abs() > 1e-3) {
            last_sound = Some((*at, i, samples.len()));
        }
    }
    match last_sound {
        // The sample after the last sound was captured no later than its
        // chunk's arrival, less the samples that followed it in the chunk.
        Some((at, i, len)) => {
            let after = (len - i - 1) as f64 / f64::from(RATE);
            (at.duration_since(paused).as_secs_f64() - after) * 1000.0
        }
        None => 0.0,
    }
}

/// CPU while playing and peak memory of the real `treadcued run`, in
/// release.
fn daemon_process(server: &PulseServer) -> (f64, f64) {
    let binary = support::release_build().join("treadcued");
    let mut child = Command::new(binary)
        .args(["run", "retro-first-steps", "--device", "pulse"])
        .env("PULSE_SERVER", server.address())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id().to_string();
    std::thread::sleep(Duration::from_secs(2));
    let (cpu0, wall0) = (cpu_seconds(&pid), Instant::now());
    std::thread::sleep(Duration::from_secs(15));
    let cpu = (cpu_seconds(&pid) - cpu0) / wall0.elapsed().as_secs_f64() * 100.0;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let peak_kb: f64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(f64::NAN);
    let _ = child.kill();
    let _ = child.wait();
    (cpu, peak_kb / 1024.0)
}

fn render_speed() {
    let program = built_in("retro-rehab-30").unwrap().unwrap();
    let (plan, sounds) = prepared(&program, 48_000);
    let started = Instant::now();
    let rendered = render(plan.clone(), sounds, 0.8);
    let took = started.elapsed().as_secs_f64();
    let audio = rendered.samples.len() as f64 / 48_000.0;
    println!(
        "offline render of retro-rehab-30 ({:.0} s at 48 kHz): {took:.2} s, {:.0}x real time  (target >= 200x)",
        audio,
        audio / took
    );
}

/// Mean time to render one phrase of the demo, per voice, first with an
/// empty cache and then from the cache.
fn phrase_times() {
    let program = built_in("demo").unwrap().unwrap();
    let plan = treadcue::plan::compile(
        &program,
        &CueSettings::default(),
        &Phrasebook::default(),
        &treadcue::plan::Estimates,
        48_000,
    );
    let phrases: Vec<String> = plan.phrases().into_iter().map(String::from).collect();
    let time = |voice: &dyn Voice| {
        let started = Instant::now();
        for p in &phrases {
            if voice.render(p).is_err() {
                return f64::NAN;
            }
        }
        started.elapsed().as_secs_f64() * 1000.0 / phrases.len() as f64
    };
    println!(
        "phrase render time, mean over the demo's {} phrases (ms):",
        phrases.len()
    );
    println!(
        "  pack (bundled, in memory)        {:>8.2}",
        time(&Pack::bundled())
    );
    let report = |name: &str, make: &dyn Fn(std::path::PathBuf) -> Box<dyn Voice>| {
        let cache = tempfile::tempdir().unwrap();
        let voice = make(cache.path().to_path_buf());
        let cold = time(voice.as_ref());
        let cached = time(voice.as_ref());
        println!("  {name:<32} {cold:>8.2} cold, {cached:.2} cached");
    };
    if is_installed("espeak-ng") {
        report("espeak-ng", &|dir| {
            Box::new(Cached::new(espeak_ng("en-us", 160), dir))
        });
    } else {
        println!("  espeak-ng                        not installed");
    }
    match std::env::var_os("TREADCUE_PIPER_MODEL") {
        Some(model) if is_installed("piper") => report("piper", &|dir| {
            Box::new(Cached::new(piper(std::path::Path::new(&model)), dir))
        }),
        _ => println!(
            "  piper                            not measured (set TREADCUE_PIPER_MODEL and put piper on PATH)"
        ),
    }
}
