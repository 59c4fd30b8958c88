//! `/crew/trips/{id}`: boarding one bus at its door, on the crew's phone.
//!
//! Three ways to read a ticket, all ending in the same server call: the
//! camera (the browser's `BarcodeDetector`, else our own decoder), a photo
//! of the QR code (the file input opens the phone's camera app), and the
//! booking code typed in (a plain form, which a keyboard-like handheld
//! scanner fills too). The verdict shows big and in colour: green to board,
//! red to stop the passenger (a ticket of another bus, a cancelled booking,
//! one already boarded, a forged QR code). Below: who is still missing and
//! who has boarded, following the trip's change events (other doors).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::app::components::{bus_label, explain, point_text};
use crate::app::i18n::{Lang, use_lang};
use crate::app::pages::admin::{after_each_action, loaded, status_label};
use crate::app::pages::crew::CrewNav;
use crate::domain::{AppError, BoardingOutcome, HoldStatus, ManifestEntry};
use crate::server_fns::TripCard;
use crate::server_fns::crew::{CrewBoard, DoorList, Scanned, crew_trip};

#[component]
pub fn CrewTripPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0));
    let door = Resource::new(id, crew_trip);
    view! {
        <Title text=lang.t("Naik bus", "Boarding") />
        <section class="wrap admin boarding">
            <CrewNav />
            <Suspense fallback=move || view! { <p class="muted">{lang.t("Memuat…", "Loading…")}</p> }>
                {move || door.get().map(|r| loaded(lang, r, move |initial: DoorList| {
                    let c = initial.card.clone();
                    view! {
                        <h1>{format!("{} → {}", c.trip.route_from, c.trip.route_to)}</h1>
                        <p class="muted">{format!("{} · {} {} · {}", lang.date(c.depart_local), lang.time(c.depart_local), c.tz_abbr, bus_label(lang, c.trip.bus_type))}</p>
                        <BoardingDesk initial />
                    }
                }))}
            </Suspense>
        </section>
    }
}

/// The scanner, the verdict and the lists (an island).
#[island(lazy)]
fn BoardingDesk(initial: DoorList) -> impl IntoView {
    let lang = use_lang();
    let card = initial.card.clone();
    let trip_id = card.trip.id;
    let passengers = RwSignal::new(initial.passengers);
    let board = ServerAction::<CrewBoard>::new();
    let refresh = move || {
        leptos::task::spawn_local(async move {
            if let Ok(d) = crew_trip(trip_id).await {
                passengers.set(d.passengers);
            }
        });
    };
    // Another door's boardings show here too.
    crate::app::follow::follow_trip(trip_id, refresh);
    let code_input = NodeRef::<leptos::html::Input>::new();
    // Whether the last scan came from the camera or a photo: then the code
    // field keeps out of the way (focusing it raises a phone's keyboard
    // over the camera).
    let by_picture = StoredValue::new(false);
    after_each_action(
        move || board.version().get(),
        move || {
            refresh();
            // A typed code: ready for the next, empty and focused (a
            // handheld scanner types into it).
            let typed = !by_picture.get_value();
            by_picture.set_value(false);
            if typed && let Some(input) = code_input.get_untracked() {
                input.set_value("");
                let _ = input.focus();
            }
        },
    );
    let camera_on = RwSignal::new(false);
    let camera_failed = RwSignal::new(false);
    let photo_failed = RwSignal::new(false);
    let video = NodeRef::<leptos::html::Video>::new();
    let start_camera = move |_| {
        camera_failed.set(false);
        camera_on.set(true);
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            use crate::app::scanner;
            let Some(v) = video.get_untracked() else {
                return;
            };
            let stream = match scanner::start_camera(&v).await {
                Ok(s) => s,
                Err(_) => {
                    camera_failed.set(true);
                    camera_on.set(false);
                    return;
                }
            };
            let detector = scanner::barcode_detector();
            let mut last: Option<(String, f64)> = None;
            while camera_on.try_get_untracked().unwrap_or(false) {
                if let Some(text) = scanner::read_frame(&v, detector.as_ref()).await {
                    let now = js_sys::Date::now();
                    // The same ticket held up to the camera is one scan.
                    let again = last
                        .as_ref()
                        .is_some_and(|(t, at)| *t == text && now - at < 4000.0);
                    if !again && !board.pending().get_untracked() {
                        last = Some((text.clone(), now));
                        by_picture.set_value(true);
                        board.dispatch(CrewBoard {
                            trip_id,
                            scan: text,
                        });
                    }
                }
                scanner::sleep(250).await;
            }
            scanner::stop_camera(&stream);
            v.set_src_object(None);
        });
    };
    let photo = move |ev: leptos::ev::Event| {
        photo_failed.set(false);
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(input) = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            else {
                return;
            };
            let Some(file) = input.files().and_then(|f| f.get(0)) else {
                return;
            };
            leptos::task::spawn_local(async move {
                match crate::app::scanner::read_file(file).await {
                    Some(text) => {
                        by_picture.set_value(true);
                        board.dispatch(CrewBoard {
                            trip_id,
                            scan: text,
                        });
                    }
                    None => photo_failed.set(true),
                }
                input.set_value("");
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        // A warning also buzzes the phone, for a crew member looking at the
        // passenger rather than at the screen.
        let warning = board.value().with(|r| match r {
            Some(Ok(s)) => s.boarding.outcome.is_warning(),
            Some(Err(_)) => true,
            None => false,
        });
        if warning && let Some(w) = web_sys::window() {
            let _ = w.navigator().vibrate_with_duration(400);
        }
    });
    on_cleanup(move || camera_on.set(false));
    let card_for_result = card.clone();
    view! {
        <div class="door-scan panel">
            <ActionForm action=board attr:class="door-code">
                <input type="hidden" name="trip_id" value=trip_id />
                <div class="field">
                    <label for="scan">{lang.t("Kode booking", "Booking code")}</label>
                    <input id="scan" name="scan" type="text" required node_ref=code_input
                        autocomplete="off" autocapitalize="characters" spellcheck="false"
                        placeholder="BK-7Q2M9X" data-testid="scan-code" />
                </div>
                <button type="submit" class="button" disabled=move || board.pending().get()>
                    {lang.t("Naikkan", "Board")}
                </button>
            </ActionForm>
            <div class="door-camera">
                <video node_ref=video class="scanner-video" playsinline=true muted=true
                    hidden=move || !camera_on.get()
                    aria-label=lang.t("Kamera pemindai", "Scanner camera")></video>
                {move || if camera_on.get() {
                    view! {
                        <button type="button" class="button button-quiet" on:click=move |_| camera_on.set(false)>
                            {lang.t("Matikan kamera", "Stop the camera")}
                        </button>
                    }.into_any()
                } else {
                    view! {
                        <button type="button" class="button button-quiet" on:click=start_camera data-testid="start-camera">
                            {lang.t("Pindai dengan kamera", "Scan with the camera")}
                        </button>
                    }.into_any()
                }}
                // The input is hidden behind its label (styled as a button);
                // it keeps the keyboard focus, which the label shows.
                <input id="scan-photo" class="sr-only file-input" type="file" accept="image/*"
                    capture="environment" on:change=photo data-testid="scan-photo" />
                <label class="button button-quiet file-button" for="scan-photo">
                    {lang.t("Pindai dari foto", "Scan a photo")}
                </label>
                <p class="field-error" role="alert">
                    {move || camera_failed.get().then(|| lang.t(
                        "Kamera tidak bisa dibuka. Izinkan kamera untuk situs ini, atau pindai dari foto, atau ketik kodenya.",
                        "The camera could not be opened. Allow the camera for this site, or scan a photo, or type the code.",
                    ))}
                    {move || photo_failed.get().then(|| lang.t(
                        "Tidak ada kode QR terbaca di foto ini. Coba lagi lebih dekat dan terang, atau ketik kodenya.",
                        "No QR code could be read in this photo. Try closer and in better light, or type the code.",
                    ))}
                </p>
            </div>
        </div>
        <div aria-live="assertive" data-testid="door-result">
            {move || board.value().get().map(|r| verdict(lang, &card_for_result, r))}
        </div>
        {move || door_lists(lang, &card, passengers.get())}
    }
}

/// The verdict of a scan, big: green to board, red to stop.
fn verdict(
    lang: Lang,
    here: &TripCard,
    result: Result<Scanned, AppError>,
) -> impl IntoView + use<> {
    let (ok, title, detail) = match result {
        Ok(s) => {
            let b = &s.boarding;
            let names = b
                .passengers
                .iter()
                .filter(|p| {
                    b.outcome != BoardingOutcome::Boarded || b.boarded_now.contains(&p.seat)
                })
                .map(|p| format!("{} {}", p.seat, p.name))
                .collect::<Vec<_>>()
                .join(", ");
            let code = b.booking_code.to_string();
            match b.outcome {
                BoardingOutcome::Boarded => (
                    true,
                    lang.t("SILAKAN NAIK", "BOARD").to_string(),
                    format!("{code} · {names}"),
                ),
                BoardingOutcome::AlreadyBoarded => {
                    let when = b
                        .boarded_at
                        .map(|at| lang.time(here.local(at)))
                        .unwrap_or_default();
                    let by = b.boarded_by.clone().unwrap_or_default();
                    (
                        false,
                        lang.t("SUDAH NAIK", "ALREADY BOARDED").to_string(),
                        match lang {
                            Lang::Id => format!("{code} · {names} · naik pukul {when} ({by})"),
                            Lang::En => format!("{code} · {names} · boarded at {when} ({by})"),
                        },
                    )
                }
                BoardingOutcome::OtherTrip => (
                    false,
                    lang.t("BUKAN BUS INI", "NOT THIS BUS").to_string(),
                    format!(
                        "{code} · {} {} → {}, {} {} {}",
                        lang.t("tiket untuk", "a ticket for"),
                        s.card.trip.route_from,
                        s.card.trip.route_to,
                        lang.date(s.card.depart_local),
                        lang.time(s.card.depart_local),
                        s.card.tz_abbr
                    ),
                ),
                BoardingOutcome::Cancelled => (
                    false,
                    lang.t("PESANAN DIBATALKAN", "BOOKING CANCELLED")
                        .to_string(),
                    format!("{code} · {names}"),
                ),
            }
        }
        Err(AppError::BookingNotFound) => (
            false,
            lang.t("KODE TIDAK DIKENAL", "UNKNOWN CODE").to_string(),
            lang.t(
                "Tidak ada pesanan dengan kode ini.",
                "No booking has this code.",
            )
            .to_string(),
        ),
        Err(AppError::ForgedTicket) => (
            false,
            lang.t("QR PALSU", "FORGED QR CODE").to_string(),
            explain(lang, &AppError::ForgedTicket),
        ),
        Err(e) => (
            false,
            lang.t("TIDAK BISA", "NOT POSSIBLE").to_string(),
            explain(lang, &e),
        ),
    };
    view! {
        <div class=if ok { "door-result ok" } else { "door-result stop" } role="alert" data-testid="verdict">
            <p class="door-verdict">{if ok { "✓ " } else { "✗ " }}{title}</p>
            <p>{detail}</p>
        </div>
    }
}

/// Who is still missing (booked, not boarded; awaiting payment marked),
/// by boarding point on a trip with stops, and who has boarded, with the
/// count.
fn door_lists(
    lang: Lang,
    card: &TripCard,
    passengers: Vec<ManifestEntry>,
) -> impl IntoView + use<> {
    let booked = passengers
        .iter()
        .filter(|p| p.status == HoldStatus::Booked)
        .count();
    let nobody = passengers.is_empty();
    let (boarded, missing): (Vec<_>, Vec<_>) =
        passengers.into_iter().partition(|p| p.boarded_at.is_some());
    // Missing passengers by where they get on, in the order the bus meets
    // them (one group without a heading on a trip without stops).
    let mut missing = missing;
    missing.sort_by_key(|p| (p.board.as_ref().map(|s| s.at), p.seat));
    let mut groups: Vec<(Option<crate::domain::StopAt>, Vec<ManifestEntry>)> = Vec::new();
    for p in missing {
        match groups.last_mut() {
            Some((stop, list))
                if stop.as_ref().map(|s| &s.place) == p.board.as_ref().map(|s| &s.place) =>
            {
                list.push(p)
            }
            _ => groups.push((p.board.clone(), vec![p])),
        }
    }
    let count = match lang {
        Lang::Id => format!("{} dari {booked} penumpang lunas sudah naik", boarded.len()),
        Lang::En => format!("{} of {booked} paid passengers boarded", boarded.len()),
    };
    let boarded_rows = boarded
        .into_iter()
        .map(|p| {
            let at = p
                .boarded_at
                .map(|at| lang.time(card.local(at)))
                .unwrap_or_default();
            view! {
                <tr><td>{p.seat.to_string()}</td><td>{p.name}</td><td>{at}</td></tr>
            }
        })
        .collect_view();
    view! {
        <p class="door-count" data-testid="door-count">{count}</p>
        <section aria-labelledby="missing-title">
            <h2 id="missing-title">{lang.t("Belum naik", "Not boarded yet")}</h2>
            {if nobody {
                view! { <p class="panel empty">{lang.t("Belum ada penumpang untuk bus ini.", "Nobody has booked this bus yet.")}</p> }.into_any()
            } else if groups.is_empty() {
                view! { <p class="panel empty">{lang.t("Semua sudah naik.", "Everyone has boarded.")}</p> }.into_any()
            } else {
                groups.into_iter().enumerate().map(|(i, (stop, missing))| {
                let label = format!("missing-{i}");
                let heading = stop.map(|s| view! {
                    <h3 class="stop-group" id=label.clone() data-testid="missing-stop">
                        {format!("{} ({})", point_text(lang, card, &s), missing.len())}
                    </h3>
                });
                let labelled_by = if heading.is_some() { format!("missing-title {label}") } else { "missing-title".to_string() };
                // One line per seat, readable at arm's length on a phone:
                // the seat, the name, a number to call, and a mark for a
                // hold not paid yet (it may not board).
                view! {
                    {heading}
                    <ul class="door-list" data-testid="missing" aria-labelledby=labelled_by>
                        {missing.into_iter().map(|p| {
                            let unpaid = (p.status != HoldStatus::Booked).then(|| view! {
                                <span class="door-unpaid">{status_label(lang, p.status)}</span>
                            });
                            view! {
                                <li>
                                    <span class="door-seat">{p.seat.to_string()}</span>
                                    <span class="door-who">
                                        <span class="door-name">{p.name.clone()}</span>
                                        <span class="door-more">
                                            <a href=format!("tel:+{}", p.whatsapp)>{format!("+{}", p.whatsapp)}</a>
                                            {unpaid}
                                        </span>
                                    </span>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }}).collect_view().into_any()
            }}
        </section>
        <details class="panel">
            <summary>{lang.t("Sudah naik", "Boarded")}</summary>
            <table class="admin-table" data-testid="boarded">
                <thead><tr>
                    <th scope="col">{lang.t("Kursi", "Seat")}</th>
                    <th scope="col">{lang.t("Nama", "Name")}</th>
                    <th scope="col">{lang.t("Pukul", "At")}</th>
                </tr></thead>
                <tbody>{boarded_rows}</tbody>
            </table>
        </details>
    }
}
