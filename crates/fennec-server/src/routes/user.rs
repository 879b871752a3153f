//! Zou's `user` blueprint: the caller's own view of the studio. What he
//! works on (the entities, tasks and task types of his assigned tasks in
//! open productions), what he checks (supervisors' and managers' "My
//! Checks"), his time, his saved searches and desktop logins, and the
//! context Kitsu's front end loads at start-up. Every answer is scoped to
//! the caller: Zou filters these lists, it never refuses them.
//!
//! The caller's to-do and done lists (`/data/user/tasks`, `done-tasks`)
//! and day offs live in `todo.rs` and `day_offs.rs`; chats and the avatar
//! are served elsewhere. Notifications and task subscriptions are read and
//! written by `notifications.rs`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use fennec_api::models;
use fennec_store::rows::{self, Row, Select};
use fennec_store::SqlValue;
use serde_json::Value;

use crate::app::AppState;
use crate::assigned_work;
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::{path_id, Path, QueryPairs, SchemaBody};
use crate::my_checks::{self, CheckArgs};
use crate::notifications;
use crate::search_filters::{self, filter_groups_of, filters_of, own_row};
use crate::user_context::{self, open_project_rows};
use crate::user_time::{self, day};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/data/user/context", get(context))
        .route("/data/user/projects/open", get(open_projects))
        .route(
            "/data/user/projects/{id}/asset-types",
            get(project_asset_types),
        )
        .route(
            "/data/user/projects/{id}/asset-types/{asset_type_id}/assets",
            get(asset_type_assets),
        )
        .route("/data/user/projects/{id}/sequences", get(project_sequences))
        .route("/data/user/projects/{id}/episodes", get(project_episodes))
        .route("/data/user/sequences/{id}/shots", get(sequence_shots))
        .route("/data/user/sequences/{id}/scenes", get(sequence_scenes))
        .route("/data/user/assets/{id}/tasks", get(asset_tasks))
        .route("/data/user/shots/{id}/tasks", get(shot_tasks))
        .route("/data/user/scenes/{id}/tasks", get(scene_tasks))
        .route("/data/user/sequences/{id}/tasks", get(sequence_tasks))
        .route("/data/user/assets/{id}/task-types", get(asset_task_types))
        .route("/data/user/shots/{id}/task-types", get(shot_task_types))
        .route("/data/user/scenes/{id}/task-types", get(scene_task_types))
        .route(
            "/data/user/sequences/{id}/task-types",
            get(sequence_task_types),
        )
        .route("/data/user/tasks-to-check", get(tasks_to_check))
        .route(
            "/data/user/tasks-to-check/filter-values",
            get(tasks_to_check_filter_values),
        )
        .route("/data/user/time-spents", get(time_spents))
        .route("/data/user/time-spents/{date}", get(date_time_spents))
        .route(
            "/data/user/tasks/{id}/time-spents/{date}",
            get(task_time_spent),
        )
        .route("/data/user/filters", get(filters).post(new_filter))
        .route(
            "/data/user/filters/{id}",
            axum::routing::put(update_filter).delete(remove_filter),
        )
        .route(
            "/data/user/filter-groups",
            get(filter_groups).post(new_filter_group),
        )
        .route(
            "/data/user/filter-groups/{id}",
            get(filter_group)
                .put(update_filter_group)
                .delete(remove_filter_group),
        )
        .route(
            "/data/user/desktop-login-logs",
            get(desktop_login_logs).post(new_desktop_login_log),
        )
        .route("/data/user/notifications", get(notifications))
        .route(
            "/data/user/notifications/{id}",
            get(notification).put(update_notification),
        )
        .route(
            "/actions/user/notifications/mark-all-as-read",
            axum::routing::post(mark_all_notifications_as_read),
        )
        .route("/data/user/tasks/{id}/subscribed", get(task_subscribed))
        .route(
            "/actions/user/tasks/{id}/subscribe",
            axum::routing::post(subscribe_to_task),
        )
        .route(
            "/actions/user/tasks/{id}/unsubscribe",
            axum::routing::delete(unsubscribe_from_task),
        )
}

// ---------------------------------------------------------------------
// The caller's assigned work.

fn array(list: Vec<Row>) -> Json<Value> {
    Json(Value::Array(list.into_iter().map(Value::Object).collect()))
}

/// GET /data/user/assets/{asset_id}/tasks
async fn asset_tasks(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let mut conn = s.db.conn().await?;
    Ok(array(
        assigned_work::tasks_for(&mut conn, &user, &id, "Asset").await?,
    ))
}

/// GET /data/user/shots/{shot_id}/tasks
async fn shot_tasks(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let mut conn = s.db.conn().await?;
    Ok(array(
        assigned_work::tasks_for(&mut conn, &user, &id, "Shot").await?,
    ))
}

/// GET /data/user/scenes/{scene_id}/tasks
async fn scene_tasks(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let mut conn = s.db.conn().await?;
    Ok(array(
        assigned_work::tasks_for(&mut conn, &user, &id, "Scene").await?,
    ))
}

/// GET /data/user/sequences/{sequence_id}/tasks
async fn sequence_tasks(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let mut conn = s.db.conn().await?;
    Ok(array(
        assigned_work::tasks_for(&mut conn, &user, &id, "Sequence").await?,
    ))
}

/// GET /data/user/assets/{asset_id}/task-types
async fn asset_task_types(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let mut conn = s.db.conn().await?;
    Ok(array(
        assigned_work::task_types_for(&mut conn, &user, &id, "Asset").await?,
    ))
}

/// GET /data/user/shots/{shot_id}/task-types
async fn shot_task_types(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let mut conn = s.db.conn().await?;
    Ok(array(
        assigned_work::task_types_for(&mut conn, &user, &id, "Shot").await?,
    ))
}

/// GET /data/user/scenes/{scene_id}/task-types
async fn scene_task_types(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let mut conn = s.db.conn().await?;
    Ok(array(
        assigned_work::task_types_for(&mut conn, &user, &id, "Scene").await?,
    ))
}

/// GET /data/user/sequences/{sequence_id}/task-types
async fn sequence_task_types(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let mut conn = s.db.conn().await?;
    Ok(array(
        assigned_work::task_types_for(&mut conn, &user, &id, "Sequence").await?,
    ))
}

/// GET /data/user/projects/{project_id}/asset-types — the asset types of
/// the assets the caller has a task on in the production.
async fn project_asset_types(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let mut conn = s.db.conn().await?;
    Ok(array(
        assigned_work::project_asset_types(&mut conn, &user, &id).await?,
    ))
}

/// GET /data/user/projects/{project_id}/asset-types/{asset_type_id}/assets
async fn asset_type_assets(
    State(s): State<AppState>,
    user: CurrentUser,
    Path((id, asset_type)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let mut conn = s.db.conn().await?;
    Ok(array(
        assigned_work::asset_type_assets(&mut conn, &user, &id, &asset_type).await?,
    ))
}

/// GET /data/user/projects/{project_id}/sequences — sequences holding a
/// shot the caller has a task on.
async fn project_sequences(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let mut conn = s.db.conn().await?;
    Ok(array(
        assigned_work::project_sequences(&mut conn, &user, &id).await?,
    ))
}

/// GET /data/user/projects/{project_id}/episodes — episodes holding a shot
/// the caller has a task on.
async fn project_episodes(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let mut conn = s.db.conn().await?;
    Ok(array(
        assigned_work::project_episodes(&mut conn, &user, &id).await?,
    ))
}

/// GET /data/user/sequences/{sequence_id}/shots
async fn sequence_shots(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let mut conn = s.db.conn().await?;
    Ok(array(
        assigned_work::sequence_children(&mut conn, &user, &id, "Shot").await?,
    ))
}

/// GET /data/user/sequences/{sequence_id}/scenes
async fn sequence_scenes(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let mut conn = s.db.conn().await?;
    Ok(array(
        assigned_work::sequence_children(&mut conn, &user, &id, "Scene").await?,
    ))
}

// ---------------------------------------------------------------------
// Open productions and the start-up context.

/// GET /data/user/projects/open
async fn open_projects(
    State(s): State<AppState>,
    user: CurrentUser,
    query: QueryPairs,
) -> ApiResult<Json<Value>> {
    let mut conn = s.db.conn().await?;
    Ok(array(
        open_project_rows(&mut conn, &user, query.get("name")).await?,
    ))
}

/// GET /data/user/context — what Kitsu loads at start-up, in Zou's key
/// order. Fennec has no model yet of custom actions, studios or plugins:
/// those parts take Zou's empty value.
async fn context(State(s): State<AppState>, user: CurrentUser) -> ApiResult<Json<Value>> {
    let mut conn = s.db.conn().await?;
    Ok(Json(
        user_context::context(&mut conn, &user, s.config.user_limit).await?,
    ))
}

// ---------------------------------------------------------------------
// Tasks to check (My Checks).

/// GET /data/user/tasks-to-check — the tasks waiting for the caller's
/// feedback; with `page`, Zou's envelope with stats.
async fn tasks_to_check(
    State(s): State<AppState>,
    user: CurrentUser,
    query: QueryPairs,
) -> ApiResult<Json<Value>> {
    let args = CheckArgs::read(&query)?;
    let mut conn = s.db.conn().await?;
    Ok(Json(
        my_checks::tasks_to_check(&s, &mut conn, &user, &args).await?,
    ))
}

/// GET /data/user/tasks-to-check/filter-values — the productions, task
/// types, statuses, episodes and assignees found among the tasks the
/// caller checks, each as sorted ids (Kitsu's My Checks filters).
async fn tasks_to_check_filter_values(
    State(s): State<AppState>,
    user: CurrentUser,
) -> ApiResult<Json<Value>> {
    let mut conn = s.db.conn().await?;
    Ok(Json(my_checks::filter_values(&mut conn, &user).await?))
}

// ---------------------------------------------------------------------
// Time spents.

/// GET /data/user/time-spents — with `start_date` and `end_date`, the
/// caller's time spents over the range with their task's production and
/// type. Without them Zou compares the date with NULL: always `[]`.
async fn time_spents(
    State(s): State<AppState>,
    user: CurrentUser,
    query: QueryPairs,
) -> ApiResult<Json<Value>> {
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
    let start = day(start_raw).map_err(|_| bad())?;
    let end = day(end_raw).map_err(|_| bad())?;
    let mut conn = s.db.conn().await?;
    Ok(array(
        user_time::time_spents_between(&mut conn, &user, start, end).await?,
    ))
}

/// GET /data/user/time-spents/{date}
async fn date_time_spents(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(date): Path<String>,
) -> ApiResult<Json<Value>> {
    let date = day(&date)?;
    let mut conn = s.db.conn().await?;
    let select = Select::default()
        .eq("person_id", SqlValue::Uuid(user.id))
        .eq("date", SqlValue::Date(date));
    Ok(array(
        rows::list(&mut conn, &models::TIME_SPENT, &select, false).await?,
    ))
}

/// GET /data/user/tasks/{task_id}/time-spents/{date} — the caller's time
/// on the task that day, or `null`.
async fn task_time_spent(
    State(s): State<AppState>,
    user: CurrentUser,
    Path((task, date)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let task = path_id(&task)?;
    let date = day(&date)?;
    let mut conn = s.db.conn().await?;
    let select = Select::default()
        .eq("person_id", SqlValue::Uuid(user.id))
        .eq("task_id", SqlValue::Uuid(task))
        .eq("date", SqlValue::Date(date));
    let found = rows::list(&mut conn, &models::TIME_SPENT, &select, false).await?;
    Ok(Json(
        found.into_iter().next().map_or(Value::Null, Value::Object),
    ))
}

// ---------------------------------------------------------------------
// Search filters and their groups.

/// GET /data/user/filters
async fn filters(State(s): State<AppState>, user: CurrentUser) -> ApiResult<Json<Value>> {
    let mut conn = s.db.conn().await?;
    Ok(Json(Value::Object(filters_of(&mut conn, &user).await?)))
}

/// GET /data/user/filter-groups
async fn filter_groups(State(s): State<AppState>, user: CurrentUser) -> ApiResult<Json<Value>> {
    let mut conn = s.db.conn().await?;
    Ok(Json(Value::Object(
        filter_groups_of(&mut conn, &user).await?,
    )))
}

/// POST /data/user/filters
async fn new_filter(
    State(s): State<AppState>,
    user: CurrentUser,
    SchemaBody(body): SchemaBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let row = search_filters::create_filter(&s.db, &user, &body).await?;
    Ok((StatusCode::CREATED, Json(Value::Object(row))))
}
/// PUT /data/user/filters/{filter_id}
async fn update_filter(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    SchemaBody(body): SchemaBody,
) -> ApiResult<Json<Value>> {
    let row = search_filters::update_filter(&s.db, &user, &id, &body).await?;
    Ok(Json(Value::Object(row)))
}

/// DELETE /data/user/filters/{filter_id}
async fn remove_filter(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    search_filters::remove_filter(&s.db, &user, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// POST /data/user/filter-groups
async fn new_filter_group(
    State(s): State<AppState>,
    user: CurrentUser,
    SchemaBody(body): SchemaBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let row = search_filters::create_group(&s.db, &user, &body).await?;
    Ok((StatusCode::CREATED, Json(Value::Object(row))))
}

/// GET /data/user/filter-groups/{filter_group_id}
async fn filter_group(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let mut conn = s.db.conn().await?;
    let row = own_row(&mut conn, &user, &models::SEARCH_FILTER_GROUP, &id).await?;
    Ok(Json(Value::Object(row)))
}

/// PUT /data/user/filter-groups/{filter_group_id} — a change of sharing
/// carries over to the group's filters, which must stay as shared as
/// their group.
async fn update_filter_group(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    SchemaBody(body): SchemaBody,
) -> ApiResult<Json<Value>> {
    let row = search_filters::update_group(&s.db, &user, &id, &body).await?;
    Ok(Json(Value::Object(row)))
}

/// DELETE /data/user/filter-groups/{filter_group_id} — with its filters,
/// whoever owns them.
async fn remove_filter_group(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    search_filters::remove_group(&s.db, &user, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------------
// Desktop login logs.

/// GET /data/user/desktop-login-logs — newest first.
async fn desktop_login_logs(
    State(s): State<AppState>,
    user: CurrentUser,
) -> ApiResult<Json<Value>> {
    let mut conn = s.db.conn().await?;
    Ok(array(user_time::desktop_logins(&mut conn, &user).await?))
}

/// POST /data/user/desktop-login-logs — `date` from the body or the query
/// (now when absent); the person's last presence follows, as in Zou.
async fn new_desktop_login_log(
    State(s): State<AppState>,
    user: CurrentUser,
    query: QueryPairs,
    SchemaBody(body): SchemaBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let given = query
        .get("date")
        .map(|v| Value::String(v.to_owned()))
        .or_else(|| body.get("date").cloned());
    let row = user_time::record_login(&s.db, &user, given).await?;
    Ok((StatusCode::CREATED, Json(Value::Object(row))))
}

// ---------------------------------------------------------------------
// Notifications and task subscriptions.

/// GET /data/user/notifications — the caller's newest 100, with Zou's
/// filters (`after`, `before`, `task_type_id`, `task_status_id`, `type`,
/// `read`, `watching`).
async fn notifications(
    State(s): State<AppState>,
    user: CurrentUser,
    query: QueryPairs,
) -> ApiResult<Json<Value>> {
    let q = notifications::notification_query(&query)?;
    let mut conn = s.db.conn().await?;
    Ok(Json(Value::Array(
        notifications::notifications_of(&mut conn, &user, &q).await?,
    )))
}

/// GET /data/user/notifications/{notification_id}
async fn notification(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let mut conn = s.db.conn().await?;
    Ok(Json(
        notifications::notification_of(&mut conn, &user, &id).await?,
    ))
}

/// PUT /data/user/notifications/{notification_id} `{"read": bool}` — the
/// plain notification row.
async fn update_notification(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    SchemaBody(body): SchemaBody,
) -> ApiResult<Json<Value>> {
    let id = path_id(&id)?;
    let mut tx = s.db.begin().await?;
    let row = notifications::set_read(&mut tx, &user, id, &body).await?;
    tx.commit().await?;
    Ok(Json(Value::Object(row)))
}

/// POST /actions/user/notifications/mark-all-as-read
async fn mark_all_notifications_as_read(
    State(s): State<AppState>,
    user: CurrentUser,
) -> ApiResult<Json<Value>> {
    let mut tx = s.db.begin().await?;
    notifications::mark_all_read(&mut tx, &user).await?;
    tx.commit().await?;
    Ok(Json(serde_json::json!({"success": true})))
}

/// GET /data/user/tasks/{task_id}/subscribed — `true` or `false`.
async fn task_subscribed(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let mut conn = s.db.conn().await?;
    Ok(Json(Value::Bool(
        notifications::is_subscribed(&mut conn, &user, &id).await?,
    )))
}

/// POST /actions/user/tasks/{task_id}/subscribe — the subscription, 201.
async fn subscribe_to_task(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let id = path_id(&id)?;
    let mut tx = s.db.begin().await?;
    let row = notifications::subscribe(&mut tx, &user, id).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Value::Object(row))))
}

/// DELETE /actions/user/tasks/{task_id}/unsubscribe — 204, subscribed or not.
async fn unsubscribe_from_task(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let mut tx = s.db.begin().await?;
    notifications::unsubscribe(&mut tx, &user, &id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
