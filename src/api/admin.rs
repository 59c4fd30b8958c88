//! Admin routes. Every handler takes [`Admin`], which refuses the request
//! with 401 unless it carries the admin key or a live staff session, and
//! with 403 `admin_only` when that session is a crew account's. The crew's
//! routes (`api::crew`) take [`Crew`] instead.

use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::ApiError;
use super::extract::{Body, Path, Query};
use super::guard::ClientIp;
use crate::domain::statement::{ColumnMapping, StatementReport};
use crate::domain::webhook::{CreatedWebhookEndpoint, NewWebhookEndpoint, Webhooks};
use crate::domain::{
    AppError, AuditEvent, Booking, BookingCode, ClaimCode, Hold, Manifest, ManifestOrder,
    NewPaymentAccount, PaymentAccount, StaffUser, Trip,
};
use crate::limits::Limit;
use crate::services::{Actor, Boarder, HoldFilter, NewTripInput, Staff, TripUpdate};
use crate::state::AppState;
use crate::web::{admin_key_ok, staff_cookie, staff_key_of};

type ApiResult<T> = Result<Json<T>, ApiError>;

/// Who a staff request comes from: the admin key's holder or a signed-in
/// staff member. [`Admin`] and [`Crew`] decide what each may do.
pub enum Caller {
    AdminKey,
    Staff(Staff),
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Caller::of(parts, state).await?)
    }
}

impl Caller {
    /// The caller, or 401 without the admin key or a live staff session.
    async fn of(parts: &Parts, state: &AppState) -> Result<Self, AppError> {
        if admin_key_ok(&parts.headers, &state.settings) {
            return Ok(Caller::AdminKey);
        }
        match staff_key_of(&parts.headers, &state.settings) {
            Some(key) => state
                .service
                .staff_session(&key, state.clock.now())
                .await?
                .map(Caller::Staff)
                .ok_or(AppError::Unauthorized),
            None => Err(AppError::Unauthorized),
        }
    }
}

/// An authenticated admin, as the audit log names them.
pub struct Admin(pub Actor);

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Admin(match Caller::of(parts, state).await? {
            Caller::AdminKey => Actor::ApiKey,
            // A crew account is refused here: 403 `admin_only`.
            Caller::Staff(staff) => staff.admin()?,
        }))
    }
}

/// Anyone allowed at the bus door: the admin key, or a staff session of
/// an admin or a crew member.
pub struct Crew(pub Boarder);

impl FromRequestParts<AppState> for Crew {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Crew(match Caller::of(parts, state).await? {
            Caller::AdminKey => Boarder::with_admin_key(),
            Caller::Staff(staff) => staff.boarder(),
        }))
    }
}

/// Holds with contact details, newest first.
#[utoipa::path(get, path = "/api/admin/holds/", tag = "admin", security(("admin_key" = []), ("staff_session" = [])),
    params(HoldFilter),
    responses(
        (status = 200, description = "Holds with contact details", body = Vec<Hold>),
        (status = 400, description = "invalid_request: a bad `status`", body = crate::api::openapi::ErrorBody),
        (status = 401, description = "unauthorized", body = crate::api::openapi::ErrorBody),
    ))]
pub async fn holds(
    State(s): State<AppState>,
    _: Admin,
    Query(filter): Query<HoldFilter>,
) -> ApiResult<Vec<Hold>> {
    Ok(Json(s.service.admin_holds(&filter, s.clock.now()).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimBody {
    #[schema(example = "A1B2-C3D4")]
    claim_code: String,
}

fn claim_code(raw: &str) -> Result<ClaimCode, ApiError> {
    Ok(ClaimCode::lookup(raw)?)
}

/// Confirms payment: books the hold and returns its booking code.
/// Idempotent; a late payment on an expired hold works while its seats are free.
#[utoipa::path(post, path = "/api/admin/generate-booking-code/", tag = "admin", security(("admin_key" = []), ("staff_session" = [])),
    request_body = ClaimBody,
    responses(
        (status = 200, description = "The booking", body = Booking),
        (status = 400, description = "invalid_request", body = crate::api::openapi::ErrorBody),
        (status = 401, description = "unauthorized", body = crate::api::openapi::ErrorBody),
        (status = 404, description = "claim_not_found", body = crate::api::openapi::ErrorBody),
        (status = 409, description = "seats_unavailable (+ `seats`), booking_cancelled", body = crate::api::openapi::ErrorBody),
        (status = 410, description = "hold_expired: the hold was released", body = crate::api::openapi::ErrorBody),
    ))]
pub async fn book(
    State(s): State<AppState>,
    Admin(actor): Admin,
    Body(b): Body<ClaimBody>,
) -> ApiResult<Booking> {
    let code = claim_code(&b.claim_code)?;
    Ok(Json(s.service.book(&actor, &code, s.clock.now()).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtendBody {
    claim_code: String,
    /// Minutes to add; default `HOLD_MINUTES`.
    minutes: Option<f64>,
}

/// Extends a live hold by `minutes` (default `HOLD_MINUTES`), never past
/// `MAX_HOLD_MINUTES` from its start.
#[utoipa::path(post, path = "/api/admin/holds/extend/", tag = "admin", security(("admin_key" = []), ("staff_session" = [])),
    request_body = ExtendBody,
    responses(
        (status = 200, description = "The extended hold", body = Hold),
        (status = 400, description = "invalid_request", body = crate::api::openapi::ErrorBody),
        (status = 401, description = "unauthorized", body = crate::api::openapi::ErrorBody),
        (status = 404, description = "claim_not_found", body = crate::api::openapi::ErrorBody),
        (status = 409, description = "extend_not_allowed, already_booked", body = crate::api::openapi::ErrorBody),
        (status = 410, description = "hold_expired", body = crate::api::openapi::ErrorBody),
    ))]
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

/// Releases every seat of a live hold.
#[utoipa::path(post, path = "/api/admin/holds/release/", tag = "admin", security(("admin_key" = []), ("staff_session" = [])),
    request_body = ClaimBody,
    responses(
        (status = 200, description = "The released hold", body = Hold),
        (status = 400, description = "invalid_request", body = crate::api::openapi::ErrorBody),
        (status = 401, description = "unauthorized", body = crate::api::openapi::ErrorBody),
        (status = 404, description = "claim_not_found", body = crate::api::openapi::ErrorBody),
        (status = 409, description = "already_booked", body = crate::api::openapi::ErrorBody),
        (status = 410, description = "hold_expired", body = crate::api::openapi::ErrorBody),
    ))]
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

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelBody {
    #[schema(example = "BK-7Q2M9X")]
    booking_code: String,
}

/// Cancels a booking; its seats become available. Cancelling twice is harmless.
#[utoipa::path(post, path = "/api/admin/bookings/cancel/", tag = "admin", security(("admin_key" = []), ("staff_session" = [])),
    request_body = CancelBody,
    responses(
        (status = 200, description = "The cancelled booking", body = Booking),
        (status = 400, description = "invalid_request", body = crate::api::openapi::ErrorBody),
        (status = 401, description = "unauthorized", body = crate::api::openapi::ErrorBody),
        (status = 404, description = "booking_not_found", body = crate::api::openapi::ErrorBody),
    ))]
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

/// Every trip, listed or not, newest departure first.
#[utoipa::path(get, path = "/api/admin/trips/", tag = "admin", security(("admin_key" = []), ("staff_session" = [])),
    responses(
        (status = 200, description = "All trips", body = Vec<Trip>),
        (status = 401, description = "unauthorized", body = crate::api::openapi::ErrorBody),
    ))]
pub async fn trips(State(s): State<AppState>, _: Admin) -> ApiResult<Vec<Trip>> {
    Ok(Json(s.service.admin_trips(s.clock.now()).await?))
}

/// Creates a trip; the bus type lays out its seats.
#[utoipa::path(post, path = "/api/admin/trips/", tag = "admin", security(("admin_key" = []), ("staff_session" = [])),
    request_body = NewTripInput,
    responses(
        (status = 200, description = "The new trip", body = Trip),
        (status = 400, description = "invalid_request", body = crate::api::openapi::ErrorBody),
        (status = 401, description = "unauthorized", body = crate::api::openapi::ErrorBody),
    ))]
pub async fn create_trip(
    State(s): State<AppState>,
    Admin(actor): Admin,
    Body(input): Body<NewTripInput>,
) -> ApiResult<Trip> {
    Ok(Json(
        s.service.create_trip(&actor, &input, s.clock.now()).await?,
    ))
}

/// Edits or deactivates a trip (`"is_active": false`). The bus type changes
/// only while no seat is held or booked.
#[utoipa::path(patch, path = "/api/admin/trips/{id}/", tag = "admin", security(("admin_key" = []), ("staff_session" = [])),
    params(("id" = i64, Path, description = "Trip id")),
    request_body = TripUpdate,
    responses(
        (status = 200, description = "The trip", body = Trip),
        (status = 400, description = "invalid_request", body = crate::api::openapi::ErrorBody),
        (status = 401, description = "unauthorized", body = crate::api::openapi::ErrorBody),
        (status = 404, description = "trip_not_found", body = crate::api::openapi::ErrorBody),
        (status = 409, description = "trip_has_bookings", body = crate::api::openapi::ErrorBody),
    ))]
pub async fn update_trip(
    State(s): State<AppState>,
    Admin(actor): Admin,
    Path(id): Path<i64>,
    Body(change): Body<TripUpdate>,
) -> ApiResult<Trip> {
    Ok(Json(
        s.service
            .update_trip(&actor, id, &change, s.clock.now())
            .await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatementBody {
    /// The statement export as text (CSV: commas, semicolons or tabs).
    #[schema(example = "Tanggal,Keterangan,Jumlah\n01/12/2026,TRF DEWI LESTARI,350.417\n")]
    csv: String,
    /// Which columns hold what; absent: found by the file's header.
    mapping: Option<ColumnMapping>,
}

/// Matches a bank statement export to the holds: each credit with the
/// hold whose amount to transfer it is (`READY`: book it with
/// `generate-booking-code`), and those that are `AMBIGUOUS`, `UNMATCHED`
/// or `ALREADY_BOOKED`. Books nothing. KlikBCA's "Mutasi Rekening" CSV is
/// recognised; other exports by their headers, or by `mapping`.
#[utoipa::path(post, path = "/api/admin/statement/match/", tag = "admin", security(("admin_key" = []), ("staff_session" = [])),
    request_body = StatementBody,
    responses(
        (status = 200, description = "Each credit with its verdict and holds; `mapping` null when the columns must be chosen", body = StatementReport),
        (status = 400, description = "invalid_request: not a statement Kursi can read, or a column not in the file", body = crate::api::openapi::ErrorBody),
        (status = 401, description = "unauthorized", body = crate::api::openapi::ErrorBody),
        (status = 413, description = "payload_too_large: over 2 MiB", body = crate::api::openapi::ErrorBody),
    ))]
pub async fn match_statement(
    State(s): State<AppState>,
    _: Admin,
    Body(b): Body<StatementBody>,
) -> ApiResult<StatementReport> {
    Ok(Json(
        s.service
            .match_statement(&b.csv, b.mapping, s.clock.now())
            .await?,
    ))
}

/// Adds a bank account to the pay step; answers with every live account.
#[utoipa::path(post, path = "/api/admin/payment-accounts/", tag = "admin", security(("admin_key" = []), ("staff_session" = [])),
    request_body = NewPaymentAccount,
    responses(
        (status = 200, description = "The live accounts, the new one last", body = Vec<PaymentAccount>),
        (status = 400, description = "invalid_request: a bad field, or already the most accounts", body = crate::api::openapi::ErrorBody),
        (status = 401, description = "unauthorized", body = crate::api::openapi::ErrorBody),
    ))]
pub async fn add_payment_account(
    State(s): State<AppState>,
    Admin(actor): Admin,
    Body(input): Body<NewPaymentAccount>,
) -> ApiResult<Vec<PaymentAccount>> {
    Ok(Json(
        s.service
            .add_payment_account(&actor, &input, s.clock.now())
            .await?,
    ))
}

/// Retires a bank account: passengers no longer see it (its record stays).
#[utoipa::path(post, path = "/api/admin/payment-accounts/{id}/retire/", tag = "admin", security(("admin_key" = []), ("staff_session" = [])),
    params(("id" = i64, Path, description = "Account id")),
    responses(
        (status = 200, description = "The live accounts left", body = Vec<PaymentAccount>),
        (status = 400, description = "invalid_request", body = crate::api::openapi::ErrorBody),
        (status = 401, description = "unauthorized", body = crate::api::openapi::ErrorBody),
        (status = 404, description = "not_found: no such live account", body = crate::api::openapi::ErrorBody),
    ))]
pub async fn retire_payment_account(
    State(s): State<AppState>,
    Admin(actor): Admin,
    Path(id): Path<i64>,
) -> ApiResult<Vec<PaymentAccount>> {
    Ok(Json(
        s.service
            .retire_payment_account(&actor, id, s.clock.now())
            .await?,
    ))
}

/// How to list a manifest: `order=seat` (the default) or `order=stop`
/// (by boarding point, then seat).
#[derive(Clone, Copy, Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ManifestQuery {
    #[serde(default)]
    #[param(inline)]
    pub order: ManifestOrder,
}

/// A trip's passenger manifest: booked seats and seats awaiting payment.
#[utoipa::path(get, path = "/api/admin/trips/{id}/manifest/", tag = "admin", security(("admin_key" = []), ("staff_session" = [])),
    params(("id" = i64, Path, description = "Trip id"), ManifestQuery),
    responses(
        (status = 200, description = "The manifest", body = Manifest),
        (status = 400, description = "invalid_request", body = crate::api::openapi::ErrorBody),
        (status = 401, description = "unauthorized", body = crate::api::openapi::ErrorBody),
        (status = 404, description = "trip_not_found", body = crate::api::openapi::ErrorBody),
    ))]
pub async fn manifest(
    State(s): State<AppState>,
    _: Admin,
    Path(id): Path<i64>,
    Query(q): Query<ManifestQuery>,
) -> ApiResult<Manifest> {
    Ok(Json(
        s.service
            .manifest(id, s.clock.now())
            .await?
            .ordered(q.order),
    ))
}

/// The manifest as a CSV file (UTF-8 with a byte order mark, so that
/// spreadsheet programs read names with accents correctly): seat, name
/// (who sits there), whatsapp, booking_code, claim_code, status,
/// contact_name (who booked), boarded_at, board, board_at, alight,
/// alight_at.
#[utoipa::path(get, path = "/api/admin/trips/{id}/manifest.csv", tag = "admin", security(("admin_key" = []), ("staff_session" = [])),
    params(("id" = i64, Path, description = "Trip id"), ManifestQuery),
    responses(
        (status = 200, description = "The manifest", content_type = "text/csv", body = String),
        (status = 400, description = "invalid_request", body = crate::api::openapi::ErrorBody),
        (status = 401, description = "unauthorized", body = crate::api::openapi::ErrorBody),
        (status = 404, description = "trip_not_found", body = crate::api::openapi::ErrorBody),
    ))]
pub async fn manifest_csv(
    State(s): State<AppState>,
    _: Admin,
    Path(id): Path<i64>,
    Query(q): Query<ManifestQuery>,
) -> Result<Response, ApiError> {
    let manifest = s
        .service
        .manifest(id, s.clock.now())
        .await?
        .ordered(q.order);
    let csv = crate::services::manifest_csv(&manifest)?;
    let filename = format!("manifest-trip-{id}.csv");
    Ok((
        [
            (
                CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (
                CONTENT_DISPOSITION,
                HeaderValue::from_str(&format!("attachment; filename=\"{filename}\""))
                    .map_err(|_| AppError::Internal)?,
            ),
        ],
        csv,
    )
        .into_response())
}

/// The audit trail of a trip, newest first.
#[utoipa::path(get, path = "/api/admin/trips/{id}/audit/", tag = "admin", security(("admin_key" = []), ("staff_session" = [])),
    params(("id" = i64, Path, description = "Trip id")),
    responses(
        (status = 200, description = "Audit events", body = Vec<AuditEvent>),
        (status = 400, description = "invalid_request", body = crate::api::openapi::ErrorBody),
        (status = 401, description = "unauthorized", body = crate::api::openapi::ErrorBody),
        (status = 404, description = "trip_not_found", body = crate::api::openapi::ErrorBody),
    ))]
pub async fn trip_audit(
    State(s): State<AppState>,
    _: Admin,
    Path(id): Path<i64>,
) -> ApiResult<Vec<AuditEvent>> {
    Ok(Json(s.service.trip_audit(id, s.clock.now()).await?))
}

/// The audit trail of a hold, oldest first.
#[utoipa::path(get, path = "/api/admin/holds/{claim_code}/audit/", tag = "admin", security(("admin_key" = []), ("staff_session" = [])),
    params(("claim_code" = String, Path, description = "XXXX-XXXX")),
    responses(
        (status = 200, description = "Audit events", body = Vec<AuditEvent>),
        (status = 401, description = "unauthorized", body = crate::api::openapi::ErrorBody),
        (status = 404, description = "claim_not_found", body = crate::api::openapi::ErrorBody),
    ))]
pub async fn hold_audit(
    State(s): State<AppState>,
    _: Admin,
    Path(code): Path<String>,
) -> ApiResult<Vec<AuditEvent>> {
    let code = claim_code(&code)?;
    Ok(Json(s.service.hold_audit(&code).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    username: String,
    password: String,
}

/// Staff sign-in: sets the `kursi_staff` session cookie.
/// Staff sign-in: sets the `kursi_staff` cookie (HttpOnly, SameSite=Strict).
#[utoipa::path(post, path = "/api/admin/login/", tag = "admin",
    request_body = LoginBody,
    responses(
        (status = 200, description = "Signed in", body = StaffUser,
            headers(("Set-Cookie" = String, description = "kursi_staff"))),
        (status = 400, description = "invalid_request", body = crate::api::openapi::ErrorBody),
        (status = 401, description = "invalid_credentials", body = crate::api::openapi::ErrorBody),
        (status = 429, description = "rate_limited (+ Retry-After)", body = crate::api::openapi::ErrorBody),
    ))]
pub async fn login(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    Body(b): Body<LoginBody>,
) -> Result<Response, ApiError> {
    s.limits.check(Limit::Login, ip, s.clock.now()).await?;
    let (token, user) = s
        .service
        .sign_in(
            &b.username,
            &b.password,
            ip,
            s.settings.staff_session_ttl,
            s.clock.now(),
        )
        .await?;
    let mut response = Json(user).into_response();
    response
        .headers_mut()
        .insert(SET_COOKIE, staff_cookie(&token, &s.settings));
    Ok(response)
}

/// Signs out: ends the staff session and clears its cookie. Harmless when
/// not signed in.
#[utoipa::path(post, path = "/api/admin/logout/", tag = "admin",
    responses((status = 204, description = "Signed out")))]
pub async fn logout(State(s): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    if let Some(key) = staff_key_of(&headers, &s.settings) {
        s.service.sign_out(&key, s.clock.now()).await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    response
        .headers_mut()
        .insert(SET_COOKIE, staff_cookie("", &s.settings));
    Ok(response)
}

/// Who is signed in and their role (`api-key`, an admin, for the admin
/// key). Crew accounts may ask too.
#[utoipa::path(get, path = "/api/admin/me/", tag = "admin", security(("admin_key" = []), ("staff_session" = [])),
    responses(
        (status = 200, description = "The staff member", body = StaffUser),
        (status = 401, description = "unauthorized", body = crate::api::openapi::ErrorBody),
    ))]
pub async fn me(caller: Caller) -> ApiResult<StaffUser> {
    Ok(Json(match caller {
        Caller::AdminKey => StaffUser {
            username: Actor::ApiKey.label(),
            role: crate::domain::StaffRole::Admin,
        },
        Caller::Staff(staff) => staff.user(),
    }))
}

/// Webhook endpoints and the latest deliveries (newest first).
#[utoipa::path(get, path = "/api/admin/webhooks/", tag = "admin", security(("admin_key" = []), ("staff_session" = [])),
    responses(
        (status = 200, description = "Endpoints and deliveries", body = Webhooks),
        (status = 401, description = "unauthorized", body = crate::api::openapi::ErrorBody),
    ))]
pub async fn webhooks(State(s): State<AppState>, _: Admin) -> ApiResult<Webhooks> {
    Ok(Json(Webhooks {
        endpoints: s.service.webhook_endpoints().await?,
        deliveries: s.service.webhook_deliveries().await?,
    }))
}

/// Registers an endpoint: every event from now on is posted to it, signed
/// with the secret in the answer (shown this once).
#[utoipa::path(post, path = "/api/admin/webhooks/", tag = "admin", security(("admin_key" = []), ("staff_session" = [])),
    request_body = NewWebhookEndpoint,
    responses(
        (status = 200, description = "The endpoint and its signing secret", body = CreatedWebhookEndpoint),
        (status = 400, description = "invalid_request: not an http(s) URL, or the most endpoints are live", body = crate::api::openapi::ErrorBody),
        (status = 401, description = "unauthorized", body = crate::api::openapi::ErrorBody),
    ))]
pub async fn add_webhook(
    State(s): State<AppState>,
    Admin(actor): Admin,
    Body(input): Body<NewWebhookEndpoint>,
) -> ApiResult<CreatedWebhookEndpoint> {
    let (endpoint, secret) = s
        .service
        .add_webhook_endpoint(&actor, &input.url, s.clock.now())
        .await?;
    Ok(Json(CreatedWebhookEndpoint { endpoint, secret }))
}

/// Retires an endpoint: nothing more is queued for it or sent to it.
#[utoipa::path(post, path = "/api/admin/webhooks/{id}/retire/", tag = "admin", security(("admin_key" = []), ("staff_session" = [])),
    params(("id" = i64, Path, description = "Endpoint id")),
    responses(
        (status = 204, description = "Retired"),
        (status = 400, description = "invalid_request", body = crate::api::openapi::ErrorBody),
        (status = 401, description = "unauthorized", body = crate::api::openapi::ErrorBody),
        (status = 404, description = "not_found: no such live endpoint", body = crate::api::openapi::ErrorBody),
    ))]
pub async fn retire_webhook(
    State(s): State<AppState>,
    Admin(actor): Admin,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    s.service
        .retire_webhook_endpoint(&actor, id, s.clock.now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sends a delivery again from its first attempt.
#[utoipa::path(post, path = "/api/admin/webhook-deliveries/{id}/resend/", tag = "admin", security(("admin_key" = []), ("staff_session" = [])),
    params(("id" = i64, Path, description = "Delivery id")),
    responses(
        (status = 204, description = "Due again now"),
        (status = 400, description = "invalid_request", body = crate::api::openapi::ErrorBody),
        (status = 401, description = "unauthorized", body = crate::api::openapi::ErrorBody),
        (status = 404, description = "not_found: no such delivery", body = crate::api::openapi::ErrorBody),
    ))]
pub async fn resend_webhook(
    State(s): State<AppState>,
    _: Admin,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    s.service.resend_webhook(id, s.clock.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The receipts passengers sent for the hold with this claim code.
#[utoipa::path(get, path = "/api/admin/holds/{claim_code}/receipts/", tag = "admin", security(("admin_key" = []), ("staff_session" = [])),
    params(("claim_code" = String, Path, description = "XXXX-XXXX")),
    responses(
        (status = 200, description = "Oldest first; each file is GET /api/admin/receipts/{id}/", body = Vec<crate::domain::Receipt>),
        (status = 401, description = "unauthorized", body = crate::api::openapi::ErrorBody),
        (status = 404, description = "claim_not_found", body = crate::api::openapi::ErrorBody),
    ))]
pub async fn hold_receipts(
    State(s): State<AppState>,
    _: Admin,
    Path(code): Path<String>,
) -> ApiResult<Vec<crate::domain::Receipt>> {
    let code = ClaimCode::lookup(&code)?;
    Ok(Json(s.service.hold_receipts(&code).await?))
}

/// A receipt's file: an image shown as it is, a PDF as a download. Never
/// cached, never sniffed, and it may run nothing (its own
/// Content-Security-Policy).
#[utoipa::path(get, path = "/api/admin/receipts/{id}/", tag = "admin", security(("admin_key" = []), ("staff_session" = [])),
    params(("id" = i64, Path, description = "Receipt id")),
    responses(
        (status = 200, description = "The file: an image inline, a PDF as a download",
            content((Vec<u8> = "image/jpeg"), (Vec<u8> = "image/png"), (Vec<u8> = "application/pdf"))),
        (status = 400, description = "invalid_request", body = crate::api::openapi::ErrorBody),
        (status = 401, description = "unauthorized", body = crate::api::openapi::ErrorBody),
        (status = 404, description = "not_found", body = crate::api::openapi::ErrorBody),
    ))]
pub async fn receipt_file(
    State(s): State<AppState>,
    Admin(actor): Admin,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let file = s.service.receipt_file(&actor, id).await?;
    let disposition = if file.kind.is_image() {
        "inline"
    } else {
        "attachment"
    };
    let header = |v: String| HeaderValue::from_str(&v).map_err(|_| AppError::Internal);
    Ok((
        [
            (
                CONTENT_TYPE,
                HeaderValue::from_static(file.kind.content_type()),
            ),
            (
                CONTENT_DISPOSITION,
                header(format!("{disposition}; filename=\"{}\"", file.name))?,
            ),
            (
                axum::http::header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            ),
            (
                axum::http::header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; img-src 'self'; sandbox"),
            ),
        ],
        file.bytes,
    )
        .into_response())
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct QrisVersion {
    /// The image's SHA-256; the pay step links `/api/payment-qris/?v=<version>`.
    version: String,
}

/// Sets the operator's QRIS image (a JPEG, PNG or WebP; cleaned of metadata
/// and scaled to 1,200 pixels a side), shown on every pay step from now;
/// the previous one is retired.
#[utoipa::path(post, path = "/api/admin/payment-qris/", tag = "admin", security(("admin_key" = []), ("staff_session" = [])),
    request_body(content = Vec<u8>, description = "The image's bytes (any Content-Type), or multipart/form-data with one file field",
        content_type = "application/octet-stream"),
    responses(
        (status = 201, description = "Shown from now", body = QrisVersion),
        (status = 400, description = "invalid_request", body = crate::api::openapi::ErrorBody),
        (status = 401, description = "unauthorized", body = crate::api::openapi::ErrorBody),
        (status = 413, description = "payload_too_large: over 5 MB", body = crate::api::openapi::ErrorBody),
        (status = 415, description = "unsupported_file: not a JPEG, PNG or WebP image", body = crate::api::openapi::ErrorBody),
        (status = 422, description = "unreadable_file", body = crate::api::openapi::ErrorBody),
    ))]
pub async fn set_payment_qris(
    State(s): State<AppState>,
    Admin(actor): Admin,
    req: axum::extract::Request,
) -> Result<Response, ApiError> {
    let sent = super::passenger::upload_bytes(req).await?;
    let version = s
        .service
        .set_payment_qris(&actor, sent, s.clock.now())
        .await?;
    Ok((StatusCode::CREATED, Json(QrisVersion { version })).into_response())
}

/// Stops showing the QRIS image.
#[utoipa::path(post, path = "/api/admin/payment-qris/retire/", tag = "admin", security(("admin_key" = []), ("staff_session" = [])),
    responses(
        (status = 204, description = "No longer shown"),
        (status = 401, description = "unauthorized", body = crate::api::openapi::ErrorBody),
        (status = 404, description = "not_found: none is shown", body = crate::api::openapi::ErrorBody),
    ))]
pub async fn retire_payment_qris(
    State(s): State<AppState>,
    Admin(actor): Admin,
) -> Result<StatusCode, ApiError> {
    s.service.retire_payment_qris(&actor, s.clock.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Every schedule, newest first.
#[utoipa::path(get, path = "/api/admin/schedules/", tag = "admin", security(("admin_key" = []), ("staff_session" = [])),
    responses(
        (status = 200, description = "Schedules", body = Vec<crate::domain::schedule::Schedule>),
        (status = 401, description = "unauthorized", body = crate::api::openapi::ErrorBody),
    ))]
pub async fn schedules(
    State(s): State<AppState>,
    _: Admin,
) -> ApiResult<Vec<crate::domain::schedule::Schedule>> {
    Ok(Json(s.service.schedules().await?))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct CreatedSchedule {
    schedule: crate::domain::schedule::Schedule,
    /// Trips made from it now (for the `SCHEDULE_DAYS_AHEAD` days ahead).
    trips_made: usize,
}

/// Adds a schedule (a route that runs on days of the week at a local time)
/// and makes its trips for the days ahead at once; the sweep makes the
/// following ones every hour.
#[utoipa::path(post, path = "/api/admin/schedules/", tag = "admin", security(("admin_key" = []), ("staff_session" = [])),
    request_body = crate::services::NewSchedule,
    responses(
        (status = 201, description = "Added", body = CreatedSchedule),
        (status = 400, description = "invalid_request", body = crate::api::openapi::ErrorBody),
        (status = 401, description = "unauthorized", body = crate::api::openapi::ErrorBody),
    ))]
pub async fn create_schedule(
    State(s): State<AppState>,
    Admin(actor): Admin,
    Body(body): Body<crate::services::NewSchedule>,
) -> Result<Response, ApiError> {
    let ahead = s.settings.schedule_days_ahead;
    let (schedule, trips_made) = s
        .service
        .create_schedule(&actor, &body, ahead, s.clock.now())
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedSchedule {
            schedule,
            trips_made,
        }),
    )
        .into_response())
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct UpdatedSchedule {
    schedule: crate::domain::schedule::Schedule,
    #[serde(flatten)]
    edit: crate::services::ScheduleEdit,
}

/// Changes a schedule's rule (the whole of it, as when adding one) and
/// carries it to its later trips that nobody has held: new route, time,
/// price and bus, or off sale when the date no longer runs; new dates get
/// their trips. Trips with holds or bookings stay as they were sold.
#[utoipa::path(put, path = "/api/admin/schedules/{id}/", tag = "admin", security(("admin_key" = []), ("staff_session" = [])),
    params(("id" = i64, Path, description = "Schedule id")),
    request_body = crate::services::NewSchedule,
    responses(
        (status = 200, description = "Changed; trips_changed, trips_kept and trips_made say what it did to the trips", body = UpdatedSchedule),
        (status = 400, description = "invalid_request", body = crate::api::openapi::ErrorBody),
        (status = 401, description = "unauthorized", body = crate::api::openapi::ErrorBody),
        (status = 404, description = "not_found", body = crate::api::openapi::ErrorBody),
    ))]
pub async fn update_schedule(
    State(s): State<AppState>,
    Admin(actor): Admin,
    Path(id): Path<i64>,
    Body(body): Body<crate::services::NewSchedule>,
) -> ApiResult<UpdatedSchedule> {
    let ahead = s.settings.schedule_days_ahead;
    let (schedule, edit) = s
        .service
        .update_schedule(&actor, id, &body, ahead, s.clock.now())
        .await?;
    Ok(Json(UpdatedSchedule { schedule, edit }))
}

/// Skips a date of a schedule, gives it a price of its own, or makes it
/// ordinary again; that date's trip follows unless a seat of it was ever
/// held.
#[utoipa::path(post, path = "/api/admin/schedules/{id}/dates/", tag = "admin", security(("admin_key" = []), ("staff_session" = [])),
    params(("id" = i64, Path, description = "Schedule id")),
    request_body = crate::services::DateRule,
    responses(
        (status = 200, description = "The schedule", body = crate::domain::schedule::Schedule),
        (status = 400, description = "invalid_request", body = crate::api::openapi::ErrorBody),
        (status = 401, description = "unauthorized", body = crate::api::openapi::ErrorBody),
        (status = 404, description = "not_found", body = crate::api::openapi::ErrorBody),
    ))]
pub async fn schedule_date(
    State(s): State<AppState>,
    Admin(actor): Admin,
    Path(id): Path<i64>,
    Body(rule): Body<crate::services::DateRule>,
) -> ApiResult<crate::domain::schedule::Schedule> {
    let ahead = s.settings.schedule_days_ahead;
    Ok(Json(
        s.service
            .set_schedule_date(&actor, id, rule, ahead, s.clock.now())
            .await?,
    ))
}

/// Stops a schedule: no more trips are made from it.
#[utoipa::path(post, path = "/api/admin/schedules/{id}/stop/", tag = "admin", security(("admin_key" = []), ("staff_session" = [])),
    params(("id" = i64, Path, description = "Schedule id")),
    responses(
        (status = 200, description = "The stopped schedule", body = crate::domain::schedule::Schedule),
        (status = 400, description = "invalid_request", body = crate::api::openapi::ErrorBody),
        (status = 401, description = "unauthorized", body = crate::api::openapi::ErrorBody),
        (status = 404, description = "not_found: no such running schedule", body = crate::api::openapi::ErrorBody),
    ))]
pub async fn stop_schedule(
    State(s): State<AppState>,
    _: Admin,
    Path(id): Path<i64>,
) -> ApiResult<crate::domain::schedule::Schedule> {
    Ok(Json(s.service.stop_schedule(id, s.clock.now()).await?))
}
