//! `GET /api/sessions/{session}/{format}`: a session of the history as a
//! FIT or TCX file to download, the same file `treadcuectl export`
//! writes. The page links each session of its history to its FIT file.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::Web;
use super::json::ApiError;
use crate::controller::ExportFormat as Format;

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
