//! What Zou's quotas (`quotas_service`) count, read in two set-based
//! queries: the time spent on a production's shot tasks that reached
//! feedback (or approval), and those tasks' assignees. The arithmetic that
//! turns them into frames per day, week, month and year is the server's.
//!
//! Policy: rows come back in date order, so the day keys Zou's answer
//! builds in row order read chronologically (Zou's own order is the
//! database's, unspecified).

use chrono::{NaiveDate, NaiveDateTime};
use sqlx::Row as _;
use uuid::Uuid;

use crate::db::Exec;
use crate::{on, Result};

/// Which tasks a quota counts: a production's shot tasks, narrowed as
/// Zou's quota routes narrow them.
#[derive(Clone, Copy, Debug)]
pub struct QuotaScope {
    pub project: Uuid,
    pub task_type: Option<Uuid>,
    /// A person's quotas: their time spents, or the tasks they are
    /// assigned to.
    pub person: Option<Uuid>,
    /// Tasks with at least one assignee of this studio.
    pub studio: Option<Uuid>,
    /// Counted at the feedback request (`end_date`), else at the approval
    /// (`done_date`).
    pub feedback: bool,
}

/// One time spent on a counted task.
#[derive(Clone, Debug)]
pub struct SpentRow {
    pub task_type_id: Option<Uuid>,
    pub task_duration: f64,
    pub nb_drawings: Option<i64>,
    pub nb_frames: Option<i64>,
    pub date: NaiveDate,
    pub duration: f64,
    pub person_id: Uuid,
}

/// One assignee of a counted task.
#[derive(Clone, Debug)]
pub struct AssigneeRow {
    pub task_type_id: Option<Uuid>,
    pub nb_drawings: Option<i64>,
    pub nb_frames: Option<i64>,
    pub real_start_date: Option<NaiveDateTime>,
    /// The feedback or approval date, whichever the scope counts at.
    pub end: NaiveDateTime,
    pub person_id: Uuid,
}

/// The shared FROM and WHERE of both queries, with its arguments.
struct Where {
    sql: String,
    args: Vec<Uuid>,
}

impl Where {
    fn arg(&mut self, id: Uuid) -> String {
        self.args.push(id);
        format!("${}", self.args.len())
    }

    fn new(scope: &QuotaScope, end: &str) -> Where {
        let mut w = Where {
            sql: String::new(),
            args: vec![],
        };
        let project = w.arg(scope.project);
        w.sql = format!(
            " FROM tasks t JOIN entities e ON e.id = t.entity_id \
              JOIN entity_types et ON et.id = e.entity_type_id \
              WHERE et.name = 'Shot' AND t.project_id = {project} AND t.{end} IS NOT NULL"
        );
        if let Some(tt) = scope.task_type {
            let p = w.arg(tt);
            w.sql.push_str(&format!(" AND t.task_type_id = {p}"));
        }
        if let Some(studio) = scope.studio {
            let p = w.arg(studio);
            w.sql.push_str(&format!(
                " AND EXISTS (SELECT 1 FROM assignations sa JOIN persons sp ON sp.id = sa.person_id \
                  WHERE sa.task_id = t.id AND sp.studio_id = {p})"
            ));
        }
        w
    }
}

fn end_column(scope: &QuotaScope) -> &'static str {
    if scope.feedback {
        "end_date"
    } else {
        "done_date"
    }
}

/// Time spents on the counted tasks (a person's own when the scope names
/// one), whoever is assigned.
pub async fn spent_rows(exec: &mut impl Exec, scope: &QuotaScope) -> Result<Vec<SpentRow>> {
    let mut w = Where::new(scope, end_column(scope));
    let mut sql = format!(
        "SELECT t.task_type_id, t.duration, t.nb_drawings, e.nb_frames, ts.date, ts.duration, \
         ts.person_id{} ",
        w.sql.replacen(
            " WHERE ",
            " JOIN time_spents ts ON ts.task_id = t.id WHERE ",
            1
        )
    );
    if let Some(person) = scope.person {
        let p = w.arg(person);
        sql.push_str(&format!(" AND ts.person_id = {p}"));
    }
    sql.push_str(" ORDER BY ts.date, t.id, ts.person_id");
    let rows = on!(exec, c => {
        let mut q = sqlx::query(&sql);
        for a in &w.args {
            q = q.bind(*a);
        }
        let rows = q.fetch_all(&mut *c).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push(SpentRow {
                task_type_id: r.try_get(0)?,
                task_duration: r.try_get::<Option<f64>, _>(1)?.unwrap_or(0.0),
                nb_drawings: r.try_get(2)?,
                nb_frames: r.try_get(3)?,
                date: r.try_get(4)?,
                duration: r.try_get(5)?,
                person_id: r.try_get(6)?,
            });
        }
        out
    });
    Ok(rows)
}

/// The counted tasks, one row per assignee. With `without_time_spent`,
/// only the started tasks nobody logged time on (Zou's weighted quotas
/// spread those over their days in progress). A person's scope keeps the
/// tasks they are assigned to, still with a row for each assignee, as
/// Zou's query does.
pub async fn assignee_rows(
    exec: &mut impl Exec,
    scope: &QuotaScope,
    without_time_spent: bool,
) -> Result<Vec<AssigneeRow>> {
    let end = end_column(scope);
    let mut w = Where::new(scope, end);
    let mut sql = format!(
        "SELECT t.task_type_id, t.nb_drawings, e.nb_frames, t.real_start_date, t.{end}, a.person_id{}",
        w.sql.replacen(
            " WHERE ",
            " JOIN assignations a ON a.task_id = t.id WHERE ",
            1
        )
    );
    if without_time_spent {
        sql.push_str(
            " AND t.real_start_date IS NOT NULL \
             AND NOT EXISTS (SELECT 1 FROM time_spents nts WHERE nts.task_id = t.id)",
        );
    }
    if let Some(person) = scope.person {
        let p = w.arg(person);
        sql.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM assignations pa WHERE pa.task_id = t.id AND pa.person_id = {p})"
        ));
    }
    sql.push_str(&format!(" ORDER BY t.{end}, t.id, a.seq"));
    let rows = on!(exec, c => {
        let mut q = sqlx::query(&sql);
        for a in &w.args {
            q = q.bind(*a);
        }
        let rows = q.fetch_all(&mut *c).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push(AssigneeRow {
                task_type_id: r.try_get(0)?,
                nb_drawings: r.try_get(1)?,
                nb_frames: r.try_get(2)?,
                real_start_date: r.try_get(3)?,
                end: r.try_get(4)?,
                person_id: r.try_get(5)?,
            });
        }
        out
    });
    Ok(rows)
}

/// A production's fps as Zou reads it (`float(project["fps"] or "25.00")`);
/// None when the production does not exist.
pub async fn project_fps(exec: &mut impl Exec, project: Uuid) -> Result<Option<f64>> {
    let row: Option<(Option<String>,)> = on!(exec, c => sqlx::query_as(
        "SELECT fps FROM projects WHERE id = $1")
        .bind(project).fetch_optional(&mut *c).await?);
    Ok(row.map(|(fps,)| {
        fps.filter(|s| !s.trim().is_empty())
            .and_then(|s| s.trim().parse::<f64>().ok())
            .unwrap_or(25.0)
    }))
}

/// A person's timezone setting, if the person exists.
pub async fn person_timezone(exec: &mut impl Exec, person: Uuid) -> Result<Option<Option<String>>> {
    let row: Option<(Option<String>,)> = on!(exec, c => sqlx::query_as(
        "SELECT timezone FROM persons WHERE id = $1")
        .bind(person).fetch_optional(&mut *c).await?);
    Ok(row.map(|(tz,)| tz))
}
