//! Reading trips and seat maps, and seeding the demo trips.

use chrono::{DateTime, Days, NaiveDate, NaiveTime, TimeZone, Utc};

use super::views::trip_view;
use super::{Service, SessionKey};
use crate::domain::{AppError, BusType, Seat, SeatCode, SeatStatus, Trip};
use crate::storage::{self, NewTrip, TripQuery, to_ms};

/// The passenger's search: all parts optional.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TripFilter {
    /// Part of the origin, any case.
    pub from: Option<String>,
    /// Part of the destination, any case.
    pub to: Option<String>,
    /// A day in the display time zone, `YYYY-MM-DD`.
    pub date: Option<String>,
}

impl Service {
    /// Listed trips (active, departing after `now`) matching the filter.
    pub async fn list_trips(
        &self,
        filter: &TripFilter,
        now: DateTime<Utc>,
    ) -> Result<Vec<Trip>, AppError> {
        let clean = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| s.chars().take(100).collect::<String>())
        };
        let depart_between = match clean(&filter.date) {
            None => None,
            Some(d) => {
                let day = NaiveDate::parse_from_str(&d, "%Y-%m-%d").map_err(|_| {
                    AppError::invalid("date must be a day such as 2026-12-24 (YYYY-MM-DD).")
                })?;
                Some(self.local_day_bounds(day)?)
            }
        };
        let q = TripQuery {
            from: clean(&filter.from),
            to: clean(&filter.to),
            depart_between,
        };
        storage::list_trips(self.storage.reader(), &q, to_ms(now))
            .await?
            .iter()
            .map(trip_view)
            .collect()
    }

    /// The UTC bounds `[start, end)` of a local day, in milliseconds.
    fn local_day_bounds(&self, day: NaiveDate) -> Result<(i64, i64), AppError> {
        let start_of = |d: NaiveDate| {
            self.tz
                .from_local_datetime(&d.and_time(NaiveTime::MIN))
                .earliest()
                .map(|t| to_ms(t.with_timezone(&Utc)))
        };
        let next = day
            .checked_add_days(Days::new(1))
            .ok_or_else(|| AppError::invalid("date is out of range."))?;
        match (start_of(day), start_of(next)) {
            (Some(a), Some(b)) => Ok((a, b)),
            _ => Err(AppError::invalid("date is out of range.")),
        }
    }

    /// A trip (listed or not) and its seat map as `session` sees it.
    pub async fn trip_seats(
        &self,
        trip_id: i64,
        session: Option<&SessionKey>,
        now: DateTime<Utc>,
    ) -> Result<(Trip, Vec<Seat>), AppError> {
        let mut conn = self.storage.reader().acquire().await?;
        let now_ms = to_ms(now);
        let row = storage::trip_by_id(&mut conn, trip_id, now_ms)
            .await?
            .ok_or(AppError::TripNotFound)?;
        let trip = trip_view(&row)?;
        let rows =
            storage::seats_of_trip(&mut conn, trip_id, session.map(SessionKey::hash), now_ms)
                .await?;
        let seats = rows
            .into_iter()
            .map(|r| {
                Ok(Seat {
                    code: SeatCode::parse(&r.code)
                        .map_err(|_| super::views::corrupt("seats.code"))?,
                    row: r.seat_row as u8,
                    col: r.seat_col as u8,
                    deck: r.deck as u8,
                    status: match r.status.as_str() {
                        "AVAILABLE" => SeatStatus::Available,
                        "HOLD" => SeatStatus::Hold,
                        "BOOKED" => SeatStatus::Booked,
                        _ => return Err(super::views::corrupt("seats.status")),
                    },
                    mine: r.mine,
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        Ok((trip, seats))
    }

    /// Seeds a few demo trips, one of each bus type and then some, departing
    /// in the coming days, when the database has no trip at all. Returns how
    /// many it created.
    pub async fn seed_demo(&self, now: DateTime<Utc>) -> Result<usize, AppError> {
        let mut tx = self.storage.begin().await?;
        if storage::count_trips(&mut tx).await? > 0 {
            return Ok(0);
        }
        let today = now.with_timezone(&self.tz).date_naive();
        let demo: [(&str, &str, u64, u32, i64, BusType); 6] = [
            ("Jakarta", "Bandung", 1, 7, 150_000, BusType::Economy),
            ("Jakarta", "Yogyakarta", 1, 19, 320_000, BusType::Executive),
            ("Jakarta", "Surabaya", 2, 17, 550_000, BusType::Sleeper),
            ("Bandung", "Jakarta", 2, 9, 150_000, BusType::Economy),
            ("Yogyakarta", "Malang", 3, 8, 240_000, BusType::Executive),
            ("Surabaya", "Denpasar", 3, 20, 420_000, BusType::Sleeper),
        ];
        for (from, to, days, hour, price, bus_type) in demo {
            let local = today
                .checked_add_days(Days::new(days))
                .and_then(|d| d.and_hms_opt(hour, 0, 0))
                .and_then(|t| self.tz.from_local_datetime(&t).earliest())
                .ok_or(AppError::Internal)?;
            let trip = NewTrip {
                route_from: from,
                route_to: to,
                depart_at: to_ms(local.with_timezone(&Utc)),
                price,
                bus_type,
                admin_wa: "6281234567890",
            };
            storage::insert_trip(&mut tx, &trip, to_ms(now)).await?;
        }
        tx.commit().await?;
        Ok(demo.len())
    }
}
