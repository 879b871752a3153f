//! Zou's generic CRUD resources (`BaseModelsResource`, `BaseModelResource`
//! and their per-model subclasses): the handlers of `/data/<model>` and
//! `/data/<model>/<id>`, which the crud route module mounts and the route
//! modules of models with routes of their own (tasks) call, and the model
//! machinery they share (names, scopes, filters, row loading and access).
//!
//! Filters follow Zou's `get_query_criterions_from_request`: equality on
//! any column, `name` matched case-insensitively as a pattern, booleans in
//! any of Python's spellings, a value starting with `[` is a JSON list
//! (IN), unknown keys ignored. `?page=` switches to Zou's envelope.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use fennec_api::error as msg;
use fennec_api::models::{self, Column, Kind, Model, Wire};
use fennec_store::cascade;
use fennec_store::db::Exec;
use fennec_store::links;
use fennec_store::rows::{self, Filter, Order, Row, Select};
use fennec_store::value::BadValue;
use fennec_store::SqlValue;
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::permissions::{self, check_project_access};
use crate::auth::user::Role;
use crate::auth::{password, CurrentUser};
use crate::deletion::{self, EntityRoute};
use crate::error::{ApiError, ApiResult};
use crate::extract::{crud_id, CrudBody, Path, QueryPairs};
use crate::present::{self, id_of, EntityTypes};

/// What kind of rows a `/data/<model>` name covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Plain,
    /// Entity types that are asset types.
    AssetTypes,
    /// Entities of one built-in kind (`Shot`, `Sequence`, …).
    EntityKind(&'static str),
    /// Entities of any asset type.
    Assets,
    /// Every entity.
    Entities,
}

#[derive(Clone, Copy, Debug)]
pub struct Resource {
    pub model: &'static Model,
    pub scope: Scope,
}

pub fn resource(name: &str) -> Option<Resource> {
    use models::*;
    let (model, scope) = match name {
        "projects" => (&PROJECT, Scope::Plain),
        "persons" => (&PERSON, Scope::Plain),
        "project-status" => (&PROJECT_STATUS, Scope::Plain),
        "task-types" => (&TASK_TYPE, Scope::Plain),
        "task-status" => (&TASK_STATUS, Scope::Plain),
        "asset-types" => (&ASSET_TYPE, Scope::AssetTypes),
        "entity-types" => (&ENTITY_TYPE, Scope::Plain),
        "departments" => (&DEPARTMENT, Scope::Plain),
        "organisations" => (&ORGANISATION, Scope::Plain),
        "episodes" => (&ENTITY, Scope::EntityKind("Episode")),
        "sequences" => (&ENTITY, Scope::EntityKind("Sequence")),
        "shots" => (&ENTITY, Scope::EntityKind("Shot")),
        "scenes" => (&ENTITY, Scope::EntityKind("Scene")),
        "edits" => (&ENTITY, Scope::EntityKind("Edit")),
        "assets" => (&ENTITY, Scope::Assets),
        "entities" => (&ENTITY, Scope::Entities),
        "tasks" => (&TASK, Scope::Plain),
        "time-spents" => (&TIME_SPENT, Scope::Plain),
        "comments" => (&COMMENT, Scope::Plain),
        "milestones" => (&MILESTONE, Scope::Plain),
        // gazu's delete_entity_link goes through Zou's CRUD resource.
        "entity-links" => (&ENTITY_LINK, Scope::Plain),
        "asset-instances" => (&ASSET_INSTANCE, Scope::Plain),
        "preview-files" => (&PREVIEW_FILE, Scope::Plain),
        "studios" => (&STUDIO, Scope::Plain),
        "custom-actions" => (&CUSTOM_ACTION, Scope::Plain),
        "playlists" => (&PLAYLIST, Scope::Plain),
        _ => return None,
    };
    Some(Resource { model, scope })
}

fn is_entity(model: &Model) -> bool {
    std::ptr::eq(model, &models::ENTITY)
}

fn has_project(model: &Model) -> bool {
    is_entity(model)
        || std::ptr::eq(model, &models::TASK)
        || std::ptr::eq(model, &models::MILESTONE)
}

/// Zou's aliases in entity filters: `episode_id` of a sequence and
/// `sequence_id` of a shot are its `parent_id`.
fn alias(scope: Scope, key: &str) -> &str {
    match (scope, key) {
        (Scope::EntityKind("Sequence"), "episode_id") => "parent_id",
        (Scope::EntityKind("Shot" | "Scene"), "sequence_id") => "parent_id",
        (Scope::Assets, "asset_type_id") => "entity_type_id",
        _ => key,
    }
}

fn bad_filter(e: BadValue) -> ApiError {
    match e.kind {
        Kind::Uuid => ApiError::bad_request(format!("Invalid UUID value: {}", e.value)),
        Kind::Bool => ApiError::bad_request(format!("Invalid boolean value: {}", e.value)),
        // Other values fail in Zou's database, answered without `data`.
        _ => ApiError::new(
            StatusCode::BAD_REQUEST,
            json!({"error": true, "message": msg::INVALID_FORMAT}),
        ),
    }
}

/// Builds the filters of a query string for `res`.
pub fn filters_from_query(res: Resource, query: &QueryPairs) -> ApiResult<Vec<Filter>> {
    let mut filters = Vec::new();
    for (key, value) in &query.0 {
        if matches!(key.as_str(), "page" | "limit" | "relations" | "fields") {
            continue;
        }
        let Some(col) = res.model.column(alias(res.scope, key)) else {
            continue;
        };
        if col.wire == Wire::Hidden {
            // Zou refuses rather than ignores a filter on a column it hides.
            return Err(ApiError::bad_request(format!(
                "Filtering on {key} is not allowed."
            )));
        }
        if col.wire != Wire::Shown {
            if col.wire == Wire::Relation && Uuid::parse_str(value).is_err() {
                return Err(bad_filter(BadValue {
                    field: key.clone(),
                    kind: Kind::Text,
                    value: value.clone(),
                }));
            }
            continue;
        }
        if value.starts_with('[') {
            let list: Vec<Value> = serde_json::from_str(value).map_err(|_| {
                ApiError::bad_request(format!("Malformed list filter for field {key}."))
            })?;
            let mut vals = Vec::new();
            for v in &list {
                let s = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                vals.push(SqlValue::from_query(col, &s).map_err(bad_filter)?);
            }
            filters.push(Filter::In(col.name, vals));
        } else if col.name == "name" {
            filters.push(Filter::ILike(col.name, value.clone()));
        } else if value == "None" || value == "null" {
            filters.push(Filter::IsNull(col.name));
        } else {
            filters.push(Filter::Eq(
                col.name,
                SqlValue::from_query(col, value).map_err(bad_filter)?,
            ));
        }
    }
    Ok(filters)
}

/// The filters a scope implies (entity kind, asset types).
pub fn scope_filters(scope: Scope, types: &EntityTypes) -> Vec<Filter> {
    match scope {
        Scope::Plain | Scope::Entities => vec![],
        Scope::AssetTypes | Scope::Assets => {
            let col = if scope == Scope::AssetTypes {
                "id"
            } else {
                "entity_type_id"
            };
            vec![Filter::In(
                col,
                types
                    .asset_type_ids()
                    .into_iter()
                    .map(SqlValue::Uuid)
                    .collect(),
            )]
        }
        Scope::EntityKind(kind) => match types.id_of(kind) {
            Some(id) => vec![Filter::Eq("entity_type_id", SqlValue::Uuid(id))],
            None => vec![Filter::In("entity_type_id", vec![])],
        },
    }
}

/// Projects a non-admin may see: those whose team he is in.
pub async fn visible_projects(exec: &mut impl Exec, user: &CurrentUser) -> ApiResult<Vec<Uuid>> {
    Ok(links::PROJECT_TEAM.lefts(exec, user.id).await?)
}

/// The people a client meets (Zou's `get_client_team_person_ids`): the
/// teams of the open productions the client is part of.
pub async fn client_team(exec: &mut impl Exec, user: &CurrentUser) -> ApiResult<Vec<Uuid>> {
    let Some(open) = fennec_store::defaults::project_status_id(exec, "Open").await? else {
        return Ok(vec![]);
    };
    let mine = visible_projects(exec, user).await?;
    let select = Select::default()
        .eq("project_status_id", SqlValue::Uuid(open))
        .filter(Filter::In(
            "id",
            mine.into_iter().map(SqlValue::Uuid).collect(),
        ));
    let open_ones: Vec<Uuid> = rows::list(exec, &models::PROJECT, &select, false)
        .await?
        .iter()
        .map(id_of)
        .collect();
    let mut people = Vec::new();
    for team in links::PROJECT_TEAM
        .rights_of_many(exec, &open_ones)
        .await?
        .into_values()
    {
        for person in team {
            if !people.contains(&person) {
                people.push(person);
            }
        }
    }
    Ok(people)
}

/// Rows of a model whose project the caller may not see are filtered out
/// (Zou filters lists rather than refusing them).
async fn visibility_filters(
    exec: &mut impl Exec,
    user: &CurrentUser,
    model: &Model,
) -> ApiResult<Vec<Filter>> {
    if user.is_admin() {
        return Ok(vec![]);
    }
    let projects = visible_projects(exec, user).await?;
    let ids = projects.into_iter().map(SqlValue::Uuid).collect();
    if std::ptr::eq(model, &models::PROJECT) {
        Ok(vec![Filter::In("id", ids)])
    } else if has_project(model) {
        Ok(vec![Filter::In("project_id", ids)])
    } else {
        Ok(vec![])
    }
}

/// Finishes rows for the wire: entity kinds, computed lists.
pub async fn finish_rows(
    exec: &mut impl Exec,
    model: &'static Model,
    rows: &mut [Row],
    relations: bool,
) -> ApiResult<()> {
    finish_rows_typed(exec, model, rows, relations, None).await
}

/// [`finish_rows`] with the entity types the caller has loaded already.
pub async fn finish_rows_typed(
    exec: &mut impl Exec,
    model: &'static Model,
    rows: &mut [Row],
    relations: bool,
    types: Option<&EntityTypes>,
) -> ApiResult<()> {
    if is_entity(model) {
        let loaded;
        let types = match types {
            Some(t) => t,
            None => {
                loaded = EntityTypes::load(exec).await?;
                &loaded
            }
        };
        for r in rows.iter_mut() {
            types.type_entity(r);
        }
    }
    for r in rows.iter_mut() {
        present::crud_row(exec, model, r, relations).await?;
    }
    Ok(())
}

fn known(name: &str) -> ApiResult<Resource> {
    resource(name).ok_or_else(ApiError::not_found)
}

/// GET /data/{model}
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(name): Path<String>,
    query: QueryPairs,
) -> ApiResult<Response> {
    let res = known(&name)?;
    // Zou's generic list is for admins, except where a resource opens it
    // (and filters it) for others.
    if matches!(name.as_str(), "time-spents" | "comments") {
        permissions::require_admin(&user)?;
    }
    // Zou's CustomActionsResource: everyone but vendors.
    if name == "custom-actions" && user.role == Role::Vendor {
        return Err(ApiError::forbidden());
    }
    let mut conn = state.db.conn().await?;
    let types = EntityTypes::load(&mut conn).await?;
    let mut filters = filters_from_query(res, &query)?;
    if matches!(res.scope, Scope::EntityKind(_) | Scope::Assets) && !user.is_admin() {
        // Zou's shot, sequence, episode and asset lists: a production the
        // caller belongs to must be named (check_project_access), and a
        // vendor lists only what he holds a task on.
        let project = query
            .get("project_id")
            .and_then(|p| Uuid::parse_str(p).ok());
        match project {
            Some(p) => permissions::check_project_access(&mut conn, &user, p).await?,
            None => return Err(ApiError::forbidden()),
        }
        if user.role == Role::Vendor {
            let reached = crate::reach::vendor_entities(&mut conn, &user).await?;
            filters.push(Filter::In(
                "id",
                reached.into_iter().map(SqlValue::Uuid).collect(),
            ));
        }
    }
    filters.extend(scope_filters(res.scope, &types));
    filters.extend(visibility_filters(&mut conn, &user, res.model).await?);
    if std::ptr::eq(res.model, &models::PREVIEW_FILE) {
        filters.extend(preview_list_filters(&mut conn, &user, &query).await?);
    }
    if std::ptr::eq(res.model, &models::PLAYLIST) {
        filters.extend(crate::playlists::list_filters(&mut conn, &user).await?);
    }
    let relations = query.flag("relations");
    let (page, limit) = page_and_limit(&query)?;
    if let Some(page) = page {
        let total = rows::count(&mut conn, res.model, &filters).await?;
        let offset = (page - 1) * limit;
        // Zou answers a page before the first or past the last empty.
        let mut data = if page < 1 || total < offset {
            vec![]
        } else {
            let select = Select {
                filters,
                order: Order::UpdatedDesc,
                limit: Some(limit),
                offset: Some(offset),
            };
            rows::list(&mut conn, res.model, &select, relations).await?
        };
        finish_rows_typed(&mut conn, res.model, &mut data, relations, Some(&types)).await?;
        let nb_pages = (total + limit - 1) / limit;
        return Ok(Json(json!({
            "data": pick_fields(&query, data),
            "total": total,
            "nb_pages": nb_pages,
            "limit": limit,
            "offset": offset,
            "page": page,
        }))
        .into_response());
    }
    let select = Select {
        filters,
        ..Default::default()
    };
    let mut data = rows::list(&mut conn, res.model, &select, relations).await?;
    finish_rows_typed(&mut conn, res.model, &mut data, relations, Some(&types)).await?;
    if std::ptr::eq(res.model, &models::PERSON) && user.role == Role::Client {
        let team = client_team(&mut conn, &user).await?;
        data = data
            .iter()
            .filter(|p| team.contains(&id_of(p)))
            .map(present::client_person)
            .collect();
    } else if std::ptr::eq(res.model, &models::PERSON) && !user.is_admin() {
        data = data.iter().map(present::minimal_person).collect();
    }
    if res.scope == Scope::EntityKind("Shot") {
        shot_names(&mut conn, &mut data).await?;
    }
    let data = pick_fields(&query, data);
    Ok(Json(Value::Array(data.into_iter().map(Value::Object).collect())).into_response())
}

/// Loads a row of `res` by id, checking scope and project access.
pub async fn load_row(
    exec: &mut impl Exec,
    user: &CurrentUser,
    res: Resource,
    id: Uuid,
    relations: bool,
) -> ApiResult<Row> {
    let row = rows::get(exec, res.model, id, relations)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if res.scope != Scope::Plain {
        let types = EntityTypes::load(exec).await?;
        let in_scope = scope_filters(res.scope, &types).iter().all(|f| match f {
            Filter::Eq(col, SqlValue::Uuid(u)) => present::uuid_field(&row, col) == Some(*u),
            Filter::In(col, vals) => {
                let v = present::uuid_field(&row, col).map(SqlValue::Uuid);
                v.is_some_and(|v| vals.contains(&v))
            }
            _ => true,
        });
        if !in_scope {
            return Err(ApiError::not_found());
        }
    }
    if std::ptr::eq(res.model, &models::PROJECT) {
        check_project_access(exec, user, id).await?;
    } else if has_project(res.model) {
        if let Some(p) = present::uuid_field(&row, "project_id") {
            check_project_access(exec, user, p).await?;
        }
    }
    Ok(row)
}

/// GET /data/{model}/{id}
pub async fn read(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((name, id)): Path<(String, String)>,
    query: QueryPairs,
) -> ApiResult<Json<Value>> {
    let res = known(&name)?;
    let id = model_id(&name, &id)?;
    let mut conn = state.db.conn().await?;
    // Zou's single-object GETs serialise relations unless told otherwise.
    let relations = query.get("relations").is_none() || query.flag("relations");
    let mut row = load_row(&mut conn, &user, res, id, relations).await?;
    if std::ptr::eq(res.model, &models::CUSTOM_ACTION) {
        // Zou's CustomActionResource keeps the default read right.
        permissions::require_admin(&user)?;
    }
    if std::ptr::eq(res.model, &models::COMMENT) {
        crate::reach::check_comment_access(&mut conn, &user, &row).await?;
        // Zou's CommentResource: its relations, and the author in short.
        for k in [
            "mentions",
            "department_mentions",
            "acknowledgements",
            "attachment_files",
        ] {
            row.entry(k).or_insert_with(|| json!([]));
        }
        for (k, v) in crate::comments::relation_ids(&mut conn, id).await? {
            row.insert(k.into(), v);
        }
        // Zou's CommentResource presents the files, not their ids.
        let files = crate::attachments::present_for_comment(&mut conn, id).await?;
        row.insert("attachment_files".into(), files);
        crate::comments::embed_reply_authors(&mut conn, &mut row).await?;
        let author = match present::uuid_field(&row, "person_id") {
            Some(p) => rows::get(&mut conn, &models::PERSON, p, false).await?,
            None => None,
        };
        row.insert(
            "person".into(),
            author.map_or(Value::Null, |p| present::short_person(&p)),
        );
    }
    if std::ptr::eq(res.model, &models::PREVIEW_FILE) {
        check_preview_read(&mut conn, &user, &row).await?;
        if relations {
            row = crate::preview_files::with_comments(&mut conn, row).await?;
        }
    }
    if std::ptr::eq(res.model, &models::PLAYLIST) {
        crate::playlists::check_read_access(&mut conn, &user, &row).await?;
    }
    if std::ptr::eq(res.model, &models::ENTITY) {
        // Zou's entity resources: a vendor reads only the entities he holds
        // a task on.
        crate::reach::check_entity_access(&mut conn, &user, Some(id)).await?;
    }
    if std::ptr::eq(res.model, &models::TASK) {
        // Zou's TaskResource: the entity must be open to a vendor, and a
        // client reads the task blanked.
        let (_, on_project) = crate::reach::load_task(&mut conn, &user, id).await?;
        if on_project.role == Role::Client {
            crate::task_rows::blank_for_client(&mut row);
        }
    }
    if std::ptr::eq(res.model, &models::PROJECT) {
        present::project_detail(&mut conn, &mut row, &user).await?;
    } else {
        finish_rows(
            &mut conn,
            res.model,
            std::slice::from_mut(&mut row),
            relations,
        )
        .await?;
    }
    let manager = matches!(user.role, Role::Admin | Role::Manager);
    if std::ptr::eq(res.model, &models::PERSON) && user.role == Role::Client {
        // A client reads only the people of his productions, by name.
        if !client_team(&mut conn, &user).await?.contains(&id) {
            return Err(ApiError::forbidden());
        }
        row = present::client_person(&row);
    } else if std::ptr::eq(res.model, &models::PERSON) && !manager && id != user.id {
        row = present::minimal_person(&row);
    }
    if name == "entities" && relations {
        // Zou serialises an entity's link relations too; Fennec has no
        // casting links yet, so they are empty, as on a Zou without any.
        for k in [
            "entities_in",
            "entities_out",
            "entity_concept_links",
            "instance_casting",
        ] {
            row.entry(k).or_insert_with(|| json!([]));
        }
    }
    if name == "edits" {
        row = crate::hierarchy::full_edit(&mut conn, &row).await?;
    }
    if matches!(name.as_str(), "shots" | "assets") {
        crate::hierarchy::full_entity(&mut conn, &mut row, name == "shots").await?;
    }
    Ok(Json(Value::Object(row)))
}

/// The id of `/data/{model}/{id}`. Zou serves some models through their
/// own resources, which look the id up and answer 404 where the generic one
/// answers "Malformed ID.".
fn model_id(name: &str, id: &str) -> ApiResult<Uuid> {
    // A route of Zou's that Fennec lacks must not look like a malformed id
    // of the generic resource: gazu would raise ParameterException instead
    // of RouteNotFoundException.
    if NAMED_ROUTES.contains(&(name, id)) {
        return Err(ApiError::not_found());
    }
    if OWN_RESOURCES.contains(&name) {
        crate::extract::path_id(id)
    } else {
        crud_id(id)
    }
}

/// Zou's `/data/<model>/<name>` routes whose path the generic
/// `/data/<model>/<id>` would otherwise take (from Zou 1.0.97's blueprints).
const NAMED_ROUTES: &[(&str, &str)] = &[
    ("assets", "all"),
    ("assets", "with-tasks"),
    ("edits", "all"),
    ("edits", "with-tasks"),
    ("entities", "guess-from-path"),
    ("entities", "guess_from_path"),
    ("episodes", "with-tasks"),
    ("departments", "hardware-items"),
    ("departments", "software-licenses"),
    ("projects", "all"),
    ("projects", "news"),
    ("projects", "open"),
    ("scenes", "all"),
    ("scenes", "with-tasks"),
    ("sequences", "with-tasks"),
    ("shots", "all"),
    ("shots", "with-tasks"),
    ("tasks", "open-tasks"),
];

const OWN_RESOURCES: &[&str] = &[
    "asset-types",
    "assets",
    "shots",
    "scenes",
    "edits",
    "episodes",
    "sequences",
    "comments",
];

/// Models Zou only reads through `/data/{model}/{id}`: their writes go
/// through other routes, and these methods answer 405.
fn read_only(name: &str, method: &str) -> bool {
    match name {
        "asset-types" => matches!(method, "POST" | "PUT" | "DELETE"),
        "assets" | "episodes" | "sequences" => method == "PUT",
        _ => false,
    }
}

/// Zou's shot list names each shot's project and sequence.
async fn shot_names(exec: &mut impl Exec, shots: &mut [Row]) -> ApiResult<()> {
    let mut names: std::collections::HashMap<Uuid, Value> = Default::default();
    for shot in shots.iter_mut() {
        for (key, model, field) in [
            ("project_id", &models::PROJECT, "project_name"),
            ("parent_id", &models::ENTITY, "sequence_name"),
        ] {
            let name = match present::uuid_field(shot, key) {
                Some(id) => match names.get(&id) {
                    Some(n) => n.clone(),
                    None => {
                        let n = rows::get(exec, model, id, false)
                            .await?
                            .and_then(|r| r.get("name").cloned())
                            .unwrap_or(Value::Null);
                        names.insert(id, n.clone());
                        n
                    }
                },
                None => Value::Null,
            };
            shot.insert(field.into(), name);
        }
    }
    Ok(())
}

/// Zou's `fields=a,b` on generic lists: only those keys (and `id`, `type`)
/// of each row; unknown names are ignored.
pub fn pick_fields(query: &QueryPairs, rows: Vec<Row>) -> Vec<Row> {
    let Some(fields) = query.get("fields").filter(|f| !f.trim().is_empty()) else {
        return rows;
    };
    let kept: Vec<&str> = fields
        .split(',')
        .map(str::trim)
        .chain(["id", "type"])
        .collect();
    rows.into_iter()
        .map(|mut r| {
            r.retain(|k, _| kept.contains(&k.as_str()));
            r
        })
        .collect()
}

/// Zou's `page` and `limit` arguments: integers or a 400; a page of -1
/// (the default) means no pagination, a limit of 0 the default 100.
pub fn page_and_limit(query: &QueryPairs) -> ApiResult<(Option<i64>, i64)> {
    let int = |key: &str, default: i64| -> ApiResult<i64> {
        match query.get(key) {
            None => Ok(default),
            Some(v) => v
                .trim()
                .parse()
                .map_err(|_| ApiError::bad_request(format!("{key} must be an integer."))),
        }
    };
    let page = int("page", -1)?;
    let limit = int("limit", 0)?;
    if page <= -1 {
        return Ok((None, 100));
    }
    let limit = if limit == 0 { 100 } else { limit };
    if limit < 1 {
        return Err(ApiError::bad_request("limit must be a positive integer."));
    }
    Ok((Some(page), limit))
}

/// Converts a JSON body into column values. Unknown keys, relation lists
/// and protected columns are skipped; a value of the wrong kind is Zou's
/// CRUD "invalid format" error.
pub fn values_from_body(
    model: &'static Model,
    body: &Map<String, Value>,
    allow_id: bool,
) -> ApiResult<Vec<(&'static Column, SqlValue)>> {
    let mut values = Vec::new();
    for (k, v) in body {
        let Some(col) = model.column(k) else { continue };
        if !col.is_stored() || col.wire == Wire::Hidden {
            continue;
        }
        if matches!(col.name, "created_at" | "updated_at") || (col.name == "id" && !allow_id) {
            continue;
        }
        // Zou checks date strings of an update itself, with this message;
        // other bad values fail in its database as "invalid format".
        if !allow_id && matches!(col.kind, Kind::Date | Kind::DateTime) {
            if let Some(s) = v.as_str().filter(|s| !s.is_empty()) {
                if SqlValue::from_json(col, v).is_err() {
                    return Err(ApiError::bad_request(format!(
                        "Invalid date format for '{}': '{}'. Expected an ISO 8601 date or datetime.",
                        col.name, s
                    )));
                }
            }
        }
        let value = SqlValue::from_json(col, v)
            .map_err(|_| ApiError::bad_request_message(msg::INVALID_FORMAT))?;
        if col.required && value.is_null() {
            return Err(ApiError::bad_request_message(msg::REQUIRED_FIELD_MISSING));
        }
        values.push((col, value));
    }
    Ok(values)
}

/// Ids from a JSON list of ids or of dicts with an `id` (gazu sends either).
pub fn id_list(v: Option<&Value>) -> ApiResult<Vec<Uuid>> {
    let Some(Value::Array(items)) = v else {
        return Ok(vec![]);
    };
    items
        .iter()
        .map(|item| {
            let s = match item {
                Value::String(s) => Some(s.as_str()),
                Value::Object(o) => o.get("id").and_then(Value::as_str),
                _ => None,
            };
            s.and_then(|s| Uuid::parse_str(s).ok())
                .ok_or_else(|| ApiError::bad_request_message(msg::INVALID_FORMAT))
        })
        .collect()
}

fn text_of<'a>(values: &'a [(&'static Column, SqlValue)], name: &str) -> Option<&'a str> {
    values.iter().find_map(|(c, v)| match v {
        SqlValue::Text(s) if c.name == name => Some(s.as_str()),
        _ => None,
    })
}

/// POST /data/{model}
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(name): Path<String>,
    body: CrudBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let res = known(&name)?;
    if read_only(&name, "POST") {
        return Err(ApiError::method_not_allowed());
    }
    // A JSON list is Python's TypeError in Zou (it pops the protected
    // keys off the body), answered as its text.
    if body.0.is_array() {
        return Err(ApiError::bad_request_message(
            "pop expected at most 1 argument, got 2",
        ));
    }
    let mut body = body.object()?;
    // Studio-wide objects are the admin's (Zou's `check_admin_permissions`);
    // entities and tasks are created by managers through their own routes;
    // a milestone belongs to a project and its managers.
    if std::ptr::eq(res.model, &models::MILESTONE) {
        // Zou reads body["project_id"] for its right check: a KeyError.
        let project = body
            .get("project_id")
            .ok_or_else(|| ApiError::bad_request_message("'project_id'"))?
            .as_str()
            .and_then(|s| Uuid::parse_str(s).ok())
            .ok_or_else(|| ApiError::bad_request_message(msg::INVALID_FORMAT))?;
        let mut conn = state.db.conn().await?;
        permissions::check_manager_project_access(&mut conn, &user, project).await?;
    } else if std::ptr::eq(res.model, &models::PLAYLIST) {
        let mut conn = state.db.conn().await?;
        crate::playlists::prepare_create(&mut conn, &user, &mut body).await?;
    } else {
        permissions::require_admin(&user)?;
    }
    if std::ptr::eq(res.model, &models::CUSTOM_ACTION)
        && body.get("name").is_none_or(Value::is_null)
    {
        // Zou's CustomActionsResource.check_creation_integrity.
        return Err(ApiError::bad_request(
            "The 'name' field is required and cannot be None.",
        ));
    }
    let model = res.model;
    // Zou builds the row from the body's keys: one its model lacks is
    // Python's TypeError, which its CRUD answers verbatim.
    if let Some(k) = body.keys().find(|k| model.column(k).is_none()) {
        return Err(ApiError::bad_request_message(format!(
            "'{k}' is an invalid keyword argument for {}",
            model.type_name
        )));
    }
    if std::ptr::eq(model, &models::PERSON) {
        check_person_choices(&body)?;
    }
    let mut values = values_from_body(model, &body, true)?;
    let mut tx = state.db.begin().await?;

    if std::ptr::eq(model, &models::TASK_TYPE) {
        check_task_type_unique(&mut tx, &values, None).await?;
    }
    if std::ptr::eq(model, &models::ENTITY_TYPE) {
        if let Some(name) = text_of(&values, "name") {
            if name_taken(&mut tx, model, name, None).await? {
                return Err(ApiError::bad_request(
                    "Entity type with this name already exists",
                ));
            }
        }
    }
    if std::ptr::eq(model, &models::PERSON) {
        if let Some(pw) = body.get("password").and_then(Value::as_str) {
            let hash = password::hash(pw, state.config.bcrypt_cost).await?;
            values.push((
                model.column("password").expect("password column"),
                SqlValue::Text(hash),
            ));
        }
        if let Some(email) = text_of(&values, "email").map(str::to_owned) {
            if fennec_store::persons::credentials_by_email(&mut tx, &email)
                .await?
                .is_some()
            {
                return Err(ApiError::bad_request("Email already in use."));
            }
        }
    }
    if std::ptr::eq(model, &models::PROJECT)
        && !values.iter().any(|(c, _)| c.name == "project_status_id")
    {
        if let Some(open) = fennec_store::defaults::project_status_id(&mut tx, "Open").await? {
            values.push((
                model.column("project_status_id").expect("column"),
                SqlValue::Uuid(open),
            ));
        }
    }
    let mut row = rows::insert(&mut tx, model, values).await?;
    let id = id_of(&row);
    if std::ptr::eq(model, &models::TIME_SPENT) {
        // Zou's TimeSpentsResource.post_creation: the task's duration.
        if let Some(task) = present::uuid_field(&row, "task_id") {
            fennec_store::tasks::recompute_duration(&mut tx, task).await?;
        }
    }
    let mut relations = false;
    if std::ptr::eq(model, &models::PROJECT) {
        relations = true;
        links::PROJECT_TEAM
            .set(&mut tx, id, &id_list(body.get("team"))?)
            .await?;
        links::PROJECT_ASSET_TYPES
            .set(&mut tx, id, &id_list(body.get("asset_types"))?)
            .await?;
        links::PROJECT_TASK_STATUSES
            .set(&mut tx, id, &id_list(body.get("task_statuses"))?)
            .await?;
        links::PROJECT_TASK_TYPES
            .set(&mut tx, id, &id_list(body.get("task_types"))?)
            .await?;
        let tvshow = row.get("production_type").and_then(Value::as_str) == Some("tvshow");
        if tvshow {
            // Zou opens a TV show with its first episode, E01.
            let episode = crate::hierarchy::get_or_create_entity(
                &mut tx,
                id,
                "Episode",
                None,
                "E01",
                &Map::new(),
                user.id,
            )
            .await?;
            row.insert(
                "__first_episode_id".into(),
                Value::String(id_of(&episode).to_string()),
            );
        }
    }
    if std::ptr::eq(model, &models::PERSON) {
        links::PERSON_DEPARTMENTS
            .set(&mut tx, id, &id_list(body.get("departments"))?)
            .await?;
        // Zou answers a new person with its `departments` in place.
        row = rows::get(&mut tx, model, id, true)
            .await?
            .ok_or_else(ApiError::not_found)?;
        present::crud_row(&mut tx, model, &mut row, true).await?;
    }
    if std::ptr::eq(model, &models::PLAYLIST) {
        // Zou answers a new playlist with its relations (no build jobs yet).
        row = rows::get(&mut tx, model, id, true)
            .await?
            .ok_or_else(ApiError::not_found)?;
    }
    if std::ptr::eq(model, &models::PREVIEW_FILE) {
        // Zou answers a new preview file with its relations (its comments).
        row = rows::get(&mut tx, model, id, true)
            .await?
            .ok_or_else(ApiError::not_found)?;
    }
    if std::ptr::eq(model, &models::ENTITY_TYPE) {
        // Zou answers a new entity type with its relations: no task types.
        row.insert("task_types".into(), json!([]));
    }
    let first_episode = row.shift_remove("__first_episode_id");
    if relations {
        present::project_relations(&mut tx, &mut row).await?;
    }
    finish_rows(&mut tx, model, std::slice::from_mut(&mut row), false).await?;
    if let Some(ep) = first_episode {
        row.insert("first_episode_id".into(), ep);
    }
    if std::ptr::eq(model, &models::TIME_SPENT) {
        time_spent_task_updated(&mut tx, user.id, &row).await?;
    }
    // Zou's emit_create_event, sent when this transaction commits.
    crate::events::crud(&mut tx, user.id, model, "new", &row).await?;
    tx.commit().await?;
    invalidate_refs(&state, model);
    Ok((StatusCode::CREATED, Json(Value::Object(row))))
}

/// Clears the reference-data cache after a write to one of its tables.
fn invalidate_refs(state: &AppState, model: &Model) {
    if matches!(model.table, "task_types" | "task_statuses" | "entity_types") {
        state.refs.invalidate();
    }
}

/// Whether another row of `model` (than `except`) carries `name`, compared
/// regardless of case as Zou compares task and entity type names.
async fn name_taken(
    exec: &mut impl Exec,
    model: &'static Model,
    name: &str,
    except: Option<Uuid>,
) -> ApiResult<bool> {
    let name = name.to_lowercase();
    Ok(rows::list(exec, model, &Select::default(), false)
        .await?
        .iter()
        .any(|r| {
            Some(id_of(r)) != except
                && r.get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.to_lowercase() == name)
        }))
}

/// Zou refuses a task type whose name another one carries, compared
/// regardless of case: gazu resolves task types by lower-cased name.
async fn check_task_type_unique(
    exec: &mut impl Exec,
    values: &[(&'static Column, SqlValue)],
    except: Option<Uuid>,
) -> ApiResult<()> {
    let Some(name) = text_of(values, "name") else {
        return Ok(());
    };
    if name_taken(exec, &models::TASK_TYPE, name, except).await? {
        return Err(ApiError::bad_request(
            "A task type with similar name already exists",
        ));
    }
    Ok(())
}

/// Person fields only an admin changes (Zou's `PersonResource.update_data`).
const PROTECTED_PROFILE_FIELDS: &[&str] = &[
    "role",
    "departments",
    "active",
    "is_bot",
    "archived",
    "login_failed_attemps",
    "last_login_failed",
    "is_generated_from_ldap",
    "ldap_uid",
    "last_presence",
    "studio_id",
    "expiration_date",
    "password",
];

const ROLES: &[&str] = &["user", "admin", "supervisor", "manager", "client", "vendor"];
const CONTRACT_TYPES: &[&str] = &[
    "open-ended",
    "fixed-term",
    "short-term",
    "freelance",
    "apprentice",
    "internship",
];

/// Zou's choice columns of a person: an unknown role or contract type is
/// refused rather than stored; an e-mail must look like one (Zou's
/// email-validator messages for the common mistakes).
fn check_person_choices(body: &Map<String, Value>) -> ApiResult<()> {
    if let Some(Value::String(email)) = body.get("email") {
        let problem = match email.split_once('@') {
            None => Some("An email address must have an @-sign."),
            Some(("", _)) => Some("There must be something before the @-sign."),
            Some((_, "")) => Some("There must be something after the @-sign."),
            Some((local, _)) if local.contains(' ') => {
                Some("The email address contains invalid characters before the @-sign: SPACE.")
            }
            Some((_, domain)) if domain.contains("..") => {
                Some("An email address cannot have two periods in a row.")
            }
            _ => None,
        };
        if let Some(m) = problem {
            return Err(ApiError::bad_request(m));
        }
    }
    if let Some(role) = body.get("role") {
        if !role.as_str().is_some_and(|r| ROLES.contains(&r)) {
            return Err(ApiError::bad_request("Invalid role"));
        }
    }
    if let Some(contract) = body.get("contract_type") {
        if !contract
            .as_str()
            .is_some_and(|c| CONTRACT_TYPES.contains(&c))
        {
            return Err(ApiError::bad_request("Invalid contract_type"));
        }
    }
    Ok(())
}

/// PUT /data/{model}/{id}
pub async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((name, id)): Path<(String, String)>,
    body: CrudBody,
) -> ApiResult<Json<Value>> {
    let res = known(&name)?;
    if read_only(&name, "PUT") {
        return Err(ApiError::method_not_allowed());
    }
    let id = model_id(&name, &id)?;
    let body = body.object()?;
    let mut tx = state.db.begin().await?;
    let row = load_row(&mut tx, &user, res, id, false).await?;
    let row_before = row.clone();
    let is_person = std::ptr::eq(res.model, &models::PERSON);
    let own_profile = is_person && id == user.id;
    if std::ptr::eq(res.model, &models::MILESTONE) {
        let project = present::uuid_field(&row, "project_id").unwrap_or_default();
        permissions::check_manager_project_access(&mut tx, &user, project).await?;
    } else if std::ptr::eq(res.model, &models::PROJECT) {
        // Zou's ProjectResource: the production's managers edit it.
        permissions::check_manager_project_access(&mut tx, &user, id).await?;
    } else if std::ptr::eq(res.model, &models::PREVIEW_FILE) {
        check_preview_update(&mut tx, &user, &row).await?;
    } else if std::ptr::eq(res.model, &models::PLAYLIST) {
        crate::playlists::check_update_access(&mut tx, &user, &row).await?;
    } else if std::ptr::eq(res.model, &models::ENTITY) {
        // Zou's check_metadata_department_access: the production's
        // managers, or whoever created the entity.
        let project = present::uuid_field(&row, "project_id").unwrap_or_default();
        if present::uuid_field(&row, "created_by") != Some(user.id) {
            permissions::check_manager_project_access(&mut tx, &user, project).await?;
        }
    } else if !own_profile {
        permissions::require_admin(&user)?;
    }
    if std::ptr::eq(res.model, &models::CUSTOM_ACTION)
        && body.get("name").is_some_and(Value::is_null)
    {
        // Zou's CustomActionResource.pre_update.
        return Err(ApiError::bad_request(
            "The 'name' field cannot be set to None.",
        ));
    }
    let mut body = body;
    if std::ptr::eq(res.model, &models::PLAYLIST) {
        crate::playlists::prepare_update(&mut tx, &mut body).await?;
    }
    if is_person {
        if !user.is_admin() {
            // What a person may not change on his own profile (Zou's
            // PersonResource.update_data); the rest of the body applies.
            for k in PROTECTED_PROFILE_FIELDS {
                body.shift_remove(*k);
            }
        }
        check_person_choices(&body)?;
    }
    let mut values = values_from_body(res.model, &body, false)?;
    // Only a rename is checked: Kitsu sends the whole form on every edit.
    if std::ptr::eq(res.model, &models::TASK_TYPE)
        && text_of(&values, "name")
            .is_some_and(|n| row.get("name").and_then(Value::as_str) != Some(n))
    {
        check_task_type_unique(&mut tx, &values, Some(id)).await?;
    }
    if is_person {
        if let Some(email) = text_of(&values, "email").map(str::to_owned) {
            let other = fennec_store::persons::credentials_by_email(&mut tx, &email).await?;
            if other.is_some_and(|c| c.id != id) {
                return Err(ApiError::bad_request("Email already in use."));
            }
        }
        if user.is_admin() && body.contains_key("departments") {
            links::PERSON_DEPARTMENTS
                .set(&mut tx, id, &id_list(body.get("departments"))?)
                .await?;
        }
        if user.is_admin() {
            if let Some(pw) = body.get("password").and_then(Value::as_str) {
                let hash = password::hash(pw, state.config.bcrypt_cost).await?;
                values.push((
                    res.model.column("password").expect("password column"),
                    SqlValue::Text(hash),
                ));
            }
        }
    }
    if std::ptr::eq(res.model, &models::PREVIEW_FILE) {
        preview_revision_change(&mut tx, &row, &values).await?;
    }
    let status_before = present::uuid_field(&row, "task_status_id");
    let mut row = rows::update(&mut tx, res.model, id, values)
        .await?
        .ok_or_else(ApiError::not_found)?;
    recompute_after_update(&mut tx, res.model, &row, &row_before, status_before).await?;
    finish_rows(&mut tx, res.model, std::slice::from_mut(&mut row), false).await?;
    // Zou answers an update with these computed fields too.
    if std::ptr::eq(res.model, &models::PROJECT)
        && row.get("production_type").and_then(Value::as_str) == Some("tvshow")
    {
        let first = present::first_episode_id(&mut tx, id).await?;
        row.insert(
            "first_episode_id".into(),
            first.map_or(Value::Null, |u| Value::String(u.to_string())),
        );
    }
    if is_person {
        let departments = links::PERSON_DEPARTMENTS.rights(&mut tx, id).await?;
        row.insert(
            "departments".into(),
            Value::Array(
                departments
                    .iter()
                    .map(|d| Value::String(d.to_string()))
                    .collect(),
            ),
        );
    }
    if std::ptr::eq(res.model, &models::TIME_SPENT) {
        time_spent_task_updated(&mut tx, user.id, &row).await?;
    }
    if std::ptr::eq(res.model, &models::ENTITY)
        && row.get("ready_for") != row_before.get("ready_for")
    {
        // Zou's EntityResource refreshes the casting stats of the shots an
        // asset is cast in when its ready_for moves, before its update event.
        let project = present::uuid_field(&row, "project_id").unwrap_or_default();
        let shots = crate::casting_stats::shots_casting(&mut tx, id).await?;
        crate::casting_stats::refresh_shots(&mut tx, user.id, project, &shots).await?;
    }
    crate::events::crud(&mut tx, user.id, res.model, "update", &row).await?;
    tx.commit().await?;
    invalidate_refs(&state, res.model);
    Ok(Json(Value::Object(row)))
}

/// DELETE /data/{model}/{id}
///
/// Zou's `force` flag (`?force=true`) reaches the removals that take it.
pub async fn remove(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((name, id)): Path<(String, String)>,
    query: QueryPairs,
) -> ApiResult<StatusCode> {
    let res = known(&name)?;
    if read_only(&name, "DELETE") {
        return Err(ApiError::method_not_allowed());
    }
    let id = model_id(&name, &id)?;
    let force = query.force();
    let mut tx = state.db.begin().await?;
    let row = load_row(&mut tx, &user, res, id, false).await?;
    let model = res.model;
    // The files of removed previews and attachments go after the commit.
    let mut gone = fennec_store::cascade::GoneFiles::default();
    let mut action = "delete";
    let mut cast_in = Vec::new();
    if std::ptr::eq(model, &models::ENTITY) {
        if EntityRoute::of(&name) == EntityRoute::Leaf {
            // Read before the removal, which may take the links with it.
            cast_in = crate::casting_stats::shots_casting(&mut tx, id).await?;
        }
        (action, gone) =
            deletion::remove_entity(&mut tx, &user, &row, EntityRoute::of(&name), force).await?;
    } else if std::ptr::eq(model, &models::TASK) {
        gone = deletion::remove_task(&mut tx, &user, &row, force).await?;
    } else if std::ptr::eq(model, &models::COMMENT) {
        gone = deletion::remove_comment(&mut tx, &user, &row).await?;
    } else if std::ptr::eq(model, &models::TIME_SPENT) {
        deletion::remove_time_spent(&mut tx, &user, &row).await?;
    } else if std::ptr::eq(model, &models::MILESTONE) {
        let project = present::uuid_field(&row, "project_id").unwrap_or_default();
        permissions::check_manager_project_access(&mut tx, &user, project).await?;
        rows::delete(&mut tx, model, id).await?;
    } else if std::ptr::eq(model, &models::PREVIEW_FILE) {
        // Zou's PreviewFileResource: the production's managers.
        let task = preview_task(&mut tx, &row).await?;
        let project = present::uuid_field(&task, "project_id").unwrap_or_default();
        permissions::check_manager_project_access(&mut tx, &user, project).await?;
        gone = cascade::remove_preview_file(&mut tx, id)
            .await?
            .unwrap_or_default();
    } else if std::ptr::eq(model, &models::PLAYLIST) {
        // Zou's PlaylistResource: its update right, then remove_playlist.
        crate::playlists::check_update_access(&mut tx, &user, &row).await?;
        gone.build_jobs = crate::playlists::remove(&mut tx, user.id, &row).await?;
    } else if std::ptr::eq(model, &models::PROJECT) {
        permissions::require_admin(&user)?;
        let closed = fennec_store::defaults::project_status_id(&mut tx, "Closed").await?;
        if closed.is_none() || present::uuid_field(&row, "project_status_id") != closed {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                json!({"error": true, "message": "Only closed projects can be deleted"}),
            ));
        }
        gone = deletion::remove_project(&mut tx, user.id, id, force).await?;
    } else {
        permissions::require_admin(&user)?;
        if std::ptr::eq(model, &models::PERSON) && id == user.id {
            return Err(ApiError::forbidden());
        }
        if std::ptr::eq(model, &models::PERSON) && force {
            gone = cascade::remove_person_work(&mut tx, id).await?;
        }
        if std::ptr::eq(model, &models::TASK_TYPE) {
            // Zou's TaskTypeResource.pre_delete.
            if force {
                cascade::detach_task_type(&mut tx, id).await?;
            } else {
                let blockers = cascade::task_type_blockers(&mut tx, id).await?;
                if !blockers.is_empty() {
                    return Err(ApiError::bad_request(format!(
                        "Task type is attached to {}. Re-issue the request with force=true to detach.",
                        blockers.join(" and ")
                    )));
                }
            }
        }
        remove_plain(&mut tx, model, id).await?;
        if std::ptr::eq(model, &models::ENTITY_LINK) {
            // Zou's plain CRUD delete leaves nb_entities_out stale until its
            // next refresh_shot_casting_stats; Fennec recounts at once.
            if let Some(entity) = present::uuid_field(&row, "entity_in_id") {
                fennec_store::breakdown::refresh_count(&mut tx, entity).await?;
            }
        }
    }
    // Zou's removals announce their tasks (`task:delete`) before the
    // removed row; a task's own delete sends only that event (Zou's
    // TaskResource.delete goes through remove_task, not the base event).
    deletion::announce_tasks(&mut tx, user.id, &mut gone).await?;
    if !std::ptr::eq(model, &models::TASK) {
        crate::events::crud(&mut tx, user.id, res.model, action, &row).await?;
    }
    // Zou's remove_asset refreshes the casting stats of the shots the asset
    // was cast in, canceled or deleted, after announcing it.
    let project = present::uuid_field(&row, "project_id").unwrap_or_default();
    crate::casting_stats::refresh_shots(&mut tx, user.id, project, &cast_in).await?;
    if std::ptr::eq(model, &models::TIME_SPENT) {
        time_spent_task_updated(&mut tx, user.id, &row).await?;
    }
    deletion::commit(&state, tx, user.id, gone).await?;
    invalidate_refs(&state, res.model);
    Ok(StatusCode::NO_CONTENT)
}

/// Zou's time spent resources' post_creation, post_update and post_delete:
/// `task:update` for the time's task, whose duration changed (sent before
/// the time's own event on a create or an update, after it on a delete).
async fn time_spent_task_updated(
    tx: &mut fennec_store::Tx,
    caller: Uuid,
    time: &Row,
) -> ApiResult<()> {
    let Some(task) = present::uuid_field(time, "task_id") else {
        return Ok(());
    };
    let project = match rows::get(tx, &models::TASK, task, false).await? {
        Some(t) => present::uuid_field(&t, "project_id"),
        None => None,
    };
    crate::events::task_updated(tx, Some(caller), task, project).await
}

/// What Zou recomputes after a generic update: a task's duration when one
/// of its time spents changes (both tasks, if it moved), a task's status and
/// dates when a comment's status changes.
async fn recompute_after_update(
    tx: &mut fennec_store::Tx,
    model: &'static Model,
    row: &Row,
    before: &Row,
    status_before: Option<Uuid>,
) -> ApiResult<()> {
    if std::ptr::eq(model, &models::TIME_SPENT) {
        let now = present::uuid_field(row, "task_id");
        let then = present::uuid_field(before, "task_id");
        for task in [now, then].into_iter().flatten() {
            fennec_store::tasks::recompute_duration(tx, task).await?;
            if now == then {
                break;
            }
        }
    } else if std::ptr::eq(model, &models::COMMENT)
        && present::uuid_field(row, "task_status_id") != status_before
    {
        if let Some(task) = present::uuid_field(row, "object_id") {
            if fennec_store::tasks::lock_task(tx, task).await? {
                cascade::reset_task_data(tx, task).await?;
            }
        }
    }
    Ok(())
}

/// Zou's base CRUD delete: the row goes, or the database refuses because
/// something still points at it.
async fn remove_plain(tx: &mut fennec_store::Tx, model: &'static Model, id: Uuid) -> ApiResult<()> {
    let kept = cascade::has_kept_links(tx, model.table, id).await?;
    let deleted = if kept {
        Err(fennec_store::StoreError::ForeignKey(model.table.to_owned()))
    } else {
        rows::delete(tx, model, id).await
    };
    match deleted {
        Ok(true) => Ok(()),
        Ok(false) => Err(ApiError::not_found()),
        // Zou refuses to delete a person with data with its own message;
        // any other referenced object gets its CRUD one.
        Err(e) if e.is_constraint() && std::ptr::eq(model, &models::PERSON) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            json!({"error": true, "message": "Some data are still linked to given person."}),
        )),
        Err(e) if e.is_constraint() => Err(ApiError::bad_request_message(msg::REFERENCE_CONFLICT)),
        Err(e) => Err(e.into()),
    }
}

/// The task of a preview file: Zou's preview-file resources look it up
/// before any check, so a preview without one is not found.
async fn preview_task(exec: &mut impl Exec, preview: &Row) -> ApiResult<Row> {
    let task = match present::uuid_field(preview, "task_id") {
        Some(t) => rows::get(exec, &models::TASK, t, false).await?,
        None => None,
    };
    task.ok_or_else(ApiError::not_found)
}

/// Zou's `PreviewFilesResource`: a non-admin lists the previews of tasks
/// of open productions of his teams (a vendor: of tasks he is assigned
/// to); `project_id`, which a preview lacks, narrows to that production's
/// tasks.
async fn preview_list_filters(
    exec: &mut impl Exec,
    user: &CurrentUser,
    query: &QueryPairs,
) -> ApiResult<Vec<Filter>> {
    let mut filters = Vec::new();
    if let Some(p) = query.get("project_id") {
        let project =
            Uuid::parse_str(p).map_err(|_| ApiError::bad_request("Invalid project_id."))?;
        let select = Select::default().eq("project_id", SqlValue::Uuid(project));
        let tasks = rows::list(exec, &models::TASK, &select, false).await?;
        filters.push(Filter::In(
            "task_id",
            tasks.iter().map(|t| SqlValue::Uuid(id_of(t))).collect(),
        ));
    }
    if !user.is_admin() {
        let vendor = user.role == Role::Vendor;
        let tasks = fennec_store::previews::listed_task_ids(exec, user.id, vendor).await?;
        filters.push(Filter::In(
            "task_id",
            tasks.into_iter().map(SqlValue::Uuid).collect(),
        ));
    }
    Ok(filters)
}

/// Zou's `PreviewFileResource.check_read_permissions`: a vendor (on the
/// task's production) must be assigned to the task; anyone else must be on
/// the production's team.
async fn check_preview_read(
    exec: &mut impl Exec,
    user: &CurrentUser,
    preview: &Row,
) -> ApiResult<()> {
    let task = preview_task(exec, preview).await?;
    let project = present::uuid_field(&task, "project_id").unwrap_or_default();
    let on_project = permissions::on_project(exec, user, project).await?;
    if on_project.role == Role::Vendor {
        if !links::TASK_ASSIGNEES
            .contains(exec, id_of(&task), user.id)
            .await?
        {
            return Err(ApiError::forbidden());
        }
        Ok(())
    } else {
        check_project_access(exec, user, project).await
    }
}

/// Zou's `PreviewFileResource.check_update_permissions`: the production's
/// team; below a manager, the task's assignees or a supervisor of its
/// department.
async fn check_preview_update(
    exec: &mut impl Exec,
    user: &CurrentUser,
    preview: &Row,
) -> ApiResult<()> {
    let task = preview_task(exec, preview).await?;
    let project = present::uuid_field(&task, "project_id").unwrap_or_default();
    check_project_access(exec, user, project).await?;
    let on_project = permissions::on_project(exec, user, project).await?;
    if matches!(on_project.role, Role::Admin | Role::Manager) {
        return Ok(());
    }
    if links::TASK_ASSIGNEES
        .contains(exec, id_of(&task), user.id)
        .await?
    {
        return Ok(());
    }
    let task_type = present::uuid_field(&task, "task_type_id");
    if permissions::can_manage_task(exec, user, project, task_type).await? {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}

/// Zou's `PreviewFileResource.pre_update`: a main preview (position 1)
/// moved to another revision must not take one its task has already, and
/// takes that revision's extra previews along.
async fn preview_revision_change(
    tx: &mut fennec_store::Tx,
    preview: &Row,
    values: &[(&'static Column, SqlValue)],
) -> ApiResult<()> {
    let Some((_, SqlValue::Int(revision))) = values.iter().find(|(c, _)| c.name == "revision")
    else {
        return Ok(());
    };
    let current = preview.get("revision").and_then(Value::as_i64);
    if preview.get("position").and_then(Value::as_i64) != Some(1) || current == Some(*revision) {
        return Ok(());
    }
    let Some(task) = present::uuid_field(preview, "task_id") else {
        return Ok(());
    };
    let same = Select::default()
        .eq("task_id", SqlValue::Uuid(task))
        .eq("revision", SqlValue::Int(*revision))
        .eq("position", SqlValue::Int(1));
    let taken = rows::list(tx, &models::PREVIEW_FILE, &same, false)
        .await?
        .iter()
        .any(|r| id_of(r) != id_of(preview));
    if taken {
        // Zou's RevisionAlreadyExistsException: its body has no `data`.
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            json!({"error": true, "message": format!(
                "Revision {revision} already exists for this task. Choose a different revision \
                 number, or omit it to let the revision auto-increment."
            )}),
        ));
    }
    let Some(current) = current else {
        return Ok(());
    };
    let extras = Select::default()
        .eq("task_id", SqlValue::Uuid(task))
        .eq("revision", SqlValue::Int(current));
    let column = models::PREVIEW_FILE.column("revision").expect("revision");
    for extra in rows::list(tx, &models::PREVIEW_FILE, &extras, false).await? {
        if id_of(&extra) != id_of(preview) {
            rows::update(
                tx,
                &models::PREVIEW_FILE,
                id_of(&extra),
                vec![(column, SqlValue::Int(*revision))],
            )
            .await?;
        }
    }
    Ok(())
}
