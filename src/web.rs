//! HTTP details shared by the JSON API and the server functions: the hold
//! cookie and the admin key.

use axum::http::HeaderMap;
use axum::http::header::{COOKIE, HeaderValue};
use cookie::{Cookie, SameSite};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::config::Settings;
use crate::services::{SessionKey, new_token};

pub const HOLD_COOKIE: &str = "seat_hold_token";
/// The staff session cookie: HttpOnly, SameSite=Strict.
pub const STAFF_COOKIE: &str = "kursi_staff";

/// The value of cookie `name`, if the request has one.
pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_string())
}

/// The passenger session of a request, when it carries a valid hold cookie.
pub fn session_of(headers: &HeaderMap) -> Option<SessionKey> {
    cookie_value(headers, HOLD_COOKIE).and_then(|t| SessionKey::from_token(&t))
}

/// The session of a request, or a new one with the `Set-Cookie` to send.
pub fn session_or_new(
    headers: &HeaderMap,
    settings: &Settings,
) -> (SessionKey, Option<HeaderValue>) {
    match session_of(headers) {
        Some(key) => (key, None),
        None => {
            let token = new_token();
            let key = SessionKey::from_token(&token).expect("new tokens are valid");
            (key, Some(hold_cookie(&token, settings)))
        }
    }
}

/// `seat_hold_token`: HttpOnly, SameSite=Lax, Path=/, max age from
/// `SESSION_TTL_MINUTES`, Secure when `COOKIE_SECURE=true`.
pub fn hold_cookie(token: &str, settings: &Settings) -> HeaderValue {
    let cookie = Cookie::build((HOLD_COOKIE, token.to_string()))
        .http_only(true)
        .same_site(SameSite::Lax)
        .path("/")
        .max_age(cookie::time::Duration::seconds(
            settings.session_ttl.num_seconds(),
        ))
        .secure(settings.cookie_secure)
        .build();
    HeaderValue::from_str(&cookie.to_string()).expect("cookie is ASCII")
}

/// Whether the request carries the right `X-ADMIN-KEY`. Both sides are
/// hashed first so the comparison is constant-time and length-blind; key
/// authentication is off when `ADMIN_API_KEY` is unset.
pub fn admin_key_ok(headers: &HeaderMap, settings: &Settings) -> bool {
    let (Some(expected), Some(given)) =
        (settings.admin_api_key.as_ref(), headers.get("x-admin-key"))
    else {
        return false;
    };
    let a = Sha256::digest(expected.expose().as_bytes());
    let b = Sha256::digest(given.as_bytes());
    a.ct_eq(&b).into()
}

/// The staff session of a request, when it carries a well-formed cookie
/// (whether it is live is the service's question).
pub fn staff_key_of(headers: &HeaderMap) -> Option<SessionKey> {
    cookie_value(headers, STAFF_COOKIE).and_then(|t| SessionKey::from_token(&t))
}

/// `kursi_staff`: HttpOnly, SameSite=Strict (never sent on a request that
/// starts on another site), Path=/, Secure when `COOKIE_SECURE=true`. An
/// empty token with max age 0 signs the browser out.
pub fn staff_cookie(token: &str, settings: &Settings) -> HeaderValue {
    let max_age = if token.is_empty() {
        0
    } else {
        settings.staff_session_ttl.num_seconds()
    };
    let cookie = Cookie::build((STAFF_COOKIE, token.to_string()))
        .http_only(true)
        .same_site(SameSite::Strict)
        .path("/")
        .max_age(cookie::time::Duration::seconds(max_age))
        .secure(settings.cookie_secure)
        .build();
    HeaderValue::from_str(&cookie.to_string()).expect("cookie is ASCII")
}
