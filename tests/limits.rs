//! Resource bounds against the real server binary (its own accept loop and
//! its log): the connection cap with slow clients, and password hashing
//! under a storm of wrong sign-ins.

#![cfg(feature = "ssr")]

use std::time::Duration;

use serde_json::json;
use tokio::io::AsyncWriteExt;

#[path = "common/process.rs"]
mod process;

use process::{Server, free_port};

fn log_of(dir: &std::path::Path) -> String {
    std::fs::read_to_string(dir.join("server.log")).unwrap_or_default()
}

#[tokio::test]
async fn slow_clients_cannot_take_every_connection() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let server = Server::start(
        dir.path(),
        port,
        &[("MAX_CONNECTIONS", "16"), ("HEADER_TIMEOUT_SECONDS", "1")],
    )
    .await;
    // More half-sent requests than the cap (the review's attack).
    let mut slow = Vec::new();
    for _ in 0..40 {
        let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .unwrap();
        let _ = s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").await;
        slow.push(s);
    }
    // A passenger still gets served: the slow ones are closed after the
    // header timeout, which frees places for the queued connections.
    let started = std::time::Instant::now();
    let resp = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
        .get(format!("{}/healthz", server.base))
        .send()
        .await
        .expect("served despite the slow clients");
    assert!(resp.status().is_success());
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
    let log = log_of(dir.path());
    assert!(
        log.contains("connection cap reached"),
        "the cap is logged:\n{log}"
    );
    drop(slow);
}

#[tokio::test]
async fn password_hashing_is_bounded_and_failures_are_logged() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let server = Server::start(
        dir.path(),
        port,
        &[("PASSWORD_HASH_CONCURRENCY", "1"), ("RUST_LOG", "info")],
    )
    .await;
    let client = reqwest::Client::new();
    let secret_guess = "not-the-password-7f3a9";
    let attempts = (0..48).map(|_| {
        client
            .post(format!("{}/api/admin/login/", server.base))
            .json(&json!({"username": "admin", "password": secret_guess}))
            .send()
    });
    let answers = futures::future::join_all(attempts).await;
    let mut refused = 0;
    let mut busy = 0;
    for a in answers {
        let a = a.unwrap();
        match a.status().as_u16() {
            401 => refused += 1,
            429 => {
                assert!(a.headers().contains_key("retry-after"));
                busy += 1;
            }
            other => panic!("unexpected status {other}"),
        }
    }
    assert!(refused >= 1, "some were checked");
    assert!(busy >= 1, "some found hashing busy and were told to retry");
    let log = log_of(dir.path());
    assert!(log.contains("staff sign-in failed"), "{log}");
    assert!(log.contains("password hashing busy"), "{log}");
    assert!(!log.contains(secret_guess), "no password in the log");
}
