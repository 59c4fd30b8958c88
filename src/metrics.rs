//! `GET /metrics`: what an operator's Prometheus scrapes, in its text
//! format (the `prometheus-client` crate).
//!
//! One set per process (a `static`, as a metrics registry usually is):
//! the HTTP layer counts requests and their latency per route (the route's
//! pattern, `/api/trips/{id}/seats/`, so ids never make new series), the
//! write road the size of each committed batch, the services the holds and
//! bookings made, the listener its reconnects and whether it is alone; open live streams are read
//! when the page is scraped. With `METRICS_TOKEN` set the page needs
//! `Authorization: Bearer <token>` (see `server::metrics_page`).

use std::sync::OnceLock;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Request {
    route: String,
    method: String,
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Route {
    route: String,
}

struct Metrics {
    registry: Registry,
    requests: Family<Request, Counter>,
    latency: Family<Route, Histogram, fn() -> Histogram>,
    batch: Histogram,
    holds: Counter,
    bookings: Counter,
    receipts: Counter,
    reconnects: Counter,
    alone: Gauge,
    streams: Gauge,
}

fn latency_histogram() -> Histogram {
    // 0.25 ms to ~8 s.
    Histogram::new(exponential_buckets(0.000_25, 2.0, 16))
}

fn metrics() -> &'static Metrics {
    static METRICS: OnceLock<Metrics> = OnceLock::new();
    METRICS.get_or_init(|| {
        let mut registry = Registry::with_prefix("kursi");
        let m = Metrics {
            requests: Family::default(),
            latency: Family::new_with_constructor(latency_histogram),
            batch: Histogram::new(exponential_buckets(1.0, 2.0, 7)),
            holds: Counter::default(),
            bookings: Counter::default(),
            receipts: Counter::default(),
            reconnects: Counter::default(),
            alone: Gauge::default(),
            streams: Gauge::default(),
            registry: Registry::default(),
        };
        registry.register(
            "http_requests",
            "HTTP requests by route, method and status",
            m.requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request, by route",
            m.latency.clone(),
        );
        registry.register(
            "write_batch_writes",
            "Writes committed together in one batch of the write road",
            m.batch.clone(),
        );
        registry.register("holds", "Seat hold requests that succeeded", m.holds.clone());
        registry.register(
            "bookings",
            "Holds booked (payment confirmed), each once",
            m.bookings.clone(),
        );
        registry.register(
            "receipts",
            "Payment receipts passengers sent that were stored",
            m.receipts.clone(),
        );
        registry.register(
            "listener_reconnects",
            "Times the listener for other instances' changes connected again after losing its connection",
            m.reconnects.clone(),
        );
        registry.register(
            "writes_alone",
            "1 while no other instance writes to the PostgreSQL database (reads then skip the sync point)",
            m.alone.clone(),
        );
        registry.register(
            "live_streams",
            "Live seat-map streams open now",
            m.streams.clone(),
        );
        Metrics { registry, ..m }
    })
}

/// One answered request: `route` is the matched route's pattern.
pub fn request(route: &str, method: &str, status: u16, seconds: f64) {
    let m = metrics();
    m.requests
        .get_or_create(&Request {
            route: route.to_string(),
            method: method.to_string(),
            status: status.to_string(),
        })
        .inc();
    m.latency
        .get_or_create(&Route {
            route: route.to_string(),
        })
        .observe(seconds);
}

/// A batch of `writes` committed.
pub fn batch_committed(writes: usize) {
    metrics().batch.observe(writes as f64);
}

pub fn hold_made() {
    metrics().holds.inc();
}

pub fn booking_made() {
    metrics().bookings.inc();
}

pub fn receipt_received() {
    metrics().receipts.inc();
}

pub fn listener_reconnected() {
    metrics().reconnects.inc();
}

/// Whether this instance writes alone on PostgreSQL (see `storage::peers`).
pub fn writes_alone(alone: bool) {
    metrics().alone.set(i64::from(alone));
}

/// The page, with `streams` live streams open now.
pub fn render(streams: usize) -> String {
    let m = metrics();
    m.streams.set(streams as i64);
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = prometheus_client::encoding::text::encode(&mut out, &m.registry);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_page_lists_what_was_counted() {
        super::request("/api/trips/{id}/seats/", "GET", 200, 0.002);
        super::batch_committed(3);
        let page = super::render(7);
        assert!(page.contains(
            r#"kursi_http_requests_total{route="/api/trips/{id}/seats/",method="GET",status="200"}"#
        ));
        assert!(page.contains("kursi_live_streams 7"));
        assert!(page.contains("kursi_write_batch_writes_count"));
        assert!(page.ends_with("# EOF\n"));
    }
}
