//! Structured logs through `tracing`: human-readable by default, JSON when
//! `LOG_FORMAT=json`; the level comes from `RUST_LOG` (default `info`).

use tracing_subscriber::EnvFilter;

pub fn init() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    let json = std::env::var("LOG_FORMAT").is_ok_and(|v| v.eq_ignore_ascii_case("json"));
    // `try_init` so tests that call it twice do not panic.
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}
