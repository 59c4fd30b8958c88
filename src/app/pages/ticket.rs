//! `/ticket/{booking_code}`: a booking for whoever gives its WhatsApp number,
//! with a QR code of the booking code for boarding. The number is asked with
//! a plain GET form, so the page works without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::app::components::{PassengerList, bus_label, explain, points_facts};
use crate::app::i18n::use_lang;
use crate::domain::{HoldStatus, format_rupiah};
use crate::server_fns::trip::find_ticket;

#[component]
pub fn TicketPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let query = use_query_map();
    let code = move || params.with(|p| p.get("code").unwrap_or_default());
    let wa = move || query.with(|q| q.get("wa").filter(|w| !w.trim().is_empty()));
    let ticket = Resource::new(
        move || (code(), wa()),
        |(code, wa)| async move {
            match wa {
                Some(wa) => Some(find_ticket(code, wa).await),
                None => None,
            }
        },
    );
    view! {
        <Title text=lang.t("Tiket", "Ticket") />
        <section class="wrap narrow">
            <Suspense fallback=move || view! { <p class="muted">{lang.t("Memuat…", "Loading…")}</p> }>
                {move || ticket.get().map(|t| match t {
                    Some(Ok(t)) => {
                        let b = t.booking;
                        let cancelled = b.status == HoldStatus::Cancelled;
                        let seats = b.seats.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(", ");
                        view! {
                            <article class="panel ticket" data-testid="ticket">
                                <p class="muted">{lang.t("Kode booking", "Booking code")}</p>
                                <h1 class="booking-code">{b.booking_code.to_string()}</h1>
                                {cancelled.then(|| view! { <p class="panel error">{lang.t("Pesanan ini dibatalkan.", "This booking was cancelled.")}</p> })}
                                <div class="qr" role="img" aria-label=format!("QR {}", b.booking_code) inner_html=t.qr_svg></div>
                                <dl class="facts">
                                    <dt>{lang.t("Perjalanan", "Trip")}</dt>
                                    <dd>{format!("{} → {}", b.trip.route_from, b.trip.route_to)}</dd>
                                    <dt>{lang.t("Berangkat", "Departs")}</dt>
                                    <dd>{format!("{} · {} {}", lang.date(t.card.depart_local), lang.time(t.card.depart_local), t.card.tz_abbr)}</dd>
                                    <dt>{lang.t("Bus", "Bus")}</dt>
                                    <dd>{bus_label(lang, b.trip.bus_type)}</dd>
                                    {points_facts(lang, &t.card, b.board.as_ref(), b.alight.as_ref())}
                                    <dt>{lang.t("Kursi", "Seats")}</dt>
                                    <dd data-testid="ticket-seats">{seats}</dd>
                                    <dt>{lang.t("Penumpang", "Passengers")}</dt>
                                    <dd><PassengerList passengers=b.passengers.clone() /></dd>
                                    <dt>{lang.t("Pemesan", "Booked by")}</dt>
                                    <dd>{b.name.clone()}</dd>
                                    <dt>{lang.t("Total", "Total")}</dt>
                                    <dd>{format_rupiah(b.amount)}</dd>
                                </dl>
                                <p class="muted small">{lang.t("Tunjukkan kode QR ini saat naik bus.", "Show this QR code when boarding.")}</p>
                            </article>
                        }.into_any()
                    }
                    other => {
                        let error = match other {
                            Some(Err(e)) => Some(explain(lang, &e)),
                            _ => None,
                        };
                        view! {
                            <div class="panel form-panel">
                                <h1>{lang.t("Lihat tiket", "View ticket")}</h1>
                                <p class="muted">{lang.t("Masukkan nomor WhatsApp yang dipakai saat memesan.", "Enter the WhatsApp number used for the booking.")}</p>
                                <Form method="GET" action="">
                                    <div class="field">
                                        <label for="ticket-wa">{lang.t("Nomor WhatsApp", "WhatsApp number")}</label>
                                        <input id="ticket-wa" name="wa" type="tel" inputmode="tel" required placeholder="0812 3456 7890" />
                                    </div>
                                    <p class="field-error" role="alert">{error}</p>
                                    <button type="submit" class="button">{lang.t("Tampilkan tiket", "Show ticket")}</button>
                                </Form>
                            </div>
                        }.into_any()
                    }
                })}
            </Suspense>
        </section>
    }
}
