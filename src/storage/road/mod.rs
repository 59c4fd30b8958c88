//! The write road: every write to the database, from every service,
//! reaches it here, and only here is a write transaction begun and
//! committed.
//!
//! Writes are queued to one writer task per process with one connection
//! (SQLite allows one writer anyway; on PostgreSQL other instances bring
//! writers of their own). It takes every write waiting in its queue and
//! runs them as one group commit: a durable commit costs an fsync
//! (SQLite's `synchronous = FULL`, PostgreSQL's WAL flush), and every write
//! also opens a transaction and expires due holds first, so the writer
//! takes up to [`MAX_BATCH`] waiting writes, opens one transaction, expires
//! due holds once, runs each write inside its own savepoint and commits
//! once. A write that fails rolls back to its savepoint, so it
//! leaves nothing behind and the others are untouched. The savepoint is
//! taken when a write first writes, or first reads with a lock
//! ([`Job::writes`], [`Job::locks`]): a request refused by what it reads
//! (a seat already taken) costs no savepoint and no rollback. (On
//! PostgreSQL a failed statement spoils the transaction up to the last
//! savepoint: what runs before it, [`Job::reads`], is plain reads that
//! take no lock.)
//!
//! On PostgreSQL a savepoint is a round trip to the server, a third of a
//! hold's, and nearly every write either succeeds or is refused before it
//! changes anything. So a batch there first runs without savepoints
//! ([`run_optimistic`]). Only if a write fails after it began changing
//! things, or meets any database error, is that run rolled back and the
//! batch run again with a savepoint per write ([`run_careful`]); a write
//! that met another transaction's lock goes straight to the next batch.
//! Every database error passes [`note_error`] (services turn them into
//! `AppError` there), and one statement before the commit proves the
//! transaction can still commit (PostgreSQL answers `COMMIT` in a failed
//! transaction with a silent rollback).
//! Nobody gets an answer before the commit is on disk: a success is
//! delivered only after it, and if the commit fails every write of the batch
//! answers `internal`.
//!
//! A write that meets another process's lock (PostgreSQL: a row another
//! instance's batch changed and has not committed yet; the writer
//! connection waits at most `lock_timeout` for it) is not an error: it is
//! rolled back to its savepoint and run again, from the start, in the next
//! batch, after this batch's commit has released its own locks. So two
//! instances never wait on each other in a cycle (no deadlock, no lost
//! winner): whoever is second runs again and reads what the first did. A
//! unique constraint that a concurrent write beat this one to (a second
//! live hold for the session, a claim code drawn twice) is met the same
//! way. That is why a write is a function (`Clone`) the road may run more
//! than once.
//!
//! Writes still run one after another on the writer connection, so each
//! sees the ones before it: the conditional updates that keep a seat from
//! being held twice work exactly as in a transaction of their own. (Other
//! processes on the same PostgreSQL database have writers of their own;
//! the statements are written for that: conditional updates, constraints.)
//!
//! The writer runs on a thread of its own. On SQLite it takes the
//! connection's handle from sqlx's worker thread once per batch and runs
//! the batch's common statements itself (see `storage::lite`), spinning
//! while it waits for anything else (see `spin`). On PostgreSQL it runs a Tokio runtime of its
//! own on which its connection is opened: as a task on the server's
//! runtime, each reply from PostgreSQL waited until a worker busy with
//! HTTP requests next looked at the network, and a write is several
//! round trips. While a batch runs, that runtime polls the socket rather
//! than sleeping until PostgreSQL answers (see `spin::Polling`). (So the
//! statements of the hot path are few: a new hold is one statement
//! that reads, opens it and takes its seats, and releasing all of a
//! hold's seats is the hold's lock and one statement.)

pub mod notice;
mod spin;

use std::cell::Cell;
use std::panic::AssertUnwindSafe;

use chrono::{DateTime, Utc};
use futures::FutureExt;
use futures::future::BoxFuture;
use tokio::sync::{mpsc, oneshot};

use super::{Backend, Storage, WriteTx, Writer};
use crate::domain::AppError;

/// Writes committed together at most.
pub(crate) const MAX_BATCH: usize = 64;

/// Runs of one write before it answers `internal` (each waits at most
/// `lock_timeout` for a lock, so this bounds a write's time too).
const MAX_ATTEMPTS: u32 = 50;

tokio::task_local! {
    /// Set while a write runs: what the database errors met inside it
    /// said (see [`note_error`]).
    static MET: Cell<Met>;
}

/// The database errors a run of a write (or the expiry step) met.
#[derive(Clone, Copy, Debug, Default)]
struct Met {
    /// Any database error: on PostgreSQL the transaction can run no
    /// statement after it except a rollback (to a savepoint).
    error: bool,
    /// One that means "another transaction got there first".
    contention: bool,
}

/// Called with every database error as it becomes an `AppError`: notes it
/// for the running write (if any), marking the write to be run again when
/// the error means "another transaction got there first", not "this write
/// is wrong".
pub fn note_error(err: &sqlx::Error) -> bool {
    let contended = is_contention(err);
    let _ = MET.try_with(|met| {
        let seen = met.get();
        met.set(Met {
            error: true,
            contention: seen.contention || contended,
        })
    });
    contended
}

/// Runs `future` (a write, or the expiry step) and tells which database
/// errors it met.
async fn watching<T>(future: impl std::future::Future<Output = T>) -> (T, Met) {
    MET.scope(Cell::new(Met::default()), async {
        let out = future.await;
        (out, MET.with(Cell::get))
    })
    .await
}

/// Lock timeouts and deadlocks, serialization failures, SQLite's busy
/// file, and unique constraints that only a concurrent write can break.
fn is_contention(err: &sqlx::Error) -> bool {
    let Some(db) = err.as_database_error() else {
        return false;
    };
    match db.code().as_deref() {
        // lock_not_available, deadlock_detected, serialization_failure
        Some("55P03" | "40P01" | "40001") => true,
        // SQLITE_BUSY and its extended codes
        Some("5" | "261" | "517") => true,
        _ => matches!(
            db.constraint(),
            Some(
                "holds_one_live_per_session"
                    | "holds_claim_code_unique"
                    | "holds_booking_code_unique"
            )
        ),
    }
}

/// One write's handle on its batch's transaction.
pub struct Job {
    tx: WriteTx,
    /// Whether this write has taken its savepoint.
    saved: bool,
    /// PostgreSQL: the batch's expiry step runs in a savepoint of its own.
    postgres: bool,
    /// PostgreSQL's first run of a batch takes no savepoints (see
    /// [`run_batch`]).
    optimistic: bool,
    /// In that run: whether this write may have changed something.
    changed: bool,
    /// Holds the batch expired before its writes ran.
    expired: usize,
}

impl Job {
    /// How many due holds this batch expired before its writes (the sweep
    /// is a write with nothing else to do).
    pub fn expired(&self) -> usize {
        self.expired
    }

    /// The transaction, for plain reads (no locks) before this write's
    /// first change.
    pub fn reads(&mut self) -> &mut WriteTx {
        &mut self.tx
    }

    /// The transaction for reads that lock rows but change nothing: it
    /// takes the savepoint that lets this write roll back alone (a lock it
    /// meets may fail the statement), except in a batch's run without
    /// savepoints, where a write that only read leaves nothing to undo.
    pub async fn locks(&mut self) -> Result<&mut WriteTx, AppError> {
        if !self.saved && !self.optimistic {
            super::savepoint(&mut self.tx).await?;
            self.saved = true;
        }
        Ok(&mut self.tx)
    }

    /// The transaction for changes: as [`Job::locks`], and this write may
    /// now have changed something, so if it then fails, a batch run
    /// without savepoints is undone and run again with them.
    pub async fn writes(&mut self) -> Result<&mut WriteTx, AppError> {
        self.changed = true;
        self.locks().await
    }

    /// The transaction for one statement that changes something only when
    /// what it reads allows it (a hold opened only for free seats): as
    /// [`Job::locks`]; if it did change something, say so with
    /// [`Job::wrote`]. A request such a statement refuses then costs no
    /// run again, as one refused by a plain read does not.
    pub async fn may_write(&mut self) -> Result<&mut WriteTx, AppError> {
        self.locks().await
    }

    /// This write changed something through [`Job::may_write`] (see
    /// [`Job::writes`]).
    pub fn wrote(&mut self) {
        self.changed = true;
    }
}

/// What a write changed that others may have in memory: the trips whose
/// seats changed, and whether trips were created or edited (the search's
/// index). Announced after its commit, before anyone is answered.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Changed {
    trips: Vec<i64>,
    listing: bool,
}

impl Changed {
    /// No seat changed (a contact attached, an extension, a sign-in).
    pub fn nothing() -> Self {
        Self::default()
    }

    /// The seats of `trip` changed.
    pub fn trip(trip: i64) -> Self {
        Self::nothing().and(trip)
    }

    /// Trips were created or edited: the trip search must read them again.
    pub fn listing() -> Self {
        Self {
            listing: true,
            ..Self::default()
        }
    }

    /// And the seats of `trip` too.
    pub fn and(mut self, trip: i64) -> Self {
        if !self.trips.contains(&trip) {
            self.trips.push(trip);
        }
        self
    }

    /// And the trips' listing too.
    pub fn and_listing(mut self) -> Self {
        self.listing = true;
        self
    }

    pub fn trips(&self) -> &[i64] {
        &self.trips
    }

    pub fn listing_changed(&self) -> bool {
        self.listing
    }

    pub fn is_empty(&self) -> bool {
        self.trips.is_empty() && !self.listing
    }

    /// These trips (each once, in order) and the listing flag.
    pub(crate) fn from_parts(mut trips: Vec<i64>, listing: bool) -> Self {
        trips.sort_unstable();
        trips.dedup();
        Self { trips, listing }
    }
}

/// What one run of a write leaves.
enum Step {
    /// It succeeded: keep its changes; the trips whose seats it changed.
    Keep(Changed),
    /// It failed: roll its changes back; its error is its answer.
    Undo,
    /// Another transaction got there first: roll back and run it again.
    Again,
}

/// A write as the road runs it: any number of times, then answered once.
trait Work: Send {
    /// One run; the step it leaves and the database errors it met.
    fn run<'a>(&'a mut self, job: &'a mut Job) -> BoxFuture<'a, (Step, Met)>;
    /// Sends the answer: its own result, or `failed` when the batch did not
    /// commit.
    fn answer(self: Box<Self>, failed: Option<AppError>);
}

struct Typed<T, F> {
    work: F,
    result: Option<Result<T, AppError>>,
    reply: oneshot::Sender<Result<T, AppError>>,
}

impl<T, F> Work for Typed<T, F>
where
    T: Send + 'static,
    F: for<'a> FnOnce(&'a mut Job) -> BoxFuture<'a, Result<(T, Changed), AppError>>
        + Clone
        + Send
        + 'static,
{
    fn run<'a>(&'a mut self, job: &'a mut Job) -> BoxFuture<'a, (Step, Met)> {
        // Each run gets a fresh copy of the write and what it captured,
        // and forgets what an earlier run (undone since) answered.
        let work = self.work.clone();
        self.result = None;
        Box::pin(async move {
            let (result, met) = watching(work(job)).await;
            let step = match result {
                Ok((value, changed)) => {
                    self.result = Some(Ok(value));
                    Step::Keep(changed)
                }
                Err(_) if met.contention => Step::Again,
                Err(e) => {
                    self.result = Some(Err(e));
                    Step::Undo
                }
            };
            (step, met)
        })
    }

    fn answer(self: Box<Self>, failed: Option<AppError>) {
        let answer = match (failed, self.result) {
            (Some(e), _) => Err(e),
            (None, Some(result)) => result,
            // Never ran to an end (it panicked, or ran out of attempts).
            (None, None) => Err(AppError::Internal),
        };
        let _ = self.reply.send(answer);
    }
}

/// A write waiting for the writer task, with the time of its request.
struct Pending {
    now: DateTime<Utc>,
    attempts: u32,
    work: Box<dyn Work>,
}

/// The queue to the writer task. Clones share it; the writer ends when the
/// last clone is dropped.
#[derive(Clone, Debug)]
pub struct Road {
    queue: mpsc::Sender<Pending>,
}

/// Expires the holds due at a time, returning their trips (the service's
/// rule, run first in every batch).
pub type Expire = Box<
    dyn for<'a> Fn(&'a mut WriteTx, DateTime<Utc>) -> BoxFuture<'a, Result<Vec<i64>, AppError>>
        + Send
        + Sync,
>;

/// Told what a committed batch changed (each trip once), before any write
/// of the batch is answered.
pub type Announce = Box<dyn Fn(&Changed) + Send + Sync>;

impl Road {
    /// Starts the writer for `storage`; must be called inside a Tokio
    /// runtime (sqlx's timers and tasks run there). On PostgreSQL each
    /// batch that changed something tells the other instances, in its own
    /// transaction (see [`notice`]), signed with `instance`.
    pub fn start(storage: Storage, instance: u32, expire: Expire, announce: Announce) -> Self {
        let (queue, receiver) = mpsc::channel(4 * MAX_BATCH);
        match storage.backend() {
            // The writer runs its statements on a thread of its own (see
            // `storage::lite`) and spins while it waits (see `spin`).
            Backend::Sqlite => {
                let runtime = tokio::runtime::Handle::current();
                let writer = writer(
                    storage.writer(instance),
                    instance,
                    receiver,
                    expire,
                    announce,
                );
                std::thread::Builder::new()
                    .name("kursi-writer".into())
                    .spawn(move || {
                        let _context = runtime.enter();
                        spin::block_on(writer);
                    })
                    .expect("start the writer thread");
            }
            Backend::Postgres => {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .thread_name("kursi-writer")
                    .build()
                    .expect("start the writer's runtime");
                std::thread::Builder::new()
                    .name("kursi-writer".into())
                    .spawn(move || {
                        runtime.block_on(async move {
                            // Opened here, so its socket is this runtime's.
                            writer(
                                storage.writer(instance),
                                instance,
                                receiver,
                                expire,
                                announce,
                            )
                            .await;
                        })
                    })
                    .expect("start the writer thread");
            }
        }
        Self { queue }
    }

    /// Runs `work` in the next batch (again in later ones while it meets
    /// other transactions' locks) and answers once it is committed. `work`
    /// returns its value and the trips whose seats it changed, announced
    /// after the commit.
    pub async fn write<T, F>(&self, now: DateTime<Utc>, work: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: for<'a> FnOnce(&'a mut Job) -> BoxFuture<'a, Result<(T, Changed), AppError>>
            + Clone
            + Send
            + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let pending = Pending {
            now,
            attempts: 0,
            work: Box::new(Typed {
                work,
                result: None,
                reply,
            }),
        };
        self.queue
            .send(pending)
            .await
            .map_err(|_| AppError::Internal)?;
        answer.await.unwrap_or(Err(AppError::Internal))
    }
}

/// A write that ran in a batch, waiting for the batch's commit.
struct Ran {
    changed: Changed,
    work: Box<dyn Work>,
}

/// The writer task: runs until every sender is gone.
async fn writer(
    mut connection: Writer,
    instance: u32,
    mut queue: mpsc::Receiver<Pending>,
    expire: Expire,
    announce: Announce,
) {
    let mut batch: Vec<Pending> = Vec::with_capacity(MAX_BATCH);
    // Writes to run again: first in the next batch.
    let mut again: Vec<Pending> = Vec::new();
    loop {
        batch.append(&mut again);
        if batch.is_empty() {
            match queue.recv().await {
                Some(first) => batch.push(first),
                None => {
                    connection.close().await;
                    return;
                }
            }
        }
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        // The batch runs after all its requests arrived: holds due by the
        // latest of them are expired for all (they differ by milliseconds).
        let now = batch.iter().map(|p| p.now).max().unwrap_or_default();
        let mut ran = Vec::with_capacity(batch.len());
        let committed = run_batch(
            &mut connection,
            instance,
            now,
            &mut batch,
            &mut ran,
            &mut again,
            &expire,
        )
        .await;
        match committed {
            Ok(changed) => {
                // Announced before anyone is answered, so a passenger who
                // reads the map after their answer sees their own change.
                if !changed.is_empty() {
                    announce(&changed);
                }
                crate::metrics::batch_committed(ran.len());
                for r in ran {
                    r.work.answer(None);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "group commit failed");
                for r in ran {
                    r.work.answer(Some(AppError::Internal));
                }
            }
        }
        if !again.is_empty() {
            // Let the transaction holding the lock finish before the next try.
            tokio::task::yield_now().await;
        }
    }
}

/// Runs one batch and commits it; returns what it changed. On PostgreSQL
/// the commit carries the notification of it, from `instance`.
///
/// On PostgreSQL a savepoint is a round trip to the server, and most
/// writes of a batch succeed, or fail before they change anything (a seat
/// already taken). So the batch first runs without savepoints
/// ([`run_optimistic`]); only if a write fails after it changed something,
/// or meets any database error (which ends a PostgreSQL transaction's use
/// short of a rollback), is that run undone and the batch run again, each
/// write in its savepoint as on SQLite ([`run_careful`]), where it fails
/// alone.
async fn run_batch(
    connection: &mut Writer,
    instance: u32,
    now: DateTime<Utc>,
    batch: &mut Vec<Pending>,
    ran: &mut Vec<Ran>,
    again: &mut Vec<Pending>,
    expire: &Expire,
) -> Result<Changed, AppError> {
    let postgres = connection.is_postgres();
    // PostgreSQL's writer polls its socket while the batch runs (see `spin`).
    let _polling = postgres.then(spin::Polling::start);
    if postgres {
        match run_optimistic(connection, instance, now, batch, ran, expire).await? {
            Optimistic::Committed(changed) => return Ok(changed),
            // The write that met another transaction's lock (or lost a
            // uniqueness race) would only meet it again now: it runs in
            // the next batch, after this one's commit.
            Optimistic::Spoiled { contended: Some(i) } if batch[i].attempts + 1 < MAX_ATTEMPTS => {
                let mut pending = batch.remove(i);
                pending.attempts += 1;
                again.push(pending);
                if batch.is_empty() {
                    return Ok(Changed::nothing());
                }
            }
            Optimistic::Spoiled { .. } => {}
        }
    }
    run_careful(connection, instance, now, batch, ran, again, expire).await
}

/// How a run without savepoints ended.
enum Optimistic {
    /// Committed; what it changed.
    Committed(Changed),
    /// Rolled back, with `batch` as it was and `ran` empty, because a
    /// write spoiled it: the write that met contention, if that was why.
    Spoiled { contended: Option<usize> },
}

/// PostgreSQL's first run of a batch: no savepoints (see [`run_batch`]).
async fn run_optimistic(
    connection: &mut Writer,
    instance: u32,
    now: DateTime<Utc>,
    batch: &mut Vec<Pending>,
    ran: &mut Vec<Ran>,
    expire: &Expire,
) -> Result<Optimistic, AppError> {
    let mut job = Job {
        tx: connection.begin().await?,
        saved: false,
        postgres: true,
        optimistic: true,
        changed: false,
        expired: 0,
    };
    let expired = match watching(expire(&mut job.tx, now)).await {
        (Ok(expired), met) if !met.error => expired,
        _ => return spoiled(job, None).await,
    };
    job.expired = expired.len();
    let mut kept = Vec::with_capacity(batch.len());
    for (i, pending) in batch.iter_mut().enumerate() {
        job.changed = false;
        let mark = job.tx.audit_mark();
        let step = AssertUnwindSafe(pending.work.run(&mut job))
            .catch_unwind()
            .await;
        match step {
            Ok((Step::Keep(changed), met)) if !met.error => kept.push(changed),
            // Refused before it changed anything: nothing to undo.
            Ok((Step::Undo, met)) if !met.error && !job.changed => {
                job.tx.audit_rollback(mark);
                kept.push(Changed::nothing());
            }
            Ok((_, met)) if met.contention => return spoiled(job, Some(i)).await,
            _ => return spoiled(job, None).await,
        }
    }
    let changed = changes(expired, &kept);
    // One statement before the commit (see `storage::finish`): the audit
    // rows and the notification, which fails if the transaction can no
    // longer commit (PostgreSQL answers COMMIT there with a silent
    // rollback).
    let notice = (!changed.is_empty()).then(|| notice::encode(instance, &changed));
    let last = super::finish(&mut job.tx, notice.as_deref().map(|n| (notice::CHANNEL, n))).await;
    if last.is_err() {
        return spoiled(job, None).await;
    }
    for (pending, changed) in batch.drain(..).zip(kept) {
        ran.push(Ran {
            changed,
            work: pending.work,
        });
    }
    job.tx.commit().await.map_err(commit_failed)?;
    Ok(Optimistic::Committed(changed))
}

/// A batch run without savepoints that a write spoiled: rolled back, to be
/// run again with them.
async fn spoiled(job: Job, contended: Option<usize>) -> Result<Optimistic, AppError> {
    tracing::debug!("a batch runs again with savepoints");
    job.tx.rollback().await.map_err(commit_failed)?;
    Ok(Optimistic::Spoiled { contended })
}

/// The trips a batch changed: those its expiry step ended holds of, and
/// each kept write's.
fn changes<'a>(expired: Vec<i64>, kept: impl IntoIterator<Item = &'a Changed>) -> Changed {
    let (mut trips, mut listing) = (expired, false);
    for changed in kept {
        trips.extend_from_slice(changed.trips());
        listing |= changed.listing_changed();
    }
    Changed::from_parts(trips, listing)
}

/// Runs the batch with a savepoint for each write that changes something,
/// and commits it.
async fn run_careful(
    connection: &mut Writer,
    instance: u32,
    now: DateTime<Utc>,
    batch: &mut Vec<Pending>,
    ran: &mut Vec<Ran>,
    again: &mut Vec<Pending>,
    expire: &Expire,
) -> Result<Changed, AppError> {
    let mut job = Job {
        tx: connection.begin().await?,
        saved: false,
        postgres: connection.is_postgres(),
        optimistic: false,
        changed: false,
        expired: 0,
    };
    let expired = expire_in(&mut job, now, expire).await?;
    job.expired = expired.len();
    for mut pending in batch.drain(..) {
        // Savepoints nest: `ROLLBACK TO job` undoes the latest one, this
        // write's; the commit releases them all. Its audit rows wait in
        // the transaction after `mark` until the commit.
        job.saved = false;
        let mark = job.tx.audit_mark();
        pending.attempts += 1;
        let step = AssertUnwindSafe(pending.work.run(&mut job))
            .catch_unwind()
            .await
            .map(|(step, _)| step);
        let keep = matches!(step, Ok(Step::Keep(_)));
        if !keep {
            job.tx.audit_rollback(mark);
            if job.saved {
                super::rollback_to_savepoint(&mut job.tx).await?;
            }
        }
        match step {
            Ok(Step::Keep(changed)) => ran.push(Ran {
                changed,
                work: pending.work,
            }),
            Ok(Step::Undo) => ran.push(Ran {
                changed: Changed::nothing(),
                work: pending.work,
            }),
            Ok(Step::Again) if pending.attempts < MAX_ATTEMPTS => again.push(pending),
            Ok(Step::Again) => {
                tracing::error!(attempts = pending.attempts, "a write kept meeting locks");
                ran.push(Ran {
                    changed: Changed::nothing(),
                    work: pending.work,
                });
            }
            // A bug, not a state of the data: its writes are undone; its
            // caller gets `internal`.
            Err(_) => {
                tracing::error!("a write panicked; its changes are rolled back");
                ran.push(Ran {
                    changed: Changed::nothing(),
                    work: pending.work,
                });
            }
        }
    }
    let changed = changes(expired, ran.iter().map(|r| &r.changed));
    // Other instances hear of it when (and only if) it commits: PostgreSQL
    // delivers a transaction's notifications at its commit. (The same
    // statement writes the audit rows and fails if the transaction cannot
    // commit: a read that failed outside any savepoint leaves one that
    // would "commit" by rolling back, and then nobody may be told their
    // write is done.)
    let notice = (!changed.is_empty()).then(|| notice::encode(instance, &changed));
    super::finish(&mut job.tx, notice.as_deref().map(|n| (notice::CHANNEL, n)))
        .await
        .map_err(commit_failed)?;
    job.tx.commit().await.map_err(commit_failed)?;
    Ok(changed)
}

/// A batch that could not commit: its cause in the log (each write of it
/// answers `internal`; nothing of it was written).
fn commit_failed(err: sqlx::Error) -> AppError {
    tracing::error!(error = %err, "a batch could not commit");
    AppError::Internal
}

/// The batch's first step, expiring due holds, in a savepoint of its own:
/// if another instance is expiring the same holds right now (its lock met),
/// this batch leaves them to it rather than fail.
async fn expire_in(
    job: &mut Job,
    now: DateTime<Utc>,
    expire: &Expire,
) -> Result<Vec<i64>, AppError> {
    if !job.postgres {
        return expire(&mut job.tx, now).await;
    }
    super::savepoint(&mut job.tx).await?;
    let mark = job.tx.audit_mark();
    let result = watching(expire(&mut job.tx, now)).await;
    match result {
        (Ok(expired), _) => Ok(expired),
        (Err(_), met) if met.contention => {
            job.tx.audit_rollback(mark);
            super::rollback_to_savepoint(&mut job.tx).await?;
            Ok(Vec::new())
        }
        (Err(e), _) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::Changed;

    #[test]
    fn changed_trips_are_a_set() {
        assert_eq!(Changed::nothing().trips(), &[] as &[i64]);
        assert!(Changed::nothing().is_empty());
        assert_eq!(Changed::trip(3).and(5).and(3).trips(), &[3, 5]);
        let all = Changed::from_parts(vec![5, 3, 5], true);
        assert_eq!(all.trips(), &[3, 5]);
        assert!(all.listing_changed() && !all.is_empty());
        assert!(!Changed::listing().trips().iter().any(|_| true));
    }
}
