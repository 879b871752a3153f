//! Deletes as Zou answers them: who may delete what, which of Zou's
//! removals runs (`fennec_store::cascade` holds the rules), and the answer
//! for each outcome. Shared by the generic `/data/<model>/<id>` route and
//! the routes that delete in bulk.
//!
//! The removals name the stored files of the previews and attachments they
//! took ([`GoneFiles`]); [`commit`] removes them once the transaction has
//! committed, never before, so that a refused or rolled-back delete keeps
//! its files.

use axum::http::StatusCode;
use fennec_api::error as msg;
use fennec_api::models;
use fennec_store::cascade::{self, GoneFiles, Removal, Tasks};
use fennec_store::rows::{self, Row};
use fennec_store::Tx;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::permissions::{self, check_manager_project_access, check_project_access};
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::present::{id_of, uuid_field};

/// Commits a delete's transaction, then removes the files of the rows it
/// took. The tasks it removed and did not announce yet get their
/// `task:delete` first, in the transaction ([`announce_tasks`]).
pub async fn commit(
    state: &AppState,
    mut tx: Tx,
    author: Uuid,
    mut gone: GoneFiles,
) -> ApiResult<()> {
    announce_tasks(&mut tx, author, &mut gone).await?;
    tx.commit().await?;
    remove_files(state, gone).await;
    Ok(())
}

/// Zou's `task:delete` (`{"task_id", "entity_id", "task_type_id"}` and the
/// production), which its `remove_task` emits for every task it removes:
/// alone, in the bulk deletions, and with an entity or a production.
/// Announced tasks leave `gone`, so a caller can announce them before its
/// own event, in Zou's order.
pub async fn announce_tasks(tx: &mut Tx, author: Uuid, gone: &mut GoneFiles) -> ApiResult<()> {
    let s = |u: Option<Uuid>| u.map_or(Value::Null, |u| Value::String(u.to_string()));
    for t in std::mem::take(&mut gone.tasks) {
        let data = json!({
            "task_id": t.id.to_string(),
            "entity_id": s(t.entity_id),
            "task_type_id": s(t.task_type_id),
        });
        crate::events::emit(tx, Some(author), "task:delete", data, t.project_id).await?;
    }
    Ok(())
}

/// Removes the stored files of removed previews, attachments and playlist
/// builds, a few at a time. As Zou's `_remove_files_quietly`, a file that cannot be removed
/// is logged and left: the rows are gone and nothing serves it any more.
pub async fn remove_files(state: &AppState, gone: GoneFiles) {
    use futures_util::StreamExt;
    if gone.is_empty() {
        return;
    }
    futures_util::stream::iter(gone.previews)
        .for_each_concurrent(8, |(id, _)| crate::preview_files::remove_files(state, id))
        .await;
    crate::attachments::remove_files(&state.media, &gone.attachments).await;
    for job in gone.build_jobs {
        crate::playlist_movie::remove_file(&state.media, job).await;
    }
}

/// Which of Zou's entity resources a delete goes through: each has its own
/// removal (the generic `/data/entities/<id>` only deletes a bare row).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntityRoute {
    /// Shots, assets, edits and concepts: canceled while they have tasks.
    Leaf,
    Scene,
    Sequence,
    Episode,
    /// `/data/entities/<id>`: Zou's base CRUD delete.
    Generic,
}

impl EntityRoute {
    /// The route of `/data/<name>/<id>`.
    pub fn of(name: &str) -> EntityRoute {
        match name {
            "shots" | "assets" | "edits" | "concepts" => EntityRoute::Leaf,
            "scenes" => EntityRoute::Scene,
            "sequences" => EntityRoute::Sequence,
            "episodes" => EntityRoute::Episode,
            _ => EntityRoute::Generic,
        }
    }
}

/// Zou's entity delete rights: whoever created the entity, or the
/// production's managers. (Zou inverts the creator test for sequences,
/// which lets anyone delete a sequence someone else made; Fennec applies
/// the same rule to every kind.)
async fn check_entity_delete(tx: &mut Tx, user: &CurrentUser, entity: &Row) -> ApiResult<()> {
    let project = uuid_field(entity, "project_id").unwrap_or_default();
    if uuid_field(entity, "created_by") == Some(user.id) {
        check_project_access(tx, user, project).await
    } else {
        check_manager_project_access(tx, user, project).await
    }
}

fn still_linked(what: &str) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        json!({"error": true, "message": format!("Some data are still linked to this {what}.")}),
    )
}

/// DELETE of an entity through `route`, with Zou's `force`. Answers the
/// event action Zou sends for it: `update` for an entity only canceled
/// (its remove_shot and siblings; a scene is announced deleted either
/// way), else `delete`.
pub async fn remove_entity(
    tx: &mut Tx,
    user: &CurrentUser,
    entity: &Row,
    route: EntityRoute,
    force: bool,
) -> ApiResult<(&'static str, GoneFiles)> {
    check_entity_delete(tx, user, entity).await?;
    let id = id_of(entity);
    let descendants = match route {
        EntityRoute::Sequence | EntityRoute::Episode if force => {
            forced_descendants(tx, route, id).await?
        }
        _ => Vec::new(),
    };
    let (outcome, mut gone) = match route {
        EntityRoute::Leaf => cascade::remove_leaf(tx, id, force).await?,
        EntityRoute::Scene => (cascade::remove_scene(tx, id).await?, GoneFiles::default()),
        EntityRoute::Sequence => cascade::remove_sequence(tx, id, force).await?,
        EntityRoute::Episode => cascade::remove_episode(tx, id, force).await?,
        EntityRoute::Generic => (
            cascade::remove_if_unlinked(tx, id).await?,
            GoneFiles::default(),
        ),
    };
    if !descendants.is_empty() && outcome != Removal::StillLinked {
        // What went with it, after the removed tasks' `task:delete`: each
        // shot's `shot:delete`, scene's `scene:delete` (Zou announces a
        // scene deleted even when only canceled), sequence's and asset's.
        announce_tasks(tx, user.id, &mut gone).await?;
        for row in &descendants {
            crate::events::crud(tx, user.id, &models::ENTITY, "delete", row).await?;
        }
    }
    match (outcome, route) {
        (Removal::StillLinked, EntityRoute::Sequence) => Err(still_linked("sequence")),
        (Removal::StillLinked, EntityRoute::Episode) => Err(still_linked("episode")),
        (Removal::StillLinked, _) => Err(ApiError::bad_request_message(msg::REFERENCE_CONFLICT)),
        (Removal::Canceled, r) if r != EntityRoute::Scene => Ok(("update", gone)),
        _ => Ok(("delete", gone)),
    }
}

/// The entities a forced sequence or episode removal takes with it, in the
/// order Zou's `remove_sequence` and `remove_episode` announce them: a
/// sequence's shots, then its scenes, then (for an episode) the sequence
/// itself; an episode's sequences in turn, then the assets it is the
/// source of.
async fn forced_descendants(tx: &mut Tx, route: EntityRoute, id: Uuid) -> ApiResult<Vec<Row>> {
    let types = crate::present::EntityTypes::load(tx).await?;
    let mut out = Vec::new();
    let sequences = if route == EntityRoute::Episode {
        children(tx, "parent_id", id).await?
    } else {
        Vec::new()
    };
    let sequence_ids: Vec<Uuid> = if route == EntityRoute::Episode {
        sequences.iter().map(id_of).collect()
    } else {
        vec![id]
    };
    for (n, sequence) in sequence_ids.into_iter().enumerate() {
        let mut below = children(tx, "parent_id", sequence).await?;
        below.retain(|r| {
            uuid_field(r, "entity_type_id")
                .is_some_and(|t| matches!(types.kind(t), "Shot" | "Scene"))
        });
        // Stable: shots first, then scenes, each in creation order.
        below.sort_by_key(|r| uuid_field(r, "entity_type_id").map(|t| types.kind(t) != "Shot"));
        out.extend(below);
        if let Some(row) = sequences.get(n) {
            out.push(row.clone());
        }
    }
    if route == EntityRoute::Episode {
        out.extend(children(tx, "source_id", id).await?);
    }
    Ok(out)
}

async fn children(tx: &mut Tx, key: &'static str, id: Uuid) -> ApiResult<Vec<Row>> {
    let select = rows::Select::default().eq(key, fennec_store::SqlValue::Uuid(id));
    Ok(rows::list(tx, &models::ENTITY, &select, false).await?)
}

/// DELETE /data/tasks/<id>: the production's managers; with `force` (what
/// gazu sends) the task goes with its comments, time and assignments.
/// Without it, Zou's database refuses a task with time spents and leaves
/// its comments unreachable; Fennec refuses both.
pub async fn remove_task(
    tx: &mut Tx,
    user: &CurrentUser,
    task: &Row,
    force: bool,
) -> ApiResult<GoneFiles> {
    let project = uuid_field(task, "project_id").unwrap_or_default();
    check_manager_project_access(tx, user, project).await?;
    let id = id_of(task);
    if !force && cascade::task_has_history(tx, id).await? {
        return Err(ApiError::bad_request_message(msg::REFERENCE_CONFLICT));
    }
    Ok(cascade::remove_tasks(tx, Tasks::One(id)).await?)
}

/// DELETE /data/comments/<id>: managers of the production, or the author;
/// the task is then recomputed from the comments that are left. The
/// comment's previews and attachments go with it, as in Zou.
pub async fn remove_comment(
    tx: &mut Tx,
    user: &CurrentUser,
    comment: &Row,
) -> ApiResult<GoneFiles> {
    let task = match uuid_field(comment, "object_id") {
        Some(t) => rows::get(tx, &models::TASK, t, false).await?,
        None => None,
    };
    let project = task.as_ref().and_then(|t| uuid_field(t, "project_id"));
    let is_manager = match project {
        Some(p) => {
            let on_project = permissions::on_project(tx, user, p).await?;
            on_project.is_admin() || on_project.role == crate::auth::user::Role::Manager
        }
        None => user.is_admin(),
    };
    if is_manager {
        if let Some(p) = project {
            check_project_access(tx, user, p).await?;
        }
    } else if uuid_field(comment, "person_id") != Some(user.id) {
        return Err(ApiError::forbidden());
    }
    Ok(cascade::remove_comment(tx, id_of(comment)).await?.1)
}

/// DELETE /data/time-spents/<id>: Zou's `check_time_spent_access` (the
/// time's person must be assigned to the task; he, an admin or a manager of
/// the production removes it); the task's duration follows.
pub async fn remove_time_spent(tx: &mut Tx, user: &CurrentUser, time: &Row) -> ApiResult<()> {
    let task_id = uuid_field(time, "task_id").unwrap_or_default();
    let person = uuid_field(time, "person_id").unwrap_or_default();
    let task = rows::get(tx, &models::TASK, task_id, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    check_time_spent_access(tx, user, &task, person).await?;
    fennec_store::tasks::lock_task(tx, task_id).await?;
    rows::delete(tx, &models::TIME_SPENT, id_of(time)).await?;
    fennec_store::tasks::recompute_duration(tx, task_id).await?;
    Ok(())
}

/// Zou's `check_time_spent_access`.
pub async fn check_time_spent_access(
    tx: &mut Tx,
    user: &CurrentUser,
    task: &Row,
    person: Uuid,
) -> ApiResult<()> {
    let task_id = id_of(task);
    let assigned = fennec_store::links::TASK_ASSIGNEES
        .contains(tx, task_id, person)
        .await?;
    let project = uuid_field(task, "project_id").unwrap_or_default();
    let allowed = assigned
        && (user.id == person
            || user.is_admin()
            || check_manager_project_access(tx, user, project)
                .await
                .is_ok());
    if allowed {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}

/// DELETE /data/projects/<id>: only a closed production; with `force` it
/// goes with everything it holds, without it only while it is empty (Zou's
/// database refuses otherwise).
///
/// Events as Zou's `remove_project` sends them: each task's `task:delete`,
/// then each playlist's `playlist:delete` (its `remove_playlist`); the
/// caller sends `project:delete`. (Zou then also erases the production's
/// event log; Fennec keeps it, as its live delivery reads it.)
pub async fn remove_project(
    tx: &mut Tx,
    author: Uuid,
    project: Uuid,
    force: bool,
) -> ApiResult<GoneFiles> {
    if !force && cascade::project_has_content(tx, project).await? {
        return Err(ApiError::bad_request_message(msg::REFERENCE_CONFLICT));
    }
    let select = rows::Select::default().eq("project_id", fennec_store::SqlValue::Uuid(project));
    let playlists = rows::list(tx, &models::PLAYLIST, &select, false).await?;
    let mut gone = cascade::remove_project(tx, project).await?;
    announce_tasks(tx, author, &mut gone).await?;
    for playlist in &playlists {
        let data = json!({ "playlist_id": id_of(playlist).to_string() });
        crate::events::emit(tx, Some(author), "playlist:delete", data, Some(project)).await?;
    }
    Ok(gone)
}

/// POST /actions/projects/<id>/delete-entities: Zou's `remove_entities`.
/// Each shot, asset, edit or concept of the production goes as its own
/// delete would take it (canceled first unless forced or already canceled;
/// concepts always go); other kinds, other productions' entities and
/// unknown ids are skipped. Answers the ids that were handled, as sent,
/// and the files of what went.
pub async fn remove_entities(
    tx: &mut Tx,
    user: &CurrentUser,
    project: Uuid,
    ids: &[(String, Uuid)],
    force: bool,
) -> ApiResult<(Vec<String>, GoneFiles)> {
    let mut targets = Vec::new();
    for (sent, id) in ids {
        let Some(entity) = rows::get(tx, &models::ENTITY, *id, false).await? else {
            continue;
        };
        check_entity_delete(tx, user, &entity).await?;
        if uuid_field(&entity, "project_id") != Some(project) {
            continue;
        }
        targets.push((sent.clone(), entity));
    }
    let types = crate::present::EntityTypes::load(tx).await?;
    let (mut removed, mut gone) = (Vec::new(), GoneFiles::default());
    for (sent, entity) in targets {
        let kind = uuid_field(&entity, "entity_type_id").map_or("", |t| types.kind(t));
        let canceled = entity.get("canceled").and_then(|v| v.as_bool()) == Some(true);
        let force = match kind {
            "Concept" => true,
            "Shot" | "Edit" | "Asset" => force || canceled,
            _ => continue,
        };
        gone.extend(remove_leaf(tx, user.id, &entity, force).await?);
        removed.push(sent);
    }
    Ok((removed, gone))
}

/// Zou's `remove_shot`, `remove_asset`, `remove_edit` and `remove_concept`
/// with their events: each removed task's `task:delete`, then the entity's
/// `<kind>:delete`, or `<kind>:update` when it was only canceled.
pub async fn remove_leaf(
    tx: &mut Tx,
    author: Uuid,
    entity: &Row,
    force: bool,
) -> ApiResult<GoneFiles> {
    let cast_in = crate::casting_stats::shots_casting(tx, id_of(entity)).await?;
    let (outcome, mut gone) = cascade::remove_leaf(tx, id_of(entity), force).await?;
    announce_tasks(tx, author, &mut gone).await?;
    let action = if outcome == Removal::Canceled {
        "update"
    } else {
        "delete"
    };
    crate::events::crud(tx, author, &models::ENTITY, action, entity).await?;
    // Zou's remove_asset: the shots the asset was cast in get their casting
    // stats refreshed after it is announced.
    let project = uuid_field(entity, "project_id").unwrap_or_default();
    crate::casting_stats::refresh_shots(tx, author, project, &cast_in).await?;
    Ok(gone)
}

/// POST /actions/projects/<id>/delete-tasks: the production's managers
/// remove tasks in bulk (forced); ids of other productions are ignored.
pub async fn remove_project_tasks(
    tx: &mut Tx,
    user: &CurrentUser,
    project: Uuid,
    ids: &[(String, Uuid)],
) -> ApiResult<(Vec<String>, GoneFiles)> {
    check_manager_project_access(tx, user, project).await?;
    let mut gone = GoneFiles::default();
    for (_, id) in ids {
        gone.extend(cascade::remove_tasks(tx, Tasks::OneInProject(project, *id)).await?);
    }
    Ok((ids.iter().map(|(sent, _)| sent.clone()).collect(), gone))
}
