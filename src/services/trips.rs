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
    ///
    /// The map itself comes from memory when it can: it changes only when
    /// a write announces it (`notify`) or when a hold on the trip runs out,
    /// so a cached map is used from the time it was read until the trip's
    /// next hold expiry, unless a change came in between. Which seats are
    /// the asking session's is looked up per request.
    pub async fn trip_seats(
        &self,
        trip_id: i64,
        session: Option<&SessionKey>,
        now: DateTime<Utc>,
    ) -> Result<(Trip, Vec<Seat>), AppError> {
        let now_ms = to_ms(now);
        let (trip, mut seats) = match self.seat_maps.get(trip_id, now_ms) {
            Some(hit) => hit,
            None => {
                let generation = self.seat_maps.generation(trip_id);
                // One read transaction: the trip's counts, its seats and the
                // next expiry all come from the same snapshot.
                let mut tx = self.storage.reader().begin().await?;
                let (trip, seats) = self.read_seat_map(&mut tx, trip_id, now_ms).await?;
                let valid_until = storage::next_hold_expiry(&mut tx, trip_id, now_ms)
                    .await?
                    .unwrap_or(i64::MAX);
                tx.rollback().await?;
                self.seat_maps.put(
                    trip_id,
                    generation,
                    CachedMap {
                        trip: trip.clone(),
                        seats: seats.clone(),
                        read_at: now_ms,
                        valid_until,
                    },
                );
                (trip, seats)
            }
        };
        if let Some(key) = session {
            let mut conn = self.storage.reader().acquire().await?;
            if let Some(hold) = storage::live_hold_of_session(&mut conn, key.hash()).await?
                && hold.trip_id == trip_id
                && hold.expires_at > now_ms
            {
                let mine = storage::seats_of_hold(&mut conn, hold.id).await?;
                for seat in &mut seats {
                    seat.mine = seat.status == SeatStatus::Hold
                        && mine.iter().any(|m| *m == seat.code.to_string());
                }
            }
        }
        Ok((trip, seats))
    }

    /// The trip and its seats from the database, as nobody in particular
    /// sees them.
    async fn read_seat_map(
        &self,
        conn: &mut storage::Conn,
        trip_id: i64,
        now_ms: i64,
    ) -> Result<(Trip, Vec<Seat>), AppError> {
        let row = storage::trip_by_id(conn, trip_id, now_ms)
            .await?
            .ok_or(AppError::TripNotFound)?;
        let trip = trip_view(&row)?;
        let rows = storage::seats_of_trip(conn, trip_id, None, now_ms).await?;
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

/// A seat map read from the database at `read_at`, true until `valid_until`
/// (the trip's next hold expiry) unless a write changes the trip first.
#[derive(Clone, Debug)]
pub(crate) struct CachedMap {
    trip: Trip,
    seats: Vec<Seat>,
    read_at: i64,
    valid_until: i64,
}

#[derive(Debug, Default)]
struct CacheEntry {
    /// Bumped by every change announcement for the trip.
    generation: u64,
    map: Option<CachedMap>,
}

/// Seat maps in memory, one per trip, invalidated by change announcements.
///
/// A reader notes the trip's generation before it reads the database and
/// stores its result only if no announcement came in meanwhile; writers
/// announce after their commit. So a read that may have seen the state
/// before a commit is never stored after that commit's announcement.
#[derive(Debug, Default)]
pub(crate) struct SeatMapCache {
    entries: std::sync::Mutex<std::collections::HashMap<i64, CacheEntry>>,
}

impl SeatMapCache {
    /// Trips kept at most; past this the cache starts afresh.
    const MAX_TRIPS: usize = 10_000;

    fn lock(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<i64, CacheEntry>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn get(&self, trip_id: i64, now_ms: i64) -> Option<(Trip, Vec<Seat>)> {
        let entries = self.lock();
        let map = entries.get(&trip_id)?.map.as_ref()?;
        // Between `read_at` and `valid_until` no hold of the trip ran out,
        // so the map (and `seats_available`) read then is the map now.
        (map.read_at <= now_ms && now_ms < map.valid_until)
            .then(|| (map.trip.clone(), map.seats.clone()))
    }

    fn generation(&self, trip_id: i64) -> u64 {
        self.lock().get(&trip_id).map_or(0, |e| e.generation)
    }

    fn put(&self, trip_id: i64, generation: u64, map: CachedMap) {
        let mut entries = self.lock();
        if entries.len() >= Self::MAX_TRIPS && !entries.contains_key(&trip_id) {
            entries.clear();
        }
        let entry = entries.entry(trip_id).or_default();
        if entry.generation == generation {
            entry.map = Some(map);
        }
    }

    pub(crate) fn invalidate(&self, trip_id: i64) {
        let mut entries = self.lock();
        let entry = entries.entry(trip_id).or_default();
        entry.generation += 1;
        entry.map = None;
    }
}
