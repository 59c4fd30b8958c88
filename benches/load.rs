//! `make bench`: Kursi under load over real HTTP, next to the ceilings of
//! this machine, printed as a table and written to `bench-results.json`.
//!
//! Scenarios (each `BENCH_SECONDS`, default 8, with 64 clients, each with
//! its own cookie jar): the trip list, a seat map, contended holds on one
//! 40-seat trip, a passenger journey mix, and contended holds again with
//! `BENCH_STREAMS` (default 2,000) live seat-map streams open on another
//! trip (with the server memory each stream costs). Ceilings: a trivial axum
//! handler (a child process of this program) under the same load
//! generator, and a raw single-connection SQLite loop of conditional-update
//! transactions at Kursi's durability settings (and the same loop on
//! PostgreSQL). Every figure is also
//! printed as a ratio to its ceiling, because absolute numbers drift on a
//! shared machine.
//!
//! Then the cluster run (PostgreSQL): the same scenarios through nginx
//! (the template `make cluster` uses) to one and to three instances on one
//! database, next to the trivial handler behind the same nginx, and the
//! "mudik rush": `BENCH_RUSH_STREAMS` (default 5,000) streams on one trip
//! spread over the three instances while 64 clients hold and release its
//! seats, timing each change of a probe on one instance to its event on the
//! others' streams, with each instance's memory.
//!
//! The server binary is `KURSI_BIN` (the release build); `make bench`
//! builds it first.

#![cfg(feature = "ssr")]

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

#[path = "../tests/common/process.rs"]
mod process;

use process::{ADMIN_KEY as KEY, Server, free_port};

const CLIENTS: usize = 64;

fn seconds() -> Duration {
    Duration::from_secs_f64(
        std::env::var("BENCH_SECONDS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(8.0),
    )
}

/// Peak and current resident memory of a process, in KiB.
fn rss_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

#[derive(Default, Clone, serde::Serialize)]
struct Figures {
    name: String,
    requests: u64,
    errors: u64,
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    /// Server peak RSS so far (VmHWM), MiB.
    peak_rss_mib: f64,
    /// requests/s divided by the ceiling's.
    ratio: Option<f64>,
    ceiling: Option<String>,
}

fn summarise(
    name: &str,
    mut lat_us: Vec<u32>,
    errors: u64,
    took: Duration,
    pid: Option<u32>,
) -> Figures {
    lat_us.sort_unstable();
    let pct = |p: f64| {
        if lat_us.is_empty() {
            0.0
        } else {
            lat_us[((lat_us.len() as f64 * p) as usize).min(lat_us.len() - 1)] as f64 / 1000.0
        }
    };
    Figures {
        name: name.into(),
        requests: lat_us.len() as u64,
        errors,
        rps: lat_us.len() as f64 / took.as_secs_f64(),
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
        peak_rss_mib: pid.map(|p| rss_kib(p).0 as f64 / 1024.0).unwrap_or(0.0),
        ..Default::default()
    }
}

impl Figures {
    /// These figures as a share of `ceiling`'s requests per second.
    fn against(mut self, ceiling: &Figures) -> Figures {
        self.ratio = Some(self.rps / ceiling.rps);
        self.ceiling = Some(ceiling.name.clone());
        self
    }
}

/// What one client does per step: returns (requests made, errors).
type Step = Arc<
    dyn Fn(
            usize,
            reqwest::Client,
            StdRng,
        ) -> futures::future::BoxFuture<'static, (StdRng, Vec<(u32, bool)>)>
        + Send
        + Sync,
>;

/// Runs `CLIENTS` clients, each with its own cookie jar, looping `step`.
async fn drive(step: Step) -> (Vec<u32>, u64, Duration) {
    let stop = Arc::new(AtomicBool::new(false));
    let errors = Arc::new(AtomicU64::new(0));
    let mut handles = Vec::new();
    for c in 0..CLIENTS {
        let (step, stop, errors) = (step.clone(), stop.clone(), errors.clone());
        handles.push(tokio::spawn(async move {
            let client = reqwest::Client::builder()
                .cookie_store(true)
                .pool_max_idle_per_host(4)
                .build()
                .unwrap();
            let mut rng = StdRng::seed_from_u64(c as u64);
            let mut lat = Vec::with_capacity(100_000);
            while !stop.load(Ordering::Relaxed) {
                let (r, out) = step(c, client.clone(), rng).await;
                rng = r;
                for (us, ok) in out {
                    lat.push(us);
                    if !ok {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            lat
        }));
    }
    let started = Instant::now();
    tokio::time::sleep(seconds()).await;
    stop.store(true, Ordering::Relaxed);
    let mut all = Vec::new();
    for h in handles {
        all.extend(h.await.unwrap());
    }
    (all, errors.load(Ordering::Relaxed), started.elapsed())
}

async fn timed(req: reqwest::RequestBuilder) -> (u32, u16) {
    let t = Instant::now();
    let status = match req.send().await {
        Ok(r) => {
            let s = r.status().as_u16();
            let _ = r.bytes().await;
            s
        }
        Err(_) => 599,
    };
    (t.elapsed().as_micros() as u32, status)
}

fn get_step(url: String) -> Step {
    Arc::new(move |_, client, rng| {
        let url = url.clone();
        Box::pin(async move {
            let (us, status) = timed(client.get(&url)).await;
            (rng, vec![(us, status == 200)])
        })
    })
}

/// The ceiling of HTTP on this machine: a trivial axum handler returning a
/// small JSON body, run as a child process (`load --trivial-server PORT`).
async fn trivial_server(port: u16) {
    let app = axum::Router::new().route(
        "/json",
        axum::routing::get(|| async { axum::Json(json!({"ok": true, "seats": 40})) }),
    );
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    axum::serve(listener, app).await.unwrap();
}

/// [`trivial_server`] as a child process of this program on a free port.
async fn spawn_trivial() -> (std::process::Child, u16) {
    let port = free_port();
    let child = Command::new(std::env::current_exe().unwrap())
        .args(["--trivial-server", &port.to_string()])
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    (child, port)
}

/// The ceiling of durable writes: one connection, WAL, synchronous=FULL,
/// each transaction a conditional UPDATE checked by rows affected (hold),
/// then one that undoes it (release), like Kursi's.
async fn sqlite_ceiling(dir: &std::path::Path) -> Figures {
    use sqlx::ConnectOptions;
    use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
    let mut conn = SqliteConnectOptions::new()
        .filename(dir.join("raw.db"))
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .connect()
        .await
        .unwrap();
    sqlx::query("CREATE TABLE seats (id INTEGER PRIMARY KEY, status TEXT NOT NULL, owner INTEGER)")
        .execute(&mut conn)
        .await
        .unwrap();
    for i in 0..40 {
        sqlx::query("INSERT INTO seats VALUES (?, 'AVAILABLE', NULL)")
            .bind(i)
            .execute(&mut conn)
            .await
            .unwrap();
    }
    let mut rng = StdRng::seed_from_u64(1);
    let mut lat = Vec::new();
    let started = Instant::now();
    let mut owner = 0i64;
    while started.elapsed() < seconds() {
        let seat: i64 = rng.random_range(0..40);
        owner += 1;
        for (sql, a, b) in [
            (
                "UPDATE seats SET status = 'HOLD', owner = ? WHERE id = ? AND status = 'AVAILABLE'",
                owner,
                seat,
            ),
            (
                "UPDATE seats SET status = 'AVAILABLE', owner = NULL WHERE owner = ? AND id = ?",
                owner,
                seat,
            ),
        ] {
            let t = Instant::now();
            let mut tx = sqlx::Connection::begin(&mut conn).await.unwrap();
            let done = sqlx::query(sql)
                .bind(a)
                .bind(b)
                .execute(&mut *tx)
                .await
                .unwrap();
            assert_eq!(done.rows_affected(), 1);
            tx.commit().await.unwrap();
            lat.push(t.elapsed().as_micros() as u32);
        }
    }
    summarise(
        "ceiling: raw SQLite write tx",
        lat,
        0,
        started.elapsed(),
        None,
    )
}

/// The same ceiling on PostgreSQL: one connection, `synchronous_commit`
/// on (the server's default, as Kursi runs), each transaction one
/// conditional UPDATE checked by rows affected, in a table of its own in
/// the bench's database.
async fn postgres_ceiling(url: &str) -> Figures {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    sqlx::query(
        "CREATE TABLE raw_seats (id BIGINT PRIMARY KEY, status TEXT NOT NULL, owner BIGINT)",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    sqlx::query("INSERT INTO raw_seats SELECT g, 'AVAILABLE', NULL FROM generate_series(0, 39) g")
        .execute(&mut conn)
        .await
        .unwrap();
    let mut rng = StdRng::seed_from_u64(1);
    let mut lat = Vec::new();
    let started = Instant::now();
    let mut owner = 0i64;
    while started.elapsed() < seconds() {
        let seat: i64 = rng.random_range(0..40);
        owner += 1;
        for (sql, a, b) in [
            (
                "UPDATE raw_seats SET status = 'HOLD', owner = $1 WHERE id = $2 AND status = 'AVAILABLE'",
                owner,
                seat,
            ),
            (
                "UPDATE raw_seats SET status = 'AVAILABLE', owner = NULL WHERE owner = $1 AND id = $2",
                owner,
                seat,
            ),
        ] {
            let t = Instant::now();
            let mut tx = conn.begin().await.unwrap();
            let done = sqlx::query(sql)
                .bind(a)
                .bind(b)
                .execute(&mut *tx)
                .await
                .unwrap();
            assert_eq!(done.rows_affected(), 1);
            tx.commit().await.unwrap();
            lat.push(t.elapsed().as_micros() as u32);
        }
    }
    summarise(
        "ceiling: raw PostgreSQL write tx",
        lat,
        0,
        started.elapsed(),
        None,
    )
}

/// A database of the bench's own on the PostgreSQL server at
/// `KURSI_TEST_PG` (default `postgres://postgres@127.0.0.1:5432/postgres`):
/// its URL, and the server's URL to drop it from.
async fn bench_postgres() -> (String, String, String) {
    use sqlx::{Connection, Executor};
    let server = std::env::var("KURSI_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let name = format!("kursi_bench_{:08x}", rand::random::<u32>());
    let mut admin = sqlx::PgConnection::connect(&server).await.unwrap();
    admin
        .execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .unwrap();
    let url = format!("{}/{name}", server.rsplit_once('/').unwrap().0);
    (url, server, name)
}

async fn drop_postgres(server: &str, name: &str) {
    use sqlx::{Connection, Executor};
    let mut admin = sqlx::PgConnection::connect(server).await.unwrap();
    let _ = admin
        .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
        .await;
}

/// Each client holds a random seat of `trip`, and releases it on success.
/// A 409 is the expected answer to a taken seat.
fn hold_step(base: &str, trip: i64) -> Step {
    let hold_url = format!("{base}/api/seats/hold/");
    let release_url = format!("{base}/api/seats/release/");
    Arc::new(move |_, client, mut rng| {
        let (hold_url, release_url) = (hold_url.clone(), release_url.clone());
        Box::pin(async move {
            let seat = seat_code(&mut rng);
            let (us, status) = timed(
                client
                    .post(&hold_url)
                    .json(&json!({"trip_id": trip, "seats": [seat]})),
            )
            .await;
            let mut out = vec![(us, status == 200 || status == 409)];
            if status == 200 {
                let (us, status) = timed(client.post(&release_url).json(&json!({}))).await;
                out.push((us, status == 200));
            }
            (rng, out)
        })
    })
}

/// Opens `n` live seat-map streams of `trip` (raw connections, each read
/// up to its `ready` event) and keeps them open while the result lives.
async fn open_streams(base: &str, trip: i64, n: usize) -> Vec<tokio::net::TcpStream> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = base.trim_start_matches("http://").to_string();
    let mut open = Vec::with_capacity(n);
    for _ in 0..n {
        let Ok(mut s) = tokio::net::TcpStream::connect(&addr).await else {
            break;
        };
        let req = format!("GET /api/trips/{trip}/events/ HTTP/1.1\r\nHost: {addr}\r\n\r\n");
        if s.write_all(req.as_bytes()).await.is_err() {
            break;
        }
        let mut buf = vec![0u8; 1024];
        let mut seen = Vec::new();
        while !String::from_utf8_lossy(&seen).contains("ready") {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(k) => seen.extend_from_slice(&buf[..k]),
            }
        }
        open.push(s);
    }
    open
}

/// Kursi on `database` (a URL; `None`: SQLite in `dir`).
async fn start_kursi(dir: &std::path::Path, database: Option<&str>) -> Server {
    let mut extra = vec![
        ("MAX_ACTIVE_HOLDS_PER_WHATSAPP", "1000"),
        ("MAX_STREAMS_PER_IP", "100000"),
        ("RUST_LOG", "error"),
    ];
    if let Some(url) = database {
        extra.push(("DATABASE_URL", url));
    }
    Server::start(dir, free_port(), &extra).await
}

async fn create_trip(base: &str, i: usize) -> i64 {
    let trip: Value = reqwest::Client::new()
        .post(format!("{base}/api/admin/trips/"))
        .header("x-admin-key", KEY)
        .json(
            &json!({"route_from": format!("Jakarta {i}"), "route_to": "Bandung",
            "depart_at": (chrono::Utc::now() + chrono::Duration::days(3)).to_rfc3339(),
            "price": 150000, "bus_type": "ECONOMY", "admin_wa": "081200001111"}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    trip["id"].as_i64().unwrap()
}

fn seat_code(rng: &mut StdRng) -> String {
    format!(
        "{}{}",
        rng.random_range(1..=10),
        ["A", "B", "C", "D"][rng.random_range(0..4)]
    )
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // Thousands of open streams need descriptors on this side too.
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let rt = tokio::runtime::Runtime::new().unwrap();
    if let Some(i) = args.iter().position(|a| a == "--trivial-server") {
        let port: u16 = args[i + 1].parse().unwrap();
        rt.block_on(trivial_server(port));
        return;
    }
    if !args.iter().any(|a| a == "--bench") && std::env::var("KURSI_BIN").is_err() {
        // `cargo test --benches` builds this; only `make bench` runs it.
        return;
    }
    rt.block_on(run());
}

async fn run() {
    let dir = tempfile::tempdir().unwrap();

    // Ceilings first.
    let (mut trivial, port) = spawn_trivial().await;
    let (lat, errors, took) = drive(get_step(format!("http://127.0.0.1:{port}/json"))).await;
    let http_ceiling = summarise(
        "ceiling: trivial axum JSON",
        lat,
        errors,
        took,
        Some(trivial.id()),
    );
    let _ = trivial.kill();
    let _ = trivial.wait();
    // `BENCH_ONLY=postgres`: PostgreSQL's ceiling and scenarios alone.
    if std::env::var("BENCH_ONLY").as_deref() == Ok("postgres") {
        let (pg_url, pg_server, pg_name) = bench_postgres().await;
        let pg_ceiling = postgres_ceiling(&pg_url).await;
        let server = start_kursi(dir.path(), Some(&pg_url)).await;
        let pid = server.child.id();
        let (mut results, _) = scenarios(&server.base, pid, &http_ceiling, &pg_ceiling).await;
        drop(server);
        drop_postgres(&pg_server, &pg_name).await;
        results.insert(0, pg_ceiling);
        results.insert(0, http_ceiling);
        print_table("PostgreSQL", &results);
        return;
    }

    // SQLite: the scenarios, then streams and a sign-in storm.
    let sql_ceiling = sqlite_ceiling(dir.path()).await;
    let server = start_kursi(dir.path(), None).await;
    let pid = server.child.id();
    let base = server.base.clone();
    let (mut results, trips) = scenarios(&base, pid, &http_ceiling, &sql_ceiling).await;
    let contended = trips[1];

    // Live streams: STREAMS seat-map streams open on one trip cost memory
    // per stream, and must not slow writes on another trip (a write wakes
    // only its own trip's streams).
    let streams = std::env::var("BENCH_STREAMS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2000usize);
    let before = rss_kib(pid).1;
    let open = open_streams(&base, trips[5], streams).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let after = rss_kib(pid).1;
    let per_stream_kib = after.saturating_sub(before) as f64 / open.len().max(1) as f64;
    let (lat, errors, took) = drive(hold_step(&base, contended)).await;
    results.push(
        summarise(
            &format!("contended holds, {} streams on another trip", open.len()),
            lat,
            errors,
            took,
            Some(pid),
        )
        .against(&sql_ceiling),
    );
    drop(open);
    println!("live streams: {streams} opened, {per_stream_kib:.1} KiB of server memory each");

    // A storm of wrong sign-ins: 64 at once, three times. Argon2 takes
    // ~19 MiB per verification; PASSWORD_HASH_CONCURRENCY bounds how many
    // run at once, so memory grows by a few of those, not 64.
    let before = rss_kib(pid).1;
    let mut busy = 0;
    for _ in 0..3 {
        let logins = (0..CLIENTS).map(|_| {
            reqwest::Client::new()
                .post(format!("{base}/api/admin/login/"))
                .json(&json!({"username": "admin", "password": "wrong password"}))
                .send()
        });
        for r in futures::future::join_all(logins)
            .await
            .into_iter()
            .flatten()
        {
            busy += usize::from(r.status() == 429);
        }
    }
    let login_growth_mib = rss_kib(pid).1.saturating_sub(before) as f64 / 1024.0;
    println!(
        "sign-in storm: {} wrong sign-ins, {busy} told to retry, server memory +{login_growth_mib:.1} MiB",
        3 * CLIENTS
    );
    let (peak, now) = rss_kib(pid);
    drop(server);
    results.insert(0, sql_ceiling);
    results.insert(0, http_ceiling.clone());
    // `BENCH_ONLY=sqlite`: stop here (a quick run, say under a profiler;
    // `BENCH_ONLY=postgres` above is its counterpart).
    if std::env::var("BENCH_ONLY").as_deref() == Ok("sqlite") {
        print_table("SQLite", &results);
        return;
    }

    // PostgreSQL: the same scenarios on the same machine, next to its own
    // raw ceiling.
    let (pg_url, pg_server, pg_name) = bench_postgres().await;
    let pg_ceiling = postgres_ceiling(&pg_url).await;
    let pg_dir = tempfile::tempdir().unwrap();
    let server = start_kursi(pg_dir.path(), Some(&pg_url)).await;
    let pg_pid = server.child.id();
    let (mut pg_results, _) = scenarios(&server.base, pg_pid, &http_ceiling, &pg_ceiling).await;
    let (pg_peak, _) = rss_kib(pg_pid);
    drop(server);
    drop_postgres(&pg_server, &pg_name).await;

    // Several instances behind nginx on one PostgreSQL database.
    let (cluster_results, rush) = cluster(&pg_ceiling).await;
    pg_results.insert(0, pg_ceiling);
    pg_results.insert(0, http_ceiling);

    print_table("SQLite", &results);
    println!(
        "server RSS: peak {:.1} MiB, now {:.1} MiB",
        peak as f64 / 1024.0,
        now as f64 / 1024.0
    );
    print_table("PostgreSQL", &pg_results);
    println!("server RSS: peak {:.1} MiB", pg_peak as f64 / 1024.0);
    print_table("PostgreSQL, through nginx", &cluster_results);
    println!(
        "mudik rush: {} streams over 3 instances ({} KiB each), RSS {} MiB; \
         hold on one instance to its event on another: p50 {:.1} ms, p99 {:.1} ms \
         ({} timed, {} not within 5 s)",
        rush.streams,
        rush.stream_kib_each
            .iter()
            .map(|k| format!("{k:.1}"))
            .collect::<Vec<_>>()
            .join(" / "),
        rush.rss_mib
            .iter()
            .map(|m| format!("{m:.1}"))
            .collect::<Vec<_>>()
            .join(" / "),
        rush.event_p50_ms,
        rush.event_p99_ms,
        rush.events_timed,
        rush.events_lost,
    );
    let out = json!({
        "date": chrono::Utc::now().to_rfc3339(),
        "clients": CLIENTS,
        "seconds": seconds().as_secs_f64(),
        "scenarios": results,
        "server_peak_rss_mib": peak as f64 / 1024.0,
        "streams": streams,
        "stream_kib_each": per_stream_kib,
        "login_storm_growth_mib": login_growth_mib,
        "postgres": {
            "scenarios": pg_results,
            "server_peak_rss_mib": pg_peak as f64 / 1024.0,
        },
        "cluster": {
            "scenarios": cluster_results,
            "mudik_rush": rush,
        },
    });
    let path = std::env::var("BENCH_OUT").unwrap_or_else(|_| "bench-results.json".into());
    std::fs::write(&path, serde_json::to_string_pretty(&out).unwrap()).unwrap();
    println!("written to {path}");
}

/// The scenarios every database runs: the trip list and a seat map (next
/// to the HTTP ceiling), contended holds (next to the database's raw write
/// ceiling) and the passenger journey mix. Returns the figures and the six
/// trips it made.
async fn scenarios(
    base: &str,
    pid: u32,
    http_ceiling: &Figures,
    db_ceiling: &Figures,
) -> (Vec<Figures>, Vec<i64>) {
    let mut results = Vec::new();
    let mut trips = Vec::new();
    for i in 0..6 {
        trips.push(create_trip(base, i).await);
    }

    let (lat, errors, took) = drive(get_step(format!("{base}/api/trips/"))).await;
    results.push(
        summarise("GET /api/trips/ (6 trips)", lat, errors, took, Some(pid)).against(http_ceiling),
    );

    let (lat, errors, took) =
        drive(get_step(format!("{base}/api/trips/{}/seats/", trips[0]))).await;
    results.push(
        summarise("GET /api/trips/{id}/seats/", lat, errors, took, Some(pid)).against(http_ceiling),
    );

    // Contended holds: everyone on one trip; hold a random seat, release
    // it on success. A 409 is the expected answer to a taken seat.
    let (lat, errors, took) = drive(hold_step(base, trips[1])).await;
    results.push(
        summarise(
            "contended holds (hold + release, 1 trip)",
            lat,
            errors,
            took,
            Some(pid),
        )
        .against(db_ceiling),
    );

    // The journey mix: search, seat map, hold, contact, release.
    let journey_trips = Arc::new(trips[2..].to_vec());
    let b = base.to_string();
    let step: Step = Arc::new(move |c, client, mut rng| {
        let (b, trips) = (b.clone(), journey_trips.clone());
        Box::pin(async move {
            let trip = trips[rng.random_range(0..trips.len())];
            let mut out = Vec::new();
            let (us, s) = timed(client.get(format!("{b}/api/trips/?from=jakarta"))).await;
            out.push((us, s == 200));
            let (us, s) = timed(client.get(format!("{b}/api/trips/{trip}/seats/"))).await;
            out.push((us, s == 200));
            let seat = seat_code(&mut rng);
            let (us, s) = timed(
                client
                    .post(format!("{b}/api/seats/hold/"))
                    .json(&json!({"trip_id": trip, "seats": [seat]})),
            )
            .await;
            out.push((us, s == 200 || s == 409));
            if s == 200 {
                let (us, s) = timed(
                    client
                        .post(format!("{b}/api/hold/attach-contact/"))
                        .json(&json!({"name": "Budi", "whatsapp": format!("0812{:08}", c)})),
                )
                .await;
                out.push((us, s == 200));
                let (us, s) = timed(
                    client
                        .post(format!("{b}/api/seats/release/"))
                        .json(&json!({})),
                )
                .await;
                out.push((us, s == 200));
            }
            (rng, out)
        })
    });
    let (lat, errors, took) = drive(step).await;
    results.push(
        summarise(
            "journey mix (search, map, hold, contact, release)",
            lat,
            errors,
            took,
            Some(pid),
        )
        .against(http_ceiling),
    );
    (results, trips)
}

fn print_table(database: &str, results: &[Figures]) {
    println!();
    println!(
        "{:<52} {:>10} {:>7} {:>9} {:>8} {:>8} {:>9} {:>8}",
        format!("{database} (64 clients)"),
        "requests",
        "errors",
        "req/s",
        "p50 ms",
        "p99 ms",
        "peak MiB",
        "ratio"
    );
    for f in results {
        println!(
            "{:<52} {:>10} {:>7} {:>9.0} {:>8.2} {:>8.2} {:>9.1} {:>8}",
            f.name,
            f.requests,
            f.errors,
            f.rps,
            f.p50_ms,
            f.p99_ms,
            f.peak_rss_mib,
            f.ratio
                .map(|r| format!("{r:.2}x"))
                .unwrap_or_else(|| "-".into())
        );
    }
}

/// nginx round robin in front of `ports` on a port of its own, from the
/// template `make cluster` uses (`scripts/cluster/nginx.conf.in`).
struct Nginx {
    child: std::process::Child,
    base: String,
    _dir: tempfile::TempDir,
}

impl Nginx {
    async fn start(ports: &[u16]) -> Nginx {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let upstreams: Vec<String> = ports
            .iter()
            .map(|p| format!("        server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;"))
            .collect();
        let conf = include_str!("../scripts/cluster/nginx.conf.in")
            .replace("@DIR@", &dir.path().display().to_string())
            .replace("@PORT@", &port.to_string())
            .replace("@UPSTREAMS@", &upstreams.join("\n"));
        let path = dir.path().join("nginx.conf");
        std::fs::write(&path, conf).unwrap();
        let child = Command::new("nginx")
            .args([
                "-p",
                dir.path().to_str().unwrap(),
                "-c",
                path.to_str().unwrap(),
            ])
            .stdout(Stdio::null())
            .spawn()
            .expect("nginx (make bench installs nginx-light)");
        let base = format!("http://127.0.0.1:{port}");
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Nginx {
            child,
            base,
            _dir: dir,
        }
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn port_of(base: &str) -> u16 {
    base.rsplit(':').next().unwrap().parse().unwrap()
}

/// What the mudik rush measured.
#[derive(Default, serde::Serialize)]
struct Rush {
    streams: usize,
    /// Server memory each open stream costs, per instance, KiB.
    stream_kib_each: Vec<f64>,
    /// Each instance's RSS with the streams open, MiB.
    rss_mib: Vec<f64>,
    /// From an acknowledged hold on one instance to its event on a stream
    /// of another: how many were timed, p50 and p99.
    events_timed: usize,
    event_p50_ms: f64,
    event_p99_ms: f64,
    /// Events that did not come within 5 s.
    events_lost: usize,
    holds: Figures,
}

/// Reads an event stream on `base` for `trip` and sends the moment each
/// `seats` event arrives.
async fn stamp_events(
    base: &str,
    trip: i64,
) -> (
    tokio::sync::mpsc::UnboundedReceiver<Instant>,
    tokio::task::JoinHandle<()>,
) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = base.trim_start_matches("http://").to_string();
    let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let req = format!("GET /api/trips/{trip}/events/ HTTP/1.1\r\nHost: {addr}\r\n\r\n");
    s.write_all(req.as_bytes()).await.unwrap();
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let task = tokio::spawn(async move {
        let mut buf = vec![0u8; 4096];
        let mut text = String::new();
        loop {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(k) => {
                    let at = Instant::now();
                    text.push_str(&String::from_utf8_lossy(&buf[..k]));
                    while let Some(i) = text.find("event: seats") {
                        let _ = tx.send(at);
                        text.drain(..i + "event: seats".len());
                    }
                    // Keep only a tail that may hold the start of a marker.
                    if text.len() > 64 {
                        let cut = text.len() - 32;
                        let cut = (cut..text.len())
                            .find(|&i| text.is_char_boundary(i))
                            .unwrap_or(text.len());
                        text.drain(..cut);
                    }
                }
            }
        }
    });
    (rx, task)
}

/// "Mudik rush" on instances `bases` (behind `front`): `streams` live
/// streams on `rush_trip` spread over the instances while 64 clients hold
/// and release its seats through `front`; meanwhile a probe holds and
/// releases a seat of the quiet `probe_trip` on the first instance and
/// times each change's event on streams of the others (nobody else changes
/// that trip, so each event is the probe's).
async fn rush(
    bases: &[String],
    pids: &[u32],
    front: &str,
    rush_trip: i64,
    probe_trip: i64,
    streams: usize,
) -> Rush {
    let before: Vec<u64> = pids.iter().map(|&p| rss_kib(p).1).collect();
    let mut open = Vec::new();
    for (i, base) in bases.iter().enumerate() {
        let share = streams / bases.len() + usize::from(i < streams % bases.len());
        open.push(open_streams(base, rush_trip, share).await);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let after: Vec<u64> = pids.iter().map(|&p| rss_kib(p).1).collect();
    let stream_kib_each = (0..bases.len())
        .map(|i| after[i].saturating_sub(before[i]) as f64 / open[i].len().max(1) as f64)
        .collect();
    let mut watchers = Vec::new();
    for base in &bases[1..] {
        watchers.push(stamp_events(base, probe_trip).await);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;

    let churn = tokio::spawn(drive(hold_step(front, rush_trip)));
    let probe = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let (mut lat_us, mut lost) = (Vec::new(), 0);
    let started = Instant::now();
    while started.elapsed() < seconds() {
        for body in [json!({"trip_id": probe_trip, "seats": ["1A"]}), json!({})] {
            let path = if body.get("seats").is_some() {
                "hold"
            } else {
                "release"
            };
            let r = probe
                .post(format!("{}/api/seats/{path}/", bases[0]))
                .json(&body)
                .send()
                .await
                .unwrap();
            let acked = Instant::now();
            assert!(r.status().is_success(), "probe {path}: {}", r.status());
            for (events, _) in watchers.iter_mut() {
                match tokio::time::timeout(Duration::from_secs(5), events.recv()).await {
                    Ok(Some(at)) => {
                        lat_us.push(at.saturating_duration_since(acked).as_micros() as u32)
                    }
                    _ => lost += 1,
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (lat, errors, took) = churn.await.unwrap();
    let rss_mib = pids.iter().map(|&p| rss_kib(p).1 as f64 / 1024.0).collect();
    for (_, task) in watchers {
        task.abort();
    }
    drop(open);
    let timed = summarise("", lat_us, 0, Duration::from_secs(1), None);
    Rush {
        streams,
        stream_kib_each,
        rss_mib,
        events_timed: timed.requests as usize,
        event_p50_ms: timed.p50_ms,
        event_p99_ms: timed.p99_ms,
        events_lost: lost,
        holds: summarise(
            &format!("mudik rush: contended holds, {streams} streams open"),
            lat,
            errors,
            took,
            Some(pids[0]),
        ),
    }
}

/// The cluster run: the scenarios through nginx to 1 and to 3 instances on
/// one PostgreSQL database, then the mudik rush on the three. Reads are
/// compared with the trivial handler behind the same nginx, holds with
/// PostgreSQL's raw ceiling.
async fn cluster(pg_ceiling: &Figures) -> (Vec<Figures>, Rush) {
    let (mut trivial, port) = spawn_trivial().await;
    let front = Nginx::start(&[port]).await;
    let (lat, errors, took) = drive(get_step(format!("{}/json", front.base))).await;
    let nginx_ceiling = summarise(
        "ceiling: trivial axum JSON through nginx",
        lat,
        errors,
        took,
        Some(trivial.id()),
    );
    drop(front);
    let _ = trivial.kill();
    let _ = trivial.wait();

    let mut results = vec![nginx_ceiling.clone()];
    let mut rush_figures = Rush::default();
    for n in [1usize, 3] {
        let (url, server, name) = bench_postgres().await;
        let dirs: Vec<_> = (0..n).map(|_| tempfile::tempdir().unwrap()).collect();
        let servers =
            futures::future::join_all(dirs.iter().map(|d| start_kursi(d.path(), Some(&url)))).await;
        let ports: Vec<u16> = servers.iter().map(|s| port_of(&s.base)).collect();
        let pids: Vec<u32> = servers.iter().map(|s| s.child.id()).collect();
        let front = Nginx::start(&ports).await;
        let (figures, trips) = scenarios(&front.base, pids[0], &nginx_ceiling, pg_ceiling).await;
        let label = if n == 1 { "1 instance" } else { "3 instances" };
        results.extend(figures.into_iter().map(|mut f| {
            f.name = format!("{label}: {}", f.name);
            f
        }));
        if n == 3 {
            let streams = std::env::var("BENCH_RUSH_STREAMS")
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(5000usize);
            let bases: Vec<String> = servers.iter().map(|s| s.base.clone()).collect();
            // A trip of its own for the probe: nobody else changes it.
            let probe_trip = create_trip(&front.base, 99).await;
            rush_figures = rush(&bases, &pids, &front.base, trips[1], probe_trip, streams).await;
            rush_figures.holds = std::mem::take(&mut rush_figures.holds).against(pg_ceiling);
            results.push(rush_figures.holds.clone());
        }
        drop(front);
        drop(servers);
        drop_postgres(&server, &name).await;
    }
    (results, rush_figures)
}
