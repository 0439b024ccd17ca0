//! `GET /api/events`: every change as Server-Sent Events. A relay task
//! turns the controller's changes into messages once, for every stream;
//! a stream that falls behind (a phone that stopped reading) skips to
//! the status of now instead of holding anything up, and at most
//! [`super::MAX_EVENT_STREAMS`] are open at once.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::Stream;
use serde_json::{Value, json};
use tokio::sync::broadcast;

use super::Web;
use super::json::{ApiError, properties};
use crate::controller::Change;

use crate::shutdown::Shutdown;

/// Messages kept for a stream that reads slowly before it skips ahead.
pub const BACKLOG: usize = 256;

/// One event: its name and its JSON.
#[derive(Debug, Clone)]
pub struct Message {
    name: &'static str,
    data: Value,
}

/// Turns the controller's changes into messages, until shutdown.
pub async fn relay(web: Web, mut shutdown: Shutdown) {
    let mut changes = web.controller.subscribe();
    loop {
        let change = tokio::select! {
            change = changes.recv() => change,
            () = shutdown.wait() => return,
        };
        let Some(change) = change else { return };
        for message in messages(&web, change) {
            // No stream open is no error.
            let _ = web.events.send(message);
        }
    }
}

fn messages(web: &Web, change: Change) -> Vec<Message> {
    let status = || Message {
        name: "status",
        data: properties(&web.controller.status()),
    };
    match change {
        Change::Session {
            status: at,
            step_started,
            ended,
        } => {
            let mut out = vec![status()];
            if step_started.is_some() {
                out.push(Message {
                    name: "StepStarted",
                    data: json!({"index": at.step_index, "name": at.step_name,
                        "direction": at.direction_name(), "speed": at.speed,
                        "incline": at.incline, "length": at.step_length}),
                });
            }
            if let Some(completed) = ended {
                out.push(Message {
                    name: "SessionFinished",
                    data: json!({"program": at.program, "completed": completed}),
                });
            }
            out
        }
        Change::Volume(_) | Change::Course | Change::Fitness => vec![status()],
        Change::Walkers => vec![
            status(),
            Message {
                name: "walkers",
                data: super::walkers::listed(&web.controller.controller().walkers()),
            },
        ],
        // The phone shows no configuration.
        Change::ConfigRefused(_) => Vec::new(),
        Change::Storage(message) => vec![Message {
            name: "StorageError",
            data: json!({ "message": message }),
        }],
    }
}

/// Counts an open stream; the count goes down when the stream ends.
struct Open(Arc<AtomicUsize>);

impl Drop for Open {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

pub async fn stream(State(web): State<Web>, _headers: HeaderMap, shutdown: Shutdown) -> Response {
    let open = web.streams.fetch_add(1, Ordering::SeqCst) + 1;
    let guard = Open(web.streams.clone());
    if open > super::MAX_EVENT_STREAMS {
        return ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "TooManyStreams",
            &format!(
                "{} event streams are open already",
                super::MAX_EVENT_STREAMS
            ),
        )
        .into_response();
    }
    let first = Message {
        name: "status",
        data: properties(&web.controller.status()),
    };
    let receiver = web.events.subscribe();
    Sse::new(events(web, receiver, first, shutdown, guard))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}

/// The status of now first, then every message; after falling behind,
/// the status of now again. Ends at shutdown.
fn events(
    web: Web,
    receiver: broadcast::Receiver<Message>,
    first: Message,
    shutdown: Shutdown,
    guard: Open,
) -> impl Stream<Item = Result<Event, Infallible>> {
    let state = (web, receiver, Some(first), shutdown, guard);
    futures_util::stream::unfold(
        state,
        |(web, mut receiver, pending, mut shutdown, guard)| async move {
            if let Some(message) = pending {
                return Some((Ok(event(&message)), (web, receiver, None, shutdown, guard)));
            }
            let message = tokio::select! {
                received = receiver.recv() => match received {
                    Ok(message) => message,
                    Err(broadcast::error::RecvError::Lagged(_)) => Message {
                        name: "status",
                        data: properties(&web.controller.status()),
                    },
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
                () = shutdown.wait() => return None,
            };
            Some((Ok(event(&message)), (web, receiver, None, shutdown, guard)))
        },
    )
}

fn event(message: &Message) -> Event {
    Event::default()
        .event(message.name)
        .data(message.data.to_string())
}
