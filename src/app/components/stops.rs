//! A trip's stops and a passenger's boarding and drop-off points, as the
//! pages show them: local clock times beside the places.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::app::i18n::Lang;
use crate::domain::{StopAt, stops::StopChoice};
use crate::server_fns::TripCard;

/// A stop as a page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StopTime {
    pub place: String,
    /// `21.15`, or `05.30 (+1)` a day after departure.
    pub time: String,
}

impl StopTime {
    /// `21.15 · Agen Cileunyi`.
    pub fn label(&self) -> String {
        format!("{} · {}", self.time, self.place)
    }
}

/// A moment of this trip as a clock time, with the days after departure.
fn clock(lang: Lang, card: &TripCard, at: chrono::DateTime<chrono::Utc>) -> String {
    let local = card.local(at);
    let days = (local.date() - card.depart_local.date()).num_days();
    match days {
        0 => lang.time(local),
        n => format!("{} (+{n})", lang.time(local)),
    }
}

/// The trip's stops with their local times (empty: no stops).
pub fn stop_times(lang: Lang, card: &TripCard) -> Vec<StopTime> {
    card.trip
        .stops
        .iter()
        .map(|s| StopTime {
            place: s.place.clone(),
            time: clock(lang, card, StopAt::of(s, card.trip.depart_at).at),
        })
        .collect()
}

/// A chosen point: `21.15 · Agen Cileunyi`.
pub fn point_text(lang: Lang, card: &TripCard, point: &StopAt) -> String {
    format!("{} · {}", clock(lang, card, point.at), point.place)
}

/// The first stop matching a search's origin, and the first after it
/// matching its destination (any case; the trip's first and last stop
/// otherwise): the points a passenger who searched so most likely wants.
pub fn stops_for_search(card: &TripCard, from: &str, to: &str) -> StopChoice {
    let stops = &card.trip.stops;
    let find = |text: &str, range: std::ops::Range<usize>| {
        let text = text.trim().to_lowercase();
        (!text.is_empty())
            .then(|| {
                range
                    .clone()
                    .find(|&i| stops[i].place.to_lowercase().contains(&text))
            })
            .flatten()
    };
    let Some(last) = stops.len().checked_sub(1) else {
        return StopChoice::default();
    };
    let board = find(from, 0..last).unwrap_or(0);
    let alight = find(to, board + 1..last + 1).unwrap_or(last);
    StopChoice {
        board: Some(stops[board].place.clone()),
        alight: Some(stops[alight].place.clone()),
    }
}

/// The stops in a line: `19.00 Kampung Rambutan → 21.15 Cileunyi → …`.
#[component]
pub fn StopsLine(lang: Lang, stops: Vec<StopTime>) -> impl IntoView {
    (!stops.is_empty()).then(|| {
        view! {
            <ol class="stops-line" aria-label=lang.t("Titik naik dan turun", "Boarding and drop-off points") data-testid="stops">
                {stops.into_iter().map(|s| view! {
                    <li><span class="stop-time">{s.time}</span>" "{s.place}</li>
                }).collect_view()}
            </ol>
        }
    })
}

/// "Get on" and "get off" as two rows of a facts list, when chosen.
pub fn points_facts(
    lang: Lang,
    card: &TripCard,
    board: Option<&StopAt>,
    alight: Option<&StopAt>,
) -> impl IntoView + use<> {
    let (board, alight) = (
        board.map(|s| point_text(lang, card, s)),
        alight.map(|s| point_text(lang, card, s)),
    );
    board.zip(alight).map(|(board, alight)| {
        view! {
            <dt>{lang.t("Naik", "Get on")}</dt>
            <dd data-testid="board">{board}</dd>
            <dt>{lang.t("Turun", "Get off")}</dt>
            <dd data-testid="alight">{alight}</dd>
        }
    })
}
