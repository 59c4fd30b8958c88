//! Passenger journeys against real server processes, and the check that
//! a database kept every booking they were told about: shared by
//! `tests/reliability.rs` (one process, killed and restarted) and
//! `tests/cluster.rs` (three processes on one PostgreSQL database).

#![allow(dead_code)]

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use kursi::storage::{self, Storage};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use tokio::sync::Mutex;

use super::process::ADMIN_KEY as KEY;

pub async fn admin_post(base: &str, path: &str, body: Value) -> reqwest::Result<reqwest::Response> {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
        .post(format!("{base}{path}"))
        .header("x-admin-key", KEY)
        .json(&body)
        .send()
        .await
}

pub async fn create_trips(base: &str, n: usize) -> Vec<i64> {
    let depart = (chrono::Utc::now() + chrono::Duration::days(10)).to_rfc3339();
    let mut ids = Vec::new();
    for i in 0..n {
        let trip: Value = admin_post(
            base,
            "/api/admin/trips/",
            json!({"route_from": format!("Kota {i}"), "route_to": "Tujuan", "depart_at": depart,
                   "price": 100000, "bus_type": "ECONOMY", "admin_wa": "081200001111"}),
        )
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
        ids.push(trip["id"].as_i64().unwrap());
    }
    ids
}

/// A booking the server acknowledged with a 200.
#[derive(Clone, Debug)]
pub struct Acked {
    pub code: String,
    pub seats: Vec<String>,
}

/// One passenger journey: hold, contact, then the admin books it.
/// Returns the booking when every step was acknowledged.
pub async fn journey(base: &str, trips: &[i64], rng: &mut StdRng) -> Option<Acked> {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let trip = trips[rng.random_range(0..trips.len())];
    let n = rng.random_range(1..=2);
    let mut seats: Vec<String> = (0..n)
        .map(|_| {
            format!(
                "{}{}",
                rng.random_range(1..=10),
                ["A", "B", "C", "D"][rng.random_range(0..4)]
            )
        })
        .collect();
    seats.sort();
    seats.dedup();
    let r = client
        .post(format!("{base}/api/seats/hold/"))
        .json(&json!({"trip_id": trip, "seats": seats}))
        .send()
        .await
        .ok()?;
    if !r.status().is_success() {
        assert!(r.status().is_client_error(), "hold answered {}", r.status());
        return None;
    }
    let wa = format!("0812{:08}", rng.random_range(0..100_000_000u32));
    let hold: Value = client
        .post(format!("{base}/api/hold/attach-contact/"))
        .json(&json!({"name": "Penumpang", "whatsapp": wa}))
        .send()
        .await
        .ok()?
        .json()
        .await
        .ok()?;
    let claim = hold["claim_code"].as_str()?.to_string();
    if rng.random_bool(0.2) {
        // Some passengers give up.
        let _ = client
            .post(format!("{base}/api/seats/release/"))
            .json(&json!({}))
            .send()
            .await;
        return None;
    }
    let r = admin_post(
        base,
        "/api/admin/generate-booking-code/",
        json!({"claim_code": claim}),
    )
    .await
    .ok()?;
    if r.status() != reqwest::StatusCode::OK {
        assert!(r.status().as_u16() < 500, "book answered {}", r.status());
        return None;
    }
    let booking: Value = r.json().await.ok()?;
    let mut seats: Vec<String> = booking["seats"]
        .as_array()?
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect();
    seats.sort();
    Some(Acked {
        code: booking["booking_code"].as_str()?.to_string(),
        seats,
    })
}

/// Runs `tasks` journeys in a loop until the server stops answering or
/// `stop` is set; every acknowledged booking lands in `acked`.
pub fn load(
    base: String,
    trips: Arc<Vec<i64>>,
    seed: u64,
    tasks: usize,
    acked: Arc<Mutex<Vec<Acked>>>,
) -> Vec<tokio::task::JoinHandle<()>> {
    (0..tasks)
        .map(|t| {
            let (base, trips, acked) = (base.clone(), trips.clone(), acked.clone());
            tokio::spawn(async move {
                let mut rng = StdRng::seed_from_u64(seed.wrapping_add(t as u64));
                loop {
                    if let Some(b) = journey(&base, &trips, &mut rng).await {
                        acked.lock().await.push(b);
                    }
                }
            })
        })
        .collect()
}

/// Checks the database at `url` of (running or stopped) servers: every
/// acknowledged booking is BOOKED with its seats, no seat is in two live
/// holds, the audit log replays to the stored seats, and SQLite finds no
/// corruption.
pub async fn check_database(url: &str, acked: &[Acked]) {
    let storage = Storage::open(url).await.unwrap();
    assert_eq!(storage.integrity_check().await.unwrap(), "ok");
    let mut tx = storage.snapshot().await.unwrap();
    for b in acked {
        let hold = storage::hold_by_booking_code(&mut tx, &b.code)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("acknowledged booking {} is lost", b.code));
        assert_eq!(hold.status, "BOOKED", "{}", b.code);
        let mut seats = storage::seat_codes_of_hold(&mut tx, hold.id).await.unwrap();
        seats.sort();
        assert_eq!(seats, b.seats, "{}", b.code);
    }
    let now = storage::to_ms(chrono::Utc::now());
    let mut live = HashSet::new();
    for s in storage::live_hold_seats(&mut tx, now).await.unwrap() {
        assert!(
            live.insert((s.trip_id, s.code.clone())),
            "{} in two live holds",
            s.code
        );
    }
    // Replay: hold → HOLD, release/expire/cancel → AVAILABLE, book → BOOKED.
    let mut replay: HashMap<(i64, String), (String, Option<i64>)> = HashMap::new();
    for a in storage::audit_log(&mut tx).await.unwrap() {
        let next = match a.action.as_str() {
            "hold" => ("HOLD", a.hold_id),
            "book" => ("BOOKED", a.hold_id),
            "release" | "expire" | "cancel" => ("AVAILABLE", None),
            _ => continue,
        };
        for seat in a.seats.split_whitespace() {
            replay.insert((a.trip_id, seat.to_string()), (next.0.to_string(), next.1));
        }
    }
    for s in storage::stored_seats(&mut tx).await.unwrap() {
        let want = replay
            .get(&(s.trip_id, s.code.clone()))
            .cloned()
            .unwrap_or(("AVAILABLE".into(), None));
        assert_eq!(
            (s.status, s.hold_id),
            want,
            "seat {} of trip {}",
            s.code,
            s.trip_id
        );
    }
    tx.finish().await.unwrap();
    storage.close().await;
}
