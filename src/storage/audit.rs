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

/// SQLite's INSERT of one audit row.
const ROW_INSERT: &str =
    "INSERT INTO audit_log (at, actor, action, trip_id, hold_id, seats, detail)
     VALUES ($1, $2, $3, $4, $5, $6, $7)";

/// Writes audit rows in order.
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
                ROW_INSERT,
                &[
                    &a.at, &a.actor, &a.action, &a.trip_id, &a.hold_id, &a.seats, &a.detail,
                ],
            )?;
        }
        return Ok(());
    }
    let c = match conn.raw() {
        super::Raw::Postgres(c) => c,
        super::Raw::Sqlite(c) => {
            // (Outside the write road: a row or so at a time.)
            for a in rows {
                sqlx::query(ROW_INSERT)
                    .bind(a.at)
                    .bind(&a.actor)
                    .bind(&a.action)
                    .bind(a.trip_id)
                    .bind(a.hold_id)
                    .bind(&a.seats)
                    .bind(&a.detail)
                    .execute(&mut *c)
                    .await?;
            }
            return Ok(());
        }
    };
    if rows.is_empty() {
        return Ok(());
    }
    AuditColumns::of(rows)
        .bind(sqlx::query(AUDIT_INSERT))
        .execute(c)
        .await
        .map(|_| ())
}

/// PostgreSQL's INSERT of audit rows given as [`AuditColumns`] ($1 to $7),
/// as a statement or ahead of another one.
macro_rules! audit_insert {
    () => {
        "INSERT INTO audit_log (at, actor, action, trip_id, hold_id, seats, detail)
         SELECT * FROM UNNEST($1::BIGINT[], $2::TEXT[], $3::TEXT[], $4::BIGINT[], $5::BIGINT[],
                              $6::TEXT[], $7::TEXT[])"
    };
}

const AUDIT_INSERT: &str = audit_insert!();

/// The audit rows written, then a notification sent at the commit ($8
/// channel, $9 payload) with `lock_timeout` set to $10 (see
/// `storage::finish`).
pub(super) const AUDIT_THEN_NOTIFY: &str = concat!(
    "WITH a AS (",
    audit_insert!(),
    ") SELECT set_config('lock_timeout', $10, TRUE), pg_notify($8, $9)"
);

/// The audit rows written, in a statement that fails if the transaction
/// can no longer commit.
pub(super) const AUDIT_THEN_CHECK: &str = concat!("WITH a AS (", audit_insert!(), ") SELECT 1");

/// Audit rows as PostgreSQL takes them: a statement whatever their number,
/// so it is prepared once (a VALUES list would be a new statement for each
/// number of rows). UNNEST yields the rows in the arrays' order, so their
/// ids keep it.
pub(super) struct AuditColumns<'a> {
    at: Vec<i64>,
    actors: Vec<&'a str>,
    actions: Vec<&'a str>,
    trips: Vec<i64>,
    holds: Vec<Option<i64>>,
    seats: Vec<&'a str>,
    details: Vec<&'a str>,
}

type PgQuery<'q> = sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>;

impl<'a> AuditColumns<'a> {
    pub(super) fn of(rows: &'a [PendingAudit]) -> Self {
        Self {
            at: rows.iter().map(|a| a.at).collect(),
            actors: rows.iter().map(|a| a.actor.as_str()).collect(),
            actions: rows.iter().map(|a| a.action.as_str()).collect(),
            trips: rows.iter().map(|a| a.trip_id).collect(),
            holds: rows.iter().map(|a| a.hold_id).collect(),
            seats: rows.iter().map(|a| a.seats.as_str()).collect(),
            details: rows.iter().map(|a| a.detail.as_str()).collect(),
        }
    }

    /// `query` with the columns bound as $1 to $7.
    pub(super) fn bind<'q>(self, query: PgQuery<'q>) -> PgQuery<'q>
    where
        'a: 'q,
    {
        query
            .bind(self.at)
            .bind(self.actors)
            .bind(self.actions)
            .bind(self.trips)
            .bind(self.holds)
            .bind(self.seats)
            .bind(self.details)
    }
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
