//! Zou's with-tasks boards (`/data/<kind>/with-tasks` for shots, sequences,
//! episodes, scenes, assets, edits and concepts, and an entity's linked
//! entities with their tasks), shared by the route modules that serve them.
//!
//! Policy: each board's rows are written straight to bytes as they are
//! read (fennec-store's `with_tasks`), in Zou's key order for each view; on
//! a SQLite file they are sent in chunks as the cursor walks the entities,
//! so a board is never held whole (see `send_board`). Zou builds each
//! board by hand, field by field, so each has its own order and its own
//! task fields. Zou's response
//! options (`compact`: positional rows under a header naming the fields;
//! `stream`: NDJSON, the header first) and its conditional GET (an ETag on a
//! production's board, 304 when fresh) are followed where Zou has them.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::PathBuf;

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDateTime;
use fennec_api::models;
use fennec_store::db::Exec;
use fennec_store::links;
use fennec_store::rows;
use fennec_store::with_tasks::{
    self as store, Assignees, Criteria, Data, EntityRow, Episode, TaskRow,
};
use serde_json::Value;
use uuid::Uuid;

use crate::auth::permissions::on_project;
use crate::auth::user::Role;
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::QueryPairs;

// Zou's field lists (`*_AND_TASKS_*_FIELDS`): the compact header names
// them, and the dict rows follow them.
pub const SHOT_FIELDS: [&str; 23] = [
    "canceled",
    "data",
    "description",
    "entity_type_id",
    "episode_id",
    "episode_name",
    "fps",
    "frame_in",
    "frame_out",
    "id",
    "name",
    "nb_frames",
    "parent_id",
    "preview_file_id",
    "project_id",
    "project_name",
    "sequence_id",
    "sequence_name",
    "source_id",
    "nb_entities_out",
    "is_casting_standby",
    "type",
    "tasks",
];
pub const SHOT_TASK_FIELDS: [&str; 21] = [
    "id",
    "duration",
    "due_date",
    "end_date",
    "done_date",
    "entity_id",
    "estimation",
    "is_subscribed",
    "last_comment_date",
    "last_preview_file_id",
    "nb_assets_ready",
    "priority",
    "real_start_date",
    "retake_count",
    "start_date",
    "difficulty",
    "nb_drawings",
    "task_status_id",
    "task_type_id",
    "assignees",
    "data",
];
pub const ASSET_FIELDS: [&str; 14] = [
    "id",
    "name",
    "preview_file_id",
    "description",
    "asset_type_name",
    "asset_type_id",
    "canceled",
    "ready_for",
    "episode_id",
    "casting_episode_ids",
    "is_casting_standby",
    "is_shared",
    "data",
    "tasks",
];
pub const ASSET_TASK_FIELDS: [&str; 19] = [
    "id",
    "due_date",
    "done_date",
    "duration",
    "entity_id",
    "estimation",
    "end_date",
    "is_subscribed",
    "last_comment_date",
    "last_preview_file_id",
    "priority",
    "real_start_date",
    "retake_count",
    "start_date",
    "difficulty",
    "task_status_id",
    "task_type_id",
    "assignees",
    "data",
];
const ENTITY_TASK_FIELDS: [&str; 17] = [
    "id",
    "estimation",
    "entity_id",
    "end_date",
    "due_date",
    "done_date",
    "duration",
    "last_comment_date",
    "last_preview_file_id",
    "priority",
    "real_start_date",
    "retake_count",
    "start_date",
    "difficulty",
    "task_status_id",
    "task_type_id",
    "data",
];
pub(crate) const EDIT_TASK_FIELDS: [&str; 16] = [
    "id",
    "duration",
    "due_date",
    "entity_id",
    "end_date",
    "estimation",
    "last_comment_date",
    "last_preview_file_id",
    "nb_assets_ready",
    "priority",
    "real_start_date",
    "retake_count",
    "start_date",
    "task_status_id",
    "task_type_id",
    "data",
];
const CONCEPT_TASK_FIELDS: [&str; 15] = [
    "id",
    "duration",
    "due_date",
    "end_date",
    "entity_id",
    "estimation",
    "last_comment_date",
    "nb_assets_ready",
    "priority",
    "real_start_date",
    "retake_count",
    "start_date",
    "task_status_id",
    "task_type_id",
    "data",
];

/// The studio side of a task, blank for a client (Zou's
/// `CLIENT_BLANK_TASK_VALUES`), as JSON literals. Only the fields a view
/// lists are blanked: what Zou adds after them (assignees, on the views
/// that do not list them) stays.
fn client_blank(name: &str) -> Option<&'static [u8]> {
    Some(match name {
        "assignees" => b"[]",
        "assigner_id" | "difficulty" | "done_date" | "due_date" | "end_date"
        | "last_comment_date" | "real_start_date" | "start_date" => b"null",
        "completion_rate" | "duration" | "estimation" | "nb_assets_ready" | "nb_drawings"
        | "priority" | "retake_count" => b"0",
        _ => return None,
    })
}

// ---- JSON writing -------------------------------------------------------

fn w_str(buf: &mut Vec<u8>, s: &str) {
    // Writing to a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *buf, s);
}

fn w_uuid(buf: &mut Vec<u8>, u: Uuid) {
    let mut tmp = [0u8; 36];
    buf.push(b'"');
    buf.extend_from_slice(u.hyphenated().encode_lower(&mut tmp).as_bytes());
    buf.push(b'"');
}

fn w_opt_uuid(buf: &mut Vec<u8>, u: Option<Uuid>) {
    match u {
        Some(u) => w_uuid(buf, u),
        None => buf.extend_from_slice(b"null"),
    }
}

/// An id as Python's `str()` writes it: `"None"` when missing.
fn w_str_uuid(buf: &mut Vec<u8>, u: Option<Uuid>) {
    match u {
        Some(u) => w_uuid(buf, u),
        None => buf.extend_from_slice(b"\"None\""),
    }
}

/// An id, or `""` when missing (Zou's `str(x or "")`).
fn w_uuid_or_empty(buf: &mut Vec<u8>, u: Option<Uuid>) {
    match u {
        Some(u) => w_uuid(buf, u),
        None => buf.extend_from_slice(b"\"\""),
    }
}

/// A time to the second, as Zou writes it, its digits written by hand
/// rather than through `write!`'s formatting (up to six times per task).
fn w_dt(buf: &mut Vec<u8>, d: Option<NaiveDateTime>) {
    use chrono::{Datelike, Timelike};
    let Some(d) = d else {
        buf.extend_from_slice(b"null");
        return;
    };
    let year = d.year();
    if !(0..=9999).contains(&year) {
        let _ = write!(
            buf,
            "\"{:04}-{:02}-{:02}T{:02}:{:02}:{:02}\"",
            year,
            d.month(),
            d.day(),
            d.hour(),
            d.minute(),
            d.second()
        );
        return;
    }
    let two = |n: u32| [b'0' + (n / 10) as u8, b'0' + (n % 10) as u8];
    let y = year as u32;
    let [y1, y2] = two(y / 100);
    let [y3, y4] = two(y % 100);
    let [mo1, mo2] = two(d.month());
    let [d1, d2] = two(d.day());
    let [h1, h2] = two(d.hour());
    let [mi1, mi2] = two(d.minute());
    let [s1, s2] = two(d.second());
    buf.extend_from_slice(&[
        b'"', y1, y2, y3, y4, b'-', mo1, mo2, b'-', d1, d2, b'T', h1, h2, b':', mi1, mi2, b':', s1,
        s2, b'"',
    ]);
}

fn w_json<T: serde::Serialize + ?Sized>(buf: &mut Vec<u8>, v: &T) {
    let _ = serde_json::to_writer(&mut *buf, v);
}

fn w_opt_str(buf: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => w_str(buf, s),
        None => buf.extend_from_slice(b"null"),
    }
}

fn w_ids(buf: &mut Vec<u8>, ids: &[Uuid]) {
    buf.push(b'[');
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        w_uuid(buf, *id);
    }
    buf.push(b']');
}

/// A JSON object, or the array of its values when `compact`.
struct Obj<'a> {
    buf: &'a mut Vec<u8>,
    compact: bool,
    first: bool,
}

impl<'a> Obj<'a> {
    fn open(buf: &'a mut Vec<u8>, compact: bool) -> Self {
        buf.push(if compact { b'[' } else { b'{' });
        Obj {
            buf,
            compact,
            first: true,
        }
    }

    /// Starts `key`'s value; the caller writes it to the returned buffer.
    fn key(&mut self, key: &str) -> &mut Vec<u8> {
        if !self.first {
            self.buf.push(b',');
        }
        self.first = false;
        if !self.compact {
            self.buf.push(b'"');
            self.buf.extend_from_slice(key.as_bytes());
            self.buf.extend_from_slice(b"\":");
        }
        self.buf
    }

    fn close(self) {
        self.buf.push(if self.compact { b']' } else { b'}' });
    }
}

/// One board row: the object `write` fills, appended to `buf`.
fn object(buf: &mut Vec<u8>, compact: bool, write: impl FnOnce(&mut Obj<'_>)) {
    let mut o = Obj::open(buf, compact);
    write(&mut o);
    o.close();
}

/// An entity's `data` as the boards show it: `{}` when it has none, and
/// without the fields a vendor may not read (`hidden`). Copied through
/// when it can be (fennec-store's raw_json.rs).
fn entity_data<'d>(d: &'d Option<Data>, hidden: Option<&Vec<String>>) -> Cow<'d, Data> {
    match d {
        None => Cow::Owned(Data::Text("{}".to_owned())),
        Some(d) if d.is_null() => Cow::Owned(Data::Text("{}".to_owned())),
        Some(d) => match hidden {
            Some(h) if !h.is_empty() => Cow::Owned(Data::Value(mask(d.to_value(), Some(h)))),
            _ => Cow::Borrowed(d),
        },
    }
}

fn w_data(buf: &mut Vec<u8>, d: &Data) {
    d.write(buf);
}

fn w_opt_data(buf: &mut Vec<u8>, d: &Option<Data>) {
    match d {
        Some(d) => d.write(buf),
        None => buf.extend_from_slice(b"null"),
    }
}

/// How a board writes its tasks.
struct TaskWriter<'a> {
    fields: &'a [&'a str],
    /// Zou's `setdefault` of `is_subscribed` and `assignees` after the
    /// listed fields (dict rows only).
    extras: bool,
    client: bool,
    assignees: &'a HashMap<Uuid, Vec<Uuid>>,
    /// The caller's subscribed tasks (Zou's `is_subscribed`).
    subscribed: &'a HashSet<Uuid>,
}

impl TaskWriter<'_> {
    fn value(&self, buf: &mut Vec<u8>, t: &TaskRow, name: &str) {
        if self.client {
            if let Some(blank) = client_blank(name) {
                buf.extend_from_slice(blank);
                return;
            }
        }
        match name {
            "id" => w_uuid(buf, t.id),
            "entity_id" => w_uuid(buf, t.entity_id),
            "task_type_id" => w_opt_uuid(buf, t.task_type_id),
            "task_status_id" => w_opt_uuid(buf, t.task_status_id),
            "priority" => w_json(buf, &t.priority.unwrap_or(0)),
            "estimation" => w_json(buf, &t.estimation),
            "duration" => w_json(buf, &t.duration),
            "retake_count" => w_json(buf, &t.retake_count),
            "real_start_date" => w_dt(buf, t.real_start_date),
            "end_date" => w_dt(buf, t.end_date),
            "start_date" => w_dt(buf, t.start_date),
            "due_date" => w_dt(buf, t.due_date),
            "done_date" => w_dt(buf, t.done_date),
            "last_comment_date" => w_dt(buf, t.last_comment_date),
            "last_preview_file_id" => w_opt_uuid(buf, t.last_preview_file_id),
            "nb_assets_ready" => w_json(buf, &t.nb_assets_ready),
            "difficulty" => w_json(buf, &t.difficulty),
            "nb_drawings" => w_json(buf, &t.nb_drawings),
            "data" => w_opt_data(buf, &t.data),
            "assigner_id" => w_opt_uuid(buf, t.assigner_id),
            "is_subscribed" => w_json(buf, &self.subscribed.contains(&t.id)),
            "assignees" => w_ids(buf, self.assignees.get(&t.id).map_or(&[], Vec::as_slice)),
            _ => buf.extend_from_slice(b"null"),
        }
    }

    fn write(&self, buf: &mut Vec<u8>, tasks: &[TaskRow], compact: bool) {
        buf.push(b'[');
        for (i, t) in tasks.iter().enumerate() {
            if i > 0 {
                buf.push(b',');
            }
            let mut o = Obj::open(buf, compact);
            for f in self.fields {
                self.value(o.key(f), t, f);
            }
            if self.extras && !compact {
                w_json(o.key("is_subscribed"), &self.subscribed.contains(&t.id));
                let ids = self.assignees.get(&t.id).map_or(&[][..], Vec::as_slice);
                w_ids(o.key("assignees"), ids);
            }
            o.close();
        }
        buf.push(b']');
    }
}

// ---- Criteria and access ------------------------------------------------

/// Zou's `check_criterion_id_format`: the id criteria of a hand-written
/// query must be UUIDs (`all` and `main` stand for episodes).
pub fn check_id_format(q: &QueryPairs, fields: &[&str]) -> ApiResult<()> {
    for f in fields {
        let Some(v) = q.get(f) else { continue };
        if *f == "episode_id" && (v == "all" || v == "main") {
            continue;
        }
        if !is_uuid(v) {
            return Err(ApiError::bad_request(format!(
                "Invalid UUID format for {f}: {v}"
            )));
        }
    }
    Ok(())
}

/// Zou's `_UUID_RE`: the hyphenated form only.
fn is_uuid(v: &str) -> bool {
    v.len() == 36 && Uuid::try_parse(v).is_ok()
}

fn uuid_of(q: &QueryPairs, key: &str) -> Option<Uuid> {
    q.get(key).and_then(|v| Uuid::parse_str(v).ok())
}

fn episode_of(q: &QueryPairs) -> Option<Episode> {
    match q.get("episode_id")? {
        "all" => Some(Episode::All),
        "main" => Some(Episode::Main),
        v => Uuid::parse_str(v).ok().map(Episode::Id),
    }
}

/// Zou's `check_project_access` on a criterion: admins pass (whatever the
/// project); anyone else needs a production they are in the team of (an
/// unknown one is a 404, none at all a 403). Returns the caller with his
/// role on that production, which the later role checks use.
pub async fn project_access(
    exec: &mut impl Exec,
    user: &CurrentUser,
    project: Option<Uuid>,
) -> ApiResult<CurrentUser> {
    if user.is_admin() {
        return Ok(user.clone());
    }
    let Some(project) = project else {
        return Err(ApiError::forbidden());
    };
    rows::get(exec, &models::PROJECT, project, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    crate::auth::permissions::check_project_access(exec, user, project).await?;
    on_project(exec, user, project).await
}

/// A vendor's departments (Zou narrows the metadata a vendor reads to the
/// descriptors of his departments); `None` for anyone else.
async fn vendor_departments(
    exec: &mut impl Exec,
    user: &CurrentUser,
) -> ApiResult<Option<Vec<Uuid>>> {
    if user.role != Role::Vendor {
        return Ok(None);
    }
    Ok(Some(links::PERSON_DEPARTMENTS.rights(exec, user.id).await?))
}

/// Drops from `data` the fields a vendor may not read.
fn mask(data: Value, hidden: Option<&Vec<String>>) -> Value {
    match (data, hidden) {
        (Value::Object(mut m), Some(h)) => {
            m.retain(|k, _| !h.contains(k));
            Value::Object(m)
        }
        (d, _) => d,
    }
}

/// Zou's response options of the shot and asset boards (`stream`,
/// `compact`: only the literal `true` turns them on).
#[derive(Clone, Copy, Debug)]
pub struct Options {
    pub stream: bool,
    pub compact: bool,
}

impl Options {
    pub fn from_query(q: &QueryPairs) -> Self {
        Options {
            stream: q.get("stream") == Some("true"),
            compact: q.get("compact") == Some("true"),
        }
    }
}

/// How a board's rows are framed, as Zou's `rows_response` writes them:
/// a plain list, or a header and rows in one object (`compact`), or
/// NDJSON lines, the header first (`stream`).
pub struct Framing {
    prefix: Vec<u8>,
    /// Between two rows.
    sep: &'static [u8],
    /// After each row.
    after: &'static [u8],
    suffix: &'static [u8],
    ndjson: bool,
}

impl Framing {
    fn new(opts: Options, header_fields: &[(&str, &[&str])]) -> Framing {
        let mut header = Vec::new();
        header.extend_from_slice(b"{\"compact\":");
        w_json(&mut header, &opts.compact);
        if opts.compact {
            for (k, fields) in header_fields {
                header.push(b',');
                w_str(&mut header, k);
                header.push(b':');
                w_json(&mut header, fields);
            }
        }
        if opts.stream {
            header.extend_from_slice(b"}\n");
            return Framing {
                prefix: header,
                sep: b"",
                after: b"\n",
                suffix: b"",
                ndjson: true,
            };
        }
        if opts.compact {
            header.extend_from_slice(b",\"rows\":[");
            return Framing {
                prefix: header,
                sep: b",",
                after: b"",
                suffix: b"]}",
                ndjson: false,
            };
        }
        Framing::list()
    }

    fn list() -> Framing {
        Framing {
            prefix: b"[".to_vec(),
            sep: b",",
            after: b"",
            suffix: b"]",
            ndjson: false,
        }
    }

    fn content_type(&self) -> &'static str {
        if self.ndjson {
            "application/x-ndjson"
        } else {
            "application/json"
        }
    }
}

/// Writes one entity's row to the buffer, or nothing (`false`) when the
/// board leaves it out.
pub trait RowWriter:
    FnMut(&mut Vec<u8>, &EntityRow, &[TaskRow], &Assignees) -> bool + Send + 'static
{
}
impl<F> RowWriter for F where
    F: FnMut(&mut Vec<u8>, &EntityRow, &[TaskRow], &Assignees) -> bool + Send + 'static
{
}

/// Where a board's rows are read.
#[derive(Clone, Debug)]
pub enum Source {
    /// A SQLite file's blocking cursor: the rows are written as they are
    /// read and sent in chunks (chunked.rs), so the board is never held
    /// whole in memory.
    Cursor(PathBuf),
    /// The pool (PostgreSQL, in-memory SQLite): the rows are read whole,
    /// then written in one pass.
    Pool,
}

impl Source {
    pub fn of(db: &fennec_store::Db) -> Source {
        db.sqlite_file().map_or(Source::Pool, Source::Cursor)
    }
}

/// Appends one row with its framing; `first` tracks the separator.
fn framed_row(
    buf: &mut Vec<u8>,
    framing: &Framing,
    first: &mut bool,
    write: &mut impl RowWriter,
    e: &EntityRow,
    tasks: &[TaskRow],
    assignees: &Assignees,
) {
    let mark = buf.len();
    if !*first {
        buf.extend_from_slice(framing.sep);
    }
    if write(buf, e, tasks, assignees) {
        buf.extend_from_slice(framing.after);
        *first = false;
    } else {
        buf.truncate(mark);
    }
}

const CHUNK: usize = 64 * 1024;

/// Answers a board: `c` selects its entities, `write` writes each row.
pub async fn send_board(
    source: &Source,
    db: &fennec_store::Db,
    exec: &mut impl Exec,
    c: Criteria,
    framing: Framing,
    mut write: impl RowWriter,
) -> ApiResult<Response> {
    let kind = framing.content_type();
    let Source::Cursor(file) = source else {
        let b = store::board_pooled(exec, db, &c).await?;
        let mut buf = framing.prefix.clone();
        let mut first = true;
        b.walk(&mut |e, tasks, assignees| {
            framed_row(
                &mut buf, &framing, &mut first, &mut write, e, tasks, assignees,
            );
            Ok(())
        })?;
        buf.extend_from_slice(framing.suffix);
        return Ok(([(header::CONTENT_TYPE, kind)], buf).into_response());
    };
    let file = file.clone();
    crate::chunked::from_blocking(kind, move |out| {
        let mut buf = Vec::with_capacity(CHUNK + 16 * 1024);
        buf.extend_from_slice(&framing.prefix);
        let mut first = true;
        let walked = store::walk_sqlite(&file, &c, &mut |e, tasks, assignees| {
            framed_row(
                &mut buf, &framing, &mut first, &mut write, e, tasks, assignees,
            );
            if buf.len() >= CHUNK {
                out.write_all(&buf)
                    .map_err(|e| fennec_store::StoreError::Config(e.to_string()))?;
                buf.clear();
            }
            Ok(())
        });
        walked.map_err(|e| serde_json::Error::io(std::io::Error::other(e.to_string())))?;
        buf.extend_from_slice(framing.suffix);
        out.write_all(&buf).map_err(serde_json::Error::io)
    })
    .await
}

// ---- Conditional GET ----------------------------------------------------

/// Zou's board ETag: the production's change signal, the caller, his role
/// on it and the criteria — `None` when no production is named.
pub async fn board_etag(
    exec: &mut impl Exec,
    user: &CurrentUser,
    q: &QueryPairs,
) -> ApiResult<Option<String>> {
    let Some(project) = q.get("project_id") else {
        return Ok(None);
    };
    let Ok(project) = Uuid::parse_str(project) else {
        return Ok(None);
    };
    let fingerprint = store::board_fingerprint(exec, project, user.id).await?;
    // A board changed in the last seconds gets a tag of its own, which no
    // copy can match: its signal may not show a change made in the same
    // second yet.
    let unsettled = (!fingerprint.settled).then(Uuid::new_v4);
    let mut criteria: Vec<&(String, String)> =
        q.0.iter()
            .filter(|(k, _)| k != "stream" && k != "compact")
            .collect();
    criteria.sort();
    let mut hashes = [0u64; 2];
    for (i, h) in hashes.iter_mut().enumerate() {
        let mut s = std::collections::hash_map::DefaultHasher::new();
        (
            i,
            &fingerprint.signal,
            unsettled,
            user.id,
            format!("{:?}", user.role),
            &criteria,
        )
            .hash(&mut s);
        *h = s.finish();
    }
    Ok(Some(format!("{:016x}{:016x}", hashes[0], hashes[1])))
}

/// Does the request's `If-None-Match` carry `etag` (werkzeug's `contains`:
/// strong tags only, `*` matches all)?
pub fn is_fresh(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|t| t == "*" || t.strip_prefix('"').and_then(|t| t.strip_suffix('"')) == Some(etag))
}

fn mark(mut r: Response, etag: Option<&str>) -> Response {
    if let Some(etag) = etag {
        if let Ok(v) = HeaderValue::from_str(&format!("\"{etag}\"")) {
            r.headers_mut().insert(header::ETAG, v);
        }
        r.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-cache"),
        );
    }
    r
}

/// Zou's empty 304 for a fresh board.
pub fn not_modified(etag: &str) -> Response {
    mark(StatusCode::NOT_MODIFIED.into_response(), Some(etag))
}

// ---- The boards ---------------------------------------------------------

/// What a board needs to know of its caller.
pub struct Caller {
    pub user: CurrentUser,
    /// The caller is a vendor: only his tasks, and the metadata of his
    /// departments.
    pub vendor_departments: Option<Vec<Uuid>>,
}

impl Caller {
    pub async fn new(exec: &mut impl Exec, user: CurrentUser) -> ApiResult<Self> {
        let vendor_departments = vendor_departments(exec, &user).await?;
        Ok(Caller {
            user,
            vendor_departments,
        })
    }

    fn client(&self) -> bool {
        self.user.role == Role::Client
    }

    /// Zou's `get_subscriptions_for_user`: the tasks of the production the
    /// caller follows (none without a production).
    async fn subscribed(
        &self,
        exec: &mut impl Exec,
        project: Option<Uuid>,
    ) -> ApiResult<HashSet<Uuid>> {
        let Some(project) = project else {
            return Ok(HashSet::new());
        };
        Ok(
            fennec_store::notifications::subscribed_tasks(exec, self.user.id, project)
                .await?
                .into_iter()
                .collect(),
        )
    }

    /// Zou's `scope_criterions_to_vendor`.
    fn assigned_to(&self) -> Option<Uuid> {
        self.vendor_departments.as_ref().map(|_| self.user.id)
    }

    async fn hidden(
        &self,
        exec: &mut impl Exec,
        entity_type: &str,
    ) -> ApiResult<Option<HashMap<Uuid, Vec<String>>>> {
        match &self.vendor_departments {
            Some(d) => Ok(Some(store::hidden_fields(exec, entity_type, d).await?)),
            None => Ok(None),
        }
    }
}

fn hidden_for(hidden: &Option<HashMap<Uuid, Vec<String>>>, project: Uuid) -> Option<&Vec<String>> {
    const NONE: &Vec<String> = &Vec::new();
    hidden.as_ref().map(|h| h.get(&project).unwrap_or(NONE))
}

/// A board's criteria from the query's `id`, `project_id` and `episode_id`,
/// and for a vendor only his tasks (the shots', assets' and edits' boards).
fn narrowed(board: store::Board, q: &QueryPairs, caller: &Caller) -> Criteria {
    let mut c = Criteria::new(board);
    c.id = uuid_of(q, "id");
    c.project_id = uuid_of(q, "project_id");
    c.episode = episode_of(q);
    c.assigned_to = caller.assigned_to();
    c
}

/// GET /data/shots/with-tasks's rows (Zou's `prepare_shots_and_tasks`).
pub async fn shots(
    source: &Source,
    db: &fennec_store::Db,
    exec: &mut impl Exec,
    caller: &Caller,
    q: &QueryPairs,
    opts: Options,
) -> ApiResult<Response> {
    let mut c = narrowed(store::Board::Shot, q, caller);
    c.entity_type_id = Some(fennec_store::defaults::entity_type_id(exec, "Shot").await?);
    let hidden = caller.hidden(exec, "Shot").await?;
    let subscribed = caller.subscribed(exec, c.project_id).await?;
    let client = caller.client();
    let framing = Framing::new(
        opts,
        &[
            ("shot_fields", &SHOT_FIELDS),
            ("task_fields", &SHOT_TASK_FIELDS),
        ],
    );
    let write = move |buf: &mut Vec<u8>, e: &EntityRow, tasks: &[TaskRow], a: &Assignees| {
        if e.parent_id.is_none() || e.parent_name.is_none() {
            return false;
        }
        let tw = TaskWriter {
            fields: &SHOT_TASK_FIELDS,
            extras: false,
            client,
            assignees: a,
            subscribed: &subscribed,
        };
        let data = entity_data(&e.data, hidden_for(&hidden, e.project_id));
        object(buf, opts.compact, |o| {
            w_json(o.key("canceled"), &e.canceled);
            w_data(o.key("data"), &data);
            w_opt_str(o.key("description"), e.description.as_deref());
            w_uuid(o.key("entity_type_id"), e.entity_type_id);
            w_opt_uuid(o.key("episode_id"), e.grandparent_id);
            w_str(
                o.key("episode_name"),
                e.grandparent_name.as_deref().unwrap_or(""),
            );
            data.write_field(o.key("fps"), "fps");
            data.write_field(o.key("frame_in"), "frame_in");
            data.write_field(o.key("frame_out"), "frame_out");
            w_uuid(o.key("id"), e.id);
            w_str(o.key("name"), &e.name);
            w_json(o.key("nb_frames"), &e.nb_frames);
            w_opt_uuid(o.key("parent_id"), e.parent_id);
            w_opt_uuid(o.key("preview_file_id"), e.preview_file_id);
            w_uuid(o.key("project_id"), e.project_id);
            w_str(o.key("project_name"), &e.project_name);
            w_opt_uuid(o.key("sequence_id"), e.parent_id);
            w_opt_str(o.key("sequence_name"), e.parent_name.as_deref());
            w_opt_uuid(o.key("source_id"), e.source_id);
            w_json(o.key("nb_entities_out"), &e.nb_entities_out);
            w_json(o.key("is_casting_standby"), &e.is_casting_standby);
            // The compact header puts the type before the tasks; the dict
            // rows after them.
            if opts.compact {
                w_str(o.key("type"), "Shot");
                tw.write(o.key("tasks"), tasks, true);
            } else {
                tw.write(o.key("tasks"), tasks, false);
                w_str(o.key("type"), "Shot");
            }
        });
        true
    };
    send_board(source, db, exec, c, framing, write).await
}

/// GET /data/assets/with-tasks's rows (Zou's `prepare_assets_and_tasks`).
/// `team_of`: only the productions of this person's teams (every caller
/// but an admin).
pub async fn assets(
    source: &Source,
    db: &fennec_store::Db,
    exec: &mut impl Exec,
    caller: &Caller,
    q: &QueryPairs,
    opts: Options,
    team_of: Option<Uuid>,
) -> ApiResult<Response> {
    let mut c = narrowed(store::Board::Asset, q, caller);
    c.team_of = team_of;
    let casting = match c.project_id {
        Some(p) => {
            let episode = match c.episode {
                Some(Episode::Id(e)) => Some(e),
                _ => None,
            };
            store::casting_episodes(exec, p, episode, c.id).await?
        }
        None => HashMap::new(),
    };
    let hidden = caller.hidden(exec, "Asset").await?;
    let subscribed = caller.subscribed(exec, c.project_id).await?;
    let client = caller.client();
    let framing = Framing::new(
        opts,
        &[
            ("asset_fields", &ASSET_FIELDS),
            ("task_fields", &ASSET_TASK_FIELDS),
        ],
    );
    let write = move |buf: &mut Vec<u8>, e: &EntityRow, tasks: &[TaskRow], a: &Assignees| {
        let tw = TaskWriter {
            fields: &ASSET_TASK_FIELDS,
            extras: false,
            client,
            assignees: a,
            subscribed: &subscribed,
        };
        let data = entity_data(&e.data, hidden_for(&hidden, e.project_id));
        object(buf, opts.compact, |o| {
            w_uuid(o.key("id"), e.id);
            w_str(o.key("name"), &e.name);
            w_uuid_or_empty(o.key("preview_file_id"), e.preview_file_id);
            w_opt_str(o.key("description"), e.description.as_deref());
            w_str(o.key("asset_type_name"), &e.type_name);
            w_uuid(o.key("asset_type_id"), e.entity_type_id);
            w_json(o.key("canceled"), &e.canceled);
            w_str_uuid(o.key("ready_for"), e.ready_for);
            w_uuid_or_empty(o.key("episode_id"), e.source_id);
            w_ids(
                o.key("casting_episode_ids"),
                casting.get(&e.id).map_or(&[][..], Vec::as_slice),
            );
            w_json(o.key("is_casting_standby"), &e.is_casting_standby);
            w_json(o.key("is_shared"), &e.is_shared);
            w_data(o.key("data"), &data);
            tw.write(o.key("tasks"), tasks, opts.compact);
        });
        true
    };
    send_board(source, db, exec, c, framing, write).await
}

/// GET /data/edits/with-tasks (Zou's `get_edits_and_tasks`).
pub async fn edits(
    source: &Source,
    db: &fennec_store::Db,
    exec: &mut impl Exec,
    caller: &Caller,
    q: &QueryPairs,
) -> ApiResult<Response> {
    let mut c = narrowed(store::Board::Edit, q, caller);
    c.entity_type_id = Some(fennec_store::defaults::entity_type_id(exec, "Edit").await?);
    let hidden = caller.hidden(exec, "Edit").await?;
    let subscribed = caller.subscribed(exec, c.project_id).await?;
    let client = caller.client();
    let write = move |buf: &mut Vec<u8>, e: &EntityRow, tasks: &[TaskRow], a: &Assignees| {
        let tw = TaskWriter {
            fields: &EDIT_TASK_FIELDS,
            extras: true,
            client,
            assignees: a,
            subscribed: &subscribed,
        };
        let data = entity_data(&e.data, hidden_for(&hidden, e.project_id));
        object(buf, false, |o| {
            w_json(o.key("canceled"), &e.canceled);
            w_data(o.key("data"), &data);
            w_opt_str(o.key("description"), e.description.as_deref());
            w_uuid(o.key("entity_type_id"), e.entity_type_id);
            // The episode is the parent, when it exists.
            let episode = e.parent_name.as_ref().and(e.parent_id);
            w_opt_uuid(o.key("episode_id"), episode);
            w_str(
                o.key("episode_name"),
                e.parent_name.as_deref().unwrap_or(""),
            );
            w_uuid(o.key("id"), e.id);
            w_str(o.key("name"), &e.name);
            w_opt_uuid(o.key("parent_id"), e.parent_id);
            w_opt_uuid(o.key("preview_file_id"), e.preview_file_id);
            w_uuid(o.key("project_id"), e.project_id);
            w_str(o.key("project_name"), &e.project_name);
            w_opt_uuid(o.key("source_id"), e.source_id);
            w_json(o.key("nb_entities_out"), &e.nb_entities_out);
            tw.write(o.key("tasks"), tasks, false);
            w_str(o.key("type"), "Edit");
        });
        true
    };
    send_board(source, db, exec, c, Framing::list(), write).await
}

/// GET /data/concepts/with-tasks (Zou's `get_concepts_and_tasks`).
pub async fn concepts(
    source: &Source,
    db: &fennec_store::Db,
    exec: &mut impl Exec,
    caller: &Caller,
    q: &QueryPairs,
) -> ApiResult<Response> {
    let mut c = Criteria::new(store::Board::Concept);
    c.entity_type_id = Some(fennec_store::defaults::entity_type_id(exec, "Concept").await?);
    c.id = uuid_of(q, "id");
    c.project_id = uuid_of(q, "project_id");
    c.assigned_to = caller.assigned_to();
    let linked = store::concept_links(exec, &c).await?;
    let subscribed = caller.subscribed(exec, c.project_id).await?;
    let client = caller.client();
    let write = move |buf: &mut Vec<u8>, e: &EntityRow, tasks: &[TaskRow], a: &Assignees| {
        let tw = TaskWriter {
            fields: &CONCEPT_TASK_FIELDS,
            extras: true,
            client,
            assignees: a,
            subscribed: &subscribed,
        };
        write_concept_like(buf, e, tasks, &linked, &tw, "Concept", true);
        true
    };
    send_board(source, db, exec, c, Framing::list(), write).await
}

/// Which of Zou's generic boards (`get_entities_and_tasks`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Generic {
    Sequence,
    Episode,
    Scene,
}

impl Generic {
    fn type_name(self) -> &'static str {
        match self {
            Generic::Sequence => "Sequence",
            Generic::Episode => "Episode",
            Generic::Scene => "Scene",
        }
    }
}

/// GET /data/{sequences,episodes,scenes}/with-tasks (Zou's
/// `get_entities_and_tasks`). A vendor gets the sequences (episodes)
/// holding a shot (or, for episodes, an asset) with a task of his, and on
/// them only his tasks; the metadata of his departments.
pub async fn generic(
    source: &Source,
    db: &fennec_store::Db,
    exec: &mut impl Exec,
    caller: &Caller,
    q: &QueryPairs,
    kind: Generic,
) -> ApiResult<Response> {
    let mut c = Criteria::new(store::Board::Generic);
    c.entity_type_id = Some(fennec_store::defaults::entity_type_id(exec, kind.type_name()).await?);
    c.project_id = uuid_of(q, "project_id");
    c.episode = episode_of(q);
    let vendor = caller.assigned_to();
    if let Some(person) = vendor {
        let project = c.project_id.unwrap_or_default();
        let episode = match (kind, c.episode) {
            (Generic::Sequence, Some(Episode::Id(e))) => Some(e),
            _ => None,
        };
        c.entity_ids = Some(
            store::assigned_parents(exec, person, project, episode, kind == Generic::Episode)
                .await?,
        );
    }
    let hidden = caller.hidden(exec, kind.type_name()).await?;
    let subscribed = caller.subscribed(exec, c.project_id).await?;
    let client = caller.client();
    let fallback = c.project_id.unwrap_or_default();
    let write = move |buf: &mut Vec<u8>, e: &EntityRow, all: &[TaskRow], a: &Assignees| {
        let tw = TaskWriter {
            fields: &ENTITY_TASK_FIELDS,
            extras: true,
            client,
            assignees: a,
            subscribed: &subscribed,
        };
        // Zou's rows carry no production: the criterion's is used.
        let data = entity_data(&e.data, hidden_for(&hidden, fallback));
        object(buf, false, |o| {
            w_uuid(o.key("id"), e.id);
            w_str(o.key("name"), &e.name);
            w_str(o.key("status"), e.status.as_deref().unwrap_or("running"));
            w_str_uuid(o.key("episode_id"), e.parent_id);
            w_opt_str(o.key("description"), e.description.as_deref());
            data.write_field(o.key("frame_in"), "frame_in");
            data.write_field(o.key("frame_out"), "frame_out");
            data.write_field(o.key("fps"), "fps");
            w_uuid_or_empty(o.key("preview_file_id"), e.preview_file_id);
            w_json(o.key("canceled"), &e.canceled);
            w_data(o.key("data"), &data);
            match vendor {
                Some(person) => {
                    let mine: Vec<TaskRow> = all
                        .iter()
                        .filter(|t| a.get(&t.id).is_some_and(|a| a.contains(&person)))
                        .cloned()
                        .collect();
                    tw.write(o.key("tasks"), &mine, false);
                }
                None => tw.write(o.key("tasks"), all, false),
            }
        });
        true
    };
    send_board(source, db, exec, c, Framing::list(), write).await
}

/// GET /data/entities/{id}/entities-linked/with-tasks (Zou's
/// `get_linked_entities_with_tasks`): the entities whose concept links
/// point at `entity`, each with its tasks and its own links.
pub async fn linked(
    source: &Source,
    db: &fennec_store::Db,
    exec: &mut impl Exec,
    entity: Uuid,
) -> ApiResult<Response> {
    let c = Criteria::new(store::Board::LinkedTo(entity));
    let linked = store::concept_links(exec, &c).await?;
    let write = move |buf: &mut Vec<u8>, e: &EntityRow, tasks: &[TaskRow], a: &Assignees| {
        // No caller here: Zou's linked entities carry no subscriptions.
        let none = HashSet::new();
        let tw = TaskWriter {
            fields: &[
                "id",
                "duration",
                "due_date",
                "end_date",
                "entity_id",
                "estimation",
                "last_comment_date",
                "nb_assets_ready",
                "priority",
                "real_start_date",
                "retake_count",
                "start_date",
                "task_status_id",
                "task_type_id",
                "assigner_id",
                "assignees",
            ],
            extras: false,
            client: false,
            assignees: a,
            subscribed: &none,
        };
        let kind = if store::TEMPORAL_TYPES.contains(&e.type_name.as_str()) {
            e.type_name.as_str()
        } else {
            "Asset"
        };
        write_concept_like(buf, e, tasks, &linked, &tw, kind, false);
        true
    };
    send_board(source, db, exec, c, Framing::list(), write).await
}

/// A concept, or an entity linked to one, with its tasks and its concept
/// links, as Zou serialises an entity; `preview_status`: with the concept
/// board's `preview_file_status`.
fn write_concept_like(
    buf: &mut Vec<u8>,
    e: &EntityRow,
    tasks: &[TaskRow],
    linked: &HashMap<Uuid, Vec<Uuid>>,
    tw: &TaskWriter<'_>,
    kind: &str,
    preview_status: bool,
) {
    let data = entity_data(&e.data, None);
    object(buf, false, |o| {
        w_json(o.key("canceled"), &e.canceled);
        w_data(o.key("data"), &data);
        w_opt_str(o.key("description"), e.description.as_deref());
        w_uuid(o.key("entity_type_id"), e.entity_type_id);
        data.write_field(o.key("fps"), "fps");
        data.write_field(o.key("frame_in"), "frame_in");
        data.write_field(o.key("frame_out"), "frame_out");
        w_uuid(o.key("id"), e.id);
        w_str(o.key("name"), &e.name);
        w_json(o.key("nb_frames"), &e.nb_frames);
        w_opt_uuid(o.key("parent_id"), e.parent_id);
        w_opt_uuid(o.key("preview_file_id"), e.preview_file_id);
        if preview_status {
            // Fennec stores no preview files: no status to report.
            o.key("preview_file_status").extend_from_slice(b"null");
        }
        w_uuid(o.key("project_id"), e.project_id);
        w_str(o.key("project_name"), &e.project_name);
        w_opt_uuid(o.key("source_id"), e.source_id);
        w_json(o.key("nb_entities_out"), &e.nb_entities_out);
        w_json(o.key("is_casting_standby"), &e.is_casting_standby);
        tw.write(o.key("tasks"), tasks, false);
        w_ids(
            o.key("entity_concept_links"),
            linked.get(&e.id).map_or(&[][..], Vec::as_slice),
        );
        w_str(o.key("type"), kind);
        w_dt(o.key("updated_at"), Some(e.updated_at));
        w_dt(o.key("created_at"), Some(e.created_at));
        w_opt_uuid(o.key("created_by"), e.created_by);
    });
}

// ---- The routes' common course ------------------------------------------

fn param(q: &QueryPairs, key: &str) -> Option<Uuid> {
    uuid_of(q, key)
}

/// GET /data/shots/with-tasks: ids checked, the production's access (none
/// named is for admins only), vendors narrowed to their tasks.
pub async fn shots_route(
    db: &fennec_store::Db,
    user: &CurrentUser,
    headers: &HeaderMap,
    q: &QueryPairs,
) -> ApiResult<Response> {
    let opts = Options::from_query(q);
    check_id_format(q, &["id", "project_id", "episode_id"])?;
    let mut conn = db.conn().await?;
    let user = project_access(&mut conn, user, param(q, "project_id")).await?;
    let caller = Caller::new(&mut conn, user.clone()).await?;
    let etag = board_etag(&mut conn, &user, q).await?;
    if let Some(etag) = &etag {
        if is_fresh(headers, etag) {
            return Ok(not_modified(etag));
        }
    }
    let answer = shots(&Source::of(db), db, &mut conn, &caller, q, opts).await?;
    Ok(mark(answer, etag.as_deref()))
}

/// GET /data/assets/with-tasks: the production named (directly or through
/// the episode) must be the caller's; without one, only his productions
/// are listed (all of them for an admin).
pub async fn assets_route(
    db: &fennec_store::Db,
    user: &CurrentUser,
    headers: &HeaderMap,
    q: &QueryPairs,
) -> ApiResult<Response> {
    let opts = Options::from_query(q);
    check_id_format(q, &["id", "project_id", "episode_id"])?;
    let mut conn = db.conn().await?;
    let project = match (q.get("project_id"), q.get("episode_id")) {
        (Some(_), _) => param(q, "project_id"),
        (None, Some(episode)) => {
            let episode_type = fennec_store::defaults::entity_type_id(&mut conn, "Episode").await?;
            let row = match Uuid::parse_str(episode) {
                Ok(id) => rows::get(&mut conn, &models::ENTITY, id, false).await?,
                Err(_) => None,
            };
            let row = row
                .filter(|r| crate::present::uuid_field(r, "entity_type_id") == Some(episode_type))
                .ok_or_else(ApiError::not_found)?;
            crate::present::uuid_field(&row, "project_id")
        }
        (None, None) => None,
    };
    let user = match project {
        Some(p) => project_access(&mut conn, user, Some(p)).await?,
        None => user.clone(),
    };
    let caller = Caller::new(&mut conn, user.clone()).await?;
    let team_of = (!user.is_admin()).then_some(user.id);
    let etag = board_etag(&mut conn, &user, q).await?;
    if let Some(etag) = &etag {
        if is_fresh(headers, etag) {
            return Ok(not_modified(etag));
        }
    }
    let source = Source::of(db);
    let answer = assets(&source, db, &mut conn, &caller, q, opts, team_of).await?;
    Ok(mark(answer, etag.as_deref()))
}

/// GET /data/edits/with-tasks.
pub async fn edits_route(
    db: &fennec_store::Db,
    user: &CurrentUser,
    q: &QueryPairs,
) -> ApiResult<Response> {
    check_id_format(q, &["id", "project_id", "episode_id"])?;
    let mut conn = db.conn().await?;
    let user = project_access(&mut conn, user, param(q, "project_id")).await?;
    let caller = Caller::new(&mut conn, user).await?;
    edits(&Source::of(db), db, &mut conn, &caller, q).await
}

/// GET /data/concepts/with-tasks: neither vendors nor clients.
pub async fn concepts_route(
    db: &fennec_store::Db,
    user: &CurrentUser,
    q: &QueryPairs,
) -> ApiResult<Response> {
    check_id_format(q, &["id", "project_id"])?;
    let mut conn = db.conn().await?;
    let user = project_access(&mut conn, user, param(q, "project_id")).await?;
    if matches!(user.role, Role::Vendor | Role::Client) {
        return Err(ApiError::forbidden());
    }
    let caller = Caller::new(&mut conn, user).await?;
    concepts(&Source::of(db), db, &mut conn, &caller, q).await
}

/// GET /data/{sequences,episodes,scenes}/with-tasks: scenes are refused
/// to vendors.
pub async fn generic_route(
    db: &fennec_store::Db,
    user: &CurrentUser,
    q: &QueryPairs,
    kind: Generic,
) -> ApiResult<Response> {
    check_id_format(q, &["project_id", "episode_id"])?;
    let mut conn = db.conn().await?;
    let user = project_access(&mut conn, user, param(q, "project_id")).await?;
    if kind == Generic::Scene && user.role == Role::Vendor {
        return Err(ApiError::forbidden());
    }
    let mut caller = Caller::new(&mut conn, user).await?;
    if kind == Generic::Scene {
        caller.vendor_departments = None;
    }
    generic(&Source::of(db), db, &mut conn, &caller, q, kind).await
}

/// GET /data/entities/{id}/entities-linked/with-tasks: the entity's
/// production must be the caller's, and a vendor must hold a task on it.
pub async fn linked_route(
    db: &fennec_store::Db,
    user: &CurrentUser,
    entity: Uuid,
) -> ApiResult<Response> {
    let mut conn = db.conn().await?;
    let row = rows::get(&mut conn, &models::ENTITY, entity, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let project = crate::present::uuid_field(&row, "project_id");
    let user = project_access(&mut conn, user, project).await?;
    crate::reach::check_entity_access(&mut conn, &user, Some(entity)).await?;
    linked(&Source::of(db), db, &mut conn, entity).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_written_to_the_second_as_before() {
        use chrono::{Datelike, Timelike};
        let day = chrono::NaiveDate::from_ymd_opt(2024, 6, 5).unwrap();
        for t in [
            day.and_hms_milli_opt(9, 8, 7, 654).unwrap(),
            day.and_hms_opt(23, 59, 59).unwrap(),
            chrono::NaiveDate::from_ymd_opt(7, 1, 2)
                .unwrap()
                .and_hms_opt(0, 0, 0)
                .unwrap(),
            chrono::NaiveDate::from_ymd_opt(12345, 1, 2)
                .unwrap()
                .and_hms_opt(0, 0, 0)
                .unwrap(),
        ] {
            let mut buf = Vec::new();
            w_dt(&mut buf, Some(t));
            let expected = format!(
                "\"{:04}-{:02}-{:02}T{:02}:{:02}:{:02}\"",
                t.year(),
                t.month(),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            );
            assert_eq!(String::from_utf8(buf).unwrap(), expected);
        }
        let mut buf = Vec::new();
        w_dt(&mut buf, None);
        assert_eq!(buf, b"null");
    }
}
