//! The OpenAPI document: served, complete, and true — real responses of a
//! running server validate against the schemas it documents for them.

#![cfg(feature = "ssr")]

mod common;

use std::collections::BTreeSet;

use common::*;
use kursi::domain::BusType;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn document(app: &TestApp) -> Value {
    let resp = reqwest::get(app.url("/api/openapi.json")).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    resp.json().await.unwrap()
}

/// Checks `body` against the schema the document gives for this response.
fn assert_documented(doc: &Value, method: &str, path: &str, status: StatusCode, body: &Value) {
    let op = &doc["paths"][path][method];
    assert!(op.is_object(), "{method} {path} is not documented");
    let response = &op["responses"][status.as_str()];
    assert!(
        response.is_object(),
        "{method} {path}: status {status} is not documented"
    );
    let schema = &response["content"]["application/json"]["schema"];
    assert!(
        schema.is_object(),
        "{method} {path} {status}: no JSON schema"
    );
    let mut root = schema.clone();
    root["components"] = doc["components"].clone();
    let validator = jsonschema::draft202012::new(&root).expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(body)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{method} {path} {status}: the body does not match the document: {errors:?}\n{body}"
    );
}

#[tokio::test]
async fn the_document_is_openapi_3_and_covers_every_route() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths: BTreeSet<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let expected: BTreeSet<&str> = [
        // SPEC §2
        "/api/trips/",
        "/api/trips/{id}/seats/",
        "/api/seats/hold/",
        "/api/seats/release/",
        "/api/hold/",
        "/api/hold/extend/",
        "/api/hold/attach-contact/",
        "/api/hold/claim/",
        "/api/admin/holds/",
        "/api/admin/generate-booking-code/",
        "/api/bookings/{booking_code}/",
        // Live updates and the admin page's other actions.
        "/api/trips/{id}/events/",
        "/api/admin/login/",
        "/api/admin/logout/",
        "/api/admin/me/",
        "/api/admin/holds/extend/",
        "/api/admin/holds/release/",
        "/api/admin/holds/{claim_code}/audit/",
        "/api/admin/bookings/cancel/",
        "/api/admin/trips/",
        "/api/admin/trips/{id}/",
        "/api/admin/trips/{id}/manifest/",
        "/api/admin/trips/{id}/manifest.csv",
        "/api/admin/trips/{id}/audit/",
        // Getting paid.
        "/api/admin/statement/match/",
        "/api/payment-accounts/",
        "/api/admin/payment-accounts/",
        "/api/admin/payment-accounts/{id}/retire/",
        "/api/admin/webhooks/",
        "/api/admin/webhooks/{id}/retire/",
        "/api/admin/webhook-deliveries/{id}/resend/",
        "/api/hold/receipts/",
        "/api/admin/holds/{claim_code}/receipts/",
        "/api/admin/receipts/{id}/",
        "/api/payment-qris/",
        "/api/admin/payment-qris/",
        "/api/admin/payment-qris/retire/",
        // The operator's day.
        "/api/admin/schedules/",
        "/api/admin/schedules/{id}/",
        "/api/admin/schedules/{id}/dates/",
        "/api/admin/schedules/{id}/stop/",
        "/api/admin/reports/",
        "/api/admin/reports/days.csv",
        "/api/admin/reports/routes.csv",
        "/api/admin/reports/occupancy.csv",
        // Boarding at the bus door.
        "/api/crew/trips/",
        "/api/crew/trips/{id}/passengers/",
        "/api/crew/trips/{id}/board/",
    ]
    .into_iter()
    .collect();
    assert_eq!(paths, expected);

    // Every documented operation answers (no path in the document 404s as
    // an unknown route), and every error it documents uses the Error schema.
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for (status, resp) in op["responses"].as_object().unwrap() {
                if status.starts_with('4') || status.starts_with('5') {
                    assert_eq!(
                        resp["content"]["application/json"]["schema"]["$ref"],
                        "#/components/schemas/Error",
                        "{method} {path} {status}"
                    );
                }
            }
            if path.contains("/admin/") && !path.ends_with("login/") && !path.ends_with("logout/") {
                assert_eq!(
                    op["security"],
                    json!([{"admin_key": []}, {"staff_session": []}]),
                    "{method} {path}"
                );
            }
        }
    }
    let codes = doc["components"]["schemas"]["Error"]["properties"]["code"]["enum"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(codes, kursi::domain::AppError::CODES.len());
    assert!(doc["components"]["securitySchemes"]["admin_key"].is_object());
}

#[tokio::test]
async fn real_responses_match_the_document() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    let trip = app.trip(BusType::Sleeper).await;
    let passenger = app.client();
    let other = app.client();
    let staff = app.staff_client().await;

    let mut checks: Vec<(&str, String, &str, Option<Value>, &reqwest::Client)> = vec![
        ("get", "/api/trips/".into(), "/api/trips/", None, &passenger),
        (
            "get",
            "/api/trips/?date=31-12-2026".into(),
            "/api/trips/",
            None,
            &passenger,
        ),
        (
            "get",
            format!("/api/trips/{trip}/seats/"),
            "/api/trips/{id}/seats/",
            None,
            &passenger,
        ),
        (
            "get",
            "/api/trips/77/seats/".into(),
            "/api/trips/{id}/seats/",
            None,
            &passenger,
        ),
        ("get", "/api/hold/".into(), "/api/hold/", None, &passenger),
        (
            "post",
            "/api/seats/hold/".into(),
            "/api/seats/hold/",
            Some(json!({"trip_id": trip, "seats": ["1A", "7B"]})),
            &passenger,
        ),
        (
            "post",
            "/api/seats/hold/".into(),
            "/api/seats/hold/",
            Some(json!({"trip_id": trip, "seats": ["1A"]})),
            &other,
        ),
        (
            "post",
            "/api/seats/hold/".into(),
            "/api/seats/hold/",
            Some(json!({"trip_id": trip, "seats": ["1A", "1B", "2A", "2B", "3A"]})),
            &other,
        ),
        (
            "get",
            format!("/api/trips/{trip}/seats/"),
            "/api/trips/{id}/seats/",
            None,
            &passenger,
        ),
        (
            "post",
            "/api/hold/attach-contact/".into(),
            "/api/hold/attach-contact/",
            Some(json!({"name": "Siti", "whatsapp": "0812 9876 5432"})),
            &passenger,
        ),
        ("get", "/api/hold/".into(), "/api/hold/", None, &passenger),
        (
            "get",
            "/api/hold/receipts/".into(),
            "/api/hold/receipts/",
            None,
            &passenger,
        ),
        (
            "post",
            "/api/hold/receipts/".into(),
            "/api/hold/receipts/",
            Some(json!({"not": "a receipt"})),
            &passenger,
        ),
        (
            "get",
            "/api/admin/holds/0000-0000/receipts/".into(),
            "/api/admin/holds/{claim_code}/receipts/",
            None,
            &staff,
        ),
        (
            "get",
            "/api/admin/receipts/424242/".into(),
            "/api/admin/receipts/{id}/",
            None,
            &staff,
        ),
        (
            "post",
            "/api/hold/extend/".into(),
            "/api/hold/extend/",
            Some(json!({})),
            &passenger,
        ),
        (
            "post",
            "/api/seats/release/".into(),
            "/api/seats/release/",
            Some(json!({"seats": ["7B"]})),
            &passenger,
        ),
        (
            "post",
            "/api/hold/claim/".into(),
            "/api/hold/claim/",
            Some(json!({"claim_code": "0000-0000"})),
            &other,
        ),
        (
            "get",
            "/api/admin/holds/".into(),
            "/api/admin/holds/",
            None,
            &staff,
        ),
        (
            "get",
            "/api/admin/holds/".into(),
            "/api/admin/holds/",
            None,
            &other,
        ),
        (
            "get",
            "/api/admin/trips/".into(),
            "/api/admin/trips/",
            None,
            &staff,
        ),
        (
            "post",
            "/api/admin/statement/match/".into(),
            "/api/admin/statement/match/",
            Some(
                json!({"csv": "Tanggal;Keterangan;Debet;Kredit\n01/12/2026;TRF;;150.417,00\n02/12/2026;PEND;1.000,00;\n"}),
            ),
            &staff,
        ),
        (
            "post",
            "/api/admin/statement/match/".into(),
            "/api/admin/statement/match/",
            Some(json!({"csv": "x,y\n01/12/2026,5\n"})),
            &staff,
        ),
        (
            "post",
            "/api/admin/statement/match/".into(),
            "/api/admin/statement/match/",
            Some(json!({"csv": ""})),
            &staff,
        ),
        (
            "get",
            "/api/admin/me/".into(),
            "/api/admin/me/",
            None,
            &staff,
        ),
        (
            "post",
            "/api/admin/payment-accounts/".into(),
            "/api/admin/payment-accounts/",
            Some(json!({"bank": "BCA", "number": "123 456 7890", "holder": "PO Kursi"})),
            &staff,
        ),
        (
            "post",
            "/api/admin/payment-accounts/".into(),
            "/api/admin/payment-accounts/",
            Some(json!({"bank": "BCA", "number": "rekening", "holder": "PO Kursi"})),
            &staff,
        ),
        (
            "get",
            "/api/payment-accounts/".into(),
            "/api/payment-accounts/",
            None,
            &other,
        ),
        (
            "post",
            "/api/admin/payment-accounts/424242/retire/".into(),
            "/api/admin/payment-accounts/{id}/retire/",
            None,
            &staff,
        ),
        (
            "get",
            format!("/api/admin/trips/{trip}/manifest/"),
            "/api/admin/trips/{id}/manifest/",
            None,
            &staff,
        ),
        (
            "patch",
            format!("/api/admin/trips/{trip}/"),
            "/api/admin/trips/{id}/",
            Some(json!({"price": 300000})),
            &staff,
        ),
        (
            "patch",
            format!("/api/admin/trips/{trip}/"),
            "/api/admin/trips/{id}/",
            Some(json!({"bus_type": "ECONOMY"})),
            &staff,
        ),
        (
            "get",
            format!("/api/admin/trips/{trip}/audit/"),
            "/api/admin/trips/{id}/audit/",
            None,
            &staff,
        ),
        (
            "post",
            "/api/admin/login/".into(),
            "/api/admin/login/",
            Some(json!({"username": "admin", "password": "nope-nope"})),
            &other,
        ),
    ];
    let mut statuses = BTreeSet::new();
    for (method, url, path, body, client) in checks.drain(..) {
        let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let (status, value) = send(client, &app, m, &url, body, None).await;
        assert!(status.as_u16() < 500, "{method} {url}: {status}");
        assert_documented(&doc, method, path, status, &value);
        statuses.insert(status.as_u16());
    }

    // The claim code from the hold, then booking, the ticket and the trail.
    let (_, hold) = send(&passenger, &app, Method::GET, "/api/hold/", None, None).await;
    let claim = hold["claim_code"].as_str().unwrap().to_string();
    let (status, booking) = send(
        &staff,
        &app,
        Method::POST,
        "/api/admin/generate-booking-code/",
        Some(json!({"claim_code": claim})),
        None,
    )
    .await;
    assert_documented(
        &doc,
        "post",
        "/api/admin/generate-booking-code/",
        status,
        &booking,
    );
    let code = booking["booking_code"].as_str().unwrap();
    for wa in ["081298765432", "0800000000"] {
        let (status, value) = send(
            &other,
            &app,
            Method::GET,
            &format!("/api/bookings/{code}/?whatsapp={wa}"),
            None,
            None,
        )
        .await;
        assert_documented(&doc, "get", "/api/bookings/{booking_code}/", status, &value);
        statuses.insert(status.as_u16());
    }
    let (status, trail) = send(
        &staff,
        &app,
        Method::GET,
        &format!("/api/admin/holds/{claim}/audit/"),
        None,
        None,
    )
    .await;
    assert_documented(
        &doc,
        "get",
        "/api/admin/holds/{claim_code}/audit/",
        status,
        &trail,
    );
    let (status, cancelled) = send(
        &staff,
        &app,
        Method::POST,
        "/api/admin/bookings/cancel/",
        Some(json!({"booking_code": code})),
        None,
    )
    .await;
    assert_documented(
        &doc,
        "post",
        "/api/admin/bookings/cancel/",
        status,
        &cancelled,
    );
    assert_eq!(cancelled["status"], "CANCELLED");

    // The checks covered successes and every kind of client error.
    for s in [200, 400, 401, 404, 409] {
        assert!(
            statuses.contains(&s),
            "no response with status {s} was checked"
        );
    }
}
