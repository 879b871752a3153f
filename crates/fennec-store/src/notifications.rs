//! Notifications, subscriptions and the news feed (Zou's
//! `notifications_service`, `subscriptions_service` and `news_service`):
//! the rows and the set-based reads behind them.
//!
//! Policy: every write runs on the caller's executor, so a notification or
//! a news entry is part of the transaction of the write that raised it
//! (an assignment, a comment, a reply) and goes with it on failure.

use chrono::NaiveDateTime;
use fennec_api::models::{self, Kind};
use serde_json::Value;
use uuid::Uuid;

use crate::db::Exec;
use crate::rows::{self, bind_any, decode_any, Filter, Order, Row, Select};
use crate::{on, Result, SqlValue};

/// Runs `sql` with `args` and decodes each row's columns by `kinds`.
async fn values(
    exec: &mut impl Exec,
    sql: &str,
    args: &[SqlValue],
    kinds: &[Kind],
) -> Result<Vec<Vec<Value>>> {
    let mut out = Vec::new();
    on!(exec, c => {
        let mut q = sqlx::query(sql);
        for a in args {
            q = bind_any(q, a);
        }
        for r in &q.fetch_all(&mut *c).await? {
            let mut vals = Vec::with_capacity(kinds.len());
            for (i, k) in kinds.iter().enumerate() {
                vals.push(decode_any(r, i, *k)?);
            }
            out.push(vals);
        }
    });
    Ok(out)
}

async fn uuids(exec: &mut impl Exec, sql: &str, args: &[SqlValue]) -> Result<Vec<Uuid>> {
    let rows = values(exec, sql, args, &[Kind::Uuid]).await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| r[0].as_str().and_then(|s| Uuid::parse_str(s).ok()))
        .collect())
}

fn col(model: &'static models::Model, name: &str) -> &'static models::Column {
    model.column(name).expect("model column")
}

fn opt(id: Option<Uuid>) -> SqlValue {
    id.map_or(SqlValue::Null(Kind::Uuid), SqlValue::Uuid)
}

// ---------------------------------------------------------------------
// Notifications.

/// One notification to write (Zou's `create_notification`).
#[derive(Clone, Debug)]
pub struct NewNotification {
    pub person: Uuid,
    pub author: Uuid,
    pub comment: Option<Uuid>,
    pub task: Option<Uuid>,
    pub reply: Option<Uuid>,
    pub change: bool,
    /// `comment`, `mention`, `assignation`, `reply`, `reply-mention`.
    pub kind: &'static str,
    /// Zou dates a reply's notification with the reply; now otherwise.
    pub created_at: Option<NaiveDateTime>,
}

pub async fn insert_notification(exec: &mut impl Exec, n: NewNotification) -> Result<Row> {
    let m = &models::NOTIFICATION;
    let mut given = vec![
        (col(m, "person_id"), SqlValue::Uuid(n.person)),
        (col(m, "author_id"), SqlValue::Uuid(n.author)),
        (col(m, "comment_id"), opt(n.comment)),
        (col(m, "task_id"), opt(n.task)),
        (col(m, "reply_id"), opt(n.reply)),
        (col(m, "change"), SqlValue::Bool(n.change)),
        (col(m, "notification_type"), SqlValue::Text(n.kind.into())),
    ];
    if let Some(at) = n.created_at {
        given.push((col(m, "created_at"), SqlValue::DateTime(at)));
        given.push((col(m, "updated_at"), SqlValue::DateTime(at)));
    }
    rows::insert(exec, m, given).await
}

/// Zou's `get_notification_recipients`: the task's assignees, its
/// subscribers, and the subscribers of its entity's parent (a shot's
/// sequence) for its task type, each once, in that order.
pub async fn task_recipients(exec: &mut impl Exec, task: Uuid) -> Result<Vec<Uuid>> {
    let found = uuids(
        exec,
        "SELECT person_id FROM (\
           SELECT a.person_id, 0 AS part, a.seq FROM assignations a WHERE a.task_id = $1 \
           UNION ALL SELECT s.person_id, 1, s.seq FROM subscriptions s WHERE s.task_id = $1 \
           UNION ALL SELECT s.person_id, 2, s.seq FROM subscriptions s \
             JOIN tasks t ON t.id = $1 JOIN entities e ON e.id = t.entity_id \
             WHERE s.entity_id = e.parent_id AND s.task_type_id = t.task_type_id\
         ) r ORDER BY part, seq",
        &[SqlValue::Uuid(task)],
    )
    .await?;
    let mut out: Vec<Uuid> = Vec::with_capacity(found.len());
    for p in found {
        if !out.contains(&p) {
            out.push(p);
        }
    }
    Ok(out)
}

/// Zou's `get_department_team`: the production's team members in the
/// department.
pub async fn department_team(
    exec: &mut impl Exec,
    project: Uuid,
    department: Uuid,
) -> Result<Vec<Uuid>> {
    uuids(
        exec,
        "SELECT l.person_id FROM project_person_link l \
         JOIN department_link d ON d.person_id = l.person_id \
         WHERE l.project_id = $1 AND d.department_id = $2 ORDER BY l.seq",
        &[SqlValue::Uuid(project), SqlValue::Uuid(department)],
    )
    .await
}

/// What the caller's notification list is narrowed to (Zou's
/// `_filter_notifications`).
#[derive(Clone, Debug, Default)]
pub struct NotificationQuery {
    pub id: Option<Uuid>,
    pub after: Option<NaiveDateTime>,
    pub before: Option<NaiveDateTime>,
    pub task_type_id: Option<Uuid>,
    pub task_status_id: Option<Uuid>,
    pub kind: Option<String>,
    pub read: Option<bool>,
    pub watching: Option<bool>,
}

/// One notification of the caller's list with what it points at, as Zou's
/// listing query joins it.
#[derive(Clone, Debug)]
pub struct ListedNotification {
    pub id: Value,
    pub kind: Value,
    pub author_id: Value,
    pub comment_id: Value,
    pub task_id: Value,
    pub task_type_id: Value,
    pub task_status_id: Value,
    pub reply_id: Value,
    pub project_id: Value,
    pub project_name: Value,
    pub comment_text: Value,
    pub comment_replies: Value,
    pub entity_id: Option<Uuid>,
    pub subscription_id: Value,
    pub author_role: Value,
    pub created_at: Value,
    pub read: Value,
    pub change: Value,
    pub playlist_id: Value,
    /// The comment's first preview (Zou's `comment.previews[0]`).
    pub preview_file_id: Value,
}

/// Zou's `get_last_notifications`: the person's newest 100 notifications
/// matching `q`, newest first.
pub async fn notifications_for(
    exec: &mut impl Exec,
    person: Uuid,
    q: &NotificationQuery,
) -> Result<Vec<ListedNotification>> {
    let mut args = vec![SqlValue::Uuid(person)];
    let mut sql = String::from(
        "SELECT n.id, n.notification_type, n.author_id, n.comment_id, n.task_id, \
         t.task_type_id, c.task_status_id, n.reply_id, p.id, p.name, c.text, c.replies, \
         t.entity_id, s.id, a.role, n.created_at, n.read, n.change, n.playlist_id, \
         (SELECT l.preview_file_id FROM comment_preview_links l \
          WHERE l.comment_id = n.comment_id ORDER BY l.seq LIMIT 1) \
         FROM notifications n JOIN persons a ON a.id = n.author_id \
         LEFT JOIN tasks t ON t.id = n.task_id \
         LEFT JOIN projects p ON p.id = t.project_id \
         LEFT JOIN subscriptions s ON s.task_id = t.id AND s.person_id = $1 \
         LEFT JOIN comments c ON c.id = n.comment_id \
         WHERE n.person_id = $1",
    );
    let mut push = |cond: &str, v: SqlValue, args: &mut Vec<SqlValue>| {
        args.push(v);
        sql.push_str(&format!(" AND {cond} ${}", args.len()));
    };
    if let Some(id) = q.id {
        push("n.id =", SqlValue::Uuid(id), &mut args);
    }
    if let Some(at) = q.after {
        push("n.created_at >", SqlValue::DateTime(at), &mut args);
    }
    if let Some(at) = q.before {
        push("n.created_at <", SqlValue::DateTime(at), &mut args);
    }
    if let Some(id) = q.task_type_id {
        push("t.task_type_id =", SqlValue::Uuid(id), &mut args);
    }
    if let Some(id) = q.task_status_id {
        push("t.task_status_id =", SqlValue::Uuid(id), &mut args);
    }
    if let Some(kind) = &q.kind {
        push(
            "n.notification_type =",
            SqlValue::Text(kind.clone()),
            &mut args,
        );
    }
    if let Some(read) = q.read {
        push("n.read =", SqlValue::Bool(read), &mut args);
    }
    match q.watching {
        Some(true) => sql.push_str(" AND s.id IS NOT NULL"),
        Some(false) => sql.push_str(" AND s.id IS NULL"),
        None => {}
    }
    sql.push_str(" ORDER BY n.created_at DESC, n.seq DESC LIMIT 100");
    use Kind::*;
    let kinds = [
        Uuid, Text, Uuid, Uuid, Uuid, Uuid, Uuid, Uuid, Uuid, Text, Text, Json, Uuid, Uuid, Text,
        DateTime, Bool, Bool, Uuid, Uuid,
    ];
    let found = values(exec, &sql, &args, &kinds).await?;
    Ok(found
        .into_iter()
        .map(|r| {
            let mut r = r.into_iter();
            let mut next = || r.next().unwrap_or(Value::Null);
            ListedNotification {
                id: next(),
                kind: next(),
                author_id: next(),
                comment_id: next(),
                task_id: next(),
                task_type_id: next(),
                task_status_id: next(),
                reply_id: next(),
                project_id: next(),
                project_name: next(),
                comment_text: next(),
                comment_replies: next(),
                entity_id: next().as_str().and_then(|s| uuid::Uuid::parse_str(s).ok()),
                subscription_id: next(),
                author_role: next(),
                created_at: next(),
                read: next(),
                change: next(),
                playlist_id: next(),
                preview_file_id: next(),
            }
        })
        .collect())
}

/// The people and departments comment `comment` mentions, in link order.
pub async fn comment_mentions(
    exec: &mut impl Exec,
    comment: Uuid,
) -> Result<(Vec<Uuid>, Vec<Uuid>)> {
    let people = uuids(
        exec,
        "SELECT person_id FROM comment_mentions WHERE comment_id = $1 ORDER BY seq",
        &[SqlValue::Uuid(comment)],
    )
    .await?;
    let departments = uuids(
        exec,
        "SELECT department_id FROM comment_department_mentions WHERE comment_id = $1 ORDER BY seq",
        &[SqlValue::Uuid(comment)],
    )
    .await?;
    Ok((people, departments))
}

/// Zou's `get_unread_notifications_count`.
pub async fn unread_count(exec: &mut impl Exec, person: Uuid) -> Result<i64> {
    rows::count(
        exec,
        &models::NOTIFICATION,
        &[
            Filter::Eq("person_id", SqlValue::Uuid(person)),
            Filter::Eq("read", SqlValue::Bool(false)),
        ],
    )
    .await
}

/// Zou's `mark_notifications_as_read`: every unread one of the person
/// (its column `onupdate` stamps `updated_at` even in a bulk update).
pub async fn mark_all_read(exec: &mut impl Exec, person: Uuid) -> Result<()> {
    let now = fennec_api::time::now();
    on!(exec, c => sqlx::query(
        "UPDATE notifications SET read = TRUE, updated_at = $2 WHERE person_id = $1 AND read = FALSE")
        .bind(person).bind(now).execute(&mut *c).await?.rows_affected());
    Ok(())
}

/// The person's notification `id`, or `None` when it is someone else's.
pub async fn own_notification(exec: &mut impl Exec, person: Uuid, id: Uuid) -> Result<Option<Row>> {
    let select = Select::default()
        .eq("id", SqlValue::Uuid(id))
        .eq("person_id", SqlValue::Uuid(person));
    Ok(rows::list(exec, &models::NOTIFICATION, &select, false)
        .await?
        .into_iter()
        .next())
}

/// Zou's `get_notifications_for_project`: the notifications on the
/// production's tasks, most recently updated first; a page of
/// `per_page` when `page` is at least 1, all of them otherwise.
pub async fn project_notifications(
    exec: &mut impl Exec,
    project: Uuid,
    page: Option<(i64, i64)>,
) -> Result<(i64, Vec<Row>)> {
    let ids = uuids(
        exec,
        "SELECT n.id FROM notifications n JOIN tasks t ON t.id = n.task_id \
         WHERE t.project_id = $1 ORDER BY n.updated_at DESC, n.seq DESC",
        &[SqlValue::Uuid(project)],
    )
    .await?;
    let total = ids.len() as i64;
    let ids: Vec<Uuid> = match page {
        Some((page, per_page)) => ids
            .into_iter()
            .skip(((page - 1) * per_page).max(0) as usize)
            .take(per_page.max(0) as usize)
            .collect(),
        None => ids,
    };
    Ok((
        total,
        rows_in_order(exec, &models::NOTIFICATION, ids).await?,
    ))
}

/// Rows of `model` with these ids, in the ids' order.
async fn rows_in_order(
    exec: &mut impl Exec,
    model: &'static models::Model,
    ids: Vec<Uuid>,
) -> Result<Vec<Row>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let select = Select {
        filters: vec![Filter::In(
            "id",
            ids.iter().copied().map(SqlValue::Uuid).collect(),
        )],
        order: Order::Created,
        ..Select::default()
    };
    let mut found = rows::list(exec, model, &select, false).await?;
    let pos = |r: &Row| {
        r.get("id")
            .and_then(Value::as_str)
            .and_then(|s| Uuid::parse_str(s).ok())
            .and_then(|id| ids.iter().position(|i| *i == id))
            .unwrap_or(usize::MAX)
    };
    found.sort_by_key(pos);
    Ok(found)
}

// ---------------------------------------------------------------------
// Subscriptions.

/// The person's subscription to the task, if any.
pub async fn task_subscription(
    exec: &mut impl Exec,
    person: Uuid,
    task: Uuid,
) -> Result<Option<Row>> {
    let select = Select::default()
        .eq("person_id", SqlValue::Uuid(person))
        .eq("task_id", SqlValue::Uuid(task));
    Ok(rows::list(exec, &models::SUBSCRIPTION, &select, false)
        .await?
        .into_iter()
        .next())
}

/// Zou's `subscribe_to_task`: the existing subscription, or a new one.
pub async fn subscribe_to_task(exec: &mut impl Exec, person: Uuid, task: Uuid) -> Result<Row> {
    if let Some(found) = task_subscription(exec, person, task).await? {
        return Ok(found);
    }
    let m = &models::SUBSCRIPTION;
    rows::insert(
        exec,
        m,
        vec![
            (col(m, "person_id"), SqlValue::Uuid(person)),
            (col(m, "task_id"), SqlValue::Uuid(task)),
        ],
    )
    .await
}

/// Zou's `unsubscribe_from_task`: the removed subscription, if there was one.
pub async fn unsubscribe_from_task(
    exec: &mut impl Exec,
    person: Uuid,
    task: Uuid,
) -> Result<Option<Row>> {
    let found = task_subscription(exec, person, task).await?;
    if let Some(row) = &found {
        if let Some(id) = row
            .get("id")
            .and_then(Value::as_str)
            .and_then(|s| Uuid::parse_str(s).ok())
        {
            rows::delete(exec, &models::SUBSCRIPTION, id).await?;
        }
    }
    Ok(found)
}

/// Zou's `get_subscriptions_for_project`: the subscriptions to the
/// production's tasks.
pub async fn project_subscriptions(exec: &mut impl Exec, project: Uuid) -> Result<Vec<Row>> {
    let ids = uuids(
        exec,
        "SELECT s.id FROM subscriptions s JOIN tasks t ON t.id = s.task_id \
         WHERE t.project_id = $1 ORDER BY s.seq",
        &[SqlValue::Uuid(project)],
    )
    .await?;
    rows_in_order(exec, &models::SUBSCRIPTION, ids).await
}

/// The tasks of `tasks` the person subscribed to (the boards'
/// `is_subscribed`).
pub async fn subscribed_tasks(
    exec: &mut impl Exec,
    person: Uuid,
    project: Uuid,
) -> Result<Vec<Uuid>> {
    uuids(
        exec,
        "SELECT s.task_id FROM subscriptions s JOIN tasks t ON t.id = s.task_id \
         WHERE s.person_id = $1 AND t.project_id = $2",
        &[SqlValue::Uuid(person), SqlValue::Uuid(project)],
    )
    .await
}

// ---------------------------------------------------------------------
// News.

/// One news entry to write (Zou's `create_news`).
#[derive(Clone, Debug)]
pub struct NewNews {
    pub author: Uuid,
    pub comment: Option<Uuid>,
    pub task: Uuid,
    pub preview_file: Option<Uuid>,
    pub change: bool,
    pub created_at: NaiveDateTime,
}

pub async fn insert_news(exec: &mut impl Exec, n: NewNews) -> Result<Row> {
    let m = &models::NEWS;
    rows::insert(
        exec,
        m,
        vec![
            (col(m, "author_id"), SqlValue::Uuid(n.author)),
            (col(m, "comment_id"), opt(n.comment)),
            (col(m, "task_id"), SqlValue::Uuid(n.task)),
            (col(m, "preview_file_id"), opt(n.preview_file)),
            (col(m, "change"), SqlValue::Bool(n.change)),
            (col(m, "created_at"), SqlValue::DateTime(n.created_at)),
            (col(m, "updated_at"), SqlValue::DateTime(n.created_at)),
        ],
    )
    .await
}

/// What a news list is narrowed to (Zou's `NewsFilters`).
#[derive(Clone, Debug, Default)]
pub struct NewsQuery {
    pub project_ids: Vec<Uuid>,
    /// Set for anyone but an admin: only productions whose team holds him.
    pub member: Option<Uuid>,
    pub news_id: Option<Uuid>,
    pub task_status_id: Option<Uuid>,
    pub task_type_id: Option<Uuid>,
    pub author_id: Option<Uuid>,
    pub episode_id: Option<Uuid>,
    pub only_preview: bool,
    pub after: Option<NaiveDateTime>,
    pub before: Option<NaiveDateTime>,
}

impl NewsQuery {
    /// The joins and WHERE clause shared by the list, its count and stats.
    fn sql_tail(&self, args: &mut Vec<SqlValue>, inner_comment: bool) -> String {
        let mut sql = format!(
            " FROM news n JOIN tasks t ON t.id = n.task_id \
             JOIN projects p ON p.id = t.project_id \
             JOIN entities e ON e.id = t.entity_id \
             {} JOIN comments c ON c.id = n.comment_id \
             LEFT JOIN preview_files pf ON pf.id = n.preview_file_id",
            if inner_comment { "" } else { "LEFT" }
        );
        if self.episode_id.is_some() {
            sql.push_str(" JOIN entities sq ON sq.id = e.parent_id");
        }
        sql.push_str(" WHERE 1 = 1");
        let mut push = |cond: &str, v: SqlValue, args: &mut Vec<SqlValue>| {
            args.push(v);
            sql.push_str(&format!(" AND {cond} ${}", args.len()));
        };
        if let Some(id) = self.news_id {
            push("n.id =", SqlValue::Uuid(id), args);
        }
        if let Some(id) = self.episode_id {
            push("sq.parent_id =", SqlValue::Uuid(id), args);
        }
        if let Some(id) = self.task_status_id {
            push("c.task_status_id =", SqlValue::Uuid(id), args);
        }
        if let Some(id) = self.task_type_id {
            push("t.task_type_id =", SqlValue::Uuid(id), args);
        }
        if let Some(id) = self.author_id {
            push("n.author_id =", SqlValue::Uuid(id), args);
        }
        if let Some(at) = self.after {
            push("n.created_at >", SqlValue::DateTime(at), args);
        }
        if let Some(at) = self.before {
            push("n.created_at <", SqlValue::DateTime(at), args);
        }
        if self.only_preview {
            sql.push_str(" AND n.preview_file_id IS NOT NULL");
        }
        // Zou's scope: the productions asked for, or else those whose team
        // holds the caller (admins excepted).
        if !self.project_ids.is_empty() {
            let mut marks = Vec::new();
            for p in &self.project_ids {
                args.push(SqlValue::Uuid(*p));
                marks.push(format!("${}", args.len()));
            }
            sql.push_str(&format!(" AND p.id IN ({})", marks.join(", ")));
        } else if let Some(id) = self.member {
            args.push(SqlValue::Uuid(id));
            sql.push_str(&format!(
                " AND p.id IN (SELECT project_id FROM project_person_link WHERE person_id = ${})",
                args.len()
            ));
        }
        sql
    }
}

/// One news entry as the feed lists it.
pub type NewsLine = Vec<Value>;

/// The columns of a [`NewsLine`], in order.
pub const NEWS_LINE: &[&str] = &[
    "id",
    "author_id",
    "comment_id",
    "task_id",
    "task_type_id",
    "task_status_id",
    "task_entity_id",
    "preview_file_id",
    "preview_file_extension",
    "preview_file_revision",
    "project_id",
    "project_name",
    "created_at",
    "change",
    "entity_preview_file_id",
];

/// Zou's `get_last_news_for_project`: the total matching `q` and one page
/// of them, newest first (ties by id, as Zou orders them).
pub async fn news_page(
    exec: &mut impl Exec,
    q: &NewsQuery,
    limit: i64,
    offset: i64,
) -> Result<(i64, Vec<NewsLine>)> {
    let mut args = Vec::new();
    let from = q.sql_tail(&mut args, false);
    let total = values(
        exec,
        &format!("SELECT COUNT(n.id){from}"),
        &args,
        &[Kind::Int],
    )
    .await?
    .first()
    .and_then(|r| r[0].as_i64())
    .unwrap_or(0);
    let sql = format!(
        "SELECT n.id, n.author_id, n.comment_id, n.task_id, t.task_type_id, c.task_status_id, \
         t.entity_id, n.preview_file_id, pf.extension, pf.revision, p.id, p.name, n.created_at, \
         n.change, e.preview_file_id{from} ORDER BY n.created_at DESC, n.id DESC \
         LIMIT {} OFFSET {}",
        limit.max(0),
        offset.max(0)
    );
    use Kind::*;
    let kinds = [
        Uuid, Uuid, Uuid, Uuid, Uuid, Uuid, Uuid, Uuid, Text, Int, Uuid, Text, DateTime, Bool, Uuid,
    ];
    Ok((total, values(exec, &sql, &args, &kinds).await?))
}

/// Zou's `get_news_stats_for_project`: the status-changing news matching
/// `q`, counted by the status their comment set.
pub async fn news_stats(exec: &mut impl Exec, q: &NewsQuery) -> Result<Vec<(Value, i64)>> {
    let mut args = Vec::new();
    let from = q.sql_tail(&mut args, true);
    let sql = format!(
        "SELECT c.task_status_id, COUNT(e.id){from} AND n.change = TRUE \
         GROUP BY c.task_status_id ORDER BY MIN(n.seq)"
    );
    let found = values(exec, &sql, &args, &[Kind::Uuid, Kind::Int]).await?;
    Ok(found
        .into_iter()
        .map(|r| (r[0].clone(), r[1].as_i64().unwrap_or(0)))
        .collect())
}

/// Whether the entity is a concept (Zou keeps concepts out of the feed).
pub async fn is_concept(exec: &mut impl Exec, entity: Uuid) -> Result<bool> {
    let found = values(
        exec,
        "SELECT et.name FROM entities e JOIN entity_types et ON et.id = e.entity_type_id \
         WHERE e.id = $1",
        &[SqlValue::Uuid(entity)],
        &[Kind::Text],
    )
    .await?;
    Ok(found
        .first()
        .is_some_and(|r| r[0].as_str() == Some("Concept")))
}

// ---------------------------------------------------------------------
// Removals (Zou's cascade), on the rows a condition selects.

/// Removes the notifications and news of the comments `comments` selects
/// (an SQL `(SELECT id ...)` bound to `$1`/`$2`), before they go.
pub(crate) fn for_comments_sql(comments: &str) -> [String; 2] {
    [
        format!("DELETE FROM notifications WHERE comment_id IN {comments}"),
        format!("DELETE FROM news WHERE comment_id IN {comments}"),
    ]
}

/// Removes what points at the tasks `tasks` selects: their notifications,
/// subscriptions and news.
pub(crate) fn for_tasks_sql(tasks: &str) -> [String; 3] {
    [
        format!("DELETE FROM notifications WHERE task_id IN {tasks}"),
        format!("DELETE FROM subscriptions WHERE task_id IN {tasks}"),
        format!("DELETE FROM news WHERE task_id IN {tasks}"),
    ]
}

/// Removes a comment's notifications and news (Zou's
/// `move_comment_to_task` before it raises them again).
pub async fn remove_for_comment(exec: &mut impl Exec, comment: Uuid) -> Result<()> {
    for sql in for_comments_sql("($1)") {
        on!(exec, c => sqlx::query(&sql).bind(comment).execute(&mut *c).await?.rows_affected());
    }
    Ok(())
}

/// Removes the notifications a reply raised (Zou's `delete_reply`).
pub async fn remove_for_reply(exec: &mut impl Exec, reply: Uuid) -> Result<()> {
    on!(exec, c => sqlx::query("DELETE FROM notifications WHERE reply_id = $1")
        .bind(reply).execute(&mut *c).await?.rows_affected());
    Ok(())
}

/// What Zou's `get_full_entity_names` reads of an entity: its name, its
/// type's name, its parent's name and parent, the grandparent's id and
/// name, its `source_id` and its preview.
#[derive(Clone, Debug)]
pub struct EntityNameParts {
    pub id: Uuid,
    pub name: String,
    pub type_name: String,
    pub parent_id: Option<Uuid>,
    pub parent_name: Option<String>,
    pub parent_has_parent: bool,
    pub grandparent: Option<(Uuid, String)>,
    pub source_id: Option<Uuid>,
    pub preview_file_id: Option<Uuid>,
}

pub async fn entity_name_parts(exec: &mut impl Exec, ids: &[Uuid]) -> Result<Vec<EntityNameParts>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let mut args = Vec::new();
    let mut marks = Vec::new();
    for id in ids {
        args.push(SqlValue::Uuid(*id));
        marks.push(format!("${}", args.len()));
    }
    let sql = format!(
        "SELECT e.id, e.name, et.name, e.parent_id, par.name, par.parent_id, gp.id, gp.name, \
         e.source_id, e.preview_file_id FROM entities e \
         JOIN entity_types et ON et.id = e.entity_type_id \
         LEFT JOIN entities par ON par.id = e.parent_id \
         LEFT JOIN entities gp ON gp.id = par.parent_id WHERE e.id IN ({})",
        marks.join(", ")
    );
    use Kind::*;
    let kinds = [Uuid, Text, Text, Uuid, Text, Uuid, Uuid, Text, Uuid, Uuid];
    let id = |v: &Value| v.as_str().and_then(|s| uuid::Uuid::parse_str(s).ok());
    let text = |v: &Value| v.as_str().map(str::to_owned);
    Ok(values(exec, &sql, &args, &kinds)
        .await?
        .iter()
        .filter_map(|r| {
            Some(EntityNameParts {
                id: id(&r[0])?,
                name: text(&r[1]).unwrap_or_default(),
                type_name: text(&r[2]).unwrap_or_default(),
                parent_id: id(&r[3]),
                parent_name: text(&r[4]),
                parent_has_parent: !r[5].is_null(),
                grandparent: id(&r[6]).map(|g| (g, text(&r[7]).unwrap_or_default())),
                source_id: id(&r[8]),
                preview_file_id: id(&r[9]),
            })
        })
        .collect())
}

/// The short person rows (id, names, avatar flag, role) of `ids`.
pub async fn short_persons(exec: &mut impl Exec, ids: &[Uuid]) -> Result<Vec<Vec<Value>>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let mut args = Vec::new();
    let mut marks = Vec::new();
    for id in ids {
        args.push(SqlValue::Uuid(*id));
        marks.push(format!("${}", args.len()));
    }
    let sql = format!(
        "SELECT id, first_name, last_name, has_avatar, role FROM persons WHERE id IN ({})",
        marks.join(", ")
    );
    use Kind::*;
    values(exec, &sql, &args, &[Uuid, Text, Text, Bool, Text]).await
}

/// Zou's feed with `only_preview`: the minimal preview files (id, name,
/// extension, revision, position, status) of each task and revision, in
/// position order.
pub async fn previews_of_revisions(
    exec: &mut impl Exec,
    pairs: &[(Uuid, i64)],
) -> Result<Vec<(Uuid, i64, Vec<Value>)>> {
    let mut out: Vec<(Uuid, i64, Vec<Value>)> = Vec::new();
    for (task, revision) in pairs {
        if out.iter().any(|(t, r, _)| t == task && r == revision) {
            continue;
        }
        use Kind::*;
        let found = values(
            exec,
            "SELECT id, name, extension, revision, position, status FROM preview_files \
             WHERE task_id = $1 AND revision = $2 ORDER BY position, seq",
            &[SqlValue::Uuid(*task), SqlValue::Int(*revision)],
            &[Uuid, Text, Text, Int, Int, Text],
        )
        .await?;
        let keys = ["id", "name", "extension", "revision", "position", "status"];
        let list = found
            .into_iter()
            .map(|r| Value::Object(keys.iter().map(|k| (*k).to_owned()).zip(r).collect()))
            .collect();
        out.push((*task, *revision, list));
    }
    Ok(out)
}
