//! Kitsu's default data (`zou init-data`, 3d preset), loaded once into a
//! fresh database.
//!
//! gazu scripts look these up by name (`get_task_status_by_short_name("wip")`,
//! `get_task_type_by_name("Modeling")`), and `get_default_task_status` takes
//! the first `is_default` status, which must be Todo: hence the insertion
//! order below.

use fennec_api::models::{self, Model};
use uuid::Uuid;

use crate::db::{Db, Exec, Tx};
use crate::rows::{self, Select};
use crate::value::SqlValue;
use crate::{on, Result};

struct Status {
    name: &'static str,
    short: &'static str,
    color: &'static str,
    flag: Option<&'static str>,
    concept: bool,
}

const fn status(
    name: &'static str,
    short: &'static str,
    color: &'static str,
    flag: Option<&'static str>,
    concept: bool,
) -> Status {
    Status {
        name,
        short,
        color,
        flag,
        concept,
    }
}

const TASK_STATUSES: &[Status] = &[
    status("Todo", "todo", "#f5f5f5", Some("is_default"), false),
    status("Work In Progress", "wip", "#3273dc", Some("is_wip"), false),
    status(
        "Waiting For Approval",
        "wfa",
        "#ab26ff",
        Some("is_feedback_request"),
        false,
    ),
    status("Retake", "retake", "#ff3860", Some("is_retake"), false),
    status("Done", "done", "#22d160", Some("is_done"), false),
    status("Ready To Start", "ready", "#fbc02d", None, false),
    status("Neutral", "neutral", "#CCCCCC", Some("is_default"), true),
    status("Approved", "approved", "#66BB6A", None, true),
    status("Rejected", "rejected", "#E81123", None, true),
];

const DEPARTMENTS: &[(&str, &str)] = &[
    ("Modeling", "#78909C"),
    ("Animation", "#009688"),
    ("FX", "#26C6DA"),
    ("Compositing", "#F06292"),
    ("Concept", "#8D6E63"),
    ("Layout", "#7CB342"),
];

/// (name, for_entity, priority, color, department)
const TASK_TYPES: &[(&str, &str, i64, &str, Option<&str>)] = &[
    ("Concept", "Concept", 1, "#8D6E63", None),
    ("Concept", "Asset", 1, "#8D6E63", Some("Concept")),
    ("Modeling", "Asset", 2, "#78909C", Some("Modeling")),
    ("Shading", "Asset", 3, "#64B5F6", Some("Modeling")),
    ("Rigging", "Asset", 4, "#9CCC65", Some("Animation")),
    ("Storyboard", "Shot", 1, "#43A047", Some("Concept")),
    ("Layout", "Shot", 2, "#7CB342", Some("Layout")),
    ("Animation", "Shot", 3, "#009688", Some("Animation")),
    ("Lighting", "Shot", 4, "#F9A825", Some("Compositing")),
    ("FX", "Shot", 5, "#26C6DA", Some("FX")),
    ("Rendering", "Shot", 6, "#F06292", Some("Compositing")),
    ("Compositing", "Shot", 7, "#ff5252", Some("Compositing")),
    ("Edit", "Edit", 8, "#9b298c", Some("Compositing")),
];

/// Asset types first, then the built-in entity kinds, as Zou creates them.
const ENTITY_TYPES: &[&str] = &[
    "Character",
    "Prop",
    "Environment",
    "FX",
    "Episode",
    "Sequence",
    "Shot",
    "Edit",
];

/// Entity kinds that are not asset types (Zou's `shot`-like types).
pub const NON_ASSET_ENTITY_TYPES: &[&str] =
    &["Episode", "Sequence", "Shot", "Edit", "Scene", "Concept"];

fn col(model: &Model, name: &str) -> &'static fennec_api::models::Column {
    model
        .column(name)
        .unwrap_or_else(|| panic!("{} has no column {name}", model.type_name))
}

fn text(v: &str) -> SqlValue {
    SqlValue::Text(v.to_owned())
}

/// Loads the default data unless it is there already. Safe when several
/// replicas start at once: on PostgreSQL an advisory lock serialises them,
/// on SQLite the immediate transaction does.
pub async fn load(db: &Db) -> Result<bool> {
    let mut tx = db.begin().await?;
    if let Tx::Postgres(t, _) = &mut tx {
        sqlx::query("SELECT pg_advisory_xact_lock(7310001)")
            .execute(&mut **t)
            .await?;
    }
    let existing = rows::count(&mut tx, &models::ORGANISATION, &[]).await?;
    if existing > 0 {
        tx.commit().await?;
        return Ok(false);
    }
    insert_defaults(&mut tx).await?;
    tx.commit().await?;
    Ok(true)
}

async fn insert_defaults(tx: &mut Tx) -> Result<()> {
    let o = &models::ORGANISATION;
    rows::insert(tx, o, vec![(col(o, "name"), text("Kitsu"))]).await?;

    let ps = &models::PROJECT_STATUS;
    for (name, color) in [("Open", "#000000"), ("Closed", "#000000")] {
        rows::insert(
            tx,
            ps,
            vec![
                (col(ps, "name"), text(name)),
                (col(ps, "color"), text(color)),
            ],
        )
        .await?;
    }

    let et = &models::ENTITY_TYPE;
    for name in ENTITY_TYPES {
        rows::insert(tx, et, vec![(col(et, "name"), text(name))]).await?;
    }

    let d = &models::DEPARTMENT;
    let mut departments = Vec::new();
    for (name, color) in DEPARTMENTS {
        let row = rows::insert(
            tx,
            d,
            vec![(col(d, "name"), text(name)), (col(d, "color"), text(color))],
        )
        .await?;
        departments.push((*name, row_id(&row)));
    }

    let tt = &models::TASK_TYPE;
    for (name, for_entity, priority, color, department) in TASK_TYPES {
        let dep = department
            .and_then(|d| departments.iter().find(|(n, _)| *n == d))
            .map_or(SqlValue::Null(fennec_api::models::Kind::Uuid), |(_, id)| {
                SqlValue::Uuid(*id)
            });
        rows::insert(
            tx,
            tt,
            vec![
                (col(tt, "name"), text(name)),
                (col(tt, "short_name"), text("")),
                (col(tt, "for_entity"), text(for_entity)),
                (col(tt, "priority"), SqlValue::Int(*priority)),
                (col(tt, "color"), text(color)),
                (col(tt, "department_id"), dep),
            ],
        )
        .await?;
    }

    let ts = &models::TASK_STATUS;
    for s in TASK_STATUSES {
        let mut values = vec![
            (col(ts, "name"), text(s.name)),
            (col(ts, "short_name"), text(s.short)),
            (col(ts, "color"), text(s.color)),
            (col(ts, "for_concept"), SqlValue::Bool(s.concept)),
        ];
        if let Some(flag) = s.flag {
            values.push((col(ts, flag), SqlValue::Bool(true)));
        }
        rows::insert(tx, ts, values).await?;
    }
    Ok(())
}

pub(crate) fn row_id(row: &rows::Row) -> Uuid {
    row.get("id")
        .and_then(|v| v.as_str())
        .and_then(|s| Uuid::parse_str(s).ok())
        .unwrap_or_default()
}

/// The id of the entity type named `name`, created when missing (Zou
/// creates Scene and Concept types on first use).
pub async fn entity_type_id(exec: &mut impl Exec, name: &str) -> Result<Uuid> {
    let et = &models::ENTITY_TYPE;
    let select = Select::default().eq("name", text(name));
    if let Some(row) = rows::list(exec, et, &select, false)
        .await?
        .into_iter()
        .next()
    {
        return Ok(row_id(&row));
    }
    let row = rows::insert(exec, et, vec![(col(et, "name"), text(name))]).await?;
    Ok(row_id(&row))
}

/// The id of the project status named `name` ("Open" / "Closed").
pub async fn project_status_id(exec: &mut impl Exec, name: &str) -> Result<Option<Uuid>> {
    let sql = "SELECT id FROM project_statuses WHERE name = $1";
    Ok(on!(exec, c => sqlx::query_scalar(sql).bind(name).fetch_optional(&mut *c).await?))
}
