//! Admin routes. Every handler takes [`Admin`], which refuses the request
//! with 401 unless it carries the admin key (staff sessions come with the
//! admin pages).

use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use serde::Deserialize;

use super::ApiError;
use super::extract::{Body, Query};
use crate::domain::{AppError, Booking, BookingCode, ClaimCode, Hold, Trip};
use crate::services::{Actor, HoldFilter, NewTripInput};
use crate::state::AppState;
use crate::web::admin_key_ok;

type ApiResult<T> = Result<Json<T>, ApiError>;

/// An authenticated admin, as the audit log names them.
pub struct Admin(pub Actor);

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if admin_key_ok(&parts.headers, &state.settings) {
            return Ok(Admin(Actor::ApiKey));
        }
        Err(AppError::Unauthorized.into())
    }
}

pub async fn holds(
    State(s): State<AppState>,
    _: Admin,
    Query(filter): Query<HoldFilter>,
) -> ApiResult<Vec<Hold>> {
    Ok(Json(s.service.admin_holds(&filter, s.clock.now()).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimBody {
    claim_code: String,
}

fn claim_code(raw: &str) -> Result<ClaimCode, ApiError> {
    ClaimCode::parse(raw).map_err(|_| AppError::ClaimNotFound.into())
}

pub async fn book(
    State(s): State<AppState>,
    Admin(actor): Admin,
    Body(b): Body<ClaimBody>,
) -> ApiResult<Booking> {
    let code = claim_code(&b.claim_code)?;
    Ok(Json(s.service.book(&actor, &code, s.clock.now()).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtendBody {
    claim_code: String,
    /// Minutes to add; default `HOLD_MINUTES`.
    minutes: Option<f64>,
}

pub async fn extend(
    State(s): State<AppState>,
    Admin(actor): Admin,
    Body(b): Body<ExtendBody>,
) -> ApiResult<Hold> {
    let code = claim_code(&b.claim_code)?;
    let by = match b.minutes {
        None => None,
        Some(m) if m.is_finite() && m > 0.0 && m <= 24.0 * 60.0 => {
            Some(chrono::Duration::milliseconds((m * 60_000.0) as i64))
        }
        Some(_) => return Err(AppError::invalid("minutes must be between 0 and 1440.").into()),
    };
    Ok(Json(
        s.service
            .admin_extend(&actor, &code, by, s.clock.now())
            .await?,
    ))
}

pub async fn release(
    State(s): State<AppState>,
    Admin(actor): Admin,
    Body(b): Body<ClaimBody>,
) -> ApiResult<Hold> {
    let code = claim_code(&b.claim_code)?;
    Ok(Json(
        s.service
            .admin_release(&actor, &code, s.clock.now())
            .await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CancelBody {
    booking_code: String,
}

pub async fn cancel(
    State(s): State<AppState>,
    Admin(actor): Admin,
    Body(b): Body<CancelBody>,
) -> ApiResult<Booking> {
    let code = BookingCode::parse(&b.booking_code).map_err(|_| AppError::BookingNotFound)?;
    Ok(Json(
        s.service
            .cancel_booking(&actor, &code, s.clock.now())
            .await?,
    ))
}

pub async fn trips(State(s): State<AppState>, _: Admin) -> ApiResult<Vec<Trip>> {
    Ok(Json(s.service.admin_trips(s.clock.now()).await?))
}

pub async fn create_trip(
    State(s): State<AppState>,
    Admin(actor): Admin,
    Body(input): Body<NewTripInput>,
) -> ApiResult<Trip> {
    Ok(Json(
        s.service.create_trip(&actor, &input, s.clock.now()).await?,
    ))
}
