//! Pure types and rules of Kursi: no IO, no database, no web framework.
//!
//! Everything here parses its input once ("parse, don't validate"), so a value
//! of these types is valid by construction. The module compiles for the
//! browser too, so the pages validate with exactly the parsers the server uses.

pub mod boarding;
pub mod codes;
mod contact;
mod error;
mod model;
mod money;
mod payment;
mod policy;
pub mod receipt;
pub mod report;
pub mod schedule;
mod seat;
pub mod statement;
pub mod stops;
mod version;
pub mod webhook;

pub use boarding::{Boarding, BoardingOutcome, StaffRole, TicketScan};
pub use codes::{BookingCode, ClaimCode};
pub use contact::{CustomerName, Passenger, SeatNames, WhatsApp, passengers_of};
pub use error::AppError;
pub use model::{
    AuditEvent, Booking, Hold, HoldStatus, Manifest, ManifestEntry, ManifestOrder, Seat,
    SeatStatus, StaffUser, Trip,
};
pub use money::{UniqueCodes, format_rupiah, parse_rupiah};
pub use payment::{CheckedAccount, MAX_PAYMENT_ACCOUNTS, NewPaymentAccount, PayTo, PaymentAccount};
pub use policy::HoldPolicy;
pub use receipt::{Receipt, ReceiptKind};
pub use seat::{BusType, SeatCode, SeatPosition};
pub use stops::{Stop, StopAt, StopChoice, Stops};
pub use version::version_seen;
