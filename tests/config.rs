//! The config file: the shipped example, the lookup, flags over the file,
//! unknown keys, bad values, and settings that change what is played.

use std::path::Path;
use std::process::{Command, Output};

use treadcue::config::file;
use treadcue::config::{Config, Flags, Loader};

const EXAMPLE: &str = include_str!("../config/treadcue.toml");

/// `treadcued ARGS` with no config file of the machine's in the way:
/// XDG_CONFIG_HOME points at `home`.
fn treadcued(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_treadcued"))
        .args(args)
        .env("XDG_CONFIG_HOME", home)
        .env("XDG_CACHE_HOME", home)
        .env_remove("RUST_LOG")
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The config printed for `text` given with --config, plus `flags`.
fn printed(text: &str, flags: &[&str]) -> (Output, toml::Table) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("treadcue.toml");
    std::fs::write(&path, text).unwrap();
    let mut args = vec!["--config", path.to_str().unwrap(), "--print-config"];
    args.extend_from_slice(flags);
    let out = treadcued(dir.path(), &args);
    let table = stdout(&out).parse().unwrap_or_default();
    (out, table)
}

fn value<'a>(table: &'a toml::Table, section: &str, key: &str) -> &'a toml::Value {
    &table[section][key]
}

#[test]
fn the_shipped_example_parses_cleanly_and_gives_the_defaults() {
    let (_, parsed, warnings) = file::parse("config/treadcue.toml", EXAMPLE).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    let read = file::ReadFile {
        name: "config/treadcue.toml".into(),
        paths: vec!["config/treadcue.toml".into()],
        source: treadcue::program::SourceFile::new("config/treadcue.toml", EXAMPLE),
        file: parsed,
        warnings,
    };
    let from_example = Config::resolve(Some(&read), Flags::default()).unwrap();
    let defaults = Config::defaults();
    let body = |c: &Config| c.to_toml().split_once("\n\n").unwrap().1.to_string();
    assert_eq!(body(&from_example), body(&defaults));
}

/// The lines of `[section]` in the example, up to the next section.
fn section_of<'a>(text: &'a str, section: &str) -> &'a str {
    let header = format!("\n[{section}]\n");
    let start = text.find(&header).map_or(text.len(), |i| i + header.len());
    let end = text[start..].find("\n[").map_or(text.len(), |i| start + i);
    &text[start..end]
}

#[test]
fn the_shipped_example_documents_every_setting() {
    let printed: toml::Table = Config::defaults()
        .to_toml()
        .parse()
        .expect("--print-config prints TOML");
    // Settings with no default are not printed until set.
    let unset = [
        ("sound", "device"),
        ("sound", "tones"),
        ("voice", "piper_model"),
        ("voice", "command"),
        ("voice", "phrasebook"),
    ];
    let mut settings: Vec<(String, String)> = unset
        .iter()
        .map(|(s, k)| (s.to_string(), k.to_string()))
        .collect();
    for (section, keys) in &printed {
        for key in keys.as_table().unwrap().keys() {
            settings.push((section.clone(), key.clone()));
        }
    }
    assert!(settings.len() > 25, "{settings:?}");
    for (section, key) in settings {
        let documented = section_of(EXAMPLE, &section)
            .lines()
            .map(|l| l.trim_start_matches('#').trim_start())
            .any(|l| l.starts_with(&format!("{key} =")));
        assert!(
            documented,
            "[{section}] {key} is not in config/treadcue.toml"
        );
    }
}

#[test]
fn flags_win_over_the_file_and_the_file_over_the_defaults() {
    let text =
        "[sound]\nvolume = 0.3\ndevice = \"pulse\"\n[daemon]\nheadphone_pause = \"ignore\"\n";
    let (out, config) = printed(text, &["--volume", "0.5"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(value(&config, "sound", "volume").as_float(), Some(0.5));
    assert_eq!(value(&config, "sound", "device").as_str(), Some("pulse"));
    assert_eq!(
        value(&config, "daemon", "headphone_pause").as_str(),
        Some("ignore")
    );
    assert_eq!(value(&config, "sound", "period_ms").as_integer(), Some(10));
}

#[test]
fn unknown_keys_are_warned_about_by_name_and_ignored() {
    let text = "[sound]\nvolum = 0.5\n[colour]\nscheme = \"dark\"\n";
    let (out, config) = printed(text, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let warned = stderr(&out);
    assert!(warned.contains("unknown key `sound.volum`"), "{warned}");
    assert!(warned.contains("unknown key `colour`"), "{warned}");
    assert_eq!(value(&config, "sound", "volume").as_float(), Some(0.8));
}

#[test]
fn bad_values_are_refused_with_the_file_and_the_place() {
    let cases = [
        (
            "[sound]\nvolume = 2.0\n",
            "[sound] volume 2 is outside 0 to 1",
        ),
        ("[sound]\nvolume = \"loud\"\n", ":2:"),
        ("[sound\nvolume = 0.5\n", ":1:"),
        ("[cues]\ncountdown = 99\n", ":2:"),
        ("[voice]\nengine = \"robot\"\n", "robot"),
        ("[daemon]\nbus = \"nowhere\"\n", "bus `nowhere`"),
        ("[daemon]\nlog_level = \"loud\"\n", "log_level `loud`"),
    ];
    for (text, expected) in cases {
        let (out, _) = printed(text, &[]);
        assert_eq!(out.status.code(), Some(1), "{text}");
        let said = stderr(&out);
        assert!(said.contains("treadcue.toml"), "{text}: {said}");
        assert!(said.contains(expected), "{text}: {said}");
        assert!(!said.contains("panicked"), "{said}");
    }
}

#[test]
fn the_file_is_found_in_the_users_config_folder_unless_one_is_named() {
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join("treadcue")).unwrap();
    std::fs::write(
        home.path().join("treadcue/config.toml"),
        "[sound]\nvolume = 0.25\n",
    )
    .unwrap();
    let found = treadcued(home.path(), &["--print-config"]);
    let text = stdout(&found);
    assert!(text.contains("config.toml"), "{text}");
    assert!(text.contains("volume = 0.25"), "{text}");

    let named = home.path().join("other.toml");
    std::fs::write(&named, "[sound]\nvolume = 0.75\n").unwrap();
    let chosen = treadcued(
        home.path(),
        &["--config", named.to_str().unwrap(), "--print-config"],
    );
    assert!(stdout(&chosen).contains("volume = 0.75"));

    let missing = treadcued(
        home.path(),
        &["--config", "/nonexistent.toml", "--print-config"],
    );
    assert_eq!(missing.status.code(), Some(1));
    assert!(stderr(&missing).contains("/nonexistent.toml"));
}

#[test]
fn units_and_cue_defaults_from_the_file_change_the_plan() {
    let dir = tempfile::tempdir().unwrap();
    let program = dir.path().join("plain.toml");
    std::fs::write(
        &program,
        "name = \"Plain\"\nunits = \"mph\"\n[[steps]]\ndirection = \"forward\"\nduration = \"1m\"\nspeed = 1.5\n[[steps]]\ndirection = \"forward\"\nduration = \"1m\"\nspeed = 2.0\n",
    )
    .unwrap();
    let config = dir.path().join("c.toml");
    std::fs::write(
        &config,
        "[programs]\nunits = \"km/h\"\n[cues]\ncountdown = 0\n",
    )
    .unwrap();
    let program = program.to_str().unwrap();
    let with_file = treadcued(
        dir.path(),
        &["--config", config.to_str().unwrap(), "plan", program],
    );
    let without = treadcued(dir.path(), &["plan", program]);
    assert!(with_file.status.success(), "{}", stderr(&with_file));
    let (with_file, without) = (stdout(&with_file), stdout(&without));
    assert!(
        without.contains("2.0 mph") && without.contains("countdown"),
        "{without}"
    );
    // 2 mph is 3.2 km/h, spoken and shown.
    assert!(with_file.contains("3.2 km/h"), "{with_file}");
    assert!(
        with_file.contains("three point two kilometres per hour"),
        "{with_file}"
    );
    assert!(!with_file.contains("countdown"), "{with_file}");
}

#[test]
fn the_log_level_comes_from_the_file_unless_rust_log_says() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.toml");
    std::fs::write(&path, "[daemon]\nlog_level = \"error\"\nshade = 1\n").unwrap();
    let config = path.to_str().unwrap();
    let quiet = treadcued(dir.path(), &["--config", config, "check", "demo"]);
    assert!(quiet.status.success());
    assert!(!stderr(&quiet).contains("shade"), "{}", stderr(&quiet));

    let loud = Command::new(env!("CARGO_BIN_EXE_treadcued"))
        .args(["--config", config, "check", "demo"])
        .env("XDG_CONFIG_HOME", dir.path())
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        stderr(&loud).contains("unknown key `daemon.shade`"),
        "{}",
        stderr(&loud)
    );
}

#[test]
fn the_printed_config_reads_back_as_itself() {
    let text = "[sound]\nvolume = 0.4\ntone_volume = 0.5\n[voice]\nengine = \"espeak-ng\"\nwords_per_minute = 140\n[cues]\nheads_up = \"12s\"\nremaining = [\"2m\", \"30s\"]\n[programs]\nunits = \"km/h\"\n[daemon]\nafter_crash = \"discard\"\n";
    let (first, _) = printed(text, &[]);
    assert!(first.status.success(), "{}", stderr(&first));
    let first = stdout(&first);
    let (second, _) = printed(&first, &[]);
    assert!(stderr(&second).is_empty(), "{}", stderr(&second));
    let body = |s: &str| s.split_once("\n\n").unwrap().1.to_string();
    assert_eq!(body(&stdout(&second)), body(&first));
    assert!(first.contains("heads_up = \"12s\""), "{first}");
    assert!(first.contains("remaining = [\"2m\", \"30s\"]"), "{first}");
}

#[test]
fn ducking_and_bluetooth_settings_are_checked_and_flags_win() {
    let text = "[ducking]\ndepth = -20.0\nattack = \"100ms\"\nnever_duck = [\"phone\", \"alarm\"]\n\
                [bluetooth]\nbuttons = false\n";
    let (out, table) = printed(text, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(value(&table, "ducking", "depth").as_float(), Some(-20.0));
    assert_eq!(value(&table, "ducking", "attack").as_str(), Some("100ms"));
    assert_eq!(value(&table, "ducking", "release").as_str(), Some("600ms"));
    assert_eq!(
        value(&table, "ducking", "never_duck")
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    assert_eq!(value(&table, "bluetooth", "buttons").as_bool(), Some(false));

    let (out, table) = printed(
        text,
        &[
            "--duck-depth",
            "-25",
            "--ducking",
            "false",
            "--bluetooth-buttons",
            "true",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(value(&table, "ducking", "depth").as_float(), Some(-25.0));
    assert_eq!(value(&table, "ducking", "enabled").as_bool(), Some(false));
    assert_eq!(value(&table, "bluetooth", "buttons").as_bool(), Some(true));

    for (bad, key) in [
        ("[ducking]\ndepth = 6.0\n", "[ducking] depth"),
        ("[ducking]\ndepth = -90.0\n", "[ducking] depth"),
        ("[ducking]\nattack = \"soon\"\n", "[ducking] attack"),
        ("[ducking]\nrelease = \"1h\"\n", "[ducking] release"),
    ] {
        let (out, _) = printed(bad, &[]);
        assert!(!out.status.success(), "{bad} was taken");
        let err = stderr(&out);
        assert!(
            err.contains("treadcue.toml") && err.contains(key),
            "{bad}: {err}"
        );
    }
    let (out, _) = printed("", &["--duck-depth", "3"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("[ducking] depth"), "{}", stderr(&out));
}

/// A Loader reading `system` and `user` as the system's and the user's
/// files, as the daemon reads /etc and ~/.config.
fn layered(
    system: &str,
    user: &str,
) -> (tempfile::TempDir, Result<treadcue::config::Loaded, String>) {
    let dir = tempfile::tempdir().unwrap();
    let (system_file, user_file) = (dir.path().join("system.toml"), dir.path().join("user.toml"));
    std::fs::write(&system_file, system).unwrap();
    std::fs::write(&user_file, user).unwrap();
    let loader = Loader {
        system_file: Some(system_file),
        user_file: Some(user_file),
        ..Loader::default()
    };
    let loaded = loader.load();
    (dir, loaded)
}

#[test]
fn the_users_file_is_layered_over_the_systems_key_by_key() {
    let (dir, loaded) = layered(
        "[web]\nlisten = \"0.0.0.0:8321\"\n[sound]\nvolume = 0.5\ntone_volume = 0.4\n[programs]\nfolders = [\"/srv/programs\"]\n",
        "[sound]\nvolume = 0.9\n[programs]\nfolders = [\"/home/walker/programs\"]\n[voice]\nwords_per_minut = 150\n",
    );
    let loaded = loaded.unwrap();
    let config = &loaded.config;
    // The user's key wins; the system's keys the user did not set stay.
    assert_eq!(config.sound.volume, 0.9);
    assert_eq!(config.sound.tone_volume, 0.4);
    assert_eq!(config.web.listen.as_deref(), Some("0.0.0.0:8321"));
    // A list is one value: the user's replaces the system's whole.
    assert_eq!(
        config.programs.folders,
        vec![std::path::PathBuf::from("/home/walker/programs")]
    );
    // Both files are named, in the order they were read.
    let printed = config.to_toml();
    let system = dir.path().join("system.toml").display().to_string();
    let user = dir.path().join("user.toml").display().to_string();
    let (at_system, at_user) = (printed.find(&system).unwrap(), printed.find(&user).unwrap());
    assert!(at_system < at_user, "{printed}");
    // The user's unknown key is warned about under the user's file.
    assert_eq!(loaded.warnings.len(), 1, "{:?}", loaded.warnings);
    assert!(
        loaded.warnings[0].starts_with(&user),
        "{:?}",
        loaded.warnings
    );
    assert!(
        loaded.warnings[0].contains("voice.words_per_minute"),
        "{:?}",
        loaded.warnings
    );
}

#[test]
fn a_bad_value_in_either_layer_names_that_file_and_its_line() {
    let (dir, loaded) = layered("[sound]\nvolume = 0.5\n", "\n[sound]\nvolume = 7.0\n");
    let error = loaded.unwrap_err();
    let user = dir.path().join("user.toml").display().to_string();
    assert!(error.contains(&user), "{error}");
    assert!(error.contains("volume"), "{error}");
    let (dir, loaded) = layered("[sound]\nvolume = \"loud\"\n", "[sound]\nvolume = 0.5\n");
    let error = loaded.unwrap_err();
    let system = dir.path().join("system.toml").display().to_string();
    assert!(error.contains(&format!("{system}:2")), "{error}");
}

#[test]
fn with_only_one_layer_or_a_named_file_that_file_alone_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let system_file = dir.path().join("system.toml");
    std::fs::write(&system_file, "[sound]\nvolume = 0.3\n").unwrap();
    let only_system = Loader {
        system_file: Some(system_file.clone()),
        user_file: Some(dir.path().join("absent.toml")),
        ..Loader::default()
    };
    let config = only_system.load().unwrap().config;
    assert_eq!(config.sound.volume, 0.3);
    assert_eq!(config.files, vec![system_file.clone()]);

    let named = dir.path().join("named.toml");
    std::fs::write(&named, "[sound]\ntone_volume = 0.2\n").unwrap();
    let explicit = Loader {
        explicit: Some(named.clone()),
        ..only_system
    };
    let config = explicit.load().unwrap().config;
    assert_eq!((config.sound.volume, config.sound.tone_volume), (0.8, 0.2));
    assert_eq!(config.files, vec![named]);
}
