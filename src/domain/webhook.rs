//! Webhooks: what the operator's other systems (a bookkeeping sheet, a
//! WhatsApp bot, a dispatcher's board) are told as holds and bookings
//! change, and how they can trust that Kursi told them.
//!
//! An event is a small JSON document sent by `POST` to each endpoint an
//! admin registered. The receiver proves it came from Kursi with the
//! endpoint's secret: the header `Kursi-Signature: t=<unix seconds>,v1=<hex>`
//! carries HMAC-SHA256 over `<t>.<raw body>`. The time is inside the
//! signature, so a receiver that refuses old times (five minutes is usual)
//! cannot be fooled by a recorded request sent again.
//!
//! Deliveries are retried with growing pauses ([`retry_after`]) and
//! given up after [`MAX_ATTEMPTS`]; the rules are here, as pure functions,
//! and the sending is the server's.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::{AppError, HoldStatus};

/// The kinds of event, as their `type` field names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum WebhookEvent {
    /// A passenger left a name and WhatsApp number: the hold awaits payment.
    #[serde(rename = "hold.contact_attached")]
    ContactAttached,
    /// An admin confirmed the payment; the hold is a booking.
    #[serde(rename = "booking.confirmed")]
    BookingConfirmed,
    /// An admin cancelled a booking; its seats are free again.
    #[serde(rename = "booking.cancelled")]
    BookingCancelled,
    /// A hold ran out of time unpaid; its seats are free again.
    #[serde(rename = "hold.expired")]
    HoldExpired,
}

impl WebhookEvent {
    pub const ALL: [WebhookEvent; 4] = [
        WebhookEvent::ContactAttached,
        WebhookEvent::BookingConfirmed,
        WebhookEvent::BookingCancelled,
        WebhookEvent::HoldExpired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            WebhookEvent::ContactAttached => "hold.contact_attached",
            WebhookEvent::BookingConfirmed => "booking.confirmed",
            WebhookEvent::BookingCancelled => "booking.cancelled",
            WebhookEvent::HoldExpired => "hold.expired",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == s)
    }
}

/// The hold an event is about, as the event's `data` carries it: what it
/// was when the change was made (a later change is another event).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct EventHold {
    pub trip_id: i64,
    pub route_from: String,
    pub route_to: String,
    pub depart_at: DateTime<Utc>,
    pub seats: Vec<String>,
    pub status: HoldStatus,
    pub name: Option<String>,
    pub whatsapp: Option<String>,
    pub claim_code: Option<String>,
    pub booking_code: Option<String>,
    /// Rupiah to transfer (seats × price plus `unique_code`).
    pub amount_due: i64,
    pub unique_code: Option<i64>,
    pub expires_at: DateTime<Utc>,
    /// Where its passengers get on and off (trips with stops, once chosen).
    #[serde(default)]
    pub board: Option<super::StopAt>,
    #[serde(default)]
    pub alight: Option<super::StopAt>,
    /// Who sits in each seat (once contact is attached; the contact
    /// person for a seat nobody else was named for).
    #[serde(default)]
    pub passengers: Vec<super::Passenger>,
}

/// The JSON body of one event, the same for every endpoint: `id` (one per
/// event, so a receiver can tell a retry from a new event), `type`,
/// `created_at` and `data`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct EventBody {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: WebhookEvent,
    pub created_at: DateTime<Utc>,
    pub data: EventHold,
}

impl EventBody {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("an event serializes")
    }
}

/// Attempts of one delivery before it is given up (about a day of pauses
/// in all).
pub const MAX_ATTEMPTS: u32 = 12;

/// The pause after the `attempt`-th failed attempt (1-based): 10 s, 30 s,
/// 1 min, 5 min, 15 min, 30 min, then doubling from 1 h to 8 h; `None` once
/// [`MAX_ATTEMPTS`] have failed.
pub fn retry_after(attempt: u32) -> Option<Duration> {
    const PAUSES: [i64; 11] = [10, 30, 60, 300, 900, 1800, 3600, 7200, 14400, 28800, 28800];
    if attempt == 0 || attempt >= MAX_ATTEMPTS {
        return None;
    }
    PAUSES
        .get(attempt as usize - 1)
        .map(|s| Duration::seconds(*s))
}

/// A delivery's state, as the admin's list shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DeliveryStatus {
    /// Waiting for its first attempt or its next one.
    Pending,
    /// The endpoint answered 2xx.
    Delivered,
    /// Every attempt failed; an admin may send it again.
    Failed,
}

/// A registered endpoint as the admin sees it (its secret is shown once,
/// when it is added).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WebhookEndpoint {
    pub id: i64,
    pub url: String,
    pub added_by: String,
    pub added_at: DateTime<Utc>,
}

/// A new endpoint as an admin types it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewWebhookEndpoint {
    /// `http://` or `https://`, at most 500 characters.
    pub url: String,
}

/// An endpoint just added, with the secret its receiver checks signatures
/// with: shown this once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CreatedWebhookEndpoint {
    pub endpoint: WebhookEndpoint,
    pub secret: String,
}

/// One event's delivery to one endpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WebhookDelivery {
    pub id: i64,
    pub endpoint_id: i64,
    pub event: WebhookEvent,
    pub hold_id: i64,
    pub created_at: DateTime<Utc>,
    pub status: DeliveryStatus,
    pub attempts: i64,
    /// When the next attempt is due (pending deliveries only).
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// The last attempt's HTTP status, if the endpoint answered.
    pub last_status: Option<i64>,
    /// Why the last attempt got no answer (`timed out`, `could not connect`).
    pub last_error: Option<String>,
}

/// The admin's view: live endpoints and the latest deliveries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Webhooks {
    pub endpoints: Vec<WebhookEndpoint>,
    /// Newest first, at most 200.
    pub deliveries: Vec<WebhookDelivery>,
}

/// Checks an endpoint's address as an admin typed it: an absolute `http`
/// or `https` URL with a host, no user name or password in it, no
/// fragment, at most 500 characters. Returns it trimmed.
pub fn check_endpoint_url(url: &str) -> Result<String, AppError> {
    let url = url.trim();
    let bad = || {
        AppError::invalid(
            "The address must be an http:// or https:// URL with a host (at most 500 characters).",
        )
    };
    if url.len() > 500 || url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(bad());
    }
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(bad)?;
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    if authority.is_empty() || authority.contains('@') || url.contains('#') {
        return Err(bad());
    }
    let host = match authority.rsplit_once(':') {
        Some((host, port)) if !authority.ends_with(']') => {
            if port.is_empty() || port.parse::<u16>().is_err() {
                return Err(bad());
            }
            host
        }
        _ => authority,
    };
    if host.is_empty() {
        return Err(bad());
    }
    Ok(url.to_string())
}

/// The value of the `Kursi-Signature` header for `body` sent at `timestamp`
/// (unix seconds) to an endpoint with `secret`.
#[cfg(feature = "ssr")]
pub fn signature_header(secret: &str, timestamp: i64, body: &[u8]) -> String {
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac(secret, timestamp, body))
    )
}

#[cfg(feature = "ssr")]
fn mac(secret: &str, timestamp: i64, body: &[u8]) -> Vec<u8> {
    use hmac::{Hmac, Mac};
    let mut mac =
        <Hmac<sha2::Sha256> as Mac>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize().into_bytes().to_vec()
}

/// What a receiver does with the header (here for the tests and as the
/// documented recipe): true when it is a signature of `body` by `secret`
/// made at most `tolerance` seconds away from `now` (unix seconds).
#[cfg(feature = "ssr")]
pub fn verify_signature(secret: &str, header: &str, body: &[u8], now: i64, tolerance: i64) -> bool {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", v)) => signatures.extend(hex::decode(v).ok()),
            _ => {}
        }
    }
    let Some(t) = timestamp else {
        return false;
    };
    if (now - t).abs() > tolerance {
        return false;
    }
    let expected = mac(secret, t, body);
    signatures.iter().any(|s| {
        use subtle::ConstantTimeEq;
        s.ct_eq(&expected).into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_names_read_back() {
        for e in WebhookEvent::ALL {
            assert_eq!(WebhookEvent::parse(e.as_str()), Some(e));
            let json = serde_json::to_string(&e).unwrap();
            assert_eq!(json, format!("\"{}\"", e.as_str()));
        }
        assert_eq!(WebhookEvent::parse("booking.created"), None);
    }

    #[test]
    fn retries_pause_longer_and_end() {
        assert_eq!(retry_after(0), None);
        assert_eq!(retry_after(1), Some(Duration::seconds(10)));
        let pauses: Vec<_> = (1..MAX_ATTEMPTS).map(|a| retry_after(a).unwrap()).collect();
        assert!(pauses.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(retry_after(MAX_ATTEMPTS), None);
        let total: i64 = pauses.iter().map(|d| d.num_seconds()).sum();
        assert!(total > 20 * 3600 && total < 30 * 3600, "{total}");
    }

    #[test]
    fn endpoint_urls() {
        for good in [
            "https://example.com/hooks/kursi",
            "http://127.0.0.1:8080/",
            "  https://sheet.example.co.id?x=1  ",
            "http://[::1]:9000/x",
        ] {
            assert!(check_endpoint_url(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "ftp://example.com/",
            "https://",
            "https://user:pw@example.com/",
            "https://example.com:/",
            "https://example.com:99999/",
            "https://example.com/#frag",
            "https://exa mple.com/",
            "javascript:alert(1)",
            "/relative",
        ] {
            assert!(check_endpoint_url(bad).is_err(), "{bad}");
        }
        assert!(check_endpoint_url(&format!("https://e.com/{}", "a".repeat(500))).is_err());
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn signatures_verify_and_refuse_what_changed() {
        let body = br#"{"type":"booking.confirmed"}"#;
        let header = signature_header("whsec_one", 1_700_000_000, body);
        assert!(header.starts_with("t=1700000000,v1="));
        assert!(verify_signature(
            "whsec_one",
            &header,
            body,
            1_700_000_100,
            300
        ));
        // Another secret, another body, a replay too late, a forged time.
        assert!(!verify_signature(
            "whsec_two",
            &header,
            body,
            1_700_000_100,
            300
        ));
        assert!(!verify_signature(
            "whsec_one",
            &header,
            b"{}",
            1_700_000_100,
            300
        ));
        assert!(!verify_signature(
            "whsec_one",
            &header,
            body,
            1_700_000_301,
            300
        ));
        let forged = header.replace("t=1700000000", "t=1700000200");
        assert!(!verify_signature(
            "whsec_one",
            &forged,
            body,
            1_700_000_200,
            300
        ));
        assert!(!verify_signature(
            "whsec_one",
            "v1=00",
            body,
            1_700_000_000,
            300
        ));
    }
}
