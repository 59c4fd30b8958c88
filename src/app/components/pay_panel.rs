//! What a passenger with contact attached needs to pay: the exact amount to
//! transfer (its last digits are the hold's unique code, so the operator
//! knows whose transfer it is), a button that copies it, the operator's bank
//! accounts (each number copyable too) and QRIS code, the claim code, the
//! WhatsApp button to the admin, and the form that sends the receipt.

use leptos::prelude::*;

use crate::app::i18n::use_lang;
use crate::domain::{PayTo, format_rupiah};
use crate::server_fns::trip::SeatMapView;

/// The pay step of the trip page (inside its island).
#[component]
pub fn PayPanel(state: RwSignal<SeatMapView>, pay: PayTo) -> impl IntoView {
    let PayTo { accounts, qris } = pay;
    let lang = use_lang();
    // Drawn again only when something it shows changes: not at every
    // refresh of the map (the time left changes each time), which would
    // drop a receipt the passenger has chosen and not sent yet.
    let hold = Memo::new(move |_| {
        state.with(|v| {
            v.hold.clone().map(|mut h| {
                h.expires_in_ms = 0;
                h
            })
        })
    });
    let copied = RwSignal::new(false);
    // Which account's number was copied last (its id).
    let copied_number = RwSignal::new(None::<i64>);
    view! {
        {move || hold.get().map(|h| {
            let accounts = accounts.clone();
            let qris = qris.clone();
            let code = h.claim_code.map(|c| c.to_string()).unwrap_or_default();
            let url = h.whatsapp_url.unwrap_or_default();
            let amount = h.amount_due;
            let receipts_sent = h.receipts_sent;
            let copy = move |_| {
                #[cfg(feature = "hydrate")]
                {
                    let _ = window().navigator().clipboard().write_text(&amount.to_string());
                }
                copied.set(true);
                copied_number.set(None);
            };
            view! {
                <div class="pay">
                    <p class="muted" id="amount-label">{lang.t("Transfer tepat sejumlah", "Transfer exactly")}</p>
                    <p class="amount" data-testid="amount-due" aria-labelledby="amount-label">{format_rupiah(amount)}</p>
                    {h.unique_code.map(|unique| view! {
                        <p class="small">
                            {match lang {
                                crate::app::i18n::Lang::Id => format!(
                                    "Termasuk kode unik {unique:03} di tiga angka terakhir, agar transfer Anda langsung dikenali. Mohon jangan dibulatkan."
                                ),
                                crate::app::i18n::Lang::En => format!(
                                    "It includes the unique code {unique:03} in the last three digits, so your transfer is recognised at once. Please do not round it."
                                ),
                            }}
                        </p>
                    })}
                    <button type="button" class="button button-quiet copy" on:click=copy data-testid="copy-amount">
                        {move || if copied.get() {
                            lang.t("Jumlah tersalin", "Amount copied")
                        } else {
                            lang.t("Salin jumlah", "Copy amount")
                        }}
                    </button>
                    <p class="sr-only" role="status" aria-live="polite">
                        {move || copied.get().then(|| lang.t("Jumlah tersalin", "Amount copied"))}
                    </p>
                    {(!accounts.is_empty()).then(|| view! {
                        <h3 class="accounts-title">{lang.t("Transfer ke salah satu rekening ini", "Transfer to one of these accounts")}</h3>
                        <ul class="accounts">
                            {accounts.into_iter().map(|a| {
                                let (id, number) = (a.id, a.number.clone());
                                let copy_number = move |_| {
                                    #[cfg(feature = "hydrate")]
                                    {
                                        let _ = window().navigator().clipboard().write_text(&number);
                                    }
                                    #[cfg(not(feature = "hydrate"))]
                                    let _ = &number;
                                    copied_number.set(Some(id));
                                    copied.set(false);
                                };
                                view! {
                                    <li data-testid="payment-account">
                                        <span class="account-bank">{a.bank.clone()}</span>
                                        <span class="account-number" data-testid="account-number">{a.grouped_number()}</span>
                                        <span class="account-holder">{lang.t("a.n. ", "name: ")}{a.holder.clone()}</span>
                                        <button type="button" class="button button-small button-quiet" on:click=copy_number data-testid="copy-account">
                                            {move || if copied_number.get() == Some(id) {
                                                lang.t("Nomor tersalin", "Number copied")
                                            } else {
                                                lang.t("Salin nomor", "Copy number")
                                            }}
                                            <span class="sr-only">{format!(" {}", a.bank)}</span>
                                        </button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    })}
                    <p class="sr-only" role="status" aria-live="polite">
                        {move || copied_number.get().map(|_| lang.t("Nomor rekening tersalin", "Account number copied"))}
                    </p>
                    {qris.map(|version| view! {
                        <figure class="qris" data-testid="qris">
                            <img src=format!("/api/payment-qris/?v={version}") width="240" height="240"
                                alt=lang.t("Kode QRIS operator untuk membayar", "The operator's QRIS code to pay with") />
                            <figcaption class="small">
                                {lang.t(
                                    "Atau pindai QRIS ini dengan aplikasi bank atau e-wallet, lalu isi jumlah tepat di atas.",
                                    "Or scan this QRIS with a banking or e-wallet app, then enter the exact amount above.",
                                )}
                            </figcaption>
                        </figure>
                    })}
                    <p class="muted">{lang.t("Kode klaim Anda", "Your claim code")}</p>
                    <p class="claim-code" data-testid="claim-code">{code}</p>
                    <p>
                        {lang.t("Bayar ke admin di WhatsApp ", "Pay the admin on WhatsApp at ")}
                        <strong>"+" {h.admin_wa.clone()}</strong>
                        {lang.t(". Sebutkan kode klaim ini. Kode ini juga memulihkan pesanan di perangkat lain.", ". Mention this claim code. It also restores the hold on another device.")}
                    </p>
                    <a class="button whatsapp" href=url target="_blank" rel="noopener external" data-testid="whatsapp-link">
                        {lang.t("Bayar lewat WhatsApp", "Pay over WhatsApp")}
                    </a>
                    <crate::app::components::ReceiptUpload sent=receipts_sent />
                </div>
            }
        })}
    }
}
