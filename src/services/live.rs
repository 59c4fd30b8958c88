//! What this process keeps in memory about the data, in one place
//! ([`LiveState`]): cached seat maps, the trip search's index, and who is
//! watching which trip. It is fed only by what writes report after their
//! commit ([`LiveState::changed`]), so nothing read before a change can be
//! served after it.
//!
//! Several instances on one PostgreSQL database: each batch's commit
//! carries a notification, and every instance hears the others' through
//! its listener (`storage::Listener`) and treats them like its own. What is
//! in memory is served only when it is known to be current
//! ([`LiveState::synced`]): on SQLite always (one process writes); on
//! PostgreSQL while the listener is connected, and after it has heard every
//! change committed before the request (one sync point on the listening
//! connection serves every request waiting for it). So no map read after
//! a write was acknowledged, on any instance, shows the state before it.
//! While the listener is down, maps come from the database; when it is
//! back, everything held is dropped and every live stream is told to
//! refresh, since changes may have been missed meanwhile.
//!
//! The watchers ([`Live`]): the fan-out of "this trip's seats changed" to
//! live seat maps (server-sent events), and the bounds on how many watchers
//! there may be.
//!
//! Why per trip: with one channel for every trip, each write woke every
//! open stream of every trip, only for most of them to drop the message. A
//! review measured a hold going from 3.6 to 26.7 ms with 8,000 streams open
//! on other trips. Here a write wakes only the streams of its own trip.
//!
//! Why bounded: each stream holds a connection and ~16 KiB; without a cap
//! one client could open streams until memory or descriptors run out. A
//! [`Watch`] is a place among `MAX_STREAMS` in all and `MAX_STREAMS_PER_IP`
//! per client; dropping it (the stream ends) gives the place back.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use tokio::sync::broadcast;

use crate::domain::AppError;
use crate::storage::road::Changed;
use crate::storage::road::notice::Notice;
use crate::storage::{Heard, Listener};

/// The event data that tells a live stream "you may have missed changes:
/// fetch the map" (no page has seen it: see `domain::version_seen`).
pub(crate) const MISSED: &str = "missed";

/// The in-memory state of one process.
#[derive(Debug)]
pub struct LiveState {
    /// This process's random name in version tags: a version seen from
    /// another instance is never taken for one of ours.
    instance: u32,
    /// Seat maps served from memory (see `trips::SeatMapCache`).
    pub(crate) seat_maps: super::trips::SeatMapCache,
    /// The trip search's keys (see `trips::TripIndex`).
    pub(crate) trip_index: super::trips::TripIndex,
    /// Live seat-map streams.
    pub(crate) streams: Arc<Live>,
    /// Poked by every change of seats, for the one task that plans around
    /// them (the sweep, which must learn of new expiries).
    any_change: tokio::sync::Notify,
    /// Whether what is in memory follows every change (see `synced`).
    trusted: AtomicBool,
    /// PostgreSQL: hears the other instances' changes.
    listener: OnceLock<Listener>,
}

impl Default for LiveState {
    fn default() -> Self {
        Self::new(true)
    }
}

impl LiveState {
    /// `trusted`: whether memory follows every change from the start (one
    /// process writes); otherwise only once a listener hears the others.
    pub fn new(trusted: bool) -> Self {
        Self {
            instance: rand::random(),
            seat_maps: Default::default(),
            trip_index: Default::default(),
            streams: Default::default(),
            any_change: Default::default(),
            trusted: AtomicBool::new(trusted),
            listener: OnceLock::new(),
        }
    }

    /// This process's name in notifications and version tags.
    pub fn instance(&self) -> u32 {
        self.instance
    }

    /// Hears the other instances through `listener` (see [`Self::heard`]).
    pub fn listen_with(&self, listener: Listener) {
        let _ = self.listener.set(listener);
    }

    /// Whether seat maps and the trip index held in memory may be served
    /// now: they have every change committed before this call. Always on
    /// SQLite; on PostgreSQL when the listener is connected and has reached
    /// a sync point after this call began.
    pub async fn synced(&self) -> bool {
        if !self.trusted.load(Ordering::Acquire) {
            return false;
        }
        match self.listener.get() {
            None => true,
            Some(listener) => listener.sync().await && self.trusted.load(Ordering::Acquire),
        }
    }

    /// Whether the listener finds this instance alone, and how many sync
    /// points reads asked it for (`None` without a listener).
    pub fn sync_points(&self) -> Option<(bool, u64)> {
        let listener = self.listener.get()?;
        Some((listener.alone(), listener.syncs_asked()))
    }

    /// After a commit of this process (the write road's announcement).
    pub fn changed(&self, changed: &Changed) {
        for trip in changed.trips() {
            self.seats_changed(*trip);
        }
        if changed.listing_changed() {
            self.trips_changed();
        }
    }

    /// What the listener heard (see `storage::Listener`).
    pub fn heard(&self, heard: Heard) {
        match heard {
            // Announced by the road before it answered anyone.
            Heard::Notice(notice) if notice.from() == self.instance => {}
            Heard::Notice(Notice::Changed { changed, .. }) => self.changed(&changed),
            Heard::Notice(Notice::Everything { .. }) => self.forget_everything(),
            Heard::Lost => self.trusted.store(false, Ordering::Release),
            Heard::Resumed => {
                self.forget_everything();
                self.trusted.store(true, Ordering::Release);
            }
        }
    }

    /// Drops every cached map and the trip index, and tells every live
    /// stream to fetch its map.
    fn forget_everything(&self) {
        self.seat_maps.invalidate_all();
        self.trip_index.invalidate();
        self.streams.announce_all(MISSED);
        self.any_change.notify_one();
    }

    /// After a commit that changed `trip`'s seats: its cached map is
    /// dropped and its streams are told to refresh, with the change's
    /// version.
    pub fn seats_changed(&self, trip: i64) {
        let generation = self.seat_maps.invalidate(trip);
        self.streams.announce(trip, self.version_tag(generation));
        self.any_change.notify_one();
    }

    /// A trip's change `generation` as pages see it: `instance.generation`.
    /// A page that shows version `v` has every change announced up to `v`
    /// (see `domain::version_seen`).
    pub fn version_tag(&self, generation: u64) -> String {
        format!("{:08x}.{generation}", self.instance)
    }

    /// Returns at the next change of any trip's seats (or at once if one
    /// came since the last call).
    pub async fn any_change(&self) {
        self.any_change.notified().await;
    }

    /// After a commit that added or edited trips: the search index is
    /// rebuilt at its next read.
    pub fn trips_changed(&self) {
        self.trip_index.invalidate();
    }
}

/// Messages a watcher may fall behind by before it is told "refresh" once.
const BACKLOG: usize = 16;

#[derive(Debug, Default)]
struct Inner {
    trips: HashMap<i64, broadcast::Sender<Arc<str>>>,
    per_client: HashMap<IpAddr, usize>,
    total: usize,
}

/// The live-update hub of one process.
#[derive(Debug)]
pub struct Live {
    inner: Mutex<Inner>,
    max_total: AtomicUsize,
    max_per_client: AtomicUsize,
}

impl Default for Live {
    fn default() -> Self {
        Self::new(10_000, 32)
    }
}

impl Live {
    pub fn new(max_total: usize, max_per_client: usize) -> Self {
        Self {
            inner: Mutex::default(),
            max_total: max_total.into(),
            max_per_client: max_per_client.into(),
        }
    }

    /// Changes the caps (streams already open stay open).
    pub fn set_limits(&self, max_total: usize, max_per_client: usize) {
        self.max_total.store(max_total, Ordering::Relaxed);
        self.max_per_client.store(max_per_client, Ordering::Relaxed);
    }

    /// A place to watch `trip` for `client` (a key from
    /// `limits::client_key`), or `rate_limited` when the client or the
    /// server has as many streams as allowed.
    pub fn watch(self: &Arc<Self>, trip: i64, client: IpAddr) -> Result<Watch, AppError> {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let mine = inner.per_client.get(&client).copied().unwrap_or(0);
        if inner.total >= self.max_total.load(Ordering::Relaxed)
            || mine >= self.max_per_client.load(Ordering::Relaxed)
        {
            tracing::warn!(
                %client,
                streams_of_client = mine,
                streams = inner.total,
                "live stream refused: too many open"
            );
            return Err(AppError::RateLimited { retry_after: 30 });
        }
        inner.total += 1;
        *inner.per_client.entry(client).or_default() += 1;
        let changes = inner
            .trips
            .entry(trip)
            .or_insert_with(|| broadcast::channel(BACKLOG).0)
            .subscribe();
        Ok(Watch {
            changes,
            place: Place {
                client,
                hub: self.clone(),
            },
        })
    }

    /// Tells the watchers of `trip` (only them) that its seats changed, and
    /// the change's version.
    pub fn announce(&self, trip: i64, version: String) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(tx) = inner.trips.get(&trip)
            && tx.send(version.into()).is_err()
        {
            // Nobody watches it any more.
            inner.trips.remove(&trip);
        }
    }

    /// Tells every watcher of every trip `version`.
    pub fn announce_all(&self, version: &str) {
        let version: Arc<str> = version.into();
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        // Trips nobody watches any more are forgotten.
        inner.trips.retain(|_, tx| tx.send(version.clone()).is_ok());
    }

    /// Open streams in all.
    pub fn streams(&self) -> usize {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).total
    }
}

/// One open stream: its `changes` receive each change of its trip (its
/// version); keep `place` as long as the stream is open.
#[derive(Debug)]
pub struct Watch {
    pub changes: broadcast::Receiver<Arc<str>>,
    pub place: Place,
}

impl Watch {
    /// What the stream should say next: waits for a change, then takes
    /// every change already waiting behind it and gives only the newest
    /// ([`MISSED`] if any of them was that, or if the stream fell behind
    /// by more than the backlog); `None` once nobody announces any more.
    ///
    /// Why: a page needs only the newest version. When a trip changes
    /// faster than a busy server gets round to its streams (thousands of
    /// passengers on one trip as it opens for sale), each stream then
    /// writes one event per turn instead of one per change, so the work of
    /// a turn stays bounded and every stream, on every trip, catches up.
    pub async fn next(&mut self) -> Option<Arc<str>> {
        use broadcast::error::{RecvError, TryRecvError};
        let missed: Arc<str> = Arc::from(MISSED);
        let mut newest = match self.changes.recv().await {
            Ok(version) => version,
            Err(RecvError::Lagged(_)) => missed.clone(),
            Err(RecvError::Closed) => return None,
        };
        loop {
            match self.changes.try_recv() {
                Ok(version) if &*newest != MISSED => newest = version,
                Ok(_) => {}
                Err(TryRecvError::Lagged(_)) => newest = missed.clone(),
                Err(TryRecvError::Empty | TryRecvError::Closed) => return Some(newest),
            }
        }
    }
}

/// A counted place among the streams; dropping it gives the place back.
#[derive(Debug)]
pub struct Place {
    client: IpAddr,
    hub: Arc<Live>,
}

impl Drop for Place {
    fn drop(&mut self) {
        let mut inner = self.hub.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.total -= 1;
        if let Some(n) = inner.per_client.get_mut(&self.client) {
            *n -= 1;
            if *n == 0 {
                inner.per_client.remove(&self.client);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn a_change_wakes_only_its_trips_watchers() {
        let live = Arc::new(Live::new(100, 10));
        let mut one = live.watch(1, ip("10.0.0.1")).unwrap();
        let mut two = live.watch(2, ip("10.0.0.2")).unwrap();
        live.announce(1, "v".into());
        assert!(one.changes.try_recv().is_ok());
        assert!(two.changes.try_recv().is_err(), "trip 2 was not woken");
    }

    #[test]
    fn streams_are_capped_per_client_and_in_all() {
        let live = Arc::new(Live::new(3, 2));
        let a1 = live.watch(1, ip("10.0.0.1")).unwrap();
        let _a2 = live.watch(1, ip("10.0.0.1")).unwrap();
        assert!(matches!(
            live.watch(2, ip("10.0.0.1")),
            Err(AppError::RateLimited { .. })
        ));
        let _b1 = live.watch(1, ip("10.0.0.2")).unwrap();
        assert!(live.watch(1, ip("10.0.0.3")).is_err(), "the total cap");
        assert_eq!(live.streams(), 3);
        // A closed stream gives its place back.
        drop(a1);
        assert_eq!(live.streams(), 2);
        live.watch(1, ip("10.0.0.1")).unwrap();
    }

    #[test]
    fn a_resync_tells_every_stream_to_refresh() {
        let live = Arc::new(Live::new(100, 10));
        let mut one = live.watch(1, ip("10.0.0.1")).unwrap();
        let mut two = live.watch(2, ip("10.0.0.2")).unwrap();
        live.announce_all(MISSED);
        assert_eq!(&*one.changes.try_recv().unwrap(), MISSED);
        assert_eq!(&*two.changes.try_recv().unwrap(), MISSED);
    }

    #[test]
    fn memory_is_served_only_while_it_follows_the_other_instances() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let state = LiveState::new(false);
        assert!(
            !rt.block_on(state.synced()),
            "not before the listener listens"
        );
        let watcher = state.streams.clone();
        let mut stream = watcher.watch(4, ip("10.0.0.1")).unwrap();
        let before = state.seat_maps.generation(4);
        state.heard(Heard::Resumed);
        assert!(rt.block_on(state.synced()));
        assert_eq!(
            &*stream.changes.try_recv().unwrap(),
            MISSED,
            "told to refresh"
        );
        assert_ne!(
            state.seat_maps.generation(4),
            before,
            "reads from before are not kept"
        );
        // Another instance's change drops the trip's map; our own was
        // announced already and is not announced twice.
        state.heard(Heard::Notice(Notice::Changed {
            from: state.instance() ^ 1,
            changed: Changed::trip(4),
        }));
        assert!(stream.changes.try_recv().is_ok());
        state.heard(Heard::Notice(Notice::Changed {
            from: state.instance(),
            changed: Changed::trip(4),
        }));
        assert!(stream.changes.try_recv().is_err());
        state.heard(Heard::Lost);
        assert!(
            !rt.block_on(state.synced()),
            "not while the listener is gone"
        );
    }

    #[tokio::test]
    async fn a_stream_that_fell_behind_says_only_the_newest() {
        let live = Arc::new(Live::new(100, 10));
        let mut watching = live.watch(1, ip("10.0.0.1")).unwrap();
        live.announce(1, "a.1".into());
        assert_eq!(watching.next().await.as_deref(), Some("a.1"));
        for g in 2..=5 {
            live.announce(1, format!("a.{g}"));
        }
        assert_eq!(
            watching.next().await.as_deref(),
            Some("a.5"),
            "one event for four"
        );
        // A refresh among them is not lost to a later version.
        live.announce(1, "a.6".into());
        live.announce_all(MISSED);
        live.announce(1, "a.7".into());
        assert_eq!(watching.next().await.as_deref(), Some(MISSED));
        // Nor is falling behind by more than the backlog.
        for g in 0..(BACKLOG + 4) {
            live.announce(1, format!("b.{g}"));
        }
        assert_eq!(watching.next().await.as_deref(), Some(MISSED));
        live.announce(1, "c.1".into());
        assert_eq!(watching.next().await.as_deref(), Some("c.1"));
    }

    #[test]
    fn unwatched_trips_are_forgotten() {
        let live = Arc::new(Live::new(10, 10));
        drop(live.watch(7, ip("10.0.0.1")).unwrap());
        live.announce(7, "v".into());
        assert!(live.inner.lock().unwrap().trips.is_empty());
    }
}
