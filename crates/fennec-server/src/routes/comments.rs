//! Zou's comments blueprint beyond the single task comment (which lives
//! with the task actions): replies, acknowledgements, moving a comment,
//! batch comments, many comments of a production, and a production's
//! comments. The logic is in `crate::comments`; each write is one
//! transaction.

use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use fennec_api::models;
use fennec_store::rows;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::user::Role;
use crate::auth::CurrentUser;
use crate::comments;
use crate::error::{ApiError, ApiResult};
use crate::extract::{path_id, Path, QueryPairs, SchemaBody};
use crate::present::{id_of, uuid_field};
use crate::reach::load_task;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/data/tasks/{task_id}/comments/{comment_id}/ack",
            post(acknowledge),
        )
        .route(
            "/data/tasks/{task_id}/comments/{comment_id}/reply",
            post(reply),
        )
        .route(
            "/data/tasks/{task_id}/comments/{comment_id}/reply/{reply_id}",
            delete(delete_reply),
        )
        .route(
            "/actions/tasks/{task_id}/comments/{comment_id}/move",
            post(move_comment),
        )
        .route("/actions/tasks/{task_id}/batch-comment", post(task_batch))
        .route("/actions/tasks/batch-comment", post(tasks_batch))
        .route(
            "/actions/projects/{project_id}/tasks/comment-many",
            post(comment_many),
        )
        .route(
            "/data/projects/{project_id}/comments",
            get(project_comments),
        )
        .route(
            "/actions/tasks/{task_id}/comments/{comment_id}/add-attachment",
            post(add_attachments),
        )
        .route(
            "/data/tasks/{task_id}/comments/{comment_id}/attachments/{attachment_file_id}",
            delete(delete_attachment),
        )
        .route(
            "/data/projects/{project_id}/attachment-files",
            get(project_attachment_files),
        )
        .route(
            "/data/tasks/{task_id}/attachment-files",
            get(task_attachment_files),
        )
        .route("/data/attachment-files/{id}", get(attachment_file))
        .route(
            "/data/attachment-files/{id}/file/{file_name}",
            get(download_attachment),
        )
        .route(
            "/pictures/thumbnails/attachment-files/{file}",
            get(attachment_thumbnail),
        )
}

/// GET /pictures/thumbnails/attachment-files/{id}.png — Zou's
/// `AttachmentThumbnailResource` (gazu's `download_attachment_thumbnail`):
/// the attachment's read check, then its thumbnail as a PNG, 404 without
/// one.
async fn attachment_thumbnail(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(file): Path<String>,
) -> ApiResult<axum::response::Response> {
    use axum::http::header;
    use axum::response::IntoResponse;
    let id = file.strip_suffix(".png").ok_or_else(ApiError::not_found)?;
    let file = {
        let mut conn = state.db.conn().await?;
        let file = crate::attachments::load(&mut conn, id).await?;
        check_attachment_access(&mut conn, &user, &file).await?;
        file
    };
    let bytes = crate::attachments::thumbnail(&state.media, id_of(&file))
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(([(header::CONTENT_TYPE, "image/png")], bytes).into_response())
}

/// POST /data/tasks/{task_id}/comments/{comment_id}/ack — toggles the
/// caller's acknowledgement; the comment with its relations.
async fn acknowledge(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((task, comment)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let task = path_id(&task)?;
    let mut tx = state.db.begin().await?;
    // Zou's check_task_access, then the comment (whatever its task).
    load_task(&mut tx, &user, task).await?;
    let comment = comments::load_comment(&mut tx, &comment).await?;
    let out = comments::toggle_acknowledgement(&mut tx, comment, user.id).await?;
    tx.commit().await?;
    Ok(Json(Value::Object(out)))
}

/// Zou's `_is_client_thread`: the comment is for the client, or its author
/// is a client on the production.
async fn is_client_thread(
    exec: &mut impl fennec_store::db::Exec,
    comment: &rows::Row,
    project: Uuid,
) -> ApiResult<bool> {
    if comment.get("for_client").and_then(Value::as_bool) == Some(true) {
        return Ok(true);
    }
    let Some(author) = uuid_field(comment, "person_id") else {
        return Ok(false);
    };
    let role = match fennec_store::links::team_role(exec, project, author).await? {
        Some(Some(role)) => Some(role),
        _ => rows::get(exec, &models::PERSON, author, false)
            .await?
            .and_then(|p| p.get("role").and_then(Value::as_str).map(str::to_owned)),
    };
    Ok(role.as_deref() == Some("client"))
}

/// POST /data/tasks/{task_id}/comments/{comment_id}/reply `{"text"}` —
/// the new reply, with its author in short (always the caller: Zou's
/// route ignores gazu's `person_id`).
async fn reply(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((task, comment)): Path<(String, String)>,
    SchemaBody(body): SchemaBody,
) -> ApiResult<Json<Value>> {
    let mut tx = state.db.begin().await?;
    let comment = comments::load_comment(&mut tx, &comment).await?;
    // Zou compares the ids as written.
    if comment.get("object_id").and_then(Value::as_str) != Some(task.as_str()) {
        return Err(ApiError::forbidden());
    }
    let task = path_id(&task)?;
    let (task_row, me) = if uuid_field(&comment, "person_id") != Some(user.id) {
        let row = rows::get(&mut tx, &models::TASK, task, false)
            .await?
            .ok_or_else(ApiError::not_found)?;
        let project = uuid_field(&row, "project_id").unwrap_or_default();
        // Zou's check_belong_to_project comes with the action check.
        if crate::auth::permissions::check_project_access(&mut tx, &user, project)
            .await
            .is_err()
        {
            return Err(ApiError::forbidden());
        }
        let me = crate::auth::permissions::on_project(&mut tx, &user, project).await?;
        comments::check_reply_access(&mut tx, &me, &row).await?;
        (row, me)
    } else {
        let row = rows::get(&mut tx, &models::TASK, task, false)
            .await?
            .ok_or_else(ApiError::not_found)?;
        let project = uuid_field(&row, "project_id").unwrap_or_default();
        let me = crate::auth::permissions::on_project(&mut tx, &user, project).await?;
        (row, me)
    };
    let project = uuid_field(&task_row, "project_id").unwrap_or_default();
    // Only managers answer in a client's thread (the client sees who).
    if !matches!(me.role, Role::Admin | Role::Manager | Role::Client)
        && is_client_thread(&mut tx, &comment, project).await?
    {
        return Err(ApiError::forbidden());
    }
    let text = match body.get("text") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(_) => {
            return Err(ApiError::validation(vec![(
                "text".into(),
                "Input should be a valid string".into(),
            )]))
        }
    };
    let out = comments::reply(&mut tx, &comment, &task_row, user.id, text).await?;
    tx.commit().await?;
    Ok(Json(Value::Object(out)))
}

/// DELETE /data/tasks/{task_id}/comments/{comment_id}/reply/{reply_id} —
/// its author or an admin removes a reply; the comment, without relations.
async fn delete_reply(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((_task, comment, reply)): Path<(String, String, String)>,
) -> ApiResult<Json<Value>> {
    let mut tx = state.db.begin().await?;
    let comment = comments::load_comment(&mut tx, &comment).await?;
    let found = comments::find_reply(&comment, &reply)?;
    let author = found.get("person_id").and_then(Value::as_str);
    if author != Some(user.id.to_string().as_str()) && !user.is_admin() {
        return Err(ApiError::forbidden());
    }
    let out = comments::delete_reply(&mut tx, &comment, &reply, Some(user.id)).await?;
    tx.commit().await?;
    Ok(Json(Value::Object(out)))
}

/// POST /actions/tasks/{task_id}/comments/{comment_id}/move
/// `{"target_task_id"}` — managers move a comment to another task of the
/// same entity; the comment with its relations.
async fn move_comment(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((task, comment)): Path<(String, String)>,
    SchemaBody(body): SchemaBody,
) -> ApiResult<Json<Value>> {
    if !matches!(user.role, Role::Admin | Role::Manager) {
        return Err(ApiError::forbidden());
    }
    let target = match body.get("target_task_id") {
        Some(Value::String(s)) => s.clone(),
        None => {
            return Err(ApiError::validation(vec![(
                "target_task_id".into(),
                "Field required".into(),
            )]))
        }
        Some(_) => {
            return Err(ApiError::validation(vec![(
                "target_task_id".into(),
                "Input should be a valid string".into(),
            )]))
        }
    };
    let mut tx = state.db.begin().await?;
    let (source, _) = load_task(&mut tx, &user, path_id(&task)?).await?;
    let (target, _) = load_task(&mut tx, &user, path_id(&target)?).await?;
    let comment = comments::load_comment(&mut tx, &comment).await?;
    if uuid_field(&comment, "object_id") != Some(id_of(&source)) {
        return Err(ApiError::bad_request(
            "Comment does not belong to the given task.",
        ));
    }
    let out = comments::move_to_task(&mut tx, &comment, &source, &target).await?;
    tx.commit().await?;
    Ok(Json(Value::Object(out)))
}

/// The `comments` argument of Zou's batch comment routes: a JSON body's
/// list (a single object counts as one), or a form's JSON string. A
/// multipart form's file parts are the comments' attachments and
/// previews.
struct BatchBody {
    comments: Option<Value>,
    files: Vec<crate::attachments::Upload>,
}

impl<S: Send + Sync> FromRequest<S> for BatchBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let comments::FormBody { fields, files, .. } =
            comments::FormBody::from_request(req, state).await?;
        Ok(BatchBody {
            comments: fields.get("comments").cloned(),
            files,
        })
    }
}

impl BatchBody {
    /// The entries, as Zou's `get_comments_args` reads them.
    fn entries(&self) -> ApiResult<Vec<Value>> {
        let value = match &self.comments {
            None => {
                return Err(ApiError::bad_request(
                    "Missing required parameter: comments",
                ))
            }
            // A form sends the list as JSON text (Zou json.loads it).
            Some(Value::String(s)) => serde_json::from_str::<Value>(s)
                .map_err(|_| ApiError::bad_request("Wrong value for parameter comments."))?,
            Some(v) => v.clone(),
        };
        Ok(match value {
            Value::Array(list) => list,
            other => vec![other],
        })
    }
}

async fn run_batch(
    state: &AppState,
    user: &CurrentUser,
    task: Option<Uuid>,
    body: BatchBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let entries = body.entries()?;
    // Previews of a batch comment are not stored yet.
    if body.files.iter().any(|f| f.field.contains("preview_file-")) {
        return Err(ApiError::bad_request(comments::FILES_NEED_STORAGE));
    }
    let mut tx = state.db.begin().await?;
    let (mut out, created) = comments::batch(&mut tx, user, task, &entries).await?;
    // Zou hands comment i the file parts whose key contains
    // `attachment_file-{i}` (gazu names them `attachment_file-{i}-{j}`;
    // Zou's substring test also gives `attachment_file-10-0` to comment 1).
    for (i, (comment, facts)) in out.iter_mut().zip(&created).enumerate() {
        let key = format!("attachment_file-{i}");
        let files: Vec<_> = body
            .files
            .iter()
            .filter(|f| f.field.contains(&key))
            .cloned()
            .collect();
        if files.is_empty() {
            continue;
        }
        let added =
            crate::attachments::add_to_comment(&mut tx, &state.media, facts.comment_id, &files)
                .await?;
        if let Value::Object(c) = comment {
            c.insert("attachment_files".into(), Value::Array(added));
        }
    }
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Value::Array(out))))
}

/// POST /actions/tasks/{task_id}/batch-comment — gazu's `batch_comments`
/// with a task: comments on that task.
async fn task_batch(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(task): Path<String>,
    body: BatchBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let task = path_id(&task)?;
    run_batch(&state, &user, Some(task), body).await
}

/// POST /actions/tasks/batch-comment — each comment names its `task_id`
/// (gazu's `add_tasks_batch_comments`, and `batch_comments` without task).
async fn tasks_batch(
    State(state): State<AppState>,
    user: CurrentUser,
    body: BatchBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    run_batch(&state, &user, None, body).await
}

/// POST /actions/projects/{project_id}/tasks/comment-many — a JSON array
/// of `{object_id, task_status_id, comment}`. gazu's
/// `create_multiple_comments` posts a multipart form, which Zou refuses
/// (400: the body must be a JSON array); so does Fennec.
async fn comment_many(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(project): Path<String>,
    body: axum::body::Bytes,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let value: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let entries = comments::many_entries(&value)?;
    let project = Uuid::parse_str(&project).ok();
    let mut tx = state.db.begin().await?;
    // A production id that is not one: only admins pass Zou's manager
    // check, the others comment only on their own tasks.
    let project = project.unwrap_or_default();
    let (out, _created) = comments::many(&mut tx, &user, project, entries).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Value::Array(out))))
}

/// GET /data/projects/{project_id}/comments — the production's comments,
/// most recently updated first, for its team but vendors and clients;
/// `page` and `limit` page them as Zou's paginated lists.
async fn project_comments(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(project): Path<String>,
    query: QueryPairs,
) -> ApiResult<Json<Value>> {
    let project = path_id(&project)?;
    let mut conn = state.db.conn().await?;
    rows::get(&mut conn, &models::PROJECT, project, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    crate::auth::permissions::check_project_access(&mut conn, &user, project).await?;
    let me = crate::auth::permissions::on_project(&mut conn, &user, project).await?;
    if matches!(me.role, Role::Vendor | Role::Client) {
        return Err(ApiError::forbidden());
    }
    let (page, limit) = crate::generic_crud::page_and_limit(&query)?;
    let list = comments::project_comments(&mut conn, project).await?;
    let Some(page) = page.filter(|p| *p >= 1) else {
        return Ok(Json(Value::Array(
            list.into_iter().map(Value::Object).collect(),
        )));
    };
    let total = list.len() as i64;
    let offset = (page - 1) * limit;
    let data: Vec<Value> = list
        .into_iter()
        .skip(offset as usize)
        .take(limit as usize)
        .map(Value::Object)
        .collect();
    Ok(Json(json!({
        "data": data,
        "total": total,
        "nb_pages": (total + limit - 1) / limit,
        "limit": limit,
        "offset": offset,
        "page": page,
    })))
}

/// Zou's AddAttachmentToCommentResource and AttachmentResource: the
/// comment must be on the route's task (403 otherwise, the ids compared as
/// written); its author may change its files, anyone else must manage the
/// production. Zou checks nothing more for the author.
async fn comment_for_files(
    exec: &mut impl fennec_store::db::Exec,
    task: &str,
    comment: &str,
) -> ApiResult<rows::Row> {
    let comment = comments::load_comment(exec, comment).await?;
    if comment.get("object_id").and_then(Value::as_str) != Some(task) {
        return Err(ApiError::forbidden());
    }
    Ok(comment)
}

async fn check_comment_author_or_manager(
    exec: &mut impl fennec_store::db::Exec,
    user: &CurrentUser,
    comment: &rows::Row,
) -> ApiResult<()> {
    if uuid_field(comment, "person_id") == Some(user.id) {
        return Ok(());
    }
    let task = uuid_field(comment, "object_id").unwrap_or_default();
    let task = rows::get(exec, &models::TASK, task, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let project = uuid_field(&task, "project_id").unwrap_or_default();
    crate::auth::permissions::check_manager_project_access(exec, user, project).await
}

/// POST /actions/tasks/{task_id}/comments/{comment_id}/add-attachment —
/// gazu's `add_attachment_files_to_comment` (multipart): every file part
/// becomes an attachment; answers the new files only (201).
async fn add_attachments(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((task, comment)): Path<(String, String)>,
    body: comments::FormBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let mut tx = state.db.begin().await?;
    let comment = comment_for_files(&mut tx, &task, &comment).await?;
    check_comment_author_or_manager(&mut tx, &user, &comment).await?;
    let added =
        crate::attachments::add_to_comment(&mut tx, &state.media, id_of(&comment), &body.files)
            .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Value::Array(added))))
}

/// DELETE /data/tasks/{task_id}/comments/{comment_id}/attachments/{id} —
/// gazu's `delete_comment_attachment`: the file must belong to the
/// comment (403 otherwise, Zou's guard against deleting any file through
/// one's own comment). The bytes are removed once the row is gone.
async fn delete_attachment(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((task, comment, file)): Path<(String, String, String)>,
) -> ApiResult<StatusCode> {
    let mut tx = state.db.begin().await?;
    let comment = comment_for_files(&mut tx, &task, &comment).await?;
    let file = crate::attachments::load(&mut tx, &file).await?;
    if uuid_field(&file, "comment_id") != Some(id_of(&comment)) {
        return Err(ApiError::forbidden());
    }
    check_comment_author_or_manager(&mut tx, &user, &comment).await?;
    let id = id_of(&file);
    crate::attachments::delete_row(&mut tx, id).await?;
    tx.commit().await?;
    crate::attachments::remove_files(&state.media, &[id]).await;
    Ok(StatusCode::NO_CONTENT)
}

/// Zou's read check of an attachment: the task of its comment must be
/// readable (check_task_access); a chat message's file needs the chat's
/// entity; a file tied to neither is refused.
async fn check_attachment_access(
    exec: &mut impl fennec_store::db::Exec,
    user: &CurrentUser,
    file: &rows::Row,
) -> ApiResult<()> {
    if let Some(comment) = uuid_field(file, "comment_id") {
        let comment = comments::load_comment(exec, &comment.to_string()).await?;
        let task = uuid_field(&comment, "object_id").unwrap_or_default();
        load_task(exec, user, task).await?;
        return Ok(());
    }
    Err(ApiError::forbidden())
}

/// GET /data/projects/{project_id}/attachment-files — gazu's
/// `get_all_attachment_files_for_project`: admins only, as Zou (a
/// synchronisation read). An unknown production has none.
async fn project_attachment_files(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(project): Path<String>,
) -> ApiResult<Json<Value>> {
    crate::auth::permissions::require_admin(&user)?;
    let project = path_id(&project)?;
    let mut conn = state.db.conn().await?;
    let tasks = rows::Select::default().eq("project_id", fennec_store::SqlValue::Uuid(project));
    Ok(Json(Value::Array(
        crate::attachments::of_tasks(&mut conn, &tasks).await?,
    )))
}

/// GET /data/tasks/{task_id}/attachment-files — gazu's
/// `get_all_attachment_files_for_task`: admins only, as Zou.
async fn task_attachment_files(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(task): Path<String>,
) -> ApiResult<Json<Value>> {
    crate::auth::permissions::require_admin(&user)?;
    let task = path_id(&task)?;
    let mut conn = state.db.conn().await?;
    let tasks = rows::Select::default().eq("id", fennec_store::SqlValue::Uuid(task));
    Ok(Json(Value::Array(
        crate::attachments::of_tasks(&mut conn, &tasks).await?,
    )))
}

/// GET /data/attachment-files/{id} — the row (gazu's
/// `get_attachment_file`, read first by `download_attachment_file`).
async fn attachment_file(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let mut conn = state.db.conn().await?;
    let mut file = crate::attachments::load(&mut conn, &id).await?;
    check_attachment_access(&mut conn, &user, &file).await?;
    // Zou's read serialises the relations: the comment whole (its columns),
    // and the chat message (null: Fennec's chat messages have no files).
    let comment = match uuid_field(&file, "comment_id") {
        Some(c) => rows::get(&mut conn, &models::COMMENT, c, false)
            .await?
            .map(|c| Value::Object(comments::without_relations(c))),
        None => None,
    };
    file.insert("comment".into(), comment.unwrap_or(Value::Null));
    file.insert("chat_message".into(), Value::Null);
    Ok(Json(Value::Object(file)))
}

/// GET /data/attachment-files/{id}/file/{file_name} — the bytes, with the
/// stored mimetype; shown inline only for raster images (Zou's
/// is_inline_safe_mimetype), a download named after the file otherwise.
/// The name in the path is not checked, as in Zou.
async fn download_attachment(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, _name)): Path<(String, String)>,
) -> ApiResult<axum::response::Response> {
    use axum::http::header;
    use axum::response::IntoResponse;
    let file = {
        let mut conn = state.db.conn().await?;
        let file = crate::attachments::load(&mut conn, &id).await?;
        check_attachment_access(&mut conn, &user, &file).await?;
        file
    };
    let bytes = crate::attachments::read(&state.media, id_of(&file))
        .await?
        .ok_or_else(ApiError::not_found)?;
    let mimetype = file.get("mimetype").and_then(Value::as_str);
    let name = file.get("name").and_then(Value::as_str).unwrap_or_default();
    let kind = if crate::attachments::is_inline_safe(mimetype) {
        "inline"
    } else {
        "attachment"
    };
    // The name as an RFC 5987 value, so that any character survives.
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let disposition = format!("{kind}; filename*=UTF-8''{encoded}");
    let content_type = mimetype
        .filter(|m| !m.is_empty())
        .unwrap_or("application/octet-stream")
        .to_owned();
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}
