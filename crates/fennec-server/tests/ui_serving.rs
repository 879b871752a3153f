//! `fennec serve --ui DIR`: a Kitsu front-end build at `/`, the API under
//! `/api`, as Kitsu's nginx serves them.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use fennec_server::{App, ServeConfig};
use http_body_util::BodyExt;
use tower::ServiceExt;

struct Answer {
    status: StatusCode,
    content_type: String,
    body: Vec<u8>,
}

async fn get(app: &App, method: Method, path: &str) -> Answer {
    let res = app
        .router()
        .oneshot(
            Request::builder()
                .method(method)
                .uri(path)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let status = res.status();
    let content_type = res
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    Answer {
        status,
        content_type,
        body,
    }
}

fn build_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("index.html"), "<html>kitsu</html>").unwrap();
    std::fs::create_dir(dir.path().join("assets")).unwrap();
    std::fs::write(dir.path().join("assets/index-abc.js"), "export {}").unwrap();
    std::fs::write(dir.path().join("assets/app-abc.css"), "body{}").unwrap();
    std::fs::write(dir.path().join("favicon.ico"), [0u8, 1, 2]).unwrap();
    dir
}

async fn app_with_ui(ui: &std::path::Path, db: &std::path::Path) -> App {
    let mut config = ServeConfig::for_tests(&format!("sqlite://{}", db.display()));
    config.ui = Some(ui.to_owned());
    App::build(config).await.unwrap()
}

#[tokio::test]
async fn serves_the_build_with_a_single_page_fallback() {
    let ui = build_dir();
    let db = tempfile::tempdir().unwrap();
    let app = app_with_ui(ui.path(), &db.path().join("f.db")).await;

    let root = get(&app, Method::GET, "/").await;
    assert_eq!(root.status, StatusCode::OK);
    assert_eq!(root.body, b"<html>kitsu</html>");
    assert!(root.content_type.starts_with("text/html"));

    // A reload on a page of the Vue router loads the app.
    for page in ["/login", "/productions/1234/shots", "/todos/"] {
        let a = get(&app, Method::GET, page).await;
        assert_eq!(a.status, StatusCode::OK, "{page}");
        assert_eq!(a.body, b"<html>kitsu</html>", "{page}");
    }
    let js = get(&app, Method::GET, "/assets/index-abc.js").await;
    assert_eq!(js.status, StatusCode::OK);
    assert!(js.content_type.starts_with("text/javascript"));
    assert_eq!(js.body, b"export {}");
    let css = get(&app, Method::GET, "/assets/app-abc.css").await;
    assert!(css.content_type.starts_with("text/css"));
    assert_eq!(
        get(&app, Method::GET, "/favicon.ico").await.content_type,
        "image/x-icon"
    );
    let head = get(&app, Method::HEAD, "/assets/index-abc.js").await;
    assert_eq!(head.status, StatusCode::OK);
    assert!(head.body.is_empty());

    // A missing asset is a plain 404, never the app in its place.
    assert_eq!(
        get(&app, Method::GET, "/assets/gone.js").await.status,
        StatusCode::NOT_FOUND
    );
    // Nothing outside the folder.
    for evil in ["/../../etc/passwd", "/assets/%2e%2e/%2e%2e/etc/passwd"] {
        let a = get(&app, Method::GET, evil).await;
        assert!(
            a.status == StatusCode::NOT_FOUND || a.body == b"<html>kitsu</html>",
            "{evil}"
        );
    }

    // The API keeps its paths, JSON errors included.
    let api = get(&app, Method::GET, "/api/").await;
    assert!(api.content_type.starts_with("application/json"));
    assert_eq!(
        get(&app, Method::GET, "/api/data/projects").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        get(&app, Method::GET, "/data/projects").await.status,
        StatusCode::UNAUTHORIZED
    );
    let unknown = get(&app, Method::GET, "/api/no/such/route").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(unknown.content_type.starts_with("application/json"));
}

#[tokio::test]
async fn without_ui_the_root_is_the_api() {
    let db = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", db.path().join("f.db").display());
    let app = App::build(ServeConfig::for_tests(&url)).await.unwrap();
    let root = get(&app, Method::GET, "/").await;
    assert!(root.content_type.starts_with("application/json"));
    assert_eq!(
        get(&app, Method::GET, "/login").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_folder_without_index_html_is_refused_at_start() {
    let ui = tempfile::tempdir().unwrap();
    let db = tempfile::tempdir().unwrap();
    let mut config =
        ServeConfig::for_tests(&format!("sqlite://{}", db.path().join("f.db").display()));
    config.ui = Some(ui.path().to_owned());
    let err = match App::build(config).await {
        Ok(_) => panic!("a folder without index.html was accepted"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains("no index.html"), "{err}");
    // Refused before any database was made.
    assert!(!db.path().join("f.db").exists());
}
