//! Passenger routes: trips, seat maps, holds, claims and ticket lookup.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, header::SET_COOKIE};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::ApiError;
use super::extract::{Body, Path, Query};
use super::guard::ClientIp;
use crate::domain::{
    AppError, Booking, BookingCode, ClaimCode, CustomerName, Hold, SeatCode, Trip, WhatsApp,
};
use crate::limits::Limit;
use crate::services::TripFilter;
use crate::state::AppState;
use crate::web::{session_of, session_or_new};

type ApiResult<T> = Result<Json<T>, ApiError>;

pub async fn list_trips(
    State(s): State<AppState>,
    Query(filter): Query<TripFilter>,
) -> ApiResult<Vec<Trip>> {
    Ok(Json(s.service.list_trips(&filter, s.clock.now()).await?))
}

#[derive(serde::Serialize)]
pub struct SeatMap {
    trip: Trip,
    seats: Vec<crate::domain::Seat>,
}

pub async fn trip_seats(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> ApiResult<SeatMap> {
    let session = session_of(&headers);
    let (trip, seats) = s
        .service
        .trip_seats(id, session.as_ref(), s.clock.now())
        .await?;
    Ok(Json(SeatMap { trip, seats }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HoldBody {
    trip_id: i64,
    seats: Vec<SeatCode>,
}

/// Answers with the hold, setting the hold cookie when the session is new.
fn with_cookie(hold: Hold, cookie: Option<axum::http::HeaderValue>) -> Response {
    let mut response = Json(hold).into_response();
    if let Some(c) = cookie {
        response.headers_mut().insert(SET_COOKIE, c);
    }
    response
}

pub async fn hold(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Body(body): Body<HoldBody>,
) -> Result<Response, ApiError> {
    if body.seats.len() > 64 {
        return Err(AppError::TooManySeats {
            max: s.settings.policy.max_seats,
        }
        .into());
    }
    s.limits.check(Limit::Hold, ip)?;
    let (session, cookie) = session_or_new(&headers, &s.settings);
    let hold = s
        .service
        .hold(&session, body.trip_id, &body.seats, s.clock.now())
        .await?;
    Ok(with_cookie(hold, cookie))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReleaseBody {
    seats: Option<Vec<SeatCode>>,
}

pub async fn release(
    State(s): State<AppState>,
    headers: HeaderMap,
    Body(body): Body<ReleaseBody>,
) -> ApiResult<Hold> {
    let session = session_of(&headers).ok_or(AppError::NoActiveHold)?;
    Ok(Json(
        s.service
            .release(&session, body.seats.as_deref(), s.clock.now())
            .await?,
    ))
}

pub async fn current_hold(State(s): State<AppState>, headers: HeaderMap) -> ApiResult<Hold> {
    let session = session_of(&headers).ok_or(AppError::NoActiveHold)?;
    Ok(Json(s.service.current_hold(&session, s.clock.now()).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Empty {}

pub async fn extend(
    State(s): State<AppState>,
    headers: HeaderMap,
    Body(_): Body<Empty>,
) -> ApiResult<Hold> {
    let session = session_of(&headers).ok_or(AppError::NoActiveHold)?;
    Ok(Json(s.service.extend(&session, s.clock.now()).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactBody {
    name: String,
    whatsapp: String,
}

pub async fn attach_contact(
    State(s): State<AppState>,
    headers: HeaderMap,
    Body(body): Body<ContactBody>,
) -> ApiResult<Hold> {
    let name = CustomerName::parse(&body.name)?;
    let whatsapp = WhatsApp::parse(&body.whatsapp)?;
    let session = session_of(&headers).ok_or(AppError::NoActiveHold)?;
    Ok(Json(
        s.service
            .attach_contact(&session, &name, &whatsapp, s.clock.now())
            .await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimBody {
    claim_code: String,
}

pub async fn claim(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Body(body): Body<ClaimBody>,
) -> Result<Response, ApiError> {
    // Counted before parsing: guessing with malformed codes costs the same.
    s.limits.check(Limit::Claim, ip)?;
    // A code that cannot exist is simply not found.
    let code = ClaimCode::parse(&body.claim_code).map_err(|_| AppError::ClaimNotFound)?;
    let (session, cookie) = session_or_new(&headers, &s.settings);
    let hold = s.service.claim(&session, &code, s.clock.now()).await?;
    Ok(with_cookie(hold, cookie))
}

#[derive(Deserialize)]
pub struct BookingQuery {
    whatsapp: Option<String>,
}

pub async fn booking(
    State(s): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<BookingQuery>,
) -> ApiResult<Booking> {
    let code = BookingCode::parse(&code).map_err(|_| AppError::BookingNotFound)?;
    let whatsapp = q.whatsapp.ok_or(AppError::BookingNotFound)?;
    Ok(Json(
        s.service
            .find_booking(&code, &whatsapp, s.clock.now())
            .await?,
    ))
}
