//! The JSON API of SPEC §2: thin adapters over the service layer.
//!
//! Each handler parses (through the extractors of `extract`), calls one
//! service operation with the time from the state's clock, and answers.
//! Every error goes through [`ApiError`] once.

mod admin;
mod crew;
mod error;
mod events;
mod extract;
mod guard;
mod openapi;
mod passenger;
mod reports;

pub use error::ApiError;
pub use openapi::ApiDoc;

use axum::Router;
use axum::routing::{MethodRouter, any, get, patch, post, put};

use crate::state::AppState;

/// Routes `path` (which ends with `/`) and the same path without the slash.
fn both(router: Router<AppState>, path: &str, route: MethodRouter<AppState>) -> Router<AppState> {
    router
        .route(path, route.clone())
        .route(path.trim_end_matches('/'), route)
}

/// The API routes with their CORS layer.
pub fn routes(state: &AppState) -> Router<AppState> {
    let r = Router::new();
    let r = both(r, "/api/trips/", get(passenger::list_trips));
    let r = both(r, "/api/trips/{id}/seats/", get(passenger::trip_seats));
    let r = both(r, "/api/trips/{id}/events/", get(events::trip_events));
    let r = both(r, "/api/seats/hold/", post(passenger::hold));
    let r = both(r, "/api/seats/release/", post(passenger::release));
    let r = both(r, "/api/hold/", get(passenger::current_hold));
    let r = both(r, "/api/hold/extend/", post(passenger::extend));
    let r = both(
        r,
        "/api/hold/attach-contact/",
        post(passenger::attach_contact),
    );
    let r = both(r, "/api/hold/claim/", post(passenger::claim));
    let r = both(
        r,
        "/api/hold/receipts/",
        get(passenger::my_receipts)
            .post(passenger::upload_receipt)
            .layer(axum::extract::DefaultBodyLimit::max(
                crate::server::RECEIPT_BODY_LIMIT_BYTES,
            )),
    );
    let r = both(r, "/api/bookings/{code}/", get(passenger::booking));
    let r = both(
        r,
        "/api/payment-accounts/",
        get(passenger::payment_accounts),
    );
    let r = both(r, "/api/admin/holds/", get(admin::holds));
    let r = both(r, "/api/admin/generate-booking-code/", post(admin::book));
    let r = both(r, "/api/admin/holds/extend/", post(admin::extend));
    let r = both(r, "/api/admin/holds/release/", post(admin::release));
    let r = both(r, "/api/admin/bookings/cancel/", post(admin::cancel));
    let r = both(
        r,
        "/api/admin/statement/match/",
        post(admin::match_statement),
    );
    let r = both(
        r,
        "/api/admin/payment-accounts/",
        post(admin::add_payment_account),
    );
    let r = both(r, "/api/payment-qris/", get(passenger::payment_qris));
    let r = both(
        r,
        "/api/admin/payment-qris/",
        post(admin::set_payment_qris).layer(axum::extract::DefaultBodyLimit::max(
            crate::server::RECEIPT_BODY_LIMIT_BYTES,
        )),
    );
    let r = both(
        r,
        "/api/admin/payment-qris/retire/",
        post(admin::retire_payment_qris),
    );
    let r = both(
        r,
        "/api/admin/payment-accounts/{id}/retire/",
        post(admin::retire_payment_account),
    );
    let r = both(
        r,
        "/api/admin/webhooks/",
        get(admin::webhooks).post(admin::add_webhook),
    );
    let r = both(
        r,
        "/api/admin/webhooks/{id}/retire/",
        post(admin::retire_webhook),
    );
    let r = both(
        r,
        "/api/admin/webhook-deliveries/{id}/resend/",
        post(admin::resend_webhook),
    );
    let r = both(
        r,
        "/api/admin/trips/",
        get(admin::trips).post(admin::create_trip),
    );
    let r = both(r, "/api/admin/trips/{id}/", patch(admin::update_trip));
    let r = both(r, "/api/admin/trips/{id}/manifest/", get(admin::manifest));
    let r = r.route(
        "/api/admin/trips/{id}/manifest.csv",
        get(admin::manifest_csv),
    );
    let r = both(r, "/api/admin/trips/{id}/audit/", get(admin::trip_audit));
    let r = both(
        r,
        "/api/admin/holds/{claim_code}/audit/",
        get(admin::hold_audit),
    );
    let r = both(
        r,
        "/api/admin/holds/{claim_code}/receipts/",
        get(admin::hold_receipts),
    );
    let r = both(r, "/api/admin/receipts/{id}/", get(admin::receipt_file));
    let r = both(
        r,
        "/api/admin/schedules/",
        get(admin::schedules).post(admin::create_schedule),
    );
    let r = both(r, "/api/admin/schedules/{id}/", put(admin::update_schedule));
    let r = both(
        r,
        "/api/admin/schedules/{id}/dates/",
        post(admin::schedule_date),
    );
    let r = both(
        r,
        "/api/admin/schedules/{id}/stop/",
        post(admin::stop_schedule),
    );
    let r = both(r, "/api/admin/reports/", get(reports::report));
    let r = r.route("/api/admin/reports/days.csv", get(reports::days_csv));
    let r = r.route("/api/admin/reports/routes.csv", get(reports::routes_csv));
    let r = r.route(
        "/api/admin/reports/occupancy.csv",
        get(reports::occupancy_csv),
    );
    let r = both(r, "/api/crew/trips/", get(crew::trips));
    let r = both(r, "/api/crew/trips/{id}/passengers/", get(crew::passengers));
    let r = both(r, "/api/crew/trips/{id}/board/", post(crew::board));
    let r = both(r, "/api/admin/login/", post(admin::login));
    let r = both(r, "/api/admin/logout/", post(admin::logout));
    let r = both(r, "/api/admin/me/", get(admin::me));
    let r = r.route("/api/openapi.json", get(openapi::document));
    // Anything else under /api is the API's own 404, not the app's HTML page.
    r.route("/api/{*rest}", any(not_found))
        .layer(guard::cors(&state.settings))
}

async fn not_found() -> ApiError {
    ApiError(crate::domain::AppError::NotFound)
}
