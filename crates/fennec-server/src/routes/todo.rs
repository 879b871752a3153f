//! To-do lists: the caller's (`/data/user/...`), a person's
//! (`/data/persons/{id}/...`) and the studio's open tasks, with the
//! denormalised keys Kitsu's to-do page reads.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use fennec_api::models;
use fennec_store::db::Exec;
use fennec_store::rows::{self, Filter, Row, Select};
use fennec_store::{tasks as store_tasks, todo, SqlValue};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::user::Role;
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::{path_id, Path, QueryPairs};
use crate::generic_crud as crud;
use crate::present::{id_of, uuid_field};
use crate::task_rows::{flag, list_json, Lookups, TASK};
use crate::todo_rows::{todo_row, Batch, Flavour};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/data/user/tasks", get(user_tasks))
        .route("/data/user/done-tasks", get(user_done_tasks))
        .route("/data/persons/{id}/tasks", get(person_tasks))
        .route("/data/persons/{id}/done-tasks", get(person_done_tasks))
        .route("/data/tasks/open-tasks", get(open_tasks))
}

/// A person's to-do (done or not) as Zou's JSON, read in one query and
/// written from the row (fennec-store's todo.rs); `only_projects` narrows
/// it to the productions a viewer shares.
async fn todo_answer(
    state: &AppState,
    person: Uuid,
    done: bool,
    only_projects: Option<Vec<Uuid>>,
) -> ApiResult<Response> {
    let q = todo::Todo {
        person,
        done,
        only_projects,
    };
    let bytes = todo::json(&state.db, &q).await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], bytes).into_response())
}

/// GET /data/user/tasks
async fn user_tasks(State(state): State<AppState>, user: CurrentUser) -> ApiResult<Response> {
    todo_answer(&state, user.id, false, None).await
}

/// GET /data/user/done-tasks
async fn user_done_tasks(State(state): State<AppState>, user: CurrentUser) -> ApiResult<Response> {
    todo_answer(&state, user.id, true, None).await
}

async fn person_list(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    done: bool,
) -> ApiResult<Response> {
    let id = path_id(id)?;
    let mut conn = state.db.conn().await?;
    let person = rows::get(&mut conn, &models::PERSON, id, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    // Zou's PersonTasksResource: a vendor reads only his own list, which
    // is empty there (vendors work from the assigned-tasks views), and a
    // client reads no one's.
    if user.role == Role::Vendor && user.id != id {
        return Err(ApiError::forbidden());
    }
    let vendor_list = person.get("role").and_then(Value::as_str) == Some("vendor");
    if user.role == Role::Client || (user.role == Role::Vendor && vendor_list) {
        return Ok(list_json(vec![]).into_response());
    }
    // Others see only the tasks of projects they share.
    let shared = if !user.is_admin() && user.id != id {
        Some(crud::visible_projects(&mut conn, user).await?)
    } else {
        None
    };
    drop(conn);
    todo_answer(state, id, done, shared).await
}

/// GET /data/persons/{id}/tasks
async fn person_tasks(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    person_list(&state, &user, &id, false).await
}

/// GET /data/persons/{id}/done-tasks
async fn person_done_tasks(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    person_list(&state, &user, &id, true).await
}

/// GET /data/tasks/open-tasks — always Zou's envelope with `stats`.
async fn open_tasks(
    State(state): State<AppState>,
    user: CurrentUser,
    query: QueryPairs,
) -> ApiResult<Json<Value>> {
    let mut conn = state.db.conn().await?;
    let mut lookups = Lookups::cached(&state, &mut conn).await?;
    let open_statuses: Vec<SqlValue> = lookups
        .refs
        .statuses
        .values()
        .filter(|s| !flag(Some(s), "is_done"))
        .map(|s| SqlValue::Uuid(id_of(s)))
        .collect();
    let open = fennec_store::defaults::project_status_id(&mut conn, "Open").await?;
    let mut project_select = Select::default();
    if let Some(o) = open {
        project_select = project_select.eq("project_status_id", SqlValue::Uuid(o));
    }
    let open_projects = rows::list(&mut conn, &models::PROJECT, &project_select, false).await?;
    let mut projects: Vec<Uuid> = open_projects.iter().map(id_of).collect();
    if !user.is_admin() {
        let mine = crud::visible_projects(&mut conn, &user).await?;
        projects.retain(|p| mine.contains(p));
    }
    let mut filters = vec![
        Filter::In("task_status_id", open_statuses),
        Filter::In(
            "project_id",
            projects.into_iter().map(SqlValue::Uuid).collect(),
        ),
    ];
    filters.extend(crate::reach::vendor_filter(&mut conn, &user).await?);
    for key in ["project_id", "task_type_id", "task_status_id"] {
        if let Some(v) = query.get(key) {
            let u = Uuid::parse_str(v).map_err(|_| ApiError::bad_request("Wrong UUID format."))?;
            filters.push(Filter::Eq(key_name(key), SqlValue::Uuid(u)));
        }
    }
    if let Some(v) = query.get("person_id") {
        let person = Uuid::parse_str(v).map_err(|_| ApiError::bad_request("Wrong UUID format."))?;
        let theirs = fennec_store::tasks::task_ids_for_person(&mut conn, person).await?;
        filters.push(Filter::In(
            "id",
            theirs.into_iter().map(SqlValue::Uuid).collect(),
        ));
    }
    // Zou ignores an episode id it cannot read.
    if let Some(episode) = query
        .get("episode_id")
        .and_then(|v| Uuid::parse_str(v).ok())
    {
        filters.push(Filter::In(
            "entity_id",
            crate::task_rows::entities_of_episode(&mut conn, episode).await?,
        ));
    }
    let all = rows::list(
        &mut conn,
        TASK,
        &Select {
            filters: filters.clone(),
            ..Default::default()
        },
        false,
    )
    .await?;
    let all = in_open_list_order(&mut conn, &open_projects, all).await?;
    let mut by_status: Vec<(String, i64)> = Vec::new();
    let (mut total_duration, mut total_estimation) = (0.0, 0.0);
    for t in &all {
        total_duration += t.get("duration").and_then(Value::as_f64).unwrap_or(0.0);
        total_estimation += t.get("estimation").and_then(Value::as_f64).unwrap_or(0.0);
        let s = t
            .get("task_status_id")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        match by_status.iter_mut().find(|(k, _)| *k == s) {
            Some(e) => e.1 += 1,
            None => by_status.push((s, 1)),
        }
    }
    let number = |key: &str| -> ApiResult<Option<usize>> {
        query
            .get(key)
            .map(|v| {
                v.trim()
                    .parse::<i64>()
                    .map_err(|_| ApiError::bad_request(format!("Wrong value for parameter {key}.")))
            })
            .transpose()
            .map(|n| n.map(|n| n.max(0) as usize))
    };
    let page = number("page")?.unwrap_or(1).max(1);
    // Zou raises a limit under 1 to 1 (`max(limit, 1)`).
    let limit = number("limit")?.map(|l| l.max(1)).unwrap_or(100);
    let total = all.len();
    let page_rows: Vec<Row> = all
        .into_iter()
        .skip((page - 1) * limit)
        .take(limit)
        .collect();
    lookups
        .preload_projects(
            &mut conn,
            page_rows.iter().filter_map(|t| uuid_field(t, "project_id")),
        )
        .await?;
    let batch = Batch::load(&mut conn, &mut lookups, &page_rows, Flavour::Open).await?;
    let data: Vec<Value> = page_rows
        .into_iter()
        .map(|r| Value::Object(todo_row(&lookups, &batch, r, Flavour::Open)))
        .collect();
    let status: Vec<Value> = by_status
        .into_iter()
        .map(|(s, n)| json!({"task_status_id": s, "amount": n}))
        .collect();
    let mut out = Map::new();
    out.insert("data".into(), Value::Array(data));
    out.insert(
        "stats".into(),
        json!({"total_duration": total_duration, "total_estimation": total_estimation,
               "total": total, "status": status}),
    );
    out.insert("limit".into(), json!(limit));
    out.insert("is_more".into(), json!(page * limit < total));
    out.insert("page".into(), json!(page));
    Ok(Json(Value::Object(out)))
}

/// Zou pages its open-task list in a fixed order (production, episode,
/// sequence, entity type, entity and task type names), so a page holds the
/// same tasks on both servers.
async fn in_open_list_order(
    exec: &mut impl Exec,
    open_projects: &[Row],
    mut tasks: Vec<Row>,
) -> ApiResult<Vec<Row>> {
    let wanted: std::collections::HashSet<Uuid> = tasks
        .iter()
        .filter_map(|t| uuid_field(t, "project_id"))
        .collect();
    let mut projects: Vec<(&str, Uuid)> = open_projects
        .iter()
        .map(|p| {
            (
                p.get("name").and_then(Value::as_str).unwrap_or(""),
                id_of(p),
            )
        })
        .filter(|(_, id)| wanted.contains(id))
        .collect();
    projects.sort();
    let mut rank = std::collections::HashMap::new();
    for (_, project) in projects {
        for id in store_tasks::task_ids_in_open_list_order(exec, project).await? {
            let next = rank.len();
            rank.insert(id, next);
        }
    }
    tasks.sort_by_key(|t| rank.get(&id_of(t)).copied().unwrap_or(usize::MAX));
    Ok(tasks)
}

fn key_name(key: &str) -> &'static str {
    match key {
        "project_id" => "project_id",
        "task_type_id" => "task_type_id",
        _ => "task_status_id",
    }
}
