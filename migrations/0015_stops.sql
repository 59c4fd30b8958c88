-- Boarding and drop-off points (issue #20 part 2; see domain::stops).
-- A trip's and a schedule's stops are a JSON list of {place, minutes after
-- departure}, checked by domain::Stops before they are written; '[]' is a
-- trip that stops only at its route's ends, as every trip did before.
ALTER TABLE trips ADD COLUMN stops TEXT NOT NULL DEFAULT '[]'
    CONSTRAINT trips_stops_list CHECK (stops LIKE '[%]');
ALTER TABLE schedules ADD COLUMN stops TEXT NOT NULL DEFAULT '[]'
    CONSTRAINT schedules_stops_list CHECK (stops LIKE '[%]');
-- Where the hold's passengers get on and off, as the trip's stops were when
-- they chose (a later edit of the stops never changes a ticket); NULL on a
-- trip without stops. The time is kept as minutes after departure, so a
-- later departure moves it too.
ALTER TABLE holds ADD COLUMN board_place TEXT
    CONSTRAINT holds_board_place_length CHECK (length(board_place) BETWEEN 1 AND 60);
ALTER TABLE holds ADD COLUMN board_minutes INTEGER
    CONSTRAINT holds_board_minutes_range CHECK (board_minutes >= 0);
ALTER TABLE holds ADD COLUMN alight_place TEXT
    CONSTRAINT holds_alight_place_length CHECK (length(alight_place) BETWEEN 1 AND 60);
ALTER TABLE holds ADD COLUMN alight_minutes INTEGER
    CONSTRAINT holds_alight_minutes_range CHECK (alight_minutes >= 0);
