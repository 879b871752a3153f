//! Zou's `entities` blueprint: what applies to entities of any kind.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use fennec_api::models;
use fennec_store::rows;
use serde_json::Value;

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::deletion;
use crate::error::{ApiError, ApiResult};
use crate::extract::{path_id, IdListBody, Path, QueryPairs};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/actions/projects/{id}/delete-entities",
            post(delete_entities),
        )
        .route(
            "/data/entities/{id}/entities-linked/with-tasks",
            axum::routing::get(linked_with_tasks),
        )
}

/// GET /data/entities/{id}/entities-linked/with-tasks — gazu's
/// `all_entities_with_tasks_linked_to_entity`: the entities whose concept
/// links point at this one.
async fn linked_with_tasks(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<axum::response::Response> {
    crate::with_tasks::linked_route(&state.db, &user, path_id(&id)?).await
}

/// POST /actions/projects/{id}/delete-entities[?force=true] — gazu's
/// `remove_entities`.
async fn delete_entities(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    query: QueryPairs,
    IdListBody(ids): IdListBody,
) -> ApiResult<Json<Value>> {
    let project = path_id(&id)?;
    let force = query.force();
    let mut tx = state.db.begin().await?;
    rows::get(&mut tx, &models::PROJECT, project, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let (removed, gone) = deletion::remove_entities(&mut tx, &user, project, &ids, force).await?;
    deletion::commit(&state, tx, user.id, gone).await?;
    Ok(Json(Value::from(removed)))
}
