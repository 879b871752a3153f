//! The caller's open productions with their details, and the context
//! Kitsu's front end loads at start-up (Zou's `user` blueprint,
//! `/data/user/projects/open` and `/data/user/context`); with the
//! set-based reads the blueprint's lists share.

use std::collections::HashMap;

use fennec_api::models::{self, Model};
use fennec_store::db::Exec;
use fennec_store::links;
use fennec_store::rows::{self, Filter, Row, Select};
use fennec_store::{on, SqlValue, StoreError};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::auth::user::Role;
use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::generic_crud::finish_rows;
use crate::present::{self, id_of, EntityTypes};
use crate::search_filters;

// ---------------------------------------------------------------------
// Set-based reads of the caller's assigned work.

/// The ids one query returns, its `$n` parameters bound in order.
pub(crate) async fn ids(exec: &mut impl Exec, sql: &str, binds: &[Uuid]) -> ApiResult<Vec<Uuid>> {
    Ok(on!(exec, c => {
        let mut q = sqlx::query_scalar::<_, Uuid>(sql);
        for b in binds {
            q = q.bind(*b);
        }
        q.fetch_all(&mut *c).await.map_err(StoreError::from)?
    }))
}

/// Zou's open-project filter: the status named "Open".
pub(crate) async fn open_status(exec: &mut impl Exec) -> ApiResult<Option<Uuid>> {
    Ok(fennec_store::defaults::project_status_id(exec, "Open").await?)
}

/// Rows of `model` with these ids, in creation order.
pub(crate) async fn rows_by_ids(
    exec: &mut impl Exec,
    model: &Model,
    ids: Vec<Uuid>,
) -> ApiResult<Vec<Row>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let select = Select::default().filter(Filter::In(
        "id",
        ids.into_iter().map(SqlValue::Uuid).collect(),
    ));
    Ok(rows::list(exec, model, &select, false).await?)
}

// ---------------------------------------------------------------------
// Open productions and the start-up context.

/// Zou's `get_open_projects`: every open production for an admin, those
/// whose team the caller is in for anyone else, each with its details
/// (descriptors narrowed on the role held there).
pub(crate) async fn open_project_rows(
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

/// Zou's start-up context, in its key order. Fennec has no model yet of
/// custom actions, studios, plugins or notifications: those parts take
/// Zou's empty value. `user_limit` is shown to admins only.
pub(crate) async fn context(
    exec: &mut impl Exec,
    user: &CurrentUser,
    user_limit: i64,
) -> ApiResult<Value> {
    let types = EntityTypes::load(exec).await?;
    let select = Select::default().filter(Filter::In(
        "id",
        types
            .asset_type_ids()
            .into_iter()
            .map(SqlValue::Uuid)
            .collect(),
    ));
    let mut asset_types = rows::list(exec, &models::ASSET_TYPE, &select, true).await?;
    // Their task types, in one query for all of them.
    let type_ids: Vec<Uuid> = asset_types.iter().map(id_of).collect();
    let mut task_types = links::ASSET_TYPE_TASK_TYPES
        .rights_of_many(exec, &type_ids)
        .await?;
    for row in &mut asset_types {
        let theirs = task_types.remove(&id_of(row)).unwrap_or_default();
        row.insert("task_types".into(), id_strings(theirs));
    }
    let mut out = Map::new();
    out.insert("asset_types".into(), rows_value(asset_types));
    out.insert("custom_actions".into(), json!([]));
    let automations = all_rows(exec, &models::STATUS_AUTOMATION, false).await?;
    out.insert("status_automations".into(), rows_value(automations));
    let departments = all_rows(exec, &models::DEPARTMENT, false).await?;
    out.insert("departments".into(), rows_value(departments));
    out.insert("studios".into(), json!([]));
    out.insert(
        "notification_count".into(),
        json!(crate::notifications::unread_count(exec, user).await?),
    );
    out.insert(
        "persons".into(),
        rows_value(context_persons(exec, user).await?),
    );
    let statuses = all_rows(exec, &models::PROJECT_STATUS, false).await?;
    out.insert("project_status".into(), rows_value(statuses));
    out.insert(
        "project_roles".into(),
        Value::Object(project_roles(exec, user).await?),
    );
    out.insert(
        "projects".into(),
        rows_value(open_project_rows(exec, user, None).await?),
    );
    let task_types = all_rows(exec, &models::TASK_TYPE, false).await?;
    out.insert("task_types".into(), rows_value(task_types));
    let task_statuses = all_rows(exec, &models::TASK_STATUS, false).await?;
    out.insert("task_status".into(), rows_value(task_statuses));
    out.insert(
        "search_filters".into(),
        Value::Object(search_filters::filters_of(exec, user).await?),
    );
    out.insert(
        "search_filter_groups".into(),
        Value::Object(search_filters::filter_groups_of(exec, user).await?),
    );
    let backgrounds = all_rows(exec, &models::PREVIEW_BACKGROUND_FILE, false).await?;
    out.insert("preview_background_files".into(), rows_value(backgrounds));
    out.insert("plugins".into(), json!([]));
    if user.is_admin() {
        out.insert("user_limit".into(), json!(user_limit));
    }
    Ok(Value::Object(out))
}

fn rows_value(list: Vec<Row>) -> Value {
    Value::Array(list.into_iter().map(Value::Object).collect())
}
