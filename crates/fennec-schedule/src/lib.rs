//! Fennec's scheduling maths: working calendars, forecasts, risks, roll-ups
//! and timelines. Pure functions over plain input structs: no IO, no async,
//! no database types, so every rule can be property-tested on generated
//! productions.
//!
//! Policy, shared by every module:
//! * Everything is computed *as of* an explicit date, never "today", so a
//!   result can be reproduced and tested.
//! * Durations are minutes (as in Zou). Inputs may be fractional; capacities
//!   and laid-out work are whole minutes, so sums are exact.
//! * Which days are worked comes from the calendar (studio work week,
//!   holidays, each person's day-offs, hours and work week), never from
//!   hard-coded weekends.
//! * Same input gives the same output whatever its order: work is done in id
//!   order and every list returned is sorted.
//! * Cost is near-linear in tasks + people + laid-out days (150 000 tasks and
//!   2 000 people well under a second): nothing compares tasks pairwise.
//! * Every output is `serde::Serialize` with snake_case keys and
//!   `YYYY-MM-DD` dates, ready to be returned by the server as is.
//!
//! The usual entry point is [`analyse`]; [`timeline()`] is computed from its
//! forecast for whichever grouping a page shows.

pub mod calendar;
pub mod causes;
pub mod critical;
pub mod forecast;
pub mod links;
pub mod risks;
pub mod rollup;
pub mod timeline;
pub mod whatif;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use calendar::{
    Calendar, CompiledCalendar, DateRange, PersonCalendar, WorkWeek, DEFAULT_HOURS_PER_DAY,
};
pub use causes::{causes, Cause, CauseKind};
pub use critical::{critical_path, critical_paths, CriticalPath, TaskSlack};
pub use forecast::{
    forecast, forecast_linked, forecast_planned, DayLoad, Forecast, PersonLoad, Ref,
    ScheduleOptions, Share, SpareCapacity, StatusFlags, TaskForecast, TaskInput, TaskState,
};
pub use links::{
    cast_links, find_cycle, pipeline_links, Cast, CastFeed, Link, LinkKind, DEFAULT_FED_STEP,
};
pub use risks::{
    milestone_forecasts, risks, Milestone, MilestoneForecast, MilestoneKind, MissingField, Risk,
    RiskKind, RiskNumbers, Scope, Severity,
};
pub use rollup::{rollups, RollUp, RollUps};
pub use timeline::{
    timeline, timeline_by, GroupBy, Progress, Timeline, TimelineGroup, TimelineRow,
};
pub use whatif::{
    apply_changes, remedies, remedy_plans, try_remedies, what_if, Change, MilestoneChange,
    MilestoneRemedies, Remedy, RemedyKind, RemedyPlans, TaskChange, WhatIf,
};

/// A hash map keyed by ids. Uuids are random already and come from the
/// studio's own database, so a multiply-and-rotate fold (FxHash's) is
/// enough; the standard SipHash, built to resist crafted keys, costs more
/// than the rest of a lookup on 150 000 tasks.
pub(crate) type IdMap<K, V> = std::collections::HashMap<K, V, IdHash>;

/// The builder of [`IdHasher`]s.
pub(crate) type IdHash = std::hash::BuildHasherDefault<IdHasher>;

/// See [`IdMap`].
#[derive(Default)]
pub(crate) struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Everything a schedule analysis needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduleInput {
    pub as_of: NaiveDate,
    #[serde(default)]
    pub calendar: Calendar,
    #[serde(default)]
    pub tasks: Vec<TaskInput>,
    /// Milestones and project end dates.
    #[serde(default)]
    pub milestones: Vec<Milestone>,
    #[serde(default)]
    pub options: ScheduleOptions,
    /// The production's task types in pipeline order (first step first):
    /// each entity's tasks follow it (see [`links`]).
    #[serde(default)]
    pub task_type_order: Vec<Uuid>,
    /// Explicit finish-to-start links.
    #[serde(default)]
    pub links: Vec<Link>,
    /// The assets cast in each shot.
    #[serde(default)]
    pub casting: Vec<Cast>,
    /// The production's cast feeds (`None`: the default; see [`links`]).
    #[serde(default)]
    pub cast_feeds: Option<Vec<CastFeed>>,
    /// The studio's departments: who is in each and which task types it
    /// does (unassigned tasks are forecast on their spare capacity,
    /// remedies reassign within a department).
    #[serde(default)]
    pub departments: Vec<Department>,
}

/// A department (Zou's `department`, its people through `department_link`,
/// its task types through `task_type.department_id`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Department {
    pub id: Uuid,
    pub name: String,
    pub people: Vec<Ref>,
    pub task_types: Vec<Uuid>,
}

impl ScheduleInput {
    /// The pipeline links, the casting's and the explicit ones, sorted.
    pub fn all_links(&self) -> Vec<Link> {
        // The two kinds on two threads: each is a pass over every task,
        // and a schedule request has the second core to itself (the
        // server runs one analysis per two cores, see the schedule gate).
        let (mut links, cast) = std::thread::scope(|s| {
            let cast = s.spawn(|| {
                cast_links(
                    &self.tasks,
                    &self.task_type_order,
                    &self.casting,
                    self.cast_feeds.as_deref(),
                )
            });
            let pipeline = pipeline_links(&self.tasks, &self.task_type_order);
            let cast = cast
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (pipeline, cast)
        });
        links.extend(cast);
        links.extend(self.links.iter().cloned());
        // Ids compared as integers: the same order, not byte by byte.
        links
            .sort_unstable_by_key(|l| (l.predecessor.as_u128(), l.successor.as_u128(), l.lag_days));
        links
    }
}

/// Puts `tasks` in id order, in place: each task is moved at most once and
/// no second vector of tasks is made (nothing is moved when they are in
/// order already). Every pass of the analysis (forecast, milestones, risks,
/// roll-ups, timelines, critical paths) reads the tasks in id order: given
/// so, each reads them front to back instead of one cache miss per task
/// (on 150 000 tasks, about a quarter of the analysis's time: see
/// bench/README.md). The order of the input changes no answer.
pub fn put_in_id_order(tasks: &mut [TaskInput]) {
    if tasks.is_sorted_by_key(|t| t.id.as_u128()) {
        return;
    }
    let mut order: Vec<(u128, u32)> = tasks
        .iter()
        .enumerate()
        .map(|(i, t)| (t.id.as_u128(), i as u32))
        .collect();
    order.sort_unstable();
    // `from[i]`: where the task that belongs at `i` is now. Each cycle of
    // that permutation is walked once, carrying the task first met along
    // it; a place done points to itself.
    let mut from: Vec<u32> = order.into_iter().map(|(_, i)| i).collect();
    for start in 0..from.len() {
        let mut i = start;
        loop {
            let j = from[i] as usize;
            from[i] = i as u32;
            if j == start || j == i {
                break;
            }
            tasks.swap(i, j);
            i = j;
        }
    }
}

/// The forecast with its risks, milestone forecasts and roll-ups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    pub forecast: Forecast,
    pub risks: Vec<Risk>,
    pub milestones: Vec<MilestoneForecast>,
    pub rollups: RollUps,
}

/// The forecast alone, with the compiled calendar and the links it was
/// laid out on: what a timeline or a critical path reads (the risks,
/// milestones and roll-ups of [`analyse`] would be work and memory spent
/// for nothing).
pub fn plan(input: &ScheduleInput) -> (CompiledCalendar, Vec<Link>, Forecast) {
    let calendar = input.calendar.compile();
    let links = input.all_links();
    let forecast = forecast_planned(
        &calendar,
        input.as_of,
        &input.tasks,
        &links,
        &input.departments,
        &input.options,
    );
    (calendar, links, forecast)
}

/// Forecasts `input` and derives its risks, milestones and roll-ups.
pub fn analyse(input: &ScheduleInput) -> Analysis {
    let (calendar, _, forecast) = plan(input);
    let milestones = milestone_forecasts(&calendar, &input.tasks, &forecast, &input.milestones);
    let risks = risks(
        &calendar,
        &input.tasks,
        &forecast,
        &milestones,
        &input.options,
    );
    let rollups = rollups(&input.tasks, &forecast);
    Analysis {
        forecast,
        risks,
        milestones,
        rollups,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tasks_are_put_in_id_order_in_place() {
        // xorshift ids, duplicates included (they keep some order).
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut tasks: Vec<TaskInput> = (0..500)
            .map(|n| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                TaskInput {
                    id: Uuid::from_u128(u128::from(x % 400) << 64),
                    name: format!("task {n}").into(),
                    ..TaskInput::default()
                }
            })
            .collect();
        let mut expected = tasks.clone();
        expected.sort_by_key(|t| t.id);
        put_in_id_order(&mut tasks);
        let ids = |v: &[TaskInput]| v.iter().map(|t| t.id).collect::<Vec<_>>();
        assert_eq!(ids(&tasks), ids(&expected));
        // Every task is still there, once.
        let mut names: Vec<&str> = tasks.iter().map(|t| &*t.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 500);
        let before = tasks.clone();
        put_in_id_order(&mut tasks);
        assert_eq!(tasks, before);
    }
}
