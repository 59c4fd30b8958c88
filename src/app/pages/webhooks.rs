//! `/admin/webhooks`: where the operator's other systems are told of
//! contacts, bookings, cancellations and expiries. An admin registers an
//! address (its signing secret is shown once, then never again), sees each
//! delivery's state, sends one again, and retires an address.

use leptos::prelude::*;
use leptos_meta::Title;

use super::admin::{AdminNav, loaded};
use crate::app::components::explain;
use crate::app::i18n::{Lang, use_lang};
use crate::domain::webhook::{DeliveryStatus, WebhookEvent};
use crate::server_fns::webhooks::{
    AdminAddWebhook, AdminResendWebhook, AdminRetireWebhook, WebhooksView, admin_webhooks,
};

#[component]
pub fn AdminWebhooksPage() -> impl IntoView {
    let lang = use_lang();
    let data = Resource::new(|| (), |_| admin_webhooks());
    view! {
        <Title text=lang.t("Admin · Webhook", "Admin · Webhooks") />
        <section class="wrap admin">
            <AdminNav current="webhooks" />
            <h1>{lang.t("Webhook", "Webhooks")}</h1>
            <p class="muted">
                {lang.t(
                    "Kursi mengirim kabar (kontak diisi, pembayaran dikonfirmasi, pesanan dibatalkan, waktu habis) ke alamat ini, ditandatangani dengan rahasianya.",
                    "Kursi posts news (contact given, payment confirmed, booking cancelled, time ran out) to these addresses, signed with their secret.",
                )}
            </p>
            <Suspense>
                {move || data.get().map(|r| loaded(lang, r, move |initial| view! { <WebhooksBoard initial /> }))}
            </Suspense>
        </section>
    }
}

fn event_label(lang: Lang, e: WebhookEvent) -> &'static str {
    match e {
        WebhookEvent::ContactAttached => lang.t("Kontak diisi", "Contact given"),
        WebhookEvent::BookingConfirmed => lang.t("Pembayaran dikonfirmasi", "Payment confirmed"),
        WebhookEvent::BookingCancelled => lang.t("Pesanan dibatalkan", "Booking cancelled"),
        WebhookEvent::HoldExpired => lang.t("Waktu habis", "Time ran out"),
    }
}

fn status_label(lang: Lang, s: DeliveryStatus) -> (&'static str, &'static str) {
    match s {
        DeliveryStatus::Pending => (lang.t("Menunggu", "Pending"), "status-held"),
        DeliveryStatus::Delivered => (lang.t("Terkirim", "Delivered"), "status-booked"),
        DeliveryStatus::Failed => (lang.t("Gagal", "Failed"), "status-expired"),
    }
}

/// The endpoints, the form that adds one, and the deliveries (an island:
/// every action answers with the page's data as it now is).
#[island(lazy)]
fn WebhooksBoard(initial: WebhooksView) -> impl IntoView {
    let lang = use_lang();
    let data = RwSignal::new(initial);
    let add = ServerAction::<AdminAddWebhook>::new();
    let retire = ServerAction::<AdminRetireWebhook>::new();
    let resend = ServerAction::<AdminResendWebhook>::new();
    let error = RwSignal::new(None::<String>);
    let answer = move |result: Option<Result<WebhooksView, crate::domain::AppError>>| match result {
        Some(Ok(view)) => {
            data.set(view);
            error.set(None);
        }
        Some(Err(e)) => error.set(Some(explain(lang, &e))),
        None => {}
    };
    Effect::new(move |_| answer(add.value().get()));
    Effect::new(move |_| answer(retire.value().get()));
    Effect::new(move |_| answer(resend.value().get()));
    let busy = move || add.pending().get() || retire.pending().get() || resend.pending().get();
    view! {
        {move || data.with(|d| d.new_secret.clone()).map(|secret| view! {
            <div class="panel secret-panel" role="status" data-testid="webhook-secret">
                <p><strong>{lang.t("Rahasia penandatangan", "Signing secret")}</strong></p>
                <p class="mono secret">{secret}</p>
                <p class="small">{lang.t(
                    "Simpan sekarang di sistem penerima: rahasia ini tidak ditampilkan lagi.",
                    "Keep it in the receiving system now: it is not shown again.",
                )}</p>
            </div>
        })}
        <h2>{lang.t("Alamat", "Addresses")}</h2>
        {move || if data.with(|d| d.endpoints.is_empty()) {
            view! {
                <p class="panel" data-testid="no-webhooks">
                    {lang.t("Belum ada alamat webhook.", "No webhook address yet.")}
                </p>
            }.into_any()
        } else {
            view! {
                <ul class="account-list">
                    {data.get().endpoints.into_iter().map(|e| {
                        let id = e.id;
                        view! {
                            <li class="panel" data-testid="webhook-endpoint">
                                <div>
                                    <p class="mono webhook-url">{e.url.clone()}</p>
                                    <p class="muted small">{lang.t("ditambahkan oleh ", "added by ")}{e.added_by.clone()}</p>
                                </div>
                                <button type="button" class="button button-small button-quiet"
                                    disabled=busy
                                    on:click=move |_| { retire.dispatch(AdminRetireWebhook { id }); }>
                                    {lang.t("Hentikan", "Retire")}
                                    <span class="sr-only">{format!(" {}", e.url)}</span>
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
        <p class="field-error" role="alert">{move || error.get()}</p>
        <div class="panel form-panel">
            <h2>{lang.t("Tambah alamat", "Add an address")}</h2>
            <ActionForm action=add>
                <div class="field">
                    <label for="webhook-url">{lang.t("Alamat (URL)", "Address (URL)")}</label>
                    <input id="webhook-url" name="url" type="url" required maxlength="500"
                        placeholder="https://" autocomplete="off" />
                </div>
                <button type="submit" class="button" disabled=busy>
                    {lang.t("Simpan alamat", "Save address")}
                </button>
            </ActionForm>
        </div>
        <h2>{lang.t("Pengiriman terakhir", "Latest deliveries")}</h2>
        {move || if data.with(|d| d.deliveries.is_empty()) {
            view! { <p class="panel">{lang.t("Belum ada pengiriman.", "Nothing sent yet.")}</p> }.into_any()
        } else {
            view! {
                <ul class="delivery-list" data-testid="webhook-deliveries">
                    {data.get().deliveries.into_iter().map(|line| {
                        let d = line.delivery;
                        let id = d.id;
                        let (label, class) = status_label(lang, d.status);
                        let last = match (d.last_status, d.last_error.clone()) {
                            (Some(code), _) => format!("HTTP {code}"),
                            (None, Some(why)) => why,
                            (None, None) => "—".to_string(),
                        };
                        view! {
                            <li class="panel" data-testid="webhook-delivery">
                                <div class="delivery-head">
                                    <p>
                                        <strong>{event_label(lang, d.event)}</strong>
                                        " "<span class="muted small mono">{d.event.as_str()}</span>
                                    </p>
                                    <span class=format!("badge {class}") data-testid="webhook-status">{label}</span>
                                </div>
                                <p class="muted small">
                                    {format!("{} {} {}", lang.date(line.created_local), lang.time(line.created_local), line.tz_abbr)}
                                    {format!(" · {} {} · {} {}", lang.t("percobaan", "attempts"), d.attempts, lang.t("jawaban terakhir", "last answer"), last)}
                                </p>
                                <button type="button" class="button button-small button-quiet"
                                    disabled=busy
                                    on:click=move |_| { resend.dispatch(AdminResendWebhook { id }); }>
                                    {lang.t("Kirim ulang", "Send again")}
                                    <span class="sr-only">{format!(" #{id}")}</span>
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
    }
}
