//! The API's JSON that more than one part of the web remote gives: an
//! error, and the session's status by the native D-Bus interface's
//! property names.

use std::time::SystemTime;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::controller::ControlError;
use crate::session::{Property, Status, micros};

/// An error as the API gives it.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    name: String,
    message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, name: &str, message: &str) -> ApiError {
        ApiError {
            status,
            name: name.to_string(),
            message: message.to_string(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({ "error": self.name, "message": self.message });
        (self.status, Json(body)).into_response()
    }
}

impl From<ControlError> for ApiError {
    fn from(e: ControlError) -> ApiError {
        let (status, name) = match &e {
            ControlError::UnknownProgram(..) => (StatusCode::NOT_FOUND, "UnknownProgram"),
            ControlError::UnknownCourse(..) => (StatusCode::NOT_FOUND, "UnknownCourse"),
            ControlError::InvalidProgram { .. } => {
                (StatusCode::UNPROCESSABLE_ENTITY, "InvalidProgram")
            }
            ControlError::InvalidState(_) => (StatusCode::CONFLICT, "InvalidState"),
            ControlError::InvalidArgument(_) => (StatusCode::BAD_REQUEST, "InvalidArgument"),
            ControlError::UnknownSession(_) => (StatusCode::NOT_FOUND, "UnknownSession"),
            ControlError::Device(_) => (StatusCode::SERVICE_UNAVAILABLE, "NoDevice"),
            ControlError::Voice(_) => (StatusCode::INTERNAL_SERVER_ERROR, "Voice"),
            ControlError::Storage(_) => (StatusCode::INTERNAL_SERVER_ERROR, "Storage"),
            ControlError::SessionRunning { .. } => (StatusCode::CONFLICT, "SessionRunning"),
            ControlError::CourseFollowed { .. } => (StatusCode::CONFLICT, "CourseFollowed"),
            ControlError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "Failed"),
        };
        ApiError::new(status, name, &e.to_string())
    }
}

/// Every property of the native D-Bus interface, by the same names, and
/// `Now`: the daemon's clock, so a phone whose clock differs counts down
/// right from `StepEndsAt`.
pub fn properties(s: &Status) -> Value {
    let mut fields: serde_json::Map<String, Value> = s
        .properties()
        .into_iter()
        .map(|(name, value)| (name.to_string(), json_of(value)))
        .collect();
    fields.insert("Now".into(), Value::from(micros(SystemTime::now())));
    Value::Object(fields)
}

fn json_of(value: Property) -> Value {
    match value {
        Property::Text(text) => Value::from(text),
        Property::Number(number) => Value::from(number),
        Property::Count(count) => Value::from(count),
        Property::Time(micros) => Value::from(micros),
        Property::Flag(flag) => Value::from(flag),
    }
}
