//! The production hierarchy as Zou's create routes make it (episodes,
//! sequences, shots, scenes, edits get-or-create; assets always new) and
//! Zou's full view of a shot or an asset.

use fennec_api::models::{self, Kind};
use fennec_store::db::Exec;
use fennec_store::defaults;
use fennec_store::rows::{self, Filter, Row, Select};
use fennec_store::SqlValue;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::present::{id_of, uuid_field, EntityTypes};

pub(crate) fn col(name: &str) -> &'static fennec_api::models::Column {
    models::ENTITY.column(name).expect("entity column")
}

/// Finds the entity of `kind` named `name` under `parent` in `project`, or
/// creates it. Zou's create routes for episodes and sequences are
/// get-or-create, and gazu looks shots and assets up by name first.
/// Zou's `get_full_shot` / `get_full_asset`: the entity with its names,
/// its (empty) casting links and its tasks in short — as Zou writes them,
/// quirks included (an asset's missing episode and preview are "", its
/// `ready_for` is Python's "None").
pub(crate) async fn full_entity(exec: &mut impl Exec, row: &mut Row, shot: bool) -> ApiResult<()> {
    let name_of_row = |r: Option<Row>| {
        r.and_then(|r| r.get("name").cloned())
            .unwrap_or(Value::Null)
    };
    let project = match uuid_field(row, "project_id") {
        Some(p) => rows::get(exec, &models::PROJECT, p, false).await?,
        None => None,
    };
    row.insert("project_name".into(), name_of_row(project));
    // The casting links, both ways (Zou serialises the relations).
    let me = id_of(row);
    let ids = |v: Vec<Uuid>| Value::Array(v.iter().map(|u| Value::String(u.to_string())).collect());
    let entities_in = fennec_store::breakdown::entities_in(exec, me).await?;
    let entities_out = fennec_store::breakdown::entities_out(exec, me).await?;
    row.insert("entities_in".into(), ids(entities_in));
    row.insert("entities_out".into(), ids(entities_out));
    for k in ["entity_concept_links", "instance_casting"] {
        row.insert(k.into(), Value::Array(vec![]));
    }
    if shot {
        let sequence = match uuid_field(row, "parent_id") {
            Some(s) => rows::get(exec, &models::ENTITY, s, false).await?,
            None => None,
        };
        let episode = match sequence.as_ref().and_then(|s| uuid_field(s, "parent_id")) {
            Some(e) => rows::get(exec, &models::ENTITY, e, false).await?,
            None => None,
        };
        row.insert(
            "sequence_id".into(),
            row.get("parent_id").cloned().unwrap_or(Value::Null),
        );
        row.insert("sequence_name".into(), name_of_row(sequence));
        row.insert(
            "episode_id".into(),
            episode.as_ref().map_or(Value::Null, |e| e["id"].clone()),
        );
        row.insert("episode_name".into(), name_of_row(episode));
        let data = row.get("data").cloned().unwrap_or(Value::Null);
        for k in ["fps", "frame_in", "frame_out"] {
            row.insert(k.into(), data.get(k).cloned().unwrap_or(Value::Null));
        }
    } else {
        let types = EntityTypes::load(exec).await?;
        let type_id = uuid_field(row, "entity_type_id");
        row.insert(
            "asset_type_id".into(),
            row.get("entity_type_id").cloned().unwrap_or(Value::Null),
        );
        row.insert(
            "asset_type_name".into(),
            type_id
                .and_then(|t| types.name(t))
                .map_or(Value::Null, |n| Value::String(n.to_owned())),
        );
        row.insert("casting_episode_ids".into(), Value::Array(vec![]));
        let source = row.shift_remove("source_id").unwrap_or(Value::Null);
        row.insert(
            "episode_id".into(),
            if source.is_null() {
                Value::String(String::new())
            } else {
                source
            },
        );
        if row.get("preview_file_id").is_none_or(Value::is_null) {
            row.insert("preview_file_id".into(), Value::String(String::new()));
        }
        let ready_for = row.get("ready_for").cloned().unwrap_or(Value::Null);
        row.insert(
            "ready_for".into(),
            if ready_for.is_null() {
                Value::String("None".into())
            } else {
                ready_for
            },
        );
        row.shift_remove("nb_frames");
    }
    let mut keys = vec![
        "data",
        "difficulty",
        "done_date",
        "due_date",
        "duration",
        "end_date",
        "entity_id",
        "estimation",
        "id",
        "last_comment_date",
        "last_preview_file_id",
    ];
    if shot {
        keys.extend(["nb_assets_ready", "nb_drawings"]);
    }
    keys.extend([
        "priority",
        "real_start_date",
        "retake_count",
        "start_date",
        "task_status_id",
        "task_type_id",
        "is_subscribed",
    ]);
    let tasks = short_tasks(exec, id_of(row), &keys).await?;
    row.insert("tasks".into(), Value::Array(tasks));
    Ok(())
}

/// An entity's tasks in short, as Zou's with-tasks views write them: the
/// assignees' ids, then `keys` in the caller's order; nobody is subscribed,
/// Fennec has no subscriptions yet.
async fn short_tasks(exec: &mut impl Exec, entity: Uuid, keys: &[&str]) -> ApiResult<Vec<Value>> {
    let select = Select {
        order: rows::Order::Created,
        ..Select::default().eq("entity_id", SqlValue::Uuid(entity))
    };
    let list = rows::list(exec, &models::TASK, &select, false).await?;
    let ids: Vec<Uuid> = list.iter().map(id_of).collect();
    let mut assigned = fennec_store::links::TASK_ASSIGNEES
        .rights_of_many(exec, &ids)
        .await?;
    let mut tasks = Vec::new();
    for t in list {
        let assignees = assigned.remove(&id_of(&t)).unwrap_or_default();
        let mut out = Map::new();
        out.insert(
            "assignees".into(),
            Value::Array(
                assignees
                    .iter()
                    .map(|a| Value::String(a.to_string()))
                    .collect(),
            ),
        );
        for k in keys {
            let v = if *k == "is_subscribed" {
                Value::Bool(false)
            } else {
                t.get(*k).cloned().unwrap_or(Value::Null)
            };
            out.insert((*k).into(), v);
        }
        tasks.push(Value::Object(out));
    }
    Ok(tasks)
}

/// Zou's `get_full_edit` (GET /data/edits/{id}): the edit's row of its
/// edits-with-tasks view, with its episode and production names.
pub(crate) async fn full_edit(exec: &mut impl Exec, edit: &Row) -> ApiResult<Row> {
    let name_of = |r: &Option<Row>| r.as_ref().and_then(|r| r.get("name").cloned());
    let episode = match uuid_field(edit, "parent_id") {
        Some(e) => rows::get(exec, &models::ENTITY, e, false).await?,
        None => None,
    };
    let project = match uuid_field(edit, "project_id") {
        Some(p) => rows::get(exec, &models::PROJECT, p, false).await?,
        None => None,
    };
    let field = |k: &str| edit.get(k).cloned().unwrap_or(Value::Null);
    let mut out = Map::new();
    for k in ["canceled", "data", "description", "entity_type_id"] {
        out.insert(k.into(), field(k));
    }
    out.insert(
        "episode_id".into(),
        episode.as_ref().map_or(Value::Null, |e| e["id"].clone()),
    );
    out.insert(
        "episode_name".into(),
        name_of(&episode).unwrap_or_else(|| Value::String(String::new())),
    );
    for k in ["id", "name", "parent_id", "preview_file_id", "project_id"] {
        out.insert(k.into(), field(k));
    }
    out.insert(
        "project_name".into(),
        name_of(&project).unwrap_or(Value::Null),
    );
    out.insert("source_id".into(), field("source_id"));
    out.insert("nb_entities_out".into(), field("nb_entities_out"));
    // Zou's field list (the edits board's), then what it adds to each task.
    let keys: Vec<&str> = crate::with_tasks::EDIT_TASK_FIELDS
        .iter()
        .copied()
        .chain(["is_subscribed"])
        .collect();
    let mut tasks = short_tasks(exec, id_of(edit), &keys).await?;
    for t in tasks.iter_mut() {
        if let Value::Object(m) = t {
            // Zou sets the assignees last.
            if let Some(a) = m.shift_remove("assignees") {
                m.insert("assignees".into(), a);
            }
        }
    }
    out.insert("tasks".into(), Value::Array(tasks));
    out.insert("type".into(), Value::String("Edit".into()));
    Ok(out)
}

pub async fn get_or_create_entity(
    exec: &mut impl Exec,
    project_id: Uuid,
    kind: &str,
    parent_id: Option<Uuid>,
    name: &str,
    body: &Map<String, Value>,
    created_by: Uuid,
) -> ApiResult<Row> {
    let entity_type = defaults::entity_type_id(exec, kind).await?;
    create_entity_of_type(
        exec,
        project_id,
        entity_type,
        kind,
        parent_id,
        name,
        body,
        created_by,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn create_entity_of_type(
    exec: &mut impl Exec,
    project_id: Uuid,
    entity_type: Uuid,
    kind: &str,
    parent_id: Option<Uuid>,
    name: &str,
    body: &Map<String, Value>,
    created_by: Uuid,
) -> ApiResult<Row> {
    let mut select = Select::default()
        .eq("project_id", SqlValue::Uuid(project_id))
        .eq("entity_type_id", SqlValue::Uuid(entity_type))
        .eq("name", SqlValue::Text(name.to_owned()));
    select = select.filter(match parent_id {
        Some(p) => Filter::Eq("parent_id", SqlValue::Uuid(p)),
        None => Filter::IsNull("parent_id"),
    });
    // Zou's asset creation creates whatever it is asked (gazu looks an
    // asset up by name first); the other kinds are get-or-create.
    if kind != "Asset" {
        if let Some(existing) = rows::list(exec, &models::ENTITY, &select, false)
            .await?
            .into_iter()
            .next()
        {
            return Ok(existing);
        }
    }
    let mut values = vec![
        (col("name"), SqlValue::Text(name.to_owned())),
        (col("project_id"), SqlValue::Uuid(project_id)),
        (col("entity_type_id"), SqlValue::Uuid(entity_type)),
        (col("created_by"), SqlValue::Uuid(created_by)),
    ];
    if let Some(p) = parent_id {
        values.push((col("parent_id"), SqlValue::Uuid(p)));
    }
    // Zou fills an empty description for episodes, sequences, assets and
    // edits (their schemas' default); shots and scenes keep none.
    if matches!(kind, "Episode" | "Sequence" | "Asset" | "Edit") {
        values.push((col("description"), SqlValue::Text(String::new())));
    }
    for key in [
        "description",
        "data",
        "nb_frames",
        "is_shared",
        "source_id",
        "status",
        "code",
    ] {
        if let Some(v) = body.get(key) {
            let c = col(key);
            if v.is_null() && c.kind != Kind::Json {
                continue;
            }
            let v = SqlValue::from_json(c, v).map_err(|_| {
                let m = match c.kind {
                    Kind::Int => {
                        "Input should be a valid integer, unable to parse string as an integer"
                    }
                    Kind::Bool => "Input should be a valid boolean",
                    _ => "Input should be a valid string",
                };
                ApiError::validation(vec![(key.to_owned(), m.to_owned())])
            })?;
            values.retain(|(existing, _)| existing.name != key);
            if !(key == "data" && v.is_null()) {
                values.push((c, v));
            }
        }
    }
    let mut row = rows::insert(exec, &models::ENTITY, values).await?;
    // Zou's `<kind>:new`, sent when the caller's transaction commits.
    crate::events::entity_created(exec, created_by, kind, &row).await?;
    row.insert("type".into(), Value::String(kind.to_owned()));
    Ok(row)
}
