//! The web remote's listener, with a bound on open connections and an
//! idle limit: clients that open connection after connection wait for a
//! free place instead of using up the daemon's file descriptors (which
//! the history and the checkpoint need), and a connection on which
//! nothing moves for [`IDLE_LIMIT`] is closed, so idle ones cannot hold
//! every place.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::{Instant, Sleep};

/// Most connections open at once: the event streams' bound and room for
/// every other call beside them.
pub const MAX_CONNECTIONS: usize = 256;
/// A connection on which nothing is read or written for this long is
/// closed. Event streams send a keep-alive more often than this.
pub const IDLE_LIMIT: Duration = Duration::from_secs(20);

pub struct Bounded {
    listener: TcpListener,
    places: Arc<Semaphore>,
}

impl Bounded {
    pub fn new(listener: TcpListener) -> Bounded {
        Bounded {
            listener,
            places: Arc::new(Semaphore::new(MAX_CONNECTIONS)),
        }
    }
}

/// A connection holding its place until it closes.
pub struct Counted {
    stream: TcpStream,
    _place: OwnedSemaphorePermit,
    idle: Pin<Box<Sleep>>,
}

impl Counted {
    /// Something moved: the idle limit counts from now.
    fn moved(&mut self) {
        self.idle.as_mut().reset(Instant::now() + IDLE_LIMIT);
    }

    /// With the stream waiting: an error once it has waited too long.
    fn waited(&mut self, cx: &mut Context<'_>) -> Poll<io::Error> {
        match self.idle.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(io::Error::new(
                io::ErrorKind::TimedOut,
                "nothing moved on the connection",
            )),
            Poll::Pending => Poll::Pending,
        }
    }
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
            match self.listener.accept().await {
                Ok((stream, address)) => {
                    let _ = stream.set_nodelay(true);
                    return (
                        Counted {
                            stream,
                            _place: place,
                            idle: Box::pin(tokio::time::sleep(IDLE_LIMIT)),
                        },
                        address,
                    );
                }
                Err(e) => {
                    // Out of descriptors, or a connection reset before it
                    // was taken: wait a moment rather than spin.
                    tracing::warn!("web: cannot accept a connection: {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
            }
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
                self.moved();
                Poll::Ready(Ok(()))
            }
            Poll::Pending => self.waited(cx).map(Err),
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
                self.moved();
                Poll::Ready(Ok(n))
            }
            Poll::Pending => self.waited(cx).map(Err),
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
