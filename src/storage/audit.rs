//! The append-only audit log.

use sqlx::FromRow;

use super::{Conn, DbResult};

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

pub async fn insert_audit(conn: &mut Conn, a: &NewAudit<'_>) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor, action, trip_id, hold_id, seats, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
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
}

/// The whole log in order (tests replay it; the admin reads slices of it).
pub async fn audit_log(conn: &mut Conn) -> DbResult<Vec<AuditEntry>> {
    sqlx::query_as(
        "SELECT id, at, actor, action, trip_id, hold_id, seats, detail FROM audit_log ORDER BY id",
    )
    .fetch_all(conn)
    .await
}

pub async fn audit_of_hold(conn: &mut Conn, hold_id: i64) -> DbResult<Vec<AuditEntry>> {
    sqlx::query_as(
        "SELECT id, at, actor, action, trip_id, hold_id, seats, detail FROM audit_log WHERE hold_id = ? ORDER BY id",
    )
    .bind(hold_id)
    .fetch_all(conn)
    .await
}

pub async fn audit_of_trip(conn: &mut Conn, trip_id: i64) -> DbResult<Vec<AuditEntry>> {
    sqlx::query_as(
        "SELECT id, at, actor, action, trip_id, hold_id, seats, detail FROM audit_log WHERE trip_id = ? ORDER BY id DESC LIMIT 1000",
    )
    .bind(trip_id)
    .fetch_all(conn)
    .await
}

/// Audit rows after `after_id`, in order (for incremental replays).
pub async fn audit_since(conn: &mut Conn, after_id: i64) -> DbResult<Vec<AuditEntry>> {
    sqlx::query_as(
        "SELECT id, at, actor, action, trip_id, hold_id, seats, detail FROM audit_log WHERE id > ? ORDER BY id",
    )
    .bind(after_id)
    .fetch_all(conn)
    .await
}
