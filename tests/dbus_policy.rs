//! The system-bus policy, loaded into a private bus run like the system
//! bus: treadcue's user owns the name, anyone reads, only the treadcue
//! group controls.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const NAME: &str = "io.github.treadcue.Treadcue1";
const PATH: &str = "/io/github/treadcue/Treadcue1";

fn require_user(name: &str) {
    let known = Command::new("id")
        .arg(name)
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        known,
        "the user {name} is missing: scripts/setup --test creates treadcue and treadcue-member"
    );
}

/// A bus configured as Debian configures the system bus (deny by default),
/// with treadcue's policy file included.
fn system_like_config(dir: &Path) -> std::path::PathBuf {
    let policy = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("dbus/system.d/io.github.treadcue.Treadcue1.conf");
    let config = format!(
        r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path={dir}/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Properties"/>
  </policy>
  <include>{policy}</include>
</busconfig>
"#,
        dir = dir.display(),
        policy = policy.display()
    );
    let path = dir.join("system.conf");
    std::fs::write(&path, config).unwrap();
    path
}

/// Kills a child when the test ends, passed or failed.
struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        // SIGTERM first: runuser passes it on to the program it runs,
        // which SIGKILL on runuser itself would leave behind.
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline && self.0.try_wait().is_ok_and(|s| s.is_none()) {
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn busctl_as(user: &str, address: &str, args: &[&str]) -> (bool, String) {
    let out = Command::new("runuser")
        .args(["-u", user, "--", "busctl", &format!("--address={address}")])
        .args(args)
        .output()
        .expect("runuser runs");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn outsiders_read_and_only_the_treadcue_group_controls() {
    require_user("treadcue");
    require_user("treadcue-member");
    let dir = tempfile::tempdir().unwrap();
    // The bus socket and treadcued's cache must be reachable by other users.
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let config = system_like_config(dir.path());
    let _bus = Killed(
        Command::new("dbus-daemon")
            .args([
                &format!("--config-file={}", config.display()),
                "--nofork",
                "--nopidfile",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon starts"),
    );
    let address = format!("unix:path={}/bus", dir.path().display());
    let deadline = Instant::now() + Duration::from_secs(10);
    while !dir.path().join("bus").exists() {
        assert!(Instant::now() < deadline, "the bus did not come up");
        std::thread::sleep(Duration::from_millis(20));
    }

    // Nobody but the treadcue user may own the name.
    let out = Command::new("runuser")
        .args([
            "-u",
            "nobody",
            "--",
            env!("CARGO_BIN_EXE_treadcued"),
            "--bus-address",
            &address,
        ])
        .env("XDG_CACHE_HOME", dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success(), "nobody must not own {NAME}");

    let mut daemon = Killed(
        Command::new("runuser")
            .args([
                "-u",
                "treadcue",
                "--",
                env!("CARGO_BIN_EXE_treadcued"),
                "--bus-address",
                &address,
            ])
            .env("XDG_CACHE_HOME", dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while !busctl_as(
        "nobody",
        &address,
        &["get-property", NAME, PATH, NAME, "State"],
    )
    .0
    {
        assert!(daemon.0.try_wait().unwrap().is_none(), "treadcued exited");
        assert!(Instant::now() < deadline, "treadcued never answered");
        std::thread::sleep(Duration::from_millis(50));
    }

    // An outsider reads properties and lists programs...
    let (ok, out) = busctl_as(
        "nobody",
        &address,
        &["get-property", NAME, PATH, NAME, "State"],
    );
    assert!(ok && out.contains("\"idle\""), "{out}");
    let (ok, out) = busctl_as(
        "nobody",
        &address,
        &["call", NAME, PATH, NAME, "ListPrograms"],
    );
    assert!(ok && out.contains("retro-first-steps"), "{out}");
    // ...but cannot control the session.
    for control in [
        vec!["Pause"],
        vec!["Start", "s", "demo"],
        vec!["Say", "s", "hello"],
    ] {
        let mut args = vec!["call", NAME, PATH, NAME];
        args.extend(control.iter().copied());
        let (ok, out) = busctl_as("nobody", &address, &args);
        assert!(
            !ok && out.contains("Access denied"),
            "nobody may not {control:?}: {out}"
        );
    }
    let (ok, out) = busctl_as(
        "nobody",
        &address,
        &["set-property", NAME, PATH, NAME, "Volume", "d", "0.1"],
    );
    assert!(!ok && out.contains("Access denied"), "{out}");
    // Courses may be listed; following one, or pairing a phone with the
    // web remote, is for the group alone.
    let (ok, out) = busctl_as(
        "nobody",
        &address,
        &["call", NAME, PATH, NAME, "ListCourses"],
    );
    assert!(ok && out.contains("from-zero"), "{out}");
    let web = "io.github.treadcue.Treadcue1.Web";
    for (interface, call) in [
        (NAME, vec!["Enrol", "s", "from-zero"]),
        (web, vec!["PairingCode"]),
        (web, vec!["Forget", "s", ""]),
    ] {
        let mut args = vec!["call", NAME, PATH, interface];
        args.extend(call.iter().copied());
        let (ok, out) = busctl_as("nobody", &address, &args);
        assert!(
            !ok && out.contains("Access denied"),
            "nobody may not {call:?}: {out}"
        );
    }
    let (ok, out) = busctl_as(
        "treadcue-member",
        &address,
        &["call", NAME, PATH, web, "PairingCode"],
    );
    assert!(ok && out.trim().len() == "s \"123456\"".len(), "{out}");

    // A member of the group reaches the daemon: Pause with no session is
    // the daemon's own answer, not the bus's refusal.
    let (ok, out) = busctl_as(
        "treadcue-member",
        &address,
        &["call", NAME, PATH, NAME, "Pause"],
    );
    assert!(!ok && out.contains("no session is running"), "{out}");
    let (ok, out) = busctl_as(
        "treadcue-member",
        &address,
        &["set-property", NAME, PATH, NAME, "Volume", "d", "0.4"],
    );
    assert!(ok, "{out}");
}
