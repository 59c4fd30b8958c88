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
//! A connection that breaks is seen at once (the read fails); one that
//! stops answering without breaking (a half-open TCP connection) is found
//! by a heartbeat query every few seconds. Either way the owner hears
//! [`Heard::Lost`], and [`Heard::Resumed`] once a new connection listens
//! again, which may have missed notifications in between.

use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};
use tokio::sync::{mpsc, oneshot};

use super::road::notice::{self, Notice};

/// How often an idle listening connection is asked whether it still answers.
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

/// A request for a sync point, answered once it is reached.
type Fence = oneshot::Sender<()>;

/// The handle of a listening connection; dropping the last one stops it.
#[derive(Clone, Debug)]
pub struct Listener {
    fences: mpsc::Sender<Fence>,
}

impl Listener {
    /// Starts listening on a database at `options`, telling `on`.
    pub(crate) fn start(
        options: PgConnectOptions,
        on: impl Fn(Heard) + Send + Sync + 'static,
    ) -> Self {
        let (fences, requests) = mpsc::channel(4096);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("start the listener's runtime");
        std::thread::Builder::new()
            .name("kursi-listener".into())
            .spawn(move || runtime.block_on(listen(options, requests, on)))
            .expect("start the listener thread");
        Self { fences }
    }

    /// Returns `true` once every change committed before this call has
    /// been heard (and handed to the owner), `false` when the listener is
    /// not connected and cannot tell.
    pub async fn sync(&self) -> bool {
        let (done, reached) = oneshot::channel();
        if self.fences.send(done).await.is_err() {
            return false;
        }
        reached.await.is_ok()
    }
}

/// Why serving a connection ended.
enum End {
    /// Every handle is gone: stop.
    Closed,
    /// The connection failed (the reason, for the log).
    Lost(String),
}

async fn listen(options: PgConnectOptions, mut fences: mpsc::Receiver<Fence>, on: impl Fn(Heard)) {
    // One connection at a time; sqlx's listener takes it from a pool.
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(ANSWER_WITHIN)
        .connect_lazy_with(options);
    let mut lost = false;
    loop {
        let connected = async {
            let mut listener = PgListener::connect_with(&pool).await?;
            // A lost connection is ours to notice (and to say so) before
            // anything is heard on a new one.
            listener.eager_reconnect(false);
            listener.listen(notice::CHANNEL).await?;
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
                // Nobody waits on a sync point meanwhile.
                let pause = tokio::time::sleep(RETRY_AFTER);
                tokio::pin!(pause);
                loop {
                    tokio::select! {
                        _ = &mut pause => break,
                        fence = fences.recv() => match fence {
                            Some(refused) => drop(refused),
                            None => return,
                        },
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
        match serve(&mut listener, &mut fences, &on).await {
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

/// Hears notifications, answers sync points and beats until the
/// connection fails or every handle is gone.
async fn serve(
    listener: &mut PgListener,
    fences: &mut mpsc::Receiver<Fence>,
    on: &impl Fn(Heard),
) -> End {
    let mut beat = tokio::time::interval(HEARTBEAT);
    beat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    beat.tick().await;
    loop {
        tokio::select! {
            // Cancel-safe: a notification is not lost when another branch wins.
            heard = listener.try_recv() => match heard {
                Ok(Some(n)) => deliver(on, n.payload()),
                Ok(None) => return End::Lost("the connection closed".into()),
                Err(e) => return End::Lost(e.to_string()),
            },
            fence = fences.recv() => {
                let Some(first) = fence else { return End::Closed };
                let mut waiting = vec![first];
                while let Ok(more) = fences.try_recv() {
                    waiting.push(more);
                }
                if let Err(e) = round_trip(listener, on).await {
                    // The waiting callers hear "cannot tell" (dropped).
                    return End::Lost(e);
                }
                for done in waiting {
                    let _ = done.send(());
                }
            }
            _ = beat.tick() => {
                if let Err(e) = round_trip(listener, on).await {
                    return End::Lost(e);
                }
            }
        }
    }
}

/// One trivial query on the listening connection, then every notification
/// that arrived before its answer is delivered.
async fn round_trip(listener: &mut PgListener, on: &impl Fn(Heard)) -> Result<(), String> {
    match tokio::time::timeout(
        ANSWER_WITHIN,
        sqlx::query("SELECT 1").execute(&mut *listener),
    )
    .await
    {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => return Err(e.to_string()),
        Err(_) => return Err("no answer within 3 s".into()),
    }
    while let Some(n) = listener.next_buffered() {
        deliver(on, n.payload());
    }
    Ok(())
}

fn deliver(on: &impl Fn(Heard), payload: &str) {
    match notice::decode(payload) {
        Some(notice) => on(Heard::Notice(notice)),
        None => tracing::warn!(payload, "ignored a notification this version does not read"),
    }
}
