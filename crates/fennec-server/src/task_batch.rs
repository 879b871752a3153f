//! Tasks made and unassigned in batches: Zou's entity task creation
//! (`POST /data/entities/{id}/tasks`, what gazu's `create_{shot,asset,edit,
//! concept,entity}_tasks` call) and its clear-assignation action
//! (`PUT /actions/tasks/clear-assignation`). Each is one transaction.

use axum::http::StatusCode;
use axum::Json;
use fennec_api::models;
use fennec_store::db::Exec;
use fennec_store::links;
use fennec_store::rows::{self, Filter, Order, Row, Select};
use fennec_store::SqlValue;
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::permissions::{check_manager_project_access, check_project_access, on_project};
use crate::auth::user::Role;
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::QueryPairs;
use crate::generic_crud::{filters_from_query, scope_filters, Resource, Scope};
use crate::present::{id_of, uuid_field};
use crate::reach::check_entity_access;
use crate::task_rows::{flag, task_col, Lookups, TASK};

/// A `List[str]` field of a pydantic-validated body, with pydantic's
/// messages: `None` when absent and not required (Zou's default list).
fn string_list(
    body: &Map<String, Value>,
    key: &str,
    required: bool,
    errors: &mut Vec<(String, String)>,
) -> Vec<String> {
    match body.get(key) {
        None if required => {
            errors.push((key.into(), "Field required".into()));
            vec![]
        }
        None => vec![],
        Some(Value::Array(items)) => {
            let mut out = Vec::with_capacity(items.len());
            for (n, item) in items.iter().enumerate() {
                match item.as_str() {
                    Some(s) => out.push(s.to_owned()),
                    None => errors.push((
                        format!("{key}.{n}"),
                        "Input should be a valid string".into(),
                    )),
                }
            }
            if required && items.is_empty() {
                // Zou's schemas declare `min_length=1` on the lists they require.
                errors.push((
                    key.into(),
                    "List should have at least 1 item after validation, not 0".into(),
                ));
            }
            out
        }
        Some(_) => {
            errors.push((key.into(), "Input should be a valid list".into()));
            vec![]
        }
    }
}

/// POST /data/entities/{id}/tasks `{"task_type_ids": [...]}` — the tasks
/// made, 201. Zou's rules: the entity's team (no vendor, no client; an
/// artist may), each task type known (404), of the entity's kind, enabled
/// in the production and, for an asset whose type has a workflow, in that
/// workflow (400, naming the first offender); an empty list means every
/// such task type. A "main" task that exists already is skipped.
pub(crate) async fn create_entity_tasks(
    state: &AppState,
    user: &CurrentUser,
    entity: &str,
    body: &Map<String, Value>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let mut tx = state.db.begin().await?;
    let mut lookups = Lookups::load(&mut tx).await?;
    // Zou's `get_entity`: an id that is no entity (a project, a malformed
    // string) is a 404.
    let entity_id = Uuid::parse_str(entity).map_err(|_| ApiError::not_found())?;
    let entity = lookups
        .entity(&mut tx, Some(entity_id))
        .await?
        .ok_or_else(ApiError::not_found)?;
    let project_id = uuid_field(&entity, "project_id").unwrap_or_default();
    check_project_access(&mut tx, user, project_id).await?;
    let caller = on_project(&mut tx, user, project_id).await?;
    check_entity_access(&mut tx, &caller, Some(entity_id)).await?;
    if matches!(caller.role, Role::Vendor | Role::Client) {
        return Err(ApiError::forbidden());
    }
    let mut errors = Vec::new();
    let wanted = string_list(body, "task_type_ids", false, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let mut task_types = Vec::with_capacity(wanted.len());
    for id in &wanted {
        let task_type = Uuid::parse_str(id)
            .ok()
            .and_then(|id| lookups.refs.task_types.get(&id).cloned())
            .ok_or_else(ApiError::not_found)?;
        task_types.push(task_type);
    }

    let entity_type_id = uuid_field(&entity, "entity_type_id").unwrap_or_default();
    let is_asset = entity.get("type").and_then(Value::as_str) == Some("Asset");
    let kind = if is_asset {
        "Asset".to_owned()
    } else {
        lookups
            .refs
            .entity_types
            .name(entity_type_id)
            .unwrap_or_default()
            .to_owned()
    };
    let enabled = links::PROJECT_TASK_TYPES
        .rights(&mut tx, project_id)
        .await?;
    // An asset type with no workflow takes every task type (Kitsu's
    // "Includes all asset task types").
    let workflow = if is_asset {
        Some(
            links::ASSET_TYPE_TASK_TYPES
                .rights(&mut tx, entity_type_id)
                .await?,
        )
        .filter(|w| !w.is_empty())
    } else {
        None
    };
    let for_entity = |tt: &Map<String, Value>| {
        tt.get("for_entity")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    if wanted.is_empty() {
        task_types = enabled
            .iter()
            .filter(|id| workflow.as_ref().is_none_or(|w| w.contains(id)))
            .filter_map(|id| lookups.refs.task_types.get(id).cloned())
            .filter(|tt| for_entity(tt).is_none_or(|f| f == kind))
            .collect();
    } else {
        for tt in &task_types {
            let id = id_of(tt);
            if let Some(expected) = for_entity(tt).filter(|f| *f != kind) {
                return Err(ApiError::bad_request(format!(
                    "Task type {id} is for {expected} entities, got {kind}."
                )));
            }
            if !enabled.contains(&id) {
                return Err(ApiError::bad_request(format!(
                    "Task type {id} is not enabled in project {project_id}."
                )));
            }
            if workflow.as_ref().is_some_and(|w| !w.contains(&id)) {
                return Err(ApiError::bad_request(format!(
                    "Task type {id} is not in the workflow of asset type {entity_type_id}."
                )));
            }
        }
    }

    // New tasks start on the default status: Neutral for a concept, Todo
    // otherwise (Zou's `get_default_task_status`).
    let concept = kind == "Concept";
    let status = default_status(&lookups, concept)?;

    let mut out = Vec::new();
    let mut seen = Vec::new();
    for tt in &task_types {
        let type_id = id_of(tt);
        if seen.contains(&type_id) {
            continue;
        }
        seen.push(type_id);
        let existing = rows::count(
            &mut tx,
            TASK,
            &[
                Filter::Eq("entity_id", SqlValue::Uuid(entity_id)),
                Filter::Eq("task_type_id", SqlValue::Uuid(type_id)),
                Filter::Eq("name", SqlValue::Text("main".into())),
            ],
        )
        .await?;
        if existing > 0 {
            continue;
        }
        let row = insert_main_task(&mut tx, user, &entity, tt, &status).await?;
        out.push(Value::Object(row));
    }
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Value::Array(out))))
}

/// Inserts the "main" task of `task_type` on `entity` as Zou's task
/// creations build it, and answers it as they do: the plain task, then
/// what they add after the insert (no assignees yet, the status's and task
/// type's details).
async fn insert_main_task(
    exec: &mut impl Exec,
    user: &CurrentUser,
    entity: &Row,
    task_type: &Row,
    status: &Row,
) -> ApiResult<Row> {
    let mut row = rows::insert(
        exec,
        TASK,
        vec![
            (task_col("name"), SqlValue::Text("main".into())),
            (task_col("duration"), SqlValue::Float(0.0)),
            (task_col("estimation"), SqlValue::Float(0.0)),
            (task_col("completion_rate"), SqlValue::Int(0)),
            (
                task_col("project_id"),
                SqlValue::Uuid(uuid_field(entity, "project_id").unwrap_or_default()),
            ),
            (task_col("task_type_id"), SqlValue::Uuid(id_of(task_type))),
            (task_col("task_status_id"), SqlValue::Uuid(id_of(status))),
            (task_col("entity_id"), SqlValue::Uuid(id_of(entity))),
            (task_col("assigner_id"), SqlValue::Uuid(user.id)),
        ],
    )
    .await?;
    row.shift_remove("assignees");
    row.insert("assignees".into(), json!([]));
    // Zou's _finalize_task_creation: `task:new` for each task made.
    let data = json!({ "task_id": id_of(&row).to_string() });
    let project = uuid_field(entity, "project_id");
    crate::events::emit(exec, Some(user.id), "task:new", data, project).await?;
    for (key, from, field) in [
        ("task_status_name", status, "name"),
        ("task_status_short_name", status, "short_name"),
        ("task_status_color", status, "color"),
        ("task_type_name", task_type, "name"),
        ("task_type_color", task_type, "color"),
        ("task_type_priority", task_type, "priority"),
    ] {
        row.insert(key.into(), from.get(field).cloned().unwrap_or(Value::Null));
    }
    Ok(row)
}

/// Zou's `get_default_task_status`: Neutral for a concept's task, Todo
/// otherwise.
fn default_status(lookups: &Lookups, concept: bool) -> ApiResult<Row> {
    lookups
        .refs
        .statuses
        .values()
        .filter(|s| flag(Some(s), "is_default") && flag(Some(s), "for_concept") == concept)
        .min_by_key(|s| id_of(s))
        .cloned()
        .ok_or_else(ApiError::not_found)
}

/// Which entities a project-wide task creation route works on.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum BatchKind {
    Shots,
    Assets,
    Edits,
    Concepts,
    /// `/create-tasks/<entity_type>`: the entity type named in the path.
    Named,
}

/// Zou's `validate_id_list(required=False)`: the body read silently (bad
/// JSON, no body, `{}` and `[]` all mean "every entity of the scope"), else
/// a JSON array of hyphenated UUIDs.
fn optional_id_list(bytes: &[u8]) -> ApiResult<Option<Vec<(String, Uuid)>>> {
    let payload = serde_json::from_slice::<Value>(bytes).ok();
    let items = match payload {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(m)) if m.is_empty() => return Ok(None),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(ApiError::bad_request("Request body must be a JSON array.")),
    };
    let hyphenated = |s: &str| {
        let shaped = s.len() == 36
            && s.char_indices().all(|(i, c)| {
                if [8, 13, 18, 23].contains(&i) {
                    c == '-'
                } else {
                    c.is_ascii_hexdigit()
                }
            });
        shaped.then(|| Uuid::parse_str(s).ok()).flatten()
    };
    let ids = items
        .iter()
        .map(|v| {
            let s = v.as_str()?;
            Some((s.to_owned(), hyphenated(s)?))
        })
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| ApiError::bad_request("Request body must only contain valid UUIDs."))?;
    Ok((!ids.is_empty()).then_some(ids))
}

/// POST /actions/projects/{id}/task-types/{type_id}/{shots,assets,edits,
/// concepts}/create-tasks and .../create-tasks/{entity_type} — one task of
/// the type for each entity listed in the body (of the route's kind, else
/// 404; those of another production skipped), or, with no list, for each
/// entity of that kind in the production (narrowed by the query's entity
/// columns; assets by `episode_id`, as their main episode or casting; the
/// named type by `episode_id` as parent). An entity holding a task of
/// that type already is skipped; no kind check on the task type, as in
/// Zou. Managers of the production (admins anywhere); for concepts, any
/// member but vendors and clients. 201 with the tasks made.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn create_tasks_for_entities(
    state: &AppState,
    user: &CurrentUser,
    project: &str,
    task_type: &str,
    kind: BatchKind,
    entity_type: Option<&str>,
    query: &QueryPairs,
    body: &[u8],
) -> ApiResult<(StatusCode, Json<Value>)> {
    let mut tx = state.db.begin().await?;
    let lookups = Lookups::load(&mut tx).await?;
    let project_id = Uuid::parse_str(project).ok();
    if !user.is_admin() {
        // Zou looks the production up first: unknown is a 404.
        let Some(p) = project_id else {
            return Err(ApiError::not_found());
        };
        if rows::get(&mut tx, &models::PROJECT, p, false)
            .await?
            .is_none()
        {
            return Err(ApiError::not_found());
        }
        if kind == BatchKind::Concepts {
            check_project_access(&mut tx, user, p).await?;
            let caller = on_project(&mut tx, user, p).await?;
            if matches!(caller.role, Role::Vendor | Role::Client) {
                return Err(ApiError::forbidden());
            }
        } else {
            check_manager_project_access(&mut tx, user, p).await?;
        }
    }
    let task_type = Uuid::parse_str(task_type)
        .ok()
        .and_then(|id| lookups.refs.task_types.get(&id).cloned())
        .ok_or_else(ApiError::not_found)?;
    let types = &lookups.refs.entity_types;
    let named_type = match entity_type {
        Some(name) => {
            // Python's `str.capitalize()`.
            let mut chars = name.chars();
            let name: String = chars
                .next()
                .map(|c| {
                    c.to_uppercase()
                        .chain(chars.flat_map(char::to_lowercase))
                        .collect()
                })
                .unwrap_or_default();
            Some(types.id_of(&name).ok_or_else(ApiError::not_found)?)
        }
        None => None,
    };
    let of_kind = |entity: &Row| -> bool {
        let t = entity.get("type").and_then(Value::as_str).unwrap_or("");
        match kind {
            BatchKind::Shots => t == "Shot",
            BatchKind::Assets => t == "Asset",
            BatchKind::Edits => t == "Edit",
            BatchKind::Concepts => t == "Concept",
            BatchKind::Named => true,
        }
    };

    let mut entities: Vec<Row> = Vec::new();
    if let Some(ids) = optional_id_list(body)? {
        for (_, id) in ids {
            let mut entity = rows::get(&mut tx, &models::ENTITY, id, false)
                .await?
                .ok_or_else(ApiError::not_found)?;
            types.type_entity(&mut entity);
            if !of_kind(&entity) {
                return Err(ApiError::not_found());
            }
            // Zou compares the entity's production with the path's text.
            if entity.get("project_id").and_then(Value::as_str) == Some(project) {
                entities.push(entity);
            }
        }
    } else if let Some(project_id) = project_id {
        let mut select = Select::default().eq("project_id", SqlValue::Uuid(project_id));
        let episode = query.get("episode_id").map(str::to_owned);
        match kind {
            BatchKind::Named => {
                select = select.eq(
                    "entity_type_id",
                    SqlValue::Uuid(named_type.unwrap_or_default()),
                );
                if let Some(ep) = &episode {
                    let ep = Uuid::parse_str(ep).map_err(|_| ApiError::not_found())?;
                    select = select.eq("parent_id", SqlValue::Uuid(ep));
                }
                select.order = Order::Name;
            }
            _ => {
                let scope = match kind {
                    BatchKind::Shots => Scope::EntityKind("Shot"),
                    BatchKind::Assets => Scope::Assets,
                    BatchKind::Edits => Scope::EntityKind("Edit"),
                    _ => Scope::EntityKind("Concept"),
                };
                for f in scope_filters(scope, types) {
                    select = select.filter(f);
                }
                // The query's entity columns narrow the list, as Zou's
                // criterions do (no alias: `sequence_id` is no column).
                let assets = kind == BatchKind::Assets;
                let args = QueryPairs(
                    query
                        .0
                        .iter()
                        .filter(|(k, _)| match k.as_str() {
                            "project_id" => false,
                            "entity_type_id" => assets,
                            "episode_id" => !assets,
                            _ => true,
                        })
                        .cloned()
                        .collect(),
                );
                let res = Resource {
                    model: &models::ENTITY,
                    scope: Scope::Entities,
                };
                for f in filters_from_query(res, &args)? {
                    select = select.filter(f);
                }
                if matches!(kind, BatchKind::Edits | BatchKind::Concepts) {
                    select.order = Order::Name;
                }
            }
        }
        let mut found = rows::list(&mut tx, &models::ENTITY, &select, false).await?;
        if kind == BatchKind::Assets {
            if let Some(ep) = episode {
                let ep = Uuid::parse_str(&ep).map_err(|_| ApiError::not_found())?;
                // An asset belongs to an episode as its main one or by
                // being cast in it.
                let cast = crate::user_context::ids(
                    &mut tx,
                    "SELECT entity_out_id FROM entity_links WHERE entity_in_id = $1",
                    &[ep],
                )
                .await?;
                found
                    .retain(|a| uuid_field(a, "source_id") == Some(ep) || cast.contains(&id_of(a)));
            }
        }
        for mut entity in found {
            types.type_entity(&mut entity);
            entities.push(entity);
        }
    }

    let mut out = Vec::new();
    if let Some(first) = entities.first() {
        let concept = first.get("type").and_then(Value::as_str) == Some("Concept")
            || types.name(uuid_field(first, "entity_type_id").unwrap_or_default())
                == Some("Concept");
        let status = default_status(&lookups, concept)?;
        let type_id = id_of(&task_type);
        let mut done: Vec<Uuid> = Vec::new();
        for entity in &entities {
            let id = id_of(entity);
            if done.contains(&id) {
                continue;
            }
            done.push(id);
            // Any task of that type on the entity, whatever its name.
            let existing = rows::count(
                &mut tx,
                TASK,
                &[
                    Filter::Eq("entity_id", SqlValue::Uuid(id)),
                    Filter::Eq("task_type_id", SqlValue::Uuid(type_id)),
                ],
            )
            .await?;
            if existing > 0 {
                continue;
            }
            let row = insert_main_task(&mut tx, user, entity, &task_type, &status).await?;
            out.push(Value::Object(row));
        }
    }
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Value::Array(out))))
}

/// Zou's `check_task_department_access_for_unassign`: admins; in the
/// production's team, its managers, its supervisors of the task type's
/// department (or of none), and an assignee taking himself off.
async fn may_unassign(
    exec: &mut impl Exec,
    user: &CurrentUser,
    task: &Map<String, Value>,
    person: Option<&str>,
) -> ApiResult<bool> {
    if user.is_admin() {
        return Ok(true);
    }
    let project = uuid_field(task, "project_id").unwrap_or_default();
    if !links::PROJECT_TEAM.contains(exec, project, user.id).await? {
        return Ok(false);
    }
    let caller = on_project(exec, user, project).await?;
    match caller.role {
        Role::Manager => return Ok(true),
        Role::Supervisor => {
            let departments = links::PERSON_DEPARTMENTS.rights(exec, user.id).await?;
            if departments.is_empty() {
                return Ok(true);
            }
            // A task type in no department is no supervisor's (Zou looks
            // its `None` up in the list).
            let department = match uuid_field(task, "task_type_id") {
                Some(tt) => rows::get(exec, &models::TASK_TYPE, tt, false)
                    .await?
                    .and_then(|r| uuid_field(&r, "department_id")),
                None => None,
            };
            if department.is_some_and(|d| departments.contains(&d)) {
                return Ok(true);
            }
        }
        _ => {}
    }
    let me = user.id.to_string();
    Ok(person == Some(me.as_str())
        && links::TASK_ASSIGNEES
            .contains(exec, id_of(task), user.id)
            .await?)
}

/// PUT /actions/tasks/clear-assignation `{"task_ids": [...], "person_id"?}`
/// — the ids (as sent) of the tasks cleared; unknown ids and tasks the
/// caller may not unassign are skipped. Without `person_id` every assignee
/// goes; with it, that person only (an id of no assignee clears nothing
/// but still counts, as in Zou).
pub(crate) async fn clear_assignations(
    state: &AppState,
    user: &CurrentUser,
    body: &Map<String, Value>,
) -> ApiResult<Json<Value>> {
    let mut errors = Vec::new();
    let task_ids = string_list(body, "task_ids", true, &mut errors);
    let person = match body.get("person_id") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            errors.push(("person_id".into(), "Input should be a valid string".into()));
            None
        }
    };
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let mut tx = state.db.begin().await?;
    let mut out = Vec::new();
    for raw in task_ids {
        let Ok(id) = Uuid::parse_str(&raw) else {
            continue;
        };
        let Some(task) = rows::get(&mut tx, TASK, id, false).await? else {
            continue;
        };
        if !may_unassign(&mut tx, user, &task, person.as_deref()).await? {
            continue;
        }
        // Zou's clear_assignation announces a `task:unassign` for each
        // assignee it removed (every one, or the person named, even when
        // not assigned), then the task's `task:update`.
        let removed: Vec<String> = match &person {
            None => {
                let before = links::TASK_ASSIGNEES.rights(&mut tx, id).await?;
                links::TASK_ASSIGNEES.set(&mut tx, id, &[]).await?;
                before.iter().map(Uuid::to_string).collect()
            }
            Some(p) => {
                if let Ok(p) = Uuid::parse_str(p) {
                    links::TASK_ASSIGNEES.remove(&mut tx, id, p).await?;
                }
                vec![p.clone()]
            }
        };
        // Zou's update stamps the task even when nothing changed.
        rows::update(&mut tx, TASK, id, vec![]).await?;
        let project = crate::present::uuid_field(&task, "project_id");
        for p in removed {
            let data = serde_json::json!({ "person_id": p, "task_id": raw });
            crate::events::emit(&mut tx, Some(user.id), "task:unassign", data, project).await?;
        }
        crate::events::task_updated(&mut tx, Some(user.id), id, project).await?;
        out.push(Value::String(raw));
    }
    tx.commit().await?;
    Ok(Json(Value::Array(out)))
}
