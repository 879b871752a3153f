//! Multi-row inserts (`fennec_store::bulk`), on SQLite and — when
//! `FENNEC_TEST_DATABASE_URL` names a PostgreSQL server — on a fresh
//! PostgreSQL database too.

mod common;
use common::backends;

use fennec_api::models;
use fennec_store::bulk::{self, ModelRows};
use fennec_store::links;
use fennec_store::rows::{self, Filter, Select};
use fennec_store::{defaults, SqlValue};
use uuid::Uuid;

fn text(s: &str) -> SqlValue {
    SqlValue::Text(s.to_owned())
}

/// More rows than one statement may carry on either backend: the insert is
/// chunked, every row lands, in order, with the model's defaults.
#[tokio::test]
async fn chunked_insert_fills_defaults_like_a_single_insert() {
    for b in backends("fennec_bulk").await {
        let et = &models::ENTITY_TYPE;
        let n = bulk::POSTGRES_MAX_PARAMS / 7 * 2 + 3;
        let mut tx = b.db.begin().await.unwrap();
        let before = rows::count(&mut tx, et, &[]).await.unwrap();
        let mut pending = ModelRows::new(et);
        let mut ids = Vec::new();
        for i in 0..n {
            ids.push(
                pending
                    .push([("name", text(&format!("bulk {i:05}")))])
                    .unwrap(),
            );
        }
        assert_eq!(pending.len(), n);
        assert_eq!(pending.flush(&mut tx).await.unwrap(), n as u64);
        assert!(pending.is_empty());
        let single = rows::insert(
            &mut tx,
            et,
            vec![(et.column("name").unwrap(), text("single"))],
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let mut conn = b.db.conn().await.unwrap();
        assert_eq!(
            rows::count(&mut conn, et, &[]).await.unwrap(),
            before + n as i64 + 1
        );
        let listed = rows::list(
            &mut conn,
            et,
            &Select::default().filter(Filter::ILike("name", "bulk %".into())),
            false,
        )
        .await
        .unwrap();
        let listed_ids: Vec<Uuid> = listed
            .iter()
            .map(|r| Uuid::parse_str(r["id"].as_str().unwrap()).unwrap())
            .collect();
        assert_eq!(listed_ids, ids, "creation order is push order");
        let mut bulk_row = listed[0].clone();
        let mut single = single;
        for key in ["id", "name", "created_at", "updated_at"] {
            bulk_row.shift_remove(key);
            single.shift_remove(key);
        }
        assert_eq!(bulk_row, single);
    }
}

#[tokio::test]
async fn links_keep_their_order() {
    for b in backends("fennec_bulk").await {
        let mut tx = b.db.begin().await.unwrap();
        let asset_type = defaults::entity_type_id(&mut tx, "Character")
            .await
            .unwrap();
        let task_types: Vec<Uuid> =
            rows::list(&mut tx, &models::TASK_TYPE, &Select::default(), false)
                .await
                .unwrap()
                .iter()
                .rev()
                .map(|r| Uuid::parse_str(r["id"].as_str().unwrap()).unwrap())
                .collect();
        let pairs: Vec<(Uuid, Uuid)> = task_types.iter().map(|t| (asset_type, *t)).collect();
        let n = bulk::insert_links(&mut tx, &links::ASSET_TYPE_TASK_TYPES, &pairs)
            .await
            .unwrap();
        assert_eq!(n, pairs.len() as u64);
        tx.commit().await.unwrap();
        let mut conn = b.db.conn().await.unwrap();
        assert_eq!(
            links::ASSET_TYPE_TASK_TYPES
                .rights(&mut conn, asset_type)
                .await
                .unwrap(),
            task_types
        );
    }
}

#[tokio::test]
async fn a_failing_chunk_is_reported_by_kind() {
    for b in backends("fennec_bulk").await {
        let et = &models::ENTITY_TYPE;
        let mut pending = ModelRows::new(et);
        pending.push([("name", text("twice"))]).unwrap();
        pending.push([("name", text("twice"))]).unwrap();
        let mut tx = b.db.begin().await.unwrap();
        let err = pending.flush(&mut tx).await.unwrap_err();
        assert!(err.is_constraint(), "{err:?}");
    }
}

#[tokio::test]
async fn mismatched_values_are_refused() {
    for b in backends("fennec_bulk").await {
        let mut conn = b.db.conn().await.unwrap();
        let err = bulk::insert_rows(&mut conn, "entity_types", &["name", "id"], &[text("x")])
            .await
            .unwrap_err();
        assert!(matches!(err, fennec_store::StoreError::InvalidValue { .. }));
    }
}
