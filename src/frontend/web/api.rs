//! The JSON API: the D-Bus interface's calls over HTTP, with the same
//! names. Errors are `{"error": NAME, "message": TEXT}` with the D-Bus
//! error's name and an HTTP status that fits it.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::Web;
pub use super::json::ApiError;
use super::json::properties;
use crate::controller::{Command, IfFollowing, IfRunning, Whose};

/// A JSON body whose faults (not JSON, a missing field, too big) are
/// answered as the API's errors.
pub struct Body<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(Body(value)),
            Err(rejection) => Err(rejected(&rejection)),
        }
    }
}

fn rejected(rejection: &JsonRejection) -> ApiError {
    let status = rejection.status();
    let name = if status == StatusCode::PAYLOAD_TOO_LARGE {
        "TooLarge"
    } else {
        "InvalidArgument"
    };
    let message = match status {
        StatusCode::PAYLOAD_TOO_LARGE => {
            format!("the body is over {} bytes", super::MAX_BODY_BYTES)
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            "send JSON, with Content-Type: application/json".into()
        }
        _ => rejection.body_text(),
    };
    ApiError::new(status, name, &message)
}

type Reply = Result<Json<Value>, ApiError>;

/// After a call that changes the session: the status it left.
fn done(web: &Web) -> Reply {
    Ok(Json(properties(&web.controller.status())))
}

pub async fn status(State(web): State<Web>) -> Reply {
    done(&web)
}

pub async fn programs(State(web): State<Web>) -> Reply {
    let programs = web.controller.ask(|c| Ok(c.list_programs())).await?;
    let rows: Vec<Value> = programs
        .into_iter()
        .map(|p| json!({"id": p.id, "name": p.name, "description": p.description, "seconds": p.seconds}))
        .collect();
    Ok(Json(Value::Array(rows)))
}

/// A start: `replace` must be true to end a session under way; without
/// it such a start is refused (409 `SessionRunning`).
#[derive(Deserialize)]
pub struct StartBody {
    program: String,
    #[serde(default)]
    replace: bool,
}

fn if_running(replace: bool) -> IfRunning {
    if replace {
        IfRunning::Replace
    } else {
        IfRunning::Refuse
    }
}

pub async fn start(State(web): State<Web>, Body(body): Body<StartBody>) -> Reply {
    let if_running = if_running(body.replace);
    let program = body.program;
    let start = Command::Start {
        program,
        if_running,
    };
    web.controller.apply(start).await?;
    done(&web)
}

pub async fn pause(State(web): State<Web>) -> Reply {
    web.controller.apply(Command::Pause).await?;
    done(&web)
}

pub async fn resume(State(web): State<Web>) -> Reply {
    web.controller.apply(Command::Resume).await?;
    done(&web)
}

pub async fn next(State(web): State<Web>) -> Reply {
    web.controller.apply(Command::Next).await?;
    done(&web)
}

pub async fn previous(State(web): State<Web>) -> Reply {
    web.controller.apply(Command::Previous).await?;
    done(&web)
}

pub async fn stop(State(web): State<Web>) -> Reply {
    web.controller.apply(Command::Stop).await?;
    done(&web)
}

#[derive(Deserialize)]
pub struct VolumeBody {
    volume: f64,
}

pub async fn volume(State(web): State<Web>, Body(body): Body<VolumeBody>) -> Reply {
    web.controller
        .apply(Command::SetVolume(body.volume))
        .await?;
    done(&web)
}

/// How many sessions `/api/history` gives when the call does not say.
pub const HISTORY_PAGE_DEFAULT: usize = 200;

/// `?limit=N&offset=K`: the `limit` sessions before the newest `offset`,
/// oldest first; the active walker's, or `walker=NAME`'s, or with
/// `all=true` every walker's.
#[derive(Default)]
pub struct HistoryPage {
    limit: Option<usize>,
    offset: usize,
    whose: Whose,
}

impl HistoryPage {
    fn parse(query: Option<&str>) -> Result<HistoryPage, ApiError> {
        let mut page = HistoryPage::default();
        for (key, value) in query_pairs(query, &["limit", "offset", "walker", "all"])? {
            match (key, value) {
                ("walker", name) => {
                    page.whose = Whose::named(Some(&super::walkers::decoded(key, name)?));
                    continue;
                }
                ("all", "true" | "1") => {
                    page.whose = Whose::All;
                    continue;
                }
                ("all", "false" | "0") => continue,
                ("all", other) => {
                    let message = format!("all is true or false, not {other:?}");
                    return Err(ApiError::new(
                        StatusCode::BAD_REQUEST,
                        "InvalidArgument",
                        &message,
                    ));
                }
                _ => {}
            }
            let number = value.parse::<usize>().map_err(|_| {
                let message = format!("{key} must be a whole number, not {value:?}");
                ApiError::new(StatusCode::BAD_REQUEST, "InvalidArgument", &message)
            })?;
            match key {
                "limit" => page.limit = Some(number),
                _ => page.offset = number,
            }
        }
        Ok(page)
    }
}

/// A query's `key=value` pairs, each key one of `known`; another is a
/// 400 that names it and the known ones.
pub fn query_pairs<'a>(
    query: Option<&'a str>,
    known: &[&str],
) -> Result<Vec<(&'a str, &'a str)>, ApiError> {
    let pairs = query.unwrap_or("").split('&').filter(|p| !p.is_empty());
    pairs
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            if known.contains(&key) {
                return Ok((key, value));
            }
            let message = format!(
                "unknown parameter {key:?}: {} are known",
                known.join(" and ")
            );
            Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "InvalidArgument",
                &message,
            ))
        })
        .collect()
}

pub async fn history(State(web): State<Web>, uri: axum::http::Uri) -> Result<Response, ApiError> {
    let page = HistoryPage::parse(uri.query())?;
    let limit = page.limit.unwrap_or(HISTORY_PAGE_DEFAULT);
    let (rows, total) = web
        .controller
        .ask(move |c| c.history_rows(&page.whose, page.offset, limit))
        .await?;
    let rows: Vec<Value> = rows.iter().map(|r| Value::Object(r.fields())).collect();
    Ok((
        [("X-Total-Count", total.to_string())],
        Json(Value::Array(rows)),
    )
        .into_response())
}

pub async fn weeks(State(web): State<Web>) -> Reply {
    let weeks = web
        .controller
        .ask(|c| c.weekly_minutes(&Whose::Active))
        .await?;
    let rows: Vec<Value> = weeks
        .into_iter()
        .map(|(week, forward, backward)| {
            json!({"week": week, "forward_minutes": forward, "backward_minutes": backward})
        })
        .collect();
    Ok(Json(Value::Array(rows)))
}

pub async fn courses(State(web): State<Web>) -> Reply {
    let courses = web.controller.ask(|c| Ok(c.list_courses())).await?;
    let rows: Vec<Value> = courses
        .into_iter()
        .map(|c| {
            json!({"id": c.id, "name": c.name, "description": c.description,
                   "sessions": c.sessions, "weeks": c.weeks, "per_week": c.per_week})
        })
        .collect();
    Ok(Json(Value::Array(rows)))
}

pub async fn course(State(web): State<Web>) -> Reply {
    let walks = web.controller.ask(|c| c.course_overview()).await?;
    let rows: Vec<Value> = walks
        .into_iter()
        .map(|w| {
            json!({"session": w.walk, "program": w.program, "state": w.state,
                   "last_walked": w.last_walked, "last_outcome": w.last_outcome})
        })
        .collect();
    Ok(Json(Value::Array(rows)))
}

/// An enrolment: `replace` must be true to leave another course followed
/// now; without it such an enrolment is refused (409 `CourseFollowed`),
/// so one tap never throws a walker's progress away.
#[derive(Deserialize)]
pub struct EnrolBody {
    course: String,
    #[serde(default)]
    replace: bool,
}

pub async fn enrol(State(web): State<Web>, Body(body): Body<EnrolBody>) -> Reply {
    let if_following = if body.replace {
        IfFollowing::Replace
    } else {
        IfFollowing::Refuse
    };
    let enrol = Command::Enrol {
        course: body.course,
        if_following,
    };
    web.controller.apply(enrol).await?;
    done(&web)
}

pub async fn leave(State(web): State<Web>) -> Reply {
    web.controller.apply(Command::Leave).await?;
    done(&web)
}

/// Today's session: the body, if any, may say `{"replace": true}`.
#[derive(Deserialize, Default)]
pub struct TodayBody {
    #[serde(default)]
    replace: bool,
}

pub async fn today(State(web): State<Web>, body: axum::body::Bytes) -> Reply {
    let body: TodayBody = if body.iter().all(u8::is_ascii_whitespace) {
        TodayBody::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            ApiError::new(StatusCode::BAD_REQUEST, "InvalidArgument", &e.to_string())
        })?
    };
    let if_running = if_running(body.replace);
    web.controller
        .apply(Command::StartToday(if_running))
        .await?;
    done(&web)
}

#[derive(Deserialize)]
pub struct RateBody {
    rating: String,
}

pub async fn rate(State(web): State<Web>, Body(body): Body<RateBody>) -> Reply {
    web.controller.apply(Command::Rate(body.rating)).await?;
    done(&web)
}

pub async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "NotFound",
        "there is no such page or call; the API is under /api/",
    )
}

pub async fn not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "MethodNotAllowed",
        "this call takes another method (GET to read, POST to act, PUT /api/volume)",
    )
}
