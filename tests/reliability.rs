//! Reliability against a real server process: `kill -9` at random moments
//! under load, SIGTERM with requests in flight, an online backup, and holds
//! expiring across a restart with no sweep.
//!
//! The server is the binary in `KURSI_BIN` (the test command passes the
//! release build) or, by default, this crate's own `kursi` binary (see
//! `common/process.rs`). The seed is printed; `CRASH_SEED=<n>` replays a run.

#![cfg(feature = "ssr")]

use std::collections::HashSet;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use tokio::sync::Mutex;

#[path = "common/process.rs"]
mod process;

#[path = "common/journeys.rs"]
mod journeys;

use journeys::{check_database, create_trips, load};
use process::{ADMIN_KEY as KEY, Server, binary, db_url, free_port};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_under_load_loses_no_acknowledged_booking() {
    let seed: u64 = std::env::var("CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random);
    let kills: usize = std::env::var("CRASH_KILLS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(12);
    println!(
        "CRASH_SEED={seed} CRASH_KILLS={kills} server={}",
        binary().display()
    );
    let mut rng = StdRng::seed_from_u64(seed);
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut server = Server::start(dir.path(), port, &[]).await;
    let trips = Arc::new(create_trips(&server.base, 30).await);
    let acked = Arc::new(Mutex::new(Vec::new()));
    for round in 0..kills {
        let tasks = load(
            server.base.clone(),
            trips.clone(),
            rng.random(),
            6,
            acked.clone(),
        );
        tokio::time::sleep(Duration::from_millis(rng.random_range(300..1500))).await;
        server.kill_9();
        for t in tasks {
            t.abort();
        }
        let before = acked.lock().await.len();
        server = Server::start(dir.path(), port, &[]).await;
        let all = acked.lock().await.clone();
        check_database(&db_url(dir.path()), &all).await;
        println!(
            "kill {}: {before} acknowledged bookings, all intact",
            round + 1
        );
    }
    let total = acked.lock().await.len();
    assert!(
        total > kills,
        "the load booked too little to prove anything ({total})"
    );
    println!("{kills} kills survived, {total} acknowledged bookings, none lost");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_finishes_in_flight_requests_and_exits_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let server = Server::start(dir.path(), port, &[("SHUTDOWN_GRACE_SECONDS", "5")]).await;
    let trips = Arc::new(create_trips(&server.base, 10).await);
    // A live-update stream stays open across the shutdown.
    let events = reqwest::get(format!("{}/api/trips/{}/events/", server.base, trips[0]))
        .await
        .unwrap();
    assert!(events.status().is_success());
    let acked = Arc::new(Mutex::new(Vec::new()));
    let tasks = load(server.base.clone(), trips.clone(), 7, 6, acked.clone());
    tokio::time::sleep(Duration::from_millis(800)).await;
    let signalled = Instant::now();
    server.sigterm();
    let mut server = server;
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            signalled.elapsed() < Duration::from_secs(15),
            "the server did not stop after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    println!("stopped {:?} after SIGTERM", signalled.elapsed());
    assert!(status.success(), "exit status {status}");
    // The event stream ended instead of holding the shutdown up.
    let body = tokio::time::timeout(Duration::from_secs(5), events.text()).await;
    assert!(body.is_ok(), "the event stream did not end");
    for t in tasks {
        t.abort();
    }
    let all = acked.lock().await.clone();
    assert!(!all.is_empty());
    // The WAL was checkpointed: the main file alone has every booking.
    let wal = dir.path().join("kursi.db-wal");
    assert!(
        std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0) == 0,
        "WAL left behind"
    );
    check_database(&db_url(dir.path()), &all).await;
    println!("{} acknowledged bookings kept across SIGTERM", all.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_online_backup_restores_every_booking() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), free_port(), &[]).await;
    let trips = Arc::new(create_trips(&server.base, 10).await);
    let acked = Arc::new(Mutex::new(Vec::new()));
    let tasks = load(server.base.clone(), trips.clone(), 11, 4, acked.clone());
    tokio::time::sleep(Duration::from_millis(700)).await;
    // Everything acknowledged before the backup starts must be in it;
    // the load goes on while it runs.
    let before = acked.lock().await.clone();
    let backup = dir.path().join("backup.db");
    let out = Command::new(binary())
        .args(["backup", backup.to_str().unwrap()])
        .env("DATABASE_URL", db_url(dir.path()))
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("backup written"));
    tokio::time::sleep(Duration::from_millis(300)).await;
    for t in tasks {
        t.abort();
    }
    assert!(!before.is_empty());
    // Restore: a server started on the copy has every booking.
    let restored = tempfile::tempdir().unwrap();
    std::fs::copy(&backup, restored.path().join("kursi.db")).unwrap();
    let again = Server::start(restored.path(), free_port(), &[]).await;
    check_database(&db_url(restored.path()), &before).await;
    let listed: Value = reqwest::Client::new()
        .get(format!("{}/api/admin/holds/?status=BOOKED", again.base))
        .header("x-admin-key", KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let codes: HashSet<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["booking_code"].as_str())
        .collect();
    for b in &before {
        assert!(
            codes.contains(b.code.as_str()),
            "{} missing from the restored API",
            b.code
        );
    }
    // A backup never overwrites a file.
    let out = Command::new(binary())
        .args(["backup", backup.to_str().unwrap()])
        .env("DATABASE_URL", db_url(dir.path()))
        .output()
        .unwrap();
    assert!(!out.status.success());
    println!("backup of {} bookings restored", before.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn holds_expire_across_a_restart_with_no_sweep() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    // Holds last 3 seconds; the sweep would run once an hour.
    let env = [("HOLD_MINUTES", "0.05"), ("SWEEP_SECONDS", "3600")];
    let mut server = Server::start(dir.path(), port, &env).await;
    let trips = create_trips(&server.base, 1).await;
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let r = client
        .post(format!("{}/api/seats/hold/", server.base))
        .json(&json!({"trip_id": trips[0], "seats": ["1A", "1B"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::OK);
    server.kill_9();
    tokio::time::sleep(Duration::from_millis(3200)).await;
    let server = Server::start(dir.path(), port, &env).await;
    let map: Value = reqwest::get(format!("{}/api/trips/{}/seats/", server.base, trips[0]))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let status = |code: &str| {
        map["seats"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["code"] == code)
            .unwrap()["status"]
            .clone()
    };
    assert_eq!(status("1A"), "AVAILABLE");
    assert_eq!(status("1B"), "AVAILABLE");
    assert_eq!(map["trip"]["seats_available"], 40);
    // The old session's hold is gone; another passenger takes the seat.
    let r = client
        .get(format!("{}/api/hold/", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::NOT_FOUND);
    let other = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let r = other
        .post(format!("{}/api/seats/hold/", server.base))
        .json(&json!({"trip_id": trips[0], "seats": ["1A"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::OK);
}

#[test]
fn a_database_url_this_build_cannot_use_stops_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(binary())
        .current_dir(dir.path())
        .env("DATABASE_URL", "mysql://root@127.0.0.1/kursi")
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{}", free_port()))
        .env("LEPTOS_OUTPUT_NAME", "kursi")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let log = String::from_utf8_lossy(&out.stdout);
    assert!(
        log.contains("DATABASE_URL must be sqlite://path")
            && log.contains("\"mysql\" is not a database Kursi can use"),
        "{log}"
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no directory named `mysql:` or database file made"
    );
}

#[tokio::test]
async fn open_seat_maps_learn_of_an_expiry_at_its_moment() {
    let dir = tempfile::tempdir().unwrap();
    // Holds last 1.2 seconds; the periodic sweep would run once an hour.
    let env = [("HOLD_MINUTES", "0.02"), ("SWEEP_SECONDS", "3600")];
    let server = Server::start(dir.path(), free_port(), &env).await;
    let trips = create_trips(&server.base, 1).await;
    let mut events = reqwest::get(format!("{}/api/trips/{}/events/", server.base, trips[0]))
        .await
        .unwrap();
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let held_at = Instant::now();
    let r = client
        .post(format!("{}/api/seats/hold/", server.base))
        .json(&json!({"trip_id": trips[0], "seats": ["1A"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::OK);
    // `ready`, the hold's own `seats`, then the expiry's `seats`.
    let mut text = String::new();
    while text.matches("event: seats").count() < 2 {
        let chunk = tokio::time::timeout(Duration::from_secs(10), events.chunk())
            .await
            .expect("the expiry was announced")
            .unwrap()
            .expect("the stream stays open");
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    let took = held_at.elapsed();
    assert!(
        took >= Duration::from_millis(1100),
        "not before the expiry: {took:?}"
    );
    assert!(took < Duration::from_secs(5), "at its moment: {took:?}");
    let map: Value = reqwest::get(format!("{}/api/trips/{}/seats/", server.base, trips[0]))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(map["trip"]["seats_available"], 40);
}

#[test]
fn backup_on_postgresql_names_the_tool_to_use() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(binary())
        .current_dir(dir.path())
        .args(["backup", "kursi.dump"])
        .env("DATABASE_URL", "postgres://postgres@127.0.0.1/kursi")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let log = String::from_utf8_lossy(&out.stdout);
    assert!(
        log.contains("pg_dump --format=custom --file=kursi.dump"),
        "{log}"
    );
}
