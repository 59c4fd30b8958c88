//! `/`: listed trips and the search by origin, destination and date.
//!
//! The search is a real GET form: without JavaScript the browser submits it
//! and the server renders the results; after hydration the router does the
//! same without a full reload.

use leptos::html::Input;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use crate::app::components::TripCardView;
use crate::app::i18n::Lang;
use crate::domain::AppError;
use crate::server_fns::search_trips;

#[component]
pub fn HomePage() -> impl IntoView {
    let lang = use_context::<Lang>().unwrap_or_default();
    let query = use_query_map();
    let param = move |k: &str| query.with(|q| q.get(k).filter(|v| !v.trim().is_empty()));
    let trips = Resource::new(
        move || (param("from"), param("to"), param("date")),
        |(from, to, date)| search_trips(from, to, date),
    );
    let from_ref = NodeRef::<Input>::new();
    let to_ref = NodeRef::<Input>::new();
    // Swapping origin and destination is the one thing people do twice a
    // trip; it only works once hydrated, so the button starts disabled.
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
        <Title text=lang.t("Pesan kursi bus", "Book bus seats") />
        <section class="hero">
            <div class="wrap">
                <h1>{lang.t("Mau ke mana?", "Where to?")}</h1>
                <p class="lead">
                    {lang.t(
                        "Pilih kursi di denah, tahan 10 menit, bayar ke admin lewat WhatsApp.",
                        "Pick seats on the map, hold them for 10 minutes, pay the admin over WhatsApp.",
                    )}
                </p>
                <Form method="GET" action="/" attr:class="search" attr:role="search">
                    <div class="field">
                        <label for="from">{lang.t("Dari", "From")}</label>
                        <input
                            id="from"
                            name="from"
                            type="text"
                            autocomplete="off"
                            placeholder="Jakarta"
                            node_ref=from_ref
                            prop:value=move || param("from").unwrap_or_default()
                        />
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
                        <input
                            id="to"
                            name="to"
                            type="text"
                            autocomplete="off"
                            placeholder="Bandung"
                            node_ref=to_ref
                            prop:value=move || param("to").unwrap_or_default()
                        />
                    </div>
                    <div class="field">
                        <label for="date">{lang.t("Tanggal", "Date")}</label>
                        <input
                            id="date"
                            name="date"
                            type="date"
                            prop:value=move || param("date").unwrap_or_default()
                        />
                    </div>
                    <button type="submit" class="button">{lang.t("Cari", "Search")}</button>
                </Form>
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
                                            .map(|card| view! { <TripCardView card /> })
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
