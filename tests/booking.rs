//! The rules of SPEC §1, one test each, on a fresh database, with time moved
//! by hand.

#![cfg(feature = "ssr")]

mod common;

use common::*;
use kursi::domain::{AppError, BusType, Hold, HoldPolicy, HoldStatus, SeatStatus, UniqueCodes};
use kursi::services::SessionKey;
use kursi::storage;

async fn status_of(
    db: &TestDb,
    trip: i64,
    code: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> SeatStatus {
    let (_, seats) = db.service.trip_seats(trip, None, now).await.unwrap();
    seats
        .iter()
        .find(|s| s.code.to_string() == code)
        .unwrap()
        .status
}

async fn audit_actions(db: &TestDb) -> Vec<String> {
    let mut conn = db.service.storage().read().await.unwrap();
    storage::audit_log(&mut conn)
        .await
        .unwrap()
        .into_iter()
        .filter(|a| a.action != "trip")
        .map(|a| format!("{} {}", a.action, a.seats))
        .collect()
}

#[tokio::test]
async fn a_trip_is_laid_out_from_its_bus_type() {
    let db = fresh().await;
    for (bus, n) in [
        (BusType::Economy, 40),
        (BusType::Executive, 30),
        (BusType::Sleeper, 22),
    ] {
        let id = trip(&db.service, bus).await;
        let (trip, seats) = db.service.trip_seats(id, None, t0()).await.unwrap();
        assert_eq!(seats.len(), n);
        assert_eq!(trip.seats_total, n as u32);
        assert_eq!(trip.seats_available, n as u32);
    }
}

#[tokio::test]
async fn hold_takes_every_requested_seat() {
    let db = fresh().await;
    let trip = trip(&db.service, BusType::Economy).await;
    let me = session();
    let hold = db
        .service
        .hold(&me, trip, &seats(&["1A", "1B"]), t0())
        .await
        .unwrap();
    assert_eq!(hold.seats, seats(&["1A", "1B"]));
    assert_eq!(hold.status, HoldStatus::Held);
    assert_eq!(hold.expires_at, t0() + mins(10));
    assert_eq!(hold.expires_in_seconds, 600);
    assert_eq!(hold.amount_due, 300_000);
    let (t, map) = db.service.trip_seats(trip, Some(&me), t0()).await.unwrap();
    assert_eq!(t.seats_available, 38);
    assert!(map.iter().filter(|s| s.mine).count() == 2);
    let (_, others) = db
        .service
        .trip_seats(trip, Some(&session()), t0())
        .await
        .unwrap();
    assert!(others.iter().all(|s| !s.mine));
    assert_eq!(audit_actions(&db).await, ["hold 1A 1B"]);
}

#[tokio::test]
async fn hold_is_all_or_nothing_when_a_seat_is_taken() {
    let db = fresh().await;
    let trip = trip(&db.service, BusType::Economy).await;
    db.service
        .hold(&session(), trip, &seats(&["1B"]), t0())
        .await
        .unwrap();
    let me = session();
    let err = db
        .service
        .hold(&me, trip, &seats(&["1A", "1B", "1C"]), t0())
        .await
        .unwrap_err();
    assert_eq!(
        err,
        AppError::SeatsUnavailable {
            seats: seats(&["1B"])
        }
    );
    assert_eq!(
        status_of(&db, trip, "1A", t0()).await,
        SeatStatus::Available
    );
    assert_eq!(
        status_of(&db, trip, "1C", t0()).await,
        SeatStatus::Available
    );
    assert_eq!(
        db.service.current_hold(&me, t0()).await.unwrap_err(),
        AppError::NoActiveHold
    );
    assert_eq!(audit_actions(&db).await, ["hold 1B"]);
}

#[tokio::test]
async fn hold_refuses_more_than_max_seats_counting_seats_already_held() {
    let db = fresh().await;
    let trip = trip(&db.service, BusType::Economy).await;
    let me = session();
    let five = seats(&["1A", "1B", "1C", "1D", "2A"]);
    assert_eq!(
        db.service.hold(&me, trip, &five, t0()).await.unwrap_err(),
        AppError::TooManySeats { max: 4 }
    );
    db.service
        .hold(&me, trip, &seats(&["1A", "1B", "1C"]), t0())
        .await
        .unwrap();
    // Holding seats again counts them once.
    db.service
        .hold(&me, trip, &seats(&["1A", "1B", "1C", "1D"]), t0())
        .await
        .unwrap();
    assert_eq!(
        db.service
            .hold(&me, trip, &seats(&["2A"]), t0())
            .await
            .unwrap_err(),
        AppError::TooManySeats { max: 4 }
    );
    assert_eq!(
        status_of(&db, trip, "2A", t0()).await,
        SeatStatus::Available
    );
}

#[tokio::test]
async fn adding_or_reholding_seats_never_extends_the_hold() {
    let db = fresh().await;
    let trip = trip(&db.service, BusType::Economy).await;
    let me = session();
    db.service
        .hold(&me, trip, &seats(&["1A"]), t0())
        .await
        .unwrap();
    let later = db
        .service
        .hold(&me, trip, &seats(&["1A", "2A"]), t0() + mins(8))
        .await
        .unwrap();
    assert_eq!(later.expires_at, t0() + mins(10));
    assert_eq!(later.seats, seats(&["1A", "2A"]));
    let again = db
        .service
        .hold(&me, trip, &seats(&["1A"]), t0() + mins(9))
        .await
        .unwrap();
    assert_eq!(again.expires_at, t0() + mins(10));
}

#[tokio::test]
async fn a_session_holds_on_one_trip_at_a_time() {
    let db = fresh().await;
    let first = trip(&db.service, BusType::Economy).await;
    let second = trip(&db.service, BusType::Executive).await;
    let me = session();
    db.service
        .hold(&me, first, &seats(&["1A"]), t0())
        .await
        .unwrap();
    assert_eq!(
        db.service
            .hold(&me, second, &seats(&["1A"]), t0())
            .await
            .unwrap_err(),
        AppError::HoldOnOtherTrip { trip_id: first }
    );
    // Once the first hold has expired, the other trip is fine.
    db.service
        .hold(&me, second, &seats(&["1A"]), t0() + mins(11))
        .await
        .unwrap();
}

#[tokio::test]
async fn unknown_seats_and_trips_are_refused() {
    let db = fresh().await;
    let trip = trip(&db.service, BusType::Executive).await;
    let err = db
        .service
        .hold(&session(), trip, &seats(&["1D"]), t0())
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::InvalidRequest { .. }));
    // With a seat that exists too: refused whole, and nothing left behind.
    let me = session();
    let err = db
        .service
        .hold(&me, trip, &seats(&["1A", "1D"]), t0())
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::InvalidRequest { .. }));
    assert_eq!(
        status_of(&db, trip, "1A", t0()).await,
        SeatStatus::Available
    );
    assert_eq!(
        db.service.current_hold(&me, t0()).await.unwrap_err(),
        AppError::NoActiveHold
    );
    assert!(audit_actions(&db).await.is_empty());
    assert_eq!(
        db.service
            .hold(&session(), 9999, &seats(&["1A"]), t0())
            .await
            .unwrap_err(),
        AppError::TripNotFound
    );
    assert!(matches!(
        db.service
            .hold(&session(), trip, &[], t0())
            .await
            .unwrap_err(),
        AppError::InvalidRequest { .. }
    ));
}

#[tokio::test]
async fn a_departed_trip_cannot_be_held() {
    let db = fresh().await;
    let trip = trip(&db.service, BusType::Economy).await;
    let after_departure = t0() + chrono::Duration::days(8);
    assert_eq!(
        db.service
            .hold(&session(), trip, &seats(&["1A"]), after_departure)
            .await
            .unwrap_err(),
        AppError::TripNotFound
    );
}

#[tokio::test]
async fn release_some_then_all_ends_the_hold() {
    let db = fresh().await;
    let trip = trip(&db.service, BusType::Economy).await;
    let me = session();
    db.service
        .hold(&me, trip, &seats(&["1A", "1B"]), t0())
        .await
        .unwrap();
    let left = db
        .service
        .release(&me, Some(&seats(&["1A", "9D"])), t0())
        .await
        .unwrap();
    assert_eq!(left.seats, seats(&["1B"]));
    assert_eq!(left.status, HoldStatus::Held);
    assert_eq!(
        status_of(&db, trip, "1A", t0()).await,
        SeatStatus::Available
    );
    let gone = db.service.release(&me, None, t0()).await.unwrap();
    assert!(gone.seats.is_empty());
    assert_eq!(gone.status, HoldStatus::Released);
    assert_eq!(
        db.service.release(&me, None, t0()).await.unwrap_err(),
        AppError::NoActiveHold
    );
    assert_eq!(
        audit_actions(&db).await,
        ["hold 1A 1B", "release 1A", "release 1B"]
    );
}

#[tokio::test]
async fn an_expired_hold_acts_released_before_any_sweep() {
    let db = fresh().await;
    let trip = trip(&db.service, BusType::Economy).await;
    let me = session();
    db.service
        .hold(&me, trip, &seats(&["1A"]), t0())
        .await
        .unwrap();
    let late = t0() + mins(10);
    assert_eq!(
        status_of(&db, trip, "1A", late - secs(1)).await,
        SeatStatus::Hold
    );
    assert_eq!(
        status_of(&db, trip, "1A", late).await,
        SeatStatus::Available
    );
    let (t, _) = db.service.trip_seats(trip, None, late).await.unwrap();
    assert_eq!(t.seats_available, 40);
    assert_eq!(
        db.service.current_hold(&me, late).await.unwrap_err(),
        AppError::NoActiveHold
    );
    // Someone else can take it at once; the expiry is recorded first.
    db.service
        .hold(&session(), trip, &seats(&["1A"]), late)
        .await
        .unwrap();
    assert_eq!(
        audit_actions(&db).await,
        ["hold 1A", "expire 1A", "hold 1A"]
    );
}

#[tokio::test]
async fn the_sweep_tidies_expired_holds_and_keeps_their_contact() {
    let db = fresh().await;
    let trip = trip(&db.service, BusType::Economy).await;
    let me = session();
    db.service
        .hold(&me, trip, &seats(&["1A", "1B"]), t0())
        .await
        .unwrap();
    let h = db
        .service
        .attach_contact(&me, &name("Budi"), &wa("0812345678"), t0())
        .await
        .unwrap();
    assert_eq!(db.service.sweep(t0() + mins(29)).await.unwrap(), 0);
    assert_eq!(db.service.sweep(t0() + mins(31)).await.unwrap(), 1);
    assert_eq!(db.service.sweep(t0() + mins(32)).await.unwrap(), 0);
    let list = db
        .service
        .admin_holds(&Default::default(), t0() + mins(32))
        .await
        .unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].status, HoldStatus::Expired);
    assert_eq!(list[0].claim_code, h.claim_code);
    assert_eq!(list[0].name.as_deref(), Some("Budi"));
    assert_eq!(list[0].seats, seats(&["1A", "1B"]));
    assert_eq!(
        audit_actions(&db).await,
        ["hold 1A 1B", "contact ", "expire 1A 1B"]
    );
}

#[tokio::test]
async fn contact_gives_a_claim_code_and_time_to_pay() {
    let db = fresh().await;
    let trip = trip(&db.service, BusType::Economy).await;
    let me = session();
    db.service
        .hold(&me, trip, &seats(&["3B"]), t0())
        .await
        .unwrap();
    let h = db
        .service
        .attach_contact(
            &me,
            &name(" Budi  Santoso "),
            &wa("+62 812-3456-7890"),
            t0() + mins(4),
        )
        .await
        .unwrap();
    let code = claim(&h.claim_code);
    assert_eq!(code.as_str().len(), 9);
    assert_eq!(h.name.as_deref(), Some("Budi Santoso"));
    assert_eq!(h.whatsapp.as_deref(), Some("6281234567890"));
    assert_eq!(h.expires_at, t0() + mins(34));
    let url = h.whatsapp_url.unwrap();
    assert!(
        url.starts_with("https://wa.me/6281200001111?text="),
        "{url}"
    );
    assert!(
        url.contains(code.as_str()),
        "the message names the claim code: {url}"
    );
    assert!(url.contains("3B") && url.contains("Bandung"), "{url}");
    // Attaching again keeps the same code.
    let again = db
        .service
        .attach_contact(&me, &name("Budi"), &wa("0812-3456-7890"), t0() + mins(5))
        .await
        .unwrap();
    assert_eq!(again.claim_code, Some(code));
}

#[tokio::test]
async fn contact_needs_a_live_hold() {
    let db = fresh().await;
    let err = db
        .service
        .attach_contact(&session(), &name("Budi"), &wa("0812345678"), t0())
        .await
        .unwrap_err();
    assert_eq!(err, AppError::NoActiveHold);
}

#[tokio::test]
async fn one_whatsapp_number_has_at_most_two_live_holds() {
    let db = fresh().await;
    let trip = trip(&db.service, BusType::Economy).await;
    let number = wa("081299998888");
    for (i, seat) in ["1A", "2A"].iter().enumerate() {
        let s = session();
        db.service
            .hold(&s, trip, &seats(&[seat]), t0())
            .await
            .unwrap();
        db.service
            .attach_contact(&s, &name(&format!("P{i}")), &number, t0())
            .await
            .unwrap();
    }
    let third = session();
    db.service
        .hold(&third, trip, &seats(&["3A"]), t0())
        .await
        .unwrap();
    assert_eq!(
        db.service
            .attach_contact(&third, &name("P3"), &number, t0())
            .await
            .unwrap_err(),
        AppError::TooManyActiveHolds { max: 2 }
    );
    // Another number is fine, and so is this one once a hold has expired.
    db.service
        .attach_contact(&third, &name("P3"), &wa("081277776666"), t0())
        .await
        .unwrap();
    let fourth = session();
    db.service
        .hold(&fourth, trip, &seats(&["4A"]), t0() + mins(31))
        .await
        .unwrap();
    db.service
        .attach_contact(&fourth, &name("P4"), &number, t0() + mins(31))
        .await
        .unwrap();
}

#[tokio::test]
async fn the_passenger_extends_once_and_only_in_the_last_two_minutes() {
    let db = fresh().await;
    let trip = trip(&db.service, BusType::Economy).await;
    let me = session();
    db.service
        .hold(&me, trip, &seats(&["1A"]), t0())
        .await
        .unwrap();
    assert_eq!(
        db.service.extend(&me, t0() + mins(7)).await.unwrap_err(),
        AppError::ExtendNotAllowed
    );
    let h = db.service.extend(&me, t0() + mins(9)).await.unwrap();
    assert_eq!(h.expires_at, t0() + mins(20));
    assert!(h.extended);
    assert_eq!(
        db.service.extend(&me, t0() + mins(19)).await.unwrap_err(),
        AppError::ExtendNotAllowed
    );
    assert_eq!(
        db.service.extend(&session(), t0()).await.unwrap_err(),
        AppError::NoActiveHold
    );
}

#[tokio::test]
async fn no_hold_lives_past_max_hold_minutes() {
    let policy = HoldPolicy {
        max_hold: mins(40),
        ..HoldPolicy::default()
    };
    let db = fresh_with(policy).await;
    let trip = trip(&db.service, BusType::Economy).await;
    let me = session();
    db.service
        .hold(&me, trip, &seats(&["1A"]), t0())
        .await
        .unwrap();
    let h = db
        .service
        .attach_contact(&me, &name("Budi"), &wa("0812345678"), t0() + mins(9))
        .await
        .unwrap();
    assert_eq!(h.expires_at, t0() + mins(39));
    let code = claim(&h.claim_code);
    let h = db
        .service
        .admin_extend(&admin(), &code, Some(mins(30)), t0() + mins(10))
        .await
        .unwrap();
    assert_eq!(h.expires_at, t0() + mins(40));
    assert_eq!(
        db.service
            .admin_extend(&admin(), &code, None, t0() + mins(11))
            .await
            .unwrap_err(),
        AppError::ExtendNotAllowed
    );
}

#[tokio::test]
async fn a_claim_moves_the_hold_to_the_claiming_browser() {
    let db = fresh().await;
    let trip = trip(&db.service, BusType::Economy).await;
    let phone = session();
    db.service
        .hold(&phone, trip, &seats(&["5C"]), t0())
        .await
        .unwrap();
    let h = db
        .service
        .attach_contact(&phone, &name("Siti"), &wa("0813111122"), t0())
        .await
        .unwrap();
    let laptop = session();
    // Lower case and without the dash works too.
    let typed = kursi::domain::ClaimCode::parse(
        &claim(&h.claim_code)
            .as_str()
            .replace('-', "")
            .to_lowercase(),
    )
    .unwrap();
    let moved = db
        .service
        .claim(&laptop, &typed, t0() + mins(1))
        .await
        .unwrap();
    assert_eq!(moved.seats, seats(&["5C"]));
    assert_eq!(
        db.service
            .current_hold(&laptop, t0() + mins(1))
            .await
            .unwrap()
            .seats,
        seats(&["5C"])
    );
    assert_eq!(
        db.service
            .release(&phone, None, t0() + mins(1))
            .await
            .unwrap_err(),
        AppError::NoActiveHold
    );
    let (_, map) = db
        .service
        .trip_seats(trip, Some(&laptop), t0() + mins(1))
        .await
        .unwrap();
    assert!(map.iter().any(|s| s.code.to_string() == "5C" && s.mine));
}

#[tokio::test]
async fn claims_of_unknown_expired_or_conflicting_holds_are_refused() {
    let db = fresh().await;
    let a = trip(&db.service, BusType::Economy).await;
    let b = trip(&db.service, BusType::Economy).await;
    let unknown = kursi::domain::ClaimCode::parse("ZZZZ-ZZZZ").unwrap();
    assert_eq!(
        db.service
            .claim(&session(), &unknown, t0())
            .await
            .unwrap_err(),
        AppError::ClaimNotFound
    );

    let owner = session();
    db.service
        .hold(&owner, a, &seats(&["1A"]), t0())
        .await
        .unwrap();
    let code = claim(
        &db.service
            .attach_contact(&owner, &name("X"), &wa("0812000011"), t0())
            .await
            .unwrap()
            .claim_code,
    );
    let busy = session();
    db.service
        .hold(&busy, b, &seats(&["1A"]), t0())
        .await
        .unwrap();
    assert_eq!(
        db.service.claim(&busy, &code, t0()).await.unwrap_err(),
        AppError::HoldOnOtherTrip { trip_id: b }
    );
    assert_eq!(
        db.service
            .claim(&session(), &code, t0() + mins(31))
            .await
            .unwrap_err(),
        AppError::HoldExpired
    );
}

#[tokio::test]
async fn booking_books_exactly_the_holds_seats_and_is_idempotent() {
    let db = fresh().await;
    let trip = trip(&db.service, BusType::Economy).await;
    let me = session();
    db.service
        .hold(&me, trip, &seats(&["2A", "2B"]), t0())
        .await
        .unwrap();
    db.service
        .hold(&session(), trip, &seats(&["2C"]), t0())
        .await
        .unwrap();
    let held = db
        .service
        .attach_contact(&me, &name("Budi"), &wa("0812345678"), t0())
        .await
        .unwrap();
    let code = claim(&held.claim_code);
    let booking = db
        .service
        .book(&admin(), &code, t0() + mins(5))
        .await
        .unwrap();
    assert!(booking.booking_code.as_str().starts_with("BK-"));
    assert_eq!(booking.seats, seats(&["2A", "2B"]));
    // What was to be paid, unique code included.
    assert_eq!(booking.amount, held.amount_due);
    assert_eq!(booking.amount, 300_000 + held.unique_code.unwrap());
    assert_eq!(
        status_of(&db, trip, "2A", t0() + mins(5)).await,
        SeatStatus::Booked
    );
    assert_eq!(
        status_of(&db, trip, "2C", t0() + mins(5)).await,
        SeatStatus::Hold
    );
    let again = db
        .service
        .book(&admin(), &code, t0() + mins(6))
        .await
        .unwrap();
    assert_eq!(again.booking_code, booking.booking_code);
    // Booked seats stay booked long after the hold would have expired.
    assert_eq!(
        status_of(&db, trip, "2A", t0() + mins(500)).await,
        SeatStatus::Booked
    );
    let found = db
        .service
        .find_booking(&booking.booking_code, "+62 812-345-678", t0())
        .await
        .unwrap();
    assert_eq!(found.name, "Budi");
    assert_eq!(
        db.service
            .find_booking(&booking.booking_code, "0899999999", t0())
            .await
            .unwrap_err(),
        AppError::BookingNotFound
    );
    assert_eq!(
        audit_actions(&db)
            .await
            .iter()
            .filter(|a| a.starts_with("book"))
            .count(),
        1
    );
}

#[tokio::test]
async fn a_late_payment_books_an_expired_hold_when_its_seats_are_free() {
    let db = fresh().await;
    let trip = trip(&db.service, BusType::Economy).await;
    let (_, code) = held_with_contact(&db.service, trip, &["4A", "4B"]).await;
    let late = t0() + mins(45);
    let booking = db.service.book(&admin(), &code, late).await.unwrap();
    assert_eq!(booking.seats, seats(&["4A", "4B"]));
    assert_eq!(status_of(&db, trip, "4B", late).await, SeatStatus::Booked);
}

#[tokio::test]
async fn a_late_payment_is_refused_when_a_seat_was_taken_and_nothing_changes() {
    let db = fresh().await;
    let trip = trip(&db.service, BusType::Economy).await;
    let (_, code) = held_with_contact(&db.service, trip, &["4A", "4B"]).await;
    let late = t0() + mins(45);
    db.service
        .hold(&session(), trip, &seats(&["4B"]), late)
        .await
        .unwrap();
    assert_eq!(
        db.service.book(&admin(), &code, late).await.unwrap_err(),
        AppError::SeatsUnavailable {
            seats: seats(&["4B"])
        }
    );
    assert_eq!(
        status_of(&db, trip, "4A", late).await,
        SeatStatus::Available
    );
    assert_eq!(status_of(&db, trip, "4B", late).await, SeatStatus::Hold);
}

#[tokio::test]
async fn an_admin_releases_a_hold() {
    let db = fresh().await;
    let trip = trip(&db.service, BusType::Economy).await;
    let (_, code) = held_with_contact(&db.service, trip, &["6A"]).await;
    let h = db
        .service
        .admin_release(&admin(), &code, t0())
        .await
        .unwrap();
    assert_eq!(h.status, HoldStatus::Released);
    assert_eq!(
        status_of(&db, trip, "6A", t0()).await,
        SeatStatus::Available
    );
    assert_eq!(
        db.service.book(&admin(), &code, t0()).await.unwrap_err(),
        AppError::HoldExpired
    );
}

#[tokio::test]
async fn cancelling_a_booking_frees_its_seats_once() {
    let db = fresh().await;
    let trip = trip(&db.service, BusType::Sleeper).await;
    let (_, code) = held_with_contact(&db.service, trip, &["7A", "7B"]).await;
    let booking = db.service.book(&admin(), &code, t0()).await.unwrap();
    let cancelled = db
        .service
        .cancel_booking(&admin(), &booking.booking_code, t0())
        .await
        .unwrap();
    assert_eq!(cancelled.status, HoldStatus::Cancelled);
    assert_eq!(
        status_of(&db, trip, "7A", t0()).await,
        SeatStatus::Available
    );
    db.service
        .cancel_booking(&admin(), &booking.booking_code, t0())
        .await
        .unwrap();
    assert_eq!(
        db.service.book(&admin(), &code, t0()).await.unwrap_err(),
        AppError::BookingCancelled
    );
    let actions = audit_actions(&db).await;
    assert_eq!(
        actions.iter().filter(|a| a.starts_with("cancel")).count(),
        1
    );
}

#[tokio::test]
async fn every_change_is_in_the_audit_log_with_its_actor() {
    let db = fresh().await;
    let trip = trip(&db.service, BusType::Economy).await;
    let (_, code) = held_with_contact(&db.service, trip, &["1A"]).await;
    let other = session();
    db.service.claim(&other, &code, t0()).await.unwrap();
    db.service.extend(&other, t0() + mins(29)).await.unwrap();
    db.service
        .book(&admin(), &code, t0() + mins(30))
        .await
        .unwrap();
    let mut conn = db.service.storage().read().await.unwrap();
    let log = storage::audit_log(&mut conn).await.unwrap();
    let seen: Vec<(String, String)> = log
        .iter()
        .map(|a| (a.action.clone(), a.actor.clone()))
        .collect();
    let actions: Vec<&str> = seen.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(
        actions,
        ["trip", "hold", "contact", "claim", "extend", "book"]
    );
    assert!(seen[1].1.starts_with("session:"));
    assert_eq!(seen[5].1, "admin:tester");
}

#[tokio::test]
async fn a_seat_map_from_memory_never_outlives_a_change_or_an_expiry() {
    let db = fresh().await;
    let trip = trip(&db.service, BusType::Economy).await;
    let status = |seats: &[kursi::domain::Seat], code: &str| {
        seats
            .iter()
            .find(|s| s.code.to_string() == code)
            .map(|s| (s.status, s.mine))
            .unwrap()
    };
    // Read once (cached), then a hold changes the map at once.
    let (_, before) = db.service.trip_seats(trip, None, t0()).await.unwrap();
    assert_eq!(status(&before, "1A"), (SeatStatus::Available, false));
    let me = session();
    db.service
        .hold(&me, trip, &seats(&["1A"]), t0())
        .await
        .unwrap();
    let (t, after) = db.service.trip_seats(trip, None, t0()).await.unwrap();
    assert_eq!(status(&after, "1A"), (SeatStatus::Hold, false));
    assert_eq!(t.seats_available, 39);
    // `mine` is per session, never cached.
    let (_, mine) = db.service.trip_seats(trip, Some(&me), t0()).await.unwrap();
    assert_eq!(status(&mine, "1A"), (SeatStatus::Hold, true));
    let (_, other) = db
        .service
        .trip_seats(trip, Some(&session()), t0())
        .await
        .unwrap();
    assert_eq!(status(&other, "1A"), (SeatStatus::Hold, false));
    // Cached at t0 + 1 s; at expiry the seat is free with no write at all.
    db.service
        .trip_seats(trip, None, t0() + secs(1))
        .await
        .unwrap();
    let (t, expired) = db
        .service
        .trip_seats(trip, Some(&me), t0() + mins(10) + secs(1))
        .await
        .unwrap();
    assert_eq!(status(&expired, "1A"), (SeatStatus::Available, false));
    assert_eq!(t.seats_available, 40);
    // Asking about an earlier time again reads the database, not the cache.
    let (_, earlier) = db
        .service
        .trip_seats(trip, None, t0() + secs(2))
        .await
        .unwrap();
    assert_eq!(status(&earlier, "1A"), (SeatStatus::Hold, false));
    // A booking shows at once too.
    let (_, code) = held_with_contact(&db.service, trip, &["2B"]).await;
    db.service.trip_seats(trip, None, t0()).await.unwrap();
    db.service.book(&admin(), &code, t0()).await.unwrap();
    let (_, booked) = db.service.trip_seats(trip, None, t0()).await.unwrap();
    assert_eq!(status(&booked, "2B"), (SeatStatus::Booked, false));
}

#[tokio::test]
async fn the_trip_list_from_memory_follows_holds_expiries_and_trip_edits() {
    let db = fresh().await;
    let s = &db.service;
    let listed = |trips: &[kursi::domain::Trip], id: i64| {
        trips.iter().find(|t| t.id == id).map(|t| t.seats_available)
    };
    let all = kursi::services::TripFilter::default();
    let first = trip(s, BusType::Economy).await;
    assert_eq!(
        listed(&s.list_trips(&all, t0()).await.unwrap(), first),
        Some(40)
    );
    // A hold shows in the counts at once, and is gone at its expiry with no
    // write in between.
    s.hold(&session(), first, &seats(&["1A", "1B"]), t0())
        .await
        .unwrap();
    assert_eq!(
        listed(&s.list_trips(&all, t0()).await.unwrap(), first),
        Some(38)
    );
    let later = t0() + mins(10) + secs(1);
    assert_eq!(
        listed(&s.list_trips(&all, later).await.unwrap(), first),
        Some(40)
    );
    // A new trip is listed at once; a deactivated one disappears at once.
    let second = trip(s, BusType::Sleeper).await;
    assert_eq!(
        listed(&s.list_trips(&all, t0()).await.unwrap(), second),
        Some(22)
    );
    let off = kursi::services::TripUpdate {
        is_active: Some(false),
        ..Default::default()
    };
    s.update_trip(&admin(), second, &off, t0()).await.unwrap();
    assert_eq!(
        listed(&s.list_trips(&all, t0()).await.unwrap(), second),
        None
    );
    // The search matches parts of names in any case, literally.
    let find = |from: &str, to: &str| kursi::services::TripFilter {
        from: Some(from.into()),
        to: Some(to.into()),
        date: None,
    };
    let hits = s
        .list_trips(&find(" jAKar ", "BANDUNG"), t0())
        .await
        .unwrap();
    assert_eq!(hits.iter().map(|t| t.id).collect::<Vec<_>>(), vec![first]);
    assert!(s.list_trips(&find("%", ""), t0()).await.unwrap().is_empty());
    // Departed trips are not listed.
    let gone = t0() + chrono::Duration::days(8);
    assert!(s.list_trips(&all, gone).await.unwrap().is_empty());
}

/// Holds with contact of `n` sessions, one seat each from `codes`, each
/// with a WhatsApp number of its own.
async fn paying(db: &TestDb, trip: i64, codes: &[&str]) -> Vec<(SessionKey, Hold)> {
    let mut out = Vec::new();
    for (i, code) in codes.iter().enumerate() {
        let me = session();
        db.service
            .hold(&me, trip, &seats(&[code]), t0())
            .await
            .unwrap();
        let hold = db
            .service
            .attach_contact(&me, &name("Budi"), &wa(&format!("08123000{i:04}")), t0())
            .await
            .unwrap();
        out.push((me, hold));
    }
    out
}

#[tokio::test]
async fn contact_gives_a_unique_amount_to_transfer() {
    let db = fresh().await;
    let trip = trip(&db.service, BusType::Economy).await;
    let me = session();
    let hold = db
        .service
        .hold(&me, trip, &seats(&["1A", "1B"]), t0())
        .await
        .unwrap();
    // Before contact: the seats' price, no code.
    assert_eq!((hold.amount_due, hold.unique_code), (300_000, None));
    let hold = db
        .service
        .attach_contact(&me, &name("Siti"), &wa("081234567890"), t0())
        .await
        .unwrap();
    let code = hold.unique_code.expect("a unique code with contact");
    assert!((1..=999).contains(&code), "{code}");
    assert_eq!(hold.amount_due, 300_000 + code);
    // The admin's WhatsApp message names the exact amount.
    let message = urlencoding::decode(hold.whatsapp_url.as_deref().unwrap())
        .unwrap()
        .into_owned();
    assert!(
        message.contains(&kursi::domain::format_rupiah(hold.amount_due)),
        "{message}"
    );
    // Attaching again (a corrected name) keeps the amount.
    let again = db
        .service
        .attach_contact(&me, &name("Siti Rahma"), &wa("081234567890"), t0())
        .await
        .unwrap();
    assert_eq!(again.amount_due, hold.amount_due);
    // The admin finds the hold by its amount, typed as people type it.
    for typed in [
        hold.amount_due.to_string(),
        kursi::domain::format_rupiah(hold.amount_due),
    ] {
        let found = db
            .service
            .admin_holds(
                &kursi::services::HoldFilter {
                    q: Some(typed.clone()),
                    ..Default::default()
                },
                t0(),
            )
            .await
            .unwrap();
        assert_eq!(found.len(), 1, "{typed}");
        assert_eq!(found[0].claim_code, hold.claim_code);
    }
}

#[tokio::test]
async fn no_two_holds_awaiting_payment_share_an_amount() {
    let policy = HoldPolicy {
        unique_codes: Some(UniqueCodes::new(1, 3).unwrap()),
        ..HoldPolicy::default()
    };
    let db = fresh_with(policy).await;
    let trip = trip(&db.service, BusType::Economy).await;
    let holds = paying(&db, trip, &["1A", "1B", "1C"]).await;
    let mut amounts: Vec<i64> = holds.iter().map(|(_, h)| h.amount_due).collect();
    amounts.sort_unstable();
    assert_eq!(amounts, [150_001, 150_002, 150_003]);
    // Every amount of the range is taken: a fourth is refused, clearly.
    let fourth = session();
    db.service
        .hold(&fourth, trip, &seats(&["1D"]), t0())
        .await
        .unwrap();
    let refused = db
        .service
        .attach_contact(&fourth, &name("Budi"), &wa("081299990000"), t0())
        .await
        .unwrap_err();
    assert_eq!(refused, AppError::PaymentCodesExhausted);
    assert_eq!(refused.status(), 409);
    // A booked hold no longer awaits payment: its amount is free again,
    // and the booking keeps what was paid.
    let (_, first) = &holds[0];
    let booking = db
        .service
        .book(&admin(), &claim(&first.claim_code), t0())
        .await
        .unwrap();
    assert_eq!(booking.amount, first.amount_due);
    let fourth_hold = db
        .service
        .attach_contact(&fourth, &name("Budi"), &wa("081299990000"), t0())
        .await
        .unwrap();
    assert_eq!(fourth_hold.amount_due, first.amount_due);
}

#[tokio::test]
async fn the_amount_follows_the_seats_and_stays_unique() {
    let policy = HoldPolicy {
        unique_codes: Some(UniqueCodes::new(1, 2).unwrap()),
        ..HoldPolicy::default()
    };
    let db = fresh_with(policy).await;
    let trip = trip(&db.service, BusType::Economy).await;
    let holds = paying(&db, trip, &["1A", "2A"]).await;
    let (a, b) = (&holds[0], &holds[1]);
    // B adds a seat: 300,000 plus its code, kept (that amount is free).
    let grown = db
        .service
        .hold(&b.0, trip, &seats(&["2B"]), t0())
        .await
        .unwrap();
    assert_eq!(grown.unique_code, b.1.unique_code);
    assert_eq!(grown.amount_due, 300_000 + b.1.unique_code.unwrap());
    // A adds a seat too: its amount would be B's, so it gets the other code.
    let a_code = a.1.unique_code.unwrap();
    let a_grown = db
        .service
        .hold(&a.0, trip, &seats(&["1B"]), t0())
        .await
        .unwrap();
    assert_eq!(a_grown.amount_due, 300_000 + a_code);
    assert_ne!(a_grown.amount_due, grown.amount_due);
    // B gives a seat back: 150,000 plus a code no other awaiting hold has.
    let shrunk = db
        .service
        .release(&b.0, Some(&seats(&["2B"])[..]), t0())
        .await
        .unwrap();
    assert_eq!(shrunk.seats, seats(&["2A"]));
    assert_eq!(shrunk.amount_due, 150_000 + shrunk.unique_code.unwrap());
    assert_ne!(shrunk.amount_due, a_grown.amount_due);
    // What the hold reads back is what it was told.
    let current = db.service.current_hold(&b.0, t0()).await.unwrap();
    assert_eq!(current.amount_due, shrunk.amount_due);
}

#[tokio::test]
async fn unique_amounts_can_be_turned_off() {
    let policy = HoldPolicy {
        unique_codes: None,
        ..HoldPolicy::default()
    };
    let db = fresh_with(policy).await;
    let trip = trip(&db.service, BusType::Economy).await;
    let holds = paying(&db, trip, &["1A", "1B"]).await;
    for (_, hold) in holds {
        assert_eq!((hold.amount_due, hold.unique_code), (150_000, None));
    }
}

/// A KlikBCA export (preamble, table, totals) with these credits.
fn klikbca(lines: &[(&str, &str, i64, &str)]) -> String {
    let mut csv = String::from(
        "Informasi Rekening - Mutasi Rekening\r\nNo. rekening : ,'0123456789\r\nNama : ,PO BUS SEJAHTERA\r\nPeriode : ,30/11/2026 - 01/12/2026\r\nKode Mata Uang : ,Rp\r\n\r\nTanggal Transaksi,Keterangan,Cabang,Jumlah,,Saldo\r\n",
    );
    for (date, text, amount, mark) in lines {
        let shown = format!("{},{:03}.00", amount / 1000, amount % 1000);
        csv.push_str(&format!(
            "'{date},\"TRSF E-BANKING CR {text}\",'0000,\"{shown}\",{mark},\"9,999,999.00\"\r\n"
        ));
    }
    csv.push_str("\r\nSaldo Awal,:,\"1,000,000.00\"\r\nSaldo Akhir,:,\"9,999,999.00\"\r\n");
    csv
}

#[tokio::test]
async fn a_statement_is_matched_by_unique_amount_and_books_nothing_by_itself() {
    use kursi::domain::statement::Verdict;
    let db = fresh().await;
    let trip = trip(&db.service, BusType::Economy).await;
    let holds = paying(&db, trip, &["1A", "1B", "1C", "1D"]).await;
    let [a, b, c, d] = [0, 1, 2, 3].map(|i| holds[i].1.clone());
    db.service
        .book(&admin(), &claim(&c.claim_code), t0())
        .await
        .unwrap();
    let before = audit_actions(&db).await.len();
    // t0 is 08:00 WIB on 1 December.
    let csv = klikbca(&[
        ("01/12", "DEWI", a.amount_due, "CR"),
        ("01/12", "SITI", b.amount_due, "CR"),
        ("PEND", "SITI LAGI", b.amount_due, "CR"),
        ("01/12", "AGUS", c.amount_due, "CR"),
        ("01/12", "ORANG LAIN", 987_654, "CR"),
        // Before D's hold existed: not its transfer.
        ("30/11", "BUDI", d.amount_due, "CR"),
        ("01/12", "BIAYA ADM", a.amount_due, "DB"),
    ]);
    let report = db
        .service
        .match_statement(&csv, None, t0() + mins(1))
        .await
        .unwrap();
    assert_eq!(
        report.layout,
        Some(kursi::domain::statement::StatementLayout::KlikBca)
    );
    assert_eq!((report.debits, report.unreadable), (1, 0));
    let got: Vec<(i64, Verdict, Vec<Option<kursi::domain::ClaimCode>>)> = report
        .credits
        .iter()
        .map(|c| {
            (
                c.amount,
                c.verdict,
                c.holds.iter().map(|h| h.claim_code.clone()).collect(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (a.amount_due, Verdict::Ready, vec![a.claim_code.clone()]),
            (b.amount_due, Verdict::Ambiguous, vec![b.claim_code.clone()]),
            (b.amount_due, Verdict::Ambiguous, vec![b.claim_code.clone()]),
            (
                c.amount_due,
                Verdict::AlreadyBooked,
                vec![c.claim_code.clone()]
            ),
            (987_654, Verdict::Unmatched, vec![]),
            (d.amount_due, Verdict::Unmatched, vec![]),
        ]
    );
    assert_eq!(report.credits[0].holds[0].seats, seats(&["1A"]));
    assert!(report.credits[0].description.contains("DEWI"));
    // Matching wrote nothing and booked nothing.
    assert_eq!(audit_actions(&db).await.len(), before);
    assert_eq!(
        status_of(&db, trip, "1A", t0() + mins(1)).await,
        SeatStatus::Hold
    );

    // The admin confirms the ready one; matching again says it is paid.
    db.service
        .book(&admin(), &claim(&a.claim_code), t0() + mins(2))
        .await
        .unwrap();
    let again = db
        .service
        .match_statement(&csv, None, t0() + mins(2))
        .await
        .unwrap();
    assert_eq!(again.credits[0].verdict, Verdict::AlreadyBooked);

    // A transfer that came after D's hold expired is a late payment: ready
    // while its seat is free, and booking it works.
    let late = t0() + chrono::Duration::hours(2);
    let csv = klikbca(&[("01/12", "BUDI", d.amount_due, "CR")]);
    let report = db.service.match_statement(&csv, None, late).await.unwrap();
    assert_eq!(report.credits[0].verdict, Verdict::Ready);
    assert_eq!(report.credits[0].holds[0].status, HoldStatus::Expired);
    let booking = db
        .service
        .book(&admin(), &claim(&d.claim_code), late)
        .await
        .unwrap();
    assert_eq!(booking.amount, d.amount_due);
}

#[tokio::test]
async fn a_statement_without_known_headers_asks_for_its_columns() {
    use kursi::domain::statement::{ColumnMapping, Verdict};
    let db = fresh().await;
    let trip = trip(&db.service, BusType::Economy).await;
    let holds = paying(&db, trip, &["1A"]).await;
    let a = &holds[0].1;
    let csv = format!(
        "a;b;c;d\n01/12/2026;setoran;{};x\n",
        kursi::domain::format_rupiah(a.amount_due)
    );
    let report = db.service.match_statement(&csv, None, t0()).await.unwrap();
    assert_eq!(report.mapping, None);
    assert!(report.credits.is_empty());
    assert_eq!(report.columns.len(), 4);
    let mapping = ColumnMapping {
        date: 0,
        description: 1,
        amount: 2,
        debit: None,
    };
    let report = db
        .service
        .match_statement(&csv, Some(mapping), t0())
        .await
        .unwrap();
    assert_eq!(report.credits.len(), 1);
    assert_eq!(report.credits[0].verdict, Verdict::Ready);
    // A column the file does not have, or no CSV at all: 400.
    for (text, mapping) in [
        (
            csv.as_str(),
            Some(ColumnMapping {
                amount: 9,
                ..mapping
            }),
        ),
        ("", None),
    ] {
        let err = db
            .service
            .match_statement(text, mapping, t0())
            .await
            .unwrap_err();
        assert_eq!(err.status(), 400, "{err:?}");
    }
}

/// Who retired account `id`, read from the table itself.
async fn retired_by(db: &TestDb, id: i64) -> Option<String> {
    let sql = "SELECT retired_by FROM payment_accounts WHERE id = $1";
    if db.db.is_postgres() {
        let pool = sqlx::PgPool::connect(&db.db.url()).await.unwrap();
        sqlx::query_scalar(sql)
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap()
    } else {
        let pool = sqlx::SqlitePool::connect(&db.db.url()).await.unwrap();
        sqlx::query_scalar(sql)
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap()
    }
}

#[tokio::test]
async fn payment_accounts_are_listed_in_order_capped_and_retired_with_their_record() {
    use kursi::domain::{MAX_PAYMENT_ACCOUNTS, NewPaymentAccount};
    let db = fresh().await;
    let s = &db.service;
    let new = |bank: &str, number: &str| NewPaymentAccount {
        bank: bank.into(),
        number: number.into(),
        holder: "PO Sinar Jaya".into(),
    };
    assert!(s.payment_accounts().await.unwrap().is_empty());
    let after_one = s
        .add_payment_account(&admin(), &new(" BCA ", "123-456.7890"), t0())
        .await
        .unwrap();
    let list = s
        .add_payment_account(&admin(), &new("Bank Mandiri", "1370 0123 4567"), t0())
        .await
        .unwrap();
    assert_eq!(after_one.len(), 1);
    let shown: Vec<(&str, &str)> = list
        .iter()
        .map(|a| (a.bank.as_str(), a.number.as_str()))
        .collect();
    assert_eq!(
        shown,
        [("BCA", "1234567890"), ("Bank Mandiri", "137001234567")]
    );
    assert_eq!(s.payment_accounts().await.unwrap(), list);

    // Bad input changes nothing.
    let e = s
        .add_payment_account(&admin(), &new("BCA", "12AB34"), t0())
        .await
        .unwrap_err();
    assert!(matches!(e, AppError::InvalidRequest { .. }), "{e:?}");
    assert_eq!(s.payment_accounts().await.unwrap().len(), 2);

    // Full: the next one is refused until one is retired.
    for i in 2..MAX_PAYMENT_ACCOUNTS {
        s.add_payment_account(&admin(), &new("BRI", &format!("00{i}00000")), t0())
            .await
            .unwrap();
    }
    let e = s
        .add_payment_account(&admin(), &new("BNI", "99999999"), t0())
        .await
        .unwrap_err();
    assert!(matches!(e, AppError::InvalidRequest { .. }), "{e:?}");

    let first = list[0].id;
    let left = s
        .retire_payment_account(&admin(), first, t0() + mins(1))
        .await
        .unwrap();
    assert_eq!(left.len(), MAX_PAYMENT_ACCOUNTS - 1);
    assert!(left.iter().all(|a| a.id != first));
    assert_eq!(
        s.retire_payment_account(&admin(), first, t0() + mins(2))
            .await
            .unwrap_err(),
        AppError::NotFound
    );
    assert_eq!(
        s.retire_payment_account(&admin(), 999_999, t0())
            .await
            .unwrap_err(),
        AppError::NotFound
    );
    // The retired account's row stays, naming who retired it.
    assert_eq!(
        retired_by(&db, first).await.as_deref(),
        Some("admin:tester")
    );
    assert_eq!(retired_by(&db, list[1].id).await, None);
    s.add_payment_account(&admin(), &new("BNI", "99999999"), t0())
        .await
        .unwrap();
}
