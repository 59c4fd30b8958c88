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

/// Forty passengers of one price attach contact at once through two
/// instances, with forty codes to go round: each gets an amount of its
/// own, none is refused, and the database's unique index agrees.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn unique_amounts_stay_unique_across_instances() {
    let policy = HoldPolicy {
        unique_codes: Some(kursi::domain::UniqueCodes::new(1, 40).unwrap()),
        ..HoldPolicy::default()
    };
    let (_db, a, b) = two_instances(policy).await;
    let trip = trip(&a, BusType::Economy).await;
    let mut sessions = Vec::new();
    for row in 1..=10 {
        for col in ["A", "B", "C", "D"] {
            let me = session();
            a.hold(&me, trip, &seats(&[&format!("{row}{col}")]), t0())
                .await
                .unwrap();
            sessions.push(me);
        }
    }
    let tasks = sessions.into_iter().enumerate().map(|(i, me)| {
        let service = if i % 2 == 0 { a.clone() } else { b.clone() };
        tokio::spawn(async move {
            service
                .attach_contact(&me, &name("Budi"), &wa(&format!("08123{i:06}")), t0())
                .await
        })
    });
    let mut amounts = Vec::new();
    for task in futures::future::join_all(tasks).await {
        amounts.push(task.unwrap().expect("a code for everyone").amount_due);
    }
    amounts.sort_unstable();
    let want: Vec<i64> = (150_001..=150_040).collect();
    assert_eq!(amounts, want);
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

/// Seats of `trip` as instance `service` shows them to a visitor: held or
/// booked ones.
async fn taken_on(service: &Service, trip: i64) -> Vec<String> {
    let (_, seats) = service.trip_seats(trip, None, t0()).await.unwrap();
    seats
        .iter()
        .filter(|s| s.status != kursi::domain::SeatStatus::Available)
        .map(|s| s.code.to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_map_read_after_a_write_was_answered_shows_it_on_every_instance() {
    let (_db, a, b) = two_instances(HoldPolicy::default()).await;
    let trip = trip(&a, BusType::Economy).await;
    // B keeps the trip's map in memory (read twice: the second comes from
    // its cache), and a passenger on B watches the live map.
    assert!(taken_on(&b, trip).await.is_empty());
    assert!(taken_on(&b, trip).await.is_empty());
    let mut watching = b.watch(trip, "10.0.0.9".parse().unwrap()).unwrap();
    for round in 0..40 {
        let me = session();
        a.hold(&me, trip, &seats(&["3C"]), t0()).await.unwrap();
        // Read at once after A's answer: B must not serve its old map.
        assert_eq!(taken_on(&b, trip).await, ["3C"], "round {round}: the hold");
        let event =
            tokio::time::timeout(std::time::Duration::from_secs(1), watching.changes.recv()).await;
        assert!(
            matches!(event, Ok(Ok(_))),
            "round {round}: B's stream heard A's hold within a second"
        );
        a.release(&me, None, t0()).await.unwrap();
        assert!(
            taken_on(&b, trip).await.is_empty(),
            "round {round}: the release"
        );
        // Nothing stale stays behind either way round.
        b.hold(&me, trip, &seats(&["4D"]), t0()).await.unwrap();
        assert_eq!(
            taken_on(&a, trip).await,
            ["4D"],
            "round {round}: B's hold on A"
        );
        b.release(&me, None, t0()).await.unwrap();
        assert!(taken_on(&a, trip).await.is_empty());
        while watching.changes.try_recv().is_ok() {}
    }
}

/// Waits (at most `limit`) until `service` finds itself the only writer.
async fn alone_within(service: &Service, limit: std::time::Duration) -> bool {
    let deadline = tokio::time::Instant::now() + limit;
    while tokio::time::Instant::now() < deadline {
        if service.sync_points().expect("a listener").0 {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_lone_instance_reads_without_sync_points_until_another_one_writes() {
    let db = TestDatabase::create_postgres().await;
    let open = || async {
        let storage = Storage::open(&db.url()).await.expect("open database");
        Service::new(storage, HoldPolicy::default(), chrono_tz::Asia::Jakarta)
    };
    let a = open().await;
    let trip = trip(&a, BusType::Economy).await;
    // A's own writer wrote the trip; no other process writes.
    let ten_seconds = std::time::Duration::from_secs(10);
    assert!(alone_within(&a, ten_seconds).await, "A finds itself alone");
    let (_, asked) = a.sync_points().unwrap();
    for _ in 0..20 {
        assert!(taken_on(&a, trip).await.is_empty());
    }
    assert_eq!(
        a.sync_points().unwrap(),
        (true, asked),
        "a lone instance's reads ask for no sync point"
    );
    // B's first write is answered only once A has stopped reading alone,
    // and A shows it at once.
    let b = open().await;
    let me = session();
    b.hold(&me, trip, &seats(&["3C"]), t0()).await.unwrap();
    assert!(!a.sync_points().unwrap().0, "A no longer reads alone");
    assert_eq!(taken_on(&a, trip).await, ["3C"]);
    assert!(a.sync_points().unwrap().1 > asked, "A's reads sync again");
    b.release(&me, None, t0()).await.unwrap();
    assert!(taken_on(&a, trip).await.is_empty());
    // Once B is gone (its connections closed), A is alone again at its
    // next heartbeat (every 5 s).
    drop(b);
    assert!(
        alone_within(&a, ten_seconds + ten_seconds).await,
        "A is alone again"
    );
}

/// Ends every backend that listens for changes (the instances'
/// listeners); returns how many it ended.
async fn kill_listeners(url: &str) -> i64 {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND application_name LIKE 'kursi-listener%'
           AND pid <> pg_backend_pid()) ended",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap()
}

/// Holds and releases `code` through `a` until `watching` (a stream on
/// another instance) hears of it; at most 10 s.
async fn hears(a: &Service, watching: &mut kursi::services::Watch, trip: i64, code: &str) {
    let me = session();
    let heard = async {
        loop {
            a.hold(&me, trip, &seats(&[code]), t0()).await.unwrap();
            a.release(&me, None, t0()).await.unwrap();
            let wait = std::time::Duration::from_millis(200);
            if tokio::time::timeout(wait, watching.changes.recv())
                .await
                .is_ok()
            {
                return;
            }
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(10), heard)
        .await
        .expect("the other instance hears the change");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_killed_listener_leaves_no_stale_map_and_its_streams_refresh() {
    let (db, a, b) = two_instances(HoldPolicy::default()).await;
    let trip = trip(&a, BusType::Economy).await;
    // Both listeners are up once B's stream hears A's first hold.
    let mut watching = b.watch(trip, "10.0.0.9".parse().unwrap()).unwrap();
    let me = session();
    hears(&a, &mut watching, trip, "1A").await;
    while watching.changes.try_recv().is_ok() {}
    // Under load: A holds and releases, B reads after each answer, while
    // the listeners are killed again and again.
    let killer = {
        let url = db.url();
        tokio::spawn(async move {
            let mut killed = 0;
            for _ in 0..5 {
                killed += kill_listeners(&url).await;
                tokio::time::sleep(std::time::Duration::from_millis(150)).await;
            }
            killed
        })
    };
    // What B's stream is told meanwhile: "missed" once its listener is
    // back (a stream that fell behind is told the same by the handler).
    let mut told_to_refresh = false;
    let drain = |watching: &mut kursi::services::Watch| {
        use tokio::sync::broadcast::error::TryRecvError;
        let mut missed = false;
        loop {
            match watching.changes.try_recv() {
                Ok(version) => missed |= &*version == "missed",
                Err(TryRecvError::Lagged(_)) => {}
                Err(_) => return missed,
            }
        }
    };
    let mut rounds = 0;
    while !killer.is_finished() {
        let code = ["2A", "2B", "2C", "2D"][rounds % 4];
        a.hold(&me, trip, &seats(&[code]), t0()).await.unwrap();
        assert_eq!(
            taken_on(&b, trip).await,
            [code],
            "round {rounds}: no stale map on B"
        );
        a.release(&me, None, t0()).await.unwrap();
        assert!(
            taken_on(&b, trip).await.is_empty(),
            "round {rounds}: no stale map on B"
        );
        told_to_refresh |= drain(&mut watching);
        rounds += 1;
    }
    assert!(killer.await.unwrap() >= 2, "listeners were there to kill");
    assert!(rounds > 5, "writes went on meanwhile ({rounds} rounds)");
    // Once back, B has told its streams to fetch the map (it may have
    // missed changes), and hears A again.
    for _ in 0..50 {
        if told_to_refresh {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        told_to_refresh |= drain(&mut watching);
    }
    assert!(
        told_to_refresh,
        "B's stream is told to refresh after its listener is back"
    );
    hears(&a, &mut watching, trip, "5A").await;
}

/// The rate limits of two instances on one database: one quota between
/// them, counted atomically, refilled with time, per kind and per client.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_share_one_rate_limit() {
    use kursi::limits::{Limit, RateLimits};
    let db = TestDatabase::create_postgres().await;
    let mut settings = kursi::config::Settings::for_tests(db.url());
    settings.hold_rate_per_minute = 5;
    settings.login_rate_per_minute = 5;
    let instance = || async {
        let storage = Storage::open(&db.url()).await.expect("open database");
        let limits = RateLimits::new(&settings, storage.shared_rates());
        assert!(storage.shared_rates().is_some());
        limits
    };
    let (a, b) = (instance().await, instance().await);
    let ip: std::net::IpAddr = "203.0.113.7".parse().unwrap();
    let now = t0();
    // Twenty requests at once, spread over both instances: five pass.
    let tries = (0..20).map(|i| {
        let limits = if i % 2 == 0 { &a } else { &b };
        limits.check(Limit::Hold, ip, now)
    });
    let answers = futures::future::join_all(tries).await;
    let allowed = answers.iter().filter(|r| r.is_ok()).count();
    assert_eq!(allowed, 5, "{answers:?}");
    for refused in answers.iter().filter_map(|r| r.as_ref().err()) {
        match refused {
            // The next one comes free 12 s later (60 s / 5).
            AppError::RateLimited { retry_after } => assert_eq!(*retry_after, 12),
            other => panic!("expected rate_limited, got {other:?}"),
        }
    }
    // Other kinds and other clients count apart.
    a.check(Limit::Login, ip, now).await.unwrap();
    b.check(Limit::Hold, "203.0.113.8".parse().unwrap(), now)
        .await
        .unwrap();
    // Time refills the quota by one per interval, for both instances.
    assert!(b.check(Limit::Hold, ip, now + secs(11)).await.is_err());
    a.check(Limit::Hold, ip, now + secs(12)).await.unwrap();
    assert!(b.check(Limit::Hold, ip, now + secs(12)).await.is_err());
    // A quiet minute later the whole burst is back; tidying first forgets
    // the spent counts without giving anyone more.
    let later = now + secs(72);
    a.tidy(later).await;
    for _ in 0..5 {
        b.check(Limit::Hold, ip, later).await.unwrap();
    }
    assert!(a.check(Limit::Hold, ip, later).await.is_err());
}

/// Every transaction of the server that notifies takes, at its commit, one
/// lock on the notification queue (held through its WAL flush). Another
/// session whose notifying commits are slow (`commit_delay`: 100 ms before
/// each flush, inside that lock) makes the batches wait their turn at
/// commit: they must wait, not fail. (With the writer's 50 ms row-lock
/// timeout applied to that wait, nearly every write here answered
/// `internal`.)
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn writes_commit_while_other_sessions_hold_the_notification_queue() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let (db, a, _b) = two_instances(HoldPolicy::default()).await;
    let trip = trip(&a, BusType::Economy).await;
    let stop = Arc::new(AtomicBool::new(false));
    // On a thread of its own (sqlx's raw statements cannot be moved into
    // a spawned task).
    let slow = {
        let (url, stop) = (db.url(), stop.clone());
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                use sqlx::Connection;
                let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
                // A commit that wrote nothing flushes nothing: each writes
                // a row.
                sqlx::raw_sql("CREATE TABLE slow_notes (n INTEGER)")
                    .execute(&mut conn)
                    .await
                    .unwrap();
                let mut commits = 0;
                while !stop.load(Ordering::Relaxed) {
                    sqlx::raw_sql(
                        "BEGIN; SET LOCAL commit_siblings = 0; SET LOCAL commit_delay = 100000;
                         INSERT INTO slow_notes VALUES (1); NOTIFY kursi_test_slow; COMMIT",
                    )
                    .execute(&mut conn)
                    .await
                    .unwrap();
                    commits += 1;
                }
                commits
            })
        })
    };
    let me = session();
    for _ in 0..10 {
        a.hold(&me, trip, &seats(&["1A"]), t0())
            .await
            .expect("a hold commits");
        a.release(&me, None, t0()).await.expect("a release commits");
    }
    stop.store(true, Ordering::Relaxed);
    let commits = slow.join().unwrap();
    assert!(commits >= 5, "the slow notifier ran meanwhile ({commits})");
    let (_, map) = a.trip_seats(trip, None, t0()).await.unwrap();
    assert!(
        map.iter()
            .all(|s| s.status == kursi::domain::SeatStatus::Available)
    );
}

/// A release that waited for the hold's lock while another instance added
/// a seat to the same hold (one passenger, two tabs) sees that seat: it
/// reads the hold's seats once the lock is granted, not as they were when
/// its statement began. (Read before the wait, releasing every seat ended
/// the hold with the new seat still taken by it, a seat nobody could ever
/// hold again; releasing one ended it too.) Returns what the release
/// answered and the seats left taken, with their status.
async fn release_while_a_seat_is_added(release: Option<&[&str]>) -> (Vec<String>, Vec<String>) {
    use sqlx::Connection;
    let (db, a, b) = two_instances(HoldPolicy::default()).await;
    let trip = trip(&a, BusType::Economy).await;
    let me = session();
    a.hold(&me, trip, &seats(&["1A"]), t0()).await.unwrap();
    // The other instance's write adding 1B, as the road runs it (the
    // hold locked first), stopped before its commit.
    let mut adding = sqlx::PgConnection::connect(&db.url()).await.unwrap();
    sqlx::raw_sql(&format!(
        "BEGIN;
         SELECT id FROM holds WHERE status = 'HELD' FOR UPDATE;
         UPDATE seats SET status = 'HOLD', hold_id = (SELECT id FROM holds WHERE status = 'HELD')
         WHERE trip_id = {trip} AND code = '1B' AND status = 'AVAILABLE';
         INSERT INTO hold_seats (hold_id, code) SELECT id, '1B' FROM holds WHERE status = 'HELD'"
    ))
    .execute(&mut adding)
    .await
    .unwrap();
    let releasing = tokio::spawn({
        let (b, me) = (b.clone(), me.clone());
        let codes = release.map(seats);
        async move { b.release(&me, codes.as_deref(), t0()).await }
    });
    // It commits while the release waits for the hold's lock.
    let mut watch = sqlx::PgConnection::connect(&db.url()).await.unwrap();
    let mut looked = 0;
    loop {
        let waiting: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM pg_stat_activity
             WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
        .fetch_one(&mut watch)
        .await
        .unwrap();
        if waiting > 0 {
            break;
        }
        looked += 1;
        assert!(looked < 100_000, "the release never waited for the lock");
    }
    sqlx::raw_sql("COMMIT").execute(&mut adding).await.unwrap();
    let released = releasing.await.unwrap().expect("the release commits");
    let mut conn = a.storage().read().await.unwrap();
    let taken = storage::stored_seats(&mut conn)
        .await
        .unwrap()
        .into_iter()
        .filter(|s| s.status != "AVAILABLE")
        .map(|s| format!("{} {}", s.code, s.status))
        .collect();
    let answered = released.seats.iter().map(|c| c.to_string()).collect();
    (answered, taken)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn releasing_every_seat_frees_one_another_instance_added_meanwhile() {
    let (answered, taken) = release_while_a_seat_is_added(None).await;
    assert!(answered.is_empty());
    assert!(
        taken.is_empty(),
        "every seat of the released hold is free: {taken:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn releasing_one_seat_keeps_the_one_another_instance_added_meanwhile() {
    let (answered, taken) = release_while_a_seat_is_added(Some(&["1A"])).await;
    assert_eq!(answered, ["1B"], "the hold goes on with the added seat");
    assert_eq!(taken, ["1B HOLD"]);
}
