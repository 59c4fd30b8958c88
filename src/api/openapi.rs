//! The OpenAPI 3.1 document of the JSON API, generated from the handlers'
//! `#[utoipa::path]` attributes and the types' `ToSchema` derives, and
//! served at `/api/openapi.json`.

use axum::Json;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, Type};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{Modify, OpenApi, PartialSchema, ToSchema};

use super::{admin, crew, events, passenger, reports};
use crate::domain::AppError;

/// Every error body: `{"code", "message"}` plus the fields some codes add.
pub struct ErrorBody;

impl PartialSchema for ErrorBody {
    fn schema() -> RefOr<Schema> {
        let int = |d: &str| {
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(0))
                .description(Some(d))
        };
        ObjectBuilder::new()
            .description(Some(
                "An error. `code` is stable; `message` is a sentence for people.",
            ))
            .property(
                "code",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some(AppError::CODES.iter().copied())),
            )
            .required("code")
            .property("message", ObjectBuilder::new().schema_type(Type::String))
            .required("message")
            .property(
                "seats",
                ArrayBuilder::new()
                    .items(crate::domain::SeatCode::schema())
                    .description(Some(
                        "seats_unavailable: the seats that were not available.",
                    )),
            )
            .property(
                "trip_id",
                int("hold_on_other_trip, session_has_hold: the trip of the session's hold."),
            )
            .property(
                "max",
                int("too_many_seats, too_many_active_holds: the limit."),
            )
            .property(
                "retry_after",
                int("rate_limited: seconds to wait (also in Retry-After)."),
            )
            .into()
    }
}

impl ToSchema for ErrorBody {
    fn name() -> std::borrow::Cow<'static, str> {
        "Error".into()
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Kursi",
        description = "Bus seat booking: trips, seat maps, holds, claims, bookings, and the admin's actions. \
Paths end with `/`; the same path without it works too. Times are RFC 3339 UTC. \
Passenger sessions are the `seat_hold_token` cookie, set by the first hold or claim.",
    ),
    paths(
        passenger::list_trips,
        passenger::trip_seats,
        events::trip_events,
        passenger::hold,
        passenger::release,
        passenger::current_hold,
        passenger::extend,
        passenger::attach_contact,
        passenger::claim,
        passenger::booking,
        passenger::payment_accounts,
        passenger::upload_receipt,
        passenger::payment_qris,
        passenger::my_receipts,
        admin::login,
        admin::logout,
        admin::me,
        admin::holds,
        admin::book,
        admin::extend,
        admin::release,
        admin::cancel,
        admin::match_statement,
        admin::add_payment_account,
        admin::retire_payment_account,
        admin::set_payment_qris,
        admin::retire_payment_qris,
        admin::webhooks,
        admin::add_webhook,
        admin::retire_webhook,
        admin::resend_webhook,
        admin::hold_audit,
        admin::hold_receipts,
        admin::receipt_file,
        admin::trips,
        admin::schedules,
        admin::create_schedule,
        admin::update_schedule,
        admin::schedule_date,
        admin::stop_schedule,
        admin::create_trip,
        admin::update_trip,
        admin::manifest,
        admin::manifest_csv,
        admin::trip_audit,
        reports::report,
        reports::days_csv,
        reports::routes_csv,
        reports::occupancy_csv,
        crew::trips,
        crew::passengers,
        crew::board,
    ),
    components(schemas(ErrorBody)),
    modifiers(&Security),
    tags(
        (name = "passenger", description = "Trips, seat maps, holds and tickets."),
        (name = "admin", description = "The admin's actions: X-ADMIN-KEY or an admin's staff session (a crew account gets 403 `admin_only`)."),
        (name = "crew", description = "Boarding at the bus door: X-ADMIN-KEY or any staff session, crew accounts included."),
    )
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let c = doc.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "admin_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-ADMIN-KEY",
                "The value of ADMIN_API_KEY (key authentication is off when it is unset).",
            ))),
        );
        c.add_security_scheme(
            "staff_session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::web::STAFF_COOKIE,
                "Set by POST /api/admin/login/.",
            ))),
        );
    }
}

/// `GET /api/openapi.json`.
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
