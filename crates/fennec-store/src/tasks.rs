//! Task writes that must stay consistent under concurrency: time spents
//! and the task `duration` that sums them.

use chrono::NaiveDate;
use fennec_api::models::{self, Column, Wire};
use uuid::Uuid;

use crate::db::{Exec, Raw};
use crate::rows::{present, Row};
use crate::{on, Result, StoreError};

/// Serialises writers of one task: on PostgreSQL a row lock held until the
/// transaction ends; SQLite's `BEGIN IMMEDIATE` already serialises writers.
pub async fn lock_task(exec: &mut impl Exec, task_id: Uuid) -> Result<bool> {
    let found = match exec.raw() {
        Raw::Postgres(c) => sqlx::query("SELECT id FROM tasks WHERE id = $1 FOR UPDATE")
            .bind(task_id)
            .fetch_optional(c)
            .await?
            .is_some(),
        Raw::Sqlite(c) => sqlx::query("SELECT id FROM tasks WHERE id = $1")
            .bind(task_id)
            .fetch_optional(c)
            .await?
            .is_some(),
    };
    Ok(found)
}

/// Locks task `task_id` for the rest of the transaction, for callers that
/// read the task next anyway (and answer 404 when it is missing). On
/// PostgreSQL that is [`lock_task`]'s `FOR UPDATE`; on SQLite the
/// transaction already holds the database's write lock (`BEGIN
/// IMMEDIATE`), so the existence check [`lock_task`] makes there would be
/// a round trip to sqlx's worker thread for nothing.
pub async fn lock_for_update(exec: &mut impl Exec, task_id: Uuid) -> Result<()> {
    if matches!(exec.raw(), Raw::Postgres(_)) {
        lock_task(exec, task_id).await?;
    }
    Ok(())
}

/// Adds `minutes` to (or, with `replace`, sets) the time spent of a person
/// on a task and day — one row per (task, person, day) — then recomputes the
/// task's duration. Call inside a transaction after [`lock_task`].
pub async fn upsert_time_spent(
    exec: &mut impl Exec,
    task_id: Uuid,
    person_id: Uuid,
    date: NaiveDate,
    minutes: f64,
    replace: bool,
) -> Result<Row> {
    let now = fennec_api::time::now();
    let update = if replace {
        "excluded.duration"
    } else {
        "time_spents.duration + excluded.duration"
    };
    let cols: Vec<&Column> = models::TIME_SPENT
        .columns
        .iter()
        .filter(|c| c.wire == Wire::Shown)
        .collect();
    let list = cols
        .iter()
        .map(|c| format!("\"{}\"", c.name))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "INSERT INTO time_spents (id, duration, date, task_id, person_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) \
         ON CONFLICT (task_id, person_id, date) DO UPDATE SET duration = {update}, updated_at = $6 \
         RETURNING {list}"
    );
    let values = on!(exec, c => {
        let row = sqlx::query(&sql)
            .bind(Uuid::new_v4())
            .bind(minutes)
            .bind(date)
            .bind(task_id)
            .bind(person_id)
            .bind(now)
            .fetch_one(&mut *c)
            .await?;
        let mut vals = Vec::with_capacity(cols.len());
        for (i, col) in cols.iter().enumerate() {
            vals.push(crate::rows::decode_any(&row, i, col.kind)?);
        }
        vals
    });
    recompute_duration(exec, task_id).await?;
    // Zou's `last_presence`: the person's most recent day with time logged.
    let sql = "UPDATE persons SET last_presence = \
               (SELECT MAX(date) FROM time_spents WHERE person_id = $1) WHERE id = $1";
    on!(exec, c => sqlx::query(sql).bind(person_id).execute(&mut *c).await?.rows_affected());
    Ok(present(&models::TIME_SPENT, values, false))
}

/// The task's `duration` is always the sum of its time spents.
pub async fn recompute_duration(exec: &mut impl Exec, task_id: Uuid) -> Result<()> {
    let sql = "UPDATE tasks SET duration = (SELECT COALESCE(SUM(duration), 0) FROM time_spents \
               WHERE task_id = $1), updated_at = $2 WHERE id = $1";
    let now = fennec_api::time::now();
    let n = on!(exec, c => sqlx::query(sql).bind(task_id).bind(now).execute(&mut *c).await?.rows_affected());
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Ids of the tasks assigned to `person`.
pub async fn task_ids_for_person(exec: &mut impl Exec, person: Uuid) -> Result<Vec<Uuid>> {
    let sql = "SELECT task_id FROM assignations WHERE person_id = $1 ORDER BY seq";
    Ok(on!(exec, c => sqlx::query_scalar(sql).bind(person).fetch_all(&mut *c).await?))
}

/// The tasks of one production in the order of Zou's open-task list:
/// episode, sequence (an entity's grandparent and parent), entity type,
/// entity and task type names. Zou sorts in PostgreSQL, where missing names
/// come last; SQLite is told so.
pub async fn task_ids_in_open_list_order(exec: &mut impl Exec, project: Uuid) -> Result<Vec<Uuid>> {
    let sql = "SELECT t.id FROM tasks t \
               JOIN entities e ON e.id = t.entity_id \
               JOIN entity_types et ON et.id = e.entity_type_id \
               JOIN task_types tt ON tt.id = t.task_type_id \
               LEFT JOIN entities s ON s.id = e.parent_id \
               LEFT JOIN entities ep ON ep.id = s.parent_id \
               WHERE t.project_id = $1 \
               ORDER BY ep.name IS NULL, ep.name, s.name IS NULL, s.name, et.name, e.name, tt.name";
    Ok(on!(exec, c => sqlx::query_scalar(sql).bind(project).fetch_all(&mut *c).await?))
}
