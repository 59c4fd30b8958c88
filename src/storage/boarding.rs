//! Boarding: marking a booking's seats boarded, and the booking as the
//! bus door sees it.

use super::{Connection, DbResult, TripRow};

/// Marks the seats of booking `code` on trip `trip_id` boarded, those not
/// boarded yet, if the booking is still booked: one statement, so two crew
/// members scanning the same ticket at once board its seats once (the
/// second finds them boarded). Returns the hold and the seats boarded now.
pub async fn board_booking(
    conn: &mut impl Connection,
    trip_id: i64,
    booking_code: &str,
    at_ms: i64,
    by: &str,
) -> DbResult<Vec<(i64, String)>> {
    on!(conn, |conn| {
        sqlx::query_as(
            "UPDATE hold_seats SET boarded_at = $3, boarded_by = $4
             WHERE boarded_at IS NULL
               AND hold_id IN (SELECT id FROM holds
                               WHERE booking_code = $2 AND trip_id = $1 AND status = 'BOOKED')
             RETURNING hold_id, code",
        )
        .bind(trip_id)
        .bind(booking_code)
        .bind(at_ms)
        .bind(by)
        .fetch_all(conn)
        .await
    })
}

/// A booking as the door sees it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct DoorRow {
    pub hold_id: i64,
    pub trip_id: i64,
    pub status: String,
    /// The contact person.
    pub name: Option<String>,
}

/// A seat of a booking at the door.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct DoorSeatRow {
    pub code: String,
    pub passenger_name: Option<String>,
    pub boarded_at: Option<i64>,
    pub boarded_by: Option<String>,
}

pub async fn booking_at_door(
    conn: &mut impl Connection,
    booking_code: &str,
) -> DbResult<Option<(DoorRow, Vec<DoorSeatRow>)>> {
    on!(conn, |conn| {
        let row: Option<DoorRow> = sqlx::query_as(
            "SELECT id AS hold_id, trip_id, status, name FROM holds WHERE booking_code = $1",
        )
        .bind(booking_code)
        .fetch_optional(&mut *conn)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let seats = sqlx::query_as(
            "SELECT code, passenger_name, boarded_at, boarded_by FROM hold_seats
             WHERE hold_id = $1",
        )
        .bind(row.hold_id)
        .fetch_all(conn)
        .await?;
        Ok(Some((row, seats)))
    })
}

/// Active trips departing between the two times, earliest first (the
/// crew's list of today's buses).
pub async fn trips_departing(
    conn: &mut impl Connection,
    from_ms: i64,
    until_ms: i64,
    now_ms: i64,
) -> DbResult<Vec<TripRow>> {
    on!(conn, |conn| {
        let sql = format!(
            "{} WHERE t.is_active = TRUE AND t.depart_at >= $2 AND t.depart_at < $3
             ORDER BY t.depart_at, t.id LIMIT 200",
            super::trips::TRIP_SELECT
        );
        sqlx::query_as::<_, TripRow>(&sql)
            .bind(now_ms)
            .bind(from_ms)
            .bind(until_ms)
            .fetch_all(conn)
            .await
    })
}
