//! `GET /api/trips/{id}/events/`: server-sent events for live seat maps.
//!
//! Each event says "the seats of this trip changed" and carries the
//! change's version (`domain::version_seen`); a page fetches the fresh map
//! unless it already shows that version (its own click's answer did). A
//! stream that falls behind sends one event, the newest, for all the
//! changes it missed meanwhile. Only the trip's own changes wake a stream,
//! and streams are capped
//! per client and in all (see `services::live`). Streams end when the
//! server shuts down, so draining never waits on an idle browser.

use std::convert::Infallible;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::{Stream, StreamExt};

use super::ApiError;
use super::extract::Path;
use super::guard::ClientIp;
use crate::state::AppState;

/// Server-sent events: a `seats` event each time the trip's seats change,
/// its data the change's version (then fetch the seat map again, unless the
/// map at hand was read at that version or later).
#[utoipa::path(get, path = "/api/trips/{id}/events/", tag = "passenger",
    params(("id" = i64, Path, description = "Trip id")),
    responses(
        (status = 200, description = "An event stream", content_type = "text/event-stream", body = String),
        (status = 404, description = "trip_not_found", body = crate::api::openapi::ErrorBody),
        (status = 429, description = "rate_limited: too many open streams (+ Retry-After)", body = crate::api::openapi::ErrorBody),
    ))]
pub async fn trip_events(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    // 404 for trips that do not exist, before holding a connection open.
    s.service.public_seat_map(id, s.clock.now()).await?;
    let watching = s.service.watch(id, crate::limits::client_key(ip))?;
    let mut stop = s.stop.subscribe();
    // One event per turn: the newest version of whatever changed since the
    // last (see `Watch::next`).
    let changes = futures::stream::unfold(watching, |mut watching| async move {
        let version = watching.next().await?;
        Some((
            Ok(Event::default().event("seats").data(&*version)),
            watching,
        ))
    });
    let hello = futures::stream::once(async { Ok(Event::default().event("ready").data("ok")) });
    let stream = hello.chain(changes).take_until(async move {
        let _ = stop.wait_for(|stopping| *stopping).await;
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}
