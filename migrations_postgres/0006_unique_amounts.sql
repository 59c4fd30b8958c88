-- PostgreSQL's twin of migrations/0006_unique_amounts.sql.
ALTER TABLE holds ADD COLUMN unique_code BIGINT
    CONSTRAINT holds_unique_code_range CHECK (unique_code BETWEEN 1 AND 999);
ALTER TABLE holds ADD COLUMN amount_due BIGINT
    CONSTRAINT holds_amount_due_positive CHECK (amount_due > 0);
CREATE UNIQUE INDEX holds_awaiting_amount_unique ON holds (amount_due) WHERE status = 'HELD';
