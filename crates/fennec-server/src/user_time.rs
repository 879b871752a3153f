//! The caller's time (Zou's `user` blueprint, `/data/user/time-spents`)
//! and his desktop logins, with the last presence they move.

use std::collections::HashMap;

use fennec_api::models;
use fennec_store::db::{Db, Exec};
use fennec_store::rows::{self, Row, Select};
use fennec_store::{on, SqlValue, StoreError};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::present::id_of;
use crate::search_filters::column;
use crate::user_context::rows_by_ids;

/// The caller's time spents over a range of days, in creation order, each
/// with its task's production and type.
pub(crate) async fn time_spents_between(
    exec: &mut impl Exec,
    user: &CurrentUser,
    start: chrono::NaiveDate,
    end: chrono::NaiveDate,
) -> ApiResult<Vec<Row>> {
    let sql = "SELECT ts.id, t.project_id, t.task_type_id FROM time_spents ts \
               JOIN tasks t ON t.id = ts.task_id \
               WHERE ts.person_id = $1 AND ts.date BETWEEN $2 AND $3 ORDER BY ts.seq";
    let found: Vec<(Uuid, Uuid, Uuid)> = on!(exec, c => sqlx::query_as(sql)
        .bind(user.id)
        .bind(start)
        .bind(end)
        .fetch_all(&mut *c)
        .await
        .map_err(StoreError::from)?);
    let extra: HashMap<Uuid, (Uuid, Uuid)> =
        found.iter().map(|(id, p, t)| (*id, (*p, *t))).collect();
    let list = rows_by_ids(
        exec,
        &models::TIME_SPENT,
        found.iter().map(|f| f.0).collect(),
    )
    .await?;
    Ok(list
        .into_iter()
        .map(|mut r| {
            if let Some((p, t)) = extra.get(&id_of(&r)) {
                r.insert("project_id".into(), json!(p.to_string()));
                r.insert("task_type_id".into(), json!(t.to_string()));
            }
            r
        })
        .collect())
}

/// A day as Zou's PostgreSQL casts it: ISO (a datetime's day too) or the
/// compact `YYYYMMDD`.
pub(crate) fn day(date: &str) -> ApiResult<chrono::NaiveDate> {
    fennec_api::time::parse_date(date)
        .or_else(|| chrono::NaiveDate::parse_from_str(date, "%Y%m%d").ok())
        .ok_or_else(|| ApiError::bad_request("Wrong date format."))
}

/// The caller's desktop logins, newest first.
pub(crate) async fn desktop_logins(
    exec: &mut impl Exec,
    user: &CurrentUser,
) -> ApiResult<Vec<Row>> {
    let select = Select::default().eq("person_id", SqlValue::Uuid(user.id));
    let mut list = rows::list(exec, &models::DESKTOP_LOGIN_LOG, &select, false).await?;
    // Zou's datetimes sort as their text does; newest first, ties in
    // creation order.
    list.reverse();
    list.sort_by(|a, b| {
        let date = |r: &Row| {
            r.get("date")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned()
        };
        date(b).cmp(&date(a))
    });
    Ok(list)
}

/// A desktop login of the caller at `given` (now when absent or null),
/// then his last presence brought up to date.
pub(crate) async fn record_login(
    db: &Db,
    user: &CurrentUser,
    given: Option<Value>,
) -> ApiResult<Row> {
    let date = match given {
        None | Some(Value::Null) => fennec_api::time::now(),
        Some(Value::String(v)) => fennec_api::time::parse_datetime(&v)
            .ok_or_else(|| ApiError::bad_request("Wrong date format."))?,
        Some(_) => return Err(ApiError::bad_request("Wrong date format.")),
    };
    let mut tx = db.begin().await?;
    let m = &models::DESKTOP_LOGIN_LOG;
    let row = rows::insert(
        &mut tx,
        m,
        vec![
            (column(m, "person_id"), SqlValue::Uuid(user.id)),
            (column(m, "date"), SqlValue::DateTime(date)),
        ],
    )
    .await?;
    update_last_presence(&mut tx, user.id).await?;
    tx.commit().await?;
    Ok(row)
}

/// Zou's `update_person_last_presence`: the later of the last desktop
/// login's day and the last time spent's.
async fn update_last_presence(exec: &mut impl Exec, person: Uuid) -> ApiResult<()> {
    let login: Option<chrono::NaiveDateTime> = on!(exec, c => sqlx::query_scalar(
        "SELECT MAX(date) FROM desktop_login_logs WHERE person_id = $1")
        .bind(person)
        .fetch_one(&mut *c)
        .await
        .map_err(StoreError::from)?);
    let spent: Option<chrono::NaiveDate> = on!(exec, c => sqlx::query_scalar(
        "SELECT MAX(date) FROM time_spents WHERE person_id = $1")
        .bind(person)
        .fetch_one(&mut *c)
        .await
        .map_err(StoreError::from)?);
    let last = [login.map(|d| d.date()), spent].into_iter().flatten().max();
    let value = last.map_or(SqlValue::Null(models::Kind::Date), SqlValue::Date);
    rows::update(
        exec,
        &models::PERSON,
        person,
        vec![(column(&models::PERSON, "last_presence"), value)],
    )
    .await?;
    Ok(())
}
