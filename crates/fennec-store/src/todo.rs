//! A person's to-do list (Zou's `get_person_tasks`: `/data/user/tasks`,
//! `/data/user/done-tasks`, `/data/persons/{id}/tasks`…) read in one
//! query and written as Zou's JSON straight from the row.
//!
//! Why: the list was built as JSON maps of ~55 keys from full task,
//! entity, project and comment rows fetched in six to ten queries, about
//! 50 µs per task. Here one join brings each task with the names Kitsu's
//! to-do page shows (production, entity, its parent and episode, type,
//! status, last comment) and a second the tasks' assignees; each value is
//! written as it is read. On a SQLite file both run on the blocking
//! rusqlite cursor of sqlite_stream.rs; elsewhere through sqlx's pool.
//! The bytes are those of the map builder (fennec-server's todo_rows.rs),
//! tested in fennec-cli's tests/stream_equivalence.rs.

use std::collections::HashMap;

use fennec_api::models::{Kind, Wire, TASK};
use rusqlite::Connection;
use uuid::Uuid;

use crate::db::Db;
use crate::sqlite_stream::{lite, with_reader};
use crate::stream::{write_ids, write_json, write_key, write_uuid, WriteColumn};
use crate::{on, Result, StoreError};

/// Whose list, which part of it, and (for a viewer who is neither the
/// person nor an admin) the productions the viewer may read.
#[derive(Clone, Debug)]
pub struct Todo {
    pub person: Uuid,
    /// Tasks of a done status (`done-tasks`) or the others.
    pub done: bool,
    pub only_projects: Option<Vec<Uuid>>,
}

/// The columns after the task's own, in the order they are selected.
/// Zou's to-do query names the entity's parent `sequence_name` and takes
/// the episode from the grandparent for shots and scenes, from the parent
/// for sequences, and from the source for everything else (assets).
const EXTRA_COLS: &str = "p.name, COALESCE(p.has_avatar, FALSE), \
    e.name, e.description, e.data, e.preview_file_id, e.source_id, et.name, \
    COALESCE(e.canceled, FALSE), pa.name, \
    CASE WHEN et.name IN ('Shot', 'Scene') THEN gp.id \
         WHEN et.name = 'Sequence' THEN pa.id ELSE src.id END, \
    CASE WHEN et.name IN ('Shot', 'Scene') THEN gp.name \
         WHEN et.name = 'Sequence' THEN pa.name ELSE src.name END, \
    tt.for_entity, tt.name, ts.name, tt.color, ts.color, ts.short_name, \
    c.id, c.text, c.created_at, c.person_id";

/// The to-do's two queries and their arguments (`$1` is the person).
struct TodoSql {
    rows: String,
    assignees: &'static str,
    args: Vec<Uuid>,
}

impl TodoSql {
    /// On SQLite the tasks are picked by `seq` (their rowid), so that they
    /// come out in order without a sort of the joined rows, and the last
    /// comment is found by its rowid; PostgreSQL has no index on `seq`
    /// and takes them by id.
    fn new(q: &Todo, sqlite: bool) -> TodoSql {
        let task_cols: Vec<String> = TASK
            .columns
            .iter()
            .filter(|c| c.wire == Wire::Shown)
            .map(|c| format!("t.\"{}\"", c.name))
            .collect();
        let mut args = vec![q.person];
        let done = if q.done { "" } else { "NOT " };
        let (tasks, last_comment, mine) = if sqlite {
            (
                "tasks t",
                "LEFT JOIN comments c ON c.seq = \
                 (SELECT MAX(lc.seq) FROM comments lc WHERE lc.object_id = t.id)",
                "t.seq IN (SELECT mt.seq FROM assignations a JOIN tasks mt ON mt.id = a.task_id \
                 WHERE a.person_id = $1)",
            )
        } else {
            // Led by the person's assignments (one row per task: (task,
            // person) is unique): with `t.id IN (…)` PostgreSQL scanned
            // every task of the studio and probed the assignments for
            // each, 56 of a 216-task to-do's 60 ms on 20 160 tasks.
            (
                "assignations a JOIN tasks t ON t.id = a.task_id",
                "LEFT JOIN comments c ON c.id = (SELECT lc.id FROM comments lc \
                 WHERE lc.object_id = t.id ORDER BY lc.seq DESC LIMIT 1)",
                "a.person_id = $1",
            )
        };
        let mut rows = format!(
            "SELECT {}, {EXTRA_COLS} FROM {tasks} \
             JOIN projects p ON p.id = t.project_id \
             LEFT JOIN task_statuses ts ON ts.id = t.task_status_id \
             LEFT JOIN task_types tt ON tt.id = t.task_type_id \
             LEFT JOIN entities e ON e.id = t.entity_id \
             LEFT JOIN entity_types et ON et.id = e.entity_type_id \
             LEFT JOIN entities pa ON pa.id = e.parent_id \
             LEFT JOIN entities gp ON gp.id = pa.parent_id \
             LEFT JOIN entities src ON src.id = e.source_id \
             {last_comment} \
             WHERE {mine} \
             AND t.project_id IN (SELECT l.project_id FROM project_person_link l \
                 WHERE l.person_id = $1) \
             AND (p.project_status_id IN (SELECT s.id FROM project_statuses s WHERE s.name = 'Open') \
                 OR NOT EXISTS (SELECT 1 FROM project_statuses s WHERE s.name = 'Open')) \
             AND {done}COALESCE(ts.is_done, FALSE)",
            task_cols.join(", ")
        );
        if let Some(projects) = &q.only_projects {
            if projects.is_empty() {
                rows.push_str(" AND 1 = 0");
            } else {
                let ps: Vec<String> = projects
                    .iter()
                    .map(|p| {
                        args.push(*p);
                        format!("${}", args.len())
                    })
                    .collect();
                rows.push_str(&format!(" AND t.project_id IN ({})", ps.join(", ")));
            }
        }
        rows.push_str(" ORDER BY t.seq");
        TodoSql {
            rows,
            // Every assignee of the person's tasks, in link order; the
            // list's own filters are left to the row query.
            assignees: "SELECT a.task_id, a.person_id FROM assignations a \
                WHERE a.task_id IN (SELECT m.task_id FROM assignations m WHERE m.person_id = $1) \
                ORDER BY a.seq",
            args,
        }
    }
}

/// Where the task's own columns and the extra ones sit in a row.
struct Layout {
    /// The task's shown columns: key, kind.
    task: Vec<(&'static str, Kind)>,
    estimation: usize,
    duration: usize,
    start_date: usize,
    due_date: usize,
    id: usize,
}

impl Layout {
    fn new() -> Layout {
        let task: Vec<(&'static str, Kind)> = TASK
            .columns
            .iter()
            .filter(|c| c.wire == Wire::Shown)
            .map(|c| (c.name, c.kind))
            .collect();
        let at = |name: &str| task.iter().position(|(n, _)| *n == name).unwrap_or(0);
        Layout {
            estimation: at("estimation"),
            duration: at("duration"),
            start_date: at("start_date"),
            due_date: at("due_date"),
            id: at("id"),
            task,
        }
    }
}

fn comma_key(buf: &mut Vec<u8>, key: &str) {
    buf.push(b',');
    write_key(buf, key);
}

/// Zou's to-do rows give missing ids as "" rather than null.
fn id_or_empty<R: WriteColumn>(buf: &mut Vec<u8>, row: &R, idx: usize) -> Result<()> {
    match row.id_at(idx)? {
        Some(u) => write_uuid(buf, &u),
        None => buf.extend_from_slice(b"\"\""),
    }
    Ok(())
}

/// Writes one to-do row: the task's columns in Zou's order, `type`, then
/// the keys Zou's to-do query adds, in its order.
fn write_todo<R: WriteColumn>(
    buf: &mut Vec<u8>,
    layout: &Layout,
    row: &R,
    assignees: &HashMap<Uuid, Vec<Uuid>>,
) -> Result<()> {
    buf.push(b'{');
    for (idx, (key, kind)) in layout.task.iter().enumerate() {
        if idx > 0 {
            buf.push(b',');
        }
        write_key(buf, key);
        row.write_column(buf, idx, *kind)?;
    }
    buf.extend_from_slice(b",\"type\":");
    write_json(buf, &TASK.type_name)?;
    let x = layout.task.len();
    for (i, key, kind) in [
        (0, "project_name", Kind::Text),
        (1, "project_has_avatar", Kind::Bool),
        (2, "entity_name", Kind::Text),
        (3, "entity_description", Kind::Text),
        (4, "entity_data", Kind::Json),
    ] {
        comma_key(buf, key);
        row.write_column(buf, x + i, kind)?;
    }
    comma_key(buf, "entity_preview_file_id");
    id_or_empty(buf, row, x + 5)?;
    comma_key(buf, "entity_source_id");
    id_or_empty(buf, row, x + 6)?;
    for (i, key, kind) in [
        (7, "entity_type_name", Kind::Text),
        (8, "entity_canceled", Kind::Bool),
        (9, "sequence_name", Kind::Text),
    ] {
        comma_key(buf, key);
        row.write_column(buf, x + i, kind)?;
    }
    comma_key(buf, "episode_id");
    id_or_empty(buf, row, x + 10)?;
    comma_key(buf, "episode_name");
    row.write_column(buf, x + 11, Kind::Text)?;
    comma_key(buf, "task_type_for_entity");
    row.write_column(buf, x + 12, Kind::Text)?;
    for (key, at, kind) in [
        ("task_estimation", layout.estimation, Kind::Float),
        ("task_duration", layout.duration, Kind::Float),
        ("task_start_date", layout.start_date, Kind::DateTime),
        ("task_due_date", layout.due_date, Kind::DateTime),
    ] {
        comma_key(buf, key);
        row.write_column(buf, at, kind)?;
    }
    for (i, key) in [
        (13, "task_type_name"),
        (14, "task_status_name"),
        (15, "task_type_color"),
        (16, "task_status_color"),
        (17, "task_status_short_name"),
    ] {
        comma_key(buf, key);
        row.write_column(buf, x + i, Kind::Text)?;
    }
    comma_key(buf, "assignees");
    let id = row.id_at(layout.id)?;
    write_ids(buf, id.and_then(|id| assignees.get(&id)));
    comma_key(buf, "last_comment");
    if row.id_at(x + 18)?.is_some() {
        buf.extend_from_slice(b"{\"text\":");
        row.write_column(buf, x + 19, Kind::Text)?;
        buf.extend_from_slice(b",\"date\":");
        row.write_column(buf, x + 20, Kind::DateTime)?;
        buf.extend_from_slice(b",\"person_id\":");
        row.write_column(buf, x + 21, Kind::Uuid)?;
        buf.push(b'}');
    } else {
        buf.extend_from_slice(b"{}");
    }
    buf.push(b'}');
    Ok(())
}

/// The to-do list as Zou's JSON array: on a SQLite file read on a blocking
/// rusqlite cursor (sqlx's per-row hand-over cost more than the JSON),
/// otherwise through the pool ([`json_pooled`]).
pub async fn json(db: &Db, q: &Todo) -> Result<Vec<u8>> {
    if let Some(file) = db.sqlite_file() {
        let sql = TodoSql::new(q, true);
        return tokio::task::spawn_blocking(move || with_reader(&file, |conn| read_on(conn, &sql)))
            .await
            .map_err(|e| StoreError::Config(format!("to-do read: {e}")))?;
    }
    json_pooled(db, q).await
}

fn read_on(conn: &Connection, sql: &TodoSql) -> Result<Vec<u8>> {
    let mut assignees: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    let mut stmt = conn.prepare_cached(sql.assignees).map_err(lite)?;
    stmt.raw_bind_parameter(1, &sql.args[0].as_bytes()[..])
        .map_err(lite)?;
    let mut rows = stmt.raw_query();
    while let Some(row) = rows.next().map_err(lite)? {
        if let (Some(task), Some(person)) = (row.id_at(0)?, row.id_at(1)?) {
            assignees.entry(task).or_default().push(person);
        }
    }
    drop(rows);
    drop(stmt);

    let layout = Layout::new();
    let mut stmt = conn.prepare_cached(&sql.rows).map_err(lite)?;
    for (i, a) in sql.args.iter().enumerate() {
        stmt.raw_bind_parameter(i + 1, &a.as_bytes()[..])
            .map_err(lite)?;
    }
    let mut rows = stmt.raw_query();
    let mut buf = Vec::with_capacity(64 * 1024);
    buf.push(b'[');
    let mut first = true;
    while let Some(row) = rows.next().map_err(lite)? {
        if !first {
            buf.push(b',');
        }
        first = false;
        write_todo(&mut buf, &layout, row, &assignees)?;
    }
    buf.push(b']');
    Ok(buf)
}

/// [`json`] read through sqlx's pool (PostgreSQL, in-memory SQLite;
/// public so that a test can compare it with the cursor).
pub async fn json_pooled(db: &Db, q: &Todo) -> Result<Vec<u8>> {
    let sql = TodoSql::new(q, db.is_sqlite());
    let mut conn = db.conn().await?;
    let pairs: Vec<(Uuid, Uuid)> = on!(&mut conn, c => sqlx::query_as(sql.assignees)
        .bind(q.person)
        .fetch_all(&mut *c)
        .await?);
    let mut assignees: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for (task, person) in pairs {
        assignees.entry(task).or_default().push(person);
    }
    let layout = Layout::new();
    let mut buf = Vec::with_capacity(64 * 1024);
    buf.push(b'[');
    on!(&mut conn, c => {
        let mut query = sqlx::query(&sql.rows);
        for a in &sql.args {
            query = query.bind(*a);
        }
        let rows = query.fetch_all(&mut *c).await?;
        for (i, row) in rows.iter().enumerate() {
            if i > 0 {
                buf.push(b',');
            }
            write_todo(&mut buf, &layout, row, &assignees)?;
        }
    });
    buf.push(b']');
    Ok(buf)
}
