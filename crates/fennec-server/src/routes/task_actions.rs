//! Zou's task actions: assigning, status changes through comments, time
//! spents. Each is one transaction: a failing step leaves nothing behind.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use fennec_api::models;
use fennec_store::links;
use fennec_store::rows::{self, Select};
use fennec_store::{tasks as store_tasks, SqlValue};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::user::Role;
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::{path_id, IdListBody, Path, QueryPairs, SchemaBody};
use crate::present::{id_of, uuid_field};
use crate::reach::{client_reads, load_task, manages};
use crate::task_rows::{list_json, task_col, with_assignees_in_place, Lookups, TASK};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/actions/persons/{id}/assign", put(assign))
        .route(
            "/data/projects/{id}/notifications",
            get(project_notifications),
        )
        .route(
            "/data/projects/{id}/subscriptions",
            get(project_subscriptions),
        )
        .route("/actions/tasks/{id}/comment", post(comment))
        .route("/data/tasks/{id}/comments", get(task_comments))
        .route("/actions/tasks/{id}/time-spents", get(time_spents))
        .route(
            "/actions/tasks/{id}/time-spents/{date}",
            get(time_spents_on),
        )
        .route(
            "/actions/tasks/{id}/time-spents/{date}/persons/{person_id}",
            post(set_time_spent).delete(delete_time_spent),
        )
        .route(
            "/actions/projects/{id}/delete-tasks",
            post(delete_project_tasks),
        )
        .route(
            "/actions/projects/{id}/task-types/{type_id}/delete-tasks",
            delete(delete_tasks_of_type),
        )
        .route(
            "/actions/tasks/{id}/time-spents/{date}/persons/{person_id}/add",
            post(add_time_spent),
        )
}

/// PUT /actions/persons/{id}/assign `{"task_ids": [...]}` — the updated
/// tasks; unknown ids and tasks the caller may not assign are skipped.
async fn assign(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(person): Path<String>,
    SchemaBody(body): SchemaBody,
) -> ApiResult<Json<Value>> {
    let task_ids = match body.get("task_ids") {
        Some(Value::Array(ids)) if ids.is_empty() => {
            return Err(ApiError::validation(vec![(
                "task_ids".into(),
                "List should have at least 1 item after validation, not 0".into(),
            )]))
        }
        Some(Value::Array(ids)) if ids.iter().any(|i| !i.is_string()) => {
            return Err(ApiError::validation(
                ids.iter()
                    .enumerate()
                    .filter(|(_, i)| !i.is_string())
                    .map(|(n, _)| {
                        (
                            format!("task_ids.{n}"),
                            "Input should be a valid string".into(),
                        )
                    })
                    .collect(),
            ))
        }
        Some(Value::Array(ids)) => ids,
        None => {
            return Err(ApiError::validation(vec![(
                "task_ids".into(),
                "Field required".into(),
            )]))
        }
        Some(_) => {
            return Err(ApiError::validation(vec![(
                "task_ids".into(),
                "Input should be a valid list".into(),
            )]))
        }
    };
    let mut tx = state.db.begin().await?;
    let person = Uuid::parse_str(&person).ok();
    let exists = match person {
        Some(p) => rows::get(&mut tx, &models::PERSON, p, false)
            .await?
            .is_some(),
        None => false,
    };
    let Some(person) = person.filter(|_| exists) else {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            json!({"error": "Assignee doesn't exist in database."}),
        ));
    };
    let mut out = Vec::new();
    for id in task_ids {
        let Some(id) = id.as_str().and_then(|s| Uuid::parse_str(s).ok()) else {
            continue;
        };
        let Some(task) = rows::get(&mut tx, TASK, id, false).await? else {
            continue;
        };
        if !manages(&mut tx, &user, &task).await? {
            continue;
        }
        links::TASK_ASSIGNEES.add(&mut tx, id, person).await?;
        crate::notifications::on_assign(&mut tx, id, person, user.id).await?;
        crate::events::task_assigned(&mut tx, user.id, &task, person).await?;
        let row = rows::update(
            &mut tx,
            TASK,
            id,
            vec![(task_col("assigner_id"), SqlValue::Uuid(user.id))],
        )
        .await?
        .ok_or_else(ApiError::not_found)?;
        out.push(with_assignees_in_place(&mut tx, row).await?);
    }
    tx.commit().await?;
    Ok(list_json(out))
}

/// POST /actions/tasks/{id}/comment — a comment, and the status change it
/// carries (Zou's `create_comment` + `update_task_status`).
async fn comment(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    body: crate::comments::FormBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let id = path_id(&id)?;
    let mut input = crate::comments::parse_input(&body.fields)?;
    input.mentioned_may_answer = true;
    let mut tx = state.db.begin().await?;
    let (mut out, created) = crate::comments::create_comment(&mut tx, &user, id, input).await?;
    // gazu sends a comment with files as a multipart form: every file part
    // is an attachment (Zou's create_comment passes request.files on).
    if !body.files.is_empty() {
        let files = crate::attachments::add_to_comment(
            &mut tx,
            &state.media,
            created.comment_id,
            &body.files,
        )
        .await?;
        out.insert("attachment_files".into(), Value::Array(files));
    }
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Value::Object(out))))
}

async fn task_comments(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let id = path_id(&id)?;
    let mut conn = state.db.conn().await?;
    let (task, user) = load_task(&mut conn, &user, id).await?;
    let is_client = user.role == Role::Client;
    let isolated = if is_client {
        let project = uuid_field(&task, "project_id").unwrap_or_default();
        rows::get(&mut conn, &models::PROJECT, project, false)
            .await?
            .and_then(|p| p.get("is_clients_isolated").and_then(Value::as_bool))
            .unwrap_or(false)
    } else {
        false
    };
    // Zou hides from artists and vendors what clients wrote (their role on
    // the production, else their global one).
    let hides_clients = matches!(user.role, Role::User | Role::Vendor);
    let team_roles = if hides_clients {
        let project = uuid_field(&task, "project_id").unwrap_or_default();
        links::team_roles(&mut conn, project).await?
    } else {
        Default::default()
    };
    let lookups = Lookups::cached(&state, &mut conn).await?;
    let select = Select::default().eq("object_id", SqlValue::Uuid(id));
    let mut list = rows::list(&mut conn, &models::COMMENT, &select, false).await?;
    list.reverse();
    let comment_ids: Vec<_> = list.iter().map(crate::present::id_of).collect();
    let mut preview_map =
        fennec_store::previews::previews_of_comments(&mut conn, &comment_ids, is_client).await?;
    let mut out = Vec::with_capacity(list.len());
    for mut c in list {
        let previews = preview_map
            .remove(&crate::present::id_of(&c))
            .unwrap_or_default();
        let mut blanked = false;
        let mut person = match uuid_field(&c, "person_id") {
            Some(p) => rows::get(&mut conn, &models::PERSON, p, false).await?,
            None => None,
        };
        if hides_clients {
            let author = uuid_field(&c, "person_id").unwrap_or_default();
            let role = team_roles
                .get(&author)
                .map(String::as_str)
                .or_else(|| person.as_ref().and_then(|p| p["role"].as_str()));
            if role == Some("client") {
                continue;
            }
        }
        if is_client {
            // Zou shows clients the comments meant for them, their own
            // (isolated projects) or other clients' — and hides who of the
            // studio wrote the rest.
            let author_is_client =
                person.as_ref().and_then(|p| p["role"].as_str()) == Some("client");
            let is_author = uuid_field(&c, "person_id") == Some(user.id);
            let for_client = c
                .get("for_client")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            // A revision's comment is kept for its previews, blanked
            // (Zou's get_comments for clients).
            if !previews.is_empty() && !author_is_client && !for_client {
                blanked = true;
            } else if !client_reads(isolated, for_client, is_author, author_is_client) {
                continue;
            }
            if !author_is_client {
                person = None;
            }
        }
        let short_person = person.map_or(Value::Null, |p| crate::present::short_person(&p));
        let short_status = uuid_field(&c, "task_status_id")
            .and_then(|s| lookups.refs.statuses.get(&s))
            .map_or(Value::Null, |s| {
                json!({"name": s["name"], "short_name": s["short_name"], "color": s["color"], "id": s["id"]})
            });
        c.insert("person".into(), short_person);
        c.insert("task_status".into(), short_status);
        for k in [
            "acknowledgements",
            "previews",
            "mentions",
            "department_mentions",
            "attachment_files",
        ] {
            c.insert(k.into(), json!([]));
        }
        let comment_id = crate::present::id_of(&c);
        for (k, v) in crate::comments::relation_ids(&mut conn, comment_id).await? {
            c.insert(k.into(), v);
        }
        // Zou's build_attachment_map_for_comments: the files in short, with
        // their reply, where the other reads list ids.
        let mut files = crate::attachments::map_for_comments(&mut conn, &[comment_id]).await?;
        c.insert(
            "attachment_files".into(),
            Value::Array(files.remove(&comment_id).unwrap_or_default()),
        );
        c.insert("previews".into(), Value::Array(previews));
        if blanked {
            c.insert("text".into(), json!(""));
            for k in ["attachment_files", "checklist", "replies"] {
                c.insert(k.into(), json!([]));
            }
        }
        crate::comments::embed_reply_authors(&mut conn, &mut c).await?;
        out.push(c);
    }
    Ok(list_json(out))
}

fn parse_path_date(s: &str) -> ApiResult<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(s, fennec_api::time::DATE_FORMAT)
        .map_err(|_| ApiError::bad_request("Invalid date format."))
}

/// The `duration` of a time-spent body, validated as Zou's pydantic model.
fn duration_of(body: &Map<String, Value>) -> ApiResult<f64> {
    let err = |m: &str| ApiError::validation(vec![("duration".into(), m.into())]);
    let d = match body.get("duration") {
        None => return Err(err("Field required")),
        Some(Value::Number(n)) => n.as_f64().unwrap_or(f64::NAN),
        Some(Value::String(s)) => s.trim().parse::<f64>().map_err(|_| {
            err("Input should be a valid number, unable to parse string as a number")
        })?,
        Some(_) => return Err(err("Input should be a valid number")),
    };
    if !d.is_finite() {
        return Err(err("Input should be a finite number"));
    }
    if d <= 0.0 {
        return Err(err("Input should be greater than 0"));
    }
    Ok(d)
}

async fn write_time_spent(
    state: &AppState,
    user: &CurrentUser,
    (task, date, person): (String, String, String),
    body: Map<String, Value>,
    replace: bool,
) -> ApiResult<(StatusCode, Json<Value>)> {
    // Zou's order: the task and the person (404), the body, the right to
    // log, and only then the date.
    let task = Uuid::parse_str(&task).map_err(|_| ApiError::not_found())?;
    let person = Uuid::parse_str(&person).map_err(|_| ApiError::not_found())?;
    let mut tx = state.db.begin().await?;
    // The task's read just below answers 404 for a missing one.
    store_tasks::lock_for_update(&mut tx, task).await?;
    let task_row = rows::get(&mut tx, TASK, task, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    rows::get(&mut tx, &models::PERSON, person, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let minutes = duration_of(&body)?;
    // Zou's check_time_spent_access: time goes only to an assignee of the
    // task, logged by himself, an admin, or a manager of the project.
    let project = uuid_field(&task_row, "project_id").unwrap_or_default();
    let user = &crate::auth::permissions::on_project(&mut tx, user, project).await?;
    let assigned = links::TASK_ASSIGNEES
        .contains(&mut tx, task, person)
        .await?;
    let may_log = person == user.id
        || user.is_admin()
        || (user.role == Role::Manager
            && links::PROJECT_TEAM
                .contains(&mut tx, project, user.id)
                .await?);
    if !assigned || !may_log {
        return Err(ApiError::forbidden());
    }
    let date = parse_path_date(&date)?;
    // Zou's set/add_time_spent: `time-spent:update` for a day already
    // logged, else `time-spent:new`, then the task's `task:update` (its
    // duration changed). The task is locked: the day cannot appear meanwhile.
    let same_day = Select::default()
        .eq("task_id", SqlValue::Uuid(task))
        .eq("person_id", SqlValue::Uuid(person))
        .eq("date", SqlValue::Date(date));
    let name = if rows::count(&mut tx, &models::TIME_SPENT, &same_day.filters).await? > 0 {
        "time-spent:update"
    } else {
        "time-spent:new"
    };
    let row = store_tasks::upsert_time_spent(&mut tx, task, person, date, minutes, replace).await?;
    let data = json!({ "time_spent_id": row.get("id").cloned().unwrap_or(Value::Null) });
    crate::events::emit(&mut tx, Some(user.id), name, data, Some(project)).await?;
    crate::events::task_updated(&mut tx, Some(user.id), task, Some(project)).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Value::Object(row))))
}

/// POST /actions/tasks/{id}/time-spents/{date}/persons/{person_id}
async fn set_time_spent(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(p): Path<(String, String, String)>,
    SchemaBody(body): SchemaBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    write_time_spent(&state, &user, p, body, true).await
}

/// POST /actions/tasks/{id}/time-spents/{date}/persons/{person_id}/add
async fn add_time_spent(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(p): Path<(String, String, String)>,
    SchemaBody(body): SchemaBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    write_time_spent(&state, &user, p, body, false).await
}

/// DELETE /actions/tasks/{id}/time-spents/{date}/persons/{person_id} —
/// gazu's day-time removal. Zou answers the removed time spent, its
/// duration zeroed, with a 201; the task's duration follows.
async fn delete_time_spent(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((task, date, person)): Path<(String, String, String)>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let task = path_id(&task)?;
    let person = path_id(&person)?;
    let mut tx = state.db.begin().await?;
    // Zou's check_person_is_not_bot comes first: an unknown person is 404.
    let who = rows::get(&mut tx, &models::PERSON, person, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if who.get("is_bot").and_then(Value::as_bool) == Some(true) {
        return Err(ApiError::forbidden());
    }
    let task_row = rows::get(&mut tx, &models::TASK, task, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    crate::deletion::check_time_spent_access(&mut tx, &user, &task_row, person).await?;
    let date = chrono::NaiveDate::parse_from_str(&date, "%Y-%m-%d")
        .map_err(|_| ApiError::bad_request("Invalid date format."))?;
    store_tasks::lock_task(&mut tx, task).await?;
    let select = Select::default()
        .eq("task_id", SqlValue::Uuid(task))
        .eq("person_id", SqlValue::Uuid(person))
        .eq("date", SqlValue::Date(date));
    let mut row = rows::list(&mut tx, &models::TIME_SPENT, &select, false)
        .await?
        .pop()
        .ok_or_else(ApiError::not_found)?;
    rows::delete(&mut tx, &models::TIME_SPENT, id_of(&row)).await?;
    store_tasks::recompute_duration(&mut tx, task).await?;
    // Zou's delete_time_spent: `time-spent:delete`, then `task:update`.
    let project = uuid_field(&task_row, "project_id");
    let data = json!({ "time_spent_id": row.get("id").cloned().unwrap_or(Value::Null) });
    crate::events::emit(&mut tx, Some(user.id), "time-spent:delete", data, project).await?;
    crate::events::task_updated(&mut tx, Some(user.id), task, project).await?;
    tx.commit().await?;
    row.insert("duration".into(), json!(0.0));
    Ok((StatusCode::CREATED, Json(Value::Object(row))))
}

/// POST /actions/projects/{id}/delete-tasks — gazu's `remove_tasks_batch`:
/// answers the ids it was sent.
async fn delete_project_tasks(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(project): Path<String>,
    IdListBody(ids): IdListBody,
) -> ApiResult<Json<Value>> {
    let project = path_id(&project)?;
    let mut tx = state.db.begin().await?;
    let (sent, gone) = crate::deletion::remove_project_tasks(&mut tx, &user, project, &ids).await?;
    crate::deletion::commit(&state, tx, user.id, gone).await?;
    Ok(Json(Value::from(sent)))
}

/// DELETE /actions/projects/{id}/task-types/{type_id}/delete-tasks — an
/// admin removes every task of one type in a production.
async fn delete_tasks_of_type(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((project, task_type)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    crate::auth::permissions::require_admin(&user)?;
    let project = path_id(&project)?;
    let task_type = path_id(&task_type)?;
    let mut tx = state.db.begin().await?;
    rows::get(&mut tx, &models::PROJECT, project, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let gone = fennec_store::cascade::remove_tasks(
        &mut tx,
        fennec_store::cascade::Tasks::OfProjectAndType(project, task_type),
    )
    .await?;
    crate::deletion::commit(&state, tx, user.id, gone).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn read_time_spents(
    state: &AppState,
    user: &CurrentUser,
    task: &str,
    date: Option<&str>,
) -> ApiResult<Json<Value>> {
    let task = path_id(task)?;
    // Zou answers a 500 for a bad date here; a client mistake is a 400.
    let date = date.map(parse_path_date).transpose()?;
    let mut conn = state.db.conn().await?;
    load_task(&mut conn, user, task).await?;
    let mut select = Select::default().eq("task_id", SqlValue::Uuid(task));
    if let Some(d) = date {
        select = select.eq("date", SqlValue::Date(d));
    }
    let list = rows::list(&mut conn, &models::TIME_SPENT, &select, false).await?;
    let mut out = Map::new();
    let total: f64 = list
        .iter()
        .filter_map(|r| r.get("duration").and_then(Value::as_f64))
        .sum();
    out.insert("total".into(), json!(total));
    for r in list {
        let person = r
            .get("person_id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let entry = out.entry(person).or_insert_with(|| json!([]));
        if let Value::Array(items) = entry {
            items.push(Value::Object(r));
        }
    }
    Ok(Json(Value::Object(out)))
}

/// GET /actions/tasks/{id}/time-spents
async fn time_spents(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(task): Path<String>,
) -> ApiResult<Json<Value>> {
    read_time_spents(&state, &user, &task, None).await
}

/// GET /actions/tasks/{id}/time-spents/{date}
async fn time_spents_on(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((task, date)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    read_time_spents(&state, &user, &task, Some(&date)).await
}

/// GET /data/projects/{project_id}/notifications (admins) — every
/// notification on the production's tasks, or a page with `page`.
async fn project_notifications(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    query: QueryPairs,
) -> ApiResult<Json<Value>> {
    let id = path_id(&id)?;
    let mut conn = state.db.conn().await?;
    Ok(Json(
        crate::notifications::project_notifications(&mut conn, &user, id, &query).await?,
    ))
}

/// GET /data/projects/{project_id}/subscriptions (admins)
async fn project_subscriptions(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let id = path_id(&id)?;
    let mut conn = state.db.conn().await?;
    Ok(list_json(
        crate::notifications::project_subscriptions(&mut conn, &user, id).await?,
    ))
}
