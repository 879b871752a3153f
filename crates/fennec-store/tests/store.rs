//! Store tests, on SQLite and — when `FENNEC_TEST_DATABASE_URL` names a
//! PostgreSQL server — on a fresh PostgreSQL database too.

use std::collections::{BTreeMap, BTreeSet};

use fennec_api::models::{self, Kind};
use fennec_store::links;
use fennec_store::rows::{self, Filter, Order, Select};
use fennec_store::{defaults, on, Db, SqlValue, StoreError};
use uuid::Uuid;

struct Backend {
    db: Db,
    _dir: Option<tempfile::TempDir>,
}

async fn sqlite() -> Backend {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    let db = Db::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    Backend {
        db,
        _dir: Some(dir),
    }
}

async fn postgres() -> Option<Backend> {
    let base = std::env::var("FENNEC_TEST_DATABASE_URL").ok()?;
    let name = format!("fennec_store_{}", Uuid::new_v4().simple());
    let url = match base.rfind('/') {
        Some(i) if i > "postgres://".len() => format!("{}/{}", &base[..i], name),
        _ => format!("{base}/{name}"),
    };
    let db = Db::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    Some(Backend { db, _dir: None })
}

async fn backends() -> Vec<Backend> {
    let mut v = vec![sqlite().await];
    v.extend(postgres().await);
    v
}

fn col(model: &'static models::Model, name: &str) -> &'static models::Column {
    model.column(name).unwrap()
}

/// Table → columns of a database.
async fn schema(db: &Db) -> BTreeMap<String, BTreeSet<String>> {
    let pairs: Vec<(String, String)> = match db {
        Db::Sqlite(p, _) => sqlx::query_as(
            "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name != '_sqlx_migrations'",
        )
        .fetch_all(p)
        .await
        .unwrap(),
        Db::Postgres(p) => sqlx::query_as(
            "SELECT table_name::text, column_name::text FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name != '_sqlx_migrations'",
        )
        .fetch_all(p)
        .await
        .unwrap(),
    };
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (t, c) in pairs {
        out.entry(t).or_default().insert(c);
    }
    out
}

#[test]
fn both_migration_folders_hold_the_same_versions() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let names = |sub: &str| -> BTreeSet<String> {
        std::fs::read_dir(dir.join(sub))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect()
    };
    assert_eq!(names("sqlite"), names("postgres"));
    assert!(!names("sqlite").is_empty());
}

#[tokio::test]
async fn schemas_match_each_other_and_the_models() {
    let lite = sqlite().await;
    let lite_schema = schema(&lite.db).await;
    for model in models::ALL {
        let cols = lite_schema
            .get(model.table)
            .unwrap_or_else(|| panic!("no table {}", model.table));
        for c in model.stored_columns() {
            assert!(cols.contains(c.name), "{}.{} missing", model.table, c.name);
        }
    }
    if let Some(pg) = postgres().await {
        assert_eq!(
            lite_schema,
            schema(&pg.db).await,
            "SQLite and PostgreSQL schemas differ"
        );
    }
}

#[tokio::test]
async fn default_data_loads_once_even_when_raced() {
    for b in backends().await {
        let (a, c) = tokio::join!(defaults::load(&b.db), defaults::load(&b.db));
        assert!(a.unwrap() ^ c.unwrap(), "exactly one load inserts");
        assert!(!defaults::load(&b.db).await.unwrap());
        let mut conn = b.db.conn().await.unwrap();
        let statuses = rows::list(&mut conn, &models::TASK_STATUS, &Select::default(), false)
            .await
            .unwrap();
        let names: Vec<_> = statuses
            .iter()
            .map(|s| s["short_name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            ["todo", "wip", "wfa", "retake", "done", "ready", "neutral", "approved", "rejected"]
        );
        // gazu's get_default_task_status takes the first is_default row.
        let defaults = rows::list(
            &mut conn,
            &models::TASK_STATUS,
            &Select::default().eq("is_default", SqlValue::Bool(true)),
            false,
        )
        .await
        .unwrap();
        assert_eq!(defaults[0]["name"], "Todo");
        assert_eq!(defaults.len(), 2);
        let types = rows::count(&mut conn, &models::TASK_TYPE, &[])
            .await
            .unwrap();
        assert_eq!(types, 13);
        let orgs = rows::list(&mut conn, &models::ORGANISATION, &Select::default(), false)
            .await
            .unwrap();
        assert_eq!(orgs.len(), 1);
        assert_eq!(orgs[0]["hours_by_day"], serde_json::json!(8.0));
    }
}

#[tokio::test]
async fn rows_round_trip_with_zou_kinds_and_order() {
    for b in backends().await {
        let mut tx = b.db.begin().await.unwrap();
        let tt = &models::TASK_TYPE;
        let row = rows::insert(
            &mut tx,
            tt,
            vec![(col(tt, "name"), SqlValue::Text("Grooming".into()))],
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let keys: Vec<&str> = row.keys().map(String::as_str).collect();
        assert_eq!(keys.last(), Some(&"type"));
        assert_eq!(row["type"], "TaskType");
        assert_eq!(row["priority"], 1);
        assert_eq!(row["for_entity"], "Asset");
        assert_eq!(row["allow_timelog"], true);
        let created = row["created_at"].as_str().unwrap();
        assert_eq!(created.len(), 19, "YYYY-MM-DDTHH:MM:SS: {created}");
        let id = Uuid::parse_str(row["id"].as_str().unwrap()).unwrap();

        let mut conn = b.db.conn().await.unwrap();
        // Case-insensitive name, as Zou's ilike.
        let found = rows::list(
            &mut conn,
            tt,
            &Select::default().filter(Filter::ILike("name", "grOOming".into())),
            false,
        )
        .await
        .unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0], row);

        let updated = rows::update(
            &mut conn,
            tt,
            id,
            vec![(col(tt, "priority"), SqlValue::Int(5))],
        )
        .await
        .unwrap()
        .unwrap();
        assert_eq!(updated["priority"], 5);
        assert!(rows::update(&mut conn, tt, Uuid::new_v4(), vec![])
            .await
            .unwrap()
            .is_none());

        let page = rows::list(
            &mut conn,
            tt,
            &Select {
                order: Order::UpdatedDesc,
                limit: Some(1),
                ..Default::default()
            },
            false,
        )
        .await
        .unwrap();
        assert_eq!(page.len(), 1);

        assert!(rows::delete(&mut conn, tt, id).await.unwrap());
        assert!(!rows::delete(&mut conn, tt, id).await.unwrap());
        assert!(rows::get(&mut conn, tt, id, false).await.unwrap().is_none());
    }
}

#[tokio::test]
async fn constraint_errors_are_reported_by_kind() {
    for b in backends().await {
        let mut conn = b.db.conn().await.unwrap();
        let d = &models::DEPARTMENT;
        let values = || {
            vec![
                (col(d, "name"), SqlValue::Text("Grading".into())),
                (col(d, "color"), SqlValue::Text("#000000".into())),
            ]
        };
        rows::insert(&mut conn, d, values()).await.unwrap();
        let e = rows::insert(&mut conn, d, values()).await.unwrap_err();
        assert!(matches!(e, StoreError::Unique(_)), "{e:?}");
        let e = rows::insert(&mut conn, d, vec![]).await.unwrap_err();
        assert!(
            matches!(e, StoreError::Missing(ref f) if f == "name"),
            "{e:?}"
        );
        let e = rows::insert(
            &mut conn,
            &models::TASK_TYPE,
            vec![
                (col(&models::TASK_TYPE, "name"), SqlValue::Text("X".into())),
                (
                    col(&models::TASK_TYPE, "department_id"),
                    SqlValue::Uuid(Uuid::new_v4()),
                ),
            ],
        )
        .await
        .unwrap_err();
        assert!(matches!(e, StoreError::ForeignKey(_)), "{e:?}");
    }
}

#[tokio::test]
async fn a_failed_transaction_leaves_nothing() {
    for b in backends().await {
        let d = &models::DEPARTMENT;
        {
            let mut tx = b.db.begin().await.unwrap();
            rows::insert(
                &mut tx,
                d,
                vec![
                    (col(d, "name"), SqlValue::Text("Ghost".into())),
                    (col(d, "color"), SqlValue::Text("#000000".into())),
                ],
            )
            .await
            .unwrap();
            // Dropped without commit: rolled back.
        }
        let mut conn = b.db.conn().await.unwrap();
        let n = rows::count(
            &mut conn,
            d,
            &[Filter::Eq("name", SqlValue::Text("Ghost".into()))],
        )
        .await
        .unwrap();
        assert_eq!(n, 0);
    }
}

#[tokio::test]
async fn links_keep_order_and_ignore_duplicates() {
    for b in backends().await {
        defaults::load(&b.db).await.unwrap();
        let mut conn = b.db.conn().await.unwrap();
        let p = &models::PROJECT;
        let project = rows::insert(
            &mut conn,
            p,
            vec![(col(p, "name"), SqlValue::Text("Show".into()))],
        )
        .await
        .unwrap();
        let pid = Uuid::parse_str(project["id"].as_str().unwrap()).unwrap();
        let types = rows::list(&mut conn, &models::TASK_TYPE, &Select::default(), false)
            .await
            .unwrap();
        let ids: Vec<Uuid> = types
            .iter()
            .take(3)
            .map(|t| Uuid::parse_str(t["id"].as_str().unwrap()).unwrap())
            .collect();
        for id in ids.iter().rev() {
            links::PROJECT_TASK_TYPES
                .add(&mut conn, pid, *id)
                .await
                .unwrap();
        }
        links::PROJECT_TASK_TYPES
            .add(&mut conn, pid, ids[0])
            .await
            .unwrap();
        let linked = links::PROJECT_TASK_TYPES
            .rights(&mut conn, pid)
            .await
            .unwrap();
        assert_eq!(linked, ids.iter().rev().copied().collect::<Vec<_>>());
        assert!(links::PROJECT_TASK_TYPES
            .contains(&mut conn, pid, ids[1])
            .await
            .unwrap());
        assert!(links::PROJECT_TASK_TYPES
            .remove(&mut conn, pid, ids[1])
            .await
            .unwrap());
        assert_eq!(
            links::PROJECT_TASK_TYPES
                .rights(&mut conn, pid)
                .await
                .unwrap()
                .len(),
            2
        );
        // Deleting the project drops its links.
        assert!(rows::delete(&mut conn, p, pid).await.unwrap());
        let n: i64 = on!(&mut conn, c => sqlx::query_scalar("SELECT COUNT(*) FROM project_task_type_link")
            .fetch_one(&mut *c).await.unwrap());
        assert_eq!(n, 0);
    }
}

#[tokio::test]
async fn values_follow_zou_parsing_rules() {
    let start = col(&models::TASK, "start_date");
    let v = SqlValue::from_json(start, &serde_json::json!("2024-01-10T12:00:00+02:00")).unwrap();
    assert_eq!(v.to_json(), "2024-01-10T12:00:00");
    assert!(SqlValue::from_json(start, &serde_json::json!("2024-13-45")).is_err());
    let prio = col(&models::TASK, "priority");
    assert!(SqlValue::from_json(prio, &serde_json::json!("high")).is_err());
    assert_eq!(
        SqlValue::from_json(prio, &serde_json::json!(2)).unwrap(),
        SqlValue::Int(2)
    );
    let flag = col(&models::TASK_STATUS, "is_default");
    for yes in ["True", "true", "1", "yes"] {
        assert_eq!(
            SqlValue::from_query(flag, yes).unwrap(),
            SqlValue::Bool(true)
        );
    }
    let e = SqlValue::from_query(flag, "maybe").unwrap_err();
    assert_eq!(e.kind, Kind::Bool);
}
