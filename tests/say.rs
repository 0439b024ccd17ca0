//! What a client's Say can and cannot do: a text is only ever spoken,
//! never an option to the synthesizer nor a placeholder, and one-off
//! phrases do not pile up on the disk.

mod support;

use std::path::Path;

use support::bus::{Daemon, PrivateBus};

/// A voice command that logs each argument on a line of its own, then
/// writes a short WAV where it was told to.
fn logging_voice(dir: &Path) -> String {
    let wav = dir.join("voice.wav");
    treadcue::audio::pcm::write_wav(&wav, 16_000, &vec![0.3; 1_600]).unwrap();
    let script = dir.join("voice.sh");
    let log = dir.join("arguments");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nfor a in \"$@\"; do printf '[%s]\\n' \"$a\" >> {log}; done\ncp {wav} \"$1\"\n",
            log = log.display(),
            wav = wav.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    format!("{} {{output}} {{text}}", script.display())
}

fn say(bus: &PrivateBus, text: &str) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let connection = zbus::connection::Builder::address(bus.address.as_str())
            .build()
            .await
            .map_err(|e| e.to_string())?;
        let proxy = treadcue::treadcuectl::TreadcueProxy::new(&connection)
            .await
            .map_err(|e| e.to_string())?;
        proxy.say(text).await.map_err(|e| e.to_string())
    })
}

#[test]
fn a_said_text_is_never_an_option_nor_a_placeholder_and_is_not_cached() {
    let dir = tempfile::tempdir().unwrap();
    let command = logging_voice(dir.path());
    let bus = PrivateBus::start(None);
    let cache = dir.path().join("cache");
    let daemon = Daemon::start_on_null_device(
        &bus,
        &[
            "--voice",
            "command",
            "--voice-command",
            &command,
            "--cache",
            cache.to_str().unwrap(),
        ],
    );
    let cached_before = std::fs::read_dir(&cache).map_or(0, |d| d.count());
    let log = dir.path().join("arguments");
    let _ = std::fs::remove_file(&log);
    for text in ["-f/etc/shadow", "{output} and {text}", "--help"] {
        if let Err(e) = say(&bus, text) {
            panic!("Say({text}): {e}\n{}", daemon.stderr());
        }
    }
    let logged = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = logged.lines().collect();
    // Two arguments a call: the output file, then the text.
    assert_eq!(lines.len(), 6, "{logged}");
    let texts: Vec<&str> = lines.iter().skip(1).step_by(2).copied().collect();
    assert_eq!(
        texts,
        ["[ -f/etc/shadow]", "[{output} and {text}]", "[ --help]"],
        "the texts reach the synthesizer as words, never options"
    );
    for output in lines.iter().step_by(2) {
        assert!(output.ends_with("phrase.wav]"), "{output}");
    }
    let cached_after = std::fs::read_dir(&cache).map_or(0, |d| d.count());
    assert_eq!(
        cached_after, cached_before,
        "one-off phrases are not cached"
    );
}

#[test]
fn the_phrase_cache_keeps_its_size_bound_dropping_the_least_recently_used() {
    let dir = tempfile::tempdir().unwrap();
    for (i, age) in [(0, 300), (1, 200), (2, 100)] {
        let path = dir.path().join(format!("{i}.wav"));
        std::fs::write(&path, vec![0u8; 1000]).unwrap();
        let when = std::time::SystemTime::now() - std::time::Duration::from_secs(age);
        std::fs::File::options()
            .append(true)
            .open(&path)
            .unwrap()
            .set_modified(when)
            .unwrap();
    }
    treadcue::voice::evict(dir.path(), 2000);
    let mut left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["1.wav", "2.wav"]);
}
