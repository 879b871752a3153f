//! Dependencies between tasks: finish-to-start links, the implicit pipeline
//! and cycle detection.
//!
//! Policy:
//! * A link says its successor may not start before its predecessor's
//!   forecast finish, plus `lag_days` studio working days (lag 0: the same
//!   day, once the predecessor's work is done: the forecast works in whole
//!   days).
//! * The implicit pipeline: within one entity (shot, asset…), the tasks are
//!   ordered by the production's task-type order (Zou's
//!   `project_task_type_link.priority`, then the task type's own priority,
//!   as Kitsu orders the columns of a production). Each task depends on the
//!   tasks of the nearest earlier step present on that entity, so the links
//!   stay linear in the number of tasks; the rest follows by transitivity.
//!   Task types absent from the order are outside the pipeline.
//! * Casting: a shot's step may need the work of the assets cast in it
//!   (Zou's `entity_links`). A production's *cast feeds* say which: each is
//!   (asset task type, shot task type), the asset's task of the first type
//!   preceding the shot's task of the second, for every asset cast in the
//!   shot. Without feeds of its own (`None`), the default: each cast
//!   asset's last step (its task latest in the pipeline order: Rigging for
//!   a character made with Kitsu's default task types, Shading for a prop
//!   or a set that is not rigged) feeds the shot's Animation task (Kitsu's
//!   default step where rigs and sets are first needed), or the shot's
//!   first step when it has no Animation task. `Some(vec![])` turns casting
//!   dependencies off. Linear in the casting times the tasks of an entity.
//! * Links naming unknown tasks, or a task to itself, are ignored by the
//!   forecast; a cycle is refused where links are written, and the forecast
//!   still terminates on one (see `forecast`).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::forecast::TaskInput;

/// Where a link comes from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    /// The production's task-type order on one entity.
    Pipeline,
    /// Stored by a user (`/api/fennec/.../task-links`).
    #[default]
    Explicit,
    /// An asset cast in a shot, by the production's cast feeds.
    Cast,
}

/// An asset cast in a shot (Zou's `entity_links`: the shot is
/// `entity_in_id`, the asset `entity_out_id`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Cast {
    pub shot_id: Uuid,
    pub asset_id: Uuid,
}

/// The asset's task of `asset_task_type_id` precedes the task of
/// `shot_task_type_id` of each shot the asset is cast in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CastFeed {
    pub asset_task_type_id: Uuid,
    pub shot_task_type_id: Uuid,
}

/// The shot step the default cast feed goes to, by Kitsu's default name.
pub const DEFAULT_FED_STEP: &str = "Animation";

/// The links casting makes between `tasks` (see the module's policy):
/// `feeds` `None` for the default. Sorted, without duplicates.
pub fn cast_links(
    tasks: &[TaskInput],
    task_type_order: &[Uuid],
    casting: &[Cast],
    feeds: Option<&[CastFeed]>,
) -> Vec<Link> {
    if casting.is_empty() || feeds.is_some_and(|f| f.is_empty()) {
        return Vec::new();
    }
    let rank: crate::IdMap<Uuid, usize> = task_type_order
        .iter()
        .enumerate()
        .rev()
        .map(|(i, t)| (*t, i))
        .collect();
    let mut by_entity: crate::IdMap<Uuid, Vec<&TaskInput>> = crate::IdMap::default();
    for t in tasks {
        if let Some(e) = &t.entity {
            by_entity.entry(e.id).or_default().push(t);
        }
    }
    let type_of = |t: &TaskInput| t.task_type.as_ref().map(|r| r.id);
    let rank_of = |t: &TaskInput| type_of(t).and_then(|tt| rank.get(&tt).copied());
    // The tasks of an entity at its last (or first) ranked step.
    let at_end = |tasks: &[&TaskInput], last: bool| -> Vec<Uuid> {
        let ranks = tasks.iter().filter_map(|t| rank_of(t));
        let Some(r) = (if last { ranks.max() } else { ranks.min() }) else {
            return Vec::new();
        };
        tasks
            .iter()
            .filter(|t| rank_of(t) == Some(r))
            .map(|t| t.id)
            .collect()
    };
    let of_type = |tasks: &[&TaskInput], tt: Uuid| -> Vec<Uuid> {
        tasks
            .iter()
            .filter(|t| type_of(t) == Some(tt))
            .map(|t| t.id)
            .collect()
    };
    let mut links = Vec::new();
    let mut push = |preds: &[Uuid], succs: &[Uuid]| {
        for p in preds {
            for s in succs {
                links.push(Link::new(*p, *s, 0, LinkKind::Cast));
            }
        }
    };
    // Each shot's fed tasks and each asset's last-step tasks, once: an
    // asset is cast in many shots (17 on average on a `fennec seed`
    // production), a shot holds several assets.
    let mut fed_of: crate::IdMap<Uuid, Vec<Uuid>> = crate::IdMap::default();
    let mut last_of: crate::IdMap<Uuid, Vec<Uuid>> = crate::IdMap::default();
    for c in casting {
        let (Some(shot), Some(asset)) = (by_entity.get(&c.shot_id), by_entity.get(&c.asset_id))
        else {
            continue;
        };
        match feeds {
            None => {
                let fed = fed_of.entry(c.shot_id).or_insert_with(|| {
                    let fed: Vec<Uuid> = shot
                        .iter()
                        .filter(|t| {
                            t.task_type
                                .as_ref()
                                .is_some_and(|r| r.name.eq_ignore_ascii_case(DEFAULT_FED_STEP))
                        })
                        .map(|t| t.id)
                        .collect();
                    if fed.is_empty() {
                        at_end(shot, false)
                    } else {
                        fed
                    }
                });
                let last = last_of
                    .entry(c.asset_id)
                    .or_insert_with(|| at_end(asset, true));
                push(last, fed);
            }
            Some(feeds) => {
                for f in feeds {
                    push(
                        &of_type(asset, f.asset_task_type_id),
                        &of_type(shot, f.shot_task_type_id),
                    );
                }
            }
        }
    }
    // Ids compared as integers: the same order, not byte by byte.
    links.sort_unstable_by_key(|l| (l.predecessor.as_u128(), l.successor.as_u128()));
    links.dedup_by_key(|l| (l.predecessor, l.successor));
    links
}

/// A finish-to-start link.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Link {
    pub predecessor: Uuid,
    pub successor: Uuid,
    /// Studio working days between the predecessor's finish and the
    /// successor's earliest start.
    #[serde(default)]
    pub lag_days: u32,
    #[serde(default)]
    pub kind: LinkKind,
}

impl Link {
    pub fn new(predecessor: Uuid, successor: Uuid, lag_days: u32, kind: LinkKind) -> Self {
        Link {
            predecessor,
            successor,
            lag_days,
            kind,
        }
    }
}

/// The implicit pipeline links of `tasks`, given the task types in pipeline
/// order (first step first). Sorted, without duplicates.
pub fn pipeline_links(tasks: &[TaskInput], task_type_order: &[Uuid]) -> Vec<Link> {
    let rank: crate::IdMap<Uuid, usize> = task_type_order
        .iter()
        .enumerate()
        .rev()
        .map(|(i, t)| (*t, i))
        .collect();
    // (entity, rank, task) for every task in the pipeline, ids as integers:
    // they sort in the same order, two machine words at a time instead of
    // byte by byte.
    let mut steps: Vec<(u128, usize, u128)> = tasks
        .iter()
        .filter_map(|t| {
            let entity = t.entity.as_ref()?.id;
            let r = *rank.get(&t.task_type.as_ref()?.id)?;
            Some((entity.as_u128(), r, t.id.as_u128()))
        })
        .collect();
    steps.sort_unstable();
    let mut links = Vec::new();
    for entity in steps.chunk_by(|a, b| a.0 == b.0) {
        let groups: Vec<&[(u128, usize, u128)]> = entity.chunk_by(|a, b| a.1 == b.1).collect();
        for w in groups.windows(2) {
            for p in w[0] {
                for s in w[1] {
                    links.push(Link::new(
                        Uuid::from_u128(p.2),
                        Uuid::from_u128(s.2),
                        0,
                        LinkKind::Pipeline,
                    ));
                }
            }
        }
    }
    links.sort_unstable_by_key(|l| (l.predecessor.as_u128(), l.successor.as_u128()));
    links.dedup_by_key(|l| (l.predecessor, l.successor));
    links
}

/// A cycle among `links`, as the tasks in it in link order (the first task
/// is the predecessor of the second… and the last of the first), or `None`.
/// Self links count as a cycle of one task. Linear in the links.
pub fn find_cycle(links: &[Link]) -> Option<Vec<Uuid>> {
    let mut ids: Vec<Uuid> = links
        .iter()
        .flat_map(|l| [l.predecessor, l.successor])
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let index = |id: Uuid| ids.binary_search(&id).unwrap_or(0);
    let mut next: Vec<Vec<usize>> = vec![Vec::new(); ids.len()];
    for l in links {
        next[index(l.predecessor)].push(index(l.successor));
    }
    for n in &mut next {
        n.sort_unstable();
        n.dedup();
    }
    // Iterative depth-first search: 0 unseen, 1 on the stack, 2 finished.
    let mut state = vec![0u8; ids.len()];
    for root in 0..ids.len() {
        if state[root] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        state[root] = 1;
        while let Some(&mut (node, ref mut edge)) = stack.last_mut() {
            if let Some(&to) = next[node].get(*edge) {
                *edge += 1;
                match state[to] {
                    0 => {
                        state[to] = 1;
                        stack.push((to, 0));
                    }
                    1 => {
                        let from = stack.iter().position(|(n, _)| *n == to).unwrap_or(0);
                        return Some(stack[from..].iter().map(|(n, _)| ids[*n]).collect());
                    }
                    _ => {}
                }
            } else {
                state[node] = 2;
                stack.pop();
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forecast::Ref;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn task(n: u128, entity: u128, task_type: u128) -> TaskInput {
        TaskInput {
            id: id(n),
            entity: Some(Ref::new(id(entity), "")),
            task_type: Some(Ref::new(id(task_type), "")),
            ..TaskInput::default()
        }
    }

    #[test]
    fn pipeline_links_consecutive_steps_per_entity() {
        // Types 50 (layout), 51 (animation), 52 (lighting); shot 10 has no
        // animation, so its lighting follows its layout.
        let tasks = vec![
            task(1, 10, 50),
            task(2, 10, 52),
            task(3, 11, 50),
            task(4, 11, 51),
            task(5, 11, 52),
            task(6, 11, 99), // outside the pipeline
        ];
        let links = pipeline_links(&tasks, &[id(50), id(51), id(52)]);
        let pairs: Vec<(Uuid, Uuid)> = links.iter().map(|l| (l.predecessor, l.successor)).collect();
        assert_eq!(pairs, vec![(id(1), id(2)), (id(3), id(4)), (id(4), id(5))]);
    }

    fn named(n: u128, entity: u128, task_type: u128, name: &str) -> TaskInput {
        let mut t = task(n, entity, task_type);
        t.task_type = Some(Ref::new(id(task_type), name));
        t
    }

    #[test]
    fn cast_assets_feed_the_shots_they_are_in() {
        // Pipeline: 40 modeling, 41 rigging, 50 layout, 51 animation.
        let order = [id(40), id(41), id(50), id(51)];
        let tasks = vec![
            named(1, 10, 40, "Modeling"),
            named(2, 10, 41, "Rigging"),  // character 10
            named(3, 11, 40, "Modeling"), // prop 11, not rigged
            named(4, 20, 50, "Layout"),
            named(5, 20, 51, "Animation"), // shot 20
            named(6, 21, 50, "Layout"),    // shot 21: no animation
        ];
        let cast = |s, a| Cast {
            shot_id: id(s),
            asset_id: id(a),
        };
        let casting = [cast(20, 10), cast(20, 11), cast(21, 10), cast(21, 99)];
        let pairs = |links: Vec<Link>| -> Vec<(Uuid, Uuid)> {
            assert!(links.iter().all(|l| l.kind == LinkKind::Cast));
            links.iter().map(|l| (l.predecessor, l.successor)).collect()
        };
        let mut expected = vec![(id(2), id(5)), (id(3), id(5)), (id(2), id(6))];
        expected.sort();
        assert_eq!(pairs(cast_links(&tasks, &order, &casting, None)), expected);
        // A production's own feeds: modeling feeds layout.
        let feeds = [CastFeed {
            asset_task_type_id: id(40),
            shot_task_type_id: id(50),
        }];
        let mut expected = vec![(id(1), id(4)), (id(3), id(4)), (id(1), id(6))];
        expected.sort();
        assert_eq!(
            pairs(cast_links(&tasks, &order, &casting, Some(&feeds))),
            expected
        );
        assert!(cast_links(&tasks, &order, &casting, Some(&[])).is_empty());
    }

    #[test]
    fn cycles_are_found_with_their_tasks() {
        let l = |a, b| Link::new(id(a), id(b), 0, LinkKind::Explicit);
        assert_eq!(find_cycle(&[l(1, 2), l(2, 3), l(1, 3)]), None);
        assert_eq!(
            find_cycle(&[l(1, 2), l(2, 3), l(3, 1), l(4, 1)]),
            Some(vec![id(1), id(2), id(3)])
        );
        assert_eq!(find_cycle(&[l(5, 5)]), Some(vec![id(5)]));
    }
}
