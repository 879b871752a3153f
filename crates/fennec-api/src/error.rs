//! Zou's error messages, kept verbatim: gazu shows them to users and some
//! scripts match on them.

pub const NOT_FOUND: &str = "404 Not Found: The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.";
pub const METHOD_NOT_ALLOWED: &str = "The method is not allowed for the requested URL.";
pub const FORBIDDEN: &str = "You don't have the permission to access the requested resource. It is either read-protected or not readable by the server.";
pub const BAD_JSON: &str =
    "The browser (or proxy) sent a request that this server could not understand.";
pub const INTERNAL: &str = "Internal server error.";
pub const MALFORMED_ID: &str = "Malformed ID.";
pub const REQUIRED_FIELD_MISSING: &str = "A required field is missing.";
pub const UNIQUE_EXISTS: &str = "A record with the same unique values already exists.";
/// Zou's CRUD answer to a foreign key violation (a missing referenced row on
/// write, a referencing row on delete).
pub const REFERENCE_CONFLICT: &str = "The change conflicts with records referencing this one.";
/// Zou's CRUD answer to any other constraint (e.g. an end before a start).
pub const INTEGRITY_CONFLICT: &str = "The data conflicts with database integrity rules.";
pub const INVALID_FORMAT: &str = "One of the provided values has an invalid format.";
pub const WRONG_CREDENTIALS: &str = "Wrong email or password.";
pub const VALIDATION_ERROR: &str = "Validation error.";
pub const TOO_LARGE: &str = "The data value transmitted exceeds the capacity limit.";

// flask-jwt-extended's messages (its body uses the key `msg`).
pub const JWT_MISSING: &str = "Missing JWT in cookies or headers (Missing cookie \"access_token_cookie\"; Missing Authorization Header)";
pub const JWT_NOT_ENOUGH_SEGMENTS: &str = "Not enough segments";
pub const JWT_BAD_SIGNATURE: &str = "Signature verification failed";
pub const JWT_REVOKED: &str = "Token has been revoked";
/// gazu refreshes its token only when it sees exactly this message.
pub const JWT_EXPIRED: &str = "Signature has expired";
