//! What the schedule forecast reads of a project, in a few set-based
//! queries (150 000 tasks must load in well under a second): each task
//! with its type, status flags and place in the hierarchy, the
//! assignments, the team's day offs, milestones.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime};
use futures_util::TryStreamExt;
use sqlx::Row as _;
use uuid::Uuid;

use crate::db::Exec;
use crate::{on, Result};

/// An id and its display name, shared by every task naming it (see
/// [`Names`]).
pub type Named = Option<(Uuid, Arc<str>)>;

/// One task as the scheduler needs it.
#[derive(Clone, Debug, Default)]
pub struct TaskFacts {
    pub id: Uuid,
    pub name: Arc<str>,
    pub priority: i64,
    pub estimation: f64,
    pub duration: f64,
    pub start_date: Option<NaiveDateTime>,
    pub due_date: Option<NaiveDateTime>,
    pub real_start_date: Option<NaiveDateTime>,
    pub done_date: Option<NaiveDateTime>,
    pub task_type: Named,
    pub is_done: bool,
    pub is_wip: bool,
    pub is_retake: bool,
    pub is_feedback_request: bool,
    pub entity: Named,
    pub entity_type: Named,
    /// The entity's parent (a shot's sequence, a sequence's episode).
    pub parent: Named,
    /// The parent's parent (a shot's episode).
    pub grandparent: Named,
}

/// The names a project's tasks repeat, each kept once: on 150 000 tasks
/// the six names of every task, copied, were ~90 MB of a schedule
/// request's memory, for a few thousand distinct names.
#[derive(Default)]
pub(crate) struct Names {
    by_id: HashMap<Uuid, Arc<str>>,
    by_text: HashSet<Arc<str>>,
}

impl Names {
    /// An id's name (one read sees one name per id).
    pub(crate) fn named(&mut self, id: Option<Uuid>, name: Option<&str>) -> Named {
        let id = id?;
        let name = self
            .by_id
            .entry(id)
            .or_insert_with(|| Arc::from(name.unwrap_or("")))
            .clone();
        Some((id, name))
    }

    pub(crate) fn text(&mut self, s: &str) -> Arc<str> {
        if let Some(t) = self.by_text.get(s) {
            return t.clone();
        }
        let t: Arc<str> = Arc::from(s);
        self.by_text.insert(t.clone());
        t
    }
}

const TASKS_SQL: &str = "SELECT t.id, t.name, t.priority, t.estimation, t.duration, \
    t.start_date, t.due_date, t.real_start_date, t.done_date, \
    tt.id, tt.name, ts.is_done, ts.is_wip, ts.is_retake, ts.is_feedback_request, \
    e.id, e.name, et.id, et.name, p1.id, p1.name, p2.id, p2.name \
    FROM tasks t \
    LEFT JOIN task_types tt ON tt.id = t.task_type_id \
    LEFT JOIN task_statuses ts ON ts.id = t.task_status_id \
    LEFT JOIN entities e ON e.id = t.entity_id \
    LEFT JOIN entity_types et ON et.id = e.entity_type_id \
    LEFT JOIN entities p1 ON p1.id = e.parent_id \
    LEFT JOIN entities p2 ON p2.id = p1.parent_id \
    WHERE t.project_id = $1 ORDER BY t.seq";

/// How many tasks a project has: the caller sizes its vector once (a
/// vector grown by doubling holds up to twice the room it needs).
pub async fn project_task_count(exec: &mut impl Exec, project: Uuid) -> Result<usize> {
    let sql = "SELECT COUNT(*) FROM tasks WHERE project_id = $1";
    let (n,): (i64,) = on!(exec, c => sqlx::query_as(sql).bind(project).fetch_one(&mut *c).await?);
    Ok(usize::try_from(n).unwrap_or(0))
}

/// What [`project_facts`] read besides the tasks.
pub struct ProjectFacts<S> {
    /// What the tasks were handed to.
    pub state: S,
    /// (task, person), sorted by task, each task's people in assignment
    /// order (the caller walks them beside its tasks in id order, where a
    /// map per task cost ~10 MB on 150 000 tasks). On SQLite it may hold
    /// other productions' tasks too (see [`project_facts`]).
    pub assignments: Vec<(Uuid, Uuid)>,
    /// The assets cast in the project's shots, (shot, asset) in casting
    /// order (Zou's `entity_links` whose casting side is a shot).
    pub casting: Vec<(Uuid, Uuid)>,
}

const ASSIGNMENTS_SQL: &str = "SELECT a.task_id, a.person_id, a.seq FROM assignations a \
    JOIN tasks t ON t.id = a.task_id WHERE t.project_id = $1";

const CASTING_SQL: &str = "SELECT l.entity_in_id, l.entity_out_id, l.seq FROM entity_links l \
    JOIN entities s ON s.id = l.entity_in_id \
    JOIN entity_types st ON st.id = s.entity_type_id \
    WHERE s.project_id = $1 AND st.name = 'Shot'";

/// Every task of a project, in creation order, handed to `each` as it is
/// read (then `each` is given back in [`ProjectFacts::state`]), with the
/// project's assignments and casting: collecting the rows first held every
/// column of every task in the driver's copies (on 150 000 tasks, 350 of
/// the 700 MB a critical-path request used). On SQLite the project's index
/// gives them in that order without sorting (`ORDER BY t.id` made SQLite's
/// sorter hold every row; the caller puts them in id order in place, see
/// `fennec_schedule::put_in_id_order`).
///
/// On a SQLite file (`reads`: `db.sqlite_reads()`) it is read on blocking
/// rusqlite cursors (schedule_lite.rs), the tasks on one thread and the
/// assignments and casting on another, both in read transactions on the
/// same committed state: sqlx's per-row hand-over was most of the seconds
/// a schedule request on 150 000 tasks spent loading, and the second
/// thread takes the assignments' quarter of the rest off the wall clock.
/// There the assignments may include other productions' tasks (see
/// `schedule_lite::read_assignments`), which a caller walking its own tasks
/// skips.
pub async fn project_facts<S, F>(
    exec: &mut impl Exec,
    reads: Option<(PathBuf, Arc<tokio::sync::Mutex<()>>)>,
    project: Uuid,
    state: S,
    mut each: F,
) -> Result<ProjectFacts<S>>
where
    S: Send + 'static,
    F: FnMut(&mut S, TaskFacts) + Send + 'static,
{
    let (state, mut assignments, mut casting) = if let Some((file, writes)) = reads {
        tokio::task::spawn_blocking(move || {
            crate::sqlite_stream::with_two_readers(&file, &writes, |tasks_conn, pairs_conn| {
                std::thread::scope(|scope| {
                    let pairs = scope.spawn(move || {
                        let assignments =
                            crate::schedule_lite::read_assignments(pairs_conn, project)?;
                        let casting = crate::schedule_lite::read_seq_pairs(
                            pairs_conn,
                            CASTING_SQL,
                            Some(project),
                        )?;
                        Ok::<_, crate::StoreError>((assignments, casting))
                    });
                    let mut state = state;
                    let tasks =
                        crate::schedule_lite::read_task_facts(tasks_conn, project, &mut |t| {
                            each(&mut state, t)
                        });
                    let (assignments, casting) = pairs.join().map_err(|_| {
                        crate::StoreError::Config("schedule read: a reader panicked".into())
                    })??;
                    tasks?;
                    Ok((state, assignments, casting))
                })
            })
        })
        .await
        .map_err(|e| crate::StoreError::Config(format!("schedule read: {e}")))??
    } else {
        let state = sqlx_task_facts(exec, project, state, each).await?;
        let assignments: Vec<(Uuid, Uuid, i64)> = on!(exec, c =>
            sqlx::query_as(ASSIGNMENTS_SQL).bind(project).fetch_all(&mut *c).await?);
        let casting: Vec<(Uuid, Uuid, i64)> = on!(exec, c =>
            sqlx::query_as(CASTING_SQL).bind(project).fetch_all(&mut *c).await?);
        (state, assignments, casting)
    };
    // No ORDER BY in the queries: sorting 150 000 joined rows took a
    // temporary B-tree in SQLite.
    assignments.sort_unstable_by_key(|&(task, _, seq)| (task, seq));
    casting.sort_unstable_by_key(|&(_, _, seq)| seq);
    let pairs = |rows: Vec<(Uuid, Uuid, i64)>| rows.into_iter().map(|(a, b, _)| (a, b)).collect();
    Ok(ProjectFacts {
        state,
        assignments: pairs(assignments),
        casting: pairs(casting),
    })
}

/// The tasks through sqlx, joined in one query (PostgreSQL).
async fn sqlx_task_facts<S, F>(
    exec: &mut impl Exec,
    project: Uuid,
    mut state: S,
    mut each: F,
) -> Result<S>
where
    F: FnMut(&mut S, TaskFacts),
{
    on!(exec, c => {
        let mut names = Names::default();
        let mut rows = sqlx::query(TASKS_SQL).bind(project).fetch(&mut *c);
        while let Some(r) = rows.try_next().await? {
            let mut named = |i: usize| -> Result<Named> {
                let id: Option<Uuid> = r.try_get(i)?;
                let name: Option<&str> = r.try_get(i + 1)?;
                Ok(names.named(id, name))
            };
            let task_type = named(9)?;
            let entity = named(15)?;
            let entity_type = named(17)?;
            let parent = named(19)?;
            let grandparent = named(21)?;
            let name = r.try_get::<Option<&str>, _>(1)?.unwrap_or_default();
            each(&mut state, TaskFacts {
                id: r.try_get(0)?,
                name: names.text(name),
                priority: r.try_get::<Option<i64>, _>(2)?.unwrap_or(0),
                estimation: r.try_get::<Option<f64>, _>(3)?.unwrap_or(0.0),
                duration: r.try_get::<Option<f64>, _>(4)?.unwrap_or(0.0),
                start_date: r.try_get(5)?,
                due_date: r.try_get(6)?,
                real_start_date: r.try_get(7)?,
                done_date: r.try_get(8)?,
                task_type,
                is_done: r.try_get::<Option<bool>, _>(11)?.unwrap_or(false),
                is_wip: r.try_get::<Option<bool>, _>(12)?.unwrap_or(false),
                is_retake: r.try_get::<Option<bool>, _>(13)?.unwrap_or(false),
                is_feedback_request: r.try_get::<Option<bool>, _>(14)?.unwrap_or(false),
                entity,
                entity_type,
                parent,
                grandparent,
            });
        }
    });
    Ok(state)
}

/// A person the forecast lays work on: id, display name.
pub async fn people(exec: &mut impl Exec, ids: &[Uuid]) -> Result<Vec<(Uuid, String)>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        let ph: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT id, first_name, last_name FROM persons WHERE id IN ({})",
            ph.join(", ")
        );
        let rows: Vec<(Uuid, Option<String>, Option<String>)> = on!(exec, c => {
            let mut q = sqlx::query_as(&sql);
            for id in chunk {
                q = q.bind(*id);
            }
            q.fetch_all(&mut *c).await?
        });
        out.extend(rows.into_iter().map(|(id, f, l)| {
            let name = format!("{} {}", f.unwrap_or_default(), l.unwrap_or_default());
            (id, name.trim().to_owned())
        }));
    }
    Ok(out)
}

/// Day offs of the given people: (person, first day, last day).
pub async fn day_offs(
    exec: &mut impl Exec,
    ids: &[Uuid],
) -> Result<Vec<(Uuid, NaiveDate, NaiveDate)>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        let ph: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT person_id, date, end_date FROM day_offs WHERE person_id IN ({})",
            ph.join(", ")
        );
        let rows: Vec<(Uuid, NaiveDate, NaiveDate)> = on!(exec, c => {
            let mut q = sqlx::query_as(&sql);
            for id in chunk {
                q = q.bind(*id);
            }
            q.fetch_all(&mut *c).await?
        });
        out.extend(rows);
    }
    Ok(out)
}

/// The project's task types in pipeline order: Zou's
/// `project_task_type_link.priority` (set ones first), then the task type's
/// own priority, then its name, as Kitsu sorts a production's columns. A
/// project without task-type links uses every task type in that order.
pub async fn task_type_order(exec: &mut impl Exec, project: Uuid) -> Result<Vec<Uuid>> {
    let linked = "SELECT tt.id FROM project_task_type_link l \
        JOIN task_types tt ON tt.id = l.task_type_id WHERE l.project_id = $1 \
        ORDER BY l.priority IS NULL, l.priority, tt.priority IS NULL, tt.priority, tt.name, tt.id";
    let rows: Vec<(Uuid,)> =
        on!(exec, c => sqlx::query_as(linked).bind(project).fetch_all(&mut *c).await?);
    if !rows.is_empty() {
        return Ok(rows.into_iter().map(|(id,)| id).collect());
    }
    let all = "SELECT id FROM task_types \
        ORDER BY priority IS NULL, priority, name, id";
    let rows: Vec<(Uuid,)> = on!(exec, c => sqlx::query_as(all).fetch_all(&mut *c).await?);
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// One stored finish-to-start link (Fennec's `fennec_task_links`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskLink {
    pub id: Uuid,
    pub project_id: Uuid,
    pub predecessor_id: Uuid,
    pub successor_id: Uuid,
    pub lag_days: i64,
    pub created_at: NaiveDateTime,
}

type LinkRow = (Uuid, Uuid, Uuid, Uuid, i64, NaiveDateTime);

fn link(r: LinkRow) -> TaskLink {
    TaskLink {
        id: r.0,
        project_id: r.1,
        predecessor_id: r.2,
        successor_id: r.3,
        lag_days: r.4,
        created_at: r.5,
    }
}

// `lag_days` is an INTEGER (INT4 on PostgreSQL): read as a BIGINT so both
// backends decode it as i64.
const LINK_COLUMNS: &str =
    "id, project_id, predecessor_id, successor_id, CAST(lag_days AS BIGINT), created_at";

/// The explicit links of a project, oldest first.
pub async fn task_links(exec: &mut impl Exec, project: Uuid) -> Result<Vec<TaskLink>> {
    let sql =
        format!("SELECT {LINK_COLUMNS} FROM fennec_task_links WHERE project_id = $1 ORDER BY seq");
    let rows: Vec<LinkRow> =
        on!(exec, c => sqlx::query_as(&sql).bind(project).fetch_all(&mut *c).await?);
    Ok(rows.into_iter().map(link).collect())
}

/// One link by id.
pub async fn task_link(exec: &mut impl Exec, id: Uuid) -> Result<Option<TaskLink>> {
    let sql = format!("SELECT {LINK_COLUMNS} FROM fennec_task_links WHERE id = $1");
    let row: Option<LinkRow> =
        on!(exec, c => sqlx::query_as(&sql).bind(id).fetch_optional(&mut *c).await?);
    Ok(row.map(link))
}

/// Stores a link, or updates the lag of the same (predecessor, successor).
pub async fn put_task_link(
    exec: &mut impl Exec,
    project: Uuid,
    predecessor: Uuid,
    successor: Uuid,
    lag_days: i64,
) -> Result<TaskLink> {
    let now = fennec_api::time::now();
    let sql = "INSERT INTO fennec_task_links \
        (id, project_id, predecessor_id, successor_id, lag_days, created_at, updated_at) \
        VALUES ($1, $2, $3, $4, $5, $6, $6) \
        ON CONFLICT (predecessor_id, successor_id) DO UPDATE SET lag_days = $5, updated_at = $6";
    let id = Uuid::new_v4();
    on!(exec, c => sqlx::query(sql).bind(id).bind(project).bind(predecessor).bind(successor)
        .bind(lag_days).bind(now).execute(&mut *c).await?.rows_affected());
    let sql = format!(
        "SELECT {LINK_COLUMNS} FROM fennec_task_links WHERE predecessor_id = $1 AND successor_id = $2"
    );
    let row: LinkRow = on!(exec, c => sqlx::query_as(&sql).bind(predecessor).bind(successor)
        .fetch_one(&mut *c).await?);
    Ok(link(row))
}

/// Removes a link; whether it existed.
pub async fn delete_task_link(exec: &mut impl Exec, id: Uuid) -> Result<bool> {
    let done = on!(exec, c => sqlx::query("DELETE FROM fennec_task_links WHERE id = $1")
        .bind(id).execute(&mut *c).await?.rows_affected());
    Ok(done > 0)
}

/// One department as remedies need it: id, name, its people (id, display
/// name) through Zou's `department_link`, its task types through
/// `task_types.department_id`.
pub type DepartmentFacts = (Uuid, String, Vec<(Uuid, String)>, Vec<Uuid>);

/// Every non-archived department with its people and task types.
pub async fn departments(exec: &mut impl Exec) -> Result<Vec<DepartmentFacts>> {
    let deps: Vec<(Uuid, String)> = on!(exec, c => sqlx::query_as(
        "SELECT id, name FROM departments WHERE archived IS NOT TRUE ORDER BY name, id")
        .fetch_all(&mut *c).await?);
    let people: Vec<(Uuid, Uuid, Option<String>, Option<String>)> = on!(exec, c => sqlx::query_as(
        "SELECT l.department_id, p.id, p.first_name, p.last_name FROM department_link l \
         JOIN persons p ON p.id = l.person_id WHERE p.active IS NOT FALSE ORDER BY l.seq")
        .fetch_all(&mut *c).await?);
    let types: Vec<(Uuid, Uuid)> = on!(exec, c => sqlx::query_as(
        "SELECT department_id, id FROM task_types WHERE department_id IS NOT NULL ORDER BY seq")
        .fetch_all(&mut *c).await?);
    Ok(deps
        .into_iter()
        .map(|(id, name)| {
            let members = people
                .iter()
                .filter(|p| p.0 == id)
                .map(|(_, p, f, l)| {
                    let n = format!(
                        "{} {}",
                        f.clone().unwrap_or_default(),
                        l.clone().unwrap_or_default()
                    );
                    (*p, n.trim().to_owned())
                })
                .collect();
            let tts = types.iter().filter(|t| t.0 == id).map(|t| t.1).collect();
            (id, name, members, tts)
        })
        .collect())
}

/// A production's own cast feeds (`fennec_cast_feeds`): (asset task type,
/// shot task type) pairs, or `None` when it uses the default.
pub async fn cast_feeds(exec: &mut impl Exec, project: Uuid) -> Result<Option<Vec<(Uuid, Uuid)>>> {
    let sql = "SELECT feeds FROM fennec_cast_feeds WHERE project_id = $1";
    let row: Option<(sqlx::types::Json<Vec<CastFeedRow>>,)> =
        on!(exec, c => sqlx::query_as(sql).bind(project).fetch_optional(&mut *c).await?);
    Ok(row.map(|(feeds,)| {
        feeds
            .0
            .into_iter()
            .map(|f| (f.asset_task_type_id, f.shot_task_type_id))
            .collect()
    }))
}

#[derive(serde::Serialize, serde::Deserialize)]
struct CastFeedRow {
    asset_task_type_id: Uuid,
    shot_task_type_id: Uuid,
}

/// Sets a production's cast feeds (an empty list: no casting dependency).
pub async fn put_cast_feeds(
    exec: &mut impl Exec,
    project: Uuid,
    feeds: &[(Uuid, Uuid)],
) -> Result<()> {
    let rows: Vec<CastFeedRow> = feeds
        .iter()
        .map(|(a, s)| CastFeedRow {
            asset_task_type_id: *a,
            shot_task_type_id: *s,
        })
        .collect();
    let json = sqlx::types::Json(rows);
    let now = fennec_api::time::now();
    let sql = "INSERT INTO fennec_cast_feeds (project_id, feeds, created_at, updated_at) \
        VALUES ($1, $2, $3, $3) \
        ON CONFLICT (project_id) DO UPDATE SET feeds = $2, updated_at = $3";
    on!(exec, c => sqlx::query(sql).bind(project).bind(&json).bind(now)
        .execute(&mut *c).await?.rows_affected());
    Ok(())
}

/// Puts a production back on the default cast feeds; whether it had its own.
pub async fn delete_cast_feeds(exec: &mut impl Exec, project: Uuid) -> Result<bool> {
    let done = on!(exec, c => sqlx::query("DELETE FROM fennec_cast_feeds WHERE project_id = $1")
        .bind(project).execute(&mut *c).await?.rows_affected());
    Ok(done > 0)
}
