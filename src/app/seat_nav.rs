//! Seat-map logic kept out of the view: keyboard moves across the map and the
//! hold countdown. Plain structs, unit-tested.

use crate::domain::{Seat, SeatCode};

/// A direction of an arrow key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Move {
    Up,
    Down,
    Left,
    Right,
    First,
    Last,
}

impl Move {
    pub fn from_key(key: &str) -> Option<Self> {
        match key {
            "ArrowUp" => Some(Move::Up),
            "ArrowDown" => Some(Move::Down),
            "ArrowLeft" => Some(Move::Left),
            "ArrowRight" => Some(Move::Right),
            "Home" => Some(Move::First),
            "End" => Some(Move::Last),
            _ => None,
        }
    }
}

/// The seat an arrow key moves to from `from`, or `None` at the edge.
///
/// Left/right stay in the row; up/down go to the nearest row that has a seat,
/// choosing the seat closest in column. Row numbers run on across the decks
/// of a sleeper, so down from the last lower berth reaches the upper deck.
pub fn neighbour(seats: &[Seat], from: SeatCode, m: Move) -> Option<SeatCode> {
    let cur = seats.iter().find(|s| s.code == from)?;
    let pick = |it: &mut dyn Iterator<Item = &Seat>, key: &dyn Fn(&Seat) -> (i32, i32)| {
        it.min_by_key(|s| key(s)).map(|s| s.code)
    };
    let (row, col) = (i32::from(cur.row), i32::from(cur.col));
    match m {
        Move::Right => pick(
            &mut seats.iter().filter(|s| s.row == cur.row && s.col > cur.col),
            &|s| (i32::from(s.col) - col, 0),
        ),
        Move::Left => pick(
            &mut seats.iter().filter(|s| s.row == cur.row && s.col < cur.col),
            &|s| (col - i32::from(s.col), 0),
        ),
        Move::Down => pick(&mut seats.iter().filter(|s| s.row > cur.row), &|s| {
            (i32::from(s.row) - row, (i32::from(s.col) - col).abs())
        }),
        Move::Up => pick(&mut seats.iter().filter(|s| s.row < cur.row), &|s| {
            (row - i32::from(s.row), (i32::from(s.col) - col).abs())
        }),
        Move::First => seats.iter().min_by_key(|s| (s.row, s.col)).map(|s| s.code),
        Move::Last => seats.iter().max_by_key(|s| (s.row, s.col)).map(|s| s.code),
    }
}

/// The phase of a hold's countdown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Running,
    /// Less than two minutes left: warn and offer the extension.
    Warning,
    Expired,
}

/// A countdown to a deadline on the browser's own clock (the server sends
/// seconds left, so clocks need not agree).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Countdown {
    pub deadline_ms: f64,
}

impl Countdown {
    /// A countdown that ends `ms_left` after `now_ms`.
    pub fn new(now_ms: f64, ms_left: i64) -> Self {
        Self {
            deadline_ms: now_ms + ms_left as f64,
        }
    }

    pub fn seconds_left(&self, now_ms: f64) -> i64 {
        ((self.deadline_ms - now_ms) / 1000.0).ceil().max(0.0) as i64
    }

    pub fn phase(&self, now_ms: f64) -> Phase {
        match self.seconds_left(now_ms) {
            0 => Phase::Expired,
            s if s < 120 => Phase::Warning,
            _ => Phase::Running,
        }
    }

    /// `9:05`, `0:42`.
    pub fn label(&self, now_ms: f64) -> String {
        let s = self.seconds_left(now_ms);
        format!("{}:{:02}", s / 60, s % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{BusType, SeatStatus};

    fn map(bus: BusType) -> Vec<Seat> {
        bus.layout()
            .into_iter()
            .map(|p| Seat {
                code: p.code,
                row: p.row,
                col: p.col,
                deck: p.deck,
                status: SeatStatus::Available,
                mine: false,
            })
            .collect()
    }

    fn code(s: &str) -> SeatCode {
        SeatCode::parse(s).unwrap()
    }

    #[test]
    fn arrows_cross_the_aisle_and_stop_at_edges() {
        let seats = map(BusType::Economy);
        assert_eq!(neighbour(&seats, code("1B"), Move::Right), Some(code("1C")));
        assert_eq!(neighbour(&seats, code("1C"), Move::Left), Some(code("1B")));
        assert_eq!(neighbour(&seats, code("1D"), Move::Right), None);
        assert_eq!(neighbour(&seats, code("1A"), Move::Up), None);
        assert_eq!(neighbour(&seats, code("1A"), Move::Down), Some(code("2A")));
        assert_eq!(neighbour(&seats, code("3C"), Move::First), Some(code("1A")));
        assert_eq!(neighbour(&seats, code("3C"), Move::Last), Some(code("10D")));
    }

    #[test]
    fn down_from_the_lower_deck_reaches_the_upper_deck() {
        let seats = map(BusType::Sleeper);
        assert_eq!(neighbour(&seats, code("6B"), Move::Down), Some(code("7B")));
        assert_eq!(neighbour(&seats, code("7A"), Move::Up), Some(code("6A")));
    }

    #[test]
    fn executive_single_seats_move_to_the_nearest_column() {
        let seats = map(BusType::Executive);
        assert_eq!(neighbour(&seats, code("1C"), Move::Left), Some(code("1B")));
        assert_eq!(neighbour(&seats, code("1C"), Move::Down), Some(code("2C")));
    }

    #[test]
    fn the_countdown_warns_in_the_last_two_minutes_and_ends_at_zero() {
        let c = Countdown::new(1_000.0, 600_000);
        assert_eq!(c.label(1_000.0), "10:00");
        assert_eq!(c.phase(1_000.0), Phase::Running);
        assert_eq!(c.phase(1_000.0 + 481_000.0), Phase::Warning);
        assert_eq!(c.label(1_000.0 + 481_000.0), "1:59");
        assert_eq!(c.phase(1_000.0 + 600_000.0), Phase::Expired);
        assert_eq!(c.seconds_left(1_000.0 + 700_000.0), 0);
    }

    #[test]
    fn the_countdown_ends_with_the_server_not_before_it() {
        // 599.3 s left on the server: the page shows 10:00 (rounded up) and
        // reaches zero exactly when the hold ends, not 0.7 s earlier.
        let c = Countdown::new(0.0, 599_300);
        assert_eq!(c.label(0.0), "10:00");
        assert_eq!(c.phase(599_000.0), Phase::Warning);
        assert_eq!(c.phase(599_300.0), Phase::Expired);
    }
}
