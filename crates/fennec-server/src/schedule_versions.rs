//! Zou 1.0.97's production schedule versions (its `schedule_service`):
//! copies of a production's task dates, estimates and assignees that
//! Kitsu's production schedule edits apart from the production, fills from
//! the production or from another version, and applies back.
//!
//! Zou copies with one `INSERT … SELECT … ON CONFLICT` per action; here the
//! copy walks the rows in the caller's transaction (one insert or update per
//! task), which keeps the SQL the same on SQLite and PostgreSQL and the
//! action all-or-nothing. The answers are Zou's summaries
//! (`task_link_count`, `task_count`): Kitsu reloads the links after.

use fennec_api::models::{
    Kind, PRODUCTION_SCHEDULE_VERSION as VERSION, PRODUCTION_SCHEDULE_VERSION_TASK_LINK as LINK,
    TASK,
};
use fennec_store::db::Exec;
use fennec_store::links::{self, Link};
use fennec_store::rows::{self, Row, Select};
use fennec_store::SqlValue;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::present::uuid_field;

/// A task link's assignees (Zou's
/// `production_schedule_version_task_link_person_link`).
pub const ASSIGNEES: Link = Link {
    table: "production_schedule_version_task_link_person_link",
    left: "production_schedule_version_task_link_id",
    right: "person_id",
};

fn column(name: &str) -> &'static fennec_api::models::Column {
    LINK.column(name).expect("task link column")
}

/// Zou's read check of these resources: the production's team, then
/// `has_vendor_permissions` / `has_client_permissions` refused.
pub async fn check_read(
    exec: &mut impl Exec,
    user: &crate::auth::CurrentUser,
    project: Uuid,
) -> ApiResult<()> {
    crate::auth::permissions::check_project_access(exec, user, project).await?;
    let on_project = crate::auth::permissions::on_project(exec, user, project).await?;
    if matches!(
        on_project.role,
        crate::auth::user::Role::Vendor | crate::auth::user::Role::Client
    ) {
        return Err(ApiError::forbidden());
    }
    Ok(())
}

/// The changes applying `version` would make to the production's tasks,
/// as the forecast's what-if takes them: each task link's start date, due
/// date and estimate (what `apply` writes; not its assignees, which Zou's
/// apply leaves alone). Links to tasks outside `tasks` are skipped.
pub async fn apply_changes(
    exec: &mut impl Exec,
    version: &Row,
    tasks: &std::collections::HashSet<Uuid>,
) -> ApiResult<Vec<fennec_schedule::Change>> {
    use fennec_schedule::Change;
    let id = uuid_field(version, "id").unwrap_or_default();
    let date = |link: &Row, k: &str| {
        link.get(k)
            .and_then(Value::as_str)
            .and_then(fennec_api::time::parse_date)
    };
    let mut out = Vec::new();
    for link in task_links(exec, id, None, false).await? {
        let Some(task_id) = uuid_field(&link, "task_id").filter(|t| tasks.contains(t)) else {
            continue;
        };
        out.push(Change::MoveStart {
            task_id,
            start: date(&link, "start_date"),
        });
        out.push(Change::MoveDue {
            task_id,
            due: date(&link, "due_date"),
        });
        let minutes = link
            .get("estimation")
            .and_then(Value::as_f64)
            .filter(|m| m.is_finite() && *m >= 0.0)
            .unwrap_or(0.0);
        out.push(Change::SetEstimate { task_id, minutes });
    }
    Ok(out)
}

/// A version by id: Zou's `ProductionScheduleVersionNotFoundException`
/// (404) when there is none.
pub async fn load_version(exec: &mut impl Exec, id: Uuid) -> ApiResult<Row> {
    rows::get(exec, &VERSION, id, false)
        .await?
        .ok_or_else(ApiError::not_found)
}

/// The version's task links (only those of `task_type` when given), with
/// their assignees when `relations`.
pub async fn task_links(
    exec: &mut impl Exec,
    version: Uuid,
    task_type: Option<Uuid>,
    relations: bool,
) -> ApiResult<Vec<Row>> {
    let mut select =
        Select::default().eq("production_schedule_version_id", SqlValue::Uuid(version));
    if let Some(tt) = task_type {
        let tasks = Select::default().eq("task_type_id", SqlValue::Uuid(tt));
        let ids: Vec<SqlValue> = rows::list(exec, &TASK, &tasks, false)
            .await?
            .iter()
            .filter_map(|t| uuid_field(t, "id"))
            .map(SqlValue::Uuid)
            .collect();
        select = select.filter(rows::Filter::In("task_id", ids));
    }
    let mut out = rows::list(exec, &LINK, &select, relations).await?;
    if relations {
        with_assignees(exec, &mut out).await?;
    }
    Ok(out)
}

/// Fills the `assignees` relation of task links (person ids, link order).
pub async fn with_assignees(exec: &mut impl Exec, links: &mut [Row]) -> ApiResult<()> {
    let ids: Vec<Uuid> = links.iter().filter_map(|r| uuid_field(r, "id")).collect();
    let mut by_link = ASSIGNEES.rights_of_many(exec, &ids).await?;
    for row in links.iter_mut() {
        let people = uuid_field(row, "id")
            .and_then(|id| by_link.remove(&id))
            .unwrap_or_default();
        row.insert(
            "assignees".into(),
            Value::Array(people.iter().map(|p| json!(p.to_string())).collect()),
        );
    }
    Ok(())
}

/// One task's schedule as a version holds it.
struct Planned {
    task: Uuid,
    start_date: Value,
    due_date: Value,
    estimation: Value,
    assignees: Vec<Uuid>,
}

fn value(kind_col: &str, v: &Value) -> ApiResult<SqlValue> {
    SqlValue::from_json(column(kind_col), v)
        .map_err(|_| ApiError::bad_request_message(fennec_api::error::INVALID_FORMAT))
}

/// Writes `plans` into `version` (Zou's upsert on the version and task),
/// replacing the assignees of every link it writes. Returns how many it
/// wrote.
async fn upsert(exec: &mut impl Exec, version: Uuid, plans: Vec<Planned>) -> ApiResult<usize> {
    let existing = rows::list(
        exec,
        &LINK,
        &Select::default().eq("production_schedule_version_id", SqlValue::Uuid(version)),
        false,
    )
    .await?;
    let n = plans.len();
    for plan in plans {
        let dates = vec![
            (column("start_date"), value("start_date", &plan.start_date)?),
            (column("due_date"), value("due_date", &plan.due_date)?),
            (column("estimation"), value("estimation", &plan.estimation)?),
        ];
        let found = existing
            .iter()
            .find(|r| uuid_field(r, "task_id") == Some(plan.task))
            .and_then(|r| uuid_field(r, "id"));
        let link = match found {
            Some(id) => {
                rows::update(exec, &LINK, id, dates).await?;
                id
            }
            None => {
                let mut values = dates;
                values.push((
                    column("production_schedule_version_id"),
                    SqlValue::Uuid(version),
                ));
                values.push((column("task_id"), SqlValue::Uuid(plan.task)));
                let row = rows::insert(exec, &LINK, values).await?;
                uuid_field(&row, "id").unwrap_or_default()
            }
        };
        ASSIGNEES.set(exec, link, &plan.assignees).await?;
    }
    Ok(n)
}

/// Zou's `set_production_schedule_version_task_links_from_production`:
/// every task of the version's production, with its dates, estimate and
/// assignees.
pub async fn set_from_production(exec: &mut impl Exec, version: &Row) -> ApiResult<Value> {
    let id = uuid_field(version, "id").unwrap_or_default();
    let project = uuid_field(version, "project_id").unwrap_or_default();
    let tasks = rows::list(
        exec,
        &TASK,
        &Select::default().eq("project_id", SqlValue::Uuid(project)),
        false,
    )
    .await?;
    let ids: Vec<Uuid> = tasks.iter().filter_map(|t| uuid_field(t, "id")).collect();
    let mut assignees = links::TASK_ASSIGNEES.rights_of_many(exec, &ids).await?;
    let plans = tasks
        .iter()
        .filter_map(|t| {
            let task = uuid_field(t, "id")?;
            Some(Planned {
                task,
                start_date: t.get("start_date").cloned().unwrap_or(Value::Null),
                due_date: t.get("due_date").cloned().unwrap_or(Value::Null),
                estimation: t.get("estimation").cloned().unwrap_or(Value::Null),
                assignees: assignees.remove(&task).unwrap_or_default(),
            })
        })
        .collect();
    let n = upsert(exec, id, plans).await?;
    Ok(json!({"success": true, "task_link_count": n}))
}

/// Zou's `set_production_schedule_version_task_links_from_production_schedule_version`:
/// the other version's links; the target's links of other tasks are left
/// as they are. The target then names the version it came from.
pub async fn set_from_version(
    exec: &mut impl Exec,
    author: Uuid,
    version: &Row,
    other: Uuid,
) -> ApiResult<Value> {
    let id = uuid_field(version, "id").unwrap_or_default();
    if id == other {
        return Err(ApiError::bad_request(
            "A production schedule version cannot be copied onto itself.",
        ));
    }
    let source = task_links(exec, other, None, true).await?;
    let plans = source
        .iter()
        .filter_map(|l| {
            Some(Planned {
                task: uuid_field(l, "task_id")?,
                start_date: l.get("start_date").cloned().unwrap_or(Value::Null),
                due_date: l.get("due_date").cloned().unwrap_or(Value::Null),
                estimation: l.get("estimation").cloned().unwrap_or(Value::Null),
                assignees: l
                    .get("assignees")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(|p| p.as_str().and_then(|s| Uuid::parse_str(s).ok()))
                            .collect()
                    })
                    .unwrap_or_default(),
            })
        })
        .collect();
    let n = upsert(exec, id, plans).await?;
    update_version(
        exec,
        author,
        id,
        vec![(
            VERSION.column("production_schedule_from").expect("column"),
            SqlValue::Uuid(other),
        )],
    )
    .await?;
    Ok(json!({"success": true, "task_link_count": n}))
}

/// Zou's `update_production_schedule_version`, with its
/// `production_schedule_version:update` event.
pub async fn update_version(
    exec: &mut impl Exec,
    author: Uuid,
    id: Uuid,
    values: Vec<(&'static fennec_api::models::Column, SqlValue)>,
) -> ApiResult<Row> {
    let row = rows::update(exec, &VERSION, id, values)
        .await?
        .ok_or_else(ApiError::not_found)?;
    crate::events::emit(
        exec,
        Some(author),
        "production_schedule_version:update",
        json!({"production_schedule_version_id": id.to_string()}),
        uuid_field(&row, "project_id"),
    )
    .await?;
    Ok(row)
}

/// Zou's `apply_production_schedule_version_to_production`: the version's
/// dates and estimates (not its assignees) go onto the production's tasks,
/// each with a `task:update`; the version is locked and the production
/// names it as the one it follows.
pub async fn apply(exec: &mut impl Exec, author: Uuid, version: &Row) -> ApiResult<Value> {
    let id = uuid_field(version, "id").unwrap_or_default();
    let project = uuid_field(version, "project_id").unwrap_or_default();
    let links = task_links(exec, id, None, false).await?;
    let task_col = |n: &str| TASK.column(n).expect("task column");
    let mut n = 0;
    for link in &links {
        let Some(task) = uuid_field(link, "task_id") else {
            continue;
        };
        let values = vec![
            (
                task_col("start_date"),
                SqlValue::from_json(
                    task_col("start_date"),
                    link.get("start_date").unwrap_or(&Value::Null),
                )
                .unwrap_or(SqlValue::Null(Kind::DateTime)),
            ),
            (
                task_col("due_date"),
                SqlValue::from_json(
                    task_col("due_date"),
                    link.get("due_date").unwrap_or(&Value::Null),
                )
                .unwrap_or(SqlValue::Null(Kind::DateTime)),
            ),
            (
                task_col("estimation"),
                SqlValue::from_json(
                    task_col("estimation"),
                    link.get("estimation").unwrap_or(&Value::Null),
                )
                .unwrap_or(SqlValue::Null(Kind::Float)),
            ),
        ];
        if let Some(row) = rows::update(exec, &TASK, task, values).await? {
            n += 1;
            crate::events::task_updated(exec, Some(author), task, uuid_field(&row, "project_id"))
                .await?;
        }
    }
    update_version(
        exec,
        author,
        id,
        vec![(
            VERSION.column("locked").expect("column"),
            SqlValue::Bool(true),
        )],
    )
    .await?;
    follow(exec, project, Some(id)).await?;
    Ok(json!({"success": true, "task_count": n}))
}

/// Sets the production's `from_schedule_version_id`.
async fn follow(exec: &mut impl Exec, project: Uuid, version: Option<Uuid>) -> ApiResult<()> {
    let col = fennec_api::models::PROJECT
        .column("from_schedule_version_id")
        .expect("project column");
    let v = version.map_or(SqlValue::Null(Kind::Uuid), SqlValue::Uuid);
    rows::update(exec, &fennec_api::models::PROJECT, project, vec![(col, v)]).await?;
    Ok(())
}

/// Zou's `detach_production_schedule_version`, before a version goes: the
/// versions copied from it forget it, and so does the production it was
/// applied to.
pub async fn detach(exec: &mut impl Exec, id: Uuid) -> ApiResult<()> {
    let derived = rows::list(
        exec,
        &VERSION,
        &Select::default().eq("production_schedule_from", SqlValue::Uuid(id)),
        false,
    )
    .await?;
    let from = VERSION.column("production_schedule_from").expect("column");
    for row in derived {
        if let Some(d) = uuid_field(&row, "id") {
            rows::update(exec, &VERSION, d, vec![(from, SqlValue::Null(Kind::Uuid))]).await?;
        }
    }
    let projects = rows::list(
        exec,
        &fennec_api::models::PROJECT,
        &Select::default().eq("from_schedule_version_id", SqlValue::Uuid(id)),
        false,
    )
    .await?;
    for p in projects {
        if let Some(p) = uuid_field(&p, "id") {
            follow(exec, p, None).await?;
        }
    }
    Ok(())
}
