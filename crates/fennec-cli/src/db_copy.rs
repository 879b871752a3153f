//! `fennec db-copy`: a Fennec database copied into a fresh one, SQLite or
//! PostgreSQL either way, for a studio that outgrows SQLite (or moves back).
//!
//! Policy: the same guarantees as `fennec import-zou`, through the same
//! copy (`table_copy.rs`). The source is opened read-only and read in one
//! snapshot; the target gets Fennec's migrations, then every row in one
//! transaction, so a failure leaves it as it was. Both databases must be
//! at the same migrations (the source is never migrated here: that would
//! write it), and so have the same tables and columns; any other
//! difference is refused rather than copied partly. Every column is
//! copied, `seq` included, so creation order and ids survive.
//!
//! A target that holds any row is refused, as the import refuses one:
//! Fennec's default data (task statuses, task types, asset types…, loaded
//! by `fennec serve` and `fennec migrate`) counts as data, because the
//! source carries its own defaults under the same unique names and other
//! ids. A target fit for the copy is a new database, or one only
//! `fennec db-copy` itself has migrated.

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;
use std::time::Instant;

use anyhow::{bail, Context};
use clap::Args;
use fennec_store::{Db, Tx};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, PgConnection, SqliteConnection};

use crate::table_copy::{self, Bars, Copied, Plan, PlanColumn, Source};

#[derive(Args, Debug)]
pub struct DbCopyArgs {
    /// The Fennec database to copy, read only: `sqlite://FILE` or
    /// `postgres://…`.
    #[arg(long = "from", value_name = "URL")]
    from: String,
    /// The Fennec database to fill: `sqlite://FILE` or `postgres://…`
    /// (created and migrated when missing; it must hold no data).
    #[arg(long = "to", value_name = "URL")]
    to: String,
}

/// The source, opened so that it cannot be written.
enum SourceConn {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

async fn open_source(url: &str) -> anyhow::Result<SourceConn> {
    if url.starts_with("sqlite:") {
        // Read-only, and never created: a mistyped path is an error, not a
        // new empty database to copy.
        let opts = SqliteConnectOptions::from_str(url)
            .context("reading the --from URL")?
            .read_only(true)
            .create_if_missing(false)
            .disable_statement_logging();
        let c = SqliteConnection::connect_with(&opts)
            .await
            .with_context(|| format!("opening the --from database {}", crate::redact(url)))?;
        Ok(SourceConn::Sqlite(c))
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Ok(SourceConn::Postgres(
            table_copy::open_pg_read_only(url).await?,
        ))
    } else {
        bail!("--from must be sqlite://FILE or postgres://…")
    }
}

/// A database's tables (sqlx's and SQLite's own left out) with each
/// column's name and type, as `table_copy::target_schema` reads them.
async fn source_tables(
    src: &mut Source<'_>,
) -> anyhow::Result<BTreeMap<String, Vec<(String, String)>>> {
    match src {
        Source::Sqlite(c) => {
            let rows: Vec<(String, String, String)> = sqlx::query_as(
                "SELECT m.name, p.name, p.type FROM sqlite_master m \
                 JOIN pragma_table_info(m.name) p \
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' \
                 AND m.name NOT LIKE '_sqlx%' ORDER BY m.name, p.cid",
            )
            .fetch_all(&mut **c)
            .await?;
            let mut out: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
            for (t, col, ty) in rows {
                out.entry(t).or_default().push((col, ty));
            }
            Ok(out)
        }
        Source::Postgres(c) => table_copy::pg_tables(c).await,
    }
}

/// The migrations a database has applied.
async fn source_migrations(src: &mut Source<'_>) -> anyhow::Result<Vec<i64>> {
    let sql = "SELECT version FROM _sqlx_migrations WHERE success ORDER BY version";
    let found = match src {
        Source::Sqlite(c) => sqlx::query_scalar(sql).fetch_all(&mut **c).await,
        Source::Postgres(c) => sqlx::query_scalar(sql).fetch_all(&mut **c).await,
    };
    found.context("the --from database has no Fennec migrations: is it a Fennec database?")
}

async fn target_migrations(tx: &mut Tx) -> anyhow::Result<Vec<i64>> {
    let sql = "SELECT version FROM _sqlx_migrations WHERE success ORDER BY version";
    Ok(match tx {
        Tx::Sqlite(c, ..) => sqlx::query_scalar(sql).fetch_all(&mut **c).await?,
        Tx::Postgres(c, _) => sqlx::query_scalar(sql).fetch_all(&mut **c).await?,
    })
}

/// The plan of every table: all columns, each read as the kind its
/// PostgreSQL side declares (a SQLite column declared TEXT may hold a
/// datetime or JSON), or as stored between two SQLite databases.
fn plans(
    source: &BTreeMap<String, Vec<(String, String)>>,
    target: &BTreeMap<String, Vec<(String, String)>>,
    source_is_pg: bool,
    target_is_pg: bool,
) -> anyhow::Result<Vec<Plan>> {
    let names = |m: &BTreeMap<String, Vec<(String, String)>>| -> BTreeSet<String> {
        m.keys().cloned().collect()
    };
    if names(source) != names(target) {
        bail!(
            "the two databases do not have the same tables (only in --from: {:?}; only in \
             --to: {:?}) although they are at the same migrations",
            names(source).difference(&names(target)).collect::<Vec<_>>(),
            names(target).difference(&names(source)).collect::<Vec<_>>()
        );
    }
    let mut plans = Vec::new();
    for (t, scols) in source {
        let tcols = &target[t];
        let mut columns = Vec::new();
        for (c, stype) in scols {
            let Some((_, ttype)) = tcols.iter().find(|(n, _)| n == c) else {
                bail!("{t}.{c} is in --from but not in --to");
            };
            let (kind, expr) = if source_is_pg {
                (
                    table_copy::pg_kind(stype),
                    table_copy::pg_read_expr(c, stype),
                )
            } else if target_is_pg {
                (table_copy::pg_kind(ttype), format!("\"{c}\""))
            } else {
                (table_copy::sqlite_kind(stype), format!("\"{c}\""))
            };
            let Some(kind) = kind else {
                bail!("{t}.{c}: type {stype} (--from) / {ttype} (--to) is not one Fennec uses");
            };
            columns.push(PlanColumn {
                target: c.clone(),
                expr,
                kind,
            });
        }
        if let Some((c, _)) = tcols.iter().find(|(n, _)| !scols.iter().any(|s| &s.0 == n)) {
            bail!("{t}.{c} is in --to but not in --from");
        }
        let has = |c: &str| scols.iter().any(|s| s.0 == c);
        let order_by = if has("seq") {
            "seq".to_owned()
        } else {
            format!("\"{}\"", scols[0].0)
        };
        plans.push(Plan {
            target: t.clone(),
            source: t.clone(),
            columns,
            has_id: has("id"),
            order_by,
        });
    }
    Ok(plans)
}

pub async fn run(args: DbCopyArgs) -> anyhow::Result<()> {
    if args.from == args.to {
        bail!("--from and --to name the same database");
    }
    let started = Instant::now();
    let mut conn = open_source(&args.from).await?;
    let target = Db::connect(&args.to)
        .await
        .context("opening the --to database")?;
    target
        .migrate()
        .await
        .context("migrating the --to database")?;
    let mut bars = Bars::new("copied");
    let copied = match &mut conn {
        SourceConn::Sqlite(c) => {
            let mut snapshot = c.begin().await?;
            let copied = copy(Source::Sqlite(&mut snapshot), &target, &mut bars).await?;
            snapshot.rollback().await?;
            copied
        }
        SourceConn::Postgres(c) => {
            let mut snapshot = c.begin().await?;
            let copied = copy(Source::Postgres(&mut snapshot), &target, &mut bars).await?;
            snapshot.rollback().await?;
            copied
        }
    };
    target.close().await;
    println!(
        "{} copied into {}:",
        crate::redact(&args.from),
        crate::redact(&args.to)
    );
    for t in &copied {
        println!("  {:<52} {:>8} rows", t.target, t.written);
    }
    println!("{}", table_copy::rate_line(&copied, started.elapsed()));
    println!(
        "preview and attachment files are not in the database: give the server of the \
         copy the same media folder (FENNEC_MEDIA_DIR) or bucket"
    );
    Ok(())
}

async fn copy(mut src: Source<'_>, target: &Db, bars: &mut Bars) -> anyhow::Result<Vec<Copied>> {
    let from_versions = source_migrations(&mut src).await?;
    let mut tx = target.begin().await?;
    let to_versions = target_migrations(&mut tx).await?;
    if from_versions != to_versions {
        let (a, b) = (from_versions.last(), to_versions.last());
        bail!(
            "the --from database is at migration {a:?} and this fennec at {b:?}: {}",
            if a < b {
                "upgrade it first with `fennec migrate --database-url <--from URL>` \
                 (db-copy never writes its source)"
            } else {
                "use the fennec that wrote it"
            }
        );
    }
    let source = source_tables(&mut src).await?;
    let schema = table_copy::target_schema(&mut tx).await?;
    let plans = plans(
        &source,
        &schema.tables,
        matches!(src, Source::Postgres(_)),
        matches!(tx, Tx::Postgres(..)),
    )?;
    let names: Vec<String> = plans.iter().map(|p| p.target.clone()).collect();
    let present = table_copy::tables_with_rows(&mut tx, &names).await?;
    if !present.is_empty() {
        bail!(
            "the --to database is not empty: {}; db-copy writes only into a fresh database \
             (Fennec's default data counts: the copy brings the source's own, under the \
             same names)",
            present.join(", ")
        );
    }
    let copied =
        table_copy::copy_tables(&mut src, &mut tx, &plans, &schema.keys, false, bars).await?;
    tx.commit().await?;
    Ok(copied)
}
