//! Who is calling: the `CurrentUser` extractor, so a handler's signature
//! shows that it needs a logged-in caller.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use fennec_api::error as msg;
use uuid::Uuid;

use super::identity_cache::Identity;
use super::jwt::Claims;
use crate::app::AppState;
use crate::error::ApiError;

/// Zou's roles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Admin,
    Manager,
    Supervisor,
    User,
    Client,
    Vendor,
}

impl Role {
    pub fn parse(s: &str) -> Role {
        match s {
            "admin" => Role::Admin,
            "manager" => Role::Manager,
            "supervisor" => Role::Supervisor,
            "client" => Role::Client,
            "vendor" => Role::Vendor,
            _ => Role::User,
        }
    }
}

#[derive(Clone, Debug)]
pub struct CurrentUser {
    pub id: Uuid,
    pub role: Role,
    pub claims: Claims,
}

impl CurrentUser {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

/// The caller of `/auth/refresh-token`: identified by a refresh token.
pub struct RefreshUser(pub CurrentUser);

/// The token from Kitsu's cookie, else `Authorization: Bearer …`, read
/// the way flask-jwt-extended reads them: its messages for a missing or
/// badly formed header are what gazu users see from Zou.
fn token(parts: &Parts, kind: &str) -> Result<String, ApiError> {
    let cookie_name = format!("{kind}_token_cookie");
    for cookie in parts.headers.get_all(header::COOKIE) {
        let Ok(cookie) = cookie.to_str() else {
            continue;
        };
        for pair in cookie.split(';') {
            if let Some((k, v)) = pair.trim().split_once('=') {
                if k == cookie_name {
                    return Ok(v.to_owned());
                }
            }
        }
    }
    let missing = |why: &str| {
        ApiError::jwt(
            StatusCode::UNAUTHORIZED,
            &format!("Missing JWT in cookies or headers (Missing cookie \"{cookie_name}\"; {why})"),
        )
    };
    let value = parts
        .headers
        .get(header::AUTHORIZATION)
        .map(|h| String::from_utf8_lossy(h.as_bytes()).into_owned())
        .unwrap_or_default();
    let value = value.trim().trim_matches(',');
    if value.is_empty() {
        return Err(missing("Missing Authorization Header"));
    }
    let Some(bearer) = value
        .split(',')
        .map(str::trim)
        .find(|h| h.starts_with("Bearer"))
    else {
        return Err(missing(
            "Missing 'Bearer' type in 'Authorization' header. Expected 'Authorization: Bearer <JWT>'",
        ));
    };
    match bearer.split_whitespace().collect::<Vec<_>>()[..] {
        ["Bearer", t] => Ok(t.to_owned()),
        _ => Err(ApiError::jwt(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Bad Authorization header. Expected 'Authorization: Bearer <JWT>'",
        )),
    }
}

async fn identify(parts: &Parts, state: &AppState, kind: &str) -> Result<CurrentUser, ApiError> {
    let token = token(parts, kind)?;
    let claims = state.keys.verify(&token)?;
    if claims.kind != kind {
        let m = if kind == "access" {
            "Only non-refresh tokens are allowed"
        } else {
            "Only refresh tokens are allowed"
        };
        return Err(ApiError::jwt(StatusCode::UNPROCESSABLE_ENTITY, m));
    }
    let id = claims
        .person_id()
        .ok_or_else(|| ApiError::jwt(StatusCode::UNPROCESSABLE_ENTITY, "Invalid token"))?;
    let role = match state.identities.get(&claims.jti) {
        Some(known) if known.person == id => known.role,
        _ => {
            let pending = state.identities.begin();
            let mut conn = state.db.conn().await?;
            let (person, revoked) =
                fennec_store::persons::token_identity(&mut conn, id, &claims.jti).await?;
            drop(conn);
            if revoked {
                return Err(ApiError::jwt(StatusCode::UNAUTHORIZED, msg::JWT_REVOKED));
            }
            // A deleted or deactivated person's tokens stop working at once.
            let Some((role, active)) = person else {
                return Err(ApiError::jwt(StatusCode::UNAUTHORIZED, "User not found"));
            };
            if !active {
                return Err(ApiError::jwt(StatusCode::UNAUTHORIZED, "User is inactive"));
            }
            let role = Role::parse(&role);
            let identity = Identity { person: id, role };
            state.identities.put(pending, &claims.jti, identity);
            role
        }
    };
    if let Some(caller) = parts.extensions.get::<crate::access_log::Caller>() {
        caller.set(id);
    }
    Ok(CurrentUser { id, role, claims })
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        identify(parts, state, "access").await
    }
}

impl FromRequestParts<AppState> for RefreshUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        identify(parts, state, "refresh").await.map(RefreshUser)
    }
}
