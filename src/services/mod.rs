//! The service layer: every operation of SPEC §1, once.
//!
//! The JSON API and the Leptos server functions are thin adapters over
//! [`Service`]. Each write is one transaction on the single writer
//! connection that (1) first expires every hold whose time is up, so every
//! write sees expired holds as released, (2) changes seats only through
//! conditional updates checked by rows affected, and (3) writes its audit
//! row before committing. Time is always an argument: no rule here reads
//! the clock.

mod admin;
mod holds;
mod session;
mod staff;
mod trips;
mod views;
pub use views::booking_whatsapp_url;

pub use admin::{HoldFilter, NewTripInput, TripUpdate, manifest_csv};
pub use session::{SessionKey, new_token};
pub use staff::{hash_password, random_password, verify_password};
pub use trips::TripFilter;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use tokio::sync::broadcast;

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
    /// Trip ids whose seats just changed, for live seat maps.
    events: broadcast::Sender<i64>,
    /// Seat maps served from memory (see `trips::SeatMapCache`).
    seat_maps: std::sync::Arc<trips::SeatMapCache>,
}

impl Service {
    pub fn new(storage: Storage, policy: HoldPolicy, tz: Tz) -> Self {
        let (events, _) = broadcast::channel(1024);
        Self {
            storage,
            policy,
            tz,
            events,
            seat_maps: Default::default(),
        }
    }

    /// Trip ids whose seats changed, as they happen (live seat maps).
    pub fn subscribe(&self) -> broadcast::Receiver<i64> {
        self.events.subscribe()
    }

    /// Tells live seat maps of `trip_id` to refresh. Nobody listening is fine.
    /// Announces that a trip's seats changed. Writers call it after their
    /// commit (the expiry step may call it before: harmless, since reads
    /// compute expiry from the time anyway), so a seat map read that began
    /// before the change can never be cached after it.
    fn notify(&self, trip_id: i64) {
        self.seat_maps.invalidate(trip_id);
        let _ = self.events.send(trip_id);
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

    /// Starts a write: takes the writer and expires every due hold first.
    async fn begin(&self, now: DateTime<Utc>) -> Result<WriteTx, AppError> {
        let mut tx = self.storage.begin().await?;
        // Announced before the commit: readers already see these seats as
        // free, because expiry is computed from the time on every read.
        for trip in expire_due(&mut tx, now, i64::MAX).await? {
            self.notify(trip);
        }
        Ok(tx)
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
