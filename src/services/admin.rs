//! The admin's operations: book (confirm payment), extend, release, cancel,
//! the hold list and the trip list. Callers authenticate the admin; the
//! `Actor` they pass is written to the audit log.

use chrono::{DateTime, Duration, Utc};

use super::holds::{audit, unused_booking_code};
use super::views::{effective_status, trip_view};
use super::{Actor, Service};
use crate::domain::{
    AppError, Booking, BookingCode, BusType, ClaimCode, Hold, HoldStatus, SeatCode, Trip, WhatsApp,
};
use crate::storage::{self, HoldQuery, NewTrip, to_ms};

/// The admin's hold search.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct HoldFilter {
    /// A name (or part of it), a WhatsApp number, or a claim code.
    pub q: Option<String>,
    /// HELD, BOOKED, RELEASED, EXPIRED or CANCELLED, as clients see them.
    pub status: Option<String>,
    pub trip_id: Option<i64>,
}

/// A new trip as the admin enters it.
#[derive(Clone, Debug, serde::Deserialize)]
pub struct NewTripInput {
    pub route_from: String,
    pub route_to: String,
    pub depart_at: DateTime<Utc>,
    pub price: i64,
    pub bus_type: BusType,
    pub admin_wa: String,
}

impl Service {
    /// Confirms payment: books exactly the seats of the hold with this claim
    /// code and gives it a booking code. Booking again returns the same
    /// booking. An expired hold (a late payment) is booked only when every
    /// one of its seats is still available; otherwise nothing changes.
    pub async fn book(
        &self,
        actor: &Actor,
        code: &ClaimCode,
        now: DateTime<Utc>,
    ) -> Result<Booking, AppError> {
        let mut tx = self.begin(now).await?;
        let hold = storage::hold_by_claim_code(&mut tx, code.as_str())
            .await?
            .ok_or(AppError::ClaimNotFound)?;
        // `begin` expired due holds, so the stored status is current.
        match HoldStatus::parse(&hold.status) {
            Some(HoldStatus::Booked) => {
                let booking = self.booking_view(&mut tx, &hold, now).await?;
                return Ok(booking);
            }
            Some(HoldStatus::Cancelled) => return Err(AppError::BookingCancelled),
            Some(HoldStatus::Released) => return Err(AppError::HoldExpired),
            Some(HoldStatus::Held) => {
                let seats = storage::seats_of_hold(&mut tx, hold.id).await?;
                let booked = storage::book_held_seats(&mut tx, hold.id).await?;
                if booked as usize != seats.len() {
                    return Err(super::views::corrupt("seats of a live hold"));
                }
            }
            Some(HoldStatus::Expired) => {
                let seats = storage::seats_of_hold(&mut tx, hold.id).await?;
                let mut unavailable = Vec::new();
                for seat in &seats {
                    if !storage::take_seat(&mut tx, hold.trip_id, seat, hold.id, "BOOKED").await? {
                        unavailable.push(SeatCode::parse(seat)?);
                    }
                }
                if !unavailable.is_empty() || seats.is_empty() {
                    unavailable.sort();
                    return Err(AppError::SeatsUnavailable { seats: unavailable });
                }
            }
            None => return Err(super::views::corrupt("holds.status")),
        }
        let booking_code = unused_booking_code(&mut tx).await?;
        storage::mark_booked(&mut tx, hold.id, &booking_code, to_ms(now)).await?;
        let seats = storage::seats_of_hold(&mut tx, hold.id).await?;
        audit(
            &mut tx,
            now,
            actor,
            "book",
            hold.trip_id,
            hold.id,
            &seats,
            &booking_code,
        )
        .await?;
        let row = storage::hold_by_id(&mut tx, hold.id)
            .await?
            .ok_or(AppError::Internal)?;
        let booking = self.booking_view(&mut tx, &row, now).await?;
        tx.commit().await?;
        self.notify(row.trip_id);
        Ok(booking)
    }

    /// Extends a live hold by `by` (default: `HOLD_MINUTES`), never past
    /// `MAX_HOLD_MINUTES` from its start.
    pub async fn admin_extend(
        &self,
        actor: &Actor,
        code: &ClaimCode,
        by: Option<Duration>,
        now: DateTime<Utc>,
    ) -> Result<Hold, AppError> {
        let mut tx = self.begin(now).await?;
        let hold = self.live_hold_by_claim(&mut tx, code, now).await?;
        let new = self.policy.admin_extend(
            storage::from_ms(hold.started_at),
            storage::from_ms(hold.expires_at),
            by.unwrap_or(self.policy.hold),
            now,
        )?;
        let view = self
            .extend_to(&mut tx, actor, &hold, new, false, now)
            .await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Releases every seat of a live hold (a passenger who will not pay).
    pub async fn admin_release(
        &self,
        actor: &Actor,
        code: &ClaimCode,
        now: DateTime<Utc>,
    ) -> Result<Hold, AppError> {
        let mut tx = self.begin(now).await?;
        let hold = self.live_hold_by_claim(&mut tx, code, now).await?;
        let seats = storage::free_held_seats(&mut tx, hold.id).await?;
        storage::end_hold(&mut tx, hold.id, "RELEASED", to_ms(now)).await?;
        audit(
            &mut tx,
            now,
            actor,
            "release",
            hold.trip_id,
            hold.id,
            &seats,
            "",
        )
        .await?;
        let row = storage::hold_by_id(&mut tx, hold.id)
            .await?
            .ok_or(AppError::Internal)?;
        let view = self.hold_view(&mut tx, &row, now).await?;
        tx.commit().await?;
        self.notify(row.trip_id);
        Ok(view)
    }

    async fn live_hold_by_claim(
        &self,
        tx: &mut storage::WriteTx,
        code: &ClaimCode,
        now: DateTime<Utc>,
    ) -> Result<storage::HoldRow, AppError> {
        let hold = storage::hold_by_claim_code(tx, code.as_str())
            .await?
            .ok_or(AppError::ClaimNotFound)?;
        match effective_status(&hold, now)? {
            HoldStatus::Held => Ok(hold),
            HoldStatus::Booked | HoldStatus::Cancelled => Err(AppError::AlreadyBooked),
            HoldStatus::Expired | HoldStatus::Released => Err(AppError::HoldExpired),
        }
    }

    /// Cancels a booking: its seats become available again. Cancelling
    /// twice is harmless.
    pub async fn cancel_booking(
        &self,
        actor: &Actor,
        code: &BookingCode,
        now: DateTime<Utc>,
    ) -> Result<Booking, AppError> {
        let mut tx = self.begin(now).await?;
        let hold = storage::hold_by_booking_code(&mut tx, code.as_str())
            .await?
            .ok_or(AppError::BookingNotFound)?;
        if hold.status == "BOOKED" {
            let seats = storage::cancel_booking(&mut tx, hold.id, to_ms(now)).await?;
            audit(
                &mut tx,
                now,
                actor,
                "cancel",
                hold.trip_id,
                hold.id,
                &seats,
                code.as_str(),
            )
            .await?;
        }
        let row = storage::hold_by_id(&mut tx, hold.id)
            .await?
            .ok_or(AppError::Internal)?;
        let booking = self.booking_view(&mut tx, &row, now).await?;
        tx.commit().await?;
        self.notify(row.trip_id);
        Ok(booking)
    }

    /// A booking, shown to whoever gives its WhatsApp number.
    pub async fn find_booking(
        &self,
        code: &BookingCode,
        whatsapp: &str,
        now: DateTime<Utc>,
    ) -> Result<Booking, AppError> {
        let whatsapp = WhatsApp::parse(whatsapp).map_err(|_| AppError::BookingNotFound)?;
        let mut conn = self.storage.reader().acquire().await?;
        let hold = storage::hold_by_booking_code(&mut conn, code.as_str())
            .await?
            .filter(|h| h.whatsapp.as_deref() == Some(whatsapp.as_str()))
            .ok_or(AppError::BookingNotFound)?;
        self.booking_view(&mut conn, &hold, now).await
    }

    /// Holds with contact details for the admin, newest first.
    pub async fn admin_holds(
        &self,
        filter: &HoldFilter,
        now: DateTime<Utc>,
    ) -> Result<Vec<Hold>, AppError> {
        let text = filter
            .q
            .as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(|q| q.chars().take(100).collect::<String>());
        let status = match filter
            .status
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(s) => Some(HoldStatus::parse(s).ok_or_else(|| {
                AppError::invalid("status must be HELD, BOOKED, RELEASED, EXPIRED or CANCELLED.")
            })?),
        };
        let now_ms = to_ms(now);
        // HELD and EXPIRED as clients see them depend on the time: a stored
        // HELD past its expiry is EXPIRED.
        let q = HoldQuery {
            claim_code: text
                .as_deref()
                .and_then(|t| ClaimCode::parse(t).ok())
                .map(|c| c.to_string()),
            text,
            status: status.and_then(|s| match s {
                HoldStatus::Expired => None,
                s => Some(s.as_str().to_string()),
            }),
            live_at: (status == Some(HoldStatus::Held)).then_some(now_ms),
            expired_at: None,
            trip_id: filter.trip_id,
        };
        let rows = storage::search_holds(self.storage.reader(), &q).await?;
        let mut conn = self.storage.reader().acquire().await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let view = self.hold_view(&mut conn, &row, now).await?;
            if status.is_none_or(|s| view.status == s) {
                out.push(view);
            }
        }
        Ok(out)
    }

    /// Every trip, listed or not, for the admin.
    pub async fn admin_trips(&self, now: DateTime<Utc>) -> Result<Vec<Trip>, AppError> {
        storage::all_trips(self.storage.reader(), to_ms(now))
            .await?
            .iter()
            .map(trip_view)
            .collect()
    }

    /// Creates a trip and lays out its seats from the bus type.
    pub async fn create_trip(
        &self,
        actor: &Actor,
        input: &NewTripInput,
        now: DateTime<Utc>,
    ) -> Result<Trip, AppError> {
        let route_from = clean_place(&input.route_from, "route_from")?;
        let route_to = clean_place(&input.route_to, "route_to")?;
        if !(0..=100_000_000).contains(&input.price) {
            return Err(AppError::invalid(
                "price must be whole rupiah between 0 and 100.000.000.",
            ));
        }
        if input.depart_at <= now {
            return Err(AppError::invalid("depart_at must be in the future."));
        }
        let admin_wa = WhatsApp::parse(&input.admin_wa)?;
        let mut tx = self.begin(now).await?;
        let trip = NewTrip {
            route_from: &route_from,
            route_to: &route_to,
            depart_at: to_ms(input.depart_at),
            price: input.price,
            bus_type: input.bus_type,
            admin_wa: admin_wa.as_str(),
        };
        let id = storage::insert_trip(&mut tx, &trip, to_ms(now)).await?;
        storage::insert_audit(
            &mut tx,
            &storage::NewAudit {
                at: to_ms(now),
                actor: &actor.label(),
                action: "trip",
                trip_id: id,
                hold_id: None,
                seats: &[],
                detail: "created",
            },
        )
        .await?;
        let row = storage::trip_by_id(&mut tx, id, to_ms(now))
            .await?
            .ok_or(AppError::Internal)?;
        tx.commit().await?;
        trip_view(&row)
    }
}

fn clean_place(s: &str, field: &str) -> Result<String, AppError> {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.is_empty() || s.chars().count() > 60 || s.chars().any(char::is_control) {
        return Err(AppError::invalid(format!(
            "{field} must be a place name of 1 to 60 characters."
        )));
    }
    Ok(s)
}
