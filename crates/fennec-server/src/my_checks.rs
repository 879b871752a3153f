//! Supervisors' and managers' "My Checks" (Zou's `user` blueprint,
//! `/data/user/tasks-to-check`): which tasks a caller checks, the query's
//! arguments, the rows with their sort keys, and the filter values.

use std::collections::HashMap;

use fennec_store::db::Exec;
use fennec_store::links;
use fennec_store::{on, StoreError};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::user::Role;
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::QueryPairs;
use crate::present::{id_of, uuid_field, EntityTypes};
use crate::task_rows::{Lookups, TASK};
use crate::todo_rows::{todo_row, Batch, Flavour};
use crate::user_context::{ids, open_status, rows_by_ids};

// ---------------------------------------------------------------------
// Tasks to check (My Checks).

/// Which tasks a caller checks (Zou's `_get_tasks_to_check_scope`, on the
/// global role): an admin every open production's, a manager his open
/// productions', a supervisor those of his departments there; anyone
/// else none.
enum CheckScope {
    All,
    Projects(Vec<Uuid>, Vec<Uuid>),
    Nothing,
}

/// Open productions whose team the caller is in (Zou's `related_projects`).
async fn related_projects(exec: &mut impl Exec, user: &CurrentUser) -> ApiResult<Vec<Uuid>> {
    let Some(open) = open_status(exec).await? else {
        return Ok(vec![]);
    };
    let sql =
        "SELECT DISTINCT p.id FROM projects p JOIN project_person_link l ON l.project_id = p.id \
               WHERE l.person_id = $1 AND p.project_status_id = $2";
    ids(exec, sql, &[user.id, open]).await
}

async fn check_scope(exec: &mut impl Exec, user: &CurrentUser) -> ApiResult<CheckScope> {
    Ok(match user.role {
        Role::Admin => CheckScope::All,
        Role::Manager => CheckScope::Projects(related_projects(exec, user).await?, vec![]),
        Role::Supervisor => CheckScope::Projects(
            related_projects(exec, user).await?,
            links::PERSON_DEPARTMENTS.rights(exec, user.id).await?,
        ),
        _ => CheckScope::Nothing,
    })
}

/// The query arguments of the tasks-to-check route, checked as Zou checks
/// them before running anything.
pub(crate) struct CheckArgs {
    project_id: Option<Uuid>,
    task_type_id: Option<Uuid>,
    task_status_id: Option<Uuid>,
    person: Option<Vec<Uuid>>,
    unassigned: bool,
    episode_id: Option<Uuid>,
    due_since: Option<chrono::NaiveDateTime>,
    due_until: Option<chrono::NaiveDateTime>,
    order_by: Option<String>,
    page: Option<i64>,
    limit: i64,
}

fn wrong_uuid(v: &str) -> ApiResult<Uuid> {
    // Zou's `check_id_parameter`: the hyphenated form only.
    let ok = v.len() == 36 && v.chars().filter(|c| *c == '-').count() == 4;
    ok.then(|| Uuid::parse_str(v).ok())
        .flatten()
        .ok_or_else(|| ApiError::bad_request("Wrong UUID format."))
}

fn check_date(v: Option<&str>) -> ApiResult<Option<chrono::NaiveDateTime>> {
    let Some(v) = v else { return Ok(None) };
    let parsed = chrono::NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S")
        .ok()
        .or_else(|| {
            chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
                .ok()
                .map(|d| d.and_time(chrono::NaiveTime::MIN))
        });
    parsed.map(Some).ok_or_else(|| {
        ApiError::bad_request(
            "Wrong date format for before argument.Expected format: 2020-01-05T13:23:10 or 2020-01-05",
        )
    })
}

fn int_arg(query: &QueryPairs, key: &str) -> ApiResult<Option<i64>> {
    query
        .get(key)
        .map(|v| {
            v.trim()
                .parse::<i64>()
                .map_err(|_| ApiError::bad_request(format!("Wrong value for parameter {key}.")))
        })
        .transpose()
}

impl CheckArgs {
    /// No filter: every task of the caller's scope.
    fn none() -> CheckArgs {
        CheckArgs {
            project_id: None,
            task_type_id: None,
            task_status_id: None,
            person: None,
            unassigned: false,
            episode_id: None,
            due_since: None,
            due_until: None,
            order_by: None,
            page: None,
            limit: 100,
        }
    }

    pub(crate) fn read(query: &QueryPairs) -> ApiResult<CheckArgs> {
        let page = int_arg(query, "page")?;
        let limit = int_arg(query, "limit")?.unwrap_or(100);
        let id = |key: &str| query.get(key).map(wrong_uuid).transpose();
        let project_id = id("project_id")?;
        let task_type_id = id("task_type_id")?;
        let task_status_id = id("task_status_id")?;
        let episode_id = id("episode_id")?;
        let (mut person, mut unassigned) = (None, false);
        match query.get("person_id") {
            None => {}
            Some("unassigned") => unassigned = true,
            Some(list) => person = Some(list.split(',').map(wrong_uuid).collect::<ApiResult<_>>()?),
        }
        Ok(CheckArgs {
            project_id,
            task_type_id,
            task_status_id,
            person,
            unassigned,
            episode_id,
            due_since: check_date(query.get("due_date_since"))?,
            due_until: check_date(query.get("due_date_until"))?,
            order_by: query.get("order_by").map(str::to_owned),
            page,
            limit,
        })
    }
}

/// What Zou's tasks-to-check query sorts and sums on, per task: its id,
/// the names of its production, episode, sequence, entity type, entity
/// and task type (the joins' own, as Zou's `ORDER BY` reads them), its
/// priority, due date, estimation and duration.
type CheckRow = (
    Uuid,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<chrono::NaiveDateTime>,
    Option<f64>,
    Option<f64>,
);

/// The tasks waiting for feedback that `scope` and `args` select, in one
/// query, with their sort keys (see [`CheckRow`]).
async fn tasks_to_check_rows(
    exec: &mut impl Exec,
    scope: &CheckScope,
    args: &CheckArgs,
) -> ApiResult<Vec<CheckRow>> {
    let mut sql = String::from(
        "SELECT t.id, p.name, ep.name, sq.name, et.name, e.name, tt.name, \
         CAST(t.priority AS BIGINT), t.due_date, CAST(t.estimation AS DOUBLE PRECISION), \
         CAST(t.duration AS DOUBLE PRECISION) \
         FROM tasks t JOIN projects p ON p.id = t.project_id \
         JOIN task_types tt ON tt.id = t.task_type_id \
         JOIN task_statuses ts ON ts.id = t.task_status_id \
         JOIN entities e ON e.id = t.entity_id \
         JOIN entity_types et ON et.id = e.entity_type_id \
         LEFT JOIN entities sq ON sq.id = e.parent_id \
         LEFT JOIN entities ep ON ep.id = sq.parent_id \
         WHERE ts.is_feedback_request = TRUE",
    );
    let mut binds: Vec<Uuid> = Vec::new();
    let mut push = |sql: &mut String, clause: &str, values: &[Uuid]| {
        let mut clause = clause.to_owned();
        for v in values {
            binds.push(*v);
            clause = clause.replacen("?", &format!("${}", binds.len()), 1);
        }
        sql.push_str(&clause);
    };
    let list = |n: usize| vec!["?"; n].join(", ");
    match scope {
        CheckScope::All => {
            let open = open_status(exec).await?.unwrap_or_default();
            push(&mut sql, " AND p.project_status_id = ?", &[open]);
        }
        CheckScope::Projects(projects, departments) => {
            if projects.is_empty() {
                return Ok(vec![]);
            }
            push(
                &mut sql,
                &format!(" AND p.id IN ({})", list(projects.len())),
                projects,
            );
            if !departments.is_empty() {
                push(
                    &mut sql,
                    &format!(" AND tt.department_id IN ({})", list(departments.len())),
                    departments,
                );
            }
        }
        CheckScope::Nothing => return Ok(vec![]),
    }
    if let Some(v) = args.project_id {
        push(&mut sql, " AND p.id = ?", &[v]);
    }
    if let Some(v) = args.task_type_id {
        push(&mut sql, " AND tt.id = ?", &[v]);
    }
    if let Some(v) = args.task_status_id {
        push(&mut sql, " AND ts.id = ?", &[v]);
    }
    if args.unassigned {
        sql.push_str(" AND NOT EXISTS (SELECT 1 FROM assignations a WHERE a.task_id = t.id)");
    }
    if let Some(people) = &args.person {
        push(
            &mut sql,
            &format!(
                " AND EXISTS (SELECT 1 FROM assignations a WHERE a.task_id = t.id AND a.person_id IN ({}))",
                list(people.len())
            ),
            people,
        );
    }
    if let Some(ep) = args.episode_id {
        // Every way a row resolves its episode: the sequence's parent, an
        // episode-scoped entity (source_id), a sequence-level task.
        push(
            &mut sql,
            " AND (ep.id = ? OR e.source_id = ? OR e.parent_id = ?)",
            &[ep, ep, ep],
        );
    }
    let dates = due_clauses(args, binds.len());
    sql.push_str(&dates);
    let found = on!(exec, c => {
        let mut q = sqlx::query_as::<_, CheckRow>(&sql);
        for b in &binds {
            q = q.bind(*b);
        }
        // Dates are bound after the ids, in the order they were added.
        if let Some(d) = args.due_since {
            q = q.bind(d);
        }
        if let Some(d) = args.due_until {
            q = q.bind(d);
        }
        q.fetch_all(&mut *c).await.map_err(StoreError::from)?
    });
    Ok(found)
}

/// The due-date clauses, appended last so their parameters follow the
/// ids' (see [`tasks_to_check_rows`]).
fn due_clauses(args: &CheckArgs, first: usize) -> String {
    let mut n = first;
    let mut out = String::new();
    if args.due_since.is_some() {
        n += 1;
        out.push_str(&format!(" AND t.due_date >= ${n}"));
    }
    if args.due_until.is_some() {
        n += 1;
        out.push_str(&format!(" AND t.due_date <= ${n}"));
    }
    out
}

/// The sort keys of Zou's orderings (`order_by`, else the names), the
/// task's id last.
fn sort_key(row: &CheckRow, order_by: Option<&str>) -> Vec<SortValue> {
    let text = |v: &Option<String>| v.clone().map_or(SortValue::Null, SortValue::Text);
    let desc = |v: Option<f64>| v.map_or(SortValue::Null, |f| SortValue::Num(-f));
    let due = row.8.map_or(SortValue::Null, |d| {
        SortValue::Text(d.format("%Y-%m-%dT%H:%M:%S").to_string())
    });
    let names = vec![
        text(&row.1),
        text(&row.2),
        text(&row.3),
        text(&row.4),
        text(&row.5),
        text(&row.6),
    ];
    let mut key = match order_by {
        Some("priority") => {
            let mut k = vec![desc(row.7.map(|p| p as f64)), due];
            k.extend(names);
            k
        }
        Some("due_date") => {
            let mut k = vec![due];
            k.extend(names);
            k
        }
        Some("estimation") => {
            let mut k = vec![desc(row.9)];
            k.extend(names);
            k
        }
        Some("entity_name") => vec![
            text(&row.1),
            text(&row.6),
            text(&row.2),
            text(&row.3),
            text(&row.5),
        ],
        _ => names,
    };
    key.push(SortValue::Text(row.0.to_string()));
    key
}

/// A sort value with PostgreSQL's ascending order: nulls last.
#[derive(PartialEq, PartialOrd)]
enum SortValue {
    Num(f64),
    Text(String),
    Null,
}

/// The tasks waiting for the caller's feedback that `args` select; with
/// `page`, Zou's envelope with stats.
pub(crate) async fn tasks_to_check(
    state: &AppState,
    conn: &mut impl Exec,
    user: &CurrentUser,
    args: &CheckArgs,
) -> ApiResult<Value> {
    let scope = check_scope(conn, user).await?;
    let mut found = tasks_to_check_rows(conn, &scope, args).await?;
    // Zou's unpaged, unordered list has no order of its own: creation's.
    if args.page.is_some() || args.order_by.is_some() {
        found.sort_by(|a, b| {
            sort_key(a, args.order_by.as_deref())
                .partial_cmp(&sort_key(b, args.order_by.as_deref()))
                .unwrap_or(std::cmp::Ordering::Equal)
        });
    }
    let total = found.len() as i64;
    // Zou's sums fall back to 0 when falsy (`sum or 0`): no value, or a
    // total of 0.0, is the integer 0; any other total a float.
    let sum = |total: f64| -> Value {
        if total == 0.0 {
            json!(0)
        } else {
            json!(total)
        }
    };
    let total_duration = sum(found.iter().filter_map(|r| r.10).sum());
    let total_estimation = sum(found.iter().filter_map(|r| r.9).sum());
    let (page, limit) = (args.page.map(|p| p.max(1)), args.limit.max(1));
    let chosen: Vec<Uuid> = match page {
        Some(page) => found
            .iter()
            .skip(((page - 1) * limit) as usize)
            .take(limit as usize)
            .map(|r| r.0)
            .collect(),
        None => found.iter().map(|r| r.0).collect(),
    };
    // Only the rows shown are built, in the order chosen.
    let data = todo_rows_for(state, conn, &chosen).await?;
    let Some(page) = page else {
        return Ok(data);
    };
    Ok(json!({
        "data": data,
        "stats": {
            "total": total,
            "total_duration": total_duration,
            "total_estimation": total_estimation,
        },
        "page": page,
        "limit": limit,
        "is_more": page * limit < total,
    }))
}

/// Zou's to-do rows of these tasks, in this order.
async fn todo_rows_for(state: &AppState, conn: &mut impl Exec, tasks: &[Uuid]) -> ApiResult<Value> {
    let mut list = Vec::new();
    for chunk in tasks.chunks(1000) {
        list.extend(rows_by_ids(conn, TASK, chunk.to_vec()).await?);
    }
    let position: HashMap<Uuid, usize> = tasks.iter().enumerate().map(|(i, t)| (*t, i)).collect();
    list.sort_by_key(|r| position.get(&id_of(r)).copied().unwrap_or(usize::MAX));
    let mut lookups = Lookups::cached(state, conn).await?;
    lookups
        .preload_projects(
            conn,
            list.iter().filter_map(|t| uuid_field(t, "project_id")),
        )
        .await?;
    let batch = Batch::load(conn, &mut lookups, &list, Flavour::Todo).await?;
    Ok(Value::Array(
        list.into_iter()
            .map(|r| Value::Object(todo_row(&lookups, &batch, r, Flavour::Todo)))
            .collect(),
    ))
}

/// The productions, task types, statuses, episodes and assignees found
/// among the tasks the caller checks, each as sorted ids.
pub(crate) async fn filter_values(conn: &mut impl Exec, user: &CurrentUser) -> ApiResult<Value> {
    let scope = check_scope(conn, user).await?;
    let found: Vec<Uuid> = tasks_to_check_rows(conn, &scope, &CheckArgs::none())
        .await?
        .into_iter()
        .map(|r| r.0)
        .collect();
    let types = EntityTypes::load(conn).await?;
    // A nil id when missing, which matches nothing.
    let sequence_type = types.id_of("Sequence").unwrap_or_default();
    let mut sets: [std::collections::BTreeSet<String>; 5] = Default::default();
    type ValueRow = (
        Uuid,
        Uuid,
        Uuid,
        Option<Uuid>,
        Option<Uuid>,
        Option<Uuid>,
        Uuid,
    );
    for chunk in found.chunks(500) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT t.project_id, t.task_type_id, t.task_status_id, ep.id, e.source_id, \
             e.parent_id, e.entity_type_id FROM tasks t JOIN entities e ON e.id = t.entity_id \
             LEFT JOIN entities sq ON sq.id = e.parent_id \
             LEFT JOIN entities ep ON ep.id = sq.parent_id WHERE t.id IN ({})",
            marks.join(", ")
        );
        let rows: Vec<ValueRow> = on!(conn, c => {
            let mut q = sqlx::query_as(&sql);
            for id in chunk {
                q = q.bind(*id);
            }
            q.fetch_all(&mut *c).await.map_err(StoreError::from)?
        });
        for (project, task_type, status, episode, source, parent, kind) in rows {
            sets[0].insert(project.to_string());
            sets[1].insert(task_type.to_string());
            sets[2].insert(status.to_string());
            // The episode as the rows show it: the sequence's parent, else
            // the entity's source, and a sequence's own parent.
            let mut episode = episode.or(source);
            if kind == sequence_type && parent.is_some() {
                episode = parent;
            }
            if let Some(e) = episode {
                sets[3].insert(e.to_string());
            }
        }
        let sql = format!(
            "SELECT DISTINCT person_id FROM assignations WHERE task_id IN ({})",
            marks.join(", ")
        );
        let people = ids(conn, &sql, chunk).await?;
        sets[4].extend(people.iter().map(Uuid::to_string));
    }
    let keys = [
        "project_ids",
        "task_type_ids",
        "task_status_ids",
        "episode_ids",
        "person_ids",
    ];
    let mut out = Map::new();
    for (key, set) in keys.into_iter().zip(sets) {
        out.insert(key.into(), json!(set.into_iter().collect::<Vec<_>>()));
    }
    Ok(Value::Object(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nulls_sort_last_as_postgresql_does() {
        let mut v = [
            SortValue::Null,
            SortValue::Text("b".into()),
            SortValue::Text("a".into()),
        ];
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        assert!(v[0] == SortValue::Text("a".into()));
        assert!(v[2] == SortValue::Null);
    }
}
