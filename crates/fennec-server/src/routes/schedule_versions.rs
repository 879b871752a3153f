//! Zou 1.0.97's production schedule versions, as Kitsu's production
//! schedule calls them: the generic CRUD resources
//! `/data/production-schedule-versions` and
//! `/data/production-schedule-version-task-links` with their subclasses'
//! rights (the production's team reads, its managers write, never vendors
//! or clients), and the `projects` blueprint's task-link list and actions.
//! The copying and applying is in `schedule_versions.rs`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use fennec_api::models::{
    PRODUCTION_SCHEDULE_VERSION as VERSION, PRODUCTION_SCHEDULE_VERSION_TASK_LINK as LINK, TASK,
};
use fennec_store::rows::{self, Filter, Row, Select};
use fennec_store::SqlValue;
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::permissions::{self, check_manager_project_access};
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::{crud_id, path_id, CrudBody, JsonBody, Path, QueryPairs};
use crate::generic_crud::{filters_from_query, id_list, values_from_body, Resource, Scope};
use crate::present::uuid_field;
use crate::schedule_versions as sv;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/data/production-schedule-versions",
            get(list_versions).post(create_version),
        )
        .route(
            "/data/production-schedule-versions/{id}",
            get(read_version).put(update_version).delete(remove_version),
        )
        .route(
            "/data/production-schedule-versions/{id}/task-links",
            get(version_links),
        )
        .route(
            "/data/production-schedule-version-task-links",
            get(list_links).post(create_link),
        )
        .route(
            "/data/production-schedule-version-task-links/{id}",
            get(read_link).put(update_link).delete(remove_link),
        )
        .route(
            "/actions/production-schedule-versions/{id}/set-task-links-from-production",
            post(set_from_production),
        )
        .route(
            "/actions/production-schedule-versions/{id}/set-task-links-from-production-schedule-version",
            post(set_from_version),
        )
        .route(
            "/actions/production-schedule-versions/{id}/apply-to-production",
            post(apply),
        )
}

const VERSIONS: Resource = Resource {
    model: &VERSION,
    scope: Scope::Plain,
};
const LINKS: Resource = Resource {
    model: &LINK,
    scope: Scope::Plain,
};

fn rows_json(rows: Vec<Row>) -> Json<Value> {
    Json(Value::Array(rows.into_iter().map(Value::Object).collect()))
}

/// The list check: with `?project_id=`, its team; without, admins.
async fn check_list(
    exec: &mut impl fennec_store::db::Exec,
    user: &CurrentUser,
    query: &QueryPairs,
) -> ApiResult<Option<Uuid>> {
    match query.get("project_id") {
        Some(p) => {
            let p = Uuid::parse_str(p)
                .map_err(|_| ApiError::bad_request(format!("Invalid UUID value: {p}")))?;
            sv::check_read(exec, user, p).await?;
            Ok(Some(p))
        }
        None => {
            permissions::require_admin(user)?;
            Ok(None)
        }
    }
}

/// Zou's TypeError on a key the model does not have.
fn refuse_unknown_keys(
    body: &Map<String, Value>,
    model: &fennec_api::models::Model,
) -> ApiResult<()> {
    if let Some(k) = body.keys().find(|k| model.column(k).is_none()) {
        return Err(ApiError::bad_request_message(format!(
            "'{k}' is an invalid keyword argument for {}",
            model.type_name
        )));
    }
    Ok(())
}

/// GET /data/production-schedule-versions[?project_id=]
async fn list_versions(
    State(state): State<AppState>,
    user: CurrentUser,
    query: QueryPairs,
) -> ApiResult<Json<Value>> {
    let mut conn = state.db.conn().await?;
    check_list(&mut conn, &user, &query).await?;
    let select = Select {
        filters: filters_from_query(VERSIONS, &query)?,
        ..Select::default()
    };
    Ok(rows_json(
        rows::list(&mut conn, &VERSION, &select, false).await?,
    ))
}

/// POST /data/production-schedule-versions — the production's managers.
async fn create_version(
    State(state): State<AppState>,
    user: CurrentUser,
    body: CrudBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let body = body.object()?;
    let mut tx = state.db.begin().await?;
    // Zou reads data["project_id"] first: a KeyError, its message the key.
    let project = match body.get("project_id") {
        None => return Err(ApiError::bad_request_message("'project_id'")),
        Some(p) => p
            .as_str()
            .and_then(|s| Uuid::parse_str(s).ok())
            .ok_or_else(|| ApiError::bad_request_message(fennec_api::error::INVALID_FORMAT))?,
    };
    check_manager_project_access(&mut tx, &user, project).await?;
    refuse_unknown_keys(&body, &VERSION)?;
    let values = values_from_body(&VERSION, &body, true)?;
    let row = rows::insert(&mut tx, &VERSION, values).await?;
    let id = uuid_field(&row, "id").unwrap_or_default();
    crate::events::emit(
        &mut tx,
        Some(user.id),
        "production-schedule-version:new",
        json!({"production_schedule_version_id": id.to_string()}),
        Some(project),
    )
    .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Value::Object(row))))
}

async fn version_by_crud_id(
    exec: &mut impl fennec_store::db::Exec,
    id: &str,
) -> ApiResult<(Uuid, Row)> {
    let id = crud_id(id)?;
    Ok((id, sv::load_version(exec, id).await?))
}

fn project_of(row: &Row) -> Uuid {
    uuid_field(row, "project_id").unwrap_or_default()
}

/// GET /data/production-schedule-versions/{id}
async fn read_version(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let mut conn = state.db.conn().await?;
    let (_, row) = version_by_crud_id(&mut conn, &id).await?;
    sv::check_read(&mut conn, &user, project_of(&row)).await?;
    Ok(Json(Value::Object(row)))
}

/// PUT /data/production-schedule-versions/{id} — the production's
/// managers; the production stays (a protected field).
async fn update_version(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    body: CrudBody,
) -> ApiResult<Json<Value>> {
    let mut body = body.object()?;
    let mut tx = state.db.begin().await?;
    let (id, row) = version_by_crud_id(&mut tx, &id).await?;
    check_manager_project_access(&mut tx, &user, project_of(&row)).await?;
    body.remove("project_id");
    let values = values_from_body(&VERSION, &body, false)?;
    let row = sv::update_version(&mut tx, user.id, id, values).await?;
    tx.commit().await?;
    Ok(Json(Value::Object(row)))
}

/// DELETE /data/production-schedule-versions/{id} — the production's
/// managers; its task links go with it.
async fn remove_version(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let mut tx = state.db.begin().await?;
    let (id, row) = version_by_crud_id(&mut tx, &id).await?;
    check_manager_project_access(&mut tx, &user, project_of(&row)).await?;
    sv::detach(&mut tx, id).await?;
    rows::delete(&mut tx, &VERSION, id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A version of the `projects` blueprint's routes: an unknown one is
/// Zou's ProductionScheduleVersionNotFoundException (404).
async fn version_by_path_id(
    exec: &mut impl fennec_store::db::Exec,
    id: &str,
) -> ApiResult<(Uuid, Row)> {
    let id = path_id(id)?;
    Ok((id, sv::load_version(exec, id).await?))
}

/// GET /data/production-schedule-versions/{id}/task-links[?task_type_id=&relations=]
async fn version_links(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    query: QueryPairs,
) -> ApiResult<Json<Value>> {
    let mut conn = state.db.conn().await?;
    let (id, row) = version_by_path_id(&mut conn, &id).await?;
    sv::check_read(&mut conn, &user, project_of(&row)).await?;
    let task_type = match query.get("task_type_id").filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            Uuid::parse_str(s)
                .map_err(|_| ApiError::bad_request(format!("Invalid UUID value: {s}")))?,
        ),
    };
    let links = sv::task_links(&mut conn, id, task_type, query.flag("relations")).await?;
    Ok(rows_json(links))
}

/// POST /actions/production-schedule-versions/{id}/set-task-links-from-production
async fn set_from_production(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let mut tx = state.db.begin().await?;
    let (_, row) = version_by_path_id(&mut tx, &id).await?;
    check_manager_project_access(&mut tx, &user, project_of(&row)).await?;
    let out = sv::set_from_production(&mut tx, &row).await?;
    tx.commit().await?;
    Ok(Json(out))
}

/// POST /actions/production-schedule-versions/{id}/set-task-links-from-production-schedule-version
/// — `{"production_schedule_version_id"}` of the same production.
async fn set_from_version(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    body: JsonBody,
) -> ApiResult<Json<Value>> {
    let body = body.object()?;
    let mut tx = state.db.begin().await?;
    let (_, row) = version_by_path_id(&mut tx, &id).await?;
    check_manager_project_access(&mut tx, &user, project_of(&row)).await?;
    let other = match body.get("production_schedule_version_id") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(Value::String(_)) => {
            return Err(ApiError::validation(vec![(
                "production_schedule_version_id".into(),
                "String should have at least 1 character".into(),
            )]))
        }
        Some(_) => {
            return Err(ApiError::validation(vec![(
                "production_schedule_version_id".into(),
                "Input should be a valid string".into(),
            )]))
        }
        None => {
            return Err(ApiError::validation(vec![(
                "production_schedule_version_id".into(),
                "Field required".into(),
            )]))
        }
    };
    let (other, other_row) = version_by_path_id(&mut tx, &other).await?;
    if project_of(&other_row) != project_of(&row) {
        return Err(ApiError::bad_request(
            "Production schedule versions must belong to the same project.",
        ));
    }
    let out = sv::set_from_version(&mut tx, user.id, &row, other).await?;
    tx.commit().await?;
    Ok(Json(out))
}

/// POST /actions/production-schedule-versions/{id}/apply-to-production
async fn apply(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let mut tx = state.db.begin().await?;
    let (_, row) = version_by_path_id(&mut tx, &id).await?;
    check_manager_project_access(&mut tx, &user, project_of(&row)).await?;
    let out = sv::apply(&mut tx, user.id, &row).await?;
    tx.commit().await?;
    Ok(Json(out))
}

/// GET /data/production-schedule-version-task-links[?project_id=] — a
/// link has no production of its own: it is the version's.
async fn list_links(
    State(state): State<AppState>,
    user: CurrentUser,
    query: QueryPairs,
) -> ApiResult<Json<Value>> {
    let mut conn = state.db.conn().await?;
    let project = check_list(&mut conn, &user, &query).await?;
    let mut filters = filters_from_query(LINKS, &query)?;
    if let Some(p) = project {
        let versions: Vec<SqlValue> = rows::list(
            &mut conn,
            &VERSION,
            &Select::default().eq("project_id", SqlValue::Uuid(p)),
            false,
        )
        .await?
        .iter()
        .filter_map(|v| uuid_field(v, "id"))
        .map(SqlValue::Uuid)
        .collect();
        filters.push(Filter::In("production_schedule_version_id", versions));
    }
    let relations = query.flag("relations");
    let select = Select {
        filters,
        ..Select::default()
    };
    let mut links = rows::list(&mut conn, &LINK, &select, relations).await?;
    if relations {
        sv::with_assignees(&mut conn, &mut links).await?;
    }
    Ok(rows_json(links))
}

/// The task a link is of: its production decides the rights.
async fn task_project(exec: &mut impl fennec_store::db::Exec, task: Uuid) -> ApiResult<Uuid> {
    let row = rows::get(exec, &TASK, task, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(project_of(&row))
}

fn body_id(body: &Map<String, Value>, key: &str) -> ApiResult<Uuid> {
    match body.get(key) {
        None => Err(ApiError::bad_request_message(format!("'{key}'"))),
        Some(v) => v
            .as_str()
            .and_then(|s| Uuid::parse_str(s).ok())
            .ok_or_else(ApiError::not_found),
    }
}

/// POST /data/production-schedule-version-task-links — the production's
/// managers; the task and the version of one production.
async fn create_link(
    State(state): State<AppState>,
    user: CurrentUser,
    body: CrudBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let body = body.object()?;
    let mut tx = state.db.begin().await?;
    let version = body_id(&body, "production_schedule_version_id")?;
    let version_project = project_of(&sv::load_version(&mut tx, version).await?);
    let task = body_id(&body, "task_id")?;
    if task_project(&mut tx, task).await? != version_project {
        return Err(ApiError::bad_request(
            "The task and the production schedule version must be in the same project.",
        ));
    }
    check_manager_project_access(&mut tx, &user, version_project).await?;
    refuse_unknown_keys(&body, &LINK)?;
    let assignees = id_list(body.get("assignees"))?;
    let values = values_from_body(&LINK, &body, true)?;
    let row = rows::insert(&mut tx, &LINK, values).await?;
    let id = uuid_field(&row, "id").unwrap_or_default();
    sv::ASSIGNEES.set(&mut tx, id, &assignees).await?;
    let mut rows = vec![rows::get(&mut tx, &LINK, id, true)
        .await?
        .ok_or_else(ApiError::not_found)?];
    sv::with_assignees(&mut tx, &mut rows).await?;
    crate::events::emit(
        &mut tx,
        Some(user.id),
        "production-schedule-version-task-link:new",
        json!({"production_schedule_version_task_link_id": id.to_string()}),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Value::Object(rows.remove(0)))))
}

async fn link_by_id(exec: &mut impl fennec_store::db::Exec, id: &str) -> ApiResult<(Uuid, Row)> {
    let id = crud_id(id)?;
    let row = rows::get(exec, &LINK, id, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok((id, row))
}

/// GET /data/production-schedule-version-task-links/{id} — with its
/// assignees unless `relations=false`.
async fn read_link(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    query: QueryPairs,
) -> ApiResult<Json<Value>> {
    let mut conn = state.db.conn().await?;
    let (id, _) = link_by_id(&mut conn, &id).await?;
    let relations = query.get("relations").is_none() || query.flag("relations");
    let mut row = rows::get(&mut conn, &LINK, id, relations)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let task = uuid_field(&row, "task_id").unwrap_or_default();
    let project = task_project(&mut conn, task).await?;
    sv::check_read(&mut conn, &user, project).await?;
    if relations {
        sv::with_assignees(&mut conn, std::slice::from_mut(&mut row)).await?;
    }
    Ok(Json(Value::Object(row)))
}

/// PUT /data/production-schedule-version-task-links/{id} — the task's
/// production's managers: dates, estimate, assignees (the task and the
/// version stay).
async fn update_link(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    body: CrudBody,
) -> ApiResult<Json<Value>> {
    let mut body = body.object()?;
    let mut tx = state.db.begin().await?;
    let (id, row) = link_by_id(&mut tx, &id).await?;
    let task = uuid_field(&row, "task_id").unwrap_or_default();
    let project = task_project(&mut tx, task).await?;
    check_manager_project_access(&mut tx, &user, project).await?;
    for k in ["task_id", "production_schedule_version_id"] {
        body.remove(k);
    }
    let assignees = match body.get("assignees") {
        Some(v) if !v.is_null() => Some(id_list(Some(v))?),
        _ => None,
    };
    let values = values_from_body(&LINK, &body, false)?;
    let row = rows::update(&mut tx, &LINK, id, values)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if let Some(people) = assignees {
        sv::ASSIGNEES.set(&mut tx, id, &people).await?;
    }
    tx.commit().await?;
    Ok(Json(Value::Object(row)))
}

/// DELETE /data/production-schedule-version-task-links/{id}
async fn remove_link(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let mut tx = state.db.begin().await?;
    let (id, row) = link_by_id(&mut tx, &id).await?;
    let task = uuid_field(&row, "task_id").unwrap_or_default();
    let project = task_project(&mut tx, task).await?;
    check_manager_project_access(&mut tx, &user, project).await?;
    rows::delete(&mut tx, &LINK, id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
