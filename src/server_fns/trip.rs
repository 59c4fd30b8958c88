//! Server functions of the trip page: the seat map, holding and releasing
//! seats, the passenger's extension and contact details.
//!
//! Every write answers with the fresh [`SeatMapView`], so the page needs
//! one round trip per click.

use leptos::prelude::*;
// The seat map's own calls send JSON: the page's WASM already decodes JSON,
// so no form encoder rides along (only the claim form posts a plain form).
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

use super::TripCard;
use crate::domain::{AppError, BusType, ClaimCode, PayTo, Seat, SeatCode};

/// What the trip page's seat map shows, as this browser sees it. Only what
/// the page uses, in plain types: the browser's WASM decodes it on every
/// click, and dates would bring a date parser along (the trip's title and
/// departure are rendered on the server, see [`trip_page`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeatMapView {
    pub trip_id: i64,
    pub bus_type: BusType,
    /// Per seat, in whole rupiah.
    pub price: i64,
    pub seats: Vec<Seat>,
    /// This browser's live hold, if it is on this trip.
    pub hold: Option<PageHold>,
    /// The trip of this browser's live hold when it is another trip.
    pub hold_elsewhere: Option<i64>,
    /// Whether the passenger's one extension is available now.
    pub may_extend: bool,
    pub max_seats: u32,
    /// How long a new hold lives (`HOLD_MINUTES`), in seconds.
    pub hold_seconds: i64,
    /// The version of the seat map shown (`domain::version_seen`): live
    /// events up to it need no fetch.
    pub version: String,
}

/// This browser's hold, as the trip page shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PageHold {
    pub seats: Vec<SeatCode>,
    /// Milliseconds left, from the server's clock: the page counts down
    /// from these, so its countdown ends when the server's hold does (whole
    /// seconds, cut down, made it end up to a second early).
    pub expires_in_ms: i64,
    pub claim_code: Option<ClaimCode>,
    pub admin_wa: String,
    /// `https://wa.me/<admin_wa>?text=…` naming the claim code, trip and seats.
    pub whatsapp_url: Option<String>,
    /// Whether the passenger's one extension has been used.
    pub extended: bool,
    /// Rupiah to transfer (with `unique_code` once contact is attached).
    pub amount_due: i64,
    pub unique_code: Option<i64>,
    /// How many transfer receipts the passenger has sent for it.
    pub receipts_sent: usize,
    /// Who sits in each seat (empty before contact).
    pub passengers: Vec<crate::domain::Passenger>,
    /// Where they get on and off, chosen at contact (trips with stops).
    pub board: Option<crate::domain::StopAt>,
    pub alight: Option<crate::domain::StopAt>,
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::domain::{Hold, HoldStatus};
    use crate::services::SessionKey;
    use crate::state::AppState;

    pub fn session(create: bool) -> Result<Option<SessionKey>, AppError> {
        let s = super::super::state()?;
        let parts = use_context::<http::request::Parts>().ok_or(AppError::Internal)?;
        if !create {
            return Ok(crate::web::session_of(&parts.headers, &s.settings));
        }
        let (key, cookie) = crate::web::session_or_new(&parts.headers, &s.settings);
        if let (Some(cookie), Some(resp)) = (cookie, use_context::<leptos_axum::ResponseOptions>())
        {
            resp.insert_header(http::header::SET_COOKIE, cookie);
        }
        Ok(Some(key))
    }

    pub async fn rate_limit(s: &AppState, kind: crate::limits::Limit) -> Result<(), AppError> {
        let parts = use_context::<http::request::Parts>().ok_or(AppError::Internal)?;
        s.limits.check_request(kind, &parts, s.clock.now()).await
    }

    pub async fn view(
        s: &AppState,
        trip_id: i64,
        session: Option<&SessionKey>,
    ) -> Result<SeatMapView, AppError> {
        trip_and_view(s, trip_id, session)
            .await
            .map(|(_, view)| view)
    }

    /// The trip and its seat map as this browser sees it.
    pub async fn trip_and_view(
        s: &AppState,
        trip_id: i64,
        session: Option<&SessionKey>,
    ) -> Result<(crate::domain::Trip, SeatMapView), AppError> {
        let live = match session {
            Some(k) => match s.service.current_hold(k, s.clock.now()).await {
                Ok(h) => Some(h),
                Err(AppError::NoActiveHold) => None,
                Err(e) => return Err(e),
            },
            None => None,
        };
        trip_and_view_with(s, trip_id, session, live).await
    }

    /// The seat map as this browser sees it after a write that answered
    /// `hold` (what the browser holds now): the hold is not read again.
    pub async fn view_after(
        s: &AppState,
        trip_id: i64,
        session: &SessionKey,
        hold: Hold,
    ) -> Result<SeatMapView, AppError> {
        let live = (hold.status == HoldStatus::Held).then_some(hold);
        trip_and_view_with(s, trip_id, Some(session), live)
            .await
            .map(|(_, view)| view)
    }

    async fn trip_and_view_with(
        s: &AppState,
        trip_id: i64,
        session: Option<&SessionKey>,
        live: Option<Hold>,
    ) -> Result<(crate::domain::Trip, SeatMapView), AppError> {
        let now = s.clock.now();
        let (trip, seats, version) = s
            .service
            .versioned_trip_seats(trip_id, session, now)
            .await?;
        let (hold, hold_elsewhere) = match live {
            Some(h) if h.trip_id == trip_id => (Some(h), None),
            Some(h) => (None, Some(h.trip_id)),
            None => (None, None),
        };
        // The pay step says whether a receipt was sent already.
        let receipts_sent = match (&hold, session) {
            (Some(h), Some(k)) if h.claim_code.is_some() => s.service.my_receipts(k).await?.len(),
            _ => 0,
        };
        let policy = s.service.policy();
        let may_extend = hold.as_ref().is_some_and(|h| {
            policy.passenger_may_extend(h.started_at, h.expires_at, h.extended, now)
        });
        let view = SeatMapView {
            trip_id: trip.id,
            bus_type: trip.bus_type,
            price: trip.price,
            seats,
            hold: hold.map(|h| PageHold {
                seats: h.seats,
                expires_in_ms: (h.expires_at - now).num_milliseconds().max(0),
                claim_code: h.claim_code,
                admin_wa: h.admin_wa,
                whatsapp_url: h.whatsapp_url,
                extended: h.extended,
                amount_due: h.amount_due,
                unique_code: h.unique_code,
                receipts_sent,
                passengers: h.passengers,
                board: h.board,
                alight: h.alight,
            }),
            hold_elsewhere,
            may_extend,
            max_seats: policy.max_seats,
            hold_seconds: policy.hold.num_seconds(),
            version,
        };
        Ok((trip, view))
    }
}

/// The seat map of a trip as this browser sees it.
#[server(prefix = "/sf", endpoint = "seat_map", input = Json)]
pub async fn seat_map(trip_id: i64) -> Result<SeatMapView, AppError> {
    super::with_status(
        async move {
            let s = super::state()?;
            let session = ssr::session(false)?;
            ssr::view(&s, trip_id, session.as_ref()).await
        }
        .await,
    )
}

/// The trip page: the trip as the list shows it, its seat map and the
/// operator's bank accounts and QRIS image (for the pay step). Called only while the
/// server renders the page (the browser's island refreshes with
/// [`seat_map`]).
#[server(prefix = "/sf", endpoint = "trip_page")]
pub async fn trip_page(trip_id: i64) -> Result<(TripCard, SeatMapView, PayTo), AppError> {
    super::with_status(
        async move {
            let s = super::state()?;
            let session = ssr::session(false)?;
            let (trip, view) = ssr::trip_and_view(&s, trip_id, session.as_ref()).await?;
            let pay = PayTo {
                accounts: s.service.payment_accounts().await?,
                qris: s.service.payment_qris_version().await?,
            };
            Ok((super::card(trip, s.service.tz()), view, pay))
        }
        .await,
    )
}

/// Holds (`hold = true`) or releases one seat.
#[server(prefix = "/sf", endpoint = "toggle_seat", input = Json)]
pub async fn toggle_seat(trip_id: i64, seat: String, hold: bool) -> Result<SeatMapView, AppError> {
    super::with_status(
        async move {
            let s = super::state()?;
            let code = crate::domain::SeatCode::parse(&seat)?;
            if hold {
                ssr::rate_limit(&s, crate::limits::Limit::Hold).await?;
            }
            let session = ssr::session(hold)?.ok_or(AppError::NoActiveHold)?;
            let now = s.clock.now();
            let answer = if hold {
                let parts = use_context::<http::request::Parts>().ok_or(AppError::Internal)?;
                let client = s.limits.client_of(&parts);
                s.service
                    .hold_from(Some(client), &session, trip_id, &[code], now)
                    .await?
            } else {
                s.service.release(&session, Some(&[code]), now).await?
            };
            ssr::view_after(&s, trip_id, &session, answer).await
        }
        .await,
    )
}

/// Releases every seat of this browser's hold.
#[server(prefix = "/sf", endpoint = "release_all", input = Json)]
pub async fn release_all(trip_id: i64) -> Result<SeatMapView, AppError> {
    super::with_status(
        async move {
            let s = super::state()?;
            let session = ssr::session(false)?.ok_or(AppError::NoActiveHold)?;
            let answer = s.service.release(&session, None, s.clock.now()).await?;
            ssr::view_after(&s, trip_id, &session, answer).await
        }
        .await,
    )
}

/// The passenger's one extension.
#[server(prefix = "/sf", endpoint = "extend_hold", input = Json)]
pub async fn extend_hold(trip_id: i64) -> Result<SeatMapView, AppError> {
    super::with_status(
        async move {
            let s = super::state()?;
            let session = ssr::session(false)?.ok_or(AppError::NoActiveHold)?;
            let answer = s.service.extend(&session, s.clock.now()).await?;
            ssr::view_after(&s, trip_id, &session, answer).await
        }
        .await,
    )
}

/// Attaches the passenger's name and WhatsApp number, and a name per seat,
/// to the hold.
#[server(prefix = "/sf", endpoint = "attach_contact", input = Json)]
pub async fn attach_contact(
    trip_id: i64,
    name: String,
    whatsapp: String,
    passengers: Vec<crate::domain::Passenger>,
    stops: crate::domain::StopChoice,
) -> Result<SeatMapView, AppError> {
    super::with_status(
        async move {
            let s = super::state()?;
            let name = crate::domain::CustomerName::parse(&name)?;
            let whatsapp = crate::domain::WhatsApp::parse(&whatsapp)?;
            let seats = crate::domain::SeatNames::parse(&passengers)?;
            let session = ssr::session(false)?.ok_or(AppError::NoActiveHold)?;
            let answer = s
                .service
                .attach_contact_for_seats(&session, &name, &whatsapp, &seats, &stops, s.clock.now())
                .await?;
            ssr::view_after(&s, trip_id, &session, answer).await
        }
        .await,
    )
}

/// Restores a hold in this browser from its claim code, then goes to its
/// trip (a redirect, so the form works without JavaScript too).
#[server(prefix = "/sf", endpoint = "claim_hold")]
pub async fn claim_hold(claim_code: String) -> Result<i64, AppError> {
    super::with_status(
        async move {
            let s = super::state()?;
            ssr::rate_limit(&s, crate::limits::Limit::Claim).await?;
            let code = crate::domain::ClaimCode::lookup(&claim_code)?;
            let session = ssr::session(true)?.ok_or(AppError::Internal)?;
            let hold = s.service.claim(&session, &code, s.clock.now()).await?;
            leptos_axum::redirect(&format!("/trips/{}", hold.trip_id));
            Ok(hold.trip_id)
        }
        .await,
    )
}

/// A booking as its ticket page shows it, with a QR code of its code.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TicketView {
    pub booking: crate::domain::Booking,
    pub card: TripCard,
    /// An SVG QR code of the ticket's signed booking code, for boarding.
    pub qr_svg: String,
}

/// The booking with this code, for whoever gives its WhatsApp number.
#[server(prefix = "/sf", endpoint = "find_ticket")]
pub async fn find_ticket(code: String, whatsapp: String) -> Result<TicketView, AppError> {
    super::with_status(
        async move {
            let s = super::state()?;
            ssr::rate_limit(&s, crate::limits::Limit::Lookup).await?;
            let code =
                crate::domain::BookingCode::parse(&code).map_err(|_| AppError::BookingNotFound)?;
            let booking = s
                .service
                .find_booking(&code, &whatsapp, s.clock.now())
                .await?;
            // Signed, so a QR code of a guessed booking code is refused at
            // the door (see `services::boarding`).
            let payload = s
                .service
                .ticket_qr(&booking.booking_code, s.clock.now())
                .await?;
            let qr = qrcode::QrCode::new(payload.as_bytes()).map_err(|_| AppError::Internal)?;
            let qr_svg = qr
                .render::<qrcode::render::svg::Color<'_>>()
                .min_dimensions(180, 180)
                .quiet_zone(true)
                .build();
            Ok(TicketView {
                card: super::card(booking.trip.clone(), s.service.tz()),
                booking,
                qr_svg,
            })
        }
        .await,
    )
}
