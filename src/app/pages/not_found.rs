//! The 404 page, with the right HTTP status on the server.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::app::i18n::use_lang;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
            resp.set_status(axum::http::StatusCode::NOT_FOUND);
        }
    }
    let lang = use_lang();
    view! {
        <Title text=lang.t("Halaman tidak ditemukan", "Page not found") />
        <section class="panel empty">
            <h1>{lang.t("Halaman tidak ditemukan", "Page not found")}</h1>
            <p>{lang.t("Alamat ini tidak ada di Kursi.", "This address does not exist on Kursi.")}</p>
            <a class="button" href="/">{lang.t("Lihat jadwal", "See departures")}</a>
        </section>
    }
}
