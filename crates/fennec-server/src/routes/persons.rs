//! Zou's `persons` blueprint, the time-sheet reads: a person's time spents
//! by date or range, and per task over a year, month, ISO week or day;
//! the studio's time tables (minutes per year, month, week or day, then
//! per person: Kitsu's timesheets page); the admins' monthly presence log
//! (desktop logins as a CSV sheet); and an admin's actions on a person
//! (departments, password, invitation, avatar, 2FA; logic in
//! `person_actions.rs`).
//!
//! Who reads whose time is Zou's `_get_project_department_ids_for_person_access`:
//! an admin or the person himself reads everything; a manager or a
//! supervisor (global role) reads only the time on the productions whose
//! team he is in, and a supervisor only that of his departments' task
//! types; anyone else is refused. Bots' time is never read here.

use axum::extract::State;
use axum::http::header;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use chrono::{Datelike, Duration, NaiveDate};
use fennec_api::models;
use fennec_store::db::Exec;
use fennec_store::links;
use fennec_store::rows::{self, Filter, Row, Select};
use fennec_store::{on, SqlValue, StoreError};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::permissions::require_admin;
use crate::auth::user::Role;
use crate::auth::CurrentUser;
use crate::csv_export::{full_name, to_csv};
use crate::error::{ApiError, ApiResult};
use crate::extract::{path_id, Path, QueryPairs, SchemaBody};
use crate::generic_crud::visible_projects;
use crate::person_actions;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/data/persons/{id}/time-spents", get(time_spents))
        .route(
            "/data/persons/{id}/time-spents/{date}",
            get(date_time_spents),
        )
        .route(
            "/data/persons/{id}/time-spents/year/{year}",
            get(year_time_spents),
        )
        .route(
            "/data/persons/{id}/time-spents/month/{year}/{month}",
            get(month_time_spents),
        )
        .route(
            "/data/persons/{id}/time-spents/month/all/{year}/{month}",
            get(month_all_time_spents),
        )
        .route(
            "/data/persons/{id}/time-spents/week/{year}/{week}",
            get(week_time_spents),
        )
        .route(
            "/data/persons/{id}/time-spents/day/{year}/{month}/{day}",
            get(day_time_spents),
        )
        .route("/data/persons/presence-logs/{month}", get(presence_logs))
        .route("/data/persons/time-spents/year-table", get(year_table))
        .route(
            "/data/persons/time-spents/month-table/{year}",
            get(month_table),
        )
        .route(
            "/data/persons/time-spents/week-table/{year}",
            get(week_table),
        )
        .route(
            "/data/persons/time-spents/day-table/{year}/{month}",
            get(day_table),
        )
        .route(
            "/actions/persons/{id}/departments/add",
            post(add_to_department),
        )
        .route(
            "/actions/persons/{id}/departments/{department_id}",
            delete(remove_from_department),
        )
        .route(
            "/actions/persons/{id}/change-password",
            post(change_password),
        )
        .route("/actions/persons/{id}/invite", get(invite))
        .route("/actions/persons/{id}/clear-avatar", delete(clear_avatar))
        .route(
            "/actions/persons/{id}/disable-two-factor-authentication",
            delete(disable_two_factor),
        )
        // Zou's user blueprint, the caller's own avatar: here beside the
        // admin's clearing, which it shares.
        .route("/actions/user/clear-avatar", delete(clear_own_avatar))
}

/// POST /actions/persons/{id}/departments/add — gazu's
/// `person.add_person_to_department` (201, the person with departments).
async fn add_to_department(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    SchemaBody(body): SchemaBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let id = path_id(&id)?;
    let mut tx = state.db.begin().await?;
    let person = person_actions::add_department(&mut tx, &user, id, &body).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Value::Object(person))))
}

/// DELETE /actions/persons/{id}/departments/{department_id} — gazu's
/// `person.remove_person_from_department` (204).
async fn remove_from_department(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, department)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let id = path_id(&id)?;
    let mut tx = state.db.begin().await?;
    person_actions::remove_department(&mut tx, &user, id, &department).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// POST /actions/persons/{id}/change-password — gazu's
/// `person.change_password_for_person`.
async fn change_password(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    SchemaBody(body): SchemaBody,
) -> ApiResult<Json<Value>> {
    let id = path_id(&id)?;
    let mut tx = state.db.begin().await?;
    let cost = state.config.bcrypt_cost;
    let answer = person_actions::change_password(&mut tx, &user, id, &body, cost).await?;
    tx.commit().await?;
    Ok(Json(answer))
}

/// GET /actions/persons/{id}/invite — gazu's `person.invite_person`.
async fn invite(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let id = path_id(&id)?;
    let mut conn = state.db.conn().await?;
    Ok(Json(person_actions::invite(&mut conn, &user, id).await?))
}

/// DELETE /actions/persons/{id}/clear-avatar — gazu's
/// `person.clear_person_avatar` (admins; 204).
async fn clear_avatar(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = path_id(&id)?;
    require_admin(&user)?;
    let mut conn = state.db.conn().await?;
    person_actions::clear_avatar(&mut conn, user.id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// DELETE /actions/user/clear-avatar — gazu's `user.clear_avatar` (204).
async fn clear_own_avatar(
    State(state): State<AppState>,
    user: CurrentUser,
) -> ApiResult<StatusCode> {
    let mut conn = state.db.conn().await?;
    person_actions::clear_avatar(&mut conn, user.id, user.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// DELETE /actions/persons/{id}/disable-two-factor-authentication —
/// gazu's `person.disable_two_factor_authentication`.
async fn disable_two_factor(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let id = path_id(&id)?;
    let mut tx = state.db.begin().await?;
    let answer = person_actions::disable_two_factor(&mut tx, &user, id).await?;
    tx.commit().await?;
    Ok(Json(answer))
}

/// What a caller may read of a person's time: `None` is no restriction.
/// An empty department list restricts nothing (Zou tests it for truth).
struct Reach {
    projects: Option<Vec<Uuid>>,
    departments: Vec<Uuid>,
}

impl Reach {
    fn keeps(&self, project: Uuid, department: Option<Uuid>) -> bool {
        self.projects.as_ref().is_none_or(|p| p.contains(&project))
            && (self.departments.is_empty()
                || department.is_some_and(|d| self.departments.contains(&d)))
    }
}

/// Zou's `check_person_is_not_bot`: an unknown person is a 404, a bot a 403.
async fn person_not_bot(exec: &mut impl Exec, id: &str) -> ApiResult<Uuid> {
    let id = path_id(id)?;
    let person = rows::get(exec, &models::PERSON, id, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if person.get("is_bot").and_then(Value::as_bool) == Some(true) {
        return Err(ApiError::forbidden());
    }
    Ok(id)
}

async fn reach(exec: &mut impl Exec, user: &CurrentUser, person: Uuid) -> ApiResult<Reach> {
    if user.is_admin() || user.id == person {
        return Ok(Reach {
            projects: None,
            departments: vec![],
        });
    }
    if !matches!(user.role, Role::Manager | Role::Supervisor) {
        return Err(ApiError::forbidden());
    }
    let projects = Some(visible_projects(exec, user).await?);
    let departments = if user.role == Role::Supervisor {
        links::PERSON_DEPARTMENTS.rights(exec, user.id).await?
    } else {
        vec![]
    };
    Ok(Reach {
        projects,
        departments,
    })
}

/// A day as Zou's PostgreSQL casts a string to a date: ISO (a datetime's
/// day too) or the compact `YYYYMMDD`.
fn day(date: &str) -> Option<NaiveDate> {
    fennec_api::time::parse_date(date).or_else(|| NaiveDate::parse_from_str(date, "%Y%m%d").ok())
}

/// The person's time spent rows over `[start, end]` that the reach keeps,
/// each with its task's production and task type.
async fn time_spent_rows(
    exec: &mut impl Exec,
    person: Uuid,
    start: NaiveDate,
    end: NaiveDate,
    reach: &Reach,
) -> ApiResult<Vec<(Row, Uuid, Uuid)>> {
    let sql = "SELECT ts.id, t.project_id, t.task_type_id, tt.department_id FROM time_spents ts \
               JOIN tasks t ON t.id = ts.task_id \
               LEFT JOIN task_types tt ON tt.id = t.task_type_id \
               WHERE ts.person_id = $1 AND ts.date BETWEEN $2 AND $3 ORDER BY ts.seq";
    let found: Vec<(Uuid, Uuid, Uuid, Option<Uuid>)> = on!(exec, c => sqlx::query_as(sql)
        .bind(person)
        .bind(start)
        .bind(end)
        .fetch_all(&mut *c)
        .await
        .map_err(StoreError::from)?);
    let kept: Vec<(Uuid, Uuid, Uuid)> = found
        .into_iter()
        .filter(|(_, p, _, d)| reach.keeps(*p, *d))
        .map(|(id, p, t, _)| (id, p, t))
        .collect();
    if kept.is_empty() {
        return Ok(vec![]);
    }
    let select = Select::default().filter(Filter::In(
        "id",
        kept.iter().map(|k| SqlValue::Uuid(k.0)).collect(),
    ));
    let mut list = rows::list(exec, &models::TIME_SPENT, &select, false).await?;
    let mut out = Vec::with_capacity(kept.len());
    for (id, project, task_type) in kept {
        if let Some(pos) = list
            .iter()
            .position(|r| r.get("id").and_then(Value::as_str) == Some(&id.to_string()))
        {
            out.push((list.swap_remove(pos), project, task_type));
        }
    }
    Ok(out)
}

fn array(list: Vec<Row>) -> Json<Value> {
    Json(Value::Array(list.into_iter().map(Value::Object).collect()))
}

/// GET /data/persons/{person_id}/time-spents?start_date=&end_date= — with
/// both dates, the rows of the range with their production and task type;
/// with neither, Zou compares the date to NULL and finds nothing.
async fn time_spents(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    query: QueryPairs,
) -> ApiResult<Json<Value>> {
    let mut conn = s.db.conn().await?;
    let person = person_not_bot(&mut conn, &id).await?;
    let reach = reach(&mut conn, &user, person).await?;
    let start = query.get("start_date").filter(|v| !v.is_empty());
    let end = query.get("end_date").filter(|v| !v.is_empty());
    let (start_raw, end_raw) = match (start, end) {
        (None, None) => return Ok(array(vec![])),
        (Some(a), Some(b)) => (a, b),
        _ => {
            return Err(ApiError::bad_request(
                "If querying for a range of dates, both a `start_date` and an `end_date` must be given.",
            ))
        }
    };
    let bad = || {
        ApiError::bad_request(format!(
            "Wrong date format for {start_raw} and/or {end_raw}"
        ))
    };
    let start = day(start_raw).ok_or_else(bad)?;
    let end = day(end_raw).ok_or_else(bad)?;
    let found = time_spent_rows(&mut conn, person, start, end, &reach).await?;
    Ok(array(
        found
            .into_iter()
            .map(|(mut r, p, t)| {
                r.insert("project_id".into(), json!(p.to_string()));
                r.insert("task_type_id".into(), json!(t.to_string()));
                r
            })
            .collect(),
    ))
}

/// GET /data/persons/{person_id}/time-spents/{date}
async fn date_time_spents(
    State(s): State<AppState>,
    user: CurrentUser,
    Path((id, date)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let mut conn = s.db.conn().await?;
    let person = person_not_bot(&mut conn, &id).await?;
    let reach = reach(&mut conn, &user, person).await?;
    let date = day(&date).ok_or_else(|| ApiError::bad_request("Invalid month or year."))?;
    let found = time_spent_rows(&mut conn, person, date, date, &reach).await?;
    Ok(array(found.into_iter().map(|f| f.0).collect()))
}

/// GET /data/persons/{person_id}/time-spents/month/all/{year}/{month} —
/// the month's rows, for the person himself or an admin only.
async fn month_all_time_spents(
    State(s): State<AppState>,
    user: CurrentUser,
    Path((id, year, month)): Path<(String, String, String)>,
) -> ApiResult<Json<Value>> {
    let mut conn = s.db.conn().await?;
    let person = person_not_bot(&mut conn, &id).await?;
    if !(user.is_admin() || user.id == person) {
        return Err(ApiError::forbidden());
    }
    let (start, end) = month_interval(&year, &month)
        .ok_or_else(|| ApiError::bad_request("Invalid month or year."))?;
    let everything = Reach {
        projects: None,
        departments: vec![],
    };
    let found = time_spent_rows(
        &mut conn,
        person,
        start,
        end - Duration::days(1),
        &everything,
    )
    .await?;
    Ok(array(found.into_iter().map(|f| f.0).collect()))
}

fn number(s: &str) -> Option<i32> {
    s.trim().parse().ok()
}

fn month_interval(year: &str, month: &str) -> Option<(NaiveDate, NaiveDate)> {
    let start = NaiveDate::from_ymd_opt(number(year)?, u32::try_from(number(month)?).ok()?, 1)?;
    Some((start, start.checked_add_months(chrono::Months::new(1))?))
}

/// GET /data/persons/{person_id}/time-spents/year/{year}
async fn year_time_spents(
    State(s): State<AppState>,
    user: CurrentUser,
    Path((id, year)): Path<(String, String)>,
    query: QueryPairs,
) -> ApiResult<Json<Value>> {
    let interval = number(&year).and_then(|y| {
        let start = NaiveDate::from_ymd_opt(y, 1, 1)?;
        Some((start, start.with_year(y + 1)?))
    });
    per_task(s, user, id, query, interval, "Invalid date format.").await
}

/// GET /data/persons/{person_id}/time-spents/month/{year}/{month}
async fn month_time_spents(
    State(s): State<AppState>,
    user: CurrentUser,
    Path((id, year, month)): Path<(String, String, String)>,
    query: QueryPairs,
) -> ApiResult<Json<Value>> {
    let interval = month_interval(&year, &month);
    per_task(s, user, id, query, interval, "Invalid date format.").await
}

/// GET /data/persons/{person_id}/time-spents/week/{year}/{week} — an ISO
/// week, Monday to Sunday.
async fn week_time_spents(
    State(s): State<AppState>,
    user: CurrentUser,
    Path((id, year, week)): Path<(String, String, String)>,
    query: QueryPairs,
) -> ApiResult<Json<Value>> {
    let interval = number(&year).zip(number(&week)).and_then(|(y, w)| {
        let start = NaiveDate::from_isoywd_opt(y, u32::try_from(w).ok()?, chrono::Weekday::Mon)?;
        Some((start, start + Duration::days(7)))
    });
    per_task(s, user, id, query, interval, "Invalid month or year.").await
}

/// GET /data/persons/{person_id}/time-spents/day/{year}/{month}/{day}
async fn day_time_spents(
    State(s): State<AppState>,
    user: CurrentUser,
    Path((id, year, month, d)): Path<(String, String, String, String)>,
    query: QueryPairs,
) -> ApiResult<Json<Value>> {
    let interval = (|| {
        let start = NaiveDate::from_ymd_opt(
            number(&year)?,
            u32::try_from(number(&month)?).ok()?,
            u32::try_from(number(&d)?).ok()?,
        )?;
        Some((start, start + Duration::days(1)))
    })();
    per_task(s, user, id, query, interval, "Invalid month or year.").await
}

type TaskTotal = (
    Uuid,
    Uuid,
    Uuid,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    f64,
    Option<Uuid>,
);

/// Zou's `get_person_time_spent_entries` + `build_results`: the person's
/// time over `[start, end[` summed per task, with the names a time sheet
/// shows. A `project_id` argument outside a manager's productions is a 403.
async fn per_task(
    s: AppState,
    user: CurrentUser,
    id: String,
    query: QueryPairs,
    interval: Option<(NaiveDate, NaiveDate)>,
    bad_date: &str,
) -> ApiResult<Json<Value>> {
    let mut conn = s.db.conn().await?;
    let person = person_not_bot(&mut conn, &id).await?;
    let (start, end) = interval.ok_or_else(|| ApiError::bad_request(bad_date))?;
    let mut reach = reach(&mut conn, &user, person).await?;
    if let Some(asked) = query.get("project_id").filter(|v| !v.is_empty()) {
        let asked = Uuid::parse_str(asked).ok();
        match (&reach.projects, asked) {
            (Some(mine), Some(p)) if mine.contains(&p) => reach.projects = Some(vec![p]),
            (Some(_), _) => return Err(ApiError::forbidden()),
            (None, Some(p)) => reach.projects = Some(vec![p]),
            (None, None) => reach.projects = Some(vec![]),
        }
    }
    let sql = "SELECT t.id, t.task_type_id, p.id, p.name, e.name, et.name, sq.name, ep.name, \
               SUM(ts.duration), tt.department_id \
               FROM tasks t \
               JOIN entities e ON e.id = t.entity_id \
               JOIN projects p ON p.id = t.project_id \
               JOIN time_spents ts ON ts.task_id = t.id \
               JOIN entity_types et ON et.id = e.entity_type_id \
               LEFT JOIN entities sq ON sq.id = e.parent_id \
               LEFT JOIN entities ep ON ep.id = sq.parent_id \
               LEFT JOIN task_types tt ON tt.id = t.task_type_id \
               WHERE ts.person_id = $1 AND ts.date >= $2 AND ts.date < $3 \
               GROUP BY t.id, t.task_type_id, p.id, p.name, e.name, et.name, sq.name, ep.name, \
               tt.department_id \
               ORDER BY p.name, e.name";
    let found: Vec<TaskTotal> = on!(&mut conn, c => sqlx::query_as(sql)
        .bind(person)
        .bind(start)
        .bind(end)
        .fetch_all(&mut *c)
        .await
        .map_err(StoreError::from)?);
    let list = found
        .into_iter()
        .filter(|f| reach.keeps(f.2, f.9))
        .map(
            |(task, task_type, project, pname, ename, etname, seq, ep, duration, _)| {
                let mut row = Map::new();
                row.insert("task_id".into(), json!(task.to_string()));
                row.insert("task_type_id".into(), json!(task_type.to_string()));
                row.insert("project_id".into(), json!(project.to_string()));
                row.insert("project_name".into(), json!(pname));
                row.insert("entity_name".into(), json!(ename));
                row.insert("entity_type_name".into(), json!(etname));
                row.insert("sequence_name".into(), json!(seq));
                row.insert("episode_name".into(), json!(ep));
                row.insert("duration".into(), json!(duration));
                row
            },
        )
        .collect();
    Ok(array(list))
}

/// GET /data/persons/presence-logs/{YYYY-MM} — admins only: a `;` CSV with
/// one line per active person (guests and preview accounts left out, by
/// first then last name) and an `X` on each day of the month he logged in
/// from the desktop; the header line is the year and the day numbers.
async fn presence_logs(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(month): Path<String>,
) -> ApiResult<Response> {
    require_admin(&user)?;
    let bad = || ApiError::bad_request("Invalid month or year.");
    // Python's strptime("%Y-%m"): four-digit year, a month of one or two digits.
    let (y, m) = month.split_once('-').ok_or_else(bad)?;
    if y.len() != 4
        || m.is_empty()
        || m.len() > 2
        || !(y.bytes().chain(m.bytes())).all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    let (start, end) = month_interval(y, m).ok_or_else(bad)?;
    let days = (end - start).num_days();
    let mut conn = s.db.conn().await?;
    let select = Select::default()
        .eq("active", SqlValue::Bool(true))
        .filter(Filter::IsNull("preview_project_id"));
    let mut persons: Vec<Row> = rows::list(&mut conn, &models::PERSON, &select, false)
        .await?
        .into_iter()
        .filter(|p| p.get("is_guest").and_then(Value::as_bool) != Some(true))
        .collect();
    let text = |p: &Row, k: &str| p.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    persons.sort_by_key(|p| (text(p, "first_name"), text(p, "last_name")));
    let sql = "SELECT person_id, date FROM desktop_login_logs WHERE date >= $1 AND date < $2";
    let logs: Vec<(Uuid, chrono::NaiveDateTime)> = on!(&mut conn, c => sqlx::query_as(sql)
        .bind(start.and_hms_opt(0, 0, 0))
        .bind(end.and_hms_opt(0, 0, 0))
        .fetch_all(&mut *c)
        .await
        .map_err(StoreError::from)?);
    let mut lines = vec![std::iter::once(y.to_owned())
        .chain((1..=days).map(|d| d.to_string()))
        .collect::<Vec<_>>()];
    for person in &persons {
        let id = crate::present::id_of(person);
        let mut line = vec![String::new(); 1 + days as usize];
        line[0] = full_name(person);
        for (_, date) in logs.iter().filter(|(p, _)| *p == id) {
            line[date.day() as usize] = "X".to_owned();
        }
        lines.push(line);
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=kitsu_export.csv",
            ),
        ],
        to_csv(&lines)?,
    )
        .into_response())
}

/// Zou's `TimeSpentDurationResource` arguments: admins read the studio
/// (`project_id`, `department_id`, `studio_id` narrow it); managers and
/// supervisors their teams' productions (another `project_id` is a 403),
/// supervisors their departments (another `department_id` a 400); anyone
/// else only his own time.
struct TableScope {
    person: Option<Uuid>,
    projects: Option<Vec<Uuid>>,
    departments: Vec<Uuid>,
    studio: Option<Uuid>,
}

async fn table_scope(
    exec: &mut impl Exec,
    user: &CurrentUser,
    query: &QueryPairs,
) -> ApiResult<TableScope> {
    let arg = |k: &str| query.get(k).map(|v| Uuid::parse_str(v).ok());
    let project = arg("project_id");
    let department = arg("department_id");
    let mut scope = TableScope {
        person: None,
        projects: project.map(|p| p.into_iter().collect()),
        departments: department
            .map(|d| d.into_iter().collect())
            .unwrap_or_default(),
        studio: arg("studio_id").flatten(),
    };
    if user.is_admin() {
        return Ok(scope);
    }
    if !matches!(user.role, Role::Manager | Role::Supervisor) {
        scope.person = Some(user.id);
        return Ok(scope);
    }
    let mine = visible_projects(exec, user).await?;
    scope.projects = match project {
        None => Some(mine),
        Some(Some(p)) if mine.contains(&p) => Some(vec![p]),
        Some(_) => return Err(ApiError::forbidden()),
    };
    if user.role == Role::Supervisor {
        let own = links::PERSON_DEPARTMENTS.rights(exec, user.id).await?;
        match department {
            None => scope.departments = own,
            Some(Some(d)) if own.contains(&d) => {}
            Some(_) => {
                return Err(ApiError::bad_request(
                    "Supervisor not allowed to access this department",
                ))
            }
        }
    }
    Ok(scope)
}

/// Zou's `get_table_from_time_spents`: minutes per unit (year, month, ISO
/// week or day number, as strings) then per person, over `[start, end]`.
async fn table(
    s: AppState,
    user: CurrentUser,
    query: QueryPairs,
    range: Option<(NaiveDate, NaiveDate)>,
    unit: fn(NaiveDate) -> u32,
) -> ApiResult<Json<Value>> {
    let mut conn = s.db.conn().await?;
    let scope = table_scope(&mut conn, &user, &query).await?;
    // Both backends hold these bounds (PostgreSQL's dates stop well before
    // chrono's extremes).
    let (start, end) = range.unwrap_or((
        NaiveDate::from_ymd_opt(1, 1, 1).unwrap_or_default(),
        NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or_default(),
    ));
    let sql = "SELECT ts.person_id, ts.date, ts.duration, t.project_id, tt.department_id, \
               p.studio_id FROM time_spents ts \
               JOIN tasks t ON t.id = ts.task_id \
               LEFT JOIN task_types tt ON tt.id = t.task_type_id \
               JOIN persons p ON p.id = ts.person_id \
               WHERE ts.date BETWEEN $1 AND $2 ORDER BY ts.seq";
    type Spent = (Uuid, NaiveDate, f64, Uuid, Option<Uuid>, Option<Uuid>);
    let found: Vec<Spent> = on!(&mut conn, c => sqlx::query_as(sql)
        .bind(start)
        .bind(end)
        .fetch_all(&mut *c)
        .await
        .map_err(StoreError::from)?);
    let mut out = Map::new();
    for (person, date, minutes, project, department, studio) in found {
        let kept = scope.person.is_none_or(|p| p == person)
            && scope.projects.as_ref().is_none_or(|p| p.contains(&project))
            && (scope.departments.is_empty()
                || department.is_some_and(|d| scope.departments.contains(&d)))
            && scope.studio.is_none_or(|st| studio == Some(st));
        if !kept {
            continue;
        }
        let cell = out
            .entry(unit(date).to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(per_person) = cell {
            let total = per_person
                .entry(person.to_string())
                .or_insert_with(|| json!(0.0));
            *total = json!(total.as_f64().unwrap_or(0.0) + minutes);
        }
    }
    Ok(Json(Value::Object(out)))
}

fn year_range(year: &str) -> Option<(NaiveDate, NaiveDate)> {
    let y = number(year)?;
    Some((
        NaiveDate::from_ymd_opt(y, 1, 1)?,
        NaiveDate::from_ymd_opt(y, 12, 31)?,
    ))
}

/// GET /data/persons/time-spents/year-table
async fn year_table(
    State(s): State<AppState>,
    user: CurrentUser,
    query: QueryPairs,
) -> ApiResult<Json<Value>> {
    table(s, user, query, None, |d| d.year() as u32).await
}

/// GET /data/persons/time-spents/month-table/{year}
async fn month_table(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(year): Path<String>,
    query: QueryPairs,
) -> ApiResult<Json<Value>> {
    let range = year_range(&year).ok_or_else(|| ApiError::bad_request("Invalid year."))?;
    table(s, user, query, Some(range), |d| d.month()).await
}

/// GET /data/persons/time-spents/week-table/{year}
async fn week_table(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(year): Path<String>,
    query: QueryPairs,
) -> ApiResult<Json<Value>> {
    let range = year_range(&year).ok_or_else(|| ApiError::bad_request("Invalid year."))?;
    table(s, user, query, Some(range), |d| d.iso_week().week()).await
}

/// GET /data/persons/time-spents/day-table/{year}/{month}
async fn day_table(
    State(s): State<AppState>,
    user: CurrentUser,
    Path((year, month)): Path<(String, String)>,
    query: QueryPairs,
) -> ApiResult<Json<Value>> {
    let (start, end) = month_interval(&year, &month)
        .ok_or_else(|| ApiError::bad_request("Invalid month or year."))?;
    table(
        s,
        user,
        query,
        Some((start, end - Duration::days(1))),
        |d| d.day(),
    )
    .await
}
