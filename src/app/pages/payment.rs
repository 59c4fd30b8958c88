//! `/admin/payment`: the bank accounts passengers transfer to and the QRIS
//! code they may scan. The pay step of every hold lists them under the
//! exact amount; an admin adds an account with its bank, number and holder,
//! and retires one that should no longer be used (its record stays, with
//! who retired it); the QRIS image is uploaded, replaced or removed.

use leptos::prelude::*;
use leptos_meta::Title;

use super::admin::{AdminNav, loaded};
use crate::app::components::explain;
use crate::app::i18n::use_lang;
use crate::domain::{MAX_PAYMENT_ACCOUNTS, PaymentAccount};
use crate::server_fns::admin::{
    AdminAddPaymentAccount, AdminRetirePaymentAccount, admin_payment_accounts,
};

#[component]
pub fn AdminPaymentPage() -> impl IntoView {
    let lang = use_lang();
    let accounts = Resource::new(|| (), |_| admin_payment_accounts());
    view! {
        <Title text=lang.t("Admin · Rekening", "Admin · Bank accounts") />
        <section class="wrap admin">
            <AdminNav current="payment" />
            <h1>{lang.t("Rekening pembayaran", "Payment accounts")}</h1>
            <p class="muted">
                {lang.t(
                    "Penumpang melihat rekening ini di bawah jumlah yang harus ditransfer.",
                    "Passengers see these accounts under the amount to transfer.",
                )}
            </p>
            <Suspense>
                {move || accounts.get().map(|r| loaded(lang, r, move |pay| view! {
                    <AccountsBoard initial=pay.accounts />
                    <QrisBoard version=pay.qris />
                }))}
            </Suspense>
        </section>
    }
}

/// The accounts and the form that adds one (an island: both answer with
/// the accounts as they now are, which the list shows).
#[island(lazy)]
fn AccountsBoard(initial: Vec<PaymentAccount>) -> impl IntoView {
    let lang = use_lang();
    let accounts = RwSignal::new(initial);
    let add = ServerAction::<AdminAddPaymentAccount>::new();
    let retire = ServerAction::<AdminRetirePaymentAccount>::new();
    let error = RwSignal::new(None::<String>);
    let added = RwSignal::new(false);
    Effect::new(move |_| match add.value().get() {
        Some(Ok(list)) => {
            accounts.set(list);
            error.set(None);
            added.set(true);
        }
        Some(Err(e)) => {
            error.set(Some(explain(lang, &e)));
            added.set(false);
        }
        None => {}
    });
    Effect::new(move |_| match retire.value().get() {
        Some(Ok(list)) => {
            accounts.set(list);
            error.set(None);
        }
        Some(Err(e)) => error.set(Some(explain(lang, &e))),
        None => {}
    });
    let full = move || accounts.with(|a| a.len() >= MAX_PAYMENT_ACCOUNTS);
    view! {
        {move || if accounts.with(Vec::is_empty) {
            view! {
                <p class="panel" data-testid="no-accounts">
                    {lang.t(
                        "Belum ada rekening. Tanpa rekening, penumpang hanya diminta membayar lewat WhatsApp.",
                        "No account yet. Without one, passengers are only asked to pay over WhatsApp.",
                    )}
                </p>
            }.into_any()
        } else {
            view! {
                <ul class="account-list">
                    {accounts.get().into_iter().map(|a| {
                        let id = a.id;
                        view! {
                            <li class="panel" data-testid="admin-account">
                                <div>
                                    <p class="account-bank">{a.bank.clone()}</p>
                                    <p class="account-number">{a.grouped_number()}</p>
                                    <p class="account-holder">{lang.t("a.n. ", "name: ")}{a.holder.clone()}</p>
                                </div>
                                <button type="button" class="button button-small button-quiet"
                                    disabled=move || retire.pending().get()
                                    on:click=move |_| { retire.dispatch(AdminRetirePaymentAccount { id }); }>
                                    {lang.t("Hapus", "Retire")}
                                    <span class="sr-only">{format!(" {} {}", a.bank, a.grouped_number())}</span>
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
        <p class="field-error" role="alert">{move || error.get()}</p>
        <div class="panel form-panel">
            <h2>{lang.t("Tambah rekening", "Add an account")}</h2>
            <ActionForm action=add attr:class="account-form">
                <div class="field">
                    <label for="bank">{lang.t("Bank", "Bank")}</label>
                    <input id="bank" name="bank" type="text" required maxlength="40" placeholder="BCA" autocomplete="off" />
                </div>
                <div class="field">
                    <label for="number">{lang.t("Nomor rekening", "Account number")}</label>
                    <input id="number" name="number" type="text" inputmode="numeric" required maxlength="40" autocomplete="off" />
                </div>
                <div class="field">
                    <label for="holder">{lang.t("Atas nama", "Account holder")}</label>
                    <input id="holder" name="holder" type="text" required maxlength="80" autocomplete="off" />
                </div>
                <button type="submit" class="button" disabled=move || add.pending().get() || full()>
                    {lang.t("Simpan rekening", "Save account")}
                </button>
            </ActionForm>
            {move || full().then(|| view! {
                <p class="muted small">{lang.t(
                    "Sudah penuh: hapus satu rekening sebelum menambah.",
                    "Full: retire an account before adding one.",
                )}</p>
            })}
            <p class="muted" role="status" data-testid="account-saved">
                {move || added.get().then(|| lang.t("Rekening disimpan.", "Account saved."))}
            </p>
        </div>
    }
}

/// The QRIS image: what passengers see, a form that uploads a new one (the
/// browser sends the file to `POST /api/admin/payment-qris/`, which cleans
/// it), and a button that stops showing it.
#[island(lazy)]
fn QrisBoard(version: Option<String>) -> impl IntoView {
    let lang = use_lang();
    let version = RwSignal::new(version);
    let input = NodeRef::<leptos::html::Input>::new();
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<&'static str>);
    let upload = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        #[cfg(feature = "hydrate")]
        {
            let Some(file) = input.get().and_then(|el| el.files()).and_then(|f| f.get(0)) else {
                error.set(Some(
                    lang.t("Pilih dulu gambar QRIS.", "Choose the QRIS image first.")
                        .into(),
                ));
                return;
            };
            busy.set(true);
            error.set(None);
            leptos::task::spawn_local(async move {
                match crate::app::upload::post_file("/api/admin/payment-qris/", &file).await {
                    Ok(body) => {
                        let v = serde_json::from_str::<serde_json::Value>(&body)
                            .ok()
                            .and_then(|b| b["version"].as_str().map(str::to_string));
                        version.set(v);
                        done.set(Some(lang.t("QRIS disimpan.", "QRIS saved.")));
                        if let Some(el) = input.get() {
                            el.set_value("");
                        }
                    }
                    Err(e) => error.set(Some(explain(lang, &e))),
                }
                busy.set(false);
            });
        }
    };
    let remove = move |_| {
        #[cfg(feature = "hydrate")]
        {
            busy.set(true);
            leptos::task::spawn_local(async move {
                match crate::app::upload::post_empty("/api/admin/payment-qris/retire/").await {
                    Ok(()) | Err(crate::domain::AppError::NotFound) => {
                        version.set(None);
                        done.set(Some(
                            lang.t("QRIS tidak ditampilkan lagi.", "QRIS no longer shown."),
                        ));
                    }
                    Err(e) => error.set(Some(explain(lang, &e))),
                }
                busy.set(false);
            });
        }
    };
    view! {
        <div class="panel form-panel qris-board">
            <h2>{lang.t("QRIS", "QRIS")}</h2>
            {move || match version.get() {
                Some(v) => view! {
                    <figure class="qris" data-testid="admin-qris">
                        <img src=format!("/api/payment-qris/?v={v}") width="240" height="240"
                            alt=lang.t("QRIS yang dilihat penumpang", "The QRIS passengers see") />
                    </figure>
                    <button type="button" class="button button-small button-quiet" on:click=remove
                        disabled=move || busy.get()>
                        {lang.t("Hapus QRIS", "Remove QRIS")}
                    </button>
                }.into_any(),
                None => view! {
                    <p class="muted" data-testid="no-qris">{lang.t(
                        "Belum ada QRIS. Unggah gambar QRIS statis operator agar penumpang bisa memindainya.",
                        "No QRIS yet. Upload the operator's static QRIS image so passengers can scan it.",
                    )}</p>
                }.into_any(),
            }}
            <form on:submit=upload class="qris-form">
                <div class="field">
                    <label for="qris-file">{lang.t("Gambar QRIS (JPEG, PNG atau WebP)", "QRIS image (JPEG, PNG or WebP)")}</label>
                    <input id="qris-file" type="file" node_ref=input accept="image/jpeg,image/png,image/webp"
                        aria-describedby="qris-error" data-testid="qris-file" />
                </div>
                <p id="qris-error" class="field-error" role="alert">{move || error.get()}</p>
                <button type="submit" class="button" disabled=move || busy.get()>
                    {move || if version.with(Option::is_some) {
                        lang.t("Ganti QRIS", "Replace QRIS")
                    } else {
                        lang.t("Unggah QRIS", "Upload QRIS")
                    }}
                </button>
            </form>
            <p class="muted" role="status" data-testid="qris-saved">{move || done.get()}</p>
        </div>
    }
}
