//! The critical path of a forecast: the chain of tasks that decides when
//! the work in scope (the project, or a milestone's scope) is finished, and
//! each task's slack.
//!
//! Policy:
//! * Only open tasks with forecast dates take part (done tasks are history;
//!   unscheduled ones have no dates to reason on). An unassigned task
//!   forecast on its department's spare capacity takes part with those
//!   dates: it is work the milestone waits for like any other, and leaving
//!   it out would hide the chains that run through it.
//! * A task can push two kinds of later work: its link successors (pipeline
//!   or explicit), and the next share of the same person (the forecast is
//!   resource-levelled: a busy artist is as binding as a link). An
//!   unassigned task counts as a share of the member whose spare capacity
//!   it is laid on.
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
//! * Several targets (the project end and each milestone) share one graph:
//!   [`critical_paths`] builds the links, the people's lanes and the order
//!   of finish once, then runs a pass per target over the tasks in its
//!   scope (a person's consecutive shares are taken among those in scope,
//!   as if the graph had been built for that scope alone). Working days are
//!   read from a prefix count over the dates involved, not recounted per
//!   gap.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::calendar::CompiledCalendar;
use crate::forecast::{adjacency, paired, Forecast, TaskForecast, TaskInput, TaskState};
use crate::links::Link;
use crate::risks::Scope;

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
    let graph = Graph::new(calendar, forecast.tasks.iter(), links);
    let mask: Vec<bool> = graph.ids.iter().map(|id| in_scope(*id)).collect();
    graph.path(&mask)
}

/// The critical path of each scope among `tasks` (a task of the forecast
/// missing from `tasks` is in none), in the order of `scopes`.
pub fn critical_paths(
    calendar: &CompiledCalendar,
    tasks: &[TaskInput],
    forecast: &Forecast,
    links: &[Link],
    scopes: &[&Scope],
) -> Vec<CriticalPath> {
    let pairs: Vec<(&TaskInput, &TaskForecast)> = paired(tasks, forecast)
        .into_iter()
        .filter(|(_, tf)| is_dated(tf))
        .collect();
    let graph = Graph::new(calendar, pairs.iter().map(|p| p.1), links);
    // Every scope's mask in one pass: each task is read once (a pass per
    // scope re-reads 150 000 scattered tasks as many times).
    let scopes: Vec<Scope> = scopes.iter().map(|s| s.sorted()).collect();
    let mut masks: Vec<Vec<bool>> = vec![Vec::with_capacity(pairs.len()); scopes.len()];
    for (t, _) in &pairs {
        for (scope, mask) in scopes.iter().zip(&mut masks) {
            mask.push(scope.matches_sorted(t));
        }
    }
    // The paths on two threads, each with about half the tasks in scope
    // (the project end's scope alone is usually half): a request gets the
    // second core of the analysis it waits for (the server runs one
    // analysis per two cores, see the schedule gate).
    let weight = |m: &Vec<bool>| m.iter().filter(|b| **b).count();
    let total: usize = masks.iter().map(weight).sum();
    let mut split = 0;
    let mut ahead = 0;
    while split < masks.len() && ahead * 2 < total {
        ahead += weight(&masks[split]);
        split += 1;
    }
    let (first, rest) = masks.split_at(split);
    std::thread::scope(|s| {
        let other = s.spawn(|| rest.iter().map(|m| graph.path(m)).collect::<Vec<_>>());
        let mut paths: Vec<CriticalPath> = first.iter().map(|m| graph.path(m)).collect();
        let more = other
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        paths.extend(more);
        paths
    })
}

/// Whether a task takes part: open (assigned or on spare capacity) with
/// both forecast dates.
fn is_dated(t: &TaskForecast) -> bool {
    t.state != TaskState::Done && t.forecast_start.is_some() && t.forecast_finish.is_some()
}

/// No task / lane entry.
const NONE: u32 = u32::MAX;

/// Studio working days between two dates, from a prefix count over a span
/// of dates (the calendar's own count outside it).
struct WorkingDays<'a> {
    calendar: &'a CompiledCalendar,
    from: NaiveDate,
    /// `prefix[k]`: studio working days in `from..=from + k`.
    prefix: Vec<i32>,
}

impl<'a> WorkingDays<'a> {
    /// Beyond this many days the prefix is not worth its memory.
    const MAX_SPAN: i64 = 100_000;

    fn new(calendar: &'a CompiledCalendar, from: NaiveDate, to: NaiveDate) -> Self {
        let span = (to - from).num_days();
        let mut prefix = Vec::new();
        if (0..Self::MAX_SPAN).contains(&span) {
            prefix.reserve(span as usize + 1);
            let mut count = 0;
            for d in from.iter_days().take(span as usize + 1) {
                count += i32::from(calendar.is_studio_working_day(d));
                prefix.push(count);
            }
        }
        WorkingDays {
            calendar,
            from,
            prefix,
        }
    }

    fn at(&self, d: NaiveDate) -> Option<i64> {
        let k = usize::try_from((d - self.from).num_days()).ok()?;
        self.prefix.get(k).map(|c| i64::from(*c))
    }

    /// Same as [`CompiledCalendar::working_days_between`].
    fn between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        match (self.at(from), self.at(to)) {
            (Some(a), Some(b)) => b - a,
            _ => self.calendar.working_days_between(from, to),
        }
    }
}

/// Links, lanes and order of finish of the dated tasks, shared by every
/// target. Tasks are numbered in id order.
struct Graph<'a> {
    ids: Vec<Uuid>,
    start: Vec<NaiveDate>,
    finish: Vec<NaiveDate>,
    /// Link successors of task `i`: `succ[succ_at[i]..succ_at[i + 1]]`,
    /// (task, lag); predecessors likewise.
    succ_at: Vec<u32>,
    succ: Vec<(u32, u32)>,
    pred_at: Vec<u32>,
    pred: Vec<(u32, u32)>,
    /// Every share (and spare-capacity laying), by person then time:
    /// (person, start, finish, task).
    lanes: Vec<(Uuid, NaiveDate, NaiveDate, u32)>,
    /// Positions in `lanes` of task `i`'s entries.
    lane_at: Vec<u32>,
    task_lanes: Vec<u32>,
    /// Tasks by latest finish first (then start, then id).
    order: Vec<u32>,
    days: WorkingDays<'a>,
}

impl<'a> Graph<'a> {
    fn new<'f>(
        calendar: &'a CompiledCalendar,
        tasks: impl Iterator<Item = &'f TaskForecast>,
        links: &[Link],
    ) -> Self {
        let mut ids = Vec::new();
        let mut start = Vec::new();
        let mut finish = Vec::new();
        let mut lane_pairs: Vec<(Uuid, NaiveDate, NaiveDate, u32)> = Vec::new();
        for t in tasks {
            let (Some(a), Some(b)) = (t.forecast_start, t.forecast_finish) else {
                continue;
            };
            if t.state == TaskState::Done {
                continue;
            }
            let i = ids.len() as u32;
            ids.push(t.task_id);
            start.push(a);
            finish.push(b);
            for s in &t.shares {
                if let (Some(a), Some(b)) = (s.start, s.finish) {
                    lane_pairs.push((s.person_id, a, b, i));
                }
            }
            if let Some(p) = t.spare_capacity.as_ref().and_then(|s| s.person_id) {
                lane_pairs.push((p, a, b, i));
            }
        }
        let n = ids.len();
        // Tasks are in id order: a binary search finds a link's ends (over
        // the ids as integers: a `Uuid` compares byte by byte).
        let keys: Vec<u128> = ids.iter().map(|id| id.as_u128()).collect();
        let find = |id: &Uuid| keys.binary_search(&id.as_u128()).ok().map(|i| i as u32);
        let mut forward: Vec<(u32, (u32, u32))> = Vec::new();
        let mut backward: Vec<(u32, (u32, u32))> = Vec::new();
        for l in links {
            if let (Some(p), Some(s)) = (find(&l.predecessor), find(&l.successor)) {
                if p != s {
                    forward.push((p, (s, l.lag_days)));
                    backward.push((s, (p, l.lag_days)));
                }
            }
        }
        let (succ_at, succ) = adjacency(n, &forward);
        let (pred_at, pred) = adjacency(n, &backward);
        drop((forward, backward, keys));
        // Entries are distinct (the task's index is in each): sorting by
        // the person as an integer gives the same order.
        lane_pairs.sort_unstable_by_key(|l| (l.0.as_u128(), l.1, l.2, l.3));
        let per_task: Vec<(u32, u32)> = lane_pairs
            .iter()
            .enumerate()
            .map(|(pos, l)| (l.3, pos as u32))
            .collect();
        let (lane_at, task_lanes) = adjacency(n, &per_task);
        let mut order: Vec<u32> = (0..n as u32).collect();
        order.sort_unstable_by_key(|&i| {
            std::cmp::Reverse((finish[i as usize], start[i as usize], i))
        });
        let from = start.iter().chain(&finish).min().copied();
        let to = finish.iter().max().copied();
        let days = match (from, to) {
            (Some(a), Some(b)) => WorkingDays::new(calendar, a, b),
            _ => WorkingDays::new(calendar, NaiveDate::MIN, NaiveDate::MIN),
        };
        Graph {
            ids,
            start,
            finish,
            succ_at,
            succ,
            pred_at,
            pred,
            lanes: lane_pairs,
            lane_at,
            task_lanes,
            order,
            days,
        }
    }

    /// Working days `to` could start earlier after `from` finishes.
    fn gap(&self, from: usize, to: usize, lag: u32) -> i64 {
        let wd = self.days.between(self.finish[from], self.start[to]);
        let tolerance = if lag == 0 { 1 } else { 0 };
        (wd - i64::from(lag) - tolerance).max(0)
    }

    fn lanes_of(&self, i: usize) -> &[u32] {
        &self.task_lanes[self.lane_at[i] as usize..self.lane_at[i + 1] as usize]
    }

    /// The critical path of the tasks `mask` selects.
    fn path(&self, mask: &[bool]) -> CriticalPath {
        let n = self.ids.len();
        let in_scope = |i: usize| mask[i];
        let Some(target) = (0..n)
            .filter(|&i| in_scope(i))
            .map(|i| self.finish[i])
            .max()
        else {
            return CriticalPath {
                finish: None,
                tasks: Vec::new(),
                slack: Vec::new(),
            };
        };
        // Each lane entry's next and previous entry in scope of the same
        // person.
        let mut lane_next = vec![NONE; self.lanes.len()];
        let mut lane_prev = vec![NONE; self.lanes.len()];
        let mut last: Option<usize> = None;
        for (pos, l) in self.lanes.iter().enumerate() {
            if !in_scope(l.3 as usize) {
                continue;
            }
            if let Some(q) = last.filter(|&q| self.lanes[q].0 == l.0) {
                lane_next[q] = pos as u32;
                lane_prev[pos] = q as u32;
            }
            last = Some(pos);
        }
        let to_target = |i: usize| self.days.between(self.finish[i], target).max(0);
        // Backward pass, latest finish first. A task's successors finish
        // no earlier than it does, so they are mostly done already; one that
        // is not (a tie) counts with its gap to the target, an upper bound.
        let mut slack: Vec<i64> = vec![i64::MIN; n];
        for &i in &self.order {
            let i = i as usize;
            if !in_scope(i) {
                continue;
            }
            let mut best = to_target(i);
            let mut consider = |s: usize, lag: u32| {
                let succ = if slack[s] == i64::MIN {
                    to_target(s)
                } else {
                    slack[s]
                };
                best = best.min(self.gap(i, s, lag) + succ);
            };
            for &(s, lag) in &self.succ[self.succ_at[i] as usize..self.succ_at[i + 1] as usize] {
                if in_scope(s as usize) {
                    consider(s as usize, lag);
                }
            }
            for &pos in self.lanes_of(i) {
                let next = lane_next[pos as usize];
                if next != NONE {
                    let s = self.lanes[next as usize].3 as usize;
                    if s != i {
                        consider(s, 0);
                    }
                }
            }
            slack[i] = best;
        }

        // The chain, back from the first task (by id) finishing last,
        // through zero-gap, zero-slack drivers: a link predecessor before a
        // person's previous task, then the smallest id.
        let last = (0..n)
            .find(|&i| in_scope(i) && self.finish[i] == target)
            .unwrap_or(0);
        let mut chain = vec![last];
        let mut seen = vec![false; n];
        seen[last] = true;
        let mut at = last;
        loop {
            let drives =
                |p: usize, lag: u32| !seen[p] && slack[p] == 0 && self.gap(p, at, lag) == 0;
            let mut best: Option<(bool, Uuid, usize)> = None;
            let mut offer = |c: (bool, Uuid, usize)| {
                if best.is_none_or(|b| c < b) {
                    best = Some(c);
                }
            };
            for &(p, lag) in &self.pred[self.pred_at[at] as usize..self.pred_at[at + 1] as usize] {
                let p = p as usize;
                if in_scope(p) && drives(p, lag) {
                    offer((false, self.ids[p], p));
                }
            }
            for &pos in self.lanes_of(at) {
                let prev = lane_prev[pos as usize];
                if prev != NONE {
                    let p = self.lanes[prev as usize].3 as usize;
                    if p != at && drives(p, 0) {
                        offer((true, self.ids[p], p));
                    }
                }
            }
            let Some((_, _, p)) = best else { break };
            seen[p] = true;
            chain.push(p);
            at = p;
        }
        chain.reverse();
        CriticalPath {
            finish: Some(target),
            tasks: chain.into_iter().map(|i| self.ids[i]).collect(),
            slack: (0..n)
                .filter(|&i| in_scope(i))
                .map(|i| TaskSlack {
                    task_id: self.ids[i],
                    start: self.start[i],
                    finish: self.finish[i],
                    slack_days: slack[i].max(0),
                })
                .collect(),
        }
    }
}
