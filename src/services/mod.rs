//! The service layer: every operation of SPEC §1, once.
//!
//! The JSON API and the Leptos server functions are thin adapters over
//! [`Service`]. Every write (passengers', admins', staff sign-in, trips,
//! the demo seed) takes one road, [`Service::write`]: the group-commit
//! writer (see `group`), which runs it in a transaction on the single writer
//! connection, shared with the other writes waiting at the same time, that
//! (1) first expires every hold whose time is up, so every write sees
//! expired holds as released, (2) changes seats only through conditional
//! updates checked by rows affected, and (3) writes its audit row before
//! committing; its answer comes after the commit, and the trip it changed
//! is announced to seat maps before that. (The background sweep still
//! opens its own short transactions, in batches.) Time is always an
//! argument: no rule here reads the clock.

mod admin;
mod group;
mod holds;
mod live;
mod session;
mod spin;
mod staff;
mod trips;
mod views;
pub use views::booking_whatsapp_url;

pub use admin::{HoldFilter, NewTripInput, TripUpdate, manifest_csv};
pub use live::Watch;
pub use session::{SessionKey, new_token};
pub use staff::{hash_password, random_password, verify_password_in};
pub use trips::{PublicSeatMap, TripFilter};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::domain::{AppError, HoldPolicy};
use crate::storage::{self, NewAudit, Storage, WriteTx, to_ms};

impl From<sqlx::Error> for AppError {
    /// Database failures are logged here, with their detail, and reach
    /// clients only as `internal`.
    fn from(err: sqlx::Error) -> Self {
        tracing::error!(error = %err, "database error");
        AppError::Internal
    }
}

/// Who performs an operation, as written in the audit log.
#[derive(Clone, Debug)]
pub enum Actor {
    Session(SessionKey),
    Staff(String),
    ApiKey,
    System,
}

impl Actor {
    pub fn label(&self) -> String {
        match self {
            Actor::Session(key) => format!("session:{}", key.short()),
            Actor::Staff(name) => format!("admin:{name}"),
            Actor::ApiKey => "api-key".to_string(),
            Actor::System => "system".to_string(),
        }
    }
}

/// Kursi's operations over one database.
#[derive(Clone, Debug)]
pub struct Service {
    storage: Storage,
    policy: HoldPolicy,
    tz: Tz,
    /// What this process keeps in memory about the data (cached seat
    /// maps, the trip search's index, live seat-map streams), fed only by
    /// what writes report after their commit (see `live`).
    live: std::sync::Arc<live::LiveState>,
    /// The queue of the group-commit writer task (see `group`).
    writes: tokio::sync::mpsc::Sender<group::Pending>,
    /// Places for Argon2 verifications running at once (see `sign_in`).
    hashing: std::sync::Arc<staff::Hashing>,
}

impl Service {
    /// Also starts the group-commit writer on a thread of its own, so it
    /// must be called inside a Tokio runtime (the writer's timers run
    /// there); the writer ends when the last clone is dropped.
    pub fn new(storage: Storage, policy: HoldPolicy, tz: Tz) -> Self {
        let live = std::sync::Arc::<live::LiveState>::default();
        let (writes, queue) = tokio::sync::mpsc::channel(4 * group::MAX_BATCH);
        let writer = group::writer(
            storage.clone(),
            queue,
            |tx, now| Box::pin(expire_due(tx, now, i64::MAX)),
            {
                let live = live.clone();
                move |trip| live.seats_changed(trip)
            },
        );
        // The writer runs on a thread of its own with an executor that
        // spins between statements (see `spin`); sqlx's timers and tasks
        // stay on the caller's runtime.
        let runtime = tokio::runtime::Handle::current();
        std::thread::Builder::new()
            .name("kursi-writer".into())
            .spawn(move || {
                let _context = runtime.enter();
                spin::block_on(writer);
            })
            .expect("start the writer thread");
        Self {
            storage,
            policy,
            tz,
            live,
            writes,
            hashing: std::sync::Arc::new(staff::Hashing::new(2)),
        }
    }

    /// At most `n` password verifications at once (default 2).
    pub fn limit_password_hashing(mut self, n: usize) -> Self {
        self.hashing = std::sync::Arc::new(staff::Hashing::new(n));
        self
    }

    /// Runs `work` in the next group commit (see `group`) and answers once
    /// it is on disk. `work` returns its value and the trip whose seats it
    /// changed, announced after the commit.
    pub(crate) async fn write<T, F>(&self, now: DateTime<Utc>, work: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: for<'a> FnOnce(
                &'a mut group::Job,
            )
                -> futures::future::BoxFuture<'a, Result<(T, Option<i64>), AppError>>
            + Send
            + 'static,
    {
        let (pending, answer) = group::Pending::new(now, work);
        self.writes
            .send(pending)
            .await
            .map_err(|_| AppError::Internal)?;
        answer.await.unwrap_or(Err(AppError::Internal))
    }

    /// [`Service::write`] for work that writes from its first statement:
    /// it gets the transaction with its savepoint taken.
    pub(crate) async fn write_tx<T, F>(&self, now: DateTime<Utc>, work: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: for<'a> FnOnce(
                &'a mut WriteTx,
            )
                -> futures::future::BoxFuture<'a, Result<(T, Option<i64>), AppError>>
            + Send
            + 'static,
    {
        self.write(now, move |job| {
            Box::pin(async move {
                let tx = job.writes().await?;
                work(tx).await
            })
        })
        .await
    }

    /// At most `total` live seat-map streams, `per_client` of them from one
    /// client (defaults 10,000 and 32).
    pub fn limit_streams(self, total: usize, per_client: usize) -> Self {
        self.live.streams.set_limits(total, per_client);
        self
    }

    /// A place to watch `trip_id`'s seats change (a live seat map), for the
    /// client keyed `client`; refused beyond the caps.
    pub fn watch(&self, trip_id: i64, client: std::net::IpAddr) -> Result<Watch, AppError> {
        self.live.streams.watch(trip_id, client)
    }

    /// Returns at the next change of any trip's seats (for the sweep).
    pub async fn any_change(&self) {
        self.live.any_change().await
    }

    /// Live seat-map streams open now.
    pub fn live_streams(&self) -> usize {
        self.live.streams.streams()
    }

    /// Announces that a trip's seats changed. Writers call it after their
    /// commit (the expiry step may call it before: harmless, since reads
    /// compute expiry from the time anyway), so a seat map read that began
    /// before the change can never be cached after it.
    fn notify(&self, trip_id: i64) {
        self.live.seats_changed(trip_id);
    }

    pub fn storage(&self) -> &Storage {
        &self.storage
    }

    pub fn policy(&self) -> &HoldPolicy {
        &self.policy
    }

    pub fn tz(&self) -> Tz {
        self.tz
    }

    /// One step of the background sweep: expires up to `batch` due holds in
    /// one short transaction and returns how many it expired. Reads already
    /// treat expired holds as released, so the sweep only tidies the table.
    pub async fn sweep_step(&self, now: DateTime<Utc>, batch: i64) -> Result<usize, AppError> {
        let mut tx = self.storage.begin().await?;
        let trips = expire_due(&mut tx, now, batch).await?;
        tx.commit().await?;
        let n = trips.len();
        for trip in trips {
            self.notify(trip);
        }
        Ok(n)
    }

    /// When the next live hold expires (the sweep wakes then, so that open
    /// seat maps learn of an expiry at its moment).
    pub async fn next_expiry(&self, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, AppError> {
        let mut conn = self.storage.reader().acquire().await?;
        Ok(storage::next_expiry(&mut conn, to_ms(now))
            .await?
            .map(storage::from_ms))
    }

    /// Expires every due hold, in batches so requests interleave.
    pub async fn sweep(&self, now: DateTime<Utc>) -> Result<usize, AppError> {
        let mut total = 0;
        loop {
            let n = self.sweep_step(now, 500).await?;
            total += n;
            if n < 500 {
                return Ok(total);
            }
        }
    }
}

/// Expires up to `limit` live holds whose time is up: frees their seats,
/// marks them EXPIRED (keeping their seats, contact and claim code for a
/// late payment) and writes one audit row each. Returns the trip of each
/// expired hold.
async fn expire_due(
    tx: &mut WriteTx,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<i64>, AppError> {
    let now_ms = to_ms(now);
    let due = storage::due_holds(tx, now_ms, limit).await?;
    for hold in &due {
        let seats = storage::free_held_seats(tx, hold.id).await?;
        storage::end_hold(tx, hold.id, "EXPIRED", hold.expires_at).await?;
        storage::insert_audit(
            tx,
            &NewAudit {
                at: now_ms,
                actor: "system",
                action: "expire",
                trip_id: hold.trip_id,
                hold_id: Some(hold.id),
                seats: &seats,
                detail: "",
            },
        )
        .await?;
    }
    Ok(due.iter().map(|h| h.trip_id).collect())
}
