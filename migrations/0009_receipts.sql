-- Proof of payment (see src/domain/receipt.rs): the receipts passengers
-- sent with their holds. The files themselves live outside the database
-- and outside the web root, under RECEIPTS_DIR/<hold id>/<sha256>.<ext>:
-- the writer that every booking waits on never carries megabytes, and a
-- file is named by its content, so the same photo sent twice is one file.
-- A hold keeps its latest few; a departed trip's receipts are removed
-- RECEIPT_KEEP_DAYS after departure (rows here, then the hold's folder).
CREATE TABLE receipts (
    id          INTEGER PRIMARY KEY,
    hold_id     INTEGER NOT NULL CONSTRAINT receipts_hold_fk REFERENCES holds (id),
    sha256      TEXT    NOT NULL CONSTRAINT receipts_sha256_hex
                    CHECK (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*'),
    kind        TEXT    NOT NULL CONSTRAINT receipts_kind_valid
                    CHECK (kind IN ('JPEG', 'PNG', 'PDF')),
    bytes       INTEGER NOT NULL CONSTRAINT receipts_bytes_range
                    CHECK (bytes BETWEEN 1 AND 5242880),
    uploaded_at INTEGER NOT NULL
) STRICT;

CREATE INDEX receipts_of_hold ON receipts (hold_id, id);
