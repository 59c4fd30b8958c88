-- The per-client rate limits, shared by every instance on this database
-- (SPEC §4; see src/storage/rates.rs). One row per kind of request and
-- client: the GCRA's "theoretical arrival time", in epoch milliseconds. A
-- row whose time has passed means the same as no row, so losing the table
-- loses nothing but a few seconds of counting: it is UNLOGGED (no WAL
-- write per request; emptied after a crash). SQLite keeps the limits in
-- the process's memory instead, so this table has no twin in migrations/.
CREATE UNLOGGED TABLE rate_limits (
    kind   TEXT   NOT NULL,
    client TEXT   NOT NULL,
    tat_ms BIGINT NOT NULL,
    CONSTRAINT rate_limits_pk PRIMARY KEY (kind, client)
);
