//! Zou's permission rules (`zou/app/utils/permissions.py` and
//! `user_service.check_*`): admins do everything; project data is for the
//! project's team; creating studio-wide objects is for admins.

use uuid::Uuid;

use super::user::{CurrentUser, Role};
use crate::error::{ApiError, ApiResult};
use fennec_store::db::Exec;
use fennec_store::links;

pub fn require_admin(user: &CurrentUser) -> ApiResult<()> {
    if user.is_admin() {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}

/// The caller as Zou sees him on a production: with the role his team
/// link sets there, if any (admin stays a global role, never a project one).
pub async fn on_project(
    exec: &mut impl Exec,
    user: &CurrentUser,
    project: Uuid,
) -> ApiResult<CurrentUser> {
    if user.is_admin() {
        return Ok(user.clone());
    }
    match links::team_role(exec, project, user.id).await? {
        Some(Some(role)) if role != "admin" => Ok(CurrentUser {
            role: Role::parse(&role),
            ..user.clone()
        }),
        _ => Ok(user.clone()),
    }
}

/// Zou's `check_project_access`: admins, or members of the project team.
pub async fn check_project_access(
    exec: &mut impl Exec,
    user: &CurrentUser,
    project_id: Uuid,
) -> ApiResult<()> {
    if user.is_admin()
        || links::PROJECT_TEAM
            .contains(exec, project_id, user.id)
            .await?
    {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}

/// Zou's `check_manager_project_access`: admins, or managers in the team.
pub async fn check_manager_project_access(
    exec: &mut impl Exec,
    user: &CurrentUser,
    project_id: Uuid,
) -> ApiResult<()> {
    if user.is_admin() {
        return Ok(());
    }
    let user = on_project(exec, user, project_id).await?;
    if user.role == Role::Manager
        && links::PROJECT_TEAM
            .contains(exec, project_id, user.id)
            .await?
    {
        return Ok(());
    }
    Err(ApiError::forbidden())
}

/// Zou's `check_supervisor_task_access` / `check_task_department_access`
/// for managing a task (update, assign): admins; managers of the project;
/// supervisors of the project whose departments include the task type's —
/// a supervisor in no department supervises them all.
pub async fn can_manage_task(
    exec: &mut impl Exec,
    user: &CurrentUser,
    project_id: Uuid,
    task_type_id: Option<Uuid>,
) -> ApiResult<bool> {
    if user.is_admin() {
        return Ok(true);
    }
    let user = &on_project(exec, user, project_id).await?;
    if !matches!(user.role, Role::Manager | Role::Supervisor) {
        return Ok(false);
    }
    if !links::PROJECT_TEAM
        .contains(exec, project_id, user.id)
        .await?
    {
        return Ok(false);
    }
    if user.role == Role::Manager
        || links::PERSON_DEPARTMENTS
            .rights(exec, user.id)
            .await?
            .is_empty()
    {
        return Ok(true);
    }
    let department = match task_type_id {
        Some(tt) => fennec_store::rows::get(exec, &fennec_api::models::TASK_TYPE, tt, false)
            .await?
            .and_then(|r| {
                r.get("department_id")
                    .and_then(|v| v.as_str())
                    .map(str::to_owned)
            })
            .and_then(|s| Uuid::parse_str(&s).ok()),
        None => None,
    };
    match department {
        None => Ok(true),
        Some(d) => Ok(links::PERSON_DEPARTMENTS.contains(exec, user.id, d).await?),
    }
}
