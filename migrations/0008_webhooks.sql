-- Webhooks (see src/domain/webhook.rs): endpoints an admin registered, and
-- the outbox of deliveries to them.
--
-- A delivery row is written in the same transaction as the change it tells
-- of (a contact attached, a booking confirmed or cancelled, a hold
-- expired), one per live endpoint, with the JSON body as it will be sent:
-- an event is never lost by a crash between the change and its sending,
-- and never sent for a change that rolled back. The sender takes the
-- oldest unsent delivery of each endpoint (so one endpoint hears its
-- events in order), records every attempt's outcome, and pauses longer
-- after each failure. Like the payment accounts, an endpoint is retired,
-- never deleted: its deliveries stay readable.
CREATE TABLE webhook_endpoints (
    id         INTEGER PRIMARY KEY,
    url        TEXT    NOT NULL CONSTRAINT webhook_endpoints_url_length
                   CHECK (length(url) BETWEEN 8 AND 500),
    -- The signing secret: the receiver checks signatures with it, so it is
    -- kept as it is (shown to the admin once, when the endpoint is added).
    secret     TEXT    NOT NULL,
    added_by   TEXT    NOT NULL,
    added_at   INTEGER NOT NULL,
    retired_by TEXT,
    retired_at INTEGER
) STRICT;

CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY,
    endpoint_id     INTEGER NOT NULL CONSTRAINT webhook_deliveries_endpoint_fk
                        REFERENCES webhook_endpoints (id),
    event           TEXT    NOT NULL CONSTRAINT webhook_deliveries_event_valid
                        CHECK (event IN ('hold.contact_attached', 'booking.confirmed',
                                         'booking.cancelled', 'hold.expired')),
    hold_id         INTEGER NOT NULL CONSTRAINT webhook_deliveries_hold_fk REFERENCES holds (id),
    body            TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    -- When the next attempt is due; NULL once delivered or given up.
    next_attempt_at INTEGER,
    delivered_at    INTEGER,
    -- The last attempt: the HTTP status, or what went wrong before one.
    last_status     INTEGER,
    last_error      TEXT
) STRICT;

CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (endpoint_id, id)
    WHERE next_attempt_at IS NOT NULL;
CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, id DESC);
