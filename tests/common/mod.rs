//! Shared helpers: a fresh database per test (SQLite, or PostgreSQL when
//! `KURSI_TEST_DB=postgres`), trips, sessions, time.

#![allow(dead_code)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use kursi::domain::{BusType, ClaimCode, CustomerName, HoldPolicy, SeatCode, WhatsApp};
use kursi::services::{Actor, NewTripInput, Service, SessionKey, new_token};
use kursi::storage::Storage;

/// A database of the test's own, deleted when it is dropped: a SQLite file
/// in a temporary directory, or with `KURSI_TEST_DB=postgres` a new
/// database on the server at `KURSI_TEST_PG` (default
/// `postgres://postgres@127.0.0.1:5432/postgres`).
pub enum TestDatabase {
    Sqlite(tempfile::TempDir),
    Postgres { server: String, name: String },
}

/// The database the tests run on (`KURSI_TEST_DB`: `sqlite`, the default,
/// or `postgres`).
pub fn on_postgres() -> bool {
    match std::env::var("KURSI_TEST_DB").as_deref() {
        Ok("postgres") => true,
        Ok("sqlite") | Err(_) => false,
        Ok(other) => panic!("KURSI_TEST_DB must be sqlite or postgres, not {other:?}"),
    }
}

impl TestDatabase {
    pub async fn create() -> Self {
        if !on_postgres() {
            return TestDatabase::Sqlite(tempfile::tempdir().expect("temp dir"));
        }
        Self::create_postgres().await
    }

    /// A PostgreSQL database whatever `KURSI_TEST_DB` says.
    pub async fn create_postgres() -> Self {
        use sqlx::{Connection, Executor};
        let server = std::env::var("KURSI_TEST_PG")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let name = format!("kursi_test_{:016x}", rand::random::<u64>());
        let mut admin = sqlx::PgConnection::connect(&server)
            .await
            .expect("PostgreSQL at KURSI_TEST_PG (see README)");
        admin
            .execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .expect("create the test database");
        TestDatabase::Postgres { server, name }
    }

    pub fn url(&self) -> String {
        match self {
            TestDatabase::Sqlite(dir) => {
                format!("sqlite://{}", dir.path().join("kursi.db").display())
            }
            TestDatabase::Postgres { server, name } => match server.rsplit_once('/') {
                Some((base, _)) => format!("{base}/{name}"),
                None => panic!("KURSI_TEST_PG must end in /database"),
            },
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, TestDatabase::Postgres { .. })
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let TestDatabase::Postgres { server, name } = self else {
            return;
        };
        let (server, name) = (server.clone(), name.clone());
        // Drop runs outside any runtime (or inside one that must not
        // block): a thread of its own with a runtime of its own. FORCE ends
        // the connections the test's pools still hold.
        let dropped = std::thread::spawn(move || {
            use sqlx::{Connection, Executor};
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                let mut admin = sqlx::PgConnection::connect(&server).await?;
                admin
                    .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                    .await
                    .map(|_| ())
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop a test database: {dropped:?}");
        }
    }
}

/// A service over its own database, deleted with it.
pub struct TestDb {
    pub service: Service,
    pub db: TestDatabase,
}

pub async fn fresh() -> TestDb {
    fresh_with(HoldPolicy::default()).await
}

pub async fn fresh_with(policy: HoldPolicy) -> TestDb {
    log_warnings();
    let db = TestDatabase::create().await;
    let storage = Storage::open(&db.url()).await.expect("open database");
    TestDb {
        service: Service::new(storage, policy, chrono_tz::Asia::Jakarta),
        db,
    }
}

/// The service's warnings and errors (a database error's detail is logged,
/// never answered) go to the test's output, shown when a test fails.
pub fn log_warnings() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "kursi=warn".into()),
        )
        .with_test_writer()
        .try_init();
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

/// A new session holding `codes` on `trip`, with contact details attached,
/// all at `t0`; returns the session and the claim code.
pub async fn held_with_contact(
    service: &Service,
    trip: i64,
    codes: &[&str],
) -> (SessionKey, ClaimCode) {
    let me = session();
    service.hold(&me, trip, &seats(codes), t0()).await.unwrap();
    let hold = service
        .attach_contact(&me, &name("Budi"), &wa("0812345678"), t0())
        .await
        .unwrap();
    (me, claim(&hold.claim_code))
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
        stops: Vec::new(),
    };
    service
        .create_trip(&admin(), &input, t0())
        .await
        .unwrap()
        .id
}

/// A response's status and JSON body (`null` when it has none).
pub async fn answer(resp: reqwest::Response) -> (reqwest::StatusCode, serde_json::Value) {
    let status = resp.status();
    (status, resp.json().await.unwrap_or(serde_json::Value::Null))
}

/// Sends a request with an optional JSON body and admin key; returns the
/// answer's status and JSON body.
pub async fn send(
    client: &reqwest::Client,
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    body: Option<serde_json::Value>,
    key: Option<&str>,
) -> (reqwest::StatusCode, serde_json::Value) {
    let mut req = client.request(method, app.url(path));
    if let Some(b) = body {
        req = req.json(&b);
    }
    if let Some(k) = key {
        req = req.header("x-admin-key", k);
    }
    answer(req.send().await.unwrap()).await
}

/// The whole app served over real HTTP on a free port, with its own
/// database and a clock the test can move.
pub struct TestApp {
    pub base: String,
    pub state: kursi::state::AppState,
    pub db: TestDatabase,
}

pub const ADMIN_KEY: &str = "test-admin-key-0123456789";

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(adjust: impl FnOnce(&mut kursi::config::Settings)) -> TestApp {
    use kursi::config::{Secret, Settings};
    let db = TestDatabase::create().await;
    let mut settings = Settings::for_tests(db.url());
    settings.admin_api_key = Some(Secret::new(ADMIN_KEY));
    settings.admin_password = Some(Secret::new("staff-password-1"));
    adjust(&mut settings);
    let options = leptos::prelude::LeptosOptions::builder()
        .output_name("kursi")
        .build();
    let state = kursi::server::prepare(settings, options, kursi::state::Clock::default())
        .await
        .expect("prepare app");
    // The server's own accept loop, with its connection limits.
    let limits = kursi::listen::Limits {
        max_connections: state.settings.max_connections,
        header_timeout: state.settings.header_timeout,
    };
    let addr = kursi::listen::spawn(
        "127.0.0.1:0".parse().unwrap(),
        kursi::server::router(state.clone()),
        limits,
        state.stop.subscribe(),
    )
    .await
    .unwrap();
    TestApp {
        base: format!("http://{addr}"),
        state,
        db,
    }
}

/// The longest a test request may take (see [`TestApp::client`]).
pub const REQUEST_LIMIT: std::time::Duration = std::time::Duration::from_secs(60);

/// A client without cookies, with [`REQUEST_LIMIT`].
pub fn plain_client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(REQUEST_LIMIT)
        .build()
        .unwrap()
}

impl TestApp {
    /// A browser-like client with its own cookie jar. A request that gets
    /// no whole answer within a minute fails its test, naming the URL
    /// (none takes a second; without a limit a stuck one would hang the
    /// run silently).
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .timeout(REQUEST_LIMIT)
            .build()
            .unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A trip created through the service, departing in a week.
    pub async fn trip(&self, bus_type: BusType) -> i64 {
        let input = NewTripInput {
            route_from: "Jakarta".into(),
            route_to: "Bandung".into(),
            depart_at: self.state.clock.now() + Duration::days(7),
            price: 150_000,
            bus_type,
            admin_wa: "081200001111".into(),
            stops: Vec::new(),
        };
        self.state
            .service
            .create_trip(&admin(), &input, self.state.clock.now())
            .await
            .unwrap()
            .id
    }
}

/// The bootstrap staff account of every test app.
pub const STAFF_USER: &str = "admin";
pub const STAFF_PASSWORD: &str = "staff-password-1";

impl TestApp {
    /// A client signed in as the bootstrap staff account.
    pub async fn staff_client(&self) -> reqwest::Client {
        let client = self.client();
        let resp = client
            .post(self.url("/api/admin/login/"))
            .json(&serde_json::json!({"username": STAFF_USER, "password": STAFF_PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), reqwest::StatusCode::OK, "staff sign-in");
        client
    }

    /// A passenger (own cookie jar) holding `codes` of `trip`, without
    /// contact details yet.
    pub async fn holding(&self, trip: i64, codes: &[&str]) -> reqwest::Client {
        let client = self.client();
        let (status, body) = send(
            &client,
            self,
            reqwest::Method::POST,
            "/api/seats/hold/",
            Some(serde_json::json!({"trip_id": trip, "seats": codes})),
            None,
        )
        .await;
        assert_eq!(status, reqwest::StatusCode::OK, "hold {codes:?}: {body}");
        client
    }

    /// A passenger (own cookie jar) holding `codes` with contact details;
    /// returns the passenger's client and the claim code.
    pub async fn passenger_with_hold(
        &self,
        trip: i64,
        codes: &[&str],
        whatsapp: &str,
    ) -> (reqwest::Client, String) {
        let client = self.client();
        let resp = client
            .post(self.url("/api/seats/hold/"))
            .json(&serde_json::json!({"trip_id": trip, "seats": codes}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), reqwest::StatusCode::OK, "hold");
        let hold: serde_json::Value = client
            .post(self.url("/api/hold/attach-contact/"))
            .json(&serde_json::json!({"name": "Budi Santoso", "whatsapp": whatsapp}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let code = hold["claim_code"].as_str().expect("claim code").to_string();
        (client, code)
    }

    /// Everything a request could change, read straight from the database:
    /// every seat's stored state, every hold's status, the audit log length
    /// and the trips.
    pub async fn snapshot(&self) -> String {
        let storage = Storage::open(&self.db.url()).await.unwrap();
        let mut conn = storage.read().await.unwrap();
        let seats: Vec<String> = kursi::storage::stored_seats(&mut conn)
            .await
            .unwrap()
            .into_iter()
            .map(|s| format!("{}/{} {} {:?}", s.trip_id, s.code, s.status, s.hold_id))
            .collect();
        let holds = kursi::storage::hold_statuses(&mut conn).await.unwrap();
        let audit = kursi::storage::audit_log(&mut conn).await.unwrap().len();
        let trips = self
            .state
            .service
            .admin_trips(self.state.clock.now())
            .await
            .unwrap();
        format!("{seats:?}\n{holds:?}\naudit rows: {audit}\n{trips:?}")
    }
}
