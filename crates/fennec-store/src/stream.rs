//! Large lists streamed as JSON bytes straight from the database cursor.
//!
//! A whole project's task list (150 000 tasks) would take hundreds of MB as
//! JSON maps; here each row is written to a byte buffer as it arrives, with
//! no intermediate JSON values, and the buffer is handed over every 64 KiB,
//! so memory does not grow with the size of the answer. A relation list (a
//! task's `assignees`) is read first, as pairs of ids, and written in its
//! column's place.

use std::collections::HashMap;
use std::io::Write;

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use fennec_api::models::{Kind, Model, Wire};
use futures_util::TryStreamExt;
use serde_json::Value;
use sqlx::types::Json;
use sqlx::Row as _;
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::db::Db;
use crate::links::Link;
use crate::rows::Select;
use crate::{on, StoreError};

const CHUNK: usize = 64 * 1024;

/// A relation list to inline in place of its model column.
#[derive(Clone, Copy, Debug)]
pub struct Inline {
    pub key: &'static str,
    pub link: Link,
}

/// Streams `[row, row, …]` for `select` on `model`. Errors after the first
/// chunk can only end the stream early (the status line is already sent);
/// they are logged by the caller.
pub fn json_array(
    db: Db,
    model: &'static Model,
    select: Select,
    inline: Option<Inline>,
) -> mpsc::Receiver<Result<Vec<u8>, StoreError>> {
    if let Some(file) = db.sqlite_file() {
        let (tx, rx) = mpsc::channel(4);
        // SQLite on a blocking cursor: sqlx hands SQLite rows over one by
        // one from its worker thread, which cost more than the JSON.
        tokio::task::spawn_blocking(move || {
            let result = crate::sqlite_stream::produce(&file, model, &select, inline, &tx);
            if let Err(e) = result {
                let _ = tx.blocking_send(Err(e));
            }
        });
        return rx;
    }
    json_array_pooled(db, model, select, inline)
}

/// [`json_array`] read through the pool (what PostgreSQL and in-memory
/// SQLite take); public so that a test can compare it with the cursor.
pub fn json_array_pooled(
    db: Db,
    model: &'static Model,
    select: Select,
    inline: Option<Inline>,
) -> mpsc::Receiver<Result<Vec<u8>, StoreError>> {
    let (tx, rx) = mpsc::channel(4);
    tokio::spawn(async move {
        let result = produce(&db, model, &select, inline, &tx).await;
        if let Err(e) = result {
            let _ = tx.send(Err(e)).await;
        }
    });
    rx
}

fn io(e: std::io::Error) -> StoreError {
    StoreError::Config(e.to_string())
}

/// Writes a column's value as Zou's JSON, decoding straight from the row.
pub(crate) trait WriteColumn {
    fn write_column(&self, buf: &mut Vec<u8>, idx: usize, kind: Kind) -> Result<(), StoreError>;
    /// The row's id, read at `idx`, to look its inlined relation up.
    fn id_at(&self, idx: usize) -> Result<Option<Uuid>, StoreError>;
}

pub(crate) fn write_uuid(buf: &mut Vec<u8>, u: &Uuid) {
    let mut tmp = [0u8; 36];
    buf.push(b'"');
    buf.extend_from_slice(u.hyphenated().encode_lower(&mut tmp).as_bytes());
    buf.push(b'"');
}

pub(crate) fn write_datetime(buf: &mut Vec<u8>, d: &NaiveDateTime) -> Result<(), StoreError> {
    write!(
        buf,
        "\"{:04}-{:02}-{:02}T{:02}:{:02}:{:02}\"",
        d.year(),
        d.month(),
        d.day(),
        d.hour(),
        d.minute(),
        d.second()
    )
    .map_err(io)
}

pub(crate) fn write_date(buf: &mut Vec<u8>, d: &NaiveDate) -> Result<(), StoreError> {
    write!(buf, "\"{:04}-{:02}-{:02}\"", d.year(), d.month(), d.day()).map_err(io)
}

pub(crate) fn write_json<T: serde::Serialize>(buf: &mut Vec<u8>, v: &T) -> Result<(), StoreError> {
    serde_json::to_writer(buf, v).map_err(|e| StoreError::Config(e.to_string()))
}

macro_rules! write_column_for {
    ($row:ty) => {
        impl WriteColumn for $row {
            fn write_column(
                &self,
                buf: &mut Vec<u8>,
                idx: usize,
                kind: Kind,
            ) -> Result<(), StoreError> {
                macro_rules! or_null {
                    ($t:ty, $w:expr) => {
                        match self.try_get::<Option<$t>, _>(idx)? {
                            Some(v) => $w(buf, &v),
                            None => {
                                buf.extend_from_slice(b"null");
                                Ok(())
                            }
                        }
                    };
                }
                match kind {
                    Kind::Uuid => or_null!(Uuid, |b: &mut Vec<u8>, v: &Uuid| {
                        write_uuid(b, v);
                        Ok(())
                    }),
                    Kind::Text => or_null!(String, |b: &mut Vec<u8>, v: &String| write_json(b, v)),
                    Kind::Bool => or_null!(bool, |b: &mut Vec<u8>, v: &bool| write_json(b, v)),
                    Kind::Int => or_null!(i64, |b: &mut Vec<u8>, v: &i64| write_json(b, v)),
                    Kind::Float => or_null!(f64, |b: &mut Vec<u8>, v: &f64| write_json(b, v)),
                    Kind::DateTime => or_null!(NaiveDateTime, write_datetime),
                    Kind::Date => or_null!(NaiveDate, write_date),
                    Kind::Json => or_null!(Json<Value>, |b: &mut Vec<u8>, v: &Json<Value>| {
                        write_json(b, &v.0)
                    }),
                }
            }

            fn id_at(&self, idx: usize) -> Result<Option<Uuid>, StoreError> {
                Ok(self.try_get(idx)?)
            }
        }
    };
}

write_column_for!(sqlx::sqlite::SqliteRow);
write_column_for!(sqlx::postgres::PgRow);

pub(crate) fn write_ids(buf: &mut Vec<u8>, ids: Option<&Vec<Uuid>>) {
    buf.push(b'[');
    for (i, id) in ids.into_iter().flatten().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        write_uuid(buf, id);
    }
    buf.push(b']');
}

pub(crate) fn write_key(buf: &mut Vec<u8>, key: &str) {
    buf.push(b'"');
    buf.extend_from_slice(key.as_bytes());
    buf.extend_from_slice(b"\":");
}

/// The SQL of the stream: the linked pairs (when a relation is inlined)
/// and the rows, with the position of `id` among the selected columns.
pub(crate) struct Plan {
    pub links_sql: Option<String>,
    pub rows_sql: String,
    pub args: Vec<crate::value::SqlValue>,
    pub idx_of_id: usize,
    type_tail: Vec<u8>,
}

impl Plan {
    pub(crate) fn new(
        model: &'static Model,
        select: &Select,
        inline: Option<Inline>,
        sqlite: bool,
    ) -> Result<Plan, StoreError> {
        let (where_sql, args) = crate::rows::where_sql(&select.filters, sqlite, "t.");
        let links_sql = inline.map(|i| {
            format!(
                "SELECT l.{left}, l.{right} FROM {tab} l JOIN {model} t ON t.id = l.{left}{where_sql} \
                 ORDER BY l.seq",
                left = i.link.left,
                right = i.link.right,
                tab = i.link.table,
                model = model.table,
            )
        });
        let cols: Vec<_> = model
            .columns
            .iter()
            .filter(|c| c.wire == Wire::Shown)
            .collect();
        let idx_of_id = cols.iter().position(|c| c.name == "id").unwrap_or(0);
        let list: Vec<String> = cols.iter().map(|c| format!("t.\"{}\"", c.name)).collect();
        let rows_sql = format!(
            "SELECT {} FROM {} t{} ORDER BY t.seq",
            list.join(", "),
            model.table,
            where_sql
        );
        let mut type_tail = Vec::new();
        type_tail.extend_from_slice(b",\"type\":");
        write_json(&mut type_tail, &model.type_name)?;
        type_tail.push(b'}');
        Ok(Plan {
            links_sql,
            rows_sql,
            args,
            idx_of_id,
            type_tail,
        })
    }
}

/// Writes one row as Zou's JSON object (the model's shown columns in
/// order, the inlined relation in its column's place, then `type`).
pub(crate) fn write_row<R: WriteColumn>(
    buf: &mut Vec<u8>,
    model: &'static Model,
    plan: &Plan,
    inline: Option<Inline>,
    linked: &HashMap<Uuid, Vec<Uuid>>,
    row: &R,
) -> Result<(), StoreError> {
    buf.push(b'{');
    let mut idx = 0;
    let mut need_comma = false;
    for col in model.columns {
        match col.wire {
            Wire::Shown => {
                if need_comma {
                    buf.push(b',');
                }
                need_comma = true;
                write_key(buf, col.name);
                row.write_column(buf, idx, col.kind)?;
                idx += 1;
            }
            Wire::Relation if inline.is_some_and(|i| i.key == col.name) => {
                if need_comma {
                    buf.push(b',');
                }
                need_comma = true;
                write_key(buf, col.name);
                let id = row.id_at(plan.idx_of_id)?;
                write_ids(buf, id.and_then(|id| linked.get(&id)));
            }
            _ => {}
        }
    }
    buf.extend_from_slice(&plan.type_tail);
    Ok(())
}

async fn produce(
    db: &Db,
    model: &'static Model,
    select: &Select,
    inline: Option<Inline>,
    tx: &mpsc::Sender<Result<Vec<u8>, StoreError>>,
) -> Result<(), StoreError> {
    let mut conn = db.conn().await?;
    let plan = Plan::new(model, select, inline, db.is_sqlite())?;

    // The linked ids of the selected rows, in link order.
    let mut linked: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    if let Some(sql) = &plan.links_sql {
        let pairs: Vec<(Uuid, Uuid)> = on!(&mut conn, c => {
            let mut q = sqlx::query_as(sql);
            for a in &plan.args {
                q = crate::rows::bind_as(q, a);
            }
            q.fetch_all(&mut *c).await?
        });
        for (l, r) in pairs {
            linked.entry(l).or_default().push(r);
        }
    }

    let mut buf = Vec::with_capacity(CHUNK + 4096);
    buf.push(b'[');
    let mut first = true;
    on!(&mut conn, c => {
        let mut q = sqlx::query(&plan.rows_sql);
        for a in &plan.args {
            q = crate::rows::bind_any(q, a);
        }
        let mut rows = q.fetch(&mut *c);
        while let Some(row) = rows.try_next().await? {
            if !first {
                buf.push(b',');
            }
            first = false;
            write_row(&mut buf, model, &plan, inline, &linked, &row)?;
            if buf.len() >= CHUNK {
                let chunk = std::mem::replace(&mut buf, Vec::with_capacity(CHUNK + 4096));
                if tx.send(Ok(chunk)).await.is_err() {
                    // The client went away.
                    return Ok(());
                }
            }
        }
    });
    buf.push(b']');
    let _ = tx.send(Ok(buf)).await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_written_as_zou_shows_them() {
        let mut b = Vec::new();
        let d = NaiveDate::from_ymd_opt(2024, 1, 9).unwrap();
        write_datetime(&mut b, &d.and_hms_opt(7, 5, 3).unwrap()).unwrap();
        b.push(b' ');
        write_date(&mut b, &d).unwrap();
        b.push(b' ');
        write_json(&mut b, &1440.0f64).unwrap();
        b.push(b' ');
        write_ids(&mut b, Some(&vec![Uuid::nil()]));
        assert_eq!(
            String::from_utf8(b).unwrap(),
            "\"2024-01-09T07:05:03\" \"2024-01-09\" 1440.0 [\"00000000-0000-0000-0000-000000000000\"]"
        );
    }
}
