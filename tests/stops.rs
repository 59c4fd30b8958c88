//! Boarding and drop-off points over real HTTP: an admin gives a trip (or a
//! schedule, and so its trips) ordered stops; the search matches stops in
//! order, not only the route's ends; a passenger chooses where to get on
//! and off at the contact step (the first and last stop when not chosen);
//! the hold, the booking, the manifest (by seat or by boarding point) and
//! its CSV carry the points, which later edits of the stops never change.
//! Bad stops and bad choices are 400 `invalid_request`. On SQLite, and on
//! PostgreSQL with `KURSI_TEST_DB=postgres`.

#![cfg(feature = "ssr")]

mod common;

use chrono::{DateTime, Duration, Utc};
use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Jakarta → Yogyakarta with three stops, departing in a week (rounded to
/// the minute); its id and departure.
async fn trip_with_stops(app: &TestApp) -> (i64, DateTime<Utc>) {
    let depart = app.state.clock.now() + Duration::days(7);
    let depart = DateTime::from_timestamp(depart.timestamp() / 60 * 60, 0).unwrap();
    let (status, trip) = send(
        &app.client(),
        app,
        Method::POST,
        "/api/admin/trips/",
        Some(json!({
            "route_from": "Jakarta", "route_to": "Yogyakarta", "depart_at": depart,
            "price": 320000, "bus_type": "EXECUTIVE", "admin_wa": "081200001111",
            "stops": [
                {"place": "Terminal Kampung Rambutan", "minutes": 0},
                {"place": "  Agen   Cileunyi ", "minutes": 135},
                {"place": "Terminal Giwangan", "minutes": 630},
            ],
        })),
        Some(ADMIN_KEY),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{trip}");
    assert_eq!(
        trip["stops"],
        json!([
            {"place": "Terminal Kampung Rambutan", "minutes": 0},
            {"place": "Agen Cileunyi", "minutes": 135},
            {"place": "Terminal Giwangan", "minutes": 630},
        ]),
        "places are tidied"
    );
    (trip["id"].as_i64().unwrap(), depart)
}

/// The ids of the listed trips matching `query`.
async fn found(app: &TestApp, query: &str) -> Vec<i64> {
    let (status, list) = send(
        &app.client(),
        app,
        Method::GET,
        &format!("/api/trips/?{query}"),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list.as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect()
}

/// A passenger holding `seats` on `trip` who attaches contact with `extra`
/// fields (board, alight); the client and the answer.
async fn contact(
    app: &TestApp,
    trip: i64,
    seats: &[&str],
    extra: Value,
) -> (reqwest::Client, StatusCode, Value) {
    // Each hold its own number: one number may have only two live holds.
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let client = app.holding(trip, seats).await;
    let mut body = json!({"name": "Budi Santoso", "whatsapp": format!("0812345{n:05}")});
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    let (status, hold) = send(
        &client,
        app,
        Method::POST,
        "/api/hold/attach-contact/",
        Some(body),
        None,
    )
    .await;
    (client, status, hold)
}

fn at(v: &Value) -> DateTime<Utc> {
    v.as_str().unwrap().parse().unwrap()
}

fn refused(status: StatusCode, body: &Value, words: &str) {
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["code"], "invalid_request", "{body}");
    let message = body["message"].as_str().unwrap();
    assert!(message.contains(words), "{message:?} should say {words:?}");
}

#[tokio::test]
async fn the_search_matches_stops_in_order_and_the_route_ends() {
    log_warnings();
    let app = spawn_app().await;
    let (id, _) = trip_with_stops(&app).await;
    let plain = app.trip(kursi::domain::BusType::Economy).await; // Jakarta → Bandung
    assert!(found(&app, "from=cileunyi&to=giwangan").await.contains(&id));
    assert!(found(&app, "from=CILEUNYI").await.contains(&id));
    assert!(found(&app, "from=jakarta&to=yogya").await.contains(&id));
    assert!(found(&app, "from=rambutan&to=cileunyi").await.contains(&id));
    assert!(found(&app, "to=cileunyi").await.contains(&id));
    assert!(
        !found(&app, "from=giwangan&to=cileunyi").await.contains(&id),
        "backwards"
    );
    assert!(
        !found(&app, "from=giwangan").await.contains(&id),
        "nobody boards at the end"
    );
    assert!(
        !found(&app, "to=rambutan").await.contains(&id),
        "nobody gets off at the start"
    );
    // A trip without stops matches its ends as before.
    let jakarta_bandung = found(&app, "from=jakarta&to=bandung").await;
    assert!(jakarta_bandung.contains(&plain) && !jakarta_bandung.contains(&id));
    assert!(found(&app, "from=bandung").await.is_empty());
    // Its stops change: the search follows at once.
    let (status, edited) = send(
        &app.client(),
        &app,
        Method::PATCH,
        &format!("/api/admin/trips/{id}/"),
        Some(json!({"stops": [
            {"place": "Terminal Kampung Rambutan", "minutes": 0},
            {"place": "Agen Cirebon", "minutes": 240},
            {"place": "Terminal Giwangan", "minutes": 630},
        ]})),
        Some(ADMIN_KEY),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert!(found(&app, "from=cirebon").await.contains(&id));
    assert!(!found(&app, "from=cileunyi").await.contains(&id));
}

#[tokio::test]
async fn bad_stops_are_refused_with_the_reason() {
    log_warnings();
    let app = spawn_app().await;
    let (id, depart) = trip_with_stops(&app).await;
    let mut trip = json!({
        "route_from": "Jakarta", "route_to": "Solo", "depart_at": depart,
        "price": 200000, "bus_type": "ECONOMY", "admin_wa": "081200001111",
    });
    for (stops, words) in [
        (json!([{"place": "A", "minutes": 0}]), "2 to 20"),
        (
            json!([{"place": "A", "minutes": 5}, {"place": "B", "minutes": 60}]),
            "minutes must be 0",
        ),
        (
            json!([{"place": "A", "minutes": 0}, {"place": "B", "minutes": 60}, {"place": "C", "minutes": 30}]),
            "in order",
        ),
        (
            json!([{"place": "Agen", "minutes": 0}, {"place": " agen ", "minutes": 60}]),
            "twice",
        ),
        (
            json!([{"place": "", "minutes": 0}, {"place": "B", "minutes": 60}]),
            "1 to 60",
        ),
        (
            json!([{"place": "A", "minutes": 0}, {"place": "B", "minutes": 4000}]),
            "48 hours",
        ),
    ] {
        trip["stops"] = stops;
        let (status, body) = send(
            &app.client(),
            &app,
            Method::POST,
            "/api/admin/trips/",
            Some(trip.clone()),
            Some(ADMIN_KEY),
        )
        .await;
        refused(status, &body, words);
        let (status, body) = send(
            &app.client(),
            &app,
            Method::PATCH,
            &format!("/api/admin/trips/{id}/"),
            Some(json!({"stops": trip["stops"]})),
            Some(ADMIN_KEY),
        )
        .await;
        refused(status, &body, words);
    }
    // A minute that is not a whole number is a malformed body.
    trip["stops"] = json!([{"place": "A", "minutes": -1}, {"place": "B", "minutes": 60}]);
    let (status, body) = send(
        &app.client(),
        &app,
        Method::POST,
        "/api/admin/trips/",
        Some(trip),
        Some(ADMIN_KEY),
    )
    .await;
    assert_eq!(
        (status, &body["code"]),
        (StatusCode::BAD_REQUEST, &json!("invalid_request"))
    );
    // Nothing was changed by the refusals.
    let (_, seats) = send(
        &app.client(),
        &app,
        Method::GET,
        &format!("/api/trips/{id}/seats/"),
        None,
        None,
    )
    .await;
    assert_eq!(seats["trip"]["stops"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn a_passenger_chooses_where_to_get_on_and_off() {
    log_warnings();
    let app = spawn_app().await;
    let (trip, depart) = trip_with_stops(&app).await;

    // Chosen: Cileunyi to the end (the end by default).
    let (_, status, hold) =
        contact(&app, trip, &["1A", "1B"], json!({"board": "agen cileunyi"})).await;
    assert_eq!(status, StatusCode::OK, "{hold}");
    assert_eq!(hold["board"]["place"], "Agen Cileunyi");
    assert_eq!(at(&hold["board"]["at"]), depart + Duration::minutes(135));
    assert_eq!(hold["alight"]["place"], "Terminal Giwangan");
    assert_eq!(at(&hold["alight"]["at"]), depart + Duration::minutes(630));
    let message = urlencoding::decode(hold["whatsapp_url"].as_str().unwrap())
        .unwrap()
        .into_owned();
    assert!(message.contains("Naik: Agen Cileunyi"), "{message}");
    assert!(message.contains("Turun: Terminal Giwangan"), "{message}");

    // Not chosen: the first and the last stop.
    let (_, status, second) = contact(&app, trip, &["2A"], json!({})).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_eq!(second["board"]["place"], "Terminal Kampung Rambutan");
    assert_eq!(second["alight"]["place"], "Terminal Giwangan");

    // Refused, and the seats stay held without contact.
    for (extra, words) in [
        (
            json!({"board": "Terminal Giwangan"}),
            "after the boarding stop",
        ),
        (
            json!({"board": "Agen Cileunyi", "alight": "Terminal Kampung Rambutan"}),
            "after the boarding stop",
        ),
        (json!({"board": "Bekasi"}), "does not stop at"),
        (json!({"alight": "Bekasi"}), "does not stop at"),
    ] {
        let (client, status, body) = contact(&app, trip, &["3A"], extra).await;
        refused(status, &body, words);
        let (_, hold) = send(&client, &app, Method::GET, "/api/hold/", None, None).await;
        assert_eq!(hold["claim_code"], Value::Null, "{hold}");
        send(
            &client,
            &app,
            Method::POST,
            "/api/seats/release/",
            Some(json!({})),
            None,
        )
        .await;
    }
    // A trip without stops has nothing to choose.
    let plain = app.trip(kursi::domain::BusType::Economy).await;
    let (_, status, body) = contact(&app, plain, &["1A"], json!({"board": "Jakarta"})).await;
    refused(status, &body, "no stops");
    let (_, status, none) = contact(&app, plain, &["2A"], json!({})).await;
    assert_eq!(status, StatusCode::OK, "{none}");
    assert_eq!(
        (&none["board"], &none["alight"]),
        (&Value::Null, &Value::Null)
    );

    // Booked: the booking and the ticket carry the points.
    let (status, booking) = send(
        &app.client(),
        &app,
        Method::POST,
        "/api/admin/generate-booking-code/",
        Some(json!({"claim_code": hold["claim_code"]})),
        Some(ADMIN_KEY),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{booking}");
    assert_eq!(booking["board"]["place"], "Agen Cileunyi");
    let code = booking["booking_code"].as_str().unwrap();
    let (status, ticket) = send(
        &app.client(),
        &app,
        Method::GET,
        &format!(
            "/api/bookings/{code}/?whatsapp={}",
            booking["whatsapp"].as_str().unwrap()
        ),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{ticket}");
    assert_eq!(ticket["board"], booking["board"]);
    assert_eq!(ticket["alight"], booking["alight"]);

    // The manifest by seat, and by boarding point.
    let manifest = |order: &'static str| {
        let app = &app;
        async move {
            let (status, m) = send(
                &app.client(),
                app,
                Method::GET,
                &format!("/api/admin/trips/{trip}/manifest/?order={order}"),
                None,
                Some(ADMIN_KEY),
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{m}");
            m["passengers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    format!(
                        "{} {}",
                        p["seat"].as_str().unwrap(),
                        p["board"]["place"].as_str().unwrap()
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        manifest("seat").await,
        [
            "1A Agen Cileunyi",
            "1B Agen Cileunyi",
            "2A Terminal Kampung Rambutan"
        ]
    );
    assert_eq!(
        manifest("stop").await,
        [
            "2A Terminal Kampung Rambutan",
            "1A Agen Cileunyi",
            "1B Agen Cileunyi"
        ]
    );
    let (status, body) = send(
        &app.client(),
        &app,
        Method::GET,
        &format!("/api/admin/trips/{trip}/manifest/?order=random"),
        None,
        Some(ADMIN_KEY),
    )
    .await;
    assert_eq!(
        (status, &body["code"]),
        (StatusCode::BAD_REQUEST, &json!("invalid_request"))
    );
    let csv = app
        .client()
        .get(app.url(&format!("/api/admin/trips/{trip}/manifest.csv?order=stop")))
        .header("x-admin-key", ADMIN_KEY)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert!(
        lines[0].ends_with(",boarded_at,board,board_at,alight,alight_at"),
        "{}",
        lines[0]
    );
    let board_at = (depart + Duration::minutes(135)).to_rfc3339();
    assert!(lines[1].starts_with("2A,"), "{csv}");
    assert!(
        lines[2].starts_with("1A,")
            && lines[2].contains(&format!(",Agen Cileunyi,{board_at},Terminal Giwangan,")),
        "{csv}"
    );

    // The stops change and the bus leaves an hour later: the booking keeps
    // its points, at times an hour later.
    let (status, edited) = send(
        &app.client(),
        &app,
        Method::PATCH,
        &format!("/api/admin/trips/{trip}/"),
        Some(json!({
            "depart_at": depart + Duration::hours(1),
            "stops": [{"place": "Pool Cawang", "minutes": 0}, {"place": "Solo", "minutes": 600}],
        })),
        Some(ADMIN_KEY),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    let (_, ticket) = send(
        &app.client(),
        &app,
        Method::GET,
        &format!(
            "/api/bookings/{code}/?whatsapp={}",
            booking["whatsapp"].as_str().unwrap()
        ),
        None,
        None,
    )
    .await;
    assert_eq!(ticket["board"]["place"], "Agen Cileunyi");
    assert_eq!(at(&ticket["board"]["at"]), depart + Duration::minutes(195));
    assert_eq!(ticket["alight"]["place"], "Terminal Giwangan");
}

#[tokio::test]
async fn a_schedule_gives_its_trips_its_stops() {
    log_warnings();
    let app = spawn_app().await;
    let tomorrow = (app.state.clock.now() + Duration::days(1)).date_naive();
    let stops = json!([
        {"place": "Pool Kuningan", "minutes": 0},
        {"place": "Agen Cileunyi", "minutes": 150},
        {"place": "Terminal Leuwipanjang", "minutes": 200},
    ]);
    let (status, made) = send(
        &app.client(),
        &app,
        Method::POST,
        "/api/admin/schedules/",
        Some(json!({
            "route_from": "Jakarta", "route_to": "Bandung", "depart_time": "19:00",
            "days": "daily", "bus_type": "ECONOMY", "price": 150000,
            "admin_wa": "081200001111", "valid_from": tomorrow, "stops": stops,
        })),
        Some(ADMIN_KEY),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    assert_eq!(made["schedule"]["stops"], stops);
    assert!(made["trips_made"].as_u64().unwrap() > 0, "{made}");
    let (_, list) = send(
        &app.client(),
        &app,
        Method::GET,
        "/api/trips/?from=cileunyi&to=leuwipanjang",
        None,
        None,
    )
    .await;
    let list = list.as_array().unwrap();
    assert_eq!(list.len() as u64, made["trips_made"].as_u64().unwrap());
    assert!(list.iter().all(|t| t["stops"] == stops), "{list:?}");

    // Editing the schedule's stops carries them to its unsold trips.
    let id = made["schedule"]["id"].as_i64().unwrap();
    let (status, edited) = send(
        &app.client(),
        &app,
        Method::PUT,
        &format!("/api/admin/schedules/{id}/"),
        Some(json!({
            "route_from": "Jakarta", "route_to": "Bandung", "depart_time": "19:00",
            "days": "daily", "bus_type": "ECONOMY", "price": 150000,
            "admin_wa": "081200001111", "valid_from": tomorrow,
            "stops": [{"place": "Pool Kuningan", "minutes": 0}, {"place": "Agen Pasteur", "minutes": 180}],
        })),
        Some(ADMIN_KEY),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert!(edited["trips_changed"].as_u64().unwrap() > 0, "{edited}");
    assert!(found(&app, "from=cileunyi").await.is_empty());
    assert_eq!(found(&app, "to=pasteur").await.len(), list.len());
    // Bad stops on a schedule are refused like a trip's.
    let (status, body) = send(
        &app.client(),
        &app,
        Method::POST,
        "/api/admin/schedules/",
        Some(json!({
            "route_from": "Jakarta", "route_to": "Bandung", "depart_time": "07:00",
            "days": "daily", "bus_type": "ECONOMY", "price": 150000,
            "admin_wa": "081200001111", "valid_from": tomorrow,
            "stops": [{"place": "Pool", "minutes": 10}, {"place": "Bandung", "minutes": 180}],
        })),
        Some(ADMIN_KEY),
    )
    .await;
    refused(status, &body, "minutes must be 0");
}
