//! HTTP details shared by the JSON API and the server functions: the hold
//! cookie and the admin key.

use axum::http::HeaderMap;
use axum::http::header::{COOKIE, HeaderValue};
use cookie::{Cookie, SameSite};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::config::Settings;
use crate::services::{SessionKey, new_token};

/// The hold cookie's name over plain HTTP (SPEC §1).
pub const HOLD_COOKIE: &str = "seat_hold_token";
/// The staff session cookie: HttpOnly, SameSite=Strict.
pub const STAFF_COOKIE: &str = "kursi_staff";

/// A cookie's name as this server sets it: with `COOKIE_SECURE=true` it gets
/// the `__Host-` prefix, which browsers accept only from HTTPS, for this
/// exact host and path `/`: no other host of the domain (nor a
/// man-in-the-middle on plain HTTP) can plant or overwrite it.
pub fn cookie_name(base: &'static str, settings: &Settings) -> String {
    if settings.cookie_secure {
        format!("__Host-{base}")
    } else {
        base.to_string()
    }
}

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

/// The signature half of a passenger token: HMAC-SHA256 of its random half
/// under the session key, cut to 128 bits.
fn token_tag(random_hex: &str, settings: &Settings) -> [u8; 16] {
    let key = settings
        .session_secret
        .as_ref()
        .map(|k| k.expose().as_bytes())
        .unwrap_or_default();
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key");
    mac.update(b"kursi seat_hold_token v1:");
    mac.update(random_hex.as_bytes());
    let full = mac.finalize().into_bytes();
    let mut tag = [0u8; 16];
    tag.copy_from_slice(&full[..16]);
    tag
}

/// A new passenger token: 128 random bits and their signature, 64 hex
/// characters in all. Only tokens made here are sessions (see
/// [`session_of`]).
pub fn issue_token(settings: &Settings) -> String {
    let random = new_token()[..32].to_string();
    let tag = hex::encode(token_tag(&random, settings));
    format!("{random}{tag}")
}

/// Whether this server signed `token`. A planted cookie (an attacker's
/// made-up value, set into a victim's browser so as to read the hold it
/// comes to carry) fails here and is treated as no session at all.
fn signed_here(token: &str, settings: &Settings) -> bool {
    if token.len() != 64 || !token.is_ascii() {
        return false;
    }
    let (random, tag) = token.split_at(32);
    let Ok(tag) = hex::decode(tag) else {
        return false;
    };
    token_tag(&random.to_ascii_lowercase(), settings)
        .ct_eq(tag.as_slice())
        .into()
}

/// The passenger session of a request, when it carries a hold cookie this
/// server issued.
pub fn session_of(headers: &HeaderMap, settings: &Settings) -> Option<SessionKey> {
    cookie_value(headers, &cookie_name(HOLD_COOKIE, settings))
        .filter(|t| signed_here(t, settings))
        .and_then(|t| SessionKey::from_token(&t))
}

/// The session of a request, or a new one with the `Set-Cookie` to send.
pub fn session_or_new(
    headers: &HeaderMap,
    settings: &Settings,
) -> (SessionKey, Option<HeaderValue>) {
    match session_of(headers, settings) {
        Some(key) => (key, None),
        None => {
            let token = issue_token(settings);
            let key = SessionKey::from_token(&token).expect("new tokens are valid");
            (key, Some(hold_cookie(&token, settings)))
        }
    }
}

/// `seat_hold_token`: HttpOnly, SameSite=Lax, Path=/, max age from
/// `SESSION_TTL_MINUTES`, Secure (and `__Host-`) when `COOKIE_SECURE=true`.
pub fn hold_cookie(token: &str, settings: &Settings) -> HeaderValue {
    let cookie = Cookie::build((cookie_name(HOLD_COOKIE, settings), token.to_string()))
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
pub fn staff_key_of(headers: &HeaderMap, settings: &Settings) -> Option<SessionKey> {
    cookie_value(headers, &cookie_name(STAFF_COOKIE, settings))
        .and_then(|t| SessionKey::from_token(&t))
}

/// `kursi_staff`: HttpOnly, SameSite=Strict (never sent on a request that
/// starts on another site), Path=/, Secure (and `__Host-`) when
/// `COOKIE_SECURE=true`. Its token is stored (hashed) when issued, so a
/// token the server never issued is no session. An
/// empty token with max age 0 signs the browser out.
pub fn staff_cookie(token: &str, settings: &Settings) -> HeaderValue {
    let max_age = if token.is_empty() {
        0
    } else {
        settings.staff_session_ttl.num_seconds()
    };
    let cookie = Cookie::build((cookie_name(STAFF_COOKIE, settings), token.to_string()))
        .http_only(true)
        .same_site(SameSite::Strict)
        .path("/")
        .max_age(cookie::time::Duration::seconds(max_age))
        .secure(settings.cookie_secure)
        .build();
    HeaderValue::from_str(&cookie.to_string()).expect("cookie is ASCII")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(secret: &str) -> Settings {
        let mut s = Settings::for_tests("sqlite::memory:");
        s.session_secret = Some(crate::config::Secret::new(secret));
        s
    }

    fn with_cookie(name: &str, value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(COOKIE, format!("{name}={value}").parse().unwrap());
        h
    }

    #[test]
    fn only_tokens_issued_here_are_sessions() {
        let s = settings("a secret of at least thirty-two characters");
        let token = issue_token(&s);
        assert_eq!(token.len(), 64);
        assert!(session_of(&with_cookie(HOLD_COOKIE, &token), &s).is_some());
        // A made-up value of the right shape (the planted cookie).
        let planted = "ab".repeat(32);
        assert!(session_of(&with_cookie(HOLD_COOKIE, &planted), &s).is_none());
        // One flipped character of a real token.
        let mut forged = token.clone().into_bytes();
        forged[40] = if forged[40] == b'0' { b'1' } else { b'0' };
        let forged = String::from_utf8(forged).unwrap();
        assert!(session_of(&with_cookie(HOLD_COOKIE, &forged), &s).is_none());
        // Another server's key.
        let other = settings("another secret of at least thirty-two chars");
        assert!(session_of(&with_cookie(HOLD_COOKIE, &token), &other).is_none());
        // A new session is issued in place of a planted one.
        let (key, cookie) = session_or_new(&with_cookie(HOLD_COOKIE, &planted), &s);
        assert!(cookie.is_some());
        assert_ne!(Some(key), SessionKey::from_token(&planted));
    }

    #[test]
    fn secure_cookies_get_the_host_prefix() {
        let mut s = settings("a secret of at least thirty-two characters");
        s.cookie_secure = true;
        let token = issue_token(&s);
        let cookie = hold_cookie(&token, &s);
        let text = cookie.to_str().unwrap();
        assert!(text.starts_with("__Host-seat_hold_token="), "{text}");
        assert!(text.contains("Secure") && text.contains("Path=/"));
        assert!(!text.contains("Domain"));
        // Only the prefixed cookie counts then (a plain one can be planted).
        assert!(session_of(&with_cookie(HOLD_COOKIE, &token), &s).is_none());
        assert!(session_of(&with_cookie("__Host-seat_hold_token", &token), &s).is_some());
        assert!(
            staff_cookie("t", &s)
                .to_str()
                .unwrap()
                .starts_with("__Host-kursi_staff=")
        );
    }
}
