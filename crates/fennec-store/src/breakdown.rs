//! Zou's breakdown (`breakdown_service`): the entity links that make the
//! casting of shots, assets and episodes, their `nb_entities_out` counters
//! and the episode links Zou mirrors from the casting of its shots.
//!
//! Policy: a link row and the counters it changes are written in the
//! caller's transaction. Zou keeps `nb_entities_out` equal to the number of
//! live (not canceled) assets cast, except on episodes, whose counter it
//! moves by one when it mirrors a shot's link; both are followed here.

use serde_json::{json, Map, Value};
use sqlx::types::Json;
use uuid::Uuid;

use crate::db::Exec;
use crate::{on, Result};

/// The assets cast, joined with what Zou's casting lists show of them.
const CAST_SELECT: &str = "SELECT l.entity_in_id, l.entity_out_id, l.nb_occurences, l.label, \
    a.name, t.name, a.preview_file_id, a.source_id, a.ready_for, a.is_shared, a.project_id \
    FROM entity_links l JOIN entities a ON a.id = l.entity_out_id \
    JOIN entity_types t ON t.id = a.entity_type_id";
const LIVE: &str = "COALESCE(a.canceled, FALSE) = FALSE";

type CastTuple = (
    Uuid,
    Uuid,
    Option<i64>,
    Option<String>,
    String,
    String,
    Option<Uuid>,
    Option<Uuid>,
    Option<Uuid>,
    Option<bool>,
    Uuid,
);

/// One asset cast in an entity (a row of Zou's casting lists).
#[derive(Clone, Debug)]
pub struct Cast {
    pub entity_in_id: Uuid,
    pub asset_id: Uuid,
    pub nb_occurences: Option<i64>,
    pub label: Option<String>,
    pub asset_name: String,
    pub asset_type_name: String,
    pub preview_file_id: Option<Uuid>,
    pub source_id: Option<Uuid>,
    pub ready_for: Option<Uuid>,
    pub is_shared: bool,
    pub project_id: Uuid,
    /// Only filled by the sequence castings.
    pub sequence_name: Option<String>,
}

fn id(v: Option<Uuid>) -> Value {
    v.map_or(Value::Null, |u| Value::String(u.to_string()))
}

impl Cast {
    fn from_tuple(t: CastTuple) -> Self {
        Cast {
            entity_in_id: t.0,
            asset_id: t.1,
            nb_occurences: t.2,
            label: t.3,
            asset_name: t.4,
            asset_type_name: t.5,
            preview_file_id: t.6,
            source_id: t.7,
            ready_for: t.8,
            is_shared: t.9.unwrap_or(false),
            project_id: t.10,
            sequence_name: None,
        }
    }

    /// Zou's `get_casting` row (a shot's or an asset's casting).
    pub fn casting_row(&self) -> Value {
        json!({
            "asset_id": self.asset_id.to_string(),
            "asset_name": self.asset_name,
            "asset_type_name": self.asset_type_name,
            "ready_for": id(self.ready_for),
            "episode_id": id(self.source_id),
            "preview_file_id": id(self.preview_file_id),
            "nb_occurences": self.nb_occurences,
            "label": self.label,
            "is_shared": self.is_shared,
            "project_id": self.project_id.to_string(),
        })
    }

    /// A row of Zou's grouped castings: `name` repeats `asset_name`; the
    /// sequence castings add `sequence_name`, the asset type casting drops
    /// `is_shared` and `project_id` (each query of Zou's picks its own).
    pub fn grouped_row(&self, sequence: bool, shared: bool) -> Value {
        let mut m = Map::new();
        m.insert("asset_id".into(), json!(self.asset_id.to_string()));
        m.insert("name".into(), json!(self.asset_name));
        m.insert("asset_name".into(), json!(self.asset_name));
        m.insert("asset_type_name".into(), json!(self.asset_type_name));
        if sequence {
            m.insert("sequence_name".into(), json!(self.sequence_name));
        }
        m.insert("preview_file_id".into(), id(self.preview_file_id));
        m.insert("nb_occurences".into(), json!(self.nb_occurences));
        m.insert("label".into(), json!(self.label));
        if shared {
            m.insert("is_shared".into(), json!(self.is_shared));
            m.insert("project_id".into(), json!(self.project_id.to_string()));
        }
        Value::Object(m)
    }
}

/// Groups casts by the entity they are cast in, keeping the query's order
/// (Zou builds a dict in that order).
pub fn group(casts: Vec<Cast>, row: impl Fn(&Cast) -> Value) -> Map<String, Value> {
    let mut out = Map::new();
    for c in casts {
        let v = row(&c);
        match out
            .entry(c.entity_in_id.to_string())
            .or_insert_with(|| Value::Array(vec![]))
        {
            Value::Array(a) => a.push(v),
            _ => unreachable!("groups are arrays"),
        }
    }
    out
}

/// Zou's `get_casting`: the live assets cast in `entity`, by type name then
/// name.
pub async fn casting(exec: &mut impl Exec, entity: Uuid) -> Result<Vec<Cast>> {
    let sql = format!(
        "{CAST_SELECT} WHERE l.entity_in_id = $1 AND {LIVE} ORDER BY t.name, a.name, a.seq"
    );
    let rows: Vec<CastTuple> =
        on!(exec, c => sqlx::query_as(&sql).bind(entity).fetch_all(&mut *c).await?);
    Ok(rows.into_iter().map(Cast::from_tuple).collect())
}

/// Zou's `get_production_episodes_casting`. Its query joins any entity of
/// the production as the casting side (not only episodes), so shots and
/// assets with a casting show up too.
pub async fn project_in_castings(exec: &mut impl Exec, project: Uuid) -> Result<Vec<Cast>> {
    let sql = format!(
        "{CAST_SELECT} JOIN entities e ON e.id = l.entity_in_id \
         WHERE e.project_id = $1 AND {LIVE} ORDER BY t.name, a.name, a.seq, l.seq"
    );
    let rows: Vec<CastTuple> =
        on!(exec, c => sqlx::query_as(&sql).bind(project).fetch_all(&mut *c).await?);
    Ok(rows.into_iter().map(Cast::from_tuple).collect())
}

/// Zou's `get_asset_type_casting`: castings of the assets of one type.
pub async fn asset_type_castings(
    exec: &mut impl Exec,
    project: Uuid,
    asset_type: Uuid,
) -> Result<Vec<Cast>> {
    let sql = format!(
        "{CAST_SELECT} JOIN entities e ON e.id = l.entity_in_id \
         WHERE e.project_id = $1 AND e.entity_type_id = $2 AND {LIVE} \
         ORDER BY t.name, a.name, a.seq, l.seq"
    );
    let rows: Vec<CastTuple> = on!(exec, c => sqlx::query_as(&sql)
        .bind(project).bind(asset_type).fetch_all(&mut *c).await?);
    Ok(rows.into_iter().map(Cast::from_tuple).collect())
}

/// Which shots a sequence casting covers.
#[derive(Clone, Copy, Debug)]
pub enum Shots {
    OfSequence(Uuid),
    OfProject(Uuid),
    OfEpisode(Uuid, Uuid),
}

/// Zou's `get_sequence_casting` / `get_all_sequences_casting`: the castings
/// of the entities whose parent is a sequence (shots), by sequence name,
/// shot name, asset type name and asset name.
pub async fn shot_castings(exec: &mut impl Exec, which: Shots) -> Result<Vec<Cast>> {
    let (cond, a, b) = match which {
        Shots::OfSequence(s) => ("s.parent_id = $1", s, None),
        Shots::OfProject(p) => ("s.project_id = $1", p, None),
        Shots::OfEpisode(p, e) => ("s.project_id = $1 AND q.parent_id = $2", p, Some(e)),
    };
    let sql = format!(
        "SELECT l.entity_in_id, l.entity_out_id, l.nb_occurences, l.label, \
         a.name, t.name, a.preview_file_id, a.source_id, a.ready_for, a.is_shared, a.project_id, \
         q.name FROM entity_links l JOIN entities s ON s.id = l.entity_in_id \
         JOIN entities q ON q.id = s.parent_id \
         JOIN entities a ON a.id = l.entity_out_id JOIN entity_types t ON t.id = a.entity_type_id \
         WHERE {cond} AND {LIVE} ORDER BY q.name, s.name, t.name, a.name, a.seq, l.seq"
    );
    type Tuple = (
        Uuid,
        Uuid,
        Option<i64>,
        Option<String>,
        String,
        String,
        Option<Uuid>,
        Option<Uuid>,
        Option<Uuid>,
        Option<bool>,
        Uuid,
        String,
    );
    let rows: Vec<Tuple> = on!(exec, c => {
        let q = sqlx::query_as(&sql).bind(a);
        let q = match b { Some(b) => q.bind(b), None => q };
        q.fetch_all(&mut *c).await?
    });
    Ok(rows
        .into_iter()
        .map(|t| {
            let mut cast =
                Cast::from_tuple((t.0, t.1, t.2, t.3, t.4, t.5, t.6, t.7, t.8, t.9, t.10));
            cast.sequence_name = Some(t.11);
            cast
        })
        .collect())
}

/// Zou's `get_cast_in`: the live shots (entities under a sequence) an asset
/// is cast in, by episode, sequence and shot name; then the live assets it
/// is cast in, by type name and name.
pub async fn cast_in(exec: &mut impl Exec, asset: Uuid) -> Result<Vec<Value>> {
    let sql = "SELECT l.entity_in_id, s.name, q.name, ep.id, ep.name, s.preview_file_id, \
               l.nb_occurences FROM entity_links l JOIN entities s ON s.id = l.entity_in_id \
               JOIN entities q ON q.id = s.parent_id LEFT JOIN entities ep ON ep.id = q.parent_id \
               WHERE l.entity_out_id = $1 AND COALESCE(s.canceled, FALSE) = FALSE \
               ORDER BY ep.name, q.name, s.name, s.seq";
    type Shot = (
        Uuid,
        String,
        String,
        Option<Uuid>,
        Option<String>,
        Option<Uuid>,
        Option<i64>,
    );
    let shots: Vec<Shot> =
        on!(exec, c => sqlx::query_as(sql).bind(asset).fetch_all(&mut *c).await?);
    let mut out: Vec<Value> = shots
        .into_iter()
        .map(|s| {
            json!({
                "shot_id": s.0.to_string(),
                "shot_name": s.1,
                "sequence_name": s.2,
                // Zou writes str(episode_id): "None" without an episode.
                "episode_id": s.3.map_or("None".to_owned(), |e| e.to_string()),
                "episode_name": s.4,
                "preview_file_id": id(s.5),
                "nb_occurences": s.6,
            })
        })
        .collect();
    let sql = "SELECT l.entity_in_id, e.name, t.name, e.preview_file_id, l.nb_occurences \
               FROM entity_links l JOIN entities e ON e.id = l.entity_in_id \
               JOIN entity_types t ON t.id = e.entity_type_id \
               WHERE l.entity_out_id = $1 AND COALESCE(e.canceled, FALSE) = FALSE \
               AND t.name NOT IN ('Shot', 'Sequence', 'Episode', 'Scene', 'Edit', 'Concept') \
               ORDER BY t.name, e.name, e.seq";
    type Asset = (Uuid, String, String, Option<Uuid>, Option<i64>);
    let assets: Vec<Asset> =
        on!(exec, c => sqlx::query_as(sql).bind(asset).fetch_all(&mut *c).await?);
    out.extend(assets.into_iter().map(|a| {
        json!({
            "asset_id": a.0.to_string(),
            "asset_name": a.1,
            "asset_type_name": a.2,
            "preview_file_id": id(a.3),
            "nb_occurences": a.4,
        })
    }));
    Ok(out)
}

/// One link row.
#[derive(Clone, Debug)]
pub struct Link {
    pub id: Uuid,
    pub entity_in_id: Uuid,
    pub entity_out_id: Uuid,
    pub nb_occurences: Option<i64>,
    pub label: Option<String>,
    pub data: Option<Value>,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

type LinkTuple = (
    Uuid,
    Uuid,
    Uuid,
    Option<i64>,
    Option<String>,
    Option<Json<Value>>,
    chrono::NaiveDateTime,
    chrono::NaiveDateTime,
);

const LINK_SELECT: &str = "SELECT l.id, l.entity_in_id, l.entity_out_id, l.nb_occurences, \
    l.label, l.data, l.created_at, l.updated_at FROM entity_links l";

impl Link {
    fn from_tuple(t: LinkTuple) -> Self {
        Link {
            id: t.0,
            entity_in_id: t.1,
            entity_out_id: t.2,
            nb_occurences: t.3,
            label: t.4,
            data: t.5.map(|j| j.0),
            created_at: t.6,
            updated_at: t.7,
        }
    }

    /// Zou's `EntityLink.serialize()`.
    pub fn serialize(&self) -> Value {
        json!({
            "entity_in_id": self.entity_in_id.to_string(),
            "entity_out_id": self.entity_out_id.to_string(),
            "data": self.data,
            "nb_occurences": self.nb_occurences,
            "label": self.label,
            "id": self.id.to_string(),
            "created_at": fennec_api::time::format_datetime(&self.created_at),
            "updated_at": fennec_api::time::format_datetime(&self.updated_at),
            "type": "EntityLink",
        })
    }
}

/// The link from `entity_in` to `entity_out`, if any.
pub async fn link_between(
    exec: &mut impl Exec,
    entity_in: Uuid,
    entity_out: Uuid,
) -> Result<Option<Link>> {
    let sql = format!("{LINK_SELECT} WHERE l.entity_in_id = $1 AND l.entity_out_id = $2");
    let row: Option<LinkTuple> = on!(exec, c => sqlx::query_as(&sql)
        .bind(entity_in).bind(entity_out).fetch_optional(&mut *c).await?);
    Ok(row.map(Link::from_tuple))
}

pub async fn link(exec: &mut impl Exec, id: Uuid) -> Result<Option<Link>> {
    let sql = format!("{LINK_SELECT} WHERE l.id = $1");
    let row: Option<LinkTuple> =
        on!(exec, c => sqlx::query_as(&sql).bind(id).fetch_optional(&mut *c).await?);
    Ok(row.map(Link::from_tuple))
}

/// Zou's `get_entity_links_for_project`: the links whose casting side is of
/// the production, by creation.
pub async fn project_links(
    exec: &mut impl Exec,
    project: Uuid,
    limit: Option<i64>,
) -> Result<Vec<Link>> {
    let sql = format!(
        "{LINK_SELECT} JOIN entities e ON e.id = l.entity_in_id WHERE e.project_id = $1 \
         ORDER BY l.created_at, l.seq LIMIT $2"
    );
    let rows: Vec<LinkTuple> = on!(exec, c => sqlx::query_as(&sql)
        .bind(project).bind(limit.unwrap_or(i64::MAX)).fetch_all(&mut *c).await?);
    Ok(rows.into_iter().map(Link::from_tuple).collect())
}

/// The assets linked from `entity` (Zou's `entities_out`), canceled or not.
pub async fn entities_out(exec: &mut impl Exec, entity: Uuid) -> Result<Vec<Uuid>> {
    Ok(on!(exec, c => sqlx::query_scalar(
        "SELECT entity_out_id FROM entity_links WHERE entity_in_id = $1 ORDER BY seq")
        .bind(entity).fetch_all(&mut *c).await?))
}

/// The entities linking to `entity` (Zou's `entities_in`).
pub async fn entities_in(exec: &mut impl Exec, entity: Uuid) -> Result<Vec<Uuid>> {
    Ok(on!(exec, c => sqlx::query_scalar(
        "SELECT entity_in_id FROM entity_links WHERE entity_out_id = $1 ORDER BY seq")
        .bind(entity).fetch_all(&mut *c).await?))
}

/// Inserts a link (Zou's `EntityLink.create`).
pub async fn insert_link(
    exec: &mut impl Exec,
    entity_in: Uuid,
    entity_out: Uuid,
    nb_occurences: i64,
    label: &str,
    data: Option<Value>,
) -> Result<Uuid> {
    let now = fennec_api::time::now();
    // The id is returned for Zou's `entity-link:new` event.
    let id = Uuid::new_v4();
    on!(exec, c => sqlx::query(
        "INSERT INTO entity_links (id, entity_in_id, entity_out_id, nb_occurences, label, data, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)")
        .bind(id)
        .bind(entity_in)
        .bind(entity_out)
        .bind(nb_occurences)
        .bind(label)
        .bind(data.map(Json))
        .bind(now)
        .execute(&mut *c).await?.rows_affected());
    Ok(id)
}

pub async fn update_link(
    exec: &mut impl Exec,
    link: Uuid,
    nb_occurences: i64,
    label: &str,
) -> Result<()> {
    let now = fennec_api::time::now();
    on!(exec, c => sqlx::query(
        "UPDATE entity_links SET nb_occurences = $1, label = $2, updated_at = $3 WHERE id = $4")
        .bind(nb_occurences).bind(label).bind(now).bind(link)
        .execute(&mut *c).await?.rows_affected());
    Ok(())
}

pub async fn delete_link(exec: &mut impl Exec, link: Uuid) -> Result<()> {
    on!(exec, c => sqlx::query("DELETE FROM entity_links WHERE id = $1")
        .bind(link).execute(&mut *c).await?.rows_affected());
    Ok(())
}

/// Drops every link from `entity` (Zou's `entity.update({"entities_out": []})`).
pub async fn clear_links(exec: &mut impl Exec, entity: Uuid) -> Result<()> {
    on!(exec, c => sqlx::query("DELETE FROM entity_links WHERE entity_in_id = $1")
        .bind(entity).execute(&mut *c).await?.rows_affected());
    Ok(())
}

/// Links of `asset` from any of the shots of `episode` (their sequence's
/// parent), as (link, shot).
pub async fn episode_shot_links(
    exec: &mut impl Exec,
    episode: Uuid,
    asset: Uuid,
) -> Result<Vec<(Uuid, Uuid)>> {
    Ok(on!(exec, c => sqlx::query_as(
        "SELECT l.id, l.entity_in_id FROM entity_links l \
         JOIN entities s ON s.id = l.entity_in_id JOIN entities q ON q.id = s.parent_id \
         JOIN entity_types t ON t.id = s.entity_type_id \
         WHERE q.parent_id = $1 AND l.entity_out_id = $2 AND t.name = 'Shot' ORDER BY l.seq")
        .bind(episode).bind(asset).fetch_all(&mut *c).await?))
}

/// Sets `nb_entities_out` to the live assets cast (Zou's
/// `_count_live_links`), returning it.
pub async fn refresh_count(exec: &mut impl Exec, entity: Uuid) -> Result<i64> {
    let n: i64 = on!(exec, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM entity_links l JOIN entities a ON a.id = l.entity_out_id \
         WHERE l.entity_in_id = $1 AND COALESCE(a.canceled, FALSE) = FALSE")
        .bind(entity).fetch_one(&mut *c).await?);
    set_count(exec, entity, n).await?;
    Ok(n)
}

/// Moves an episode's counter by `delta` (never below 0), as Zou does for
/// the links it mirrors from the shots.
pub async fn shift_count(exec: &mut impl Exec, entity: Uuid, delta: i64) -> Result<()> {
    let now = fennec_api::time::now();
    on!(exec, c => sqlx::query(
        "UPDATE entities SET nb_entities_out = CASE WHEN COALESCE(nb_entities_out, 0) + $1 < 0 \
         THEN 0 ELSE COALESCE(nb_entities_out, 0) + $1 END, updated_at = $2 WHERE id = $3")
        .bind(delta).bind(now).bind(entity)
        .execute(&mut *c).await?.rows_affected());
    Ok(())
}

/// An entity's `nb_entities_out` as stored (0 when unset), the value
/// Zou's casting events carry.
pub async fn count(exec: &mut impl Exec, entity: Uuid) -> Result<i64> {
    let n: Option<i64> = on!(exec, c => sqlx::query_scalar(
        "SELECT CAST(COALESCE(nb_entities_out, 0) AS BIGINT) FROM entities WHERE id = $1")
        .bind(entity).fetch_optional(&mut *c).await?);
    Ok(n.unwrap_or(0))
}

pub async fn set_count(exec: &mut impl Exec, entity: Uuid, n: i64) -> Result<()> {
    let now = fennec_api::time::now();
    on!(exec, c => sqlx::query(
        "UPDATE entities SET nb_entities_out = $1, updated_at = $2 WHERE id = $3")
        .bind(n).bind(now).bind(entity)
        .execute(&mut *c).await?.rows_affected());
    Ok(())
}

/// Links a concept to the entity it depicts (Zou's `entity_concept_links`).
pub async fn insert_concept_link(exec: &mut impl Exec, concept: Uuid, entity: Uuid) -> Result<()> {
    let now = fennec_api::time::now();
    on!(exec, c => sqlx::query(
        "INSERT INTO entity_concept_links (id, entity_in_id, entity_out_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $4) ON CONFLICT DO NOTHING")
        .bind(Uuid::new_v4()).bind(concept).bind(entity).bind(now)
        .execute(&mut *c).await?.rows_affected());
    Ok(())
}

/// The entities a concept is linked to.
pub async fn concept_links_out(exec: &mut impl Exec, concept: Uuid) -> Result<Vec<Uuid>> {
    Ok(on!(exec, c => sqlx::query_scalar(
        "SELECT entity_out_id FROM entity_concept_links WHERE entity_in_id = $1 ORDER BY seq")
        .bind(concept).fetch_all(&mut *c).await?))
}

/// The asset instances in a shot's instance casting, in the order added.
pub async fn shot_instances(exec: &mut impl Exec, shot: Uuid) -> Result<Vec<Uuid>> {
    Ok(on!(exec, c => sqlx::query_scalar(
        "SELECT asset_instance_id FROM asset_instance_link WHERE entity_id = $1 ORDER BY seq")
        .bind(shot).fetch_all(&mut *c).await?))
}

pub async fn link_instance(exec: &mut impl Exec, shot: Uuid, instance: Uuid) -> Result<()> {
    on!(exec, c => sqlx::query(
        "INSERT INTO asset_instance_link (entity_id, asset_instance_id) VALUES ($1, $2) \
         ON CONFLICT DO NOTHING")
        .bind(shot).bind(instance).execute(&mut *c).await?.rows_affected());
    Ok(())
}

pub async fn unlink_instance(exec: &mut impl Exec, shot: Uuid, instance: Uuid) -> Result<()> {
    on!(exec, c => sqlx::query(
        "DELETE FROM asset_instance_link WHERE entity_id = $1 AND asset_instance_id = $2")
        .bind(shot).bind(instance).execute(&mut *c).await?.rows_affected());
    Ok(())
}

/// The shots whose instance casting holds an instance.
pub async fn instance_shots(exec: &mut impl Exec, instance: Uuid) -> Result<Vec<Uuid>> {
    Ok(on!(exec, c => sqlx::query_scalar(
        "SELECT entity_id FROM asset_instance_link WHERE asset_instance_id = $1 ORDER BY seq")
        .bind(instance).fetch_all(&mut *c).await?))
}

/// What Zou's `_is_asset_ready` reads of an asset cast in a shot.
#[derive(Clone, Debug)]
pub struct Readiness {
    pub canceled: bool,
    pub is_shared: bool,
    pub project_id: Uuid,
    pub ready_for: Option<Uuid>,
}

/// The assets linked from `entity`, canceled ones included: Zou's
/// `get_entity_casting` reads `entities_out` unfiltered and lets
/// `_is_asset_ready` turn the canceled ones down.
pub async fn casting_readiness(exec: &mut impl Exec, entity: Uuid) -> Result<Vec<Readiness>> {
    type R = (Option<bool>, Option<bool>, Uuid, Option<Uuid>);
    let rows: Vec<R> = on!(exec, c => sqlx::query_as(
        "SELECT a.canceled, a.is_shared, a.project_id, a.ready_for FROM entity_links l \
         JOIN entities a ON a.id = l.entity_out_id WHERE l.entity_in_id = $1 ORDER BY l.seq")
        .bind(entity).fetch_all(&mut *c).await?);
    Ok(rows
        .into_iter()
        .map(|(canceled, shared, project_id, ready_for)| Readiness {
            canceled: canceled.unwrap_or(false),
            is_shared: shared.unwrap_or(false),
            project_id,
            ready_for,
        })
        .collect())
}

/// Zou's `_get_task_type_priority_map`: the production's priority of each
/// of its shot task types (the pipeline order `ready_for` is measured on).
pub async fn shot_type_priorities(
    exec: &mut impl Exec,
    project: Uuid,
) -> Result<std::collections::HashMap<Uuid, Option<i64>>> {
    let rows: Vec<(Uuid, Option<i64>)> = on!(exec, c => sqlx::query_as(
        "SELECT l.task_type_id, CAST(l.priority AS BIGINT) FROM project_task_type_link l \
         JOIN task_types t ON t.id = l.task_type_id \
         WHERE l.project_id = $1 AND t.for_entity = 'Shot'")
        .bind(project).fetch_all(&mut *c).await?);
    Ok(rows.into_iter().collect())
}

/// An entity's tasks as the casting stats need them: id, task type and
/// production.
pub async fn entity_tasks(exec: &mut impl Exec, entity: Uuid) -> Result<Vec<(Uuid, Uuid, Uuid)>> {
    Ok(on!(exec, c => sqlx::query_as(
        "SELECT id, task_type_id, project_id FROM tasks WHERE entity_id = $1 ORDER BY seq")
        .bind(entity).fetch_all(&mut *c).await?))
}

/// Stores a task's `nb_assets_ready` (Zou's `task.update`, which also
/// moves `updated_at`).
pub async fn set_nb_assets_ready(exec: &mut impl Exec, task: Uuid, n: i64) -> Result<()> {
    let now = fennec_api::time::now();
    on!(exec, c => sqlx::query(
        "UPDATE tasks SET nb_assets_ready = $1, updated_at = $2 WHERE id = $3")
        .bind(n).bind(now).bind(task)
        .execute(&mut *c).await?.rows_affected());
    Ok(())
}
