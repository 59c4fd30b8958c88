//! The one error type of Kursi. Every operation fails with one of these; the
//! JSON API and the server functions each map it once (see `api::error` and
//! `server_fns`). It carries no internal detail: internal causes are logged
//! where they happen and reach clients only as `internal`.

use serde::{Deserialize, Serialize};

use super::SeatCode;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "code", rename_all = "snake_case", try_from = "ErrorWire")]
pub enum AppError {
    /// A malformed body, a missing or mistyped field, an unknown seat.
    #[error("{message}")]
    InvalidRequest { message: String },
    #[error("A hold has at most {max} seats.")]
    TooManySeats { max: u32 },
    #[error("No such trip is open for booking.")]
    TripNotFound,
    #[error("Some seats are no longer available.")]
    SeatsUnavailable { seats: Vec<SeatCode> },
    #[error("This browser already holds seats on another trip.")]
    HoldOnOtherTrip { trip_id: i64 },
    #[error("This browser already holds seats; release them before claiming another hold.")]
    SessionHasHold { trip_id: i64 },
    #[error("There is no active hold for this browser.")]
    NoActiveHold,
    #[error("The hold cannot be extended now.")]
    ExtendNotAllowed,
    #[error("This WhatsApp number already has the most active holds allowed.")]
    TooManyActiveHolds { max: u32 },
    #[error(
        "Your network already holds {max} seats of this trip, the most allowed; pay for or release some first."
    )]
    TooManySeatsFromNetwork { max: u32 },
    #[error(
        "Too many passengers are paying this same amount right now; please try again in a few minutes."
    )]
    PaymentCodesExhausted,
    #[error("No hold has this claim code.")]
    ClaimNotFound,
    #[error("This hold has expired or was released.")]
    HoldExpired,
    #[error("This hold is already booked.")]
    AlreadyBooked,
    #[error("This booking was cancelled.")]
    BookingCancelled,
    #[error("No booking matches this code and WhatsApp number.")]
    BookingNotFound,
    #[error("Sign in as staff, or send a valid X-ADMIN-KEY.")]
    Unauthorized,
    #[error("The username or password is wrong.")]
    InvalidCredentials,
    #[error("This trip has bookings, so its bus type cannot change.")]
    TripHasBookings,
    #[error("This request came from another site and was refused.")]
    Forbidden,
    #[error("This account can only board passengers.")]
    AdminOnly,
    #[error("This QR code was not issued for a Kursi ticket of this operator.")]
    ForgedTicket,
    #[error("The request body is too large.")]
    PayloadTooLarge,
    #[error("Send a photo (JPEG, PNG or WebP) or a PDF of the transfer receipt.")]
    UnsupportedFile,
    #[error("This file could not be read as a receipt; it may be damaged.")]
    UnreadableFile,
    #[error("Give your name and WhatsApp number first.")]
    ContactRequired,
    #[error("Too many requests; try again in {retry_after} seconds.")]
    RateLimited { retry_after: u64 },
    #[error("Not found.")]
    NotFound,
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
}

/// An error as it reads back from JSON (a server function's answer in the
/// browser): one flat struct, then a match on the code. It accepts exactly
/// what the derived `Serialize` writes; serde's decoder for an internally
/// tagged enum would buffer the whole object first, and that buffering
/// code was the largest single part of the browser's error handling.
#[derive(Deserialize)]
struct ErrorWire {
    code: String,
    message: Option<String>,
    max: Option<u32>,
    seats: Option<Vec<SeatCode>>,
    trip_id: Option<i64>,
    retry_after: Option<u64>,
}

impl TryFrom<ErrorWire> for AppError {
    type Error = String;

    fn try_from(w: ErrorWire) -> Result<Self, String> {
        let missing = |field: &str| format!("`{}` without `{field}`", w.code);
        Ok(match w.code.as_str() {
            "invalid_request" => AppError::InvalidRequest {
                message: w.message.ok_or_else(|| missing("message"))?,
            },
            "too_many_seats" => AppError::TooManySeats {
                max: w.max.ok_or_else(|| missing("max"))?,
            },
            "trip_not_found" => AppError::TripNotFound,
            "seats_unavailable" => AppError::SeatsUnavailable {
                seats: w.seats.ok_or_else(|| missing("seats"))?,
            },
            "hold_on_other_trip" => AppError::HoldOnOtherTrip {
                trip_id: w.trip_id.ok_or_else(|| missing("trip_id"))?,
            },
            "session_has_hold" => AppError::SessionHasHold {
                trip_id: w.trip_id.ok_or_else(|| missing("trip_id"))?,
            },
            "no_active_hold" => AppError::NoActiveHold,
            "extend_not_allowed" => AppError::ExtendNotAllowed,
            "too_many_active_holds" => AppError::TooManyActiveHolds {
                max: w.max.ok_or_else(|| missing("max"))?,
            },
            "too_many_seats_from_network" => AppError::TooManySeatsFromNetwork {
                max: w.max.ok_or_else(|| missing("max"))?,
            },
            "payment_codes_exhausted" => AppError::PaymentCodesExhausted,
            "claim_not_found" => AppError::ClaimNotFound,
            "hold_expired" => AppError::HoldExpired,
            "already_booked" => AppError::AlreadyBooked,
            "booking_cancelled" => AppError::BookingCancelled,
            "booking_not_found" => AppError::BookingNotFound,
            "unauthorized" => AppError::Unauthorized,
            "invalid_credentials" => AppError::InvalidCredentials,
            "trip_has_bookings" => AppError::TripHasBookings,
            "forbidden" => AppError::Forbidden,
            "admin_only" => AppError::AdminOnly,
            "forged_ticket" => AppError::ForgedTicket,
            "payload_too_large" => AppError::PayloadTooLarge,
            "unsupported_file" => AppError::UnsupportedFile,
            "unreadable_file" => AppError::UnreadableFile,
            "contact_required" => AppError::ContactRequired,
            "rate_limited" => AppError::RateLimited {
                retry_after: w.retry_after.ok_or_else(|| missing("retry_after"))?,
            },
            "not_found" => AppError::NotFound,
            "internal" => AppError::Internal,
            other => return Err(format!("unknown error code `{other}`")),
        })
    }
}

impl AppError {
    /// Every error code, for the API's documentation.
    pub const CODES: &[&str] = &[
        "invalid_request",
        "too_many_seats",
        "trip_not_found",
        "seats_unavailable",
        "hold_on_other_trip",
        "session_has_hold",
        "no_active_hold",
        "extend_not_allowed",
        "too_many_active_holds",
        "too_many_seats_from_network",
        "payment_codes_exhausted",
        "claim_not_found",
        "hold_expired",
        "already_booked",
        "booking_cancelled",
        "booking_not_found",
        "unauthorized",
        "invalid_credentials",
        "trip_has_bookings",
        "forbidden",
        "admin_only",
        "forged_ticket",
        "payload_too_large",
        "unsupported_file",
        "unreadable_file",
        "contact_required",
        "rate_limited",
        "not_found",
        "internal",
    ];

    pub fn invalid(message: impl Into<String>) -> Self {
        AppError::InvalidRequest {
            message: message.into(),
        }
    }

    /// The stable snake_case code clients switch on.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::InvalidRequest { .. } => "invalid_request",
            AppError::TooManySeats { .. } => "too_many_seats",
            AppError::TripNotFound => "trip_not_found",
            AppError::SeatsUnavailable { .. } => "seats_unavailable",
            AppError::HoldOnOtherTrip { .. } => "hold_on_other_trip",
            AppError::SessionHasHold { .. } => "session_has_hold",
            AppError::NoActiveHold => "no_active_hold",
            AppError::ExtendNotAllowed => "extend_not_allowed",
            AppError::TooManyActiveHolds { .. } => "too_many_active_holds",
            AppError::TooManySeatsFromNetwork { .. } => "too_many_seats_from_network",
            AppError::PaymentCodesExhausted => "payment_codes_exhausted",
            AppError::ClaimNotFound => "claim_not_found",
            AppError::HoldExpired => "hold_expired",
            AppError::AlreadyBooked => "already_booked",
            AppError::BookingCancelled => "booking_cancelled",
            AppError::BookingNotFound => "booking_not_found",
            AppError::Unauthorized => "unauthorized",
            AppError::InvalidCredentials => "invalid_credentials",
            AppError::TripHasBookings => "trip_has_bookings",
            AppError::Forbidden => "forbidden",
            AppError::AdminOnly => "admin_only",
            AppError::ForgedTicket => "forged_ticket",
            AppError::PayloadTooLarge => "payload_too_large",
            AppError::UnsupportedFile => "unsupported_file",
            AppError::UnreadableFile => "unreadable_file",
            AppError::ContactRequired => "contact_required",
            AppError::RateLimited { .. } => "rate_limited",
            AppError::NotFound => "not_found",
            AppError::Internal => "internal",
        }
    }

    /// The human sentence of the error body.
    pub fn message(&self) -> String {
        self.to_string()
    }

    /// The HTTP status of this error, the same for every transport.
    pub fn status(&self) -> u16 {
        match self {
            AppError::InvalidRequest { .. }
            | AppError::TooManySeats { .. }
            | AppError::ForgedTicket => 400,
            AppError::Unauthorized | AppError::InvalidCredentials => 401,
            AppError::Forbidden | AppError::AdminOnly => 403,
            AppError::TripNotFound
            | AppError::NoActiveHold
            | AppError::ClaimNotFound
            | AppError::BookingNotFound
            | AppError::NotFound => 404,
            AppError::SeatsUnavailable { .. }
            | AppError::HoldOnOtherTrip { .. }
            | AppError::SessionHasHold { .. }
            | AppError::ExtendNotAllowed
            | AppError::TooManyActiveHolds { .. }
            | AppError::TooManySeatsFromNetwork { .. }
            | AppError::PaymentCodesExhausted
            | AppError::AlreadyBooked
            | AppError::BookingCancelled
            | AppError::TripHasBookings
            | AppError::ContactRequired => 409,
            AppError::HoldExpired => 410,
            AppError::PayloadTooLarge => 413,
            AppError::UnsupportedFile => 415,
            AppError::UnreadableFile => 422,
            AppError::RateLimited { .. } => 429,
            AppError::Internal => 500,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_serialise_as_code_plus_named_fields() {
        let err = AppError::SeatsUnavailable {
            seats: vec![SeatCode::parse("1A").unwrap()],
        };
        let json = serde_json::to_value(&err).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"code": "seats_unavailable", "seats": ["1A"]})
        );
        assert_eq!(err.code(), "seats_unavailable");
        assert_eq!(err.status(), 409);
    }

    #[test]
    fn every_code_matches_its_serde_tag() {
        let all = [
            AppError::invalid("x"),
            AppError::TooManySeats { max: 4 },
            AppError::TripNotFound,
            AppError::HoldOnOtherTrip { trip_id: 1 },
            AppError::NoActiveHold,
            AppError::InvalidCredentials,
            AppError::TripHasBookings,
            AppError::RateLimited { retry_after: 3 },
            AppError::Internal,
        ];
        for err in all {
            let json = serde_json::to_value(&err).unwrap();
            assert_eq!(json["code"], err.code());
        }
    }

    #[test]
    fn the_documented_codes_are_exactly_the_variants() {
        let all = [
            AppError::invalid("x"),
            AppError::TooManySeats { max: 4 },
            AppError::TripNotFound,
            AppError::SeatsUnavailable { seats: vec![] },
            AppError::HoldOnOtherTrip { trip_id: 1 },
            AppError::SessionHasHold { trip_id: 1 },
            AppError::NoActiveHold,
            AppError::ExtendNotAllowed,
            AppError::TooManyActiveHolds { max: 2 },
            AppError::TooManySeatsFromNetwork { max: 12 },
            AppError::PaymentCodesExhausted,
            AppError::ClaimNotFound,
            AppError::HoldExpired,
            AppError::AlreadyBooked,
            AppError::BookingCancelled,
            AppError::BookingNotFound,
            AppError::Unauthorized,
            AppError::InvalidCredentials,
            AppError::TripHasBookings,
            AppError::Forbidden,
            AppError::AdminOnly,
            AppError::ForgedTicket,
            AppError::PayloadTooLarge,
            AppError::UnsupportedFile,
            AppError::UnreadableFile,
            AppError::ContactRequired,
            AppError::RateLimited { retry_after: 1 },
            AppError::NotFound,
            AppError::Internal,
        ];
        let codes: Vec<&str> = all.iter().map(AppError::code).collect();
        assert_eq!(codes, AppError::CODES);
        for err in all {
            let json = serde_json::to_value(&err).unwrap();
            assert_eq!(json["code"], err.code());
            // And it reads back as itself (the browser's side).
            assert_eq!(serde_json::from_value::<AppError>(json).unwrap(), err);
        }
    }

    #[test]
    fn unknown_codes_and_missing_fields_do_not_read_back() {
        for bad in [
            serde_json::json!({"code": "nope"}),
            serde_json::json!({"code": "seats_unavailable"}),
            serde_json::json!({"code": "too_many_seats", "max": "four"}),
            serde_json::json!({"seats": []}),
        ] {
            assert!(
                serde_json::from_value::<AppError>(bad.clone()).is_err(),
                "{bad}"
            );
        }
    }
}
