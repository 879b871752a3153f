//! Zou's day-offs (CRUD and the per-person reads gazu uses) and project
//! milestones: the absences and dates the schedule forecast works with.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;
use fennec_api::models::{self, Kind};
use fennec_store::db::Exec;
use fennec_store::links;
use fennec_store::rows::{self, Filter, Row, Select};
use fennec_store::{on, tasks as store_tasks, SqlValue};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::permissions::{check_project_access, require_admin};
use crate::auth::user::Role;
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::{crud_id, path_id, JsonBody, Path, QueryPairs};
use crate::present::uuid_field;
use crate::task_rows::list_json;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/data/day-offs", get(list_day_offs).post(create_day_off))
        .route(
            "/data/day-offs/{id}",
            get(read_day_off).put(update_day_off).delete(delete_day_off),
        )
        .route("/data/persons/{id}/day-offs", get(person_day_offs))
        .route(
            "/data/persons/{id}/day-offs/year/{year}",
            get(person_day_offs_year),
        )
        .route(
            "/data/persons/{id}/day-offs/month/{year}/{month}",
            get(person_day_offs_month),
        )
        .route(
            "/data/persons/{id}/day-offs/week/{year}/{week}",
            get(person_day_offs_week),
        )
        .route("/data/persons/day-offs/{year}", get(day_offs_year))
        .route("/data/persons/day-offs/{year}/{month}", get(day_offs_month))
        .route("/data/user/day-offs/{date}", get(user_day_off))
        .route("/data/projects/{id}/milestones", get(project_milestones))
        .route("/data/projects/{id}/day-offs", get(project_day_offs))
}

const DAY_OFF: &models::Model = &models::DAY_OFF;

/// Whether a day off overlaps [from, to]; a bound left out is open.
fn overlaps(day_off: &Row, from: Option<NaiveDate>, to: Option<NaiveDate>) -> bool {
    let day = |k: &str| day_off[k].as_str().and_then(fennec_api::time::parse_date);
    from.is_none_or(|f| day("end_date").is_some_and(|e| e >= f))
        && to.is_none_or(|t| day("date").is_some_and(|s| s <= t))
}

fn col(name: &str) -> &'static models::Column {
    DAY_OFF.column(name).expect("day-off column")
}

/// Zou's `check_day_off_access` for writes: one's own, or an admin.
fn check_access(user: &CurrentUser, person: Uuid) -> ApiResult<()> {
    if person == user.id || user.is_admin() {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}

/// Zou's `check_day_off_read_access`: true to read the whole day off (an
/// admin, the person, a manager of one of the person's productions), false
/// for the dates only (a supervisor there, of the person's departments or
/// of all when in none); refused otherwise.
async fn check_read_access(
    exec: &mut impl Exec,
    user: &CurrentUser,
    person: Uuid,
) -> ApiResult<bool> {
    if person == user.id || user.is_admin() {
        return Ok(true);
    }
    if !matches!(user.role, Role::Manager | Role::Supervisor) {
        return Err(ApiError::forbidden());
    }
    let mine = links::PROJECT_TEAM.lefts(exec, user.id).await?;
    let theirs = links::PROJECT_TEAM.lefts(exec, person).await?;
    if !mine.iter().any(|p| theirs.contains(p)) {
        return Err(ApiError::forbidden());
    }
    if user.role == Role::Manager {
        return Ok(true);
    }
    let my_departments = links::PERSON_DEPARTMENTS.rights(exec, user.id).await?;
    let their_departments = links::PERSON_DEPARTMENTS.rights(exec, person).await?;
    if my_departments.is_empty() || my_departments.iter().any(|d| their_departments.contains(d)) {
        Ok(false)
    } else {
        Err(ApiError::forbidden())
    }
}

fn date_field(body: &Map<String, Value>, key: &str) -> ApiResult<Option<NaiveDate>> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_str()
            .and_then(fennec_api::time::parse_date)
            .map(Some)
            // Zou's database refuses it: its CRUD message.
            .ok_or_else(|| ApiError::bad_request_message(fennec_api::error::INVALID_FORMAT)),
    }
}

/// Day offs of `person` overlapping [from, to], except `except`.
async fn overlapping(
    exec: &mut impl Exec,
    person: Uuid,
    from: NaiveDate,
    to: NaiveDate,
    except: Option<Uuid>,
) -> ApiResult<bool> {
    let list = rows::list(
        exec,
        DAY_OFF,
        &Select::default().eq("person_id", SqlValue::Uuid(person)),
        false,
    )
    .await?;
    Ok(list
        .iter()
        .any(|d| Some(crate::present::id_of(d)) != except && overlaps(d, Some(from), Some(to))))
}

/// A day off wipes the time logged on the days it covers (Zou); Fennec
/// then recomputes the touched tasks' durations so they stay sums.
async fn remove_covered_time(
    exec: &mut impl Exec,
    person: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> ApiResult<()> {
    let tasks: Vec<Uuid> = on!(exec, c => sqlx::query_scalar(
        "SELECT DISTINCT task_id FROM time_spents WHERE person_id = $1 AND date >= $2 AND date <= $3")
        .bind(person).bind(from).bind(to).fetch_all(&mut *c).await
        .map_err(fennec_store::StoreError::from)?);
    on!(exec, c => sqlx::query(
        "DELETE FROM time_spents WHERE person_id = $1 AND date >= $2 AND date <= $3")
        .bind(person).bind(from).bind(to).execute(&mut *c).await
        .map_err(fennec_store::StoreError::from)?.rows_affected());
    for t in tasks {
        store_tasks::recompute_duration(exec, t).await?;
    }
    Ok(())
}

/// POST /data/day-offs
async fn create_day_off(
    State(state): State<AppState>,
    user: CurrentUser,
    body: JsonBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let body = body.object()?;
    // Zou's generic creation reads the keys it needs one after the other:
    // a missing one is Python's KeyError, answered as its text.
    let key_error = |k: &str| ApiError::bad_request_message(format!("'{k}'"));
    let invalid = || ApiError::bad_request_message(fennec_api::error::INVALID_FORMAT);
    let person = body
        .get("person_id")
        .ok_or_else(|| key_error("person_id"))?;
    let person = person.as_str().and_then(|p| Uuid::parse_str(p).ok());
    if !user.is_admin() && person != Some(user.id) {
        return Err(ApiError::forbidden());
    }
    let date = body.get("date").ok_or_else(|| key_error("date"))?;
    let end = body.get("end_date").ok_or_else(|| key_error("end_date"))?;
    let day = |v: &Value| v.as_str().and_then(fennec_api::time::parse_date);
    let (Some(from), Some(to)) = (day(date), day(end)) else {
        return Err(invalid());
    };
    let person = person.ok_or_else(invalid)?;
    let mut tx = state.db.begin().await?;
    if overlapping(&mut tx, person, from, to, None).await? {
        return Err(ApiError::bad_request(
            "Day off already exists for this period",
        ));
    }
    if to < from {
        return Err(ApiError::bad_request_message(
            fennec_api::error::INTEGRITY_CONFLICT,
        ));
    }
    if rows::get(&mut tx, &models::PERSON, person, false)
        .await?
        .is_none()
    {
        return Err(ApiError::bad_request_message(
            fennec_api::error::REFERENCE_CONFLICT,
        ));
    }
    let description = match body.get("description") {
        Some(Value::String(s)) => SqlValue::Text(s.clone()),
        _ => SqlValue::Null(Kind::Text),
    };
    let row = rows::insert(
        &mut tx,
        DAY_OFF,
        vec![
            (col("person_id"), SqlValue::Uuid(person)),
            (col("date"), SqlValue::Date(from)),
            (col("end_date"), SqlValue::Date(to)),
            (col("description"), description),
        ],
    )
    .await?;
    remove_covered_time(&mut tx, person, from, to).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Value::Object(row))))
}

async fn load(exec: &mut impl Exec, user: &CurrentUser, id: &str) -> ApiResult<Row> {
    let id = crud_id(id)?;
    let row = rows::get(exec, DAY_OFF, id, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    check_access(user, uuid_field(&row, "person_id").unwrap_or_default())?;
    Ok(row)
}

/// GET /data/day-offs/{id}
async fn read_day_off(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let mut conn = state.db.conn().await?;
    let id = crud_id(&id)?;
    let mut row = rows::get(&mut conn, DAY_OFF, id, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let person = uuid_field(&row, "person_id").unwrap_or_default();
    if !check_read_access(&mut conn, &user, person).await? {
        row.shift_remove("description");
    }
    Ok(Json(Value::Object(row)))
}

/// PUT /data/day-offs/{id}
async fn update_day_off(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    body: JsonBody,
) -> ApiResult<Json<Value>> {
    let body = body.object()?;
    let mut tx = state.db.begin().await?;
    let row = load(&mut tx, &user, &id).await?;
    let id = crate::present::id_of(&row);
    let current = |k: &str| row[k].as_str().and_then(fennec_api::time::parse_date);
    let person = match body.get("person_id").and_then(Value::as_str) {
        Some(p) => {
            let p = Uuid::parse_str(p)
                .map_err(|_| ApiError::bad_request("A valid person_id is required."))?;
            if Some(p) != uuid_field(&row, "person_id") && !user.is_admin() {
                return Err(ApiError::forbidden());
            }
            p
        }
        None => uuid_field(&row, "person_id").unwrap_or_default(),
    };
    let from = date_field(&body, "date")?
        .or(current("date"))
        .unwrap_or_default();
    let to = date_field(&body, "end_date")?
        .or(current("end_date"))
        .unwrap_or(from);
    if to < from {
        return Err(ApiError::bad_request_message(
            fennec_api::error::INTEGRITY_CONFLICT,
        ));
    }
    if overlapping(&mut tx, person, from, to, Some(id)).await? {
        return Err(ApiError::bad_request(
            "Day off already exists for this period",
        ));
    }
    let mut changes = vec![
        (col("person_id"), SqlValue::Uuid(person)),
        (col("date"), SqlValue::Date(from)),
        (col("end_date"), SqlValue::Date(to)),
    ];
    if let Some(d) = body.get("description") {
        changes.push((
            col("description"),
            d.as_str()
                .map_or(SqlValue::Null(Kind::Text), |s| SqlValue::Text(s.to_owned())),
        ));
    }
    let updated = rows::update(&mut tx, DAY_OFF, id, changes)
        .await?
        .ok_or_else(ApiError::not_found)?;
    remove_covered_time(&mut tx, person, from, to).await?;
    tx.commit().await?;
    Ok(Json(Value::Object(updated)))
}

/// DELETE /data/day-offs/{id}
async fn delete_day_off(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let mut tx = state.db.begin().await?;
    let row = load(&mut tx, &user, &id).await?;
    rows::delete(&mut tx, DAY_OFF, crate::present::id_of(&row)).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// GET /data/day-offs — everybody's for managers, one's own otherwise.
async fn list_day_offs(State(state): State<AppState>, user: CurrentUser) -> ApiResult<Json<Value>> {
    // Zou's generic list: admins only.
    require_admin(&user)?;
    let mut conn = state.db.conn().await?;
    let select = Select::default();
    Ok(list_json(
        rows::list(&mut conn, DAY_OFF, &select, false).await?,
    ))
}

/// Day offs of a person overlapping [from, to] (all when unbounded).
async fn person_range(
    state: &AppState,
    user: &CurrentUser,
    person: &str,
    range: Option<(NaiveDate, NaiveDate)>,
) -> ApiResult<Json<Value>> {
    let person = path_id(person)?;
    let mut conn = state.db.conn().await?;
    rows::get(&mut conn, &models::PERSON, person, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let with_description = check_read_access(&mut conn, user, person).await?;
    let mut select = Select::default().eq("person_id", SqlValue::Uuid(person));
    select.order = rows::Order::Created;
    let list = rows::list(&mut conn, DAY_OFF, &select, false).await?;
    let list = match range {
        None => list,
        Some((from, to)) => list
            .into_iter()
            .filter(|d| overlaps(d, Some(from), Some(to)))
            .collect(),
    };
    let list = if with_description {
        list
    } else {
        list.into_iter()
            .map(|mut d| {
                d.shift_remove("description");
                d
            })
            .collect()
    };
    Ok(list_json(list))
}

fn bad_period() -> ApiError {
    ApiError::bad_request("Wrong dates: the period is not valid.")
}

/// GET /data/persons/{id}/day-offs
async fn person_day_offs(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    person_range(&s, &user, &id, None).await
}

/// GET /data/persons/{id}/day-offs/year/{year}
async fn person_day_offs_year(
    State(s): State<AppState>,
    user: CurrentUser,
    Path((id, year)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let y: i32 = year.parse().map_err(|_| bad_period())?;
    let from = NaiveDate::from_ymd_opt(y, 1, 1).ok_or_else(bad_period)?;
    let to = NaiveDate::from_ymd_opt(y, 12, 31).ok_or_else(bad_period)?;
    person_range(&s, &user, &id, Some((from, to))).await
}

/// GET /data/persons/{id}/day-offs/month/{year}/{month}
async fn person_day_offs_month(
    State(s): State<AppState>,
    user: CurrentUser,
    Path((id, year, month)): Path<(String, String, String)>,
) -> ApiResult<Json<Value>> {
    let y: i32 = year.parse().map_err(|_| bad_period())?;
    let m: u32 = month.parse().map_err(|_| bad_period())?;
    let from = NaiveDate::from_ymd_opt(y, m, 1).ok_or_else(bad_period)?;
    let next = if m == 12 {
        NaiveDate::from_ymd_opt(y + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(y, m + 1, 1)
    }
    .ok_or_else(bad_period)?;
    person_range(
        &s,
        &user,
        &id,
        Some((from, next.pred_opt().unwrap_or(next))),
    )
    .await
}

/// GET /data/persons/{id}/day-offs/week/{year}/{week} (ISO weeks)
async fn person_day_offs_week(
    State(s): State<AppState>,
    user: CurrentUser,
    Path((id, year, week)): Path<(String, String, String)>,
) -> ApiResult<Json<Value>> {
    let y: i32 = year.parse().map_err(|_| bad_period())?;
    let w: u32 = week.parse().map_err(|_| bad_period())?;
    let from = NaiveDate::from_isoywd_opt(y, w, chrono::Weekday::Mon).ok_or_else(bad_period)?;
    let to = NaiveDate::from_isoywd_opt(y, w, chrono::Weekday::Sun).ok_or_else(bad_period)?;
    person_range(&s, &user, &id, Some((from, to))).await
}

/// Whose day offs the caller reads in a studio-wide listing, and whether
/// with their description (Zou's `get_day_off_readable_person_ids`):
/// `None` for an admin (everybody, whole); else himself whole, the teams of
/// the productions where he is manager (whole) or supervisor (dates only,
/// for the persons of his departments, everybody when he has none). The
/// role set on a team link wins over the global one there, as in Zou.
async fn readable_persons(
    exec: &mut impl Exec,
    user: &CurrentUser,
) -> ApiResult<Option<std::collections::HashMap<Uuid, bool>>> {
    if user.is_admin() {
        return Ok(None);
    }
    let global = match user.role {
        Role::Manager => "manager",
        Role::Supervisor => "supervisor",
        _ => "",
    };
    let links: Vec<(Uuid, Option<String>)> = on!(exec, c => sqlx::query_as(
        "SELECT project_id, role FROM project_person_link WHERE person_id = $1")
        .bind(user.id).fetch_all(&mut *c).await
        .map_err(fennec_store::StoreError::from)?);
    let mut readable = std::collections::HashMap::from([(user.id, true)]);
    let mut supervised = std::collections::HashSet::new();
    for (project, role) in links {
        let role = role.filter(|r| !r.is_empty());
        let role = role.as_deref().unwrap_or(global);
        if role != "manager" && role != "supervisor" {
            continue;
        }
        for person in links::PROJECT_TEAM.rights(exec, project).await? {
            if role == "manager" {
                readable.insert(person, true);
            } else {
                supervised.insert(person);
            }
        }
    }
    let departments = links::PERSON_DEPARTMENTS.rights(exec, user.id).await?;
    for person in supervised {
        let shares = departments.is_empty()
            || links::PERSON_DEPARTMENTS
                .rights(exec, person)
                .await?
                .iter()
                .any(|d| departments.contains(d));
        if shares {
            readable.entry(person).or_insert(false);
        }
    }
    Ok(Some(readable))
}

/// The studio's day offs overlapping [from, to] that the caller reads.
async fn studio_range(
    state: &AppState,
    user: &CurrentUser,
    from: NaiveDate,
    to: NaiveDate,
) -> ApiResult<Json<Value>> {
    let mut conn = state.db.conn().await?;
    let readable = readable_persons(&mut conn, user).await?;
    let list = rows::list(&mut conn, DAY_OFF, &Select::default(), false).await?;
    let list = list
        .into_iter()
        .filter(|d| overlaps(d, Some(from), Some(to)))
        .filter_map(|mut d| {
            let Some(readable) = &readable else {
                return Some(d);
            };
            let whole = *readable.get(&uuid_field(&d, "person_id")?)?;
            if !whole {
                d.shift_remove("description");
            }
            Some(d)
        })
        .collect();
    Ok(list_json(list))
}

/// GET /data/persons/day-offs/{year} — Kitsu's timesheets and team
/// schedule: the day offs of the year the caller may read.
async fn day_offs_year(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(year): Path<String>,
) -> ApiResult<Json<Value>> {
    let y: i32 = year.parse().map_err(|_| bad_period())?;
    let from = NaiveDate::from_ymd_opt(y, 1, 1).ok_or_else(bad_period)?;
    let to = NaiveDate::from_ymd_opt(y, 12, 31).ok_or_else(bad_period)?;
    studio_range(&s, &user, from, to).await
}

/// GET /data/persons/day-offs/{year}/{month}
async fn day_offs_month(
    State(s): State<AppState>,
    user: CurrentUser,
    Path((year, month)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let (from, to) = month_range(&year, &month)?;
    studio_range(&s, &user, from, to).await
}

fn month_range(year: &str, month: &str) -> ApiResult<(NaiveDate, NaiveDate)> {
    let y: i32 = year.parse().map_err(|_| bad_period())?;
    let m: u32 = month.parse().map_err(|_| bad_period())?;
    let from = NaiveDate::from_ymd_opt(y, m, 1).ok_or_else(bad_period)?;
    let next = if m == 12 {
        NaiveDate::from_ymd_opt(y + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(y, m + 1, 1)
    }
    .ok_or_else(bad_period)?;
    Ok((from, next.pred_opt().unwrap_or(next)))
}

/// GET /data/user/day-offs/{date} — the caller's day off on that date, or
/// `{}` when he works that day.
async fn user_day_off(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(date): Path<String>,
) -> ApiResult<Json<Value>> {
    let date = NaiveDate::parse_from_str(&date, fennec_api::time::DATE_FORMAT)
        .map_err(|_| ApiError::bad_request("Wrong date format."))?;
    let Json(list) = person_range(&state, &user, &user.id.to_string(), Some((date, date))).await?;
    let first = list.as_array().and_then(|l| l.first().cloned());
    Ok(Json(first.unwrap_or_else(|| json!({}))))
}

/// GET /data/projects/{id}/milestones
async fn project_milestones(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let id = path_id(&id)?;
    let mut conn = state.db.conn().await?;
    // As Zou: the access check alone (an admin gets [] for no project);
    // clients do not see the production's schedule.
    check_project_access(&mut conn, &user, id).await?;
    let user = crate::auth::permissions::on_project(&mut conn, &user, id).await?;
    if user.role == Role::Client {
        return Err(ApiError::forbidden());
    }
    let select = Select::default().filter(Filter::Eq("project_id", SqlValue::Uuid(id)));
    // Zou's schedule answer: the milestone's own fields only.
    let list = rows::list(&mut conn, &models::MILESTONE, &select, false)
        .await?
        .into_iter()
        .map(|m| {
            let mut out = Map::new();
            for k in ["date", "id", "name", "project_id", "task_type_id"] {
                out.insert(k.into(), m.get(k).cloned().unwrap_or(Value::Null));
            }
            out
        })
        .collect();
    Ok(list_json(list))
}

/// GET /data/projects/{id}/day-offs?start_date=&end_date= — Kitsu's
/// production schedule: the team's day offs overlapping the range (either
/// bound may be left out), by person in date order, as Zou's
/// `ProductionDayOffsResource`: whole for a manager of the production and
/// for one's own, without the description for the others; refused to
/// clients and vendors.
async fn project_day_offs(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    query: QueryPairs,
) -> ApiResult<Json<Value>> {
    let id = path_id(&id)?;
    let mut conn = state.db.conn().await?;
    check_project_access(&mut conn, &user, id).await?;
    let on = crate::auth::permissions::on_project(&mut conn, &user, id).await?;
    if matches!(on.role, Role::Client | Role::Vendor) {
        return Err(ApiError::forbidden());
    }
    let (start_raw, end_raw) = (query.get("start_date"), query.get("end_date"));
    // Zou casts the raw arguments in SQL and reports both, "None" for one
    // left out.
    let bad = || {
        ApiError::bad_request(format!(
            "Wrong date format for {} and/or {}",
            start_raw.unwrap_or("None"),
            end_raw.unwrap_or("None")
        ))
    };
    let bound = |raw: Option<&str>| {
        raw.map(|v| fennec_api::time::parse_date(v).ok_or_else(bad))
            .transpose()
    };
    let (from, to) = (bound(start_raw)?, bound(end_raw)?);
    let team: Vec<SqlValue> = links::PROJECT_TEAM
        .rights(&mut conn, id)
        .await?
        .into_iter()
        .map(SqlValue::Uuid)
        .collect();
    let whole_for_all = matches!(on.role, Role::Admin | Role::Manager);
    let mut list = if team.is_empty() {
        Vec::new()
    } else {
        let select = Select::default().filter(Filter::In("person_id", team));
        rows::list(&mut conn, DAY_OFF, &select, false).await?
    };
    list.retain(|d| overlaps(d, from, to));
    list.sort_by(|a, b| a["date"].as_str().cmp(&b["date"].as_str()));
    let mut by_person = Map::new();
    for mut day_off in list {
        let Some(person) = uuid_field(&day_off, "person_id") else {
            continue;
        };
        if !whole_for_all && person != user.id {
            day_off.shift_remove("description");
        }
        by_person
            .entry(person.to_string())
            .or_insert_with(|| Value::Array(Vec::new()))
            .as_array_mut()
            .expect("an array per person")
            .push(Value::Object(day_off));
    }
    Ok(Json(Value::Object(by_person)))
}
