//! Turning rows into the wire types of `domain`, with the time given.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::Service;
use crate::domain::{
    AppError, Booking, BookingCode, BusType, ClaimCode, Hold, HoldStatus, Passenger, SeatCode,
    Stop, StopAt, Stops, Trip, passengers_of,
};
use crate::storage::{self, Connection, HeldSeat, HoldRow, TripRow, from_ms};

pub(crate) fn trip_view(row: &TripRow) -> Result<Trip, AppError> {
    Ok(Trip {
        id: row.info.id,
        route_from: row.info.route_from.clone(),
        route_to: row.info.route_to.clone(),
        depart_at: from_ms(row.info.depart_at),
        price: row.info.price,
        bus_type: BusType::parse(&row.info.bus_type).map_err(|_| corrupt("trips.bus_type"))?,
        admin_wa: row.info.admin_wa.clone(),
        is_active: row.info.is_active,
        seats_total: row.seats_total as u32,
        seats_available: row.seats_available as u32,
        stops: stops_of(&row.info.stops)?,
    })
}

/// A trip's or schedule's stored stops (JSON, checked when written).
pub(crate) fn stops_of(json: &str) -> Result<Vec<Stop>, AppError> {
    serde_json::from_str(json).map_err(|_| corrupt("stops"))
}

/// Stops as they are stored.
pub(crate) fn stops_json(stops: &Stops) -> String {
    serde_json::to_string(stops.as_slice()).unwrap_or_else(|_| "[]".into())
}

/// A hold's chosen point (place and minutes after departure) at its time.
pub(crate) fn stop_at(
    place: &Option<String>,
    minutes: Option<i64>,
    depart_at: i64,
) -> Option<StopAt> {
    let (place, minutes) = (place.as_ref()?, minutes?);
    Some(StopAt {
        place: place.clone(),
        at: from_ms(depart_at) + chrono::Duration::minutes(minutes),
    })
}

/// Where a hold's passengers get on and off.
fn hold_stops(row: &HoldRow) -> (Option<StopAt>, Option<StopAt>) {
    (
        stop_at(&row.board_place, row.board_minutes, row.depart_at),
        stop_at(&row.alight_place, row.alight_minutes, row.depart_at),
    )
}

/// A stored value that the schema should have made impossible.
pub(crate) fn corrupt(what: &str) -> AppError {
    tracing::error!(column = what, "unexpected value in the database");
    AppError::Internal
}

/// The status a client sees: a HELD hold past its expiry is EXPIRED even
/// before the sweep has run.
pub(crate) fn effective_status(row: &HoldRow, now: DateTime<Utc>) -> Result<HoldStatus, AppError> {
    let stored = HoldStatus::parse(&row.status).ok_or_else(|| corrupt("holds.status"))?;
    Ok(match stored {
        HoldStatus::Held if from_ms(row.expires_at) <= now => HoldStatus::Expired,
        s => s,
    })
}

/// A hold's seats in seat order, each with the name given for it.
pub(crate) fn parse_held(held: &[HeldSeat]) -> Result<Vec<(SeatCode, Option<String>)>, AppError> {
    let mut seats = held
        .iter()
        .map(|h| {
            SeatCode::parse(&h.code)
                .map(|code| (code, h.name.clone()))
                .map_err(|_| corrupt("seat code"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    seats.sort_by_key(|(code, _)| *code);
    Ok(seats)
}

/// Local departure time for people: `30-11-2026 08:00 WIB`.
pub fn local_time(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%d-%m-%Y %H:%M %Z").to_string()
}

fn join_seats(seats: &[SeatCode]) -> String {
    seats
        .iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `\nNaik: Agen Cileunyi 21:15 · Turun: Terminal Giwangan 05:30` for a
/// message, or nothing on a trip without stops.
fn stops_line(board: Option<&StopAt>, alight: Option<&StopAt>, tz: Tz) -> String {
    let clock = |s: &StopAt| format!("{} {}", s.place, s.at.with_timezone(&tz).format("%H:%M"));
    match (board, alight) {
        (Some(b), Some(a)) => format!("\nNaik: {} · Turun: {}", clock(b), clock(a)),
        _ => String::new(),
    }
}

/// The seats for a message: `1A, 1B`, or `1A (Budi), 1B (Siti)` when
/// somebody other than the contact person travels.
fn seats_with_names(seats: &[SeatCode], passengers: &[Passenger], contact: &str) -> String {
    if passengers.iter().all(|p| p.name == contact) {
        return join_seats(seats);
    }
    passengers
        .iter()
        .map(|p| format!("{} ({})", p.seat, p.name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The `wa.me` link a passenger uses to pay: the admin's number and a
/// message naming the claim code, the trip and the seats.
pub(crate) fn whatsapp_pay_url(
    row: &HoldRow,
    claim: &str,
    seats: &[SeatCode],
    passengers: &[Passenger],
    tz: Tz,
) -> String {
    let name = row.name.as_deref().unwrap_or("");
    let message = format!(
        "Halo Admin, saya {name} mau bayar kursi.\nKode klaim: {claim}\nPerjalanan: {from} → {to}, {when}{stops}\nKursi: {seats}\nTransfer: {total}",
        stops = {
            let (board, alight) = hold_stops(row);
            stops_line(board.as_ref(), alight.as_ref(), tz)
        },
        from = row.route_from,
        to = row.route_to,
        when = local_time(from_ms(row.depart_at), tz),
        seats = seats_with_names(seats, passengers, name),
        total =
            crate::domain::format_rupiah(row.amount_due.unwrap_or(row.price * seats.len() as i64)),
    );
    format!(
        "https://wa.me/{}?text={}",
        row.admin_wa,
        urlencoding::encode(&message)
    )
}

impl Service {
    pub(crate) async fn hold_view(
        &self,
        conn: &mut impl Connection,
        row: &HoldRow,
        now: DateTime<Utc>,
    ) -> Result<Hold, AppError> {
        let seats = storage::seats_of_hold(conn, row.id).await?;
        self.hold_view_of(row, &seats, now)
    }

    /// The view of a hold whose seats the caller already knows.
    pub(crate) fn hold_view_of(
        &self,
        row: &HoldRow,
        held: &[HeldSeat],
        now: DateTime<Utc>,
    ) -> Result<Hold, AppError> {
        let named = parse_held(held)?;
        let passengers = passengers_of(&named, row.name.as_deref());
        let seats: Vec<SeatCode> = named.into_iter().map(|(code, _)| code).collect();
        let status = effective_status(row, now)?;
        let expires_at = from_ms(row.expires_at);
        let claim_code = row
            .claim_code
            .as_deref()
            .map(|c| ClaimCode::parse(c).map_err(|_| corrupt("holds.claim_code")))
            .transpose()?;
        let booking_code = row
            .booking_code
            .as_deref()
            .map(|c| BookingCode::parse(c).map_err(|_| corrupt("holds.booking_code")))
            .transpose()?;
        let whatsapp_url = claim_code
            .as_ref()
            .map(|c| whatsapp_pay_url(row, c.as_str(), &seats, &passengers, self.tz));
        let (board, alight) = hold_stops(row);
        Ok(Hold {
            board,
            alight,
            trip_id: row.trip_id,
            amount_due: row.amount_due.unwrap_or(row.price * seats.len() as i64),
            unique_code: row.unique_code,
            seats,
            started_at: from_ms(row.started_at),
            expires_at,
            expires_in_seconds: if status == HoldStatus::Held {
                (expires_at - now).num_seconds().max(0)
            } else {
                0
            },
            claim_code,
            name: row.name.clone(),
            whatsapp: row.whatsapp.clone(),
            passengers,
            admin_wa: row.admin_wa.clone(),
            whatsapp_url,
            status,
            extended: row.passenger_extended,
            booking_code,
        })
    }

    pub(crate) async fn booking_view(
        &self,
        conn: &mut impl Connection,
        row: &HoldRow,
        now: DateTime<Utc>,
    ) -> Result<Booking, AppError> {
        let trip = storage::trip_by_id(conn, row.trip_id, storage::to_ms(now))
            .await?
            .ok_or_else(|| corrupt("holds.trip_id"))?;
        let named = parse_held(&storage::seats_of_hold(conn, row.id).await?)?;
        let name = row.name.clone().unwrap_or_default();
        let passengers = passengers_of(&named, Some(&name));
        let seats: Vec<SeatCode> = named.into_iter().map(|(code, _)| code).collect();
        let (board, alight) = hold_stops(row);
        Ok(Booking {
            board,
            alight,
            booking_code: row
                .booking_code
                .as_deref()
                .and_then(|c| BookingCode::parse(c).ok())
                .ok_or_else(|| corrupt("holds.booking_code"))?,
            trip: trip_view(&trip)?,
            amount: row.amount_due.unwrap_or(row.price * seats.len() as i64),
            seats,
            name,
            whatsapp: row.whatsapp.clone().unwrap_or_default(),
            passengers,
            booked_at: from_ms(row.booked_at.unwrap_or(row.started_at)),
            status: HoldStatus::parse(&row.status).ok_or_else(|| corrupt("holds.status"))?,
        })
    }
}

/// The `wa.me` link the admin uses to send a passenger their booking: the
/// passenger's number and a message with the booking code, the trip, the
/// seats and the ticket link.
pub fn booking_whatsapp_url(booking: &Booking, ticket_url: &str, tz: Tz) -> String {
    let message = format!(
        "Halo {name}, pembayaran Anda sudah kami terima. Terima kasih!\nKode booking: {code}\nPerjalanan: {from} → {to}, {when}{stops}\nKursi: {seats}\nTiket: {ticket_url}",
        stops = stops_line(booking.board.as_ref(), booking.alight.as_ref(), tz),
        name = booking.name,
        code = booking.booking_code,
        from = booking.trip.route_from,
        to = booking.trip.route_to,
        when = local_time(booking.trip.depart_at, tz),
        seats = seats_with_names(&booking.seats, &booking.passengers, &booking.name),
    );
    format!(
        "https://wa.me/{}?text={}",
        booking.whatsapp,
        urlencoding::encode(&message)
    )
}
