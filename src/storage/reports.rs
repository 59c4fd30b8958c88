//! What the reports read: bookings paid in a range, what became of the
//! holds opened in a range, and how full the coming trips are. Each is one
//! statement; the adding up is `domain::report`'s.

use sqlx::FromRow;

use super::{Connection, DbResult};

/// A booking paid in the range, with what it counts for.
#[derive(Clone, Debug, FromRow)]
pub struct SaleRow {
    pub booked_at: i64,
    pub route_from: String,
    pub route_to: String,
    pub seats: i64,
    /// The amount to transfer it had; none when unique amounts were off
    /// (then seats × price).
    pub amount_due: Option<i64>,
    pub price: i64,
}

/// Bookings (status BOOKED) paid from `from_ms` until `to_ms`.
pub async fn sales(conn: &mut impl Connection, from_ms: i64, to_ms: i64) -> DbResult<Vec<SaleRow>> {
    on!(conn, |conn| {
        sqlx::query_as(
            "SELECT h.booked_at, t.route_from, t.route_to, h.amount_due, t.price,
                    (SELECT CAST(COUNT(*) AS BIGINT) FROM hold_seats hs WHERE hs.hold_id = h.id) AS seats
             FROM holds h
             JOIN trips t ON t.id = h.trip_id
             WHERE h.status = 'BOOKED' AND h.booked_at >= $1 AND h.booked_at < $2
             ORDER BY h.booked_at",
        )
        .bind(from_ms)
        .bind(to_ms)
        .fetch_all(conn)
        .await
    })
}

/// How many holds opened in the range ended each way: the stored status,
/// whether contact was left, and whether a HELD hold's time has run out
/// at `now_ms` (the sweep may not have marked it yet).
#[derive(Clone, Debug, FromRow)]
pub struct OutcomeRow {
    pub status: String,
    pub with_contact: i64,
    pub lapsed: i64,
    pub holds: i64,
}

pub async fn hold_outcomes(
    conn: &mut impl Connection,
    from_ms: i64,
    to_ms: i64,
    now_ms: i64,
) -> DbResult<Vec<OutcomeRow>> {
    on!(conn, |conn| {
        sqlx::query_as(
            "SELECT status,
                    CAST(CASE WHEN claim_code IS NULL THEN 0 ELSE 1 END AS BIGINT) AS with_contact,
                    CAST(CASE WHEN status = 'HELD' AND expires_at <= $3 THEN 1 ELSE 0 END AS BIGINT) AS lapsed,
                    CAST(COUNT(*) AS BIGINT) AS holds
             FROM holds
             WHERE started_at >= $1 AND started_at < $2
             GROUP BY 1, 2, 3",
        )
        .bind(from_ms)
        .bind(to_ms)
        .bind(now_ms)
        .fetch_all(conn)
        .await
    })
}

/// One active trip departing in the window, with its seats counted.
#[derive(Clone, Debug, FromRow)]
pub struct FillRow {
    pub id: i64,
    pub route_from: String,
    pub route_to: String,
    pub depart_at: i64,
    pub seats_total: i64,
    pub booked: i64,
    pub held: i64,
}

/// Active trips departing from `from_ms` until `to_ms`, soonest first (at
/// most 500): seats, booked seats, and seats of holds live at `from_ms`.
pub async fn occupancy(
    conn: &mut impl Connection,
    from_ms: i64,
    to_ms: i64,
) -> DbResult<Vec<FillRow>> {
    on!(conn, |conn| {
        sqlx::query_as(
            "SELECT t.id, t.route_from, t.route_to, t.depart_at,
                    CAST(COUNT(*) AS BIGINT) AS seats_total,
                    CAST(SUM(CASE WHEN s.status = 'BOOKED' THEN 1 ELSE 0 END) AS BIGINT) AS booked,
                    CAST(SUM(CASE WHEN s.status = 'HOLD' AND h.expires_at > $1 THEN 1 ELSE 0 END) AS BIGINT) AS held
             FROM trips t
             JOIN seats s ON s.trip_id = t.id
             LEFT JOIN holds h ON h.id = s.hold_id
             WHERE t.is_active = TRUE AND t.depart_at >= $1 AND t.depart_at < $2
             GROUP BY t.id, t.route_from, t.route_to, t.depart_at
             ORDER BY t.depart_at, t.id
             LIMIT 500",
        )
        .bind(from_ms)
        .bind(to_ms)
        .fetch_all(conn)
        .await
    })
}
