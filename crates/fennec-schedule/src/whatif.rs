//! Hypothetical changes: what-if forecasts and the remedies of slipping
//! milestones. Nothing here writes anything: a change is applied to a copy
//! of the input (remedies: to the input itself, each try undone after it)
//! and the forecast is run again.
//!
//! Policy:
//! * [`apply_changes`] applies changes in order to a copy; a change naming
//!   an unknown task or milestone, a negative estimate or capacity, or a
//!   link closing a cycle is refused with a message naming it.
//! * [`what_if`] answers, for the milestones and for every task whose
//!   forecast moved, the value before and after, and the risk counts by
//!   kind before and after.
//! * [`remedies`]: for each slipping milestone with a forecast, the people
//!   whose work in its scope finishes after its date (the latest two), and
//!   for each of them:
//!   - `reassign`: his tasks in scope finishing after the date go to one
//!     of the (up to three) people of his departments with the most slack
//!     (earliest forecast finish of all their work, no work first);
//!   - `add_capacity`: the fewest whole hours a day (1 to 8) added to his
//!     days that meet the date, or 8 when none does;
//!   - `add_person`: a new artist of his department (studio hours) takes
//!     the same tasks.
//!
//!   Each remedy is forecast again, and kept only when the milestone's new
//!   forecast is earlier than the current one: a remedy never moves its
//!   milestone later. Sorted by new forecast, then fewer changes. Each
//!   set of changes tried costs one forecast, for all milestones at once
//!   (at most 16 per milestone, fewer when milestones share people).

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::calendar::{Calendar, PersonCalendar};
use crate::forecast::{forecast_planned, paired, Ref, TaskInput, TaskState};
use crate::links::{find_cycle, Link, LinkKind};
use crate::risks::{milestone_forecasts, Milestone, MilestoneForecast, RiskKind};
use crate::{analyse, Analysis, Department, ScheduleInput};

/// One hypothetical change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Change {
    /// Replace `from` among the task's assignees by `to` (`from` absent:
    /// all of them; `to` absent: nobody).
    Reassign {
        task_id: Uuid,
        #[serde(default)]
        from: Option<Uuid>,
        #[serde(default)]
        to: Option<Uuid>,
    },
    /// Add hours to each working day of a person.
    AddCapacity { person_id: Uuid, hours_per_day: f64 },
    /// A new person (studio hours unless given), in these departments.
    AddPerson {
        person_id: Uuid,
        #[serde(default)]
        name: String,
        #[serde(default)]
        hours_per_day: Option<f64>,
        #[serde(default)]
        departments: Vec<Uuid>,
    },
    /// Move a task's due date (absent: none).
    MoveDue {
        task_id: Uuid,
        #[serde(default)]
        due: Option<NaiveDate>,
    },
    /// Move a task's start date (absent: none).
    MoveStart {
        task_id: Uuid,
        #[serde(default)]
        start: Option<NaiveDate>,
    },
    /// Set a task's estimate.
    SetEstimate { task_id: Uuid, minutes: f64 },
    /// Move a milestone (or the project end) by name.
    MoveMilestone { name: String, date: NaiveDate },
    AddLink {
        predecessor_id: Uuid,
        successor_id: Uuid,
        #[serde(default)]
        lag_days: u32,
    },
    RemoveLink {
        predecessor_id: Uuid,
        successor_id: Uuid,
    },
}

/// `input` with `changes` applied, or why a change cannot be.
pub fn apply_changes(input: &ScheduleInput, changes: &[Change]) -> Result<ScheduleInput, String> {
    let mut out = input.clone();
    let index = task_index(&out.tasks);
    apply_in_place(&mut out, &index, changes, &mut Undo::default())?;
    Ok(out)
}

/// Where each task is in `tasks`, by id.
fn task_index(tasks: &[TaskInput]) -> HashMap<Uuid, usize> {
    tasks.iter().enumerate().map(|(i, t)| (t.id, i)).collect()
}

/// What [`apply_in_place`] changed, as it was before: remedies try some
/// thirty sets of changes on the production itself (a copy per try was
/// most of a causes request's memory on 150 000 tasks).
#[derive(Default)]
struct Undo {
    tasks: Vec<(usize, TaskInput)>,
    calendar: Option<Calendar>,
    departments: Option<Vec<Department>>,
    milestones: Option<Vec<Milestone>>,
    links: Option<Vec<Link>>,
}

impl Undo {
    fn task<'a>(&mut self, input: &'a mut ScheduleInput, i: usize) -> &'a mut TaskInput {
        if !self.tasks.iter().any(|(j, _)| *j == i) {
            self.tasks.push((i, input.tasks[i].clone()));
        }
        &mut input.tasks[i]
    }

    fn save_calendar(&mut self, input: &ScheduleInput) {
        self.calendar.get_or_insert_with(|| input.calendar.clone());
    }

    fn departments<'a>(&mut self, input: &'a mut ScheduleInput) -> &'a mut Vec<Department> {
        self.departments
            .get_or_insert_with(|| input.departments.clone());
        &mut input.departments
    }

    fn milestones<'a>(&mut self, input: &'a mut ScheduleInput) -> &'a mut Vec<Milestone> {
        self.milestones
            .get_or_insert_with(|| input.milestones.clone());
        &mut input.milestones
    }

    fn links<'a>(&mut self, input: &'a mut ScheduleInput) -> &'a mut Vec<Link> {
        self.links.get_or_insert_with(|| input.links.clone());
        &mut input.links
    }

    /// Puts `input` back as it was before the changes.
    fn restore(self, input: &mut ScheduleInput) {
        for (i, t) in self.tasks {
            input.tasks[i] = t;
        }
        if let Some(c) = self.calendar {
            input.calendar = c;
        }
        if let Some(d) = self.departments {
            input.departments = d;
        }
        if let Some(m) = self.milestones {
            input.milestones = m;
        }
        if let Some(l) = self.links {
            input.links = l;
        }
    }
}

/// Applies `changes` to `out` in order, keeping in `undo` what they
/// changed (also when one is refused half-way).
fn apply_in_place(
    out: &mut ScheduleInput,
    index: &HashMap<Uuid, usize>,
    changes: &[Change],
    undo: &mut Undo,
) -> Result<(), String> {
    let task = |id: &Uuid| -> Result<usize, String> {
        index
            .get(id)
            .copied()
            .ok_or_else(|| format!("Task {id} is not a task of this project."))
    };
    for c in changes {
        match c {
            Change::Reassign { task_id, from, to } => {
                let t = undo.task(out, task(task_id)?);
                match from {
                    Some(f) => t.assignees.retain(|a| a != f),
                    None => t.assignees.clear(),
                }
                if let Some(to) = to {
                    if !t.assignees.contains(to) {
                        t.assignees.push(*to);
                    }
                }
            }
            Change::AddCapacity {
                person_id,
                hours_per_day,
            } => {
                if !hours_per_day.is_finite() || *hours_per_day < 0.0 {
                    return Err("hours_per_day must be a positive number.".into());
                }
                undo.save_calendar(out);
                let studio = out.calendar.hours_per_day;
                let p = person_calendar(out, *person_id);
                let base = p.hours_per_day.unwrap_or(studio);
                p.hours_per_day = Some((base + hours_per_day).min(24.0));
            }
            Change::AddPerson {
                person_id,
                name,
                hours_per_day,
                departments,
            } => {
                if hours_per_day.is_some_and(|h| !h.is_finite() || !(0.0..=24.0).contains(&h)) {
                    return Err("hours_per_day must be between 0 and 24.".into());
                }
                undo.save_calendar(out);
                let p = person_calendar(out, *person_id);
                p.name = name.clone();
                p.hours_per_day = *hours_per_day;
                for d in departments {
                    match undo.departments(out).iter_mut().find(|x| x.id == *d) {
                        Some(dep) => dep.people.push(Ref::new(*person_id, name.clone())),
                        None => return Err(format!("Department {d} is unknown.")),
                    }
                }
            }
            Change::MoveDue { task_id, due } => undo.task(out, task(task_id)?).due = *due,
            Change::MoveStart { task_id, start } => undo.task(out, task(task_id)?).start = *start,
            Change::SetEstimate { task_id, minutes } => {
                if !minutes.is_finite() || *minutes < 0.0 {
                    return Err("minutes must be a positive number.".into());
                }
                undo.task(out, task(task_id)?).estimate_minutes = *minutes;
            }
            Change::MoveMilestone { name, date } => {
                let m = undo
                    .milestones(out)
                    .iter_mut()
                    .find(|m| m.name == *name)
                    .ok_or_else(|| format!("Milestone '{name}' is unknown."))?;
                m.date = *date;
            }
            Change::AddLink {
                predecessor_id,
                successor_id,
                lag_days,
            } => {
                task(predecessor_id)?;
                task(successor_id)?;
                if predecessor_id == successor_id {
                    return Err("A task cannot depend on itself.".into());
                }
                let links = undo.links(out);
                links.retain(|l| {
                    !(l.predecessor == *predecessor_id && l.successor == *successor_id)
                });
                links.push(Link::new(
                    *predecessor_id,
                    *successor_id,
                    *lag_days,
                    LinkKind::Explicit,
                ));
                if let Some(cycle) = find_cycle(&out.all_links()) {
                    let names: Vec<String> = cycle.iter().map(Uuid::to_string).collect();
                    return Err(format!(
                        "This link would make a cycle: {}.",
                        names.join(" → ")
                    ));
                }
            }
            Change::RemoveLink {
                predecessor_id,
                successor_id,
            } => {
                let links = undo.links(out);
                let before = links.len();
                links.retain(|l| {
                    !(l.predecessor == *predecessor_id && l.successor == *successor_id)
                });
                if links.len() == before {
                    return Err(format!(
                        "No explicit link from {predecessor_id} to {successor_id}."
                    ));
                }
            }
        }
    }
    Ok(())
}

fn person_calendar(input: &mut ScheduleInput, person: Uuid) -> &mut PersonCalendar {
    let i = match input
        .calendar
        .people
        .iter()
        .position(|p| p.person_id == person)
    {
        Some(i) => i,
        None => {
            input.calendar.people.push(PersonCalendar::new(person));
            input.calendar.people.len() - 1
        }
    };
    &mut input.calendar.people[i]
}

/// A milestone before and after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MilestoneChange {
    pub name: String,
    pub before: MilestoneForecast,
    pub after: MilestoneForecast,
}

/// A task whose forecast moved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskChange {
    pub task_id: Uuid,
    pub before_start: Option<NaiveDate>,
    pub after_start: Option<NaiveDate>,
    pub before_finish: Option<NaiveDate>,
    pub after_finish: Option<NaiveDate>,
    pub before_slip_days: i64,
    pub after_slip_days: i64,
}

/// The differences a set of changes makes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WhatIf {
    pub milestones: Vec<MilestoneChange>,
    /// Sorted by task id.
    pub tasks: Vec<TaskChange>,
    pub risks_before: BTreeMap<RiskKind, usize>,
    pub risks_after: BTreeMap<RiskKind, usize>,
}

fn risk_counts(a: &Analysis) -> BTreeMap<RiskKind, usize> {
    let mut out = BTreeMap::new();
    for r in &a.risks {
        *out.entry(r.kind).or_insert(0) += 1;
    }
    out
}

/// Forecasts `input` with `changes`, against `before` (its analysis).
pub fn what_if(
    input: &ScheduleInput,
    before: &Analysis,
    changes: &[Change],
) -> Result<WhatIf, String> {
    let changed = apply_changes(input, changes)?;
    let after = analyse(&changed);
    let mut tasks = Vec::new();
    let mut j = 0;
    for b in &before.forecast.tasks {
        while after
            .forecast
            .tasks
            .get(j)
            .is_some_and(|a| a.task_id < b.task_id)
        {
            j += 1;
        }
        let Some(a) = after
            .forecast
            .tasks
            .get(j)
            .filter(|a| a.task_id == b.task_id)
        else {
            continue;
        };
        if (a.forecast_start, a.forecast_finish, a.slip_days)
            != (b.forecast_start, b.forecast_finish, b.slip_days)
        {
            tasks.push(TaskChange {
                task_id: b.task_id,
                before_start: b.forecast_start,
                after_start: a.forecast_start,
                before_finish: b.forecast_finish,
                after_finish: a.forecast_finish,
                before_slip_days: b.slip_days,
                after_slip_days: a.slip_days,
            });
        }
    }
    Ok(WhatIf {
        milestones: before
            .milestones
            .iter()
            .zip(&after.milestones)
            .map(|(b, a)| MilestoneChange {
                name: b.name.clone(),
                before: b.clone(),
                after: a.clone(),
            })
            .collect(),
        tasks,
        risks_before: risk_counts(before),
        risks_after: risk_counts(&after),
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RemedyKind {
    Reassign,
    AddCapacity,
    AddPerson,
}

/// One proposed remedy with the forecast it gives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Remedy {
    pub kind: RemedyKind,
    /// The person whose late work it relieves.
    pub person_id: Uuid,
    /// Who takes the work (`reassign`, `add_person`).
    pub to_person: Option<Ref>,
    /// The tasks moved (`reassign`, `add_person`).
    pub tasks: Vec<Uuid>,
    /// Hours added to each of his working days (`add_capacity`).
    pub hours_per_day: Option<f64>,
    /// The changes, as [`what_if`] takes them.
    pub changes: Vec<Change>,
    /// The milestone's new forecast and slip.
    pub forecast: Option<NaiveDate>,
    pub slip_days: Option<i64>,
    pub meets_date: bool,
}

/// A slipping milestone and its remedies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MilestoneRemedies {
    pub milestone: MilestoneForecast,
    pub remedies: Vec<Remedy>,
}

/// Most people relieved per milestone, candidates per person.
const PEOPLE_PER_MILESTONE: usize = 2;
const CANDIDATES: usize = 3;

/// Forecasts of remedies on the production itself: each try's changes
/// are applied in place and undone after (see [`Undo`]; a copy per try,
/// or even one copy, was most of a causes request's memory on 150 000
/// tasks), and each set of changes is forecast once for all milestones
/// (the same extra hours are tried for a person who holds up several
/// milestones, and the fewest hours found are the last ones tried).
struct Trials<'a> {
    input: &'a mut ScheduleInput,
    index: HashMap<Uuid, usize>,
    /// A remedy reassigns or adds people and capacity, which moves no link
    /// (links follow task types, entities, casting and explicit links):
    /// the links are made once, not per try (a seventh of a causes
    /// request's time on 150 000 tasks).
    links: Vec<Link>,
    seen: HashMap<String, Option<Vec<MilestoneForecast>>>,
}

impl<'a> Trials<'a> {
    fn new(input: &'a mut ScheduleInput) -> Self {
        Trials {
            index: task_index(&input.tasks),
            links: input.all_links(),
            input,
            seen: HashMap::new(),
        }
    }

    /// Milestone `mi`'s forecast with `changes` (`None`: refused).
    fn milestone(&mut self, changes: &[Change], mi: usize) -> Option<MilestoneForecast> {
        // Debug spells every field of a change, floats included.
        let key = format!("{changes:?}");
        if !self.seen.contains_key(&key) {
            let all = self.forecast(changes);
            self.seen.insert(key.clone(), all);
        }
        self.seen.get(&key)?.as_ref()?.get(mi).cloned()
    }

    fn forecast(&mut self, changes: &[Change]) -> Option<Vec<MilestoneForecast>> {
        let mut undo = Undo::default();
        let applied = apply_in_place(self.input, &self.index, changes, &mut undo);
        let out = applied.ok().map(|()| {
            let changed = &*self.input;
            let links = if changes
                .iter()
                .any(|c| matches!(c, Change::AddLink { .. } | Change::RemoveLink { .. }))
            {
                std::borrow::Cow::Owned(changed.all_links())
            } else {
                std::borrow::Cow::Borrowed(&self.links)
            };
            let cal = changed.calendar.compile();
            let f = forecast_planned(
                &cal,
                changed.as_of,
                &changed.tasks,
                &links,
                &changed.departments,
                &changed.options,
            );
            milestone_forecasts(&cal, &changed.tasks, &f, &changed.milestones)
        });
        undo.restore(self.input);
        out
    }
}

/// A slipping milestone's remedies to try.
struct Plan {
    mi: usize,
    milestone: MilestoneForecast,
    current: NaiveDate,
    people: Vec<PersonPlan>,
}

/// One person holding a milestone up.
struct PersonPlan {
    person: Uuid,
    /// His tasks in scope finishing after the date.
    tasks: Vec<Uuid>,
    /// Who could take them, most slack first.
    candidates: Vec<Ref>,
    /// His first department (a new artist joins it).
    department: Option<(Uuid, String)>,
}

/// What to try for each slipping milestone, read before anything is
/// changed.
fn plans(input: &ScheduleInput, analysis: &Analysis) -> Vec<Plan> {
    let pairs = paired(&input.tasks, &analysis.forecast);
    let mut out = Vec::new();
    for (mi, (m, mf)) in input
        .milestones
        .iter()
        .zip(&analysis.milestones)
        .enumerate()
    {
        let Some(current) = mf.forecast.filter(|f| mf.slipping && *f > mf.date) else {
            continue;
        };
        // Each person's tasks in scope finishing after the date.
        let mut late: BTreeMap<Uuid, (Option<NaiveDate>, Vec<Uuid>)> = BTreeMap::new();
        for (t, tf) in &pairs {
            if tf.state != TaskState::Open || !m.scope.matches(t) {
                continue;
            }
            for s in &tf.shares {
                if s.finish.is_none_or(|f| f > m.date) {
                    let e = late.entry(s.person_id).or_insert((s.finish, Vec::new()));
                    // `None` (beyond the horizon) is the latest of all.
                    e.0 = if e.0.is_none() || s.finish.is_none() {
                        None
                    } else {
                        e.0.max(s.finish)
                    };
                    e.1.push(t.id);
                }
            }
        }
        let mut people: Vec<(Uuid, Option<NaiveDate>, Vec<Uuid>)> =
            late.into_iter().map(|(p, (f, t))| (p, f, t)).collect();
        people.sort_by_key(|(p, f, _)| (f.is_some(), std::cmp::Reverse(*f), *p));
        people.truncate(PEOPLE_PER_MILESTONE);
        let people = people
            .into_iter()
            .map(|(person, _, tasks)| {
                let departments: Vec<&Department> = input
                    .departments
                    .iter()
                    .filter(|d| d.people.iter().any(|p| p.id == person))
                    .collect();
                let mut candidates: Vec<Ref> = departments
                    .iter()
                    .flat_map(|d| d.people.iter().cloned())
                    .filter(|p| p.id != person)
                    .collect();
                candidates.sort();
                candidates.dedup_by_key(|p| p.id);
                let slack_key = |p: &Ref| {
                    let load = analysis.forecast.person(p.id);
                    let finish = load.and_then(|l| l.finish);
                    let busy = load.is_some_and(|l| l.remaining_minutes > 0);
                    (
                        busy,
                        load.is_some_and(|l| l.finish.is_none()) && busy,
                        finish,
                        p.id,
                    )
                };
                candidates.sort_by_key(|p| slack_key(p));
                candidates.truncate(CANDIDATES);
                PersonPlan {
                    person,
                    tasks,
                    candidates,
                    department: departments.first().map(|d| (d.id, d.name.clone())),
                }
            })
            .collect();
        out.push(Plan {
            mi,
            milestone: mf.clone(),
            current,
            people,
        });
    }
    out
}

/// What [`try_remedies`] will try, read from an analysis, so that the
/// analysis can be freed before the remedies' own forecasts are made (on
/// 150 000 tasks the two together were a causes request's peak memory).
pub struct RemedyPlans(Vec<Plan>);

impl RemedyPlans {
    /// Every task a remedy may list: the late tasks of the people holding
    /// each milestone up.
    pub fn task_ids(&self) -> impl Iterator<Item = Uuid> + '_ {
        self.0
            .iter()
            .flat_map(|p| &p.people)
            .flat_map(|pp| pp.tasks.iter().copied())
    }
}

/// What to try for each slipping milestone of `input`; `analysis` is
/// `analyse(input)`.
pub fn remedy_plans(input: &ScheduleInput, analysis: &Analysis) -> RemedyPlans {
    RemedyPlans(plans(input, analysis))
}

/// Remedies for each slipping milestone of `input` (see the module's
/// policy); `analysis` is `analyse(input)`. The remedies are tried on
/// `input` itself, which is as it was when this returns.
pub fn remedies(input: &mut ScheduleInput, analysis: &Analysis) -> Vec<MilestoneRemedies> {
    let plans = remedy_plans(input, analysis);
    try_remedies(input, plans)
}

/// [`remedies`], from plans made beforehand on the same `input`.
pub fn try_remedies(input: &mut ScheduleInput, plans: RemedyPlans) -> Vec<MilestoneRemedies> {
    let RemedyPlans(plans) = plans;
    let mut trials = Trials::new(input);
    let mut out = Vec::new();
    for Plan {
        mi,
        milestone: mf,
        current,
        people,
    } in plans
    {
        let better = |after: &MilestoneForecast| {
            after.complete >= mf.complete && after.forecast.is_some_and(|f| f < current)
        };
        let mut found: Vec<Remedy> = Vec::new();
        let mut push = |trials: &mut Trials,
                        kind,
                        person,
                        to,
                        tasks: Vec<Uuid>,
                        hours,
                        changes: Vec<Change>| {
            if let Some(after) = trials.milestone(&changes, mi).filter(|a| better(a)) {
                found.push(Remedy {
                    kind,
                    person_id: person,
                    to_person: to,
                    tasks,
                    hours_per_day: hours,
                    changes,
                    forecast: after.forecast,
                    slip_days: after.slip_days,
                    meets_date: !after.slipping,
                });
            }
        };
        for PersonPlan {
            person,
            tasks,
            candidates,
            department,
        } in &people
        {
            for to in candidates {
                let changes = tasks
                    .iter()
                    .map(|t| Change::Reassign {
                        task_id: *t,
                        from: Some(*person),
                        to: Some(to.id),
                    })
                    .collect();
                push(
                    &mut trials,
                    RemedyKind::Reassign,
                    *person,
                    Some(to.clone()),
                    tasks.clone(),
                    None,
                    changes,
                );
            }
            // The fewest whole hours that meet the date (the forecast never
            // gets later with more capacity), or all 8.
            let with_hours = |h: f64| {
                vec![Change::AddCapacity {
                    person_id: *person,
                    hours_per_day: h,
                }]
            };
            let mut meets = |h: u32| {
                trials
                    .milestone(&with_hours(f64::from(h)), mi)
                    .is_some_and(|a| !a.slipping)
            };
            let (mut lo, mut hi) = (1u32, 8u32);
            if meets(hi) {
                while lo < hi {
                    let mid = (lo + hi) / 2;
                    if meets(mid) {
                        hi = mid;
                    } else {
                        lo = mid + 1;
                    }
                }
            }
            push(
                &mut trials,
                RemedyKind::AddCapacity,
                *person,
                None,
                Vec::new(),
                Some(f64::from(hi)),
                with_hours(f64::from(hi)),
            );
            if let Some((dep_id, dep_name)) = department {
                let new = Ref::new(
                    Uuid::from_u128(u128::from_be_bytes(*person.as_bytes()) ^ 0x006e_6577),
                    format!("new {dep_name} artist"),
                );
                let mut changes = vec![Change::AddPerson {
                    person_id: new.id,
                    name: new.name.to_string(),
                    hours_per_day: None,
                    departments: vec![*dep_id],
                }];
                changes.extend(tasks.iter().map(|t| Change::Reassign {
                    task_id: *t,
                    from: Some(*person),
                    to: Some(new.id),
                }));
                push(
                    &mut trials,
                    RemedyKind::AddPerson,
                    *person,
                    Some(new),
                    tasks.clone(),
                    None,
                    changes,
                );
            }
        }
        found.sort_by(|a, b| {
            (a.forecast, a.changes.len(), a.kind, a.person_id).cmp(&(
                b.forecast,
                b.changes.len(),
                b.kind,
                b.person_id,
            ))
        });
        out.push(MilestoneRemedies {
            milestone: mf,
            remedies: found,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Calendar;
    use crate::forecast::TaskInput;
    use crate::risks::{Milestone, MilestoneKind, Scope};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn input() -> ScheduleInput {
        let task = |n: u128, who: u128| TaskInput {
            id: id(n),
            assignees: vec![id(who)],
            estimate_minutes: 960.0,
            due: Some(d("2024-06-07")),
            ..TaskInput::default()
        };
        ScheduleInput {
            as_of: d("2024-06-03"),
            calendar: Calendar::default(),
            // Person 1: six days of work; person 2 idle; same department.
            tasks: vec![task(1, 1), task(2, 1), task(3, 1)],
            milestones: vec![Milestone {
                name: "delivery".into(),
                date: d("2024-06-07"),
                kind: MilestoneKind::Milestone,
                scope: Scope::default(),
            }],
            options: Default::default(),
            task_type_order: vec![],
            casting: Vec::new(),
            cast_feeds: None,
            links: vec![],
            departments: vec![Department {
                id: id(50),
                name: "Animation".into(),
                people: vec![Ref::new(id(1), "Ann"), Ref::new(id(2), "Bob")],
                task_types: vec![],
            }],
        }
    }

    #[test]
    fn remedies_reassign_add_capacity_and_never_make_it_later() {
        let input = input();
        let a = analyse(&input);
        assert_eq!(a.milestones[0].forecast, Some(d("2024-06-10")));
        let mut tried = input.clone();
        let r = remedies(&mut tried, &a);
        // Every try was undone.
        assert_eq!(tried, input);
        assert_eq!(r.len(), 1);
        let kinds: Vec<RemedyKind> = r[0].remedies.iter().map(|x| x.kind).collect();
        assert!(kinds.contains(&RemedyKind::Reassign), "{kinds:?}");
        assert!(kinds.contains(&RemedyKind::AddCapacity));
        assert!(kinds.contains(&RemedyKind::AddPerson));
        let re = r[0]
            .remedies
            .iter()
            .find(|x| x.kind == RemedyKind::Reassign)
            .unwrap();
        assert_eq!(re.to_person.as_ref().unwrap().id, id(2));
        // Task 3 (the one finishing Monday) moves to Bob: done Tuesday.
        assert_eq!(re.tasks, vec![id(3)]);
        assert!(re.meets_date);
        let cap = r[0]
            .remedies
            .iter()
            .find(|x| x.kind == RemedyKind::AddCapacity)
            .unwrap();
        // 48 h of work in 5 days: 9.6 h a day, so 2 more hours.
        assert_eq!(cap.hours_per_day, Some(2.0));
        assert!(cap.meets_date);
        for x in &r[0].remedies {
            let after = analyse(&apply_changes(&input, &x.changes).unwrap());
            assert_eq!(after.milestones[0].forecast, x.forecast);
            assert!(x.forecast < a.milestones[0].forecast);
        }
    }

    #[test]
    fn every_kind_of_change_is_undone_also_after_a_refused_one() {
        let mut input = input();
        input
            .links
            .push(Link::new(id(2), id(3), 0, LinkKind::Explicit));
        let index = task_index(&input.tasks);
        let all = vec![
            Change::Reassign {
                task_id: id(1),
                from: None,
                to: Some(id(2)),
            },
            Change::AddCapacity {
                person_id: id(1),
                hours_per_day: 2.0,
            },
            Change::AddPerson {
                person_id: id(9),
                name: "new".into(),
                hours_per_day: Some(6.0),
                departments: vec![id(50)],
            },
            Change::MoveDue {
                task_id: id(2),
                due: None,
            },
            Change::MoveStart {
                task_id: id(2),
                start: Some(d("2024-06-05")),
            },
            Change::SetEstimate {
                task_id: id(1),
                minutes: 10.0,
            },
            Change::MoveMilestone {
                name: "delivery".into(),
                date: d("2024-06-20"),
            },
            Change::AddLink {
                predecessor_id: id(1),
                successor_id: id(3),
                lag_days: 1,
            },
            Change::RemoveLink {
                predecessor_id: id(2),
                successor_id: id(3),
            },
        ];
        let mut scratch = input.clone();
        let mut undo = Undo::default();
        apply_in_place(&mut scratch, &index, &all, &mut undo).unwrap();
        // Each part changed.
        assert_ne!(scratch.tasks, input.tasks);
        assert_ne!(scratch.calendar, input.calendar);
        assert_ne!(scratch.departments, input.departments);
        assert_ne!(scratch.milestones, input.milestones);
        assert_ne!(scratch.links, input.links);
        undo.restore(&mut scratch);
        assert_eq!(scratch, input);
        // Refused half-way (unknown task): what was applied is undone too.
        let mut refused = all.clone();
        refused.insert(
            3,
            Change::MoveDue {
                task_id: id(77),
                due: None,
            },
        );
        let mut undo = Undo::default();
        assert!(apply_in_place(&mut scratch, &index, &refused, &mut undo).is_err());
        undo.restore(&mut scratch);
        assert_eq!(scratch, input);
    }

    #[test]
    fn what_if_reports_differences_and_refuses_unknown_tasks() {
        let input = input();
        let a = analyse(&input);
        let w = what_if(
            &input,
            &a,
            &[Change::Reassign {
                task_id: id(3),
                from: None,
                to: Some(id(2)),
            }],
        )
        .unwrap();
        assert_eq!(w.tasks.len(), 1);
        assert_eq!(w.tasks[0].before_finish, Some(d("2024-06-10")));
        assert_eq!(w.tasks[0].after_finish, Some(d("2024-06-04")));
        assert_eq!(w.milestones[0].after.forecast, Some(d("2024-06-06")));
        assert!(what_if(
            &input,
            &a,
            &[Change::MoveDue {
                task_id: id(99),
                due: None
            }]
        )
        .unwrap_err()
        .contains("is not a task"));
        let cycle = [
            Change::AddLink {
                predecessor_id: id(1),
                successor_id: id(2),
                lag_days: 0,
            },
            Change::AddLink {
                predecessor_id: id(2),
                successor_id: id(1),
                lag_days: 0,
            },
        ];
        assert!(what_if(&input, &a, &cycle).unwrap_err().contains("cycle"));
    }
}
