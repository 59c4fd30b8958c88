//! Storage: the only module that speaks SQL.
//!
//! SQLite is set up for a server: WAL (readers never block the writer),
//! `synchronous = FULL` (a commit is on disk before it is acknowledged, so a
//! confirmed booking survives `kill -9` and a power cut), a busy timeout and
//! foreign keys on.
//!
//! Writes go through a pool of exactly one connection. SQLite allows one
//! writer at a time anyway; queueing writers in the pool, instead of letting
//! several connections race for the file lock, means no user ever sees
//! "database is locked", and every write transaction sees the result of the
//! previous one. Reads use a separate pool and run in parallel.
//!
//! The SQL is kept portable (no SQLite-only functions in queries; times are
//! integers; partial indexes and `ESCAPE` exist in PostgreSQL too) so a
//! PostgreSQL backend can reuse it with `$n` placeholders.

mod audit;
mod holds;
mod rows;
mod staff;
mod trips;

pub use audit::*;
pub use holds::*;
pub use rows::{HoldContext, HoldRow, SeatRow, TripInfo, TripRow};
pub use staff::*;
pub use trips::*;

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};

/// A write transaction on the single writer connection.
pub type WriteTx = Transaction<'static, Sqlite>;
/// Any connection (a transaction derefs to one).
pub type Conn = sqlx::SqliteConnection;

pub type DbResult<T> = Result<T, sqlx::Error>;

#[derive(Clone, Debug)]
pub struct Storage {
    writer: SqlitePool,
    reader: SqlitePool,
}

impl Storage {
    /// Opens (creating if needed) the database at `url` and applies every
    /// migration in `migrations/`.
    pub async fn open(url: &str) -> DbResult<Self> {
        // Anything else would be read as a file name: `postgres://…` once
        // made a directory `postgres:` with a SQLite file in it.
        if !url.starts_with("sqlite:") {
            let scheme = url.split(':').next().unwrap_or_default();
            return Err(sqlx::Error::Configuration(
                format!(
                    "DATABASE_URL must be sqlite://path (or sqlite::memory:); \
                     {scheme:?} is not a database this build can use"
                )
                .into(),
            ));
        }
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // Savepoint and statement journals (group commit runs each write
            // in a savepoint) stay in memory instead of temporary files.
            .pragma("temp_store", "memory")
            // Statements are prepared once per connection and reused.
            .statement_cache_capacity(256);
        if let Some(dir) = options.get_filename().parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(sqlx::Error::Io)?;
        }
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            // A ping before every transaction is one more round trip to the
            // connection's thread; a broken connection fails the statement
            // anyway.
            .test_before_acquire(false)
            // Writers queue here; a long queue is a load problem, not an error.
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options.clone())
            .await?;
        sqlx::migrate!("./migrations").run(&writer).await?;
        let readers = std::thread::available_parallelism().map_or(4, |n| n.get() * 2) as u32;
        let reader = SqlitePoolOptions::new()
            .max_connections(readers.max(4))
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options.read_only(true))
            .await?;
        Ok(Self { writer, reader })
    }

    /// Starts a write transaction; waits for the previous writer to finish.
    pub async fn begin(&self) -> DbResult<WriteTx> {
        self.writer.begin().await
    }

    /// The pool for reads.
    pub fn reader(&self) -> &SqlitePool {
        &self.reader
    }

    /// Checks the database answers (for `/healthz`).
    pub async fn ping(&self) -> DbResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.reader)
            .await
            .map(|_| ())
    }

    /// Runs `PRAGMA integrity_check` and returns its verdict (`ok` when sound).
    pub async fn integrity_check(&self) -> DbResult<String> {
        sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(&self.reader)
            .await
    }

    /// Flushes the WAL into the main file; used at shutdown.
    pub async fn checkpoint(&self) -> DbResult<()> {
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&self.writer)
            .await
            .map(|_| ())
    }

    /// Writes a consistent copy of the database to `path` (which must not
    /// exist) with `VACUUM INTO`: one read transaction on the source, so
    /// other processes' writers go on (WAL). It runs on this pool's writer
    /// connection because the readers are opened read-only.
    pub async fn backup_into(&self, path: &std::path::Path) -> DbResult<()> {
        sqlx::query("VACUUM INTO ?")
            .bind(path.to_string_lossy().into_owned())
            .execute(&self.writer)
            .await
            .map(|_| ())
    }

    pub async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }
}

/// Opens a savepoint named `job` inside a write transaction (they nest).
pub async fn savepoint(tx: &mut WriteTx) -> DbResult<()> {
    sqlx::query("SAVEPOINT job")
        .execute(&mut **tx)
        .await
        .map(|_| ())
}

/// Undoes everything since the latest `SAVEPOINT job`.
pub async fn rollback_to_savepoint(tx: &mut WriteTx) -> DbResult<()> {
    sqlx::query("ROLLBACK TO job")
        .execute(&mut **tx)
        .await
        .map(|_| ())
}

/// Milliseconds since the epoch, the stored form of every time.
pub fn to_ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub fn from_ms(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

/// Escapes `%`, `_` and `\` for a `LIKE ... ESCAPE '\'` pattern.
pub(crate) fn like_pattern(needle: &str) -> String {
    let mut out = String::with_capacity(needle.len() + 2);
    out.push('%');
    for c in needle.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}
