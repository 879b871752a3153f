//! Zou's `assets` blueprint, for what Fennec serves of it apart from the
//! hierarchy in `shots.rs`: Kitsu's asset board.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::Router;

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::extract::QueryPairs;
use crate::with_tasks;

pub fn routes() -> Router<AppState> {
    Router::new().route("/data/assets/with-tasks", get(assets_with_tasks))
}

/// GET /data/assets/with-tasks[?project_id=&episode_id=&id=&compact=true&stream=true]
/// — Kitsu's asset board (it asks for `stream=true&compact=true`).
async fn assets_with_tasks(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    q: QueryPairs,
) -> ApiResult<Response> {
    with_tasks::assets_route(&state.db, &user, &headers, &q).await
}
