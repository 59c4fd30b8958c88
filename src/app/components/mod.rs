//! Widgets shared by several pages.

mod explain;
mod layout;
mod trip_card;

pub use explain::explain;
pub use layout::{Footer, Header};
pub use trip_card::{TripCardView, bus_label};
