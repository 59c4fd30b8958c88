//! The admin side of the JSON API over real HTTP: staff sessions, the
//! authentication of every admin route, trip editing, the manifest and the
//! audit trail.

#![cfg(feature = "ssr")]

mod common;

use chrono::Duration;
use common::*;
use kursi::domain::BusType;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// Every admin route with a request that is valid once authenticated.
fn admin_routes(trip: i64, claim: &str) -> Vec<(Method, String, Option<Value>)> {
    vec![
        (Method::GET, "/api/admin/me/".into(), None),
        (Method::GET, "/api/admin/holds/?q=budi".into(), None),
        (
            Method::POST,
            "/api/admin/holds/extend/".into(),
            Some(json!({"claim_code": claim, "minutes": 1})),
        ),
        (
            Method::GET,
            format!("/api/admin/holds/{claim}/audit/"),
            None,
        ),
        (Method::GET, "/api/admin/trips/".into(), None),
        (
            Method::POST,
            "/api/admin/trips/".into(),
            Some(json!({
                "route_from": "Surabaya", "route_to": "Malang",
                "depart_at": (chrono::Utc::now() + Duration::days(3)).to_rfc3339(),
                "price": 90000, "bus_type": "EXECUTIVE", "admin_wa": "081211112222"
            })),
        ),
        (
            Method::PATCH,
            format!("/api/admin/trips/{trip}/"),
            Some(json!({"price": 160000})),
        ),
        (
            Method::GET,
            format!("/api/admin/trips/{trip}/manifest/"),
            None,
        ),
        (
            Method::GET,
            format!("/api/admin/trips/{trip}/manifest.csv"),
            None,
        ),
        (Method::GET, format!("/api/admin/trips/{trip}/audit/"), None),
        (
            Method::POST,
            "/api/admin/generate-booking-code/".into(),
            Some(json!({"claim_code": claim})),
        ),
        (
            Method::POST,
            "/api/admin/bookings/cancel/".into(),
            Some(json!({"booking_code": "BK-000000"})),
        ),
        (
            Method::POST,
            "/api/admin/holds/release/".into(),
            Some(json!({"claim_code": "AAAA-AAAA"})),
        ),
        (
            Method::POST,
            "/api/admin/statement/match/".into(),
            Some(json!({"csv": "Tanggal,Keterangan,Jumlah\n01/12/2026,TRF,150.417\n"})),
        ),
        (
            Method::POST,
            "/api/admin/payment-accounts/".into(),
            Some(json!({"bank": "BCA", "number": "1234567890", "holder": "PO Kursi"})),
        ),
        (
            Method::POST,
            "/api/admin/payment-accounts/1/retire/".into(),
            None,
        ),
        (Method::GET, "/api/admin/webhooks/".into(), None),
        (
            Method::POST,
            "/api/admin/webhooks/".into(),
            Some(json!({"url": "https://hooks.example/kursi"})),
        ),
        (Method::POST, "/api/admin/webhooks/1/retire/".into(), None),
        (
            Method::POST,
            "/api/admin/webhook-deliveries/1/resend/".into(),
            None,
        ),
        (
            Method::GET,
            format!("/api/admin/holds/{claim}/receipts/"),
            None,
        ),
        (Method::GET, "/api/admin/receipts/1/".into(), None),
        (Method::POST, "/api/admin/payment-qris/retire/".into(), None),
        (Method::GET, "/api/admin/schedules/".into(), None),
        (
            Method::POST,
            "/api/admin/schedules/1/dates/".into(),
            Some(json!({"date": "2027-01-01", "skipped": true})),
        ),
        (Method::POST, "/api/admin/schedules/1/stop/".into(), None),
    ]
}

#[tokio::test]
async fn every_admin_route_needs_the_key_or_a_staff_session() {
    let app = spawn_app().await;
    let trip = app.trip(BusType::Economy).await;
    let (_, claim) = app.passenger_with_hold(trip, &["1A"], "081234567890").await;
    let anonymous = app.client();
    let staff = app.staff_client().await;
    let forged = plain_client();
    for (method, path, body) in admin_routes(trip, &claim) {
        // Missing key, wrong key, and a forged session cookie: 401.
        for (client, key, cookie) in [
            (&anonymous, None, None),
            (&anonymous, Some("wrong-key"), None),
            (&anonymous, Some(""), None),
            (
                &forged,
                None,
                Some(format!("kursi_staff={}", "a".repeat(64))),
            ),
            (&forged, None, Some("kursi_staff=../../etc".to_string())),
        ] {
            let mut req = client.request(method.clone(), app.url(&path));
            if let Some(b) = &body {
                req = req.json(b);
            }
            if let Some(k) = key {
                req = req.header("x-admin-key", k);
            }
            if let Some(c) = &cookie {
                req = req.header("cookie", c);
            }
            let resp = req.send().await.unwrap();
            assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "{method} {path}");
            let err: Value = resp.json().await.unwrap();
            assert_eq!(err["code"], "unauthorized", "{method} {path}");
            assert!(err["message"].as_str().is_some_and(|m| !m.is_empty()));
        }
        // The right key and a staff session both get through.
        for (client, key) in [(&anonymous, Some(ADMIN_KEY)), (&staff, None)] {
            let (status, value) =
                send(client, &app, method.clone(), &path, body.clone(), key).await;
            assert!(
                status.is_success()
                    || (status.is_client_error() && status != StatusCode::UNAUTHORIZED),
                "{method} {path} with {}: {status} {value}",
                if key.is_some() { "key" } else { "session" }
            );
        }
    }
}

#[tokio::test]
async fn every_admin_route_refuses_a_crew_account() {
    let app = spawn_app().await;
    let trip = app.trip(BusType::Economy).await;
    let (_, claim) = app.passenger_with_hold(trip, &["1A"], "081234567890").await;
    app.state
        .service
        .set_staff_password(
            "joko",
            "crew-password-1",
            kursi::domain::StaffRole::Crew,
            app.state.clock.now(),
        )
        .await
        .unwrap();
    let crew = app.client();
    let (status, _) = send(
        &crew,
        &app,
        Method::POST,
        "/api/admin/login/",
        Some(json!({"username": "joko", "password": "crew-password-1"})),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let before = app.snapshot().await;
    for (method, path, body) in admin_routes(trip, &claim) {
        if path == "/api/admin/me/" {
            continue; // any staff member may ask who they are (below)
        }
        let (status, err) = send(&crew, &app, method.clone(), &path, body, None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}: {err}");
        assert_eq!(err["code"], "admin_only", "{method} {path}");
    }
    assert_eq!(
        app.snapshot().await,
        before,
        "a crew account changed nothing"
    );
    // It may still ask who it is.
    let (status, me) = send(&crew, &app, Method::GET, "/api/admin/me/", None, None).await;
    assert_eq!(
        (status, me["role"].as_str()),
        (StatusCode::OK, Some("CREW"))
    );
}

#[tokio::test]
async fn key_authentication_is_off_when_no_key_is_configured() {
    let app = spawn_app_with(|s| s.admin_api_key = None).await;
    let (status, err) = send(
        &app.client(),
        &app,
        Method::GET,
        "/api/admin/trips/",
        None,
        Some(""),
    )
    .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthorized"))
    );
    // Staff sessions still work.
    let staff = app.staff_client().await;
    let (status, _) = send(&staff, &app, Method::GET, "/api/admin/trips/", None, None).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn staff_sign_in_sets_a_strict_http_only_cookie_and_stores_only_hashes() {
    let app = spawn_app().await;
    let client = plain_client();
    let resp = client
        .post(app.url("/api/admin/login"))
        .json(&json!({"username": STAFF_USER, "password": STAFF_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let cookie = resp.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("kursi_staff="), "{cookie}");
    for part in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=43200"] {
        assert!(cookie.contains(part), "{part} missing in {cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain-HTTP default: {cookie}");
    assert_eq!(resp.json::<Value>().await.unwrap()["username"], STAFF_USER);
    let token = cookie["kursi_staff=".len()..].split(';').next().unwrap();
    assert_eq!(token.len(), 64);

    // The database has the token's hash, never the token; the password
    // is an Argon2id hash.
    let haystack = stored_bytes(&app).await;
    let contains = |needle: &[u8]| haystack.windows(needle.len()).any(|w| w == needle);
    assert!(!contains(token.as_bytes()), "the raw token is stored");
    assert!(contains(
        hex::encode(Sha256::digest(token.as_bytes())).as_bytes()
    ));
    assert!(contains(b"$argon2id$"));
    assert!(
        !contains(STAFF_PASSWORD.as_bytes()),
        "the password is stored"
    );

    // The cookie works; after sign-out it no longer does.
    let cookie_header = format!("kursi_staff={token}");
    let me = client
        .get(app.url("/api/admin/me/"))
        .header("cookie", &cookie_header)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    let out = client
        .post(app.url("/api/admin/logout/"))
        .header("cookie", &cookie_header)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    assert!(
        out.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    let after = client
        .get(app.url("/api/admin/me/"))
        .header("cookie", &cookie_header)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn wrong_credentials_are_refused_alike_and_sessions_expire() {
    let app = spawn_app_with(|s| s.cookie_secure = true).await;
    for (user, pw) in [
        (STAFF_USER, "wrong-password"),
        ("nobody", STAFF_PASSWORD),
        ("", ""),
        (STAFF_USER, ""),
    ] {
        let (status, err) = send(
            &app.client(),
            &app,
            Method::POST,
            "/api/admin/login/",
            Some(json!({"username": user, "password": pw})),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{user}/{pw}");
        assert_eq!(err["code"], "invalid_credentials");
        assert_eq!(err["message"], "The username or password is wrong.");
    }
    let (status, err) = send(
        &app.client(),
        &app,
        Method::POST,
        "/api/admin/login/",
        Some(json!({"username": STAFF_USER})),
        None,
    )
    .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_request"))
    );

    // COOKIE_SECURE=true marks the cookie Secure and names it `__Host-…`.
    let resp = app
        .client()
        .post(app.url("/api/admin/login/"))
        .json(&json!({"username": STAFF_USER, "password": STAFF_PASSWORD}))
        .send()
        .await
        .unwrap();
    let cookie = resp.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.contains("Secure"), "{cookie}");
    assert!(cookie.starts_with("__Host-kursi_staff="), "{cookie}");
    let token = cookie["__Host-kursi_staff=".len()..]
        .split(';')
        .next()
        .unwrap();
    let header = format!("__Host-kursi_staff={token}");
    let me = |app: &TestApp| {
        plain_client()
            .get(app.url("/api/admin/me/"))
            .header("cookie", header.clone())
            .send()
    };
    assert_eq!(me(&app).await.unwrap().status(), StatusCode::OK);
    // STAFF_SESSION_MINUTES (720) later the session is over.
    app.state.clock.advance(Duration::minutes(721));
    assert_eq!(me(&app).await.unwrap().status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_password_reset_signs_the_account_out_everywhere() {
    let app = spawn_app().await;
    let staff = app.staff_client().await;
    let (status, _) = send(&staff, &app, Method::GET, "/api/admin/me/", None, None).await;
    assert_eq!(status, StatusCode::OK);
    app.state
        .service
        .set_staff_password(
            STAFF_USER,
            "a-new-password-9",
            kursi::domain::StaffRole::Admin,
            app.state.clock.now(),
        )
        .await
        .unwrap();
    let (status, _) = send(&staff, &app, Method::GET, "/api/admin/me/", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn sign_in_is_rate_limited_per_client_and_recovers() {
    // The default: 5 per minute, then one every 12 seconds.
    let app = spawn_app_with(|s| s.login_rate_per_minute = 5).await;
    let client = app.client();
    let attempt = |pw: &'static str| {
        client
            .post(app.url("/api/admin/login/"))
            .json(&json!({"username": STAFF_USER, "password": pw}))
            .send()
    };
    let mut refused = None;
    for i in 0..6 {
        let resp = attempt("guess-guess").await.unwrap();
        if resp.status() == StatusCode::TOO_MANY_REQUESTS {
            refused = Some((i, resp));
            break;
        }
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    }
    let (i, resp) = refused.expect("the 6th sign-in in a minute is refused");
    assert_eq!(i, 5);
    let retry: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((11..=12).contains(&retry), "{retry}");
    assert_eq!(resp.json::<Value>().await.unwrap()["code"], "rate_limited");
    // Even the right password waits its turn...
    assert_eq!(
        attempt(STAFF_PASSWORD).await.unwrap().status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    // ...and gets in after Retry-After.
    tokio::time::sleep(std::time::Duration::from_secs(retry)).await;
    assert_eq!(
        attempt(STAFF_PASSWORD).await.unwrap().status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_cross_site_write_with_a_staff_cookie_is_refused() {
    let app = spawn_app().await;
    let trip = app.trip(BusType::Economy).await;
    let (_, claim) = app.passenger_with_hold(trip, &["2A"], "081234567890").await;
    let staff = app.staff_client().await;
    let before = app.snapshot().await;
    for origin in ["https://evil.example", "http://localhost:9999", "null"] {
        let resp = staff
            .post(app.url("/api/admin/generate-booking-code/"))
            .header("origin", origin)
            .json(&json!({"claim_code": claim}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN, "{origin}");
        assert_eq!(resp.json::<Value>().await.unwrap()["code"], "forbidden");
        let resp = staff
            .patch(app.url(&format!("/api/admin/trips/{trip}/")))
            .header("origin", origin)
            .json(&json!({"is_active": false}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN, "{origin}");
    }
    assert_eq!(app.snapshot().await, before, "nothing changed");
    // The same request from the app's own origin works.
    let resp = staff
        .post(app.url("/api/admin/generate-booking-code/"))
        .header("origin", app.base.clone())
        .json(&json!({"claim_code": claim}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
}

#[tokio::test]
async fn trips_are_edited_and_deactivated_but_never_lose_booked_seats() {
    let app = spawn_app().await;
    let staff = app.staff_client().await;
    let trip = app.trip(BusType::Economy).await;
    let path = format!("/api/admin/trips/{trip}/");

    // Without bookings the bus type changes and the seats are laid out anew.
    let (status, t) = send(
        &staff,
        &app,
        Method::PATCH,
        &path,
        Some(json!({"bus_type": "SLEEPER", "price": 275000, "route_to": "  Yogyakarta "})),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{t}");
    assert_eq!(t["bus_type"], "SLEEPER");
    assert_eq!(t["seats_total"], 22);
    assert_eq!(t["price"], 275000);
    assert_eq!(t["route_to"], "Yogyakarta");

    // With a booking it does not, and nothing else changes either.
    let (_, claim) = app.passenger_with_hold(trip, &["1A"], "081234567890").await;
    let (status, _) = send(
        &staff,
        &app,
        Method::POST,
        "/api/admin/generate-booking-code/",
        Some(json!({"claim_code": claim})),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let before = app.snapshot().await;
    let (status, err) = send(
        &staff,
        &app,
        Method::PATCH,
        &path,
        Some(json!({"bus_type": "ECONOMY", "price": 1})),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(err["code"], "trip_has_bookings");
    assert_eq!(app.snapshot().await, before);

    // Bad edits are 400 and change nothing.
    for bad in [
        json!({"price": -5}),
        json!({"depart_at": "2000-01-01T00:00:00Z"}),
        json!({"route_from": ""}),
        json!({"admin_wa": "12"}),
        json!({"bus_type": "LIMO"}),
        json!({"seats": 99}),
    ] {
        let (status, err) = send(&staff, &app, Method::PATCH, &path, Some(bad.clone()), None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(err["code"], "invalid_request");
    }
    assert_eq!(app.snapshot().await, before);

    // Deactivating takes the trip off the passengers' list and map.
    let (status, t) = send(
        &staff,
        &app,
        Method::PATCH,
        &path,
        Some(json!({"is_active": false})),
        None,
    )
    .await;
    assert_eq!((status, &t["is_active"]), (StatusCode::OK, &json!(false)));
    let listed: Value = reqwest::get(app.url("/api/trips/"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed, json!([]));
    let (status, err) = send(
        &app.client(),
        &app,
        Method::POST,
        "/api/seats/hold/",
        Some(json!({"trip_id": trip, "seats": ["2A"]})),
        None,
    )
    .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("trip_not_found"))
    );
    // The booking stays.
    let (_, m) = send(
        &staff,
        &app,
        Method::GET,
        &format!("/api/admin/trips/{trip}/manifest/"),
        None,
        None,
    )
    .await;
    assert_eq!(m["passengers"][0]["seat"], "1A");
    assert_eq!(m["passengers"][0]["status"], "BOOKED");

    let (status, err) = send(
        &staff,
        &app,
        Method::PATCH,
        "/api/admin/trips/999999/",
        Some(json!({"price": 1})),
        None,
    )
    .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("trip_not_found"))
    );
}

#[tokio::test]
async fn the_manifest_lists_passengers_as_json_and_safe_csv() {
    let app = spawn_app().await;
    let trip = app.trip(BusType::Executive).await;
    // A booked passenger whose name a spreadsheet would run as a formula.
    let client = app.client();
    client
        .post(app.url("/api/seats/hold/"))
        .json(&json!({"trip_id": trip, "seats": ["3B", "1A"]}))
        .send()
        .await
        .unwrap();
    let hold: Value = client
        .post(app.url("/api/hold/attach-contact/"))
        .json(&json!({"name": "=HYPERLINK(\"x\")", "whatsapp": "+62 812-3456-7890"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let claim = hold["claim_code"].as_str().unwrap();
    let (_, booking) = send(
        &app.client(),
        &app,
        Method::POST,
        "/api/admin/generate-booking-code/",
        Some(json!({"claim_code": claim})),
        Some(ADMIN_KEY),
    )
    .await;
    let code = booking["booking_code"].as_str().unwrap().to_string();
    // A second passenger still paying; an anonymous hold is not listed.
    let (_, pending) = app.passenger_with_hold(trip, &["2C"], "081299990000").await;
    let anon = app.client();
    anon.post(app.url("/api/seats/hold/"))
        .json(&json!({"trip_id": trip, "seats": ["5A"]}))
        .send()
        .await
        .unwrap();

    let (status, m) = send(
        &app.client(),
        &app,
        Method::GET,
        &format!("/api/admin/trips/{trip}/manifest/"),
        None,
        Some(ADMIN_KEY),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(m["trip"]["id"], trip);
    let rows: Vec<(String, String, String)> = m["passengers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["seat"].as_str().unwrap().to_string(),
                p["status"].as_str().unwrap().to_string(),
                p["whatsapp"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            ("1A".into(), "BOOKED".into(), "6281234567890".into()),
            ("2C".into(), "HELD".into(), "6281299990000".into()),
            ("3B".into(), "BOOKED".into(), "6281234567890".into()),
        ]
    );

    let resp = app
        .client()
        .get(app.url(&format!("/api/admin/trips/{trip}/manifest.csv")))
        .header("x-admin-key", ADMIN_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(
        resp.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains(&format!("manifest-trip-{trip}.csv"))
    );
    let bytes = resp.bytes().await.unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 BOM");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "seat,name,whatsapp,booking_code,claim_code,status,contact_name,boarded_at,board,board_at,alight,alight_at"
    );
    // Who sits there, then who booked it (here the same person).
    assert_eq!(
        lines[1],
        format!(
            "1A,\"'=HYPERLINK(\"\"x\"\")\",6281234567890,{code},{claim},BOOKED,\"'=HYPERLINK(\"\"x\"\")\",,,,,"
        )
    );
    assert_eq!(
        lines[2],
        format!("2C,Budi Santoso,6281299990000,,{pending},HELD,Budi Santoso,,,,,")
    );
    assert_eq!(lines.len(), 4);
}

#[tokio::test]
async fn the_audit_trail_names_each_change_and_who_made_it() {
    let app = spawn_app().await;
    let trip = app.trip(BusType::Economy).await;
    let (passenger, claim) = app
        .passenger_with_hold(trip, &["4A", "4B"], "081234567890")
        .await;
    passenger
        .post(app.url("/api/seats/release/"))
        .json(&json!({"seats": ["4B"]}))
        .send()
        .await
        .unwrap();
    let staff = app.staff_client().await;
    let (status, _) = send(
        &staff,
        &app,
        Method::POST,
        "/api/admin/generate-booking-code/",
        Some(json!({"claim_code": claim})),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, trail) = send(
        &staff,
        &app,
        Method::GET,
        &format!(
            "/api/admin/holds/{}/audit/",
            claim.to_lowercase().replace('-', "")
        ),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let actions: Vec<(&str, &str, Vec<&str>)> = trail
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap(),
                e["actor"].as_str().unwrap().split(':').next().unwrap(),
                e["seats"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s.as_str().unwrap())
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        actions,
        vec![
            ("hold", "session", vec!["4A", "4B"]),
            ("contact", "session", vec![]),
            ("release", "session", vec!["4B"]),
            ("book", "admin", vec!["4A"]),
        ]
    );
    assert_eq!(trail[3]["actor"], "admin:admin");

    let (status, trip_trail) = send(
        &staff,
        &app,
        Method::GET,
        &format!("/api/admin/trips/{trip}/audit/"),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // Newest first, ending with the trip's creation.
    assert_eq!(trip_trail[0]["action"], "book");
    let last = trip_trail.as_array().unwrap().last().unwrap();
    assert_eq!(
        (last["action"].as_str(), last["detail"].as_str()),
        (Some("trip"), Some("created"))
    );

    let (status, err) = send(
        &staff,
        &app,
        Method::GET,
        "/api/admin/holds/ZZZZ-ZZZZ/audit/",
        None,
        None,
    )
    .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("claim_not_found"))
    );
    let (status, err) = send(
        &staff,
        &app,
        Method::GET,
        "/api/admin/trips/424242/audit/",
        None,
        None,
    )
    .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("trip_not_found"))
    );
}

#[tokio::test]
async fn admin_pages_redirect_a_signed_out_visitor_to_sign_in() {
    let app = spawn_app().await;
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for path in [
        "/admin",
        "/admin/",
        "/admin/trips",
        "/admin/trips/1",
        "/admin/holds/AAAA-AAAA",
    ] {
        for cookie in [
            "",
            "kursi_staff=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        ] {
            let resp = no_redirects
                .get(app.url(path))
                .header("cookie", cookie)
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), StatusCode::SEE_OTHER, "{path}");
            assert_eq!(resp.headers()["location"], "/admin/login", "{path}");
        }
    }
    let login = no_redirects
        .get(app.url("/admin/login"))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::OK);
    // Signed in, the pages render.
    let staff = app.staff_client().await;
    let page = staff.get(app.url("/admin/trips")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("Perjalanan"));
}

/// Everything the database stores: SQLite's file and its WAL, or on
/// PostgreSQL every row of every table as text.
async fn stored_bytes(app: &TestApp) -> Vec<u8> {
    match &app.db {
        TestDatabase::Sqlite(dir) => {
            let dump = std::fs::read(dir.path().join("kursi.db")).unwrap_or_default();
            let wal = std::fs::read(dir.path().join("kursi.db-wal")).unwrap_or_default();
            [dump, wal].concat()
        }
        TestDatabase::Postgres { .. } => {
            use sqlx::Connection;
            let mut conn = sqlx::PgConnection::connect(&app.db.url()).await.unwrap();
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'",
            )
            .fetch_all(&mut conn)
            .await
            .unwrap();
            let mut out = Vec::new();
            for t in tables {
                let rows: Vec<String> =
                    sqlx::query_scalar(&format!("SELECT row_to_json(t)::text FROM {t} t"))
                        .fetch_all(&mut conn)
                        .await
                        .unwrap();
                out.extend(rows.join("\n").into_bytes());
            }
            out
        }
    }
}

#[tokio::test]
async fn the_staff_command_adds_an_account_from_the_shell() {
    use std::io::Write;
    let app = spawn_app().await;
    let url = app.db.url();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_kursi"))
        .args(["staff", "operator"])
        .env("DATABASE_URL", &url)
        .env("RUST_LOG", "warn")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"shell-password-42\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"operator\" saved"));
    let (status, me) = send(
        &app.client(),
        &app,
        Method::POST,
        "/api/admin/login/",
        Some(json!({"username": "operator", "password": "shell-password-42"})),
        None,
    )
    .await;
    assert_eq!(
        (status, me["username"].as_str()),
        (StatusCode::OK, Some("operator"))
    );
    // A short password is refused, and nothing is saved.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_kursi"))
        .args(["staff", "shorty"])
        .env("DATABASE_URL", &url)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"short\n").unwrap();
    assert!(!child.wait().unwrap().success());
    let (status, _) = send(
        &app.client(),
        &app,
        Method::POST,
        "/api/admin/login/",
        Some(json!({"username": "shorty", "password": "short"})),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_statement_is_matched_over_http_and_only_it_may_be_large() {
    let app = spawn_app().await;
    let trip = app.trip(BusType::Economy).await;
    let (_, claim) = app
        .passenger_with_hold(trip, &["1A", "1B"], "081234567890")
        .await;
    let client = app.client();
    let (_, holds) = send(
        &client,
        &app,
        Method::GET,
        &format!("/api/admin/holds/?q={claim}"),
        None,
        Some(ADMIN_KEY),
    )
    .await;
    let amount = holds[0]["amount_due"].as_i64().unwrap();
    // A month of other movements around the transfer: far more than the
    // 16 KiB other requests may send.
    let today = app
        .state
        .clock
        .now()
        .with_timezone(&chrono_tz::Asia::Jakarta)
        .format("%d/%m/%Y")
        .to_string();
    let mut csv = String::from("Tanggal;Keterangan;Debet;Kredit;Saldo\n");
    for i in 0..2_000 {
        csv.push_str(&format!("{today};BIAYA {i};1.000,00;;5.000.000,00\n"));
    }
    csv.push_str(&format!(
        "{today};TRF DARI BUDI;;{};5.000.000,00\n",
        kursi::domain::format_rupiah(amount).trim_start_matches("Rp ")
    ));
    assert!(csv.len() > 64 * 1024);
    let path = "/api/admin/statement/match/";
    let (status, report) = send(
        &client,
        &app,
        Method::POST,
        path,
        Some(json!({ "csv": csv })),
        Some(ADMIN_KEY),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["layout"], "GENERIC");
    assert_eq!(report["debits"], 2_000);
    assert_eq!(
        report["mapping"],
        json!({"date": 0, "description": 1, "amount": 3, "debit": 2})
    );
    let credit = &report["credits"][0];
    assert_eq!(
        (credit["verdict"].as_str(), credit["amount"].as_i64()),
        (Some("READY"), Some(amount))
    );
    assert_eq!(credit["holds"][0]["claim_code"], claim.as_str());
    assert_eq!(credit["holds"][0]["status"], "HELD");
    // Matching booked nothing.
    let (_, holds) = send(
        &client,
        &app,
        Method::GET,
        &format!("/api/admin/holds/?q={claim}"),
        None,
        Some(ADMIN_KEY),
    )
    .await;
    assert_eq!(holds[0]["status"], "HELD");

    // Not a statement, a column outside the file, an unknown field: 400.
    for body in [
        json!({"csv": ""}),
        json!({"csv": "a,b\n1,2\n", "mapping": {"date": 0, "description": 1, "amount": 5}}),
        json!({"csv": "a", "mapping": {"date": 0, "description": 0, "amount": 0, "debit": -1}}),
        json!({"csv": "a", "extra": true}),
    ] {
        let (status, err) = send(
            &client,
            &app,
            Method::POST,
            path,
            Some(body.clone()),
            Some(ADMIN_KEY),
        )
        .await;
        assert_eq!(
            (status, err["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_request")),
            "{body}"
        );
    }
    // Over 2 MiB: refused before it is read, with the API's error body.
    let huge = json!({ "csv": "x".repeat(2 * 1024 * 1024 + 1) });
    let (status, err) = send(
        &client,
        &app,
        Method::POST,
        path,
        Some(huge),
        Some(ADMIN_KEY),
    )
    .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large"))
    );
    // Every other route keeps the small limit.
    let padded = json!({"trip_id": trip, "seats": ["2A"], "pad": "x".repeat(20 * 1024)});
    let (status, err) = send(
        &app.client(),
        &app,
        Method::POST,
        "/api/seats/hold/",
        Some(padded),
        None,
    )
    .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large"))
    );
}

#[tokio::test]
async fn payment_accounts_are_set_by_admins_and_read_by_everyone() {
    let app = spawn_app().await;
    let client = app.client();
    let get = |path: &'static str| send(&client, &app, Method::GET, path, None, None);
    let (status, none) = get("/api/payment-accounts/").await;
    assert_eq!((status, none), (StatusCode::OK, json!([])));

    let add =
        json!({"bank": "Bank Mandiri", "number": "137-00 1234.5678", "holder": "PO Sinar Jaya"});
    let path = "/api/admin/payment-accounts/";
    let (status, _) = send(&client, &app, Method::POST, path, Some(add.clone()), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, list) = send(
        &client,
        &app,
        Method::POST,
        path,
        Some(add),
        Some(ADMIN_KEY),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let id = list[0]["id"].as_i64().unwrap();
    let expected = json!([{"id": id, "bank": "Bank Mandiri", "number": "1370012345678", "holder": "PO Sinar Jaya"}]);
    assert_eq!(list, expected);
    assert_eq!(
        get("/api/payment-accounts").await,
        (StatusCode::OK, expected)
    );

    // Bad input: the spec's error body, nothing stored.
    for bad in [
        json!({"bank": "BCA", "number": "12AB", "holder": "x"}),
        json!({"bank": "", "number": "1234567", "holder": "x"}),
        json!({"bank": "BCA", "number": "1234567"}),
        json!({"bank": "BCA", "number": "1234567", "holder": "x", "qris": "y"}),
    ] {
        let (status, err) = send(
            &client,
            &app,
            Method::POST,
            path,
            Some(bad.clone()),
            Some(ADMIN_KEY),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {err}");
        assert_eq!(err["code"], "invalid_request", "{bad}");
    }
    assert_eq!(
        get("/api/payment-accounts/")
            .await
            .1
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let retire = format!("/api/admin/payment-accounts/{id}/retire/");
    let (status, _) = send(&client, &app, Method::POST, &retire, None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, left) = send(&client, &app, Method::POST, &retire, None, Some(ADMIN_KEY)).await;
    assert_eq!((status, left), (StatusCode::OK, json!([])));
    let (status, err) = send(&client, &app, Method::POST, &retire, None, Some(ADMIN_KEY)).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    assert_eq!(get("/api/payment-accounts/").await.1, json!([]));
}

#[tokio::test]
async fn webhooks_are_registered_listed_and_retired_by_admins() {
    let app = spawn_app().await;
    let client = app.client();
    let path = "/api/admin/webhooks/";
    let add = json!({"url": "https://hooks.example/kursi"});
    let (status, created) = send(
        &client,
        &app,
        Method::POST,
        path,
        Some(add),
        Some(ADMIN_KEY),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    assert_eq!(created["endpoint"]["url"], "https://hooks.example/kursi");
    assert_eq!(created["endpoint"]["added_by"], "api-key");
    let secret = created["secret"].as_str().unwrap();
    assert!(secret.starts_with("whsec_") && secret.len() > 40);
    let id = created["endpoint"]["id"].as_i64().unwrap();

    // A contact attached is queued for it; the list never shows the secret.
    let trip = app.trip(BusType::Economy).await;
    app.passenger_with_hold(trip, &["1A"], "081234567890").await;
    let (status, list) = send(&client, &app, Method::GET, path, None, Some(ADMIN_KEY)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["endpoints"][0]["id"], id);
    assert!(!list.to_string().contains(secret));
    assert_eq!(list["deliveries"][0]["event"], "hold.contact_attached");
    assert_eq!(list["deliveries"][0]["status"], "PENDING");
    let delivery = list["deliveries"][0]["id"].as_i64().unwrap();

    for bad in [
        json!({"url": "ftp://hooks.example/"}),
        json!({"url": "https://user:pw@hooks.example/"}),
        json!({"url": 7}),
        json!({"url": "https://hooks.example/", "secret": "mine"}),
    ] {
        let (status, err) = send(
            &client,
            &app,
            Method::POST,
            path,
            Some(bad.clone()),
            Some(ADMIN_KEY),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {err}");
        assert_eq!(err["code"], "invalid_request", "{bad}");
    }

    let resend = format!("/api/admin/webhook-deliveries/{delivery}/resend/");
    let (status, _) = send(&client, &app, Method::POST, &resend, None, Some(ADMIN_KEY)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, err) = send(
        &client,
        &app,
        Method::POST,
        "/api/admin/webhook-deliveries/999999/resend/",
        None,
        Some(ADMIN_KEY),
    )
    .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );

    let retire = format!("/api/admin/webhooks/{id}/retire/");
    let (status, _) = send(&client, &app, Method::POST, &retire, None, Some(ADMIN_KEY)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, err) = send(&client, &app, Method::POST, &retire, None, Some(ADMIN_KEY)).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let (_, list) = send(&client, &app, Method::GET, path, None, Some(ADMIN_KEY)).await;
    assert_eq!(list["endpoints"], json!([]));
}
