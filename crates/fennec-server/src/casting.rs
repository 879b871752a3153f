//! Zou's `breakdown_service` writes: the casting of shots, assets and
//! episodes (entity links), with the live events Zou emits for them.
//!
//! Rules followed: a new casting replaces the old one; casting an asset in
//! a shot casts it in the shot's episode too (a link flagged
//! `{"auto": true}`), and the episode loses it again when no shot of it has
//! the asset and the link was such a mirror; an episode's own casting drops
//! the assets it loses from its shots; `nb_entities_out` is recounted after
//! every change.
//!
//! Events, in Zou's order and with its payloads (all carry `project_id`):
//! `entity-link:new` / `entity-link:update` per link written, `asset:update`
//! for an asset that joins or leaves an episode, then one
//! `shot:casting-update`, `episode:casting-update` or `asset:casting-update`
//! per entity whose casting changed, with `nb_entities_out` and the
//! `added_asset_ids` / `removed_asset_ids` diff (sorted, as Zou sorts them).
//! A shot's casting change first refreshes its tasks' `nb_assets_ready`
//! (casting_stats.rs), as Zou does before its `shot:casting-update`.

use std::collections::{BTreeSet, HashSet};

use fennec_api::models;
use fennec_store::breakdown as bd;
use fennec_store::db::Exec;
use fennec_store::rows::{self, Row};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::present::{uuid_field, EntityTypes};

/// Who writes, in which production: what every casting event carries.
#[derive(Clone, Copy)]
pub struct Writer {
    pub caller: Uuid,
    pub project: Uuid,
}

impl Writer {
    async fn emit(&self, exec: &mut impl Exec, name: &str, data: Value) -> ApiResult<()> {
        crate::events::emit(exec, Some(self.caller), name, data, Some(self.project)).await
    }

    /// Zou's `asset:update`, sent when an asset joins or leaves an episode
    /// (the episode's asset list is drawn from its casting).
    async fn asset_updated(&self, exec: &mut impl Exec, asset: Uuid) -> ApiResult<()> {
        self.emit(
            exec,
            "asset:update",
            json!({ "asset_id": asset.to_string() }),
        )
        .await
    }

    /// Zou's `<kind>:casting-update`: `shot`, `episode`, else `asset` (any
    /// other kind is announced as an asset, as Zou does).
    async fn casting_updated(
        &self,
        exec: &mut impl Exec,
        target: &Target,
        added: &[Uuid],
        removed: &[Uuid],
    ) -> ApiResult<()> {
        let kind = match target.kind.as_str() {
            "Shot" => "shot",
            "Episode" => "episode",
            _ => "asset",
        };
        let ids = |l: &[Uuid]| {
            let sorted: BTreeSet<String> = l.iter().map(Uuid::to_string).collect();
            Value::from(sorted.into_iter().collect::<Vec<_>>())
        };
        let data = json!({
            format!("{kind}_id"): target.id.to_string(),
            "nb_entities_out": bd::count(exec, target.id).await?,
            "added_asset_ids": ids(added),
            "removed_asset_ids": ids(removed),
        });
        self.emit(exec, &format!("{kind}:casting-update"), data)
            .await
    }
}

/// An entity as the casting logic needs it: id, kind and parent.
pub struct Target {
    pub id: Uuid,
    pub kind: String,
    pub parent: Option<Uuid>,
}

impl Target {
    pub fn of(row: &Row, types: &EntityTypes) -> Target {
        Target {
            id: uuid_field(row, "id").expect("entity id"),
            kind: uuid_field(row, "entity_type_id")
                .map_or("Entity", |t| types.kind(t))
                .to_owned(),
            parent: uuid_field(row, "parent_id"),
        }
    }
}

async fn entity(exec: &mut impl Exec, id: Uuid) -> ApiResult<Row> {
    rows::get(exec, &models::ENTITY, id, false)
        .await?
        .ok_or_else(ApiError::not_found)
}

/// The episode of a shot (its sequence's parent), if any.
async fn episode_of_shot(exec: &mut impl Exec, shot: &Target) -> ApiResult<Option<Uuid>> {
    let Some(sequence) = shot.parent else {
        return Ok(None);
    };
    Ok(rows::get(exec, &models::ENTITY, sequence, false)
        .await?
        .and_then(|s| uuid_field(&s, "parent_id")))
}

/// Zou's `_create_episode_casting_link`: an asset cast in a shot is cast in
/// the shot's episode too, once, flagged as a mirror; the asset is
/// announced (`asset:update`), the mirror link is not.
async fn mirror_in_episode(
    exec: &mut impl Exec,
    w: &Writer,
    target: &Target,
    asset: Uuid,
    label: &str,
) -> ApiResult<()> {
    if target.kind != "Shot" {
        return Ok(());
    }
    if let Some(episode) = episode_of_shot(exec, target).await? {
        if bd::link_between(exec, episode, asset).await?.is_none() {
            bd::insert_link(exec, episode, asset, 1, label, Some(json!({"auto": true}))).await?;
            bd::shift_count(exec, episode, 1).await?;
            w.asset_updated(exec, asset).await?;
        }
    }
    Ok(())
}

/// Zou's `create_casting_link`: `entity-link:update` for a link that
/// existed, else the episode mirror then `entity-link:new`.
async fn set_link(
    exec: &mut impl Exec,
    w: &Writer,
    target: &Target,
    asset: Uuid,
    nb_occurences: i64,
    label: &str,
) -> ApiResult<()> {
    match bd::link_between(exec, target.id, asset).await? {
        Some(link) => {
            bd::update_link(exec, link.id, nb_occurences, label).await?;
            let data = json!({
                "entity_link_id": link.id.to_string(),
                "nb_occurences": nb_occurences,
            });
            w.emit(exec, "entity-link:update", data).await?;
        }
        None => {
            mirror_in_episode(exec, w, target, asset, label).await?;
            let id = bd::insert_link(exec, target.id, asset, nb_occurences, label, None).await?;
            let data = json!({
                "entity_link_id": id.to_string(),
                "entity_in_id": target.id.to_string(),
                "entity_out_id": asset.to_string(),
                "nb_occurences": nb_occurences,
            });
            w.emit(exec, "entity-link:new", data).await?;
        }
    }
    Ok(())
}

/// Zou's `_remove_asset_from_episode_shots`: each shot of the episode loses
/// the asset. Zou refreshes the shot's casting stats (a `shot:casting-update`
/// with an empty diff when the count moved) and then announces the removal.
async fn remove_from_episode_shots(
    exec: &mut impl Exec,
    w: &Writer,
    episode: Uuid,
    asset: Uuid,
) -> ApiResult<()> {
    for (link, shot) in bd::episode_shot_links(exec, episode, asset).await? {
        bd::delete_link(exec, link).await?;
        crate::casting_stats::refresh_shot(exec, w.caller, w.project, shot, None, None).await?;
        let target = Target {
            id: shot,
            kind: "Shot".into(),
            parent: None,
        };
        w.casting_updated(exec, &target, &[], &[asset]).await?;
    }
    Ok(())
}

/// Zou's `_announce_casting_change`: the counter recounted, the change
/// announced, and the episode's mirror links of the assets a shot lost
/// dropped when no other shot of the episode has them.
async fn announce(
    exec: &mut impl Exec,
    w: &Writer,
    target: &Target,
    added: &[Uuid],
    removed: &[Uuid],
) -> ApiResult<()> {
    bd::refresh_count(exec, target.id).await?;
    if target.kind == "Shot" {
        crate::casting_stats::refresh_shot(exec, w.caller, w.project, target.id, None, None)
            .await?;
    }
    w.casting_updated(exec, target, added, removed).await?;
    if target.kind != "Shot" || removed.is_empty() {
        return Ok(());
    }
    let Some(episode) = episode_of_shot(exec, target).await? else {
        return Ok(());
    };
    for asset in removed {
        if !bd::episode_shot_links(exec, episode, *asset)
            .await?
            .is_empty()
        {
            continue;
        }
        let Some(link) = bd::link_between(exec, episode, *asset).await? else {
            continue;
        };
        // A link set from the episode's own breakdown has no flag: it is a
        // decision of its own, not a mirror of the shots.
        if link.data.as_ref().and_then(|d| d.get("auto")) == Some(&Value::Bool(true)) {
            bd::delete_link(exec, link.id).await?;
            bd::shift_count(exec, episode, -1).await?;
            let episode = Target {
                id: episode,
                kind: "Episode".into(),
                parent: None,
            };
            w.casting_updated(exec, &episode, &[], &[*asset]).await?;
            w.asset_updated(exec, *asset).await?;
        }
    }
    Ok(())
}

/// One entry of a casting body that Zou acts on: it has both `asset_id`
/// and `nb_occurences` (others are skipped, as Zou skips them).
struct Entry {
    asset: Uuid,
    nb_occurences: i64,
    label: String,
}

fn bad_entry(m: &str) -> ApiError {
    ApiError::bad_request(m.to_owned())
}

/// Reads a casting body. Zou writes whatever it is given and fails inside
/// its database on a bad id or count (a 500 or a silently lost link);
/// Fennec answers 400 for a malformed entry and 404 for an unknown asset.
async fn entries(
    exec: &mut impl Exec,
    casting: &[Value],
) -> ApiResult<(Vec<Entry>, HashSet<Uuid>)> {
    let mut out = Vec::new();
    let mut named = HashSet::new();
    for cast in casting {
        let Some(cast) = cast.as_object() else {
            continue;
        };
        let Some(asset) = cast.get("asset_id") else {
            continue;
        };
        let asset = asset
            .as_str()
            .and_then(|s| Uuid::parse_str(s).ok())
            .ok_or_else(|| bad_entry("asset_id must be an asset id"))?;
        named.insert(asset);
        let Some(nb) = cast.get("nb_occurences") else {
            continue;
        };
        let nb = nb
            .as_i64()
            .ok_or_else(|| bad_entry("nb_occurences must be an integer"))?;
        let label = match cast.get("label") {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) if s.chars().count() <= 80 => s.clone(),
            Some(_) => return Err(bad_entry("label must be a string of at most 80 characters")),
        };
        entity(exec, asset).await?;
        out.push(Entry {
            asset,
            nb_occurences: nb,
            label,
        });
    }
    Ok((out, named))
}

/// Zou's `update_casting`: the casting of `target` becomes `casting`.
pub async fn update_casting(
    exec: &mut impl Exec,
    w: &Writer,
    target: &Target,
    casting: &[Value],
) -> ApiResult<()> {
    let (entries, named) = entries(exec, casting).await?;
    let previous = bd::entities_out(exec, target.id).await?;
    if target.kind == "Episode" {
        for asset in previous.iter().filter(|a| !named.contains(a)) {
            remove_from_episode_shots(exec, w, target.id, *asset).await?;
        }
    }
    bd::clear_links(exec, target.id).await?;
    for e in &entries {
        set_link(exec, w, target, e.asset, e.nb_occurences, &e.label).await?;
        if target.kind == "Episode" {
            w.asset_updated(exec, e.asset).await?;
        }
    }
    let kept: HashSet<Uuid> = entries.iter().map(|e| e.asset).collect();
    let before: HashSet<Uuid> = previous.iter().copied().collect();
    let added: Vec<Uuid> = kept.difference(&before).copied().collect();
    let removed: Vec<Uuid> = before.difference(&kept).copied().collect();
    announce(exec, w, target, &added, &removed).await
}

/// Zou's `cast_asset`: one asset cast in `target`, the rest of its casting
/// left as it is; a count or label not given keeps the current one (one
/// occurrence and no label on a new link).
pub async fn cast_asset(
    exec: &mut impl Exec,
    w: &Writer,
    target: &Target,
    asset: Uuid,
    nb: Option<i64>,
    label: Option<&str>,
) -> ApiResult<()> {
    let link = bd::link_between(exec, target.id, asset).await?;
    let count = nb
        .or(link.as_ref().and_then(|l| l.nb_occurences))
        .unwrap_or(1);
    let label = label
        .map(str::to_owned)
        .or(link.as_ref().and_then(|l| l.label.clone()))
        .unwrap_or_default();
    set_link(exec, w, target, asset, count, &label).await?;
    if target.kind == "Episode" {
        w.asset_updated(exec, asset).await?;
    }
    let added = if link.is_some() { vec![] } else { vec![asset] };
    announce(exec, w, target, &added, &[]).await
}

/// Zou's `uncast_asset`: nothing happens when the asset was not cast; an
/// episode's shots lose it too unless `cascade_to_shots` is false (the
/// removal of one entity link).
pub async fn uncast_asset(
    exec: &mut impl Exec,
    w: &Writer,
    target: &Target,
    asset: Uuid,
    cascade_to_shots: bool,
) -> ApiResult<()> {
    let Some(link) = bd::link_between(exec, target.id, asset).await? else {
        return Ok(());
    };
    if cascade_to_shots && target.kind == "Episode" {
        remove_from_episode_shots(exec, w, target.id, asset).await?;
    }
    bd::delete_link(exec, link.id).await?;
    announce(exec, w, target, &[], &[asset]).await
}

/// Zou's `asset_instance:new` for an instance made in a scene
/// (`add_asset_instance_to_scene`) or inside an asset
/// (`add_asset_instance_to_asset`: `asset_id` is then the asset that holds
/// it and `asset_instantiated` the instanced one). Zou sends these, and the
/// shot instance events, without a production.
pub async fn instance_created(exec: &mut impl Exec, caller: Uuid, instance: &Row) -> ApiResult<()> {
    let id = |k: &str| uuid_field(instance, k).map(|u| u.to_string());
    let data = match id("target_asset_id") {
        Some(holder) => json!({
            "asset_id": holder,
            "asset_instantiated": id("asset_id"),
            "asset_instance_id": id("id"),
        }),
        None => json!({
            "scene_id": id("scene_id"),
            "asset_id": id("asset_id"),
            "asset_instance_id": id("id"),
        }),
    };
    crate::events::emit(exec, Some(caller), "asset_instance:new", data, None).await
}

/// Zou's `asset_instance:add-to-shot` / `asset_instance:remove-from-shot`.
pub async fn shot_instance_changed(
    exec: &mut impl Exec,
    caller: Uuid,
    added: bool,
    shot: Uuid,
    instance: Uuid,
) -> ApiResult<()> {
    let name = if added {
        "asset_instance:add-to-shot"
    } else {
        "asset_instance:remove-from-shot"
    };
    let data = json!({ "shot_id": shot.to_string(), "asset_instance_id": instance.to_string() });
    crate::events::emit(exec, Some(caller), name, data, None).await
}

/// Zou's `add_shot_to_scene` / `remove_shot_from_scene`: `shot:update`
/// (its update_shot), then `shot:add-to-scene` / `shot:remove-from-scene`.
pub async fn scene_shot_changed(
    exec: &mut impl Exec,
    caller: Uuid,
    added: bool,
    scene: Uuid,
    shot: &Row,
) -> ApiResult<()> {
    let project = uuid_field(shot, "project_id");
    let shot_id = uuid_field(shot, "id").map(|u| u.to_string());
    let update = json!({ "shot_id": shot_id });
    crate::events::emit(exec, Some(caller), "shot:update", update, project).await?;
    let name = if added {
        "shot:add-to-scene"
    } else {
        "shot:remove-from-scene"
    };
    let data = json!({ "scene_id": scene.to_string(), "shot_id": shot_id });
    crate::events::emit(exec, Some(caller), name, data, project).await
}
