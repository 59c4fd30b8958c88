-- Keys the server makes for itself, once, when the environment gives none
-- (the passenger session key when SESSION_SECRET is unset). Kept in the
-- database so restarts and several instances agree on them.
CREATE TABLE server_keys (
    name  TEXT NOT NULL CONSTRAINT server_keys_pk PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- Who asked for a hold, as the rate limits key clients (an IPv4 address or
-- an IPv6 /64), so that one address cannot hold a whole bus (see
-- MAX_HELD_SEATS_PER_IP). NULL for holds made before this column existed.
ALTER TABLE holds ADD COLUMN client_key TEXT;
CREATE INDEX holds_live_by_client ON holds (trip_id, client_key) WHERE status = 'HELD';
