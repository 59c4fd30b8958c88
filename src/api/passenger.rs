//! Passenger routes: trips, seat maps, holds, claims and ticket lookup.

use axum::Json;
use axum::extract::State;
use axum::http::header::{CONTENT_TYPE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::ApiError;
use super::extract::{Body, Path, Query};
use super::guard::ClientIp;
use crate::domain::{
    AppError, Booking, BookingCode, ClaimCode, CustomerName, Hold, Passenger, PaymentAccount,
    SeatCode, SeatNames, StopChoice, Trip, WhatsApp,
};
use crate::limits::Limit;
use crate::services::TripFilter;
use crate::state::AppState;
use crate::web::{session_of, session_or_new};

type ApiResult<T> = Result<Json<T>, ApiError>;

/// The operator's bank accounts, where passengers transfer the amount due.
#[utoipa::path(get, path = "/api/payment-accounts/", tag = "passenger",
    responses(
        (status = 200, description = "The live accounts, in the order they were added", body = Vec<PaymentAccount>),
    ))]
pub async fn payment_accounts(State(s): State<AppState>) -> ApiResult<Vec<PaymentAccount>> {
    Ok(Json(s.service.payment_accounts().await?))
}

/// Listed trips (active, departing in the future), sorted by departure.
#[utoipa::path(get, path = "/api/trips/", tag = "passenger",
    params(crate::services::TripFilter),
    responses(
        (status = 200, description = "Listed trips", body = Vec<Trip>),
        (status = 400, description = "invalid_request: a bad `date`", body = crate::api::openapi::ErrorBody),
    ))]
pub async fn list_trips(
    State(s): State<AppState>,
    Query(filter): Query<TripFilter>,
) -> Result<Response, ApiError> {
    let trips = s.service.listed_trips(&filter, s.clock.now()).await?;
    // Each trip is encoded once per change of its seats and shared by every
    // listing that shows it: the same JSON as `Vec<Trip>`.
    let items: Vec<bytes::Bytes> = trips.iter().map(|t| t.rendered(encoded)).collect();
    Ok(json_bytes(
        [&b"["[..], &items.join(&b","[..]), b"]"].concat(),
    ))
}

/// `value` as JSON (a plain struct always encodes).
fn encoded(value: &impl serde::Serialize) -> bytes::Bytes {
    serde_json::to_vec(value)
        .map(bytes::Bytes::from)
        .unwrap_or_default()
}

/// A response of JSON encoded already.
fn json_bytes(body: impl Into<axum::body::Body>) -> Response {
    (
        [(CONTENT_TYPE, HeaderValue::from_static("application/json"))],
        body.into(),
    )
        .into_response()
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct SeatMap {
    trip: Trip,
    seats: Vec<crate::domain::Seat>,
}

/// A trip and its seat map; `mine` marks the asking session's seats.
#[utoipa::path(get, path = "/api/trips/{id}/seats/", tag = "passenger",
    params(("id" = i64, Path, description = "Trip id")),
    responses(
        (status = 200, description = "The trip and its seats", body = SeatMap),
        (status = 400, description = "invalid_request: a malformed id", body = crate::api::openapi::ErrorBody),
        (status = 404, description = "trip_not_found", body = crate::api::openapi::ErrorBody),
    ))]
pub async fn trip_seats(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let now = s.clock.now();
    let Some(session) = session_of(&headers, &s.settings) else {
        // No hold, so nothing on the map is "mine": every such visitor gets
        // the same bytes, encoded once per change of the map.
        let map = s.service.public_seat_map(id, now).await?;
        let body = map.rendered(|trip, seats| encoded(&SeatMapRef { trip, seats }));
        return Ok(json_bytes(body));
    };
    let (trip, seats) = s.service.trip_seats(id, Some(&session), now).await?;
    Ok(Json(SeatMap { trip, seats }).into_response())
}

/// [`SeatMap`] borrowed from a shared map (the same JSON).
#[derive(serde::Serialize)]
struct SeatMapRef<'a> {
    trip: &'a Trip,
    seats: &'a [crate::domain::Seat],
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HoldBody {
    #[schema(example = 1)]
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

/// Holds seats for this browser session, all or nothing; sets the
/// `seat_hold_token` cookie when the session is new.
#[utoipa::path(post, path = "/api/seats/hold/", tag = "passenger",
    request_body = HoldBody,
    responses(
        (status = 200, description = "The session's hold", body = Hold,
            headers(("Set-Cookie" = String, description = "seat_hold_token, when the session is new"))),
        (status = 400, description = "invalid_request, too_many_seats", body = crate::api::openapi::ErrorBody),
        (status = 404, description = "trip_not_found", body = crate::api::openapi::ErrorBody),
        (status = 409, description = "seats_unavailable (+ `seats`), hold_on_other_trip (+ `trip_id`), too_many_seats_from_network (+ `max`), payment_codes_exhausted", body = crate::api::openapi::ErrorBody),
        (status = 429, description = "rate_limited (+ Retry-After)", body = crate::api::openapi::ErrorBody),
    ))]
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
    s.limits.check(Limit::Hold, ip, s.clock.now()).await?;
    let (session, cookie) = session_or_new(&headers, &s.settings);
    let hold = s
        .service
        .hold_from(Some(ip), &session, body.trip_id, &body.seats, s.clock.now())
        .await?;
    Ok(with_cookie(hold, cookie))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReleaseBody {
    /// The seats to release; absent: all of them.
    seats: Option<Vec<SeatCode>>,
}

/// Releases some seats of the session's hold, or all of them with `{}`.
#[utoipa::path(post, path = "/api/seats/release/", tag = "passenger",
    request_body = ReleaseBody,
    responses(
        (status = 200, description = "What remains of the hold", body = Hold),
        (status = 400, description = "invalid_request", body = crate::api::openapi::ErrorBody),
        (status = 404, description = "no_active_hold", body = crate::api::openapi::ErrorBody),
    ))]
pub async fn release(
    State(s): State<AppState>,
    headers: HeaderMap,
    Body(body): Body<ReleaseBody>,
) -> ApiResult<Hold> {
    let session = session_of(&headers, &s.settings).ok_or(AppError::NoActiveHold)?;
    Ok(Json(
        s.service
            .release(&session, body.seats.as_deref(), s.clock.now())
            .await?,
    ))
}

/// The session's live hold.
#[utoipa::path(get, path = "/api/hold/", tag = "passenger",
    responses(
        (status = 200, description = "The session's hold", body = Hold),
        (status = 404, description = "no_active_hold", body = crate::api::openapi::ErrorBody),
    ))]
pub async fn current_hold(State(s): State<AppState>, headers: HeaderMap) -> ApiResult<Hold> {
    let session = session_of(&headers, &s.settings).ok_or(AppError::NoActiveHold)?;
    Ok(Json(s.service.current_hold(&session, s.clock.now()).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Empty {}

/// The passenger's one extension, when less than 2 minutes are left.
#[utoipa::path(post, path = "/api/hold/extend/", tag = "passenger",
    request_body = Empty,
    responses(
        (status = 200, description = "The extended hold", body = Hold),
        (status = 400, description = "invalid_request", body = crate::api::openapi::ErrorBody),
        (status = 404, description = "no_active_hold", body = crate::api::openapi::ErrorBody),
        (status = 409, description = "extend_not_allowed", body = crate::api::openapi::ErrorBody),
    ))]
pub async fn extend(
    State(s): State<AppState>,
    headers: HeaderMap,
    Body(_): Body<Empty>,
) -> ApiResult<Hold> {
    let session = session_of(&headers, &s.settings).ok_or(AppError::NoActiveHold)?;
    Ok(Json(s.service.extend(&session, s.clock.now()).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactBody {
    #[schema(example = "Budi Santoso")]
    name: String,
    /// `0812…`, `+62 812-…` or `62812…`.
    #[schema(example = "081234567890")]
    whatsapp: String,
    /// A name per seat of the hold (optional; a seat left out carries the
    /// contact person's `name`). Each seat at most once, and only seats
    /// of this hold.
    #[serde(default)]
    passengers: Vec<Passenger>,
    /// On a trip with `stops`: the place where they get on (absent: the
    /// first stop).
    #[schema(example = "Agen Cileunyi")]
    board: Option<String>,
    /// Where they get off (absent: the last stop); after `board`.
    alight: Option<String>,
}

/// Attaches the passenger's name and WhatsApp number, and optionally a name
/// per seat: the hold gets a claim code and lasts `CONTACT_HOLD_MINUTES`
/// from now.
#[utoipa::path(post, path = "/api/hold/attach-contact/", tag = "passenger",
    request_body = ContactBody,
    responses(
        (status = 200, description = "The hold with claim_code, admin_wa, whatsapp_url and its unique amount_due", body = Hold),
        (status = 400, description = "invalid_request", body = crate::api::openapi::ErrorBody),
        (status = 404, description = "no_active_hold", body = crate::api::openapi::ErrorBody),
        (status = 409, description = "too_many_active_holds (+ `max`), payment_codes_exhausted (every unique amount near this one awaits payment; try again later)", body = crate::api::openapi::ErrorBody),
    ))]
pub async fn attach_contact(
    State(s): State<AppState>,
    headers: HeaderMap,
    Body(body): Body<ContactBody>,
) -> ApiResult<Hold> {
    let name = CustomerName::parse(&body.name)?;
    let whatsapp = WhatsApp::parse(&body.whatsapp)?;
    let seats = SeatNames::parse(&body.passengers)?;
    let stops = StopChoice {
        board: body.board,
        alight: body.alight,
    };
    let session = session_of(&headers, &s.settings).ok_or(AppError::NoActiveHold)?;
    let now = s.clock.now();
    let contact = s
        .service
        .attach_contact_for_seats(&session, &name, &whatsapp, &seats, &stops, now);
    Ok(Json(contact.await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimBody {
    #[schema(example = "A1B2-C3D4")]
    claim_code: String,
}

/// Moves the hold with this claim code to this browser session.
#[utoipa::path(post, path = "/api/hold/claim/", tag = "passenger",
    request_body = ClaimBody,
    responses(
        (status = 200, description = "The claimed hold", body = Hold,
            headers(("Set-Cookie" = String, description = "seat_hold_token, when the session is new"))),
        (status = 400, description = "invalid_request", body = crate::api::openapi::ErrorBody),
        (status = 404, description = "claim_not_found", body = crate::api::openapi::ErrorBody),
        (status = 409, description = "hold_on_other_trip, session_has_hold, already_booked", body = crate::api::openapi::ErrorBody),
        (status = 410, description = "hold_expired", body = crate::api::openapi::ErrorBody),
        (status = 429, description = "rate_limited (+ Retry-After)", body = crate::api::openapi::ErrorBody),
    ))]
pub async fn claim(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Body(body): Body<ClaimBody>,
) -> Result<Response, ApiError> {
    // Counted before parsing: guessing with malformed codes costs the same.
    s.limits.check(Limit::Claim, ip, s.clock.now()).await?;
    // A code that cannot exist is simply not found.
    let code = ClaimCode::lookup(&body.claim_code)?;
    let (session, cookie) = session_or_new(&headers, &s.settings);
    let hold = s.service.claim(&session, &code, s.clock.now()).await?;
    Ok(with_cookie(hold, cookie))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BookingQuery {
    /// The booking's WhatsApp number, in any usual form.
    whatsapp: Option<String>,
}

/// A booking, for whoever gives its WhatsApp number.
#[utoipa::path(get, path = "/api/bookings/{booking_code}/", tag = "passenger",
    params(
        ("booking_code" = String, Path, description = "BK-XXXXXX"),
        BookingQuery,
    ),
    responses(
        (status = 200, description = "The booking", body = Booking),
        (status = 404, description = "booking_not_found", body = crate::api::openapi::ErrorBody),
        (status = 429, description = "rate_limited (+ Retry-After)", body = crate::api::openapi::ErrorBody),
    ))]
pub async fn booking(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(code): Path<String>,
    Query(q): Query<BookingQuery>,
) -> ApiResult<Booking> {
    // Counted before parsing, like claims: every guess costs the same.
    s.limits.check(Limit::Lookup, ip, s.clock.now()).await?;
    let code = BookingCode::parse(&code).map_err(|_| AppError::BookingNotFound)?;
    let whatsapp = q.whatsapp.ok_or(AppError::BookingNotFound)?;
    Ok(Json(
        s.service
            .find_booking(&code, &whatsapp, s.clock.now())
            .await?,
    ))
}

/// The bytes of an upload: the whole body, or with
/// `multipart/form-data` (a plain HTML form) its first file field. The
/// field's file name is never used.
pub(super) async fn upload_bytes(req: axum::extract::Request) -> Result<bytes::Bytes, AppError> {
    use axum::extract::FromRequest;
    let too_large_or = |status: axum::http::StatusCode, otherwise: AppError| {
        if status == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            AppError::PayloadTooLarge
        } else {
            otherwise
        }
    };
    let multipart = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        });
    if !multipart {
        return bytes::Bytes::from_request(req, &()).await.map_err(|r| {
            too_large_or(r.status(), AppError::invalid("The file could not be read."))
        });
    }
    let unreadable = || AppError::invalid("The form could not be read.");
    let mut form = axum::extract::Multipart::from_request(req, &())
        .await
        .map_err(|r| too_large_or(r.status(), unreadable()))?;
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| too_large_or(e.status(), unreadable()))?
    {
        if field.file_name().is_some() || field.name() == Some("receipt") {
            return field
                .bytes()
                .await
                .map_err(|e| too_large_or(e.status(), unreadable()));
        }
    }
    Err(AppError::invalid(
        "Send the receipt as the request body, or as the form field `receipt`.",
    ))
}

/// Sends the transfer receipt of the session's hold awaiting payment: a
/// photo (JPEG, PNG or WebP) or a PDF, at most 5 MB, as the raw body or
/// the `multipart/form-data` field `receipt`. The file is judged by its
/// content (its name and declared type are ignored); images are encoded
/// afresh without their metadata. The hold keeps its newest three.
#[utoipa::path(post, path = "/api/hold/receipts/", tag = "passenger",
    request_body(content = Vec<u8>, description = "The file's bytes (any Content-Type), or multipart/form-data with a `receipt` file field",
        content_type = "application/octet-stream"),
    responses(
        (status = 201, description = "Stored", body = crate::domain::Receipt),
        (status = 400, description = "invalid_request: an unreadable form", body = crate::api::openapi::ErrorBody),
        (status = 404, description = "no_active_hold", body = crate::api::openapi::ErrorBody),
        (status = 409, description = "contact_required (no name and WhatsApp yet), already_booked, booking_cancelled", body = crate::api::openapi::ErrorBody),
        (status = 410, description = "hold_expired", body = crate::api::openapi::ErrorBody),
        (status = 413, description = "payload_too_large: over 5 MB", body = crate::api::openapi::ErrorBody),
        (status = 415, description = "unsupported_file: not a JPEG, PNG, WebP or PDF", body = crate::api::openapi::ErrorBody),
        (status = 422, description = "unreadable_file: damaged, or a PDF with active content", body = crate::api::openapi::ErrorBody),
        (status = 429, description = "rate_limited (+ Retry-After)", body = crate::api::openapi::ErrorBody),
    ))]
pub async fn upload_receipt(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    req: axum::extract::Request,
) -> Result<Response, ApiError> {
    s.limits.check(Limit::Upload, ip, s.clock.now()).await?;
    let session = session_of(req.headers(), &s.settings).ok_or(AppError::NoActiveHold)?;
    let sent = upload_bytes(req).await?;
    let receipt = s
        .service
        .upload_receipt(&session, sent, s.clock.now())
        .await?;
    Ok((axum::http::StatusCode::CREATED, Json(receipt)).into_response())
}

/// The receipts sent for the session's hold awaiting payment (none when
/// there is no such hold).
#[utoipa::path(get, path = "/api/hold/receipts/", tag = "passenger",
    responses(
        (status = 200, description = "Oldest first", body = Vec<crate::domain::Receipt>),
    ))]
pub async fn my_receipts(
    State(s): State<AppState>,
    headers: HeaderMap,
) -> ApiResult<Vec<crate::domain::Receipt>> {
    let Some(session) = session_of(&headers, &s.settings) else {
        return Ok(Json(Vec::new()));
    };
    Ok(Json(s.service.my_receipts(&session).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QrisQuery {
    /// The version the page links (the image's SHA-256): with the live
    /// one, the answer may be cached for good.
    v: Option<String>,
}

/// The operator's QRIS image, for the pay step (public, like the bank
/// accounts).
#[utoipa::path(get, path = "/api/payment-qris/", tag = "passenger",
    params(QrisQuery),
    responses(
        (status = 200, description = "The image",
            content((Vec<u8> = "image/png"), (Vec<u8> = "image/jpeg"))),
        (status = 400, description = "invalid_request", body = crate::api::openapi::ErrorBody),
        (status = 404, description = "not_found: the operator has no QRIS image", body = crate::api::openapi::ErrorBody),
    ))]
pub async fn payment_qris(
    State(s): State<AppState>,
    Query(q): Query<QrisQuery>,
) -> Result<Response, ApiError> {
    let image = s.service.payment_qris().await?.ok_or(AppError::NotFound)?;
    // A page links `?v=<version>`; a new image has a new link, so that
    // one never changes. Without it, ask again each time.
    let cache = if q.v.as_deref() == Some(image.version.as_str()) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let etag =
        HeaderValue::from_str(&format!("\"{}\"", image.version)).map_err(|_| AppError::Internal)?;
    Ok((
        [
            (
                CONTENT_TYPE,
                HeaderValue::from_static(image.kind.content_type()),
            ),
            (
                axum::http::header::CACHE_CONTROL,
                HeaderValue::from_static(cache),
            ),
            (axum::http::header::ETAG, etag),
        ],
        image.bytes,
    )
        .into_response())
}
