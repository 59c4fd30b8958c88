//! The holes an attacker's review found (issue 16), each shown closed over
//! real HTTP: forged writes through the server functions, planted session
//! cookies, markup in the page title, an open redirect, booking-code
//! guessing, forged client addresses, hoarding from one address, unbounded
//! live streams.

mod common;

use std::time::Duration;

use common::*;
use kursi::domain::BusType;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, LOCATION, SET_COOKIE};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A client that does not follow redirects (to read `Location`).
fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .unwrap()
}

#[tokio::test]
async fn server_functions_refuse_writes_from_other_sites_and_ports() {
    let app = spawn_app().await;
    let trip = app.trip(BusType::Economy).await;
    let (victim, claim) = app.passenger_with_hold(trip, &["1A"], "081234567890").await;
    let staff = app.staff_client().await;
    let before = app.snapshot().await;
    let other_port = app
        .base
        .replace(&app.base.rsplit(':').next().unwrap().to_string(), "3139");
    for origin in ["http://evil.example", other_port.as_str(), "null"] {
        // The claim-code swap: a form auto-posted from another site.
        let resp = no_redirects()
            .post(app.url("/sf/claim_hold"))
            .header("origin", origin)
            .form(&[("claim_code", claim.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN, "{origin}");
        assert!(
            resp.headers().get(SET_COOKIE).is_none(),
            "no cookie swapped"
        );
        // Holding seats for whoever visits the attacker's page.
        let resp = app
            .client()
            .post(app.url("/sf/toggle_seat"))
            .header("origin", origin)
            .json(&json!({"trip_id": trip, "seat": "5A", "hold": true}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN, "{origin}");
        // The admin's own cookie, sent along from another port of the host.
        for (path, form) in [
            ("/sf/admin_release", vec![("claim_code", claim.as_str())]),
            ("/sf/staff_logout", vec![]),
        ] {
            let resp = staff
                .post(app.url(path))
                .header("origin", origin)
                .form(&form)
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), StatusCode::FORBIDDEN, "{path} from {origin}");
        }
    }
    // Without Origin, a browser's Sec-Fetch-Site or Referer still tells.
    for (name, value) in [
        ("sec-fetch-site", "cross-site"),
        ("sec-fetch-site", "same-site"),
        ("referer", "http://evil.example/page"),
    ] {
        let resp = staff
            .post(app.url("/sf/admin_release"))
            .header(name, value)
            .form(&[("claim_code", claim.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN, "{name}: {value}");
    }
    assert_eq!(app.snapshot().await, before, "nothing changed");
    let (status, hold) = send(
        &victim,
        &app,
        reqwest::Method::GET,
        "/api/hold/",
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "the victim still has the hold");
    assert_eq!(hold["seats"], json!(["1A"]));
    // The staff member is still signed in.
    let (status, _) = send(
        &staff,
        &app,
        reqwest::Method::GET,
        "/api/admin/me/",
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn server_functions_take_only_their_content_type() {
    let app = spawn_app().await;
    let trip = app.trip(BusType::Economy).await;
    let client = app.client();
    // A no-cors fetch can send text/plain without asking: refused.
    let resp = client
        .post(app.url("/sf/toggle_seat"))
        .header(CONTENT_TYPE, "text/plain;charset=UTF-8")
        .header("origin", app.base.clone())
        .body(json!({"trip_id": trip, "seat": "5A", "hold": true}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        resp.json::<Value>().await.unwrap()["code"],
        "invalid_request"
    );
    // The same call as JSON from the page's own origin works.
    let resp = client
        .post(app.url("/sf/toggle_seat"))
        .header("origin", app.base.clone())
        .json(&json!({"trip_id": trip, "seat": "5A", "hold": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let view: Value = resp.json().await.unwrap();
    assert_eq!(view["hold"]["seats"], json!(["5A"]));
}

#[tokio::test]
async fn a_server_function_with_arguments_that_do_not_parse_is_a_400() {
    let app = spawn_app().await;
    let staff = app.staff_client().await;
    for (path, body) in [
        // Fields missing.
        ("/sf/admin_save_schedule", "id=1"),
        ("/sf/admin_save_schedule", "route_from=X"),
        // Not a number.
        ("/sf/admin_stop_schedule", "id=twelve"),
    ] {
        let resp = staff
            .post(app.url(path))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("origin", app.base.clone())
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{path} {body}");
        assert_eq!(
            resp.json::<Value>().await.unwrap()["code"],
            "invalid_request",
            "{path}"
        );
    }
}

#[tokio::test]
async fn a_planted_session_cookie_is_no_session() {
    let app = spawn_app().await;
    let trip = app.trip(BusType::Economy).await;
    // The attacker's made-up token, planted in the victim's browser.
    let planted = "ab".repeat(32);
    let victim = plain_client();
    let resp = victim
        .post(app.url("/api/seats/hold/"))
        .header("cookie", format!("seat_hold_token={planted}"))
        .json(&json!({"trip_id": trip, "seats": ["3A"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let issued = resp
        .headers()
        .get(SET_COOKIE)
        .expect("a new session is issued");
    assert!(!issued.to_str().unwrap().contains(&planted));
    // The planter, with the token they made up, sees nothing.
    let resp = plain_client()
        .get(app.url("/api/hold/"))
        .header("cookie", format!("seat_hold_token={planted}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        resp.json::<Value>().await.unwrap()["code"],
        "no_active_hold"
    );
}

#[tokio::test]
async fn data_never_becomes_markup_and_pages_carry_a_policy() {
    let app = spawn_app().await;
    let staff = app.staff_client().await;
    let evil = "</title><script>alert(1)</script>";
    let (status, trip) = send(
        &staff,
        &app,
        reqwest::Method::POST,
        "/api/admin/trips/",
        Some(json!({
            "route_from": evil, "route_to": "Bandung",
            "depart_at": (app.state.clock.now() + chrono::Duration::days(3)).to_rfc3339(),
            "price": 150000, "bus_type": "ECONOMY", "admin_wa": "0812 0000 1111"
        })),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{trip}");
    let resp = reqwest::get(app.url(&format!("/trips/{}", trip["id"])))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let headers = resp.headers().clone();
    let html = resp.text().await.unwrap();
    assert!(!html.contains("<script>alert(1)"), "the title was escaped");
    assert!(html.contains(
        "<title>&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt; → Bandung · Kursi</title>"
    ));
    let policy = headers["content-security-policy"].to_str().unwrap();
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|r| r.split('\'').next())
        .expect("a nonce in the policy");
    assert!(policy.contains("frame-ancestors 'none'"));
    assert!(
        !policy.contains("unsafe-inline';") || policy.contains("style-src-attr 'unsafe-inline'")
    );
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "the hydration script carries the nonce"
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "same-origin");
    // Another page gets another nonce.
    let again = reqwest::get(app.url("/")).await.unwrap();
    assert!(
        !again.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains(nonce)
    );
    // JSON answers allow nothing at all.
    let api = reqwest::get(app.url("/api/trips/")).await.unwrap();
    assert_eq!(
        api.headers()["content-security-policy"],
        "default-src 'none'; frame-ancestors 'none'"
    );
}

#[tokio::test]
async fn the_language_switch_goes_only_to_this_site() {
    let app = spawn_app().await;
    for (next, expected) in [
        ("/trips/1", "/trips/1"),
        ("/%09/evil.example", "/"),
        ("/%0a/evil.example", "/"),
        ("//evil.example", "/"),
        ("/%5Cevil.example", "/"),
        ("https://evil.example", "/"),
    ] {
        let resp = no_redirects()
            .get(app.url(&format!("/lang/en?next={next}")))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        assert_eq!(resp.headers()[LOCATION], expected, "next={next}");
    }
}

#[tokio::test]
async fn booking_lookups_are_rate_limited_per_client() {
    let app = spawn_app_with(|s| s.lookup_rate_per_minute = 3).await;
    let client = app.client();
    for _ in 0..3 {
        let resp = client
            .get(app.url("/api/bookings/BK-AAAAAA/?whatsapp=081234567890"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    }
    let resp = client
        .get(app.url("/api/bookings/BK-AAAAAA/?whatsapp=081234567890"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(resp.headers().contains_key("retry-after"));
    // The ticket page's lookup counts against the same quota.
    let resp = client
        .post(app.url("/sf/find_ticket"))
        .form(&[("code", "BK-AAAAAA"), ("whatsapp", "081234567890")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
}

/// Holds from clients that each claim another address in `X-Forwarded-For`.
async fn holds_with_forged_addresses(app: &TestApp, trip: i64) -> Vec<StatusCode> {
    let mut statuses = Vec::new();
    for (i, seat) in ["1A", "1B", "1C"].iter().enumerate() {
        let resp = app
            .client()
            .post(app.url("/api/seats/hold/"))
            .header("x-forwarded-for", format!("198.51.100.{i}"))
            .json(&json!({"trip_id": trip, "seats": [seat]}))
            .send()
            .await
            .unwrap();
        statuses.push(resp.status());
    }
    statuses
}

#[tokio::test]
async fn forwarded_for_is_believed_only_from_trusted_proxies() {
    // The test client is 127.0.0.1. Not a trusted proxy: its claims about
    // other addresses are ignored, so the limit of 2 holds bites.
    let app = spawn_app_with(|s| {
        s.hold_rate_per_minute = 2;
        s.trust_proxy = true;
        s.trusted_proxies = vec!["10.0.0.0/8".parse().unwrap()];
    })
    .await;
    let trip = app.trip(BusType::Economy).await;
    assert_eq!(
        holds_with_forged_addresses(&app, trip).await,
        [
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
    // As a trusted proxy (loopback, the default list), the hop it adds is
    // the client: three clients, three quotas.
    let app = spawn_app_with(|s| {
        s.hold_rate_per_minute = 2;
        s.trust_proxy = true;
    })
    .await;
    let trip = app.trip(BusType::Economy).await;
    assert_eq!(
        holds_with_forged_addresses(&app, trip).await,
        [StatusCode::OK; 3]
    );
}

#[tokio::test]
async fn ticket_links_use_the_public_url_not_the_host_header() {
    let app = spawn_app_with(|s| s.public_url = Some("https://tiket.example.co.id".into())).await;
    let trip = app.trip(BusType::Economy).await;
    let (_, claim) = app.passenger_with_hold(trip, &["2B"], "081234567890").await;
    let staff = app.staff_client().await;
    let resp = staff
        .post(app.url("/sf/admin_confirm"))
        .header("host", "evil.example")
        .form(&[("claim_code", claim.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let confirmation = resp.text().await.unwrap();
    let decoded = urlencoding::decode(&confirmation).unwrap();
    assert!(
        decoded.contains("https://tiket.example.co.id/ticket/"),
        "{decoded}"
    );
    assert!(!decoded.contains("evil.example"), "{decoded}");
}

#[tokio::test]
async fn one_address_cannot_hold_a_whole_bus() {
    let app = spawn_app_with(|s| s.policy.max_held_seats_per_client = 6).await;
    let trip = app.trip(BusType::Economy).await;
    let rows = ["1", "2", "3", "4"];
    let mut statuses = Vec::new();
    // Four cookie jars on one address, two seats each.
    for row in rows {
        let resp = app
            .client()
            .post(app.url("/api/seats/hold/"))
            .json(&json!({"trip_id": trip, "seats": [format!("{row}A"), format!("{row}B")]}))
            .send()
            .await
            .unwrap();
        let status = resp.status();
        let body: Value = resp.json().await.unwrap();
        statuses.push(status);
        if status == StatusCode::CONFLICT {
            assert_eq!(body["code"], "too_many_seats_from_network");
            assert_eq!(body["max"], 6);
            assert!(body["message"].as_str().unwrap().contains("6 seats"));
        }
    }
    assert_eq!(
        statuses,
        [
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::CONFLICT
        ]
    );
    // Another trip is another bus.
    let other = app.trip(BusType::Economy).await;
    let (status, _) = send(
        &app.client(),
        &app,
        reqwest::Method::POST,
        "/api/seats/hold/",
        Some(json!({"trip_id": other, "seats": ["1A", "1B"]})),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn attaching_contact_again_does_not_push_the_expiry_out() {
    let app = spawn_app().await;
    let trip = app.trip(BusType::Economy).await;
    let (client, _) = app.passenger_with_hold(trip, &["4C"], "081234567890").await;
    let (_, first) = send(
        &client,
        &app,
        reqwest::Method::GET,
        "/api/hold/",
        None,
        None,
    )
    .await;
    app.state.clock.advance(chrono::Duration::minutes(20));
    let (status, again) = send(
        &client,
        &app,
        reqwest::Method::POST,
        "/api/hold/attach-contact/",
        Some(json!({"name": "Budi S.", "whatsapp": "081234567890"})),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["name"], "Budi S.", "the correction is kept");
    assert_eq!(
        again["expires_at"], first["expires_at"],
        "no new 30 minutes"
    );
}

#[tokio::test]
async fn live_streams_are_capped_per_client() {
    let app = spawn_app_with(|s| {
        s.max_streams_per_ip = 2;
    })
    .await;
    let trip = app.trip(BusType::Economy).await;
    let url = app.url(&format!("/api/trips/{trip}/events/"));
    let first = reqwest::get(&url).await.unwrap();
    let second = reqwest::get(&url).await.unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(second.status(), StatusCode::OK);
    let third = reqwest::get(&url).await.unwrap();
    assert_eq!(third.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(third.headers().contains_key("retry-after"));
    assert_eq!(app.state.service.live_streams(), 2);
    // A closed stream gives its place back.
    drop(first);
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while app.state.service.live_streams() > 1 {
        assert!(std::time::Instant::now() < deadline, "the place came back");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(reqwest::get(&url).await.unwrap().status(), StatusCode::OK);
    drop(second);
}

/// Reads from `stream` until the server closes it; returns how long that
/// took (bounded, so a server that never closes fails the test).
async fn closed_within(stream: &mut tokio::net::TcpStream, limit: Duration) -> Duration {
    let start = std::time::Instant::now();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout(limit, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return start.elapsed(),
            Ok(Ok(_)) => continue,
            Err(_) => panic!("the server kept the connection open for {limit:?}"),
        }
    }
}

#[tokio::test]
async fn half_sent_and_idle_connections_are_closed() {
    let app = spawn_app_with(|s| s.header_timeout = Duration::from_millis(500)).await;
    let addr = app.base.trim_start_matches("http://").to_string();
    // Slowloris: a request line and one header, then nothing.
    let mut slow = tokio::net::TcpStream::connect(&addr).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let took = closed_within(&mut slow, Duration::from_secs(10)).await;
    assert!(
        took >= Duration::from_millis(400),
        "closed after the timeout, {took:?}"
    );
    // Kept alive after one answer, then idle: closed as well.
    let mut idle = tokio::net::TcpStream::connect(&addr).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 1024];
    let n = idle.read(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    closed_within(&mut idle, Duration::from_secs(10)).await;
}
