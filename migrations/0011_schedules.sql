-- Schedules (see src/domain/schedule.rs): the routes an operator runs every
-- week, from which Kursi makes the trips ahead.
--
-- A trip made from a schedule names it and its local service date; one
-- trip per schedule and date (a unique index), so making trips twice, or
-- on two instances at once, makes each trip once. Dates are local dates of
-- DISPLAY_TZ written `YYYY-MM-DD` (they compare as text); the departure
-- time is minutes after local midnight. Like trips, a schedule is never
-- deleted: it is stopped, and its trips stay.
CREATE TABLE schedules (
    id            INTEGER PRIMARY KEY,
    route_from    TEXT    NOT NULL CONSTRAINT schedules_route_from_not_blank CHECK (length(trim(route_from)) > 0),
    route_to      TEXT    NOT NULL CONSTRAINT schedules_route_to_not_blank CHECK (length(trim(route_to)) > 0),
    depart_minute INTEGER NOT NULL CONSTRAINT schedules_depart_minute_range CHECK (depart_minute BETWEEN 0 AND 1439),
    -- Bit 0 Monday … bit 6 Sunday.
    days          INTEGER NOT NULL CONSTRAINT schedules_days_range CHECK (days BETWEEN 1 AND 127),
    bus_type      TEXT    NOT NULL CONSTRAINT schedules_bus_type_valid CHECK (bus_type IN ('ECONOMY', 'EXECUTIVE', 'SLEEPER')),
    price         INTEGER NOT NULL CONSTRAINT schedules_price_not_negative CHECK (price >= 0),
    admin_wa      TEXT    NOT NULL,
    valid_from    TEXT    NOT NULL CONSTRAINT schedules_valid_from_date CHECK (valid_from GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    valid_until   TEXT    CONSTRAINT schedules_valid_until_date CHECK (valid_until GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    is_active     INTEGER NOT NULL DEFAULT 1 CONSTRAINT schedules_is_active_bool CHECK (is_active IN (0, 1)),
    created_by    TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    CONSTRAINT schedules_valid_range CHECK (valid_until IS NULL OR valid_until >= valid_from)
) STRICT;

-- Dates a schedule does not run, and dates with a price of their own.
CREATE TABLE schedule_dates (
    schedule_id INTEGER NOT NULL CONSTRAINT schedule_dates_schedule_fk REFERENCES schedules (id),
    date        TEXT    NOT NULL CONSTRAINT schedule_dates_date_valid CHECK (date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    skipped     INTEGER NOT NULL DEFAULT 0 CONSTRAINT schedule_dates_skipped_bool CHECK (skipped IN (0, 1)),
    price       INTEGER CONSTRAINT schedule_dates_price_not_negative CHECK (price >= 0),
    CONSTRAINT schedule_dates_pk PRIMARY KEY (schedule_id, date),
    CONSTRAINT schedule_dates_says_something CHECK (skipped = 1 OR price IS NOT NULL)
) STRICT;

ALTER TABLE trips ADD COLUMN schedule_id INTEGER CONSTRAINT trips_schedule_fk REFERENCES schedules (id);
ALTER TABLE trips ADD COLUMN service_date TEXT;

CREATE UNIQUE INDEX trips_one_per_schedule_date ON trips (schedule_id, service_date)
    WHERE schedule_id IS NOT NULL;
