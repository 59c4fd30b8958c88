//! The shapes Kursi shows to the world (SPEC §2): trips, seats, holds and
//! bookings as the JSON API and the pages see them. Fields may be added,
//! never removed or renamed.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{BookingCode, BusType, ClaimCode, Passenger, SeatCode, Stop, StopAt};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Trip {
    pub id: i64,
    pub route_from: String,
    pub route_to: String,
    pub depart_at: DateTime<Utc>,
    /// Whole rupiah.
    pub price: i64,
    pub bus_type: BusType,
    pub admin_wa: String,
    pub is_active: bool,
    pub seats_total: u32,
    pub seats_available: u32,
    /// Where the bus stops to let passengers on and off, in order (the
    /// first is the departure); empty when it stops only at the route's
    /// two ends.
    #[serde(default)]
    pub stops: Vec<Stop>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SeatStatus {
    Available,
    Hold,
    Booked,
}

impl SeatStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SeatStatus::Available => "AVAILABLE",
            SeatStatus::Hold => "HOLD",
            SeatStatus::Booked => "BOOKED",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Seat {
    pub code: SeatCode,
    pub row: u8,
    pub col: u8,
    pub deck: u8,
    pub status: SeatStatus,
    /// True when the asking browser session holds this seat.
    pub mine: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum HoldStatus {
    Held,
    Booked,
    Released,
    Expired,
    /// A booking the admin cancelled; its seats are free again.
    Cancelled,
}

impl HoldStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            HoldStatus::Held => "HELD",
            HoldStatus::Booked => "BOOKED",
            HoldStatus::Released => "RELEASED",
            HoldStatus::Expired => "EXPIRED",
            HoldStatus::Cancelled => "CANCELLED",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_uppercase().as_str() {
            "HELD" => Some(HoldStatus::Held),
            "BOOKED" => Some(HoldStatus::Booked),
            "RELEASED" => Some(HoldStatus::Released),
            "EXPIRED" => Some(HoldStatus::Expired),
            "CANCELLED" => Some(HoldStatus::Cancelled),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Hold {
    pub trip_id: i64,
    pub seats: Vec<SeatCode>,
    pub started_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub expires_in_seconds: i64,
    pub claim_code: Option<ClaimCode>,
    /// The contact person, who pays.
    pub name: Option<String>,
    pub whatsapp: Option<String>,
    /// Who sits in each seat, in seat order: the name given for the seat,
    /// or the contact person's. Empty before contact.
    pub passengers: Vec<Passenger>,
    pub admin_wa: String,
    /// `https://wa.me/<admin_wa>?text=…` naming the claim code, trip and seats.
    pub whatsapp_url: Option<String>,
    pub status: HoldStatus,
    /// Whether the passenger's one extension has been used.
    pub extended: bool,
    /// Rupiah to transfer: seats × price, plus `unique_code` once contact
    /// is attached. No two holds awaiting payment have the same amount.
    pub amount_due: i64,
    /// The 1–999 added to make `amount_due` unique (SPEC §2); null before
    /// contact or when unique amounts are off.
    pub unique_code: Option<i64>,
    pub booking_code: Option<BookingCode>,
    /// Where the passengers get on, chosen at contact; null before, or on
    /// a trip without stops.
    pub board: Option<StopAt>,
    /// Where they get off.
    pub alight: Option<StopAt>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Booking {
    pub booking_code: BookingCode,
    pub trip: Trip,
    pub seats: Vec<SeatCode>,
    /// The contact person, who paid.
    pub name: String,
    pub whatsapp: String,
    /// Who sits in each seat, in seat order.
    pub passengers: Vec<Passenger>,
    pub booked_at: DateTime<Utc>,
    pub status: HoldStatus,
    /// What was to be paid: the hold's `amount_due`, unique code included.
    pub amount: i64,
    /// Where the passengers get on; null on a trip without stops.
    pub board: Option<StopAt>,
    /// Where they get off.
    pub alight: Option<StopAt>,
}

/// One seat of a trip's passenger manifest: a booked seat, or a seat held by
/// a passenger who left contact details and has not paid yet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ManifestEntry {
    pub seat: SeatCode,
    /// Who sits in this seat.
    pub name: String,
    /// The person who booked and pays (the same for every seat of a hold).
    pub contact_name: String,
    pub whatsapp: String,
    /// Set once the admin confirmed payment.
    pub booking_code: Option<BookingCode>,
    pub claim_code: Option<ClaimCode>,
    /// `BOOKED`, or `HELD` while payment is pending.
    pub status: HoldStatus,
    /// When this seat's passenger boarded the bus, if they have.
    pub boarded_at: Option<DateTime<Utc>>,
    /// Where this passenger gets on; null on a trip without stops.
    pub board: Option<StopAt>,
    /// Where they get off.
    pub alight: Option<StopAt>,
}

/// A trip's passenger manifest, in seat order, or by boarding point.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Manifest {
    pub trip: Trip,
    pub passengers: Vec<ManifestEntry>,
}

/// How a manifest lists its passengers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ManifestOrder {
    /// By seat.
    #[default]
    Seat,
    /// By boarding point (the order the bus meets them in), then by seat.
    Stop,
}

impl Manifest {
    /// The passengers in `order`.
    pub fn ordered(mut self, order: ManifestOrder) -> Self {
        match order {
            ManifestOrder::Seat => self.passengers.sort_by_key(|p| p.seat),
            ManifestOrder::Stop => self
                .passengers
                .sort_by_key(|p| (p.board.as_ref().map(|s| s.at), p.seat)),
        }
        self
    }
}

/// One line of the audit trail of a hold or a trip.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AuditEvent {
    pub at: DateTime<Utc>,
    /// `session:<hash prefix>`, `admin:<username>`, `crew:<username>`,
    /// `api-key` or `system`.
    pub actor: String,
    /// hold, release, expire, contact, claim, extend, book, cancel, board or trip.
    pub action: String,
    pub trip_id: i64,
    pub seats: Vec<String>,
    pub detail: String,
}

/// The signed-in staff member.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StaffUser {
    pub username: String,
    /// `ADMIN`, or `CREW` (boards passengers and nothing else); `ADMIN` for
    /// the admin API key.
    pub role: super::StaffRole,
}
