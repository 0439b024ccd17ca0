//! A private PulseAudio server with a null sink, started as a plain
//! process, and `parec` recordings of what was played into it.

use super::require;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const SINK: &str = "treadcue_test";
pub const RATE: u32 = 48_000;

pub struct PulseServer {
    dir: tempfile::TempDir,
    child: Option<Child>,
}

impl PulseServer {
    pub fn start() -> PulseServer {
        require("pulseaudio", "pulseaudio");
        require("parec", "pulseaudio-utils");
        let dir = tempfile::tempdir().expect("a temporary folder");
        let mut server = PulseServer { dir, child: None };
        server.launch();
        server
    }

    pub fn address(&self) -> String {
        format!("unix:{}", self.socket().display())
    }

    fn socket(&self) -> PathBuf {
        self.dir.path().join("native")
    }

    fn launch(&mut self) {
        let _ = std::fs::remove_file(self.socket());
        let child = Command::new("pulseaudio")
            .args([
                "-n",
                "--daemonize=no",
                // A server a test process leaves behind (the shared one of
                // the live tests lives in a static) goes away by itself.
                "--exit-idle-time=60",
                "--use-pid-file=no",
                "--disallow-exit",
                "--log-target=stderr",
            ])
            .arg(format!(
                "--load=module-null-sink sink_name={SINK} rate={RATE}"
            ))
            .arg(format!(
                "--load=module-native-protocol-unix socket={} auth-anonymous=1",
                self.socket().display()
            ))
            .env("HOME", self.dir.path())
            .env("XDG_RUNTIME_DIR", self.dir.path())
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("pulseaudio starts");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.answers() {
            assert!(
                Instant::now() < deadline,
                "the private PulseAudio server did not come up"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn answers(&self) -> bool {
        Command::new("pactl")
            .args(["--server", &self.address(), "list", "short", "sinks"])
            .output()
            .is_ok_and(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).contains(SINK))
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, |c| c.id())
    }

    /// Kills the server, as if the headphones went away.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again at the same address, as if they came back.
    pub fn restart(&mut self) {
        self.kill();
        self.launch();
    }

    /// Runs `pactl` on this server and gives what it printed.
    pub fn pactl(&self, args: &[&str]) -> String {
        let out = Command::new("pactl")
            .args(["--server", &self.address()])
            .args(args)
            .output()
            .expect("pactl runs");
        assert!(
            out.status.success(),
            "pactl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Adds a null sink, as a pair of headphones; gives its module.
    pub fn add_sink(&self, name: &str, description: &str) -> String {
        self.pactl(&[
            "load-module",
            "module-null-sink",
            &format!("sink_name={name}"),
            &format!("rate={RATE}"),
            &format!("sink_properties=device.description={description}"),
        ])
        .trim()
        .to_string()
    }

    /// Plays `wav` on `sink` with `paplay`, as a music player would.
    pub fn play(&self, sink: &str, wav: &std::path::Path) -> Child {
        self.play_as(sink, wav, "music")
    }

    /// Plays `wav` on `sink` as a stream of the media role `role`.
    pub fn play_as(&self, sink: &str, wav: &std::path::Path, role: &str) -> Child {
        Command::new("paplay")
            .args(["--server", &self.address(), "-d", sink])
            .arg(format!("--property=media.role={role}"))
            .arg(format!("--property=application.name={role} player"))
            .arg(wav)
            .spawn()
            .expect("paplay starts")
    }

    /// Starts recording what is played into the sink.
    pub fn record(&self) -> Recording {
        self.record_sink(SINK)
    }

    /// Starts recording what is played into `sink`.
    pub fn record_sink(&self, sink: &str) -> Recording {
        static RECORDINGS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let count = RECORDINGS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = self
            .dir
            .path()
            .join(format!("rec-{}-{count}.raw", std::process::id()));
        let file = std::fs::File::create(&path).expect("a recording file");
        let child = Command::new("parec")
            .args([
                "--server",
                &self.address(),
                "-d",
                &format!("{sink}.monitor"),
            ])
            // Without a small latency the null sink runs about 2 s behind.
            .args([
                "--latency-msec=10",
                "--format=float32le",
                "--channels=1",
                "--raw",
            ])
            .arg(format!("--rate={RATE}"))
            .stdout(file)
            .spawn()
            .expect("parec starts");
        // Let the recorder connect before anything plays.
        std::thread::sleep(Duration::from_millis(300));
        Recording { child, path }
    }
}

impl Drop for PulseServer {
    fn drop(&mut self) {
        self.kill();
    }
}

pub struct Recording {
    child: Child,
    path: PathBuf,
}

impl Recording {
    /// Stops the recorder with SIGINT after a pause, so the tail of the
    /// recording is kept, and returns the samples.
    pub fn finish(mut self) -> Vec<f32> {
        std::thread::sleep(Duration::from_millis(300));
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
        let bytes = std::fs::read(&self.path).expect("the recording");
        bytes
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect()
    }
}
