//! Fennec's HTTP server: the Kitsu (Zou) API on axum.
//!
//! Policy: routes mirror Zou's blueprints (`routes/<blueprint>.rs`), every
//! answer — errors included — is JSON shaped as Zou shapes it, and a
//! client mistake is never a 500.

pub mod access_log;
pub mod app;
pub mod assigned_work;
pub mod attachments;
pub mod auth;
pub mod casting;
pub mod casting_stats;
pub mod chats;
pub mod chunked;
pub mod comments;
pub mod config;
pub mod csv_export;
pub mod csv_import;
pub mod deletion;
pub mod error;
pub mod events;
pub mod extract;
pub mod file_tree;
pub mod generic_crud;
pub mod hierarchy;
pub mod my_checks;
pub mod notifications;
pub mod otio;
pub mod person_actions;
pub mod playlist_movie;
pub mod playlist_zip;
pub mod playlists;
pub mod present;
pub mod preview_annotations;
pub mod preview_files;
pub mod preview_frames;
pub mod preview_movies;
pub mod previews;
pub mod quotas;
pub mod reach;
pub mod refs;
pub mod routes;
pub mod schedule_gate;
pub mod schedule_input;
pub mod schedule_versions;
pub mod search_filters;
pub mod storage;
pub mod task_batch;
pub mod task_overview;
pub mod task_rows;
pub mod todo_rows;
pub mod ui;
pub mod user_context;
pub mod user_time;
pub mod with_tasks;

pub use app::{App, AppState};
pub use config::ServeConfig;
pub use error::ApiError;
