//! Fennec's own schedule routes, under `/fennec/...` so they can never
//! collide with Zou's: a project's forecast, risks and timeline as of a
//! date, and the studio calendar they are computed on. Same access rules
//! as the project's task lists.

use std::borrow::Cow;
use std::collections::HashMap;

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;
use fennec_api::models;
use fennec_schedule::{
    analyse, timeline, Calendar, GroupBy, Ref, Risk, ScheduleInput, Severity, TaskInput,
};
use fennec_store::rows;
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::permissions::{check_manager_project_access, check_project_access, require_admin};
use crate::auth::CurrentUser;
use crate::chunked::SeqFrom;
use crate::error::{ApiError, ApiResult};
use crate::extract::{path_id, JsonBody, Path, QueryPairs};
use crate::schedule_gate::Pass;
use crate::schedule_input::{
    project_input, studio_calendar, task_display_name, FullName, TasksById, CALENDAR_KEY,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/fennec/calendar", get(get_calendar).put(put_calendar))
        .route("/fennec/projects/{id}/forecast", get(forecast))
        .route("/fennec/projects/{id}/risks", get(risks))
        .route("/fennec/projects/{id}/timeline", get(project_timeline))
        .route(
            "/fennec/projects/{id}/task-links",
            get(list_task_links).post(create_task_link),
        )
        .route(
            "/fennec/task-links/{id}",
            axum::routing::delete(delete_task_link),
        )
        .route("/fennec/projects/{id}/critical-path", get(critical_path))
        .route("/fennec/projects/{id}/causes", get(project_causes))
        .route(
            "/fennec/projects/{id}/what-if",
            axum::routing::post(project_what_if),
        )
        .route(
            "/fennec/production-schedule-versions/{id}/forecast",
            get(version_forecast),
        )
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

    fn keeps_all(&self) -> bool {
        !self.is_task_scoped() && self.person.is_none()
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

/// Loads a project the caller may read, and its scheduler input, once the
/// schedule gate lets it in (schedule_gate.rs): the pass is held until the
/// answer is written.
async fn load(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    as_of: NaiveDate,
) -> ApiResult<(Map<String, Value>, ScheduleInput, Pass)> {
    let id = path_id(id)?;
    let project = {
        // A wrong id or a forbidden production is answered at once, not
        // after the analyses ahead of it.
        let mut conn = state.db.conn().await?;
        let project = rows::get(&mut conn, &models::PROJECT, id, false)
            .await?
            .ok_or_else(ApiError::not_found)?;
        check_project_access(&mut conn, user, id).await?;
        project
    };
    let pass = state.schedule_gate.enter().await?;
    let mut conn = state.db.conn().await?;
    let input = project_input(&mut conn, &state.db, &project, as_of).await?;
    Ok((project, input, pass))
}

/// The project as the answers name it.
#[derive(Serialize)]
struct ProjectRef {
    id: Value,
    name: Value,
}

fn project_ref(project: &Map<String, Value>) -> ProjectRef {
    ProjectRef {
        id: project.get("id").cloned().unwrap_or(Value::Null),
        name: project.get("name").cloned().unwrap_or(Value::Null),
    }
}

/// What a risk or forecast row says about its task, for people to read.
#[derive(Serialize)]
struct TaskLabel<'a> {
    id: Uuid,
    name: &'a str,
    /// Episode / sequence / entity / task type: rows named by the shot
    /// alone repeat across sequences and episodes.
    full_name: FullName<'a>,
    entity: &'a Option<Ref>,
    entity_type: &'a Option<Ref>,
    task_type: &'a Option<Ref>,
    sequence: &'a Option<Ref>,
    episode: &'a Option<Ref>,
    assignees: &'a [Uuid],
    priority: i64,
}

fn task_label(t: &TaskInput) -> TaskLabel<'_> {
    TaskLabel {
        id: t.id,
        name: &t.name,
        full_name: FullName(t),
        entity: &t.entity,
        entity_type: &t.entity_type,
        task_type: &t.task_type,
        sequence: &t.sequence,
        episode: &t.episode,
        assignees: &t.assignees,
        priority: t.priority,
    }
}

#[derive(Serialize)]
struct PersonLabel<'a> {
    id: Uuid,
    name: &'a str,
}

#[derive(Serialize)]
struct RiskOut<'a> {
    #[serde(flatten)]
    risk: &'a Risk,
    task: Option<TaskLabel<'a>>,
    person: Option<PersonLabel<'a>>,
    /// A task risk's assignees, named (a slipping row says who is on it).
    people: Vec<PersonLabel<'a>>,
    /// An unassigned task's: the department whose spare capacity it is
    /// forecast on.
    spare_capacity: Option<SpareOut>,
}

/// Where an unassigned task is forecast, named.
#[derive(Serialize)]
struct SpareOut {
    department: Ref,
    person: Option<PersonOut>,
    minutes: i64,
    unscheduled_minutes: i64,
}

fn spare_out(f: &fennec_schedule::TaskForecast, name: impl Fn(Uuid) -> String) -> Option<SpareOut> {
    let s = f.spare_capacity.as_ref()?;
    Some(SpareOut {
        department: s.department.clone(),
        person: s.person_id.map(|id| PersonOut { id, name: name(id) }),
        minutes: s.minutes,
        unscheduled_minutes: s.unscheduled_minutes,
    })
}

#[derive(Serialize)]
struct Summary {
    risks: usize,
    by_kind: BTreeMap<String, usize>,
    by_severity: BTreeMap<String, usize>,
    late_tasks: usize,
    slipping_tasks: usize,
    unassigned_tasks: usize,
}

#[derive(Serialize)]
#[serde(bound(serialize = "R: Iterator<Item = RiskOut<'a>>"))]
struct RisksAnswer<'a, R> {
    project: ProjectRef,
    as_of: NaiveDate,
    summary: Summary,
    risks: SeqFrom<R>,
    milestones: &'a [fennec_schedule::MilestoneForecast],
    rollups: &'a fennec_schedule::RollUps,
}

#[derive(Serialize)]
struct TaskForecastOut<'a> {
    #[serde(flatten)]
    forecast: &'a fennec_schedule::TaskForecast,
    task: TaskLabel<'a>,
}

/// A person's load, with the per-day list only when asked for.
#[derive(Serialize)]
struct PersonLoadOut<'a> {
    person_id: Uuid,
    name: &'a str,
    ratio: f64,
    history_tasks: usize,
    minutes_per_day: i64,
    open_tasks: usize,
    remaining_minutes: i64,
    laid_out_minutes: i64,
    unscheduled_minutes: i64,
    /// Unassigned work forecast on his spare capacity.
    tentative_minutes: i64,
    finish: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    days: Option<&'a [fennec_schedule::DayLoad]>,
}

#[derive(Serialize)]
#[serde(bound(serialize = "T: Iterator<Item = TaskForecastOut<'a>>"))]
struct ForecastAnswer<'a, T> {
    project: ProjectRef,
    as_of: NaiveDate,
    horizon_end: NaiveDate,
    tasks: SeqFrom<T>,
    people: Vec<PersonLoadOut<'a>>,
    unassigned: Vec<Uuid>,
    milestones: &'a [fennec_schedule::MilestoneForecast],
}

/// JSON bytes answered as is.
fn json_bytes(body: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// Runs the analysis and the serialisation of its answer off the async
/// workers (both are CPU work), the answer sent as it is written
/// (chunked.rs).
async fn off_workers<F>(pass: Pass, f: F) -> ApiResult<Response>
where
    F: FnOnce(&mut dyn std::io::Write) -> Result<(), serde_json::Error> + Send + 'static,
{
    crate::chunked::json_from_blocking(move |out| {
        let _held_until_written = pass;
        f(out)
    })
    .await
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

fn snake(v: impl Serialize) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// GET /fennec/projects/{id}/risks — what will slip and why, as of a date.
/// `severity` keeps risks of that severity and above; `kind` one kind.
async fn risks(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    query: QueryPairs,
) -> ApiResult<Response> {
    let as_of = as_of(&query)?;
    let filter = TaskFilter::from_query(&query)?;
    let min_severity = parse_severity(&query)?;
    let kind = query.get("kind").map(str::to_owned);
    let (project, input, pass) = load(&state, &user, &id, as_of).await?;
    off_workers(pass, move |out| {
        let analysis = analyse(&input);
        let tasks = TasksById::new(&input.tasks);
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
            if kind.as_deref().is_some_and(|k| snake(r.kind) != k) {
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
        let mut by_kind = BTreeMap::new();
        let mut by_severity = BTreeMap::new();
        for r in &kept {
            *by_kind.entry(snake(r.kind)).or_insert(0) += 1;
            *by_severity.entry(snake(r.severity)).or_insert(0) += 1;
        }
        let count = kept.len();
        let risks = kept.into_iter().map(|r| RiskOut {
            risk: r,
            task: r.task_id.and_then(|t| tasks.get(&t)).map(|t| task_label(t)),
            person: r.person_id.map(|p| PersonLabel {
                id: p,
                name: names.get(&p).copied().unwrap_or(""),
            }),
            people: r
                .task_id
                .and_then(|t| tasks.get(&t))
                .map(|t| t.assignee_set())
                .unwrap_or_default()
                .into_iter()
                .map(|p| PersonLabel {
                    id: p,
                    name: names.get(&p).copied().unwrap_or(""),
                })
                .collect(),
            spare_capacity: r
                .task_id
                .and_then(|t| analysis.forecast.task(t))
                .and_then(|f| spare_out(f, |p| names.get(&p).copied().unwrap_or("").to_owned())),
        });
        let answer = RisksAnswer {
            project: project_ref(&project),
            as_of,
            summary: Summary {
                risks: count,
                by_kind,
                by_severity,
                late_tasks: analysis.forecast.tasks.iter().filter(|t| t.late).count(),
                slipping_tasks: analysis
                    .forecast
                    .tasks
                    .iter()
                    .filter(|t| t.will_slip)
                    .count(),
                unassigned_tasks: analysis.forecast.unassigned.len(),
            },
            risks: SeqFrom::new(risks),
            milestones: &analysis.milestones,
            rollups: &analysis.rollups,
        };
        serde_json::to_writer(out, &answer)
    })
    .await
}

/// GET /fennec/projects/{id}/forecast — every task's forecast finish and
/// every person's load (`days=true` adds the per-day load).
async fn forecast(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    query: QueryPairs,
) -> ApiResult<Response> {
    let as_of = as_of(&query)?;
    let filter = TaskFilter::from_query(&query)?;
    let with_days = query.flag("days");
    let (project, input, pass) = load(&state, &user, &id, as_of).await?;
    off_workers(pass, move |out| {
        let analysis = analyse(&input);
        let tasks = TasksById::new(&input.tasks);
        let answer = ForecastAnswer {
            project: project_ref(&project),
            as_of,
            horizon_end: analysis.forecast.horizon_end,
            tasks: SeqFrom::new(analysis.forecast.tasks.iter().filter_map(|f| {
                let t = tasks.get(&f.task_id).filter(|t| filter.keeps(t))?;
                Some(TaskForecastOut {
                    forecast: f,
                    task: task_label(t),
                })
            })),
            people: analysis
                .forecast
                .people
                .iter()
                .filter(|p| filter.person.is_none_or(|f| f == p.person_id))
                .map(|p| PersonLoadOut {
                    person_id: p.person_id,
                    name: &p.name,
                    ratio: p.ratio,
                    history_tasks: p.history_tasks,
                    minutes_per_day: p.minutes_per_day,
                    open_tasks: p.open_tasks,
                    remaining_minutes: p.remaining_minutes,
                    laid_out_minutes: p.laid_out_minutes,
                    unscheduled_minutes: p.unscheduled_minutes,
                    tentative_minutes: p.tentative_minutes,
                    finish: p.finish,
                    days: with_days.then_some(p.days.as_slice()),
                })
                .collect(),
            unassigned: analysis
                .forecast
                .unassigned
                .iter()
                .filter(|id| tasks.get(id).is_some_and(|t| filter.keeps(t)))
                .copied()
                .collect(),
            milestones: &analysis.milestones,
        };
        serde_json::to_writer(out, &answer)
    })
    .await
}

fn parse_group_by(query: &QueryPairs) -> ApiResult<GroupBy> {
    let g = query.get("group_by").unwrap_or("sequence");
    serde_json::from_value(Value::String(g.to_owned())).map_err(|_| {
        ApiError::bad_request(format!(
            "Invalid group_by '{g}': use project, episode, sequence, entity, entity_type, task_type or person."
        ))
    })
}

#[derive(Serialize)]
struct TimelineAnswer {
    #[serde(flatten)]
    timeline: fennec_schedule::Timeline,
    project: ProjectRef,
    group_by: GroupBy,
}

/// GET /fennec/projects/{id}/timeline?group_by=sequence — planned, actual
/// and forecast spans per group, with the task rows.
async fn project_timeline(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    query: QueryPairs,
) -> ApiResult<Response> {
    let as_of = as_of(&query)?;
    let filter = TaskFilter::from_query(&query)?;
    let group_by = parse_group_by(&query)?;
    let (project, input, pass) = load(&state, &user, &id, as_of).await?;
    off_workers(pass, move |out| {
        // The forecast alone: a timeline shows no risk or roll-up.
        let (_, _, forecast) = fennec_schedule::plan(&input);
        // The whole project's tasks are not copied (on 150 000 tasks a
        // copy was ~50 MB of the request's peak).
        let kept: Cow<[TaskInput]> = if filter.keeps_all() {
            Cow::Borrowed(&input.tasks)
        } else {
            Cow::Owned(
                input
                    .tasks
                    .iter()
                    .filter(|t| filter.keeps(t))
                    .cloned()
                    .collect(),
            )
        };
        let answer = TimelineAnswer {
            timeline: timeline(&kept, &forecast, group_by),
            project: project_ref(&project),
            group_by,
        };
        serde_json::to_writer(out, &answer)
    })
    .await
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

fn link_json(l: &fennec_store::schedule::TaskLink) -> Value {
    serde_json::json!({
        "id": l.id,
        "project_id": l.project_id,
        "predecessor_id": l.predecessor_id,
        "successor_id": l.successor_id,
        "lag_days": l.lag_days,
        "created_at": fennec_api::time::format_datetime(&l.created_at),
    })
}

/// GET /fennec/projects/{id}/task-links — the explicit links; with
/// `?pipeline=true` the implicit pipeline and casting links too (`kind`:
/// explicit, pipeline, cast).
async fn list_task_links(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    query: QueryPairs,
) -> ApiResult<Json<Value>> {
    let pid = path_id(&id)?;
    let mut conn = state.db.conn().await?;
    rows::get(&mut conn, &models::PROJECT, pid, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    check_project_access(&mut conn, &user, pid).await?;
    let mut out: Vec<Value> = fennec_store::schedule::task_links(&mut conn, pid)
        .await?
        .iter()
        .map(|l| {
            let mut v = link_json(l);
            v["kind"] = Value::from("explicit");
            v
        })
        .collect();
    if query.get("pipeline") == Some("true") {
        let (_, input, _pass) = load(&state, &user, &id, chrono::Utc::now().date_naive()).await?;
        let mut implicit = fennec_schedule::pipeline_links(&input.tasks, &input.task_type_order);
        implicit.extend(fennec_schedule::cast_links(
            &input.tasks,
            &input.task_type_order,
            &input.casting,
            input.cast_feeds.as_deref(),
        ));
        out.extend(implicit.into_iter().map(|l| {
            serde_json::json!({
                "predecessor_id": l.predecessor,
                "successor_id": l.successor,
                "lag_days": l.lag_days,
                "kind": l.kind,
            })
        }));
    }
    Ok(Json(Value::Array(out)))
}

/// POST /fennec/projects/{id}/task-links — `{predecessor_id, successor_id,
/// lag_days}`: a finish-to-start link (the same pair again sets its lag).
/// Managers of the project and admins. Both tasks must belong to the
/// project; a link that would close a cycle, with the pipeline or other
/// links, is refused with the tasks of the cycle named.
async fn create_task_link(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    body: JsonBody,
) -> ApiResult<(axum::http::StatusCode, Json<Value>)> {
    let pid = path_id(&id)?;
    {
        let mut conn = state.db.conn().await?;
        rows::get(&mut conn, &models::PROJECT, pid, false)
            .await?
            .ok_or_else(ApiError::not_found)?;
        check_manager_project_access(&mut conn, &user, pid).await?;
    }
    let field = |k: &str| -> ApiResult<Uuid> {
        body.0
            .get(k)
            .and_then(Value::as_str)
            .and_then(|s| Uuid::parse_str(s).ok())
            .ok_or_else(|| ApiError::bad_request(format!("{k} must be a task id.")))
    };
    let (pred, succ) = (field("predecessor_id")?, field("successor_id")?);
    let lag = match body.0.get("lag_days") {
        None | Some(Value::Null) => 0,
        Some(v) => v
            .as_i64()
            .filter(|l| (0..=3650).contains(l))
            .ok_or_else(|| {
                ApiError::bad_request("lag_days must be a whole number of working days, 0 to 3650.")
            })?,
    };
    let (_, mut input, _pass) = load(&state, &user, &id, chrono::Utc::now().date_naive()).await?;
    let name_of = |input: &ScheduleInput, t: Uuid| {
        input
            .tasks
            .iter()
            .find(|x| x.id == t)
            .map(task_display_name)
    };
    for t in [pred, succ] {
        if name_of(&input, t).is_none() {
            return Err(ApiError::bad_request(format!(
                "Task {t} is not a task of this project."
            )));
        }
    }
    if pred == succ {
        return Err(ApiError::bad_request("A task cannot depend on itself."));
    }
    input
        .links
        .retain(|l| !(l.predecessor == pred && l.successor == succ));
    input.links.push(fennec_schedule::Link::new(
        pred,
        succ,
        lag as u32,
        fennec_schedule::LinkKind::Explicit,
    ));
    if let Some(mut cycle) = fennec_schedule::find_cycle(&input.all_links()) {
        // The search starts wherever the task ids sort first; start the
        // message at the new link's successor, so that the same request
        // always reads the same (the path that exists, then the new link).
        if let Some(at) = cycle.iter().position(|t| *t == succ) {
            cycle.rotate_left(at);
        }
        let mut names: Vec<String> = cycle
            .iter()
            .map(|t| name_of(&input, *t).unwrap_or_else(|| t.to_string()))
            .collect();
        names.push(names[0].clone());
        return Err(ApiError::bad_request(format!(
            "This link would make a cycle: {}.",
            names.join(" → ")
        )));
    }
    let mut tx = state.db.begin().await?;
    let link = fennec_store::schedule::put_task_link(&mut tx, pid, pred, succ, lag).await?;
    tx.commit().await?;
    let mut v = link_json(&link);
    v["kind"] = Value::from("explicit");
    Ok((axum::http::StatusCode::CREATED, Json(v)))
}

/// DELETE /fennec/task-links/{id} — managers of the link's project.
async fn delete_task_link(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<axum::http::StatusCode> {
    let id = path_id(&id)?;
    let mut conn = state.db.conn().await?;
    let link = fennec_store::schedule::task_link(&mut conn, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    check_manager_project_access(&mut conn, &user, link.project_id).await?;
    fennec_store::schedule::delete_task_link(&mut conn, id).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

#[derive(Serialize)]
struct PathTaskOut<'a> {
    #[serde(flatten)]
    slack: &'a fennec_schedule::TaskSlack,
    /// Episode / sequence / entity / task type.
    full_name: String,
    task: TaskLabel<'a>,
}

/// A target's slack as a JSON object (task id: working days), written from
/// the path's vector, sorted by id as a map would be: a `BTreeMap` per
/// target, all built before writing, was ~50 MB of a critical-path
/// request's peak on 150 000 tasks.
struct SlackMap<'a>(&'a [fennec_schedule::TaskSlack]);

impl Serialize for SlackMap<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|t| (t.task_id, t.slack_days)))
    }
}

#[derive(Serialize)]
struct CriticalPathOut<'a> {
    /// The milestone's name, or the project's end.
    name: String,
    kind: fennec_schedule::MilestoneKind,
    /// The milestone's (or project end's) date; `None` for the project's
    /// work without an end date.
    date: Option<NaiveDate>,
    /// When the work in scope is forecast to finish.
    finish: Option<NaiveDate>,
    /// The chain that decides `finish`, first task first.
    path: Vec<PathTaskOut<'a>>,
    /// Every dated open task in scope: (task id, slack in working days).
    slack: SlackMap<'a>,
}

#[derive(Serialize)]
struct CriticalPathAnswer<'a> {
    project: ProjectRef,
    as_of: NaiveDate,
    targets: Vec<CriticalPathOut<'a>>,
}

/// GET /fennec/projects/{id}/critical-path — for the project end (the
/// whole project's work when it has no end date) and each milestone: the
/// chain of tasks that decides its forecast finish and each task's slack.
async fn critical_path(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    query: QueryPairs,
) -> ApiResult<Response> {
    let as_of = as_of(&query)?;
    let (project, input, pass) = load(&state, &user, &id, as_of).await?;
    off_workers(pass, move |out| {
        let (calendar, links, forecast) = fennec_schedule::plan(&input);
        let tasks = TasksById::new(&input.tasks);
        let mut targets: Vec<(
            String,
            fennec_schedule::MilestoneKind,
            Option<NaiveDate>,
            fennec_schedule::Scope,
        )> = Vec::new();
        if !input
            .milestones
            .iter()
            .any(|m| m.kind == fennec_schedule::MilestoneKind::ProjectEnd)
        {
            targets.push((
                "project end".to_owned(),
                fennec_schedule::MilestoneKind::ProjectEnd,
                None,
                fennec_schedule::Scope::default(),
            ));
        }
        for m in &input.milestones {
            targets.push((m.name.clone(), m.kind, Some(m.date), m.scope.clone()));
        }
        // The project end first, then milestones by date.
        targets.sort_by_key(|t| {
            (
                t.1 != fennec_schedule::MilestoneKind::ProjectEnd,
                t.2,
                t.0.clone(),
            )
        });
        // One graph for every target (see `fennec_schedule::critical`).
        let scopes: Vec<&fennec_schedule::Scope> = targets.iter().map(|t| &t.3).collect();
        let paths =
            fennec_schedule::critical_paths(&calendar, &input.tasks, &forecast, &links, &scopes);
        let answer = CriticalPathAnswer {
            project: project_ref(&project),
            as_of,
            targets: targets
                .iter()
                .zip(&paths)
                .map(|((name, kind, date, _), cp)| CriticalPathOut {
                    name: name.clone(),
                    kind: *kind,
                    date: *date,
                    finish: cp.finish,
                    path: cp
                        .tasks
                        .iter()
                        .filter_map(|id| {
                            let t = tasks.get(id)?;
                            let i = cp.slack.binary_search_by_key(id, |s| s.task_id).ok()?;
                            Some(PathTaskOut {
                                slack: &cp.slack[i],
                                full_name: task_display_name(t),
                                task: task_label(t),
                            })
                        })
                        .collect(),
                    slack: SlackMap(&cp.slack),
                })
                .collect(),
        };
        serde_json::to_writer(out, &answer)
    })
    .await
}

/// Display names of everyone the input knows: the calendar's people and
/// the departments' (who may have no work in the project yet).
fn people_names(input: &ScheduleInput) -> HashMap<Uuid, String> {
    let mut names: HashMap<Uuid, String> = HashMap::new();
    for d in &input.departments {
        for p in &d.people {
            names.insert(p.id, p.name.to_string());
        }
    }
    for p in &input.calendar.people {
        if !p.name.is_empty() {
            names.insert(p.person_id, p.name.clone());
        }
    }
    names
}

#[derive(Serialize)]
struct PersonOut {
    id: Uuid,
    name: String,
}

fn person_out(names: &HashMap<Uuid, String>, id: Uuid) -> PersonOut {
    PersonOut {
        id,
        name: names.get(&id).cloned().unwrap_or_default(),
    }
}

/// A task row of a cause or remedy: full name and the people on it.
#[derive(Serialize)]
struct CauseTaskOut {
    id: Uuid,
    full_name: String,
    assignees: Vec<PersonOut>,
    /// Unassigned: where it is forecast instead.
    spare_capacity: Option<SpareOut>,
    due: Option<NaiveDate>,
    forecast_finish: Option<NaiveDate>,
    late: bool,
    will_slip: bool,
    slip_days: i64,
}

#[derive(Serialize)]
struct CauseOut<'a> {
    kind: fennec_schedule::CauseKind,
    severity: Severity,
    person: Option<PersonOut>,
    /// The late task upstream (`late_upstream`).
    task: Option<CauseTaskOut>,
    task_type: &'a Option<Ref>,
    problem_tasks: usize,
    slip_days: i64,
    milestones: &'a [String],
    days: Option<i64>,
    tasks: Vec<CauseTaskOut>,
}

#[derive(Serialize)]
struct RemedyOut<'a> {
    kind: fennec_schedule::RemedyKind,
    person: PersonOut,
    to_person: &'a Option<Ref>,
    hours_per_day: Option<f64>,
    forecast: Option<NaiveDate>,
    slip_days: Option<i64>,
    meets_date: bool,
    tasks: Vec<&'a CauseTaskOut>,
    /// The changes, as `POST .../what-if` takes them.
    changes: &'a [fennec_schedule::Change],
}

#[derive(Serialize)]
struct MilestoneRemediesOut<'a> {
    milestone: &'a fennec_schedule::MilestoneForecast,
    remedies: Vec<RemedyOut<'a>>,
}

/// GET /fennec/projects/{id}/causes — the project's risks grouped by cause
/// (overloaded person, late upstream task, unassigned task, missing
/// estimate, day off), each with the tasks it drives and the milestones it
/// moves; and for each slipping milestone the remedies the forecast finds
/// (reassignments within a department, added hours, a new artist), each
/// with the milestone's new forecast. `?remedies=false` skips the remedies
/// (each costs a forecast).
async fn project_causes(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    query: QueryPairs,
) -> ApiResult<Response> {
    let as_of = as_of(&query)?;
    let with_remedies = query.get("remedies") != Some("false");
    let (project, input, pass) = load(&state, &user, &id, as_of).await?;
    off_workers(pass, move |out| {
        let io = serde_json::Error::io;
        // Remedies are tried on the input itself (each try undone).
        let mut input = input;
        let analysis = analyse(&input);
        let calendar = input.calendar.compile();
        let causes = fennec_schedule::causes(&calendar, &input, &analysis);
        let plans = with_remedies.then(|| fennec_schedule::remedy_plans(&input, &analysis));
        let names = people_names(&input);
        // The causes are written, and the rows a remedy may list kept,
        // before the analysis is freed and the remedies forecast: on
        // 150 000 tasks the analysis and a remedy's forecast together
        // were the request's peak memory (bench/README.md).
        let remedy_rows: HashMap<Uuid, CauseTaskOut> = {
            let tasks = TasksById::new(&input.tasks);
            let row = |id: &Uuid| -> Option<CauseTaskOut> {
                let t = tasks.get(id)?;
                let f = analysis.forecast.task(*id)?;
                Some(CauseTaskOut {
                    id: *id,
                    full_name: task_display_name(t),
                    assignees: t
                        .assignee_set()
                        .into_iter()
                        .map(|p| person_out(&names, p))
                        .collect(),
                    spare_capacity: spare_out(f, |p| person_out(&names, p).name),
                    due: t.due,
                    forecast_finish: f.forecast_finish,
                    late: f.late,
                    will_slip: f.will_slip,
                    slip_days: f.slip_days,
                })
            };
            out.write_all(b"{\"project\":").map_err(io)?;
            serde_json::to_writer(&mut *out, &project_ref(&project))?;
            out.write_all(b",\"as_of\":").map_err(io)?;
            serde_json::to_writer(&mut *out, &as_of)?;
            out.write_all(b",\"causes\":").map_err(io)?;
            let rows = causes.iter().map(|c| CauseOut {
                kind: c.kind,
                severity: c.severity,
                person: c.person_id.map(|p| person_out(&names, p)),
                task: c.task_id.as_ref().and_then(row),
                task_type: &c.task_type,
                problem_tasks: c.problem_tasks,
                slip_days: c.slip_days,
                milestones: &c.milestones,
                days: c.days,
                tasks: c.tasks.iter().filter_map(row).collect(),
            });
            serde_json::to_writer(&mut *out, &SeqFrom::new(rows))?;
            plans
                .iter()
                .flat_map(|p| p.task_ids())
                .filter_map(|id| Some((id, row(&id)?)))
                .collect()
        };
        drop((causes, analysis));
        let remedies = plans
            .map(|p| fennec_schedule::try_remedies(&mut input, p))
            .unwrap_or_default();
        let remedies = remedies.iter().map(|m| MilestoneRemediesOut {
            milestone: &m.milestone,
            remedies: m
                .remedies
                .iter()
                .map(|r| RemedyOut {
                    kind: r.kind,
                    person: person_out(&names, r.person_id),
                    to_person: &r.to_person,
                    hours_per_day: r.hours_per_day,
                    forecast: r.forecast,
                    slip_days: r.slip_days,
                    meets_date: r.meets_date,
                    tasks: r.tasks.iter().filter_map(|t| remedy_rows.get(t)).collect(),
                    changes: &r.changes,
                })
                .collect(),
        });
        out.write_all(b",\"remedies\":").map_err(io)?;
        serde_json::to_writer(&mut *out, &SeqFrom::new(remedies))?;
        out.write_all(b"}").map_err(io)
    })
    .await
}

#[derive(Serialize)]
struct TaskChangeOut<'a> {
    #[serde(flatten)]
    change: &'a fennec_schedule::TaskChange,
    full_name: String,
}

#[derive(Serialize)]
struct WhatIfAnswer<'a> {
    project: ProjectRef,
    /// The production schedule version forecast (its `forecast` route).
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<ProjectRef>,
    as_of: NaiveDate,
    milestones: &'a [fennec_schedule::MilestoneChange],
    tasks: Vec<TaskChangeOut<'a>>,
    risks_before: &'a BTreeMap<fennec_schedule::RiskKind, usize>,
    risks_after: &'a BTreeMap<fennec_schedule::RiskKind, usize>,
}

/// POST /fennec/projects/{id}/what-if — `{"changes": [...]}` (reassign,
/// add_capacity, add_person, move_due, move_start, set_estimate,
/// move_milestone, add_link, remove_link): the forecast with the changes,
/// against the current one, without writing anything. Anyone who may read
/// the project's schedule.
async fn project_what_if(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    query: QueryPairs,
    body: JsonBody,
) -> ApiResult<Response> {
    let as_of = as_of(&query)?;
    let changes: Vec<fennec_schedule::Change> = match body.0.get("changes") {
        Some(v) => serde_json::from_value(v.clone())
            .map_err(|e| ApiError::bad_request(format!("Invalid changes: {e}")))?,
        None => return Err(ApiError::bad_request("changes must be a list of changes.")),
    };
    let (project, input, pass) = load(&state, &user, &id, as_of).await?;
    what_if_answer(pass, project, None, input, as_of, changes).await
}

/// The what-if answer of `changes` on `input`, off the async workers (two
/// forecasts); a refused change is the client's mistake (400).
async fn what_if_answer(
    pass: Pass,
    project: Map<String, Value>,
    version: Option<ProjectRef>,
    input: ScheduleInput,
    as_of: NaiveDate,
    changes: Vec<fennec_schedule::Change>,
) -> ApiResult<Response> {
    let answer = tokio::task::spawn_blocking(move || -> Result<Vec<u8>, ApiError> {
        let _held_until_answered = pass;
        let before = analyse(&input);
        let result =
            fennec_schedule::what_if(&input, &before, &changes).map_err(ApiError::bad_request)?;
        let tasks = TasksById::new(&input.tasks);
        let answer = WhatIfAnswer {
            project: project_ref(&project),
            version,
            as_of,
            milestones: &result.milestones,
            tasks: result
                .tasks
                .iter()
                .map(|c| TaskChangeOut {
                    change: c,
                    full_name: tasks
                        .get(&c.task_id)
                        .map(task_display_name)
                        .unwrap_or_default(),
                })
                .collect(),
            risks_before: &result.risks_before,
            risks_after: &result.risks_after,
        };
        serde_json::to_vec(&answer).map_err(ApiError::internal)
    })
    .await
    .map_err(ApiError::internal)??;
    Ok(json_bytes(answer))
}

/// GET /fennec/production-schedule-versions/{id}/forecast — Zou's
/// production schedule version forecast before it is applied: the
/// production's forecast with the version's start dates, due dates and
/// estimates (what `apply-to-production` writes), against the current one,
/// as `what-if` answers it. Writes nothing. Those who may read the version
/// (its production's team, not vendors or clients).
async fn version_forecast(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    query: QueryPairs,
) -> ApiResult<Response> {
    let as_of = as_of(&query)?;
    let vid = path_id(&id)?;
    let (version, project) = {
        let mut conn = state.db.conn().await?;
        let version = crate::schedule_versions::load_version(&mut conn, vid).await?;
        let project_id = version
            .get("project_id")
            .and_then(Value::as_str)
            .and_then(|s| Uuid::parse_str(s).ok())
            .ok_or_else(ApiError::not_found)?;
        crate::schedule_versions::check_read(&mut conn, &user, project_id).await?;
        let project = rows::get(&mut conn, &models::PROJECT, project_id, false)
            .await?
            .ok_or_else(ApiError::not_found)?;
        (version, project)
    };
    let pass = state.schedule_gate.enter().await?;
    let (changes, input) = {
        let mut conn = state.db.conn().await?;
        let input = project_input(&mut conn, &state.db, &project, as_of).await?;
        let ids: std::collections::HashSet<Uuid> = input.tasks.iter().map(|t| t.id).collect();
        let changes = crate::schedule_versions::apply_changes(&mut conn, &version, &ids).await?;
        (changes, input)
    };
    let version = ProjectRef {
        id: version.get("id").cloned().unwrap_or(Value::Null),
        name: version.get("name").cloned().unwrap_or(Value::Null),
    };
    what_if_answer(pass, project, Some(version), input, as_of, changes).await
}
