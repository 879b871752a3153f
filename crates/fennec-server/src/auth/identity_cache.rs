//! What the token check found, kept for a second per token.
//!
//! Every request checks its token against the database (is it revoked,
//! does its person still exist, active, with which role): one query, which
//! on SQLite is a hop to sqlx's worker thread and on PostgreSQL a round
//! trip, for answers that almost never change. Issue 17 measured that
//! fixed cost as a bound of the small gazu calls, so a positive answer is
//! kept here, keyed by the token's `jti`.
//!
//! Freshness (Zou refuses a logged-out token, a deactivated or deleted
//! person at once, on every replica, and applies a role change to the
//! next request):
//! * **On this process, at once.** The store marks every change of a
//!   person's role or active flag, a person's removal and a revocation,
//!   and bumps a process-wide generation once it has committed
//!   (fennec-store's identity_changes.rs). An entry remembers the
//!   generation read *before* its query and is used only while the
//!   generation is unchanged, so nothing read before a committed change
//!   is used after it, however the requests interleave.
//! * **SQLite only.** A SQLite file is served by one `fennec serve`, so
//!   the rule above is exact there; the one other writer is the `fennec`
//!   CLI run beside it (create-admin), whose changes show here within
//!   [`TTL`]. On PostgreSQL several replicas share the database, and a
//!   logout on one must be refused at once on the others (Zou keeps its
//!   revoked tokens in the Redis its replicas share; tests/gazu's
//!   test_replicas.py checks it). A TTL would let another replica accept
//!   the token for up to a second; invalidating through the LISTEN/NOTIFY
//!   event path (fennec-store's events.rs) would narrow that to the
//!   notification's delay but not close it, since a NOTIFY reaches the
//!   other replicas only after the commit, and a request can arrive
//!   first. So PostgreSQL keeps the check per request, which is also not
//!   what bounds it: its writes wait on the commit (bench/README.md,
//!   issue 17, session 11).
//!
//! Only accepted tokens are cached: a refusal always reads the database
//! again, so a token refused for a moment (a person reactivated) is not
//! kept refused.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use uuid::Uuid;

use super::user::Role;

/// How long another replica's (or process's) change may go unseen here.
pub const TTL: Duration = Duration::from_secs(1);

/// Entries kept before the expired ones are swept: a bound on memory when
/// many tokens call within a second.
const SWEEP_AT: usize = 4096;

/// A token's accepted identity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub person: Uuid,
    pub role: Role,
}

struct Entry {
    identity: Identity,
    generation: u64,
    at: Instant,
}

#[derive(Default)]
pub struct IdentityCache {
    /// False on PostgreSQL: nothing is kept (see above).
    enabled: bool,
    entries: Mutex<HashMap<String, Entry>>,
}

/// A load in progress: the generation read before the database was.
pub struct Pending(u64);

impl IdentityCache {
    /// A cache that keeps entries only when `enabled`.
    pub fn new(enabled: bool) -> IdentityCache {
        IdentityCache {
            enabled,
            entries: Mutex::default(),
        }
    }

    /// The cached identity of token `jti`, when fresh: no identity change
    /// committed on this process since it was read, and younger than TTL.
    pub fn get(&self, jti: &str) -> Option<Identity> {
        if !self.enabled {
            return None;
        }
        let generation = fennec_store::identity_changes::generation();
        let entries = self.entries.lock().ok()?;
        let e = entries.get(jti)?;
        (e.generation == generation && e.at.elapsed() < TTL).then(|| e.identity.clone())
    }

    /// To call before reading the database for a token.
    pub fn begin(&self) -> Pending {
        Pending(fennec_store::identity_changes::generation())
    }

    /// Keeps what the database said, unless an identity change committed
    /// since [`begin`](Self::begin): the read may predate it.
    pub fn put(&self, pending: Pending, jti: &str, identity: Identity) {
        if !self.enabled {
            return;
        }
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if fennec_store::identity_changes::generation() != pending.0 {
            return;
        }
        if entries.len() >= SWEEP_AT {
            entries.retain(|_, e| e.generation == pending.0 && e.at.elapsed() < TTL);
            if entries.len() >= SWEEP_AT {
                entries.clear();
            }
        }
        entries.insert(
            jti.to_owned(),
            Entry {
                identity,
                generation: pending.0,
                at: Instant::now(),
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_is_kept_then_expires() {
        let cache = IdentityCache::new(true);
        let who = Identity {
            person: Uuid::new_v4(),
            role: Role::User,
        };
        let p = cache.begin();
        cache.put(p, "a", who.clone());
        // Other tests may bump the process-wide generation meanwhile;
        // then the entry is (rightly) gone.
        if let Some(found) = cache.get("a") {
            assert_eq!(found, who);
        }
        assert_eq!(cache.get("b"), None);
        let mut entries = cache.entries.lock().unwrap();
        if let Some(e) = entries.get_mut("a") {
            e.at = e.at.checked_sub(TTL).unwrap_or(e.at);
        }
        drop(entries);
        assert_eq!(cache.get("a"), None);
    }

    #[test]
    fn a_disabled_cache_keeps_nothing() {
        let cache = IdentityCache::default();
        let p = cache.begin();
        let who = Identity {
            person: Uuid::new_v4(),
            role: Role::Admin,
        };
        cache.put(p, "a", who);
        assert_eq!(cache.get("a"), None);
    }
}
