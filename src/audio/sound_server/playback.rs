//! A playback stream straight to the sound server, on its own thread.
//! Given a sink by name it stays there: when that sink goes (headphones
//! off) the stream ends, which the output takes as a lost device, and it
//! is opened again on the same sink when the sink is back, not left on
//! whatever sink the server would have moved it to.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use libpulse_binding as pulse;
use pulse::def::BufferAttr;
use pulse::sample::{Format, Spec};
use pulse::stream::{FlagSet as StreamFlags, SeekMode, State as StreamState, Stream};

use super::{ANSWER_TIMEOUT, Connection, ServerError};

#[derive(Debug, Clone)]
pub struct PlaybackOptions {
    /// The sink to stay on; `None` follows the server's default sink.
    pub sink: Option<String>,
    pub rate: u32,
    /// How much the server asks for at a time: the stream holds about
    /// four of them.
    pub period: Duration,
}

/// The running stream; dropping it closes the stream.
pub struct Playback {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// What fills the stream: mono samples at the stream's rate.
pub type Fill = Box<dyn FnMut(&mut [f32]) + Send>;
/// Told once, with the reason, when the stream or the server goes away.
pub type OnLost = Box<dyn FnOnce(String) + Send>;

impl Playback {
    pub fn open(
        options: PlaybackOptions,
        fill: Fill,
        on_lost: OnLost,
    ) -> Result<Playback, ServerError> {
        let stop = Arc::new(AtomicBool::new(false));
        let (ready, opened) = mpsc::channel();
        let thread_stop = stop.clone();
        let thread = std::thread::Builder::new()
            .name("treadcue-pulse".into())
            .spawn(move || play(options, fill, on_lost, &thread_stop, ready))
            .map_err(|e| ServerError::Unreachable(e.to_string()))?;
        let gone = || ServerError::Gone("the playback thread stopped".into());
        let Ok(opened) = opened.recv_timeout(ANSWER_TIMEOUT * 2) else {
            // A thread still opening stops as soon as it is open.
            stop.store(true, Ordering::SeqCst);
            return Err(gone());
        };
        opened?;
        Ok(Playback {
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for Playback {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The stream's thread: opens, reports, then feeds it until told to stop
/// or it fails.
fn play(
    options: PlaybackOptions,
    mut fill: Fill,
    on_lost: OnLost,
    stop: &AtomicBool,
    ready: mpsc::Sender<Result<(), ServerError>>,
) {
    let (mut connection, mut stream) = match open_stream(&options) {
        Ok(opened) => opened,
        Err(e) => {
            let _ = ready.send(Err(e));
            return;
        }
    };
    let _ = ready.send(Ok(()));
    let mut samples = Vec::new();
    let mut bytes = Vec::new();
    let mut started = false;
    while !stop.load(Ordering::SeqCst) {
        let fed = connection
            .iterate(Duration::from_millis(50))
            .and_then(|()| feed(&mut stream, &mut fill, &mut samples, &mut bytes));
        if let Err(e) = fed {
            on_lost(e.to_string());
            return;
        }
        if !started && stream.get_state() == StreamState::Ready {
            // An idle sink may be asleep for its longest latency: start
            // now, not when it next wakes.
            drop(stream.trigger(None));
            started = true;
        }
    }
    let _ = stream.disconnect();
}

/// Writes as much as the server asks for.
fn feed(
    stream: &mut Stream,
    fill: &mut Fill,
    samples: &mut Vec<f32>,
    bytes: &mut Vec<u8>,
) -> Result<(), ServerError> {
    match stream.get_state() {
        StreamState::Ready => {}
        StreamState::Failed | StreamState::Terminated => {
            return Err(ServerError::StreamEnded(
                "the sink went away, or the server ended the stream".into(),
            ));
        }
        _ => return Ok(()),
    }
    // The server asks once for all it lacks: give it all of it, or it
    // waits (a fresh stream does not start before its buffer is full).
    loop {
        let wanted = stream.writable_size().unwrap_or(0) / 4;
        if wanted == 0 {
            return Ok(());
        }
        samples.resize(wanted, 0.0);
        fill(samples);
        bytes.clear();
        bytes.extend(samples.iter().flat_map(|s| s.to_le_bytes()));
        stream
            .write_copy(bytes, 0, SeekMode::Relative)
            .map_err(|e| ServerError::Gone(e.to_string().unwrap_or_default()))?;
    }
}

fn open_stream(options: &PlaybackOptions) -> Result<(Connection, Stream), ServerError> {
    let mut connection = Connection::open("cues")?;
    let spec = Spec {
        format: Format::F32le,
        channels: 1,
        rate: options.rate,
    };
    let unreachable = |what: String| ServerError::Unreachable(what);
    let mut stream = Stream::new(&mut connection.context, "treadcue cues", &spec, None)
        .ok_or_else(|| unreachable("the server refused a stream".into()))?;
    let period_bytes = (f64::from(options.rate) * options.period.as_secs_f64()) as u32 * 4;
    let attr = BufferAttr {
        maxlength: u32::MAX,
        tlength: period_bytes * 4,
        // Start as soon as one period is there.
        prebuf: period_bytes,
        minreq: period_bytes,
        fragsize: u32::MAX,
    };
    // A named sink is kept: when it goes, the stream ends rather than
    // moving to the laptop's speaker.
    let mut flags = StreamFlags::ADJUST_LATENCY;
    if options.sink.is_some() {
        flags |= StreamFlags::DONT_MOVE;
    }
    stream
        .connect_playback(options.sink.as_deref(), Some(&attr), flags, None, None)
        .map_err(|e| unreachable(e.to_string().unwrap_or_default()))?;
    let deadline = Instant::now() + ANSWER_TIMEOUT;
    loop {
        match stream.get_state() {
            StreamState::Ready => return Ok((connection, stream)),
            StreamState::Failed | StreamState::Terminated => {
                let why = connection.context.errno().to_string().unwrap_or_default();
                let sink = options.sink.as_deref().unwrap_or("the default sink");
                return Err(unreachable(format!("cannot play to {sink}: {why}")));
            }
            _ => {}
        }
        if Instant::now() >= deadline {
            return Err(ServerError::Timeout(ANSWER_TIMEOUT));
        }
        connection.iterate(Duration::from_millis(50))?;
    }
}
