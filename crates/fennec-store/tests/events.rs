//! The event bus's guarantees at the store (issue 15): an event exists only
//! once its transaction commits, never for a rollback, and PostgreSQL's
//! listeners get events in commit order — on SQLite and, when
//! `FENNEC_TEST_DATABASE_URL` is set, on PostgreSQL.

mod common;

use std::time::Duration;

use common::backends;
use fennec_store::events::{self, Event};
use fennec_store::Db;
use serde_json::{json, Map, Value};

fn data(n: i64) -> Map<String, Value> {
    match json!({ "n": n }) {
        Value::Object(m) => m,
        _ => unreachable!(),
    }
}

async fn record(tx: &mut fennec_store::Tx, name: &str, n: i64) {
    events::record(tx, name, &data(n), None, None)
        .await
        .unwrap();
}

#[tokio::test]
async fn rolled_back_events_never_exist_and_committed_ones_follow_commit_order() {
    for b in backends("fennec_events").await {
        let mut listener = match &b.db {
            Db::Postgres(pool) => {
                let mut l = sqlx::postgres::PgListener::connect_with(pool)
                    .await
                    .unwrap();
                l.listen(events::CHANNEL).await.unwrap();
                Some(l)
            }
            Db::Sqlite(..) => None,
        };
        let start = {
            let mut c = b.db.conn().await.unwrap();
            events::last_seq(&mut c).await.unwrap()
        };

        // A rolled-back write: no row, no notification.
        let mut tx = b.db.begin().await.unwrap();
        record(&mut tx, "shot:new", 1).await;
        drop(tx);

        let mut tx = b.db.begin().await.unwrap();
        record(&mut tx, "task:update", 2).await;
        tx.commit().await.unwrap();

        let mut c = b.db.conn().await.unwrap();
        let after = events::after(&mut c, start, 100).await.unwrap();
        let names: Vec<&str> = after.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["task:update"]);
        assert_eq!(after[0].data, json!({"n": 2}));

        if let Some(l) = listener.as_mut() {
            let got = next(l, &b.db).await;
            assert_eq!(
                (got.name.as_str(), got.data.clone()),
                ("task:update", json!({"n": 2}))
            );

            // Two writers: the first to record commits last; the listener
            // gets them in commit order (a seq order would be wrong).
            let mut first = b.db.begin().await.unwrap();
            record(&mut first, "comment:new", 3).await;
            let mut second = b.db.begin().await.unwrap();
            record(&mut second, "comment:new", 4).await;
            second.commit().await.unwrap();
            first.commit().await.unwrap();
            assert_eq!(next(l, &b.db).await.data, json!({"n": 4}));
            assert_eq!(next(l, &b.db).await.data, json!({"n": 3}));

            // Nothing more was notified (the rolled-back one included).
            let more = tokio::time::timeout(Duration::from_millis(300), l.recv()).await;
            assert!(more.is_err(), "unexpected notification: {more:?}");
        }
    }
}

async fn next(l: &mut sqlx::postgres::PgListener, db: &Db) -> Event {
    let n = tokio::time::timeout(Duration::from_secs(2), l.recv())
        .await
        .expect("a notification within 2 s")
        .unwrap();
    let mut c = db.conn().await.unwrap();
    events::from_notify(&mut c, n.payload())
        .await
        .unwrap()
        .expect("an event")
}

#[tokio::test]
async fn a_big_event_travels_by_its_seq() {
    for b in backends("fennec_events_big").await {
        let Db::Postgres(pool) = &b.db else { continue };
        let mut l = sqlx::postgres::PgListener::connect_with(pool)
            .await
            .unwrap();
        l.listen(events::CHANNEL).await.unwrap();
        let mut big = Map::new();
        big.insert("text".into(), Value::String("x".repeat(20_000)));
        let mut tx = b.db.begin().await.unwrap();
        events::record(&mut tx, "comment:update", &big, None, None)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let got = next(&mut l, &b.db).await;
        assert_eq!(got.name, "comment:update");
        assert_eq!(got.data["text"].as_str().map(str::len), Some(20_000));
    }
}
