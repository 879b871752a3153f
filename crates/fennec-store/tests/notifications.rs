//! Notifications, subscriptions and news (`fennec_store::notifications`):
//! who a task's comment reaches, the caller's list with its joins, the
//! feed's page and stats, and Zou's cascade when a comment or a task goes,
//! on SQLite and — when `FENNEC_TEST_DATABASE_URL` names a PostgreSQL
//! server — on a fresh PostgreSQL database too.

mod common;
use common::{backends, insert};

use fennec_api::models;
use fennec_store::cascade::{self, Tasks};
use fennec_store::links;
use fennec_store::notifications::{
    self as store, NewNews, NewNotification, NewsQuery, NotificationQuery,
};
use fennec_store::{defaults, SqlValue};
use serde_json::json;
use uuid::Uuid;

async fn person(c: &mut fennec_store::Conn, name: &str) -> Uuid {
    insert(
        c,
        &models::PERSON,
        &[
            ("first_name", SqlValue::Text(name.into())),
            ("last_name", SqlValue::Text("N".into())),
        ],
    )
    .await
}

fn note(
    person: Uuid,
    author: Uuid,
    comment: Uuid,
    task: Uuid,
    kind: &'static str,
) -> NewNotification {
    NewNotification {
        person,
        author,
        comment: Some(comment),
        task: Some(task),
        reply: None,
        change: true,
        kind,
        created_at: None,
    }
}

#[tokio::test]
async fn recipients_lists_and_cascade() {
    for b in backends("fennec_notif").await {
        let mut c = b.db.conn().await.unwrap();
        let p = insert(
            &mut c,
            &models::PROJECT,
            &[("name", SqlValue::Text("Notes".into()))],
        )
        .await;
        let seq_type = defaults::entity_type_id(&mut c, "Sequence").await.unwrap();
        let shot_type = defaults::entity_type_id(&mut c, "Shot").await.unwrap();
        let sequence = insert(
            &mut c,
            &models::ENTITY,
            &[
                ("name", SqlValue::Text("SQ01".into())),
                ("project_id", SqlValue::Uuid(p)),
                ("entity_type_id", SqlValue::Uuid(seq_type)),
            ],
        )
        .await;
        let shot = insert(
            &mut c,
            &models::ENTITY,
            &[
                ("name", SqlValue::Text("SH01".into())),
                ("project_id", SqlValue::Uuid(p)),
                ("entity_type_id", SqlValue::Uuid(shot_type)),
                ("parent_id", SqlValue::Uuid(sequence)),
            ],
        )
        .await;
        let tt = insert(
            &mut c,
            &models::TASK_TYPE,
            &[("name", SqlValue::Text("Anim".into()))],
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
        let (author, artist, watcher, lead) = (
            person(&mut c, "Author").await,
            person(&mut c, "Artist").await,
            person(&mut c, "Watcher").await,
            person(&mut c, "Lead").await,
        );
        links::TASK_ASSIGNEES
            .add(&mut c, task, artist)
            .await
            .unwrap();
        store::subscribe_to_task(&mut c, watcher, task)
            .await
            .unwrap();
        // Subscribing twice keeps one subscription.
        store::subscribe_to_task(&mut c, watcher, task)
            .await
            .unwrap();
        // The lead follows the sequence's tasks of this type (Zou's
        // deprecated sequence subscription).
        insert(
            &mut c,
            &models::SUBSCRIPTION,
            &[
                ("person_id", SqlValue::Uuid(lead)),
                ("entity_id", SqlValue::Uuid(sequence)),
                ("task_type_id", SqlValue::Uuid(tt)),
            ],
        )
        .await;
        assert_eq!(
            store::task_recipients(&mut c, task).await.unwrap(),
            vec![artist, watcher, lead]
        );
        assert_eq!(
            store::project_subscriptions(&mut c, p).await.unwrap().len(),
            1
        );

        let comment = insert(
            &mut c,
            &models::COMMENT,
            &[
                ("object_id", SqlValue::Uuid(task)),
                ("object_type", SqlValue::Text("Task".into())),
                ("text", SqlValue::Text("hello".into())),
                ("person_id", SqlValue::Uuid(author)),
            ],
        )
        .await;
        for who in [artist, watcher] {
            store::insert_notification(&mut c, note(who, author, comment, task, "comment"))
                .await
                .unwrap();
        }
        store::insert_news(
            &mut c,
            NewNews {
                author,
                comment: Some(comment),
                task,
                preview_file: None,
                change: true,
                created_at: fennec_api::time::now(),
            },
        )
        .await
        .unwrap();

        let listed = store::notifications_for(&mut c, watcher, &NotificationQuery::default())
            .await
            .unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].comment_text, json!("hello"));
        assert_eq!(listed[0].project_name, json!("Notes"));
        assert!(listed[0].subscription_id.is_string());
        let unwatched = NotificationQuery {
            watching: Some(false),
            ..NotificationQuery::default()
        };
        assert_eq!(
            store::notifications_for(&mut c, artist, &unwatched)
                .await
                .unwrap()
                .len(),
            1
        );
        assert_eq!(store::unread_count(&mut c, artist).await.unwrap(), 1);
        store::mark_all_read(&mut c, artist).await.unwrap();
        assert_eq!(store::unread_count(&mut c, artist).await.unwrap(), 0);
        assert_eq!(store::unread_count(&mut c, watcher).await.unwrap(), 1);

        let q = NewsQuery {
            project_ids: vec![p],
            ..NewsQuery::default()
        };
        let (total, page) = store::news_page(&mut c, &q, 50, 0).await.unwrap();
        assert_eq!((total, page.len()), (1, 1));
        assert_eq!(store::news_stats(&mut c, &q).await.unwrap().len(), 1);

        // A removed comment takes its notifications and news.
        let _ = cascade::remove_comment(&mut c, comment).await.unwrap();
        assert_eq!(store::news_page(&mut c, &q, 50, 0).await.unwrap().0, 0);
        assert_eq!(
            store::project_notifications(&mut c, p, None)
                .await
                .unwrap()
                .0,
            0
        );

        // A removed task takes its subscriptions and assignment notices.
        store::insert_notification(
            &mut c,
            NewNotification {
                comment: None,
                kind: "assignation",
                ..note(artist, author, comment, task, "assignation")
            },
        )
        .await
        .unwrap();
        let _ = cascade::remove_tasks(&mut c, Tasks::One(task))
            .await
            .unwrap();
        assert!(store::project_subscriptions(&mut c, p)
            .await
            .unwrap()
            .is_empty());
        assert!(
            store::notifications_for(&mut c, artist, &NotificationQuery::default())
                .await
                .unwrap()
                .is_empty()
        );
    }
}
