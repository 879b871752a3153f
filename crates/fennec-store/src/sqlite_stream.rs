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
use std::path::Path;

use fennec_api::models::{Kind, Model};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::rows::Select;
use crate::stream::{write_json, write_row, write_uuid, Inline, Plan, WriteColumn};
use crate::value::SqlValue;
use crate::StoreError;

const CHUNK: usize = 64 * 1024;

fn lite(e: rusqlite::Error) -> StoreError {
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
        match self.get_ref(idx).map_err(lite)? {
            ValueRef::Null => Ok(None),
            ValueRef::Blob(b) => Ok(Uuid::from_slice(b).ok()),
            ValueRef::Text(t) => Ok(Uuid::parse_str(text(t)?).ok()),
            v => Err(bad(Kind::Uuid, v)),
        }
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
    let conn = Connection::open_with_flags(
        file,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(lite)?;
    // The same 8 MiB page cache as the pool's connections (db.rs).
    conn.pragma_update(None, "cache_size", -8192)
        .map_err(lite)?;
    let plan = Plan::new(model, select, inline, true)?;
    // One read transaction: the links and the rows are of the same state.
    conn.execute_batch("BEGIN").map_err(lite)?;

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
