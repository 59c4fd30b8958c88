//! Kursi: bus seat booking for operators who take payment over WhatsApp.
//!
//! A tour of the crate:
//! - [`domain`]: pure types and rules (seat codes, layouts, WhatsApp numbers,
//!   claim and booking codes, hold timing, unique amounts, webhook events,
//!   their signatures and retry pauses, what a receipt file may be and how
//!   it is cleaned). No IO; compiles to WASM too.
//! - [`app`]: the Leptos UI, rendered on the server and hydrated.
//! - [`server_fns`]: the pages' server functions, thin adapters.
//! - Server only (`ssr`): [`config`] (typed settings), [`storage`] (all
//!   SQL, written once for SQLite and PostgreSQL; `storage::road`, the
//!   one road every write takes: group commit on one writer connection,
//!   whose commits on PostgreSQL notify the other instances (a batch there
//!   runs without savepoints unless a write of it fails), and whose
//!   common statements on SQLite run on the writer's own thread
//!   (`storage::lite`); the listener that hears other instances and
//!   `storage::peers`, which lets the only writer skip its sync point),
//!   [`services`] (every operation, time passed
//!   in; `services::live` is what a process keeps in memory, fed by what
//!   writes report after their commit, its own and, on PostgreSQL, every
//!   other instance's; `services::webhooks` sends the events that writes
//!   leave in their transaction's outbox; `services::receipts` takes
//!   passengers' proof of payment, files on disk beside their rows;
//!   `services::boarding` boards tickets at the bus door, with the staff
//!   roles that allow it and the ticket QR signatures),
//!   [`api`] (the JSON API),
//!   [`web`] (cookies and keys), [`security`] (forged writes, page
//!   policies), [`listen`] (connections and their limits), [`metrics`]
//!   (`GET /metrics`), [`state`],
//!   [`server`] (router and run loop).

// Leptos view types nest deeply; the trip page needs more than the default.
#![recursion_limit = "256"]

pub mod app;
pub mod domain;
pub mod server_fns;

#[cfg(feature = "ssr")]
pub mod api;
#[cfg(feature = "ssr")]
pub mod config;
#[cfg(feature = "ssr")]
pub mod limits;
#[cfg(feature = "ssr")]
pub mod listen;
#[cfg(feature = "ssr")]
pub mod metrics;
#[cfg(feature = "ssr")]
pub mod security;
#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod services;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod storage;
#[cfg(feature = "ssr")]
pub mod telemetry;
#[cfg(feature = "ssr")]
pub mod web;

/// Called once by the page's script (see `app::DeferredHydration`) before
/// it hydrates each island: panics go to the console, and a root reactive
/// owner and the task executor exist for the islands.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
