//! Voices against the real synthesizers: espeak-ng speaks, the bundled
//! pack needs nothing installed, the cache spares the synthesizer, and a
//! missing or failing one gets a clear error.

mod support;

use std::path::Path;
use std::process::{Command, Output};

use support::signal::rms;
use treadcue::phrasebook::Phrasebook;
use treadcue::prepare::{Bank, prepare};
use treadcue::program::catalog::{BUILT_IN, built_in};
use treadcue::program::cue_settings::CueSettings;
use treadcue::voice::{Pack, Voice, espeak_ng};

fn treadcued(args: &[&str], path: Option<&Path>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_treadcued"));
    command.args(args);
    if let Some(path) = path {
        command.env("PATH", path);
    }
    command.output().expect("treadcued runs")
}

fn require_espeak() {
    assert!(
        Command::new("espeak-ng")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success()),
        "espeak-ng is missing: install the Debian package espeak-ng (scripts/setup --test does)"
    );
}

#[test]
fn espeak_ng_really_speaks_and_is_trimmed() {
    require_espeak();
    let clip = espeak_ng("en-us", 160)
        .render("Backward at one mile per hour, for two minutes.")
        .unwrap();
    let secs = clip.duration().as_secs_f64();
    assert!((1.0..6.0).contains(&secs), "{secs} s");
    assert!(rms(&clip.samples) > 0.02);
    // espeak-ng pads phrases with about 49 ms of silence; trimming removes
    // it so the words start on the cue's first sample.
    let lead = clip.samples.iter().position(|s| s.abs() > 0.002).unwrap();
    assert!(lead > 0, "espeak-ng starts with silence");
    let trimmed = clip.trimmed();
    assert!(trimmed.samples[0].abs() > 0.002);
    assert!(trimmed.samples.len() + lead <= clip.samples.len());
}

#[test]
fn the_bundled_pack_says_every_phrase_of_every_built_in_program() {
    let pack = Pack::bundled();
    for b in BUILT_IN {
        let program = built_in(b.id).unwrap().unwrap();
        let mut bank = Bank::new(22_050, None).unwrap();
        let plan = prepare(
            &program,
            &CueSettings::default(),
            &Phrasebook::default(),
            &pack,
            &mut bank,
        )
        .unwrap_or_else(|e| panic!("{}: {e}", b.id));
        for phrase in plan.phrases() {
            assert!(
                pack.covers(phrase),
                "{}: the pack cannot say {phrase:?}",
                b.id
            );
        }
    }
}

#[test]
fn the_bundled_pack_needs_no_synthesizer_installed() {
    let empty_path = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let wav = out.path().join("demo.wav");
    let args = [
        "render",
        "demo",
        "--output",
        wav.to_str().unwrap(),
        "--cache",
        cache.path().to_str().unwrap(),
    ];
    let output = treadcued(&args, Some(empty_path.path()));
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(std::fs::metadata(&wav).unwrap().len() > 48_000 * 2 * 60);
    assert_eq!(
        std::fs::read_dir(cache.path())
            .map(|d| d.count())
            .unwrap_or(0),
        0,
        "nothing synthesized"
    );
}

#[test]
fn a_missing_synthesizer_is_named_with_how_to_install_it() {
    let empty_path = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let wav = out.path().join("x.wav");
    // A fresh cache: a phrase said before would not need the synthesizer.
    let cache = out.path().join("cache");
    let args = [
        "say",
        "hello",
        "--voice",
        "espeak-ng",
        "-o",
        wav.to_str().unwrap(),
        "--cache",
        cache.to_str().unwrap(),
    ];
    let output = treadcued(&args, Some(empty_path.path()));
    assert_eq!(output.status.code(), Some(1));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        err.contains("espeak-ng is not installed: install it with `sudo apt install espeak-ng`"),
        "{err}"
    );
}

#[test]
fn a_failing_voice_command_reports_its_exit() {
    let out = tempfile::tempdir().unwrap();
    let wav = out.path().join("x.wav");
    let output = treadcued(
        &[
            "say",
            "hello",
            "--voice",
            "command",
            "--voice-command",
            "false {text}",
            "-o",
            wav.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(1));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        err.contains("failed to say \"hello\": it exited with exit status: 1"),
        "{err}"
    );
}

/// A voice command that copies a fixed WAV into place and counts its runs.
fn counting_voice(dir: &Path) -> String {
    let wav = dir.join("voice.wav");
    treadcue::audio::pcm::write_wav(&wav, 16_000, &vec![0.3; 8_000]).unwrap();
    let script = dir.join("voice.sh");
    let counter = dir.join("runs");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\necho x >> {}\ncp {} \"$2\"\n",
            counter.display(),
            wav.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    format!("{} {{text}} {{output}}", script.display())
}

#[test]
fn rendered_phrases_are_cached_so_the_synthesizer_runs_once_per_phrase() {
    let dir = tempfile::tempdir().unwrap();
    let command = counting_voice(dir.path());
    let cache = dir.path().join("cache");
    let wav = dir.path().join("out.wav");
    let run = || {
        let args = [
            "render",
            "demo",
            "-o",
            wav.to_str().unwrap(),
            "--voice",
            "command",
            "--voice-command",
            &command,
            "--cache",
            cache.to_str().unwrap(),
        ];
        let output = treadcued(&args, None);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    let runs = || {
        std::fs::read_to_string(dir.path().join("runs"))
            .unwrap()
            .lines()
            .count()
    };
    run();
    let first = runs();
    assert!(first >= 10, "{first} phrases rendered");
    assert_eq!(std::fs::read_dir(&cache).unwrap().count(), first);
    run();
    assert_eq!(runs(), first, "the second load rendered nothing");
}

/// `voices` lists only voices that speak, and a voice that does not (an
/// espeak-ng "variant") is refused by name before espeak-ng runs; a
/// synthesizer that crashes is named as having crashed.
#[test]
fn only_voices_that_speak_are_listed_and_taken() {
    require_espeak();
    let out = treadcued(&["voices"], None);
    let listed = String::from_utf8_lossy(&out.stdout);
    let espeak = listed.lines().find(|l| l.starts_with("espeak-ng")).unwrap();
    assert!(espeak.contains("en-us"), "{espeak}");
    assert!(!espeak.contains("variant"), "{espeak}");
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("x.wav");
    let out = treadcued(
        &[
            "say",
            "hello",
            "--voice",
            "espeak-ng",
            "--espeak-voice",
            "variant",
            "-o",
            wav.to_str().unwrap(),
        ],
        None,
    );
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        said.contains("espeak-ng has no voice \"variant\" that speaks"),
        "{said}"
    );

    let crashing = dir.path().join("crash.sh");
    std::fs::write(&crashing, "#!/bin/sh\nkill -SEGV $$\n").unwrap();
    std::fs::set_permissions(
        &crashing,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let command = format!("{} {{output}} -- {{text}}", crashing.display());
    let out = treadcued(
        &[
            "say",
            "hello",
            "--voice",
            "command",
            "--voice-command",
            &command,
            "-o",
            wav.to_str().unwrap(),
        ],
        None,
    );
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("it crashed (signal 11)"), "{said}");
}

/// With espeak-ng there, the bundled pack still says what it can: in an
/// announcement with a note it lacks a word of, only the note goes to the
/// synthesizer, so the voice does not change for the whole cue.
#[test]
fn the_pack_says_what_it_can_and_the_synthesizer_only_the_rest() {
    require_espeak();
    use treadcue::voice::{Pack, Voice, VoiceChoice, build};
    let announcement = "Forward at one point five miles per hour, flat, for three minutes.";
    let text = format!("{announcement} Breathe easy and smile.");
    let chain = build(&VoiceChoice::Pack, None);
    let mixed = chain.render(&text).unwrap();
    let pack = Pack::bundled().render(announcement).unwrap().trimmed();
    assert_eq!(mixed.rate, pack.rate);
    assert!(mixed.samples.len() > pack.samples.len());
    assert_eq!(
        &mixed.samples[..pack.samples.len()],
        &pack.samples[..],
        "the announcement is the pack's own recording"
    );
}

/// Without a synthesizer, check names every word the bundled voice lacks,
/// at the note or `say` text that holds them, before anything is played.
#[test]
fn check_lists_every_word_the_voice_cannot_say() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("breathe.toml");
    std::fs::write(
        &file,
        "name = \"Breathe\"\n[[steps]]\ndirection = \"forward\"\nduration = \"3m\"\nspeed = 1.5\n\
         note = \"Breathe easy and smile.\"\n\
         say = [{ at = \"10s\", text = \"Whistle loudly.\" }]\n",
    )
    .unwrap();
    let empty = dir.path().join("bin");
    std::fs::create_dir(&empty).unwrap();
    let out = treadcued(&["check", file.to_str().unwrap()], Some(&empty));
    let said = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains("breathe.toml:6:8: error: the voice cannot say `breathe`, `easy`, `smile`"),
        "{said}"
    );
    assert!(
        said.contains("breathe.toml:7:29: error: the voice cannot say `whistle`"),
        "{said}"
    );
}

/// With espeak-ng there, check and plan say which cues a second voice
/// speaks in, and which part of them: the walker will hear two voices.
#[test]
fn check_and_plan_say_which_voice_says_what() {
    require_espeak();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("breathe.toml");
    std::fs::write(
        &file,
        "name = \"Breathe\"\n[[steps]]\ndirection = \"forward\"\nduration = \"3m\"\nspeed = 1.5\n\
         note = \"Breathe easy and smile.\"\n",
    )
    .unwrap();
    for command in ["check", "plan"] {
        let out = treadcued(&[command, file.to_str().unwrap()], None);
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{command}: {said}");
        assert!(
            said.contains("voices: pack:joe speaks in"),
            "{command}: {said}"
        );
        let second = said
            .lines()
            .skip_while(|l| !l.starts_with("voices: espeak-ng:en-us"))
            .collect::<Vec<_>>();
        assert!(second[0].ends_with("says 1 part(s):"), "{command}: {said}");
        assert!(
            second[1].contains("step 1 announcement: \"Breathe easy and smile.\""),
            "{command}: {said}"
        );
    }
    let demo = treadcued(&["check", "demo"], None);
    let said = String::from_utf8_lossy(&demo.stdout);
    assert!(
        said.contains("voice: pack:joe says all 12 spoken cues"),
        "{said}"
    );
}
