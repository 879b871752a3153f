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
    Router::new().route("/data/events/last", get(last))
}

type ApiResult<T> = Result<T, ApiError>;

/// GET /data/events/last — Zou's EventsResource: managers and admins;
/// admins read the whole log, managers the events of their open
/// productions. Filters: after, before, only_files, cursor_event_id,
/// limit (at most 1000), project_id, name.
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
