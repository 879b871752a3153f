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
    if user.role == Role::Manager
        && links::PROJECT_TEAM
            .contains(exec, project_id, user.id)
            .await?
    {
        return Ok(());
    }
    Err(ApiError::forbidden())
}
