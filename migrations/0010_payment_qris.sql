-- The operator's QRIS code (Indonesia's national QR standard for
-- payments), shown to passengers on the pay step beside the bank accounts.
--
-- One image, public, a few dozen KB, read by every pay step: unlike a
-- receipt it lives in the database, so every instance serves it without a
-- shared folder and a backup carries it. Like the bank accounts it is never
-- deleted, only retired, with who replaced or removed it and when; the live
-- one is the newest not retired (replacing retires the old one in the same
-- write, under a lock).
CREATE TABLE payment_qris (
    id         INTEGER PRIMARY KEY,
    sha256     TEXT    NOT NULL CONSTRAINT payment_qris_sha256_hex
                   CHECK (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*'),
    kind       TEXT    NOT NULL CONSTRAINT payment_qris_kind_valid
                   CHECK (kind IN ('JPEG', 'PNG')),
    image      BLOB    NOT NULL CONSTRAINT payment_qris_image_size
                   CHECK (length(image) BETWEEN 1 AND 5242880),
    added_by   TEXT    NOT NULL,
    added_at   INTEGER NOT NULL,
    retired_by TEXT,
    retired_at INTEGER
) STRICT;
