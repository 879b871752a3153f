//! Tasks as Zou's task routes present them: the reference data they are
//! read with (`Lookups`), assignees in place, client blanking, list bodies.

use axum::Json;
use fennec_api::models::{self};
use fennec_store::db::Exec;
use fennec_store::links;
use fennec_store::rows::{self, Filter, Row, Select};
use fennec_store::SqlValue;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::sync::Arc;

use uuid::Uuid;

use crate::app::AppState;
use crate::auth::user::Role;
use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::present::{id_of, uuid_field};
use crate::refs::RefData;

pub(crate) const TASK: &models::Model = &models::TASK;

pub(crate) fn task_col(name: &str) -> &'static models::Column {
    TASK.column(name).expect("task column")
}

/// Zou's `CLIENT_BLANK_TASK_VALUES`: what a client reads in place of the
/// studio's planning of a task.
pub(crate) fn blank_for_client(row: &mut Row) {
    for (key, value) in [
        ("assignees", json!([])),
        ("assigner_id", Value::Null),
        ("completion_rate", json!(0)),
        ("difficulty", Value::Null),
        ("done_date", Value::Null),
        ("due_date", Value::Null),
        ("duration", json!(0)),
        ("end_date", Value::Null),
        ("estimation", json!(0)),
        ("last_comment_date", Value::Null),
        ("nb_assets_ready", json!(0)),
        ("nb_drawings", json!(0)),
        ("priority", json!(0)),
        ("real_start_date", Value::Null),
        ("retake_count", json!(0)),
        ("start_date", Value::Null),
    ] {
        if let Some(v) = row.get_mut(key) {
            *v = value;
        }
    }
}

/// Task rows for the caller: blanked for a client.
pub(crate) fn for_caller(user: &CurrentUser, mut rows: Vec<Row>) -> Vec<Row> {
    if user.role == Role::Client {
        rows.iter_mut().for_each(blank_for_client);
    }
    rows
}

pub(crate) fn list_json(rows: Vec<Row>) -> Json<Value> {
    Json(Value::Array(rows.into_iter().map(Value::Object).collect()))
}

/// Small tables every task view needs, loaded once per request.
pub(crate) struct Lookups {
    pub(crate) refs: Arc<RefData>,
    entities: HashMap<Uuid, Option<Row>>,
    projects: HashMap<Uuid, Option<Row>>,
}

impl Lookups {
    /// Fresh reference data (for writes that must see the latest).
    pub(crate) async fn load(exec: &mut impl Exec) -> ApiResult<Lookups> {
        Ok(Lookups::with(Arc::new(RefData::load(exec).await?)))
    }

    /// Reference data from the short-lived cache (for reads).
    pub(crate) async fn cached(state: &AppState, exec: &mut impl Exec) -> ApiResult<Lookups> {
        Ok(Lookups::with(state.refs.get(exec).await?))
    }

    fn with(refs: Arc<RefData>) -> Lookups {
        Lookups {
            refs,
            entities: HashMap::new(),
            projects: HashMap::new(),
        }
    }

    pub(crate) async fn entity(
        &mut self,
        exec: &mut impl Exec,
        id: Option<Uuid>,
    ) -> ApiResult<Option<Row>> {
        let Some(id) = id else { return Ok(None) };
        if !self.entities.contains_key(&id) {
            let mut row = rows::get(exec, &models::ENTITY, id, false).await?;
            if let Some(r) = row.as_mut() {
                self.refs.entity_types.type_entity(r);
            }
            self.entities.insert(id, row);
        }
        Ok(self.entities[&id].clone())
    }

    /// Loads entity `id` with its parent and grandparent (a shot's
    /// sequence and episode) in one query, when it is not cached yet.
    pub(crate) async fn preload_lineage(
        &mut self,
        exec: &mut impl Exec,
        id: Option<Uuid>,
    ) -> ApiResult<()> {
        let Some(id) = id.filter(|id| !self.entities.contains_key(id)) else {
            return Ok(());
        };
        for mut row in rows::with_ancestors(exec, &models::ENTITY, id, 2).await? {
            self.refs.entity_types.type_entity(&mut row);
            self.entities.entry(id_of(&row)).or_insert(Some(row));
        }
        self.entities.entry(id).or_insert(None);
        Ok(())
    }

    /// Loads every entity of `ids` not cached yet, in one query per 500.
    pub(crate) async fn preload_entities(
        &mut self,
        exec: &mut impl Exec,
        ids: impl IntoIterator<Item = Uuid>,
    ) -> ApiResult<()> {
        let mut missing: Vec<Uuid> = ids
            .into_iter()
            .filter(|id| !self.entities.contains_key(id))
            .collect();
        missing.sort_unstable();
        missing.dedup();
        for chunk in missing.chunks(500) {
            let select = Select::default().filter(Filter::In(
                "id",
                chunk.iter().map(|u| SqlValue::Uuid(*u)).collect(),
            ));
            for mut row in rows::list(exec, &models::ENTITY, &select, false).await? {
                self.refs.entity_types.type_entity(&mut row);
                self.entities.insert(id_of(&row), Some(row));
            }
            for id in chunk {
                self.entities.entry(*id).or_insert(None);
            }
        }
        Ok(())
    }

    /// Loads the projects of `ids` not cached yet.
    pub(crate) async fn preload_projects(
        &mut self,
        exec: &mut impl Exec,
        ids: impl IntoIterator<Item = Uuid>,
    ) -> ApiResult<()> {
        let mut ids: Vec<Uuid> = ids.into_iter().collect();
        ids.sort_unstable();
        ids.dedup();
        for id in ids {
            self.project(exec, Some(id)).await?;
        }
        Ok(())
    }

    pub(crate) fn cached_project(&self, id: Option<Uuid>) -> Option<&Row> {
        id.and_then(|id| self.projects.get(&id))
            .and_then(Option::as_ref)
    }

    /// The cached entity `id` (after a preload).
    pub(crate) fn cached_entity(&self, id: Option<Uuid>) -> Option<&Row> {
        id.and_then(|id| self.entities.get(&id))
            .and_then(Option::as_ref)
    }

    pub(crate) async fn project(
        &mut self,
        exec: &mut impl Exec,
        id: Option<Uuid>,
    ) -> ApiResult<Option<Row>> {
        let Some(id) = id else { return Ok(None) };
        if let std::collections::hash_map::Entry::Vacant(e) = self.projects.entry(id) {
            e.insert(rows::get(exec, &models::PROJECT, id, false).await?);
        }
        Ok(self.projects[&id].clone())
    }

    pub(crate) fn status(&self, row: &Row) -> Option<&Row> {
        uuid_field(row, "task_status_id").and_then(|id| self.refs.statuses.get(&id))
    }

    pub(crate) fn task_type(&self, row: &Row) -> Option<&Row> {
        uuid_field(row, "task_type_id").and_then(|id| self.refs.task_types.get(&id))
    }
}

pub(crate) fn field(row: Option<&Row>, key: &str) -> Value {
    row.and_then(|r| r.get(key)).cloned().unwrap_or(Value::Null)
}

pub(crate) fn flag(row: Option<&Row>, key: &str) -> bool {
    row.and_then(|r| r.get(key))
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

/// Inserts the `assignees` list in its place (before `id`).
pub(crate) async fn with_assignees_in_place(exec: &mut impl Exec, row: Row) -> ApiResult<Row> {
    let mut rows = many_with_assignees_in_place(exec, vec![row]).await?;
    Ok(rows.pop().unwrap_or_default())
}

/// Many tasks with their `assignees` in place, in one query.
pub(crate) async fn many_with_assignees_in_place(
    exec: &mut impl Exec,
    rows: Vec<Row>,
) -> ApiResult<Vec<Row>> {
    let ids: Vec<Uuid> = rows.iter().map(id_of).collect();
    let mut by_task = links::TASK_ASSIGNEES.rights_of_many(exec, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let people = by_task.remove(&id_of(&row)).unwrap_or_default();
            let mut out = Map::with_capacity(row.len() + 1);
            for (k, v) in row {
                if k == "id" {
                    out.insert("assignees".into(), uuid_list(&people));
                }
                out.insert(k, v);
            }
            out
        })
        .collect())
}

pub(crate) fn uuid_list(ids: &[Uuid]) -> Value {
    Value::Array(ids.iter().map(|u| Value::String(u.to_string())).collect())
}

/// Entity ids under an episode: its sequences, their shots and scenes, and
/// assets whose source is the episode.
pub(crate) async fn entities_of_episode(
    exec: &mut impl Exec,
    episode: Uuid,
) -> ApiResult<Vec<SqlValue>> {
    let mut ids = vec![SqlValue::Uuid(episode)];
    let seqs = rows::list(
        exec,
        &models::ENTITY,
        &Select::default().eq("parent_id", SqlValue::Uuid(episode)),
        false,
    )
    .await?;
    let seq_ids: Vec<SqlValue> = seqs.iter().map(|r| SqlValue::Uuid(id_of(r))).collect();
    ids.extend(seq_ids.iter().cloned());
    let children = rows::list(
        exec,
        &models::ENTITY,
        &Select::default().filter(Filter::In("parent_id", seq_ids)),
        false,
    )
    .await?;
    ids.extend(children.iter().map(|r| SqlValue::Uuid(id_of(r))));
    let assets = rows::list(
        exec,
        &models::ENTITY,
        &Select::default().eq("source_id", SqlValue::Uuid(episode)),
        false,
    )
    .await?;
    ids.extend(assets.iter().map(|r| SqlValue::Uuid(id_of(r))));
    Ok(ids)
}
