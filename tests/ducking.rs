//! Music under the cues, on a private PulseAudio: the "music" is a 15 kHz
//! sine played by `paplay`, measured apart from the cues in a recording of
//! the sink. Under every cue it is down by the configured depth, already at
//! the cue's first sample; it comes back after, exactly; streams elsewhere
//! and outside cues are never touched.

mod support;

use std::path::PathBuf;
use std::process::{Child, Command, Output};
use std::time::{Duration, Instant};

use support::levels::{
    CUE_PROGRAM, WINDOW, baseline, cues_only, level_at_end, music_db, onset, read_wav,
    sounding_windows, timeline_cues, write_music,
};
use support::pulse::{PulseServer, RATE, SINK};

const DEPTH: f64 = -15.0;
const ATTACK: f64 = 0.2;
const RELEASE: f64 = 0.3;
/// Room for the ducker's tick, the buffers and the measuring window.
const SLACK: f64 = 0.15;
/// Above this, a cue sounds (the music is taken out first).
const CUE_THRESHOLD: f32 = 0.01;
/// The longest phrase the bundled voice says: about five seconds.
const LONG_PHRASE: &str = "Workout complete. Well done. Walk it off slowly, then stretch.";

struct Setup {
    pulse: PulseServer,
    dir: tempfile::TempDir,
}

impl Setup {
    fn new() -> Setup {
        support::require("paplay", "pulseaudio-utils");
        let setup = Setup {
            pulse: PulseServer::start(),
            dir: tempfile::tempdir().unwrap(),
        };
        write_music(&setup.music(), 90);
        std::fs::write(setup.program(), CUE_PROGRAM).unwrap();
        setup
    }

    fn music(&self) -> PathBuf {
        self.dir.path().join("music.wav")
    }

    fn program(&self) -> PathBuf {
        self.dir.path().join("ducking-check.toml")
    }

    fn state_dir(&self) -> PathBuf {
        self.dir.path().join("treadcue")
    }

    /// `treadcued` with this sound server, and its state, config and cache
    /// in the test's folder.
    fn treadcued(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_treadcued"));
        command
            .args(args)
            .env("PULSE_SERVER", self.pulse.address())
            .env("XDG_STATE_HOME", self.dir.path())
            .env("XDG_CONFIG_HOME", self.dir.path())
            .env("XDG_CACHE_HOME", self.dir.path())
            .env_remove("RUST_LOG");
        command
    }

    fn run(&self, args: &[&str]) -> Output {
        let out = self.treadcued(args).output().unwrap();
        assert!(
            out.status.success(),
            "treadcued {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    fn play_music(&self, sink: &str) -> Music {
        Music(self.pulse.play(sink, &self.music()))
    }
}

/// The music player; stopped when dropped.
struct Music(Child);

impl Drop for Music {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn secs(samples: usize) -> f64 {
    samples as f64 / f64::from(RATE)
}

fn at(seconds: f64) -> usize {
    (seconds.max(0.0) * f64::from(RATE)) as usize
}

/// The cues of a program's timeline, as (first, last) samples.
fn rendered(setup: &Setup) -> (Vec<f32>, Vec<(usize, usize)>) {
    let wav = setup.dir.path().join("rendered.wav");
    let timeline = setup.dir.path().join("timeline.json");
    let program = setup.program();
    setup.run(&[
        "render",
        program.to_str().unwrap(),
        "-o",
        wav.to_str().unwrap(),
        "--timeline",
        timeline.to_str().unwrap(),
    ]);
    (read_wav(&wav), timeline_cues(&timeline))
}

/// Windows in `from..to` whose music is not within `tolerance` dB of
/// `level`, as "time: level" lines.
fn off_level(
    samples: &[f32],
    (from, to): (usize, usize),
    level: f64,
    tolerance: f64,
) -> Vec<String> {
    (from..to.saturating_sub(WINDOW))
        .step_by(WINDOW)
        .map(|w| (w, music_db(samples, w)))
        .filter(|(_, db)| (db - level).abs() > tolerance)
        .map(|(w, db)| format!("{:.2} s: {db:.1} dB", secs(w)))
        .collect()
}

/// Windows in `from..to` where the music is not at least `depth` below
/// `level`.
fn not_down(samples: &[f32], (from, to): (usize, usize), level: f64, depth: f64) -> Vec<String> {
    (from..to)
        .step_by(WINDOW)
        .map(|w| (w, music_db(samples, w)))
        .filter(|(_, db)| *db > level + depth + 1.0)
        .map(|(w, db)| format!("{:.2} s: {db:.1} dB", secs(w)))
        .collect()
}

#[test]
fn music_is_down_under_every_cue_from_its_first_sample_and_back_after() {
    let setup = Setup::new();
    setup.pulse.add_sink("kitchen", "Kitchen");
    let (render, cues) = rendered(&setup);
    let recording = setup.pulse.record();
    let kitchen_recording = setup.pulse.record_sink("kitchen");
    let music = setup.play_music(SINK);
    let kitchen = setup.play_music("kitchen");
    std::thread::sleep(Duration::from_millis(1200));
    let program = setup.program();
    setup.run(&[
        "run",
        program.to_str().unwrap(),
        "--duck-attack",
        "200ms",
        "--duck-release",
        "300ms",
    ]);
    std::thread::sleep(Duration::from_millis(800));
    let samples = recording.finish();
    let kitchen_samples = kitchen_recording.finish();
    drop((music, kitchen));

    let level = level_at_end(&samples);
    assert!(
        level > -14.0,
        "the music plays at -12 dBFS, heard {level:.1}"
    );
    // Past the click of the recorder connecting.
    let session_onset = onset(&cues_only(&samples), at(0.3), CUE_THRESHOLD).expect("cues heard");
    let offset = session_onset - onset(&cues_only(&render), 0, CUE_THRESHOLD).unwrap();
    let cues: Vec<(usize, usize)> = cues.iter().map(|(s, e)| (s + offset, e + offset)).collect();

    for (start, end) in &cues {
        let late = not_down(&samples, (*start, *end), level, DEPTH);
        assert!(
            late.is_empty(),
            "the cue at {:.2} s was not {DEPTH} dB over the music ({level:.1} dB): {late:?}",
            secs(*start)
        );
    }
    // Between cues, once released and before the next attack: untouched.
    let mut quiet = vec![(at(0.3), cues[0].0)];
    quiet.extend(cues.windows(2).map(|pair| (pair[0].1, pair[1].0)));
    quiet.push((cues.last().unwrap().1, samples.len() - at(0.5)));
    let mut checked = 0;
    for (end, next) in quiet {
        let from = end + at(RELEASE + SLACK);
        let to = next.saturating_sub(at(ATTACK + 0.03 + SLACK));
        if to > from + WINDOW {
            checked += (to - from) / WINDOW;
            let off = off_level(&samples, (from, to), level, 0.5);
            assert!(off.is_empty(), "lowered outside a cue: {off:?}");
        }
    }
    assert!(
        checked > 500,
        "only {checked} windows between cues were checked"
    );
    assert!(
        !setup.state_dir().join("ducked.json").exists(),
        "a clean end leaves no note of lowered streams"
    );
    let kitchen_level = baseline(&kitchen_samples, at(0.3), kitchen_samples.len() - at(0.5));
    let off = off_level(
        &kitchen_samples,
        (at(0.3), kitchen_samples.len() - at(0.5)),
        kitchen_level,
        0.5,
    );
    assert!(off.is_empty(), "the music on another sink changed: {off:?}");
}

/// Says `text` over the music with `flags`, and gives the recording and
/// the music's level before.
fn say_over_music(setup: &Setup, flags: &[&str], text: &str) -> (Vec<f32>, f64) {
    let recording = setup.pulse.record();
    let music = setup.play_music(SINK);
    std::thread::sleep(Duration::from_millis(1000));
    let mut args = vec!["say"];
    args.extend_from_slice(flags);
    args.push(text);
    setup.run(&args);
    std::thread::sleep(Duration::from_millis(1000));
    let samples = recording.finish();
    drop(music);
    let level = level_at_end(&samples);
    (samples, level)
}

#[test]
fn say_ducks_by_the_configured_depth_and_not_at_all_when_off() {
    let setup = Setup::new();
    let (samples, level) = say_over_music(&setup, &["--duck-depth", "-30"], "Turn around.");
    // Before the music starts the recorder may click as it connects.
    let heard: Vec<usize> = sounding_windows(&cues_only(&samples), CUE_THRESHOLD)
        .into_iter()
        .filter(|w| *w > at(0.3))
        .collect();
    assert!(
        heard.len() > 20,
        "the phrase was heard ({} windows)",
        heard.len()
    );
    for w in &heard {
        let late = not_down(&samples, (*w, w + 1), level, -30.0);
        assert!(late.is_empty(), "not 30 dB down under the phrase: {late:?}");
    }
    // The default release: 600 ms.
    let end = *heard.last().unwrap() + at(0.6 + SLACK);
    let back = off_level(&samples, (end, samples.len() - at(0.4)), level, 0.5);
    assert!(back.is_empty(), "not back after the phrase: {back:?}");

    let (samples, level) = say_over_music(&setup, &["--ducking", "false"], "Turn around.");
    let heard = sounding_windows(&cues_only(&samples), CUE_THRESHOLD);
    assert!(heard.len() > 20);
    let off = off_level(&samples, (at(0.7), samples.len() - at(0.4)), level, 0.5);
    assert!(off.is_empty(), "lowered with ducking off: {off:?}");
}

#[test]
fn a_stream_that_starts_during_a_cue_is_lowered_at_once() {
    let setup = Setup::new();
    let recording = setup.pulse.record();
    let mut say = setup.treadcued(&["say", LONG_PHRASE]).spawn().unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let music = setup.play_music(SINK);
    assert!(say.wait().unwrap().success());
    std::thread::sleep(Duration::from_millis(1500));
    let samples = recording.finish();
    drop(music);
    let cues = cues_only(&samples);
    let heard = sounding_windows(&cues, CUE_THRESHOLD);
    let last_cue = *heard.last().expect("the phrase was heard");
    let level = baseline(&samples, last_cue + at(1.0), samples.len() - at(0.4));
    let music_starts = (0..samples.len())
        .step_by(WINDOW)
        .find(|w| music_db(&samples, *w) > level - 40.0)
        .expect("the music was heard");
    assert!(
        music_starts < last_cue,
        "the music started during the phrase"
    );
    // Noticing a new stream takes a round trip to the server, and the
    // server takes a moment to apply the first volume.
    let late = not_down(&samples, (music_starts + at(0.3), last_cue), level, DEPTH);
    assert!(
        late.is_empty(),
        "a stream that started mid-cue was not lowered: {late:?}"
    );
}

/// The first playback stream of `application`: its index and the volume
/// of its first channel.
fn stream_volume(pulse: &PulseServer, application: &str) -> Option<(u64, u64)> {
    let listing: serde_json::Value =
        serde_json::from_str(&pulse.pactl(&["--format=json", "list", "sink-inputs"])).ok()?;
    listing.as_array()?.iter().find_map(|s| {
        (s["properties"]["application.name"] == application).then(|| {
            let volume = s["volume"].as_object()?.values().next()?["value"].as_u64()?;
            Some((s["index"].as_u64()?, volume))
        })?
    })
}

fn wait_until(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !done() {
        assert!(Instant::now() < deadline, "{what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Music playing, and `treadcued say` of a long phrase under way with the
/// music lowered.
struct Ducked {
    /// Held so the music plays until the test ends.
    _music: Music,
    index: u64,
    full: u64,
    say: Child,
}

fn music_lowered_by_a_long_phrase(setup: &Setup) -> Ducked {
    let music = setup.play_music(SINK);
    wait_until("the music plays", Duration::from_secs(5), || {
        stream_volume(&setup.pulse, "music player").is_some()
    });
    let (index, full) = stream_volume(&setup.pulse, "music player").unwrap();
    let say = setup.treadcued(&["say", LONG_PHRASE]).spawn().unwrap();
    wait_until("the music is lowered", Duration::from_secs(10), || {
        stream_volume(&setup.pulse, "music player").is_some_and(|(_, v)| v < full * 3 / 4)
    });
    Ducked {
        _music: music,
        index,
        full,
        say,
    }
}

#[test]
fn music_left_lowered_by_a_killed_treadcued_is_put_back_at_the_next_start() {
    let setup = Setup::new();
    let mut ducked = music_lowered_by_a_long_phrase(&setup);
    ducked.say.kill().unwrap();
    ducked.say.wait().unwrap();
    std::thread::sleep(Duration::from_millis(500));
    let (_, after_kill) = stream_volume(&setup.pulse, "music player").unwrap();
    assert!(after_kill < ducked.full * 3 / 4, "nothing put it back yet");
    assert!(setup.state_dir().join("ducked.json").exists());

    let bus = support::bus::PrivateBus::start(None);
    let state = setup.state_dir();
    let daemon = support::bus::Daemon::start(
        &bus,
        &setup.pulse.address(),
        &["--state-dir", state.to_str().unwrap()],
    );
    wait_until("the music is back", Duration::from_secs(10), || {
        stream_volume(&setup.pulse, "music player").is_some_and(|(_, v)| v == ducked.full)
    });
    assert!(!setup.state_dir().join("ducked.json").exists());
    drop(daemon);
}

#[test]
fn devices_lists_the_sinks_by_name_and_description_and_device_plays_there() {
    let setup = Setup::new();
    setup.pulse.add_sink("walker_phones", "Test_Headphones");
    let out = setup.run(&["devices"]);
    let listing = String::from_utf8_lossy(&out.stdout);
    assert!(
        listing
            .lines()
            .any(|l| l.contains("walker_phones") && l.contains("Test_Headphones")),
        "{listing}"
    );
    assert!(
        listing
            .lines()
            .any(|l| l.contains(SINK) && l.contains("(default)")),
        "{listing}"
    );
    assert!(
        !listing.contains("speexrate"),
        "ALSA plugins are not devices: {listing}"
    );

    let phones = setup.pulse.record_sink("walker_phones");
    let default = setup.pulse.record();
    setup.run(&["say", "--device", "Test_Headphones", "Turn around."]);
    let on_phones = phones.finish();
    let on_default = default.finish();
    assert!(
        sounding_windows(&on_phones, CUE_THRESHOLD).len() > 20,
        "heard on the headphones"
    );
    assert!(
        sounding_windows(&on_default, CUE_THRESHOLD).is_empty(),
        "not on the default sink"
    );

    let out = setup
        .treadcued(&["say", "--device", "nowhere", "Hello."])
        .output()
        .unwrap();
    let error = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        error.contains("nowhere") && error.contains("walker_phones"),
        "{error}"
    );
}

/// The sink index of treadcue's own stream, if it has one.
fn treadcue_sink(pulse: &PulseServer, pid: u32) -> Option<u64> {
    let listing: serde_json::Value =
        serde_json::from_str(&pulse.pactl(&["--format=json", "list", "sink-inputs"])).ok()?;
    listing.as_array()?.iter().find_map(|s| {
        (s["properties"]["application.process.id"] == pid.to_string().as_str())
            .then(|| s["sink"].as_u64())?
    })
}

fn sink_index(pulse: &PulseServer, name: &str) -> u64 {
    let listing: serde_json::Value =
        serde_json::from_str(&pulse.pactl(&["--format=json", "list", "sinks"])).unwrap();
    listing
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .and_then(|s| s["index"].as_u64())
        .unwrap()
}

#[test]
fn a_sink_that_vanishes_pauses_the_session_and_playback_goes_back_to_it() {
    let setup = Setup::new();
    let module = setup.pulse.add_sink("walker_phones", "Test_Headphones");
    let bus = support::bus::PrivateBus::start(None);
    let daemon =
        support::bus::Daemon::start_on_sink(&bus, &setup.pulse.address(), "walker_phones", &[]);
    let pid = daemon.child.id();
    let state = || {
        bus.status()["state"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert!(bus.ctl(&["start", "retro-rehab-30"]).status.success());
    wait_until("the session runs", Duration::from_secs(20), || {
        state() == "running"
    });
    assert_eq!(
        treadcue_sink(&setup.pulse, pid),
        Some(sink_index(&setup.pulse, "walker_phones"))
    );

    setup.pulse.pactl(&["unload-module", &module]);
    wait_until(
        "the session pauses for the device",
        Duration::from_secs(10),
        || state() == "paused",
    );
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        treadcue_sink(&setup.pulse, pid),
        None,
        "not moved to the default sink"
    );

    setup.pulse.add_sink("walker_phones", "Test_Headphones");
    wait_until("the session goes on", Duration::from_secs(20), || {
        state() == "running"
    });
    assert_eq!(
        treadcue_sink(&setup.pulse, pid),
        Some(sink_index(&setup.pulse, "walker_phones"))
    );
    drop(daemon);
}

#[test]
fn ducking_carries_on_after_the_sound_server_restarts() {
    let mut setup = Setup::new();
    let program = setup.program();
    let mut run = setup
        .treadcued(&["run", program.to_str().unwrap()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(3));
    setup.pulse.restart();
    let recording = setup.pulse.record();
    let music = setup.play_music(SINK);
    assert!(
        run.wait().unwrap().success(),
        "the session played to its end"
    );
    std::thread::sleep(Duration::from_millis(1500));
    let samples = recording.finish();
    drop(music);
    let heard = sounding_windows(&cues_only(&samples), CUE_THRESHOLD);
    let level = level_at_end(&samples);
    assert!(level > -14.0, "the music played: {level:.1} dB");
    // The music's first windows may come before the ducker saw it.
    let heard: Vec<usize> = heard.into_iter().filter(|w| *w > at(1.0)).collect();
    assert!(
        heard.len() > 100,
        "cues were heard after the restart ({})",
        heard.len()
    );
    let late: Vec<String> = heard
        .iter()
        .flat_map(|w| not_down(&samples, (*w, w + 1), level, DEPTH))
        .collect();
    assert!(
        late.is_empty(),
        "cues over unlowered music after the restart: {late:?}"
    );
}

#[test]
fn a_volume_the_user_sets_during_a_duck_is_the_one_the_music_comes_back_to() {
    let setup = Setup::new();
    let mut ducked = music_lowered_by_a_long_phrase(&setup);
    // Once the way down is over: a change the user makes in the very
    // millisecond of one of its steps cannot be told from treadcue's own
    // (the sound server has no compare-and-set), and is not what this
    // asks.
    let volume = || stream_volume(&setup.pulse, "music player").unwrap().1;
    wait_until("the way down is over", Duration::from_secs(5), || {
        let before = volume();
        std::thread::sleep(Duration::from_millis(100));
        before == volume()
    });
    // The user turns the music down to half during the cue.
    setup
        .pulse
        .pactl(&["set-sink-input-volume", &ducked.index.to_string(), "32768"]);
    wait_until(
        "lowered under the cue, below the user's half",
        Duration::from_secs(5),
        || volume() < 32768,
    );
    assert!(ducked.say.wait().unwrap().success());
    wait_until(
        "the music is back at the user's half",
        Duration::from_secs(5),
        || stream_volume(&setup.pulse, "music player").is_some_and(|(_, v)| v == 32768),
    );
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        stream_volume(&setup.pulse, "music player").unwrap().1,
        32768
    );
}

#[test]
fn ctrl_c_during_a_cue_stops_say_and_puts_the_music_back_at_once() {
    let setup = Setup::new();
    let mut ducked = music_lowered_by_a_long_phrase(&setup);
    let _ = Command::new("kill")
        .args(["-INT", &ducked.say.id().to_string()])
        .status();
    let status = ducked.say.wait().unwrap();
    assert_eq!(status.code(), Some(130), "stopped by Ctrl-C");
    assert_eq!(
        stream_volume(&setup.pulse, "music player").unwrap().1,
        ducked.full,
        "the music is back as soon as treadcued has gone"
    );
    assert!(!setup.state_dir().join("ducked.json").exists());
}

#[test]
fn with_no_device_chosen_the_cues_follow_the_default_sink() {
    let setup = Setup::new();
    setup.pulse.add_sink("walker_phones", "Test_Headphones");
    let program = setup.program();
    let mut run = setup
        .treadcued(&["run", program.to_str().unwrap()])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let pid = run.id();
    let on = || treadcue_sink(&setup.pulse, pid);
    wait_until("treadcue plays", Duration::from_secs(10), || on().is_some());
    assert_eq!(on(), Some(sink_index(&setup.pulse, SINK)));
    setup.pulse.pactl(&["set-default-sink", "walker_phones"]);
    wait_until(
        "treadcue moves with the default sink",
        Duration::from_secs(5),
        || on() == Some(sink_index(&setup.pulse, "walker_phones")),
    );
    let _ = run.kill();
    let _ = run.wait();
}

#[test]
fn a_call_is_never_lowered() {
    let setup = Setup::new();
    let _music = setup.play_music(SINK);
    let mut call = setup.pulse.play_as(SINK, &setup.music(), "phone");
    wait_until("both play", Duration::from_secs(5), || {
        stream_volume(&setup.pulse, "music player").is_some()
            && stream_volume(&setup.pulse, "phone player").is_some()
    });
    let mut say = setup.treadcued(&["say", LONG_PHRASE]).spawn().unwrap();
    let mut music_lowered = false;
    while say.try_wait().unwrap().is_none() {
        let (_, music) = stream_volume(&setup.pulse, "music player").unwrap();
        let (_, phone) = stream_volume(&setup.pulse, "phone player").unwrap();
        music_lowered |= music < 65536 * 3 / 4;
        assert_eq!(phone, 65536, "the call was lowered");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(music_lowered, "the music beside the call was lowered");
    let _ = call.kill();
    let _ = call.wait();
}

#[test]
fn a_session_on_the_sound_server_waits_for_it_rather_than_falling_back_to_alsa() {
    let mut setup = Setup::new();
    // An ALSA whose default device takes samples as fast as they come:
    // a session that fell back to it would race to its end.
    let alsa = setup.dir.path().join("asound.conf");
    std::fs::write(&alsa, "pcm.!default {\n    type null\n}\n").unwrap();
    let program = setup.program();
    let mut run = setup
        .treadcued(&["run", program.to_str().unwrap()])
        .env("ALSA_CONFIG_PATH", &alsa)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let pid = run.id();
    wait_until(
        "treadcue plays on the server",
        Duration::from_secs(10),
        || treadcue_sink(&setup.pulse, pid).is_some(),
    );
    setup.pulse.kill();
    std::thread::sleep(Duration::from_secs(3));
    assert!(
        run.try_wait().unwrap().is_none(),
        "the session went on without the sound server"
    );
    setup.pulse.restart();
    wait_until("back on the server", Duration::from_secs(15), || {
        treadcue_sink(&setup.pulse, pid).is_some()
    });
    let _ = run.kill();
    let _ = run.wait();
}
