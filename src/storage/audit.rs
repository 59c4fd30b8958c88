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

/// An audit row waiting in a write transaction for its commit.
#[derive(Clone, Debug)]
pub struct PendingAudit {
    at: i64,
    actor: String,
    action: String,
    trip_id: i64,
    hold_id: Option<i64>,
    seats: String,
    detail: String,
}

/// Appends an audit row: inside the write road's transaction it waits for
/// the commit (written with the batch's others in one statement, see
/// `WriteTx`); on any other connection it is written at once.
pub async fn insert_audit(conn: &mut impl Connection, a: &NewAudit<'_>) -> DbResult<()> {
    let row = PendingAudit {
        at: a.at,
        actor: a.actor.to_string(),
        action: a.action.to_string(),
        trip_id: a.trip_id,
        hold_id: a.hold_id,
        seats: a.seats.join(" "),
        detail: a.detail.to_string(),
    };
    if let Some(buffer) = conn.audit_buffer() {
        buffer.push(row);
        return Ok(());
    }
    write_audit_rows(conn, &[row]).await
}

/// Rows per INSERT (7 parameters each, well under SQLite's limit).
const AUDIT_CHUNK: usize = 1000;

/// Writes audit rows in order, a thousand per statement.
pub(super) async fn write_audit_rows(
    conn: &mut impl Connection,
    rows: &[PendingAudit],
) -> DbResult<()> {
    if let Some(c) = conn.lite().await? {
        // On the writer's own thread a prepared statement per row costs
        // about what one row of a long VALUES list does.
        for a in rows {
            super::lite::execute(
                c,
                "INSERT INTO audit_log (at, actor, action, trip_id, hold_id, seats, detail)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[
                    &a.at, &a.actor, &a.action, &a.trip_id, &a.hold_id, &a.seats, &a.detail,
                ],
            )?;
        }
        return Ok(());
    }
    for chunk in rows.chunks(AUDIT_CHUNK) {
        on!(conn, |conn| {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO audit_log (at, actor, action, trip_id, hold_id, seats, detail) ",
            );
            q.push_values(chunk, |mut row, a| {
                row.push_bind(a.at)
                    .push_bind(&a.actor)
                    .push_bind(&a.action)
                    .push_bind(a.trip_id)
                    .push_bind(a.hold_id)
                    .push_bind(&a.seats)
                    .push_bind(&a.detail);
            });
            q.build().execute(conn).await.map(|_| ())
        })?;
    }
    Ok(())
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
