//! Zou's live events (issue 15): the Socket.IO endpoint that gazu.events
//! and Kitsu's front end connect to, and the event bus that writes publish
//! on.
//!
//! * **Endpoint.** `/socket.io` (Engine.IO v4, polling and WebSocket, by
//!   socketioxide), namespace `/events`. A connection is accepted as Zou's
//!   event stream accepts it: the Kitsu cookie or the `Authorization:
//!   Bearer` header of the handshake request (gazu.events sends the
//!   header), else `{"token": ...}` in the socket.io auth payload (Kitsu's
//!   front end). A refused one gets Zou's reason in its `connect_error`.
//! * **Rooms.** Zou emits every event to the whole `/events` namespace (its
//!   publisher has no room; Kitsu filters by `project_id`), so Fennec
//!   does too. Zou's only rooms are the review rooms of playlists, which
//!   Fennec does not model yet.
//! * **Bus.** A write calls [`emit`] inside its transaction: the event is a
//!   row of Zou's event log (`api_events`) and, on PostgreSQL, a NOTIFY
//!   sent at commit to every replica (fennec-store's events.rs). So an
//!   event goes out only once its change committed, in commit order, and
//!   never for a rollback. One dispatcher task per server sends them to its
//!   connected clients.
//! * **Load.** Each client's queue holds at most [`CLIENT_BUFFER`] packets;
//!   an event for a full queue is dropped for that client and counted
//!   ([`Stats`]), so a slow or vanished client never slows the dispatcher,
//!   and writes never wait for it at all.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use axum::http::{header, request::Parts};
use axum::Router;
use fennec_store::events::{self as store, Event};
use fennec_store::Db;
use serde_json::{Map, Value};
use socketioxide::extract::{SocketRef, TryData};
use socketioxide::handler::ConnectHandler;
use socketioxide::{BroadcastError, SocketError, SocketIo};
use uuid::Uuid;

use crate::error::ApiError;
use crate::AppState;

/// Packets queued per client before events for it are dropped.
pub const CLIENT_BUFFER: usize = 1024;

/// What the dispatcher did, for logs and the benchmark.
#[derive(Debug, Default)]
pub struct Stats {
    pub delivered: AtomicU64,
    pub dropped: AtomicU64,
}

/// Records an event of Zou's name and payload in the write's transaction.
/// `data` is Zou's payload before `project_id`, which is appended as
/// Zou's `events.emit` appends it (only when the event has one).
pub async fn emit(
    exec: &mut impl fennec_store::db::Exec,
    author: Option<Uuid>,
    name: &str,
    data: Value,
    project_id: Option<Uuid>,
) -> Result<(), ApiError> {
    let mut map = match data {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    if let Some(p) = project_id {
        map.insert("project_id".into(), Value::String(p.to_string()));
    }
    store::record(exec, name, &map, author, project_id).await?;
    Ok(())
}

/// Mounts `/socket.io` on the router and starts this server's dispatcher.
/// The dispatcher stops when the router is dropped.
pub fn mount(router: Router, state: &AppState) -> Router {
    let stats = Arc::new(Stats::default());
    // One service for the path, not a layer: axum applies a layer to each
    // route separately, and each copy would keep its own sessions.
    let (service, io) = SocketIo::builder()
        .max_buffer_size(CLIENT_BUFFER)
        .build_svc();
    let st = state.clone();
    let authenticate = move |s: SocketRef, TryData(auth): TryData<Value>| {
        let st = st.clone();
        async move { authenticate(&st, s.req_parts(), auth.ok().as_ref()).await }
    };
    // python-socketio clients (gazu.events) also join the main namespace,
    // which python-socketio servers always serve; no event is sent there.
    io.ns("/", on_connect.with(authenticate.clone()));
    io.ns("/events", on_connect.with(authenticate));
    let alive = Arc::new(());
    if tokio::runtime::Handle::try_current().is_ok() {
        tokio::spawn(dispatch(
            io,
            state.db.clone(),
            Arc::downgrade(&alive),
            stats.clone(),
        ));
    }
    router
        .route_service("/socket.io", service)
        .layer(axum::Extension(Arc::new(Alive(alive, stats))))
}

/// Held by the router: the dispatcher lives as long as a copy of it.
#[allow(dead_code)]
struct Alive(Arc<()>, Arc<Stats>);

async fn on_connect(_socket: SocketRef) {}

/// Zou's event stream's authentication (its socket_auth): the handshake
/// request's cookie or header first, else the auth payload's token; the
/// token must be a valid, unrevoked access token of an active person.
/// The messages are Zou's `auth_error_message`.
async fn authenticate(state: &AppState, parts: &Parts, auth: Option<&Value>) -> Result<(), String> {
    let token = request_token(parts)
        .or_else(|| {
            auth.and_then(|a| a.get("token"))
                .and_then(Value::as_str)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
        })
        .ok_or_else(|| {
            "Missing access token: send the Kitsu cookie, an Authorization header, or \
             {\"token\": \"<access token>\"} in the socket.io auth payload."
                .to_owned()
        })?;
    let claims = state.keys.verify(&token).map_err(|e| {
        let m = e.body.get("message").and_then(Value::as_str).unwrap_or("");
        if m == fennec_api::error::JWT_EXPIRED {
            "Access token expired.".to_owned()
        } else {
            "Invalid access token.".to_owned()
        }
    })?;
    if claims.kind != "access" {
        return Err("A refresh token was given: send the access token.".into());
    }
    let id = claims
        .person_id()
        .ok_or_else(|| "Invalid access token.".to_owned())?;
    let identity = async {
        let mut conn = state.db.conn().await?;
        fennec_store::persons::token_identity(&mut conn, id, &claims.jti).await
    };
    match identity.await {
        Ok((_, true)) => Err("Access token revoked.".into()),
        Ok((None, _)) => Err("Unknown account.".into()),
        Ok((Some((_, false)), _)) => Err("Inactive account.".into()),
        Ok((Some((_, true)), false)) => Ok(()),
        Err(e) => Err(format!("Invalid access token. ({e})")),
    }
}

/// The access token of the handshake request: Kitsu's cookie, else the
/// `Authorization: Bearer` header (flask-jwt-extended's order).
fn request_token(parts: &Parts) -> Option<String> {
    for cookie in parts.headers.get_all(header::COOKIE) {
        let Ok(cookie) = cookie.to_str() else {
            continue;
        };
        for pair in cookie.split(';') {
            if let Some(("access_token_cookie", v)) = pair.trim().split_once('=') {
                return Some(v.to_owned());
            }
        }
    }
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    value
        .split(',')
        .map(str::trim)
        .find_map(|h| match h.split_whitespace().collect::<Vec<_>>()[..] {
            ["Bearer", t] => Some(t.to_owned()),
            _ => None,
        })
}

/// Sends the committed events to this server's clients, in commit order.
async fn dispatch(io: SocketIo, db: Db, alive: Weak<()>, stats: Arc<Stats>) {
    let result = match &db {
        Db::Postgres(pool) => listen_postgres(&io, &db, pool.clone(), &alive, &stats).await,
        Db::Sqlite(..) => follow_sqlite(&io, &db, &alive, &stats).await,
    };
    if let Err(e) = result {
        tracing::error!(error = %e, "live events stopped");
    }
}

async fn follow_sqlite(
    io: &SocketIo,
    db: &Db,
    alive: &Weak<()>,
    stats: &Stats,
) -> Result<(), fennec_store::StoreError> {
    let mut last = {
        let mut conn = db.conn().await?;
        store::last_seq(&mut conn).await?
    };
    while alive.strong_count() > 0 {
        // Armed before the read, so a commit during the read is not missed.
        let woken = store::commits().notified();
        tokio::pin!(woken);
        woken.as_mut().enable();
        let events = {
            let mut conn = db.conn().await?;
            store::after(&mut conn, last, 500).await?
        };
        for e in &events {
            send(io, e, stats).await;
            last = e.seq;
        }
        if events.is_empty() {
            let _ = tokio::time::timeout(Duration::from_secs(1), woken).await;
        }
    }
    Ok(())
}

async fn listen_postgres(
    io: &SocketIo,
    db: &Db,
    pool: sqlx::PgPool,
    alive: &Weak<()>,
    stats: &Stats,
) -> Result<(), fennec_store::StoreError> {
    let mut listener = sqlx::postgres::PgListener::connect_with(&pool).await?;
    listener.listen(store::CHANNEL).await?;
    while alive.strong_count() > 0 {
        let next = tokio::time::timeout(Duration::from_secs(1), listener.try_recv()).await;
        match next {
            Err(_) => continue,
            Ok(Ok(Some(n))) => {
                let mut conn = db.conn().await?;
                if let Some(e) = store::from_notify(&mut conn, n.payload()).await? {
                    send(io, &e, stats).await;
                }
            }
            // The connection was lost and is re-established by the next
            // call: what was notified meanwhile is not delivered.
            Ok(Ok(None)) => tracing::warn!("live events: PostgreSQL listener reconnecting"),
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "live events: PostgreSQL listener error");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
    Ok(())
}

async fn send(io: &SocketIo, e: &Event, stats: &Stats) {
    let Some(ns) = io.of("/events") else {
        return;
    };
    let clients = ns.clone().sockets().len() as u64;
    match ns.emit(&e.name, &e.data).await {
        Ok(()) => {
            stats.delivered.fetch_add(clients, Ordering::Relaxed);
        }
        Err(BroadcastError::Socket(errors)) => {
            let full = errors
                .iter()
                .filter(|e| matches!(e, SocketError::InternalChannelFull))
                .count() as u64;
            let total = stats.dropped.fetch_add(full, Ordering::Relaxed) + full;
            stats.delivered.fetch_add(
                clients.saturating_sub(errors.len() as u64),
                Ordering::Relaxed,
            );
            if full > 0 {
                tracing::warn!(
                    event = %e.name,
                    dropped = full,
                    dropped_total = total,
                    "live events: slow clients' queues full, event dropped for them"
                );
            }
        }
        Err(err) => tracing::warn!(event = %e.name, error = %err, "live events: cannot send"),
    }
}

/// Zou's events for a new comment, in Zou's order: `comment:new`
/// (new_comment), then `task:update` (update_task, run on every comment),
/// then `task:status-changed` and, for a feedback request,
/// `task:to-review` (_manage_status_change).
pub async fn on_new_comment(
    exec: &mut impl fennec_store::db::Exec,
    caller: Uuid,
    c: &crate::comments::CreatedComment,
) -> Result<(), ApiError> {
    let project = c.project_id;
    let s = |u: Uuid| Value::String(u.to_string());
    let previous = c.previous_task_status_id.map_or(Value::Null, s);
    let comment = serde_json::json!({
        "comment_id": s(c.comment_id),
        "task_id": s(c.task_id),
        "task_status_id": s(c.task_status_id),
        "person_id": s(c.author_id),
        "for_client": c.for_client,
    });
    emit(exec, Some(caller), "comment:new", comment, project).await?;
    task_updated(exec, Some(caller), c.task_id, project).await?;
    if c.status_changed {
        let changed = serde_json::json!({
            "task_id": s(c.task_id),
            "new_task_status_id": s(c.task_status_id),
            "previous_task_status_id": previous.clone(),
            "person_id": s(c.author_id),
        });
        emit(exec, Some(caller), "task:status-changed", changed, project).await?;
        let status = fennec_store::rows::get(
            exec,
            &fennec_api::models::TASK_STATUS,
            c.task_status_id,
            false,
        )
        .await?;
        let feedback = status
            .as_ref()
            .and_then(|r| r.get("is_feedback_request"))
            .and_then(Value::as_bool)
            == Some(true);
        if feedback {
            let review = serde_json::json!({
                "task_id": s(c.task_id),
                "new_task_status_id": s(c.task_status_id),
                "previous_task_status_id": previous,
                "person_id": s(c.author_id),
                "comment_id": s(c.comment_id),
            });
            emit(exec, Some(caller), "task:to-review", review, project).await?;
        }
    }
    Ok(())
}

/// Zou's `task:update` (`{"task_id"}`, emitted by update_task and the
/// time-spent writes).
pub async fn task_updated(
    exec: &mut impl fennec_store::db::Exec,
    caller: Option<Uuid>,
    task_id: Uuid,
    project_id: Option<Uuid>,
) -> Result<(), ApiError> {
    let data = serde_json::json!({ "task_id": task_id.to_string() });
    emit(exec, caller, "task:update", data, project_id).await
}

/// Zou's `<kind>:new` for an entity its services create (shots_service,
/// assets_service, edits_service), with their payloads.
pub async fn entity_created(
    exec: &mut impl fennec_store::db::Exec,
    caller: Uuid,
    kind: &str,
    row: &Map<String, Value>,
) -> Result<(), ApiError> {
    let field = |k: &str| row.get(k).cloned().unwrap_or(Value::Null);
    let id = field("id");
    let project = crate::present::uuid_field(row, "project_id");
    let data = match kind {
        "Episode" => serde_json::json!({ "episode_id": id }),
        "Sequence" => serde_json::json!({ "sequence_id": id }),
        "Scene" => serde_json::json!({ "scene_id": id }),
        "Edit" => serde_json::json!({ "edit_id": id, "parent_id": field("parent_id") }),
        "Asset" => serde_json::json!({ "asset_id": id, "asset_type": field("entity_type_id") }),
        "Shot" => {
            // The shot's episode: its sequence's parent (none without a
            // sequence, as Zou allows).
            let episode = match crate::present::uuid_field(row, "parent_id") {
                Some(seq) => fennec_store::rows::get(exec, &fennec_api::models::ENTITY, seq, false)
                    .await?
                    .and_then(|s| s.get("parent_id").cloned())
                    .unwrap_or(Value::Null),
                None => Value::Null,
            };
            serde_json::json!({ "shot_id": id, "episode_id": episode })
        }
        _ => return Ok(()),
    };
    let name = format!("{}:new", kind.to_lowercase());
    emit(exec, Some(caller), &name, data, project).await
}

/// Zou's generic CRUD events (`emit_create_event` and its siblings):
/// `<table>:<action>` with `{"<table>_id"}`, the table being the Zou
/// model's (`task-type:new`, `metadata-descriptor:update`, ...); an
/// entity's are named after its kind (`shot:update`, `asset:delete`).
pub async fn crud(
    exec: &mut impl fennec_store::db::Exec,
    caller: Uuid,
    model: &fennec_api::models::Model,
    action: &str,
    row: &Map<String, Value>,
) -> Result<(), ApiError> {
    // Zou's EntityEventMixin names an entity's events after its kind
    // (`shot:update`, `concept-folder:delete`, any asset type `asset:`).
    let table = if std::ptr::eq(model, &fennec_api::models::ENTITY) {
        let types = crate::present::EntityTypes::load(exec).await?;
        let kind = crate::present::uuid_field(row, "entity_type_id").map_or("Asset", |t| {
            match (types.name(t), types.kind(t)) {
                (Some("ConceptFolder"), _) => "ConceptFolder",
                (_, "Entity") => "Asset",
                (_, k) => k,
            }
        });
        zou_table(kind)
    } else {
        zou_table(model.type_name)
    };
    let data =
        serde_json::json!({ format!("{table}_id"): row.get("id").cloned().unwrap_or(Value::Null) });
    let project = crate::present::uuid_field(row, "project_id");
    let name = format!("{}:{action}", table.replace('_', "-"));
    emit(exec, Some(caller), &name, data, project).await
}

/// SQLAlchemy's table name of a Zou model class (AssetType is Zou's
/// EntityType model).
fn zou_table(type_name: &str) -> String {
    let type_name = if type_name == "AssetType" {
        "EntityType"
    } else {
        type_name
    };
    let mut out = String::new();
    for (i, ch) in type_name.chars().enumerate() {
        if ch.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(ch.to_ascii_lowercase());
        } else {
            out.push(ch);
        }
    }
    out
}

/// Zou's assign_task: `task:assign` (`{"task_id", "person_id"}`), then
/// `task:update`.
pub async fn task_assigned(
    exec: &mut impl fennec_store::db::Exec,
    caller: Uuid,
    task: &Map<String, Value>,
    person: Uuid,
) -> Result<(), ApiError> {
    let Some(task_id) = crate::present::uuid_field(task, "id") else {
        return Ok(());
    };
    let project = crate::present::uuid_field(task, "project_id");
    let data = serde_json::json!({
        "task_id": task_id.to_string(),
        "person_id": person.to_string(),
    });
    emit(exec, Some(caller), "task:assign", data, project).await?;
    task_updated(exec, Some(caller), task_id, project).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(seq: i64) -> Event {
        Event {
            seq,
            name: "task:update".into(),
            data: serde_json::json!({ "task_id": seq.to_string() }),
        }
    }

    /// A client that does not read fills its bounded queue: further events
    /// are dropped for it and counted, and `send` never waits for it.
    #[tokio::test]
    async fn a_client_that_does_not_read_loses_events_and_they_are_counted() {
        const BOUND: usize = 4;
        let (_svc, io) = SocketIo::builder().max_buffer_size(BOUND).build_svc();
        io.ns("/events", on_connect);
        let (_tx, mut rx) = io.new_dummy_sock("/events", ()).await;
        let stats = Stats::default();
        let sent = 20;
        let started = std::time::Instant::now();
        for seq in 0..sent {
            send(&io, &event(seq), &stats).await;
        }
        assert!(started.elapsed() < Duration::from_secs(1));
        let delivered = stats.delivered.load(Ordering::Relaxed);
        let dropped = stats.dropped.load(Ordering::Relaxed);
        assert_eq!(delivered + dropped, sent as u64);
        assert!(
            delivered <= BOUND as u64,
            "{delivered} queued past the bound"
        );
        assert!(dropped >= (sent as u64) - BOUND as u64);

        // Once it reads again, it gets the next events.
        // The dummy socket forwards its queue to `rx` from a task: let it run.
        for _ in 0..10 {
            tokio::time::sleep(Duration::from_millis(20)).await;
            while rx.try_recv().is_ok() {}
        }
        send(&io, &event(sent), &stats).await;
        assert_eq!(stats.delivered.load(Ordering::Relaxed), delivered + 1);
        assert_eq!(stats.dropped.load(Ordering::Relaxed), dropped);
    }
}
