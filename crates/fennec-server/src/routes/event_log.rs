//! Zou's events blueprint: the event log that writes fill (events.rs).

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use fennec_store::events::{self, LogFilter};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::user::{CurrentUser, Role};
use crate::error::ApiError;
use crate::extract::QueryPairs;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/data/events/last", get(last))
        .route("/data/events/names", get(names))
}

type ApiResult<T> = Result<T, ApiError>;

/// GET /data/events/last — Zou's EventsResource: managers and admins;
/// admins read the whole log, managers the events of their open
/// productions. Filters: after, before, only_files, cursor_event_id,
/// limit (at most 1000), project_id, name, and the repeatable
/// name_prefixes (objects), name_suffixes (actions) and person_ids
/// (authors).
async fn last(
    State(state): State<AppState>,
    user: CurrentUser,
    query: QueryPairs,
) -> ApiResult<Json<Value>> {
    let project_id = match query.get("project_id") {
        Some(p) => Some(
            Uuid::parse_str(p)
                .map_err(|_| ApiError::bad_request("The project_id parameter is not a valid id"))?,
        ),
        None => None,
    };
    let mut conn = state.db.conn().await?;
    // Zou resolves a per-production manager role before its check.
    let user = match project_id {
        Some(p) if !user.is_admin() => {
            crate::auth::permissions::on_project(&mut conn, &user, p).await?
        }
        _ => user,
    };
    if !user.is_admin() && user.role != Role::Manager {
        return Err(ApiError::forbidden());
    }
    let date = |key: &str| -> ApiResult<Option<chrono::NaiveDateTime>> {
        match query.get(key) {
            Some(v) => fennec_api::time::parse_datetime(v)
                .map(Some)
                .ok_or_else(|| ApiError::bad_request(format!("Wrong date format for {v}"))),
            None => Ok(None),
        }
    };
    let limit = match query.get("limit") {
        Some(v) => v
            .parse::<i64>()
            .map_err(|_| ApiError::bad_request("limit must be an integer"))?,
        None => 100,
    }
    .min(1000);
    let cursor_created_at = match query.get("cursor_event_id") {
        Some(c) => {
            let id = Uuid::parse_str(c).map_err(|_| {
                ApiError::bad_request("The cursor_event_id parameter is not a valid id")
            })?;
            let at = events::created_at(&mut conn, id).await?;
            Some(at.ok_or_else(|| ApiError::bad_request(format!("No event found with id: {c}")))?)
        }
        None => None,
    };
    let list = |key: &str| -> Vec<String> {
        query
            .0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .collect()
    };
    // Zou checks the authors, then the name parts (plain lowercase words,
    // digits and dashes: never a LIKE wildcard).
    let person_ids = list("person_ids")
        .iter()
        .map(|p| Uuid::parse_str(p))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| ApiError::bad_request("The person_ids parameter contains an invalid id"))?;
    let name_part = |key: &str| -> ApiResult<Vec<String>> {
        let values = list(key);
        let plain = |v: &String| {
            !v.is_empty()
                && v.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        };
        if values.iter().all(plain) {
            Ok(values)
        } else {
            Err(ApiError::bad_request(format!(
                "The {key} parameter contains an invalid value"
            )))
        }
    };
    let name_prefixes = name_part("name_prefixes")?;
    let name_suffixes = name_part("name_suffixes")?;
    let project_ids = if user.is_admin() {
        None
    } else {
        let rows = crate::user_context::open_project_rows(&mut conn, &user, None).await?;
        let ids: Vec<Uuid> = rows
            .iter()
            .filter_map(|r| crate::present::uuid_field(r, "id"))
            .collect();
        if project_id.is_some_and(|p| !ids.contains(&p)) {
            return Err(ApiError::forbidden());
        }
        Some(ids)
    };
    let filter = LogFilter {
        after: date("after")?,
        before: date("before")?,
        project_id,
        name: query.get("name").map(str::to_owned),
        only_files: query.get("only_files") == Some("true"),
        cursor_created_at,
        project_ids,
        person_ids,
        name_prefixes,
        name_suffixes,
        limit,
    };
    let rows = events::last(&mut conn, &filter).await?;
    let s = |u: Option<Uuid>| u.map_or(Value::Null, |u| Value::String(u.to_string()));
    let out: Vec<Value> = rows
        .into_iter()
        .map(|e| {
            json!({
                "id": e.id.to_string(),
                "created_at": fennec_api::time::format_datetime(&e.created_at),
                "name": e.name,
                "user_id": s(e.user_id),
                "project_id": s(e.project_id),
                "data": e.data,
            })
        })
        .collect();
    Ok(Json(Value::Array(out)))
}

/// GET /data/events/names — Zou's EventNamesResource: the names found in
/// the event log, sorted, for managers and admins (whatever production).
async fn names(State(state): State<AppState>, user: CurrentUser) -> ApiResult<Json<Value>> {
    if !user.is_admin() && user.role != Role::Manager {
        return Err(ApiError::forbidden());
    }
    let mut conn = state.db.conn().await?;
    Ok(Json(Value::from(events::names(&mut conn).await?)))
}
