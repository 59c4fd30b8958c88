//! Per-client-IP rate limits (SPEC §4): holds, claims, booking lookups and
//! staff sign-in.
//!
//! One GCRA limiter per kind from the `governor` crate, keyed by IP: a
//! client may spend its whole minute's quota in a burst and then gets one
//! more request every `60 / n` seconds. A refused request learns when to
//! retry (`Retry-After`). The JSON API and the server functions call the
//! same [`RateLimits::check`], so neither door is a way around the other.
//!
//! A client is its address as [`Proxies::client_ip`] finds it, and IPv6 clients are
//! keyed by their /64 ([`client_key`]): one home or phone gets a whole /64,
//! so keying by the full address would give it 2^64 quotas.

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
    /// Booking lookups by code (guessing codes is what this slows).
    Lookup,
}

#[derive(Debug)]
pub struct RateLimits {
    hold: Option<DefaultKeyedRateLimiter<IpAddr>>,
    claim: Option<DefaultKeyedRateLimiter<IpAddr>>,
    login: Option<DefaultKeyedRateLimiter<IpAddr>>,
    lookup: Option<DefaultKeyedRateLimiter<IpAddr>>,
    proxies: Proxies,
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
            lookup: limiter(settings.lookup_rate_per_minute),
            proxies: Proxies::new(settings),
        }
    }

    /// Counts one request of `kind` from `ip`; refuses it over the limit.
    pub fn check(&self, kind: Limit, ip: IpAddr) -> Result<(), AppError> {
        let limiter = match kind {
            Limit::Hold => &self.hold,
            Limit::Claim => &self.claim,
            Limit::Login => &self.login,
            Limit::Lookup => &self.lookup,
        };
        let Some(limiter) = limiter else {
            return Ok(());
        };
        limiter.check_key(&client_key(ip)).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            AppError::RateLimited {
                retry_after: wait.as_secs_f64().ceil().max(1.0) as u64,
            }
        })
    }

    /// Checks a request given by its parts (for the API and server functions).
    pub fn check_request(&self, kind: Limit, parts: &Parts) -> Result<(), AppError> {
        self.check(kind, self.client_of(parts))
    }

    /// The client of a request, as every limit counts it.
    pub fn client_of(&self, parts: &Parts) -> IpAddr {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0);
        self.proxies.client_ip(&parts.headers, peer)
    }

    /// Who the proxies say the client is.
    pub fn proxies(&self) -> &Proxies {
        &self.proxies
    }

    /// Forgets clients that have been quiet long enough (keeps memory flat).
    pub fn tidy(&self) {
        for l in [&self.hold, &self.claim, &self.login, &self.lookup]
            .into_iter()
            .flatten()
        {
            l.retain_recent();
            l.shrink_to_fit();
        }
    }
}

/// Which peers may say who the client is (`TRUST_PROXY`, `TRUSTED_PROXIES`).
#[derive(Clone, Debug)]
pub struct Proxies {
    trusted: Vec<ipnet::IpNet>,
}

impl Proxies {
    pub fn new(settings: &Settings) -> Self {
        Self {
            trusted: if settings.trust_proxy {
                settings.trusted_proxies.clone()
            } else {
                Vec::new()
            },
        }
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.trusted.iter().any(|net| net.contains(&canonical(ip)))
    }

    /// The client's IP: the socket's peer, unless the peer is a trusted
    /// proxy; then `X-Forwarded-For` read from the right, skipping trusted
    /// proxies, and the first other hop is the client (hops further left
    /// are the client's own claims and can be forged). A client that
    /// reaches the server directly is never believed.
    pub fn client_ip(&self, headers: &HeaderMap, peer: Option<SocketAddr>) -> IpAddr {
        let Some(peer) = peer.map(|p| canonical(p.ip())) else {
            return IpAddr::V4(Ipv4Addr::UNSPECIFIED);
        };
        if !self.trusts(peer) {
            return peer;
        }
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .collect();
        let mut client = peer;
        for hop in hops.iter().rev() {
            match hop.trim().parse::<IpAddr>() {
                Ok(ip) => {
                    client = canonical(ip);
                    if !self.trusts(client) {
                        break;
                    }
                }
                // Garbage from here on is not an address to key by.
                Err(_) => break,
            }
        }
        client
    }
}

/// An IPv4 address mapped into IPv6 (`::ffff:1.2.3.4`) is that IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The key one client is counted by: its IPv4 address, or its IPv6 /64.
pub fn client_key(ip: IpAddr) -> IpAddr {
    match canonical(ip) {
        IpAddr::V6(v6) => {
            let bits = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(bits.into())
        }
        v4 => v4,
    }
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

    fn proxies(trust: bool, list: &str) -> Proxies {
        let mut s = settings(0);
        s.trust_proxy = trust;
        s.trusted_proxies = list.split(',').map(|n| n.parse().unwrap()).collect();
        Proxies::new(&s)
    }

    fn xff(v: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", v.parse().unwrap());
        headers
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_for_is_believed_only_from_a_trusted_proxy() {
        let headers = xff("1.1.1.1, 2.2.2.2");
        let proxy: SocketAddr = "127.0.0.1:9".parse().unwrap();
        let stranger: SocketAddr = "203.0.113.9:9".parse().unwrap();
        // TRUST_PROXY off: the peer, whatever the header says.
        assert_eq!(
            proxies(false, "127.0.0.0/8").client_ip(&headers, Some(proxy)),
            proxy.ip()
        );
        // On: the last hop, when our proxy sent it...
        let p = proxies(true, "127.0.0.0/8");
        assert_eq!(p.client_ip(&headers, Some(proxy)), ip("2.2.2.2"));
        // ...but a client that reaches the server directly is not believed.
        assert_eq!(p.client_ip(&headers, Some(stranger)), stranger.ip());
    }

    #[test]
    fn a_chain_of_trusted_proxies_is_skipped() {
        let p = proxies(true, "127.0.0.0/8,10.0.0.0/8");
        let headers = xff("6.6.6.6, 198.51.100.4, 10.1.2.3");
        let peer: SocketAddr = "127.0.0.1:9".parse().unwrap();
        assert_eq!(p.client_ip(&headers, Some(peer)), ip("198.51.100.4"));
        // Garbage where the client should be: the last trusted hop.
        let headers = xff("nonsense, 10.1.2.3");
        assert_eq!(p.client_ip(&headers, Some(peer)), ip("10.1.2.3"));
    }

    #[test]
    fn ipv6_clients_are_keyed_by_their_64() {
        assert_eq!(
            client_key(ip("2001:db8:1:2:aaaa:bbbb:cccc:dddd")),
            ip("2001:db8:1:2::")
        );
        assert_eq!(client_key(ip("::ffff:10.0.0.1")), ip("10.0.0.1"));
        assert_eq!(client_key(ip("10.0.0.1")), ip("10.0.0.1"));
        // Two addresses of one /64 share one quota.
        let limits = RateLimits::new(&settings(1));
        limits.check(Limit::Hold, ip("2001:db8::1")).unwrap();
        assert!(limits.check(Limit::Hold, ip("2001:db8::2")).is_err());
        limits.check(Limit::Hold, ip("2001:db8:0:1::1")).unwrap();
    }
}
