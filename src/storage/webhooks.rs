//! Webhook endpoints and their outbox of deliveries (see
//! `migrations/0008_webhooks.sql` and `domain::webhook`).

use sqlx::FromRow;

use super::{Connection, DbResult};

#[derive(Clone, Debug, FromRow)]
pub struct EndpointRow {
    pub id: i64,
    pub url: String,
    pub added_by: String,
    pub added_at: i64,
}

/// A delivery as the sender takes it: with its endpoint's address and
/// secret.
#[derive(Clone, Debug, FromRow)]
pub struct DueDelivery {
    pub id: i64,
    pub endpoint_id: i64,
    pub url: String,
    pub secret: String,
    pub body: String,
    pub attempts: i64,
}

/// A delivery as the admin's list shows it.
#[derive(Clone, Debug, FromRow)]
pub struct DeliveryRow {
    pub id: i64,
    pub endpoint_id: i64,
    pub event: String,
    pub hold_id: i64,
    pub created_at: i64,
    pub attempts: i64,
    pub next_attempt_at: Option<i64>,
    pub delivered_at: Option<i64>,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
}

pub async fn insert_webhook_endpoint(
    conn: &mut impl Connection,
    url: &str,
    secret: &str,
    added_by: &str,
    now_ms: i64,
) -> DbResult<i64> {
    on!(conn, |conn| {
        sqlx::query_scalar(
            "INSERT INTO webhook_endpoints (url, secret, added_by, added_at)
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(url)
        .bind(secret)
        .bind(added_by)
        .bind(now_ms)
        .fetch_one(conn)
        .await
    })
}

/// Retires an endpoint (nothing more is queued or sent to it); false when
/// there is no such endpoint not retired.
pub async fn retire_webhook_endpoint(
    conn: &mut impl Connection,
    id: i64,
    retired_by: &str,
    now_ms: i64,
) -> DbResult<bool> {
    on!(conn, |conn| {
        sqlx::query(
            "UPDATE webhook_endpoints SET retired_by = $1, retired_at = $2
             WHERE id = $3 AND retired_at IS NULL",
        )
        .bind(retired_by)
        .bind(now_ms)
        .bind(id)
        .execute(conn)
        .await
        .map(|r| r.rows_affected() == 1)
    })
}

/// The endpoints not retired, in the order they were added.
pub async fn webhook_endpoints(conn: &mut impl Connection) -> DbResult<Vec<EndpointRow>> {
    on!(conn, |conn| {
        sqlx::query_as(
            "SELECT id, url, added_by, added_at FROM webhook_endpoints
             WHERE retired_at IS NULL ORDER BY id LIMIT 100",
        )
        .fetch_all(conn)
        .await
    })
}

/// Queues `body` (an event of kind `event` about `hold_id`) for every
/// endpoint not retired, due at once. Runs inside the write that made the
/// change, so the event exists exactly when the change does.
pub async fn enqueue_webhook(
    conn: &mut impl Connection,
    event: &str,
    hold_id: i64,
    body: &str,
    now_ms: i64,
) -> DbResult<u64> {
    on!(conn, |conn| {
        sqlx::query(
            "INSERT INTO webhook_deliveries (endpoint_id, event, hold_id, body, created_at, next_attempt_at)
             SELECT id, $1, $2, $3, $4, $4 FROM webhook_endpoints WHERE retired_at IS NULL",
        )
        .bind(event)
        .bind(hold_id)
        .bind(body)
        .bind(now_ms)
        .execute(conn)
        .await
        .map(|r| r.rows_affected())
    })
}

/// The deliveries to attempt at `now_ms`: of each live endpoint its oldest
/// unsent delivery, if that is due (a later one waits for it: an endpoint
/// hears its events in order). At most `limit`.
pub async fn due_webhook_deliveries(
    conn: &mut impl Connection,
    now_ms: i64,
    limit: i64,
) -> DbResult<Vec<DueDelivery>> {
    on!(conn, |conn| {
        sqlx::query_as(
            "SELECT d.id, d.endpoint_id, e.url, e.secret, d.body, d.attempts
             FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
             WHERE e.retired_at IS NULL AND d.next_attempt_at <= $1
               AND d.id = (SELECT MIN(p.id) FROM webhook_deliveries p
                           WHERE p.endpoint_id = d.endpoint_id AND p.next_attempt_at IS NOT NULL)
             ORDER BY d.id LIMIT $2",
        )
        .bind(now_ms)
        .bind(limit)
        .fetch_all(conn)
        .await
    })
}

/// Leases a due delivery to this sender until `until_ms` (another instance
/// does not take it meanwhile; if this one dies, it is due again then).
/// False when it is no longer due at `now_ms` (another sender took it).
pub async fn lease_webhook_delivery(
    conn: &mut impl Connection,
    id: i64,
    now_ms: i64,
    until_ms: i64,
) -> DbResult<bool> {
    on!(conn, |conn| {
        sqlx::query(
            "UPDATE webhook_deliveries SET next_attempt_at = $1
             WHERE id = $2 AND next_attempt_at <= $3",
        )
        .bind(until_ms)
        .bind(id)
        .bind(now_ms)
        .execute(conn)
        .await
        .map(|r| r.rows_affected() == 1)
    })
}

/// Records one attempt: its status (or error), and then either delivered
/// at `delivered_at`, or due again at `next_attempt_at` (`None`: given up).
pub async fn record_webhook_attempt(
    conn: &mut impl Connection,
    id: i64,
    status: Option<i64>,
    error: Option<&str>,
    delivered_at: Option<i64>,
    next_attempt_at: Option<i64>,
) -> DbResult<()> {
    on!(conn, |conn| {
        sqlx::query(
            "UPDATE webhook_deliveries
             SET attempts = attempts + 1, last_status = $1, last_error = $2,
                 delivered_at = $3, next_attempt_at = $4
             WHERE id = $5",
        )
        .bind(status)
        .bind(error)
        .bind(delivered_at)
        .bind(next_attempt_at)
        .bind(id)
        .execute(conn)
        .await
        .map(|_| ())
    })
}

/// Deletes deliveries made before `before_ms` that are finished (sent, or
/// given up); pending ones stay however old. At most `limit` rows at a
/// time, so one step never holds the writer long; returns how many.
pub async fn delete_finished_webhook_deliveries(
    conn: &mut impl Connection,
    before_ms: i64,
    limit: i64,
) -> DbResult<u64> {
    on!(conn, |conn| {
        sqlx::query(
            "DELETE FROM webhook_deliveries WHERE id IN
               (SELECT id FROM webhook_deliveries
                WHERE next_attempt_at IS NULL AND created_at < $1
                ORDER BY id LIMIT $2)",
        )
        .bind(before_ms)
        .bind(limit)
        .execute(conn)
        .await
        .map(|r| r.rows_affected())
    })
}

/// Sends a delivery again from the start (an admin's resend): due at
/// `now_ms`, its attempts counted afresh. False when there is no such
/// delivery.
pub async fn resend_webhook_delivery(
    conn: &mut impl Connection,
    id: i64,
    now_ms: i64,
) -> DbResult<bool> {
    on!(conn, |conn| {
        sqlx::query(
            "UPDATE webhook_deliveries SET next_attempt_at = $1, attempts = 0, delivered_at = NULL
             WHERE id = $2",
        )
        .bind(now_ms)
        .bind(id)
        .execute(conn)
        .await
        .map(|r| r.rows_affected() == 1)
    })
}

/// The latest deliveries, newest first, at most `limit`.
pub async fn webhook_deliveries(
    conn: &mut impl Connection,
    limit: i64,
) -> DbResult<Vec<DeliveryRow>> {
    on!(conn, |conn| {
        sqlx::query_as(
            "SELECT id, endpoint_id, event, hold_id, created_at, attempts, next_attempt_at,
                    delivered_at, last_status, last_error
             FROM webhook_deliveries ORDER BY id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(conn)
        .await
    })
}
