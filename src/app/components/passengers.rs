//! Who sits where: a booking's or a hold's passengers, a line per seat.

use leptos::prelude::*;

use crate::domain::Passenger;

/// `1A  Budi Santoso`, one item per seat, in seat order.
#[component]
pub fn PassengerList(passengers: Vec<Passenger>) -> impl IntoView {
    view! {
        <ul class="passengers" data-testid="passengers">
            {passengers
                .into_iter()
                .map(|p| view! { <li><span class="seat-tag">{p.seat.to_string()}</span>" "{p.name}</li> })
                .collect_view()}
        </ul>
    }
}
