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
//! * Links naming unknown tasks, or a task to itself, are ignored by the
//!   forecast; a cycle is refused where links are written, and the forecast
//!   still terminates on one (see `forecast`).

use std::collections::HashMap;

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
    let rank: HashMap<Uuid, usize> = task_type_order
        .iter()
        .enumerate()
        .rev()
        .map(|(i, t)| (*t, i))
        .collect();
    // (entity, rank, task) for every task in the pipeline.
    let mut steps: Vec<(Uuid, usize, Uuid)> = tasks
        .iter()
        .filter_map(|t| {
            let entity = t.entity.as_ref()?.id;
            let r = *rank.get(&t.task_type.as_ref()?.id)?;
            Some((entity, r, t.id))
        })
        .collect();
    steps.sort_unstable();
    let mut links = Vec::new();
    for entity in steps.chunk_by(|a, b| a.0 == b.0) {
        let groups: Vec<&[(Uuid, usize, Uuid)]> = entity.chunk_by(|a, b| a.1 == b.1).collect();
        for w in groups.windows(2) {
            for p in w[0] {
                for s in w[1] {
                    links.push(Link::new(p.2, s.2, 0, LinkKind::Pipeline));
                }
            }
        }
    }
    links.sort_unstable_by_key(|l| (l.predecessor, l.successor));
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
