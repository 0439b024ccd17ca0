//! The web remote: a page for the walker's phone and a JSON API, served
//! on the daemon's runtime beside D-Bus. Like D-Bus and MPRIS it is a
//! thin front end of the controller; it imports no other front end.
//! Every `/api/` call but pairing needs a paired phone's token.

pub mod address;
mod api;
mod auth;
mod events;
mod files;
mod host;
mod json;
mod listener;
pub mod qr;
mod rate_log;
mod walkers;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post, put};
use tokio::sync::broadcast;

use crate::controller::Handle;
use crate::frontend::pairing::Pairing;
use crate::shutdown::Shutdown;

/// Largest request body taken.
pub const MAX_BODY_BYTES: usize = 16 * 1024;
/// Most event streams open at once; more are refused with 503.
pub const MAX_EVENT_STREAMS: usize = 64;

/// What every handler shares.
#[derive(Clone)]
pub struct Web {
    pub controller: Handle,
    pub pairing: Arc<Pairing>,
    /// Every change, as the events the stream sends.
    events: broadcast::Sender<events::Message>,
    streams: Arc<AtomicUsize>,
    /// The names answered to.
    hosts: host::AllowedHosts,
    /// Wrong pairing codes, logged as a rate.
    refused_codes: Arc<rate_log::RateLog>,
}

/// Binds `listen` now, so a bad address or a port in use is told at
/// start; the server runs once the returned future is awaited, until
/// `shutdown` resolves. `hosts` are names to answer to besides this
/// machine's own (see `host`).
pub async fn bind(
    listen: SocketAddr,
    hosts: Vec<String>,
    controller: Handle,
    pairing: Arc<Pairing>,
    shutdown: Shutdown,
) -> std::io::Result<impl Future<Output = ()> + Send> {
    let listener = listener::Bounded::new(tokio::net::TcpListener::bind(listen).await?);
    let (sender, _) = broadcast::channel(events::BACKLOG);
    let web = Web {
        events: sender,
        streams: Arc::new(AtomicUsize::new(0)),
        hosts: host::AllowedHosts::new(&hosts),
        refused_codes: Arc::new(rate_log::RateLog::new("wrong pairing codes from")),
        controller,
        pairing,
    };
    tokio::spawn(events::relay(web.clone(), shutdown.clone()));
    // Event streams end at the shutdown too, or the server would wait
    // for them.
    let app = router(web, shutdown.clone());
    Ok(async move {
        let app = app.into_make_service_with_connect_info::<listener::Peer>();
        let mut shutdown = shutdown;
        let server =
            axum::serve(listener, app).with_graceful_shutdown(async move { shutdown.wait().await });
        if let Err(e) = server.await {
            tracing::error!("the web remote stopped: {e}");
        }
    })
}

fn router(web: Web, shutdown: Shutdown) -> Router {
    let api = Router::new()
        .route("/status", get(api::status))
        .route("/programs", get(api::programs))
        .route("/start", post(api::start))
        .route("/pause", post(api::pause))
        .route("/resume", post(api::resume))
        .route("/next", post(api::next))
        .route("/previous", post(api::previous))
        .route("/stop", post(api::stop))
        .route("/volume", put(api::volume))
        .route("/history", get(api::history))
        .route("/weeks", get(api::weeks))
        .route("/sessions/{session}/{format}", get(files::session_file))
        .route("/courses", get(api::courses))
        .route("/course", get(api::course))
        .route("/course/enrol", post(api::enrol))
        .route("/course/leave", post(api::leave))
        .route("/today", post(api::today))
        .route("/rate", post(api::rate))
        .route("/walkers", get(walkers::list))
        .route("/walkers/use", post(walkers::choose))
        .route(
            "/events",
            get(move |state, headers| events::stream(state, headers, shutdown.clone())),
        )
        .route_layer(axum::middleware::from_fn_with_state(
            web.clone(),
            auth::require_token,
        ))
        .route("/pair/request", post(auth::request_code))
        .route("/pair", post(auth::pair))
        .fallback(api::not_found)
        .method_not_allowed_fallback(api::not_allowed);
    // The report is the walker's health record: a paired phone's only.
    let report = Router::new()
        .route("/report", get(files::report_page))
        .route("/report.pdf", get(files::report_pdf))
        .route_layer(axum::middleware::from_fn_with_state(
            web.clone(),
            auth::require_token,
        ));
    Router::new()
        .route("/", get(page))
        .route("/qr.svg", get(qr_image))
        .merge(report)
        .nest("/api", api)
        .fallback(api::not_found)
        .layer(axum::middleware::from_fn(auth::same_origin))
        .layer(axum::middleware::from_fn_with_state(
            web.clone(),
            host::known_host,
        ))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(web)
}

/// A QR code of the address this page was opened at, for a second phone
/// to open it by camera. The `Host` is one of this machine's own names
/// (checked before this runs), so the code can only lead here.
async fn qr_image(headers: axum::http::HeaderMap) -> axum::response::Response {
    use axum::http::{StatusCode, header};
    use axum::response::IntoResponse;
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    match qr::svg_image(&format!("http://{host}/")) {
        Ok(image) => ([(header::CONTENT_TYPE, "image/svg+xml")], image).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e).into_response(),
    }
}

/// The page, compiled in: it needs nothing from the internet.
async fn page() -> impl axum::response::IntoResponse {
    (
        [
            (axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (
                axum::http::header::CONTENT_SECURITY_POLICY,
                "default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src 'self' data:",
            ),
        ],
        include_str!("page.html"),
    )
}
