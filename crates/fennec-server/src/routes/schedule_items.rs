//! The schedule items of Zou's `projects` blueprint, as far as Kitsu's
//! pages read them: the production schedule and a task type's page ask for
//! the schedule items of a production, of its task types and, per task
//! type, of its episodes, sequences, asset types and edits.
//!
//! Fennec does not store schedule items yet (its schedule is computed, see
//! `/fennec/...`): every list is empty, for a team member, so those pages
//! load instead of failing on a 404. Zou 1.0.97 creates an item on first
//! read for each task type and object (dated today): its lists are never
//! empty once the production has them, and the front end then draws them.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::app::AppState;
use crate::auth::permissions::check_project_access;
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::{path_id, Path};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/data/projects/{id}/schedule-items", get(project_items))
        .route(
            "/data/projects/{id}/schedule-items/task-types",
            get(project_items),
        )
        .route(
            "/data/projects/{id}/schedule-items/{task_type_id}/{kind}",
            get(task_type_items),
        )
}

/// The production (404 when unknown) and the caller on its team (403).
async fn open(state: &AppState, user: &CurrentUser, id: &str) -> ApiResult<()> {
    let id = path_id(id)?;
    let mut conn = state.db.conn().await?;
    fennec_store::rows::get(&mut conn, &fennec_api::models::PROJECT, id, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    check_project_access(&mut conn, user, id).await
}

/// GET /data/projects/{id}/schedule-items and .../schedule-items/task-types
async fn project_items(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    open(&state, &user, &id).await?;
    Ok(Json(json!([])))
}

/// GET /data/projects/{id}/schedule-items/{task_type_id}/{asset-types,
/// episodes, sequences, edits}
async fn task_type_items(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, task_type_id, kind)): Path<(String, String, String)>,
) -> ApiResult<Json<Value>> {
    if !matches!(
        kind.as_str(),
        "asset-types" | "episodes" | "sequences" | "edits"
    ) {
        return Err(ApiError::not_found());
    }
    path_id(&task_type_id)?;
    open(&state, &user, &id).await?;
    Ok(Json(json!([])))
}
