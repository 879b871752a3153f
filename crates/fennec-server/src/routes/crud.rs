//! Zou's generic CRUD blueprint: `/data/<model>` and `/data/<model>/<id>`
//! (the handlers are in `generic_crud`, shared with the tasks routes).
//!
//! Production schedule versions, which Kitsu's production schedule lists,
//! are not stored by Fennec: their list answers what Zou answers for a
//! studio that has made none, `[]` (filters such as `?project_id=`
//! included), so the page loads; reading, creating or changing one is
//! still the unknown-model 404.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::app::AppState;
use crate::auth::permissions::{check_project_access, require_admin};
use crate::auth::user::Role;
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::{crud_id, QueryPairs};
use crate::generic_crud::{create, list, read, remove, update};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/data/production-schedule-versions",
            get(production_schedule_versions),
        )
        .route("/data/{model}", get(list).post(create))
        .route("/data/{model}/{id}", get(read).put(update).delete(remove))
}

/// GET /data/production-schedule-versions[?project_id=] — with a
/// production, its team; without, admins; never vendors or clients.
async fn production_schedule_versions(
    State(state): State<AppState>,
    user: CurrentUser,
    q: QueryPairs,
) -> ApiResult<Json<Value>> {
    match q.get("project_id") {
        Some(project) => {
            let project = crud_id(project)?;
            let mut conn = state.db.conn().await?;
            check_project_access(&mut conn, &user, project).await?;
        }
        None => require_admin(&user)?,
    }
    if matches!(user.role, Role::Vendor | Role::Client) {
        return Err(ApiError::forbidden());
    }
    Ok(Json(json!([])))
}
