//! Pages that follow a trip as it changes at the door (the admin's
//! manifest, the crew's lists at another door) listen to the trip's event
//! stream, the one live seat maps use: every committed change of the trip,
//! boarding included, made on any instance, is an event there. So a seat
//! boarded shows on the admin's page within moments, without polling.

/// Calls `on_change` whenever trip `trip_id` changes, and whenever the
/// stream (re)connects, since changes may have been missed while it was
/// away; the browser reconnects an `EventSource` by itself. Does nothing
/// on the server.
pub fn follow_trip(trip_id: i64, on_change: impl Fn() + Clone + 'static) {
    #[cfg(feature = "hydrate")]
    {
        use leptos::prelude::*;
        use wasm_bindgen::JsCast;
        use wasm_bindgen::closure::Closure;
        Effect::new(move |_| {
            let Ok(source) = web_sys::EventSource::new(&format!("/api/trips/{trip_id}/events/"))
            else {
                return;
            };
            for event in ["seats", "ready"] {
                let on_change = on_change.clone();
                let listener =
                    Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |_| on_change());
                let _ = source
                    .add_event_listener_with_callback(event, listener.as_ref().unchecked_ref());
                listener.forget();
            }
            let source = StoredValue::new_local(source);
            on_cleanup(move || source.with_value(|s| s.close()));
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (trip_id, on_change);
}
