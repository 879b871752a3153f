//! Entity chats (`fennec_store::chats`): one chat per entity however many
//! first reads race, participants, messages and a person's chats with the
//! entity names Zou builds, on SQLite and — when `FENNEC_TEST_DATABASE_URL`
//! names a PostgreSQL server — on a fresh PostgreSQL database too.

mod common;
use common::{backends, id, insert};

use fennec_api::models;
use fennec_store::chats;
use fennec_store::rows::{self, Select};
use fennec_store::{defaults, SqlValue};
use uuid::Uuid;

async fn status(c: &mut fennec_store::Conn, name: &str) -> Uuid {
    let select = Select::default().eq("name", SqlValue::Text(name.into()));
    let found = rows::list(c, &models::PROJECT_STATUS, &select, false)
        .await
        .unwrap();
    id(&found[0])
}

async fn entity(
    c: &mut fennec_store::Conn,
    project: Uuid,
    kind: &str,
    name: &str,
    parent: Option<Uuid>,
) -> Uuid {
    let kind = defaults::entity_type_id(c, kind).await.unwrap();
    let mut values = vec![
        ("name", SqlValue::Text(name.into())),
        ("project_id", SqlValue::Uuid(project)),
        ("entity_type_id", SqlValue::Uuid(kind)),
    ];
    if let Some(p) = parent {
        values.push(("parent_id", SqlValue::Uuid(p)));
    }
    insert(c, &models::ENTITY, &values).await
}

async fn person(c: &mut fennec_store::Conn, name: &str) -> Uuid {
    insert(
        c,
        &models::PERSON,
        &[
            ("first_name", SqlValue::Text(name.into())),
            ("last_name", SqlValue::Text("Chat".into())),
        ],
    )
    .await
}

#[tokio::test]
async fn first_reads_racing_make_one_chat() {
    for b in backends("fennec_chat_race").await {
        let mut c = b.db.conn().await.unwrap();
        let open = status(&mut c, "Open").await;
        let p = insert(
            &mut c,
            &models::PROJECT,
            &[
                ("name", SqlValue::Text("Race".into())),
                ("project_status_id", SqlValue::Uuid(open)),
            ],
        )
        .await;
        let shot = entity(&mut c, p, "Shot", "SH010", None).await;
        drop(c);
        let reads = (0..8).map(|_| {
            let db = b.db.clone();
            tokio::spawn(async move {
                let mut c = db.conn().await.unwrap();
                id(&chats::chat_for(&mut c, shot).await.unwrap())
            })
        });
        let mut ids = Vec::new();
        for r in reads {
            ids.push(r.await.unwrap());
        }
        ids.dedup();
        assert_eq!(ids.len(), 1, "one chat per entity");
        let mut c = b.db.conn().await.unwrap();
        let all = rows::list(&mut c, &models::CHAT, &Select::default(), false)
            .await
            .unwrap();
        assert_eq!(all.len(), 1);
    }
}

#[tokio::test]
async fn participants_messages_and_a_persons_chats() {
    for b in backends("fennec_chat").await {
        let mut c = b.db.conn().await.unwrap();
        let open = status(&mut c, "Open").await;
        let closed = status(&mut c, "Closed").await;
        let project = |name: &str, s: Uuid| {
            vec![
                ("name", SqlValue::Text(name.into())),
                ("project_status_id", SqlValue::Uuid(s)),
            ]
        };
        let p = insert(&mut c, &models::PROJECT, &project("Open one", open)).await;
        let q = insert(&mut c, &models::PROJECT, &project("Closed one", closed)).await;
        let ep = entity(&mut c, p, "Episode", "E01", None).await;
        let seq = entity(&mut c, p, "Sequence", "SQ01", Some(ep)).await;
        let shot = entity(&mut c, p, "Shot", "SH010", Some(seq)).await;
        let lone_seq = entity(&mut c, p, "Sequence", "SQ02", None).await;
        let lone_shot = entity(&mut c, p, "Shot", "SH020", Some(lone_seq)).await;
        let hero = entity(&mut c, p, "Character", "Hero", None).await;
        let far = entity(&mut c, q, "Shot", "SH900", None).await;
        let ann = person(&mut c, "Ann").await;
        let bob = person(&mut c, "Bob").await;

        for e in [shot, seq, ep, lone_shot, hero, far] {
            let chat = id(&chats::chat_for(&mut c, e).await.unwrap());
            chats::CHAT_PARTICIPANTS
                .add(&mut c, chat, ann)
                .await
                .unwrap();
            // Joining twice keeps one link.
            chats::CHAT_PARTICIPANTS
                .add(&mut c, chat, ann)
                .await
                .unwrap();
        }
        let mine = chats::chats_of_person(&mut c, ann).await.unwrap();
        let names: Vec<(Uuid, String)> = mine
            .iter()
            .map(|x| (x.object_id, x.entity_name.clone()))
            .collect();
        assert_eq!(
            names,
            vec![
                (shot, "E01 / SQ01 / SH010".to_owned()),
                (seq, "E01 / SQ01".to_owned()),
                (ep, "E01".to_owned()),
                (lone_shot, "SQ02 / SH020".to_owned()),
                (hero, "Character / Hero".to_owned()),
            ],
            "the closed production's chat is left out"
        );
        assert!(mine.iter().all(|x| x.project_id == p));
        assert!(chats::chats_of_person(&mut c, bob)
            .await
            .unwrap()
            .is_empty());

        let chat = chats::chat_for(&mut c, shot).await.unwrap();
        let chat_id = id(&chat);
        assert!(chat["last_message"].is_null());
        let first = chats::add_message(&mut c, chat_id, ann, "hello")
            .await
            .unwrap();
        let second = chats::add_message(&mut c, chat_id, bob, "hi")
            .await
            .unwrap();
        let listed = chats::messages(&mut c, chat_id).await.unwrap();
        assert_eq!(
            listed.iter().map(id).collect::<Vec<_>>(),
            vec![id(&first), id(&second)]
        );
        let chat = chats::chat_for(&mut c, shot).await.unwrap();
        assert_eq!(chat["last_message"], second["created_at"]);
        let shown = chats::with_participants(&mut c, chat).await.unwrap();
        let keys: Vec<&str> = shown.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "object_id",
                "object_type",
                "last_message",
                "participants",
                "id",
                "created_at",
                "updated_at",
                "type"
            ]
        );
        assert_eq!(shown["participants"], serde_json::json!([ann.to_string()]));
        assert!(chats::delete_message(&mut c, id(&first)).await.unwrap());
        assert!(!chats::delete_message(&mut c, id(&first)).await.unwrap());
        assert_eq!(chats::messages(&mut c, chat_id).await.unwrap().len(), 1);
        assert!(chats::CHAT_PARTICIPANTS
            .remove(&mut c, chat_id, ann)
            .await
            .unwrap());
        let left: Vec<Uuid> = chats::chats_of_person(&mut c, ann)
            .await
            .unwrap()
            .iter()
            .map(|x| x.object_id)
            .collect();
        assert!(!left.contains(&shot));
    }
}
