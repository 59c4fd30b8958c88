//! The trip forms' server functions: add a trip, edit one. The stops
//! arrive as the form's lines (`domain::Stops::parse_lines`), in local time.

// One argument per field of the edit form, and the client stub's too.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;

use super::TripCard;
#[cfg(feature = "ssr")]
use super::admin::{parse_price, ssr};
use crate::domain::AppError;

/// Creates a trip; the departure is local time in the display zone.
#[server(prefix = "/sf", endpoint = "admin_create_trip")]
pub async fn admin_create_trip(
    route_from: String,
    route_to: String,
    depart_local: String,
    price: String,
    bus_type: String,
    admin_wa: String,
    stops: Option<String>,
) -> Result<i64, AppError> {
    super::with_status(
        async move {
            let (s, actor) = ssr::staff().await?;
            let depart_at = ssr::parse_local(&s, &depart_local)?;
            let input = crate::services::NewTripInput {
                stops: ssr::stops_of(&s, &stops.unwrap_or_default(), depart_at)?,
                route_from,
                route_to,
                depart_at,
                price: parse_price(&price)?,
                bus_type: crate::domain::BusType::parse(&bus_type)?,
                admin_wa,
            };
            let trip = s.service.create_trip(&actor, &input, s.clock.now()).await?;
            Ok(trip.id)
        }
        .await,
    )
}

/// Edits a trip (deactivating is `admin_set_active`).
#[server(prefix = "/sf", endpoint = "admin_update_trip")]
pub async fn admin_update_trip(
    id: i64,
    route_from: String,
    route_to: String,
    depart_local: String,
    price: String,
    bus_type: String,
    admin_wa: String,
    stops: Option<String>,
) -> Result<TripCard, AppError> {
    super::with_status(
        async move {
            let (s, actor) = ssr::staff().await?;
            let depart_at = ssr::parse_local(&s, &depart_local)?;
            let change = crate::services::TripUpdate {
                stops: Some(ssr::stops_of(&s, &stops.unwrap_or_default(), depart_at)?),
                route_from: Some(route_from),
                route_to: Some(route_to),
                depart_at: Some(depart_at),
                price: Some(parse_price(&price)?),
                bus_type: Some(crate::domain::BusType::parse(&bus_type)?),
                admin_wa: Some(admin_wa),
                is_active: None,
            };
            let trip = s
                .service
                .update_trip(&actor, id, &change, s.clock.now())
                .await?;
            Ok(super::card(trip, s.service.tz()))
        }
        .await,
    )
}
