//! `/`: listed trips and the search by origin, destination and date.
//!
//! The search is a real GET form: the browser submits it and the server
//! renders the results. Only the form is an island (its swap button).

use leptos::html::Input;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::app::components::TripCardView;
use crate::app::i18n::{Lang, use_lang};
use crate::domain::AppError;
use crate::server_fns::search_trips;

#[component]
pub fn HomePage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let param = move |k: &str| query.with(|q| q.get(k).filter(|v| !v.trim().is_empty()));
    let trips = Resource::new(
        move || (param("from"), param("to"), param("date")),
        |(from, to, date)| search_trips(from, to, date),
    );
    view! {
        <Title text=lang.t("Pesan kursi bus", "Book bus seats") />
        <section class="hero">
            <div class="wrap">
                <h1>{lang.t("Mau ke mana?", "Where to?")}</h1>
                <p class="lead">
                    {match lang {
                        Lang::Id => format!(
                            "Pilih kursi di denah, tahan {}, bayar ke admin lewat WhatsApp.",
                            crate::app::hold_span(lang)
                        ),
                        Lang::En => format!(
                            "Pick seats on the map, hold them for {}, pay the admin over WhatsApp.",
                            crate::app::hold_span(lang)
                        ),
                    }}
                </p>
                <SearchForm
                    from=param("from").unwrap_or_default()
                    to=param("to").unwrap_or_default()
                    date=param("date").unwrap_or_default()
                />
            </div>
        </section>
        <section class="wrap results" aria-labelledby="results-title">
            <h2 id="results-title">{lang.t("Jadwal keberangkatan", "Departures")}</h2>
            <Transition fallback=move || view! { <p class="muted">{lang.t("Memuat…", "Loading…")}</p> }>
                {move || {
                    trips
                        .get()
                        .map(|result| match result {
                            Ok(list) if list.is_empty() => {
                                view! {
                                    <p class="panel empty" role="status">
                                        {lang.t(
                                            "Tidak ada keberangkatan yang cocok. Coba kota atau tanggal lain.",
                                            "No departures match. Try another city or date.",
                                        )}
                                    </p>
                                }
                                    .into_any()
                            }
                            Ok(list) => {
                                view! {
                                    <ul class="trip-list" aria-live="polite">
                                        {list
                                            .into_iter()
                                            .map(|card| view! {
                                                <TripCardView card
                                                    from=param("from").unwrap_or_default()
                                                    to=param("to").unwrap_or_default() />
                                            })
                                            .collect_view()}
                                    </ul>
                                }
                                    .into_any()
                            }
                            Err(AppError::InvalidRequest { .. }) => {
                                view! {
                                    <p class="panel error" role="alert">
                                        {lang.t(
                                            "Tanggal tidak valid. Gunakan format TTTT-BB-HH.",
                                            "That date is not valid. Use YYYY-MM-DD.",
                                        )}
                                    </p>
                                }
                                    .into_any()
                            }
                            Err(_) => {
                                view! {
                                    <p class="panel error" role="alert">
                                        {lang.t(
                                            "Jadwal tidak dapat dimuat. Coba lagi sebentar lagi.",
                                            "Departures could not be loaded. Please try again shortly.",
                                        )}
                                    </p>
                                }
                                    .into_any()
                            }
                        })
                }}
            </Transition>
        </section>
    }
}

/// The search form: a plain GET form (it works without JavaScript), and an
/// island for its swap button.
#[island]
fn SearchForm(from: String, to: String, date: String) -> impl IntoView {
    let lang = use_lang();
    let from_ref = NodeRef::<Input>::new();
    let to_ref = NodeRef::<Input>::new();
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let swap = move |_| {
        if let (Some(a), Some(b)) = (from_ref.get(), to_ref.get()) {
            let va = a.value();
            a.set_value(&b.value());
            b.set_value(&va);
        }
    };
    view! {
        <form method="get" action="/" class="search" role="search">
            <div class="field">
                <label for="from">{lang.t("Dari", "From")}</label>
                <input id="from" name="from" type="text" autocomplete="off" placeholder="Jakarta"
                    node_ref=from_ref value=from />
            </div>
            <button
                type="button"
                class="swap"
                on:click=swap
                disabled=move || !hydrated.get()
                aria-label=lang.t("Tukar asal dan tujuan", "Swap origin and destination")
                data-testid="swap"
            >
                <span aria-hidden="true">"⇄"</span>
            </button>
            <div class="field">
                <label for="to">{lang.t("Ke", "To")}</label>
                <input id="to" name="to" type="text" autocomplete="off" placeholder="Bandung"
                    node_ref=to_ref value=to />
            </div>
            <div class="field">
                <label for="date">{lang.t("Tanggal", "Date")}</label>
                <input id="date" name="date" type="date" value=date />
            </div>
            <button type="submit" class="button">{lang.t("Cari", "Search")}</button>
        </form>
    }
}
