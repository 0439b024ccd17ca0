//! The web remote's client in the tests: curl with a cookie jar, as a
//! phone keeps its pairing, against a treadcued serving the remote.

use std::process::{Command, Output};

use super::bus::{Daemon, PrivateBus};
use super::pulse::PulseServer;

pub struct Remote {
    pub _pulse: PulseServer,
    pub bus: PrivateBus,
    pub daemon: Daemon,
    pub base: String,
    pub jar: tempfile::NamedTempFile,
}

impl Drop for Remote {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("treadcued said:\n{}", self.daemon.stderr());
        }
    }
}

pub fn remote() -> Remote {
    remote_with(&[])
}

/// The same with more of treadcued's arguments.
pub fn remote_with(extra: &[&str]) -> Remote {
    super::require("curl", "curl");
    let pulse = PulseServer::start();
    let bus = PrivateBus::start(None);
    let listen = format!("127.0.0.1:{}", super::free_port());
    let mut args = vec!["--web", listen.as_str()];
    args.extend_from_slice(extra);
    let daemon = Daemon::start(&bus, &pulse.address(), &args);
    Remote {
        _pulse: pulse,
        bus,
        daemon,
        base: format!("http://{listen}"),
        jar: tempfile::NamedTempFile::new().unwrap(),
    }
}

impl Remote {
    /// curl with the cookie jar: the status code and the body.
    pub fn curl(
        &self,
        method: &str,
        path: &str,
        body: Option<&str>,
        extra: &[&str],
    ) -> (u16, String) {
        let jar = self.jar.path().to_str().unwrap();
        let mut command = Command::new("curl");
        command
            .args(["-s", "-o", "-", "-w", "\n%{http_code}", "-X", method])
            .args(["-b", jar, "-c", jar])
            .args(extra);
        if let Some(body) = body {
            command.args([
                "-H",
                "Content-Type: application/json",
                "--data-binary",
                body,
            ]);
        }
        let out: Output = command
            .arg(format!("{}{path}", self.base))
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let (body, code) = text.rsplit_once('\n').unwrap();
        (code.parse().unwrap(), body.to_string())
    }

    pub fn json(&self, method: &str, path: &str, body: Option<&str>) -> (u16, serde_json::Value) {
        let (code, text) = self.curl(method, path, body, &[]);
        (
            code,
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}")),
        )
    }

    pub fn pair(&self) {
        let code = self.pairing_code();
        let (status, reply) = self.json(
            "POST",
            "/api/pair",
            Some(&format!("{{\"code\": \"{code}\"}}")),
        );
        assert_eq!(status, 200, "{reply}");
    }

    pub fn pairing_code(&self) -> String {
        let out = self.bus.ctl(&["web", "pair"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// The paired phone's token, from the cookie jar.
    pub fn token(&self) -> String {
        std::fs::read_to_string(self.jar.path())
            .unwrap()
            .lines()
            .find(|l| l.contains("treadcue_token"))
            .and_then(|l| l.split_whitespace().last())
            .expect("a paired phone's cookie")
            .to_string()
    }

    /// `count` event streams, asked for and never read, from addresses
    /// 127.0.1.x, 16 from each (one address may hold only so many).
    pub fn stalled_streams(&self, count: usize) -> Vec<std::net::TcpStream> {
        use std::io::Write;
        let address = self.base.trim_start_matches("http://");
        let request = format!(
            "GET /api/events HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {}\r\n\r\n",
            self.token()
        );
        (0..count)
            .map(|i| {
                let source = format!("127.0.1.{}", i / 16 + 1);
                let mut stream = connect_from(&source, address).unwrap();
                stream.write_all(request.as_bytes()).unwrap();
                stream
            })
            .collect()
    }

    pub fn dbus_state(&self) -> String {
        self.bus.status()["state"].as_str().unwrap().to_string()
    }
}

/// A TCP connection to `to` from the local address `source` (any of
/// 127.0.0.0/8 on Linux): clients on several machines, as the server
/// sees them.
pub fn connect_from(source: &str, to: &str) -> std::io::Result<std::net::TcpStream> {
    use socket2::{Domain, Socket, Type};
    let to: std::net::SocketAddr = to.parse().expect("an address and port");
    let from: std::net::SocketAddr = format!("{source}:0").parse().expect("an address");
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    socket.bind(&from.into())?;
    socket.connect(&to.into())?;
    Ok(socket.into())
}

/// Sends a request's headers on every one of `streams` a byte a second,
/// never finishing them, until `stop` is set: a slow-headers attack.
pub fn trickle_headers(
    mut streams: Vec<std::net::TcpStream>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
) {
    use std::io::Write;
    let request =
        b"GET /api/status HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    for byte in request {
        if stop.load(std::sync::atomic::Ordering::SeqCst) {
            return;
        }
        for stream in &mut streams {
            let _ = stream.write_all(&[*byte]);
        }
        std::thread::sleep(std::time::Duration::from_secs(1));
    }
}

/// Keeps 400 idle connections to `to` open from `source`, opening a new
/// one for each the server closes, until `stop` is set; how many it
/// opened in all.
pub fn idle_flood(
    source: &str,
    to: &str,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> usize {
    let mut open: Vec<std::net::TcpStream> = Vec::new();
    let mut opened = 0;
    while !stop.load(std::sync::atomic::Ordering::SeqCst) {
        open.retain(|s| {
            let _ = s.set_nonblocking(true);
            let mut byte = [0u8; 1];
            match s.peek(&mut byte) {
                Ok(0) => false,
                Ok(_) => true,
                Err(e) => e.kind() == std::io::ErrorKind::WouldBlock,
            }
        });
        while open.len() < 400 {
            match connect_from(source, to) {
                Ok(s) => open.push(s),
                Err(_) => break,
            }
            opened += 1;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    opened
}
