//! Who may call: a paired phone's token (a cookie, or `Authorization:
//! Bearer` for scripts), and state-changing calls from the page's own
//! origin only. Pairing itself: a code spoken into the headphones, traded
//! for a token.

use std::time::Instant;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::Web;
use super::api::{ApiError, Body};
use super::listener::Peer;
use crate::frontend::pairing::{CODE_LIFETIME, PairError};

const COOKIE: &str = "treadcue_token";

/// Refuses a call without a paired phone's token with 401.
pub async fn require_token(State(web): State<Web>, request: Request, next: Next) -> Response {
    let token = token_of(request.headers());
    if token.is_some_and(|t| web.pairing.check(&t, Instant::now())) {
        return next.run(request).await;
    }
    if wants_page(request.headers()) {
        return not_paired_page();
    }
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "Unauthorized",
        "this phone is not paired: ask for a code with POST /api/pair/request",
    )
    .into_response()
}

/// A browser opening a page (the report, from a bookmark or a link)
/// asks for HTML; scripts and the page's own calls ask for JSON.
fn wants_page(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

/// What an unpaired phone sees instead of the report: what to do, in
/// words, with the way to the remote where pairing happens.
fn not_paired_page() -> Response {
    const PAGE: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
        <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
        <title>treadcue: pair this phone first</title></head><body>\
        <h1>Pair this phone first</h1>\
        <p>The report is the walker's record, so only a paired phone may open it. \
        Open <a href=\"/\">the remote</a>, tap <b>Say a code in the headphones</b> \
        and type the code (or the one <code>treadcuectl web pair</code> gives), \
        then come back to this page.</p></body></html>";
    (
        StatusCode::UNAUTHORIZED,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        PAGE,
    )
        .into_response()
}

fn token_of(headers: &HeaderMap) -> Option<String> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if let Some(token) = bearer {
        return Some(token.trim().to_string());
    }
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            pair.trim()
                .strip_prefix(&format!("{COOKIE}="))
                .map(str::to_string)
        })
}

/// A call that changes something must come from the page itself (or
/// from a script, which sends no `Origin`): another site open on the
/// phone cannot drive the treadmill's coach.
pub async fn same_origin(request: Request, next: Next) -> Response {
    if request.method() == Method::GET || request.method() == Method::HEAD {
        return next.run(request).await;
    }
    let headers = request.headers();
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let allowed = match (origin, host) {
        (None, _) => true,
        (Some(origin), Some(host)) => origin
            .split_once("://")
            .is_some_and(|(_, rest)| rest == host),
        (Some(_), None) => false,
    };
    if allowed {
        return next.run(request).await;
    }
    tracing::warn!(
        "web: refused a call from another origin ({})",
        origin.unwrap_or("")
    );
    ApiError::new(
        StatusCode::FORBIDDEN,
        "Forbidden",
        "calls that change something must come from treadcue's own page",
    )
    .into_response()
}

/// `POST /api/pair/request`: treadcued speaks a new code into the
/// headphones. The code is never in the reply. It is never said during a
/// running session (over the coaching), nor in place of a code that is
/// still good.
pub async fn request_code(State(web): State<Web>) -> Result<Response, ApiError> {
    if web.controller.state() == crate::session::State::Running {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "PairingBusy",
            "a session is running, and a code is never said over the coaching: pause it, \
             then ask again (or run `treadcuectl web pair` on treadcue's computer)",
        ));
    }
    let code = web
        .pairing
        .code_to_say(Instant::now())
        .map_err(pair_error)?;
    let said = web
        .controller
        .ask(move |c| c.announce(&spoken_code(c, &code)))
        .await?;
    tracing::info!("web: a phone asked to pair; the code was spoken");
    Ok(axum::Json(serde_json::json!({
        "spoken": said.is_some(),
        "expires_in": CODE_LIFETIME.as_secs(),
    }))
    .into_response())
}

/// The code as said: digit by digit, in the phrasebook's words, with a
/// wording of digits alone for a voice that lacks the rest.
fn spoken_code(controller: &crate::controller::Controller, code: &str) -> Vec<String> {
    let digits: Vec<String> = code
        .chars()
        .filter_map(|c| c.to_digit(10))
        .map(|d| controller.number_words(u64::from(d)))
        .collect();
    let digits = digits.join(", ");
    vec![
        format!("Pairing code: {digits}. Again: {digits}."),
        format!("{digits}."),
    ]
}

#[derive(Deserialize)]
pub struct PairBody {
    code: String,
}

/// `POST /api/pair` with `{"code": "123456"}`: the phone gets its token
/// in a cookie (and in the reply, for scripts). Wrong codes count against
/// the address they come from.
pub async fn pair(
    State(web): State<Web>,
    ConnectInfo(Peer(from)): ConnectInfo<Peer>,
    headers: HeaderMap,
    Body(body): Body<PairBody>,
) -> Result<Response, ApiError> {
    let name = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let source = from.ip().to_string();
    let token = web
        .pairing
        .pair(&body.code, name, &source, Instant::now())
        .map_err(|e| {
            web.refused_codes.note(&source);
            pair_error(e)
        })?;
    tracing::info!("web: a phone was paired from {source}");
    let cookie = format!("{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=315360000");
    Ok((
        [(header::SET_COOKIE, cookie)],
        axum::Json(serde_json::json!({ "paired": true, "token": token })),
    )
        .into_response())
}

fn pair_error(e: PairError) -> ApiError {
    let status = match e {
        PairError::Locked(_) | PairError::TooSoon(_) => StatusCode::TOO_MANY_REQUESTS,
        PairError::CodeWaiting(_) => StatusCode::CONFLICT,
        PairError::Storage(_) => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::FORBIDDEN,
    };
    let name = match e {
        PairError::Locked(_) => "PairingLocked",
        PairError::TooSoon(_) => "TooSoon",
        PairError::CodeWaiting(_) => "CodeWaiting",
        PairError::Storage(_) => "Storage",
        _ => "WrongCode",
    };
    ApiError::new(status, name, &e.to_string())
}
