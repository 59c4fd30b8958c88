//! The crew's routes: the trips boarding now, their passengers, and
//! boarding a scanned ticket. Every handler takes [`Crew`]: the admin key,
//! or a staff session of an admin or a crew member.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;

use super::ApiError;
use super::admin::Crew;
use super::extract::{Body, Path, Query};
use crate::domain::{Boarding, Manifest, Trip};
use crate::state::AppState;

type ApiResult<T> = Result<Json<T>, ApiError>;

/// Active trips departing from 6 hours ago to 30 hours ahead, earliest
/// first: the buses a crew member may be boarding.
#[utoipa::path(get, path = "/api/crew/trips/", tag = "crew", security(("admin_key" = []), ("staff_session" = [])),
    responses(
        (status = 200, description = "Trips boarding now or soon", body = Vec<Trip>),
        (status = 401, description = "unauthorized", body = crate::api::openapi::ErrorBody),
    ))]
pub async fn trips(State(s): State<AppState>, Crew(by): Crew) -> ApiResult<Vec<Trip>> {
    Ok(Json(s.service.crew_trips(&by, s.clock.now()).await?))
}

/// A trip's passengers with who has boarded (`boarded_at`), in seat order
/// or by boarding point (`order=stop`).
#[utoipa::path(get, path = "/api/crew/trips/{id}/passengers/", tag = "crew", security(("admin_key" = []), ("staff_session" = [])),
    params(("id" = i64, Path, description = "Trip id"), super::admin::ManifestQuery),
    responses(
        (status = 200, description = "The manifest with boarding times", body = Manifest),
        (status = 400, description = "invalid_request", body = crate::api::openapi::ErrorBody),
        (status = 401, description = "unauthorized", body = crate::api::openapi::ErrorBody),
        (status = 404, description = "trip_not_found", body = crate::api::openapi::ErrorBody),
    ))]
pub async fn passengers(
    State(s): State<AppState>,
    Crew(by): Crew,
    Path(id): Path<i64>,
    Query(q): Query<super::admin::ManifestQuery>,
) -> ApiResult<Manifest> {
    let list = s.service.boarding_list(&by, id, s.clock.now()).await?;
    Ok(Json(list.ordered(q.order)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScanBody {
    /// The ticket's QR code text (`KURSI:BK-7Q2M9X:…`) or a booking code
    /// typed in.
    #[schema(example = "BK-7Q2M9X")]
    scan: String,
}

/// Boards the booking a ticket names on this trip. 200 whatever the
/// verdict: `outcome` is `BOARDED`, or a warning (`ALREADY_BOARDED`,
/// `OTHER_TRIP`, `CANCELLED`) that boarded nothing. A QR code whose
/// signature does not hold is `forged_ticket`.
#[utoipa::path(post, path = "/api/crew/trips/{id}/board/", tag = "crew", security(("admin_key" = []), ("staff_session" = [])),
    params(("id" = i64, Path, description = "Trip id")),
    request_body = ScanBody,
    responses(
        (status = 200, description = "What the scan did", body = Boarding),
        (status = 400, description = "invalid_request (not a booking code) or forged_ticket", body = crate::api::openapi::ErrorBody),
        (status = 401, description = "unauthorized", body = crate::api::openapi::ErrorBody),
        (status = 404, description = "booking_not_found", body = crate::api::openapi::ErrorBody),
    ))]
pub async fn board(
    State(s): State<AppState>,
    Crew(by): Crew,
    Path(id): Path<i64>,
    Body(b): Body<ScanBody>,
) -> ApiResult<Boarding> {
    Ok(Json(
        s.service.board(&by, id, &b.scan, s.clock.now()).await?,
    ))
}
