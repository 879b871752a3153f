//! A movie preview's frames and tile sheet (issue 14), the running
//! previews, and the previews a stopped server left "processing".
//!
//! * **Frames**: Zou's `ExtractFrameFromPreview` (a frame of the stored
//!   movie as a PNG, for the production's managers) and
//!   `SetMainPreviewResource` with a frame number (that frame becomes the
//!   preview's picture and its variants, as Zou's
//!   `replace_extracted_frame_for_preview_file`). Frame `n` is at
//!   `(n - 1) / fps`, the fps of Zou's `get_preview_file_fps`. A frame past
//!   the movie's end is a 400 that says so (Zou: a 500, CONTRACT.md).
//! * **Tiles**: the sheet Kitsu's player scrubs on (Zou's `generate_tile`:
//!   8 frames a row, 100 pixels high), made while the movie is processed
//!   and again by `ExtractTileFromPreview`, stored as `pictures/tiles`.
//! * **Running previews**: Zou's `RunningPreviewFiles`, for admins.
//! * **Recovery**: a movie is encoded by a tokio task of one server; a
//!   server stopped mid-encode leaves its preview "processing" for ever,
//!   which Kitsu shows as a spinner. While it encodes, a heartbeat moves
//!   the row's `updated_at` every 30 s; at start-up, a preview still
//!   processing without a change for 150 s is nobody's any more and
//!   turns "broken" with its reason in `data.processing_error`, so
//!   another replica's live encode is never taken for a dead one.

use std::path::Path;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderValue};
use axum::response::Response;
use bytes::Bytes;
use fennec_api::models::PREVIEW_FILE;
use fennec_store::rows::{self, Row};
use serde_json::Value;
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::permissions::check_manager_project_access;
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::QueryPairs;
use crate::present::{id_of, uuid_field};
use crate::preview_files::{self, ReadRule};
use crate::preview_movies;
use crate::storage::{MOVIES, PICTURES};

/// Where a movie's tile sheet is kept: Zou's `pictures/tiles`.
pub const TILES: &str = "tiles";

/// A movie being encoded touches its row this often.
pub const HEARTBEAT: Duration = Duration::from_secs(30);

/// A preview processing without a change for this long has no live
/// encode any more (five missed heartbeats).
pub const STALE_AFTER: Duration = Duration::from_secs(150);

fn store_err(e: fennec_store::StoreError) -> ApiError {
    e.into()
}

fn media_err(e: object_store::Error) -> ApiError {
    ApiError::internal(format!("media storage: {e}"))
}

fn png_response(bytes: Bytes) -> Response {
    let mut response = Response::new(Body::from(bytes));
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("image/png"));
    response
}

fn is_movie(preview: &Row) -> bool {
    preview.get("extension").and_then(Value::as_str) == Some("mp4")
}

/// Copies the first stored version of a preview's movie (Zou's order; the
/// low definition first for `lowdef`) into `target`, for ffmpeg, which
/// needs a file it can seek in whatever the media store is. False when
/// no version is stored.
pub(crate) async fn fetch_movie(
    state: &AppState,
    preview_id: Uuid,
    lowdef: bool,
    target: &Path,
) -> ApiResult<bool> {
    use futures_util::StreamExt;
    use tokio::io::AsyncWriteExt;
    let prefixes: [&str; 3] = if lowdef {
        ["lowdef", "previews", "source"]
    } else {
        ["previews", "lowdef", "source"]
    };
    let io = |e: std::io::Error| ApiError::internal(format!("movie work folder: {e}"));
    for prefix in prefixes {
        let Some(mut stored) = state
            .media
            .read(MOVIES, prefix, preview_id, None)
            .await
            .map_err(media_err)?
        else {
            continue;
        };
        let mut file = tokio::fs::File::create(target).await.map_err(io)?;
        while let Some(chunk) = stored.body.next().await {
            file.write_all(&chunk.map_err(media_err)?)
                .await
                .map_err(io)?;
        }
        file.flush().await.map_err(io)?;
        return Ok(true);
    }
    Ok(false)
}

fn work_dir() -> ApiResult<tempfile::TempDir> {
    tempfile::Builder::new()
        .prefix("fennec-frame-")
        .tempdir()
        .map_err(|e| ApiError::internal(format!("movie work folder: {e}")))
}

fn beyond_the_end(frame_number: i64) -> ApiError {
    ApiError::bad_request(format!(
        "Frame {frame_number} is beyond the end of the movie."
    ))
}

/// Frame `frame_number` (counted from 1) of a movie preview as a PNG at
/// the movie's size: Zou's `extract_frame_from_preview_file`. A preview
/// that is no movie, or whose movie is not stored, is a 404 as in Zou.
async fn frame_png(
    state: &AppState,
    preview: &Row,
    task: &Row,
    frame_number: i64,
) -> ApiResult<Bytes> {
    if !is_movie(preview) {
        return Err(ApiError::not_found());
    }
    let fps = {
        let mut conn = state.db.conn().await?;
        preview_movies::settings(&mut conn, task).await?.fps
    };
    let fps: f64 = fps.parse().unwrap_or(25.0);
    let work = work_dir()?;
    let movie = work.path().join("movie.mp4");
    if !fetch_movie(state, id_of(preview), false, &movie).await? {
        return Err(ApiError::not_found());
    }
    let probe = preview_movies::probe(&movie)
        .await
        .map_err(ApiError::internal)?;
    // Zou's RationalTime(frame_number - 1, fps); its default frame 0
    // would be before the start: the first frame.
    let at = ((frame_number - 1).max(0) as f64) / fps.max(1.0);
    if probe.duration > 0.0 && at >= probe.duration {
        return Err(beyond_the_end(frame_number));
    }
    let target = work.path().join("frame.png");
    preview_movies::extract_frame(&movie, at, &target)
        .await
        .map_err(ApiError::internal)?;
    // ffmpeg seeking past the last frame succeeds and writes nothing.
    match tokio::fs::read(&target).await {
        Ok(bytes) if !bytes.is_empty() => Ok(Bytes::from(bytes)),
        _ => Err(beyond_the_end(frame_number)),
    }
}

/// `GET actions/preview-files/{id}/extract-frame?frame_number=n`: Zou's
/// `ExtractFrameFromPreview`, for the production's managers.
pub async fn extract_frame(
    state: &AppState,
    user: &CurrentUser,
    preview_id: Uuid,
    frame_number: i64,
) -> ApiResult<Response> {
    let (preview, task) = {
        let mut conn = state.db.conn().await?;
        let preview = preview_files::load_preview(&mut conn, preview_id).await?;
        let task = preview_files::preview_task(&mut conn, &preview).await?;
        let project = uuid_field(&task, "project_id").unwrap_or_default();
        check_manager_project_access(&mut conn, user, project).await?;
        (preview, task)
    };
    Ok(png_response(
        frame_png(state, &preview, &task, frame_number).await?,
    ))
}

/// `set_main_preview` with a frame number: the frame becomes the
/// preview's original and its variants (Zou's
/// `replace_extracted_frame_for_preview_file`, run inside the request as
/// Zou does without a job queue).
pub async fn frame_as_pictures(
    state: &AppState,
    preview: &Row,
    task: &Row,
    frame_number: i64,
) -> ApiResult<()> {
    let frame = frame_png(state, preview, task, frame_number).await?;
    let picture = tokio::task::spawn_blocking(move || preview_files::process_picture(&frame))
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::internal("the extracted frame is not a readable picture"))?;
    let preview_id = id_of(preview);
    for (prefix, bytes) in picture.variants {
        state
            .media
            .put(PICTURES, prefix, preview_id, bytes)
            .await
            .map_err(media_err)?;
    }
    state
        .media
        .put(PICTURES, "original", preview_id, picture.original)
        .await
        .map_err(media_err)
}

/// Zou's `generate_tile`: the movie's frames 100 pixels high, 8 a row, as
/// many rows as needed up to 480 (beyond, every n-th frame only), as one
/// PNG. Decoded on one thread: it runs beside the API.
pub(crate) async fn tile(work: &Path, movie: &Path) -> Result<Bytes, String> {
    let probe = preview_movies::probe(movie).await?;
    let frames = (probe.duration * probe.fps).round().max(1.0);
    let rows = ((frames / 8.0).ceil() as i64).clamp(1, 480);
    let width = (100.0 * probe.ratio).ceil().max(1.0) as i64;
    let select = if rows == 480 {
        format!(
            "select='not(mod(n\\,{}))',",
            (frames / 3840.0).ceil() as i64
        )
    } else {
        String::new()
    };
    let target = work.join("tile.png");
    preview_movies::run_tool(
        "ffmpeg",
        &[
            "-hide_banner",
            "-nostdin",
            "-y",
            "-threads",
            "1",
            "-i",
            &movie.to_string_lossy(),
            "-vf",
            &format!("{select}scale={width}:100,tile=8x{rows}"),
            "-frames:v",
            "1",
            "-update",
            "1",
            "-threads",
            "1",
            &target.to_string_lossy(),
        ],
    )
    .await?;
    match tokio::fs::read(&target).await {
        Ok(bytes) if !bytes.is_empty() => Ok(Bytes::from(bytes)),
        Ok(_) => Err("ffmpeg wrote an empty tile".into()),
        Err(e) => Err(format!("no tile: {e}")),
    }
}

/// `GET actions/preview-files/{id}/extract-tile`: Zou's
/// `ExtractTileFromPreview`, for whoever may see the task: the tile is
/// made again from the low definition movie, stored, and answered.
pub async fn extract_tile(
    state: &AppState,
    user: &CurrentUser,
    preview_id: Uuid,
) -> ApiResult<Response> {
    let preview = {
        let mut conn = state.db.conn().await?;
        preview_files::load_preview(&mut conn, preview_id).await?
    };
    preview_files::check_media_access(state, user, preview_id, ReadRule::Task).await?;
    if !is_movie(&preview) {
        return Err(ApiError::bad_request("Preview file is not a movie"));
    }
    let work = work_dir()?;
    let movie = work.path().join("movie.mp4");
    if !fetch_movie(state, preview_id, true, &movie).await? {
        return Err(ApiError::not_found());
    }
    let tile = tile(work.path(), &movie)
        .await
        .map_err(ApiError::internal)?;
    state
        .media
        .put(PICTURES, TILES, preview_id, tile.clone())
        .await
        .map_err(media_err)?;
    Ok(png_response(tile))
}

/// `GET data/playlists/preview-files/running`: Zou's
/// `RunningPreviewFiles`, admins only. Each preview as its row, with its
/// task's production, task type and entity's full name.
pub async fn running(
    state: &AppState,
    user: &CurrentUser,
    query: &QueryPairs,
) -> ApiResult<Vec<Value>> {
    if !user.is_admin() {
        return Err(ApiError::forbidden());
    }
    let cursor = match query.get("cursor_preview_file_id") {
        None => None,
        Some(v) => Some(Uuid::parse_str(v).map_err(|_| {
            ApiError::bad_request("The cursor_preview_file_id parameter is not a valid id")
        })?),
    };
    let limit = query
        .get("limit")
        .map(|v| {
            v.trim()
                .parse::<i64>()
                .map_err(|_| ApiError::bad_request("Wrong value for parameter limit."))
        })
        .transpose()?;
    let mut conn = state.db.conn().await?;
    if let Some(id) = cursor {
        if rows::get(&mut conn, &PREVIEW_FILE, id, false)
            .await
            .map_err(store_err)?
            .is_none()
        {
            return Err(ApiError::bad_request(format!(
                "No preview file found with id: {id}"
            )));
        }
    }
    let found = fennec_store::previews::running(&mut conn, cursor, limit)
        .await
        .map_err(store_err)?;
    let entities: Vec<Uuid> = found.iter().filter_map(|r| r.entity).collect();
    let names = crate::notifications::full_entity_names(&mut conn, &entities).await?;
    let mut out = Vec::with_capacity(found.len());
    for r in found {
        let Some(mut row) = rows::get(&mut conn, &PREVIEW_FILE, r.preview, false)
            .await
            .map_err(store_err)?
        else {
            continue;
        };
        let id = |u: Option<Uuid>| u.map_or(Value::Null, |u| Value::String(u.to_string()));
        row.insert("project_id".into(), id(r.project));
        row.insert("task_type_id".into(), id(r.task_type));
        let name = r
            .entity
            .and_then(|e| names.get(&e))
            .map_or(Value::Null, |(n, _, _)| Value::String(n.clone()));
        row.insert("full_entity_name".into(), name);
        out.push(Value::Object(row));
    }
    Ok(out)
}

/// While a movie is encoded: its row's `updated_at` moves every
/// [`HEARTBEAT`]. The caller aborts the task when the work ends.
pub fn heartbeat(state: AppState, preview_id: Uuid) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(HEARTBEAT);
        ticks.tick().await;
        loop {
            ticks.tick().await;
            let touched = match state.db.conn().await {
                Ok(mut conn) => fennec_store::previews::touch_processing(
                    &mut conn,
                    preview_id,
                    fennec_api::time::now(),
                )
                .await
                .map_err(|e| e.to_string()),
                Err(e) => Err(format!("{e:?}")),
            };
            match touched {
                Ok(true) => {}
                Ok(false) => return,
                Err(e) => tracing::warn!("movie preview {preview_id}: no heartbeat: {e}"),
            }
        }
    })
}

/// The reason a recovered preview shows in `data.processing_error`.
pub const STOPPED: &str =
    "the server stopped while this movie was being processed; upload it again";

/// At start-up: the previews still processing with no heartbeat for
/// [`STALE_AFTER`] turn broken, with their event. Returns how many.
pub async fn recover_stale(state: &AppState) -> ApiResult<usize> {
    let cutoff = fennec_api::time::now()
        - chrono::Duration::from_std(STALE_AFTER).unwrap_or_else(|_| chrono::Duration::zero());
    let stale = {
        let mut conn = state.db.conn().await?;
        fennec_store::previews::stale_processing(&mut conn, cutoff)
            .await
            .map_err(store_err)?
    };
    for id in &stale {
        tracing::warn!("movie preview {id} was left processing by a stopped server: broken");
        preview_movies::mark_broken(state, *id, STOPPED).await?;
    }
    Ok(stale.len())
}
