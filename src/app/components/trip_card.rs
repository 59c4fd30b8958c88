//! One trip in the trip list.

use leptos::prelude::*;

use crate::app::i18n::{Lang, use_lang};
use crate::domain::{BusType, format_rupiah};
use crate::server_fns::TripCard;

pub fn bus_label(lang: Lang, bus: BusType) -> &'static str {
    match bus {
        BusType::Economy => lang.t("Ekonomi · 2-2", "Economy · 2-2"),
        BusType::Executive => lang.t("Eksekutif · 2-1", "Executive · 2-1"),
        BusType::Sleeper => lang.t("Sleeper · 2 dek", "Sleeper · 2 decks"),
    }
}

/// One trip of the list; on a trip with stops, where the passenger who
/// searched `from` → `to` gets on and off, and the trip page chooses them.
#[component]
pub fn TripCardView(
    card: TripCard,
    #[prop(optional)] from: String,
    #[prop(optional)] to: String,
) -> impl IntoView {
    let lang = use_lang();
    let t = &card.trip;
    let searched = !(from.trim().is_empty() && to.trim().is_empty());
    let href = if searched && !t.stops.is_empty() {
        format!(
            "/trips/{}?from={}&to={}",
            t.id,
            urlencoding::encode(from.trim()),
            urlencoding::encode(to.trim())
        )
    } else {
        format!("/trips/{}", t.id)
    };
    // The stops this passenger would use, when not the trip's two ends.
    let points = (!t.stops.is_empty()).then(|| {
        let choice = super::stops_for_search(&card, &from, &to);
        let times = super::stop_times(lang, &card);
        let find = |place: Option<String>| {
            times
                .iter()
                .find(|s| Some(&s.place) == place.as_ref())
                .cloned()
        };
        (find(choice.board), find(choice.alight), times.len())
    });
    let left = t.seats_available;
    let seats_text = match (lang, left) {
        (_, 0) => lang.t("Penuh", "Sold out").to_string(),
        (Lang::Id, n) => format!("{n} kursi tersisa"),
        (Lang::En, 1) => "1 seat left".to_string(),
        (Lang::En, n) => format!("{n} seats left"),
    };
    let few = left > 0 && left <= 5;
    let title = format!("{} → {}", t.route_from, t.route_to);
    view! {
        <li class="trip-card" data-testid="trip-card">
            <div class="trip-main">
                <h3 class="trip-route">
                    <a href=href class="trip-link">
                        <span>{t.route_from.clone()}</span>
                        <span class="arrow" aria-label=lang.t("ke", "to")>" → "</span>
                        <span>{t.route_to.clone()}</span>
                    </a>
                </h3>
                <p class="trip-when">
                    <time datetime=t.depart_at.to_rfc3339()>
                        {lang.date(card.depart_local)}
                        " · "
                        <strong>{lang.time(card.depart_local)}</strong>
                        " "
                        {card.tz_abbr.clone()}
                    </time>
                </p>
                <p class="trip-bus">{bus_label(lang, t.bus_type)}</p>
                {points.map(|(board, alight, count)| view! {
                    <p class="trip-stops" data-testid="trip-stops">
                        {board.map(|b| format!("{} {}", lang.t("Naik", "On"), b.label()))}
                        " → "
                        {alight.map(|a| format!("{} {}", lang.t("Turun", "Off"), a.label()))}
                        <span class="muted">{format!(" · {count} {}", lang.t("titik", "stops"))}</span>
                    </p>
                })}
            </div>
            <div class="trip-side">
                <p class="trip-price">{format_rupiah(t.price)}</p>
                <p class="trip-seats" class:few=few class:none=left == 0>{seats_text}</p>
                <span class="button button-small" aria-hidden="true" title=title>
                    {lang.t("Pilih kursi", "Choose seats")}
                </span>
            </div>
        </li>
    }
}
