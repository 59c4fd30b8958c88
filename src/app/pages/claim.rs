//! `/claim`: restore a hold on this device from its claim code.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::app::components::explain;
use crate::app::i18n::use_lang;
use leptos::server::ServerActionError;
use leptos::server_fn::ServerFn;
use leptos::server_fn::error::ServerFnUrlError;
use leptos::task::spawn_local;

use crate::domain::AppError;
use crate::server_fns::trip::{ClaimHold, claim_hold};

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
                <ClaimForm refused=refused_without_js() />
            </div>
        </section>
    }
}

/// The refusal of a claim posted without JavaScript: the server function
/// redirected back here with it (read on the server, passed to the island).
fn refused_without_js() -> Option<String> {
    let lang = use_lang();
    use_context::<ServerActionError>()
        .filter(|e| e.path() == ClaimHold::PATH)
        .map(|e| explain(lang, &ServerFnUrlError::<AppError>::decode_err(e.err())))
}

/// The claim form (an island). Without JavaScript it is a plain form post
/// to the server function, which redirects to the trip (or back here with
/// the error); in the island a submit calls it in place and shows a refusal
/// without reloading.
#[island]
fn ClaimForm(refused: Option<String>) -> impl IntoView {
    let lang = use_lang();
    let code = NodeRef::<leptos::html::Input>::new();
    let pending = RwSignal::new(false);
    let error = RwSignal::new(refused);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        let Some(input) = code.get() else {
            return;
        };
        ev.prevent_default();
        pending.set(true);
        spawn_local(async move {
            match claim_hold(input.value()).await {
                Ok(trip_id) => {
                    let _ = window().location().set_href(&format!("/trips/{trip_id}"));
                }
                Err(e) => {
                    error.set(Some(explain(lang, &e)));
                    pending.set(false);
                }
            }
        });
    };
    view! {
        <form method="post" action=ClaimHold::url() on:submit=submit>
            <div class="field">
                <label for="claim-code">{lang.t("Kode klaim", "Claim code")}</label>
                <input id="claim-code" name="claim_code" type="text" required node_ref=code
                    autocomplete="off" autocapitalize="characters" spellcheck="false"
                    placeholder="A1B2-C3D4" maxlength="20"
                    aria-describedby="claim-error" />
            </div>
            <p id="claim-error" class="field-error" role="alert">{move || error.get()}</p>
            <button type="submit" class="button" disabled=move || pending.get()>
                {lang.t("Pulihkan", "Restore")}
            </button>
        </form>
    }
}
