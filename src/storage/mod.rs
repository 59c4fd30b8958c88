//! Storage: the only module that speaks SQL, to SQLite or PostgreSQL.
//!
//! One set of statements serves both databases: `$n` placeholders (SQLite
//! reads `$1` as parameter 1 too), integer milliseconds for times, `TRUE`
//! and `FALSE` for flags (SQLite stores them as 1 and 0), nothing either
//! lacks (partial indexes, `RETURNING`, `ON CONFLICT` and `LIKE … ESCAPE`
//! exist in both). Each query function is written once; [`on!`] expands its
//! body for whichever connection it is given, so both drivers run natively
//! (no `Any` layer, each with its prepared-statement cache).
//!
//! SQLite is set up for a server: WAL (readers never block the writer),
//! `synchronous = FULL` (a commit is on disk before it is acknowledged, so a
//! confirmed booking survives `kill -9` and a power cut), a busy timeout and
//! foreign keys on. PostgreSQL keeps its defaults (`READ COMMITTED`,
//! `synchronous_commit = on`).
//!
//! Writes take one road, [`road`]: group commit on one connection, the same
//! on both databases. Reads use a pool of their own and run in parallel.

/// Runs `$body` with `$c` bound to the driver connection behind `$conn`
/// (anything [`Connection`]): the body is written once and compiled for
/// each database.
macro_rules! on {
    ($conn:expr, |$c:ident| $body:block) => {
        match $crate::storage::Connection::raw(&mut *$conn) {
            $crate::storage::Raw::Sqlite($c) => async move $body.await,
            $crate::storage::Raw::Postgres($c) => async move $body.await,
        }
    };
}

mod audit;
mod boarding;
mod holds;
mod listen;
mod lite;
mod payment;
mod peers;
mod rates;
mod receipts;
mod reports;
pub mod road;
mod rows;
mod schedules;
mod staff;
mod trips;
mod webhooks;

pub use audit::*;
pub use boarding::*;
pub use holds::*;
pub use listen::{Heard, Listener};
pub use payment::*;
pub use rates::{Rate, SharedRates, Spent};
pub use receipts::*;
pub use reports::*;
pub use rows::{HeldSeat, HoldContext, HoldOpening, HoldRow, Released, SeatRow, TripInfo, TripRow};
pub use schedules::*;
pub use staff::*;
pub use trips::*;
pub use webhooks::*;

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool, Transaction};

pub type DbResult<T> = Result<T, sqlx::Error>;

/// A driver connection of either database, for one statement or several.
pub enum Raw<'c> {
    Sqlite(&'c mut SqliteConnection),
    Postgres(&'c mut PgConnection),
}

/// What statements run on: a pooled connection for reads ([`Conn`]) or the
/// write road's transaction ([`WriteTx`]).
pub trait Connection: Send {
    /// The driver connection, for sqlx's statements.
    fn raw(&mut self) -> Raw<'_>;

    fn is_postgres(&mut self) -> bool {
        matches!(self.raw(), Raw::Postgres(_))
    }

    /// SQLite's write road: the writer's connection for statements run on
    /// its own thread (see [`lite`]); `None` everywhere else.
    fn lite(&mut self) -> impl Future<Output = DbResult<Option<&rusqlite::Connection>>> + Send {
        async { Ok(None) }
    }

    /// Whether this is the write road's transaction: a hold read there is
    /// read with its row lock on PostgreSQL (see `holds`).
    fn writes(&self) -> bool {
        false
    }

    /// Where audit rows wait for the commit, on the write road's
    /// transaction; elsewhere they are written at once.
    fn audit_buffer(&mut self) -> Option<&mut Vec<PendingAudit>> {
        None
    }
}

/// A connection from the read pool.
pub enum Conn {
    Sqlite(PoolConnection<Sqlite>),
    Postgres(PoolConnection<Postgres>),
}

impl Connection for Conn {
    fn raw(&mut self) -> Raw<'_> {
        match self {
            Conn::Sqlite(c) => Raw::Sqlite(c),
            Conn::Postgres(c) => Raw::Postgres(c),
        }
    }
}

/// A write transaction. Only the write road ([`road`]) begins and commits
/// one; services get it handed to them inside a write.
///
/// Its audit rows are kept until just before the commit and then written
/// in one statement (see [`insert_audit`]): a batch of 64 writes makes one
/// round trip for its audit, not 64 (on PostgreSQL none of its own: it
/// rides on the statement before the commit, see [`finish`]), and a write
/// rolled back to its savepoint drops its own rows ([`road`] marks and
/// truncates).
pub struct WriteTx {
    tx: Tx,
    audit: Vec<PendingAudit>,
}

enum Tx {
    Sqlite(lite::LiteTx),
    Postgres(Transaction<'static, Postgres>),
}

impl Connection for WriteTx {
    fn raw(&mut self) -> Raw<'_> {
        match &mut self.tx {
            Tx::Sqlite(t) => Raw::Sqlite(t.sqlx()),
            Tx::Postgres(t) => Raw::Postgres(t),
        }
    }

    fn is_postgres(&mut self) -> bool {
        matches!(self.tx, Tx::Postgres(_))
    }

    async fn lite(&mut self) -> DbResult<Option<&rusqlite::Connection>> {
        match &mut self.tx {
            Tx::Sqlite(t) => t.direct().await.map(Some),
            Tx::Postgres(_) => Ok(None),
        }
    }

    fn writes(&self) -> bool {
        true
    }

    fn audit_buffer(&mut self) -> Option<&mut Vec<PendingAudit>> {
        Some(&mut self.audit)
    }
}

impl Connection for SqliteConnection {
    fn raw(&mut self) -> Raw<'_> {
        Raw::Sqlite(self)
    }
}

impl Connection for PgConnection {
    fn raw(&mut self) -> Raw<'_> {
        Raw::Postgres(self)
    }
}

impl WriteTx {
    /// How many audit rows are waiting (a mark to roll back to).
    fn audit_mark(&self) -> usize {
        self.audit.len()
    }

    /// Drops the audit rows after `mark` (their write was rolled back).
    fn audit_rollback(&mut self, mark: usize) {
        self.audit.truncate(mark);
    }

    /// PostgreSQL: undoes the whole transaction (a batch run without
    /// savepoints that a write spoiled; see `road`). SQLite's batches are
    /// never run that way: there it is dropped, which rolls it back.
    async fn rollback(self) -> DbResult<()> {
        match self.tx {
            Tx::Sqlite(t) => {
                drop(t);
                Ok(())
            }
            Tx::Postgres(t) => t.rollback().await,
        }
    }

    /// Writes the waiting audit rows, then commits.
    async fn commit(mut self) -> DbResult<()> {
        let rows = std::mem::take(&mut self.audit);
        audit::write_audit_rows(&mut self, &rows).await?;
        match self.tx {
            Tx::Sqlite(t) => t.commit().await,
            Tx::Postgres(t) => t.commit().await,
        }
    }
}

/// A read-only transaction: every statement sees the same snapshot
/// (PostgreSQL's `REPEATABLE READ`; a SQLite read transaction is one).
pub enum Snapshot {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

impl Connection for Snapshot {
    fn raw(&mut self) -> Raw<'_> {
        match self {
            Snapshot::Sqlite(t) => Raw::Sqlite(t),
            Snapshot::Postgres(t) => Raw::Postgres(t),
        }
    }
}

impl Snapshot {
    /// Ends the transaction (it wrote nothing).
    pub async fn finish(self) -> DbResult<()> {
        match self {
            Snapshot::Sqlite(t) => t.rollback().await,
            Snapshot::Postgres(t) => t.rollback().await,
        }
    }
}

/// Which database a URL names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// `sqlite:…` or `postgres://…` (`postgresql://` too); anything else is
    /// a mistake to stop at, not a file name (`postgres://…` once made a
    /// directory `postgres:` with a SQLite file in it).
    pub fn of_url(url: &str) -> DbResult<Self> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            let scheme = url.split(':').next().unwrap_or_default();
            Err(sqlx::Error::Configuration(
                format!(
                    "DATABASE_URL must be sqlite://path (or sqlite::memory:) or \
                     postgres://user@host/database; {scheme:?} is not a database Kursi can use"
                )
                .into(),
            ))
        }
    }
}

/// How many connections to open (PostgreSQL; SQLite's are fixed).
#[derive(Clone, Copy, Debug)]
pub struct PoolSizes {
    /// Connections for reads.
    pub read: u32,
}

impl Default for PoolSizes {
    fn default() -> Self {
        Self { read: 8 }
    }
}

#[derive(Clone, Debug)]
enum Pools {
    Sqlite {
        /// For migrations, checkpoints and backups; the write road opens
        /// a connection of its own with `options` (see [`lite`]).
        writer: SqlitePool,
        reader: SqlitePool,
        options: Box<SqliteConnectOptions>,
    },
    Postgres {
        /// How the write road and the listener connect: their connections
        /// are opened on threads of their own (see [`Storage::writer`]).
        options: Box<PgConnectOptions>,
        reader: PgPool,
    },
}

/// The write road's connection to the database (one per road; only the
/// road begins a transaction on it).
pub(crate) enum Writer {
    Sqlite(Box<lite::LiteWriter>),
    Postgres(PgPool),
}

impl Writer {
    /// Starts a write transaction (the write road only).
    pub(crate) async fn begin(&mut self) -> DbResult<WriteTx> {
        Ok(match self {
            Writer::Sqlite(writer) => WriteTx {
                tx: Tx::Sqlite(writer.begin().await?),
                audit: Vec::new(),
            },
            Writer::Postgres(writer) => WriteTx {
                tx: Tx::Postgres(writer.begin().await?),
                audit: Vec::new(),
            },
        })
    }

    pub(crate) fn is_postgres(&self) -> bool {
        matches!(self, Writer::Postgres(_))
    }

    pub(crate) async fn close(&mut self) {
        match self {
            Writer::Sqlite(writer) => writer.close().await,
            Writer::Postgres(pool) => pool.close().await,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Storage {
    pools: Pools,
}

impl Storage {
    /// Opens the database at `url` (a SQLite file is created if missing)
    /// and applies every migration of its tree (`migrations/` or
    /// `migrations_postgres/`).
    pub async fn open(url: &str) -> DbResult<Self> {
        Self::open_with(url, PoolSizes::default()).await
    }

    pub async fn open_with(url: &str, sizes: PoolSizes) -> DbResult<Self> {
        match Backend::of_url(url)? {
            Backend::Sqlite => Self::open_sqlite(url).await,
            Backend::Postgres => Self::open_postgres(url, sizes).await,
        }
    }

    async fn open_sqlite(url: &str) -> DbResult<Self> {
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
        // One writer connection: SQLite allows one writer at a time anyway,
        // and queueing here instead of racing for the file lock means no
        // user ever sees "database is locked".
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
            .connect_with(options.clone().read_only(true))
            .await?;
        Ok(Self {
            pools: Pools::Sqlite {
                writer,
                reader,
                options: Box::new(options),
            },
        })
    }

    async fn open_postgres(url: &str, sizes: PoolSizes) -> DbResult<Self> {
        let options = PgConnectOptions::from_str(url)?
            .application_name("kursi")
            .statement_cache_capacity(256);
        // sqlx's migrator holds an advisory lock while it runs: instances
        // starting together on an empty database migrate once, the others
        // waiting for it (on a connection of its own, without the writer's
        // short lock timeout).
        {
            use sqlx::Connection as _;
            let mut conn = PgConnection::connect_with(&options).await?;
            sqlx::migrate!("./migrations_postgres")
                .run(&mut conn)
                .await?;
            conn.close().await?;
        }
        let reader = PgPoolOptions::new()
            .max_connections(sizes.read.max(1))
            .acquire_timeout(Duration::from_secs(30))
            // A connection left idle is closed after a while (the server's
            // slots are shared by every instance).
            .idle_timeout(Duration::from_secs(300))
            .connect_with(options.clone())
            .await?;
        Ok(Self {
            pools: Pools::Postgres {
                options: Box::new(options),
                reader,
            },
        })
    }

    pub fn backend(&self) -> Backend {
        match self.pools {
            Pools::Sqlite { .. } => Backend::Sqlite,
            Pools::Postgres { .. } => Backend::Postgres,
        }
    }

    /// A connection for reads.
    pub async fn read(&self) -> DbResult<Conn> {
        Ok(match &self.pools {
            Pools::Sqlite { reader, .. } => Conn::Sqlite(reader.acquire().await?),
            Pools::Postgres { reader, .. } => Conn::Postgres(reader.acquire().await?),
        })
    }

    /// A read transaction with one snapshot for all its statements.
    pub async fn snapshot(&self) -> DbResult<Snapshot> {
        Ok(match &self.pools {
            Pools::Sqlite { reader, .. } => Snapshot::Sqlite(reader.begin().await?),
            Pools::Postgres { reader, .. } => {
                let mut tx = reader.begin().await?;
                sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    .execute(&mut *tx)
                    .await?;
                Snapshot::Postgres(tx)
            }
        })
    }

    /// The write road's connection. On PostgreSQL it is opened here, on
    /// the caller's runtime (the road's own thread: its replies wake the
    /// writer directly, not through the server's busy workers), lazily: if
    /// the server is down, a batch fails and the next one connects again.
    pub(crate) fn writer(&self, instance: u32) -> Writer {
        match &self.pools {
            Pools::Sqlite { options, .. } => {
                Writer::Sqlite(Box::new(lite::LiteWriter::new(options.as_ref().clone())))
            }
            // One connection (group commit batches the writes; see
            // `road`). It waits at most 50 ms for a row another instance's
            // batch holds (batches commit in a few ms); the write meeting it
            // then runs again in the next batch, so no two instances ever
            // wait on each other in a cycle.
            //
            // Each new connection is introduced to the other instances'
            // listeners before it writes (see `peers`).
            Pools::Postgres { options, .. } => {
                let introduce = options.as_ref().clone();
                Writer::Postgres(
                    PgPoolOptions::new()
                        .max_connections(1)
                        .test_before_acquire(false)
                        .acquire_timeout(Duration::from_secs(30))
                        .after_connect(move |_, _| {
                            Box::pin(peers::introduce(introduce.clone(), instance))
                        })
                        .connect_lazy_with(
                            options
                                .as_ref()
                                .clone()
                                .application_name(&peers::writer_name(instance))
                                .options([("lock_timeout", "50ms")]),
                        ),
                )
            }
        }
    }

    /// PostgreSQL: starts listening for the changes other instances commit
    /// (see [`listen`]); `None` on SQLite, where one process writes.
    pub fn listen(
        &self,
        instance: u32,
        on: impl Fn(Heard) + Send + Sync + 'static,
    ) -> Option<Listener> {
        match &self.pools {
            Pools::Sqlite { .. } => None,
            Pools::Postgres { options, .. } => Some(Listener::start(
                options
                    .as_ref()
                    .clone()
                    .application_name(&peers::listener_name(instance)),
                instance,
                on,
            )),
        }
    }

    /// PostgreSQL: the rate-limit counters every instance on this database
    /// shares (see [`rates`]); `None` on SQLite, whose one process counts in
    /// memory.
    pub fn shared_rates(&self) -> Option<SharedRates> {
        match &self.pools {
            Pools::Sqlite { .. } => None,
            Pools::Postgres { reader, .. } => Some(SharedRates::new(reader.clone())),
        }
    }

    /// Checks the database answers (for `/healthz`).
    pub async fn ping(&self) -> DbResult<()> {
        let mut conn = self.read().await?;
        on!(&mut conn, |c| {
            sqlx::query("SELECT 1").execute(c).await.map(|_| ())
        })
    }

    /// SQLite's `PRAGMA integrity_check` verdict (`ok` when sound); `ok` on
    /// PostgreSQL, which checks its pages itself.
    pub async fn integrity_check(&self) -> DbResult<String> {
        match &self.pools {
            Pools::Sqlite { reader, .. } => {
                sqlx::query_scalar("PRAGMA integrity_check")
                    .fetch_one(reader)
                    .await
            }
            Pools::Postgres { .. } => Ok("ok".into()),
        }
    }

    /// Flushes SQLite's WAL into the main file; used at shutdown.
    pub async fn checkpoint(&self) -> DbResult<()> {
        match &self.pools {
            Pools::Sqlite { writer, .. } => sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(writer)
                .await
                .map(|_| ()),
            Pools::Postgres { .. } => Ok(()),
        }
    }

    /// Writes a consistent copy of a SQLite database to `path` (which must
    /// not exist) with `VACUUM INTO`: one read transaction on the source,
    /// so other processes' writers go on (WAL). It runs on the writer
    /// connection because the readers are opened read-only. PostgreSQL has
    /// its own tool for this: the error says to use `pg_dump`.
    pub async fn backup_into(&self, path: &std::path::Path) -> DbResult<()> {
        match &self.pools {
            Pools::Sqlite { writer, .. } => sqlx::query("VACUUM INTO $1")
                .bind(path.to_string_lossy().into_owned())
                .execute(writer)
                .await
                .map(|_| ()),
            Pools::Postgres { .. } => Err(sqlx::Error::Configuration(
                "kursi backup copies SQLite files; for PostgreSQL use pg_dump \
                 (for example: pg_dump --format=custom \"$DATABASE_URL\" > kursi.dump)"
                    .into(),
            )),
        }
    }

    pub async fn close(&self) {
        match &self.pools {
            Pools::Sqlite { writer, reader, .. } => {
                reader.close().await;
                writer.close().await;
            }
            // The write road closes its own connection when it ends.
            Pools::Postgres { reader, .. } => reader.close().await,
        }
    }
}

/// Opens a savepoint named `job` inside a write transaction (they nest).
pub(crate) async fn savepoint(tx: &mut WriteTx) -> DbResult<()> {
    if let Some(c) = tx.lite().await? {
        return lite::execute(c, "SAVEPOINT job", &[]).map(|_| ());
    }
    on!(tx, |c| {
        sqlx::query("SAVEPOINT job").execute(c).await.map(|_| ())
    })
}

/// Undoes everything since the latest `SAVEPOINT job`.
pub(crate) async fn rollback_to_savepoint(tx: &mut WriteTx) -> DbResult<()> {
    if let Some(c) = tx.lite().await? {
        return lite::execute(c, "ROLLBACK TO job", &[]).map(|_| ());
    }
    on!(tx, |c| {
        sqlx::query("ROLLBACK TO job").execute(c).await.map(|_| ())
    })
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

/// How long a notifying batch's commit may wait for the notification
/// queue's lock (see [`finish`]).
const COMMIT_LOCK_TIMEOUT: &str = "10s";

/// PostgreSQL's last statement before a write transaction's commit: writes
/// the audit rows waiting in it and, with a `notice` (channel and
/// payload), sends that notification when the transaction commits
/// (`NOTIFY`). One round trip, which fails if the transaction can no
/// longer commit (a statement of it failed; PostgreSQL would answer the
/// `COMMIT` with a silent rollback). On SQLite (no other process to tell)
/// it does nothing: the commit writes the audit rows.
///
/// The writer's short `lock_timeout` is for row locks, which a write meets
/// and then runs again. A transaction that notifies also takes, at its
/// commit, the one lock on the notification queue that every notifying
/// commit of the server takes in turn (through its WAL flush): a wait for
/// that is no conflict, and cutting it short failed whole batches under
/// load. So the same statement lets the rest of the transaction (its
/// commit) wait up to [`COMMIT_LOCK_TIMEOUT`].
pub(crate) async fn finish(tx: &mut WriteTx, notice: Option<(&str, &str)>) -> DbResult<()> {
    let rows = match &mut tx.tx {
        Tx::Postgres(_) => std::mem::take(&mut tx.audit),
        Tx::Sqlite(_) => return Ok(()),
    };
    let Raw::Postgres(c) = tx.raw() else {
        return Ok(());
    };
    let columns = audit::AuditColumns::of(&rows);
    let query = match notice {
        Some((channel, payload)) => columns
            .bind(sqlx::query(audit::AUDIT_THEN_NOTIFY))
            .bind(channel)
            .bind(payload)
            .bind(COMMIT_LOCK_TIMEOUT),
        None => columns.bind(sqlx::query(audit::AUDIT_THEN_CHECK)),
    };
    query.execute(c).await.map(|_| ())
}
