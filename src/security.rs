//! What every request passes before it reaches a handler: the check that a
//! state-changing request comes from this site (cross-site request forgery),
//! the content types server functions accept, and the headers that tell a
//! browser to refuse what a page should never do (scripts from elsewhere,
//! framing, guessing content types).
//!
//! Why one layer for both front doors: the JSON API and the server functions
//! (`/sf/…`) change the same holds. A check that only guards one of them is
//! a check an attacker walks around, as a review showed: a page on another
//! site posted a claim code to `/sf/claim_hold` and took over the visitor's
//! cookie, and a page on another port of the same host (same *site*, so the
//! SameSite=Strict staff cookie went along) released holds as the admin.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::api::ApiError;
use crate::config::Settings;
use crate::domain::AppError;
use crate::state::AppState;

/// Why a write was refused, for the log (the client sees only 403).
#[derive(Debug, PartialEq, Eq)]
pub enum Forgery {
    /// `Origin` names another origin (or is `null`).
    Origin,
    /// No `Origin`; `Sec-Fetch-Site` says the request began on another site
    /// (or another origin of this site).
    FetchSite,
    /// No `Origin` nor `Sec-Fetch-Site`; `Referer` is another origin.
    Referer,
}

/// Whether `origin` (`scheme://host[:port]`) is this site's own origin or
/// one of `CORS_ORIGINS`. With `PUBLIC_URL` set, "own" is exactly that
/// origin; without it (development), an origin whose host and port are the
/// request's `Host`.
fn trusted_origin(origin: &str, headers: &HeaderMap, settings: &Settings) -> bool {
    let origin = origin.trim_end_matches('/');
    if settings
        .cors_origins
        .iter()
        .any(|o| o.eq_ignore_ascii_case(origin))
    {
        return true;
    }
    match &settings.public_url {
        Some(own) => own.eq_ignore_ascii_case(origin),
        None => {
            let host = headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or("");
            !host.is_empty()
                && origin.split_once("://").is_some_and(|(scheme, rest)| {
                    matches!(scheme, "http" | "https") && rest.eq_ignore_ascii_case(host)
                })
        }
    }
}

/// The origin (`scheme://authority`) of an absolute URL such as a `Referer`.
fn origin_of(url: &str) -> Option<String> {
    let uri: http::Uri = url.parse().ok()?;
    Some(format!(
        "{}://{}",
        uri.scheme_str()?,
        uri.authority()?.as_str()
    ))
}

/// Decides whether a request that changes state may go on: `Ok` for safe
/// methods and for writes that come from this site (or from a program that
/// is no browser: no `Origin`, `Sec-Fetch-Site` or `Referer` at all, like
/// curl; a browser sends `Origin` with every POST).
pub fn check_write(
    method: &Method,
    headers: &HeaderMap,
    settings: &Settings,
) -> Result<(), Forgery> {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(());
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        // An Origin that is not text, or `null` (sandboxed frames, data:
        // URLs, some redirects), is nobody we trust.
        return match origin.to_str() {
            Ok(o) if trusted_origin(o, headers, settings) => Ok(()),
            _ => Err(Forgery::Origin),
        };
    }
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return match site {
            // `none`: typed into the address bar or a bookmark.
            "same-origin" | "none" => Ok(()),
            _ => Err(Forgery::FetchSite),
        };
    }
    if let Some(referer) = headers.get(header::REFERER) {
        return match referer.to_str().ok().and_then(origin_of) {
            Some(o) if trusted_origin(&o, headers, settings) => Ok(()),
            _ => Err(Forgery::Referer),
        };
    }
    Ok(())
}

/// The layer in front of everything: refuses a forged write (403 with the
/// API's error body, which the server functions' client reads too) and a
/// server function called with a content type it does not take (400).
pub async fn guard_writes(State(s): State<AppState>, req: Request, next: Next) -> Response {
    if let Err(why) = check_write(req.method(), req.headers(), &s.settings) {
        tracing::warn!(
            reason = ?why,
            method = %req.method(),
            path = %req.uri().path(),
            origin = ?req.headers().get(header::ORIGIN),
            "refused a cross-site write"
        );
        return ApiError(AppError::Forbidden).into_response();
    }
    if let Some(rest) = req.uri().path().strip_prefix("/sf/")
        && let Err(e) = server_fn_content_type(rest, req.method(), req.headers())
    {
        return ApiError(e).into_response();
    }
    let server_fn = req.uri().path().starts_with("/sf/");
    let resp = next.run(req).await;
    if server_fn && resp.status() == StatusCode::INTERNAL_SERVER_ERROR {
        return server_fn_error_status(resp).await;
    }
    resp
}

/// A server function that fails before its body runs (arguments that do
/// not parse) answers 500 whatever its error says; the error in the body
/// knows its own status (400 for malformed arguments), so it is given that.
async fn server_fn_error_status(resp: Response) -> Response {
    let (mut parts, body) = resp.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return ApiError(AppError::Internal).into_response();
    };
    if let Ok(e) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status =
            StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// How a server function takes its arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Input {
    /// `application/json` (the seat map's calls).
    Json,
    /// `application/x-www-form-urlencoded` (everything else: these also
    /// work as plain HTML forms without JavaScript).
    Form,
}

impl Input {
    fn content_type(self) -> &'static str {
        match self {
            Input::Json => "application/json",
            Input::Form => "application/x-www-form-urlencoded",
        }
    }
}

/// Every server function's endpoint (under `/sf/`) and its input. A test
/// checks this against the server functions the app registers, so a new
/// one cannot be forgotten here.
const SERVER_FNS: &[(&str, Input)] = &[
    ("seat_map", Input::Json),
    ("toggle_seat", Input::Json),
    ("release_all", Input::Json),
    ("extend_hold", Input::Json),
    ("attach_contact", Input::Json),
    ("trip_page", Input::Form),
    ("claim_hold", Input::Form),
    ("find_ticket", Input::Form),
    ("search_trips", Input::Form),
    ("staff_login", Input::Form),
    ("staff_logout", Input::Form),
    ("staff_me", Input::Form),
    ("admin_holds", Input::Form),
    ("admin_confirm", Input::Form),
    ("admin_match_statement", Input::Json),
    ("admin_confirm_many", Input::Json),
    ("admin_extend", Input::Form),
    ("admin_release", Input::Form),
    ("admin_cancel", Input::Form),
    ("admin_trips", Input::Form),
    ("admin_create_trip", Input::Form),
    ("admin_update_trip", Input::Form),
    ("admin_set_active", Input::Form),
    ("admin_trip", Input::Form),
    ("admin_hold_audit", Input::Form),
    ("admin_payment_accounts", Input::Form),
    ("admin_add_payment_account", Input::Form),
    ("admin_retire_payment_account", Input::Form),
    ("admin_webhooks", Input::Form),
    ("admin_add_webhook", Input::Form),
    ("admin_retire_webhook", Input::Form),
    ("admin_resend_webhook", Input::Form),
    ("admin_schedules", Input::Form),
    ("admin_save_schedule", Input::Form),
    ("admin_schedule_date", Input::Form),
    ("admin_stop_schedule", Input::Form),
    ("admin_report", Input::Form),
    ("admin_manifest", Input::Form),
    ("crew_trips", Input::Form),
    ("crew_trip", Input::Form),
    ("crew_board", Input::Form),
];

/// Refuses a server function call whose `Content-Type` is not the one it
/// takes (a `text/plain` body is what a cross-site `fetch` can send without
/// asking first). An empty body (a form with no fields) needs no type.
fn server_fn_content_type(
    endpoint: &str,
    method: &Method,
    headers: &HeaderMap,
) -> Result<(), AppError> {
    if *method != Method::POST {
        return Ok(());
    }
    let Some((_, input)) = SERVER_FNS.iter().find(|(name, _)| *name == endpoint) else {
        return Err(AppError::NotFound);
    };
    let given = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    let empty = headers
        .get(header::CONTENT_LENGTH)
        .is_some_and(|l| l.as_bytes() == b"0");
    match given {
        Some(t) if t == input.content_type() => Ok(()),
        None if empty && *input == Input::Form => Ok(()),
        _ => Err(AppError::invalid(format!(
            "Send this request as {}.",
            input.content_type()
        ))),
    }
}

/// Headers for every response: no content sniffing, no framing by other
/// sites, no full URLs (with booking codes) leaking to other sites in
/// `Referer`. Every request that may be for a page (not the JSON API, not
/// a static file) gets a fresh nonce in its extensions, which the page
/// shell puts on its inline scripts (`app::shell`); an HTML answer gets the
/// Content-Security-Policy naming that nonce ([`page_policy`]), every other
/// answer a policy that allows nothing. The policy is set here,
/// on the response itself, rather than by the page through Leptos's
/// response options: a page once went out without it (seen in the
/// end-to-end runs), and the browser then refused its styles and scripts.
pub async fn security_headers(mut req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let page = !(path.starts_with("/api/") || path.starts_with("/pkg/"));
    let nonce = page.then(leptos::nonce::Nonce::new);
    if let Some(nonce) = &nonce {
        req.extensions_mut().insert(nonce.clone());
    }
    let mut response = next.run(req).await;
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let h = response.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        let policy = nonce
            .filter(|_| html)
            .and_then(|nonce| HeaderValue::from_str(&page_policy(&nonce)).ok());
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            policy.unwrap_or(HeaderValue::from_static(
                "default-src 'none'; frame-ancestors 'none'",
            )),
        );
    }
    response
}

/// The Content-Security-Policy of a page: scripts only from this origin or
/// carrying the page's nonce (the inline hydration script), WASM compiled
/// from this origin, styles from this origin (style attributes allowed: the
/// seat grid sets its columns), connections (server functions, live
/// events) to this origin, forms posted only here, no frames, no plugins.
pub fn page_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' data:; \
         connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        h
    }

    fn post(pairs: &[(&str, &str)], settings: &Settings) -> Result<(), Forgery> {
        check_write(&Method::POST, &headers(pairs), settings)
    }

    fn settings() -> Settings {
        Settings::for_tests("sqlite::memory:")
    }

    #[test]
    fn own_origin_and_allowed_origins_may_write() {
        let s = settings();
        let host = ("host", "127.0.0.1:3000");
        assert_eq!(
            post(&[host, ("origin", "http://127.0.0.1:3000")], &s),
            Ok(())
        );
        assert_eq!(
            post(&[host, ("origin", "http://localhost:5173")], &s),
            Ok(())
        );
        // No browser headers at all: a program such as curl.
        assert_eq!(post(&[host], &s), Ok(()));
        assert_eq!(post(&[host, ("sec-fetch-site", "same-origin")], &s), Ok(()));
        assert_eq!(
            post(&[host, ("referer", "http://127.0.0.1:3000/trips/1")], &s),
            Ok(())
        );
    }

    #[test]
    fn other_sites_and_other_ports_may_not() {
        let s = settings();
        let host = ("host", "127.0.0.1:3000");
        for origin in [
            "http://evil.example",
            "http://127.0.0.1:3139",
            "null",
            "https://127.0.0.1:3000.evil.example",
        ] {
            assert_eq!(
                post(&[host, ("origin", origin)], &s),
                Err(Forgery::Origin),
                "{origin}"
            );
        }
        assert_eq!(
            post(&[host, ("sec-fetch-site", "same-site")], &s),
            Err(Forgery::FetchSite)
        );
        assert_eq!(
            post(&[host, ("sec-fetch-site", "cross-site")], &s),
            Err(Forgery::FetchSite)
        );
        assert_eq!(
            post(&[host, ("referer", "http://127.0.0.1:3139/x")], &s),
            Err(Forgery::Referer)
        );
        // Reads are never refused.
        assert_eq!(
            check_write(
                &Method::GET,
                &headers(&[host, ("origin", "http://evil.example")]),
                &s
            ),
            Ok(())
        );
    }

    #[test]
    fn with_a_public_url_the_host_header_is_not_trusted() {
        let mut s = settings();
        s.public_url = Some("https://tiket.example".into());
        assert_eq!(
            post(
                &[("host", "evil.example"), ("origin", "http://evil.example")],
                &s
            ),
            Err(Forgery::Origin)
        );
        assert_eq!(
            post(
                &[
                    ("host", "10.0.0.5:3000"),
                    ("origin", "https://tiket.example")
                ],
                &s
            ),
            Ok(())
        );
    }

    #[test]
    fn server_functions_take_only_their_content_type() {
        let json = headers(&[("content-type", "application/json")]);
        let text = headers(&[("content-type", "text/plain;charset=UTF-8")]);
        let form = headers(&[("content-type", "application/x-www-form-urlencoded")]);
        assert!(server_fn_content_type("toggle_seat", &Method::POST, &json).is_ok());
        assert!(server_fn_content_type("toggle_seat", &Method::POST, &text).is_err());
        assert!(server_fn_content_type("toggle_seat", &Method::POST, &form).is_err());
        assert!(server_fn_content_type("claim_hold", &Method::POST, &form).is_ok());
        assert!(server_fn_content_type("claim_hold", &Method::POST, &text).is_err());
        assert!(server_fn_content_type("no_such_fn", &Method::POST, &form).is_err());
    }

    #[test]
    fn every_registered_server_function_is_listed() {
        // Linking the app registers its server functions.
        let _ = crate::app::App;
        let registered: std::collections::BTreeSet<String> =
            leptos::server_fn::axum::server_fn_paths()
                .map(|(path, _)| path.trim_start_matches("/sf/").to_string())
                .collect();
        let listed: std::collections::BTreeSet<String> =
            SERVER_FNS.iter().map(|(n, _)| n.to_string()).collect();
        assert!(!registered.is_empty());
        assert_eq!(registered, listed);
    }
}
