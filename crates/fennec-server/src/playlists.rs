//! Zou's playlists, playlist builds and playlist sharing services: the
//! rights on a playlist (read, update, builds), what the generic CRUD of
//! `/data/playlists` adds to its rows, the lists of a production and of an
//! episode, a playlist with its previews, entries added under the playlist
//! lock, build jobs, temporary playlists, client notifications and share
//! links. The routes are in routes/playlists.rs (Zou's playlists
//! blueprint) and generic_crud.rs (Zou's crud blueprint).
//!
//! Policy: every write runs in one transaction with its events
//! (`playlist:add_entity`, `build-job:*`, the CRUD's `playlist:*`).
//! Zou serialises entry additions with a Redis lock; Fennec's writes take
//! the playlist's row first (`UPDATE ... SET updated_at`), which queues
//! concurrent additions on both databases.
//!
//! Movie builds start and end here; the concatenation between the two is
//! playlist_movie.rs's.

use std::collections::HashMap;

use fennec_api::models;
use fennec_store::db::Exec;
use fennec_store::playlists as store;
use fennec_store::rows::{self, Filter, Row, Select};
use fennec_store::SqlValue;
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::auth::permissions::{check_manager_project_access, check_project_access, on_project};
use crate::auth::user::Role;
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::present::{id_of, uuid_field, EntityTypes};

/// Zou's page size of a production's and an episode's playlist lists.
pub const PAGE_SIZE: usize = 20;

/// The `for_entity` values Zou accepts (`VALID_FOR_ENTITY_VALUES`).
const FOR_ENTITY: [&str; 5] = ["shot", "asset", "sequence", "edit", "episode"];

/// The playlist, 404 when missing (Zou's `PlaylistNotFoundException`).
pub async fn load(exec: &mut impl Exec, id: Uuid) -> ApiResult<Row> {
    rows::get(exec, &models::PLAYLIST, id, false)
        .await?
        .ok_or_else(ApiError::not_found)
}

/// A path id that must name a playlist: a malformed one is not found, as
/// Zou's playlist routes look it up and find nothing.
pub async fn load_by_path(exec: &mut impl Exec, id: &str) -> ApiResult<Row> {
    let id = Uuid::parse_str(id).map_err(|_| ApiError::not_found())?;
    load(exec, id).await
}

fn project_of(row: &Row) -> Uuid {
    uuid_field(row, "project_id").unwrap_or_default()
}

fn for_client(row: &Row) -> bool {
    row.get("for_client").and_then(Value::as_bool) == Some(true)
}

/// Zou's `block_access_to_vendor`, on the caller's global role.
pub fn block_vendor(user: &CurrentUser) -> ApiResult<()> {
    if user.role == Role::Vendor {
        Err(ApiError::forbidden())
    } else {
        Ok(())
    }
}

/// Zou's `check_playlist_read_access`: the production's team but its
/// vendors; a client only the playlists shared with clients.
pub async fn check_read_access(
    exec: &mut impl Exec,
    user: &CurrentUser,
    row: &Row,
) -> ApiResult<()> {
    let project = project_of(row);
    check_project_access(exec, user, project).await?;
    let user = on_project(exec, user, project).await?;
    block_vendor(&user)?;
    if user.role == Role::Client && !for_client(row) {
        return Err(ApiError::forbidden());
    }
    Ok(())
}

/// Zou's `check_playlist_access`: the production's managers, its clients
/// for a playlist shared with them, its supervisors when
/// `supervisor_access` (downloads).
pub async fn check_access(
    exec: &mut impl Exec,
    user: &CurrentUser,
    row: &Row,
    supervisor_access: bool,
) -> ApiResult<()> {
    let project = project_of(row);
    check_project_access(exec, user, project).await?;
    let user = on_project(exec, user, project).await?;
    let allowed = match user.role {
        Role::Admin | Role::Manager => true,
        Role::Client => for_client(row),
        Role::Supervisor => supervisor_access,
        _ => false,
    };
    if allowed {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}

/// Zou's `check_playlist_update_access`: the production's managers, or a
/// supervisor of its team who created the playlist (or one without an
/// author).
pub async fn check_update_access(
    exec: &mut impl Exec,
    user: &CurrentUser,
    row: &Row,
) -> ApiResult<()> {
    let project = project_of(row);
    if check_manager_project_access(exec, user, project)
        .await
        .is_ok()
    {
        return Ok(());
    }
    let in_team = check_project_access(exec, user, project).await.is_ok();
    let on = on_project(exec, user, project).await?;
    let author = uuid_field(row, "created_by");
    if in_team && on.role == Role::Supervisor && author.is_none_or(|a| a == user.id) {
        return Ok(());
    }
    Err(ApiError::forbidden())
}

/// Zou's `check_supervisor_project_access` (a playlist's creation): the
/// production's managers and supervisors.
async fn check_supervisor_project_access(
    exec: &mut impl Exec,
    user: &CurrentUser,
    project: Uuid,
) -> ApiResult<()> {
    if user.is_admin() {
        return Ok(());
    }
    check_project_access(exec, user, project).await?;
    let on = on_project(exec, user, project).await?;
    if matches!(on.role, Role::Manager | Role::Supervisor) {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}

/// What Zou's `PlaylistsResource` narrows the generic list to for a
/// non-admin (vendors are refused before): see
/// `fennec_store::playlists::visible_ids`.
pub async fn list_filters(exec: &mut impl Exec, user: &CurrentUser) -> ApiResult<Vec<Filter>> {
    block_vendor(user)?;
    if user.is_admin() {
        return Ok(vec![]);
    }
    let ids = store::visible_ids(exec, user.id, role_name(user.role)).await?;
    Ok(vec![Filter::In(
        "id",
        ids.into_iter().map(SqlValue::Uuid).collect(),
    )])
}

/// A role as Zou stores it on a person.
fn role_name(role: Role) -> &'static str {
    match role {
        Role::Admin => "admin",
        Role::Manager => "manager",
        Role::Supervisor => "supervisor",
        Role::User => "user",
        Role::Client => "client",
        Role::Vendor => "vendor",
    }
}

/// Zou's `_check_for_entity`.
fn check_for_entity(body: &Map<String, Value>) -> ApiResult<()> {
    match body.get("for_entity") {
        None | Some(Value::Null) => Ok(()),
        Some(Value::String(s)) if FOR_ENTITY.contains(&s.as_str()) => Ok(()),
        Some(_) => Err(ApiError::bad_request(format!(
            "for_entity must be one of {}",
            FOR_ENTITY.join(", ")
        ))),
    }
}

/// Zou's `PlaylistsResource.check_create_permissions` and `update_data`
/// on a creation body: the production's managers and supervisors create;
/// a known `for_entity`; Kitsu's `main`/`all` episodes are none; a task
/// type that is no id is none; entries' foreign previews unpinned; the
/// caller is the author.
pub async fn prepare_create(
    exec: &mut impl Exec,
    user: &CurrentUser,
    body: &mut Map<String, Value>,
) -> ApiResult<()> {
    // Zou reads body["project_id"] for its right check: a KeyError.
    let project = body
        .get("project_id")
        .ok_or_else(|| ApiError::bad_request_message("'project_id'"))?
        .as_str()
        .and_then(|s| Uuid::parse_str(s).ok())
        .ok_or_else(|| ApiError::bad_request_message(fennec_api::error::INVALID_FORMAT))?;
    check_supervisor_project_access(exec, user, project).await?;
    check_for_entity(body)?;
    if matches!(
        body.get("episode_id").and_then(Value::as_str),
        Some("all" | "main")
    ) {
        body.insert("episode_id".into(), Value::Null);
    }
    if let Some(tt) = body.get("task_type_id") {
        if tt.as_str().and_then(|s| Uuid::parse_str(s).ok()).is_none() {
            body.insert("task_type_id".into(), Value::Null);
        }
    }
    if let Some(Value::Array(shots)) = body.get_mut("shots") {
        unpin_foreign_previews(exec, shots).await?;
    }
    body.insert("created_by".into(), Value::String(user.id.to_string()));
    Ok(())
}

/// Zou's `PlaylistResource.pre_update` (after its update check): a known
/// `for_entity`; entries kept as `{entity_id, preview_file_id}` (an entry
/// without entity dropped), their foreign previews unpinned; the
/// production is not changed through this route (Zou's protected field).
pub async fn prepare_update(exec: &mut impl Exec, body: &mut Map<String, Value>) -> ApiResult<()> {
    check_for_entity(body)?;
    body.shift_remove("project_id");
    if let Some(shots) = body.get("shots") {
        let list = shots.as_array().cloned().unwrap_or_default();
        let mut entries: Vec<Value> = list
            .iter()
            .filter_map(Value::as_object)
            .filter_map(|s| {
                let entity = s
                    .get("entity_id")
                    .filter(|v| truthy(v))
                    .or_else(|| s.get("id").filter(|v| truthy(v)))?;
                Some(json!({
                    "entity_id": entity,
                    "preview_file_id": s.get("preview_file_id").cloned().unwrap_or(Value::Null),
                }))
            })
            .collect();
        unpin_foreign_previews(exec, &mut entries).await?;
        body.insert("shots".into(), Value::Array(entries));
    }
    Ok(())
}

fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Bool(b) => *b,
        _ => true,
    }
}

/// Zou's `unpin_foreign_preview_files`: an entry's preview that is not
/// one of its entity's (or no preview at all) is set to null; a kept one
/// is written in lowercase.
async fn unpin_foreign_previews(exec: &mut impl Exec, shots: &mut [Value]) -> ApiResult<()> {
    let ids: Vec<Uuid> = shots
        .iter()
        .filter_map(|s| s.get("preview_file_id"))
        .filter_map(Value::as_str)
        .filter_map(|s| Uuid::parse_str(s).ok())
        .collect();
    let owners = store::preview_entities(exec, &ids).await?;
    for shot in shots.iter_mut() {
        let Some(obj) = shot.as_object_mut() else {
            continue;
        };
        if !obj.get("preview_file_id").is_some_and(truthy) {
            continue;
        }
        let preview = obj
            .get("preview_file_id")
            .and_then(Value::as_str)
            .and_then(|s| Uuid::parse_str(s).ok());
        let entity = obj
            .get("entity_id")
            .filter(|v| truthy(v))
            .or_else(|| obj.get("id"))
            .and_then(Value::as_str)
            .and_then(|s| Uuid::parse_str(s).ok());
        let own = match (preview, entity) {
            (Some(p), Some(e)) => owners.get(&p) == Some(&e),
            _ => false,
        };
        let value = match preview {
            Some(p) if own => Value::String(p.to_string()),
            _ => Value::Null,
        };
        obj.insert("preview_file_id".into(), value);
    }
    Ok(())
}

/// Zou's `remove_playlist`: its dependents, then the playlist, with a
/// `build-job:delete` per build job; the CRUD route adds its own
/// `playlist:delete`. Answers the build jobs, whose movies go after the
/// commit.
pub async fn remove(exec: &mut impl Exec, caller: Uuid, row: &Row) -> ApiResult<Vec<Uuid>> {
    let id = id_of(row);
    let jobs = store::remove_playlist(exec, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    for job in &jobs {
        crate::events::emit(
            exec,
            Some(caller),
            "build-job:delete",
            json!({"build_job_id": job.to_string(), "playlist_id": id.to_string()}),
            uuid_field(row, "project_id"),
        )
        .await?;
    }
    Ok(jobs)
}

/// The ids of a playlist's build jobs, newest first, for its `build_jobs`
/// relation.
pub async fn fill_build_jobs(exec: &mut impl Exec, row: &mut Row) -> ApiResult<()> {
    let jobs = jobs_of(exec, id_of(row)).await?;
    row.insert(
        "build_jobs".into(),
        Value::Array(jobs.iter().map(|j| json!(id_of(j).to_string())).collect()),
    );
    Ok(())
}

async fn jobs_of(exec: &mut impl Exec, playlist: Uuid) -> ApiResult<Vec<Row>> {
    let select = Select::default().eq("playlist_id", SqlValue::Uuid(playlist));
    Ok(rows::list(exec, &models::BUILD_JOB, &select, false).await?)
}

// ---------------------------------------------------------------------
// Lists.

/// What a production's and an episode's playlist lists take from the
/// query string (Zou's `get_page`, `get_sort_by` and filters).
#[derive(Debug, Default)]
pub struct ListArgs {
    pub page: i64,
    pub sort_by: Option<String>,
    pub task_type_id: Option<String>,
    pub for_entity: Option<String>,
}

/// Which playlists of a production a list shows.
#[derive(Clone, Copy, Debug)]
pub enum Scope {
    Project,
    /// Kitsu's main pack: no episode, not for all.
    Main,
    /// Kitsu's "all" lists: no episode, for all.
    All,
    Episode(Uuid),
}

/// Zou's `all_playlists_for_project` and `all_playlists_for_episode`: the
/// list rows (`build_playlist_dict`: `type` first, no `shots`, the first
/// entry's preview as `first_preview_file_id` when it has one), 20 a
/// page, by `sort_by` (a date descending, another column ascending,
/// `updated_at` descending by default).
pub async fn list(
    exec: &mut impl Exec,
    project: Uuid,
    scope: Scope,
    for_client: bool,
    args: &ListArgs,
) -> ApiResult<Vec<Value>> {
    // Read newest first: the stable sort below keeps this order among rows
    // whose dates are equal to the second, as Zou's PostgreSQL (which
    // compares microseconds) lists the newest first.
    let select = Select {
        order: rows::Order::UpdatedDesc,
        ..Select::default()
    }
    .eq("project_id", SqlValue::Uuid(project));
    let mut all = rows::list(exec, &models::PLAYLIST, &select, false).await?;
    let text = |r: &Row, k: &str| r.get(k).and_then(Value::as_str).map(str::to_owned);
    all.retain(|r| {
        if for_client && !self::for_client(r) {
            return false;
        }
        if let Some(tt) = args.task_type_id.as_deref().filter(|s| !s.is_empty()) {
            if text(r, "task_type_id").as_deref() != Some(tt) {
                return false;
            }
        }
        if let Some(fe) = args.for_entity.as_deref().filter(|s| !s.is_empty()) {
            if text(r, "for_entity").as_deref() != Some(fe) {
                return false;
            }
        }
        let for_all = r.get("is_for_all").and_then(Value::as_bool) == Some(true);
        let episode = uuid_field(r, "episode_id");
        match scope {
            Scope::Project => true,
            Scope::Main => episode.is_none() && !for_all,
            Scope::All => episode.is_none() && for_all,
            Scope::Episode(e) => episode == Some(e),
        }
    });
    sort_rows(&mut all, args.sort_by.as_deref());
    let page = args.page.max(1) as usize;
    Ok(all
        .into_iter()
        .skip((page - 1) * PAGE_SIZE)
        .take(PAGE_SIZE)
        .map(|r| Value::Object(list_row(&r)))
        .collect())
}

/// Zou's `apply_sort_by` on playlists.
fn sort_rows(rows: &mut [Row], sort_by: Option<&str>) {
    let column = sort_by
        .filter(|c| models::PLAYLIST.column(c).is_some_and(|c| c.is_stored()))
        .unwrap_or("updated_at");
    let descending = matches!(column, "created_at" | "updated_at");
    let key = |r: &Row| -> Option<String> {
        match r.get(column) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(v) => Some(v.to_string()),
        }
    };
    // PostgreSQL puts NULLs last ascending and first descending.
    rows.sort_by(|a, b| {
        let (ka, kb) = (key(a), key(b));
        let ord = match (&ka, &kb) {
            (None, None) => std::cmp::Ordering::Equal,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (Some(_), None) => std::cmp::Ordering::Less,
            (Some(x), Some(y)) => x.cmp(y),
        };
        if descending {
            ord.reverse()
        } else {
            ord
        }
    });
}

/// Zou's `build_playlist_dict`.
fn list_row(r: &Row) -> Row {
    let mut out = Map::new();
    out.insert("type".into(), json!("Playlist"));
    for k in [
        "id",
        "name",
        "project_id",
        "episode_id",
        "task_type_id",
        "for_client",
        "for_entity",
        "is_for_all",
        "created_at",
        "updated_at",
        "created_by",
    ] {
        out.insert(k.into(), r.get(k).cloned().unwrap_or(Value::Null));
    }
    if out.get("for_entity").is_none_or(Value::is_null) {
        out.insert("for_entity".into(), json!("shot"));
    }
    let first = r
        .get("shots")
        .and_then(Value::as_array)
        .and_then(|s| s.first())
        .and_then(|s| s.get("preview_file_id"))
        .filter(|v| truthy(v));
    if let Some(first) = first {
        out.insert("first_preview_file_id".into(), first.clone());
    }
    out
}

/// Zou's `get_playlists_for_project` (admins' full list, with relations).
pub async fn all_of_project(exec: &mut impl Exec, project: Uuid) -> ApiResult<Vec<Row>> {
    let select = Select::default().eq("project_id", SqlValue::Uuid(project));
    let mut all = rows::list(exec, &models::PLAYLIST, &select, true).await?;
    for r in all.iter_mut() {
        fill_build_jobs(exec, r).await?;
    }
    Ok(all)
}

// ---------------------------------------------------------------------
// A playlist with its previews.

const LIGHT_KEYS: [&str; 9] = [
    "id",
    "revision",
    "extension",
    "width",
    "height",
    "duration",
    "status",
    "created_at",
    "task_id",
];

fn light(p: &Map<String, Value>) -> Map<String, Value> {
    let mut out: Map<String, Value> = LIGHT_KEYS
        .iter()
        .map(|k| (k.to_string(), p.get(*k).cloned().unwrap_or(Value::Null)))
        .collect();
    // Zou's set_preview_files_for_entities writes `str(status)`, which is
    // the label of its choice ("Processing"), not the code other routes
    // show.
    if let Some(Value::String(code)) = out.get("status") {
        let mut chars = code.chars();
        let label = match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => String::new(),
        };
        out.insert("status".into(), Value::String(label));
    }
    out
}

/// Zou's `get_playlist_with_preview_file_revisions` without annotations
/// (what the playlist route answers): the playlist, its build jobs
/// presented newest first, and each entry with its entity's previews by
/// task type and the details of its own preview (an entry whose preview
/// is gone loses its `preview_file_id`).
pub async fn with_preview_revisions(exec: &mut impl Exec, id: Uuid) -> ApiResult<Row> {
    let mut row = load(exec, id).await?;
    let mut jobs = jobs_of(exec, id).await?;
    jobs.reverse();
    let jobs: Vec<Value> = jobs.iter().map(|j| Value::Object(present_job(j))).collect();
    // Zou appends build_jobs after the serialised columns.
    row.insert("build_jobs".into(), Value::Array(jobs));
    let mut shots = row
        .get("shots")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut by_entity: HashMap<Uuid, Value> = HashMap::new();
    let mut preview_map: HashMap<String, Map<String, Value>> = HashMap::new();
    for shot in shots.iter_mut() {
        let Some(obj) = shot.as_object_mut() else {
            continue;
        };
        let entity = obj
            .get("id")
            .filter(|v| truthy(v))
            .or_else(|| obj.get("shot_id").filter(|v| truthy(v)))
            .or_else(|| obj.get("entity_id").filter(|v| truthy(v)))
            .cloned();
        let Some(entity) = entity else {
            obj.insert("preview_files".into(), json!([]));
            continue;
        };
        obj.entry("id").or_insert(entity.clone());
        let entity_id = entity.as_str().and_then(|s| Uuid::parse_str(s).ok());
        let previews = match entity_id {
            Some(e) => {
                if let std::collections::hash_map::Entry::Vacant(slot) = by_entity.entry(e) {
                    let grouped =
                        fennec_store::previews::entity_previews_by_task_type(exec, e).await?;
                    slot.insert(light_groups(&grouped, &mut preview_map));
                }
                by_entity[&e].clone()
            }
            None => json!([]),
        };
        let empty = previews.as_object().is_none_or(Map::is_empty);
        obj.insert(
            "preview_files".into(),
            if empty { json!([]) } else { previews },
        );
    }
    for shot in shots.iter_mut() {
        let Some(obj) = shot.as_object_mut() else {
            continue;
        };
        let key = obj
            .get("preview_file_id")
            .and_then(Value::as_str)
            .map(str::to_owned);
        match key.and_then(|k| preview_map.get(&k)) {
            Some(p) => {
                obj.insert("preview_file_id".into(), p["id"].clone());
                for (k, src) in [
                    ("preview_file_extension", "extension"),
                    ("preview_file_revision", "revision"),
                    ("preview_file_width", "width"),
                    ("preview_file_height", "height"),
                    ("preview_file_duration", "duration"),
                    ("preview_file_status", "status"),
                    ("preview_file_task_id", "task_id"),
                ] {
                    obj.insert(k.into(), p[src].clone());
                }
                obj.insert(
                    "preview_file_previews".into(),
                    p.get("previews").cloned().unwrap_or(json!([])),
                );
            }
            None => {
                obj.shift_remove("preview_file_id");
            }
        }
    }
    row.insert("shots".into(), Value::Array(shots));
    Ok(row)
}

/// An entity's previews by task type in the light form of a playlist
/// (Zou's `set_preview_files_for_entities`), every file also recorded in
/// `map` by id.
fn light_groups(
    grouped: &Map<String, Value>,
    map: &mut HashMap<String, Map<String, Value>>,
) -> Value {
    let mut out = Map::new();
    for (task_type, list) in grouped {
        let mut items = Vec::new();
        for p in list
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_object)
        {
            let mut head = light(p);
            let subs: Vec<Value> = p
                .get("previews")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_object)
                .map(|s| {
                    let l = light(s);
                    if let Some(id) = l.get("id").and_then(Value::as_str) {
                        map.insert(id.to_owned(), l.clone());
                    }
                    Value::Object(l)
                })
                .collect();
            head.insert("previews".into(), Value::Array(subs));
            if let Some(id) = head.get("id").and_then(Value::as_str) {
                map.insert(id.to_owned(), head.clone());
            }
            items.push(Value::Object(head));
        }
        out.insert(task_type.clone(), Value::Array(items));
    }
    Value::Object(out)
}

/// Zou's `BuildJob.present()`.
fn present_job(job: &Row) -> Map<String, Value> {
    let mut out = Map::new();
    for k in ["id", "status", "created_at", "message"] {
        out.insert(k.into(), job.get(k).cloned().unwrap_or(Value::Null));
    }
    out
}

// ---------------------------------------------------------------------
// Entries.

/// One `(entity, preview)` couple to add.
#[derive(Clone, Debug)]
pub struct Entry {
    pub entity: Uuid,
    pub preview: Option<Uuid>,
}

/// Reads Zou's `AddEntityToPlaylistSchema` (`entity_id`, optional
/// `preview_file_id`, `""` as none).
pub fn entry_of(body: &Map<String, Value>, prefix: &str) -> Result<Entry, Vec<(String, String)>> {
    let mut errors = Vec::new();
    let entity = match body.get("entity_id") {
        None => {
            errors.push((format!("{prefix}entity_id"), "Field required".to_owned()));
            None
        }
        Some(v) => schema_uuid(v)
            .map_err(|m| errors.push((format!("{prefix}entity_id"), m)))
            .ok(),
    };
    let preview = match body.get("preview_file_id") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(v) => schema_uuid(v)
            .map_err(|m| errors.push((format!("{prefix}preview_file_id"), m)))
            .ok(),
    };
    match entity {
        Some(entity) if errors.is_empty() => Ok(Entry { entity, preview }),
        _ => Err(errors),
    }
}

/// A UUID field of Zou's pydantic schemas.
pub fn schema_uuid(v: &Value) -> Result<Uuid, String> {
    match v {
        Value::String(s) => Uuid::parse_str(s).map_err(|e| {
            format!(
                "Input should be a valid UUID, {}",
                crate::person_actions::uuid_error(&e)
            )
        }),
        _ => Err("UUID input should be a string, bytes or UUID object".to_owned()),
    }
}

/// Zou's `add_entities_to_playlist` after `unpin_foreign_preview_files`:
/// each couple not already in the playlist is appended (an entry naming no
/// preview gets its entity's latest, of the playlist's task type if it has
/// one), in one write, with a `playlist:add_entity` each. Answers the
/// playlist as Zou serialises it (no relations).
pub async fn add_entries(
    exec: &mut impl Exec,
    caller: Uuid,
    playlist: Uuid,
    entries: Vec<Entry>,
) -> ApiResult<Row> {
    // Take the playlist's row first: concurrent additions queue here.
    let now = chrono::Utc::now().naive_utc();
    let column = models::PLAYLIST.column("updated_at").expect("updated_at");
    let row = rows::update(
        exec,
        &models::PLAYLIST,
        playlist,
        vec![(column, SqlValue::DateTime(now))],
    )
    .await?
    .ok_or_else(ApiError::not_found)?;
    let mut entries: Vec<Value> = entries
        .iter()
        .map(|e| json!({"entity_id": e.entity.to_string(), "preview_file_id": e.preview.map(|p| p.to_string())}))
        .collect();
    unpin_foreign_previews(exec, &mut entries).await?;
    let task_type = uuid_field(&row, "task_type_id");
    let unresolved: Vec<Uuid> = entries
        .iter()
        .filter(|e| e["preview_file_id"].is_null())
        .filter_map(|e| {
            e["entity_id"]
                .as_str()
                .and_then(|s| Uuid::parse_str(s).ok())
        })
        .collect();
    let latest = store::latest_previews(exec, &unresolved, task_type).await?;
    let mut shots = row
        .get("shots")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let couple = |s: &Value| {
        (
            s.get("entity_id")
                .and_then(Value::as_str)
                .map(str::to_owned),
            s.get("preview_file_id")
                .and_then(Value::as_str)
                .map(str::to_owned),
        )
    };
    let mut present: Vec<(Option<String>, Option<String>)> = shots.iter().map(couple).collect();
    let mut added = Vec::new();
    for e in entries {
        let entity = e["entity_id"].as_str().unwrap_or_default().to_owned();
        let preview = e["preview_file_id"]
            .as_str()
            .map(str::to_owned)
            .or_else(|| {
                Uuid::parse_str(&entity)
                    .ok()
                    .and_then(|id| latest.get(&id))
                    .map(|p| p.to_string())
            });
        let c = (Some(entity.clone()), preview.clone());
        if present.contains(&c) {
            continue;
        }
        let mut shot = Map::new();
        shot.insert("entity_id".into(), json!(entity));
        if let Some(p) = &preview {
            shot.insert("preview_file_id".into(), json!(p));
        }
        shots.push(Value::Object(shot.clone()));
        present.push(c);
        added.push(shot);
    }
    let mut row = row;
    if !added.is_empty() {
        let column = models::PLAYLIST.column("shots").expect("shots");
        row = rows::update(
            exec,
            &models::PLAYLIST,
            playlist,
            vec![(column, SqlValue::Json(Value::Array(shots)))],
        )
        .await?
        .ok_or_else(ApiError::not_found)?;
    }
    let project = uuid_field(&row, "project_id");
    for shot in added {
        crate::events::emit(
            exec,
            Some(caller),
            "playlist:add_entity",
            json!({
                "playlist_id": playlist.to_string(),
                "entity_id": shot.get("entity_id").cloned().unwrap_or(Value::Null),
                "preview_file_id": shot.get("preview_file_id").cloned().unwrap_or(Value::Null),
            }),
            project,
        )
        .await?;
    }
    Ok(row)
}

// ---------------------------------------------------------------------
// Build jobs.

/// The build job of a playlist: 404 when missing or of another playlist.
pub async fn job_of(exec: &mut impl Exec, playlist: Uuid, job: &str) -> ApiResult<Row> {
    let job = Uuid::parse_str(job).map_err(|_| ApiError::not_found())?;
    let row = rows::get(exec, &models::BUILD_JOB, job, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if uuid_field(&row, "playlist_id") != Some(playlist) {
        return Err(ApiError::not_found());
    }
    Ok(row)
}

/// Zou's `remove_build_job`: the row, with `build-job:delete`.
pub async fn remove_job(
    exec: &mut impl Exec,
    caller: Uuid,
    playlist: &Row,
    job: Uuid,
) -> ApiResult<()> {
    rows::delete(exec, &models::BUILD_JOB, job).await?;
    crate::events::emit(
        exec,
        Some(caller),
        "build-job:delete",
        json!({"build_job_id": job.to_string(), "playlist_id": id_of(playlist).to_string()}),
        uuid_field(playlist, "project_id"),
    )
    .await
}

/// Zou's `start_build_job`: a job row `running` and `build-job:new`.
/// The build itself runs outside the transaction (playlist_movie.rs).
pub async fn start_build(exec: &mut impl Exec, caller: Uuid, playlist: &Row) -> ApiResult<Row> {
    let id = id_of(playlist);
    let m = &models::BUILD_JOB;
    let col = |n: &str| m.column(n).expect("build job column");
    let job = rows::insert(
        exec,
        m,
        vec![
            (col("status"), SqlValue::Text("running".into())),
            (col("job_type"), SqlValue::Text("movie".into())),
            (col("playlist_id"), SqlValue::Uuid(id)),
        ],
    )
    .await?;
    crate::events::emit(
        exec,
        Some(caller),
        "build-job:new",
        json!({
            "build_job_id": id_of(&job).to_string(),
            "playlist_id": id.to_string(),
            "created_at": job.get("created_at").cloned().unwrap_or(Value::Null),
        }),
        uuid_field(playlist, "project_id"),
    )
    .await?;
    Ok(job)
}

/// Zou's `end_build_job`: the job `succeeded` or `failed`, with the
/// message that explains a degraded or failed build, and
/// `build-job:update`. `None` when the job was removed while it ran (Zou
/// then discards the movie and answers `{}`).
pub async fn end_build(
    exec: &mut impl Exec,
    caller: Uuid,
    playlist: &Row,
    job: Uuid,
    success: bool,
    message: Option<&str>,
) -> ApiResult<Option<Row>> {
    let m = &models::BUILD_JOB;
    let col = |n: &str| m.column(n).expect("build job column");
    let status = if success { "succeeded" } else { "failed" };
    let now = chrono::Utc::now().naive_utc();
    let Some(row) = rows::update(
        exec,
        m,
        job,
        vec![
            (col("status"), SqlValue::Text(status.into())),
            (col("ended_at"), SqlValue::DateTime(now)),
            (
                col("message"),
                message.map_or(SqlValue::Null(col("message").kind), |t| {
                    SqlValue::Text(t.into())
                }),
            ),
        ],
    )
    .await?
    else {
        return Ok(None);
    };
    crate::events::emit(
        exec,
        Some(caller),
        "build-job:update",
        json!({
            "build_job_id": job.to_string(),
            "playlist_id": id_of(playlist).to_string(),
            "status": status,
            "message": message,
        }),
        uuid_field(playlist, "project_id"),
    )
    .await?;
    Ok(Some(row))
}

/// Zou's `playlist_previews(only_movies=True)`: the entries' previews that
/// exist and are `mp4`, in the playlist's order.
pub async fn movie_previews(exec: &mut impl Exec, playlist: &Row) -> ApiResult<Vec<Uuid>> {
    let mut out = Vec::new();
    for shot in playlist
        .get("shots")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(p) = shot
            .get("preview_file_id")
            .and_then(Value::as_str)
            .and_then(|s| Uuid::parse_str(s).ok())
        else {
            continue;
        };
        if let Some(row) = rows::get(exec, &models::PREVIEW_FILE, p, false).await? {
            if row.get("extension").and_then(Value::as_str) == Some("mp4") {
                out.push(p);
            }
        }
    }
    Ok(out)
}

/// Zou's `get_build_jobs_for_project`.
pub async fn jobs_of_project(exec: &mut impl Exec, project: Uuid) -> ApiResult<Vec<Row>> {
    Ok(store::build_jobs_of_project(exec, project).await?)
}

// ---------------------------------------------------------------------
// Temporary playlists.

/// Zou's `generate_temp_playlist`: an entry per task (nothing stored),
/// sorted by episode, sequence, asset type and name unless `sort` is off.
pub async fn temp_playlist(
    exec: &mut impl Exec,
    tasks: &[Row],
    sort: bool,
) -> ApiResult<Vec<Value>> {
    let Some(first) = tasks.first() else {
        return Ok(vec![]);
    };
    let types = EntityTypes::load(exec).await?;
    let project = project_of(first);
    // Zou's get_task_type_links for the first task's kind: the
    // production's task types, in its order, as fallback previews.
    let links: Vec<Uuid> = fennec_store::links::PROJECT_TASK_TYPES
        .rights(exec, project)
        .await?;
    let mut out = Vec::new();
    for task in tasks {
        out.push(temp_entry(exec, &types, task, &links).await?);
    }
    if sort {
        let key = |v: &Map<String, Value>| {
            ["episode_name", "sequence_name", "asset_type_name", "name"]
                .map(|k| v.get(k).and_then(Value::as_str).unwrap_or("").to_owned())
        };
        out.sort_by_key(key);
    }
    Ok(out.into_iter().map(Value::Object).collect())
}

async fn name_of(exec: &mut impl Exec, id: Option<Uuid>) -> ApiResult<Option<Row>> {
    Ok(match id {
        Some(id) => rows::get(exec, &models::ENTITY, id, false).await?,
        None => None,
    })
}

/// Zou's `generate_playlisted_entity_from_task`.
async fn temp_entry(
    exec: &mut impl Exec,
    types: &EntityTypes,
    task: &Row,
    links: &[Uuid],
) -> ApiResult<Map<String, Value>> {
    let entity_id = uuid_field(task, "entity_id").unwrap_or_default();
    let entity = rows::get(exec, &models::ENTITY, entity_id, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let kind = types
        .kind(uuid_field(&entity, "entity_type_id").unwrap_or_default())
        .to_owned();
    let s = |r: &Row, k: &str| r.get(k).cloned().unwrap_or(Value::Null);
    let mut entry = Map::new();
    entry.insert("id".into(), s(&entity, "id"));
    entry.insert("name".into(), s(&entity, "name"));
    entry.insert("preview_file_task_id".into(), s(task, "id"));
    entry.insert("parent_name".into(), json!(""));
    for k in [
        "episode_id",
        "episode_name",
        "sequence_id",
        "sequence_name",
        "asset_type_id",
        "asset_type_name",
    ] {
        entry.insert(k.into(), json!(""));
    }
    let parent = name_of(exec, uuid_field(&entity, "parent_id")).await?;
    match kind.as_str() {
        "Shot" => {
            if let Some(seq) = parent {
                entry.insert("parent_name".into(), s(&seq, "name"));
                entry.insert("sequence_id".into(), s(&seq, "id"));
                entry.insert("sequence_name".into(), s(&seq, "name"));
            }
        }
        "Sequence" | "Edit" => {
            let is_episode = parent.as_ref().is_some_and(|p| {
                types.kind(uuid_field(p, "entity_type_id").unwrap_or_default()) == "Episode"
            });
            if let (Some(ep), true) = (parent, is_episode) {
                entry.insert("parent_name".into(), s(&ep, "name"));
                entry.insert("episode_id".into(), s(&ep, "id"));
                entry.insert("episode_name".into(), s(&ep, "name"));
            }
        }
        "Episode" => {}
        _ => {
            let asset_type = uuid_field(&entity, "entity_type_id").unwrap_or_default();
            let name = types.name(asset_type).unwrap_or_default().to_owned();
            entry.insert("parent_name".into(), json!(name));
            entry.insert("asset_type_id".into(), json!(asset_type.to_string()));
            entry.insert("asset_type_name".into(), json!(name));
        }
    }
    let previews = fennec_store::previews::entity_previews_by_task_type(exec, entity_id).await?;
    let task_type = s(task, "task_type_id")
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let mut chosen = previews
        .get(&task_type)
        .and_then(Value::as_array)
        .and_then(|l| l.first())
        .cloned();
    if chosen.is_none() {
        chosen = links
            .iter()
            .map(Uuid::to_string)
            .find(|tt| previews.contains_key(tt))
            .and_then(|tt| previews[&tt].as_array().and_then(|l| l.first()).cloned());
    }
    if let Some(p) = chosen {
        for (k, src) in [
            ("preview_file_id", "id"),
            ("preview_file_extension", "extension"),
            ("preview_file_width", "width"),
            ("preview_file_height", "height"),
            ("preview_file_duration", "duration"),
            ("preview_file_revision", "revision"),
            ("preview_file_status", "status"),
        ] {
            entry.insert(k.into(), p.get(src).cloned().unwrap_or(Value::Null));
        }
        let annotations = p
            .get("annotations")
            .filter(|v| !v.is_null())
            .cloned()
            .unwrap_or(json!([]));
        entry.insert("preview_file_annotations".into(), annotations);
        entry.insert(
            "preview_file_previews".into(),
            p.get("previews").cloned().unwrap_or(json!([])),
        );
    }
    entry.insert("preview_files".into(), Value::Object(previews));
    Ok(entry)
}

/// The entity's task a temporary playlist uses (Zou's
/// `get_playlist_task_id_for_entity`).
pub async fn task_for_entity(exec: &mut impl Exec, entity: Uuid) -> ApiResult<Option<Uuid>> {
    Ok(store::task_for_entity(exec, entity).await?)
}

// ---------------------------------------------------------------------
// Client notifications and share links.

/// Zou's `notify_clients_playlist_ready`: a `playlist-ready` notification
/// for each client of the production (of the studio and department when
/// given). Fennec sends no e-mail (no mail server).
pub async fn notify_clients(
    exec: &mut impl Exec,
    caller: Uuid,
    playlist: &Row,
    studio: Option<Uuid>,
    department: Option<Uuid>,
) -> ApiResult<()> {
    let clients = store::clients_of_project(exec, project_of(playlist), studio, department).await?;
    let m = &models::NOTIFICATION;
    let col = |n: &str| m.column(n).expect("notification column");
    for client in clients {
        rows::insert(
            exec,
            m,
            vec![
                (col("person_id"), SqlValue::Uuid(client)),
                (col("author_id"), SqlValue::Uuid(caller)),
                (col("playlist_id"), SqlValue::Uuid(id_of(playlist))),
                (
                    col("notification_type"),
                    SqlValue::Text("playlist-ready".into()),
                ),
            ],
        )
        .await?;
    }
    Ok(())
}

/// A share link as Zou serialises it: without its password, with
/// `has_password`.
pub fn present_link(row: &Row, has_password: bool) -> Row {
    let mut out = row.clone();
    out.insert("has_password".into(), json!(has_password));
    out
}
