//! Who is calling: the `CurrentUser` extractor, so a handler's signature
//! shows that it needs a logged-in caller.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use fennec_api::error as msg;
use uuid::Uuid;

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

/// The token from `Authorization: Bearer …`, else Kitsu's cookie.
fn token(parts: &Parts) -> Option<String> {
    if let Some(h) = parts.headers.get(header::AUTHORIZATION) {
        if let Ok(h) = h.to_str() {
            if let Some(t) = h
                .strip_prefix("Bearer ")
                .or_else(|| h.strip_prefix("bearer "))
            {
                return Some(t.trim().to_owned());
            }
        }
    }
    for cookie in parts.headers.get_all(header::COOKIE) {
        let Ok(cookie) = cookie.to_str() else {
            continue;
        };
        for pair in cookie.split(';') {
            if let Some((k, v)) = pair.trim().split_once('=') {
                if k == "access_token_cookie" {
                    return Some(v.to_owned());
                }
            }
        }
    }
    None
}

async fn identify(parts: &Parts, state: &AppState, kind: &str) -> Result<CurrentUser, ApiError> {
    let token =
        token(parts).ok_or_else(|| ApiError::jwt(StatusCode::UNAUTHORIZED, msg::JWT_MISSING))?;
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
    let mut conn = state.db.conn().await?;
    let (person, revoked) =
        fennec_store::persons::token_identity(&mut conn, id, &claims.jti).await?;
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
    Ok(CurrentUser {
        id,
        role: Role::parse(&role),
        claims,
    })
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
