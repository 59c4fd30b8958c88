//! The service layer: every operation of SPEC §1, once.
//!
//! The JSON API and the Leptos server functions are thin adapters over
//! [`Service`]. Every write (passengers', admins', staff sign-in, trips,
//! the demo seed, the expiry sweep) takes one road, [`Service::write`]:
//! storage's write road (`storage::road`), which runs it in a transaction
//! shared with the other writes waiting at the same time, that (1) first
//! expires every hold whose time is up, so every write sees expired holds
//! as released, (2) changes seats only through conditional updates checked
//! by rows affected, and (3) writes its audit row before committing; its
//! answer comes after the commit, and the trip it changed is announced to
//! the live state (`live`) before that. Reads take a pooled connection
//! ([`Storage::read`]). Time is always an argument: no rule here reads the
//! clock.

mod admin;
mod boarding;
mod holds;
mod live;
mod payment;
mod receipts;
mod reports;
mod schedules;
mod session;
mod staff;
mod statement;
mod trips;
mod views;
mod webhooks;
pub use views::booking_whatsapp_url;
pub use webhooks::MAX_ENDPOINTS;

pub use admin::{HoldFilter, NewTripInput, TripUpdate, manifest_csv, spreadsheet_cell};
pub use boarding::{Boarder, Staff};
pub use live::Watch;
pub use payment::{QRIS_MAX_SIDE, QrisImage};
pub use receipts::{CLEANING_AT_ONCE, ReceiptFile};
pub use schedules::{DateRule, NewSchedule, ScheduleEdit};
pub use session::{SessionKey, new_token};
pub use staff::{hash_password, random_password, verify_password_in};
pub use statement::MAX_STATEMENT_LINES;
pub use trips::{ListedTrip, PublicSeatMap, TripFilter};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::domain::webhook::WebhookEvent;
use crate::domain::{AppError, HoldPolicy};
use crate::storage::road::{Changed, Job, Road};
use crate::storage::{self, NewAudit, Storage, WriteTx, to_ms};

impl From<sqlx::Error> for AppError {
    /// Database failures are logged here, with their detail, and reach
    /// clients only as `internal`.
    fn from(err: sqlx::Error) -> Self {
        // A write that met another transaction's lock runs again (see
        // `storage::road`): no error to log.
        if storage::road::note_error(&err) {
            tracing::debug!(error = %err, "write contended; it runs again");
            return AppError::Internal;
        }
        // A CHECK constraint is a rule of the data that the parsers in
        // `domain` enforce first; if one still fires, the request broke
        // it (400), and the log names the constraint.
        if let Some(db) = err.as_database_error()
            && matches!(db.kind(), sqlx::error::ErrorKind::CheckViolation)
        {
            tracing::warn!(error = %err, "request refused by a check constraint");
            return AppError::invalid("This value is not allowed.");
        }
        tracing::error!(error = %err, "database error");
        AppError::Internal
    }
}

/// Who performs an operation, as written in the audit log.
#[derive(Clone, Debug)]
pub enum Actor {
    Session(SessionKey),
    Staff(String),
    /// A crew account (boarding only).
    Crew(String),
    ApiKey,
    System,
}

impl Actor {
    pub fn label(&self) -> String {
        match self {
            Actor::Session(key) => format!("session:{}", key.short()),
            Actor::Staff(name) => format!("admin:{name}"),
            Actor::Crew(name) => format!("crew:{name}"),
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
    /// The write road (group commit; see `storage::road`).
    road: Road,
    /// Places for Argon2 verifications running at once (see `sign_in`).
    hashing: std::sync::Arc<staff::Hashing>,
    /// Sends webhooks (see `webhooks`).
    webhook_client: reqwest::Client,
    /// Receipt files and the places to clean them (see `receipts`).
    receipts: std::sync::Arc<receipts::Receipts>,
    /// The key that signs tickets' QR codes, read once (see `boarding`).
    ticket_key: std::sync::Arc<tokio::sync::OnceCell<String>>,
}

impl Service {
    /// Also starts the write road's writer (and, on PostgreSQL, the
    /// listener for other instances' changes), so it must be called inside
    /// a Tokio runtime; both end when the last clone is dropped.
    pub fn new(storage: Storage, policy: HoldPolicy, tz: Tz) -> Self {
        // On PostgreSQL other instances write too: memory is trusted only
        // once the listener hears them (see `live`).
        let one_writer = storage.backend() == storage::Backend::Sqlite;
        let live = std::sync::Arc::new(live::LiveState::new(one_writer));
        let road = Road::start(
            storage.clone(),
            live.instance(),
            Box::new(|tx, now| Box::pin(expire_due(tx, now))),
            Box::new({
                let live = live.clone();
                move |changed| live.changed(changed)
            }),
        );
        // The listener holds the state weakly: it stops when the service's
        // last clone is gone.
        let weak = std::sync::Arc::downgrade(&live);
        if let Some(listener) = storage.listen(live.instance(), move |heard| {
            if let Some(live) = weak.upgrade() {
                live.heard(heard);
            }
        }) {
            live.listen_with(listener);
        }
        Self {
            storage,
            policy,
            tz,
            live,
            road,
            hashing: std::sync::Arc::new(staff::Hashing::new(2)),
            webhook_client: webhooks::client(),
            receipts: receipts::Receipts::temporary(),
            ticket_key: Default::default(),
        }
    }

    /// At most `n` password verifications at once (default 2).
    pub fn limit_password_hashing(mut self, n: usize) -> Self {
        self.hashing = std::sync::Arc::new(staff::Hashing::new(n));
        self
    }

    /// Runs `work` on the write road (see `storage::road`) and answers
    /// once it is committed. `work` returns its value and the trips whose
    /// seats it changed ([`Changed`]), announced after the commit. The road may run it
    /// more than once (a copy each time): when it meets another process's
    /// lock, it runs again in the next batch.
    pub(crate) async fn write<T, F>(&self, now: DateTime<Utc>, work: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: for<'a> FnOnce(
                &'a mut Job,
            )
                -> futures::future::BoxFuture<'a, Result<(T, Changed), AppError>>
            + Clone
            + Send
            + 'static,
    {
        self.road.write(now, work).await
    }

    /// [`Service::write`] for work that writes from its first statement:
    /// it gets the transaction with its savepoint taken.
    pub(crate) async fn write_tx<T, F>(&self, now: DateTime<Utc>, work: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: for<'a> FnOnce(
                &'a mut WriteTx,
            )
                -> futures::future::BoxFuture<'a, Result<(T, Changed), AppError>>
            + Clone
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

    /// PostgreSQL: whether this instance is now the only one writing to
    /// the database (its reads then skip the sync point, see
    /// `storage::peers`) and how many sync points its reads have asked
    /// for; `None` on SQLite.
    pub fn sync_points(&self) -> Option<(bool, u64)> {
        self.live.sync_points()
    }

    /// Returns at the next change of any trip's seats (for the sweep).
    pub async fn any_change(&self) {
        self.live.any_change().await
    }

    /// Live seat-map streams open now.
    pub fn live_streams(&self) -> usize {
        self.live.streams.streams()
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

    /// When the next live hold expires (the sweep wakes then, so that open
    /// seat maps learn of an expiry at its moment).
    pub async fn next_expiry(&self, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, AppError> {
        let mut conn = self.storage.read().await?;
        Ok(storage::next_expiry(&mut conn, to_ms(now))
            .await?
            .map(storage::from_ms))
    }

    /// The background sweep's step: a write with nothing to do but what
    /// every write does first, expiring the holds due at `now`. Returns how
    /// many it expired. Reads already treat expired holds as released; the
    /// sweep frees their seats in the tables and announces the change to
    /// open seat maps at its moment.
    pub async fn sweep(&self, now: DateTime<Utc>) -> Result<usize, AppError> {
        self.write(now, |job| {
            Box::pin(async move { Ok((job.expired(), Changed::nothing())) })
        })
        .await
    }
}

/// Expires every live hold whose time is up: marks it EXPIRED (keeping its
/// seats, contact and claim code for a late payment), frees its seats and
/// writes one audit row. A hold that another process ended meanwhile (the
/// conditional update changes nothing) is left alone, audit row and all.
/// Returns the trip of each hold it expired.
async fn expire_due(tx: &mut WriteTx, now: DateTime<Utc>) -> Result<Vec<i64>, AppError> {
    let now_ms = to_ms(now);
    let due = storage::due_holds(tx, now_ms, i64::MAX).await?;
    let mut expired = Vec::with_capacity(due.len());
    for hold in &due {
        if !storage::end_hold(tx, hold.id, "EXPIRED", hold.expires_at).await? {
            continue;
        }
        let seats = storage::free_held_seats(tx, hold.id).await?;
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
        // Endpoints hear of the holds that awaited payment (contact
        // attached); a hold nobody gave contact for is no one's business.
        if let Some(row) = storage::hold_by_id(tx, hold.id).await?
            && row.claim_code.is_some()
        {
            let held = storage::seats_of_hold(tx, hold.id).await?;
            webhooks::queue_event(tx, WebhookEvent::HoldExpired, &row, &held, now).await?;
        }
        expired.push(hold.trip_id);
    }
    Ok(expired)
}
