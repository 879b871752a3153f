//! The whole-list JSON stream reads SQLite files on a blocking rusqlite
//! cursor (fennec-store/src/sqlite_stream.rs) and everything else through
//! sqlx's pool (stream.rs). Both must write the same bytes: a seeded
//! production, with a few values made awkward on purpose, is listed both
//! ways and compared byte for byte, whole and filtered; the with-tasks
//! boards (fennec-server's with_tasks.rs: streamed from the cursor, or
//! read whole through the pool) are compared the same way.

use std::process::Command;

use fennec_api::models;
use fennec_server::auth::jwt::Claims;
use fennec_server::auth::user::Role;
use fennec_server::auth::CurrentUser;
use fennec_server::extract::QueryPairs;
use fennec_server::with_tasks as board;
use fennec_store::rows::Select;
use fennec_store::stream::{json_array, json_array_pooled, Inline};
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
}
