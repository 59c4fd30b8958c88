//! The Leptos UI: the HTML shell, the router and the pages.

pub mod components;
pub mod i18n;
pub mod pages;
pub mod seat_nav;

use leptos::prelude::*;
use leptos_meta::{Link, Meta, MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    Lazy, ParamSegment, SsrMode, StaticSegment,
    components::{Route, Router, Routes},
};

use i18n::Lang;

/// The HTML document around the app (rendered on the server only).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang=move || current_lang().code()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="theme-color" content="#0f766e" />
                <AutoReload options=options.clone() />
                <DeferredHydration options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Loads the WASM and hydrates the page at the browser's first idle moment.
///
/// Unlike leptos' `HydrationScripts` it sends no preload hints: a phone on a
/// slow network spends its bandwidth on the page and its CSS first, and the
/// bundle starts downloading after the first paint. The page is complete
/// HTML and its forms work before hydration; admin pages fetch their own
/// WASM chunks when the router needs them (`--split`).
#[component]
fn DeferredHydration(options: LeptosOptions) -> impl IntoView {
    let pkg = format!("/{}/{}", options.site_pkg_dir, options.output_name);
    // wasm-bindgen's name for the module, as leptos computes it.
    let wasm = if option_env!("LEPTOS_OUTPUT_NAME").is_some() {
        format!("{pkg}.wasm")
    } else {
        format!("{pkg}_bg.wasm")
    };
    let script = format!(
        "(() => {{ const go = () => import({js:?}).then(async (m) => {{ \
         await m.default({{ module_or_path: {wasm:?} }}); m.hydrate(); }}); \
         if ('requestIdleCallback' in window) requestIdleCallback(go, {{ timeout: 2000 }}); \
         else setTimeout(go); }})();",
        js = format!("{pkg}.js"),
    );
    view! { <script type="module">{script}</script> }
}

/// The language of this request (server) or of this page (browser).
pub fn current_lang() -> Lang {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .and_then(|parts| crate::web::cookie_value(&parts.headers, "lang"))
            .and_then(|v| Lang::parse(&v))
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        leptos::prelude::document()
            .document_element()
            .and_then(|html| html.get_attribute("lang"))
            .and_then(|v| Lang::parse(&v))
            .unwrap_or_default()
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let lang = current_lang();
    provide_context(lang);

    view! {
        <Stylesheet id="leptos" href="/pkg/kursi.css" />
        <Link rel="icon" href="/favicon.svg" />
        <Meta name="description" content=lang.t(
            "Pesan kursi bus, tahan 10 menit, bayar lewat WhatsApp.",
            "Book bus seats, hold them for 10 minutes, pay over WhatsApp.",
        ) />
        <Title formatter=|t: String| format!("{t} · Kursi") />
        <Router>
            <components::Header />
            <main id="main" class="main">
                <Routes fallback=pages::not_found::NotFound>
                    // Async: the server sends each page complete, so it reads
                    // without JavaScript and nothing shifts when it hydrates.
                    <Route path=StaticSegment("") view=pages::home::HomePage ssr=SsrMode::Async />
                    <Route
                        path=(StaticSegment("trips"), ParamSegment("id"))
                        view=pages::trip::TripPage
                        ssr=SsrMode::Async
                    />
                    <Route path=StaticSegment("claim") view=pages::claim::ClaimPage />
                    <Route
                        path=(StaticSegment("admin"), StaticSegment("login"))
                        view={Lazy::<pages::admin::AdminLoginRoute>::new()}
                    />
                    <Route path=StaticSegment("admin") view={Lazy::<pages::admin::AdminHoldsRoute>::new()} ssr=SsrMode::Async />
                    <Route
                        path=(StaticSegment("admin"), StaticSegment("trips"))
                        view={Lazy::<pages::admin::AdminTripsRoute>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("admin"), StaticSegment("trips"), ParamSegment("id"))
                        view={Lazy::<pages::admin::AdminTripRoute>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("admin"), StaticSegment("holds"), ParamSegment("code"))
                        view={Lazy::<pages::admin::AdminHoldAuditRoute>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("ticket"), ParamSegment("code"))
                        view=pages::ticket::TicketPage
                        ssr=SsrMode::Async
                    />
                </Routes>
            </main>
            <components::Footer />
        </Router>
    }
}
