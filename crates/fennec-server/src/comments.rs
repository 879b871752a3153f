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
    /// May someone mentioned in the task's conversation answer without
    /// the task action access (Zou's single comment route, not batches)?
    pub mentioned_may_answer: bool,
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
        mentioned_may_answer: false,
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

/// Zou's `check_task_action_access`: managers and clients of the project
/// act on any of its tasks, others on tasks they are assigned to (or, for
/// supervisors, tasks of their departments) or whose entity they created.
/// `user` carries the role on the project.
pub async fn may_act_on_task(
    exec: &mut impl Exec,
    user: &CurrentUser,
    task: &Row,
) -> ApiResult<bool> {
    Ok(
        matches!(user.role, Role::Admin | Role::Manager | Role::Client)
            || links::TASK_ASSIGNEES
                .contains(exec, id_of(task), user.id)
                .await?
            || (user.role == Role::Supervisor && manages(exec, user, task).await?)
            || entity_created_by(exec, task).await? == Some(user.id),
    )
}

/// Zou's `check_task_status_access`: artists and clients comment only
/// with the statuses open to them.
pub fn check_status_access(user: &CurrentUser, status: &Row) -> ApiResult<()> {
    let status_open = match user.role {
        Role::User => flag(Some(status), "is_artist_allowed"),
        Role::Client => flag(Some(status), "is_client_allowed"),
        _ => true,
    };
    if status_open {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}

/// Zou's `_check_retake_capping`: a retake status is refused once the
/// task had as many retakes as its entity's `max_retakes` (in its data),
/// else its production's, allow; zero means no cap.
async fn check_retake_capping(exec: &mut impl Exec, task: &Row, status: &Row) -> ApiResult<()> {
    if !flag(Some(status), "is_retake") {
        return Ok(());
    }
    let project = match uuid_field(task, "project_id") {
        Some(p) => rows::get(exec, &models::PROJECT, p, false).await?,
        None => None,
    };
    let project_max = project
        .as_ref()
        .and_then(|p| p.get("max_retakes").and_then(Value::as_i64))
        .unwrap_or(0);
    if project_max <= 0 {
        return Ok(());
    }
    let entity = match uuid_field(task, "entity_id") {
        Some(e) => rows::get(exec, &models::ENTITY, e, false).await?,
        None => None,
    };
    // Zou takes the entity's value when it is truthy (a zero number is
    // not, a "0" text is) and reads it with int().
    let entity_max = entity
        .as_ref()
        .and_then(|e| e.get("data"))
        .and_then(|d| d.get("max_retakes"))
        .and_then(|v| match v {
            Value::Number(n) => n.as_i64().filter(|m| *m != 0),
            Value::String(s) if !s.is_empty() => s.trim().parse().ok(),
            _ => None,
        });
    let max = entity_max.unwrap_or(project_max);
    let count = task
        .get("retake_count")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    if max > 0 && count >= max {
        return Err(ApiError::bad_request(
            "No more retakes allowed on this task",
        ));
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
) -> ApiResult<[(&'static str, Value); 5]> {
    let ids = |v: Vec<Uuid>| Value::from(v.iter().map(Uuid::to_string).collect::<Vec<_>>());
    Ok([
        (
            "previews",
            ids(links::COMMENT_PREVIEWS.rights(exec, comment).await?),
        ),
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
        (
            "attachment_files",
            Value::Array(
                crate::attachments::ids_for_comments(exec, &[comment])
                    .await?
                    .remove(&comment)
                    .unwrap_or_default(),
            ),
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
    // Zou's CommentTaskResource: someone without the task action access
    // who is mentioned in the conversation may answer, keeping the status.
    if !may_act_on_task(tx, &user, &task).await? {
        let answers = input.mentioned_may_answer
            && user.role != Role::Vendor
            && uuid_field(&task, "task_status_id") == Some(input.task_status_id)
            && is_mentioned_on_task(tx, user.id, task_id).await?;
        if !answers {
            return Err(ApiError::forbidden());
        }
    }
    check_status_access(&user, &status)?;
    check_retake_capping(tx, &task, &status).await?;
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
    let for_client = is_manager && input.for_client;
    let text = input.text.clone();
    let written = NewComment {
        task: &task,
        status,
        author,
        text: input.text,
        checklist: input.checklist,
        links: input.links,
        for_client,
    };
    let (mut out, created) = write_comment(tx, written).await?;
    // Zou serialises a person named in the body with its relations (the
    // `departments` list in place) and the caller without.
    let person = if author == user.id && !named {
        rows::get(tx, &models::PERSON, author, false).await?
    } else {
        crate::present::person_in_place(tx, author).await?
    };
    out.insert("person".into(), person.map_or(Value::Null, Value::Object));
    comment_hashtagged_tasks(tx, &lookups, &task, author, &text).await?;
    Ok((out, created))
}

/// A comment to write once its rights are checked.
struct NewComment<'a> {
    task: &'a Row,
    status: Row,
    author: Uuid,
    text: String,
    checklist: Value,
    links: Value,
    for_client: bool,
}

/// Zou's `new_comment` and `_manage_status_change`: the comment with its
/// mentions, the status it carries applied to its task, the news and
/// notifications it raises. Answers the comment as Zou serialises it
/// (without its `person`) and what it did.
async fn write_comment(
    tx: &mut impl Exec,
    new: NewComment<'_>,
) -> ApiResult<(Map<String, Value>, CreatedComment)> {
    let NewComment {
        task,
        status,
        author,
        text,
        checklist,
        links: links_value,
        for_client,
    } = new;
    let task_id = id_of(task);
    let status_id = id_of(&status);
    let project_id = uuid_field(task, "project_id");
    let (mentions, department_mentions) = find_mentions(tx, project_id, &text).await?;
    let now = fennec_api::time::now();
    let c = &models::COMMENT;
    let col = |n: &str| c.column(n).expect("comment column");
    let comment = rows::insert(
        tx,
        c,
        vec![
            (col("object_id"), SqlValue::Uuid(task_id)),
            (col("object_type"), SqlValue::Text("Task".into())),
            (col("text"), SqlValue::Text(text)),
            (col("checklist"), SqlValue::Json(checklist)),
            (col("links"), SqlValue::Json(links_value)),
            (col("for_client"), SqlValue::Bool(for_client)),
            (col("task_status_id"), SqlValue::Uuid(status_id)),
            (col("person_id"), SqlValue::Uuid(author)),
        ],
    )
    .await?;
    let comment_id = id_of(&comment);
    store_mentions(tx, comment_id, &mentions, &department_mentions).await?;
    let previous_task_status_id = uuid_field(task, "task_status_id");
    let status_changed = apply_status(tx, task, &status, now).await?;
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
    let created = CreatedComment {
        comment_id,
        task_id,
        project_id,
        author_id: author,
        mentions,
        department_mentions,
        task_status_id: status_id,
        previous_task_status_id,
        status_changed,
        for_client,
        created_at: now,
    };
    // Zou's `_manage_subscriptions`, inside the same transaction.
    crate::notifications::on_new_comment(tx, &created).await?;
    // Zou's live events, sent when this transaction commits.
    crate::events::on_new_comment(tx, created.author_id, &created).await?;
    Ok((out, created))
}

/// Zou's `get_comment_hashtags`: the lowercased `#word`s of a text (letters
/// only), or just `all` when it is one of them.
pub fn hashtags(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find('#') {
        let after = &rest[at + 1..];
        let word: String = after
            .chars()
            .take_while(char::is_ascii_alphabetic)
            .collect();
        rest = &after[word.len()..];
        let word = word.to_lowercase();
        if word == "all" {
            return vec![word];
        }
        if !out.contains(&word) {
            out.push(word);
        }
    }
    out
}

/// Zou's `_handle_hashtags`: the same comment goes to the entity's other
/// tasks whose type the text tags (`#all`: every other type), keeping
/// their status and saying where it comes from.
async fn comment_hashtagged_tasks(
    tx: &mut impl Exec,
    lookups: &Lookups,
    task: &Row,
    author: Uuid,
    text: &str,
) -> ApiResult<()> {
    let tags = hashtags(text);
    if tags.is_empty() {
        return Ok(());
    }
    let type_name = |t: &Row| {
        uuid_field(t, "task_type_id")
            .and_then(|id| lookups.refs.task_types.get(&id))
            .and_then(|tt| tt.get("name").and_then(Value::as_str))
            .unwrap_or_default()
            .to_owned()
    };
    let own_type = type_name(task);
    let Some(entity) = uuid_field(task, "entity_id") else {
        return Ok(());
    };
    let select = Select::default().eq("entity_id", SqlValue::Uuid(entity));
    let siblings = rows::list(tx, TASK, &select, false).await?;
    let all = tags.iter().any(|t| t == "all");
    for sibling in siblings {
        let name = type_name(&sibling).to_lowercase();
        let tagged = if all {
            name != own_type.to_lowercase()
        } else {
            name != own_type.to_lowercase() && tags.contains(&name)
        };
        if !tagged || !store_tasks::lock_task(tx, id_of(&sibling)).await? {
            continue;
        }
        let Some(status) = uuid_field(&sibling, "task_status_id")
            .and_then(|s| lookups.refs.statuses.get(&s))
            .cloned()
        else {
            continue;
        };
        check_retake_capping(tx, &sibling, &status).await?;
        let new = NewComment {
            task: &sibling,
            status,
            author,
            text: format!("{text}\n\n____\nFrom {own_type} task"),
            checklist: json!([]),
            links: json!([]),
            for_client: false,
        };
        write_comment(tx, new).await?;
    }
    Ok(())
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

/// Zou's `get_comment_raw`: the comment, 404 when the id is unknown or not
/// an id at all.
pub async fn load_comment(exec: &mut impl Exec, id: &str) -> ApiResult<Row> {
    let id = Uuid::parse_str(id).map_err(|_| ApiError::not_found())?;
    rows::get(exec, &models::COMMENT, id, true)
        .await?
        .ok_or_else(ApiError::not_found)
}

/// A comment as Zou's `serialize(relations=True)` shows it: its columns
/// with `previews` in place, then its mentions, acknowledgements and
/// attachment files.
pub async fn with_relations(exec: &mut impl Exec, mut comment: Row) -> ApiResult<Row> {
    let id = id_of(&comment);
    for (k, v) in relation_ids(exec, id).await? {
        comment.insert(k.into(), v);
    }
    Ok(comment)
}

/// Zou's `serialize()` without relations: the columns only.
pub fn without_relations(mut comment: Row) -> Row {
    comment.remove("previews");
    comment
}

/// The raw `replies` list of a comment.
fn replies_of(comment: &Row) -> Vec<Value> {
    match comment.get("replies") {
        Some(Value::Array(list)) => list.clone(),
        _ => Vec::new(),
    }
}

/// Zou's `reply_comment`: a reply entry appended to the comment's
/// `replies` JSON column, with the mentions of its text; answers the
/// reply with its author in short.
pub async fn reply(
    exec: &mut impl Exec,
    comment: &Row,
    task: &Row,
    author: Uuid,
    text: String,
) -> ApiResult<Map<String, Value>> {
    let (people, departments) = find_mentions(exec, uuid_field(task, "project_id"), &text).await?;
    // Zou stamps replies with its `get_now()`: seconds, no zone suffix.
    let now = fennec_api::time::now()
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string();
    let ids = |v: &[Uuid]| Value::from(v.iter().map(Uuid::to_string).collect::<Vec<_>>());
    let id = json!(Uuid::new_v4().to_string());
    let (author_id, text) = (json!(author.to_string()), json!(text));
    // Zou's column is JSONB, which keeps keys shortest first: stored so on
    // both databases.
    let mut stored = Map::new();
    for (k, v) in [
        ("id", id.clone()),
        ("date", json!(now)),
        ("text", text.clone()),
        ("mentions", ids(&people)),
        ("person_id", author_id.clone()),
        ("created_at", json!(now)),
        ("department_mentions", ids(&departments)),
    ] {
        stored.insert(k.into(), v);
    }
    let mut replies = replies_of(comment);
    replies.push(Value::Object(stored));
    let col = models::COMMENT.column("replies").expect("replies column");
    rows::update(
        exec,
        &models::COMMENT,
        id_of(comment),
        vec![(col, SqlValue::Json(Value::Array(replies)))],
    )
    .await?;
    // The answer keeps the order Zou builds the reply in.
    let mut reply = Map::new();
    for (k, v) in [
        ("id", id),
        ("date", json!(now)),
        ("person_id", author_id),
        ("text", text),
        ("mentions", ids(&people)),
        ("department_mentions", ids(&departments)),
        ("created_at", json!(now)),
    ] {
        reply.insert(k.into(), v);
    }
    // Zou's `create_notifications_for_task_and_reply`, in the same
    // transaction.
    // Zou emits `comment:reply` before it notifies.
    let data = json!({
        "task_id": task.get("id").cloned().unwrap_or(Value::Null),
        "comment_id": id_of(comment).to_string(),
        "reply_id": reply["id"].clone(),
    });
    let project = uuid_field(task, "project_id");
    crate::events::emit(exec, Some(author), "comment:reply", data, project).await?;
    crate::notifications::on_reply_added(exec, comment, task, &reply).await?;
    let person = rows::get(exec, &models::PERSON, author, false).await?;
    reply.insert(
        "person".into(),
        person.as_ref().map_or(Value::Null, short_author),
    );
    Ok(reply)
}

/// Zou's `build_short_person`: the author embedded in a reply.
pub fn short_author(p: &Row) -> Value {
    json!({
        "id": p["id"], "first_name": p["first_name"], "last_name": p["last_name"],
        "full_name": full_name(p), "has_avatar": p["has_avatar"], "role": p["role"],
    })
}

/// Zou's `embed_reply_authors`: each reply of the comment gets its author
/// in short (`null` when the person is gone).
pub async fn embed_reply_authors(exec: &mut impl Exec, comment: &mut Row) -> ApiResult<()> {
    let Some(Value::Array(replies)) = comment.get_mut("replies") else {
        return Ok(());
    };
    for r in replies.iter_mut() {
        let Value::Object(r) = r else { continue };
        let person = match r.get("person_id").and_then(Value::as_str) {
            Some(p) => match Uuid::parse_str(p) {
                Ok(p) => rows::get(exec, &models::PERSON, p, false).await?,
                Err(_) => None,
            },
            None => continue,
        };
        r.insert(
            "person".into(),
            person.as_ref().map_or(Value::Null, short_author),
        );
    }
    Ok(())
}

/// Zou's `get_reply`: the reply of that id in the comment, 404 otherwise.
pub fn find_reply(comment: &Row, reply_id: &str) -> ApiResult<Map<String, Value>> {
    replies_of(comment)
        .into_iter()
        .find_map(|r| match r {
            Value::Object(m) if m.get("id").and_then(Value::as_str) == Some(reply_id) => Some(m),
            _ => None,
        })
        .ok_or_else(ApiError::not_found)
}

/// Zou's `delete_reply`: the reply leaves the comment's `replies`; answers
/// the comment without relations.
pub async fn delete_reply(
    exec: &mut impl Exec,
    comment: &Row,
    reply_id: &str,
    caller: Option<Uuid>,
) -> ApiResult<Row> {
    let replies: Vec<Value> = replies_of(comment)
        .into_iter()
        .filter(|r| r.get("id").and_then(Value::as_str) != Some(reply_id))
        .collect();
    let col = models::COMMENT.column("replies").expect("replies column");
    let row = rows::update(
        exec,
        &models::COMMENT,
        id_of(comment),
        vec![(col, SqlValue::Json(Value::Array(replies)))],
    )
    .await?
    .ok_or_else(ApiError::not_found)?;
    crate::notifications::on_reply_removed(exec, reply_id).await?;
    // Zou's `comment:delete-reply`, a live signal it does not log.
    let task = uuid_field(comment, "object_id");
    let project = match task {
        Some(t) => rows::get(exec, &models::TASK, t, false)
            .await?
            .and_then(|t| uuid_field(&t, "project_id")),
        None => None,
    };
    let data = json!({
        "task_id": task.map_or(Value::Null, |t| json!(t.to_string())),
        "comment_id": id_of(comment).to_string(),
        "reply_id": reply_id,
    });
    crate::events::emit(exec, caller, "comment:delete-reply", data, project).await?;
    Ok(row)
}

/// Zou's `acknowledge_comment`: the caller acknowledges the comment, or
/// takes his acknowledgement back; answers the comment with relations.
pub async fn toggle_acknowledgement(
    exec: &mut impl Exec,
    comment: Row,
    person: Uuid,
) -> ApiResult<Row> {
    let id = id_of(&comment);
    let ack = links::COMMENT_ACKNOWLEDGEMENTS;
    let name = if ack.contains(exec, id, person).await? {
        ack.remove(exec, id, person).await?;
        "comment:unacknowledge"
    } else {
        ack.add(exec, id, person).await?;
        "comment:acknowledge"
    };
    // Zou's _send_ack_event, a live signal it does not log; the project
    // is the comment's task's.
    let project = match uuid_field(&comment, "object_id") {
        Some(t) => rows::get(exec, &models::TASK, t, false)
            .await?
            .and_then(|t| uuid_field(&t, "project_id")),
        None => None,
    };
    let data = json!({ "comment_id": id.to_string(), "person_id": person.to_string() });
    crate::events::emit(exec, Some(person), name, data, project).await?;
    // Zou saves the comment, which stamps `updated_at`.
    let row = rows::update(exec, &models::COMMENT, id, vec![])
        .await?
        .unwrap_or(comment);
    let row = rows::get(exec, &models::COMMENT, id_of(&row), true)
        .await?
        .ok_or_else(ApiError::not_found)?;
    with_relations(exec, row).await
}

/// Zou's `move_comment_to_task`: the comment goes to another task of the
/// same entity, unless it carries a preview; both tasks are recomputed
/// from their comments. Answers the comment with relations.
pub async fn move_to_task(
    exec: &mut impl Exec,
    comment: &Row,
    source: &Row,
    target: &Row,
) -> ApiResult<Row> {
    if id_of(source) == id_of(target) {
        return Err(ApiError::bad_request(
            "Source and target tasks must be different.",
        ));
    }
    if uuid_field(source, "entity_id") != uuid_field(target, "entity_id") {
        return Err(ApiError::bad_request(
            "A comment can only be moved between tasks of the same entity.",
        ));
    }
    let has_previews = comment
        .get("previews")
        .and_then(Value::as_array)
        .is_some_and(|p| !p.is_empty());
    if uuid_field(comment, "preview_file_id").is_some() || has_previews {
        return Err(ApiError::bad_request(
            "A comment attached to a preview revision cannot be moved.",
        ));
    }
    let id = id_of(comment);
    let col = models::COMMENT
        .column("object_id")
        .expect("object_id column");
    crate::notifications::on_comment_moved(exec, comment, target).await?;
    rows::update(
        exec,
        &models::COMMENT,
        id,
        vec![(col, SqlValue::Uuid(id_of(target)))],
    )
    .await?;
    for task in [id_of(source), id_of(target)] {
        if store_tasks::lock_task(exec, task).await? {
            fennec_store::cascade::reset_task_data(exec, task).await?;
        }
    }
    let row = rows::get(exec, &models::COMMENT, id, true)
        .await?
        .ok_or_else(ApiError::not_found)?;
    with_relations(exec, row).await
}

/// The comments of a production for Zou's `get_comments_for_project`,
/// most recently updated first, each with its relation ids.
pub async fn project_comments(exec: &mut impl Exec, project: Uuid) -> ApiResult<Vec<Row>> {
    let tasks = rows::list(
        exec,
        TASK,
        &Select::default().eq("project_id", SqlValue::Uuid(project)),
        false,
    )
    .await?;
    let ids: Vec<SqlValue> = tasks.iter().map(|t| SqlValue::Uuid(id_of(t))).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let select = Select::default().filter(fennec_store::rows::Filter::In("object_id", ids));
    let mut list = rows::list(exec, &models::COMMENT, &select, false).await?;
    // Newest update first; among equals, the newest comment first.
    list.reverse();
    list.sort_by(|a, b| {
        let at = |r: &Row| {
            r.get("updated_at")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned()
        };
        at(b).cmp(&at(a))
    });
    let comment_ids: Vec<Uuid> = list.iter().map(id_of).collect();
    let mentions = links::COMMENT_MENTIONS
        .rights_of_many(exec, &comment_ids)
        .await?;
    let departments = links::COMMENT_DEPARTMENT_MENTIONS
        .rights_of_many(exec, &comment_ids)
        .await?;
    let acks = links::COMMENT_ACKNOWLEDGEMENTS
        .rights_of_many(exec, &comment_ids)
        .await?;
    let previews = links::COMMENT_PREVIEWS
        .rights_of_many(exec, &comment_ids)
        .await?;
    let ids = |v: Option<&Vec<Uuid>>| {
        Value::from(
            v.map(|v| v.iter().map(Uuid::to_string).collect::<Vec<_>>())
                .unwrap_or_default(),
        )
    };
    let files = crate::attachments::ids_for_comments(exec, &comment_ids).await?;
    for c in &mut list {
        let id = id_of(c);
        c.insert("previews".into(), ids(previews.get(&id)));
        c.insert("mentions".into(), ids(mentions.get(&id)));
        c.insert("department_mentions".into(), ids(departments.get(&id)));
        c.insert("acknowledgements".into(), ids(acks.get(&id)));
        let ids = files.get(&id).cloned().unwrap_or_default();
        c.insert("attachment_files".into(), Value::Array(ids));
    }
    Ok(list)
}

/// One entry of a batch comment body (Zou's `BaseBatchComment`): `text`
/// and `task_status_id` are read as Zou reads them, `task_id` when the
/// route names no task. Zou fails with a 500 on a missing key; Fennec
/// answers Zou's schema error instead.
fn batch_entry(entry: &Value) -> ApiResult<(Option<String>, CommentInput)> {
    let Value::Object(entry) = entry else {
        return Err(ApiError::bad_request("Wrong value for parameter comments."));
    };
    let mut fields = entry.clone();
    match fields.remove("text") {
        Some(Value::String(t)) => {
            fields.insert("comment".into(), Value::String(t));
        }
        None | Some(Value::Null) => {
            return Err(ApiError::validation(vec![(
                "text".into(),
                "Field required".into(),
            )]))
        }
        Some(_) => {
            return Err(ApiError::validation(vec![(
                "text".into(),
                "Input should be a valid string".into(),
            )]))
        }
    }
    // Batch comments are never for the client (Zou does not pass it on).
    fields.remove("for_client");
    let input = parse_input(&fields)?;
    let task = entry
        .get("task_id")
        .and_then(Value::as_str)
        .map(str::to_owned);
    Ok((task, input))
}

/// Zou's `process_comments` (`/actions/tasks[/{id}]/batch-comment`): each
/// entry is a comment on the route's task, or on its own `task_id`; one
/// failing entry fails the whole batch (one transaction). Answers the new
/// comments, each with an empty `preview_files` list.
pub async fn batch(
    tx: &mut impl Exec,
    user: &CurrentUser,
    task: Option<Uuid>,
    entries: &[Value],
) -> ApiResult<(Vec<Value>, Vec<CreatedComment>)> {
    if let Some(task) = task {
        let (row, on_project) = load_task(tx, user, task).await?;
        if !may_act_on_task(tx, &on_project, &row).await? {
            return Err(ApiError::forbidden());
        }
    }
    let mut out = Vec::with_capacity(entries.len());
    let mut created = Vec::with_capacity(entries.len());
    for entry in entries {
        let (own_task, input) = batch_entry(entry)?;
        let task_id = match task {
            Some(t) => t,
            None => {
                let t = own_task.ok_or_else(|| {
                    ApiError::validation(vec![("task_id".into(), "Field required".into())])
                })?;
                Uuid::parse_str(&t).map_err(|_| ApiError::not_found())?
            }
        };
        let (mut comment, facts) = create_comment(tx, user, task_id, input).await?;
        comment.insert("preview_files".into(), json!([]));
        out.push(Value::Object(comment));
        created.push(facts);
    }
    Ok((out, created))
}

/// Zou's `BatchCommentItemSchema` over a JSON array: ids must be UUIDs and
/// the text a string; nothing is required (incomplete entries are skipped).
pub fn many_entries(body: &Value) -> ApiResult<Vec<Map<String, Value>>> {
    let Value::Array(items) = body else {
        return Err(ApiError::bad_request("Request body must be a JSON array."));
    };
    let mut errors = Vec::new();
    let mut out = Vec::new();
    for (n, item) in items.iter().enumerate() {
        let Value::Object(m) = item else {
            errors.push((
                n.to_string(),
                "Input should be a valid dictionary or instance of BatchCommentItemSchema".into(),
            ));
            continue;
        };
        for key in ["object_id", "task_status_id"] {
            match m.get(key) {
                None | Some(Value::Null) => {}
                Some(Value::String(s)) => {
                    if let Err(e) = Uuid::parse_str(s) {
                        errors.push((
                            format!("{n}.{key}"),
                            format!("Input should be a valid UUID, {}", uuid_error(s, &e)),
                        ))
                    }
                }
                Some(_) => errors.push((
                    format!("{n}.{key}"),
                    "UUID input should be a string, bytes or UUID object".into(),
                )),
            }
        }
        match m.get("comment") {
            None | Some(Value::Null) | Some(Value::String(_)) => {}
            Some(_) => errors.push((
                format!("{n}.comment"),
                "Input should be a valid string".into(),
            )),
        }
        match m.get("links") {
            None => {}
            Some(Value::Array(links)) => {
                for (i, l) in links.iter().enumerate() {
                    if !l.is_string() {
                        errors.push((
                            format!("{n}.links.{i}"),
                            "Input should be a valid string".into(),
                        ));
                    }
                }
            }
            Some(_) => errors.push((format!("{n}.links"), "Input should be a valid list".into())),
        }
        out.push(m.clone());
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    Ok(out)
}

/// pydantic's reason for a text that is no UUID: its parser's wording
/// for a wrong length (the forms are 32, 36, 38 and 45 long), the `uuid`
/// crate's otherwise.
fn uuid_error(s: &str, e: &uuid::Error) -> String {
    let len = s.len();
    if ![32, 36, 38, 45].contains(&len) {
        return format!("invalid length: expected length 32 for simple format, found {len}");
    }
    e.to_string()
}

/// Zou's `CommentManyTasksResource`: a project manager comments on any
/// task; others only on tasks they are assigned to or, as supervisors, of
/// their departments (the rest is skipped). Entries without a task, a
/// status or a text are skipped. Every comment is the caller's.
pub async fn many(
    tx: &mut impl Exec,
    user: &CurrentUser,
    project: Uuid,
    entries: Vec<Map<String, Value>>,
) -> ApiResult<(Vec<Value>, Vec<CreatedComment>)> {
    let is_manager = crate::auth::permissions::check_manager_project_access(tx, user, project)
        .await
        .is_ok();
    let mut out = Vec::new();
    let mut created = Vec::new();
    for entry in entries {
        let text = entry.get("comment").and_then(Value::as_str);
        let task = entry.get("object_id").and_then(Value::as_str);
        let status = entry.get("task_status_id").and_then(Value::as_str);
        if !is_manager {
            let Some(task) = task.and_then(|t| Uuid::parse_str(t).ok()) else {
                continue;
            };
            let row = rows::get(tx, TASK, task, false)
                .await?
                .ok_or_else(ApiError::not_found)?;
            let project = uuid_field(&row, "project_id").unwrap_or_default();
            let me = crate::auth::permissions::on_project(tx, user, project).await?;
            let allowed = links::TASK_ASSIGNEES.contains(tx, task, user.id).await?
                || (me.role == Role::Supervisor && manages(tx, &me, &row).await?);
            if !allowed {
                continue;
            }
        }
        let (Some(text), Some(task), Some(status)) = (text, task, status) else {
            continue;
        };
        let mut fields = Map::new();
        fields.insert("task_status_id".into(), json!(status));
        fields.insert("comment".into(), json!(text));
        if let Some(l) = entry.get("links") {
            fields.insert("links".into(), l.clone());
        }
        let input = parse_input(&fields)?;
        let task = Uuid::parse_str(task).map_err(|_| ApiError::not_found())?;
        let (comment, facts) = create_comment(tx, user, task, input).await?;
        out.push(Value::Object(comment));
        created.push(facts);
    }
    Ok((out, created))
}

/// Zou's `is_person_mentioned_on_task`: named, or one of his departments
/// named, in a comment of the task or in one of its replies.
pub async fn is_mentioned_on_task(
    exec: &mut impl Exec,
    person: Uuid,
    task: Uuid,
) -> ApiResult<bool> {
    let departments = links::PERSON_DEPARTMENTS.rights(exec, person).await?;
    let select = Select::default().eq("object_id", SqlValue::Uuid(task));
    let comments = rows::list(exec, &models::COMMENT, &select, false).await?;
    let named = |list: Option<&Value>, id: &Uuid| {
        list.and_then(Value::as_array)
            .is_some_and(|l| l.iter().any(|v| v.as_str() == Some(&id.to_string())))
    };
    for c in &comments {
        let id = id_of(c);
        if links::COMMENT_MENTIONS.contains(exec, id, person).await? {
            return Ok(true);
        }
        for d in &departments {
            if links::COMMENT_DEPARTMENT_MENTIONS
                .contains(exec, id, *d)
                .await?
            {
                return Ok(true);
            }
        }
        for r in replies_of(c) {
            if named(r.get("mentions"), &person)
                || departments
                    .iter()
                    .any(|d| named(r.get("department_mentions"), d))
            {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// Zou's `check_task_action_access`, falling back on
/// `check_task_mention_access` (someone mentioned may answer): `user`
/// carries the role on the task's project.
pub async fn check_reply_access(
    exec: &mut impl Exec,
    user: &CurrentUser,
    task: &Row,
) -> ApiResult<()> {
    if may_act_on_task(exec, user, task).await? {
        return Ok(());
    }
    if user.role != Role::Vendor && is_mentioned_on_task(exec, user.id, id_of(task)).await? {
        return Ok(());
    }
    Err(ApiError::forbidden())
}

/// Previews sent with a batch comment (`preview_file-{i}` parts) are not
/// stored yet: such posts are refused, with this message.
pub const FILES_NEED_STORAGE: &str =
    "Comment previews sent with a batch comment are not supported by this server yet.";

/// A comment body as Zou reads it: JSON, a form, or a multipart form (what
/// gazu sends when files go with the comment) whose text parts are the
/// fields and whose file parts are attachments or previews.
pub struct FormBody {
    pub fields: Map<String, Value>,
    pub has_files: bool,
    /// The file parts, in the order they came (Werkzeug's `request.files`).
    pub files: Vec<crate::attachments::Upload>,
}

impl<S: Send + Sync> axum::extract::FromRequest<S> for FormBody {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let multipart = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if !multipart {
            let crate::extract::SchemaBody(fields) =
                crate::extract::SchemaBody::from_request(req, state).await?;
            return Ok(FormBody {
                fields,
                has_files: false,
                files: Vec::new(),
            });
        }
        let mut form = axum::extract::Multipart::from_request(req, state)
            .await
            .map_err(|_| ApiError::bad_json())?;
        let mut fields = Map::new();
        let mut files: Vec<crate::attachments::Upload> = Vec::new();
        while let Some(field) = form.next_field().await.map_err(|_| ApiError::bad_json())? {
            let name = field.name().unwrap_or_default().to_owned();
            if let Some(file_name) = field.file_name().map(str::to_owned) {
                // Werkzeug's `FileStorage.mimetype`: the type without its
                // parameters, lowercased; "" when the part has none (what
                // requests, hence gazu, sends).
                let mimetype = field
                    .content_type()
                    .map(|m| {
                        m.split(';')
                            .next()
                            .unwrap_or_default()
                            .trim()
                            .to_lowercase()
                    })
                    .unwrap_or_default();
                let bytes = field.bytes().await.map_err(|_| ApiError::bad_json())?;
                // Werkzeug's MultiDict keeps the first file of a repeated key
                // for `request.files.values()`.
                if !files.iter().any(|f| f.field == name) {
                    files.push(crate::attachments::Upload {
                        field: name,
                        file_name,
                        mimetype,
                        bytes,
                    });
                }
                continue;
            }
            let text = field.text().await.map_err(|_| ApiError::bad_json())?;
            // Werkzeug keeps the first value of a repeated form key.
            fields.entry(name).or_insert(Value::String(text));
        }
        Ok(FormBody {
            fields,
            has_files: !files.is_empty(),
            files,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{hashtags, mentions_name};

    #[test]
    fn a_mention_ends_with_a_space_or_the_text() {
        assert!(mentions_name("hi @Jane Doe", "Jane Doe"));
        assert!(mentions_name("@Jane Doe please", "Jane Doe"));
        assert!(mentions_name("@Jane Doe\n", "Jane Doe"));
        assert!(!mentions_name("@Jane Doe, please", "Jane Doe"));
        assert!(!mentions_name("@Jane Does", "Jane Doe"));
        assert!(mentions_name("@Jane Doex and @Jane Doe", "Jane Doe"));
        assert!(!mentions_name("@ anyone", ""));
    }

    #[test]
    fn hashtags_are_lowercased_words_and_all_wins() {
        assert_eq!(hashtags("see #Layout and #FX2"), vec!["layout", "fx"]);
        assert_eq!(hashtags("#layout #all #fx"), vec!["all"]);
        assert!(hashtags("no tags").is_empty());
    }
}
