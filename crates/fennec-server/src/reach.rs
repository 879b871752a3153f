//! What a caller reaches, row by row (Zou's `permissions_service` checks
//! on tasks, entities and comments): vendors reach the entities they hold
//! a task on, clients the comments meant for them, supervisors the tasks
//! of their departments.

use fennec_api::models::{self};
use fennec_store::db::Exec;
use fennec_store::rows::{self, Filter, Row, Select};
use fennec_store::tasks as store_tasks;
use fennec_store::SqlValue;
use serde_json::Value;
use uuid::Uuid;

use crate::auth::permissions::{can_manage_task, check_project_access};
use crate::auth::user::Role;
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::present::uuid_field;
use crate::task_rows::TASK;

/// The task, 404 when missing, with its project's access checked; and the
/// caller with his role on that project (Zou resolves it with the access).
pub(crate) async fn load_task(
    exec: &mut impl Exec,
    user: &CurrentUser,
    id: Uuid,
) -> ApiResult<(Row, CurrentUser)> {
    let row = rows::get(exec, TASK, id, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let mut user = user.clone();
    if let Some(p) = uuid_field(&row, "project_id") {
        check_project_access(exec, &user, p).await?;
        user = crate::auth::permissions::on_project(exec, &user, p).await?;
    }
    check_entity_access(exec, &user, uuid_field(&row, "entity_id")).await?;
    Ok((row, user))
}

/// Zou's `check_entity_access`: a vendor reaches only the entities he
/// holds a task on; anyone else, all of those of his projects.
pub(crate) async fn check_entity_access(
    exec: &mut impl Exec,
    user: &CurrentUser,
    entity: Option<Uuid>,
) -> ApiResult<()> {
    if user.role != Role::Vendor {
        return Ok(());
    }
    if vendor_entities(exec, user)
        .await?
        .contains(&entity.unwrap_or_default())
    {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}

/// The entities a vendor holds a task on.
pub(crate) async fn vendor_entities(
    exec: &mut impl Exec,
    user: &CurrentUser,
) -> ApiResult<Vec<Uuid>> {
    let ids = store_tasks::task_ids_for_person(exec, user.id).await?;
    let select = Select::default().filter(Filter::In(
        "id",
        ids.into_iter().map(SqlValue::Uuid).collect(),
    ));
    Ok(rows::list(exec, TASK, &select, false)
        .await?
        .iter()
        .filter_map(|t| uuid_field(t, "entity_id"))
        .collect())
}

/// Zou shows vendors only the tasks assigned to them: the filter that
/// restricts a task list for the caller, if any.
pub(crate) async fn vendor_filter(
    exec: &mut impl Exec,
    user: &CurrentUser,
) -> ApiResult<Option<Filter>> {
    if user.role != Role::Vendor {
        return Ok(None);
    }
    let ids = store_tasks::task_ids_for_person(exec, user.id).await?;
    Ok(Some(Filter::In(
        "id",
        ids.into_iter().map(SqlValue::Uuid).collect(),
    )))
}

/// May `user` act as a manager on this task (assign, log for others)?
pub(crate) async fn manages(
    exec: &mut impl Exec,
    user: &CurrentUser,
    task: &Row,
) -> ApiResult<bool> {
    let project = uuid_field(task, "project_id").unwrap_or_default();
    can_manage_task(exec, user, project, uuid_field(task, "task_type_id")).await
}

/// Who created the task's entity (Zou lets them act on its tasks).
pub(crate) async fn entity_created_by(exec: &mut impl Exec, task: &Row) -> ApiResult<Option<Uuid>> {
    let Some(entity) = uuid_field(task, "entity_id") else {
        return Ok(None);
    };
    Ok(rows::get(exec, &models::ENTITY, entity, false)
        .await?
        .and_then(|e| uuid_field(&e, "created_by")))
}

/// GET /data/tasks/{id}/comments — newest first, with a short person and
/// status as Kitsu's comment panel reads them.
/// Zou's `check_comment_access` for one comment: the task's project (and,
/// for vendors, the task) must be open to the caller; a client reads what
/// is meant for clients or written by a client (by himself only, when the
/// project isolates its clients); artists do not read clients' comments.
pub(crate) async fn check_comment_access(
    exec: &mut impl Exec,
    user: &CurrentUser,
    comment: &Row,
) -> ApiResult<()> {
    if user.is_admin() {
        return Ok(());
    }
    let task = uuid_field(comment, "object_id").ok_or_else(ApiError::not_found)?;
    let (task, user) = load_task(exec, user, task).await?;
    let user = &user;
    if matches!(user.role, Role::Manager | Role::Supervisor) {
        return Ok(());
    }
    let author_role = match uuid_field(comment, "person_id") {
        Some(p) => rows::get(exec, &models::PERSON, p, false)
            .await?
            .and_then(|p| p.get("role").and_then(Value::as_str).map(str::to_owned)),
        None => None,
    };
    let author_is_client = author_role.as_deref() == Some("client");
    if user.role != Role::Client {
        return if author_is_client {
            Err(ApiError::forbidden())
        } else {
            Ok(())
        };
    }
    let for_client = comment
        .get("for_client")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let project = uuid_field(&task, "project_id").unwrap_or_default();
    let isolated = rows::get(exec, &models::PROJECT, project, false)
        .await?
        .and_then(|p| p.get("is_clients_isolated").and_then(Value::as_bool))
        .unwrap_or(false);
    let is_author = uuid_field(comment, "person_id") == Some(user.id);
    if client_reads(isolated, for_client, is_author, author_is_client) {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}

/// Which comments a client reads (Zou): those meant for clients, his own,
/// and — unless the production isolates its clients — other clients'.
pub(crate) fn client_reads(
    isolated: bool,
    for_client: bool,
    is_author: bool,
    author_is_client: bool,
) -> bool {
    for_client || is_author || (!isolated && author_is_client)
}
