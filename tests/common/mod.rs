//! Shared helpers: a fresh SQLite database per test, trips, sessions, time.

#![allow(dead_code)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use kursi::domain::{BusType, ClaimCode, CustomerName, HoldPolicy, SeatCode, WhatsApp};
use kursi::services::{Actor, NewTripInput, Service, SessionKey, new_token};
use kursi::storage::Storage;

/// A service over its own temporary database, deleted with it.
pub struct TestDb {
    pub service: Service,
    _dir: tempfile::TempDir,
}

pub async fn fresh() -> TestDb {
    fresh_with(HoldPolicy::default()).await
}

pub async fn fresh_with(policy: HoldPolicy) -> TestDb {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("kursi.db").display());
    let storage = Storage::open(&url).await.expect("open database");
    TestDb {
        service: Service::new(storage, policy, chrono_tz::Asia::Jakarta),
        _dir: dir,
    }
}

/// A fixed start time; tests move time by adding to it.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 1, 0, 0).unwrap()
}

pub fn mins(m: i64) -> Duration {
    Duration::minutes(m)
}

pub fn secs(s: i64) -> Duration {
    Duration::seconds(s)
}

pub fn session() -> SessionKey {
    SessionKey::from_token(&new_token()).unwrap()
}

pub fn seats(codes: &[&str]) -> Vec<SeatCode> {
    codes.iter().map(|c| SeatCode::parse(c).unwrap()).collect()
}

pub fn admin() -> Actor {
    Actor::Staff("tester".into())
}

pub fn name(n: &str) -> CustomerName {
    CustomerName::parse(n).unwrap()
}

pub fn wa(n: &str) -> WhatsApp {
    WhatsApp::parse(n).unwrap()
}

pub fn claim(code: &Option<ClaimCode>) -> ClaimCode {
    code.clone().expect("the hold has a claim code")
}

/// Creates a trip departing a week after `t0`.
pub async fn trip(service: &Service, bus_type: BusType) -> i64 {
    let input = NewTripInput {
        route_from: "Jakarta".into(),
        route_to: "Bandung".into(),
        depart_at: t0() + Duration::days(7),
        price: 150_000,
        bus_type,
        admin_wa: "081200001111".into(),
    };
    service.create_trip(&admin(), &input, t0()).await.unwrap().id
}
