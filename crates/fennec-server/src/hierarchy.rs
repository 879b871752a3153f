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
    for k in [
        "entities_in",
        "entities_out",
        "entity_concept_links",
        "instance_casting",
    ] {
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
    let id = id_of(row);
    let select = Select {
        order: rows::Order::Created,
        ..Select::default().eq("entity_id", SqlValue::Uuid(id))
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
        ]);
        for k in keys {
            out.insert(k.into(), t.get(k).cloned().unwrap_or(Value::Null));
        }
        out.insert("is_subscribed".into(), Value::Bool(false));
        tasks.push(Value::Object(out));
    }
    row.insert("tasks".into(), Value::Array(tasks));
    Ok(())
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
    row.insert("type".into(), Value::String(kind.to_owned()));
    Ok(row)
}
