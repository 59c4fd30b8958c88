//! `/claim`: restore a hold on this device from its claim code.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::app::components::explain;
use crate::app::i18n::Lang;
use crate::server_fns::trip::ClaimHold;

#[component]
pub fn ClaimPage() -> impl IntoView {
    let lang = use_context::<Lang>().unwrap_or_default();
    let action = ServerAction::<ClaimHold>::new();
    let error = move || {
        action
            .value()
            .get()
            .and_then(|r| r.err())
            .map(|e| explain(lang, &e))
    };
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
            </div>
        </section>
    }
}
