-- PostgreSQL's twin of migrations/0004_security.sql.
CREATE TABLE server_keys (
    name  TEXT NOT NULL CONSTRAINT server_keys_pk PRIMARY KEY,
    value TEXT NOT NULL
);

ALTER TABLE holds ADD COLUMN client_key TEXT;
CREATE INDEX holds_live_by_client ON holds (trip_id, client_key) WHERE status = 'HELD';
