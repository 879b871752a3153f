//! Changes to who an access token speaks for: a person's role or active
//! flag, a person's removal, a revoked token.
//!
//! The server caches what a token check found (fennec-server's
//! auth/identity_cache.rs). That cache must forget at once, on this
//! process, whatever such a change touched: so every store function that
//! makes one marks it on its [`Exec`](crate::db::Exec), and the mark
//! becomes a bump of [`generation`] once the change is visible to other
//! connections (after the statement on a pooled connection, after COMMIT
//! in a transaction, never for a rollback). A cache entry loaded before a
//! bump is never used after it, so an entry can only hold data read after
//! the last committed change.
//!
//! The counter is process-wide, not per database: a bump caused by one
//! database also empties caches of another (only in tests, which run
//! several servers in one process), which costs a reload, never a stale
//! answer.

use std::sync::atomic::{AtomicU64, Ordering};

static GENERATION: AtomicU64 = AtomicU64::new(0);

/// How many identity changes this process has committed.
pub fn generation() -> u64 {
    GENERATION.load(Ordering::SeqCst)
}

/// Called once an identity change has committed.
pub(crate) fn bump() {
    GENERATION.fetch_add(1, Ordering::SeqCst);
}

/// Whether setting these columns of `persons` changes what a token check
/// reads (persons.rs `token_identity`: role and active flag).
pub fn person_columns_matter<'a>(mut columns: impl Iterator<Item = &'a str>) -> bool {
    columns.any(|c| matches!(c, "role" | "active"))
}
