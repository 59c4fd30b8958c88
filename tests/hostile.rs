//! Hostile and broken input over real HTTP: each case gets the documented
//! error (never a 5xx) and leaves the data as it was.

#![cfg(feature = "ssr")]

mod common;

use common::*;
use kursi::domain::BusType;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn raw(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    content_type: Option<&str>,
    body: Vec<u8>,
    cookie: Option<&str>,
) -> (StatusCode, Value) {
    let mut req = plain_client()
        .request(method, app.url(path))
        .header("x-admin-key", ADMIN_KEY)
        .body(body);
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    answer(req.send().await.unwrap()).await
}

#[tokio::test]
async fn broken_bodies_get_invalid_request_and_change_nothing() {
    let app = spawn_app().await;
    let trip = app.trip(BusType::Economy).await;
    let before = app.snapshot().await;
    let valid = format!("{{\"trip_id\": {trip}, \"seats\": [\"1A\"]}}");
    // Deep but under the 16 KB body limit, so the parser sees them.
    let nested = format!("{}{}", "[".repeat(7_000), "]".repeat(7_000));
    let deep_object = format!("{}1{}", "{\"a\":".repeat(2_500), "}".repeat(2_500));
    let mut invalid_utf8 = valid.clone().into_bytes();
    invalid_utf8[15] = 0xFF;
    let cases: Vec<(&str, Option<&str>, Vec<u8>)> = vec![
        (
            "nested arrays",
            Some("application/json"),
            nested.into_bytes(),
        ),
        (
            "nested objects",
            Some("application/json"),
            deep_object.into_bytes(),
        ),
        ("invalid UTF-8", Some("application/json"), invalid_utf8),
        ("text/plain", Some("text/plain"), valid.clone().into_bytes()),
        (
            "a form",
            Some("application/x-www-form-urlencoded"),
            b"trip_id=1&seats=1A".to_vec(),
        ),
        ("no content type", None, valid.clone().into_bytes()),
        ("XML", Some("application/xml"), b"<hold/>".to_vec()),
        (
            "a huge number",
            Some("application/json"),
            b"{\"trip_id\": 1e400, \"seats\": [\"1A\"]}".to_vec(),
        ),
        (
            "a float id",
            Some("application/json"),
            b"{\"trip_id\": 1.5, \"seats\": [\"1A\"]}".to_vec(),
        ),
        (
            "a string id",
            Some("application/json"),
            format!("{{\"trip_id\": \"{trip}\", \"seats\": [\"1A\"]}}").into_bytes(),
        ),
        (
            "an unknown seat",
            Some("application/json"),
            format!("{{\"trip_id\": {trip}, \"seats\": [\"99Z\"]}}").into_bytes(),
        ),
        (
            "SQL in a seat",
            Some("application/json"),
            format!("{{\"trip_id\": {trip}, \"seats\": [\"1A'; DROP TABLE seats;--\"]}}")
                .into_bytes(),
        ),
        (
            "a NUL byte",
            Some("application/json"),
            format!("{{\"trip_id\": {trip}, \"seats\": [\"1A\\u0000\"]}}").into_bytes(),
        ),
        (
            "duplicate keys",
            Some("application/json"),
            format!("{{\"trip_id\": {trip}, \"trip_id\": 2, \"seats\": [\"1A\"]}}").into_bytes(),
        ),
    ];
    for (what, ct, body) in cases {
        let (status, err) = raw(
            &app,
            reqwest::Method::POST,
            "/api/seats/hold/",
            ct,
            body,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{what}: {err}");
        assert_eq!(err["code"], "invalid_request", "{what}");
        assert!(
            err["message"].as_str().is_some_and(|m| m.len() < 300),
            "{what}: {err}"
        );
    }
    // Oversized body: refused before it is read.
    let big = format!(
        "{{\"trip_id\": {trip}, \"seats\": [\"{}\"]}}",
        "A".repeat(1_000_000)
    );
    let (status, _) = raw(
        &app,
        reqwest::Method::POST,
        "/api/seats/hold/",
        Some("application/json"),
        big.into_bytes(),
        None,
    )
    .await;
    assert!(status.is_client_error(), "{status}");
    // An oversized header: refused, never a 5xx.
    let resp = plain_client()
        .get(app.url("/api/trips/"))
        .header(
            "cookie",
            format!("seat_hold_token={}", "a".repeat(1_000_000)),
        )
        .send()
        .await;
    if let Ok(r) = resp {
        assert!(r.status().is_client_error(), "{}", r.status());
    }
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn names_keep_every_script_and_refuse_control_characters() {
    let app = spawn_app().await;
    let trip = app.trip(BusType::Economy).await;
    let names = [
        "Siti 😀 Rahayu",
        "محمد عبد الله",
        "Robert'); DROP TABLE holds;--",
        "100% _real_ \\ name",
        "Łukasz Ñandú",
    ];
    for (i, name) in names.iter().enumerate() {
        let client = app.client();
        let r = client
            .post(app.url("/api/seats/hold/"))
            .json(&json!({"trip_id": trip, "seats": [format!("{}A", i + 1)]}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let hold: Value = client
            .post(app.url("/api/hold/attach-contact/"))
            .json(&json!({"name": name, "whatsapp": format!("08120000000{i}")}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(hold["name"], *name, "stored exactly");
        // The admin finds it by that exact name, and by nothing wider.
        let found: Value = plain_client()
            .get(app.url("/api/admin/holds/"))
            .query(&[("q", *name)])
            .header("x-admin-key", ADMIN_KEY)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            found.as_array().unwrap().len(),
            1,
            "search for {name}: {found}"
        );
    }
    // LIKE wildcards in a search are plain characters.
    for q in ["%", "_", "%' OR 1=1 --"] {
        let found: Value = plain_client()
            .get(app.url("/api/admin/holds/"))
            .query(&[("q", q)])
            .header("x-admin-key", ADMIN_KEY)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let n = found.as_array().unwrap().len();
        assert!(n <= 1, "{q} matched {n} holds");
        let trips: Value = reqwest::get(app.url(&format!("/api/trips/?from={}", urlencode(q))))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(trips, json!([]), "from={q}");
    }
    // Control characters and direction overrides are refused.
    let before = app.snapshot().await;
    for bad in [
        "Budi\u{0007}",
        "Budi\u{202E}nip",
        "\u{0000}",
        "   ",
        &"x".repeat(81),
    ] {
        let client = app.client();
        client
            .post(app.url("/api/seats/hold/"))
            .json(&json!({"trip_id": trip, "seats": ["9D"]}))
            .send()
            .await
            .unwrap();
        let r = client
            .post(app.url("/api/hold/attach-contact/"))
            .json(&json!({"name": bad, "whatsapp": "081299998888"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{bad:?}");
        assert_eq!(r.json::<Value>().await.unwrap()["code"], "invalid_request");
        client
            .post(app.url("/api/seats/release/"))
            .json(&json!({}))
            .send()
            .await
            .unwrap();
    }
    // (The holds above were taken and released; only their contact failed.)
    let _ = before;
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

#[tokio::test]
async fn forged_cookies_and_odd_ids_are_plain_errors() {
    let app = spawn_app().await;
    let trip = app.trip(BusType::Economy).await;
    let (owner, _) = app.passenger_with_hold(trip, &["3C"], "081234567890").await;
    // The stored hash of the owner's token is no key to the hold.
    let resp = owner.get(app.url("/api/hold/")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let token_hash = stored_session_hash(&app).await;
    let before = app.snapshot().await;
    for cookie in [
        format!("seat_hold_token={token_hash}"),
        "seat_hold_token=".to_string(),
        "seat_hold_token=abc".to_string(),
        format!("seat_hold_token={}", "g".repeat(64)),
        "seat_hold_token=\"quoted\"".to_string(),
        "seat_hold_token=a; seat_hold_token=b".to_string(),
    ] {
        for (method, path, body) in [
            (reqwest::Method::GET, "/api/hold/", Vec::new()),
            (reqwest::Method::POST, "/api/seats/release/", b"{}".to_vec()),
            (reqwest::Method::POST, "/api/hold/extend/", b"{}".to_vec()),
        ] {
            let (status, err) = raw(
                &app,
                method,
                path,
                Some("application/json"),
                body,
                Some(&cookie),
            )
            .await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path} with {cookie}");
            assert_eq!(err["code"], "no_active_hold");
        }
    }
    for (path, status, code) in [
        (
            "/api/trips/-1/seats/",
            StatusCode::NOT_FOUND,
            "trip_not_found",
        ),
        (
            "/api/trips/0/seats/",
            StatusCode::NOT_FOUND,
            "trip_not_found",
        ),
        (
            "/api/trips/9223372036854775807/seats/",
            StatusCode::NOT_FOUND,
            "trip_not_found",
        ),
        (
            "/api/trips/99999999999999999999/seats/",
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            "/api/trips/1A/seats/",
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            "/api/bookings/BK-'OR'1/?whatsapp=1",
            StatusCode::NOT_FOUND,
            "booking_not_found",
        ),
        (
            "/api/admin/trips/-5/manifest/",
            StatusCode::NOT_FOUND,
            "trip_not_found",
        ),
        ("/api/nothing-here/", StatusCode::NOT_FOUND, "not_found"),
    ] {
        let (got, err) = raw(&app, reqwest::Method::GET, path, None, Vec::new(), None).await;
        assert_eq!((got, err["code"].as_str()), (status, Some(code)), "{path}");
    }
    for id in [i64::MAX, -1, 0] {
        let (got, err) = raw(
            &app,
            reqwest::Method::POST,
            "/api/seats/hold/",
            Some("application/json"),
            format!("{{\"trip_id\": {id}, \"seats\": [\"1A\"]}}").into_bytes(),
            None,
        )
        .await;
        assert_eq!(
            (got, err["code"].as_str()),
            (StatusCode::NOT_FOUND, Some("trip_not_found")),
            "{id}"
        );
    }
    assert_eq!(app.snapshot().await, before);
}

/// The stored session hash of the one live hold.
async fn stored_session_hash(app: &TestApp) -> String {
    let url = app.db.url();
    let storage = kursi::storage::Storage::open(&url).await.unwrap();
    let mut conn = storage.read().await.unwrap();
    let now = kursi::storage::to_ms(chrono::Utc::now());
    let live = kursi::storage::live_hold_seats(&mut conn, now)
        .await
        .unwrap();
    let hold = kursi::storage::hold_by_id(&mut conn, live[0].hold_id)
        .await
        .unwrap()
        .unwrap();
    hold.session_hash
}
