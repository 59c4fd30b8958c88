//! One file per route.

pub mod admin;
pub mod boarding;
pub mod claim;
pub mod crew;
pub mod home;
pub mod not_found;
pub mod payment;
pub mod reports;
pub mod schedules;
pub mod statement;
pub mod ticket;
pub mod trip;
pub mod webhooks;
