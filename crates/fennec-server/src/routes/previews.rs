//! Zou's `previews` blueprint (issue 14), and the tasks blueprint's
//! add-preview route that creates the row it uploads to: picture
//! previews, their media reads, the entity's main preview. The logic is
//! in preview_files.rs, the files in storage.rs.

use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use bytes::Bytes;
use serde_json::{Map, Value};

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::{path_id, QueryPairs, SchemaBody};
use crate::preview_files::{self as logic, ReadRule};
use crate::preview_frames as frames;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/actions/tasks/{task_id}/comments/{comment_id}/add-preview",
            post(add_preview),
        )
        .route(
            "/actions/tasks/{task_id}/comments/{comment_id}/preview-files/{id}",
            post(add_extra_preview).delete(remove_from_comment),
        )
        .route("/data/tasks/{id}/previews", get(task_previews))
        .route("/pictures/preview-files/{id}", post(upload))
        .route("/pictures/thumbnails/preview-files/{file}", get(thumbnail))
        .route(
            "/pictures/thumbnails-square/preview-files/{file}",
            get(thumbnail_square),
        )
        .route("/pictures/previews/preview-files/{file}", get(preview))
        .route("/movies/originals/preview-files/{file}", get(movie))
        .route(
            "/movies/originals/preview-files/{id}/download",
            get(movie_download),
        )
        .route("/movies/low/preview-files/{file}", get(movie_low))
        .route("/pictures/originals/preview-files/{file}", get(original))
        .route(
            "/pictures/originals/preview-files/{id}/download",
            get(download),
        )
        .route(
            "/pictures/thumbnails/persons/{file}",
            get(avatar).post(set_avatar),
        )
        .route(
            "/actions/preview-files/{id}/set-main-preview",
            put(set_main_preview),
        )
        .route(
            "/actions/preview-files/{id}/update-annotations",
            put(update_annotations),
        )
        .route(
            "/actions/preview-files/{id}/update-position",
            put(update_position),
        )
        .route(
            "/actions/preview-files/{id}/extract-frame",
            get(extract_frame),
        )
        .route(
            "/actions/preview-files/{id}/extract-tile",
            get(extract_tile),
        )
        .route("/movies/tiles/preview-files/{file}", get(tile))
        .route("/data/playlists/preview-files/running", get(running))
}

/// An optional non-negative integer of a validated body (pydantic's
/// `Optional[int] = Field(None, ge=0)`): null or absent is none.
fn optional_int(body: &Map<String, Value>, key: &str, min: i64) -> ApiResult<Option<i64>> {
    let value = match body.get(key) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.trim().parse::<i64>().ok(),
        Some(_) => None,
    };
    match value {
        Some(v) if v >= min => Ok(Some(v)),
        Some(_) => Err(ApiError::validation(vec![(
            key.into(),
            format!("Input should be greater than or equal to {min}"),
        )])),
        None => Err(ApiError::validation(vec![(
            key.into(),
            "Input should be a valid integer".into(),
        )])),
    }
}

async fn add_preview(
    State(s): State<AppState>,
    user: CurrentUser,
    Path((task_id, comment_id)): Path<(String, String)>,
    SchemaBody(body): SchemaBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let revision = optional_int(&body, "revision", 0)?;
    let task_id = path_id(&task_id)?;
    let comment_id = path_id(&comment_id)?;
    let row = logic::add_preview(&s, &user, task_id, comment_id, revision).await?;
    Ok((StatusCode::CREATED, Json(Value::Object(row))))
}

async fn add_extra_preview(
    State(s): State<AppState>,
    user: CurrentUser,
    Path((task_id, comment_id, id)): Path<(String, String, String)>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let (task_id, comment_id, id) = (path_id(&task_id)?, path_id(&comment_id)?, path_id(&id)?);
    let row = logic::add_extra_preview(&s, &user, task_id, comment_id, id).await?;
    Ok((StatusCode::CREATED, Json(Value::Object(row))))
}

async fn remove_from_comment(
    State(s): State<AppState>,
    user: CurrentUser,
    Path((task_id, comment_id, id)): Path<(String, String, String)>,
    Query(query): Query<Vec<(String, String)>>,
) -> ApiResult<StatusCode> {
    let (task_id, comment_id, id) = (path_id(&task_id)?, path_id(&comment_id)?, path_id(&id)?);
    // Zou's get_force: "true" (any case) forces.
    let force = query
        .iter()
        .any(|(k, v)| k == "force" && v.eq_ignore_ascii_case("true"));
    logic::remove_from_comment(&s, &user, task_id, comment_id, id, force).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The `file` field of a multipart form, with its file name. A body that
/// is not a form carries no file: Zou's "File not provided.".
async fn read_file(req: Request, s: &AppState) -> ApiResult<Option<(String, Bytes)>> {
    let mut file: Option<(String, Bytes)> = None;
    if let Ok(mut form) = Multipart::from_request(req, s).await {
        loop {
            match form.next_field().await {
                Ok(Some(field)) => {
                    if field.name() != Some("file") || file.is_some() {
                        continue;
                    }
                    let name = field.file_name().unwrap_or_default().to_owned();
                    let data = field.bytes().await.map_err(|e| {
                        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                            ApiError::too_large()
                        } else {
                            ApiError::bad_request("File not provided.")
                        }
                    })?;
                    file = Some((name, data));
                }
                Ok(None) => break,
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    return Err(ApiError::too_large())
                }
                Err(_) => break,
            }
        }
    }
    Ok(file)
}

/// `{id}` or `{id}.png`: Zou serves the avatars under both.
fn avatar_id(file: &str) -> ApiResult<uuid::Uuid> {
    path_id(file.strip_suffix(".png").unwrap_or(file))
}

async fn set_avatar(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(file): Path<String>,
    req: Request,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let id = avatar_id(&file)?;
    let file = read_file(req, &s).await?;
    Ok((
        StatusCode::CREATED,
        Json(logic::set_avatar(&s, &user, id, file).await?),
    ))
}

async fn avatar(
    State(s): State<AppState>,
    _user: CurrentUser,
    Path(file): Path<String>,
) -> ApiResult<Response> {
    logic::avatar(&s, avatar_id(&file)?).await
}

async fn task_previews(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let id = path_id(&id)?;
    Ok(Json(Value::Array(
        logic::task_previews(&s, &user, id).await?,
    )))
}

async fn upload(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(query): Query<Vec<(String, String)>>,
    req: Request,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let id = path_id(&id)?;
    // Zou's get_bool_parameter: "true" in any case; normalize by default.
    let flag = |name: &str, default: bool| {
        query
            .iter()
            .rfind(|(k, _)| k == name)
            .map_or(default, |(_, v)| v.eq_ignore_ascii_case("true"))
    };
    let options = logic::UploadOptions {
        normalize: flag("normalize", true),
        no_job: flag("no_job", false),
    };
    let file = read_file(req, &s).await?;
    let (status, row) = logic::upload(&s, &user, id, file, options).await?;
    Ok((status, Json(Value::Object(row))))
}

/// `{id}.png`: the id of a picture route, 404 for anything else.
fn png_id(file: &str) -> ApiResult<uuid::Uuid> {
    let id = file.strip_suffix(".png").ok_or_else(ApiError::not_found)?;
    path_id(id)
}

async fn thumbnail(
    State(s): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Path(file): Path<String>,
) -> ApiResult<Response> {
    let id = png_id(&file)?;
    logic::read(
        &s,
        &user,
        &headers,
        id,
        "thumbnails",
        ReadRule::Thumbnail,
        false,
    )
    .await
}

async fn thumbnail_square(
    State(s): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Path(file): Path<String>,
) -> ApiResult<Response> {
    let id = png_id(&file)?;
    logic::read(
        &s,
        &user,
        &headers,
        id,
        "thumbnails-square",
        ReadRule::Thumbnail,
        false,
    )
    .await
}

async fn preview(
    State(s): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Path(file): Path<String>,
) -> ApiResult<Response> {
    let id = png_id(&file)?;
    logic::read(&s, &user, &headers, id, "previews", ReadRule::Task, false).await
}

/// `originals/preview-files/{id}.png` (Zou's `PreviewFileOriginalResource`,
/// with the thumbnails' rule); another extension is Zou's
/// `PreviewFileResource`, the file as uploaded, with the task's rule.
async fn original(
    State(s): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Path(file): Path<String>,
) -> ApiResult<Response> {
    let (id, extension) = file.rsplit_once('.').ok_or_else(ApiError::not_found)?;
    let id = path_id(id)?;
    let rule = if extension == "png" {
        ReadRule::Thumbnail
    } else {
        ReadRule::Task
    };
    let extension = extension.to_lowercase();
    if !logic::is_original_extension(&extension) {
        logic::check_media_access(&s, &user, id, rule).await?;
        return Err(ApiError::bad_request(format!(
            "Extension not allowed: {extension}"
        )));
    }
    logic::read(&s, &user, &headers, id, "original", rule, false).await
}

async fn download(
    State(s): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = path_id(&id)?;
    logic::read(&s, &user, &headers, id, "original", ReadRule::Task, true).await
}

/// `{id}.mp4`: the id of a movie route, 404 for anything else.
fn mp4_id(file: &str) -> ApiResult<uuid::Uuid> {
    let id = file.strip_suffix(".mp4").ok_or_else(ApiError::not_found)?;
    path_id(id)
}

/// GET /movies/originals/preview-files/{id}.mp4
async fn movie(
    State(s): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Path(file): Path<String>,
) -> ApiResult<Response> {
    let id = mp4_id(&file)?;
    logic::read_movie(&s, &user, &headers, id, false, false).await
}

/// GET /movies/originals/preview-files/{id}/download
async fn movie_download(
    State(s): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = path_id(&id)?;
    logic::read_movie(&s, &user, &headers, id, false, true).await
}

/// GET /movies/low/preview-files/{id}.mp4
async fn movie_low(
    State(s): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Path(file): Path<String>,
) -> ApiResult<Response> {
    let id = mp4_id(&file)?;
    logic::read_movie(&s, &user, &headers, id, true, false).await
}

async fn set_main_preview(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    SchemaBody(body): SchemaBody,
) -> ApiResult<Json<Value>> {
    let frame_number = optional_int(&body, "frame_number", 0)?;
    let id = path_id(&id)?;
    Ok(Json(
        logic::set_main_preview(&s, &user, id, frame_number).await?,
    ))
}

/// PUT /actions/preview-files/{id}/update-annotations
async fn update_annotations(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    SchemaBody(body): SchemaBody,
) -> ApiResult<Json<Value>> {
    let id = path_id(&id)?;
    Ok(Json(Value::Object(
        crate::preview_annotations::update_annotations(&s, &user, id, &body).await?,
    )))
}

/// PUT /actions/preview-files/{id}/update-position
async fn update_position(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    SchemaBody(body): SchemaBody,
) -> ApiResult<Json<Value>> {
    // Zou's PreviewFilePositionSchema: an integer, 0 by default.
    let position = optional_int(&body, "position", 0)?.unwrap_or(0);
    let id = path_id(&id)?;
    Ok(Json(Value::Array(
        crate::preview_annotations::update_position(&s, &user, id, position).await?,
    )))
}

/// GET /actions/preview-files/{id}/extract-frame?frame_number=n (Zou's
/// `frame_number` argument: an integer, 0 when absent).
async fn extract_frame(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    query: QueryPairs,
) -> ApiResult<Response> {
    let frame_number = match query.get("frame_number") {
        None => 0,
        Some(v) => v
            .trim()
            .parse::<i64>()
            .map_err(|_| ApiError::bad_request("Wrong value for parameter frame_number."))?,
    };
    let id = path_id(&id)?;
    frames::extract_frame(&s, &user, id, frame_number).await
}

/// GET /actions/preview-files/{id}/extract-tile
async fn extract_tile(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = path_id(&id)?;
    frames::extract_tile(&s, &user, id).await
}

/// GET /movies/tiles/preview-files/{id}.png: Zou's `PreviewFileTileResource`,
/// with the task's rule.
async fn tile(
    State(s): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Path(file): Path<String>,
) -> ApiResult<Response> {
    let id = png_id(&file)?;
    logic::read(
        &s,
        &user,
        &headers,
        id,
        frames::TILES,
        ReadRule::Task,
        false,
    )
    .await
}

/// GET /data/playlists/preview-files/running
async fn running(
    State(s): State<AppState>,
    user: CurrentUser,
    query: QueryPairs,
) -> ApiResult<Json<Vec<Value>>> {
    Ok(Json(frames::running(&s, &user, &query).await?))
}
