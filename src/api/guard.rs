//! Who may call the API from a browser: CORS for the configured origins
//! (writes from other sites are refused for the whole app by
//! `security::guard_writes`), and the client IP for rate limits.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, header};
use tower_http::cors::{AllowOrigin, CorsLayer};

use super::ApiError;
use crate::config::Settings;
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
        Ok(ClientIp(
            state.limits.proxies().client_ip(&parts.headers, peer),
        ))
    }
}
