//! Request extractors whose rejections are Zou's JSON errors, never
//! axum's plain-text ones.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::error::ApiError;

/// A JSON request body. An empty body counts as `{}` (Flask's
/// `get_json(silent=True) or {}`), bad JSON is Werkzeug's 400, a body over
/// the limit is 413.
pub struct JsonBody(pub Value);

/// A request's body, with Zou's answers to one too large (413) or unreadable.
async fn body_bytes<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, ApiError> {
    Bytes::from_request(req, state).await.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::too_large()
        } else {
            ApiError::bad_json()
        }
    })
}

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = body_bytes(req, state).await?;
        if bytes.iter().all(|b| b.is_ascii_whitespace()) {
            return Ok(JsonBody(Value::Object(Map::new())));
        }
        serde_json::from_slice(&bytes)
            .map(JsonBody)
            .map_err(|_| ApiError::bad_json())
    }
}

impl JsonBody {
    /// The body as an object; anything else is a malformed request.
    pub fn object(self) -> Result<Map<String, Value>, ApiError> {
        match self.0 {
            Value::Object(m) => Ok(m),
            _ => Err(ApiError::bad_json()),
        }
    }
}

/// The body of Zou's generic CRUD writes, read as Flask's `request.json`
/// reads it: JSON only when the request says so (else 415), and an empty
/// body is not an empty object.
pub struct CrudBody(pub Value);

impl<S: Send + Sync> FromRequest<S> for CrudBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|v| v.trim().to_ascii_lowercase())
            .is_some_and(|v| {
                v == "application/json" || (v.starts_with("application/") && v.ends_with("+json"))
            });
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                serde_json::json!({"error": true, "message": "Did not attempt to load JSON data because the request Content-Type was not 'application/json'."}),
            ));
        }
        let bytes = body_bytes(req, state).await?;
        serde_json::from_slice(&bytes)
            .map(CrudBody)
            .map_err(|_| ApiError::bad_json())
    }
}

impl CrudBody {
    pub fn object(self) -> Result<Map<String, Value>, ApiError> {
        if self.0.is_null() {
            // Zou's CRUD reads `null` as no data at all.
            return Err(ApiError::bad_request(
                "Data are empty. Please verify that you sent JSON data and that you set the right headers.",
            ));
        }
        JsonBody(self.0).object()
    }
}

/// The body of a route Zou validates with a schema (`validate_request_body`):
/// Zou reads it leniently — a body that is not JSON counts as its form
/// fields or query arguments, so the answer is the schema's `Validation
/// error.` for the missing fields, never a "could not understand".
pub struct SchemaBody(pub Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for SchemaBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let query = req.uri().query().unwrap_or("").to_owned();
        let bytes = body_bytes(req, state).await?;
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(m)) => return Ok(SchemaBody(m)),
            // Valid JSON of another type: the schema sees no fields.
            Ok(_) => return Ok(SchemaBody(Map::new())),
            Err(_) => {}
        }
        let mut fields = Map::new();
        for source in [&bytes[..], query.as_bytes()] {
            for (k, v) in form_urlencoded::parse(source) {
                fields
                    .entry(k.into_owned())
                    .or_insert(Value::String(v.into_owned()));
            }
        }
        Ok(SchemaBody(fields))
    }
}

/// The query string as ordered (key, value) pairs, repeated keys kept.
pub struct QueryPairs(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for QueryPairs {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or("");
        Ok(QueryPairs(
            form_urlencoded::parse(q.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        ))
    }
}

impl QueryPairs {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Zou's `force` flag (`ArgsMixin.get_force`): only `true`, in any case.
    pub fn force(&self) -> bool {
        self.get("force")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }

    /// Zou's `relations=true` flag (any of its truthy spellings).
    pub fn flag(&self, key: &str) -> bool {
        self.get(key)
            .and_then(fennec_store::value::parse_bool)
            .unwrap_or(false)
    }
}

/// An id from a generic CRUD path (`/data/<model>/<id>`): malformed → 400
/// "Malformed ID." as Zou's CRUD resources answer.
pub fn crud_id(s: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(s).map_err(|_| ApiError::malformed_id())
}

/// An id from any other path: malformed → 404, as Zou's routing answers
/// (its converters do not match, so no route does).
pub fn path_id(s: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(s).map_err(|_| ApiError::not_found())
}

/// Path parameters. axum's own rejection (e.g. a segment that is not valid
/// UTF-8 once decoded) is plain text; here it is Zou's 404, as no route of
/// Zou's would have matched.
pub struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| Path(p.0))
            .map_err(|_| ApiError::not_found())
    }
}

/// The bare JSON array of ids that Zou's bulk routes take
/// (`validate_id_list`): anything else, or an item that is not a UUID in
/// its hyphenated form, is its 400 — read silently, so bad JSON is "not an
/// array" too. The ids are kept as sent, for the answers that echo them.
pub struct IdListBody(pub Vec<(String, Uuid)>);

fn hyphenated_uuid(s: &str) -> Option<Uuid> {
    let dashes = [8, 13, 18, 23];
    let shaped = s.len() == 36
        && s.char_indices().all(|(i, c)| {
            if dashes.contains(&i) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        });
    shaped.then(|| Uuid::parse_str(s).ok()).flatten()
}

impl<S: Send + Sync> FromRequest<S> for IdListBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = body_bytes(req, state).await?;
        let Ok(Value::Array(items)) = serde_json::from_slice::<Value>(&bytes) else {
            return Err(ApiError::bad_request("Request body must be a JSON array."));
        };
        items
            .iter()
            .map(|v| {
                let s = v.as_str()?;
                Some((s.to_owned(), hyphenated_uuid(s)?))
            })
            .collect::<Option<Vec<_>>>()
            .map(IdListBody)
            .ok_or_else(|| ApiError::bad_request("Request body must only contain valid UUIDs."))
    }
}

/// A `bool` field of Zou's pydantic schemas, read in pydantic's lax mode:
/// booleans, 0 and 1, and the strings it knows (`yes`, `off`, `t`, …).
/// The error is pydantic's message for the value.
pub fn schema_bool(v: &Value) -> Result<bool, &'static str> {
    const UNREADABLE: &str = "Input should be a valid boolean, unable to interpret input";
    match v {
        Value::Bool(b) => Ok(*b),
        Value::Number(n) => match n.as_f64() {
            Some(0.0) => Ok(false),
            Some(1.0) => Ok(true),
            _ => Err(UNREADABLE),
        },
        Value::String(s) => match s.to_ascii_lowercase().as_str() {
            "1" | "on" | "t" | "true" | "y" | "yes" => Ok(true),
            "0" | "off" | "f" | "false" | "n" | "no" => Ok(false),
            _ => Err(UNREADABLE),
        },
        _ => Err("Input should be a valid boolean"),
    }
}
