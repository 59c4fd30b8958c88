//! A `kursi` server process on its own port and database: for the tests
//! that need the real binary (`tests/reliability.rs`) and for the load
//! benchmark (`benches/load.rs`, which includes this file by path).
//!
//! The binary is the one in `KURSI_BIN` (the test and bench commands pass
//! the release build) or, by default, this crate's own `kursi` binary.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// The `X-ADMIN-KEY` every server started here accepts.
pub const ADMIN_KEY: &str = "process-admin-key";

pub fn binary() -> PathBuf {
    std::env::var("KURSI_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_BIN_EXE_kursi")))
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The database of a server started in `dir`.
pub fn db_url(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("kursi.db").display())
}

/// A running server; killed when dropped.
pub struct Server {
    pub child: Child,
    pub base: String,
}

impl Server {
    /// Starts the binary on `port` with its database and its log
    /// (`server.log`) in `dir`, no demo data and no rate limits, plus the
    /// `extra` environment; returns once `/healthz` answers.
    pub async fn start(dir: &Path, port: u16, extra: &[(&str, &str)]) -> Server {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join("server.log"))
            .unwrap();
        let mut cmd = Command::new(binary());
        cmd.env("DATABASE_URL", db_url(dir))
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("LEPTOS_OUTPUT_NAME", "kursi")
            .env("ADMIN_API_KEY", ADMIN_KEY)
            .env("ADMIN_PASSWORD", "process-password")
            .env("SEED_DEMO", "false")
            .env("HOLD_RATE_PER_MINUTE", "0")
            .env("CLAIM_RATE_PER_MINUTE", "0")
            .env("LOGIN_RATE_PER_MINUTE", "0")
            .env("LOOKUP_RATE_PER_MINUTE", "0")
            .env("MAX_HELD_SEATS_PER_IP", "0")
            .env("RUST_LOG", "warn")
            // The log (tracing writes to standard output) and any panic.
            .stdout(log.try_clone().unwrap())
            .stderr(log);
        for (k, v) in extra {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("start kursi");
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(r) = reqwest::get(format!("{base}/healthz")).await
                && r.status().is_success()
            {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "kursi did not start; see {}",
                dir.join("server.log").display()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Server { child, base }
    }

    pub fn kill_9(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    pub fn sigterm(&self) {
        let ok = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok);
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
