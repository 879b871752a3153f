//! Zou's `files` blueprint: what Fennec serves of it so far, the guess of
//! entities from a file path (gazu's `entity.guess_from_path`).

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use fennec_api::models;
use fennec_store::rows;
use serde_json::{Map, Value};

use crate::app::AppState;
use crate::auth::permissions::check_project_access;
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::SchemaBody;

pub fn routes() -> Router<AppState> {
    Router::new().route("/data/entities/guess_from_path", post(guess_from_path))
}

/// pydantic's checks of a required, non-empty string field.
fn required_text(body: &Map<String, Value>, key: &str) -> Option<(String, String)> {
    let message = match body.get(key) {
        None => "Field required",
        Some(Value::String(s)) if s.is_empty() => "String should have at least 1 character",
        Some(Value::String(_)) => return None,
        Some(_) => "Input should be a valid string",
    };
    Some((key.to_owned(), message.to_owned()))
}

/// POST /data/entities/guess_from_path — the templates of the production's
/// file tree a path matches, with the ids of what it names. Zou fails with
/// a 500 on a production without a file tree; Fennec says so, as a 400.
async fn guess_from_path(
    State(s): State<AppState>,
    user: CurrentUser,
    SchemaBody(body): SchemaBody,
) -> ApiResult<Json<Value>> {
    let mut errors: Vec<(String, String)> = ["project_id", "file_path"]
        .iter()
        .filter_map(|k| required_text(&body, k))
        .collect();
    if body.get("sep").is_some_and(|v| !v.is_string()) {
        errors.push(("sep".into(), "Input should be a valid string".into()));
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let project_id = body["project_id"].as_str().unwrap_or_default();
    let mut conn = s.db.conn().await?;
    let project = uuid::Uuid::parse_str(project_id).ok();
    // Zou checks the team before it looks the production up.
    if !user.is_admin() {
        match project {
            Some(p) => check_project_access(&mut conn, &user, p).await?,
            None => return Err(ApiError::forbidden()),
        }
    }
    let project = match project {
        Some(p) => rows::get(&mut conn, &models::PROJECT, p, false).await?,
        None => None,
    }
    .ok_or_else(ApiError::not_found)?;
    match project.get("file_tree") {
        Some(Value::Object(tree)) => {
            let sep = body.get("sep").and_then(Value::as_str).unwrap_or("/");
            let file_path = body["file_path"].as_str().unwrap_or_default();
            let project_id = crate::present::id_of(&project);
            Ok(Json(Value::Array(
                crate::file_tree::guess_from_path(&mut conn, project_id, tree, file_path, sep)
                    .await?,
            )))
        }
        None | Some(Value::Null) => Err(ApiError::bad_request(
            "This production has no file tree: set one (gazu's files.update_project_file_tree) \
             before guessing entities from a path.",
        )),
        Some(_) => Err(ApiError::bad_request(
            "Malformed file tree: the production's file tree is not an object.",
        )),
    }
}
