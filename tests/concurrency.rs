//! Correctness under concurrency: a race for the same seats, and a long
//! randomized run of mixed operations checked after every step.

#![cfg(feature = "ssr")]

mod common;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Utc};
use common::*;
use kursi::domain::{AppError, BookingCode, BusType, ClaimCode, SeatStatus};
use kursi::services::{Service, SessionKey};
use kursi::storage::{self, AuditEntry};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::sync::Mutex;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_sessions_race_for_two_seats_and_exactly_one_wins() {
    let db = fresh().await;
    let trip = trip(&db.service, BusType::Economy).await;
    let mut tasks = Vec::new();
    for _ in 0..100 {
        let service = db.service.clone();
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
                assert_eq!(lost, seats(&["1A", "1B"]))
            }
            Err(other) => panic!("unexpected error {other:?}"),
        }
    }
    assert_eq!(wins, 1);
    let mut conn = db.service.storage().read().await.unwrap();
    let holds = storage::audit_log(&mut conn)
        .await
        .unwrap()
        .into_iter()
        .filter(|a| a.action == "hold")
        .count();
    assert_eq!(holds, 1, "the audit log shows exactly one hold");
}

/// The state of every seat rebuilt from the audit log, checking that each
/// transition is legal on the way.
#[derive(Default)]
struct Replay {
    last_id: i64,
    seats: HashMap<(i64, String), (String, Option<i64>)>,
}

impl Replay {
    fn apply(&mut self, a: &AuditEntry) {
        for code in a.seats.split_whitespace() {
            let key = (a.trip_id, code.to_string());
            let (status, owner) = self
                .seats
                .get(&key)
                .cloned()
                .unwrap_or(("AVAILABLE".into(), None));
            let next = match a.action.as_str() {
                "hold" => {
                    assert_eq!(
                        status, "AVAILABLE",
                        "audit {}: held a seat that was {status}",
                        a.id
                    );
                    ("HOLD".to_string(), a.hold_id)
                }
                "release" | "expire" => {
                    assert_eq!(
                        (status.as_str(), owner),
                        ("HOLD", a.hold_id),
                        "audit {}: freed a seat it did not hold",
                        a.id
                    );
                    ("AVAILABLE".to_string(), None)
                }
                "book" => {
                    let from_own_hold = status == "HOLD" && owner == a.hold_id;
                    assert!(
                        from_own_hold || status == "AVAILABLE",
                        "audit {}: booked a seat that was {status} of {owner:?}",
                        a.id
                    );
                    ("BOOKED".to_string(), a.hold_id)
                }
                "cancel" => {
                    assert_eq!(
                        (status.as_str(), owner),
                        ("BOOKED", a.hold_id),
                        "audit {}: a booked seat changed other than by its cancel",
                        a.id
                    );
                    ("AVAILABLE".to_string(), None)
                }
                other => panic!("audit {}: action {other} changed seats", a.id),
            };
            self.seats.insert(key, next);
        }
        self.last_id = a.id;
    }
}

/// Checks every invariant on one consistent snapshot (one read transaction).
async fn check(service: &Service, replay: &Mutex<Replay>, trips: &[i64], now: DateTime<Utc>) {
    let mut replay = replay.lock().await;
    let mut tx = service.storage().snapshot().await.unwrap();
    let last = replay.last_id;
    for a in storage::audit_since(&mut tx, last).await.unwrap() {
        replay.apply(&a);
    }
    // Replaying the audit log gives the stored state of every seat.
    for s in storage::stored_seats(&mut tx).await.unwrap() {
        let want = replay
            .seats
            .get(&(s.trip_id, s.code.clone()))
            .cloned()
            .unwrap_or(("AVAILABLE".into(), None));
        assert_eq!(
            (s.status.clone(), s.hold_id),
            want,
            "seat {} of trip {}",
            s.code,
            s.trip_id
        );
    }
    // No seat is in two live holds.
    let mut seen = HashSet::new();
    for s in storage::live_hold_seats(&mut tx, storage::to_ms(now))
        .await
        .unwrap()
    {
        assert!(
            seen.insert((s.trip_id, s.code.clone())),
            "seat {} of trip {} is in two live holds",
            s.code,
            s.trip_id
        );
    }
    // seats_available equals the AVAILABLE seats of the map.
    for &trip in trips {
        let row = storage::trip_by_id(&mut tx, trip, storage::to_ms(now))
            .await
            .unwrap()
            .unwrap();
        let map = storage::seats_of_trip(&mut tx, trip, storage::to_ms(now))
            .await
            .unwrap();
        let available = map.iter().filter(|s| s.status == "AVAILABLE").count() as i64;
        assert_eq!(row.seats_available, available, "trip {trip}");
    }
    tx.finish().await.unwrap();
}

#[derive(Default)]
struct Known {
    claims: Vec<ClaimCode>,
    bookings: Vec<BookingCode>,
}

/// Errors a correct system may answer; anything else fails the test.
fn expected(e: &AppError) -> bool {
    !matches!(e, AppError::Internal | AppError::InvalidRequest { .. })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_thousand_random_operations_keep_every_invariant() {
    let seed: u64 = std::env::var("STRESS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| rand::rng().random());
    println!("stress seed: {seed} (replay with STRESS_SEED={seed})");
    let ops: usize = std::env::var("STRESS_OPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    let tasks = 8;

    let db = fresh().await;
    let trips = vec![
        trip(&db.service, BusType::Economy).await,
        trip(&db.service, BusType::Executive).await,
        trip(&db.service, BusType::Sleeper).await,
    ];
    let clock = Arc::new(AtomicI64::new(storage::to_ms(t0())));
    let sessions: Arc<Vec<SessionKey>> = Arc::new((0..24).map(|_| session()).collect());
    let known = Arc::new(Mutex::new(Known::default()));
    let replay = Arc::new(Mutex::new(Replay::default()));
    let phones = [
        "081200000001",
        "081200000002",
        "081200000003",
        "081200000004",
        "081200000005",
    ];

    let mut handles = Vec::new();
    for task in 0..tasks {
        let (service, trips, clock, sessions, known, replay) = (
            db.service.clone(),
            trips.clone(),
            clock.clone(),
            sessions.clone(),
            known.clone(),
            replay.clone(),
        );
        handles.push(tokio::spawn(async move {
            let mut rng = StdRng::seed_from_u64(seed.wrapping_add(task as u64));
            for _ in 0..ops / tasks {
                let now = storage::from_ms(clock.load(Ordering::SeqCst));
                let me = &sessions[rng.random_range(0..sessions.len())];
                let roll = rng.random_range(0..100);
                let result: Result<(), AppError> = match roll {
                    0..=34 => {
                        let trip = trips[rng.random_range(0..trips.len())];
                        let (t, map) = service.trip_seats(trip, None, now).await.unwrap();
                        let n = rng.random_range(1..=3);
                        let pick: Vec<_> = (0..n)
                            .map(|_| map[rng.random_range(0..map.len())].code)
                            .collect();
                        service.hold(me, t.id, &pick, now).await.map(|h| {
                            assert!(
                                pick.iter().all(|c| h.seats.contains(c)),
                                "a successful hold has every seat asked for"
                            );
                        })
                    }
                    35..=49 => {
                        let all = rng.random_bool(0.5);
                        let some = seats(&["1A", "1B", "2A", "3C"]);
                        service
                            .release(me, if all { None } else { Some(&some[..2]) }, now)
                            .await
                            .map(drop)
                    }
                    50..=61 => {
                        let phone = phones[rng.random_range(0..phones.len())];
                        match service
                            .attach_contact(me, &name("Penumpang"), &wa(phone), now)
                            .await
                        {
                            Ok(h) => {
                                known.lock().await.claims.push(h.claim_code.unwrap());
                                Ok(())
                            }
                            Err(e) => Err(e),
                        }
                    }
                    62..=67 => {
                        let code = { known.lock().await.claims.last().cloned() };
                        match code {
                            Some(c) => service.claim(me, &c, now).await.map(drop),
                            None => Ok(()),
                        }
                    }
                    68..=72 => service.extend(me, now).await.map(drop),
                    73..=84 => {
                        let code = {
                            let k = known.lock().await;
                            (!k.claims.is_empty())
                                .then(|| k.claims[rng.random_range(0..k.claims.len())].clone())
                        };
                        match code {
                            Some(c) => match service.book(&admin(), &c, now).await {
                                Ok(b) => {
                                    known.lock().await.bookings.push(b.booking_code);
                                    Ok(())
                                }
                                Err(e) => Err(e),
                            },
                            None => Ok(()),
                        }
                    }
                    85..=88 => {
                        let code = {
                            let k = known.lock().await;
                            (!k.claims.is_empty())
                                .then(|| k.claims[rng.random_range(0..k.claims.len())].clone())
                        };
                        match code {
                            Some(c) => service
                                .admin_extend(&admin(), &c, Some(mins(5)), now)
                                .await
                                .map(drop),
                            None => Ok(()),
                        }
                    }
                    89..=92 => {
                        let code = {
                            let k = known.lock().await;
                            (!k.bookings.is_empty())
                                .then(|| k.bookings[rng.random_range(0..k.bookings.len())].clone())
                        };
                        match code {
                            Some(c) => service.cancel_booking(&admin(), &c, now).await.map(drop),
                            None => Ok(()),
                        }
                    }
                    93..=95 => service.sweep(now).await.map(drop),
                    _ => {
                        clock.fetch_add(rng.random_range(0..240_000), Ordering::SeqCst);
                        Ok(())
                    }
                };
                if let Err(e) = result {
                    assert!(expected(&e), "operation {roll} failed unexpectedly: {e:?}");
                }
                let now = storage::from_ms(clock.load(Ordering::SeqCst));
                check(&service, &replay, &trips, now).await;
            }
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    // A final look, after every task: the whole log replays to the seats.
    let now = storage::from_ms(clock.load(Ordering::SeqCst));
    check(&db.service, &replay, &trips, now).await;
    let (_, map) = db.service.trip_seats(trips[0], None, now).await.unwrap();
    assert!(map.iter().all(|s| matches!(
        s.status,
        SeatStatus::Available | SeatStatus::Hold | SeatStatus::Booked
    )));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_thousand_seats_expire_in_one_sweep_while_reads_go_on() {
    let db = fresh().await;
    let mut trips = Vec::new();
    for _ in 0..250 {
        trips.push(trip(&db.service, BusType::Economy).await);
    }
    // 2,500 holds of 4 seats: every seat of 250 trips.
    for &t in &trips {
        for row in 1..=10 {
            let codes: Vec<String> = ["A", "B", "C", "D"]
                .iter()
                .map(|l| format!("{row}{l}"))
                .collect();
            let refs: Vec<&str> = codes.iter().map(String::as_str).collect();
            db.service
                .hold(&session(), t, &seats(&refs), t0())
                .await
                .unwrap();
        }
    }
    let later = t0() + mins(11);
    // Before any sweep, every seat already reads as available.
    let (trip0, map) = db.service.trip_seats(trips[0], None, later).await.unwrap();
    assert_eq!(trip0.seats_available, 40);
    assert!(map.iter().all(|s| s.status == SeatStatus::Available));

    // Passengers keep reading seat maps while the sweep runs.
    let reading = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let reader = {
        let (service, trips, reading) = (db.service.clone(), trips.clone(), reading.clone());
        tokio::spawn(async move {
            let (mut slowest, mut reads) = (std::time::Duration::ZERO, 0u32);
            while reading.load(Ordering::Relaxed) {
                let started = std::time::Instant::now();
                let t = trips[reads as usize % trips.len()];
                service.trip_seats(t, None, later).await.unwrap();
                slowest = slowest.max(started.elapsed());
                reads += 1;
                // A map from memory never waits; a request ends and lets
                // others run, so does this loop (on PostgreSQL the writer
                // is a task of this runtime).
                tokio::task::yield_now().await;
            }
            (slowest, reads)
        })
    };
    let started = std::time::Instant::now();
    let expired = db.service.sweep(later).await.unwrap();
    let took = started.elapsed();
    reading.store(false, Ordering::Relaxed);
    let (slowest, reads) = reader.await.unwrap();
    println!(
        "swept {expired} holds (10,000 seats) in {took:?}; {reads} seat-map reads meanwhile, the slowest {slowest:?}"
    );
    assert_eq!(expired, 2_500);
    let mut conn = db.service.storage().read().await.unwrap();
    let stored = storage::stored_seats(&mut conn).await.unwrap();
    assert_eq!(stored.len(), 10_000);
    assert!(
        stored
            .iter()
            .all(|s| s.status == "AVAILABLE" && s.hold_id.is_none())
    );
    let expiries = storage::audit_log(&mut conn)
        .await
        .unwrap()
        .iter()
        .filter(|a| a.action == "expire")
        .count();
    assert_eq!(expiries, 2_500);
    // A second sweep finds nothing to do.
    assert_eq!(db.service.sweep(later).await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn seat_maps_read_during_writes_end_equal_to_the_database() {
    let db = fresh().await;
    let trip = trip(&db.service, BusType::Economy).await;
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut readers = Vec::new();
    for _ in 0..4 {
        let (service, stop) = (db.service.clone(), stop.clone());
        readers.push(tokio::spawn(async move {
            let mut reads = 0;
            while !stop.load(Ordering::Relaxed) {
                let (t, map) = service.trip_seats(trip, None, t0()).await.unwrap();
                let free = map
                    .iter()
                    .filter(|s| s.status == SeatStatus::Available)
                    .count() as u32;
                assert_eq!(t.seats_available, free, "a map agrees with its own count");
                reads += 1;
                // A map from memory needs no I/O; let the writers run.
                tokio::task::yield_now().await;
            }
            reads
        }));
    }
    let mut writers = Vec::new();
    for w in 0..8u64 {
        let service = db.service.clone();
        writers.push(tokio::spawn(async move {
            let mut rng = StdRng::seed_from_u64(w);
            let me = session();
            for _ in 0..150 {
                let code = format!(
                    "{}{}",
                    rng.random_range(1..=10),
                    ["A", "B", "C", "D"][rng.random_range(0..4)]
                );
                if rng.random_bool(0.6) {
                    let _ = service
                        .hold(&me, trip, &seats(&[code.as_str()]), t0())
                        .await;
                } else {
                    let _ = service.release(&me, None, t0()).await;
                }
            }
        }));
    }
    for w in writers {
        w.await.unwrap();
    }
    stop.store(true, Ordering::Relaxed);
    let mut reads = 0;
    for r in readers {
        reads += r.await.unwrap();
    }
    // After the last write, the served map is exactly the database's.
    let (_, served) = db.service.trip_seats(trip, None, t0()).await.unwrap();
    let mut conn = db.service.storage().read().await.unwrap();
    let stored = storage::seats_of_trip(&mut conn, trip, storage::to_ms(t0()))
        .await
        .unwrap();
    let served: Vec<(String, &str)> = served
        .iter()
        .map(|s| (s.code.to_string(), s.status.as_str()))
        .collect();
    let stored: Vec<(String, &str)> = stored
        .iter()
        .map(|s| (s.code.clone(), s.status.as_str()))
        .collect();
    assert_eq!(served, stored);
    println!("{reads} seat-map reads during 1,200 writes");
}

/// Group commit: writes that arrive together share a transaction, and one
/// that fails halfway (a two-seat hold whose second seat is taken) rolls
/// back to its own savepoint: the first seat stays free, and the writes
/// around it in the same batch still commit.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_write_failing_inside_a_shared_commit_leaves_nothing_and_spoils_nothing() {
    let db = fresh().await;
    let trip = trip(&db.service, BusType::Economy).await;
    db.service
        .hold(&session(), trip, &seats(&["10D"]), t0())
        .await
        .unwrap();
    // Rows 1-4 (16 seats): sessions that want one of them plus 10D, which
    // is taken; rows 5-8: sessions that want one seat each, all free.
    let codes = |rows: std::ops::RangeInclusive<u8>| {
        rows.flat_map(|r| ["A", "B", "C", "D"].map(move |c| format!("{r}{c}")))
            .collect::<Vec<_>>()
    };
    let mut tasks = Vec::new();
    for code in codes(1..=4) {
        let service = db.service.clone();
        tasks.push(tokio::spawn(async move {
            let wanted = seats(&[&code, "10D"]);
            (false, service.hold(&session(), trip, &wanted, t0()).await)
        }));
    }
    for code in codes(5..=8) {
        let service = db.service.clone();
        tasks.push(tokio::spawn(async move {
            (
                true,
                service.hold(&session(), trip, &seats(&[&code]), t0()).await,
            )
        }));
    }
    for task in tasks {
        match task.await.unwrap() {
            (true, result) => assert_eq!(result.unwrap().seats.len(), 1),
            (false, Err(AppError::SeatsUnavailable { seats: refused })) => {
                assert_eq!(refused, seats(&["10D"]));
            }
            (false, other) => panic!("a hold of a taken seat answered {other:?}"),
        }
    }
    let (map, list) = db.service.trip_seats(trip, None, t0()).await.unwrap();
    let held: Vec<String> = list
        .iter()
        .filter(|s| s.status == SeatStatus::Hold)
        .map(|s| s.code.to_string())
        .collect();
    let mut expected = codes(5..=8);
    expected.push("10D".into());
    assert_eq!(
        held.iter().collect::<HashSet<_>>(),
        expected.iter().collect::<HashSet<_>>()
    );
    assert_eq!(map.seats_available, 40 - 17);
    // Stored seats and live holds agree row by row.
    let mut conn = db.service.storage().read().await.unwrap();
    let stored = storage::stored_seats(&mut conn).await.unwrap();
    let live = storage::live_hold_seats(&mut conn, storage::to_ms(t0()))
        .await
        .unwrap();
    assert_eq!(
        stored.iter().filter(|s| s.hold_id.is_some()).count(),
        live.len()
    );
}

/// The write road itself, on both databases: in one batch, a write that
/// fails after it changed something is undone alone, so is one whose
/// statement fails (after which a PostgreSQL transaction runs nothing more
/// until it is rolled back), one refused before it changed anything costs
/// nothing, and the batch's other writes commit and get their answers. (On
/// PostgreSQL a batch first runs without savepoints and must notice both
/// failures, then run again with them; see `storage::road`.)
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failed_write_is_undone_alone_and_its_batch_commits() {
    use futures::FutureExt;
    use kursi::storage::road::{Changed, Road};
    use kursi::storage::{Connection, Raw, Storage};

    let db = TestDatabase::create().await;
    let storage = Storage::open(&db.url()).await.expect("open database");
    let announced = Arc::new(std::sync::Mutex::new(Vec::new()));
    let road = Road::start(
        storage.clone(),
        1,
        Box::new(|_, _| Box::pin(async { Ok::<_, AppError>(Vec::new()) })),
        Box::new({
            let announced = announced.clone();
            move |changed: &Changed| announced.lock().unwrap().extend_from_slice(changed.trips())
        }),
    );
    let create = work(|job| {
        Box::pin(async move {
            let sql = "CREATE TABLE scratch (v TEXT PRIMARY KEY)";
            match job.writes().await?.raw() {
                Raw::Sqlite(c) => sqlx::query(sql).execute(c).await.map(|_| ())?,
                Raw::Postgres(c) => sqlx::query(sql).execute(c).await.map(|_| ())?,
            }
            Ok(("created", Changed::nothing()))
        })
    });
    road.write(t0(), create).await.expect("create the table");

    // Round one: a write that changes something and then fails, one
    // refused before it changes anything, two that succeed.
    let changes_then_fails = work(|job| {
        Box::pin(async move {
            run(job.writes().await?, PUT, "b").await?;
            Err(AppError::invalid("changed, then refused"))
        })
    });
    let refused = work(|_| Box::pin(async { Err(AppError::invalid("refused")) }));
    let answers = together(
        &road,
        vec![
            road.write(t0(), put("a", 2)).boxed(),
            road.write(t0(), changes_then_fails).boxed(),
            road.write(t0(), refused).boxed(),
            road.write(t0(), put("c", 3)).boxed(),
        ],
    )
    .await;
    assert_eq!(answers[0].as_ref().ok(), Some(&"a"));
    assert!(
        matches!(&answers[1], Err(AppError::InvalidRequest { message }) if message == "changed, then refused"),
        "{:?}",
        answers[1]
    );
    assert!(
        matches!(&answers[2], Err(AppError::InvalidRequest { message }) if message == "refused")
    );
    assert_eq!(answers[3].as_ref().ok(), Some(&"c"));
    assert_eq!(
        stored(&storage).await,
        ["a", "c", "gate"],
        "only what was answered as done"
    );

    // Round two: a write whose statement fails ("a" again: the primary
    // key) between two that succeed.
    let answers = together(
        &road,
        vec![
            road.write(t0(), put("d", 4)).boxed(),
            road.write(t0(), put("a", 5)).boxed(),
            road.write(t0(), put("e", 6)).boxed(),
        ],
    )
    .await;
    assert_eq!(answers[0].as_ref().ok(), Some(&"d"));
    assert!(
        matches!(answers[1], Err(AppError::Internal)),
        "{:?}",
        answers[1]
    );
    assert_eq!(answers[2].as_ref().ok(), Some(&"e"));
    assert_eq!(stored(&storage).await, ["a", "c", "d", "e", "gate"]);

    let mut trips = announced.lock().unwrap().clone();
    trips.sort_unstable();
    trips.dedup();
    assert_eq!(
        trips,
        [1, 2, 3, 4, 6],
        "announced: the trips of the writes kept"
    );
}

/// Runs `writes` together: behind a write that waits for a gate, so they
/// queue and run in one batch (with it or in the next). Returns their
/// answers.
async fn together<'r>(
    road: &'r kursi::storage::road::Road,
    writes: Vec<futures::future::BoxFuture<'r, Result<&'static str, AppError>>>,
) -> Vec<Result<&'static str, AppError>> {
    use futures::FutureExt;
    use kursi::storage::road::Changed;
    use kursi::storage::{Connection, Raw};
    let (open, gate) = tokio::sync::watch::channel(false);
    let first = work(move |job| {
        Box::pin(async move {
            // It stays open: a write may run more than once.
            let mut gate = gate;
            gate.wait_for(|open| *open).await.expect("the gate");
            let sql = "INSERT INTO scratch (v) VALUES ('gate') ON CONFLICT DO NOTHING";
            match job.writes().await?.raw() {
                Raw::Sqlite(c) => sqlx::query(sql).execute(c).await.map(|_| ())?,
                Raw::Postgres(c) => sqlx::query(sql).execute(c).await.map(|_| ())?,
            }
            Ok(("gate", Changed::trip(1)))
        })
    });
    let mut all = vec![road.write(t0(), first).boxed()];
    all.extend(writes);
    // Polled once, each is in the queue.
    for w in all.iter_mut() {
        assert!(futures::poll!(w.as_mut()).is_pending());
    }
    open.send_replace(true);
    let mut answers = futures::future::join_all(all).await;
    assert_eq!(answers.remove(0).ok(), Some("gate"));
    answers
}

/// What the scratch table of the road's test holds.
async fn stored(storage: &kursi::storage::Storage) -> Vec<String> {
    use kursi::storage::{Connection, Raw};
    let mut conn = storage.read().await.expect("a reader");
    let sql = "SELECT v FROM scratch ORDER BY v";
    match conn.raw() {
        Raw::Sqlite(c) => sqlx::query_scalar(sql).fetch_all(c).await.unwrap(),
        Raw::Postgres(c) => sqlx::query_scalar(sql).fetch_all(c).await.unwrap(),
    }
}

/// The road's test writes: each answers a tag and the trips it changed.
type Answer = Result<(&'static str, kursi::storage::road::Changed), AppError>;

/// A write as the road takes it (names the closure's signature).
fn work<F>(f: F) -> F
where
    F: for<'a> FnOnce(&'a mut kursi::storage::road::Job) -> futures::future::BoxFuture<'a, Answer>,
{
    f
}

/// Runs `sql` with `v` bound as `$1`.
async fn run(c: &mut impl kursi::storage::Connection, sql: &str, v: &str) -> Result<(), AppError> {
    use kursi::storage::Raw;
    match c.raw() {
        Raw::Sqlite(c) => sqlx::query(sql).bind(v).execute(c).await.map(|_| ())?,
        Raw::Postgres(c) => sqlx::query(sql).bind(v).execute(c).await.map(|_| ())?,
    }
    Ok(())
}

const PUT: &str = "INSERT INTO scratch (v) VALUES ($1)";

/// Puts `v` in the scratch table; changes `trip`.
fn put(
    v: &'static str,
    trip: i64,
) -> impl for<'a> FnOnce(&'a mut kursi::storage::road::Job) -> futures::future::BoxFuture<'a, Answer>
+ Clone
+ Send
+ 'static {
    work(move |job| {
        Box::pin(async move {
            run(job.writes().await?, PUT, v).await?;
            Ok((v, kursi::storage::road::Changed::trip(trip)))
        })
    })
}
