//! `/crew`: the crew's list of buses boarding now or soon (6 hours back,
//! 30 ahead), each a link to its boarding page. Admins may open it too.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::app::components::bus_label;
use crate::app::i18n::{Lang, use_lang};
use crate::app::pages::admin::loaded;
use crate::server_fns::TripCard;
use crate::server_fns::crew::crew_trips;

#[component]
pub fn CrewTripsPage() -> impl IntoView {
    let lang = use_lang();
    let trips = Resource::new(|| (), |_| crew_trips());
    view! {
        <Title text=lang.t("Naik bus", "Boarding") />
        <section class="wrap admin">
            <CrewNav />
            <h1>{lang.t("Naik bus", "Boarding")}</h1>
            <p class="muted">{lang.t("Pilih bus yang Anda layani.", "Choose the bus you are boarding.")}</p>
            <Suspense fallback=move || view! { <p class="muted">{lang.t("Memuat…", "Loading…")}</p> }>
                {move || trips.get().map(|r| loaded(lang, r, move |list| trip_list(lang, list)))}
            </Suspense>
        </section>
    }
}

fn trip_list(lang: Lang, trips: Vec<TripCard>) -> impl IntoView {
    if trips.is_empty() {
        return view! {
            <p class="panel empty">{lang.t("Tidak ada bus yang berangkat dalam 30 jam ke depan.", "No bus leaves in the next 30 hours.")}</p>
        }
        .into_any();
    }
    view! {
        <ul class="crew-trips" data-testid="crew-trips">
            {trips.into_iter().map(|c| {
                let t = &c.trip;
                let taken = t.seats_total.saturating_sub(t.seats_available);
                view! {
                    <li>
                        <a class="panel crew-trip" href=format!("/crew/trips/{}", t.id)>
                            <strong>{format!("{} → {}", t.route_from, t.route_to)}</strong>
                            <span>{format!("{} · {} {}", lang.date(c.depart_local), lang.time(c.depart_local), c.tz_abbr)}</span>
                            <span class="muted small">{format!("{} · {}", bus_label(lang, t.bus_type), match lang {
                                Lang::Id => format!("{taken} dari {} kursi terisi", t.seats_total),
                                Lang::En => format!("{taken} of {} seats taken", t.seats_total),
                            })}</span>
                        </a>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// The crew's navigation: their buses, who is signed in, and sign-out.
#[component]
pub(crate) fn CrewNav() -> impl IntoView {
    let lang = use_lang();
    view! {
        <nav class="admin-nav" aria-label=lang.t("Menu kru", "Crew menu")>
            <a href="/crew">{lang.t("Bus hari ini", "Today's buses")}</a>
            <crate::app::pages::admin::SignedIn />
        </nav>
    }
}
