//! The systemd units, checked by systemd's own tools.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

const UNITS: [&str; 2] = ["treadcued.service", "treadcued-system.service"];

/// The unit as installed, but starting the binaries just built: verify
/// checks that the programs it runs exist.
fn installed_copy(dir: &Path, unit: &str) -> PathBuf {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("systemd")
            .join(unit),
    )
    .unwrap();
    let daemon = env!("CARGO_BIN_EXE_treadcued");
    let ctl = env!("CARGO_BIN_EXE_treadcuectl");
    let text = text
        .replace("/usr/bin/treadcuectl", ctl)
        .replace("/usr/bin/treadcued", daemon);
    let path = dir.join(unit);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn systemd_analyze_verify_passes_every_unit_without_a_word() {
    support::require("systemd-analyze", "systemd");
    let dir = tempfile::tempdir().unwrap();
    for unit in UNITS {
        let path = installed_copy(dir.path(), unit);
        let out = Command::new("systemd-analyze")
            .args(["verify", "--man=no"])
            .arg(&path)
            .current_dir(dir.path())
            .output()
            .unwrap();
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.status.success() && said.trim().is_empty(),
            "{unit}: {said}"
        );
    }
}

/// What `systemd-analyze security` says of the unit at `path`.
fn security_report(dir: &Path, path: &Path) -> String {
    let out = Command::new("systemd-analyze")
        .args(["security", "--offline=yes"])
        .arg(path)
        .current_dir(dir)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The system unit's overall exposure is at most 1.5 ("OK" or better).
fn assert_hardened(report: &str) {
    let exposure: f64 = report
        .lines()
        .find_map(|l| {
            l.split("Overall exposure level for treadcued-system.service: ")
                .nth(1)
        })
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no exposure level in: {report}"));
    assert!(exposure <= 1.5, "exposure {exposure}:\n{report}");
}

#[test]
fn the_system_unit_is_hardened() {
    support::require("systemd-analyze", "systemd");
    let dir = tempfile::tempdir().unwrap();
    let path = installed_copy(dir.path(), "treadcued-system.service");
    let report = security_report(dir.path(), &path);
    assert_hardened(&report);
}

#[test]
fn the_user_unit_keeps_the_session_bus_and_sound_server_reachable() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("systemd/treadcued.service"),
    )
    .unwrap();
    let settings: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    // ProtectHome= would hide /run/user, where the bus and audio sockets are.
    assert!(!settings.iter().any(|l| l.starts_with("ProtectHome=")));
    for needed in ["Type=notify", "WatchdogSec=", "Restart=on-failure"] {
        assert!(
            settings.iter().any(|l| l.starts_with(needed)),
            "the user unit lacks {needed}"
        );
    }
}

/// The drop-in that lets the system unit serve the web remote to the home
/// network passes verify, and the unit still rates as hardened.
#[test]
fn the_web_remote_drop_in_keeps_the_system_unit_hardened() {
    support::require("systemd-analyze", "systemd");
    let dir = tempfile::tempdir().unwrap();
    let path = installed_copy(dir.path(), "treadcued-system.service");
    let drop_ins = dir.path().join("treadcued-system.service.d");
    std::fs::create_dir(&drop_ins).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("systemd/treadcued-system-web.conf"),
        drop_ins.join("web.conf"),
    )
    .unwrap();
    let verify = Command::new("systemd-analyze")
        .args(["verify", "--man=no"])
        .arg(&path)
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        verify.status.success() && verify.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&verify.stderr)
    );
    let report = security_report(dir.path(), &path);
    assert!(
        report.contains("Service has access to the host's network"),
        "the drop-in was read: {report}"
    );
    assert_hardened(&report);
}
