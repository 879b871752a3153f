//! JWTs shaped as flask-jwt-extended issues them for Zou (`sub` = person
//! id, `identity_type: "person"`, `type: access|refresh`, a `jti`). gazu
//! never decodes them, but Kitsu's web client does.

use axum::http::StatusCode;
use fennec_api::error as msg;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::ApiError;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Claims {
    pub fresh: bool,
    pub iat: i64,
    pub jti: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub sub: String,
    pub nbf: i64,
    pub exp: i64,
    pub identity_type: String,
    /// On access tokens: the refresh token issued with it, revoked with it
    /// at logout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_jti: Option<String>,
}

impl Claims {
    pub fn person_id(&self) -> Option<Uuid> {
        Uuid::parse_str(&self.sub).ok()
    }
}

pub struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl Keys {
    pub fn new(secret: &str) -> Keys {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.validate_nbf = false;
        validation.required_spec_claims = ["exp", "sub"].iter().map(|s| s.to_string()).collect();
        Keys {
            encoding: EncodingKey::from_secret(secret.as_bytes()),
            decoding: DecodingKey::from_secret(secret.as_bytes()),
            validation,
        }
    }

    pub fn issue(
        &self,
        person: Uuid,
        kind: &str,
        ttl_seconds: i64,
        refresh_jti: Option<String>,
    ) -> Result<(String, Claims), ApiError> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            fresh: false,
            iat: now,
            jti: Uuid::new_v4().to_string(),
            kind: kind.to_owned(),
            sub: person.to_string(),
            nbf: now,
            exp: now + ttl_seconds,
            identity_type: "person".into(),
            refresh_jti,
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(ApiError::internal)?;
        Ok((token, claims))
    }

    /// Decodes and checks a token, with flask-jwt-extended's statuses:
    /// malformed or forged → 422, expired → 401 "Signature has expired"
    /// (the message gazu's refresh logic looks for).
    pub fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        if let Err(m) = structure(token) {
            return Err(ApiError::jwt(StatusCode::UNPROCESSABLE_ENTITY, &m));
        }
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|d| d.claims)
            .map_err(|e| match e.kind() {
                ErrorKind::ExpiredSignature => ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    serde_json::json!({"error": true, "message": msg::JWT_EXPIRED}),
                ),
                ErrorKind::InvalidSignature => {
                    ApiError::jwt(StatusCode::UNPROCESSABLE_ENTITY, msg::JWT_BAD_SIGNATURE)
                }
                ErrorKind::InvalidToken if token.split('.').count() != 3 => ApiError::jwt(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    msg::JWT_NOT_ENOUGH_SEGMENTS,
                ),
                _ => ApiError::jwt(StatusCode::UNPROCESSABLE_ENTITY, "Invalid token"),
            })
    }
}

/// The checks PyJWT (under flask-jwt-extended) runs before the signature,
/// in its order and with its messages: scripts that log Zou's answer to a
/// broken token see the same words from Fennec.
fn structure(token: &str) -> Result<(), String> {
    let not_enough = || msg::JWT_NOT_ENOUGH_SEGMENTS.to_owned();
    let (signing_input, crypto) = token.rsplit_once('.').ok_or_else(not_enough)?;
    let (header, payload) = signing_input.split_once('.').ok_or_else(not_enough)?;
    let header = segment(header, "header")?;
    let header: serde_json::Value = serde_json::from_slice(&header).map_err(|_| {
        "Invalid header string: Expecting value: line 1 column 1 (char 0)".to_owned()
    })?;
    let Some(header) = header.as_object() else {
        return Err("Invalid header string: must be a json object".into());
    };
    segment(payload, "payload")?;
    segment(crypto, "crypto")?;
    match header.get("alg") {
        None => Err("Algorithm not specified".into()),
        Some(a) if a.as_str() != Some("HS256") => {
            Err("The specified alg value is not allowed".into())
        }
        Some(_) => Ok(()),
    }
}

/// One base64url segment, canonical and unpadded, as PyJWT requires.
fn segment(s: &str, name: &str) -> Result<Vec<u8>, String> {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    let padding = || format!("Invalid {name} padding");
    if s.len() % 4 == 1
        || !s
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(padding());
    }
    let bytes = URL_SAFE_NO_PAD.decode(s).map_err(|_| padding())?;
    if URL_SAFE_NO_PAD.encode(&bytes) != s {
        return Err(padding());
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_refusals() {
        let keys = Keys::new("k1");
        let id = Uuid::new_v4();
        let (token, _) = keys.issue(id, "access", 60, None).unwrap();
        let claims = keys.verify(&token).unwrap();
        assert_eq!(claims.person_id(), Some(id));
        assert_eq!(claims.kind, "access");

        let other = Keys::new("k2");
        let e = other.verify(&token).unwrap_err();
        assert_eq!(e.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e.body["msg"], msg::JWT_BAD_SIGNATURE);

        let e = keys.verify("garbage").unwrap_err();
        assert_eq!(e.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e.body["msg"], msg::JWT_NOT_ENOUGH_SEGMENTS);

        // PyJWT's structural messages, as Zou answered them.
        for (token, expected) in [
            ("not.a.token", "Invalid header padding"),
            ("a.b.c.d", "Invalid header padding"),
            ("e30.e30.c2ln", "Algorithm not specified"),
            (
                "YWJj.e30.c2ln",
                "Invalid header string: Expecting value: line 1 column 1 (char 0)",
            ),
            (
                "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.bad!.c2ln",
                "Invalid payload padding",
            ),
            (
                "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.e30.c2l",
                "Invalid crypto padding",
            ),
        ] {
            let e = keys.verify(token).unwrap_err();
            assert_eq!(e.body["msg"], expected, "{token}");
        }

        let (expired, _) = keys.issue(id, "access", -10, None).unwrap();
        let e = keys.verify(&expired).unwrap_err();
        assert_eq!(e.status, StatusCode::UNAUTHORIZED);
        assert_eq!(e.body["message"], msg::JWT_EXPIRED);
    }
}
