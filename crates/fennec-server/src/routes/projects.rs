//! Zou's `projects` blueprint: team and project settings.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use fennec_api::models;
use fennec_store::db::Exec;
use fennec_store::links::{self, Link};
use fennec_store::rows::{self, Filter, Select};
use fennec_store::SqlValue;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::permissions::{check_manager_project_access, check_project_access, on_project};
use crate::auth::user::Role;
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::{path_id, Path, SchemaBody};
use crate::generic_crud::finish_rows;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/data/projects/open", get(open_projects))
        .route("/data/projects/all", get(all_projects))
        .route("/data/projects/{id}/team", post(add_team_member).get(team))
        .route("/data/projects/{id}/task-types", get(project_task_types))
        .route("/data/projects/{id}/news", get(project_news))
        .route(
            "/data/projects/{id}/news/{news_id}",
            get(project_news_entry),
        )
        .route(
            "/data/projects/{id}/team/{person_id}",
            delete(remove_team_member).put(set_team_member_role),
        )
        .route(
            "/data/projects/{id}/settings/task-types",
            post(add_task_type),
        )
        .route(
            "/data/projects/{id}/settings/task-status",
            post(add_task_status).get(project_task_statuses),
        )
        .route(
            "/data/projects/{id}/settings/asset-types",
            post(add_asset_type),
        )
        .route(
            "/data/projects/{id}/settings/task-types/{ref_id}",
            delete(remove_task_type),
        )
        .route(
            "/data/projects/{id}/settings/task-status/{ref_id}",
            delete(remove_task_status),
        )
        .route(
            "/data/projects/{id}/settings/asset-types/{ref_id}",
            delete(remove_asset_type),
        )
}

/// An id named `key` in the body, which must exist in `model`.
async fn body_ref(
    exec: &mut impl Exec,
    body: &serde_json::Map<String, Value>,
    key: &str,
    model: &'static models::Model,
) -> ApiResult<Uuid> {
    let value = match body.get(key) {
        None | Some(Value::Null) => {
            return Err(ApiError::validation(vec![(
                key.to_owned(),
                "Field required".into(),
            )]))
        }
        Some(Value::String(s)) => s.as_str(),
        Some(_) => {
            return Err(ApiError::validation(vec![(
                key.to_owned(),
                "Input should be a valid string".into(),
            )]))
        }
    };
    // Zou's services name the class of what they did not find (asset
    // types are entity types there).
    let class = if model.table == "entity_types" {
        "EntityType"
    } else {
        model.type_name
    };
    let not_found = || ApiError::bad_request(format!("{class} with id {value} not found"));
    let id = Uuid::parse_str(value).map_err(|_| not_found())?;
    rows::get(exec, model, id, false)
        .await?
        .ok_or_else(not_found)?;
    Ok(id)
}

/// Adds the referenced object to one of the project's lists and answers
/// the project (201), as Zou's settings routes do.
async fn link_to_project(
    state: &AppState,
    user: &CurrentUser,
    project_id: &str,
    body: serde_json::Map<String, Value>,
    key: &str,
    model: &'static models::Model,
    link: Link,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let project_id = path_id(project_id)?;
    let team = link.table == links::PROJECT_TEAM.table;
    let role = if team { project_role(&body)? } else { None };
    let mut tx = state.db.begin().await?;
    rows::get(&mut tx, &models::PROJECT, project_id, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    check_manager_project_access(&mut tx, user, project_id).await?;
    let id = body_ref(&mut tx, &body, key, model).await?;
    link.add(&mut tx, project_id, id).await?;
    // Zou's _save_project: `project:update` with no data but the
    // production; a role given with a new member is a second update.
    let updated = json!({});
    crate::events::emit(
        &mut tx,
        Some(user.id),
        "project:update",
        updated.clone(),
        Some(project_id),
    )
    .await?;
    if team {
        links::set_team_role(&mut tx, project_id, id, role.as_deref()).await?;
        if role.is_some() {
            crate::events::emit(
                &mut tx,
                Some(user.id),
                "project:update",
                updated,
                Some(project_id),
            )
            .await?;
        }
    }
    if let (Some(p), true) = (
        body.get("priority"),
        link.table == links::PROJECT_TASK_TYPES.table,
    ) {
        if let Some(p) = p.as_i64() {
            fennec_store::on!(&mut tx, c => sqlx::query(
                "UPDATE project_task_type_link SET priority = $1 WHERE project_id = $2 AND task_type_id = $3")
                .bind(p).bind(project_id).bind(id).execute(&mut *c).await
                .map_err(fennec_store::StoreError::from)?.rows_affected());
        }
    }
    let mut row = rows::get(&mut tx, &models::PROJECT, project_id, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    finish_rows(
        &mut tx,
        &models::PROJECT,
        std::slice::from_mut(&mut row),
        false,
    )
    .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Value::Object(row))))
}

async fn unlink_from_project(
    state: &AppState,
    user: &CurrentUser,
    project_id: &str,
    ref_id: &str,
    link: Link,
) -> ApiResult<StatusCode> {
    let project_id = path_id(project_id)?;
    let ref_id = path_id(ref_id)?;
    let mut tx = state.db.begin().await?;
    rows::get(&mut tx, &models::PROJECT, project_id, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    check_manager_project_access(&mut tx, user, project_id).await?;
    link.remove(&mut tx, project_id, ref_id).await?;
    // Zou's _save_project (also when nothing was linked).
    crate::events::emit(
        &mut tx,
        Some(user.id),
        "project:update",
        json!({}),
        Some(project_id),
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The `role` of a team body (Zou's ProjectRole: any role but admin,
/// which stays global); absent or null keeps the global role.
fn project_role(body: &serde_json::Map<String, Value>) -> ApiResult<Option<String>> {
    const ROLES: &[&str] = &["user", "supervisor", "manager", "client", "vendor"];
    match body.get("role") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(r)) if ROLES.contains(&r.as_str()) => Ok(Some(r.clone())),
        Some(_) => Err(ApiError::validation(vec![(
            "role".into(),
            "Input should be 'user', 'supervisor', 'manager', 'client' or 'vendor'".into(),
        )])),
    }
}

/// GET /data/projects/{id}/team — the team, each with his `project_role`
/// (null when he keeps his global role), shown as Zou shows persons to
/// the caller's role on the production.
async fn team(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let project_id = path_id(&id)?;
    let mut conn = s.db.conn().await?;
    check_project_access(&mut conn, &user, project_id).await?;
    let user = on_project(&mut conn, &user, project_id).await?;
    let roles = links::team_roles(&mut conn, project_id).await?;
    let mut out = Vec::new();
    for person in links::PROJECT_TEAM.rights(&mut conn, project_id).await? {
        let Some(row) = crate::present::person_in_place(&mut conn, person).await? else {
            continue;
        };
        let mut row = match user.role {
            Role::Admin | Role::Manager => row,
            Role::Client => crate::present::client_person(&row),
            _ => crate::present::minimal_person(&row),
        };
        row.shift_remove("password");
        row.insert(
            "project_role".into(),
            roles
                .get(&person)
                .map_or(Value::Null, |r| Value::String(r.clone())),
        );
        out.push(Value::Object(row));
    }
    Ok(Json(Value::Array(out)))
}

/// PUT /data/projects/{id}/team/{person_id} `{"role"}` — a member's role on
/// this production only; null gives him back his global role.
async fn set_team_member_role(
    State(s): State<AppState>,
    user: CurrentUser,
    Path((id, person)): Path<(String, String)>,
    SchemaBody(body): SchemaBody,
) -> ApiResult<Json<Value>> {
    let project_id = path_id(&id)?;
    let person = path_id(&person)?;
    let role = project_role(&body)?;
    let mut tx = s.db.begin().await?;
    rows::get(&mut tx, &models::PROJECT, project_id, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    check_manager_project_access(&mut tx, &user, project_id).await?;
    if !links::set_team_role(&mut tx, project_id, person, role.as_deref()).await? {
        return Err(ApiError::bad_request(
            "Person is not a member of the project team",
        ));
    }
    // Zou's update_team_member_role: `project:update`.
    crate::events::emit(
        &mut tx,
        Some(user.id),
        "project:update",
        json!({}),
        Some(project_id),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(json!({
        "project_id": project_id.to_string(),
        "person_id": person.to_string(),
        "role": role,
    })))
}

/// POST /data/projects/{id}/team
async fn add_team_member(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    SchemaBody(body): SchemaBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    link_to_project(
        &s,
        &user,
        &id,
        body,
        "person_id",
        &models::PERSON,
        links::PROJECT_TEAM,
    )
    .await
}

/// DELETE /data/projects/{id}/team/{person_id}
async fn remove_team_member(
    State(s): State<AppState>,
    user: CurrentUser,
    Path((id, person)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    unlink_from_project(&s, &user, &id, &person, links::PROJECT_TEAM).await
}

/// POST /data/projects/{id}/settings/task-types
async fn add_task_type(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    SchemaBody(body): SchemaBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    link_to_project(
        &s,
        &user,
        &id,
        body,
        "task_type_id",
        &models::TASK_TYPE,
        links::PROJECT_TASK_TYPES,
    )
    .await
}

/// GET /data/projects/{id}/task-types — the task types linked to the
/// production (its settings, not the types of its tasks: Zou answers
/// `project.task_types`), for anyone with access to it.
async fn project_task_types(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let project_id = path_id(&id)?;
    let mut conn = s.db.conn().await?;
    check_project_access(&mut conn, &user, project_id).await?;
    rows::get(&mut conn, &models::PROJECT, project_id, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let ids: Vec<SqlValue> = links::PROJECT_TASK_TYPES
        .rights(&mut conn, project_id)
        .await?
        .into_iter()
        .map(SqlValue::Uuid)
        .collect();
    if ids.is_empty() {
        return Ok(Json(json!([])));
    }
    let select = Select::default().filter(Filter::In("id", ids));
    let list = rows::list(&mut conn, &models::TASK_TYPE, &select, false).await?;
    Ok(Json(Value::Array(
        list.into_iter().map(Value::Object).collect(),
    )))
}

/// GET /data/projects/{id}/settings/task-status — the statuses linked to
/// the production, for its team. (Zou has no GET on settings/task-types:
/// that one stays 405, as gazu's `get_project_task_types` finds on Zou.)
async fn project_task_statuses(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let project_id = path_id(&id)?;
    let mut conn = s.db.conn().await?;
    check_project_access(&mut conn, &user, project_id).await?;
    rows::get(&mut conn, &models::PROJECT, project_id, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let mut out = Vec::new();
    for status in links::PROJECT_TASK_STATUSES
        .rights(&mut conn, project_id)
        .await?
    {
        if let Some(row) = rows::get(&mut conn, &models::TASK_STATUS, status, false).await? {
            out.push(Value::Object(row));
        }
    }
    Ok(Json(Value::Array(out)))
}

/// POST /data/projects/{id}/settings/task-status
async fn add_task_status(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    SchemaBody(body): SchemaBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    link_to_project(
        &s,
        &user,
        &id,
        body,
        "task_status_id",
        &models::TASK_STATUS,
        links::PROJECT_TASK_STATUSES,
    )
    .await
}

/// POST /data/projects/{id}/settings/asset-types
async fn add_asset_type(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    SchemaBody(body): SchemaBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    link_to_project(
        &s,
        &user,
        &id,
        body,
        "asset_type_id",
        &models::ENTITY_TYPE,
        links::PROJECT_ASSET_TYPES,
    )
    .await
}

/// DELETE /data/projects/{id}/settings/task-types/{task_type_id}
async fn remove_task_type(
    State(s): State<AppState>,
    user: CurrentUser,
    Path((id, r)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    unlink_from_project(&s, &user, &id, &r, links::PROJECT_TASK_TYPES).await
}

/// DELETE /data/projects/{id}/settings/task-status/{task_status_id}
async fn remove_task_status(
    State(s): State<AppState>,
    user: CurrentUser,
    Path((id, r)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    unlink_from_project(&s, &user, &id, &r, links::PROJECT_TASK_STATUSES).await
}

/// DELETE /data/projects/{id}/settings/asset-types/{asset_type_id}
async fn remove_asset_type(
    State(s): State<AppState>,
    user: CurrentUser,
    Path((id, r)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    unlink_from_project(&s, &user, &id, &r, links::PROJECT_ASSET_TYPES).await
}

/// GET /data/projects/open — open projects the caller may see (all for
/// admins, those whose team he is in for others).
async fn open_projects(State(state): State<AppState>, user: CurrentUser) -> ApiResult<Json<Value>> {
    use fennec_store::rows::{Filter, Select};
    use fennec_store::SqlValue;
    let mut conn = state.db.conn().await?;
    let Some(open) = fennec_store::defaults::project_status_id(&mut conn, "Open").await? else {
        return Ok(Json(Value::Array(vec![])));
    };
    let mut select = Select::default().eq("project_status_id", SqlValue::Uuid(open));
    if !user.is_admin() {
        let ids = crate::generic_crud::visible_projects(&mut conn, &user).await?;
        select = select.filter(Filter::In(
            "id",
            ids.into_iter().map(SqlValue::Uuid).collect(),
        ));
    }
    let mut list = rows::list(&mut conn, &models::PROJECT, &select, true).await?;
    finish_rows(&mut conn, &models::PROJECT, &mut list, true).await?;
    // Zou lists open productions with their details, as one project's GET.
    for row in &mut list {
        crate::present::project_detail(&mut conn, row, &user).await?;
        row.shift_remove("project_status_name");
    }
    Ok(Json(Value::Array(
        list.into_iter().map(Value::Object).collect(),
    )))
}

/// GET /data/projects/all — every production, whatever its status (Kitsu
/// loads it at start-up). Admins get them all by name, each with its status
/// name and its Project-level metadata descriptors (Zou's `get_projects`);
/// anyone else the productions of his teams, plain. `name` picks one (case
/// ignored), 404 when none matches.
async fn all_projects(
    State(state): State<AppState>,
    user: CurrentUser,
    query: crate::extract::QueryPairs,
) -> ApiResult<Json<Value>> {
    use fennec_store::rows::{Filter, Order, Select};
    use fennec_store::SqlValue;
    let mut conn = state.db.conn().await?;
    let name = query.get("name");
    let mut select = Select {
        order: Order::Name,
        ..Select::default()
    };
    if !user.is_admin() {
        let ids = crate::generic_crud::visible_projects(&mut conn, &user).await?;
        select = select.filter(Filter::In(
            "id",
            ids.into_iter().map(SqlValue::Uuid).collect(),
        ));
    }
    let mut list = rows::list(&mut conn, &models::PROJECT, &select, false).await?;
    if let Some(name) = name {
        let found = list.into_iter().find(|p| {
            let n = p.get("name").and_then(Value::as_str).unwrap_or("");
            if user.is_admin() {
                crate::file_tree::ilike(n, name)
            } else {
                n.to_lowercase() == name.to_lowercase()
            }
        });
        let mut found = vec![found.ok_or_else(ApiError::not_found)?];
        finish_rows(&mut conn, &models::PROJECT, &mut found, false).await?;
        return Ok(Json(json!(found)));
    }
    finish_rows(&mut conn, &models::PROJECT, &mut list, false).await?;
    if user.is_admin() {
        let ids: Vec<Uuid> = list.iter().map(crate::present::id_of).collect();
        let mut by_project: std::collections::HashMap<Uuid, Vec<Value>> = Default::default();
        for d in crate::present::project_descriptors(&mut conn, &ids).await? {
            if d.entity_type == "Project" {
                by_project.entry(d.project_id).or_default().push(d.json);
            }
        }
        let statuses: std::collections::HashMap<String, Value> = rows::list(
            &mut conn,
            &models::PROJECT_STATUS,
            &Select::default(),
            false,
        )
        .await?
        .into_iter()
        .filter_map(|r| {
            let id = r.get("id")?.as_str()?.to_owned();
            Some((id, r.get("name").cloned().unwrap_or(Value::Null)))
        })
        .collect();
        for row in &mut list {
            let status = row
                .get("project_status_id")
                .and_then(Value::as_str)
                .and_then(|s| statuses.get(s).cloned())
                .unwrap_or(Value::Null);
            row.insert("project_status_name".into(), status);
            let id = crate::present::id_of(row);
            row.insert(
                "descriptors".into(),
                Value::Array(by_project.remove(&id).unwrap_or_default()),
            );
        }
    }
    Ok(Json(json!(list)))
}

/// GET /data/projects/{project_id}/news — a page of the production's
/// activity feed (Kitsu's news feed), Zou's news blueprint: filters
/// `only_preview`, `task_type_id`, `task_status_id`, `person_id`,
/// `episode_id`, `after`, `before`; `page` and `limit`.
async fn project_news(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    query: crate::extract::QueryPairs,
) -> ApiResult<Json<Value>> {
    let id = path_id(&id)?;
    let args = crate::notifications::NewsArgs::read(&query)?;
    let mut conn = s.db.conn().await?;
    Ok(Json(
        crate::notifications::project_news(&mut conn, &user, id, args).await?,
    ))
}

/// GET /data/projects/{project_id}/news/{news_id}
async fn project_news_entry(
    State(s): State<AppState>,
    user: CurrentUser,
    Path((id, news)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let id = path_id(&id)?;
    let news = path_id(&news)?;
    let mut conn = s.db.conn().await?;
    Ok(Json(
        crate::notifications::project_news_entry(&mut conn, &user, id, news).await?,
    ))
}
