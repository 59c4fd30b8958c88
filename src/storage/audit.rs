//! The append-only audit log.

use sqlx::FromRow;

use super::{Connection, DbResult};

pub struct NewAudit<'a> {
    pub at: i64,
    pub actor: &'a str,
    pub action: &'a str,
    pub trip_id: i64,
    pub hold_id: Option<i64>,
    pub seats: &'a [String],
    pub detail: &'a str,
}

#[derive(Clone, Debug, FromRow, serde::Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub trip_id: i64,
    pub hold_id: Option<i64>,
    pub seats: String,
    pub detail: String,
}

pub async fn insert_audit(conn: &mut impl Connection, a: &NewAudit<'_>) -> DbResult<()> {
    on!(conn, |conn| {
        sqlx::query(
        "INSERT INTO audit_log (at, actor, action, trip_id, hold_id, seats, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(a.at)
    .bind(a.actor)
    .bind(a.action)
    .bind(a.trip_id)
    .bind(a.hold_id)
    .bind(a.seats.join(" "))
    .bind(a.detail)
    .execute(conn)
    .await
    .map(|_| ())
    })
}

/// The whole log in order (tests replay it; the admin reads slices of it).
pub async fn audit_log(conn: &mut impl Connection) -> DbResult<Vec<AuditEntry>> {
    on!(conn, |conn| {
        sqlx::query_as(
        "SELECT id, at, actor, action, trip_id, hold_id, seats, detail FROM audit_log ORDER BY id",
    )
    .fetch_all(conn)
    .await
    })
}

pub async fn audit_of_hold(conn: &mut impl Connection, hold_id: i64) -> DbResult<Vec<AuditEntry>> {
    on!(conn, |conn| {
        sqlx::query_as(
        "SELECT id, at, actor, action, trip_id, hold_id, seats, detail FROM audit_log WHERE hold_id = $1 ORDER BY id",
    )
    .bind(hold_id)
    .fetch_all(conn)
    .await
    })
}

pub async fn audit_of_trip(conn: &mut impl Connection, trip_id: i64) -> DbResult<Vec<AuditEntry>> {
    on!(conn, |conn| {
        sqlx::query_as(
        "SELECT id, at, actor, action, trip_id, hold_id, seats, detail FROM audit_log WHERE trip_id = $1 ORDER BY id DESC LIMIT 1000",
    )
    .bind(trip_id)
    .fetch_all(conn)
    .await
    })
}

/// Audit rows after `after_id`, in order (for incremental replays).
pub async fn audit_since(conn: &mut impl Connection, after_id: i64) -> DbResult<Vec<AuditEntry>> {
    on!(conn, |conn| {
        sqlx::query_as(
        "SELECT id, at, actor, action, trip_id, hold_id, seats, detail FROM audit_log WHERE id > $1 ORDER BY id",
    )
    .bind(after_id)
    .fetch_all(conn)
    .await
    })
}
