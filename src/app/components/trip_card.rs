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

#[component]
pub fn TripCardView(card: TripCard) -> impl IntoView {
    let lang = use_lang();
    let t = &card.trip;
    let href = format!("/trips/{}", t.id);
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
