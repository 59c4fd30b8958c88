//! Widgets shared by several pages.

mod layout;
mod trip_card;

pub use layout::{Footer, Header};
pub use trip_card::TripCardView;
