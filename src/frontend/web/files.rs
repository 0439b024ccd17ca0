//! `GET /api/sessions/{session}/{format}`: a session of the history as a
//! FIT or TCX file to download, the same file `treadcuectl export`
//! writes. The page links each session of its history to its FIT file.
//! `GET /report` and `GET /report.pdf`: the physiotherapist's report of a
//! period (`?since=2026-11-01&until=2026-11-30`, either left open) of the
//! active walker or `walker=NAME`, as a page to print and as the PDF
//! `treadcuectl report` writes.

use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

use super::Web;
use super::api::query_pairs;
use super::json::ApiError;
use crate::controller::ExportFormat as Format;
use crate::controller::ReportFormat;

pub async fn session_file(
    State(web): State<Web>,
    Path((session, format)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let bad = |message: String| ApiError::new(StatusCode::BAD_REQUEST, "InvalidArgument", &message);
    let session: i64 = session.parse().map_err(|_| {
        bad(format!(
            "{session:?} is not a session: give the history's `session` number"
        ))
    })?;
    let format: Format = format.parse().map_err(bad)?;
    let (name, bytes) = web
        .controller
        .ask(move |c| c.session_file(session, format))
        .await?;
    let kind = match format {
        Format::Fit => "application/vnd.ant.fit",
        Format::Tcx => "application/vnd.garmin.tcx+xml",
    };
    // The name is made of the start and the program id, both plain.
    let disposition = format!("attachment; filename=\"{name}\"");
    Ok((
        [
            (header::CONTENT_TYPE, kind.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

/// The report's walker (the active one when left out) and period, as
/// the query gives it: dates are digits and dashes, so nothing needs
/// decoding (a date that did fails to parse).
#[derive(Debug, Default)]
pub struct Period {
    walker: String,
    since: String,
    until: String,
}

impl Period {
    fn parse(query: Option<&str>) -> Result<Period, ApiError> {
        let mut period = Period::default();
        for (key, value) in query_pairs(query, &["walker", "since", "until"])? {
            match key {
                "walker" => period.walker = super::walkers::decoded(key, value)?,
                "since" => period.since = value.to_string(),
                _ => period.until = value.to_string(),
            }
        }
        Ok(period)
    }
}

pub async fn report_page(State(web): State<Web>, uri: Uri) -> Result<Response, ApiError> {
    let (_, page) = report(&web, &uri, ReportFormat::Html).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8".to_string()),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'; img-src data:".to_string(),
            ),
        ],
        page,
    )
        .into_response())
}

pub async fn report_pdf(State(web): State<Web>, uri: Uri) -> Result<Response, ApiError> {
    let (name, pdf) = report(&web, &uri, ReportFormat::Pdf).await?;
    let disposition = disposition("inline", &name);
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        pdf,
    )
        .into_response())
}

async fn report(web: &Web, uri: &Uri, format: ReportFormat) -> Result<(String, Vec<u8>), ApiError> {
    let period = Period::parse(uri.query())?;
    let answer = web
        .controller
        .ask(move |c| c.report_file(&period.walker, &period.since, &period.until, format))
        .await?;
    Ok(answer)
}

/// A `Content-Disposition` for a file named `name` (letters and digits
/// of any script, dashes and dots): plain when it is ASCII, else with
/// the UTF-8 name as RFC 6266 gives it and an ASCII one for old clients.
fn disposition(kind: &str, name: &str) -> String {
    if name.is_ascii() {
        return format!("{kind}; filename=\"{name}\"");
    }
    let plain: String = name
        .chars()
        .map(|c| if c.is_ascii() { c } else { '_' })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("{kind}; filename=\"{plain}\"; filename*=UTF-8''{encoded}")
}
