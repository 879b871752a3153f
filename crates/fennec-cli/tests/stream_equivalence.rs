//! The whole-list JSON stream reads SQLite files on a blocking rusqlite
//! cursor (fennec-store/src/sqlite_stream.rs) and everything else through
//! sqlx's pool (stream.rs). Both must write the same bytes: a seeded
//! production, with a few values made awkward on purpose, is listed both
//! ways and compared byte for byte, whole and filtered; the with-tasks
//! boards (fennec-server's with_tasks.rs: streamed from the cursor, or
//! read whole through the pool) are compared the same way, and so are the
//! to-do lists (fennec-store's todo.rs, cursor and pool) with the map
//! builder they replaced on the routes (fennec-server's todo_rows.rs).

use std::process::Command;

use fennec_api::models;
use fennec_server::auth::jwt::Claims;
use fennec_server::auth::user::Role;
use fennec_server::auth::CurrentUser;
use fennec_server::extract::QueryPairs;
use fennec_server::with_tasks as board;
use fennec_store::rows::Select;
use fennec_store::stream::{json_array, json_array_pooled, Inline};
use fennec_store::todo::{self, Todo};
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

    // The with-tasks boards, both ways, byte for byte: on the file the
    // rows are walked on the cursor, written as they are read and their
    // `data` copied through as text when it is canonical; through the pool
    // they are read whole and their `data` parsed. Awkward `data` first:
    // text serde_json would write otherwise (spaces, a float, a repeated
    // key, an escape it does not use) must come out as before.
    let mut conn = db.conn().await.unwrap();
    on!(&mut conn, c => sqlx::query(
        "UPDATE entities SET data = CASE seq % 4 \
            WHEN 0 THEN '{\"fps\": 24.0, \"frame_in\": 1, \"frame_in\": 2}' \
            WHEN 1 THEN '{\"fps\":\"25\",\"frame_in\":1001,\"note\":\"a\\\"b\\u001f\\/ Zoë\"}' \
            WHEN 2 THEN 'null' ELSE data END \
         WHERE seq IN (SELECT seq FROM entities ORDER BY seq DESC LIMIT 40)")
        .execute(&mut *c).await.unwrap().rows_affected());
    on!(&mut conn, c => sqlx::query(
        "UPDATE tasks SET data = '{\"x\":{\"y\":[1,\"é\",-3,true]}}' \
         WHERE seq IN (SELECT seq FROM tasks ORDER BY seq DESC LIMIT 30)")
        .execute(&mut *c).await.unwrap().rows_affected());
    // Any person, as an admin: the boards read his role from here.
    let admin: Uuid = on!(&mut conn, c => sqlx::query_scalar(
        "SELECT id FROM persons ORDER BY seq LIMIT 1")
        .fetch_one(&mut *c).await.unwrap());
    let user = CurrentUser {
        id: admin,
        role: Role::Admin,
        claims: Claims {
            fresh: true,
            iat: 0,
            jti: String::new(),
            kind: "access".into(),
            sub: admin.to_string(),
            nbf: 0,
            exp: i64::MAX,
            identity_type: "person".into(),
            refresh_jti: None,
        },
    };
    let caller = board::Caller::new(&mut conn, user).await.unwrap();
    let cursor = board::Source::of(&db);
    assert!(matches!(cursor, board::Source::Cursor(_)));
    let pool = board::Source::Pool;
    let q = QueryPairs(vec![("project_id".into(), project.to_string())]);
    let dict = board::Options {
        stream: false,
        compact: false,
    };
    let compact = board::Options {
        stream: false,
        compact: true,
    };
    let ndjson = board::Options {
        stream: true,
        compact: false,
    };
    async fn bytes(r: fennec_server::error::ApiResult<axum::response::Response>) -> Vec<u8> {
        let r = r.unwrap();
        assert_eq!(r.status(), 200);
        axum::body::to_bytes(r.into_body(), usize::MAX)
            .await
            .unwrap()
            .to_vec()
    }
    let mut answers = Vec::new();
    for source in [&cursor, &pool] {
        let c = &mut conn;
        let mut one = Vec::new();
        for opts in [dict, compact, ndjson] {
            one.push(bytes(board::shots(source, &db, c, &caller, &q, opts).await).await);
            one.push(bytes(board::assets(source, &db, c, &caller, &q, opts, None).await).await);
        }
        for kind in [board::Generic::Sequence, board::Generic::Episode] {
            one.push(bytes(board::generic(source, &db, c, &caller, &q, kind).await).await);
        }
        one.push(bytes(board::edits(source, &db, c, &caller, &q).await).await);
        answers.push(one);
    }
    for (n, (cursor, pooled)) in answers[0].iter().zip(&answers[1]).enumerate() {
        assert_eq!(
            String::from_utf8_lossy(cursor),
            String::from_utf8_lossy(pooled),
            "board #{n}"
        );
    }
    let shots: Vec<serde_json::Value> = serde_json::from_slice(&answers[0][0]).unwrap();
    assert!(shots.len() > 10);
    assert!(shots
        .iter()
        .any(|s| !s["tasks"][0]["assignees"].as_array().unwrap().is_empty()));
    let assets: Vec<serde_json::Value> = serde_json::from_slice(&answers[0][1]).unwrap();
    assert!(!assets.is_empty() && !assets[0]["tasks"].as_array().unwrap().is_empty());
    let text = String::from_utf8_lossy(&answers[0][0]).into_owned()
        + &String::from_utf8_lossy(&answers[0][1]);
    assert!(text.contains(r#""frame_in":2"#), "a repeated key, parsed");
    assert!(text.contains(r#""fps":24.0"#), "a float, parsed");
    assert!(
        text.contains(r#"\u001f/ Zoë"#),
        "escapes written as serde_json does"
    );
    assert!(text.contains(r#"{"x":{"y":[1,"é",-3,true]}}"#));

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
