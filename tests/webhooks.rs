//! Webhooks end to end: events written with their change, signed, posted
//! over real HTTP to a receiver on a free port, in order per endpoint,
//! retried with pauses (the clock is the test's), given up, sent again, and
//! still there after a restart. On SQLite, and on PostgreSQL with
//! `KURSI_TEST_DB=postgres`.

#![cfg(feature = "ssr")]

mod common;

use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode};
use common::*;
use kursi::domain::webhook::{
    DeliveryStatus, EventBody, MAX_ATTEMPTS, WebhookEvent, verify_signature,
};
use kursi::domain::{BusType, Passenger, SeatNames, StopChoice};
use kursi::services::Service;
use kursi::storage::Storage;

/// What the receiver was sent, and the statuses it answers with (the last
/// one again once the list is used up).
#[derive(Default)]
struct Inbox {
    received: Vec<(String, String)>,
    answers: Vec<u16>,
}

/// A webhook receiver on a free port: records each request's signature
/// header and body.
async fn receiver(answers: &[u16]) -> (String, Arc<Mutex<Inbox>>) {
    let inbox = Arc::new(Mutex::new(Inbox {
        received: Vec::new(),
        answers: answers.to_vec(),
    }));
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post({
            let inbox = inbox.clone();
            move |headers: HeaderMap, body: String| {
                let inbox = inbox.clone();
                async move {
                    let mut inbox = inbox.lock().unwrap();
                    let signature = headers
                        .get("kursi-signature")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_string();
                    inbox.received.push((signature, body));
                    let status = if inbox.answers.len() > 1 {
                        inbox.answers.remove(0)
                    } else {
                        inbox.answers.first().copied().unwrap_or(200)
                    };
                    StatusCode::from_u16(status).unwrap()
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, inbox)
}

/// Runs sender steps at `at` until one sends nothing; returns how many.
async fn send_all(service: &Service, at: chrono::DateTime<chrono::Utc>) -> usize {
    let mut sent = 0;
    loop {
        match service.send_due_webhooks(at).await.unwrap() {
            0 => return sent,
            n => sent += n,
        }
    }
}

fn events(inbox: &Arc<Mutex<Inbox>>) -> Vec<EventBody> {
    inbox
        .lock()
        .unwrap()
        .received
        .iter()
        .map(|(_, body)| serde_json::from_str(body).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_are_signed_and_reach_an_endpoint_in_order() {
    let db = fresh().await;
    let (url, inbox) = receiver(&[200]).await;
    let (endpoint, secret) = db
        .service
        .add_webhook_endpoint(&admin(), &url, t0())
        .await
        .unwrap();
    assert_eq!(endpoint.url, url);
    let trip = trip(&db.service, BusType::Economy).await;
    // A hold without contact is nobody's business yet.
    let me = session();
    db.service
        .hold(&me, trip, &seats(&["2A", "2B"]), t0())
        .await
        .unwrap();
    assert_eq!(send_all(&db.service, t0()).await, 0);
    let rudi = Passenger {
        seat: "2B".parse().unwrap(),
        name: "Rudi".into(),
    };
    let hold = db
        .service
        .attach_contact_for_seats(
            &me,
            &name("Sari"),
            &wa("0812345678"),
            &SeatNames::parse(&[rudi]).unwrap(),
            &StopChoice::default(),
            t0(),
        )
        .await
        .unwrap();
    let code = claim(&hold.claim_code);
    let booking = db
        .service
        .book(&admin(), &code, t0() + secs(5))
        .await
        .unwrap();
    db.service
        .cancel_booking(&admin(), &booking.booking_code, t0() + secs(9))
        .await
        .unwrap();
    // One endpoint hears its events one after another, oldest first.
    assert_eq!(send_all(&db.service, t0() + secs(10)).await, 3);
    let got = events(&inbox);
    let kinds: Vec<_> = got.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            WebhookEvent::ContactAttached,
            WebhookEvent::BookingConfirmed,
            WebhookEvent::BookingCancelled
        ]
    );
    assert_eq!(got[0].data.seats, ["2A", "2B"]);
    assert_eq!(got[0].data.claim_code.as_deref(), Some(code.as_str()));
    assert_eq!(got[0].data.whatsapp.as_deref(), Some("62812345678"));
    assert_eq!(got[0].data.amount_due, hold.amount_due);
    assert_eq!(got[0].data.unique_code, hold.unique_code);
    assert_eq!(
        got[1].data.booking_code.as_deref(),
        Some(booking.booking_code.as_str())
    );
    assert_eq!(got[2].data.status, kursi::domain::HoldStatus::Cancelled);
    // Every event says who sits where, the cancelled booking's too.
    for event in &got {
        let sitting: Vec<_> = event
            .data
            .passengers
            .iter()
            .map(|p| (p.seat.to_string(), p.name.as_str()))
            .collect();
        assert_eq!(sitting, [("2A".into(), "Sari"), ("2B".into(), "Rudi")]);
    }
    let ids: std::collections::HashSet<_> = got.iter().map(|e| e.id.clone()).collect();
    assert_eq!(ids.len(), 3, "each event has an id of its own");
    // Each is signed with the endpoint's secret at the sending time.
    let sent_at = (t0() + secs(10)).timestamp();
    for (signature, body) in &inbox.lock().unwrap().received {
        assert!(verify_signature(
            &secret,
            signature,
            body.as_bytes(),
            sent_at,
            300
        ));
        assert!(!verify_signature(
            "whsec_other",
            signature,
            body.as_bytes(),
            sent_at,
            300
        ));
    }
    let deliveries = db.service.webhook_deliveries().await.unwrap();
    assert_eq!(deliveries.len(), 3);
    assert!(
        deliveries
            .iter()
            .all(|d| d.status == DeliveryStatus::Delivered && d.attempts == 1)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_endpoint_is_retried_after_pauses_and_holds_back_later_events() {
    let db = fresh().await;
    let (url, inbox) = receiver(&[500, 503, 200]).await;
    db.service
        .add_webhook_endpoint(&admin(), &url, t0())
        .await
        .unwrap();
    let trip = trip(&db.service, BusType::Economy).await;
    let (_, first) = held_with_contact(&db.service, trip, &["1A"]).await;
    db.service.book(&admin(), &first, t0()).await.unwrap();

    assert_eq!(db.service.send_due_webhooks(t0()).await.unwrap(), 1);
    // Failed once: nothing is due for 10 s, and the booking's event waits
    // behind the contact's.
    assert_eq!(
        db.service.send_due_webhooks(t0() + secs(9)).await.unwrap(),
        0
    );
    assert_eq!(
        db.service.send_due_webhooks(t0() + secs(10)).await.unwrap(),
        1
    );
    assert_eq!(
        db.service.send_due_webhooks(t0() + secs(39)).await.unwrap(),
        0
    );
    assert_eq!(send_all(&db.service, t0() + secs(40)).await, 2);
    let kinds: Vec<_> = events(&inbox).iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            WebhookEvent::ContactAttached,
            WebhookEvent::ContactAttached,
            WebhookEvent::ContactAttached,
            WebhookEvent::BookingConfirmed
        ]
    );
    let deliveries = db.service.webhook_deliveries().await.unwrap();
    let contact = deliveries
        .iter()
        .find(|d| d.event == WebhookEvent::ContactAttached)
        .unwrap();
    assert_eq!(contact.status, DeliveryStatus::Delivered);
    assert_eq!(contact.attempts, 3);
    assert_eq!(contact.last_status, Some(200));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_endpoint_is_given_up_and_can_be_sent_again() {
    let db = fresh().await;
    // A port nobody listens on.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let (endpoint, _) = db
        .service
        .add_webhook_endpoint(&admin(), &format!("http://{closed}/hook"), t0())
        .await
        .unwrap();
    let trip = trip(&db.service, BusType::Economy).await;
    let (_, code) = held_with_contact(&db.service, trip, &["1A"]).await;
    let booking = db.service.book(&admin(), &code, t0()).await.unwrap();
    let contact = |all: Vec<kursi::domain::webhook::WebhookDelivery>| {
        all.into_iter()
            .find(|d| d.event == WebhookEvent::ContactAttached)
            .unwrap()
    };
    // Every attempt when it is due: the pauses add up to about a day, and
    // the booking's event waits behind the contact's all along.
    let mut at = t0();
    for attempt in 1..=MAX_ATTEMPTS {
        assert_eq!(
            db.service.send_due_webhooks(at).await.unwrap(),
            1,
            "attempt {attempt}"
        );
        let d = contact(db.service.webhook_deliveries().await.unwrap());
        assert_eq!(d.attempts, i64::from(attempt));
        assert_eq!(d.last_error.as_deref(), Some("could not connect"));
        match d.next_attempt_at {
            Some(next) => at = next,
            None => assert_eq!(attempt, MAX_ATTEMPTS),
        }
    }
    let d = contact(db.service.webhook_deliveries().await.unwrap());
    assert_eq!(d.status, DeliveryStatus::Failed);
    assert!(at - t0() > chrono::Duration::hours(20));
    // Given up, it no longer holds back the next one.
    assert_eq!(db.service.send_due_webhooks(at).await.unwrap(), 1);
    let deliveries = db.service.webhook_deliveries().await.unwrap();
    assert!(deliveries.iter().all(|d| d.attempts >= 1));

    // The admin retires the dead endpoint and registers a working one. A
    // resend goes to the delivery's own endpoint, retired: nothing is sent;
    // the next event goes to the new endpoint only.
    let (url, inbox) = receiver(&[200]).await;
    db.service
        .retire_webhook_endpoint(&admin(), endpoint.id, at)
        .await
        .unwrap();
    db.service.resend_webhook(d.id, at).await.unwrap();
    assert_eq!(send_all(&db.service, at).await, 0);
    db.service
        .add_webhook_endpoint(&admin(), &url, at)
        .await
        .unwrap();
    db.service
        .cancel_booking(&admin(), &booking.booking_code, at)
        .await
        .unwrap();
    assert_eq!(send_all(&db.service, at).await, 1);
    assert_eq!(events(&inbox)[0].kind, WebhookEvent::BookingCancelled);
    assert_eq!(
        db.service.resend_webhook(999_999, at).await,
        Err(kursi::domain::AppError::NotFound)
    );
    assert_eq!(
        db.service
            .retire_webhook_endpoint(&admin(), endpoint.id, at)
            .await,
        Err(kursi::domain::AppError::NotFound)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resent_delivery_goes_again_and_expiry_is_told() {
    let db = fresh().await;
    let (url, inbox) = receiver(&[200]).await;
    db.service
        .add_webhook_endpoint(&admin(), &url, t0())
        .await
        .unwrap();
    let trip = trip(&db.service, BusType::Economy).await;
    held_with_contact(&db.service, trip, &["4C"]).await;
    assert_eq!(send_all(&db.service, t0()).await, 1);
    // Unpaid: the hold runs out (contact hold is 30 minutes).
    let later = t0() + mins(31);
    assert_eq!(db.service.sweep(later).await.unwrap(), 1);
    assert_eq!(send_all(&db.service, later).await, 1);
    let got = events(&inbox);
    assert_eq!(got[1].kind, WebhookEvent::HoldExpired);
    assert_eq!(got[1].data.status, kursi::domain::HoldStatus::Expired);
    assert_eq!(got[1].data.seats, ["4C"]);
    // An admin sends the first one again: the same event, the same id.
    let first = db
        .service
        .webhook_deliveries()
        .await
        .unwrap()
        .pop()
        .unwrap();
    db.service.resend_webhook(first.id, later).await.unwrap();
    assert_eq!(send_all(&db.service, later).await, 1);
    let got = events(&inbox);
    assert_eq!(
        got[2].id, got[0].id,
        "a receiver can tell a resend by its id"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queued_events_survive_a_restart() {
    let db = fresh().await;
    let (url, inbox) = receiver(&[200]).await;
    db.service
        .add_webhook_endpoint(&admin(), &url, t0())
        .await
        .unwrap();
    let trip = trip(&db.service, BusType::Economy).await;
    held_with_contact(&db.service, trip, &["5D"]).await;
    // Another process on the same database (the first one stopped before
    // sending) finds the event in the outbox.
    let restarted = Service::new(
        Storage::open(&db.db.url()).await.unwrap(),
        kursi::domain::HoldPolicy::default(),
        chrono_tz::Asia::Jakarta,
    );
    assert_eq!(send_all(&restarted, t0()).await, 1);
    assert_eq!(events(&inbox)[0].kind, WebhookEvent::ContactAttached);
    // Leased and recorded there: the first process has nothing left.
    assert_eq!(send_all(&db.service, t0()).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn endpoint_addresses_are_checked_and_capped() {
    let db = fresh().await;
    for bad in [
        "ftp://x.example/",
        "https://user:pw@x.example/",
        "not a url",
    ] {
        assert!(matches!(
            db.service.add_webhook_endpoint(&admin(), bad, t0()).await,
            Err(kursi::domain::AppError::InvalidRequest { .. })
        ));
    }
    for i in 0..kursi::services::MAX_ENDPOINTS {
        db.service
            .add_webhook_endpoint(&admin(), &format!("https://e{i}.example/hook"), t0())
            .await
            .unwrap();
    }
    assert!(matches!(
        db.service
            .add_webhook_endpoint(&admin(), "https://one-more.example/", t0())
            .await,
        Err(kursi::domain::AppError::InvalidRequest { .. })
    ));
    assert_eq!(
        db.service.webhook_endpoints().await.unwrap().len(),
        kursi::services::MAX_ENDPOINTS
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_sending_at_once_send_each_event_once() {
    let db = fresh().await;
    let other = Service::new(
        Storage::open(&db.db.url()).await.unwrap(),
        kursi::domain::HoldPolicy::default(),
        chrono_tz::Asia::Jakarta,
    );
    let (url, inbox) = receiver(&[200]).await;
    db.service
        .add_webhook_endpoint(&admin(), &url, t0())
        .await
        .unwrap();
    let trip = trip(&db.service, BusType::Economy).await;
    for (i, code) in ["1A", "2A", "3A", "4A", "5A", "6A", "7A", "8A"]
        .iter()
        .enumerate()
    {
        let me = session();
        db.service
            .hold(&me, trip, &seats(&[code]), t0())
            .await
            .unwrap();
        db.service
            .attach_contact(&me, &name("Rina"), &wa(&format!("08123456{i:04}")), t0())
            .await
            .unwrap();
    }
    // Both step until neither finds anything: a delivery one leased, the
    // other leaves alone. (On PostgreSQL both may read it as due before
    // either commits: the lease's own condition decides. Without it this
    // sent 9 to 11 times here.)
    let (a, b) = tokio::join!(
        async {
            let mut n = 0;
            for _ in 0..20 {
                n += db.service.send_due_webhooks(t0()).await.unwrap();
            }
            n
        },
        async {
            let mut n = 0;
            for _ in 0..20 {
                n += other.send_due_webhooks(t0()).await.unwrap();
            }
            n
        }
    );
    assert_eq!(a + b, 8, "{a} + {b} attempts");
    let ids: std::collections::HashSet<_> = events(&inbox).into_iter().map(|e| e.id).collect();
    assert_eq!(inbox.lock().unwrap().received.len(), 8, "none sent twice");
    assert_eq!(ids.len(), 8);
    let deliveries = db.service.webhook_deliveries().await.unwrap();
    assert!(
        deliveries
            .iter()
            .all(|d| d.status == DeliveryStatus::Delivered && d.attempts == 1)
    );
}

/// The outbox does not grow without end: deliveries sent (or given up)
/// more than the keep period ago are removed; pending ones stay however
/// old, and nothing newer goes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn old_finished_deliveries_are_removed_and_pending_ones_kept() {
    let db = fresh().await;
    let (good_url, good_inbox) = receiver(&[200]).await;
    let (bad_url, _) = receiver(&[500]).await;
    let (good, _) = db
        .service
        .add_webhook_endpoint(&admin(), &good_url, t0())
        .await
        .unwrap();
    let (bad, _) = db
        .service
        .add_webhook_endpoint(&admin(), &bad_url, t0())
        .await
        .unwrap();
    let trip = trip(&db.service, BusType::Economy).await;
    let (_, code) = held_with_contact(&db.service, trip, &["1A"]).await;
    db.service.book(&admin(), &code, t0()).await.unwrap();
    // The good endpoint gets both events; the bad one fails the first and
    // holds the second back: both of its deliveries stay pending.
    send_all(&db.service, t0()).await;
    assert_eq!(events(&good_inbox).len(), 2);
    let status_of = |all: &[kursi::domain::webhook::WebhookDelivery]| {
        let mut s: Vec<(i64, DeliveryStatus)> =
            all.iter().map(|d| (d.endpoint_id, d.status)).collect();
        s.sort_by_key(|(e, st)| (*e, *st as u8));
        s
    };
    let before = db.service.webhook_deliveries().await.unwrap();
    assert_eq!(
        status_of(&before),
        vec![
            (good.id, DeliveryStatus::Delivered),
            (good.id, DeliveryStatus::Delivered),
            (bad.id, DeliveryStatus::Pending),
            (bad.id, DeliveryStatus::Pending),
        ]
    );

    // Within the 30 days kept: nothing goes.
    let day = chrono::Duration::days(1);
    assert_eq!(
        db.service
            .prune_webhook_deliveries(30, t0() + day * 29)
            .await
            .unwrap(),
        0
    );
    // Past them: the delivered ones go, the pending ones stay.
    assert_eq!(
        db.service
            .prune_webhook_deliveries(30, t0() + day * 31)
            .await
            .unwrap(),
        2
    );
    let after = db.service.webhook_deliveries().await.unwrap();
    assert_eq!(
        status_of(&after),
        vec![
            (bad.id, DeliveryStatus::Pending),
            (bad.id, DeliveryStatus::Pending)
        ]
    );
    // And they are still sent when the endpoint mends (here: still due).
    assert!(after.iter().all(|d| d.next_attempt_at.is_some()));
}
