//! Zou's `file_tree_service.guess_from_path`: which templates of a
//! production's file tree a path matches, and the ids of what its tokens
//! name. Names match as Zou's `ILIKE` lookups do (case ignored, `%` and
//! `_` wildcards), the first row in creation order when several do.
//!
//! Fennec has no output types nor episode-scoped asset instances, so the
//! `<OutputType>` and `<Instance>` tokens find nothing, as they do in Zou
//! when no row has the name.

use fennec_store::db::Exec;
use fennec_store::{on, StoreError};
use regex::Regex;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};

/// SQL's `ILIKE`: `%` any run of characters, `_` any one, case ignored.
pub fn ilike(name: &str, pattern: &str) -> bool {
    fn matches(n: &[char], p: &[char]) -> bool {
        match p.split_first() {
            None => n.is_empty(),
            Some(('%', rest)) => (0..=n.len()).any(|i| matches(&n[i..], rest)),
            Some(('_', rest)) => !n.is_empty() && matches(&n[1..], rest),
            Some((c, rest)) => n.first() == Some(c) && matches(&n[1..], rest),
        }
    }
    let n: Vec<char> = name.to_lowercase().chars().collect();
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    matches(&n, &p)
}

fn malformed(why: &str) -> ApiError {
    ApiError::bad_request(format!("Malformed file tree: {why}"))
}

fn apply_style(name: &str, style: &str) -> String {
    match style {
        "uppercase" => name.to_uppercase(),
        "lowercase" => name.to_lowercase(),
        _ => name.to_owned(),
    }
}

/// Python's `s[start:stop]` on characters, a negative stop counted from
/// the end.
fn py_slice(s: &str, start: usize, stop: i64) -> String {
    let chars: Vec<char> = s.chars().collect();
    let len = chars.len() as i64;
    let stop = if stop < 0 {
        (stop + len).max(0)
    } else {
        stop.min(len)
    } as usize;
    let start = start.min(chars.len());
    if start >= stop {
        return String::new();
    }
    chars[start..stop].iter().collect()
}

/// Zou's `extract_variable_values_from_path`: each token's value at its
/// place in the path (prefix and suffix cut, `_` read as a space), the
/// first non-empty one kept; None when a fixed folder differs.
fn extract_tokens(elements: &[&str], template_elements: &[&str]) -> Option<Vec<(String, String)>> {
    let token_re = Regex::new(r"(\w*)<(\w*)>(\w*)").expect("static pattern");
    let mut out: Vec<(String, String)> = Vec::new();
    let max = elements.len().min(template_elements.len());
    for (i, template_element) in template_elements.iter().enumerate() {
        if i == max {
            break;
        }
        let Some(caps) = token_re.captures(template_element) else {
            if *template_element == elements[i] {
                continue;
            }
            return None;
        };
        let prefix = caps[1].chars().count();
        let suffix = caps[3].chars().count() as i64;
        let value = elements[i].replace('_', " ");
        let len = value.chars().count() as i64;
        let value = py_slice(&value, prefix, len - suffix);
        let token = caps[2].to_owned();
        match out.iter_mut().find(|(k, _)| *k == token) {
            Some((_, v)) if v.is_empty() => *v = value,
            Some(_) => {}
            None => out.push((token, value)),
        }
    }
    Some(out)
}

/// The id of the first row of `sql` (whose first two columns are id and
/// name) whose name is ILIKE `name`.
async fn first_named(
    exec: &mut impl Exec,
    sql: &str,
    args: &[Uuid],
    name: &str,
) -> ApiResult<Option<String>> {
    let rows: Vec<(Uuid, Option<String>)> = on!(exec, c => {
        let mut q = sqlx::query_as(sql);
        for a in args {
            q = q.bind(*a);
        }
        q.fetch_all(&mut *c).await.map_err(StoreError::from)?
    });
    Ok(rows
        .into_iter()
        .find(|(_, n)| ilike(n.as_deref().unwrap_or(""), name))
        .map(|(id, _)| id.to_string()))
}

fn constraint(found: &Map<String, Value>, key: &str) -> Option<Uuid> {
    found
        .get(key)
        .and_then(Value::as_str)
        .and_then(|s| Uuid::parse_str(s).ok())
}

/// Zou's `get_data_from_token`: what a token's value names, given what the
/// path named before it; None when nothing (or nothing truthy) is found.
async fn token_data(
    exec: &mut impl Exec,
    token: &str,
    value: &str,
    found: &Map<String, Value>,
) -> ApiResult<Option<String>> {
    let project = constraint(found, "Project");
    let entities_of_kind = |kind: &str, parent: bool| {
        format!(
            "SELECT e.id, e.name FROM entities e JOIN entity_types et ON et.id = e.entity_type_id \
             WHERE et.name = '{kind}' AND e.project_id = $1{} ORDER BY e.created_at, e.id",
            if parent { " AND e.parent_id = $2" } else { "" }
        )
    };
    let by_name = |table: &str| format!("SELECT id, name FROM {table} ORDER BY created_at, id");
    let entities_of_type = "SELECT id, name FROM entities WHERE entity_type_id = $1 \
                            AND project_id = $2 ORDER BY created_at, id";
    Ok(match token {
        "Asset" | "TemporalEntity" => {
            let type_key = if token == "Asset" {
                "AssetType"
            } else {
                "TemporalEntityType"
            };
            match (project, constraint(found, type_key)) {
                (Some(p), Some(t)) => first_named(exec, entities_of_type, &[t, p], value).await?,
                _ => None,
            }
        }
        "AssetType" | "TemporalEntityType" => {
            first_named(exec, &by_name("entity_types"), &[], value).await?
        }
        "Department" => first_named(exec, &by_name("departments"), &[], value).await?,
        "TaskType" => first_named(exec, &by_name("task_types"), &[], value).await?,
        "Project" => first_named(exec, &by_name("projects"), &[], value).await?,
        "Episode" => match project {
            Some(p) => first_named(exec, &entities_of_kind("Episode", false), &[p], value).await?,
            None => None,
        },
        // A sequence sits in the episode the path named, if any; a scene in
        // its sequence.
        "Sequence" | "Scene" => {
            let parent_key = if token == "Sequence" {
                "Episode"
            } else {
                "Sequence"
            };
            match (project, constraint(found, parent_key)) {
                (None, _) => None,
                (Some(p), None) => {
                    first_named(exec, &entities_of_kind(token, false), &[p], value).await?
                }
                (Some(p), Some(parent)) => {
                    first_named(exec, &entities_of_kind(token, true), &[p, parent], value).await?
                }
            }
        }
        "Shot" => match (project, constraint(found, "Sequence")) {
            (Some(p), Some(s)) => {
                first_named(exec, &entities_of_kind("Shot", true), &[p, s], value).await?
            }
            _ => None,
        },
        "Task" => {
            let entity = ["Scene", "Asset", "Shot"]
                .iter()
                .find_map(|k| constraint(found, k));
            match (project, constraint(found, "TaskType"), entity) {
                (Some(p), Some(tt), Some(e)) => {
                    let sql = "SELECT id, name FROM tasks WHERE task_type_id = $1 \
                               AND project_id = $2 AND entity_id = $3 ORDER BY created_at, id";
                    first_named(exec, sql, &[tt, p, e], value).await?
                }
                _ => None,
            }
        }
        "Name" | "Representation" => Some(value.to_owned()).filter(|v| !v.is_empty()),
        // Python's int(): surrounding spaces allowed, 0 is no version.
        "Version" => value
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|v| *v != 0)
            .map(|v| v.to_string()),
        _ => None,
    })
}

/// The templates of `tree` that `file_path` matches, each with the ids of
/// what its tokens name, in the tree's order.
pub async fn guess_from_path(
    exec: &mut impl Exec,
    project_id: Uuid,
    tree: &Map<String, Value>,
    file_path: &str,
    sep: &str,
) -> ApiResult<Vec<Value>> {
    if sep.is_empty() {
        return Err(ApiError::bad_request("The separator cannot be empty."));
    }
    let mut matching: Vec<Value> = Vec::new();
    for (mode, spec) in tree {
        let folder_path = spec
            .get("folder_path")
            .and_then(Value::as_object)
            .ok_or_else(|| malformed(&format!("mode {mode} has no folder_path")))?;
        let style = folder_path
            .get("style")
            .and_then(Value::as_str)
            .unwrap_or("");
        let (Some(mountpoint), Some(root)) = (spec.get("mountpoint"), spec.get("root")) else {
            return Err(malformed(&format!(
                "mode {mode} needs a mountpoint and a root"
            )));
        };
        // Python's f-string of each value; an empty or null root is none.
        let text = |v: &Value| match v {
            Value::String(s) => s.clone(),
            Value::Null => "None".to_owned(),
            other => other.to_string(),
        };
        let root = match root {
            Value::Null => format!("{}{sep}", text(mountpoint)),
            Value::String(r) if r.is_empty() => format!("{}{sep}", text(mountpoint)),
            r => format!("{}{sep}{}{sep}", text(mountpoint), text(r)),
        };
        let root = apply_style(&root, style);
        let styled = apply_style(file_path, style);
        let Some(rest) = styled.strip_prefix(&root) else {
            continue;
        };
        let elements: Vec<&str> = rest.split(sep).collect();
        for (template, template_path) in folder_path {
            let Some(template_path) = template_path.as_str() else {
                return Err(malformed(&format!("template {template} is not a path")));
            };
            let template_elements: Vec<&str> = template_path.split(sep).collect();
            let Some(tokens) = extract_tokens(&elements, &template_elements) else {
                continue;
            };
            if tokens.is_empty() {
                continue;
            }
            let mut found = Map::new();
            found.insert("Template".into(), Value::String(template.clone()));
            for element in &template_elements {
                let Some((token, value)) = tokens
                    .iter()
                    .find(|(t, _)| element.contains(&format!("<{t}>")))
                else {
                    continue;
                };
                let Some(data) = token_data(exec, token, value, &found).await? else {
                    break;
                };
                // A path naming another production is not this one's.
                if token == "Project" && data != project_id.to_string() {
                    break;
                }
                found.insert(token.clone(), Value::String(data));
            }
            let found = Value::Object(found);
            if !matching.contains(&found) {
                matching.push(found);
            }
        }
    }
    Ok(matching)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ilike_matches_as_sql_does() {
        assert!(ilike("Big Buck", "big buck"));
        assert!(ilike("Big Buck", "BIG%"));
        assert!(ilike("Big Buck", "b_g buck"));
        assert!(!ilike("Big Buck", "big"));
        assert!(!ilike("Big", "big buck"));
    }

    #[test]
    fn tokens_are_read_between_prefix_and_suffix() {
        let got = extract_tokens(
            &["prod", "SH_01", "v003", "x"],
            &["<Project>", "<Shot>", "v<Version>", "x", "more"],
        )
        .unwrap();
        assert_eq!(
            got,
            vec![
                ("Project".into(), "prod".into()),
                ("Shot".into(), "SH 01".into()),
                ("Version".into(), "003".into()),
            ]
        );
        // A fixed folder that differs: no match.
        assert!(extract_tokens(&["a", "b"], &["<Project>", "shots"]).is_none());
        // A value shorter than its prefix and suffix: Python's slice.
        assert_eq!(py_slice("ab", 1, 2 - 3), "");
        assert_eq!(py_slice("abcd", 1, 3), "bc");
    }
}
