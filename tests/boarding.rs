//! Boarding by QR over real HTTP: a crew account boards a paid ticket by
//! its signed QR code or its typed booking code, once; a forged QR code, a
//! ticket of another bus, a cancelled booking and a second scan are refused
//! with what the crew must hear; two doors scanning the same ticket at once
//! board it once; the crew account is refused on every admin action; the
//! manifest, its CSV and the audit log show who boarded; a boarding is an
//! event on the trip's stream (the admin's page follows it). On SQLite, and on
//! PostgreSQL with `KURSI_TEST_DB=postgres`.

#![cfg(feature = "ssr")]

mod common;

use common::*;
use kursi::domain::{BookingCode, BusType, StaffRole};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const CREW_USER: &str = "joko";
const CREW_PASSWORD: &str = "crew-password-1";

/// A crew account and a client signed in with it.
async fn crew_client(app: &TestApp) -> reqwest::Client {
    app.state
        .service
        .set_staff_password(
            CREW_USER,
            CREW_PASSWORD,
            StaffRole::Crew,
            app.state.clock.now(),
        )
        .await
        .unwrap();
    let client = app.client();
    let (status, me) = answer(
        client
            .post(app.url("/api/admin/login/"))
            .json(&json!({"username": CREW_USER, "password": CREW_PASSWORD}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "crew sign-in: {me}");
    assert_eq!(me, json!({"username": CREW_USER, "role": "CREW"}));
    client
}

/// A paid booking of `codes` on `trip`, with a name per seat; its code.
async fn booking(app: &TestApp, trip: i64, codes: &[&str], names: &[&str]) -> String {
    let client = app.holding(trip, codes).await;
    let passengers: Vec<Value> = codes
        .iter()
        .zip(names)
        .map(|(s, n)| json!({"seat": s, "name": n}))
        .collect();
    let (status, hold) = send(
        &client,
        app,
        Method::POST,
        "/api/hold/attach-contact/",
        Some(json!({"name": names[0], "whatsapp": "081234567890", "passengers": passengers})),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{hold}");
    let (status, booked) = send(
        &app.client(),
        app,
        Method::POST,
        "/api/admin/generate-booking-code/",
        Some(json!({"claim_code": hold["claim_code"]})),
        Some(ADMIN_KEY),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{booked}");
    booked["booking_code"].as_str().unwrap().to_string()
}

/// The text of the ticket's QR code, as the ticket page draws it.
async fn qr_of(app: &TestApp, code: &str) -> String {
    let code = BookingCode::parse(code).unwrap();
    app.state
        .service
        .ticket_qr(&code, app.state.clock.now())
        .await
        .unwrap()
}

async fn scan(
    app: &TestApp,
    client: &reqwest::Client,
    trip: i64,
    text: &str,
) -> (StatusCode, Value) {
    send(
        client,
        app,
        Method::POST,
        &format!("/api/crew/trips/{trip}/board/"),
        Some(json!({"scan": text})),
        None,
    )
    .await
}

#[tokio::test]
async fn the_crew_boards_a_ticket_by_its_qr_code_once() {
    log_warnings();
    let app = spawn_app().await;
    let trip = app.trip(BusType::Executive).await;
    let code = booking(&app, trip, &["1A", "1B"], &["Budi Santoso", "Siti Rahma"]).await;
    let crew = crew_client(&app).await;
    let qr = qr_of(&app, &code).await;
    assert!(qr.starts_with(&format!("KURSI:{code}:")), "{qr}");

    let (status, first) = scan(&app, &crew, trip, &qr).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["outcome"], "BOARDED");
    assert_eq!(first["booking_code"], code.as_str());
    assert_eq!(first["boarded_now"], json!(["1A", "1B"]));
    assert_eq!(first["boarded_by"], "crew:joko");
    assert_eq!(
        first["passengers"],
        json!([{"seat": "1A", "name": "Budi Santoso"}, {"seat": "1B", "name": "Siti Rahma"}])
    );
    let at = first["boarded_at"].clone();
    assert!(at.is_string());

    // The same ticket again, by QR or by its typed code: already boarded,
    // saying when and by whom; nothing changes.
    app.state.clock.advance(mins(3));
    for text in [qr.clone(), code.to_lowercase()] {
        let (status, again) = scan(&app, &crew, trip, &text).await;
        assert_eq!(status, StatusCode::OK, "{again}");
        assert_eq!(again["outcome"], "ALREADY_BOARDED", "{text}");
        assert_eq!(again["boarded_now"], json!([]));
        assert_eq!(again["boarded_at"], at);
        assert_eq!(again["boarded_by"], "crew:joko");
    }

    // The manifest (crew's and admin's), its CSV and the audit log agree.
    let (status, list) = send(
        &crew,
        &app,
        Method::GET,
        &format!("/api/crew/trips/{trip}/passengers/"),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let boarded: Vec<_> = list["passengers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["seat"].clone(), p["boarded_at"].clone()))
        .collect();
    assert_eq!(
        boarded,
        vec![(json!("1A"), at.clone()), (json!("1B"), at.clone())]
    );
    let csv = app
        .client()
        .get(app.url(&format!("/api/admin/trips/{trip}/manifest.csv")))
        .header("x-admin-key", ADMIN_KEY)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let header = csv.lines().next().unwrap();
    assert!(header.contains(",contact_name,boarded_at,"), "{header}");
    let row = csv.lines().nth(1).unwrap();
    assert!(
        row.starts_with("1A,Budi Santoso,") && row.contains(&code),
        "{row}"
    );
    assert!(
        row.split(',').nth(7).unwrap().starts_with("20"),
        "a boarding time: {row}"
    );
    let (_, audit) = send(
        &app.client(),
        &app,
        Method::GET,
        &format!("/api/admin/trips/{trip}/audit/"),
        None,
        Some(ADMIN_KEY),
    )
    .await;
    let boards: Vec<&Value> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "board")
        .collect();
    assert_eq!(boards.len(), 1, "one boarding, one audit row: {audit}");
    assert_eq!(boards[0]["actor"], "crew:joko");
    assert_eq!(boards[0]["seats"], json!(["1A", "1B"]));
    assert_eq!(boards[0]["detail"], code.as_str());
}

/// The next event of `kind` on an open event stream; its data.
async fn next_event(stream: &mut reqwest::Response, seen: &mut String, kind: &str) -> String {
    let marker = format!("event: {kind}\ndata: ");
    loop {
        if let Some(at) = seen.find(&marker) {
            let rest = &seen[at + marker.len()..];
            if let Some(end) = rest.find('\n') {
                let data = rest[..end].to_string();
                *seen = rest[end..].to_string();
                return data;
            }
        }
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(10), stream.chunk())
            .await
            .unwrap_or_else(|_| panic!("no {kind} event"))
            .unwrap()
            .expect("the stream stays open");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
}

/// The change generation of a version tag (`instance.generation`).
fn generation(version: &str) -> u64 {
    version.split_once('.').unwrap().1.parse().unwrap()
}

#[tokio::test]
async fn a_boarding_is_an_event_on_the_trips_stream_and_a_refused_scan_is_not() {
    log_warnings();
    let app = spawn_app().await;
    let trip = app.trip(BusType::Executive).await;
    let code = booking(&app, trip, &["1A"], &["Budi Santoso"]).await;
    let crew = crew_client(&app).await;
    // The admin's trip page and the other doors listen here.
    let mut stream = app
        .client()
        .get(app.url(&format!("/api/trips/{trip}/events/")))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    let mut seen = String::new();
    next_event(&mut stream, &mut seen, "ready").await;

    let (status, first) = scan(&app, &crew, trip, &code).await;
    assert_eq!(first["outcome"], "BOARDED", "{status} {first}");
    let boarded = generation(&next_event(&mut stream, &mut seen, "seats").await);

    // A second scan boards nothing and announces nothing: the next event
    // is the one after it, a passenger's hold.
    let (_, again) = scan(&app, &crew, trip, &code).await;
    assert_eq!(again["outcome"], "ALREADY_BOARDED");
    let _passenger = app.holding(trip, &["2A"]).await;
    let held = generation(&next_event(&mut stream, &mut seen, "seats").await);
    assert_eq!(held, boarded + 1, "the refused scan made no event");
}

#[tokio::test]
async fn forged_foreign_and_cancelled_tickets_are_refused() {
    let app = spawn_app().await;
    let here = app.trip(BusType::Executive).await;
    let there = app.trip(BusType::Economy).await;
    let crew = crew_client(&app).await;
    let mine = booking(&app, here, &["2A"], &["Budi Santoso"]).await;
    let elsewhere = booking(&app, there, &["3A"], &["Siti Rahma"]).await;
    let before = app.snapshot().await;

    // A QR code whose tag was not made by this server: a guessed or
    // altered one, and a real tag moved onto another booking code.
    let qr = qr_of(&app, &mine).await;
    let tag = qr.rsplit(':').next().unwrap().to_string();
    let flipped = format!(
        "{}{}",
        &qr[..qr.len() - 1],
        if qr.ends_with('0') { '1' } else { '0' }
    );
    for forged in [
        flipped,
        format!("KURSI:{elsewhere}:{tag}"),
        format!("KURSI:BK-000000:{tag}"),
        format!("KURSI:{mine}:0000000000000000"),
        format!("KURSI:{mine}"),
    ] {
        let (status, err) = scan(&app, &crew, here, &forged).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{forged}: {err}");
        assert_eq!(err["code"], "forged_ticket", "{forged}");
    }
    // Not a booking code at all; a code no booking has.
    let (status, err) = scan(&app, &crew, here, "hello there").await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_request"))
    );
    let (status, err) = scan(&app, &crew, here, "BK-000000").await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("booking_not_found"))
    );

    // A real ticket of another bus: the wrong bus, and which one it is.
    let (status, wrong) = scan(&app, &crew, here, &qr_of(&app, &elsewhere).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(wrong["outcome"], "OTHER_TRIP");
    assert_eq!(wrong["trip"]["id"], there);
    assert_eq!(wrong["boarded_now"], json!([]));
    assert_eq!(wrong["boarded_at"], Value::Null);
    assert_eq!(app.snapshot().await, before, "nothing was written");

    // A cancelled booking.
    let (status, _) = send(
        &app.client(),
        &app,
        Method::POST,
        "/api/admin/bookings/cancel/",
        Some(json!({"booking_code": mine})),
        Some(ADMIN_KEY),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, cancelled) = scan(&app, &crew, here, &qr).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(cancelled["outcome"], "CANCELLED");
    assert_eq!(cancelled["boarded_now"], json!([]));
}

#[tokio::test]
async fn two_doors_scanning_one_ticket_board_it_once() {
    let app = spawn_app().await;
    let trip = app.trip(BusType::Executive).await;
    let code = booking(&app, trip, &["4A", "4B"], &["Budi Santoso", "Siti Rahma"]).await;
    let crew = crew_client(&app).await;
    let admin = app.staff_client().await;
    let qr = qr_of(&app, &code).await;
    let (a, b) = tokio::join!(scan(&app, &crew, trip, &qr), scan(&app, &admin, trip, &qr));
    let mut outcomes = vec![a.1["outcome"].clone(), b.1["outcome"].clone()];
    outcomes.sort_by_key(|v| v.to_string());
    assert_eq!(
        outcomes,
        vec![json!("ALREADY_BOARDED"), json!("BOARDED")],
        "{a:?} {b:?}"
    );
    // Admins and the admin key may board too.
    let (status, by_key) = send(
        &app.client(),
        &app,
        Method::POST,
        &format!("/api/crew/trips/{trip}/board/"),
        Some(json!({"scan": code})),
        Some(ADMIN_KEY),
    )
    .await;
    assert_eq!(
        (status, by_key["outcome"].as_str()),
        (StatusCode::OK, Some("ALREADY_BOARDED"))
    );
}

#[tokio::test]
async fn a_crew_account_may_board_and_nothing_else() {
    log_warnings();
    let app = spawn_app().await;
    let trip = app.trip(BusType::Executive).await;
    let crew = crew_client(&app).await;
    // Its own routes.
    let (status, trips) = send(&crew, &app, Method::GET, "/api/crew/trips/", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        trips.as_array().unwrap().iter().all(|t| t["id"] != trip),
        "a week ahead is not boarding yet"
    );
    app.state
        .clock
        .advance(chrono::Duration::days(7) - chrono::Duration::hours(2));
    // (A week on, the session has run out: signing in again.)
    let crew = crew_client(&app).await;
    let (status, trips) = send(&crew, &app, Method::GET, "/api/crew/trips/", None, None).await;
    assert_eq!(status, StatusCode::OK, "{trips}");
    assert!(
        trips.as_array().unwrap().iter().any(|t| t["id"] == trip),
        "{trips}"
    );
    // Every server function of the admin pages refuses it (403 admin_only).
    for (path, form) in [
        ("/sf/admin_holds", "q=&status=HELD"),
        ("/sf/admin_trips", ""),
        ("/sf/admin_trip", "id=1"),
        ("/sf/admin_manifest", "id=1"),
        ("/sf/admin_confirm", "claim_code=AAAA-AAAA"),
        ("/sf/admin_cancel", "booking_code=BK-000000"),
        ("/sf/admin_schedules", ""),
        ("/sf/admin_report", "from=&to=&ahead="),
        ("/sf/admin_payment_accounts", ""),
        ("/sf/admin_webhooks", ""),
    ] {
        let resp = crew
            .post(app.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", app.base.as_str())
            .body(form)
            .send()
            .await
            .unwrap();
        let status = resp.status();
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("admin_only")),
            "{path}: {body}"
        );
    }
    // The admin pages send it to its boarding pages; they open for it, and
    // not for a visitor.
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(REQUEST_LIMIT)
        .build()
        .unwrap();
    let cookie = crew_cookie(&app).await;
    for (path, to) in [("/admin", "/crew"), ("/admin/trips", "/crew")] {
        let resp = no_redirects
            .get(app.url(path))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(resp.headers()["location"], to);
    }
    let resp = no_redirects
        .get(app.url("/crew"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let resp = no_redirects.get(app.url("/crew")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(resp.headers()["location"], "/admin/login");
    // Made an admin again, the same account may do admin work (after
    // signing in again: a new password ends its sessions).
    app.state
        .service
        .set_staff_password(
            CREW_USER,
            CREW_PASSWORD,
            StaffRole::Admin,
            app.state.clock.now(),
        )
        .await
        .unwrap();
    let (status, _) = send(&crew, &app, Method::GET, "/api/admin/trips/", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "signed out by the change");
}

/// The session cookie of a fresh crew sign-in, for a client without a jar.
async fn crew_cookie(app: &TestApp) -> String {
    let resp = app
        .client()
        .post(app.url("/api/admin/login/"))
        .json(&json!({"username": CREW_USER, "password": CREW_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let set = resp.headers()["set-cookie"].to_str().unwrap();
    set.split(';').next().unwrap().to_string()
}
