//! Server functions of the crew's boarding pages. Each first checks the
//! staff session (`ssr::boarder()`): an admin or a crew member may board.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::TripCard;
use crate::domain::{AppError, Boarding, ManifestEntry};

/// A trip at the bus door: the trip and its passengers with who boarded.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DoorList {
    pub card: TripCard,
    pub passengers: Vec<ManifestEntry>,
}

/// What a scan did, with the ticket's trip in words.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scanned {
    pub boarding: Boarding,
    pub card: TripCard,
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::domain::AppError;
    use crate::services::Boarder;
    use crate::state::AppState;

    pub async fn boarder() -> Result<(AppState, Boarder), AppError> {
        let (s, staff) = super::super::admin::ssr::signed_in().await?;
        Ok((s, staff.boarder()))
    }
}

/// The trips boarding now or soon (6 hours back, 30 ahead).
#[server(prefix = "/sf", endpoint = "crew_trips")]
pub async fn crew_trips() -> Result<Vec<TripCard>, AppError> {
    super::with_status(
        async move {
            let (s, by) = ssr::boarder().await?;
            let trips = s.service.crew_trips(&by, s.clock.now()).await?;
            let tz = s.service.tz();
            Ok(trips.into_iter().map(|t| super::card(t, tz)).collect())
        }
        .await,
    )
}

/// A trip's passengers at the door.
#[server(prefix = "/sf", endpoint = "crew_trip")]
pub async fn crew_trip(id: i64) -> Result<DoorList, AppError> {
    super::with_status(
        async move {
            let (s, by) = ssr::boarder().await?;
            let manifest = s.service.boarding_list(&by, id, s.clock.now()).await?;
            Ok(DoorList {
                card: super::card(manifest.trip, s.service.tz()),
                passengers: manifest.passengers,
            })
        }
        .await,
    )
}

/// Boards the ticket scanned (or the booking code typed) on trip `trip_id`.
#[server(prefix = "/sf", endpoint = "crew_board")]
pub async fn crew_board(trip_id: i64, scan: String) -> Result<Scanned, AppError> {
    super::with_status(
        async move {
            let (s, by) = ssr::boarder().await?;
            let boarding = s.service.board(&by, trip_id, &scan, s.clock.now()).await?;
            Ok(Scanned {
                card: super::card(boarding.trip.clone(), s.service.tz()),
                boarding,
            })
        }
        .await,
    )
}
