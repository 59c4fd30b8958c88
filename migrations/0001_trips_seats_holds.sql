-- Trips, their seats, and the holds that claim seats.
--
-- Decisions that apply to every table here:
-- * STRICT tables: SQLite otherwise stores any type in any column.
-- * Times are INTEGER milliseconds since the Unix epoch, UTC. They compare as
--   plain numbers, need no date functions, and map to BIGINT on PostgreSQL.
-- * Every constraint has a name, so a violation can be told apart in code.
-- * Status columns are TEXT with a CHECK instead of lookup tables: the set is
--   closed and the values read well in the audit trail and in psql/sqlite3.

CREATE TABLE trips (
    id          INTEGER PRIMARY KEY,
    route_from  TEXT    NOT NULL CONSTRAINT trips_route_from_not_blank CHECK (length(trim(route_from)) > 0),
    route_to    TEXT    NOT NULL CONSTRAINT trips_route_to_not_blank CHECK (length(trim(route_to)) > 0),
    depart_at   INTEGER NOT NULL,
    -- Whole rupiah; the currency has no minor unit in practice.
    price       INTEGER NOT NULL CONSTRAINT trips_price_not_negative CHECK (price >= 0),
    -- The bus type fixes the seat layout; see domain::BusType.
    bus_type    TEXT    NOT NULL CONSTRAINT trips_bus_type_valid CHECK (bus_type IN ('ECONOMY', 'EXECUTIVE', 'SLEEPER')),
    -- The admin's WhatsApp number for this trip, normalised digits (62…).
    admin_wa    TEXT    NOT NULL,
    -- Deactivated trips stay for their bookings and audit trail; never deleted.
    is_active   INTEGER NOT NULL DEFAULT 1 CONSTRAINT trips_is_active_bool CHECK (is_active IN (0, 1)),
    created_at  INTEGER NOT NULL
) STRICT;

-- The trip list filters on listed trips ordered by departure.
CREATE INDEX trips_listed_by_departure ON trips (is_active, depart_at);

-- A hold is a group of seats of one trip held by one browser session, and,
-- once paid, the booking itself (status BOOKED): one row carries the whole
-- life of a purchase, so the audit trail and the manifest need no joins
-- across tables that could disagree.
CREATE TABLE holds (
    id                 INTEGER PRIMARY KEY,
    trip_id            INTEGER NOT NULL CONSTRAINT holds_trip_fk REFERENCES trips (id),
    -- SHA-256 (hex) of the controlling session's cookie token. The token
    -- itself is never stored, so a leaked database cannot steal sessions.
    session_hash       TEXT    NOT NULL,
    status             TEXT    NOT NULL CONSTRAINT holds_status_valid
                           CHECK (status IN ('HELD', 'BOOKED', 'RELEASED', 'EXPIRED', 'CANCELLED')),
    started_at         INTEGER NOT NULL,
    expires_at         INTEGER NOT NULL,
    -- The passenger may extend once; admins may extend any number of times.
    passenger_extended INTEGER NOT NULL DEFAULT 0 CONSTRAINT holds_passenger_extended_bool CHECK (passenger_extended IN (0, 1)),
    name               TEXT,
    whatsapp           TEXT,
    -- Given when contact is attached; kept after expiry for the admin.
    claim_code         TEXT    CONSTRAINT holds_claim_code_unique UNIQUE,
    booking_code       TEXT    CONSTRAINT holds_booking_code_unique UNIQUE,
    booked_at          INTEGER,
    ended_at           INTEGER,
    CONSTRAINT holds_expiry_after_start CHECK (expires_at > started_at),
    CONSTRAINT holds_contact_complete CHECK ((claim_code IS NULL) = (whatsapp IS NULL) AND (name IS NULL) = (whatsapp IS NULL)),
    CONSTRAINT holds_booked_has_code CHECK ((status IN ('BOOKED', 'CANCELLED')) = (booking_code IS NOT NULL))
) STRICT;

-- One live hold per session at a time: a session holds seats on one trip
-- and its seats form one group. Partial unique indexes exist in SQLite and
-- PostgreSQL alike.
CREATE UNIQUE INDEX holds_one_live_per_session ON holds (session_hash) WHERE status = 'HELD';
-- The expiry step looks up due live holds on every write and in the sweep.
CREATE INDEX holds_live_by_expiry ON holds (expires_at) WHERE status = 'HELD';
-- The per-WhatsApp cap counts live holds of a number.
CREATE INDEX holds_live_by_whatsapp ON holds (whatsapp) WHERE status = 'HELD';
CREATE INDEX holds_by_trip ON holds (trip_id, status);

-- Seats are created with their trip from the bus type's layout.
-- `hold_id` names the hold that owns the seat: the live hold for HOLD, the
-- booking for BOOKED, nobody for AVAILABLE. A seat can have one owner only,
-- which is what makes double booking impossible: every claim of a seat is a
-- conditional UPDATE ... WHERE status = 'AVAILABLE' checked by rows affected.
CREATE TABLE seats (
    trip_id   INTEGER NOT NULL CONSTRAINT seats_trip_fk REFERENCES trips (id),
    code      TEXT    NOT NULL,
    seat_row  INTEGER NOT NULL CONSTRAINT seats_row_positive CHECK (seat_row > 0),
    seat_col  INTEGER NOT NULL CONSTRAINT seats_col_positive CHECK (seat_col > 0),
    deck      INTEGER NOT NULL CONSTRAINT seats_deck_valid CHECK (deck IN (1, 2)),
    status    TEXT    NOT NULL DEFAULT 'AVAILABLE' CONSTRAINT seats_status_valid CHECK (status IN ('AVAILABLE', 'HOLD', 'BOOKED')),
    hold_id   INTEGER CONSTRAINT seats_hold_fk REFERENCES holds (id),
    CONSTRAINT seats_pk PRIMARY KEY (trip_id, code),
    CONSTRAINT seats_owner_matches_status CHECK ((status = 'AVAILABLE') = (hold_id IS NULL))
) STRICT;

CREATE INDEX seats_by_hold ON seats (hold_id) WHERE hold_id IS NOT NULL;

-- The seats a hold asked for, kept after the hold ends: an expired hold can
-- still be booked (a late payment) when all of these are still available,
-- and the manifest and audit trail name them.
CREATE TABLE hold_seats (
    hold_id   INTEGER NOT NULL CONSTRAINT hold_seats_hold_fk REFERENCES holds (id),
    code      TEXT    NOT NULL,
    CONSTRAINT hold_seats_pk PRIMARY KEY (hold_id, code)
) STRICT;
