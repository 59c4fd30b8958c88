//! The admin's operations: book (confirm payment), extend, release, cancel,
//! the hold list and the trip list. Callers authenticate the admin; the
//! `Actor` they pass is written to the audit log.

use chrono::{DateTime, Duration, Utc};

use super::holds::{audit, unused_booking_code};
use super::views::{effective_status, stop_at, stops_json, stops_of, trip_view};
use super::{Actor, Service};
use crate::domain::webhook::WebhookEvent;
use crate::domain::{
    AppError, AuditEvent, Booking, BookingCode, BusType, ClaimCode, Hold, HoldStatus, Manifest,
    ManifestEntry, Receipt, SeatCode, Stop, Stops, Trip, WhatsApp,
};
use crate::storage::road::Changed;
use crate::storage::{self, HoldQuery, NewTrip, WriteTx, to_ms};

/// The admin's hold search.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HoldFilter {
    /// A name (or part of it), a WhatsApp number, or a claim code.
    pub q: Option<String>,
    /// HELD, BOOKED, RELEASED, EXPIRED or CANCELLED, as clients see them.
    pub status: Option<String>,
    pub trip_id: Option<i64>,
}

/// A new trip as the admin enters it.
#[derive(Clone, Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTripInput {
    pub route_from: String,
    pub route_to: String,
    pub depart_at: DateTime<Utc>,
    pub price: i64,
    pub bus_type: BusType,
    pub admin_wa: String,
    /// Boarding and drop-off points in order, the first at minute 0 (see
    /// `Stop`); none (the default) when the bus stops only at the ends.
    #[serde(default)]
    pub stops: Vec<Stop>,
}

/// Changes to a trip; absent fields stay as they are.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TripUpdate {
    pub route_from: Option<String>,
    pub route_to: Option<String>,
    pub depart_at: Option<DateTime<Utc>>,
    pub price: Option<i64>,
    pub bus_type: Option<BusType>,
    pub admin_wa: Option<String>,
    /// `false` deactivates the trip: it is no longer listed or bookable.
    pub is_active: Option<bool>,
    /// The stops anew (`[]`: none). Holds keep the points they chose.
    pub stops: Option<Vec<Stop>>,
}

pub(super) fn check_price(price: i64) -> Result<i64, AppError> {
    if (0..=100_000_000).contains(&price) {
        Ok(price)
    } else {
        Err(AppError::invalid(
            "price must be whole rupiah between 0 and 100.000.000.",
        ))
    }
}

fn check_departure(at: DateTime<Utc>, now: DateTime<Utc>) -> Result<i64, AppError> {
    if at <= now {
        return Err(AppError::invalid("depart_at must be in the future."));
    }
    Ok(to_ms(at))
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
        let (this, actor, code) = (self.clone(), actor.clone(), code.clone());
        let (booking, made) = self
            .write_tx(now, move |tx| {
                Box::pin(async move {
                    let (booking, changed) = this.book_in(tx, &actor, &code, now).await?;
                    // A hold booked before answers with its booking and
                    // changes nothing.
                    let made = !changed.is_empty();
                    Ok(((booking, made), changed))
                })
            })
            .await?;
        if made {
            crate::metrics::booking_made();
        }
        Ok(booking)
    }

    async fn book_in(
        &self,
        tx: &mut WriteTx,
        actor: &Actor,
        code: &ClaimCode,
        now: DateTime<Utc>,
    ) -> Result<(Booking, Changed), AppError> {
        let hold = storage::hold_by_claim_code(&mut *tx, code.as_str())
            .await?
            .ok_or(AppError::ClaimNotFound)?;
        // The write road expired due holds first, so the stored status is
        // current.
        match HoldStatus::parse(&hold.status) {
            Some(HoldStatus::Booked) => {
                let booking = self.booking_view(&mut *tx, &hold, now).await?;
                return Ok((booking, Changed::nothing()));
            }
            Some(HoldStatus::Cancelled) => return Err(AppError::BookingCancelled),
            Some(HoldStatus::Released) => return Err(AppError::HoldExpired),
            Some(HoldStatus::Held) => {
                let seats = storage::seat_codes_of_hold(&mut *tx, hold.id).await?;
                let booked = storage::book_held_seats(&mut *tx, hold.id).await?;
                if booked as usize != seats.len() {
                    return Err(super::views::corrupt("seats of a live hold"));
                }
            }
            Some(HoldStatus::Expired) => {
                let seats = storage::seat_codes_of_hold(&mut *tx, hold.id).await?;
                let mut unavailable = Vec::new();
                for seat in &seats {
                    if !storage::take_seat(&mut *tx, hold.trip_id, seat, hold.id, "BOOKED").await? {
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
        let booking_code = unused_booking_code(&mut *tx).await?;
        storage::mark_booked(&mut *tx, hold.id, &booking_code, to_ms(now)).await?;
        let held = storage::seats_of_hold(&mut *tx, hold.id).await?;
        let seats: Vec<String> = held.iter().map(|h| h.code.clone()).collect();
        audit(
            &mut *tx,
            now,
            actor,
            "book",
            hold.trip_id,
            hold.id,
            &seats,
            &booking_code,
        )
        .await?;
        let row = storage::hold_by_id(&mut *tx, hold.id)
            .await?
            .ok_or(AppError::Internal)?;
        super::webhooks::queue_event(tx, WebhookEvent::BookingConfirmed, &row, &held, now).await?;
        let booking = self.booking_view(&mut *tx, &row, now).await?;
        Ok((booking, Changed::trip(row.trip_id)))
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
        let (this, actor, code) = (self.clone(), actor.clone(), code.clone());
        self.write_tx(now, move |tx| {
            Box::pin(async move {
                let hold = this.live_hold_by_claim(tx, &code, now).await?;
                let new = this.policy.admin_extend(
                    storage::from_ms(hold.started_at),
                    storage::from_ms(hold.expires_at),
                    by.unwrap_or(this.policy.hold),
                    now,
                )?;
                let view = this.extend_to(tx, &actor, &hold, new, false, now).await?;
                Ok((view, Changed::nothing()))
            })
        })
        .await
    }

    /// Releases every seat of a live hold (a passenger who will not pay).
    pub async fn admin_release(
        &self,
        actor: &Actor,
        code: &ClaimCode,
        now: DateTime<Utc>,
    ) -> Result<Hold, AppError> {
        let (this, actor, code) = (self.clone(), actor.clone(), code.clone());
        self.write_tx(now, move |tx| {
            Box::pin(async move {
                let hold = this.live_hold_by_claim(tx, &code, now).await?;
                let seats = storage::free_held_seats(&mut *tx, hold.id).await?;
                storage::end_hold(&mut *tx, hold.id, "RELEASED", to_ms(now)).await?;
                let trip = hold.trip_id;
                audit(tx, now, &actor, "release", trip, hold.id, &seats, "").await?;
                let view = this.live_view(tx, hold.id, now).await?;
                Ok((view, Changed::trip(trip)))
            })
        })
        .await
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
        let (this, actor, code) = (self.clone(), actor.clone(), code.clone());
        self.write_tx(now, move |tx| {
            Box::pin(async move { this.cancel_in(tx, &actor, &code, now).await })
        })
        .await
    }

    async fn cancel_in(
        &self,
        tx: &mut WriteTx,
        actor: &Actor,
        code: &BookingCode,
        now: DateTime<Utc>,
    ) -> Result<(Booking, Changed), AppError> {
        let hold = storage::hold_by_booking_code(&mut *tx, code.as_str())
            .await?
            .ok_or(AppError::BookingNotFound)?;
        let mut changed = Changed::nothing();
        let mut cancelled = false;
        if hold.status == "BOOKED" {
            let seats = storage::cancel_booking(&mut *tx, hold.id, to_ms(now)).await?;
            audit(
                tx,
                now,
                actor,
                "cancel",
                hold.trip_id,
                hold.id,
                &seats,
                code.as_str(),
            )
            .await?;
            changed = Changed::trip(hold.trip_id);
            cancelled = true;
        }
        let row = storage::hold_by_id(&mut *tx, hold.id)
            .await?
            .ok_or(AppError::Internal)?;
        if cancelled {
            let held = storage::seats_of_hold(&mut *tx, hold.id).await?;
            super::webhooks::queue_event(tx, WebhookEvent::BookingCancelled, &row, &held, now)
                .await?;
        }
        let booking = self.booking_view(&mut *tx, &row, now).await?;
        Ok((booking, changed))
    }

    /// A booking, shown to whoever gives its WhatsApp number.
    pub async fn find_booking(
        &self,
        code: &BookingCode,
        whatsapp: &str,
        now: DateTime<Utc>,
    ) -> Result<Booking, AppError> {
        let whatsapp = WhatsApp::parse(whatsapp).map_err(|_| AppError::BookingNotFound)?;
        let mut conn = self.storage.read().await?;
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
        Ok(self
            .admin_hold_rows(filter, now)
            .await?
            .into_iter()
            .map(|(_, hold)| hold)
            .collect())
    }

    /// [`Service::admin_holds`] with each hold's id.
    async fn admin_hold_rows(
        &self,
        filter: &HoldFilter,
        now: DateTime<Utc>,
    ) -> Result<Vec<(i64, Hold)>, AppError> {
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
        // No stored name, number or code has a control character (and
        // PostgreSQL text cannot even hold a NUL): such a search finds
        // nothing.
        if text
            .as_deref()
            .is_some_and(|t| t.chars().any(char::is_control))
        {
            return Ok(Vec::new());
        }
        let now_ms = to_ms(now);
        // HELD and EXPIRED as clients see them depend on the time: a stored
        // HELD past its expiry is EXPIRED.
        let q = HoldQuery {
            claim_code: text
                .as_deref()
                .and_then(|t| ClaimCode::parse(t).ok())
                .map(|c| c.to_string()),
            amount: text.as_deref().and_then(crate::domain::parse_rupiah),
            text,
            status: status.and_then(|s| match s {
                HoldStatus::Expired => None,
                s => Some(s.as_str().to_string()),
            }),
            live_at: (status == Some(HoldStatus::Held)).then_some(now_ms),
            trip_id: filter.trip_id,
        };
        let mut conn = self.storage.read().await?;
        let rows = storage::search_holds(&mut conn, &q).await?;
        // Their seats in one more statement, not one per hold.
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let mut seats: std::collections::HashMap<i64, Vec<storage::HeldSeat>> = Default::default();
        for (hold, seat) in storage::seats_of_holds(&mut conn, &ids).await? {
            seats.entry(hold).or_default().push(seat);
        }
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let held = seats.remove(&row.id).unwrap_or_default();
            let view = self.hold_view_of(&row, &held, now)?;
            if status.is_none_or(|s| view.status == s) {
                out.push((row.id, view));
            }
        }
        Ok(out)
    }

    /// [`Service::admin_holds`] with each hold's trip (one statement for
    /// all the trips) and the receipts its passenger sent (one more), as
    /// the admin's board shows them.
    pub async fn admin_holds_with_trips(
        &self,
        filter: &HoldFilter,
        now: DateTime<Utc>,
    ) -> Result<Vec<(Hold, Trip, Vec<Receipt>)>, AppError> {
        let rows = self.admin_hold_rows(filter, now).await?;
        let hold_ids: Vec<i64> = rows.iter().map(|(id, _)| *id).collect();
        let mut receipts = self.receipts_by_hold(&hold_ids).await?;
        let holds: Vec<(Hold, Vec<Receipt>)> = rows
            .into_iter()
            .map(|(id, h)| (h, receipts.remove(&id).unwrap_or_default()))
            .collect();
        let mut ids: Vec<i64> = holds.iter().map(|(h, _)| h.trip_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let trips: std::collections::HashMap<i64, Trip> =
            storage::trips_by_ids(&mut self.storage.read().await?, &ids, to_ms(now))
                .await?
                .iter()
                .map(|row| trip_view(row).map(|t| (t.id, t)))
                .collect::<Result<_, _>>()?;
        holds
            .into_iter()
            .map(|(h, r)| {
                let trip = trips
                    .get(&h.trip_id)
                    .cloned()
                    .ok_or_else(|| super::views::corrupt("holds.trip_id"))?;
                Ok((h, trip, r))
            })
            .collect()
    }

    /// Every trip, listed or not, for the admin.
    pub async fn admin_trips(&self, now: DateTime<Utc>) -> Result<Vec<Trip>, AppError> {
        storage::all_trips(&mut self.storage.read().await?, to_ms(now))
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
        let price = check_price(input.price)?;
        let depart_at = check_departure(input.depart_at, now)?;
        let admin_wa = WhatsApp::parse(&input.admin_wa)?;
        let stops = stops_json(&Stops::new(input.stops.clone())?);
        let (actor, bus_type) = (actor.clone(), input.bus_type);
        let row = self
            .write_tx(now, move |tx| {
                Box::pin(async move {
                    let trip = NewTrip {
                        route_from: &route_from,
                        route_to: &route_to,
                        depart_at,
                        price,
                        bus_type,
                        admin_wa: admin_wa.as_str(),
                        stops: &stops,
                    };
                    let id = storage::insert_trip(&mut *tx, &trip, to_ms(now)).await?;
                    audit_trip(tx, now, &actor, id, "created").await?;
                    let row = storage::trip_by_id(&mut *tx, id, to_ms(now))
                        .await?
                        .ok_or(AppError::Internal)?;
                    // The search reads trips again after the commit.
                    Ok((row, Changed::listing()))
                })
            })
            .await?;
        trip_view(&row)
    }
}

impl Service {
    /// Edits a trip. The bus type (and so the seat layout) changes only
    /// while no seat is held or booked, so no passenger ever loses a seat.
    pub async fn update_trip(
        &self,
        actor: &Actor,
        id: i64,
        change: &TripUpdate,
        now: DateTime<Utc>,
    ) -> Result<Trip, AppError> {
        let (this, actor, change) = (self.clone(), actor.clone(), change.clone());
        let row = self
            .write_tx(now, move |tx| {
                Box::pin(async move {
                    let row = this.update_trip_in(tx, &actor, id, &change, now).await?;
                    Ok((row, Changed::trip(id).and_listing()))
                })
            })
            .await?;
        trip_view(&row)
    }

    async fn update_trip_in(
        &self,
        tx: &mut WriteTx,
        actor: &Actor,
        id: i64,
        change: &TripUpdate,
        now: DateTime<Utc>,
    ) -> Result<storage::TripRow, AppError> {
        let old = storage::trip_by_id(&mut *tx, id, to_ms(now))
            .await?
            .ok_or(AppError::TripNotFound)?
            .info;
        let route_from = match &change.route_from {
            Some(s) => clean_place(s, "route_from")?,
            None => old.route_from.clone(),
        };
        let route_to = match &change.route_to {
            Some(s) => clean_place(s, "route_to")?,
            None => old.route_to.clone(),
        };
        let price = change
            .price
            .map(check_price)
            .transpose()?
            .unwrap_or(old.price);
        let depart_at = match change.depart_at {
            Some(at) => check_departure(at, now)?,
            None => old.depart_at,
        };
        let admin_wa = match &change.admin_wa {
            Some(s) => WhatsApp::parse(s)?.as_str().to_string(),
            None => old.admin_wa.clone(),
        };
        let old_bus =
            BusType::parse(&old.bus_type).map_err(|_| super::views::corrupt("trips.bus_type"))?;
        let bus_type = change.bus_type.unwrap_or(old_bus);
        let relayout = bus_type != old_bus;
        if relayout && storage::count_taken_seats(&mut *tx, id).await? > 0 {
            return Err(AppError::TripHasBookings);
        }
        let is_active = change.is_active.unwrap_or(old.is_active);
        let stops = match &change.stops {
            Some(list) => stops_json(&Stops::new(list.clone())?),
            None => old.stops.clone(),
        };
        let trip = NewTrip {
            route_from: &route_from,
            route_to: &route_to,
            depart_at,
            price,
            bus_type,
            admin_wa: &admin_wa,
            stops: &stops,
        };
        storage::update_trip(&mut *tx, id, &trip, is_active, storage::TripsToUpdate::Any).await?;
        if relayout {
            storage::relayout_seats(&mut *tx, id, bus_type).await?;
        }
        let mut changed = Vec::new();
        for (field, differs) in [
            ("route_from", route_from != old.route_from),
            ("route_to", route_to != old.route_to),
            ("depart_at", depart_at != old.depart_at),
            ("price", price != old.price),
            ("bus_type", relayout),
            ("admin_wa", admin_wa != old.admin_wa),
            ("is_active", is_active != old.is_active),
            ("stops", stops_of(&stops)? != stops_of(&old.stops)?),
        ] {
            if differs {
                changed.push(field);
            }
        }
        let detail = if changed.is_empty() {
            "edited: nothing changed".to_string()
        } else if changed == ["is_active"] {
            if is_active {
                "reactivated"
            } else {
                "deactivated"
            }
            .to_string()
        } else {
            format!("edited: {}", changed.join(", "))
        };
        audit_trip(tx, now, actor, id, &detail).await?;
        let row = storage::trip_by_id(&mut *tx, id, to_ms(now))
            .await?
            .ok_or(AppError::Internal)?;
        Ok(row)
    }

    /// A trip's passenger manifest: booked seats, and held seats whose
    /// passenger left contact details (payment pending).
    pub async fn manifest(&self, trip_id: i64, now: DateTime<Utc>) -> Result<Manifest, AppError> {
        let mut conn = self.storage.read().await?;
        let trip = storage::trip_by_id(&mut conn, trip_id, to_ms(now))
            .await?
            .ok_or(AppError::TripNotFound)?;
        let rows = storage::manifest(&mut conn, trip_id, to_ms(now)).await?;
        drop(conn);
        let passengers = rows
            .into_iter()
            .map(|r| {
                let contact_name = r.name.unwrap_or_default();
                Ok(ManifestEntry {
                    seat: SeatCode::parse(&r.code)?,
                    name: r.seat_name.unwrap_or_else(|| contact_name.clone()),
                    contact_name,
                    whatsapp: r.whatsapp.unwrap_or_default(),
                    booking_code: r
                        .booking_code
                        .as_deref()
                        .and_then(|c| BookingCode::parse(c).ok()),
                    claim_code: r
                        .claim_code
                        .as_deref()
                        .and_then(|c| ClaimCode::parse(c).ok()),
                    status: if r.status == "BOOKED" {
                        HoldStatus::Booked
                    } else {
                        HoldStatus::Held
                    },
                    boarded_at: r.boarded_at.map(storage::from_ms),
                    board: stop_at(&r.board_place, r.board_minutes, trip.info.depart_at),
                    alight: stop_at(&r.alight_place, r.alight_minutes, trip.info.depart_at),
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        Ok(Manifest {
            trip: trip_view(&trip)?,
            passengers,
        })
    }

    /// The audit trail of the hold with this claim code, oldest first.
    pub async fn hold_audit(&self, code: &ClaimCode) -> Result<Vec<AuditEvent>, AppError> {
        let mut conn = self.storage.read().await?;
        let hold = storage::hold_by_claim_code(&mut conn, code.as_str())
            .await?
            .ok_or(AppError::ClaimNotFound)?;
        let rows = storage::audit_of_hold(&mut conn, hold.id).await?;
        Ok(rows.into_iter().map(audit_event).collect())
    }

    /// The audit trail of a trip, newest first (at most 1,000 lines).
    pub async fn trip_audit(
        &self,
        trip_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Vec<AuditEvent>, AppError> {
        let mut conn = self.storage.read().await?;
        storage::trip_by_id(&mut conn, trip_id, to_ms(now))
            .await?
            .ok_or(AppError::TripNotFound)?;
        let rows = storage::audit_of_trip(&mut conn, trip_id).await?;
        Ok(rows.into_iter().map(audit_event).collect())
    }
}

/// The audit row of a trip-level change (created, edited, deactivated…).
pub(super) async fn audit_trip(
    tx: &mut storage::WriteTx,
    now: DateTime<Utc>,
    actor: &Actor,
    trip_id: i64,
    detail: &str,
) -> Result<(), AppError> {
    storage::insert_audit(
        tx,
        &storage::NewAudit {
            at: to_ms(now),
            actor: &actor.label(),
            action: "trip",
            trip_id,
            hold_id: None,
            seats: &[],
            detail,
        },
    )
    .await?;
    Ok(())
}

fn audit_event(row: storage::AuditEntry) -> AuditEvent {
    AuditEvent {
        at: storage::from_ms(row.at),
        actor: row.actor,
        action: row.action,
        trip_id: row.trip_id,
        seats: row.seats.split_whitespace().map(str::to_string).collect(),
        detail: row.detail,
    }
}

pub(super) fn clean_place(s: &str, field: &str) -> Result<String, AppError> {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.is_empty() || s.chars().count() > 60 || s.chars().any(char::is_control) {
        return Err(AppError::invalid(format!(
            "{field} must be a place name of 1 to 60 characters."
        )));
    }
    Ok(s)
}

/// A CSV cell a spreadsheet would run as a formula (starting with `=`,
/// `+`, `-`, `@`, tab or CR) is prefixed with `'`, so it stays text.
pub fn spreadsheet_cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// The manifest as CSV: a byte order mark (spreadsheets then read UTF-8),
/// a header row and one row per seat. A cell that a spreadsheet would run
/// as a formula (starting with `=`, `+`, `-`, `@`, tab or CR) is prefixed
/// with `'`, so a passenger's name can never become a formula.
pub fn manifest_csv(manifest: &Manifest) -> Result<Vec<u8>, AppError> {
    let cell = spreadsheet_cell;
    let mut out = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let fail = |e: csv::Error| {
        tracing::error!(error = %e, "manifest CSV");
        AppError::Internal
    };
    out.write_record([
        "seat",
        "name",
        "whatsapp",
        "booking_code",
        "claim_code",
        "status",
        "contact_name",
        "boarded_at",
        "board",
        "board_at",
        "alight",
        "alight_at",
    ])
    .map_err(fail)?;
    for p in &manifest.passengers {
        out.write_record([
            p.seat.to_string(),
            cell(&p.name),
            cell(&p.whatsapp),
            p.booking_code
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            p.claim_code
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            p.status.as_str().to_string(),
            cell(&p.contact_name),
            p.boarded_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
            p.board.as_ref().map(|s| cell(&s.place)).unwrap_or_default(),
            p.board
                .as_ref()
                .map(|s| s.at.to_rfc3339())
                .unwrap_or_default(),
            p.alight
                .as_ref()
                .map(|s| cell(&s.place))
                .unwrap_or_default(),
            p.alight
                .as_ref()
                .map(|s| s.at.to_rfc3339())
                .unwrap_or_default(),
        ])
        .map_err(fail)?;
    }
    out.into_inner().map_err(|_| AppError::Internal)
}
