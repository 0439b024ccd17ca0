//! The layers of the code, checked on the source: the front ends reach
//! the rest only through the controller, the controller knows no front
//! end and no configuration, and the core (programs, plans, sound,
//! voices, sessions, storage) knows neither. A module that crossed a
//! line would compile; this test is what keeps the picture in
//! docs/architecture.md true.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Modules above the controller: what builds it, what serves it, and
/// the binaries' commands.
const ABOVE: &[&str] = &[
    "frontend",
    "daemon",
    "config",
    "treadcued",
    "treadcuectl",
    "process",
    "logging",
];

/// What a front end may use besides other front-end code: the
/// controller's handle and the types it hands out, the shutdown, and for
/// the BlueZ front end the Bluetooth client and the decoders of what
/// devices send.
const FRONT_END_MAY_USE: &[&str] = &[
    "controller",
    "session",
    "shutdown",
    "sync",
    "files",
    "bluetooth",
    "fitness",
];

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// The top-level modules a file names as `crate::<module>`, in code
/// (not comments), outside its tests.
fn uses(file: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(file).unwrap();
    let code = text.split("#[cfg(test)]").next().unwrap_or("");
    let mut used = BTreeSet::new();
    for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
        for (at, _) in line.match_indices("crate::") {
            let rest = &line[at + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                used.insert(name);
            }
        }
    }
    used
}

/// Every file of `module` (a folder or a file under src/) with what it
/// uses that `allowed` refuses.
fn crossings(module: &str, allowed: impl Fn(&str) -> bool) -> Vec<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let dir = src.join(module);
    let files = if dir.is_dir() {
        rust_files(&dir)
    } else {
        vec![src.join(format!("{module}.rs"))]
    };
    let mut found = Vec::new();
    for file in files {
        for used in uses(&file) {
            if used != module && !allowed(&used) {
                found.push(format!("{} uses crate::{used}", file.display()));
            }
        }
    }
    found
}

#[test]
fn front_ends_reach_the_rest_only_through_the_controller() {
    let found = crossings("frontend", |used| FRONT_END_MAY_USE.contains(&used));
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn the_controller_knows_no_front_end_and_no_configuration() {
    let found = crossings("controller", |used| !ABOVE.contains(&used));
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn the_core_knows_neither_the_controller_nor_what_is_above_it() {
    let core = [
        "program",
        "plan",
        "audio",
        "voice",
        "phrasebook",
        "spoken",
        "prepare",
        "course",
        "fitness",
        "session",
        "store",
        "calendar",
        "files",
        "bluetooth",
        "sync",
        "shutdown",
    ];
    let mut found = Vec::new();
    for module in core {
        found.extend(crossings(module, |used| {
            used != "controller" && !ABOVE.contains(&used)
        }));
    }
    assert!(found.is_empty(), "{found:#?}");
}

/// The checker itself sees a crossing where there is one.
#[test]
fn a_crossing_is_seen() {
    let found = crossings("daemon", |used| used != "controller");
    assert!(
        found.iter().any(|f| f.contains("crate::controller")),
        "{found:#?}"
    );
}
