//! The whole-list JSON streams of stream.rs, read from SQLite on a
//! blocking `rusqlite` cursor in a thread of tokio's blocking pool.
//!
//! Why: sqlx's SQLite driver runs each statement on its own worker thread
//! and hands every row over a channel with its values copied; for a whole
//! production's task list (20 000 rows of 30 columns) that hand-over cost
//! several times more than writing the JSON. Here each value is read in
//! place from SQLite's row and written as Zou's JSON at once.
//!
//! The reader opens its own read-only connection on the server's file: in
//! WAL mode it sees the last committed state and never blocks a writer.
//! The bytes written are those of stream.rs's sqlx path (tested in
//! fennec-cli's tests/stream_equivalence.rs on a seeded production).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::{NaiveDate, NaiveDateTime};

use fennec_api::models::{Kind, Model};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::rows::Select;
use crate::stream::{write_json, write_row, write_uuid, Inline, Plan, WriteColumn};
use crate::value::SqlValue;
use crate::with_tasks::{Assignees, BoardSql, Data, EntityRow, EntityVisitor, TaskRow};
use crate::StoreError;

const CHUNK: usize = 64 * 1024;

pub(crate) fn lite(e: rusqlite::Error) -> StoreError {
    StoreError::Config(format!("SQLite read: {e}"))
}

fn bad(kind: Kind, v: ValueRef<'_>) -> StoreError {
    StoreError::Config(format!(
        "SQLite read: a {:?} column held a {} value",
        kind,
        v.data_type()
    ))
}

fn text(t: &[u8]) -> Result<&str, StoreError> {
    std::str::from_utf8(t).map_err(|e| StoreError::Config(format!("SQLite read: {e}")))
}

/// sqlx stores a `NaiveDateTime` as `YYYY-MM-DD HH:MM:SS[.ffffff]`; Zou
/// shows it to the second with a `T`.
fn write_stored_datetime(buf: &mut Vec<u8>, t: &str) -> Result<(), StoreError> {
    let b = t.as_bytes();
    if b.len() >= 19 && (b[10] == b' ' || b[10] == b'T') && b[4] == b'-' && b[13] == b':' {
        buf.push(b'"');
        buf.extend_from_slice(&b[..10]);
        buf.push(b'T');
        buf.extend_from_slice(&b[11..19]);
        buf.push(b'"');
        return Ok(());
    }
    Err(StoreError::Config(format!(
        "SQLite read: {t:?} is not a stored date and time"
    )))
}

impl WriteColumn for rusqlite::Row<'_> {
    fn write_column(&self, buf: &mut Vec<u8>, idx: usize, kind: Kind) -> Result<(), StoreError> {
        let v = self.get_ref(idx).map_err(lite)?;
        if let ValueRef::Null = v {
            buf.extend_from_slice(b"null");
            return Ok(());
        }
        match (kind, v) {
            (Kind::Uuid, ValueRef::Blob(b)) => {
                let u = Uuid::from_slice(b).map_err(|_| bad(kind, v))?;
                write_uuid(buf, &u);
            }
            (Kind::Uuid, ValueRef::Text(t)) => {
                let u = Uuid::parse_str(text(t)?).map_err(|_| bad(kind, v))?;
                write_uuid(buf, &u);
            }
            (Kind::Text, ValueRef::Text(t)) => write_json(buf, &text(t)?)?,
            (Kind::Bool, ValueRef::Integer(i)) => write_json(buf, &(i != 0))?,
            (Kind::Int, ValueRef::Integer(i)) => write_json(buf, &i)?,
            (Kind::Float, ValueRef::Real(f)) => write_json(buf, &f)?,
            (Kind::Float, ValueRef::Integer(i)) => write_json(buf, &(i as f64))?,
            (Kind::DateTime, ValueRef::Text(t)) => write_stored_datetime(buf, text(t)?)?,
            (Kind::Date, ValueRef::Text(t)) if t.len() >= 10 => {
                buf.push(b'"');
                buf.extend_from_slice(&t[..10]);
                buf.push(b'"');
            }
            (Kind::Json, ValueRef::Text(t) | ValueRef::Blob(t)) => {
                let value: serde_json::Value = serde_json::from_slice(t)
                    .map_err(|e| StoreError::Config(format!("SQLite read: {e}")))?;
                write_json(buf, &value)?;
            }
            _ => return Err(bad(kind, v)),
        }
        Ok(())
    }

    fn id_at(&self, idx: usize) -> Result<Option<Uuid>, StoreError> {
        uuid_opt(self, idx)
    }
}

/// Binds `args` to the statement's `$1`, `$2`… in order, as sqlx stores
/// them (ids as 16-byte blobs, times as text).
fn bind(stmt: &mut rusqlite::Statement<'_>, args: &[SqlValue]) -> Result<(), StoreError> {
    for (i, a) in args.iter().enumerate() {
        let n = i + 1;
        let r = match a {
            SqlValue::Null(_) => stmt.raw_bind_parameter(n, rusqlite::types::Null),
            SqlValue::Uuid(u) => stmt.raw_bind_parameter(n, &u.as_bytes()[..]),
            SqlValue::Text(s) => stmt.raw_bind_parameter(n, s.as_str()),
            SqlValue::Bool(b) => stmt.raw_bind_parameter(n, *b),
            SqlValue::Int(v) => stmt.raw_bind_parameter(n, *v),
            SqlValue::Float(f) => stmt.raw_bind_parameter(n, *f),
            SqlValue::DateTime(d) => stmt.raw_bind_parameter(n, d.format("%F %T%.f").to_string()),
            SqlValue::Date(d) => stmt.raw_bind_parameter(n, d.format("%F").to_string()),
            SqlValue::Json(j) => stmt.raw_bind_parameter(n, j.to_string()),
        };
        r.map_err(lite)?;
    }
    Ok(())
}

fn uuid_of(v: ValueRef<'_>) -> Result<Uuid, StoreError> {
    match v {
        ValueRef::Blob(b) => Uuid::from_slice(b).map_err(|_| bad(Kind::Uuid, v)),
        ValueRef::Text(t) => Uuid::parse_str(text(t)?).map_err(|_| bad(Kind::Uuid, v)),
        _ => Err(bad(Kind::Uuid, v)),
    }
}

/// Streams `[row, row, …]` for `select` on `model` from the SQLite file
/// `file`, in 64 KiB chunks sent on `tx` (blocking: run it off the async
/// threads).
pub fn produce(
    file: &Path,
    model: &'static Model,
    select: &Select,
    inline: Option<Inline>,
    tx: &mpsc::Sender<Result<Vec<u8>, StoreError>>,
) -> Result<(), StoreError> {
    with_reader(file, |conn| produce_on(conn, model, select, inline, tx))
}

/// Read-only connections kept per database file, so that a small read
/// does not pay for opening one and parsing the schema.
static READERS: Mutex<Vec<(PathBuf, Connection)>> = Mutex::new(Vec::new());
const KEPT_READERS: usize = 4;

/// A kept read-only connection to `file`, or a new one.
fn take_reader(file: &Path) -> Result<Connection, StoreError> {
    let kept = {
        let mut readers = READERS.lock().unwrap_or_else(|e| e.into_inner());
        readers
            .iter()
            .position(|(p, _)| p == file)
            .map(|i| readers.swap_remove(i).1)
    };
    if let Some(c) = kept {
        return Ok(c);
    }
    let c = Connection::open_with_flags(
        file,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(lite)?;
    // The same 8 MiB page cache as the pool's connections (db.rs).
    c.pragma_update(None, "cache_size", -8192).map_err(lite)?;
    Ok(c)
}

/// Ends `conn`'s read transaction and keeps it for the next reader.
fn keep_reader(file: &Path, conn: Connection) {
    if conn.execute_batch("COMMIT").is_ok() {
        let mut readers = READERS.lock().unwrap_or_else(|e| e.into_inner());
        if readers.len() < KEPT_READERS {
            readers.push((file.to_path_buf(), conn));
        }
    }
}

/// Runs `f` on a read-only connection to `file`, inside one read
/// transaction (what it reads is one committed state), then keeps the
/// connection for the next reader.
pub fn with_reader<T>(
    file: &Path,
    f: impl FnOnce(&Connection) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let conn = take_reader(file)?;
    conn.execute_batch("BEGIN").map_err(lite)?;
    let out = f(&conn);
    keep_reader(file, conn);
    out
}

/// Runs `f` on two read-only connections to `file` whose read
/// transactions see the same committed state, so that `f` can read on two
/// threads (a schedule request on 150 000 tasks reads its tasks on one
/// and their assignments on the other). In WAL mode a read transaction
/// takes its snapshot at its first read: both first reads happen while
/// `writes`, the process's write lock (db.rs), is held, so no write of
/// this server commits between them.
pub fn with_two_readers<T>(
    file: &Path,
    writes: &tokio::sync::Mutex<()>,
    f: impl FnOnce(&mut Connection, &mut Connection) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let mut a = take_reader(file)?;
    let mut b = match take_reader(file) {
        Ok(b) => b,
        Err(e) => {
            keep_reader(file, a);
            return Err(e);
        }
    };
    let begun = (|| {
        a.execute_batch("BEGIN").map_err(lite)?;
        b.execute_batch("BEGIN").map_err(lite)?;
        let _no_writes = writes.blocking_lock();
        for c in [&a, &b] {
            c.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(()))
                .map_err(lite)?;
        }
        Ok(())
    })();
    let out = begun.and_then(|()| f(&mut a, &mut b));
    keep_reader(file, a);
    keep_reader(file, b);
    out
}

fn produce_on(
    conn: &Connection,
    model: &'static Model,
    select: &Select,
    inline: Option<Inline>,
    tx: &mpsc::Sender<Result<Vec<u8>, StoreError>>,
) -> Result<(), StoreError> {
    let plan = Plan::new(model, select, inline, true)?;

    let mut linked: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    if let Some(sql) = &plan.links_sql {
        let mut stmt = conn.prepare(sql).map_err(lite)?;
        bind(&mut stmt, &plan.args)?;
        let mut rows = stmt.raw_query();
        while let Some(row) = rows.next().map_err(lite)? {
            let l = uuid_of(row.get_ref(0).map_err(lite)?)?;
            let r = uuid_of(row.get_ref(1).map_err(lite)?)?;
            linked.entry(l).or_default().push(r);
        }
    }

    let mut stmt = conn.prepare(&plan.rows_sql).map_err(lite)?;
    bind(&mut stmt, &plan.args)?;
    let mut rows = stmt.raw_query();
    let mut buf = Vec::with_capacity(CHUNK + 4096);
    buf.push(b'[');
    let mut first = true;
    while let Some(row) = rows.next().map_err(lite)? {
        if !first {
            buf.push(b',');
        }
        first = false;
        write_row(&mut buf, model, &plan, inline, &linked, row)?;
        if buf.len() >= CHUNK {
            let chunk = std::mem::replace(&mut buf, Vec::with_capacity(CHUNK + 4096));
            if tx.blocking_send(Ok(chunk)).is_err() {
                // The client went away.
                return Ok(());
            }
        }
    }
    buf.push(b']');
    let _ = tx.blocking_send(Ok(buf));
    Ok(())
}

// ------------------------------------------------------------ typed reads

pub(crate) fn uuid_opt(row: &rusqlite::Row<'_>, i: usize) -> Result<Option<Uuid>, StoreError> {
    match row.get_ref(i).map_err(lite)? {
        ValueRef::Null => Ok(None),
        v => uuid_of(v).map(Some),
    }
}

fn uuid_req(row: &rusqlite::Row<'_>, i: usize) -> Result<Uuid, StoreError> {
    uuid_of(row.get_ref(i).map_err(lite)?)
}

pub(crate) fn int_opt(row: &rusqlite::Row<'_>, i: usize) -> Result<Option<i64>, StoreError> {
    match row.get_ref(i).map_err(lite)? {
        ValueRef::Null => Ok(None),
        ValueRef::Integer(n) => Ok(Some(n)),
        v => Err(bad(Kind::Int, v)),
    }
}

pub(crate) fn float_opt(row: &rusqlite::Row<'_>, i: usize) -> Result<Option<f64>, StoreError> {
    match row.get_ref(i).map_err(lite)? {
        ValueRef::Null => Ok(None),
        ValueRef::Real(f) => Ok(Some(f)),
        ValueRef::Integer(n) => Ok(Some(n as f64)),
        v => Err(bad(Kind::Float, v)),
    }
}

pub(crate) fn bool_opt(row: &rusqlite::Row<'_>, i: usize) -> Result<Option<bool>, StoreError> {
    match row.get_ref(i).map_err(lite)? {
        ValueRef::Null => Ok(None),
        ValueRef::Integer(n) => Ok(Some(n != 0)),
        v => Err(bad(Kind::Bool, v)),
    }
}

fn text_opt(row: &rusqlite::Row<'_>, i: usize) -> Result<Option<String>, StoreError> {
    match row.get_ref(i).map_err(lite)? {
        ValueRef::Null => Ok(None),
        ValueRef::Text(t) => Ok(Some(text(t)?.to_owned())),
        v => Err(bad(Kind::Text, v)),
    }
}

/// A text column borrowed from the row, not copied.
pub(crate) fn str_opt<'r>(
    row: &'r rusqlite::Row<'_>,
    i: usize,
) -> Result<Option<&'r str>, StoreError> {
    match row.get_ref(i).map_err(lite)? {
        ValueRef::Null => Ok(None),
        ValueRef::Text(t) => text(t).map(Some),
        v => Err(bad(Kind::Text, v)),
    }
}

fn text_req(row: &rusqlite::Row<'_>, i: usize) -> Result<String, StoreError> {
    text_opt(row, i)?.ok_or_else(|| StoreError::Config(format!("SQLite read: column {i} is null")))
}

/// A JSON column, its text copied through when it can be (raw_json.rs).
fn data_opt(row: &rusqlite::Row<'_>, i: usize) -> Result<Option<Data>, StoreError> {
    match row.get_ref(i).map_err(lite)? {
        ValueRef::Null => Ok(None),
        ValueRef::Text(t) | ValueRef::Blob(t) => Data::from_text(text(t)?)
            .map(Some)
            .map_err(|e| StoreError::Config(format!("SQLite read: {e}"))),
        v => Err(bad(Kind::Json, v)),
    }
}

fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |n, c| {
        c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
    })
}

/// A time as sqlx stores it (`YYYY-MM-DD HH:MM:SS[.fff…]`), read without
/// chrono's format parser (it showed in a big board's profile); other
/// layouts sqlx accepts go through chrono.
pub(crate) fn parse_datetime(t: &str) -> Option<NaiveDateTime> {
    let b = t.as_bytes();
    if b.len() >= 19 && b[4] == b'-' && b[7] == b'-' && (b[10] == b' ' || b[10] == b'T') {
        let date = NaiveDate::from_ymd_opt(
            digits(&b[0..4])? as i32,
            digits(&b[5..7])?,
            digits(&b[8..10])?,
        )?;
        let (h, m, sec) = (
            digits(&b[11..13])?,
            digits(&b[14..16])?,
            digits(&b[17..19])?,
        );
        let nanos = match &b[19..] {
            [] => 0,
            [b'.', frac @ ..] if !frac.is_empty() && frac.len() <= 9 => {
                digits(frac)? * 10u32.pow(9 - frac.len() as u32)
            }
            _ => return fallback_datetime(t),
        };
        return date.and_hms_nano_opt(h, m, sec, nanos);
    }
    fallback_datetime(t)
}

fn fallback_datetime(t: &str) -> Option<NaiveDateTime> {
    [
        "%Y-%m-%d %H:%M:%S%.f%#z",
        "%Y-%m-%dT%H:%M:%S%.f%#z",
        "%Y-%m-%dT%H:%M:%S%.fZ",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(t, f).ok())
}

pub(crate) fn dt_opt(
    row: &rusqlite::Row<'_>,
    i: usize,
) -> Result<Option<NaiveDateTime>, StoreError> {
    match row.get_ref(i).map_err(lite)? {
        ValueRef::Null => Ok(None),
        ValueRef::Text(t) => {
            let t = text(t)?;
            parse_datetime(t).map(Some).ok_or_else(|| {
                StoreError::Config(format!("SQLite read: {t:?} is not a date and time"))
            })
        }
        v => Err(bad(Kind::DateTime, v)),
    }
}

fn dt_req(row: &rusqlite::Row<'_>, i: usize) -> Result<NaiveDateTime, StoreError> {
    dt_opt(row, i)?.ok_or_else(|| StoreError::Config(format!("SQLite read: column {i} is null")))
}

fn query<T>(
    conn: &Connection,
    (sql, args): &(String, Vec<Uuid>),
    mut each: impl FnMut(&rusqlite::Row<'_>) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    let mut stmt = conn.prepare_cached(sql).map_err(lite)?;
    for (i, a) in args.iter().enumerate() {
        stmt.raw_bind_parameter(i + 1, &a.as_bytes()[..])
            .map_err(lite)?;
    }
    let mut rows = stmt.raw_query();
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(lite)? {
        out.push(each(row)?);
    }
    Ok(out)
}

fn entity_row(r: &rusqlite::Row<'_>) -> Result<EntityRow, StoreError> {
    Ok(EntityRow {
        id: uuid_req(r, 0)?,
        name: text_req(r, 1)?,
        description: text_opt(r, 2)?,
        data: data_opt(r, 3)?,
        canceled: bool_opt(r, 4)?,
        entity_type_id: uuid_req(r, 5)?,
        parent_id: uuid_opt(r, 6)?,
        preview_file_id: uuid_opt(r, 7)?,
        source_id: uuid_opt(r, 8)?,
        nb_frames: int_opt(r, 9)?,
        nb_entities_out: int_opt(r, 10)?,
        is_casting_standby: bool_opt(r, 11)?,
        is_shared: bool_opt(r, 12)?,
        ready_for: uuid_opt(r, 13)?,
        status: text_opt(r, 14)?,
        project_id: uuid_req(r, 15)?,
        created_by: uuid_opt(r, 16)?,
        created_at: dt_req(r, 17)?,
        updated_at: dt_req(r, 18)?,
        project_name: text_req(r, 19)?,
        type_name: text_req(r, 20)?,
        parent_name: text_opt(r, 21)?,
        grandparent_id: uuid_opt(r, 22)?,
        grandparent_name: text_opt(r, 23)?,
    })
}

fn task_row(r: &rusqlite::Row<'_>) -> Result<TaskRow, StoreError> {
    Ok(TaskRow {
        id: uuid_req(r, 0)?,
        entity_id: uuid_req(r, 1)?,
        task_type_id: uuid_opt(r, 2)?,
        task_status_id: uuid_opt(r, 3)?,
        priority: int_opt(r, 4)?,
        estimation: float_opt(r, 5)?,
        duration: float_opt(r, 6)?,
        retake_count: int_opt(r, 7)?,
        real_start_date: dt_opt(r, 8)?,
        end_date: dt_opt(r, 9)?,
        start_date: dt_opt(r, 10)?,
        due_date: dt_opt(r, 11)?,
        done_date: dt_opt(r, 12)?,
        last_comment_date: dt_opt(r, 13)?,
        last_preview_file_id: uuid_opt(r, 14)?,
        nb_assets_ready: int_opt(r, 15)?,
        difficulty: int_opt(r, 16)?,
        nb_drawings: int_opt(r, 17)?,
        data: data_opt(r, 18)?,
        assigner_id: uuid_opt(r, 19)?,
    })
}

fn bind_ids(
    stmt: &mut rusqlite::Statement<'_>,
    from: usize,
    ids: &[Uuid],
) -> Result<(), StoreError> {
    for (i, a) in ids.iter().enumerate() {
        stmt.raw_bind_parameter(from + i, &a.as_bytes()[..])
            .map_err(lite)?;
    }
    Ok(())
}

impl BoardSql {
    /// The board's entities in order, each handed to `each` with its tasks
    /// (`tasks_of`: one entity's tasks, the entity bound first) and the
    /// board's assignees (read first; columns as with_tasks.rs selects
    /// them: ENTITY_COLS, TASK_COLS, the assignee links).
    pub(crate) fn walk(
        &self,
        conn: &Connection,
        tasks_of: &(String, Vec<Uuid>),
        each: &mut EntityVisitor<'_>,
    ) -> Result<(), StoreError> {
        let mut assignees: Assignees = HashMap::new();
        let mut links = query(conn, &self.assignees, |r| {
            Ok((uuid_req(r, 0)?, uuid_req(r, 1)?, int_opt(r, 2)?))
        })?;
        // Each task's assignees in link order.
        links.sort_unstable_by_key(|l| l.2);
        for (task, person, _) in links {
            assignees.entry(task).or_default().push(person);
        }
        let mut task_stmt = conn.prepare_cached(&tasks_of.0).map_err(lite)?;
        let mut stmt = conn.prepare_cached(&self.entities.0).map_err(lite)?;
        bind_ids(&mut stmt, 1, &self.entities.1)?;
        let mut rows = stmt.raw_query();
        let mut tasks = Vec::new();
        while let Some(r) = rows.next().map_err(lite)? {
            let e = entity_row(r)?;
            tasks.clear();
            task_stmt
                .raw_bind_parameter(1, &e.id.as_bytes()[..])
                .map_err(lite)?;
            bind_ids(&mut task_stmt, 2, &tasks_of.1)?;
            let mut trs = task_stmt.raw_query();
            while let Some(t) = trs.next().map_err(lite)? {
                tasks.push(task_row(t)?);
            }
            drop(trs);
            each(&e, &tasks, &assignees)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_times_parse_as_sqlx_reads_them() {
        let d = NaiveDate::from_ymd_opt(2024, 6, 5).unwrap();
        assert_eq!(
            parse_datetime("2024-06-05 10:11:12"),
            d.and_hms_opt(10, 11, 12)
        );
        assert_eq!(
            parse_datetime("2024-06-05T10:11:12.345"),
            d.and_hms_milli_opt(10, 11, 12, 345)
        );
        assert_eq!(
            parse_datetime("2024-06-05 10:11:12.000001"),
            d.and_hms_micro_opt(10, 11, 12, 1)
        );
        assert_eq!(
            parse_datetime("2024-06-05 10:11:12+00:00"),
            d.and_hms_opt(10, 11, 12)
        );
        assert_eq!(parse_datetime("2024-13-05 10:11:12"), None);
        assert_eq!(parse_datetime("yesterday"), None);
    }

    /// The two readers of a schedule request must agree: a write that
    /// commits after both began (here, from another connection while `f`
    /// runs) is seen by neither, and each sees the state before it.
    #[test]
    fn two_readers_share_one_snapshot_and_ignore_later_writes() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("two.sqlite");
        let writer = Connection::open(&file).unwrap();
        writer
            .execute_batch(
                "PRAGMA journal_mode=WAL; CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);",
            )
            .unwrap();
        let count = |c: &Connection| -> i64 {
            c.query_row("SELECT count(*) FROM t", [], |r| r.get(0))
                .unwrap()
        };
        let writes = tokio::sync::Mutex::new(());
        let seen = with_two_readers(&file, &writes, |a, b| {
            writer.execute("INSERT INTO t VALUES (2)", []).unwrap();
            Ok((count(a), count(b)))
        })
        .unwrap();
        assert_eq!(seen, (1, 1));
        assert_eq!(count(&writer), 2);
        // The kept readers start a new transaction next time: they see it.
        let seen = with_two_readers(&file, &writes, |a, b| Ok((count(a), count(b)))).unwrap();
        assert_eq!(seen, (2, 2));
    }
}
