//! Boarding at the bus door: who may do it, what a scanned ticket says, and
//! what a scan means for a booking.
//!
//! A ticket's QR code carries `KURSI:BK-7Q2M9X:<tag>`, where the tag is a
//! signature the server makes over the booking code (see
//! `services::boarding`); a made-up booking code in a home-made QR code has
//! no valid tag. The crew may also type the booking code itself: they are
//! signed in and look at the passenger, so the bare code is enough there.
//!
//! The rules here are pure: what a booking looks like at the door goes in,
//! the verdict comes out.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{AppError, BookingCode, HoldStatus, Passenger, SeatCode};

/// What a staff account may do. An admin does everything; the crew only
/// boards passengers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "UPPERCASE")]
pub enum StaffRole {
    Admin,
    Crew,
}

impl StaffRole {
    /// The value stored in `staff.role`.
    pub fn as_str(self) -> &'static str {
        match self {
            StaffRole::Admin => "ADMIN",
            StaffRole::Crew => "CREW",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "ADMIN" => Some(StaffRole::Admin),
            "CREW" => Some(StaffRole::Crew),
            _ => None,
        }
    }

    /// Where this account starts after signing in.
    pub fn home(self) -> &'static str {
        match self {
            StaffRole::Admin => "/admin",
            StaffRole::Crew => "/crew",
        }
    }
}

/// How a ticket's QR code begins.
pub const QR_PREFIX: &str = "KURSI:";

/// The length of a QR signature: 16 Crockford characters, 80 bits.
pub const TAG_LEN: usize = 16;

/// What the crew's scanner or keyboard gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TicketScan {
    /// A ticket's QR code: the booking code and the signature to check.
    Signed { code: BookingCode, tag: String },
    /// A booking code typed in by the crew.
    Typed(BookingCode),
}

impl TicketScan {
    /// Reads a scan. Anything that starts like a Kursi QR code must be one
    /// in full (`KURSI:BK-XXXXXX:` and a 16-character tag); anything else
    /// must be a booking code.
    pub fn parse(input: &str) -> Result<Self, AppError> {
        let input = input.trim();
        if input.len() > 128 {
            return Err(AppError::invalid("A booking code looks like BK-7Q2M9X."));
        }
        let prefix = input.get(..QR_PREFIX.len());
        if prefix.is_some_and(|p| p.eq_ignore_ascii_case(QR_PREFIX)) {
            let rest = &input[QR_PREFIX.len()..];
            let (code, tag) = rest.rsplit_once(':').ok_or(AppError::ForgedTicket)?;
            let code = BookingCode::parse(code).map_err(|_| AppError::ForgedTicket)?;
            let tag = tag.to_ascii_uppercase();
            if tag.len() != TAG_LEN || !tag.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(AppError::ForgedTicket);
            }
            return Ok(TicketScan::Signed { code, tag });
        }
        Ok(TicketScan::Typed(BookingCode::parse(input)?))
    }

    pub fn code(&self) -> &BookingCode {
        match self {
            TicketScan::Signed { code, .. } | TicketScan::Typed(code) => code,
        }
    }
}

/// The text of a ticket's QR code. Upper case, digits, `:` and `-` only,
/// so the QR code uses its compact alphanumeric mode.
pub fn qr_payload(code: &BookingCode, tag: &str) -> String {
    format!("{QR_PREFIX}{}:{tag}", code.as_str())
}

/// What a scan did, as the crew's screen and the API tell it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BoardingOutcome {
    /// The booking's seats are boarded now.
    Boarded,
    /// Every seat of this booking boarded earlier: a second person with the
    /// same ticket, or the same ticket scanned twice.
    AlreadyBoarded,
    /// A ticket of another trip: this passenger is at the wrong bus.
    OtherTrip,
    /// The admin cancelled this booking.
    Cancelled,
}

impl BoardingOutcome {
    /// Whether the crew should stop the passenger (a loud warning).
    pub fn is_warning(self) -> bool {
        !matches!(self, BoardingOutcome::Boarded)
    }
}

/// A booking as the door sees it, and what the scan did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Boarding {
    pub outcome: BoardingOutcome,
    pub booking_code: BookingCode,
    /// The trip the ticket is for (another one with `OTHER_TRIP`).
    pub trip: super::Trip,
    /// Who sits in each seat of the booking.
    pub passengers: Vec<Passenger>,
    /// The seats this scan boarded (empty unless `BOARDED`).
    pub boarded_now: Vec<SeatCode>,
    /// When the booking's seats boarded (now with `BOARDED`; the first time
    /// with `ALREADY_BOARDED`).
    pub boarded_at: Option<DateTime<Utc>>,
    /// Who boarded them (`crew:<username>`, `admin:<username>`, `api-key`).
    pub boarded_by: Option<String>,
}

/// A seat of a booking at the door.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DoorSeat {
    pub seat: SeatCode,
    pub boarded: Option<(DateTime<Utc>, String)>,
}

/// Why a scan boarded nothing: the first rule that stops the passenger, in
/// the order the crew needs to hear them (a cancelled ticket of another
/// trip is "another trip": the passenger is at the wrong bus either way).
/// A booked ticket of this trip that boarded nothing had every seat
/// boarded already (by an earlier scan, or by another crew member's at the
/// same moment).
pub fn refusal(scanning_trip: i64, ticket_trip: i64, status: HoldStatus) -> BoardingOutcome {
    if ticket_trip != scanning_trip {
        BoardingOutcome::OtherTrip
    } else if status != HoldStatus::Booked {
        BoardingOutcome::Cancelled
    } else {
        BoardingOutcome::AlreadyBoarded
    }
}

/// The first boarding of these seats: when and by whom.
pub fn first_boarded(seats: &[DoorSeat]) -> Option<(DateTime<Utc>, String)> {
    seats
        .iter()
        .filter_map(|s| s.boarded.clone())
        .min_by_key(|(at, _)| *at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code() -> BookingCode {
        BookingCode::parse("BK-7Q2M9X").unwrap()
    }

    #[test]
    fn a_qr_code_reads_back_with_its_tag() {
        let text = qr_payload(&code(), "0123456789ABCDEF");
        assert_eq!(text, "KURSI:BK-7Q2M9X:0123456789ABCDEF");
        assert_eq!(
            TicketScan::parse(&text).unwrap(),
            TicketScan::Signed {
                code: code(),
                tag: "0123456789ABCDEF".into()
            }
        );
        // Scanners may hand over lower case or trailing whitespace.
        assert!(matches!(
            TicketScan::parse(" kursi:bk-7q2m9x:0123456789abcdef\n"),
            Ok(TicketScan::Signed { .. })
        ));
    }

    #[test]
    fn a_typed_code_is_a_typed_scan() {
        assert_eq!(
            TicketScan::parse("bk 7q2m9x").unwrap(),
            TicketScan::Typed(code())
        );
        assert_eq!(TicketScan::parse("7Q2M9X").unwrap().code(), &code());
        assert!(matches!(
            TicketScan::parse("hello"),
            Err(AppError::InvalidRequest { .. })
        ));
    }

    #[test]
    fn a_broken_qr_code_is_forged_not_typed() {
        for text in [
            "KURSI:BK-7Q2M9X",
            "KURSI:BK-7Q2M9X:",
            "KURSI:BK-7Q2M9X:0123",
            "KURSI:BK-7Q2M9X:0123456789ABCDEF0",
            "KURSI:BK-7Q2M9X:0123456789ABCDE!",
            "KURSI:nonsense:0123456789ABCDEF",
        ] {
            assert_eq!(
                TicketScan::parse(text),
                Err(AppError::ForgedTicket),
                "{text}"
            );
        }
        assert!(TicketScan::parse(&"K".repeat(500)).is_err());
    }

    fn seat(code: &str, boarded: Option<i64>) -> DoorSeat {
        DoorSeat {
            seat: SeatCode::parse(code).unwrap(),
            boarded: boarded
                .map(|s| (DateTime::from_timestamp(s, 0).unwrap(), format!("crew:{s}"))),
        }
    }

    #[test]
    fn refusals_name_the_wrong_bus_first() {
        assert_eq!(
            refusal(1, 2, HoldStatus::Cancelled),
            BoardingOutcome::OtherTrip
        );
        assert_eq!(
            refusal(1, 2, HoldStatus::Booked),
            BoardingOutcome::OtherTrip
        );
        assert_eq!(
            refusal(1, 1, HoldStatus::Cancelled),
            BoardingOutcome::Cancelled
        );
        assert_eq!(
            refusal(1, 1, HoldStatus::Booked),
            BoardingOutcome::AlreadyBoarded
        );
        assert!(BoardingOutcome::OtherTrip.is_warning());
        assert!(!BoardingOutcome::Boarded.is_warning());
    }

    #[test]
    fn the_first_boarding_is_the_earliest() {
        let seats = [seat("1A", Some(30)), seat("1B", Some(20)), seat("2A", None)];
        assert_eq!(
            first_boarded(&seats),
            Some((DateTime::from_timestamp(20, 0).unwrap(), "crew:20".into()))
        );
        assert_eq!(first_boarded(&[seat("1A", None)]), None);
    }

    #[test]
    fn roles_read_back() {
        for r in [StaffRole::Admin, StaffRole::Crew] {
            assert_eq!(StaffRole::parse(r.as_str()), Some(r));
        }
        assert_eq!(StaffRole::parse("admin"), None);
        assert_eq!(StaffRole::Crew.home(), "/crew");
    }
}
