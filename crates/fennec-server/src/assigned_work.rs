//! The caller's assigned work (Zou's `user` blueprint, `/data/user/...`
//! entity, task and task type lists): what he has a task on in open
//! productions, as sets read in one query each.

use fennec_api::models;
use fennec_store::db::Exec;
use fennec_store::rows::{self, Row};
use serde_json::json;
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::path_id;
use crate::generic_crud::finish_rows;
use crate::present::{uuid_field, EntityTypes};
use crate::task_rows::TASK;
use crate::user_context::{ids, open_status, rows_by_ids};

/// Entities, typed as Zou's `serialize_list(obj_type=…)` names them.
async fn entity_rows(exec: &mut impl Exec, ids: Vec<Uuid>) -> ApiResult<Vec<Row>> {
    let mut list = rows_by_ids(exec, &models::ENTITY, ids).await?;
    finish_rows(exec, &models::ENTITY, &mut list, false).await?;
    Ok(list)
}

// The caller's assigned tasks in open productions: `$1` the caller, `$2`
// the open status. Zou's `build_assignee_filter` and
// `build_open_project_filter`.
const ASSIGNED: &str = "JOIN assignations a ON a.task_id = t.id AND a.person_id = $1 \
     JOIN projects p ON p.id = t.project_id AND p.project_status_id = $2";

/// The ids `sql` selects among the caller's assigned tasks in open
/// productions (`$1`, `$2` as in ASSIGNED, `extra` bound from `$3`); none
/// when the "Open" status is gone, as Zou's filter then matches nothing.
async fn assigned(
    exec: &mut impl Exec,
    user: &CurrentUser,
    sql: &str,
    extra: &[Uuid],
) -> ApiResult<Vec<Uuid>> {
    let Some(open) = open_status(exec).await? else {
        return Ok(vec![]);
    };
    let mut binds = vec![user.id, open];
    binds.extend_from_slice(extra);
    ids(exec, sql, &binds).await
}

/// The entity of a `/data/user/<kind>s/{id}/...` route: 404 when missing
/// or of another kind (Zou's `get_asset`, `get_shot`, …).
async fn entity_of_kind(exec: &mut impl Exec, id: &str, kind: &str) -> ApiResult<Uuid> {
    let id = path_id(id)?;
    let row = rows::get(exec, &models::ENTITY, id, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let types = EntityTypes::load(exec).await?;
    let found = uuid_field(&row, "entity_type_id").map(|t| types.kind(t).to_owned());
    if found.as_deref() != Some(kind) {
        return Err(ApiError::not_found());
    }
    Ok(id)
}

async fn project_of(exec: &mut impl Exec, id: &str) -> ApiResult<Uuid> {
    let id = path_id(id)?;
    rows::get(exec, &models::PROJECT, id, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(id)
}

/// Zou's `get_tasks_for_entity`: the caller's tasks on the entity.
pub(crate) async fn tasks_for(
    exec: &mut impl Exec,
    user: &CurrentUser,
    id: &str,
    kind: &str,
) -> ApiResult<Vec<Row>> {
    let entity = entity_of_kind(exec, id, kind).await?;
    let sql = format!("SELECT t.id FROM tasks t {ASSIGNED} WHERE t.entity_id = $3");
    let found = assigned(exec, user, &sql, &[entity]).await?;
    let mut list = rows_by_ids(exec, TASK, found).await?;
    finish_rows(exec, TASK, &mut list, false).await?;
    Ok(list)
}

/// Zou's `get_task_types_for_entity`: the types of those tasks.
pub(crate) async fn task_types_for(
    exec: &mut impl Exec,
    user: &CurrentUser,
    id: &str,
    kind: &str,
) -> ApiResult<Vec<Row>> {
    let entity = entity_of_kind(exec, id, kind).await?;
    let sql =
        format!("SELECT DISTINCT t.task_type_id FROM tasks t {ASSIGNED} WHERE t.entity_id = $3");
    let found = assigned(exec, user, &sql, &[entity]).await?;
    let list = rows_by_ids(exec, &models::TASK_TYPE, found).await?;
    Ok(list)
}

/// The asset types of the assets the caller has a task on in the
/// production, typed as Zou types them.
pub(crate) async fn project_asset_types(
    exec: &mut impl Exec,
    user: &CurrentUser,
    id: &str,
) -> ApiResult<Vec<Row>> {
    let project = project_of(exec, id).await?;
    let sql = format!(
        "SELECT DISTINCT e.entity_type_id FROM entities e JOIN tasks t ON t.entity_id = e.id \
         {ASSIGNED} WHERE p.id = $3"
    );
    let types = EntityTypes::load(exec).await?;
    let asset_types = types.asset_type_ids();
    let found: Vec<Uuid> = assigned(exec, user, &sql, &[project])
        .await?
        .into_iter()
        .filter(|t| asset_types.contains(t))
        .collect();
    let mut list = rows_by_ids(exec, &models::ENTITY_TYPE, found).await?;
    for row in &mut list {
        row.insert("type".into(), json!("AssetType"));
    }
    Ok(list)
}

/// The assets of one type the caller has a task on in the production.
pub(crate) async fn asset_type_assets(
    exec: &mut impl Exec,
    user: &CurrentUser,
    id: &str,
    asset_type: &str,
) -> ApiResult<Vec<Row>> {
    let project = project_of(exec, id).await?;
    let asset_type = path_id(asset_type)?;
    rows::get(exec, &models::ENTITY_TYPE, asset_type, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let sql = format!(
        "SELECT DISTINCT e.id FROM entities e JOIN tasks t ON t.entity_id = e.id \
         {ASSIGNED} WHERE e.entity_type_id = $3 AND e.project_id = $4"
    );
    let found = assigned(exec, user, &sql, &[asset_type, project]).await?;
    entity_rows(exec, found).await
}

/// The id of an entity type by name (Zou's `get_shot_type`, …); a nil id
/// when missing, which matches nothing.
fn type_id(types: &EntityTypes, name: &str) -> Uuid {
    types.id_of(name).unwrap_or_default()
}

/// The sequences holding a shot the caller has a task on.
pub(crate) async fn project_sequences(
    exec: &mut impl Exec,
    user: &CurrentUser,
    id: &str,
) -> ApiResult<Vec<Row>> {
    let project = project_of(exec, id).await?;
    let types = EntityTypes::load(exec).await?;
    let sql = format!(
        "SELECT DISTINCT sq.id FROM entities sq JOIN entities sh ON sh.parent_id = sq.id \
         JOIN tasks t ON t.entity_id = sh.id {ASSIGNED} \
         WHERE sh.entity_type_id = $3 AND sq.entity_type_id = $4 AND sq.project_id = $5"
    );
    let binds = [
        type_id(&types, "Shot"),
        type_id(&types, "Sequence"),
        project,
    ];
    let found = assigned(exec, user, &sql, &binds).await?;
    entity_rows(exec, found).await
}

/// The episodes holding a shot the caller has a task on.
pub(crate) async fn project_episodes(
    exec: &mut impl Exec,
    user: &CurrentUser,
    id: &str,
) -> ApiResult<Vec<Row>> {
    let project = project_of(exec, id).await?;
    let types = EntityTypes::load(exec).await?;
    let sql = format!(
        "SELECT DISTINCT ep.id FROM entities ep JOIN entities sq ON sq.parent_id = ep.id \
         JOIN entities sh ON sh.parent_id = sq.id JOIN tasks t ON t.entity_id = sh.id {ASSIGNED} \
         WHERE sh.entity_type_id = $3 AND sq.entity_type_id = $4 AND ep.entity_type_id = $5 \
         AND ep.project_id = $6"
    );
    let binds = [
        type_id(&types, "Shot"),
        type_id(&types, "Sequence"),
        type_id(&types, "Episode"),
        project,
    ];
    let found = assigned(exec, user, &sql, &binds).await?;
    entity_rows(exec, found).await
}

/// The children of one kind of a sequence the caller has a task on.
pub(crate) async fn sequence_children(
    exec: &mut impl Exec,
    user: &CurrentUser,
    id: &str,
    kind: &str,
) -> ApiResult<Vec<Row>> {
    let sequence = entity_of_kind(exec, id, "Sequence").await?;
    let types = EntityTypes::load(exec).await?;
    let sql = format!(
        "SELECT DISTINCT e.id FROM entities e JOIN tasks t ON t.entity_id = e.id {ASSIGNED} \
         WHERE e.entity_type_id = $3 AND e.parent_id = $4"
    );
    let found = assigned(exec, user, &sql, &[type_id(&types, kind), sequence]).await?;
    entity_rows(exec, found).await
}
