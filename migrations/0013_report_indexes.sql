-- The reports (src/domain/report.rs) read bookings by when they were paid
-- and holds by when they were opened, over a range of days.
CREATE INDEX holds_booked_by_time ON holds (booked_at) WHERE status = 'BOOKED';
CREATE INDEX holds_by_start ON holds (started_at);
