//! Authentication (JWT access and refresh tokens, bcrypt passwords) and
//! Zou's role checks.

pub mod cookies;
pub mod identity_cache;
pub mod jwt;
pub mod password;
pub mod permissions;
pub mod totp;
pub mod user;

pub use user::{CurrentUser, RefreshUser};
