//! The Leptos UI: the HTML shell, the router and the pages.

pub mod components;
pub mod i18n;
pub mod pages;
pub mod seat_nav;

use leptos::prelude::*;
use leptos_meta::{Link, Meta, MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    ParamSegment, SsrMode, StaticSegment,
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
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
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

    // Marks the page once the WASM has taken over, for tests and for CSS
    // that should only show interactive affordances when they work.
    Effect::new(move |_| {
        if let Some(body) = leptos::prelude::document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });

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
                        path=(StaticSegment("admin"), StaticSegment("holds"), ParamSegment("code"))
                        view=pages::admin::AdminHoldAuditPage
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
