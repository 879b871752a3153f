//! Builds the scheduler's input for a project from the database: tasks
//! with their hierarchy and status flags, assignments, the studio calendar
//! (organisation hours, work week, holidays), each person's part-time
//! settings and day offs (the assignees' and the people of the departments
//! doing the production's task types), milestones, the project's end date
//! the departments, the casting of its shots and its cast feeds.

use std::collections::HashMap;

use chrono::NaiveDate;
use fennec_api::models;
use fennec_schedule::{
    Calendar, Cast, CastFeed, DateRange, Department, Link, LinkKind, Milestone, MilestoneKind,
    PersonCalendar, Ref, ScheduleInput, ScheduleOptions, Scope, StatusFlags, TaskInput,
};
use fennec_store::db::{Db, Exec};
use fennec_store::rows::{self, Select};
use fennec_store::{schedule as facts, settings, SqlValue};
use serde_json::Value;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::present::uuid_field;

/// The settings key holding the studio calendar (work week, holidays,
/// part-timers) as JSON.
pub const CALENDAR_KEY: &str = "calendar";

/// The studio calendar: stored settings plus the organisation's hours.
pub async fn studio_calendar(exec: &mut impl Exec) -> ApiResult<Calendar> {
    let mut calendar: Calendar = match settings::get(exec, CALENDAR_KEY).await? {
        Some(text) => serde_json::from_str(&text).map_err(ApiError::internal)?,
        None => Calendar::default(),
    };
    let orgs = rows::list(exec, &models::ORGANISATION, &Select::default(), false).await?;
    if let Some(h) = orgs
        .first()
        .and_then(|o| o.get("hours_by_day"))
        .and_then(Value::as_f64)
    {
        calendar.hours_per_day = h;
    }
    Ok(calendar)
}

fn named(n: facts::Named) -> Option<Ref> {
    n.map(|(id, name)| Ref::new(id, name))
}

fn date(dt: Option<chrono::NaiveDateTime>) -> Option<NaiveDate> {
    dt.map(|d| d.date())
}

/// One task's input, its names shared with the other tasks naming them.
fn task_input(t: facts::TaskFacts, project: &Ref) -> TaskInput {
    let kind = t.entity_type.as_ref().map(|(_, n)| &**n).unwrap_or("");
    let (sequence, episode) = match kind {
        "Shot" | "Scene" => (named(t.parent.clone()), named(t.grandparent.clone())),
        "Sequence" => (named(t.entity.clone()), named(t.parent.clone())),
        "Episode" => (None, named(t.entity.clone())),
        _ => (None, None),
    };
    TaskInput {
        id: t.id,
        name: t.name,
        project: Some(project.clone()),
        task_type: named(t.task_type),
        entity: named(t.entity),
        entity_type: named(t.entity_type),
        sequence,
        episode,
        assignees: Vec::new(),
        priority: t.priority,
        estimate_minutes: t.estimation,
        logged_minutes: t.duration,
        start: date(t.start_date),
        due: date(t.due_date),
        real_start: date(t.real_start_date),
        done_at: date(t.done_date),
        status: StatusFlags {
            is_done: t.is_done,
            is_wip: t.is_wip,
            is_retake: t.is_retake,
            is_feedback_request: t.is_feedback_request,
        },
    }
}

/// Gives each task its people: `tasks` in id order, `assignments` sorted
/// by task (then assignment order), walked side by side; pairs of tasks
/// not in `tasks` (other productions', see `project_facts`) are skipped.
fn give_assignees(tasks: &mut [TaskInput], assignments: &[(Uuid, Uuid)]) {
    let mut rest = assignments;
    for t in tasks {
        let from = rest.partition_point(|(task, _)| *task < t.id);
        rest = &rest[from..];
        let n = rest.iter().take_while(|(task, _)| *task == t.id).count();
        t.assignees = rest[..n].iter().map(|(_, p)| *p).collect();
        rest = &rest[n..];
    }
}

/// The whole input for `project` as of `as_of`.
pub async fn project_input(
    exec: &mut impl Exec,
    db: &Db,
    project: &serde_json::Map<String, Value>,
    as_of: NaiveDate,
) -> ApiResult<ScheduleInput> {
    let project_id = uuid_field(project, "id").unwrap_or_default();
    let project_ref = Ref::new(
        project_id,
        project.get("name").and_then(Value::as_str).unwrap_or(""),
    );
    // Sized once: on 150 000 tasks a vector grown by doubling held up to
    // twice the ~50 MB the tasks need.
    let count = facts::project_task_count(exec, project_id).await?;
    let tasks = Vec::with_capacity(count);
    let shared = project_ref.clone();
    let loaded = facts::project_facts(
        exec,
        db.sqlite_reads(),
        project_id,
        tasks,
        move |tasks: &mut Vec<TaskInput>, t| tasks.push(task_input(t, &shared)),
    )
    .await?;
    let mut tasks = loaded.state;
    // Every pass of the analysis reads the tasks in id order: given so,
    // front to back (see `put_in_id_order`).
    fennec_schedule::put_in_id_order(&mut tasks);
    give_assignees(&mut tasks, &loaded.assignments);
    drop(loaded.assignments);

    let task_type_order = facts::task_type_order(exec, project_id).await?;
    let casting = loaded
        .casting
        .into_iter()
        .map(|(shot_id, asset_id)| Cast { shot_id, asset_id })
        .collect();
    let cast_feeds = facts::cast_feeds(exec, project_id).await?.map(|feeds| {
        feeds
            .into_iter()
            .map(|(a, s)| CastFeed {
                asset_task_type_id: a,
                shot_task_type_id: s,
            })
            .collect()
    });
    let links = facts::task_links(exec, project_id)
        .await?
        .into_iter()
        .map(|l| {
            Link::new(
                l.predecessor_id,
                l.successor_id,
                l.lag_days.clamp(0, i64::from(u32::MAX)) as u32,
                LinkKind::Explicit,
            )
        })
        .collect();
    let departments: Vec<Department> = facts::departments(exec)
        .await?
        .into_iter()
        .map(|(id, name, people, task_types)| Department {
            id,
            name,
            people: people.into_iter().map(|(p, n)| Ref::new(p, n)).collect(),
            task_types,
        })
        .collect();
    let mut calendar = studio_calendar(exec).await?;
    let mut people_ids: Vec<Uuid> = tasks.iter().flat_map(|t| t.assignees.clone()).collect();
    // The people of the departments doing this production's task types:
    // unassigned tasks are forecast on their spare time (their day offs and
    // hours count) and remedies hand them work.
    let types: std::collections::HashSet<Uuid> = tasks
        .iter()
        .filter_map(|t| t.task_type.as_ref().map(|r| r.id))
        .collect();
    for d in &departments {
        if d.task_types.iter().any(|t| types.contains(t)) {
            people_ids.extend(d.people.iter().map(|p| p.id));
        }
    }
    people_ids.sort_unstable();
    people_ids.dedup();
    let names: HashMap<Uuid, String> = facts::people(exec, &people_ids)
        .await?
        .into_iter()
        .collect();
    let mut offs: HashMap<Uuid, Vec<DateRange>> = HashMap::new();
    for (person, from, to) in facts::day_offs(exec, &people_ids).await? {
        offs.entry(person)
            .or_default()
            .push(DateRange::new(from, to));
    }
    let mut settings_by_person: HashMap<Uuid, PersonCalendar> = calendar
        .people
        .drain(..)
        .map(|p| (p.person_id, p))
        .collect();
    for id in &people_ids {
        let mut p = settings_by_person
            .remove(id)
            .unwrap_or_else(|| PersonCalendar::new(*id));
        p.name = names.get(id).cloned().unwrap_or_default();
        p.day_offs = offs.remove(id).unwrap_or_default();
        calendar.people.push(p);
    }

    let mut milestones = Vec::new();
    let ms = rows::list(
        exec,
        &models::MILESTONE,
        &Select::default().eq("project_id", SqlValue::Uuid(project_id)),
        false,
    )
    .await?;
    for m in ms {
        let Some(date) = m
            .get("date")
            .and_then(Value::as_str)
            .and_then(fennec_api::time::parse_date)
        else {
            continue;
        };
        let mut scope = Scope::default();
        if let Some(tt) = uuid_field(&m, "task_type_id") {
            scope.task_types.push(tt);
        }
        milestones.push(Milestone {
            name: m
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned(),
            date,
            kind: MilestoneKind::Milestone,
            scope,
        });
    }
    if let Some(end) = project
        .get("end_date")
        .and_then(Value::as_str)
        .and_then(fennec_api::time::parse_date)
    {
        milestones.push(Milestone {
            name: format!("{} end", project_ref.name),
            date: end,
            kind: MilestoneKind::ProjectEnd,
            scope: Scope::default(),
        });
    }
    Ok(ScheduleInput {
        as_of,
        calendar,
        tasks,
        milestones,
        options: ScheduleOptions::default(),
        task_type_order,
        links,
        departments,
        casting,
        cast_feeds,
    })
}

/// The input's tasks found by id: they are in id order (see
/// `fennec_schedule::put_in_id_order`), so a binary search finds one,
/// where a map per request held ~7 MB on 150 000 tasks.
pub struct TasksById<'a> {
    tasks: &'a [TaskInput],
    /// Positions in id order, for an input that is not (a what-if's may
    /// not be).
    order: Option<Vec<u32>>,
}

impl<'a> TasksById<'a> {
    pub fn new(tasks: &'a [TaskInput]) -> Self {
        let order = (!tasks.is_sorted_by_key(|t| t.id)).then(|| {
            let mut order: Vec<u32> = (0..tasks.len() as u32).collect();
            order.sort_by_key(|&i| tasks[i as usize].id);
            order
        });
        TasksById { tasks, order }
    }

    pub fn get(&self, id: &Uuid) -> Option<&'a TaskInput> {
        let tasks = self.tasks;
        match &self.order {
            None => tasks
                .binary_search_by_key(id, |t| t.id)
                .ok()
                .map(|i| &tasks[i]),
            Some(order) => order
                .binary_search_by_key(id, |&i| tasks[i as usize].id)
                .ok()
                .map(|i| &tasks[order[i] as usize]),
        }
    }
}

/// A task's full name for people: episode / sequence / entity / task type
/// (sequences are named alike in every episode).
pub fn task_display_name(t: &TaskInput) -> String {
    FullName(t).to_string()
}

/// [`task_display_name`], written where it is shown: a risks or forecast
/// answer names every task, and a `String` per row was ~10 MB of such an
/// answer's peak on 150 000 tasks.
pub struct FullName<'a>(pub &'a TaskInput);

impl std::fmt::Display for FullName<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let t = self.0;
        let mut first = true;
        for r in [&t.episode, &t.sequence, &t.entity, &t.task_type]
            .into_iter()
            .flatten()
            .filter(|r| !r.name.is_empty())
        {
            if !first {
                f.write_str(" / ")?;
            }
            first = false;
            f.write_str(&r.name)?;
        }
        if first {
            f.write_str(&t.name)?;
        }
        Ok(())
    }
}

impl serde::Serialize for FullName<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}
