//! Accepting connections: how many, and for how long a client may keep one
//! without using it.
//!
//! Why Kursi runs its own accept loop instead of `axum::serve`: that one has
//! no timer, so a client that sends half a request header keeps its
//! connection (and a file descriptor) for as long as it likes. A review held
//! 1,000 half-sent requests open for over a minute, and 1,100 of them made
//! the server stop accepting anyone ("Too many open files"). Here:
//!
//! - a client must send each request's headers within `HEADER_TIMEOUT_SECONDS`
//!   (hyper's header-read timer, which also runs while a kept-alive
//!   connection waits for its next request, so an idle connection closes
//!   after the same time), and its body within `BODY_TIMEOUT_SECONDS` (a
//!   layer of the router);
//! - at most `MAX_CONNECTIONS` connections are open at once, kept below the
//!   process's open-file limit (raised to its hard limit at start) so the
//!   database and the log always have descriptors left; beyond it the
//!   accept loop waits (the kernel queues new connections) and says so in
//!   the log, and the timeouts above free places within seconds.
//!
//! Only HTTP/1.1 is spoken: Kursi runs behind a proxy or serves browsers
//! over plain HTTP on a LAN, where browsers never use HTTP/2 anyway.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tower::ServiceExt;

/// Descriptors kept free for the database, logs and the listener itself.
const RESERVED_FDS: u64 = 128;

/// How the accept loop limits connections.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_connections: usize,
    pub header_timeout: Duration,
}

/// Raises the open-file limit to its hard maximum and returns the number of
/// connections that fit under it with descriptors to spare.
pub fn fit_connections(wanted: usize) -> usize {
    let files = rlimit::increase_nofile_limit(u64::MAX).unwrap_or(1024);
    let fits = files.saturating_sub(RESERVED_FDS).max(16) as usize;
    if wanted > fits {
        tracing::warn!(
            wanted,
            open_file_limit = files,
            using = fits,
            "MAX_CONNECTIONS lowered to fit the open-file limit"
        );
    }
    wanted.min(fits)
}

/// Serves `app` on `listener` until `stop` turns true, then lets open
/// connections finish their requests (each closes after its current
/// response) and returns once every one has closed.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    mut stop: watch::Receiver<bool>,
) {
    let places = Arc::new(Semaphore::new(limits.max_connections));
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    let mut full_since: Option<Instant> = None;
    loop {
        // A place first: at the cap, wait here (new connections queue in
        // the kernel's backlog) instead of accepting what cannot be served.
        let permit = match places.clone().try_acquire_owned() {
            Ok(p) => p,
            Err(_) => {
                if full_since.is_none_or(|t| t.elapsed() > Duration::from_secs(10)) {
                    tracing::warn!(
                        max_connections = limits.max_connections,
                        "connection cap reached: new connections wait until one closes \
                         (slow or idle clients are closed after HEADER_TIMEOUT_SECONDS)"
                    );
                    full_since = Some(Instant::now());
                }
                tokio::select! {
                    p = places.clone().acquire_owned() => match p {
                        Ok(p) => p,
                        Err(_) => return,
                    },
                    _ = stopped(&mut stop) => break,
                }
            }
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // EMFILE and friends: back off instead of spinning.
                    tracing::error!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = stopped(&mut stop) => break,
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            let app = app.clone();
            async move {
                Ok::<_, Infallible>(
                    app.oneshot(req.map(axum::body::Body::new))
                        .await
                        .unwrap_or_else(|e| match e {}),
                )
            }
        });
        let connection = http.serve_connection(TokioIo::new(stream), service);
        let mut stop = stop.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let mut connection = std::pin::pin!(connection);
            tokio::select! {
                result = connection.as_mut() => {
                    if let Err(e) = result {
                        tracing::debug!(error = %e, %peer, "connection ended with an error");
                    }
                    return;
                }
                _ = stopped(&mut stop) => {}
            }
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        });
    }
    // Every place back means every connection has closed.
    let _ = places
        .acquire_many(u32::try_from(limits.max_connections).unwrap_or(u32::MAX))
        .await;
}

/// Returns once `stop` is true (the guard of the value never crosses an
/// await, so the futures waiting on it stay `Send`).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

/// Serves on `addr` in the background for tests and tools: returns the
/// bound address.
pub async fn spawn(
    addr: SocketAddr,
    app: Router,
    limits: Limits,
    stop: watch::Receiver<bool>,
) -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    tokio::spawn(serve(listener, app, limits, stop));
    Ok(local)
}
