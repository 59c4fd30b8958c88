//! The state shared by the router, the JSON handlers and the server functions.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use axum::extract::FromRef;
use chrono::{DateTime, Duration, Utc};
use leptos::prelude::LeptosOptions;

use crate::config::Settings;
use crate::services::Service;

/// The clock of the adapters. Services never read time themselves; the
/// adapters read it here. Tests move it forward with [`Clock::advance`].
#[derive(Clone, Debug, Default)]
pub struct Clock {
    offset_ms: Arc<AtomicI64>,
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::milliseconds(self.offset_ms.load(Ordering::Relaxed))
    }

    /// Moves this clock forward (tests only need this; production never does).
    pub fn advance(&self, by: Duration) {
        self.offset_ms
            .fetch_add(by.num_milliseconds(), Ordering::Relaxed);
    }
}

/// Cheap to clone (one reference count): axum clones the state for every
/// extractor and middleware of every request.
#[derive(Clone, Debug)]
pub struct AppState(Arc<Shared>);

impl AppState {
    pub fn new(shared: Shared) -> Self {
        Self(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What leptos_axum's handlers take from the state.
impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

#[derive(Debug)]
pub struct Shared {
    pub leptos_options: LeptosOptions,
    pub service: Service,
    pub settings: Arc<Settings>,
    pub clock: Clock,
    /// Per-IP limits on holds, claims and sign-in.
    pub limits: Arc<crate::limits::RateLimits>,
    /// Set to true when the server begins to shut down; live streams end.
    pub stop: Arc<tokio::sync::watch::Sender<bool>>,
}
