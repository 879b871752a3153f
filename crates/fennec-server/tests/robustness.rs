//! Drives the router with thousands of random requests — real routes with
//! mangled segments, random methods, query strings, bodies and tokens — and
//! checks Fennec's promise for client mistakes: no panic, no 500, and every
//! answer is JSON (or empty for 204, HEAD and OPTIONS).
//!
//! `FENNEC_FUZZ_CASES` raises the number of cases; `FENNEC_FUZZ_SEED`
//! replays a run.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use fennec_server::{App, ServeConfig};
use http_body_util::BodyExt;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use tower::ServiceExt;

const TEMPLATES: &[&str] = &[
    "/api/",
    "/api/auth/login",
    "/api/auth/authenticated",
    "/api/auth/refresh-token",
    "/api/data/{model}",
    "/api/data/{model}/{id}",
    "/data/{model}/{id}",
    "/api/data/tasks/{id}/full",
    "/api/data/tasks/{id}/comments",
    "/api/data/{kind}/{id}/tasks",
    "/api/data/{kind}/{id}/task-types",
    "/api/data/entities/{id}/task-types/{id}/tasks",
    "/api/data/projects/{id}/tasks",
    "/api/data/projects/{id}/team",
    "/api/data/projects/{id}/episodes",
    "/api/data/projects/{id}/sequences",
    "/api/data/projects/{id}/shots",
    "/api/data/projects/{id}/asset-types/{id}/assets/new",
    "/api/data/projects/{id}/settings/task-types",
    "/api/data/episodes/{id}/sequences",
    "/api/data/sequences/{id}/shots",
    "/api/data/shots/all",
    "/api/data/assets/all",
    "/api/data/projects/open",
    "/api/data/tasks/open-tasks",
    "/api/data/user/tasks",
    "/api/data/user/done-tasks",
    "/api/data/persons/{id}/tasks",
    "/api/actions/persons/{id}/assign",
    "/api/actions/tasks/{id}/comment",
    "/api/actions/tasks/{id}/time-spents",
    "/api/actions/tasks/{id}/time-spents/{date}",
    "/api/actions/tasks/{id}/time-spents/{date}/persons/{id}",
    "/api/actions/tasks/{id}/time-spents/{date}/persons/{id}/add",
    "/api/no/such/route",
];

const MODELS: &[&str] = &[
    "projects",
    "persons",
    "project-status",
    "task-types",
    "task-status",
    "asset-types",
    "entity-types",
    "departments",
    "organisations",
    "episodes",
    "sequences",
    "shots",
    "scenes",
    "assets",
    "entities",
    "tasks",
    "time-spents",
    "comments",
    "nope",
];

const KEYS: &[&str] = &[
    "name",
    "id",
    "project_id",
    "task_type_id",
    "task_status_id",
    "entity_id",
    "priority",
    "estimation",
    "duration",
    "start_date",
    "due_date",
    "is_default",
    "for_entity",
    "email",
    "password",
    "role",
    "active",
    "person_id",
    "task_ids",
    "assignees",
    "comment",
    "episode_id",
    "sequence_id",
    "page",
    "limit",
    "relations",
    "data",
    "nb_frames",
    "color",
    "team",
    "task_types",
    "production_type",
    "first_name",
];

struct Ids {
    good: Vec<String>,
}

fn weird_segment(rng: &mut StdRng, ids: &Ids) -> String {
    match rng.gen_range(0..12) {
        0..=3 => ids.good.choose(rng).cloned().unwrap_or_default(),
        4 => uuid::Uuid::new_v4().to_string(),
        5 => "not-a-uuid".into(),
        6 => "%FF%FE".into(),
        7 => "x".repeat(rng.gen_range(1..300)),
        8 => "%E2%9C%93".into(),
        9 => "2024-13-45".into(),
        10 => "0".into(),
        _ => "..".into(),
    }
}

fn random_scalar(rng: &mut StdRng, ids: &Ids) -> Value {
    match rng.gen_range(0..14) {
        0 => Value::Null,
        1 => json!(rng.gen::<bool>()),
        2 => json!(rng.gen_range(-5..5)),
        3 => json!(rng.gen::<f64>() * 1e6 - 5e5),
        4 => json!("abc"),
        5 => json!("2024-01-10"),
        6 => json!("2024-01-10T12:00:00+02:00"),
        7 => json!("not-a-date"),
        8 => json!(ids.good.choose(rng).cloned().unwrap_or_default()),
        9 => json!(uuid::Uuid::new_v4().to_string()),
        10 => json!([ids.good.choose(rng).cloned().unwrap_or_default(), 3, null]),
        11 => json!({"id": "x", "nested": [1, {"a": null}]}),
        12 => json!(1e308),
        _ => json!("wip"),
    }
}

fn random_query(rng: &mut StdRng, ids: &Ids) -> String {
    let n = rng.gen_range(0..4);
    let mut parts = Vec::new();
    for _ in 0..n {
        let k = KEYS.choose(rng).unwrap();
        let v = match rng.gen_range(0..8) {
            0 => "True".to_owned(),
            1 => "maybe".to_owned(),
            2 => "[".to_owned(),
            3 => "%5B%22a%22%5D".to_owned(),
            4 => "None".to_owned(),
            5 => ids.good.choose(rng).cloned().unwrap_or_default(),
            6 => "-1".to_owned(),
            _ => "%25".to_owned(),
        };
        parts.push(format!("{k}={v}"));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

fn random_body(rng: &mut StdRng, ids: &Ids) -> Vec<u8> {
    match rng.gen_range(0..10) {
        0 => Vec::new(),
        1 => b"{bad json".to_vec(),
        2 => b"[1, 2, 3]".to_vec(),
        3 => b"\"just a string\"".to_vec(),
        4 => vec![0xff, 0xfe, 0x00],
        _ => {
            let mut obj = serde_json::Map::new();
            for _ in 0..rng.gen_range(0..6) {
                let k = KEYS.choose(rng).unwrap();
                obj.insert((*k).to_owned(), random_scalar(rng, ids));
            }
            serde_json::to_vec(&Value::Object(obj)).unwrap()
        }
    }
}

async fn call(
    router: &tower_http::normalize_path::NormalizePath<axum::Router>,
    method: Method,
    uri: &str,
    token: Option<&str>,
    body: Vec<u8>,
) -> Option<(StatusCode, Vec<u8>, Option<String>)> {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    // Some random URIs are not even valid HTTP request targets: a client
    // cannot send those, so there is nothing to check.
    let req = req
        .header("content-type", "application/json")
        .body(Body::from(body))
        .ok()?;
    let resp = router
        .clone()
        .oneshot(req)
        .await
        .expect("infallible service");
    let status = resp.status();
    let ctype = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let bytes = resp
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    Some((status, bytes, ctype))
}

#[tokio::test]
async fn random_requests_never_panic_500_or_answer_non_json() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("fuzz.db").display());
    let app = App::build(ServeConfig::for_tests(&url)).await.unwrap();
    let router = app.router();

    // Some real data, so that mangled routes also hit existing objects.
    let (_, body, _) = call(
        &router,
        Method::POST,
        "/api/auth/login",
        None,
        serde_json::to_vec(&json!({"email": "admin@example.com", "password": "mysecretpassword"}))
            .unwrap(),
    )
    .await
    .unwrap();
    let login: Value = serde_json::from_slice(&body).unwrap();
    let admin = login["access_token"].as_str().unwrap().to_owned();
    let post = |path: &'static str, body: Value| {
        let router = router.clone();
        let admin = admin.clone();
        async move {
            let (_, b, _) = call(
                &router,
                Method::POST,
                path,
                Some(&admin),
                serde_json::to_vec(&body).unwrap(),
            )
            .await
            .unwrap();
            serde_json::from_slice::<Value>(&b).unwrap()
        }
    };
    let project = post(
        "/api/data/projects",
        json!({"name": "Fuzz", "production_type": "tvshow"}),
    )
    .await;
    let mut good: Vec<String> = vec![project["id"].as_str().unwrap().to_owned()];
    if let Some(ep) = project["first_episode_id"].as_str() {
        good.push(ep.to_owned());
    }
    let (_, b, _) = call(
        &router,
        Method::GET,
        "/api/data/task-types",
        Some(&admin),
        vec![],
    )
    .await
    .unwrap();
    let types: Value = serde_json::from_slice(&b).unwrap();
    good.extend(
        types
            .as_array()
            .unwrap()
            .iter()
            .take(4)
            .map(|t| t["id"].as_str().unwrap().to_owned()),
    );
    good.push(login["user"]["id"].as_str().unwrap().to_owned());
    let ids = Ids { good };

    let seed: u64 = std::env::var("FENNEC_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| rand::thread_rng().gen());
    let cases: usize = std::env::var("FENNEC_FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1500);
    let mut rng = StdRng::seed_from_u64(seed);
    // Mostly the methods gazu uses, so most requests reach a handler.
    let methods = [
        Method::GET,
        Method::GET,
        Method::GET,
        Method::GET,
        Method::GET,
        Method::POST,
        Method::POST,
        Method::PUT,
        Method::PUT,
        Method::DELETE,
        Method::PATCH,
        Method::HEAD,
        Method::OPTIONS,
    ];
    let mut failures = Vec::new();
    let mut by_status: std::collections::BTreeMap<u16, usize> = Default::default();
    for case in 0..cases {
        let template = TEMPLATES.choose(&mut rng).unwrap();
        let mut path = String::new();
        for seg in template.split('/') {
            if seg.is_empty() {
                continue;
            }
            path.push('/');
            match seg {
                "{model}" => path.push_str(MODELS.choose(&mut rng).unwrap()),
                "{kind}" => path.push_str(MODELS.choose(&mut rng).unwrap()),
                "{id}" => path.push_str(&weird_segment(&mut rng, &ids)),
                "{date}" => path.push_str(if rng.gen() {
                    "2024-02-30"
                } else {
                    "2024-01-10"
                }),
                s => path.push_str(s),
            }
        }
        if rng.gen_bool(0.2) {
            path.push('/');
        }
        let uri = format!("{path}{}", random_query(&mut rng, &ids));
        let method = methods.choose(&mut rng).unwrap().clone();
        let token = match rng.gen_range(0..10) {
            0 => None,
            1 => Some("garbage".to_owned()),
            2 => Some("a.b.c".to_owned()),
            _ => Some(admin.clone()),
        };
        let body = random_body(&mut rng, &ids);
        let Some((status, bytes, ctype)) =
            call(&router, method.clone(), &uri, token.as_deref(), body).await
        else {
            continue;
        };
        *by_status.entry(status.as_u16()).or_default() += 1;
        // Flask answers OPTIONS itself, with no body (and so does Fennec).
        let empty_ok = status == StatusCode::NO_CONTENT
            || method == Method::HEAD
            || (method == Method::OPTIONS && status == StatusCode::OK);
        let json_ok = ctype
            .as_deref()
            .is_some_and(|c| c.starts_with("application/json"))
            && serde_json::from_slice::<Value>(&bytes).is_ok();
        if status.is_server_error() || !(json_ok || (empty_ok && bytes.is_empty())) {
            failures.push(format!(
                "case {case}: {method} {uri} -> {status} {ctype:?} {}",
                String::from_utf8_lossy(&bytes[..bytes.len().min(200)])
            ));
        }
    }
    // The run must reach the handlers, not only bounce off auth and routing.
    let ok: usize = by_status.range(200..300).map(|(_, n)| n).sum();
    let bad_input: usize = by_status.range(400..401).map(|(_, n)| n).sum();
    eprintln!("statuses: {by_status:?}");
    assert!(ok * 20 >= cases, "too few successes: {by_status:?}");
    assert!(bad_input * 50 >= cases, "too few 400s: {by_status:?}");
    assert!(
        failures.is_empty(),
        "seed {seed}: {} bad answers:\n{}",
        failures.len(),
        failures
            .iter()
            .take(30)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
