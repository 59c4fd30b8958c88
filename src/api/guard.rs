//! Who may call the API from a browser: CORS for the configured origins, an
//! `Origin` check on writes, and the client IP for rate limits.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_http::cors::{AllowOrigin, CorsLayer};

use super::ApiError;
use crate::config::Settings;
use crate::domain::AppError;
use crate::limits::client_ip;
use crate::state::AppState;

/// CORS with credentials for `CORS_ORIGINS` only; other origins get no CORS
/// headers, so browsers keep their answers from scripts on other sites.
pub fn cors(settings: &Settings) -> CorsLayer {
    let origins: Vec<HeaderValue> = settings
        .cors_origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_credentials(true)
        .allow_methods([Method::GET, Method::POST, Method::PATCH])
        .allow_headers([
            header::CONTENT_TYPE,
            header::HeaderName::from_static("x-admin-key"),
        ])
        .max_age(std::time::Duration::from_secs(600))
}

/// Refuses a cookie-carrying write from a page of another site: a write (any
/// method but GET, HEAD and OPTIONS) whose `Origin` is neither this host nor
/// an allowed CORS origin is 403. (Writes
/// also need `Content-Type: application/json`, which a plain cross-site form
/// cannot send without a preflight.)
pub async fn same_origin_writes(State(s): State<AppState>, req: Request, next: Next) -> Response {
    let write = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if write
        && let Some(origin) = req
            .headers()
            .get(header::ORIGIN)
            .and_then(|o| o.to_str().ok())
    {
        let host = req
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        let own = origin
            .split_once("://")
            .is_some_and(|(_, rest)| rest.trim_end_matches('/') == host);
        let allowed = s
            .settings
            .cors_origins
            .iter()
            .any(|o| o == origin.trim_end_matches('/'));
        if !own && !allowed {
            return ApiError(AppError::Forbidden).into_response();
        }
    }
    next.run(req).await
}

/// The client's IP as the rate limits see it.
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0);
        Ok(ClientIp(client_ip(
            &parts.headers,
            peer,
            state.settings.trust_proxy,
        )))
    }
}
