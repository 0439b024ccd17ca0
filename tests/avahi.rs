//! The phone finds the Pi: the web remote announced through a real
//! avahi-daemon (on a private system bus), seen by Avahi's own browser,
//! gone when treadcued stops and back after Avahi restarts; and the
//! address `treadcuectl web` prints, with a QR code that zbar's decoder
//! reads back.

mod support;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use support::bus::{Daemon, PrivateBus};
use support::{free_port, require};

/// A system-type bus where anyone may own and call anything: Avahi
/// claims org.freedesktop.Avahi on it.
const OPEN_SYSTEM_BUS: &str = r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
"#;

const AVAHI_CONFIG: &str = "[server]\nuse-ipv4=yes\nuse-ipv6=no\nenable-dbus=yes\n\
[wide-area]\nenable-wide-area=no\n[publish]\npublish-addresses=yes\n";

struct Avahi {
    child: Child,
}

impl Avahi {
    fn start(system: &PrivateBus) -> Avahi {
        let config = system.dir().join("avahi-daemon.conf");
        std::fs::write(&config, AVAHI_CONFIG).unwrap();
        let child = Command::new("avahi-daemon")
            .args(["--no-drop-root", "--no-chroot", "--no-rlimits"])
            .arg("--no-proc-title")
            .arg("-f")
            .arg(&config)
            .env("DBUS_SYSTEM_BUS_ADDRESS", &system.address)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("avahi-daemon starts");
        let mut avahi = Avahi { child };
        let deadline = Instant::now() + Duration::from_secs(20);
        while !system.has_owner("org.freedesktop.Avahi") {
            if let Ok(Some(status)) = avahi.child.try_wait() {
                panic!("avahi-daemon exited with {status} (is another avahi-daemon running here?)");
            }
            assert!(
                Instant::now() < deadline,
                "avahi-daemon never took its name"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        avahi
    }

    fn stop(&mut self) {
        terminate(&mut self.child);
    }
}

impl Drop for Avahi {
    fn drop(&mut self) {
        self.stop();
    }
}

/// SIGTERM, then waits: the process says goodbye as it would under
/// systemd.
fn terminate(child: &mut Child) {
    if child.try_wait().is_ok_and(|s| s.is_none()) {
        // SAFETY: a plain signal to our own child.
        unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    }
    let _ = child.wait();
}

/// What Avahi's browser resolves of `_http._tcp`, one parsable line per
/// service: `=;IFACE;PROTO;NAME;TYPE;DOMAIN;HOST;ADDRESS;PORT;TXT`.
fn browse(system: &PrivateBus) -> Vec<String> {
    let out = Command::new("avahi-browse")
        .args(["--resolve", "--parsable", "--terminate", "_http._tcp"])
        .env("DBUS_SYSTEM_BUS_ADDRESS", &system.address)
        .output()
        .expect("avahi-browse runs");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.starts_with('='))
        .map(str::to_string)
        .collect()
}

/// Browses until `wanted` holds of the resolved lines, or 30 s.
fn browse_until(
    system: &PrivateBus,
    what: &str,
    wanted: impl Fn(&[String]) -> bool,
) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let lines = browse(system);
        if wanted(&lines) {
            return lines;
        }
        assert!(Instant::now() < deadline, "{what}; Avahi lists: {lines:?}");
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .unwrap()
        .trim()
        .to_ascii_lowercase()
}

/// Avahi's browser escapes a space in a name as `\032`.
fn announced(lines: &[String], name: &str, port: u16) -> bool {
    let escaped = name.replace(' ', "\\032");
    lines.iter().any(|line| {
        let fields: Vec<&str> = line.split(';').collect();
        fields.get(3) == Some(&escaped.as_str())
            && fields.get(8) == Some(&port.to_string().as_str())
            && fields.get(9).is_some_and(|txt| txt.contains("\"path=/\""))
    })
}

#[test]
fn the_remote_is_announced_while_treadcued_runs_and_found_again_after_avahi_restarts() {
    require("avahi-daemon", "avahi-daemon");
    require("avahi-browse", "avahi-utils");
    let system_config = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(system_config.path(), OPEN_SYSTEM_BUS).unwrap();
    let system = PrivateBus::start(Some(system_config.path()));
    let mut avahi = Avahi::start(&system);
    let bus = PrivateBus::start(None);
    let port = free_port();
    let listen = format!("0.0.0.0:{port}");
    let mut daemon =
        Daemon::start_on_null_device_with_system_bus(&bus, &system, &["--web", &listen]);
    let name = format!("treadcue on {}", hostname());

    browse_until(&system, "the remote was never announced", |l| {
        announced(l, &name, port)
    });

    // Avahi restarts (an upgrade, a crash): the announcement comes back.
    avahi.stop();
    let mut avahi = Avahi::start(&system);
    browse_until(
        &system,
        "the remote was not announced again after Avahi restarted",
        |l| announced(l, &name, port),
    );

    // treadcued stops: the phone's list no longer offers it.
    terminate(&mut daemon.child);
    browse_until(
        &system,
        "the remote was still announced after treadcued stopped",
        |l| !announced(l, &name, port),
    );
    avahi.stop();
}

#[test]
fn a_remote_told_not_to_advertise_or_on_loopback_gives_avahi_nothing() {
    require("avahi-daemon", "avahi-daemon");
    let system_config = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(system_config.path(), OPEN_SYSTEM_BUS).unwrap();
    let system = PrivateBus::start(Some(system_config.path()));
    // No Avahi on this bus: a daemon that tried would log that it could
    // not announce; one that must not try logs nothing of it.
    for extra in [
        ["--web", "0.0.0.0:0", "--web-advertise", "false"],
        ["--web", "127.0.0.1:0", "--log-level", "debug"],
    ] {
        let bus = PrivateBus::start(None);
        let mut extra = extra.to_vec();
        let port = free_port().to_string();
        let listen = extra[1].replace(":0", &format!(":{port}"));
        extra[1] = &listen;
        let mut daemon = Daemon::start_on_null_device_with_system_bus(&bus, &system, &extra);
        // The web remote answers: the announcement, had there been one,
        // was started before it.
        let url = format!("http://127.0.0.1:{port}/");
        let fetched = Command::new("curl")
            .args(["-sf", "-o", "/dev/null", &url])
            .status();
        assert!(
            fetched.is_ok_and(|s| s.success()),
            "the remote did not answer at {url}"
        );
        terminate(&mut daemon.child);
        let log = daemon.stderr();
        assert!(!log.contains("announced"), "{log}");
    }
}

/// The half-block QR code `treadcuectl web` drew, as a plain PBM image
/// (each module 6 pixels): drawn halves are light, as on a dark terminal.
fn terminal_code_to_pbm(text: &str, path: &Path) {
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| !l.is_empty() && l.chars().all(|c| matches!(c, '█' | '▀' | '▄' | ' ')))
        .collect();
    assert!(rows.len() > 10, "no QR code in:\n{text}");
    let mut modules: Vec<Vec<bool>> = Vec::new();
    for row in rows {
        let top = row.chars().map(|c| matches!(c, '█' | '▀')).collect();
        let bottom = row.chars().map(|c| matches!(c, '█' | '▄')).collect();
        modules.push(top);
        modules.push(bottom);
    }
    let scale = 6;
    let width = modules[0].len() * scale;
    let mut pbm = format!("P1\n{width} {}\n", modules.len() * scale);
    for row in &modules {
        let line: String = row
            .iter()
            .flat_map(|light| std::iter::repeat_n(if *light { "0 " } else { "1 " }, scale))
            .collect();
        for _ in 0..scale {
            pbm += &line;
            pbm += "\n";
        }
    }
    std::fs::write(path, pbm).unwrap();
}

#[test]
fn treadcuectl_web_prints_the_addresses_and_a_code_a_camera_reads() {
    require("zbarimg", "zbar-tools");
    let bus = PrivateBus::start(None);
    let port = free_port();
    let listen = format!("0.0.0.0:{port}");
    let _daemon =
        Daemon::start_on_null_device(&bus, &["--web", &listen, "--web-advertise", "false"]);
    let out = bus.ctl(&["web"]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let urls: Vec<&str> = text.lines().filter(|l| l.starts_with("http://")).collect();
    assert_eq!(
        urls[0],
        format!("http://{}.local:{port}/", hostname()),
        "{text}"
    );
    let by_address = urls
        .iter()
        .find(|u| !u.contains(".local:"))
        .unwrap_or_else(|| panic!("no address among {urls:?}"));
    assert!(!by_address.contains("127.0.0.1"), "{text}");

    let image = bus.dir().join("code.pbm");
    terminal_code_to_pbm(&text, &image);
    let read = Command::new("zbarimg")
        .args(["--quiet", "--raw"])
        .arg(&image)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&read.stdout).trim(),
        *by_address,
        "zbarimg: {}",
        String::from_utf8_lossy(&read.stderr)
    );

    // The page's code for a second phone: an image of the address the
    // page was opened at, and only for this machine's own names.
    let qr_url = format!("http://127.0.0.1:{port}/qr.svg");
    let image = Command::new("curl")
        .args(["-s", "-w", "\n%{http_code} %{content_type}", &qr_url])
        .output()
        .unwrap();
    let image = String::from_utf8_lossy(&image.stdout).into_owned();
    assert!(image.contains("<svg"), "{image}");
    assert!(image.ends_with("200 image/svg+xml"), "{image}");
    let foreign = Command::new("curl")
        .args([
            "-s",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "-H",
            "Host: evil.example",
        ])
        .arg(&qr_url)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&foreign.stdout), "421");

    // --no-qr: the addresses alone, for scripts.
    let plain = bus.ctl(&["web", "address", "--no-qr"]);
    assert_eq!(
        String::from_utf8_lossy(&plain.stdout).lines().count(),
        urls.len()
    );
}

#[test]
fn with_the_remote_off_treadcuectl_web_says_how_to_turn_it_on() {
    let bus = PrivateBus::start(None);
    let _daemon = Daemon::start_on_null_device(&bus, &[]);
    let out = bus.ctl(&["web"]);
    assert!(!out.status.success());
    let error = String::from_utf8_lossy(&out.stderr);
    assert!(error.contains("[web] listen"), "{error}");
}
