//! Timelines: planned, actual and forecast spans per group of tasks.
//!
//! Policy:
//! * The caller chooses the grouping: one of [`GroupBy`], or any key per task
//!   through [`timeline_by`] (a task may sit in several groups, e.g. one per
//!   assignee, or in none).
//! * Planned span: earliest start date to latest due date. Actual span: first
//!   real start date to last done date (of the done tasks so far). Forecast
//!   end: latest forecast finish, done tasks counting by their done date.
//! * Progress counts done tasks and their estimated minutes; `ratio` is done
//!   estimate over total estimate, or done tasks over tasks when nothing is
//!   estimated.
//! * Sequence and entity groups are named with their episode and sequence
//!   ("E01 / SQ01 / SH0010"): sequences are named alike in every episode.
//! * Groups are sorted by planned start (undated last), then name, then id;
//!   rows by planned start, planned end, then task id.

use std::sync::Arc;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::forecast::{paired, Forecast, Ref, TaskForecast, TaskInput};
use crate::IdMap;

/// Built-in groupings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    Project,
    Episode,
    Sequence,
    /// The shot or asset (or whatever entity the task is on).
    Entity,
    /// Asset type, or the entity's type.
    EntityType,
    TaskType,
    /// One group per assignee (a shared task appears in each).
    Person,
}

/// Progress of a group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub tasks: usize,
    pub done_tasks: usize,
    pub estimate_minutes: f64,
    pub done_estimate_minutes: f64,
    pub logged_minutes: f64,
    pub remaining_minutes: i64,
    /// 0.0 to 1.0.
    pub ratio: f64,
}

/// One task on a timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineRow {
    pub task_id: Uuid,
    /// Shared with the input's task (see `Ref`).
    #[serde(with = "crate::forecast::shared_name")]
    pub name: Arc<str>,
    pub task_type: Option<Ref>,
    pub entity: Option<Ref>,
    pub assignees: Vec<Uuid>,
    pub is_done: bool,
    pub planned_start: Option<NaiveDate>,
    pub planned_end: Option<NaiveDate>,
    pub actual_start: Option<NaiveDate>,
    pub actual_end: Option<NaiveDate>,
    pub forecast_start: Option<NaiveDate>,
    pub forecast_end: Option<NaiveDate>,
    pub remaining_minutes: i64,
    pub late: bool,
    pub will_slip: bool,
}

/// One group of a timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineGroup {
    /// `null` for tasks without the grouping's attribute.
    pub key: Option<Ref>,
    pub planned_start: Option<NaiveDate>,
    pub planned_end: Option<NaiveDate>,
    pub actual_start: Option<NaiveDate>,
    pub actual_end: Option<NaiveDate>,
    pub forecast_end: Option<NaiveDate>,
    /// Every open task has a forecast, so `forecast_end` is the group's end.
    pub complete: bool,
    pub late: usize,
    pub slipping: usize,
    pub progress: Progress,
    pub tasks: Vec<TimelineRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timeline {
    pub as_of: NaiveDate,
    pub groups: Vec<TimelineGroup>,
}

/// `r` named after its (non-empty, distinct) parents: "E01 / SQ01".
fn qualified(r: &Ref, parents: &[Option<&Ref>]) -> Ref {
    let mut parts: Vec<&str> = parents
        .iter()
        .flatten()
        .filter(|p| p.id != r.id && !p.name.is_empty())
        .map(|p| &*p.name)
        .collect();
    parts.push(&r.name);
    Ref::new(r.id, parts.join(" / "))
}

/// The timeline of `tasks` grouped by one of the built-in keys.
pub fn timeline(tasks: &[TaskInput], forecast: &Forecast, group_by: GroupBy) -> Timeline {
    // The group's id is read from each task; its name is built only once
    // per group (a qualified name per task is an allocation per task).
    let one = |r: Option<&Ref>, ids: &mut Vec<Option<Uuid>>| ids.push(r.map(|r| r.id));
    let named = |r: Option<&Ref>| r.cloned();
    match group_by {
        GroupBy::Project => grouped(
            tasks,
            forecast,
            |t, ids| one(t.project.as_ref(), ids),
            |t, _| named(t.project.as_ref()),
        ),
        GroupBy::Episode => grouped(
            tasks,
            forecast,
            |t, ids| one(t.episode.as_ref(), ids),
            |t, _| named(t.episode.as_ref()),
        ),
        // Sequences are named alike in every episode (SQ01…): their groups
        // are named "episode / sequence", and entities' "episode / sequence
        // / shot", so that rows can be told apart.
        GroupBy::Sequence => grouped(
            tasks,
            forecast,
            |t, ids| one(t.sequence.as_ref(), ids),
            |t, _| {
                t.sequence
                    .as_ref()
                    .map(|r| qualified(r, &[t.episode.as_ref()]))
            },
        ),
        GroupBy::Entity => grouped(
            tasks,
            forecast,
            |t, ids| one(t.entity.as_ref(), ids),
            |t, _| {
                t.entity
                    .as_ref()
                    .map(|r| qualified(r, &[t.episode.as_ref(), t.sequence.as_ref()]))
            },
        ),
        GroupBy::EntityType => grouped(
            tasks,
            forecast,
            |t, ids| one(t.entity_type.as_ref(), ids),
            |t, _| named(t.entity_type.as_ref()),
        ),
        GroupBy::TaskType => grouped(
            tasks,
            forecast,
            |t, ids| one(t.task_type.as_ref(), ids),
            |t, _| named(t.task_type.as_ref()),
        ),
        GroupBy::Person => grouped(
            tasks,
            forecast,
            |t, ids| {
                ids.extend(t.assignees.iter().map(|p| Some(*p)));
                if ids.is_empty() {
                    ids.push(None);
                }
            },
            |_, id| {
                let p = id?;
                let name = forecast.person(p).map_or("", |l| l.name.as_str());
                Some(Ref::new(p, name))
            },
        ),
    }
}

/// The timeline of `tasks` grouped by the keys `key` gives each task.
pub fn timeline_by<F>(tasks: &[TaskInput], forecast: &Forecast, key: F) -> Timeline
where
    F: Fn(&TaskInput) -> Vec<Option<Ref>>,
{
    grouped(
        tasks,
        forecast,
        |t, ids| ids.extend(key(t).iter().map(|k| k.as_ref().map(|r| r.id))),
        |t, id| key(t).into_iter().flatten().find(|r| Some(r.id) == id),
    )
}

/// The timeline of `tasks` grouped by the ids `ids` puts in its buffer for
/// each task, `name` giving the key of a group from its first task (in id
/// order) and its id.
fn grouped(
    tasks: &[TaskInput],
    forecast: &Forecast,
    ids: impl Fn(&TaskInput, &mut Vec<Option<Uuid>>),
    name: impl Fn(&TaskInput, Option<Uuid>) -> Option<Ref>,
) -> Timeline {
    let order = paired(tasks, forecast);

    let mut groups: IdMap<Option<Uuid>, TimelineGroup> = IdMap::default();
    let mut keys: Vec<Option<Uuid>> = Vec::new();
    for (t, tf) in order {
        keys.clear();
        ids(t, &mut keys);
        keys.sort_unstable();
        keys.dedup();
        for &k in &keys {
            let g = groups.entry(k).or_insert_with(|| TimelineGroup {
                key: name(t, k),
                planned_start: None,
                planned_end: None,
                actual_start: None,
                actual_end: None,
                forecast_end: None,
                complete: true,
                late: 0,
                slipping: 0,
                progress: Progress {
                    tasks: 0,
                    done_tasks: 0,
                    estimate_minutes: 0.0,
                    done_estimate_minutes: 0.0,
                    logged_minutes: 0.0,
                    remaining_minutes: 0,
                    ratio: 0.0,
                },
                tasks: Vec::new(),
            });
            add(g, t, tf);
        }
    }

    let mut groups: Vec<TimelineGroup> = groups.into_values().collect();
    for g in &mut groups {
        let p = &mut g.progress;
        p.ratio = if p.estimate_minutes > 0.0 {
            p.done_estimate_minutes / p.estimate_minutes
        } else if p.tasks > 0 {
            p.done_tasks as f64 / p.tasks as f64
        } else {
            0.0
        };
        // Keys sorted beside indices, the rows moved once (they are large).
        g.tasks.sort_by_cached_key(|r| {
            (
                r.planned_start.is_none(),
                r.planned_start,
                r.planned_end.is_none(),
                r.planned_end,
                r.task_id,
            )
        });
    }
    groups.sort_by(|a, b| {
        fn k(g: &TimelineGroup) -> (bool, Option<NaiveDate>, bool, Option<(&str, Uuid)>) {
            (
                g.planned_start.is_none(),
                g.planned_start,
                g.key.is_none(),
                g.key.as_ref().map(|k| (&*k.name, k.id)),
            )
        }
        k(a).cmp(&k(b))
    });
    Timeline {
        as_of: forecast.as_of,
        groups,
    }
}

fn min_date(a: Option<NaiveDate>, b: Option<NaiveDate>) -> Option<NaiveDate> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn add(g: &mut TimelineGroup, t: &TaskInput, tf: &TaskForecast) {
    let done = t.status.is_done;
    g.planned_start = min_date(g.planned_start, t.start);
    g.planned_end = g.planned_end.max(t.due);
    g.actual_start = min_date(g.actual_start, t.real_start);
    if done {
        g.actual_end = g.actual_end.max(t.done_at);
    }
    g.forecast_end = g.forecast_end.max(tf.forecast_finish);
    if tf.is_open() && tf.forecast_finish.is_none() {
        g.complete = false;
    }
    g.late += usize::from(tf.late);
    g.slipping += usize::from(tf.will_slip);
    let p = &mut g.progress;
    p.tasks += 1;
    p.estimate_minutes += t.estimate();
    p.logged_minutes += t.logged();
    p.remaining_minutes += tf.remaining_minutes;
    if done {
        p.done_tasks += 1;
        p.done_estimate_minutes += t.estimate();
    }
    g.tasks.push(TimelineRow {
        task_id: t.id,
        name: t.name.clone(),
        task_type: t.task_type.clone(),
        entity: t.entity.clone(),
        assignees: t.assignee_set(),
        is_done: done,
        planned_start: t.start,
        planned_end: t.due,
        actual_start: t.real_start,
        actual_end: if done { t.done_at } else { None },
        forecast_start: tf.forecast_start,
        forecast_end: tf.forecast_finish,
        remaining_minutes: tf.remaining_minutes,
        late: tf.late,
        will_slip: tf.will_slip,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Calendar;
    use crate::forecast::{forecast, ScheduleOptions, StatusFlags};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    #[test]
    fn spans_progress_and_rows() {
        let shot = Ref::new(id(70), "sh0010");
        let layout = TaskInput {
            id: id(1),
            name: "layout".into(),
            entity: Some(shot.clone()),
            assignees: vec![id(10)],
            estimate_minutes: 480.0,
            logged_minutes: 500.0,
            start: Some(d("2024-05-27")),
            due: Some(d("2024-05-29")),
            real_start: Some(d("2024-05-28")),
            done_at: Some(d("2024-05-30")),
            status: StatusFlags {
                is_done: true,
                ..StatusFlags::default()
            },
            ..TaskInput::default()
        };
        let anim = TaskInput {
            id: id(2),
            name: "animation".into(),
            entity: Some(shot.clone()),
            assignees: vec![id(10), id(11)],
            estimate_minutes: 1440.0,
            start: Some(d("2024-05-30")),
            due: Some(d("2024-06-07")),
            real_start: Some(d("2024-05-31")),
            status: StatusFlags {
                is_wip: true,
                ..StatusFlags::default()
            },
            ..TaskInput::default()
        };
        let orphan = TaskInput {
            id: id(3),
            name: "orphan".into(),
            estimate_minutes: 60.0,
            ..TaskInput::default()
        };
        let tasks = [anim, orphan, layout];
        let f = forecast(
            &Calendar::default().compile(),
            d("2024-06-03"),
            &tasks,
            &ScheduleOptions {
                use_track_record: false,
                ..ScheduleOptions::default()
            },
        );
        let tl = timeline(&tasks, &f, GroupBy::Entity);
        assert_eq!(tl.groups.len(), 2);
        let g = &tl.groups[0];
        assert_eq!(&*g.key.as_ref().unwrap().name, "sh0010");
        assert_eq!(g.planned_start, Some(d("2024-05-27")));
        assert_eq!(g.planned_end, Some(d("2024-06-07")));
        assert_eq!(g.actual_start, Some(d("2024-05-28")));
        assert_eq!(g.actual_end, Some(d("2024-05-30")));
        // 720 minutes each from Monday: done Tuesday.
        assert_eq!(g.forecast_end, Some(d("2024-06-04")));
        assert_eq!(g.progress.done_tasks, 1);
        assert_eq!(g.progress.ratio, 0.25);
        assert_eq!(&*g.tasks[0].name, "layout");
        assert_eq!(g.tasks[1].forecast_start, Some(d("2024-06-03")));
        assert!(tl.groups[1].key.is_none());
        assert!(!tl.groups[1].complete);

        let by_person = timeline(&tasks, &f, GroupBy::Person);
        // Person 10 (two tasks), person 11 (one), nobody (one).
        let sizes: Vec<usize> = by_person.groups.iter().map(|g| g.tasks.len()).collect();
        assert_eq!(sizes, vec![2, 1, 1]);

        let json = serde_json::to_value(&tl).unwrap();
        assert_eq!(json["groups"][0]["planned_start"], "2024-05-27");
        assert_eq!(json["groups"][0]["tasks"][1]["will_slip"], false);
    }
}
