//! Hearing what other instances on the same PostgreSQL database commit.
//!
//! Every instance keeps seat maps and the trip search in memory, and every
//! batch that changes them sends a notification inside its transaction
//! (`road::notice`). This module keeps one connection per instance
//! listening for them, on a thread and runtime of its own (so a reply is
//! not kept waiting behind busy HTTP workers), and tells its owner
//! ([`Heard`]) what it hears, when the connection is lost and when it is
//! back.
//!
//! It also answers "has everything committed before now been heard?"
//! ([`Listener::sync`]): it sends a trivial query on the listening
//! connection. PostgreSQL signals every listener while a notifying
//! transaction commits, before the committer is answered, and a listening
//! backend hands its pending notifications to its client before it says it
//! is ready for the next query. So once the query's answer is in, every
//! notification of a transaction committed before the query was sent has
//! arrived ahead of it. One such query serves every caller waiting at that
//! moment.
//!
//! An instance that is the only writer on the database needs no sync
//! point: it has applied every change already (see `peers`). The listener
//! counts the other writers when it connects and at every heartbeat, hears
//! new ones introduce themselves, and tells [`Listener::sync`] whether it
//! is alone.
//!
//! A connection that breaks is seen at once (the read fails); one that
//! stops answering without breaking (a half-open TCP connection) is found
//! by a heartbeat query every few seconds. Either way the owner hears
//! [`Heard::Lost`], and [`Heard::Resumed`] once a new connection listens
//! again, which may have missed notifications in between.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};
use tokio::sync::{Notify, watch};

use super::peers::{self, Said};
use super::road::notice::{self, Notice};

/// How often an idle listening connection is asked whether it still answers
/// (and, unless alone, whether other writers are still there).
const HEARTBEAT: Duration = Duration::from_secs(5);
/// How long it may take to answer before it counts as lost.
const ANSWER_WITHIN: Duration = Duration::from_secs(3);
/// The pause before connecting again after a failure.
const RETRY_AFTER: Duration = Duration::from_millis(250);

/// What the listener tells its owner.
#[derive(Debug)]
pub enum Heard {
    /// A committed batch of some instance (perhaps this one).
    Notice(Notice),
    /// The connection is gone: nothing more is heard until `Resumed`.
    Lost,
    /// Listening (again): notifications from before may have been missed.
    Resumed,
}

/// Where the sync round trips stand, as the listener publishes it.
#[derive(Clone, Copy, Debug, Default)]
struct Trips {
    /// How many round trips have been answered (and their notifications
    /// delivered) on this listener since it started.
    answered: u64,
    /// Whether a connection listens now: when not, nobody can tell.
    up: bool,
}

/// What the handles and the listening thread share.
#[derive(Debug)]
struct Shared {
    /// How many round trips have been begun: raised before each one's query
    /// is sent, so one numbered above what a caller read was sent after it.
    begun: AtomicU64,
    /// Raised by a caller that needs a round trip (a stored permit: one that
    /// arrives during a round trip causes the next).
    wanted: Notify,
    /// Set when the last handle is gone.
    closed: AtomicBool,
    /// Whether no other process writes: set only while a connection
    /// listens, cleared before it answers a new writer (see `peers`).
    alone: AtomicBool,
    /// Sync points callers asked for (to show that a lone instance asks
    /// for none).
    asked: AtomicU64,
}

/// The handle of a listening connection; dropping the last one stops it.
#[derive(Clone, Debug)]
pub struct Listener {
    handle: Arc<Handle>,
    trips: watch::Receiver<Trips>,
}

#[derive(Debug)]
struct Handle(Arc<Shared>);

impl Drop for Handle {
    fn drop(&mut self) {
        self.0.closed.store(true, Ordering::Release);
        self.0.wanted.notify_one();
    }
}

impl Listener {
    /// Starts listening on a database at `options` for `instance`,
    /// telling `on`.
    pub(crate) fn start(
        options: PgConnectOptions,
        instance: u32,
        on: impl Fn(Heard) + Send + Sync + 'static,
    ) -> Self {
        let shared = Arc::new(Shared {
            begun: AtomicU64::new(0),
            wanted: Notify::new(),
            closed: AtomicBool::new(false),
            alone: AtomicBool::new(false),
            asked: AtomicU64::new(0),
        });
        let (published, trips) = watch::channel(Trips::default());
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("start the listener's runtime");
        let listening = Arc::clone(&shared);
        std::thread::Builder::new()
            .name("kursi-listener".into())
            .spawn(move || runtime.block_on(listen(options, instance, listening, published, on)))
            .expect("start the listener thread");
        Self {
            handle: Arc::new(Handle(shared)),
            trips,
        }
    }

    /// Returns `true` once every change committed before this call has
    /// been heard (and handed to the owner), `false` when the listener is
    /// not connected and cannot tell.
    ///
    /// A round trip numbered above the count begun at this call had its
    /// query sent after the call began, so its answer is the sync point.
    pub async fn sync(&self) -> bool {
        let shared = &self.handle.0;
        // Alone: every change was this process's own, applied before it
        // was answered.
        if shared.alone.load(Ordering::SeqCst) {
            return true;
        }
        let after = shared.begun.load(Ordering::Acquire) + 1;
        let mut trips = self.trips.clone();
        let now = *trips.borrow_and_update();
        if !now.up {
            return false;
        }
        if now.answered >= after {
            return true;
        }
        shared.asked.fetch_add(1, Ordering::Relaxed);
        shared.wanted.notify_one();
        match trips.wait_for(|t| !t.up || t.answered >= after).await {
            Ok(t) => t.up,
            Err(_) => false,
        }
    }
}

impl Listener {
    /// Whether this instance is (as far as it can tell now) the only one
    /// writing to the database, so that reads skip the sync point.
    pub fn alone(&self) -> bool {
        self.handle.0.alone.load(Ordering::SeqCst)
    }

    /// How many sync points callers have asked for so far.
    pub fn syncs_asked(&self) -> u64 {
        self.handle.0.asked.load(Ordering::Relaxed)
    }
}

/// Why serving a connection ended.
enum End {
    /// Every handle is gone: stop.
    Closed,
    /// The connection failed (the reason, for the log).
    Lost(String),
}

async fn listen(
    options: PgConnectOptions,
    instance: u32,
    shared: Arc<Shared>,
    published: watch::Sender<Trips>,
    on: impl Fn(Heard),
) {
    // One connection at a time; sqlx's listener takes it from a pool.
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(ANSWER_WITHIN)
        .connect_lazy_with(options);
    let mut lost = false;
    loop {
        if shared.closed.load(Ordering::Acquire) {
            return;
        }
        let connected = async {
            let mut listener = PgListener::connect_with(&pool).await?;
            // A lost connection is ours to notice (and to say so) before
            // anything is heard on a new one.
            listener.eager_reconnect(false);
            listener
                .listen_all([notice::CHANNEL, peers::CHANNEL])
                .await?;
            sqlx::Result::Ok(listener)
        };
        let mut listener = match tokio::time::timeout(ANSWER_WITHIN, connected).await {
            Ok(Ok(listener)) => listener,
            failed => {
                if !lost {
                    let error = match failed {
                        Ok(Err(e)) => sqlx::Error::to_string(&e),
                        _ => "timed out".to_string(),
                    };
                    tracing::warn!(%error, "cannot listen for other instances' changes; retrying");
                    lost = true;
                }
                // Callers meanwhile hear "cannot tell" (`up` is false); only
                // the last handle going away cuts the pause short.
                let pause = tokio::time::sleep(RETRY_AFTER);
                tokio::pin!(pause);
                loop {
                    tokio::select! {
                        _ = &mut pause => break,
                        _ = shared.wanted.notified() => {
                            if shared.closed.load(Ordering::Acquire) {
                                return;
                            }
                        }
                    }
                }
                continue;
            }
        };
        if lost {
            tracing::info!("listening for other instances' changes again");
            crate::metrics::listener_reconnected();
        }
        on(Heard::Resumed);
        published.send_modify(|t| t.up = true);
        let mut peers = Peers {
            me: instance,
            hellos: 0,
            answer_due: false,
        };
        let end = serve(&mut listener, &shared, &published, &on, &mut peers).await;
        if shared.alone.swap(false, Ordering::SeqCst) {
            crate::metrics::writes_alone(false);
        }
        published.send_modify(|t| t.up = false);
        match end {
            End::Closed => return,
            End::Lost(error) => {
                tracing::warn!(
                    %error,
                    "lost the connection that hears other instances' changes; \
                     seat maps come from the database until it is back"
                );
                lost = true;
                on(Heard::Lost);
            }
        }
    }
}

/// The least time between the starts of two sync round trips under load:
/// requests arriving meanwhile share the next one, so a burst of reads
/// costs the database and this thread one query per interval rather than
/// one per round-trip time, for at most this much more waiting. An idle
/// listener answers at once. Measured on the 2-core machine (README,
/// Benchmarks): with mimalloc, 300–1,000 µs gave the PostgreSQL reads
/// 26–28k req/s against 17–25k back to back; with glibc's malloc no gain
/// showed through the noise.
const SYNC_GAP: Duration = Duration::from_micros(500);

/// What the listener knows of the other writers on its connection.
struct Peers {
    /// This instance (its own writer's `hello` needs no answer).
    me: u32,
    /// How many other writers' `hello`s have been heard.
    hellos: u64,
    /// A `hello` was heard and not yet answered.
    answer_due: bool,
}

/// Hears notifications, answers sync points and beats until the
/// connection fails or every handle is gone.
async fn serve(
    listener: &mut PgListener,
    shared: &Shared,
    published: &watch::Sender<Trips>,
    on: &impl Fn(Heard),
    peers: &mut Peers,
) -> End {
    // Listening (and not alone): a writer waiting for this listener may go
    // on. Then, alone unless another writer is connected.
    if let Err(e) = answer(listener, shared, on, peers).await {
        return End::Lost(e);
    }
    if let Err(e) = look_around(listener, shared, on, peers).await {
        return End::Lost(e);
    }
    let mut beat = tokio::time::interval(HEARTBEAT);
    beat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    beat.tick().await;
    let mut last = tokio::time::Instant::now();
    loop {
        let step = tokio::select! {
            // Cancel-safe: a notification is not lost when another branch wins.
            heard = listener.try_recv() => match heard {
                Ok(Some(n)) => {
                    deliver(shared, on, peers, n.channel(), n.payload());
                    Ok(())
                }
                Ok(None) => Err("the connection closed".into()),
                Err(e) => Err(e.to_string()),
            },
            _ = shared.wanted.notified() => {
                if shared.closed.load(Ordering::Acquire) {
                    return End::Closed;
                }
                let next = last + SYNC_GAP;
                if tokio::time::Instant::now() < next {
                    tokio::time::sleep_until(next).await;
                }
                last = tokio::time::Instant::now();
                numbered_round_trip(listener, shared, published, on, peers).await
            }
            _ = beat.tick() => {
                match numbered_round_trip(listener, shared, published, on, peers).await {
                    Ok(()) if !shared.alone.load(Ordering::SeqCst) => {
                        look_around(listener, shared, on, peers).await
                    }
                    other => other,
                }
            }
        };
        let step = match step {
            Ok(()) if peers.answer_due => answer(listener, shared, on, peers).await,
            other => other,
        };
        if let Err(e) = step {
            return End::Lost(e);
        }
    }
}

/// Says `here` (this listener is not alone and has heard every `hello`
/// committed before), until no `hello` heard meanwhile is left unanswered.
async fn answer(
    listener: &mut PgListener,
    shared: &Shared,
    on: &impl Fn(Heard),
    peers: &mut Peers,
) -> Result<(), String> {
    loop {
        peers.answer_due = false;
        if shared.alone.swap(false, Ordering::SeqCst) {
            crate::metrics::writes_alone(false);
        }
        let said = sqlx::query("SELECT pg_notify($1, $2)")
            .bind(peers::CHANNEL)
            .bind(Said::Here(peers.me).encode())
            .execute(&mut *listener);
        answered_within(said).await?;
        drain(listener, shared, on, peers);
        if !peers.answer_due {
            return Ok(());
        }
    }
}

/// Counts the other writers; with none, and no `hello` heard while
/// counting, this instance is alone (see `peers`).
async fn look_around(
    listener: &mut PgListener,
    shared: &Shared,
    on: &impl Fn(Heard),
    peers: &mut Peers,
) -> Result<(), String> {
    let hellos = peers.hellos;
    let others: i64 = answered_within(
        sqlx::query_scalar(peers::OTHER_WRITERS)
            .bind(peers::writer_name(peers.me))
            .fetch_one(&mut *listener),
    )
    .await?;
    // Every change committed before the count is heard first.
    drain(listener, shared, on, peers);
    if peers.answer_due {
        return answer(listener, shared, on, peers).await;
    }
    if others == 0 && peers.hellos == hellos && !shared.alone.load(Ordering::SeqCst) {
        tracing::debug!("no other instance writes: reads skip the sync point");
        shared.alone.store(true, Ordering::SeqCst);
        crate::metrics::writes_alone(true);
    }
    Ok(())
}

/// A round trip that counts as a sync point: begun before its query is
/// sent, published as answered once its notifications are delivered.
async fn numbered_round_trip(
    listener: &mut PgListener,
    shared: &Shared,
    published: &watch::Sender<Trips>,
    on: &impl Fn(Heard),
    peers: &mut Peers,
) -> Result<(), String> {
    let number = shared.begun.fetch_add(1, Ordering::AcqRel) + 1;
    answered_within(sqlx::query("SELECT 1").execute(&mut *listener)).await?;
    drain(listener, shared, on, peers);
    published.send_modify(|t| t.answered = number);
    Ok(())
}

/// A query's answer, or why there was none within [`ANSWER_WITHIN`].
async fn answered_within<T>(
    query: impl std::future::Future<Output = sqlx::Result<T>>,
) -> Result<T, String> {
    match tokio::time::timeout(ANSWER_WITHIN, query).await {
        Ok(Ok(answer)) => Ok(answer),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("no answer within 3 s".into()),
    }
}

/// Delivers every notification that arrived during the last query.
fn drain(listener: &mut PgListener, shared: &Shared, on: &impl Fn(Heard), peers: &mut Peers) {
    while let Some(n) = listener.next_buffered() {
        deliver(shared, on, peers, n.channel(), n.payload());
    }
}

fn deliver(shared: &Shared, on: &impl Fn(Heard), peers: &mut Peers, channel: &str, payload: &str) {
    if channel == peers::CHANNEL {
        match Said::decode(payload) {
            // Another writer is about to write: not alone from now on,
            // and it waits for this listener to say so.
            Some(Said::Hello(id)) if id != peers.me => {
                if shared.alone.swap(false, Ordering::SeqCst) {
                    crate::metrics::writes_alone(false);
                }
                peers.hellos += 1;
                peers.answer_due = true;
            }
            Some(_) => {}
            None => tracing::warn!(payload, "ignored a message this version does not read"),
        }
        return;
    }
    match notice::decode(payload) {
        Some(notice) => on(Heard::Notice(notice)),
        None => tracing::warn!(payload, "ignored a notification this version does not read"),
    }
}
