//! Every model dict Zou sent in the recorded gazu session must be what our
//! model descriptions produce: the same keys in the same order up to
//! `type`, and values of the kind each column declares.

use std::path::PathBuf;

use fennec_api::models::{self, Kind, Model, Wire};
use serde_json::Value;

fn recordings() -> Vec<(String, Value)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/zou-contract/recordings");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("recordings folder") {
        let path = entry.expect("entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("readable recording");
        let json: Value = serde_json::from_str(&text).expect("recording is JSON");
        out.push((
            path.file_name().unwrap().to_string_lossy().into_owned(),
            json,
        ));
    }
    assert!(
        out.len() > 80,
        "expected the 82 recordings, found {}",
        out.len()
    );
    out
}

fn model_for(type_name: &str) -> Option<&'static Model> {
    Some(match type_name {
        "Person" => &models::PERSON,
        "Organisation" => &models::ORGANISATION,
        "TaskStatus" => &models::TASK_STATUS,
        "TaskType" => &models::TASK_TYPE,
        "EntityType" => &models::ENTITY_TYPE,
        "AssetType" => &models::ASSET_TYPE,
        "Project" => &models::PROJECT,
        "Task" => &models::TASK,
        "TimeSpent" => &models::TIME_SPENT,
        "Comment" => &models::COMMENT,
        "Episode" | "Sequence" | "Shot" | "Scene" | "Asset" | "Entity" => &models::ENTITY,
        _ => return None,
    })
}

fn wire_keys(model: &Model, relations: bool) -> Vec<&'static str> {
    let mut keys: Vec<&str> = model
        .columns
        .iter()
        .filter(|c| match c.wire {
            Wire::Shown | Wire::Computed => true,
            Wire::Hidden => false,
            Wire::Relation => relations,
        })
        .map(|c| c.name)
        .collect();
    keys.push("type");
    keys
}

fn kind_matches(kind: Kind, v: &Value) -> bool {
    let s = v.as_str();
    match kind {
        _ if v.is_null() => true,
        Kind::Uuid => s.is_some_and(|s| uuid::Uuid::parse_str(s).is_ok()),
        Kind::Text => v.is_string(),
        Kind::Bool => v.is_boolean(),
        Kind::Int => v.is_i64() || v.is_u64(),
        Kind::Float => v.is_f64(),
        Kind::DateTime => s.is_some_and(|s| {
            chrono::NaiveDateTime::parse_from_str(s, fennec_api::time::DATETIME_FORMAT).is_ok()
        }),
        Kind::Date => s.is_some_and(|s| {
            chrono::NaiveDate::parse_from_str(s, fennec_api::time::DATE_FORMAT).is_ok()
        }),
        Kind::Json => true,
    }
}

fn walk(file: &str, v: &Value, seen: &mut usize, failures: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            let t = map.get("type").and_then(Value::as_str);
            if let (Some(t), true) = (t, map.contains_key("id")) {
                if let Some(model) = model_for(t) {
                    *seen += 1;
                    let recorded: Vec<&str> = map.keys().map(String::as_str).collect();
                    let upto = recorded.iter().position(|k| *k == "type").unwrap() + 1;
                    let prefix = &recorded[..upto];
                    // Zou's login answer moves `departments` after `type`.
                    let mut ours = vec![wire_keys(model, false), wire_keys(model, true)];
                    if t == "Organisation" {
                        // What a non-admin sees.
                        let mut k = wire_keys(model, false);
                        k.retain(|k| !models::ORGANISATION_ADMIN_ONLY.contains(k));
                        ours.push(k);
                    }
                    if !ours.iter().any(|k| k.as_slice() == prefix) {
                        failures.push(format!(
                            "{file}: {t} keys differ\n  zou:  {prefix:?}\n  ours: {:?}",
                            ours[0]
                        ));
                    }
                    for c in model.columns.iter().filter(|c| c.wire == Wire::Shown) {
                        if let Some(val) = map.get(c.name) {
                            if !kind_matches(c.kind, val) {
                                failures.push(format!(
                                    "{file}: {t}.{} = {val} is not {:?}",
                                    c.name, c.kind
                                ));
                            }
                        }
                    }
                }
            }
            for x in map.values() {
                walk(file, x, seen, failures);
            }
        }
        Value::Array(items) => {
            for x in items {
                walk(file, x, seen, failures);
            }
        }
        _ => {}
    }
}

#[test]
fn recorded_models_match_our_descriptions() {
    let mut seen = 0;
    let mut failures = Vec::new();
    for (file, rec) in recordings() {
        for req in rec["requests"].as_array().into_iter().flatten() {
            walk(&file, &req["response"], &mut seen, &mut failures);
        }
    }
    assert!(
        seen > 200,
        "only {seen} model dicts found in the recordings"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_model_ends_with_id_timestamps_and_type() {
    for model in models::ALL {
        let keys = wire_keys(model, false);
        let n = keys.len();
        assert_eq!(
            &keys[n - 3..],
            &["created_at", "updated_at", "type"],
            "{}",
            model.type_name
        );
        assert!(keys.contains(&"id"), "{}", model.type_name);
    }
}
