//! Reading trips and seat maps, and seeding the demo trips.

use std::sync::Arc;

use chrono::{DateTime, Days, NaiveDate, NaiveTime, TimeZone, Utc};

use super::views::{stops_of, trip_view};
use super::{Service, SessionKey};
use crate::domain::{AppError, BusType, Seat, SeatCode, SeatStatus, Trip};
use crate::storage::road::Changed;
use crate::storage::{self, NewTrip, WriteTx, to_ms};

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
    /// Listed trips (active, departing after `now`) matching the filter,
    /// in departure order, at most 500.
    ///
    /// Served from memory: the search keys of every listed trip (dropped
    /// when a trip is created or edited) select the trips, and each trip
    /// with its seat counts comes from the seat-map cache, which a change
    /// or a hold expiry on that trip alone refreshes.
    pub async fn list_trips(
        &self,
        filter: &TripFilter,
        now: DateTime<Utc>,
    ) -> Result<Vec<Trip>, AppError> {
        Ok(self
            .listed_trips(filter, now)
            .await?
            .iter()
            .map(|t| t.trip().clone())
            .collect())
    }

    /// [`Service::list_trips`] as shared handles on the cached maps, for an
    /// adapter that serves the list to many visitors: each trip is encoded
    /// once per change of its map (see [`ListedTrip::rendered`]).
    pub async fn listed_trips(
        &self,
        filter: &TripFilter,
        now: DateTime<Utc>,
    ) -> Result<Vec<ListedTrip>, AppError> {
        let clean = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| {
                    s.chars()
                        .filter(|c| !c.is_control())
                        .take(100)
                        .collect::<String>()
                        .to_lowercase()
                })
        };
        let (start, end) = match clean(&filter.date) {
            None => (i64::MIN, i64::MAX),
            Some(d) => {
                let day = NaiveDate::parse_from_str(&d, "%Y-%m-%d").map_err(|_| {
                    AppError::invalid("date must be a day such as 2026-12-24 (YYYY-MM-DD).")
                })?;
                self.local_day_bounds(day)?
            }
        };
        let (from, to) = (clean(&filter.from), clean(&filter.to));
        let now_ms = to_ms(now);
        // One sync point for the whole listing.
        let synced = self.live.synced().await;
        let keys = self.listed_trip_keys(now_ms, synced).await?;
        let matches = keys.iter().filter(|k| {
            k.depart_at > now_ms
                && (start..end).contains(&k.depart_at)
                && crate::domain::stops::route_matches(&k.points, from.as_deref(), to.as_deref())
        });
        let mut trips = Vec::new();
        for key in matches.take(500) {
            let map = match self.seat_map_as(key.id, now_ms, synced).await {
                Ok(map) => map,
                // Deleted meanwhile: a listing is not the place to fail.
                Err(AppError::TripNotFound) => continue,
                Err(e) => return Err(e),
            };
            if map.trip.is_active && to_ms(map.trip.depart_at) > now_ms {
                trips.push(ListedTrip(map));
            }
        }
        Ok(trips)
    }

    /// The search keys of the listed trips, from memory or the database.
    async fn listed_trip_keys(
        &self,
        now_ms: i64,
        synced: bool,
    ) -> Result<Arc<Vec<TripKey>>, AppError> {
        if synced && let Some(keys) = self.live.trip_index.get() {
            return Ok(keys);
        }
        let generation = self.live.trip_index.generation();
        let keys: Vec<TripKey> = storage::listed_trip_keys(&mut self.storage.read().await?, now_ms)
            .await?
            .into_iter()
            .map(|(id, from, to, depart_at, stops)| {
                Ok(TripKey {
                    id,
                    points: crate::domain::stops::search_points(&from, &to, &stops_of(&stops)?),
                    depart_at,
                })
            })
            .collect::<Result<_, AppError>>()?;
        let keys = Arc::new(keys);
        if synced {
            self.live.trip_index.put(generation, keys.clone());
        }
        Ok(keys)
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
    /// Which seats are the asking session's is looked up per request; the
    /// rest comes from [`Service::seat_map`].
    pub async fn trip_seats(
        &self,
        trip_id: i64,
        session: Option<&SessionKey>,
        now: DateTime<Utc>,
    ) -> Result<(Trip, Vec<Seat>), AppError> {
        self.versioned_trip_seats(trip_id, session, now)
            .await
            .map(|(trip, seats, _)| (trip, seats))
    }

    /// [`Service::trip_seats`] with the version of the map it shows: the
    /// version a change announcement to live seat maps carries (see
    /// `live`), so a page can tell an event it has already seen.
    pub async fn versioned_trip_seats(
        &self,
        trip_id: i64,
        session: Option<&SessionKey>,
        now: DateTime<Utc>,
    ) -> Result<(Trip, Vec<Seat>, String), AppError> {
        let now_ms = to_ms(now);
        let map = self.seat_map(trip_id, now_ms).await?;
        let version = self.live.version_tag(map.generation);
        let (trip, mut seats) = (map.trip.clone(), map.seats.clone());
        if let Some(key) = session {
            let mut conn = self.storage.read().await?;
            if let Some((hold, mine)) = storage::live_hold_with_seats(&mut conn, key.hash()).await?
                && hold.trip_id == trip_id
                && hold.expires_at > now_ms
            {
                for seat in &mut seats {
                    seat.mine = seat.status == SeatStatus::Hold
                        && mine.iter().any(|m| m.code == seat.code.to_string());
                }
            }
        }
        Ok((trip, seats, version))
    }

    /// A trip and its seat map for a visitor without a hold.
    pub async fn public_seat_map(
        &self,
        trip_id: i64,
        now: DateTime<Utc>,
    ) -> Result<PublicSeatMap, AppError> {
        self.seat_map(trip_id, to_ms(now)).await.map(PublicSeatMap)
    }

    /// A trip and its seat map as nobody in particular sees it, from memory
    /// when it can: a map changes only when a write announces it
    /// (`LiveState::seats_changed`) or when a hold on the trip runs out, so
    /// a cached map is used from the time it was read until the trip's next
    /// hold expiry, unless a change came in between.
    async fn seat_map(&self, trip_id: i64, now_ms: i64) -> Result<Arc<CachedMap>, AppError> {
        let synced = self.live.synced().await;
        self.seat_map_as(trip_id, now_ms, synced).await
    }

    /// [`Service::seat_map`] when it is known whether memory is current
    /// (`synced`, see `LiveState::synced`); if not, the map comes from the
    /// database and is not kept.
    async fn seat_map_as(
        &self,
        trip_id: i64,
        now_ms: i64,
        synced: bool,
    ) -> Result<Arc<CachedMap>, AppError> {
        if synced && let Some(hit) = self.live.seat_maps.get(trip_id, now_ms) {
            return Ok(hit);
        }
        let generation = self.live.seat_maps.generation(trip_id);
        // One read transaction: the trip's counts, its seats and the next
        // expiry all come from the same snapshot.
        let mut tx = self.storage.snapshot().await?;
        let (trip, seats) = self.read_seat_map(&mut tx, trip_id, now_ms).await?;
        let valid_until = storage::next_hold_expiry(&mut tx, trip_id, now_ms)
            .await?
            .unwrap_or(i64::MAX);
        tx.finish().await?;
        let map = Arc::new(CachedMap {
            trip,
            seats,
            generation,
            read_at: now_ms,
            valid_until,
            rendered: Default::default(),
            rendered_trip: Default::default(),
        });
        if synced {
            self.live.seat_maps.put(trip_id, generation, map.clone());
        }
        Ok(map)
    }

    /// The trip and its seats from the database, as nobody in particular
    /// sees them.
    async fn read_seat_map(
        &self,
        conn: &mut impl storage::Connection,
        trip_id: i64,
        now_ms: i64,
    ) -> Result<(Trip, Vec<Seat>), AppError> {
        let row = storage::trip_by_id(conn, trip_id, now_ms)
            .await?
            .ok_or(AppError::TripNotFound)?;
        let trip = trip_view(&row)?;
        let rows = storage::seats_of_trip(conn, trip_id, now_ms).await?;
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
                    mine: false,
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        Ok((trip, seats))
    }

    /// Seeds a few demo trips, one of each bus type and then some, departing
    /// in the coming days, when the database has no trip at all. Returns how
    /// many it created.
    pub async fn seed_demo(&self, now: DateTime<Utc>) -> Result<usize, AppError> {
        let this = self.clone();
        let n = self
            .write_tx(now, move |tx| {
                Box::pin(async move { Ok((this.seed_demo_in(tx, now).await?, Changed::listing())) })
            })
            .await?;
        Ok(n)
    }

    async fn seed_demo_in(&self, tx: &mut WriteTx, now: DateTime<Utc>) -> Result<usize, AppError> {
        // Instances starting together on an empty database: one seeds, the
        // others then find its trips.
        storage::serialize_on(tx, "seed demo trips").await?;
        if storage::count_trips(&mut *tx).await? > 0 {
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
                // The night bus to Yogyakarta picks up along the way.
                stops: if to == "Yogyakarta" {
                    r#"[{"place":"Terminal Kampung Rambutan","minutes":0},{"place":"Agen Cileunyi","minutes":150},{"place":"Terminal Tasikmalaya","minutes":300},{"place":"Terminal Giwangan","minutes":660}]"#
                } else {
                    "[]"
                },
            };
            storage::insert_trip(&mut *tx, &trip, to_ms(now)).await?;
        }
        Ok(demo.len())
    }
}

/// A seat map read from the database at `read_at`, true until `valid_until`
/// (the trip's next hold expiry) unless a write changes the trip first.
#[derive(Clone, Debug)]
pub(crate) struct CachedMap {
    trip: Trip,
    seats: Vec<Seat>,
    /// The trip's change generation before the read: every change up to
    /// it is in this map.
    generation: u64,
    read_at: i64,
    valid_until: i64,
    /// The JSON API's rendering of this map for a visitor without a hold,
    /// made once per map (see [`PublicSeatMap`]).
    rendered: std::sync::OnceLock<bytes::Bytes>,
    /// The trip alone as the trip list renders it, made once per map (see
    /// [`ListedTrip`]).
    rendered_trip: std::sync::OnceLock<bytes::Bytes>,
}

/// A trip of the trip list, shared with every other visitor listing it
/// until its map changes.
#[derive(Clone, Debug)]
pub struct ListedTrip(Arc<CachedMap>);

impl ListedTrip {
    /// The trip with its seat counts.
    pub fn trip(&self) -> &Trip {
        &self.0.trip
    }

    /// This trip rendered by `render`, which runs once per map.
    pub fn rendered(&self, render: impl FnOnce(&Trip) -> bytes::Bytes) -> bytes::Bytes {
        self.0
            .rendered_trip
            .get_or_init(|| render(&self.0.trip))
            .clone()
    }
}

/// A trip's seat map as a visitor without a hold sees it (`mine` is false
/// everywhere), shared with every other such visitor until it changes.
#[derive(Clone, Debug)]
pub struct PublicSeatMap(Arc<CachedMap>);

impl PublicSeatMap {
    /// This map rendered by `render`, which runs once per map: the adapter
    /// that serves the map to many visitors encodes it once.
    pub fn rendered(&self, render: impl FnOnce(&Trip, &[Seat]) -> bytes::Bytes) -> bytes::Bytes {
        self.0
            .rendered
            .get_or_init(|| render(&self.0.trip, &self.0.seats))
            .clone()
    }
}

#[derive(Debug, Default)]
struct CacheEntry {
    /// Bumped by every change announcement for the trip.
    generation: u64,
    map: Option<Arc<CachedMap>>,
}

#[derive(Debug, Default)]
struct CacheState {
    /// Where a trip without an entry counts from: above every generation
    /// ever given out, so dropping entries never makes a version come
    /// again nor lets a read noted before be stored.
    floor: u64,
    entries: std::collections::HashMap<i64, CacheEntry>,
}

impl CacheState {
    fn generation(&self, trip_id: i64) -> u64 {
        self.entries
            .get(&trip_id)
            .map_or(self.floor, |e| e.generation)
    }

    fn entry(&mut self, trip_id: i64) -> &mut CacheEntry {
        let floor = self.floor;
        self.entries.entry(trip_id).or_insert_with(|| CacheEntry {
            generation: floor,
            map: None,
        })
    }

    /// Drops every entry (see `floor`).
    fn clear(&mut self) {
        let top = self.entries.values().map(|e| e.generation).max();
        self.floor = top.unwrap_or(self.floor).max(self.floor) + 1;
        self.entries.clear();
    }
}

/// Seat maps in memory, one per trip, invalidated by change announcements.
///
/// A reader notes the trip's generation before it reads the database and
/// stores its result only if no announcement came in meanwhile; writers
/// announce after their commit. So a read that may have seen the state
/// before a commit is never stored after that commit's announcement.
#[derive(Debug, Default)]
pub(crate) struct SeatMapCache {
    state: std::sync::Mutex<CacheState>,
}

impl SeatMapCache {
    /// Trips kept at most; past this the cache starts afresh.
    const MAX_TRIPS: usize = 10_000;

    fn lock(&self) -> std::sync::MutexGuard<'_, CacheState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn get(&self, trip_id: i64, now_ms: i64) -> Option<Arc<CachedMap>> {
        let state = self.lock();
        let map = state.entries.get(&trip_id)?.map.as_ref()?;
        // Between `read_at` and `valid_until` no hold of the trip ran out,
        // so the map (and `seats_available`) read then is the map now.
        (map.read_at <= now_ms && now_ms < map.valid_until).then(|| map.clone())
    }

    /// The trip's generation now, to note before a read.
    pub(crate) fn generation(&self, trip_id: i64) -> u64 {
        self.lock().generation(trip_id)
    }

    fn put(&self, trip_id: i64, generation: u64, map: Arc<CachedMap>) {
        let mut state = self.lock();
        if state.entries.len() >= Self::MAX_TRIPS && !state.entries.contains_key(&trip_id) {
            state.clear();
        }
        let entry = state.entry(trip_id);
        if entry.generation == generation {
            entry.map = Some(map);
        }
    }

    /// Drops the trip's map; returns the trip's new generation.
    pub(crate) fn invalidate(&self, trip_id: i64) -> u64 {
        let mut state = self.lock();
        let entry = state.entry(trip_id);
        entry.generation += 1;
        entry.map = None;
        entry.generation
    }

    /// Drops every map; no read noted before is stored, and no version a
    /// page has seen comes again.
    pub(crate) fn invalidate_all(&self) {
        self.lock().clear();
    }
}

/// What the trip search looks at, for one listed trip.
#[derive(Debug)]
pub(crate) struct TripKey {
    id: i64,
    /// Lowercased (Unicode) names of each point where it stops, in order
    /// (`domain::stops::search_points`).
    points: Vec<String>,
    depart_at: i64,
}

/// The search keys of every listed trip, in departure order. Only trips
/// being created or edited change the set (departed trips are filtered out
/// by time), so it is dropped by [`TripIndex::invalidate`] after those
/// commits, with the same generation rule as [`SeatMapCache`].
#[derive(Debug, Default)]
pub(crate) struct TripIndex {
    state: std::sync::Mutex<(u64, Option<Arc<Vec<TripKey>>>)>,
}

impl TripIndex {
    fn lock(&self) -> std::sync::MutexGuard<'_, (u64, Option<Arc<Vec<TripKey>>>)> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn get(&self) -> Option<Arc<Vec<TripKey>>> {
        self.lock().1.clone()
    }

    fn generation(&self) -> u64 {
        self.lock().0
    }

    fn put(&self, generation: u64, keys: Arc<Vec<TripKey>>) {
        let mut state = self.lock();
        if state.0 == generation {
            state.1 = Some(keys);
        }
    }

    pub(crate) fn invalidate(&self) {
        let mut state = self.lock();
        state.0 += 1;
        state.1 = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dropping_everything_keeps_versions_rising_and_stale_reads_out() {
        let cache = SeatMapCache::default();
        cache.invalidate(1);
        cache.invalidate(1);
        let noted = cache.generation(1);
        let noted_new = cache.generation(2);
        cache.invalidate_all();
        assert!(cache.generation(1) > noted, "no version comes again");
        assert!(cache.generation(2) > noted_new);
        assert!(cache.invalidate(1) > noted + 1);
        // A read noted before the drop is not stored after it.
        let map = Arc::new(CachedMap {
            trip: Trip {
                id: 2,
                route_from: "Jakarta".into(),
                route_to: "Bandung".into(),
                depart_at: DateTime::<Utc>::MAX_UTC,
                price: 150_000,
                bus_type: BusType::Economy,
                admin_wa: "6281234567890".into(),
                is_active: true,
                seats_total: 40,
                seats_available: 40,
                stops: Vec::new(),
            },
            seats: Vec::new(),
            generation: noted_new,
            read_at: 0,
            valid_until: i64::MAX,
            rendered: Default::default(),
            rendered_trip: Default::default(),
        });
        cache.put(2, noted_new, map.clone());
        assert!(cache.get(2, 1).is_none());
        cache.put(2, cache.generation(2), map);
        assert!(cache.get(2, 1).is_some());
    }
}
