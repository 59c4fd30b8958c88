//! The pay step's "send the receipt" form: the passenger picks a photo or
//! PDF of the transfer and it goes to `POST /api/hold/receipts/` as it is
//! (the server judges it by its content and cleans it). A refusal is
//! explained in place; the count of receipts sent stays on the page.

use leptos::prelude::*;

use crate::app::i18n::{Lang, use_lang};

#[component]
pub fn ReceiptUpload(sent: usize) -> impl IntoView {
    let lang = use_lang();
    let input = NodeRef::<leptos::html::Input>::new();
    let sent = RwSignal::new(sent);
    let just_sent = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        #[cfg(feature = "hydrate")]
        {
            let Some(el) = input.get() else {
                return;
            };
            let Some(file) = el.files().and_then(|f| f.get(0)) else {
                error.set(Some(
                    lang.t(
                        "Pilih dulu foto atau PDF bukti transfer.",
                        "Choose a photo or PDF of the receipt first.",
                    )
                    .into(),
                ));
                return;
            };
            use crate::app::components::explain;
            if file.size() > crate::domain::receipt::MAX_RECEIPT_BYTES as f64 {
                error.set(Some(explain(
                    lang,
                    &crate::domain::AppError::PayloadTooLarge,
                )));
                return;
            }
            busy.set(true);
            error.set(None);
            just_sent.set(false);
            leptos::task::spawn_local(async move {
                match crate::app::upload::post_file("/api/hold/receipts/", &file).await {
                    Ok(_) => {
                        sent.update(|n| *n += 1);
                        just_sent.set(true);
                        el.set_value("");
                    }
                    Err(e) => error.set(Some(explain(lang, &e))),
                }
                busy.set(false);
            });
        }
    };
    view! {
        <form class="receipt-upload" on:submit=submit aria-labelledby="receipt-title">
            <h3 id="receipt-title">{lang.t("Sudah transfer? Kirim buktinya", "Paid? Send the receipt")}</h3>
            <p class="small muted" id="receipt-help">
                {lang.t(
                    "Foto atau tangkapan layar bukti transfer (JPEG, PNG, WebP) atau PDF, paling besar 5 MB. Hanya admin yang bisa melihatnya.",
                    "A photo or screenshot of the transfer receipt (JPEG, PNG, WebP) or a PDF, at most 5 MB. Only the admin can see it.",
                )}
            </p>
            <div class="field">
                <label for="receipt-file">{lang.t("Bukti transfer", "Transfer receipt")}</label>
                <input id="receipt-file" name="receipt" type="file" node_ref=input
                    accept="image/jpeg,image/png,image/webp,application/pdf"
                    aria-describedby="receipt-help receipt-error" data-testid="receipt-file" />
            </div>
            <p id="receipt-error" class="field-error" role="alert">{move || error.get()}</p>
            <button type="submit" class="button button-quiet" disabled=move || busy.get() data-testid="send-receipt">
                {move || if busy.get() {
                    lang.t("Mengirim…", "Sending…")
                } else {
                    lang.t("Kirim bukti transfer", "Send the receipt")
                }}
            </button>
            <p class="receipt-status" role="status" data-testid="receipt-status">
                {move || status(lang, sent.get(), just_sent.get())}
            </p>
        </form>
    }
}

fn status(lang: Lang, sent: usize, just_sent: bool) -> Option<String> {
    match (lang, sent, just_sent) {
        (_, 0, _) => None,
        (Lang::Id, _, true) => Some(
            "Bukti transfer terkirim. Admin akan memeriksanya dan mengonfirmasi pesanan Anda."
                .into(),
        ),
        (Lang::En, _, true) => {
            Some("Receipt sent. The admin will check it and confirm your booking.".into())
        }
        (Lang::Id, n, false) => Some(format!("{n} bukti transfer sudah terkirim.")),
        (Lang::En, 1, false) => Some("1 receipt sent.".into()),
        (Lang::En, n, false) => Some(format!("{n} receipts sent.")),
    }
}
