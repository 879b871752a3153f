//! Preview files with their files (issue 14): Zou's comments service
//! `add_preview_file_to_comment`, the previews blueprint's upload
//! (`CreatePreviewFilePictureResource`), picture variants as Zou's
//! `thumbnail` utils build them, the media reads with their rights, and
//! `SetMainPreviewResource`. Routes in routes/previews.rs; the files
//! themselves go through storage.rs.
//!
//! Movies go through preview_movies.rs (ffmpeg, off the request path).

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use fennec_api::models::{self, PREVIEW_FILE};
use fennec_store::rows::{self, Row};
use fennec_store::{previews as store, SqlValue};
use image::{imageops::FilterType, DynamicImage, GenericImageView, ImageFormat};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::permissions::{check_project_access, on_project};
use crate::auth::user::Role;
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::present::{id_of, uuid_field};
use crate::reach::check_entity_access;
use crate::storage::{FILES, PICTURES};
use crate::task_rows::TASK;

/// Zou's `ALLOWED_PICTURE_EXTENSION`.
const PICTURE_EXTENSIONS: &[&str] = &["jpe", "jpeg", "jpg", "png"];
use crate::preview_movies::MOVIE_EXTENSIONS;
/// Zou's `ALLOWED_FILE_EXTENSION`: kept as they are, under `files/previews`.
const FILE_EXTENSIONS: &[&str] = &[
    "ae", "ai", "blend", "clip", "comp", "diff", "exr", "fbx", "fla", "flv", "gif", "glb", "gltf",
    "hip", "kra", "ma", "mb", "mp3", "nk", "obj", "pdf", "psd", "rar", "sbbkp", "svg", "swf",
    "tvpp", "usd", "usda", "usdc", "usdz", "wav", "zip",
];

/// Zou's picture variants (`generate_preview_variants`): a prefix and the
/// box it must fill (a height of 0 follows the picture's ratio).
const VARIANTS: [(&str, (u32, u32)); 3] = [
    ("thumbnails", (150, 100)),
    ("thumbnails-square", (100, 100)),
    ("previews", (1200, 0)),
];

/// Zou's `BadRequest` raised without a description (a re-upload, a
/// revision taken): werkzeug's default sentence.
const BAD_REQUEST: &str =
    "The browser (or proxy) sent a request that this server could not understand.";

fn store_err(e: fennec_store::StoreError) -> ApiError {
    e.into()
}

fn media_err(e: object_store::Error) -> ApiError {
    ApiError::internal(format!("media storage: {e}"))
}

/// A preview file, 404 when missing.
pub async fn load_preview(exec: &mut impl fennec_store::db::Exec, id: Uuid) -> ApiResult<Row> {
    rows::get(exec, &PREVIEW_FILE, id, false)
        .await
        .map_err(store_err)?
        .ok_or_else(ApiError::not_found)
}

pub(crate) async fn preview_task(
    exec: &mut impl fennec_store::db::Exec,
    preview: &Row,
) -> ApiResult<Row> {
    let task = uuid_field(preview, "task_id").ok_or_else(ApiError::not_found)?;
    rows::get(exec, TASK, task, false)
        .await
        .map_err(store_err)?
        .ok_or_else(ApiError::not_found)
}

/// Zou's `check_task_action_access`: on the production's team, and a
/// manager or client, or one who may act on that task (assignee,
/// supervisor of its department, creator of its entity).
async fn check_task_action(
    exec: &mut impl fennec_store::db::Exec,
    user: &CurrentUser,
    task: &Row,
) -> ApiResult<()> {
    let project = uuid_field(task, "project_id").unwrap_or_default();
    check_project_access(exec, user, project).await?;
    let user = on_project(exec, user, project).await?;
    if crate::comments::may_act_on_task(exec, &user, task).await? {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}

/// The preview as Zou serialises it with its relations: its comments.
pub(crate) async fn with_comments(
    exec: &mut impl fennec_store::db::Exec,
    mut row: Row,
) -> ApiResult<Row> {
    let comments = store::comments_of(exec, id_of(&row))
        .await
        .map_err(store_err)?;
    row.insert(
        "comments".into(),
        Value::Array(comments.iter().map(|c| json!(c.to_string())).collect()),
    );
    Ok(row)
}

/// `POST actions/tasks/{task_id}/comments/{comment_id}/add-preview`:
/// Zou's `add_preview_file_to_comment`. A comment's first preview takes
/// the task's next revision (or the one given, if no main preview has it
/// yet); the next ones share the comment's revision at the next position.
pub async fn add_preview(
    state: &AppState,
    user: &CurrentUser,
    task_id: Uuid,
    comment_id: Uuid,
    revision: Option<i64>,
) -> ApiResult<Row> {
    let mut tx = state.db.begin().await?;
    let task = rows::get(&mut tx, TASK, task_id, false)
        .await
        .map_err(store_err)?
        .ok_or_else(ApiError::not_found)?;
    check_task_action(&mut tx, user, &task).await?;
    let comment = rows::get(&mut tx, &models::COMMENT, comment_id, false)
        .await
        .map_err(store_err)?
        .ok_or_else(ApiError::not_found)?;
    // Zou takes the comment's task, not the path's, for the revision lock.
    let comment_task = uuid_field(&comment, "object_id").unwrap_or(task_id);
    fennec_store::tasks::lock_task(&mut tx, comment_task)
        .await
        .map_err(store_err)?;
    let existing = store::comment_preview_revisions(&mut tx, comment_id)
        .await
        .map_err(store_err)?;
    let (revision, position) = match (revision, existing.first()) {
        (None, None) => (
            store::next_revision(&mut tx, task_id)
                .await
                .map_err(store_err)?,
            1,
        ),
        (None, Some(&r)) => (
            r,
            store::next_position(&mut tx, task_id, r)
                .await
                .map_err(store_err)?,
        ),
        (Some(r), first) => {
            if first.is_none()
                && store::main_revision_taken(&mut tx, task_id, r)
                    .await
                    .map_err(store_err)?
            {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    json!({"error": true, "message": format!(
                        "Revision {r} already exists for this task. Choose a different \
                         revision number, or omit it to let the revision auto-increment."
                    )}),
                ));
            }
            (
                r,
                store::next_position(&mut tx, task_id, r)
                    .await
                    .map_err(store_err)?,
            )
        }
    };
    if position > 1 {
        let project = uuid_field(&task, "project_id").unwrap_or_default();
        let single = rows::get(&mut tx, &models::PROJECT, project, false)
            .await
            .map_err(store_err)?
            .and_then(|p| p.get("is_single_preview_per_revision").cloned())
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        if single {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                json!({"error": true, "message":
                    "Only one preview file is allowed per revision for this project."}),
            ));
        }
    }
    let col = |n: &str| PREVIEW_FILE.column(n).expect("preview file column");
    // Zou names a preview after the first 13 characters of a fresh uuid.
    let name: String = Uuid::new_v4().to_string().chars().take(13).collect();
    let row = rows::insert(
        &mut tx,
        &PREVIEW_FILE,
        vec![
            (col("name"), SqlValue::Text(name)),
            (col("revision"), SqlValue::Int(revision)),
            (col("source"), SqlValue::Text("webgui".into())),
            (col("task_id"), SqlValue::Uuid(task_id)),
            (col("person_id"), SqlValue::Uuid(user.id)),
            (col("extension"), SqlValue::Text("mp4".into())),
            (col("position"), SqlValue::Int(position)),
            (col("status"), SqlValue::Text("processing".into())),
        ],
    )
    .await
    .map_err(store_err)?;
    store::link_to_comment(&mut tx, comment_id, id_of(&row))
        .await
        .map_err(store_err)?;
    let row = with_comments(&mut tx, row).await?;
    tx.commit().await?;
    Ok(row)
}

/// `POST actions/tasks/{task_id}/comments/{comment_id}/preview-files/{id}`:
/// Zou's `AddExtraPreviewResource`, another preview of the revision of
/// preview `id` on that comment.
pub async fn add_extra_preview(
    state: &AppState,
    user: &CurrentUser,
    task_id: Uuid,
    comment_id: Uuid,
    related: Uuid,
) -> ApiResult<Row> {
    let revision = {
        let mut conn = state.db.conn().await?;
        let task = rows::get(&mut conn, TASK, task_id, false)
            .await
            .map_err(store_err)?
            .ok_or_else(ApiError::not_found)?;
        check_task_action(&mut conn, user, &task).await?;
        rows::get(&mut conn, &models::COMMENT, comment_id, false)
            .await
            .map_err(store_err)?
            .ok_or_else(ApiError::not_found)?;
        load_preview(&mut conn, related)
            .await?
            .get("revision")
            .and_then(Value::as_i64)
    };
    add_preview(state, user, task_id, comment_id, revision).await
}

/// `DELETE actions/tasks/{task_id}/comments/{comment_id}/preview-files/{id}`:
/// Zou's `AddExtraPreviewResource.delete`. The preview must be one of that
/// comment's; a client keeps out of comments hidden from him; `force`
/// (purging the files at once) is the managers'. The row goes as Zou's
/// deletion service takes it (the entity and task forget it); its files
/// are removed after the commit.
pub async fn remove_from_comment(
    state: &AppState,
    user: &CurrentUser,
    task_id: Uuid,
    comment_id: Uuid,
    preview_id: Uuid,
    force: bool,
) -> ApiResult<()> {
    let mut tx = state.db.begin().await?;
    let task = rows::get(&mut tx, TASK, task_id, false)
        .await
        .map_err(store_err)?
        .ok_or_else(ApiError::not_found)?;
    check_task_action(&mut tx, user, &task).await?;
    let comment = rows::get(&mut tx, &models::COMMENT, comment_id, false)
        .await
        .map_err(store_err)?
        .ok_or_else(ApiError::not_found)?;
    let linked = store::comments_of(&mut tx, preview_id)
        .await
        .map_err(store_err)?
        .contains(&comment_id);
    let preview = rows::get(&mut tx, &PREVIEW_FILE, preview_id, false)
        .await
        .map_err(store_err)?;
    if !linked || preview.is_none_or(|p| uuid_field(&p, "task_id") != Some(task_id)) {
        return Err(ApiError::not_found());
    }
    crate::reach::check_comment_access(&mut tx, user, &comment).await?;
    if force {
        let project = uuid_field(&task, "project_id").unwrap_or_default();
        crate::auth::permissions::check_manager_project_access(&mut tx, user, project).await?;
    }
    fennec_store::cascade::remove_preview_file(&mut tx, preview_id)
        .await
        .map_err(store_err)?;
    tx.commit().await?;
    remove_files(state, preview_id).await;
    Ok(())
}

/// Removes whatever files a preview had; a failure is logged, not
/// answered: the row is gone already and nothing serves them any more.
pub async fn remove_files(state: &AppState, preview_id: Uuid) {
    let mut keys: Vec<(&str, &str)> = VARIANTS.iter().map(|(p, _)| (PICTURES, *p)).collect();
    keys.push((PICTURES, "original"));
    keys.push((PICTURES, crate::preview_frames::TILES));
    keys.push((FILES, "previews"));
    for (bucket, prefix) in keys {
        if let Err(e) = state.media.delete(bucket, prefix, preview_id).await {
            tracing::warn!("preview {preview_id}: {bucket}/{prefix} not removed: {e}");
        }
    }
    crate::preview_movies::remove_files(state, preview_id).await;
}

/// Zou's `emit_app_preview_event`, once an upload is accepted: the
/// comment showing the preview changed, and the preview has its file.
pub async fn emit_added(
    exec: &mut impl fennec_store::db::Exec,
    user: &CurrentUser,
    preview: &Row,
    project: Option<Uuid>,
) -> ApiResult<()> {
    let preview_id = id_of(preview);
    let Some(comment_id) = store::comments_of(exec, preview_id)
        .await
        .map_err(store_err)?
        .first()
        .copied()
    else {
        return Ok(());
    };
    let Some(comment) = rows::get(exec, &models::COMMENT, comment_id, false)
        .await
        .map_err(store_err)?
    else {
        return Ok(());
    };
    crate::events::emit(
        exec,
        Some(user.id),
        "comment:update",
        json!({
            "comment_id": comment_id.to_string(),
            "task_id": comment.get("object_id").cloned().unwrap_or(Value::Null),
            "person_id": comment.get("person_id").cloned().unwrap_or(Value::Null),
            "for_client": comment.get("for_client").cloned().unwrap_or(Value::Null),
        }),
        project,
    )
    .await?;
    crate::events::emit(
        exec,
        Some(user.id),
        "preview-file:add-file",
        json!({
            "comment_id": comment_id.to_string(),
            "task_id": preview.get("task_id").cloned().unwrap_or(Value::Null),
            "preview_file_id": preview_id.to_string(),
            "revision": preview.get("revision").cloned().unwrap_or(Value::Null),
            "extension": preview.get("extension").cloned().unwrap_or(Value::Null),
            "status": preview.get("status").cloned().unwrap_or(Value::Null),
        }),
        project,
    )
    .await
}

/// A decoded upload: the original as Zou keeps it (PNG), its size, and
/// the variants.
pub(crate) struct Picture {
    pub original: Bytes,
    pub width: u32,
    pub height: u32,
    pub variants: Vec<(&'static str, Bytes)>,
}

fn png(img: &DynamicImage) -> Result<Bytes, image::ImageError> {
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Png)?;
    Ok(Bytes::from(out.into_inner()))
}

/// Zou's `turn_into_thumbnail`: scale a small picture up into the box,
/// fit it to the box's ratio, shrink what still overflows, and centre it
/// on a transparent canvas of exactly the box's size.
fn thumbnail(img: &DynamicImage, size: (u32, u32)) -> DynamicImage {
    let mut im = DynamicImage::ImageRgba8(img.to_rgba8());
    let (iw, ih) = im.dimensions();
    let (w, h) = if size.1 == 0 {
        (
            size.0,
            ((size.0 as f64) * (ih as f64) / (iw as f64)).ceil() as u32,
        )
    } else {
        size
    };
    let (w, h) = (w.max(1), h.max(1));
    // make_im_bigger_if_needed
    let (iw, ih) = im.dimensions();
    if iw < w && ih < h {
        let ratio = (w as f64 / iw as f64).min(h as f64 / ih as f64);
        let nw = ((iw as f64 * ratio).round() as u32).max(1);
        let nh = ((ih as f64 * ratio).round() as u32).max(1);
        im = im.resize_exact(nw, nh, FilterType::Lanczos3);
    }
    // fit_to_target_size
    let (iw, ih) = im.dimensions();
    let original_ratio = iw as f64 / ih as f64;
    let target_ratio = w as f64 / h as f64;
    if target_ratio != original_ratio {
        let mut nw = (h as f64 * original_ratio).ceil() as u32;
        let mut nh = h;
        if nw > w {
            nw = w;
            nh = (w as f64 / original_ratio).ceil() as u32;
        }
        if (nw, nh) != (iw, ih) {
            im = im.resize_exact(nw.max(1), nh.max(1), FilterType::Lanczos3);
        }
    }
    // Image.thumbnail: shrink (never grow) to fit, keeping the ratio.
    let (iw, ih) = im.dimensions();
    if iw > w || ih > h {
        im = im.resize(w, h, FilterType::Lanczos3);
    }
    let (iw, ih) = im.dimensions();
    let mut canvas = image::RgbaImage::new(w, h);
    image::imageops::overlay(
        &mut canvas,
        &im.to_rgba8(),
        i64::from((w - iw.min(w)) / 2),
        i64::from((h - ih.min(h)) / 2),
    );
    DynamicImage::ImageRgba8(canvas)
}

/// Decodes an upload by its content, as Pillow does, and builds Zou's
/// variants. `None` for what is not a readable picture.
pub(crate) fn process_picture(data: &[u8]) -> Option<Picture> {
    let img = image::load_from_memory(data).ok()?;
    let (width, height) = img.dimensions();
    if width == 0 || height == 0 {
        return None;
    }
    let original = png(&img).ok()?;
    let mut variants = Vec::new();
    for (prefix, size) in VARIANTS {
        variants.push((prefix, png(&thumbnail(&img, size)).ok()?));
    }
    Some(Picture {
        original,
        width,
        height,
        variants,
    })
}

/// Zou's answer to a bad upload: 400 with its message.
fn wrong_parameter(message: String) -> ApiError {
    ApiError::bad_request(message)
}

/// Zou's `normalize` and `no_job` query parameters of an upload.
#[derive(Clone, Copy, Debug)]
pub struct UploadOptions {
    pub normalize: bool,
    pub no_job: bool,
}

/// `POST pictures/preview-files/{id}`: the file of a preview created by
/// add-preview. Pictures get their variants and turn "ready" at once
/// (Zou without a job queue); movies are processed in the background
/// (preview_movies.rs); other allowed files are kept as they are.
pub async fn upload(
    state: &AppState,
    user: &CurrentUser,
    preview_id: Uuid,
    file: Option<(String, Bytes)>,
    options: UploadOptions,
) -> ApiResult<(StatusCode, Row)> {
    let (preview, task) = {
        let mut conn = state.db.conn().await?;
        let preview = load_preview(&mut conn, preview_id).await?;
        if preview
            .get("original_name")
            .and_then(Value::as_str)
            .is_some_and(|n| !n.is_empty())
        {
            // Zou's PreviewFileReuploadNotAllowedException.
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                json!({"error": true, "message": BAD_REQUEST}),
            ));
        }
        let task = preview_task(&mut conn, &preview).await?;
        check_task_action(&mut conn, user, &task).await?;
        (preview, task)
    };
    let Some((filename, data)) = file else {
        return Err(wrong_parameter("File not provided.".into()));
    };
    let mut parts: Vec<&str> = filename.split('.').collect();
    let extension = parts.pop().unwrap_or_default().to_lowercase();
    let original_name = parts.join(".");
    let col = |n: &str| PREVIEW_FILE.column(n).expect("preview file column");
    let changes;
    if MOVIE_EXTENSIONS.contains(&extension.as_str()) {
        let row = crate::preview_movies::upload(
            state,
            user,
            &preview,
            &task,
            original_name,
            &extension,
            data,
            options.normalize,
            options.no_job,
        )
        .await?;
        return Ok((StatusCode::CREATED, row));
    } else if PICTURE_EXTENSIONS.contains(&extension.as_str()) {
        let picture = tokio::task::spawn_blocking(move || process_picture(&data))
            .await
            .map_err(ApiError::internal)?
            .ok_or_else(|| wrong_parameter("Uploaded file is not a readable picture.".into()))?;
        // Variants first, the original last, the row after them all: a
        // preview never says "ready" before its files are there.
        for (prefix, bytes) in &picture.variants {
            state
                .media
                .put(PICTURES, prefix, preview_id, bytes.clone())
                .await
                .map_err(media_err)?;
        }
        let file_size = picture.original.len() as i64;
        state
            .media
            .put(PICTURES, "original", preview_id, picture.original)
            .await
            .map_err(media_err)?;
        changes = vec![
            (col("extension"), SqlValue::Text("png".into())),
            (col("original_name"), SqlValue::Text(original_name)),
            (col("width"), SqlValue::Int(i64::from(picture.width))),
            (col("height"), SqlValue::Int(i64::from(picture.height))),
            (col("file_size"), SqlValue::Int(file_size)),
            (col("status"), SqlValue::Text("ready".into())),
        ];
    } else if FILE_EXTENSIONS.contains(&extension.as_str()) {
        let file_size = data.len() as i64;
        state
            .media
            .put(FILES, "previews", preview_id, data)
            .await
            .map_err(media_err)?;
        changes = vec![
            (col("file_size"), SqlValue::Int(file_size)),
            (col("extension"), SqlValue::Text(extension.clone())),
            (col("original_name"), SqlValue::Text(original_name)),
            (col("status"), SqlValue::Text("ready".into())),
        ];
    } else {
        // Zou removes the row of a file it will not keep.
        let mut tx = state.db.begin().await?;
        fennec_store::cascade::remove_preview_file(&mut tx, preview_id)
            .await
            .map_err(store_err)?;
        tx.commit().await?;
        return Err(wrong_parameter(format!(
            "Wrong file format, extension: {extension}"
        )));
    }
    let mut tx = state.db.begin().await?;
    let row = rows::update(&mut tx, &PREVIEW_FILE, preview_id, changes)
        .await
        .map_err(store_err)?
        .ok_or_else(ApiError::not_found)?;
    if row.get("status").and_then(Value::as_str) == Some("ready") {
        let position = preview.get("position").and_then(Value::as_i64).unwrap_or(1);
        store::preview_ready(&mut tx, preview_id, id_of(&task), position)
            .await
            .map_err(store_err)?;
    }
    let project = uuid_field(&task, "project_id");
    crate::events::emit(
        &mut tx,
        Some(user.id),
        "preview-file:update",
        json!({"preview_file_id": preview_id.to_string(), "status": "ready"}),
        project,
    )
    .await?;
    emit_added(&mut tx, user, &row, project).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, row))
}

/// Which rule guards a media read.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ReadRule {
    /// Zou's `BasePreviewFileResource.is_allowed`: `check_task_access`.
    Task,
    /// Zou's `BasePreviewFileThumbnailResource.is_allowed`: a shared
    /// entity's main preview is open to all but vendors; otherwise the
    /// production's team, a vendor only on his entities.
    Thumbnail,
}

async fn check_read(
    exec: &mut impl fennec_store::db::Exec,
    user: &CurrentUser,
    preview_id: Uuid,
    task: &Row,
    rule: ReadRule,
) -> ApiResult<()> {
    let project = uuid_field(task, "project_id").unwrap_or_default();
    let entity_id = uuid_field(task, "entity_id");
    let role = on_project(exec, user, project).await?;
    if rule == ReadRule::Thumbnail && role.role != Role::Vendor {
        if let Some(entity_id) = entity_id {
            let entity = rows::get(exec, &models::ENTITY, entity_id, false)
                .await
                .map_err(store_err)?;
            let open = entity.is_some_and(|e| {
                uuid_field(&e, "preview_file_id") == Some(preview_id)
                    && e.get("is_shared").and_then(Value::as_bool) == Some(true)
            });
            if open {
                return Ok(());
            }
        }
    }
    check_project_access(exec, user, project).await?;
    check_entity_access(exec, &role, entity_id).await
}

/// Zou's `_processing_answer`: a preview still processing has no files
/// yet; a JSON client is told to come back (202), others get a 404 that
/// is never cached.
fn processing_answer(id: Uuid, headers: &HeaderMap) -> Response {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mut response = if accept.contains("application/json") && !accept.contains("image/") {
        let mut r = (
            StatusCode::ACCEPTED,
            axum::Json(json!({"status": "processing", "preview_file_id": id.to_string()})),
        )
            .into_response();
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        r
    } else {
        (
            StatusCode::NOT_FOUND,
            axum::Json(json!({"error": true, "message": "Preview file was not found."})),
        )
            .into_response()
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A stored picture or file of a preview: the checks, then the bytes with
/// their content type (`attachment` for the download routes).
pub async fn read(
    state: &AppState,
    user: &CurrentUser,
    headers: &HeaderMap,
    preview_id: Uuid,
    prefix: &str,
    rule: ReadRule,
    attachment: bool,
) -> ApiResult<Response> {
    let preview = {
        let mut conn = state.db.conn().await?;
        let preview = load_preview(&mut conn, preview_id).await?;
        let task = preview_task(&mut conn, &preview).await?;
        check_read(&mut conn, user, preview_id, &task, rule).await?;
        preview
    };
    if preview.get("status").and_then(Value::as_str) == Some("processing") {
        return Ok(processing_answer(preview_id, headers));
    }
    let extension = preview
        .get("extension")
        .and_then(Value::as_str)
        .unwrap_or("png")
        .to_owned();
    if attachment && extension == "mp4" {
        // Zou's PreviewFileDownloadResource sends a movie's movie.
        return crate::preview_movies::send(state, headers, &preview, false, true)
            .await?
            .ok_or_else(ApiError::not_found);
    }
    // The download route serves what the preview is: its PNG original, or
    // the file kept as it came; a movie's `.png` original is its frame.
    let (bucket, prefix, content_type) =
        if prefix == "original" && extension != "png" && (attachment || extension != "mp4") {
            let ct = if extension == "pdf" {
                "application/pdf"
            } else {
                "application/octet-stream"
            };
            (FILES, "previews", ct)
        } else {
            (PICTURES, prefix, "image/png")
        };
    let bytes = state
        .media
        .get(bucket, prefix, preview_id)
        .await
        .map_err(media_err)?
        .ok_or_else(ApiError::not_found)?;
    let mut response = Response::new(Body::from(bytes));
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if attachment {
        let value = format!("attachment; filename={preview_id}.{extension}");
        if let Ok(v) = HeaderValue::from_str(&value) {
            h.insert(header::CONTENT_DISPOSITION, v);
        }
    }
    Ok(response)
}

/// The access check of a media read alone, for the routes that answer
/// something else than a file once it passed (Zou checks the rights
/// before the extension).
pub async fn check_media_access(
    state: &AppState,
    user: &CurrentUser,
    preview_id: Uuid,
    rule: ReadRule,
) -> ApiResult<()> {
    let mut conn = state.db.conn().await?;
    let preview = load_preview(&mut conn, preview_id).await?;
    let task = preview_task(&mut conn, &preview).await?;
    check_read(&mut conn, user, preview_id, &task, rule).await
}

/// Zou's `PreviewFileResource` takes the pictures' and the kept files'
/// extensions only.
pub fn is_original_extension(extension: &str) -> bool {
    PICTURE_EXTENSIONS.contains(&extension) || FILE_EXTENSIONS.contains(&extension)
}

/// `GET movies/originals|low/preview-files/{id}.mp4` and
/// `movies/originals/preview-files/{id}/download`: Zou's
/// `PreviewFileMovieResource` and its siblings, with the task's rule.
pub async fn read_movie(
    state: &AppState,
    user: &CurrentUser,
    headers: &HeaderMap,
    preview_id: Uuid,
    lowdef: bool,
    attachment: bool,
) -> ApiResult<Response> {
    let preview = {
        let mut conn = state.db.conn().await?;
        let preview = load_preview(&mut conn, preview_id).await?;
        let task = preview_task(&mut conn, &preview).await?;
        check_read(&mut conn, user, preview_id, &task, ReadRule::Task).await?;
        preview
    };
    if preview.get("status").and_then(Value::as_str) == Some("processing") {
        return Ok(processing_answer(preview_id, headers));
    }
    crate::preview_movies::send(state, headers, &preview, lowdef, attachment)
        .await?
        .ok_or_else(ApiError::not_found)
}

/// `PUT actions/preview-files/{id}/set-main-preview`: Zou's
/// `SetMainPreviewResource`. The production's team (a vendor on his
/// entities), never a client; a frame number only for a movie. Answers
/// the entity with the preview's status.
pub async fn set_main_preview(
    state: &AppState,
    user: &CurrentUser,
    preview_id: Uuid,
    frame_number: Option<i64>,
) -> ApiResult<Value> {
    let (preview, entity_id) = {
        let mut conn = state.db.conn().await?;
        let preview = load_preview(&mut conn, preview_id).await?;
        let task = preview_task(&mut conn, &preview).await?;
        let project = uuid_field(&task, "project_id").unwrap_or_default();
        check_project_access(&mut conn, user, project).await?;
        let role = on_project(&mut conn, user, project).await?;
        let entity_id = uuid_field(&task, "entity_id");
        check_entity_access(&mut conn, &role, entity_id).await?;
        if role.role == Role::Client {
            return Err(ApiError::forbidden());
        }
        if let Some(frame) = frame_number {
            if preview.get("extension").and_then(Value::as_str) != Some("mp4") {
                return Err(ApiError::bad_request(
                    "Can't use a given frame on non movie preview",
                ));
            }
            drop(conn);
            // Zou extracts the frame before it points the entity at the
            // preview; ffmpeg runs outside any transaction.
            crate::preview_frames::frame_as_pictures(state, &preview, &task, frame).await?;
        }
        (preview, entity_id)
    };
    let entity_id = entity_id.ok_or_else(ApiError::not_found)?;
    let mut tx = state.db.begin().await?;
    if !store::set_entity_preview(&mut tx, entity_id, preview_id)
        .await
        .map_err(store_err)?
    {
        return Err(ApiError::not_found());
    }
    let mut entity = rows::get(&mut tx, &models::ENTITY, entity_id, false)
        .await
        .map_err(store_err)?
        .ok_or_else(ApiError::not_found)?;
    crate::generic_crud::finish_rows(
        &mut tx,
        &models::ENTITY,
        std::slice::from_mut(&mut entity),
        false,
    )
    .await?;
    entity.insert(
        "preview_file_status".into(),
        preview.get("status").cloned().unwrap_or(Value::Null),
    );
    tx.commit().await?;
    Ok(Value::Object(entity))
}

/// `GET data/tasks/{id}/previews`: Zou's `TaskPreviewsResource`, the
/// task's preview files by revision, newest first (`check_task_access`);
/// a client does not see the rejected ones.
pub async fn task_previews(
    state: &AppState,
    user: &CurrentUser,
    task_id: Uuid,
) -> ApiResult<Vec<Value>> {
    let mut conn = state.db.conn().await?;
    let (_, role) = crate::reach::load_task(&mut conn, user, task_id).await?;
    let select = rows::Select::default().eq("task_id", SqlValue::Uuid(task_id));
    let mut previews = rows::list(&mut conn, &PREVIEW_FILE, &select, false)
        .await
        .map_err(store_err)?;
    // Stable: a revision's files stay in creation order.
    previews
        .sort_by_key(|p| std::cmp::Reverse(p.get("revision").and_then(Value::as_i64).unwrap_or(0)));
    Ok(previews
        .into_iter()
        .filter(|p| {
            role.role != Role::Client
                || p.get("validation_status").and_then(Value::as_str) != Some("rejected")
        })
        .map(Value::Object)
        .collect())
}

/// `POST pictures/thumbnails/persons/{id}`: Zou's `PersonThumbnailResource`.
/// The person himself or an admin; the picture is fitted in a 400x400
/// box and stored as the person's thumbnail, then `has_avatar` is set (not
/// before: a failed upload never leaves an avatar that 404s).
pub async fn set_avatar(
    state: &AppState,
    user: &CurrentUser,
    person_id: Uuid,
    file: Option<(String, Bytes)>,
) -> ApiResult<Value> {
    {
        let mut conn = state.db.conn().await?;
        rows::get(&mut conn, &models::PERSON, person_id, false)
            .await
            .map_err(store_err)?
            .ok_or_else(ApiError::not_found)?;
    }
    if !user.is_admin() && user.id != person_id {
        return Err(ApiError::forbidden());
    }
    let Some((_, data)) = file else {
        return Err(wrong_parameter("File not provided.".into()));
    };
    let picture = tokio::task::spawn_blocking(move || {
        let img = image::load_from_memory(&data).ok()?;
        png(&thumbnail(&img, (400, 400))).ok()
    })
    .await
    .map_err(ApiError::internal)?
    .ok_or_else(|| wrong_parameter("Uploaded file is not a readable picture.".into()))?;
    state
        .media
        .put(PICTURES, "thumbnails", person_id, picture)
        .await
        .map_err(media_err)?;
    let mut conn = state.db.conn().await?;
    let col = models::PERSON.column("has_avatar").expect("person column");
    rows::update(
        &mut conn,
        &models::PERSON,
        person_id,
        vec![(col, SqlValue::Bool(true))],
    )
    .await
    .map_err(store_err)?;
    Ok(json!({"thumbnail_path": format!("pictures/thumbnails/persons/{person_id}.png")}))
}

/// `GET pictures/thumbnails/persons/{id}`: anyone logged in reads an
/// avatar; a person without one is a 404.
pub async fn avatar(state: &AppState, person_id: Uuid) -> ApiResult<Response> {
    let person = {
        let mut conn = state.db.conn().await?;
        rows::get(&mut conn, &models::PERSON, person_id, false)
            .await
            .map_err(store_err)?
            .ok_or_else(ApiError::not_found)?
    };
    if person.get("has_avatar").and_then(Value::as_bool) != Some(true) {
        return Err(ApiError::not_found());
    }
    let bytes = state
        .media
        .get(PICTURES, "thumbnails", person_id)
        .await
        .map_err(media_err)?
        .ok_or_else(ApiError::not_found)?;
    let mut response = Response::new(Body::from(bytes));
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("image/png"));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_have_zou_sizes() {
        let img = DynamicImage::ImageRgb8(image::RgbImage::new(640, 360));
        let data = png(&img).unwrap();
        let picture = process_picture(&data).unwrap();
        assert_eq!((picture.width, picture.height), (640, 360));
        let sizes: Vec<(&str, (u32, u32))> = picture
            .variants
            .iter()
            .map(|(p, b)| (*p, image::load_from_memory(b).unwrap().dimensions()))
            .collect();
        assert_eq!(
            sizes,
            vec![
                ("thumbnails", (150, 100)),
                ("thumbnails-square", (100, 100)),
                ("previews", (1200, 675)),
            ]
        );
        assert!(process_picture(b"not a picture").is_none());
    }
}
