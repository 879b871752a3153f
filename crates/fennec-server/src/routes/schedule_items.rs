//! Zou 1.0.97's schedule items: the lists of the `projects` blueprint that
//! Kitsu's production schedule and task type pages read, and the generic
//! `/data/schedule-items` CRUD resource with `ScheduleItemResource`'s rights
//! (Kitsu's production schedule moves an item with a PUT).
//!
//! Zou makes the items on first read: the task type list gives every task
//! type the production has tasks of (for assets, shots, sequences, episodes
//! or edits, and among the production's own task types when it lists some)
//! an item; the per task type lists give one to each asset type, episode,
//! sequence or edit. A new item runs from the day of the read to the next.
//! Items whose task type or object left the list stay stored but are not
//! answered (they come back with it). The logic lives in the store-facing
//! helpers below; removal with a production, task type or entity is in
//! fennec-store's cascade.rs.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use chrono::Days;
use fennec_api::models::{self, SCHEDULE_ITEM};
use fennec_store::db::Exec;
use fennec_store::links;
use fennec_store::on;
use fennec_store::rows::{self, Filter, Row, Select};
use fennec_store::SqlValue;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::permissions::{self, check_project_access};
use crate::auth::user::Role;
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::{crud_id, path_id, CrudBody, Path, QueryPairs};
use crate::generic_crud::{filters_from_query, values_from_body, Resource, Scope};
use crate::present::{uuid_field, EntityTypes};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/data/projects/{id}/schedule-items", get(project_items))
        .route(
            "/data/projects/{id}/schedule-items/task-types",
            get(task_type_items),
        )
        .route(
            "/data/projects/{id}/schedule-items/{task_type_id}/{kind}",
            get(object_items),
        )
        .route("/data/schedule-items", get(list).post(create))
        .route(
            "/data/schedule-items/{id}",
            get(read).put(update).delete(remove),
        )
}

const RESOURCE: Resource = Resource {
    model: &SCHEDULE_ITEM,
    scope: Scope::Plain,
};

/// The caller on the production's team (403), and the caller as Zou sees
/// him there (his team link's role). Zou's check_project_access looks the
/// production up for others than admins (404): an unknown one gives an
/// admin empty lists.
async fn open(state: &AppState, user: &CurrentUser, id: &str) -> ApiResult<(Uuid, CurrentUser)> {
    let id = path_id(id)?;
    let mut conn = state.db.conn().await?;
    if !user.is_admin() {
        rows::get(&mut conn, &models::PROJECT, id, false)
            .await?
            .ok_or_else(ApiError::not_found)?;
    }
    check_project_access(&mut conn, user, id).await?;
    let on_project = permissions::on_project(&mut conn, user, id).await?;
    Ok((id, on_project))
}

/// Zou's `block_access_to_vendor` (and `_client`), on the production role.
fn block(user: &CurrentUser, role: Role) -> ApiResult<()> {
    if user.role == role {
        Err(ApiError::forbidden())
    } else {
        Ok(())
    }
}

/// Zou's `present()` of a schedule item (its list routes): no dates of
/// creation, no `type`.
fn present(row: &Row) -> Row {
    let mut out = Map::new();
    for key in [
        "id",
        "start_date",
        "end_date",
        "man_days",
        "project_id",
        "task_type_id",
        "object_id",
    ] {
        out.insert(key.into(), row.get(key).cloned().unwrap_or(Value::Null));
    }
    out
}

/// A new item, dated as Zou's `ScheduleItem.create(start_date=today,
/// end_date=today + 1 day)`. Two first reads at once may both try: the
/// unique indexes keep one, and the loser's insert is dropped (the caller
/// reads the items again).
async fn make_item(
    exec: &mut impl Exec,
    project: Uuid,
    task_type: Uuid,
    object: Option<Uuid>,
) -> ApiResult<bool> {
    let today = chrono::Utc::now().date_naive();
    let col = |n: &str| SCHEDULE_ITEM.column(n).expect("schedule item column");
    let values = vec![
        (col("project_id"), SqlValue::Uuid(project)),
        (col("task_type_id"), SqlValue::Uuid(task_type)),
        (
            col("object_id"),
            object.map_or(SqlValue::Null(models::Kind::Uuid), SqlValue::Uuid),
        ),
        (col("start_date"), SqlValue::Date(today)),
        (
            col("end_date"),
            SqlValue::Date(today.checked_add_days(Days::new(1)).unwrap_or(today)),
        ),
    ];
    let Ok(row) = rows::insert(exec, &SCHEDULE_ITEM, values).await else {
        return Ok(false);
    };
    // Zou announces each item its first read makes (`schedule-item:new`).
    crate::events::emit(
        exec,
        None,
        "schedule-item:new",
        serde_json::json!({ "schedule_item_id": row.get("id") }),
        Some(project),
    )
    .await?;
    Ok(true)
}

async fn items_by_id(exec: &mut impl Exec, ids: Vec<Uuid>) -> ApiResult<Vec<Row>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let select = Select::default().filter(Filter::In(
        "id",
        ids.into_iter().map(SqlValue::Uuid).collect(),
    ));
    Ok(rows::list(exec, &SCHEDULE_ITEM, &select, false).await?)
}

/// GET /data/projects/{id}/schedule-items — every item of the production
/// (Zou's sync route): team members, not clients nor vendors.
async fn project_items(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let (project, on_project) = open(&state, &user, &id).await?;
    block(&on_project, Role::Client)?;
    block(&on_project, Role::Vendor)?;
    let mut conn = state.db.conn().await?;
    let select = Select::default().eq("project_id", SqlValue::Uuid(project));
    // Zou's whole serialisation here (its sync route), not present().
    let items = rows::list(&mut conn, &SCHEDULE_ITEM, &select, false).await?;
    Ok(Json(Value::Array(
        items.into_iter().map(Value::Object).collect(),
    )))
}

/// The task types the production's task type items are for (Zou's
/// get_task_types_schedule_items): those it has tasks of, for assets,
/// shots, sequences, episodes or edits, narrowed to the production's own
/// task types when it lists any.
async fn scheduled_task_types(exec: &mut impl Exec, project: Uuid) -> ApiResult<Vec<Uuid>> {
    let with_tasks: Vec<Uuid> = on!(exec, c => sqlx::query_scalar(
        "SELECT DISTINCT tt.id FROM task_types tt JOIN tasks t ON t.task_type_id = tt.id \
         WHERE t.project_id = $1 AND tt.for_entity IN ('Asset', 'Shot', 'Sequence', 'Episode', 'Edit')")
        .bind(project).fetch_all(&mut *c).await.map_err(fennec_store::StoreError::from)?);
    let listed: Vec<Uuid> = on!(exec, c => sqlx::query_scalar(
        "SELECT task_type_id FROM project_task_type_link WHERE project_id = $1")
        .bind(project).fetch_all(&mut *c).await.map_err(fennec_store::StoreError::from)?);
    Ok(with_tasks
        .into_iter()
        .filter(|t| listed.is_empty() || listed.contains(t))
        .collect())
}

/// The production's items with no object (its task types' dates).
async fn task_type_level(exec: &mut impl Exec, project: Uuid) -> ApiResult<Vec<Row>> {
    let select = Select::default()
        .eq("project_id", SqlValue::Uuid(project))
        .filter(Filter::IsNull("object_id"));
    Ok(rows::list(exec, &SCHEDULE_ITEM, &select, false).await?)
}

/// GET /data/projects/{id}/schedule-items/task-types — made on first read;
/// sorted by start date as Zou sorts them.
async fn task_type_items(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let (project, on_project) = open(&state, &user, &id).await?;
    block(&on_project, Role::Vendor)?;
    let mut conn = state.db.conn().await?;
    let task_types = scheduled_task_types(&mut conn, project).await?;
    let mut items = task_type_level(&mut conn, project).await?;
    let mut made = false;
    for tt in &task_types {
        if !items
            .iter()
            .any(|r| uuid_field(r, "task_type_id") == Some(*tt))
        {
            make_item(&mut conn, project, *tt, None).await?;
            made = true;
        }
    }
    if made {
        items = task_type_level(&mut conn, project).await?;
    }
    // An item whose task type left the list is kept, not answered.
    let mut items: Vec<Row> = items
        .into_iter()
        .filter(|r| uuid_field(r, "task_type_id").is_none_or(|tt| task_types.contains(&tt)))
        .map(|r| present(&r))
        .collect();
    items.sort_by(|a, b| {
        let key = |r: &Row| {
            r.get("start_date")
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        key(a).cmp(&key(b))
    });
    Ok(Json(Value::Array(
        items.into_iter().map(Value::Object).collect(),
    )))
}

/// The objects one per task type list gives items to: (id, name).
async fn objects(
    exec: &mut impl Exec,
    kind: &str,
    project: Uuid,
    episode: Option<Uuid>,
) -> ApiResult<Vec<(Uuid, String)>> {
    let types = EntityTypes::load(exec).await?;
    let out: Vec<(Uuid, String)> = match kind {
        "asset-types" => {
            // Zou's asset types of the production's assets, or of the
            // assets an episode is the source of (cast ones left out).
            let asset_types = types.asset_type_ids();
            let used: Vec<Uuid> = match episode {
                None => on!(exec, c => sqlx::query_scalar(
                    "SELECT DISTINCT entity_type_id FROM entities WHERE project_id = $1")
                    .bind(project).fetch_all(&mut *c).await.map_err(fennec_store::StoreError::from)?),
                Some(ep) => on!(exec, c => sqlx::query_scalar(
                    "SELECT DISTINCT entity_type_id FROM entities WHERE project_id = $1 AND source_id = $2")
                    .bind(project).bind(ep).fetch_all(&mut *c).await.map_err(fennec_store::StoreError::from)?),
            };
            used.into_iter()
                .filter(|t| asset_types.contains(t))
                .map(|t| (t, types.name(t).unwrap_or_default().to_owned()))
                .collect()
        }
        _ => {
            let (type_name, by_parent) = match kind {
                "episodes" => ("Episode", false),
                "sequences" => ("Sequence", true),
                _ => ("Edit", true),
            };
            let Some(type_id) = types.id_of(type_name) else {
                return Ok(vec![]);
            };
            let rows: Vec<(Uuid, String, Option<Uuid>, bool)> = on!(exec, c => sqlx::query_as(
                "SELECT id, name, parent_id, canceled FROM entities \
                 WHERE project_id = $1 AND entity_type_id = $2 ORDER BY name")
                .bind(project).bind(type_id).fetch_all(&mut *c).await
                .map_err(fennec_store::StoreError::from)?);
            rows.into_iter()
                // Zou leaves canceled edits out (not canceled episodes or
                // sequences).
                .filter(|(_, _, _, canceled)| type_name != "Edit" || !canceled)
                .filter(|(id, _, parent, _)| match episode {
                    None => true,
                    Some(ep) if by_parent => *parent == Some(ep),
                    Some(ep) => *id == ep,
                })
                .map(|(id, name, _, _)| (id, name))
                .collect()
        }
    };
    Ok(out)
}

/// The production's items of `task_type` whose object is of the list's
/// kind (Zou joins the object's row: an entity type, or an entity of the
/// list's type).
async fn existing_object_items(
    exec: &mut impl Exec,
    kind: &str,
    project: Uuid,
    task_type: Uuid,
) -> ApiResult<Vec<Row>> {
    let ids: Vec<Uuid> = if kind == "asset-types" {
        on!(exec, c => sqlx::query_scalar(
            "SELECT s.id FROM schedule_items s JOIN entity_types t ON t.id = s.object_id \
             WHERE s.project_id = $1 AND s.task_type_id = $2")
            .bind(project).bind(task_type).fetch_all(&mut *c).await
            .map_err(fennec_store::StoreError::from)?)
    } else {
        let type_name = match kind {
            "episodes" => "Episode",
            "sequences" => "Sequence",
            _ => "Edit",
        };
        on!(exec, c => sqlx::query_scalar(
            "SELECT s.id FROM schedule_items s JOIN entities e ON e.id = s.object_id \
             JOIN entity_types t ON t.id = e.entity_type_id \
             WHERE s.project_id = $1 AND s.task_type_id = $2 AND t.name = $3")
            .bind(project).bind(task_type).bind(type_name).fetch_all(&mut *c).await
            .map_err(fennec_store::StoreError::from)?)
    };
    items_by_id(exec, ids).await
}

/// GET /data/projects/{id}/schedule-items/{task_type_id}/{asset-types,
/// episodes, sequences, edits}[?episode_id=] — made on first read; each
/// with its object's `name`, sorted by it.
async fn object_items(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, task_type_id, kind)): Path<(String, String, String)>,
    query: QueryPairs,
) -> ApiResult<Json<Value>> {
    if !matches!(
        kind.as_str(),
        "asset-types" | "episodes" | "sequences" | "edits"
    ) {
        return Err(ApiError::not_found());
    }
    let (project, on_project) = open(&state, &user, &id).await?;
    block(&on_project, Role::Vendor)?;
    let task_type =
        Uuid::parse_str(&task_type_id).map_err(|_| ApiError::bad_request("Wrong UUID format."))?;
    let episode = match query.get("episode_id").filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => {
            Some(Uuid::parse_str(s).map_err(|_| ApiError::bad_request("Wrong UUID format."))?)
        }
    };
    let mut conn = state.db.conn().await?;
    let objects = objects(&mut conn, &kind, project, episode).await?;
    let mut items = existing_object_items(&mut conn, &kind, project, task_type).await?;
    let mut made = false;
    for (object, _) in &objects {
        if !items
            .iter()
            .any(|r| uuid_field(r, "object_id") == Some(*object))
        {
            if rows::get(&mut conn, &models::TASK_TYPE, task_type, false)
                .await?
                .is_none()
            {
                // Zou's insert fails on the task type's key.
                return Err(ApiError::bad_request_message(
                    fennec_api::error::INVALID_FORMAT,
                ));
            }
            make_item(&mut conn, project, task_type, Some(*object)).await?;
            made = true;
        }
    }
    if made {
        items = existing_object_items(&mut conn, &kind, project, task_type).await?;
    }
    let mut out: Vec<Row> = items
        .iter()
        .filter_map(|r| {
            let object = uuid_field(r, "object_id")?;
            let (_, name) = objects.iter().find(|(id, _)| *id == object)?;
            let mut item = present(r);
            item.insert("name".into(), Value::String(name.clone()));
            Some(item)
        })
        .collect();
    out.sort_by(|a, b| {
        let name = |r: &Row| {
            r.get("name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned()
        };
        name(a).cmp(&name(b))
    });
    Ok(Json(Value::Array(
        out.into_iter().map(Value::Object).collect(),
    )))
}

/// GET /data/schedule-items — Zou's generic list: admins only.
async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    query: QueryPairs,
) -> ApiResult<Json<Value>> {
    permissions::require_admin(&user)?;
    let filters = filters_from_query(RESOURCE, &query)?;
    let mut conn = state.db.conn().await?;
    let select = Select {
        filters,
        ..Select::default()
    };
    let items = rows::list(&mut conn, &SCHEDULE_ITEM, &select, false).await?;
    Ok(Json(Value::Array(
        items.into_iter().map(Value::Object).collect(),
    )))
}

async fn load(exec: &mut impl Exec, id: &str) -> ApiResult<(Uuid, Row)> {
    let id = crud_id(id)?;
    let row = rows::get(exec, &SCHEDULE_ITEM, id, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok((id, row))
}

/// GET /data/schedule-items/{id} — admins (Zou's default read right).
async fn read(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let mut conn = state.db.conn().await?;
    let (_, row) = load(&mut conn, &id).await?;
    permissions::require_admin(&user)?;
    Ok(Json(Value::Object(row)))
}

/// POST /data/schedule-items — the production's managers; one item per
/// production, task type and object (Zou's check_creation_integrity).
async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    body: CrudBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let body = body.object()?;
    let mut tx = state.db.begin().await?;
    let id_of = |k: &str| -> ApiResult<Option<Uuid>> {
        match body.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v
                .as_str()
                .and_then(|s| Uuid::parse_str(s).ok())
                .map(Some)
                .ok_or_else(|| ApiError::bad_request_message(fennec_api::error::INVALID_FORMAT)),
        }
    };
    let project = id_of("project_id")?;
    match project {
        Some(p) => permissions::check_manager_project_access(&mut tx, &user, p).await?,
        None => permissions::require_admin(&user)?,
    }
    let (task_type, object) = (id_of("task_type_id")?, id_of("object_id")?);
    let mut same = Select::default();
    for (column, value) in [
        ("project_id", project),
        ("task_type_id", task_type),
        ("object_id", object),
    ] {
        same = match value {
            Some(v) => same.eq(column, SqlValue::Uuid(v)),
            None => same.filter(Filter::IsNull(column)),
        };
    }
    if rows::count(&mut tx, &SCHEDULE_ITEM, &same.filters).await? > 0 {
        return Err(ApiError::bad_request(
            "A similar schedule item already exists",
        ));
    }
    if let Some(k) = body.keys().find(|k| SCHEDULE_ITEM.column(k).is_none()) {
        return Err(ApiError::bad_request_message(format!(
            "'{k}' is an invalid keyword argument for ScheduleItem"
        )));
    }
    let values = values_from_body(&SCHEDULE_ITEM, &body, true)?;
    let row = rows::insert(&mut tx, &SCHEDULE_ITEM, values).await?;
    // Zou's generic CRUD event: `schedule-item:new`.
    crate::events::crud(&mut tx, user.id, &SCHEDULE_ITEM, "new", &row).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Value::Object(row))))
}

/// PUT /data/schedule-items/{id} — Zou's check_supervisor_project_task_type_access:
/// admins, the production's managers, its supervisors of the task type's
/// department (or of none). The production stays (a protected field); a
/// `man_days` string is dropped as Zou drops it.
async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    body: CrudBody,
) -> ApiResult<Json<Value>> {
    let mut body = body.object()?;
    let mut tx = state.db.begin().await?;
    let (id, row) = load(&mut tx, &id).await?;
    let project = uuid_field(&row, "project_id").unwrap_or_default();
    let task_type = uuid_field(&row, "task_type_id");
    check_supervisor_task_type(&mut tx, &user, project, task_type).await?;
    if body.get("man_days").is_some_and(Value::is_string) {
        body.remove("man_days");
    }
    body.remove("project_id");
    let values = values_from_body(&SCHEDULE_ITEM, &body, false)?;
    let row = rows::update(&mut tx, &SCHEDULE_ITEM, id, values)
        .await?
        .ok_or_else(ApiError::not_found)?;
    // Zou's generic CRUD event: `schedule-item:update`.
    crate::events::crud(&mut tx, user.id, &SCHEDULE_ITEM, "update", &row).await?;
    tx.commit().await?;
    Ok(Json(Value::Object(row)))
}

/// Zou's check_supervisor_project_task_type_access: admins; the
/// production's managers; its supervisors in no department, or in the task
/// type's (a task type of no department is then refused, unlike a task's
/// own rule).
async fn check_supervisor_task_type(
    exec: &mut impl Exec,
    user: &CurrentUser,
    project: Uuid,
    task_type: Option<Uuid>,
) -> ApiResult<()> {
    if user.is_admin() {
        return Ok(());
    }
    let user = permissions::on_project(exec, user, project).await?;
    if !links::PROJECT_TEAM.contains(exec, project, user.id).await? {
        return Err(ApiError::forbidden());
    }
    let allowed = match user.role {
        Role::Manager => true,
        Role::Supervisor => {
            let mine = links::PERSON_DEPARTMENTS.rights(exec, user.id).await?;
            let department = match task_type {
                Some(tt) => rows::get(exec, &models::TASK_TYPE, tt, false)
                    .await?
                    .and_then(|r| uuid_field(&r, "department_id")),
                None => None,
            };
            mine.is_empty() || department.is_some_and(|d| mine.contains(&d))
        }
        _ => false,
    };
    if allowed {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}

/// DELETE /data/schedule-items/{id} — the production's managers.
async fn remove(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let mut tx = state.db.begin().await?;
    let (id, row) = load(&mut tx, &id).await?;
    match uuid_field(&row, "project_id") {
        Some(p) => permissions::check_manager_project_access(&mut tx, &user, p).await?,
        None => permissions::require_admin(&user)?,
    }
    rows::delete(&mut tx, &SCHEDULE_ITEM, id).await?;
    // Zou's generic CRUD event: `schedule-item:delete`.
    crate::events::crud(&mut tx, user.id, &SCHEDULE_ITEM, "delete", &row).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
