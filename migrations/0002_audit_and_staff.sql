-- The audit log and staff accounts.

-- Append-only record of every state change, written in the same transaction
-- as the change itself, so the log and the seats can never disagree.
-- Replaying it (hold/release/expire/book/cancel) rebuilds every seat's state;
-- tests do exactly that.
CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY,
    at       INTEGER NOT NULL,
    -- 'session:<first 12 hex of the token hash>', 'admin:<username>',
    -- 'api-key' or 'system' (the expiry step).
    actor    TEXT    NOT NULL,
    action   TEXT    NOT NULL CONSTRAINT audit_action_valid
                 CHECK (action IN ('hold', 'release', 'expire', 'contact', 'claim', 'extend', 'book', 'cancel', 'trip')),
    trip_id  INTEGER NOT NULL CONSTRAINT audit_trip_fk REFERENCES trips (id),
    -- NULL only for trip-level actions.
    hold_id  INTEGER CONSTRAINT audit_hold_fk REFERENCES holds (id),
    -- Space-separated seat codes this action changed (may be empty).
    seats    TEXT    NOT NULL DEFAULT '',
    -- A short human note, e.g. the new expiry or the booking code.
    detail   TEXT    NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX audit_by_hold ON audit_log (hold_id);
CREATE INDEX audit_by_trip ON audit_log (trip_id);

-- The log is append-only: the database itself refuses edits. (PostgreSQL
-- gets equivalent triggers with its own migrations.)
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

-- Staff who may sign in to /admin. Passwords are Argon2id PHC strings.
CREATE TABLE staff (
    id             INTEGER PRIMARY KEY,
    username       TEXT    NOT NULL CONSTRAINT staff_username_unique UNIQUE,
    password_hash  TEXT    NOT NULL,
    created_at     INTEGER NOT NULL
) STRICT;

-- Signed-in staff sessions; only a SHA-256 of the cookie token is stored.
CREATE TABLE staff_sessions (
    token_hash  TEXT    PRIMARY KEY,
    staff_id    INTEGER NOT NULL CONSTRAINT staff_sessions_staff_fk REFERENCES staff (id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
) STRICT;
