//! `/claim`: restore a hold on this device from its claim code.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::app::components::explain;
use crate::app::i18n::use_lang;
use crate::server_fns::trip::ClaimHold;

#[component]
pub fn ClaimPage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Title text=lang.t("Pulihkan pesanan", "Restore a hold") />
        <section class="wrap narrow">
            <div class="panel form-panel">
                <h1>{lang.t("Pulihkan pesanan", "Restore a hold")}</h1>
                <p class="muted">
                    {lang.t(
                        "Ganti HP atau cookie terhapus? Masukkan kode klaim (misalnya A1B2-C3D4) untuk melanjutkan pesanan di perangkat ini.",
                        "New phone or lost cookies? Enter your claim code (such as A1B2-C3D4) to continue the hold on this device.",
                    )}
                </p>
                <ClaimForm />
            </div>
        </section>
    }
}

/// The claim form (an island): posts to the server function, which answers
/// with a redirect to the trip; without JavaScript it is a plain form post.
#[island]
fn ClaimForm() -> impl IntoView {
    let lang = use_lang();
    let action = ServerAction::<ClaimHold>::new();
    let error = move || {
        action
            .value()
            .get()
            .and_then(|r| r.err())
            .map(|e| explain(lang, &e))
    };
    view! {
        <ActionForm action>
            <div class="field">
                <label for="claim-code">{lang.t("Kode klaim", "Claim code")}</label>
                <input id="claim-code" name="claim_code" type="text" required
                    autocomplete="off" autocapitalize="characters" spellcheck="false"
                    placeholder="A1B2-C3D4" maxlength="20"
                    aria-describedby="claim-error" />
            </div>
            <p id="claim-error" class="field-error" role="alert">{error}</p>
            <button type="submit" class="button" disabled=move || action.pending().get()>
                {lang.t("Pulihkan", "Restore")}
            </button>
        </ActionForm>
    }
}
