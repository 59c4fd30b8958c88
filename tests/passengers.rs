//! A name per seat over real HTTP: a passenger names who sits where when
//! attaching contact, the hold, the booking, the manifest and its CSV list
//! them per seat, a single name still works (the contact person sits in
//! every seat), and a seat named twice, a seat not held or a blank name is
//! a 400 that changes nothing. On SQLite, and on PostgreSQL with
//! `KURSI_TEST_DB=postgres`.

#![cfg(feature = "ssr")]

mod common;

use common::*;
use kursi::domain::BusType;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn names(list: &Value) -> Vec<(String, String)> {
    list.as_array()
        .expect("a list of passengers")
        .iter()
        .map(|p| {
            (
                p["seat"].as_str().unwrap().to_string(),
                p["name"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(s, n)| (s.to_string(), n.to_string()))
        .collect()
}

#[tokio::test]
async fn each_seat_carries_its_passenger_to_the_booking_manifest_and_csv() {
    let app = spawn_app().await;
    let trip = app.trip(BusType::Executive).await;
    let client = app.holding(trip, &["1A", "1B", "2A"]).await;
    let (status, hold) = send(
        &client,
        &app,
        Method::POST,
        "/api/hold/attach-contact/",
        Some(json!({
            "name": "Budi Santoso",
            "whatsapp": "0812 3456 7890",
            "passengers": [
                {"seat": "1B", "name": "  Siti   Rahma "},
                {"seat": "2A", "name": "=HYPERLINK(\"x\")"},
            ],
        })),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{hold}");
    // Seat order; 1A was not named, so the contact person sits there.
    assert_eq!(
        names(&hold["passengers"]),
        pairs(&[
            ("1A", "Budi Santoso"),
            ("1B", "Siti Rahma"),
            ("2A", "=HYPERLINK(\"x\")")
        ])
    );
    assert_eq!(hold["name"], "Budi Santoso");
    // The admin is told who travels.
    let message = hold["whatsapp_url"].as_str().unwrap();
    assert!(message.contains("Siti%20Rahma"), "{message}");

    // The session's hold reads the same back.
    let (_, again) = send(&client, &app, Method::GET, "/api/hold/", None, None).await;
    assert_eq!(again["passengers"], hold["passengers"]);

    // The admin finds the hold by the name of anybody travelling on it.
    let claim = hold["claim_code"].as_str().unwrap();
    for q in ["siti%20rahma", "SITI", "budi"] {
        let (status, found) = send(
            &app.client(),
            &app,
            Method::GET,
            &format!("/api/admin/holds/?q={q}"),
            None,
            Some(ADMIN_KEY),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{found}");
        let codes: Vec<&str> = found
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["claim_code"].as_str().unwrap())
            .collect();
        assert_eq!(codes, vec![claim], "q={q}");
    }

    // Booked: the booking keeps them.
    let (status, booking) = send(
        &app.client(),
        &app,
        Method::POST,
        "/api/admin/generate-booking-code/",
        Some(json!({"claim_code": claim})),
        Some(ADMIN_KEY),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{booking}");
    assert_eq!(booking["passengers"], hold["passengers"]);
    let code = booking["booking_code"].as_str().unwrap();
    let (status, ticket) = send(
        &app.client(),
        &app,
        Method::GET,
        &format!("/api/bookings/{code}/?whatsapp=081234567890"),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{ticket}");
    assert_eq!(ticket["passengers"], hold["passengers"]);

    // The manifest: a line per seat with its passenger and the contact.
    let (status, manifest) = send(
        &app.client(),
        &app,
        Method::GET,
        &format!("/api/admin/trips/{trip}/manifest/"),
        None,
        Some(ADMIN_KEY),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{manifest}");
    assert_eq!(
        names(&manifest["passengers"]),
        pairs(&[
            ("1A", "Budi Santoso"),
            ("1B", "Siti Rahma"),
            ("2A", "=HYPERLINK(\"x\")")
        ])
    );
    for line in manifest["passengers"].as_array().unwrap() {
        assert_eq!(line["contact_name"], "Budi Santoso");
    }
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
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert!(
        lines[0].contains(",contact_name,boarded_at,"),
        "{}",
        lines[0]
    );
    assert!(lines[2].starts_with("1B,Siti Rahma,"), "{}", lines[2]);
    // A name that a spreadsheet would run stays text.
    assert!(
        lines[3].starts_with("2A,\"'=HYPERLINK(\"\"x\"\")\","),
        "{}",
        lines[3]
    );
    assert!(
        lines[3].ends_with(",Budi Santoso,,,,,"),
        "not boarded, no stops: {}",
        lines[3]
    );
}

#[tokio::test]
async fn one_name_still_works_and_attaching_again_names_the_seats_anew() {
    let app = spawn_app().await;
    let trip = app.trip(BusType::Executive).await;
    let client = app.holding(trip, &["3A", "3B"]).await;
    let attach = |body: Value| {
        let client = client.clone();
        let app = &app;
        async move {
            send(
                &client,
                app,
                Method::POST,
                "/api/hold/attach-contact/",
                Some(body),
                None,
            )
            .await
        }
    };
    let (status, hold) = attach(json!({"name": "Rina", "whatsapp": "081298765432"})).await;
    assert_eq!(status, StatusCode::OK, "{hold}");
    assert_eq!(
        names(&hold["passengers"]),
        pairs(&[("3A", "Rina"), ("3B", "Rina")])
    );
    let (status, hold) = attach(json!({
        "name": "Rina",
        "whatsapp": "081298765432",
        "passengers": [{"seat": "3B", "name": "Dewi"}],
    }))
    .await;
    assert_eq!(status, StatusCode::OK, "{hold}");
    assert_eq!(
        names(&hold["passengers"]),
        pairs(&[("3A", "Rina"), ("3B", "Dewi")])
    );
    // A seat added afterwards carries the contact person until named.
    let (status, hold) = send(
        &client,
        &app,
        Method::POST,
        "/api/seats/hold/",
        Some(json!({"trip_id": trip, "seats": ["4A"]})),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{hold}");
    assert_eq!(
        names(&hold["passengers"]),
        pairs(&[("3A", "Rina"), ("3B", "Dewi"), ("4A", "Rina")])
    );
    // Releasing a named seat takes its name with it.
    let (status, hold) = send(
        &client,
        &app,
        Method::POST,
        "/api/seats/release/",
        Some(json!({"seats": ["3B"]})),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{hold}");
    assert_eq!(
        names(&hold["passengers"]),
        pairs(&[("3A", "Rina"), ("4A", "Rina")])
    );
    // Attaching again without names: everybody is the contact person.
    let (_, hold) = attach(json!({
        "name": "Rina",
        "whatsapp": "081298765432",
        "passengers": [{"seat": "4A", "name": "Ayu"}],
    }))
    .await;
    assert_eq!(
        names(&hold["passengers"]),
        pairs(&[("3A", "Rina"), ("4A", "Ayu")])
    );
    let (_, hold) = attach(json!({"name": "Rina", "whatsapp": "081298765432"})).await;
    assert_eq!(
        names(&hold["passengers"]),
        pairs(&[("3A", "Rina"), ("4A", "Rina")])
    );
}

#[tokio::test]
async fn bad_seat_names_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let trip = app.trip(BusType::Executive).await;
    let client = app.holding(trip, &["5A", "5B"]).await;
    let before = app.snapshot().await;
    for passengers in [
        json!([{"seat": "5A", "name": "Budi"}, {"seat": "5A", "name": "Siti"}]),
        json!([{"seat": "6A", "name": "Budi"}]),
        json!([{"seat": "5A", "name": "   "}]),
        json!([{"seat": "5A", "name": "x".repeat(81)}]),
        json!([{"seat": "5A", "name": "Bu\u{202E}di"}]),
        json!([{"seat": "not a seat", "name": "Budi"}]),
        json!([{"seat": "5A"}]),
        json!({"5A": "Budi"}),
    ] {
        let (status, body) = send(
            &client,
            &app,
            Method::POST,
            "/api/hold/attach-contact/",
            Some(json!({"name": "Budi", "whatsapp": "081234567890", "passengers": passengers.clone()})),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{passengers}: {body}");
        assert_eq!(body["code"], "invalid_request", "{passengers}: {body}");
    }
    assert_eq!(
        app.snapshot().await,
        before,
        "a refused contact wrote nothing"
    );
    let (_, hold) = send(&client, &app, Method::GET, "/api/hold/", None, None).await;
    assert!(hold["claim_code"].is_null(), "{hold}");
    assert_eq!(hold["passengers"], json!([]), "nobody before contact");
}
