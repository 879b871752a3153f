//! Zou's `assets` blueprint, for what Fennec serves of it apart from the
//! hierarchy in `shots.rs`: Kitsu's asset board.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use fennec_api::models;
use fennec_store::on;
use fennec_store::rows::{self, Filter, Select};
use fennec_store::SqlValue;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::permissions::check_project_access;
use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::extract::{path_id, Path, QueryPairs};
use crate::present::EntityTypes;
use crate::with_tasks;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/data/assets/with-tasks", get(assets_with_tasks))
        .route(
            "/data/projects/{id}/assets/shared-used",
            get(shared_assets_used),
        )
        .route(
            "/data/projects/{id}/episodes/{episode_id}/assets/shared-used",
            get(episode_shared_assets_used),
        )
}

/// GET /data/projects/{id}/assets/shared-used — the shared assets of other
/// productions cast in this one's shots (Kitsu's asset page lists them
/// beside the production's own).
async fn shared_assets_used(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    shared_used(&state, &user, &id, None).await
}

/// GET /data/projects/{id}/episodes/{episode_id}/assets/shared-used — the
/// same, cast in that episode's shots (`main` and `all` mean the whole
/// production, as in Zou).
async fn episode_shared_assets_used(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, episode)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    shared_used(&state, &user, &id, Some(&episode)).await
}

async fn shared_used(
    state: &AppState,
    user: &CurrentUser,
    project: &str,
    episode: Option<&str>,
) -> ApiResult<Json<Value>> {
    let project = path_id(project)?;
    let episode = match episode {
        None | Some("main" | "all") => None,
        Some(e) => Some(path_id(e)?),
    };
    let mut conn = state.db.conn().await?;
    check_project_access(&mut conn, user, project).await?;
    let types = EntityTypes::load(&mut conn).await?;
    let asset_types: Vec<Uuid> = types.asset_type_ids();
    // Zou's query: shared, not canceled assets of another production, out
    // of a link whose shot (in a sequence) belongs to this production.
    let ids: Vec<Uuid> = on!(&mut conn, c => sqlx::query_scalar(
        "SELECT DISTINCT a.id FROM entities a \
         JOIN entity_links l ON l.entity_out_id = a.id \
         JOIN entities shot ON shot.id = l.entity_in_id \
         JOIN entities seq ON seq.id = shot.parent_id \
         WHERE a.is_shared = TRUE AND a.canceled IS NOT TRUE \
           AND a.project_id <> $1 AND shot.project_id = $1 \
           AND ($2 IS NULL OR seq.parent_id = $2)")
        .bind(project)
        .bind(episode)
        .fetch_all(&mut *c)
        .await
        .map_err(fennec_store::StoreError::from)?);
    let ids: Vec<SqlValue> = ids
        .into_iter()
        .filter(|_| !asset_types.is_empty())
        .map(SqlValue::Uuid)
        .collect();
    if ids.is_empty() {
        return Ok(Json(json!([])));
    }
    let select = Select::default()
        .filter(Filter::In("id", ids))
        .filter(Filter::In(
            "entity_type_id",
            asset_types.into_iter().map(SqlValue::Uuid).collect(),
        ));
    let mut rows = rows::list(&mut conn, &models::ENTITY, &select, false).await?;
    for row in &mut rows {
        row.insert("type".into(), json!("Asset"));
    }
    Ok(Json(json!(rows)))
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
