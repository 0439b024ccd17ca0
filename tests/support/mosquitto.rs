//! A private mosquitto broker on a port of 127.0.0.1, and mosquitto's own
//! clients (`mosquitto_sub`, `mosquitto_pub`) as the other side: what a
//! dashboard sees and what a front desk sends.

use super::{free_port, require};
use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long a test waits for a message that should come.
pub const WAIT: Duration = Duration::from_secs(20);

pub struct Mosquitto {
    dir: tempfile::TempDir,
    child: Option<Child>,
    pub port: u16,
    /// Options mosquitto_sub and mosquitto_pub need (TLS, credentials).
    pub client_args: Vec<String>,
}

impl Mosquitto {
    /// A broker anyone on 127.0.0.1 may use.
    pub fn start() -> Mosquitto {
        Mosquitto::start_with("allow_anonymous true\n", &[])
    }

    /// A broker whose listener has `settings` besides its port.
    pub fn start_with(settings: &str, client_args: &[&str]) -> Mosquitto {
        require("mosquitto", "mosquitto");
        require("mosquitto_sub", "mosquitto-clients");
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let config = format!(
            "per_listener_settings false\npersistence false\nlog_dest stderr\nlistener {port} 127.0.0.1\n{settings}"
        );
        std::fs::write(dir.path().join("mosquitto.conf"), config).unwrap();
        let mut broker = Mosquitto {
            dir,
            child: None,
            port,
            client_args: client_args.iter().map(|s| s.to_string()).collect(),
        };
        broker.launch();
        broker
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn url(&self) -> String {
        format!("mqtt://127.0.0.1:{}", self.port)
    }

    fn launch(&mut self) {
        let log = std::fs::File::create(self.dir().join("mosquitto.log")).unwrap();
        let child = Command::new("mosquitto")
            .arg("-c")
            .arg(self.dir().join("mosquitto.conf"))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("mosquitto starts");
        self.child = Some(child);
        let deadline = Instant::now() + WAIT;
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            if let Some(Ok(Some(status))) = self.child.as_mut().map(Child::try_wait) {
                panic!("mosquitto exited with {status}: {}", self.log());
            }
            assert!(Instant::now() < deadline, "mosquitto never listened");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir().join("mosquitto.log")).unwrap_or_default()
    }

    /// Kills the broker at once, as a crash or a pulled plug would.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port, with nothing retained.
    pub fn restart(&mut self) {
        self.kill();
        self.launch();
    }

    /// Publishes `payload` on `topic`, as `mosquitto_pub` does.
    pub fn publish(&self, topic: &str, payload: &[u8], retain: bool) {
        let file = self.dir().join("payload");
        std::fs::write(&file, payload).unwrap();
        let mut command = Command::new("mosquitto_pub");
        command
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "-t", topic])
            .args(&self.client_args)
            .arg("-f")
            .arg(&file);
        if retain {
            command.arg("-r");
        }
        let out = command.output().unwrap();
        assert!(out.status.success(), "mosquitto_pub: {out:?}");
    }

    /// A subscriber to `filter` from now on.
    pub fn watch(&self, filter: &str) -> Watch {
        Watch::start(self, filter)
    }
}

impl Drop for Mosquitto {
    fn drop(&mut self) {
        self.kill();
    }
}

/// One message as a subscriber got it.
#[derive(Debug, Clone)]
pub struct Message {
    pub topic: String,
    pub payload: String,
    pub retained: bool,
}

impl Message {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.payload)
            .unwrap_or_else(|e| panic!("{}: {e}: {}", self.topic, self.payload))
    }
}

/// `mosquitto_sub` on a filter, its messages read as they come.
pub struct Watch {
    child: Child,
    messages: mpsc::Receiver<Message>,
    /// Every message taken so far, in order.
    pub seen: Vec<Message>,
}

impl Watch {
    fn start(broker: &Mosquitto, filter: &str) -> Watch {
        let mut child = Command::new("mosquitto_sub")
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &broker.port.to_string(),
                "-t",
                filter,
            ])
            .args(&broker.client_args)
            // Retained flag, topic, payload; one line each.
            .args(["-F", "%r\x1f%t\x1f%p\\n"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("mosquitto_sub starts");
        let stdout = child.stdout.take().unwrap();
        let (tx, messages) = mpsc::channel();
        std::thread::spawn(move || {
            // Payloads may be any bytes: a line is read as bytes.
            for line in BufReader::new(stdout).split(b'\n').map_while(Result::ok) {
                let line = String::from_utf8_lossy(&line);
                let mut parts = line.splitn(3, '\x1f');
                let (Some(retained), Some(topic)) = (parts.next(), parts.next()) else {
                    continue;
                };
                let message = Message {
                    retained: retained == "1",
                    topic: topic.to_string(),
                    payload: parts.next().unwrap_or_default().to_string(),
                };
                if tx.send(message).is_err() {
                    return;
                }
            }
        });
        Watch {
            child,
            messages,
            seen: Vec::new(),
        }
    }

    /// Waits for a message that `wanted` accepts, taking every one before
    /// it; fails naming `what` after [`WAIT`].
    pub fn wait_for(&mut self, what: &str, wanted: impl Fn(&Message) -> bool) -> Message {
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.messages.recv_timeout(left) {
                Ok(message) => {
                    self.seen.push(message.clone());
                    if wanted(&message) {
                        return message;
                    }
                }
                Err(_) => panic!(
                    "no message {what} in {WAIT:?}; the last seen: {:#?}",
                    self.seen.iter().rev().take(8).collect::<Vec<_>>()
                ),
            }
        }
    }

    /// A message that `wanted` accepts among those taken since `mark` (a
    /// length of `seen`), or the next one it accepts.
    pub fn wait_since(
        &mut self,
        mark: usize,
        what: &str,
        wanted: impl Fn(&Message) -> bool,
    ) -> Message {
        if let Some(found) = self.seen[mark.min(self.seen.len())..]
            .iter()
            .find(|m| wanted(m))
        {
            return found.clone();
        }
        self.wait_for(what, wanted)
    }

    /// The state payload on `topic`/state that `wanted` accepts.
    pub fn wait_state(
        &mut self,
        topic: &str,
        what: &str,
        wanted: impl Fn(&serde_json::Value) -> bool,
    ) -> serde_json::Value {
        let state = format!("{topic}/state");
        self.wait_for(what, |m| m.topic == state && wanted(&m.json()))
            .json()
    }

    /// The state payload on `topic`/state that `wanted` accepts, among
    /// those taken since `mark` or yet to come: the state a command
    /// brought may come before the command's result, which takes it.
    pub fn wait_state_since(
        &mut self,
        mark: usize,
        topic: &str,
        what: &str,
        wanted: impl Fn(&serde_json::Value) -> bool,
    ) -> serde_json::Value {
        let state = format!("{topic}/state");
        self.wait_since(mark, what, |m| m.topic == state && wanted(&m.json()))
            .json()
    }

    /// The result of the next command on `topic`.
    pub fn wait_result(&mut self, topic: &str, command: &str) -> serde_json::Value {
        let result = format!("{topic}/result");
        self.wait_for(&format!("the result of {command}"), |m| {
            m.topic == result && m.json()["command"] == command
        })
        .json()
    }

    /// Takes whatever has come by now, without waiting.
    pub fn drain(&mut self) {
        while let Ok(message) = self.messages.try_recv() {
            self.seen.push(message);
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Opens `dir` and its files to every user: a broker started as root
/// drops to the user mosquitto before it reads them.
pub fn readable_by_all(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let open = |path: &Path, mode| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    };
    open(dir, 0o755);
    for entry in std::fs::read_dir(dir).unwrap() {
        open(&entry.unwrap().path(), 0o644);
    }
}

/// A test CA and a server certificate for `localhost` and 127.0.0.1,
/// made with openssl in `dir`: (ca, cert, key).
pub fn test_certificates(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    require("openssl", "openssl");
    let at = |name: &str| dir.join(name);
    let run = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(out.status.success(), "openssl {args:?}: {out:?}");
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=treadcue test CA",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
    ]);
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=localhost",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
    ]);
    std::fs::write(
        at("server.ext"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
    )
    .unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "server.ext",
        "-out",
        "server.pem",
    ]);
    // mosquitto started as root reads them as the user mosquitto.
    readable_by_all(dir);
    (at("ca.pem"), at("server.pem"), at("server.key"))
}
