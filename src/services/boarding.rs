//! Boarding by QR: the crew at the bus door scan tickets (or type booking
//! codes) and mark their seats boarded.
//!
//! Who may board is proven by a [`Boarder`], which only a staff session
//! ([`Staff::boarder`]) or the admin key's check can make; an admin action
//! needs [`Staff::admin`], which a crew account never passes. A ticket's QR
//! code carries a signature of its booking code under a key of the server's
//! own (kept in the database, one for every instance, and independent of
//! the session key so that signing everyone out does not void printed
//! tickets): a home-made QR code of a guessed booking code is refused
//! loudly as forged. Boarding writes each seat once (see
//! `storage::board_booking`) and an audit row.

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::{Actor, Service};
use crate::domain::boarding::{self, DoorSeat, TAG_LEN, TicketScan};
use crate::domain::{
    AppError, Boarding, BoardingOutcome, BookingCode, HoldStatus, Manifest, SeatCode, StaffRole,
    StaffUser, Trip,
};
use crate::storage::road::Changed;
use crate::storage::{self, from_ms, to_ms};

/// A signed-in staff member, as only [`Service::staff_session`] makes it.
#[derive(Clone, Debug)]
pub struct Staff {
    username: String,
    role: StaffRole,
}

impl Staff {
    pub(super) fn new(username: String, role: StaffRole) -> Self {
        Self { username, role }
    }

    pub fn user(&self) -> StaffUser {
        StaffUser {
            username: self.username.clone(),
            role: self.role,
        }
    }

    pub fn role(&self) -> StaffRole {
        self.role
    }

    /// This staff member acting as an admin; a crew account is refused.
    pub fn admin(self) -> Result<Actor, AppError> {
        match self.role {
            StaffRole::Admin => Ok(Actor::Staff(self.username)),
            StaffRole::Crew => Err(AppError::AdminOnly),
        }
    }

    /// This staff member at the bus door (admins may board too).
    pub fn boarder(self) -> Boarder {
        Boarder(match self.role {
            StaffRole::Admin => Actor::Staff(self.username),
            StaffRole::Crew => Actor::Crew(self.username),
        })
    }
}

/// Proof that boarding is allowed, and who does it.
#[derive(Clone, Debug)]
pub struct Boarder(Actor);

impl Boarder {
    /// The admin key's holder at the door: the caller has checked the key.
    pub(crate) fn with_admin_key() -> Self {
        Boarder(Actor::ApiKey)
    }
}

/// How far around now the crew's list of trips reaches: buses that left in
/// the last 6 hours (boarding along the way) and those leaving in the next
/// 30 (tonight's and tomorrow morning's).
const CREW_PAST: i64 = 6;
const CREW_AHEAD: i64 = 30;

impl Service {
    /// The key that signs tickets' QR codes, read (or made) once.
    async fn ticket_key(&self, now: DateTime<Utc>) -> Result<&[u8], AppError> {
        let key = self
            .ticket_key
            .get_or_try_init(|| async { self.server_key("ticket", now).await })
            .await?;
        Ok(key.as_bytes())
    }

    /// The signature of a booking code: HMAC-SHA256 cut to 80 bits, in
    /// Crockford base32.
    async fn ticket_tag(&self, code: &BookingCode, now: DateTime<Utc>) -> Result<String, AppError> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.ticket_key(now).await?)
            .map_err(|_| AppError::Internal)?;
        mac.update(b"kursi ticket v1:");
        mac.update(code.as_str().as_bytes());
        let full = mac.finalize().into_bytes();
        let bits = full[..10]
            .iter()
            .fold(0u128, |acc, b| (acc << 8) | *b as u128);
        Ok(crate::domain::codes::encode(bits, TAG_LEN))
    }

    /// The text of a booking's QR code for its ticket.
    pub async fn ticket_qr(
        &self,
        code: &BookingCode,
        now: DateTime<Utc>,
    ) -> Result<String, AppError> {
        Ok(boarding::qr_payload(
            code,
            &self.ticket_tag(code, now).await?,
        ))
    }

    /// The booking code of a scan, once its signature (if a QR code) holds.
    async fn checked_code(&self, scan: &str, now: DateTime<Utc>) -> Result<BookingCode, AppError> {
        match TicketScan::parse(scan)? {
            TicketScan::Typed(code) => Ok(code),
            TicketScan::Signed { code, tag } => {
                let expected = self.ticket_tag(&code, now).await?;
                if subtle::ConstantTimeEq::ct_eq(expected.as_bytes(), tag.as_bytes()).into() {
                    Ok(code)
                } else {
                    tracing::warn!(booking = %code, "a forged ticket QR code was scanned");
                    Err(AppError::ForgedTicket)
                }
            }
        }
    }

    /// Boards the booking a scanned ticket (or a typed booking code) names,
    /// on trip `trip_id`: its seats not boarded yet are boarded now. A
    /// ticket of another trip, a cancelled booking or one whose seats all
    /// boarded before boards nothing and says why.
    pub async fn board(
        &self,
        by: &Boarder,
        trip_id: i64,
        scan: &str,
        now: DateTime<Utc>,
    ) -> Result<Boarding, AppError> {
        let code = self.checked_code(scan, now).await?;
        let label = by.0.label();
        let boarded_now = {
            let (code, label) = (code.clone(), label.clone());
            self.write_tx(now, move |tx| {
                Box::pin(async move {
                    let rows = storage::board_booking(
                        &mut *tx,
                        trip_id,
                        code.as_str(),
                        to_ms(now),
                        &label,
                    )
                    .await?;
                    if let Some((hold_id, _)) = rows.first() {
                        let mut seats: Vec<String> = rows.iter().map(|(_, s)| s.clone()).collect();
                        seats.sort();
                        storage::insert_audit(
                            tx,
                            &storage::NewAudit {
                                at: to_ms(now),
                                actor: &label,
                                action: "board",
                                trip_id,
                                hold_id: Some(*hold_id),
                                seats: &seats,
                                detail: code.as_str(),
                            },
                        )
                        .await?;
                    }
                    // Seats boarded are news for every page that follows
                    // the trip (the admin's manifest, other doors), on every
                    // instance: the trip's change event carries it.
                    let changed = if rows.is_empty() {
                        Changed::nothing()
                    } else {
                        Changed::trip(trip_id)
                    };
                    Ok((rows, changed))
                })
            })
            .await?
        };
        let mut conn = self.storage.read().await?;
        let (door, seat_rows) = storage::booking_at_door(&mut conn, code.as_str())
            .await?
            .ok_or(AppError::BookingNotFound)?;
        let trip_row = storage::trip_by_id(&mut conn, door.trip_id, to_ms(now))
            .await?
            .ok_or(AppError::Internal)?;
        drop(conn);
        let status =
            HoldStatus::parse(&door.status).ok_or_else(|| super::views::corrupt("holds.status"))?;
        // The booking's seats in seat order, each parsed once.
        let mut seats = seat_rows
            .iter()
            .map(|s| Ok((SeatCode::parse(&s.code)?, s)))
            .collect::<Result<Vec<_>, AppError>>()?;
        seats.sort_by_key(|(seat, _)| *seat);
        let named: Vec<(SeatCode, Option<String>)> = seats
            .iter()
            .map(|(seat, s)| (*seat, s.passenger_name.clone()))
            .collect();
        let door_seats: Vec<DoorSeat> = seats
            .iter()
            .map(|(seat, s)| DoorSeat {
                seat: *seat,
                boarded: s
                    .boarded_at
                    .map(|at| (from_ms(at), s.boarded_by.clone().unwrap_or_default())),
            })
            .collect();
        let mut boarded_now = boarded_now
            .iter()
            .map(|(_, s)| SeatCode::parse(s))
            .collect::<Result<Vec<_>, _>>()?;
        boarded_now.sort();
        let outcome = if boarded_now.is_empty() {
            boarding::refusal(trip_id, door.trip_id, status)
        } else {
            BoardingOutcome::Boarded
        };
        let (boarded_at, boarded_by) = match outcome {
            BoardingOutcome::Boarded => (Some(from_ms(to_ms(now))), Some(label)),
            _ => boarding::first_boarded(&door_seats).unzip(),
        };
        if outcome.is_warning() {
            tracing::info!(booking = %code, trip_id, ?outcome, "boarding refused");
        }
        Ok(Boarding {
            outcome,
            booking_code: code,
            trip: super::views::trip_view(&trip_row)?,
            passengers: crate::domain::passengers_of(
                &named,
                Some(door.name.as_deref().unwrap_or("")),
            ),
            boarded_now,
            boarded_at,
            boarded_by,
        })
    }

    /// A trip's passengers at the door: the manifest, with who boarded.
    pub async fn boarding_list(
        &self,
        _by: &Boarder,
        trip_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Manifest, AppError> {
        self.manifest(trip_id, now).await
    }

    /// The trips the crew may be boarding now: active, departing from 6
    /// hours ago to 30 hours ahead, earliest first.
    pub async fn crew_trips(
        &self,
        _by: &Boarder,
        now: DateTime<Utc>,
    ) -> Result<Vec<Trip>, AppError> {
        let mut conn = self.storage.read().await?;
        let rows = storage::trips_departing(
            &mut conn,
            to_ms(now - Duration::hours(CREW_PAST)),
            to_ms(now + Duration::hours(CREW_AHEAD)),
            to_ms(now),
        )
        .await?;
        rows.iter().map(super::views::trip_view).collect()
    }
}
