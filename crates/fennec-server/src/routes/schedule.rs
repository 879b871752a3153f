//! Fennec's own schedule routes, under `/fennec/...` so they can never
//! collide with Zou's: a project's forecast, risks and timeline as of a
//! date, and the studio calendar they are computed on. Same access rules
//! as the project's task lists.

use std::collections::HashMap;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;
use fennec_api::models;
use fennec_schedule::{
    analyse, timeline, Analysis, Calendar, GroupBy, Risk, ScheduleInput, Severity, TaskInput,
};
use fennec_store::rows;
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::permissions::{check_project_access, require_admin};
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::{path_id, JsonBody, Path, QueryPairs};
use crate::schedule_input::{project_input, studio_calendar, CALENDAR_KEY};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/fennec/calendar", get(get_calendar).put(put_calendar))
        .route("/fennec/projects/{id}/forecast", get(forecast))
        .route("/fennec/projects/{id}/risks", get(risks))
        .route("/fennec/projects/{id}/timeline", get(project_timeline))
}

/// The query's `as_of` (default today, UTC).
fn as_of(query: &QueryPairs) -> ApiResult<NaiveDate> {
    match query.get("as_of") {
        None | Some("") => Ok(chrono::Utc::now().date_naive()),
        Some(s) => NaiveDate::parse_from_str(s, fennec_api::time::DATE_FORMAT).map_err(|_| {
            ApiError::bad_request(format!(
                "Invalid date format for 'as_of': '{s}'. Expected YYYY-MM-DD."
            ))
        }),
    }
}

fn uuid_param(query: &QueryPairs, key: &str) -> ApiResult<Option<Uuid>> {
    query
        .get(key)
        .map(|v| {
            Uuid::parse_str(v)
                .map_err(|_| ApiError::bad_request(format!("Invalid UUID value: {v}")))
        })
        .transpose()
}

/// The tasks a request is about: filters on task type, episode, sequence
/// and assignee. The forecast itself always covers the whole project
/// (people's loads depend on all their work).
struct TaskFilter {
    task_type: Option<Uuid>,
    episode: Option<Uuid>,
    sequence: Option<Uuid>,
    person: Option<Uuid>,
}

impl TaskFilter {
    fn from_query(query: &QueryPairs) -> ApiResult<TaskFilter> {
        Ok(TaskFilter {
            task_type: uuid_param(query, "task_type_id")?,
            episode: uuid_param(query, "episode_id")?,
            sequence: uuid_param(query, "sequence_id")?,
            person: uuid_param(query, "person_id")?,
        })
    }

    fn is_task_scoped(&self) -> bool {
        self.task_type.is_some() || self.episode.is_some() || self.sequence.is_some()
    }

    fn keeps(&self, t: &TaskInput) -> bool {
        let is = |want: Option<Uuid>, got: Option<Uuid>| want.is_none() || want == got;
        is(self.task_type, t.task_type.as_ref().map(|r| r.id))
            && is(self.episode, t.episode.as_ref().map(|r| r.id))
            && is(self.sequence, t.sequence.as_ref().map(|r| r.id))
            && self.person.is_none_or(|p| t.assignees.contains(&p))
    }
}

/// Loads a project the caller may read, and its scheduler input.
async fn load(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    as_of: NaiveDate,
) -> ApiResult<(Map<String, Value>, ScheduleInput)> {
    let id = path_id(id)?;
    let mut conn = state.db.conn().await?;
    let project = rows::get(&mut conn, &models::PROJECT, id, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    check_project_access(&mut conn, user, id).await?;
    let input = project_input(&mut conn, &project, as_of).await?;
    Ok((project, input))
}

/// The analysis is CPU work (0.4 s for 150 000 tasks): off the async workers.
async fn analysed(input: ScheduleInput) -> ApiResult<(ScheduleInput, Analysis)> {
    tokio::task::spawn_blocking(move || {
        let analysis = analyse(&input);
        (input, analysis)
    })
    .await
    .map_err(ApiError::internal)
}

fn project_ref(project: &Map<String, Value>) -> Value {
    json!({"id": project.get("id"), "name": project.get("name")})
}

fn task_label(t: &TaskInput) -> Value {
    json!({
        "id": t.id,
        "name": t.name,
        "entity": t.entity,
        "entity_type": t.entity_type,
        "task_type": t.task_type,
        "sequence": t.sequence,
        "episode": t.episode,
        "assignees": t.assignees,
        "priority": t.priority,
    })
}

fn severity_rank(s: Severity) -> u8 {
    match s {
        Severity::Low => 0,
        Severity::Medium => 1,
        Severity::High => 2,
    }
}

fn parse_severity(query: &QueryPairs) -> ApiResult<Option<Severity>> {
    match query.get("severity") {
        None | Some("") => Ok(None),
        Some("low") => Ok(Some(Severity::Low)),
        Some("medium") => Ok(Some(Severity::Medium)),
        Some("high") => Ok(Some(Severity::High)),
        Some(other) => Err(ApiError::bad_request(format!(
            "Invalid severity '{other}': use low, medium or high."
        ))),
    }
}

/// GET /fennec/projects/{id}/risks — what will slip and why, as of a date.
/// `severity` keeps risks of that severity and above; `kind` one kind.
async fn risks(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    query: QueryPairs,
) -> ApiResult<Json<Value>> {
    let as_of = as_of(&query)?;
    let filter = TaskFilter::from_query(&query)?;
    let min_severity = parse_severity(&query)?;
    let kind = query.get("kind").map(str::to_owned);
    let (project, input) = load(&state, &user, &id, as_of).await?;
    let (input, analysis) = analysed(input).await?;
    let tasks: HashMap<Uuid, &TaskInput> = input.tasks.iter().map(|t| (t.id, t)).collect();
    let names: HashMap<Uuid, &str> = analysis
        .forecast
        .people
        .iter()
        .map(|p| (p.person_id, p.name.as_str()))
        .collect();
    let keep = |r: &Risk| -> bool {
        if min_severity.is_some_and(|m| severity_rank(r.severity) < severity_rank(m)) {
            return false;
        }
        let risk_kind = serde_json::to_value(r.kind).ok();
        if kind
            .as_deref()
            .is_some_and(|k| risk_kind.as_ref().and_then(Value::as_str) != Some(k))
        {
            return false;
        }
        match (r.task_id, r.person_id) {
            (Some(t), _) => tasks.get(&t).is_some_and(|t| filter.keeps(t)),
            (None, Some(p)) => !filter.is_task_scoped() && filter.person.is_none_or(|f| f == p),
            (None, None) => !filter.is_task_scoped() && filter.person.is_none(),
        }
    };
    let mut kept: Vec<&Risk> = analysis.risks.iter().filter(|r| keep(r)).collect();
    kept.sort_by(|a, b| {
        severity_rank(b.severity)
            .cmp(&severity_rank(a.severity))
            .then(b.numbers.slip_days.cmp(&a.numbers.slip_days))
    });
    let mut by_kind: Map<String, Value> = Map::new();
    let mut by_severity: Map<String, Value> = Map::new();
    let mut out = Vec::with_capacity(kept.len());
    for r in kept {
        let mut v = serde_json::to_value(r).map_err(ApiError::internal)?;
        let k = v["kind"].as_str().unwrap_or("").to_owned();
        let s = v["severity"].as_str().unwrap_or("").to_owned();
        bump(&mut by_kind, k);
        bump(&mut by_severity, s);
        if let Some(obj) = v.as_object_mut() {
            obj.insert(
                "task".into(),
                r.task_id
                    .and_then(|t| tasks.get(&t))
                    .map_or(Value::Null, |t| task_label(t)),
            );
            obj.insert(
                "person".into(),
                r.person_id.map_or(
                    Value::Null,
                    |p| json!({"id": p, "name": names.get(&p).copied().unwrap_or("")}),
                ),
            );
        }
        out.push(v);
    }
    let late = analysis.forecast.tasks.iter().filter(|t| t.late).count();
    let slipping = analysis
        .forecast
        .tasks
        .iter()
        .filter(|t| t.will_slip)
        .count();
    Ok(Json(json!({
        "project": project_ref(&project),
        "as_of": as_of,
        "summary": {
            "risks": out.len(),
            "by_kind": by_kind,
            "by_severity": by_severity,
            "late_tasks": late,
            "slipping_tasks": slipping,
            "unassigned_tasks": analysis.forecast.unassigned.len(),
        },
        "risks": out,
        "milestones": analysis.milestones,
        "rollups": analysis.rollups,
    })))
}

fn bump(map: &mut Map<String, Value>, key: String) {
    let n = map.get(&key).and_then(Value::as_u64).unwrap_or(0);
    map.insert(key, json!(n + 1));
}

/// GET /fennec/projects/{id}/forecast — every task's forecast finish and
/// every person's load (`days=true` adds the per-day load).
async fn forecast(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    query: QueryPairs,
) -> ApiResult<Json<Value>> {
    let as_of = as_of(&query)?;
    let filter = TaskFilter::from_query(&query)?;
    let with_days = query.flag("days");
    let (project, input) = load(&state, &user, &id, as_of).await?;
    let (input, analysis) = analysed(input).await?;
    let tasks: HashMap<Uuid, &TaskInput> = input.tasks.iter().map(|t| (t.id, t)).collect();
    let task_rows: Vec<Value> = analysis
        .forecast
        .tasks
        .iter()
        .filter(|f| tasks.get(&f.task_id).is_some_and(|t| filter.keeps(t)))
        .map(|f| {
            let mut v = serde_json::to_value(f).unwrap_or(Value::Null);
            if let (Some(obj), Some(t)) = (v.as_object_mut(), tasks.get(&f.task_id)) {
                obj.insert("task".into(), task_label(t));
            }
            v
        })
        .collect();
    let people: Vec<Value> = analysis
        .forecast
        .people
        .iter()
        .filter(|p| filter.person.is_none_or(|f| f == p.person_id))
        .map(|p| {
            let mut v = serde_json::to_value(p).unwrap_or(Value::Null);
            if !with_days {
                if let Some(obj) = v.as_object_mut() {
                    obj.shift_remove("days");
                }
            }
            v
        })
        .collect();
    let unassigned: Vec<&Uuid> = analysis
        .forecast
        .unassigned
        .iter()
        .filter(|id| tasks.get(id).is_some_and(|t| filter.keeps(t)))
        .collect();
    Ok(Json(json!({
        "project": project_ref(&project),
        "as_of": as_of,
        "horizon_end": analysis.forecast.horizon_end,
        "tasks": task_rows,
        "people": people,
        "unassigned": unassigned,
        "milestones": analysis.milestones,
    })))
}

fn parse_group_by(query: &QueryPairs) -> ApiResult<GroupBy> {
    let g = query.get("group_by").unwrap_or("sequence");
    serde_json::from_value(Value::String(g.to_owned())).map_err(|_| {
        ApiError::bad_request(format!(
            "Invalid group_by '{g}': use project, episode, sequence, entity, entity_type, task_type or person."
        ))
    })
}

/// GET /fennec/projects/{id}/timeline?group_by=sequence — planned, actual
/// and forecast spans per group, with the task rows.
async fn project_timeline(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    query: QueryPairs,
) -> ApiResult<Json<Value>> {
    let as_of = as_of(&query)?;
    let filter = TaskFilter::from_query(&query)?;
    let group_by = parse_group_by(&query)?;
    let (project, input) = load(&state, &user, &id, as_of).await?;
    let (input, analysis) = analysed(input).await?;
    let kept: Vec<TaskInput> = input
        .tasks
        .iter()
        .filter(|t| filter.keeps(t))
        .cloned()
        .collect();
    let tl = tokio::task::spawn_blocking(move || timeline(&kept, &analysis.forecast, group_by))
        .await
        .map_err(ApiError::internal)?;
    let mut v = serde_json::to_value(tl).map_err(ApiError::internal)?;
    if let Some(obj) = v.as_object_mut() {
        obj.insert("project".into(), project_ref(&project));
        obj.insert(
            "group_by".into(),
            serde_json::to_value(group_by).unwrap_or(Value::Null),
        );
    }
    Ok(Json(v))
}

/// GET /fennec/calendar — the studio calendar the forecast uses.
async fn get_calendar(State(state): State<AppState>, _user: CurrentUser) -> ApiResult<Json<Value>> {
    let mut conn = state.db.conn().await?;
    let calendar = studio_calendar(&mut conn).await?;
    Ok(Json(
        serde_json::to_value(calendar).map_err(ApiError::internal)?,
    ))
}

/// PUT /fennec/calendar — admins set the work week, holidays, part-timers
/// and (the organisation's) hours per day.
async fn put_calendar(
    State(state): State<AppState>,
    user: CurrentUser,
    body: JsonBody,
) -> ApiResult<Json<Value>> {
    require_admin(&user)?;
    let calendar: Calendar = serde_json::from_value(body.0)
        .map_err(|e| ApiError::bad_request(format!("Invalid calendar: {e}")))?;
    if !(calendar.hours_per_day.is_finite() && (0.0..=24.0).contains(&calendar.hours_per_day)) {
        return Err(ApiError::bad_request(
            "hours_per_day must be between 0 and 24.",
        ));
    }
    let mut stored = calendar.clone();
    for p in &mut stored.people {
        // Day offs live in Zou's DayOff table, not here.
        p.day_offs.clear();
    }
    let text = serde_json::to_string(&stored).map_err(ApiError::internal)?;
    let mut tx = state.db.begin().await?;
    fennec_store::on!(&mut tx, c => sqlx::query(
        "INSERT INTO fennec_settings (key, value) VALUES ($1, $2) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value")
        .bind(CALENDAR_KEY).bind(&text).execute(&mut *c).await
        .map_err(fennec_store::StoreError::from)?.rows_affected());
    fennec_store::on!(&mut tx, c => sqlx::query("UPDATE organisations SET hours_by_day = $1")
        .bind(calendar.hours_per_day).execute(&mut *c).await
        .map_err(fennec_store::StoreError::from)?.rows_affected());
    let saved = studio_calendar(&mut tx).await?;
    tx.commit().await?;
    Ok(Json(
        serde_json::to_value(saved).map_err(ApiError::internal)?,
    ))
}
