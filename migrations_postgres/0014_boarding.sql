-- PostgreSQL's twin of migrations/0014_boarding.sql.
ALTER TABLE staff ADD COLUMN role TEXT NOT NULL DEFAULT 'ADMIN'
    CONSTRAINT staff_role_known CHECK (role IN ('ADMIN', 'CREW'));
ALTER TABLE hold_seats ADD COLUMN boarded_at BIGINT;
ALTER TABLE hold_seats ADD COLUMN boarded_by TEXT;

-- The audit log learns the action `board`.
ALTER TABLE audit_log
    DROP CONSTRAINT audit_action_valid,
    ADD CONSTRAINT audit_action_valid
        CHECK (action IN ('hold', 'release', 'expire', 'contact', 'claim', 'extend', 'book', 'cancel', 'trip', 'board'));
