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
