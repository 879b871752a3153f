//! Studio-wide task overviews of Zou's tasks blueprint: the open tasks'
//! stats per production (`/data/tasks/open-tasks/stats`) and each person's
//! first start and last due date (`/data/persons/task-dates`, the team
//! schedule), both set-based.

use chrono::NaiveDateTime;
use fennec_store::db::Exec;
use fennec_store::{on, StoreError};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::auth::user::Role;
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::user_context::{ids, open_status};

/// `$1, $2, …` from `from`, for an IN list.
fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Open productions: all of them, or those whose team `member` is in.
async fn open_projects(exec: &mut impl Exec, member: Option<Uuid>) -> ApiResult<Vec<Uuid>> {
    let Some(open) = open_status(exec).await? else {
        return Ok(vec![]);
    };
    match member {
        None => {
            ids(
                exec,
                "SELECT id FROM projects WHERE project_status_id = $1",
                &[open],
            )
            .await
        }
        Some(person) => {
            let sql = "SELECT DISTINCT p.id FROM projects p \
                       JOIN project_person_link l ON l.project_id = p.id \
                       WHERE l.person_id = $1 AND p.project_status_id = $2";
            ids(exec, sql, &[person, open]).await
        }
    }
}

type StatRow = (Uuid, Uuid, Uuid, i64, i64, f64, f64);

/// GET /data/tasks/open-tasks/stats — per open production (an admin's:
/// every one; anyone else's: those of his teams, whatever his role), the
/// count, done count, duration and estimation of its tasks, and the same
/// per task type and status. Concept tasks are left out.
pub(crate) async fn open_tasks_stats(exec: &mut impl Exec, user: &CurrentUser) -> ApiResult<Value> {
    let member = (user.role != Role::Admin).then_some(user.id);
    let projects = open_projects(exec, member).await?;
    if projects.is_empty() {
        return Ok(json!({}));
    }
    // Zou's filter `for_entity != 'Concept'` leaves out task types with no
    // kind too, as SQL's inequality does.
    let sql = format!(
        "SELECT t.project_id, t.task_type_id, t.task_status_id, COUNT(*), \
         COUNT(CASE WHEN s.is_done THEN 1 END), \
         COALESCE(SUM(t.duration), 0.0), COALESCE(SUM(t.estimation), 0.0) \
         FROM tasks t JOIN task_types tt ON tt.id = t.task_type_id \
         JOIN task_statuses s ON s.id = t.task_status_id \
         JOIN entities e ON e.id = t.entity_id \
         JOIN entity_types et ON et.id = e.entity_type_id \
         JOIN projects p ON p.id = t.project_id \
         WHERE tt.for_entity <> 'Concept' AND t.project_id IN ({}) \
         GROUP BY t.project_id, t.task_type_id, t.task_status_id \
         ORDER BY MIN(p.created_at), t.project_id, MIN(tt.name), t.task_type_id, t.task_status_id",
        placeholders(1, projects.len())
    );
    let rows: Vec<StatRow> = on!(exec, c => {
        let mut q = sqlx::query_as::<_, StatRow>(&sql);
        for p in &projects {
            q = q.bind(*p);
        }
        q.fetch_all(&mut *c).await.map_err(StoreError::from)?
    });
    let mut out = Map::new();
    for (project, task_type, status, amount, done, duration, estimation) in rows {
        let entry = out.entry(project.to_string()).or_insert_with(|| {
            json!({
                "amount": 0,
                "amount_done": 0,
                "total_duration": 0.0,
                "total_estimation": 0.0,
                "task_types": [],
            })
        });
        let add_int = |v: &mut Value, n: i64| *v = json!(v.as_i64().unwrap_or(0) + n);
        let add_float = |v: &mut Value, n: f64| *v = json!(v.as_f64().unwrap_or(0.0) + n);
        add_int(&mut entry["amount"], amount);
        add_int(&mut entry["amount_done"], done);
        add_float(&mut entry["total_duration"], duration);
        add_float(&mut entry["total_estimation"], estimation);
        if let Some(list) = entry["task_types"].as_array_mut() {
            list.push(json!({
                "task_status_id": status,
                "task_type_id": task_type,
                "project_id": project,
                "amount": amount,
                "amount_done": done,
                "total_duration": duration,
                "total_estimation": estimation,
            }));
        }
    }
    Ok(Value::Object(out))
}

/// Python's `str()` of a datetime, what Zou writes in a busy period.
fn python_str(dt: &NaiveDateTime) -> String {
    use chrono::Timelike;
    if dt.nanosecond() == 0 {
        dt.format("%Y-%m-%d %H:%M:%S").to_string()
    } else {
        dt.format("%Y-%m-%d %H:%M:%S%.6f").to_string()
    }
}

/// Zou's `_merge_date_intervals`: overlapping or touching periods become
/// one, so a busy period tells neither how many tasks nor how they split.
fn merge_intervals(
    mut periods: Vec<(NaiveDateTime, NaiveDateTime)>,
) -> Vec<(NaiveDateTime, NaiveDateTime)> {
    periods.sort();
    let mut merged: Vec<(NaiveDateTime, NaiveDateTime)> = Vec::new();
    for (start, end) in periods {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}

type DatesRow = (Uuid, Option<NaiveDateTime>, Option<NaiveDateTime>);

/// GET /data/persons/task-dates[?project_id=] — for each active person
/// assigned in the productions looked at, the first start and last due
/// date of his tasks there. An admin looks at every open production (or
/// the one asked for); a supervisor or manager at his teams' open ones (or
/// the one asked for, if in its team), the other open productions coming
/// back only as merged busy periods with no production or task named.
pub(crate) async fn persons_tasks_dates(
    exec: &mut impl Exec,
    user: &CurrentUser,
    project_id: Option<&str>,
) -> ApiResult<Value> {
    let project_id = match project_id.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => {
            Some(Uuid::parse_str(s).map_err(|_| ApiError::bad_request("Invalid project_id."))?)
        }
    };
    let (projects, busy) = if user.role == Role::Admin {
        match project_id {
            Some(p) => (vec![p], vec![]),
            None => (open_projects(exec, None).await?, vec![]),
        }
    } else {
        if !matches!(user.role, Role::Manager | Role::Supervisor) {
            return Err(ApiError::forbidden());
        }
        match project_id {
            Some(p) => {
                let known: Vec<Uuid> =
                    ids(exec, "SELECT id FROM projects WHERE id = $1", &[p]).await?;
                if known.is_empty() {
                    return Err(ApiError::not_found());
                }
                if !fennec_store::links::PROJECT_TEAM
                    .contains(exec, p, user.id)
                    .await?
                {
                    return Err(ApiError::forbidden());
                }
                (vec![p], vec![])
            }
            None => {
                let own = open_projects(exec, Some(user.id)).await?;
                let others = open_projects(exec, None)
                    .await?
                    .into_iter()
                    .filter(|p| !own.contains(p))
                    .collect();
                (own, others)
            }
        }
    };

    let mut entries: Vec<(Uuid, Map<String, Value>)> = Vec::new();
    if !projects.is_empty() {
        let sql = format!(
            "SELECT a.person_id, MIN(t.start_date), MAX(t.due_date) FROM tasks t \
             JOIN assignations a ON a.task_id = t.id JOIN persons p ON p.id = a.person_id \
             WHERE p.active = $1 AND t.project_id IN ({}) \
             GROUP BY a.person_id ORDER BY MIN(a.seq)",
            placeholders(2, projects.len())
        );
        let rows: Vec<DatesRow> = on!(exec, c => {
            let mut q = sqlx::query_as::<_, DatesRow>(&sql).bind(true);
            for p in &projects {
                q = q.bind(*p);
            }
            q.fetch_all(&mut *c).await.map_err(StoreError::from)?
        });
        for (person, min, max) in rows {
            let date = |d: Option<NaiveDateTime>| {
                d.map_or(Value::Null, |d| {
                    json!(fennec_api::time::format_datetime(&d))
                })
            };
            let mut entry = Map::new();
            entry.insert("person_id".into(), json!(person));
            entry.insert("min_date".into(), date(min));
            entry.insert("max_date".into(), date(max));
            entry.insert("busy_periods".into(), json!([]));
            entries.push((person, entry));
        }
    }
    if !busy.is_empty() {
        let sql = format!(
            "SELECT a.person_id, t.start_date, t.due_date FROM tasks t \
             JOIN assignations a ON a.task_id = t.id JOIN persons p ON p.id = a.person_id \
             WHERE p.active = $1 AND t.start_date IS NOT NULL AND t.due_date IS NOT NULL \
             AND t.project_id IN ({}) ORDER BY a.seq",
            placeholders(2, busy.len())
        );
        let rows: Vec<DatesRow> = on!(exec, c => {
            let mut q = sqlx::query_as::<_, DatesRow>(&sql).bind(true);
            for p in &busy {
                q = q.bind(*p);
            }
            q.fetch_all(&mut *c).await.map_err(StoreError::from)?
        });
        let mut by_person: Vec<(Uuid, Vec<(NaiveDateTime, NaiveDateTime)>)> = Vec::new();
        for (person, start, due) in rows {
            let (Some(start), Some(due)) = (start, due) else {
                continue;
            };
            match by_person.iter_mut().find(|(p, _)| *p == person) {
                Some((_, periods)) => periods.push((start, due)),
                None => by_person.push((person, vec![(start, due)])),
            }
        }
        for (person, periods) in by_person {
            let periods: Vec<Value> = merge_intervals(periods)
                .iter()
                .map(|(s, e)| json!({"start_date": python_str(s), "end_date": python_str(e)}))
                .collect();
            match entries.iter_mut().find(|(p, _)| *p == person) {
                Some((_, entry)) => {
                    entry.insert("busy_periods".into(), Value::Array(periods));
                }
                None => {
                    let mut entry = Map::new();
                    entry.insert("person_id".into(), json!(person));
                    entry.insert("min_date".into(), Value::Null);
                    entry.insert("max_date".into(), Value::Null);
                    entry.insert("busy_periods".into(), Value::Array(periods));
                    entries.push((person, entry));
                }
            }
        }
    }
    Ok(Value::Array(
        entries.into_iter().map(|(_, e)| Value::Object(e)).collect(),
    ))
}
