//! The admin's pages (`/admin…`): sign-in, pending holds with payment
//! confirmation, trips, a trip's manifest and audit trail, a hold's audit
//! trail. A signed-out visitor never sees them: the server redirects every
//! `/admin` page but the sign-in page to `/admin/login`, and every server
//! function they call checks the staff session again.

use chrono::{DateTime, Utc};
use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::app::components::{PassengerList, bus_label, explain, point_text, points_facts};
use crate::app::i18n::{Lang, use_lang};
use crate::domain::{
    AppError, AuditEvent, BusType, HoldStatus, Manifest, ManifestOrder, Receipt, format_rupiah,
};
use crate::server_fns::TripCard;
use crate::server_fns::admin::{
    AdminCancel, AdminConfirm, AdminCreateTrip, AdminExtend, AdminHold, AdminRelease,
    AdminSetActive, AdminUpdateTrip, StaffLogin, StaffLogout, TripDetail, admin_hold_audit,
    admin_holds, admin_manifest, admin_trip, admin_trips, staff_me,
};

fn lang() -> Lang {
    use_lang()
}

fn now_ms() -> i64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::now() as i64
    }
    #[cfg(not(feature = "hydrate"))]
    {
        Utc::now().timestamp_millis()
    }
}

/// A clock signal that ticks every second in the browser.
fn ticking_now() -> RwSignal<i64> {
    let now = RwSignal::new(now_ms());
    Effect::new(move |_| {
        if let Ok(handle) =
            set_interval_with_handle(move || now.set(now_ms()), std::time::Duration::from_secs(1))
        {
            on_cleanup(move || handle.clear());
        }
    });
    now
}

/// Runs `refresh` whenever `versions` (the sum of some actions' versions)
/// changes after the first render: an action finished, so the island shows
/// the data as the server now has it.
pub(crate) fn after_each_action(
    versions: impl Fn() -> usize + 'static,
    refresh: impl Fn() + 'static,
) {
    Effect::new(move |before: Option<usize>| {
        let done = versions();
        if before.is_some_and(|b| b != done) {
            refresh();
        }
        done
    });
}

fn left_text(lang: Lang, expires: DateTime<Utc>, now: i64) -> String {
    let secs = ((expires.timestamp_millis() - now) / 1000).max(0);
    if secs == 0 {
        return lang.t("habis", "ran out").to_string();
    }
    format!("{}:{:02}", secs / 60, secs % 60)
}

/// "5 menit lalu": how long ago, for people.
fn ago(lang: Lang, at: DateTime<Utc>, now: i64) -> String {
    let mins = ((now - at.timestamp_millis()) / 60_000).max(0);
    match (lang, mins) {
        (Lang::Id, 0) => "baru saja".into(),
        (Lang::En, 0) => "just now".into(),
        (Lang::Id, m) if m < 60 => format!("{m} menit lalu"),
        (Lang::En, m) if m < 60 => format!("{m} min ago"),
        (Lang::Id, m) if m < 48 * 60 => format!("{} jam lalu", m / 60),
        (Lang::En, m) if m < 48 * 60 => format!("{} h ago", m / 60),
        (Lang::Id, m) => format!("{} hari lalu", m / (24 * 60)),
        (Lang::En, m) => format!("{} days ago", m / (24 * 60)),
    }
}

/// The transfer receipts of a hold: images as thumbnails that open full
/// size in a new tab, PDFs as downloads (see `api::admin::receipt_file`).
fn receipt_list(
    lang: Lang,
    name: String,
    receipts: Vec<Receipt>,
    now: RwSignal<i64>,
) -> impl IntoView {
    (!receipts.is_empty()).then(move || view! {
        <div class="receipts" data-testid="receipts">
            <h3 class="receipts-title">{lang.t("Bukti transfer", "Transfer receipts")}</h3>
            <ul class="receipt-list">
                {receipts.into_iter().enumerate().map(|(i, r)| {
                    let url = format!("/api/admin/receipts/{}/", r.id);
                    let at = r.uploaded_at;
                    let size = r.size_label();
                    let label = match lang {
                        Lang::Id => format!("Bukti transfer {} dari {name}", i + 1),
                        Lang::En => format!("Transfer receipt {} from {name}", i + 1),
                    };
                    let facts = move || format!("{} · {}", ago(lang, at, now.get()), size);
                    view! {
                        <li class="receipt" data-testid="receipt">
                            {if r.kind.is_image() {
                                view! {
                                    <a href=url.clone() target="_blank" rel="noopener" class="receipt-thumb"
                                        aria-label=format!("{label} ({})", lang.t("buka ukuran penuh", "open full size"))>
                                        <img src=url.clone() alt=label.clone() loading="lazy" decoding="async" />
                                    </a>
                                }.into_any()
                            } else {
                                view! {
                                    <a href=url.clone() download="" class="receipt-pdf">
                                        {format!("PDF · {label}")}
                                    </a>
                                }.into_any()
                            }}
                            <span class="small muted">{facts}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </div>
    })
}

pub(crate) fn status_label(lang: Lang, s: HoldStatus) -> &'static str {
    match s {
        HoldStatus::Held => lang.t("Menunggu bayar", "Awaiting payment"),
        HoldStatus::Booked => lang.t("Lunas", "Paid"),
        HoldStatus::Released => lang.t("Dilepas", "Released"),
        HoldStatus::Expired => lang.t("Kedaluwarsa", "Expired"),
        HoldStatus::Cancelled => lang.t("Dibatalkan", "Cancelled"),
    }
}

pub(crate) fn when(lang: Lang, card: &TripCard) -> String {
    format!(
        "{} · {} {}",
        lang.date(card.depart_local),
        lang.time(card.depart_local),
        card.tz_abbr
    )
}

/// The admin's navigation and sign-out.
#[component]
pub(crate) fn AdminNav(current: &'static str) -> impl IntoView {
    let lang = lang();
    let link = move |href: &'static str, id: &'static str, label: &'static str| {
        view! {
            <a href=href aria-current=(current == id).then_some("page")>{label}</a>
        }
    };
    view! {
        <nav class="admin-nav" aria-label=lang.t("Menu admin", "Admin menu")>
            {link("/admin", "holds", lang.t("Pesanan", "Holds"))}
            {link("/admin/trips", "trips", lang.t("Perjalanan", "Trips"))}
            {link("/admin/schedules", "schedules", lang.t("Jadwal", "Schedules"))}
            {link("/admin/reports", "reports", lang.t("Laporan", "Reports"))}
            {link("/admin/statement", "statement", lang.t("Mutasi bank", "Bank statement"))}
            {link("/admin/payment", "payment", lang.t("Rekening", "Accounts"))}
            {link("/admin/webhooks", "webhooks", lang.t("Webhook", "Webhooks"))}
            <SignedIn />
        </nav>
    }
}

/// Who is signed in, and sign-out: the end of the admin's and the crew's
/// navigation.
#[component]
pub(crate) fn SignedIn() -> impl IntoView {
    let lang = lang();
    let logout = ServerAction::<StaffLogout>::new();
    let me = Resource::new(|| (), |_| staff_me());
    view! {
        <span class="admin-user muted">
            <Suspense>{move || me.get().and_then(Result::ok)}</Suspense>
        </span>
        <ActionForm action=logout attr:class="inline-form">
            <button type="submit" class="button button-small button-quiet">
                {lang.t("Keluar", "Sign out")}
            </button>
        </ActionForm>
    }
}

#[component]
pub fn AdminLoginPage() -> impl IntoView {
    let lang = lang();
    view! {
        <Title text=lang.t("Masuk admin", "Admin sign-in") />
        <section class="wrap narrow">
            <div class="panel form-panel">
                <h1>{lang.t("Masuk sebagai admin", "Sign in as admin")}</h1>
                <LoginForm />
            </div>
        </section>
    }
}

/// The sign-in form (an island): the server function answers with a
/// redirect to `/admin`; without JavaScript it is a plain form post.
#[island(lazy)]
fn LoginForm() -> impl IntoView {
    let lang = lang();
    let action = ServerAction::<StaffLogin>::new();
    let error = move || {
        action
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| explain(lang, &e))
    };
    view! {
        <ActionForm action>
            <div class="field">
                <label for="username">{lang.t("Nama pengguna", "Username")}</label>
                <input id="username" name="username" type="text" required
                    autocomplete="username" autocapitalize="none" spellcheck="false" />
            </div>
            <div class="field">
                <label for="password">{lang.t("Kata sandi", "Password")}</label>
                <input id="password" name="password" type="password" required
                    autocomplete="current-password" aria-describedby="login-error" />
            </div>
            <p id="login-error" class="field-error" role="alert">{error}</p>
            <button type="submit" class="button" disabled=move || action.pending().get()>
                {lang.t("Masuk", "Sign in")}
            </button>
        </ActionForm>
    }
}

/// `/admin`: holds awaiting payment (or any status), searchable, live.
#[component]
pub fn AdminHoldsPage() -> impl IntoView {
    let lang = lang();
    let query = use_query_map();
    let q = move || query.with(|m| m.get("q").unwrap_or_default());
    let status = move || query.with(|m| m.get("status").unwrap_or_else(|| "HELD".into()));
    let holds = Resource::new(
        move || (q(), status()),
        |(q, status)| admin_holds(q, status),
    );
    let statuses = [
        ("HELD", lang.t("Menunggu bayar", "Awaiting payment")),
        ("BOOKED", lang.t("Lunas", "Paid")),
        ("EXPIRED", lang.t("Kedaluwarsa", "Expired")),
        ("RELEASED", lang.t("Dilepas", "Released")),
        ("CANCELLED", lang.t("Dibatalkan", "Cancelled")),
        ("ALL", lang.t("Semua", "All")),
    ];
    view! {
        <Title text=lang.t("Admin · Pesanan", "Admin · Holds") />
        <section class="wrap admin">
            <AdminNav current="holds" />
            <h1>{lang.t("Pesanan", "Holds")}</h1>
            <form method="get" action="/admin" class="admin-search">
                <div class="field">
                    <label for="q">{lang.t("Cari nama, nomor WA, kode klaim atau jumlah transfer", "Search name, WhatsApp, claim code or transfer amount")}</label>
                    <input id="q" name="q" type="search" value=q autocomplete="off"
                        placeholder="A1B2-C3D4" />
                </div>
                <div class="field">
                    <label for="status">{lang.t("Status", "Status")}</label>
                    <select id="status" name="status">
                        {statuses.into_iter().map(|(v, label)| view! {
                            <option value=v selected=status() == v>{label}</option>
                        }).collect_view()}
                    </select>
                </div>
                <button type="submit" class="button">{lang.t("Cari", "Search")}</button>
            </form>
            <Suspense fallback=move || view! { <p class="muted">{lang.t("Memuat…", "Loading…")}</p> }>
                {move || holds.get().map(|r| loaded(lang, r, move |initial| view! { <HoldsBoard q=q() status=status() initial /> }))}
            </Suspense>
        </section>
    }
}

/// The holds found by the search (an island): a ticking countdown, the
/// payment confirmation and the other actions, and a refresh every five
/// seconds and after each action (new holds, expiries, other admins).
#[island(lazy)]
fn HoldsBoard(q: String, status: String, initial: Vec<AdminHold>) -> impl IntoView {
    let lang = lang();
    let holds = RwSignal::new(initial);
    let now = ticking_now();
    let refresh = move || {
        let (q, status) = (q.clone(), status.clone());
        leptos::task::spawn_local(async move {
            if let Ok(list) = admin_holds(q, status).await {
                holds.set(list);
            }
        });
    };
    let confirm = ServerAction::<AdminConfirm>::new();
    let extend = ServerAction::<AdminExtend>::new();
    let release = ServerAction::<AdminRelease>::new();
    let cancel = ServerAction::<AdminCancel>::new();
    let every_five_seconds = refresh.clone();
    Effect::new(move |_| {
        let tick = every_five_seconds.clone();
        if let Ok(handle) = set_interval_with_handle(tick, std::time::Duration::from_secs(5)) {
            on_cleanup(move || handle.clear());
        }
    });
    after_each_action(
        move || {
            confirm.version().get()
                + extend.version().get()
                + release.version().get()
                + cancel.version().get()
        },
        refresh,
    );
    let action_error = move || {
        [
            extend.value().get().and_then(Result::err),
            release.value().get().and_then(Result::err),
            cancel.value().get().and_then(Result::err),
        ]
        .into_iter()
        .flatten()
        .next()
        .map(|e| explain(lang, &e))
    };
    view! {
        {move || confirm.value().get().map(|r| match r {
            Ok(c) => view! {
                <div class="panel success" role="status" data-testid="confirmation">
                    <p>{lang.t("Pembayaran dikonfirmasi. Kode booking:", "Payment confirmed. Booking code:")}</p>
                    <p class="booking-code" data-testid="booking-code">{c.booking.booking_code.to_string()}</p>
                    <p class="muted">{format!("{} · {}", c.booking.name, c.booking.seats.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "))}</p>
                    <a class="button whatsapp" href=c.whatsapp_url target="_blank" rel="noopener">
                        {lang.t("Kirim tiket lewat WhatsApp", "Send the ticket on WhatsApp")}
                    </a>
                </div>
            }.into_any(),
            Err(e) => view! {
                <div class="panel error" role="alert" data-testid="confirm-error">{explain(lang, &e)}</div>
            }.into_any(),
        })}
        <p class="field-error" role="alert">{action_error}</p>
        <Show
            when=move || holds.with(|l| !l.is_empty())
            fallback=move || view! { <p class="panel empty">{lang.t("Tidak ada pesanan.", "No holds.")}</p> }
        >
            <ul class="admin-holds" aria-live="polite">
                // Keyed by the whole row: a refresh re-renders only the
                // holds that changed (a live hold's seconds left change on
                // every refresh; a booking's do not, so its open "cancel?"
                // step stays open).
                <For
                    each=move || holds.get()
                    key=|h| format!("{h:?}")
                    children=move |h| view! { <HoldRow h now confirm extend release cancel /> }
                />
            </ul>
        </Show>
    }
}

#[component]
fn HoldRow(
    h: AdminHold,
    now: RwSignal<i64>,
    confirm: ServerAction<AdminConfirm>,
    extend: ServerAction<AdminExtend>,
    release: ServerAction<AdminRelease>,
    cancel: ServerAction<AdminCancel>,
) -> impl IntoView {
    let lang = lang();
    let hold = h.hold;
    let receipts = receipt_list(lang, hold.name.clone().unwrap_or_default(), h.receipts, now);
    let claim = hold
        .claim_code
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    let seats = hold
        .seats
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let trip = h
        .trip
        .as_ref()
        .map(|c| {
            format!(
                "{} → {} · {}",
                c.trip.route_from,
                c.trip.route_to,
                when(lang, c)
            )
        })
        .unwrap_or_default();
    let wa = hold.whatsapp.clone().unwrap_or_default();
    let expires = hold.expires_at;
    let status = hold.status;
    let live = status == HoldStatus::Held;
    let payable = matches!(status, HoldStatus::Held | HoldStatus::Expired);
    let booking = hold.booking_code.as_ref().map(ToString::to_string);
    let asking = RwSignal::new(false);
    let name = hold.name.clone().unwrap_or_default();
    // Seat codes, or who sits where when somebody else travels too.
    let others_travel = hold.passengers.iter().any(|p| p.name != name);
    let seats = if others_travel {
        Either::Left(view! { <PassengerList passengers=hold.passengers.clone() /> })
    } else {
        Either::Right(seats)
    };
    let (c1, c2, c3) = (claim.clone(), claim.clone(), claim.clone());
    view! {
        <li class="admin-hold panel" data-testid="admin-hold" data-claim=claim.clone()>
            <div class="admin-hold-head">
                <strong class="admin-hold-name">{name}</strong>
                <span class=format!("badge status-{}", status.as_str().to_ascii_lowercase())>{status_label(lang, status)}</span>
            </div>
            <dl class="facts compact">
                <dt>{lang.t("Kode klaim", "Claim code")}</dt>
                <dd class="mono">{claim.clone()}</dd>
                <dt>"WhatsApp"</dt>
                <dd><a href=format!("https://wa.me/{wa}") target="_blank" rel="noopener">{format!("+{wa}")}</a></dd>
                <dt>{lang.t("Perjalanan", "Trip")}</dt>
                <dd>{trip}</dd>
                {h.trip.as_ref().map(|c| points_facts(lang, c, hold.board.as_ref(), hold.alight.as_ref()))}
                <dt>{lang.t("Kursi", "Seats")}</dt>
                <dd>{seats}</dd>
                <dt>{lang.t("Jumlah transfer", "Transfer amount")}</dt>
                <dd class="amount-due" data-testid="admin-amount">{format_rupiah(hold.amount_due)}</dd>
                {live.then(|| view! {
                    <dt>{lang.t("Sisa waktu", "Time left")}</dt>
                    <dd data-testid="time-left">{move || left_text(lang, expires, now.get())}</dd>
                })}
                {booking.clone().map(|b| view! {
                    <dt>{lang.t("Kode booking", "Booking code")}</dt>
                    <dd class="mono">{b}</dd>
                })}
            </dl>
            {receipts}
            <div class="admin-actions">
                {payable.then(|| view! {
                    <button type="button" class="button" data-testid="confirm"
                        disabled=move || confirm.pending().get()
                        on:click=move |_| { confirm.dispatch(AdminConfirm { claim_code: c1.clone() }); }>
                        {if live { lang.t("Konfirmasi bayar", "Confirm payment") } else { lang.t("Konfirmasi bayar (terlambat)", "Confirm late payment") }}
                    </button>
                })}
                {live.then(|| view! {
                    <button type="button" class="button button-quiet"
                        on:click=move |_| { extend.dispatch(AdminExtend { claim_code: c2.clone() }); }>
                        {lang.t("Perpanjang", "Extend")}
                    </button>
                    <button type="button" class="button button-quiet"
                        on:click=move |_| { release.dispatch(AdminRelease { claim_code: c3.clone() }); }>
                        {lang.t("Lepas kursi", "Release seats")}
                    </button>
                })}
                {(status == HoldStatus::Booked).then(|| {
                    let code = booking.clone().unwrap_or_default();
                    view! {
                        <Show when=move || asking.get() fallback=move || view! {
                            <button type="button" class="button button-quiet danger"
                                on:click=move |_| asking.set(true)>
                                {lang.t("Batalkan pesanan…", "Cancel booking…")}
                            </button>
                        }>
                            {
                                let code = code.clone();
                                view! {
                                    <span class="confirm-step" role="group" aria-label=lang.t("Konfirmasi pembatalan", "Confirm cancellation")>
                                        <span>{lang.t("Batalkan dan lepas kursinya?", "Cancel and free its seats?")}</span>
                                        <button type="button" class="button danger"
                                            on:click=move |_| { cancel.dispatch(AdminCancel { booking_code: code.clone() }); asking.set(false); }>
                                            {lang.t("Ya, batalkan", "Yes, cancel")}
                                        </button>
                                        <button type="button" class="button button-quiet" on:click=move |_| asking.set(false)>
                                            {lang.t("Tidak", "No")}
                                        </button>
                                    </span>
                                }
                            }
                        </Show>
                    }
                })}
                <a class="button-link" href=format!("/admin/holds/{claim}")>{lang.t("Riwayat", "History")}</a>
            </div>
        </li>
    }
}

fn audit_list(lang: Lang, events: Vec<AuditEvent>) -> impl IntoView {
    let tz_note = lang.t("UTC", "UTC");
    view! {
        <ol class="audit">
            {events.into_iter().map(|e| view! {
                <li>
                    <time datetime=e.at.to_rfc3339()>{format!("{} {tz_note}", e.at.format("%Y-%m-%d %H:%M:%S"))}</time>
                    <strong>{e.action.clone()}</strong>
                    <span class="muted">{e.actor.clone()}</span>
                    <span>{e.seats.join(", ")}</span>
                    <span class="muted">{e.detail.clone()}</span>
                </li>
            }).collect_view()}
        </ol>
    }
}

/// `/admin/holds/{claim_code}`: a hold's audit trail.
#[component]
pub fn AdminHoldAuditPage() -> impl IntoView {
    let lang = lang();
    let params = use_params_map();
    let code = move || params.with(|p| p.get("code").unwrap_or_default());
    let trail = Resource::new(code, admin_hold_audit);
    view! {
        <Title text=lang.t("Admin · Riwayat pesanan", "Admin · Hold history") />
        <section class="wrap admin">
            <AdminNav current="" />
            <h1>{move || format!("{} {}", lang.t("Riwayat", "History of"), code())}</h1>
            <Suspense>
                {move || trail.get().map(|r| loaded(lang, r, move |events| audit_list(lang, events)))}
            </Suspense>
        </section>
    }
}

pub(crate) fn bus_options(lang: Lang, selected: Option<BusType>) -> impl IntoView {
    [BusType::Economy, BusType::Executive, BusType::Sleeper]
        .into_iter()
        .map(|b| view! { <option value=b.as_str() selected=selected == Some(b)>{bus_label(lang, b)}</option> })
        .collect_view()
}

/// The fields of a trip, empty or filled in.
fn trip_fields(lang: Lang, card: Option<TripCard>, depart: String) -> impl IntoView {
    let stops = card
        .as_ref()
        .map(|c| crate::domain::Stops::to_lines(&c.trip.stops, c.depart_local.time()))
        .unwrap_or_default();
    let t = card.map(|c| c.trip);
    let v = |f: fn(&crate::domain::Trip) -> String| t.as_ref().map(f).unwrap_or_default();
    view! {
        <div class="field">
            <label for="route_from">{lang.t("Dari", "From")}</label>
            <input id="route_from" name="route_from" type="text" required maxlength="60" value=v(|t| t.route_from.clone()) />
        </div>
        <div class="field">
            <label for="route_to">{lang.t("Ke", "To")}</label>
            <input id="route_to" name="route_to" type="text" required maxlength="60" value=v(|t| t.route_to.clone()) />
        </div>
        <div class="field">
            <label for="depart_local">{lang.t("Berangkat (waktu setempat)", "Departs (local time)")}</label>
            <input id="depart_local" name="depart_local" type="datetime-local" required value=depart />
        </div>
        <div class="field">
            <label for="price">{lang.t("Harga (Rp)", "Price (Rp)")}</label>
            <input id="price" name="price" type="text" inputmode="numeric" required value=v(|t| t.price.to_string()) />
        </div>
        <div class="field">
            <label for="bus_type">{lang.t("Jenis bus", "Bus type")}</label>
            <select id="bus_type" name="bus_type">{bus_options(lang, t.as_ref().map(|t| t.bus_type))}</select>
        </div>
        <div class="field">
            <label for="admin_wa">{lang.t("WhatsApp admin", "Admin's WhatsApp")}</label>
            <input id="admin_wa" name="admin_wa" type="text" inputmode="tel" required value=v(|t| t.admin_wa.clone()) />
        </div>
        {stops_field(lang, "stops".into(), stops)}
    }
}

/// The stops of a trip or schedule as lines `21:15 Agen Cileunyi`
/// (`domain::Stops::parse_lines`).
pub(crate) fn stops_field(lang: Lang, id: String, lines: String) -> impl IntoView {
    let hint = format!("{id}-hint");
    view! {
        <div class="field field-wide">
            <label for=id.clone()>{lang.t("Titik naik dan turun (boleh kosong)", "Boarding and drop-off points (optional)")}</label>
            <textarea id=id name="stops" rows="4" aria-describedby=hint.clone()
                placeholder="19:00 Terminal Kampung Rambutan\n21:15 Agen Cileunyi\n05:30 Terminal Giwangan">{lines}</textarea>
            <p id=hint class="muted small">{lang.t(
                "Satu titik per baris: jam lalu tempat. Baris pertama pada jam berangkat. Kosongkan bila bus hanya berhenti di kota asal dan tujuan.",
                "One point per line: the time, then the place. The first line is at the departure time. Leave empty when the bus stops only at its two ends.",
            )}</p>
        </div>
    }
}

/// `/admin/trips`: every trip, and a form to add one.
#[component]
pub fn AdminTripsPage() -> impl IntoView {
    let lang = lang();
    let trips = Resource::new(|| (), |_| admin_trips());
    view! {
        <Title text=lang.t("Admin · Perjalanan", "Admin · Trips") />
        <section class="wrap admin">
            <AdminNav current="trips" />
            <h1>{lang.t("Perjalanan", "Trips")}</h1>
            <Suspense>
                {move || trips.get().map(|r| loaded(lang, r, move |initial| view! { <TripsBoard initial /> }))}
            </Suspense>
        </section>
    }
}

/// The trip table and the form that adds a trip (an island: the table
/// shows a new trip as soon as it is saved).
#[island(lazy)]
fn TripsBoard(initial: Vec<TripCard>) -> impl IntoView {
    let lang = lang();
    let trips = RwSignal::new(initial);
    let create = ServerAction::<AdminCreateTrip>::new();
    after_each_action(
        move || create.version().get(),
        move || {
            leptos::task::spawn_local(async move {
                if let Ok(list) = admin_trips().await {
                    trips.set(list);
                }
            })
        },
    );
    let result = move || {
        create.value().get().map(|r| match r {
            Ok(id) => view! {
                <p class="panel success" role="status">
                    {lang.t("Perjalanan dibuat. ", "Trip created. ")}
                    <a href=format!("/admin/trips/{id}")>{lang.t("Buka", "Open it")}</a>
                </p>
            }
            .into_any(),
            Err(e) => {
                view! { <p class="field-error" role="alert">{explain(lang, &e)}</p> }.into_any()
            }
        })
    };
    view! {
        <div class="table-scroll" tabindex="0" role="region" aria-label=lang.t("Daftar perjalanan", "Trip list")>
            <table class="admin-table">
                <thead><tr>
                    <th scope="col">{lang.t("Rute", "Route")}</th>
                    <th scope="col">{lang.t("Berangkat", "Departs")}</th>
                    <th scope="col">{lang.t("Bus", "Bus")}</th>
                    <th scope="col">{lang.t("Harga", "Price")}</th>
                    <th scope="col">{lang.t("Sisa kursi", "Seats left")}</th>
                    <th scope="col">{lang.t("Status", "Status")}</th>
                </tr></thead>
                <tbody>
                    {move || trips.get().into_iter().map(|c| {
                        let t = c.trip.clone();
                        view! {
                            <tr data-testid="admin-trip">
                                <td><a href=format!("/admin/trips/{}", t.id)>{format!("{} → {}", t.route_from, t.route_to)}</a></td>
                                <td>{when(lang, &c)}</td>
                                <td>{bus_label(lang, t.bus_type)}</td>
                                <td>{format_rupiah(t.price)}</td>
                                <td>{format!("{}/{}", t.seats_available, t.seats_total)}</td>
                                <td>{if t.is_active { lang.t("Aktif", "Active") } else { lang.t("Nonaktif", "Inactive") }}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <div class="panel form-panel">
            <h2>{lang.t("Tambah perjalanan", "Add a trip")}</h2>
            <ActionForm action=create attr:class="trip-form">
                {trip_fields(lang, None, String::new())}
                <button type="submit" class="button" disabled=move || create.pending().get()>
                    {lang.t("Simpan perjalanan", "Save trip")}
                </button>
            </ActionForm>
            {result}
        </div>
    }
}

/// `/admin/trips/{id}`: edit, deactivate, the manifest (printable, CSV)
/// and the trip's audit trail.
#[component]
pub fn AdminTripPage() -> impl IntoView {
    let lang = lang();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0));
    let detail = Resource::new(id, admin_trip);
    view! {
        <Title text=lang.t("Admin · Perjalanan", "Admin · Trip") />
        <section class="wrap admin">
            <AdminNav current="trips" />
            <Suspense fallback=move || view! { <p class="muted">{lang.t("Memuat…", "Loading…")}</p> }>
                {move || detail.get().map(|r| loaded(lang, r, move |initial| view! { <TripEditor initial /> }))}
            </Suspense>
        </section>
    }
}

/// A trip's page body (an island): saving or (de)activating shows the trip
/// as the server now has it; the manifest follows boarding at the door
/// live (read again at each of the trip's change events, without touching
/// the edit form).
#[island(lazy)]
fn TripEditor(initial: TripDetail) -> impl IntoView {
    let lang = lang();
    let id = initial.card.trip.id;
    let manifest = RwSignal::new(initial.passengers.clone());
    // By seat, or by boarding point (the order the bus meets them in).
    let by_stop = RwSignal::new(false);
    let detail = RwSignal::new(initial);
    let update = ServerAction::<AdminUpdateTrip>::new();
    let set_active = ServerAction::<AdminSetActive>::new();
    after_each_action(
        move || update.version().get() + set_active.version().get(),
        move || {
            leptos::task::spawn_local(async move {
                if let Ok(d) = admin_trip(id).await {
                    manifest.set(d.passengers.clone());
                    detail.set(d);
                }
            })
        },
    );
    crate::app::follow::follow_trip(id, move || {
        leptos::task::spawn_local(async move {
            if let Ok(list) = admin_manifest(id).await {
                manifest.set(list);
            }
        })
    });
    let update_result = move || {
        update.value().get().map(|r| match r {
            Ok(_) => view! { <p class="panel success" role="status">{lang.t("Tersimpan.", "Saved.")}</p> }.into_any(),
            Err(e) => view! { <p class="field-error" role="alert">{explain(lang, &e)}</p> }.into_any(),
        })
    };
    move || {
        let d = detail.get();
        let t = d.card.trip.clone();
        let tid = t.id;
        let active = t.is_active;
        let has_stops = !t.stops.is_empty();
        view! {
            <h1>{format!("{} → {}", t.route_from, t.route_to)}</h1>
            <p class="muted no-print">{format!("{} · {} · {}", when(lang, &d.card), bus_label(lang, t.bus_type), format_rupiah(t.price))}</p>
            <section class="manifest" aria-labelledby="manifest-title">
                <h2 id="manifest-title">{lang.t("Daftar penumpang", "Passenger manifest")}</h2>
                <p class="print-only">{format!("{} → {} · {}", t.route_from, t.route_to, when(lang, &d.card))}</p>
                <div class="admin-actions no-print">
                    <button type="button" class="button button-quiet" onclick="window.print()">{lang.t("Cetak", "Print")}</button>
                    <a class="button button-quiet" download data-testid="manifest-csv"
                        href=move || format!("/api/admin/trips/{tid}/manifest.csv{}", if by_stop.get() { "?order=stop" } else { "" })>
                        {lang.t("Unduh CSV", "Download CSV")}
                    </a>
                    {has_stops.then(|| view! {
                        <label class="check">
                            <input type="checkbox" data-testid="order-by-stop"
                                prop:checked=move || by_stop.get()
                                on:change=move |ev| by_stop.set(event_target_checked(&ev)) />
                            {lang.t("Urutkan per titik naik", "Order by boarding point")}
                        </label>
                    })}
                </div>
                {move || manifest.with(Vec::is_empty).then(|| view! {
                    <p class="muted" data-testid="manifest-empty">
                        {lang.t("Belum ada penumpang yang memesan atau membayar.", "No passengers have booked or paid yet.")}
                    </p>
                })}
                <div class="table-scroll" tabindex="0" role="region" aria-labelledby="manifest-title"
                    hidden=move || manifest.with(Vec::is_empty)>
                    <table class="admin-table" data-testid="manifest">
                        <thead><tr>
                            <th scope="col">{lang.t("Kursi", "Seat")}</th>
                            <th scope="col">{lang.t("Nama", "Name")}</th>
                            <th scope="col">"WhatsApp"</th>
                            <th scope="col">{lang.t("Kode booking", "Booking code")}</th>
                            <th scope="col">{lang.t("Status", "Status")}</th>
                            {has_stops.then(|| view! { <th scope="col">{lang.t("Naik → turun", "On → off")}</th> })}
                            <th scope="col">{lang.t("Sudah naik", "Boarded")}</th>
                        </tr></thead>
                        <tbody>
                            {move || {
                                let card = detail.with_untracked(|d| d.card.clone());
                                let order = if by_stop.get() { ManifestOrder::Stop } else { ManifestOrder::Seat };
                                let list = Manifest { trip: card.trip.clone(), passengers: manifest.get() }.ordered(order);
                                list.passengers.into_iter().map(|p| view! {
                                <tr>
                                    <td>{p.seat.to_string()}</td>
                                    <td>
                                        {p.name.clone()}
                                        {(p.name != p.contact_name).then(|| view! {
                                            <span class="muted small manifest-contact">{format!("{} {}", lang.t("Pemesan:", "Booked by:"), p.contact_name)}</span>
                                        })}
                                    </td>
                                    <td>{format!("+{}", p.whatsapp)}</td>
                                    <td class="mono">{p.booking_code.map(|c| c.to_string()).unwrap_or_else(|| "—".into())}</td>
                                    <td>{status_label(lang, p.status)}</td>
                                    {has_stops.then(|| view! {
                                        <td class="wrap-cell stops-cell" data-testid="manifest-stops">{match (&p.board, &p.alight) {
                                            (Some(b), Some(a)) => view! {
                                                <span class="cell-line">{format!("{} →", point_text(lang, &card, b))}</span>
                                                " "
                                                <span class="cell-line">{point_text(lang, &card, a)}</span>
                                            }.into_any(),
                                            _ => "—".into_any(),
                                        }}</td>
                                    })}
                                    <td data-testid="boarded-at">{p.boarded_at.map(|at| lang.time(card.local(at))).unwrap_or_else(|| "—".into())}</td>
                                </tr>
                            }).collect_view()}}
                        </tbody>
                    </table>
                </div>
            </section>
            <div class="panel form-panel no-print">
                <h2>{lang.t("Ubah perjalanan", "Edit trip")}</h2>
                <ActionForm action=update attr:class="trip-form">
                    <input type="hidden" name="id" value=tid />
                    {trip_fields(lang, Some(d.card.clone()), d.depart_input.clone())}
                    <button type="submit" class="button">{lang.t("Simpan", "Save")}</button>
                </ActionForm>
                {update_result}
                <button type="button" class="button button-quiet" data-testid="toggle-active"
                    on:click=move |_| { set_active.dispatch(AdminSetActive { id: tid, active: !active }); }>
                    {if active { lang.t("Nonaktifkan perjalanan", "Deactivate trip") } else { lang.t("Aktifkan lagi", "Reactivate trip") }}
                </button>
            </div>
            <details class="panel no-print">
                <summary>{lang.t("Riwayat perubahan", "Audit trail")}</summary>
                {audit_list(lang, d.audit)}
            </details>
        }
    }
}

/// A page's loaded data as its view, or what went wrong, in words.
pub(crate) fn loaded<T, V: IntoView>(
    lang: Lang,
    result: Result<T, AppError>,
    view: impl FnOnce(T) -> V,
) -> impl IntoView {
    match result {
        Ok(value) => Either::Left(view(value)),
        Err(e) => Either::Right(view! { <p class="panel error">{explain(lang, &e)}</p> }),
    }
}
