//! Roll-ups of the forecast by project, episode, sequence, task type and
//! person.
//!
//! Policy:
//! * A task without the attribute lands in the row whose key is `null`, so
//!   every grouping adds up to the whole.
//! * By person, a shared task counts once for each assignee, but its
//!   estimate and logged time are split evenly and its remaining work is the
//!   assignee's own share, so minutes still add up to the whole; an open task
//!   nobody is assigned to lands in the `null` row.
//! * `forecast_end` is the latest forecast finish (done date for done tasks);
//!   `complete` says whether every open task had one.
//! * A group's name is taken from its first task in id order; rows are sorted
//!   by name then id, the `null` row last.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::forecast::{paired, Forecast, Ref, TaskForecast, TaskInput, TaskState};
use crate::IdMap;

/// Totals of one group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RollUp {
    pub key: Option<Ref>,
    pub tasks: usize,
    pub done_tasks: usize,
    pub open_tasks: usize,
    pub unassigned_tasks: usize,
    pub estimate_minutes: f64,
    pub logged_minutes: f64,
    pub remaining_minutes: i64,
    pub unscheduled_minutes: i64,
    pub late: usize,
    pub slipping: usize,
    /// Latest due date.
    pub due: Option<NaiveDate>,
    pub forecast_end: Option<NaiveDate>,
    pub complete: bool,
}

impl RollUp {
    fn new(key: Option<Ref>) -> Self {
        RollUp {
            key,
            tasks: 0,
            done_tasks: 0,
            open_tasks: 0,
            unassigned_tasks: 0,
            estimate_minutes: 0.0,
            logged_minutes: 0.0,
            remaining_minutes: 0,
            unscheduled_minutes: 0,
            late: 0,
            slipping: 0,
            due: None,
            forecast_end: None,
            complete: true,
        }
    }

    /// Adds `t` with `fraction` of its estimate and logged time, `remaining`
    /// and `unscheduled` minutes and `finish` as its forecast.
    fn add(
        &mut self,
        t: &TaskInput,
        tf: &TaskForecast,
        fraction: f64,
        remaining: i64,
        unscheduled: i64,
        finish: Option<NaiveDate>,
    ) {
        self.tasks += 1;
        match tf.state {
            TaskState::Done => self.done_tasks += 1,
            TaskState::Open => self.open_tasks += 1,
            TaskState::Unassigned => {
                self.open_tasks += 1;
                self.unassigned_tasks += 1;
            }
        }
        self.estimate_minutes += t.estimate() * fraction;
        self.logged_minutes += t.logged() * fraction;
        self.remaining_minutes += remaining;
        self.unscheduled_minutes += unscheduled;
        self.late += usize::from(tf.late);
        self.slipping += usize::from(tf.will_slip);
        self.due = self.due.max(t.due);
        self.forecast_end = self.forecast_end.max(finish);
        if tf.is_open() && finish.is_none() {
            self.complete = false;
        }
    }
}

/// All roll-ups of a forecast.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RollUps {
    pub project: Vec<RollUp>,
    pub episode: Vec<RollUp>,
    pub sequence: Vec<RollUp>,
    pub task_type: Vec<RollUp>,
    pub person: Vec<RollUp>,
}

/// Rolls `forecast` up by project, episode, sequence, task type and person.
pub fn rollups(tasks: &[TaskInput], forecast: &Forecast) -> RollUps {
    let order = paired(tasks, forecast);

    // One pass for all groupings: each task is read once (a pass per
    // grouping re-reads 150 000 scattered tasks four times).
    let keys: [fn(&TaskInput) -> Option<&Ref>; 4] = [
        |t| t.project.as_ref(),
        |t| t.episode.as_ref(),
        |t| t.sequence.as_ref(),
        |t| t.task_type.as_ref(),
    ];
    let mut groups: [IdMap<Option<Uuid>, RollUp>; 4] = Default::default();
    for (t, tf) in &order {
        let unscheduled = tf.unscheduled_minutes();
        for (rows, key) in groups.iter_mut().zip(keys) {
            let k = key(t);
            rows.entry(k.map(|r| r.id))
                .or_insert_with(|| RollUp::new(k.cloned()))
                .add(
                    t,
                    tf,
                    1.0,
                    tf.remaining_minutes,
                    unscheduled,
                    tf.forecast_finish,
                );
        }
    }

    let mut people: IdMap<Option<Uuid>, RollUp> = IdMap::default();
    for (t, tf) in &order {
        if tf.state == TaskState::Done {
            let who = t.assignee_set();
            let fraction = 1.0 / who.len().max(1) as f64;
            if who.is_empty() {
                people.entry(None).or_insert_with(|| RollUp::new(None)).add(
                    t,
                    tf,
                    1.0,
                    0,
                    0,
                    tf.forecast_finish,
                );
            }
            for p in who {
                people
                    .entry(Some(p))
                    .or_insert_with(|| RollUp::new(Some(person_ref(forecast, p))))
                    .add(t, tf, fraction, 0, 0, tf.forecast_finish);
            }
        } else if tf.shares.is_empty() {
            people.entry(None).or_insert_with(|| RollUp::new(None)).add(
                t,
                tf,
                1.0,
                tf.remaining_minutes,
                0,
                None,
            );
        } else {
            let fraction = 1.0 / tf.shares.len() as f64;
            for s in &tf.shares {
                people
                    .entry(Some(s.person_id))
                    .or_insert_with(|| RollUp::new(Some(person_ref(forecast, s.person_id))))
                    .add(t, tf, fraction, s.minutes, s.unscheduled_minutes, s.finish);
            }
        }
    }

    let [project, episode, sequence, task_type] = groups.map(sorted);
    RollUps {
        project,
        episode,
        sequence,
        task_type,
        person: sorted(people),
    }
}

fn person_ref(forecast: &Forecast, id: Uuid) -> Ref {
    Ref::new(id, forecast.person(id).map_or("", |p| p.name.as_str()))
}

fn sorted(rows: IdMap<Option<Uuid>, RollUp>) -> Vec<RollUp> {
    let mut rows: Vec<RollUp> = rows.into_values().collect();
    rows.sort_by(|a, b| {
        let k = |r: &RollUp| {
            (
                r.key.is_none(),
                r.key.as_ref().map(|k| (k.name.clone(), k.id)),
            )
        };
        k(a).cmp(&k(b))
    });
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Calendar;
    use crate::forecast::{forecast, ScheduleOptions};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    #[test]
    fn groups_add_up() {
        let seq = Ref::new(id(50), "sq010");
        let anim = Ref::new(id(60), "Animation");
        let mut tasks = Vec::new();
        for n in 1..=4u128 {
            tasks.push(TaskInput {
                id: id(n),
                sequence: (n <= 2).then(|| seq.clone()),
                task_type: Some(anim.clone()),
                assignees: match n {
                    1 => vec![id(10)],
                    2 => vec![id(10), id(11)],
                    3 => vec![],
                    _ => vec![id(11)],
                },
                estimate_minutes: 480.0,
                due: Some(d("2024-06-04")),
                status: crate::forecast::StatusFlags {
                    is_done: n == 4,
                    ..Default::default()
                },
                done_at: (n == 4).then(|| d("2024-05-30")),
                ..TaskInput::default()
            });
        }
        let f = forecast(
            &Calendar::default().compile(),
            d("2024-06-03"),
            &tasks,
            &ScheduleOptions::default(),
        );
        let r = rollups(&tasks, &f);
        assert_eq!(r.sequence.len(), 2);
        assert_eq!(&*r.sequence[0].key.as_ref().unwrap().name, "sq010");
        assert_eq!(r.sequence[0].tasks, 2);
        assert_eq!(r.sequence[0].remaining_minutes, 960);
        // Person 10: task 1 on Monday, his half of task 2 on Tuesday.
        assert_eq!(r.sequence[0].forecast_end, Some(d("2024-06-04")));
        assert!(r.sequence[0].complete);
        assert!(r.sequence[1].key.is_none());
        assert!(!r.sequence[1].complete);
        assert_eq!(r.task_type.len(), 1);
        assert_eq!(r.task_type[0].tasks, 4);
        assert_eq!(r.task_type[0].done_tasks, 1);
        assert_eq!(r.task_type[0].unassigned_tasks, 1);
        assert_eq!(r.task_type[0].remaining_minutes, 480 * 3);
        assert_eq!(r.project.len(), 1);
        assert!(r.project[0].key.is_none());

        let people = &r.person;
        assert_eq!(people.len(), 3);
        let total: i64 = people.iter().map(|p| p.remaining_minutes).sum();
        assert_eq!(total, 480 * 3);
        let estimate: f64 = people.iter().map(|p| p.estimate_minutes).sum();
        assert_eq!(estimate, 480.0 * 4.0);
        let p10 = people
            .iter()
            .find(|p| p.key.as_ref().map(|k| k.id) == Some(id(10)))
            .unwrap();
        assert_eq!(p10.tasks, 2);
        assert_eq!(p10.remaining_minutes, 720);
        assert_eq!(p10.forecast_end, Some(d("2024-06-04")));
        assert!(people.last().unwrap().key.is_none());
    }
}
