//! Trips and seats.

use super::{Connection, DbResult, SeatRow, TripRow};
use crate::domain::{BusType, SeatPosition};

/// The trip columns plus seat counts, where a seat of an expired hold counts
/// as available whether or not the sweep has run (`?1` is now).
pub(super) const TRIP_SELECT: &str = "
    SELECT t.id, t.route_from, t.route_to, t.depart_at, t.price, t.bus_type, t.admin_wa,
           t.is_active, t.stops,
           (SELECT COUNT(*) FROM seats s WHERE s.trip_id = t.id) AS seats_total,
           (SELECT COUNT(*) FROM seats s LEFT JOIN holds h ON h.id = s.hold_id
             WHERE s.trip_id = t.id
               AND (s.status = 'AVAILABLE' OR (s.status = 'HOLD' AND h.expires_at <= $1))
           ) AS seats_available
    FROM trips t";

/// The search keys (id, origin, destination, departure, stops) of the
/// listed trips: active and departing after `now_ms`, in departure order.
pub async fn listed_trip_keys(
    conn: &mut impl Connection,
    now_ms: i64,
) -> DbResult<Vec<(i64, String, String, i64, String)>> {
    on!(conn, |conn| {
        sqlx::query_as(
            "SELECT id, route_from, route_to, depart_at, stops FROM trips
         WHERE is_active = TRUE AND depart_at > $1
         ORDER BY depart_at, id",
        )
        .bind(now_ms)
        .fetch_all(conn)
        .await
    })
}

/// Every trip, for the admin, newest departure first.
pub async fn all_trips(conn: &mut impl Connection, now_ms: i64) -> DbResult<Vec<TripRow>> {
    on!(conn, |conn| {
        let sql = format!("{TRIP_SELECT} ORDER BY t.depart_at DESC, t.id DESC LIMIT 1000");
        sqlx::query_as::<_, TripRow>(&sql)
            .bind(now_ms)
            .fetch_all(conn)
            .await
    })
}

/// The trips with these ids (in no particular order), in one statement.
pub async fn trips_by_ids(
    conn: &mut impl Connection,
    ids: &[i64],
    now_ms: i64,
) -> DbResult<Vec<TripRow>> {
    on!(conn, |conn| {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        // The time is ?1; the ids follow as ?2, ?3, …
        let list = (2..ids.len() + 2)
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!("{TRIP_SELECT} WHERE t.id IN ({list})");
        let mut query = sqlx::query_as::<_, TripRow>(&sql).bind(now_ms);
        for id in ids {
            query = query.bind(*id);
        }
        query.fetch_all(conn).await
    })
}

pub async fn trip_by_id(
    conn: &mut impl Connection,
    id: i64,
    now_ms: i64,
) -> DbResult<Option<TripRow>> {
    on!(conn, |conn| {
        let sql = format!("{TRIP_SELECT} WHERE t.id = $2");
        sqlx::query_as::<_, TripRow>(&sql)
            .bind(now_ms)
            .bind(id)
            .fetch_optional(conn)
            .await
    })
}

/// The seats of a trip in map order, with their effective status (which
/// session holds them is the caller's business: the map is shared).
pub async fn seats_of_trip(
    conn: &mut impl Connection,
    trip_id: i64,
    now_ms: i64,
) -> DbResult<Vec<SeatRow>> {
    on!(conn, |conn| {
        sqlx::query_as::<_, SeatRow>(
            "SELECT s.code, s.seat_row, s.seat_col, s.deck,
                CASE WHEN s.status = 'HOLD' AND h.expires_at <= $1 THEN 'AVAILABLE'
                     ELSE s.status END AS status
         FROM seats s LEFT JOIN holds h ON h.id = s.hold_id
         WHERE s.trip_id = $2
         ORDER BY s.seat_row, s.seat_col",
        )
        .bind(now_ms)
        .bind(trip_id)
        .fetch_all(conn)
        .await
    })
}

pub struct NewTrip<'a> {
    pub route_from: &'a str,
    pub route_to: &'a str,
    pub depart_at: i64,
    pub price: i64,
    pub bus_type: BusType,
    pub admin_wa: &'a str,
    /// The stops as JSON (`domain::Stops`, checked).
    pub stops: &'a str,
}

/// Inserts a trip and lays out its seats from the bus type.
pub async fn insert_trip(
    conn: &mut impl Connection,
    t: &NewTrip<'_>,
    now_ms: i64,
) -> DbResult<i64> {
    on!(conn, |conn| {
        let id: i64 = sqlx::query_scalar(
        "INSERT INTO trips (route_from, route_to, depart_at, price, bus_type, admin_wa, is_active, created_at, stops)
         VALUES ($1, $2, $3, $4, $5, $6, TRUE, $7, $8) RETURNING id",
    )
    .bind(t.route_from)
    .bind(t.route_to)
    .bind(t.depart_at)
    .bind(t.price)
    .bind(t.bus_type.as_str())
    .bind(t.admin_wa)
    .bind(now_ms)
    .bind(t.stops)
    .fetch_one(&mut *conn)
    .await?;
        insert_seats(conn, id, &t.bus_type.layout()).await?;
        Ok(id)
    })
}

/// Lays out a trip's seats, in one statement.
pub(super) async fn insert_seats(
    conn: &mut impl Connection,
    trip_id: i64,
    layout: &[SeatPosition],
) -> DbResult<()> {
    if layout.is_empty() {
        return Ok(());
    }
    on!(conn, |conn| {
        let mut q = sqlx::QueryBuilder::new(
            "INSERT INTO seats (trip_id, code, seat_row, seat_col, deck, status) ",
        );
        q.push_values(layout, |mut row, p| {
            row.push_bind(trip_id)
                .push_bind(p.code.to_string())
                .push_bind(i64::from(p.row))
                .push_bind(i64::from(p.col))
                .push_bind(i64::from(p.deck))
                .push_bind("AVAILABLE");
        });
        q.build().execute(conn).await.map(|_| ())
    })
}

/// Orders this write transaction after any other process's write that took
/// the same `key`, until it commits: on PostgreSQL a transaction-scoped
/// advisory lock (met like a row lock: the write runs again after the
/// other commits); nothing on SQLite, where a write transaction is the only
/// writer anyway. For checks that read, then write what they read
/// allowed: "no trip yet, so seed", "fewer than N live holds for this
/// WhatsApp number, so one more".
pub async fn serialize_on(conn: &mut impl Connection, key: &str) -> DbResult<()> {
    if !conn.is_postgres() {
        return Ok(());
    }
    match conn.raw() {
        super::Raw::Sqlite(_) => Ok(()),
        super::Raw::Postgres(c) => {
            sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                .bind(key)
                .execute(c)
                .await
                .map(|_| ())
        }
    }
}

/// A trip's stops as stored (JSON); `None` when there is no such trip.
pub async fn trip_stops(conn: &mut impl Connection, trip_id: i64) -> DbResult<Option<String>> {
    on!(conn, |conn| {
        sqlx::query_scalar("SELECT stops FROM trips WHERE id = $1")
            .bind(trip_id)
            .fetch_optional(conn)
            .await
    })
}

pub async fn count_trips(conn: &mut impl Connection) -> DbResult<i64> {
    on!(conn, |conn| {
        sqlx::query_scalar("SELECT COUNT(*) FROM trips")
            .fetch_one(conn)
            .await
    })
}

/// Overwrites a trip's details (the seats are changed by `relayout_seats`).
pub async fn update_trip(
    conn: &mut impl Connection,
    id: i64,
    t: &NewTrip<'_>,
    is_active: bool,
    only: TripsToUpdate,
) -> DbResult<bool> {
    let guard = match only {
        TripsToUpdate::Any => "",
        // Checked in the same statement, so a hold made meanwhile (by
        // another instance) keeps its trip as sold.
        TripsToUpdate::Unheld => " AND NOT EXISTS (SELECT 1 FROM holds WHERE trip_id = $8)",
    };
    on!(conn, |conn| {
        let sql = format!(
            "UPDATE trips SET route_from = $1, route_to = $2, depart_at = $3, price = $4,
                              bus_type = $5, admin_wa = $6, is_active = $7, stops = $9
             WHERE id = $8{guard}"
        );
        sqlx::query(&sql)
            .bind(t.route_from)
            .bind(t.route_to)
            .bind(t.depart_at)
            .bind(t.price)
            .bind(t.bus_type.as_str())
            .bind(t.admin_wa)
            .bind(is_active)
            .bind(id)
            .bind(t.stops)
            .execute(conn)
            .await
            .map(|r| r.rows_affected() == 1)
    })
}

/// Which trips [`update_trip`] may change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TripsToUpdate {
    /// The trip, whatever it has sold (the admin's edit checks first).
    Any,
    /// The trip only if nobody ever held a seat on it (a schedule's edit).
    Unheld,
}

/// Seats of a trip that are held or booked (as stored).
pub async fn count_taken_seats(conn: &mut impl Connection, trip_id: i64) -> DbResult<i64> {
    on!(conn, |conn| {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM seats WHERE trip_id = $1 AND status <> 'AVAILABLE'",
        )
        .bind(trip_id)
        .fetch_one(conn)
        .await
    })
}

/// Replaces the free seats of a trip with a new layout. Only called when no
/// seat is taken; the `status = 'AVAILABLE'` guard keeps it from ever
/// deleting a held or booked seat.
pub async fn relayout_seats(
    conn: &mut impl Connection,
    trip_id: i64,
    bus_type: BusType,
) -> DbResult<()> {
    on!(conn, |conn| {
        sqlx::query("DELETE FROM seats WHERE trip_id = $1 AND status = 'AVAILABLE'")
            .bind(trip_id)
            .execute(&mut *conn)
            .await?;
        insert_seats(conn, trip_id, &bus_type.layout()).await
    })
}
