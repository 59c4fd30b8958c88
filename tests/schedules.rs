//! Schedules: trips made ahead from a weekly rule, exactly once, in WIB;
//! dates skipped or priced apart, never touching a trip somebody held; and
//! the admin API for them. On SQLite, and on PostgreSQL with
//! `KURSI_TEST_DB=postgres` (where two services stand for two instances
//! making the same trips at once).

#![cfg(feature = "ssr")]

mod common;

use chrono::{Duration, NaiveDate};
use common::*;
use kursi::domain::BusType;
use kursi::services::{DateRule, NewSchedule, Service, TripFilter};
use kursi::storage::Storage;
use reqwest::{Method, StatusCode};
use serde_json::json;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// Jakarta → Bandung at 19:00 WIB on `days`, from t0's date (Tuesday
/// 2026-12-01, 08:00 WIB).
fn input(days: &str) -> NewSchedule {
    NewSchedule {
        route_from: "Jakarta".into(),
        route_to: "Bandung".into(),
        depart_time: "19:00".into(),
        days: days.into(),
        bus_type: BusType::Executive,
        price: 150_000,
        admin_wa: "0812 0000 1111".into(),
        valid_from: d("2026-12-01"),
        valid_until: None,
        stops: Vec::new(),
    }
}

/// The trips listed from Jakarta to Bandung at `now`, as (departure in
/// RFC 3339 UTC, price).
async fn listed(service: &Service, now: chrono::DateTime<chrono::Utc>) -> Vec<(String, i64)> {
    let filter = TripFilter {
        from: Some("Jakarta".into()),
        to: Some("Bandung".into()),
        date: None,
    };
    service
        .list_trips(&filter, now)
        .await
        .unwrap()
        .into_iter()
        .map(|t| (t.depart_at.to_rfc3339(), t.price))
        .collect()
}

#[tokio::test]
async fn a_schedule_makes_its_trips_ahead_once_in_wib() {
    let t = fresh().await;
    let (schedule, made) = t
        .service
        .create_schedule(&admin(), &input("senin, rabu, jumat"), 14, t0())
        .await
        .unwrap();
    assert_eq!(schedule.days.to_string(), "mon,wed,fri");
    assert_eq!(schedule.depart_time, "19:00");
    // Dec 2 (Wed) … Dec 14 (Mon): 2, 4, 7, 9, 11, 14.
    assert_eq!(made, 6);
    let trips = listed(&t.service, t0()).await;
    assert_eq!(trips.len(), 6);
    // 19:00 WIB is 12:00 UTC.
    assert_eq!(trips[0], ("2026-12-02T12:00:00+00:00".to_string(), 150_000));
    assert_eq!(trips[5].0, "2026-12-14T12:00:00+00:00");

    // Again, and a day later: only the day that came into reach is new.
    assert_eq!(t.service.make_scheduled_trips(14, t0()).await.unwrap(), 0);
    assert_eq!(
        t.service
            .make_scheduled_trips(14, t0() + Duration::days(2))
            .await
            .unwrap(),
        1
    );
    assert_eq!(listed(&t.service, t0()).await.len(), 7);

    // Each trip has the bus type's seats, ready to hold.
    let first = t
        .service
        .list_trips(&TripFilter::default(), t0())
        .await
        .unwrap()[0]
        .clone();
    assert_eq!(first.seats_total, 30);
    t.service
        .hold(&session(), first.id, &seats(&["1A"]), t0())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_making_the_same_trips_at_once_make_each_once() {
    let t = fresh().await;
    let (schedule, _) = t
        .service
        .create_schedule(&admin(), &input("daily"), 1, t0())
        .await
        .unwrap();
    // A second service on the same database: on PostgreSQL another
    // instance, with its own write road.
    let other = Service::new(
        Storage::open(&t.db.url()).await.unwrap(),
        Default::default(),
        chrono_tz::Asia::Jakarta,
    );
    let mut tasks = Vec::new();
    for i in 0..8 {
        let s = if i % 2 == 0 {
            t.service.clone()
        } else {
            other.clone()
        };
        tasks.push(tokio::spawn(async move {
            s.make_scheduled_trips(30, t0()).await.unwrap()
        }));
    }
    let mut made = 0;
    for task in tasks {
        made += task.await.unwrap();
    }
    // Dec 1 (today, 19:00 not yet gone) … Dec 31: 31 trips, two made by
    // the create above.
    assert_eq!(made, 29);
    let trips = listed(&t.service, t0()).await;
    assert_eq!(trips.len(), 31);
    let mut departures: Vec<&String> = trips.iter().map(|(at, _)| at).collect();
    departures.dedup();
    assert_eq!(departures.len(), 31, "no date twice");
    assert_eq!(schedule.valid_until, None);
}

#[tokio::test]
async fn skipped_and_peak_dates_change_only_trips_nobody_held() {
    let t = fresh().await;
    let (schedule, _) = t
        .service
        .create_schedule(&admin(), &input("daily"), 6, t0())
        .await
        .unwrap();
    let id = schedule.id;
    let trip_on = |date: &'static str| {
        let service = t.service.clone();
        async move {
            service
                .admin_trips(t0())
                .await
                .unwrap()
                .into_iter()
                .find(|trip| trip.depart_at.to_rfc3339().starts_with(date))
                .unwrap()
        }
    };
    // A passenger holds a seat on Dec 3's trip.
    let held = trip_on("2026-12-03").await;
    t.service
        .hold(&session(), held.id, &seats(&["2A"]), t0())
        .await
        .unwrap();

    let rule = |date, skipped, price| DateRule {
        date: d(date),
        skipped,
        price,
    };
    // Dec 2 skipped: its trip goes off sale. Dec 3 skipped: it stays (held).
    for date in ["2026-12-02", "2026-12-03"] {
        t.service
            .set_schedule_date(&admin(), id, rule(date, true, None), 6, t0())
            .await
            .unwrap();
    }
    // Dec 4 is a peak day.
    let s = t
        .service
        .set_schedule_date(
            &admin(),
            id,
            rule("2026-12-04", false, Some(250_000)),
            6,
            t0(),
        )
        .await
        .unwrap();
    assert_eq!(s.skipped, vec![d("2026-12-02"), d("2026-12-03")]);
    assert_eq!(s.prices.len(), 1);
    let trips = listed(&t.service, t0()).await;
    let on = |date: &str| trips.iter().find(|(at, _)| at.starts_with(date)).cloned();
    assert_eq!(on("2026-12-02"), None);
    assert_eq!(on("2026-12-03").unwrap().1, 150_000);
    assert_eq!(on("2026-12-04").unwrap().1, 250_000);

    // Dec 2 ordinary again: back on sale; a trip made later for a peak
    // date takes the peak price.
    t.service
        .set_schedule_date(&admin(), id, rule("2026-12-02", false, None), 6, t0())
        .await
        .unwrap();
    t.service
        .set_schedule_date(
            &admin(),
            id,
            rule("2026-12-20", false, Some(300_000)),
            6,
            t0(),
        )
        .await
        .unwrap();
    t.service.make_scheduled_trips(30, t0()).await.unwrap();
    let trips = listed(&t.service, t0()).await;
    let on = |date: &str| trips.iter().find(|(at, _)| at.starts_with(date)).cloned();
    assert_eq!(on("2026-12-02").unwrap().1, 150_000);
    assert_eq!(on("2026-12-20").unwrap().1, 300_000);

    // A skipped date has no price; a date of no schedule is not found.
    assert!(
        t.service
            .set_schedule_date(&admin(), id, rule("2026-12-05", true, Some(1)), 6, t0())
            .await
            .is_err()
    );
    assert!(
        t.service
            .set_schedule_date(&admin(), id + 99, rule("2026-12-05", true, None), 6, t0())
            .await
            .is_err()
    );

    // Stopped: no more trips; those made stay.
    let before = listed(&t.service, t0()).await.len();
    t.service.stop_schedule(id, t0()).await.unwrap();
    assert_eq!(
        t.service
            .make_scheduled_trips(60, t0() + Duration::days(20))
            .await
            .unwrap(),
        0
    );
    assert_eq!(listed(&t.service, t0()).await.len(), before);
    assert!(t.service.stop_schedule(id, t0()).await.is_err());
}

#[tokio::test]
async fn admins_manage_schedules_through_the_api() {
    let app = spawn_app().await;
    let today = app
        .state
        .clock
        .now()
        .with_timezone(&chrono_tz::Asia::Jakarta)
        .date_naive();
    let key = Some(ADMIN_KEY);
    let client = app.client();
    let body = |time: &str, days: &str| {
        json!({
            "route_from": "Surabaya", "route_to": "Malang", "depart_time": time,
            "days": days, "bus_type": "ECONOMY", "price": 90000,
            "admin_wa": "081211112222", "valid_from": today.to_string(),
        })
    };
    for (time, days) in [("25:00", "daily"), ("19:00", "someday"), ("19:00", "")] {
        let (status, err) = send(
            &client,
            &app,
            Method::POST,
            "/api/admin/schedules/",
            Some(body(time, days)),
            key,
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{time} {days}: {err}");
        assert_eq!(err["code"], "invalid_request");
    }
    let (status, created) = send(
        &client,
        &app,
        Method::POST,
        "/api/admin/schedules/",
        Some(body("7.30", "daily")),
        key,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["schedule"]["depart_time"], "07:30");
    assert_eq!(created["schedule"]["days"], "mon,tue,wed,thu,fri,sat,sun");
    // The default 30 days ahead (today's 07:30 may have gone already).
    let made = created["trips_made"].as_u64().unwrap();
    assert!((30..=31).contains(&made), "{made}");
    let id = created["schedule"]["id"].as_i64().unwrap();

    let (status, list) = send(
        &client,
        &app,
        Method::GET,
        "/api/admin/schedules/",
        None,
        key,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list.as_array().unwrap().len(), 1);

    let skip = today + Duration::days(3);
    let (status, s) = send(
        &client,
        &app,
        Method::POST,
        &format!("/api/admin/schedules/{id}/dates/"),
        Some(json!({"date": skip.to_string(), "skipped": true})),
        key,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{s}");
    assert_eq!(s["skipped"], json!([skip.to_string()]));

    let (status, s) = send(
        &client,
        &app,
        Method::POST,
        &format!("/api/admin/schedules/{id}/stop/"),
        None,
        key,
    )
    .await;
    assert_eq!(
        (status, s["is_active"].as_bool()),
        (StatusCode::OK, Some(false))
    );
    let (status, _) = send(
        &client,
        &app,
        Method::POST,
        &format!("/api/admin/schedules/{id}/stop/"),
        None,
        key,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Passengers see the trips like any other.
    let trips: serde_json::Value = client
        .get(app.url("/api/trips/?from=surabaya&to=malang"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(trips.as_array().unwrap().len() as u64, made - 1);
}

#[tokio::test]
async fn editing_a_schedule_moves_the_trips_nobody_holds_and_keeps_the_rest() {
    let t = fresh().await;
    let (schedule, made) = t
        .service
        .create_schedule(&admin(), &input("mon,wed,fri"), 14, t0())
        .await
        .unwrap();
    assert_eq!(made, 6);
    // Somebody holds a seat on Wednesday 2 Dec's trip; 4 Dec is skipped
    // and 9 Dec has a peak price.
    let trips = t
        .service
        .list_trips(&TripFilter::default(), t0())
        .await
        .unwrap();
    let held = trips[0].id;
    t.service
        .hold(&session(), held, &seats(&["1A"]), t0())
        .await
        .unwrap();
    for rule in [
        DateRule {
            date: d("2026-12-04"),
            skipped: true,
            price: None,
        },
        DateRule {
            date: d("2026-12-09"),
            skipped: false,
            price: Some(200_000),
        },
    ] {
        t.service
            .set_schedule_date(&admin(), schedule.id, rule, 14, t0())
            .await
            .unwrap();
    }

    // To 20:30 on Mondays, Wednesdays and Saturdays, Rp 175.000, a sleeper.
    let mut changed = input("mon,wed,sat");
    changed.depart_time = "20:30".into();
    changed.price = 175_000;
    changed.bus_type = BusType::Sleeper;
    let (after, edit) = t
        .service
        .update_schedule(&admin(), schedule.id, &changed, 14, t0())
        .await
        .unwrap();
    assert_eq!(after.depart_time, "20:30");
    assert_eq!(after.skipped, vec![d("2026-12-04")], "its dates stay");
    // Kept: the held 2 Dec. Changed: 7, 9, 14 Dec move; 11 Dec (a Friday)
    // goes off sale; 4 Dec was off sale and stays so. Made: Saturdays 5
    // and 12 Dec.
    assert_eq!(
        (edit.trips_kept, edit.trips_changed, edit.trips_made),
        (1, 4, 2)
    );
    let trips = listed(&t.service, t0()).await;
    assert_eq!(
        trips,
        vec![
            ("2026-12-02T12:00:00+00:00".to_string(), 150_000),
            ("2026-12-05T13:30:00+00:00".to_string(), 175_000),
            ("2026-12-07T13:30:00+00:00".to_string(), 175_000),
            ("2026-12-09T13:30:00+00:00".to_string(), 200_000),
            ("2026-12-12T13:30:00+00:00".to_string(), 175_000),
            ("2026-12-14T13:30:00+00:00".to_string(), 175_000),
        ]
    );
    // Moved trips have the sleeper's seats; the held one keeps its bus.
    let all = t
        .service
        .list_trips(&TripFilter::default(), t0())
        .await
        .unwrap();
    for trip in &all {
        let bus = if trip.id == held {
            BusType::Executive
        } else {
            BusType::Sleeper
        };
        assert_eq!(trip.bus_type, bus, "trip {}", trip.id);
        assert_eq!(
            trip.seats_total as usize,
            bus.layout().len(),
            "trip {}",
            trip.id
        );
    }
    // Editing again to the same rule changes nothing.
    let (_, again) = t
        .service
        .update_schedule(&admin(), schedule.id, &changed, 14, t0())
        .await
        .unwrap();
    assert_eq!(
        (again.trips_kept, again.trips_changed, again.trips_made),
        (1, 0, 0)
    );
    // A bad rule is refused; no schedule, a 404.
    let mut bad = changed.clone();
    bad.depart_time = "25:00".into();
    assert!(matches!(
        t.service
            .update_schedule(&admin(), schedule.id, &bad, 14, t0())
            .await,
        Err(kursi::domain::AppError::InvalidRequest { .. })
    ));
    assert_eq!(
        t.service
            .update_schedule(&admin(), 9999, &changed, 14, t0())
            .await
            .unwrap_err(),
        kursi::domain::AppError::NotFound
    );
}

#[tokio::test]
async fn the_schedule_api_changes_a_schedule() {
    let app = spawn_app().await;
    let body = json!({
        "route_from": "Jakarta", "route_to": "Bandung", "depart_time": "19:00",
        "days": "daily", "bus_type": "EXECUTIVE", "price": 150000,
        "admin_wa": "0812 0000 1111", "valid_from": "2026-12-01",
    });
    let (status, created) = send(
        &app.client(),
        &app,
        Method::POST,
        "/api/admin/schedules/",
        Some(body.clone()),
        Some(ADMIN_KEY),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["schedule"]["id"].as_i64().unwrap();
    let mut changed = body.clone();
    changed["price"] = json!(160000);
    let (status, answer) = send(
        &app.client(),
        &app,
        Method::PUT,
        &format!("/api/admin/schedules/{id}/"),
        Some(changed.clone()),
        Some(ADMIN_KEY),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["schedule"]["price"], 160000);
    assert!(answer["trips_changed"].as_u64().unwrap() > 0, "{answer}");
    assert_eq!(answer["trips_kept"], 0);
    for (path, key, want) in [
        (
            format!("/api/admin/schedules/{id}/"),
            None,
            StatusCode::UNAUTHORIZED,
        ),
        (
            "/api/admin/schedules/999999/".to_string(),
            Some(ADMIN_KEY),
            StatusCode::NOT_FOUND,
        ),
    ] {
        let (status, body) = send(
            &app.client(),
            &app,
            Method::PUT,
            &path,
            Some(changed.clone()),
            key,
        )
        .await;
        assert_eq!(status, want, "{path}: {body}");
    }
}
