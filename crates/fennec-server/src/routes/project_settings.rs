//! Zou's per-production settings (`projects` blueprint, the part gazu's
//! project module reaches beyond the team): metadata descriptors, status
//! automations, preview background files and budgets, with the generic
//! `/data/<model>` resources of those models.
//!
//! Zou validates these bodies with pydantic before it checks rights, so a
//! malformed body is a 400 even for a caller who may not write.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use fennec_api::models::{self, Model};
use fennec_store::db::Exec;
use fennec_store::links::{self, Link};
use fennec_store::rows::{self, Filter, Row, Select};
use fennec_store::SqlValue;
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::permissions::{self, check_manager_project_access, check_project_access};
use crate::auth::user::Role;
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::{crud_id, path_id, CrudBody, Path, QueryPairs, SchemaBody};
use crate::generic_crud::{self, Resource, Scope};
use crate::present::{id_of, uuid_field};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/data/projects/{id}/metadata-descriptors",
            get(list_descriptors).post(add_descriptor),
        )
        .route(
            "/data/projects/{id}/metadata-descriptors/reorder",
            post(reorder_descriptors),
        )
        .route(
            "/data/projects/{id}/metadata-descriptors/{descriptor_id}",
            get(read_descriptor)
                .put(update_descriptor)
                .delete(remove_descriptor),
        )
        .route("/data/metadata-descriptors", get(crud_descriptors))
        .route(
            "/data/projects/{id}/settings/status-automations",
            get(project_automations).post(add_project_automation),
        )
        .route(
            "/data/projects/{id}/settings/status-automations/{ref_id}",
            delete(remove_project_automation),
        )
        .route(
            "/data/projects/{id}/settings/preview-background-files",
            get(project_backgrounds).post(add_project_background),
        )
        .route(
            "/data/projects/{id}/settings/preview-background-files/{ref_id}",
            delete(remove_project_background),
        )
        .route(
            "/data/status-automations",
            get(list_automations).post(create_automation),
        )
        .route(
            "/data/status-automations/{id}",
            get(read_automation)
                .put(update_automation)
                .delete(remove_automation),
        )
        .route(
            "/data/preview-background-files",
            get(list_backgrounds).post(create_background),
        )
        .route(
            "/data/preview-background-files/{id}",
            get(read_background)
                .put(update_background)
                .delete(remove_background),
        )
        .route(
            "/data/projects/{id}/budgets",
            get(list_budgets).post(create_budget),
        )
        .route(
            "/data/projects/{id}/budgets/{budget_id}",
            get(read_budget).put(update_budget).delete(remove_budget),
        )
        .route(
            "/data/projects/{id}/budgets/{budget_id}/entries",
            get(list_entries).post(create_entry),
        )
        .route(
            "/data/projects/{id}/budgets/{budget_id}/entries/{entry_id}",
            get(read_entry).put(update_entry).delete(remove_entry),
        )
}

// --- body fields, read as Zou's pydantic schemas read them -------------------

fn field_error(key: &str, message: &str) -> ApiError {
    ApiError::validation(vec![(key.to_owned(), message.to_owned())])
}

/// An optional string field (`Optional[str]`); `None` when absent or null.
fn opt_str(body: &Map<String, Value>, key: &str) -> ApiResult<Option<String>> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(field_error(key, "Input should be a valid string")),
    }
}

/// A required string field with pydantic's `min_length=1`.
fn required_str(body: &Map<String, Value>, key: &str) -> ApiResult<String> {
    match body.get(key) {
        None => Err(field_error(key, "Field required")),
        Some(Value::String(s)) if s.is_empty() => {
            Err(field_error(key, "String should have at least 1 character"))
        }
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(field_error(key, "Input should be a valid string")),
    }
}

fn opt_bool(body: &Map<String, Value>, key: &str) -> ApiResult<Option<bool>> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => crate::extract::schema_bool(v)
            .map(Some)
            .map_err(|m| field_error(key, m)),
    }
}

/// A `List[str]` field (absent is the empty list).
fn str_list(body: &Map<String, Value>, key: &str) -> ApiResult<Vec<String>> {
    match body.get(key) {
        None => Ok(vec![]),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| match i {
                Value::String(s) => Ok(s.clone()),
                _ => Err(field_error(key, "Input should be a valid string")),
            })
            .collect(),
        Some(_) => Err(field_error(key, "Input should be a valid list")),
    }
}

fn opt_int(body: &Map<String, Value>, key: &str) -> ApiResult<Option<i64>> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) if n.as_i64().is_some() => Ok(n.as_i64()),
        Some(Value::Number(n)) if n.as_f64().is_some_and(|f| f.fract() == 0.0) => {
            Ok(n.as_f64().map(|f| f as i64))
        }
        Some(Value::String(s)) if s.trim().parse::<i64>().is_ok() => Ok(s.trim().parse().ok()),
        Some(_) => Err(field_error(
            key,
            "Input should be a valid integer, unable to parse string as an integer",
        )),
    }
}

fn opt_float(body: &Map<String, Value>, key: &str) -> ApiResult<Option<f64>> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64()),
        Some(Value::String(s)) if s.trim().parse::<f64>().is_ok() => Ok(s.trim().parse().ok()),
        Some(_) => Err(field_error(
            key,
            "Input should be a valid number, unable to parse string as a number",
        )),
    }
}

fn column(model: &'static Model, name: &str) -> &'static models::Column {
    model.column(name).expect("column of the model description")
}

/// An id Zou's service looks up: a malformed one is not found either.
fn lookup_id(s: &str) -> Option<Uuid> {
    Uuid::parse_str(s).ok()
}

async fn project_exists(exec: &mut impl Exec, project: Uuid) -> ApiResult<()> {
    rows::get(exec, &models::PROJECT, project, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(())
}

// --- metadata descriptors -----------------------------------------------------

const DESCRIPTOR_ENTITY_TYPES: &[&str] = &[
    "Asset", "Shot", "Edit", "Episode", "Sequence", "Project", "Task",
];
const DATA_TYPES: &[&str] = &[
    "string",
    "number",
    "list",
    "taglist",
    "boolean",
    "checklist",
    "date",
    "url",
    "textarea",
    "person",
];

fn wrong_entity_type() -> ApiError {
    ApiError::bad_request(
        "Wrong entity type. Please select Asset, Shot, Sequence, Episode, Edit, Project, or Task.",
    )
}

/// python-slugify's `slugify(name, separator="_")` for the names people
/// type: lower case, every run of other characters one `_`, none at the
/// ends (Zou stores values under this key).
fn field_name_of(name: &str) -> String {
    let mut out = String::new();
    let mut gap = false;
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            if gap && !out.is_empty() {
                out.push('_');
            }
            gap = false;
            out.push(c);
        } else {
            gap = true;
        }
    }
    out
}

/// A descriptor as Zou serialises it with its relations: its departments
/// sit between `position` and `id`.
async fn present_descriptor(exec: &mut impl Exec, mut row: Row) -> ApiResult<Row> {
    let departments = links::DESCRIPTOR_DEPARTMENTS
        .rights(exec, id_of(&row))
        .await?;
    row.insert(
        "departments".into(),
        Value::Array(
            departments
                .into_iter()
                .map(|d| Value::String(d.to_string()))
                .collect(),
        ),
    );
    let mut out = Map::new();
    let departments = row.shift_remove("departments");
    for (k, v) in row {
        if k == "id" {
            out.insert(
                "departments".into(),
                departments.clone().unwrap_or(json!([])),
            );
        }
        out.insert(k, v);
    }
    Ok(out)
}

/// Zou's descriptor narrowing (`get_descriptor_visibility`): a client
/// reads the ones published to clients, a vendor those of his departments
/// or of none; others read them all. The role is the one held on the
/// production.
async fn descriptor_visible(
    exec: &mut impl Exec,
    user: &CurrentUser,
    descriptor: &Row,
) -> ApiResult<bool> {
    let project = uuid_field(descriptor, "project_id").unwrap_or_default();
    let user = permissions::on_project(exec, user, project).await?;
    match user.role {
        Role::Client => Ok(descriptor.get("for_client") == Some(&Value::Bool(true))),
        Role::Vendor => {
            let mine = links::PERSON_DEPARTMENTS.rights(exec, user.id).await?;
            let its = links::DESCRIPTOR_DEPARTMENTS
                .rights(exec, id_of(descriptor))
                .await?;
            Ok(its.is_empty() || its.iter().any(|d| mine.contains(d)))
        }
        _ => Ok(true),
    }
}

/// Zou's `check_all_departments_access`: admins, managers of the team, or
/// supervisors of the team whose departments are all among `departments`
/// (one in no department passes, but only with departments named).
async fn check_departments_access(
    exec: &mut impl Exec,
    user: &CurrentUser,
    project: Uuid,
    departments: &[Uuid],
) -> ApiResult<()> {
    if user.is_admin() {
        return Ok(());
    }
    let belongs = links::PROJECT_TEAM.contains(exec, project, user.id).await?;
    let on = permissions::on_project(exec, user, project).await?;
    let allowed = match on.role {
        Role::Manager => belongs,
        Role::Supervisor if belongs && !departments.is_empty() => {
            let mine = links::PERSON_DEPARTMENTS.rights(exec, user.id).await?;
            mine.is_empty() || mine.iter().all(|d| departments.contains(d))
        }
        _ => false,
    };
    if allowed {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}

/// Department ids of a body; Zou's lookup of an unknown one fails with
/// "Department not found" (its `DepartmentNotFoundException`, a 404).
async fn departments_of(exec: &mut impl Exec, names: &[String]) -> ApiResult<Vec<Uuid>> {
    let mut out = Vec::new();
    for d in names {
        let id = lookup_id(d).ok_or_else(ApiError::not_found)?;
        rows::get(exec, &models::DEPARTMENT, id, false)
            .await?
            .ok_or_else(ApiError::not_found)?;
        if !out.contains(&id) {
            out.push(id);
        }
    }
    Ok(out)
}

/// The descriptor `descriptor_id` of `project`; one of another production
/// is not found through this one (Zou's `get_project_metadata_descriptor`).
async fn project_descriptor(
    exec: &mut impl Exec,
    project: Uuid,
    descriptor: &str,
) -> ApiResult<Row> {
    let not_found = || {
        ApiError::new(
            StatusCode::NOT_FOUND,
            json!({"error": true, "message": "Metadata descriptor not found"}),
        )
    };
    let id = lookup_id(descriptor).ok_or_else(not_found)?;
    let row = rows::get(exec, &models::METADATA_DESCRIPTOR, id, false)
        .await?
        .ok_or_else(not_found)?;
    if uuid_field(&row, "project_id") != Some(project) {
        return Err(not_found());
    }
    Ok(row)
}

/// Zou orders a production's descriptors by position (unset last, as
/// PostgreSQL sorts nulls), then name.
fn sort_descriptors(list: &mut [Row]) {
    list.sort_by(|a, b| {
        let pa = a.get("position").and_then(Value::as_i64);
        let pb = b.get("position").and_then(Value::as_i64);
        let key = |p: Option<i64>| (p.is_none(), p.unwrap_or(0));
        key(pa).cmp(&key(pb)).then_with(|| {
            let na = a.get("name").and_then(Value::as_str).unwrap_or("");
            let nb = b.get("name").and_then(Value::as_str).unwrap_or("");
            na.cmp(nb)
        })
    });
}

/// GET /data/projects/{id}/metadata-descriptors
async fn list_descriptors(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let project = path_id(&id)?;
    let mut conn = s.db.conn().await?;
    check_project_access(&mut conn, &user, project).await?;
    let select = Select::default().eq("project_id", SqlValue::Uuid(project));
    let mut list = rows::list(&mut conn, &models::METADATA_DESCRIPTOR, &select, false).await?;
    sort_descriptors(&mut list);
    let mut out = Vec::new();
    for row in list {
        if descriptor_visible(&mut conn, &user, &row).await? {
            out.push(Value::Object(present_descriptor(&mut conn, row).await?));
        }
    }
    Ok(Json(Value::Array(out)))
}

/// GET /data/metadata-descriptors — Zou's generic list (gazu's
/// `get_metadata_descriptor_by_field_name`), narrowed per production for
/// non-admins. Zou's descriptor resource lists with relations (the
/// `departments`) when the query string is empty, and otherwise only with
/// `relations=true`, as its other generic lists.
async fn crud_descriptors(
    State(s): State<AppState>,
    user: CurrentUser,
    query: QueryPairs,
) -> ApiResult<Json<Value>> {
    let res = Resource {
        model: &models::METADATA_DESCRIPTOR,
        scope: Scope::Plain,
    };
    let mut conn = s.db.conn().await?;
    let mut filters = generic_crud::filters_from_query(res, &query)?;
    if !user.is_admin() {
        let mine = generic_crud::visible_projects(&mut conn, &user).await?;
        filters.push(Filter::In(
            "project_id",
            mine.into_iter().map(SqlValue::Uuid).collect(),
        ));
    }
    let select = Select {
        filters,
        ..Default::default()
    };
    let relations = query.0.is_empty()
        || query
            .0
            .iter()
            .find(|(k, _)| k == "relations")
            .is_some_and(|(_, v)| v.eq_ignore_ascii_case("true"));
    let list = rows::list(&mut conn, res.model, &select, false).await?;
    let mut out = Vec::new();
    for row in list {
        if descriptor_visible(&mut conn, &user, &row).await? {
            out.push(if relations {
                present_descriptor(&mut conn, row).await?
            } else {
                row
            });
        }
    }
    let out = generic_crud::pick_fields(&query, out);
    Ok(Json(Value::Array(
        out.into_iter().map(Value::Object).collect(),
    )))
}

/// GET /data/projects/{id}/metadata-descriptors/{descriptor_id}
async fn read_descriptor(
    State(s): State<AppState>,
    user: CurrentUser,
    Path((id, descriptor)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let project = path_id(&id)?;
    let mut conn = s.db.conn().await?;
    check_project_access(&mut conn, &user, project).await?;
    let row = project_descriptor(&mut conn, project, &descriptor).await?;
    if !descriptor_visible(&mut conn, &user, &row).await? {
        return Err(ApiError::forbidden());
    }
    Ok(Json(Value::Object(
        present_descriptor(&mut conn, row).await?,
    )))
}

/// POST /data/projects/{id}/metadata-descriptors
async fn add_descriptor(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    SchemaBody(body): SchemaBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let project = path_id(&id)?;
    let name = required_str(&body, "name")?;
    let entity_type = opt_str(&body, "entity_type")?.unwrap_or_else(|| "Asset".into());
    let task_type = opt_str(&body, "task_type_id")?;
    let data_type = opt_str(&body, "data_type")?.unwrap_or_else(|| "string".into());
    let for_client = opt_bool(&body, "for_client")?.unwrap_or(false);
    let choices = str_list(&body, "choices")?;
    let departments = str_list(&body, "departments")?;
    let mut tx = s.db.begin().await?;
    project_exists(&mut tx, project).await?;
    let department_ids: Vec<Uuid> = departments.iter().filter_map(|d| lookup_id(d)).collect();
    check_departments_access(&mut tx, &user, project, &department_ids).await?;
    if !DESCRIPTOR_ENTITY_TYPES.contains(&entity_type.as_str()) {
        return Err(wrong_entity_type());
    }
    let task_type = if entity_type == "Task" {
        let Some(t) = task_type else {
            return Err(ApiError::bad_request(
                "Task metadata descriptors require a task_type_id.",
            ));
        };
        let found = match lookup_id(&t) {
            Some(u) => rows::get(&mut tx, &models::TASK_TYPE, u, false)
                .await?
                .map(|_| u),
            None => None,
        };
        Some(found.ok_or_else(|| ApiError::bad_request("Task type not found."))?)
    } else if task_type.is_some() {
        return Err(ApiError::bad_request(
            "task_type_id only applies to Task metadata descriptors.",
        ));
    } else {
        None
    };
    if !DATA_TYPES.contains(&data_type.as_str()) {
        return Err(ApiError::bad_request("Invalid data_type"));
    }
    let department_ids = departments_of(&mut tx, &departments).await?;
    let field_name = field_name_of(&name);
    let m = &models::METADATA_DESCRIPTOR;
    if descriptor_clash(
        &mut tx,
        project,
        &entity_type,
        task_type,
        &name,
        &field_name,
        None,
    )
    .await?
    {
        return Err(ApiError::bad_request("Metadata descriptor already exists."));
    }
    let values = vec![
        (column(m, "project_id"), SqlValue::Uuid(project)),
        (column(m, "entity_type"), SqlValue::Text(entity_type)),
        (
            column(m, "task_type_id"),
            task_type.map_or(SqlValue::Null(models::Kind::Uuid), SqlValue::Uuid),
        ),
        (column(m, "name"), SqlValue::Text(name)),
        (column(m, "data_type"), SqlValue::Text(data_type)),
        (column(m, "field_name"), SqlValue::Text(field_name)),
        (column(m, "choices"), SqlValue::Json(json!(choices))),
        (column(m, "for_client"), SqlValue::Bool(for_client)),
    ];
    let row = rows::insert(&mut tx, m, values).await.map_err(too_long)?;
    links::DESCRIPTOR_DEPARTMENTS
        .set(&mut tx, id_of(&row), &department_ids)
        .await?;
    // Zou's add_metadata_descriptor: `metadata-descriptor:new`.
    crate::events::crud(&mut tx, user.id, m, "new", &row).await?;
    let row = present_descriptor(&mut tx, row).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Value::Object(row))))
}

/// A name longer than Zou's columns hold.
fn too_long(e: fennec_store::StoreError) -> ApiError {
    match e {
        fennec_store::StoreError::InvalidValue { .. } => {
            ApiError::bad_request("Metadata descriptor name is too long.")
        }
        other => other.into(),
    }
}

/// Whether another descriptor of the same production, entity type (and
/// task type) holds `name` or `field_name` (Zou's unique indexes).
async fn descriptor_clash(
    exec: &mut impl Exec,
    project: Uuid,
    entity_type: &str,
    task_type: Option<Uuid>,
    name: &str,
    field_name: &str,
    except: Option<Uuid>,
) -> ApiResult<bool> {
    let select = Select::default()
        .eq("project_id", SqlValue::Uuid(project))
        .eq("entity_type", SqlValue::Text(entity_type.to_owned()));
    let list = rows::list(exec, &models::METADATA_DESCRIPTOR, &select, false).await?;
    Ok(list.iter().any(|d| {
        Some(id_of(d)) != except
            && uuid_field(d, "task_type_id") == task_type
            && (d.get("name").and_then(Value::as_str) == Some(name)
                || d.get("field_name").and_then(Value::as_str) == Some(field_name))
    }))
}

/// The rows whose `data` holds values of a descriptor (Zou's
/// `_entity_query_for_descriptor_entity_type`, `_task_query_for_descriptor`
/// and the project itself for Project descriptors).
async fn rows_with_values(
    exec: &mut impl Exec,
    descriptor: &Row,
) -> ApiResult<Vec<(&'static Model, Row)>> {
    let project = uuid_field(descriptor, "project_id").unwrap_or_default();
    let kind = descriptor
        .get("entity_type")
        .and_then(Value::as_str)
        .unwrap_or("");
    let field = descriptor
        .get("field_name")
        .and_then(Value::as_str)
        .unwrap_or("");
    let (model, select): (&'static Model, Select) = match kind {
        "Project" => (
            &models::PROJECT,
            Select::default().eq("id", SqlValue::Uuid(project)),
        ),
        "Task" => {
            let tt = uuid_field(descriptor, "task_type_id").unwrap_or_default();
            (
                &models::TASK,
                Select::default()
                    .eq("project_id", SqlValue::Uuid(project))
                    .eq("task_type_id", SqlValue::Uuid(tt)),
            )
        }
        _ => {
            let types = crate::present::EntityTypes::load(exec).await?;
            let ids: Vec<Uuid> = if kind == "Asset" {
                types.asset_type_ids()
            } else {
                types.id_of(kind).into_iter().collect()
            };
            (
                &models::ENTITY,
                Select::default()
                    .eq("project_id", SqlValue::Uuid(project))
                    .filter(Filter::In(
                        "entity_type_id",
                        ids.into_iter().map(SqlValue::Uuid).collect(),
                    )),
            )
        }
    };
    let list = rows::list(exec, model, &select, false).await?;
    Ok(list
        .into_iter()
        .filter(|r| {
            r.get("data")
                .and_then(Value::as_object)
                .is_some_and(|d| d.contains_key(field))
        })
        .map(|r| (model, r))
        .collect())
}

/// Rewrites the `data` of a row.
async fn write_data(
    exec: &mut impl Exec,
    model: &'static Model,
    row: &Row,
    data: Map<String, Value>,
) -> ApiResult<()> {
    rows::update(
        exec,
        model,
        id_of(row),
        vec![(column(model, "data"), SqlValue::Json(Value::Object(data)))],
    )
    .await?;
    Ok(())
}

/// PUT /data/projects/{id}/metadata-descriptors/{descriptor_id}
///
/// Zou's update schema defaults `data_type` to "string", `for_client` to
/// false and the lists to empty: a body without them resets them. A rename
/// moves the stored values to the new field name in the same transaction.
async fn update_descriptor(
    State(s): State<AppState>,
    user: CurrentUser,
    Path((id, descriptor)): Path<(String, String)>,
    SchemaBody(body): SchemaBody,
) -> ApiResult<Json<Value>> {
    let project = path_id(&id)?;
    let name = opt_str(&body, "name")?;
    let for_client = opt_bool(&body, "for_client")?.unwrap_or(false);
    let data_type = opt_str(&body, "data_type")?.unwrap_or_else(|| "string".into());
    let choices = str_list(&body, "choices")?;
    let departments = str_list(&body, "departments")?;
    let mut tx = s.db.begin().await?;
    let row = project_descriptor(&mut tx, project, &descriptor).await?;
    let mut reach = links::DESCRIPTOR_DEPARTMENTS
        .rights(&mut tx, id_of(&row))
        .await?;
    reach.extend(departments.iter().filter_map(|d| lookup_id(d)));
    check_departments_access(&mut tx, &user, project, &reach).await?;
    if name.as_deref() == Some("") {
        return Err(ApiError::bad_request("Name cannot be empty."));
    }
    if !DATA_TYPES.contains(&data_type.as_str()) {
        return Err(ApiError::bad_request("Invalid data_type"));
    }
    let department_ids = departments_of(&mut tx, &departments).await?;
    let m = &models::METADATA_DESCRIPTOR;
    let mut values = vec![
        (column(m, "for_client"), SqlValue::Bool(for_client)),
        (column(m, "data_type"), SqlValue::Text(data_type)),
        (column(m, "choices"), SqlValue::Json(json!(choices))),
    ];
    // An absent name keeps the descriptor's own.
    if let Some(name) = name {
        let field_name = field_name_of(&name);
        let entity_type = row
            .get("entity_type")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        if name.chars().count() > 120 || field_name.chars().count() > 120 {
            return Err(ApiError::bad_request(
                "Metadata descriptor name is too long.",
            ));
        }
        let task_type = uuid_field(&row, "task_type_id");
        if descriptor_clash(
            &mut tx,
            project,
            &entity_type,
            task_type,
            &name,
            &field_name,
            Some(id_of(&row)),
        )
        .await?
        {
            return Err(ApiError::bad_request("Metadata descriptor already exists."));
        }
        let old = row
            .get("field_name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        if old != field_name {
            for (model, target) in rows_with_values(&mut tx, &row).await? {
                let mut data = target
                    .get("data")
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default();
                // Zou moves a value only when it is not null.
                if let Some(v) = data.shift_remove(&old) {
                    if !v.is_null() {
                        data.insert(field_name.clone(), v);
                        write_data(&mut tx, model, &target, data).await?;
                    }
                }
            }
        }
        values.push((column(m, "name"), SqlValue::Text(name)));
        values.push((column(m, "field_name"), SqlValue::Text(field_name)));
    }
    let row = rows::update(&mut tx, m, id_of(&row), values)
        .await
        .map_err(too_long)?
        .ok_or_else(ApiError::not_found)?;
    links::DESCRIPTOR_DEPARTMENTS
        .set(&mut tx, id_of(&row), &department_ids)
        .await?;
    // Zou's update_metadata_descriptor: `metadata-descriptor:update`.
    crate::events::crud(&mut tx, user.id, m, "update", &row).await?;
    let row = present_descriptor(&mut tx, row).await?;
    tx.commit().await?;
    Ok(Json(Value::Object(row)))
}

/// DELETE /data/projects/{id}/metadata-descriptors/{descriptor_id} — the
/// values stored under its field name go with it.
async fn remove_descriptor(
    State(s): State<AppState>,
    user: CurrentUser,
    Path((id, descriptor)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let project = path_id(&id)?;
    let mut tx = s.db.begin().await?;
    let row = project_descriptor(&mut tx, project, &descriptor).await?;
    let reach = links::DESCRIPTOR_DEPARTMENTS
        .rights(&mut tx, id_of(&row))
        .await?;
    check_departments_access(&mut tx, &user, project, &reach).await?;
    let field = row
        .get("field_name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    for (model, target) in rows_with_values(&mut tx, &row).await? {
        let mut data = target
            .get("data")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        data.shift_remove(&field);
        write_data(&mut tx, model, &target, data).await?;
    }
    links::DESCRIPTOR_DEPARTMENTS
        .set(&mut tx, id_of(&row), &[])
        .await?;
    rows::delete(&mut tx, &models::METADATA_DESCRIPTOR, id_of(&row)).await?;
    // Zou's remove_metadata_descriptor: `metadata-descriptor:delete`.
    crate::events::crud(
        &mut tx,
        user.id,
        &models::METADATA_DESCRIPTOR,
        "delete",
        &row,
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// POST /data/projects/{id}/metadata-descriptors/reorder — positions from
/// 1 in the given order; the others follow, by name.
async fn reorder_descriptors(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    SchemaBody(body): SchemaBody,
) -> ApiResult<Json<Value>> {
    let project = path_id(&id)?;
    let entity_type = required_str(&body, "entity_type")?;
    let ids = match body.get("descriptor_ids") {
        None => return Err(field_error("descriptor_ids", "Field required")),
        Some(_) => str_list(&body, "descriptor_ids")?,
    };
    if ids.is_empty() {
        return Err(field_error(
            "descriptor_ids",
            "List should have at least 1 item after validation, not 0",
        ));
    }
    let mut tx = s.db.begin().await?;
    project_exists(&mut tx, project).await?;
    check_manager_project_access(&mut tx, &user, project).await?;
    if !DESCRIPTOR_ENTITY_TYPES.contains(&entity_type.as_str()) {
        return Err(wrong_entity_type());
    }
    let m = &models::METADATA_DESCRIPTOR;
    let select = Select::default()
        .eq("project_id", SqlValue::Uuid(project))
        .eq("entity_type", SqlValue::Text(entity_type.clone()));
    let all = rows::list(&mut tx, m, &select, false).await?;
    let by_id: std::collections::HashMap<String, &Row> =
        all.iter().map(|r| (id_of(r).to_string(), r)).collect();
    for d in &ids {
        if !by_id.contains_key(d) {
            return Err(ApiError::bad_request(format!(
                "Descriptor {d} not found for project {project} and entity type {entity_type}"
            )));
        }
    }
    let mut order: Vec<Uuid> = Vec::new();
    for d in &ids {
        let u = id_of(by_id[d]);
        if !order.contains(&u) {
            order.push(u);
        }
    }
    let mut rest: Vec<&Row> = all
        .iter()
        .filter(|r| !ids.contains(&id_of(r).to_string()))
        .collect();
    rest.sort_by(|a, b| {
        let n = |r: &Row| {
            r.get("name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned()
        };
        n(a).cmp(&n(b))
    });
    // Zou numbers the rest after the length of the list it was given.
    let mut positions: Vec<(Uuid, i64)> = ids
        .iter()
        .enumerate()
        .map(|(i, d)| (id_of(by_id[d]), i as i64 + 1))
        .collect();
    let start = ids.len() as i64 + 1;
    positions.extend(
        rest.iter()
            .enumerate()
            .map(|(i, r)| (id_of(r), start + i as i64)),
    );
    for (d, p) in positions {
        rows::update(
            &mut tx,
            m,
            d,
            vec![(column(m, "position"), SqlValue::Int(p))],
        )
        .await?;
    }
    let mut list = rows::list(&mut tx, m, &select, false).await?;
    sort_descriptors(&mut list);
    let mut out = Vec::new();
    for row in list {
        out.push(Value::Object(present_descriptor(&mut tx, row).await?));
    }
    tx.commit().await?;
    Ok(Json(Value::Array(out)))
}

// --- a production's settings lists ----------------------------------------------

/// The rows of `model` linked to a production, in link order.
async fn linked_rows(
    exec: &mut impl Exec,
    link: Link,
    model: &'static Model,
    project: Uuid,
) -> ApiResult<Vec<Value>> {
    let mut out = Vec::new();
    for id in link.rights(exec, project).await? {
        if let Some(row) = rows::get(exec, model, id, false).await? {
            out.push(Value::Object(row));
        }
    }
    Ok(out)
}

/// Adds a row of `model` to a production's list and answers the project
/// without its relations (Zou's `_add_to_list_attr`), 201.
async fn link_setting(
    state: &AppState,
    user: &CurrentUser,
    project: &str,
    body: &Map<String, Value>,
    key: &str,
    model: &'static Model,
    link: Link,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let project = path_id(project)?;
    let given = required_str(body, key)?;
    let mut tx = state.db.begin().await?;
    project_exists(&mut tx, project).await?;
    check_manager_project_access(&mut tx, user, project).await?;
    let found = match lookup_id(&given) {
        Some(u) => rows::get(&mut tx, model, u, false).await?.map(|_| u),
        None => None,
    };
    let id = found.ok_or_else(|| {
        ApiError::bad_request(format!("{} with id {given} not found", model.type_name))
    })?;
    // Zou's _add_to_list_attr saves (and announces) the production only
    // when the row was not in its list yet.
    if !link.contains(&mut tx, project, id).await? {
        link.add(&mut tx, project, id).await?;
        settings_changed(&mut tx, user, project).await?;
    }
    let row = rows::get(&mut tx, &models::PROJECT, project, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Value::Object(row))))
}

/// Zou's `_save_project`: `project:update` with only the production.
async fn settings_changed(
    exec: &mut impl Exec,
    user: &CurrentUser,
    project: Uuid,
) -> ApiResult<()> {
    let data = json!({});
    crate::events::emit(exec, Some(user.id), "project:update", data, Some(project)).await
}

async fn unlink_setting(
    state: &AppState,
    user: &CurrentUser,
    project: &str,
    ref_id: &str,
    link: Link,
) -> ApiResult<StatusCode> {
    let project = path_id(project)?;
    let mut tx = state.db.begin().await?;
    project_exists(&mut tx, project).await?;
    check_manager_project_access(&mut tx, user, project).await?;
    // Removing what is not in the list is a no-op in Zou, but its
    // _remove_from_list_attr saves and announces the production anyway.
    if let Some(r) = lookup_id(ref_id) {
        link.remove(&mut tx, project, r).await?;
        settings_changed(&mut tx, user, project).await?;
    }
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// GET /data/projects/{id}/settings/status-automations — for the
/// production's managers only (Zou checks manager access here).
async fn project_automations(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let project = path_id(&id)?;
    let mut conn = s.db.conn().await?;
    project_exists(&mut conn, project).await?;
    check_manager_project_access(&mut conn, &user, project).await?;
    let list = linked_rows(
        &mut conn,
        links::PROJECT_STATUS_AUTOMATIONS,
        &models::STATUS_AUTOMATION,
        project,
    )
    .await?;
    Ok(Json(Value::Array(list)))
}

/// POST /data/projects/{id}/settings/status-automations
async fn add_project_automation(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    SchemaBody(body): SchemaBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    link_setting(
        &s,
        &user,
        &id,
        &body,
        "status_automation_id",
        &models::STATUS_AUTOMATION,
        links::PROJECT_STATUS_AUTOMATIONS,
    )
    .await
}

/// DELETE /data/projects/{id}/settings/status-automations/{id}
async fn remove_project_automation(
    State(s): State<AppState>,
    user: CurrentUser,
    Path((id, r)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    unlink_setting(&s, &user, &id, &r, links::PROJECT_STATUS_AUTOMATIONS).await
}

/// GET /data/projects/{id}/settings/preview-background-files — for the
/// whole team.
async fn project_backgrounds(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let project = path_id(&id)?;
    let mut conn = s.db.conn().await?;
    project_exists(&mut conn, project).await?;
    check_project_access(&mut conn, &user, project).await?;
    let list = linked_rows(
        &mut conn,
        links::PROJECT_PREVIEW_BACKGROUND_FILES,
        &models::PREVIEW_BACKGROUND_FILE,
        project,
    )
    .await?;
    Ok(Json(Value::Array(list)))
}

/// POST /data/projects/{id}/settings/preview-background-files
async fn add_project_background(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    SchemaBody(body): SchemaBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    link_setting(
        &s,
        &user,
        &id,
        &body,
        "preview_background_file_id",
        &models::PREVIEW_BACKGROUND_FILE,
        links::PROJECT_PREVIEW_BACKGROUND_FILES,
    )
    .await
}

/// DELETE /data/projects/{id}/settings/preview-background-files/{id}
async fn remove_project_background(
    State(s): State<AppState>,
    user: CurrentUser,
    Path((id, r)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    unlink_setting(&s, &user, &id, &r, links::PROJECT_PREVIEW_BACKGROUND_FILES).await
}

// --- generic resources of studio-wide settings ------------------------------------

/// Zou's base list: every row, filtered by the query; `read` decides who.
async fn plain_list(
    state: &AppState,
    model: &'static Model,
    query: &QueryPairs,
) -> ApiResult<Json<Value>> {
    let res = Resource {
        model,
        scope: Scope::Plain,
    };
    let filters = generic_crud::filters_from_query(res, query)?;
    let mut conn = state.db.conn().await?;
    let select = Select {
        filters,
        ..Default::default()
    };
    let list = rows::list(&mut conn, model, &select, false).await?;
    let list = generic_crud::pick_fields(query, list);
    Ok(Json(Value::Array(
        list.into_iter().map(Value::Object).collect(),
    )))
}

async fn plain_read(state: &AppState, model: &'static Model, id: &str) -> ApiResult<Json<Value>> {
    let id = crud_id(id)?;
    let mut conn = state.db.conn().await?;
    let row = rows::get(&mut conn, model, id, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(Value::Object(row)))
}

/// Zou's base create, for admins: the body's keys must be columns.
fn checked_values(
    model: &'static Model,
    body: &Map<String, Value>,
) -> ApiResult<Vec<(&'static models::Column, SqlValue)>> {
    if let Some(k) = body.keys().find(|k| model.column(k).is_none()) {
        return Err(ApiError::bad_request_message(format!(
            "'{k}' is an invalid keyword argument for {}",
            model.type_name
        )));
    }
    generic_crud::values_from_body(model, body, true)
}

/// Another preview background file with this name (Zou refuses it).
async fn background_name_taken(
    exec: &mut impl Exec,
    body: &Map<String, Value>,
    except: Option<Uuid>,
) -> ApiResult<()> {
    let Some(name) = body.get("name").and_then(Value::as_str) else {
        return Ok(());
    };
    let select = Select::default().eq("name", SqlValue::Text(name.to_owned()));
    let taken = rows::list(exec, &models::PREVIEW_BACKGROUND_FILE, &select, false)
        .await?
        .iter()
        .any(|r| Some(id_of(r)) != except);
    if taken {
        return Err(ApiError::bad_request(
            "A preview background file with similar name already exists",
        ));
    }
    Ok(())
}

/// Only one default background: setting one clears the others (Zou's
/// `reset_default_preview_background_files`).
async fn single_default(exec: &mut impl Exec, row: &Row) -> ApiResult<()> {
    if row.get("is_default") != Some(&Value::Bool(true)) {
        return Ok(());
    }
    let m = &models::PREVIEW_BACKGROUND_FILE;
    let select = Select::default().eq("is_default", SqlValue::Bool(true));
    for other in rows::list(exec, m, &select, false).await? {
        if id_of(&other) != id_of(row) {
            rows::update(
                exec,
                m,
                id_of(&other),
                vec![(column(m, "is_default"), SqlValue::Bool(false))],
            )
            .await?;
        }
    }
    Ok(())
}

async fn plain_create(
    state: &AppState,
    user: &CurrentUser,
    model: &'static Model,
    body: CrudBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    permissions::require_admin(user)?;
    let body = body.object()?;
    let values = checked_values(model, &body)?;
    let mut tx = state.db.begin().await?;
    let is_background = std::ptr::eq(model, &models::PREVIEW_BACKGROUND_FILE);
    if is_background {
        background_name_taken(&mut tx, &body, None).await?;
    }
    let row = rows::insert(&mut tx, model, values).await?;
    if is_background {
        single_default(&mut tx, &row).await?;
    }
    crate::events::crud(&mut tx, user.id, model, "new", &row).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Value::Object(row))))
}

async fn plain_update(
    state: &AppState,
    user: &CurrentUser,
    model: &'static Model,
    id: &str,
    body: CrudBody,
) -> ApiResult<Json<Value>> {
    let id = crud_id(id)?;
    let body = body.object()?;
    let mut tx = state.db.begin().await?;
    rows::get(&mut tx, model, id, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    permissions::require_admin(user)?;
    let values = generic_crud::values_from_body(model, &body, false)?;
    let is_background = std::ptr::eq(model, &models::PREVIEW_BACKGROUND_FILE);
    if is_background {
        background_name_taken(&mut tx, &body, Some(id)).await?;
    }
    let row = rows::update(&mut tx, model, id, values)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if is_background {
        single_default(&mut tx, &row).await?;
    }
    crate::events::crud(&mut tx, user.id, model, "update", &row).await?;
    tx.commit().await?;
    Ok(Json(Value::Object(row)))
}

/// GET /data/status-automations — not for vendors.
async fn list_automations(
    State(s): State<AppState>,
    user: CurrentUser,
    query: QueryPairs,
) -> ApiResult<Json<Value>> {
    if user.role == Role::Vendor {
        return Err(ApiError::forbidden());
    }
    plain_list(&s, &models::STATUS_AUTOMATION, &query).await
}

/// POST /data/status-automations
async fn create_automation(
    State(s): State<AppState>,
    user: CurrentUser,
    body: CrudBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    plain_create(&s, &user, &models::STATUS_AUTOMATION, body).await
}

/// GET /data/status-automations/{id} — Zou's base read is for admins.
async fn read_automation(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    permissions::require_admin(&user)?;
    plain_read(&s, &models::STATUS_AUTOMATION, &id).await
}

/// PUT /data/status-automations/{id}
async fn update_automation(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    body: CrudBody,
) -> ApiResult<Json<Value>> {
    plain_update(&s, &user, &models::STATUS_AUTOMATION, &id, body).await
}

/// DELETE /data/status-automations/{id} — refused while a production uses
/// it (Zou checks that before the rights).
async fn remove_automation(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = crud_id(&id)?;
    let m = &models::STATUS_AUTOMATION;
    let mut tx = s.db.begin().await?;
    let row = rows::get(&mut tx, m, id, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if !links::PROJECT_STATUS_AUTOMATIONS
        .lefts(&mut tx, id)
        .await?
        .is_empty()
    {
        return Err(ApiError::bad_request_message(
            "This automation is used in a project.",
        ));
    }
    permissions::require_admin(&user)?;
    rows::delete(&mut tx, m, id).await?;
    crate::events::crud(&mut tx, user.id, m, "delete", &row).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// GET /data/preview-background-files — open to every user.
async fn list_backgrounds(
    State(s): State<AppState>,
    _user: CurrentUser,
    query: QueryPairs,
) -> ApiResult<Json<Value>> {
    plain_list(&s, &models::PREVIEW_BACKGROUND_FILE, &query).await
}

/// POST /data/preview-background-files
async fn create_background(
    State(s): State<AppState>,
    user: CurrentUser,
    body: CrudBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    plain_create(&s, &user, &models::PREVIEW_BACKGROUND_FILE, body).await
}

/// GET /data/preview-background-files/{id} — open to every user.
async fn read_background(
    State(s): State<AppState>,
    _user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    plain_read(&s, &models::PREVIEW_BACKGROUND_FILE, &id).await
}

/// PUT /data/preview-background-files/{id}
async fn update_background(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    body: CrudBody,
) -> ApiResult<Json<Value>> {
    plain_update(&s, &user, &models::PREVIEW_BACKGROUND_FILE, &id, body).await
}

/// DELETE /data/preview-background-files/{id} — productions using it lose
/// it (Zou's `clear_preview_background_files`).
async fn remove_background(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = crud_id(&id)?;
    let m = &models::PREVIEW_BACKGROUND_FILE;
    let mut tx = s.db.begin().await?;
    let row = rows::get(&mut tx, m, id, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    permissions::require_admin(&user)?;
    for project in links::PROJECT_PREVIEW_BACKGROUND_FILES
        .lefts(&mut tx, id)
        .await?
    {
        links::PROJECT_PREVIEW_BACKGROUND_FILES
            .remove(&mut tx, project, id)
            .await?;
    }
    let p = &models::PROJECT;
    let select = Select::default().eq("default_preview_background_file_id", SqlValue::Uuid(id));
    for project in rows::list(&mut tx, p, &select, false).await? {
        rows::update(
            &mut tx,
            p,
            id_of(&project),
            vec![(
                column(p, "default_preview_background_file_id"),
                SqlValue::Null(models::Kind::Uuid),
            )],
        )
        .await?;
    }
    rows::delete(&mut tx, m, id).await?;
    crate::events::crud(&mut tx, user.id, m, "delete", &row).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

// --- budgets -----------------------------------------------------------------

/// Budgets are for the production's managers.
async fn budget_access(exec: &mut impl Exec, user: &CurrentUser, project: &str) -> ApiResult<Uuid> {
    let project = path_id(project)?;
    project_exists(exec, project).await?;
    check_manager_project_access(exec, user, project).await?;
    Ok(project)
}

fn budget_not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        json!({"error": true, "message": "Budget not found"}),
    )
}

fn entry_not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        json!({"error": true, "message": "Budget entry not found"}),
    )
}

/// The budget `id` of `project`; one of another production is not found.
async fn project_budget(exec: &mut impl Exec, project: Uuid, id: &str) -> ApiResult<Row> {
    let id = lookup_id(id).ok_or_else(budget_not_found)?;
    let row = rows::get(exec, &models::BUDGET, id, false)
        .await?
        .ok_or_else(budget_not_found)?;
    if uuid_field(&row, "project_id") != Some(project) {
        return Err(budget_not_found());
    }
    Ok(row)
}

async fn budget_entry(exec: &mut impl Exec, budget: Uuid, id: &str) -> ApiResult<Row> {
    let id = lookup_id(id).ok_or_else(entry_not_found)?;
    let row = rows::get(exec, &models::BUDGET_ENTRY, id, false)
        .await?
        .ok_or_else(entry_not_found)?;
    if uuid_field(&row, "budget_id") != Some(budget) {
        return Err(entry_not_found());
    }
    Ok(row)
}

/// Zou's `Budget.present`: the short form of its lists.
fn present_budget(row: &Row) -> Value {
    json!({
        "id": row.get("id"),
        "project_id": row.get("project_id"),
        "revision": row.get("revision"),
        "name": row.get("name"),
        "currency": row.get("currency"),
    })
}

/// Zou's `BudgetEntry.present`.
fn present_entry(row: &Row) -> Value {
    let mut out = Map::new();
    for k in [
        "id",
        "budget_id",
        "department_id",
        "person_id",
        "start_date",
        "months_duration",
        "daily_salary",
        "position",
        "seniority",
        "exceptions",
    ] {
        out.insert(k.into(), row.get(k).cloned().unwrap_or(Value::Null));
    }
    Value::Object(out)
}

/// GET /data/projects/{id}/budgets
async fn list_budgets(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let mut conn = s.db.conn().await?;
    let project = budget_access(&mut conn, &user, &id).await?;
    let select = Select::default().eq("project_id", SqlValue::Uuid(project));
    let list = rows::list(&mut conn, &models::BUDGET, &select, false).await?;
    Ok(Json(Value::Array(
        list.iter().map(present_budget).collect(),
    )))
}

/// POST /data/projects/{id}/budgets `{"name", "currency"}` — the next
/// revision of the production's budget (currency USD by default). Zou
/// checks rights before the body here, and answers 200, not 201.
async fn create_budget(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    SchemaBody(body): SchemaBody,
) -> ApiResult<Json<Value>> {
    let mut tx = s.db.begin().await?;
    let project = budget_access(&mut tx, &user, &id).await?;
    let name = required_str(&body, "name")?;
    let currency = match body.get("currency") {
        None => Some("USD".to_owned()),
        Some(_) => opt_str(&body, "currency")?,
    };
    let m = &models::BUDGET;
    let select = Select::default().eq("project_id", SqlValue::Uuid(project));
    let last = rows::list(&mut tx, m, &select, false)
        .await?
        .iter()
        .filter_map(|b| b.get("revision").and_then(Value::as_i64))
        .max()
        .unwrap_or(0);
    let values = vec![
        (column(m, "project_id"), SqlValue::Uuid(project)),
        (column(m, "revision"), SqlValue::Int(last + 1)),
        (column(m, "name"), SqlValue::Text(name)),
        (
            column(m, "currency"),
            currency.map_or(SqlValue::Null(models::Kind::Text), SqlValue::Text),
        ),
    ];
    let row = rows::insert(&mut tx, m, values).await?;
    budget_event(&mut tx, &user, project, "budget:create", id_of(&row), None).await?;
    tx.commit().await?;
    Ok(Json(Value::Object(row)))
}

/// Zou's budget_service events: `budget:<action>` (`{"budget_id"}`) and
/// `budget-entry:<action>` (`{"budget_id", "budget_entry_id"}`), with the
/// production.
async fn budget_event(
    exec: &mut impl Exec,
    user: &CurrentUser,
    project: Uuid,
    name: &str,
    budget: Uuid,
    entry: Option<Uuid>,
) -> ApiResult<()> {
    let mut data = json!({ "budget_id": budget.to_string() });
    if let Some(e) = entry {
        data["budget_entry_id"] = json!(e.to_string());
    }
    crate::events::emit(exec, Some(user.id), name, data, Some(project)).await
}

/// GET /data/projects/{id}/budgets/{budget_id}
async fn read_budget(
    State(s): State<AppState>,
    user: CurrentUser,
    Path((id, budget)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let mut conn = s.db.conn().await?;
    let project = budget_access(&mut conn, &user, &id).await?;
    Ok(Json(Value::Object(
        project_budget(&mut conn, project, &budget).await?,
    )))
}

/// PUT /data/projects/{id}/budgets/{budget_id} `{"name", "currency"}`
async fn update_budget(
    State(s): State<AppState>,
    user: CurrentUser,
    Path((id, budget)): Path<(String, String)>,
    SchemaBody(body): SchemaBody,
) -> ApiResult<Json<Value>> {
    let name = opt_str(&body, "name")?;
    let currency = opt_str(&body, "currency")?;
    let mut tx = s.db.begin().await?;
    let project = budget_access(&mut tx, &user, &id).await?;
    let row = project_budget(&mut tx, project, &budget).await?;
    let m = &models::BUDGET;
    let mut values = vec![];
    if let Some(n) = name {
        values.push((column(m, "name"), SqlValue::Text(n)));
    }
    if let Some(c) = currency {
        values.push((column(m, "currency"), SqlValue::Text(c)));
    }
    let row = rows::update(&mut tx, m, id_of(&row), values)
        .await?
        .ok_or_else(budget_not_found)?;
    budget_event(&mut tx, &user, project, "budget:update", id_of(&row), None).await?;
    tx.commit().await?;
    Ok(Json(Value::Object(row)))
}

/// DELETE /data/projects/{id}/budgets/{budget_id} — with its entries.
async fn remove_budget(
    State(s): State<AppState>,
    user: CurrentUser,
    Path((id, budget)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let mut tx = s.db.begin().await?;
    let project = budget_access(&mut tx, &user, &id).await?;
    let row = project_budget(&mut tx, project, &budget).await?;
    let select = Select::default().eq("budget_id", SqlValue::Uuid(id_of(&row)));
    for entry in rows::list(&mut tx, &models::BUDGET_ENTRY, &select, false).await? {
        rows::delete(&mut tx, &models::BUDGET_ENTRY, id_of(&entry)).await?;
    }
    rows::delete(&mut tx, &models::BUDGET, id_of(&row)).await?;
    budget_event(&mut tx, &user, project, "budget:delete", id_of(&row), None).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// GET /data/projects/{id}/budgets/{budget_id}/entries
async fn list_entries(
    State(s): State<AppState>,
    user: CurrentUser,
    Path((id, budget)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let mut conn = s.db.conn().await?;
    let project = budget_access(&mut conn, &user, &id).await?;
    let row = project_budget(&mut conn, project, &budget).await?;
    let select = Select::default().eq("budget_id", SqlValue::Uuid(id_of(&row)));
    let list = rows::list(&mut conn, &models::BUDGET_ENTRY, &select, false).await?;
    Ok(Json(Value::Array(list.iter().map(present_entry).collect())))
}

/// The entry columns of a body, checked as Zou's schema and model check
/// them: ids must name existing rows, a date must parse.
async fn entry_values(
    exec: &mut impl Exec,
    body: &Map<String, Value>,
    creating: bool,
) -> ApiResult<Vec<(&'static models::Column, SqlValue)>> {
    let m = &models::BUDGET_ENTRY;
    let mut values = Vec::new();
    let department = if creating {
        Some(required_str(body, "department_id")?)
    } else {
        opt_str(body, "department_id")?
    };
    let person = opt_str(body, "person_id")?;
    let start = opt_str(body, "start_date")?;
    let months = opt_int(body, "months_duration")?;
    let salary = opt_float(body, "daily_salary")?;
    let position = opt_str(body, "position")?;
    let seniority = opt_str(body, "seniority")?;
    if let Some(d) = department {
        let id = lookup_id(&d).ok_or_else(|| ApiError::bad_request("Department not found"))?;
        rows::get(exec, &models::DEPARTMENT, id, false)
            .await?
            .ok_or_else(|| ApiError::bad_request("Department not found"))?;
        values.push((column(m, "department_id"), SqlValue::Uuid(id)));
    }
    if let Some(p) = person {
        let id = lookup_id(&p).ok_or_else(|| ApiError::bad_request("Person not found"))?;
        rows::get(exec, &models::PERSON, id, false)
            .await?
            .ok_or_else(|| ApiError::bad_request("Person not found"))?;
        values.push((column(m, "person_id"), SqlValue::Uuid(id)));
    } else if body.contains_key("person_id") {
        values.push((column(m, "person_id"), SqlValue::Null(models::Kind::Uuid)));
    }
    // What Zou's model requires (it answers a missing one with a database
    // error, 400); Fennec says which.
    let missing = |k: &str| field_error(k, "Field required");
    match start {
        Some(s) => {
            let date = chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d").map_err(|_| {
                ApiError::bad_request(format!(
                    "Invalid date format for 'start_date': '{s}'. Expected an ISO 8601 date or datetime."
                ))
            })?;
            values.push((column(m, "start_date"), SqlValue::Date(date)));
        }
        None if creating => return Err(missing("start_date")),
        None => {}
    }
    match months {
        Some(n) => values.push((column(m, "months_duration"), SqlValue::Int(n))),
        None if creating => return Err(missing("months_duration")),
        None => {}
    }
    match salary {
        Some(f) => values.push((column(m, "daily_salary"), SqlValue::Float(f))),
        None if creating => return Err(missing("daily_salary")),
        None => {}
    }
    const POSITIONS: &[&str] = &["artist", "supervisor", "lead"];
    const SENIORITIES: &[&str] = &["junior", "mid", "senior"];
    if let Some(p) = position {
        if !POSITIONS.contains(&p.as_str()) {
            return Err(ApiError::bad_request_message(
                fennec_api::error::INVALID_FORMAT,
            ));
        }
        values.push((column(m, "position"), SqlValue::Text(p)));
    }
    if let Some(p) = seniority {
        if !SENIORITIES.contains(&p.as_str()) {
            return Err(ApiError::bad_request_message(
                fennec_api::error::INVALID_FORMAT,
            ));
        }
        values.push((column(m, "seniority"), SqlValue::Text(p)));
    }
    Ok(values)
}

/// POST /data/projects/{id}/budgets/{budget_id}/entries — 200, as Zou.
async fn create_entry(
    State(s): State<AppState>,
    user: CurrentUser,
    Path((id, budget)): Path<(String, String)>,
    SchemaBody(body): SchemaBody,
) -> ApiResult<Json<Value>> {
    let mut tx = s.db.begin().await?;
    let project = budget_access(&mut tx, &user, &id).await?;
    let budget = project_budget(&mut tx, project, &budget).await?;
    let m = &models::BUDGET_ENTRY;
    let mut values = entry_values(&mut tx, &body, true).await?;
    values.push((column(m, "budget_id"), SqlValue::Uuid(id_of(&budget))));
    values.push((column(m, "exceptions"), SqlValue::Json(json!({}))));
    let row = rows::insert(&mut tx, m, values).await?;
    let (b, e) = (id_of(&budget), Some(id_of(&row)));
    budget_event(&mut tx, &user, project, "budget-entry:create", b, e).await?;
    tx.commit().await?;
    Ok(Json(Value::Object(row)))
}

/// GET /data/projects/{id}/budgets/{budget_id}/entries/{entry_id}
async fn read_entry(
    State(s): State<AppState>,
    user: CurrentUser,
    Path((id, budget, entry)): Path<(String, String, String)>,
) -> ApiResult<Json<Value>> {
    let mut conn = s.db.conn().await?;
    let project = budget_access(&mut conn, &user, &id).await?;
    let budget = project_budget(&mut conn, project, &budget).await?;
    let row = budget_entry(&mut conn, id_of(&budget), &entry).await?;
    Ok(Json(Value::Object(row)))
}

/// PUT /data/projects/{id}/budgets/{budget_id}/entries/{entry_id} — only
/// the fields given change (Zou 1.0.97 nulls the others and fails; a user
/// expects them kept). Exceptions keep only months set above zero.
async fn update_entry(
    State(s): State<AppState>,
    user: CurrentUser,
    Path((id, budget, entry)): Path<(String, String, String)>,
    SchemaBody(body): SchemaBody,
) -> ApiResult<Json<Value>> {
    let mut tx = s.db.begin().await?;
    let project = budget_access(&mut tx, &user, &id).await?;
    let budget = project_budget(&mut tx, project, &budget).await?;
    let row = budget_entry(&mut tx, id_of(&budget), &entry).await?;
    let m = &models::BUDGET_ENTRY;
    let mut values = entry_values(&mut tx, &body, false).await?;
    match body.get("exceptions") {
        None => {}
        Some(Value::Null) => values.push((column(m, "exceptions"), SqlValue::Json(json!({})))),
        Some(Value::Object(map)) => {
            let mut kept = Map::new();
            for (k, v) in map {
                let n = match v {
                    Value::Null => continue,
                    Value::Number(n) => n.as_f64().map(|f| f as i64),
                    Value::String(s) => s.trim().parse::<i64>().ok(),
                    _ => None,
                }
                .ok_or_else(|| field_error("exceptions", "Input should be a valid integer"))?;
                if n > 0 {
                    kept.insert(k.clone(), json!(n));
                }
            }
            values.push((column(m, "exceptions"), SqlValue::Json(Value::Object(kept))));
        }
        Some(_) => {
            return Err(field_error(
                "exceptions",
                "Input should be a valid dictionary",
            ))
        }
    }
    let row = rows::update(&mut tx, m, id_of(&row), values)
        .await?
        .ok_or_else(entry_not_found)?;
    let (b, e) = (id_of(&budget), Some(id_of(&row)));
    budget_event(&mut tx, &user, project, "budget-entry:update", b, e).await?;
    tx.commit().await?;
    Ok(Json(Value::Object(row)))
}

/// DELETE /data/projects/{id}/budgets/{budget_id}/entries/{entry_id}
async fn remove_entry(
    State(s): State<AppState>,
    user: CurrentUser,
    Path((id, budget, entry)): Path<(String, String, String)>,
) -> ApiResult<StatusCode> {
    let mut tx = s.db.begin().await?;
    let project = budget_access(&mut tx, &user, &id).await?;
    let budget = project_budget(&mut tx, project, &budget).await?;
    let row = budget_entry(&mut tx, id_of(&budget), &entry).await?;
    rows::delete(&mut tx, &models::BUDGET_ENTRY, id_of(&row)).await?;
    let (b, e) = (id_of(&budget), Some(id_of(&row)));
    budget_event(&mut tx, &user, project, "budget-entry:delete", b, e).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
