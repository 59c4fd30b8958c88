//! Whether anyone but this instance writes to the PostgreSQL database.
//!
//! An instance serves seat maps and the trip search from memory only once
//! it has heard every change committed before the request (a sync point on
//! its listening connection, see `listen`). That round trip is needed only
//! because another process might have committed something not yet heard:
//! an instance that is the only writer knows every change already (its own
//! writes are applied to memory before they are answered). On the 2-core
//! machine the round trip halved the throughput of map and trip reads
//! (README, Benchmarks), so a lone instance skips it.
//!
//! Every write reaches the database through one write road per process,
//! on one connection named `kursi-writer:<instance>`. A listener counts
//! the other writers' connections (`pg_stat_activity`) and, seeing none,
//! calls itself alone. A writer connection, before its first write, says
//! `hello` on [`CHANNEL`] and waits until every listener connected then has
//! said `here` after hearing it: a listener stops being alone *before* it
//! answers, and it counts writers only again from a later snapshot, which
//! sees the new writer for as long as it stays connected. So nothing the
//! new writer commits can be missed by a read that skips the sync, and a
//! writer gone for good lets the listener be alone again at its next
//! heartbeat.
//!
//! A listener that does not answer (a connection half open, a version that
//! does not know this exchange) holds a new writer back for at most
//! [`ANSWER_AT_MOST`]: longer than a listener takes to find its own
//! connection dead, after which it stops being alone.

use std::collections::HashSet;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};

/// The channel writers and listeners speak on.
pub(crate) const CHANNEL: &str = "kursi_peers";

/// How long a new writer waits for the listeners' answers: above the
/// listener's heartbeat plus its answer limit (`listen::HEARTBEAT`,
/// `listen::ANSWER_WITHIN`: 8 s), by which a listener that cannot answer
/// has found out and stopped trusting its memory.
pub(crate) const ANSWER_AT_MOST: Duration = Duration::from_secs(10);

/// The application name of an instance's writer connection.
pub(crate) fn writer_name(instance: u32) -> String {
    format!("kursi-writer:{instance:08x}")
}

/// The application name of an instance's listening connection.
pub(crate) fn listener_name(instance: u32) -> String {
    format!("kursi-listener:{instance:08x}")
}

/// The number of connections that write for other processes (every
/// writer's name starts `kursi-writer`, older versions' included).
pub(crate) const OTHER_WRITERS: &str = "SELECT COUNT(*) FROM pg_stat_activity \
     WHERE datname = current_database() AND application_name LIKE 'kursi-writer%' \
       AND application_name <> $1";

/// What is said on [`CHANNEL`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Said {
    /// A writer connection of this instance is about to write.
    Hello(u32),
    /// This instance's listener listens and is not alone (it has heard
    /// every `hello` committed before it said so).
    Here(u32),
}

impl Said {
    pub(crate) fn encode(self) -> String {
        match self {
            Said::Hello(id) => format!("hello {id:08x}"),
            Said::Here(id) => format!("here {id:08x}"),
        }
    }

    pub(crate) fn decode(payload: &str) -> Option<Said> {
        let (word, id) = payload.split_once(' ')?;
        let id = u32::from_str_radix(id, 16).ok()?;
        match word {
            "hello" => Some(Said::Hello(id)),
            "here" => Some(Said::Here(id)),
            _ => None,
        }
    }
}

/// Called on each new writer connection of `instance` (it exists, so every
/// later count sees it): says `hello` and waits for every other listener
/// to answer (see the module's description).
pub(crate) async fn introduce(options: PgConnectOptions, instance: u32) -> sqlx::Result<()> {
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(ANSWER_AT_MOST)
        .connect_lazy_with(options.application_name(&format!("kursi-hello:{instance:08x}")));
    let mut listener = PgListener::connect_with(&pool).await?;
    // A lost connection would miss answers: better to wait them out.
    listener.eager_reconnect(false);
    listener.listen(CHANNEL).await?;
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(CHANNEL)
        .bind(Said::Hello(instance).encode())
        .execute(&mut listener)
        .await?;
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT application_name FROM pg_stat_activity \
         WHERE datname = current_database() AND application_name LIKE 'kursi-listener%' \
           AND application_name <> $1",
    )
    .bind(listener_name(instance))
    .fetch_all(&mut listener)
    .await?;
    // A listener without an instance's number (an older version) never
    // answers: it is waited for until the deadline.
    let mut waiting: HashSet<Option<u32>> = names
        .iter()
        .map(|name| {
            name.strip_prefix("kursi-listener:")
                .and_then(|id| u32::from_str_radix(id, 16).ok())
        })
        .collect();
    let deadline = tokio::time::Instant::now() + ANSWER_AT_MOST;
    let answered = |payload: &str, waiting: &mut HashSet<Option<u32>>| {
        if let Some(Said::Here(id)) = Said::decode(payload) {
            waiting.remove(&Some(id));
        }
    };
    while let Some(n) = listener.next_buffered() {
        answered(n.payload(), &mut waiting);
    }
    while !waiting.is_empty() {
        match tokio::time::timeout_at(deadline, listener.try_recv()).await {
            Ok(Ok(Some(n))) => answered(n.payload(), &mut waiting),
            // Answers may have been lost with the connection: this writer
            // connection fails, and the next write connects again.
            Ok(Ok(None)) => {
                return Err(sqlx::Error::Io(std::io::Error::new(
                    std::io::ErrorKind::ConnectionAborted,
                    "the connection closed while waiting for other instances",
                )));
            }
            Ok(Err(e)) => return Err(e),
            Err(_) => {
                tracing::warn!(
                    unanswered = waiting.len(),
                    "a listener of another instance did not answer a new writer in time; \
                     writing anyway"
                );
                break;
            }
        }
    }
    drop(listener);
    pool.close().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_said_reads_back() {
        for said in [Said::Hello(0x1a2b3c4d), Said::Here(7)] {
            assert_eq!(Said::decode(&said.encode()), Some(said));
        }
        assert_eq!(Said::decode("hello"), None);
        assert_eq!(Said::decode("bye 00000001"), None);
        assert_eq!(Said::decode("here zz"), None);
    }
}
