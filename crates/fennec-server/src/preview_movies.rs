//! Movie previews (issue 14): Zou's movie pipeline
//! (`preview_files_service.prepare_and_store_movie`, `utils/movie.py`) run
//! off the request path, and the movie reads with their byte ranges.
//!
//! * **Upload.** The upload answers at once with the preview still
//!   "processing", as Zou does with its job queue; a tokio task then runs
//!   Debian's `ffprobe` and `ffmpeg` as subprocesses (no codec in Fennec).
//!   `no_job=true` and `normalize=false` wait for the work inside the
//!   request, as Zou does for them, and answer the finished preview.
//! * **Outputs**, Zou's: `movies/previews` (high definition, the
//!   production's resolution and fps, 28 Mbit/s by default),
//!   `movies/lowdef` (1280 wide, 6 Mbit/s), both H.264 + AAC with
//!   faststart; the first frame as the picture original and its
//!   thumbnails; `width`, `height`, `file_size` and `duration` of the
//!   high definition movie; `data` keeps the upload's size and duration
//!   and the stored versions (`movie_prefixes`). `normalize=false` keeps
//!   the upload as it came under `movies/previews`.
//! * **Failure.** A movie ffmpeg cannot read ends "broken", the reason in
//!   the log and in `data.processing_error`; the upload itself still
//!   answered 201, so a broken movie is never a 500.
//! * **Reads.** The movie routes try the versions in Zou's order (the low
//!   definition route prefers `lowdef`) and answer one byte range with a
//!   206 as werkzeug's `send_file` does (several ranges or an
//!   unsatisfiable one: 416), streaming from the media store.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use fennec_api::models::{self, PREVIEW_FILE};
use fennec_store::rows::{self, Row};
use fennec_store::SqlValue;
use serde_json::{json, Map, Value};
use tokio::sync::Semaphore;
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::present::uuid_field;
use crate::storage::{MOVIES, PICTURES};

/// Zou's `ALLOWED_MOVIE_EXTENSION`.
pub const MOVIE_EXTENSIONS: &[&str] = &["avi", "m4v", "mkv", "mov", "mp4", "webm", "wmv"];

/// Zou's `MOVIE_PREFIXES` and `LOWDEF_MOVIE_PREFIXES`: the versions a
/// movie route tries, best first.
const MOVIE_PREFIXES: [&str; 3] = ["previews", "lowdef", "source"];
const LOWDEF_MOVIE_PREFIXES: [&str; 3] = ["lowdef", "previews", "source"];

/// Zou's `MOVIE_HIGHDEF_BITRATE` and `MOVIE_LOWDEF_BITRATE` (Mbit/s), the
/// ceilings of the production's own settings.
const HIGHDEF_BITRATE: i64 = 28;
const LOWDEF_BITRATE: i64 = 6;

/// Zou's `MOVIE_ENCODING_PRESET` default.
const PRESET: &str = "medium";

/// The message of Zou's `save_movie_preview` for an empty upload.
const EMPTY_UPLOAD: &str = "Uploaded movie could not be written to temporary storage or is \
                            empty; aborting before dispatching normalization.";

/// ffmpeg runs at most this many movies at once: each already uses
/// several cores, and a burst of uploads must not starve the API.
pub(crate) fn encoders() -> &'static Semaphore {
    static ENCODERS: OnceLock<Semaphore> = OnceLock::new();
    ENCODERS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Semaphore::new((cores / 4).max(1))
    })
}

fn store_err(e: fennec_store::StoreError) -> ApiError {
    e.into()
}

/// What ffprobe tells of a movie's first video track.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Probe {
    pub width: i64,
    pub height: i64,
    pub duration: f64,
    pub has_audio: bool,
    /// Zou's `get_movie_fps`: `r_frame_rate`, 25 when ffprobe has none.
    pub fps: f64,
    /// Zou's `get_movie_display_aspect_ratio`: the display ratio, else
    /// width / height.
    pub ratio: f64,
}

/// The encoding settings of a preview: Zou's `_get_encoding_parameters`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Settings {
    pub fps: String,
    width: Option<i64>,
    height: i64,
    highdef_bitrate: i64,
    lowdef_bitrate: i64,
}

fn is_full_resolution(r: &str) -> bool {
    let Some((w, h)) = r.split_once('x') else {
        return false;
    };
    let digits = |s: &str| (3..=4).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    digits(w) && digits(h)
}

/// Zou's `get_preview_file_dimensions`: the entity's resolution, else the
/// production's (`1920x1080`, or `x1080` for a height alone), else 1080
/// high at the movie's ratio.
fn dimensions(
    project_resolution: Option<&str>,
    entity_resolution: Option<&str>,
) -> (Option<i64>, i64) {
    let resolution = entity_resolution
        .filter(|r| is_full_resolution(r))
        .or(project_resolution);
    match resolution {
        Some(r) if is_full_resolution(r) => {
            let (w, h) = r.split_once('x').unwrap_or_default();
            (w.parse().ok(), h.parse().unwrap_or(1080))
        }
        Some(r) if r.starts_with('x') && is_full_resolution(&format!("100{r}")) => {
            (None, r[1..].parse().unwrap_or(1080))
        }
        _ => (None, 1080),
    }
}

/// Zou's `get_preview_file_fps`: the entity's, else the production's,
/// else 25, written with three decimals.
fn frame_rate(project_fps: Option<&str>, entity_fps: Option<&Value>) -> String {
    let mut fps = project_fps.unwrap_or("25.00").replace(',', ".");
    match entity_fps {
        Some(Value::String(s)) if !s.is_empty() => fps = s.replace(',', "."),
        Some(Value::Number(n)) => fps = n.to_string(),
        _ => {}
    }
    format!("{:.3}", fps.trim().parse::<f64>().unwrap_or(25.0))
}

/// Zou's `EncodingParameters` of a playlist build: the production's
/// width (none when it sets a height alone), height and fps.
pub(crate) fn project_encoding(project: &Row) -> (Option<i64>, i64, String) {
    let text = |k: &str| project.get(k).and_then(Value::as_str);
    let (width, height) = dimensions(text("resolution"), None);
    (width, height, frame_rate(text("fps"), None))
}

pub(crate) async fn settings(
    exec: &mut impl fennec_store::db::Exec,
    task: &Row,
) -> ApiResult<Settings> {
    let project = uuid_field(task, "project_id").unwrap_or_default();
    let project = rows::get(exec, &models::PROJECT, project, false)
        .await
        .map_err(store_err)?
        .unwrap_or_default();
    let entity = match uuid_field(task, "entity_id") {
        Some(id) => rows::get(exec, &models::ENTITY, id, false)
            .await
            .map_err(store_err)?
            .unwrap_or_default(),
        None => Row::new(),
    };
    let data = entity.get("data").and_then(Value::as_object);
    let text = |row: &Row, k: &str| row.get(k).and_then(Value::as_str).map(str::to_owned);
    let (width, height) = dimensions(
        text(&project, "resolution").as_deref(),
        data.and_then(|d| d.get("resolution"))
            .and_then(Value::as_str),
    );
    // Zou's get_movie_bitrates: the production's, never above the
    // configured ceilings, the low definition never above the high one.
    let bitrate = |k: &str, default: i64| {
        project
            .get(k)
            .and_then(Value::as_i64)
            .filter(|b| *b > 0)
            .unwrap_or(default)
    };
    let highdef = bitrate("hd_bitrate_compression", HIGHDEF_BITRATE).min(HIGHDEF_BITRATE);
    let lowdef = bitrate("ld_bitrate_compression", LOWDEF_BITRATE).min(highdef);
    Ok(Settings {
        fps: frame_rate(
            text(&project, "fps").as_deref(),
            data.and_then(|d| d.get("fps")),
        ),
        width,
        height,
        highdef_bitrate: highdef,
        lowdef_bitrate: lowdef,
    })
}

/// The last lines of a tool's error output: enough to tell why, short
/// enough for a log line and the preview's `data`.
fn tail(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(3)..].join(" / ")
}

/// Writes the frame of `movie` at `at` seconds to `target` as a PNG (Zou's
/// `extract_frame_from_movie`). Seeking past the last frame succeeds and
/// writes nothing: callers check the file.
pub(crate) async fn extract_frame(movie: &Path, at: f64, target: &Path) -> Result<(), String> {
    run_tool(
        "ffmpeg",
        &[
            "-hide_banner",
            "-nostdin",
            "-y",
            "-ss",
            &format!("{at:.6}"),
            "-i",
            &movie.to_string_lossy(),
            "-frames:v",
            "1",
            "-update",
            "1",
            &target.to_string_lossy(),
        ],
    )
    .await
    .map(drop)
}

pub(crate) async fn run_tool(tool: &str, args: &[&str]) -> Result<Vec<u8>, String> {
    let output = tokio::process::Command::new(tool)
        .args(args)
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true)
        .output()
        .await
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                format!("{tool} is not installed on the server (Debian: apt-get install ffmpeg)")
            } else {
                format!("{tool} could not be started: {e}")
            }
        })?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(format!("{tool} failed: {}", tail(&output.stderr)))
    }
}

/// Zou's `get_video_track` and `has_soundtrack`, in one ffprobe call.
pub(crate) async fn probe(path: &Path) -> Result<Probe, String> {
    let path = path.to_string_lossy();
    let out = run_tool(
        "ffprobe",
        &[
            "-v",
            "error",
            "-show_streams",
            "-show_format",
            "-of",
            "json",
            &path,
        ],
    )
    .await?;
    let info: Value =
        serde_json::from_slice(&out).map_err(|e| format!("ffprobe answered no JSON: {e}"))?;
    let streams = info["streams"].as_array().cloned().unwrap_or_default();
    let video = streams
        .iter()
        .find(|s| s["codec_type"] == "video")
        .ok_or("the file has no video track")?;
    let number = |v: &Value| match v {
        Value::String(s) => s.parse::<f64>().ok(),
        v => v.as_f64(),
    };
    let width = video["width"].as_i64().unwrap_or(0);
    let height = video["height"].as_i64().unwrap_or(0);
    if width <= 0 || height <= 0 {
        return Err("the video track has no picture size".into());
    }
    // Matroska and WebM keep the duration on the container only.
    let duration = number(&video["duration"])
        .or_else(|| number(&info["format"]["duration"]))
        .unwrap_or(0.0);
    let fraction = |v: &Value| {
        let (a, b) = v.as_str()?.split_once(['/', ':'])?;
        let (a, b) = (a.parse::<f64>().ok()?, b.parse::<f64>().ok()?);
        (a > 0.0 && b > 0.0).then_some(a / b)
    };
    Ok(Probe {
        width,
        height,
        duration,
        has_audio: streams.iter().any(|s| s["codec_type"] == "audio"),
        fps: fraction(&video["r_frame_rate"]).unwrap_or(25.0),
        ratio: fraction(&video["display_aspect_ratio"]).unwrap_or(width as f64 / height as f64),
    })
}

/// Zou's `normalize_encoding`: H.264 at `bitrate` Mbit/s (also the cap of
/// a buffer twice as large), fitted into `width`x`height` without
/// stretching, keyframes every 2 frames, AAC sound padded to the video's
/// end (a silent track for a movie without one, as Zou's
/// `add_empty_soundtrack` gives it), faststart for the players.
async fn encode(
    source: &Path,
    probe: &Probe,
    target: &Path,
    fps: &str,
    bitrate: i64,
    width: i64,
    height: i64,
) -> Result<(), String> {
    let source = source.to_string_lossy().into_owned();
    let target = target.to_string_lossy().into_owned();
    let filter = format!(
        "scale=trunc(iw*sar/2)*2:ih,scale={width}:{height}:force_original_aspect_ratio=decrease:\
         force_divisible_by=2,pad={width}:{height}:(ow-iw)/2:(oh-ih)/2,setsar=1"
    );
    let rate = format!("{bitrate}M");
    let buffer = format!("{}M", bitrate * 2);
    let pad = format!("apad=whole_dur={}", probe.duration);
    let mut args: Vec<&str> = vec!["-hide_banner", "-nostdin", "-y", "-i", &source];
    if probe.has_audio {
        args.extend(["-map", "0:v:0", "-map", "0:a:0"]);
    } else {
        args.extend([
            "-f",
            "lavfi",
            "-i",
            "anullsrc=channel_layout=stereo:sample_rate=44100",
            "-map",
            "0:v:0",
            "-map",
            "1:a:0",
            "-shortest",
        ]);
    }
    if probe.has_audio && probe.duration > 0.0 {
        args.extend(["-af", &pad]);
    }
    args.extend([
        "-pix_fmt",
        "yuv420p",
        "-r",
        fps,
        "-c:v",
        "libx264",
        "-preset",
        PRESET,
        "-x264opts",
        "keyint=2:scenecut=0",
        "-vf",
        &filter,
        "-b:v",
        &rate,
        "-maxrate",
        &rate,
        "-bufsize",
        &buffer,
        "-c:a",
        "aac",
        "-movflags",
        "+faststart",
        "-f",
        "mp4",
        &target,
    ]);
    run_tool("ffmpeg", &args).await.map(|_| ())
}

fn even(n: i64) -> i64 {
    if n % 2 == 1 {
        n + 1
    } else {
        n
    }
}

/// What the work produced, ready to be stored.
struct Outputs {
    /// (prefix in the movies bucket, file)
    movies: Vec<(&'static str, PathBuf)>,
    /// The first frame as Zou keeps it: the original and its variants.
    picture: crate::preview_files::Picture,
    /// The tile sheet, when ffmpeg could make one.
    tile: Option<Bytes>,
    /// The stored movie's fields, and the upload's.
    movie: Probe,
    movie_size: u64,
    source: Probe,
    source_size: u64,
}

/// Zou's `_process_movie`, without the job queue's plumbing.
async fn process(
    work: &Path,
    source: &Path,
    settings: &Settings,
    normalize: bool,
) -> Result<Outputs, String> {
    let original = probe(source).await?;
    let source_size = tokio::fs::metadata(source)
        .await
        .map_err(|e| e.to_string())?
        .len();
    let (movie, movies) = if normalize {
        // Zou's normalize_movie: the production's size (its width from
        // the movie's ratio when only a height is set), then 1280 wide.
        let height = even(settings.height);
        let width = even(settings.width.unwrap_or(
            (original.width as f64 / original.height as f64 * settings.height as f64).floor()
                as i64,
        ));
        let high = work.join("high.mp4");
        let low = work.join("low.mp4");
        encode(
            source,
            &original,
            &high,
            &settings.fps,
            settings.highdef_bitrate,
            width,
            height,
        )
        .await?;
        let low_height = even((height as f64 / width as f64 * 1280.0).floor() as i64);
        encode(
            source,
            &original,
            &low,
            &settings.fps,
            settings.lowdef_bitrate,
            1280,
            low_height,
        )
        .await?;
        (high.clone(), vec![("previews", high), ("lowdef", low)])
    } else {
        (
            source.to_path_buf(),
            vec![("previews", source.to_path_buf())],
        )
    };
    let movie_probe = probe(&movie).await?;
    let movie_size = tokio::fs::metadata(&movie)
        .await
        .map_err(|e| e.to_string())?
        .len();
    // Zou's generate_thumbnail: the first frame, as a PNG.
    let frame = work.join("frame.png");
    extract_frame(&movie, 0.0, &frame).await?;
    let frame = tokio::fs::read(&frame)
        .await
        .map_err(|e| format!("no first frame: {e}"))?;
    let picture =
        tokio::task::spawn_blocking(move || crate::preview_files::process_picture(&frame))
            .await
            .map_err(|e| e.to_string())?
            .ok_or("the first frame is not a readable picture")?;
    // Zou's _build_thumbnails_and_tile: a movie without a tile is still
    // a good preview, the failure is only logged.
    let tile = match crate::preview_frames::tile(work, &movie).await {
        Ok(tile) => Some(tile),
        Err(e) => {
            tracing::warn!("movie preview: no tile sheet: {e}");
            None
        }
    };
    Ok(Outputs {
        movies,
        picture,
        tile,
        movie: movie_probe,
        movie_size,
        source: original,
        source_size,
    })
}

/// The movie branch of `POST pictures/preview-files/{id}` (Zou's
/// `save_movie_preview`): the upload is kept in a work folder, the row
/// takes its extension and name and the events go out, then the work
/// starts. Answers the row as it is when the request ends.
#[allow(clippy::too_many_arguments)]
pub async fn upload(
    state: &AppState,
    user: &CurrentUser,
    preview: &Row,
    task: &Row,
    original_name: String,
    extension: &str,
    data: Bytes,
    normalize: bool,
    no_job: bool,
) -> ApiResult<Row> {
    let preview_id = crate::present::id_of(preview);
    if data.is_empty() {
        let mut tx = state.db.begin().await?;
        fennec_store::cascade::remove_preview_file(&mut tx, preview_id)
            .await
            .map_err(store_err)?;
        tx.commit().await?;
        return Err(ApiError::bad_request(EMPTY_UPLOAD));
    }
    let work = tempfile::Builder::new()
        .prefix("fennec-movie-")
        .tempdir()
        .map_err(|e| ApiError::internal(format!("movie work folder: {e}")))?;
    let source = work.path().join(format!("source.{extension}"));
    tokio::fs::write(&source, &data)
        .await
        .map_err(|e| ApiError::internal(format!("movie work folder: {e}")))?;
    drop(data);
    let col = |n: &str| PREVIEW_FILE.column(n).expect("preview file column");
    let (row, settings) = {
        let mut tx = state.db.begin().await?;
        let settings = settings(&mut tx, task).await?;
        let row = rows::update(
            &mut tx,
            &PREVIEW_FILE,
            preview_id,
            vec![
                (col("extension"), SqlValue::Text("mp4".into())),
                (col("original_name"), SqlValue::Text(original_name)),
            ],
        )
        .await
        .map_err(store_err)?
        .ok_or_else(ApiError::not_found)?;
        let project = uuid_field(task, "project_id");
        crate::events::emit(
            &mut tx,
            Some(user.id),
            "preview-file:update",
            json!({"preview_file_id": preview_id.to_string(), "status": "processing"}),
            project,
        )
        .await?;
        crate::preview_files::emit_added(&mut tx, user, &row, project).await?;
        tx.commit().await?;
        (row, settings)
    };
    let job = tokio::spawn(run(
        state.clone(),
        preview_id,
        work,
        source,
        settings,
        normalize,
    ));
    if normalize && !no_job {
        return Ok(row);
    }
    let _ = job.await;
    let mut conn = state.db.conn().await?;
    crate::preview_files::load_preview(&mut conn, preview_id).await
}

/// The background work of one movie: process, store, then tell. The
/// work folder goes whatever happens.
async fn run(
    state: AppState,
    preview_id: Uuid,
    work: tempfile::TempDir,
    source: PathBuf,
    settings: Settings,
    normalize: bool,
) {
    // The heartbeat runs while the movie waits for an encoder too: a
    // queued movie is as alive as one being encoded.
    let heartbeat = crate::preview_frames::heartbeat(state.clone(), preview_id);
    let _permit = encoders().acquire().await;
    let outcome = match process(work.path(), &source, &settings, normalize).await {
        Ok(outputs) => store(&state, preview_id, outputs).await,
        Err(e) => Err(e),
    };
    heartbeat.abort();
    if let Err(reason) = outcome {
        tracing::warn!("movie preview {preview_id} is broken: {reason}");
        if let Err(e) = mark_broken(&state, preview_id, &reason).await {
            tracing::error!("movie preview {preview_id} could not be marked broken: {e:?}");
        }
    }
    drop(work);
}

async fn store(state: &AppState, preview_id: Uuid, out: Outputs) -> Result<(), String> {
    let media = |e: object_store::Error| format!("media storage: {e}");
    // Pictures, then movies, then the row: a preview never says "ready"
    // before its files are there.
    for (prefix, bytes) in &out.picture.variants {
        state
            .media
            .put(PICTURES, prefix, preview_id, bytes.clone())
            .await
            .map_err(media)?;
    }
    state
        .media
        .put(
            PICTURES,
            "original",
            preview_id,
            out.picture.original.clone(),
        )
        .await
        .map_err(media)?;
    if let Some(tile) = &out.tile {
        state
            .media
            .put(
                PICTURES,
                crate::preview_frames::TILES,
                preview_id,
                tile.clone(),
            )
            .await
            .map_err(media)?;
    }
    let mut prefixes = Vec::new();
    for (prefix, path) in &out.movies {
        state
            .media
            .put_file(MOVIES, prefix, preview_id, path)
            .await
            .map_err(media)?;
        prefixes.push(*prefix);
    }
    let finished = finish(state, preview_id, &out, &prefixes)
        .await
        .map_err(|e| format!("{e:?}"))?;
    if !finished {
        // Removed while it was processed: its files have no row any more.
        crate::preview_files::remove_files(state, preview_id).await;
    }
    Ok(())
}

/// The row turns "ready" with the movie's fields, the task (and maybe the
/// entity) shows it, and the clients are told. False when the preview
/// was removed meanwhile.
async fn finish(
    state: &AppState,
    preview_id: Uuid,
    out: &Outputs,
    prefixes: &[&str],
) -> ApiResult<bool> {
    let mut tx = state.db.begin().await?;
    let Some(preview) = rows::get(&mut tx, &PREVIEW_FILE, preview_id, false)
        .await
        .map_err(store_err)?
    else {
        return Ok(false);
    };
    let mut data: Map<String, Value> = preview
        .get("data")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    data.insert("original_width".into(), json!(out.source.width));
    data.insert("original_height".into(), json!(out.source.height));
    data.insert("original_duration".into(), json!(out.source.duration));
    data.insert("original_file_size".into(), json!(out.source_size));
    data.insert("movie_prefixes".into(), json!(prefixes));
    let col = |n: &str| PREVIEW_FILE.column(n).expect("preview file column");
    rows::update(
        &mut tx,
        &PREVIEW_FILE,
        preview_id,
        vec![
            (col("status"), SqlValue::Text("ready".into())),
            (col("width"), SqlValue::Int(out.movie.width)),
            (col("height"), SqlValue::Int(out.movie.height)),
            (col("file_size"), SqlValue::Int(out.movie_size as i64)),
            (col("duration"), SqlValue::Float(out.movie.duration)),
            (col("data"), SqlValue::Json(Value::Object(data))),
        ],
    )
    .await
    .map_err(store_err)?;
    let task_id = uuid_field(&preview, "task_id").unwrap_or_default();
    let position = preview.get("position").and_then(Value::as_i64).unwrap_or(1);
    fennec_store::previews::preview_ready(&mut tx, preview_id, task_id, position)
        .await
        .map_err(store_err)?;
    let project = project_of(&mut tx, task_id).await?;
    crate::events::emit(
        &mut tx,
        None,
        "preview-file:update",
        json!({"preview_file_id": preview_id.to_string(), "status": "ready"}),
        project,
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

async fn project_of(
    exec: &mut impl fennec_store::db::Exec,
    task_id: Uuid,
) -> ApiResult<Option<Uuid>> {
    Ok(rows::get(exec, crate::task_rows::TASK, task_id, false)
        .await
        .map_err(store_err)?
        .and_then(|t| uuid_field(&t, "project_id")))
}

/// Zou's `set_preview_file_as_broken`, with the reason kept beside the
/// other facts of the upload.
pub(crate) async fn mark_broken(state: &AppState, preview_id: Uuid, reason: &str) -> ApiResult<()> {
    let mut tx = state.db.begin().await?;
    let Some(preview) = rows::get(&mut tx, &PREVIEW_FILE, preview_id, false)
        .await
        .map_err(store_err)?
    else {
        return Ok(());
    };
    let mut data: Map<String, Value> = preview
        .get("data")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    data.insert("processing_error".into(), json!(reason));
    let col = |n: &str| PREVIEW_FILE.column(n).expect("preview file column");
    rows::update(
        &mut tx,
        &PREVIEW_FILE,
        preview_id,
        vec![
            (col("status"), SqlValue::Text("broken".into())),
            (col("data"), SqlValue::Json(Value::Object(data))),
        ],
    )
    .await
    .map_err(store_err)?;
    let task_id = uuid_field(&preview, "task_id").unwrap_or_default();
    let project = project_of(&mut tx, task_id).await?;
    crate::events::emit(
        &mut tx,
        None,
        "preview-file:update",
        json!({"preview_file_id": preview_id.to_string(), "status": "broken"}),
        project,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Removes whatever movie versions a preview had.
pub async fn remove_files(state: &AppState, preview_id: Uuid) {
    for prefix in MOVIE_PREFIXES {
        if let Err(e) = state.media.delete(MOVIES, prefix, preview_id).await {
            tracing::warn!("preview {preview_id}: {MOVIES}/{prefix} not removed: {e}");
        }
    }
}

/// werkzeug's answer to a range it will not serve: 416 with the size.
fn unsatisfiable(size: u64) -> Response {
    let mut response = Response::new(Body::from(
        json!({"error": true, "message": "The server cannot provide the requested range."})
            .to_string(),
    ));
    *response.status_mut() = StatusCode::RANGE_NOT_SATISFIABLE;
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("bytes */{size}")) {
        h.insert(header::CONTENT_RANGE, v);
    }
    response
}

/// The byte range a request asks for, as werkzeug's `send_file` reads it:
/// `Ok(None)` for the whole file (no Range, or an `If-Range` that no
/// longer matches), `Err` for a 416 (bad syntax, several ranges, nothing
/// of the file).
fn wanted_range(
    headers: &HeaderMap,
    size: u64,
    last_modified: &str,
) -> Result<Option<(u64, u64)>, ()> {
    let Some(range) = headers.get(header::RANGE) else {
        return Ok(None);
    };
    if let Some(if_range) = headers.get(header::IF_RANGE) {
        if if_range.as_bytes() != last_modified.as_bytes() {
            return Ok(None);
        }
    }
    if size == 0 {
        return Ok(None);
    }
    let range = range.to_str().map_err(|_| ())?;
    let parsed = http_range_header::parse_range_header(range).map_err(|_| ())?;
    if parsed.len() != 1 {
        return Err(());
    }
    match parsed.validate(size).map_err(|_| ())?.first() {
        Some(r) => Ok(Some((*r.start(), *r.end()))),
        None => Err(()),
    }
}

/// HTTP's date form of a stored timestamp (`2026-12-01T02:13:08`).
pub(crate) fn http_date(timestamp: Option<&str>) -> String {
    timestamp
        .and_then(|t| {
            chrono::NaiveDateTime::parse_from_str(t.trim_end_matches('Z'), "%Y-%m-%dT%H:%M:%S%.f")
                .ok()
        })
        .map(|t| t.format("%a, %d %b %Y %H:%M:%S GMT").to_string())
        .unwrap_or_default()
}

/// Zou's `send_movie_file`: the first stored version in the route's
/// order, as `video/mp4`, whole or one byte range (206), `private`
/// caching, an attachment for the download routes. `None` when no
/// version is stored.
pub async fn send(
    state: &AppState,
    headers: &HeaderMap,
    preview: &Row,
    lowdef: bool,
    attachment: bool,
) -> ApiResult<Option<Response>> {
    let preview_id = crate::present::id_of(preview);
    let prefixes = if lowdef {
        LOWDEF_MOVIE_PREFIXES
    } else {
        MOVIE_PREFIXES
    };
    let served = Served {
        last_modified: http_date(preview.get("updated_at").and_then(Value::as_str)),
        attachment: attachment.then(|| format!("{preview_id}.mp4")),
        cache_control: Some("private, max-age=604800"),
    };
    send_movie(state, headers, &prefixes, preview_id, &served).await
}

/// How a stored movie is answered, besides its bytes.
pub(crate) struct Served {
    /// HTTP date of the row's last change (`Last-Modified`, `If-Range`).
    pub last_modified: String,
    /// The download name, for an attachment.
    pub attachment: Option<String>,
    pub cache_control: Option<&'static str>,
}

/// The first of `prefixes` stored for `id` in the movies bucket, whole or
/// one byte range, as werkzeug's `send_file(conditional=True)` answers.
pub(crate) async fn send_movie(
    state: &AppState,
    headers: &HeaderMap,
    prefixes: &[&str],
    id: Uuid,
    served: &Served,
) -> ApiResult<Option<Response>> {
    let media = |e: object_store::Error| ApiError::internal(format!("media storage: {e}"));
    let last_modified = &served.last_modified;
    for prefix in prefixes {
        let Some(size) = state.media.size(MOVIES, prefix, id).await.map_err(media)? else {
            continue;
        };
        let range = match wanted_range(headers, size, last_modified) {
            Ok(r) => r,
            Err(()) => return Ok(Some(unsatisfiable(size))),
        };
        let Some(stored) = state
            .media
            .read(MOVIES, prefix, id, range.map(|(a, b)| a..b + 1))
            .await
            .map_err(media)?
        else {
            continue;
        };
        let length = range.map_or(stored.size, |(a, b)| b + 1 - a);
        let mut response = Response::new(Body::from_stream(stored.body));
        let h = response.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("video/mp4"));
        h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
        h.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
        if let Some(cache) = served.cache_control {
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
        }
        if let Ok(v) = HeaderValue::from_str(last_modified) {
            if !last_modified.is_empty() {
                h.insert(header::LAST_MODIFIED, v);
            }
        }
        if let Some(name) = &served.attachment {
            if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename={name}")) {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
        }
        if let Some((a, b)) = range {
            if let Ok(v) = HeaderValue::from_str(&format!("bytes {a}-{b}/{}", stored.size)) {
                h.insert(header::CONTENT_RANGE, v);
            }
            *response.status_mut() = StatusCode::PARTIAL_CONTENT;
        }
        return Ok(Some(response));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dimensions_follow_zou() {
        assert_eq!(dimensions(Some("1920x1080"), None), (Some(1920), 1080));
        assert_eq!(
            dimensions(Some("1920x1080"), Some("1280x720")),
            (Some(1280), 720)
        );
        assert_eq!(dimensions(Some("x720"), None), (None, 720));
        assert_eq!(dimensions(Some("bad"), None), (None, 1080));
        assert_eq!(dimensions(None, Some("12x7")), (None, 1080));
        assert_eq!(frame_rate(Some("24"), None), "24.000");
        assert_eq!(frame_rate(Some("23,976"), None), "23.976");
        assert_eq!(frame_rate(Some("25"), Some(&json!("30"))), "30.000");
    }

    #[test]
    fn ranges_as_werkzeug_reads_them() {
        let mut h = HeaderMap::new();
        assert_eq!(wanted_range(&h, 100, ""), Ok(None));
        h.insert(header::RANGE, HeaderValue::from_static("bytes=10-19"));
        assert_eq!(wanted_range(&h, 100, ""), Ok(Some((10, 19))));
        h.insert(header::RANGE, HeaderValue::from_static("bytes=90-"));
        assert_eq!(wanted_range(&h, 100, ""), Ok(Some((90, 99))));
        h.insert(header::RANGE, HeaderValue::from_static("bytes=-5"));
        assert_eq!(wanted_range(&h, 100, ""), Ok(Some((95, 99))));
        h.insert(header::RANGE, HeaderValue::from_static("bytes=50-500"));
        assert_eq!(wanted_range(&h, 100, ""), Ok(Some((50, 99))));
        h.insert(header::RANGE, HeaderValue::from_static("bytes=100-"));
        assert_eq!(wanted_range(&h, 100, ""), Err(()));
        h.insert(header::RANGE, HeaderValue::from_static("bytes=0-1,5-6"));
        assert_eq!(wanted_range(&h, 100, ""), Err(()));
        h.insert(header::RANGE, HeaderValue::from_static("pages=1"));
        assert_eq!(wanted_range(&h, 100, ""), Err(()));
        h.insert(header::RANGE, HeaderValue::from_static("bytes=0-9"));
        h.insert(
            header::IF_RANGE,
            HeaderValue::from_static("Mon, 01 Jan 2024 00:00:00 GMT"),
        );
        assert_eq!(
            wanted_range(&h, 100, "Tue, 01 Dec 2026 02:13:08 GMT"),
            Ok(None)
        );
        assert_eq!(
            http_date(Some("2026-12-01T02:13:08")),
            "Tue, 01 Dec 2026 02:13:08 GMT"
        );
    }
}
