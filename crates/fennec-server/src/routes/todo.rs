//! To-do lists: the caller's (`/data/user/...`), a person's
//! (`/data/persons/{id}/...`) and the studio's open tasks, with the
//! denormalised keys Kitsu's to-do page reads.

use std::collections::HashMap;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use fennec_api::models;
use fennec_store::db::Exec;
use fennec_store::links;
use fennec_store::rows::{self, Filter, Row, Select};
use fennec_store::{tasks as store_tasks, SqlValue};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::user::Role;
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::{path_id, Path, QueryPairs};
use crate::generic_crud as crud;
use crate::present::{id_of, uuid_field};
use crate::task_rows::{field, flag, list_json, uuid_list, Lookups, TASK};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/data/user/tasks", get(user_tasks))
        .route("/data/user/done-tasks", get(user_done_tasks))
        .route("/data/persons/{id}/tasks", get(person_tasks))
        .route("/data/persons/{id}/done-tasks", get(person_done_tasks))
        .route("/data/tasks/open-tasks", get(open_tasks))
}

/// Which names the extra keys take: the to-do page's (`task_type_name`…)
/// or the open-tasks page's (`type_name`…).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Flavour {
    Todo,
    Open,
}

fn id_or_empty(v: Option<Uuid>) -> Value {
    // Zou's to-do rows give missing ids as "" rather than null.
    Value::String(v.map(|u| u.to_string()).unwrap_or_default())
}

/// What the to-do rows of many tasks need, fetched set-wise beforehand.
struct Batch {
    assignees: HashMap<Uuid, Vec<Uuid>>,
    last_comments: HashMap<Uuid, Value>,
}

impl Batch {
    async fn load(
        exec: &mut impl Exec,
        lookups: &mut Lookups,
        tasks: &[Row],
        flavour: Flavour,
    ) -> ApiResult<Batch> {
        let ids: Vec<Uuid> = tasks.iter().map(id_of).collect();
        // Entities, then their parents and sources, then grandparents.
        lookups
            .preload_entities(
                exec,
                tasks.iter().filter_map(|t| uuid_field(t, "entity_id")),
            )
            .await?;
        let parents: Vec<Uuid> = tasks
            .iter()
            .filter_map(|t| lookups.cached_entity(uuid_field(t, "entity_id")))
            .flat_map(|e| [uuid_field(e, "parent_id"), uuid_field(e, "source_id")])
            .flatten()
            .collect();
        lookups
            .preload_entities(exec, parents.iter().copied())
            .await?;
        let grand: Vec<Uuid> = parents
            .iter()
            .filter_map(|p| lookups.cached_entity(Some(*p)))
            .filter_map(|e| uuid_field(e, "parent_id"))
            .collect();
        lookups.preload_entities(exec, grand).await?;
        let assignees = links::TASK_ASSIGNEES.rights_of_many(exec, &ids).await?;
        let last_comments = if flavour == Flavour::Todo {
            last_comments(exec, &ids).await?
        } else {
            HashMap::new()
        };
        Ok(Batch {
            assignees,
            last_comments,
        })
    }
}

fn todo_row(lookups: &Lookups, batch: &Batch, mut r: Row, flavour: Flavour) -> Row {
    let project = lookups.cached_project(uuid_field(&r, "project_id"));
    let e = lookups.cached_entity(uuid_field(&r, "entity_id"));
    let kind = e
        .and_then(|e| e.get("type"))
        .and_then(Value::as_str)
        .unwrap_or("");
    // Zou's to-do query names the entity's parent `sequence_name` (for a
    // sequence that is its episode) and the parent's parent the episode.
    let parent = lookups.cached_entity(e.and_then(|e| uuid_field(e, "parent_id")));
    let (sequence, episode) = match kind {
        "Shot" | "Scene" => (
            parent,
            lookups.cached_entity(parent.and_then(|s| uuid_field(s, "parent_id"))),
        ),
        "Sequence" => (parent, parent),
        _ => (
            parent,
            lookups.cached_entity(e.and_then(|e| uuid_field(e, "source_id"))),
        ),
    };
    r.insert("project_name".into(), field(project, "name"));
    r.insert(
        "project_has_avatar".into(),
        json!(flag(project, "has_avatar")),
    );
    r.insert("entity_name".into(), field(e, "name"));
    r.insert("entity_description".into(), field(e, "description"));
    r.insert("entity_data".into(), field(e, "data"));
    r.insert(
        "entity_preview_file_id".into(),
        id_or_empty(e.and_then(|e| uuid_field(e, "preview_file_id"))),
    );
    r.insert(
        "entity_source_id".into(),
        id_or_empty(e.and_then(|e| uuid_field(e, "source_id"))),
    );
    let et_name = e
        .and_then(|e| uuid_field(e, "entity_type_id"))
        .and_then(|t| lookups.refs.entity_types.name(t))
        .map_or(Value::Null, |n| Value::String(n.to_owned()));
    r.insert("entity_type_name".into(), et_name);
    r.insert("entity_canceled".into(), json!(flag(e, "canceled")));
    r.insert("sequence_name".into(), field(sequence, "name"));
    r.insert("episode_id".into(), id_or_empty(episode.map(id_of)));
    r.insert("episode_name".into(), field(episode, "name"));
    let tt = lookups.task_type(&r).cloned();
    let st = lookups.status(&r).cloned();
    r.insert(
        "task_type_for_entity".into(),
        field(tt.as_ref(), "for_entity"),
    );
    let id = id_of(&r);
    let assignees = batch.assignees.get(&id).map_or(&[][..], Vec::as_slice);
    match flavour {
        Flavour::Todo => {
            for (k, v) in [
                ("task_estimation", "estimation"),
                ("task_duration", "duration"),
                ("task_start_date", "start_date"),
                ("task_due_date", "due_date"),
            ] {
                let value = field(Some(&r), v);
                r.insert(k.into(), value);
            }
            r.insert("task_type_name".into(), field(tt.as_ref(), "name"));
            r.insert("task_status_name".into(), field(st.as_ref(), "name"));
            r.insert("task_type_color".into(), field(tt.as_ref(), "color"));
            r.insert("task_status_color".into(), field(st.as_ref(), "color"));
            r.insert(
                "task_status_short_name".into(),
                field(st.as_ref(), "short_name"),
            );
            r.insert("assignees".into(), uuid_list(assignees));
            let last = batch
                .last_comments
                .get(&id)
                .cloned()
                .unwrap_or_else(|| json!({}));
            r.insert("last_comment".into(), last);
        }
        Flavour::Open => {
            r.insert("type_name".into(), field(tt.as_ref(), "name"));
            r.insert("status_name".into(), field(st.as_ref(), "name"));
            r.insert("type_color".into(), field(tt.as_ref(), "color"));
            r.insert("status_color".into(), field(st.as_ref(), "color"));
            r.insert("status_short_name".into(), field(st.as_ref(), "short_name"));
            r.insert("assignees".into(), uuid_list(assignees));
        }
    }
    r
}

/// The last comment of each task, one query per 500 tasks.
async fn last_comments(exec: &mut impl Exec, tasks: &[Uuid]) -> ApiResult<HashMap<Uuid, Value>> {
    let mut out = HashMap::new();
    for chunk in tasks.chunks(500) {
        let select = Select {
            filters: vec![Filter::In(
                "object_id",
                chunk.iter().map(|u| SqlValue::Uuid(*u)).collect(),
            )],
            order: rows::Order::Created,
            ..Default::default()
        };
        for c in rows::list(exec, &models::COMMENT, &select, false).await? {
            if let Some(task) = uuid_field(&c, "object_id") {
                out.insert(
                    task,
                    json!({"text": c["text"], "date": c["created_at"], "person_id": c["person_id"]}),
                );
            }
        }
    }
    Ok(out)
}

/// Tasks assigned to `person`, done or not, in open projects whose team
/// he is in (Zou's `get_person_tasks`).
async fn person_task_rows(exec: &mut impl Exec, person: Uuid, done: bool) -> ApiResult<Vec<Row>> {
    let ids = store_tasks::task_ids_for_person(exec, person).await?;
    let projects = links::PROJECT_TEAM.lefts(exec, person).await?;
    let open = fennec_store::defaults::project_status_id(exec, "Open").await?;
    let open_projects: Vec<SqlValue> = rows::list(
        exec,
        &models::PROJECT,
        &Select::default().filter(Filter::In(
            "id",
            projects.into_iter().map(SqlValue::Uuid).collect(),
        )),
        false,
    )
    .await?
    .into_iter()
    .filter(|p| open.is_none() || uuid_field(p, "project_status_id") == open)
    .map(|p| SqlValue::Uuid(id_of(&p)))
    .collect();
    let select = Select::default()
        .filter(Filter::In(
            "id",
            ids.into_iter().map(SqlValue::Uuid).collect(),
        ))
        .filter(Filter::In("project_id", open_projects));
    let list = rows::list(exec, TASK, &select, false).await?;
    let mut lookups = Lookups::load(exec).await?;
    let list: Vec<Row> = list
        .into_iter()
        .filter(|r| flag(lookups.status(r), "is_done") == done)
        .collect();
    lookups
        .preload_projects(
            exec,
            list.iter().filter_map(|t| uuid_field(t, "project_id")),
        )
        .await?;
    let batch = Batch::load(exec, &mut lookups, &list, Flavour::Todo).await?;
    Ok(list
        .into_iter()
        .map(|r| todo_row(&lookups, &batch, r, Flavour::Todo))
        .collect())
}

/// GET /data/user/tasks
async fn user_tasks(State(state): State<AppState>, user: CurrentUser) -> ApiResult<Json<Value>> {
    let mut conn = state.db.conn().await?;
    Ok(list_json(
        person_task_rows(&mut conn, user.id, false).await?,
    ))
}

/// GET /data/user/done-tasks
async fn user_done_tasks(
    State(state): State<AppState>,
    user: CurrentUser,
) -> ApiResult<Json<Value>> {
    let mut conn = state.db.conn().await?;
    Ok(list_json(person_task_rows(&mut conn, user.id, true).await?))
}

async fn person_list(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    done: bool,
) -> ApiResult<Json<Value>> {
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
        return Ok(list_json(vec![]));
    }
    let mut list = person_task_rows(&mut conn, id, done).await?;
    if !user.is_admin() && user.id != id {
        // Others see only the tasks of projects they share.
        let mine = crud::visible_projects(&mut conn, user).await?;
        list.retain(|r| uuid_field(r, "project_id").is_some_and(|p| mine.contains(&p)));
    }
    Ok(list_json(list))
}

/// GET /data/persons/{id}/tasks
async fn person_tasks(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    person_list(&state, &user, &id, false).await
}

/// GET /data/persons/{id}/done-tasks
async fn person_done_tasks(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
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
    let mut projects: Vec<Uuid> = rows::list(&mut conn, &models::PROJECT, &project_select, false)
        .await?
        .iter()
        .map(id_of)
        .collect();
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

fn key_name(key: &str) -> &'static str {
    match key {
        "project_id" => "project_id",
        "task_type_id" => "task_type_id",
        _ => "task_status_id",
    }
}
