//! Zou's `auth` blueprint: login, logout, refresh, current user.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use fennec_api::error as msg;
use fennec_api::models;
use fennec_store::{persons, rows, tokens};
use serde_json::{json, Value};

use crate::app::AppState;
use crate::auth::{cookies, password, CurrentUser, RefreshUser};
use crate::error::{ApiError, ApiResult};
use crate::extract::SchemaBody;
use crate::present;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(login))
        .route("/auth/logout", get(logout))
        .route("/auth/authenticated", get(authenticated))
        .route("/auth/refresh-token", get(refresh_token))
}

/// Zou locks an account for a minute after five wrong passwords in a row.
const MAX_FAILED_LOGINS: i64 = 5;
const LOCKOUT_SECONDS: i64 = 60;

fn wrong_credentials() -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        json!({"login": false, "message": msg::WRONG_CREDENTIALS}),
    )
}

async fn organisation(state: &AppState, admin: bool) -> ApiResult<Value> {
    let mut conn = state.db.conn().await?;
    let list = rows::list(&mut conn, &models::ORGANISATION, &Default::default(), false).await?;
    let Some(mut org) = list.into_iter().next() else {
        return Ok(Value::Null);
    };
    if !admin {
        for k in models::ORGANISATION_ADMIN_ONLY {
            org.shift_remove(*k);
        }
    }
    Ok(Value::Object(org))
}

/// POST /auth/login — the tokens in the body; a browser also gets them as
/// the cookies Kitsu's web front end authenticates with.
async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    SchemaBody(body): SchemaBody,
) -> ApiResult<Response> {
    // Zou's LoginSchema: an e-mail of at least one character; a password
    // that defaults to "default" (and so fails to match) when absent.
    let mut errors = vec![];
    let email = match body.get("email") {
        None => {
            errors.push(("email".to_owned(), "Field required".to_owned()));
            ""
        }
        Some(Value::String(s)) if s.is_empty() => {
            errors.push((
                "email".to_owned(),
                "String should have at least 1 character".to_owned(),
            ));
            ""
        }
        Some(Value::String(s)) => s.as_str(),
        Some(_) => {
            errors.push((
                "email".to_owned(),
                "Input should be a valid string".to_owned(),
            ));
            ""
        }
    };
    let pw = match body.get("password") {
        None => "default",
        Some(Value::String(s)) => s.as_str(),
        Some(_) => {
            errors.push((
                "password".to_owned(),
                "Input should be a valid string".to_owned(),
            ));
            ""
        }
    };
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let mut conn = state.db.conn().await?;
    let Some(cred) = persons::credentials_by_email(&mut conn, email.trim()).await? else {
        // Spend the time a password check takes, so that an unknown e-mail
        // cannot be told from a wrong password by timing.
        password::verify(pw, &state.dummy_password_hash).await;
        return Err(wrong_credentials());
    };
    let now = fennec_api::time::now();
    if cred.failed_attempts >= MAX_FAILED_LOGINS {
        let locked = cred
            .last_failed
            .is_some_and(|t| t + chrono::Duration::seconds(LOCKOUT_SECONDS) > now);
        if locked {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                json!({"error": true, "login": false, "too_many_failed_login_attemps": true,
                       "message": "Too many failed login attempts, retry in a minute."}),
            ));
        }
        persons::reset_failed_logins(&mut conn, cred.id).await?;
    }
    let ok = match cred.password_hash.as_deref() {
        Some(hash) => password::verify(pw, hash).await,
        None => false,
    };
    if !ok {
        persons::record_failed_login(&mut conn, cred.id, now).await?;
        return Err(wrong_credentials());
    }
    // Checked after the password, so the answer does not reveal to someone
    // without the password that the account exists and is inactive.
    if !cred.active {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            json!({"error": true, "login": false, "unactive": true,
                   "message": "User is unactive, he cannot log in."}),
        ));
    }
    if cred.failed_attempts > 0 {
        persons::reset_failed_logins(&mut conn, cred.id).await?;
    }
    drop(conn);
    let cfg = &state.config;
    let (refresh, refresh_claims) =
        state
            .keys
            .issue(cred.id, "refresh", cfg.refresh_token_expires, None)?;
    let (access, _) = state.keys.issue(
        cred.id,
        "access",
        cfg.access_token_expires,
        Some(refresh_claims.jti),
    )?;
    let mut conn = state.db.conn().await?;
    let mut user = rows::get(&mut conn, &models::PERSON, cred.id, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    present::person_with_departments(&mut conn, &mut user).await?;
    drop(conn);
    let mut response = Json(json!({
        "user": user,
        "organisation": organisation(&state, cred.role == "admin").await?,
        "login": true,
        "access_token": access,
        "refresh_token": refresh,
    }))
    .into_response();
    if cookies::from_browser(&headers) {
        cookies::set_access(response.headers_mut(), &access);
        cookies::set_refresh(response.headers_mut(), &refresh);
    }
    Ok(response)
}

/// GET /auth/logout — revokes the access token and its refresh token; a
/// browser's cookies are cleared.
async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: CurrentUser,
) -> ApiResult<Response> {
    let mut conn = state.db.conn().await?;
    let exp = chrono::DateTime::from_timestamp(user.claims.exp, 0)
        .map(|d| d.naive_utc())
        .unwrap_or_else(fennec_api::time::now);
    tokens::revoke(&mut conn, &user.claims.jti, exp).await?;
    if let Some(r) = &user.claims.refresh_jti {
        let rexp = exp + chrono::Duration::seconds(state.config.refresh_token_expires);
        tokens::revoke(&mut conn, r, rexp).await?;
    }
    let mut response = Json(json!({"logout": true})).into_response();
    if cookies::from_browser(&headers) {
        cookies::unset_access(response.headers_mut());
        cookies::unset_refresh(response.headers_mut());
    }
    Ok(response)
}

/// GET /auth/authenticated
async fn authenticated(State(state): State<AppState>, user: CurrentUser) -> ApiResult<Json<Value>> {
    let mut conn = state.db.conn().await?;
    let mut person = rows::get(&mut conn, &models::PERSON, user.id, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    present::person_with_departments(&mut conn, &mut person).await?;
    person.insert("fido_devices".into(), json!([]));
    drop(conn);
    Ok(Json(json!({
        "authenticated": true,
        "user": person,
        "organisation": organisation(&state, user.is_admin()).await?,
    })))
}

/// GET /auth/refresh-token — a new access token for a refresh token; the
/// refresh token itself is kept (gazu keeps using it). A browser gets the
/// new token as its access cookie, and Zou clears its refresh cookie.
async fn refresh_token(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: RefreshUser,
) -> ApiResult<Response> {
    let user = user.0;
    let (access, _) = state.keys.issue(
        user.id,
        "access",
        state.config.access_token_expires,
        Some(user.claims.jti.clone()),
    )?;
    if cookies::from_browser(&headers) {
        let mut response = Json(json!({"refresh": true})).into_response();
        cookies::set_access(response.headers_mut(), &access);
        cookies::unset_refresh(response.headers_mut());
        return Ok(response);
    }
    Ok(Json(json!({"access_token": access})).into_response())
}
