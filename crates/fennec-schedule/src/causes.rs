//! Risks grouped by what causes them, so that a producer reads a handful of
//! causes instead of hundreds of task rows.
//!
//! Policy:
//! * A *problem* task is open and late or forecast to slip. Each one is
//!   traced up its `waits_for` chain (the predecessor that holds it back in
//!   the forecast) while that predecessor is itself a problem, unassigned or
//!   beyond the horizon: the task at the top is its *root*. Every problem
//!   task is driven by the cause of its root, so one overloaded artist
//!   upstream carries the shots downstream of his work.
//! * The cause of a root task, first that applies:
//!   1. `unassigned_task`: nobody is assigned (grouped by task type);
//!   2. `day_off`: the task is not late yet and an assignee has at least
//!      as many days off between `as_of` and its forecast finish as it
//!      slips (the days off alone explain the slip);
//!   3. `overloaded_person`: an assignee has an `overloaded` risk (the most
//!      overloaded one);
//!   4. `late_upstream`: the task's due date has passed (it is late itself
//!      and holds back what follows it);
//!   5. `missing_estimate`: it has no estimate (grouped by task type);
//!   6. otherwise `overloaded_person` for its first assignee: his work before
//!      that due date does not fit.
//! * Besides problem tasks, every open unassigned task joins its task type's
//!   `unassigned_task` cause and every open task without an estimate its
//!   `missing_estimate` cause: their forecasts say nothing reliable.
//! * The milestones a cause moves: the slipping milestones with one of its
//!   tasks in scope that finishes after the milestone's date, has no
//!   forecast finish, or (unassigned, missing estimate) whose forecast it
//!   makes unreliable.
//! * Severity: the worst slip among the tasks (thresholds of
//!   [`ScheduleOptions`]), raised to at least the overload risk's for an
//!   overloaded person. Sorted most severe first, then most tasks, then
//!   kind and subject: reproducible. Linear in tasks × milestones.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::calendar::CompiledCalendar;
use crate::forecast::{paired, Ref, TaskForecast, TaskInput, TaskState};
use crate::risks::{slip_severity, RiskKind, Scope, Severity};
use crate::{Analysis, ScheduleInput};

/// What drives a group of risks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CauseKind {
    OverloadedPerson,
    LateUpstream,
    UnassignedTask,
    MissingEstimate,
    DayOff,
}

/// One cause and what it drives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cause {
    pub kind: CauseKind,
    pub severity: Severity,
    /// The person (`overloaded_person`, `day_off`).
    pub person_id: Option<Uuid>,
    /// The late task everything else waits for (`late_upstream`).
    pub task_id: Option<Uuid>,
    /// The task type of the tasks (`unassigned_task`, `missing_estimate`).
    pub task_type: Option<Ref>,
    /// The open tasks it drives, sorted by id.
    pub tasks: Vec<Uuid>,
    /// Of those, the ones late or forecast to slip.
    pub problem_tasks: usize,
    /// The worst slip among them, studio working days.
    pub slip_days: i64,
    /// Names of the slipping milestones it moves, sorted.
    pub milestones: Vec<String>,
    /// `overloaded_person`: the overload in the person's working days;
    /// `day_off`: the person's days off between `as_of` and the latest
    /// forecast finish of the tasks.
    pub days: Option<i64>,
}

/// The subject a cause is keyed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Key {
    Person(CauseKind, Uuid),
    Task(Uuid),
    TaskType(CauseKind, Option<Uuid>),
}

fn is_problem(tf: &TaskForecast) -> bool {
    tf.is_open() && (tf.late || tf.will_slip)
}

/// Groups the risks of `analysis` (made from `input`) by cause.
pub fn causes(
    calendar: &CompiledCalendar,
    input: &ScheduleInput,
    analysis: &Analysis,
) -> Vec<Cause> {
    let forecast = &analysis.forecast;
    let as_of = forecast.as_of;
    let pairs = paired(&input.tasks, forecast);
    let index: HashMap<Uuid, usize> = pairs
        .iter()
        .enumerate()
        .map(|(i, (t, _))| (t.id, i))
        .collect();
    let overload: HashMap<Uuid, (i64, Severity)> = analysis
        .risks
        .iter()
        .filter(|r| r.kind == RiskKind::Overloaded)
        .filter_map(|r| Some((r.person_id?, (r.numbers.slip_days.unwrap_or(0), r.severity))))
        .collect();
    let day_offs: HashMap<Uuid, &[crate::calendar::DateRange]> = input
        .calendar
        .people
        .iter()
        .map(|p| (p.person_id, p.day_offs.as_slice()))
        .collect();
    // Studio working days a person is off between `as_of` and `until`.
    let days_off = |person: Uuid, until: NaiveDate| -> i64 {
        day_offs.get(&person).map_or(0, |ranges| {
            ranges
                .iter()
                .filter(|r| r.end >= as_of && r.start <= until)
                .map(|r| {
                    let (a, b) = (r.start.max(as_of), r.end.min(until));
                    let mut n = 0;
                    let mut d = a;
                    while d <= b {
                        if calendar.is_studio_working_day(d) {
                            n += 1;
                        }
                        d = d.succ_opt().unwrap_or(NaiveDate::MAX);
                        if d == NaiveDate::MAX {
                            break;
                        }
                    }
                    n
                })
                .sum()
        })
    };

    // Whether task i holds back what waits for it without being on time.
    let holds = |i: usize| {
        let tf = pairs[i].1;
        tf.is_open()
            && (is_problem(tf) || tf.state == TaskState::Unassigned || tf.forecast_finish.is_none())
    };
    // Roots, memoised; a chain is walked once (cycles cut by a step limit).
    let n = pairs.len();
    let mut root: Vec<Option<usize>> = vec![None; n];
    for start in 0..n {
        if root[start].is_some() || !is_problem(pairs[start].1) {
            continue;
        }
        let mut chain = vec![start];
        let mut at = start;
        let found = loop {
            if let Some(r) = root[at] {
                break r;
            }
            let up = pairs[at]
                .1
                .waits_for
                .and_then(|p| index.get(&p).copied())
                .filter(|&p| holds(p));
            match up {
                Some(p) if chain.len() <= n && !chain.contains(&p) => {
                    chain.push(p);
                    at = p;
                }
                _ => break at,
            }
        };
        for c in chain {
            root[c] = Some(found);
        }
    }

    let type_of = |t: &TaskInput| t.task_type.as_ref().map(|r| r.id);
    let key_of_root = |r: usize| -> (Key, Option<i64>) {
        let (t, tf) = pairs[r];
        let people = t.assignee_set();
        if tf.state == TaskState::Unassigned {
            return (Key::TaskType(CauseKind::UnassignedTask, type_of(t)), None);
        }
        let until = tf.forecast_finish.unwrap_or(forecast.horizon_end);
        if let Some((p, days)) = people
            .iter()
            .map(|p| (*p, days_off(*p, until)))
            .filter(|(_, d)| *d > 0 && *d >= tf.slip_days && !tf.late)
            .max_by_key(|(p, d)| (*d, std::cmp::Reverse(*p)))
        {
            return (Key::Person(CauseKind::DayOff, p), Some(days));
        }
        if let Some((p, (days, _))) = people
            .iter()
            .filter_map(|p| overload.get(p).map(|o| (*p, *o)))
            .max_by_key(|(p, (days, _))| (*days, std::cmp::Reverse(*p)))
        {
            return (Key::Person(CauseKind::OverloadedPerson, p), Some(days));
        }
        if tf.late {
            return (Key::Task(t.id), None);
        }
        if t.estimate() <= 0.0 {
            return (Key::TaskType(CauseKind::MissingEstimate, type_of(t)), None);
        }
        match people.first() {
            Some(p) => (Key::Person(CauseKind::OverloadedPerson, *p), None),
            None => (Key::TaskType(CauseKind::UnassignedTask, type_of(t)), None),
        }
    };

    let mut groups: HashMap<Key, (BTreeSet<usize>, Option<i64>)> = HashMap::new();
    for (i, r) in root.iter().enumerate() {
        let Some(r) = *r else { continue };
        let (key, days) = key_of_root(r);
        let g = groups.entry(key).or_default();
        g.0.insert(i);
        g.1 = g.1.max(days);
    }
    for (i, (t, tf)) in pairs.iter().enumerate() {
        if !tf.is_open() {
            continue;
        }
        if tf.state == TaskState::Unassigned {
            let key = Key::TaskType(CauseKind::UnassignedTask, type_of(t));
            groups.entry(key).or_default().0.insert(i);
        }
        if t.estimate() <= 0.0 {
            let key = Key::TaskType(CauseKind::MissingEstimate, type_of(t));
            groups.entry(key).or_default().0.insert(i);
        }
    }

    let scopes: Vec<(&str, NaiveDate, Scope)> = analysis
        .milestones
        .iter()
        .zip(&input.milestones)
        .filter(|(mf, _)| mf.slipping)
        .map(|(mf, m)| (mf.name.as_str(), mf.date, m.scope.clone()))
        .collect();

    let mut out: Vec<Cause> = groups
        .into_iter()
        .map(|(key, (members, days))| {
            let (kind, person_id, task_id, task_type_id) = match key {
                Key::Person(k, p) => (k, Some(p), None, None),
                Key::Task(t) => (CauseKind::LateUpstream, None, Some(t), None),
                Key::TaskType(k, tt) => (k, None, None, tt),
            };
            let unreliable = matches!(kind, CauseKind::UnassignedTask | CauseKind::MissingEstimate);
            let mut slip = 0;
            let mut problems = 0;
            let mut latest = as_of;
            let mut milestones = BTreeSet::new();
            for &i in &members {
                let (t, tf) = pairs[i];
                if is_problem(tf) {
                    problems += 1;
                    slip = slip.max(tf.slip_days);
                }
                latest = latest.max(tf.forecast_finish.unwrap_or(forecast.horizon_end));
                for (name, date, scope) in &scopes {
                    let moves =
                        unreliable || tf.forecast_finish.is_none_or(|f| f > *date) || tf.late;
                    if moves && scope.matches(t) {
                        milestones.insert(name.to_string());
                    }
                }
            }
            let mut severity = slip_severity(slip, &input.options);
            let days = match kind {
                CauseKind::OverloadedPerson => {
                    if let Some((_, s)) = person_id.and_then(|p| overload.get(&p)) {
                        severity = severity.max(*s);
                    }
                    days
                }
                CauseKind::DayOff => person_id.map(|p| days_off(p, latest)),
                _ => None,
            };
            let task_type = members
                .iter()
                .find_map(|&i| pairs[i].0.task_type.clone())
                .filter(|r| Some(r.id) == task_type_id);
            let mut tasks: Vec<Uuid> = members.iter().map(|&i| pairs[i].0.id).collect();
            tasks.sort_unstable();
            Cause {
                kind,
                severity,
                person_id,
                task_id,
                task_type,
                tasks,
                problem_tasks: problems,
                slip_days: slip,
                milestones: milestones.into_iter().collect(),
                days,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        (
            std::cmp::Reverse(a.severity),
            std::cmp::Reverse(a.problem_tasks),
            std::cmp::Reverse(a.tasks.len()),
            a.kind,
            a.person_id,
            a.task_id,
            a.task_type.as_ref().map(|r| r.id),
        )
            .cmp(&(
                std::cmp::Reverse(b.severity),
                std::cmp::Reverse(b.problem_tasks),
                std::cmp::Reverse(b.tasks.len()),
                b.kind,
                b.person_id,
                b.task_id,
                b.task_type.as_ref().map(|r| r.id),
            ))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{Calendar, DateRange, PersonCalendar};
    use crate::links::{Link, LinkKind};
    use crate::{analyse, Milestone, MilestoneKind};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn task(n: u128, who: &[u128], estimate: f64, due: &str) -> TaskInput {
        TaskInput {
            id: id(n),
            assignees: who.iter().map(|p| id(*p)).collect(),
            estimate_minutes: estimate,
            due: Some(d(due)),
            task_type: Some(Ref::new(id(900), "Animation")),
            ..TaskInput::default()
        }
    }

    #[test]
    fn an_overloaded_person_drives_his_slips_and_those_downstream() {
        // Person 1: three two-day tasks all due Wednesday (overloaded);
        // task 4 (person 2) waits for task 3.
        let mut tasks = vec![
            task(1, &[1], 960.0, "2024-06-05"),
            task(2, &[1], 960.0, "2024-06-05"),
            task(3, &[1], 960.0, "2024-06-05"),
            task(4, &[2], 480.0, "2024-06-07"),
            task(5, &[], 480.0, "2024-06-20"),
            task(6, &[3], 0.0, "2024-06-20"),
        ];
        tasks[3].task_type = Some(Ref::new(id(901), "Lighting"));
        let input = ScheduleInput {
            as_of: d("2024-06-03"),
            calendar: Calendar::default(),
            tasks,
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
            links: vec![Link::new(id(3), id(4), 0, LinkKind::Explicit)],
            departments: vec![],
        };
        let a = analyse(&input);
        let c = causes(&input.calendar.compile(), &input, &a);
        let over = c
            .iter()
            .find(|c| c.kind == CauseKind::OverloadedPerson)
            .unwrap();
        assert_eq!(over.person_id, Some(id(1)));
        // Tasks 2 and 3 slip (1 fits by Wednesday... with 2 days each only
        // task 1 does); task 4 slips behind task 3.
        assert!(over.tasks.contains(&id(4)), "{c:?}");
        assert!(over.tasks.contains(&id(3)));
        assert!(!over.tasks.contains(&id(1)));
        assert_eq!(over.milestones, vec!["delivery".to_owned()]);
        assert!(over.days.unwrap() > 0);
        let unassigned = c
            .iter()
            .find(|c| c.kind == CauseKind::UnassignedTask)
            .unwrap();
        assert_eq!(unassigned.tasks, vec![id(5)]);
        let missing = c
            .iter()
            .find(|c| c.kind == CauseKind::MissingEstimate)
            .unwrap();
        assert_eq!(missing.tasks, vec![id(6)]);
        // Every problem task is in exactly one cause of the slipping kinds.
        for t in a.forecast.tasks.iter().filter(|t| is_problem(t)) {
            let n = c
                .iter()
                .filter(|c| {
                    !matches!(c.kind, CauseKind::MissingEstimate) && c.tasks.contains(&t.task_id)
                })
                .count();
            assert!(n >= 1, "{:?} in no cause", t.task_id);
        }
    }

    #[test]
    fn a_day_off_and_a_late_task_are_causes() {
        let mut p = PersonCalendar::new(id(1));
        p.day_offs = vec![DateRange::new(d("2024-06-04"), d("2024-06-05"))];
        let input = ScheduleInput {
            as_of: d("2024-06-03"),
            calendar: Calendar {
                people: vec![p],
                ..Calendar::default()
            },
            // Two days of work due Tuesday, person off Tuesday and Wednesday.
            tasks: vec![
                task(1, &[1], 480.0, "2024-06-04"),
                task(2, &[2], 960.0, "2024-05-31"),
                task(3, &[3], 480.0, "2024-06-03"),
            ],
            milestones: vec![],
            options: Default::default(),
            task_type_order: vec![],
            casting: Vec::new(),
            cast_feeds: None,
            links: vec![Link::new(id(2), id(3), 0, LinkKind::Explicit)],
            departments: vec![],
        };
        let a = analyse(&input);
        let c = causes(&input.calendar.compile(), &input, &a);
        let kinds: Vec<(CauseKind, Vec<Uuid>)> =
            c.iter().map(|c| (c.kind, c.tasks.clone())).collect();
        // Task 1: 480 min due Tuesday, done Monday: no slip. Task 2 is late
        // and holds task 3 back.
        assert!(
            kinds.contains(&(CauseKind::LateUpstream, vec![id(2), id(3)])),
            "{kinds:?}"
        );
        // Person 1 is off Tuesday and Wednesday: his day of work due
        // Tuesday, laid Monday, then a second day due Tuesday too slips to
        // Thursday: two days off, a two-day slip.
        let input2 = ScheduleInput {
            tasks: vec![
                task(1, &[1], 480.0, "2024-06-04"),
                task(4, &[1], 480.0, "2024-06-04"),
            ],
            links: vec![],
            ..input
        };
        let a = analyse(&input2);
        let c = causes(&input2.calendar.compile(), &input2, &a);
        let off = c.iter().find(|c| c.kind == CauseKind::DayOff).unwrap();
        assert_eq!(off.person_id, Some(id(1)));
        assert_eq!(off.tasks, vec![id(4)]);
        assert_eq!(off.days, Some(2));
        assert_eq!(off.slip_days, 2);
    }
}
