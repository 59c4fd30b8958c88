//! `/trips/{id}`: the seat map, the hold countdown and the contact step.
//!
//! The map is drawn to the bus layout (aisle, decks, driver) and stays live:
//! a server-sent event tells the page that the trip's seats changed and the
//! page fetches the fresh map. Every seat is a button with a spoken label;
//! arrow keys move across the map (one tab stop for the whole map).

use leptos::either::Either;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::app::components::{
    PassengerList, PayPanel, StopTime, StopsLine, bus_label, explain, stop_times, stops_for_search,
};
use crate::app::i18n::{Lang, use_lang};
use crate::app::props::JsonProp;
use crate::app::seat_nav::{Countdown, Move, Phase, neighbour};
use crate::domain::{
    AppError, CustomerName, Passenger, PayTo, Seat, SeatCode, SeatStatus, StopChoice, WhatsApp,
    format_rupiah,
};
use crate::server_fns::TripCard;
use crate::server_fns::trip::{
    SeatMapView, attach_contact, extend_hold, release_all, seat_map, toggle_seat, trip_page,
};

fn now_ms() -> f64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::now()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        0.0
    }
}

#[component]
pub fn TripPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let query = use_query_map();
    let trip_id = move || params.with(|p| p.get("id").and_then(|s| s.parse::<i64>().ok()));
    // The search that led here (`?from=&to=`) picks the likely stops.
    let searched = move |key: &str| query.with(|q| q.get(key).unwrap_or_default());
    let map = Resource::new(trip_id, |id| async move {
        match id {
            Some(id) => trip_page(id).await,
            None => Err(AppError::TripNotFound),
        }
    });
    view! {
        <Suspense fallback=move || view! { <p class="wrap muted">{lang.t("Memuat denah…", "Loading the seat map…")}</p> }>
            {move || {
                map.get()
                    .map(|result| match result {
                        Ok((card, view, pay)) => {
                            let stops = stop_times(lang, &card);
                            let chosen = stops_for_search(&card, &searched("from"), &searched("to"));
                            view! {
                                {trip_head(lang, &card, stops.clone())}
                                <SeatMapPage initial=JsonProp(view) pay=JsonProp(pay)
                                    stops=JsonProp(stops) chosen=JsonProp(chosen) />
                            }
                            .into_any()
                        }
                        Err(_) => view! { <crate::app::pages::not_found::NotFound /> }.into_any(),
                    })
            }}
        </Suspense>
    }
}

/// The trip's title and facts (server-rendered, outside the island).
fn trip_head(lang: Lang, card: &TripCard, stops: Vec<StopTime>) -> impl IntoView + use<> {
    let title = format!("{} → {}", card.trip.route_from, card.trip.route_to);
    view! {
        <Title text=title.clone() />
        <section class="trip-head">
            <div class="wrap">
                <p class="crumb"><a href="/">{lang.t("← Semua jadwal", "← All departures")}</a></p>
                <h1>{title}</h1>
                <p class="trip-meta">
                    <time datetime=card.trip.depart_at.to_rfc3339()>
                        {lang.date(card.depart_local)} " · " <strong>{lang.time(card.depart_local)}</strong> " " {card.tz_abbr.clone()}
                    </time>
                    " · " {bus_label(lang, card.trip.bus_type)} " · " {format_rupiah(card.trip.price)} {lang.t(" per kursi", " per seat")}
                </p>
                <StopsLine lang stops />
            </div>
        </section>
    }
}

/// The interactive part of the page, hydrated from the map the server
/// rendered it with. Not lazy: its code is in the main WASM, so a trip page
/// (where a shared link lands) loads one file, 186 KB gzip, instead of the
/// main file plus a dozen chunks that compress worse apart (216 KB).
#[island]
fn SeatMapPage(
    initial: JsonProp<SeatMapView>,
    pay: JsonProp<PayTo>,
    stops: JsonProp<Vec<StopTime>>,
    chosen: JsonProp<StopChoice>,
) -> impl IntoView {
    let (JsonProp(initial), JsonProp(pay)) = (initial, pay);
    let pay = StoredValue::new(pay);
    let stops = StoredValue::new(stops.0);
    let chosen = StoredValue::new(chosen.0);
    let lang = use_lang();
    let trip_id = initial.trip_id;
    let layout: Vec<Seat> = initial.seats.clone();
    let state = RwSignal::new(initial);
    let notice = RwSignal::new(None::<(bool, String)>); // (is_error, text)
    let busy = RwSignal::new(false);
    let focus = RwSignal::new(layout.first().map(|s| s.code));

    let apply = move |result: Result<SeatMapView, AppError>| match result {
        Ok(v) => state.set(v),
        Err(e) => notice.set(Some((true, explain(lang, &e)))),
    };
    let now = RwSignal::new(0.0_f64);
    let deadline = RwSignal::new(None::<Countdown>);
    let expired_text = lang.t(
        "Waktu habis. Kursi Anda sudah dilepas.",
        "Time is up. Your seats were released.",
    );
    // Clicks and live refreshes race: a refresh that started before a click
    // finished (or before the click's cookie existed) would bring back an
    // older map. Each click bumps `epoch`; a refresh only lands when no click
    // happened meanwhile, and an event that arrives mid-click refreshes after.
    let epoch = StoredValue::new(0_u64);
    // An event that came mid-click: its version, or "missed" for a refresh
    // that must happen whatever the click's answer shows.
    let stale = StoredValue::new(None::<String>);
    let note_stale = move |version: String| {
        stale.update_value(|s| {
            if s.as_deref() != Some("missed") {
                *s = Some(version);
            }
        })
    };
    let refresh = move || {
        if busy.get_untracked() {
            note_stale("missed".into());
            return;
        }
        let started = epoch.get_value();
        spawn_local(async move {
            if let Ok(v) = seat_map(trip_id).await
                && epoch.get_value() == started
                && !busy.get_untracked()
            {
                // Only time, an admin or another device takes a hold away
                // without a click here; say which, as far as we can tell.
                if state.with_untracked(|s| s.hold.is_some()) && v.hold.is_none() {
                    let ran_out = deadline
                        .get_untracked()
                        .is_none_or(|c| c.seconds_left(now_ms()) <= 2);
                    let text = if ran_out {
                        expired_text
                    } else {
                        lang.t(
                            "Kursi ini tidak lagi ditahan untuk browser ini.",
                            "These seats are no longer held for this browser.",
                        )
                    };
                    notice.set(Some((true, text.into())));
                }
                state.set(v);
            }
        })
    };
    let begin_action = move || {
        busy.set(true);
        epoch.update_value(|e| *e += 1);
    };
    let end_action = move || {
        epoch.update_value(|e| *e += 1);
        busy.set(false);
        if let Some(version) = stale.get_value() {
            stale.set_value(None);
            if !state.with_untracked(|v| crate::domain::version_seen(&version, &v.version)) {
                refresh();
            }
        }
    };

    // Live updates: the browser reconnects an EventSource by itself; after a
    // reconnect ("ready" again) the map is fetched in case events were missed.
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        use wasm_bindgen::closure::Closure;
        Effect::new(move |_| {
            let Ok(source) = web_sys::EventSource::new(&format!("/api/trips/{trip_id}/events/"))
            else {
                return;
            };
            // A change this page already shows (its own click's answer
            // carried it) needs no fetch.
            let on_change = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
                move |ev: web_sys::MessageEvent| {
                    let version = ev.data().as_string().unwrap_or_default();
                    if busy.get_untracked() {
                        note_stale(version);
                    } else if !state
                        .with_untracked(|v| crate::domain::version_seen(&version, &v.version))
                    {
                        refresh();
                    }
                },
            );
            let _ = source
                .add_event_listener_with_callback("seats", on_change.as_ref().unchecked_ref());
            on_change.forget();
            let on_ready = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |_| refresh());
            let _ =
                source.add_event_listener_with_callback("ready", on_ready.as_ref().unchecked_ref());
            on_ready.forget();
            let source = StoredValue::new_local(source);
            on_cleanup(move || source.with_value(|s| s.close()));
        });
    }

    // The countdown runs on the browser's clock from the milliseconds the
    // server sent; before hydration it shows the server's figure.
    Effect::new(move |_| {
        let left = state.with(|v| v.hold.as_ref().map(|h| h.expires_in_ms));
        let t = now_ms();
        now.set(t);
        deadline.set(left.map(|ms| Countdown::new(t, ms)));
    });
    Effect::new(move |_| {
        if let Ok(handle) = set_interval_with_handle(
            move || now.set(now_ms()),
            std::time::Duration::from_millis(500),
        ) {
            on_cleanup(move || handle.clear());
        }
    });
    let phase = Memo::new(move |_| deadline.get().map(|c| c.phase(now.get())));
    // At expiry the seats go back to everyone: say so and show it.
    Effect::new(move |prev: Option<Option<Phase>>| {
        let p = phase.get();
        if p == Some(Phase::Expired) && prev.flatten() != Some(Phase::Expired) {
            notice.set(Some((true, expired_text.into())));
            refresh();
        }
        p
    });

    let click = move |code: SeatCode| {
        if busy.get_untracked() {
            return;
        }
        let Some(seat) = state.with_untracked(|v| v.seats.iter().find(|s| s.code == code).cloned())
        else {
            return;
        };
        let hold = match (seat.status, seat.mine) {
            (_, true) => false,
            (SeatStatus::Available, false) => true,
            (SeatStatus::Booked, _) => {
                notice.set(Some((
                    true,
                    format!(
                        "{} {code} {}",
                        lang.t("Kursi", "Seat"),
                        lang.t("sudah terisi.", "is already booked.")
                    ),
                )));
                return;
            }
            (SeatStatus::Hold, false) => {
                notice.set(Some((
                    true,
                    format!(
                        "{} {code} {}",
                        lang.t("Kursi", "Seat"),
                        lang.t(
                            "sedang ditahan penumpang lain.",
                            "is being held by another passenger."
                        )
                    ),
                )));
                return;
            }
        };
        begin_action();
        notice.set(None);
        spawn_local(async move {
            let result = toggle_seat(trip_id, code.to_string(), hold).await;
            let failed = result.is_err();
            if !failed {
                let text = if hold {
                    lang.t("dipilih", "selected")
                } else {
                    lang.t("dilepas", "released")
                };
                notice.set(Some((
                    false,
                    format!("{} {code} {text}.", lang.t("Kursi", "Seat")),
                )));
            }
            apply(result);
            end_action();
            if failed {
                // The map may have changed under us: show it as it is.
                refresh();
            }
        });
    };

    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let Some(m) = Move::from_key(&ev.key()) else {
            return;
        };
        let Some(from) = focus.get_untracked() else {
            return;
        };
        ev.prevent_default();
        let next = state.with_untracked(|v| neighbour(&v.seats, from, m));
        if let Some(next) = next {
            focus.set(Some(next));
            #[cfg(feature = "hydrate")]
            {
                use wasm_bindgen::JsCast;
                if let Some(el) = document()
                    .query_selector(&format!("[data-seat='{next}']"))
                    .ok()
                    .flatten()
                    .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
                {
                    let _ = el.focus();
                }
            }
        }
    };

    let decks: Vec<u8> = {
        let mut d: Vec<u8> = layout.iter().map(|s| s.deck).collect();
        d.sort();
        d.dedup();
        d
    };
    let bus = state.with_untracked(|v| v.bus_type);
    let cols = bus.columns();
    let aisle = bus.aisle_col();
    let two_decks = decks.len() > 1;

    let seat_button = move |seat: Seat, first_row: u8| {
        let code = seat.code;
        let current = move || state.with(|v| v.seats.iter().find(|s| s.code == code).cloned());
        let status = move || {
            current()
                .map(|s| (s.status, s.mine))
                .unwrap_or((SeatStatus::Booked, false))
        };
        let label = move || {
            let what = match status() {
                (_, true) => lang.t("pilihan Anda", "your choice"),
                (SeatStatus::Available, _) => lang.t("tersedia", "available"),
                (SeatStatus::Hold, _) => {
                    lang.t("ditahan penumpang lain", "held by another passenger")
                }
                (SeatStatus::Booked, _) => lang.t("terisi", "booked"),
            };
            format!("{} {code}, {what}", lang.t("Kursi", "Seat"))
        };
        let style = format!(
            "grid-row:{};grid-column:{}",
            seat.row - first_row + 2,
            seat.col
        );
        view! {
            <button
                type="button"
                class=move || match status() {
                    (_, true) => "seat mine",
                    (SeatStatus::Available, _) => "seat available",
                    (SeatStatus::Hold, _) => "seat held",
                    (SeatStatus::Booked, _) => "seat booked",
                }
                style=style
                data-seat=code.to_string()
                data-status=move || if status().1 { "MINE" } else { status().0.as_str() }
                aria-label=label
                aria-pressed=move || if status().1 { "true" } else { "false" }
                tabindex=move || if focus.get() == Some(code) { "0" } else { "-1" }
                on:focus=move |_| focus.set(Some(code))
                on:click=move |_| click(code)
            >
                <span aria-hidden="true">{code.to_string()}</span>
            </button>
        }
    };

    let deck_views = decks
        .iter()
        .map(|&deck| {
            let seats: Vec<Seat> = layout.iter().filter(|s| s.deck == deck).cloned().collect();
            let first_row = seats.iter().map(|s| s.row).min().unwrap_or(1);
            let last_row = seats.iter().map(|s| s.row).max().unwrap_or(1);
            let heading = match (two_decks, deck) {
                (false, _) => None,
                (true, 1) => Some(lang.t("Dek bawah", "Lower deck")),
                (true, _) => Some(lang.t("Dek atas", "Upper deck")),
            };
            let grid_style = format!("grid-template-columns:repeat({cols}, var(--seat-size))");
            let row_labels = (first_row..=last_row)
                .map(|r| {
                    let style = format!("grid-row:{};grid-column:{aisle}", r - first_row + 2);
                    view! { <span class="row-label" style=style aria-hidden="true">{r}</span> }
                })
                .collect_view();
            let front = (deck == 1).then(|| {
                let driver_style = format!("grid-row:1;grid-column:{cols}");
                view! {
                    <span class="front-label" aria-hidden="true">{lang.t("Depan", "Front")}</span>
                    <span class="driver" style=driver_style title=lang.t("Sopir", "Driver") aria-hidden="true">"⊙"</span>
                }
            });
            view! {
                <div class="deck">
                    {heading.map(|h| view! { <h3 class="deck-title">{h}</h3> })}
                    <div class="seat-grid" style=grid_style>
                        {front}
                        {row_labels}
                        {seats.into_iter().map(|s| seat_button(s, first_row)).collect_view()}
                    </div>
                </div>
            }
        })
        .collect_view();

    let price = state.with_untracked(|v| v.price);
    let my_seats =
        move || state.with(|v| v.hold.as_ref().map(|h| h.seats.clone()).unwrap_or_default());
    // The summary's parts change only when these do (memos), so a live
    // refresh does not rebuild the contact form under the passenger's
    // fingers. (`Either` rather than `<Show>`: a `Show` fallback is a
    // type-erased view, whose every render path is compiled into the WASM.)
    let has_hold =
        Memo::new(move |_| state.with(|v| v.hold.as_ref().is_some_and(|h| !h.seats.is_empty())));
    let has_claim =
        Memo::new(move |_| state.with(|v| v.hold.as_ref().is_some_and(|h| h.claim_code.is_some())));
    let countdown_label = move || match deadline.get() {
        Some(c) => c.label(now.get()),
        None => state.with(|v| {
            let ms = v.hold.as_ref().map(|h| h.expires_in_ms).unwrap_or(0);
            Countdown::new(0.0, ms).label(0.0)
        }),
    };
    let warning = Memo::new(move |_| phase.get() == Some(Phase::Warning));
    let may_extend = Memo::new(move |_| {
        state.with(|v| v.may_extend)
            || (warning.get() && state.with(|v| v.hold.as_ref().is_some_and(|h| !h.extended)))
    });

    // A whole-hold action (extend, release all): one request, then the map
    // it answers with, and a short confirmation when it worked.
    let run = move |request: std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<SeatMapView, AppError>>>,
    >,
                    done: &'static str| {
        begin_action();
        spawn_local(async move {
            let r = request.await;
            if r.is_ok() {
                notice.set(Some((false, done.into())));
            }
            apply(r);
            end_action();
        });
    };
    let extend = move |_| {
        run(
            Box::pin(extend_hold(trip_id)),
            lang.t("Waktu ditambah.", "Time extended."),
        )
    };
    let release = move |_| {
        run(
            Box::pin(release_all(trip_id)),
            lang.t("Semua kursi dilepas.", "All seats released."),
        )
    };

    view! {
        <div class="wrap trip-layout">
            <section class="map-panel" aria-labelledby="map-title">
                <h2 id="map-title">{lang.t("Pilih kursi", "Choose seats")}</h2>
                <noscript><p class="panel">{lang.t("Aktifkan JavaScript untuk memilih kursi.", "Turn on JavaScript to pick seats.")}</p></noscript>
                {move || state.with(|v| v.hold_elsewhere).map(|other| view! {
                    <p class="panel warn">
                        {lang.t("Anda sedang menahan kursi di perjalanan lain. ", "You are holding seats on another trip. ")}
                        <a href=format!("/trips/{other}")>{lang.t("Buka perjalanan itu", "Open that trip")}</a>
                    </p>
                })}
                <ul class="legend" aria-label=lang.t("Keterangan", "Legend")>
                    <li><span class="swatch available"></span>{lang.t("Tersedia", "Available")}</li>
                    <li><span class="swatch mine"></span>{lang.t("Pilihan Anda", "Your choice")}</li>
                    <li><span class="swatch held"></span>{lang.t("Ditahan", "Held")}</li>
                    <li><span class="swatch booked"></span>{lang.t("Terisi", "Booked")}</li>
                </ul>
                <div
                    class="seat-map"
                    role="group"
                    aria-label=lang.t("Denah kursi. Gunakan tombol panah untuk berpindah.", "Seat map. Use the arrow keys to move.")
                    aria-busy=move || if busy.get() { "true" } else { "false" }
                    on:keydown=on_key
                    data-testid="seat-map"
                >
                    {deck_views}
                </div>
            </section>
            <aside class="summary" aria-labelledby="summary-title">
                <h2 id="summary-title">{lang.t("Pesanan Anda", "Your booking")}</h2>
                <p class="notice" role="status" aria-live="polite" class:error=move || notice.with(|n| n.as_ref().is_some_and(|n| n.0))>
                    {move || notice.get().map(|n| n.1)}
                </p>
                {move || if has_hold.get() {
                    Either::Left(view! {
                        <dl class="facts">
                            <dt>{lang.t("Kursi", "Seats")}</dt>
                            <dd data-testid="my-seats">{move || my_seats().iter().map(|s| s.to_string()).collect::<Vec<_>>().join(", ")}</dd>
                            {move || {
                                let (board, alight) = state.with(|v| v.hold.as_ref().map(|h| (h.board.clone(), h.alight.clone())).unwrap_or_default());
                                let label = move |place: String| stops.with_value(|s| {
                                    s.iter().find(|s| s.place == place).map_or(place.clone(), StopTime::label)
                                });
                                board.zip(alight).map(|(b, a)| view! {
                                    <dt>{lang.t("Naik", "Get on")}</dt>
                                    <dd data-testid="board">{label(b.place)}</dd>
                                    <dt>{lang.t("Turun", "Get off")}</dt>
                                    <dd data-testid="alight">{label(a.place)}</dd>
                                })
                            }}
                            {move || {
                                let passengers = state.with(|v| v.hold.as_ref().map(|h| h.passengers.clone()).unwrap_or_default());
                                (passengers.len() > 1).then(|| view! {
                                    <dt>{lang.t("Penumpang", "Passengers")}</dt>
                                    <dd><PassengerList passengers /></dd>
                                })
                            }}
                            <dt>{lang.t("Total", "Total")}</dt>
                            <dd data-testid="total">{move || format_rupiah(
                                state.with(|v| v.hold.as_ref().and_then(|h| h.unique_code.map(|_| h.amount_due)))
                                    .unwrap_or(price * my_seats().len() as i64)
                            )}</dd>
                            <dt>{lang.t("Sisa waktu", "Time left")}</dt>
                            <dd><span class="countdown" class:warning=move || warning.get() data-testid="countdown">{countdown_label}</span></dd>
                        </dl>
                        {move || warning.get().then(|| view! {
                            <div class="panel warn" role="alert">
                                <p>{lang.t("Waktu hampir habis.", "Your time is almost up.")}</p>
                                {move || may_extend.get().then(|| view! {
                                    <button type="button" class="button" on:click=extend disabled=move || busy.get()>
                                        {lang.t("Tambah waktu", "Extend time")}
                                    </button>
                                })}
                            </div>
                        })}
                        {move || if has_claim.get() {
                            Either::Left(view! { <PayPanel state pay=pay.get_value() /> })
                        } else {
                            Either::Right(view! { <ContactForm trip_id state busy notice stops chosen /> })
                        }}
                        <button type="button" class="link-button" on:click=release disabled=move || busy.get()>
                            {lang.t("Lepas semua kursi", "Release all seats")}
                        </button>
                    })
                } else {
                    Either::Right(view! {
                        <p class="muted">{move || {
                            let span = lang.span(state.with(|v| v.hold_seconds));
                            match lang {
                                Lang::Id => format!("Ketuk kursi di denah untuk menahannya selama {span}."),
                                Lang::En => format!("Tap a seat on the map to hold it for {span}."),
                            }
                        }}</p>
                    })
                }}
                <p class="muted small">
                    {move || format!("{} {} {}", lang.t("Maksimal", "At most"), state.with(|v| v.max_seats), lang.t("kursi per pemesanan.", "seats per booking."))}
                </p>
            </aside>
        </div>
    }
}

/// Name and WhatsApp, checked as they are typed with the server's parsers;
/// with two seats or more, a name per seat too (the first seat follows the
/// contact name until it is typed over).
#[component]
fn ContactForm(
    trip_id: i64,
    state: RwSignal<SeatMapView>,
    busy: RwSignal<bool>,
    notice: RwSignal<Option<(bool, String)>>,
    stops: StoredValue<Vec<StopTime>>,
    chosen: StoredValue<StopChoice>,
) -> impl IntoView {
    let lang = use_lang();
    // Where they get on and off (trips with stops): the search's guess
    // first; the drop-off list offers only stops after the boarding one.
    let board = RwSignal::new(chosen.with_value(|c| c.board.clone().unwrap_or_default()));
    let alight = RwSignal::new(chosen.with_value(|c| c.alight.clone().unwrap_or_default()));
    let board_index =
        move || stops.with_value(|s| s.iter().position(|s| s.place == board.get()).unwrap_or(0));
    let name = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let touched = RwSignal::new(false);
    // The seats that need a name of their own, and what was typed for them.
    let seats = Memo::new(move |_| {
        state.with(|v| v.hold.as_ref().map(|h| h.seats.clone()).unwrap_or_default())
    });
    let typed = RwSignal::new(Vec::<(SeatCode, String)>::new());
    let seat_name = move |seat: SeatCode| -> String {
        let own = typed.with(|t| t.iter().find(|(s, _)| *s == seat).map(|(_, n)| n.clone()));
        match own {
            Some(n) => n,
            None if seats.with(|s| s.first() == Some(&seat)) => name.get(),
            None => String::new(),
        }
    };
    let seat_error = move |seat: SeatCode| {
        let value = seat_name(seat);
        (touched.get() || !value.is_empty())
            .then(|| CustomerName::parse(&value).err())
            .flatten()
            .map(|_| {
                lang.t(
                    "Isi nama penumpang kursi ini.",
                    "Enter the name of this seat's passenger.",
                )
            })
    };
    let passengers = move || -> Vec<Passenger> {
        let list = seats.get_untracked();
        if list.len() < 2 {
            return Vec::new();
        }
        list.into_iter()
            .map(|seat| Passenger {
                seat,
                name: seat_name(seat),
            })
            .collect()
    };
    let name_error = move || {
        (touched.get() || !name.get().is_empty())
            .then(|| CustomerName::parse(&name.get()).err())
            .flatten()
            .map(|_| {
                lang.t(
                    "Isi nama Anda (maksimal 80 huruf).",
                    "Enter your name (at most 80 characters).",
                )
            })
    };
    let phone_error = move || {
        (touched.get() || !phone.get().is_empty())
            .then(|| WhatsApp::parse(&phone.get()).err())
            .flatten()
            .map(|_| {
                lang.t(
                    "Nomor WhatsApp seperti 0812 3456 7890.",
                    "A WhatsApp number such as 0812 3456 7890.",
                )
            })
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        touched.set(true);
        let seats_named = seats.get_untracked().len() < 2
            || seats
                .get_untracked()
                .into_iter()
                .all(|s| seat_error(s).is_none());
        if name_error().is_some() || phone_error().is_some() || !seats_named {
            return;
        }
        let passengers = passengers();
        let points = if stops.with_value(Vec::is_empty) {
            StopChoice::default()
        } else {
            StopChoice {
                board: Some(board.get_untracked()),
                alight: Some(alight.get_untracked()),
            }
        };
        busy.set(true);
        spawn_local(async move {
            match attach_contact(
                trip_id,
                name.get_untracked(),
                phone.get_untracked(),
                passengers,
                points,
            )
            .await
            {
                Ok(v) => {
                    state.set(v);
                    notice.set(None);
                }
                Err(e) => notice.set(Some((true, explain(lang, &e)))),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="contact" on:submit=submit novalidate>
            <h3>{lang.t("Data pemesan", "Your details")}</h3>
            <div class="field">
                <label for="contact-name">{lang.t("Nama", "Name")}</label>
                <input id="contact-name" type="text" autocomplete="name" maxlength="80"
                    aria-invalid=move || if name_error().is_some() { "true" } else { "false" }
                    aria-describedby="contact-name-error"
                    prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev)) />
                <p id="contact-name-error" class="field-error">{name_error}</p>
            </div>
            <div class="field">
                <label for="contact-wa">{lang.t("Nomor WhatsApp", "WhatsApp number")}</label>
                <input id="contact-wa" type="tel" inputmode="tel" autocomplete="tel" placeholder="0812 3456 7890"
                    aria-invalid=move || if phone_error().is_some() { "true" } else { "false" }
                    aria-describedby="contact-wa-error"
                    prop:value=move || phone.get()
                    on:input=move |ev| phone.set(event_target_value(&ev)) />
                <p id="contact-wa-error" class="field-error">{phone_error}</p>
            </div>
            {stops.with_value(|all| (!all.is_empty()).then(|| {
                let last = all.len() - 1;
                let boarding = all[..last].to_vec();
                view! {
                    <div class="field">
                        <label for="board">{lang.t("Naik di", "Get on at")}</label>
                        <select id="board" prop:value=move || board.get()
                            on:change=move |ev| {
                                board.set(event_target_value(&ev));
                                // A drop-off before the new boarding point
                                // becomes the last stop.
                                let after = stops.with_value(|s| {
                                    s.iter().skip(board_index() + 1).any(|s| s.place == alight.get_untracked())
                                });
                                if !after {
                                    alight.set(stops.with_value(|s| s[last].place.clone()));
                                }
                            }>
                            {boarding.into_iter().map(|s| {
                                let place = s.place.clone();
                                let first = s.place == board.get_untracked();
                                view! {
                                    <option value=s.place.clone() selected=first prop:selected=move || board.get() == place>{s.label()}</option>
                                }
                            }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="alight">{lang.t("Turun di", "Get off at")}</label>
                        <select id="alight" prop:value=move || alight.get()
                            on:change=move |ev| alight.set(event_target_value(&ev))>
                            {move || stops.with_value(|s| s.iter().skip(board_index() + 1).cloned().collect::<Vec<_>>())
                                .into_iter()
                                .map(|s| {
                                    let place = s.place.clone();
                                    let first = s.place == alight.get_untracked();
                                    view! {
                                        <option value=s.place.clone() selected=first prop:selected=move || alight.get() == place>{s.label()}</option>
                                    }
                                })
                                .collect_view()}
                        </select>
                    </div>
                }
            }))}
            {move || (seats.with(Vec::len) > 1).then(|| view! {
                <fieldset class="seat-names">
                    <legend>{lang.t("Nama penumpang per kursi", "Passenger name per seat")}</legend>
                    <p class="muted small">{lang.t("Sesuai kartu identitas, untuk daftar penumpang.", "As on their ID, for the passenger list.")}</p>
                    {seats.get().into_iter().map(|seat| {
                        let id = format!("seat-name-{seat}");
                        let error_id = format!("{id}-error");
                        view! {
                            <div class="field">
                                <label for=id.clone()>{format!("{} {seat}", lang.t("Kursi", "Seat"))}</label>
                                <input id=id type="text" autocomplete="off" maxlength="80"
                                    aria-invalid=move || if seat_error(seat).is_some() { "true" } else { "false" }
                                    aria-describedby=error_id.clone()
                                    prop:value=move || seat_name(seat)
                                    on:input=move |ev| {
                                        let value = event_target_value(&ev);
                                        typed.update(|t| {
                                            t.retain(|(s, _)| *s != seat);
                                            t.push((seat, value));
                                        });
                                    } />
                                <p id=error_id class="field-error">{move || seat_error(seat)}</p>
                            </div>
                        }
                    }).collect_view()}
                </fieldset>
            })}
            <button type="submit" class="button" disabled=move || busy.get()>
                {lang.t("Lanjut ke pembayaran", "Continue to payment")}
            </button>
        </form>
    }
}
