//! Zou's `auth` blueprint: login, logout, refresh, current user.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use fennec_api::error as msg;
use fennec_api::models;
use fennec_store::{persons, rows, tokens};
use serde_json::{json, Value};

use crate::app::AppState;
use crate::auth::totp::{self, Check, Offered, Refusal};
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
        .route(
            "/auth/totp",
            put(totp_pre_enable).post(totp_enable).delete(totp_disable),
        )
}

/// A new session's access and refresh tokens; the access token names its
/// refresh token, so that logout revokes both as Zou's blocklist does.
fn session_tokens(state: &AppState, person_id: uuid::Uuid) -> ApiResult<(String, String)> {
    let cfg = &state.config;
    let (refresh, refresh_claims) =
        state
            .keys
            .issue(person_id, "refresh", cfg.refresh_token_expires, None)?;
    let (access, _) = state.keys.issue(
        person_id,
        "access",
        cfg.access_token_expires,
        Some(refresh_claims.jti),
    )?;
    Ok((access, refresh))
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
    let offered = Offered::from_body(&body, &mut errors);
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
    // Zou's check_auth: past the password and the active check, a person
    // with a second factor on must give one. A wrong one counts as a failed
    // login; a missing one does not.
    let tf = persons::two_factor(&mut conn, cred.id)
        .await?
        .unwrap_or_default();
    if tf.any_enabled() {
        match totp::check(&mut conn, cred.id, &tf, &offered).await? {
            Check::Passed => {}
            Check::Wrong => {
                persons::record_failed_login(&mut conn, cred.id, now).await?;
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    json!({"error": true, "login": false, "wrong_OTP": true,
                           "message": "Wrong two-factor authentication code."}),
                ));
            }
            Check::Missing { preferred, enabled } => {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    json!({"error": true, "login": false, "missing_OTP": true,
                           "message": "A two-factor authentication code is required.",
                           "preferred_two_factor_authentication": preferred,
                           "two_factor_authentication_enabled": enabled}),
                ));
            }
        }
    }
    if cred.failed_attempts > 0 {
        persons::reset_failed_logins(&mut conn, cred.id).await?;
    }
    drop(conn);
    let (access, refresh) = session_tokens(&state, cred.id)?;
    let mut conn = state.db.conn().await?;
    let mut user = rows::get(&mut conn, &models::PERSON, cred.id, false)
        .await?
        .ok_or_else(ApiError::not_found)?;
    present::person_with_departments(&mut conn, &mut user).await?;
    drop(conn);
    let body = json!({
        "user": user,
        "organisation": organisation(&state, cred.role == "admin").await?,
        "login": true,
        "access_token": access,
        "refresh_token": refresh,
    });
    Ok(cookies::session_response(&headers, body, &access, &refresh))
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

fn totp_refused(refusal: Refusal, wrong_message: &str) -> ApiError {
    let body = match refusal {
        Refusal::AlreadyEnabled => json!({"error": true, "message": "TOTP already enabled."}),
        Refusal::NotEnabled => json!({"error": true, "message": "TOTP not enabled."}),
        Refusal::WrongCode => json!({"error": true, "message": wrong_message, "wrong_OTP": true}),
    };
    ApiError::new(StatusCode::BAD_REQUEST, body)
}

/// PUT /auth/totp — Zou's pre-enable: a new secret and its otpauth URI
/// (Zou spells the key `totp_provisionning_uri`).
async fn totp_pre_enable(
    State(state): State<AppState>,
    user: CurrentUser,
) -> ApiResult<Json<Value>> {
    let mut tx = state.db.begin().await?;
    let secret = totp::pre_enable(&mut tx, user.id)
        .await?
        .map_err(|r| totp_refused(r, ""))?;
    let email = rows::get(&mut tx, &models::PERSON, user.id, false)
        .await?
        .and_then(|p| p.get("email").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_default();
    tx.commit().await?;
    let org = organisation(&state, false).await?;
    let org_name = org.get("name").and_then(Value::as_str).unwrap_or("");
    Ok(Json(json!({
        "totp_provisionning_uri": totp::provisioning_uri(&secret, &email, org_name),
        "otp_secret": secret,
    })))
}

/// POST /auth/totp — enables TOTP with a code of the pre-enabled secret.
/// Zou answers the recovery codes (null when the person already had some)
/// and new tokens (its _build_2fa_registration_response), as cookies too
/// for a browser.
async fn totp_enable(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: CurrentUser,
    SchemaBody(body): SchemaBody,
) -> ApiResult<Response> {
    // Zou's TotpSchema: `totp`, a string of at least one character.
    let code = match body.get("totp") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(Value::String(_)) => {
            return Err(ApiError::validation(vec![(
                "totp".to_owned(),
                "String should have at least 1 character".to_owned(),
            )]))
        }
        None => {
            return Err(ApiError::validation(vec![(
                "totp".to_owned(),
                "Field required".to_owned(),
            )]))
        }
        Some(_) => {
            return Err(ApiError::validation(vec![(
                "totp".to_owned(),
                "Input should be a valid string".to_owned(),
            )]))
        }
    };
    let mut tx = state.db.begin().await?;
    let codes = totp::enable(&mut tx, user.id, &code, state.config.bcrypt_cost)
        .await?
        .map_err(|r| totp_refused(r, "TOTP verification failed."))?;
    tx.commit().await?;
    let (access, refresh) = session_tokens(&state, user.id)?;
    let body = json!({
        "otp_recovery_codes": codes,
        "access_token": access,
        "refresh_token": refresh,
    });
    Ok(cookies::session_response(&headers, body, &access, &refresh))
}

/// DELETE /auth/totp — turns one's own TOTP off, given a valid code (or
/// recovery code) as Zou requires.
async fn totp_disable(
    State(state): State<AppState>,
    user: CurrentUser,
    SchemaBody(body): SchemaBody,
) -> ApiResult<Json<Value>> {
    let mut errors = vec![];
    let offered = Offered::from_body(&body, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let mut tx = state.db.begin().await?;
    totp::disable_own(&mut tx, user.id, &offered)
        .await?
        .map_err(|r| totp_refused(r, "OTP verification failed."))?;
    tx.commit().await?;
    Ok(Json(json!({"success": true})))
}
