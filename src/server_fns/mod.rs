//! Server functions: the pages' adapters over the service layer.
//!
//! Each one reads the shared [`AppState`](crate::state::AppState) from
//! context, calls one service operation with the state's clock, and returns
//! [`AppError`] on failure, which crosses to the browser intact.

use chrono::NaiveDateTime;
use leptos::prelude::*;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

use crate::domain::{AppError, Trip};

pub mod admin;
pub mod crew;
pub mod reports;
pub mod schedules;
pub mod trip;
pub mod trip_form;
pub mod webhooks;

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::Deserialization(_) => {
                AppError::invalid("The request was malformed.")
            }
            _ => AppError::Internal,
        }
    }
}

/// A trip as the trip list shows it: the departure already in the display
/// time zone, so server and browser render the same text.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TripCard {
    pub trip: Trip,
    pub depart_local: NaiveDateTime,
    /// The zone's abbreviation, e.g. `WIB`.
    pub tz_abbr: String,
}

impl TripCard {
    /// A moment in this trip's time zone (Indonesia's zones keep one
    /// offset all year), for times shown beside the departure.
    pub fn local(&self, at: chrono::DateTime<chrono::Utc>) -> NaiveDateTime {
        at.naive_utc() + (self.depart_local - self.trip.depart_at.naive_utc())
    }
}

#[cfg(feature = "ssr")]
fn state() -> Result<crate::state::AppState, AppError> {
    use_context::<crate::state::AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the server function context");
        AppError::Internal
    })
}

/// Gives a failed server function the HTTP status of its error (a refused
/// claim is a 404, not a 500), for the browser's network log and for
/// clients that look at statuses.
#[cfg(feature = "ssr")]
pub(crate) fn with_status<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    // A plain HTML form post (no JavaScript) is answered with a redirect
    // back to the form carrying the error, and a page render with the page
    // itself; a status here would override both.
    let wants_html = use_context::<http::request::Parts>().is_some_and(|p| {
        p.headers
            .get(http::header::ACCEPT)
            .and_then(|a| a.to_str().ok())
            .is_some_and(|a| a.contains("text/html"))
    });
    if let Err(e) = &result
        && !wants_html
        && let Some(resp) = use_context::<leptos_axum::ResponseOptions>()
    {
        resp.set_status(
            axum::http::StatusCode::from_u16(e.status())
                .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR),
        );
    }
    result
}

#[cfg(feature = "ssr")]
fn card(trip: Trip, tz: chrono_tz::Tz) -> TripCard {
    let local = trip.depart_at.with_timezone(&tz);
    TripCard {
        depart_local: local.naive_local(),
        tz_abbr: local.format("%Z").to_string(),
        trip,
    }
}

/// The listed trips matching the passenger's search.
#[server(prefix = "/sf", endpoint = "search_trips")]
pub async fn search_trips(
    from: Option<String>,
    to: Option<String>,
    date: Option<String>,
) -> Result<Vec<TripCard>, AppError> {
    with_status(
        async move {
            let s = state()?;
            let filter = crate::services::TripFilter { from, to, date };
            let trips = s.service.list_trips(&filter, s.clock.now()).await?;
            let tz = s.service.tz();
            Ok(trips.into_iter().map(|t| card(t, tz)).collect())
        }
        .await,
    )
}
