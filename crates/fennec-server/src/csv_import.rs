//! CSV imports of a production's breakdown (Zou's `source/csv` resources
//! for shots, assets, edits and casting): the columns Zou reads, the
//! entities and tasks it creates or updates, the answer it gives.
//!
//! Policy, beyond Zou: an import is one transaction. Zou commits row by
//! row and stops at the first bad one, leaving a half-imported file; here
//! a bad row (a missing column, a number that is not one, an unknown type,
//! status or person…) rejects the whole file with a 400 that names its
//! line (1-based, header included, as a spreadsheet shows it) and why, and
//! nothing changes.

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use fennec_api::models::{self, Kind};
use fennec_store::db::Exec;
use fennec_store::rows::{self, Filter, Row, Select};
use fennec_store::{links, SqlValue, StoreError};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::error::ApiError;
use crate::hierarchy::{col, create_entity_of_type, get_or_create_entity};
use crate::present::{id_of, uuid_field};
use crate::refs::RefData;

/// Why an import failed.
#[derive(Debug)]
pub enum ImportError {
    /// A row Fennec cannot import: its line and the reason.
    Row {
        line: u64,
        message: String,
    },
    /// The file itself (not CSV, no header…).
    File(String),
    Api(ApiError),
}

impl From<ApiError> for ImportError {
    fn from(e: ApiError) -> Self {
        ImportError::Api(e)
    }
}

impl From<StoreError> for ImportError {
    fn from(e: StoreError) -> Self {
        ImportError::Api(e.into())
    }
}

impl From<ImportError> for ApiError {
    /// Zou's bodies: `line_number` for a row, `imported_rows` kept in the
    /// shape Kitsu reads (always 0: nothing was kept).
    fn from(e: ImportError) -> ApiError {
        use axum::http::StatusCode;
        match e {
            ImportError::Row { line, message } => ApiError::new(
                StatusCode::BAD_REQUEST,
                json!({"error": true, "message": message, "line_number": line, "imported_rows": 0}),
            ),
            ImportError::File(message) => ApiError::new(
                StatusCode::BAD_REQUEST,
                json!({"error": true, "message": message}),
            ),
            ImportError::Api(e) => e,
        }
    }
}

/// A failure inside one row, before its line is known.
pub enum RowFail {
    Msg(String),
    Api(ApiError),
}

impl From<ApiError> for RowFail {
    fn from(e: ApiError) -> Self {
        RowFail::Api(e)
    }
}

impl From<StoreError> for RowFail {
    fn from(e: StoreError) -> Self {
        RowFail::Api(e.into())
    }
}

pub type RowResult<T> = Result<T, RowFail>;

fn fail<T>(m: impl Into<String>) -> RowResult<T> {
    Err(RowFail::Msg(m.into()))
}

/// A CSV file as Python's `DictReader` reads it: cells by header (a
/// repeated header keeps its last cell), a short row lacking its last
/// cells.
pub struct Table {
    pub rows: Vec<(u64, HashMap<String, String>)>,
}

/// The delimiter Zou's sniffer would most likely pick: the most frequent
/// of the usual ones in the header line.
fn sniff(text: &str) -> u8 {
    let first = text.lines().next().unwrap_or("");
    [b';', b',', b'\t', b'|']
        .into_iter()
        .max_by_key(|d| first.bytes().filter(|b| b == d).count())
        .unwrap_or(b',')
}

/// The 1-based line of byte `offset` in `text`.
fn line_at(text: &str, offset: u64) -> u64 {
    let bytes = text.as_bytes();
    let mut end = (offset as usize).min(bytes.len());
    // After a CRLF the record's offset is the LF's: the record starts past it.
    while end < bytes.len() && matches!(bytes[end], b'\r' | b'\n') {
        end += 1;
    }
    1 + bytes[..end].iter().filter(|b| **b == b'\n').count() as u64
}

pub fn read_table(bytes: &[u8]) -> Result<Table, ImportError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| ImportError::File("The file is not UTF-8 text.".into()))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(sniff(text))
        .flexible(true)
        .has_headers(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| ImportError::File(format!("Could not read the CSV header: {e}")))?
        .iter()
        .map(str::to_owned)
        .collect();
    if headers.iter().all(|h| h.trim().is_empty()) {
        return Err(ImportError::File("The file has no header line.".into()));
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| line_at(text, p.byte()));
            ImportError::Row {
                line,
                message: format!("Could not read the CSV line: {e}"),
            }
        })?;
        // The csv crate's own line count is one short after CRLF line
        // ends: the line is counted from the record's start.
        let line = record.position().map_or(0, |p| line_at(text, p.byte()));
        // Spreadsheets export empty lines as bare separators: nothing to import.
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut cells = HashMap::new();
        for (h, v) in headers.iter().zip(record.iter()) {
            cells.insert(h.clone(), v.to_owned());
        }
        rows.push((line, cells));
    }
    Ok(Table { rows })
}

type Cells = HashMap<String, String>;

fn cell<'a>(row: &'a Cells, column: &str) -> Option<&'a str> {
    row.get(column).map(String::as_str)
}

/// A column Zou indexes directly: its absence is its KeyError message.
fn required<'a>(row: &'a Cells, column: &str) -> RowResult<&'a str> {
    match cell(row, column) {
        Some(v) => Ok(v),
        None => fail(format!("A columns is missing: '{column}'")),
    }
}

/// Python's `int()` on a cell.
fn py_int(v: &str) -> Option<i64> {
    v.trim().parse::<i64>().ok()
}

/// Python's `strtobool`.
fn strtobool(v: &str) -> RowResult<bool> {
    match v.to_lowercase().as_str() {
        "y" | "yes" | "t" | "true" | "on" | "1" => Ok(true),
        "n" | "no" | "f" | "false" | "off" | "0" => Ok(false),
        _ => fail(format!("A value is invalid: invalid truth value '{v}'")),
    }
}

/// What every import of a production needs: the production, the caller,
/// reference data, the descriptors of the imported kind, people by name.
pub struct Ctx {
    pub project: Row,
    pub project_id: Uuid,
    pub user: Uuid,
    pub update: bool,
    pub refs: RefData,
    descriptors: Vec<Row>,
    persons: HashMap<String, Uuid>,
    task_types: Vec<Row>,
}

impl Ctx {
    pub async fn load(
        exec: &mut impl Exec,
        project: Row,
        user: Uuid,
        update: bool,
        kind: &str,
    ) -> Result<Ctx, ImportError> {
        let project_id = id_of(&project);
        let refs = RefData::load(exec).await?;
        let descriptors = rows::list(
            exec,
            &models::METADATA_DESCRIPTOR,
            &Select::default()
                .eq("project_id", SqlValue::Uuid(project_id))
                .eq("entity_type", SqlValue::Text(kind.to_owned())),
            false,
        )
        .await?;
        let mut persons = HashMap::new();
        for p in rows::list(exec, &models::PERSON, &Select::default(), false).await? {
            let id = id_of(&p);
            persons.insert(id.to_string(), id);
            persons.insert(crate::csv_export::full_name(&p).to_lowercase(), id);
            if let Some(e) = p.get("email").and_then(Value::as_str) {
                persons.insert(e.to_lowercase(), id);
            }
        }
        // Zou's get_project_task_types_raw: a type of no kind is an asset's.
        let linked = links::PROJECT_TASK_TYPES.rights(exec, project_id).await?;
        let task_types = linked
            .iter()
            .filter_map(|t| refs.task_types.get(t))
            .filter(|t| {
                let for_entity = t.get("for_entity").and_then(Value::as_str);
                for_entity == Some(kind) || (kind == "Asset" && for_entity.is_none())
            })
            .cloned()
            .collect();
        Ok(Ctx {
            project,
            project_id,
            user,
            update,
            refs,
            descriptors,
            persons,
            task_types,
        })
    }

    pub fn is_tv_show(&self) -> bool {
        self.project.get("production_type").and_then(Value::as_str) == Some("tvshow")
    }

    /// A person cell: full name, e-mail or id, in any case.
    fn person(&self, v: &str) -> RowResult<Uuid> {
        match self.persons.get(&v.trim().to_lowercase()) {
            Some(p) => Ok(*p),
            None => fail(format!("Person not found for {v}")),
        }
    }

    /// The row's descriptor cells merged into `data`: booleans as
    /// "true"/"false", persons as their id, an empty cell kept empty.
    fn descriptor_values(
        &self,
        row: &Cells,
        data: Map<String, Value>,
    ) -> RowResult<Map<String, Value>> {
        let mut data = data;
        for d in &self.descriptors {
            let name = d.get("name").and_then(Value::as_str).unwrap_or("");
            let Some(v) = cell(row, name) else {
                continue;
            };
            let field = d
                .get("field_name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            let value = if v.is_empty() {
                v.to_owned()
            } else {
                match d.get("data_type").and_then(Value::as_str) {
                    Some("boolean") => if strtobool(v)? { "true" } else { "false" }.to_owned(),
                    Some("person") => self.person(v)?.to_string(),
                    _ => v.to_owned(),
                }
            };
            data.insert(field, Value::String(value));
        }
        Ok(data)
    }

    /// The status, comment and assignees a row sets on the task of each
    /// task type of the production (columns "<type>", "<type> comment",
    /// "<type> assignations").
    fn task_updates(&self, row: &Cells, with_assignees: bool) -> RowResult<Vec<TaskUpdate>> {
        let mut out = Vec::new();
        for tt in &self.task_types {
            let name = tt.get("name").and_then(Value::as_str).unwrap_or("");
            let status = match cell(row, name).filter(|s| !s.is_empty()) {
                None => None,
                Some(s) => {
                    let wanted = s.to_lowercase();
                    let found = self.refs.statuses.values().find(|st| {
                        ["name", "short_name"].iter().any(|k| {
                            st.get(*k)
                                .and_then(Value::as_str)
                                .is_some_and(|n| n.to_lowercase() == wanted)
                        })
                    });
                    match found {
                        Some(st) => Some(id_of(st)),
                        None => return fail(format!("Task status not found for {s}")),
                    }
                }
            };
            let comment = cell(row, &format!("{name} comment")).map(str::to_owned);
            let mut assignees = Vec::new();
            if with_assignees {
                if let Some(v) = cell(row, &format!("{name} assignations")) {
                    for who in v.split(',').filter(|w| !w.trim().is_empty()) {
                        assignees.push(self.person(who)?);
                    }
                }
            }
            if status.is_some()
                || comment.as_deref().is_some_and(|c| !c.is_empty())
                || !assignees.is_empty()
            {
                out.push(TaskUpdate {
                    task_type: id_of(tt),
                    status,
                    comment,
                    assignees,
                });
            }
        }
        Ok(out)
    }

    fn default_status(&self) -> RowResult<Uuid> {
        self.refs
            .statuses
            .values()
            .filter(|s| {
                s.get("is_default").and_then(Value::as_bool) == Some(true)
                    && s.get("for_concept").and_then(Value::as_bool) != Some(true)
            })
            .map(id_of)
            .next()
            .ok_or_else(|| RowFail::Msg("No default task status is configured.".into()))
    }
}

pub struct TaskUpdate {
    task_type: Uuid,
    status: Option<Uuid>,
    comment: Option<String>,
    assignees: Vec<Uuid>,
}

fn task_col(name: &str) -> &'static models::Column {
    models::TASK.column(name).expect("task column")
}

/// The entity's tasks by task type.
async fn tasks_by_type(exec: &mut impl Exec, entity: Uuid) -> RowResult<HashMap<Uuid, Row>> {
    let list = rows::list(
        exec,
        &models::TASK,
        &Select::default().eq("entity_id", SqlValue::Uuid(entity)),
        false,
    )
    .await?;
    Ok(list
        .into_iter()
        .filter_map(|t| uuid_field(&t, "task_type_id").map(|tt| (tt, t)))
        .collect())
}

/// Zou's `create_task`: the "main" task of a type at the default status.
async fn create_task(
    exec: &mut impl Exec,
    ctx: &Ctx,
    task_type: Uuid,
    entity: &Row,
) -> RowResult<Row> {
    let status = ctx.default_status()?;
    let row = rows::insert(
        exec,
        &models::TASK,
        vec![
            (task_col("name"), SqlValue::Text("main".into())),
            (task_col("project_id"), SqlValue::Uuid(ctx.project_id)),
            (task_col("task_type_id"), SqlValue::Uuid(task_type)),
            (task_col("task_status_id"), SqlValue::Uuid(status)),
            (task_col("entity_id"), SqlValue::Uuid(id_of(entity))),
            (task_col("assigner_id"), SqlValue::Uuid(ctx.user)),
        ],
    )
    .await?;
    // Zou's create_task / create_tasks announce each task.
    let data = json!({ "task_id": id_of(&row).to_string() });
    crate::events::emit(exec, Some(ctx.user), "task:new", data, Some(ctx.project_id)).await?;
    Ok(row)
}

/// Creates the tasks of `task_types` the entity lacks.
async fn create_missing_tasks(
    exec: &mut impl Exec,
    ctx: &Ctx,
    entity: &Row,
    task_types: &[Uuid],
    tasks: &mut HashMap<Uuid, Row>,
) -> RowResult<()> {
    for tt in task_types {
        if let Entry::Vacant(slot) = tasks.entry(*tt) {
            slot.insert(create_task(exec, ctx, *tt, entity).await?);
        }
    }
    Ok(())
}

/// Gives each entity a task of each of the production's task types of
/// the imported kind, where it lacks one (Zou's `create_tasks`).
pub async fn create_tasks_for(
    exec: &mut impl Exec,
    ctx: &Ctx,
    entities: &[Uuid],
) -> Result<(), ImportError> {
    let all_types: Vec<Uuid> = ctx.task_types.iter().map(id_of).collect();
    for e in entities {
        let Some(entity) = rows::get(exec, &models::ENTITY, *e, false).await? else {
            continue;
        };
        let mut tasks = tasks_by_type(exec, *e).await.map_err(|f| at_line(0, f))?;
        create_missing_tasks(exec, ctx, &entity, &all_types, &mut tasks)
            .await
            .map_err(|f| at_line(0, f))?;
    }
    Ok(())
}

/// Applies a row's task updates (Zou's `create_and_update_tasks`): the
/// assignees added, then a comment posted when the row has one or changes
/// the status.
async fn apply_task_updates(
    exec: &mut impl Exec,
    ctx: &Ctx,
    entity: &Row,
    updates: &[TaskUpdate],
    tasks: &mut HashMap<Uuid, Row>,
    always_comment_on_status: bool,
) -> RowResult<()> {
    for u in updates {
        if let Entry::Vacant(slot) = tasks.entry(u.task_type) {
            slot.insert(create_task(exec, ctx, u.task_type, entity).await?);
        }
        let task = tasks.get(&u.task_type).cloned().expect("task made above");
        let task_id = id_of(&task);
        for p in &u.assignees {
            if !links::TASK_ASSIGNEES.contains(exec, task_id, *p).await? {
                links::TASK_ASSIGNEES.add(exec, task_id, *p).await?;
                // Zou's assign_task: `task:assign`, then `task:update`.
                crate::events::task_assigned(exec, ctx.user, &task, *p).await?;
            }
        }
        let current = uuid_field(&task, "task_status_id");
        // Zou's edits import compares a missing status with the task's too.
        let status_changes = if always_comment_on_status {
            u.status != current
        } else {
            u.status.is_some() && u.status != current
        };
        if u.comment.is_some() || status_changes {
            let status = u
                .status
                .or(current)
                .map_or_else(|| ctx.default_status(), Ok)?;
            let updated = comment(
                exec,
                ctx,
                &task,
                status,
                u.comment.clone().unwrap_or_default(),
            )
            .await?;
            tasks.insert(u.task_type, updated);
        }
    }
    Ok(())
}

/// Posts a comment on a task at `status`, with Zou's status side effects
/// (`_manage_status_change`): the first WIP stamps `real_start_date`, a
/// feedback request stamps `end_date` (another status but done clears
/// it), done stamps `done_date` (clearing it otherwise), a retake counts.
async fn comment(
    exec: &mut impl Exec,
    ctx: &Ctx,
    task: &Row,
    status: Uuid,
    text: String,
) -> RowResult<Row> {
    let c = &models::COMMENT;
    let ccol = |n: &str| c.column(n).expect("comment column");
    let row = rows::insert(
        exec,
        c,
        vec![
            (ccol("object_id"), SqlValue::Uuid(id_of(task))),
            (ccol("object_type"), SqlValue::Text("Task".into())),
            (ccol("text"), SqlValue::Text(text)),
            (ccol("checklist"), SqlValue::Json(json!([]))),
            (ccol("links"), SqlValue::Json(json!([]))),
            (ccol("for_client"), SqlValue::Bool(false)),
            (ccol("task_status_id"), SqlValue::Uuid(status)),
            (ccol("person_id"), SqlValue::Uuid(ctx.user)),
        ],
    )
    .await?;
    // Zou's create_comment: `comment:new`, `task:update`, and on a status
    // change `task:status-changed` (and `task:to-review`).
    let previous = uuid_field(task, "task_status_id");
    let created = crate::comments::CreatedComment {
        comment_id: id_of(&row),
        task_id: id_of(task),
        project_id: Some(ctx.project_id),
        author_id: ctx.user,
        mentions: Vec::new(),
        department_mentions: Vec::new(),
        task_status_id: status,
        previous_task_status_id: previous,
        status_changed: previous != Some(status),
        for_client: false,
        created_at: fennec_api::time::now(),
    };
    crate::events::on_new_comment(exec, ctx.user, &created).await?;
    let now = fennec_api::time::now();
    let st = ctx.refs.statuses.get(&status);
    let is = |k: &str| st.and_then(|s| s.get(k)).and_then(Value::as_bool) == Some(true);
    let mut changes = vec![
        (task_col("task_status_id"), SqlValue::Uuid(status)),
        (task_col("last_comment_date"), SqlValue::DateTime(now)),
    ];
    if uuid_field(task, "task_status_id") != Some(status) {
        let never = SqlValue::Null(Kind::DateTime);
        if is("is_retake") {
            let n = task
                .get("retake_count")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            changes.push((task_col("retake_count"), SqlValue::Int(n + 1)));
        }
        if is("is_wip") && task.get("real_start_date").is_none_or(Value::is_null) {
            changes.push((task_col("real_start_date"), SqlValue::DateTime(now)));
        }
        if is("is_feedback_request") {
            changes.push((task_col("end_date"), SqlValue::DateTime(now)));
        } else if !is("is_done") {
            changes.push((task_col("end_date"), never.clone()));
        }
        changes.push((
            task_col("done_date"),
            if is("is_done") {
                SqlValue::DateTime(now)
            } else {
                never
            },
        ));
    }
    let updated = rows::update(exec, &models::TASK, id_of(task), changes).await?;
    Ok(updated.unwrap_or_else(|| task.clone()))
}

/// The entity of `type_id` named `name` in the production (and under
/// `parent`, when given).
async fn find_entity(
    exec: &mut impl Exec,
    project: Uuid,
    type_id: Uuid,
    name: &str,
    parent: Option<Option<Uuid>>,
) -> RowResult<Option<Row>> {
    let mut select = Select::default()
        .eq("project_id", SqlValue::Uuid(project))
        .eq("entity_type_id", SqlValue::Uuid(type_id))
        .eq("name", SqlValue::Text(name.to_owned()));
    match parent {
        Some(Some(p)) => select = select.eq("parent_id", SqlValue::Uuid(p)),
        Some(None) => select = select.filter(Filter::IsNull("parent_id")),
        None => {}
    }
    Ok(rows::list(exec, &models::ENTITY, &select, false)
        .await?
        .into_iter()
        .next())
}

fn entity_type(ctx: &Ctx, kind: &str) -> RowResult<Uuid> {
    ctx.refs
        .entity_types
        .id_of(kind)
        .ok_or_else(|| RowFail::Msg(format!("The {kind} entity type is missing.")))
}

/// The answer's entity, as Zou's `Entity.serialize()` writes it.
async fn serialized(exec: &mut impl Exec, id: Uuid) -> RowResult<Value> {
    let mut row = rows::get(exec, &models::ENTITY, id, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    row.insert("type".into(), Value::String("Entity".into()));
    Ok(Value::Object(row))
}

fn data_of(e: Option<&Row>) -> Map<String, Value> {
    e.and_then(|e| e.get("data"))
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

/// A row's failure, with its line.
/// The production's entity of `kind` named `name` under `parent`, found or
/// created once per import: `cache` remembers it under `key` for the rows
/// that follow.
pub async fn cached_entity<K: Eq + std::hash::Hash>(
    exec: &mut impl Exec,
    ctx: &Ctx,
    cache: &mut HashMap<K, Uuid>,
    key: K,
    kind: &str,
    parent: Option<Uuid>,
    name: &str,
) -> Result<Uuid, ApiError> {
    if let Some(id) = cache.get(&key) {
        return Ok(*id);
    }
    let e = get_or_create_entity(
        exec,
        ctx.project_id,
        kind,
        parent,
        name,
        &Map::new(),
        ctx.user,
    )
    .await?;
    cache.insert(key, id_of(&e));
    Ok(id_of(&e))
}

/// The episode a row's `Episode` cell names, found or created once per
/// import; none for an empty cell or `skip` (the asset import's main pack,
/// "MP"). Only a TV show has episodes: the column elsewhere fails the row.
async fn row_episode(
    exec: &mut impl Exec,
    ctx: &Ctx,
    episodes: &mut HashMap<String, Uuid>,
    row: &Cells,
    skip: Option<&str>,
) -> RowResult<Option<Uuid>> {
    let episode_name = cell(row, "Episode")
        .map(str::trim)
        .filter(|e| !e.is_empty());
    if !ctx.is_tv_show() {
        if episode_name.is_some() {
            return fail("An episode column is present for a production that isn't a TV Show");
        }
        return Ok(None);
    }
    match episode_name.filter(|e| Some(*e) != skip) {
        Some(e) => Ok(Some(
            cached_entity(exec, ctx, episodes, e.to_owned(), "Episode", None, e).await?,
        )),
        None => Ok(None),
    }
}

pub fn at_line(line: u64, f: RowFail) -> ImportError {
    match f {
        RowFail::Msg(message) => ImportError::Row { line, message },
        // A database refusal is about this row's data too.
        RowFail::Api(e) if e.status == axum::http::StatusCode::BAD_REQUEST => {
            let message = e
                .body
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or("Invalid row")
                .to_owned();
            ImportError::Row { line, message }
        }
        RowFail::Api(e) => ImportError::Api(e),
    }
}

/// Zou's `ShotsCsvImportResource`.
pub struct ShotImport<'a> {
    pub ctx: &'a Ctx,
    episodes: HashMap<String, Uuid>,
    sequences: HashMap<(Option<Uuid>, String), Uuid>,
}

impl<'a> ShotImport<'a> {
    pub fn new(ctx: &'a Ctx) -> Self {
        ShotImport {
            ctx,
            episodes: HashMap::new(),
            sequences: HashMap::new(),
        }
    }
}

impl ShotImport<'_> {
    pub async fn row(&mut self, exec: &mut impl Exec, row: &Cells) -> RowResult<Value> {
        let ctx = self.ctx;
        let tv = ctx.is_tv_show();
        let mut columns = vec!["Sequence", "Name"];
        if tv {
            columns.insert(0, "Episode");
        }
        for c in &columns {
            if required(row, c)?.trim().is_empty() {
                return fail(format!("{c} cannot be empty"));
            }
        }
        let episode = if tv {
            let name = required(row, "Episode")?.to_owned();
            Some(
                cached_entity(
                    exec,
                    ctx,
                    &mut self.episodes,
                    name.clone(),
                    "Episode",
                    None,
                    &name,
                )
                .await?,
            )
        } else {
            None
        };
        let seq_name = required(row, "Sequence")?.to_owned();
        let key = (episode, seq_name.clone());
        let sequence = cached_entity(
            exec,
            ctx,
            &mut self.sequences,
            key,
            "Sequence",
            episode,
            &seq_name,
        )
        .await?;
        let name = required(row, "Name")?;
        let shot_type = entity_type(ctx, "Shot")?;
        let existing =
            find_entity(exec, ctx.project_id, shot_type, name, Some(Some(sequence))).await?;

        let mut values = Map::new();
        if let Some(d) = cell(row, "Description") {
            values.insert("description".into(), Value::String(d.to_owned()));
        }
        let first_filled = |a: &str, b: &str| {
            cell(row, a)
                .filter(|v| !v.is_empty())
                .or_else(|| cell(row, b))
                .filter(|v| !v.is_empty())
        };
        if let Some(v) = first_filled("Nb Frames", "Frames") {
            let Some(n) = py_int(v) else {
                return fail(format!("nb_frames must be an integer, got '{v}'"));
            };
            values.insert("nb_frames".into(), json!(n));
        }
        let mut data = data_of(existing.as_ref());
        for (a, b, key) in [
            ("Frame In", "In", "frame_in"),
            ("Frame Out", "Out", "frame_out"),
        ] {
            if let Some(v) = first_filled(a, b) {
                let Some(n) = py_int(v) else {
                    return fail(format!("{key} must be an integer, got '{v}'"));
                };
                data.insert(key.into(), json!(n));
            }
        }
        // A frame range without a frame count gives the count.
        if !values.contains_key("nb_frames") {
            let frame = |k: &str| match data.get(k) {
                Some(Value::Number(n)) => n.as_i64(),
                Some(Value::String(s)) => py_int(s),
                _ => None,
            };
            if let (Some(i), Some(o)) = (frame("frame_in"), frame("frame_out")) {
                if o > i {
                    values.insert("nb_frames".into(), json!(o - i + 1));
                }
            }
        }
        for (column, key) in [("FPS", "fps"), ("Resolution", "resolution")] {
            if let Some(v) = cell(row, column) {
                data.insert(key.into(), Value::String(v.to_owned()));
            }
        }
        let data = ctx.descriptor_values(row, data)?;
        let updates = ctx.task_updates(row, true)?;
        let all_types: Vec<Uuid> = ctx.task_types.iter().map(id_of).collect();
        match existing {
            None => {
                values.insert("data".into(), Value::Object(data));
                values.entry("nb_frames").or_insert(json!(0));
                let shot = create_entity_of_type(
                    exec,
                    ctx.project_id,
                    shot_type,
                    "Shot",
                    Some(sequence),
                    name,
                    &values,
                    ctx.user,
                )
                .await?;
                // A new shot gets a task of each of the production's shot
                // task types (Zou makes them at once or after the file).
                let mut tasks = HashMap::new();
                create_missing_tasks(exec, ctx, &shot, &all_types, &mut tasks).await?;
                apply_task_updates(exec, ctx, &shot, &updates, &mut tasks, false).await?;
                serialized(exec, id_of(&shot)).await
            }
            Some(shot) if ctx.update => {
                let mut changes = vec![(col("data"), SqlValue::Json(Value::Object(data)))];
                if let Some(Value::String(d)) = values.get("description") {
                    changes.push((col("description"), SqlValue::Text(d.clone())));
                }
                if let Some(n) = values.get("nb_frames").and_then(Value::as_i64) {
                    changes.push((col("nb_frames"), SqlValue::Int(n)));
                }
                rows::update(exec, &models::ENTITY, id_of(&shot), changes).await?;
                // Zou's update_shot.
                let data = json!({ "shot_id": id_of(&shot).to_string() });
                crate::events::emit(
                    exec,
                    Some(ctx.user),
                    "shot:update",
                    data,
                    Some(ctx.project_id),
                )
                .await?;
                if !updates.is_empty() {
                    let mut tasks = tasks_by_type(exec, id_of(&shot)).await?;
                    apply_task_updates(exec, ctx, &shot, &updates, &mut tasks, false).await?;
                }
                serialized(exec, id_of(&shot)).await
            }
            Some(shot) => serialized(exec, id_of(&shot)).await,
        }
    }
}

/// Zou's `AssetsCsvImportResource`.
pub struct AssetImport<'a> {
    pub ctx: &'a Ctx,
    episodes: HashMap<String, Uuid>,
    /// The production's asset types by lower-case name; empty means any.
    project_types: HashMap<String, Uuid>,
    /// Task types of the production for assets, by asset type workflow.
    workflows: HashMap<Uuid, Vec<Uuid>>,
}

impl<'a> AssetImport<'a> {
    pub async fn new(exec: &mut impl Exec, ctx: &'a Ctx) -> Result<AssetImport<'a>, ImportError> {
        let mut episodes = HashMap::new();
        if ctx.is_tv_show() {
            let ep_type = ctx.refs.entity_types.id_of("Episode");
            if let Some(t) = ep_type {
                let list = rows::list(
                    exec,
                    &models::ENTITY,
                    &Select::default()
                        .eq("project_id", SqlValue::Uuid(ctx.project_id))
                        .eq("entity_type_id", SqlValue::Uuid(t)),
                    false,
                )
                .await?;
                for e in list {
                    let n = e
                        .get("name")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_owned();
                    episodes.insert(n, id_of(&e));
                }
            }
        }
        let mut project_types = HashMap::new();
        for t in links::PROJECT_ASSET_TYPES
            .rights(exec, ctx.project_id)
            .await?
        {
            if let Some(n) = ctx.refs.entity_types.name(t) {
                if ctx.refs.entity_types.kind(t) == "Asset" {
                    project_types.insert(n.to_lowercase(), t);
                }
            }
        }
        Ok(AssetImport {
            ctx,
            episodes,
            project_types,
            workflows: HashMap::new(),
        })
    }

    async fn workflow(&mut self, exec: &mut impl Exec, asset_type: Uuid) -> RowResult<Vec<Uuid>> {
        if let Some(w) = self.workflows.get(&asset_type) {
            return Ok(w.clone());
        }
        let mut ids: Vec<Uuid> = self.ctx.task_types.iter().map(id_of).collect();
        let narrowed = links::ASSET_TYPE_TASK_TYPES
            .rights(exec, asset_type)
            .await?;
        if !narrowed.is_empty() {
            ids.retain(|t| narrowed.contains(t));
        }
        self.workflows.insert(asset_type, ids.clone());
        Ok(ids)
    }

    async fn asset_type(&mut self, exec: &mut impl Exec, name: &str) -> RowResult<Uuid> {
        let lower = name.to_lowercase();
        let types = &self.ctx.refs.entity_types;
        let existing = types
            .asset_type_ids()
            .into_iter()
            .find(|t| types.name(*t).is_some_and(|n| n.to_lowercase() == lower));
        if !self.project_types.is_empty() {
            // The production's list is closed: an unknown name is a typo;
            // a known type missing from the list joins it.
            if let Some(t) = self.project_types.get(&lower) {
                return Ok(*t);
            }
            let Some(t) = existing else {
                return fail(format!(
                    "Asset type {name} is not configured for this project"
                ));
            };
            links::PROJECT_ASSET_TYPES
                .add(exec, self.ctx.project_id, t)
                .await?;
            self.project_types.insert(lower, t);
            return Ok(t);
        }
        if let Some(t) = existing {
            return Ok(t);
        }
        // No list: Zou creates the type.
        let et = &models::ENTITY_TYPE;
        let row = rows::insert(
            exec,
            et,
            vec![(
                et.column("name").expect("name"),
                SqlValue::Text(name.to_owned()),
            )],
        )
        .await?;
        Ok(id_of(&row))
    }
}

impl AssetImport<'_> {
    pub async fn row(&mut self, exec: &mut impl Exec, row: &Cells) -> RowResult<Value> {
        let ctx = self.ctx;
        let name = required(row, "Name")?.to_owned();
        let type_name = required(row, "Type")?.to_owned();
        if type_name.trim().is_empty() {
            return fail("An asset type is required in the Type column");
        }
        // Zou creates an asset named "" from such a row; Fennec refuses it.
        if name.trim().is_empty() {
            return fail("Name cannot be empty");
        }
        let episode = row_episode(exec, ctx, &mut self.episodes, row, Some("MP")).await?;
        let type_id = self.asset_type(exec, &type_name).await?;
        let existing = find_entity(exec, ctx.project_id, type_id, &name, None).await?;
        let description = cell(row, "Description").map(str::to_owned);
        let mut data = data_of(existing.as_ref());
        if let Some(r) = cell(row, "Resolution") {
            data.insert("resolution".into(), Value::String(r.to_owned()));
        }
        let data = ctx.descriptor_values(row, data)?;
        let ready_for = match cell(row, "Ready for") {
            None => None,
            Some("") => Some(None),
            Some(r) => {
                let shot_types = links::PROJECT_TASK_TYPES
                    .rights(exec, ctx.project_id)
                    .await?;
                let found = shot_types.iter().find(|t| {
                    ctx.refs.task_types.get(t).is_some_and(|tt| {
                        tt.get("name").and_then(Value::as_str) == Some(r)
                            && tt.get("for_entity").and_then(Value::as_str) == Some("Shot")
                    })
                });
                match found {
                    Some(t) => Some(Some(*t)),
                    None => return fail(format!("Task type not found for {r}")),
                }
            }
        };
        let updates = ctx.task_updates(row, true)?;
        let workflow = self.workflow(exec, type_id).await?;
        let asset = match existing {
            None => {
                let mut body = Map::new();
                body.insert(
                    "description".into(),
                    description.map_or(Value::Null, Value::String),
                );
                body.insert("data".into(), Value::Object(data));
                if let Some(e) = episode {
                    body.insert("source_id".into(), Value::String(e.to_string()));
                }
                let asset = create_entity_of_type(
                    exec,
                    ctx.project_id,
                    type_id,
                    "Asset",
                    None,
                    &name,
                    &body,
                    ctx.user,
                )
                .await?;
                if let Some(Some(t)) = ready_for {
                    rows::update(
                        exec,
                        &models::ENTITY,
                        id_of(&asset),
                        vec![(col("ready_for"), SqlValue::Uuid(t))],
                    )
                    .await?;
                }
                let mut tasks = HashMap::new();
                create_missing_tasks(exec, ctx, &asset, &workflow, &mut tasks).await?;
                apply_task_updates(exec, ctx, &asset, &updates, &mut tasks, false).await?;
                asset
            }
            Some(asset) if ctx.update => {
                // Zou's update_asset sends the values it wrote: the row's
                // identity, then what the file sets.
                let mut sent = Map::new();
                sent.insert("name".into(), json!(name));
                sent.insert("project_id".into(), json!(ctx.project_id.to_string()));
                sent.insert("entity_type_id".into(), json!(type_id.to_string()));
                sent.insert("source_id".into(), json!(episode.map(|e| e.to_string())));
                if let Some(d) = &description {
                    sent.insert("description".into(), json!(d));
                }
                sent.insert("data".into(), Value::Object(data.clone()));
                if let Some(r) = ready_for {
                    sent.insert("ready_for".into(), json!(r.map(|t| t.to_string())));
                }
                let event = json!({ "asset_id": id_of(&asset).to_string(), "data": sent });
                crate::events::emit(
                    exec,
                    Some(ctx.user),
                    "asset:update",
                    event,
                    Some(ctx.project_id),
                )
                .await?;
                let mut changes = vec![
                    (col("data"), SqlValue::Json(Value::Object(data))),
                    (
                        col("source_id"),
                        episode.map_or(SqlValue::Null(Kind::Uuid), SqlValue::Uuid),
                    ),
                ];
                if let Some(d) = description {
                    changes.push((col("description"), SqlValue::Text(d)));
                }
                if let Some(r) = ready_for {
                    changes.push((
                        col("ready_for"),
                        r.map_or(SqlValue::Null(Kind::Uuid), SqlValue::Uuid),
                    ));
                }
                rows::update(exec, &models::ENTITY, id_of(&asset), changes).await?;
                let mut tasks = tasks_by_type(exec, id_of(&asset)).await?;
                create_missing_tasks(exec, ctx, &asset, &workflow, &mut tasks).await?;
                apply_task_updates(exec, ctx, &asset, &updates, &mut tasks, false).await?;
                asset
            }
            Some(asset) => {
                // Left as it is, but a re-import gives it the tasks it lacks.
                let mut tasks = tasks_by_type(exec, id_of(&asset)).await?;
                create_missing_tasks(exec, ctx, &asset, &workflow, &mut tasks).await?;
                asset
            }
        };
        serialized(exec, id_of(&asset)).await
    }
}

/// Zou's `EditsCsvImportResource`.
pub struct EditImport<'a> {
    pub ctx: &'a Ctx,
    episodes: HashMap<String, Uuid>,
}

impl<'a> EditImport<'a> {
    pub fn new(ctx: &'a Ctx) -> Self {
        EditImport {
            ctx,
            episodes: HashMap::new(),
        }
    }
}

impl EditImport<'_> {
    pub async fn row(&mut self, exec: &mut impl Exec, row: &Cells) -> RowResult<Value> {
        let ctx = self.ctx;
        let name = required(row, "Name")?.to_owned();
        if name.trim().is_empty() {
            return fail("Name cannot be empty");
        }
        let episode = row_episode(exec, ctx, &mut self.episodes, row, None).await?;
        let edit_type = entity_type(ctx, "Edit")?;
        let existing = find_entity(exec, ctx.project_id, edit_type, &name, Some(episode)).await?;
        let description = cell(row, "Description").map(str::to_owned);
        let data = ctx.descriptor_values(row, data_of(existing.as_ref()))?;
        let updates = ctx.task_updates(row, false)?;
        let all_types: Vec<Uuid> = ctx.task_types.iter().map(id_of).collect();
        let edit = match existing {
            None => {
                let mut body = Map::new();
                body.insert(
                    "description".into(),
                    Value::String(description.unwrap_or_default()),
                );
                body.insert("data".into(), Value::Object(data));
                let edit = create_entity_of_type(
                    exec,
                    ctx.project_id,
                    edit_type,
                    "Edit",
                    episode,
                    &name,
                    &body,
                    ctx.user,
                )
                .await?;
                let mut tasks = HashMap::new();
                create_missing_tasks(exec, ctx, &edit, &all_types, &mut tasks).await?;
                apply_task_updates(exec, ctx, &edit, &updates, &mut tasks, true).await?;
                edit
            }
            Some(edit) if ctx.update => {
                let mut changes = vec![(col("data"), SqlValue::Json(Value::Object(data)))];
                if let Some(d) = description {
                    changes.push((col("description"), SqlValue::Text(d)));
                }
                rows::update(exec, &models::ENTITY, id_of(&edit), changes).await?;
                // Zou's update_edit.
                let data = json!({ "edit_id": id_of(&edit).to_string() });
                crate::events::emit(
                    exec,
                    Some(ctx.user),
                    "edit:update",
                    data,
                    Some(ctx.project_id),
                )
                .await?;
                if !updates.is_empty() {
                    let mut tasks = tasks_by_type(exec, id_of(&edit)).await?;
                    apply_task_updates(exec, ctx, &edit, &updates, &mut tasks, true).await?;
                }
                edit
            }
            Some(edit) => edit,
        };
        serialized(exec, id_of(&edit)).await
    }
}

/// Zou's `CastingCsvImportResource`: entities and assets matched by the
/// slugs of their names (Zou's keys), links created or updated.
pub struct CastingImport<'a> {
    pub ctx: &'a Ctx,
    assets: HashMap<String, Uuid>,
    shots: HashMap<String, Uuid>,
    episodes: HashMap<String, Uuid>,
}

fn slug(s: &str) -> String {
    slug::slugify(s)
}

impl<'a> CastingImport<'a> {
    pub async fn new(exec: &mut impl Exec, ctx: &'a Ctx) -> Result<CastingImport<'a>, ImportError> {
        let all = rows::list(
            exec,
            &models::ENTITY,
            &Select::default().eq("project_id", SqlValue::Uuid(ctx.project_id)),
            false,
        )
        .await?;
        let types = &ctx.refs.entity_types;
        let by_id: HashMap<Uuid, &Row> = all.iter().map(|e| (id_of(e), e)).collect();
        let name = |e: &Row| {
            e.get("name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned()
        };
        let kind = |e: &Row| {
            uuid_field(e, "entity_type_id")
                .map_or("", |t| types.kind(t))
                .to_owned()
        };
        let tv = ctx.is_tv_show();
        let mut assets = HashMap::new();
        let mut shots = HashMap::new();
        let mut episodes = HashMap::new();
        for e in &all {
            match kind(e).as_str() {
                "Asset" => {
                    let t = uuid_field(e, "entity_type_id")
                        .and_then(|t| types.name(t))
                        .unwrap_or("");
                    assets.insert(format!("{}{}", slug(t), slug(&name(e))), id_of(e));
                }
                "Episode" if tv => {
                    episodes.insert(format!("episode{}", slug(&name(e))), id_of(e));
                }
                "Shot" => {
                    let Some(seq) = uuid_field(e, "parent_id").and_then(|s| by_id.get(&s)) else {
                        continue;
                    };
                    let ep = if tv {
                        uuid_field(seq, "parent_id")
                            .and_then(|p| by_id.get(&p))
                            .filter(|p| kind(p) == "Episode")
                            .map(|p| slug(&name(p)))
                            .unwrap_or_default()
                    } else {
                        String::new()
                    };
                    shots.insert(
                        format!("{ep}{}{}", slug(&name(seq)), slug(&name(e))),
                        id_of(e),
                    );
                }
                _ => {}
            }
        }
        Ok(CastingImport {
            ctx,
            assets,
            shots,
            episodes,
        })
    }
}

impl CastingImport<'_> {
    pub async fn row(&mut self, exec: &mut impl Exec, row: &Cells) -> RowResult<Value> {
        let asset_key = slug(&format!(
            "{}{}",
            required(row, "Asset Type")?,
            required(row, "Asset")?
        ));
        let episode = match cell(row, "Episode") {
            None | Some("MP") => "",
            Some(e) => e,
        };
        let parent = required(row, "Parent")?;
        let name = required(row, "Name")?;
        let target_key = slug(&format!("{episode}{parent}{name}"));
        let occ = required(row, "Occurences")?;
        let occurences = if occ.is_empty() {
            1
        } else {
            match py_int(occ) {
                Some(n) => n,
                None => {
                    return fail(format!(
                        "A value is invalid: invalid literal for int() with base 10: '{occ}'"
                    ))
                }
            }
        };
        let label = slug(cell(row, "Label").unwrap_or("fixed"));
        // Zou skips a row it cannot resolve; Fennec says which one.
        let Some(asset) = self.assets.get(&asset_key).copied() else {
            return fail(format!(
                "Asset not found: {} {}",
                required(row, "Asset Type")?,
                required(row, "Asset")?
            ));
        };
        let target = self
            .shots
            .get(&target_key)
            .or_else(|| self.assets.get(&slug(&format!("{parent}{name}"))))
            .or_else(|| self.episodes.get(&target_key))
            .copied();
        let Some(target) = target else {
            return fail(format!("Nothing to cast in: {parent} {name}"));
        };
        let bd = fennec_store::breakdown::link_between(exec, target, asset).await?;
        match bd {
            Some(link) => {
                fennec_store::breakdown::update_link(exec, link.id, occurences, &label).await?;
            }
            None => {
                mirror_in_episode(exec, self.ctx, target, asset, &label).await?;
                let link = fennec_store::breakdown::insert_link(
                    exec, target, asset, occurences, &label, None,
                )
                .await?;
                // Zou's create_casting_link announces a new link (an
                // updated one is written directly by its import: no event).
                let data = json!({
                    "entity_link_id": link.to_string(),
                    "entity_in_id": target.to_string(),
                    "entity_out_id": asset.to_string(),
                    "nb_occurences": occurences,
                });
                self.emit(exec, "entity-link:new", data).await?;
                fennec_store::breakdown::shift_count(exec, target, 1).await?;
            }
        }
        let target_row = rows::get(exec, &models::ENTITY, target, false).await?;
        let kind = target_row
            .as_ref()
            .and_then(|r| uuid_field(r, "entity_type_id"))
            .map_or("", |t| self.ctx.refs.entity_types.kind(t));
        if kind == "Shot" {
            // Zou's import refreshes the shot's casting stats (live links
            // recounted, each task's nb_assets_ready) before announcing it.
            let (caller, project) = (self.ctx.user, self.ctx.project_id);
            crate::casting_stats::refresh_shot(exec, caller, project, target, None, None).await?;
        }
        // Zou's import announces the casting without its diff.
        let nb = fennec_store::breakdown::count(exec, target).await?;
        let (name, data) = match kind {
            "Shot" => (
                "shot:casting-update",
                json!({"shot_id": target.to_string(), "nb_entities_out": nb}),
            ),
            "Episode" => (
                "episode:casting-update",
                json!({"episode_id": target.to_string(), "nb_entities_out": nb}),
            ),
            _ => (
                "asset:casting-update",
                json!({"asset_id": target.to_string()}),
            ),
        };
        self.emit(exec, name, data).await?;
        Ok(Value::Null)
    }

    async fn emit(&self, exec: &mut impl Exec, name: &str, data: Value) -> RowResult<()> {
        let (caller, project) = (self.ctx.user, self.ctx.project_id);
        crate::events::emit(exec, Some(caller), name, data, Some(project)).await?;
        Ok(())
    }
}

/// Zou's `_create_episode_casting_link`: an asset cast in a shot of an
/// episode is cast in the episode too, once, flagged as a mirror.
async fn mirror_in_episode(
    exec: &mut impl Exec,
    ctx: &Ctx,
    target: Uuid,
    asset: Uuid,
    label: &str,
) -> RowResult<()> {
    let Some(shot) = rows::get(exec, &models::ENTITY, target, false).await? else {
        return Ok(());
    };
    let types = &ctx.refs.entity_types;
    if uuid_field(&shot, "entity_type_id").map(|t| types.kind(t)) != Some("Shot") {
        return Ok(());
    }
    let Some(seq) = uuid_field(&shot, "parent_id") else {
        return Ok(());
    };
    let Some(seq) = rows::get(exec, &models::ENTITY, seq, false).await? else {
        return Ok(());
    };
    let Some(episode) = uuid_field(&seq, "parent_id") else {
        return Ok(());
    };
    if fennec_store::breakdown::link_between(exec, episode, asset)
        .await?
        .is_none()
    {
        fennec_store::breakdown::insert_link(
            exec,
            episode,
            asset,
            1,
            label,
            Some(json!({"auto": true})),
        )
        .await?;
        fennec_store::breakdown::shift_count(exec, episode, 1).await?;
        // Zou's _create_episode_casting_link announces the asset.
        let data = json!({ "asset_id": asset.to_string() });
        crate::events::emit(
            exec,
            Some(ctx.user),
            "asset:update",
            data,
            Some(ctx.project_id),
        )
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(t: &Table) -> Vec<(u64, Option<String>)> {
        t.rows
            .iter()
            .map(|(l, r)| (*l, r.get("Name").cloned()))
            .collect()
    }

    #[test]
    fn lines_are_the_file_lines_whatever_the_line_ends() {
        for text in [
            "Sequence;Name\r\nSQ;A\r\n\r\nSQ;B\r\n",
            "Sequence;Name\nSQ;A\n\nSQ;B\n",
        ] {
            let t = read_table(text.as_bytes()).expect("table");
            assert_eq!(
                lines(&t),
                vec![(2, Some("A".into())), (4, Some("B".into()))],
                "{text:?}"
            );
        }
        // A quoted cell over two lines: the next row is on line 4.
        let t = read_table(b"Name;Description\n\"A\";\"two\nlines\"\nB;x\n").expect("table");
        assert_eq!(
            lines(&t),
            vec![(2, Some("A".into())), (4, Some("B".into()))]
        );
    }

    #[test]
    fn delimiter_bom_blank_rows_and_short_rows() {
        let t = read_table("\u{feff}Sequence,Name,Frames\nSQ,A,10\n,,\nSQ,B\n".as_bytes())
            .expect("table");
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0].1.get("Sequence").map(String::as_str), Some("SQ"));
        // A short row lacks its last cells, as Python's DictReader reads it.
        assert_eq!(t.rows[1].1.get("Frames"), None);
        assert!(matches!(read_table(b"\xff\xfe"), Err(ImportError::File(_))));
    }

    #[test]
    fn python_conversions() {
        assert_eq!(py_int(" 12 "), Some(12));
        assert_eq!(py_int("12.5"), None);
        assert!(matches!(strtobool("Yes"), Ok(true)));
        assert!(matches!(strtobool("off"), Ok(false)));
        match strtobool("maybe") {
            Err(RowFail::Msg(m)) => {
                assert_eq!(m, "A value is invalid: invalid truth value 'maybe'")
            }
            _ => panic!("maybe is no boolean"),
        }
    }

    #[test]
    fn row_errors_name_their_line() {
        let e: ApiError = at_line(7, RowFail::Msg("bad".into())).into();
        assert_eq!(e.status, axum::http::StatusCode::BAD_REQUEST);
        assert_eq!(
            e.body,
            json!({"error": true, "message": "bad", "line_number": 7, "imported_rows": 0})
        );
        let e: ApiError = at_line(3, RowFail::Api(ApiError::forbidden())).into();
        assert_eq!(e.status, axum::http::StatusCode::FORBIDDEN);
    }
}
