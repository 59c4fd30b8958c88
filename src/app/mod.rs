//! The Leptos UI: the HTML shell, the router and the pages.

pub mod charts;
pub mod components;
pub mod follow;
pub mod i18n;
pub mod pages;
pub mod props;
pub mod qr;
#[cfg(feature = "hydrate")]
pub mod scanner;
pub mod seat_nav;
pub mod upload;

use leptos::prelude::*;
use leptos_meta::{Link, Meta, MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    ParamSegment, SsrMode, StaticSegment,
    components::{Route, Router, Routes},
};

use i18n::current_lang;

/// The HTML document around the app (rendered on the server only).
///
/// Every page has a fresh nonce, made for its request by
/// `security::security_headers`, which also sends the
/// Content-Security-Policy naming it: the one inline script, the hydration
/// loader below, carries it; a script that data smuggled into the page
/// would not, so the browser would not run it.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        let nonce = use_context::<http::request::Parts>()
            .and_then(|p| p.extensions.get::<leptos::nonce::Nonce>().cloned())
            .unwrap_or_default();
        provide_context(nonce);
    }
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

/// Loads the WASM and hydrates the page's islands at the browser's first
/// idle moment.
///
/// Kursi renders every page on the server; only islands (`#[island]`: the
/// seat map, the forms, the admin's boards) become interactive, so the
/// browser downloads only their code. No preload hints: a phone on a slow
/// network spends its bandwidth on the page and its CSS first. The page is
/// complete HTML and its forms work before hydration. Each
/// `<leptos-island>` names its hydration function; the admin islands are
/// lazy (`#[island(lazy)]`, their own WASM chunks with `--split`, fetched
/// when the page has one), the passenger's are in the main WASM.
/// `data-hydrated` on the body marks the moment every island is live
/// (tests and CSS use it).
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
         await m.default({{ module_or_path: {wasm:?} }}); m.hydrate(); \
         for (const el of document.querySelectorAll('leptos-island')) {{ \
         const island = m[el.dataset.component]; \
         if (island) await island(el); else console.warn('no island', el.dataset.component); }} \
         document.body.setAttribute('data-hydrated', 'true'); }}); \
         if ('requestIdleCallback' in window) requestIdleCallback(go, {{ timeout: 2000 }}); \
         else setTimeout(go); }})();",
        js = format!("{pkg}.js"),
    );
    view! { <script type="module" nonce=leptos::nonce::use_nonce()>{script}</script> }
}

/// How long a hold lives (`HOLD_MINUTES`), in seconds, for the words that
/// tell passengers; provided per request by the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HoldSeconds(pub i64);

/// The hold's life as the pages tell it (10 minutes when not provided).
pub fn hold_span(lang: i18n::Lang) -> String {
    lang.span(use_context::<HoldSeconds>().map_or(600, |h| h.0))
}

/// The title's text as `<title>` must hold it. On the server leptos_meta
/// writes it into the page as it is, so it is escaped here (`html-escape`);
/// in the browser a title is text already.
fn title_text(text: &str) -> std::borrow::Cow<'_, str> {
    #[cfg(feature = "ssr")]
    return html_escape::encode_text(text);
    #[cfg(not(feature = "ssr"))]
    return text.into();
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let lang = current_lang();
    provide_context(lang);

    view! {
        <Stylesheet id="leptos" href="/pkg/kursi.css" />
        <Link rel="icon" href="/favicon.svg" />
        <Meta name="description" content=match lang {
            i18n::Lang::Id => format!("Pesan kursi bus, tahan {}, bayar lewat WhatsApp.", hold_span(lang)),
            i18n::Lang::En => format!("Book bus seats, hold them for {}, pay over WhatsApp.", hold_span(lang)),
        } />
        // A trip named `</title><script>…` must stay text (see `title_text`).
        <Title formatter=|t: String| format!("{} · Kursi", title_text(&t)) />
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
                        view=pages::admin::AdminLoginPage
                    />
                    <Route path=StaticSegment("admin") view=pages::admin::AdminHoldsPage ssr=SsrMode::Async />
                    <Route
                        path=(StaticSegment("admin"), StaticSegment("trips"))
                        view=pages::admin::AdminTripsPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("admin"), StaticSegment("trips"), ParamSegment("id"))
                        view=pages::admin::AdminTripPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("admin"), StaticSegment("schedules"))
                        view=pages::schedules::AdminSchedulesPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("admin"), StaticSegment("reports"))
                        view=pages::reports::AdminReportsPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("admin"), StaticSegment("payment"))
                        view=pages::payment::AdminPaymentPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("admin"), StaticSegment("webhooks"))
                        view=pages::webhooks::AdminWebhooksPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("admin"), StaticSegment("statement"))
                        view=pages::statement::AdminStatementPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("admin"), StaticSegment("holds"), ParamSegment("code"))
                        view=pages::admin::AdminHoldAuditPage
                        ssr=SsrMode::Async
                    />
                    <Route path=StaticSegment("crew") view=pages::crew::CrewTripsPage ssr=SsrMode::Async />
                    <Route
                        path=(StaticSegment("crew"), StaticSegment("trips"), ParamSegment("id"))
                        view=pages::boarding::CrewTripPage
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
