//! The documentation says what is: every key of the shipped example
//! config is in the configuration reference and the other way round, and
//! every D-Bus method, signal and property the reference names is on the
//! bus.

mod support;

use std::collections::BTreeSet;

use support::world::*;

fn read(path: &str) -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

/// `[section] key` for every key of the example config, set or commented.
fn example_keys() -> BTreeSet<String> {
    let mut section = String::new();
    let mut keys = BTreeSet::new();
    for line in read("config/treadcue.toml").lines() {
        let text = line.trim().trim_start_matches('#').trim();
        if let Some(name) = text.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
            section = name.to_string();
        } else if let Some((key, _)) = text.split_once(" = ")
            && !section.is_empty()
            && key.chars().all(|c| c.is_ascii_lowercase() || c == '_')
        {
            keys.insert(format!("[{section}] {key}"));
        }
    }
    keys
}

/// The keys the reference's table documents.
fn documented_keys() -> BTreeSet<String> {
    read("docs/configuration.md")
        .lines()
        .filter_map(|line| line.strip_prefix("| `["))
        .filter_map(|rest| rest.split_once('`'))
        .map(|(key, _)| format!("[{key}"))
        .collect()
}

#[test]
fn the_configuration_reference_and_the_example_name_the_same_keys() {
    let example = example_keys();
    assert!(example.len() > 40, "{example:?}");
    let documented = documented_keys();
    let undocumented: Vec<_> = example.difference(&documented).collect();
    let unknown: Vec<_> = documented.difference(&example).collect();
    assert!(
        undocumented.is_empty(),
        "not in docs/configuration.md: {undocumented:?}"
    );
    assert!(
        unknown.is_empty(),
        "documented but not in the example: {unknown:?}"
    );
}

/// Every member named in the first column of the D-Bus reference's
/// tables: `` `Name(...)` `` or `` `Name` ``, as many as a cell holds.
fn documented_members() -> BTreeSet<String> {
    let mut members = BTreeSet::new();
    for line in read("docs/dbus.md").lines() {
        let Some(cell) = line.strip_prefix('|').and_then(|l| l.split('|').next()) else {
            continue;
        };
        for quoted in cell.split('`').skip(1).step_by(2) {
            let name: String = quoted
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            if name.chars().next().is_some_and(|c| c.is_ascii_uppercase()) {
                members.insert(name);
            }
        }
    }
    members
}

#[test]
fn every_member_the_dbus_reference_names_is_on_the_bus() {
    let documented = documented_members();
    assert!(documented.len() > 30, "{documented:?}");
    let world = world(&[]);
    let mut on_bus = String::new();
    for (path, interfaces) in [
        (
            OBJECT[1],
            &[
                "io.github.treadcue.Treadcue1",
                "io.github.treadcue.Treadcue1.Bluetooth",
                "io.github.treadcue.Treadcue1.Web",
                "io.github.treadcue.Treadcue1.Mqtt",
                "io.github.treadcue.Treadcue1.Export",
            ][..],
        ),
        (
            "/org/mpris/MediaPlayer2",
            &["org.mpris.MediaPlayer2", "org.mpris.MediaPlayer2.Player"][..],
        ),
    ] {
        for interface in interfaces {
            let (ok, out, err) = busctl(&world, &["introspect", OBJECT[0], path, interface]);
            assert!(ok, "{interface}: {err}");
            on_bus.push_str(&out);
        }
    }
    let members: BTreeSet<String> = on_bus
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .filter_map(|name| name.strip_prefix('.'))
        .map(str::to_string)
        .collect();
    let missing: Vec<_> = documented.difference(&members).collect();
    assert!(
        missing.is_empty(),
        "in docs/dbus.md but not on the bus: {missing:?}"
    );
}
