//! The reads behind Zou's with-tasks boards (`/data/<kind>/with-tasks`,
//! an entity's linked entities with their tasks).
//!
//! Policy: through the pool (PostgreSQL, in-memory SQLite), a constant
//! number of set-based queries whatever the size of the production — the
//! entities, their tasks, the tasks' assignees (and, for some views, one
//! more list of links) — each selecting through the same entity filter,
//! never one query per entity or task. On a SQLite file the board is
//! walked on a local cursor instead: the entities in order, each entity's
//! tasks one index lookup (no round trip there), so that the server writes
//! and sends each row as it is read. Rows come out typed, their `data`
//! copied through as text when it can be (raw_json.rs).

use std::collections::HashMap;

use chrono::NaiveDateTime;
use serde_json::Value;
use sqlx::types::Json;
use sqlx::Row as _;
use uuid::Uuid;

use crate::db::{Conn, Db, Exec};
use crate::{on, Result, StoreError};

/// The entity types that are not asset types (Zou's temporal types).
pub const TEMPORAL_TYPES: [&str; 7] = [
    "Shot",
    "Sequence",
    "Episode",
    "Edit",
    "Scene",
    "Concept",
    "ConceptFolder",
];

/// Which board: each one selects its entities its own way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Board {
    /// Shots, through their sequence (Zou joins it; the episode is the
    /// sequence's parent).
    Shot,
    /// Edits: the episode is the parent, `main` means none.
    Edit,
    Concept,
    /// Sequences, episodes, scenes (Zou's generic `get_entities_and_tasks`):
    /// `episode_id` is the parent, `id` is not a filter there.
    Generic,
    /// Assets: every non-temporal type; `episode_id` is the source episode
    /// or an episode casting.
    Asset,
    /// The entities linked to a concept-linked entity.
    LinkedTo(Uuid),
}

/// The `episode_id` criterion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Episode {
    Id(Uuid),
    All,
    Main,
}

/// What selects the entities of a board (Zou's criterions, resolved).
#[derive(Clone, Debug)]
pub struct Criteria {
    pub board: Board,
    pub entity_type_id: Option<Uuid>,
    pub id: Option<Uuid>,
    pub project_id: Option<Uuid>,
    pub episode: Option<Episode>,
    /// Only these entities (vendors' sequences and episodes).
    pub entity_ids: Option<Vec<Uuid>>,
    /// Only entities holding a task assigned to this person, and only
    /// those tasks.
    pub assigned_to: Option<Uuid>,
    /// Only entities of productions whose team holds this person.
    pub team_of: Option<Uuid>,
}

impl Criteria {
    pub fn new(board: Board) -> Self {
        Criteria {
            board,
            entity_type_id: None,
            id: None,
            project_id: None,
            episode: None,
            entity_ids: None,
            assigned_to: None,
            team_of: None,
        }
    }
}

/// The FROM and WHERE of the selected entities (alias `e`), with their
/// arguments in placeholder order.
struct Scope {
    from: String,
    conds: Vec<String>,
    args: Vec<Uuid>,
}

impl Scope {
    fn arg(&mut self, id: Uuid) -> String {
        self.args.push(id);
        format!("${}", self.args.len())
    }

    fn where_sql(&self) -> String {
        if self.conds.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.conds.join(" AND "))
        }
    }
}

fn assigned_cond(person: &str) -> String {
    format!("EXISTS (SELECT 1 FROM assignations aa WHERE aa.task_id = t.id AND aa.person_id = {person})")
}

/// Zou's filters of each board, on `e` (and `par`, the parent, for shots).
fn scope(c: &Criteria, base: &str) -> Scope {
    let mut s = Scope {
        from: base.to_owned(),
        conds: Vec::new(),
        args: Vec::new(),
    };
    match c.board {
        Board::Shot => s
            .from
            .push_str(" JOIN entities par ON par.id = e.parent_id"),
        Board::Asset => s
            .from
            .push_str(" JOIN entity_types et ON et.id = e.entity_type_id"),
        _ => {}
    }
    if let Some(t) = c.entity_type_id {
        let p = s.arg(t);
        s.conds.push(format!("e.entity_type_id = {p}"));
    }
    if c.board == Board::Asset {
        let names: Vec<String> = TEMPORAL_TYPES.iter().map(|n| format!("'{n}'")).collect();
        s.conds
            .push(format!("et.name NOT IN ({})", names.join(", ")));
    }
    if let Board::LinkedTo(target) = c.board {
        let p = s.arg(target);
        s.conds.push(format!(
            "e.id IN (SELECT entity_in_id FROM entity_concept_links WHERE entity_out_id = {p})"
        ));
    }
    if let Some(id) = c.id {
        if c.board != Board::Generic {
            let p = s.arg(id);
            s.conds.push(format!("e.id = {p}"));
        }
    }
    if let Some(p) = c.project_id {
        let p = s.arg(p);
        s.conds.push(format!("e.project_id = {p}"));
    }
    match (c.board, c.episode) {
        (_, None) | (_, Some(Episode::All)) => {}
        (Board::Shot, Some(Episode::Id(ep))) => {
            let p = s.arg(ep);
            s.conds.push(format!("par.parent_id = {p}"));
        }
        // Zou compares a parent id with "main" there (its database then
        // refuses the query): no entity has that parent.
        (Board::Shot | Board::Generic, Some(Episode::Main)) => s.conds.push("1 = 0".into()),
        (Board::Edit, Some(Episode::Main)) => s.conds.push("e.parent_id IS NULL".into()),
        (Board::Asset, Some(Episode::Main)) => s.conds.push("e.source_id IS NULL".into()),
        (Board::Asset, Some(Episode::Id(ep))) => {
            let p = s.arg(ep);
            let q = s.arg(ep);
            s.conds.push(format!(
                "(e.source_id = {p} OR EXISTS (SELECT 1 FROM entity_links el \
                 WHERE el.entity_out_id = e.id AND el.entity_in_id = {q}))"
            ));
        }
        (Board::Edit | Board::Generic, Some(Episode::Id(ep))) => {
            let p = s.arg(ep);
            s.conds.push(format!("e.parent_id = {p}"));
        }
        _ => {}
    }
    if let Some(ids) = &c.entity_ids {
        if ids.is_empty() {
            s.conds.push("1 = 0".into());
        } else {
            let ps: Vec<String> = ids.iter().map(|i| s.arg(*i)).collect();
            s.conds.push(format!("e.id IN ({})", ps.join(", ")));
        }
    }
    if let (Some(person), false) = (c.assigned_to, c.board == Board::Generic) {
        let p = s.arg(person);
        s.conds.push(format!(
            "EXISTS (SELECT 1 FROM tasks xt JOIN assignations xa ON xa.task_id = xt.id \
             WHERE xt.entity_id = e.id AND xa.person_id = {p})"
        ));
    }
    if let Some(person) = c.team_of {
        let p = s.arg(person);
        s.conds.push(format!(
            "EXISTS (SELECT 1 FROM project_person_link pl \
             WHERE pl.project_id = e.project_id AND pl.person_id = {p})"
        ));
    }
    s
}

/// The task-level scope (`base` holds `tasks t`): the tasks of the board's
/// entities (a subquery), and only the caller's when the board is narrowed
/// to them. On SQLite the shots' board repeats the production on the
/// tasks, so that it walks the production's tasks in order instead of
/// looking them up entity by entity and sorting them (shots hold most of
/// its tasks); the other boards' tasks are looked up by entity rather than
/// by walking the whole production (31 ms for the sequences of a 20 160-
/// task production, 24 ms against 10 for its assets' 3 360 tasks). PostgreSQL, without
/// statistics yet (a production just imported), would take the repeated
/// production for a per-entity scan of the production's tasks, so it is
/// left to join the entities itself.
fn task_scope(c: &Criteria, base: &str, sqlite: bool) -> Scope {
    let mut s = scope(c, "entities e");
    let entities = format!("SELECT e.id FROM {}{}", s.from, s.where_sql());
    s.from = base.to_owned();
    s.conds = vec![format!("t.entity_id IN ({entities})")];
    let walks_production = sqlite && c.board == Board::Shot;
    if let (Some(p), true) = (c.project_id, walks_production) {
        let p = s.arg(p);
        s.conds.push(format!("t.project_id = {p}"));
    }
    if let Some(person) = c.assigned_to {
        let p = s.arg(person);
        s.conds.push(assigned_cond(&p));
    }
    s
}

/// A `data` column as a board writes it: the stored text when it is what
/// serde_json would write for it (copied through: see raw_json.rs), else
/// its parsed value (PostgreSQL's JSONB, text stored otherwise).
#[derive(Clone, Debug)]
pub enum Data {
    Text(String),
    Value(Value),
}

impl Data {
    /// Stored text, parsed only when it cannot be copied.
    pub fn from_text(t: &str) -> std::result::Result<Data, serde_json::Error> {
        if crate::raw_json::is_canonical(t) {
            Ok(Data::Text(t.to_owned()))
        } else {
            serde_json::from_str(t).map(Data::Value)
        }
    }

    /// The JSON, as serde_json writes the value.
    pub fn write(&self, buf: &mut Vec<u8>) {
        match self {
            Data::Text(t) => buf.extend_from_slice(t.as_bytes()),
            // Writing to a Vec cannot fail.
            Data::Value(v) => {
                let _ = serde_json::to_writer(&mut *buf, v);
            }
        }
    }

    pub fn is_null(&self) -> bool {
        match self {
            Data::Text(t) => t == "null",
            Data::Value(v) => v.is_null(),
        }
    }

    /// Writes the value of the top-level `key` (`null` when it has none).
    pub fn write_field(&self, buf: &mut Vec<u8>, key: &str) {
        match self {
            Data::Text(t) => match crate::raw_json::top_value(t, key) {
                Some(v) => buf.extend_from_slice(v.as_bytes()),
                None => buf.extend_from_slice(b"null"),
            },
            Data::Value(v) => {
                let _ = serde_json::to_writer(&mut *buf, v.get(key).unwrap_or(&Value::Null));
            }
        }
    }

    /// The parsed value (text that was copied is canonical JSON).
    pub fn to_value(&self) -> Value {
        match self {
            Data::Text(t) => serde_json::from_str(t).unwrap_or(Value::Null),
            Data::Value(v) => v.clone(),
        }
    }
}

/// An entity as the boards read it, with its project's, type's, parent's
/// and grandparent's names.
#[derive(Clone, Debug)]
pub struct EntityRow {
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub data: Option<Data>,
    pub canceled: Option<bool>,
    pub entity_type_id: Uuid,
    pub parent_id: Option<Uuid>,
    pub preview_file_id: Option<Uuid>,
    pub source_id: Option<Uuid>,
    pub nb_frames: Option<i64>,
    pub nb_entities_out: Option<i64>,
    pub is_casting_standby: Option<bool>,
    pub is_shared: Option<bool>,
    pub ready_for: Option<Uuid>,
    pub status: Option<String>,
    pub project_id: Uuid,
    pub created_by: Option<Uuid>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub project_name: String,
    pub type_name: String,
    pub parent_name: Option<String>,
    pub grandparent_id: Option<Uuid>,
    pub grandparent_name: Option<String>,
}

/// A task as the boards read it.
#[derive(Clone, Debug)]
pub struct TaskRow {
    pub id: Uuid,
    pub entity_id: Uuid,
    pub task_type_id: Option<Uuid>,
    pub task_status_id: Option<Uuid>,
    pub priority: Option<i64>,
    pub estimation: Option<f64>,
    pub duration: Option<f64>,
    pub retake_count: Option<i64>,
    pub real_start_date: Option<NaiveDateTime>,
    pub end_date: Option<NaiveDateTime>,
    pub start_date: Option<NaiveDateTime>,
    pub due_date: Option<NaiveDateTime>,
    pub done_date: Option<NaiveDateTime>,
    pub last_comment_date: Option<NaiveDateTime>,
    pub last_preview_file_id: Option<Uuid>,
    pub nb_assets_ready: Option<i64>,
    pub difficulty: Option<i64>,
    pub nb_drawings: Option<i64>,
    pub data: Option<Data>,
    pub assigner_id: Option<Uuid>,
}

/// Everything a board shows: its entities in order, their tasks grouped
/// by entity (in creation order), the tasks' assignees (in link order).
#[derive(Debug, Default)]
pub struct BoardRows {
    pub entities: Vec<EntityRow>,
    pub tasks: HashMap<Uuid, Vec<TaskRow>>,
    pub assignees: HashMap<Uuid, Vec<Uuid>>,
}

impl BoardRows {
    /// An entity's tasks on the board (none when it has none).
    pub fn tasks_of(&self, entity: Uuid) -> &[TaskRow] {
        self.tasks.get(&entity).map_or(&[][..], Vec::as_slice)
    }
}

const ENTITY_COLS: &str = "e.id, e.name, e.description, e.data, e.canceled, e.entity_type_id, \
    e.parent_id, e.preview_file_id, e.source_id, e.nb_frames, e.nb_entities_out, \
    e.is_casting_standby, e.is_shared, e.ready_for, e.status, e.project_id, e.created_by, \
    e.created_at, e.updated_at, p.name, ty.name, pa.name, gp.id, gp.name";

const TASK_COLS: &str = "t.id, t.entity_id, t.task_type_id, t.task_status_id, t.priority, \
    t.estimation, t.duration, t.retake_count, t.real_start_date, t.end_date, t.start_date, \
    t.due_date, t.done_date, t.last_comment_date, t.last_preview_file_id, t.nb_assets_ready, \
    t.difficulty, t.nb_drawings, t.data, t.assigner_id";

/// A connection of the pool to spare now: an idle one, or a new one while
/// the pool is below its size. Never waited for long, so that a request
/// holding a connection cannot hold up others that do (they fall back to
/// their own connection).
async fn spare(db: &Db) -> Option<Conn> {
    const WAIT: std::time::Duration = std::time::Duration::from_millis(50);
    match db {
        Db::Sqlite(p, _) => match p.try_acquire() {
            Some(c) => Some(Conn::Sqlite(c)),
            None if p.size() < p.options().get_max_connections() => {
                tokio::time::timeout(WAIT, p.acquire())
                    .await
                    .ok()?
                    .ok()
                    .map(Conn::Sqlite)
            }
            None => None,
        },
        Db::Postgres(p) => match p.try_acquire() {
            Some(c) => Some(Conn::Postgres(c)),
            None if p.size() < p.options().get_max_connections() => {
                tokio::time::timeout(WAIT, p.acquire())
                    .await
                    .ok()?
                    .ok()
                    .map(Conn::Postgres)
            }
            None => None,
        },
    }
}

/// The tasks' assignees of a board, by task, in link order.
pub type Assignees = HashMap<Uuid, Vec<Uuid>>;

/// What a walk hands each entity to: the entity, its tasks, the board's
/// assignees.
pub type EntityVisitor<'a> = dyn FnMut(&EntityRow, &[TaskRow], &Assignees) -> Result<()> + 'a;

/// Walks a board on the SQLite file `file`'s cursor: `each` gets every
/// entity in the board's order with its tasks (in creation order) as they
/// are read, so the board is never held whole (the boards built whole
/// held 270–580 MiB at 8 connections on a 20 160-task production). Each
/// entity's tasks are one lookup on `tasks (entity_id)`, whose order is
/// the tasks' `seq`: no sort. Blocking: run it off the async threads.
pub fn walk_sqlite(
    file: &std::path::Path,
    c: &Criteria,
    each: &mut EntityVisitor<'_>,
) -> Result<()> {
    let queries = BoardSql::new(c);
    let tasks_of = entity_tasks_sql(c);
    crate::sqlite_stream::with_reader(file, |conn| queries.walk(conn, &tasks_of, each))
}

/// A board read whole: on a SQLite file by [`walk_sqlite`], otherwise by
/// [`board_pooled`] (the boards themselves are walked, never read whole on
/// a file; this is for callers that want the rows, such as tests).
pub async fn board(exec: &mut impl Exec, db: &Db, c: &Criteria) -> Result<BoardRows> {
    let Some(file) = db.sqlite_file() else {
        return board_pooled(exec, db, c).await;
    };
    let c = c.clone();
    tokio::task::spawn_blocking(move || {
        let mut rows = BoardRows::default();
        walk_sqlite(&file, &c, &mut |e, tasks, assignees| {
            if rows.entities.is_empty() {
                rows.assignees = assignees.clone();
            }
            rows.entities.push(e.clone());
            if !tasks.is_empty() {
                rows.tasks.insert(e.id, tasks.to_vec());
            }
            Ok(())
        })?;
        Ok(rows)
    })
    .await
    .map_err(|e| StoreError::Config(format!("board read: {e}")))?
}

/// One entity's board tasks (`$1` is the entity), in creation order.
fn entity_tasks_sql(c: &Criteria) -> (String, Vec<Uuid>) {
    let mut sql = format!("SELECT {TASK_COLS} FROM tasks t WHERE t.entity_id = $1");
    let mut args = Vec::new();
    if let Some(person) = c.assigned_to {
        args.push(person);
        sql.push_str(" AND ");
        sql.push_str(&assigned_cond("$2"));
    }
    sql.push_str(" ORDER BY t.seq");
    (sql, args)
}

impl BoardRows {
    /// [`walk_sqlite`]'s course on rows read whole (the pooled path).
    pub fn walk(&self, each: &mut EntityVisitor<'_>) -> Result<()> {
        for e in &self.entities {
            each(e, self.tasks_of(e.id), &self.assignees)?;
        }
        Ok(())
    }
}

/// A board's entities and assignees queries, with their arguments, as
/// the cursor walks them.
pub(crate) struct BoardSql {
    pub entities: (String, Vec<Uuid>),
    /// The pairs (task, person) with the link's `seq`, unsorted.
    pub assignees: (String, Vec<Uuid>),
}

impl BoardSql {
    pub(crate) fn new(c: &Criteria) -> BoardSql {
        BoardSql {
            entities: entities_sql(c),
            assignees: walk_assignees_sql(c),
        }
    }
}

/// The assignees of the board's tasks, reached from its entities: each
/// task's links are one lookup on `assignations (task_id, …)` either way,
/// but walking the production's tasks to find them cost half as much again
/// on a 20 160-task production (33 ms against 20, in `sqlite3`), and the
/// sort by `seq` is left to the reader (16 ms without it).
fn walk_assignees_sql(c: &Criteria) -> (String, Vec<Uuid>) {
    let mut s = scope(
        c,
        "entities e JOIN tasks t ON t.entity_id = e.id JOIN assignations a ON a.task_id = t.id",
    );
    if let Some(person) = c.assigned_to {
        let p = s.arg(person);
        s.conds.push(assigned_cond(&p));
    }
    let sql = format!(
        "SELECT a.task_id, a.person_id, a.seq FROM {}{}",
        s.from,
        s.where_sql()
    );
    (sql, s.args)
}

/// [`board`] through sqlx's pool (PostgreSQL, in-memory SQLite; public so
/// that a test can compare it with the cursor). None of the three queries
/// needs another's answer, so they run at once on the idle connections the
/// pool has to spare, else one after the other on `exec`.
pub async fn board_pooled(exec: &mut impl Exec, db: &Db, c: &Criteria) -> Result<BoardRows> {
    let (entities, tasks, assignees) = match (spare(db).await, spare(db).await) {
        (Some(mut a), Some(mut b)) => {
            tokio::try_join!(entities(exec, c), tasks(&mut a, c), assignees(&mut b, c))?
        }
        (Some(mut a), None) | (None, Some(mut a)) => {
            let (tasks, (entities, assignees)) = tokio::try_join!(tasks(&mut a, c), async {
                Ok::<_, StoreError>((entities(exec, c).await?, assignees(exec, c).await?))
            })?;
            (entities, tasks, assignees)
        }
        (None, None) => (
            entities(exec, c).await?,
            tasks(exec, c).await?,
            assignees(exec, c).await?,
        ),
    };
    Ok(BoardRows {
        entities,
        tasks,
        assignees,
    })
}

/// The board's entities, in Zou's order.
fn entities_sql(c: &Criteria) -> (String, Vec<Uuid>) {
    let s = scope(
        c,
        "entities e JOIN projects p ON p.id = e.project_id \
         JOIN entity_types ty ON ty.id = e.entity_type_id \
         LEFT JOIN entities pa ON pa.id = e.parent_id \
         LEFT JOIN entities gp ON gp.id = pa.parent_id",
    );
    let order = if c.board == Board::Asset {
        "ty.name, e.name, e.seq"
    } else {
        "e.seq"
    };
    let sql = format!(
        "SELECT {ENTITY_COLS} FROM {}{} ORDER BY {order}",
        s.from,
        s.where_sql()
    );
    (sql, s.args)
}

async fn entities(exec: &mut impl Exec, c: &Criteria) -> Result<Vec<EntityRow>> {
    let (sql, args) = entities_sql(c);
    let entities: Vec<EntityRow> = on!(exec, c => {
        let mut q = sqlx::query(&sql);
        for a in &args {
            q = q.bind(*a);
        }
        let rows = q.fetch_all(&mut *c).await?;
        rows.iter()
            .map(|r| {
                Ok(EntityRow {
                    id: r.try_get(0)?,
                    name: r.try_get(1)?,
                    description: r.try_get(2)?,
                    data: r.try_get::<Option<Json<Value>>, _>(3)?
                        .map(|j| Data::Value(j.0)),
                    canceled: r.try_get(4)?,
                    entity_type_id: r.try_get(5)?,
                    parent_id: r.try_get(6)?,
                    preview_file_id: r.try_get(7)?,
                    source_id: r.try_get(8)?,
                    nb_frames: r.try_get(9)?,
                    nb_entities_out: r.try_get(10)?,
                    is_casting_standby: r.try_get(11)?,
                    is_shared: r.try_get(12)?,
                    ready_for: r.try_get(13)?,
                    status: r.try_get(14)?,
                    project_id: r.try_get(15)?,
                    created_by: r.try_get(16)?,
                    created_at: r.try_get(17)?,
                    updated_at: r.try_get(18)?,
                    project_name: r.try_get(19)?,
                    type_name: r.try_get(20)?,
                    parent_name: r.try_get(21)?,
                    grandparent_id: r.try_get(22)?,
                    grandparent_name: r.try_get(23)?,
                })
            })
            .collect::<std::result::Result<Vec<_>, sqlx::Error>>()?
    });

    Ok(entities)
}

/// The board's tasks, in creation order.
fn tasks_sql(c: &Criteria, sqlite: bool) -> (String, Vec<Uuid>) {
    let s = task_scope(c, "tasks t", sqlite);
    let sql = format!(
        "SELECT {TASK_COLS} FROM {}{} ORDER BY t.seq",
        s.from,
        s.where_sql()
    );
    (sql, s.args)
}

/// Tasks grouped by entity, each group in the rows' order.
pub(crate) fn by_entity(task_rows: Vec<TaskRow>) -> HashMap<Uuid, Vec<TaskRow>> {
    let mut tasks: HashMap<Uuid, Vec<TaskRow>> = HashMap::new();
    for t in task_rows {
        tasks.entry(t.entity_id).or_default().push(t);
    }
    tasks
}

async fn tasks(exec: &mut impl Exec, c: &Criteria) -> Result<HashMap<Uuid, Vec<TaskRow>>> {
    let sqlite = matches!(exec.raw(), crate::db::Raw::Sqlite(_));
    let (sql, args) = tasks_sql(c, sqlite);
    let task_rows: Vec<TaskRow> = on!(exec, c => {
        let mut q = sqlx::query(&sql);
        for a in &args {
            q = q.bind(*a);
        }
        let rows = q.fetch_all(&mut *c).await?;
        rows.iter()
            .map(|r| {
                Ok(TaskRow {
                    id: r.try_get(0)?,
                    entity_id: r.try_get(1)?,
                    task_type_id: r.try_get(2)?,
                    task_status_id: r.try_get(3)?,
                    priority: r.try_get(4)?,
                    estimation: r.try_get(5)?,
                    duration: r.try_get(6)?,
                    retake_count: r.try_get(7)?,
                    real_start_date: r.try_get(8)?,
                    end_date: r.try_get(9)?,
                    start_date: r.try_get(10)?,
                    due_date: r.try_get(11)?,
                    done_date: r.try_get(12)?,
                    last_comment_date: r.try_get(13)?,
                    last_preview_file_id: r.try_get(14)?,
                    nb_assets_ready: r.try_get(15)?,
                    difficulty: r.try_get(16)?,
                    nb_drawings: r.try_get(17)?,
                    data: r.try_get::<Option<Json<Value>>, _>(18)?
                        .map(|j| Data::Value(j.0)),
                    assigner_id: r.try_get(19)?,
                })
            })
            .collect::<std::result::Result<Vec<_>, sqlx::Error>>()?
    });
    Ok(by_entity(task_rows))
}

/// The assignees of the board's tasks, in link order.
fn assignees_sql(c: &Criteria, sqlite: bool) -> (String, Vec<Uuid>) {
    let s = task_scope(c, "tasks t JOIN assignations a ON a.task_id = t.id", sqlite);
    let sql = format!(
        "SELECT a.task_id, a.person_id FROM {}{} ORDER BY a.seq",
        s.from,
        s.where_sql()
    );
    (sql, s.args)
}

async fn assignees(exec: &mut impl Exec, c: &Criteria) -> Result<HashMap<Uuid, Vec<Uuid>>> {
    let sqlite = matches!(exec.raw(), crate::db::Raw::Sqlite(_));
    let (sql, args) = assignees_sql(c, sqlite);
    grouped_pairs(exec, &sql, &args).await
}

/// The id pairs `sql` selects, the second ids grouped by the first, each
/// group in the query's order.
async fn grouped_pairs(
    exec: &mut impl Exec,
    sql: &str,
    args: &[Uuid],
) -> Result<HashMap<Uuid, Vec<Uuid>>> {
    let pairs: Vec<(Uuid, Uuid)> = on!(exec, c => {
        let mut q = sqlx::query_as(sql);
        for a in args {
            q = q.bind(*a);
        }
        q.fetch_all(&mut *c).await?
    });
    let mut out: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for (key, value) in pairs {
        out.entry(key).or_default().push(value);
    }
    Ok(out)
}

/// The concepts' links of a board's entities: entity → linked entities,
/// in link order.
pub async fn concept_links(exec: &mut impl Exec, c: &Criteria) -> Result<HashMap<Uuid, Vec<Uuid>>> {
    let s = scope(
        c,
        "entity_concept_links l JOIN entities e ON e.id = l.entity_in_id",
    );
    let sql = format!(
        "SELECT l.entity_in_id, l.entity_out_id FROM {}{} ORDER BY l.seq",
        s.from,
        s.where_sql()
    );
    grouped_pairs(exec, &sql, &s.args).await
}

/// The episodes each asset is cast in (Zou's `casting_episode_ids`), by
/// episode name, for a production (optionally one episode, one asset).
pub async fn casting_episodes(
    exec: &mut impl Exec,
    project_id: Uuid,
    episode: Option<Uuid>,
    asset: Option<Uuid>,
) -> Result<HashMap<Uuid, Vec<Uuid>>> {
    let mut sql = "SELECT l.entity_out_id, l.entity_in_id FROM entity_links l \
        JOIN entities ep ON ep.id = l.entity_in_id \
        JOIN entity_types ept ON ept.id = ep.entity_type_id \
        WHERE ept.name = 'Episode' AND ep.project_id = $1"
        .to_owned();
    let mut args = vec![project_id];
    if let Some(e) = episode {
        args.push(e);
        sql.push_str(&format!(" AND l.entity_in_id = ${}", args.len()));
    }
    if let Some(a) = asset {
        args.push(a);
        sql.push_str(&format!(" AND l.entity_out_id = ${}", args.len()));
    }
    sql.push_str(" ORDER BY ep.name, l.seq");
    grouped_pairs(exec, &sql, &args).await
}

/// The metadata fields of `entity_type` a person of `departments` may not
/// see, per production: descriptors restricted to other departments.
pub async fn hidden_fields(
    exec: &mut impl Exec,
    entity_type: &str,
    departments: &[Uuid],
) -> Result<HashMap<Uuid, Vec<String>>> {
    let sql = "SELECT d.project_id, d.field_name, dl.department_id FROM metadata_descriptors d \
        JOIN department_metadata_descriptor_link dl ON dl.metadata_descriptor_id = d.id \
        WHERE d.entity_type = $1 ORDER BY d.seq";
    let rows: Vec<(Uuid, String, Uuid)> = on!(exec, c => {
        sqlx::query_as(sql).bind(entity_type).fetch_all(&mut *c).await?
    });
    // Per (project, field): does any of its departments match?
    let mut seen: Vec<((Uuid, String), bool)> = Vec::new();
    for (project, field, dep) in rows {
        let ok = departments.contains(&dep);
        match seen
            .iter_mut()
            .find(|(k, _)| k.0 == project && k.1 == field)
        {
            Some((_, allowed)) => *allowed |= ok,
            None => seen.push(((project, field), ok)),
        }
    }
    let mut out: HashMap<Uuid, Vec<String>> = HashMap::new();
    for ((project, field), allowed) in seen {
        if !allowed {
            out.entry(project).or_default().push(field);
        }
    }
    Ok(out)
}

/// A production board's change signal (Zou's `get_project_board_fingerprint`):
/// the latest update and the count of its entities and tasks, of the entity
/// types, the production's own update, and the caller's subscriptions,
/// all of them as Zou reads them (the boards show his; reading them
/// through the production's tasks walked all of them, 43 ms at 20 160).
pub async fn board_fingerprint(
    exec: &mut impl Exec,
    project_id: Uuid,
    person_id: Uuid,
) -> Result<Fingerprint> {
    let sql = "SELECT \
        (SELECT CAST(MAX(updated_at) AS TEXT) FROM entities WHERE project_id = $1), \
        (SELECT COUNT(*) FROM entities WHERE project_id = $2), \
        (SELECT CAST(MAX(updated_at) AS TEXT) FROM tasks WHERE project_id = $3), \
        (SELECT COUNT(*) FROM tasks WHERE project_id = $4), \
        (SELECT CAST(MAX(updated_at) AS TEXT) FROM entity_types), \
        (SELECT COUNT(*) FROM entity_types), \
        (SELECT CAST(updated_at AS TEXT) FROM projects WHERE id = $5), \
        (SELECT CAST(MAX(updated_at) AS TEXT) FROM subscriptions WHERE person_id = $6), \
        (SELECT COUNT(*) FROM subscriptions WHERE person_id = $7)";
    type Signals = (
        Option<String>,
        i64,
        Option<String>,
        i64,
        Option<String>,
        i64,
        Option<String>,
        Option<String>,
        i64,
    );
    let r: Signals = on!(exec, c => {
        sqlx::query_as(sql)
            .bind(project_id)
            .bind(project_id)
            .bind(project_id)
            .bind(project_id)
            .bind(project_id)
            .bind(person_id)
            .bind(person_id)
            .fetch_one(&mut *c)
            .await?
    });
    // Fennec stores times to the second: two changes within one second
    // leave the same signal, so a board changed in the last seconds is not
    // settled yet (the margin covers a transaction committed a little
    // after it stamped its rows, and replicas' clocks).
    let newest = [&r.0, &r.2, &r.4, &r.6, &r.7]
        .into_iter()
        .flatten()
        .filter_map(|t| NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S%.f").ok())
        .max();
    let now = chrono::Utc::now().naive_utc();
    let settled = newest.is_none_or(|t| now - t > chrono::Duration::seconds(SETTLE_SECONDS));
    Ok(Fingerprint {
        signal: format!(
            "{:?}:{}|{:?}:{}|{:?}:{}|{:?}|{:?}:{}",
            r.0, r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8
        ),
        settled,
    })
}

/// How long after its last change a board's signal is trusted.
const SETTLE_SECONDS: i64 = 3;

/// A board's change signal, and whether it can be trusted yet.
#[derive(Clone, Debug)]
pub struct Fingerprint {
    pub signal: String,
    pub settled: bool,
}

/// The entities a vendor reaches on Zou's sequence and episode boards
/// (`get_sequences_for_project`/`_for_episode`, `get_episodes_for_project`
/// with `only_assigned`): the parents of the entities holding a task
/// assigned to `person` in `project` (or, for sequences, under `episode`);
/// for episodes, the grandparents, and the source episodes of such assets.
pub async fn assigned_parents(
    exec: &mut impl Exec,
    person: Uuid,
    project: Uuid,
    episode: Option<Uuid>,
    episodes: bool,
) -> Result<Vec<Uuid>> {
    let assigned = "SELECT t.entity_id FROM tasks t JOIN assignations a ON a.task_id = t.id \
        WHERE a.person_id = $1";
    let sql = if episodes {
        format!(
            "SELECT ep.id FROM entities ep JOIN entities sq ON sq.parent_id = ep.id \
             JOIN entities sh ON sh.parent_id = sq.id \
             WHERE ep.project_id = $2 AND sh.id IN ({assigned}) \
             UNION SELECT ep.id FROM entities ep JOIN entities x ON x.source_id = ep.id \
             WHERE ep.project_id = $2 AND x.id IN ({assigned})"
        )
    } else if episode.is_some() {
        format!(
            "SELECT DISTINCT sq.id FROM entities sq JOIN entities sh ON sh.parent_id = sq.id \
             WHERE sq.parent_id = $2 AND sh.id IN ({assigned})"
        )
    } else {
        format!(
            "SELECT DISTINCT sq.id FROM entities sq JOIN entities sh ON sh.parent_id = sq.id \
             WHERE sq.project_id = $2 AND sh.id IN ({assigned})"
        )
    };
    let second = episode.unwrap_or(project);
    Ok(on!(exec, c => {
        sqlx::query_scalar(&sql)
            .bind(person)
            .bind(second)
            .fetch_all(&mut *c)
            .await?
    }))
}
