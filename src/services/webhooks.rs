//! Webhooks: telling the operator's other systems what happened, reliably
//! and without slowing anyone down.
//!
//! The event is written by the write that made the change, in its
//! transaction (an outbox: `storage::enqueue_webhook`), so it exists if and
//! only if the change committed, and survives a crash or a restart. Sending
//! is apart from every request: [`Service::send_due_webhooks`] (the server
//! calls it every second; tests call it with their own clock) leases each
//! endpoint's oldest unsent delivery through the write road, so two
//! instances never send the same one at once, posts them concurrently with
//! a short timeout, and records each outcome through the road: delivered,
//! or due again after a growing pause (`domain::webhook::retry_after`), or
//! given up after the last attempt, when an admin may send it again. A slow
//! or dead endpoint holds up only its own later events.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use rand::Rng;

use super::{Actor, Service};
use crate::domain::webhook::{
    DeliveryStatus, EventBody, EventHold, WebhookDelivery, WebhookEndpoint, WebhookEvent,
    check_endpoint_url, retry_after, signature_header,
};
use crate::domain::{AppError, HoldStatus, passengers_of};
use crate::storage::road::Changed;
use crate::storage::{self, HeldSeat, HoldRow, WriteTx, from_ms, to_ms};

/// Deliveries sent in one step at most (one per endpoint).
const SEND_BATCH: i64 = 32;

/// How long a sender keeps a delivery before another may take it (a sender
/// that died mid-send): well over [`SEND_TIMEOUT`].
const LEASE: Duration = Duration::seconds(60);

/// The most one attempt waits for an endpoint's answer.
pub const SEND_TIMEOUT: StdDuration = StdDuration::from_secs(10);

/// The most live endpoints at once.
pub const MAX_ENDPOINTS: usize = 10;

/// The HTTP client webhooks are sent with: a timeout, no redirects (an
/// endpoint is an exact address), no cookies.
pub(crate) fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(SEND_TIMEOUT)
        .connect_timeout(StdDuration::from_secs(5))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent("Kursi-Webhooks/1")
        .build()
        .expect("build the webhook client")
}

/// Queues `event` about `hold` (with its seats and who sits in them) for
/// every live endpoint, in the transaction of the write that made the
/// change.
pub(crate) async fn queue_event(
    tx: &mut WriteTx,
    event: WebhookEvent,
    hold: &HoldRow,
    held: &[HeldSeat],
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let named = super::views::parse_held(held)?;
    let passengers = passengers_of(&named, hold.name.as_deref());
    let seats: Vec<String> = named.iter().map(|(code, _)| code.to_string()).collect();
    let amount_due = hold.amount_due.unwrap_or(hold.price * seats.len() as i64);
    let status =
        HoldStatus::parse(&hold.status).ok_or_else(|| super::views::corrupt("holds.status"))?;
    let body = EventBody {
        id: format!("evt_{}", hex::encode(rand::rng().random::<[u8; 12]>())),
        kind: event,
        created_at: now,
        data: EventHold {
            trip_id: hold.trip_id,
            route_from: hold.route_from.clone(),
            route_to: hold.route_to.clone(),
            depart_at: from_ms(hold.depart_at),
            seats,
            status,
            name: hold.name.clone(),
            whatsapp: hold.whatsapp.clone(),
            claim_code: hold.claim_code.clone(),
            booking_code: hold.booking_code.clone(),
            amount_due,
            unique_code: hold.unique_code,
            expires_at: from_ms(hold.expires_at),
            board: super::views::stop_at(&hold.board_place, hold.board_minutes, hold.depart_at),
            alight: super::views::stop_at(&hold.alight_place, hold.alight_minutes, hold.depart_at),
            passengers,
        },
    };
    storage::enqueue_webhook(tx, event.as_str(), hold.id, &body.to_json(), to_ms(now)).await?;
    Ok(())
}

/// What one attempt came to.
#[derive(Clone, Debug)]
enum Outcome {
    /// The endpoint answered with this status.
    Answered(u16),
    /// No answer: a short reason (no internal detail goes to the admin).
    Failed(&'static str),
}

impl Service {
    /// Registers an endpoint and answers with it and its signing secret
    /// (shown this once). Events from now on are sent to it.
    pub async fn add_webhook_endpoint(
        &self,
        actor: &Actor,
        url: &str,
        now: DateTime<Utc>,
    ) -> Result<(WebhookEndpoint, String), AppError> {
        let url = check_endpoint_url(url)?;
        let secret = format!("whsec_{}", hex::encode(rand::rng().random::<[u8; 24]>()));
        let (by, stored_url, stored_secret) = (actor.label(), url.clone(), secret.clone());
        let id = self
            .write_tx(now, move |tx| {
                Box::pin(async move {
                    storage::serialize_on(&mut *tx, "webhook_endpoints").await?;
                    if storage::webhook_endpoints(&mut *tx).await?.len() >= MAX_ENDPOINTS {
                        return Err(AppError::invalid(format!(
                            "At most {MAX_ENDPOINTS} webhook endpoints; retire one first."
                        )));
                    }
                    let id = storage::insert_webhook_endpoint(
                        &mut *tx,
                        &stored_url,
                        &stored_secret,
                        &by,
                        to_ms(now),
                    )
                    .await?;
                    Ok((id, Changed::nothing()))
                })
            })
            .await?;
        let endpoint = WebhookEndpoint {
            id,
            url,
            added_by: actor.label(),
            added_at: now,
        };
        Ok((endpoint, secret))
    }

    /// Retires an endpoint: nothing more is queued or sent to it. An
    /// unknown or retired one is `not_found`.
    pub async fn retire_webhook_endpoint(
        &self,
        actor: &Actor,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        let by = actor.label();
        self.write_tx(now, move |tx| {
            Box::pin(async move {
                if !storage::retire_webhook_endpoint(&mut *tx, id, &by, to_ms(now)).await? {
                    return Err(AppError::NotFound);
                }
                Ok(((), Changed::nothing()))
            })
        })
        .await
    }

    /// The live endpoints, in the order they were added.
    pub async fn webhook_endpoints(&self) -> Result<Vec<WebhookEndpoint>, AppError> {
        let mut conn = self.storage.read().await?;
        Ok(storage::webhook_endpoints(&mut conn)
            .await?
            .into_iter()
            .map(|r| WebhookEndpoint {
                id: r.id,
                url: r.url,
                added_by: r.added_by,
                added_at: from_ms(r.added_at),
            })
            .collect())
    }

    /// The latest deliveries, newest first (at most 200).
    pub async fn webhook_deliveries(&self) -> Result<Vec<WebhookDelivery>, AppError> {
        let mut conn = self.storage.read().await?;
        storage::webhook_deliveries(&mut conn, 200)
            .await?
            .into_iter()
            .map(|r| {
                let event = WebhookEvent::parse(&r.event)
                    .ok_or_else(|| super::views::corrupt("webhook_deliveries.event"))?;
                let status = match (r.delivered_at, r.next_attempt_at) {
                    (Some(_), _) => DeliveryStatus::Delivered,
                    (None, Some(_)) => DeliveryStatus::Pending,
                    (None, None) => DeliveryStatus::Failed,
                };
                Ok(WebhookDelivery {
                    id: r.id,
                    endpoint_id: r.endpoint_id,
                    event,
                    hold_id: r.hold_id,
                    created_at: from_ms(r.created_at),
                    status,
                    attempts: r.attempts,
                    next_attempt_at: r.next_attempt_at.map(from_ms),
                    last_status: r.last_status,
                    last_error: r.last_error,
                })
            })
            .collect()
    }

    /// Sends a delivery again from its first attempt (after the endpoint
    /// was mended, say). An unknown delivery is `not_found`.
    pub async fn resend_webhook(&self, id: i64, now: DateTime<Utc>) -> Result<(), AppError> {
        self.write_tx(now, move |tx| {
            Box::pin(async move {
                if !storage::resend_webhook_delivery(&mut *tx, id, to_ms(now)).await? {
                    return Err(AppError::NotFound);
                }
                Ok(((), Changed::nothing()))
            })
        })
        .await
    }

    /// Removes deliveries made more than `keep_days` days before `now`
    /// that are finished (sent or given up), so the outbox does not grow
    /// without end; pending ones stay. The sweep runs it hourly. Deletes in
    /// writes of at most 1,000 rows; answers how many in all.
    pub async fn prune_webhook_deliveries(
        &self,
        keep_days: u32,
        now: DateTime<Utc>,
    ) -> Result<u64, AppError> {
        const BATCH: i64 = 1_000;
        let before = to_ms(now - Duration::days(keep_days.into()));
        let mut removed = 0;
        loop {
            let n = self
                .write_tx(now, move |tx| {
                    Box::pin(async move {
                        let n =
                            storage::delete_finished_webhook_deliveries(tx, before, BATCH).await?;
                        Ok((n, Changed::nothing()))
                    })
                })
                .await?;
            removed += n;
            if n < BATCH as u64 {
                return Ok(removed);
            }
        }
    }

    /// One step of the sender at `now`: leases the due deliveries, posts
    /// them, records the outcomes. Returns how many it attempted.
    pub async fn send_due_webhooks(&self, now: DateTime<Utc>) -> Result<usize, AppError> {
        // A plain read first: most steps find nothing and write nothing.
        let due = {
            let mut conn = self.storage.read().await?;
            storage::due_webhook_deliveries(&mut conn, to_ms(now), SEND_BATCH).await?
        };
        if due.is_empty() {
            return Ok(0);
        }
        let leased = self
            .write_tx(now, move |tx| {
                Box::pin(async move {
                    let mut leased = Vec::new();
                    let until = to_ms(now + LEASE);
                    for d in
                        storage::due_webhook_deliveries(&mut *tx, to_ms(now), SEND_BATCH).await?
                    {
                        if storage::lease_webhook_delivery(&mut *tx, d.id, to_ms(now), until)
                            .await?
                        {
                            leased.push(d);
                        }
                    }
                    Ok((leased, Changed::nothing()))
                })
            })
            .await?;
        let sent = leased.len();
        let outcomes = futures::future::join_all(leased.into_iter().map(|d| {
            let client = self.webhook_client.clone();
            async move {
                let outcome = post(&client, &d.url, &d.secret, &d.body, now).await;
                (d, outcome)
            }
        }))
        .await;
        self.write_tx(now, move |tx| {
            Box::pin(async move {
                for (d, outcome) in &outcomes {
                    let attempt = d.attempts as u32 + 1;
                    let (status, error) = match outcome {
                        Outcome::Answered(s) => (Some(i64::from(*s)), None),
                        Outcome::Failed(why) => (None, Some(*why)),
                    };
                    let delivered =
                        matches!(outcome, Outcome::Answered(s) if (200..300).contains(s));
                    let (delivered_at, next) = if delivered {
                        (Some(to_ms(now)), None)
                    } else {
                        (None, retry_after(attempt).map(|p| to_ms(now + p)))
                    };
                    storage::record_webhook_attempt(
                        &mut *tx,
                        d.id,
                        status,
                        error,
                        delivered_at,
                        next,
                    )
                    .await?;
                    if !delivered {
                        tracing::warn!(
                            delivery = d.id,
                            endpoint = d.endpoint_id,
                            attempt,
                            status,
                            error,
                            given_up = next.is_none(),
                            "webhook not delivered"
                        );
                    }
                }
                Ok(((), Changed::nothing()))
            })
        })
        .await?;
        Ok(sent)
    }
}

/// Posts one event body, signed at `now`.
async fn post(
    client: &reqwest::Client,
    url: &str,
    secret: &str,
    body: &str,
    now: DateTime<Utc>,
) -> Outcome {
    let signature = signature_header(secret, now.timestamp(), body.as_bytes());
    let sent = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("Kursi-Signature", signature)
        .body(body.to_string())
        .send()
        .await;
    match sent {
        Ok(response) => Outcome::Answered(response.status().as_u16()),
        Err(e) if e.is_timeout() => Outcome::Failed("timed out"),
        Err(e) if e.is_connect() => Outcome::Failed("could not connect"),
        Err(_) => Outcome::Failed("request failed"),
    }
}
