//! `GET /api/walkers` and `POST /api/walkers/use`: who walks, and the
//! phone choosing the active walker (pairing stays the phone's, whoever
//! walks). Walker names in queries (`?walker=Anna%20B`) are decoded here.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use super::Web;
use super::api::Body;
use super::json::{ApiError, properties};
use crate::controller::{Command, WalkerInfo};

pub async fn list(State(web): State<Web>) -> Result<Json<Value>, ApiError> {
    let walkers = web.controller.ask(|c| Ok(c.walkers())).await?;
    Ok(Json(listed(&walkers)))
}

/// The walkers as the API and the event stream give them.
pub fn listed(walkers: &[WalkerInfo]) -> Value {
    let rows = walkers.iter().map(|w| {
        json!({"name": w.name, "active": w.active,
               "heart_max": w.heart_max, "units": w.units})
    });
    Value::Array(rows.collect())
}

#[derive(Deserialize)]
pub struct UseBody {
    name: String,
}

/// Makes the walker active; the reply is the status, which names them.
pub async fn choose(
    State(web): State<Web>,
    Body(body): Body<UseBody>,
) -> Result<Json<Value>, ApiError> {
    web.controller.apply(Command::UseWalker(body.name)).await?;
    Ok(Json(properties(&web.controller.status())))
}

/// A query's value as text: `+` is a space and `%XX` a byte, and the
/// bytes must be UTF-8.
pub fn decoded(key: &str, value: &str) -> Result<String, ApiError> {
    let bad = || {
        let message = format!("{key} is not URL-encoded text: {value:?}");
        ApiError::new(StatusCode::BAD_REQUEST, "InvalidArgument", &message)
    };
    let mut bytes = Vec::with_capacity(value.len());
    let mut rest = value.bytes();
    while let Some(b) = rest.next() {
        match b {
            b'+' => bytes.push(b' '),
            b'%' => {
                let hex = [rest.next().ok_or_else(bad)?, rest.next().ok_or_else(bad)?];
                let hex = std::str::from_utf8(&hex).map_err(|_| bad())?;
                bytes.push(u8::from_str_radix(hex, 16).map_err(|_| bad())?);
            }
            b => bytes.push(b),
        }
    }
    String::from_utf8(bytes).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_queries_are_decoded_and_bad_ones_refused() {
        assert_eq!(decoded("walker", "Anna+B%C3%A9").unwrap(), "Anna Bé");
        assert_eq!(decoded("walker", "Ben").unwrap(), "Ben");
        assert!(decoded("walker", "%zz").is_err());
        assert!(decoded("walker", "%C3").is_err());
        assert!(decoded("walker", "%4").is_err());
    }
}
