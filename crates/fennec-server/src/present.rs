//! Zou's serialisations beyond a model's own columns: relation lists,
//! entity kinds as `type`, the project detail extras.

use std::collections::HashMap;

use fennec_api::models::{self, Model};
use fennec_store::db::Exec;
use fennec_store::defaults::NON_ASSET_ENTITY_TYPES;
use fennec_store::links::{self, Link};
use fennec_store::rows::{self, Row, Select};
use fennec_store::{on, SqlValue};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::auth::user::Role;
use crate::auth::CurrentUser;
use crate::error::ApiResult;

pub fn id_of(row: &Row) -> Uuid {
    uuid_field(row, "id").unwrap_or_default()
}

pub fn uuid_field(row: &Row, key: &str) -> Option<Uuid> {
    row.get(key)
        .and_then(Value::as_str)
        .and_then(|s| Uuid::parse_str(s).ok())
}

fn ids(v: Vec<Uuid>) -> Value {
    Value::Array(
        v.into_iter()
            .map(|u| Value::String(u.to_string()))
            .collect(),
    )
}

/// Entity type names by id: an entity's `type` is its kind (`Shot`,
/// `Sequence`, …) or `Asset` for any asset type.
pub struct EntityTypes(HashMap<Uuid, String>);

impl EntityTypes {
    pub async fn load(exec: &mut impl Exec) -> ApiResult<EntityTypes> {
        let rows: Vec<(Uuid, String)> = on!(exec, c => sqlx::query_as("SELECT id, name FROM entity_types")
            .fetch_all(&mut *c)
            .await
            .map_err(fennec_store::StoreError::from)?);
        Ok(EntityTypes(rows.into_iter().collect()))
    }

    pub fn name(&self, id: Uuid) -> Option<&str> {
        self.0.get(&id).map(String::as_str)
    }

    /// The wire `type` for an entity of this entity type.
    pub fn kind(&self, id: Uuid) -> &str {
        match self.name(id) {
            Some(n) if NON_ASSET_ENTITY_TYPES.contains(&n) => n,
            Some(_) => "Asset",
            None => "Entity",
        }
    }

    pub fn id_of(&self, name: &str) -> Option<Uuid> {
        self.0.iter().find(|(_, n)| *n == name).map(|(id, _)| *id)
    }

    /// Ids of the entity types that are asset types.
    pub fn asset_type_ids(&self) -> Vec<Uuid> {
        let mut v: Vec<Uuid> = self
            .0
            .iter()
            .filter(|(_, n)| !NON_ASSET_ENTITY_TYPES.contains(&n.as_str()))
            .map(|(id, _)| *id)
            .collect();
        v.sort();
        v
    }

    pub fn type_entity(&self, row: &mut Row) {
        if let Some(et) = uuid_field(row, "entity_type_id") {
            row.insert("type".into(), Value::String(self.kind(et).to_owned()));
        }
    }
}

/// Replaces the placeholder of relation `key` by the linked ids.
async fn fill_link(exec: &mut impl Exec, row: &mut Row, key: &str, link: Link) -> ApiResult<()> {
    let v = link.rights(exec, id_of(row)).await?;
    row.insert(key.into(), ids(v));
    Ok(())
}

/// A project with its relation lists (POST answer, GET by id).
pub async fn project_relations(exec: &mut impl Exec, row: &mut Row) -> ApiResult<()> {
    if !row.contains_key("team") {
        // Re-create the map so the lists sit before `id`, as Zou puts them.
        let mut out = Map::new();
        for (k, v) in std::mem::take(row) {
            if k == "id" {
                for rel in [
                    "team",
                    "asset_types",
                    "task_statuses",
                    "task_types",
                    "status_automations",
                    "preview_background_files",
                ] {
                    out.insert(rel.into(), json!([]));
                }
            }
            out.insert(k, v);
        }
        *row = out;
    }
    fill_link(exec, row, "team", links::PROJECT_TEAM).await?;
    fill_link(exec, row, "asset_types", links::PROJECT_ASSET_TYPES).await?;
    fill_link(exec, row, "task_statuses", links::PROJECT_TASK_STATUSES).await?;
    fill_link(exec, row, "task_types", links::PROJECT_TASK_TYPES).await?;
    fill_link(
        exec,
        row,
        "status_automations",
        links::PROJECT_STATUS_AUTOMATIONS,
    )
    .await?;
    fill_link(
        exec,
        row,
        "preview_background_files",
        links::PROJECT_PREVIEW_BACKGROUND_FILES,
    )
    .await?;
    Ok(())
}

/// The first episode of a project by name (Zou's
/// `get_or_create_first_episode`, on a project update), if any.
pub async fn first_episode_id(exec: &mut impl Exec, project_id: Uuid) -> ApiResult<Option<Uuid>> {
    first_episode(exec, project_id, false).await
}

/// The first episode by name, of the running ones only when Zou's project
/// reads ask for them (`_fetch_first_episodes_by_project`).
async fn first_episode(
    exec: &mut impl Exec,
    project_id: Uuid,
    running_only: bool,
) -> ApiResult<Option<Uuid>> {
    let types = EntityTypes::load(exec).await?;
    let Some(episode_type) = types.id_of("Episode") else {
        return Ok(None);
    };
    let mut select = Select::default()
        .eq("project_id", SqlValue::Uuid(project_id))
        .eq("entity_type_id", SqlValue::Uuid(episode_type));
    if running_only {
        select = select.eq("status", SqlValue::Text("running".into()));
    }
    select.order = rows::Order::Name;
    select.limit = Some(1);
    let rows = rows::list(exec, &models::ENTITY, &select, false).await?;
    Ok(rows.first().map(id_of))
}

/// A production's metadata descriptor as Zou lists it on the project
/// (`_serialize_descriptor`), with what decides who reads it.
pub struct ProjectDescriptor {
    pub project_id: Uuid,
    pub entity_type: String,
    pub for_client: bool,
    pub departments: Vec<Uuid>,
    pub json: Value,
}

/// Which of a production's descriptors a caller reads (Zou's
/// `get_descriptor_visibility`, on the role held on the production): a
/// client those published to clients, a vendor those of his departments or
/// of none, anyone else all.
pub enum DescriptorReader {
    All,
    Client,
    Vendor(Vec<Uuid>),
}

impl DescriptorReader {
    pub async fn on_project(
        exec: &mut impl Exec,
        user: &CurrentUser,
        project: Uuid,
    ) -> ApiResult<DescriptorReader> {
        let on = crate::auth::permissions::on_project(exec, user, project).await?;
        Ok(match on.role {
            Role::Client => DescriptorReader::Client,
            Role::Vendor => {
                DescriptorReader::Vendor(links::PERSON_DEPARTMENTS.rights(exec, user.id).await?)
            }
            _ => DescriptorReader::All,
        })
    }

    pub fn reads(&self, d: &ProjectDescriptor) -> bool {
        match self {
            DescriptorReader::All => true,
            DescriptorReader::Client => d.for_client,
            DescriptorReader::Vendor(mine) => {
                d.departments.is_empty() || d.departments.iter().any(|x| mine.contains(x))
            }
        }
    }
}

type DescriptorTuple = (
    Uuid,
    Uuid,
    String,
    String,
    Option<String>,
    Option<sqlx::types::Json<Value>>,
    Option<bool>,
    String,
    Option<Uuid>,
    Option<i64>,
);

/// The metadata descriptors of `projects`, in creation order (Zou reads
/// them unordered, which is the table's order).
pub async fn project_descriptors(
    exec: &mut impl Exec,
    projects: &[Uuid],
) -> ApiResult<Vec<ProjectDescriptor>> {
    let mut found: Vec<DescriptorTuple> = Vec::new();
    for chunk in projects.chunks(500) {
        let ph: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT id, project_id, name, field_name, data_type, choices, for_client, \
             entity_type, task_type_id, position FROM metadata_descriptors \
             WHERE project_id IN ({}) ORDER BY seq",
            ph.join(", ")
        );
        let rows: Vec<DescriptorTuple> = on!(exec, c => {
            let mut q = sqlx::query_as(&sql);
            for id in chunk {
                q = q.bind(*id);
            }
            q.fetch_all(&mut *c).await.map_err(fennec_store::StoreError::from)?
        });
        found.extend(rows);
    }
    let ids: Vec<Uuid> = found.iter().map(|t| t.0).collect();
    let mut departments = links::DESCRIPTOR_DEPARTMENTS
        .rights_of_many(exec, &ids)
        .await?;
    Ok(found
        .into_iter()
        .map(
            |(
                id,
                project_id,
                name,
                field_name,
                data_type,
                choices,
                for_client,
                entity_type,
                task_type_id,
                position,
            )| {
                let departments = departments.remove(&id).unwrap_or_default();
                let for_client = for_client.unwrap_or(false);
                let json = json!({
                    "id": id.to_string(),
                    "name": name,
                    "field_name": field_name,
                    "data_type": data_type,
                    "choices": choices.map_or(Value::Null, |j| j.0),
                    "for_client": for_client,
                    "entity_type": entity_type,
                    "task_type_id": task_type_id.map(|u| u.to_string()),
                    "position": position,
                    "departments": departments.iter().map(Uuid::to_string).collect::<Vec<_>>(),
                });
                ProjectDescriptor {
                    project_id,
                    entity_type,
                    for_client,
                    departments,
                    json,
                }
            },
        )
        .collect())
}

/// `GET /data/projects/{id}`: relations plus Zou's detail extras, the
/// descriptors narrowed for `user`.
pub async fn project_detail(
    exec: &mut impl Exec,
    row: &mut Row,
    user: &CurrentUser,
) -> ApiResult<()> {
    project_relations(exec, row).await?;
    let project_id = id_of(row);
    let reader = DescriptorReader::on_project(exec, user, project_id).await?;
    let descriptors: Vec<Value> = project_descriptors(exec, &[project_id])
        .await?
        .into_iter()
        .filter(|d| reader.reads(d))
        .map(|d| d.json)
        .collect();
    row.insert("descriptors".into(), Value::Array(descriptors));
    let mut links_map = Map::new();
    let mut priorities = Map::new();
    let tt: Vec<(Uuid, Option<i64>)> = on!(exec, c => sqlx::query_as(
        "SELECT task_type_id, priority FROM project_task_type_link WHERE project_id = $1 ORDER BY seq")
        .bind(project_id).fetch_all(&mut *c).await.map_err(fennec_store::StoreError::from)?);
    for (id, prio) in tt {
        links_map.insert(
            id.to_string(),
            json!({"priority": prio, "hd_bitrate_compression": null,
                   "ld_bitrate_compression": null, "is_client_visible": true}),
        );
        priorities.insert(id.to_string(), json!(prio));
    }
    row.insert("task_type_links".into(), Value::Object(links_map));
    row.insert("task_types_priority".into(), Value::Object(priorities));
    let ts: Vec<(Uuid, Option<i64>, Option<sqlx::types::Json<Value>>)> = on!(exec, c => sqlx::query_as(
        "SELECT task_status_id, priority, roles_for_board FROM project_task_status_link WHERE project_id = $1 ORDER BY seq")
        .bind(project_id).fetch_all(&mut *c).await.map_err(fennec_store::StoreError::from)?);
    let mut status_links = Map::new();
    for (id, prio, roles) in ts {
        let roles = roles
            .map(|j| j.0)
            .unwrap_or_else(|| json!(["user", "admin", "supervisor", "manager", "vendor"]));
        status_links.insert(
            id.to_string(),
            json!({"priority": prio, "roles_for_board": roles, "is_client_allowed": null}),
        );
    }
    row.insert("task_statuses_link".into(), Value::Object(status_links));
    // Zou names a first episode only for a TV show that has one; the key
    // is absent otherwise (not null).
    if row.get("production_type").and_then(Value::as_str) == Some("tvshow") {
        if let Some(first) = first_episode(exec, project_id, true).await? {
            row.insert("first_episode_id".into(), Value::String(first.to_string()));
        }
    }
    let status_name = match uuid_field(row, "project_status_id") {
        Some(sid) => rows::get(exec, &models::PROJECT_STATUS, sid, false)
            .await?
            .and_then(|r| r.get("name").cloned())
            .unwrap_or(Value::Null),
        None => Value::Null,
    };
    row.insert("project_status_name".into(), status_name);
    Ok(())
}

/// The person with `departments` appended (login, authenticated).
pub async fn person_with_departments(exec: &mut impl Exec, row: &mut Row) -> ApiResult<()> {
    let deps = links::PERSON_DEPARTMENTS.rights(exec, id_of(row)).await?;
    row.insert("departments".into(), ids(deps));
    Ok(())
}

/// A person with `departments` in its column place (Zou's serialisation
/// with relations).
pub async fn person_in_place(exec: &mut impl Exec, id: Uuid) -> ApiResult<Option<Row>> {
    let Some(mut row) = rows::get(exec, &models::PERSON, id, true).await? else {
        return Ok(None);
    };
    fill_link(exec, &mut row, "departments", links::PERSON_DEPARTMENTS).await?;
    Ok(Some(row))
}

/// Zou's `present_minimal` person: what non-managers see of others.
/// Zou's short author of a comment (`get_short_person`).
pub fn short_person(p: &Row) -> Value {
    json!({
        "first_name": p["first_name"], "last_name": p["last_name"],
        "full_name": p["full_name"], "has_avatar": p["has_avatar"],
        "role": p["role"], "id": p["id"],
    })
}

/// Zou's `present_client`: a name and an avatar to put on a comment.
pub fn client_person(row: &Row) -> Row {
    let mut out = Map::new();
    for key in [
        "id",
        "type",
        "first_name",
        "last_name",
        "full_name",
        "has_avatar",
        "active",
        "role",
        "is_bot",
    ] {
        out.insert(key.into(), row.get(key).cloned().unwrap_or(Value::Null));
    }
    out
}

pub fn minimal_person(row: &Row) -> Row {
    let mut out = Map::new();
    for key in [
        "id",
        "type",
        "first_name",
        "last_name",
        "full_name",
        "has_avatar",
        "active",
        "departments",
        "studio_id",
        "role",
        "desktop_login",
        "is_bot",
    ] {
        let v = row.get(key).cloned().unwrap_or_else(|| {
            if key == "departments" {
                json!([])
            } else {
                Value::Null
            }
        });
        out.insert(key.into(), v);
    }
    out
}

/// Fills the computed/relation keys of a generic CRUD row.
pub async fn crud_row(
    exec: &mut impl Exec,
    model: &Model,
    row: &mut Row,
    relations: bool,
) -> ApiResult<()> {
    if std::ptr::eq(model, &models::ASSET_TYPE) {
        let v = links::ASSET_TYPE_TASK_TYPES
            .rights(exec, id_of(row))
            .await?;
        row.insert("task_types".into(), ids(v));
    } else if relations && std::ptr::eq(model, &models::PROJECT) {
        project_relations(exec, row).await?;
    } else if relations && std::ptr::eq(model, &models::PERSON) {
        fill_link(exec, row, "departments", links::PERSON_DEPARTMENTS).await?;
    } else if relations && std::ptr::eq(model, &models::TASK) {
        fill_link(exec, row, "assignees", links::TASK_ASSIGNEES).await?;
    } else if relations && std::ptr::eq(model, &models::PLAYLIST) {
        crate::playlists::fill_build_jobs(exec, row).await?;
    }
    Ok(())
}

/// A JSON answer streamed from the store's chunks (whole-project lists):
/// memory stays flat whatever the size of the answer.
pub fn json_stream(
    rx: tokio::sync::mpsc::Receiver<Result<Vec<u8>, fennec_store::StoreError>>,
) -> axum::response::Response {
    let chunks = futures_util::stream::unfold(rx, |mut rx| async move {
        match rx.recv().await {
            Some(Ok(bytes)) => Some((Ok::<_, std::io::Error>(bytes), rx)),
            Some(Err(e)) => {
                tracing::error!(cause = %e, "stream failed after the answer started");
                Some((Err(std::io::Error::other(e.to_string())), rx))
            }
            None => None,
        }
    });
    axum::response::Response::builder()
        .header(axum::http::header::CONTENT_TYPE, "application/json")
        .body(axum::body::Body::from_stream(chunks))
        .unwrap_or_else(|_| {
            axum::response::IntoResponse::into_response(crate::error::ApiError::internal(
                "cannot build a streamed answer",
            ))
        })
}
