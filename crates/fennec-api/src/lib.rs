//! Fennec's wire contract: what gazu sends and what Zou answers.
//!
//! Policy: this crate knows JSON, UUIDs and Zou's datetime format, nothing
//! about HTTP frameworks or databases, so the client and CLI stay light.
//! Every model is described once (`models`), and both the store and the
//! server produce Zou's JSON from that description, so the key order and
//! value kinds gazu scripts see are decided in one place.

pub mod error;
pub mod models;
pub mod time;

/// What `GET /api/` answers; gazu checks `api == "Zou"` in `host_is_valid`.
pub const API_NAME: &str = "Zou";
/// The Zou version whose behaviour Fennec matches (the one gazu 1.3.1 pins).
pub const API_VERSION: &str = "1.0.97";
