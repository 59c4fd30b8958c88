//! The operator's reports as JSON and as CSV files (one per table), for
//! admins. The figures are `Service::report`'s; this module only writes
//! them down.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderValue;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::ApiError;
use super::admin::Admin;
use super::extract::Query;
use crate::domain::AppError;
use crate::domain::report::{self, DateRange, Report};
use crate::state::AppState;

/// The range and look ahead of a report; all optional.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// First day, `YYYY-MM-DD` in `DISPLAY_TZ` (default: 13 days before `to`).
    from: Option<String>,
    /// Last day, included (default: today). At most 92 days in all.
    to: Option<String>,
    /// Days ahead for the occupancy, 1–31 (default 7).
    ahead: Option<String>,
}

async fn read(s: &AppState, q: &ReportQuery) -> Result<Report, AppError> {
    let now = s.clock.now();
    let today = now.with_timezone(&s.service.tz()).date_naive();
    let range = DateRange::parse(q.from.as_deref(), q.to.as_deref(), today)?;
    let ahead = report::parse_ahead(q.ahead.as_deref())?;
    s.service.report(range, ahead, now).await
}

/// Bookings and revenue per day and per route over a range, what became
/// of the holds opened in it, and how full the coming trips are.
#[utoipa::path(get, path = "/api/admin/reports/", tag = "admin", security(("admin_key" = []), ("staff_session" = [])),
    params(ReportQuery),
    responses(
        (status = 200, description = "The report", body = Report),
        (status = 400, description = "invalid_request: a bad date, a range over 92 days, or days ahead outside 1–31", body = crate::api::openapi::ErrorBody),
        (status = 401, description = "unauthorized", body = crate::api::openapi::ErrorBody),
    ))]
pub async fn report(
    State(s): State<AppState>,
    _: Admin,
    Query(q): Query<ReportQuery>,
) -> Result<Json<Report>, ApiError> {
    Ok(Json(read(&s, &q).await?))
}

/// The tables of a report a CSV file holds.
#[derive(Clone, Copy)]
pub enum Table {
    Days,
    Routes,
    Occupancy,
}

use crate::services::spreadsheet_cell as cell;

/// One table of the report as CSV (UTF-8 with a byte order mark).
fn csv_of(report: &Report, table: Table, tz: chrono_tz::Tz) -> Result<Vec<u8>, AppError> {
    let mut out = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let fail = |e: csv::Error| {
        tracing::error!(error = %e, "report CSV");
        AppError::Internal
    };
    match table {
        Table::Days => {
            out.write_record(["date", "bookings", "seats", "revenue"])
                .map_err(fail)?;
            for d in &report.days {
                out.write_record([
                    d.date.to_string(),
                    d.bookings.to_string(),
                    d.seats.to_string(),
                    d.revenue.to_string(),
                ])
                .map_err(fail)?;
            }
        }
        Table::Routes => {
            out.write_record(["route_from", "route_to", "bookings", "seats", "revenue"])
                .map_err(fail)?;
            for r in &report.routes {
                out.write_record([
                    cell(&r.route_from),
                    cell(&r.route_to),
                    r.bookings.to_string(),
                    r.seats.to_string(),
                    r.revenue.to_string(),
                ])
                .map_err(fail)?;
            }
        }
        Table::Occupancy => {
            out.write_record([
                "trip_id",
                "route_from",
                "route_to",
                "depart_local",
                "seats_total",
                "booked",
                "held",
                "booked_percent",
            ])
            .map_err(fail)?;
            for t in &report.occupancy {
                out.write_record([
                    t.trip_id.to_string(),
                    cell(&t.route_from),
                    cell(&t.route_to),
                    t.depart_at
                        .with_timezone(&tz)
                        .format("%Y-%m-%d %H:%M")
                        .to_string(),
                    t.seats_total.to_string(),
                    t.booked.to_string(),
                    t.held.to_string(),
                    t.booked_percent().to_string(),
                ])
                .map_err(fail)?;
            }
        }
    }
    out.into_inner().map_err(|_| AppError::Internal)
}

async fn csv_response(s: AppState, q: ReportQuery, table: Table) -> Result<Response, ApiError> {
    let report = read(&s, &q).await?;
    let body = csv_of(&report, table, s.service.tz())?;
    let name = match table {
        Table::Days => format!("days-{}-{}.csv", report.range.from, report.range.to),
        Table::Routes => format!("routes-{}-{}.csv", report.range.from, report.range.to),
        Table::Occupancy => format!("occupancy-next-{}-days.csv", report.ahead_days),
    };
    Ok((
        [
            (
                CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (
                CONTENT_DISPOSITION,
                HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
                    .map_err(|_| AppError::Internal)?,
            ),
        ],
        body,
    )
        .into_response())
}

/// Bookings, seats and revenue per day (every day of the range) as CSV.
#[utoipa::path(get, path = "/api/admin/reports/days.csv", tag = "admin", security(("admin_key" = []), ("staff_session" = [])),
    params(ReportQuery),
    responses(
        (status = 200, description = "date, bookings, seats, revenue", content_type = "text/csv", body = String),
        (status = 400, description = "invalid_request", body = crate::api::openapi::ErrorBody),
        (status = 401, description = "unauthorized", body = crate::api::openapi::ErrorBody),
    ))]
pub async fn days_csv(
    State(s): State<AppState>,
    _: Admin,
    Query(q): Query<ReportQuery>,
) -> Result<Response, ApiError> {
    csv_response(s, q, Table::Days).await
}

/// Bookings, seats and revenue per route over the range as CSV, the best
/// earning first.
#[utoipa::path(get, path = "/api/admin/reports/routes.csv", tag = "admin", security(("admin_key" = []), ("staff_session" = [])),
    params(ReportQuery),
    responses(
        (status = 200, description = "route_from, route_to, bookings, seats, revenue", content_type = "text/csv", body = String),
        (status = 400, description = "invalid_request", body = crate::api::openapi::ErrorBody),
        (status = 401, description = "unauthorized", body = crate::api::openapi::ErrorBody),
    ))]
pub async fn routes_csv(
    State(s): State<AppState>,
    _: Admin,
    Query(q): Query<ReportQuery>,
) -> Result<Response, ApiError> {
    csv_response(s, q, Table::Routes).await
}

/// How full each active trip departing in the next `ahead` days is, as CSV.
#[utoipa::path(get, path = "/api/admin/reports/occupancy.csv", tag = "admin", security(("admin_key" = []), ("staff_session" = [])),
    params(ReportQuery),
    responses(
        (status = 200, description = "trip_id, route_from, route_to, depart_local, seats_total, booked, held, booked_percent", content_type = "text/csv", body = String),
        (status = 400, description = "invalid_request", body = crate::api::openapi::ErrorBody),
        (status = 401, description = "unauthorized", body = crate::api::openapi::ErrorBody),
    ))]
pub async fn occupancy_csv(
    State(s): State<AppState>,
    _: Admin,
    Query(q): Query<ReportQuery>,
) -> Result<Response, ApiError> {
    csv_response(s, q, Table::Occupancy).await
}
