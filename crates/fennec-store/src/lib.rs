//! Fennec's persistence, on SQLite (embedded default) or PostgreSQL.
//!
//! Policy: no HTTP types here. A query is written once and run on either
//! backend through [`db::Raw`]; rows come out as Zou-shaped JSON maps built
//! from the model descriptions of `fennec-api`, so the server never
//! re-orders keys. Database errors are mapped by kind, never by constraint
//! name.

// First, so that its binding macro is in scope for the query modules.
#[macro_use]
pub mod value;
pub mod breakdown;
pub mod bulk;
pub mod cascade;
pub mod chats;
pub mod db;
pub mod defaults;
pub mod error;
pub mod events;
pub mod identity_changes;
pub mod links;
pub mod notifications;
pub mod persons;
pub mod playlists;
pub mod previews;
pub mod quotas;
pub mod raw_json;
pub mod rows;
pub mod schedule;
mod schedule_lite;
pub mod settings;
pub mod sqlite_stream;
pub mod stream;
pub mod tasks;
pub mod todo;
pub mod tokens;
pub mod with_tasks;

pub use db::{Conn, Db, Raw, Tx};
pub use error::StoreError;
pub use rows::{Filter, Row};
pub use value::SqlValue;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
