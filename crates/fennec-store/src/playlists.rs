//! What Zou's playlists, playlist builds and playlist sharing services read
//! and remove beyond the generic rows: a playlist with what hangs off it,
//! the playlists a person may list, the previews a playlist entry may
//! show, the production's build jobs, the clients to notify.
//!
//! Policy: set-based queries, written once for both backends; the shapes
//! are the server's (`playlists.rs` beside its routes).

use std::collections::HashMap;

use fennec_api::models;
use uuid::Uuid;

use crate::db::Exec;
use crate::rows::{self, Filter, Row, Select};
use crate::{on, Result, SqlValue};

/// Zou's `remove_playlist_dependents` then the playlist itself: its
/// notifications, build jobs and share links go first. Returns the ids of
/// the build jobs that went (Zou emits `build-job:delete` for each), or
/// `None` when there was no such playlist.
pub async fn remove_playlist(exec: &mut impl Exec, playlist: Uuid) -> Result<Option<Vec<Uuid>>> {
    let found: Option<Uuid> = on!(exec, c => sqlx::query_scalar(
        "SELECT id FROM playlists WHERE id = $1")
        .bind(playlist).fetch_optional(&mut *c).await?);
    if found.is_none() {
        return Ok(None);
    }
    let jobs: Vec<Uuid> = on!(exec, c => sqlx::query_scalar(
        "SELECT id FROM build_jobs WHERE playlist_id = $1 ORDER BY seq")
        .bind(playlist).fetch_all(&mut *c).await?);
    for sql in [
        "DELETE FROM notifications WHERE playlist_id = $1",
        "DELETE FROM build_jobs WHERE playlist_id = $1",
        "DELETE FROM playlist_share_links WHERE playlist_id = $1",
        "DELETE FROM playlists WHERE id = $1",
    ] {
        on!(exec, c => sqlx::query(sql).bind(playlist).execute(&mut *c).await?.rows_affected());
    }
    Ok(Some(jobs))
}

/// The playlists of a production (Zou's `remove_project` removes each), or
/// of an episode (its forced removal), oldest first.
pub async fn playlists_of(
    exec: &mut impl Exec,
    column: PlaylistOwner,
    id: Uuid,
) -> Result<Vec<Uuid>> {
    let sql = match column {
        PlaylistOwner::Project => "SELECT id FROM playlists WHERE project_id = $1 ORDER BY seq",
        PlaylistOwner::Episode => "SELECT id FROM playlists WHERE episode_id = $1 ORDER BY seq",
    };
    Ok(on!(exec, c => sqlx::query_scalar(sql).bind(id).fetch_all(&mut *c).await?))
}

/// Who owns the playlists [`playlists_of`] lists.
#[derive(Clone, Copy, Debug)]
pub enum PlaylistOwner {
    Project,
    Episode,
}

/// Zou's `PlaylistsResource.add_project_permission_filter` for a non-admin:
/// the playlists of his teams, but none where he is a vendor and, where he
/// is a client, only those shared with clients. `global_role` is the role
/// a team link without one of its own keeps.
pub async fn visible_ids(
    exec: &mut impl Exec,
    person: Uuid,
    global_role: &str,
) -> Result<Vec<Uuid>> {
    Ok(on!(exec, c => sqlx::query_scalar(
        "SELECT p.id FROM playlists p \
         JOIN project_person_link l ON l.project_id = p.project_id AND l.person_id = $1 \
         WHERE COALESCE(l.role, $2) <> 'vendor' \
         AND (COALESCE(l.role, $2) <> 'client' OR p.for_client = TRUE)")
        .bind(person).bind(global_role).fetch_all(&mut *c).await?))
}

/// The entity of each preview of `previews` that exists (through its
/// task): what Zou's `unpin_foreign_preview_files` compares.
pub async fn preview_entities(
    exec: &mut impl Exec,
    previews: &[Uuid],
) -> Result<HashMap<Uuid, Uuid>> {
    let mut out = HashMap::new();
    for preview in previews {
        let entity: Option<Uuid> = on!(exec, c => sqlx::query_scalar(
            "SELECT t.entity_id FROM preview_files p JOIN tasks t ON t.id = p.task_id WHERE p.id = $1")
            .bind(*preview).fetch_optional(&mut *c).await?);
        if let Some(e) = entity {
            out.insert(*preview, e);
        }
    }
    Ok(out)
}

/// Zou's `get_latest_preview_file_ids_for_entities`: each entity's preview
/// of highest revision (the newest of that revision), of one task type
/// when `task_type` is given.
pub async fn latest_previews(
    exec: &mut impl Exec,
    entities: &[Uuid],
    task_type: Option<Uuid>,
) -> Result<HashMap<Uuid, Uuid>> {
    let mut out = HashMap::new();
    for entity in entities {
        if out.contains_key(entity) {
            continue;
        }
        let found: Option<Uuid> = on!(exec, c => sqlx::query_scalar(
            "SELECT p.id FROM preview_files p JOIN tasks t ON t.id = p.task_id \
             WHERE t.entity_id = $1 AND ($2 IS NULL OR t.task_type_id = $2) \
             ORDER BY p.revision DESC NULLS FIRST, p.created_at DESC, p.seq DESC LIMIT 1")
            .bind(*entity).bind(task_type).fetch_optional(&mut *c).await?);
        if let Some(p) = found {
            out.insert(*entity, p);
        }
    }
    Ok(out)
}

/// Zou's `get_playlist_task_id_for_entity`: the most recently commented
/// task of the entity among those holding a preview.
pub async fn task_for_entity(exec: &mut impl Exec, entity: Uuid) -> Result<Option<Uuid>> {
    Ok(on!(exec, c => sqlx::query_scalar(
        "SELECT id FROM tasks WHERE entity_id = $1 AND last_preview_file_id IS NOT NULL \
         ORDER BY last_comment_date DESC NULLS FIRST, seq LIMIT 1")
        .bind(entity).fetch_optional(&mut *c).await?))
}

/// Zou's `get_build_jobs_for_project`: the build jobs of the production's
/// playlists.
pub async fn build_jobs_of_project(exec: &mut impl Exec, project: Uuid) -> Result<Vec<Row>> {
    let playlists = playlists_of(exec, PlaylistOwner::Project, project).await?;
    let select = Select::default().filter(Filter::In(
        "playlist_id",
        playlists.into_iter().map(SqlValue::Uuid).collect(),
    ));
    rows::list(exec, &models::BUILD_JOB, &select, false).await
}

/// Zou's `notify_clients_playlist_ready` recipients: the production's
/// clients (by their role there, else their own), not bots, not preview
/// accounts, of a studio and a department when given.
pub async fn clients_of_project(
    exec: &mut impl Exec,
    project: Uuid,
    studio: Option<Uuid>,
    department: Option<Uuid>,
) -> Result<Vec<Uuid>> {
    Ok(on!(exec, c => sqlx::query_scalar(
        "SELECT p.id FROM persons p JOIN project_person_link l ON l.person_id = p.id \
         WHERE l.project_id = $1 AND COALESCE(p.is_bot, FALSE) = FALSE \
         AND p.preview_project_id IS NULL AND COALESCE(l.role, p.role) = 'client' \
         AND ($2 IS NULL OR p.studio_id = $2) \
         AND ($3 IS NULL OR EXISTS (SELECT 1 FROM department_link d \
              WHERE d.person_id = p.id AND d.department_id = $3)) \
         ORDER BY p.seq")
        .bind(project).bind(studio).bind(department).fetch_all(&mut *c).await?))
}

/// Removes every playlist of a production or an episode with what hangs
/// off each (the cascade's part of Zou's `remove_playlist`); answers the
/// build jobs that went, whose movies the server removes after the commit.
pub async fn remove_of(exec: &mut impl Exec, owner: PlaylistOwner, id: Uuid) -> Result<Vec<Uuid>> {
    let mut jobs = Vec::new();
    for playlist in playlists_of(exec, owner, id).await? {
        jobs.extend(remove_playlist(exec, playlist).await?.unwrap_or_default());
    }
    Ok(jobs)
}
