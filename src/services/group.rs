//! Group commit: passengers' writes that arrive together share one
//! transaction.
//!
//! A durable commit (`synchronous = FULL`) costs an fsync, and every write
//! also opens a transaction and expires due holds first. When many
//! passengers hold and release seats at once, the writer task takes every
//! write waiting in its queue (up to [`MAX_BATCH`]), opens one transaction,
//! expires due holds once, runs each write inside its own savepoint and
//! commits once. A write that fails rolls back to its savepoint, so it
//! leaves nothing behind and the others are untouched. The savepoint is
//! taken when a write first writes ([`Job::writes`]): a request refused by
//! what it reads (a seat already taken) costs no savepoint and no rollback.
//! Nobody gets an answer before the commit is on disk: a success is
//! delivered only after it, and if the commit fails every write of the batch
//! answers `internal`.
//!
//! Writes still run one after another on the single writer connection, so
//! each sees the ones before it: the conditional updates that keep a seat
//! from being held twice work exactly as in a transaction of their own.

use std::panic::AssertUnwindSafe;

use chrono::{DateTime, Utc};
use futures::FutureExt;
use futures::future::BoxFuture;
use tokio::sync::{mpsc, oneshot};

use crate::domain::AppError;
use crate::storage::{self, Storage, WriteTx};

/// Writes committed together at most.
pub(crate) const MAX_BATCH: usize = 64;

/// A write's answer, to be sent once the batch's commit is known: `None`
/// when it committed, the error otherwise.
type Deliver = Box<dyn FnOnce(Option<AppError>) + Send>;

/// What a write leaves once it has run in its savepoint.
struct Outcome {
    /// Keep its changes (it succeeded) or roll them back.
    keep: bool,
    /// The trip whose seats it changed, announced after the commit.
    changed: Option<i64>,
    deliver: Deliver,
}

type Run = Box<dyn for<'a> FnOnce(&'a mut Job) -> BoxFuture<'a, Outcome> + Send>;

/// One write's handle on its batch's transaction.
pub(crate) struct Job {
    tx: WriteTx,
    /// Whether this write has taken its savepoint.
    saved: bool,
}

impl Job {
    /// The transaction, for reads before this write's first change.
    pub(crate) fn reads(&mut self) -> &mut WriteTx {
        &mut self.tx
    }

    /// The transaction for changes: the first call takes the savepoint that
    /// lets this write roll back alone.
    pub(crate) async fn writes(&mut self) -> Result<&mut WriteTx, AppError> {
        if !self.saved {
            storage::savepoint(&mut self.tx).await?;
            self.saved = true;
        }
        Ok(&mut self.tx)
    }
}

/// A write waiting for the writer task, with the time of its request.
pub(crate) struct Pending {
    now: DateTime<Utc>,
    run: Run,
}

impl Pending {
    /// Wraps `work` (which answers its value and the trip it changed) and
    /// returns the receiver of its answer.
    pub(crate) fn new<T, F>(
        now: DateTime<Utc>,
        work: F,
    ) -> (Self, oneshot::Receiver<Result<T, AppError>>)
    where
        T: Send + 'static,
        F: for<'a> FnOnce(&'a mut Job) -> BoxFuture<'a, Result<(T, Option<i64>), AppError>>
            + Send
            + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let run: Run = Box::new(move |tx| {
            Box::pin(async move {
                match work(tx).await {
                    Ok((value, changed)) => Outcome {
                        keep: true,
                        changed,
                        deliver: Box::new(move |failed| {
                            let _ = reply.send(match failed {
                                None => Ok(value),
                                Some(e) => Err(e),
                            });
                        }),
                    },
                    Err(e) => Outcome {
                        keep: false,
                        changed: None,
                        deliver: Box::new(move |_| {
                            let _ = reply.send(Err(e));
                        }),
                    },
                }
            })
        });
        (Self { now, run }, answer)
    }
}

/// The writer task: runs until every sender is gone. `expire` expires the
/// holds due at the given time and returns their trips; `announce` tells
/// seat maps a trip changed.
pub(crate) async fn writer<E, A>(
    storage: Storage,
    mut queue: mpsc::Receiver<Pending>,
    expire: E,
    announce: A,
) where
    E: for<'a> Fn(&'a mut WriteTx, DateTime<Utc>) -> BoxFuture<'a, Result<Vec<i64>, AppError>>,
    A: Fn(i64),
{
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = queue.recv().await {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        // The batch runs after all its requests arrived: holds due by the
        // latest of them are expired for all (they differ by milliseconds).
        let now = batch.iter().map(|p| p.now).max().unwrap_or_default();
        let mut outcomes = Vec::with_capacity(batch.len());
        let committed = run_batch(&storage, now, batch.drain(..), &mut outcomes, &expire).await;
        match committed {
            Ok(expired) => {
                // Announced before anyone is answered, so a passenger who
                // reads the map after their answer sees their own change.
                for trip in expired
                    .into_iter()
                    .chain(outcomes.iter().filter_map(|o| o.changed))
                {
                    announce(trip);
                }
                for o in outcomes {
                    (o.deliver)(None);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "group commit failed");
                for o in outcomes {
                    (o.deliver)(Some(AppError::Internal));
                }
            }
        }
    }
}

async fn run_batch<E>(
    storage: &Storage,
    now: DateTime<Utc>,
    batch: impl Iterator<Item = Pending>,
    outcomes: &mut Vec<Outcome>,
    expire: &E,
) -> Result<Vec<i64>, AppError>
where
    E: for<'a> Fn(&'a mut WriteTx, DateTime<Utc>) -> BoxFuture<'a, Result<Vec<i64>, AppError>>,
{
    let mut job = Job {
        tx: storage.begin().await?,
        saved: false,
    };
    let expired = expire(&mut job.tx, now).await?;
    for pending in batch {
        // Savepoints nest: `ROLLBACK TO job` undoes the latest one, this
        // write's; the commit releases them all.
        job.saved = false;
        match AssertUnwindSafe((pending.run)(&mut job))
            .catch_unwind()
            .await
        {
            Ok(outcome) => {
                if !outcome.keep && job.saved {
                    storage::rollback_to_savepoint(&mut job.tx).await?;
                }
                outcomes.push(outcome);
            }
            // A bug, not a state of the data: undo its writes; its caller
            // gets `internal` when its answer channel closes.
            Err(_) => {
                tracing::error!("a write panicked; its changes are rolled back");
                if job.saved {
                    storage::rollback_to_savepoint(&mut job.tx).await?;
                }
            }
        }
    }
    job.tx.commit().await?;
    Ok(expired)
}
