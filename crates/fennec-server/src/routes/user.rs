//! Zou's `user` blueprint: the caller's own view of the studio. What he
//! works on (the entities, tasks and task types of his assigned tasks in
//! open productions), what he checks (supervisors' and managers' "My
//! Checks"), his time, his saved searches and desktop logins, and the
//! context Kitsu's front end loads at start-up. Every answer is scoped to
//! the caller: Zou filters these lists, it never refuses them.
//!
//! The caller's to-do and done lists (`/data/user/tasks`, `done-tasks`)
//! and day offs live in `todo.rs` and `day_offs.rs`; notifications,
//! subscriptions, chats and the avatar are served elsewhere.

use std::collections::HashMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use fennec_api::models::{self, Model};
use fennec_store::db::Exec;
use fennec_store::links;
use fennec_store::rows::{self, Filter, Row, Select};
use fennec_store::{on, SqlValue, StoreError};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::user::Role;
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::{path_id, Path, QueryPairs, SchemaBody};
use crate::generic_crud::finish_rows;
use crate::present::{self, id_of, uuid_field, EntityTypes};
use crate::task_rows::{flag, Lookups, TASK};
use crate::todo_rows::{todo_row, Batch, Flavour};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/data/user/context", get(context))
        .route("/data/user/projects/open", get(open_projects))
        .route(
            "/data/user/projects/{id}/asset-types",
            get(project_asset_types),
        )
        .route(
            "/data/user/projects/{id}/asset-types/{asset_type_id}/assets",
            get(asset_type_assets),
        )
        .route("/data/user/projects/{id}/sequences", get(project_sequences))
        .route("/data/user/projects/{id}/episodes", get(project_episodes))
        .route("/data/user/sequences/{id}/shots", get(sequence_shots))
        .route("/data/user/sequences/{id}/scenes", get(sequence_scenes))
        .route("/data/user/assets/{id}/tasks", get(asset_tasks))
        .route("/data/user/shots/{id}/tasks", get(shot_tasks))
        .route("/data/user/scenes/{id}/tasks", get(scene_tasks))
        .route("/data/user/sequences/{id}/tasks", get(sequence_tasks))
        .route("/data/user/assets/{id}/task-types", get(asset_task_types))
        .route("/data/user/shots/{id}/task-types", get(shot_task_types))
        .route("/data/user/scenes/{id}/task-types", get(scene_task_types))
        .route(
            "/data/user/sequences/{id}/task-types",
            get(sequence_task_types),
        )
        .route("/data/user/tasks-to-check", get(tasks_to_check))
        .route(
            "/data/user/tasks-to-check/filter-values",
            get(tasks_to_check_filter_values),
        )
        .route("/data/user/time-spents", get(time_spents))
        .route("/data/user/time-spents/{date}", get(date_time_spents))
        .route(
            "/data/user/tasks/{id}/time-spents/{date}",
            get(task_time_spent),
        )
        .route("/data/user/filters", get(filters).post(new_filter))
        .route(
            "/data/user/filters/{id}",
            axum::routing::put(update_filter).delete(remove_filter),
        )
        .route(
            "/data/user/filter-groups",
            get(filter_groups).post(new_filter_group),
        )
        .route(
            "/data/user/filter-groups/{id}",
            get(filter_group)
                .put(update_filter_group)
                .delete(remove_filter_group),
        )
        .route(
            "/data/user/desktop-login-logs",
            get(desktop_login_logs).post(new_desktop_login_log),
        )
}

// ---------------------------------------------------------------------
// Set-based reads of the caller's assigned work.

/// The ids one query returns, its `$n` parameters bound in order.
async fn ids(exec: &mut impl Exec, sql: &str, binds: &[Uuid]) -> ApiResult<Vec<Uuid>> {
    Ok(on!(exec, c => {
        let mut q = sqlx::query_scalar::<_, Uuid>(sql);
        for b in binds {
            q = q.bind(*b);
        }
        q.fetch_all(&mut *c).await.map_err(StoreError::from)?
    }))
}

/// Zou's open-project filter: the status named "Open".
async fn open_status(exec: &mut impl Exec) -> ApiResult<Option<Uuid>> {
    Ok(fennec_store::defaults::project_status_id(exec, "Open").await?)
}

/// Rows of `model` with these ids, in creation order.
async fn rows_by_ids(exec: &mut impl Exec, model: &Model, ids: Vec<Uuid>) -> ApiResult<Vec<Row>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let select = Select::default().filter(Filter::In(
        "id",
        ids.into_iter().map(SqlValue::Uuid).collect(),
    ));
    Ok(rows::list(exec, model, &select, false).await?)
}

/// Entities, typed as Zou's `serialize_list(obj_type=…)` names them.
async fn entity_list(exec: &mut impl Exec, ids: Vec<Uuid>) -> ApiResult<Json<Value>> {
    let mut list = rows_by_ids(exec, &models::ENTITY, ids).await?;
    finish_rows(exec, &models::ENTITY, &mut list, false).await?;
    Ok(array(list))
}

fn array(list: Vec<Row>) -> Json<Value> {
    Json(Value::Array(list.into_iter().map(Value::Object).collect()))
}

// The caller's assigned tasks in open productions: `$1` the caller, `$2`
// the open status. Zou's `build_assignee_filter` and
// `build_open_project_filter`.
const ASSIGNED: &str = "JOIN assignations a ON a.task_id = t.id AND a.person_id = $1 \
     JOIN projects p ON p.id = t.project_id AND p.project_status_id = $2";

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
async fn tasks_for(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    kind: &str,
) -> ApiResult<Json<Value>> {
    let mut conn = state.db.conn().await?;
    let entity = entity_of_kind(&mut conn, id, kind).await?;
    let Some(open) = open_status(&mut conn).await? else {
        return Ok(array(vec![]));
    };
    let sql = format!("SELECT t.id FROM tasks t {ASSIGNED} WHERE t.entity_id = $3");
    let found = ids(&mut conn, &sql, &[user.id, open, entity]).await?;
    let mut list = rows_by_ids(&mut conn, TASK, found).await?;
    finish_rows(&mut conn, TASK, &mut list, false).await?;
    Ok(array(list))
}

/// Zou's `get_task_types_for_entity`: the types of those tasks.
async fn task_types_for(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    kind: &str,
) -> ApiResult<Json<Value>> {
    let mut conn = state.db.conn().await?;
    let entity = entity_of_kind(&mut conn, id, kind).await?;
    let Some(open) = open_status(&mut conn).await? else {
        return Ok(array(vec![]));
    };
    let sql =
        format!("SELECT DISTINCT t.task_type_id FROM tasks t {ASSIGNED} WHERE t.entity_id = $3");
    let found = ids(&mut conn, &sql, &[user.id, open, entity]).await?;
    let list = rows_by_ids(&mut conn, &models::TASK_TYPE, found).await?;
    Ok(array(list))
}

/// GET /data/user/assets/{asset_id}/tasks
async fn asset_tasks(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    tasks_for(&s, &user, &id, "Asset").await
}

/// GET /data/user/shots/{shot_id}/tasks
async fn shot_tasks(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    tasks_for(&s, &user, &id, "Shot").await
}

/// GET /data/user/scenes/{scene_id}/tasks
async fn scene_tasks(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    tasks_for(&s, &user, &id, "Scene").await
}

/// GET /data/user/sequences/{sequence_id}/tasks
async fn sequence_tasks(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    tasks_for(&s, &user, &id, "Sequence").await
}

/// GET /data/user/assets/{asset_id}/task-types
async fn asset_task_types(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    task_types_for(&s, &user, &id, "Asset").await
}

/// GET /data/user/shots/{shot_id}/task-types
async fn shot_task_types(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    task_types_for(&s, &user, &id, "Shot").await
}

/// GET /data/user/scenes/{scene_id}/task-types
async fn scene_task_types(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    task_types_for(&s, &user, &id, "Scene").await
}

/// GET /data/user/sequences/{sequence_id}/task-types
async fn sequence_task_types(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    task_types_for(&s, &user, &id, "Sequence").await
}

/// GET /data/user/projects/{project_id}/asset-types — the asset types of
/// the assets the caller has a task on in the production.
async fn project_asset_types(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let mut conn = s.db.conn().await?;
    let project = project_of(&mut conn, &id).await?;
    let Some(open) = open_status(&mut conn).await? else {
        return Ok(array(vec![]));
    };
    let sql = format!(
        "SELECT DISTINCT e.entity_type_id FROM entities e JOIN tasks t ON t.entity_id = e.id \
         {ASSIGNED} WHERE p.id = $3"
    );
    let types = EntityTypes::load(&mut conn).await?;
    let asset_types = types.asset_type_ids();
    let found: Vec<Uuid> = ids(&mut conn, &sql, &[user.id, open, project])
        .await?
        .into_iter()
        .filter(|t| asset_types.contains(t))
        .collect();
    let mut list = rows_by_ids(&mut conn, &models::ENTITY_TYPE, found).await?;
    for row in &mut list {
        row.insert("type".into(), json!("AssetType"));
    }
    Ok(array(list))
}

/// GET /data/user/projects/{project_id}/asset-types/{asset_type_id}/assets
async fn asset_type_assets(
    State(s): State<AppState>,
    user: CurrentUser,
    Path((id, asset_type)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let mut conn = s.db.conn().await?;
    let project = project_of(&mut conn, &id).await?;
    let asset_type = path_id(&asset_type)?;
    rows::get(&mut conn, &models::ENTITY_TYPE, asset_type, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let Some(open) = open_status(&mut conn).await? else {
        return Ok(array(vec![]));
    };
    let sql = format!(
        "SELECT DISTINCT e.id FROM entities e JOIN tasks t ON t.entity_id = e.id \
         {ASSIGNED} WHERE e.entity_type_id = $3 AND e.project_id = $4"
    );
    let found = ids(&mut conn, &sql, &[user.id, open, asset_type, project]).await?;
    entity_list(&mut conn, found).await
}

/// The id of an entity type by name (Zou's `get_shot_type`, …); a nil id
/// when missing, which matches nothing.
fn type_id(types: &EntityTypes, name: &str) -> Uuid {
    types.id_of(name).unwrap_or_default()
}

/// GET /data/user/projects/{project_id}/sequences — sequences holding a
/// shot the caller has a task on.
async fn project_sequences(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let mut conn = s.db.conn().await?;
    let project = project_of(&mut conn, &id).await?;
    let Some(open) = open_status(&mut conn).await? else {
        return Ok(array(vec![]));
    };
    let types = EntityTypes::load(&mut conn).await?;
    let sql = format!(
        "SELECT DISTINCT sq.id FROM entities sq JOIN entities sh ON sh.parent_id = sq.id \
         JOIN tasks t ON t.entity_id = sh.id {ASSIGNED} \
         WHERE sh.entity_type_id = $3 AND sq.entity_type_id = $4 AND sq.project_id = $5"
    );
    let binds = [
        user.id,
        open,
        type_id(&types, "Shot"),
        type_id(&types, "Sequence"),
        project,
    ];
    let found = ids(&mut conn, &sql, &binds).await?;
    entity_list(&mut conn, found).await
}

/// GET /data/user/projects/{project_id}/episodes — episodes holding a shot
/// the caller has a task on.
async fn project_episodes(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let mut conn = s.db.conn().await?;
    let project = project_of(&mut conn, &id).await?;
    let Some(open) = open_status(&mut conn).await? else {
        return Ok(array(vec![]));
    };
    let types = EntityTypes::load(&mut conn).await?;
    let sql = format!(
        "SELECT DISTINCT ep.id FROM entities ep JOIN entities sq ON sq.parent_id = ep.id \
         JOIN entities sh ON sh.parent_id = sq.id JOIN tasks t ON t.entity_id = sh.id {ASSIGNED} \
         WHERE sh.entity_type_id = $3 AND sq.entity_type_id = $4 AND ep.entity_type_id = $5 \
         AND ep.project_id = $6"
    );
    let binds = [
        user.id,
        open,
        type_id(&types, "Shot"),
        type_id(&types, "Sequence"),
        type_id(&types, "Episode"),
        project,
    ];
    let found = ids(&mut conn, &sql, &binds).await?;
    entity_list(&mut conn, found).await
}

/// The children of one kind of a sequence the caller has a task on.
async fn sequence_children(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    kind: &str,
) -> ApiResult<Json<Value>> {
    let mut conn = state.db.conn().await?;
    let sequence = entity_of_kind(&mut conn, id, "Sequence").await?;
    let Some(open) = open_status(&mut conn).await? else {
        return Ok(array(vec![]));
    };
    let types = EntityTypes::load(&mut conn).await?;
    let sql = format!(
        "SELECT DISTINCT e.id FROM entities e JOIN tasks t ON t.entity_id = e.id {ASSIGNED} \
         WHERE e.entity_type_id = $3 AND e.parent_id = $4"
    );
    let found = ids(
        &mut conn,
        &sql,
        &[user.id, open, type_id(&types, kind), sequence],
    )
    .await?;
    entity_list(&mut conn, found).await
}

/// GET /data/user/sequences/{sequence_id}/shots
async fn sequence_shots(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    sequence_children(&s, &user, &id, "Shot").await
}

/// GET /data/user/sequences/{sequence_id}/scenes
async fn sequence_scenes(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    sequence_children(&s, &user, &id, "Scene").await
}

// ---------------------------------------------------------------------
// Open productions and the start-up context.

/// Zou's `get_open_projects`: every open production for an admin, those
/// whose team the caller is in for anyone else, each with its details
/// (descriptors narrowed on the role held there).
async fn open_project_rows(
    exec: &mut impl Exec,
    user: &CurrentUser,
    name: Option<&str>,
) -> ApiResult<Vec<Row>> {
    let Some(open) = open_status(exec).await? else {
        return Ok(vec![]);
    };
    let mut select = Select::default().eq("project_status_id", SqlValue::Uuid(open));
    if let Some(name) = name {
        select = select.eq("name", SqlValue::Text(name.to_owned()));
    }
    if !user.is_admin() {
        let mine = links::PROJECT_TEAM.lefts(exec, user.id).await?;
        select = select.filter(Filter::In(
            "id",
            mine.into_iter().map(SqlValue::Uuid).collect(),
        ));
    }
    let mut list = rows::list(exec, &models::PROJECT, &select, true).await?;
    project_details(exec, user, &mut list).await?;
    Ok(list)
}

/// `$1, $2, …` for `n` parameters.
fn marks(n: usize) -> String {
    (1..=n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn id_strings(v: Vec<Uuid>) -> Value {
    Value::Array(v.into_iter().map(|u| json!(u.to_string())).collect())
}

/// Zou's `serialize_projects_with_extra_data` for a list, one query per
/// kind of extra for the whole list: the relation lists, the descriptors
/// narrowed on the role held on each production, the task type and
/// status links, a TV show's first episode. The same answer as
/// `present::project_detail` row by row, without its status name.
async fn project_details(
    exec: &mut impl Exec,
    user: &CurrentUser,
    list: &mut [Row],
) -> ApiResult<()> {
    let projects: Vec<Uuid> = list.iter().map(id_of).collect();
    if projects.is_empty() {
        return Ok(());
    }
    for (key, link) in [
        ("team", links::PROJECT_TEAM),
        ("asset_types", links::PROJECT_ASSET_TYPES),
        ("task_statuses", links::PROJECT_TASK_STATUSES),
        ("task_types", links::PROJECT_TASK_TYPES),
        ("status_automations", links::PROJECT_STATUS_AUTOMATIONS),
        (
            "preview_background_files",
            links::PROJECT_PREVIEW_BACKGROUND_FILES,
        ),
    ] {
        let mut found = link.rights_of_many(exec, &projects).await?;
        for row in list.iter_mut() {
            let ids = found.remove(&id_of(row)).unwrap_or_default();
            row.insert(key.into(), id_strings(ids));
        }
    }
    // Who reads which descriptors: the role of the team link, else the
    // caller's own (an admin keeps his everywhere).
    let roles = if user.is_admin() {
        Map::new()
    } else {
        project_roles(exec, user).await?
    };
    let vendor_departments = links::PERSON_DEPARTMENTS.rights(exec, user.id).await?;
    let reader = |project: Uuid| {
        let role = roles
            .get(&project.to_string())
            .and_then(Value::as_str)
            .filter(|r| *r != "admin")
            .map_or(user.role, Role::parse);
        match role {
            Role::Client => present::DescriptorReader::Client,
            Role::Vendor => present::DescriptorReader::Vendor(vendor_departments.clone()),
            _ => present::DescriptorReader::All,
        }
    };
    let mut descriptors: HashMap<Uuid, Vec<Value>> = HashMap::new();
    for d in present::project_descriptors(exec, &projects).await? {
        if reader(d.project_id).reads(&d) {
            descriptors.entry(d.project_id).or_default().push(d.json);
        }
    }
    let mut type_links: HashMap<Uuid, Vec<(Uuid, Option<i64>)>> = HashMap::new();
    // A status's priority and the roles of its board, by production.
    type StatusOfProject = (Uuid, Option<i64>, Option<Value>);
    let mut status_links: HashMap<Uuid, Vec<StatusOfProject>> = HashMap::new();
    let mut first_episodes: HashMap<Uuid, Uuid> = HashMap::new();
    let episode_type = EntityTypes::load(exec).await?.id_of("Episode");
    for chunk in projects.chunks(500) {
        let sql = format!(
            "SELECT project_id, task_type_id, priority FROM project_task_type_link \
             WHERE project_id IN ({}) ORDER BY seq",
            marks(chunk.len())
        );
        let found: Vec<(Uuid, Uuid, Option<i64>)> = on!(exec, c => {
            let mut q = sqlx::query_as(&sql);
            for id in chunk {
                q = q.bind(*id);
            }
            q.fetch_all(&mut *c).await.map_err(StoreError::from)?
        });
        for (p, t, priority) in found {
            type_links.entry(p).or_default().push((t, priority));
        }
        let sql = format!(
            "SELECT project_id, task_status_id, priority, roles_for_board \
             FROM project_task_status_link WHERE project_id IN ({}) ORDER BY seq",
            marks(chunk.len())
        );
        type StatusLink = (Uuid, Uuid, Option<i64>, Option<sqlx::types::Json<Value>>);
        let found: Vec<StatusLink> = on!(exec, c => {
            let mut q = sqlx::query_as(&sql);
            for id in chunk {
                q = q.bind(*id);
            }
            q.fetch_all(&mut *c).await.map_err(StoreError::from)?
        });
        for (p, t, priority, roles) in found {
            status_links
                .entry(p)
                .or_default()
                .push((t, priority, roles.map(|j| j.0)));
        }
        if let Some(episode_type) = episode_type {
            let sql = format!(
                "SELECT project_id, id FROM entities WHERE entity_type_id = $1 \
                 AND status = 'running' AND project_id IN ({}) ORDER BY name, seq",
                (2..=chunk.len() + 1)
                    .map(|i| format!("${i}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            let found: Vec<(Uuid, Uuid)> = on!(exec, c => {
                let mut q = sqlx::query_as(&sql).bind(episode_type);
                for id in chunk {
                    q = q.bind(*id);
                }
                q.fetch_all(&mut *c).await.map_err(StoreError::from)?
            });
            for (p, e) in found {
                first_episodes.entry(p).or_insert(e);
            }
        }
    }
    for row in list.iter_mut() {
        let project = id_of(row);
        row.insert(
            "descriptors".into(),
            Value::Array(descriptors.remove(&project).unwrap_or_default()),
        );
        let mut links_map = Map::new();
        let mut priorities = Map::new();
        for (t, priority) in type_links.remove(&project).unwrap_or_default() {
            links_map.insert(
                t.to_string(),
                json!({"priority": priority, "hd_bitrate_compression": null,
                       "ld_bitrate_compression": null, "is_client_visible": true}),
            );
            priorities.insert(t.to_string(), json!(priority));
        }
        row.insert("task_type_links".into(), Value::Object(links_map));
        row.insert("task_types_priority".into(), Value::Object(priorities));
        let mut statuses = Map::new();
        for (t, priority, roles) in status_links.remove(&project).unwrap_or_default() {
            let roles = roles
                .unwrap_or_else(|| json!(["user", "admin", "supervisor", "manager", "vendor"]));
            statuses.insert(
                t.to_string(),
                json!({"priority": priority, "roles_for_board": roles, "is_client_allowed": null}),
            );
        }
        row.insert("task_statuses_link".into(), Value::Object(statuses));
        // Zou names a first episode only for a TV show that has a running
        // one: the first by name.
        if row.get("production_type").and_then(Value::as_str) == Some("tvshow") {
            if let Some(first) = first_episodes.get(&project) {
                row.insert("first_episode_id".into(), json!(first.to_string()));
            }
        }
    }
    Ok(())
}

/// GET /data/user/projects/open
async fn open_projects(
    State(s): State<AppState>,
    user: CurrentUser,
    query: QueryPairs,
) -> ApiResult<Json<Value>> {
    let mut conn = s.db.conn().await?;
    Ok(array(
        open_project_rows(&mut conn, &user, query.get("name")).await?,
    ))
}

/// Every row of a studio-wide model, in creation order.
async fn all_rows(
    exec: &mut impl Exec,
    model: &'static Model,
    relations: bool,
) -> ApiResult<Vec<Row>> {
    let mut list = rows::list(exec, model, &Select::default(), relations).await?;
    finish_rows(exec, model, &mut list, relations).await?;
    Ok(list)
}

/// The people the context lists: a client meets the teams of his open
/// productions (by name), a manager reads everyone in full, anyone else
/// everyone in Zou's minimal form. Guests and preview accounts are left
/// out, as Zou's `get_persons` does.
async fn context_persons(exec: &mut impl Exec, user: &CurrentUser) -> ApiResult<Vec<Row>> {
    let select = Select::default()
        .eq("is_guest", SqlValue::Bool(false))
        .filter(Filter::IsNull("preview_project_id"));
    let mut list = rows::list(exec, &models::PERSON, &select, true).await?;
    // Everyone's departments in one query.
    let people: Vec<Uuid> = list.iter().map(id_of).collect();
    let mut departments = links::PERSON_DEPARTMENTS
        .rights_of_many(exec, &people)
        .await?;
    for row in &mut list {
        let theirs = departments.remove(&id_of(row)).unwrap_or_default();
        row.insert(
            "departments".into(),
            Value::Array(theirs.iter().map(|d| json!(d.to_string())).collect()),
        );
    }
    Ok(match user.role {
        Role::Client => {
            let team = crate::generic_crud::client_team(exec, user).await?;
            let mut met: Vec<Row> = list
                .iter()
                .filter(|p| team.contains(&id_of(p)))
                .map(present::client_person)
                .collect();
            met.sort_by(|a, b| {
                let name = |r: &Row| {
                    r.get("full_name")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_owned()
                };
                name(a).cmp(&name(b))
            });
            met
        }
        Role::Admin | Role::Manager => list,
        _ => list.iter().map(present::minimal_person).collect(),
    })
}

/// The role the caller's team links set, by production (Zou's
/// `get_project_roles`); productions where he keeps his own are absent.
async fn project_roles(exec: &mut impl Exec, user: &CurrentUser) -> ApiResult<Map<String, Value>> {
    let sql = "SELECT project_id, role FROM project_person_link \
               WHERE person_id = $1 AND role IS NOT NULL ORDER BY seq";
    let found: Vec<(Uuid, String)> = on!(exec, c => sqlx::query_as(sql)
        .bind(user.id)
        .fetch_all(&mut *c)
        .await
        .map_err(StoreError::from)?);
    Ok(found
        .into_iter()
        .map(|(p, r)| (p.to_string(), Value::String(r)))
        .collect())
}

/// GET /data/user/context — what Kitsu loads at start-up, in Zou's key
/// order. Fennec has no model yet of custom actions, studios, plugins or
/// notifications: those parts take Zou's empty value.
async fn context(State(s): State<AppState>, user: CurrentUser) -> ApiResult<Json<Value>> {
    let mut conn = s.db.conn().await?;
    let types = EntityTypes::load(&mut conn).await?;
    let select = Select::default().filter(Filter::In(
        "id",
        types
            .asset_type_ids()
            .into_iter()
            .map(SqlValue::Uuid)
            .collect(),
    ));
    let mut asset_types = rows::list(&mut conn, &models::ASSET_TYPE, &select, true).await?;
    // Their task types, in one query for all of them.
    let type_ids: Vec<Uuid> = asset_types.iter().map(id_of).collect();
    let mut task_types = links::ASSET_TYPE_TASK_TYPES
        .rights_of_many(&mut conn, &type_ids)
        .await?;
    for row in &mut asset_types {
        let theirs = task_types.remove(&id_of(row)).unwrap_or_default();
        row.insert("task_types".into(), id_strings(theirs));
    }
    let mut out = Map::new();
    out.insert("asset_types".into(), rows_value(asset_types));
    out.insert("custom_actions".into(), json!([]));
    let automations = all_rows(&mut conn, &models::STATUS_AUTOMATION, false).await?;
    out.insert("status_automations".into(), rows_value(automations));
    let departments = all_rows(&mut conn, &models::DEPARTMENT, false).await?;
    out.insert("departments".into(), rows_value(departments));
    out.insert("studios".into(), json!([]));
    out.insert("notification_count".into(), json!(0));
    out.insert(
        "persons".into(),
        rows_value(context_persons(&mut conn, &user).await?),
    );
    let statuses = all_rows(&mut conn, &models::PROJECT_STATUS, false).await?;
    out.insert("project_status".into(), rows_value(statuses));
    out.insert(
        "project_roles".into(),
        Value::Object(project_roles(&mut conn, &user).await?),
    );
    out.insert(
        "projects".into(),
        rows_value(open_project_rows(&mut conn, &user, None).await?),
    );
    let task_types = all_rows(&mut conn, &models::TASK_TYPE, false).await?;
    out.insert("task_types".into(), rows_value(task_types));
    let task_statuses = all_rows(&mut conn, &models::TASK_STATUS, false).await?;
    out.insert("task_status".into(), rows_value(task_statuses));
    out.insert(
        "search_filters".into(),
        Value::Object(filters_of(&mut conn, &user).await?),
    );
    out.insert(
        "search_filter_groups".into(),
        Value::Object(filter_groups_of(&mut conn, &user).await?),
    );
    let backgrounds = all_rows(&mut conn, &models::PREVIEW_BACKGROUND_FILE, false).await?;
    out.insert("preview_background_files".into(), rows_value(backgrounds));
    out.insert("plugins".into(), json!([]));
    if user.is_admin() {
        out.insert("user_limit".into(), json!(s.config.user_limit));
    }
    Ok(Json(Value::Object(out)))
}

fn rows_value(list: Vec<Row>) -> Value {
    Value::Array(list.into_iter().map(Value::Object).collect())
}

// ---------------------------------------------------------------------
// Tasks to check (My Checks).

/// Which tasks a caller checks (Zou's `_get_tasks_to_check_scope`, on the
/// global role): an admin every open production's, a manager his open
/// productions', a supervisor those of his departments there; anyone
/// else none.
enum CheckScope {
    All,
    Projects(Vec<Uuid>, Vec<Uuid>),
    Nothing,
}

/// Open productions whose team the caller is in (Zou's `related_projects`).
async fn related_projects(exec: &mut impl Exec, user: &CurrentUser) -> ApiResult<Vec<Uuid>> {
    let Some(open) = open_status(exec).await? else {
        return Ok(vec![]);
    };
    let sql =
        "SELECT DISTINCT p.id FROM projects p JOIN project_person_link l ON l.project_id = p.id \
               WHERE l.person_id = $1 AND p.project_status_id = $2";
    ids(exec, sql, &[user.id, open]).await
}

async fn check_scope(exec: &mut impl Exec, user: &CurrentUser) -> ApiResult<CheckScope> {
    Ok(match user.role {
        Role::Admin => CheckScope::All,
        Role::Manager => CheckScope::Projects(related_projects(exec, user).await?, vec![]),
        Role::Supervisor => CheckScope::Projects(
            related_projects(exec, user).await?,
            links::PERSON_DEPARTMENTS.rights(exec, user.id).await?,
        ),
        _ => CheckScope::Nothing,
    })
}

/// The query arguments of the tasks-to-check route, checked as Zou checks
/// them before running anything.
struct CheckArgs {
    project_id: Option<Uuid>,
    task_type_id: Option<Uuid>,
    task_status_id: Option<Uuid>,
    person: Option<Vec<Uuid>>,
    unassigned: bool,
    episode_id: Option<Uuid>,
    due_since: Option<chrono::NaiveDateTime>,
    due_until: Option<chrono::NaiveDateTime>,
    order_by: Option<String>,
    page: Option<i64>,
    limit: i64,
}

fn wrong_uuid(v: &str) -> ApiResult<Uuid> {
    // Zou's `check_id_parameter`: the hyphenated form only.
    let ok = v.len() == 36 && v.chars().filter(|c| *c == '-').count() == 4;
    ok.then(|| Uuid::parse_str(v).ok())
        .flatten()
        .ok_or_else(|| ApiError::bad_request("Wrong UUID format."))
}

fn check_date(v: Option<&str>) -> ApiResult<Option<chrono::NaiveDateTime>> {
    let Some(v) = v else { return Ok(None) };
    let parsed = chrono::NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S")
        .ok()
        .or_else(|| {
            chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
                .ok()
                .map(|d| d.and_time(chrono::NaiveTime::MIN))
        });
    parsed.map(Some).ok_or_else(|| {
        ApiError::bad_request(
            "Wrong date format for before argument.Expected format: 2020-01-05T13:23:10 or 2020-01-05",
        )
    })
}

fn int_arg(query: &QueryPairs, key: &str) -> ApiResult<Option<i64>> {
    query
        .get(key)
        .map(|v| {
            v.trim()
                .parse::<i64>()
                .map_err(|_| ApiError::bad_request(format!("Wrong value for parameter {key}.")))
        })
        .transpose()
}

impl CheckArgs {
    /// No filter: every task of the caller's scope.
    fn none() -> CheckArgs {
        CheckArgs {
            project_id: None,
            task_type_id: None,
            task_status_id: None,
            person: None,
            unassigned: false,
            episode_id: None,
            due_since: None,
            due_until: None,
            order_by: None,
            page: None,
            limit: 100,
        }
    }

    fn read(query: &QueryPairs) -> ApiResult<CheckArgs> {
        let page = int_arg(query, "page")?;
        let limit = int_arg(query, "limit")?.unwrap_or(100);
        let id = |key: &str| query.get(key).map(wrong_uuid).transpose();
        let project_id = id("project_id")?;
        let task_type_id = id("task_type_id")?;
        let task_status_id = id("task_status_id")?;
        let episode_id = id("episode_id")?;
        let (mut person, mut unassigned) = (None, false);
        match query.get("person_id") {
            None => {}
            Some("unassigned") => unassigned = true,
            Some(list) => person = Some(list.split(',').map(wrong_uuid).collect::<ApiResult<_>>()?),
        }
        Ok(CheckArgs {
            project_id,
            task_type_id,
            task_status_id,
            person,
            unassigned,
            episode_id,
            due_since: check_date(query.get("due_date_since"))?,
            due_until: check_date(query.get("due_date_until"))?,
            order_by: query.get("order_by").map(str::to_owned),
            page,
            limit,
        })
    }
}

/// What Zou's tasks-to-check query sorts and sums on, per task: its id,
/// the names of its production, episode, sequence, entity type, entity
/// and task type (the joins' own, as Zou's `ORDER BY` reads them), its
/// priority, due date, estimation and duration.
type CheckRow = (
    Uuid,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<chrono::NaiveDateTime>,
    Option<f64>,
    Option<f64>,
);

/// The tasks waiting for feedback that `scope` and `args` select, in one
/// query, with their sort keys (see [`CheckRow`]).
async fn tasks_to_check_rows(
    exec: &mut impl Exec,
    scope: &CheckScope,
    args: &CheckArgs,
) -> ApiResult<Vec<CheckRow>> {
    let mut sql = String::from(
        "SELECT t.id, p.name, ep.name, sq.name, et.name, e.name, tt.name, \
         CAST(t.priority AS BIGINT), t.due_date, CAST(t.estimation AS DOUBLE PRECISION), \
         CAST(t.duration AS DOUBLE PRECISION) \
         FROM tasks t JOIN projects p ON p.id = t.project_id \
         JOIN task_types tt ON tt.id = t.task_type_id \
         JOIN task_statuses ts ON ts.id = t.task_status_id \
         JOIN entities e ON e.id = t.entity_id \
         JOIN entity_types et ON et.id = e.entity_type_id \
         LEFT JOIN entities sq ON sq.id = e.parent_id \
         LEFT JOIN entities ep ON ep.id = sq.parent_id \
         WHERE ts.is_feedback_request = TRUE",
    );
    let mut binds: Vec<Uuid> = Vec::new();
    let mut push = |sql: &mut String, clause: &str, values: &[Uuid]| {
        let mut clause = clause.to_owned();
        for v in values {
            binds.push(*v);
            clause = clause.replacen("?", &format!("${}", binds.len()), 1);
        }
        sql.push_str(&clause);
    };
    let list = |n: usize| vec!["?"; n].join(", ");
    match scope {
        CheckScope::All => {
            let open = open_status(exec).await?.unwrap_or_default();
            push(&mut sql, " AND p.project_status_id = ?", &[open]);
        }
        CheckScope::Projects(projects, departments) => {
            if projects.is_empty() {
                return Ok(vec![]);
            }
            push(
                &mut sql,
                &format!(" AND p.id IN ({})", list(projects.len())),
                projects,
            );
            if !departments.is_empty() {
                push(
                    &mut sql,
                    &format!(" AND tt.department_id IN ({})", list(departments.len())),
                    departments,
                );
            }
        }
        CheckScope::Nothing => return Ok(vec![]),
    }
    if let Some(v) = args.project_id {
        push(&mut sql, " AND p.id = ?", &[v]);
    }
    if let Some(v) = args.task_type_id {
        push(&mut sql, " AND tt.id = ?", &[v]);
    }
    if let Some(v) = args.task_status_id {
        push(&mut sql, " AND ts.id = ?", &[v]);
    }
    if args.unassigned {
        sql.push_str(" AND NOT EXISTS (SELECT 1 FROM assignations a WHERE a.task_id = t.id)");
    }
    if let Some(people) = &args.person {
        push(
            &mut sql,
            &format!(
                " AND EXISTS (SELECT 1 FROM assignations a WHERE a.task_id = t.id AND a.person_id IN ({}))",
                list(people.len())
            ),
            people,
        );
    }
    if let Some(ep) = args.episode_id {
        // Every way a row resolves its episode: the sequence's parent, an
        // episode-scoped entity (source_id), a sequence-level task.
        push(
            &mut sql,
            " AND (ep.id = ? OR e.source_id = ? OR e.parent_id = ?)",
            &[ep, ep, ep],
        );
    }
    let dates = due_clauses(args, binds.len());
    sql.push_str(&dates);
    let found = on!(exec, c => {
        let mut q = sqlx::query_as::<_, CheckRow>(&sql);
        for b in &binds {
            q = q.bind(*b);
        }
        // Dates are bound after the ids, in the order they were added.
        if let Some(d) = args.due_since {
            q = q.bind(d);
        }
        if let Some(d) = args.due_until {
            q = q.bind(d);
        }
        q.fetch_all(&mut *c).await.map_err(StoreError::from)?
    });
    Ok(found)
}

/// The due-date clauses, appended last so their parameters follow the
/// ids' (see [`tasks_to_check_rows`]).
fn due_clauses(args: &CheckArgs, first: usize) -> String {
    let mut n = first;
    let mut out = String::new();
    if args.due_since.is_some() {
        n += 1;
        out.push_str(&format!(" AND t.due_date >= ${n}"));
    }
    if args.due_until.is_some() {
        n += 1;
        out.push_str(&format!(" AND t.due_date <= ${n}"));
    }
    out
}

/// The sort keys of Zou's orderings (`order_by`, else the names), the
/// task's id last.
fn sort_key(row: &CheckRow, order_by: Option<&str>) -> Vec<SortValue> {
    let text = |v: &Option<String>| v.clone().map_or(SortValue::Null, SortValue::Text);
    let desc = |v: Option<f64>| v.map_or(SortValue::Null, |f| SortValue::Num(-f));
    let due = row.8.map_or(SortValue::Null, |d| {
        SortValue::Text(d.format("%Y-%m-%dT%H:%M:%S").to_string())
    });
    let names = vec![
        text(&row.1),
        text(&row.2),
        text(&row.3),
        text(&row.4),
        text(&row.5),
        text(&row.6),
    ];
    let mut key = match order_by {
        Some("priority") => {
            let mut k = vec![desc(row.7.map(|p| p as f64)), due];
            k.extend(names);
            k
        }
        Some("due_date") => {
            let mut k = vec![due];
            k.extend(names);
            k
        }
        Some("estimation") => {
            let mut k = vec![desc(row.9)];
            k.extend(names);
            k
        }
        Some("entity_name") => vec![
            text(&row.1),
            text(&row.6),
            text(&row.2),
            text(&row.3),
            text(&row.5),
        ],
        _ => names,
    };
    key.push(SortValue::Text(row.0.to_string()));
    key
}

/// A sort value with PostgreSQL's ascending order: nulls last.
#[derive(PartialEq, PartialOrd)]
enum SortValue {
    Num(f64),
    Text(String),
    Null,
}

/// GET /data/user/tasks-to-check — the tasks waiting for the caller's
/// feedback; with `page`, Zou's envelope with stats.
async fn tasks_to_check(
    State(s): State<AppState>,
    user: CurrentUser,
    query: QueryPairs,
) -> ApiResult<Json<Value>> {
    let args = CheckArgs::read(&query)?;
    let mut conn = s.db.conn().await?;
    let scope = check_scope(&mut conn, &user).await?;
    let mut found = tasks_to_check_rows(&mut conn, &scope, &args).await?;
    // Zou's unpaged, unordered list has no order of its own: creation's.
    if args.page.is_some() || args.order_by.is_some() {
        found.sort_by(|a, b| {
            sort_key(a, args.order_by.as_deref())
                .partial_cmp(&sort_key(b, args.order_by.as_deref()))
                .unwrap_or(std::cmp::Ordering::Equal)
        });
    }
    let total = found.len() as i64;
    // Zou's sums fall back to 0 when falsy (`sum or 0`): no value, or a
    // total of 0.0, is the integer 0; any other total a float.
    let sum = |total: f64| -> Value {
        if total == 0.0 {
            json!(0)
        } else {
            json!(total)
        }
    };
    let total_duration = sum(found.iter().filter_map(|r| r.10).sum());
    let total_estimation = sum(found.iter().filter_map(|r| r.9).sum());
    let (page, limit) = (args.page.map(|p| p.max(1)), args.limit.max(1));
    let chosen: Vec<Uuid> = match page {
        Some(page) => found
            .iter()
            .skip(((page - 1) * limit) as usize)
            .take(limit as usize)
            .map(|r| r.0)
            .collect(),
        None => found.iter().map(|r| r.0).collect(),
    };
    // Only the rows shown are built, in the order chosen.
    let data = todo_rows_for(&s, &mut conn, &chosen).await?;
    let Some(page) = page else {
        return Ok(Json(data));
    };
    Ok(Json(json!({
        "data": data,
        "stats": {
            "total": total,
            "total_duration": total_duration,
            "total_estimation": total_estimation,
        },
        "page": page,
        "limit": limit,
        "is_more": page * limit < total,
    })))
}

/// Zou's to-do rows of these tasks, in this order.
async fn todo_rows_for(state: &AppState, conn: &mut impl Exec, tasks: &[Uuid]) -> ApiResult<Value> {
    let mut list = Vec::new();
    for chunk in tasks.chunks(1000) {
        list.extend(rows_by_ids(conn, TASK, chunk.to_vec()).await?);
    }
    let position: HashMap<Uuid, usize> = tasks.iter().enumerate().map(|(i, t)| (*t, i)).collect();
    list.sort_by_key(|r| position.get(&id_of(r)).copied().unwrap_or(usize::MAX));
    let mut lookups = Lookups::cached(state, conn).await?;
    lookups
        .preload_projects(
            conn,
            list.iter().filter_map(|t| uuid_field(t, "project_id")),
        )
        .await?;
    let batch = Batch::load(conn, &mut lookups, &list, Flavour::Todo).await?;
    Ok(Value::Array(
        list.into_iter()
            .map(|r| Value::Object(todo_row(&lookups, &batch, r, Flavour::Todo)))
            .collect(),
    ))
}

/// GET /data/user/tasks-to-check/filter-values — the productions, task
/// types, statuses, episodes and assignees found among the tasks the
/// caller checks, each as sorted ids (Kitsu's My Checks filters).
async fn tasks_to_check_filter_values(
    State(s): State<AppState>,
    user: CurrentUser,
) -> ApiResult<Json<Value>> {
    let mut conn = s.db.conn().await?;
    let scope = check_scope(&mut conn, &user).await?;
    let found: Vec<Uuid> = tasks_to_check_rows(&mut conn, &scope, &CheckArgs::none())
        .await?
        .into_iter()
        .map(|r| r.0)
        .collect();
    let types = EntityTypes::load(&mut conn).await?;
    let sequence_type = type_id(&types, "Sequence");
    let mut sets: [std::collections::BTreeSet<String>; 5] = Default::default();
    type ValueRow = (
        Uuid,
        Uuid,
        Uuid,
        Option<Uuid>,
        Option<Uuid>,
        Option<Uuid>,
        Uuid,
    );
    for chunk in found.chunks(500) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT t.project_id, t.task_type_id, t.task_status_id, ep.id, e.source_id, \
             e.parent_id, e.entity_type_id FROM tasks t JOIN entities e ON e.id = t.entity_id \
             LEFT JOIN entities sq ON sq.id = e.parent_id \
             LEFT JOIN entities ep ON ep.id = sq.parent_id WHERE t.id IN ({})",
            marks.join(", ")
        );
        let rows: Vec<ValueRow> = on!(&mut conn, c => {
            let mut q = sqlx::query_as(&sql);
            for id in chunk {
                q = q.bind(*id);
            }
            q.fetch_all(&mut *c).await.map_err(StoreError::from)?
        });
        for (project, task_type, status, episode, source, parent, kind) in rows {
            sets[0].insert(project.to_string());
            sets[1].insert(task_type.to_string());
            sets[2].insert(status.to_string());
            // The episode as the rows show it: the sequence's parent, else
            // the entity's source, and a sequence's own parent.
            let mut episode = episode.or(source);
            if kind == sequence_type && parent.is_some() {
                episode = parent;
            }
            if let Some(e) = episode {
                sets[3].insert(e.to_string());
            }
        }
        let sql = format!(
            "SELECT DISTINCT person_id FROM assignations WHERE task_id IN ({})",
            marks.join(", ")
        );
        let people = ids(&mut conn, &sql, chunk).await?;
        sets[4].extend(people.iter().map(Uuid::to_string));
    }
    let keys = [
        "project_ids",
        "task_type_ids",
        "task_status_ids",
        "episode_ids",
        "person_ids",
    ];
    let mut out = Map::new();
    for (key, set) in keys.into_iter().zip(sets) {
        out.insert(key.into(), json!(set.into_iter().collect::<Vec<_>>()));
    }
    Ok(Json(Value::Object(out)))
}

// ---------------------------------------------------------------------
// Time spents.

/// GET /data/user/time-spents — with `start_date` and `end_date`, the
/// caller's time spents over the range with their task's production and
/// type. Without them Zou compares the date with NULL: always `[]`.
async fn time_spents(
    State(s): State<AppState>,
    user: CurrentUser,
    query: QueryPairs,
) -> ApiResult<Json<Value>> {
    let start = query.get("start_date").filter(|v| !v.is_empty());
    let end = query.get("end_date").filter(|v| !v.is_empty());
    let (start_raw, end_raw) = match (start, end) {
        (None, None) => return Ok(array(vec![])),
        (Some(a), Some(b)) => (a, b),
        _ => {
            return Err(ApiError::bad_request(
                "If querying for a range of dates, both a `start_date` and an `end_date` must be given.",
            ))
        }
    };
    let bad = || {
        ApiError::bad_request(format!(
            "Wrong date format for {start_raw} and/or {end_raw}"
        ))
    };
    let start = day(start_raw).map_err(|_| bad())?;
    let end = day(end_raw).map_err(|_| bad())?;
    let mut conn = s.db.conn().await?;
    let sql = "SELECT ts.id, t.project_id, t.task_type_id FROM time_spents ts \
               JOIN tasks t ON t.id = ts.task_id \
               WHERE ts.person_id = $1 AND ts.date BETWEEN $2 AND $3 ORDER BY ts.seq";
    let found: Vec<(Uuid, Uuid, Uuid)> = on!(&mut conn, c => sqlx::query_as(sql)
        .bind(user.id)
        .bind(start)
        .bind(end)
        .fetch_all(&mut *c)
        .await
        .map_err(StoreError::from)?);
    let extra: HashMap<Uuid, (Uuid, Uuid)> =
        found.iter().map(|(id, p, t)| (*id, (*p, *t))).collect();
    let list = rows_by_ids(
        &mut conn,
        &models::TIME_SPENT,
        found.iter().map(|f| f.0).collect(),
    )
    .await?;
    Ok(array(
        list.into_iter()
            .map(|mut r| {
                if let Some((p, t)) = extra.get(&id_of(&r)) {
                    r.insert("project_id".into(), json!(p.to_string()));
                    r.insert("task_type_id".into(), json!(t.to_string()));
                }
                r
            })
            .collect(),
    ))
}

/// A day as Zou's PostgreSQL casts it: ISO (a datetime's day too) or the
/// compact `YYYYMMDD`.
fn day(date: &str) -> ApiResult<chrono::NaiveDate> {
    fennec_api::time::parse_date(date)
        .or_else(|| chrono::NaiveDate::parse_from_str(date, "%Y%m%d").ok())
        .ok_or_else(|| ApiError::bad_request("Wrong date format."))
}

/// GET /data/user/time-spents/{date}
async fn date_time_spents(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(date): Path<String>,
) -> ApiResult<Json<Value>> {
    let date = day(&date)?;
    let mut conn = s.db.conn().await?;
    let select = Select::default()
        .eq("person_id", SqlValue::Uuid(user.id))
        .eq("date", SqlValue::Date(date));
    Ok(array(
        rows::list(&mut conn, &models::TIME_SPENT, &select, false).await?,
    ))
}

/// GET /data/user/tasks/{task_id}/time-spents/{date} — the caller's time
/// on the task that day, or `null`.
async fn task_time_spent(
    State(s): State<AppState>,
    user: CurrentUser,
    Path((task, date)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let task = path_id(&task)?;
    let date = day(&date)?;
    let mut conn = s.db.conn().await?;
    let select = Select::default()
        .eq("person_id", SqlValue::Uuid(user.id))
        .eq("task_id", SqlValue::Uuid(task))
        .eq("date", SqlValue::Date(date));
    let found = rows::list(&mut conn, &models::TIME_SPENT, &select, false).await?;
    Ok(Json(
        found.into_iter().next().map_or(Value::Null, Value::Object),
    ))
}

// ---------------------------------------------------------------------
// Search filters and their groups.

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

async fn filters_of(exec: &mut impl Exec, user: &CurrentUser) -> ApiResult<Map<String, Value>> {
    grouped(exec, user, &models::SEARCH_FILTER, false).await
}

async fn filter_groups_of(
    exec: &mut impl Exec,
    user: &CurrentUser,
) -> ApiResult<Map<String, Value>> {
    // Zou orders the groups by creation, newest first.
    grouped(exec, user, &models::SEARCH_FILTER_GROUP, true).await
}

/// GET /data/user/filters
async fn filters(State(s): State<AppState>, user: CurrentUser) -> ApiResult<Json<Value>> {
    let mut conn = s.db.conn().await?;
    Ok(Json(Value::Object(filters_of(&mut conn, &user).await?)))
}

/// GET /data/user/filter-groups
async fn filter_groups(State(s): State<AppState>, user: CurrentUser) -> ApiResult<Json<Value>> {
    let mut conn = s.db.conn().await?;
    Ok(Json(Value::Object(
        filter_groups_of(&mut conn, &user).await?,
    )))
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

fn column(model: &'static Model, name: &str) -> &'static models::Column {
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

/// POST /data/user/filters
async fn new_filter(
    State(s): State<AppState>,
    user: CurrentUser,
    SchemaBody(body): SchemaBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    use FieldKind::*;
    let data = schema(
        &body,
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
    let mut tx = s.db.begin().await?;
    let mut is_shared = data
        .get("is_shared")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if !can_share(&mut tx, &user, project).await? {
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
    Ok((StatusCode::CREATED, Json(Value::Object(row))))
}

/// Zou's `_get_own_or_as_admin`: the caller's own row, or anyone's for an
/// admin; 404 otherwise.
async fn own_row(
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

/// PUT /data/user/filters/{filter_id}
async fn update_filter(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    SchemaBody(body): SchemaBody,
) -> ApiResult<Json<Value>> {
    use FieldKind::*;
    let data = schema(
        &body,
        &[
            ("name", OptText),
            ("search_query", OptText),
            ("search_filter_group_id", OptText),
            ("is_shared", OptBool),
            ("project_id", OptText),
            ("department_id", OptText),
        ],
    )?;
    let mut tx = s.db.begin().await?;
    let m = &models::SEARCH_FILTER;
    let row = own_row(&mut tx, &user, m, &id).await?;
    let department = body_id(&data, "department_id")?;
    check_department(&mut tx, department).await?;
    let is_shared = allowed_sharing(&mut tx, &user, &data, &row).await?;
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
    Ok(Json(Value::Object(row)))
}

/// DELETE /data/user/filters/{filter_id}
async fn remove_filter(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let mut tx = s.db.begin().await?;
    let row = own_row(&mut tx, &user, &models::SEARCH_FILTER, &id).await?;
    rows::delete(&mut tx, &models::SEARCH_FILTER, id_of(&row)).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// POST /data/user/filter-groups
async fn new_filter_group(
    State(s): State<AppState>,
    user: CurrentUser,
    SchemaBody(body): SchemaBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    use FieldKind::*;
    let data = schema(
        &body,
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
    let mut tx = s.db.begin().await?;
    let mut is_shared = data
        .get("is_shared")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if !can_share(&mut tx, &user, project).await? {
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
    Ok((StatusCode::CREATED, Json(Value::Object(row))))
}

/// GET /data/user/filter-groups/{filter_group_id}
async fn filter_group(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let mut conn = s.db.conn().await?;
    let row = own_row(&mut conn, &user, &models::SEARCH_FILTER_GROUP, &id).await?;
    Ok(Json(Value::Object(row)))
}

/// PUT /data/user/filter-groups/{filter_group_id} — a change of sharing
/// carries over to the group's filters, which must stay as shared as
/// their group.
async fn update_filter_group(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    SchemaBody(body): SchemaBody,
) -> ApiResult<Json<Value>> {
    use FieldKind::*;
    let data = schema(
        &body,
        &[
            ("name", OptText),
            ("color", OptText),
            ("is_shared", OptBool),
            ("project_id", OptText),
            ("department_id", OptText),
        ],
    )?;
    let mut tx = s.db.begin().await?;
    let m = &models::SEARCH_FILTER_GROUP;
    let row = own_row(&mut tx, &user, m, &id).await?;
    let is_shared = allowed_sharing(&mut tx, &user, &data, &row).await?;
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
    Ok(Json(Value::Object(row)))
}

/// DELETE /data/user/filter-groups/{filter_group_id} — with its filters,
/// whoever owns them.
async fn remove_filter_group(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let mut tx = s.db.begin().await?;
    let row = own_row(&mut tx, &user, &models::SEARCH_FILTER_GROUP, &id).await?;
    let group = id_of(&row);
    on!(&mut tx, c => sqlx::query("DELETE FROM search_filters WHERE search_filter_group_id = $1")
        .bind(group)
        .execute(&mut *c)
        .await
        .map_err(StoreError::from)?
        .rows_affected());
    rows::delete(&mut tx, &models::SEARCH_FILTER_GROUP, group).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------------
// Desktop login logs.

/// GET /data/user/desktop-login-logs — newest first.
async fn desktop_login_logs(
    State(s): State<AppState>,
    user: CurrentUser,
) -> ApiResult<Json<Value>> {
    let mut conn = s.db.conn().await?;
    let select = Select::default().eq("person_id", SqlValue::Uuid(user.id));
    let mut list = rows::list(&mut conn, &models::DESKTOP_LOGIN_LOG, &select, false).await?;
    // Zou's datetimes sort as their text does; newest first, ties in
    // creation order.
    list.reverse();
    list.sort_by(|a, b| {
        let date = |r: &Row| {
            r.get("date")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned()
        };
        date(b).cmp(&date(a))
    });
    Ok(array(list))
}

/// POST /data/user/desktop-login-logs — `date` from the body or the query
/// (now when absent); the person's last presence follows, as in Zou.
async fn new_desktop_login_log(
    State(s): State<AppState>,
    user: CurrentUser,
    query: QueryPairs,
    SchemaBody(body): SchemaBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let given = query
        .get("date")
        .map(|v| Value::String(v.to_owned()))
        .or_else(|| body.get("date").cloned());
    let date = match given {
        None | Some(Value::Null) => fennec_api::time::now(),
        Some(Value::String(v)) => fennec_api::time::parse_datetime(&v)
            .ok_or_else(|| ApiError::bad_request("Wrong date format."))?,
        Some(_) => return Err(ApiError::bad_request("Wrong date format.")),
    };
    let mut tx = s.db.begin().await?;
    let m = &models::DESKTOP_LOGIN_LOG;
    let row = rows::insert(
        &mut tx,
        m,
        vec![
            (column(m, "person_id"), SqlValue::Uuid(user.id)),
            (column(m, "date"), SqlValue::DateTime(date)),
        ],
    )
    .await?;
    update_last_presence(&mut tx, user.id).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Value::Object(row))))
}

/// Zou's `update_person_last_presence`: the later of the last desktop
/// login's day and the last time spent's.
async fn update_last_presence(exec: &mut impl Exec, person: Uuid) -> ApiResult<()> {
    let login: Option<chrono::NaiveDateTime> = on!(exec, c => sqlx::query_scalar(
        "SELECT MAX(date) FROM desktop_login_logs WHERE person_id = $1")
        .bind(person)
        .fetch_one(&mut *c)
        .await
        .map_err(StoreError::from)?);
    let spent: Option<chrono::NaiveDate> = on!(exec, c => sqlx::query_scalar(
        "SELECT MAX(date) FROM time_spents WHERE person_id = $1")
        .bind(person)
        .fetch_one(&mut *c)
        .await
        .map_err(StoreError::from)?);
    let last = [login.map(|d| d.date()), spent].into_iter().flatten().max();
    let value = last.map_or(SqlValue::Null(models::Kind::Date), SqlValue::Date);
    rows::update(
        exec,
        &models::PERSON,
        person,
        vec![(column(&models::PERSON, "last_presence"), value)],
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nulls_sort_last_as_postgresql_does() {
        let mut v = [
            SortValue::Null,
            SortValue::Text("b".into()),
            SortValue::Text("a".into()),
        ];
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        assert!(v[0] == SortValue::Text("a".into()));
        assert!(v[2] == SortValue::Null);
    }
}
