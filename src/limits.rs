//! Per-client-IP rate limits (SPEC §4): holds, claims, booking lookups and
//! staff sign-in.
//!
//! GCRA per kind of request, keyed by client: a client may spend its whole
//! minute's quota in a burst and then gets one more request every `60 / n`
//! seconds. A refused request learns when to retry (`Retry-After`). The
//! JSON API and the server functions call the same [`RateLimits::check`],
//! so neither door is a way around the other.
//!
//! Where the count lives follows the database. On SQLite one process
//! serves, and counts in its memory (the `governor` crate). On PostgreSQL
//! several instances may serve behind a load balancer, and a client that
//! each of them counted apart would get N times its quota, so they count
//! in one table of the database ([`crate::storage::SharedRates`]).
//!
//! A client is its address as [`Proxies::client_ip`] finds it, and IPv6 clients are
//! keyed by their /64 ([`client_key`]): one home or phone gets a whole /64,
//! so keying by the full address would give it 2^64 quotas.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;

use axum::extract::ConnectInfo;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use chrono::{DateTime, Utc};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::config::Settings;
use crate::domain::AppError;
use crate::storage::{Rate, SharedRates, Spent, to_ms};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    Hold,
    Claim,
    Login,
    /// Booking lookups by code (guessing codes is what this slows).
    Lookup,
    /// Receipts sent (each one is decoded and encoded again).
    Upload,
}

impl Limit {
    /// The kind's name in the shared counters.
    fn key(self) -> &'static str {
        match self {
            Limit::Hold => "hold",
            Limit::Claim => "claim",
            Limit::Login => "login",
            Limit::Lookup => "lookup",
            Limit::Upload => "upload",
        }
    }
}

/// One kind's counter.
#[derive(Debug)]
enum Counter {
    /// This process's memory (one process serves the database).
    Memory(DefaultKeyedRateLimiter<IpAddr>),
    /// The database's table, shared by every instance.
    Shared(Rate),
}

#[derive(Debug)]
pub struct RateLimits {
    hold: Option<Counter>,
    claim: Option<Counter>,
    login: Option<Counter>,
    lookup: Option<Counter>,
    upload: Option<Counter>,
    shared: Option<SharedRates>,
    proxies: Proxies,
}

impl RateLimits {
    /// Limits from the settings; a rate of 0 turns that limit off. With
    /// `shared` (PostgreSQL) every limit counts in the database.
    pub fn new(settings: &Settings, shared: Option<SharedRates>) -> Self {
        let counter = |per_minute: u32| match shared {
            Some(_) => Rate::per_minute(per_minute).map(Counter::Shared),
            None => NonZeroU32::new(per_minute)
                .map(|n| Counter::Memory(RateLimiter::keyed(Quota::per_minute(n)))),
        };
        Self {
            hold: counter(settings.hold_rate_per_minute),
            claim: counter(settings.claim_rate_per_minute),
            login: counter(settings.login_rate_per_minute),
            lookup: counter(settings.lookup_rate_per_minute),
            upload: counter(settings.upload_rate_per_minute),
            proxies: Proxies::new(settings),
            shared,
        }
    }

    /// Counts one request of `kind` from `ip` at `now`; refuses it over the
    /// limit. (The in-memory counter keeps its own monotonic clock.)
    pub async fn check(&self, kind: Limit, ip: IpAddr, now: DateTime<Utc>) -> Result<(), AppError> {
        let counter = match kind {
            Limit::Hold => &self.hold,
            Limit::Claim => &self.claim,
            Limit::Login => &self.login,
            Limit::Lookup => &self.lookup,
            Limit::Upload => &self.upload,
        };
        let refused = |secs: f64| AppError::RateLimited {
            retry_after: secs.ceil().max(1.0) as u64,
        };
        match (counter, &self.shared) {
            (None, _) => Ok(()),
            (Some(Counter::Memory(limiter)), _) => {
                limiter.check_key(&client_key(ip)).map_err(|not_until| {
                    refused(
                        not_until
                            .wait_time_from(DefaultClock::default().now())
                            .as_secs_f64(),
                    )
                })
            }
            (Some(Counter::Shared(rate)), Some(shared)) => {
                let client = client_key(ip).to_string();
                match shared.spend(kind.key(), &client, *rate, to_ms(now)).await? {
                    Spent::Allowed => Ok(()),
                    Spent::Refused { wait_ms } => Err(refused(wait_ms as f64 / 1000.0)),
                }
            }
            // `new` makes shared counters only with the shared table.
            (Some(Counter::Shared(_)), None) => Err(AppError::Internal),
        }
    }

    /// Checks a request given by its parts (for the API and server functions).
    pub async fn check_request(
        &self,
        kind: Limit,
        parts: &Parts,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        self.check(kind, self.client_of(parts), now).await
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

    /// Forgets clients that have been quiet long enough (keeps memory, or
    /// the shared table, small).
    pub async fn tidy(&self, now: DateTime<Utc>) {
        for counter in [
            &self.hold,
            &self.claim,
            &self.login,
            &self.lookup,
            &self.upload,
        ]
        .into_iter()
        .flatten()
        {
            if let Counter::Memory(l) = counter {
                l.retain_recent();
                l.shrink_to_fit();
            }
        }
        if let Some(shared) = &self.shared
            && let Err(e) = shared.forget(to_ms(now)).await
        {
            tracing::warn!(error = %e, "tidying the shared rate limits failed; will retry");
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

    fn now() -> DateTime<Utc> {
        "2026-12-01T00:00:00Z".parse().unwrap()
    }

    #[tokio::test]
    async fn a_burst_over_the_limit_is_refused_with_a_retry_time() {
        let limits = RateLimits::new(&settings(3), None);
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        for _ in 0..3 {
            limits.check(Limit::Hold, ip, now()).await.unwrap();
        }
        match limits.check(Limit::Hold, ip, now()).await {
            Err(AppError::RateLimited { retry_after }) => assert!((1..=20).contains(&retry_after)),
            other => panic!("expected rate_limited, got {other:?}"),
        }
        // Another client is not affected, nor is another kind of request.
        limits
            .check(Limit::Hold, "10.0.0.2".parse().unwrap(), now())
            .await
            .unwrap();
        limits.check(Limit::Login, ip, now()).await.unwrap();
    }

    #[tokio::test]
    async fn zero_turns_a_limit_off() {
        let limits = RateLimits::new(&settings(0), None);
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        for _ in 0..1000 {
            limits.check(Limit::Hold, ip, now()).await.unwrap();
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

    #[tokio::test]
    async fn ipv6_clients_are_keyed_by_their_64() {
        assert_eq!(
            client_key(ip("2001:db8:1:2:aaaa:bbbb:cccc:dddd")),
            ip("2001:db8:1:2::")
        );
        assert_eq!(client_key(ip("::ffff:10.0.0.1")), ip("10.0.0.1"));
        assert_eq!(client_key(ip("10.0.0.1")), ip("10.0.0.1"));
        // Two addresses of one /64 share one quota.
        let limits = RateLimits::new(&settings(1), None);
        limits
            .check(Limit::Hold, ip("2001:db8::1"), now())
            .await
            .unwrap();
        assert!(
            limits
                .check(Limit::Hold, ip("2001:db8::2"), now())
                .await
                .is_err()
        );
        limits
            .check(Limit::Hold, ip("2001:db8:0:1::1"), now())
            .await
            .unwrap();
    }
}
