//! Large lists streamed as JSON bytes straight from the database cursor.
//!
//! A whole project's task list (150 000 tasks) would take hundreds of MB as
//! JSON maps; here each row is written to a byte buffer as it arrives and
//! the buffer is handed over every 64 KiB, so memory does not grow with the
//! size of the answer. A relation list (a task's `assignees`) comes from a
//! correlated subquery in the same statement.

use fennec_api::models::{Model, Wire};
use futures_util::TryStreamExt;
use serde_json::Value;
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::db::Db;
use crate::links::Link;
use crate::rows::{decode_any, Select};
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
    let (tx, rx) = mpsc::channel(4);
    tokio::spawn(async move {
        let result = produce(&db, model, &select, inline, &tx).await;
        if let Err(e) = result {
            let _ = tx.send(Err(e)).await;
        }
    });
    rx
}

async fn produce(
    db: &Db,
    model: &'static Model,
    select: &Select,
    inline: Option<Inline>,
    tx: &mpsc::Sender<Result<Vec<u8>, StoreError>>,
) -> Result<(), StoreError> {
    let mut conn = db.conn().await?;
    let sqlite = db.is_sqlite();
    let cols: Vec<_> = model
        .columns
        .iter()
        .filter(|c| c.wire == Wire::Shown)
        .collect();
    let mut list: Vec<String> = cols.iter().map(|c| format!("t.\"{}\"", c.name)).collect();
    if let Some(i) = inline {
        // The linked ids as one comma-separated text, in link order.
        list.push(if sqlite {
            format!(
                "(SELECT group_concat(lower(hex({r})), ',') FROM (SELECT {r} FROM {tab} \
                 WHERE {l} = t.id ORDER BY seq))",
                r = i.link.right,
                tab = i.link.table,
                l = i.link.left
            )
        } else {
            format!(
                "(SELECT string_agg({r}::text, ',' ORDER BY seq) FROM {tab} WHERE {l} = t.id)",
                r = i.link.right,
                tab = i.link.table,
                l = i.link.left
            )
        });
    }
    let (where_sql, args) = crate::rows::where_sql(&select.filters, sqlite, "t.");
    let sql = format!(
        "SELECT {} FROM {} t{} ORDER BY t.seq",
        list.join(", "),
        model.table,
        where_sql
    );
    let mut buf = Vec::with_capacity(CHUNK + 4096);
    buf.push(b'[');
    let mut first = true;
    let n = cols.len();
    on!(&mut conn, c => {
        let mut q = sqlx::query(&sql);
        for a in &args {
            q = crate::rows::bind_any(q, a);
        }
        let mut rows = q.fetch(&mut *c);
        while let Some(row) = rows.try_next().await? {
            if !first {
                buf.push(b',');
            }
            first = false;
            buf.push(b'{');
            let mut idx = 0;
            let mut need_comma = false;
            for col in model.columns {
                let value = match col.wire {
                    Wire::Shown => {
                        let v = decode_any(&row, idx, col.kind)?;
                        idx += 1;
                        v
                    }
                    Wire::Relation if inline.is_some_and(|i| i.key == col.name) => {
                        let text: Option<String> = sqlx::Row::try_get(&row, n)?;
                        linked_ids(text.as_deref())
                    }
                    _ => continue,
                };
                if need_comma {
                    buf.push(b',');
                }
                need_comma = true;
                write_key(&mut buf, col.name);
                serde_json::to_writer(&mut buf, &value).map_err(|e| StoreError::Config(e.to_string()))?;
            }
            buf.extend_from_slice(b",\"type\":");
            serde_json::to_writer(&mut buf, model.type_name).map_err(|e| StoreError::Config(e.to_string()))?;
            buf.push(b'}');
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

fn write_key(buf: &mut Vec<u8>, key: &str) {
    buf.push(b'"');
    buf.extend_from_slice(key.as_bytes());
    buf.extend_from_slice(b"\":");
}

/// Ids from the subquery's text: UUIDs (PostgreSQL) or 32-digit hex
/// (SQLite), comma-separated.
fn linked_ids(text: Option<&str>) -> Value {
    let ids = text
        .unwrap_or("")
        .split(',')
        .filter(|s| !s.is_empty())
        .filter_map(|s| Uuid::parse_str(s).ok())
        .map(|u| Value::String(u.to_string()))
        .collect();
    Value::Array(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linked_ids_read_both_backends_text() {
        let u = Uuid::new_v4();
        let hex = u.simple().to_string();
        assert_eq!(linked_ids(Some(&hex)), serde_json::json!([u.to_string()]));
        let both = format!("{},{}", u, hex);
        assert_eq!(linked_ids(Some(&both)).as_array().unwrap().len(), 2);
        assert_eq!(linked_ids(None), serde_json::json!([]));
    }
}
