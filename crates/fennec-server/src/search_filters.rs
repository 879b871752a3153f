//! The caller's saved searches (Zou's `user` blueprint,
//! `/data/user/filters` and `/data/user/filter-groups`): who reads which,
//! the bodies validated as Zou's schemas validate them, and their writes.

use fennec_api::models::{self, Model};
use fennec_store::db::{Db, Exec};
use fennec_store::links;
use fennec_store::rows::{self, Row};
use fennec_store::{on, SqlValue, StoreError};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::auth::user::Role;
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::path_id;
use crate::present::{id_of, uuid_field};
use crate::task_rows::flag;
use crate::user_context::{ids, open_status, rows_by_ids};

/// The caller's departments, and whether he reads every department's
/// filters (Zou's `has_manager_permissions`, on the global role).
async fn department_reader(
    exec: &mut impl Exec,
    user: &CurrentUser,
) -> ApiResult<(bool, Vec<Uuid>)> {
    let manager = matches!(user.role, Role::Admin | Role::Manager);
    Ok((
        manager,
        links::PERSON_DEPARTMENTS.rights(exec, user.id).await?,
    ))
}

/// Zou's `get_user_filters` / `get_user_filter_groups`: the caller's own
/// and the shared ones, of open productions or of none, grouped by list
/// type then production (`"all"` for none). A department's ones are for
/// its members and managers.
async fn grouped(
    exec: &mut impl Exec,
    user: &CurrentUser,
    model: &'static Model,
    newest_first: bool,
) -> ApiResult<Map<String, Value>> {
    let open = open_status(exec).await?.unwrap_or_default();
    let sql = format!(
        "SELECT f.id FROM {} f LEFT JOIN projects p ON p.id = f.project_id \
         WHERE (f.person_id = $1 OR f.is_shared = TRUE) \
         AND (f.project_id IS NULL OR p.project_status_id = $2)",
        model.table
    );
    let found = ids(exec, &sql, &[user.id, open]).await?;
    let mut list = rows_by_ids(exec, model, found).await?;
    if newest_first {
        list.reverse();
    }
    let (manager, departments) = department_reader(exec, user).await?;
    let mut out = Map::new();
    for row in list {
        let list_type = row
            .get("list_type")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        // Zou opens a list type's section before the department check, so
        // a section may stay empty.
        let section = out
            .entry(list_type)
            .or_insert_with(|| Value::Object(Map::new()));
        let department = uuid_field(&row, "department_id");
        if !department.is_none_or(|d| manager || departments.contains(&d)) {
            continue;
        }
        let project = uuid_field(&row, "project_id").map_or("all".to_owned(), |p| p.to_string());
        if let Value::Object(section) = section {
            if let Value::Array(items) = section.entry(project).or_insert_with(|| json!([])) {
                items.push(Value::Object(row));
            }
        }
    }
    Ok(out)
}

pub(crate) async fn filters_of(
    exec: &mut impl Exec,
    user: &CurrentUser,
) -> ApiResult<Map<String, Value>> {
    grouped(exec, user, &models::SEARCH_FILTER, false).await
}

pub(crate) async fn filter_groups_of(
    exec: &mut impl Exec,
    user: &CurrentUser,
) -> ApiResult<Map<String, Value>> {
    // Zou orders the groups by creation, newest first.
    grouped(exec, user, &models::SEARCH_FILTER_GROUP, true).await
}

/// How a field of Zou's pydantic schemas is read.
#[derive(Clone, Copy)]
enum FieldKind {
    /// `str`, required, at least one character.
    Required,
    /// `str` with a default.
    Text,
    /// `Optional[str]`.
    OptText,
    /// `Optional[bool]`.
    OptBool,
}

/// The fields of a schema body, validated in declaration order; pydantic's
/// messages for each field that fails.
fn schema(
    body: &Map<String, Value>,
    fields: &[(&str, FieldKind)],
) -> ApiResult<Map<String, Value>> {
    let mut out = Map::new();
    let mut errors = Vec::new();
    for (name, kind) in fields {
        let v = body.get(*name);
        let checked: Result<Option<Value>, &str> = match (kind, v) {
            (FieldKind::Required, None) => Err("Field required"),
            (FieldKind::Required, Some(Value::String(s))) if s.is_empty() => {
                Err("String should have at least 1 character")
            }
            (_, None) => Ok(None),
            (FieldKind::OptText | FieldKind::OptBool, Some(Value::Null)) => Ok(Some(Value::Null)),
            (FieldKind::OptBool, Some(v)) => crate::extract::schema_bool(v).map(|b| Some(json!(b))),
            (_, Some(Value::String(s))) => Ok(Some(json!(s))),
            (_, Some(_)) => Err("Input should be a valid string"),
        };
        match checked {
            Ok(Some(v)) => {
                out.insert((*name).to_owned(), v);
            }
            Ok(None) => {}
            Err(m) => errors.push(((*name).to_owned(), m.to_owned())),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(ApiError::validation(errors))
    }
}

fn text_of(data: &Map<String, Value>, key: &str) -> Option<String> {
    data.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// An id given in a body: Zou hands it to the database, whose refusal is
/// its 500; Fennec says which one is wrong.
fn body_id(data: &Map<String, Value>, key: &str) -> ApiResult<Option<Uuid>> {
    match data.get(key).and_then(Value::as_str) {
        None => Ok(None),
        Some(s) => Uuid::parse_str(s)
            .map(Some)
            .map_err(|_| ApiError::bad_request(format!("Invalid UUID format for {key}: {s}"))),
    }
}

/// Zou's `can_share_filter`: sharing is for the production's managers (and
/// admins); a filter of no production is never shared.
async fn can_share(
    exec: &mut impl Exec,
    user: &CurrentUser,
    project: Option<Uuid>,
) -> ApiResult<bool> {
    let Some(project) = project else {
        return Ok(false);
    };
    Ok(user.is_admin()
        || (user.role == Role::Manager
            && links::PROJECT_TEAM.contains(exec, project, user.id).await?))
}

/// Zou's department check on a filter body: an unknown one is a 404.
async fn check_department(exec: &mut impl Exec, department: Option<Uuid>) -> ApiResult<()> {
    if let Some(d) = department {
        rows::get(exec, &models::DEPARTMENT, d, false)
            .await?
            .ok_or_else(ApiError::not_found)?;
    }
    Ok(())
}

const SHARED_MISMATCH: &str =
    "A search filter should have the same value for is_shared than its search filter group.";

/// The group a filter goes in: it must exist and be as shared as the filter.
async fn check_group(exec: &mut impl Exec, group: Option<Uuid>, is_shared: bool) -> ApiResult<()> {
    if let Some(g) = group {
        let row = rows::get(exec, &models::SEARCH_FILTER_GROUP, g, false)
            .await?
            .ok_or_else(ApiError::not_found)?;
        if flag(Some(&row), "is_shared") != is_shared {
            return Err(ApiError::bad_request(SHARED_MISMATCH));
        }
    }
    Ok(())
}

pub(crate) fn column(model: &'static Model, name: &str) -> &'static models::Column {
    model
        .column(name)
        .expect("column of the user settings models")
}

fn uuid_or_null(
    model: &'static Model,
    name: &str,
    v: Option<Uuid>,
) -> (&'static models::Column, SqlValue) {
    (
        column(model, name),
        v.map_or(SqlValue::Null(models::Kind::Uuid), SqlValue::Uuid),
    )
}

fn text_or_null(
    model: &'static Model,
    name: &str,
    v: Option<String>,
) -> (&'static models::Column, SqlValue) {
    (
        column(model, name),
        v.map_or(SqlValue::Null(models::Kind::Text), SqlValue::Text),
    )
}

/// Zou's `_get_own_or_as_admin`: the caller's own row, or anyone's for an
/// admin; 404 otherwise.
pub(crate) async fn own_row(
    exec: &mut impl Exec,
    user: &CurrentUser,
    model: &'static Model,
    id: &str,
) -> ApiResult<Row> {
    let id = path_id(id)?;
    let row = rows::get(exec, model, id, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if user.is_admin() || uuid_field(&row, "person_id") == Some(user.id) {
        Ok(row)
    } else {
        Err(ApiError::not_found())
    }
}

/// Zou's `_deny_sharing_without_manager_access`: a change of sharing the
/// caller may not make turns into "not shared". The production checked is
/// the one the body names, as in Zou.
async fn allowed_sharing(
    exec: &mut impl Exec,
    user: &CurrentUser,
    data: &Map<String, Value>,
    row: &Row,
) -> ApiResult<Option<bool>> {
    let Some(wanted) = data.get("is_shared").and_then(Value::as_bool) else {
        return Ok(None);
    };
    if wanted != flag(Some(row), "is_shared")
        && !can_share(exec, user, body_id(data, "project_id")?).await?
    {
        return Ok(Some(false));
    }
    Ok(Some(wanted))
}

/// Zou's search filter creation: the body checked, sharing narrowed on
/// what the caller may share, the new row.
pub(crate) async fn create_filter(
    db: &Db,
    user: &CurrentUser,
    body: &Map<String, Value>,
) -> ApiResult<Row> {
    use FieldKind::*;
    let data = schema(
        body,
        &[
            ("name", Required),
            ("query", Required),
            ("list_type", Text),
            ("project_id", OptText),
            ("entity_type", OptText),
            ("is_shared", OptBool),
            ("search_filter_group_id", OptText),
            ("department_id", OptText),
        ],
    )?;
    let project = body_id(&data, "project_id")?;
    let group = body_id(&data, "search_filter_group_id")?;
    let department = body_id(&data, "department_id")?;
    let mut tx = db.begin().await?;
    let mut is_shared = data
        .get("is_shared")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if !can_share(&mut tx, user, project).await? {
        is_shared = false;
    }
    check_group(&mut tx, group, is_shared).await?;
    check_department(&mut tx, department).await?;
    let m = &models::SEARCH_FILTER;
    let row = rows::insert(
        &mut tx,
        m,
        vec![
            (
                column(m, "list_type"),
                SqlValue::Text(text_of(&data, "list_type").unwrap_or_else(|| "todo".into())),
            ),
            (
                column(m, "name"),
                SqlValue::Text(text_of(&data, "name").unwrap_or_default()),
            ),
            (
                column(m, "search_query"),
                SqlValue::Text(text_of(&data, "query").unwrap_or_default()),
            ),
            uuid_or_null(m, "project_id", project),
            (column(m, "person_id"), SqlValue::Uuid(user.id)),
            text_or_null(m, "entity_type", text_of(&data, "entity_type")),
            (column(m, "is_shared"), SqlValue::Bool(is_shared)),
            uuid_or_null(m, "search_filter_group_id", group),
            uuid_or_null(m, "department_id", department),
        ],
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// A change to one of the caller's search filters (anyone's for an
/// admin); the updated row.
pub(crate) async fn update_filter(
    db: &Db,
    user: &CurrentUser,
    id: &str,
    body: &Map<String, Value>,
) -> ApiResult<Row> {
    use FieldKind::*;
    let data = schema(
        body,
        &[
            ("name", OptText),
            ("search_query", OptText),
            ("search_filter_group_id", OptText),
            ("is_shared", OptBool),
            ("project_id", OptText),
            ("department_id", OptText),
        ],
    )?;
    let mut tx = db.begin().await?;
    let m = &models::SEARCH_FILTER;
    let row = own_row(&mut tx, user, m, id).await?;
    let department = body_id(&data, "department_id")?;
    check_department(&mut tx, department).await?;
    let is_shared = allowed_sharing(&mut tx, user, &data, &row).await?;
    // A group given as null takes the filter out of its group; a group
    // left out keeps the current one.
    let group = match data.get("search_filter_group_id") {
        Some(Value::Null) => None,
        Some(_) => body_id(&data, "search_filter_group_id")?,
        None => uuid_field(&row, "search_filter_group_id"),
    };
    check_group(
        &mut tx,
        group,
        is_shared.unwrap_or_else(|| flag(Some(&row), "is_shared")),
    )
    .await?;
    let mut changes = Vec::new();
    for key in ["name", "search_query"] {
        if let Some(v) = text_of(&data, key) {
            changes.push((column(m, key), SqlValue::Text(v)));
        }
    }
    if data.contains_key("search_filter_group_id") {
        changes.push(uuid_or_null(m, "search_filter_group_id", group));
    }
    if let Some(v) = is_shared {
        changes.push((column(m, "is_shared"), SqlValue::Bool(v)));
    }
    if let Some(p) = body_id(&data, "project_id")? {
        changes.push((column(m, "project_id"), SqlValue::Uuid(p)));
    }
    if let Some(d) = department {
        changes.push((column(m, "department_id"), SqlValue::Uuid(d)));
    }
    let row = rows::update(&mut tx, m, id_of(&row), changes)
        .await?
        .ok_or_else(ApiError::not_found)?;
    tx.commit().await?;
    Ok(row)
}

/// The deletion of one of the caller's search filters (anyone's for an
/// admin).
pub(crate) async fn remove_filter(db: &Db, user: &CurrentUser, id: &str) -> ApiResult<()> {
    let mut tx = db.begin().await?;
    let row = own_row(&mut tx, user, &models::SEARCH_FILTER, id).await?;
    rows::delete(&mut tx, &models::SEARCH_FILTER, id_of(&row)).await?;
    tx.commit().await?;
    Ok(())
}

/// Zou's search filter group creation: the body checked, sharing
/// narrowed on what the caller may share, the new row.
pub(crate) async fn create_group(
    db: &Db,
    user: &CurrentUser,
    body: &Map<String, Value>,
) -> ApiResult<Row> {
    use FieldKind::*;
    let data = schema(
        body,
        &[
            ("name", Required),
            ("color", OptText),
            ("list_type", Text),
            ("project_id", OptText),
            ("is_shared", OptBool),
            ("entity_type", OptText),
            ("department_id", OptText),
        ],
    )?;
    let project = body_id(&data, "project_id")?;
    let department = body_id(&data, "department_id")?;
    let mut tx = db.begin().await?;
    let mut is_shared = data
        .get("is_shared")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if !can_share(&mut tx, user, project).await? {
        is_shared = false;
    }
    check_department(&mut tx, department).await?;
    let m = &models::SEARCH_FILTER_GROUP;
    let row = rows::insert(
        &mut tx,
        m,
        vec![
            (
                column(m, "list_type"),
                SqlValue::Text(text_of(&data, "list_type").unwrap_or_else(|| "todo".into())),
            ),
            (
                column(m, "name"),
                SqlValue::Text(text_of(&data, "name").unwrap_or_default()),
            ),
            (
                column(m, "color"),
                SqlValue::Text(text_of(&data, "color").unwrap_or_default()),
            ),
            uuid_or_null(m, "project_id", project),
            (column(m, "person_id"), SqlValue::Uuid(user.id)),
            text_or_null(m, "entity_type", text_of(&data, "entity_type")),
            (column(m, "is_shared"), SqlValue::Bool(is_shared)),
            uuid_or_null(m, "department_id", department),
        ],
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// A change to one of the caller's filter groups; a change of sharing
/// carries over to the group's filters. The updated row.
pub(crate) async fn update_group(
    db: &Db,
    user: &CurrentUser,
    id: &str,
    body: &Map<String, Value>,
) -> ApiResult<Row> {
    use FieldKind::*;
    let data = schema(
        body,
        &[
            ("name", OptText),
            ("color", OptText),
            ("is_shared", OptBool),
            ("project_id", OptText),
            ("department_id", OptText),
        ],
    )?;
    let mut tx = db.begin().await?;
    let m = &models::SEARCH_FILTER_GROUP;
    let row = own_row(&mut tx, user, m, id).await?;
    let is_shared = allowed_sharing(&mut tx, user, &data, &row).await?;
    let mut changes = Vec::new();
    for key in ["name", "color"] {
        if let Some(v) = text_of(&data, key) {
            changes.push((column(m, key), SqlValue::Text(v)));
        }
    }
    if let Some(v) = is_shared {
        changes.push((column(m, "is_shared"), SqlValue::Bool(v)));
    }
    if let Some(p) = body_id(&data, "project_id")? {
        changes.push((column(m, "project_id"), SqlValue::Uuid(p)));
    }
    if let Some(d) = body_id(&data, "department_id")? {
        changes.push((column(m, "department_id"), SqlValue::Uuid(d)));
    }
    let group = id_of(&row);
    let row = rows::update(&mut tx, m, group, changes)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if is_shared.is_some() {
        let shared = flag(Some(&row), "is_shared");
        on!(&mut tx, c => sqlx::query(
            "UPDATE search_filters SET is_shared = $1 WHERE search_filter_group_id = $2")
            .bind(shared)
            .bind(group)
            .execute(&mut *c)
            .await
            .map_err(StoreError::from)?
            .rows_affected());
    }
    tx.commit().await?;
    Ok(row)
}

/// The deletion of one of the caller's filter groups, with its filters,
/// whoever owns them.
pub(crate) async fn remove_group(db: &Db, user: &CurrentUser, id: &str) -> ApiResult<()> {
    let mut tx = db.begin().await?;
    let row = own_row(&mut tx, user, &models::SEARCH_FILTER_GROUP, id).await?;
    let group = id_of(&row);
    on!(&mut tx, c => sqlx::query("DELETE FROM search_filters WHERE search_filter_group_id = $1")
        .bind(group)
        .execute(&mut *c)
        .await
        .map_err(StoreError::from)?
        .rows_affected());
    rows::delete(&mut tx, &models::SEARCH_FILTER_GROUP, group).await?;
    tx.commit().await?;
    Ok(())
}
