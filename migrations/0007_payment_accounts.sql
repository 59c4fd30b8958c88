-- The operator's bank accounts, shown to passengers on the pay step.
--
-- Where passengers' money goes is worth a record: an account is never
-- deleted, only retired, and its row names who added and who retired it.
-- The number is digits only (the page groups them for reading).
CREATE TABLE payment_accounts (
    id         INTEGER PRIMARY KEY,
    bank       TEXT    NOT NULL CONSTRAINT payment_accounts_bank_length
                   CHECK (length(bank) BETWEEN 1 AND 40),
    number     TEXT    NOT NULL CONSTRAINT payment_accounts_number_digits
                   CHECK (length(number) BETWEEN 4 AND 30 AND number NOT GLOB '*[^0-9]*'),
    holder     TEXT    NOT NULL CONSTRAINT payment_accounts_holder_length
                   CHECK (length(holder) BETWEEN 1 AND 80),
    added_by   TEXT    NOT NULL,
    added_at   INTEGER NOT NULL,
    retired_by TEXT,
    retired_at INTEGER
) STRICT;
