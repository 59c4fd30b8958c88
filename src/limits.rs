//! Per-client-IP rate limits (SPEC §4): holds, claims and staff sign-in.
//!
//! One GCRA limiter per kind from the `governor` crate, keyed by IP: a
//! client may spend its whole minute's quota in a burst and then gets one
//! more request every `60 / n` seconds. A refused request learns when to
//! retry (`Retry-After`). The JSON API and the server functions call the
//! same [`RateLimits::check`], so neither door is a way around the other.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;

use axum::extract::ConnectInfo;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::config::Settings;
use crate::domain::AppError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    Hold,
    Claim,
    Login,
}

#[derive(Debug)]
pub struct RateLimits {
    hold: Option<DefaultKeyedRateLimiter<IpAddr>>,
    claim: Option<DefaultKeyedRateLimiter<IpAddr>>,
    login: Option<DefaultKeyedRateLimiter<IpAddr>>,
    trust_proxy: bool,
}

fn limiter(per_minute: u32) -> Option<DefaultKeyedRateLimiter<IpAddr>> {
    NonZeroU32::new(per_minute).map(|n| RateLimiter::keyed(Quota::per_minute(n)))
}

impl RateLimits {
    /// Limits from the settings; a rate of 0 turns that limit off.
    pub fn new(settings: &Settings) -> Self {
        Self {
            hold: limiter(settings.hold_rate_per_minute),
            claim: limiter(settings.claim_rate_per_minute),
            login: limiter(settings.login_rate_per_minute),
            trust_proxy: settings.trust_proxy,
        }
    }

    /// Counts one request of `kind` from `ip`; refuses it over the limit.
    pub fn check(&self, kind: Limit, ip: IpAddr) -> Result<(), AppError> {
        let limiter = match kind {
            Limit::Hold => &self.hold,
            Limit::Claim => &self.claim,
            Limit::Login => &self.login,
        };
        let Some(limiter) = limiter else {
            return Ok(());
        };
        limiter.check_key(&ip).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            AppError::RateLimited {
                retry_after: wait.as_secs_f64().ceil().max(1.0) as u64,
            }
        })
    }

    /// Checks a request given by its parts (for the API and server functions).
    pub fn check_request(&self, kind: Limit, parts: &Parts) -> Result<(), AppError> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0);
        self.check(kind, client_ip(&parts.headers, peer, self.trust_proxy))
    }

    /// Forgets clients that have been quiet long enough (keeps memory flat).
    pub fn tidy(&self) {
        for l in [&self.hold, &self.claim, &self.login].into_iter().flatten() {
            l.retain_recent();
            l.shrink_to_fit();
        }
    }
}

/// The client's IP: the socket's peer, or with `TRUST_PROXY=true` the last
/// `X-Forwarded-For` hop (the one our proxy added; earlier hops are the
/// client's own claims and can be forged).
pub fn client_ip(headers: &HeaderMap, peer: Option<SocketAddr>, trust_proxy: bool) -> IpAddr {
    let forwarded = trust_proxy
        .then(|| {
            headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .last()
                .and_then(|ip| ip.trim().parse::<IpAddr>().ok())
        })
        .flatten();
    forwarded
        .or(peer.map(|p| p.ip()))
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(hold: u32) -> Settings {
        let mut s = Settings::for_tests("sqlite::memory:");
        s.hold_rate_per_minute = hold;
        s
    }

    #[test]
    fn a_burst_over_the_limit_is_refused_with_a_retry_time() {
        let limits = RateLimits::new(&settings(3));
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        for _ in 0..3 {
            limits.check(Limit::Hold, ip).unwrap();
        }
        match limits.check(Limit::Hold, ip) {
            Err(AppError::RateLimited { retry_after }) => assert!((1..=20).contains(&retry_after)),
            other => panic!("expected rate_limited, got {other:?}"),
        }
        // Another client is not affected, nor is another kind of request.
        limits
            .check(Limit::Hold, "10.0.0.2".parse().unwrap())
            .unwrap();
        limits.check(Limit::Login, ip).unwrap();
    }

    #[test]
    fn zero_turns_a_limit_off() {
        let limits = RateLimits::new(&settings(0));
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        for _ in 0..1000 {
            limits.check(Limit::Hold, ip).unwrap();
        }
    }

    #[test]
    fn forwarded_for_is_trusted_only_when_configured() {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", "1.1.1.1, 2.2.2.2".parse().unwrap());
        let peer: SocketAddr = "127.0.0.1:9".parse().unwrap();
        assert_eq!(client_ip(&headers, Some(peer), false), peer.ip());
        assert_eq!(
            client_ip(&headers, Some(peer), true),
            "2.2.2.2".parse::<IpAddr>().unwrap()
        );
    }
}
