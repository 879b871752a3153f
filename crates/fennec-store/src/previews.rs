//! What Zou's `playlists_service.get_entity_previews_by_task_type` reads:
//! the preview files of an entity's tasks, grouped by task type, each
//! revision's first file carrying the others of that revision as its
//! `previews`.
//!
//! Policy: one query, in Zou's order (task type priority descending, then
//! its name; revision descending; creation order), NULLs placed as
//! PostgreSQL places them so both backends answer alike. Every status is
//! listed (Zou does not filter processing or broken files here).

use fennec_api::models::Kind;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::db::Exec;
use crate::rows::decode_any;
use crate::{on, Result};

const SQL: &str = "SELECT t.id, t.task_type_id, p.id, p.revision, p.position, p.original_name, \
    p.extension, p.width, p.height, p.duration, p.status, p.annotations, p.created_at, p.data \
    FROM tasks t JOIN preview_files p ON p.task_id = t.id \
    JOIN task_types tt ON tt.id = t.task_type_id \
    WHERE t.entity_id = $1 \
    ORDER BY tt.priority DESC NULLS FIRST, tt.name, p.revision DESC NULLS FIRST, p.created_at, p.seq";

const KINDS: [Kind; 14] = [
    Kind::Uuid,
    Kind::Uuid,
    Kind::Uuid,
    Kind::Int,
    Kind::Int,
    Kind::Text,
    Kind::Text,
    Kind::Int,
    Kind::Int,
    Kind::Float,
    Kind::Text,
    Kind::Json,
    Kind::DateTime,
    Kind::Json,
];

/// One preview as Zou's query row presents it (the shape of the extra
/// previews of a revision).
fn preview_row(v: &mut std::vec::IntoIter<Value>) -> Map<String, Value> {
    let mut next = || v.next().unwrap_or(Value::Null);
    let task_id = next();
    let task_type_id = next();
    let mut m = Map::new();
    for key in [
        "id",
        "revision",
        "position",
        "original_name",
        "extension",
        "width",
        "height",
    ] {
        m.insert(key.into(), next());
    }
    // Zou: float(duration or 0).
    let duration = next().as_f64().unwrap_or(0.0);
    m.insert("duration".into(), Value::from(duration));
    m.insert("status".into(), next());
    m.insert("annotations".into(), next());
    m.insert("created_at".into(), next());
    m.insert("task_id".into(), task_id);
    m.insert("task_type_id".into(), task_type_id);
    let data = next();
    for key in [
        "original_width",
        "original_height",
        "original_duration",
        "original_file_size",
    ] {
        m.insert(key.into(), data.get(key).cloned().unwrap_or(Value::Null));
    }
    m
}

/// The head of a revision as Zou answers it: fewer keys, its extras under
/// `previews`.
fn head(row: &Map<String, Value>, previews: Vec<Value>) -> Value {
    let get = |k: &str| row.get(k).cloned().unwrap_or(Value::Null);
    let mut m = Map::new();
    for key in [
        "id",
        "revision",
        "original_name",
        "extension",
        "width",
        "height",
        "duration",
        "status",
        "annotations",
    ] {
        m.insert(key.into(), get(key));
    }
    m.insert("previews".into(), Value::Array(previews));
    for key in [
        "created_at",
        "task_id",
        "original_width",
        "original_height",
        "original_duration",
        "original_file_size",
    ] {
        m.insert(key.into(), get(key));
    }
    Value::Object(m)
}

/// The previews of `entity`'s tasks by task type id. As in Zou, when two
/// tasks of one type have previews, the type keeps the place of the first
/// one met and the list of the last one.
pub async fn entity_previews_by_task_type(
    exec: &mut impl Exec,
    entity: Uuid,
) -> Result<Map<String, Value>> {
    let mut rows: Vec<Vec<Value>> = Vec::new();
    on!(exec, c => {
        let found = sqlx::query(SQL).bind(entity).fetch_all(&mut *c).await?;
        for r in &found {
            let mut vals = Vec::with_capacity(KINDS.len());
            for (i, kind) in KINDS.iter().enumerate() {
                vals.push(decode_any(r, i, *kind)?);
            }
            rows.push(vals);
        }
    });
    // Per task, in order of first appearance: its previews in query order.
    let mut tasks: Vec<(Value, Vec<Map<String, Value>>)> = Vec::new();
    for vals in rows {
        let mut it = vals.into_iter();
        let row = preview_row(&mut it);
        let task = row.get("task_id").cloned().unwrap_or(Value::Null);
        match tasks.iter_mut().find(|(t, _)| *t == task) {
            Some((_, list)) => list.push(row),
            None => tasks.push((task, vec![row])),
        }
    }
    let mut out = Map::new();
    for (_, list) in tasks {
        let task_type = match list[0].get("task_type_id") {
            Some(Value::String(s)) => s.clone(),
            _ => "None".to_owned(),
        };
        // Zou's mix_preview_file_revisions: the first file of a revision
        // heads it, the others of that revision follow under it.
        let mut heads: Vec<(Value, Map<String, Value>, Vec<Value>)> = Vec::new();
        for row in list {
            let revision = row.get("revision").cloned().unwrap_or(Value::Null);
            match heads.iter_mut().find(|(r, _, _)| *r == revision) {
                Some((_, _, extras)) => extras.push(Value::Object(row)),
                None => heads.push((revision, row, Vec::new())),
            }
        }
        let answer = heads
            .into_iter()
            .map(|(_, row, extras)| head(&row, extras))
            .collect();
        out.insert(task_type, Value::Array(answer));
    }
    Ok(out)
}

/// The tasks whose preview files Zou's generic list shows a non-admin:
/// those of open productions, of his teams (or, for a vendor, those he is
/// assigned to).
pub async fn listed_task_ids(
    exec: &mut impl Exec,
    person: Uuid,
    vendor: bool,
) -> Result<Vec<Uuid>> {
    let mine = if vendor {
        "t.id IN (SELECT task_id FROM assignations WHERE person_id = $1)"
    } else {
        "t.project_id IN (SELECT project_id FROM project_person_link WHERE person_id = $1)"
    };
    let sql = format!(
        "SELECT t.id FROM tasks t JOIN projects p ON p.id = t.project_id \
         JOIN project_statuses s ON s.id = p.project_status_id \
         WHERE s.name = 'Open' AND {mine} ORDER BY t.seq"
    );
    Ok(on!(exec, c => sqlx::query_scalar(&sql).bind(person).fetch_all(&mut *c).await?))
}

// ---------------------------------------------------------------------
// Uploads (issue 14): what Zou's comments and preview files services
// read and write around a new preview file. Callers hold the task's lock
// (`tasks::lock_task`), as Zou holds its per-task revision lock, so two
// uploads on one task never pick the same revision and position.

/// Zou's `get_next_preview_revision`: one above the task's highest
/// revision, 1 for a task without previews.
pub async fn next_revision(exec: &mut impl Exec, task: Uuid) -> Result<i64> {
    let max: Option<i64> = on!(exec, c => sqlx::query_scalar(
        "SELECT MAX(revision) FROM preview_files WHERE task_id = $1")
        .bind(task).fetch_one(&mut *c).await?);
    Ok(max.map_or(1, |m| m + 1))
}

/// Zou's `get_next_position`: one more than the task's previews of that
/// revision.
pub async fn next_position(exec: &mut impl Exec, task: Uuid, revision: i64) -> Result<i64> {
    let n: i64 = on!(exec, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM preview_files WHERE task_id = $1 AND revision = $2")
        .bind(task).bind(revision).fetch_one(&mut *c).await?);
    Ok(n + 1)
}

/// Zou's `check_revision_is_unique_for_task`: is there a main preview
/// (position 1) of that revision on the task already?
pub async fn main_revision_taken(exec: &mut impl Exec, task: Uuid, revision: i64) -> Result<bool> {
    let n: i64 = on!(exec, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM preview_files WHERE task_id = $1 AND revision = $2 AND position = 1")
        .bind(task).bind(revision).fetch_one(&mut *c).await?);
    Ok(n > 0)
}

/// The revisions of a comment's previews, in the order they were added
/// (Zou reads `comment.previews[0].revision`).
pub async fn comment_preview_revisions(exec: &mut impl Exec, comment: Uuid) -> Result<Vec<i64>> {
    Ok(on!(exec, c => sqlx::query_scalar(
        "SELECT COALESCE(p.revision, 0) FROM comment_preview_links l \
         JOIN preview_files p ON p.id = l.preview_file_id \
         WHERE l.comment_id = $1 ORDER BY l.seq")
        .bind(comment).fetch_all(&mut *c).await?))
}

/// The previews of each of `comments`, as Zou's
/// `build_preview_map_for_comments` describes them for a task's comment
/// list; a client is not shown rejected ones.
pub async fn previews_of_comments(
    exec: &mut impl Exec,
    comments: &[Uuid],
    is_client: bool,
) -> Result<std::collections::HashMap<Uuid, Vec<Value>>> {
    const KINDS: [Kind; 13] = [
        Kind::Uuid,
        Kind::Uuid,
        Kind::Uuid,
        Kind::Int,
        Kind::Text,
        Kind::Int,
        Kind::Int,
        Kind::Float,
        Kind::Text,
        Kind::Text,
        Kind::Text,
        Kind::Int,
        Kind::Json,
    ];
    let mut out: std::collections::HashMap<Uuid, Vec<Value>> = Default::default();
    for chunk in comments.chunks(500) {
        let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT l.comment_id, p.id, p.task_id, p.revision, p.extension, p.width, p.height, \
             p.duration, p.status, p.validation_status, p.original_name, p.position, \
             p.annotations FROM comment_preview_links l \
             JOIN preview_files p ON p.id = l.preview_file_id \
             WHERE l.comment_id IN ({}) ORDER BY l.seq",
            placeholders.join(", ")
        );
        let rows: Vec<Vec<Value>> = on!(exec, c => {
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q.bind(*id);
            }
            let mut rows = Vec::new();
            for r in q.fetch_all(&mut *c).await? {
                let mut values = Vec::with_capacity(KINDS.len());
                for (i, kind) in KINDS.iter().enumerate() {
                    values.push(decode_any(&r, i, *kind)?);
                }
                rows.push(values);
            }
            rows
        });
        for values in rows {
            let mut values = values.into_iter();
            let mut next = || values.next().unwrap_or(Value::Null);
            let comment = next();
            let Some(comment) = comment.as_str().and_then(|s| Uuid::parse_str(s).ok()) else {
                continue;
            };
            let mut m = Map::new();
            for key in ["id", "task_id", "revision", "extension", "width", "height"] {
                m.insert(key.into(), next());
            }
            m.insert("duration".into(), next());
            // Zou: an unset status reads "ready", an unset validation
            // "neutral".
            let status = next();
            m.insert(
                "status".into(),
                if status.is_null() {
                    Value::from("ready")
                } else {
                    status
                },
            );
            let validation = next();
            let validation = if validation.is_null() {
                Value::from("neutral")
            } else {
                validation
            };
            if is_client && validation == "rejected" {
                continue;
            }
            m.insert("validation_status".into(), validation);
            for key in ["original_name", "position", "annotations"] {
                m.insert(key.into(), next());
            }
            out.entry(comment).or_default().push(Value::Object(m));
        }
    }
    Ok(out)
}

/// Attaches a preview to a comment (Zou's `comment.previews.append`), and
/// points the comment's news at it as Zou's `add_preview_file_to_comment`
/// does.
pub async fn link_to_comment(exec: &mut impl Exec, comment: Uuid, preview: Uuid) -> Result<()> {
    on!(exec, c => sqlx::query(
        "INSERT INTO comment_preview_links (comment_id, preview_file_id) VALUES ($1, $2)")
        .bind(comment).bind(preview).execute(&mut *c).await?.rows_affected());
    on!(exec, c => sqlx::query("UPDATE news SET preview_file_id = $1 WHERE comment_id = $2")
        .bind(preview).bind(comment).execute(&mut *c).await?.rows_affected());
    Ok(())
}

/// The comments carrying a preview (the `comments` relation of Zou's
/// serialised preview file).
pub async fn comments_of(exec: &mut impl Exec, preview: Uuid) -> Result<Vec<Uuid>> {
    Ok(on!(exec, c => sqlx::query_scalar(
        "SELECT comment_id FROM comment_preview_links WHERE preview_file_id = $1 ORDER BY seq")
        .bind(preview).fetch_all(&mut *c).await?))
}

/// Zou's `update_preview_file_info` once a preview is ready: a main
/// preview (position 1) becomes its task's last preview and, when the
/// production sets previews automatically, its entity's main preview.
/// Returns the entity whose preview changed, if any.
pub async fn preview_ready(
    exec: &mut impl Exec,
    preview: Uuid,
    task: Uuid,
    position: i64,
) -> Result<Option<Uuid>> {
    if position != 1 {
        return Ok(None);
    }
    on!(exec, c => sqlx::query("UPDATE tasks SET last_preview_file_id = $1 WHERE id = $2")
        .bind(preview).bind(task).execute(&mut *c).await?.rows_affected());
    let automated: Option<(Uuid, Option<bool>)> = on!(exec, c => sqlx::query_as(
        "SELECT t.entity_id, p.is_set_preview_automated FROM tasks t \
         JOIN projects p ON p.id = t.project_id WHERE t.id = $1")
        .bind(task).fetch_optional(&mut *c).await?);
    match automated {
        Some((entity, Some(true))) => {
            set_entity_preview(exec, entity, preview).await?;
            Ok(Some(entity))
        }
        _ => Ok(None),
    }
}

/// Zou's `update_entity_preview`: the entity's main preview.
pub async fn set_entity_preview(exec: &mut impl Exec, entity: Uuid, preview: Uuid) -> Result<bool> {
    let n = on!(exec, c => sqlx::query(
        "UPDATE entities SET preview_file_id = $1, updated_at = $2 WHERE id = $3")
        .bind(preview).bind(fennec_api::time::now()).bind(entity)
        .execute(&mut *c).await?.rows_affected());
    Ok(n > 0)
}

// ---------------------------------------------------------------------
// Processing (issue 14): the movies being encoded, and those a stopped
// server left "processing" for ever.

/// The heartbeat of a movie being encoded: its `updated_at` moves, so a
/// server starting meanwhile (another replica) does not take it for one a
/// stopped server left. False once the preview is no longer processing.
pub async fn touch_processing(
    exec: &mut impl Exec,
    preview: Uuid,
    at: chrono::NaiveDateTime,
) -> Result<bool> {
    let n = on!(exec, c => sqlx::query(
        "UPDATE preview_files SET updated_at = $1 WHERE id = $2 AND status = 'processing'")
        .bind(at).bind(preview).execute(&mut *c).await?.rows_affected());
    Ok(n > 0)
}

/// The previews still "processing" whose row has not changed since
/// `before`: no server is encoding them any more.
pub async fn stale_processing(
    exec: &mut impl Exec,
    before: chrono::NaiveDateTime,
) -> Result<Vec<Uuid>> {
    Ok(on!(exec, c => sqlx::query_scalar(
        "SELECT id FROM preview_files WHERE status = 'processing' AND updated_at < $1 ORDER BY seq")
        .bind(before).fetch_all(&mut *c).await?))
}

/// One row of Zou's `get_running_preview_files`: the preview, and its
/// task's production, task type and entity.
#[derive(Debug, Clone, PartialEq)]
pub struct Running {
    pub preview: Uuid,
    pub project: Option<Uuid>,
    pub task_type: Option<Uuid>,
    pub entity: Option<Uuid>,
}

/// Zou's `get_running_preview_files`: the broken, missing and processing
/// previews of open productions, newest first; with a cursor, those older
/// than it. Zou's timestamps have microseconds, Fennec's seconds: the
/// creation order (`seq`) breaks the ties, in the order and at the cursor.
pub async fn running(
    exec: &mut impl Exec,
    cursor: Option<Uuid>,
    limit: Option<i64>,
) -> Result<Vec<Running>> {
    let mut sql = String::from(
        "SELECT p.id, t.project_id, t.task_type_id, t.entity_id FROM preview_files p \
         JOIN tasks t ON t.id = p.task_id JOIN projects pr ON pr.id = t.project_id \
         JOIN project_statuses s ON s.id = pr.project_status_id \
         WHERE s.name IN ('Active', 'open', 'Open') \
         AND p.status IN ('broken', 'missing', 'processing')",
    );
    if cursor.is_some() {
        sql.push_str(
            " AND (p.created_at, p.seq) < \
             (SELECT c.created_at, c.seq FROM preview_files c WHERE c.id = $1)",
        );
    }
    sql.push_str(" ORDER BY p.created_at DESC, p.seq DESC");
    if let Some(limit) = limit {
        sql.push_str(&format!(" LIMIT {}", limit.max(0)));
    }
    type Found = (Uuid, Option<Uuid>, Option<Uuid>, Option<Uuid>);
    let found: Vec<Found> = on!(exec, c => {
        let q = sqlx::query_as(&sql);
        let q = match cursor { Some(id) => q.bind(id), None => q };
        q.fetch_all(&mut *c).await?
    });
    Ok(found
        .into_iter()
        .map(|(preview, project, task_type, entity)| Running {
            preview,
            project,
            task_type,
            entity,
        })
        .collect())
}
