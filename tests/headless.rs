//! The files a headless Pi needs for Bluetooth headphones, as shipped:
//! the WirePlumber settings (0.4's Lua, 0.5's SPA-JSON) read by the tools
//! that read them, and the BlueALSA device listed by its name.

mod support;

use std::path::Path;
use std::process::Command;

fn shipped(path: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

#[test]
fn the_wireplumber_0_4_setting_turns_the_seat_check_off() {
    support::require("lua5.4", "lua5.4");
    let dir = tempfile::tempdir().unwrap();
    // WirePlumber 0.4 runs bluetooth.lua.d's files in order, with the
    // monitor's table made by the earlier ones: seat checking on.
    let runner = dir.path().join("runner.lua");
    std::fs::write(
        &runner,
        "bluez_monitor = { properties = { [\"with-logind\"] = true } }\n\
         dofile(arg[1])\n\
         print(bluez_monitor.properties[\"with-logind\"])\n",
    )
    .unwrap();
    let out = Command::new("lua5.4")
        .arg(&runner)
        .arg(shipped(
            "config/wireplumber/80-treadcue-headless-bluetooth.lua",
        ))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "false");
}

#[test]
fn the_wireplumber_0_5_setting_parses_and_disables_seat_monitoring() {
    support::require("spa-json-dump", "pipewire-bin");
    let out = Command::new("spa-json-dump")
        .arg(shipped(
            "config/wireplumber/80-treadcue-headless-bluetooth.conf",
        ))
        .output()
        .unwrap();
    assert!(out.status.success());
    // spa-json-dump prints what it read as JSON; a broken file prints
    // something that is not.
    let read: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    assert_eq!(
        read["wireplumber.profiles"]["main"]["monitor.bluez.seat-monitoring"],
        "disabled"
    );
}

#[test]
fn the_bluealsa_device_is_listed_by_its_name_where_there_is_no_sound_server() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("alsa")).unwrap();
    std::fs::copy(
        shipped("config/alsa/60-treadcue-bluealsa.conf"),
        dir.path().join("alsa/asoundrc"),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_treadcued"))
        .arg("devices")
        .env("XDG_CONFIG_HOME", dir.path())
        .env(
            "PULSE_SERVER",
            format!("unix:{}/none", dir.path().display()),
        )
        .output()
        .unwrap();
    let listing = String::from_utf8_lossy(&out.stdout);
    assert!(
        listing
            .lines()
            .any(|l| l.starts_with("treadcue_bluetooth ") && l.contains("BlueALSA")),
        "{listing}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
