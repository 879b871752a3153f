//! Tasks as Zou's to-do lists present them (`get_person_tasks`,
//! `get_person_tasks_to_check`, the open-tasks page): each task with its
//! production's, entity's, type's and status's denormalised keys, the
//! related rows fetched set-wise beforehand. Shared by the open-tasks
//! route and the user blueprint's "tasks to check"; the to-do routes write
//! the same rows from one query (fennec-store's todo.rs), tested against
//! [`person_todo_maps`].

use std::collections::HashMap;

use fennec_api::models;
use fennec_store::db::Exec;
use fennec_store::links;
use fennec_store::rows::{self, Filter, Row, Select};
use fennec_store::SqlValue;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::error::ApiResult;
use crate::present::{id_of, uuid_field};
use crate::task_rows::{field, flag, uuid_list, Lookups};

/// Which names the extra keys take: the to-do page's (`task_type_name`…)
/// or the open-tasks page's (`type_name`…).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flavour {
    Todo,
    Open,
}

pub(crate) fn id_or_empty(v: Option<Uuid>) -> Value {
    // Zou's to-do rows give missing ids as "" rather than null.
    Value::String(v.map(|u| u.to_string()).unwrap_or_default())
}

/// What the to-do rows of many tasks need, fetched set-wise beforehand.
pub(crate) struct Batch {
    assignees: HashMap<Uuid, Vec<Uuid>>,
    last_comments: HashMap<Uuid, Value>,
}

impl Batch {
    pub(crate) async fn load(
        exec: &mut impl Exec,
        lookups: &mut Lookups,
        tasks: &[Row],
        flavour: Flavour,
    ) -> ApiResult<Batch> {
        let ids: Vec<Uuid> = tasks.iter().map(id_of).collect();
        // Entities, then their parents and sources, then grandparents.
        lookups
            .preload_entities(
                exec,
                tasks.iter().filter_map(|t| uuid_field(t, "entity_id")),
            )
            .await?;
        let parents: Vec<Uuid> = tasks
            .iter()
            .filter_map(|t| lookups.cached_entity(uuid_field(t, "entity_id")))
            .flat_map(|e| [uuid_field(e, "parent_id"), uuid_field(e, "source_id")])
            .flatten()
            .collect();
        lookups
            .preload_entities(exec, parents.iter().copied())
            .await?;
        let grand: Vec<Uuid> = parents
            .iter()
            .filter_map(|p| lookups.cached_entity(Some(*p)))
            .filter_map(|e| uuid_field(e, "parent_id"))
            .collect();
        lookups.preload_entities(exec, grand).await?;
        let assignees = links::TASK_ASSIGNEES.rights_of_many(exec, &ids).await?;
        let last_comments = if flavour == Flavour::Todo {
            last_comments(exec, &ids).await?
        } else {
            HashMap::new()
        };
        Ok(Batch {
            assignees,
            last_comments,
        })
    }
}

pub(crate) fn todo_row(lookups: &Lookups, batch: &Batch, mut r: Row, flavour: Flavour) -> Row {
    let project = lookups.cached_project(uuid_field(&r, "project_id"));
    let e = lookups.cached_entity(uuid_field(&r, "entity_id"));
    let kind = e
        .and_then(|e| e.get("type"))
        .and_then(Value::as_str)
        .unwrap_or("");
    // Zou's to-do query names the entity's parent `sequence_name` (for a
    // sequence that is its episode) and the parent's parent the episode.
    let parent = lookups.cached_entity(e.and_then(|e| uuid_field(e, "parent_id")));
    let (sequence, episode) = match kind {
        "Shot" | "Scene" => (
            parent,
            lookups.cached_entity(parent.and_then(|s| uuid_field(s, "parent_id"))),
        ),
        "Sequence" => (parent, parent),
        _ => (
            parent,
            lookups.cached_entity(e.and_then(|e| uuid_field(e, "source_id"))),
        ),
    };
    r.insert("project_name".into(), field(project, "name"));
    r.insert(
        "project_has_avatar".into(),
        json!(flag(project, "has_avatar")),
    );
    r.insert("entity_name".into(), field(e, "name"));
    r.insert("entity_description".into(), field(e, "description"));
    r.insert("entity_data".into(), field(e, "data"));
    r.insert(
        "entity_preview_file_id".into(),
        id_or_empty(e.and_then(|e| uuid_field(e, "preview_file_id"))),
    );
    r.insert(
        "entity_source_id".into(),
        id_or_empty(e.and_then(|e| uuid_field(e, "source_id"))),
    );
    let et_name = e
        .and_then(|e| uuid_field(e, "entity_type_id"))
        .and_then(|t| lookups.refs.entity_types.name(t))
        .map_or(Value::Null, |n| Value::String(n.to_owned()));
    r.insert("entity_type_name".into(), et_name);
    r.insert("entity_canceled".into(), json!(flag(e, "canceled")));
    r.insert("sequence_name".into(), field(sequence, "name"));
    r.insert("episode_id".into(), id_or_empty(episode.map(id_of)));
    r.insert("episode_name".into(), field(episode, "name"));
    let tt = lookups.task_type(&r).cloned();
    let st = lookups.status(&r).cloned();
    r.insert(
        "task_type_for_entity".into(),
        field(tt.as_ref(), "for_entity"),
    );
    let id = id_of(&r);
    let assignees = batch.assignees.get(&id).map_or(&[][..], Vec::as_slice);
    match flavour {
        Flavour::Todo => {
            for (k, v) in [
                ("task_estimation", "estimation"),
                ("task_duration", "duration"),
                ("task_start_date", "start_date"),
                ("task_due_date", "due_date"),
            ] {
                let value = field(Some(&r), v);
                r.insert(k.into(), value);
            }
            r.insert("task_type_name".into(), field(tt.as_ref(), "name"));
            r.insert("task_status_name".into(), field(st.as_ref(), "name"));
            r.insert("task_type_color".into(), field(tt.as_ref(), "color"));
            r.insert("task_status_color".into(), field(st.as_ref(), "color"));
            r.insert(
                "task_status_short_name".into(),
                field(st.as_ref(), "short_name"),
            );
            r.insert("assignees".into(), uuid_list(assignees));
            let last = batch
                .last_comments
                .get(&id)
                .cloned()
                .unwrap_or_else(|| json!({}));
            r.insert("last_comment".into(), last);
        }
        Flavour::Open => {
            r.insert("type_name".into(), field(tt.as_ref(), "name"));
            r.insert("status_name".into(), field(st.as_ref(), "name"));
            r.insert("type_color".into(), field(tt.as_ref(), "color"));
            r.insert("status_color".into(), field(st.as_ref(), "color"));
            r.insert("status_short_name".into(), field(st.as_ref(), "short_name"));
            r.insert("assignees".into(), uuid_list(assignees));
        }
    }
    r
}

/// The last comment of each task, one query per 500 tasks.
async fn last_comments(exec: &mut impl Exec, tasks: &[Uuid]) -> ApiResult<HashMap<Uuid, Value>> {
    let mut out = HashMap::new();
    for chunk in tasks.chunks(500) {
        let select = Select {
            filters: vec![Filter::In(
                "object_id",
                chunk.iter().map(|u| SqlValue::Uuid(*u)).collect(),
            )],
            order: rows::Order::Created,
            ..Default::default()
        };
        for c in rows::list(exec, &models::COMMENT, &select, false).await? {
            if let Some(task) = uuid_field(&c, "object_id") {
                out.insert(
                    task,
                    json!({"text": c["text"], "date": c["created_at"], "person_id": c["person_id"]}),
                );
            }
        }
    }
    Ok(out)
}

/// A person's to-do (Zou's `get_person_tasks`: his tasks, done or not, in
/// the open productions whose team he is in) built as maps with
/// [`todo_row`]. The routes write it from the row instead (fennec-store's
/// todo.rs); this form is the reference that path is tested against, byte
/// for byte (fennec-cli's tests/stream_equivalence.rs).
pub async fn person_todo_maps(
    exec: &mut impl Exec,
    person: Uuid,
    done: bool,
) -> ApiResult<Vec<Row>> {
    let ids = fennec_store::tasks::task_ids_for_person(exec, person).await?;
    let projects = links::PROJECT_TEAM.lefts(exec, person).await?;
    let open = fennec_store::defaults::project_status_id(exec, "Open").await?;
    let open_projects: std::collections::HashSet<Uuid> = rows::list(
        exec,
        &models::PROJECT,
        &Select::default().filter(Filter::In(
            "id",
            projects.into_iter().map(SqlValue::Uuid).collect(),
        )),
        false,
    )
    .await?
    .into_iter()
    .filter(|p| open.is_none() || uuid_field(p, "project_status_id") == open)
    .map(|p| id_of(&p))
    .collect();
    let select = Select::default().filter(Filter::In(
        "id",
        ids.into_iter().map(SqlValue::Uuid).collect(),
    ));
    let list = rows::list(exec, &models::TASK, &select, false).await?;
    let mut lookups = Lookups::load(exec).await?;
    let list: Vec<Row> = list
        .into_iter()
        .filter(|r| uuid_field(r, "project_id").is_some_and(|p| open_projects.contains(&p)))
        .filter(|r| flag(lookups.status(r), "is_done") == done)
        .collect();
    lookups
        .preload_projects(
            exec,
            list.iter().filter_map(|t| uuid_field(t, "project_id")),
        )
        .await?;
    let batch = Batch::load(exec, &mut lookups, &list, Flavour::Todo).await?;
    Ok(list
        .into_iter()
        .map(|r| todo_row(&lookups, &batch, r, Flavour::Todo))
        .collect())
}
