//! The critical path of a forecast: the chain of tasks that decides when
//! the work in scope (the project, or a milestone's scope) is finished, and
//! each task's slack.
//!
//! Policy:
//! * Only open tasks with forecast dates take part (done tasks are history;
//!   unassigned or unscheduled ones have no dates to reason on).
//! * A task can push two kinds of later work: its link successors (pipeline
//!   or explicit), and the next share of the same person (the forecast is
//!   resource-levelled: a busy artist is as binding as a link).
//! * The gap between two tasks is the studio working days the later one
//!   could start earlier: between a finish and the next start, whole days
//!   strictly in between (a task finishing on Monday and one starting on
//!   Tuesday leave no gap: work is laid in whole days), minus a link's lag.
//!   The gap to the target is the working days from a task's finish to the
//!   target finish (the latest forecast finish in scope).
//! * Slack = the smallest (gap + slack of the next task) over what a task
//!   pushes, or its gap to the target; computed in one backward pass in
//!   order of finish, so linear in tasks, shares and links (after sorting).
//! * The chain starts at the task finishing last (smallest id on a tie) and
//!   goes back through zero-gap, zero-slack drivers (a link predecessor
//!   before a person's previous task, then smallest id), so every task on
//!   it has zero slack.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::calendar::CompiledCalendar;
use crate::forecast::{Forecast, TaskState};
use crate::links::Link;

/// One task's slack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskSlack {
    pub task_id: Uuid,
    pub start: NaiveDate,
    pub finish: NaiveDate,
    /// Studio working days the task may finish later without moving the
    /// target.
    pub slack_days: i64,
}

/// The critical path for one target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CriticalPath {
    /// The latest forecast finish in scope (`None` with nothing dated).
    pub finish: Option<NaiveDate>,
    /// The chain, first task first.
    pub tasks: Vec<Uuid>,
    /// Every dated open task in scope, sorted by task id.
    pub slack: Vec<TaskSlack>,
}

/// The critical path of the tasks of `forecast` for which `in_scope` holds.
pub fn critical_path(
    calendar: &CompiledCalendar,
    forecast: &Forecast,
    links: &[Link],
    in_scope: impl Fn(Uuid) -> bool,
) -> CriticalPath {
    // Dated open tasks in scope, in id order.
    let dated: Vec<(Uuid, NaiveDate, NaiveDate)> = forecast
        .tasks
        .iter()
        .filter(|t| t.state == TaskState::Open && in_scope(t.task_id))
        .filter_map(|t| Some((t.task_id, t.forecast_start?, t.forecast_finish?)))
        .collect();
    let Some(target) = dated.iter().map(|d| d.2).max() else {
        return CriticalPath {
            finish: None,
            tasks: Vec::new(),
            slack: Vec::new(),
        };
    };
    let index: HashMap<Uuid, usize> = dated.iter().enumerate().map(|(i, d)| (d.0, i)).collect();
    let gap = |from: usize, to: usize, lag: u32| -> i64 {
        let wd = calendar.working_days_between(dated[from].2, dated[to].1);
        let tolerance = if lag == 0 { 1 } else { 0 };
        (wd - i64::from(lag) - tolerance).max(0)
    };
    // What each task pushes: (next task, lag, is a link).
    let mut next: Vec<Vec<(usize, u32, bool)>> = vec![Vec::new(); dated.len()];
    for l in links {
        if let (Some(&p), Some(&s)) = (index.get(&l.predecessor), index.get(&l.successor)) {
            if p != s {
                next[p].push((s, l.lag_days, true));
            }
        }
    }
    // Each person's shares in time order.
    let mut lanes: Vec<(Uuid, NaiveDate, NaiveDate, usize)> = Vec::new();
    for t in &forecast.tasks {
        let Some(&i) = index.get(&t.task_id) else {
            continue;
        };
        for s in &t.shares {
            if let (Some(a), Some(b)) = (s.start, s.finish) {
                lanes.push((s.person_id, a, b, i));
            }
        }
    }
    lanes.sort_unstable_by_key(|&(p, a, b, i)| (p, a, b, dated[i].0));
    for w in lanes.windows(2) {
        if w[0].0 == w[1].0 && w[0].3 != w[1].3 {
            next[w[0].3].push((w[1].3, 0, false));
        }
    }
    // Backward pass, latest finish first. A task's successors finish no
    // earlier than it does, so they are mostly done already; one that is
    // not (a tie) counts with its gap to the target, an upper bound.
    let mut order: Vec<usize> = (0..dated.len()).collect();
    order.sort_unstable_by_key(|&i| std::cmp::Reverse((dated[i].2, dated[i].1, dated[i].0)));
    let mut slack: Vec<Option<i64>> = vec![None; dated.len()];
    for &i in &order {
        let mut best = calendar.working_days_between(dated[i].2, target).max(0);
        for &(s, lag, _) in &next[i] {
            let succ = slack[s]
                .unwrap_or_else(|| calendar.working_days_between(dated[s].2, target).max(0));
            best = best.min(gap(i, s, lag) + succ);
        }
        slack[i] = Some(best);
    }
    let slack: Vec<i64> = slack.into_iter().map(|s| s.unwrap_or(0)).collect();

    // Drivers: who pushes each task with no gap.
    let mut drivers: Vec<Vec<(bool, Uuid, usize)>> = vec![Vec::new(); dated.len()];
    for (p, nx) in next.iter().enumerate() {
        for &(s, lag, is_link) in nx {
            if slack[p] == 0 && gap(p, s, lag) == 0 {
                drivers[s].push((!is_link, dated[p].0, p));
            }
        }
    }
    let last = (0..dated.len())
        .filter(|&i| dated[i].2 == target)
        .min_by_key(|&i| dated[i].0)
        .unwrap_or(0);
    let mut chain = vec![last];
    let mut seen = vec![false; dated.len()];
    seen[last] = true;
    let mut at = last;
    while let Some(&(_, _, p)) = drivers[at].iter().filter(|d| !seen[d.2]).min() {
        seen[p] = true;
        chain.push(p);
        at = p;
    }
    chain.reverse();
    CriticalPath {
        finish: Some(target),
        tasks: chain.into_iter().map(|i| dated[i].0).collect(),
        slack: dated
            .iter()
            .zip(&slack)
            .map(|(d, s)| TaskSlack {
                task_id: d.0,
                start: d.1,
                finish: d.2,
                slack_days: *s,
            })
            .collect(),
    }
}
