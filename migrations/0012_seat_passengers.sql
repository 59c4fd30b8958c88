-- A name per seat: who sits there, for the manifest, the ticket and the
-- crew. The hold's own `name` is the contact person who pays; a seat whose
-- passenger_name is NULL carries that person (a single traveller, or a
-- client of the API that gives one name). Kept with the hold's seats, so a
-- booking and an expired hold keep theirs. Checked like the contact name
-- (domain::CustomerName: trimmed, 1–80 characters).
ALTER TABLE hold_seats ADD COLUMN passenger_name TEXT
    CONSTRAINT hold_seats_passenger_name_length CHECK (length(passenger_name) BETWEEN 1 AND 80);
