//! Reports: sales per local day and per route, what became of the holds
//! opened in a range, and how full the coming trips are, from real holds
//! and bookings made at known times; and the admin API for them (JSON,
//! three CSV files, admins only, bad ranges refused). On SQLite, and on
//! PostgreSQL with `KURSI_TEST_DB=postgres`.

#![cfg(feature = "ssr")]

mod common;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use common::*;
use kursi::domain::report::DateRange;
use kursi::domain::{BusType, ClaimCode};
use kursi::services::{NewTripInput, Service};
use reqwest::{Method, StatusCode};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

async fn trip_from(service: &Service, from: &str, price: i64) -> i64 {
    let input = NewTripInput {
        route_from: from.into(),
        route_to: "Bandung".into(),
        depart_at: t0() + Duration::days(7),
        price,
        bus_type: BusType::Executive,
        admin_wa: "081200001111".into(),
        stops: Vec::new(),
    };
    service
        .create_trip(&admin(), &input, t0() - Duration::days(2))
        .await
        .unwrap()
        .id
}

/// Holds `codes` at `at`; with `phone`, leaves contact too. Returns the
/// session and claim code (if any) and the amount to transfer.
async fn hold(
    service: &Service,
    trip: i64,
    codes: &[&str],
    phone: Option<&str>,
    at: DateTime<Utc>,
) -> (kursi::services::SessionKey, Option<ClaimCode>, i64) {
    let me = session();
    let mut h = service.hold(&me, trip, &seats(codes), at).await.unwrap();
    if let Some(phone) = phone {
        h = service
            .attach_contact(&me, &name("Budi"), &wa(phone), at)
            .await
            .unwrap();
    }
    (me, h.claim_code, h.amount_due)
}

#[tokio::test]
async fn a_report_counts_sales_by_local_day_and_route_and_holds_by_outcome() {
    let t = fresh().await;
    let s = &t.service;
    let jakarta = trip_from(s, "Jakarta", 150_000).await;
    let bogor = trip_from(s, "Bogor", 90_000).await;

    // Before the range (30 Nov, 08:00 WIB): booked, counted nowhere.
    let (_, c, _) = hold(
        s,
        jakarta,
        &["6A"],
        Some("081200000008"),
        t0() - Duration::days(1),
    )
    .await;
    s.book(&admin(), &c.unwrap(), t0() - Duration::days(1))
        .await
        .unwrap();

    // 1 Dec 08:00 WIB (t0): two seats, paid a minute later.
    let (_, c1, amount1) = hold(s, jakarta, &["1A", "1B"], Some("081200000001"), t0()).await;
    assert!(amount1 > 300_000 && amount1 < 301_000, "{amount1}");
    s.book(&admin(), &c1.unwrap(), t0() + mins(1))
        .await
        .unwrap();
    // Contact left, never paid: time runs out.
    let (_, c3, _) = hold(s, jakarta, &["3A"], Some("081200000003"), t0()).await;
    assert!(c3.is_some());
    // Never got as far as contact.
    hold(s, jakarta, &["4A"], None, t0()).await;
    // Released by the passenger.
    let (me5, ..) = hold(s, jakarta, &["5A"], None, t0()).await;
    s.release(&me5, None, t0() + mins(2)).await.unwrap();
    // Booked, then cancelled: a conversion, but no revenue.
    let (_, c7, _) = hold(s, jakarta, &["7A"], Some("081200000007"), t0()).await;
    let booking = s
        .book(&admin(), &c7.unwrap(), t0() + mins(3))
        .await
        .unwrap();
    s.cancel_booking(&admin(), &booking.booking_code, t0() + mins(4))
        .await
        .unwrap();

    // 21:30 UTC on 1 Dec is 04:30 WIB on 2 Dec: the second day.
    let late = t0() + Duration::hours(20) + mins(30);
    let (_, c2, amount2) = hold(s, jakarta, &["2A"], Some("081200000002"), late).await;
    s.book(&admin(), &c2.unwrap(), late).await.unwrap();
    let (_, c6, amount6) = hold(s, bogor, &["1A"], Some("081200000006"), late).await;
    s.book(&admin(), &c6.unwrap(), late + mins(1))
        .await
        .unwrap();
    // Held now (3 Dec, 08:00 WIB), not paid yet: live, and held on the map.
    let now = t0() + Duration::days(2);
    let (_, c9, _) = hold(s, bogor, &["2A", "2B"], Some("081200000009"), now).await;
    assert!(c9.is_some());

    let range = DateRange::parse(Some("2026-12-01"), Some("2026-12-03"), d("2026-12-03")).unwrap();
    let r = s.report(range, 7, now).await.unwrap();

    let days: Vec<_> = r
        .days
        .iter()
        .map(|x| (x.date, x.bookings, x.seats, x.revenue))
        .collect();
    assert_eq!(
        days,
        vec![
            (d("2026-12-01"), 1, 2, amount1),
            (d("2026-12-02"), 2, 2, amount2 + amount6),
            (d("2026-12-03"), 0, 0, 0),
        ]
    );
    assert_eq!(r.revenue(), amount1 + amount2 + amount6);

    let routes: Vec<_> = r
        .routes
        .iter()
        .map(|x| (x.route_from.as_str(), x.bookings, x.seats, x.revenue))
        .collect();
    assert_eq!(
        routes,
        vec![
            ("Jakarta", 2, 3, amount1 + amount2),
            ("Bogor", 1, 1, amount6)
        ]
    );

    let c = r.conversion;
    assert_eq!(c.holds, 8, "{c:?}");
    assert_eq!(c.with_contact, 6, "{c:?}");
    assert_eq!(
        (c.booked, c.expired_unpaid, c.abandoned, c.released, c.live),
        (4, 1, 1, 1, 1),
        "{c:?}"
    );
    assert_eq!(c.booked_percent(), Some(67));

    // Both trips leave within a week; 6A was booked before the range and
    // still fills its seat.
    let fill: Vec<_> = r
        .occupancy
        .iter()
        .map(|x| (x.trip_id, x.booked, x.held))
        .collect();
    assert_eq!(fill, vec![(jakarta, 4, 0), (bogor, 1, 2)]);
    assert!(r.occupancy.iter().all(|x| x.seats_total > 20));

    // A look ahead that ends before they leave shows none of them.
    let r = s.report(range, 3, now).await.unwrap();
    assert!(r.occupancy.is_empty());
}

#[tokio::test]
async fn the_report_api_answers_admins_in_json_and_csv() {
    let app = spawn_app().await;
    let trip = app.trip(BusType::Executive).await;
    let (_, claim) = app
        .passenger_with_hold(trip, &["1A", "1B"], "081234567890")
        .await;
    let staff = app.staff_client().await;
    let (status, booking) = send(
        &app.client(),
        &app,
        Method::POST,
        "/api/admin/generate-booking-code/",
        Some(serde_json::json!({"claim_code": claim})),
        Some(ADMIN_KEY),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{booking}");
    let paid = booking["amount"].as_i64().unwrap();

    // Nobody else.
    let (status, body) = send(
        &app.client(),
        &app,
        Method::GET,
        "/api/admin/reports/",
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let csv = app
        .client()
        .get(app.url("/api/admin/reports/days.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::UNAUTHORIZED);

    // The default range: the last 14 days to today, today's sale in it.
    let (status, report) = send(
        &staff,
        &app,
        Method::GET,
        "/api/admin/reports/?ahead=8",
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let days = report["days"].as_array().unwrap();
    assert_eq!(days.len(), 14);
    assert_eq!(days[13]["bookings"], 1);
    assert_eq!(days[13]["seats"], 2);
    assert_eq!(days[13]["revenue"], paid);
    assert_eq!(report["routes"][0]["route_from"], "Jakarta");
    assert_eq!(report["conversion"]["booked"], 1);
    assert_eq!(report["occupancy"][0]["trip_id"], trip);
    assert_eq!(report["occupancy"][0]["booked"], 2);
    let to = report["range"]["to"].as_str().unwrap().to_string();

    let text = |path: String| {
        let staff = staff.clone();
        let url = app.url(&path);
        async move {
            let resp = staff.get(url).send().await.unwrap();
            assert_eq!(resp.status(), StatusCode::OK, "{path}");
            assert_eq!(resp.headers()["content-type"], "text/csv; charset=utf-8");
            resp.text().await.unwrap()
        }
    };
    let days_csv = text(format!("/api/admin/reports/days.csv?from={to}&to={to}")).await;
    let lines: Vec<&str> = days_csv.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(
        lines,
        vec![
            "date,bookings,seats,revenue".to_string(),
            format!("{to},1,2,{paid}")
        ]
    );
    let routes_csv = text("/api/admin/reports/routes.csv".into()).await;
    assert!(
        routes_csv.contains(&format!("Jakarta,Bandung,1,2,{paid}")),
        "{routes_csv}"
    );
    let fill_csv = text("/api/admin/reports/occupancy.csv?ahead=31".into()).await;
    assert!(
        fill_csv.contains(&format!("\n{trip},Jakarta,Bandung,")),
        "{fill_csv}"
    );

    for bad in [
        "?from=2026-13-01",
        "?from=2026-12-05&to=2026-12-01",
        "?from=2026-01-01&to=2026-06-01",
        "?ahead=0",
        "?ahead=32",
        "?ahead=lots",
    ] {
        let (status, body) = send(
            &staff,
            &app,
            Method::GET,
            &format!("/api/admin/reports/{bad}"),
            None,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert_eq!(body["code"], "invalid_request", "{bad}: {body}");
    }
}
