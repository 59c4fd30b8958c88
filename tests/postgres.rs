//! PostgreSQL with several writers: what one process with one write road
//! never meets. Two services on one database stand for two instances (each
//! has its own write road and connection, so their transactions really
//! interleave), and three real server processes start together on an empty
//! database.
//!
//! These run on the server at `KURSI_TEST_PG` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`) whatever `KURSI_TEST_DB`
//! says, each in a database of its own that it creates and drops.

#![cfg(feature = "ssr")]

mod common;

#[path = "common/process.rs"]
mod process;

use chrono::Duration;
use common::*;
use kursi::domain::{AppError, BusType, HoldPolicy};
use kursi::services::Service;
use kursi::storage::{self, Storage};

/// Two services ("instances") on one fresh PostgreSQL database.
async fn two_instances(policy: HoldPolicy) -> (TestDatabase, Service, Service) {
    let db = TestDatabase::create_postgres().await;
    let open = || async {
        let storage = Storage::open(&db.url()).await.expect("open database");
        Service::new(storage, policy, chrono_tz::Asia::Jakarta)
    };
    let (a, b) = (open().await, open().await);
    (db, a, b)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_sessions_on_two_instances_race_for_two_seats_and_one_wins() {
    let (_db, a, b) = two_instances(HoldPolicy::default()).await;
    let trip = trip(&a, BusType::Economy).await;
    let mut tasks = Vec::new();
    for i in 0..100 {
        let service = if i % 2 == 0 { a.clone() } else { b.clone() };
        tasks.push(tokio::spawn(async move {
            service
                .hold(&session(), trip, &seats(&["1A", "1B"]), t0())
                .await
        }));
    }
    let mut wins = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(hold) => {
                wins += 1;
                assert_eq!(hold.seats, seats(&["1A", "1B"]));
            }
            Err(AppError::SeatsUnavailable { seats: lost }) => {
                assert!(!lost.is_empty(), "a loser is told which seats");
            }
            Err(other) => panic!("unexpected error {other:?}"),
        }
    }
    assert_eq!(wins, 1);
    let mut conn = a.storage().read().await.unwrap();
    let stored = storage::stored_seats(&mut conn).await.unwrap();
    let held: Vec<_> = stored.iter().filter(|s| s.status == "HOLD").collect();
    assert_eq!(held.len(), 2, "both seats held, by one hold");
    assert_eq!(held[0].hold_id, held[1].hold_id);
    let holds = storage::audit_log(&mut conn)
        .await
        .unwrap()
        .into_iter()
        .filter(|a| a.action == "hold")
        .count();
    assert_eq!(holds, 1, "the audit log shows exactly one hold");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn seats_taken_in_opposite_orders_on_two_instances_never_deadlock() {
    let (_db, a, b) = two_instances(HoldPolicy::default()).await;
    let trip = trip(&a, BusType::Economy).await;
    // Sessions on A ask for 1A then 1B, on B for 1B then 1A, many at
    // once: without a bounded lock wait they would wait on each other.
    let mut tasks = Vec::new();
    for i in 0..60 {
        let (service, order) = if i % 2 == 0 {
            (a.clone(), ["1A", "1B"])
        } else {
            (b.clone(), ["1B", "1A"])
        };
        tasks.push(tokio::spawn(async move {
            let me = session();
            let first = service.hold(&me, trip, &seats(&order[..1]), t0()).await;
            let second = service.hold(&me, trip, &seats(&order[1..]), t0()).await;
            if first.is_ok() {
                service.release(&me, None, t0()).await.unwrap();
            }
            (first.is_ok(), second)
        }));
    }
    for task in tasks {
        let (_, second) = tokio::time::timeout(std::time::Duration::from_secs(60), task)
            .await
            .expect("no deadlock")
            .unwrap();
        match second {
            Ok(_) | Err(AppError::SeatsUnavailable { .. }) => {}
            Err(other) => panic!("unexpected error {other:?}"),
        }
    }
    let mut conn = a.storage().read().await.unwrap();
    let stored = storage::stored_seats(&mut conn).await.unwrap();
    for s in &stored {
        if s.status == "HOLD" {
            // Whoever holds a seat now holds it in a live hold of its own.
            assert!(s.hold_id.is_some());
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_double_confirm_on_two_instances_books_once() {
    let (_db, a, b) = two_instances(HoldPolicy::default()).await;
    let trip = trip(&a, BusType::Economy).await;
    for round in 0..10 {
        let codes = [format!("{}A", round + 1), format!("{}B", round + 1)];
        let codes: Vec<&str> = codes.iter().map(String::as_str).collect();
        let (_, claim) = held_with_contact(&a, trip, &codes).await;
        let staff = admin();
        let (x, y) = tokio::join!(
            a.book(&staff, &claim, t0() + Duration::seconds(1)),
            b.book(&staff, &claim, t0() + Duration::seconds(1)),
        );
        let (x, y) = (x.unwrap(), y.unwrap());
        assert_eq!(x.booking_code, y.booking_code, "one booking code");
        // Cancelled twice at once: one cancellation, both answer it.
        let (p, q) = tokio::join!(
            a.cancel_booking(&staff, &x.booking_code, t0() + Duration::seconds(2)),
            b.cancel_booking(&staff, &x.booking_code, t0() + Duration::seconds(2)),
        );
        assert_eq!(p.unwrap().status, q.unwrap().status);
    }
    let mut conn = a.storage().read().await.unwrap();
    let log = storage::audit_log(&mut conn).await.unwrap();
    let count = |action: &str| log.iter().filter(|e| e.action == action).count();
    assert_eq!(count("book"), 10, "each hold booked once");
    assert_eq!(count("cancel"), 10, "each booking cancelled once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_whatsapp_cap_holds_across_instances() {
    let (_db, a, b) = two_instances(HoldPolicy::default()).await;
    let trip = trip(&a, BusType::Economy).await;
    let max = HoldPolicy::default().max_active_per_whatsapp as usize;
    // Eight holds, then all attach the same number at once, half through
    // each instance.
    let mut sessions = Vec::new();
    for i in 0..8 {
        let me = session();
        let seat = format!("{}A", i + 1);
        a.hold(&me, trip, &seats(&[&seat]), t0()).await.unwrap();
        sessions.push(me);
    }
    let mut tasks = Vec::new();
    for (i, me) in sessions.into_iter().enumerate() {
        let service = if i % 2 == 0 { a.clone() } else { b.clone() };
        tasks.push(tokio::spawn(async move {
            service
                .attach_contact(&me, &name("Budi"), &wa("0812345678"), t0())
                .await
        }));
    }
    let mut attached = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => attached += 1,
            Err(AppError::TooManyActiveHolds { .. }) => {}
            Err(other) => panic!("unexpected error {other:?}"),
        }
    }
    assert_eq!(attached, max);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_expiring_the_same_holds_audit_each_once() {
    let (_db, a, b) = two_instances(HoldPolicy::default()).await;
    let trip = trip(&a, BusType::Sleeper).await;
    let mut n = 0;
    for code in ["1A", "1B", "2A", "2B", "3A", "3B", "4A", "4B"] {
        a.hold(&session(), trip, &seats(&[code]), t0())
            .await
            .unwrap();
        n += 1;
    }
    let later = t0() + mins(11);
    let (x, y) = tokio::join!(a.sweep(later), b.sweep(later));
    assert_eq!(
        x.unwrap() + y.unwrap(),
        n,
        "every hold expired by one of them"
    );
    let mut conn = a.storage().read().await.unwrap();
    let expiries = storage::audit_log(&mut conn)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "expire")
        .count();
    assert_eq!(expiries, n, "one expire row per hold");
    let (view, _) = b.trip_seats(trip, None, later).await.unwrap();
    assert_eq!(view.seats_available, view.seats_total);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_instances_starting_together_migrate_once_and_seed_once() {
    let db = TestDatabase::create_postgres().await;
    let url = db.url();
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let env = [("DATABASE_URL", url.as_str()), ("SEED_DEMO", "true")];
    let starts = dirs
        .iter()
        .map(|d| process::Server::start(d.path(), process::free_port(), &env));
    let servers = futures::future::join_all(starts).await;
    for s in &servers {
        let trips: serde_json::Value = reqwest::get(format!("{}/api/trips/", s.base))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(trips.as_array().unwrap().len(), 6, "one seed of six trips");
    }
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
    let migrations: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    let on_disk = std::fs::read_dir("migrations_postgres").unwrap().count() as i64;
    assert_eq!(migrations, on_disk, "each migration applied once");
    drop(servers);
}
