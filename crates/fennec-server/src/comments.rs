//! Zou's comments service, shared by the routes that write comments (one
//! task's comment, batch comments, replies, acknowledgements): creation
//! with its status change and mentions, and the comment JSON Zou answers.
//!
//! Policy: every function works inside the caller's transaction, so a batch
//! either writes all its comments or none. What a comment changed is handed
//! back as a [`CreatedComment`], the hook for notifications and news.

use fennec_api::models;
use fennec_store::db::Exec;
use fennec_store::links;
use fennec_store::rows::{self, Row, Select};
use fennec_store::{tasks as store_tasks, SqlValue};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::auth::user::Role;
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::present::{id_of, uuid_field};
use crate::reach::{entity_created_by, load_task, manages};
use crate::task_rows::{flag, task_col, Lookups, TASK};

/// A comment to write, as Zou's comment schema reads it from a body.
#[derive(Clone, Debug)]
pub struct CommentInput {
    pub task_status_id: Uuid,
    pub text: String,
    pub checklist: Value,
    pub links: Value,
    /// Asked for the client; only managers' requests are kept.
    pub for_client: bool,
    /// The author named in the body (managers only); the caller otherwise.
    pub person_id: Option<String>,
}

/// What a new comment did, for whoever reacts to it (notifications, news,
/// events): Zou's `create_comment` hands the same facts to its
/// notifications and news services.
#[derive(Clone, Debug)]
pub struct CreatedComment {
    pub comment_id: Uuid,
    pub task_id: Uuid,
    pub project_id: Option<Uuid>,
    pub author_id: Uuid,
    /// People and departments the text mentions (stored in the link tables).
    pub mentions: Vec<Uuid>,
    pub department_mentions: Vec<Uuid>,
    pub task_status_id: Uuid,
    pub previous_task_status_id: Option<Uuid>,
    /// Did the comment move the task to another status?
    pub status_changed: bool,
    pub for_client: bool,
    pub created_at: chrono::NaiveDateTime,
}

/// Reads a comment body as Zou's schema does: `task_status_id` required,
/// the checklist and links possibly JSON strings (form posts), `comment`
/// and `for_client` optional.
pub fn parse_input(body: &Map<String, Value>) -> ApiResult<CommentInput> {
    let task_status_id = match body.get("task_status_id") {
        None => {
            return Err(ApiError::validation(vec![(
                "task_status_id".into(),
                "Field required".into(),
            )]))
        }
        // Zou's schema takes any string and the status lookup answers 404.
        Some(Value::String(s)) => Uuid::parse_str(s).map_err(|_| ApiError::not_found())?,
        Some(_) => {
            return Err(ApiError::validation(vec![(
                "task_status_id".into(),
                "Input should be a valid string".into(),
            )]))
        }
    };
    // A checklist or links may come as a JSON string (form posts); Zou
    // parses them.
    let json_list = |key: &str| -> ApiResult<Value> {
        match body.get(key) {
            Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
                Ok(v @ Value::Array(_)) => Ok(v),
                _ => Err(ApiError::validation(vec![(
                    key.into(),
                    "Value error, invalid literal: line 1 column 1 (char 0)".into(),
                )])),
            },
            Some(v @ Value::Array(_)) => Ok(v.clone()),
            _ => Ok(json!([])),
        }
    };
    let checklist = json_list("checklist")?;
    let links = json_list("links")?;
    let text = match body.get("comment") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(_) => {
            return Err(ApiError::validation(vec![(
                "comment".into(),
                "Input should be a valid string".into(),
            )]))
        }
    };
    let for_client = match body.get("for_client") {
        None => false,
        Some(v) => crate::extract::schema_bool(v)
            .map_err(|m| ApiError::validation(vec![("for_client".into(), m.into())]))?,
    };
    let person_id = body
        .get("person_id")
        .and_then(Value::as_str)
        .map(str::to_owned);
    Ok(CommentInput {
        task_status_id,
        text,
        checklist,
        links,
        for_client,
        person_id,
    })
}

fn status_row(lookups: &Lookups, id: Uuid) -> ApiResult<Row> {
    lookups
        .refs
        .statuses
        .get(&id)
        .cloned()
        .ok_or_else(ApiError::not_found)
}

/// Zou's `check_task_action_access` then `check_task_status_access`:
/// managers and clients of the project comment on any of its tasks, others
/// on tasks they are assigned to (or, for supervisors, tasks of their
/// departments) or whose entity they created; artists and clients only
/// with the statuses open to them. `user` carries the role on the project.
pub async fn check_comment_access(
    exec: &mut impl Exec,
    user: &CurrentUser,
    task: &Row,
    status: Option<&Row>,
) -> ApiResult<()> {
    let id = id_of(task);
    let may_act = matches!(user.role, Role::Admin | Role::Manager | Role::Client)
        || links::TASK_ASSIGNEES.contains(exec, id, user.id).await?
        || (user.role == Role::Supervisor && manages(exec, user, task).await?)
        || entity_created_by(exec, task).await? == Some(user.id);
    let status_open = match user.role {
        Role::User => flag(status, "is_artist_allowed"),
        Role::Client => flag(status, "is_client_allowed"),
        _ => true,
    };
    if !may_act || !status_open {
        return Err(ApiError::forbidden());
    }
    Ok(())
}

/// Does `text` mention `@name` as Zou's `@{name}( |$)` search does: the
/// name followed by a space, the end, or a final line break.
pub fn mentions_name(text: &str, name: &str) -> bool {
    if name.is_empty() {
        return false;
    }
    let needle = format!("@{name}");
    let mut from = 0;
    while let Some(at) = text[from..].find(&needle) {
        let rest = &text[from + at + needle.len()..];
        if rest.is_empty() || rest.starts_with(' ') || rest == "\n" {
            return true;
        }
        from += at + 1;
    }
    false
}

/// Zou's `full_name`: both parts joined by a space, or whichever is set.
fn full_name(person: &Row) -> String {
    let part = |k: &str| person.get(k).and_then(Value::as_str).unwrap_or_default();
    let (first, last) = (part("first_name"), part("last_name"));
    if !first.is_empty() && !last.is_empty() {
        format!("{first} {last}")
    } else {
        format!("{first}{last}")
    }
}

/// The people (the production's team, bots of preview projects aside) and
/// the departments (all of them, as in Zou) that `text` mentions.
pub async fn find_mentions(
    exec: &mut impl Exec,
    project: Option<Uuid>,
    text: &str,
) -> ApiResult<(Vec<Uuid>, Vec<Uuid>)> {
    let mut people = Vec::new();
    if !text.contains('@') {
        return Ok((people, Vec::new()));
    }
    if let Some(project) = project {
        for person in links::PROJECT_TEAM.rights(exec, project).await? {
            let Some(row) = rows::get(exec, &models::PERSON, person, false).await? else {
                continue;
            };
            if uuid_field(&row, "preview_project_id").is_none()
                && mentions_name(text, &full_name(&row))
            {
                people.push(person);
            }
        }
    }
    let mut departments = Vec::new();
    for d in rows::list(exec, &models::DEPARTMENT, &Select::default(), false).await? {
        let name = d.get("name").and_then(Value::as_str).unwrap_or_default();
        if mentions_name(text, name) {
            departments.push(id_of(&d));
        }
    }
    Ok((people, departments))
}

/// Rewrites a comment's mentions from its text (Zou's `reset_mentions`).
pub async fn store_mentions(
    exec: &mut impl Exec,
    comment: Uuid,
    people: &[Uuid],
    departments: &[Uuid],
) -> ApiResult<()> {
    links::COMMENT_MENTIONS.set(exec, comment, people).await?;
    links::COMMENT_DEPARTMENT_MENTIONS
        .set(exec, comment, departments)
        .await?;
    Ok(())
}

/// The relation lists Zou's `serialize(relations=True)` adds to a comment.
pub async fn relation_ids(
    exec: &mut impl Exec,
    comment: Uuid,
) -> ApiResult<[(&'static str, Value); 3]> {
    let ids = |v: Vec<Uuid>| Value::from(v.iter().map(Uuid::to_string).collect::<Vec<_>>());
    Ok([
        (
            "mentions",
            ids(links::COMMENT_MENTIONS.rights(exec, comment).await?),
        ),
        (
            "department_mentions",
            ids(links::COMMENT_DEPARTMENT_MENTIONS
                .rights(exec, comment)
                .await?),
        ),
        (
            "acknowledgements",
            ids(links::COMMENT_ACKNOWLEDGEMENTS
                .rights(exec, comment)
                .await?),
        ),
    ])
}

/// Zou's `create_comment` on one task: checks the caller's rights, writes
/// the comment and its mentions, applies the status it carries, and answers
/// the comment as Zou serialises it, with what it changed.
pub async fn create_comment(
    tx: &mut impl Exec,
    user: &CurrentUser,
    task_id: Uuid,
    input: CommentInput,
) -> ApiResult<(Map<String, Value>, CreatedComment)> {
    if !store_tasks::lock_task(tx, task_id).await? {
        return Err(ApiError::not_found());
    }
    let (task, user) = load_task(tx, user, task_id).await?;
    let lookups = Lookups::load(tx).await?;
    let status = status_row(&lookups, input.task_status_id)?;
    check_comment_access(tx, &user, &task, Some(&status)).await?;
    // Only managers may write in someone else's name or for the client.
    let is_manager = matches!(user.role, Role::Admin | Role::Manager);
    let named = input.person_id.is_some();
    let author = match input.person_id.as_deref() {
        Some(p) if is_manager => {
            let p = Uuid::parse_str(p).map_err(|_| ApiError::not_found())?;
            rows::get(tx, &models::PERSON, p, false)
                .await?
                .ok_or_else(ApiError::not_found)?;
            p
        }
        _ => user.id,
    };
    let project_id = uuid_field(&task, "project_id");
    let (mentions, department_mentions) = find_mentions(tx, project_id, &input.text).await?;
    let for_client = is_manager && input.for_client;
    let now = fennec_api::time::now();
    let c = &models::COMMENT;
    let col = |n: &str| c.column(n).expect("comment column");
    let comment = rows::insert(
        tx,
        c,
        vec![
            (col("object_id"), SqlValue::Uuid(task_id)),
            (col("object_type"), SqlValue::Text("Task".into())),
            (col("text"), SqlValue::Text(input.text)),
            (col("checklist"), SqlValue::Json(input.checklist)),
            (col("links"), SqlValue::Json(input.links)),
            (col("for_client"), SqlValue::Bool(for_client)),
            (col("task_status_id"), SqlValue::Uuid(input.task_status_id)),
            (col("person_id"), SqlValue::Uuid(author)),
        ],
    )
    .await?;
    let comment_id = id_of(&comment);
    store_mentions(tx, comment_id, &mentions, &department_mentions).await?;
    let previous_task_status_id = uuid_field(&task, "task_status_id");
    let status_changed = apply_status(tx, &task, &status, now).await?;
    let mut out = Map::new();
    for (k, v) in comment {
        if k == "id" {
            out.insert("previews".into(), json!([]));
        }
        out.insert(k, v);
    }
    let ids = |v: &[Uuid]| Value::from(v.iter().map(Uuid::to_string).collect::<Vec<_>>());
    out.insert("mentions".into(), ids(&mentions));
    out.insert("department_mentions".into(), ids(&department_mentions));
    out.insert("acknowledgements".into(), json!([]));
    out.insert("attachment_files".into(), json!([]));
    out.insert("task_status".into(), Value::Object(status));
    // Zou serialises a person named in the body with its relations (the
    // `departments` list in place) and the caller without.
    let person = if author == user.id && !named {
        rows::get(tx, &models::PERSON, author, false).await?
    } else {
        crate::present::person_in_place(tx, author).await?
    };
    out.insert("person".into(), person.map_or(Value::Null, Value::Object));
    let created = CreatedComment {
        comment_id,
        task_id,
        project_id,
        author_id: author,
        mentions,
        department_mentions,
        task_status_id: input.task_status_id,
        previous_task_status_id,
        status_changed,
        for_client,
        created_at: now,
    };
    // Hook: notifications and news for the new comment go here (Zou's
    // `_manage_subscriptions`), inside the same transaction.
    Ok((out, created))
}

/// Zou's status side effects (`_manage_status_change`, `update_task`),
/// only when the comment changes the status: `real_start_date` on the
/// first WIP, `end_date` stamped on a feedback request and cleared by any
/// other status but done, `done_date` stamped on done and cleared
/// otherwise, `retake_count` +1 on a retake status. Answers whether the
/// status changed.
async fn apply_status(
    exec: &mut impl Exec,
    task: &Row,
    status: &Row,
    now: chrono::NaiveDateTime,
) -> ApiResult<bool> {
    let changed = uuid_field(task, "task_status_id") != Some(id_of(status));
    let is = |key: &str| flag(Some(status), key);
    let mut changes = vec![
        (task_col("task_status_id"), SqlValue::Uuid(id_of(status))),
        (task_col("last_comment_date"), SqlValue::DateTime(now)),
    ];
    let never = SqlValue::Null(models::Kind::DateTime);
    if changed {
        if is("is_retake") {
            let count = task
                .get("retake_count")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            changes.push((task_col("retake_count"), SqlValue::Int(count + 1)));
        }
        if is("is_wip") && task.get("real_start_date").is_none_or(Value::is_null) {
            changes.push((task_col("real_start_date"), SqlValue::DateTime(now)));
        }
        if is("is_feedback_request") {
            changes.push((task_col("end_date"), SqlValue::DateTime(now)));
        } else if !is("is_done") {
            changes.push((task_col("end_date"), never.clone()));
        }
        let done = if is("is_done") {
            SqlValue::DateTime(now)
        } else {
            never
        };
        changes.push((task_col("done_date"), done));
    }
    rows::update(exec, TASK, id_of(task), changes).await?;
    Ok(changed)
}
