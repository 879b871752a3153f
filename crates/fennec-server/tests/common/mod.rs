//! In-process HTTP harness: a `TestApp` wraps a built `fennec_server::App`
//! and drives its router with `tower::ServiceExt::oneshot`, so tests speak
//! HTTP exactly as gazu does without opening a socket.
//!
//! Every test runs on SQLite (a temporary file) and, when
//! `FENNEC_TEST_DATABASE_URL` names a PostgreSQL server, on a fresh
//! PostgreSQL database too (`each_backend`). The PostgreSQL database is
//! dropped when the last handle on it goes, panics included.

// Each test binary uses a different subset of the helpers.
#![allow(dead_code)]

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use fennec_server::{App, AppState, ServeConfig};
use serde_json::{json, Value};
use tower::ServiceExt;
use tower_http::normalize_path::NormalizePath;
use uuid::Uuid;

pub const ADMIN_EMAIL: &str = "admin@example.com";
pub const ADMIN_PASSWORD: &str = "mysecretpassword";
/// Password of every person the harness creates.
pub const PASSWORD: &str = "test-password-123";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Drops a per-test PostgreSQL database when the last `TestApp` on it is
/// gone. Runs on its own thread and runtime because `Drop` cannot await
/// (and may run while a test panics).
struct PgDatabase {
    admin_url: String,
    name: String,
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                use sqlx::Connection;
                let mut c = sqlx::PgConnection::connect(&admin_url).await?;
                // FORCE: the app's pool may still hold connections.
                sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .execute(&mut c)
                    .await?;
                c.close().await
            })
        })
        .join();
        if let Ok(Err(e)) = dropped {
            eprintln!("could not drop test database {}: {e}", self.name);
        }
    }
}

/// One running Fennec, in process.
#[derive(Clone)]
pub struct TestApp {
    pub state: AppState,
    router: NormalizePath<Router>,
    pub backend: Backend,
    /// The database URL the app was built on (to build it again).
    pub url: String,
    _dir: Option<Arc<tempfile::TempDir>>,
    _pg: Option<Arc<PgDatabase>>,
}

/// A logged-in person.
#[derive(Clone, Debug)]
pub struct Caller {
    pub id: String,
    pub email: String,
    pub role: String,
    pub access_token: String,
    pub refresh_token: String,
}

impl Caller {
    pub fn token(&self) -> Option<&str> {
        Some(&self.access_token)
    }
}

/// Callers of every role Zou knows, for permission tests.
pub struct Cast {
    pub admin: Caller,
    pub manager: Caller,
    pub supervisor: Caller,
    pub artist: Caller,
    pub client: Caller,
}

/// `base` (`postgres://user@host:port/db[?params]`) with another database.
pub fn with_database(base: &str, name: &str) -> String {
    let (url, params) = match base.split_once('?') {
        Some((u, p)) => (u, Some(p)),
        None => (base, None),
    };
    let authority_start = url.find("://").map_or(0, |i| i + 3);
    let root = match url[authority_start..].find('/') {
        Some(i) => &url[..authority_start + i],
        None => url,
    };
    match params {
        Some(p) => format!("{root}/{name}?{p}"),
        None => format!("{root}/{name}"),
    }
}

static EMAILS: AtomicUsize = AtomicUsize::new(0);

impl TestApp {
    pub async fn build(url: &str, backend: Backend) -> TestApp {
        let app = App::build(ServeConfig::for_tests(url))
            .await
            .unwrap_or_else(|e| panic!("cannot build the app on {url}: {e}"));
        TestApp {
            router: app.router(),
            state: app.state,
            backend,
            url: url.to_owned(),
            _dir: None,
            _pg: None,
        }
    }

    pub async fn sqlite() -> TestApp {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!("sqlite://{}", dir.path().join("fennec.db").display());
        let mut app = TestApp::build(&url, Backend::Sqlite).await;
        app._dir = Some(Arc::new(dir));
        app
    }

    /// A fresh PostgreSQL database, or `None` when
    /// `FENNEC_TEST_DATABASE_URL` is unset.
    pub async fn postgres() -> Option<TestApp> {
        let base = std::env::var("FENNEC_TEST_DATABASE_URL").ok()?;
        if base.trim().is_empty() {
            return None;
        }
        let name = format!("fennec_t_{}", Uuid::new_v4().simple());
        let url = with_database(&base, &name);
        // Registered before building, so a failed build still cleans up.
        let guard = Arc::new(PgDatabase {
            admin_url: base.clone(),
            name,
        });
        let mut app = TestApp::build(&url, Backend::Postgres).await;
        app._pg = Some(guard);
        Some(app)
    }

    /// Closes this app's pool and builds a new app on the same database,
    /// as a restarted `fennec serve` would.
    pub async fn restart(self) -> TestApp {
        self.state.db.close().await;
        let mut again = TestApp::build(&self.url, self.backend).await;
        again._dir = self._dir.clone();
        again._pg = self._pg.clone();
        again
    }

    /// Sends a request and returns the status, headers and raw body.
    pub async fn send(&self, req: Request<Body>) -> (StatusCode, HeaderMap, Bytes) {
        let resp = self
            .router
            .clone()
            .oneshot(req)
            .await
            .expect("the router is infallible");
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .expect("readable body");
        (status, headers, body)
    }

    /// Sends a request and parses the answer as JSON, checking that Fennec
    /// never answers anything else (Zou's errors are JSON too): a body is
    /// JSON with a JSON content type; only 204 and HEAD answers are empty.
    pub async fn send_json(&self, req: Request<Body>) -> (StatusCode, Value) {
        let method = req.method().clone();
        let uri = req.uri().clone();
        let (status, headers, body) = self.send(req).await;
        if status == StatusCode::NO_CONTENT {
            assert!(body.is_empty(), "{method} {uri}: 204 with a body: {body:?}");
            return (status, Value::Null);
        }
        if body.is_empty() {
            assert_eq!(
                method,
                Method::HEAD,
                "{method} {uri}: {status} with no body"
            );
            return (status, Value::Null);
        }
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        assert!(
            content_type.starts_with("application/json"),
            "{method} {uri}: {status} with content type {content_type:?}: {}",
            String::from_utf8_lossy(&body)
        );
        let value = serde_json::from_slice(&body).unwrap_or_else(|e| {
            panic!(
                "{method} {uri}: {status} body is not JSON ({e}): {}",
                String::from_utf8_lossy(&body)
            )
        });
        (status, value)
    }

    /// A JSON request as gazu sends it (`Authorization: Bearer`).
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let body = match body {
            Some(v) => {
                req = req.header(header::CONTENT_TYPE, "application/json");
                Body::from(serde_json::to_vec(&v).expect("serialisable body"))
            }
            None => Body::empty(),
        };
        self.send_json(req.body(body).expect("valid request")).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        self.request(Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        self.request(Method::POST, path, token, Some(body)).await
    }

    pub async fn put(&self, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        self.request(Method::PUT, path, token, Some(body)).await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        self.request(Method::DELETE, path, token, None).await
    }

    /// GET that must answer 200; returns the body.
    pub async fn get_ok(&self, path: &str, token: Option<&str>) -> Value {
        let (status, body) = self.get(path, token).await;
        assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
        body
    }

    /// POST that must answer 201; returns the body.
    pub async fn post_created(&self, path: &str, token: Option<&str>, body: Value) -> Value {
        let (status, answer) = self.post(path, token, body.clone()).await;
        assert_eq!(status, StatusCode::CREATED, "POST {path} {body}: {answer}");
        answer
    }

    /// The whole login answer.
    pub async fn login_body(&self, email: &str, password: &str) -> Value {
        let (status, body) = self
            .post(
                "/api/auth/login",
                None,
                json!({"email": email, "password": password}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "login {email}: {body}");
        body
    }

    /// Logs in and returns the access token.
    pub async fn login(&self, email: &str, password: &str) -> String {
        let body = self.login_body(email, password).await;
        str_of(&body["access_token"]).to_owned()
    }

    pub async fn admin_token(&self) -> String {
        self.login(ADMIN_EMAIL, ADMIN_PASSWORD).await
    }

    async fn caller(&self, email: &str, password: &str) -> Caller {
        let body = self.login_body(email, password).await;
        Caller {
            id: str_of(&body["user"]["id"]).to_owned(),
            email: email.to_owned(),
            role: str_of(&body["user"]["role"]).to_owned(),
            access_token: str_of(&body["access_token"]).to_owned(),
            refresh_token: str_of(&body["refresh_token"]).to_owned(),
        }
    }

    pub async fn admin(&self) -> Caller {
        self.caller(ADMIN_EMAIL, ADMIN_PASSWORD).await
    }

    /// Creates a person with `role` (`admin`, `manager`, `supervisor`,
    /// `user`, `client`, `vendor`) as the admin, and logs them in.
    pub async fn person_with_role(&self, role: &str) -> Caller {
        let n = EMAILS.fetch_add(1, Ordering::Relaxed);
        let email = format!("{role}.{n}@example.com");
        let admin = self.admin_token().await;
        self.post_created(
            "/api/data/persons",
            Some(&admin),
            json!({
                "first_name": capitalised(role),
                "last_name": format!("Number {n}"),
                "email": email,
                "role": role,
                "password": PASSWORD,
                "active": true,
            }),
        )
        .await;
        self.caller(&email, PASSWORD).await
    }

    pub async fn cast(&self) -> Cast {
        Cast {
            admin: self.admin().await,
            manager: self.person_with_role("manager").await,
            supervisor: self.person_with_role("supervisor").await,
            artist: self.person_with_role("user").await,
            client: self.person_with_role("client").await,
        }
    }

    /// Creates a project as the admin (`production_type`: `short`,
    /// `featurefilm`, `tvshow`) and returns Zou's POST answer.
    pub async fn create_project(&self, name: &str, production_type: &str) -> Value {
        let admin = self.admin_token().await;
        self.post_created(
            "/api/data/projects",
            Some(&admin),
            json!({"name": name, "production_type": production_type}),
        )
        .await
    }

    /// Adds a person to a project's team, as the admin.
    pub async fn add_to_team(&self, project_id: &str, person_id: &str) {
        let admin = self.admin_token().await;
        self.post_created(
            &format!("/api/data/projects/{project_id}/team"),
            Some(&admin),
            json!({"person_id": person_id}),
        )
        .await;
    }

    /// A project with `member` in its team; returns the project's id.
    pub async fn project_with_member(&self, name: &str, member: &Caller) -> String {
        let project = self.create_project(name, "short").await;
        let id = str_of(&project["id"]).to_owned();
        self.add_to_team(&id, &member.id).await;
        id
    }
}

/// Runs `test` on SQLite and, when configured, on PostgreSQL.
pub async fn each_backend<F, Fut>(test: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: Future<Output = ()>,
{
    test(TestApp::sqlite().await).await;
    if let Some(app) = TestApp::postgres().await {
        test(app).await;
    }
}

/// A path with a query string, percent-encoded as gazu's `requests` does.
pub fn with_query(path: &str, params: &[(&str, &str)]) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        q.append_pair(k, v);
    }
    format!("{path}?{}", q.finish())
}

pub fn str_of(v: &Value) -> &str {
    v.as_str()
        .unwrap_or_else(|| panic!("expected a string, got {v}"))
}

pub fn array_of(v: &Value) -> &Vec<Value> {
    v.as_array()
        .unwrap_or_else(|| panic!("expected a list, got {v}"))
}

/// The `name` of every item of a list answer, in order.
pub fn names(v: &Value) -> Vec<String> {
    array_of(v)
        .iter()
        .map(|item| str_of(&item["name"]).to_owned())
        .collect()
}

/// The keys of an object answer, in order.
pub fn keys(v: &Value) -> Vec<String> {
    v.as_object()
        .unwrap_or_else(|| panic!("expected an object, got {v}"))
        .keys()
        .cloned()
        .collect()
}

/// A response of a recorded gazu call (`tests/zou-contract/recordings/`).
pub fn recorded_response(file: &str, request_index: usize) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/zou-contract/recordings")
        .join(file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let recording: Value = serde_json::from_str(&text).expect("recording is JSON");
    recording["requests"][request_index]["response"].clone()
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
