//! Login, refresh and logout cookies as Zou 1.0.97 sets them for a browser
//! (recorded on Zou: see `auth/cookies.rs`), and cookie-only callers.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use fennec_server::{App, ServeConfig};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

const CHROME: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) \
                      Chrome/131.0.0.0 Safari/537.36";

struct Answer {
    status: StatusCode,
    cookies: Vec<String>,
    body: Value,
}

async fn call(
    app: &App,
    method: Method,
    path: &str,
    ua: Option<&str>,
    cookie: Option<&str>,
    body: Option<Value>,
) -> Answer {
    let mut req = Request::builder().method(method).uri(path);
    if let Some(ua) = ua {
        req = req.header(header::USER_AGENT, ua);
    }
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    let body = match body {
        Some(b) => {
            req = req.header(header::CONTENT_TYPE, "application/json");
            Body::from(serde_json::to_vec(&b).unwrap())
        }
        None => Body::empty(),
    };
    let res = app.router().oneshot(req.body(body).unwrap()).await.unwrap();
    let status = res.status();
    let cookies = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        cookies,
        body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    }
}

fn login_body() -> Option<Value> {
    Some(serde_json::json!({"email": "admin@example.com", "password": "mysecretpassword"}))
}

/// `name=value` of a Set-Cookie line, and its attributes after the value
/// with the date taken out (it moves with the clock).
fn split(line: &str) -> (String, String) {
    let (pair, attrs) = line.split_once("; ").unwrap();
    let attrs: Vec<&str> = attrs
        .split("; ")
        .map(|a| {
            if a.starts_with("Expires=") && !a.contains("1970") {
                "Expires=<date>"
            } else {
                a
            }
        })
        .collect();
    (pair.to_owned(), attrs.join("; "))
}

#[tokio::test]
async fn a_browser_gets_zous_cookies_and_lives_on_them() {
    let db = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", db.path().join("f.db").display());
    let app = App::build(ServeConfig::for_tests(&url)).await.unwrap();

    // gazu and scripts: tokens in the body, no cookie.
    let script = call(
        &app,
        Method::POST,
        "/api/auth/login",
        None,
        None,
        login_body(),
    )
    .await;
    assert_eq!(script.status, StatusCode::OK);
    assert!(script.cookies.is_empty());

    let login = call(
        &app,
        Method::POST,
        "/api/auth/login",
        Some(CHROME),
        None,
        login_body(),
    )
    .await;
    assert_eq!(login.status, StatusCode::OK);
    assert_eq!(login.body["login"], true);
    assert_eq!(login.cookies.len(), 2, "{:?}", login.cookies);
    let (access, access_attrs) = split(&login.cookies[0]);
    let (refresh, refresh_attrs) = split(&login.cookies[1]);
    assert_eq!(
        access,
        format!(
            "access_token_cookie={}",
            login.body["access_token"].as_str().unwrap()
        )
    );
    assert_eq!(
        refresh,
        format!(
            "refresh_token_cookie={}",
            login.body["refresh_token"].as_str().unwrap()
        )
    );
    assert_eq!(
        access_attrs,
        "Expires=<date>; Max-Age=31540000; HttpOnly; Path=/; SameSite=Lax"
    );
    assert_eq!(
        refresh_attrs,
        "Expires=<date>; Max-Age=31540000; HttpOnly; Path=/auth/refresh-token; SameSite=Lax"
    );

    // The cookie alone authenticates, on every kind of route.
    for path in [
        "/api/data/projects",
        "/api/data/user/context",
        "/api/auth/authenticated",
    ] {
        let a = call(&app, Method::GET, path, Some(CHROME), Some(&access), None).await;
        assert_eq!(a.status, StatusCode::OK, "{path}: {}", a.body);
    }

    // Refresh in a browser: {"refresh": true}, a new access cookie, the
    // refresh cookie cleared.
    let r = call(
        &app,
        Method::GET,
        "/api/auth/refresh-token",
        Some(CHROME),
        Some(&refresh),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body, serde_json::json!({"refresh": true}));
    assert_eq!(r.cookies.len(), 2);
    let (new_access, attrs) = split(&r.cookies[0]);
    assert!(new_access.starts_with("access_token_cookie=ey"));
    assert_eq!(
        attrs,
        "Expires=<date>; Max-Age=31540000; HttpOnly; Path=/; SameSite=Lax"
    );
    assert_eq!(
        r.cookies[1],
        "refresh_token_cookie=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; \
         Path=/auth/refresh-token; SameSite=Lax"
    );
    let ok = call(
        &app,
        Method::GET,
        "/api/data/projects",
        Some(CHROME),
        Some(&new_access),
        None,
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK);
    // A script's refresh: the token in the body.
    let r = call(
        &app,
        Method::GET,
        "/api/auth/refresh-token",
        None,
        Some(&refresh),
        None,
    )
    .await;
    assert!(r.body["access_token"].is_string());
    assert!(r.cookies.is_empty());

    // Logout clears both, and the access token stops working.
    let out = call(
        &app,
        Method::GET,
        "/api/auth/logout",
        Some(CHROME),
        Some(&access),
        None,
    )
    .await;
    assert_eq!(out.status, StatusCode::OK);
    assert_eq!(
        out.cookies,
        vec![
            "access_token_cookie=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Path=/; SameSite=Lax",
            "refresh_token_cookie=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; \
             Path=/auth/refresh-token; SameSite=Lax",
        ]
    );
    let gone = call(
        &app,
        Method::GET,
        "/api/data/projects",
        Some(CHROME),
        Some(&access),
        None,
    )
    .await;
    assert_eq!(gone.status, StatusCode::UNAUTHORIZED);
}
