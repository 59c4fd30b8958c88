-- Unique transfer amounts, the *kode unik* (see src/domain/money.rs).
-- (0005 is PostgreSQL's alone: the shared rate limits, kept in memory here.)
--
-- Once contact is attached a hold has an amount to transfer: seats × price
-- plus its unique code. No two holds awaiting payment (HELD) have the same
-- amount; the partial unique index makes that true whatever the code does,
-- on both databases and with several writers. A booking keeps its code and
-- amount: they are what was paid. Both stay NULL while unique amounts are
-- off or before contact.
ALTER TABLE holds ADD COLUMN unique_code INTEGER
    CONSTRAINT holds_unique_code_range CHECK (unique_code BETWEEN 1 AND 999);
ALTER TABLE holds ADD COLUMN amount_due INTEGER
    CONSTRAINT holds_amount_due_positive CHECK (amount_due > 0);
CREATE UNIQUE INDEX holds_awaiting_amount_unique ON holds (amount_due) WHERE status = 'HELD';
