//! A playlist's previews as one zip (issue 14): Zou's
//! `PlaylistZipDownloadResource` and `build_playlist_zip_file`, gazu's
//! `download_playlist_zip`.
//!
//! * **Entries**: for each entry of the playlist, in its order, every
//!   preview file of that entry's revision (Zou's `full=True`), by
//!   position: a movie's stored movie (high definition first), a picture's
//!   PNG original, any other file as it was uploaded.
//! * **Names**: Zou's `get_preview_file_name`, the upload's name when the
//!   organisation keeps original names, else `production_entity_task
//!   type_v<revision>` slugified with `_`, `-<position>` past the first,
//!   then the extension; a name met twice takes its index as Zou's copy
//!   does (`0003_name`). The zip is named after the production (and, in a
//!   TV show, the episode) and the playlist.
//! * **Form**: stored entries (no compression, as Python's `ZipFile`
//!   writes by default), written to a temporary file while each stored
//!   file streams through it, then streamed out: a playlist of movies is
//!   never held in memory. Entries and the archive are limited to 4 GiB
//!   (no ZIP64).

use std::collections::HashSet;

use axum::body::Body;
use axum::http::{header, HeaderValue};
use axum::response::Response;
use bytes::Bytes;
use fennec_api::models::{self, PREVIEW_FILE};
use fennec_store::rows::{self, Row, Select};
use fennec_store::SqlValue;
use futures_util::StreamExt;
use serde_json::Value;
use tokio::io::{AsyncSeekExt, AsyncWriteExt};
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::present::{id_of, uuid_field};
use crate::storage::{FILES, MOVIES, PICTURES};

fn store_err(e: fennec_store::StoreError) -> ApiError {
    e.into()
}

fn io_err(e: std::io::Error) -> ApiError {
    ApiError::internal(format!("playlist zip: {e}"))
}

fn media_err(e: object_store::Error) -> ApiError {
    ApiError::internal(format!("media storage: {e}"))
}

fn text<'a>(row: &'a Row, key: &str) -> &'a str {
    row.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// python-slugify with `separator="_"`, as Zou names its downloads.
pub(crate) fn slug(s: &str) -> String {
    slug::slugify(s).replace('-', "_")
}

/// Zou's `get_playlist_download_context_name`: the production, and in a
/// TV show the episode (or "all assets", "all shots", "main pack").
pub(crate) async fn context_name(
    exec: &mut impl fennec_store::db::Exec,
    project: &Row,
    playlist: &Row,
) -> ApiResult<String> {
    let mut name = slug(text(project, "name"));
    if text(project, "production_type") == "tvshow" {
        let episode = match uuid_field(playlist, "episode_id") {
            Some(id) => rows::get(exec, &models::ENTITY, id, false)
                .await
                .map_err(store_err)?
                .map(|e| text(&e, "name").to_owned())
                .unwrap_or_default(),
            None if playlist.get("is_for_all").and_then(Value::as_bool) == Some(true) => {
                if text(playlist, "for_entity") == "asset" {
                    "all assets".into()
                } else {
                    "all shots".into()
                }
            }
            None => "main pack".into(),
        };
        name.push('_');
        name.push_str(&slug(&episode));
    }
    Ok(name)
}

/// One file of the zip: its name and where its bytes are stored.
struct Entry {
    name: String,
    bucket: &'static str,
    /// The stored versions to try, best first.
    prefixes: &'static [&'static str],
    id: Uuid,
}

/// Zou's `get_preview_file_name` and the file `retrieve_playlist_tmp_file`
/// reads for a preview.
async fn entry(
    exec: &mut impl fennec_store::db::Exec,
    preview: &Row,
    original_names: bool,
) -> ApiResult<Entry> {
    let extension = text(preview, "extension").to_owned();
    let task = match uuid_field(preview, "task_id") {
        Some(id) => rows::get(exec, crate::task_rows::TASK, id, false)
            .await
            .map_err(store_err)?
            .unwrap_or_default(),
        None => Row::new(),
    };
    let original = preview.get("original_name").and_then(Value::as_str);
    let mut name = match original {
        Some(original) if original_names => original.to_owned(),
        _ => {
            let project = match uuid_field(&task, "project_id") {
                Some(id) => rows::get(exec, &models::PROJECT, id, false)
                    .await
                    .map_err(store_err)?
                    .unwrap_or_default(),
                None => Row::new(),
            };
            let task_type = match uuid_field(&task, "task_type_id") {
                Some(id) => rows::get(exec, &models::TASK_TYPE, id, false)
                    .await
                    .map_err(store_err)?
                    .unwrap_or_default(),
                None => Row::new(),
            };
            let entity = uuid_field(&task, "entity_id");
            let names = crate::notifications::full_entity_names(exec, entity.as_slice()).await?;
            let entity_name = entity
                .and_then(|e| names.get(&e))
                .map(|(n, _, _)| n.clone())
                .unwrap_or_default();
            let revision = preview.get("revision").and_then(Value::as_i64).unwrap_or(0);
            slug(&format!(
                "{}_{}_{}_v{}",
                text(&project, "name"),
                entity_name,
                text(&task_type, "name"),
                revision
            ))
        }
    };
    let position = preview.get("position").and_then(Value::as_i64).unwrap_or(0);
    if position > 1 {
        name.push_str(&format!("-{position}"));
    }
    name.push('.');
    name.push_str(&extension);
    let (bucket, prefixes): (&'static str, &'static [&'static str]) = match extension.as_str() {
        "mp4" => (MOVIES, &["previews", "lowdef", "source"]),
        "png" => (PICTURES, &["original"]),
        _ => (FILES, &["previews"]),
    };
    Ok(Entry {
        name,
        bucket,
        prefixes,
        id: id_of(preview),
    })
}

/// The zip's entries, in Zou's order.
async fn entries(exec: &mut impl fennec_store::db::Exec, playlist: &Row) -> ApiResult<Vec<Entry>> {
    let orgs = rows::list(exec, &models::ORGANISATION, &Select::default(), false)
        .await
        .map_err(store_err)?;
    let original_names =
        orgs.first().and_then(|o| o.get("use_original_file_name")) == Some(&Value::Bool(true));
    let wanted: Vec<Uuid> = playlist
        .get("shots")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|s| s.get("preview_file_id")?.as_str())
        .filter_map(|id| Uuid::parse_str(id.trim()).ok())
        .collect();
    let mut out = Vec::new();
    for id in wanted {
        let Some(preview) = rows::get(exec, &PREVIEW_FILE, id, false)
            .await
            .map_err(store_err)?
        else {
            continue;
        };
        // Zou's get_preview_files_for_revision: the revision's files by
        // position.
        let mut select = Select::default();
        if let Some(task) = uuid_field(&preview, "task_id") {
            select = select.eq("task_id", SqlValue::Uuid(task));
        }
        select = select.eq(
            "revision",
            SqlValue::Int(preview.get("revision").and_then(Value::as_i64).unwrap_or(0)),
        );
        let mut siblings = rows::list(exec, &PREVIEW_FILE, &select, false)
            .await
            .map_err(store_err)?;
        siblings.sort_by_key(|p| p.get("position").and_then(Value::as_i64).unwrap_or(0));
        for sibling in &siblings {
            out.push(entry(exec, sibling, original_names).await?);
        }
    }
    Ok(out)
}

/// Appends one stored file to the zip at `file`'s end: a local header, the
/// bytes as they stream from the media store, then the header's CRC and
/// sizes written in place. Returns (crc, size, header offset).
async fn append(
    state: &AppState,
    file: &mut tokio::fs::File,
    entry: &Entry,
) -> ApiResult<(u32, u32, u32)> {
    let mut stored = None;
    for prefix in entry.prefixes {
        if let Some(found) = state
            .media
            .read(entry.bucket, prefix, entry.id, None)
            .await
            .map_err(media_err)?
        {
            stored = Some(found);
            break;
        }
    }
    let mut stored = stored.ok_or_else(ApiError::not_found)?;
    let too_big = || ApiError::internal("playlist zip: over 4 GiB (no ZIP64)");
    let offset =
        u32::try_from(file.stream_position().await.map_err(io_err)?).map_err(|_| too_big())?;
    let name = entry.name.as_bytes();
    let mut header = Vec::with_capacity(30 + name.len());
    header.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
    header.extend_from_slice(&20u16.to_le_bytes()); // version needed
    header.extend_from_slice(&0x0800u16.to_le_bytes()); // UTF-8 names
    header.extend_from_slice(&0u16.to_le_bytes()); // stored
    header.extend_from_slice(&[0, 0, 0x21, 0]); // 1980-01-01 00:00
    header.extend_from_slice(&[0; 12]); // crc, sizes: patched below
    header.extend_from_slice(&(name.len() as u16).to_le_bytes());
    header.extend_from_slice(&0u16.to_le_bytes());
    header.extend_from_slice(name);
    file.write_all(&header).await.map_err(io_err)?;
    let mut crc = crc32fast::Hasher::new();
    let mut size: u64 = 0;
    while let Some(chunk) = stored.body.next().await {
        let chunk: Bytes = chunk.map_err(media_err)?;
        crc.update(&chunk);
        size += chunk.len() as u64;
        file.write_all(&chunk).await.map_err(io_err)?;
    }
    let size = u32::try_from(size).map_err(|_| too_big())?;
    let crc = crc.finalize();
    let end = file.stream_position().await.map_err(io_err)?;
    file.seek(std::io::SeekFrom::Start(u64::from(offset) + 14))
        .await
        .map_err(io_err)?;
    let mut sums = Vec::with_capacity(12);
    sums.extend_from_slice(&crc.to_le_bytes());
    sums.extend_from_slice(&size.to_le_bytes());
    sums.extend_from_slice(&size.to_le_bytes());
    file.write_all(&sums).await.map_err(io_err)?;
    file.seek(std::io::SeekFrom::Start(end))
        .await
        .map_err(io_err)?;
    Ok((crc, size, offset))
}

/// `GET data/playlists/{id}/download/zip`: vendors refused, then Zou's
/// `check_playlist_access` with supervisors (the production's managers and
/// supervisors, its clients for a playlist shared with them).
pub async fn download(
    state: &AppState,
    user: &CurrentUser,
    playlist_id: &str,
) -> ApiResult<Response> {
    crate::playlists::block_vendor(user)?;
    let (entries, download_name) = {
        let mut conn = state.db.conn().await?;
        let playlist = crate::playlists::load_by_path(&mut conn, playlist_id).await?;
        crate::playlists::check_access(&mut conn, user, &playlist, true).await?;
        let project = match uuid_field(&playlist, "project_id") {
            Some(id) => rows::get(&mut conn, &models::PROJECT, id, false)
                .await
                .map_err(store_err)?
                .unwrap_or_default(),
            None => Row::new(),
        };
        let context = context_name(&mut conn, &project, &playlist).await?;
        let entries = entries(&mut conn, &playlist).await?;
        let download_name = format!("{context}_{}.zip", slug(text(&playlist, "name")));
        (entries, download_name)
    };
    let work = tempfile::NamedTempFile::new().map_err(io_err)?;
    let mut file = tokio::fs::File::from_std(work.reopen().map_err(io_err)?);
    let mut central = Vec::new();
    let mut names = HashSet::new();
    let mut count: u16 = 0;
    for (index, mut e) in entries.into_iter().enumerate() {
        if !names.insert(e.name.clone()) {
            // Zou's copy name: the file's index before its name.
            e.name = format!("{index:04}_{}", e.name);
            names.insert(e.name.clone());
        }
        let (crc, size, offset) = append(state, &mut file, &e).await?;
        let name = e.name.as_bytes();
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&0x0314u16.to_le_bytes()); // made by: Unix
        central.extend_from_slice(&20u16.to_le_bytes()); // needed
        central.extend_from_slice(&0x0800u16.to_le_bytes());
        central.extend_from_slice(&0u16.to_le_bytes());
        central.extend_from_slice(&[0, 0, 0x21, 0]);
        central.extend_from_slice(&crc.to_le_bytes());
        central.extend_from_slice(&size.to_le_bytes());
        central.extend_from_slice(&size.to_le_bytes());
        central.extend_from_slice(&(name.len() as u16).to_le_bytes());
        central.extend_from_slice(&[0; 8]); // extra, comment, disk, internal
        central.extend_from_slice(&0x81a4_0000u32.to_le_bytes()); // -rw-r--r--
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name);
        count = count
            .checked_add(1)
            .ok_or_else(|| ApiError::internal("playlist zip: too many files"))?;
    }
    let start = u32::try_from(file.stream_position().await.map_err(io_err)?)
        .map_err(|_| ApiError::internal("playlist zip: over 4 GiB (no ZIP64)"))?;
    let mut end = Vec::with_capacity(22);
    end.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    end.extend_from_slice(&[0; 4]);
    end.extend_from_slice(&count.to_le_bytes());
    end.extend_from_slice(&count.to_le_bytes());
    end.extend_from_slice(&(central.len() as u32).to_le_bytes());
    end.extend_from_slice(&start.to_le_bytes());
    end.extend_from_slice(&0u16.to_le_bytes());
    file.write_all(&central).await.map_err(io_err)?;
    file.write_all(&end).await.map_err(io_err)?;
    file.flush().await.map_err(io_err)?;
    let length = file.stream_position().await.map_err(io_err)?;
    file.rewind().await.map_err(io_err)?;
    // The temporary file goes when the answer is sent (or dropped): the
    // stream owns it.
    let body = futures_util::stream::unfold((file, work), |(mut file, work)| async move {
        use tokio::io::AsyncReadExt;
        let mut buf = vec![0u8; 64 * 1024];
        match file.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok::<Bytes, std::io::Error>(Bytes::from(buf)), (file, work)))
            }
            Err(e) => Some((Err(e), (file, work))),
        }
    });
    let mut response = Response::new(Body::from_stream(body));
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/zip"),
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename={download_name}")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}
