//! The schedule's facts read from a SQLite file on the rusqlite cursor
//! (see schedule.rs for what they are, and sqlite_stream.rs for the
//! connection).
//!
//! The tasks are read without joins: on 151 200 tasks, `schedule.rs`'s
//! `TASKS_SQL` with its six joined lookups per task (two B-tree searches
//! each) took ~0.9 s, a third of a critical-path request. The few hundred
//! task types, statuses and entity types and the project's entities (tens
//! of thousands) are read once into maps, then the tasks alone.

use std::collections::HashMap;

use uuid::Uuid;

use crate::schedule::{Named, Names, TaskFacts};
use crate::sqlite_stream::{bool_opt, dt_opt, float_opt, int_opt, lite, str_opt, uuid_opt};
use crate::{Result, StoreError};

/// An entity as a task names it: name, type, parent.
struct EntityFacts {
    name: Named,
    entity_type: Option<Uuid>,
    parent: Option<Uuid>,
}

/// An entity's name, type id and parent id.
type EntityLink = (Named, Option<Uuid>, Option<Uuid>);

/// The reference rows a task's columns point at.
struct Refs {
    task_types: HashMap<Uuid, Named>,
    statuses: HashMap<Uuid, [bool; 4]>,
    entity_types: HashMap<Uuid, Named>,
    entities: HashMap<Uuid, EntityFacts>,
}

fn missing(what: &str) -> StoreError {
    StoreError::Config(format!("SQLite read: {what} without id"))
}

/// `(id, name)` of every row of a small table.
fn names_of(
    conn: &rusqlite::Connection,
    sql: &str,
    names: &mut Names,
) -> Result<HashMap<Uuid, Named>> {
    let mut stmt = conn.prepare(sql).map_err(lite)?;
    let mut rows = stmt.raw_query();
    let mut out = HashMap::new();
    while let Some(r) = rows.next().map_err(lite)? {
        let id = uuid_opt(r, 0)?.ok_or_else(|| missing(sql))?;
        out.insert(id, names.named(Some(id), str_opt(r, 1)?));
    }
    Ok(out)
}

const ENTITY_COLUMNS: &str = "id, name, entity_type_id, parent_id";

fn entity_row(r: &rusqlite::Row<'_>, names: &mut Names) -> Result<(Uuid, EntityFacts)> {
    let id = uuid_opt(r, 0)?.ok_or_else(|| missing("an entity"))?;
    Ok((
        id,
        EntityFacts {
            name: names.named(Some(id), str_opt(r, 1)?),
            entity_type: uuid_opt(r, 2)?,
            parent: uuid_opt(r, 3)?,
        },
    ))
}

impl Refs {
    fn read(conn: &rusqlite::Connection, project: Uuid, names: &mut Names) -> Result<Refs> {
        let task_types = names_of(conn, "SELECT id, name FROM task_types", names)?;
        let entity_types = names_of(conn, "SELECT id, name FROM entity_types", names)?;
        let mut statuses = HashMap::new();
        let mut stmt = conn
            .prepare(
                "SELECT id, is_done, is_wip, is_retake, is_feedback_request FROM task_statuses",
            )
            .map_err(lite)?;
        let mut rows = stmt.raw_query();
        while let Some(r) = rows.next().map_err(lite)? {
            let id = uuid_opt(r, 0)?.ok_or_else(|| missing("a task status"))?;
            let flag = |i| bool_opt(r, i).map(|b| b.unwrap_or(false));
            statuses.insert(id, [flag(1)?, flag(2)?, flag(3)?, flag(4)?]);
        }
        let mut entities = HashMap::new();
        let sql = format!("SELECT {ENTITY_COLUMNS} FROM entities WHERE project_id = $1");
        let mut stmt = conn.prepare(&sql).map_err(lite)?;
        stmt.raw_bind_parameter(1, &project.as_bytes()[..])
            .map_err(lite)?;
        let mut rows = stmt.raw_query();
        while let Some(r) = rows.next().map_err(lite)? {
            let (id, e) = entity_row(r, names)?;
            entities.insert(id, e);
        }
        Ok(Refs {
            task_types,
            statuses,
            entity_types,
            entities,
        })
    }

    /// An entity, read by id when it is not the project's own (the join
    /// this replaces found any entity).
    fn entity(
        &mut self,
        conn: &rusqlite::Connection,
        id: Uuid,
        names: &mut Names,
    ) -> Result<Option<EntityLink>> {
        if !self.entities.contains_key(&id) {
            let sql = format!("SELECT {ENTITY_COLUMNS} FROM entities WHERE id = $1");
            let mut stmt = conn.prepare_cached(&sql).map_err(lite)?;
            stmt.raw_bind_parameter(1, &id.as_bytes()[..])
                .map_err(lite)?;
            let mut rows = stmt.raw_query();
            match rows.next().map_err(lite)? {
                Some(r) => {
                    let (id, e) = entity_row(r, names)?;
                    self.entities.insert(id, e);
                }
                None => return Ok(None),
            }
        }
        Ok(self
            .entities
            .get(&id)
            .map(|e| (e.name.clone(), e.entity_type, e.parent)))
    }
}

const TASK_COLUMNS_SQL: &str = "SELECT t.id, t.name, t.priority, t.estimation, t.duration, \
    t.start_date, t.due_date, t.real_start_date, t.done_date, \
    t.task_type_id, t.task_status_id, t.entity_id \
    FROM tasks t WHERE t.project_id = $1 ORDER BY t.seq";

/// Every task of `project` in creation order, with its names, handed to
/// `each` as it is read: what `schedule.rs`'s `TASKS_SQL` gives.
pub(crate) fn read_task_facts(
    conn: &rusqlite::Connection,
    project: Uuid,
    each: &mut dyn FnMut(TaskFacts),
) -> Result<()> {
    let mut names = Names::default();
    let mut refs = Refs::read(conn, project, &mut names)?;
    let mut stmt = conn.prepare(TASK_COLUMNS_SQL).map_err(lite)?;
    stmt.raw_bind_parameter(1, &project.as_bytes()[..])
        .map_err(lite)?;
    let mut rows = stmt.raw_query();
    while let Some(r) = rows.next().map_err(lite)? {
        let id = uuid_opt(r, 0)?.ok_or_else(|| missing("a task"))?;
        let task_type = uuid_opt(r, 9)?
            .and_then(|t| refs.task_types.get(&t))
            .cloned()
            .flatten();
        let [is_done, is_wip, is_retake, is_feedback_request] = uuid_opt(r, 10)?
            .and_then(|s| refs.statuses.get(&s))
            .copied()
            .unwrap_or_default();
        let (mut entity, mut entity_type, mut parent, mut grandparent) = (None, None, None, None);
        if let Some(e) = uuid_opt(r, 11)? {
            if let Some((name, kind, up)) = refs.entity(conn, e, &mut names)? {
                entity = name;
                entity_type = kind
                    .and_then(|t| refs.entity_types.get(&t))
                    .cloned()
                    .flatten();
                if let Some((name, _, up)) = match up {
                    Some(p) => refs.entity(conn, p, &mut names)?,
                    None => None,
                } {
                    parent = name;
                    if let Some(g) = up {
                        grandparent = refs.entity(conn, g, &mut names)?.and_then(|g| g.0);
                    }
                }
            }
        }
        let name = str_opt(r, 1)?.unwrap_or_default();
        each(TaskFacts {
            id,
            name: names.text(name),
            priority: int_opt(r, 2)?.unwrap_or(0),
            estimation: float_opt(r, 3)?.unwrap_or(0.0),
            duration: float_opt(r, 4)?.unwrap_or(0.0),
            start_date: dt_opt(r, 5)?,
            due_date: dt_opt(r, 6)?,
            real_start_date: dt_opt(r, 7)?,
            done_date: dt_opt(r, 8)?,
            task_type,
            is_done,
            is_wip,
            is_retake,
            is_feedback_request,
            entity,
            entity_type,
            parent,
            grandparent,
        });
    }
    Ok(())
}

/// The rows `(uuid, uuid, seq)` of `sql` for `project`.
pub(crate) fn read_seq_pairs(
    conn: &rusqlite::Connection,
    sql: &str,
    project: Option<Uuid>,
) -> Result<Vec<(Uuid, Uuid, i64)>> {
    let mut stmt = conn.prepare(sql).map_err(lite)?;
    if let Some(project) = project {
        stmt.raw_bind_parameter(1, &project.as_bytes()[..])
            .map_err(lite)?;
    }
    let mut rows = stmt.raw_query();
    let mut out = Vec::new();
    let missing = || StoreError::Config("a link row without its ends".into());
    while let Some(r) = rows.next().map_err(lite)? {
        out.push((
            uuid_opt(r, 0)?.ok_or_else(missing)?,
            uuid_opt(r, 1)?.ok_or_else(missing)?,
            int_opt(r, 2)?.unwrap_or(0),
        ));
    }
    Ok(out)
}

/// The assignments of `project`'s tasks, `(task, person, seq)` in no set
/// order. When the project holds most of the file's assignments, the whole
/// table is read in storage order, other productions' tasks included (at
/// most as many again): looking each task up took ~0.9 s on 151 200 tasks,
/// the plain read ~0.1 s, and filtering by the project's ids took a tenth
/// of the load again, when the caller, walking its own tasks in id order
/// beside these sorted, skips the others for nothing. `seq` is the table's
/// rowid, so `max(seq)` bounds the row count without counting.
pub(crate) fn read_assignments(
    conn: &rusqlite::Connection,
    project: Uuid,
) -> Result<Vec<(Uuid, Uuid, i64)>> {
    let max_seq: i64 = conn
        .query_row("SELECT coalesce(max(seq), 0) FROM assignations", [], |r| {
            r.get(0)
        })
        .map_err(lite)?;
    let tasks: i64 = conn
        .query_row(
            "SELECT count(*) FROM tasks WHERE project_id = $1",
            [&project.as_bytes()[..]],
            |r| r.get(0),
        )
        .map_err(lite)?;
    if max_seq > tasks.saturating_mul(2) {
        let sql = "SELECT a.task_id, a.person_id, a.seq FROM assignations a \
                   WHERE a.task_id IN (SELECT id FROM tasks WHERE project_id = $1)";
        return read_seq_pairs(conn, sql, Some(project));
    }
    read_seq_pairs(
        conn,
        "SELECT task_id, person_id, seq FROM assignations",
        None,
    )
}
