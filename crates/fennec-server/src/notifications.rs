//! Notifications, subscriptions and the news feed, as Zou 1.0.97's
//! `notifications_service`, `subscriptions_service`, `news_service` and
//! the user service's notification reads have them.
//!
//! Policy: notifications and news are written by the hooks below
//! ([`on_assign`], [`on_new_comment`], [`on_reply`]), inside the
//! transaction of the write that raised them, as Zou creates them in the
//! same request. The route modules (user.rs, tasks' task_actions.rs,
//! projects.rs) only read the caller's arguments and call in here.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use fennec_api::models;
use fennec_store::db::Exec;
use fennec_store::notifications::{
    self as store, ListedNotification, NewNews, NewNotification, NewsQuery, NotificationQuery,
};
use fennec_store::rows::{self, Row};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::auth::permissions::check_project_access;
use crate::auth::user::Role;
use crate::auth::CurrentUser;
use crate::comments::CreatedComment;
use crate::error::{ApiError, ApiResult};
use crate::extract::QueryPairs;

// ---------------------------------------------------------------------
// Creation hooks.

/// Zou's `create_assignation_notification`: the assignee is told, unless
/// he assigned himself.
pub async fn on_assign(
    exec: &mut impl Exec,
    task: Uuid,
    person: Uuid,
    author: Uuid,
) -> ApiResult<()> {
    if person == author {
        return Ok(());
    }
    insert_and_announce(
        exec,
        NewNotification {
            person,
            author,
            comment: None,
            task: Some(task),
            reply: None,
            change: false,
            kind: "assignation",
            created_at: None,
        },
    )
    .await?;
    Ok(())
}

/// Zou's crud `post_update` of a task's `assignees`: each person newly
/// among them gets an assignment notification (from the caller).
pub async fn on_assignees_changed(
    exec: &mut impl Exec,
    task: Uuid,
    before: &[Uuid],
    author: Uuid,
) -> ApiResult<()> {
    for person in fennec_store::links::TASK_ASSIGNEES
        .rights(exec, task)
        .await?
    {
        if !before.contains(&person) {
            on_assign(exec, task, person, author).await?;
        }
    }
    Ok(())
}

/// The people a text's mentions reach (Zou's `get_mentioned_people`): the
/// named people, then the production team's members of each named
/// department, each once.
async fn mentioned_people(
    exec: &mut impl Exec,
    project: Option<Uuid>,
    people: &[Uuid],
    departments: &[Uuid],
) -> ApiResult<Vec<Uuid>> {
    let mut out: Vec<Uuid> = Vec::new();
    let add = |p: Uuid, out: &mut Vec<Uuid>| {
        if !out.contains(&p) {
            out.push(p);
        }
    };
    for p in people {
        add(*p, &mut out);
    }
    if let Some(project) = project {
        for d in departments {
            for p in store::department_team(exec, project, *d).await? {
                add(p, &mut out);
            }
        }
    }
    Ok(out)
}

/// Zou's `create_notifications_for_task_and_comment` and
/// `create_news_for_task_and_comment`: a `comment` notification to the
/// task's assignees and subscribers but the author, a `mention` to each
/// person mentioned (even one already told of the comment), and a news
/// entry unless the task is a concept's.
pub async fn on_new_comment(exec: &mut impl Exec, c: &CreatedComment) -> ApiResult<()> {
    for person in store::task_recipients(exec, c.task_id).await? {
        if person == c.author_id {
            continue;
        }
        insert_and_announce(
            exec,
            NewNotification {
                person,
                author: c.author_id,
                comment: Some(c.comment_id),
                task: Some(c.task_id),
                reply: None,
                change: c.status_changed,
                kind: "comment",
                created_at: None,
            },
        )
        .await?;
    }
    let mentioned =
        mentioned_people(exec, c.project_id, &c.mentions, &c.department_mentions).await?;
    for person in mentioned {
        if person == c.author_id {
            continue;
        }
        insert_and_announce(
            exec,
            NewNotification {
                person,
                author: c.author_id,
                comment: Some(c.comment_id),
                task: Some(c.task_id),
                reply: None,
                change: false,
                kind: "mention",
                created_at: None,
            },
        )
        .await?;
    }
    let entity = rows::get(exec, &models::TASK, c.task_id, false)
        .await?
        .and_then(|t| crate::present::uuid_field(&t, "entity_id"));
    let concept = match entity {
        Some(e) => store::is_concept(exec, e).await?,
        None => false,
    };
    if !concept {
        store::insert_news(
            exec,
            NewNews {
                author: c.author_id,
                comment: Some(c.comment_id),
                task: c.task_id,
                preview_file: None,
                change: c.status_changed,
                created_at: c.created_at,
            },
        )
        .await?;
    }
    Ok(())
}

/// A reply just added to a comment, for [`on_reply`].
#[derive(Clone, Debug)]
pub struct CreatedReply {
    pub reply_id: Uuid,
    pub comment_id: Uuid,
    pub comment_author_id: Option<Uuid>,
    pub task_id: Uuid,
    pub project_id: Option<Uuid>,
    pub author_id: Uuid,
    /// Authors of the comment's replies, this one included.
    pub repliers: Vec<Uuid>,
    pub mentions: Vec<Uuid>,
    pub department_mentions: Vec<Uuid>,
    pub created_at: NaiveDateTime,
}

/// Zou's `create_notifications_for_task_and_reply`: a `reply`
/// notification to the task's assignees and subscribers, the comment's
/// repliers and its author, but not the reply's author; a
/// `reply-mention` to each person the reply mentions.
pub async fn on_reply(exec: &mut impl Exec, r: &CreatedReply) -> ApiResult<()> {
    let mut recipients = store::task_recipients(exec, r.task_id).await?;
    for p in r.repliers.iter().chain(r.comment_author_id.iter()) {
        if !recipients.contains(p) {
            recipients.push(*p);
        }
    }
    for person in recipients {
        if person == r.author_id {
            continue;
        }
        insert_and_announce(
            exec,
            NewNotification {
                person,
                author: r.author_id,
                comment: Some(r.comment_id),
                task: Some(r.task_id),
                reply: Some(r.reply_id),
                change: false,
                kind: "reply",
                created_at: Some(r.created_at),
            },
        )
        .await?;
    }
    let mentioned =
        mentioned_people(exec, r.project_id, &r.mentions, &r.department_mentions).await?;
    for person in mentioned {
        if person == r.author_id {
            continue;
        }
        insert_and_announce(
            exec,
            NewNotification {
                person,
                author: r.author_id,
                comment: Some(r.comment_id),
                task: Some(r.task_id),
                reply: Some(r.reply_id),
                change: false,
                kind: "reply-mention",
                created_at: None,
            },
        )
        .await?;
    }
    Ok(())
}

fn uuid_list(v: Option<&Value>) -> Vec<Uuid> {
    v.and_then(Value::as_array)
        .map(|l| {
            l.iter()
                .filter_map(|x| x.as_str().and_then(|s| Uuid::parse_str(s).ok()))
                .collect()
        })
        .unwrap_or_default()
}

/// [`on_reply`] for a reply just appended to `comment` (its row as it was
/// before) on `task`, from the reply's own map.
pub async fn on_reply_added(
    exec: &mut impl Exec,
    comment: &Row,
    task: &Row,
    reply: &Map<String, Value>,
) -> ApiResult<()> {
    let uuid = |v: Option<&Value>| {
        v.and_then(Value::as_str)
            .and_then(|s| Uuid::parse_str(s).ok())
    };
    let (Some(reply_id), Some(author_id)) = (uuid(reply.get("id")), uuid(reply.get("person_id")))
    else {
        return Ok(());
    };
    let mut repliers: Vec<Uuid> = comment
        .get("replies")
        .and_then(Value::as_array)
        .map(|l| l.iter().filter_map(|r| uuid(r.get("person_id"))).collect())
        .unwrap_or_default();
    repliers.push(author_id);
    let created_at = reply
        .get("created_at")
        .and_then(Value::as_str)
        .and_then(fennec_api::time::parse_datetime)
        .unwrap_or_else(fennec_api::time::now);
    let r = CreatedReply {
        reply_id,
        comment_id: crate::present::id_of(comment),
        comment_author_id: crate::present::uuid_field(comment, "person_id"),
        task_id: crate::present::id_of(task),
        project_id: crate::present::uuid_field(task, "project_id"),
        author_id,
        repliers,
        mentions: uuid_list(reply.get("mentions")),
        department_mentions: uuid_list(reply.get("department_mentions")),
        created_at,
    };
    on_reply(exec, &r).await
}

/// Zou's `delete_reply`: the notifications the reply raised go with it.
pub async fn on_reply_removed(exec: &mut impl Exec, reply_id: &str) -> ApiResult<()> {
    if let Ok(reply) = Uuid::parse_str(reply_id) {
        store::remove_for_reply(exec, reply).await?;
    }
    Ok(())
}

/// Zou's `move_comment_to_task`: the comment's notifications and news are
/// dropped, then raised again on the target task (no status change, the
/// news dated with the comment).
pub async fn on_comment_moved(exec: &mut impl Exec, comment: &Row, target: &Row) -> ApiResult<()> {
    let comment_id = crate::present::id_of(comment);
    store::remove_for_comment(exec, comment_id).await?;
    let Some(author_id) = crate::present::uuid_field(comment, "person_id") else {
        return Ok(());
    };
    let (mentions, department_mentions) = store::comment_mentions(exec, comment_id).await?;
    let created = CreatedComment {
        comment_id,
        task_id: crate::present::id_of(target),
        project_id: crate::present::uuid_field(target, "project_id"),
        author_id,
        mentions,
        department_mentions,
        task_status_id: crate::present::uuid_field(comment, "task_status_id").unwrap_or_default(),
        previous_task_status_id: None,
        status_changed: false,
        for_client: comment
            .get("for_client")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        created_at: comment
            .get("created_at")
            .and_then(Value::as_str)
            .and_then(fennec_api::time::parse_datetime)
            .unwrap_or_else(fennec_api::time::now),
    };
    on_new_comment(exec, &created).await
}

// ---------------------------------------------------------------------
// Entity names.

/// Zou's `get_full_entity_names`: per entity, its display name ("EP / SQ /
/// SH", "SQ / SH", "Character / Hero"…), its episode and its preview.
pub(crate) async fn full_entity_names(
    exec: &mut impl Exec,
    ids: &[Uuid],
) -> ApiResult<HashMap<Uuid, (String, Option<Uuid>, Option<Uuid>)>> {
    let mut out = HashMap::new();
    for e in store::entity_name_parts(exec, ids).await? {
        let (name, episode) = match e.type_name.as_str() {
            "Shot" => match (&e.parent_name, &e.grandparent) {
                (None, _) => (e.name.clone(), None),
                (Some(sq), _) if !e.parent_has_parent => (format!("{sq} / {}", e.name), None),
                (Some(sq), Some((gid, gname))) => {
                    (format!("{gname} / {sq} / {}", e.name), Some(*gid))
                }
                (Some(sq), None) => (format!("{sq} / {}", e.name), None),
            },
            "Episode" => (e.name.clone(), None),
            "Sequence" => match (&e.parent_name, e.parent_id) {
                (Some(ep), Some(pid)) => (format!("{ep} / {}", e.name), Some(pid)),
                _ => (e.name.clone(), None),
            },
            other => (format!("{other} / {}", e.name), e.source_id),
        };
        out.insert(e.id, (name, episode, e.preview_file_id));
    }
    Ok(out)
}

// ---------------------------------------------------------------------
// The caller's notifications.

fn date_arg(v: Option<&str>) -> ApiResult<Option<NaiveDateTime>> {
    match v {
        None => Ok(None),
        Some(s) => fennec_api::time::parse_datetime(s)
            .map(Some)
            .ok_or_else(|| ApiError::bad_request("Wrong date format for after or before.")),
    }
}

fn id_arg(query: &QueryPairs, key: &str, field: &str) -> ApiResult<Option<Uuid>> {
    match query.get(key) {
        None => Ok(None),
        Some(v) => Uuid::parse_str(v)
            .map(Some)
            .map_err(|_| ApiError::bad_request(format!("Invalid UUID format for {field}: {v}"))),
    }
}

/// Zou's `get_bool_parameter`: only "true", in any case, is true.
fn bool_arg(query: &QueryPairs, key: &str) -> Option<bool> {
    query.get(key).map(|v| v.eq_ignore_ascii_case("true"))
}

/// GET /data/user/notifications's filters.
pub fn notification_query(query: &QueryPairs) -> ApiResult<NotificationQuery> {
    Ok(NotificationQuery {
        id: None,
        task_type_id: id_arg(query, "task_type_id", "task_type_id")?,
        task_status_id: id_arg(query, "task_status_id", "task_status_id")?,
        after: date_arg(query.get("after"))?,
        before: date_arg(query.get("before"))?,
        kind: query.get("type").map(str::to_owned),
        read: bool_arg(query, "read"),
        watching: bool_arg(query, "watching"),
    })
}

fn ids_value(ids: &[Uuid]) -> Value {
    Value::Array(ids.iter().map(|u| json!(u.to_string())).collect())
}

/// Zou's `get_last_notifications`: the caller's newest 100, each with the
/// task, production, comment (or reply) and entity it is about. An
/// artist does not read a client's words.
pub async fn notifications_of(
    exec: &mut impl Exec,
    user: &CurrentUser,
    q: &NotificationQuery,
) -> ApiResult<Vec<Value>> {
    let listed = store::notifications_for(exec, user.id, q).await?;
    let entity_ids: Vec<Uuid> = listed.iter().filter_map(|n| n.entity_id).collect();
    let names = full_entity_names(exec, &entity_ids).await?;
    let mut mentions: HashMap<Uuid, (Vec<Uuid>, Vec<Uuid>)> = HashMap::new();
    for n in &listed {
        if let Some(c) = n.comment_id.as_str().and_then(|s| Uuid::parse_str(s).ok()) {
            if let std::collections::hash_map::Entry::Vacant(slot) = mentions.entry(c) {
                slot.insert(store::comment_mentions(exec, c).await?);
            }
        }
    }
    let artist = user.role == Role::User;
    Ok(listed
        .into_iter()
        .map(|n| present(n, artist, &names, &mentions))
        .collect())
}

fn present(
    n: ListedNotification,
    artist: bool,
    names: &HashMap<Uuid, (String, Option<Uuid>, Option<Uuid>)>,
    mentions: &HashMap<Uuid, (Vec<Uuid>, Vec<Uuid>)>,
) -> Value {
    let (full_name, episode, entity_preview) = n
        .entity_id
        .and_then(|e| names.get(&e).cloned())
        .unwrap_or_default();
    let comment = n.comment_id.as_str().and_then(|s| Uuid::parse_str(s).ok());
    let (people, departments) = comment
        .and_then(|c| mentions.get(&c).cloned())
        .unwrap_or_default();
    let kind = n.kind.as_str().unwrap_or("");
    let (mut reply_text, mut reply_mentions, mut reply_departments) =
        (json!(""), json!([]), json!([]));
    if matches!(kind, "reply" | "reply-mention") {
        let reply = n.comment_replies.as_array().and_then(|list| {
            list.iter()
                .find(|r| r.get("id").is_some_and(|id| *id == n.reply_id))
        });
        if let Some(r) = reply {
            reply_text = r.get("text").cloned().unwrap_or(json!(""));
            reply_mentions = r
                .get("mentions")
                .cloned()
                .filter(|v| !v.is_null())
                .unwrap_or(json!([]));
            reply_departments = r
                .get("department_mentions")
                .cloned()
                .filter(|v| !v.is_null())
                .unwrap_or(json!([]));
        }
    }
    let mut comment_text = n.comment_text;
    if artist && n.author_role.as_str() == Some("client") {
        comment_text = json!("");
        reply_text = json!("");
    }
    let opt = |u: Option<Uuid>| u.map_or(Value::Null, |u| json!(u.to_string()));
    let mut out = Map::new();
    for (k, v) in [
        ("id", n.id),
        ("type", json!("Notification")),
        ("notification_type", n.kind),
        ("author_id", n.author_id),
        ("comment_id", n.comment_id),
        ("task_id", n.task_id),
        ("task_type_id", n.task_type_id),
        ("task_status_id", n.task_status_id),
        ("mentions", ids_value(&people)),
        ("department_mentions", ids_value(&departments)),
        ("reply_mentions", reply_mentions),
        ("reply_department_mentions", reply_departments),
        ("preview_file_id", n.preview_file_id),
        ("project_id", n.project_id),
        ("project_name", n.project_name),
        ("comment_text", comment_text),
        ("reply_text", reply_text),
        ("created_at", n.created_at),
        ("read", n.read),
        ("change", n.change),
        ("full_entity_name", json!(full_name)),
        ("episode_id", opt(episode)),
        ("entity_preview_file_id", opt(entity_preview)),
        ("subscription_id", n.subscription_id),
        ("playlist_id", n.playlist_id),
        ("playlist_name", json!("")),
        ("playlist_for_entity", json!("")),
        ("playlist_is_for_all", json!(false)),
    ] {
        out.insert(k.to_owned(), v);
    }
    Value::Object(out)
}

/// GET /data/user/notifications/{id}: the caller's notification in the
/// list's shape; someone else's is not found.
pub async fn notification_of(
    exec: &mut impl Exec,
    user: &CurrentUser,
    id: &str,
) -> ApiResult<Value> {
    let id = Uuid::parse_str(id).map_err(|_| {
        ApiError::bad_request(format!("Invalid UUID format for notification_id: {id}"))
    })?;
    let q = NotificationQuery {
        id: Some(id),
        ..NotificationQuery::default()
    };
    notifications_of(exec, user, &q)
        .await?
        .into_iter()
        .next()
        .ok_or_else(ApiError::not_found)
}

/// PUT /data/user/notifications/{id} `{"read": bool}`: the plain row.
/// Writes a notification and, as Zou's `_emit_notification`, tells the
/// recipient's clients with `notification:new` (a live signal Zou does not
/// log), under the task's production.
async fn insert_and_announce(exec: &mut impl Exec, n: NewNotification) -> ApiResult<Row> {
    let (person, author, task) = (n.person, n.author, n.task);
    let row = store::insert_notification(exec, n).await?;
    let project = match task {
        Some(t) => rows::get(exec, &models::TASK, t, false)
            .await?
            .and_then(|t| crate::present::uuid_field(&t, "project_id")),
        None => None,
    };
    let data = serde_json::json!({
        "notification_id": row.get("id").cloned().unwrap_or(Value::Null),
        "person_id": person.to_string(),
    });
    crate::events::emit(exec, Some(author), "notification:new", data, project).await?;
    Ok(row)
}

pub async fn set_read(
    exec: &mut impl Exec,
    user: &CurrentUser,
    id: Uuid,
    body: &Map<String, Value>,
) -> ApiResult<Row> {
    let read = match body.get("read") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            crate::extract::schema_bool(v)
                .map_err(|m| ApiError::validation(vec![("read".into(), m.into())]))?,
        ),
    };
    let Some(row) = store::own_notification(exec, user.id, id).await? else {
        return Err(ApiError::not_found());
    };
    let Some(read) = read else { return Ok(row) };
    let m = &models::NOTIFICATION;
    let col = m.column("read").expect("read column");
    let row = rows::update(exec, m, id, vec![(col, fennec_store::SqlValue::Bool(read))])
        .await?
        .ok_or_else(ApiError::not_found)?;
    // Zou's update_notification: `notification:read` or `:unread`, with
    // no production.
    let name = if read {
        "notification:read"
    } else {
        "notification:unread"
    };
    let data = serde_json::json!({
        "person_id": user.id.to_string(),
        "notification_id": id.to_string(),
    });
    crate::events::emit(exec, Some(user.id), name, data, None).await?;
    Ok(row)
}

/// The start-up context's `notification_count`.
pub async fn unread_count(exec: &mut impl Exec, user: &CurrentUser) -> ApiResult<i64> {
    Ok(store::unread_count(exec, user.id).await?)
}

pub async fn mark_all_read(exec: &mut impl Exec, user: &CurrentUser) -> ApiResult<()> {
    store::mark_all_read(exec, user.id).await?;
    // Zou's mark_notifications_as_read: `notification:all-read`.
    let data = serde_json::json!({ "person_id": user.id.to_string() });
    crate::events::emit(exec, Some(user.id), "notification:all-read", data, None).await
}

// ---------------------------------------------------------------------
// Subscriptions.

pub async fn is_subscribed(
    exec: &mut impl Exec,
    user: &CurrentUser,
    task: &str,
) -> ApiResult<bool> {
    let Ok(task) = Uuid::parse_str(task) else {
        return Ok(false);
    };
    Ok(store::task_subscription(exec, user.id, task)
        .await?
        .is_some())
}

/// POST /actions/user/tasks/{id}/subscribe: the task must exist (404) and
/// be in a production the caller belongs to (403).
pub async fn subscribe(exec: &mut impl Exec, user: &CurrentUser, task: Uuid) -> ApiResult<Row> {
    let row = rows::get(exec, &models::TASK, task, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if let Some(project) = crate::present::uuid_field(&row, "project_id") {
        check_project_access(exec, user, project).await?;
    }
    Ok(store::subscribe_to_task(exec, user.id, task).await?)
}

pub async fn unsubscribe(exec: &mut impl Exec, user: &CurrentUser, task: &str) -> ApiResult<()> {
    if let Ok(task) = Uuid::parse_str(task) {
        store::unsubscribe_from_task(exec, user.id, task).await?;
    }
    Ok(())
}

async fn existing_project(exec: &mut impl Exec, project: Uuid) -> ApiResult<()> {
    rows::get(exec, &models::PROJECT, project, false)
        .await?
        .map(|_| ())
        .ok_or_else(ApiError::not_found)
}

/// GET /data/projects/{id}/subscriptions (admins).
pub async fn project_subscriptions(
    exec: &mut impl Exec,
    user: &CurrentUser,
    project: Uuid,
) -> ApiResult<Vec<Row>> {
    crate::auth::permissions::require_admin(user)?;
    existing_project(exec, project).await?;
    Ok(store::project_subscriptions(exec, project).await?)
}

/// GET /data/projects/{id}/notifications (admins): all of them, or with
/// `page` Zou's envelope of 100 per page.
pub async fn project_notifications(
    exec: &mut impl Exec,
    user: &CurrentUser,
    project: Uuid,
    query: &QueryPairs,
) -> ApiResult<Value> {
    crate::auth::permissions::require_admin(user)?;
    existing_project(exec, project).await?;
    let page = query
        .get("page")
        .and_then(|p| p.parse::<i64>().ok())
        .unwrap_or(-1);
    let limit = 100;
    if page < 1 {
        let (_, list) = store::project_notifications(exec, project, None).await?;
        return Ok(Value::Array(list.into_iter().map(Value::Object).collect()));
    }
    let (total, list) = store::project_notifications(exec, project, Some((page, limit))).await?;
    Ok(json!({
        "data": list,
        "total": total,
        "nb_pages": (total + limit - 1) / limit,
        "limit": limit,
        "offset": (page - 1) * limit,
        "page": page,
    }))
}

// ---------------------------------------------------------------------
// The news feed.

/// Zou's news arguments (`NewsMixin.get_arguments`).
pub struct NewsArgs {
    query: NewsQuery,
    page: i64,
    limit: i64,
}

impl NewsArgs {
    pub fn read(query: &QueryPairs) -> ApiResult<NewsArgs> {
        let id = |key: &str| -> ApiResult<Option<Uuid>> {
            match query.get(key) {
                None => Ok(None),
                Some(v) => Uuid::parse_str(v).map(Some).map_err(|_| {
                    ApiError::bad_request(format!("Invalid UUID format for {key}: {v}"))
                }),
            }
        };
        let date = |key: &str| -> ApiResult<Option<NaiveDateTime>> {
            match query.get(key) {
                None => Ok(None),
                Some(v) => fennec_api::time::parse_datetime(v).map(Some).ok_or_else(|| {
                    ApiError::bad_request(
                        "Wrong date format for before argument.Expected format: 2020-01-05T13:23:10 or 2020-01-05",
                    )
                }),
            }
        };
        let int = |key: &str, default: i64| -> ApiResult<i64> {
            match query.get(key) {
                None => Ok(default),
                Some(v) => v
                    .parse::<i64>()
                    .map_err(|_| ApiError::bad_request(format!("{key} must be an integer"))),
            }
        };
        Ok(NewsArgs {
            query: NewsQuery {
                only_preview: query
                    .get("only_preview")
                    .and_then(fennec_store::value::parse_bool)
                    .unwrap_or(false),
                task_type_id: id("task_type_id")?,
                task_status_id: id("task_status_id")?,
                author_id: id("person_id")?,
                episode_id: id("episode_id")?,
                after: date("after")?,
                before: date("before")?,
                ..NewsQuery::default()
            },
            page: int("page", 1)?,
            limit: int("limit", 50)?,
        })
    }
}

/// Zou's project news checks: the production exists (404), the caller is
/// in its team (403); clients (list) or vendors (single entry) refused.
async fn news_access(
    exec: &mut impl Exec,
    user: &CurrentUser,
    project: Uuid,
    refused: Role,
) -> ApiResult<()> {
    existing_project(exec, project).await?;
    check_project_access(exec, user, project).await?;
    let user = crate::auth::permissions::on_project(exec, user, project).await?;
    if user.role == refused {
        return Err(ApiError::forbidden());
    }
    Ok(())
}

/// The feed's entries with their names and authors (Zou's
/// `get_last_news_for_project` rows).
async fn news_lines(exec: &mut impl Exec, lines: Vec<Vec<Value>>) -> ApiResult<Vec<Value>> {
    let id = |v: &Value| v.as_str().and_then(|s| Uuid::parse_str(s).ok());
    let entity_ids: Vec<Uuid> = lines.iter().filter_map(|l| id(&l[6])).collect();
    let names = full_entity_names(exec, &entity_ids).await?;
    let mut authors: Vec<Uuid> = lines.iter().filter_map(|l| id(&l[1])).collect();
    authors.sort();
    authors.dedup();
    let mut people = HashMap::new();
    for p in store::short_persons(exec, &authors).await? {
        let first = p[1].as_str().unwrap_or("").to_owned();
        let last = p[2].as_str().unwrap_or("").to_owned();
        let full = format!("{first} {last}").trim().to_owned();
        people.insert(
            id(&p[0]),
            json!({
                "id": p[0], "first_name": first, "last_name": last, "full_name": full,
                "has_avatar": p[3], "role": p[4],
            }),
        );
    }
    let mut out = Vec::with_capacity(lines.len());
    for l in lines {
        let (full_name, episode, _) = id(&l[6])
            .and_then(|e| names.get(&e).cloned())
            .unwrap_or_default();
        let author = people.get(&id(&l[1])).cloned().unwrap_or(Value::Null);
        // Zou's key order: the news columns with `type` after the id,
        // the entity's names before its preview, the author last.
        let mut row = Map::new();
        for (key, v) in store::NEWS_LINE.iter().zip(l) {
            if *key == "entity_preview_file_id" {
                row.insert("full_entity_name".into(), json!(full_name));
                row.insert(
                    "episode_id".into(),
                    episode.map_or(Value::Null, |e| json!(e.to_string())),
                );
            }
            row.insert((*key).to_owned(), v);
            if *key == "id" {
                row.insert("type".into(), json!("News"));
            }
        }
        row.insert("person".into(), author);
        out.push(Value::Object(row));
    }
    Ok(out)
}

/// GET /data/projects/{id}/news: a page of the production's feed (Zou's
/// envelope, with the stats of status changes by status).
pub async fn project_news(
    exec: &mut impl Exec,
    user: &CurrentUser,
    project: Uuid,
    args: NewsArgs,
) -> ApiResult<Value> {
    news_access(exec, user, project, Role::Client).await?;
    let mut q = args.query;
    q.project_ids = vec![project];
    let offset = (args.page - 1) * args.limit;
    let (total, lines) = store::news_page(exec, &q, args.limit, offset).await?;
    let mut data = news_lines(exec, lines).await?;
    if q.only_preview {
        with_preview_files(exec, &mut data).await?;
    }
    let nb_pages = if args.limit > 0 {
        (total + args.limit - 1) / args.limit
    } else {
        0
    };
    let mut stats = Map::new();
    for (status, n) in store::news_stats(exec, &q).await? {
        if let Some(s) = status.as_str() {
            stats.insert(s.to_owned(), json!(n));
        }
    }
    Ok(json!({
        "data": data,
        "total": total,
        "nb_pages": nb_pages,
        "limit": args.limit,
        "offset": offset,
        "page": args.page,
        "stats": stats,
    }))
}

/// Zou's `only_preview` feed: each entry with the preview files of its
/// task's revision.
async fn with_preview_files(exec: &mut impl Exec, data: &mut [Value]) -> ApiResult<()> {
    let key = |e: &Value| {
        let task = e
            .get("task_id")
            .and_then(Value::as_str)
            .and_then(|s| Uuid::parse_str(s).ok());
        let revision = e.get("preview_file_revision").and_then(Value::as_i64);
        task.zip(revision)
    };
    let pairs: Vec<(Uuid, i64)> = data.iter().filter_map(key).collect();
    let found = store::previews_of_revisions(exec, &pairs).await?;
    for e in data.iter_mut() {
        let list = key(e)
            .and_then(|(t, r)| found.iter().find(|(ft, fr, _)| *ft == t && *fr == r))
            .map_or_else(Vec::new, |(_, _, l)| l.clone());
        if let Value::Object(m) = e {
            m.insert("preview_files".into(), Value::Array(list));
        }
    }
    Ok(())
}

/// GET /data/projects/{id}/news/{news_id}: one entry in the feed's shape.
pub async fn project_news_entry(
    exec: &mut impl Exec,
    user: &CurrentUser,
    project: Uuid,
    news: Uuid,
) -> ApiResult<Value> {
    news_access(exec, user, project, Role::Vendor).await?;
    let q = NewsQuery {
        project_ids: vec![project],
        news_id: Some(news),
        ..NewsQuery::default()
    };
    let (_, lines) = store::news_page(exec, &q, 50, 0).await?;
    news_lines(exec, lines)
        .await?
        .into_iter()
        .next()
        .ok_or_else(ApiError::not_found)
}
