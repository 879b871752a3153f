//! Generic reads and writes of any model, producing Zou's JSON.
//!
//! Zou's generic CRUD (`/data/<model>`) filters on any column, matches
//! `name` case-insensitively, returns unpaginated lists in no particular
//! order (insertion order on a fresh database, which Fennec makes explicit
//! with the `seq` column) and paginated ones by `updated_at` descending.

use fennec_api::models::{Column, Kind, Model, Wire};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::db::Exec;
use crate::value::{bind_pg, bind_sqlite, decode_pg, decode_sqlite, SqlValue};
use crate::{on, Result, StoreError};

pub type Row = Map<String, Value>;

#[derive(Clone, Debug)]
pub enum Filter {
    Eq(&'static str, SqlValue),
    In(&'static str, Vec<SqlValue>),
    /// Zou's `ilike` on `name`: the value is a pattern (`%` works).
    ILike(&'static str, String),
    IsNull(&'static str),
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Order {
    /// Creation order.
    #[default]
    Created,
    /// Most recently updated first (Zou's paginated lists).
    UpdatedDesc,
    Name,
}

#[derive(Clone, Debug, Default)]
pub struct Select {
    pub filters: Vec<Filter>,
    pub order: Order,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

impl Select {
    pub fn filter(mut self, f: Filter) -> Self {
        self.filters.push(f);
        self
    }

    pub fn eq(self, column: &'static str, v: SqlValue) -> Self {
        self.filter(Filter::Eq(column, v))
    }
}

struct Sql {
    text: String,
    args: Vec<SqlValue>,
}

impl Sql {
    fn push_arg(&mut self, v: SqlValue) -> String {
        self.args.push(v);
        format!("${}", self.args.len())
    }
}

fn stored_shown(model: &Model) -> Vec<&'static Column> {
    model
        .columns
        .iter()
        .filter(|c| c.wire == Wire::Shown)
        .collect()
}

fn select_list(cols: &[&Column]) -> String {
    cols.iter()
        .map(|c| format!("\"{}\"", c.name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The WHERE clause of `filters` (columns prefixed with `prefix`) and its
/// arguments, for queries built elsewhere in the store.
pub(crate) fn where_sql(filters: &[Filter], sqlite: bool, prefix: &str) -> (String, Vec<SqlValue>) {
    let mut sql = Sql {
        text: String::new(),
        args: vec![],
    };
    where_clause_prefixed(&mut sql, filters, sqlite, prefix);
    (sql.text, sql.args)
}

fn where_clause(sql: &mut Sql, filters: &[Filter], sqlite: bool) {
    where_clause_prefixed(sql, filters, sqlite, "")
}

fn where_clause_prefixed(sql: &mut Sql, filters: &[Filter], sqlite: bool, prefix: &str) {
    let mut parts = Vec::new();
    for f in filters {
        match f {
            Filter::Eq(c, v) if v.is_null() => parts.push(format!("{prefix}\"{c}\" IS NULL")),
            Filter::Eq(c, v) => {
                let p = sql.push_arg(v.clone());
                parts.push(format!("{prefix}\"{c}\" = {p}"));
            }
            Filter::In(c, vs) if vs.is_empty() => {
                let _ = c;
                parts.push("1 = 0".into());
            }
            Filter::In(c, vs) => {
                let ps: Vec<String> = vs.iter().map(|v| sql.push_arg(v.clone())).collect();
                parts.push(format!("{prefix}\"{c}\" IN ({})", ps.join(", ")));
            }
            Filter::ILike(c, pat) => {
                let p = sql.push_arg(SqlValue::Text(pat.clone()));
                // SQLite's LIKE is case-insensitive (for ASCII) already.
                let op = if sqlite { "LIKE" } else { "ILIKE" };
                parts.push(format!("{prefix}\"{c}\" {op} {p}"));
            }
            Filter::IsNull(c) => parts.push(format!("{prefix}\"{c}\" IS NULL")),
        }
    }
    if !parts.is_empty() {
        sql.text.push_str(" WHERE ");
        sql.text.push_str(&parts.join(" AND "));
    }
}

/// Turns decoded column values into the model's wire map: columns in
/// order, computed keys filled, relation lists only when asked, then `type`.
pub fn present(model: &Model, values: Vec<Value>, relations: bool) -> Row {
    let mut values = values.into_iter();
    let mut row = Map::with_capacity(model.columns.len() + 1);
    for c in model.columns {
        match c.wire {
            Wire::Shown => {
                row.insert(c.name.to_owned(), values.next().unwrap_or(Value::Null));
            }
            Wire::Hidden => {}
            Wire::Computed => {
                row.insert(c.name.to_owned(), Value::Null);
            }
            Wire::Relation => {
                if relations {
                    row.insert(c.name.to_owned(), Value::Array(vec![]));
                }
            }
        }
    }
    row.insert("type".into(), Value::String(model.type_name.to_owned()));
    fennec_api::models::finish(model, &mut row);
    row
}

async fn fetch(
    exec: &mut impl Exec,
    model: &Model,
    cols: &[&'static Column],
    sql: Sql,
) -> Result<Vec<Vec<Value>>> {
    let mut out = Vec::new();
    on!(exec, c => {
        let mut q = sqlx::query(&sql.text);
        for a in &sql.args {
            q = bind_any(q, a);
        }
        let rows = q.fetch_all(&mut *c).await?;
        for r in &rows {
            let mut vals = Vec::with_capacity(cols.len());
            for (i, col) in cols.iter().enumerate() {
                vals.push(decode_any(r, i, col.kind)?);
            }
            out.push(vals);
        }
    });
    let _ = model;
    Ok(out)
}

// Dispatch helpers so the `on!` body is the same text for both backends.
pub(crate) trait BindAny<'q>: Sized {
    fn bind_value(self, v: &'q SqlValue) -> Self;
}
impl<'q> BindAny<'q> for sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>> {
    fn bind_value(self, v: &'q SqlValue) -> Self {
        bind_sqlite(self, v)
    }
}
impl<'q> BindAny<'q> for sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments> {
    fn bind_value(self, v: &'q SqlValue) -> Self {
        bind_pg(self, v)
    }
}
pub(crate) fn bind_any<'q, Q: BindAny<'q>>(q: Q, v: &'q SqlValue) -> Q {
    q.bind_value(v)
}

pub trait DecodeAny {
    fn decode_value(&self, idx: usize, kind: Kind) -> Result<Value, sqlx::Error>;
}
impl DecodeAny for sqlx::sqlite::SqliteRow {
    fn decode_value(&self, idx: usize, kind: Kind) -> Result<Value, sqlx::Error> {
        decode_sqlite(self, idx, kind)
    }
}
impl DecodeAny for sqlx::postgres::PgRow {
    fn decode_value(&self, idx: usize, kind: Kind) -> Result<Value, sqlx::Error> {
        decode_pg(self, idx, kind)
    }
}
pub fn decode_any<R: DecodeAny>(r: &R, idx: usize, kind: Kind) -> Result<Value, sqlx::Error> {
    r.decode_value(idx, kind)
}

fn is_sqlite(exec: &mut impl Exec) -> bool {
    matches!(exec.raw(), crate::db::Raw::Sqlite(_))
}

/// Rows of `model` matching `select`, as wire maps.
pub async fn list(
    exec: &mut impl Exec,
    model: &Model,
    select: &Select,
    relations: bool,
) -> Result<Vec<Row>> {
    let cols = stored_shown(model);
    let sqlite = is_sqlite(exec);
    let mut sql = Sql {
        text: format!("SELECT {} FROM {}", select_list(&cols), model.table),
        args: vec![],
    };
    where_clause(&mut sql, &select.filters, sqlite);
    sql.text.push_str(match select.order {
        Order::Created => " ORDER BY seq",
        Order::UpdatedDesc => " ORDER BY updated_at DESC, seq DESC",
        Order::Name => " ORDER BY name, seq",
    });
    if let Some(l) = select.limit {
        sql.text.push_str(&format!(" LIMIT {l}"));
    }
    if let Some(o) = select.offset {
        sql.text.push_str(&format!(" OFFSET {o}"));
    }
    let rows = fetch(exec, model, &cols, sql).await?;
    Ok(rows
        .into_iter()
        .map(|v| present(model, v, relations))
        .collect())
}

pub async fn count(exec: &mut impl Exec, model: &Model, filters: &[Filter]) -> Result<i64> {
    let sqlite = is_sqlite(exec);
    let mut sql = Sql {
        text: format!("SELECT COUNT(*) FROM {}", model.table),
        args: vec![],
    };
    where_clause(&mut sql, filters, sqlite);
    let n: i64 = on!(exec, c => {
        let mut q = sqlx::query_scalar(&sql.text);
        for a in &sql.args {
            q = match_bind_scalar(q, a);
        }
        q.fetch_one(&mut *c).await?
    });
    Ok(n)
}

fn match_bind_scalar<'q, Q: BindScalar<'q>>(q: Q, v: &'q SqlValue) -> Q {
    q.bind_scalar(v)
}

pub(crate) trait BindScalar<'q>: Sized {
    fn bind_scalar(self, v: &'q SqlValue) -> Self;
}

macro_rules! impl_bind_scalar {
    ($db:ty, $args:ty) => {
        impl<'q, O> BindScalar<'q> for sqlx::query::QueryScalar<'q, $db, O, $args> {
            fn bind_scalar(self, v: &'q SqlValue) -> Self {
                bind_value_body!(self, v)
            }
        }
        impl<'q, O> BindAs<'q> for sqlx::query::QueryAs<'q, $db, O, $args> {
            fn bind_as(self, v: &'q SqlValue) -> Self {
                bind_value_body!(self, v)
            }
        }
    };
}
impl_bind_scalar!(sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>);
impl_bind_scalar!(sqlx::Postgres, sqlx::postgres::PgArguments);

pub(crate) trait BindAs<'q>: Sized {
    fn bind_as(self, v: &'q SqlValue) -> Self;
}

pub(crate) fn bind_as<'q, Q: BindAs<'q>>(q: Q, v: &'q SqlValue) -> Q {
    q.bind_as(v)
}

/// One row by id, or `None`.
pub async fn get(
    exec: &mut impl Exec,
    model: &Model,
    id: Uuid,
    relations: bool,
) -> Result<Option<Row>> {
    let select = Select::default().eq("id", SqlValue::Uuid(id));
    Ok(list(exec, model, &select, relations)
        .await?
        .into_iter()
        .next())
}

/// Row `id` and its ancestors through `parent_id`, up to `depth` levels
/// above it (a shot, its sequence, its episode), in one query instead of
/// one per level: each query is a round trip to the database's worker
/// thread or server, and the task views need the whole line. In no
/// particular order; a missing level is simply absent.
pub async fn with_ancestors(
    exec: &mut impl Exec,
    model: &Model,
    id: Uuid,
    depth: usize,
) -> Result<Vec<Row>> {
    let cols = stored_shown(model);
    let mut levels = vec!["$1".to_owned()];
    for _ in 0..depth {
        let below = levels.last().cloned().unwrap_or_default();
        levels.push(format!(
            "(SELECT parent_id FROM {} WHERE id = {below})",
            model.table
        ));
    }
    let sql = Sql {
        text: format!(
            "SELECT {} FROM {} WHERE id IN ({})",
            select_list(&cols),
            model.table,
            levels.join(", ")
        ),
        args: vec![SqlValue::Uuid(id)],
    };
    let rows = fetch(exec, model, &cols, sql).await?;
    Ok(rows.into_iter().map(|v| present(model, v, false)).collect())
}

/// Inserts a row: given values, defaults for the rest; `id`, `created_at`
/// and `updated_at` filled unless given. A required column missing is
/// reported as [`StoreError::Missing`].
/// Refuses a text longer than Zou's column allows (see `max_len`).
fn check_lengths(model: &Model, values: &[(&'static Column, SqlValue)]) -> Result<()> {
    for (c, v) in values {
        if let (SqlValue::Text(s), Some(n)) = (v, fennec_api::models::max_len(model.table, c.name))
        {
            if s.chars().count() > n {
                return Err(StoreError::InvalidValue {
                    field: c.name.to_owned(),
                    value: format!("{} characters (at most {n})", s.chars().count()),
                });
            }
        }
    }
    Ok(())
}

pub async fn insert(
    exec: &mut impl Exec,
    model: &Model,
    given: Vec<(&'static Column, SqlValue)>,
) -> Result<Row> {
    check_lengths(model, &given)?;
    let now = fennec_api::time::now();
    let mut names = Vec::new();
    let mut sql = Sql {
        text: String::new(),
        args: vec![],
    };
    let mut placeholders = Vec::new();
    for c in model.stored_columns() {
        let v = match given.iter().find(|(g, _)| g.name == c.name) {
            Some((_, v)) => v.clone(),
            None => match c.name {
                "id" => SqlValue::Uuid(Uuid::new_v4()),
                "created_at" | "updated_at" => SqlValue::DateTime(now),
                _ => SqlValue::default_for(c),
            },
        };
        if c.required && v.is_null() {
            return Err(StoreError::Missing(c.name.to_owned()));
        }
        names.push(format!("\"{}\"", c.name));
        placeholders.push(sql.push_arg(v));
    }
    let cols = stored_shown(model);
    sql.text = format!(
        "INSERT INTO {} ({}) VALUES ({}) RETURNING {}",
        model.table,
        names.join(", "),
        placeholders.join(", "),
        select_list(&cols)
    );
    let mut rows = fetch(exec, model, &cols, sql).await?;
    let values = rows.pop().ok_or(StoreError::NotFound)?;
    Ok(present(model, values, false))
}

/// Updates the given columns of row `id` (and `updated_at`); `None` when
/// there is no such row.
pub async fn update(
    exec: &mut impl Exec,
    model: &Model,
    id: Uuid,
    changes: Vec<(&'static Column, SqlValue)>,
) -> Result<Option<Row>> {
    check_lengths(model, &changes)?;
    let identity = model.table == "persons"
        && crate::identity_changes::person_columns_matter(changes.iter().map(|(c, _)| c.name));
    let mut sql = Sql {
        text: String::new(),
        args: vec![],
    };
    let mut sets = Vec::new();
    for (c, v) in changes {
        if matches!(c.name, "id" | "created_at" | "updated_at") || !c.is_stored() {
            continue;
        }
        let p = sql.push_arg(v);
        sets.push(format!("\"{}\" = {p}", c.name));
    }
    let p = sql.push_arg(SqlValue::DateTime(fennec_api::time::now()));
    sets.push(format!("updated_at = {p}"));
    let pid = sql.push_arg(SqlValue::Uuid(id));
    let cols = stored_shown(model);
    sql.text = format!(
        "UPDATE {} SET {} WHERE id = {pid} RETURNING {}",
        model.table,
        sets.join(", "),
        select_list(&cols)
    );
    let mut rows = fetch(exec, model, &cols, sql).await?;
    if identity {
        exec.identities_changed();
    }
    Ok(rows.pop().map(|v| present(model, v, false)))
}

/// Deletes row `id`; false when there was none.
pub async fn delete(exec: &mut impl Exec, model: &Model, id: Uuid) -> Result<bool> {
    let sql = format!("DELETE FROM {} WHERE id = $1", model.table);
    let n = on!(exec, c => sqlx::query(&sql).bind(id).execute(&mut *c).await?.rows_affected());
    if n > 0 && model.table == "persons" {
        exec.identities_changed();
    }
    Ok(n > 0)
}
