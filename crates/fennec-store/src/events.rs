//! Zou's events (`api_event`): written in the write's transaction, read by
//! the live-event dispatcher and the event log.
//!
//! Delivery policy: an event exists once its transaction commits, never
//! before and never for a rollback. On PostgreSQL the same transaction
//! sends a NOTIFY on [`CHANNEL`] that carries the event itself, so every
//! replica listening gets it at commit, in commit order (a BIGSERIAL `seq`
//! is not commit order across concurrent writers, the NOTIFY queue is). On
//! SQLite writes are serialised by the process's write lock, so `seq` is
//! commit order and the dispatcher reads the rows after the last it sent;
//! [`wake`] tells it a transaction just committed.

use std::sync::OnceLock;

use chrono::NaiveDateTime;
use serde_json::{Map, Value};
use tokio::sync::Notify;
use uuid::Uuid;

use crate::db::Exec;
use crate::{on, Result};

/// The PostgreSQL NOTIFY channel of Fennec's events.
pub const CHANNEL: &str = "fennec_events";

/// NOTIFY payloads are limited to 8000 bytes: a bigger event is announced
/// by its `seq` and read from the table by the listener.
const MAX_NOTIFY: usize = 7000;

/// Events Zou emits with `persist=False`: live signals that its event log
/// never lists (the notification, the chat message or the link row is the
/// record). Fennec still writes them to `api_events`, which is how they
/// reach every replica at commit, and leaves them out of the log.
pub const NOT_LOGGED: &[&str] = &[
    "notification:new",
    "comment:acknowledge",
    "comment:unacknowledge",
    "comment:delete-reply",
    "chat:joined",
    "chat:left",
    "chat:new-message",
    "chat:deleted-message",
    "task:update-casting-stats",
];

/// One event as the live clients get it.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub seq: i64,
    pub name: String,
    pub data: Value,
}

pub fn commits() -> &'static Notify {
    static N: OnceLock<Notify> = OnceLock::new();
    N.get_or_init(Notify::new)
}

/// Called after a SQLite commit: wakes the in-process dispatchers.
pub fn wake() {
    commits().notify_waiters();
}

/// Waits for the next [`wake`].
pub async fn committed() {
    commits().notified().await;
}

/// Records an event in the current transaction. `data` is Zou's payload,
/// `project_id` already in it when the event has one.
pub async fn record(
    exec: &mut impl Exec,
    name: &str,
    data: &Map<String, Value>,
    user_id: Option<Uuid>,
    project_id: Option<Uuid>,
) -> Result<()> {
    let text = Value::Object(data.clone()).to_string();
    let now = fennec_api::time::now();
    let id = Uuid::new_v4();
    let sql =
        "INSERT INTO api_events (name, user_id, project_id, data, id, created_at, updated_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING seq";
    let seq: i64 = on!(exec, c => sqlx::query_scalar(sql)
        .bind(name).bind(user_id).bind(project_id).bind(&text).bind(id).bind(now)
        .fetch_one(&mut *c).await?);
    if let crate::db::Raw::Postgres(c) = exec.raw() {
        let mut payload =
            serde_json::json!({"seq": seq, "name": name, "data": Value::Object(data.clone())})
                .to_string();
        if payload.len() > MAX_NOTIFY {
            payload = serde_json::json!({ "seq": seq }).to_string();
        }
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(CHANNEL)
            .bind(payload)
            .execute(&mut *c)
            .await?;
    }
    Ok(())
}

/// The event a NOTIFY payload carries (reading it by `seq` when it was too
/// big to travel).
pub async fn from_notify(exec: &mut impl Exec, payload: &str) -> Result<Option<Event>> {
    let v: Value = match serde_json::from_str(payload) {
        Ok(v) => v,
        Err(_) => return Ok(None),
    };
    let Some(seq) = v.get("seq").and_then(Value::as_i64) else {
        return Ok(None);
    };
    if let (Some(name), Some(data)) = (v.get("name").and_then(Value::as_str), v.get("data")) {
        return Ok(Some(Event {
            seq,
            name: name.to_owned(),
            data: data.clone(),
        }));
    }
    let sql = "SELECT seq, name, data FROM api_events WHERE seq = $1";
    let row: Option<(i64, String, String)> =
        on!(exec, c => sqlx::query_as(sql).bind(seq).fetch_optional(&mut *c).await?);
    Ok(row.map(to_event))
}

fn to_event((seq, name, data): (i64, String, String)) -> Event {
    Event {
        seq,
        name,
        data: serde_json::from_str(&data).unwrap_or(Value::Null),
    }
}

/// When an event of the log was made (Zou's cursor).
pub async fn created_at(exec: &mut impl Exec, id: Uuid) -> Result<Option<NaiveDateTime>> {
    let sql = "SELECT created_at FROM api_events WHERE id = $1";
    Ok(on!(exec, c => sqlx::query_scalar(sql).bind(id).fetch_optional(&mut *c).await?))
}

/// The last event's `seq` (0 when there is none).
pub async fn last_seq(exec: &mut impl Exec) -> Result<i64> {
    let sql = "SELECT COALESCE(MAX(seq), 0) FROM api_events";
    Ok(on!(exec, c => sqlx::query_scalar(sql).fetch_one(&mut *c).await?))
}

/// Events after `seq`, oldest first (SQLite's in-process delivery).
pub async fn after(exec: &mut impl Exec, seq: i64, limit: i64) -> Result<Vec<Event>> {
    let sql = "SELECT seq, name, data FROM api_events WHERE seq > $1 ORDER BY seq LIMIT $2";
    let rows: Vec<(i64, String, String)> =
        on!(exec, c => sqlx::query_as(sql).bind(seq).bind(limit).fetch_all(&mut *c).await?);
    Ok(rows.into_iter().map(to_event).collect())
}

/// One row of the event log, in Zou's serialisation.
#[derive(Clone, Debug)]
pub struct Logged {
    pub id: Uuid,
    pub name: String,
    pub user_id: Option<Uuid>,
    pub project_id: Option<Uuid>,
    pub data: Value,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The names in the event log, sorted (Zou's `get_event_names`).
pub async fn names(exec: &mut impl Exec) -> Result<Vec<String>> {
    let hidden: Vec<String> = NOT_LOGGED.iter().map(|n| format!("'{n}'")).collect();
    let sql = format!(
        "SELECT DISTINCT name FROM api_events WHERE name NOT IN ({}) ORDER BY name",
        hidden.join(", ")
    );
    Ok(on!(exec, c => sqlx::query_scalar(&sql).fetch_all(&mut *c).await?))
}

/// Filters of Zou's `GET /data/events/last`.
#[derive(Clone, Debug, Default)]
pub struct LogFilter {
    pub after: Option<NaiveDateTime>,
    pub before: Option<NaiveDateTime>,
    pub project_id: Option<Uuid>,
    pub name: Option<String>,
    pub only_files: bool,
    pub cursor_created_at: Option<NaiveDateTime>,
    /// The productions a non-admin may read (events without one are left
    /// out, as Zou's `IN` leaves them).
    pub project_ids: Option<Vec<Uuid>>,
    /// Authors: any of them.
    pub person_ids: Vec<Uuid>,
    /// Objects (`task` for `task:*`) and actions (`new` for `*:new`): any
    /// of each list.
    pub name_prefixes: Vec<String>,
    pub name_suffixes: Vec<String>,
    pub limit: i64,
}

type LogRow = (
    Uuid,
    String,
    Option<Uuid>,
    Option<Uuid>,
    String,
    NaiveDateTime,
    NaiveDateTime,
);

/// The event log, newest first, as Zou's `get_last_events` filters it.
pub async fn last(exec: &mut impl Exec, f: &LogFilter) -> Result<Vec<Logged>> {
    let mut sql = String::from(
        "SELECT id, name, user_id, project_id, data, created_at, updated_at FROM api_events WHERE 1=1",
    );
    let mut n = 0;
    let mut next = || {
        n += 1;
        format!("${n}")
    };
    if f.after.is_some() {
        sql += &format!(" AND created_at > {}", next());
    }
    if f.before.is_some() {
        sql += &format!(" AND created_at < {}", next());
    }
    if f.cursor_created_at.is_some() {
        sql += &format!(" AND created_at < {}", next());
    }
    if f.project_id.is_some() {
        sql += &format!(" AND project_id = {}", next());
    }
    if f.name.is_some() {
        sql += &format!(" AND name = {}", next());
    }
    let any =
        |sql: &mut String, column: &str, op: &str, n: usize, next: &mut dyn FnMut() -> String| {
            if n > 0 {
                let marks: Vec<String> = (0..n)
                    .map(|_| format!("{column} {op} {}", next()))
                    .collect();
                *sql += &format!(" AND ({})", marks.join(" OR "));
            }
        };
    any(&mut sql, "user_id", "=", f.person_ids.len(), &mut next);
    any(&mut sql, "name", "LIKE", f.name_prefixes.len(), &mut next);
    any(&mut sql, "name", "LIKE", f.name_suffixes.len(), &mut next);
    if let Some(ids) = &f.project_ids {
        let marks: Vec<String> = ids.iter().map(|_| next()).collect();
        if marks.is_empty() {
            sql += " AND 1=0";
        } else {
            sql += &format!(" AND project_id IN ({})", marks.join(", "));
        }
    }
    let hidden: Vec<String> = NOT_LOGGED.iter().map(|n| format!("'{n}'")).collect();
    sql += &format!(" AND name NOT IN ({})", hidden.join(", "));
    if f.only_files {
        sql += " AND name IN ('preview-file:add-file', 'organisation:set-thumbnail', \
                'person:set-thumbnail', 'project:set-thumbnail')";
    }
    sql += &format!(" ORDER BY created_at DESC, seq DESC LIMIT {}", next());
    let rows: Vec<LogRow> = on!(exec, c => {
        let mut q = sqlx::query_as(&sql);
        if let Some(v) = f.after { q = q.bind(v); }
        if let Some(v) = f.before { q = q.bind(v); }
        if let Some(v) = f.cursor_created_at { q = q.bind(v); }
        if let Some(v) = f.project_id { q = q.bind(v); }
        if let Some(v) = &f.name { q = q.bind(v.clone()); }
        for id in &f.person_ids { q = q.bind(*id); }
        for p in &f.name_prefixes { q = q.bind(format!("{p}:%")); }
        for p in &f.name_suffixes { q = q.bind(format!("%:{p}")); }
        for id in f.project_ids.iter().flatten() { q = q.bind(*id); }
        q.bind(f.limit).fetch_all(&mut *c).await?
    });
    Ok(rows
        .into_iter()
        .map(
            |(id, name, user_id, project_id, data, created_at, updated_at)| Logged {
                id,
                name,
                user_id,
                project_id,
                data: serde_json::from_str(&data).unwrap_or(Value::Null),
                created_at,
                updated_at,
            },
        )
        .collect())
}
