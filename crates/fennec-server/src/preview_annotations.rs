//! A preview's annotations and its place among its revision's previews
//! (issue 14): Zou 1.0.97's `preview_annotations_service` merge rules and
//! `update_preview_file_position`. Routes in routes/previews.rs.
//!
//! Annotations are Kitsu's drawings: a list of `{"time", "drawing":
//! {"objects": [...]}}`, one entry per annotated time. Kitsu sends its
//! changes as additions, updates and deletions, merged here under the
//! task's lock so that two reviewers drawing at once both keep their
//! objects (Zou takes a Redis lock for the same reason).

use fennec_api::models::PREVIEW_FILE;
use fennec_store::rows::{self, Row, Select};
use fennec_store::SqlValue;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::permissions::{can_manage_task, check_project_access, on_project};
use crate::auth::user::Role;
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::present::{id_of, uuid_field};
use crate::task_rows::TASK;

/// Two times are one key of Zou's time map (a Python dict, where `1` and
/// `1.0` are the same key).
fn same_time(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// Python's truth of a JSON value (Zou tests `not object.get("id")`).
fn truthy(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64() != Some(0.0),
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Object(o)) => !o.is_empty(),
    }
}

/// Zou's `_ensure_object_id`: an object with no id gets a new one, so that
/// later updates and deletions can name it.
fn ensure_id(object: &mut Value) {
    if let Value::Object(o) = object {
        if !truthy(o.get("id")) {
            o.insert("id".into(), Value::String(Uuid::new_v4().to_string()));
        }
    }
}

/// An entry's drawing objects (none when it has no drawing).
fn objects(entry: &Value) -> Vec<Value> {
    entry
        .get("drawing")
        .and_then(|d| d.get("objects"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// Sets an entry's drawing objects, making its drawing when it has none.
fn set_objects(entry: &mut Value, list: Vec<Value>) {
    let Value::Object(map) = entry else { return };
    let drawing = map
        .entry("drawing")
        .or_insert_with(|| Value::Object(Map::new()));
    if !drawing.is_object() {
        *drawing = Value::Object(Map::new());
    }
    if let Value::Object(d) = drawing {
        d.insert("objects".into(), Value::Array(list));
    }
}

/// The time of a change; Zou fails (500) on a change without one, Fennec
/// answers 400.
fn time_of<'a>(change: &'a Value, what: &str) -> Result<&'a Value, String> {
    change
        .as_object()
        .and_then(|c| c.get("time"))
        .ok_or_else(|| format!("Each of the {what} must be an object with a \"time\"."))
}

/// The last entry of `entries` at `time` (the one Zou's time map keeps).
fn find(entries: &[Value], time: &Value) -> Option<usize> {
    entries
        .iter()
        .rposition(|e| same_time(e.get("time").unwrap_or(&Value::Null), time))
}

/// Zou's merge: additions add the times not annotated yet and, at a time
/// already annotated, the objects whose id is new; updates replace the
/// objects they name at their time; deletions drop the objects they name;
/// times left without objects go. `Err` names a malformed change.
pub fn merge(
    mut entries: Vec<Value>,
    additions: &[Value],
    updates: &[Value],
    deletions: &[Value],
) -> Result<Vec<Value>, String> {
    for entry in entries.iter_mut() {
        let mut list = objects(entry);
        if !list.is_empty() {
            list.iter_mut().for_each(ensure_id);
            set_objects(entry, list);
        }
    }
    // Zou's time map is built once, before the additions: two additions
    // at one new time become two entries.
    let known = entries.len();
    for addition in additions {
        let time = time_of(addition, "additions")?;
        let mut added = objects(addition);
        added.iter_mut().for_each(ensure_id);
        match find(&entries[..known], time) {
            None => {
                let mut entry = addition.clone();
                if !added.is_empty() {
                    set_objects(&mut entry, added);
                }
                entries.push(entry);
            }
            Some(i) => {
                let mut list = objects(&entries[i]);
                list.iter_mut().for_each(ensure_id);
                let ids: Vec<Value> = list.iter().filter_map(|o| o.get("id").cloned()).collect();
                for object in added {
                    let id = object.get("id").cloned().unwrap_or(Value::Null);
                    if !ids.contains(&id) {
                        list.push(object);
                    }
                }
                set_objects(&mut entries[i], list);
            }
        }
    }
    for update in updates {
        let time = time_of(update, "updates")?;
        let Some(i) = find(&entries, time) else {
            continue;
        };
        let previous = objects(&entries[i]);
        let previous_ids: Vec<Value> = previous
            .iter()
            .filter_map(|o| o.get("id").cloned())
            .collect();
        let updated = objects(update);
        let updated_ids: Vec<Value> = updated
            .iter()
            .filter_map(|o| o.get("id").cloned())
            .collect();
        let mut list: Vec<Value> = previous
            .into_iter()
            .filter(|o| !updated_ids.contains(o.get("id").unwrap_or(&Value::Null)))
            .collect();
        list.extend(
            updated
                .into_iter()
                .filter(|o| o.get("id").is_some_and(|id| previous_ids.contains(id))),
        );
        set_objects(&mut entries[i], list);
    }
    for deletion in deletions {
        let time = time_of(deletion, "deletions")?;
        let gone = match deletion.get("objects") {
            None => Vec::new(),
            Some(Value::Array(ids)) => ids.clone(),
            Some(_) => return Err("The objects of a deletion must be a list of ids.".into()),
        };
        let Some(i) = find(&entries, time) else {
            continue;
        };
        let empty = Value::String(String::new());
        let list = objects(&entries[i])
            .into_iter()
            .filter(|o| !gone.contains(o.get("id").unwrap_or(&empty)))
            .collect();
        set_objects(&mut entries[i], list);
    }
    entries.retain(|e| !objects(e).is_empty());
    Ok(entries)
}

/// A list field of Zou's `AnnotationsUpdateSchema` (absent or null: none).
fn list_field(body: &Map<String, Value>, key: &str) -> ApiResult<Vec<Value>> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(a)) => Ok(a.clone()),
        Some(_) => Err(ApiError::validation(vec![(
            key.into(),
            "Input should be a valid list".into(),
        )])),
    }
}

async fn preview_and_task(
    exec: &mut impl fennec_store::db::Exec,
    id: Uuid,
) -> ApiResult<(Row, Row)> {
    let preview = rows::get(exec, &PREVIEW_FILE, id, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let task = uuid_field(&preview, "task_id").ok_or_else(ApiError::not_found)?;
    let task = rows::get(exec, TASK, task, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok((preview, task))
}

/// `PUT actions/preview-files/{id}/update-annotations`: Zou's
/// `UpdateAnnotationsResource`. The production's team, and there its
/// managers, clients, and supervisors of the task's department (or of
/// none); artists and vendors may not. Answers the preview file.
pub async fn update_annotations(
    state: &AppState,
    user: &CurrentUser,
    preview_id: Uuid,
    body: &Map<String, Value>,
) -> ApiResult<Row> {
    let mut tx = state.db.begin().await?;
    let (_, task) = preview_and_task(&mut tx, preview_id).await?;
    let project = uuid_field(&task, "project_id").unwrap_or_default();
    check_project_access(&mut tx, user, project).await?;
    let role = on_project(&mut tx, user, project).await?;
    let allowed = match role.role {
        Role::Admin | Role::Manager | Role::Client => true,
        Role::Supervisor => {
            can_manage_task(&mut tx, user, project, uuid_field(&task, "task_type_id")).await?
        }
        _ => false,
    };
    if !allowed {
        return Err(ApiError::forbidden());
    }
    let additions = list_field(body, "additions")?;
    let updates = list_field(body, "updates")?;
    let deletions = list_field(body, "deletions")?;
    // Concurrent reviewers: the task's lock serialises their merges.
    fennec_store::tasks::lock_task(&mut tx, id_of(&task)).await?;
    let preview = rows::get(&mut tx, &PREVIEW_FILE, preview_id, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let entries = match preview.get("annotations") {
        Some(Value::Array(a)) => a.clone(),
        _ => Vec::new(),
    };
    let merged = merge(entries, &additions, &updates, &deletions).map_err(ApiError::bad_request)?;
    let col = PREVIEW_FILE
        .column("annotations")
        .expect("preview file column");
    let row = rows::update(
        &mut tx,
        &PREVIEW_FILE,
        preview_id,
        vec![(col, SqlValue::Json(Value::Array(merged)))],
    )
    .await?
    .ok_or_else(ApiError::not_found)?;
    let data = serde_json::json!({
        "preview_file_id": preview_id.to_string(),
        "person_id": user.id.to_string(),
        "updated_at": row.get("updated_at").cloned().unwrap_or(Value::Null),
    });
    crate::events::emit(
        &mut tx,
        Some(user.id),
        "preview-file:annotation-update",
        data,
        Some(project),
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// `PUT actions/preview-files/{id}/update-position`: Zou's
/// `UpdatePreviewPositionResource`, for whoever may act on the task. The
/// preview moves to `position` (1-based) among its revision's previews,
/// the others keep their order; a position outside them changes nothing.
/// Answers the revision's previews in their (new) order.
pub async fn update_position(
    state: &AppState,
    user: &CurrentUser,
    preview_id: Uuid,
    position: i64,
) -> ApiResult<Vec<Value>> {
    let mut tx = state.db.begin().await?;
    let (preview, task) = preview_and_task(&mut tx, preview_id).await?;
    let project = uuid_field(&task, "project_id").unwrap_or_default();
    check_project_access(&mut tx, user, project).await?;
    let acting = on_project(&mut tx, user, project).await?;
    if !crate::comments::may_act_on_task(&mut tx, &acting, &task).await? {
        return Err(ApiError::forbidden());
    }
    fennec_store::tasks::lock_task(&mut tx, id_of(&task)).await?;
    let select = Select::default()
        .eq("task_id", SqlValue::Uuid(id_of(&task)))
        .eq(
            "revision",
            preview
                .get("revision")
                .and_then(Value::as_i64)
                .map_or(SqlValue::Null(fennec_api::models::Kind::Int), SqlValue::Int),
        );
    let mut list = rows::list(&mut tx, &PREVIEW_FILE, &select, false).await?;
    // Zou's order: position, then creation.
    list.sort_by(|a, b| {
        let key = |r: &Row| {
            (
                r.get("position").and_then(Value::as_i64).unwrap_or(0),
                r.get("created_at")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
            )
        };
        key(a).cmp(&key(b))
    });
    if position > 0 && position as usize <= list.len() {
        let at = list.iter().position(|r| id_of(r) == preview_id);
        if let Some(at) = at {
            let moved = list.remove(at);
            list.insert(position as usize - 1, moved);
        }
        let col = PREVIEW_FILE
            .column("position")
            .expect("preview file column");
        for (i, row) in list.iter_mut().enumerate() {
            *row = rows::update(
                &mut tx,
                &PREVIEW_FILE,
                id_of(row),
                vec![(col, SqlValue::Int(i as i64 + 1))],
            )
            .await?
            .ok_or_else(ApiError::not_found)?;
        }
    }
    tx.commit().await?;
    Ok(list.into_iter().map(Value::Object).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ids(entries: &[Value]) -> Vec<(Value, Vec<Value>)> {
        entries
            .iter()
            .map(|e| {
                (
                    e["time"].clone(),
                    objects(e).iter().map(|o| o["id"].clone()).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn additions_updates_and_deletions_follow_zou() {
        let start = vec![json!({"time": 0, "drawing": {"objects": [{"id": "a", "x": 1}]}})];
        let out = merge(
            start,
            &[
                json!({"time": 0.0, "drawing": {"objects": [{"id": "a", "x": 9}, {"id": "b"}]}}),
                json!({"time": 2, "drawing": {"objects": [{"x": 3}]}}),
            ],
            &[json!({"time": 0, "drawing": {"objects": [{"id": "a", "x": 5}, {"id": "zz"}]}})],
            &[],
        )
        .unwrap();
        // The addition at a known time keeps "a" as it was and adds "b";
        // the update replaces "a" (moved last) and ignores an unknown id.
        assert_eq!(
            out[0]["drawing"]["objects"],
            json!([{"id": "b"}, {"id": "a", "x": 5}])
        );
        let new_id = out[1]["drawing"]["objects"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(new_id.len(), 36);
        // Deleting every object of a time drops the time.
        let out = merge(out, &[], &[], &[json!({"time": 2, "objects": [new_id]})]).unwrap();
        assert_eq!(ids(&out), vec![(json!(0), vec![json!("b"), json!("a")])]);
        assert!(merge(vec![], &[json!("x")], &[], &[]).is_err());
        assert!(merge(vec![], &[], &[], &[json!({"objects": []})]).is_err());
    }
}
