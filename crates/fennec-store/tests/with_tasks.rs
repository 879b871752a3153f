//! The with-tasks boards' reads (`fennec_store::with_tasks`), on SQLite and —
//! when `FENNEC_TEST_DATABASE_URL` names a PostgreSQL server — on a fresh
//! PostgreSQL database too.

mod common;
use common::{backends, insert};

use fennec_api::models;
use fennec_store::rows;
use fennec_store::with_tasks::{self as wt, Board, Criteria, Episode};
use fennec_store::{defaults, links, SqlValue};
use uuid::Uuid;

async fn entity(
    c: &mut fennec_store::Conn,
    project: Uuid,
    kind: &str,
    name: &str,
    parent: Option<Uuid>,
) -> Uuid {
    let t = defaults::entity_type_id(c, kind).await.unwrap();
    let mut v = vec![
        ("name", SqlValue::Text(name.into())),
        ("project_id", SqlValue::Uuid(project)),
        ("entity_type_id", SqlValue::Uuid(t)),
    ];
    if let Some(p) = parent {
        v.push(("parent_id", SqlValue::Uuid(p)));
    }
    insert(c, &models::ENTITY, &v).await
}

async fn task(c: &mut fennec_store::Conn, project: Uuid, entity: Uuid, name: &str) -> Uuid {
    insert(
        c,
        &models::TASK,
        &[
            ("name", SqlValue::Text(name.into())),
            ("project_id", SqlValue::Uuid(project)),
            ("entity_id", SqlValue::Uuid(entity)),
        ],
    )
    .await
}

async fn person(c: &mut fennec_store::Conn, name: &str) -> Uuid {
    insert(
        c,
        &models::PERSON,
        &[
            ("first_name", SqlValue::Text(name.into())),
            ("last_name", SqlValue::Text(name.into())),
            ("email", SqlValue::Text(format!("{name}@example.com"))),
        ],
    )
    .await
}

/// Shots by episode, their tasks and assignees in order; a vendor's board
/// keeps the shots holding one of his tasks, only those tasks, and their
/// other assignees.
#[tokio::test]
async fn shot_board_filters_and_narrows_to_the_assignee() {
    for b in backends("fennec_wt").await {
        let mut c = b.db.conn().await.unwrap();
        let p = insert(
            &mut c,
            &models::PROJECT,
            &[("name", SqlValue::Text("Board".into()))],
        )
        .await;
        let ep1 = entity(&mut c, p, "Episode", "E01", None).await;
        let ep2 = entity(&mut c, p, "Episode", "E02", None).await;
        let sq1 = entity(&mut c, p, "Sequence", "SQ01", Some(ep1)).await;
        let sq2 = entity(&mut c, p, "Sequence", "SQ02", Some(ep2)).await;
        let sh1 = entity(&mut c, p, "Shot", "SH010", Some(sq1)).await;
        let sh2 = entity(&mut c, p, "Shot", "SH020", Some(sq1)).await;
        let sh3 = entity(&mut c, p, "Shot", "SH030", Some(sq2)).await;
        let a = task(&mut c, p, sh1, "anim").await;
        let l = task(&mut c, p, sh1, "layout").await;
        let x = task(&mut c, p, sh3, "anim").await;
        let artist = person(&mut c, "artist").await;
        let vendor = person(&mut c, "vendor").await;
        links::TASK_ASSIGNEES.add(&mut c, l, vendor).await.unwrap();
        links::TASK_ASSIGNEES.add(&mut c, l, artist).await.unwrap();
        links::TASK_ASSIGNEES.add(&mut c, a, artist).await.unwrap();

        let shot_type = defaults::entity_type_id(&mut c, "Shot").await.unwrap();
        let mut crit = Criteria::new(Board::Shot);
        crit.entity_type_id = Some(shot_type);
        crit.project_id = Some(p);
        let all = wt::board(&mut c, &b.db, &crit).await.unwrap();
        let ids: Vec<Uuid> = all.entities.iter().map(|e| e.id).collect();
        assert_eq!(ids, vec![sh1, sh2, sh3]);
        let first = &all.entities[0];
        assert_eq!(first.grandparent_id, Some(ep1));
        assert_eq!(first.grandparent_name.as_deref(), Some("E01"));
        assert_eq!(first.parent_name.as_deref(), Some("SQ01"));
        let tasks: Vec<Uuid> = all.tasks[&sh1].iter().map(|t| t.id).collect();
        assert_eq!(tasks, vec![a, l]);
        assert_eq!(all.assignees[&l], vec![vendor, artist]);
        assert_eq!(all.tasks[&sh3][0].id, x);
        assert!(!all.tasks.contains_key(&sh2));

        crit.episode = Some(Episode::Id(ep2));
        let ep = wt::board(&mut c, &b.db, &crit).await.unwrap();
        assert_eq!(
            ep.entities.iter().map(|e| e.id).collect::<Vec<_>>(),
            vec![sh3]
        );
        crit.episode = Some(Episode::All);
        assert_eq!(
            wt::board(&mut c, &b.db, &crit)
                .await
                .unwrap()
                .entities
                .len(),
            3
        );
        // "main" names no episode's shots (Zou's query fails on it).
        crit.episode = Some(Episode::Main);
        assert!(wt::board(&mut c, &b.db, &crit)
            .await
            .unwrap()
            .entities
            .is_empty());

        crit.episode = None;
        crit.assigned_to = Some(vendor);
        let mine = wt::board(&mut c, &b.db, &crit).await.unwrap();
        assert_eq!(
            mine.entities.iter().map(|e| e.id).collect::<Vec<_>>(),
            vec![sh1]
        );
        assert_eq!(
            mine.tasks[&sh1].iter().map(|t| t.id).collect::<Vec<_>>(),
            vec![l]
        );
        assert_eq!(mine.assignees[&l], vec![vendor, artist]);
        assert!(!mine.assignees.contains_key(&a));

        // The vendor's sequences and episodes: those above his shots.
        let seqs = wt::assigned_parents(&mut c, vendor, p, None, false)
            .await
            .unwrap();
        assert_eq!(seqs, vec![sq1]);
        let eps = wt::assigned_parents(&mut c, vendor, p, None, true)
            .await
            .unwrap();
        assert_eq!(eps, vec![ep1]);
        let none = wt::assigned_parents(&mut c, vendor, p, Some(ep2), false)
            .await
            .unwrap();
        assert!(none.is_empty());
    }
}

/// Assets: every non-temporal type, by type name then name; `main` is the
/// assets of no episode; an episode is their source or their casting.
#[tokio::test]
async fn asset_board_orders_and_filters_by_episode() {
    for b in backends("fennec_wt").await {
        let mut c = b.db.conn().await.unwrap();
        let p = insert(
            &mut c,
            &models::PROJECT,
            &[("name", SqlValue::Text("Assets".into()))],
        )
        .await;
        let ep1 = entity(&mut c, p, "Episode", "E01", None).await;
        let ep2 = entity(&mut c, p, "Episode", "E02", None).await;
        entity(&mut c, p, "Character", "Villain", None).await;
        let cup = entity(&mut c, p, "Prop", "Cup", None).await;
        let hero = entity(&mut c, p, "Character", "Hero", None).await;
        rows::update(
            &mut c,
            &models::ENTITY,
            hero,
            vec![(
                models::ENTITY.column("source_id").unwrap(),
                SqlValue::Uuid(ep1),
            )],
        )
        .await
        .unwrap();
        let link = &models::ENTITY_LINK;
        insert(
            &mut c,
            link,
            &[
                ("entity_in_id", SqlValue::Uuid(ep2)),
                ("entity_out_id", SqlValue::Uuid(cup)),
            ],
        )
        .await;

        let mut crit = Criteria::new(Board::Asset);
        crit.project_id = Some(p);
        let names = |b: wt::BoardRows| b.entities.into_iter().map(|e| e.name).collect::<Vec<_>>();
        assert_eq!(
            names(wt::board(&mut c, &b.db, &crit).await.unwrap()),
            ["Hero", "Villain", "Cup"]
        );
        crit.episode = Some(Episode::Main);
        assert_eq!(
            names(wt::board(&mut c, &b.db, &crit).await.unwrap()),
            ["Villain", "Cup"]
        );
        crit.episode = Some(Episode::Id(ep1));
        assert_eq!(
            names(wt::board(&mut c, &b.db, &crit).await.unwrap()),
            ["Hero"]
        );
        crit.episode = Some(Episode::Id(ep2));
        assert_eq!(
            names(wt::board(&mut c, &b.db, &crit).await.unwrap()),
            ["Cup"]
        );

        let casting = wt::casting_episodes(&mut c, p, None, None).await.unwrap();
        assert_eq!(casting.get(&cup), Some(&vec![ep2]));
        assert!(!casting.contains_key(&hero));

        // Only the productions of the caller's teams.
        let outsider = person(&mut c, "outsider").await;
        crit.episode = None;
        crit.team_of = Some(outsider);
        assert!(wt::board(&mut c, &b.db, &crit)
            .await
            .unwrap()
            .entities
            .is_empty());
        links::PROJECT_TEAM.add(&mut c, p, outsider).await.unwrap();
        assert_eq!(
            wt::board(&mut c, &b.db, &crit)
                .await
                .unwrap()
                .entities
                .len(),
            3
        );
    }
}
