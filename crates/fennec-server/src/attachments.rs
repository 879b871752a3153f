//! Comment attachments (Zou 1.0.97's `attachment_files_service`): the
//! files gazu's `add_comment`, `add_attachment_files_to_comment` and
//! `batch_comments` send with a comment. A row in `attachment_files` per
//! file; the bytes in the media store under Zou's key
//! (`files/attachments/…/{id}`), so a Zou media folder copied over keeps
//! working.

use std::collections::HashMap;

use bytes::Bytes;
use fennec_api::models::ATTACHMENT_FILE;
use fennec_store::db::Exec;
use fennec_store::rows::{self, Filter, Row, Select};
use fennec_store::SqlValue;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::present::{id_of, uuid_field};
use crate::storage::{Media, FILES};

/// Zou's file store prefix of attachments.
const PREFIX: &str = "attachments";

/// A file part of a multipart form, read whole.
#[derive(Debug, Clone)]
pub struct Upload {
    /// The form key (`file`, `file-2`, `attachment_file-0-1`, …).
    pub field: String,
    pub file_name: String,
    /// The part's `Content-Type`, as Werkzeug's `FileStorage.mimetype`
    /// reads it (without parameters; "" when there is none).
    pub mimetype: String,
    pub bytes: Bytes,
}

/// Zou's `fs.get_file_extension`: the lowercased text after the last dot
/// (the whole name when there is none).
fn extension(name: &str) -> String {
    name.rsplit('.').next().unwrap_or_default().to_lowercase()
}

/// Zou's `AttachmentFile.present()`: what the creation routes answer.
fn present(row: &Row) -> Value {
    json!({
        "id": row.get("id").cloned().unwrap_or(Value::Null),
        "name": row.get("name").cloned().unwrap_or(Value::Null),
        "extension": row.get("extension").cloned().unwrap_or(Value::Null),
        "size": row.get("size").cloned().unwrap_or(Value::Null),
    })
}

/// Zou's `add_attachments_to_comment` / `create_attachment`: one row per
/// file tied to the comment, its bytes stored. A storage failure fails the
/// request (the transaction, hence the rows, is dropped), as Zou removes
/// the row of a file it could not store. Answers the new files as Zou
/// presents them.
pub async fn add_to_comment(
    exec: &mut impl Exec,
    media: &Media,
    comment: Uuid,
    files: &[Upload],
) -> ApiResult<Vec<Value>> {
    let col = |n: &str| ATTACHMENT_FILE.column(n).expect("attachment column");
    let mut out = Vec::with_capacity(files.len());
    for file in files {
        let row = rows::insert(
            exec,
            &ATTACHMENT_FILE,
            vec![
                (col("name"), SqlValue::Text(file.file_name.clone())),
                (col("size"), SqlValue::Int(file.bytes.len() as i64)),
                (col("extension"), SqlValue::Text(extension(&file.file_name))),
                (col("mimetype"), SqlValue::Text(file.mimetype.clone())),
                (col("comment_id"), SqlValue::Uuid(comment)),
            ],
        )
        .await?;
        media
            .put(FILES, PREFIX, id_of(&row), file.bytes.clone())
            .await
            .map_err(ApiError::internal)?;
        out.push(present(&row));
    }
    Ok(out)
}

/// The attachment rows of the given comments.
async fn of_comments(exec: &mut impl Exec, comments: &[Uuid]) -> ApiResult<Vec<Row>> {
    if comments.is_empty() {
        return Ok(Vec::new());
    }
    let ids = comments.iter().map(|c| SqlValue::Uuid(*c)).collect();
    let select = Select::default().filter(Filter::In("comment_id", ids));
    Ok(rows::list(exec, &ATTACHMENT_FILE, &select, false).await?)
}

/// Zou's `build_attachment_map_for_comments` (the task's comment list):
/// per comment, its files with `reply_id`.
pub async fn map_for_comments(
    exec: &mut impl Exec,
    comments: &[Uuid],
) -> ApiResult<HashMap<Uuid, Vec<Value>>> {
    let mut map: HashMap<Uuid, Vec<Value>> = HashMap::new();
    for row in of_comments(exec, comments).await? {
        let Some(comment) = uuid_field(&row, "comment_id") else {
            continue;
        };
        map.entry(comment).or_default().push(json!({
            "id": row.get("id").cloned().unwrap_or(Value::Null),
            "name": row.get("name").cloned().unwrap_or(Value::Null),
            "extension": row.get("extension").cloned().unwrap_or(Value::Null),
            "reply_id": row.get("reply_id").cloned().unwrap_or(Value::Null),
            "size": row.get("size").cloned().unwrap_or(Value::Null),
        }));
    }
    Ok(map)
}

/// A comment's files as Zou's CommentResource shows them (`present()`).
pub async fn present_for_comment(exec: &mut impl Exec, comment: Uuid) -> ApiResult<Value> {
    Ok(Value::Array(
        of_comments(exec, &[comment])
            .await?
            .iter()
            .map(present)
            .collect(),
    ))
}

/// Per comment, the ids of its files: the `attachment_files` of Zou's
/// `serialize(relations=True)`.
pub async fn ids_for_comments(
    exec: &mut impl Exec,
    comments: &[Uuid],
) -> ApiResult<HashMap<Uuid, Vec<Value>>> {
    let mut map: HashMap<Uuid, Vec<Value>> = HashMap::new();
    for row in of_comments(exec, comments).await? {
        if let Some(comment) = uuid_field(&row, "comment_id") {
            map.entry(comment)
                .or_default()
                .push(row.get("id").cloned().unwrap_or(Value::Null));
        }
    }
    Ok(map)
}

/// Zou's `get_all_attachment_files_for_project` and `_for_task`: the
/// files of the comments on the tasks `tasks` selects, as Zou's
/// `serialize_models` writes them: the row with its comment whole (the
/// `comment` backref) and a null `chat_message`, as the single read.
pub async fn of_tasks(exec: &mut impl Exec, tasks: &Select) -> ApiResult<Vec<Value>> {
    let tasks: Vec<SqlValue> = rows::list(exec, &fennec_api::models::TASK, tasks, false)
        .await?
        .iter()
        .map(|t| SqlValue::Uuid(id_of(t)))
        .collect();
    if tasks.is_empty() {
        return Ok(Vec::new());
    }
    let select = Select::default().filter(Filter::In("object_id", tasks));
    let comments: HashMap<Uuid, Row> =
        rows::list(exec, &fennec_api::models::COMMENT, &select, false)
            .await?
            .into_iter()
            .map(|c| (id_of(&c), crate::comments::without_relations(c)))
            .collect();
    let ids: Vec<Uuid> = comments.keys().copied().collect();
    Ok(of_comments(exec, &ids)
        .await?
        .into_iter()
        .map(|mut row| {
            let comment = uuid_field(&row, "comment_id")
                .and_then(|c| comments.get(&c))
                .map_or(Value::Null, |c| Value::Object(c.clone()));
            row.insert("comment".into(), comment);
            row.insert("chat_message".into(), Value::Null);
            Value::Object(row)
        })
        .collect())
}

/// Zou's `get_attachment_file`: the row, 404 when unknown or not an id.
pub async fn load(exec: &mut impl Exec, id: &str) -> ApiResult<Row> {
    let id = Uuid::parse_str(id).map_err(|_| ApiError::not_found())?;
    rows::get(exec, &ATTACHMENT_FILE, id, false)
        .await?
        .ok_or_else(ApiError::not_found)
}

/// Removes the row of one file (the bytes are removed after commit by
/// [`remove_files`]).
pub async fn delete_row(exec: &mut impl Exec, id: Uuid) -> ApiResult<()> {
    rows::delete(exec, &ATTACHMENT_FILE, id).await?;
    Ok(())
}

/// Zou's `remove_quietly(file_store.remove_file, "attachments", id)`: a
/// file that cannot be removed is left behind, the request still succeeds.
pub async fn remove_files(media: &Media, ids: &[Uuid]) {
    for id in ids {
        if let Err(e) = media.delete(FILES, PREFIX, *id).await {
            tracing::warn!("attachment file {id} could not be removed: {e}");
        }
    }
}

/// The stored bytes of an attachment, `None` when the file is missing.
pub async fn read(media: &Media, id: Uuid) -> ApiResult<Option<Bytes>> {
    media
        .get(FILES, PREFIX, id)
        .await
        .map_err(ApiError::internal)
}

/// The thumbnail of an attachment (Zou's `pictures/thumbnails/<id>`),
/// `None` when it has none: Zou makes one for a chat message's PNG or
/// JPEG only, and Fennec's chat messages carry no files, so a comment's
/// attachment never has one.
pub async fn thumbnail(media: &Media, id: Uuid) -> ApiResult<Option<Bytes>> {
    media
        .get(crate::storage::PICTURES, "thumbnails", id)
        .await
        .map_err(ApiError::internal)
}

/// Zou's `is_inline_safe_mimetype`: raster images are shown in the
/// browser, everything else is sent as a download (an uploaded HTML or SVG
/// must not run in Kitsu's origin).
pub fn is_inline_safe(mimetype: Option<&str>) -> bool {
    let Some(m) = mimetype else { return false };
    let m = m
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_lowercase();
    matches!(
        m.as_str(),
        "image/jpeg" | "image/png" | "image/gif" | "image/webp" | "image/bmp" | "image/avif"
    )
}
