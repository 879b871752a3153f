//! Playlist movies (issue 14): Zou's `build_playlist_movie_file` as it runs
//! without a job queue, the built movie's download, and its removal.
//!
//! * **Build.** The entries' movie previews (Zou's
//!   `playlist_previews(only_movies=True)`) are copied from the media store
//!   into a work folder, each given a silent soundtrack when it has none
//!   (Zou's `add_empty_soundtrack`: the concatenation needs one audio
//!   stream per file). ffmpeg's concat demuxer joins them first, as Zou
//!   tries it first (`full=true` skips it); when it refuses the files, the
//!   concat filter re-encodes each at the production's size, and the job's
//!   message says so in Zou's words. The movie is stored under Zou's key,
//!   `movies/playlists/<job id>`.
//! * **Transactions.** Zou builds inside the request when it has no job
//!   queue, and so does Fennec; but the job is committed `running` first
//!   (`build-job:new`, which Kitsu shows as a spinner) and ffmpeg runs with
//!   no transaction open, so a long build never holds SQLite's writer. A
//!   second transaction ends the job (`build-job:update`).
//! * **Failure.** Zou ends the job `failed` and answers the request with a
//!   500; Fennec answers the failed job with the reason in `message`
//!   (CONTRACT.md, deliberate differences).
//! * **Download.** Zou's `PlaylistDownloadResource`: the stored movie,
//!   whole or by byte range, named
//!   `<created_at as YYYYMMDD_HHMMSS>_<context>_<playlist>.mp4`.

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use fennec_api::models;
use fennec_store::rows::{self, Row};
use serde_json::{json, Value};
use uuid::Uuid;

use std::path::{Path, PathBuf};

use crate::app::AppState;
use crate::auth::permissions::check_manager_project_access;
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::playlists;
use crate::present::{id_of, uuid_field};
use crate::preview_movies::{self, run_tool};
use crate::storage::{Media, MOVIES};

/// Zou's prefix of built playlist movies in the movies bucket.
const PREFIX: &str = "playlists";

const NO_MOVIE: &str = "The playlist has no movie preview to build a movie from.";

/// The size the concat filter scales every file to, and the frame rate
/// (Zou's `EncodingParameters`).
struct Encoding {
    width: Option<i64>,
    height: i64,
}

/// `GET /data/playlists/{id}/build/mp4`: the production's managers build
/// the playlist's movie; answers the ended job.
pub async fn build(
    state: &AppState,
    user: &CurrentUser,
    playlist_id: &str,
    full: bool,
) -> ApiResult<Row> {
    let (playlist, job, previews, encoding) = {
        let mut tx = state.db.begin().await?;
        let playlist = playlists::load_by_path(&mut tx, playlist_id).await?;
        let project_id = uuid_field(&playlist, "project_id").unwrap_or_default();
        check_manager_project_access(&mut tx, user, project_id).await?;
        let project = rows::get(&mut tx, &models::PROJECT, project_id, false)
            .await?
            .unwrap_or_default();
        let job = playlists::start_build(&mut tx, user.id, &playlist).await?;
        let previews = playlists::movie_previews(&mut tx, &playlist).await?;
        tx.commit().await?;
        let (width, height, _fps) = preview_movies::project_encoding(&project);
        (playlist, job, previews, Encoding { width, height })
    };
    let job_id = id_of(&job);
    let outcome = if previews.is_empty() {
        Err(NO_MOVIE.to_owned())
    } else {
        concatenate(state, job_id, &previews, &encoding, full).await
    };
    let (success, message) = match outcome {
        Ok(message) => (true, message),
        Err(why) => {
            tracing::warn!(
                "playlist {}: build {job_id} failed: {why}",
                id_of(&playlist)
            );
            (false, Some(why))
        }
    };
    let mut tx = state.db.begin().await?;
    let ended = playlists::end_build(
        &mut tx,
        user.id,
        &playlist,
        job_id,
        success,
        message.as_deref(),
    )
    .await;
    let ended = match ended {
        Ok(ended) => tx.commit().await.map(|()| ended).map_err(ApiError::from),
        Err(e) => Err(e),
    };
    match ended {
        Ok(Some(job)) => Ok(job),
        // Removed while it ran: Zou discards the movie and answers {}.
        Ok(None) => {
            remove_file(&state.media, job_id).await;
            Ok(Row::new())
        }
        Err(e) => {
            remove_file(&state.media, job_id).await;
            Err(e)
        }
    }
}

/// Joins the previews' movies and stores the result; the message of a
/// build that needed the concat filter, or why it failed.
async fn concatenate(
    state: &AppState,
    job: Uuid,
    previews: &[Uuid],
    encoding: &Encoding,
    full: bool,
) -> Result<Option<String>, String> {
    let _encoder = preview_movies::encoders()
        .acquire()
        .await
        .map_err(|e| e.to_string())?;
    let work = tempfile::Builder::new()
        .prefix("fennec-playlist-")
        .tempdir()
        .map_err(|e| format!("work folder: {e}"))?;
    let mut files = Vec::with_capacity(previews.len());
    let mut layouts = Vec::with_capacity(previews.len());
    for (index, preview) in previews.iter().enumerate() {
        // Numbered: two entries may show the same preview.
        let path = work.path().join(format!("{index:04}_{preview}.mp4"));
        let stored = crate::preview_frames::fetch_movie(state, *preview, false, &path)
            .await
            .map_err(|_| format!("the movie of preview {preview} could not be read"))?;
        if !stored {
            return Err(format!("preview {preview} has no stored movie"));
        }
        let (file, layout) = with_soundtrack(work.path(), index, path).await?;
        files.push(file);
        layouts.push(layout);
    }
    let (width, height) = match encoding.width {
        Some(width) => (width, encoding.height),
        // Zou's get_movie_size of the first movie when the production
        // sets no width.
        None => {
            let first = preview_movies::probe(&files[0]).await?;
            (first.width, first.height)
        }
    };
    let out = work.path().join("playlist.mp4");
    let mut message = None;
    let demuxed = if full {
        Err(None)
    } else {
        demux(work.path(), &files, &layouts, &out)
            .await
            .map_err(Some)
    };
    if let Err(refusal) = demuxed {
        filter(&files, width, height, &out).await?;
        if let Some(why) = refusal {
            message = Some(format!(
                "The exact concat demuxer rejected the previews ({why}). The movie was built \
                 by the re-encoding concat filter instead, its timing can drift from the \
                 source previews."
            ));
        }
    }
    state
        .media
        .put_file(MOVIES, PREFIX, job, &out)
        .await
        .map_err(|e| format!("the movie could not be stored: {e}"))?;
    Ok(message)
}

/// The streams of a movie: each one's type, and the video's duration.
type Layout = (Vec<String>, Option<String>);

async fn streams(path: &Path) -> Result<Layout, String> {
    let out = run_tool(
        "ffprobe",
        &[
            "-v",
            "error",
            "-show_entries",
            "stream=codec_type,duration",
            "-of",
            "json",
            &path.to_string_lossy(),
        ],
    )
    .await?;
    let info: Value =
        serde_json::from_slice(&out).map_err(|e| format!("ffprobe answered no JSON: {e}"))?;
    let list = info["streams"].as_array().cloned().unwrap_or_default();
    let kinds = list
        .iter()
        .map(|s| s["codec_type"].as_str().unwrap_or_default().to_owned())
        .collect();
    let duration = list
        .iter()
        .find(|s| s["codec_type"] == "video")
        .and_then(|s| s["duration"].as_str())
        .map(str::to_owned);
    Ok((kinds, duration))
}

/// The file itself when it has sound, else a copy with a silent track
/// (Zou's `add_empty_soundtrack`: the video copied, AAC silence cut to
/// the video's length); with the streams of the file answered, which the
/// demuxer checks.
async fn with_soundtrack(
    work: &Path,
    index: usize,
    path: PathBuf,
) -> Result<(PathBuf, Layout), String> {
    let layout = streams(&path).await?;
    if layout.0.iter().any(|k| k == "audio") {
        return Ok((path, layout));
    }
    let target = work.join(format!("{index:04}_with_sound.mp4"));
    run_tool(
        "ffmpeg",
        &[
            "-hide_banner",
            "-nostdin",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "anullsrc=channel_layout=stereo:sample_rate=44100",
            "-i",
            &path.to_string_lossy(),
            "-c:v",
            "copy",
            "-c:a",
            "aac",
            "-map",
            "0:a",
            "-map",
            "1:v",
            "-shortest",
            &target.to_string_lossy(),
        ],
    )
    .await?;
    let layout = streams(&target).await?;
    Ok((target, layout))
}

/// Zou's `concat_demuxer`: every file must have the first one's stream
/// layout, and exactly one video and one audio stream (a timecode or
/// other data stream is ignored); each file is offset by its video's
/// duration, not the container's, so that AAC's overshoot does not pile
/// up duplicated frames.
async fn demux(
    work: &Path,
    files: &[PathBuf],
    layouts: &[Layout],
    out: &Path,
) -> Result<(), String> {
    let mut first: Option<&Vec<String>> = None;
    let mut list = String::new();
    for (file, (kinds, duration)) in files.iter().zip(layouts) {
        match first {
            None => first = Some(kinds),
            Some(layout) if layout != kinds => {
                return Err(format!(
                    "{} has a stream layout ({kinds:?}) different from the first file's \
                     ({layout:?})",
                    file.display()
                ));
            }
            Some(_) => {}
        }
        let media: Vec<&String> = kinds
            .iter()
            .filter(|k| *k == "video" || *k == "audio")
            .collect();
        if media.len() != 2 || media[0] == media[1] {
            return Err(format!(
                "{} has an unexpected video/audio stream layout ({kinds:?})",
                file.display()
            ));
        }
        // The concat list's quoting: a quote closes, is escaped, reopens.
        let quoted = file.to_string_lossy().replace('\'', r"'\''");
        list.push_str(&format!("file '{quoted}'\n"));
        if let Some(duration) = duration {
            list.push_str(&format!("duration {duration}\n"));
        }
    }
    let list_path = work.join("concat.txt");
    tokio::fs::write(&list_path, list)
        .await
        .map_err(|e| format!("concat list: {e}"))?;
    run_tool(
        "ffmpeg",
        &[
            "-hide_banner",
            "-nostdin",
            "-y",
            "-xerror",
            "-f",
            "concat",
            "-safe",
            "0",
            "-i",
            &list_path.to_string_lossy(),
            "-map",
            "0:v",
            "-map",
            "0:a",
            // As Zou: AAC priming shifts the first frame off zero, which a
            // constant frame rate output would pad with a duplicate.
            "-vf",
            "select=concatdec_select,setpts=N/FR/TB",
            "-af",
            "aselect=concatdec_select,aresample=async=1",
            &out.to_string_lossy(),
        ],
    )
    .await
    .map(drop)
}

/// Zou's `concat_filter`: each file's picture made square-pixelled and
/// scaled to the production's size, then video and sound joined (sound
/// first in the output, as Zou maps them).
async fn filter(files: &[PathBuf], width: i64, height: i64, out: &Path) -> Result<(), String> {
    let mut args: Vec<String> = ["-hide_banner", "-nostdin", "-y"]
        .map(str::to_owned)
        .to_vec();
    let mut graph = String::new();
    let mut joined = String::new();
    for (i, file) in files.iter().enumerate() {
        args.push("-i".into());
        args.push(file.to_string_lossy().into_owned());
        graph.push_str(&format!("[{i}:v]setsar=1/1,scale={width}:{height}[v{i}];"));
        joined.push_str(&format!("[v{i}][{i}:a]"));
    }
    graph.push_str(&format!("{joined}concat=n={}:v=1:a=1[v][a]", files.len()));
    args.extend(
        [
            "-filter_complex",
            &graph,
            "-map",
            "[a]",
            "-map",
            "[v]",
            &out.to_string_lossy(),
        ]
        .map(str::to_owned),
    );
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run_tool("ffmpeg", &args).await.map(drop)
}

/// Removes a build's stored movie; a missing one is not an error, a
/// failure is logged (Zou's `remove_build_job_files`).
pub async fn remove_file(media: &Media, job: Uuid) {
    if let Err(e) = media.delete(MOVIES, PREFIX, job).await {
        tracing::warn!("build job {job}: {MOVIES}/{PREFIX} not removed: {e}");
    }
}

/// Zou's download name of a build: its creation time as
/// `YYYYMMDD_HHMMSS` (python-slugify of the ISO time, without
/// separators, `t` turned into `_`), the context and the playlist.
fn download_name(job: &Row, context: &str, playlist: &Row) -> String {
    let created = job
        .get("created_at")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_lowercase();
    let stamp: String = created
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| if c == 't' { '_' } else { c })
        .collect();
    let name = playlist
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    format!("{stamp}_{context}_{}.mp4", crate::playlist_zip::slug(name))
}

/// `GET /data/playlists/{id}/jobs/{job}/build/mp4` once the playlist and
/// the job are checked: Zou's 400 for a build that did not succeed, else
/// the stored movie (404 when it is not stored).
pub async fn download(
    state: &AppState,
    headers: &HeaderMap,
    playlist: &Row,
    job: &Row,
) -> ApiResult<Response> {
    if job.get("status").and_then(Value::as_str) != Some("succeeded") {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            json!({"error": true, "message": "Build is not finished"}),
        ));
    }
    let context = {
        let mut conn = state.db.conn().await?;
        let project = match uuid_field(playlist, "project_id") {
            Some(id) => rows::get(&mut conn, &models::PROJECT, id, false)
                .await?
                .unwrap_or_default(),
            None => Row::new(),
        };
        crate::playlist_zip::context_name(&mut conn, &project, playlist).await?
    };
    let served = preview_movies::Served {
        last_modified: preview_movies::http_date(job.get("updated_at").and_then(Value::as_str)),
        attachment: Some(download_name(job, &context, playlist)),
        // werkzeug's send_file without a max age.
        cache_control: Some("no-cache"),
    };
    preview_movies::send_movie(state, headers, &[PREFIX], id_of(job), &served)
        .await?
        .ok_or_else(ApiError::not_found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn download_name_follows_zou() {
        let mut job = Row::new();
        job.insert("created_at".into(), json!("2026-12-02T11:30:05"));
        let mut playlist = Row::new();
        playlist.insert("name".into(), json!("Daily Review #3"));
        assert_eq!(
            download_name(&job, "my_show_e01", &playlist),
            "20261202_113005_my_show_e01_daily_review_3.mp4"
        );
    }
}
