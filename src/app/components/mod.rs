//! Widgets shared by several pages.

mod explain;
mod layout;
mod passengers;
mod pay_panel;
mod receipt_upload;
mod trip_card;

pub use explain::explain;
pub use layout::{Footer, Header};
pub use passengers::PassengerList;
pub use pay_panel::PayPanel;
pub use receipt_upload::ReceiptUpload;
pub use trip_card::{TripCardView, bus_label};
