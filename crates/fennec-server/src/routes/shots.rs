//! Zou's `shots`, `assets` and `scenes` blueprints: the production
//! hierarchy (episodes › sequences › shots, scenes; assets by type).

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use fennec_api::models::{self};
use fennec_store::db::Exec;
use fennec_store::rows::{self, Filter, Row, Select};
use fennec_store::SqlValue;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::permissions::{check_manager_project_access, check_project_access};
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::{path_id, Path, QueryPairs, SchemaBody};
use crate::generic_crud::{self as crud, resource, Scope};
use crate::hierarchy::{create_entity_of_type, get_or_create_entity};
use crate::present::{id_of, uuid_field, EntityTypes};
use crate::with_tasks;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/data/projects/{id}/quotas/{task_type_id}",
            get(project_quotas),
        )
        .route(
            "/data/projects/{id}/quotas/persons/{person_id}",
            get(person_quotas),
        )
        .route(
            "/data/projects/{id}/episodes",
            get(project_episodes).post(new_episode),
        )
        .route(
            "/data/projects/{id}/sequences",
            get(project_sequences).post(new_sequence),
        )
        .route(
            "/data/projects/{id}/shots",
            get(project_shots).post(new_shot),
        )
        .route(
            "/data/projects/{id}/scenes",
            get(project_scenes).post(new_scene),
        )
        .route("/data/projects/{id}/assets", get(project_assets))
        .route(
            "/data/projects/{id}/edits",
            get(project_edits).post(new_edit),
        )
        .route("/data/edits/all", get(all_edits))
        .route("/data/scenes/all", get(all_scenes))
        .route(
            "/data/projects/{id}/asset-types/{type_id}/assets/new",
            post(new_asset),
        )
        .route("/data/episodes/{id}/sequences", get(episode_sequences))
        .route("/data/episodes/{id}/shots", get(episode_shots))
        .route("/data/shots/{id}/assets", get(shot_assets))
        .route("/data/shots/{id}/preview-files", get(shot_previews))
        .route("/data/edits/{id}/preview-files", get(edit_previews))
        .route("/data/shots/{id}/asset-types", get(shot_asset_types))
        .route("/data/projects/{id}/asset-types", get(project_asset_types))
        .route(
            "/data/projects/{id}/asset-types/{type_id}/assets",
            get(project_type_assets),
        )
        .route("/data/sequences/{id}/shots", get(sequence_shots))
        .route("/data/sequences/{id}/scenes", get(sequence_scenes))
        .route("/data/shots/all", get(all_shots))
        .route("/data/assets/all", get(all_assets))
        .route("/data/shots/with-tasks", get(shots_with_tasks))
        .route("/data/sequences/with-tasks", get(sequences_with_tasks))
        .route("/data/episodes/with-tasks", get(episodes_with_tasks))
        .route("/data/scenes/with-tasks", get(scenes_with_tasks))
        .route("/data/edits/with-tasks", get(edits_with_tasks))
}

/// The project of a path, 404 when it does not exist.
async fn project(exec: &mut impl Exec, id: &str) -> ApiResult<Uuid> {
    let id = path_id(id)?;
    rows::get(exec, &models::PROJECT, id, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(id)
}

fn name_of(body: &Map<String, Value>) -> ApiResult<String> {
    let invalid = |m: &str| Err(ApiError::validation(vec![("name".into(), m.into())]));
    // pydantic's checks of the other fields Zou's schemas type.
    for (key, ok, message) in [
        (
            "description",
            body.get("description")
                .is_none_or(|v| v.is_null() || v.is_string()),
            "Input should be a valid string",
        ),
        (
            "data",
            body.get("data")
                .is_none_or(|v| v.is_null() || v.is_object()),
            "Input should be a valid dictionary",
        ),
        (
            "nb_frames",
            body.get("nb_frames")
                .is_none_or(|v| !v.as_f64().is_some_and(|f| f.fract() != 0.0)),
            "Input should be a valid integer, got a number with a fractional part",
        ),
    ] {
        if !ok {
            return Err(ApiError::validation(vec![(key.into(), message.into())]));
        }
    }
    match body.get("name") {
        Some(Value::String(n)) if n.is_empty() => {
            return invalid("String should have at least 1 character")
        }
        Some(v) if !v.is_string() && !v.is_null() => {
            return invalid("Input should be a valid string")
        }
        _ => {}
    }
    match body.get("name").and_then(Value::as_str).map(str::trim) {
        Some(n) if !n.is_empty() => Ok(n.to_owned()),
        _ => Err(ApiError::validation(vec![(
            "name".into(),
            "Field required".into(),
        )])),
    }
}

/// Why a string is not a UUID, in pydantic's words.
fn uuid_problem(s: &str) -> String {
    match s
        .chars()
        .enumerate()
        .find(|(_, c)| !(c.is_ascii_hexdigit() || *c == '-'))
    {
        Some((i, c)) => format!("invalid character: found `{c}` at {}", i + 1),
        None => format!(
            "invalid length: expected length 32 for simple format, found {}",
            s.chars().filter(|c| *c != '-').count()
        ),
    }
}

/// A parent given in a body (`episode_id`, `sequence_id`): it must be an
/// entity of `kind` in the project.
async fn parent(
    exec: &mut impl Exec,
    body: &Map<String, Value>,
    key: &str,
    kind: &str,
    project_id: Uuid,
) -> ApiResult<Option<Uuid>> {
    let Some(v) = body.get(key).filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let id = match v.as_str() {
        Some(s) => Uuid::parse_str(s).map_err(|_| {
            ApiError::validation(vec![(
                key.to_owned(),
                format!("Input should be a valid UUID, {}", uuid_problem(s)),
            )])
        })?,
        None => {
            return Err(ApiError::validation(vec![(
                key.to_owned(),
                "UUID input should be a string, bytes or UUID object".into(),
            )]))
        }
    };
    let row = rows::get(exec, &models::ENTITY, id, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let types = EntityTypes::load(exec).await?;
    // Zou looks the parent up as an entity of that kind: another is 404.
    let ok = uuid_field(&row, "entity_type_id").map(|t| types.kind(t) == kind) == Some(true)
        && uuid_field(&row, "project_id") == Some(project_id);
    if !ok {
        return Err(ApiError::not_found());
    }
    Ok(Some(id))
}

async fn create_in_project(
    state: &AppState,
    user: &CurrentUser,
    project_id: &str,
    kind: &str,
    parent_key: Option<(&str, &str)>,
    body: Map<String, Value>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    // Zou validates the body before it looks anything up.
    let name = name_of(&body)?;
    let mut tx = state.db.begin().await?;
    let project_id = project(&mut tx, project_id).await?;
    check_manager_project_access(&mut tx, user, project_id).await?;
    let parent_id = match parent_key {
        Some((key, parent_kind)) => parent(&mut tx, &body, key, parent_kind, project_id).await?,
        None => None,
    };
    let row =
        get_or_create_entity(&mut tx, project_id, kind, parent_id, &name, &body, user.id).await?;
    tx.commit().await?;
    // Scene and Concept entity types are created on first use.
    state.refs.invalidate();
    Ok((StatusCode::CREATED, Json(Value::Object(row))))
}

/// POST /data/projects/{id}/episodes
async fn new_episode(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    SchemaBody(body): SchemaBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    create_in_project(&s, &user, &id, "Episode", None, body).await
}

/// POST /data/projects/{id}/sequences
async fn new_sequence(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    SchemaBody(body): SchemaBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    create_in_project(
        &s,
        &user,
        &id,
        "Sequence",
        Some(("episode_id", "Episode")),
        body,
    )
    .await
}

/// POST /data/projects/{id}/shots
async fn new_shot(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    SchemaBody(body): SchemaBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    create_in_project(
        &s,
        &user,
        &id,
        "Shot",
        Some(("sequence_id", "Sequence")),
        body,
    )
    .await
}

/// POST /data/projects/{id}/scenes
async fn new_scene(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    SchemaBody(body): SchemaBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    create_in_project(
        &s,
        &user,
        &id,
        "Scene",
        Some(("sequence_id", "Sequence")),
        body,
    )
    .await
}

/// POST /data/projects/{id}/edits — Zou's edits blueprint; an edit may
/// belong to an episode.
async fn new_edit(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    SchemaBody(body): SchemaBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    create_in_project(
        &s,
        &user,
        &id,
        "Edit",
        Some(("episode_id", "Episode")),
        body,
    )
    .await
}

/// POST /data/projects/{id}/asset-types/{type_id}/assets/new
async fn new_asset(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((project_id, type_id)): Path<(String, String)>,
    SchemaBody(body): SchemaBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let mut tx = state.db.begin().await?;
    let project_id = project(&mut tx, &project_id).await?;
    let type_id = path_id(&type_id)?;
    let types = EntityTypes::load(&mut tx).await?;
    if types.name(type_id).is_none() || types.kind(type_id) != "Asset" {
        return Err(ApiError::not_found());
    }
    check_manager_project_access(&mut tx, &user, project_id).await?;
    let name = name_of(&body)?;
    // Zou's NewAssetSchema reads the asset's episode as `episode_id` and
    // stores it as the asset's source (what the asset board's `episode_id`
    // and its episode filter read).
    let mut body = body;
    if let Some(v) = body.get("episode_id").filter(|v| !v.is_null()) {
        let episode = match v.as_str() {
            Some(s) => Uuid::parse_str(s).map_err(|_| {
                ApiError::validation(vec![(
                    "episode_id".into(),
                    format!("Input should be a valid UUID, {}", uuid_problem(s)),
                )])
            })?,
            None => {
                return Err(ApiError::validation(vec![(
                    "episode_id".into(),
                    "UUID input should be a string, bytes or UUID object".into(),
                )]))
            }
        };
        body.insert("source_id".into(), Value::String(episode.to_string()));
    }
    let mut row = create_entity_of_type(
        &mut tx, project_id, type_id, "Asset", None, &name, &body, user.id,
    )
    .await?;
    types.type_entity(&mut row);
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Value::Object(row))))
}

/// Entities of `scope` matching `filters` plus the query string's.
async fn entities(
    exec: &mut impl Exec,
    scope: Scope,
    mut filters: Vec<Filter>,
    query: &QueryPairs,
    resource_name: &str,
) -> ApiResult<Vec<Row>> {
    let res = resource(resource_name).expect("known resource");
    let types = EntityTypes::load(exec).await?;
    filters.extend(crud::filters_from_query(res, query)?);
    filters.extend(crud::scope_filters(scope, &types));
    let select = Select {
        filters,
        ..Default::default()
    };
    let mut list = rows::list(exec, &models::ENTITY, &select, false).await?;
    crud::finish_rows_typed(exec, &models::ENTITY, &mut list, false, Some(&types)).await?;
    Ok(list)
}

fn json_list(rows: Vec<Row>) -> Json<Value> {
    Json(Value::Array(rows.into_iter().map(Value::Object).collect()))
}

async fn project_children(
    state: &AppState,
    user: &CurrentUser,
    project_id: &str,
    name: &str,
    query: &QueryPairs,
) -> ApiResult<Json<Value>> {
    let mut conn = state.db.conn().await?;
    // Zou's asset list does not look the project up: an admin asking for
    // a project that does not exist gets an empty list.
    let project_id = if name == "assets" {
        path_id(project_id)?
    } else {
        project(&mut conn, project_id).await?
    };
    check_project_access(&mut conn, user, project_id).await?;
    let res = resource(name).expect("known resource");
    let mut f = vec![Filter::Eq("project_id", SqlValue::Uuid(project_id))];
    if user.role == crate::auth::user::Role::Vendor {
        // Zou keeps in a vendor's lists the entities he holds a task on.
        let reached = crate::reach::vendor_entities(&mut conn, user).await?;
        f.push(Filter::In(
            "id",
            reached.into_iter().map(SqlValue::Uuid).collect(),
        ));
    }
    Ok(json_list(
        entities(&mut conn, res.scope, f, query, name).await?,
    ))
}

/// GET /data/projects/{id}/episodes
async fn project_episodes(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    q: QueryPairs,
) -> ApiResult<Json<Value>> {
    project_children(&s, &user, &id, "episodes", &q).await
}

/// GET /data/projects/{id}/sequences
async fn project_sequences(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    q: QueryPairs,
) -> ApiResult<Json<Value>> {
    project_children(&s, &user, &id, "sequences", &q).await
}

/// GET /data/projects/{id}/shots
async fn project_shots(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    q: QueryPairs,
) -> ApiResult<Json<Value>> {
    project_children(&s, &user, &id, "shots", &q).await
}

/// GET /data/projects/{id}/scenes
async fn project_scenes(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    q: QueryPairs,
) -> ApiResult<Json<Value>> {
    project_children(&s, &user, &id, "scenes", &q).await
}

/// GET /data/projects/{id}/edits
async fn project_edits(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    q: QueryPairs,
) -> ApiResult<Json<Value>> {
    project_children(&s, &user, &id, "edits", &q).await
}

/// GET /data/projects/{id}/assets
async fn project_assets(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    q: QueryPairs,
) -> ApiResult<Json<Value>> {
    project_children(&s, &user, &id, "assets", &q).await
}

/// Children of an entity of `parent_kind` (sequences of an episode, …).
async fn children(
    state: &AppState,
    user: &CurrentUser,
    parent_id: &str,
    parent_kind: &str,
    name: &str,
    query: &QueryPairs,
) -> ApiResult<Json<Value>> {
    // Zou filters an episode's sequences by the id without looking the
    // episode up: a malformed one lists nothing.
    if parent_kind == "Episode" && Uuid::parse_str(parent_id).is_err() {
        return Ok(Json(Value::Array(vec![])));
    }
    let parent_id = path_id(parent_id)?;
    let mut conn = state.db.conn().await?;
    let parent = rows::get(&mut conn, &models::ENTITY, parent_id, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let types = EntityTypes::load(&mut conn).await?;
    if uuid_field(&parent, "entity_type_id").map(|t| types.kind(t).to_owned())
        != Some(parent_kind.to_owned())
    {
        return Err(ApiError::not_found());
    }
    if let Some(p) = uuid_field(&parent, "project_id") {
        check_project_access(&mut conn, user, p).await?;
    }
    let res = resource(name).expect("known resource");
    let mut f = vec![Filter::Eq("parent_id", SqlValue::Uuid(id_of(&parent)))];
    if user.role == crate::auth::user::Role::Vendor {
        let reached = crate::reach::vendor_entities(&mut conn, user).await?;
        f.push(Filter::In(
            "id",
            reached.into_iter().map(SqlValue::Uuid).collect(),
        ));
    }
    Ok(json_list(
        entities(&mut conn, res.scope, f, query, name).await?,
    ))
}

/// GET /data/episodes/{id}/sequences
async fn episode_sequences(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    q: QueryPairs,
) -> ApiResult<Json<Value>> {
    children(&s, &user, &id, "Episode", "sequences", &q).await
}

/// GET /data/sequences/{id}/shots
async fn sequence_shots(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    q: QueryPairs,
) -> ApiResult<Json<Value>> {
    let Json(list) = children(&s, &user, &id, "Sequence", "shots", &q).await?;
    let mut rows: Vec<Row> = match list {
        Value::Array(items) => items
            .into_iter()
            .filter_map(|v| match v {
                Value::Object(m) => Some(m),
                _ => None,
            })
            .collect(),
        _ => vec![],
    };
    let mut conn = s.db.conn().await?;
    add_shot_names(&mut conn, &mut rows).await?;
    Ok(json_list(rows))
}

/// GET /data/episodes/{id}/shots — the shots of the episode's sequences.
async fn episode_shots(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let episode = path_id(&id)?;
    let mut conn = s.db.conn().await?;
    let row = rows::get(&mut conn, &models::ENTITY, episode, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let types = EntityTypes::load(&mut conn).await?;
    if uuid_field(&row, "entity_type_id").map(|t| types.kind(t)) != Some("Episode") {
        return Err(ApiError::not_found());
    }
    let project = uuid_field(&row, "project_id").unwrap_or_default();
    check_project_access(&mut conn, &user, project).await?;
    crate::reach::check_entity_access(&mut conn, &user, Some(episode)).await?;
    let sequences: Vec<SqlValue> = rows::list(
        &mut conn,
        &models::ENTITY,
        &Select::default().eq("parent_id", SqlValue::Uuid(episode)),
        false,
    )
    .await?
    .iter()
    .map(|r| SqlValue::Uuid(id_of(r)))
    .collect();
    let f = vec![Filter::In("parent_id", sequences)];
    Ok(json_list(
        entities(
            &mut conn,
            Scope::EntityKind("Shot"),
            f,
            &QueryPairs(vec![]),
            "shots",
        )
        .await?,
    ))
}

/// The assets cast in a shot (Zou's `entities_out`), after the shot's
/// checks: it must be a shot of a production the caller belongs to.
async fn cast_assets(
    exec: &mut impl Exec,
    user: &CurrentUser,
    shot: &str,
    vendor_reach: bool,
) -> ApiResult<Vec<Row>> {
    let shot = path_id(shot)?;
    let row = rows::get(exec, &models::ENTITY, shot, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let types = EntityTypes::load(exec).await?;
    if uuid_field(&row, "entity_type_id").map(|t| types.kind(t)) != Some("Shot") {
        return Err(ApiError::not_found());
    }
    check_project_access(
        exec,
        user,
        uuid_field(&row, "project_id").unwrap_or_default(),
    )
    .await?;
    if vendor_reach {
        crate::reach::check_entity_access(exec, user, Some(shot)).await?;
    }
    let ids = fennec_store::breakdown::entities_out(exec, shot).await?;
    let mut assets = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(mut a) = rows::get(exec, &models::ENTITY, id, false).await? {
            crud::finish_rows_typed(
                exec,
                &models::ENTITY,
                std::slice::from_mut(&mut a),
                false,
                Some(&types),
            )
            .await?;
            assets.push(a);
        }
    }
    Ok(assets)
}

/// GET /data/shots/{shot_id}/preview-files — Zou's
/// `get_entity_previews_by_task_type` for a shot.
async fn shot_previews(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    crate::previews::entity_previews(&state, &user, &id, "Shot").await
}

/// GET /data/edits/{edit_id}/preview-files — the same for an edit (Zou's
/// edits blueprint).
async fn edit_previews(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    crate::previews::entity_previews(&state, &user, &id, "Edit").await
}

/// GET /data/shots/{id}/assets — Zou's `get_entity_casting`: the assets
/// cast in the shot, serialised as assets.
async fn shot_assets(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let mut conn = s.db.conn().await?;
    Ok(json_list(cast_assets(&mut conn, &user, &id, true).await?))
}

/// GET /data/shots/{id}/asset-types — the types of the assets cast in the
/// shot (Zou checks no vendor reach here).
async fn shot_asset_types(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let mut conn = s.db.conn().await?;
    let assets = cast_assets(&mut conn, &user, &id, false).await?;
    Ok(json_list(asset_types_of(&mut conn, &assets).await?))
}

/// GET /data/projects/{id}/asset-types — the asset types the production's
/// assets are of (Zou's `get_asset_types_for_project`).
async fn project_asset_types(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let project = path_id(&id)?;
    let mut conn = s.db.conn().await?;
    check_project_access(&mut conn, &user, project).await?;
    let types = EntityTypes::load(&mut conn).await?;
    let assets = rows::list(
        &mut conn,
        &models::ENTITY,
        &Select::default()
            .eq("project_id", SqlValue::Uuid(project))
            .filter(crud::scope_filters(Scope::Assets, &types).remove(0)),
        false,
    )
    .await?;
    Ok(json_list(asset_types_of(&mut conn, &assets).await?))
}

/// The types of `assets`, as Zou's `serialize_asset_types` writes them:
/// without their relations (no `task_types`).
async fn asset_types_of(exec: &mut impl Exec, assets: &[Row]) -> ApiResult<Vec<Row>> {
    let ids: Vec<SqlValue> = assets
        .iter()
        .filter_map(|a| uuid_field(a, "entity_type_id"))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .map(SqlValue::Uuid)
        .collect();
    let mut list = rows::list(
        exec,
        &models::ASSET_TYPE,
        &Select::default().filter(Filter::In("id", ids)),
        false,
    )
    .await?;
    for r in list.iter_mut() {
        r.shift_remove("task_types");
        r.insert("type".into(), Value::String("AssetType".into()));
    }
    Ok(list)
}

/// GET /data/projects/{id}/asset-types/{type_id}/assets — Zou's
/// `get_assets` with the production and the type as criteria.
async fn project_type_assets(
    State(s): State<AppState>,
    user: CurrentUser,
    Path((id, type_id)): Path<(String, String)>,
    q: QueryPairs,
) -> ApiResult<Json<Value>> {
    let project = path_id(&id)?;
    let asset_type = path_id(&type_id)?;
    let mut conn = s.db.conn().await?;
    check_project_access(&mut conn, &user, project).await?;
    let mut f = vec![
        Filter::Eq("project_id", SqlValue::Uuid(project)),
        Filter::Eq("entity_type_id", SqlValue::Uuid(asset_type)),
    ];
    if user.role == crate::auth::user::Role::Vendor {
        let reached = crate::reach::vendor_entities(&mut conn, &user).await?;
        f.push(Filter::In(
            "id",
            reached.into_iter().map(SqlValue::Uuid).collect(),
        ));
    }
    Ok(json_list(
        entities(&mut conn, Scope::Assets, f, &q, "assets").await?,
    ))
}

/// GET /data/sequences/{id}/scenes
async fn sequence_scenes(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    q: QueryPairs,
) -> ApiResult<Json<Value>> {
    children(&s, &user, &id, "Sequence", "scenes", &q).await
}

/// Project filter for non-admins on cross-project lists.
async fn member_filter(exec: &mut impl Exec, user: &CurrentUser) -> ApiResult<Vec<Filter>> {
    if user.is_admin() {
        return Ok(vec![]);
    }
    let ids = crud::visible_projects(exec, user).await?;
    Ok(vec![Filter::In(
        "project_id",
        ids.into_iter().map(SqlValue::Uuid).collect(),
    )])
}

/// GET /data/shots/all — shots with their `project_name` and
/// `sequence_name` (gazu's `get_shot_by_name` reads this).
async fn all_shots(
    State(state): State<AppState>,
    user: CurrentUser,
    q: QueryPairs,
) -> ApiResult<Json<Value>> {
    let mut conn = state.db.conn().await?;
    let f = member_filter(&mut conn, &user).await?;
    let mut list = entities(&mut conn, Scope::EntityKind("Shot"), f, &q, "shots").await?;
    add_shot_names(&mut conn, &mut list).await?;
    Ok(json_list(list))
}

/// GET /data/edits/all — edits with their `project_name` (gazu's
/// `get_edit_by_name` reads this).
async fn all_edits(
    State(state): State<AppState>,
    user: CurrentUser,
    q: QueryPairs,
) -> ApiResult<Json<Value>> {
    let mut conn = state.db.conn().await?;
    let f = member_filter(&mut conn, &user).await?;
    let mut list = entities(&mut conn, Scope::EntityKind("Edit"), f, &q, "edits").await?;
    add_names(&mut conn, &mut list, &[PROJECT_NAME]).await?;
    Ok(json_list(list))
}

/// GET /data/scenes/all — scenes with their `project_name` and
/// `sequence_name` (gazu's `get_scene_by_name` reads this); vendors are
/// refused, as Zou's ScenesResource refuses them.
async fn all_scenes(
    State(state): State<AppState>,
    user: CurrentUser,
    q: QueryPairs,
) -> ApiResult<Json<Value>> {
    if user.role == crate::auth::user::Role::Vendor {
        return Err(ApiError::forbidden());
    }
    let mut conn = state.db.conn().await?;
    if let Some(p) = q.get("project_id").and_then(|p| Uuid::parse_str(p).ok()) {
        check_project_access(&mut conn, &user, p).await?;
    }
    let f = member_filter(&mut conn, &user).await?;
    let mut list = entities(&mut conn, Scope::EntityKind("Scene"), f, &q, "scenes").await?;
    add_shot_names(&mut conn, &mut list).await?;
    Ok(json_list(list))
}

/// GET /data/assets/all
async fn all_assets(
    State(state): State<AppState>,
    user: CurrentUser,
    q: QueryPairs,
) -> ApiResult<Json<Value>> {
    let mut conn = state.db.conn().await?;
    let f = member_filter(&mut conn, &user).await?;
    Ok(json_list(
        entities(&mut conn, Scope::Assets, f, &q, "assets").await?,
    ))
}

/// A name to add to listed rows: the id column, the model it names, the key.
type NameOf = (&'static str, &'static models::Model, &'static str);
const PROJECT_NAME: NameOf = ("project_id", &models::PROJECT, "project_name");

/// Zou's shot lists carry `project_name` and `sequence_name` after `type`.
async fn add_shot_names(conn: &mut impl Exec, list: &mut [Row]) -> ApiResult<()> {
    add_names(
        conn,
        list,
        &[
            PROJECT_NAME,
            ("parent_id", &models::ENTITY, "sequence_name"),
        ],
    )
    .await
}

/// Adds each of `names` to every row, looking each named row up once.
async fn add_names(conn: &mut impl Exec, list: &mut [Row], names: &[NameOf]) -> ApiResult<()> {
    let mut found: std::collections::HashMap<Uuid, Option<Value>> = Default::default();
    for row in list.iter_mut() {
        for (key, model, field) in names {
            let name = match uuid_field(row, key) {
                Some(id) => {
                    if let std::collections::hash_map::Entry::Vacant(e) = found.entry(id) {
                        let n = rows::get(conn, model, id, false)
                            .await?
                            .and_then(|r| r.get("name").cloned());
                        e.insert(n);
                    }
                    found[&id].clone().unwrap_or(Value::Null)
                }
                None => Value::Null,
            };
            row.insert((*field).into(), name);
        }
    }
    Ok(())
}

/// GET /data/shots/with-tasks[?project_id=&episode_id=&id=&compact=true&stream=true]
/// — Kitsu's shot board.
async fn shots_with_tasks(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: axum::http::HeaderMap,
    q: QueryPairs,
) -> ApiResult<axum::response::Response> {
    with_tasks::shots_route(&state.db, &user, &headers, &q).await
}

/// GET /data/sequences/with-tasks[?project_id=&episode_id=]
async fn sequences_with_tasks(
    State(state): State<AppState>,
    user: CurrentUser,
    q: QueryPairs,
) -> ApiResult<axum::response::Response> {
    with_tasks::generic_route(&state.db, &user, &q, with_tasks::Generic::Sequence).await
}

/// GET /data/episodes/with-tasks[?project_id=]
async fn episodes_with_tasks(
    State(state): State<AppState>,
    user: CurrentUser,
    q: QueryPairs,
) -> ApiResult<axum::response::Response> {
    with_tasks::generic_route(&state.db, &user, &q, with_tasks::Generic::Episode).await
}

/// GET /data/scenes/with-tasks[?project_id=&episode_id=]
async fn scenes_with_tasks(
    State(state): State<AppState>,
    user: CurrentUser,
    q: QueryPairs,
) -> ApiResult<axum::response::Response> {
    with_tasks::generic_route(&state.db, &user, &q, with_tasks::Generic::Scene).await
}

/// GET /data/edits/with-tasks[?project_id=&episode_id=&id=]
async fn edits_with_tasks(
    State(state): State<AppState>,
    user: CurrentUser,
    q: QueryPairs,
) -> ApiResult<axum::response::Response> {
    with_tasks::edits_route(&state.db, &user, &q).await
}

/// The caller's timezone, for the quota day keys.
async fn caller_timezone(exec: &mut impl Exec, user: &CurrentUser) -> ApiResult<chrono_tz::Tz> {
    let setting = fennec_store::quotas::person_timezone(exec, user.id).await?;
    Ok(crate::quotas::timezone(setting.flatten().as_deref()))
}

/// A production's fps for its quotas, 404 when it does not exist.
async fn quota_project(exec: &mut impl Exec, id: &str) -> ApiResult<(Uuid, f64)> {
    let id = path_id(id)?;
    let fps = fennec_store::quotas::project_fps(exec, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok((id, fps))
}

/// GET /data/projects/{project_id}/quotas/{task_type_id} — gazu's
/// `get_project_quotas`: the team's shots done per person and in total.
/// Zou lets any team member but a client read them.
async fn project_quotas(
    State(s): State<AppState>,
    user: CurrentUser,
    Path((id, task_type)): Path<(String, String)>,
    query: QueryPairs,
) -> ApiResult<Json<Value>> {
    let mut conn = s.db.conn().await?;
    let (project, fps) = quota_project(&mut conn, &id).await?;
    check_project_access(&mut conn, &user, project).await?;
    let on = crate::auth::permissions::on_project(&mut conn, &user, project).await?;
    if on.role == crate::auth::user::Role::Client {
        return Err(ApiError::forbidden());
    }
    let (weighted, feedback) = crate::quotas::count_mode(query.get("count_mode"))?;
    // Zou filters on the ids as given: one that is no id matches nothing.
    let Ok(task_type) = Uuid::parse_str(&task_type) else {
        return Ok(Json(Value::Object(Map::new())));
    };
    let studio = match query.get("studio_id").map(Uuid::parse_str) {
        Some(Err(_)) => return Ok(Json(Value::Object(Map::new()))),
        other => other.and_then(Result::ok),
    };
    let scope = fennec_store::quotas::QuotaScope {
        project,
        task_type: Some(task_type),
        person: None,
        studio,
        feedback,
    };
    let tz = caller_timezone(&mut conn, &user).await?;
    Ok(Json(
        crate::quotas::quotas(&mut conn, &scope, weighted, fps, tz).await?,
    ))
}

/// GET /data/projects/{project_id}/quotas/persons/{person_id} — gazu's
/// `get_project_person_quotas`: one person's shots done per task type.
/// Managers and supervisors of the production read anyone's, others their
/// own; clients none.
async fn person_quotas(
    State(s): State<AppState>,
    user: CurrentUser,
    Path((id, person)): Path<(String, String)>,
    query: QueryPairs,
) -> ApiResult<Json<Value>> {
    use crate::auth::user::Role;
    let mut conn = s.db.conn().await?;
    let (project, fps) = quota_project(&mut conn, &id).await?;
    let on = crate::auth::permissions::on_project(&mut conn, &user, project).await?;
    if on.role == Role::Client {
        return Err(ApiError::forbidden());
    }
    if matches!(on.role, Role::Manager | Role::Supervisor) {
        check_project_access(&mut conn, &user, project).await?;
    } else if !user.is_admin() && user.id.to_string() != person {
        return Err(ApiError::forbidden());
    }
    let (weighted, feedback) = crate::quotas::count_mode(query.get("count_mode"))?;
    let person = Uuid::parse_str(&person).map_err(|_| ApiError::not_found())?;
    if fennec_store::quotas::person_timezone(&mut conn, person)
        .await?
        .is_none()
    {
        return Err(ApiError::not_found());
    }
    let studio = match query.get("studio_id").map(Uuid::parse_str) {
        Some(Err(_)) => return Ok(Json(Value::Object(Map::new()))),
        other => other.and_then(Result::ok),
    };
    let scope = fennec_store::quotas::QuotaScope {
        project,
        task_type: None,
        person: Some(person),
        studio,
        feedback,
    };
    let tz = caller_timezone(&mut conn, &user).await?;
    Ok(Json(
        crate::quotas::quotas(&mut conn, &scope, weighted, fps, tz).await?,
    ))
}
