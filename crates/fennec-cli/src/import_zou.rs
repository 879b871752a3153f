//! `fennec import-zou`: a Zou 1.0.97 database copied into Fennec's, ids kept.
//!
//! Policy: Fennec's schema was drawn after Zou's, so the copy is decided by
//! the two schemas themselves, not by a list of models kept by hand: every
//! table of the target has a Zou table of the same name (Zou's singular,
//! Fennec's plural, two renamed link tables) and takes the columns both
//! have. A table or a column Zou has and Fennec does not is counted and
//! listed in the summary, never dropped without a word, and a table a
//! later migration adds is copied as soon as it exists.
//!
//! Zou's database is only read, in one read-only snapshot. The target is
//! written in one transaction: a failure anywhere leaves it as it was.
//! Foreign keys are honoured by inserting tables in the order the target's
//! keys ask for; a key that points at the same table or closes a cycle
//! (an entity's preview file, whose task points at the entity) is written
//! after every row is in.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use fennec_api::models::Kind;
use fennec_store::value::{bind_pg, bind_sqlite};
use fennec_store::{Db, SqlValue, Tx};
use futures_util::TryStreamExt;
use sqlx::postgres::{PgConnectOptions, PgRow};
use sqlx::{ConnectOptions, Connection, PgConnection, Row as _};
use std::str::FromStr;
use uuid::Uuid;

/// Zou's tables whose Fennec name is not Zou's name with an `s`.
const RENAMED_TABLES: &[(&str, &str)] = &[
    ("assignations", "task_person_link"),
    ("asset_type_task_type_link", "task_type_asset_type_link"),
];

/// Zou's columns stored under another name.
const RENAMED_COLUMNS: &[(&str, &str, &str)] = &[("notifications", "notification_type", "type")];

/// Fennec's own tables, with nothing to take from Zou.
const FENNEC_ONLY: &[&str] = &[
    "fennec_cast_feeds",
    "fennec_settings",
    "fennec_task_links",
    "revoked_tokens",
];

/// Why a Zou table is not copied; a table missing here is "not modelled".
const NOT_MODELLED: &[(&str, &str)] = &[
    (
        "alembic_version",
        "Zou's migration state; Fennec has its own",
    ),
    (
        "login_log",
        "Zou's login audit; Fennec logs logins in its request log",
    ),
    (
        "data_import_error",
        "Zou's Shotgun-import errors; Fennec has no Shotgun import",
    ),
    (
        "preview_file_storage_state",
        "Zou's object-storage sync state; Fennec keeps files in its own store",
    ),
    (
        "output_file",
        "Zou's pipeline files (file tree outputs) are not modelled",
    ),
    (
        "working_file",
        "Zou's pipeline files (file tree outputs) are not modelled",
    ),
    (
        "output_type",
        "Zou's pipeline files (file tree outputs) are not modelled",
    ),
    (
        "file_status",
        "Zou's pipeline files (file tree outputs) are not modelled",
    ),
    ("entity_version", "Zou's entity history is not modelled"),
    ("software", "Zou's software catalogue is not modelled"),
    (
        "software_department_link",
        "Zou's software catalogue is not modelled",
    ),
    (
        "project_task_type_software_link",
        "Zou's software catalogue is not modelled",
    ),
    ("hardware_item", "Zou's hardware catalogue is not modelled"),
    (
        "hardware_item_department_link",
        "Zou's hardware catalogue is not modelled",
    ),
    ("salary_scale", "Zou's salary scales are not modelled"),
    ("plugin", "Zou's plugins do not run on Fennec"),
    ("stored_file", "Zou's stored files are not modelled"),
];

/// What the caller sees of the import as it goes.
pub trait Progress {
    fn table_started(&mut self, table: &str, rows: u64);
    fn rows_done(&mut self, rows: u64);
    fn table_finished(&mut self);
}

#[derive(Debug, Default)]
pub struct Summary {
    pub zou_version: Option<String>,
    /// (Fennec table, Zou table, rows read, rows written).
    pub tables: Vec<(String, String, u64, u64)>,
    /// (Zou table, rows, why) of what Fennec does not model.
    pub skipped_tables: Vec<(String, u64, String)>,
    /// (Zou table, column, rows holding a value).
    pub skipped_columns: Vec<(String, String, u64)>,
    pub notes: Vec<String>,
    pub elapsed: Duration,
}

impl Summary {
    pub fn rows_written(&self) -> u64 {
        self.tables.iter().map(|t| t.3).sum()
    }
}

pub struct Options {
    pub merge: bool,
}

/// A column's type on Zou's side, from `information_schema` (`udt_name`).
#[derive(Clone, Debug)]
struct ZouColumn {
    name: String,
    udt: String,
}

#[derive(Debug)]
struct Plan {
    target: String,
    source: String,
    /// (target column, source column, kind).
    columns: Vec<(String, String, Kind)>,
    /// Target columns written after every table is in (cycles, self keys).
    deferred: BTreeSet<String>,
    has_id: bool,
    order_by: String,
}

fn kind_of(udt: &str) -> Option<Kind> {
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

/// The SELECT expression that reads a Zou column as the kind Fennec keeps.
fn read_expr(c: &ZouColumn) -> String {
    let q = format!("\"{}\"", c.name);
    match c.udt.as_str() {
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

fn decode(row: &PgRow, i: usize, kind: Kind) -> Result<SqlValue, sqlx::Error> {
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

/// Opens Zou's database for reading only.
pub async fn open_source(url: &str) -> anyhow::Result<PgConnection> {
    if !(url.starts_with("postgres:") || url.starts_with("postgresql:")) {
        bail!("--from must be Zou's PostgreSQL database (postgres://…)");
    }
    let opts = PgConnectOptions::from_str(url)
        .context("reading the --from URL")?
        .disable_statement_logging();
    let mut c = PgConnection::connect_with(&opts)
        .await
        .context("connecting to Zou's database")?;
    // Every statement of this session is refused if it would write.
    sqlx::query(
        "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY",
    )
    .execute(&mut c)
    .await?;
    Ok(c)
}

async fn zou_schema(src: &mut PgConnection) -> anyhow::Result<BTreeMap<String, Vec<ZouColumn>>> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, udt_name::text \
         FROM information_schema.columns WHERE table_schema = 'public' \
         ORDER BY table_name, ordinal_position",
    )
    .fetch_all(&mut *src)
    .await?;
    let mut out: BTreeMap<String, Vec<ZouColumn>> = BTreeMap::new();
    for (t, name, udt) in rows {
        out.entry(t).or_default().push(ZouColumn { name, udt });
    }
    Ok(out)
}

/// The target's tables, columns and foreign keys (table, column, table).
struct TargetSchema {
    tables: BTreeMap<String, Vec<(String, String)>>,
    keys: Vec<(String, String, String)>,
}

async fn target_schema(tx: &mut Tx) -> anyhow::Result<TargetSchema> {
    let mut tables: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    let mut keys = Vec::new();
    match tx {
        Tx::Sqlite(c, _) => {
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
        Tx::Postgres(c) => {
            let cols: Vec<(String, String, String)> = sqlx::query_as(
                "SELECT table_name::text, column_name::text, data_type::text \
                 FROM information_schema.columns WHERE table_schema = current_schema() \
                 AND table_name NOT LIKE '_sqlx%' ORDER BY table_name, ordinal_position",
            )
            .fetch_all(&mut **c)
            .await?;
            for (t, col, ty) in cols {
                tables.entry(t).or_default().push((col, ty));
            }
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

fn source_table(target: &str, zou: &BTreeMap<String, Vec<ZouColumn>>) -> Option<String> {
    if let Some((_, z)) = RENAMED_TABLES.iter().find(|(f, _)| *f == target) {
        return zou.contains_key(*z).then(|| (*z).to_owned());
    }
    let mut candidates = vec![target.to_owned()];
    if let Some(s) = target.strip_suffix("ies") {
        candidates.push(format!("{s}y"));
    }
    if let Some(s) = target.strip_suffix("es") {
        candidates.push(s.to_owned());
    }
    if let Some(s) = target.strip_suffix('s') {
        candidates.push(s.to_owned());
    }
    candidates.into_iter().find(|c| zou.contains_key(c))
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

pub async fn run(
    src: &mut PgConnection,
    db: &Db,
    options: &Options,
    progress: &mut dyn Progress,
) -> anyhow::Result<Summary> {
    let started = Instant::now();
    let mut summary = Summary::default();
    let mut snapshot = src.begin().await?;
    let zou = zou_schema(&mut snapshot).await?;
    if !zou.contains_key("task") || !zou.contains_key("entity") || !zou.contains_key("person") {
        bail!("the --from database has no Zou tables (task, entity, person): is it Zou's?");
    }
    if zou.contains_key("alembic_version") {
        summary.zou_version = sqlx::query_scalar("SELECT version_num::text FROM alembic_version")
            .fetch_optional(&mut *snapshot)
            .await?;
    }

    let mut tx = db.begin().await?;
    let target = target_schema(&mut tx).await?;
    let mut plans = Vec::new();
    let mut used = BTreeSet::new();
    for (t, tcols) in &target.tables {
        if FENNEC_ONLY.contains(&t.as_str()) {
            continue;
        }
        let Some(zt) = source_table(t, &zou) else {
            summary.notes.push(format!(
                "{t}: a Fennec table with no Zou counterpart, left empty"
            ));
            continue;
        };
        used.insert(zt.clone());
        let zcols = &zou[&zt];
        let mut columns = Vec::new();
        let mut taken = BTreeSet::new();
        for (tc, ttype) in tcols {
            let renamed = RENAMED_COLUMNS
                .iter()
                .find(|(tt, c, _)| tt == t && c == tc)
                .map(|(_, _, z)| (*z).to_owned());
            // Zou's comment link tables name their keys `comment`, `person`…
            let names = [
                Some(tc.clone()),
                renamed,
                tc.strip_suffix("_id").map(str::to_owned),
            ];
            let Some(zc) = names
                .into_iter()
                .flatten()
                .find_map(|n| zcols.iter().find(|z| z.name == n))
            else {
                continue;
            };
            let Some(mut kind) = kind_of(&zc.udt) else {
                continue;
            };
            // A JSON value kept in a text column (PostgreSQL refuses jsonb
            // there; SQLite stores both as text).
            if kind == Kind::Json && ttype.eq_ignore_ascii_case("text") {
                kind = Kind::Text;
            }
            taken.insert(zc.name.clone());
            columns.push((tc.clone(), zc.name.clone(), kind));
        }
        for zc in zcols {
            if !taken.contains(&zc.name) {
                let n: i64 = sqlx::query_scalar(&format!(
                    "SELECT count(*) FROM \"{zt}\" WHERE \"{}\" IS NOT NULL",
                    zc.name
                ))
                .fetch_one(&mut *snapshot)
                .await?;
                summary
                    .skipped_columns
                    .push((zt.clone(), zc.name.clone(), n as u64));
            }
        }
        let has = |c: &str| zcols.iter().any(|z| z.name == c);
        // Creation order, which Fennec's `seq` keeps (Zou's unordered
        // lists show it on a fresh database).
        let order_by = match (has("created_at"), has("id")) {
            (true, true) => "created_at, id".to_owned(),
            (true, false) => "created_at, ctid".to_owned(),
            _ => "ctid".to_owned(),
        };
        plans.push(Plan {
            target: t.clone(),
            source: zt,
            columns,
            deferred: BTreeSet::new(),
            has_id: tcols.iter().any(|(c, _)| c == "id"),
            order_by,
        });
    }
    for zt in zou.keys() {
        if used.contains(zt) {
            continue;
        }
        let n: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM \"{zt}\""))
            .fetch_one(&mut *snapshot)
            .await?;
        let why = NOT_MODELLED
            .iter()
            .find(|(t, _)| t == zt)
            .map_or("not modelled by Fennec yet", |(_, w)| w);
        summary
            .skipped_tables
            .push((zt.clone(), n as u64, why.to_owned()));
    }

    // A target with data is refused: ids would clash, and Fennec's default
    // data (made by `serve`) would sit beside Zou's under the same names.
    let mut present = Vec::new();
    for p in &plans {
        let n = count(&mut tx, &p.target).await?;
        if n > 0 {
            present.push(format!("{} ({n})", p.target));
        }
    }
    if !present.is_empty() && !options.merge {
        bail!(
            "the target database is not empty: {}; import into a fresh database, \
             or pass --merge to add Zou's rows beside these (rows whose id is \
             taken are skipped)",
            present.join(", ")
        );
    }

    let names: Vec<String> = plans.iter().map(|p| p.target.clone()).collect();
    let (order, deferred) = insertion_order(&names, &target.keys);
    for p in &mut plans {
        p.deferred = deferred
            .iter()
            .filter(|(t, c)| t == &p.target && p.columns.iter().any(|x| &x.0 == c))
            .map(|(_, c)| c.clone())
            .collect();
        if !p.deferred.is_empty() && !p.has_id {
            bail!(
                "{}: keys {:?} need a deferred write but the table has no id",
                p.target,
                p.deferred
            );
        }
    }
    let by_name: HashMap<String, usize> = plans
        .iter()
        .enumerate()
        .map(|(i, p)| (p.target.clone(), i))
        .collect();
    // (table, column, id, value) written once every row is in.
    let mut later: Vec<(usize, usize, Uuid, SqlValue)> = Vec::new();
    for name in &order {
        let pi = by_name[name];
        let plan = &plans[pi];
        let total: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM \"{}\"", plan.source))
            .fetch_one(&mut *snapshot)
            .await?;
        progress.table_started(&plan.target, total as u64);
        let written = copy_table(
            &mut snapshot,
            &mut tx,
            plan,
            options.merge,
            &mut later,
            pi,
            progress,
        )
        .await
        .with_context(|| format!("copying {} into {}", plan.source, plan.target))?;
        progress.table_finished();
        summary.tables.push((
            plan.target.clone(),
            plan.source.clone(),
            total as u64,
            written,
        ));
    }
    for (pi, ci, id, value) in &later {
        let plan = &plans[*pi];
        let col = &plan.columns[*ci].0;
        let guard = if options.merge {
            format!(" AND \"{col}\" IS NULL")
        } else {
            String::new()
        };
        let sql = format!(
            "UPDATE \"{}\" SET \"{col}\" = $1 WHERE id = $2{guard}",
            plan.target
        );
        let id = SqlValue::Uuid(*id);
        match &mut tx {
            Tx::Sqlite(c, _) => {
                bind_sqlite(bind_sqlite(sqlx::query(&sql), value), &id)
                    .execute(&mut **c)
                    .await?;
            }
            Tx::Postgres(c) => {
                bind_pg(bind_pg(sqlx::query(&sql), value), &id)
                    .execute(&mut **c)
                    .await?;
            }
        }
    }
    // Zou makes its organisation on first read; without one, `fennec serve`
    // would take the database for a new one and load its default data
    // beside Zou's.
    if count(&mut tx, "organisations").await? == 0 {
        let o = &fennec_api::models::ORGANISATION;
        let name = o
            .columns
            .iter()
            .find(|c| c.name == "name")
            .expect("organisations have a name");
        fennec_store::rows::insert(&mut tx, o, vec![(name, SqlValue::Text("Kitsu".into()))])
            .await?;
        summary.notes.push(
            "organisation: Zou had not made one yet (it does on first read); \
             Kitsu's default was written"
                .into(),
        );
    }
    tx.commit().await?;
    snapshot.rollback().await?;
    summary.elapsed = started.elapsed();
    Ok(summary)
}

async fn count(tx: &mut Tx, table: &str) -> anyhow::Result<i64> {
    let sql = format!("SELECT count(*) FROM \"{table}\"");
    Ok(match tx {
        Tx::Sqlite(c, _) => sqlx::query_scalar(&sql).fetch_one(&mut **c).await?,
        Tx::Postgres(c) => sqlx::query_scalar(&sql).fetch_one(&mut **c).await?,
    })
}

async fn copy_table(
    src: &mut PgConnection,
    tx: &mut Tx,
    plan: &Plan,
    merge: bool,
    later: &mut Vec<(usize, usize, Uuid, SqlValue)>,
    pi: usize,
    progress: &mut dyn Progress,
) -> anyhow::Result<u64> {
    if plan.columns.is_empty() {
        return Ok(0);
    }
    let exprs = column_exprs(src, plan).await?;
    let select = format!(
        "SELECT {} FROM \"{}\" ORDER BY {}",
        exprs.join(", "),
        plan.source,
        plan.order_by
    );
    let id_index = plan.columns.iter().position(|c| c.0 == "id");
    let deferred: Vec<usize> = plan
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| plan.deferred.contains(&c.0))
        .map(|(i, _)| i)
        .collect();
    let ncols = plan.columns.len();
    // Under SQLite's 32766 and PostgreSQL's 65535 bound parameters.
    let batch_rows = (30_000 / ncols).clamp(1, 500);
    let mut written = 0u64;
    let mut batch: Vec<Vec<SqlValue>> = Vec::with_capacity(batch_rows);
    let mut rows = sqlx::query(&select).fetch(&mut *src);
    while let Some(row) = rows.try_next().await? {
        let mut values = Vec::with_capacity(ncols);
        for (i, (_, _, kind)) in plan.columns.iter().enumerate() {
            values.push(decode(&row, i, *kind)?);
        }
        if let (Some(idx), false) = (id_index, deferred.is_empty()) {
            if let SqlValue::Uuid(id) = values[idx] {
                for &ci in &deferred {
                    if !values[ci].is_null() {
                        let kind = plan.columns[ci].2;
                        let v = std::mem::replace(&mut values[ci], SqlValue::Null(kind));
                        later.push((pi, ci, id, v));
                    }
                }
            }
        }
        batch.push(values);
        if batch.len() == batch_rows {
            written += insert_batch(tx, plan, &batch, merge).await?;
            progress.rows_done(batch.len() as u64);
            batch.clear();
        }
    }
    if !batch.is_empty() {
        written += insert_batch(tx, plan, &batch, merge).await?;
        progress.rows_done(batch.len() as u64);
    }
    Ok(written)
}

async fn column_exprs(src: &mut PgConnection, plan: &Plan) -> anyhow::Result<Vec<String>> {
    let udts: Vec<(String, String)> = sqlx::query_as(
        "SELECT column_name::text, udt_name::text FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name = $1",
    )
    .bind(&plan.source)
    .fetch_all(&mut *src)
    .await?;
    let udts: HashMap<String, String> = udts.into_iter().collect();
    Ok(plan
        .columns
        .iter()
        .map(|(_, z, kind)| {
            let column = ZouColumn {
                name: z.clone(),
                udt: udts.get(z).cloned().unwrap_or_default(),
            };
            let expr = read_expr(&column);
            // JSON that Fennec keeps in a text column is read as its text.
            if *kind == Kind::Text && kind_of(&column.udt) == Some(Kind::Json) {
                format!("({expr})::text")
            } else {
                expr
            }
        })
        .collect())
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
        .map(|(c, _, _)| format!("\"{c}\""))
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
        Tx::Sqlite(c, _) => {
            let mut q = sqlx::query(&sql);
            for v in batch.iter().flatten() {
                q = bind_sqlite(q, v);
            }
            q.execute(&mut **c).await?.rows_affected()
        }
        Tx::Postgres(c) => {
            let mut q = sqlx::query(&sql);
            for v in batch.iter().flatten() {
                q = bind_pg(q, v);
            }
            q.execute(&mut **c).await?.rows_affected()
        }
    })
}
