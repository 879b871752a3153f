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
            // unassigned tasks are not started
            "SELECT COUNT(*) FROM tasks t WHERE t.real_start_date IS NOT NULL AND NOT EXISTS \
             (SELECT 1 FROM assignations a WHERE a.task_id = t.id)",
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
