//! Remaining work and the forecast.
//!
//! Policy:
//! * Remaining work of an open task is `max(0, estimate − logged)`; a task in
//!   a done status has none. Split evenly among its (deduplicated) assignees,
//!   each share is multiplied by that assignee's track record and rounded to
//!   a whole minute; the task's remaining work is the sum of its shares.
//! * Track record: Σ logged / Σ estimate over the person's done tasks that have
//!   both an estimate and logged time (a done task with nothing logged says
//!   the studio does not log time, not that the work took no time), clamped
//!   to `[ratio_min, ratio_max]`, rounded to 3 decimals (the value shown is
//!   the value used), 1.0 below `min_history_tasks` such tasks.
//! * Tasks are laid one at a time in order of priority (higher number
//!   first: Kitsu's 0 is normal, 3 the most urgent), then due date, then
//!   start date (dated before undated), then task id, a task waiting until
//!   all its predecessors (see [`crate::links`]) are laid. Without links,
//!   each person's shares are thus laid in that order. A share fills the
//!   first free capacity of its person on or after the task's earliest
//!   start: `max(as_of, start)` and every predecessor's forecast finish
//!   plus lag, so a task held back leaves the days before it to later tasks.
//!   A task whose predecessor does not finish within the horizon is all
//!   unscheduled. An unassigned task whose task type belongs to a
//!   department with people is forecast on that department's spare
//!   capacity (see below); any other unassigned task gets no dates, but its
//!   successors wait for its earliest start (so a chain through it still
//!   holds).
//! * Spare capacity: assigned work is what the studio has committed to, so
//!   it is laid first; the open unassigned tasks of a department's task
//!   types, and the tasks waiting on them through links, are laid after it
//!   (in the same order among themselves). Such a task goes to the member
//!   of the department (Zou's `department_link`, in the order given) whose
//!   free capacity, from the task's earliest start, would finish its
//!   remaining work (ratio 1.0) first (then the earliest start, then the
//!   smallest id). It stays unassigned: it has no share; its
//!   `spare_capacity` names the department and that person, and the
//!   minutes it takes are the person's `tentative_minutes`, never his
//!   load. Cost per such task: the members whose first free day is not
//!   after the best finish found so far, each walked up to that finish.
//!   `as_of` is the first day that can be worked; time logged on it is
//!   already in `logged`.
//! * A task finishes on the day its last share finishes. Work that does not
//!   fit within `horizon_days` of `as_of` is *unscheduled*: its task has no
//!   forecast finish and the minutes are reported, never dropped.
//! * Open tasks nobody is assigned to are listed in `unassigned`; they keep
//!   their remaining work (ratio 1.0), with dates only on spare capacity.
//! * Results do not depend on input order: tasks are processed in id order
//!   and every output list is sorted. Task ids are expected to be unique.

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap};
use std::sync::Arc;

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::calendar::CompiledCalendar;
use crate::links::Link;
use crate::Department;

/// An id with the name to show for it.
///
/// The name is shared, not copied: a production's 150 000 tasks name a
/// few thousand entities, sequences and task types, and each task carries
/// six of these (a copied `String` each was ~90 MB of a schedule request's
/// input; see bench/README.md).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Ref {
    pub id: Uuid,
    #[serde(default, with = "shared_name")]
    pub name: Arc<str>,
}

impl Ref {
    pub fn new(id: Uuid, name: impl Into<Arc<str>>) -> Self {
        Ref {
            id,
            name: name.into(),
        }
    }
}

/// `Arc<str>` as a plain JSON string (serde's own impl needs its `rc`
/// feature, which would rebuild every dependency using serde).
pub(crate) mod shared_name {
    use std::sync::Arc;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(name: &Arc<str>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(name)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Arc<str>, D::Error> {
        String::deserialize(d).map(Arc::from)
    }
}

/// The flags of a task's status (Kitsu's `task_status` booleans).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct StatusFlags {
    pub is_done: bool,
    pub is_wip: bool,
    pub is_retake: bool,
    pub is_feedback_request: bool,
}

impl StatusFlags {
    /// A status in which no work has begun (Kitsu's "todo"): none of the
    /// flags is set.
    pub fn is_todo(self) -> bool {
        !(self.is_done || self.is_wip || self.is_retake || self.is_feedback_request)
    }
}

/// One task, as the scheduler needs it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TaskInput {
    pub id: Uuid,
    #[serde(with = "shared_name")]
    pub name: Arc<str>,
    pub project: Option<Ref>,
    pub task_type: Option<Ref>,
    /// The shot, asset, sequence… the task belongs to.
    pub entity: Option<Ref>,
    /// The entity's type (asset type, or "Shot", "Sequence"…).
    pub entity_type: Option<Ref>,
    pub sequence: Option<Ref>,
    pub episode: Option<Ref>,
    pub assignees: Vec<Uuid>,
    /// Kitsu's priority: 0 normal … 3 most urgent.
    pub priority: i64,
    /// 0 (Kitsu's default) means "no estimate".
    pub estimate_minutes: f64,
    pub logged_minutes: f64,
    pub start: Option<NaiveDate>,
    pub due: Option<NaiveDate>,
    pub real_start: Option<NaiveDate>,
    pub done_at: Option<NaiveDate>,
    pub status: StatusFlags,
}

impl TaskInput {
    /// Estimate in minutes, 0 for a missing, negative or non-finite one.
    pub fn estimate(&self) -> f64 {
        clean_minutes(self.estimate_minutes)
    }

    /// Logged minutes, 0 for a negative or non-finite value.
    pub fn logged(&self) -> f64 {
        clean_minutes(self.logged_minutes)
    }

    /// Remaining minutes before any track-record correction.
    pub fn raw_remaining(&self) -> f64 {
        if self.status.is_done {
            0.0
        } else {
            (self.estimate() - self.logged()).max(0.0)
        }
    }

    /// Assignees sorted, without duplicates.
    pub fn assignee_set(&self) -> Vec<Uuid> {
        let mut a = self.assignees.clone();
        a.sort_unstable();
        a.dedup();
        a
    }
}

fn clean_minutes(m: f64) -> f64 {
    if m.is_finite() && m > 0.0 {
        m
    } else {
        0.0
    }
}

/// Tuning of the forecast and of risk severities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ScheduleOptions {
    /// Correct remaining work by each person's track record.
    pub use_track_record: bool,
    pub ratio_min: f64,
    pub ratio_max: f64,
    /// Done tasks (with estimate and logged time) needed before a person's
    /// ratio departs from 1.0.
    pub min_history_tasks: usize,
    /// Days after `as_of` beyond which work is reported unscheduled.
    pub horizon_days: u32,
    /// A slip of at least this many studio working days is medium severity.
    pub medium_slip_days: i64,
    /// A slip of at least this many studio working days is high severity.
    pub high_slip_days: i64,
}

impl Default for ScheduleOptions {
    fn default() -> Self {
        ScheduleOptions {
            use_track_record: true,
            ratio_min: 0.5,
            ratio_max: 3.0,
            min_history_tasks: 1,
            horizon_days: 3660,
            medium_slip_days: 3,
            high_slip_days: 10,
        }
    }
}

/// Where a task stands in the forecast.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    Done,
    Open,
    /// Open, nobody assigned.
    Unassigned,
}

/// One assignee's part of a task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Share {
    pub person_id: Uuid,
    /// The track-record ratio applied.
    pub ratio: f64,
    pub minutes: i64,
    /// First day work is laid on (`max(as_of, start)` for a zero share).
    pub start: Option<NaiveDate>,
    /// Day the share is finished; `None` if part of it is unscheduled.
    pub finish: Option<NaiveDate>,
    /// Minutes beyond the horizon.
    pub unscheduled_minutes: i64,
}

/// The forecast of one task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskForecast {
    pub task_id: Uuid,
    pub state: TaskState,
    /// `max(0, estimate − logged)`, 0 when done.
    pub raw_remaining_minutes: f64,
    /// Sum of the shares (the raw remaining, rounded, for an unassigned task).
    pub remaining_minutes: i64,
    pub shares: Vec<Share>,
    /// `max(as_of, start)` for an open task.
    /// With links, not before any predecessor's finish plus lag.
    pub earliest_start: Option<NaiveDate>,
    /// The predecessor whose forecast finish holds the task back past
    /// `max(as_of, start)` (the last one found when several do), or that
    /// does not finish within the horizon.
    #[serde(default)]
    pub waits_for: Option<Uuid>,
    pub forecast_start: Option<NaiveDate>,
    /// Done: `done_at`. Open: when the last share finishes. Unassigned:
    /// when its work on the department's spare capacity finishes.
    pub forecast_finish: Option<NaiveDate>,
    /// Unassigned: the department whose spare capacity it is forecast on
    /// (`None`: no department does its task type, so no dates).
    #[serde(default)]
    pub spare_capacity: Option<SpareCapacity>,
    pub due: Option<NaiveDate>,
    /// Open and its due date is before `as_of`.
    pub late: bool,
    /// Open, not yet late, and forecast to finish after its due date (or,
    /// with unscheduled work, not finishing within the horizon).
    pub will_slip: bool,
    /// Studio working days from due date to forecast finish for a slipping
    /// task; from due date to `max(as_of, forecast)` for a late one (`as_of`
    /// or the horizon's end when the forecast is unknown: a lower bound).
    pub slip_days: i64,
}

/// Where an unassigned task is forecast.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpareCapacity {
    pub department: Ref,
    /// The member whose spare time would finish it first (`None` for a
    /// task with no remaining work).
    pub person_id: Option<Uuid>,
    /// Minutes laid on his spare time.
    pub minutes: i64,
    /// Minutes beyond the horizon.
    pub unscheduled_minutes: i64,
}

impl TaskForecast {
    /// Whether the task is open (done tasks have no remaining work).
    pub fn is_open(&self) -> bool {
        self.state != TaskState::Done
    }

    /// Minutes of this task that did not fit in the horizon (on spare
    /// capacity included).
    pub fn unscheduled_minutes(&self) -> i64 {
        self.shares
            .iter()
            .map(|s| s.unscheduled_minutes)
            .sum::<i64>()
            + self
                .spare_capacity
                .as_ref()
                .map_or(0, |s| s.unscheduled_minutes)
    }
}

/// Work laid on one day of a person's calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayLoad {
    pub date: NaiveDate,
    pub capacity_minutes: i64,
    pub load_minutes: i64,
    /// Unassigned work forecast on his spare capacity that day.
    #[serde(default)]
    pub tentative_minutes: i64,
}

/// One person's track record and load.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonLoad {
    pub person_id: Uuid,
    pub name: String,
    /// Track-record ratio (logged / estimate on done tasks), as applied.
    pub ratio: f64,
    /// Done tasks behind the ratio.
    pub history_tasks: usize,
    pub minutes_per_day: i64,
    pub open_tasks: usize,
    pub remaining_minutes: i64,
    pub laid_out_minutes: i64,
    pub unscheduled_minutes: i64,
    /// Unassigned work forecast on his spare capacity (not his load).
    #[serde(default)]
    pub tentative_minutes: i64,
    /// When the last share is finished (`None` with unscheduled work or
    /// none to do).
    pub finish: Option<NaiveDate>,
    /// Days from `as_of` to the last loaded day on which he can work.
    pub days: Vec<DayLoad>,
}

/// The forecast of a set of tasks as of a date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Forecast {
    pub as_of: NaiveDate,
    /// Last day work may be laid on.
    pub horizon_end: NaiveDate,
    /// Sorted by task id.
    pub tasks: Vec<TaskForecast>,
    /// Sorted by person id: everyone assigned to a task or in the
    /// calendar, and the members of a department whose spare capacity an
    /// unassigned task needs.
    pub people: Vec<PersonLoad>,
    /// Open tasks without assignees, sorted.
    pub unassigned: Vec<Uuid>,
    /// Where each of `tasks` was in the input (not part of the answer).
    #[serde(skip)]
    pub(crate) input_order: InputOrder,
}

/// The index in the input of each task of a forecast (`tasks[order[k]]`
/// is the task forecast by `forecast.tasks[k]`), kept so that the passes
/// after the forecast (milestones, risks, roll-ups, timelines, critical
/// paths) pair tasks with their forecasts without sorting the input again:
/// that sort was a tenth of each pass on 150 000 tasks. It is not part of
/// the answer: never serialised, never compared (two forecasts of the same
/// tasks given in different orders are equal), empty when deserialised.
#[derive(Debug, Clone, Default)]
pub(crate) struct InputOrder(Vec<u32>);

impl PartialEq for InputOrder {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Forecast {
    /// The forecast of task `id`.
    pub fn task(&self, id: Uuid) -> Option<&TaskForecast> {
        self.tasks
            .binary_search_by_key(&id, |t| t.task_id)
            .ok()
            .map(|i| &self.tasks[i])
    }

    /// The load of person `id`.
    pub fn person(&self, id: Uuid) -> Option<&PersonLoad> {
        self.people
            .binary_search_by_key(&id, |p| p.person_id)
            .ok()
            .map(|i| &self.people[i])
    }
}

/// Days the forecast may look ahead, never past the last representable date.
fn effective_horizon(as_of: NaiveDate, horizon_days: u32) -> usize {
    let room = (NaiveDate::MAX - as_of).num_days().max(0);
    (horizon_days as usize).min(room as usize + 1)
}

fn day(as_of: NaiveDate, index: usize) -> NaiveDate {
    as_of
        .checked_add_days(Days::new(index as u64))
        .unwrap_or(NaiveDate::MAX)
}

/// One person's days from `as_of`, grown lazily. `next` is a union-find
/// "next day with free capacity" so that full days and days off are skipped
/// in near-constant time, whatever the backlog: the layout stays linear in
/// the number of shares and days.
struct Lane<'a> {
    /// Each day's free minutes beside its `next`: walking a lane reads
    /// both, and side by side they cost one cache miss, not two (the
    /// misses were a tenth of a 150 000-task critical-path request).
    free: Vec<Free>,
    load: Vec<i64>,
    /// Unassigned work laid on spare capacity.
    spare: Vec<i64>,
    days: crate::calendar::DayCursor<'a>,
    horizon: usize,
}

/// A lane's day: its free minutes and the union-find "next day with free
/// capacity" (itself while it has some).
#[derive(Clone, Copy)]
struct Free {
    minutes: i64,
    next: u32,
}

impl<'a> Lane<'a> {
    fn new(days: crate::calendar::DayCursor<'a>, horizon: usize) -> Self {
        Lane {
            free: Vec::new(),
            load: Vec::new(),
            spare: Vec::new(),
            days,
            horizon,
        }
    }

    fn grow_to(&mut self, i: usize) -> bool {
        while self.free.len() <= i {
            let len = self.free.len();
            if len >= self.horizon {
                return false;
            }
            match self.days.next_capacity() {
                Some(cap) => {
                    self.free.push(Free {
                        minutes: cap,
                        next: if cap > 0 { len as u32 } else { len as u32 + 1 },
                    });
                    self.load.push(0);
                    self.spare.push(0);
                }
                None => {
                    self.horizon = len;
                    return false;
                }
            }
        }
        true
    }

    /// First day `>= i` with free capacity, within the horizon.
    fn find(&mut self, i: usize) -> Option<usize> {
        let mut j = i;
        let found = loop {
            if j >= self.horizon || !self.grow_to(j) {
                break None;
            }
            let p = self.free[j].next as usize;
            if p == j {
                break Some(j);
            }
            j = p;
        };
        let mut x = i;
        while x != j && x < self.free.len() {
            let p = self.free[x].next as usize;
            self.free[x].next = j as u32;
            x = p;
        }
        found
    }

    fn take(&mut self, j: usize, want: i64, tentative: bool) -> i64 {
        let t = self.free[j].minutes.min(want);
        self.free[j].minutes -= t;
        if tentative {
            self.spare[j] += t;
        } else {
            self.load[j] += t;
        }
        if self.free[j].minutes == 0 {
            self.free[j].next = j as u32 + 1;
        }
        t
    }

    /// Lays `minutes` from day `i` on: (first day, last day, minutes left
    /// beyond the horizon).
    fn lay(
        &mut self,
        i: usize,
        minutes: i64,
        tentative: bool,
    ) -> (Option<usize>, Option<usize>, i64) {
        let mut left = minutes;
        let mut i = i.min(self.horizon);
        let (mut first, mut last) = (None, None);
        while left > 0 {
            let Some(j) = self.find(i) else { break };
            left -= self.take(j, left, tentative);
            first.get_or_insert(j);
            last = Some(j);
            i = j;
        }
        (first, last, left)
    }

    /// Where `minutes` laid from day `i` would start and finish, without
    /// laying them (`None` finish: not within the horizon, or not by day
    /// `bound`: the caller only wants to know whether it finishes by then).
    fn peek(
        &mut self,
        i: usize,
        minutes: i64,
        bound: Option<usize>,
    ) -> (Option<usize>, Option<usize>) {
        let mut left = minutes;
        let mut i = i.min(self.horizon);
        let mut first = None;
        while left > 0 {
            let Some(j) = self.find(i).filter(|j| bound.is_none_or(|b| *j <= b)) else {
                return (first, None);
            };
            first.get_or_insert(j);
            left -= self.free[j].minutes.min(left);
            if left == 0 {
                return (first, Some(j));
            }
            i = j + 1;
        }
        (first, first)
    }
}

/// A forecast's first and last day (`None` last: not within the horizon).
type Span = (Option<NaiveDate>, Option<NaiveDate>);

/// What a successor waits for.
#[derive(Debug, Clone, Copy)]
enum Finish {
    /// Nothing: done without a date.
    Free,
    /// Finished on this day.
    At(NaiveDate),
    /// Not within the horizon.
    Never,
}

/// The `lag`-th studio working day after `date` (`date` itself for 0).
fn after_working_days(calendar: &CompiledCalendar, date: NaiveDate, lag: u32) -> NaiveDate {
    let mut d = date;
    let mut left = lag;
    // Bounded: a studio calendar without working days would loop forever.
    for _ in 0..(lag as usize * 7 + 3660) {
        if left == 0 {
            break;
        }
        match d.succ_opt() {
            Some(next) => d = next,
            None => break,
        }
        if calendar.is_studio_working_day(d) {
            left -= 1;
        }
    }
    d
}

/// Forecasts `tasks` on `calendar` as of `as_of`, without links.
pub fn forecast(
    calendar: &CompiledCalendar,
    as_of: NaiveDate,
    tasks: &[TaskInput],
    options: &ScheduleOptions,
) -> Forecast {
    forecast_linked(calendar, as_of, tasks, &[], options)
}

/// Forecasts `tasks` on `calendar` as of `as_of`, no task starting before
/// its predecessors' forecast finish (plus lag), without departments.
pub fn forecast_linked(
    calendar: &CompiledCalendar,
    as_of: NaiveDate,
    tasks: &[TaskInput],
    links: &[Link],
    options: &ScheduleOptions,
) -> Forecast {
    forecast_planned(calendar, as_of, tasks, links, &[], options)
}

/// Forecasts `tasks` on `calendar` as of `as_of`, no task starting before
/// its predecessors' forecast finish (plus lag), the unassigned ones on the
/// spare capacity of their task type's department.
pub fn forecast_planned(
    calendar: &CompiledCalendar,
    as_of: NaiveDate,
    tasks: &[TaskInput],
    links: &[Link],
    departments: &[Department],
    options: &ScheduleOptions,
) -> Forecast {
    let horizon = effective_horizon(as_of, options.horizon_days);
    let horizon_end = day(as_of, horizon.saturating_sub(1));

    let order = id_order(tasks);
    // What the layout reads of each task, in id order, and each task's
    // assignee set, flat: `assignees(k)`. The input is read once: its tasks
    // are large and scattered, and every later pass (most urgent first,
    // then in id order) would otherwise miss the cache on each of them.
    let mut briefs: Vec<Brief> = Vec::with_capacity(order.len());
    let mut assignee_ids: Vec<Uuid> = Vec::new();
    let mut assignee_at: Vec<u32> = Vec::with_capacity(order.len() + 1);
    let mut set: Vec<Uuid> = Vec::new();
    for &i in &order {
        let t = &tasks[i as usize];
        briefs.push(Brief::of(t));
        assignee_at.push(assignee_ids.len() as u32);
        set.clone_from(&t.assignees);
        set.sort_unstable();
        set.dedup();
        assignee_ids.extend_from_slice(&set);
    }
    assignee_at.push(assignee_ids.len() as u32);
    let assignees = |k: usize| &assignee_ids[assignee_at[k] as usize..assignee_at[k + 1] as usize];

    // The department doing each task type (the first by id when several
    // claim it), among those with people; and each open unassigned task's.
    let mut by_id: Vec<&Department> = departments
        .iter()
        .filter(|d| !d.people.is_empty())
        .collect();
    by_id.sort_by_key(|d| d.id);
    let mut type_department: crate::IdMap<Uuid, usize> = crate::IdMap::default();
    for (di, d) in by_id.iter().enumerate() {
        for tt in &d.task_types {
            type_department.entry(*tt).or_insert(di);
        }
    }
    let department_of: Vec<Option<usize>> = briefs
        .iter()
        .enumerate()
        .map(|(k, b)| {
            if b.is_done || !assignees(k).is_empty() {
                return None;
            }
            type_department.get(&b.task_type?).copied()
        })
        .collect();
    let mut used = vec![false; by_id.len()];
    for d in department_of.iter().flatten() {
        used[*d] = true;
    }

    let mut people: Vec<Uuid> = assignee_ids.clone();
    people.extend(calendar.people());
    for (d, _) in by_id.iter().zip(&used).filter(|(_, u)| **u) {
        people.extend(d.people.iter().map(|p| p.id));
    }
    people.sort_unstable_by_key(|p| p.as_u128());
    people.dedup();
    // `people` is sorted: a binary search over 2 000 ids stays in cache,
    // cheaper than hashing a uuid. It compares them as integers (two
    // machine words; a `Uuid` compares as 16 bytes).
    let people_keys: Vec<u128> = people.iter().map(|p| p.as_u128()).collect();
    let person_index = |p: &Uuid| {
        people_keys
            .binary_search(&p.as_u128())
            .ok()
            .map(|i| i as u32)
    };

    // Track records, summed in task-id order so float sums are reproducible.
    let mut hist_logged = vec![0.0f64; people.len()];
    let mut hist_estimate = vec![0.0f64; people.len()];
    let mut hist_tasks = vec![0usize; people.len()];
    for (k, b) in briefs.iter().enumerate() {
        let (estimate, logged) = (b.estimate, b.logged);
        if b.is_done && estimate > 0.0 && logged > 0.0 {
            for p in assignees(k) {
                let Some(p) = person_index(p) else { continue };
                let p = p as usize;
                hist_logged[p] += logged;
                hist_estimate[p] += estimate;
                hist_tasks[p] += 1;
            }
        }
    }
    let (lo, hi) = if options.ratio_min <= options.ratio_max {
        (options.ratio_min, options.ratio_max)
    } else {
        (options.ratio_max, options.ratio_min)
    };
    let ratios: Vec<f64> = (0..people.len())
        .map(|p| {
            if !options.use_track_record
                || hist_tasks[p] == 0
                || hist_tasks[p] < options.min_history_tasks
            {
                return 1.0;
            }
            let r = (hist_logged[p] / hist_estimate[p]).max(lo).min(hi);
            let r = (r * 1000.0).round() / 1000.0;
            if r.is_finite() && r > 0.0 {
                r
            } else {
                1.0
            }
        })
        .collect();

    // Shares, in task-id order; `first_share[k]..first_share[k + 1]` are
    // task k's, `share_person` their people.
    let n = briefs.len();
    let mut shares: Vec<Share> = Vec::new();
    let mut share_person: Vec<u32> = Vec::new();
    let mut first_share: Vec<usize> = Vec::with_capacity(n + 1);
    for (k, b) in briefs.iter().enumerate() {
        first_share.push(shares.len());
        if b.is_done || assignees(k).is_empty() {
            continue;
        }
        let raw = b.raw;
        let count = assignees(k).len() as f64;
        for p in assignees(k) {
            let Some(pi) = person_index(p) else { continue };
            let ratio = ratios[pi as usize];
            shares.push(Share {
                person_id: *p,
                ratio,
                minutes: (raw / count * ratio).round() as i64,
                start: None,
                finish: None,
                unscheduled_minutes: 0,
            });
            share_person.push(pi);
        }
    }
    first_share.push(shares.len());

    // Links between tasks of the input (unknown tasks and self links are
    // ignored), as predecessor lists and successor lists.
    // Tasks are numbered in id order, so a binary search finds a link's
    // ends: over the ids alone as integers (16 bytes a task, not a 90-byte
    // brief and a byte-wise comparison: the search was a tenth of the
    // forecast), and links come sorted by predecessor, so the searches for
    // predecessors stay in cache.
    let keys: Vec<u128> = briefs.iter().map(|b| b.id.as_u128()).collect();
    let index_of = |id: &Uuid| keys.binary_search(&id.as_u128()).ok().map(|k| k as u32);
    // The urgency order below, but for its first field (laid after the
    // assigned work), which needs the links: sorted on the second core
    // while this one resolves the links (each a tenth of the prologue's
    // time on 150 000 tasks, issue 16).
    let (urgency, (backward, forward)) = std::thread::scope(|s| {
        let urgency = s.spawn(|| {
            let mut order: Vec<u32> = (0..n as u32).collect();
            order.sort_by_cached_key(|&k| {
                let b = &briefs[k as usize];
                (
                    Reverse(b.priority),
                    b.due.is_none(),
                    b.due,
                    b.start.is_none(),
                    b.start,
                    b.id.as_u128(),
                )
            });
            order
        });
        let mut backward: Vec<(u32, (u32, u32))> = Vec::new();
        let mut forward: Vec<(u32, u32)> = Vec::new();
        for l in links {
            let (Some(p), Some(s)) = (index_of(&l.predecessor), index_of(&l.successor)) else {
                continue;
            };
            if p != s {
                backward.push((s, (p, l.lag_days)));
                forward.push((p, s));
            }
        }
        let urgency = urgency
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (urgency, (backward, forward))
    });
    let (pred_at, pred_list) = adjacency(n, &backward);
    let (succ_at, succ_list) = adjacency(n, &forward);
    drop((backward, forward, keys));
    let preds = |k: usize| &pred_list[pred_at[k] as usize..pred_at[k + 1] as usize];
    let succs = |k: usize| &succ_list[succ_at[k] as usize..succ_at[k + 1] as usize];

    // Laid after the assigned work: the unassigned tasks on spare capacity
    // and everything downstream of them.
    let mut after: Vec<bool> = department_of.iter().map(Option::is_some).collect();
    let mut stack: Vec<usize> = (0..n).filter(|&k| after[k]).collect();
    while let Some(k) = stack.pop() {
        for &s in succs(k) {
            let s = s as usize;
            if !after[s] {
                after[s] = true;
                stack.push(s);
            }
        }
    }
    // Each department's members (lane indices) by a day on or before
    // their first day with free capacity (`u32::MAX`: none within the
    // horizon). A member's free days only shrink as work is laid, so a
    // key stays a lower bound until the search below refreshes it: the
    // spare-capacity search looks at the members in this order and stops
    // at the first who cannot start before the best finish found (issue
    // 16: scanning every member for each of 15 227 unassigned tasks was a
    // sixth of a 150 000-task forecast; this saves ~5 % of a causes
    // request). The rank below, lane index last, keeps the pick
    // independent of the order looked in.
    let mut by_frontier: Vec<BTreeSet<(u32, u32)>> = by_id
        .iter()
        .map(|d| {
            d.people
                .iter()
                .filter_map(|p| person_index(&p.id))
                .map(|pi| (0, pi))
                .collect()
        })
        .collect();
    // Each department's most minutes a member can work in a day: a task
    // of `m` minutes takes a member at least `m / most` days, which bounds
    // his finish from his first free day before his days are walked.
    let most_per_day: Vec<i64> = by_id
        .iter()
        .map(|d| {
            d.people
                .iter()
                .map(|p| calendar.minutes_per_day(Some(p.id)))
                .max()
                .unwrap_or(0)
        })
        .collect();
    // A lane is whole (every day's free minutes its capacity) from the day
    // after the last one work was laid on: `laid_until` (0: nothing laid).
    // No member of his day class can finish a task laid from that day
    // before a member whose lane is whole from it, nor start it earlier:
    // their free minutes are at most his. Among the members of a class,
    // the one whole from the task's earliest day with the smallest lane
    // index thus beats every member after him in lane order, and the
    // search skips them (issue 16: a department's 420 members were peeked
    // for each of 15 227 unassigned tasks, most of them idle from the
    // task's earliest day). `groups[d]`: department d's members by day
    // class (classes of two or more, each in lane order); `group_of[d][pi]`:
    // pi's group there.
    let mut laid_until = vec![0u32; people.len()];
    let day_class = calendar.day_classes(&people);
    let mut groups: Vec<Vec<Vec<u32>>> = Vec::with_capacity(by_id.len());
    let mut group_of: Vec<Vec<u32>> = Vec::with_capacity(by_id.len());
    for members in &by_frontier {
        let mut by_class: std::collections::BTreeMap<u32, Vec<u32>> = Default::default();
        for &(_, pi) in members {
            by_class.entry(day_class[pi as usize]).or_default().push(pi);
        }
        let mut of = vec![u32::MAX; people.len()];
        let mut list = Vec::new();
        for mut group in by_class.into_values().filter(|g| g.len() > 1) {
            group.sort_unstable();
            for &pi in &group {
                of[pi as usize] = list.len() as u32;
            }
            list.push(group);
        }
        groups.push(list);
        group_of.push(of);
    }
    let mut spare_of: Vec<Option<SpareCapacity>> = vec![None; n];
    let mut spare_dates: Vec<Span> = vec![(None, None); n];

    // Tasks are laid one at a time, the most urgent ready task first
    // (priority, due date, start date, id: without links each person's
    // shares are laid in that order), a task being ready once all its
    // predecessors are laid. Tasks left waiting by a cycle are taken in the
    // same order, ignoring the predecessors not laid yet, so the forecast
    // always terminates.
    // (laid after, urgency): the tasks laid first, then the others, each
    // part in urgency order.
    let mut waiting: Vec<usize> = (0..n).map(|k| preds(k).len()).collect();
    let (mut by_key, later): (Vec<usize>, Vec<usize>) = urgency
        .into_iter()
        .map(|k| k as usize)
        .partition(|&k| !after[k]);
    by_key.extend(later);
    // A task's place in that order: the ready heap holds these small ranks
    // instead of the keys (ids are unique, so the order is the same).
    let mut rank = vec![0u32; n];
    for (r, &k) in by_key.iter().enumerate() {
        rank[k] = r as u32;
    }
    let mut next_stuck = 0;
    let mut ready: BinaryHeap<Reverse<u32>> = (0..n)
        .filter(|&k| waiting[k] == 0)
        .map(|k| Reverse(rank[k]))
        .collect();
    let mut laid = vec![false; n];
    let mut finish_of: Vec<Finish> = vec![Finish::Free; n];
    let mut earliest_of: Vec<NaiveDate> = vec![as_of; n];
    let mut waits_for: Vec<Option<Uuid>> = vec![None; n];
    let mut blocked = vec![false; n];
    let mut lanes: Vec<Option<Lane>> = (0..people.len()).map(|_| None).collect();
    macro_rules! lane_of {
        ($pi:expr) => {{
            let pi: usize = $pi;
            lanes[pi].get_or_insert_with(|| {
                let person = people[pi];
                // Someone who never works would otherwise be scanned day by
                // day to the horizon.
                let reach = if calendar.can_ever_work(person) {
                    horizon
                } else {
                    0
                };
                Lane::new(calendar.days_from(person, as_of), reach)
            })
        }};
    }

    for _ in 0..n {
        let k = match ready.pop() {
            Some(Reverse(r)) => by_key[r as usize],
            None => {
                while laid[by_key[next_stuck]] {
                    next_stuck += 1;
                }
                by_key[next_stuck]
            }
        };
        laid[k] = true;
        let t = &briefs[k];
        let mut earliest = t.start.map_or(as_of, |s| s.max(as_of));
        for &(p, lag) in preds(k) {
            let p = p as usize;
            match finish_of[p] {
                _ if !laid[p] => {}
                Finish::At(f) => {
                    let e = after_working_days(calendar, f, lag);
                    if e > earliest {
                        earliest = e;
                        waits_for[k] = Some(briefs[p].id);
                    }
                }
                Finish::Never => {
                    blocked[k] = true;
                    waits_for[k] = Some(briefs[p].id);
                }
                Finish::Free => {}
            }
        }
        if earliest > horizon_end {
            blocked[k] = true;
        }
        earliest_of[k] = earliest;
        let earliest_index = (earliest - as_of).num_days().max(0) as usize;
        for slot in first_share[k]..first_share[k + 1] {
            let share = &mut shares[slot];
            if blocked[k] {
                share.unscheduled_minutes = share.minutes;
                continue;
            }
            if share.minutes == 0 {
                share.start = Some(earliest);
                share.finish = Some(earliest);
                continue;
            }
            let pi = share_person[slot] as usize;
            let lane = lane_of!(pi);
            let (first, last, left) = lane.lay(earliest_index, share.minutes, false);
            if let Some(l) = last {
                laid_until[pi] = laid_until[pi].max(l as u32 + 1);
            }
            share.start = first.map(|j| day(as_of, j));
            share.finish = if left > 0 {
                None
            } else {
                last.map(|j| day(as_of, j))
            };
            share.unscheduled_minutes = left;
        }
        if let Some(di) = department_of[k] {
            let minutes = t.raw.round() as i64;
            let mut spare = SpareCapacity {
                department: Ref::new(by_id[di].id, by_id[di].name.clone()),
                person_id: None,
                minutes,
                unscheduled_minutes: minutes,
            };
            if !blocked[k] && minutes == 0 {
                spare.unscheduled_minutes = 0;
                spare_dates[k] = (Some(earliest), Some(earliest));
            } else if !blocked[k] {
                // The member who would finish first, then start first.
                // (unfinished, finish, start, lane) of the best so far,
                // and who.
                let mut best = None;
                let mut best_rank = (true, None, None, 0);
                let mut refreshed = Vec::new();
                // Days the task takes at the least (every day full).
                let days_at_least = match most_per_day[di] {
                    most if most > 0 => (minutes as usize).div_ceil(most as usize).max(1),
                    _ => 1,
                };
                // Each group's first member in lane order whose lane is
                // whole from the earliest day: those after him are beaten.
                let whole = |pi: u32| laid_until[pi as usize] as usize <= earliest_index;
                let leader: Vec<u32> = groups[di]
                    .iter()
                    .map(|g| g.iter().copied().find(|&pi| whole(pi)).unwrap_or(u32::MAX))
                    .collect();
                for &(key, pi) in by_frontier[di].iter() {
                    // Someone who starts on `front` at the earliest and
                    // needs `days_at_least` days cannot finish before
                    // the best so far, nor finish with him and start
                    // earlier: he cannot beat him, nor can anyone after him
                    // in this order (their first free day is no earlier).
                    let beaten = |front: u32| {
                        let start = (front as usize).max(earliest_index);
                        let finish = start.saturating_add(days_at_least - 1);
                        best.is_some()
                            && best_rank.1.is_some_and(|b| {
                                finish > b
                                    || (finish == b && best_rank.2.is_some_and(|f| start > f))
                            })
                    };
                    if beaten(key) {
                        break;
                    }
                    let g = group_of[di][pi as usize];
                    if g != u32::MAX && pi > leader[g as usize] {
                        continue;
                    }
                    let lane = lane_of!(pi as usize);
                    // A key before the earliest day is left as it is:
                    // refreshing it costs a read far back in his lane, and
                    // `beaten` and the walk below start at the earliest
                    // day anyway (members keep small early holes, so most
                    // keys stay there: 4 million reads on 150 000 tasks).
                    let front = if (key as usize) < earliest_index {
                        key
                    } else {
                        lane.find(key as usize).map_or(u32::MAX, |j| j as u32)
                    };
                    if front != key {
                        refreshed.push((key, front, pi));
                        if beaten(front) {
                            continue;
                        }
                    }
                    // Nor can anyone finishing after him: stop walking a
                    // member's days there.
                    let bound = if best.is_some() { best_rank.1 } else { None };
                    // No day before `front` is free (none before `key`,
                    // none from `key` to `front`): the walk starts there,
                    // not at the task's earliest day (the walks over his
                    // full days were most of the search's time).
                    let from = earliest_index.max(front as usize);
                    let (first, finish) = lane.peek(from, minutes, bound);
                    let rank = (finish.is_none(), finish, first, pi);
                    if best.is_none() || rank < best_rank {
                        (best, best_rank) = (Some(pi), rank);
                    }
                }
                for (old, new, pi) in refreshed {
                    by_frontier[di].remove(&(old, pi));
                    by_frontier[di].insert((new, pi));
                }
                if let Some(pi) = best {
                    let (first, last, left) =
                        lane_of!(pi as usize).lay(earliest_index, minutes, true);
                    if let Some(l) = last {
                        laid_until[pi as usize] = laid_until[pi as usize].max(l as u32 + 1);
                    }
                    spare.person_id = Some(people[pi as usize]);
                    spare.unscheduled_minutes = left;
                    spare_dates[k] = (
                        first.map(|j| day(as_of, j)),
                        if left > 0 {
                            None
                        } else {
                            last.map(|j| day(as_of, j))
                        },
                    );
                }
            }
            finish_of[k] = match spare_dates[k].1 {
                Some(f) => Finish::At(f),
                None => Finish::Never,
            };
            spare_of[k] = Some(spare);
        } else if t.is_done {
            finish_of[k] = t.done_at.map_or(Finish::Free, Finish::At);
        } else if first_share[k] == first_share[k + 1] {
            // Unassigned: no dates of its own, but it cannot be done before
            // its earliest start, and a chain through it must hold.
            finish_of[k] = if blocked[k] {
                Finish::Never
            } else {
                Finish::At(earliest)
            };
        } else {
            let task_shares = &shares[first_share[k]..first_share[k + 1]];
            finish_of[k] = if task_shares.iter().any(|s| s.finish.is_none()) {
                Finish::Never
            } else {
                task_shares
                    .iter()
                    .filter_map(|s| s.finish)
                    .max()
                    .map_or(Finish::Free, Finish::At)
            };
        }
        for &s in succs(k) {
            let s = s as usize;
            waiting[s] -= 1;
            if waiting[s] == 0 && !laid[s] {
                ready.push(Reverse(rank[s]));
            }
        }
    }

    let mut loads: Vec<PersonLoad> = people
        .iter()
        .enumerate()
        .map(|(i, p)| PersonLoad {
            person_id: *p,
            name: calendar.person_name(*p).to_owned(),
            ratio: ratios[i],
            history_tasks: hist_tasks[i],
            minutes_per_day: calendar.minutes_per_day(Some(*p)),
            open_tasks: 0,
            remaining_minutes: 0,
            laid_out_minutes: 0,
            unscheduled_minutes: 0,
            tentative_minutes: 0,
            finish: None,
            days: Vec::new(),
        })
        .collect();
    let mut complete = vec![true; people.len()];
    for (share, &pi) in shares.iter().zip(&share_person) {
        let load = &mut loads[pi as usize];
        load.open_tasks += 1;
        load.remaining_minutes += share.minutes;
        load.unscheduled_minutes += share.unscheduled_minutes;
        match share.finish {
            Some(f) => load.finish = load.finish.max(Some(f)),
            None => complete[pi as usize] = false,
        }
    }
    for (pi, load) in loads.iter_mut().enumerate() {
        if !complete[pi] {
            load.finish = None;
        }
        let Some(lane) = &lanes[pi] else { continue };
        load.laid_out_minutes = lane.load.iter().sum();
        load.tentative_minutes = lane.spare.iter().sum();
        let used = |i: usize| lane.load[i] + lane.spare[i];
        if let Some(last) = (0..lane.load.len()).rposition(|i| used(i) > 0) {
            load.days = (0..=last)
                .filter(|&i| lane.free[i].minutes + used(i) > 0)
                .map(|i| DayLoad {
                    date: day(as_of, i),
                    capacity_minutes: lane.free[i].minutes + used(i),
                    load_minutes: lane.load[i],
                    tentative_minutes: lane.spare[i],
                })
                .collect();
        }
    }

    let mut out = Vec::with_capacity(n);
    let mut unassigned = Vec::new();
    for (k, t) in briefs.iter().enumerate() {
        let task_shares = shares[first_share[k]..first_share[k + 1]].to_vec();
        let mut tf = task_forecast(
            calendar,
            as_of,
            horizon_end,
            t,
            task_shares,
            spare_of[k].take().map(|s| (s, spare_dates[k])),
            &mut unassigned,
        );
        if tf.is_open() {
            tf.earliest_start = Some(earliest_of[k]);
            tf.waits_for = waits_for[k];
            if blocked[k] {
                tf.forecast_start = None;
            }
        }
        out.push(tf);
    }

    Forecast {
        as_of,
        horizon_end,
        tasks: out,
        people: loads,
        unassigned,
        input_order: InputOrder(order),
    }
}

/// What the forecast reads of a task (see `forecast_planned`).
struct Brief {
    id: Uuid,
    task_type: Option<Uuid>,
    priority: i64,
    start: Option<NaiveDate>,
    due: Option<NaiveDate>,
    done_at: Option<NaiveDate>,
    is_done: bool,
    estimate: f64,
    logged: f64,
    /// [`TaskInput::raw_remaining`].
    raw: f64,
}

impl Brief {
    fn of(t: &TaskInput) -> Self {
        Brief {
            id: t.id,
            task_type: t.task_type.as_ref().map(|r| r.id),
            priority: t.priority,
            start: t.start,
            due: t.due,
            done_at: t.done_at,
            is_done: t.status.is_done,
            estimate: t.estimate(),
            logged: t.logged(),
            raw: t.raw_remaining(),
        }
    }
}

/// Compressed adjacency lists over `n` nodes from (node, item) pairs:
/// node `i`'s items are `items[at[i]..at[i + 1]]`, in the order given (one
/// allocation instead of a vector per node).
pub(crate) fn adjacency<T: Copy>(n: usize, pairs: &[(u32, T)]) -> (Vec<u32>, Vec<T>) {
    let mut at = vec![0u32; n + 1];
    for (from, _) in pairs {
        at[*from as usize + 1] += 1;
    }
    for i in 0..n {
        at[i + 1] += at[i];
    }
    let mut fill = at.clone();
    let mut items: Vec<Option<T>> = vec![None; pairs.len()];
    for (from, item) in pairs {
        let f = &mut fill[*from as usize];
        items[*f as usize] = Some(*item);
        *f += 1;
    }
    (at, items.into_iter().flatten().collect())
}

/// Indices of `tasks` in id order (sorting ids beside indices keeps the sort
/// in contiguous memory; duplicates keep input order). Ids compare as
/// integers: the same order as `Uuid`'s, without a byte-wise comparison.
fn id_order(tasks: &[TaskInput]) -> Vec<u32> {
    if tasks.is_sorted_by_key(|t| t.id.as_u128()) {
        return (0..tasks.len() as u32).collect();
    }
    let mut ids: Vec<(u128, u32)> = tasks
        .iter()
        .enumerate()
        .map(|(i, t)| (t.id.as_u128(), i as u32))
        .collect();
    ids.sort_unstable();
    ids.into_iter().map(|(_, i)| i).collect()
}

/// `tasks` paired with their forecasts, in id order. Both sides are walked
/// in order (a merge join): a binary search per task costs a cache miss per
/// step on 150 000 forecasts.
pub(crate) fn paired<'a>(
    tasks: &'a [TaskInput],
    forecast: &'a Forecast,
) -> Vec<(&'a TaskInput, &'a TaskForecast)> {
    let mut out = Vec::with_capacity(tasks.len());
    // The forecast's own record of where its tasks were, when `tasks` is
    // that input (same length, every id where it says, ids strictly
    // increasing, so unique): the pairs the merge below would give.
    let order = &forecast.input_order.0;
    if order.len() == tasks.len() && order.len() == forecast.tasks.len() {
        let mut last: Option<u128> = None;
        for (f, &i) in forecast.tasks.iter().zip(order) {
            let key = f.task_id.as_u128();
            match tasks.get(i as usize) {
                Some(t) if t.id == f.task_id && last.is_none_or(|l| l < key) => {
                    out.push((t, f));
                    last = Some(key);
                }
                _ => break,
            }
        }
        if out.len() == order.len() {
            return out;
        }
        out.clear();
    }
    let mut j = 0;
    for i in id_order(tasks) {
        let t = &tasks[i as usize];
        while forecast.tasks.get(j).is_some_and(|f| f.task_id < t.id) {
            j += 1;
        }
        if let Some(f) = forecast.tasks.get(j).filter(|f| f.task_id == t.id) {
            out.push((t, f));
        }
    }
    out
}

fn task_forecast(
    calendar: &CompiledCalendar,
    as_of: NaiveDate,
    horizon_end: NaiveDate,
    t: &Brief,
    shares: Vec<Share>,
    spare: Option<(SpareCapacity, Span)>,
    unassigned: &mut Vec<Uuid>,
) -> TaskForecast {
    if t.is_done {
        return TaskForecast {
            task_id: t.id,
            state: TaskState::Done,
            raw_remaining_minutes: 0.0,
            remaining_minutes: 0,
            shares,
            earliest_start: None,
            waits_for: None,
            forecast_start: None,
            forecast_finish: t.done_at,
            spare_capacity: None,
            due: t.due,
            late: false,
            will_slip: false,
            slip_days: 0,
        };
    }
    let raw = t.raw;
    let earliest = t.start.map_or(as_of, |s| s.max(as_of));
    let mut spare_unscheduled = false;
    let (state, remaining, start, finish) = if shares.is_empty() {
        unassigned.push(t.id);
        let (start, finish) = spare.as_ref().map_or((None, None), |s| s.1);
        spare_unscheduled = spare.as_ref().is_some_and(|s| s.0.unscheduled_minutes > 0);
        (TaskState::Unassigned, raw.round() as i64, start, finish)
    } else {
        let start = shares.iter().filter_map(|s| s.start).min();
        let finish = if shares.iter().all(|s| s.finish.is_some()) {
            shares.iter().filter_map(|s| s.finish).max()
        } else {
            None
        };
        let remaining = shares.iter().map(|s| s.minutes).sum();
        (TaskState::Open, remaining, start, finish)
    };
    let unscheduled = spare_unscheduled || shares.iter().any(|s| s.unscheduled_minutes > 0);
    let (mut late, mut will_slip, mut slip_days) = (false, false, 0);
    if let Some(due) = t.due {
        if due < as_of {
            late = true;
            let until = finish.map_or(as_of, |f| f.max(as_of));
            slip_days = calendar.working_days_between(due, until);
        } else if let Some(f) = finish.filter(|f| *f > due) {
            will_slip = true;
            slip_days = calendar.working_days_between(due, f);
        } else if unscheduled && due < horizon_end {
            will_slip = true;
            slip_days = calendar.working_days_between(due, horizon_end);
        }
    }
    TaskForecast {
        task_id: t.id,
        state,
        raw_remaining_minutes: raw,
        remaining_minutes: remaining,
        shares,
        earliest_start: Some(earliest),
        waits_for: None,
        forecast_start: start,
        forecast_finish: finish,
        spare_capacity: spare.map(|s| s.0),
        due: t.due,
        late,
        will_slip,
        slip_days,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{Calendar, DateRange, PersonCalendar};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn task(n: u128, who: &[u128], estimate: f64) -> TaskInput {
        TaskInput {
            id: id(n),
            name: format!("task {n}").into(),
            assignees: who.iter().map(|p| id(*p)).collect(),
            estimate_minutes: estimate,
            ..TaskInput::default()
        }
    }

    fn run(tasks: &[TaskInput], as_of: &str) -> Forecast {
        forecast(
            &Calendar::default().compile(),
            d(as_of),
            tasks,
            &ScheduleOptions::default(),
        )
    }

    // 2024-06-03 is a Monday; 8 h = 480 min per day.

    #[test]
    fn one_person_back_to_back_by_priority() {
        let mut urgent = task(2, &[1], 960.0); // two days
        urgent.priority = 2;
        let normal = task(1, &[1], 720.0); // a day and a half
        let f = run(&[normal, urgent], "2024-06-06"); // Thursday
        let u = f.task(id(2)).unwrap();
        assert_eq!(u.forecast_start, Some(d("2024-06-06")));
        assert_eq!(u.forecast_finish, Some(d("2024-06-07")));
        let n = f.task(id(1)).unwrap();
        // Weekend skipped: Monday full, Tuesday half.
        assert_eq!(n.forecast_start, Some(d("2024-06-10")));
        assert_eq!(n.forecast_finish, Some(d("2024-06-11")));
        let p = f.person(id(1)).unwrap();
        assert_eq!(p.remaining_minutes, 1680);
        assert_eq!(p.laid_out_minutes, 1680);
        let loads: Vec<(NaiveDate, i64)> =
            p.days.iter().map(|x| (x.date, x.load_minutes)).collect();
        assert_eq!(
            loads,
            vec![
                (d("2024-06-06"), 480),
                (d("2024-06-07"), 480),
                (d("2024-06-10"), 480),
                (d("2024-06-11"), 240),
            ]
        );
        assert_eq!(p.finish, Some(d("2024-06-11")));
    }

    #[test]
    fn due_date_then_start_then_id_break_ties() {
        let mut a = task(3, &[1], 480.0);
        a.due = Some(d("2024-06-20"));
        let mut b = task(2, &[1], 480.0);
        b.due = Some(d("2024-06-10"));
        let c = task(1, &[1], 480.0); // no due date: last
        let f = run(&[a, b, c], "2024-06-03");
        assert_eq!(
            f.task(id(2)).unwrap().forecast_finish,
            Some(d("2024-06-03"))
        );
        assert_eq!(
            f.task(id(3)).unwrap().forecast_finish,
            Some(d("2024-06-04"))
        );
        assert_eq!(
            f.task(id(1)).unwrap().forecast_finish,
            Some(d("2024-06-05"))
        );
    }

    #[test]
    fn start_date_holds_a_task_back_and_others_fill_the_gap() {
        let mut held = task(1, &[1], 480.0);
        held.priority = 3;
        held.start = Some(d("2024-06-05"));
        let filler = task(2, &[1], 960.0);
        let f = run(&[held, filler], "2024-06-03");
        assert_eq!(f.task(id(1)).unwrap().forecast_start, Some(d("2024-06-05")));
        assert_eq!(
            f.task(id(1)).unwrap().forecast_finish,
            Some(d("2024-06-05"))
        );
        // Mon + Tue before the held task, done on Tuesday.
        assert_eq!(
            f.task(id(2)).unwrap().forecast_finish,
            Some(d("2024-06-04"))
        );
    }

    #[test]
    fn remaining_is_estimate_minus_logged_and_never_negative() {
        let mut a = task(1, &[1], 600.0);
        a.logged_minutes = 120.0;
        let mut b = task(2, &[1], 100.0);
        b.logged_minutes = 300.0;
        let mut c = task(3, &[1], 100.0);
        c.status.is_done = true;
        c.done_at = Some(d("2024-05-31"));
        let f = run(&[a, b, c], "2024-06-03");
        assert_eq!(f.task(id(1)).unwrap().remaining_minutes, 480);
        assert_eq!(f.task(id(2)).unwrap().remaining_minutes, 0);
        assert_eq!(
            f.task(id(2)).unwrap().forecast_finish,
            Some(d("2024-06-03"))
        );
        let done = f.task(id(3)).unwrap();
        assert_eq!(done.state, TaskState::Done);
        assert_eq!(done.remaining_minutes, 0);
        assert_eq!(done.forecast_finish, Some(d("2024-05-31")));
    }

    #[test]
    fn track_record_scales_remaining_and_is_clamped() {
        // Person 1 took 1.5x on finished work; person 2 took 10x (clamped to 3).
        let mut h1 = task(10, &[1], 400.0);
        h1.logged_minutes = 600.0;
        h1.status.is_done = true;
        let mut h2 = task(11, &[2], 100.0);
        h2.logged_minutes = 1000.0;
        h2.status.is_done = true;
        // Nothing logged: not evidence.
        let mut h3 = task(12, &[3], 100.0);
        h3.status.is_done = true;
        let t1 = task(1, &[1], 320.0);
        let t2 = task(2, &[2], 100.0);
        let t3 = task(3, &[3], 100.0);
        let f = run(&[h1, h2, h3, t1, t2, t3], "2024-06-03");
        assert_eq!(f.person(id(1)).unwrap().ratio, 1.5);
        assert_eq!(f.person(id(1)).unwrap().history_tasks, 1);
        assert_eq!(f.task(id(1)).unwrap().remaining_minutes, 480);
        assert_eq!(f.task(id(1)).unwrap().raw_remaining_minutes, 320.0);
        assert_eq!(f.person(id(2)).unwrap().ratio, 3.0);
        assert_eq!(f.task(id(2)).unwrap().remaining_minutes, 300);
        assert_eq!(f.person(id(3)).unwrap().ratio, 1.0);
        assert_eq!(f.person(id(3)).unwrap().history_tasks, 0);
    }

    #[test]
    fn shared_task_finishes_with_its_last_share() {
        // Person 2 is busy Monday with an urgent task.
        let mut busy = task(1, &[2], 480.0);
        busy.priority = 1;
        let shared = task(2, &[1, 2, 2], 960.0);
        let f = run(&[busy, shared], "2024-06-03");
        let s = f.task(id(2)).unwrap();
        assert_eq!(s.shares.len(), 2);
        assert_eq!(s.shares[0].minutes, 480);
        assert_eq!(s.shares[0].finish, Some(d("2024-06-03")));
        assert_eq!(s.shares[1].finish, Some(d("2024-06-04")));
        assert_eq!(s.forecast_start, Some(d("2024-06-03")));
        assert_eq!(s.forecast_finish, Some(d("2024-06-04")));
    }

    #[test]
    fn calendar_exceptions_shape_the_layout() {
        let mut p = PersonCalendar::new(id(1));
        p.hours_per_day = Some(4.0);
        p.day_offs = vec![DateRange::new(d("2024-06-04"), d("2024-06-05"))];
        let cal = Calendar {
            holidays: vec![d("2024-06-06")],
            people: vec![p],
            ..Calendar::default()
        }
        .compile();
        let f = forecast(
            &cal,
            d("2024-06-03"),
            &[task(1, &[1], 720.0)],
            &ScheduleOptions::default(),
        );
        // Mon 240, (Tue, Wed off, Thu holiday) Fri 240, Mon 240.
        assert_eq!(
            f.task(id(1)).unwrap().forecast_finish,
            Some(d("2024-06-10"))
        );
        assert_eq!(f.person(id(1)).unwrap().days.len(), 3);
    }

    #[test]
    fn late_slipping_and_unassigned() {
        let mut late = task(1, &[1], 480.0);
        late.due = Some(d("2024-05-31"));
        let mut slipping = task(2, &[1], 960.0);
        slipping.due = Some(d("2024-06-04"));
        let mut nobody = task(3, &[], 90.4);
        nobody.due = Some(d("2024-06-01"));
        let f = run(&[late, slipping, nobody], "2024-06-03");
        let l = f.task(id(1)).unwrap();
        assert!(l.late && !l.will_slip);
        // Due Friday 31, finished Monday 3: one working day late.
        assert_eq!(l.slip_days, 1);
        let s = f.task(id(2)).unwrap();
        assert!(!s.late && s.will_slip);
        assert_eq!(s.forecast_finish, Some(d("2024-06-05")));
        assert_eq!(s.slip_days, 1);
        assert_eq!(f.unassigned, vec![id(3)]);
        let u = f.task(id(3)).unwrap();
        assert_eq!(u.state, TaskState::Unassigned);
        assert_eq!(u.remaining_minutes, 90);
        assert!(u.late && u.forecast_finish.is_none());
    }

    #[test]
    fn work_beyond_the_horizon_is_unscheduled_not_dropped() {
        let mut t = task(1, &[1], 480.0 * 30.0);
        t.due = Some(d("2024-06-05"));
        let f = forecast(
            &Calendar::default().compile(),
            d("2024-06-03"),
            &[t],
            &ScheduleOptions {
                horizon_days: 7,
                ..ScheduleOptions::default()
            },
        );
        let tf = f.task(id(1)).unwrap();
        assert_eq!(tf.forecast_finish, None);
        assert_eq!(tf.unscheduled_minutes(), 480 * 25);
        assert!(tf.will_slip);
        let p = f.person(id(1)).unwrap();
        assert_eq!(
            p.laid_out_minutes + p.unscheduled_minutes,
            p.remaining_minutes
        );
        assert_eq!(p.finish, None);
        assert_eq!(f.horizon_end, d("2024-06-09"));
    }

    #[test]
    fn a_successor_waits_for_its_predecessor_plus_lag() {
        use crate::links::{Link, LinkKind};
        let animation = task(1, &[1], 960.0); // Mon, Tue
        let mut lighting = task(2, &[2], 480.0);
        lighting.priority = 3; // urgent, yet it waits
        let other = task(3, &[2], 480.0);
        let cal = Calendar::default().compile();
        let options = ScheduleOptions::default();
        let tasks = [animation, lighting, other];
        let linked = |lag| {
            forecast_linked(
                &cal,
                d("2024-06-03"),
                &tasks,
                &[Link::new(id(1), id(2), lag, LinkKind::Pipeline)],
                &options,
            )
        };
        let f = linked(0);
        let l = f.task(id(2)).unwrap();
        assert_eq!(l.earliest_start, Some(d("2024-06-04")));
        assert_eq!(l.waits_for, Some(id(1)));
        assert_eq!(l.forecast_start, Some(d("2024-06-04")));
        // The other task of person 2 fills Monday.
        assert_eq!(
            f.task(id(3)).unwrap().forecast_finish,
            Some(d("2024-06-03"))
        );
        // Two working days of lag from Tuesday: Thursday.
        let f = linked(2);
        assert_eq!(f.task(id(2)).unwrap().forecast_start, Some(d("2024-06-06")));
    }

    #[test]
    fn an_unassigned_task_is_laid_on_its_departments_spare_capacity_after_assigned_work() {
        use crate::links::{Link, LinkKind};
        use crate::Department;
        let anim = id(90);
        let typed = |mut t: TaskInput| {
            t.task_type = Some(Ref::new(anim, "Animation"));
            t
        };
        // Person 1 is busy Mon-Tue, person 2 on Monday; person 3 is in no
        // department.
        let busy1 = typed(task(1, &[1], 960.0));
        let busy2 = typed(task(2, &[2], 480.0));
        // Urgent, yet after the assigned work: Tuesday on person 2.
        let mut nobody = typed(task(3, &[], 480.0));
        nobody.priority = 3;
        let next = task(4, &[3], 60.0);
        // No department does this type: no dates.
        let mut stray = task(5, &[], 60.0);
        stray.task_type = Some(Ref::new(id(91), "Other"));
        let departments = [Department {
            id: id(70),
            name: "Animation".into(),
            people: vec![Ref::new(id(1), "a"), Ref::new(id(2), "b")],
            task_types: vec![anim],
        }];
        let f = forecast_planned(
            &Calendar::default().compile(),
            d("2024-06-03"),
            &[busy1, busy2, nobody, next, stray],
            &[Link::new(id(3), id(4), 0, LinkKind::Explicit)],
            &departments,
            &ScheduleOptions::default(),
        );
        let u = f.task(id(3)).unwrap();
        assert_eq!(u.state, TaskState::Unassigned);
        assert!(u.shares.is_empty());
        assert_eq!(u.forecast_start, Some(d("2024-06-04")));
        assert_eq!(u.forecast_finish, Some(d("2024-06-04")));
        let spare = u.spare_capacity.as_ref().unwrap();
        assert_eq!(&*spare.department.name, "Animation");
        assert_eq!(spare.person_id, Some(id(2)));
        assert_eq!((spare.minutes, spare.unscheduled_minutes), (480, 0));
        // Assigned work kept its place.
        assert_eq!(
            f.task(id(1)).unwrap().forecast_finish,
            Some(d("2024-06-04"))
        );
        // The successor waits for it.
        let n = f.task(id(4)).unwrap();
        assert_eq!(n.forecast_start, Some(d("2024-06-04")));
        assert_eq!(n.waits_for, Some(id(3)));
        // Person 2's spare time is his tentative work, not his load.
        let p = f.person(id(2)).unwrap();
        assert_eq!((p.laid_out_minutes, p.tentative_minutes), (480, 480));
        assert_eq!(p.days[1].tentative_minutes, 480);
        assert_eq!(p.days[1].load_minutes, 0);
        let s = f.task(id(5)).unwrap();
        assert!(s.spare_capacity.is_none() && s.forecast_finish.is_none());
        assert_eq!(f.unassigned, vec![id(3), id(5)]);
    }

    #[test]
    fn spare_capacity_goes_to_the_member_finishing_first_then_the_smallest_id() {
        use crate::Department;
        let anim = id(90);
        let typed = |mut t: TaskInput| {
            t.task_type = Some(Ref::new(anim, "Animation"));
            t
        };
        // Busy: person 1 Mon-Wed, 2 and 3 on Monday, 4 Mon-Tue.
        let mut tasks = vec![
            typed(task(1, &[1], 1440.0)),
            typed(task(2, &[2], 480.0)),
            typed(task(3, &[3], 480.0)),
            typed(task(4, &[4], 960.0)),
        ];
        tasks.extend((10..13).map(|n| typed(task(n, &[], 480.0))));
        // Listed in reverse: the order given does not decide a tie.
        let departments = [Department {
            id: id(70),
            name: "Animation".into(),
            people: (1..5).rev().map(|n| Ref::new(id(n), "x")).collect(),
            task_types: vec![anim],
        }];
        let f = forecast_planned(
            &Calendar::default().compile(),
            d("2024-06-03"),
            &tasks,
            &[],
            &departments,
            &ScheduleOptions::default(),
        );
        let pick = |n| {
            let t = f.task(id(n)).unwrap();
            (
                t.spare_capacity.as_ref().unwrap().person_id,
                t.forecast_finish,
            )
        };
        // 2 and 3 both finish on Tuesday: the smaller id.
        assert_eq!(pick(10), (Some(id(2)), Some(d("2024-06-04"))));
        // Then 3 is the only one free on Tuesday.
        assert_eq!(pick(11), (Some(id(3)), Some(d("2024-06-04"))));
        // 2, 3 and 4 would all finish on Wednesday.
        assert_eq!(pick(12), (Some(id(2)), Some(d("2024-06-05"))));
    }

    /// The search skips the members of a day class after the first one
    /// idle from the task's earliest day: the pick must stay the member
    /// finishing first, then starting first, then the smallest id, even
    /// when a busier member of the class ties with him.
    #[test]
    fn spare_capacity_skips_only_members_who_cannot_win() {
        use crate::Department;
        let anim = id(90);
        let typed = |mut t: TaskInput| {
            t.task_type = Some(Ref::new(anim, "Animation"));
            t
        };
        // 1 is busy on Monday morning; 5 is off on Monday (a day class of
        // his own); 2, 3 and 4 are idle.
        let mut tasks = vec![typed(task(1, &[1], 240.0))];
        for (n, minutes) in [
            (10, 480.0),
            (11, 480.0),
            (12, 720.0),
            (13, 480.0),
            (14, 480.0),
        ] {
            tasks.push(typed(task(n, &[], minutes)));
        }
        let departments = [Department {
            id: id(70),
            name: "Animation".into(),
            people: (1..6).map(|n| Ref::new(id(n), "x")).collect(),
            task_types: vec![anim],
        }];
        let mut off = PersonCalendar::new(id(5));
        off.day_offs = vec![DateRange::day(d("2024-06-03"))];
        let calendar = Calendar {
            people: vec![off],
            ..Calendar::default()
        };
        let f = forecast_planned(
            &calendar.compile(),
            d("2024-06-03"),
            &tasks,
            &[],
            &departments,
            &ScheduleOptions::default(),
        );
        let pick = |n| {
            let t = f.task(id(n)).unwrap();
            (
                t.spare_capacity.as_ref().unwrap().person_id,
                t.forecast_start,
                t.forecast_finish,
            )
        };
        let (mon, tue) = (Some(d("2024-06-03")), Some(d("2024-06-04")));
        // 2 finishes on Monday; 1 and 5 only on Tuesday.
        assert_eq!(pick(10), (Some(id(2)), mon, mon));
        assert_eq!(pick(11), (Some(id(3)), mon, mon));
        // 1 (half of Monday, then Tuesday) ties with 4, idle: the smaller id.
        assert_eq!(pick(12), (Some(id(1)), mon, tue));
        assert_eq!(pick(13), (Some(id(4)), mon, mon));
        // Everyone but 1 is free on Tuesday, 5 included: the smaller id.
        assert_eq!(pick(14), (Some(id(2)), tue, tue));
    }

    #[test]
    fn a_predecessor_beyond_the_horizon_leaves_its_successor_unscheduled() {
        use crate::links::{Link, LinkKind};
        let long = task(1, &[1], 480.0 * 30.0);
        let next = task(2, &[2], 60.0);
        let f = forecast_linked(
            &Calendar::default().compile(),
            d("2024-06-03"),
            &[long, next],
            &[Link::new(id(1), id(2), 0, LinkKind::Explicit)],
            &ScheduleOptions {
                horizon_days: 7,
                ..ScheduleOptions::default()
            },
        );
        let n = f.task(id(2)).unwrap();
        assert_eq!(n.forecast_finish, None);
        assert_eq!(n.unscheduled_minutes(), 60);
        assert_eq!(n.waits_for, Some(id(1)));
    }
}
