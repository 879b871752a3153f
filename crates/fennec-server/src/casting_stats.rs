//! Zou's casting stats (`breakdown_service.refresh_shot_casting_stats`):
//! each shot task's `nb_assets_ready`, the number of assets cast in the
//! shot that are ready for that task's step. Kitsu's shots page shows it
//! against `nb_entities_out` ("3/5 assets ready").
//!
//! Zou recomputes a shot's stats after each change of its casting, after
//! an asset's `ready_for` changes, and after an asset is canceled or
//! removed; each task gets a live `task:update-casting-stats` (never in the
//! event log). Before that it recounts the shot's live links, and a count
//! that moved is announced as a `shot:casting-update` with an empty diff.

use std::collections::HashMap;

use fennec_store::breakdown::{self as bd, Readiness};
use fennec_store::db::Exec;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::error::ApiResult;

/// Shot task type → its priority in the production (Zou's priority map).
pub type Priorities = HashMap<Uuid, Option<i64>>;

/// Zou's `_is_asset_ready`: a live asset shared from another production is
/// always ready; otherwise it is ready for the steps at or before its
/// `ready_for` step. An unset or zero priority counts as -1 on the asset's
/// side and as 0 on the task's (Python's `or` on Zou's map lookups), so a
/// `ready_for` step without a priority readies nothing.
fn is_ready(asset: &Readiness, task_type: Uuid, task_project: Uuid, map: &Priorities) -> bool {
    if asset.canceled {
        return false;
    }
    if asset.is_shared && asset.project_id != task_project {
        return true;
    }
    let Some(ready_for) = asset.ready_for else {
        return false;
    };
    let ready = map
        .get(&ready_for)
        .copied()
        .flatten()
        .filter(|p| *p != 0)
        .unwrap_or(-1);
    let task = map.get(&task_type).copied().flatten().unwrap_or(0);
    task <= ready
}

/// Zou's `refresh_shot_casting_stats` for `shot` of `project`. `counted`
/// is the shot's `nb_entities_out` before the change, when the change
/// itself already recounted it (Fennec's removals do, Zou's do not).
pub async fn refresh_shot(
    exec: &mut impl Exec,
    caller: Uuid,
    project: Uuid,
    shot: Uuid,
    counted: Option<i64>,
    map: Option<&Priorities>,
) -> ApiResult<()> {
    let loaded;
    let map = match map {
        Some(m) => m,
        None => {
            loaded = bd::shot_type_priorities(exec, project).await?;
            &loaded
        }
    };
    let before = match counted {
        Some(n) => n,
        None => bd::count(exec, shot).await?,
    };
    let live = bd::refresh_count(exec, shot).await?;
    if before != live {
        let data = json!({
            "shot_id": shot.to_string(),
            "nb_entities_out": live,
            "added_asset_ids": [],
            "removed_asset_ids": [],
        });
        crate::events::emit(
            exec,
            Some(caller),
            "shot:casting-update",
            data,
            Some(project),
        )
        .await?;
    }
    let casting = bd::casting_readiness(exec, shot).await?;
    for (task, task_type, task_project) in bd::entity_tasks(exec, shot).await? {
        let n = casting
            .iter()
            .filter(|a| is_ready(a, task_type, task_project, map))
            .count() as i64;
        bd::set_nb_assets_ready(exec, task, n).await?;
        let data = json!({"task_id": task.to_string(), "nb_assets_ready": n});
        crate::events::emit(
            exec,
            Some(caller),
            "task:update-casting-stats",
            data,
            Some(project),
        )
        .await?;
    }
    Ok(())
}

/// The live shots `asset` is cast in (Zou's `get_cast_in`, its shot part),
/// with their `nb_entities_out`: read before a removal that takes the links
/// with it.
pub async fn shots_casting(exec: &mut impl Exec, asset: Uuid) -> ApiResult<Vec<(Uuid, i64)>> {
    let cast_in = bd::cast_in(exec, asset).await?;
    let mut out = Vec::new();
    for shot in cast_in
        .iter()
        .filter_map(|c| c.get("shot_id").and_then(Value::as_str))
        .filter_map(|s| Uuid::parse_str(s).ok())
    {
        out.push((shot, bd::count(exec, shot).await?));
    }
    Ok(out)
}

/// Zou's `refresh_casting_stats(asset)`: the stats of `shots` (the shots
/// the asset is or was cast in), with the asset's production's priorities.
pub async fn refresh_shots(
    exec: &mut impl Exec,
    caller: Uuid,
    project: Uuid,
    shots: &[(Uuid, i64)],
) -> ApiResult<()> {
    if shots.is_empty() {
        return Ok(());
    }
    let map = bd::shot_type_priorities(exec, project).await?;
    for (shot, counted) in shots {
        refresh_shot(exec, caller, project, *shot, Some(*counted), Some(&map)).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asset(canceled: bool, shared: bool, project: Uuid, ready_for: Option<Uuid>) -> Readiness {
        Readiness {
            canceled,
            is_shared: shared,
            project_id: project,
            ready_for,
        }
    }

    #[test]
    fn readiness_follows_zou_priority_rules() {
        let (p, other) = (Uuid::new_v4(), Uuid::new_v4());
        let (layout, anim, light, unranked) = (
            Uuid::new_v4(),
            Uuid::new_v4(),
            Uuid::new_v4(),
            Uuid::new_v4(),
        );
        let map: Priorities = [
            (layout, Some(1)),
            (anim, Some(2)),
            (light, Some(3)),
            (unranked, None),
        ]
        .into_iter()
        .collect();
        let ready_for_anim = asset(false, false, p, Some(anim));
        assert!(is_ready(&ready_for_anim, layout, p, &map));
        assert!(is_ready(&ready_for_anim, anim, p, &map));
        assert!(!is_ready(&ready_for_anim, light, p, &map));
        // An unranked task type counts as 0: ready for any ranked step.
        assert!(is_ready(&ready_for_anim, unranked, p, &map));
        // An unranked ready_for counts as -1: ready for nothing ranked.
        let ready_for_unranked = asset(false, false, p, Some(unranked));
        assert!(!is_ready(&ready_for_unranked, layout, p, &map));
        assert!(!is_ready(&ready_for_unranked, unranked, p, &map));
        assert!(!is_ready(&asset(false, false, p, None), layout, p, &map));
        assert!(!is_ready(
            &asset(true, false, p, Some(light)),
            layout,
            p,
            &map
        ));
        assert!(is_ready(&asset(false, true, other, None), light, p, &map));
        assert!(!is_ready(&asset(false, true, p, None), light, p, &map));
    }
}
