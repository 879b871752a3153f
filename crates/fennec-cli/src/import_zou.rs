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
//! The copy itself (foreign-key order, keys written last, batches) is
//! `table_copy.rs`, shared with `fennec db-copy`.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use anyhow::bail;
use fennec_api::models::Kind;
use fennec_store::{Db, SqlValue};
use sqlx::{Connection, PgConnection};

use crate::table_copy::{self, Copied, Plan, PlanColumn, Progress, Source};

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

#[derive(Debug, Default)]
pub struct Summary {
    pub zou_version: Option<String>,
    /// Per Fennec table: its Zou table, rows read and rows written.
    pub tables: Vec<Copied>,
    /// (Zou table, rows, why) of what Fennec does not model.
    pub skipped_tables: Vec<(String, u64, String)>,
    /// (Zou table, column, rows holding a value).
    pub skipped_columns: Vec<(String, String, u64)>,
    pub notes: Vec<String>,
    pub elapsed: Duration,
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

/// Opens Zou's database for reading only.
pub async fn open_source(url: &str) -> anyhow::Result<PgConnection> {
    if !(url.starts_with("postgres:") || url.starts_with("postgresql:")) {
        bail!("--from must be Zou's PostgreSQL database (postgres://…)");
    }
    table_copy::open_pg_read_only(url).await
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
    let target = table_copy::target_schema(&mut tx).await?;
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
            let Some(mut kind) = table_copy::pg_kind(&zc.udt) else {
                continue;
            };
            let mut expr = table_copy::pg_read_expr(&zc.name, &zc.udt);
            // A JSON value kept in a text column (PostgreSQL refuses jsonb
            // there; SQLite stores both as text) is read as its text.
            if kind == Kind::Json && ttype.eq_ignore_ascii_case("text") {
                kind = Kind::Text;
                expr = format!("({expr})::text");
            }
            taken.insert(zc.name.clone());
            columns.push(PlanColumn {
                target: tc.clone(),
                expr,
                kind,
            });
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
    // data (made by `serve` and `migrate`) would sit beside Zou's under the
    // same names.
    let names: Vec<String> = plans.iter().map(|p| p.target.clone()).collect();
    let present = table_copy::tables_with_rows(&mut tx, &names).await?;
    if !present.is_empty() && !options.merge {
        bail!(
            "the target database is not empty: {}; import into a fresh database, \
             or pass --merge to add Zou's rows beside these (rows whose id is \
             taken are skipped)",
            present.join(", ")
        );
    }

    summary.tables = table_copy::copy_tables(
        &mut Source::Postgres(&mut snapshot),
        &mut tx,
        &plans,
        &target.keys,
        options.merge,
        progress,
    )
    .await?;
    // Zou makes its organisation on first read; without one, `fennec serve`
    // would take the database for a new one and load its default data
    // beside Zou's.
    if table_copy::count(&mut tx, "organisations").await? == 0 {
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
