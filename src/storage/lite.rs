//! The SQLite write road's own statements, run on the writer's thread.
//!
//! sqlx runs each SQLite connection on a worker thread of its own, and
//! every statement is a round trip to it: the writer hands the statement
//! over, the worker wakes, runs it and hands the answer back. A hold or a
//! release is five statements, a batch of 64 of them hundreds, and SQLite
//! does each in a few microseconds: profiled under contended holds, the
//! writer and the worker spent their time handing statements to each
//! other (55 % and 25 % of the server's samples), SQLite's own work ~2 %.
//!
//! So the writer takes the connection's handle once per batch (sqlx's
//! `lock_handle`: one round trip, after which sqlx's worker waits) and runs
//! the batch's common statements itself, through rusqlite on that same
//! handle: begin, the expiry of due holds, savepoints, the statements of a
//! hold and of a release, the audit rows, commit. A function of `storage`
//! that has such a path asks its connection for [`Connection::lite`]; one
//! that has not uses sqlx as everywhere else, and asking the transaction
//! for its sqlx connection ([`Connection::raw`]) hands the handle back to
//! sqlx's worker first. Both paths of a function run the same SQL text.
//!
//! Only the write road's transaction has a lite path; reads keep their
//! pool. Nothing here outlives the writer: the rusqlite connection is made
//! from the handle sqlx opened and owns nothing of it (its prepared
//! statements are finalized before sqlx closes the handle).

use std::fmt;
use std::ptr::NonNull;

use rusqlite::types::ToSql;
use sqlx::error::{DatabaseError, ErrorKind};
use sqlx::sqlite::{LockedSqliteHandle, SqliteConnectOptions};
use sqlx::{Connection as _, SqliteConnection};

use super::DbResult;

/// The writer's connection: sqlx's, and rusqlite's view of its handle.
struct Owned {
    // Dropped first (declaration order): the statements rusqlite prepared
    // are finalized while the handle is still open.
    direct: Option<rusqlite::Connection>,
    sqlx: SqliteConnection,
}

/// The write road's SQLite connection, opened on first use on the writer's
/// thread. Only the writer holds it, and only one [`LiteTx`] at a time
/// borrows it (the road runs one batch at a time).
pub(crate) struct LiteWriter {
    options: SqliteConnectOptions,
    owned: Option<NonNull<Owned>>,
}

// SAFETY: `owned` is a `Box` this value owns (see `Drop`); the connection
// inside is `Send`, and it is used by one thread at a time (the writer's).
unsafe impl Send for LiteWriter {}

impl LiteWriter {
    pub(crate) fn new(options: SqliteConnectOptions) -> Self {
        Self {
            options,
            owned: None,
        }
    }

    /// Begins the batch's transaction (`BEGIN IMMEDIATE`: the write lock
    /// is taken at once, so no statement of the batch meets another
    /// connection's write later). A transaction a failed batch left open
    /// is rolled back first.
    pub(crate) async fn begin(&mut self) -> DbResult<LiteTx> {
        let owned = match self.owned {
            Some(owned) => owned,
            None => {
                let sqlx = SqliteConnection::connect_with(&self.options).await?;
                let owned = NonNull::from(Box::leak(Box::new(Owned { direct: None, sqlx })));
                self.owned = Some(owned);
                owned
            }
        };
        let mut tx = LiteTx { owned, lock: None };
        let c = tx.direct().await?;
        if !c.is_autocommit() {
            c.execute_batch("ROLLBACK").map_err(into_sqlx)?;
        }
        c.execute_batch("BEGIN IMMEDIATE").map_err(into_sqlx)?;
        Ok(tx)
    }

    pub(crate) async fn close(&mut self) {
        if let Some(owned) = self.owned.take() {
            // SAFETY: made by `Box::leak` above; no `LiteTx` is alive (the
            // road has ended).
            let owned = unsafe { Box::from_raw(owned.as_ptr()) };
            let Owned { direct, sqlx } = *owned;
            drop(direct);
            let _ = sqlx.close().await;
        }
    }
}

impl Drop for LiteWriter {
    fn drop(&mut self) {
        if let Some(owned) = self.owned.take() {
            // SAFETY: as in `close`.
            drop(unsafe { Box::from_raw(owned.as_ptr()) });
        }
    }
}

/// One batch's transaction on the writer's connection: either the handle
/// is locked and its statements run here, or sqlx's worker has it.
pub(crate) struct LiteTx {
    owned: NonNull<Owned>,
    /// Held while statements run on this thread. It borrows the `sqlx`
    /// connection of `owned`, which outlives this transaction (the writer
    /// keeps it) and is not touched while the lock is held: [`Self::sqlx`]
    /// drops the lock before it lends the connection.
    lock: Option<LockedSqliteHandle<'static>>,
}

// SAFETY: see `LiteWriter`; the road's batch runs on the writer's thread.
unsafe impl Send for LiteTx {}

impl LiteTx {
    /// The connection for sqlx's statements: the handle goes back to
    /// sqlx's worker first.
    pub(crate) fn sqlx(&mut self) -> &mut SqliteConnection {
        self.lock = None;
        // SAFETY: the writer keeps `owned` alive for longer than this
        // transaction, and the lock that borrowed it is gone.
        unsafe { &mut (*self.owned.as_ptr()).sqlx }
    }

    /// The connection for this thread's statements: takes the handle from
    /// sqlx's worker unless this transaction holds it already.
    pub(crate) async fn direct(&mut self) -> DbResult<&rusqlite::Connection> {
        if self.lock.is_none() {
            // SAFETY: the borrow ends before the connection is lent again
            // (`sqlx` drops the lock first) and before `owned` is freed
            // (the writer outlives every transaction it begins).
            let sqlx: &'static mut SqliteConnection = unsafe { &mut (*self.owned.as_ptr()).sqlx };
            self.lock = Some(sqlx.lock_handle().await?);
        }
        // SAFETY: only this field, disjoint from the locked `sqlx`; it is
        // used on the handle only while the lock is held.
        let direct = unsafe { &mut (*self.owned.as_ptr()).direct };
        if direct.is_none() {
            let lock = self.lock.as_mut().expect("locked above");
            let handle = lock.as_raw_handle().as_ptr();
            // SAFETY: the handle is open for as long as `direct` lives
            // (`Owned` drops it first), and rusqlite does not close it.
            let c = unsafe { rusqlite::Connection::from_handle(handle) }.map_err(into_sqlx)?;
            c.set_prepared_statement_cache_capacity(64);
            *direct = Some(c);
        }
        Ok(direct.as_ref().expect("made above"))
    }

    /// Writes nothing more: commits.
    pub(crate) async fn commit(mut self) -> DbResult<()> {
        self.direct()
            .await?
            .execute_batch("COMMIT")
            .map_err(into_sqlx)
    }
}

impl Drop for LiteTx {
    /// A batch that did not commit is undone at once, so that its write
    /// lock is not kept until the next batch (which would undo it too).
    fn drop(&mut self) {
        if let Ok(c) = futures::executor::block_on(self.direct())
            && !c.is_autocommit()
        {
            let _ = c.execute_batch("ROLLBACK");
        }
    }
}

/// Runs `sql` with `params`, where `$n` in the text is `params[n - 1]`
/// (the numbering sqlx uses, so both paths share their SQL); returns the
/// rows changed.
pub(crate) fn execute(c: &rusqlite::Connection, sql: &str, params: &[&dyn ToSql]) -> DbResult<u64> {
    let mut stmt = c.prepare_cached(sql).map_err(into_sqlx)?;
    bind(&mut stmt, params)?;
    stmt.raw_execute().map(|n| n as u64).map_err(into_sqlx)
}

/// Runs `sql` and maps each row it returns.
pub(crate) fn query<T>(
    c: &rusqlite::Connection,
    sql: &str,
    params: &[&dyn ToSql],
    mut map: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> DbResult<Vec<T>> {
    let mut stmt = c.prepare_cached(sql).map_err(into_sqlx)?;
    bind(&mut stmt, params)?;
    let mut rows = stmt.raw_query();
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(into_sqlx)? {
        out.push(map(row).map_err(into_sqlx)?);
    }
    Ok(out)
}

fn bind(stmt: &mut rusqlite::Statement<'_>, params: &[&dyn ToSql]) -> DbResult<()> {
    for i in 1..=stmt.parameter_count() {
        let n = stmt
            .parameter_name(i)
            .and_then(|name| name.get(1..))
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or(i);
        let param = params
            .get(n.wrapping_sub(1))
            .ok_or_else(|| sqlx::Error::Protocol(format!("no parameter ${n} for a statement")))?;
        stmt.raw_bind_parameter(i, param).map_err(into_sqlx)?;
    }
    Ok(())
}

/// rusqlite's errors as sqlx's, so that callers (the road's contention
/// check, `AppError`'s mapping) treat both paths alike: SQLite's own
/// failures keep their extended code and kind, as sqlx reports them.
pub(crate) fn into_sqlx(err: rusqlite::Error) -> sqlx::Error {
    match err {
        rusqlite::Error::SqliteFailure(code, message) => {
            sqlx::Error::Database(Box::new(LiteError { code, message }))
        }
        other => sqlx::Error::Decode(Box::new(other)),
    }
}

/// A failure SQLite reported on the lite path.
#[derive(Debug)]
struct LiteError {
    code: rusqlite::ffi::Error,
    message: Option<String>,
}

impl fmt::Display for LiteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.message {
            Some(m) => write!(f, "(code: {}) {m}", self.code.extended_code),
            None => write!(f, "(code: {}) {}", self.code.extended_code, self.code),
        }
    }
}

impl std::error::Error for LiteError {}

impl DatabaseError for LiteError {
    fn message(&self) -> &str {
        self.message.as_deref().unwrap_or("SQLite error")
    }

    fn code(&self) -> Option<std::borrow::Cow<'_, str>> {
        Some(self.code.extended_code.to_string().into())
    }

    fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        self
    }

    fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
        self
    }

    fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
        self
    }

    fn kind(&self) -> ErrorKind {
        use rusqlite::ffi;
        match self.code.extended_code {
            ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY => {
                ErrorKind::UniqueViolation
            }
            ffi::SQLITE_CONSTRAINT_FOREIGNKEY => ErrorKind::ForeignKeyViolation,
            ffi::SQLITE_CONSTRAINT_NOTNULL => ErrorKind::NotNullViolation,
            ffi::SQLITE_CONSTRAINT_CHECK => ErrorKind::CheckViolation,
            _ => ErrorKind::Other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constraint_failures_keep_their_kind() {
        let c = rusqlite::Connection::open_in_memory().unwrap();
        c.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER CHECK (n > 0))")
            .unwrap();
        execute(&c, "INSERT INTO t (id, n) VALUES ($2, $1)", &[&5, &1]).unwrap();
        let err = execute(&c, "INSERT INTO t (id, n) VALUES ($1, $2)", &[&1, &5]).unwrap_err();
        let db = err.as_database_error().unwrap();
        assert_eq!(db.kind(), ErrorKind::UniqueViolation);
        assert_eq!(db.code().as_deref(), Some("1555"));
        let err = execute(&c, "INSERT INTO t (id, n) VALUES ($1, $2)", &[&2, &0]).unwrap_err();
        assert_eq!(
            err.as_database_error().unwrap().kind(),
            ErrorKind::CheckViolation
        );
    }

    async fn count(tx: &mut LiteTx) -> i64 {
        let c = tx.direct().await.unwrap();
        query(c, "SELECT COUNT(*) FROM t", &[], |r| r.get(0)).unwrap()[0]
    }

    #[tokio::test]
    async fn a_transaction_moves_between_the_two_threads_and_commits_once() {
        let options: SqliteConnectOptions = "sqlite::memory:".parse().unwrap();
        let mut writer = LiteWriter::new(options);
        let mut tx = writer.begin().await.unwrap();
        execute(
            tx.direct().await.unwrap(),
            "CREATE TABLE t (n INTEGER)",
            &[],
        )
        .unwrap();
        execute(
            tx.direct().await.unwrap(),
            "INSERT INTO t VALUES ($1)",
            &[&1],
        )
        .unwrap();
        // sqlx's worker takes the handle back, in the same transaction.
        sqlx::query("INSERT INTO t VALUES (2)")
            .execute(tx.sqlx())
            .await
            .unwrap();
        assert_eq!(count(&mut tx).await, 2);
        tx.commit().await.unwrap();

        // Dropped without commit: undone at once, and the next begins.
        let mut tx = writer.begin().await.unwrap();
        sqlx::query("INSERT INTO t VALUES (3)")
            .execute(tx.sqlx())
            .await
            .unwrap();
        drop(tx);
        let mut tx = writer.begin().await.unwrap();
        assert_eq!(count(&mut tx).await, 2);
        tx.commit().await.unwrap();
        writer.close().await;
    }

    #[test]
    fn parameters_are_numbered_as_in_the_text() {
        let c = rusqlite::Connection::open_in_memory().unwrap();
        let rows = query(&c, "SELECT $2 || $1 || $2", &[&"a", &"b"], |r| {
            r.get::<_, String>(0)
        })
        .unwrap();
        assert_eq!(rows, ["bab"]);
    }
}
