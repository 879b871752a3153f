//! Zou's `tasks` blueprint and the task parts of `user` and `persons`:
//! creating, updating and finding tasks, assignments, status changes
//! (comments), time spents and to-do lists.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use fennec_api::models::{self, Kind};
use fennec_store::db::Exec;
use fennec_store::links;
use fennec_store::rows::{self, Filter, Row, Select};
use fennec_store::{tasks as store_tasks, SqlValue};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::permissions::{check_manager_project_access, check_project_access};
use crate::auth::user::Role;
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::{crud_id, path_id, CrudBody, Path, QueryPairs, SchemaBody};
use crate::generic_crud::{self as crud, Resource, Scope};
use crate::present::{id_of, uuid_field, EntityTypes};
use crate::reach::{check_entity_access, load_task, vendor_filter};
use crate::task_batch::BatchKind;
use crate::task_rows::{
    blank_for_client, entities_of_episode, field, flag, for_caller, list_json,
    many_with_assignees_in_place, task_col, uuid_list, with_assignees_in_place, Lookups, TASK,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/data/tasks", post(create_task).get(list_tasks))
        .route(
            "/data/tasks/{id}",
            put(update_task).get(read_task).delete(delete_task),
        )
        .route("/data/tasks/{id}/full", get(task_full))
        .route("/data/{kind}/{id}/tasks", get(entity_tasks))
        .route("/data/{kind}/{id}/task-types", get(entity_task_types))
        .route(
            "/data/entities/{id}/task-types/{type_id}/tasks",
            get(entity_type_tasks),
        )
        .route("/data/projects/{id}/tasks", get(project_tasks))
        .route("/data/sequences/{id}/shot-tasks", get(sequence_shot_tasks))
        .route(
            "/data/persons/{id}/related-tasks/{type_id}",
            get(person_related_tasks),
        )
        .route("/data/episodes/{id}/shot-tasks", get(episode_shot_tasks))
        .route("/data/episodes/{id}/asset-tasks", get(episode_asset_tasks))
        .route("/data/entities/{id}/tasks", post(create_entity_tasks))
        .route("/actions/tasks/clear-assignation", put(clear_assignation))
        .route("/data/tasks/open-tasks/stats", get(open_tasks_stats))
        .route("/data/persons/task-dates", get(persons_tasks_dates))
        .route(
            "/actions/projects/{id}/task-types/{type_id}/shots/create-tasks",
            post(|s, u, p, q, b| create_tasks_for(s, u, p, q, b, BatchKind::Shots)),
        )
        .route(
            "/actions/projects/{id}/task-types/{type_id}/assets/create-tasks",
            post(|s, u, p, q, b| create_tasks_for(s, u, p, q, b, BatchKind::Assets)),
        )
        .route(
            "/actions/projects/{id}/task-types/{type_id}/edits/create-tasks",
            post(|s, u, p, q, b| create_tasks_for(s, u, p, q, b, BatchKind::Edits)),
        )
        .route(
            "/actions/projects/{id}/task-types/{type_id}/concepts/create-tasks",
            post(|s, u, p, q, b| create_tasks_for(s, u, p, q, b, BatchKind::Concepts)),
        )
        .route(
            "/actions/projects/{id}/task-types/{type_id}/create-tasks/{entity_type}",
            post(create_tasks_for_type),
        )
}

/// POST /actions/projects/{id}/task-types/{type_id}/{kind}/create-tasks —
/// Kitsu's "add tasks" on a list of shots, assets, edits or concepts
/// (logic in task_batch.rs).
async fn create_tasks_for(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((project, task_type)): Path<(String, String)>,
    query: QueryPairs,
    body: Bytes,
    kind: BatchKind,
) -> ApiResult<(StatusCode, Json<Value>)> {
    crate::task_batch::create_tasks_for_entities(
        &state, &user, &project, &task_type, kind, None, &query, &body,
    )
    .await
}

/// POST /actions/projects/{id}/task-types/{type_id}/create-tasks/{entity_type}.
async fn create_tasks_for_type(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((project, task_type, entity_type)): Path<(String, String, String)>,
    query: QueryPairs,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<Value>)> {
    crate::task_batch::create_tasks_for_entities(
        &state,
        &user,
        &project,
        &task_type,
        BatchKind::Named,
        Some(&entity_type),
        &query,
        &body,
    )
    .await
}

/// POST /data/entities/{id}/tasks — gazu's `create_*_tasks` (logic in
/// task_batch.rs).
async fn create_entity_tasks(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    SchemaBody(body): SchemaBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    crate::task_batch::create_entity_tasks(&state, &user, &id, &body).await
}

/// PUT /actions/tasks/clear-assignation — gazu's `clear_assignations`.
async fn clear_assignation(
    State(state): State<AppState>,
    user: CurrentUser,
    SchemaBody(body): SchemaBody,
) -> ApiResult<Json<Value>> {
    crate::task_batch::clear_assignations(&state, &user, &body).await
}

/// GET /data/tasks/open-tasks/stats — gazu's `get_open_tasks_stats`.
async fn open_tasks_stats(
    State(state): State<AppState>,
    user: CurrentUser,
) -> ApiResult<Json<Value>> {
    let mut conn = state.db.conn().await?;
    Ok(Json(
        crate::task_overview::open_tasks_stats(&mut conn, &user).await?,
    ))
}

/// GET /data/persons/task-dates — gazu's `get_persons_tasks_dates`.
async fn persons_tasks_dates(
    State(state): State<AppState>,
    user: CurrentUser,
    query: QueryPairs,
) -> ApiResult<Json<Value>> {
    let mut conn = state.db.conn().await?;
    let project = query.get("project_id");
    Ok(Json(
        crate::task_overview::persons_tasks_dates(&mut conn, &user, project).await?,
    ))
}

/// Python's truth of a JSON value (Zou tests `if data.get("data")`).
fn json_truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

fn body_uuid(body: &Map<String, Value>, key: &str) -> ApiResult<Option<Uuid>> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_str()
            .and_then(|s| Uuid::parse_str(s).ok())
            .map(Some)
            .ok_or_else(|| ApiError::bad_request(format!("A valid {key} is required."))),
    }
}

/// Zou's task type / entity kind rule: `for_entity` must be the kind of
/// the entity ("Asset" for any asset type).
fn kind_matches(task_type: &Row, entity: &Row) -> bool {
    let for_entity = task_type
        .get("for_entity")
        .and_then(Value::as_str)
        .unwrap_or("Asset");
    entity.get("type").and_then(Value::as_str) == Some(for_entity)
}

/// POST /data/tasks
async fn create_task(
    State(state): State<AppState>,
    user: CurrentUser,
    body: CrudBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    if !body.0.is_object() && !body.0.is_null() {
        return Err(ApiError::bad_request("A JSON object is expected."));
    }
    let body = body.object()?;
    let task_type_id = body_uuid(&body, "task_type_id")?
        .ok_or_else(|| ApiError::bad_request("A valid task_type_id is required."))?;
    let entity_id = body_uuid(&body, "entity_id")?
        .ok_or_else(|| ApiError::bad_request("A valid entity_id is required."))?;
    if body.get("assignees").is_some_and(|a| !a.is_array()) {
        return Err(ApiError::bad_request("assignees must be a list."));
    }
    // Zou's order: task type and entity (404), their kinds, then the rest;
    // a project or status that does not exist is its database refusing the
    // row, which its route reports as "Task already exists.".
    let already = || ApiError::bad_request_message("Task already exists.");
    let mut tx = state.db.begin().await?;
    let mut lookups = Lookups::load(&mut tx).await?;
    let task_type = lookups
        .refs
        .task_types
        .get(&task_type_id)
        .cloned()
        .ok_or_else(ApiError::not_found)?;
    let entity = lookups
        .entity(&mut tx, Some(entity_id))
        .await?
        .ok_or_else(ApiError::not_found)?;
    if !kind_matches(&task_type, &entity) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            json!({"error": true, "message": "Task type of the task does not match entity type."}),
        ));
    }
    let project_id = match body_uuid(&body, "project_id")? {
        Some(p) => p,
        None => uuid_field(&entity, "project_id").ok_or_else(already)?,
    };
    lookups
        .project(&mut tx, Some(project_id))
        .await?
        .ok_or_else(already)?;
    // Zou's route checks no right at all here; Fennec keeps task creation
    // to the project's managers, as Zou's other task-creating routes do.
    check_manager_project_access(&mut tx, &user, project_id).await?;
    // Zou leaves the status null when it is not given; Fennec takes the
    // default (Todo), which is what gazu sends anyway.
    let status_id = match body_uuid(&body, "task_status_id")? {
        Some(s) if lookups.refs.statuses.contains_key(&s) => s,
        Some(_) => return Err(already()),
        None => lookups
            .refs
            .statuses
            .values()
            .filter(|s| flag(Some(s), "is_default") && !flag(Some(s), "for_concept"))
            .map(id_of)
            .next()
            .ok_or_else(ApiError::not_found)?,
    };
    let name = body
        .get("name")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .unwrap_or("main")
        .to_owned();
    let existing = rows::count(
        &mut tx,
        TASK,
        &[
            Filter::Eq("entity_id", SqlValue::Uuid(entity_id)),
            Filter::Eq("task_type_id", SqlValue::Uuid(task_type_id)),
            Filter::Eq("name", SqlValue::Text(name.clone())),
        ],
    )
    .await?;
    if existing > 0 {
        return Err(ApiError::bad_request_message("Task already exists."));
    }
    // Zou builds the task from the body's keys: one a task lacks is
    // Python's TypeError, answered verbatim.
    if let Some(k) = body
        .keys()
        .find(|k| k.as_str() != "assignees" && TASK.column(k).is_none())
    {
        return Err(ApiError::bad_request_message(format!(
            "'{k}' is an invalid keyword argument for Task"
        )));
    }
    let mut values = task_values(&body)?;
    values.retain(|(c, _)| {
        !matches!(
            c.name,
            "project_id" | "entity_id" | "task_type_id" | "task_status_id" | "name"
        )
    });
    values.extend([
        (task_col("project_id"), SqlValue::Uuid(project_id)),
        (task_col("entity_id"), SqlValue::Uuid(entity_id)),
        (task_col("task_type_id"), SqlValue::Uuid(task_type_id)),
        (task_col("task_status_id"), SqlValue::Uuid(status_id)),
        (task_col("name"), SqlValue::Text(name)),
    ]);
    let row = rows::insert(&mut tx, TASK, values).await?;
    let assignees = crud::id_list(body.get("assignees"))?;
    set_assignees(&mut tx, id_of(&row), &assignees).await?;
    let row = with_assignees_in_place(&mut tx, row).await?;
    // Zou's TasksResource: the generic `task:new`.
    crate::events::crud(&mut tx, user.id, TASK, "new", &row).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Value::Object(row))))
}

/// Sets the assignees; ids of no one are dropped, as Zou keeps only the
/// persons its query finds.
async fn set_assignees(exec: &mut impl Exec, task: Uuid, people: &[Uuid]) -> ApiResult<()> {
    let mut found = Vec::with_capacity(people.len());
    for p in people {
        if rows::get(exec, &models::PERSON, *p, false).await?.is_some() {
            found.push(*p);
        }
    }
    links::TASK_ASSIGNEES.set(exec, task, &found).await?;
    Ok(())
}

/// Task columns from a body, with Zou's messages: a bad date names the
/// field, another bad value is CRUD's "invalid format".
fn task_values(body: &Map<String, Value>) -> ApiResult<Vec<(&'static models::Column, SqlValue)>> {
    let mut values = Vec::new();
    for (k, v) in body {
        let Some(col) = TASK.column(k) else { continue };
        if !col.is_stored() || matches!(col.name, "id" | "created_at" | "updated_at") {
            continue;
        }
        if col.name == "data" && !(v.is_object() || v.is_null()) && json_truthy(v) {
            // Zou merges the new data into the old: Python's TypeError.
            let type_name = match v {
                Value::String(_) => "str",
                Value::Array(_) => "list",
                Value::Bool(_) => "bool",
                Value::Number(n) if n.is_f64() => "float",
                _ => "int",
            };
            return Err(ApiError::bad_request_message(format!(
                "'{type_name}' object is not a mapping"
            )));
        }
        match SqlValue::from_json(col, v) {
            // Zou's NOT NULL columns of a task.
            Ok(val)
                if val.is_null()
                    && (col.required
                        || matches!(
                            col.name,
                            "name" | "project_id" | "task_type_id" | "task_status_id" | "entity_id"
                        )) =>
            {
                return Err(ApiError::bad_request_message(
                    fennec_api::error::REQUIRED_FIELD_MISSING,
                ))
            }
            Ok(val) => values.push((col, val)),
            // Zou checks date strings itself and names the field; any other
            // bad value fails in its database as "invalid format".
            Err(_)
                if matches!(col.kind, Kind::DateTime | Kind::Date)
                    && v.as_str().is_some_and(|s| !s.is_empty()) =>
            {
                let shown = v.as_str().unwrap_or_default();
                return Err(ApiError::bad_request(format!(
                    "Invalid date format for '{}': '{}'. Expected an ISO 8601 date or datetime.",
                    col.name, shown
                )));
            }
            Err(_) => {
                return Err(ApiError::bad_request_message(
                    fennec_api::error::INVALID_FORMAT,
                ))
            }
        }
    }
    Ok(values)
}

/// GET /data/tasks (generic list; kept here so task filters stay with tasks)
async fn list_tasks(
    State(state): State<AppState>,
    user: CurrentUser,
    query: QueryPairs,
) -> ApiResult<Response> {
    let res = Resource {
        model: TASK,
        scope: Scope::Plain,
    };
    let mut conn = state.db.conn().await?;
    let mut filters = crud::filters_from_query(res, &query)?;
    filters.extend(vendor_filter(&mut conn, &user).await?);
    if !user.is_admin() {
        let ids = crud::visible_projects(&mut conn, &user).await?;
        filters.push(Filter::In(
            "project_id",
            ids.into_iter().map(SqlValue::Uuid).collect(),
        ));
    }
    if crud::page_and_limit(&query)?.0.is_some() {
        return paginated(&mut conn, &user, filters, &query, false).await;
    }
    let relations = query.flag("relations");
    let select = Select {
        filters,
        ..Default::default()
    };
    let mut list = rows::list(&mut conn, TASK, &select, false).await?;
    if relations {
        list = many_with_assignees_in_place(&mut conn, list).await?;
    }
    Ok(list_json(crud::pick_fields(&query, for_caller(&user, list))).into_response())
}

async fn paginated(
    exec: &mut impl Exec,
    user: &CurrentUser,
    filters: Vec<Filter>,
    query: &QueryPairs,
    assignees: bool,
) -> ApiResult<Response> {
    let (page, limit) = crud::page_and_limit(query)?;
    let page = page.unwrap_or(1);
    let total = rows::count(exec, TASK, &filters).await?;
    let offset = (page - 1) * limit;
    let select = Select {
        filters,
        order: rows::Order::Created,
        limit: Some(limit),
        offset: Some(offset),
    };
    // Zou answers a page before the first or past the last empty.
    let mut data = if page < 1 || total < offset {
        vec![]
    } else {
        rows::list(exec, TASK, &select, false).await?
    };
    if assignees {
        data = many_with_assignees_in_place(exec, data).await?;
    }
    let data = for_caller(user, data);
    Ok(Json(json!({
        "data": crud::pick_fields(query, data),
        "total": total,
        "nb_pages": (total + limit - 1) / limit,
        "limit": limit,
        "offset": offset,
        "page": page,
    }))
    .into_response())
}

/// PUT /data/tasks/{id}
async fn update_task(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    body: CrudBody,
) -> ApiResult<Json<Value>> {
    let id = crud_id(&id)?;
    let body = body.object()?;
    let mut tx = state.db.begin().await?;
    // load_task answers 404 for a missing task.
    store_tasks::lock_for_update(&mut tx, id).await?;
    let (task, user) = load_task(&mut tx, &user, id).await?;
    if !crate::reach::manages(&mut tx, &user, &task).await? {
        return Err(ApiError::forbidden());
    }
    if user.role == Role::Supervisor {
        // Zou's check_supervisor_task_access: a supervisor changes only the
        // planning of a task.
        const PLANNING: &[&str] = &[
            "priority",
            "start_date",
            "due_date",
            "estimation",
            "difficulty",
            "data",
        ];
        if body.keys().any(|k| !PLANNING.contains(&k.as_str())) {
            return Err(ApiError::forbidden());
        }
    }
    let mut values = task_values(&body)?;
    // The hierarchy of a task is not changed through an update; an id of
    // nothing is still the database's refusal in Zou.
    for (key, model) in [
        ("project_id", &models::PROJECT),
        ("entity_id", &models::ENTITY),
    ] {
        if let Some(SqlValue::Uuid(target)) =
            values.iter().find(|(c, _)| c.name == key).map(|(_, v)| v)
        {
            if rows::get(&mut tx, model, *target, false).await?.is_none() {
                return Err(ApiError::bad_request_message(
                    fennec_api::error::REFERENCE_CONFLICT,
                ));
            }
        }
    }
    values.retain(|(c, _)| !matches!(c.name, "project_id" | "entity_id" | "duration"));
    if body.get("assignees").is_some_and(|a| !a.is_array()) {
        return Err(ApiError::bad_request_message(
            fennec_api::error::INVALID_FORMAT,
        ));
    }
    let mut assignees = None;
    if body.contains_key("assignees") {
        let before = links::TASK_ASSIGNEES.rights(&mut tx, id).await?;
        set_assignees(&mut tx, id, &crud::id_list(body.get("assignees"))?).await?;
        // Zou's post_update: the newly assigned are notified.
        crate::notifications::on_assignees_changed(&mut tx, id, &before, user.id).await?;
        let after = links::TASK_ASSIGNEES.rights(&mut tx, id).await?;
        assignees = Some((before, after));
    }
    let row = rows::update(&mut tx, TASK, id, values)
        .await?
        .ok_or_else(ApiError::not_found)?;
    // Zou's post_update announces who was assigned and unassigned, then
    // the generic `task:update`.
    let project = uuid_field(&row, "project_id");
    if let Some((before, after)) = assignees {
        let changes = after
            .iter()
            .filter(|p| !before.contains(p))
            .map(|p| ("task:assign", p))
            .chain(
                before
                    .iter()
                    .filter(|p| !after.contains(p))
                    .map(|p| ("task:unassign", p)),
            );
        for (name, person) in changes {
            let data = json!({ "task_id": id.to_string(), "person_id": person.to_string() });
            crate::events::emit(&mut tx, Some(user.id), name, data, project).await?;
        }
    }
    crate::events::crud(&mut tx, user.id, TASK, "update", &row).await?;
    tx.commit().await?;
    Ok(Json(Value::Object(row)))
}

/// GET /data/tasks/{id}/full
async fn task_full(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let id = path_id(&id)?;
    let mut conn = state.db.conn().await?;
    let (task, user) = load_task(&mut conn, &user, id).await?;
    let mut lookups = Lookups::cached(&state, &mut conn).await?;
    let mut row = with_assignees_in_place(&mut conn, task).await?;
    let assignees: Vec<Uuid> = row["assignees"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().and_then(|s| Uuid::parse_str(s).ok()))
        .collect();
    // The entity, its sequence and episode in one query.
    lookups
        .preload_lineage(&mut conn, uuid_field(&row, "entity_id"))
        .await?;
    let entity = lookups
        .entity(&mut conn, uuid_field(&row, "entity_id"))
        .await?;
    // /full nests the entity as a plain `Entity`, whatever its kind.
    let plain_entity = entity.clone().map(|mut e| {
        e.insert("type".into(), Value::String("Entity".into()));
        Value::Object(e)
    });
    row.insert("entity".into(), plain_entity.unwrap_or(Value::Null));
    // From the reference cache; read when another replica made it since.
    let entity_type = match entity
        .as_ref()
        .and_then(|e| uuid_field(e, "entity_type_id"))
    {
        Some(et) => match lookups.refs.entity_type_rows.get(&et) {
            Some(row) => Some(row.clone()),
            None => rows::get(&mut conn, &models::ENTITY_TYPE, et, false).await?,
        },
        None => None,
    };
    row.insert(
        "entity_type".into(),
        entity_type.map_or(Value::Null, Value::Object),
    );
    row.insert("is_subscribed".into(), Value::Bool(false));
    // The assignees in one query, listed in the assignees' order.
    let mut found: std::collections::HashMap<Uuid, Row> = Default::default();
    if !assignees.is_empty() {
        let ids = assignees.iter().map(|p| SqlValue::Uuid(*p)).collect();
        let select = Select::default().filter(Filter::In("id", ids));
        for person in rows::list(&mut conn, &models::PERSON, &select, false).await? {
            found.insert(id_of(&person), person);
        }
    }
    let persons: Vec<Value> = assignees
        .iter()
        .filter_map(|p| found.remove(p))
        .map(Value::Object)
        .collect();
    row.insert("persons".into(), Value::Array(persons));
    let project = lookups
        .project(&mut conn, uuid_field(&row, "project_id"))
        .await?;
    row.insert("project".into(), project.map_or(Value::Null, Value::Object));
    row.insert(
        "task_status".into(),
        lookups
            .status(&row)
            .cloned()
            .map_or(Value::Null, Value::Object),
    );
    row.insert(
        "task_type".into(),
        lookups
            .task_type(&row)
            .cloned()
            .map_or(Value::Null, Value::Object),
    );
    if let Some(assigner) = uuid_field(&row, "assigner_id") {
        if let Some(p) = crate::present::person_in_place(&mut conn, assigner).await? {
            row.insert("assigner".into(), Value::Object(p));
        }
    }
    if let Some(e) = &entity {
        if matches!(
            e.get("type").and_then(Value::as_str),
            Some("Shot" | "Scene")
        ) {
            let sequence = lookups
                .entity(&mut conn, uuid_field(e, "parent_id"))
                .await?;
            if let Some(seq) = sequence {
                let episode = lookups
                    .entity(&mut conn, uuid_field(&seq, "parent_id"))
                    .await?;
                row.insert("sequence".into(), Value::Object(seq));
                if let Some(ep) = episode {
                    row.insert("episode".into(), Value::Object(ep));
                }
            }
        } else if e.get("type").and_then(Value::as_str) == Some("Sequence") {
            if let Some(ep) = lookups
                .entity(&mut conn, uuid_field(e, "parent_id"))
                .await?
            {
                row.insert("episode".into(), Value::Object(ep));
            }
        }
    }
    if user.role == Role::Client {
        // Zou blanks the planning for a client, and hides who works on it.
        blank_for_client(&mut row);
        row.insert("persons".into(), json!([]));
        row.shift_remove("assigner");
    }
    Ok(Json(Value::Object(row)))
}

/// The entity of a `/data/<kind>/{id}/...` path, of that kind, readable
/// by the caller.
async fn entity_of_kind(
    exec: &mut impl Exec,
    user: &CurrentUser,
    kind: &str,
    id: &str,
    types: &EntityTypes,
) -> ApiResult<Row> {
    if kind == "concepts" {
        return concept_of_path(exec, user, id, types).await;
    }
    let res = crud::resource(kind)
        .filter(|r| std::ptr::eq(r.model, &models::ENTITY))
        .ok_or_else(ApiError::not_found)?;
    let id = path_id(id)?;
    let mut row = rows::get(exec, &models::ENTITY, id, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    // An entity type made a moment ago (on another replica) may not be in
    // the cached list yet: then read the types afresh.
    let fresh;
    let types = match uuid_field(&row, "entity_type_id") {
        Some(t) if types.name(t).is_none() => {
            fresh = EntityTypes::load(exec).await?;
            &fresh
        }
        _ => types,
    };
    let in_scope = crud::scope_filters(res.scope, types)
        .iter()
        .all(|f| match f {
            Filter::Eq(col, SqlValue::Uuid(u)) => uuid_field(&row, col) == Some(*u),
            Filter::In(col, vals) => {
                uuid_field(&row, col).is_some_and(|v| vals.contains(&SqlValue::Uuid(v)))
            }
            _ => true,
        });
    if !in_scope {
        return Err(ApiError::not_found());
    }
    if let Some(p) = uuid_field(&row, "project_id") {
        check_project_access(exec, user, p).await?;
    }
    // Zou's entity-and-type task list checks the project only.
    if kind != "entities" {
        check_entity_access(exec, user, Some(id)).await?;
    }
    types.type_entity(&mut row);
    Ok(row)
}

/// The concept of a `/data/concepts/{id}/...` path. Concepts are no CRUD
/// resource in Zou: its concepts blueprint checks the production, then
/// the entity (a vendor's), and refuses clients outright.
async fn concept_of_path(
    exec: &mut impl Exec,
    user: &CurrentUser,
    id: &str,
    types: &EntityTypes,
) -> ApiResult<Row> {
    let id = path_id(id)?;
    let mut row = rows::get(exec, &models::ENTITY, id, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let fresh;
    let types = match uuid_field(&row, "entity_type_id") {
        Some(t) if types.name(t).is_none() => {
            fresh = EntityTypes::load(exec).await?;
            &fresh
        }
        _ => types,
    };
    let kind = uuid_field(&row, "entity_type_id").and_then(|t| types.name(t));
    if kind != Some("Concept") {
        return Err(ApiError::not_found());
    }
    if let Some(p) = uuid_field(&row, "project_id") {
        check_project_access(exec, user, p).await?;
    }
    check_entity_access(exec, user, Some(id)).await?;
    if user.role == Role::Client {
        return Err(ApiError::forbidden());
    }
    types.type_entity(&mut row);
    Ok(row)
}

/// GET /data/{shots,assets,sequences,scenes,…}/{id}/tasks
async fn entity_tasks(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((kind, id)): Path<(String, String)>,
    query: QueryPairs,
) -> ApiResult<Json<Value>> {
    let mut conn = state.db.conn().await?;
    let mut lookups = Lookups::cached(&state, &mut conn).await?;
    let entity = entity_of_kind(&mut conn, &user, &kind, &id, &lookups.refs.entity_types).await?;
    let mut select = Select::default().eq("entity_id", SqlValue::Uuid(id_of(&entity)));
    select
        .filters
        .extend(vendor_filter(&mut conn, &user).await?);
    let list = rows::list(&mut conn, TASK, &select, false).await?;
    let relations = query.flag("relations");
    let mut out = Vec::with_capacity(list.len());
    for mut r in list {
        let project = lookups
            .project(&mut conn, uuid_field(&r, "project_id"))
            .await?;
        r.insert("project_name".into(), field(project.as_ref(), "name"));
        r.insert(
            "task_type_name".into(),
            field(lookups.task_type(&r), "name"),
        );
        r.insert("task_status_name".into(), field(lookups.status(&r), "name"));
        let et = uuid_field(&entity, "entity_type_id")
            .and_then(|t| lookups.refs.entity_types.name(t))
            .map_or(Value::Null, |n| Value::String(n.to_owned()));
        r.insert("entity_type_name".into(), et);
        r.insert("entity_name".into(), field(Some(&entity), "name"));
        if relations {
            let ids = links::TASK_ASSIGNEES.rights(&mut conn, id_of(&r)).await?;
            r.insert("assignees".into(), uuid_list(&ids));
        }
        out.push(r);
    }
    Ok(list_json(for_caller(&user, out)))
}

/// GET /data/{shots,scenes,sequences,assets,concepts}/{id}/task-types — the task
/// types of the entity's tasks.
async fn entity_task_types(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((kind, id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let mut conn = state.db.conn().await?;
    let types = state.refs.get(&mut conn).await?;
    let entity = entity_of_kind(&mut conn, &user, &kind, &id, &types.entity_types).await?;
    // A sequence's task types are those of its shots' and scenes' tasks
    // (as Zou answers), other entities' those of their own tasks.
    let owners = if entity.get("type").and_then(Value::as_str) == Some("Sequence") {
        let children = Select::default().eq("parent_id", SqlValue::Uuid(id_of(&entity)));
        rows::list(&mut conn, &models::ENTITY, &children, false)
            .await?
            .iter()
            .map(|e| SqlValue::Uuid(id_of(e)))
            .collect()
    } else {
        vec![SqlValue::Uuid(id_of(&entity))]
    };
    let select = Select::default().filter(Filter::In("entity_id", owners));
    let tasks = rows::list(&mut conn, TASK, &select, false).await?;
    let mut ids: Vec<SqlValue> = Vec::new();
    for t in &tasks {
        if let Some(tt) = uuid_field(t, "task_type_id") {
            let v = SqlValue::Uuid(tt);
            if !ids.contains(&v) {
                ids.push(v);
            }
        }
    }
    let select = Select::default().filter(Filter::In("id", ids));
    let list = rows::list(&mut conn, &models::TASK_TYPE, &select, false).await?;
    Ok(list_json(list))
}

/// GET /data/entities/{id}/task-types/{type_id}/tasks
async fn entity_type_tasks(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, type_id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let mut conn = state.db.conn().await?;
    let types = state.refs.get(&mut conn).await?;
    let entity = entity_of_kind(&mut conn, &user, "entities", &id, &types.entity_types).await?;
    let type_id = path_id(&type_id)?;
    let select = Select::default()
        .eq("entity_id", SqlValue::Uuid(id_of(&entity)))
        .eq("task_type_id", SqlValue::Uuid(type_id));
    let list = rows::list(&mut conn, TASK, &select, false).await?;
    Ok(list_json(for_caller(&user, list)))
}

/// Which entities' tasks a sequence or episode task list gathers.
#[derive(Clone, Copy)]
enum Below {
    /// Whatever the sequence holds (shots and scenes: Zou filters on the
    /// parent only).
    SequenceChildren,
    /// Whatever the episode's sequences hold.
    EpisodeGrandchildren,
    /// The assets made for the episode (`source_id`).
    EpisodeAssets,
}

/// GET /data/sequences/{id}/shot-tasks
async fn sequence_shot_tasks(
    state: State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    query: QueryPairs,
) -> ApiResult<Json<Value>> {
    tasks_below(
        state,
        user,
        "sequences",
        &id,
        query,
        Below::SequenceChildren,
    )
    .await
}

/// GET /data/episodes/{id}/shot-tasks
async fn episode_shot_tasks(
    state: State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    query: QueryPairs,
) -> ApiResult<Json<Value>> {
    tasks_below(
        state,
        user,
        "episodes",
        &id,
        query,
        Below::EpisodeGrandchildren,
    )
    .await
}

/// GET /data/episodes/{id}/asset-tasks
async fn episode_asset_tasks(
    state: State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    query: QueryPairs,
) -> ApiResult<Json<Value>> {
    tasks_below(state, user, "episodes", &id, query, Below::EpisodeAssets).await
}

/// Zou's detailed task rows of the entities below a sequence or an
/// episode: its production, entity access, then vendors refused; rows
/// sorted as Zou sorts them (task name, production, task type, entity
/// type, entity name, case-folded), `assignees` last with `relations`.
async fn tasks_below(
    State(state): State<AppState>,
    user: CurrentUser,
    kind: &str,
    id: &str,
    query: QueryPairs,
    below: Below,
) -> ApiResult<Json<Value>> {
    let mut conn = state.db.conn().await?;
    let lookups = Lookups::cached(&state, &mut conn).await?;
    let types = &lookups.refs.entity_types;
    let parent = entity_of_kind(&mut conn, &user, kind, id, types).await?;
    if user.role == Role::Vendor {
        return Err(ApiError::forbidden());
    }
    let parent_id = SqlValue::Uuid(id_of(&parent));
    let select = match below {
        Below::SequenceChildren => Select::default().eq("parent_id", parent_id),
        Below::EpisodeGrandchildren => {
            let seqs = Select::default().eq("parent_id", parent_id);
            let seqs: Vec<SqlValue> = rows::list(&mut conn, &models::ENTITY, &seqs, false)
                .await?
                .iter()
                .map(|e| SqlValue::Uuid(id_of(e)))
                .collect();
            Select::default().filter(Filter::In("parent_id", seqs))
        }
        Below::EpisodeAssets => {
            let assets = types.asset_type_ids().into_iter().map(SqlValue::Uuid);
            Select::default()
                .eq("source_id", parent_id)
                .filter(Filter::In("entity_type_id", assets.collect()))
        }
    };
    let entities = rows::list(&mut conn, &models::ENTITY, &select, false).await?;
    let by_id: std::collections::HashMap<Uuid, &Row> =
        entities.iter().map(|e| (id_of(e), e)).collect();
    let ids: Vec<SqlValue> = by_id.keys().map(|u| SqlValue::Uuid(*u)).collect();
    let tasks = if ids.is_empty() {
        Vec::new()
    } else {
        let select = Select::default().filter(Filter::In("entity_id", ids));
        rows::list(&mut conn, TASK, &select, false).await?
    };
    let mut lookups = lookups;
    let mut out = Vec::with_capacity(tasks.len());
    for mut r in tasks {
        let project = lookups
            .project(&mut conn, uuid_field(&r, "project_id"))
            .await?;
        r.insert("project_name".into(), field(project.as_ref(), "name"));
        r.insert(
            "task_type_name".into(),
            field(lookups.task_type(&r), "name"),
        );
        r.insert("task_status_name".into(), field(lookups.status(&r), "name"));
        let entity = uuid_field(&r, "entity_id").and_then(|e| by_id.get(&e).copied());
        let et = entity
            .and_then(|e| uuid_field(e, "entity_type_id"))
            .and_then(|t| lookups.refs.entity_types.name(t))
            .map_or(Value::Null, |n| Value::String(n.to_owned()));
        r.insert("entity_type_name".into(), et);
        r.insert("entity_name".into(), field(entity, "name"));
        out.push(r);
    }
    let folded = |r: &Row, k: &str| {
        r.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_lowercase()
    };
    out.sort_by_cached_key(|r| {
        [
            "name",
            "project_name",
            "task_type_name",
            "entity_type_name",
            "entity_name",
        ]
        .map(|k| folded(r, k))
    });
    if query.flag("relations") && !out.is_empty() {
        let task_ids: Vec<Uuid> = out.iter().map(id_of).collect();
        let mut assignees = links::TASK_ASSIGNEES
            .rights_of_many(&mut conn, &task_ids)
            .await?;
        for r in &mut out {
            let ids = assignees.remove(&id_of(r)).unwrap_or_default();
            r.insert("assignees".into(), uuid_list(&ids));
        }
    }
    Ok(list_json(for_caller(&user, out)))
}

/// GET /data/persons/{id}/related-tasks/{task_type_id} — the tasks of
/// that type on every entity where the person has a task, in the open
/// productions (all of them: Zou narrows neither by the caller's teams
/// nor by the person's), plainly serialised. Bots are refused, and a
/// vendor may ask only about himself.
async fn person_related_tasks(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, type_id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let person_id = path_id(&id)?;
    let type_id = path_id(&type_id)?;
    let mut conn = state.db.conn().await?;
    let person = rows::get(&mut conn, &models::PERSON, person_id, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if flag(Some(&person), "is_bot") || (person_id != user.id && user.role == Role::Vendor) {
        return Err(ApiError::forbidden());
    }
    let ids = |v: Vec<Uuid>| v.into_iter().map(SqlValue::Uuid).collect::<Vec<_>>();
    let names = ["Active", "open", "Open"].map(|n| SqlValue::Text(n.to_owned()));
    let statuses = Select::default().filter(Filter::In("name", names.to_vec()));
    let statuses = rows::list(&mut conn, &models::PROJECT_STATUS, &statuses, false).await?;
    let open = Select::default().filter(Filter::In(
        "project_status_id",
        ids(statuses.iter().map(id_of).collect()),
    ));
    let open = rows::list(&mut conn, &models::PROJECT, &open, false).await?;
    let assigned = links::TASK_ASSIGNEES.lefts(&mut conn, person_id).await?;
    let assigned = Select::default()
        .filter(Filter::In("id", ids(assigned)))
        .filter(Filter::In(
            "project_id",
            ids(open.iter().map(id_of).collect()),
        ));
    let mut entities: Vec<Uuid> = rows::list(&mut conn, TASK, &assigned, false)
        .await?
        .iter()
        .filter_map(|t| uuid_field(t, "entity_id"))
        .collect();
    entities.sort();
    entities.dedup();
    let select = Select::default()
        .filter(Filter::In("entity_id", ids(entities)))
        .eq("task_type_id", SqlValue::Uuid(type_id));
    let list = rows::list(&mut conn, TASK, &select, false).await?;
    Ok(list_json(list))
}

/// GET /data/projects/{id}/tasks — plain list with `assignees`; `?page=`
/// gives Zou's envelope of 100.
async fn project_tasks(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    query: QueryPairs,
) -> ApiResult<Response> {
    let id = path_id(&id)?;
    let mut conn = state.db.conn().await?;
    rows::get(&mut conn, &models::PROJECT, id, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    check_project_access(&mut conn, &user, id).await?;
    let mut filters = vec![Filter::Eq("project_id", SqlValue::Uuid(id))];
    filters.extend(vendor_filter(&mut conn, &user).await?);
    for key in ["task_type_id", "task_status_id", "entity_id"] {
        if let Some(v) = query.get(key) {
            let u = Uuid::parse_str(v)
                .map_err(|_| ApiError::bad_request(format!("Invalid UUID value: {v}")))?;
            filters.push(Filter::Eq(
                match key {
                    "task_type_id" => "task_type_id",
                    "task_status_id" => "task_status_id",
                    _ => "entity_id",
                },
                SqlValue::Uuid(u),
            ));
        }
    }
    if let Some(ep) = query.get("episode_id") {
        let ep = Uuid::parse_str(ep)
            .map_err(|_| ApiError::bad_request(format!("Invalid UUID value: {ep}")))?;
        filters.push(Filter::In(
            "entity_id",
            entities_of_episode(&mut conn, ep).await?,
        ));
    }
    if crud::page_and_limit(&query)?.0.is_some() {
        return paginated(&mut conn, &user, filters, &query, true).await;
    }
    let select = Select {
        filters,
        ..Default::default()
    };
    if user.role == Role::Client {
        let list = rows::list(&mut conn, TASK, &select, false).await?;
        let list = many_with_assignees_in_place(&mut conn, list).await?;
        return Ok(list_json(for_caller(&user, list)).into_response());
    }
    drop(conn);
    let inline = fennec_store::stream::Inline {
        key: "assignees",
        link: links::TASK_ASSIGNEES,
    };
    let rx = fennec_store::stream::json_array(state.db.clone(), TASK, select, Some(inline));
    Ok(crate::present::json_stream(rx))
}

/// GET /data/tasks/{id} — the generic CRUD read.
async fn read_task(
    state: State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    query: QueryPairs,
) -> ApiResult<Json<Value>> {
    crud::read(state, user, Path(("tasks".to_owned(), id)), query).await
}

/// DELETE /data/tasks/{id} — the generic CRUD delete.
async fn delete_task(
    state: State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    query: QueryPairs,
) -> ApiResult<StatusCode> {
    crud::remove(state, user, Path(("tasks".to_owned(), id)), query).await
}
