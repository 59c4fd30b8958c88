-- PostgreSQL's twin of migrations/0015_stops.sql.
ALTER TABLE trips ADD COLUMN stops TEXT NOT NULL DEFAULT '[]'
    CONSTRAINT trips_stops_list CHECK (stops LIKE '[%]');
ALTER TABLE schedules ADD COLUMN stops TEXT NOT NULL DEFAULT '[]'
    CONSTRAINT schedules_stops_list CHECK (stops LIKE '[%]');
ALTER TABLE holds ADD COLUMN board_place TEXT
    CONSTRAINT holds_board_place_length CHECK (char_length(board_place) BETWEEN 1 AND 60);
ALTER TABLE holds ADD COLUMN board_minutes BIGINT
    CONSTRAINT holds_board_minutes_range CHECK (board_minutes >= 0);
ALTER TABLE holds ADD COLUMN alight_place TEXT
    CONSTRAINT holds_alight_place_length CHECK (char_length(alight_place) BETWEEN 1 AND 60);
ALTER TABLE holds ADD COLUMN alight_minutes BIGINT
    CONSTRAINT holds_alight_minutes_range CHECK (alight_minutes >= 0);
