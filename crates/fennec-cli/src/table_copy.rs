//! Table-by-table copy into a Fennec database, shared by `fennec
//! import-zou` (from Zou's PostgreSQL) and `fennec db-copy` (from another
//! Fennec database).
//!
//! Policy: the caller decides *what* goes where (a [`Plan`] per target
//! table: the source table, and per column the target name, the source's
//! SELECT expression and the kind); this module decides *how*, once for
//! both commands: tables in the order the target's foreign keys ask for,
//! keys that order cannot honour (a table pointing at itself, a cycle
//! such as an entity's preview file, whose task points at the entity)
//! written after every row is in, rows streamed from the source and
//! inserted in batches, a progress report per table, and the target's
//! sequences moved past the copied values. The whole copy runs in the one
//! target transaction the caller hands in, so a failure anywhere leaves
//! the target as it was; the source is read in one snapshot the caller
//! opened read-only.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::str::FromStr;

use anyhow::{bail, Context};
use fennec_api::models::Kind;
use fennec_store::value::{bind_pg, bind_sqlite};
use fennec_store::{SqlValue, Tx};
use futures_util::TryStreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use sqlx::postgres::{PgConnectOptions, PgRow};
use sqlx::sqlite::SqliteRow;
use sqlx::{ConnectOptions, Connection, PgConnection, Row as _, SqliteConnection};
use uuid::Uuid;

/// What the caller sees of the copy as it goes.
pub trait Progress {
    fn table_started(&mut self, table: &str, rows: u64);
    fn rows_done(&mut self, rows: u64);
    fn table_finished(&mut self);
}

/// One column of a [`Plan`].
#[derive(Clone, Debug)]
pub struct PlanColumn {
    /// The target's column.
    pub target: String,
    /// What the source's SELECT reads for it.
    pub expr: String,
    /// The kind the value travels as.
    pub kind: Kind,
}

/// One target table and where its rows come from.
#[derive(Clone, Debug)]
pub struct Plan {
    pub target: String,
    pub source: String,
    pub columns: Vec<PlanColumn>,
    pub has_id: bool,
    /// The source's ORDER BY: creation order, which Fennec's `seq` keeps.
    pub order_by: String,
}

/// A target table once copied.
#[derive(Clone, Debug)]
pub struct Copied {
    pub target: String,
    pub source: String,
    pub read: u64,
    pub written: u64,
}

/// The source snapshot, on either backend.
pub enum Source<'a> {
    Sqlite(&'a mut SqliteConnection),
    Postgres(&'a mut PgConnection),
}

impl Source<'_> {
    pub async fn count(&mut self, table: &str) -> anyhow::Result<i64> {
        let sql = format!("SELECT count(*) FROM \"{table}\"");
        Ok(match self {
            Source::Sqlite(c) => sqlx::query_scalar(&sql).fetch_one(&mut **c).await?,
            Source::Postgres(c) => sqlx::query_scalar(&sql).fetch_one(&mut **c).await?,
        })
    }
}

/// A PostgreSQL connection on which every transaction is a read-only
/// repeatable-read snapshot: the source is never written, whatever runs.
pub async fn open_pg_read_only(url: &str) -> anyhow::Result<PgConnection> {
    let opts = PgConnectOptions::from_str(url)
        .context("reading the --from URL")?
        .disable_statement_logging();
    let mut c = PgConnection::connect_with(&opts)
        .await
        .context("connecting to the --from database")?;
    sqlx::query(
        "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY",
    )
    .execute(&mut c)
    .await?;
    Ok(c)
}

/// The kind a PostgreSQL column's values travel as, by its `udt_name`.
pub fn pg_kind(udt: &str) -> Option<Kind> {
    Some(match udt {
        "uuid" => Kind::Uuid,
        "varchar" | "text" | "bpchar" | "bytea" => Kind::Text,
        "bool" => Kind::Bool,
        "int2" | "int4" | "int8" => Kind::Int,
        "float4" | "float8" | "numeric" => Kind::Float,
        "timestamp" | "timestamptz" => Kind::DateTime,
        "date" => Kind::Date,
        "json" | "jsonb" | "_varchar" | "_text" | "_bytea" | "_jsonb" | "_uuid" => Kind::Json,
        _ => return None,
    })
}

/// The SELECT expression that reads a PostgreSQL column as its
/// [`pg_kind`] (sqlx decodes only the exact type: `int4` is not an `i64`).
pub fn pg_read_expr(column: &str, udt: &str) -> String {
    let q = format!("\"{column}\"");
    match udt {
        // Zou keeps bcrypt hashes as bytes; Fennec as their text.
        "bytea" => format!("convert_from({q}, 'UTF8')"),
        "int2" | "int4" => format!("{q}::bigint"),
        "float4" | "numeric" => format!("{q}::float8"),
        "json" => format!("{q}::jsonb"),
        // Recovery-code hashes: a JSON list of their text, as Fennec keeps them.
        "_bytea" => format!("(SELECT jsonb_agg(convert_from(x, 'UTF8')) FROM unnest({q}) AS x)"),
        u if u.starts_with('_') => format!("to_jsonb({q})"),
        "timestamptz" => format!("({q} AT TIME ZONE 'UTC')"),
        _ => q,
    }
}

/// The kind of a SQLite column by its declared type, as Fennec's SQLite
/// migrations write them. A datetime, a date or JSON is declared TEXT
/// there, so between two SQLite databases it travels as the text it is.
pub fn sqlite_kind(declared: &str) -> Option<Kind> {
    Some(match declared.to_ascii_uppercase().as_str() {
        "BLOB" => Kind::Uuid,
        "TEXT" => Kind::Text,
        "INTEGER" => Kind::Int,
        "REAL" => Kind::Float,
        "BOOLEAN" => Kind::Bool,
        _ => return None,
    })
}

macro_rules! decode_fn {
    ($name:ident, $row:ty) => {
        fn $name(row: &$row, i: usize, kind: Kind) -> Result<SqlValue, sqlx::Error> {
            use chrono::{NaiveDate, NaiveDateTime};
            Ok(match kind {
                Kind::Uuid => row
                    .try_get::<Option<Uuid>, _>(i)?
                    .map_or(SqlValue::Null(kind), SqlValue::Uuid),
                Kind::Text => row
                    .try_get::<Option<String>, _>(i)?
                    .map_or(SqlValue::Null(kind), SqlValue::Text),
                Kind::Bool => row
                    .try_get::<Option<bool>, _>(i)?
                    .map_or(SqlValue::Null(kind), SqlValue::Bool),
                Kind::Int => row
                    .try_get::<Option<i64>, _>(i)?
                    .map_or(SqlValue::Null(kind), SqlValue::Int),
                Kind::Float => row
                    .try_get::<Option<f64>, _>(i)?
                    .map_or(SqlValue::Null(kind), SqlValue::Float),
                Kind::DateTime => row
                    .try_get::<Option<NaiveDateTime>, _>(i)?
                    .map_or(SqlValue::Null(kind), SqlValue::DateTime),
                Kind::Date => row
                    .try_get::<Option<NaiveDate>, _>(i)?
                    .map_or(SqlValue::Null(kind), SqlValue::Date),
                Kind::Json => row
                    .try_get::<Option<sqlx::types::Json<serde_json::Value>>, _>(i)?
                    .map_or(SqlValue::Null(kind), |j| SqlValue::Json(j.0)),
            })
        }
    };
}

decode_fn!(decode_sqlite, SqliteRow);
decode_fn!(decode_pg, PgRow);

/// The target's tables with their columns (name, declared type on SQLite,
/// `udt_name` on PostgreSQL), and its foreign keys (table, column, table).
pub struct TargetSchema {
    pub tables: BTreeMap<String, Vec<(String, String)>>,
    pub keys: Vec<(String, String, String)>,
}

pub async fn target_schema(tx: &mut Tx) -> anyhow::Result<TargetSchema> {
    let mut tables: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    let mut keys = Vec::new();
    match tx {
        Tx::Sqlite(c, ..) => {
            let names: Vec<(String,)> = sqlx::query_as(
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%'",
            )
            .fetch_all(&mut **c)
            .await?;
            for (t,) in names {
                let cols: Vec<(String, String)> =
                    sqlx::query_as("SELECT name, type FROM pragma_table_info(?1)")
                        .bind(&t)
                        .fetch_all(&mut **c)
                        .await?;
                let fks: Vec<(String, String)> =
                    sqlx::query_as("SELECT \"from\", \"table\" FROM pragma_foreign_key_list(?1)")
                        .bind(&t)
                        .fetch_all(&mut **c)
                        .await?;
                for (col, to) in fks {
                    keys.push((t.clone(), col, to));
                }
                tables.insert(t, cols);
            }
        }
        Tx::Postgres(c, _) => {
            tables = pg_tables(c).await?;
            keys = sqlx::query_as(
                "SELECT c.conrelid::regclass::text, a.attname::text, c.confrelid::regclass::text \
                 FROM pg_constraint c JOIN pg_attribute a \
                   ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey) \
                 WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace",
            )
            .fetch_all(&mut **c)
            .await?;
            for k in &mut keys {
                k.0 = k.0.trim_matches('"').to_owned();
                k.2 = k.2.trim_matches('"').to_owned();
            }
        }
    }
    Ok(TargetSchema { tables, keys })
}

/// A PostgreSQL database's tables in its current schema, with each
/// column's `udt_name`, in column order (sqlx's own table left out).
pub async fn pg_tables(
    c: &mut PgConnection,
) -> anyhow::Result<BTreeMap<String, Vec<(String, String)>>> {
    let cols: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, udt_name::text \
         FROM information_schema.columns WHERE table_schema = current_schema() \
         AND table_name NOT LIKE '\\_sqlx%' ORDER BY table_name, ordinal_position",
    )
    .fetch_all(&mut *c)
    .await?;
    let mut tables: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for (t, col, ty) in cols {
        tables.entry(t).or_default().push((col, ty));
    }
    Ok(tables)
}

/// The target's tables that hold rows, with their counts.
pub async fn tables_with_rows(tx: &mut Tx, tables: &[String]) -> anyhow::Result<Vec<String>> {
    let mut present = Vec::new();
    for t in tables {
        let n = count(tx, t).await?;
        if n > 0 {
            present.push(format!("{t} ({n})"));
        }
    }
    Ok(present)
}

pub async fn count(tx: &mut Tx, table: &str) -> anyhow::Result<i64> {
    let sql = format!("SELECT count(*) FROM \"{table}\"");
    Ok(match tx {
        Tx::Sqlite(c, ..) => sqlx::query_scalar(&sql).fetch_one(&mut **c).await?,
        Tx::Postgres(c, _) => sqlx::query_scalar(&sql).fetch_one(&mut **c).await?,
    })
}

/// Tables in an order the foreign keys accept; the keys that cannot be
/// honoured by order (self keys, cycles) are returned to be written last.
fn insertion_order(
    tables: &[String],
    keys: &[(String, String, String)],
) -> (Vec<String>, BTreeSet<(String, String)>) {
    let set: BTreeSet<&String> = tables.iter().collect();
    let mut deferred = BTreeSet::new();
    let mut placed: Vec<String> = Vec::new();
    let mut left: BTreeSet<String> = tables.iter().cloned().collect();
    while !left.is_empty() {
        let waiting = |t: &String, placed: &Vec<String>| -> usize {
            keys.iter()
                .filter(|(from, _, to)| {
                    from == t && to != t && set.contains(to) && !placed.contains(to)
                })
                .count()
        };
        let next = left
            .iter()
            .min_by_key(|t| waiting(t, &placed))
            .cloned()
            .expect("left is not empty");
        for (from, col, to) in keys {
            if from == &next && (to == &next || (set.contains(to) && !placed.contains(to))) {
                deferred.insert((from.clone(), col.clone()));
            }
        }
        left.remove(&next);
        placed.push(next);
    }
    (placed, deferred)
}

/// Copies every planned table from `src` into `tx` (the caller commits).
/// With `merge`, a row whose key is taken is skipped, and a deferred key
/// only fills a column still empty.
pub async fn copy_tables(
    src: &mut Source<'_>,
    tx: &mut Tx,
    plans: &[Plan],
    keys: &[(String, String, String)],
    merge: bool,
    progress: &mut dyn Progress,
) -> anyhow::Result<Vec<Copied>> {
    let names: Vec<String> = plans.iter().map(|p| p.target.clone()).collect();
    let (order, deferred) = insertion_order(&names, keys);
    let by_name: HashMap<&str, usize> = plans
        .iter()
        .enumerate()
        .map(|(i, p)| (p.target.as_str(), i))
        .collect();
    let mut copied = Vec::new();
    // (table, column index, id, value) written once every row is in.
    let mut later: Vec<(usize, usize, Uuid, SqlValue)> = Vec::new();
    for name in &order {
        let pi = by_name[name.as_str()];
        let plan = &plans[pi];
        let late: Vec<usize> = plan
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| deferred.contains(&(plan.target.clone(), c.target.clone())))
            .map(|(i, _)| i)
            .collect();
        if !late.is_empty() && !plan.has_id {
            bail!(
                "{}: a key needs a deferred write but the table has no id",
                plan.target
            );
        }
        let total = src.count(&plan.source).await?;
        progress.table_started(&plan.target, total as u64);
        let mut sink = Sink {
            tx: &mut *tx,
            plan,
            pi,
            late,
            merge,
            batch: Vec::new(),
            batch_rows: (30_000 / plan.columns.len().max(1)).clamp(1, 500),
            later: &mut later,
            progress: &mut *progress,
            written: 0,
        };
        copy_table(src, &mut sink)
            .await
            .with_context(|| format!("copying {} into {}", plan.source, plan.target))?;
        let written = sink.written;
        progress.table_finished();
        copied.push(Copied {
            target: plan.target.clone(),
            source: plan.source.clone(),
            read: total as u64,
            written,
        });
    }
    for (pi, ci, id, value) in &later {
        let plan = &plans[*pi];
        let col = &plan.columns[*ci].target;
        let guard = if merge {
            format!(" AND \"{col}\" IS NULL")
        } else {
            String::new()
        };
        let sql = format!(
            "UPDATE \"{}\" SET \"{col}\" = $1 WHERE id = $2{guard}",
            plan.target
        );
        let id = SqlValue::Uuid(*id);
        match &mut *tx {
            Tx::Sqlite(c, ..) => {
                bind_sqlite(bind_sqlite(sqlx::query(&sql), value), &id)
                    .execute(&mut **c)
                    .await?;
            }
            Tx::Postgres(c, _) => {
                bind_pg(bind_pg(sqlx::query(&sql), value), &id)
                    .execute(&mut **c)
                    .await?;
            }
        }
    }
    advance_sequences(tx, plans).await?;
    Ok(copied)
}

/// A PostgreSQL sequence (`seq BIGSERIAL`, the event log's) hands out its
/// next value regardless of what was inserted explicitly: after copying a
/// column it feeds, it is moved past the largest copied value, or the
/// server's next insert would clash. SQLite's rowid and AUTOINCREMENT
/// counters follow explicit values by themselves.
async fn advance_sequences(tx: &mut Tx, plans: &[Plan]) -> anyhow::Result<()> {
    let Tx::Postgres(c, _) = tx else {
        return Ok(());
    };
    for plan in plans {
        for col in &plan.columns {
            let sequence: Option<String> =
                sqlx::query_scalar("SELECT pg_get_serial_sequence($1, $2)")
                    .bind(format!("\"{}\"", plan.target))
                    .bind(&col.target)
                    .fetch_one(&mut **c)
                    .await?;
            let Some(sequence) = sequence else { continue };
            let sql = format!(
                "SELECT setval($1::regclass, max(\"{}\")) FROM \"{}\" HAVING max(\"{}\") IS NOT NULL",
                col.target, plan.target, col.target
            );
            sqlx::query(&sql).bind(&sequence).execute(&mut **c).await?;
        }
    }
    Ok(())
}

/// Where one table's rows go: batched inserts, deferred keys set aside.
struct Sink<'a> {
    tx: &'a mut Tx,
    plan: &'a Plan,
    pi: usize,
    /// Columns whose value waits for every table to be in.
    late: Vec<usize>,
    merge: bool,
    batch: Vec<Vec<SqlValue>>,
    batch_rows: usize,
    later: &'a mut Vec<(usize, usize, Uuid, SqlValue)>,
    progress: &'a mut dyn Progress,
    written: u64,
}

impl Sink<'_> {
    async fn push(&mut self, mut values: Vec<SqlValue>) -> anyhow::Result<()> {
        if !self.late.is_empty() {
            let id = self
                .plan
                .columns
                .iter()
                .position(|c| c.target == "id")
                .and_then(|i| match values[i] {
                    SqlValue::Uuid(id) => Some(id),
                    _ => None,
                });
            if let Some(id) = id {
                for &ci in &self.late {
                    if !values[ci].is_null() {
                        let kind = self.plan.columns[ci].kind;
                        let v = std::mem::replace(&mut values[ci], SqlValue::Null(kind));
                        self.later.push((self.pi, ci, id, v));
                    }
                }
            }
        }
        self.batch.push(values);
        if self.batch.len() >= self.batch_rows {
            self.flush().await?;
        }
        Ok(())
    }

    async fn flush(&mut self) -> anyhow::Result<()> {
        if self.batch.is_empty() {
            return Ok(());
        }
        self.written += insert_batch(self.tx, self.plan, &self.batch, self.merge).await?;
        self.progress.rows_done(self.batch.len() as u64);
        self.batch.clear();
        Ok(())
    }
}

async fn copy_table(src: &mut Source<'_>, sink: &mut Sink<'_>) -> anyhow::Result<()> {
    let plan = sink.plan;
    if plan.columns.is_empty() {
        return Ok(());
    }
    let exprs: Vec<&str> = plan.columns.iter().map(|c| c.expr.as_str()).collect();
    let select = format!(
        "SELECT {} FROM \"{}\" ORDER BY {}",
        exprs.join(", "),
        plan.source,
        plan.order_by
    );
    match src {
        Source::Sqlite(c) => {
            let mut rows = sqlx::query(&select).fetch(&mut **c);
            while let Some(row) = rows.try_next().await? {
                let mut values = Vec::with_capacity(plan.columns.len());
                for (i, col) in plan.columns.iter().enumerate() {
                    values.push(
                        decode_sqlite(&row, i, col.kind)
                            .with_context(|| format!("reading {}.{}", plan.source, col.target))?,
                    );
                }
                sink.push(values).await?;
            }
        }
        Source::Postgres(c) => {
            let mut rows = sqlx::query(&select).fetch(&mut **c);
            while let Some(row) = rows.try_next().await? {
                let mut values = Vec::with_capacity(plan.columns.len());
                for (i, col) in plan.columns.iter().enumerate() {
                    values.push(
                        decode_pg(&row, i, col.kind)
                            .with_context(|| format!("reading {}.{}", plan.source, col.target))?,
                    );
                }
                sink.push(values).await?;
            }
        }
    }
    sink.flush().await
}

async fn insert_batch(
    tx: &mut Tx,
    plan: &Plan,
    batch: &[Vec<SqlValue>],
    merge: bool,
) -> anyhow::Result<u64> {
    let ncols = plan.columns.len();
    let cols: Vec<String> = plan
        .columns
        .iter()
        .map(|c| format!("\"{}\"", c.target))
        .collect();
    let mut sql = format!(
        "INSERT INTO \"{}\" ({}) VALUES ",
        plan.target,
        cols.join(", ")
    );
    // SQLite binds `?` by position; its `$N` are named parameters, looked
    // up one by one, which made wide batches slow.
    let sqlite = matches!(tx, Tx::Sqlite(..));
    for r in 0..batch.len() {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..ncols {
            if c > 0 {
                sql.push_str(", ");
            }
            if sqlite {
                sql.push('?');
            } else {
                sql.push_str(&format!("${}", r * ncols + c + 1));
            }
        }
        sql.push(')');
    }
    if merge {
        sql.push_str(" ON CONFLICT DO NOTHING");
    }
    Ok(match tx {
        Tx::Sqlite(c, ..) => {
            let mut q = sqlx::query(&sql);
            for v in batch.iter().flatten() {
                q = bind_sqlite(q, v);
            }
            q.execute(&mut **c).await?.rows_affected()
        }
        Tx::Postgres(c, _) => {
            let mut q = sqlx::query(&sql);
            for v in batch.iter().flatten() {
                q = bind_pg(q, v);
            }
            q.execute(&mut **c).await?.rows_affected()
        }
    })
}

/// One bar per table on a terminal; one line per table otherwise.
pub struct Bars {
    tty: bool,
    verb: &'static str,
    bar: Option<ProgressBar>,
    table: String,
    rows: u64,
}

impl Bars {
    /// `verb` names what happened to a table in the line printed when
    /// stderr is not a terminal ("imported", "copied").
    pub fn new(verb: &'static str) -> Bars {
        use std::io::IsTerminal;
        Bars {
            tty: std::io::stderr().is_terminal(),
            verb,
            bar: None,
            table: String::new(),
            rows: 0,
        }
    }
}

impl Progress for Bars {
    fn table_started(&mut self, table: &str, rows: u64) {
        self.table = table.to_owned();
        self.rows = rows;
        if self.tty {
            let bar = ProgressBar::new(rows);
            bar.set_style(
                ProgressStyle::with_template("{prefix:>36} [{bar:30}] {pos}/{len} rows")
                    .expect("valid template")
                    .progress_chars("=> "),
            );
            bar.set_prefix(table.to_owned());
            self.bar = Some(bar);
        }
    }

    fn rows_done(&mut self, rows: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(rows);
        }
    }

    fn table_finished(&mut self) {
        match self.bar.take() {
            Some(bar) => bar.finish(),
            None => eprintln!("{} {}: {} rows", self.verb, self.table, self.rows),
        }
    }
}

/// The closing line both commands print: rows, time, rate.
pub fn rate_line(copied: &[Copied], elapsed: std::time::Duration) -> String {
    let rows: u64 = copied.iter().map(|c| c.written).sum();
    let secs = elapsed.as_secs_f64().max(1e-6);
    format!(
        "{rows} rows in {secs:.2} s ({:.0} rows/s)",
        rows as f64 / secs
    )
}
