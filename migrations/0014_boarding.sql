-- Boarding by QR (#20 part 4). Staff accounts get a role: ADMIN (everything,
-- as before) or CREW (boards passengers of a trip and nothing else). A seat
-- of a booking is marked boarded once, with when and by whom; the audit log
-- keeps the event too.
ALTER TABLE staff ADD COLUMN role TEXT NOT NULL DEFAULT 'ADMIN'
    CONSTRAINT staff_role_known CHECK (role IN ('ADMIN', 'CREW'));
ALTER TABLE hold_seats ADD COLUMN boarded_at INTEGER;
ALTER TABLE hold_seats ADD COLUMN boarded_by TEXT;

-- The audit log learns the action `board`. SQLite cannot change a CHECK
-- constraint in place, so the append-only table is rebuilt with every row
-- kept (a DROP TABLE runs no row triggers), then its indexes and triggers
-- are made again as 0002 made them.
CREATE TABLE audit_log_new (
    id       INTEGER PRIMARY KEY,
    at       INTEGER NOT NULL,
    -- 'session:<first 12 hex of the token hash>', 'admin:<username>',
    -- 'crew:<username>', 'api-key' or 'system' (the expiry step).
    actor    TEXT    NOT NULL,
    action   TEXT    NOT NULL CONSTRAINT audit_action_valid
                 CHECK (action IN ('hold', 'release', 'expire', 'contact', 'claim', 'extend', 'book', 'cancel', 'trip', 'board')),
    trip_id  INTEGER NOT NULL CONSTRAINT audit_trip_fk REFERENCES trips (id),
    -- NULL only for trip-level actions.
    hold_id  INTEGER CONSTRAINT audit_hold_fk REFERENCES holds (id),
    -- Space-separated seat codes this action changed (may be empty).
    seats    TEXT    NOT NULL DEFAULT '',
    -- A short human note, e.g. the new expiry or the booking code.
    detail   TEXT    NOT NULL DEFAULT ''
) STRICT;

INSERT INTO audit_log_new (id, at, actor, action, trip_id, hold_id, seats, detail)
    SELECT id, at, actor, action, trip_id, hold_id, seats, detail FROM audit_log;
DROP TABLE audit_log;
ALTER TABLE audit_log_new RENAME TO audit_log;

CREATE INDEX audit_by_hold ON audit_log (hold_id);
CREATE INDEX audit_by_trip ON audit_log (trip_id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
