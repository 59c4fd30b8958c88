-- PostgreSQL's twin of migrations/0012_seat_passengers.sql.
ALTER TABLE hold_seats ADD COLUMN passenger_name TEXT
    CONSTRAINT hold_seats_passenger_name_length CHECK (char_length(passenger_name) BETWEEN 1 AND 80);
