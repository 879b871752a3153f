//! In-process HTTP tests: Fennec must answer as Zou 1.0.97 does (status
//! codes, bodies, key order), as measured in `tests/zou-contract/`. Every
//! test runs on SQLite and, with `FENNEC_TEST_DATABASE_URL`, on PostgreSQL.

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::{
    array_of, each_backend, keys, names, recorded_response, str_of, with_query, ADMIN_EMAIL,
    ADMIN_PASSWORD, PASSWORD,
};
use serde_json::{json, Value};
use uuid::Uuid;

// Zou's texts are spelled out here rather than taken from `fennec_api`,
// so a wrong constant there fails these tests.

/// Werkzeug's NotFound, as Zou's 404 handler serialises it.
fn not_found_body() -> Value {
    json!({"error": true, "message": "404 Not Found: The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again."})
}

/// Werkzeug's Forbidden description, as Zou's permission errors answer it.
fn forbidden_body() -> Value {
    json!({"error": true, "message": "You don't have the permission to access the requested resource. It is either read-protected or not readable by the server."})
}

fn bad_request_body(message: &str) -> Value {
    json!({"error": true, "message": message, "data": null})
}

fn unknown_id() -> String {
    Uuid::new_v4().to_string()
}

/// Id of the first item named `name` in a list answer.
fn id_named(list: &Value, name: &str) -> String {
    let item = array_of(list)
        .iter()
        .find(|i| i["name"] == name)
        .unwrap_or_else(|| panic!("no {name:?} in {list}"));
    str_of(&item["id"]).to_owned()
}

// ───────────────────────────── transport ─────────────────────────────

/// gazu's `host_is_valid` / `get_api_version` read `GET /api/` without a
/// token; a reverse proxy forwards Zou's own `/`.
#[tokio::test]
async fn api_version_is_public_under_api_and_root() {
    each_backend(|app| async move {
        for path in ["/api/", "/api", "/"] {
            let (status, body) = app.get(path, None).await;
            assert_eq!(status, StatusCode::OK, "GET {path}");
            assert_eq!(
                body,
                json!({"api": "Zou", "version": "1.0.97"}),
                "GET {path}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn head_api_is_ok() {
    each_backend(|app| async move {
        let (status, _) = app.request(Method::HEAD, "/api", None, None).await;
        assert_eq!(status, StatusCode::OK);
    })
    .await;
}

/// Zou accepts a trailing slash on every route, and answers every route
/// under `/api/...` and `/...` alike.
#[tokio::test]
async fn trailing_slash_and_unprefixed_paths_are_accepted() {
    each_backend(|app| async move {
        let token = app.admin_token().await;
        app.create_project("Slash", "short").await;
        let with_slash = app.get_ok("/api/data/projects/", Some(&token)).await;
        let without = app.get_ok("/api/data/projects", Some(&token)).await;
        let unprefixed = app.get_ok("/data/projects/", Some(&token)).await;
        assert_eq!(names(&with_slash), vec!["Slash"]);
        assert_eq!(with_slash, without);
        assert_eq!(with_slash, unprefixed);
    })
    .await;
}

/// An unknown route is Werkzeug's 404, as JSON, with or without a token.
#[tokio::test]
async fn unknown_route_is_zou_404() {
    each_backend(|app| async move {
        let token = app.admin_token().await;
        for (path, tok) in [
            ("/api/no/such/route", None),
            ("/no/such/route", None),
            ("/api/no/such/route", Some(token.as_str())),
            ("/api/data/no-such-model", Some(token.as_str())),
        ] {
            let (status, body) = app.get(path, tok).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "GET {path}");
            assert_eq!(body, not_found_body(), "GET {path}");
        }
    })
    .await;
}

/// gazu maps 405 to MethodNotAllowed; the body is Werkzeug's, as JSON.
#[tokio::test]
async fn wrong_method_is_405_json() {
    each_backend(|app| async move {
        let token = app.admin_token().await;
        let project = app.create_project("Methods", "short").await;
        let path = format!("/api/data/projects/{}", str_of(&project["id"]));
        let (status, body) = app
            .request(Method::PATCH, &path, Some(&token), Some(json!({})))
            .await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(
            body,
            json!({"error": true, "message": "The method is not allowed for the requested URL."})
        );
    })
    .await;
}

// ─────────────────────────────── auth ────────────────────────────────

/// gazu stores the whole login body; Kitsu reads `user.departments` and
/// the organisation's `hours_by_day`.
#[tokio::test]
async fn login_answers_zou_body() {
    each_backend(|app| async move {
        let body = app.login_body(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        assert_eq!(
            keys(&body),
            [
                "user",
                "organisation",
                "login",
                "access_token",
                "refresh_token"
            ]
        );
        assert_eq!(body["login"], true);
        assert!(!str_of(&body["access_token"]).is_empty());
        assert!(!str_of(&body["refresh_token"]).is_empty());
        let user = &body["user"];
        assert_eq!(user["type"], "Person");
        assert_eq!(user["email"], ADMIN_EMAIL);
        assert_eq!(user["role"], "admin");
        assert_eq!(user["departments"], json!([]));
        assert!(user.get("password").is_none(), "password hash leaked");
        assert_eq!(body["organisation"]["name"], "Kitsu");
        assert_eq!(body["organisation"]["hours_by_day"], json!(8.0));
    })
    .await;
}

/// Zou answers 400 (not 401) with `login: false` for bad credentials, and
/// does not reveal whether the e-mail exists.
#[tokio::test]
async fn wrong_password_or_unknown_email_is_400() {
    each_backend(|app| async move {
        for (email, password) in [
            (ADMIN_EMAIL, "not-the-password"),
            ("nobody@example.com", ADMIN_PASSWORD),
        ] {
            let (status, body) = app
                .post(
                    "/api/auth/login",
                    None,
                    json!({"email": email, "password": password}),
                )
                .await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{email}");
            assert_eq!(
                body,
                json!({"login": false, "message": "Wrong email or password."}),
                "{email}"
            );
        }
    })
    .await;
}

/// Login is a pydantic-validated route on Zou: a missing e-mail is 400
/// "Validation error." naming it (the password has a default there).
#[tokio::test]
async fn login_without_fields_is_a_validation_error() {
    each_backend(|app| async move {
        let (status, body) = app.post("/api/auth/login", None, json!({})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["error"], true);
        assert_eq!(body["message"], "Validation error.");
        let fields: Vec<&str> = array_of(&body["data"]["errors"])
            .iter()
            .map(|e| str_of(&e["field"]))
            .collect();
        assert_eq!(fields, ["email"]);
        let (_, body) = app
            .post(
                "/api/auth/login",
                None,
                json!({"email": 12, "password": ["x"]}),
            )
            .await;
        assert_eq!(
            body["data"]["errors"],
            json!([{"field": "email", "message": "Input should be a valid string"},
                   {"field": "password", "message": "Input should be a valid string"}])
        );
    })
    .await;
}

/// flask-jwt-extended: no token → 401 with key `msg` (gazu's
/// NotAuthenticated).
#[tokio::test]
async fn missing_token_is_401_msg() {
    each_backend(|app| async move {
        let (status, body) = app.get("/api/data/projects", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(keys(&body), ["msg"]);
        // Zou reads cookies first, then headers.
        assert_eq!(
            body["msg"],
            "Missing JWT in cookies or headers (Missing cookie \"access_token_cookie\"; Missing Authorization Header)"
        );
    })
    .await;
}

/// flask-jwt-extended: a malformed token is 422 "Not enough segments".
#[tokio::test]
async fn garbage_token_is_422_not_enough_segments() {
    each_backend(|app| async move {
        let (status, body) = app.get("/api/data/projects", Some("garbage")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body, json!({"msg": "Not enough segments"}));
    })
    .await;
}

/// A token signed with another key is 422 "Signature verification failed".
#[tokio::test]
async fn token_signed_with_another_key_is_422() {
    each_backend(|app| async move {
        let admin = app.admin().await;
        let other = fennec_server::auth::jwt::Keys::new("not-the-server-key");
        let (forged, _) = other
            .issue(admin.id.parse().unwrap(), "access", 3600, None)
            .unwrap();
        let (status, body) = app.get("/api/data/projects", Some(&forged)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body, json!({"msg": "Signature verification failed"}));
    })
    .await;
}

/// flask-jwt-extended refuses a refresh token where an access token is
/// needed (422), and an access token on the refresh route.
#[tokio::test]
async fn refresh_and_access_tokens_are_not_interchangeable() {
    each_backend(|app| async move {
        let admin = app.admin().await;
        let (status, body) = app
            .get("/api/data/projects", Some(&admin.refresh_token))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body, json!({"msg": "Only non-refresh tokens are allowed"}));

        let (status, body) = app
            .get("/api/auth/refresh-token", Some(&admin.access_token))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body, json!({"msg": "Only refresh tokens are allowed"}));
    })
    .await;
}

#[tokio::test]
async fn authenticated_returns_the_caller() {
    each_backend(|app| async move {
        let artist = app.person_with_role("user").await;
        let (status, body) = app.get("/api/auth/authenticated", artist.token()).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["authenticated"], true);
        assert_eq!(body["user"]["id"], artist.id.as_str());
        assert_eq!(body["user"]["email"], artist.email.as_str());
        assert_eq!(body["user"]["type"], "Person");
        assert_eq!(body["user"]["departments"], json!([]));
        assert_eq!(body["organisation"]["hours_by_day"], json!(8.0));

        let (status, _) = app.get("/api/auth/authenticated", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    })
    .await;
}

/// gazu's refresh: `GET /auth/refresh-token` with the refresh token gives
/// a new access token that works.
#[tokio::test]
async fn refresh_token_gives_a_working_access_token() {
    each_backend(|app| async move {
        let admin = app.admin().await;
        let (status, body) = app
            .get("/api/auth/refresh-token", Some(&admin.refresh_token))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let fresh = str_of(&body["access_token"]).to_owned();
        assert_ne!(fresh, admin.access_token);
        let (status, body) = app.get("/api/auth/authenticated", Some(&fresh)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["user"]["id"], admin.id.as_str());
    })
    .await;
}

/// Logout revokes the access token and the refresh token issued with it.
#[tokio::test]
async fn logout_revokes_access_and_refresh_tokens() {
    each_backend(|app| async move {
        let admin = app.admin().await;
        // Accepted just before: the token check's cache (SQLite) holds it.
        let (status, _) = app.get("/api/data/projects", admin.token()).await;
        assert_eq!(status, StatusCode::OK);
        let (status, body) = app.get("/api/auth/logout", admin.token()).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, json!({"logout": true}));

        let (status, body) = app.get("/api/data/projects", admin.token()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(body, json!({"msg": "Token has been revoked"}));

        let (status, body) = app
            .get("/api/auth/refresh-token", Some(&admin.refresh_token))
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");

        // Other sessions of the same person are untouched.
        let other = app.admin_token().await;
        let (status, _) = app.get("/api/data/projects", Some(&other)).await;
        assert_eq!(status, StatusCode::OK);
    })
    .await;
}

/// Kitsu's web client authenticates with the `access_token_cookie` cookie.
#[tokio::test]
async fn access_token_cookie_is_accepted() {
    each_backend(|app| async move {
        let admin = app.admin().await;
        let req = Request::builder()
            .uri("/api/auth/authenticated")
            .header(
                header::COOKIE,
                format!("theme=dark; access_token_cookie={}", admin.access_token),
            )
            .body(Body::empty())
            .unwrap();
        let (status, body) = app.send_json(req).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["user"]["id"], admin.id.as_str());
    })
    .await;
}

/// A deactivated person can no longer log in, and the tokens they hold
/// stop working at once.
#[tokio::test]
async fn inactive_person_is_locked_out() {
    each_backend(|app| async move {
        let admin = app.admin_token().await;
        let artist = app.person_with_role("user").await;
        // Accepted just before: the token check's cache (SQLite) holds it.
        let (status, _) = app.get("/api/auth/authenticated", artist.token()).await;
        assert_eq!(status, StatusCode::OK);
        let (status, body) = app
            .put(
                &format!("/api/data/persons/{}", artist.id),
                Some(&admin),
                json!({"active": false}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["active"], false);
        let (status, body) = app.get("/api/data/projects", artist.token()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body, json!({"msg": "User is inactive"}));

        let (status, body) = app
            .post(
                "/api/auth/login",
                None,
                json!({"email": artist.email, "password": PASSWORD}),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body["error"], true, "{body}");
        assert_eq!(body["login"], false, "{body}");
        assert_eq!(body["message"], "User is unactive, he cannot log in.");

        // The password is checked first: without it, a deactivated account
        // looks like any wrong credential.
        let (status, body) = app
            .post(
                "/api/auth/login",
                None,
                json!({"email": artist.email, "password": "wrong"}),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["login"], false);

        let (status, _) = app.get("/api/auth/authenticated", artist.token()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    })
    .await;
}

/// A role change applies to the person's next request, with the token
/// they already hold (the token check's cache must not keep the old role).
#[tokio::test]
async fn a_role_change_applies_to_the_next_request() {
    each_backend(|app| async move {
        let admin = app.admin_token().await;
        let artist = app.person_with_role("user").await;
        let person = format!("/api/data/persons/{}", artist.id);
        let create = |n: &str| json!({"name": format!("Promoted {n}")});
        let (status, _) = app
            .post("/api/data/projects", artist.token(), create("a"))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        let (status, _) = app
            .put(&person, Some(&admin), json!({"role": "admin"}))
            .await;
        assert_eq!(status, StatusCode::OK);
        let (status, body) = app
            .post("/api/data/projects", artist.token(), create("b"))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");

        let (status, _) = app
            .put(&person, Some(&admin), json!({"role": "user"}))
            .await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = app
            .post("/api/data/projects", artist.token(), create("c"))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        // A change of another column keeps the cached check valid and
        // changes nothing of what the token may do.
        let (status, _) = app.put(&person, Some(&admin), json!({"phone": "12"})).await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = app
            .post("/api/data/projects", artist.token(), create("d"))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    })
    .await;
}

/// A removed person's tokens stop working at once.
#[tokio::test]
async fn a_removed_person_is_refused_at_once() {
    each_backend(|app| async move {
        let admin = app.admin_token().await;
        let artist = app.person_with_role("user").await;
        let (status, _) = app.get("/api/auth/authenticated", artist.token()).await;
        assert_eq!(status, StatusCode::OK);
        let (status, body) = app
            .delete(&format!("/api/data/persons/{}", artist.id), Some(&admin))
            .await;
        assert!(status.is_success(), "{status} {body}");
        let (status, body) = app.get("/api/auth/authenticated", artist.token()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body, json!({"msg": "User not found"}));
    })
    .await;
}

/// Zou locks an account for a minute after five wrong passwords in a
/// row (`TooMuchLoginFailedAttemps`); a success before that resets the
/// count, and other accounts are not affected.
#[tokio::test]
async fn five_wrong_passwords_lock_the_account() {
    each_backend(|app| async move {
        let artist = app.person_with_role("user").await;
        let attempt = |password: &'static str| {
            let app = app.clone();
            let email = artist.email.clone();
            async move {
                app.post(
                    "/api/auth/login",
                    None,
                    json!({"email": email, "password": password}),
                )
                .await
            }
        };
        for _ in 0..4 {
            assert_eq!(attempt("wrong").await.0, StatusCode::BAD_REQUEST);
        }
        assert_eq!(attempt(PASSWORD).await.0, StatusCode::OK, "reset");
        for _ in 0..5 {
            let (status, body) = attempt("wrong").await;
            assert_eq!(status, StatusCode::BAD_REQUEST);
            assert_eq!(
                body,
                json!({"login": false, "message": "Wrong email or password."})
            );
        }
        let (status, body) = attempt(PASSWORD).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(
            body,
            json!({"error": true, "login": false, "too_many_failed_login_attemps": true,
                   "message": "Too many failed login attempts, retry in a minute."})
        );
        // The admin is not locked out by someone else's failures.
        app.admin_token().await;
    })
    .await;
}

/// A body over the configured limit is 413 (gazu's UploadFailedException
/// path), as JSON.
#[tokio::test]
async fn oversized_body_is_413() {
    each_backend(|app| async move {
        let token = app.admin_token().await;
        let huge = "x".repeat(2 * 1024 * 1024);
        let (status, body) = app
            .post(
                "/api/data/task-types",
                Some(&token),
                json!({"name": huge, "for_entity": "Shot"}),
            )
            .await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(body["error"], true);
        assert_eq!(
            body["message"],
            "The data value transmitted exceeds the capacity limit."
        );
    })
    .await;
}

// ─────────────────────────── generic CRUD ────────────────────────────

/// Kitsu's default data (`zou init-data`), in creation order.
#[tokio::test]
async fn default_data_lists() {
    each_backend(|app| async move {
        let token = app.admin_token().await;
        let t = Some(token.as_str());
        let statuses = app.get_ok("/api/data/task-status", t).await;
        assert_eq!(
            names(&statuses),
            [
                "Todo",
                "Work In Progress",
                "Waiting For Approval",
                "Retake",
                "Done",
                "Ready To Start",
                "Neutral",
                "Approved",
                "Rejected"
            ]
        );
        assert!(array_of(&statuses)
            .iter()
            .all(|s| s["type"] == "TaskStatus"));

        let types = app.get_ok("/api/data/task-types", t).await;
        for name in ["Concept", "Modeling", "Layout", "Animation", "Edit"] {
            assert!(names(&types).iter().any(|n| n == name), "{name}");
        }
        assert!(array_of(&types).iter().all(|s| s["type"] == "TaskType"));

        let project_statuses = app.get_ok("/api/data/project-status", t).await;
        assert_eq!(names(&project_statuses), ["Open", "Closed"]);
        assert_eq!(project_statuses[0]["type"], "ProjectStatus");

        let mut asset_types = names(&app.get_ok("/api/data/asset-types", t).await);
        asset_types.sort();
        assert_eq!(asset_types, ["Character", "Environment", "FX", "Prop"]);

        let persons = app.get_ok("/api/data/persons", t).await;
        assert_eq!(array_of(&persons).len(), 1);
        assert_eq!(persons[0]["email"], ADMIN_EMAIL);
        assert_eq!(persons[0]["full_name"], "Super Admin");
    })
    .await;
}

/// `name` is matched with ILIKE: any case, and `%` patterns.
#[tokio::test]
async fn name_filter_is_case_insensitive() {
    each_backend(|app| async move {
        let token = app.admin_token().await;
        let t = Some(token.as_str());
        for pattern in ["modeling", "MODELING", "Modeling", "Model%"] {
            let found = app
                .get_ok(&with_query("/api/data/task-types", &[("name", pattern)]), t)
                .await;
            assert_eq!(names(&found), ["Modeling"], "name={pattern}");
        }
        let none = app
            .get_ok("/api/data/task-types?name=no-such-type", t)
            .await;
        assert_eq!(none, json!([]));
    })
    .await;
}

/// Booleans in any of Python's spellings; two statuses are default after
/// init-data and gazu's `fetch_first` takes Todo, so Todo comes first.
#[tokio::test]
async fn boolean_filter_spellings_and_default_status_order() {
    each_backend(|app| async move {
        let token = app.admin_token().await;
        for spelling in ["True", "true", "1", "yes"] {
            let found = app
                .get_ok(
                    &format!("/api/data/task-status?is_default={spelling}"),
                    Some(&token),
                )
                .await;
            assert_eq!(names(&found), ["Todo", "Neutral"], "is_default={spelling}");
        }
        let not_default = app
            .get_ok("/api/data/task-status?is_default=False", Some(&token))
            .await;
        assert_eq!(array_of(&not_default).len(), 7);
    })
    .await;
}

#[tokio::test]
async fn bad_boolean_filter_is_400() {
    each_backend(|app| async move {
        let token = app.admin_token().await;
        let (status, body) = app
            .get("/api/data/task-status?is_default=maybe", Some(&token))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["message"], "Invalid boolean value: maybe");
        // Other bad values fail in Zou's database; that answer has no `data`.
        let (status, body) = app
            .get("/api/data/task-status?priority=high", Some(&token))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(
            body,
            json!({"error": true, "message": "One of the provided values has an invalid format."})
        );
    })
    .await;
}

/// A malformed UUID as a filter value is 400; a well-formed unknown one
/// simply matches nothing.
#[tokio::test]
async fn uuid_filters() {
    each_backend(|app| async move {
        let token = app.admin_token().await;
        let (status, body) = app
            .get(
                "/api/data/task-types?department_id=not-a-uuid",
                Some(&token),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body, bad_request_body("Invalid UUID value: not-a-uuid"));

        let found = app
            .get_ok(
                &format!("/api/data/task-types?department_id={}", unknown_id()),
                Some(&token),
            )
            .await;
        assert_eq!(found, json!([]));
    })
    .await;
}

/// A value starting with `[` is a JSON list (SQL IN).
#[tokio::test]
async fn json_list_filter_is_in() {
    each_backend(|app| async move {
        let token = app.admin_token().await;
        let t = Some(token.as_str());
        let all = app.get_ok("/api/data/task-types", t).await;
        let modeling = id_named(&all, "Modeling");
        let layout = id_named(&all, "Layout");
        let list = json!([modeling, layout, unknown_id()]).to_string();
        let found = app
            .get_ok(&with_query("/api/data/task-types", &[("id", &list)]), t)
            .await;
        let mut found = names(&found);
        found.sort();
        assert_eq!(found, ["Layout", "Modeling"]);
    })
    .await;
}

/// Unknown query keys are ignored, as Zou ignores non-column keys.
#[tokio::test]
async fn unknown_filter_keys_are_ignored() {
    each_backend(|app| async move {
        let token = app.admin_token().await;
        let found = app
            .get_ok(
                "/api/data/task-types?no_such_column=1&name=Layout",
                Some(&token),
            )
            .await;
        assert_eq!(names(&found), ["Layout"]);
        let all = app.get_ok("/api/data/task-types", Some(&token)).await;
        let ignored = app
            .get_ok("/api/data/task-types?no_such_column=1", Some(&token))
            .await;
        assert_eq!(array_of(&all).len(), array_of(&ignored).len());
    })
    .await;
}

/// `?page=N&limit=M` switches to Zou's envelope.
#[tokio::test]
async fn pagination_envelope() {
    each_backend(|app| async move {
        let token = app.admin_token().await;
        let t = Some(token.as_str());
        let total = array_of(&app.get_ok("/api/data/task-types", t).await).len() as i64;
        assert!(total > 4);
        let nb_pages = (total + 1) / 2;

        let page1 = app.get_ok("/api/data/task-types?page=1&limit=2", t).await;
        assert_eq!(
            keys(&page1),
            ["data", "total", "nb_pages", "limit", "offset", "page"]
        );
        assert_eq!(array_of(&page1["data"]).len(), 2);
        assert_eq!(page1["total"], total);
        assert_eq!(page1["nb_pages"], nb_pages);
        assert_eq!(page1["limit"], 2);
        assert_eq!(page1["offset"], 0);
        assert_eq!(page1["page"], 1);

        let page2 = app.get_ok("/api/data/task-types?page=2&limit=2", t).await;
        assert_eq!(page2["offset"], 2);
        assert_eq!(page2["page"], 2);
        assert_eq!(array_of(&page2["data"]).len(), 2);
        let ids = |p: &Value| -> Vec<String> {
            array_of(&p["data"])
                .iter()
                .map(|i| str_of(&i["id"]).to_owned())
                .collect()
        };
        assert!(ids(&page1).iter().all(|id| !ids(&page2).contains(id)));

        let last = app
            .get_ok(&format!("/api/data/task-types?page={nb_pages}&limit=2"), t)
            .await;
        assert_eq!(
            array_of(&last["data"]).len() as i64,
            total - 2 * (nb_pages - 1)
        );
        let beyond = app
            .get_ok(
                &format!("/api/data/task-types?page={}&limit=2", nb_pages + 1),
                t,
            )
            .await;
        assert_eq!(beyond["data"], json!([]));

        // Filters apply inside the envelope.
        let filtered = app
            .get_ok("/api/data/task-status?is_default=true&page=1", t)
            .await;
        assert_eq!(filtered["total"], 2);
        assert_eq!(filtered["nb_pages"], 1);
        assert_eq!(filtered["limit"], 100);
    })
    .await;
}

#[tokio::test]
async fn get_by_id() {
    each_backend(|app| async move {
        let token = app.admin_token().await;
        let t = Some(token.as_str());
        for model in [
            "task-types",
            "task-status",
            "project-status",
            "asset-types",
            "persons",
        ] {
            let list = app.get_ok(&format!("/api/data/{model}"), t).await;
            let first = &list[0];
            let one = app
                .get_ok(&format!("/api/data/{model}/{}", str_of(&first["id"])), t)
                .await;
            assert_eq!(one["id"], first["id"], "{model}");
            assert_eq!(one["name"], first["name"], "{model}");
            assert_eq!(one["type"], first["type"], "{model}");
        }
    })
    .await;
}

/// A malformed id in a CRUD path is 400 "Malformed ID." (Zou's CRUD
/// resources parse it themselves); an unknown one is Werkzeug's 404.
#[tokio::test]
async fn malformed_and_unknown_ids() {
    each_backend(|app| async move {
        let token = app.admin_token().await;
        let t = Some(token.as_str());
        for model in ["task-types", "projects", "persons", "departments"] {
            let (status, body) = app.get(&format!("/api/data/{model}/not-a-uuid"), t).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{model}");
            assert_eq!(body, bad_request_body("Malformed ID."), "{model}");

            let (status, body) = app
                .put(&format!("/api/data/{model}/not-a-uuid"), t, json!({}))
                .await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "PUT {model}");
            assert_eq!(body, bad_request_body("Malformed ID."), "PUT {model}");

            let (status, body) = app
                .delete(&format!("/api/data/{model}/not-a-uuid"), t)
                .await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "DELETE {model}");
            assert_eq!(body, bad_request_body("Malformed ID."), "DELETE {model}");

            let (status, body) = app
                .get(&format!("/api/data/{model}/{}", unknown_id()), t)
                .await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{model}");
            assert_eq!(body, not_found_body(), "{model}");
        }
    })
    .await;
}

/// Creation answers 201 with the new object, typed.
#[tokio::test]
async fn create_answers_201() {
    each_backend(|app| async move {
        let token = app.admin_token().await;
        let t = Some(token.as_str());
        for (model, body, type_name) in [
            (
                "task-types",
                json!({"name": "Grooming", "color": "#123456", "for_entity": "Asset"}),
                "TaskType",
            ),
            (
                "task-status",
                json!({"name": "On Hold", "short_name": "hold", "color": "#999999"}),
                "TaskStatus",
            ),
            (
                "departments",
                json!({"name": "Lighting Dept", "color": "#ffaa00"}),
                "Department",
            ),
            (
                "project-status",
                json!({"name": "Paused", "color": "#333333"}),
                "ProjectStatus",
            ),
            // Asset types are created as entity types (gazu's
            // new_asset_type); Zou's /data/asset-types is read-only.
            ("entity-types", json!({"name": "Vehicle"}), "EntityType"),
            (
                "persons",
                json!({"first_name": "Jane", "last_name": "Doe", "email": "jane@example.com"}),
                "Person",
            ),
            ("projects", json!({"name": "Created"}), "Project"),
        ] {
            let created = app
                .post_created(&format!("/api/data/{model}"), t, body.clone())
                .await;
            assert_eq!(created["type"], type_name, "{model}");
            for (k, v) in body.as_object().unwrap() {
                assert_eq!(&created[k], v, "{model}.{k}");
            }
            let id = str_of(&created["id"]);
            let fetched = app.get_ok(&format!("/api/data/{model}/{id}"), t).await;
            assert_eq!(fetched["id"], created["id"], "{model}");
            assert_eq!(fetched["name"], created["name"], "{model}");
        }
        let persons = app
            .get_ok("/api/data/persons?email=jane@example.com", t)
            .await;
        assert_eq!(persons[0]["full_name"], "Jane Doe");
        let projects = app.get_ok("/api/data/projects?name=Created", t).await;
        assert_eq!(projects[0]["type"], "Project");
    })
    .await;
}

/// Generic CRUD's missing-field answer is `{"message"}` only.
#[tokio::test]
async fn create_without_required_fields_is_400() {
    each_backend(|app| async move {
        let token = app.admin_token().await;
        for model in ["task-types", "projects"] {
            let (status, body) = app
                .post(&format!("/api/data/{model}"), Some(&token), json!({}))
                .await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{model}");
            assert_eq!(
                body,
                json!({"message": "A required field is missing."}),
                "{model}"
            );
        }
    })
    .await;
}

/// Task type identity is (name, for_entity[, department]).
#[tokio::test]
async fn duplicate_task_type_is_400() {
    each_backend(|app| async move {
        let token = app.admin_token().await;
        let t = Some(token.as_str());
        let body = json!({"name": "Previz", "color": "#000000", "for_entity": "Shot"});
        app.post_created("/api/data/task-types", t, body.clone())
            .await;
        let (status, answer) = app.post("/api/data/task-types", t, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(
            answer,
            bad_request_body("A task type with similar name already exists")
        );
        // Zou 1.0.97 compares names alone, regardless of case, whatever
        // the department or kind of entity: gazu resolves task types by
        // lower-cased name.
        for body in [
            json!({"name": "modeling", "for_entity": "Asset"}),
            json!({"name": "Previz", "for_entity": "Sequence"}),
        ] {
            let (status, answer) = app.post("/api/data/task-types", t, body).await;
            assert_eq!(status, StatusCode::BAD_REQUEST);
            assert_eq!(
                answer,
                bad_request_body("A task type with similar name already exists")
            );
        }
        // A rename onto another's name is refused; keeping one's own is not.
        let layout = app.get_ok("/api/data/task-types?name=Layout", t).await;
        let layout_id = str_of(&layout[0]["id"]).to_owned();
        let (status, _) = app
            .put(
                &format!("/api/data/task-types/{layout_id}"),
                t,
                json!({"name": "Previz"}),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let (status, _) = app
            .put(
                &format!("/api/data/task-types/{layout_id}"),
                t,
                json!({"name": "Layout", "color": "#123456"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
    })
    .await;
}

/// PUT answers 200 with the whole updated object; unknown keys and
/// protected columns are ignored.
#[tokio::test]
async fn update_answers_200_and_ignores_unknown_keys() {
    each_backend(|app| async move {
        let token = app.admin_token().await;
        let t = Some(token.as_str());
        let created = app
            .post_created(
                "/api/data/task-types",
                t,
                json!({"name": "Matte", "color": "#111111", "for_entity": "Shot"}),
            )
            .await;
        let id = str_of(&created["id"]);
        let path = format!("/api/data/task-types/{id}");
        let (status, updated) = app
            .put(
                &path,
                t,
                json!({"color": "#222222", "priority": 7, "no_such_field": 1,
                       "id": unknown_id(), "created_at": "2000-01-01T00:00:00"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{updated}");
        assert_eq!(updated["id"], id);
        assert_eq!(updated["color"], "#222222");
        assert_eq!(updated["priority"], 7);
        assert_eq!(updated["name"], "Matte");
        assert_eq!(updated["created_at"], created["created_at"]);
        assert!(updated.get("no_such_field").is_none());
        assert_eq!(keys(&updated), keys(&created));

        let fetched = app.get_ok(&path, t).await;
        assert_eq!(fetched["color"], "#222222");
        assert_eq!(fetched["priority"], 7);

        let (status, body) = app
            .put(
                &format!("/api/data/task-types/{}", unknown_id()),
                t,
                json!({"color": "#333333"}),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(body, not_found_body());
    })
    .await;
}

#[tokio::test]
async fn update_with_a_wrong_value_type_is_400() {
    each_backend(|app| async move {
        let token = app.admin_token().await;
        let types = app.get_ok("/api/data/task-types", Some(&token)).await;
        let path = format!("/api/data/task-types/{}", id_named(&types, "Layout"));
        let (status, body) = app
            .put(&path, Some(&token), json!({"priority": "high"}))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(
            body,
            json!({"message": "One of the provided values has an invalid format."})
        );
    })
    .await;
}

/// An unparsable body is Werkzeug's 400, as JSON.
#[tokio::test]
async fn invalid_json_body_is_400() {
    each_backend(|app| async move {
        let token = app.admin_token().await;
        let types = app.get_ok("/api/data/task-types", Some(&token)).await;
        let id = id_named(&types, "Layout");
        for (method, path) in [
            (Method::PUT, format!("/api/data/task-types/{id}")),
            (Method::POST, "/api/data/task-types".to_owned()),
        ] {
            let req = Request::builder()
                .method(method.clone())
                .uri(&path)
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from("{bad json"))
                .unwrap();
            let (status, body) = app.send_json(req).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{method} {path}");
            assert_eq!(
                body,
                json!({"error": true, "message": "The browser (or proxy) sent a request that this server could not understand."}),
                "{method} {path}"
            );
        }
    })
    .await;
}

/// DELETE answers 204 with an empty body; the object is gone.
#[tokio::test]
async fn delete_answers_204_then_404() {
    each_backend(|app| async move {
        let token = app.admin_token().await;
        let t = Some(token.as_str());
        let dep = app
            .post_created(
                "/api/data/departments",
                t,
                json!({"name": "Doomed", "color": "#000000"}),
            )
            .await;
        let path = format!("/api/data/departments/{}", str_of(&dep["id"]));
        let (status, body) = app.delete(&path, t).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        assert_eq!(body, Value::Null);
        let (status, body) = app.get(&path, t).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(body, not_found_body());
        let (status, _) = app.delete(&path, t).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    })
    .await;
}

/// Unique columns (project name, department name) are refused with 400
/// and generic CRUD's `{"message"}` body.
#[tokio::test]
async fn unique_violations_are_400() {
    each_backend(|app| async move {
        let token = app.admin_token().await;
        let t = Some(token.as_str());
        app.create_project("Twice", "short").await;
        let department = json!({"name": "Twice", "color": "#000000"});
        app.post_created("/api/data/departments", t, department.clone())
            .await;
        for (model, body) in [
            ("projects", json!({"name": "Twice"})),
            ("departments", department),
        ] {
            let (status, answer) = app.post(&format!("/api/data/{model}"), t, body).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{model}");
            assert!(answer["message"].is_string(), "{model}: {answer}");
            let list = app
                .get_ok(&format!("/api/data/{model}?name=Twice"), t)
                .await;
            assert_eq!(array_of(&list).len(), 1, "{model}");
        }
    })
    .await;
}

/// Zou 1.0.53+ (`build_db_error_message`) names a unique violation as
/// such instead of calling it a format error.
#[tokio::test]
async fn unique_violation_message_is_zous() {
    each_backend(|app| async move {
        let token = app.admin_token().await;
        app.create_project("Twice", "short").await;
        let (status, body) = app
            .post("/api/data/projects", Some(&token), json!({"name": "Twice"}))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(
            body,
            json!({"message": "A record with the same unique values already exists."})
        );
    })
    .await;
}

/// Zou's `TaskStatus.short_name` is unique (gazu's
/// `get_task_status_by_short_name` and `start_task` rely on it).
#[tokio::test]

async fn task_status_short_name_is_unique() {
    each_backend(|app| async move {
        let token = app.admin_token().await;
        let t = Some(token.as_str());
        let (status, body) = app
            .post(
                "/api/data/task-status",
                t,
                json!({"name": "Another Todo", "short_name": "todo", "color": "#ffffff"}),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(body["message"].is_string(), "{body}");
        let todo = app.get_ok("/api/data/task-status?short_name=todo", t).await;
        assert_eq!(names(&todo), ["Todo"]);
    })
    .await;
}

/// Zou's person resource checks the e-mail up front (1.0.37+):
/// `WrongParameterException("Email already in use.")`.
#[tokio::test]
async fn duplicate_email_message_is_zous() {
    each_backend(|app| async move {
        let token = app.admin_token().await;
        let (status, body) = app
            .post(
                "/api/data/persons",
                Some(&token),
                json!({"first_name": "Copy", "email": ADMIN_EMAIL}),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body, bad_request_body("Email already in use."));
    })
    .await;
}

/// A duplicate e-mail is refused (whatever the wording).
#[tokio::test]
async fn duplicate_email_is_400() {
    each_backend(|app| async move {
        let token = app.admin_token().await;
        let (status, body) = app
            .post(
                "/api/data/persons",
                Some(&token),
                json!({"first_name": "Copy", "email": ADMIN_EMAIL}),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["error"], true, "{body}");
        let persons = app.get_ok("/api/data/persons", Some(&token)).await;
        assert_eq!(array_of(&persons).len(), 1);
    })
    .await;
}

/// Zou validates `role` and `contract_type` against its choices on
/// create and update (`WrongParameterException`, 0.19.53+).
#[tokio::test]
async fn person_role_and_contract_type_are_validated() {
    each_backend(|app| async move {
        let token = app.admin_token().await;
        let t = Some(token.as_str());
        let (status, body) = app
            .post(
                "/api/data/persons",
                t,
                json!({"first_name": "A", "email": "a@example.com", "role": "superuser"}),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body, bad_request_body("Invalid role"));
        let (status, body) = app
            .post(
                "/api/data/persons",
                t,
                json!({"first_name": "B", "email": "b@example.com", "contract_type": "nope"}),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body, bad_request_body("Invalid contract_type"));

        let artist = app.person_with_role("user").await;
        let (status, body) = app
            .put(
                &format!("/api/data/persons/{}", artist.id),
                t,
                json!({"role": "superuser"}),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body, bad_request_body("Invalid role"));
    })
    .await;
}

/// Kitsu's profile page saves with `PUT /data/persons/{own id}`: Zou lets
/// a person update their own row, silently dropping what only an admin
/// may change (role, active, departments, …).
#[tokio::test]

async fn person_updates_own_profile() {
    each_backend(|app| async move {
        let artist = app.person_with_role("user").await;
        let (status, body) = app
            .put(
                &format!("/api/data/persons/{}", artist.id),
                artist.token(),
                json!({"phone": "+33 1 23 45 67 89", "role": "admin", "active": false}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["phone"], "+33 1 23 45 67 89");
        assert_eq!(body["role"], "user");
        assert_eq!(body["active"], true);
        // Someone else's row stays the admin's.
        let admin = app.admin().await;
        let (status, _) = app
            .put(
                &format!("/api/data/persons/{}", admin.id),
                artist.token(),
                json!({"phone": "0"}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    })
    .await;
}

/// Non-admins listing persons get Zou's `present_minimal` dicts: no
/// e-mail, phone, salary or notification settings of colleagues.
#[tokio::test]

async fn artist_gets_minimal_persons() {
    each_backend(|app| async move {
        let artist = app.person_with_role("user").await;
        let admin = app.admin().await;
        let persons = app.get_ok("/api/data/persons", artist.token()).await;
        assert_eq!(array_of(&persons).len(), 2);
        let one = app
            .get_ok(&format!("/api/data/persons/{}", admin.id), artist.token())
            .await;
        for p in array_of(&persons).iter().chain([&one]) {
            for k in ["id", "type", "first_name", "last_name", "full_name", "role"] {
                assert!(p.get(k).is_some(), "{k} missing: {p}");
            }
            for k in [
                "email",
                "phone",
                "daily_salary",
                "contract_type",
                "notifications_slack_userid",
                "last_presence",
            ] {
                assert!(p.get(k).is_none(), "{k} shown to an artist: {p}");
            }
        }
    })
    .await;
}

/// Zou deletes only closed projects (`ProjectResource.delete`).
#[tokio::test]
async fn only_closed_projects_can_be_deleted() {
    each_backend(|app| async move {
        let token = app.admin_token().await;
        let t = Some(token.as_str());
        let project = app.create_project("Doomed", "short").await;
        let path = format!("/api/data/projects/{}", str_of(&project["id"]));
        let (status, body) = app.delete(&path, t).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(
            body,
            json!({"error": true, "message": "Only closed projects can be deleted"})
        );
        app.get_ok(&path, t).await;

        let statuses = app.get_ok("/api/data/project-status", t).await;
        let closed = id_named(&statuses, "Closed");
        let (status, _) = app
            .put(&path, t, json!({"project_status_id": closed}))
            .await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = app.delete(&path, t).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, _) = app.get(&path, t).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    })
    .await;
}

// ───────────────────────────── key order ─────────────────────────────
// orjson keeps insertion order and some scripts print or diff dicts, so
// the keys come in Zou's order: the recorded answers are the reference.

#[tokio::test]
async fn created_task_type_keys_match_zou() {
    each_backend(|app| async move {
        let token = app.admin_token().await;
        let created = app
            .post_created(
                "/api/data/task-types",
                Some(&token),
                json!({"name": "WT Storyboard", "color": "#AA00FF", "for_entity": "Sequence"}),
            )
            .await;
        let recorded = recorded_response("016_task.new_task_type.json", 1);
        assert_eq!(keys(&created), keys(&recorded));
        // The values Zou fills in.
        for k in [
            "short_name",
            "description",
            "priority",
            "allow_timelog",
            "archived",
            "department_id",
            "type",
        ] {
            assert_eq!(created[k], recorded[k], "{k}");
        }
    })
    .await;
}

/// `POST /data/projects`: columns, then the relation lists, then id,
/// timestamps and type; a TV show adds `first_episode_id` last.
#[tokio::test]
async fn created_project_keys_match_zou() {
    each_backend(|app| async move {
        let recorded = recorded_response("006_new_project.json", 1);
        let tvshow = app.create_project("WT TV", "tvshow").await;
        assert_eq!(keys(&tvshow), keys(&recorded));
        assert!(tvshow["first_episode_id"].is_string());

        let short = app.create_project("WT Short", "short").await;
        let mut without_episode = keys(&recorded);
        without_episode.retain(|k| k != "first_episode_id");
        assert_eq!(keys(&short), without_episode);
        for k in [
            "fps",
            "ratio",
            "resolution",
            "homepage",
            "nb_episodes",
            "max_retakes",
            "is_client_stats_visible",
            "type",
        ] {
            assert_eq!(short[k], recorded[k], "{k}");
        }
    })
    .await;
}

#[tokio::test]
async fn project_detail_keys_match_zou() {
    each_backend(|app| async move {
        let token = app.admin_token().await;
        let project = app.create_project("Detail", "tvshow").await;
        let id = str_of(&project["id"]);
        let detail = app
            .get_ok(&format!("/api/data/projects/{id}"), Some(&token))
            .await;
        let recorded = recorded_response("076_project.get_project.json", 0);
        assert_eq!(keys(&detail), keys(&recorded));
        assert_eq!(detail["project_status_name"], "Open");
        assert_eq!(detail["first_episode_id"], project["first_episode_id"]);
        assert_eq!(detail["descriptors"], json!([]));
    })
    .await;
}

#[tokio::test]
async fn person_list_keys_match_zou() {
    each_backend(|app| async move {
        let token = app.admin_token().await;
        app.person_with_role("supervisor").await;
        let persons = app.get_ok("/api/data/persons", Some(&token)).await;
        let recorded = recorded_response("078_person.all_persons.json", 0);
        let expected = keys(&recorded[0]);
        assert_eq!(array_of(&persons).len(), 2);
        for p in array_of(&persons) {
            assert_eq!(keys(p), expected);
        }
    })
    .await;
}

/// gazu stores the login body; Kitsu reads the user and organisation.
#[tokio::test]
async fn login_keys_match_zou() {
    each_backend(|app| async move {
        let body = app.login_body(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        let recorded = recorded_response("001_log_in.json", 0);
        assert_eq!(keys(&body), keys(&recorded));
        assert_eq!(keys(&body["user"]), keys(&recorded["user"]));
        assert_eq!(keys(&body["organisation"]), keys(&recorded["organisation"]));
    })
    .await;
}

/// `POST /data/persons` answers the person with `departments` (before
/// `studio_id`, as Zou's serialiser puts it).
#[tokio::test]
async fn created_person_keys_match_zou() {
    each_backend(|app| async move {
        let token = app.admin_token().await;
        let created = app
            .post_created(
                "/api/data/persons",
                Some(&token),
                json!({"first_name": "Walk", "last_name": "Through",
                       "email": "walk.through@example.com", "phone": "",
                       "role": "user", "desktop_login": "wt", "departments": [],
                       "password": PASSWORD, "active": true,
                       "contract_type": "open-ended"}),
            )
            .await;
        let recorded = recorded_response("007_new_person.json", 1);
        assert_eq!(keys(&created), keys(&recorded));
        assert_eq!(created["departments"], json!([]));
    })
    .await;
}

/// Plain lists of studio-wide models, item keys as recorded.
#[tokio::test]
async fn studio_list_keys_match_zou() {
    each_backend(|app| async move {
        let token = app.admin_token().await;
        let t = Some(token.as_str());
        for (path, file) in [
            ("/api/data/task-status", "003_all_task_statuses.json"),
            ("/api/data/asset-types", "005_all_asset_types.json"),
            ("/api/data/task-types", "015_task.all_task_types.json"),
            (
                "/api/data/task-types?name=Modeling",
                "019_task.get_task_type_by_name.json",
            ),
        ] {
            let list = app.get_ok(path, t).await;
            let expected = keys(&recorded_response(file, 0)[0]);
            for item in array_of(&list) {
                assert_eq!(keys(item), expected, "{path}");
            }
        }
        let types = app.get_ok("/api/data/task-types", t).await;
        let one = app
            .get_ok(
                &format!("/api/data/task-types/{}", id_named(&types, "Layout")),
                t,
            )
            .await;
        assert_eq!(
            keys(&one),
            keys(&recorded_response("018_task.get_task_type.json", 0))
        );
    })
    .await;
}

/// `GET /data/projects` items carry no relation lists; adding a team
/// member answers the project without them too.
#[tokio::test]
async fn project_list_and_team_keys_match_zou() {
    each_backend(|app| async move {
        let token = app.admin_token().await;
        let artist = app.person_with_role("user").await;
        let project = app.create_project("Listed", "tvshow").await;
        let pid = str_of(&project["id"]);
        let answer = app
            .post_created(
                &format!("/api/data/projects/{pid}/team"),
                Some(&token),
                json!({"person_id": artist.id}),
            )
            .await;
        assert_eq!(
            keys(&answer),
            keys(&recorded_response("008_add_person_to_team.json", 0))
        );
        let list = app.get_ok("/api/data/projects", Some(&token)).await;
        assert_eq!(
            keys(&list[0]),
            keys(&recorded_response("077_project.all_projects.json", 0)[0])
        );
    })
    .await;
}

/// The hierarchy lists gazu reads, item keys as recorded: plain entities,
/// except the shots of a sequence which carry `project_name` and
/// `sequence_name`.
#[tokio::test]
async fn hierarchy_list_keys_match_zou() {
    each_backend(|app| async move {
        let token = app.admin_token().await;
        let t = Some(token.as_str());
        let project = app.create_project("Lists", "tvshow").await;
        let pid = str_of(&project["id"]).to_owned();
        let e01 = str_of(&project["first_episode_id"]).to_owned();
        let seq = app
            .post_created(
                &format!("/api/data/projects/{pid}/sequences"),
                t,
                json!({"name": "SQ010", "episode_id": e01}),
            )
            .await;
        let seq_id = str_of(&seq["id"]).to_owned();
        app.post_created(
            &format!("/api/data/projects/{pid}/shots"),
            t,
            json!({"name": "SH0010", "sequence_id": seq_id}),
        )
        .await;
        let asset_types = app.get_ok("/api/data/asset-types?name=Character", t).await;
        let character = str_of(&asset_types[0]["id"]).to_owned();
        app.post_created(
            &format!("/api/data/projects/{pid}/asset-types/{character}/assets/new"),
            t,
            json!({"name": "Hero"}),
        )
        .await;
        for (path, file) in [
            (
                format!("/api/data/projects/{pid}/episodes"),
                "074_shot.all_episodes_for_project.json",
            ),
            (
                format!("/api/data/episodes/{e01}/sequences"),
                "075_shot.all_sequences_for_episode.json",
            ),
            (
                format!("/api/data/projects/{pid}/assets"),
                "080_asset.all_assets_for_project.json",
            ),
            (
                format!("/api/data/sequences/{seq_id}/shots"),
                "079_shot.all_shots_for_sequence.json",
            ),
        ] {
            let list = app.get_ok(&path, t).await;
            assert_eq!(array_of(&list).len(), 1, "{path}");
            assert_eq!(
                keys(&list[0]),
                keys(&recorded_response(file, 0)[0]),
                "{path}"
            );
        }
    })
    .await;
}

// ───────────────────────────── hierarchy ─────────────────────────────

/// Episodes › sequences › shots, scenes and assets: gazu's create calls
/// and the lists it reads back.
#[tokio::test]
async fn production_hierarchy() {
    each_backend(|app| async move {
        let token = app.admin_token().await;
        let t = Some(token.as_str());
        let project = app.create_project("Hierarchy", "tvshow").await;
        let pid = str_of(&project["id"]).to_owned();

        // A TV show opens with its first episode, E01.
        let episodes = app
            .get_ok(&format!("/api/data/projects/{pid}/episodes"), t)
            .await;
        assert_eq!(names(&episodes), ["E01"]);
        assert_eq!(episodes[0]["type"], "Episode");
        let e01 = str_of(&episodes[0]["id"]).to_owned();
        assert_eq!(project["first_episode_id"], e01.as_str());

        let e02 = app
            .post_created(
                &format!("/api/data/projects/{pid}/episodes"),
                t,
                json!({"name": "E02"}),
            )
            .await;
        assert_eq!(e02["type"], "Episode");
        assert_eq!(e02["project_id"], pid.as_str());
        assert_eq!(e02["parent_id"], Value::Null);
        // Zou's create routes for episodes are get-or-create.
        let again = app
            .post_created(
                &format!("/api/data/projects/{pid}/episodes"),
                t,
                json!({"name": "E02"}),
            )
            .await;
        assert_eq!(again["id"], e02["id"]);
        let episodes = app
            .get_ok(&format!("/api/data/projects/{pid}/episodes"), t)
            .await;
        assert_eq!(names(&episodes), ["E01", "E02"]);

        let seq = app
            .post_created(
                &format!("/api/data/projects/{pid}/sequences"),
                t,
                json!({"name": "SQ010", "episode_id": e01}),
            )
            .await;
        assert_eq!(seq["type"], "Sequence");
        assert_eq!(seq["parent_id"], e01.as_str());
        let seq_id = str_of(&seq["id"]).to_owned();

        let shot = app
            .post_created(
                &format!("/api/data/projects/{pid}/shots"),
                t,
                json!({"name": "SH0010", "sequence_id": seq_id, "nb_frames": 48,
                       "description": "walkthrough shot",
                       "data": {"frame_in": 1001, "frame_out": 1048}}),
            )
            .await;
        assert_eq!(shot["type"], "Shot");
        assert_eq!(shot["parent_id"], seq_id.as_str());
        assert_eq!(shot["nb_frames"], 48);
        assert_eq!(shot["description"], "walkthrough shot");
        assert_eq!(shot["data"], json!({"frame_in": 1001, "frame_out": 1048}));
        app.post_created(
            &format!("/api/data/projects/{pid}/shots"),
            t,
            json!({"name": "SH0020", "sequence_id": seq_id}),
        )
        .await;

        let scene = app
            .post_created(
                &format!("/api/data/projects/{pid}/scenes"),
                t,
                json!({"name": "SC0010", "sequence_id": seq_id}),
            )
            .await;
        assert_eq!(scene["type"], "Scene");
        assert_eq!(scene["parent_id"], seq_id.as_str());

        let asset_types = app
            .get_ok("/api/data/asset-types?name=Character", t)
            .await;
        let character = str_of(&asset_types[0]["id"]).to_owned();
        let asset = app
            .post_created(
                &format!("/api/data/projects/{pid}/asset-types/{character}/assets/new"),
                t,
                json!({"name": "Hero", "description": "main character", "data": {}, "is_shared": false}),
            )
            .await;
        assert_eq!(asset["type"], "Asset");
        assert_eq!(asset["entity_type_id"], character.as_str());
        assert_eq!(asset["description"], "main character");

        // The lists gazu reads.
        let seqs = app
            .get_ok(&format!("/api/data/episodes/{e01}/sequences"), t)
            .await;
        assert_eq!(names(&seqs), ["SQ010"]);
        assert_eq!(seqs[0]["type"], "Sequence");
        let shots = app
            .get_ok(&format!("/api/data/sequences/{seq_id}/shots"), t)
            .await;
        assert_eq!(names(&shots), ["SH0010", "SH0020"]);
        assert!(array_of(&shots).iter().all(|s| s["type"] == "Shot"));
        let assets = app
            .get_ok(&format!("/api/data/projects/{pid}/assets"), t)
            .await;
        assert_eq!(names(&assets), ["Hero"]);
        assert_eq!(assets[0]["type"], "Asset");

        // gazu's get-by-name lookups.
        let found = app
            .get_ok(
                &with_query(
                    "/api/data/shots/all",
                    &[("sequence_id", &seq_id), ("name", "SH0010")],
                ),
                t,
            )
            .await;
        assert_eq!(names(&found), ["SH0010"]);
        assert_eq!(found[0]["project_name"], "Hierarchy");
        assert_eq!(found[0]["sequence_name"], "SQ010");
        assert_eq!(found[0]["id"], shot["id"]);
        let none = app
            .get_ok(
                &with_query(
                    "/api/data/shots/all",
                    &[("sequence_id", &seq_id), ("name", "SH9999")],
                ),
                t,
            )
            .await;
        assert_eq!(none, json!([]));

        let found = app
            .get_ok(
                &with_query(
                    "/api/data/assets/all",
                    &[("project_id", &pid), ("name", "Hero"), ("entity_type_id", &character)],
                ),
                t,
            )
            .await;
        assert_eq!(names(&found), ["Hero"]);
        assert_eq!(found[0]["type"], "Asset");

        let found = app
            .get_ok(
                &with_query(
                    "/api/data/sequences",
                    &[("episode_id", &e01), ("name", "SQ010")],
                ),
                t,
            )
            .await;
        assert_eq!(names(&found), ["SQ010"]);
        let found = app
            .get_ok(
                &with_query(
                    "/api/data/episodes",
                    &[("project_id", &pid), ("name", "E01")],
                ),
                t,
            )
            .await;
        assert_eq!(names(&found), ["E01"]);
        let other_episode = str_of(&e02["id"]);
        let found = app
            .get_ok(
                &with_query(
                    "/api/data/sequences",
                    &[("episode_id", other_episode), ("name", "SQ010")],
                ),
                t,
            )
            .await;
        assert_eq!(found, json!([]));
    })
    .await;
}

/// Entities come with `id` first (Zou's Entity serialiser), as recorded.
#[tokio::test]
async fn created_shot_keys_match_zou() {
    each_backend(|app| async move {
        let token = app.admin_token().await;
        let t = Some(token.as_str());
        let project = app.create_project("Keys", "tvshow").await;
        let pid = str_of(&project["id"]);
        let e01 = str_of(&project["first_episode_id"]);
        let seq = app
            .post_created(
                &format!("/api/data/projects/{pid}/sequences"),
                t,
                json!({"name": "SQ010", "episode_id": e01}),
            )
            .await;
        assert_eq!(
            keys(&seq),
            keys(&recorded_response("010_new_sequence.json", 1))
        );
        let shot = app
            .post_created(
                &format!("/api/data/projects/{pid}/shots"),
                t,
                json!({"name": "SH0010", "sequence_id": seq["id"], "nb_frames": 48}),
            )
            .await;
        assert_eq!(
            keys(&shot),
            keys(&recorded_response("011_new_shot.json", 1))
        );
    })
    .await;
}

#[tokio::test]
async fn unknown_project_in_hierarchy_routes_is_404() {
    each_backend(|app| async move {
        let token = app.admin_token().await;
        let t = Some(token.as_str());
        let missing = unknown_id();
        for kind in ["episodes", "sequences", "shots", "scenes"] {
            let path = format!("/api/data/projects/{missing}/{kind}");
            let (status, body) = app.post(&path, t, json!({"name": "X"})).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "POST {path}");
            assert_eq!(body, not_found_body());
            let (status, body) = app.get(&path, t).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "GET {path}");
            assert_eq!(body, not_found_body());
        }
        // Zou's asset list does not look the project up: an admin gets [].
        let assets = app
            .get_ok(&format!("/api/data/projects/{missing}/assets"), t)
            .await;
        assert_eq!(assets, json!([]));
        // A malformed id outside the CRUD paths does not match a route: 404.
        let (status, body) = app.get("/api/data/projects/not-a-uuid/episodes", t).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(body, not_found_body());
        let (status, _) = app
            .get(&format!("/api/data/sequences/{missing}/shots"), t)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    })
    .await;
}

// ──────────────────────────── permissions ────────────────────────────

/// Studio-wide objects are the admin's: an artist gets Zou's 403 body.
#[tokio::test]
async fn artist_cannot_create_studio_objects() {
    each_backend(|app| async move {
        let artist = app.person_with_role("user").await;
        let t = artist.token();
        for (path, body) in [
            ("/api/data/projects", json!({"name": "Mine"})),
            (
                "/api/data/task-types",
                json!({"name": "Mine", "for_entity": "Shot"}),
            ),
            (
                "/api/data/persons",
                json!({"first_name": "X", "email": "x@example.com"}),
            ),
        ] {
            let (status, answer) = app.post(path, t, body).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "POST {path}");
            assert_eq!(answer, forbidden_body(), "POST {path}");
        }
        let admin = app.admin_token().await;
        let types = app.get_ok("/api/data/task-types", Some(&admin)).await;
        let path = format!("/api/data/task-types/{}", id_named(&types, "Layout"));
        let (status, answer) = app.put(&path, t, json!({"priority": 9})).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(answer, forbidden_body());
        let (status, _) = app.delete(&path, t).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        // Nothing changed.
        let layout = app.get_ok(&path, Some(&admin)).await;
        assert_ne!(layout["priority"], 9);
        // Reading studio-wide objects is fine.
        app.get_ok("/api/data/task-types", t).await;
        app.get_ok("/api/data/task-status", t).await;
    })
    .await;
}

/// Project data is for the project's team: lists are filtered, direct
/// access to another project is 403.
#[tokio::test]
async fn artist_sees_only_team_projects() {
    each_backend(|app| async move {
        let artist = app.person_with_role("user").await;
        let mine = app.project_with_member("Mine", &artist).await;
        let other = app.create_project("Other", "tvshow").await;
        let other_id = str_of(&other["id"]);

        let projects = app.get_ok("/api/data/projects", artist.token()).await;
        assert_eq!(names(&projects), ["Mine"]);
        let detail = app
            .get_ok(&format!("/api/data/projects/{mine}"), artist.token())
            .await;
        assert_eq!(detail["name"], "Mine");
        assert!(array_of(&detail["team"]).contains(&json!(artist.id)));

        let (status, body) = app
            .get(&format!("/api/data/projects/{other_id}"), artist.token())
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(body, forbidden_body());
        let (status, _) = app
            .get(
                &format!("/api/data/projects/{other_id}/episodes"),
                artist.token(),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        // Zou's episode list wants a production the caller belongs to.
        for path in [
            "/api/data/episodes".to_owned(),
            format!("/api/data/episodes?project_id={other_id}"),
        ] {
            let (status, _) = app.get(&path, artist.token()).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        }
        let admin = app.admin_token().await;
        let seq = app
            .post_created(
                &format!("/api/data/projects/{other_id}/sequences"),
                Some(&admin),
                json!({"name": "SQ01", "episode_id": other["first_episode_id"]}),
            )
            .await;
        app.post_created(
            &format!("/api/data/projects/{other_id}/shots"),
            Some(&admin),
            json!({"name": "SH01", "sequence_id": seq["id"]}),
        )
        .await;
        let shots = app.get_ok("/api/data/shots/all", artist.token()).await;
        assert_eq!(shots, json!([]), "shots of other projects leak");
        let shots = app.get_ok("/api/data/shots/all", Some(&admin)).await;
        assert_eq!(names(&shots), ["SH01"]);
        let (status, _) = app
            .get(
                &format!("/api/data/sequences/{}/shots", str_of(&seq["id"])),
                artist.token(),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        // An artist in the team may read but not build the hierarchy.
        let (status, body) = app
            .post(
                &format!("/api/data/projects/{mine}/episodes"),
                artist.token(),
                json!({"name": "E01"}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(body, forbidden_body());
    })
    .await;
}

/// Managers build the hierarchy of the projects they are in, only.
#[tokio::test]
async fn manager_builds_hierarchy_in_team_projects_only() {
    each_backend(|app| async move {
        let manager = app.person_with_role("manager").await;
        let t = manager.token();
        let mine = app.project_with_member("Managed", &manager).await;
        let other = app.create_project("Not Managed", "short").await;
        let other_id = str_of(&other["id"]);

        let ep = app
            .post_created(
                &format!("/api/data/projects/{mine}/episodes"),
                t,
                json!({"name": "E01"}),
            )
            .await;
        assert_eq!(ep["created_by"], manager.id.as_str());
        let seq = app
            .post_created(
                &format!("/api/data/projects/{mine}/sequences"),
                t,
                json!({"name": "SQ01", "episode_id": ep["id"]}),
            )
            .await;
        app.post_created(
            &format!("/api/data/projects/{mine}/shots"),
            t,
            json!({"name": "SH01", "sequence_id": seq["id"]}),
        )
        .await;
        let shots = app.get_ok("/api/data/shots/all", t).await;
        assert_eq!(names(&shots), ["SH01"]);

        for kind in ["episodes", "sequences", "shots", "scenes"] {
            let path = format!("/api/data/projects/{other_id}/{kind}");
            let (status, body) = app.post(&path, t, json!({"name": "X"})).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "POST {path}");
            assert_eq!(body, forbidden_body());
        }
        let (status, _) = app.get(&format!("/api/data/projects/{other_id}"), t).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let projects = app.get_ok("/api/data/projects", t).await;
        assert_eq!(names(&projects), ["Managed"]);
        // Still not an admin.
        let (status, _) = app
            .post("/api/data/projects", t, json!({"name": "Nope"}))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    })
    .await;
}

/// Supervisors and clients are not managers: no hierarchy creation even
/// in their own project.
#[tokio::test]
async fn supervisor_and_client_cannot_build_hierarchy() {
    each_backend(|app| async move {
        let cast = app.cast().await;
        let project = app.create_project("Cast", "short").await;
        let pid = str_of(&project["id"]).to_owned();
        for who in [&cast.supervisor, &cast.client] {
            app.add_to_team(&pid, &who.id).await;
        }
        for who in [&cast.supervisor, &cast.client] {
            let (status, _) = app
                .post(
                    &format!("/api/data/projects/{pid}/episodes"),
                    who.token(),
                    json!({"name": "E01"}),
                )
                .await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{}", who.role);
            let projects = app.get_ok("/api/data/projects", who.token()).await;
            assert_eq!(names(&projects), ["Cast"], "{}", who.role);
        }
        // A manager outside the team cannot either; once in it, he can.
        let path = format!("/api/data/projects/{pid}/episodes");
        let (status, _) = app
            .post(&path, cast.manager.token(), json!({"name": "E01"}))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        app.add_to_team(&pid, &cast.manager.id).await;
        app.post_created(&path, cast.manager.token(), json!({"name": "E01"}))
            .await;
    })
    .await;
}

/// Admins see and do everything, team or not.
#[tokio::test]
async fn admin_sees_everything() {
    each_backend(|app| async move {
        let artist = app.person_with_role("user").await;
        app.project_with_member("Team A", &artist).await;
        let b = app.create_project("Team B", "tvshow").await;
        let admin = app.admin_token().await;
        let t = Some(admin.as_str());
        let projects = app.get_ok("/api/data/projects", t).await;
        assert_eq!(names(&projects), ["Team A", "Team B"]);
        let bid = str_of(&b["id"]);
        app.get_ok(&format!("/api/data/projects/{bid}"), t).await;
        app.post_created(
            &format!("/api/data/projects/{bid}/episodes"),
            t,
            json!({"name": "E02"}),
        )
        .await;
        let episodes = app.get_ok("/api/data/episodes", t).await;
        assert_eq!(names(&episodes), ["E01", "E02"]);
    })
    .await;
}

// ─────────────────────────── persistence ─────────────────────────────

/// A restart on the same database keeps the data and neither reloads the
/// default data nor creates a second admin.
#[tokio::test]
async fn restart_keeps_data_and_loads_defaults_once() {
    each_backend(|app| async move {
        let token = app.admin_token().await;
        let project = app.create_project("Survivor", "tvshow").await;
        let pid = str_of(&project["id"]).to_owned();

        let app = app.restart().await;
        // The signing key is configured, so the old token still works.
        let again = app
            .get_ok(&format!("/api/data/projects/{pid}"), Some(&token))
            .await;
        assert_eq!(again["name"], "Survivor");
        let token = app.admin_token().await;
        let t = Some(token.as_str());
        let projects = app.get_ok("/api/data/projects", t).await;
        assert_eq!(names(&projects), ["Survivor"]);
        let statuses = app.get_ok("/api/data/task-status", t).await;
        assert_eq!(array_of(&statuses).len(), 9);
        let project_statuses = app.get_ok("/api/data/project-status", t).await;
        assert_eq!(names(&project_statuses), ["Open", "Closed"]);
        let admins = app.get_ok("/api/data/persons?role=admin", t).await;
        assert_eq!(array_of(&admins).len(), 1);
        let episodes = app
            .get_ok(&format!("/api/data/projects/{pid}/episodes"), t)
            .await;
        assert_eq!(names(&episodes), ["E01"]);
    })
    .await;
}

/// Smoke check of the harness's own URL handling for PostgreSQL.
#[test]
fn database_url_rewriting() {
    use common::with_database;
    assert_eq!(
        with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
        "postgres://postgres@127.0.0.1:5432/x"
    );
    assert_eq!(
        with_database("postgres://u:p@h/db?sslmode=disable", "x"),
        "postgres://u:p@h/x?sslmode=disable"
    );
    assert_eq!(
        with_database("postgres://h:5432", "x"),
        "postgres://h:5432/x"
    );
}

/// Flask answers OPTIONS itself (200, no body); Zou's generic lists keep
/// only the `fields` asked for, with `id` and `type`.
#[tokio::test]
async fn options_and_fields_as_flask_and_zou() {
    each_backend(|app| async move {
        let token = app.admin_token().await;
        let req = Request::builder()
            .method(Method::OPTIONS)
            .uri("/api/data/projects")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap();
        let (status, _, body) = app.send(req).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.is_empty());
        let types = app
            .get_ok("/api/data/task-types?fields=name", Some(&token))
            .await;
        for t in array_of(&types) {
            let keys: Vec<&String> = t.as_object().unwrap().keys().collect();
            assert_eq!(keys, ["name", "id", "type"], "{t}");
        }
    })
    .await;
}
