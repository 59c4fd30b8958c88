-- PostgreSQL's twin of migrations/0013_report_indexes.sql.
CREATE INDEX holds_booked_by_time ON holds (booked_at) WHERE status = 'BOOKED';
CREATE INDEX holds_by_start ON holds (started_at);
