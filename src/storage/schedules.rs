//! Schedules and the trips made from them (see `domain::schedule`).

use sqlx::FromRow;

use super::{Connection, DbResult, NewTrip};

#[derive(Clone, Debug, FromRow)]
pub struct ScheduleRow {
    pub id: i64,
    pub route_from: String,
    pub route_to: String,
    pub depart_minute: i64,
    pub days: i64,
    pub bus_type: String,
    pub price: i64,
    pub admin_wa: String,
    pub valid_from: String,
    pub valid_until: Option<String>,
    pub is_active: bool,
    /// The stops as JSON (`domain::Stops`), copied to every trip made.
    pub stops: String,
}

const COLUMNS: &str = "id, route_from, route_to, depart_minute, days, bus_type, price, admin_wa, \
                       valid_from, valid_until, is_active, stops";

/// A schedule's row before it has an id.
pub struct NewScheduleRow<'a> {
    pub route_from: &'a str,
    pub route_to: &'a str,
    pub depart_minute: i64,
    pub days: i64,
    pub bus_type: &'a str,
    pub price: i64,
    pub admin_wa: &'a str,
    pub valid_from: &'a str,
    pub valid_until: Option<&'a str>,
    pub stops: &'a str,
}

pub async fn insert_schedule(
    conn: &mut impl Connection,
    s: &NewScheduleRow<'_>,
    created_by: &str,
    now_ms: i64,
) -> DbResult<i64> {
    on!(conn, |conn| {
        sqlx::query_scalar(
            "INSERT INTO schedules (route_from, route_to, depart_minute, days, bus_type, price,
                 admin_wa, valid_from, valid_until, is_active, created_by, created_at, stops)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, TRUE, $10, $11, $12) RETURNING id",
        )
        .bind(s.route_from)
        .bind(s.route_to)
        .bind(s.depart_minute)
        .bind(s.days)
        .bind(s.bus_type)
        .bind(s.price)
        .bind(s.admin_wa)
        .bind(s.valid_from)
        .bind(s.valid_until)
        .bind(created_by)
        .bind(now_ms)
        .bind(s.stops)
        .fetch_one(conn)
        .await
    })
}

/// Overwrites a schedule's rule; false when there is no such schedule.
pub async fn update_schedule(
    conn: &mut impl Connection,
    id: i64,
    s: &NewScheduleRow<'_>,
) -> DbResult<bool> {
    on!(conn, |conn| {
        sqlx::query(
            "UPDATE schedules SET route_from = $2, route_to = $3, depart_minute = $4, days = $5,
                 bus_type = $6, price = $7, admin_wa = $8, valid_from = $9, valid_until = $10,
                 stops = $11
             WHERE id = $1",
        )
        .bind(id)
        .bind(s.route_from)
        .bind(s.route_to)
        .bind(s.depart_minute)
        .bind(s.days)
        .bind(s.bus_type)
        .bind(s.price)
        .bind(s.admin_wa)
        .bind(s.valid_from)
        .bind(s.valid_until)
        .bind(s.stops)
        .execute(conn)
        .await
        .map(|r| r.rows_affected() == 1)
    })
}

/// Every schedule, newest first.
pub async fn all_schedules(conn: &mut impl Connection) -> DbResult<Vec<ScheduleRow>> {
    on!(conn, |conn| {
        sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM schedules ORDER BY id DESC LIMIT 500"
        ))
        .fetch_all(conn)
        .await
    })
}

pub async fn schedule_by_id(conn: &mut impl Connection, id: i64) -> DbResult<Option<ScheduleRow>> {
    on!(conn, |conn| {
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM schedules WHERE id = $1"))
            .bind(id)
            .fetch_optional(conn)
            .await
    })
}

/// Stops a schedule (no more trips are made from it); false when there is
/// no such running schedule.
pub async fn stop_schedule(conn: &mut impl Connection, id: i64) -> DbResult<bool> {
    on!(conn, |conn| {
        sqlx::query("UPDATE schedules SET is_active = FALSE WHERE id = $1 AND is_active = TRUE")
            .bind(id)
            .execute(conn)
            .await
            .map(|r| r.rows_affected() == 1)
    })
}

/// A date of a schedule: skipped, or with a price of its own.
#[derive(Clone, Debug, FromRow)]
pub struct ScheduleDateRow {
    pub schedule_id: i64,
    pub date: String,
    pub skipped: bool,
    pub price: Option<i64>,
}

pub async fn schedule_dates(
    conn: &mut impl Connection,
    schedule_ids: &[i64],
) -> DbResult<Vec<ScheduleDateRow>> {
    if schedule_ids.is_empty() {
        return Ok(Vec::new());
    }
    on!(conn, |conn| {
        let mut q = sqlx::QueryBuilder::new(
            "SELECT schedule_id, date, skipped, price FROM schedule_dates WHERE schedule_id IN (",
        );
        let mut list = q.separated(", ");
        for id in schedule_ids {
            list.push_bind(*id);
        }
        q.push(") ORDER BY date");
        q.build_query_as().fetch_all(conn).await
    })
}

/// Sets what a date of a schedule is (skipped, or its price); `None` for
/// both makes it an ordinary date again.
pub async fn set_schedule_date(
    conn: &mut impl Connection,
    schedule_id: i64,
    date: &str,
    skipped: bool,
    price: Option<i64>,
) -> DbResult<()> {
    on!(conn, |conn| {
        if !skipped && price.is_none() {
            sqlx::query("DELETE FROM schedule_dates WHERE schedule_id = $1 AND date = $2")
                .bind(schedule_id)
                .bind(date)
                .execute(conn)
                .await
                .map(|_| ())
        } else {
            sqlx::query(
                "INSERT INTO schedule_dates (schedule_id, date, skipped, price)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (schedule_id, date) DO UPDATE
                 SET skipped = excluded.skipped, price = excluded.price",
            )
            .bind(schedule_id)
            .bind(date)
            .bind(skipped)
            .bind(price)
            .execute(conn)
            .await
            .map(|_| ())
        }
    })
}

/// Makes the trip of `schedule_id` on `service_date` unless it exists;
/// its id when this call made it. Two writers making the same trip at
/// once make it once (the unique index; the second does nothing).
pub async fn insert_scheduled_trip(
    conn: &mut impl Connection,
    t: &NewTrip<'_>,
    schedule_id: i64,
    service_date: &str,
    now_ms: i64,
) -> DbResult<Option<i64>> {
    let id: Option<i64> = on!(conn, |conn| {
        sqlx::query_scalar(
            "INSERT INTO trips (route_from, route_to, depart_at, price, bus_type, admin_wa,
                 is_active, created_at, schedule_id, service_date, stops)
             VALUES ($1, $2, $3, $4, $5, $6, TRUE, $7, $8, $9, $10)
             ON CONFLICT (schedule_id, service_date) WHERE schedule_id IS NOT NULL DO NOTHING
             RETURNING id",
        )
        .bind(t.route_from)
        .bind(t.route_to)
        .bind(t.depart_at)
        .bind(t.price)
        .bind(t.bus_type.as_str())
        .bind(t.admin_wa)
        .bind(now_ms)
        .bind(schedule_id)
        .bind(service_date)
        .bind(t.stops)
        .fetch_optional(conn)
        .await
    })?;
    if let Some(id) = id {
        super::trips::insert_seats(conn, id, &t.bus_type.layout()).await?;
    }
    Ok(id)
}

/// A trip made from a schedule, as editing the schedule sees it.
#[derive(Clone, Debug, FromRow)]
pub struct ScheduledTripRow {
    pub id: i64,
    pub service_date: String,
    pub route_from: String,
    pub route_to: String,
    pub depart_at: i64,
    pub price: i64,
    pub bus_type: String,
    pub admin_wa: String,
    pub is_active: bool,
    pub stops: String,
    /// Whether any hold (live, paid or ended) ever took its seats: such a
    /// trip is never changed by editing its schedule.
    pub has_holds: bool,
}

/// The trips of a schedule departing after `after_ms`.
pub async fn scheduled_trips_after(
    conn: &mut impl Connection,
    schedule_id: i64,
    after_ms: i64,
) -> DbResult<Vec<ScheduledTripRow>> {
    on!(conn, |conn| {
        sqlx::query_as(
            "SELECT t.id, t.service_date, t.route_from, t.route_to, t.depart_at, t.price,
                    t.bus_type, t.admin_wa, t.is_active, t.stops,
                    EXISTS (SELECT 1 FROM holds h WHERE h.trip_id = t.id) AS has_holds
             FROM trips t
             WHERE t.schedule_id = $1 AND t.depart_at > $2
             ORDER BY t.depart_at",
        )
        .bind(schedule_id)
        .bind(after_ms)
        .fetch_all(conn)
        .await
    })
}

/// Puts a scheduled trip on or off sale at `price`, unless a hold ever took
/// one of its seats; true when it changed.
pub async fn set_scheduled_trip(
    conn: &mut impl Connection,
    trip_id: i64,
    on_sale: bool,
    price: i64,
) -> DbResult<bool> {
    on!(conn, |conn| {
        sqlx::query(
            "UPDATE trips SET is_active = $2, price = $3
             WHERE id = $1 AND (is_active <> $2 OR price <> $3)
               AND NOT EXISTS (SELECT 1 FROM holds WHERE trip_id = $1)",
        )
        .bind(trip_id)
        .bind(on_sale)
        .bind(price)
        .execute(conn)
        .await
        .map(|r| r.rows_affected() == 1)
    })
}
