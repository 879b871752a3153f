//! `fennec seed` end to end: the binary on a fresh SQLite file (and on a
//! fresh PostgreSQL database when `FENNEC_TEST_DATABASE_URL` is set), then
//! the data checked with SQL: counts, the server's status side effects,
//! durations, determinism.

use std::process::Command;

use fennec_store::{on, Db};
use uuid::Uuid;

const ARGS: &[&str] = &["--scale", "1", "--seed", "7", "--today", "2024-06-05"];

fn seed(url: &str, project: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_fennec"))
        .arg("seed")
        .args(ARGS)
        .args(["--project", project, "--database", url, "--quiet"])
        .output()
        .expect("running fennec seed")
}

fn databases() -> Vec<(String, Option<tempfile::TempDir>)> {
    let mut v = Vec::new();
    for _ in 0..2 {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("seed.db").display());
        v.push((url, Some(dir)));
    }
    if let Ok(base) = std::env::var("FENNEC_TEST_DATABASE_URL") {
        for _ in 0..2 {
            let name = format!("fennec_seed_{}", Uuid::new_v4().simple());
            let url = match base.rfind('/') {
                Some(i) if i > "postgres://".len() => format!("{}/{}", &base[..i], name),
                _ => format!("{base}/{name}"),
            };
            v.push((url, None));
        }
    }
    v
}

async fn scalar(db: &Db, sql: &str) -> i64 {
    let mut conn = db.conn().await.unwrap();
    on!(&mut conn, c => sqlx::query_scalar::<_, i64>(sql).fetch_one(&mut *c).await.unwrap())
}

/// Tasks as comparable text: everything but the timestamps of creation.
async fn task_dump(db: &Db) -> Vec<String> {
    let sql = "SELECT t.id, t.priority, t.estimation, t.duration, t.retake_count, \
               t.start_date, t.due_date, t.real_start_date, t.end_date, t.done_date, \
               s.short_name, e.name FROM tasks t JOIN task_statuses s ON s.id = t.task_status_id \
               JOIN entities e ON e.id = t.entity_id ORDER BY t.seq";
    type Dump = (
        Uuid,
        i64,
        f64,
        f64,
        i64,
        Option<chrono::NaiveDateTime>,
        Option<chrono::NaiveDateTime>,
        Option<chrono::NaiveDateTime>,
        Option<chrono::NaiveDateTime>,
        Option<chrono::NaiveDateTime>,
        String,
        String,
    );
    let mut conn = db.conn().await.unwrap();
    let rows: Vec<Dump> =
        on!(&mut conn, c => sqlx::query_as(sql).fetch_all(&mut *c).await.unwrap());
    rows.iter().map(|r| format!("{r:?}")).collect()
}

#[tokio::test]
async fn seeds_a_consistent_deterministic_production() {
    let dbs = databases();
    let mut dumps = Vec::new();
    for (url, _dir) in &dbs {
        let out = seed(url, "Seed Test");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains("fennec-seed"), "{stdout}");
        assert!(
            stdout.contains("artist1.seed-test@seed.example.com"),
            "{stdout}"
        );

        let db = Db::connect(url).await.unwrap();
        let count = |table: &str| format!("SELECT COUNT(*) FROM {table}");
        assert_eq!(scalar(&db, &count("tasks")).await, 720);
        assert_eq!(scalar(&db, &count("entities")).await, 3 + 12 + 120 + 30);
        assert_eq!(scalar(&db, &count("project_person_link")).await, 8);
        assert_eq!(scalar(&db, &count("project_task_type_link")).await, 9);
        assert_eq!(
            scalar(
                &db,
                "SELECT COUNT(*) FROM projects WHERE production_type = 'tvshow'"
            )
            .await,
            1
        );
        let assigned = scalar(&db, "SELECT COUNT(DISTINCT task_id) FROM assignations").await;
        assert!((600..=690).contains(&assigned), "{assigned} assigned");
        // The last week's notifications are unread, older ones read.
        let unread = scalar(&db, "SELECT COUNT(*) FROM notifications WHERE NOT read").await;
        let read = scalar(&db, "SELECT COUNT(*) FROM notifications WHERE read").await;
        assert!(unread > 0 && read > unread, "{unread} unread, {read} read");
        for status in ["todo", "wip", "done"] {
            let n = scalar(
                &db,
                &format!(
                    "SELECT COUNT(*) FROM tasks t JOIN task_statuses s ON s.id = t.task_status_id \
                     WHERE s.short_name = '{status}'"
                ),
            )
            .await;
            assert!(n > 0, "no task {status}");
        }

        // What the server maintains on every write holds for seeded data.
        let broken = [
            // duration is the sum of the time spents
            "SELECT COUNT(*) FROM tasks t WHERE abs(t.duration - (SELECT COALESCE(SUM(duration), 0) \
             FROM time_spents s WHERE s.task_id = t.id)) > 0.001",
            // retake_count counts the retakes
            "SELECT COUNT(*) FROM tasks t WHERE t.retake_count != (SELECT COUNT(*) FROM comments m \
             JOIN task_statuses s ON s.id = m.task_status_id WHERE m.object_id = t.id \
             AND s.short_name = 'retake')",
            // last_comment_date is the last comment's
            "SELECT COUNT(*) FROM tasks t WHERE t.last_comment_date IS DISTINCT FROM \
             (SELECT MAX(created_at) FROM comments m WHERE m.object_id = t.id)",
            // the status is the last comment's
            "SELECT COUNT(*) FROM tasks t WHERE EXISTS (SELECT 1 FROM comments m WHERE \
             m.object_id = t.id AND m.created_at = t.last_comment_date \
             AND m.task_status_id != t.task_status_id)",
            // started tasks have a real start, done ones a done date, others none
            "SELECT COUNT(*) FROM tasks t JOIN task_statuses s ON s.id = t.task_status_id \
             WHERE (s.short_name = 'todo') = (t.real_start_date IS NOT NULL) \
             OR (s.short_name = 'done') != (t.done_date IS NOT NULL) \
             OR (s.short_name IN ('wfa', 'done', 'retake')) != (t.end_date IS NOT NULL)",
            // nothing happens in the future, nor before the task's start
            "SELECT COUNT(*) FROM comments WHERE created_at >= '2024-06-05'",
            "SELECT COUNT(*) FROM tasks WHERE real_start_date < start_date",
            // things are created after what they belong to, before work starts
            "SELECT COUNT(*) FROM tasks t JOIN entities e ON e.id = t.entity_id \
             WHERE t.created_at <= e.created_at OR t.created_at >= t.start_date",
            "SELECT COUNT(*) FROM entities e JOIN entities p ON p.id = e.parent_id \
             WHERE e.created_at <= p.created_at",
            // a person's position and seniority are Zou's choices
            "SELECT COUNT(*) FROM persons WHERE position NOT IN ('supervisor', 'lead', 'artist') \
             OR seniority NOT IN ('senior', 'mid', 'junior')",
            // unassigned tasks are not started
            "SELECT COUNT(*) FROM tasks t WHERE t.real_start_date IS NOT NULL AND NOT EXISTS \
             (SELECT 1 FROM assignations a WHERE a.task_id = t.id)",
            // each comment is in the news feed, by its author, at its time
            "SELECT COUNT(*) FROM comments m WHERE NOT EXISTS (SELECT 1 FROM news n WHERE \
             n.comment_id = m.id AND n.task_id = m.object_id AND n.author_id = m.person_id \
             AND n.created_at = m.created_at AND n.change)",
            "SELECT COUNT(*) FROM news n WHERE NOT EXISTS \
             (SELECT 1 FROM comments m WHERE m.id = n.comment_id)",
            // each assignee but the author is notified of each comment
            "SELECT COUNT(*) FROM comments m JOIN assignations a ON a.task_id = m.object_id \
             WHERE a.person_id != m.person_id AND NOT EXISTS (SELECT 1 FROM notifications o \
             WHERE o.comment_id = m.id AND o.person_id = a.person_id AND o.task_id = m.object_id \
             AND o.author_id = m.person_id AND o.notification_type = 'comment' \
             AND o.created_at = m.created_at)",
            // and nobody else
            "SELECT COUNT(*) FROM notifications o WHERE o.person_id = o.author_id OR NOT EXISTS \
             (SELECT 1 FROM assignations a WHERE a.task_id = o.task_id \
             AND a.person_id = o.person_id)",
        ];
        for sql in broken {
            // SQLite spells IS DISTINCT FROM as IS NOT.
            let sql = if url.starts_with("sqlite") {
                sql.replace("IS DISTINCT FROM", "IS NOT")
            } else {
                sql.to_owned()
            };
            assert_eq!(scalar(&db, &sql).await, 0, "{sql}");
        }

        let hash: String = {
            let mut conn = db.conn().await.unwrap();
            on!(&mut conn, c => sqlx::query_scalar(
                "SELECT password FROM persons WHERE email = 'artist1.seed-test@seed.example.com'")
                .fetch_one(&mut *c).await.unwrap())
        };
        assert!(bcrypt::verify("fennec-seed", &hash).unwrap());

        let again = seed(url, "Seed Test");
        assert!(!again.status.success());
        assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));
        dumps.push(task_dump(&db).await);
        db.close().await;
    }
    for d in &dumps[1..] {
        assert_eq!(d, &dumps[0], "same seed, same production");
    }
}

/// The seeded production's forecast as of the seed's day: its input and
/// analysis, as the server computes them.
async fn seeded_forecast(db: &Db) -> (fennec_schedule::ScheduleInput, fennec_schedule::Analysis) {
    use fennec_store::rows::{self, Select};
    let mut conn = db.conn().await.unwrap();
    let projects = rows::list(
        &mut conn,
        &fennec_api::models::PROJECT,
        &Select::default().eq("name", fennec_store::SqlValue::Text("Seed Test".into())),
        false,
    )
    .await
    .unwrap();
    let as_of = chrono::NaiveDate::from_ymd_opt(2024, 6, 5).unwrap();
    let input = fennec_server::schedule_input::project_input(&mut conn, db, &projects[0], as_of)
        .await
        .unwrap();
    let analysis = fennec_schedule::analyse(&input);
    (input, analysis)
}

#[tokio::test]
async fn the_seeded_forecast_follows_the_pipeline_and_the_casting() {
    let mut dbs = databases();
    // One database of each kind is enough here.
    dbs.dedup_by(|a, b| a.1.is_some() == b.1.is_some());
    for (url, _dir) in &dbs {
        let out = seed(url, "Seed Test");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let db = Db::connect(url).await.unwrap();
        // Casting: every shot has assets cast in it, mirrored in its
        // episode, and the counters say so.
        let shots_cast = scalar(
            &db,
            "SELECT COUNT(DISTINCT l.entity_in_id) FROM entity_links l JOIN entities e \
             ON e.id = l.entity_in_id JOIN entity_types t ON t.id = e.entity_type_id \
             WHERE t.name = 'Shot'",
        )
        .await;
        assert_eq!(shots_cast, 120);
        assert_eq!(
            scalar(
                &db,
                "SELECT COUNT(*) FROM entities e WHERE e.nb_entities_out != \
                 (SELECT COUNT(*) FROM entity_links l WHERE l.entity_in_id = e.id)"
            )
            .await,
            0
        );
        let (input, analysis) = seeded_forecast(&db).await;
        let f = &analysis.forecast;
        let by_type = |entity: uuid::Uuid, name: &str| {
            input
                .tasks
                .iter()
                .find(|t| {
                    t.entity.as_ref().is_some_and(|e| e.id == entity)
                        && t.task_type.as_ref().is_some_and(|r| &*r.name == name)
                })
                .and_then(|t| f.task(t.id))
        };
        let shots: std::collections::BTreeSet<uuid::Uuid> = input
            .tasks
            .iter()
            .filter(|t| t.entity_type.as_ref().is_some_and(|r| &*r.name == "Shot"))
            .filter_map(|t| t.entity.as_ref().map(|e| e.id))
            .collect();
        assert_eq!(shots.len(), 120);
        // Every shot's Lighting starts no earlier than its Animation's
        // forecast finish.
        let mut checked = 0;
        for shot in &shots {
            let (Some(anim), Some(light)) =
                (by_type(*shot, "Animation"), by_type(*shot, "Lighting"))
            else {
                continue;
            };
            if let (Some(finish), Some(start)) = (anim.forecast_finish, light.forecast_start) {
                if light.is_open() {
                    assert!(
                        start >= finish,
                        "{shot}: lighting {start} before animation {finish}"
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 50, "only {checked} shots checked");
        // A shot's Animation never starts before its cast characters' rigs
        // are finished.
        let characters: std::collections::HashSet<uuid::Uuid> = input
            .tasks
            .iter()
            .filter(|t| {
                t.entity_type
                    .as_ref()
                    .is_some_and(|r| &*r.name == "Character")
            })
            .filter_map(|t| t.entity.as_ref().map(|e| e.id))
            .collect();
        let mut rigs_checked = 0;
        for c in &input.casting {
            if !characters.contains(&c.asset_id) {
                continue;
            }
            let (Some(anim), Some(rig)) = (
                by_type(c.shot_id, "Animation"),
                by_type(c.asset_id, "Rigging"),
            ) else {
                continue;
            };
            if let (Some(start), true) = (anim.forecast_start, anim.is_open()) {
                let Some(rig_finish) = rig.forecast_finish else {
                    assert!(
                        !rig.is_open(),
                        "an undated open rig before a dated animation"
                    );
                    continue;
                };
                assert!(
                    start >= rig_finish,
                    "animation {start} before its rig {rig_finish}"
                );
                rigs_checked += 1;
            }
        }
        assert!(
            rigs_checked > 50,
            "only {rigs_checked} casting pairs checked"
        );
        db.close().await;
    }
}

/// `fennec risk --causes` on the seeded production, through a real server:
/// the causes and remedies fit one screen (50 lines).
#[tokio::test]
async fn fennec_risk_fits_the_seeded_causes_on_one_screen() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("seed.db").display());
    let out = seed(&url, "Seed Test");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = Command::new(env!("CARGO_BIN_EXE_fennec"))
        .args([
            "serve",
            "--database-url",
            &url,
            "--bind",
            &format!("127.0.0.1:{port}"),
        ])
        .arg("--media-dir")
        .arg(dir.path().join("media"))
        .env("FENNEC_ADMIN_PASSWORD", "not-used-here")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let host = format!("http://127.0.0.1:{port}/api");
    let mut up = false;
    for _ in 0..300 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let risk = up.then(|| {
        Command::new(env!("CARGO_BIN_EXE_fennec"))
            .args([
                "risk",
                "--project",
                "Seed Test",
                "--as-of",
                "2024-06-05",
                "--causes",
            ])
            .args([
                "--host",
                &host,
                "--email",
                "manager1.seed-test@seed.example.com",
            ])
            .args(["--password", "fennec-seed"])
            .output()
            .unwrap()
    });
    server.kill().ok();
    server.wait().ok();
    let risk = risk.expect("the server came up");
    let text = String::from_utf8_lossy(&risk.stdout);
    assert!(
        risk.status.code() == Some(2) || risk.status.success(),
        "{}",
        String::from_utf8_lossy(&risk.stderr)
    );
    assert!(text.contains("causes:"), "{text}");
    assert!(text.contains("remedies for"), "{text}");
    let lines = text.lines().count();
    assert!(lines <= 50, "{lines} lines:\n{text}");
}
