//! Zou's `breakdown` blueprint: the casting of shots, assets and episodes
//! (entity links), its grouped reads per sequence, episode and asset type,
//! and the production's entity links; plus the assets blueprint's
//! `cast-in`, which reads the same links from the other end; and the
//! shots of a layout scene (Zou's shots blueprint keeps them, as the
//! shot's `source_id`: the scene's side of the breakdown).
//!
//! The writes' rules and events are Zou's `breakdown_service`, in
//! casting.rs.

use axum::extract::State;
use axum::routing::{delete, get, put};
use axum::{Json, Router};
use fennec_api::models;
use fennec_store::breakdown::{self as bd, Cast, Shots};
use fennec_store::db::Exec;
use fennec_store::rows::{self, Row};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::permissions::{check_manager_project_access, check_project_access, on_project};
use crate::auth::user::Role;
use crate::auth::CurrentUser;
use crate::casting::{self, Target, Writer};
use crate::error::{ApiError, ApiResult};
use crate::extract::{path_id, JsonBody, Path, QueryPairs, SchemaBody};
use crate::present::{uuid_field, EntityTypes};
use crate::reach::check_entity_access;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/data/projects/{id}/entities/{entity_id}/casting",
            get(entity_casting).put(update_entity_casting),
        )
        .route("/data/projects/{id}/entities/casting", put(update_castings))
        .route(
            "/data/projects/{id}/entities/casting/assets/{asset_id}",
            put(cast_in_entities),
        )
        .route(
            "/data/projects/{id}/asset-types/{type_id}/casting",
            get(asset_type_casting),
        )
        .route(
            "/data/projects/{id}/episodes/casting",
            get(episodes_casting),
        )
        .route(
            "/data/projects/{id}/sequences/{sequence_id}/casting",
            get(sequence_casting),
        )
        .route(
            "/data/projects/{id}/episodes/{episode_id}/sequences/all/casting",
            get(episode_shots_casting),
        )
        .route(
            "/data/projects/{id}/sequences/all/casting",
            get(project_shots_casting),
        )
        .route(
            "/data/projects/{id}/entity-links",
            get(project_entity_links),
        )
        .route(
            "/data/projects/{id}/entity-links/{link_id}",
            delete(delete_entity_link),
        )
        .route("/data/assets/{id}/cast-in", get(asset_cast_in))
        .route(
            "/data/assets/{id}/asset-asset-instances",
            get(asset_asset_instances).post(new_asset_asset_instance),
        )
        .route(
            "/data/assets/{id}/scene-asset-instances",
            get(asset_scene_instances),
        )
        .route(
            "/data/assets/{id}/shot-asset-instances",
            get(asset_shot_instances),
        )
        .route(
            "/data/scenes/{id}/asset-instances",
            get(scene_asset_instances).post(new_scene_asset_instance),
        )
        .route(
            "/data/scenes/{id}/camera-instances",
            get(scene_camera_instances),
        )
        .route(
            "/data/shots/{id}/asset-instances",
            get(shot_asset_instances).post(add_asset_instance_to_shot),
        )
        .route(
            "/data/shots/{id}/asset-instances/{instance_id}",
            delete(remove_asset_instance_from_shot),
        )
        .route(
            "/data/scenes/{id}/shots",
            get(scene_shots).post(add_shot_to_scene),
        )
        .route(
            "/data/scenes/{id}/shots/{shot_id}",
            delete(remove_shot_from_scene),
        )
}

/// Zou's breakdown reads: the project team, never a vendor.
async fn check_read(exec: &mut impl Exec, user: &CurrentUser, project: Uuid) -> ApiResult<()> {
    check_project_access(exec, user, project).await?;
    if on_project(exec, user, project).await?.role == Role::Vendor {
        return Err(ApiError::forbidden());
    }
    Ok(())
}

async fn entity(exec: &mut impl Exec, id: Uuid) -> ApiResult<Row> {
    rows::get(exec, &models::ENTITY, id, false)
        .await?
        .ok_or_else(ApiError::not_found)
}

/// Zou's `check_entities_belong_to_project`: every entity must exist (404)
/// and be of the production (403).
async fn entities_of_project(
    exec: &mut impl Exec,
    ids: &[Uuid],
    project: Uuid,
) -> ApiResult<Vec<Row>> {
    let mut out = Vec::new();
    for id in ids {
        out.push(entity(exec, *id).await?);
    }
    if out
        .iter()
        .any(|e| uuid_field(e, "project_id") != Some(project))
    {
        return Err(ApiError::forbidden());
    }
    Ok(out)
}

fn cast_rows(casts: &[Cast]) -> Value {
    Value::Array(casts.iter().map(Cast::casting_row).collect())
}

/// GET /data/projects/{project_id}/entities/{entity_id}/casting
async fn entity_casting(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((project, entity_id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let project = path_id(&project)?;
    let entity_id = path_id(&entity_id)?;
    let mut conn = state.db.conn().await?;
    check_read(&mut conn, &user, project).await?;
    entities_of_project(&mut conn, &[entity_id], project).await?;
    Ok(Json(cast_rows(&bd::casting(&mut conn, entity_id).await?)))
}

/// PUT /data/projects/{project_id}/entities/{entity_id}/casting — answers
/// the casting it was sent, as Zou does.
async fn update_entity_casting(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((project, entity_id)): Path<(String, String)>,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Value>> {
    let Value::Array(casting) = &body else {
        return Err(ApiError::new(
            axum::http::StatusCode::BAD_REQUEST,
            json!({"error": true, "message": "Request body must be a JSON array"}),
        ));
    };
    let project = path_id(&project)?;
    let entity_id = path_id(&entity_id)?;
    let mut tx = state.db.begin().await?;
    check_manager_project_access(&mut tx, &user, project).await?;
    let rows = entities_of_project(&mut tx, &[entity_id], project).await?;
    let types = EntityTypes::load(&mut tx).await?;
    let w = Writer {
        caller: user.id,
        project,
    };
    casting::update_casting(&mut tx, &w, &Target::of(&rows[0], &types), casting).await?;
    tx.commit().await?;
    Ok(Json(body))
}

/// PUT /data/projects/{project_id}/entities/casting — several castings at
/// once, `{entity_id: casting}`; answers them as sent.
async fn update_castings(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(project): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Value>> {
    let valid = body
        .as_object()
        .is_some_and(|m| m.values().all(Value::is_array));
    if !valid {
        return Err(ApiError::new(
            axum::http::StatusCode::BAD_REQUEST,
            json!({"error": true, "message": "Request body must be a JSON object mapping entity ids to casting arrays"}),
        ));
    }
    let project = path_id(&project)?;
    let castings = body.as_object().expect("checked");
    let ids = castings
        .keys()
        .map(|k| path_id(k))
        .collect::<ApiResult<Vec<Uuid>>>()?;
    let mut tx = state.db.begin().await?;
    check_manager_project_access(&mut tx, &user, project).await?;
    let rows = entities_of_project(&mut tx, &ids, project).await?;
    let types = EntityTypes::load(&mut tx).await?;
    let w = Writer {
        caller: user.id,
        project,
    };
    for (row, casting) in rows.iter().zip(castings.values()) {
        let casting = casting.as_array().expect("checked");
        casting::update_casting(&mut tx, &w, &Target::of(row, &types), casting).await?;
    }
    tx.commit().await?;
    Ok(Json(body))
}

/// Zou's `CastAssetSchema`.
fn cast_asset_body(
    body: &Map<String, Value>,
) -> ApiResult<(Vec<Uuid>, Option<i64>, Option<String>)> {
    let invalid = |f: &str, m: &str| ApiError::validation(vec![(f.to_owned(), m.to_owned())]);
    let ids = match body.get("entity_ids") {
        None => return Err(invalid("entity_ids", "Field required")),
        Some(Value::Array(a)) if a.is_empty() => {
            return Err(invalid(
                "entity_ids",
                "List should have at least 1 item after validation, not 0",
            ))
        }
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| {
                v.as_str()
                    .and_then(|s| Uuid::parse_str(s).ok())
                    .ok_or_else(|| invalid("entity_ids", "Input should be a valid UUID"))
            })
            .collect::<ApiResult<Vec<Uuid>>>()?,
        Some(_) => return Err(invalid("entity_ids", "Input should be a valid list")),
    };
    let nb = match body.get("nb_occurences") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_i64() {
            Some(n) if n >= 0 => Some(n),
            Some(_) => {
                return Err(invalid(
                    "nb_occurences",
                    "Input should be greater than or equal to 0",
                ))
            }
            None => return Err(invalid("nb_occurences", "Input should be a valid integer")),
        },
    };
    let label = match body.get("label") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.chars().count() <= 80 => Some(s.clone()),
        Some(Value::String(_)) => {
            return Err(invalid("label", "String should have at most 80 characters"))
        }
        Some(_) => return Err(invalid("label", "Input should be a valid string")),
    };
    Ok((ids, nb, label))
}

/// PUT /data/projects/{project_id}/entities/casting/assets/{asset_id} —
/// Zou's `cast_asset` / `uncast_asset` in each entity: the rest of each
/// casting is left as it is. Answers each entity's casting.
async fn cast_in_entities(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((project, asset)): Path<(String, String)>,
    SchemaBody(body): SchemaBody,
) -> ApiResult<Json<Value>> {
    let (ids, nb, label) = cast_asset_body(&body)?;
    let project = path_id(&project)?;
    let asset = path_id(&asset)?;
    let mut tx = state.db.begin().await?;
    check_manager_project_access(&mut tx, &user, project).await?;
    let types = EntityTypes::load(&mut tx).await?;
    let asset_row = entity(&mut tx, asset).await?;
    if uuid_field(&asset_row, "entity_type_id").map(|t| types.kind(t)) != Some("Asset") {
        return Err(ApiError::not_found());
    }
    let rows = entities_of_project(&mut tx, &ids, project).await?;
    let w = Writer {
        caller: user.id,
        project,
    };
    let mut out = Map::new();
    for row in &rows {
        let target = Target::of(row, &types);
        if nb == Some(0) {
            casting::uncast_asset(&mut tx, &w, &target, asset, true).await?;
        } else {
            casting::cast_asset(&mut tx, &w, &target, asset, nb, label.as_deref()).await?;
        }
        out.insert(
            target.id.to_string(),
            cast_rows(&bd::casting(&mut tx, target.id).await?),
        );
    }
    tx.commit().await?;
    Ok(Json(Value::Object(out)))
}

/// GET /data/projects/{project_id}/asset-types/{asset_type_id}/casting
async fn asset_type_casting(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((project, type_id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let project = path_id(&project)?;
    let type_id = path_id(&type_id)?;
    let mut conn = state.db.conn().await?;
    check_read(&mut conn, &user, project).await?;
    let types = EntityTypes::load(&mut conn).await?;
    if types.name(type_id).is_none() || types.kind(type_id) != "Asset" {
        return Err(ApiError::not_found());
    }
    let casts = bd::asset_type_castings(&mut conn, project, type_id).await?;
    Ok(Json(Value::Object(bd::group(casts, |c| {
        c.grouped_row(false, false)
    }))))
}

/// GET /data/projects/{project_id}/episodes/casting
async fn episodes_casting(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(project): Path<String>,
) -> ApiResult<Json<Value>> {
    let project = path_id(&project)?;
    let mut conn = state.db.conn().await?;
    check_read(&mut conn, &user, project).await?;
    let casts = bd::project_in_castings(&mut conn, project).await?;
    Ok(Json(Value::Object(bd::group(casts, |c| {
        c.grouped_row(false, true)
    }))))
}

async fn shots_casting(
    state: &AppState,
    user: &CurrentUser,
    project: Uuid,
    which: Shots,
) -> ApiResult<Json<Value>> {
    let mut conn = state.db.conn().await?;
    check_read(&mut conn, user, project).await?;
    if let Shots::OfSequence(sequence) = which {
        let types = EntityTypes::load(&mut conn).await?;
        let row = entity(&mut conn, sequence).await?;
        if uuid_field(&row, "entity_type_id").map(|t| types.kind(t)) != Some("Sequence") {
            return Err(ApiError::not_found());
        }
        if uuid_field(&row, "project_id") != Some(project) {
            return Err(ApiError::forbidden());
        }
    }
    let casts = bd::shot_castings(&mut conn, which).await?;
    Ok(Json(Value::Object(bd::group(casts, |c| {
        c.grouped_row(true, true)
    }))))
}

/// GET /data/projects/{project_id}/sequences/{sequence_id}/casting
async fn sequence_casting(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((project, sequence)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let project = path_id(&project)?;
    let sequence = path_id(&sequence)?;
    shots_casting(&state, &user, project, Shots::OfSequence(sequence)).await
}

/// GET /data/projects/{project_id}/episodes/{episode_id}/sequences/all/casting
async fn episode_shots_casting(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((project, episode)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let project = path_id(&project)?;
    // Kitsu's "main" pseudo-episode has no casting of its own.
    if episode == "main" {
        let mut conn = state.db.conn().await?;
        check_read(&mut conn, &user, project).await?;
        return Ok(Json(json!({})));
    }
    let episode = path_id(&episode)?;
    shots_casting(&state, &user, project, Shots::OfEpisode(project, episode)).await
}

/// GET /data/projects/{project_id}/sequences/all/casting
async fn project_shots_casting(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(project): Path<String>,
) -> ApiResult<Json<Value>> {
    let project = path_id(&project)?;
    shots_casting(&state, &user, project, Shots::OfProject(project)).await
}

/// GET /data/projects/{project_id}/entity-links — managers only; `limit`
/// caps the list.
async fn project_entity_links(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(project): Path<String>,
    query: QueryPairs,
) -> ApiResult<Json<Value>> {
    let project = path_id(&project)?;
    let limit =
        match query.get("limit") {
            None => None,
            Some(s) => Some(s.parse::<i64>().map_err(|_| {
                ApiError::bad_request(format!("limit must be an integer, got {s:?}"))
            })?),
        }
        .filter(|l| *l > 0);
    let mut conn = state.db.conn().await?;
    check_manager_project_access(&mut conn, &user, project).await?;
    rows::get(&mut conn, &models::PROJECT, project, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let links = bd::project_links(&mut conn, project, limit).await?;
    // Zou's own dict for this list: no updated_at, created_at in
    // milliseconds.
    let out = links
        .iter()
        .map(|l| {
            json!({
                "id": l.id.to_string(),
                "entity_in_id": l.entity_in_id.to_string(),
                "entity_out_id": l.entity_out_id.to_string(),
                "nb_occurences": l.nb_occurences,
                "label": l.label,
                "data": l.data,
                "created_at": l.created_at.format("%Y-%m-%dT%H:%M:%S%.3f").to_string(),
                "type": "EntityLink",
            })
        })
        .collect();
    Ok(Json(Value::Array(out)))
}

/// DELETE /data/projects/{project_id}/entity-links/{entity_link_id} —
/// Zou's `remove_entity_link`: an uncasting that leaves an episode's shots
/// alone; answers the link as it was.
async fn delete_entity_link(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((project, link_id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let project = path_id(&project)?;
    let link_id = path_id(&link_id)?;
    let mut tx = state.db.begin().await?;
    check_manager_project_access(&mut tx, &user, project).await?;
    let link = bd::link(&mut tx, link_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let rows = entities_of_project(&mut tx, &[link.entity_in_id], project).await?;
    let types = EntityTypes::load(&mut tx).await?;
    let target = Target::of(&rows[0], &types);
    let w = Writer {
        caller: user.id,
        project,
    };
    casting::uncast_asset(&mut tx, &w, &target, link.entity_out_id, false).await?;
    tx.commit().await?;
    Ok(Json(link.serialize()))
}

/// GET /data/assets/{asset_id}/cast-in — the shots, then the assets, an
/// asset is cast in.
async fn asset_cast_in(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(asset): Path<String>,
) -> ApiResult<Json<Value>> {
    let asset = path_id(&asset)?;
    let mut conn = state.db.conn().await?;
    let row = entity(&mut conn, asset).await?;
    let types = EntityTypes::load(&mut conn).await?;
    if uuid_field(&row, "entity_type_id").map(|t| types.kind(t)) != Some("Asset") {
        return Err(ApiError::not_found());
    }
    let project = uuid_field(&row, "project_id").ok_or_else(ApiError::not_found)?;
    check_project_access(&mut conn, &user, project).await?;
    check_entity_access(&mut conn, &user, Some(asset)).await?;
    Ok(Json(Value::Array(bd::cast_in(&mut conn, asset).await?)))
}

/// An entity of the built-in kind `kind`, 404 otherwise (Zou's typed
/// `get_scene` / `get_shot`).
async fn entity_of_kind(exec: &mut impl Exec, id: &str, kind: &str) -> ApiResult<Row> {
    let row = entity(exec, path_id(id)?).await?;
    let types = EntityTypes::load(exec).await?;
    if uuid_field(&row, "entity_type_id").map(|t| types.kind(t)) != Some(kind) {
        return Err(ApiError::not_found());
    }
    Ok(row)
}

async fn scene_access(exec: &mut impl Exec, user: &CurrentUser, scene: &Row) -> ApiResult<()> {
    let project = uuid_field(scene, "project_id").unwrap_or_default();
    check_project_access(exec, user, project).await
}

/// GET /data/scenes/{scene_id}/shots — Zou's `get_shots_by_scene`: the
/// shots whose source is the scene, with their project and sequence names,
/// by name (case-insensitive).
async fn scene_shots(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let mut conn = state.db.conn().await?;
    let scene = entity_of_kind(&mut conn, &id, "Scene").await?;
    scene_access(&mut conn, &user, &scene).await?;
    check_entity_access(&mut conn, &user, uuid_field(&scene, "id")).await?;
    let types = EntityTypes::load(&mut conn).await?;
    let shot_type = types.id_of("Shot").unwrap_or_default();
    let select = rows::Select::default()
        .eq(
            "source_id",
            fennec_store::SqlValue::Uuid(uuid_field(&scene, "id").expect("id")),
        )
        .eq("entity_type_id", fennec_store::SqlValue::Uuid(shot_type));
    let list = rows::list(&mut conn, &models::ENTITY, &select, false).await?;
    let mut out = Vec::new();
    for mut shot in list {
        // Zou joins the sequence: a shot without one is not listed.
        let Some(sequence) = uuid_field(&shot, "parent_id") else {
            continue;
        };
        let Some(sequence) = rows::get(&mut conn, &models::ENTITY, sequence, false).await? else {
            continue;
        };
        let project = match uuid_field(&shot, "project_id") {
            Some(p) => rows::get(&mut conn, &models::PROJECT, p, false).await?,
            None => None,
        };
        shot.insert("type".into(), json!("Shot"));
        shot.insert(
            "project_name".into(),
            project
                .and_then(|p| p.get("name").cloned())
                .unwrap_or(Value::Null),
        );
        shot.insert(
            "sequence_name".into(),
            sequence.get("name").cloned().unwrap_or(Value::Null),
        );
        out.push(shot);
    }
    out.sort_by_key(|s| {
        s.get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_lowercase()
    });
    Ok(Json(Value::Array(
        out.into_iter().map(Value::Object).collect(),
    )))
}

/// Sets a shot's `source_id` (Zou's `update_shot`), answering the shot as
/// Zou's plain `serialize()` does (typed "Entity").
async fn set_shot_source(exec: &mut impl Exec, shot: Uuid, scene: Option<Uuid>) -> ApiResult<Row> {
    let value = scene.map_or(
        fennec_store::SqlValue::Null(fennec_api::models::Kind::Uuid),
        fennec_store::SqlValue::Uuid,
    );
    let mut row = rows::update(
        exec,
        &models::ENTITY,
        shot,
        vec![(crate::hierarchy::col("source_id"), value)],
    )
    .await?
    .ok_or_else(ApiError::not_found)?;
    row.insert("type".into(), json!("Entity"));
    Ok(row)
}

/// POST /data/scenes/{scene_id}/shots — the scene becomes the shot's
/// source; answers the shot (201).
async fn add_shot_to_scene(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    SchemaBody(body): SchemaBody,
) -> ApiResult<(axum::http::StatusCode, Json<Value>)> {
    let invalid = |m: &str| ApiError::validation(vec![("shot_id".to_owned(), m.to_owned())]);
    let shot_id = match body.get("shot_id") {
        None => return Err(invalid("Field required")),
        Some(Value::String(s)) => s.clone(),
        Some(_) => {
            return Err(invalid(
                "UUID input should be a string, bytes or UUID object",
            ))
        }
    };
    if Uuid::parse_str(&shot_id).is_err() {
        return Err(invalid("Input should be a valid UUID"));
    }
    let mut tx = state.db.begin().await?;
    let scene = entity_of_kind(&mut tx, &id, "Scene").await?;
    scene_access(&mut tx, &user, &scene).await?;
    let shot = entity_of_kind(&mut tx, &shot_id, "Shot").await?;
    let scene_id = uuid_field(&scene, "id").expect("id");
    let row = set_shot_source(
        &mut tx,
        uuid_field(&shot, "id").expect("id"),
        Some(scene_id),
    )
    .await?;
    casting::scene_shot_changed(&mut tx, user.id, true, scene_id, &row).await?;
    tx.commit().await?;
    Ok((axum::http::StatusCode::CREATED, Json(Value::Object(row))))
}

/// DELETE /data/scenes/{scene_id}/shots/{shot_id} — the shot loses its
/// source.
async fn remove_shot_from_scene(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, shot_id)): Path<(String, String)>,
) -> ApiResult<axum::http::StatusCode> {
    let mut tx = state.db.begin().await?;
    let scene = entity_of_kind(&mut tx, &id, "Scene").await?;
    scene_access(&mut tx, &user, &scene).await?;
    let shot = entity_of_kind(&mut tx, &shot_id, "Shot").await?;
    let row = set_shot_source(&mut tx, uuid_field(&shot, "id").expect("id"), None).await?;
    let scene_id = uuid_field(&scene, "id").expect("id");
    casting::scene_shot_changed(&mut tx, user.id, false, scene_id, &row).await?;
    tx.commit().await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// Asset instances grouped by asset, each typed (Zou's
/// `_group_serialized_instances`).
fn group_instances(list: Vec<Row>) -> Value {
    let mut out = Map::new();
    for mut row in list {
        let key = row
            .get("asset_id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        row.insert("type".into(), json!("AssetInstance"));
        if let Value::Array(a) = out.entry(key).or_insert_with(|| json!([])) {
            a.push(Value::Object(row));
        }
    }
    Value::Object(out)
}

/// The instances of a scene, optionally only of assets of one type, by
/// asset and number.
async fn instances_of_scene(
    exec: &mut impl Exec,
    scene: Uuid,
    asset_type: Option<Uuid>,
) -> ApiResult<Value> {
    let select = rows::Select::default().eq("scene_id", fennec_store::SqlValue::Uuid(scene));
    let mut list = rows::list(exec, &models::ASSET_INSTANCE, &select, false).await?;
    if let Some(t) = asset_type {
        let mut kept = Vec::new();
        for row in list {
            let asset = match uuid_field(&row, "asset_id") {
                Some(a) => rows::get(exec, &models::ENTITY, a, false).await?,
                None => None,
            };
            if asset.is_some_and(|a| uuid_field(&a, "entity_type_id") == Some(t)) {
                kept.push(row);
            }
        }
        list = kept;
    }
    list.sort_by_key(|r| {
        (
            r.get("asset_id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            r.get("number").and_then(Value::as_i64).unwrap_or_default(),
        )
    });
    Ok(group_instances(list))
}

/// GET /data/scenes/{scene_id}/asset-instances
async fn scene_asset_instances(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let mut conn = state.db.conn().await?;
    let scene = entity_of_kind(&mut conn, &id, "Scene").await?;
    scene_access(&mut conn, &user, &scene).await?;
    check_entity_access(&mut conn, &user, uuid_field(&scene, "id")).await?;
    let me = uuid_field(&scene, "id").expect("id");
    Ok(Json(instances_of_scene(&mut conn, me, None).await?))
}

/// GET /data/scenes/{scene_id}/camera-instances — the instances of assets
/// of the "Camera" type, which Zou creates on first use.
async fn scene_camera_instances(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let mut tx = state.db.begin().await?;
    let scene = entity_of_kind(&mut tx, &id, "Scene").await?;
    scene_access(&mut tx, &user, &scene).await?;
    check_entity_access(&mut tx, &user, uuid_field(&scene, "id")).await?;
    let camera = fennec_store::defaults::entity_type_id(&mut tx, "Camera").await?;
    let me = uuid_field(&scene, "id").expect("id");
    let out = instances_of_scene(&mut tx, me, Some(camera)).await?;
    tx.commit().await?;
    state.refs.invalidate();
    Ok(Json(out))
}

/// Zou's `build_asset_instance_name`: the asset's name slugified with
/// underscores (case kept), then the number on four digits.
fn instance_name(asset: &str, number: i64) -> String {
    let mut slug = String::new();
    for c in asset.chars() {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('_') {
            slug.push('_');
        }
    }
    let slug = slug.trim_end_matches('_');
    format!("{slug}_{number:04}")
}

fn uuid_body(body: &Map<String, Value>, key: &str) -> ApiResult<Uuid> {
    let invalid = |m: &str| ApiError::validation(vec![(key.to_owned(), m.to_owned())]);
    match body.get(key) {
        None => Err(invalid("Field required")),
        Some(Value::String(s)) => {
            Uuid::parse_str(s).map_err(|_| invalid("Input should be a valid UUID"))
        }
        Some(_) => Err(invalid(
            "UUID input should be a string, bytes or UUID object",
        )),
    }
}

/// An instance's description: none stays null (Zou passes its schema's
/// None through), anything but a string is the schema's error.
fn instance_description(body: &Map<String, Value>) -> ApiResult<fennec_store::SqlValue> {
    match body.get("description") {
        None | Some(Value::Null) => {
            Ok(fennec_store::SqlValue::Null(fennec_api::models::Kind::Text))
        }
        Some(Value::String(s)) => Ok(fennec_store::SqlValue::Text(s.clone())),
        Some(_) => Err(ApiError::validation(vec![(
            "description".into(),
            "Input should be a valid string".into(),
        )])),
    }
}

/// A new instance of `asset` in a scene or an asset (`place`: the column
/// and the id), numbered `number` and named after the asset, answered
/// typed as Zou types it.
async fn insert_instance(
    tx: &mut fennec_store::Tx,
    asset: &Row,
    place: (&str, Uuid),
    number: i64,
    description: fennec_store::SqlValue,
) -> ApiResult<Row> {
    use fennec_store::SqlValue as V;
    let col = |n: &str| {
        models::ASSET_INSTANCE
            .column(n)
            .expect("asset instance column")
    };
    let name = instance_name(
        asset
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default(),
        number,
    );
    let mut row = rows::insert(
        tx,
        &models::ASSET_INSTANCE,
        vec![
            (col("asset_id"), V::Uuid(crate::present::id_of(asset))),
            (col(place.0), V::Uuid(place.1)),
            (col("number"), V::Int(number)),
            (col("name"), V::Text(name)),
            (col("description"), description),
        ],
    )
    .await?;
    row.insert("type".into(), json!("AssetInstance"));
    Ok(row)
}

/// POST /data/scenes/{scene_id}/asset-instances — a new instance of the
/// asset in the scene, numbered after the scene's last one of it (201).
async fn new_scene_asset_instance(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    SchemaBody(body): SchemaBody,
) -> ApiResult<(axum::http::StatusCode, Json<Value>)> {
    let asset = uuid_body(&body, "asset_id")?;
    let description = instance_description(&body)?;
    let mut tx = state.db.begin().await?;
    let scene = entity_of_kind(&mut tx, &id, "Scene").await?;
    scene_access(&mut tx, &user, &scene).await?;
    let asset_row = entity(&mut tx, asset).await?;
    let scene_id = uuid_field(&scene, "id").expect("id");
    let select = rows::Select::default()
        .eq("scene_id", fennec_store::SqlValue::Uuid(scene_id))
        .eq("asset_id", fennec_store::SqlValue::Uuid(asset));
    let number = rows::list(&mut tx, &models::ASSET_INSTANCE, &select, false)
        .await?
        .iter()
        .filter_map(|r| r.get("number").and_then(Value::as_i64))
        .max()
        .unwrap_or(0)
        + 1;
    let row = insert_instance(
        &mut tx,
        &asset_row,
        ("scene_id", scene_id),
        number,
        description,
    )
    .await?;
    casting::instance_created(&mut tx, user.id, &row).await?;
    tx.commit().await?;
    Ok((axum::http::StatusCode::CREATED, Json(Value::Object(row))))
}

/// GET /data/shots/{shot_id}/asset-instances — the shot's instance
/// casting, grouped by asset.
async fn shot_asset_instances(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let mut conn = state.db.conn().await?;
    let shot = entity_of_kind(&mut conn, &id, "Shot").await?;
    scene_access(&mut conn, &user, &shot).await?;
    check_entity_access(&mut conn, &user, uuid_field(&shot, "id")).await?;
    let me = uuid_field(&shot, "id").expect("id");
    let mut list = Vec::new();
    for instance in bd::shot_instances(&mut conn, me).await? {
        if let Some(row) = rows::get(&mut conn, &models::ASSET_INSTANCE, instance, false).await? {
            list.push(row);
        }
    }
    Ok(Json(group_instances(list)))
}

/// POST /data/shots/{shot_id}/asset-instances — adds an instance to the
/// shot's instance casting; answers the shot (typed "Entity", 201).
async fn add_asset_instance_to_shot(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    SchemaBody(body): SchemaBody,
) -> ApiResult<(axum::http::StatusCode, Json<Value>)> {
    let instance = uuid_body(&body, "asset_instance_id")?;
    let mut tx = state.db.begin().await?;
    let mut shot = entity_of_kind(&mut tx, &id, "Shot").await?;
    scene_access(&mut tx, &user, &shot).await?;
    rows::get(&mut tx, &models::ASSET_INSTANCE, instance, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let me = uuid_field(&shot, "id").expect("id");
    bd::link_instance(&mut tx, me, instance).await?;
    casting::shot_instance_changed(&mut tx, user.id, true, me, instance).await?;
    tx.commit().await?;
    shot.insert("type".into(), json!("Entity"));
    Ok((axum::http::StatusCode::CREATED, Json(Value::Object(shot))))
}

/// DELETE /data/shots/{shot_id}/asset-instances/{asset_instance_id}
async fn remove_asset_instance_from_shot(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, instance)): Path<(String, String)>,
) -> ApiResult<axum::http::StatusCode> {
    let mut tx = state.db.begin().await?;
    let shot = entity_of_kind(&mut tx, &id, "Shot").await?;
    scene_access(&mut tx, &user, &shot).await?;
    let instance = path_id(&instance)?;
    rows::get(&mut tx, &models::ASSET_INSTANCE, instance, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let me = uuid_field(&shot, "id").expect("id");
    bd::unlink_instance(&mut tx, me, instance).await?;
    casting::shot_instance_changed(&mut tx, user.id, false, me, instance).await?;
    tx.commit().await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// Zou's typed `get_asset` and the project check of its asset-instance
/// routes.
async fn asset_for_instances(
    exec: &mut impl Exec,
    user: &CurrentUser,
    id: &str,
) -> ApiResult<Uuid> {
    let row = entity_of_kind(exec, id, "Asset").await?;
    scene_access(exec, user, &row).await?;
    Ok(uuid_field(&row, "id").expect("id"))
}

/// Instances matching one column, by asset then number.
async fn instances_where(
    exec: &mut impl Exec,
    column: &'static str,
    id: Uuid,
) -> ApiResult<Vec<Row>> {
    let select = rows::Select::default().eq(column, fennec_store::SqlValue::Uuid(id));
    let mut list = rows::list(exec, &models::ASSET_INSTANCE, &select, false).await?;
    list.sort_by_key(|r| {
        (
            r.get("asset_id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            r.get("number").and_then(Value::as_i64).unwrap_or_default(),
        )
    });
    Ok(list)
}

/// Groups instances under `key` of each (Zou writes `str(None)` for a
/// missing one).
fn group_by(list: Vec<Row>, key: impl Fn(&Row) -> String) -> Value {
    let mut out = Map::new();
    for mut row in list {
        let k = key(&row);
        row.insert("type".into(), json!("AssetInstance"));
        if let Value::Array(a) = out.entry(k).or_insert_with(|| json!([])) {
            a.push(Value::Object(row));
        }
    }
    Value::Object(out)
}

fn str_key(row: &Row, column: &str) -> String {
    row.get(column)
        .and_then(Value::as_str)
        .unwrap_or("None")
        .to_owned()
}

/// GET /data/assets/{asset_id}/asset-asset-instances — the instances inside
/// the asset, by instantiated asset.
async fn asset_asset_instances(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let mut conn = state.db.conn().await?;
    let asset = asset_for_instances(&mut conn, &user, &id).await?;
    let list = instances_where(&mut conn, "target_asset_id", asset).await?;
    Ok(Json(group_by(list, |r| str_key(r, "asset_id"))))
}

/// GET /data/assets/{asset_id}/scene-asset-instances — the asset's
/// instances, by scene.
async fn asset_scene_instances(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let mut conn = state.db.conn().await?;
    let asset = asset_for_instances(&mut conn, &user, &id).await?;
    let list = instances_where(&mut conn, "asset_id", asset).await?;
    Ok(Json(group_by(list, |r| str_key(r, "scene_id"))))
}

/// GET /data/assets/{asset_id}/shot-asset-instances — the asset's
/// instances in shots' instance casting, by shot.
async fn asset_shot_instances(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let mut conn = state.db.conn().await?;
    let asset = asset_for_instances(&mut conn, &user, &id).await?;
    let list = instances_where(&mut conn, "asset_id", asset).await?;
    let mut pairs = Vec::new();
    for row in list {
        let instance = uuid_field(&row, "id").expect("id");
        for shot in bd::instance_shots(&mut conn, instance).await? {
            let mut r = row.clone();
            r.insert("__shot".into(), json!(shot.to_string()));
            pairs.push(r);
        }
    }
    let mut grouped = group_by(pairs, |r| str_key(r, "__shot"));
    if let Value::Object(m) = &mut grouped {
        for v in m.values_mut() {
            if let Value::Array(a) = v {
                for i in a {
                    if let Value::Object(o) = i {
                        o.shift_remove("__shot");
                    }
                }
            }
        }
    }
    Ok(Json(grouped))
}

/// POST /data/assets/{asset_id}/asset-asset-instances — a new instance of
/// another asset inside this one, numbered after its last one (201).
async fn new_asset_asset_instance(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    SchemaBody(body): SchemaBody,
) -> ApiResult<(axum::http::StatusCode, Json<Value>)> {
    let instantiated = uuid_body(&body, "asset_to_instantiate_id")?;
    let description = instance_description(&body)?;
    let mut tx = state.db.begin().await?;
    let target = asset_for_instances(&mut tx, &user, &id).await?;
    let instantiated_row = entity(&mut tx, instantiated).await?;
    let number = instances_where(&mut tx, "target_asset_id", target)
        .await?
        .iter()
        .filter(|r| uuid_field(r, "asset_id") == Some(instantiated))
        .filter_map(|r| r.get("number").and_then(Value::as_i64))
        .max()
        .unwrap_or(0)
        + 1;
    let row = insert_instance(
        &mut tx,
        &instantiated_row,
        ("target_asset_id", target),
        number,
        description,
    )
    .await?;
    casting::instance_created(&mut tx, user.id, &row).await?;
    tx.commit().await?;
    Ok((axum::http::StatusCode::CREATED, Json(Value::Object(row))))
}
