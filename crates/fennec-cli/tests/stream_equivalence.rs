//! The whole-list JSON stream reads SQLite files on a blocking rusqlite
//! cursor (fennec-store/src/sqlite_stream.rs) and everything else through
//! sqlx's pool (stream.rs). Both must write the same bytes: a seeded
//! production, with a few values made awkward on purpose, is listed both
//! ways and compared byte for byte, whole and filtered; the with-tasks
//! boards' rows (with_tasks.rs) are compared the same way, and so are the
//! to-do lists (fennec-store's todo.rs, cursor and pool) with the map
//! builder they replaced on the routes (fennec-server's todo_rows.rs).

use std::process::Command;

use fennec_api::models;
use fennec_store::rows::Select;
use fennec_store::stream::{json_array, json_array_pooled, Inline};
use fennec_store::todo::{self, Todo};
use fennec_store::with_tasks::{self, Board, Criteria};
use fennec_store::{links, on, Db, SqlValue, StoreError};
use tokio::sync::mpsc::Receiver;
use uuid::Uuid;

async fn collect(mut rx: Receiver<Result<Vec<u8>, StoreError>>) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(chunk) = rx.recv().await {
        out.extend(chunk.expect("stream chunk"));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cursor_and_pool_write_the_same_task_list() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("seed.db").display());
    let out = Command::new(env!("CARGO_BIN_EXE_fennec"))
        .args([
            "seed",
            "--scale",
            "1",
            "--seed",
            "3",
            "--today",
            "2024-06-05",
        ])
        .args(["--database", &url, "--quiet"])
        .output()
        .expect("running fennec seed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let db = Db::connect(&url).await.unwrap();
    assert!(db.sqlite_file().is_some(), "a SQLite file takes the cursor");
    let mut conn = db.conn().await.unwrap();
    // Values the JSON writer must escape or convert: quotes, a newline and
    // non-ASCII text, a JSON object, a fractional time, an integer stored
    // in a REAL column.
    on!(&mut conn, c => sqlx::query(
        "UPDATE tasks SET description = 'say \"hi\"\nto Zoë ✓', \
         data = '{\"b\": [1, 2.5, null], \"a\": \"x\"}', \
         last_comment_date = '2024-06-05 10:11:12.345678', estimation = 7 \
         WHERE seq = (SELECT MIN(seq) FROM tasks)")
        .execute(&mut *c).await.unwrap().rows_affected());
    let (project, task_type): (Uuid, Uuid) = on!(&mut conn, c => sqlx::query_as(
        "SELECT project_id, task_type_id FROM tasks ORDER BY seq LIMIT 1")
        .fetch_one(&mut *c).await.unwrap());
    drop(conn);

    let inline = Some(Inline {
        key: "assignees",
        link: links::TASK_ASSIGNEES,
    });
    fn sorted<T: std::fmt::Debug>(m: &std::collections::HashMap<Uuid, Vec<T>>) -> Vec<String> {
        let mut v: Vec<String> = m.iter().map(|(k, v)| format!("{k} {v:?}")).collect();
        v.sort();
        v
    }
    let selects = [
        Select::default().eq("project_id", SqlValue::Uuid(project)),
        Select::default()
            .eq("project_id", SqlValue::Uuid(project))
            .eq("task_type_id", SqlValue::Uuid(task_type)),
        Select::default().eq("project_id", SqlValue::Uuid(Uuid::new_v4())),
    ];
    for (n, select) in selects.into_iter().enumerate() {
        let cursor = collect(json_array(
            db.clone(),
            &models::TASK,
            select.clone(),
            inline,
        ))
        .await;
        let pooled = collect(json_array_pooled(db.clone(), &models::TASK, select, inline)).await;
        assert_eq!(
            String::from_utf8_lossy(&cursor),
            String::from_utf8_lossy(&pooled),
            "select #{n}"
        );
        let list: Vec<serde_json::Value> = serde_json::from_slice(&cursor).unwrap();
        match n {
            0 => {
                assert_eq!(list.len(), 720, "the seed's tasks");
                assert_eq!(list[0]["description"], "say \"hi\"\nto Zoë ✓");
                assert_eq!(list[0]["data"]["b"][1], 2.5);
                assert_eq!(list[0]["last_comment_date"], "2024-06-05T10:11:12");
                assert!(list
                    .iter()
                    .any(|t| t["assignees"].as_array().unwrap().len() == 1));
            }
            1 => assert!(!list.is_empty() && list.len() < 720),
            _ => assert!(list.is_empty()),
        }
    }

    // The with-tasks boards' rows, both ways.
    for board in [Board::Shot, Board::Asset, Board::Generic] {
        let mut c = Criteria::new(board);
        c.project_id = Some(project);
        let mut conn = db.conn().await.unwrap();
        let cursor = with_tasks::board(&mut conn, &db, &c).await.unwrap();
        let pooled = with_tasks::board_pooled(&mut conn, &db, &c).await.unwrap();
        assert!(!cursor.entities.is_empty(), "{board:?}");
        assert_eq!(
            format!("{:?}", cursor.entities),
            format!("{:?}", pooled.entities)
        );
        assert_eq!(sorted(&cursor.tasks), sorted(&pooled.tasks), "{board:?}");
        assert_eq!(
            sorted(&cursor.assignees),
            sorted(&pooled.assignees),
            "{board:?}"
        );
        if board == Board::Shot {
            assert!(!cursor.tasks.is_empty() && !cursor.assignees.is_empty());
        }
    }

    todo_lists_match_the_map_builder(&db, project).await;
}

/// Every assigned person's to-do, done and not, read on the cursor and
/// through the pool, against the map builder's bytes; with awkward values
/// in the joined rows (entity text and data, a comment's text and time, a
/// task without status or entity data, a closed production).
async fn todo_lists_match_the_map_builder(db: &Db, project: Uuid) {
    let mut conn = db.conn().await.unwrap();
    on!(&mut conn, c => {
        for sql in [
            // The first task's entity: escapes, non-ASCII, nested data.
            "UPDATE entities SET description = 'a \"quoted\"\tshot — ünïcode', \
             data = '{\"z\": {\"y\": [true, null, 1e3]}, \"a\": \"\\\\\"}', canceled = NULL \
             WHERE id = (SELECT entity_id FROM tasks ORDER BY seq LIMIT 1)",
            // Another entity without data, a production without avatar flag.
            "UPDATE entities SET data = NULL WHERE id = \
             (SELECT entity_id FROM tasks ORDER BY seq LIMIT 1 OFFSET 40)",
            "UPDATE projects SET has_avatar = NULL",
            // A task with no status: not done, so on the to-do.
            "UPDATE tasks SET task_status_id = NULL, estimation = 3, start_date = '2024-06-01 09:00:00.5' \
             WHERE id = (SELECT task_id FROM assignations ORDER BY seq LIMIT 1 OFFSET 1)",
            // The last comment of some task: text to escape, a fraction.
            "UPDATE comments SET text = 'line one\nline \"two\" ✓', created_at = '2024-06-05 08:07:06.123' \
             WHERE seq = (SELECT MAX(seq) FROM comments)",
            "UPDATE comments SET text = NULL WHERE seq = (SELECT MIN(seq) FROM comments)",
        ] {
            sqlx::query(sql).execute(&mut *c).await.unwrap();
        }
    });
    let people: Vec<Uuid> = on!(&mut conn, c => sqlx::query_scalar(
        "SELECT DISTINCT person_id FROM assignations")
        .fetch_all(&mut *c).await.unwrap());
    assert!(people.len() > 1, "the seed assigns several people");
    let mut rows_seen = 0;
    let mut comments_seen = 0;
    for person in &people {
        for done in [false, true] {
            let maps = fennec_server::todo_rows::person_todo_maps(&mut conn, *person, done)
                .await
                .unwrap();
            let expected = serde_json::to_vec(&serde_json::Value::Array(
                maps.into_iter().map(serde_json::Value::Object).collect(),
            ))
            .unwrap();
            let q = Todo {
                person: *person,
                done,
                only_projects: None,
            };
            let cursor = todo::json(db, &q).await.unwrap();
            let pooled = todo::json_pooled(db, &q).await.unwrap();
            assert_eq!(
                String::from_utf8_lossy(&cursor),
                String::from_utf8_lossy(&expected),
                "{person} done={done}, cursor"
            );
            assert_eq!(cursor, pooled, "{person} done={done}, pool");
            let list: Vec<serde_json::Value> = serde_json::from_slice(&cursor).unwrap();
            rows_seen += list.len();
            comments_seen += list
                .iter()
                .filter(|t| t["last_comment"].as_object().is_some_and(|c| !c.is_empty()))
                .count();
            // Narrowed to a production a viewer shares, or to none.
            for only in [vec![project], vec![]] {
                let q = Todo {
                    only_projects: Some(only.clone()),
                    ..q.clone()
                };
                let narrowed: Vec<serde_json::Value> =
                    serde_json::from_slice(&todo::json(db, &q).await.unwrap()).unwrap();
                let kept: Vec<&serde_json::Value> = list
                    .iter()
                    .filter(|t| only.iter().any(|p| t["project_id"] == p.to_string()))
                    .collect();
                assert_eq!(narrowed.iter().collect::<Vec<_>>(), kept);
                let pooled: Vec<serde_json::Value> =
                    serde_json::from_slice(&todo::json_pooled(db, &q).await.unwrap()).unwrap();
                assert_eq!(pooled, narrowed);
            }
        }
    }
    assert!(
        rows_seen > 100 && comments_seen > 0,
        "{rows_seen} rows, {comments_seen} comments"
    );

    // A closed production drops out of its team's lists.
    on!(&mut conn, c => sqlx::query(
        "UPDATE projects SET project_status_id = (SELECT id FROM project_statuses WHERE name = 'Closed')")
        .execute(&mut *c).await.unwrap().rows_affected());
    for person in &people {
        let q = Todo {
            person: *person,
            done: false,
            only_projects: None,
        };
        assert_eq!(todo::json(db, &q).await.unwrap(), b"[]");
        assert_eq!(todo::json_pooled(db, &q).await.unwrap(), b"[]");
        let maps = fennec_server::todo_rows::person_todo_maps(&mut conn, *person, false)
            .await
            .unwrap();
        assert!(maps.is_empty());
    }
}
