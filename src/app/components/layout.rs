//! The header (brand and language switch) and the footer.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::app::i18n::{Lang, use_lang};

#[component]
pub fn Header() -> impl IntoView {
    let lang = use_lang();
    let location = use_location();
    // The switch is a plain link to a server route that sets the cookie and
    // comes back here, so it works before (and without) hydration.
    let switch_href = move || {
        let search = location.search.get();
        let path = location.pathname.get();
        let back = match search.trim_start_matches('?') {
            "" => path,
            q => format!("{path}?{q}"),
        };
        format!("/lang/{}?next={}", lang.other().code(), urlencode(&back))
    };
    view! {
        <a class="skip-link" href="#main">{lang.t("Langsung ke isi", "Skip to content")}</a>
        <header class="site-header">
            <div class="wrap header-row">
                <a class="brand" href="/" aria-label=lang.t("Kursi, beranda", "Kursi, home")>
                    <span class="brand-mark" aria-hidden="true">"K"</span>
                    <span class="brand-name">"Kursi"</span>
                </a>
                <nav aria-label=lang.t("Utama", "Main") class="header-nav">
                    <a href="/claim">{lang.t("Pulihkan pesanan", "Restore a hold")}</a>
                    <a
                        class="lang-switch"
                        rel="external"
                        href=switch_href
                        hreflang=lang.other().code()
                        lang=lang.other().code()
                        data-testid="lang-switch"
                    >
                        {lang.t("English", "Bahasa Indonesia")}
                    </a>
                </nav>
            </div>
        </header>
    }
}

/// Percent-encodes a path for a query parameter.
fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[component]
pub fn Footer() -> impl IntoView {
    let lang = use_lang();
    view! {
        <footer class="site-footer">
            <div class="wrap">
                <p>
                    {match lang {
                        Lang::Id => format!(
                            "Tahan kursi {}, bayar ke admin lewat WhatsApp, terima kode booking.",
                            crate::app::hold_span(lang)
                        ),
                        Lang::En => format!(
                            "Hold seats for {}, pay the admin over WhatsApp, get a booking code.",
                            crate::app::hold_span(lang)
                        ),
                    }}
                </p>
            </div>
        </footer>
    }
}
