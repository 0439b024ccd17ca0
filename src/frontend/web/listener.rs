//! The web remote's listener: what a client on the same network can hold.
//!
//! - At most [`MAX_CONNECTIONS`] connections are open at once (more wait
//!   for a free place, so the daemon keeps file descriptors for the
//!   history and the checkpoint), and at most [`MAX_PER_ADDRESS`] from one
//!   address: more from it are closed at once, so one flooding machine
//!   cannot take the places a phone needs.
//! - A request must arrive whole within [`REQUEST_DEADLINE`] of its first
//!   byte (the server writing nothing meanwhile): a client sending its
//!   headers a byte a second is closed.
//! - A connection on which nothing moves for [`IDLE_LIMIT`] is closed, and
//!   so is one whose writes wait for [`WRITE_STALL`]: an event stream
//!   whose client stopped reading has fallen behind. The send buffer is
//!   kept small so that a client that never reads is found out soon.

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::{Instant, Sleep};

/// Most connections open at once: the event streams' bound and room for
/// every other call beside them.
pub const MAX_CONNECTIONS: usize = 256;
/// Most connections open at once from one address: a phone's browser
/// opens six or so.
pub const MAX_PER_ADDRESS: usize = 24;
/// A connection on which nothing is read or written for this long is
/// closed. Event streams send a keep-alive more often than this.
pub const IDLE_LIMIT: Duration = Duration::from_secs(20);
/// From a request's first byte, how long the client has to send the rest
/// before the server answers.
pub const REQUEST_DEADLINE: Duration = Duration::from_secs(10);
/// How long a write may wait for the client to read.
pub const WRITE_STALL: Duration = Duration::from_secs(10);
/// The kernel's send buffer for a connection (it doubles it): a client
/// that never reads fills it after a few dozen events.
const SEND_BUFFER: usize = 16 * 1024;

/// Open connections per address, shared by the listener and the
/// connections, which give their count back when they close.
#[derive(Clone, Default)]
struct PerAddress(Arc<Mutex<HashMap<IpAddr, usize>>>);

impl PerAddress {
    /// Counts one more from `address`, unless it has its most open.
    fn take(&self, address: IpAddr) -> Option<AddressPlace> {
        let mut open = crate::sync::lock(&self.0);
        let count = open.entry(address).or_default();
        if *count >= MAX_PER_ADDRESS {
            return None;
        }
        *count += 1;
        Some(AddressPlace {
            address,
            open: self.clone(),
        })
    }
}

/// One connection's count against its address.
struct AddressPlace {
    address: IpAddr,
    open: PerAddress,
}

impl Drop for AddressPlace {
    fn drop(&mut self) {
        let mut open = crate::sync::lock(&self.open.0);
        if let Some(count) = open.get_mut(&self.address) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.address);
            }
        }
    }
}

/// Who is at the other end of a connection, for the handlers.
#[derive(Clone, Copy, Debug)]
pub struct Peer(pub SocketAddr);

impl axum::extract::connect_info::Connected<axum::serve::IncomingStream<'_, Bounded>> for Peer {
    fn connect_info(stream: axum::serve::IncomingStream<'_, Bounded>) -> Peer {
        Peer(*stream.remote_addr())
    }
}

pub struct Bounded {
    listener: TcpListener,
    places: Arc<Semaphore>,
    per_address: PerAddress,
    refusals: super::rate_log::RateLog,
}

impl Bounded {
    pub fn new(listener: TcpListener) -> Bounded {
        Bounded {
            listener,
            places: Arc::new(Semaphore::new(MAX_CONNECTIONS)),
            per_address: PerAddress::default(),
            refusals: super::rate_log::RateLog::new(
                "connections closed at once: too many open from",
            ),
        }
    }
}

/// Where a connection stands against its deadlines.
enum Phase {
    /// Between requests: only the idle limit counts.
    Waiting,
    /// A request's bytes are coming in: it must be whole when this ends.
    Reading(Pin<Box<Sleep>>),
}

/// A connection holding its places until it closes.
pub struct Counted {
    stream: TcpStream,
    _place: OwnedSemaphorePermit,
    _address: AddressPlace,
    idle: Pin<Box<Sleep>>,
    phase: Phase,
    /// Set while a write waits for the client.
    stalled: Option<Pin<Box<Sleep>>>,
}

impl Counted {
    /// Something moved: the idle limit counts from now.
    fn moved(&mut self) {
        self.idle.as_mut().reset(Instant::now() + IDLE_LIMIT);
    }

    /// With the stream waiting to be read: an error once it has waited too
    /// long, or the request it is in the middle of is overdue.
    fn read_waited(&mut self, cx: &mut Context<'_>) -> Poll<io::Error> {
        if let Phase::Reading(deadline) = &mut self.phase
            && deadline.as_mut().poll(cx).is_ready()
        {
            return Poll::Ready(overdue());
        }
        self.idle_waited(cx)
    }

    /// Whether the request being read is past its deadline.
    fn is_overdue(&self) -> bool {
        matches!(&self.phase, Phase::Reading(deadline) if deadline.is_elapsed())
    }

    fn idle_waited(&mut self, cx: &mut Context<'_>) -> Poll<io::Error> {
        match self.idle.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(timed_out("nothing moved on the connection")),
            Poll::Pending => Poll::Pending,
        }
    }

    /// With a write waiting for the client to read: an error once it has
    /// waited [`WRITE_STALL`].
    fn write_waited(&mut self, cx: &mut Context<'_>) -> Poll<io::Error> {
        let stall = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(WRITE_STALL)));
        if stall.as_mut().poll(cx).is_ready() {
            return Poll::Ready(timed_out("the client stopped reading"));
        }
        self.idle_waited(cx)
    }
}

fn overdue() -> io::Error {
    timed_out("the request did not arrive in time")
}

fn timed_out(why: &str) -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, why.to_string())
}

impl axum::serve::Listener for Bounded {
    type Io = Counted;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Counted, SocketAddr) {
        // The semaphore is never closed: a place always comes.
        let place = loop {
            if let Ok(place) = self.places.clone().acquire_owned().await {
                break place;
            }
        };
        loop {
            let (stream, address) = match self.listener.accept().await {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of descriptors, or a connection reset before it
                    // was taken: wait a moment rather than spin.
                    tracing::warn!("web: cannot accept a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            };
            let Some(counted) = self.per_address.take(address.ip()) else {
                // Dropped: closed at once.
                self.refusals.note(&address.ip().to_string());
                continue;
            };
            let _ = stream.set_nodelay(true);
            let _ = socket2::SockRef::from(&stream).set_send_buffer_size(SEND_BUFFER);
            let connection = Counted {
                stream,
                _place: place,
                _address: counted,
                idle: Box::pin(tokio::time::sleep(IDLE_LIMIT)),
                phase: Phase::Waiting,
                stalled: None,
            };
            return (connection, address);
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }
}

impl AsyncRead for Counted {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        match Pin::new(&mut self.stream).poll_read(cx, buf) {
            Poll::Ready(Ok(())) if buf.filled().len() > before => {
                if self.is_overdue() {
                    return Poll::Ready(Err(overdue()));
                }
                self.moved();
                if matches!(self.phase, Phase::Waiting) {
                    self.phase = Phase::Reading(Box::pin(tokio::time::sleep(REQUEST_DEADLINE)));
                }
                Poll::Ready(Ok(()))
            }
            Poll::Pending => self.read_waited(cx).map(Err),
            other => other,
        }
    }
}

impl AsyncWrite for Counted {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match Pin::new(&mut self.stream).poll_write(cx, buf) {
            Poll::Ready(Ok(n)) if n > 0 => {
                // An answer: the request was whole.
                self.moved();
                self.phase = Phase::Waiting;
                self.stalled = None;
                Poll::Ready(Ok(n))
            }
            Poll::Pending => self.write_waited(cx).map(Err),
            other => other,
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}
