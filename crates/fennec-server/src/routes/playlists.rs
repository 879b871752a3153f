//! Zou's `playlists` blueprint, for what Kitsu's production pages read of
//! it before playlists themselves exist in Fennec (issue 14): an entity's
//! previews by task type, which the task page loads for its player.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::Value;

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::ApiResult;

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/data/playlists/entities/{entity_id}/preview-files",
        get(entity_preview_files),
    )
}

/// GET /data/playlists/entities/{entity_id}/preview-files — `{}` for an
/// entity without previews, as Zou answers.
async fn entity_preview_files(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(entity_id): Path<String>,
) -> ApiResult<Json<Value>> {
    crate::previews::any_entity_previews(&state, &user, &entity_id).await
}
