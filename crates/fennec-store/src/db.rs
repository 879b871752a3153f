//! Connection pools and transactions for both backends.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{
    ConnectOptions, Connection, PgConnection, Postgres, Sqlite, SqliteConnection, Transaction,
};

use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::{Result, StoreError};

#[derive(Clone, Debug)]
pub enum Db {
    /// The pool and the process's write lock: SQLite has one writer at a
    /// time, and queueing writers here (fairly, without sleeping) beats
    /// SQLite's busy handler, which backs off in growing sleeps and gives
    /// long tail latencies under concurrent writes.
    Sqlite(SqlitePool, Arc<Mutex<()>>),
    Postgres(PgPool),
}

/// A borrowed connection of either backend: what every query runs on.
pub enum Raw<'a> {
    Sqlite(&'a mut SqliteConnection),
    Postgres(&'a mut PgConnection),
}

/// Anything a query can run on: a pooled connection or a transaction.
pub trait Exec: Send {
    fn raw(&mut self) -> Raw<'_>;

    /// Marks that the statement just run changed who a token speaks for
    /// (identity_changes.rs): on a pooled connection it has committed
    /// already; a transaction reports it when it commits.
    fn identities_changed(&mut self);
}

pub enum Conn {
    Sqlite(PoolConnection<Sqlite>),
    Postgres(PoolConnection<Postgres>),
}

/// A write transaction; its last field records whether it changed who a
/// token speaks for, reported at commit (identity_changes.rs).
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>, OwnedMutexGuard<()>, bool),
    Postgres(Transaction<'static, Postgres>, bool),
}

impl Exec for Conn {
    fn raw(&mut self) -> Raw<'_> {
        match self {
            Conn::Sqlite(c) => Raw::Sqlite(c),
            Conn::Postgres(c) => Raw::Postgres(c),
        }
    }

    fn identities_changed(&mut self) {
        crate::identity_changes::bump();
    }
}

impl Exec for Tx {
    fn raw(&mut self) -> Raw<'_> {
        match self {
            Tx::Sqlite(t, ..) => Raw::Sqlite(t),
            Tx::Postgres(t, _) => Raw::Postgres(t),
        }
    }

    fn identities_changed(&mut self) {
        match self {
            Tx::Sqlite(_, _, changed) | Tx::Postgres(_, changed) => *changed = true,
        }
    }
}

impl Tx {
    pub async fn commit(self) -> Result<()> {
        let identities = match self {
            Tx::Sqlite(t, _guard, identities) => {
                t.commit().await?;
                // The in-process event dispatcher reads what just committed.
                crate::events::wake();
                identities
            }
            Tx::Postgres(t, identities) => {
                t.commit().await?;
                identities
            }
        };
        if identities {
            crate::identity_changes::bump();
        }
        Ok(())
    }
}

/// Runs the same body on whichever backend a [`Raw`] holds; `$c` is bound
/// to `&mut SqliteConnection` or `&mut PgConnection`.
#[macro_export]
macro_rules! on {
    ($exec:expr, $c:ident => $body:expr) => {
        match $crate::db::Exec::raw($exec) {
            $crate::db::Raw::Sqlite($c) => $body,
            $crate::db::Raw::Postgres($c) => $body,
        }
    };
}

impl Db {
    /// Opens `url` (`sqlite://path` or `postgres://…`), creating the SQLite
    /// file or the PostgreSQL database when missing.
    pub async fn connect(url: &str) -> Result<Db> {
        if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)
                .map_err(|e| StoreError::Config(format!("bad SQLite URL {url}: {e}")))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(30))
                .foreign_keys(true)
                // 8 MiB of page cache per connection (SQLite's default is
                // 2 MiB): whole-project reads were bound by page reads, but
                // each of the pool's connections keeps its own cache, and a
                // larger one showed up as hundreds of MiB of server memory
                // without a measurable gain (bench/README.md).
                .pragma("cache_size", "-8192")
                .disable_statement_logging();
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .min_connections(1)
                // sqlx pings a connection on its worker thread before
                // handing it out, and again when it comes back: a file
                // connection cannot drop like a socket, and the first ping
                // was a whole thread round trip on every request (perf on
                // one shot's tasks, bench/README.md). The ping on release,
                // which sqlx always makes, still catches a broken one.
                .test_before_acquire(false)
                .connect_with(opts)
                .await?;
            Ok(Db::Sqlite(pool, Arc::new(Mutex::new(()))))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let opts = PgConnectOptions::from_str(url)
                .map_err(|e| StoreError::Config(format!("bad PostgreSQL URL: {e}")))?
                .disable_statement_logging();
            create_pg_database_if_missing(&opts).await?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .connect_with(opts)
                .await?;
            Ok(Db::Postgres(pool))
        } else {
            Err(StoreError::Config(format!(
                "unsupported database URL {url:?}: use sqlite://FILE or postgres://…"
            )))
        }
    }

    pub fn is_sqlite(&self) -> bool {
        matches!(self, Db::Sqlite(..))
    }

    /// The SQLite database file, for readers that open it themselves
    /// (sqlite_stream.rs); `None` on PostgreSQL and for in-memory
    /// databases, which another connection could not see.
    pub fn sqlite_file(&self) -> Option<std::path::PathBuf> {
        let Db::Sqlite(pool, _) = self else {
            return None;
        };
        let file = pool.connect_options().get_filename().to_path_buf();
        let name = file.to_string_lossy();
        if name.is_empty() || name == ":memory:" || name.starts_with("file:") || !file.is_file() {
            return None;
        }
        Some(file)
    }

    /// The SQLite database file with the process's write lock, for
    /// readers that open several connections on one committed state
    /// (`sqlite_stream::with_two_readers`); `None` as for `sqlite_file`.
    pub fn sqlite_reads(&self) -> Option<(std::path::PathBuf, Arc<Mutex<()>>)> {
        let Db::Sqlite(_, writes) = self else {
            return None;
        };
        Some((self.sqlite_file()?, writes.clone()))
    }

    pub async fn migrate(&self) -> Result<()> {
        match self {
            Db::Sqlite(p, _) => sqlx::migrate!("./migrations/sqlite").run(p).await?,
            Db::Postgres(p) => sqlx::migrate!("./migrations/postgres").run(p).await?,
        }
        Ok(())
    }

    pub async fn conn(&self) -> Result<Conn> {
        Ok(match self {
            Db::Sqlite(p, _) => Conn::Sqlite(p.acquire().await?),
            Db::Postgres(p) => Conn::Postgres(p.acquire().await?),
        })
    }

    /// A write transaction. On SQLite it takes the write lock up front
    /// (`BEGIN IMMEDIATE`) so concurrent writers queue on the busy timeout
    /// instead of failing when a reader upgrades.
    pub async fn begin(&self) -> Result<Tx> {
        Ok(match self {
            Db::Sqlite(p, lock) => {
                let guard = lock.clone().lock_owned().await;
                Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?, guard, false)
            }
            Db::Postgres(p) => Tx::Postgres(p.begin().await?, false),
        })
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(p, _) => p.close().await,
            Db::Postgres(p) => p.close().await,
        }
    }
}

async fn create_pg_database_if_missing(opts: &PgConnectOptions) -> Result<()> {
    let Some(name) = opts.get_database().map(str::to_owned) else {
        return Ok(());
    };
    match PgConnection::connect_with(opts).await {
        Ok(c) => {
            c.close().await.ok();
            return Ok(());
        }
        // 3D000: invalid_catalog_name, the database does not exist.
        Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("3D000") => {}
        Err(e) => return Err(e.into()),
    }
    let mut admin = PgConnection::connect_with(&opts.clone().database("postgres")).await?;
    let sql = format!("CREATE DATABASE \"{}\"", name.replace('"', "\"\""));
    match sqlx::query(&sql).execute(&mut admin).await {
        Ok(_) => {}
        // Another replica created it first: 42P04 duplicate_database, or a
        // unique violation on pg_database when both race.
        Err(sqlx::Error::Database(e))
            if matches!(e.code().as_deref(), Some("42P04") | Some("23505")) => {}
        Err(e) => return Err(e.into()),
    }
    admin.close().await.ok();
    Ok(())
}

pub type PgTransaction = Transaction<'static, Postgres>;

/// Serialises a start-up step across replicas sharing one PostgreSQL.
pub async fn advisory_lock(t: &mut PgTransaction, key: i64) -> Result<()> {
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(key)
        .execute(&mut **t)
        .await?;
    Ok(())
}
