//! Seat codes and the seat layouts of each bus type (SPEC §1).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use super::AppError;

/// A seat code such as `1A`: a row number (1–99) and a letter.
///
/// Parsing trims spaces and upper-cases, so ` 3b ` is `3B`. Whether the seat
/// exists on a given bus is a separate question ([`BusType::position`]).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SeatCode {
    row: u8,
    letter: u8,
}

impl SeatCode {
    pub fn parse(input: &str) -> Result<Self, AppError> {
        let s = input.trim();
        let bad = || AppError::invalid(format!("'{}' is not a seat code such as 1A.", clip(s)));
        if !s.is_ascii() {
            return Err(bad());
        }
        let (digits, letter) = s.split_at(s.len().saturating_sub(1));
        let letter = letter.bytes().next().ok_or_else(bad)?.to_ascii_uppercase();
        if !letter.is_ascii_uppercase() || digits.is_empty() || digits.len() > 2 {
            return Err(bad());
        }
        if !digits.bytes().all(|b| b.is_ascii_digit()) || digits.starts_with('0') {
            return Err(bad());
        }
        let row: u8 = digits.parse().map_err(|_| bad())?;
        Ok(Self { row, letter })
    }

    pub fn row(self) -> u8 {
        self.row
    }

    pub fn letter(self) -> char {
        self.letter as char
    }
}

/// Keeps error messages short when a client sends a huge string.
fn clip(s: &str) -> String {
    s.chars().take(16).collect()
}

impl fmt::Display for SeatCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.row, self.letter as char)
    }
}

impl fmt::Debug for SeatCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SeatCode({self})")
    }
}

impl FromStr for SeatCode {
    type Err = AppError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for SeatCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for SeatCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(|e| serde::de::Error::custom(e.message()))
    }
}

/// The kind of bus, which fixes the seat layout of a trip.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BusType {
    /// 2-2 layout, 10 rows, 40 seats.
    Economy,
    /// 2-1 layout, 10 rows, 30 seats.
    Executive,
    /// 1-1 berths on two decks: lower rows 1–6, upper rows 7–11; 22 berths.
    Sleeper,
}

/// Where a seat sits on the map. Columns leave a gap for the aisle so the
/// map can be drawn as a plain grid: column numbers are 1-based and the aisle
/// column is never used by a seat.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeatPosition {
    pub code: SeatCode,
    pub row: u8,
    pub col: u8,
    /// 1 = lower (the only deck of a seated bus), 2 = upper.
    pub deck: u8,
}

impl BusType {
    pub const ALL: [BusType; 3] = [BusType::Economy, BusType::Executive, BusType::Sleeper];

    pub fn as_str(self) -> &'static str {
        match self {
            BusType::Economy => "ECONOMY",
            BusType::Executive => "EXECUTIVE",
            BusType::Sleeper => "SLEEPER",
        }
    }

    pub fn parse(input: &str) -> Result<Self, AppError> {
        match input.trim().to_ascii_uppercase().as_str() {
            "ECONOMY" => Ok(BusType::Economy),
            "EXECUTIVE" => Ok(BusType::Executive),
            "SLEEPER" => Ok(BusType::Sleeper),
            _ => Err(AppError::invalid(
                "bus_type must be ECONOMY, EXECUTIVE or SLEEPER.",
            )),
        }
    }

    /// Letters of one row and the map column of each letter (the aisle column
    /// is skipped).
    fn letters(self) -> &'static [(u8, u8)] {
        match self {
            BusType::Economy => &[(b'A', 1), (b'B', 2), (b'C', 4), (b'D', 5)],
            BusType::Executive => &[(b'A', 1), (b'B', 2), (b'C', 4)],
            BusType::Sleeper => &[(b'A', 1), (b'B', 3)],
        }
    }

    /// Number of grid columns including the aisle.
    pub fn columns(self) -> u8 {
        match self {
            BusType::Economy => 5,
            BusType::Executive => 4,
            BusType::Sleeper => 3,
        }
    }

    /// The aisle column of the grid.
    pub fn aisle_col(self) -> u8 {
        match self {
            BusType::Economy | BusType::Executive => 3,
            BusType::Sleeper => 2,
        }
    }

    pub fn rows(self) -> u8 {
        match self {
            BusType::Economy | BusType::Executive => 10,
            BusType::Sleeper => 11,
        }
    }

    pub fn decks(self) -> u8 {
        match self {
            BusType::Sleeper => 2,
            _ => 1,
        }
    }

    fn deck_of_row(self, row: u8) -> u8 {
        match self {
            BusType::Sleeper if row >= 7 => 2,
            _ => 1,
        }
    }

    /// Every seat of this bus, in row then column order.
    pub fn layout(self) -> Vec<SeatPosition> {
        (1..=self.rows())
            .flat_map(|row| {
                self.letters()
                    .iter()
                    .map(move |&(letter, col)| SeatPosition {
                        code: SeatCode { row, letter },
                        row,
                        col,
                        deck: self.deck_of_row(row),
                    })
            })
            .collect()
    }

    pub fn seat_count(self) -> usize {
        self.rows() as usize * self.letters().len()
    }

    /// The position of `code` on this bus, or `None` when the bus has no
    /// such seat.
    pub fn position(self, code: SeatCode) -> Option<SeatPosition> {
        if code.row < 1 || code.row > self.rows() {
            return None;
        }
        self.letters()
            .iter()
            .find(|(l, _)| *l == code.letter)
            .map(|&(_, col)| SeatPosition {
                code,
                row: code.row,
                col,
                deck: self.deck_of_row(code.row),
            })
    }
}

impl fmt::Display for BusType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(feature = "ssr")]
impl utoipa::PartialSchema for SeatCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        super::codes::string_schema(
            "A seat: row number and letter.",
            "^[0-9]{1,2}[A-Da-d]$",
            "1A",
        )
    }
}

#[cfg(feature = "ssr")]
impl utoipa::ToSchema for SeatCode {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seat_codes_parse_with_spaces_and_lowercase() {
        assert_eq!(SeatCode::parse(" 3b ").unwrap().to_string(), "3B");
        assert_eq!(SeatCode::parse("10D").unwrap().row(), 10);
    }

    #[test]
    fn seat_codes_refuse_garbage() {
        for bad in ["", "A", "1", "01A", "100A", "1AA", "1-A", "٣A", "1é", "A1"] {
            assert!(SeatCode::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn economy_is_two_two_with_forty_seats() {
        let layout = BusType::Economy.layout();
        assert_eq!(layout.len(), 40);
        assert_eq!(layout.first().unwrap().code.to_string(), "1A");
        assert_eq!(layout.last().unwrap().code.to_string(), "10D");
        assert!(layout.iter().all(|p| p.col != BusType::Economy.aisle_col()));
    }

    #[test]
    fn executive_is_two_one_with_thirty_seats() {
        let layout = BusType::Executive.layout();
        assert_eq!(layout.len(), 30);
        assert_eq!(layout.last().unwrap().code.to_string(), "10C");
        assert!(
            BusType::Executive
                .position(SeatCode::parse("1D").unwrap())
                .is_none()
        );
    }

    #[test]
    fn sleeper_has_twenty_two_berths_on_two_decks() {
        let layout = BusType::Sleeper.layout();
        assert_eq!(layout.len(), 22);
        assert_eq!(layout.iter().filter(|p| p.deck == 1).count(), 12);
        assert_eq!(layout.iter().filter(|p| p.deck == 2).count(), 10);
        let upper = BusType::Sleeper
            .position(SeatCode::parse("7A").unwrap())
            .unwrap();
        assert_eq!(upper.deck, 2);
        assert!(
            BusType::Sleeper
                .position(SeatCode::parse("12A").unwrap())
                .is_none()
        );
        assert!(
            BusType::Sleeper
                .position(SeatCode::parse("1C").unwrap())
                .is_none()
        );
    }

    #[test]
    fn bus_types_parse_case_insensitively() {
        assert_eq!(BusType::parse("sleeper").unwrap(), BusType::Sleeper);
        assert!(BusType::parse("VIP").is_err());
        for t in BusType::ALL {
            assert_eq!(t.layout().len(), t.seat_count());
        }
    }
}
