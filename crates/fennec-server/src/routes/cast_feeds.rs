//! Fennec's cast feeds (issue 16), under `/fennec/...`: which task of an
//! asset cast in a shot must be finished before which task of the shot
//! starts, per production. Kitsu has no such setting; the schedule
//! forecast, the critical path and the causes read it (see
//! `fennec_schedule::links`). A production without feeds of its own uses
//! the default: each cast asset's last step (Rigging for a character)
//! feeds the shot's Animation task, or its first step without one.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use fennec_api::models;
use fennec_store::db::Exec;
use fennec_store::rows;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::permissions::{check_manager_project_access, check_project_access};
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::{path_id, JsonBody, Path};

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/fennec/projects/{id}/cast-feeds",
        get(get_cast_feeds)
            .put(put_cast_feeds)
            .delete(delete_cast_feeds),
    )
}

/// A task type's id, name and `for_entity`, or `None` when unknown.
async fn task_type(exec: &mut impl Exec, id: Uuid) -> ApiResult<Option<(String, String)>> {
    let row = rows::get(exec, &models::TASK_TYPE, id, false).await?;
    Ok(row.map(|r| {
        let text = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
        (text("name"), text("for_entity"))
    }))
}

/// The answer: whether the production has feeds of its own, and which.
async fn answer(exec: &mut impl Exec, project: Uuid) -> ApiResult<Value> {
    let feeds = fennec_store::schedule::cast_feeds(exec, project).await?;
    let custom = feeds.is_some();
    let mut out = Vec::new();
    for (a, s) in feeds.unwrap_or_default() {
        let name = |t: Option<(String, String)>| t.map(|(n, _)| n).unwrap_or_default();
        let asset = name(task_type(exec, a).await?);
        let shot = name(task_type(exec, s).await?);
        out.push(json!({
            "asset_task_type": {"id": a, "name": asset},
            "shot_task_type": {"id": s, "name": shot},
        }));
    }
    Ok(json!({
        "project_id": project,
        "custom": custom,
        "feeds": out,
        "default": format!(
            "each cast asset's last step feeds the shot's {} task (its first step without one)",
            fennec_schedule::DEFAULT_FED_STEP
        ),
    }))
}

async fn project(exec: &mut impl Exec, id: &str) -> ApiResult<Uuid> {
    let pid = path_id(id)?;
    rows::get(exec, &models::PROJECT, pid, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(pid)
}

/// GET /fennec/projects/{id}/cast-feeds — the production's cast feeds
/// (`custom: false`: the default applies). Anyone who may read the
/// production.
async fn get_cast_feeds(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let mut conn = state.db.conn().await?;
    let pid = project(&mut conn, &id).await?;
    check_project_access(&mut conn, &user, pid).await?;
    Ok(Json(answer(&mut conn, pid).await?))
}

/// PUT /fennec/projects/{id}/cast-feeds — `{"feeds": [{asset_task_type_id,
/// shot_task_type_id}, ...]}` replaces the production's feeds (`[]`: no
/// casting dependency). Each must name an asset task type and a shot task
/// type. Managers of the production and admins.
async fn put_cast_feeds(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    body: JsonBody,
) -> ApiResult<Json<Value>> {
    let mut tx = state.db.begin().await?;
    let pid = project(&mut tx, &id).await?;
    check_manager_project_access(&mut tx, &user, pid).await?;
    let Some(list) = body.0.get("feeds").and_then(Value::as_array) else {
        return Err(ApiError::bad_request("feeds must be a list."));
    };
    let mut feeds = Vec::new();
    for f in list {
        let mut pair = [Uuid::nil(); 2];
        for (i, (key, kind)) in [
            ("asset_task_type_id", "Asset"),
            ("shot_task_type_id", "Shot"),
        ]
        .into_iter()
        .enumerate()
        {
            let id = f
                .get(key)
                .and_then(Value::as_str)
                .and_then(|s| Uuid::parse_str(s).ok())
                .ok_or_else(|| ApiError::bad_request(format!("{key} must be a task type id.")))?;
            match task_type(&mut tx, id).await? {
                None => {
                    return Err(ApiError::bad_request(format!(
                        "{key}: task type {id} does not exist."
                    )))
                }
                // Kitsu's task types say which entities they are for.
                Some((name, for_entity)) if !for_entity.eq_ignore_ascii_case(kind) => {
                    return Err(ApiError::bad_request(format!(
                        "{key}: {name} is a task type for {for_entity}, not for {kind}."
                    )))
                }
                Some(_) => pair[i] = id,
            }
        }
        if !feeds.contains(&(pair[0], pair[1])) {
            feeds.push((pair[0], pair[1]));
        }
    }
    fennec_store::schedule::put_cast_feeds(&mut tx, pid, &feeds).await?;
    let out = answer(&mut tx, pid).await?;
    tx.commit().await?;
    Ok(Json(out))
}

/// DELETE /fennec/projects/{id}/cast-feeds — back to the default feeds.
/// Managers of the production and admins.
async fn delete_cast_feeds(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let mut tx = state.db.begin().await?;
    let pid = project(&mut tx, &id).await?;
    check_manager_project_access(&mut tx, &user, pid).await?;
    fennec_store::schedule::delete_cast_feeds(&mut tx, pid).await?;
    let out = answer(&mut tx, pid).await?;
    tx.commit().await?;
    Ok(Json(out))
}
