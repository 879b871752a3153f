//! Setup shared by the store's integration tests: every test runs on a fresh
//! SQLite file and — when `FENNEC_TEST_DATABASE_URL` names a PostgreSQL
//! server — on a fresh PostgreSQL database too, both migrated and loaded
//! with Kitsu's default data.

// Each test crate compiles this module on its own and uses only part of it.
#![allow(dead_code)]

use fennec_api::models;
use fennec_store::rows::{self, Row};
use fennec_store::{defaults, Db, SqlValue};
use uuid::Uuid;

pub struct Backend {
    pub db: Db,
    // Holds the SQLite file's folder for as long as the test runs.
    _dir: Option<tempfile::TempDir>,
}

/// The backends to run a test on; `prefix` names the PostgreSQL database
/// (one per call, so tests running at once never share one).
pub async fn backends(prefix: &str) -> Vec<Backend> {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    let mut v = vec![Backend {
        db: Db::connect(&url).await.unwrap(),
        _dir: Some(dir),
    }];
    if let Ok(base) = std::env::var("FENNEC_TEST_DATABASE_URL") {
        let name = format!("{prefix}_{}", Uuid::new_v4().simple());
        let url = match base.rfind('/') {
            Some(i) if i > "postgres://".len() => format!("{}/{}", &base[..i], name),
            _ => format!("{base}/{name}"),
        };
        v.push(Backend {
            db: Db::connect(&url).await.unwrap(),
            _dir: None,
        });
    }
    for b in &v {
        b.db.migrate().await.unwrap();
        defaults::load(&b.db).await.unwrap();
    }
    v
}

pub fn id(row: &Row) -> Uuid {
    Uuid::parse_str(row["id"].as_str().unwrap()).unwrap()
}

pub async fn insert(
    exec: &mut fennec_store::Conn,
    model: &'static models::Model,
    values: &[(&str, SqlValue)],
) -> Uuid {
    let values = values
        .iter()
        .map(|(k, v)| (model.column(k).unwrap(), v.clone()))
        .collect();
    id(&rows::insert(exec, model, values).await.unwrap())
}
