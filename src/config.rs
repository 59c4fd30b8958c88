//! Configuration (SPEC §4), read once from the environment into [`Settings`].
//!
//! Secrets are wrapped in [`Secret`], whose `Debug` never shows the value, so
//! logging the settings is safe.

use std::fmt;
use std::net::SocketAddr;

use chrono::Duration;
use chrono_tz::Tz;

use crate::domain::HoldPolicy;

/// A value that must never be printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Clone, Debug)]
pub struct Settings {
    /// `DATABASE_URL`: `sqlite://path` (default `sqlite://data/kursi.db`) or
    /// `postgres://user@host:port/database`.
    pub database_url: String,
    /// `DATABASE_READ_CONNECTIONS` (PostgreSQL): connections for reads,
    /// default 8; each instance opens these plus one for the write road.
    pub database_read_connections: u32,
    /// Hold timing and limits (`HOLD_MINUTES`, `CONTACT_HOLD_MINUTES`,
    /// `MAX_HOLD_MINUTES`, `MAX_SEATS_PER_HOLD`,
    /// `MAX_ACTIVE_HOLDS_PER_WHATSAPP`, `MAX_HELD_SEATS_PER_IP`: live held
    /// seats of one trip from one client address, an IPv6 /64 counting as
    /// one; 0 turns it off).
    pub policy: HoldPolicy,
    /// `SESSION_TTL_MINUTES`: max age of the hold cookie.
    pub session_ttl: Duration,
    /// `STAFF_SESSION_MINUTES`: how long a staff sign-in lasts (default 720).
    pub staff_session_ttl: Duration,
    /// `DISPLAY_TZ`: the time zone departures are shown in.
    pub display_tz: Tz,
    /// `LEPTOS_SITE_ADDR`: where the server listens.
    pub site_addr: SocketAddr,
    /// Per-IP limits per minute (`HOLD_RATE_PER_MINUTE`,
    /// `CLAIM_RATE_PER_MINUTE`, `LOGIN_RATE_PER_MINUTE`); 0 turns one off.
    pub hold_rate_per_minute: u32,
    pub claim_rate_per_minute: u32,
    pub login_rate_per_minute: u32,
    /// `LOOKUP_RATE_PER_MINUTE`: booking lookups (`/api/bookings/…`,
    /// `/ticket/…`) per IP per minute; 0 turns it off.
    pub lookup_rate_per_minute: u32,
    /// `TRUST_PROXY`: take the client IP from `X-Forwarded-For`, but only
    /// from a peer in `trusted_proxies`.
    pub trust_proxy: bool,
    /// `TRUSTED_PROXIES`: comma-separated CIDRs of the proxies whose
    /// `X-Forwarded-For` is believed (default loopback only).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// `PUBLIC_URL`: this site's own origin as browsers see it (for example
    /// `https://tiket.example.co.id`); links in messages use it, and writes
    /// must come from it. Unset: the request's `Host` (development).
    pub public_url: Option<String>,
    /// `SESSION_SECRET`: the key that signs passenger session tokens. Unset:
    /// a random key generated once and kept in the database.
    pub session_secret: Option<Secret>,
    /// `MAX_CONNECTIONS`: open client connections at once (the accept loop
    /// waits beyond it); lowered to fit the open-file limit.
    pub max_connections: usize,
    /// `HEADER_TIMEOUT_SECONDS`: a client must send a request's headers
    /// (and, on a kept-alive connection, its next request) within this.
    pub header_timeout: std::time::Duration,
    /// `BODY_TIMEOUT_SECONDS`: and its body within this.
    pub body_timeout: std::time::Duration,
    /// `MAX_STREAMS` / `MAX_STREAMS_PER_IP`: live seat-map streams (SSE).
    pub max_streams: usize,
    pub max_streams_per_ip: usize,
    /// `PASSWORD_HASH_CONCURRENCY`: Argon2 verifications at once (each
    /// takes ~19 MiB); sign-ins beyond it get 429 with `Retry-After`.
    pub password_hash_concurrency: usize,
    /// `ADMIN_API_KEY`: enables `X-ADMIN-KEY` authentication when set.
    pub admin_api_key: Option<Secret>,
    /// `METRICS_TOKEN`: when set, `GET /metrics` needs
    /// `Authorization: Bearer <token>`; unset, it is open.
    pub metrics_token: Option<Secret>,
    /// `ADMIN_USERNAME` / `ADMIN_PASSWORD`: the bootstrap staff account.
    pub admin_username: String,
    pub admin_password: Option<Secret>,
    /// `CORS_ORIGINS`: comma-separated origins allowed with credentials.
    pub cors_origins: Vec<String>,
    /// `COOKIE_SECURE`: mark cookies `Secure` (behind HTTPS).
    pub cookie_secure: bool,
    /// `SEED_DEMO`: seed demo trips into an empty database (default true).
    pub seed_demo: bool,
    /// `UPLOAD_RATE_PER_MINUTE`: receipts sent per IP per minute (default
    /// 10); 0 turns it off.
    pub upload_rate_per_minute: u32,
    /// `RECEIPTS_DIR`: where receipt files are kept (default
    /// `data/receipts`), outside the web root; instances sharing a database
    /// share it too.
    pub receipts_dir: std::path::PathBuf,
    /// `RECEIPT_KEEP_DAYS`: a hold's receipts are removed this many days
    /// after its trip departed (default 30).
    pub receipt_keep_days: u32,
    /// `WEBHOOK_KEEP_DAYS`: webhook deliveries sent or given up are removed
    /// this many days after their event (default 30).
    pub webhook_keep_days: u32,
    /// `SCHEDULE_DAYS_AHEAD`: schedules' trips are made this many days
    /// ahead (default 30, at most 120).
    pub schedule_days_ahead: u32,
    /// `SWEEP_SECONDS`: how often the background sweep tidies expired holds.
    pub sweep_interval: std::time::Duration,
    /// `SHUTDOWN_GRACE_SECONDS`: how long in-flight requests may finish
    /// after SIGTERM before the server closes them (default 10).
    pub shutdown_grace: std::time::Duration,
}

#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(String);

impl Settings {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Reads settings through `get`, so tests can pass a map.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |k: &str| {
            get(k)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let minutes = |k: &str, default: f64| -> Result<Duration, ConfigError> {
            let m = match get(k) {
                Some(v) => v
                    .parse::<f64>()
                    .map_err(|_| ConfigError(format!("{k} must be a number of minutes")))?,
                None => default,
            };
            if !(m.is_finite() && m > 0.0 && m < 60.0 * 24.0 * 366.0) {
                return Err(ConfigError(format!(
                    "{k} must be a positive number of minutes"
                )));
            }
            Ok(Duration::milliseconds((m * 60_000.0).round() as i64))
        };
        let number = |k: &str, default: u32| -> Result<u32, ConfigError> {
            match get(k) {
                Some(v) => v
                    .parse()
                    .map_err(|_| ConfigError(format!("{k} must be a whole number"))),
                None => Ok(default),
            }
        };
        let flag = |k: &str, default: bool| -> Result<bool, ConfigError> {
            match get(k).map(|v| v.to_ascii_lowercase()) {
                None => Ok(default),
                Some(v) if ["1", "true", "yes", "on"].contains(&v.as_str()) => Ok(true),
                Some(v) if ["0", "false", "no", "off"].contains(&v.as_str()) => Ok(false),
                Some(_) => Err(ConfigError(format!("{k} must be true or false"))),
            }
        };

        let policy = HoldPolicy {
            hold: minutes("HOLD_MINUTES", 10.0)?,
            contact_hold: minutes("CONTACT_HOLD_MINUTES", 30.0)?,
            max_hold: minutes("MAX_HOLD_MINUTES", 120.0)?,
            max_seats: number("MAX_SEATS_PER_HOLD", 4)?.max(1),
            max_active_per_whatsapp: number("MAX_ACTIVE_HOLDS_PER_WHATSAPP", 2)?.max(1),
            max_held_seats_per_client: number("MAX_HELD_SEATS_PER_IP", 12)?,
            unique_codes: if flag("UNIQUE_AMOUNTS", true)? {
                let (min, max) = (
                    number("UNIQUE_CODE_MIN", 1)?,
                    number("UNIQUE_CODE_MAX", 999)?,
                );
                Some(
                    crate::domain::UniqueCodes::new(i64::from(min), i64::from(max))
                        .map_err(|e| ConfigError(format!("UNIQUE_CODE_MIN/MAX: {e}")))?,
                )
            } else {
                None
            },
        };
        let display_tz: Tz = get("DISPLAY_TZ")
            .unwrap_or_else(|| "Asia/Jakarta".into())
            .parse()
            .map_err(|_| ConfigError("DISPLAY_TZ must be an IANA time zone".into()))?;
        let site_addr = get("LEPTOS_SITE_ADDR")
            .unwrap_or_else(|| "127.0.0.1:3000".into())
            .parse()
            .map_err(|_| ConfigError("LEPTOS_SITE_ADDR must be host:port".into()))?;
        let cors_origins = get("CORS_ORIGINS")
            .unwrap_or_else(|| "http://localhost:5173,http://localhost:3000".into())
            .split(',')
            .map(|s| s.trim().trim_end_matches('/').to_string())
            .filter(|s| !s.is_empty())
            .collect();
        let seconds = |k: &str, default: f64| -> Result<std::time::Duration, ConfigError> {
            let v = match get(k) {
                Some(v) => v
                    .parse::<f64>()
                    .map_err(|_| ConfigError(format!("{k} must be a number of seconds")))?,
                None => default,
            };
            if !(v.is_finite() && v > 0.0 && v < 86_400.0) {
                return Err(ConfigError(format!(
                    "{k} must be a positive number of seconds"
                )));
            }
            Ok(std::time::Duration::from_secs_f64(v))
        };
        let sweep_seconds = get("SWEEP_SECONDS")
            .map(|v| v.parse::<f64>())
            .transpose()
            .map_err(|_| ConfigError("SWEEP_SECONDS must be a number".into()))?
            .unwrap_or(5.0);
        if !(sweep_seconds.is_finite() && sweep_seconds > 0.0) {
            return Err(ConfigError("SWEEP_SECONDS must be positive".into()));
        }

        Ok(Self {
            database_url: get("DATABASE_URL").unwrap_or_else(|| "sqlite://data/kursi.db".into()),
            database_read_connections: match number("DATABASE_READ_CONNECTIONS", 8)? {
                0 => {
                    return Err(ConfigError(
                        "DATABASE_READ_CONNECTIONS must be at least 1".into(),
                    ));
                }
                n => n,
            },
            policy,
            session_ttl: minutes("SESSION_TTL_MINUTES", 60.0)?,
            staff_session_ttl: minutes("STAFF_SESSION_MINUTES", 720.0)?,
            display_tz,
            site_addr,
            hold_rate_per_minute: number("HOLD_RATE_PER_MINUTE", 30)?,
            claim_rate_per_minute: number("CLAIM_RATE_PER_MINUTE", 10)?,
            login_rate_per_minute: number("LOGIN_RATE_PER_MINUTE", 5)?,
            lookup_rate_per_minute: number("LOOKUP_RATE_PER_MINUTE", 20)?,
            upload_rate_per_minute: number("UPLOAD_RATE_PER_MINUTE", 10)?,
            receipts_dir: get("RECEIPTS_DIR")
                .unwrap_or_else(|| "data/receipts".into())
                .into(),
            receipt_keep_days: number("RECEIPT_KEEP_DAYS", 30)?,
            webhook_keep_days: number("WEBHOOK_KEEP_DAYS", 30)?,
            schedule_days_ahead: number("SCHEDULE_DAYS_AHEAD", 30)?
                .min(crate::domain::schedule::MAX_HORIZON_DAYS),
            trust_proxy: flag("TRUST_PROXY", false)?,
            trusted_proxies: get("TRUSTED_PROXIES")
                .unwrap_or_else(|| "127.0.0.0/8,::1/128".into())
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| {
                    s.parse::<ipnet::IpNet>()
                        .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                        .map_err(|_| {
                            ConfigError(format!("TRUSTED_PROXIES: {s:?} is not an address or CIDR"))
                        })
                })
                .collect::<Result<_, _>>()?,
            public_url: get("PUBLIC_URL").map(|u| public_origin(&u)).transpose()?,
            session_secret: match get("SESSION_SECRET") {
                Some(s) if s.len() < 32 => {
                    return Err(ConfigError(
                        "SESSION_SECRET must have at least 32 characters".into(),
                    ));
                }
                other => other.map(Secret::new),
            },
            max_connections: number("MAX_CONNECTIONS", 4096)?.max(16) as usize,
            header_timeout: seconds("HEADER_TIMEOUT_SECONDS", 10.0)?,
            body_timeout: seconds("BODY_TIMEOUT_SECONDS", 15.0)?,
            max_streams: number("MAX_STREAMS", 10_000)? as usize,
            max_streams_per_ip: number("MAX_STREAMS_PER_IP", 32)? as usize,
            password_hash_concurrency: number("PASSWORD_HASH_CONCURRENCY", 2)?.max(1) as usize,
            admin_api_key: get("ADMIN_API_KEY").map(Secret::new),
            metrics_token: get("METRICS_TOKEN").map(Secret::new),
            admin_username: get("ADMIN_USERNAME").unwrap_or_else(|| "admin".into()),
            admin_password: get("ADMIN_PASSWORD").map(Secret::new),
            cors_origins,
            cookie_secure: flag("COOKIE_SECURE", false)?,
            seed_demo: flag("SEED_DEMO", true)?,
            sweep_interval: std::time::Duration::from_secs_f64(sweep_seconds),
            shutdown_grace: std::time::Duration::from_secs(
                number("SHUTDOWN_GRACE_SECONDS", 10)?.into(),
            ),
        })
    }

    /// Settings for tests: defaults, an in-memory-like temp database given by
    /// the caller, and rate limits off.
    pub fn for_tests(database_url: impl Into<String>) -> Self {
        let mut s = Self::from_lookup(|_| None).expect("defaults are valid");
        s.database_url = database_url.into();
        s.hold_rate_per_minute = 0;
        s.claim_rate_per_minute = 0;
        s.login_rate_per_minute = 0;
        s.lookup_rate_per_minute = 0;
        s.upload_rate_per_minute = 0;
        // Each test's receipts in a folder of their own.
        s.receipts_dir = std::env::temp_dir().join(format!(
            "kursi-test-receipts-{:016x}",
            rand::random::<u64>()
        ));
        s.policy.max_held_seats_per_client = 0;
        s.seed_demo = false;
        s
    }
}

impl Settings {
    /// This site's origin for links in messages: `PUBLIC_URL`, or in
    /// development the listen address.
    pub fn public_origin(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.site_addr))
    }

    /// Connections to open on PostgreSQL.
    pub fn pool_sizes(&self) -> crate::storage::PoolSizes {
        crate::storage::PoolSizes {
            read: self.database_read_connections,
        }
    }
}

/// `PUBLIC_URL` as an origin: `scheme://host[:port]`, http or https, no path.
fn public_origin(url: &str) -> Result<String, ConfigError> {
    let bad = || {
        ConfigError(format!(
            "PUBLIC_URL must look like https://tiket.example.co.id, not {url:?}"
        ))
    };
    let uri: http::Uri = url.parse().map_err(|_| bad())?;
    let scheme = uri
        .scheme_str()
        .filter(|s| *s == "http" || *s == "https")
        .ok_or_else(bad)?;
    let authority = uri.authority().ok_or_else(bad)?;
    if authority.as_str().contains('@') || !matches!(uri.path(), "" | "/") || uri.query().is_some()
    {
        return Err(bad());
    }
    Ok(format!(
        "{scheme}://{}",
        authority.as_str().to_ascii_lowercase()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn with(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_follow_the_spec() {
        let s = with(&[]).unwrap();
        assert_eq!(s.policy, HoldPolicy::default());
        assert_eq!(s.session_ttl, Duration::minutes(60));
        assert_eq!(s.display_tz, chrono_tz::Asia::Jakarta);
        assert_eq!(s.site_addr.to_string(), "127.0.0.1:3000");
        assert_eq!(
            s.cors_origins,
            ["http://localhost:5173", "http://localhost:3000"]
        );
        assert!(s.admin_api_key.is_none());
    }

    #[test]
    fn minutes_accept_fractions() {
        let s = with(&[("HOLD_MINUTES", "0.1")]).unwrap();
        assert_eq!(s.policy.hold, Duration::seconds(6));
    }

    #[test]
    fn nonsense_is_refused() {
        assert!(with(&[("HOLD_MINUTES", "-1")]).is_err());
        assert!(with(&[("HOLD_MINUTES", "ten")]).is_err());
        assert!(with(&[("DISPLAY_TZ", "Mars/Olympus")]).is_err());
        assert!(with(&[("COOKIE_SECURE", "maybe")]).is_err());
        assert!(with(&[("UNIQUE_CODE_MAX", "1000")]).is_err());
        assert!(with(&[("UNIQUE_CODE_MIN", "0")]).is_err());
        assert_eq!(
            with(&[("UNIQUE_AMOUNTS", "off"), ("UNIQUE_CODE_MAX", "1000")])
                .unwrap()
                .policy
                .unique_codes,
            None
        );
        assert_eq!(
            with(&[("UNIQUE_CODE_MIN", "100"), ("UNIQUE_CODE_MAX", "199")])
                .unwrap()
                .policy
                .unique_codes,
            Some(crate::domain::UniqueCodes::new(100, 199).unwrap())
        );
    }

    #[test]
    fn public_url_is_an_origin() {
        let s = with(&[("PUBLIC_URL", "https://Tiket.Example.co.id/")]).unwrap();
        assert_eq!(s.public_url.as_deref(), Some("https://tiket.example.co.id"));
        assert!(with(&[("PUBLIC_URL", "javascript:alert(1)")]).is_err());
        assert!(with(&[("PUBLIC_URL", "https://a.example/path")]).is_err());
        assert!(with(&[("PUBLIC_URL", "https://user@a.example")]).is_err());
    }

    #[test]
    fn trusted_proxies_are_cidrs() {
        let s = with(&[("TRUSTED_PROXIES", "10.0.0.0/8, 192.168.1.7")]).unwrap();
        assert_eq!(s.trusted_proxies.len(), 2);
        assert!(with(&[("TRUSTED_PROXIES", "everyone")]).is_err());
        assert!(with(&[("SESSION_SECRET", "short")]).is_err());
    }

    #[test]
    fn secrets_never_print() {
        let s = with(&[("ADMIN_API_KEY", "hunter2"), ("ADMIN_PASSWORD", "pw-123")]).unwrap();
        let printed = format!("{s:?}");
        assert!(!printed.contains("hunter2"));
        assert!(!printed.contains("pw-123"));
    }
}
