//! Widgets shared by several pages.

mod explain;
mod layout;
mod passengers;
mod pay_panel;
mod receipt_upload;
mod stops;
mod trip_card;

pub use explain::explain;
pub use layout::{Footer, Header};
pub use passengers::PassengerList;
pub use pay_panel::PayPanel;
pub use receipt_upload::ReceiptUpload;
pub use stops::{StopTime, StopsLine, point_text, points_facts, stop_times, stops_for_search};
pub use trip_card::{TripCardView, bus_label};
