//! Zou's deletion rules (its `cascade_deletion_service` and
//! `deletion_service`): what goes with a task, an entity, a person or a
//! project, what only cancels, and what refuses.
//!
//! Policy: every removal here runs inside the caller's transaction, so a
//! delete is all or nothing (Zou commits step by step and can stop
//! halfway). The schema's `ON DELETE CASCADE` keys are a safety net, never
//! the rule: what goes is deleted here explicitly, and what Zou keeps is
//! checked for before any row is touched. Comments point at their task
//! without a foreign key (Zou's `object_id`), so only this module removes
//! them.

use chrono::NaiveDateTime;
use uuid::Uuid;

use crate::db::Exec;
use crate::{on, Result};

/// What a delete request did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Removal {
    /// The row is gone, with what goes with it.
    Removed,
    /// Zou's soft delete: the entity has tasks, so it is only `canceled`.
    Canceled,
    /// Something Zou keeps still points at the row; nothing was changed.
    StillLinked,
}

/// The stored files of the rows a removal took. cascade.rs knows rows, not
/// storage: the server maps these to its keys (storage.rs) and removes the
/// files once the transaction has committed, never before, so that a
/// rolled-back delete keeps its files (Zou also marks the files deleted
/// only once the row is gone).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[must_use = "the files of removed rows are removed after the commit"]
pub struct GoneFiles {
    /// Preview files, with their extension (Zou's `clear_picture_files`,
    /// `clear_movie_files` and `clear_generic_files` choose by it).
    pub previews: Vec<(Uuid, Option<String>)>,
    /// Comment attachments.
    pub attachments: Vec<Uuid>,
    /// The tasks removed, in removal order: the server announces each
    /// with Zou's `task:delete` before the commit.
    pub tasks: Vec<GoneTask>,
    /// Playlist build jobs, whose built movies Zou's `remove_build_job`
    /// removes from the store.
    pub build_jobs: Vec<Uuid>,
}

/// A task's id, entity, task type and production, as read.
type TaskIds = (Uuid, Option<Uuid>, Option<Uuid>, Option<Uuid>);

/// A removed task, as Zou's `task:delete` event describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoneTask {
    pub id: Uuid,
    pub entity_id: Option<Uuid>,
    pub task_type_id: Option<Uuid>,
    pub project_id: Option<Uuid>,
}

impl GoneFiles {
    /// Whether no file is to be removed (the tasks are not files).
    pub fn is_empty(&self) -> bool {
        self.previews.is_empty() && self.attachments.is_empty() && self.build_jobs.is_empty()
    }

    pub fn extend(&mut self, other: GoneFiles) {
        self.previews.extend(other.previews);
        self.attachments.extend(other.attachments);
        self.tasks.extend(other.tasks);
        self.build_jobs.extend(other.build_jobs);
    }
}

/// Which tasks a forced task removal takes.
#[derive(Clone, Copy, Debug)]
pub enum Tasks {
    One(Uuid),
    /// A task, only if it is of this production: (project, task).
    OneInProject(Uuid, Uuid),
    OfEntity(Uuid),
    OfProject(Uuid),
    OfProjectAndType(Uuid, Uuid),
}

impl Tasks {
    fn condition(&self) -> &'static str {
        match self {
            Tasks::One(_) => "id = $1",
            Tasks::OfEntity(_) => "entity_id = $1",
            Tasks::OfProject(_) => "project_id = $1",
            Tasks::OfProjectAndType(..) => "project_id = $1 AND task_type_id = $2",
            Tasks::OneInProject(..) => "project_id = $1 AND id = $2",
        }
    }

    fn ids(&self) -> (Uuid, Option<Uuid>) {
        match *self {
            Tasks::One(a) | Tasks::OfEntity(a) | Tasks::OfProject(a) => (a, None),
            Tasks::OfProjectAndType(a, b) | Tasks::OneInProject(a, b) => (a, Some(b)),
        }
    }
}

async fn execute(exec: &mut impl Exec, sql: &str, a: Uuid, b: Option<Uuid>) -> Result<u64> {
    Ok(on!(exec, c => {
        let q = sqlx::query(sql).bind(a);
        let q = match b {
            Some(b) => q.bind(b),
            None => q,
        };
        q.execute(&mut *c).await?.rows_affected()
    }))
}

/// The previews (id, extension) that `sql` selects, bound as [`execute`].
async fn preview_files(
    exec: &mut impl Exec,
    sql: &str,
    a: Uuid,
    b: Option<Uuid>,
) -> Result<Vec<(Uuid, Option<String>)>> {
    Ok(on!(exec, c => {
        let q = sqlx::query_as(sql).bind(a);
        let q = match b {
            Some(b) => q.bind(b),
            None => q,
        };
        q.fetch_all(&mut *c).await?
    }))
}

/// The ids that `sql` selects, bound as [`execute`].
async fn ids(exec: &mut impl Exec, sql: &str, a: Uuid, b: Option<Uuid>) -> Result<Vec<Uuid>> {
    Ok(on!(exec, c => {
        let q = sqlx::query_scalar(sql).bind(a);
        let q = match b {
            Some(b) => q.bind(b),
            None => q,
        };
        q.fetch_all(&mut *c).await?
    }))
}

async fn exists(exec: &mut impl Exec, sql: &str, id: Uuid) -> Result<bool> {
    let found: Option<i32> =
        on!(exec, c => sqlx::query_scalar(sql).bind(id).fetch_optional(&mut *c).await?);
    Ok(found.is_some())
}

/// Zou's `remove_task(force=True)` for every task of `which`: their
/// comments with their attachments, time spents, assignments and preview
/// files go with them. Returns the files of the previews and attachments
/// that went.
pub async fn remove_tasks(exec: &mut impl Exec, which: Tasks) -> Result<GoneFiles> {
    let cond = which.condition();
    let (a, b) = which.ids();
    let owned = format!("(SELECT id FROM tasks WHERE {cond})");
    let previews = format!("(SELECT id FROM preview_files WHERE task_id IN {owned})");
    let comments = format!("(SELECT id FROM comments WHERE object_id IN {owned})");
    let tasks: Vec<TaskIds> = on!(exec, c => {
        let sql = format!(
            "SELECT id, entity_id, task_type_id, project_id FROM tasks WHERE {cond} \
             ORDER BY created_at, id"
        );
        let q = sqlx::query_as(&sql).bind(a);
        let q = match b {
            Some(b) => q.bind(b),
            None => q,
        };
        q.fetch_all(&mut *c).await?
    });
    let gone = GoneFiles {
        tasks: tasks
            .into_iter()
            .map(|(id, entity_id, task_type_id, project_id)| GoneTask {
                id,
                entity_id,
                task_type_id,
                project_id,
            })
            .collect(),
        previews: preview_files(
            exec,
            &format!("SELECT id, extension FROM preview_files WHERE task_id IN {owned}"),
            a,
            b,
        )
        .await?,
        attachments: ids(
            exec,
            &format!("SELECT id FROM attachment_files WHERE comment_id IN {comments}"),
            a,
            b,
        )
        .await?,
        build_jobs: Vec::new(),
    };
    // The entities that showed one of these previews get their main
    // preview back once all of them are gone (Zou's restore_main).
    let shown: Vec<Uuid> = on!(exec, c => {
        let sql = format!("SELECT id FROM entities WHERE preview_file_id IN {previews}");
        let q = sqlx::query_scalar(&sql).bind(a);
        let q = match b {
            Some(b) => q.bind(b),
            None => q,
        };
        q.fetch_all(&mut *c).await?
    });
    // Zou's remove_task: the tasks' notifications, subscriptions and news
    // go before their comments.
    for sql in crate::notifications::for_tasks_sql(&owned) {
        execute(exec, &sql, a, b).await?;
    }
    for sql in comment_links_sql(&comments) {
        execute(exec, &sql, a, b).await?;
    }
    for sql in [
        format!("DELETE FROM comments WHERE object_id IN {owned}"),
        format!("DELETE FROM time_spents WHERE task_id IN {owned}"),
        format!("DELETE FROM assignations WHERE task_id IN {owned}"),
        // Zou's remove_preview_file for each of the tasks' previews: what
        // pointed at one forgets it, then it goes.
        format!("UPDATE entities SET preview_file_id = NULL WHERE preview_file_id IN {previews}"),
        format!("UPDATE comments SET preview_file_id = NULL WHERE preview_file_id IN {previews}"),
        format!(
            "UPDATE tasks SET last_preview_file_id = NULL WHERE last_preview_file_id IN {previews}"
        ),
        format!("DELETE FROM preview_files WHERE task_id IN {owned}"),
    ] {
        execute(exec, &sql, a, b).await?;
    }
    execute(exec, &format!("DELETE FROM tasks WHERE {cond}"), a, b).await?;
    for entity in shown {
        restore_entity_main_preview(exec, entity).await?;
    }
    Ok(gone)
}

/// Zou's `remove_preview_file`: the entity, task and comments that showed
/// the preview forget it, the preview goes, and the task and entity get
/// back their newest remaining main preview. Returns its files, `None`
/// when there was no such preview.
pub async fn remove_preview_file(exec: &mut impl Exec, preview: Uuid) -> Result<Option<GoneFiles>> {
    let found: Option<(Option<Uuid>, Option<String>)> = on!(exec, c => sqlx::query_as(
        "SELECT task_id, extension FROM preview_files WHERE id = $1")
        .bind(preview).fetch_optional(&mut *c).await?);
    let Some((task, extension)) = found else {
        return Ok(None);
    };
    let shown: Vec<Uuid> = on!(exec, c => sqlx::query_scalar(
        "SELECT id FROM entities WHERE preview_file_id = $1")
        .bind(preview).fetch_all(&mut *c).await?);
    let task_main = exists(
        exec,
        "SELECT 1 FROM tasks WHERE last_preview_file_id = $1 LIMIT 1",
        preview,
    )
    .await?;
    for sql in [
        "UPDATE entities SET preview_file_id = NULL WHERE preview_file_id = $1",
        "UPDATE comments SET preview_file_id = NULL WHERE preview_file_id = $1",
        "UPDATE tasks SET last_preview_file_id = NULL WHERE last_preview_file_id = $1",
        "UPDATE news SET preview_file_id = NULL WHERE preview_file_id = $1",
        "DELETE FROM comment_preview_links WHERE preview_file_id = $1",
        "DELETE FROM preview_files WHERE id = $1",
    ] {
        execute(exec, sql, preview, None).await?;
    }
    if let (true, Some(task)) = (task_main, task) {
        let last = last_main_preview(exec, "t.id = $1", task).await?;
        on!(exec, c => sqlx::query("UPDATE tasks SET last_preview_file_id = $1 WHERE id = $2")
            .bind(last).bind(task).execute(&mut *c).await?.rows_affected());
    }
    for entity in shown {
        restore_entity_main_preview(exec, entity).await?;
    }
    Ok(Some(GoneFiles {
        previews: vec![(preview, extension)],
        ..GoneFiles::default()
    }))
}

/// Zou's `_get_last_main_preview_file`: the newest main preview (position
/// 1) among the ready pictures and movies of the tasks matching `cond`.
async fn last_main_preview(exec: &mut impl Exec, cond: &str, id: Uuid) -> Result<Option<Uuid>> {
    let sql = format!(
        "SELECT p.id FROM preview_files p JOIN tasks t ON t.id = p.task_id WHERE {cond} \
         AND p.position = 1 AND p.status = 'ready' AND p.extension IN ('png', 'mp4') \
         ORDER BY p.created_at DESC, p.seq DESC LIMIT 1"
    );
    Ok(on!(exec, c => sqlx::query_scalar(&sql).bind(id).fetch_optional(&mut *c).await?))
}

/// Zou's `_restore_entity_main_preview`: in a production that sets main
/// previews automatically, the newest main preview of the entity's tasks;
/// otherwise (or with none left) no main preview.
async fn restore_entity_main_preview(exec: &mut impl Exec, entity: Uuid) -> Result<()> {
    let automated: Option<Option<bool>> = on!(exec, c => sqlx::query_scalar(
        "SELECT p.is_set_preview_automated FROM entities e JOIN projects p ON p.id = e.project_id \
         WHERE e.id = $1")
        .bind(entity).fetch_optional(&mut *c).await?);
    let Some(automated) = automated else {
        return Ok(());
    };
    let main = if automated.unwrap_or(false) {
        last_main_preview(exec, "t.entity_id = $1", entity).await?
    } else {
        None
    };
    let now = fennec_api::time::now();
    on!(exec, c => sqlx::query("UPDATE entities SET preview_file_id = $1, updated_at = $2 WHERE id = $3")
        .bind(main).bind(now).bind(entity).execute(&mut *c).await?.rows_affected());
    Ok(())
}

/// Whether a task has rows Zou's database would refuse to orphan (time
/// spents, preview files) or that would be left unreachable (comments): a
/// task is then removed only with `force`.
pub async fn task_has_history(exec: &mut impl Exec, task: Uuid) -> Result<bool> {
    Ok(exists(
        exec,
        "SELECT 1 FROM time_spents WHERE task_id = $1 LIMIT 1",
        task,
    )
    .await?
        || exists(
            exec,
            "SELECT 1 FROM comments WHERE object_id = $1 LIMIT 1",
            task,
        )
        .await?
        || exists(
            exec,
            "SELECT 1 FROM preview_files WHERE task_id = $1 LIMIT 1",
            task,
        )
        .await?)
}

async fn has_tasks(exec: &mut impl Exec, entity: Uuid) -> Result<bool> {
    exists(
        exec,
        "SELECT 1 FROM tasks WHERE entity_id = $1 LIMIT 1",
        entity,
    )
    .await
}

async fn has_children(exec: &mut impl Exec, entity: Uuid) -> Result<bool> {
    exists(
        exec,
        "SELECT 1 FROM entities WHERE parent_id = $1 LIMIT 1",
        entity,
    )
    .await
}

async fn cancel(exec: &mut impl Exec, entity: Uuid) -> Result<()> {
    let now = fennec_api::time::now();
    on!(exec, c => sqlx::query("UPDATE entities SET canceled = $1, updated_at = $2 WHERE id = $3")
        .bind(true)
        .bind(now)
        .bind(entity)
        .execute(&mut *c)
        .await?
        .rows_affected());
    Ok(())
}

async fn delete_entity(exec: &mut impl Exec, entity: Uuid) -> Result<()> {
    remove_entity_links(exec, entity).await?;
    // Zou's remove_episode, remove_sequence and remove_edit take the
    // entity's schedule items (object_id has no key to stop them).
    execute(
        exec,
        "DELETE FROM schedule_items WHERE object_id = $1",
        entity,
        None,
    )
    .await?;
    execute(exec, "DELETE FROM entities WHERE id = $1", entity, None).await?;
    Ok(())
}

/// The entities an entity is cast in (Zou's `entities_in`).
async fn cast_in(exec: &mut impl Exec, entity: Uuid) -> Result<Vec<Uuid>> {
    Ok(on!(exec, c => sqlx::query_scalar(
        "SELECT entity_in_id FROM entity_links WHERE entity_out_id = $1 AND entity_in_id <> $1")
        .bind(entity).fetch_all(&mut *c).await?))
}

/// What Zou's `remove_shot` / `remove_asset` delete with the entity: its
/// casting links both ways and its concept links. Fennec also takes the
/// asset instances of the asset, of the scene or inside the asset, and the
/// shots' instance casting (Zou's database would refuse to orphan them).
/// The casting counters of the entities it was cast in are recounted, as
/// Zou's `refresh_shot_casting_stats` does for the shots.
async fn remove_entity_links(exec: &mut impl Exec, entity: Uuid) -> Result<()> {
    let touched = cast_in(exec, entity).await?;
    let instances = "(SELECT id FROM asset_instances WHERE asset_id = $1 OR scene_id = $1 \
                     OR target_asset_id = $1)";
    for sql in [
        "DELETE FROM entity_links WHERE entity_in_id = $1 OR entity_out_id = $1".to_owned(),
        "DELETE FROM entity_concept_links WHERE entity_in_id = $1 OR entity_out_id = $1".to_owned(),
        format!("DELETE FROM asset_instance_link WHERE entity_id = $1 OR asset_instance_id IN {instances}"),
        "DELETE FROM asset_instances WHERE asset_id = $1 OR scene_id = $1 OR target_asset_id = $1"
            .to_owned(),
    ] {
        execute(exec, &sql, entity, None).await?;
    }
    for other in touched {
        crate::breakdown::refresh_count(exec, other).await?;
    }
    Ok(())
}

/// Zou's `remove_shot`, `remove_asset`, `remove_edit` and `remove_concept`:
/// an entity with tasks is only canceled unless `force`d; otherwise it goes
/// with its tasks (the files of their previews and attachments returned).
/// An asset's children lose their parent rather than go.
pub async fn remove_leaf(
    exec: &mut impl Exec,
    entity: Uuid,
    force: bool,
) -> Result<(Removal, GoneFiles)> {
    if !force && has_tasks(exec, entity).await? {
        cancel(exec, entity).await?;
        // A canceled asset leaves the live casting: Zou's remove_asset
        // refreshes the counters of the shots it is cast in.
        for other in cast_in(exec, entity).await? {
            crate::breakdown::refresh_count(exec, other).await?;
        }
        return Ok((Removal::Canceled, GoneFiles::default()));
    }
    let gone = remove_tasks(exec, Tasks::OfEntity(entity)).await?;
    execute(
        exec,
        "UPDATE entities SET parent_id = NULL WHERE parent_id = $1",
        entity,
        None,
    )
    .await?;
    delete_entity(exec, entity).await?;
    Ok((Removal::Removed, gone))
}

/// Zou's `remove_scene`: deleted, or canceled when its database refuses
/// (tasks hang from it).
pub async fn remove_scene(exec: &mut impl Exec, scene: Uuid) -> Result<Removal> {
    if has_tasks(exec, scene).await? || has_children(exec, scene).await? {
        cancel(exec, scene).await?;
        return Ok(Removal::Canceled);
    }
    delete_entity(exec, scene).await?;
    Ok(Removal::Removed)
}

async fn children(exec: &mut impl Exec, parent: Uuid, kind: &str) -> Result<Vec<Uuid>> {
    let sql = "SELECT e.id FROM entities e JOIN entity_types t ON t.id = e.entity_type_id \
               WHERE e.parent_id = $1 AND t.name = $2 ORDER BY e.seq";
    Ok(on!(exec, c => sqlx::query_scalar(sql).bind(parent).bind(kind).fetch_all(&mut *c).await?))
}

/// Zou's `remove_sequence`: with `force`, its shots (forced), its scenes
/// and its tasks go first; then the sequence goes unless something still
/// points at it (a canceled scene, or anything when not forced). The
/// files of what went are returned even when the sequence stays.
pub async fn remove_sequence(
    exec: &mut impl Exec,
    sequence: Uuid,
    force: bool,
) -> Result<(Removal, GoneFiles)> {
    let mut gone = GoneFiles::default();
    if force {
        for shot in children(exec, sequence, "Shot").await? {
            gone.extend(remove_leaf(exec, shot, true).await?.1);
        }
        for scene in children(exec, sequence, "Scene").await? {
            remove_scene(exec, scene).await?;
        }
        gone.extend(remove_tasks(exec, Tasks::OfEntity(sequence)).await?);
    }
    Ok((remove_if_unlinked(exec, sequence).await?, gone))
}

/// Zou's `remove_episode`: with `force`, its sequences (forced), the
/// assets it is the source of (forced) and its tasks go first.
pub async fn remove_episode(
    exec: &mut impl Exec,
    episode: Uuid,
    force: bool,
) -> Result<(Removal, GoneFiles)> {
    let mut gone = GoneFiles::default();
    if force {
        let sequences: Vec<Uuid> = on!(exec, c => sqlx::query_scalar(
            "SELECT id FROM entities WHERE parent_id = $1 ORDER BY seq")
            .bind(episode).fetch_all(&mut *c).await?);
        for sequence in sequences {
            gone.extend(remove_sequence(exec, sequence, true).await?.1);
        }
        // Zou's Playlist.delete_all_by(episode_id), with what hangs off them.
        gone.build_jobs.extend(
            crate::playlists::remove_of(exec, crate::playlists::PlaylistOwner::Episode, episode)
                .await?,
        );
        let assets: Vec<Uuid> = on!(exec, c => sqlx::query_scalar(
            "SELECT id FROM entities WHERE source_id = $1 ORDER BY seq")
            .bind(episode).fetch_all(&mut *c).await?);
        for asset in assets {
            gone.extend(remove_leaf(exec, asset, true).await?.1);
        }
        gone.extend(remove_tasks(exec, Tasks::OfEntity(episode)).await?);
    }
    Ok((remove_if_unlinked(exec, episode).await?, gone))
}

/// Zou's plain delete of an entity row: refused (its IntegrityError) when
/// tasks or child entities still point at it.
pub async fn remove_if_unlinked(exec: &mut impl Exec, entity: Uuid) -> Result<Removal> {
    if has_tasks(exec, entity).await? || has_children(exec, entity).await? {
        return Ok(Removal::StillLinked);
    }
    delete_entity(exec, entity).await?;
    Ok(Removal::Removed)
}

/// Zou's `remove_project`: everything the production owns, then the
/// production itself. Returns the files of its previews and attachments.
pub async fn remove_project(exec: &mut impl Exec, project: Uuid) -> Result<GoneFiles> {
    let mut gone = remove_tasks(exec, Tasks::OfProject(project)).await?;
    gone.build_jobs = ids(
        exec,
        "SELECT b.id FROM build_jobs b JOIN playlists p ON p.id = b.playlist_id \
         WHERE p.project_id = $1 ORDER BY b.seq",
        project,
        None,
    )
    .await?;
    for sql in [
        // The breakdown's links of the production's entities (both ends:
        // a shared asset of another production may be cast here).
        "DELETE FROM entity_links WHERE entity_in_id IN (SELECT id FROM entities WHERE project_id = $1) \
         OR entity_out_id IN (SELECT id FROM entities WHERE project_id = $1)",
        "DELETE FROM entity_concept_links WHERE entity_in_id IN (SELECT id FROM entities WHERE project_id = $1) \
         OR entity_out_id IN (SELECT id FROM entities WHERE project_id = $1)",
        "DELETE FROM asset_instance_link WHERE entity_id IN (SELECT id FROM entities WHERE project_id = $1) \
         OR asset_instance_id IN (SELECT i.id FROM asset_instances i JOIN entities e ON e.id = i.asset_id \
         WHERE e.project_id = $1)",
        "DELETE FROM asset_instances WHERE asset_id IN (SELECT id FROM entities WHERE project_id = $1) \
         OR scene_id IN (SELECT id FROM entities WHERE project_id = $1) \
         OR target_asset_id IN (SELECT id FROM entities WHERE project_id = $1)",
        // Zou's remove_playlist for each of the production's playlists:
        // their notifications, build jobs and share links first.
        "DELETE FROM notifications WHERE playlist_id IN (SELECT id FROM playlists WHERE project_id = $1)",
        "DELETE FROM build_jobs WHERE playlist_id IN (SELECT id FROM playlists WHERE project_id = $1)",
        "DELETE FROM playlist_share_links WHERE playlist_id IN (SELECT id FROM playlists WHERE project_id = $1)",
        "DELETE FROM playlists WHERE project_id = $1",
        // Children first is not needed: one statement checks its keys at
        // its end, on both databases.
        "DELETE FROM entities WHERE project_id = $1",
        "DELETE FROM milestones WHERE project_id = $1",
        "DELETE FROM schedule_items WHERE project_id = $1",
        // Saved searches of the production (Zou's remove_search_filters):
        // a group's filters go with it, whoever owns them.
        "DELETE FROM search_filters WHERE project_id = $1 OR search_filter_group_id IN \
         (SELECT id FROM search_filter_groups WHERE project_id = $1)",
        "DELETE FROM search_filter_groups WHERE project_id = $1",
        // The production's settings: its descriptors (their departments
        // go by their key), budgets with their entries, and its links to
        // the studio's automations and background files.
        "DELETE FROM department_metadata_descriptor_link WHERE metadata_descriptor_id IN \
         (SELECT id FROM metadata_descriptors WHERE project_id = $1)",
        "DELETE FROM metadata_descriptors WHERE project_id = $1",
        "DELETE FROM budget_entries WHERE budget_id IN (SELECT id FROM budgets WHERE project_id = $1)",
        "DELETE FROM budgets WHERE project_id = $1",
        "DELETE FROM project_status_automation_link WHERE project_id = $1",
        "DELETE FROM project_preview_background_file_link WHERE project_id = $1",
        "DELETE FROM project_person_link WHERE project_id = $1",
        "DELETE FROM project_asset_type_link WHERE project_id = $1",
        "DELETE FROM project_task_type_link WHERE project_id = $1",
        "DELETE FROM project_task_status_link WHERE project_id = $1",
        "DELETE FROM projects WHERE id = $1",
    ] {
        execute(exec, sql, project, None).await?;
    }
    Ok(gone)
}

/// Whether anything of a production still exists (Zou's plain project
/// delete fails on its keys then).
pub async fn project_has_content(exec: &mut impl Exec, project: Uuid) -> Result<bool> {
    for table in [
        "entities",
        "tasks",
        "milestones",
        "schedule_items",
        "metadata_descriptors",
        "budgets",
    ] {
        let sql = format!("SELECT 1 FROM {table} WHERE project_id = $1 LIMIT 1");
        if exists(exec, &sql, project).await? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Removes the link rows of the comments `comments` selects: their
/// attachments (whose files the caller names in its [`GoneFiles`]), their
/// links to previews, the people and departments they mention and who
/// acknowledged them (Zou's comment link tables go with the comment).
fn comment_links_sql(comments: &str) -> [String; 5] {
    [
        format!("DELETE FROM attachment_files WHERE comment_id IN {comments}"),
        format!("DELETE FROM comment_preview_links WHERE comment_id IN {comments}"),
        format!("DELETE FROM comment_mentions WHERE comment_id IN {comments}"),
        format!("DELETE FROM comment_department_mentions WHERE comment_id IN {comments}"),
        format!("DELETE FROM comment_acknoledgments WHERE comment_id IN {comments}"),
    ]
}

/// The previews and attachments of the comments `comments` selects (one
/// `$1`): Zou's `remove_comment` removes both with the comment, the
/// previews as `remove_preview_file` does.
async fn remove_comment_files(exec: &mut impl Exec, comments: &str, id: Uuid) -> Result<GoneFiles> {
    let previews = ids(
        exec,
        &format!(
            "SELECT preview_file_id FROM comment_preview_links WHERE comment_id IN {comments} \
             UNION SELECT preview_file_id FROM comments WHERE id IN {comments} \
             AND preview_file_id IS NOT NULL"
        ),
        id,
        None,
    )
    .await?;
    let mut gone = GoneFiles {
        previews: Vec::new(),
        attachments: ids(
            exec,
            &format!("SELECT id FROM attachment_files WHERE comment_id IN {comments}"),
            id,
            None,
        )
        .await?,
        tasks: Vec::new(),
        build_jobs: Vec::new(),
    };
    for preview in previews {
        if let Some(files) = remove_preview_file(exec, preview).await? {
            gone.extend(files);
        }
    }
    Ok(gone)
}

/// Zou's `remove_comment` followed by `reset_task_data`: the comment goes
/// with its previews and attachments, and its task is recomputed from what
/// is left. Returns the task's id (`None` when the comment was not on a
/// task) and the files of the previews and attachments that went.
pub async fn remove_comment(
    exec: &mut impl Exec,
    comment: Uuid,
) -> Result<(Option<Uuid>, GoneFiles)> {
    let task: Option<Uuid> = on!(exec, c => sqlx::query_scalar(
        "SELECT object_id FROM comments WHERE id = $1")
        .bind(comment).fetch_optional(&mut *c).await?);
    // Zou's remove_comment takes the comment's notifications and news first.
    for sql in crate::notifications::for_comments_sql("($1)") {
        execute(exec, &sql, comment, None).await?;
    }
    let gone = remove_comment_files(exec, "($1)", comment).await?;
    for sql in comment_links_sql("($1)") {
        execute(exec, &sql, comment, None).await?;
    }
    execute(exec, "DELETE FROM comments WHERE id = $1", comment, None).await?;
    let Some(task) = task else {
        return Ok((None, gone));
    };
    if crate::tasks::lock_task(exec, task).await? {
        reset_task_data(exec, task).await?;
        Ok((Some(task), gone))
    } else {
        Ok((None, gone))
    }
}

type CommentFacts = (
    NaiveDateTime,
    Option<Uuid>,
    Option<bool>,
    Option<bool>,
    Option<bool>,
    Option<bool>,
);

/// Zou's `reset_task_data`: status, retake count, real start, end, done and
/// last comment dates replayed from the task's comments in order, and the
/// duration from its time spents. With no comment left, the task is back on
/// the default status (Neutral for a concept's task, Todo otherwise).
pub async fn reset_task_data(exec: &mut impl Exec, task: Uuid) -> Result<()> {
    let sql = "SELECT c.created_at, c.task_status_id, s.is_retake, s.is_feedback_request, \
               s.is_done, s.is_wip FROM comments c JOIN task_statuses s ON s.id = c.task_status_id \
               WHERE c.object_id = $1 ORDER BY c.created_at, c.seq";
    let comments: Vec<CommentFacts> =
        on!(exec, c => sqlx::query_as(sql).bind(task).fetch_all(&mut *c).await?);
    let mut status = default_status(exec, task).await?;
    let (mut retakes, mut previous_retake) = (0i64, false);
    let (mut real_start, mut end, mut done, mut last) = (None, None, None, None);
    for (at, status_id, retake, feedback, is_done, wip) in comments {
        let retake = retake.unwrap_or(false);
        if retake && !previous_retake {
            retakes += 1;
        }
        previous_retake = retake;
        if wip.unwrap_or(false) && real_start.is_none() {
            real_start = Some(at);
        }
        if feedback.unwrap_or(false) && end.is_none() {
            end = Some(at);
        }
        if is_done.unwrap_or(false) {
            done = Some(at);
        }
        status = status_id.or(status);
        last = Some(at);
    }
    let sql = "UPDATE tasks SET duration = (SELECT COALESCE(SUM(duration), 0) FROM time_spents \
               WHERE task_id = $1), retake_count = $2, real_start_date = $3, \
               last_comment_date = $4, end_date = $5, done_date = $6, task_status_id = COALESCE($7, task_status_id), \
               updated_at = $8 WHERE id = $1";
    let now = fennec_api::time::now();
    on!(exec, c => sqlx::query(sql)
        .bind(task)
        .bind(retakes)
        .bind(real_start)
        .bind(last)
        .bind(end)
        .bind(done)
        .bind(status)
        .bind(now)
        .execute(&mut *c)
        .await?
        .rows_affected());
    Ok(())
}

async fn default_status(exec: &mut impl Exec, task: Uuid) -> Result<Option<Uuid>> {
    let sql = "SELECT s.id FROM task_statuses s WHERE s.is_default = $2 \
               AND COALESCE(s.for_concept, $3) = (SELECT COALESCE(t.name = 'Concept', $3) \
               FROM tasks k JOIN entities e ON e.id = k.entity_id \
               JOIN entity_types t ON t.id = e.entity_type_id WHERE k.id = $1) \
               ORDER BY s.seq LIMIT 1";
    Ok(on!(exec, c => sqlx::query_scalar(sql)
        .bind(task)
        .bind(true)
        .bind(false)
        .fetch_optional(&mut *c)
        .await?))
}

/// The link rows that stop a plain delete of a row of `table` in Zou (its
/// association tables have no delete rule, so its database refuses), where
/// Fennec's schema would cascade them away silently.
fn kept_links(table: &str) -> &'static [(&'static str, &'static str)] {
    match table {
        "persons" => &[
            ("project_person_link", "person_id"),
            ("assignations", "person_id"),
            ("day_offs", "person_id"),
            ("search_filters", "person_id"),
            ("search_filter_groups", "person_id"),
            ("desktop_login_logs", "person_id"),
            ("preview_files", "person_id"),
        ],
        "task_statuses" => &[("project_task_status_link", "task_status_id")],
        // Zou's person.studio_id is a key: a studio with people stays.
        "studios" => &[("persons", "studio_id")],
        "entity_types" => &[("project_asset_type_link", "asset_type_id")],
        "task_types" => &[
            ("project_task_type_link", "task_type_id"),
            ("asset_type_task_type_link", "task_type_id"),
        ],
        "departments" => &[
            ("department_link", "department_id"),
            ("department_metadata_descriptor_link", "department_id"),
            ("search_filters", "department_id"),
            ("search_filter_groups", "department_id"),
        ],
        _ => &[],
    }
}

/// Whether a link row Zou keeps still points at row `id` of `table`.
pub async fn has_kept_links(exec: &mut impl Exec, table: &str, id: Uuid) -> Result<bool> {
    for (link, column) in kept_links(table) {
        let sql = format!("SELECT 1 FROM {link} WHERE {column} = $1 LIMIT 1");
        if exists(exec, &sql, id).await? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Whether a task type is used by a production (Zou's task type delete
/// asks for `force` then).
pub async fn task_type_in_projects(exec: &mut impl Exec, task_type: Uuid) -> Result<bool> {
    exists(
        exec,
        "SELECT 1 FROM project_task_type_link WHERE task_type_id = $1 LIMIT 1",
        task_type,
    )
    .await
}

/// What stops a task type's plain delete, in the words of Zou's
/// TaskTypeResource.pre_delete ("schedule items", "projects").
pub async fn task_type_blockers(
    exec: &mut impl Exec,
    task_type: Uuid,
) -> Result<Vec<&'static str>> {
    let mut blockers = Vec::new();
    if exists(
        exec,
        "SELECT 1 FROM schedule_items WHERE task_type_id = $1 LIMIT 1",
        task_type,
    )
    .await?
    {
        blockers.push("schedule items");
    }
    if task_type_in_projects(exec, task_type).await? {
        blockers.push("projects");
    }
    Ok(blockers)
}

/// Zou's forced task type delete: its schedule items go and it is
/// detached from every production first.
pub async fn detach_task_type(exec: &mut impl Exec, task_type: Uuid) -> Result<()> {
    for sql in [
        "DELETE FROM schedule_items WHERE task_type_id = $1",
        "DELETE FROM project_task_type_link WHERE task_type_id = $1",
    ] {
        execute(exec, sql, task_type, None).await?;
    }
    Ok(())
}

/// Zou's forced person removal, before the person goes: their comments,
/// time spents, team places and assignments go, and the tasks they
/// assigned forget who did. Zou leaves the touched tasks as they were;
/// Fennec recomputes them, so that a task's duration stays the sum of its
/// time spents and its status follows its remaining comments. Returns the
/// files of his comments' previews and attachments (Zou removes each
/// comment as `remove_comment` does).
pub async fn remove_person_work(exec: &mut impl Exec, person: Uuid) -> Result<GoneFiles> {
    let touched: Vec<Uuid> = on!(exec, c => sqlx::query_scalar(
        "SELECT object_id FROM comments WHERE person_id = $1 \
         UNION SELECT task_id FROM time_spents WHERE person_id = $1")
        .bind(person).fetch_all(&mut *c).await?);
    let his = "(SELECT id FROM comments WHERE person_id = $1)";
    let gone = remove_comment_files(exec, his, person).await?;
    for sql in comment_links_sql(his) {
        execute(exec, &sql, person, None).await?;
    }
    for sql in [
        // Zou's remove_person: the notifications to and from the person,
        // his subscriptions, and what his comments raised.
        "DELETE FROM notifications WHERE person_id = $1 OR author_id = $1 \
         OR comment_id IN (SELECT id FROM comments WHERE person_id = $1)",
        "DELETE FROM news WHERE author_id = $1 \
         OR comment_id IN (SELECT id FROM comments WHERE person_id = $1)",
        "DELETE FROM subscriptions WHERE person_id = $1",
        // His comments' mentions and acknowledgements, and where he is
        // mentioned or acknowledged (Zou's link tables).
        "DELETE FROM comment_mentions WHERE person_id = $1 \
         OR comment_id IN (SELECT id FROM comments WHERE person_id = $1)",
        "DELETE FROM comment_department_mentions \
         WHERE comment_id IN (SELECT id FROM comments WHERE person_id = $1)",
        "DELETE FROM comment_acknoledgments WHERE person_id = $1 \
         OR comment_id IN (SELECT id FROM comments WHERE person_id = $1)",
        "DELETE FROM comments WHERE person_id = $1",
        "DELETE FROM time_spents WHERE person_id = $1",
        "DELETE FROM project_person_link WHERE person_id = $1",
        "DELETE FROM assignations WHERE person_id = $1",
        "UPDATE tasks SET assigner_id = NULL WHERE assigner_id = $1",
        "DELETE FROM search_filters WHERE person_id = $1 OR search_filter_group_id IN \
         (SELECT id FROM search_filter_groups WHERE person_id = $1)",
        "DELETE FROM search_filter_groups WHERE person_id = $1",
        "DELETE FROM desktop_login_logs WHERE person_id = $1",
        // Zou's forced removal keeps the person's previews, authorless.
        "UPDATE preview_files SET person_id = NULL WHERE person_id = $1",
    ] {
        execute(exec, sql, person, None).await?;
    }
    for task in touched {
        if crate::tasks::lock_task(exec, task).await? {
            reset_task_data(exec, task).await?;
        }
    }
    Ok(gone)
}
