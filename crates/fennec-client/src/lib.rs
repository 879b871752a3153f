//! An async client of the Kitsu API as Fennec serves it.
//!
//! Modules mirror gazu's (`project`, `task`, …) for the calls Fennec's own
//! tools need, plus `schedule` for Fennec's `/fennec/...` routes. Errors
//! keep the server's status and message, classified as gazu classifies
//! them (400 parameter, 401 not authenticated, 403 not allowed, 404 not
//! found), so a CLI can say what went wrong.

use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use serde_json::Value;

pub mod project;
pub mod schedule;

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("cannot reach {host}: {source}")]
    Unreachable {
        host: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("not authenticated: {0}")]
    NotAuthenticated(String),
    #[error("not allowed: {0}")]
    NotAllowed(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("bad request: {0}")]
    Parameter(String),
    #[error("server error {status}: {message}")]
    Server { status: u16, message: String },
    #[error("unexpected answer: {0}")]
    Decode(String),
}

pub type Result<T> = std::result::Result<T, ClientError>;

/// A connection to one server, logged in or not.
#[derive(Clone, Debug)]
pub struct Client {
    host: String,
    http: reqwest::Client,
    token: Option<String>,
}

impl Client {
    /// `host` is the API root, e.g. `http://127.0.0.1:8080/api` (as gazu's
    /// `set_host`); a missing `/api` is added.
    pub fn new(host: &str) -> Client {
        let host = host.trim_end_matches('/');
        let host = if host.ends_with("/api") {
            host.to_owned()
        } else {
            format!("{host}/api")
        };
        Client {
            host,
            http: reqwest::Client::new(),
            token: None,
        }
    }

    pub fn host(&self) -> &str {
        &self.host
    }

    /// Logs in (`POST auth/login`) and keeps the access token.
    pub async fn log_in(&mut self, email: &str, password: &str) -> Result<Value> {
        let body = serde_json::json!({
            "email": email, "password": password, "totp": null, "email_otp": null,
            "fido_authentication_response": null, "recovery_code": null,
        });
        let answer: Value = self
            .send(self.http.post(self.url("auth/login")).json(&body))
            .await?;
        self.token = answer
            .get("access_token")
            .and_then(Value::as_str)
            .map(str::to_owned);
        if self.token.is_none() {
            return Err(ClientError::NotAuthenticated("login refused".into()));
        }
        Ok(answer)
    }

    /// Uses an access token obtained elsewhere.
    pub fn with_token(mut self, token: &str) -> Client {
        self.token = Some(token.to_owned());
        self
    }

    fn url(&self, path: &str) -> String {
        format!("{}/{}", self.host, path.trim_start_matches('/'))
    }

    /// `GET path` with a query, decoded as `T`.
    pub async fn get<T: DeserializeOwned>(&self, path: &str, query: &[(&str, &str)]) -> Result<T> {
        let mut req = self.http.get(self.url(path)).query(query);
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        self.send(req).await
    }

    /// `POST path` with a JSON body, decoded as `T`.
    pub async fn post<T: DeserializeOwned>(&self, path: &str, body: &Value) -> Result<T> {
        let mut req = self.http.post(self.url(path)).json(body);
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        self.send(req).await
    }

    /// `DELETE path` (an empty answer, as a 204, is `null`).
    pub async fn delete(&self, path: &str) -> Result<Value> {
        let mut req = self.http.delete(self.url(path));
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        self.send(req).await
    }

    async fn send<T: DeserializeOwned>(&self, req: reqwest::RequestBuilder) -> Result<T> {
        let resp = req
            .send()
            .await
            .map_err(|source| ClientError::Unreachable {
                host: self.host.clone(),
                source,
            })?;
        let status = resp.status();
        let text = resp
            .text()
            .await
            .map_err(|e| ClientError::Decode(e.to_string()))?;
        if !status.is_success() {
            return Err(error_for(status, &text));
        }
        let text = if text.is_empty() { "null".into() } else { text };
        serde_json::from_str(&text).map_err(|e| ClientError::Decode(format!("{e}: {text:.200}")))
    }
}

/// gazu's message extraction: the first string `message`, else `error`,
/// else flask-jwt-extended's `msg`.
fn error_for(status: StatusCode, body: &str) -> ClientError {
    let json: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let message = ["message", "error", "msg"]
        .iter()
        .find_map(|k| json.get(*k).and_then(Value::as_str))
        .unwrap_or(body)
        .to_owned();
    match status {
        StatusCode::BAD_REQUEST => ClientError::Parameter(message),
        StatusCode::UNAUTHORIZED => ClientError::NotAuthenticated(message),
        StatusCode::FORBIDDEN => ClientError::NotAllowed(message),
        StatusCode::NOT_FOUND => ClientError::NotFound(message),
        StatusCode::UNPROCESSABLE_ENTITY => ClientError::NotAuthenticated(message),
        s => ClientError::Server {
            status: s.as_u16(),
            message,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_gets_api_suffix_once() {
        assert_eq!(Client::new("http://h:8080").host(), "http://h:8080/api");
        assert_eq!(
            Client::new("http://h:8080/api/").host(),
            "http://h:8080/api"
        );
    }

    #[test]
    fn errors_keep_zous_messages() {
        let e = error_for(
            StatusCode::FORBIDDEN,
            r#"{"error": true, "message": "nope"}"#,
        );
        assert!(matches!(e, ClientError::NotAllowed(m) if m == "nope"));
        let e = error_for(StatusCode::UNAUTHORIZED, r#"{"msg": "Missing JWT"}"#);
        assert!(matches!(e, ClientError::NotAuthenticated(m) if m == "Missing JWT"));
        let e = error_for(
            StatusCode::BAD_REQUEST,
            r#"{"error": "Assignee doesn't exist in database."}"#,
        );
        assert!(matches!(e, ClientError::Parameter(m) if m.starts_with("Assignee")));
    }
}
