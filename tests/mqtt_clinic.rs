//! The clinic of docs/mqtt.md, as written there: a mosquitto with
//! passwords and the documented ACL, two treadmills that log in as
//! themselves, and Home Assistant's user at the front desk. Each Pi
//! announces itself and takes commands; neither can command or read the
//! other. And a broker behind TLS with a test CA and a password file,
//! with refused credentials and an unknown CA said clearly.

mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use support::bus::{Daemon, PrivateBus};
use support::mosquitto::{Message, Mosquitto, test_certificates};
use support::pulse::PulseServer;

const ENTITIES: usize = 11 + 6 + 2;

/// The fenced block that follows `marker` in docs/mqtt.md.
fn documented_block(marker: &str) -> String {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/mqtt.md"))
        .unwrap();
    let after = &doc[doc.find(marker).expect(marker)..];
    let start = after.find("```").unwrap();
    let body = &after[start..];
    let body = &body[body.find('\n').unwrap() + 1..];
    body[..body.find("```").unwrap()].to_string()
}

fn add_user(passwords: &Path, user: &str, password: &str) {
    let mut command = std::process::Command::new("mosquitto_passwd");
    command.arg("-b");
    if !passwords.exists() {
        command.arg("-c");
    }
    let made = command
        .arg(passwords)
        .args([user, password])
        .output()
        .unwrap();
    assert!(made.status.success(), "{made:?}");
}

/// A treadmill configured as docs/mqtt.md says, logged in as `user`
/// under treadcue/`user` (the topic named, as the host names here are
/// not the Pis').
fn treadmill(
    dir: &Path,
    pulse: &PulseServer,
    broker: &Mosquitto,
    user: &str,
) -> (PrivateBus, Daemon) {
    let secret = dir.join(format!("{user}.password"));
    std::fs::write(&secret, format!("{user} secret\n")).unwrap();
    let documented = documented_block("**3. Each Pi**");
    assert!(documented.contains("[mqtt]"), "{documented}");
    let config = documented
        .replace("mqtt://desk.local:1883", &broker.url())
        .replace("\"pi-3\"", &format!("{user:?}"))
        .replace("/etc/treadcue/mqtt-password", &secret.display().to_string())
        + &format!("topic = \"treadcue/{user}\"\n");
    let path = dir.join(format!("{user}.toml"));
    std::fs::write(&path, config).unwrap();
    let bus = PrivateBus::start(None);
    let daemon = Daemon::start(
        &bus,
        &pulse.address(),
        &["--config", &path.display().to_string()],
    );
    (bus, daemon)
}

fn login(broker: &mut Mosquitto, user: &str, password: &str) {
    broker.client_args = ["-u", user, "-P", password].map(String::from).to_vec();
}

#[test]
fn the_documented_acl_lets_each_pi_reach_its_own_topics_and_no_others() {
    let dir = tempfile::tempdir().unwrap();
    let passwords = dir.path().join("passwd");
    for user in ["pi-2", "pi-3"] {
        add_user(&passwords, user, &format!("{user} secret"));
    }
    add_user(&passwords, "homeassistant", "desk secret");
    let acl = dir.path().join("acl");
    std::fs::write(&acl, documented_block("(`/etc/mosquitto/acl`)")).unwrap();
    support::mosquitto::readable_by_all(dir.path());
    let settings = format!(
        "allow_anonymous false\npassword_file {}\nacl_file {}\nlog_type all\n",
        passwords.display(),
        acl.display()
    );
    let mut broker =
        Mosquitto::start_with(&settings, &["-u", "homeassistant", "-P", "desk secret"]);
    let mut desk = broker.watch("#");
    let pulse = PulseServer::start();
    let (bus2, _pi2) = treadmill(dir.path(), &pulse, &broker, "pi-2");
    let (bus3, _pi3) = treadmill(dir.path(), &pulse, &broker, "pi-3");

    // Each Pi may say it is online and announce its entities.
    for user in ["pi-2", "pi-3"] {
        let node = format!("treadcue_{user}");
        desk.wait_for("online", |m| {
            m.topic == format!("treadcue/{user}/availability") && m.payload == "online"
        });
        let mine = |m: &Message| m.topic.split('/').nth(2) == Some(node.as_str());
        while desk.seen.iter().filter(|m| mine(m)).count() < ENTITIES {
            desk.wait_for("a discovery config", mine);
        }
    }

    // The front desk commands both.
    for user in ["pi-2", "pi-3"] {
        broker.publish(
            &format!("treadcue/{user}/cmd/start"),
            b"retro-rehab-30",
            false,
        );
        let result = desk.wait_result(&format!("treadcue/{user}"), "start");
        assert_eq!(result["ok"], true, "{result}");
    }
    assert_eq!(bus2.status()["state"], "running");
    assert_eq!(bus3.status()["state"], "running");

    // pi-3's login cannot stop pi-2: the broker drops it, and pi-2 walks on.
    login(&mut broker, "pi-3", "pi-3 secret");
    broker.publish("treadcue/pi-2/cmd/stop", b"PRESS", false);
    let deadline = std::time::Instant::now() + support::mosquitto::WAIT;
    while !broker.log().contains("Denied PUBLISH") {
        assert!(std::time::Instant::now() < deadline, "{}", broker.log());
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(
        broker.log().contains("'treadcue/pi-2/cmd/stop'"),
        "{}",
        broker.log()
    );
    login(&mut broker, "homeassistant", "desk secret");
    broker.publish("treadcue/pi-2/cmd/next", b"PRESS", false);
    desk.wait_result("treadcue/pi-2", "next");
    assert!(
        !desk
            .seen
            .iter()
            .any(|m| m.topic == "treadcue/pi-2/result" && m.payload.contains("stop")),
        "pi-2 never heard pi-3's stop"
    );
    let status = bus2.status();
    assert_eq!(status["state"], "running", "{status}");
    assert_eq!(status["step_index"], 1, "{status}");

    // pi-3's login reads its own state, not pi-2's.
    login(&mut broker, "pi-3", "pi-3 secret");
    let mut pi3 = broker.watch("treadcue/#");
    for topic in ["treadcue/pi-3/availability", "treadcue/pi-3/state"] {
        if !pi3.seen.iter().any(|m| m.topic == topic) {
            pi3.wait_for(topic, |m| m.topic == topic);
        }
    }
    assert!(
        pi3.seen
            .iter()
            .all(|m| m.topic.starts_with("treadcue/pi-3/")),
        "{:?}",
        pi3.seen
    );
}

fn is_online(topic: &str) -> impl Fn(&Message) -> bool + '_ {
    move |m| m.topic == format!("{topic}/availability") && m.payload == "online"
}

#[test]
fn tls_with_a_test_ca_and_a_password_file_and_refused_credentials_said_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let (ca, cert, key) = test_certificates(dir.path());
    let passwords = dir.path().join("passwd");
    let made = std::process::Command::new("mosquitto_passwd")
        .args(["-b", "-c"])
        .arg(&passwords)
        .args(["pi-3", "correct horse"])
        .output()
        .unwrap();
    assert!(made.status.success(), "{made:?}");
    support::mosquitto::readable_by_all(dir.path());
    let settings = format!(
        "allow_anonymous false\npassword_file {}\ncafile {}\ncertfile {}\nkeyfile {}\n",
        passwords.display(),
        ca.display(),
        cert.display(),
        key.display()
    );
    let ca_arg = ca.display().to_string();
    let broker = Mosquitto::start_with(
        &settings,
        &["--cafile", &ca_arg, "-u", "pi-3", "-P", "correct horse"],
    );
    let mut watch = broker.watch("#");
    let pulse = PulseServer::start();
    let config = |password: &str, ca_file: bool| {
        let secret = dir.path().join(format!("secret-{}", password.len()));
        std::fs::write(&secret, format!("{password}\n")).unwrap();
        let path = dir
            .path()
            .join(format!("config-{}-{ca_file}.toml", password.len()));
        let ca_line = if ca_file {
            format!("ca_file = {:?}\n", ca_arg)
        } else {
            String::new()
        };
        std::fs::write(
            &path,
            format!(
                "[mqtt]\nbroker = \"mqtts://localhost:{}\"\nusername = \"pi-3\"\npassword_file = {:?}\ntopic = \"tls/t\"\n{ca_line}",
                broker.port,
                secret.display().to_string()
            ),
        )
        .unwrap();
        path.display().to_string()
    };
    let good = config("correct horse", true);
    let bus = PrivateBus::start(None);
    let _daemon = Daemon::start(&bus, &pulse.address(), &["--config", &good]);
    watch.wait_for("online over TLS", is_online("tls/t"));
    let status = bus.status();
    assert_eq!(status["mqtt"]["connected"], true, "{status}");
    assert!(
        status["mqtt"]["status"]
            .as_str()
            .unwrap()
            .starts_with("connected to mqtts://localhost:")
    );

    for (config, why) in [
        (config("wrong", true), "user name or password is wrong"),
        (config("correct horse", false), "TLS with mqtts://localhost"),
    ] {
        let bus = PrivateBus::start(None);
        let daemon = Daemon::start(&bus, &pulse.address(), &["--config", &config]);
        let deadline = Instant::now() + support::mosquitto::WAIT;
        loop {
            let status = bus.status();
            let text = status["mqtt"]["status"].as_str().unwrap().to_string();
            if text.contains(why) {
                assert_eq!(status["mqtt"]["connected"], false);
                break;
            }
            assert!(Instant::now() < deadline, "{why}: {text}");
            std::thread::sleep(Duration::from_millis(100));
        }
        assert!(daemon.stderr().contains(why), "{}", daemon.stderr());
        // The password itself is never in the log.
        assert!(!daemon.stderr().contains("correct horse"));
    }
}
