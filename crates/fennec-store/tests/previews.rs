//! An entity's previews by task type (`fennec_store::previews`) and the
//! preview files in Zou's deletion rules (`fennec_store::cascade`), on
//! SQLite and — when `FENNEC_TEST_DATABASE_URL` names a PostgreSQL server —
//! on a fresh PostgreSQL database too.

mod common;
use common::{backends, insert};

use fennec_api::models;
use fennec_store::cascade::{self, Tasks};
use fennec_store::rows::{self, Select};
use fennec_store::{defaults, previews, SqlValue};
use serde_json::{json, Value};
use uuid::Uuid;

async fn preview(
    c: &mut fennec_store::Conn,
    task: Uuid,
    name: &str,
    revision: i64,
    position: i64,
    status: &str,
) -> Uuid {
    insert(
        c,
        &models::PREVIEW_FILE,
        &[
            ("task_id", SqlValue::Uuid(task)),
            ("name", SqlValue::Text(name.into())),
            ("revision", SqlValue::Int(revision)),
            ("position", SqlValue::Int(position)),
            ("status", SqlValue::Text(status.into())),
            ("extension", SqlValue::Text("png".into())),
        ],
    )
    .await
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn entity_preview(c: &mut fennec_store::Conn, entity: Uuid) -> Value {
    rows::get(c, &models::ENTITY, entity, false)
        .await
        .unwrap()
        .unwrap()["preview_file_id"]
        .clone()
}

async fn set_entity_preview(c: &mut fennec_store::Conn, entity: Uuid, preview: Uuid) {
    let col = models::ENTITY.column("preview_file_id").unwrap();
    rows::update(
        c,
        &models::ENTITY,
        entity,
        vec![(col, SqlValue::Uuid(preview))],
    )
    .await
    .unwrap();
}

/// Task types by priority (a NULL one first, as PostgreSQL sorts it), then
/// name; revisions newest first; a revision's other files under its first;
/// every status.
#[tokio::test]
async fn previews_grouped_by_task_type_and_revision() {
    for b in backends("fennec_pv").await {
        let mut c = b.db.conn().await.unwrap();
        let p = insert(
            &mut c,
            &models::PROJECT,
            &[("name", SqlValue::Text("Prev".into()))],
        )
        .await;
        let shot_type = defaults::entity_type_id(&mut c, "Shot").await.unwrap();
        let shot = insert(
            &mut c,
            &models::ENTITY,
            &[
                ("name", SqlValue::Text("SH010".into())),
                ("project_id", SqlValue::Uuid(p)),
                ("entity_type_id", SqlValue::Uuid(shot_type)),
            ],
        )
        .await;
        let mut types = Vec::new();
        for (name, priority) in [
            ("Low", SqlValue::Int(1)),
            ("High", SqlValue::Int(5)),
            ("Unset", SqlValue::Null(fennec_api::models::Kind::Int)),
        ] {
            types.push(
                insert(
                    &mut c,
                    &models::TASK_TYPE,
                    &[
                        ("name", SqlValue::Text(name.into())),
                        ("priority", priority),
                    ],
                )
                .await,
            );
        }
        let mut tasks = Vec::new();
        for t in &types {
            tasks.push(
                insert(
                    &mut c,
                    &models::TASK,
                    &[
                        ("project_id", SqlValue::Uuid(p)),
                        ("entity_id", SqlValue::Uuid(shot)),
                        ("task_type_id", SqlValue::Uuid(*t)),
                    ],
                )
                .await,
            );
        }
        let low1 = preview(&mut c, tasks[0], "a", 1, 1, "ready").await;
        let low2 = preview(&mut c, tasks[0], "a", 2, 1, "broken").await;
        let low2b = preview(&mut c, tasks[0], "b", 2, 2, "processing").await;
        let high = preview(&mut c, tasks[1], "a", 1, 1, "ready").await;
        let unset = preview(&mut c, tasks[2], "a", 4, 1, "ready").await;

        let got = previews::entity_previews_by_task_type(&mut c, shot)
            .await
            .unwrap();
        let keys: Vec<&String> = got.keys().collect();
        let want: Vec<String> = [types[2], types[1], types[0]]
            .iter()
            .map(Uuid::to_string)
            .collect();
        assert_eq!(keys, want.iter().collect::<Vec<_>>());
        let low = &got[&types[0].to_string()];
        assert_eq!(ids(low), vec![low2.to_string(), low1.to_string()]);
        assert_eq!(ids(&low[0]["previews"]), vec![low2b.to_string()]);
        assert_eq!(low[0]["status"], json!("broken"));
        assert_eq!(low[0]["previews"][0]["position"], json!(2));
        assert_eq!(
            low[0]["previews"][0]["task_type_id"],
            json!(types[0].to_string())
        );
        assert_eq!(low[1]["previews"], json!([]));
        assert_eq!(ids(&got[&types[1].to_string()]), vec![high.to_string()]);
        assert_eq!(ids(&got[&types[2].to_string()]), vec![unset.to_string()]);
    }
}

/// A forced task removal takes its previews; the entity showing one gets
/// the newest ready main preview of its other tasks when the production
/// sets it automatically; a preview removal restores the task's last
/// preview; a production removal leaves no preview.
#[tokio::test]
async fn deletes_take_previews_and_restore_the_main_preview() {
    for b in backends("fennec_pv").await {
        let mut c = b.db.conn().await.unwrap();
        let p = insert(
            &mut c,
            &models::PROJECT,
            &[
                ("name", SqlValue::Text("Prev".into())),
                ("is_set_preview_automated", SqlValue::Bool(true)),
            ],
        )
        .await;
        let shot_type = defaults::entity_type_id(&mut c, "Shot").await.unwrap();
        let shot = insert(
            &mut c,
            &models::ENTITY,
            &[
                ("name", SqlValue::Text("SH010".into())),
                ("project_id", SqlValue::Uuid(p)),
                ("entity_type_id", SqlValue::Uuid(shot_type)),
            ],
        )
        .await;
        let tt = insert(
            &mut c,
            &models::TASK_TYPE,
            &[("name", SqlValue::Text("T".into()))],
        )
        .await;
        let mut tasks = Vec::new();
        for name in ["one", "two"] {
            tasks.push(
                insert(
                    &mut c,
                    &models::TASK,
                    &[
                        ("name", SqlValue::Text(name.into())),
                        ("project_id", SqlValue::Uuid(p)),
                        ("entity_id", SqlValue::Uuid(shot)),
                        ("task_type_id", SqlValue::Uuid(tt)),
                    ],
                )
                .await,
            );
        }
        let gone = preview(&mut c, tasks[0], "a", 1, 1, "ready").await;
        let kept_old = preview(&mut c, tasks[1], "a", 1, 1, "ready").await;
        let kept_new = preview(&mut c, tasks[1], "a", 2, 1, "ready").await;
        // Not a candidate: not ready.
        let processing = preview(&mut c, tasks[1], "a", 3, 1, "processing").await;
        set_entity_preview(&mut c, shot, gone).await;

        assert!(cascade::task_has_history(&mut c, tasks[0]).await.unwrap());
        // The removal names the files of what went, for after the commit.
        let files = cascade::remove_tasks(&mut c, Tasks::One(tasks[0]))
            .await
            .unwrap();
        assert_eq!(files.previews, vec![(gone, Some("png".to_owned()))]);
        assert!(files.attachments.is_empty());
        assert!(rows::get(&mut c, &models::PREVIEW_FILE, gone, false)
            .await
            .unwrap()
            .is_none());
        assert_eq!(
            entity_preview(&mut c, shot).await,
            json!(kept_new.to_string())
        );

        let col = models::TASK.column("last_preview_file_id").unwrap();
        rows::update(
            &mut c,
            &models::TASK,
            tasks[1],
            vec![(col, SqlValue::Uuid(kept_new))],
        )
        .await
        .unwrap();
        assert_eq!(
            cascade::remove_preview_file(&mut c, kept_new)
                .await
                .unwrap()
                .map(|f| f.previews),
            Some(vec![(kept_new, Some("png".to_owned()))])
        );
        let task = rows::get(&mut c, &models::TASK, tasks[1], false)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(task["last_preview_file_id"], json!(kept_old.to_string()));
        assert_eq!(
            entity_preview(&mut c, shot).await,
            json!(kept_old.to_string())
        );
        assert!(cascade::remove_preview_file(&mut c, kept_new)
            .await
            .unwrap()
            .is_none());

        let files = cascade::remove_project(&mut c, p).await.unwrap();
        let mut named: Vec<Uuid> = files.previews.iter().map(|(id, _)| *id).collect();
        named.sort();
        let mut expected = vec![kept_old, processing];
        expected.sort();
        assert_eq!(named, expected);
        let left = rows::list(&mut c, &models::PREVIEW_FILE, &Select::default(), false)
            .await
            .unwrap();
        assert!(left.is_empty());
    }
}

/// An upload's bookkeeping (issue 14): the task's next revision and
/// position, a main revision taken, comment links (gone with the comment),
/// and a ready main preview becoming the task's last preview and, when the
/// production sets them automatically, the entity's.
#[tokio::test]
async fn upload_revisions_links_and_ready_previews() {
    for b in backends("fennec_pvu").await {
        let mut c = b.db.conn().await.unwrap();
        let p = insert(
            &mut c,
            &models::PROJECT,
            &[
                ("name", SqlValue::Text("Upl".into())),
                ("is_set_preview_automated", SqlValue::Bool(true)),
            ],
        )
        .await;
        let shot_type = defaults::entity_type_id(&mut c, "Shot").await.unwrap();
        let shot = insert(
            &mut c,
            &models::ENTITY,
            &[
                ("name", SqlValue::Text("SH010".into())),
                ("project_id", SqlValue::Uuid(p)),
                ("entity_type_id", SqlValue::Uuid(shot_type)),
            ],
        )
        .await;
        let tt = insert(
            &mut c,
            &models::TASK_TYPE,
            &[("name", SqlValue::Text("Upl anim".into()))],
        )
        .await;
        let task = insert(
            &mut c,
            &models::TASK,
            &[
                ("project_id", SqlValue::Uuid(p)),
                ("entity_id", SqlValue::Uuid(shot)),
                ("task_type_id", SqlValue::Uuid(tt)),
            ],
        )
        .await;
        assert_eq!(previews::next_revision(&mut c, task).await.unwrap(), 1);
        let first = preview(&mut c, task, "a", 1, 1, "processing").await;
        preview(&mut c, task, "b", 1, 2, "processing").await;
        assert_eq!(previews::next_revision(&mut c, task).await.unwrap(), 2);
        assert_eq!(previews::next_position(&mut c, task, 1).await.unwrap(), 3);
        assert_eq!(previews::next_position(&mut c, task, 4).await.unwrap(), 1);
        assert!(previews::main_revision_taken(&mut c, task, 1)
            .await
            .unwrap());
        assert!(!previews::main_revision_taken(&mut c, task, 2)
            .await
            .unwrap());

        let comment = insert(
            &mut c,
            &models::COMMENT,
            &[
                ("object_id", SqlValue::Uuid(task)),
                ("object_type", SqlValue::Text("Task".into())),
            ],
        )
        .await;
        previews::link_to_comment(&mut c, comment, first)
            .await
            .unwrap();
        assert_eq!(
            previews::comment_preview_revisions(&mut c, comment)
                .await
                .unwrap(),
            vec![1]
        );
        assert_eq!(
            previews::comments_of(&mut c, first).await.unwrap(),
            vec![comment]
        );

        // Only a main preview counts; this production sets the entity's.
        let second = preview(&mut c, task, "c", 2, 2, "ready").await;
        assert_eq!(
            previews::preview_ready(&mut c, second, task, 2)
                .await
                .unwrap(),
            None
        );
        assert_eq!(
            previews::preview_ready(&mut c, first, task, 1)
                .await
                .unwrap(),
            Some(shot)
        );
        let t = rows::get(&mut c, &models::TASK, task, false)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(t["last_preview_file_id"], json!(first.to_string()));
        assert_eq!(entity_preview(&mut c, shot).await, json!(first.to_string()));

        // Zou's remove_comment takes the comment's previews with it.
        let (_, files) = cascade::remove_comment(&mut c, comment).await.unwrap();
        assert_eq!(files.previews, vec![(first, Some("png".to_owned()))]);
        assert!(previews::comments_of(&mut c, first)
            .await
            .unwrap()
            .is_empty());
        assert!(rows::get(&mut c, &models::PREVIEW_FILE, first, false)
            .await
            .unwrap()
            .is_none());
    }
}

/// The heartbeat of an encode keeps its preview out of the start-up
/// recovery's stale set; a finished preview takes no heartbeat and is
/// never stale, whatever its age.
#[tokio::test]
async fn heartbeat_keeps_a_processing_preview_alive() {
    for b in backends("fennec_pvhb").await {
        let mut c = b.db.conn().await.unwrap();
        let p = insert(
            &mut c,
            &models::PROJECT,
            &[("name", SqlValue::Text("Beat".into()))],
        )
        .await;
        let tt = insert(
            &mut c,
            &models::TASK_TYPE,
            &[("name", SqlValue::Text("Beat".into()))],
        )
        .await;
        let task = insert(
            &mut c,
            &models::TASK,
            &[
                ("project_id", SqlValue::Uuid(p)),
                ("task_type_id", SqlValue::Uuid(tt)),
            ],
        )
        .await;
        let now = fennec_api::time::now();
        let old = now - chrono::Duration::seconds(600);
        let mut made = Vec::new();
        for (name, status) in [("a", "processing"), ("b", "processing"), ("c", "ready")] {
            made.push(
                insert(
                    &mut c,
                    &models::PREVIEW_FILE,
                    &[
                        ("task_id", SqlValue::Uuid(task)),
                        ("name", SqlValue::Text(name.into())),
                        ("revision", SqlValue::Int(1)),
                        ("status", SqlValue::Text(status.into())),
                        ("updated_at", SqlValue::DateTime(old)),
                    ],
                )
                .await,
            );
        }
        let cutoff = now - chrono::Duration::seconds(150);
        let stale = previews::stale_processing(&mut c, cutoff).await.unwrap();
        assert_eq!(stale, vec![made[0], made[1]]);
        assert!(previews::touch_processing(&mut c, made[0], now)
            .await
            .unwrap());
        assert!(!previews::touch_processing(&mut c, made[2], now)
            .await
            .unwrap());
        let stale = previews::stale_processing(&mut c, cutoff).await.unwrap();
        assert_eq!(stale, vec![made[1]]);
    }
}
