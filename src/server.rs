//! The server: `router(state)` builds the whole app (tests use it without a
//! socket), `run` serves it until SIGINT/SIGTERM, `main` dispatches the
//! sub-commands of the `kursi` binary.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderName, Request, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tokio::sync::watch;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::trace::TraceLayer;

use crate::app::{App, shell};
use crate::config::Settings;
use crate::services::Service;
use crate::state::{AppState, Clock};
use crate::storage::Storage;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Request bodies larger than this are refused before they are read.
pub const BODY_LIMIT_BYTES: usize = 16 * 1024;

/// The limit for a bank statement export (see [`body_limit`]).
pub const STATEMENT_BODY_LIMIT_BYTES: usize = 2 * 1024 * 1024;

/// The limit for a payment receipt: the file's 5 MiB and a form's framing.
pub const RECEIPT_BODY_LIMIT_BYTES: usize = crate::domain::receipt::MAX_RECEIPT_BYTES + 64 * 1024;

/// How large a request body to `path` may be: [`BODY_LIMIT_BYTES`], but a
/// bank statement and a receipt are larger.
pub fn body_limit(path: &str) -> usize {
    match path.trim_end_matches('/') {
        "/api/admin/statement/match" | "/sf/admin_match_statement" => STATEMENT_BODY_LIMIT_BYTES,
        "/api/hold/receipts" | "/api/admin/payment-qris" => RECEIPT_BODY_LIMIT_BYTES,
        _ => BODY_LIMIT_BYTES,
    }
}

/// Refuses a body declared larger than [`body_limit`] with 413 before
/// reading it, and cuts one that grows past it while being read (the
/// extractors then answer 413 too): what tower-http's
/// `RequestBodyLimitLayer` does, with a limit per route.
async fn limit_bodies(
    req: Request<axum::body::Body>,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let limit = body_limit(req.uri().path());
    let declared = req
        .headers()
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    }
    next.run(req.map(|body| axum::body::Body::new(http_body_util::Limited::new(body, limit))))
        .await
}

/// Runs a sub-command: none (or `serve`) serves the app.
pub async fn main(settings: Settings, args: &[String]) -> anyhow::Result<()> {
    match args.first().map(String::as_str) {
        None | Some("serve") => run(settings).await,
        Some("staff") => staff_command(settings, &args[1..]).await,
        Some("backup") => backup_command(settings, &args[1..]).await,
        Some(other) => anyhow::bail!("unknown command {other:?}; try `kursi` or `kursi serve`"),
    }
}

/// `kursi staff <username>`: adds a staff account or resets its password
/// (which signs it out everywhere). The password is read from the first
/// line of standard input, or generated and printed when `--random` is given.
/// `--crew` makes (or turns the account into) a crew account, which boards
/// passengers and nothing else; without it the account is an admin.
async fn staff_command(settings: Settings, args: &[String]) -> anyhow::Result<()> {
    const USAGE: &str =
        "usage: kursi staff <username> [--random] [--crew]  (password on standard input)";
    let (Some(username), rest) = (args.first(), &args[1.min(args.len())..]) else {
        anyhow::bail!(USAGE);
    };
    if let Some(unknown) = rest
        .iter()
        .find(|a| !["--random", "--crew"].contains(&a.as_str()))
    {
        anyhow::bail!("unknown option {unknown:?}; {USAGE}");
    }
    let role = if rest.iter().any(|a| a == "--crew") {
        crate::domain::StaffRole::Crew
    } else {
        crate::domain::StaffRole::Admin
    };
    let password = if rest.iter().any(|a| a == "--random") {
        crate::services::random_password()
    } else {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_string()
    };
    let storage = Storage::open_with(&settings.database_url, settings.pool_sizes()).await?;
    let service = Service::new(storage, settings.policy, settings.display_tz);
    service
        .set_staff_password(username, &password, role, chrono::Utc::now())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let role = role.as_str().to_lowercase();
    if rest.iter().any(|a| a == "--random") {
        println!("{role} account {username:?} saved; password: {password}");
    } else {
        println!("{role} account {username:?} saved");
    }
    Ok(())
}

/// `kursi backup <file>`: a consistent copy of the live database (SQLite's
/// `VACUUM INTO`), safe while the server runs; writes wait for it only as
/// long as one read transaction takes. Refuses to overwrite a file.
async fn backup_command(settings: Settings, args: &[String]) -> anyhow::Result<()> {
    let Some(target) = args.first() else {
        anyhow::bail!("usage: kursi backup <file>");
    };
    if settings.database_url.starts_with("postgres") {
        anyhow::bail!(
            "kursi backup copies a SQLite database; for PostgreSQL use its own tools, \
             for example: pg_dump --format=custom --file={target} \"$DATABASE_URL\" \
             (and pg_restore to bring it back)"
        );
    }
    let path = std::path::Path::new(target);
    if path.exists() {
        anyhow::bail!("{target} exists; choose a new file name");
    }
    let storage = Storage::open(&settings.database_url).await?;
    let started = std::time::Instant::now();
    storage.backup_into(path).await?;
    let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    println!(
        "backup written to {target} ({bytes} bytes in {:.1?})",
        started.elapsed()
    );
    storage.close().await;
    Ok(())
}

/// Opens the database, prepares it (migrations, bootstrap account, demo
/// trips) and returns the state the router needs.
pub async fn prepare(
    mut settings: Settings,
    leptos_options: LeptosOptions,
    clock: Clock,
) -> anyhow::Result<AppState> {
    let storage = Storage::open_with(&settings.database_url, settings.pool_sizes()).await?;
    let service = Service::new(storage, settings.policy, settings.display_tz)
        .limit_password_hashing(settings.password_hash_concurrency)
        .limit_streams(settings.max_streams, settings.max_streams_per_ip)
        .with_receipts_dir(settings.receipts_dir.clone());
    let now = clock.now();
    if settings.session_secret.is_none() {
        // No SESSION_SECRET: the key made by the first start, kept in the
        // database (every instance on it signs and checks alike).
        let key = service
            .server_key("session", now)
            .await
            .map_err(|e| anyhow::anyhow!("reading the session key: {e}"))?;
        settings.session_secret = Some(crate::config::Secret::new(key));
    }
    let password = settings
        .admin_password
        .as_ref()
        .map(|p| p.expose().to_string());
    if let Some(generated) = service
        .ensure_staff(&settings.admin_username, password.as_deref(), now)
        .await
        .map_err(|e| anyhow::anyhow!("creating the first staff account: {e}"))?
    {
        // SPEC §4: printed once, at the start that created the account.
        tracing::warn!(
            username = %settings.admin_username,
            password = %generated,
            "created the first staff account with a random password (printed only now; set ADMIN_USERNAME/ADMIN_PASSWORD to choose them)"
        );
    }
    if settings.seed_demo {
        let n = service
            .seed_demo(now)
            .await
            .map_err(|e| anyhow::anyhow!("seeding demo trips: {e}"))?;
        if n > 0 {
            tracing::info!(trips = n, "seeded demo trips into the empty database");
        }
    }
    // On PostgreSQL the limits count in the database, shared by every
    // instance (see `limits`).
    let limits = crate::limits::RateLimits::new(&settings, service.storage().shared_rates());
    Ok(AppState::new(crate::state::Shared {
        leptos_options,
        service,
        limits: Arc::new(limits),
        settings: Arc::new(settings),
        clock,
        stop: Arc::new(watch::channel(false).0),
    }))
}

/// The whole application: pages, server functions, JSON API, health.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let leptos_options = state.leptos_options.clone();
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics_page))
        .route("/lang/{code}", get(set_language))
        .merge(crate::api::routes(&state))
        .leptos_routes_with_context(
            &state,
            routes,
            {
                let state = state.clone();
                let hold = crate::app::HoldSeconds(state.settings.policy.hold.num_seconds());
                move || {
                    provide_context(state.clone());
                    provide_context(hold);
                }
            },
            move || shell(leptos_options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            admin_pages_need_sign_in,
        ))
        // Before anything acts on a request: forged writes stop here.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::security::guard_writes,
        ))
        // gzip/brotli for pages, JSON and the WASM bundle (the default
        // predicate leaves server-sent events and images alone).
        .layer(CompressionLayer::new())
        .layer(axum::middleware::from_fn(limit_bodies))
        // A body that trickles in slower than this is cut off (408).
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
            state.settings.body_timeout,
        ))
        .layer(axum::middleware::from_fn(api_error_bodies))
        .layer(axum::middleware::from_fn(count_requests))
        .layer(axum::middleware::from_fn(crate::security::security_headers))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                let id = req
                    .headers()
                    .get(&REQUEST_ID)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!("request", id = %id, method = %req.method(), path = %req.uri().path())
            }),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, NextRequestId::default()))
        .with_state(state)
}

/// Request ids (`x-request-id`): a random prefix per process and a counter,
/// unique across restarts without a system call per request (as a UUID
/// from the OS's random source would take).
#[derive(Clone)]
struct NextRequestId {
    prefix: u32,
    counter: Arc<std::sync::atomic::AtomicU64>,
}

impl Default for NextRequestId {
    fn default() -> Self {
        Self {
            prefix: rand::random(),
            counter: Default::default(),
        }
    }
}

impl MakeRequestId for NextRequestId {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        let n = self
            .counter
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        format!("{:08x}-{n}", self.prefix)
            .parse()
            .ok()
            .map(RequestId::new)
    }
}

/// The body limit answers a bare 413; under `/api` it gets the API's error
/// body like every other error.
async fn api_error_bodies(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let api = req.uri().path().starts_with("/api/");
    let response = next.run(req).await;
    if api
        && response.status() == StatusCode::PAYLOAD_TOO_LARGE
        && !response
            .headers()
            .contains_key(axum::http::header::CONTENT_TYPE)
    {
        return crate::api::ApiError(crate::domain::AppError::PayloadTooLarge).into_response();
    }
    response
}

/// Every `/admin` page but the sign-in page redirects a visitor without a
/// live staff session to `/admin/login` (303), before anything renders, and
/// a crew member to their boarding pages; the `/crew` pages need a session
/// of either.
async fn admin_pages_need_sign_in(
    State(state): State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let path = req.uri().path();
    let under = |root: &str| path == root || path.starts_with(&format!("{root}/"));
    let (admin_page, crew_page) = (under("/admin"), under("/crew"));
    if (admin_page || crew_page) && path.trim_end_matches('/') != "/admin/login" {
        let role = match crate::web::staff_key_of(req.headers(), &state.settings) {
            Some(key) => match state.service.staff_session(&key, state.clock.now()).await {
                Ok(Some(staff)) => Some(staff.role()),
                _ => None,
            },
            None => None,
        };
        match role {
            None => return axum::response::Redirect::to("/admin/login").into_response(),
            Some(crate::domain::StaffRole::Crew) if admin_page => {
                return axum::response::Redirect::to("/crew").into_response();
            }
            Some(_) => {}
        }
    }
    next.run(req).await
}

/// Counts every request and its time by the route it matched (its pattern;
/// `unmatched` for files and unknown paths) for `GET /metrics`.
async fn count_requests(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let started = std::time::Instant::now();
    let route = req
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or("unmatched", |p| p.as_str())
        .to_string();
    let method = req.method().clone();
    let response = next.run(req).await;
    crate::metrics::request(
        &route,
        method.as_str(),
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}

/// `GET /metrics`: Prometheus's text format (see `metrics`). With
/// `METRICS_TOKEN` set, only for `Authorization: Bearer <token>` (compared
/// in constant time); otherwise 401.
async fn metrics_page(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    use subtle::ConstantTimeEq;
    if let Some(token) = &state.settings.metrics_token {
        let given = headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        if !bool::from(given.as_bytes().ct_eq(token.expose().as_bytes())) {
            return (
                StatusCode::UNAUTHORIZED,
                [(axum::http::header::WWW_AUTHENTICATE, "Bearer")],
                "metrics need METRICS_TOKEN",
            )
                .into_response();
        }
    }
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        crate::metrics::render(state.service.live_streams()),
    )
        .into_response()
}

/// `GET /healthz`: 200 when the database answers, 503 otherwise.
async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    match state.service.storage().ping().await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

/// `GET /lang/{id|en}?next=/path`: remembers the language for a year and
/// goes back. Only a path of this site is followed ([`local_path`]), so this
/// is no open redirect.
async fn set_language(
    axum::extract::Path(code): axum::extract::Path<String>,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
    State(state): State<AppState>,
) -> axum::response::Response {
    use axum::http::header::{LOCATION, SET_COOKIE};
    let lang = crate::app::i18n::Lang::parse(&code).unwrap_or_default();
    let next = q
        .get("next")
        .and_then(|n| local_path(n))
        .unwrap_or_else(|| "/".into());
    let cookie = cookie::Cookie::build(("lang", lang.code()))
        .path("/")
        .same_site(cookie::SameSite::Lax)
        .max_age(cookie::time::Duration::days(365))
        .secure(state.settings.cookie_secure)
        .build()
        .to_string();
    let mut resp = StatusCode::SEE_OTHER.into_response();
    if let (Ok(loc), Ok(c)) = (next.parse(), cookie.parse()) {
        resp.headers_mut().insert(LOCATION, loc);
        resp.headers_mut().insert(SET_COOKIE, c);
    }
    resp
}

/// `next` (already percent-decoded) when it is a path on this site: one
/// leading `/`, then printable characters only, no backslash. Browsers skip
/// tabs and newlines in a URL and read `\` as `/`, so `/\t/evil.example` or
/// `/\\evil.example` would leave the site; anything that is not plainly local
/// (including a path that is not valid in a `Location` header as it
/// stands) is refused, and the caller goes to `/` instead.
pub fn local_path(next: &str) -> Option<String> {
    let rest = next.strip_prefix('/')?;
    if rest.starts_with('/')
        || next
            .chars()
            .any(|c| c == '\\' || c.is_control() || c.is_whitespace())
    {
        return None;
    }
    let path: axum::http::uri::PathAndQuery = next.parse().ok()?;
    (path.as_str() == next).then(|| next.to_string())
}

/// Serves until SIGINT or SIGTERM, then drains in-flight requests, stops
/// the sweep and checkpoints the WAL.
pub async fn run(settings: Settings) -> anyhow::Result<()> {
    let conf = get_configuration(None)?;
    let mut leptos_options = conf.leptos_options;
    leptos_options.site_addr = settings.site_addr;
    let addr = settings.site_addr;
    let sweep_every = settings.sweep_interval;
    tracing::info!(settings = ?settings, "starting kursi");
    if settings.trust_proxy && settings.public_url.is_none() {
        tracing::warn!(
            "TRUST_PROXY is on but PUBLIC_URL is unset: writes are accepted only from an \
             Origin matching the Host header the proxy sends, and ticket links name the \
             listen address; set PUBLIC_URL to the address passengers use"
        );
    }

    let state = prepare(settings, leptos_options, Clock::default()).await?;
    let sweeper = tokio::spawn(sweep_loop(
        state.clone(),
        sweep_every,
        state.stop.subscribe(),
    ));
    let sender = tokio::spawn(webhook_loop(state.clone(), state.stop.subscribe()));

    let grace = state.settings.shutdown_grace;
    let limits = crate::listen::Limits {
        max_connections: crate::listen::fit_connections(state.settings.max_connections),
        header_timeout: state.settings.header_timeout,
    };
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(
        max_connections = limits.max_connections,
        "listening on http://{addr}"
    );
    let server = crate::listen::serve(
        listener,
        router(state.clone()),
        limits,
        state.stop.subscribe(),
    );
    // On SIGINT/SIGTERM: stop accepting, end live-update streams and the
    // sweep, so draining finishes.
    tokio::spawn({
        let stop = state.stop.clone();
        async move {
            shutdown_signal().await;
            let _ = stop.send(true);
        }
    });
    // After the signal, in-flight requests get `grace` to finish; a client
    // that holds its connection longer is cut off. Every write commits in
    // one transaction, so a cut request has either committed or not begun.
    let mut stopping = state.stop.subscribe();
    tokio::select! {
        _ = server => {}
        _ = async move {
            let _ = stopping.wait_for(|s| *s).await;
            tokio::time::sleep(grace).await;
        } => {
            tracing::warn!(?grace, "in-flight requests did not finish in time; closing them");
        }
    }

    let _ = sweeper.await;
    let _ = sender.await;
    if let Err(e) = state.service.storage().checkpoint().await {
        tracing::warn!(error = %e, "WAL checkpoint at shutdown failed");
    }
    state.service.storage().close().await;
    tracing::info!("stopped cleanly");
    Ok(())
}

/// The background sweep: a loop around [`Service::sweep`], which tests call
/// directly. Expired holds already read as released everywhere; the sweep
/// records them and announces them to open seat maps. It wakes at the next
/// hold's expiry (so pages learn of it at that moment, not up to
/// `SWEEP_SECONDS` later), and at least every `SWEEP_SECONDS`; any change of
/// seats (a new hold may expire first) makes it look again.
async fn sweep_loop(state: AppState, every: Duration, mut stop: watch::Receiver<bool>) {
    let (service, clock) = (&state.service, &state.clock);
    // The rate limits are tidied at most once a sweep period, however
    // often holds expire.
    let mut tidied = tokio::time::Instant::now();
    // Once an hour (and soon after a start): schedules' trips are made
    // ahead, departed trips' receipts removed, and old webhook deliveries.
    let mut pruned: Option<tokio::time::Instant> = None;
    loop {
        let now = clock.now();
        let wait = match service.next_expiry(now).await {
            // A few milliseconds past it, so the hold is due when we look.
            Ok(Some(at)) => (at - now)
                .to_std()
                .unwrap_or_default()
                .saturating_add(Duration::from_millis(5))
                .min(every),
            _ => every,
        };
        tokio::select! {
            // Under load seats change thousands of times a second: look
            // again at most four times a second.
            _ = async {
                service.any_change().await;
                tokio::time::sleep(Duration::from_millis(250)).await;
            } => continue,
            _ = tokio::time::sleep(wait) => {
                match service.sweep(clock.now()).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(expired = n, "sweep expired holds"),
                    Err(e) => tracing::warn!(error = %e, "sweep failed; will retry"),
                }
                if tidied.elapsed() >= every {
                    state.limits.tidy(clock.now()).await;
                    tidied = tokio::time::Instant::now();
                }
                if pruned.is_none_or(|t| t.elapsed() >= Duration::from_secs(3600)) {
                    let ahead = state.settings.schedule_days_ahead;
                    match service.make_scheduled_trips(ahead, clock.now()).await {
                        Ok(0) => {}
                        Ok(n) => tracing::info!(made = n, "made trips from schedules"),
                        Err(e) => tracing::warn!(error = %e, "making scheduled trips failed; will retry"),
                    }
                    let keep = state.settings.receipt_keep_days;
                    match service.prune_receipts(keep, clock.now()).await {
                        Ok(0) => {}
                        Ok(n) => tracing::info!(removed = n, "removed departed trips' receipts"),
                        Err(e) => tracing::warn!(error = %e, "removing old receipts failed; will retry"),
                    }
                    let keep = state.settings.webhook_keep_days;
                    match service.prune_webhook_deliveries(keep, clock.now()).await {
                        Ok(0) => {}
                        Ok(n) => tracing::info!(removed = n, "removed old webhook deliveries"),
                        Err(e) => tracing::warn!(error = %e, "removing old webhook deliveries failed; will retry"),
                    }
                    pruned = Some(tokio::time::Instant::now());
                }
            }
            _ = stop.changed() => return,
        }
    }
}

/// The webhook sender: a loop around [`Service::send_due_webhooks`] (tests
/// call it directly), once a second. An event waits at most that long
/// after its commit; a step that finds nothing due is one read.
async fn webhook_loop(state: AppState, mut stop: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = stop.changed() => return,
        }
        // A step cut short at shutdown leaves its leased deliveries due
        // again when their lease ends: sent at least once, never lost.
        tokio::select! {
            sent = state.service.send_due_webhooks(state.clock.now()) => {
                if let Err(e) = sent {
                    tracing::warn!(error = %e, "webhook step failed; will retry");
                }
            }
            _ = stop.changed() => return,
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutdown signal received; finishing in-flight requests");
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(local_path("/trips/1?x=2").as_deref(), Some("/trips/1?x=2"));
        assert_eq!(local_path("/").as_deref(), Some("/"));
        for evil in [
            "//evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\\evil.example",
            "/ /evil.example",
            "https://evil.example",
            "evil.example",
            "",
            "/\u{2028}/evil.example",
        ] {
            assert_eq!(local_path(evil), None, "{evil:?}");
        }
    }
}
