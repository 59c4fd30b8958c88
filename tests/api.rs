//! The JSON API of SPEC §2 over real HTTP: a server on a free port, real
//! cookies, one fresh database per test.

#![cfg(feature = "ssr")]

mod common;

use common::*;
use kursi::domain::BusType;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn post(
    client: &reqwest::Client,
    app: &TestApp,
    path: &str,
    json: Value,
) -> (StatusCode, Value) {
    answer(client.post(app.url(path)).json(&json).send().await.unwrap()).await
}

#[tokio::test]
async fn trips_are_listed_with_and_without_the_trailing_slash() {
    let app = spawn_app().await;
    let id = app.trip(BusType::Economy).await;
    for path in ["/api/trips/", "/api/trips"] {
        let (status, trips) = answer(reqwest::get(app.url(path)).await.unwrap()).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(trips[0]["id"], id);
        assert_eq!(trips[0]["price"], 150_000);
        assert_eq!(trips[0]["bus_type"], "ECONOMY");
        assert_eq!(trips[0]["seats_total"], 40);
        assert_eq!(trips[0]["seats_available"], 40);
        assert!(trips[0]["depart_at"].as_str().unwrap().ends_with('Z'));
    }
    let (_, found) = answer(
        reqwest::get(app.url("/api/trips/?from=JAKARTA&to=bandung"))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(found.as_array().unwrap().len(), 1);
    let (_, none) = answer(
        reqwest::get(app.url("/api/trips/?from=Medan"))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(none, json!([]));
}

#[tokio::test]
async fn a_bad_date_is_a_400_with_the_error_body() {
    let app = spawn_app().await;
    let (status, err) = answer(
        reqwest::get(app.url("/api/trips/?date=24-12-2026"))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(err["code"], "invalid_request");
    assert!(err["message"].as_str().unwrap().contains("YYYY-MM-DD"));
}

#[tokio::test]
async fn the_seat_map_and_its_errors() {
    let app = spawn_app().await;
    let id = app.trip(BusType::Sleeper).await;
    let (status, map) = answer(
        reqwest::get(app.url(&format!("/api/trips/{id}/seats/")))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(map["trip"]["id"], id);
    assert_eq!(map["seats"].as_array().unwrap().len(), 22);
    assert_eq!(
        map["seats"][0],
        json!({"code": "1A", "row": 1, "col": 1, "deck": 1, "status": "AVAILABLE", "mine": false})
    );
    let (status, err) = answer(reqwest::get(app.url("/api/trips/999/seats")).await.unwrap()).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("trip_not_found"))
    );
    let (status, err) = answer(
        reqwest::get(app.url("/api/trips/abc/seats/"))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_request"))
    );
}

#[tokio::test]
async fn holding_sets_a_safe_cookie_and_marks_the_seats_mine() {
    let app = spawn_app().await;
    let id = app.trip(BusType::Economy).await;
    let client = app.client();
    let resp = client
        .post(app.url("/api/seats/hold/"))
        .json(&json!({"trip_id": id, "seats": ["1A", "1b"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let cookie = resp.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("seat_hold_token="), "{cookie}");
    for attr in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=3600"] {
        assert!(cookie.contains(attr), "{attr} missing from {cookie}");
    }
    assert!(!cookie.contains("Secure"));
    let hold: Value = resp.json().await.unwrap();
    assert_eq!(hold["seats"], json!(["1A", "1B"]));
    assert_eq!(hold["status"], "HELD");
    assert_eq!(hold["claim_code"], Value::Null);
    assert!(hold["expires_in_seconds"].as_i64().unwrap() > 590);

    let (_, map) = answer(
        client
            .get(app.url(&format!("/api/trips/{id}/seats/")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let mine: Vec<&str> = map["seats"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["mine"] == true)
        .map(|s| s["code"].as_str().unwrap())
        .collect();
    assert_eq!(mine, ["1A", "1B"]);
    let (_, other) = answer(
        reqwest::get(app.url(&format!("/api/trips/{id}/seats/")))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(other["seats"][0]["status"], "HOLD");
    assert_eq!(other["seats"][0]["mine"], false);

    // The same session keeps its cookie: a second hold sets none.
    let resp = client
        .post(app.url("/api/seats/hold"))
        .json(&json!({"trip_id": id, "seats": ["2A"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers().get("set-cookie").is_none());
}

#[tokio::test]
async fn hold_errors_follow_the_contract() {
    let app = spawn_app().await;
    let id = app.trip(BusType::Economy).await;
    let other_trip = app.trip(BusType::Economy).await;
    let a = app.client();
    let b = app.client();
    assert_eq!(
        post(
            &a,
            &app,
            "/api/seats/hold/",
            json!({"trip_id": id, "seats": ["1A"]})
        )
        .await
        .0,
        StatusCode::OK
    );

    let (status, err) = post(
        &b,
        &app,
        "/api/seats/hold/",
        json!({"trip_id": id, "seats": ["1A", "1B"]}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(err["code"], "seats_unavailable");
    assert_eq!(err["seats"], json!(["1A"]));
    assert!(err["message"].is_string());

    let (status, err) = post(
        &a,
        &app,
        "/api/seats/hold/",
        json!({"trip_id": other_trip, "seats": ["1A"]}),
    )
    .await;
    assert_eq!(
        (status, &err["code"], &err["trip_id"]),
        (
            StatusCode::CONFLICT,
            &json!("hold_on_other_trip"),
            &json!(id)
        )
    );

    let (status, err) = post(
        &b,
        &app,
        "/api/seats/hold/",
        json!({"trip_id": id, "seats": ["2A", "2B", "2C", "2D", "3A"]}),
    )
    .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("too_many_seats"))
    );

    let (status, err) = post(
        &b,
        &app,
        "/api/seats/hold/",
        json!({"trip_id": 4242, "seats": ["1A"]}),
    )
    .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("trip_not_found"))
    );

    for bad in [
        json!({"trip_id": id, "seats": ["99Z"]}),
        json!({"trip_id": id, "seats": ["X"]}),
        json!({"seats": ["1A"]}),
        json!({"trip_id": "one", "seats": []}),
        json!([1, 2]),
    ] {
        let (status, err) = post(&b, &app, "/api/seats/hold/", bad.clone()).await;
        assert_eq!(
            (status, err["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_request")),
            "{bad}"
        );
    }
    let resp = b
        .post(app.url("/api/seats/hold/"))
        .header("content-type", "text/plain")
        .body("{\"trip_id\":1}")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let resp = b
        .post(app.url("/api/seats/hold/"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(answer(resp).await.1["code"], "invalid_request");
}

#[tokio::test]
async fn release_hold_and_extend_answer_for_this_session_only() {
    let app = spawn_app().await;
    let id = app.trip(BusType::Economy).await;
    let a = app.client();
    let stranger = app.client();
    post(
        &a,
        &app,
        "/api/seats/hold/",
        json!({"trip_id": id, "seats": ["1A", "1B"]}),
    )
    .await;

    let (status, hold) = answer(a.get(app.url("/api/hold/")).send().await.unwrap()).await;
    assert_eq!(
        (status, &hold["seats"]),
        (StatusCode::OK, &json!(["1A", "1B"]))
    );
    let (status, err) = answer(stranger.get(app.url("/api/hold")).send().await.unwrap()).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("no_active_hold"))
    );

    let (status, err) = post(&a, &app, "/api/hold/extend/", json!({})).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::CONFLICT, Some("extend_not_allowed"))
    );
    let (status, err) = post(&stranger, &app, "/api/hold/extend/", json!({})).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("no_active_hold"))
    );

    // A code that is no seat of this bus is refused, as when holding.
    let (status, err) = post(&a, &app, "/api/seats/release/", json!({"seats": ["99Z"]})).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_request"))
    );
    let (status, left) = post(&a, &app, "/api/seats/release/", json!({"seats": ["1A"]})).await;
    assert_eq!((status, &left["seats"]), (StatusCode::OK, &json!(["1B"])));
    let (status, left) = post(&a, &app, "/api/seats/release/", json!({})).await;
    assert_eq!(
        (status, &left["seats"], &left["status"]),
        (StatusCode::OK, &json!([]), &json!("RELEASED"))
    );
    let (status, err) = post(&stranger, &app, "/api/seats/release/", json!({})).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("no_active_hold"))
    );

    // Eight minutes and a half later the passenger may extend, once.
    post(
        &a,
        &app,
        "/api/seats/hold/",
        json!({"trip_id": id, "seats": ["3A"]}),
    )
    .await;
    app.state.clock.advance(chrono::Duration::seconds(510));
    let (status, hold) = post(&a, &app, "/api/hold/extend/", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert!(hold["expires_in_seconds"].as_i64().unwrap() > 600);
}

#[tokio::test]
async fn contact_claim_book_and_ticket_lookup_end_to_end() {
    let app = spawn_app().await;
    let id = app.trip(BusType::Executive).await;
    let phone = app.client();
    post(
        &phone,
        &app,
        "/api/seats/hold/",
        json!({"trip_id": id, "seats": ["2C"]}),
    )
    .await;

    let (status, err) = post(
        &phone,
        &app,
        "/api/hold/attach-contact/",
        json!({"name": "Budi", "whatsapp": "12"}),
    )
    .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_request"))
    );
    let (status, hold) = post(
        &phone,
        &app,
        "/api/hold/attach-contact/",
        json!({"name": "Budi", "whatsapp": "0812-3456-7890"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let code = hold["claim_code"].as_str().unwrap().to_string();
    assert_eq!(code.len(), 9);
    assert_eq!(hold["whatsapp"], "6281234567890");
    assert_eq!(hold["admin_wa"], "6281200001111");
    // The amount to transfer carries the hold's unique code (SPEC §2).
    let unique = hold["unique_code"].as_i64().expect("a unique code");
    assert!((1..=999).contains(&unique));
    assert_eq!(hold["amount_due"].as_i64(), Some(150_000 + unique));
    assert!(
        hold["whatsapp_url"]
            .as_str()
            .unwrap()
            .starts_with("https://wa.me/6281200001111?text=")
    );

    // Another device restores the hold; the first loses control.
    let laptop = app.client();
    let (status, err) = post(
        &laptop,
        &app,
        "/api/hold/claim/",
        json!({"claim_code": "0000-0000"}),
    )
    .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("claim_not_found"))
    );
    let resp = laptop
        .post(app.url("/api/hold/claim/"))
        .json(&json!({"claim_code": code.to_lowercase().replace('-', "")}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(
        resp.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .starts_with("seat_hold_token=")
    );
    assert_eq!(
        post(&phone, &app, "/api/seats/release/", json!({})).await.0,
        StatusCode::NOT_FOUND
    );
    let (_, hold) = answer(laptop.get(app.url("/api/hold/")).send().await.unwrap()).await;
    assert_eq!(hold["seats"], json!(["2C"]));

    // The admin books it, with the key; without it, 401.
    let admin = app.client();
    let (status, err) = post(
        &admin,
        &app,
        "/api/admin/generate-booking-code/",
        json!({"claim_code": code}),
    )
    .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthorized"))
    );
    let wrong = admin
        .post(app.url("/api/admin/generate-booking-code/"))
        .header("x-admin-key", "nope")
        .json(&json!({"claim_code": code}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let (status, holds) = answer(
        admin
            .get(app.url(&format!("/api/admin/holds/?q={code}")))
            .header("x-admin-key", ADMIN_KEY)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(holds.as_array().unwrap().len(), 1);
    assert_eq!(holds[0]["name"], "Budi");
    let book = || {
        admin
            .post(app.url("/api/admin/generate-booking-code"))
            .header("x-admin-key", ADMIN_KEY)
            .json(&json!({"claim_code": code}))
    };
    let (status, booking) = answer(book().send().await.unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    let booking_code = booking["booking_code"].as_str().unwrap().to_string();
    assert!(booking_code.starts_with("BK-"));
    assert_eq!(booking["seats"], json!(["2C"]));
    assert_eq!(booking["trip"]["id"], id);
    let (_, again) = answer(book().send().await.unwrap()).await;
    assert_eq!(again["booking_code"], booking_code.as_str());

    // Whoever has the WhatsApp number sees the booking.
    let (status, seen) = answer(
        reqwest::get(app.url(&format!(
            "/api/bookings/{booking_code}/?whatsapp=081234567890"
        )))
        .await
        .unwrap(),
    )
    .await;
    assert_eq!((status, &seen["name"]), (StatusCode::OK, &json!("Budi")));
    for path in [
        format!("/api/bookings/{booking_code}/?whatsapp=0899999999"),
        format!("/api/bookings/{booking_code}/"),
        "/api/bookings/BK-000000/?whatsapp=081234567890".to_string(),
    ] {
        let (status, err) = answer(reqwest::get(app.url(&path)).await.unwrap()).await;
        assert_eq!(
            (status, err["code"].as_str()),
            (StatusCode::NOT_FOUND, Some("booking_not_found")),
            "{path}"
        );
    }
}

#[tokio::test]
async fn an_expired_claim_is_410() {
    let app = spawn_app().await;
    let id = app.trip(BusType::Economy).await;
    let a = app.client();
    post(
        &a,
        &app,
        "/api/seats/hold/",
        json!({"trip_id": id, "seats": ["1A"]}),
    )
    .await;
    let (_, hold) = post(
        &a,
        &app,
        "/api/hold/attach-contact/",
        json!({"name": "Budi", "whatsapp": "081234567890"}),
    )
    .await;
    app.state.clock.advance(chrono::Duration::minutes(31));
    let (status, err) = post(
        &app.client(),
        &app,
        "/api/hold/claim/",
        json!({"claim_code": hold["claim_code"]}),
    )
    .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::GONE, Some("hold_expired"))
    );
}

#[tokio::test]
async fn health_checks_the_database_and_every_response_has_a_request_id() {
    let app = spawn_app().await;
    let resp = reqwest::get(app.url("/healthz")).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers().contains_key("x-request-id"));
    let resp = reqwest::get(app.url("/api/nothing-here/")).await.unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert_eq!(resp.json::<Value>().await.unwrap()["code"], "not_found");
}

#[tokio::test]
async fn an_oversized_body_is_refused_without_a_500() {
    let app = spawn_app().await;
    let big = format!(
        "{{\"trip_id\": 1, \"seats\": [\"{}\"]}}",
        "A".repeat(100_000)
    );
    let resp = app
        .client()
        .post(app.url("/api/seats/hold/"))
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_client_error(), "{}", resp.status());
}

#[tokio::test]
async fn cors_preflight_is_allowed_for_configured_origins_only() {
    let app = spawn_app().await;
    let client = app.client();
    let preflight = |origin: &'static str| {
        client
            .request(reqwest::Method::OPTIONS, app.url("/api/seats/hold/"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
    };
    let ok = preflight("http://localhost:5173").await.unwrap();
    assert!(ok.status().is_success());
    assert_eq!(
        ok.headers()["access-control-allow-origin"],
        "http://localhost:5173"
    );
    assert_eq!(ok.headers()["access-control-allow-credentials"], "true");
    let refused = preflight("https://evil.example").await.unwrap();
    assert!(
        refused
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    let get = client
        .get(app.url("/api/trips/"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert!(get.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn a_cross_origin_cookie_post_is_refused() {
    let app = spawn_app().await;
    let id = app.trip(BusType::Economy).await;
    let client = app.client();
    let (status, _) = post(
        &client,
        &app,
        "/api/seats/hold/",
        json!({"trip_id": id, "seats": ["1A"]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let forged = client
        .post(app.url("/api/seats/release/"))
        .header("origin", "https://evil.example")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    let (status, err) = answer(forged).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden"))
    );
    let (_, hold) = answer(client.get(app.url("/api/hold/")).send().await.unwrap()).await;
    assert_eq!(
        hold["seats"],
        json!(["1A"]),
        "the forged request changed nothing"
    );
    let own = client
        .post(app.url("/api/seats/release/"))
        .header("origin", app.base.clone())
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), StatusCode::OK);
}

#[tokio::test]
async fn holds_and_claims_are_rate_limited_per_client_and_recover() {
    let app = spawn_app_with(|s| {
        s.hold_rate_per_minute = 60;
        s.claim_rate_per_minute = 2;
    })
    .await;
    let id = app.trip(BusType::Economy).await;
    let client = app.client();
    // 60 per minute: a burst of 60, then one per second.
    let mut refused = None;
    for i in 0..61 {
        let seat = if i % 2 == 0 { "1A" } else { "1B" };
        let resp = client
            .post(app.url("/api/seats/hold/"))
            .json(&json!({"trip_id": id, "seats": [seat]}))
            .send()
            .await
            .unwrap();
        if resp.status() == StatusCode::TOO_MANY_REQUESTS {
            refused = Some((i, resp));
            break;
        }
    }
    let (i, resp) = refused.expect("the 61st hold in a minute is refused");
    assert_eq!(i, 60);
    let retry: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&retry));
    assert_eq!(resp.json::<Value>().await.unwrap()["code"], "rate_limited");
    // A client that waits as told gets in again.
    tokio::time::sleep(std::time::Duration::from_secs(retry)).await;
    let again = client
        .post(app.url("/api/seats/hold/"))
        .json(&json!({"trip_id": id, "seats": ["2A"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::OK);

    // Claim-code guessing is limited too, malformed guesses included.
    for code in ["AAAA-AAAA", "nonsense"] {
        assert_eq!(
            post(
                &client,
                &app,
                "/api/hold/claim/",
                json!({"claim_code": code})
            )
            .await
            .0,
            StatusCode::NOT_FOUND
        );
    }
    let (status, err) = post(
        &client,
        &app,
        "/api/hold/claim/",
        json!({"claim_code": "BBBB-BBBB"}),
    )
    .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited"))
    );
}

/// The value of the sample `name{labels}` on a metrics page (0 if absent).
fn sample(page: &str, series: &str) -> f64 {
    page.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or(0.0)
}

#[tokio::test]
async fn metrics_count_requests_per_route_holds_and_bookings() {
    let app = spawn_app().await;
    let trip = app.trip(BusType::Economy).await;
    let page = |app: &common::TestApp| {
        let url = app.url("/metrics");
        async move { reqwest::get(url).await.unwrap().text().await.unwrap() }
    };
    let before = page(&app).await;
    let (_client, claim) = app.passenger_with_hold(trip, &["3A"], "081211112222").await;
    let staff = app.staff_client().await;
    for _ in 0..2 {
        let resp = staff
            .post(app.url("/api/admin/generate-booking-code/"))
            .json(&json!({"claim_code": claim}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            resp.status(),
            200,
            "confirmed (the second time answers the same booking)"
        );
    }
    let after = page(&app).await;
    // Counters are per process, and tests run side by side: they grow by
    // at least what this test did.
    let grew = |series: &str| sample(&after, series) - sample(&before, series);
    assert!(grew("kursi_holds_total") >= 1.0);
    assert!(grew("kursi_bookings_total") >= 1.0);
    assert!(
        grew(r#"kursi_http_requests_total{route="/api/seats/hold/",method="POST",status="200"}"#)
            >= 1.0,
        "the hold route is counted by its pattern"
    );
    assert!(after.contains("kursi_http_request_duration_seconds_bucket{"));
    assert!(after.contains("kursi_write_batch_writes_count"));
    assert!(after.contains("kursi_live_streams "));
}

#[tokio::test]
async fn metrics_need_the_token_when_one_is_set() {
    let app = spawn_app_with(|s| {
        s.metrics_token = Some(kursi::config::Secret::new("scrape-me-0123456789"));
    })
    .await;
    let get = |auth: Option<&str>| {
        let mut req = plain_client().get(app.url("/metrics"));
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        async move { req.send().await.unwrap() }
    };
    for wrong in [None, Some("Bearer nope"), Some("scrape-me-0123456789")] {
        let resp = get(wrong).await;
        assert_eq!(resp.status(), 401, "{wrong:?}");
        assert!(
            !resp.text().await.unwrap().contains("kursi_"),
            "nothing leaks"
        );
    }
    let resp = get(Some("Bearer scrape-me-0123456789")).await;
    assert_eq!(resp.status(), 200);
    assert!(resp.text().await.unwrap().contains("kursi_holds_total"));
}
