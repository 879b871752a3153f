//! Zou's `concepts` blueprint: concepts are entities of the "Concept"
//! entity type (created on first use, as Zou's `get_concept_type` does),
//! listed studio-wide and per production, created get-or-create by name,
//! read in full and removed.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use fennec_api::models;
use fennec_store::db::Exec;
use fennec_store::rows::{self, Order, Row, Select};
use fennec_store::SqlValue;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::permissions::{check_manager_project_access, check_project_access, on_project};
use crate::auth::user::Role;
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::{path_id, Path, QueryPairs, SchemaBody};
use crate::generic_crud::{self as crud, resource};
use crate::hierarchy::get_or_create_entity;
use crate::present::uuid_field;
use crate::reach::check_entity_access;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/data/concepts", get(all_concepts))
        .route("/data/concepts/with-tasks", get(concepts_with_tasks))
        .route("/data/concepts/{id}", get(concept).delete(remove_concept))
        .route("/data/concepts/{id}/preview-files", get(concept_previews))
        .route(
            "/data/projects/{id}/concepts",
            get(project_concepts).post(new_concept),
        )
}

/// Zou's concept routes refuse vendors and clients after the project check.
async fn check_concept_reader(
    exec: &mut impl Exec,
    user: &CurrentUser,
    project: Option<Uuid>,
) -> ApiResult<()> {
    match project {
        Some(p) => {
            check_project_access(exec, user, p).await?;
            let role = on_project(exec, user, p).await?.role;
            if matches!(role, Role::Vendor | Role::Client) {
                return Err(ApiError::forbidden());
            }
        }
        // Zou's check_project_access(None): only an admin passes.
        None if !user.is_admin() => return Err(ApiError::forbidden()),
        None => {}
    }
    Ok(())
}

async fn concept_type(exec: &mut impl Exec) -> ApiResult<Uuid> {
    Ok(fennec_store::defaults::entity_type_id(exec, "Concept").await?)
}

/// Concepts matching `filters`, by name, each typed "Concept".
async fn concepts(exec: &mut impl Exec, mut select: Select) -> ApiResult<Vec<Row>> {
    let kind = concept_type(exec).await?;
    select = select.eq("entity_type_id", SqlValue::Uuid(kind));
    select.order = Order::Name;
    let mut list = rows::list(exec, &models::ENTITY, &select, false).await?;
    for row in &mut list {
        row.insert("type".into(), Value::String("Concept".into()));
    }
    Ok(list)
}

async fn project_name(exec: &mut impl Exec, project: Option<Uuid>) -> ApiResult<Value> {
    Ok(match project {
        Some(p) => rows::get(exec, &models::PROJECT, p, false)
            .await?
            .and_then(|r| r.get("name").cloned())
            .unwrap_or(Value::Null),
        None => Value::Null,
    })
}

/// GET /data/concepts — Zou's `get_concepts`: the query's filters, each
/// concept with its `project_name`.
async fn all_concepts(
    State(state): State<AppState>,
    user: CurrentUser,
    query: QueryPairs,
) -> ApiResult<Json<Value>> {
    let project = match query.get("project_id") {
        Some(p) => Some(
            Uuid::parse_str(p)
                .map_err(|_| ApiError::bad_request(format!("Invalid UUID value: {p}")))?,
        ),
        None => None,
    };
    let mut conn = state.db.conn().await?;
    check_concept_reader(&mut conn, &user, project).await?;
    let filters = crud::filters_from_query(resource("entities").expect("entities"), &query)?;
    let select = Select {
        filters,
        ..Default::default()
    };
    let mut list = concepts(&mut conn, select).await?;
    for row in &mut list {
        let name = project_name(&mut conn, uuid_field(row, "project_id")).await?;
        row.insert("project_name".into(), name);
    }
    Ok(Json(Value::Array(
        list.into_iter().map(Value::Object).collect(),
    )))
}

async fn project(exec: &mut impl Exec, id: &str) -> ApiResult<Uuid> {
    let id = path_id(id)?;
    rows::get(exec, &models::PROJECT, id, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(id)
}

/// GET /data/projects/{project_id}/concepts
async fn project_concepts(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let mut conn = state.db.conn().await?;
    let project = project(&mut conn, &id).await?;
    check_concept_reader(&mut conn, &user, Some(project)).await?;
    let select = Select::default().eq("project_id", SqlValue::Uuid(project));
    let list = concepts(&mut conn, select).await?;
    Ok(Json(Value::Array(
        list.into_iter().map(Value::Object).collect(),
    )))
}

/// Zou's `NewConceptSchema`, the fields other than `name` that it types.
fn check_new_concept(body: &Map<String, Value>) -> ApiResult<(String, Vec<Uuid>)> {
    let invalid = |f: &str, m: &str| ApiError::validation(vec![(f.to_owned(), m.to_owned())]);
    let name = match body.get("name") {
        None | Some(Value::Null) => return Err(invalid("name", "Field required")),
        Some(Value::String(s)) if s.is_empty() => {
            return Err(invalid("name", "String should have at least 1 character"))
        }
        Some(Value::String(s)) => s.clone(),
        Some(_) => return Err(invalid("name", "Input should be a valid string")),
    };
    if body
        .get("data")
        .is_some_and(|v| !v.is_null() && !v.is_object())
    {
        return Err(invalid("data", "Input should be a valid dictionary"));
    }
    if body
        .get("description")
        .is_some_and(|v| !v.is_null() && !v.is_string())
    {
        return Err(invalid("description", "Input should be a valid string"));
    }
    // Zou 1.0.97 types the links as dicts (gazu 1.3.1 sends ids: 400).
    let mut links = Vec::new();
    match body.get("entity_concept_links") {
        None => {}
        Some(Value::Array(a)) => {
            for v in a {
                let Some(d) = v.as_object() else {
                    return Err(invalid(
                        "entity_concept_links",
                        "Input should be a valid dictionary",
                    ));
                };
                if let Some(id) = d
                    .get("id")
                    .and_then(Value::as_str)
                    .and_then(|s| Uuid::parse_str(s).ok())
                {
                    links.push(id);
                }
            }
        }
        Some(_) => {
            return Err(invalid(
                "entity_concept_links",
                "Input should be a valid list",
            ))
        }
    }
    if body.get("parent_id").is_some_and(|v| !v.is_null()) {
        // Concept folders are not served: a folder can never be found.
        return Err(ApiError::not_found());
    }
    Ok((name, links))
}

/// POST /data/projects/{project_id}/concepts — get-or-create by name;
/// answers the concept (201 either way, as Zou).
async fn new_concept(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    SchemaBody(body): SchemaBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let (name, links) = check_new_concept(&body)?;
    let mut tx = state.db.begin().await?;
    let project = project(&mut tx, &id).await?;
    check_concept_reader(&mut tx, &user, Some(project)).await?;
    let mut fields = body.clone();
    fields.remove("name");
    if !fields.contains_key("data") || fields["data"].is_null() {
        fields.insert("data".into(), Value::Object(Map::new()));
    }
    let kind = concept_type(&mut tx).await?;
    let existing = Select::default()
        .eq("project_id", SqlValue::Uuid(project))
        .eq("entity_type_id", SqlValue::Uuid(kind))
        .eq("name", SqlValue::Text(name.clone()));
    let existed = !rows::list(&mut tx, &models::ENTITY, &existing, false)
        .await?
        .is_empty();
    let mut row =
        get_or_create_entity(&mut tx, project, "Concept", None, &name, &fields, user.id).await?;
    row.insert("type".into(), Value::String("Concept".into()));
    let concept = uuid_field(&row, "id").expect("id");
    if existed {
        // Zou answers the concept it found, without touching its links.
        tx.commit().await?;
        return Ok((StatusCode::CREATED, Json(Value::Object(row))));
    }
    let mut linked = Vec::new();
    for entity in links {
        // Zou keeps the links to entities that exist.
        if rows::get(&mut tx, &models::ENTITY, entity, false)
            .await?
            .is_some()
        {
            fennec_store::breakdown::insert_concept_link(&mut tx, concept, entity).await?;
            linked.push(Value::String(entity.to_string()));
        }
    }
    tx.commit().await?;
    state.refs.invalidate();
    // A new concept's answer ends with its links, after `type`: Zou
    // serialises the relation it has just set.
    row.insert("entity_concept_links".into(), Value::Array(linked));
    Ok((StatusCode::CREATED, Json(Value::Object(row))))
}

/// The concept of a path: 404 when it is not one.
async fn load_concept(exec: &mut impl Exec, id: &str) -> ApiResult<Row> {
    let id = path_id(id)?;
    let kind = concept_type(exec).await?;
    let row = rows::get(exec, &models::ENTITY, id, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if uuid_field(&row, "entity_type_id") != Some(kind) {
        return Err(ApiError::not_found());
    }
    Ok(row)
}

/// GET /data/concepts/{concept_id} — Zou's `get_full_concept`: its
/// concepts-and-tasks row, completed by the serialised concept with its
/// relations.
async fn concept(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let mut tx = state.db.begin().await?;
    let row = load_concept(&mut tx, &id).await?;
    let project = uuid_field(&row, "project_id");
    check_project_access(&mut tx, &user, project.unwrap_or_default()).await?;
    check_entity_access(&mut tx, &user, uuid_field(&row, "id")).await?;
    let me = uuid_field(&row, "id").expect("id");
    let data = row.get("data").cloned().unwrap_or(Value::Null);
    let data = if data.is_null() {
        Value::Object(Map::new())
    } else {
        data
    };
    let get = |k: &str| row.get(k).cloned().unwrap_or(Value::Null);
    let ids = |v: Vec<Uuid>| Value::Array(v.iter().map(|u| Value::String(u.to_string())).collect());
    let mut out = Map::new();
    out.insert("canceled".into(), get("canceled"));
    out.insert("data".into(), data.clone());
    out.insert("description".into(), get("description"));
    out.insert("entity_type_id".into(), get("entity_type_id"));
    for k in ["fps", "frame_in", "frame_out"] {
        out.insert(k.into(), data.get(k).cloned().unwrap_or(Value::Null));
    }
    for k in ["id", "name", "nb_frames", "parent_id", "preview_file_id"] {
        out.insert(k.into(), get(k));
    }
    out.insert("preview_file_status".into(), Value::Null);
    out.insert("project_id".into(), get("project_id"));
    out.insert("project_name".into(), project_name(&mut tx, project).await?);
    for k in ["source_id", "nb_entities_out", "is_casting_standby"] {
        out.insert(k.into(), get(k));
    }
    // Concept tasks are not presented yet (Fennec creates none here).
    out.insert("tasks".into(), Value::Array(vec![]));
    let links = fennec_store::breakdown::concept_links_out(&mut tx, me).await?;
    out.insert("entity_concept_links".into(), ids(links));
    out.insert("type".into(), Value::String("Concept".into()));
    for k in ["updated_at", "created_at", "created_by"] {
        out.insert(k.into(), get(k));
    }
    // What serialize(relations=True) adds to that row.
    for (k, v) in &row {
        if !out.contains_key(k) {
            out.insert(k.clone(), v.clone());
        }
    }
    let entities_in = fennec_store::breakdown::entities_in(&mut tx, me).await?;
    let entities_out = fennec_store::breakdown::entities_out(&mut tx, me).await?;
    out.insert("entities_in".into(), ids(entities_in));
    out.insert("entities_out".into(), ids(entities_out));
    out.insert("instance_casting".into(), Value::Array(vec![]));
    tx.commit().await?;
    Ok(Json(Value::Object(out)))
}

/// GET /data/concepts/{concept_id}/preview-files — the previews of the
/// concept's tasks by task type; refused to clients, as Zou refuses them.
async fn concept_previews(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    crate::previews::entity_previews(&state, &user, &id, "Concept").await
}

/// DELETE /data/concepts/{concept_id} — its author (of the team) or a
/// manager; Zou's `remove_concept`: canceled when it has tasks, unless
/// forced.
async fn remove_concept(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    query: QueryPairs,
) -> ApiResult<StatusCode> {
    let mut tx = state.db.begin().await?;
    let row = load_concept(&mut tx, &id).await?;
    let project = uuid_field(&row, "project_id").unwrap_or_default();
    if uuid_field(&row, "created_by") == Some(user.id) {
        check_project_access(&mut tx, &user, project).await?;
    } else {
        check_manager_project_access(&mut tx, &user, project).await?;
    }
    let gone = crate::deletion::remove_leaf(&mut tx, user.id, &row, query.force()).await?;
    crate::deletion::commit(&state, tx, user.id, gone).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// GET /data/concepts/with-tasks[?project_id=&id=] — refused to vendors
/// and clients, as Zou refuses them.
async fn concepts_with_tasks(
    State(state): State<AppState>,
    user: CurrentUser,
    q: QueryPairs,
) -> ApiResult<axum::response::Response> {
    crate::with_tasks::concepts_route(&state.db, &user, &q).await
}
