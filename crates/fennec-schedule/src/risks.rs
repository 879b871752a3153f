//! Risk rules and milestone forecasts.
//!
//! Policy:
//! * Risks concern open tasks only: a done task's history feeds the track
//!   record, it is nothing to act on.
//! * `late`: due date before `as_of`. `will_slip`: not late yet but forecast
//!   to finish after the due date (a late task is not reported twice).
//!   `not_started`: start date before `as_of`, status todo-like and no real
//!   start date. `over_estimate`: logged time above a positive estimate.
//!   `unassigned`: nobody to do it. `missing_data`: no estimate or no due date.
//!   `overloaded`: for some date D on or after `as_of`, the person's remaining
//!   work due on or before D (late work included: it still has to be done)
//!   exceeds his capacity from `as_of` to D; the worst such D is reported.
//!   `milestone_slip` / `project_end_slip`: the scope's forecast end is after
//!   the date, or the date has passed with work still open.
//! * Severity grows with the slip in studio working days (thresholds in
//!   [`ScheduleOptions`]); an overload's slip is its excess in the person's
//!   working days; an overrun's is its size relative to the estimate; an
//!   unassigned task's is how soon it is due.
//! * Every risk carries the numbers it was decided on. The list is sorted
//!   most severe first, then by kind and subject, so it is reproducible.

use crate::IdMap;
use std::cmp::Reverse;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::calendar::CompiledCalendar;
use crate::forecast::{paired, Forecast, Ref, ScheduleOptions, TaskInput, TaskState};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskKind {
    Late,
    WillSlip,
    OverEstimate,
    NotStarted,
    Overloaded,
    Unassigned,
    MissingData,
    MilestoneSlip,
    ProjectEndSlip,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingField {
    Estimate,
    DueDate,
}

/// The numbers a risk was decided on (`null` where they do not apply).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RiskNumbers {
    pub remaining_minutes: Option<i64>,
    pub capacity_minutes: Option<i64>,
    pub estimate_minutes: Option<f64>,
    pub logged_minutes: Option<f64>,
    pub start: Option<NaiveDate>,
    /// The due date, or the milestone's / overload window's date.
    pub due: Option<NaiveDate>,
    pub forecast: Option<NaiveDate>,
    /// Studio working days behind (person's working days for an overload).
    pub slip_days: Option<i64>,
    pub missing: Vec<MissingField>,
}

/// One detected risk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Risk {
    pub kind: RiskKind,
    pub severity: Severity,
    pub task_id: Option<Uuid>,
    pub person_id: Option<Uuid>,
    pub milestone: Option<String>,
    pub numbers: RiskNumbers,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MilestoneKind {
    #[default]
    Milestone,
    ProjectEnd,
}

/// Which tasks a milestone covers: every non-empty list must contain the
/// task's corresponding id; all lists empty = every task given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Scope {
    pub task_ids: Vec<Uuid>,
    pub projects: Vec<Uuid>,
    pub task_types: Vec<Uuid>,
    pub entities: Vec<Uuid>,
    pub entity_types: Vec<Uuid>,
    pub sequences: Vec<Uuid>,
    pub episodes: Vec<Uuid>,
}

impl Scope {
    /// Sorted copies for binary search.
    pub(crate) fn sorted(&self) -> Scope {
        let s = |v: &Vec<Uuid>| {
            let mut v = v.clone();
            v.sort_unstable();
            v
        };
        Scope {
            task_ids: s(&self.task_ids),
            projects: s(&self.projects),
            task_types: s(&self.task_types),
            entities: s(&self.entities),
            entity_types: s(&self.entity_types),
            sequences: s(&self.sequences),
            episodes: s(&self.episodes),
        }
    }

    /// Whether `task` is in scope (lists must be sorted). A field is read
    /// only when its list is not empty: a task spans several cache lines,
    /// and most scopes name one kind of id.
    pub(crate) fn matches_sorted(&self, task: &TaskInput) -> bool {
        fn one(list: &[Uuid], id: impl FnOnce() -> Option<Uuid>) -> bool {
            list.is_empty() || id().is_some_and(|id| list.binary_search(&id).is_ok())
        }
        let id = |r: &Option<Ref>| r.as_ref().map(|r| r.id);
        one(&self.task_ids, || Some(task.id))
            && one(&self.projects, || id(&task.project))
            && one(&self.task_types, || id(&task.task_type))
            && one(&self.entities, || id(&task.entity))
            && one(&self.entity_types, || id(&task.entity_type))
            && one(&self.sequences, || id(&task.sequence))
            && one(&self.episodes, || id(&task.episode))
    }

    /// Whether `task` is in scope.
    pub fn matches(&self, task: &TaskInput) -> bool {
        fn one(list: &[Uuid], id: Option<Uuid>) -> bool {
            list.is_empty() || id.is_some_and(|id| list.contains(&id))
        }
        one(&self.task_ids, Some(task.id))
            && one(&self.projects, task.project.as_ref().map(|r| r.id))
            && one(&self.task_types, task.task_type.as_ref().map(|r| r.id))
            && one(&self.entities, task.entity.as_ref().map(|r| r.id))
            && one(&self.entity_types, task.entity_type.as_ref().map(|r| r.id))
            && one(&self.sequences, task.sequence.as_ref().map(|r| r.id))
            && one(&self.episodes, task.episode.as_ref().map(|r| r.id))
    }
}

/// A named date that a set of tasks must meet (a project's end date is one
/// with kind `project_end`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Milestone {
    pub name: String,
    pub date: NaiveDate,
    #[serde(default)]
    pub kind: MilestoneKind,
    #[serde(default)]
    pub scope: Scope,
}

/// A milestone's forecast against its date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MilestoneForecast {
    pub name: String,
    pub kind: MilestoneKind,
    pub date: NaiveDate,
    pub tasks: usize,
    pub done_tasks: usize,
    pub open_tasks: usize,
    pub unassigned_tasks: usize,
    pub remaining_minutes: i64,
    pub unscheduled_minutes: i64,
    /// Latest forecast finish (done date for done tasks) of the tasks that
    /// have one.
    pub forecast: Option<NaiveDate>,
    /// Every open task in scope has a forecast finish (none unassigned
    /// outside any department, none beyond the horizon), so `forecast` is
    /// the scope's end.
    pub complete: bool,
    /// Signed studio working days from the date to the forecast (negative:
    /// ahead of the date).
    pub slip_days: Option<i64>,
    /// Forecast after the date, or the date passed with work open.
    pub slipping: bool,
}

/// Forecasts each milestone against its date.
pub fn milestone_forecasts(
    calendar: &CompiledCalendar,
    tasks: &[TaskInput],
    forecast: &Forecast,
    milestones: &[Milestone],
) -> Vec<MilestoneForecast> {
    let scopes: Vec<Scope> = milestones.iter().map(|m| m.scope.sorted()).collect();
    let mut outs: Vec<MilestoneForecast> = milestones
        .iter()
        .map(|m| MilestoneForecast {
            name: m.name.clone(),
            kind: m.kind,
            date: m.date,
            tasks: 0,
            done_tasks: 0,
            open_tasks: 0,
            unassigned_tasks: 0,
            remaining_minutes: 0,
            unscheduled_minutes: 0,
            forecast: None,
            complete: true,
            slip_days: None,
            slipping: false,
        })
        .collect();
    // One pass over the tasks for all milestones: tasks are large and
    // scattered, milestones few.
    for (t, tf) in paired(tasks, forecast) {
        for (out, scope) in outs.iter_mut().zip(&scopes) {
            if !scope.matches_sorted(t) {
                continue;
            }
            out.tasks += 1;
            match tf.state {
                TaskState::Done => out.done_tasks += 1,
                TaskState::Open => out.open_tasks += 1,
                TaskState::Unassigned => {
                    out.open_tasks += 1;
                    out.unassigned_tasks += 1;
                }
            }
            out.remaining_minutes += tf.remaining_minutes;
            out.unscheduled_minutes += tf.unscheduled_minutes();
            if tf.is_open() && tf.forecast_finish.is_none() {
                out.complete = false;
            }
            out.forecast = out.forecast.max(tf.forecast_finish);
        }
    }
    for out in &mut outs {
        let overdue = out.open_tasks > 0 && out.date < forecast.as_of;
        let end = match out.forecast {
            Some(f) if overdue => Some(f.max(forecast.as_of)),
            Some(f) => Some(f),
            None if overdue => Some(forecast.as_of),
            None => None,
        };
        out.slip_days = end.map(|e| calendar.working_days_between(out.date, e));
        out.slipping = overdue || out.forecast.is_some_and(|f| f > out.date);
    }
    outs
}

pub(crate) fn slip_severity(days: i64, options: &ScheduleOptions) -> Severity {
    if days >= options.high_slip_days {
        Severity::High
    } else if days >= options.medium_slip_days {
        Severity::Medium
    } else {
        Severity::Low
    }
}

/// Detects the risks of `tasks` given their `forecast` and the milestones'
/// forecasts (from [`milestone_forecasts`]).
pub fn risks(
    calendar: &CompiledCalendar,
    tasks: &[TaskInput],
    forecast: &Forecast,
    milestones: &[MilestoneForecast],
    options: &ScheduleOptions,
) -> Vec<Risk> {
    let as_of = forecast.as_of;
    let mut out = Vec::new();
    let task_risk = |kind, severity, task_id, numbers| Risk {
        kind,
        severity,
        task_id: Some(task_id),
        person_id: None,
        milestone: None,
        numbers,
    };

    for (t, tf) in paired(tasks, forecast) {
        if !tf.is_open() {
            continue;
        }
        let base = RiskNumbers {
            remaining_minutes: Some(tf.remaining_minutes),
            due: t.due,
            forecast: tf.forecast_finish,
            ..RiskNumbers::default()
        };
        if tf.late || tf.will_slip {
            let kind = if tf.late {
                RiskKind::Late
            } else {
                RiskKind::WillSlip
            };
            out.push(task_risk(
                kind,
                slip_severity(tf.slip_days, options),
                t.id,
                RiskNumbers {
                    slip_days: Some(tf.slip_days),
                    capacity_minutes: t.due.map(|due| {
                        tf.shares
                            .iter()
                            .map(|s| calendar.capacity_between(s.person_id, as_of, due))
                            .sum()
                    }),
                    ..base.clone()
                },
            ));
        }
        let (estimate, logged) = (t.estimate(), t.logged());
        if estimate > 0.0 && logged > estimate {
            let over = logged / estimate - 1.0;
            let severity = if over >= 0.5 {
                Severity::High
            } else if over >= 0.2 {
                Severity::Medium
            } else {
                Severity::Low
            };
            out.push(task_risk(
                RiskKind::OverEstimate,
                severity,
                t.id,
                RiskNumbers {
                    estimate_minutes: Some(estimate),
                    logged_minutes: Some(logged),
                    ..base.clone()
                },
            ));
        }
        if let Some(start) = t.start.filter(|s| *s < as_of) {
            if t.status.is_todo() && t.real_start.is_none() {
                let slip = calendar.working_days_between(start, as_of);
                out.push(task_risk(
                    RiskKind::NotStarted,
                    slip_severity(slip, options),
                    t.id,
                    RiskNumbers {
                        start: Some(start),
                        slip_days: Some(slip),
                        ..base.clone()
                    },
                ));
            }
        }
        if tf.state == TaskState::Unassigned {
            // The sooner it is due, the worse: "slip" here is the working
            // days left, so the scale is reversed.
            let severity = match t.due {
                None => Severity::Medium,
                Some(due) => {
                    let left = calendar.working_days_between(as_of, due);
                    if left <= options.medium_slip_days {
                        Severity::High
                    } else if left <= options.high_slip_days {
                        Severity::Medium
                    } else {
                        Severity::Low
                    }
                }
            };
            out.push(task_risk(
                RiskKind::Unassigned,
                severity,
                t.id,
                base.clone(),
            ));
        }
        let mut missing = Vec::new();
        if estimate <= 0.0 {
            missing.push(MissingField::Estimate);
        }
        if t.due.is_none() {
            missing.push(MissingField::DueDate);
        }
        if !missing.is_empty() {
            out.push(task_risk(
                RiskKind::MissingData,
                Severity::Low,
                t.id,
                RiskNumbers {
                    missing,
                    estimate_minutes: Some(estimate),
                    ..base
                },
            ));
        }
    }

    out.extend(overloads(calendar, forecast, options));

    for m in milestones.iter().filter(|m| m.slipping) {
        let slip = m.slip_days.unwrap_or(0);
        out.push(Risk {
            kind: match m.kind {
                MilestoneKind::Milestone => RiskKind::MilestoneSlip,
                MilestoneKind::ProjectEnd => RiskKind::ProjectEndSlip,
            },
            severity: slip_severity(slip, options),
            task_id: None,
            person_id: None,
            milestone: Some(m.name.clone()),
            numbers: RiskNumbers {
                remaining_minutes: Some(m.remaining_minutes),
                due: Some(m.date),
                forecast: m.forecast,
                slip_days: m.slip_days,
                ..RiskNumbers::default()
            },
        });
    }

    // Keys sorted beside indices, then the risks moved once: a comparison
    // sort moves its 184-byte elements about log n times each.
    out.sort_by_cached_key(|r| {
        (
            Reverse(r.severity),
            r.kind,
            Reverse(r.numbers.slip_days),
            r.task_id,
            r.person_id,
            r.milestone.clone(),
            r.numbers.due,
        )
    });
    out
}

/// One `overloaded` risk per person whose dated work outgrows his capacity.
fn overloads(
    calendar: &CompiledCalendar,
    forecast: &Forecast,
    options: &ScheduleOptions,
) -> Vec<Risk> {
    let as_of = forecast.as_of;
    // (due, minutes, finish) of every dated open share, per person.
    let mut by_person: IdMap<Uuid, Vec<(NaiveDate, i64, Option<NaiveDate>)>> = IdMap::default();
    for tf in &forecast.tasks {
        let Some(due) = tf.due else { continue };
        for s in &tf.shares {
            by_person
                .entry(s.person_id)
                .or_default()
                .push((due, s.minutes, s.finish));
        }
    }
    let mut out = Vec::new();
    for (person, mut shares) in by_person {
        shares.sort_unstable();
        let per_day = calendar.minutes_per_day(Some(person));
        let mut cumulative = 0i64;
        let mut finish = Some(as_of);
        let mut worst: Option<(i64, NaiveDate, i64, i64, Option<NaiveDate>)> = None;
        for group in shares.chunk_by(|a, b| a.0 == b.0) {
            let due = group[0].0;
            for (_, minutes, f) in group {
                cumulative += minutes;
                finish = finish.zip(*f).map(|(a, b)| a.max(b));
            }
            if due < as_of {
                continue;
            }
            let capacity = calendar.capacity_between(person, as_of, due);
            let excess = cumulative - capacity;
            if excess > 0 && worst.is_none_or(|w| excess > w.0) {
                worst = Some((excess, due, cumulative, capacity, finish));
            }
        }
        let Some((excess, due, remaining, capacity, finish)) = worst else {
            continue;
        };
        let (slip, severity) = if per_day > 0 {
            let days = (excess + per_day - 1) / per_day;
            (Some(days), slip_severity(days, options))
        } else {
            (None, Severity::High)
        };
        out.push(Risk {
            kind: RiskKind::Overloaded,
            severity,
            task_id: None,
            person_id: Some(person),
            milestone: None,
            numbers: RiskNumbers {
                remaining_minutes: Some(remaining),
                capacity_minutes: Some(capacity),
                due: Some(due),
                forecast: finish,
                slip_days: slip,
                ..RiskNumbers::default()
            },
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Calendar;
    use crate::forecast::{forecast, Ref};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn task(n: u128, who: &[u128], estimate: f64, due: Option<&str>) -> TaskInput {
        TaskInput {
            id: id(n),
            assignees: who.iter().map(|p| id(*p)).collect(),
            estimate_minutes: estimate,
            due: due.map(d),
            ..TaskInput::default()
        }
    }

    fn analyse(tasks: &[TaskInput], milestones: &[Milestone], as_of: &str) -> Vec<Risk> {
        let cal = Calendar::default().compile();
        let options = ScheduleOptions::default();
        let f = forecast(&cal, d(as_of), tasks, &options);
        let m = milestone_forecasts(&cal, tasks, &f, milestones);
        risks(&cal, tasks, &f, &m, &options)
    }

    fn kinds(risks: &[Risk], task: u128) -> Vec<RiskKind> {
        risks
            .iter()
            .filter(|r| r.task_id == Some(id(task)))
            .map(|r| r.kind)
            .collect()
    }

    #[test]
    fn task_rules() {
        let late = task(1, &[1], 480.0, Some("2024-05-20"));
        let slipping = task(2, &[2], 480.0 * 6.0, Some("2024-06-04"));
        let mut over = task(3, &[3], 100.0, Some("2024-07-01"));
        over.logged_minutes = 160.0;
        let mut idle = task(4, &[4], 100.0, Some("2024-07-01"));
        idle.start = Some(d("2024-05-27"));
        let mut begun = idle.clone();
        begun.id = id(5);
        begun.real_start = Some(d("2024-05-28"));
        let nobody = task(6, &[], 100.0, Some("2024-06-04"));
        let sloppy = task(7, &[7], 0.0, None);
        let mut done = task(8, &[8], 10.0, Some("2024-01-01"));
        done.status.is_done = true;
        done.logged_minutes = 100.0;
        let r = analyse(
            &[late, slipping, over, idle, begun, nobody, sloppy, done],
            &[],
            "2024-06-03",
        );
        assert_eq!(kinds(&r, 1), vec![RiskKind::Late]);
        let late = r.iter().find(|r| r.task_id == Some(id(1))).unwrap();
        // Due Mon 20 May, finishes Mon 3 June: 10 working days.
        assert_eq!(late.numbers.slip_days, Some(10));
        assert_eq!(late.severity, Severity::High);
        assert_eq!(kinds(&r, 2), vec![RiskKind::WillSlip]);
        let slip = r.iter().find(|r| r.task_id == Some(id(2))).unwrap();
        assert_eq!(slip.numbers.forecast, Some(d("2024-06-10")));
        assert_eq!(slip.numbers.slip_days, Some(4));
        assert_eq!(slip.numbers.capacity_minutes, Some(960));
        assert_eq!(slip.severity, Severity::Medium);
        assert_eq!(kinds(&r, 3), vec![RiskKind::OverEstimate]);
        let over = r.iter().find(|r| r.task_id == Some(id(3))).unwrap();
        assert_eq!(over.severity, Severity::High);
        assert_eq!(kinds(&r, 4), vec![RiskKind::NotStarted]);
        assert!(kinds(&r, 5).is_empty());
        assert_eq!(kinds(&r, 6), vec![RiskKind::Unassigned]);
        let nobody = r.iter().find(|r| r.task_id == Some(id(6))).unwrap();
        assert_eq!(nobody.severity, Severity::High);
        assert_eq!(kinds(&r, 7), vec![RiskKind::MissingData]);
        let sloppy = r.iter().find(|r| r.task_id == Some(id(7))).unwrap();
        assert_eq!(
            sloppy.numbers.missing,
            vec![MissingField::Estimate, MissingField::DueDate]
        );
        assert!(kinds(&r, 8).is_empty());
        // Person 2 has six days of work due in two.
        let o: Vec<&Risk> = r
            .iter()
            .filter(|r| r.kind == RiskKind::Overloaded)
            .collect();
        assert_eq!(o.len(), 1, "{o:?}");
        let p2 = o.iter().find(|r| r.person_id == Some(id(2))).unwrap();
        assert_eq!(p2.numbers.remaining_minutes, Some(2880));
        assert_eq!(p2.numbers.capacity_minutes, Some(960));
        assert_eq!(p2.numbers.slip_days, Some(4));
        // Person 1's late day of work is due already; with nothing due later
        // it is the late rule's business, not an overload.
        assert!(o.iter().all(|r| r.person_id != Some(id(1))));
        // Sorted by severity.
        assert!(r.windows(2).all(|w| w[0].severity >= w[1].severity));
    }

    #[test]
    fn overload_counts_late_work_against_later_windows() {
        let late = task(1, &[1], 480.0, Some("2024-05-31"));
        let next = task(2, &[1], 480.0, Some("2024-06-03"));
        let r = analyse(&[late, next], &[], "2024-06-03");
        let o = r.iter().find(|r| r.kind == RiskKind::Overloaded).unwrap();
        assert_eq!(o.person_id, Some(id(1)));
        assert_eq!(o.numbers.remaining_minutes, Some(960));
        assert_eq!(o.numbers.capacity_minutes, Some(480));
        assert_eq!(o.numbers.due, Some(d("2024-06-03")));
        assert_eq!(o.numbers.slip_days, Some(1));
        assert_eq!(o.severity, Severity::Low);
    }

    #[test]
    fn milestones_and_project_end() {
        let ep = Ref::new(id(100), "ep01");
        let mut a = task(1, &[1], 480.0 * 3.0, Some("2024-06-30"));
        a.episode = Some(ep.clone());
        a.project = Some(Ref::new(id(200), "film"));
        let mut b = task(2, &[2], 480.0, Some("2024-06-30"));
        b.project = a.project.clone();
        let milestones = [
            Milestone {
                name: "ep01 delivery".into(),
                date: d("2024-06-04"),
                kind: MilestoneKind::Milestone,
                scope: Scope {
                    episodes: vec![ep.id],
                    ..Scope::default()
                },
            },
            Milestone {
                name: "wrap".into(),
                date: d("2024-06-28"),
                kind: MilestoneKind::ProjectEnd,
                scope: Scope {
                    projects: vec![id(200)],
                    ..Scope::default()
                },
            },
        ];
        let cal = Calendar::default().compile();
        let options = ScheduleOptions::default();
        let tasks = [a, b];
        let f = forecast(&cal, d("2024-06-03"), &tasks, &options);
        let m = milestone_forecasts(&cal, &tasks, &f, &milestones);
        assert_eq!(m[0].tasks, 1);
        assert_eq!(m[0].forecast, Some(d("2024-06-05")));
        assert_eq!(m[0].slip_days, Some(1));
        assert!(m[0].slipping && m[0].complete);
        assert_eq!(m[1].tasks, 2);
        assert_eq!(m[1].forecast, Some(d("2024-06-05")));
        assert_eq!(m[1].slip_days, Some(-17));
        assert!(!m[1].slipping);
        let r = risks(&cal, &tasks, &f, &m, &options);
        let ms: Vec<&Risk> = r.iter().filter(|r| r.milestone.is_some()).collect();
        assert_eq!(ms.len(), 1);
        assert_eq!(ms[0].kind, RiskKind::MilestoneSlip);
        assert_eq!(ms[0].numbers.remaining_minutes, Some(1440));
    }

    #[test]
    fn passed_milestone_with_open_work_is_slipping() {
        let t = [task(1, &[], 60.0, None)];
        let m = [Milestone {
            name: "old".into(),
            date: d("2024-05-31"),
            kind: MilestoneKind::Milestone,
            scope: Scope::default(),
        }];
        let cal = Calendar::default().compile();
        let f = forecast(&cal, d("2024-06-04"), &t, &ScheduleOptions::default());
        let mf = milestone_forecasts(&cal, &t, &f, &m);
        assert!(mf[0].slipping && !mf[0].complete);
        assert_eq!(mf[0].forecast, None);
        assert_eq!(mf[0].slip_days, Some(2));
    }

    #[test]
    fn risk_json_shape() {
        let r = analyse(&[task(1, &[], 0.0, None)], &[], "2024-06-03");
        let json = serde_json::to_value(&r[0]).unwrap();
        assert_eq!(json["kind"], "unassigned");
        assert_eq!(json["severity"], "medium");
        assert_eq!(json["numbers"]["due"], serde_json::Value::Null);
        let json = serde_json::to_value(&r[1]).unwrap();
        assert_eq!(json["kind"], "missing_data");
        assert_eq!(json["numbers"]["missing"][1], "due_date");
    }
}
