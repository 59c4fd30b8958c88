//! A passenger's contact details: their name and WhatsApp number.

use serde::{Deserialize, Serialize};
use std::fmt;

use super::{AppError, SeatCode};

/// A passenger's name as they want it on the manifest: trimmed, inner runs of
/// whitespace collapsed, 1–80 characters, no control characters. Any script
/// and emoji are fine; people's names are not ASCII.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CustomerName(String);

impl CustomerName {
    pub const MAX_CHARS: usize = 80;

    pub fn parse(input: &str) -> Result<Self, AppError> {
        if input
            .chars()
            .any(|c| c.is_control() && !c.is_whitespace() || is_bidi_control(c))
        {
            return Err(AppError::invalid(
                "The name contains characters that cannot be printed.",
            ));
        }
        let name = input.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() {
            return Err(AppError::invalid("Please enter a name."));
        }
        if name.chars().count() > Self::MAX_CHARS {
            return Err(AppError::invalid("The name is longer than 80 characters."));
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Bidirectional overrides can make a manifest line read differently from
/// what it stores; a name has no need for them.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

impl TryFrom<String> for CustomerName {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s).map_err(|e| e.message())
    }
}

impl From<CustomerName> for String {
    fn from(n: CustomerName) -> String {
        n.0
    }
}

impl fmt::Display for CustomerName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for CustomerName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CustomerName({:?})", self.0)
    }
}

/// A WhatsApp number normalised to international digits, Indonesia first:
/// `0812-3456-7890`, `+62 812 3456 7890` and `812 3456 7890` all become
/// `6281234567890`. Anything that is not 9–15 digits afterwards is refused.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct WhatsApp(String);

impl WhatsApp {
    pub fn parse(input: &str) -> Result<Self, AppError> {
        let bad = || AppError::invalid("Enter a WhatsApp number such as 0812 3456 7890.");
        if input.len() > 64 {
            return Err(bad());
        }
        let trimmed = input.trim();
        let (plus, rest) = match trimmed.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        };
        let mut digits = String::with_capacity(16);
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' | '.' | '(' | ')' => {}
                _ => return Err(bad()),
            }
        }
        let international = if plus {
            // "+0…" is not a country code.
            if digits.starts_with('0') {
                return Err(bad());
            }
            digits
        } else if let Some(rest) = digits.strip_prefix("00") {
            rest.to_string()
        } else if let Some(rest) = digits.strip_prefix('0') {
            format!("62{rest}")
        } else if digits.starts_with('8') {
            // Indonesian mobile numbers written without the trunk 0.
            format!("62{digits}")
        } else {
            digits
        };
        if !(9..=15).contains(&international.len()) {
            return Err(bad());
        }
        Ok(Self(international))
    }

    /// Digits only, country code first, as `wa.me` links want them.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for WhatsApp {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s).map_err(|e| e.message())
    }
}

impl From<WhatsApp> for String {
    fn from(w: WhatsApp) -> String {
        w.0
    }
}

impl fmt::Display for WhatsApp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for WhatsApp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WhatsApp({})", self.0)
    }
}

/// Who sits in one seat: a seat of the hold and the passenger's name. On
/// the wire in both directions (a client names seats when attaching
/// contact; a hold, booking and manifest list them).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Passenger {
    pub seat: SeatCode,
    pub name: String,
}

/// The names a passenger gave for the seats of their hold, checked: every
/// name a [`CustomerName`], every seat named at most once. Seats left out
/// carry the contact person's name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SeatNames(Vec<(SeatCode, CustomerName)>);

impl SeatNames {
    /// More names than any bus has seats is not a request for names.
    pub const MAX: usize = 64;

    pub fn none() -> Self {
        Self::default()
    }

    pub fn parse(list: &[Passenger]) -> Result<Self, AppError> {
        if list.len() > Self::MAX {
            return Err(AppError::invalid("Too many passenger names."));
        }
        let mut names: Vec<(SeatCode, CustomerName)> = Vec::with_capacity(list.len());
        for p in list {
            if names.iter().any(|(seat, _)| *seat == p.seat) {
                return Err(AppError::invalid(format!(
                    "Seat {} is named twice.",
                    p.seat
                )));
            }
            let name = CustomerName::parse(&p.name)
                .map_err(|e| AppError::invalid(format!("Seat {}: {}", p.seat, e.message())))?;
            names.push((p.seat, name));
        }
        Ok(Self(names))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The name stored for each seat of `seats` (None: the contact
    /// person's). A named seat that is not one of `seats` is a mistake.
    pub fn for_seats<'a>(
        &'a self,
        seats: &[SeatCode],
    ) -> Result<Vec<(SeatCode, Option<&'a CustomerName>)>, AppError> {
        if let Some((stray, _)) = self.0.iter().find(|(seat, _)| !seats.contains(seat)) {
            return Err(AppError::invalid(format!(
                "Seat {stray} is not one of the seats held."
            )));
        }
        Ok(seats
            .iter()
            .map(|seat| {
                let name = self.0.iter().find(|(s, _)| s == seat).map(|(_, n)| n);
                (*seat, name)
            })
            .collect())
    }
}

/// Each seat with its passenger: its own name, or else the contact
/// person's. Nobody before contact is attached.
pub fn passengers_of(
    seats: &[(SeatCode, Option<String>)],
    contact: Option<&str>,
) -> Vec<Passenger> {
    let Some(contact) = contact else {
        return Vec::new();
    };
    seats
        .iter()
        .map(|(seat, name)| Passenger {
            seat: *seat,
            name: name.clone().unwrap_or_else(|| contact.to_string()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seat(code: &str) -> SeatCode {
        SeatCode::parse(code).unwrap()
    }

    fn named(seat_code: &str, name: &str) -> Passenger {
        Passenger {
            seat: seat(seat_code),
            name: name.to_string(),
        }
    }

    #[test]
    fn seat_names_are_checked_like_contact_names() {
        let names =
            SeatNames::parse(&[named("1A", "  Budi   Santoso "), named("1B", "Siti")]).unwrap();
        let seats = [seat("1A"), seat("1B"), seat("2A")];
        let stored = names.for_seats(&seats).unwrap();
        assert_eq!(stored[0].1.unwrap().as_str(), "Budi Santoso");
        assert_eq!(stored[1].1.unwrap().as_str(), "Siti");
        assert_eq!(stored[2].1, None, "a seat left out has no name of its own");
        let err = SeatNames::parse(&[named("1A", " ")]).unwrap_err();
        assert!(err.message().contains("1A"), "{}", err.message());
        assert!(SeatNames::parse(&[named("1A", "Bu\u{202E}di")]).is_err());
    }

    #[test]
    fn a_seat_named_twice_or_not_held_is_refused() {
        let twice = SeatNames::parse(&[named("1A", "Budi"), named("1A", "Siti")]).unwrap_err();
        assert!(twice.message().contains("twice"), "{}", twice.message());
        let names = SeatNames::parse(&[named("3C", "Budi")]).unwrap();
        let err = names.for_seats(&[seat("1A")]).unwrap_err();
        assert!(err.message().contains("3C"), "{}", err.message());
        let many: Vec<_> = (0..65).map(|_| named("1A", "x")).collect();
        assert!(SeatNames::parse(&many).is_err());
    }

    #[test]
    fn passengers_fall_back_to_the_contact_person() {
        let seats = [(seat("1A"), None), (seat("1B"), Some("Siti".to_string()))];
        assert!(
            passengers_of(&seats, None).is_empty(),
            "nobody before contact"
        );
        let list = passengers_of(&seats, Some("Budi"));
        assert_eq!(list, vec![named("1A", "Budi"), named("1B", "Siti")]);
    }

    #[test]
    fn indonesian_numbers_normalise_to_62() {
        for input in [
            "081234567890",
            "0812-3456-7890",
            "+62 812-3456-7890",
            "+6281234567890",
            "6281234567890",
            " 0812 3456 7890 ",
            "(0812) 3456.7890",
            "81234567890",
            "006281234567890",
        ] {
            assert_eq!(
                WhatsApp::parse(input).unwrap().as_str(),
                "6281234567890",
                "{input:?}"
            );
        }
    }

    #[test]
    fn other_countries_keep_their_code() {
        assert_eq!(
            WhatsApp::parse("+65 9123 4567").unwrap().as_str(),
            "6591234567"
        );
    }

    #[test]
    fn numbers_outside_nine_to_fifteen_digits_are_refused() {
        for bad in [
            "",
            "0812",
            "+62 8",
            "1234567",
            "+1234567890123456",
            "0812345678901234",
        ] {
            assert!(WhatsApp::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn letters_and_stray_symbols_are_refused() {
        for bad in [
            "0812abc4567",
            "0812+34567890",
            "+0812345678",
            "0812'; DROP TABLE",
            "٠٨١٢٣٤٥٦٧٨٩",
        ] {
            assert!(WhatsApp::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn names_are_trimmed_and_collapsed() {
        assert_eq!(
            CustomerName::parse("  Budi \t Santoso ").unwrap().as_str(),
            "Budi Santoso"
        );
        assert_eq!(CustomerName::parse("Siti 🚌").unwrap().as_str(), "Siti 🚌");
        assert_eq!(
            CustomerName::parse("عبد الله").unwrap().as_str(),
            "عبد الله"
        );
    }

    #[test]
    fn names_refuse_empty_long_and_control_characters() {
        assert!(CustomerName::parse("   ").is_err());
        assert!(CustomerName::parse(&"a".repeat(81)).is_err());
        assert!(CustomerName::parse(&"a".repeat(80)).is_ok());
        assert!(CustomerName::parse("Budi\u{0}").is_err());
        assert!(CustomerName::parse("Budi\u{202E}").is_err());
        assert!(CustomerName::parse("Bu\u{7}di").is_err());
    }
}
