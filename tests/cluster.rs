//! Three real server processes on one PostgreSQL database, as `make
//! cluster` runs them behind nginx: to a passenger they must be one system.
//! Requests go to the instances directly (spread over them here, as the
//! load balancer would), so each test knows which instance answered.
//!
//! The database is a fresh one on `KURSI_TEST_PG` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`), except for the restart
//! test, which starts a PostgreSQL server of its own (`initdb` and `pg_ctl`
//! as the `postgres` user, on a free port) so that it may stop it.

#![cfg(feature = "ssr")]

mod common;

#[path = "common/process.rs"]
mod process;

#[path = "common/journeys.rs"]
mod journeys;

use std::collections::BTreeMap;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::TestDatabase;
use journeys::{Acked, check_database, create_trips, load};
use kursi::storage::{self, Storage};
use process::{Server, free_port};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::sync::Mutex;

/// Three instances on the database at `url`, each with its own directory
/// (for its log).
struct Cluster {
    servers: Vec<Server>,
    _dirs: Vec<tempfile::TempDir>,
    _alone: tokio::sync::MutexGuard<'static, ()>,
}

/// One cluster at a time: three servers per test on two cores are load
/// enough, and the timings asserted here are of one cluster's.
static ALONE: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

impl Cluster {
    async fn start(url: &str) -> Cluster {
        let alone = ALONE.lock().await;
        let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
        let env = [("DATABASE_URL", url)];
        let servers = futures::future::join_all(
            dirs.iter()
                .map(|d| Server::start(d.path(), free_port(), &env)),
        )
        .await;
        Cluster {
            servers,
            _dirs: dirs,
            _alone: alone,
        }
    }

    fn base(&self, i: usize) -> &str {
        &self.servers[i % self.servers.len()].base
    }
}

fn passenger() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// The status of each seat on `base`'s map of `trip`.
async fn map_on(base: &str, trip: i64) -> Vec<(String, String)> {
    let map: Value = reqwest::get(format!("{base}/api/trips/{trip}/seats/"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    map["seats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["code"].as_str().unwrap().to_string(),
                s["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn status_of<'m>(map: &'m [(String, String)], code: &str) -> &'m str {
    &map.iter().find(|(c, _)| c == code).unwrap().1
}

async fn post(client: &reqwest::Client, url: String, body: Value) -> (StatusCode, Value) {
    let r = client.post(url).json(&body).send().await.unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_sessions_over_three_instances_race_for_two_seats_and_one_wins() {
    let db = TestDatabase::create_postgres().await;
    let cluster = Cluster::start(&db.url()).await;
    let trip = create_trips(cluster.base(0), 1).await[0];
    let clients: Vec<_> = (0..100).map(|_| passenger()).collect();
    let tries = clients.iter().enumerate().map(|(i, c)| {
        post(
            c,
            format!("{}/api/seats/hold/", cluster.base(i)),
            json!({"trip_id": trip, "seats": ["1A", "1B"]}),
        )
    });
    let answers = futures::future::join_all(tries).await;
    let winners: Vec<usize> = (0..100)
        .filter(|&i| answers[i].0 == StatusCode::OK)
        .collect();
    assert_eq!(winners.len(), 1, "exactly one winner");
    for (status, body) in &answers {
        assert!(
            *status == StatusCode::OK
                || (*status == StatusCode::CONFLICT && body["code"] == "seats_unavailable"),
            "{status} {body}"
        );
    }
    for i in 0..3 {
        let map = map_on(cluster.base(i), trip).await;
        assert_eq!(status_of(&map, "1A"), "HOLD", "instance {i}");
        assert_eq!(status_of(&map, "1B"), "HOLD", "instance {i}");
    }

    // The winner's claim code, made on its instance, works on the others.
    let w = winners[0];
    let (status, hold) = post(
        &clients[w],
        format!("{}/api/hold/attach-contact/", cluster.base(w)),
        json!({"name": "Siti Rahma", "whatsapp": "081234567890"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{hold}");
    let code = hold["claim_code"].as_str().unwrap().to_string();
    for other in [w + 1, w + 2] {
        let phone = passenger();
        let (status, claimed) = post(
            &phone,
            format!("{}/api/hold/claim/", cluster.base(other)),
            json!({"claim_code": code}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "claim on instance {}", other % 3);
        assert_eq!(claimed["seats"], json!(["1A", "1B"]));
        // And the claiming device now holds them, on any instance.
        let r = phone
            .get(format!("{}/api/hold/", cluster.base(other + 1)))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }
}

/// Reads `stream` until it has brought `n` more `seats` events than
/// `seen`; at most `within`.
async fn seats_events(
    stream: &mut reqwest::Response,
    text: &mut String,
    n: usize,
    within: Duration,
) -> Result<(), tokio::time::error::Elapsed> {
    let want = text.matches("event: seats").count() + n;
    tokio::time::timeout(within, async {
        while text.matches("event: seats").count() < want {
            let chunk = stream
                .chunk()
                .await
                .unwrap()
                .expect("the stream stays open");
            text.push_str(&String::from_utf8_lossy(&chunk));
        }
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hold_on_one_instance_reaches_the_others_maps_and_streams_within_a_second() {
    let db = TestDatabase::create_postgres().await;
    let cluster = Cluster::start(&db.url()).await;
    let trip = create_trips(cluster.base(0), 1).await[0];
    let mut streams = Vec::new();
    for i in [1, 2] {
        let mut s = reqwest::get(format!("{}/api/trips/{trip}/events/", cluster.base(i)))
            .await
            .unwrap();
        let mut text = String::new();
        while !text.contains("event: ready") {
            text.push_str(&String::from_utf8_lossy(&s.chunk().await.unwrap().unwrap()));
        }
        streams.push((s, text));
    }
    let me = passenger();
    for (n, seat) in ["2C", "3C", "4C"].into_iter().enumerate() {
        let (status, _) = post(
            &me,
            format!("{}/api/seats/hold/", cluster.base(0)),
            json!({"trip_id": trip, "seats": [seat]}),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let acked = Instant::now();
        // A map read on another instance after the answer shows it...
        for i in [1, 2] {
            assert_eq!(
                status_of(&map_on(cluster.base(i), trip).await, seat),
                "HOLD"
            );
        }
        // ...and their streams hear of it within a second.
        for (i, (stream, text)) in streams.iter_mut().enumerate() {
            seats_events(stream, text, 1, Duration::from_secs(1))
                .await
                .unwrap_or_else(|_| panic!("hold {n} not heard on instance {}", i + 1));
        }
        println!(
            "hold of {seat} heard on both other instances after {:?}",
            acked.elapsed()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_of_one_instance_under_load_loses_no_acknowledged_booking() {
    let db = TestDatabase::create_postgres().await;
    let url = db.url();
    let mut cluster = Cluster::start(&url).await;
    let trips = Arc::new(create_trips(cluster.base(0), 12).await);
    let acked: Arc<Mutex<Vec<Acked>>> = Arc::new(Mutex::new(Vec::new()));
    let mut tasks: Vec<_> = (0..3)
        .map(|i| {
            load(
                cluster.base(i).to_string(),
                trips.clone(),
                i as u64,
                4,
                acked.clone(),
            )
        })
        .collect();
    // Let every instance book something, then kill the first mid-load.
    wait_for(
        Duration::from_secs(30),
        "bookings on every instance",
        || async { acked.lock().await.len() >= 30 },
    )
    .await;
    cluster.servers[0].kill_9();
    for t in tasks.remove(0) {
        t.abort();
    }
    let at_kill = acked.lock().await.len();
    // The other two go on serving and booking.
    wait_for(
        Duration::from_secs(30),
        "bookings after the kill",
        || async { acked.lock().await.len() >= at_kill + 30 },
    )
    .await;
    for t in tasks.into_iter().flatten() {
        t.abort();
    }
    let all = acked.lock().await.clone();
    check_database(&url, &all).await;
    // The survivors agree with the database, seat for seat.
    every_map_agrees(&cluster, &[1, 2], &trips, &url).await;
    println!(
        "{} acknowledged bookings ({at_kill} before the kill), none lost",
        all.len()
    );
}

/// Every trip's seat statuses as the database stores them.
async fn stored(url: &str) -> BTreeMap<i64, BTreeMap<String, String>> {
    let storage = Storage::open(url).await.unwrap();
    let mut conn = storage.read().await.unwrap();
    let mut trips: BTreeMap<i64, BTreeMap<String, String>> = BTreeMap::new();
    for s in storage::stored_seats(&mut conn).await.unwrap() {
        trips.entry(s.trip_id).or_default().insert(s.code, s.status);
    }
    drop(conn);
    storage.close().await;
    trips
}

/// Every instance's map of every trip is what the database stores.
/// Requests the test cut off may still commit for a moment, so this looks
/// again for up to 3 s; a stale cache would never come right.
async fn every_map_agrees(cluster: &Cluster, instances: &[usize], trips: &[i64], url: &str) {
    let deadline = Instant::now() + Duration::from_secs(3);
    for &trip in trips {
        for &i in instances {
            loop {
                let want = stored(url).await.remove(&trip).unwrap();
                let got: BTreeMap<_, _> = map_on(cluster.base(i), trip).await.into_iter().collect();
                if got == want {
                    break;
                }
                assert!(
                    Instant::now() < deadline,
                    "instance {i}'s map of trip {trip} is not the database's:\n{got:?}\n{want:?}"
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

/// Polls `done` every 50 ms until it is true; fails after `limit`.
async fn wait_for<F, Fut>(limit: Duration, what: &str, mut done: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + limit;
    while !done().await {
        assert!(Instant::now() < deadline, "no {what} within {limit:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A PostgreSQL server of the test's own, in a directory the `postgres`
/// user owns; stopped and removed when dropped.
struct OwnPostgres {
    dir: tempfile::TempDir,
    port: u16,
}

const PG_BIN: &str = "/usr/lib/postgresql/15/bin";

fn as_postgres(args: &[&str]) {
    let out = Command::new("runuser")
        .args(["-u", "postgres", "--"])
        .args(args)
        .output()
        .expect("runuser");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

impl OwnPostgres {
    fn start() -> OwnPostgres {
        let dir = tempfile::tempdir().unwrap();
        let ok = Command::new("chown")
            .args(["postgres:postgres", dir.path().to_str().unwrap()])
            .status()
            .unwrap()
            .success();
        assert!(ok, "chown the cluster's directory to postgres");
        let data = dir.path().join("data");
        let data = data.to_str().unwrap();
        as_postgres(&[
            &format!("{PG_BIN}/initdb"),
            "--auth=trust",
            "--username=postgres",
            "-D",
            data,
        ]);
        let pg = OwnPostgres {
            port: free_port(),
            dir,
        };
        pg.pg_ctl("start");
        pg
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn pg_ctl(&self, what: &str) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c max_connections=60",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("postgres.log").display().to_string();
        let data = self.data();
        let mut args = vec![format!("{PG_BIN}/pg_ctl"), what.into(), "-D".into(), data];
        if what != "stop" {
            args.extend(["-o".into(), options, "-l".into(), log]);
        }
        args.extend(["-w".into(), "-m".into(), "fast".into()]);
        as_postgres(&args.iter().map(String::as_str).collect::<Vec<_>>());
    }

    fn url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        let _ = Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(format!("{PG_BIN}/pg_ctl"))
            .args(["stop", "-D", &self.data(), "-m", "immediate"])
            .output();
    }
}

/// Holds and releases seats of row `row` of `trips` on `base` in a loop,
/// counting the answers by class (0: no answer).
fn churn(
    row: usize,
    base: String,
    trips: Arc<Vec<i64>>,
    answers: Arc<std::sync::Mutex<[u64; 6]>>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let me = passenger();
        for n in 0u64.. {
            let trip = trips[(n % trips.len() as u64) as usize];
            let seat = format!("{row}{}", ["A", "B", "C", "D"][(n % 4) as usize]);
            let status = match me
                .post(format!("{base}/api/seats/hold/"))
                .json(&json!({"trip_id": trip, "seats": [seat]}))
                .send()
                .await
            {
                Ok(r) => r.status().as_u16() as usize / 100,
                Err(_) => 0,
            };
            answers.lock().unwrap()[status] += 1;
            let _ = me
                .post(format!("{base}/api/seats/release/"))
                .json(&json!({}))
                .send()
                .await;
        }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgresql_restarted_under_load_every_instance_recovers_with_no_stale_map() {
    let pg = OwnPostgres::start();
    {
        use sqlx::{Connection, Executor};
        let mut admin = sqlx::PgConnection::connect(&pg.url("postgres"))
            .await
            .unwrap();
        admin.execute("CREATE DATABASE kursi").await.unwrap();
    }
    let url = pg.url("kursi");
    let cluster = Cluster::start(&url).await;
    let trips = Arc::new(create_trips(cluster.base(0), 3).await);
    let answers = Arc::new(std::sync::Mutex::new([0u64; 6]));
    let load: Vec<_> = (0..6)
        .map(|i| {
            churn(
                1 + i,
                cluster.base(i).to_string(),
                trips.clone(),
                answers.clone(),
            )
        })
        .collect();
    let ok = || answers.lock().unwrap()[2];
    wait_for(
        Duration::from_secs(20),
        "holds before the restart",
        || async { ok() >= 50 },
    )
    .await;

    pg.pg_ctl("stop");
    let before_start = ok();
    pg.pg_ctl("start");

    // Writes recover on every instance: each answers holds again.
    wait_for(
        Duration::from_secs(30),
        "holds after the restart",
        || async { ok() >= before_start + 100 },
    )
    .await;
    for t in load {
        t.abort();
    }
    for i in 0..3 {
        let me = passenger();
        let mut held = false;
        let deadline = Instant::now() + Duration::from_secs(30);
        while !held {
            assert!(Instant::now() < deadline, "instance {i} never wrote again");
            let (status, _) = post(
                &me,
                format!("{}/api/seats/hold/", cluster.base(i)),
                json!({"trip_id": trips[0], "seats": [format!("{}D", 8 + i)]}),
            )
            .await;
            held = status == StatusCode::OK;
            if !held {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
    // No instance shows a map from before: each agrees with the database,
    // once its listener is back (a map read meanwhile comes from the
    // database, never a stale cache).
    every_map_agrees(&cluster, &[0, 1, 2], &trips, &url).await;
    // And a change made now reaches every instance (the listeners are back).
    let me = passenger();
    let (status, _) = post(
        &me,
        format!("{}/api/seats/hold/", cluster.base(2)),
        json!({"trip_id": trips[1], "seats": ["10D"]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    for i in 0..3 {
        assert_eq!(
            status_of(&map_on(cluster.base(i), trips[1]).await, "10D"),
            "HOLD"
        );
    }
    let counts = *answers.lock().unwrap();
    println!("hold answers by class (0 = no answer): {counts:?}");
}
