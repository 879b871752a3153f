//! `fennec db-copy` end to end, through the binary: a seeded SQLite
//! database, with a row written into every table the seed leaves empty,
//! copied to PostgreSQL and back to SQLite, then every table's rows, all
//! columns, compared between the first and the last SQLite database and
//! with the PostgreSQL copy. And the refusals: a target holding data (the
//! defaults of `fennec migrate` included) and a copy failing midway leave
//! the target as it was.
//!
//! PostgreSQL is the one `FENNEC_TEST_DATABASE_URL` names (a fresh database
//! per test, dropped after). Without it, as for every store test, the
//! middle database is a SQLite file.

use std::collections::BTreeMap;
use std::process::{Command, Output};

use fennec_api::models::Kind;
use fennec_store::{on, Db, SqlValue};
use sqlx::{Column as _, Row as _, TypeInfo as _, ValueRef as _};
use uuid::Uuid;

fn fennec(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fennec"))
        .args(args)
        .output()
        .expect("running fennec")
}

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "fennec failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A fresh PostgreSQL database, dropped with this value (panics included).
struct PgDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl PgDatabase {
    fn new(base: &str) -> PgDatabase {
        let name = format!("fennec_dbcopy_{}", Uuid::new_v4().simple());
        let url = match base.rfind('/') {
            Some(i) if i > "postgres://".len() => format!("{}/{}", &base[..i], name),
            _ => format!("{base}/{name}"),
        };
        PgDatabase {
            admin_url: base.to_owned(),
            name,
            url,
        }
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                use sqlx::Connection;
                let mut c = sqlx::PgConnection::connect(&admin_url).await?;
                sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .execute(&mut c)
                    .await?;
                c.close().await
            })
        })
        .join();
    }
}

type Schema = BTreeMap<String, Vec<(String, String)>>;

/// Tables (sqlx's and SQLite's own left out) with (column, type): the
/// declared type on SQLite, `udt_name` on PostgreSQL.
async fn schema(db: &Db) -> Schema {
    let mut conn = db.conn().await.unwrap();
    let sql = if db.is_sqlite() {
        "SELECT m.name, p.name, p.type FROM sqlite_master m JOIN pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%' \
         ORDER BY m.name, p.cid"
    } else {
        "SELECT table_name::text, column_name::text, udt_name::text FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name NOT LIKE '_sqlx%' \
         ORDER BY table_name, ordinal_position"
    };
    let rows: Vec<(String, String, String)> =
        on!(&mut conn, c => sqlx::query_as(sql).fetch_all(&mut *c).await.unwrap());
    let mut out = Schema::new();
    for (t, c, ty) in rows {
        out.entry(t).or_default().push((c, ty));
    }
    out
}

/// Each column's kind: PostgreSQL's when there is a PostgreSQL side (a
/// SQLite column declared TEXT may hold a datetime or JSON), else as
/// SQLite declares it.
fn kinds(schema: &Schema) -> BTreeMap<(String, String), Kind> {
    let mut out = BTreeMap::new();
    for (t, cols) in schema {
        for (c, ty) in cols {
            let kind = match ty.as_str() {
                "uuid" | "BLOB" => Kind::Uuid,
                "text" | "varchar" | "TEXT" => Kind::Text,
                "bool" | "BOOLEAN" => Kind::Bool,
                "int4" | "int8" | "INTEGER" => Kind::Int,
                "float8" | "REAL" => Kind::Float,
                "timestamp" => Kind::DateTime,
                "date" => Kind::Date,
                "jsonb" => Kind::Json,
                other => panic!("{t}.{c}: unexpected type {other}"),
            };
            out.insert((t.clone(), c.clone()), kind);
        }
    }
    out
}

async fn count(db: &Db, table: &str) -> i64 {
    let mut conn = db.conn().await.unwrap();
    let sql = format!("SELECT count(*) FROM \"{table}\"");
    on!(&mut conn, c => sqlx::query_scalar(&sql).fetch_one(&mut *c).await.unwrap())
}

async fn counts(db: &Db) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for t in schema(db).await.keys() {
        out.insert(t.clone(), count(db, t).await);
    }
    out
}

/// One row written into every table the seed left empty, every column
/// given a value of its kind (keys point at a row of their table), so each
/// table and column is copied with something in it.
async fn fill_empty_tables(db: &Db, kinds: &BTreeMap<(String, String), Kind>) -> usize {
    let schema = schema(db).await;
    let mut conn = db.conn().await.unwrap();
    let mut keys: BTreeMap<(String, String), (String, String)> = BTreeMap::new();
    for t in schema.keys() {
        let fks: Vec<(String, String, Option<String>)> = on!(&mut conn, c => sqlx::query_as(
            "SELECT \"from\", \"table\", \"to\" FROM pragma_foreign_key_list(?1)",
        )
        .bind(t)
        .fetch_all(&mut *c)
        .await
        .unwrap());
        for (col, to, to_col) in fks {
            keys.insert(
                (t.clone(), col),
                (to, to_col.unwrap_or_else(|| "id".into())),
            );
        }
    }
    let mut empty: Vec<String> = Vec::new();
    for t in schema.keys() {
        if count(db, t).await == 0 {
            empty.push(t.clone());
        }
    }
    let mut filled = 0;
    // Tables whose keys point at filled tables first, until none is left.
    while !empty.is_empty() {
        let ready = empty
            .iter()
            .position(|t| {
                keys.iter()
                    .all(|((from, _), (to, _))| from != t || to == t || !empty.contains(to))
            })
            .unwrap_or(0);
        let t = empty.remove(ready);
        let mut cols = Vec::new();
        let mut values = Vec::new();
        for (c, _) in &schema[&t] {
            if c == "seq" {
                continue;
            }
            let kind = kinds[&(t.clone(), c.clone())];
            let value = if let Some((to, to_col)) = keys.get(&(t.clone(), c.clone())) {
                let sql = format!("SELECT \"{to_col}\" FROM \"{to}\" LIMIT 1");
                let id: Option<Uuid> = on!(&mut conn, x => sqlx::query_scalar(&sql)
                    .fetch_optional(&mut *x).await.unwrap());
                id.map_or(SqlValue::Null(kind), SqlValue::Uuid)
            } else {
                match kind {
                    Kind::Uuid => SqlValue::Uuid(Uuid::new_v4()),
                    // Short: some PostgreSQL columns are VARCHAR(8).
                    Kind::Text => SqlValue::Text("fé✓".into()),
                    Kind::Bool => SqlValue::Bool(true),
                    Kind::Int => SqlValue::Int(7),
                    Kind::Float => SqlValue::Float(1.25),
                    Kind::DateTime => SqlValue::DateTime(
                        chrono::NaiveDate::from_ymd_opt(2024, 5, 6)
                            .unwrap()
                            .and_hms_opt(7, 8, 9)
                            .unwrap(),
                    ),
                    Kind::Date => {
                        SqlValue::Date(chrono::NaiveDate::from_ymd_opt(2024, 5, 6).unwrap())
                    }
                    Kind::Json => {
                        SqlValue::Json(serde_json::json!({"alpha": [true, "two"], "z": 1}))
                    }
                }
            };
            cols.push(format!("\"{c}\""));
            values.push(value);
        }
        let marks = vec!["?"; cols.len()].join(", ");
        let sql = format!("INSERT INTO \"{t}\" ({}) VALUES ({marks})", cols.join(", "));
        let mut conn = db.conn().await.unwrap();
        let fennec_store::Conn::Sqlite(c) = &mut conn else {
            unreachable!("the first database is SQLite")
        };
        let mut q = sqlx::query(&sql);
        for v in &values {
            q = fennec_store::value::bind_sqlite(q, v);
        }
        q.execute(&mut **c)
            .await
            .unwrap_or_else(|e| panic!("filling {t}: {e}"));
        filled += 1;
    }
    filled
}

/// A SQLite value exactly as stored: its storage class and its bytes.
#[derive(Debug, PartialEq)]
enum Stored {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
    /// A JSON column's text, parsed: PostgreSQL's jsonb keeps an object's
    /// keys in its own order (shortest first), as Zou's database does, so
    /// a trip through it reorders them; the keys and values are the data.
    Json(serde_json::Value),
}

fn order_by(cols: &[(String, String)]) -> String {
    if cols.iter().any(|(c, _)| c == "seq") {
        "seq".into()
    } else {
        format!("\"{}\"", cols[0].0)
    }
}

/// Every row of every table of a SQLite database, as stored.
async fn sqlite_dump(
    db: &Db,
    kinds: &BTreeMap<(String, String), Kind>,
) -> BTreeMap<String, Vec<Vec<(String, Stored)>>> {
    let mut out = BTreeMap::new();
    let mut conn = db.conn().await.unwrap();
    let fennec_store::Conn::Sqlite(c) = &mut conn else {
        panic!("not SQLite")
    };
    for (t, cols) in schema(db).await {
        let sql = format!("SELECT * FROM \"{t}\" ORDER BY {}", order_by(&cols));
        let rows = sqlx::query(&sql).fetch_all(&mut **c).await.unwrap();
        let mut dump = Vec::new();
        for row in rows {
            let mut values = Vec::new();
            for (i, col) in row.columns().iter().enumerate() {
                let raw = row.try_get_raw(i).unwrap();
                let class = raw.type_info().name().to_owned();
                let value = if raw.is_null() {
                    Stored::Null
                } else {
                    match class.as_str() {
                        "INTEGER" | "BOOLEAN" => Stored::Int(row.try_get_unchecked(i).unwrap()),
                        "REAL" => Stored::Real(row.try_get_unchecked(i).unwrap()),
                        "BLOB" => Stored::Blob(row.try_get_unchecked(i).unwrap()),
                        _ => {
                            let text: String = row.try_get_unchecked(i).unwrap();
                            if kinds.get(&(t.clone(), col.name().to_owned())) == Some(&Kind::Json) {
                                Stored::Json(serde_json::from_str(&text).unwrap())
                            } else {
                                Stored::Text(text)
                            }
                        }
                    }
                };
                values.push((col.name().to_owned(), value));
            }
            dump.push(values);
        }
        out.insert(t, dump);
    }
    out
}

/// Every row of every table, read as the kinds say, on either backend.
async fn typed_dump(
    db: &Db,
    kinds: &BTreeMap<(String, String), Kind>,
) -> BTreeMap<String, Vec<Vec<SqlValue>>> {
    let mut out = BTreeMap::new();
    let mut conn = db.conn().await.unwrap();
    for (t, cols) in schema(db).await {
        // sqlx reads an `int4` only as an i32.
        let names: Vec<String> = cols
            .iter()
            .map(|(c, ty)| match ty.as_str() {
                "int4" => format!("\"{c}\"::bigint"),
                _ => format!("\"{c}\""),
            })
            .collect();
        let sql = format!(
            "SELECT {} FROM \"{t}\" ORDER BY {}",
            names.join(", "),
            order_by(&cols)
        );
        let rows = on!(&mut conn, c => {
            let rows = sqlx::query(&sql).fetch_all(&mut *c).await.unwrap();
            let mut dump = Vec::new();
            for row in &rows {
                let mut values = Vec::new();
                for (i, (col, _)) in cols.iter().enumerate() {
                    let kind = kinds[&(t.clone(), col.clone())];
                    let json = decode(row, i, kind);
                    values.push(json);
                }
                dump.push(values);
            }
            dump
        });
        out.insert(t, rows);
    }
    out
}

/// A column read as its kind, into a comparable value.
fn decode<'r, R>(row: &'r R, i: usize, kind: Kind) -> SqlValue
where
    R: sqlx::Row,
    usize: sqlx::ColumnIndex<R>,
    Option<Uuid>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<bool>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<i64>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<f64>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<chrono::NaiveDateTime>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<chrono::NaiveDate>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<sqlx::types::Json<serde_json::Value>>:
        sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let null = || SqlValue::Null(kind);
    match kind {
        Kind::Uuid => row
            .try_get::<Option<Uuid>, _>(i)
            .unwrap()
            .map_or_else(null, SqlValue::Uuid),
        Kind::Text => row
            .try_get::<Option<String>, _>(i)
            .unwrap()
            .map_or_else(null, SqlValue::Text),
        Kind::Bool => row
            .try_get::<Option<bool>, _>(i)
            .unwrap()
            .map_or_else(null, SqlValue::Bool),
        Kind::Int => row
            .try_get::<Option<i64>, _>(i)
            .unwrap()
            .map_or_else(null, SqlValue::Int),
        Kind::Float => row
            .try_get::<Option<f64>, _>(i)
            .unwrap()
            .map_or_else(null, SqlValue::Float),
        Kind::DateTime => row
            .try_get::<Option<chrono::NaiveDateTime>, _>(i)
            .unwrap()
            .map_or_else(null, SqlValue::DateTime),
        Kind::Date => row
            .try_get::<Option<chrono::NaiveDate>, _>(i)
            .unwrap()
            .map_or_else(null, SqlValue::Date),
        Kind::Json => row
            .try_get::<Option<sqlx::types::Json<serde_json::Value>>, _>(i)
            .unwrap()
            .map_or_else(null, |j| SqlValue::Json(j.0)),
    }
}

fn assert_same<T: std::fmt::Debug + PartialEq>(
    left: &BTreeMap<String, Vec<T>>,
    right: &BTreeMap<String, Vec<T>>,
    what: &str,
) {
    assert_eq!(
        left.keys().collect::<Vec<_>>(),
        right.keys().collect::<Vec<_>>(),
        "{what}: tables"
    );
    for (t, rows) in left {
        let other = &right[t];
        assert_eq!(rows.len(), other.len(), "{what}: rows of {t}");
        for (a, b) in rows.iter().zip(other) {
            assert_eq!(a, b, "{what}: a row of {t}");
        }
    }
}

fn bytes(path: &std::path::Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

#[tokio::test]
async fn round_trips_sqlite_postgres_sqlite_without_a_difference() {
    let dir = tempfile::tempdir().unwrap();
    let first_path = dir.path().join("first.db");
    let first = format!("sqlite://{}", first_path.display());
    let last = format!("sqlite://{}", dir.path().join("last.db").display());
    ok(fennec(&[
        "seed",
        "--scale",
        "1",
        "--seed",
        "7",
        "--today",
        "2024-06-05",
        "--database",
        &first,
        "--quiet",
    ]));
    let pg = std::env::var("FENNEC_TEST_DATABASE_URL")
        .ok()
        .map(|base| PgDatabase::new(&base));
    let middle = match &pg {
        Some(pg) => pg.url.clone(),
        None => format!("sqlite://{}", dir.path().join("middle.db").display()),
    };
    // The kinds come from the PostgreSQL side, migrated and empty, as the
    // copy itself decides them.
    let middle_db = Db::connect(&middle).await.unwrap();
    middle_db.migrate().await.unwrap();
    let kinds = kinds(&schema(&middle_db).await);
    let first_db = Db::connect(&first).await.unwrap();
    let filled = fill_empty_tables(&first_db, &kinds).await;
    assert!(filled > 30, "only {filled} empty tables filled");
    let before = counts(&first_db).await;
    assert!(
        before.iter().all(|(_, n)| *n > 0),
        "a table is still empty: {before:?}"
    );
    let first_dump = sqlite_dump(&first_db, &kinds).await;
    let first_typed = typed_dump(&first_db, &kinds).await;
    first_db.close().await;
    let source_bytes = bytes(&first_path);

    let out = ok(fennec(&["db-copy", "--from", &first, "--to", &middle]));
    assert!(
        regex_like_rate(&out),
        "no closing rate line in the output:\n{out}"
    );
    assert!(
        out.contains(&format!("  {:<52} {:>8} rows", "tasks", before["tasks"])),
        "no rows for tasks in:\n{out}"
    );
    // The source was only read.
    assert!(
        bytes(&first_path) == source_bytes,
        "db-copy changed its source"
    );

    ok(fennec(&["db-copy", "--from", &middle, "--to", &last]));
    let last_db = Db::connect(&last).await.unwrap();
    assert_same(
        &first_dump,
        &sqlite_dump(&last_db, &kinds).await,
        "first vs last SQLite",
    );
    assert_same(
        &first_typed,
        &typed_dump(&middle_db, &kinds).await,
        "first SQLite vs the middle copy",
    );
    assert_eq!(counts(&middle_db).await, before);

    // The copy's sequences go on after the copied values: a new row gets a
    // `seq` above every copied one (PostgreSQL's BIGSERIAL is not moved by
    // explicit inserts; db-copy moves it).
    let max_seq = count_max_seq(&middle_db).await;
    let mut conn = middle_db.conn().await.unwrap();
    let new_seq: i64 = on!(&mut conn, c => sqlx::query_scalar(
        "INSERT INTO departments (name, color, id, created_at, updated_at) \
         VALUES ('After the copy', '#000000', $1, $2, $2) RETURNING seq")
        .bind(Uuid::new_v4())
        .bind(chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap().and_hms_opt(0, 0, 0).unwrap())
        .fetch_one(&mut *c).await.unwrap());
    assert!(new_seq > max_seq, "new seq {new_seq} not above {max_seq}");
    drop(conn);
    middle_db.close().await;
    last_db.close().await;
}

async fn count_max_seq(db: &Db) -> i64 {
    let mut conn = db.conn().await.unwrap();
    on!(&mut conn, c => sqlx::query_scalar("SELECT max(seq) FROM departments")
        .fetch_one(&mut *c).await.unwrap())
}

fn regex_like_rate(out: &str) -> bool {
    out.lines().any(|l| {
        let parts: Vec<&str> = l.split_whitespace().collect();
        // "N rows in S s (R rows/s)"
        parts.len() == 7
            && parts[0].parse::<u64>().is_ok()
            && parts[1] == "rows"
            && parts[2] == "in"
            && parts[3].parse::<f64>().is_ok()
            && parts[4] == "s"
            && parts[5].trim_start_matches('(').parse::<u64>().is_ok()
            && parts[6] == "rows/s)"
    })
}

#[tokio::test]
async fn a_target_with_data_is_refused_and_a_failed_copy_leaves_it_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let source = format!("sqlite://{}", dir.path().join("source.db").display());
    ok(fennec(&[
        "seed",
        "--scale",
        "1",
        "--seed",
        "3",
        "--today",
        "2024-06-05",
        "--database",
        &source,
        "--quiet",
    ]));

    // Fennec's default data counts as data, as for import-zou.
    let defaults = format!("sqlite://{}", dir.path().join("defaults.db").display());
    ok(fennec(&["migrate", "--database-url", &defaults]));
    let defaults_db = Db::connect(&defaults).await.unwrap();
    let before = counts(&defaults_db).await;
    assert!(before["task_statuses"] > 0);
    let refused = fennec(&["db-copy", "--from", &source, "--to", &defaults]);
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("the --to database is not empty"), "{err}");
    assert!(err.contains("task_statuses"), "{err}");
    assert_eq!(counts(&defaults_db).await, before);
    defaults_db.close().await;

    // A previous copy is refused too, and kept as it is.
    let copy = format!("sqlite://{}", dir.path().join("copy.db").display());
    ok(fennec(&["db-copy", "--from", &source, "--to", &copy]));
    let copy_db = Db::connect(&copy).await.unwrap();
    let copied = counts(&copy_db).await;
    let again = fennec(&["db-copy", "--from", &source, "--to", &copy]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("not empty"));
    assert_eq!(counts(&copy_db).await, copied);
    copy_db.close().await;

    // A failure late in the copy (time spents come after persons, projects
    // and tasks) rolls every table back.
    let failing = format!("sqlite://{}", dir.path().join("failing.db").display());
    let failing_db = Db::connect(&failing).await.unwrap();
    failing_db.migrate().await.unwrap();
    let mut conn = failing_db.conn().await.unwrap();
    on!(&mut conn, c => sqlx::query(
        "CREATE TRIGGER refuse BEFORE INSERT ON time_spents \
         BEGIN SELECT RAISE(ABORT, 'refused by the test'); END")
        .execute(&mut *c).await.map(|_| ()).unwrap());
    drop(conn);
    let failed = fennec(&["db-copy", "--from", &source, "--to", &failing]);
    assert!(!failed.status.success());
    assert!(
        String::from_utf8_lossy(&failed.stderr).contains("refused by the test"),
        "{}",
        String::from_utf8_lossy(&failed.stderr)
    );
    assert!(counts(&failing_db).await.values().all(|n| *n == 0));
    failing_db.close().await;

    // A source that does not exist is not created.
    let missing = dir.path().join("missing.db");
    let out = fennec(&[
        "db-copy",
        "--from",
        &format!("sqlite://{}", missing.display()),
        "--to",
        &format!("sqlite://{}", dir.path().join("x.db").display()),
    ]);
    assert!(!out.status.success());
    assert!(!missing.exists());
}
