//! Say benchmark: prints figures, asserts nothing. Run with
//! `cargo bench --bench say`. It starts a private PulseAudio with a null
//! sink and a private dbus-daemon, records what is played with `parec`,
//! and measures the time from a command to the phrase's first sample
//! heard:
//!
//! - `treadcued say`, cold: a new process opens the device and speaks,
//!   and how much of that is the process, voice and render alone;
//! - `treadcuectl say` to the release daemon while it holds the device
//!   (a session paused, its stream open).
//!
//! The recorder's own latency (5 ms asked) is included: the figures are
//! upper bounds.

#[path = "../tests/support/mod.rs"]
mod support;

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use support::bus::{Daemon, PrivateBus};
use support::pulse::{PulseServer, RATE, SINK};

const PHRASE: &str = "Halfway there.";
const ROUNDS: usize = 8;

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let release = support::release_build();
    let pulse = PulseServer::start();
    let listener = Listener::start(&pulse);
    println!(
        "treadcue say benchmark (\"{PHRASE}\", {ROUNDS} rounds, private PulseAudio null sink)\n"
    );

    let cold = figures(&listener, || {
        Command::new(release.join("treadcued"))
            .args(["say", "--device", "pulse", PHRASE])
            .env("PULSE_SERVER", pulse.address())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    });
    print_figures(
        "`treadcued say`, cold (new process, device opened)",
        cold,
        500,
    );
    println!(
        "  of which: process start, voice and render (`say -o FILE`, no device) {:.0} ms; \
         the new stream's settle {} ms (with ducking's attack)",
        without_device(&release),
        treadcue::audio::player::phrase_settle(
            &treadcue::config::Config::defaults().output_options()
        )
        .as_millis()
    );

    let bus = PrivateBus::start(None);
    let _daemon = Daemon::start_binary(&release.join("treadcued"), &bus, &pulse.address(), &[]);
    let ctl = |args: &[&str]| ctl_command(&release, &bus, args);
    assert!(ctl(&["start", "demo"]).status().unwrap().success());
    assert!(ctl(&["pause"]).status().unwrap().success());
    std::thread::sleep(Duration::from_millis(500));
    let held = figures(&listener, || ctl(&["say", PHRASE]).spawn().unwrap());
    print_figures(
        "`treadcuectl say` to the daemon holding the device",
        held,
        100,
    );
}

/// Median milliseconds of `treadcued say -o FILE`: all but the device.
fn without_device(release: &Path) -> f64 {
    let dir = tempfile::tempdir().unwrap();
    let mut times: Vec<f64> = (0..ROUNDS)
        .map(|_| {
            let started = Instant::now();
            let status = Command::new(release.join("treadcued"))
                .args(["say", "-o"])
                .arg(dir.path().join("say.wav"))
                .arg(PHRASE)
                .status();
            assert!(status.is_ok_and(|s| s.success()), "treadcued say -o");
            started.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn ctl_command(release: &Path, bus: &PrivateBus, args: &[&str]) -> Command {
    let mut command = Command::new(release.join("treadcuectl"));
    command
        .args(["--bus-address", &bus.address])
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

/// Milliseconds from spawning each command to the first sound heard, over
/// the rounds, sorted.
fn figures(listener: &Listener, spawn: impl Fn() -> Child) -> Vec<f64> {
    let mut times = Vec::new();
    for _ in 0..ROUNDS {
        listener.clear();
        let asked = Instant::now();
        let mut child = spawn();
        let heard = listener.first_sound_after(asked, Duration::from_secs(10));
        let _ = child.wait();
        // Let the phrase end before the next round.
        std::thread::sleep(Duration::from_millis(1500));
        match heard {
            Some(at) => times.push(at),
            None => println!("  (a round where nothing was heard)"),
        }
    }
    times.sort_by(f64::total_cmp);
    times
}

fn print_figures(what: &str, times: Vec<f64>, target_ms: u32) {
    let Some(worst) = times.last() else {
        println!("{what}: nothing heard");
        return;
    };
    println!(
        "{what}: to the first sample, median {:.0} ms, best {:.0} ms, worst {worst:.0} ms  (target <= {target_ms} ms)",
        times[times.len() / 2],
        times[0]
    );
}

/// Recorded samples, each chunk stamped when it arrived.
type Chunks = Arc<Mutex<Vec<(Instant, Vec<f32>)>>>;

/// `parec` on the sink's monitor.
struct Listener {
    chunks: Chunks,
    child: Child,
}

impl Listener {
    fn start(pulse: &PulseServer) -> Listener {
        let mut child = Command::new("parec")
            .args([
                "--server",
                &pulse.address(),
                "-d",
                &format!("{SINK}.monitor"),
            ])
            .args([
                "--latency-msec=5",
                "--format=float32le",
                "--channels=1",
                "--raw",
            ])
            .arg(format!("--rate={RATE}"))
            .stdout(Stdio::piped())
            .spawn()
            .expect("parec starts");
        let mut stdout = child.stdout.take().unwrap();
        let chunks: Chunks = Arc::new(Mutex::new(Vec::new()));
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
        // The monitor runs late for its first second or two: a phrase
        // heard then would be charged for the recorder's start.
        std::thread::sleep(Duration::from_millis(3000));
        Listener { chunks, child }
    }

    fn clear(&self) {
        self.chunks.lock().unwrap().clear();
    }

    /// Milliseconds from `asked` to the first sample above the noise
    /// floor: the sample was captured no later than its chunk arrived,
    /// less the samples after it in the chunk.
    fn first_sound_after(&self, asked: Instant, patience: Duration) -> Option<f64> {
        let deadline = asked + patience;
        while Instant::now() < deadline {
            let chunks = self.chunks.lock().unwrap();
            for (at, samples) in chunks.iter().filter(|(at, _)| *at > asked) {
                if let Some(i) = samples.iter().position(|s| s.abs() > 0.01) {
                    let after = (samples.len() - i) as f64 / f64::from(RATE);
                    return Some((at.duration_since(asked).as_secs_f64() - after) * 1000.0);
                }
            }
            drop(chunks);
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
