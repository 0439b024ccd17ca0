//! Ducking benchmark: prints figures, asserts nothing. Run with
//! `cargo bench --bench ducking`. On a private PulseAudio with a null
//! sink, "music" (a 15 kHz sine, `paplay`, media.role=music) plays while
//! the same spoken cues sound two ways, recorded with `parec`:
//!
//! - treadcue: `treadcued run` of a half-minute program, ducking itself
//!   around the cue windows its plan knows (depth -15 dB, defaults);
//! - PulseAudio's `module-role-ducking` (volume=-15dB), triggered by each
//!   cue played alone as a stream with media.role=phone.
//!
//! For each spoken cue: the music's level at the cue's first sample, and
//! how late full depth came (0: already there). Then treadcued's CPU over
//! the session with ducking on and off.

#[path = "../tests/support/mod.rs"]
mod support;

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::levels::{
    CUE_PROGRAM, WINDOW, cues_only, level_at_end, music_db, onset, read_wav, timeline_cues,
    write_music,
};
use support::pulse::{PulseServer, RATE, SINK};

const DEPTH: f64 = -15.0;
const THRESHOLD: f32 = 0.01;

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let release = support::release_build().join("treadcued");
    let dir = tempfile::tempdir().unwrap();
    let music = dir.path().join("music.wav");
    write_music(&music, 120);
    let program = dir.path().join("cues.toml");
    std::fs::write(&program, CUE_PROGRAM).unwrap();
    let bench = Bench {
        release,
        dir: dir.path().to_path_buf(),
        music,
        program,
    };
    println!("treadcue ducking benchmark (depth {DEPTH} dB, private PulseAudio null sink)\n");
    let spoken = bench.spoken_cues();
    let ours = bench.treadcue(&spoken);
    let theirs = bench.role_ducking(&spoken);
    println!(
        "{:<44} {:>22} {:>22}",
        "spoken cue", "treadcue", "module-role-ducking"
    );
    for ((text, _), (a, b)) in spoken.iter().zip(ours.0.iter().zip(&theirs)) {
        println!(
            "{:<44} {:>22} {:>22}",
            shorten(text),
            a.describe(),
            b.describe()
        );
    }
    println!(
        "{:<44} {:>22} {:>22}",
        "worst",
        worst(&ours.0).describe(),
        worst(&theirs).describe()
    );
    println!(
        "\n(level: the music at the cue's first 10 ms, against its own level; late: until -15 dB was reached;"
    );
    println!(" module-role-ducking gets a new phone stream per cue, as a phone app opens one)");
    let held = bench.role_ducking_one_stream();
    println!(
        "\nmusic lowered between cues (over 1 dB, past the release): treadcue {:.0} % of the time; \
         module-role-ducking with one phone stream open all session, as treadcue keeps its own: {:.0} %",
        ours.1 * 100.0,
        held * 100.0
    );
    bench.cpu();
}

struct Bench {
    release: PathBuf,
    dir: PathBuf,
    music: PathBuf,
    program: PathBuf,
}

/// The music at one cue's start.
#[derive(Debug, Clone, Copy)]
struct AtCue {
    /// dB against the music's own level, in the cue's first window.
    level: f64,
    /// Milliseconds after the cue's first sample until full depth; 0 if
    /// it was there already.
    late_ms: f64,
}

impl AtCue {
    fn describe(&self) -> String {
        format!("{:+.1} dB, {:.0} ms late", self.level, self.late_ms)
    }
}

fn worst(all: &[AtCue]) -> AtCue {
    AtCue {
        level: all
            .iter()
            .map(|a| a.level)
            .fold(f64::NEG_INFINITY, f64::max),
        late_ms: all.iter().map(|a| a.late_ms).fold(0.0, f64::max),
    }
}

fn shorten(text: &str) -> String {
    if text.chars().count() <= 42 {
        return text.to_string();
    }
    let cut: String = text.chars().take(41).collect();
    format!("{cut}…")
}

fn seconds(s: f64) -> usize {
    (s.max(0.0) * f64::from(RATE)) as usize
}

/// The music at a cue starting at `start` in `samples`, whose own level
/// is `level`.
fn at_cue(samples: &[f32], start: usize, level: f64) -> AtCue {
    let full = level + DEPTH + 1.0;
    let reached = (start.saturating_sub(seconds(0.5))..start + seconds(2.0))
        .step_by(WINDOW / 4)
        .find(|&w| music_db(samples, w) <= full && music_db(samples, w + WINDOW) <= full);
    let late = reached.map_or(2000.0, |w| {
        (w as f64 - start as f64).max(0.0) * 1000.0 / f64::from(RATE)
    });
    AtCue {
        level: music_db(samples, start) - level,
        late_ms: late,
    }
}

impl Bench {
    fn treadcued(&self, pulse: &PulseServer, args: &[&str]) -> Command {
        let mut command = Command::new(&self.release);
        command
            .args(args)
            .env("PULSE_SERVER", pulse.address())
            .env("XDG_STATE_HOME", &self.dir)
            .env("XDG_CONFIG_HOME", &self.dir)
            .env("XDG_CACHE_HOME", &self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        command
    }

    /// The program's spoken cues: text and first sample, from its timeline,
    /// and the offset of the first cue of any kind.
    fn spoken_cues(&self) -> Vec<(String, usize)> {
        let timeline = self.dir.join("timeline.json");
        let wav = self.dir.join("render.wav");
        let status = Command::new(&self.release)
            .args(["render", "-o"])
            .arg(&wav)
            .arg("--timeline")
            .arg(&timeline)
            .arg(&self.program)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success());
        let timeline: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&timeline).unwrap()).unwrap();
        timeline["cues"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|c| {
                let text = c["text"].as_str()?;
                let start = c["speech_sample"].as_u64().or(c["sample"].as_u64())?;
                Some((text.to_string(), start as usize))
            })
            .collect()
    }

    fn rendered_onset(&self) -> usize {
        let samples = read_wav(&self.dir.join("render.wav"));
        onset(&cues_only(&samples), 0, THRESHOLD).unwrap()
    }

    /// The music at each spoken cue, and the share of the time between
    /// cues it was lowered.
    fn treadcue(&self, spoken: &[(String, usize)]) -> (Vec<AtCue>, f64) {
        let pulse = PulseServer::start();
        let recording = pulse.record();
        let mut music = pulse.play(SINK, &self.music);
        std::thread::sleep(Duration::from_millis(1000));
        let program = self.program.to_str().unwrap();
        let status = self.treadcued(&pulse, &["run", program]).status().unwrap();
        assert!(status.success());
        std::thread::sleep(Duration::from_millis(800));
        let samples = recording.finish();
        stop(&mut music);
        let level = level_at_end(&samples);
        let live_onset = onset(&cues_only(&samples), seconds(0.3), THRESHOLD).unwrap();
        let offset = live_onset - self.rendered_onset();
        let at_cues = spoken
            .iter()
            .map(|(_, start)| at_cue(&samples, start + offset, level))
            .collect();
        let between = self.lowered_between_cues(&samples, offset, level);
        (at_cues, between)
    }

    /// Every cue of the render, as (first, last) samples.
    fn all_cues(&self) -> Vec<(usize, usize)> {
        timeline_cues(&self.dir.join("timeline.json"))
    }

    /// The share of windows between cues (past the default 600 ms release,
    /// before the attack) where the music is more than 1 dB down.
    fn lowered_between_cues(&self, samples: &[f32], offset: usize, level: f64) -> f64 {
        let cues = self.all_cues();
        let (mut lowered, mut all) = (0, 0);
        for pair in cues.windows(2) {
            let from = pair[0].1 + offset + seconds(0.75);
            let to = (pair[1].0 + offset).saturating_sub(seconds(0.4));
            for w in (from..to.saturating_sub(WINDOW)).step_by(WINDOW) {
                all += 1;
                if music_db(samples, w) < level - 1.0 {
                    lowered += 1;
                }
            }
        }
        lowered as f64 / all.max(1) as f64
    }

    /// module-role-ducking with the whole session as one phone stream.
    fn role_ducking_one_stream(&self) -> f64 {
        let pulse = PulseServer::start();
        load_role_ducking(&pulse);
        let recording = pulse.record();
        let mut music = pulse.play(SINK, &self.music);
        std::thread::sleep(Duration::from_millis(1000));
        let phone = self.dir.join("render.wav");
        let status = pulse.play_as(SINK, &phone, "phone").wait().unwrap();
        assert!(status.success());
        std::thread::sleep(Duration::from_millis(1500));
        let samples = recording.finish();
        stop(&mut music);
        let level = level_at_end(&samples);
        let live_onset = onset(&cues_only(&samples), seconds(0.3), THRESHOLD).unwrap();
        self.lowered_between_cues(&samples, live_onset - self.rendered_onset(), level)
    }

    fn role_ducking(&self, spoken: &[(String, usize)]) -> Vec<AtCue> {
        let pulse = PulseServer::start();
        load_role_ducking(&pulse);
        let clips: Vec<PathBuf> = spoken
            .iter()
            .enumerate()
            .map(|(i, (text, _))| {
                let wav = self.dir.join(format!("cue-{i}.wav"));
                let status = self
                    .treadcued(&pulse, &["say", "-o", wav.to_str().unwrap(), text])
                    .status()
                    .unwrap();
                assert!(status.success());
                wav
            })
            .collect();
        let recording = pulse.record();
        let mut music = pulse.play(SINK, &self.music);
        std::thread::sleep(Duration::from_millis(1000));
        for clip in &clips {
            let status = pulse.play_as(SINK, clip, "phone").wait().unwrap();
            assert!(status.success());
            std::thread::sleep(Duration::from_millis(1500));
        }
        let samples = recording.finish();
        stop(&mut music);
        let level = level_at_end(&samples);
        let cues = cues_only(&samples);
        let mut from = seconds(0.3);
        let mut found = Vec::new();
        for _ in &clips {
            let Some(start) = onset(&cues, from, THRESHOLD) else {
                break;
            };
            found.push(at_cue(&samples, start, level));
            // Past this cue: the next starts after 1.5 s of quiet.
            from = cues[start..]
                .windows(seconds(1.0))
                .step_by(WINDOW)
                .position(|w| w.iter().all(|x| x.abs() <= THRESHOLD))
                .map_or(cues.len(), |i| start + i * WINDOW);
        }
        found
    }

    /// treadcued's CPU over the whole session, ducking on and off, with
    /// music playing.
    // The child is reaped by wait4, which also gives its CPU time.
    #[allow(clippy::zombie_processes)]
    fn cpu(&self) {
        println!("\ntreadcued CPU over the half-minute session, music playing:");
        for (what, flags) in [("ducking on", "true"), ("ducking off", "false")] {
            let pulse = PulseServer::start();
            let mut music = pulse.play(SINK, &self.music);
            std::thread::sleep(Duration::from_millis(500));
            let program = self.program.to_str().unwrap();
            let started = Instant::now();
            let child = self
                .treadcued(&pulse, &["run", program, "--ducking", flags])
                .spawn()
                .unwrap();
            let used = cpu_at_exit(child.id());
            let wall = started.elapsed().as_secs_f64();
            stop(&mut music);
            println!(
                "  {what:<12} {:.2} s of CPU in {wall:.1} s: {:.2} % of one core",
                used,
                used / wall * 100.0
            );
        }
    }
}

fn load_role_ducking(pulse: &PulseServer) {
    pulse.pactl(&[
        "load-module",
        "module-role-ducking",
        "trigger_roles=phone",
        "ducking_roles=music",
        "volume=-15dB",
    ]);
}

fn stop(child: &mut std::process::Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// Waits for the process and gives the CPU seconds it used.
fn cpu_at_exit(pid: u32) -> f64 {
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid value for wait4 to fill.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: pid is our own child, not yet waited for.
    unsafe { libc::wait4(pid as i32, &mut status, 0, &mut usage) };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    secs(usage.ru_utime) + secs(usage.ru_stime)
}
