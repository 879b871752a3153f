//! Zou's `playlists` blueprint: a production's and an episode's playlist
//! lists, a playlist with its previews, an entity's previews (Kitsu's task
//! page and gazu's `get_entity_preview_files`), entries added, build jobs,
//! temporary playlists, client notifications and share links. The logic
//! is in playlists.rs beside routes/; `/data/playlists` itself is the
//! generic CRUD's (generic_crud.rs).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use fennec_api::models;
use fennec_store::rows;
use fennec_store::SqlValue;
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::permissions::{self, check_manager_project_access, check_project_access};
use crate::auth::user::Role;
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::{path_id, Path, QueryPairs, SchemaBody};
use crate::playlist_movie;
use crate::playlists::{self as logic, ListArgs, Scope};
use crate::present::{id_of, uuid_field};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/data/projects/{project_id}/playlists",
            get(project_playlists),
        )
        .route(
            "/data/projects/{project_id}/playlists/all",
            get(all_project_playlists),
        )
        .route(
            "/data/projects/{project_id}/playlists/temp",
            post(temp_playlist),
        )
        .route(
            "/data/projects/{project_id}/episodes/{episode_id}/playlists",
            get(episode_playlists),
        )
        .route(
            "/data/projects/{project_id}/playlists/{playlist_id}",
            get(project_playlist),
        )
        .route(
            "/data/playlists/entities/{entity_id}/preview-files",
            get(entity_preview_files),
        )
        .route(
            "/actions/playlists/{playlist_id}/add-entity",
            post(add_entity),
        )
        .route(
            "/actions/playlists/{playlist_id}/add-entities",
            post(add_entities),
        )
        .route(
            "/data/projects/{project_id}/build-jobs",
            get(project_build_jobs),
        )
        .route("/data/playlists/{playlist_id}/build/mp4", get(build_movie))
        .route(
            "/data/playlists/{playlist_id}/download/zip",
            get(download_zip),
        )
        .route(
            "/data/playlists/{playlist_id}/jobs/{build_job_id}",
            get(build_job).delete(remove_build_job),
        )
        .route(
            "/data/playlists/{playlist_id}/jobs/{build_job_id}/build/mp4",
            get(download_build),
        )
        .route(
            "/data/playlists/{playlist_id}/notify-clients",
            post(notify_clients),
        )
        .route(
            "/data/playlists/{playlist_id}/share",
            get(share_links).post(new_share_link),
        )
        .route(
            "/data/playlists/{playlist_id}/share/{token}",
            delete(revoke_share_link),
        )
}

/// Zou's `get_integer_parameter`.
fn int_arg(query: &QueryPairs, key: &str, default: i64) -> ApiResult<i64> {
    match query.get(key) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse()
            .map_err(|_| ApiError::bad_request(format!("{key} must be an integer."))),
    }
}

fn list_args(query: &QueryPairs) -> ApiResult<ListArgs> {
    Ok(ListArgs {
        page: int_arg(query, "page", -1)?,
        sort_by: query.get("sort_by").map(str::to_owned),
        task_type_id: query.get("task_type_id").map(str::to_owned),
        for_entity: query.get("for_entity").map(str::to_owned),
    })
}

/// The production of a path: team members only (403); a malformed or
/// unknown one is Zou's 404 for non-admins (its access check looks it up).
async fn open_project(
    exec: &mut impl fennec_store::db::Exec,
    user: &CurrentUser,
    id: &str,
) -> ApiResult<(Uuid, CurrentUser)> {
    let project = path_id(id)?;
    check_project_access(exec, user, project).await?;
    let on = permissions::on_project(exec, user, project).await?;
    Ok((project, on))
}

/// GET /data/projects/{project_id}/playlists — the production's playlists
/// (a client's: those shared with clients), 20 a page.
async fn project_playlists(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(project_id): Path<String>,
    query: QueryPairs,
) -> ApiResult<Json<Value>> {
    let mut conn = state.db.conn().await?;
    let (project, on) = open_project(&mut conn, &user, &project_id).await?;
    logic::block_vendor(&on)?;
    let args = list_args(&query)?;
    let rows = logic::list(
        &mut conn,
        project,
        Scope::Project,
        on.role == Role::Client,
        &args,
    )
    .await?;
    Ok(Json(Value::Array(rows)))
}

/// GET /data/projects/{project_id}/episodes/{episode_id}/playlists — an
/// episode's playlists, or Kitsu's `main` pack and `all` lists.
async fn episode_playlists(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((project_id, episode_id)): Path<(String, String)>,
    query: QueryPairs,
) -> ApiResult<Json<Value>> {
    let mut conn = state.db.conn().await?;
    let (project, on) = open_project(&mut conn, &user, &project_id).await?;
    logic::block_vendor(&on)?;
    let args = list_args(&query)?;
    let scope = match episode_id.as_str() {
        "main" => Scope::Main,
        "all" => Scope::All,
        other => {
            // Zou's get_episode: an id that names no episode is a 404.
            let id = Uuid::parse_str(other).map_err(|_| ApiError::not_found())?;
            let entity = rows::get(&mut conn, &models::ENTITY, id, false)
                .await?
                .ok_or_else(ApiError::not_found)?;
            let types = crate::present::EntityTypes::load(&mut conn).await?;
            if types.kind(uuid_field(&entity, "entity_type_id").unwrap_or_default()) != "Episode" {
                return Err(ApiError::not_found());
            }
            Scope::Episode(id)
        }
    };
    let rows = logic::list(&mut conn, project, scope, on.role == Role::Client, &args).await?;
    Ok(Json(Value::Array(rows)))
}

/// GET /data/projects/{project_id}/playlists/all — admins: every playlist
/// of the production with its relations (Zou's envelope with `?page=`).
async fn all_project_playlists(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(project_id): Path<String>,
    query: QueryPairs,
) -> ApiResult<Json<Value>> {
    permissions::require_admin(&user)?;
    let project = path_id(&project_id)?;
    let mut conn = state.db.conn().await?;
    rows::get(&mut conn, &models::PROJECT, project, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let page = int_arg(&query, "page", -1)?;
    let mut all = logic::all_of_project(&mut conn, project).await?;
    if page < 1 {
        return Ok(Json(Value::Array(
            all.into_iter().map(Value::Object).collect(),
        )));
    }
    // Zou's get_paginated_results with its default page size.
    let limit = 100i64;
    let total = all.len() as i64;
    let offset = (page - 1) * limit;
    let data: Vec<Value> = if total < offset {
        vec![]
    } else {
        all.drain(..)
            .skip(offset as usize)
            .take(limit as usize)
            .map(Value::Object)
            .collect()
    };
    Ok(Json(json!({
        "data": data,
        "total": total,
        "nb_pages": (total + limit - 1) / limit,
        "limit": limit,
        "offset": offset,
        "page": page,
    })))
}

/// GET /data/projects/{project_id}/playlists/{playlist_id} — a playlist of
/// the production with its build jobs and each entry's previews (no
/// annotations: Kitsu loads them on demand).
async fn project_playlist(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((project_id, playlist_id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let mut conn = state.db.conn().await?;
    let (project, on) = open_project(&mut conn, &user, &project_id).await?;
    // Refused before the playlist is looked up, as Zou does.
    logic::block_vendor(&on)?;
    let playlist = logic::load_by_path(&mut conn, &playlist_id).await?;
    if uuid_field(&playlist, "project_id") != Some(project) {
        return Err(ApiError::not_found());
    }
    logic::check_read_access(&mut conn, &user, &playlist).await?;
    let row = logic::with_preview_revisions(&mut conn, id_of(&playlist)).await?;
    Ok(Json(Value::Object(row)))
}

/// GET /data/playlists/entities/{entity_id}/preview-files — an entity's
/// previews by task type (`{}` without any), as Zou answers it.
async fn entity_preview_files(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(entity_id): Path<String>,
) -> ApiResult<Json<Value>> {
    crate::previews::any_entity_previews(&state, &user, &entity_id).await
}

/// POST /actions/playlists/{playlist_id}/add-entity — Zou's update right
/// on the playlist, then `{entity_id, preview_file_id?}` appended.
async fn add_entity(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(playlist_id): Path<String>,
    SchemaBody(body): SchemaBody,
) -> ApiResult<Json<Value>> {
    let mut tx = state.db.begin().await?;
    let playlist = logic::load_by_path(&mut tx, &playlist_id).await?;
    logic::check_update_access(&mut tx, &user, &playlist).await?;
    let entry = logic::entry_of(&body, "").map_err(ApiError::validation)?;
    let row = logic::add_entries(&mut tx, user.id, id_of(&playlist), vec![entry]).await?;
    tx.commit().await?;
    Ok(Json(Value::Object(row)))
}

/// POST /actions/playlists/{playlist_id}/add-entities — several couples
/// (`{"entities": [...]}`, at least one) in one write.
async fn add_entities(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(playlist_id): Path<String>,
    SchemaBody(body): SchemaBody,
) -> ApiResult<Json<Value>> {
    let mut tx = state.db.begin().await?;
    let playlist = logic::load_by_path(&mut tx, &playlist_id).await?;
    logic::check_update_access(&mut tx, &user, &playlist).await?;
    let entries = match body.get("entities") {
        None => {
            return Err(ApiError::validation(vec![(
                "entities".into(),
                "Field required".into(),
            )]))
        }
        Some(Value::Array(list)) if list.is_empty() => {
            return Err(ApiError::validation(vec![(
                "entities".into(),
                "List should have at least 1 item after validation, not 0".into(),
            )]))
        }
        Some(Value::Array(list)) => list,
        Some(_) => {
            return Err(ApiError::validation(vec![(
                "entities".into(),
                "Input should be a valid list".into(),
            )]))
        }
    };
    let mut parsed = Vec::new();
    let mut errors = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        match e.as_object() {
            Some(obj) => match logic::entry_of(obj, &format!("entities.{i}.")) {
                Ok(entry) => parsed.push(entry),
                Err(mut errs) => errors.append(&mut errs),
            },
            None => errors.push((
                format!("entities.{i}"),
                "Input should be a valid dictionary or instance of PlaylistEntitySchema".into(),
            )),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let row = logic::add_entries(&mut tx, user.id, id_of(&playlist), parsed).await?;
    tx.commit().await?;
    Ok(Json(Value::Object(row)))
}

/// GET /data/projects/{project_id}/build-jobs — admins: the build jobs of
/// the production's playlists.
async fn project_build_jobs(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(project_id): Path<String>,
) -> ApiResult<Json<Value>> {
    permissions::require_admin(&user)?;
    let project = path_id(&project_id)?;
    let mut conn = state.db.conn().await?;
    rows::get(&mut conn, &models::PROJECT, project, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let jobs = logic::jobs_of_project(&mut conn, project).await?;
    Ok(Json(Value::Array(
        jobs.into_iter().map(Value::Object).collect(),
    )))
}

/// GET /data/playlists/{playlist_id}/build/mp4 — the production's
/// managers: the movie built inside the request (playlist_movie.rs);
/// `full=true` skips the exact concatenation.
async fn build_movie(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(playlist_id): Path<String>,
    query: QueryPairs,
) -> ApiResult<Json<Value>> {
    let job = playlist_movie::build(&state, &user, &playlist_id, query.flag("full")).await?;
    Ok(Json(Value::Object(job)))
}

/// The playlist and its build job of a path, with Zou's checks: vendors
/// refused, then the playlist (404), its access, the job (404).
async fn playlist_and_job(
    exec: &mut impl fennec_store::db::Exec,
    user: &CurrentUser,
    playlist_id: &str,
    job_id: &str,
    supervisor_access: bool,
) -> ApiResult<(Map<String, Value>, Map<String, Value>)> {
    logic::block_vendor(user)?;
    let playlist = logic::load_by_path(exec, playlist_id).await?;
    logic::check_access(exec, user, &playlist, supervisor_access).await?;
    let job = logic::job_of(exec, id_of(&playlist), job_id).await?;
    Ok((playlist, job))
}

/// GET /data/playlists/{playlist_id}/jobs/{build_job_id} — the production's
/// managers, its clients for a playlist shared with them.
async fn build_job(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((playlist_id, job_id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let mut conn = state.db.conn().await?;
    let (_, job) = playlist_and_job(&mut conn, &user, &playlist_id, &job_id, false).await?;
    Ok(Json(Value::Object(job)))
}

/// DELETE /data/playlists/{playlist_id}/jobs/{build_job_id} — the same
/// rights; 204.
async fn remove_build_job(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((playlist_id, job_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let mut tx = state.db.begin().await?;
    let (playlist, job) = playlist_and_job(&mut tx, &user, &playlist_id, &job_id, false).await?;
    logic::remove_job(&mut tx, user.id, &playlist, id_of(&job)).await?;
    tx.commit().await?;
    playlist_movie::remove_file(&state.media, id_of(&job)).await;
    Ok(StatusCode::NO_CONTENT)
}

/// GET /data/playlists/{playlist_id}/jobs/{build_job_id}/build/mp4 — the
/// built movie, for managers, supervisors and a shared playlist's
/// clients.
async fn download_build(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Path((playlist_id, job_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let (playlist, job) = {
        let mut conn = state.db.conn().await?;
        playlist_and_job(&mut conn, &user, &playlist_id, &job_id, true).await?
    };
    playlist_movie::download(&state, &headers, &playlist, &job).await
}

/// POST /data/projects/{project_id}/playlists/temp — entries built from
/// tasks (`task_ids`) and entities (`entity_ids`: each its most recently
/// reviewed task with a preview), nothing stored; `?sort=true` sorts them.
async fn temp_playlist(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(project_id): Path<String>,
    query: QueryPairs,
    SchemaBody(body): SchemaBody,
) -> ApiResult<Json<Value>> {
    let mut conn = state.db.conn().await?;
    open_project(&mut conn, &user, &project_id).await?;
    let mut errors = Vec::new();
    let mut ids_of = |key: &str| -> Vec<Uuid> {
        match body.get(key) {
            None => vec![],
            Some(Value::Array(list)) => list
                .iter()
                .enumerate()
                .filter_map(|(i, v)| match logic::schema_uuid(v) {
                    Ok(id) => Some(id),
                    Err(m) => {
                        errors.push((format!("{key}.{i}"), m));
                        None
                    }
                })
                .collect(),
            Some(_) => {
                errors.push((key.to_owned(), "Input should be a valid list".to_owned()));
                vec![]
            }
        }
    };
    let mut task_ids = ids_of("task_ids");
    let entity_ids = ids_of("entity_ids");
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    for entity in entity_ids {
        if let Some(task) = logic::task_for_entity(&mut conn, entity).await? {
            task_ids.push(task);
        }
    }
    let mut tasks = Vec::new();
    for id in task_ids {
        let (task, _) = crate::reach::load_task(&mut conn, &user, id).await?;
        tasks.push(task);
    }
    let sort = query
        .get("sort")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let entries = logic::temp_playlist(&mut conn, &tasks, sort).await?;
    Ok(Json(Value::Array(entries)))
}

/// POST /data/playlists/{playlist_id}/notify-clients — the production's
/// managers: a `playlist-ready` notification for its clients (of
/// `studio_id`, `department_id` when given).
async fn notify_clients(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(playlist_id): Path<String>,
    SchemaBody(body): SchemaBody,
) -> ApiResult<Json<Value>> {
    let mut tx = state.db.begin().await?;
    let playlist = logic::load_by_path(&mut tx, &playlist_id).await?;
    let project = uuid_field(&playlist, "project_id").unwrap_or_default();
    check_manager_project_access(&mut tx, &user, project).await?;
    let mut errors = Vec::new();
    let mut optional = |key: &str| match body.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(v) => logic::schema_uuid(v)
            .map_err(|m| errors.push((key.to_owned(), m)))
            .ok(),
    };
    let studio = optional("studio_id");
    let department = optional("department_id");
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    logic::notify_clients(&mut tx, user.id, &playlist, studio, department).await?;
    tx.commit().await?;
    Ok(Json(json!({"status": "success"})))
}

/// Zou's share link routes: managers (by global role, then on the
/// production), the playlist (404).
async fn open_for_sharing(
    exec: &mut impl fennec_store::db::Exec,
    user: &CurrentUser,
    playlist_id: &str,
) -> ApiResult<Map<String, Value>> {
    if !matches!(user.role, Role::Admin | Role::Manager) {
        return Err(ApiError::forbidden());
    }
    let playlist = logic::load_by_path(exec, playlist_id).await?;
    let project = uuid_field(&playlist, "project_id").unwrap_or_default();
    check_manager_project_access(exec, user, project).await?;
    Ok(playlist)
}

async fn present_links(
    exec: &mut impl fennec_store::db::Exec,
    links: Vec<Map<String, Value>>,
) -> ApiResult<Vec<Value>> {
    let mut out = Vec::new();
    for l in links {
        let has_password = fennec_store::on!(exec, c => sqlx::query_scalar::<_, Option<String>>(
            "SELECT password FROM playlist_share_links WHERE id = $1")
            .bind(id_of(&l)).fetch_optional(&mut *c).await
            .map_err(fennec_store::StoreError::from)?)
        .flatten()
        .is_some_and(|p| !p.is_empty());
        out.push(Value::Object(logic::present_link(&l, has_password)));
    }
    Ok(out)
}

/// GET /data/playlists/{playlist_id}/share — the active share links.
async fn share_links(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(playlist_id): Path<String>,
) -> ApiResult<Json<Value>> {
    let mut conn = state.db.conn().await?;
    let playlist = open_for_sharing(&mut conn, &user, &playlist_id).await?;
    let select = rows::Select::default()
        .eq("playlist_id", SqlValue::Uuid(id_of(&playlist)))
        .eq("is_active", SqlValue::Bool(true));
    let links = rows::list(&mut conn, &models::PLAYLIST_SHARE_LINK, &select, false).await?;
    Ok(Json(Value::Array(present_links(&mut conn, links).await?)))
}

/// POST /data/playlists/{playlist_id}/share — a new link (201): a random
/// token, an optional expiry (a day lasts to its end) and a bcrypt-hashed
/// password.
async fn new_share_link(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(playlist_id): Path<String>,
    SchemaBody(body): SchemaBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let mut tx = state.db.begin().await?;
    let playlist = open_for_sharing(&mut tx, &user, &playlist_id).await?;
    let mut errors = Vec::new();
    let text = |key: &str, errors: &mut Vec<(String, String)>| match body.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            errors.push((key.to_owned(), "Input should be a valid string".to_owned()));
            None
        }
    };
    let expiration = text("expiration_date", &mut errors);
    let password = text("password", &mut errors);
    let can_comment = match body.get("can_comment") {
        None => true,
        Some(v) => crate::extract::schema_bool(v)
            .map_err(|m| errors.push(("can_comment".into(), m.into())))
            .unwrap_or(true),
    };
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let expiration =
        match expiration {
            None => None,
            Some(s) => Some(expiry(&s).ok_or_else(|| {
                ApiError::bad_request(format!("{s} is not a valid ISO 8601 date"))
            })?),
        };
    let hash = match password {
        Some(p) => Some(crate::auth::password::hash(&p, state.config.bcrypt_cost).await?),
        None => None,
    };
    let m = &models::PLAYLIST_SHARE_LINK;
    let col = |n: &str| m.column(n).expect("share link column");
    let mut values = vec![
        (col("token"), SqlValue::Text(Uuid::new_v4().to_string())),
        (col("playlist_id"), SqlValue::Uuid(id_of(&playlist))),
        (col("created_by"), SqlValue::Uuid(user.id)),
        (col("can_comment"), SqlValue::Bool(can_comment)),
        (col("is_active"), SqlValue::Bool(true)),
    ];
    if let Some(at) = expiration {
        values.push((col("expiration_date"), SqlValue::DateTime(at)));
    }
    let has_password = hash.is_some();
    if let Some(h) = hash {
        values.push((col("password"), SqlValue::Text(h)));
    }
    let row = rows::insert(&mut tx, m, values).await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(Value::Object(logic::present_link(&row, has_password))),
    ))
}

/// Zou's `_get_expiration_datetime`: a day lasts to its last second, a
/// datetime is taken as given (an offset dropped, as Zou stores it).
fn expiry(s: &str) -> Option<chrono::NaiveDateTime> {
    if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return d.and_hms_micro_opt(23, 59, 59, 999_999);
    }
    if let Ok(dt) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(dt.naive_local());
    }
    [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
    ]
    .iter()
    .find_map(|f| chrono::NaiveDateTime::parse_from_str(s, f).ok())
}

/// DELETE /data/playlists/{playlist_id}/share/{token} — the link turned
/// inactive (kept), answered as Zou serialises it (200).
async fn revoke_share_link(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((playlist_id, token)): Path<(String, String)>,
) -> ApiResult<Response> {
    let mut tx = state.db.begin().await?;
    let playlist = open_for_sharing(&mut tx, &user, &playlist_id).await?;
    let select = rows::Select::default().eq("token", SqlValue::Text(token));
    let link = rows::list(&mut tx, &models::PLAYLIST_SHARE_LINK, &select, false)
        .await?
        .into_iter()
        .next()
        .filter(|l| uuid_field(l, "playlist_id") == Some(id_of(&playlist)))
        .ok_or_else(ApiError::not_found)?;
    let column = models::PLAYLIST_SHARE_LINK
        .column("is_active")
        .expect("is_active");
    let row = rows::update(
        &mut tx,
        &models::PLAYLIST_SHARE_LINK,
        id_of(&link),
        vec![(column, SqlValue::Bool(false))],
    )
    .await?
    .ok_or_else(ApiError::not_found)?;
    let mut out = present_links(&mut tx, vec![row]).await?;
    tx.commit().await?;
    Ok(Json(out.pop().unwrap_or(Value::Null)).into_response())
}

/// GET /data/playlists/{playlist_id}/download/zip — gazu's
/// `download_playlist_zip` (playlist_zip.rs).
async fn download_zip(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(playlist_id): Path<String>,
) -> ApiResult<axum::response::Response> {
    crate::playlist_zip::download(&state, &user, &playlist_id).await
}
