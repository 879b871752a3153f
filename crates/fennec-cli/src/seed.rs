//! `fennec seed`: a realistic production written straight through the
//! store, for demos and benchmarks.
//!
//! Per unit of `--scale`: 3 episodes × 4 sequences × 10 shots, 30 assets
//! (characters, props, environments, FX), 8 persons (a manager, two
//! supervisors, five artists) in the team, and a task per entity and task
//! type — Concept, Modeling, Shading, Rigging on assets; Layout,
//! Animation, FX, Lighting, Compositing on shots — so 720 tasks (scale 28
//! ≈ 20 000 tasks, scale 210 ≈ 150 000). Each shot has its sequence's
//! environment, two characters, a prop every other shot and an effect
//! every fifth cast in it (mirrored in its episode, as Zou's casting does),
//! so the forecast's casting dependencies (a character's rig before the
//! shot's animation) are exercised.
//!
//! The schedule is relative to today: the production started 120 days
//! ago. About 10 % of the tasks have no assignee (they stay Todo, even when
//! late: that is what risk detection should flag) and about 10 % have two.
//! A task whose start date has passed has been started by its assignee
//! (Work In Progress), has time spents on the days worked, then moved on
//! through comments — Waiting For Approval, Retake, Done — according to its
//! age. The status side effects are the server's (`real_start_date` on the
//! first WIP, `end_date` on each feedback request, `done_date`,
//! `retake_count`, `last_comment_date`) and `duration` is the sum of the
//! time spents, so the data reads as if it had been entered through the
//! API: each comment also has its news feed entry and its notifications
//! to the task's other assignees, as Zou's comment route makes them (those
//! older than a week read). Every event happens before today, so nothing
//! is in the future.
//!
//! The same `--seed`, project name and `--today` give the same production,
//! ids included. Rows go in with multi-row INSERTs, a few units per
//! transaction, so a live server's writers wait at most a moment.
//!
//! Every seeded person logs in with [`PASSWORD`]. Its bcrypt hash (one for
//! all of them) has cost [`BCRYPT_COST`], low on purpose: the data is not
//! secret and logging in during a benchmark should not cost 250 ms.

use std::collections::HashMap;
use std::time::Instant;

use anyhow::{bail, Context};
use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Weekday};
use fennec_api::models::{self, Kind};
use fennec_store::bulk::{self, ModelRows};
use fennec_store::links;
use fennec_store::rows::{self, Filter, Row, Select};
use fennec_store::{defaults, Db, SqlValue};
use indicatif::{ProgressBar, ProgressStyle};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};
use uuid::Uuid;

/// The password of every seeded person.
pub const PASSWORD: &str = "fennec-seed";
/// bcrypt cost of the seeded persons' password hash.
pub const BCRYPT_COST: u32 = 4;
/// Seeded e-mails are `<role><n>.<project-slug>@` this domain.
pub const EMAIL_DOMAIN: &str = "seed.example.com";

const STARTED_DAYS_AGO: i64 = 120;
/// Notifications older than this many days are seeded as read.
const READ_AFTER_DAYS: i64 = 7;
const PRODUCTION_DAYS: i64 = 300;
/// Kitsu's default working day (`hours_by_day` 8), in minutes.
const DAY_MINUTES: f64 = 480.0;
/// Units written per transaction (≈ 2 900 tasks and their history).
const UNITS_PER_TRANSACTION: u32 = 4;
const TASKS_PER_UNIT: u64 = 30 * 4 + 3 * 4 * 10 * 5;

#[derive(clap::Args, Debug)]
pub struct SeedArgs {
    /// Size of the production: each unit adds 3 episodes × 4 sequences ×
    /// 10 shots, 30 assets, 8 persons and 720 tasks.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub scale: u32,
    /// Name of the project to create (it must not exist yet).
    #[arg(long, default_value = "Fennec Seed")]
    pub project: String,
    /// Database URL: `sqlite://FILE` or `postgres://USER@HOST:PORT/DB`; it
    /// may be the database of a running `fennec serve`.
    #[arg(
        long = "database",
        visible_alias = "database-url",
        env = "DATABASE_URL",
        default_value = "sqlite://fennec.db"
    )]
    pub database_url: String,
    /// Random seed: the same seed, project name and day give the same
    /// production.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The day the schedule is relative to (YYYY-MM-DD; default: today, UTC).
    #[arg(long)]
    pub today: Option<NaiveDate>,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
}

/// What `fennec seed` wrote.
#[derive(Debug, Default)]
pub struct Summary {
    pub project_id: Uuid,
    pub persons: u64,
    pub episodes: u64,
    pub sequences: u64,
    pub shots: u64,
    pub assets: u64,
    pub tasks: u64,
    pub unassigned: u64,
    /// Casting links (shots' and their episodes' mirrors).
    pub cast_links: u64,
    pub two_assignees: u64,
    pub time_spents: u64,
    pub comments: u64,
    /// News feed entries (one per comment) and notifications (one per
    /// comment and assignee other than its author).
    pub news: u64,
    pub notifications: u64,
    pub by_status: HashMap<&'static str, u64>,
    /// The artist with the longest to-do list: (e-mail, open tasks, all
    /// tasks).
    pub busiest_artist: (String, u64, u64),
}

pub async fn run(args: SeedArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let db = Db::connect(&args.database_url)
        .await
        .with_context(|| format!("opening {}", crate::redact(&args.database_url)))?;
    db.migrate().await?;
    defaults::load(&db).await?;
    let bar = if args.quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(TASKS_PER_UNIT * u64::from(args.scale))
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} {elapsed_precise} [{bar:40}] {pos}/{len} tasks ({per_sec}, {eta} left) {msg}",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    let summary = seed(&db, &args, &bar).await;
    bar.finish_and_clear();
    let summary = summary?;
    db.close().await;
    print_summary(&args, &summary, started.elapsed().as_secs_f64());
    Ok(())
}

fn print_summary(args: &SeedArgs, s: &Summary, secs: f64) {
    let slug = slug(&args.project);
    println!(
        "Seeded project {:?} (id {}) at scale {} in {secs:.1} s:",
        args.project, s.project_id, args.scale
    );
    println!(
        "  {} episodes, {} sequences, {} shots, {} assets ({} casting links), {} persons",
        s.episodes, s.sequences, s.shots, s.assets, s.cast_links, s.persons
    );
    let mut statuses: Vec<_> = s.by_status.iter().collect();
    statuses.sort();
    let statuses: Vec<String> = statuses.iter().map(|(k, v)| format!("{k} {v}")).collect();
    println!(
        "  {} tasks ({}; {} unassigned, {} with two assignees), {} time spents, {} comments \
         ({} news, {} notifications)",
        s.tasks,
        statuses.join(", "),
        s.unassigned,
        s.two_assignees,
        s.time_spents,
        s.comments,
        s.news,
        s.notifications
    );
    println!("Every seeded person logs in with the password {PASSWORD:?}:");
    for (prefix, per_unit, role) in [
        ("manager", 1, "manager"),
        ("supervisor", 2, "supervisor"),
        ("artist", 5, "user"),
    ] {
        let last = per_unit * args.scale;
        let first = format!("{prefix}1.{slug}@{EMAIL_DOMAIN}");
        if last == 1 {
            println!("  {first} (role {role})");
        } else {
            println!("  {first} … {prefix}{last}.{slug}@{EMAIL_DOMAIN} (role {role})");
        }
    }
    println!(
        "  busiest artist: {} ({} open tasks, {} in all)",
        s.busiest_artist.0, s.busiest_artist.1, s.busiest_artist.2
    );
}

/// `My Show 2` → `my-show-2`.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for ch in name.chars() {
        if ch.is_ascii_alphanumeric() {
            out.push(ch.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_owned();
    if out.is_empty() {
        "project".into()
    } else {
        out
    }
}

/// FNV-1a: a hash that stays the same across Rust versions, so a seed and
/// a project name always give the same random stream.
fn stable_hash(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// One step of a pipeline: a task type, its estimate range in days, and
/// which of the unit's five artists does it.
struct Step {
    task_type: &'static str,
    days: (f64, f64),
    artist: usize,
}

const fn step(task_type: &'static str, lo: f64, hi: f64, artist: usize) -> Step {
    Step {
        task_type,
        days: (lo, hi),
        artist,
    }
}

const ASSET_STEPS: [Step; 4] = [
    step("Concept", 1.0, 3.0, 0),
    step("Modeling", 3.0, 8.0, 0),
    step("Shading", 2.0, 5.0, 0),
    step("Rigging", 2.0, 6.0, 1),
];

const SHOT_STEPS: [Step; 5] = [
    step("Layout", 0.5, 2.0, 2),
    step("Animation", 2.0, 6.0, 1),
    step("FX", 1.0, 4.0, 3),
    step("Lighting", 1.0, 3.0, 4),
    step("Compositing", 0.5, 2.0, 4),
];

/// Departments of the unit's five artists (indexes of `Step::artist`).
const ARTIST_DEPARTMENTS: [&[&str]; 5] = [
    &["Modeling", "Concept"],
    &["Animation"],
    &["Layout"],
    &["FX"],
    &["Compositing"],
];
/// The asset supervisor and the shot supervisor.
const SUPERVISOR_DEPARTMENTS: [&[&str]; 2] = [
    &["Concept", "Modeling"],
    &["Layout", "Animation", "FX", "Compositing"],
];

const PROJECT_STATUSES: [&str; 6] = ["todo", "ready", "wip", "wfa", "retake", "done"];

/// (asset type, names): 30 assets per unit.
const ASSETS: [(&str, &[&str]); 4] = [
    (
        "Character",
        &[
            "Fennec", "Owl", "Lynx", "Badger", "Heron", "Otter", "Marten", "Ibis", "Jackal",
            "Gecko",
        ],
    ),
    (
        "Prop",
        &[
            "Lantern", "Compass", "Satchel", "Kite", "Teapot", "Bicycle", "Radio", "Umbrella",
            "Map", "Key",
        ],
    ),
    (
        "Environment",
        &[
            "Dune Sea",
            "Oasis",
            "Market",
            "Lighthouse",
            "Canyon",
            "Night Train",
        ],
    ),
    ("FX", &["Sandstorm", "Rain", "Campfire", "Fireflies"]),
];

const FIRST_NAMES: &[&str] = &[
    "Ada",
    "Bruno",
    "Chloé",
    "Dmitri",
    "Elif",
    "Farid",
    "Greta",
    "Hugo",
    "Ines",
    "Jonas",
    "Kenji",
    "Lena",
    "Malik",
    "Nora",
    "Oscar",
    "Priya",
    "Quentin",
    "Rosa",
    "Sami",
    "Tess",
    "Umar",
    "Vera",
    "Wen",
    "Xavier",
    "Yara",
    "Zoé",
    "Aurélien",
    "Bianca",
    "Cyril",
    "Dalia",
];
const LAST_NAMES: &[&str] = &[
    "Abbott", "Bernard", "Castillo", "Dubois", "Eriksen", "Fontaine", "Gallo", "Haddad", "Ivanova",
    "Jensen", "Kowalski", "Laurent", "Moreau", "Nakamura", "Okafor", "Petit", "Quinn", "Rossi",
    "Sato", "Tanaka", "Ueda", "Varga", "Weber", "Xu", "Yilmaz", "Zimmer",
];

const WIP_TEXTS: &[&str] = &["Starting.", "On it.", "Picking this up.", "Work started."];
const WFA_TEXTS: &[&str] = &[
    "Ready for review.",
    "New version up, please check.",
    "First pass done.",
    "Updated after the notes.",
];
const RETAKE_TEXTS: &[&str] = &[
    "The silhouette reads poorly, please push the pose.",
    "Timing feels rushed in the middle.",
    "Colours don't match the key frame.",
    "Fix the intersections near the hands.",
    "Needs more contrast.",
    "Please follow the reference more closely.",
];
const DONE_TEXTS: &[&str] = &["Approved, thanks!", "Looks great.", "Good to go.", "Final."];

/// The assets cast in shot `s` of sequence `q` of a unit's episode `e`, as
/// (index in `ASSETS`, index in its names): the sequence's environment, two
/// characters, a prop every other shot and an effect every fifth. Plain
/// arithmetic, not the random stream, so the rest of the production is the
/// same as before casting was seeded.
fn cast_of(e: usize, q: usize, s: usize) -> Vec<(usize, usize)> {
    let mut cast = vec![
        (2, (e * 4 + q) % ASSETS[2].1.len()),
        (0, (q * 3 + s) % ASSETS[0].1.len()),
        (0, (q * 3 + s + 1 + e) % ASSETS[0].1.len()),
    ];
    if s.is_multiple_of(2) {
        cast.push((1, (s * 7 + q + e) % ASSETS[1].1.len()));
    }
    if s % 5 == 4 {
        cast.push((3, (q + e) % ASSETS[3].1.len()));
    }
    cast
}

/// A link's id from its two ends: deterministic without drawing from the
/// random stream.
fn link_id(entity_in: Uuid, entity_out: Uuid) -> Uuid {
    let a = stable_hash(&[&entity_in.as_bytes()[..], &entity_out.as_bytes()[..]].concat());
    let b = stable_hash(&[&entity_out.as_bytes()[..], &entity_in.as_bytes()[..]].concat());
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&a.to_le_bytes());
    bytes[8..].copy_from_slice(&b.to_le_bytes());
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

/// Ids of the default data the production uses.
struct Refs {
    asset_task_types: Vec<Uuid>,
    shot_task_types: Vec<Uuid>,
    statuses: HashMap<&'static str, Uuid>,
    asset_types: Vec<Uuid>,
    episode: Uuid,
    sequence: Uuid,
    shot: Uuid,
    departments: HashMap<String, Uuid>,
    open: Option<Uuid>,
}

fn row_id(row: &Row) -> Uuid {
    row.get("id")
        .and_then(|v| v.as_str())
        .and_then(|s| Uuid::parse_str(s).ok())
        .unwrap_or_default()
}

fn row_str<'a>(row: &'a Row, key: &str) -> &'a str {
    row.get(key).and_then(|v| v.as_str()).unwrap_or("")
}

impl Refs {
    async fn load(db: &Db) -> anyhow::Result<Refs> {
        let mut conn = db.conn().await?;
        let all = Select::default();
        let task_types = rows::list(&mut conn, &models::TASK_TYPE, &all, false).await?;
        let task_type = |name: &str, for_entity: &str| {
            task_types
                .iter()
                .find(|r| row_str(r, "name") == name && row_str(r, "for_entity") == for_entity)
                .map(row_id)
                .with_context(|| format!("no task type {name} for {for_entity}"))
        };
        let asset_task_types = ASSET_STEPS
            .iter()
            .map(|s| task_type(s.task_type, "Asset"))
            .collect::<anyhow::Result<_>>()?;
        let shot_task_types = SHOT_STEPS
            .iter()
            .map(|s| task_type(s.task_type, "Shot"))
            .collect::<anyhow::Result<_>>()?;
        let status_rows = rows::list(&mut conn, &models::TASK_STATUS, &all, false).await?;
        let mut statuses = HashMap::new();
        for short in PROJECT_STATUSES {
            let id = status_rows
                .iter()
                .find(|r| {
                    row_str(r, "short_name") == short
                        && r.get("for_concept").and_then(|v| v.as_bool()) != Some(true)
                })
                .map(row_id)
                .with_context(|| format!("no task status {short}"))?;
            statuses.insert(short, id);
        }
        let mut asset_types = Vec::new();
        for (name, _) in ASSETS {
            asset_types.push(defaults::entity_type_id(&mut conn, name).await?);
        }
        let departments = rows::list(&mut conn, &models::DEPARTMENT, &all, false)
            .await?
            .iter()
            .map(|r| (row_str(r, "name").to_owned(), row_id(r)))
            .collect();
        Ok(Refs {
            asset_task_types,
            shot_task_types,
            statuses,
            asset_types,
            episode: defaults::entity_type_id(&mut conn, "Episode").await?,
            sequence: defaults::entity_type_id(&mut conn, "Sequence").await?,
            shot: defaults::entity_type_id(&mut conn, "Shot").await?,
            departments,
            open: defaults::project_status_id(&mut conn, "Open").await?,
        })
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Role {
    Manager,
    Supervisor,
    Artist,
}

impl Role {
    fn zou_role(self) -> &'static str {
        match self {
            Role::Manager => "manager",
            Role::Supervisor => "supervisor",
            Role::Artist => "user",
        }
    }

    fn email_prefix(self) -> &'static str {
        match self {
            Role::Manager => "manager",
            Role::Supervisor => "supervisor",
            Role::Artist => "artist",
        }
    }
}

/// The people of one unit.
struct Crew {
    manager: Uuid,
    supervisors: [Uuid; 2],
    artists: [Uuid; 5],
}

/// Rows waiting for the next transaction, in insertion (foreign key) order.
struct Batch {
    entities: ModelRows,
    /// Casting: assets in shots, and mirrored in their episodes.
    entity_links: ModelRows,
    tasks: ModelRows,
    assignations: Vec<(Uuid, Uuid)>,
    time_spents: ModelRows,
    comments: ModelRows,
    news: ModelRows,
    notifications: ModelRows,
}

impl Batch {
    fn new() -> Batch {
        Batch {
            entities: ModelRows::new(&models::ENTITY),
            entity_links: ModelRows::new(&models::ENTITY_LINK),
            tasks: ModelRows::new(&models::TASK),
            assignations: Vec::new(),
            time_spents: ModelRows::new(&models::TIME_SPENT),
            comments: ModelRows::new(&models::COMMENT),
            news: ModelRows::new(&models::NEWS),
            notifications: ModelRows::new(&models::NOTIFICATION),
        }
    }

    async fn write(&mut self, db: &Db) -> anyhow::Result<()> {
        let mut tx = db.begin().await?;
        self.entities.flush(&mut tx).await?;
        self.entity_links.flush(&mut tx).await?;
        self.tasks.flush(&mut tx).await?;
        bulk::insert_links(&mut tx, &links::TASK_ASSIGNEES, &self.assignations).await?;
        self.assignations.clear();
        self.time_spents.flush(&mut tx).await?;
        self.comments.flush(&mut tx).await?;
        self.news.flush(&mut tx).await?;
        self.notifications.flush(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// A task's state after its simulated history.
struct History {
    status: &'static str,
    real_start: Option<NaiveDateTime>,
    end: Option<NaiveDateTime>,
    done: Option<NaiveDateTime>,
    retakes: i64,
    last_comment: Option<NaiveDateTime>,
    duration: f64,
}

struct Generator<'a> {
    rng: ChaCha8Rng,
    refs: &'a Refs,
    project: Uuid,
    today: NaiveDate,
    day0: NaiveDate,
    episodes_total: u32,
    batch: Batch,
    summary: Summary,
    /// (open, all) tasks per assignee.
    tasks_per_person: HashMap<Uuid, (u64, u64)>,
}

fn text(s: &str) -> SqlValue {
    SqlValue::Text(s.to_owned())
}

fn opt_dt(v: Option<NaiveDateTime>) -> SqlValue {
    v.map_or(SqlValue::Null(Kind::DateTime), SqlValue::DateTime)
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

fn workday_on_or_after(mut d: NaiveDate) -> NaiveDate {
    while is_weekend(d) {
        d += TimeDelta::days(1);
    }
    d
}

fn add_workdays(mut d: NaiveDate, n: i64) -> NaiveDate {
    let mut left = n;
    while left > 0 {
        d += TimeDelta::days(1);
        if !is_weekend(d) {
            left -= 1;
        }
    }
    d
}

fn round_to(x: f64, step: f64) -> f64 {
    (x / step).round() * step
}

fn midnight(d: NaiveDate) -> NaiveDateTime {
    d.and_time(NaiveTime::MIN)
}

impl Generator<'_> {
    fn id(&mut self) -> Uuid {
        uuid::Builder::from_random_bytes(self.rng.gen()).into_uuid()
    }

    /// A moment of day `d` between `from` and `to` (minutes after midnight).
    fn at(&mut self, d: NaiveDate, from: i64, to: i64) -> NaiveDateTime {
        midnight(d) + TimeDelta::minutes(self.rng.gen_range(from..=to))
    }

    /// Set-up time: the week before the production started.
    fn setup_time(&mut self) -> NaiveDateTime {
        let day = self.day0 - TimeDelta::days(self.rng.gen_range(1..=7));
        self.at(day, 9 * 60, 18 * 60)
    }

    fn pick<'t>(&mut self, texts: &[&'t str]) -> &'t str {
        texts.choose(&mut self.rng).copied().unwrap_or("")
    }

    /// An entity; a child is created shortly after its parent. Returns its
    /// id and creation time.
    fn entity(
        &mut self,
        name: String,
        entity_type: Uuid,
        parent: Option<(Uuid, NaiveDateTime)>,
        created_by: Uuid,
        extra: Vec<(&'static str, SqlValue)>,
    ) -> anyhow::Result<(Uuid, NaiveDateTime)> {
        let id = self.id();
        let created = match parent {
            Some((_, after)) => after + TimeDelta::minutes(self.rng.gen_range(1..=60)),
            None => self.setup_time(),
        };
        let mut values = vec![
            ("id", SqlValue::Uuid(id)),
            ("name", SqlValue::Text(name)),
            ("project_id", SqlValue::Uuid(self.project)),
            ("entity_type_id", SqlValue::Uuid(entity_type)),
            ("created_by", SqlValue::Uuid(created_by)),
            ("created_at", SqlValue::DateTime(created)),
            ("updated_at", SqlValue::DateTime(created)),
        ];
        if let Some((p, _)) = parent {
            values.push(("parent_id", SqlValue::Uuid(p)));
        }
        values.extend(extra);
        self.batch.entities.push(values)?;
        Ok((id, created))
    }

    /// One unit: its episodes, sequences, shots and assets, and their tasks.
    fn unit(&mut self, unit: u32, crew: &Crew) -> anyhow::Result<()> {
        let width = self.episodes_total.to_string().len().max(2);
        let mut episodes = Vec::new();
        for e in 0..3 {
            // A crew makes one episode in each third of the production,
            // so every artist has work all along.
            let number = e * self.episodes_total / 3 + unit + 1;
            // Zou mirrors a shot's casting in its episode.
            let episode_cast: std::collections::BTreeSet<(usize, usize)> = (0..4)
                .flat_map(|q| (0..10).flat_map(move |s| cast_of(e as usize, q, s)))
                .collect();
            let episode = self.entity(
                format!("E{number:0width$}"),
                self.refs.episode,
                None,
                crew.manager,
                vec![
                    ("description", text("")),
                    ("nb_entities_out", SqlValue::Int(episode_cast.len() as i64)),
                ],
            )?;
            self.summary.episodes += 1;
            episodes.push((number, episode));
        }
        let span = (PRODUCTION_DAYS - 70) as f64;
        // (episode, shot, cast) to link once the assets exist.
        let mut shots = Vec::new();
        for (e, (number, episode)) in episodes.clone().into_iter().enumerate() {
            // Episodes start one after the other over the production.
            let episode_start =
                15.0 + f64::from(number - 1) * span / f64::from(self.episodes_total);
            for q in 0..4 {
                let sequence = self.entity(
                    format!("SQ{:02}", q + 1),
                    self.refs.sequence,
                    Some(episode),
                    crew.manager,
                    vec![("description", text(""))],
                )?;
                self.summary.sequences += 1;
                for s in 0..10 {
                    let cast = cast_of(e, q as usize, s as usize);
                    let frames: i64 = self.rng.gen_range(24..=240);
                    let shot = self.entity(
                        format!("SH{:04}", (s + 1) * 10),
                        self.refs.shot,
                        Some(sequence),
                        crew.manager,
                        vec![
                            ("nb_entities_out", SqlValue::Int(cast.len() as i64)),
                            ("nb_frames", SqlValue::Int(frames)),
                            (
                                "data",
                                SqlValue::Json(json!({
                                    "fps": "25",
                                    "frame_in": 1001,
                                    "frame_out": 1000 + frames,
                                })),
                            ),
                        ],
                    )?;
                    self.summary.shots += 1;
                    shots.push((episode, shot, cast));
                    let start = episode_start as i64 + q * 6 + self.rng.gen_range(0..6);
                    let types = self.refs.shot_task_types.clone();
                    self.tasks(shot, &SHOT_STEPS, &types, start, crew, crew.supervisors[1])?;
                }
            }
        }
        let mut assets: Vec<Vec<(Uuid, NaiveDateTime)>> = vec![Vec::new(); ASSETS.len()];
        for (kind, (_, names)) in ASSETS.iter().enumerate() {
            for name in names.iter() {
                // A third of the assets belong to the main pack, the others
                // were made for one of the unit's episodes.
                let source = if self.rng.gen_range(0..3) == 0 {
                    SqlValue::Null(Kind::Uuid)
                } else {
                    let (_, (episode, _)) = episodes[self.rng.gen_range(0..episodes.len())];
                    SqlValue::Uuid(episode)
                };
                let asset = self.entity(
                    format!("{name} {:03}", unit + 1),
                    self.refs.asset_types[kind],
                    None,
                    crew.manager,
                    vec![
                        ("source_id", source),
                        ("description", text(&format!("{name}, unit {}", unit + 1))),
                    ],
                )?;
                self.summary.assets += 1;
                assets[kind].push(asset);
                let start = self.rng.gen_range(0..100);
                let types = self.refs.asset_task_types.clone();
                self.tasks(
                    asset,
                    &ASSET_STEPS,
                    &types,
                    start,
                    crew,
                    crew.supervisors[0],
                )?;
            }
        }
        let mut mirrored = std::collections::HashSet::new();
        for (episode, shot, cast) in shots {
            for (kind, index) in cast {
                let asset = assets[kind][index];
                self.cast(shot, asset, None)?;
                if mirrored.insert((episode.0, asset.0)) {
                    self.cast(episode, asset, Some(json!({"auto": true})))?;
                }
            }
        }
        Ok(())
    }

    /// An asset cast once in a shot or (mirrored, `{"auto": true}`) in an
    /// episode, linked when the later of the two was made.
    fn cast(
        &mut self,
        (entity, entity_created): (Uuid, NaiveDateTime),
        (asset, asset_created): (Uuid, NaiveDateTime),
        data: Option<Value>,
    ) -> anyhow::Result<()> {
        let created = entity_created.max(asset_created) + TimeDelta::minutes(1);
        self.batch.entity_links.push([
            ("id", SqlValue::Uuid(link_id(entity, asset))),
            ("entity_in_id", SqlValue::Uuid(entity)),
            ("entity_out_id", SqlValue::Uuid(asset)),
            ("nb_occurences", SqlValue::Int(1)),
            ("label", text("")),
            (
                "data",
                data.map_or(SqlValue::Null(Kind::Json), SqlValue::Json),
            ),
            ("created_at", SqlValue::DateTime(created)),
            ("updated_at", SqlValue::DateTime(created)),
        ])?;
        self.summary.cast_links += 1;
        Ok(())
    }

    /// The pipeline of one entity: one task per step, each starting after
    /// the previous one's due date.
    fn tasks(
        &mut self,
        (entity, entity_created): (Uuid, NaiveDateTime),
        steps: &[Step],
        task_types: &[Uuid],
        start_day: i64,
        crew: &Crew,
        reviewer: Uuid,
    ) -> anyhow::Result<()> {
        let mut next = self.day0 + TimeDelta::days(start_day);
        for (step, task_type) in steps.iter().zip(task_types) {
            let (lo, hi) = step.days;
            let estimate = round_to(self.rng.gen_range(lo..=hi) * DAY_MINUTES, 30.0).max(60.0);
            let start = workday_on_or_after(next);
            let span = (estimate / DAY_MINUTES * self.rng.gen_range(1.1..1.5)).ceil() as i64;
            let due = add_workdays(start, span.max(1));
            next = add_workdays(due, self.rng.gen_range(0..=2));

            let roll: f64 = self.rng.gen();
            let primary = crew.artists[step.artist];
            let assignees: Vec<Uuid> = if roll < 0.10 {
                vec![]
            } else if roll < 0.20 {
                let others: Vec<Uuid> = crew
                    .artists
                    .iter()
                    .copied()
                    .filter(|a| *a != primary)
                    .collect();
                vec![primary, *others.choose(&mut self.rng).unwrap_or(&primary)]
            } else {
                vec![primary]
            };
            let roll: f64 = self.rng.gen();
            let priority = match roll {
                r if r < 0.70 => 0,
                r if r < 0.90 => 1,
                r if r < 0.98 => 2,
                _ => 3,
            };
            let difficulty: i64 = self.rng.gen_range(1..=5);
            let created = entity_created + TimeDelta::minutes(self.rng.gen_range(1..=30));
            let id = self.id();
            let h = self.history(id, start, estimate, &assignees, reviewer)?;
            let updated = h.last_comment.unwrap_or(created).max(created);
            self.batch.tasks.push([
                ("id", SqlValue::Uuid(id)),
                ("name", text("main")),
                ("priority", SqlValue::Int(priority)),
                ("difficulty", SqlValue::Int(difficulty)),
                ("duration", SqlValue::Float(h.duration)),
                ("estimation", SqlValue::Float(estimate)),
                (
                    "completion_rate",
                    SqlValue::Int(if h.status == "done" { 100 } else { 0 }),
                ),
                ("retake_count", SqlValue::Int(h.retakes)),
                ("start_date", SqlValue::DateTime(midnight(start))),
                ("due_date", SqlValue::DateTime(midnight(due))),
                ("real_start_date", opt_dt(h.real_start)),
                ("end_date", opt_dt(h.end)),
                ("done_date", opt_dt(h.done)),
                ("last_comment_date", opt_dt(h.last_comment)),
                ("project_id", SqlValue::Uuid(self.project)),
                ("task_type_id", SqlValue::Uuid(*task_type)),
                (
                    "task_status_id",
                    SqlValue::Uuid(self.refs.statuses[h.status]),
                ),
                ("entity_id", SqlValue::Uuid(entity)),
                (
                    "assigner_id",
                    if assignees.is_empty() {
                        SqlValue::Null(Kind::Uuid)
                    } else {
                        SqlValue::Uuid(crew.manager)
                    },
                ),
                ("created_at", SqlValue::DateTime(created)),
                ("updated_at", SqlValue::DateTime(updated)),
            ])?;
            for a in &assignees {
                self.batch.assignations.push((id, *a));
                let counts = self.tasks_per_person.entry(*a).or_default();
                counts.0 += u64::from(h.status != "done");
                counts.1 += 1;
            }
            self.summary.tasks += 1;
            match assignees.len() {
                0 => self.summary.unassigned += 1,
                1 => {}
                _ => self.summary.two_assignees += 1,
            }
            *self.summary.by_status.entry(h.status).or_default() += 1;
        }
        Ok(())
    }

    /// A comment that moves `task` to `status`, with what Zou's comment
    /// route makes with it: a news feed entry, and a notification for each
    /// assignee but the author (`create_notifications_for_task_and_comment`
    /// and `create_news_for_task_and_comment`; the seed has no followers or
    /// mentions). Their ids come from the comment's, not from the random
    /// stream, so the rest of the production is as it was without them.
    #[allow(clippy::too_many_arguments)]
    fn comment(
        &mut self,
        task: Uuid,
        status: &'static str,
        person: Uuid,
        assignees: &[Uuid],
        when: NaiveDateTime,
        texts: &[&str],
    ) -> anyhow::Result<()> {
        let id = self.id();
        let body = self.pick(texts);
        self.batch.comments.push([
            ("id", SqlValue::Uuid(id)),
            ("object_id", SqlValue::Uuid(task)),
            ("object_type", text("Task")),
            ("text", text(body)),
            ("task_status_id", SqlValue::Uuid(self.refs.statuses[status])),
            ("person_id", SqlValue::Uuid(person)),
            ("created_at", SqlValue::DateTime(when)),
            ("updated_at", SqlValue::DateTime(when)),
        ])?;
        self.summary.comments += 1;
        // Every seeded comment changes its task's status.
        self.batch.news.push([
            ("id", SqlValue::Uuid(link_id(id, task))),
            ("change", SqlValue::Bool(true)),
            ("author_id", SqlValue::Uuid(person)),
            ("comment_id", SqlValue::Uuid(id)),
            ("task_id", SqlValue::Uuid(task)),
            ("created_at", SqlValue::DateTime(when)),
            ("updated_at", SqlValue::DateTime(when)),
        ])?;
        self.summary.news += 1;
        // Someone who works in Kitsu every day has read last week's.
        let read = when < midnight(self.today - TimeDelta::days(READ_AFTER_DAYS));
        for recipient in assignees.iter().filter(|a| **a != person) {
            self.batch.notifications.push([
                ("id", SqlValue::Uuid(link_id(id, *recipient))),
                ("read", SqlValue::Bool(read)),
                ("change", SqlValue::Bool(true)),
                ("person_id", SqlValue::Uuid(*recipient)),
                ("author_id", SqlValue::Uuid(person)),
                ("comment_id", SqlValue::Uuid(id)),
                ("task_id", SqlValue::Uuid(task)),
                ("notification_type", text("comment")),
                ("created_at", SqlValue::DateTime(when)),
                ("updated_at", SqlValue::DateTime(when)),
            ])?;
            self.summary.notifications += 1;
        }
        Ok(())
    }

    /// Logs `minutes` of work on day `d`, shared between the assignees.
    fn log_day(
        &mut self,
        task: Uuid,
        assignees: &[Uuid],
        d: NaiveDate,
        minutes: f64,
    ) -> anyhow::Result<()> {
        let shares: Vec<(Uuid, f64)> = match assignees {
            [one] => vec![(*one, minutes)],
            [first, second, ..] if minutes >= 60.0 => {
                let a = round_to(minutes * 0.6, 15.0);
                vec![(*first, a), (*second, minutes - a)]
            }
            [first, ..] => vec![(*first, minutes)],
            [] => vec![],
        };
        for (person, m) in shares {
            let id = self.id();
            let logged = self.at(d, 17 * 60, 19 * 60);
            self.batch.time_spents.push([
                ("id", SqlValue::Uuid(id)),
                ("duration", SqlValue::Float(m)),
                ("date", SqlValue::Date(d)),
                ("task_id", SqlValue::Uuid(task)),
                ("person_id", SqlValue::Uuid(person)),
                ("created_at", SqlValue::DateTime(logged)),
                ("updated_at", SqlValue::DateTime(logged)),
            ])?;
            self.summary.time_spents += 1;
        }
        Ok(())
    }

    /// Plays a task's life up to yesterday: started on (or a day or two
    /// after) its start date, worked on day after day, sent for review,
    /// retaken or approved by the supervisor a few days later.
    fn history(
        &mut self,
        task: Uuid,
        start: NaiveDate,
        estimate: f64,
        assignees: &[Uuid],
        reviewer: Uuid,
    ) -> anyhow::Result<History> {
        let mut h = History {
            status: "todo",
            real_start: None,
            end: None,
            done: None,
            retakes: 0,
            last_comment: None,
            duration: 0.0,
        };
        let Some(&artist) = assignees.first() else {
            return Ok(h);
        };
        if start < self.today {
            self.play(task, start, estimate, assignees, artist, reviewer, &mut h)?;
        }
        Ok(h)
    }

    #[allow(clippy::too_many_arguments)]
    fn play(
        &mut self,
        task: Uuid,
        start: NaiveDate,
        estimate: f64,
        assignees: &[Uuid],
        artist: Uuid,
        reviewer: Uuid,
        h: &mut History,
    ) -> anyhow::Result<()> {
        let delay = match self.rng.gen_range(0..10) {
            0..=6 => 0,
            7 | 8 => 1,
            _ => 2,
        };
        let mut day = add_workdays(start, delay);
        if day >= self.today {
            day = start;
        }
        let began = self.at(day, 9 * 60, 11 * 60);
        self.comment(task, "wip", artist, assignees, began, WIP_TEXTS)?;
        h.status = "wip";
        h.real_start = Some(began);
        h.last_comment = Some(began);
        let mut remaining = round_to(estimate * self.rng.gen_range(0.7..1.5), 15.0).max(30.0);
        let mut reviews = 0;
        loop {
            // Work, a day at a time, until the remaining work is done.
            loop {
                if day >= self.today {
                    return Ok(());
                }
                let today_work = remaining.min(round_to(self.rng.gen_range(240.0..=480.0), 15.0));
                self.log_day(task, assignees, day, today_work)?;
                h.duration += today_work;
                remaining -= today_work;
                if remaining <= 0.0 {
                    break;
                }
                day = add_workdays(day, 1);
            }
            let sent = self.at(day, 16 * 60, 18 * 60 + 30);
            self.comment(task, "wfa", artist, assignees, sent, WFA_TEXTS)?;
            h.status = "wfa";
            h.end = Some(sent);
            h.last_comment = Some(sent);
            let review_day = add_workdays(day, self.rng.gen_range(1..=4));
            if review_day >= self.today {
                return Ok(());
            }
            let reviewed = self.at(review_day, 10 * 60, 12 * 60);
            let retake_chance = [0.25, 0.15, 0.05].get(reviews).copied().unwrap_or(0.0);
            reviews += 1;
            h.last_comment = Some(reviewed);
            if self.rng.gen_bool(retake_chance) {
                self.comment(task, "retake", reviewer, assignees, reviewed, RETAKE_TEXTS)?;
                h.status = "retake";
                h.retakes += 1;
                remaining = round_to(estimate * self.rng.gen_range(0.1..0.35), 15.0).max(30.0);
                // The artist picks the notes up the same day or a little later.
                day = add_workdays(review_day, self.rng.gen_range(0..=2));
            } else {
                self.comment(task, "done", reviewer, assignees, reviewed, DONE_TEXTS)?;
                h.status = "done";
                h.done = Some(reviewed);
                return Ok(());
            }
        }
    }
}

async fn seed(db: &Db, args: &SeedArgs, bar: &ProgressBar) -> anyhow::Result<Summary> {
    let refs = Refs::load(db).await?;
    {
        let mut conn = db.conn().await?;
        let existing = rows::count(
            &mut conn,
            &models::PROJECT,
            &[Filter::Eq("name", text(&args.project))],
        )
        .await?;
        if existing > 0 {
            bail!(
                "a project named {:?} exists already in this database: choose another --project",
                args.project
            );
        }
    }
    let today = args
        .today
        .unwrap_or_else(|| chrono::Utc::now().date_naive());
    let day0 = today - TimeDelta::days(STARTED_DAYS_AGO);
    let rng = ChaCha8Rng::seed_from_u64(args.seed ^ stable_hash(args.project.as_bytes()));
    let mut g = Generator {
        rng,
        refs: &refs,
        project: Uuid::nil(),
        today,
        day0,
        episodes_total: 3 * args.scale,
        batch: Batch::new(),
        summary: Summary::default(),
        tasks_per_person: HashMap::new(),
    };
    g.project = g.id();
    let slug = slug(&args.project);

    bar.set_message("persons and project");
    let mut salt = [0u8; 16];
    g.rng.fill(&mut salt);
    let hash = bcrypt::hash_with_salt(PASSWORD, BCRYPT_COST, salt)
        .context("hashing the seed password")?
        .to_string();
    let mut persons = ModelRows::new(&models::PERSON);
    let mut departments = Vec::new();
    let mut team = Vec::new();
    let mut crews = Vec::new();
    let mut emails: HashMap<Uuid, String> = HashMap::new();
    let mut counters: HashMap<&str, u32> = HashMap::new();
    let mut person = |g: &mut Generator, role: Role, deps: &[&str]| -> anyhow::Result<Uuid> {
        let n = counters.entry(role.email_prefix()).or_insert(0);
        *n += 1;
        let email = format!("{}{}.{slug}@{EMAIL_DOMAIN}", role.email_prefix(), *n);
        let id = g.id();
        let first = *FIRST_NAMES.choose(&mut g.rng).unwrap_or(&"Sam");
        let last = *LAST_NAMES.choose(&mut g.rng).unwrap_or(&"Doe");
        let seniority = *["junior", "mid", "senior"]
            .choose(&mut g.rng)
            .unwrap_or(&"mid");
        let created = midnight(g.day0) - TimeDelta::days(10) + TimeDelta::hours(9);
        // Zou's person.position is a choice of supervisor, lead or artist
        // (its model cannot read anything else back: Kitsu's people page
        // sends the value with every edit). A production manager leads.
        let position = match role {
            Role::Manager => "lead",
            Role::Supervisor => "supervisor",
            Role::Artist => "artist",
        };
        persons.push([
            ("id", SqlValue::Uuid(id)),
            ("first_name", text(first)),
            ("last_name", text(last)),
            ("email", text(&email)),
            ("password", text(&hash)),
            ("role", text(role.zou_role())),
            ("position", text(position)),
            ("seniority", text(seniority)),
            (
                "desktop_login",
                text(&format!("{}{}", role.email_prefix(), *n)),
            ),
            ("created_at", SqlValue::DateTime(created)),
            ("updated_at", SqlValue::DateTime(created)),
        ])?;
        for d in deps {
            if let Some(dep) = g.refs.departments.get(*d) {
                departments.push((id, *dep));
            }
        }
        team.push((g.project, id));
        emails.insert(id, email);
        Ok(id)
    };
    for _ in 0..args.scale {
        let manager = person(&mut g, Role::Manager, &[])?;
        let mut supervisors = [Uuid::nil(); 2];
        for (i, deps) in SUPERVISOR_DEPARTMENTS.iter().enumerate() {
            supervisors[i] = person(&mut g, Role::Supervisor, deps)?;
        }
        let mut artists = [Uuid::nil(); 5];
        for (i, deps) in ARTIST_DEPARTMENTS.iter().enumerate() {
            artists[i] = person(&mut g, Role::Artist, deps)?;
        }
        crews.push(Crew {
            manager,
            supervisors,
            artists,
        });
    }
    g.summary.persons = persons.len() as u64;

    let mut project = ModelRows::new(&models::PROJECT);
    let created = midnight(day0) - TimeDelta::days(8) + TimeDelta::hours(10);
    project.push([
        ("id", SqlValue::Uuid(g.project)),
        ("name", text(&args.project)),
        ("code", text(&slug.to_uppercase().replace('-', "_"))),
        (
            "description",
            text(&format!(
                "Generated by `fennec seed --scale {} --seed {}`.",
                args.scale, args.seed
            )),
        ),
        ("production_type", text("tvshow")),
        ("nb_episodes", SqlValue::Int(i64::from(3 * args.scale))),
        ("start_date", SqlValue::Date(day0)),
        (
            "end_date",
            SqlValue::Date(day0 + TimeDelta::days(PRODUCTION_DAYS)),
        ),
        (
            "project_status_id",
            refs.open.map_or(SqlValue::Null(Kind::Uuid), SqlValue::Uuid),
        ),
        ("created_at", SqlValue::DateTime(created)),
        ("updated_at", SqlValue::DateTime(created)),
    ])?;
    let mut tx = db.begin().await?;
    persons.flush(&mut tx).await?;
    bulk::insert_links(&mut tx, &links::PERSON_DEPARTMENTS, &departments).await?;
    project.flush(&mut tx).await?;
    bulk::insert_links(&mut tx, &links::PROJECT_TEAM, &team).await?;
    let p = g.project;
    let settings = |ids: &[Uuid]| ids.iter().map(|i| (p, *i)).collect::<Vec<_>>();
    let mut task_types = refs.asset_task_types.clone();
    task_types.extend(&refs.shot_task_types);
    bulk::insert_links(&mut tx, &links::PROJECT_TASK_TYPES, &settings(&task_types)).await?;
    let statuses: Vec<Uuid> = PROJECT_STATUSES.iter().map(|s| refs.statuses[s]).collect();
    bulk::insert_links(&mut tx, &links::PROJECT_TASK_STATUSES, &settings(&statuses)).await?;
    bulk::insert_links(
        &mut tx,
        &links::PROJECT_ASSET_TYPES,
        &settings(&refs.asset_types),
    )
    .await?;
    tx.commit()
        .await
        .context("writing the project and its team")?;
    g.summary.project_id = g.project;

    bar.set_message("");
    for (unit, crew) in crews.iter().enumerate() {
        let unit = unit as u32;
        g.unit(unit, crew)?;
        if (unit + 1).is_multiple_of(UNITS_PER_TRANSACTION) || unit + 1 == args.scale {
            g.batch.write(db).await.with_context(|| {
                format!(
                    "writing units up to {} (the project {:?} is incomplete: delete it)",
                    unit + 1,
                    args.project
                )
            })?;
        }
        bar.inc(TASKS_PER_UNIT);
    }

    let artists: Vec<Uuid> = crews.iter().flat_map(|c| c.artists).collect();
    let busiest = artists
        .iter()
        .map(|a| (g.tasks_per_person.get(a).copied().unwrap_or_default(), *a))
        .max_by_key(|(n, a)| (*n, std::cmp::Reverse(*a)));
    if let Some(((open, all), a)) = busiest {
        g.summary.busiest_artist = (emails.get(&a).cloned().unwrap_or_default(), open, all);
    }
    Ok(g.summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slug("My Show 2"), "my-show-2");
        assert_eq!(slug("  Été!! "), "t");
        assert_eq!(slug("***"), "project");
        assert_eq!(slug("bench-s28"), "bench-s28");
    }

    #[test]
    fn workdays_skip_weekends() {
        let friday = NaiveDate::from_ymd_opt(2024, 5, 3).unwrap();
        assert_eq!(add_workdays(friday, 1), friday + TimeDelta::days(3));
        assert_eq!(
            workday_on_or_after(friday + TimeDelta::days(1)),
            friday + TimeDelta::days(3)
        );
    }

    #[test]
    fn hash_is_stable() {
        assert_eq!(stable_hash(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(stable_hash(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
