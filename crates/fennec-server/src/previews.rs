//! An entity's previews by task type, as Zou's shots, edits and concepts
//! blueprints answer them (`ShotPreviewsResource`, `EditPreviewsResource`,
//! `ConceptPreviewsResource`); the read itself is fennec-store's
//! `previews` module. Shared here because the shots and concepts route
//! modules both serve it.

use axum::Json;
use fennec_api::models;
use fennec_store::rows;
use serde_json::Value;

use crate::app::AppState;
use crate::auth::permissions::{check_project_access, on_project};
use crate::auth::user::Role;
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::path_id;
use crate::present::{uuid_field, EntityTypes};
use crate::reach::check_entity_access;

/// The previews of the entity of path id `id`, which must be of `kind`
/// (`Shot`, `Edit`, `Concept`: anything else is Zou's not-found of that
/// kind, 404). The caller must be on the production's team; a vendor must
/// hold a task on the entity; a client reads no concept's previews.
pub async fn entity_previews(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    kind: &str,
) -> ApiResult<Json<Value>> {
    previews_of(state, user, id, Some(kind)).await
}

/// The previews of an entity of any kind, as Zou's playlists blueprint
/// answers `/data/playlists/entities/{id}/preview-files` (Kitsu's task
/// page): the same read and checks, without the kind.
pub async fn any_entity_previews(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
) -> ApiResult<Json<Value>> {
    previews_of(state, user, id, None).await
}

async fn previews_of(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    kind: Option<&str>,
) -> ApiResult<Json<Value>> {
    let id = path_id(id)?;
    let mut conn = state.db.conn().await?;
    let entity = rows::get(&mut conn, &models::ENTITY, id, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let types = EntityTypes::load(&mut conn).await?;
    let entity_type = uuid_field(&entity, "entity_type_id").unwrap_or_default();
    if kind.is_some_and(|k| types.kind(entity_type) != k) {
        return Err(ApiError::not_found());
    }
    let project = uuid_field(&entity, "project_id").unwrap_or_default();
    check_project_access(&mut conn, user, project).await?;
    // Zou's role checks after check_project_access use the caller's role
    // on that production.
    let user = on_project(&mut conn, user, project).await?;
    check_entity_access(&mut conn, &user, Some(id)).await?;
    if kind == Some("Concept") && user.role == Role::Client {
        return Err(ApiError::forbidden());
    }
    let previews = fennec_store::previews::entity_previews_by_task_type(&mut conn, id).await?;
    Ok(Json(Value::Object(previews)))
}
