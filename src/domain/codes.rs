//! Claim codes and booking codes: Crockford base32, typed by people.
//!
//! Crockford's alphabet leaves out I, L, O and U so a code read aloud or
//! copied from a chat survives: when parsing, `I`/`L` read as `1` and `O` as
//! `0`, case does not matter, and dashes or spaces are ignored. The random
//! bits come from the caller (the server uses a cryptographically secure
//! RNG), which keeps this module pure.

use serde::{Deserialize, Serialize};
use std::fmt;

use super::AppError;

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

fn decode_char(c: char) -> Option<u8> {
    let c = c.to_ascii_uppercase();
    let c = match c {
        'I' | 'L' => '1',
        'O' => '0',
        other => other,
    };
    ALPHABET
        .iter()
        .position(|&a| a as char == c)
        .map(|p| p as u8)
}

/// Normalises `input` to `len` canonical Crockford characters, ignoring
/// dashes and whitespace.
fn normalise(input: &str, len: usize) -> Option<String> {
    let mut out = String::with_capacity(len);
    for c in input.chars() {
        if c == '-' || c.is_whitespace() {
            continue;
        }
        out.push(ALPHABET[decode_char(c)? as usize] as char);
        if out.len() > len {
            return None;
        }
    }
    (out.len() == len).then_some(out)
}

/// The lowest `len` × 5 bits of `bits` as `len` Crockford base32
/// characters, most significant first.
pub fn encode(bits: u128, len: usize) -> String {
    (0..len)
        .rev()
        .map(|i| ALPHABET[((bits >> (5 * i)) & 31) as usize] as char)
        .collect()
}

/// The code a passenger gets when they attach contact details: 8 Crockford
/// characters (40 bits) shown as `XXXX-XXXX`.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ClaimCode(String);

impl ClaimCode {
    /// A claim code as a lookup key: input that cannot be a code is simply
    /// not found (404 `claim_not_found`), like a code nobody holds.
    pub fn lookup(input: &str) -> Result<Self, AppError> {
        Self::parse(input).map_err(|_| AppError::ClaimNotFound)
    }

    pub fn parse(input: &str) -> Result<Self, AppError> {
        if input.len() > 64 {
            return Err(AppError::invalid(
                "A claim code has 8 characters, such as A1B2-C3D4.",
            ));
        }
        let s = normalise(input, 8).ok_or_else(|| {
            AppError::invalid("A claim code has 8 characters, such as A1B2-C3D4.")
        })?;
        Ok(Self(format!("{}-{}", &s[..4], &s[4..])))
    }

    /// Builds a code from 40 random bits (higher bits are ignored).
    pub fn from_random(bits: u64) -> Self {
        let s = encode(bits.into(), 8);
        Self(format!("{}-{}", &s[..4], &s[4..]))
    }

    /// The canonical `XXXX-XXXX` form, as stored and shown.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ClaimCode {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s).map_err(|e| e.message())
    }
}

impl From<ClaimCode> for String {
    fn from(c: ClaimCode) -> String {
        c.0
    }
}

impl fmt::Display for ClaimCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for ClaimCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ClaimCode({})", self.0)
    }
}

/// The code of a confirmed booking: `BK-` and 6 Crockford characters
/// (30 bits), unique across the database.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BookingCode(String);

impl BookingCode {
    pub fn parse(input: &str) -> Result<Self, AppError> {
        let bad = || AppError::invalid("A booking code looks like BK-7Q2M9X.");
        if input.len() > 64 {
            return Err(bad());
        }
        let trimmed = input.trim();
        // Strip the `BK` prefix when present, but a bare 6-character code may
        // itself begin with B and K, so fall back to the whole input.
        let without_prefix = match trimmed.get(..2) {
            Some(p) if p.eq_ignore_ascii_case("BK") => normalise(&trimmed[2..], 6),
            _ => None,
        };
        let s = without_prefix
            .or_else(|| normalise(trimmed, 6))
            .ok_or_else(bad)?;
        Ok(Self(format!("BK-{s}")))
    }

    /// Builds a code from 30 random bits (higher bits are ignored).
    pub fn from_random(bits: u64) -> Self {
        Self(format!("BK-{}", encode(bits.into(), 6)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for BookingCode {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s).map_err(|e| e.message())
    }
}

impl From<BookingCode> for String {
    fn from(c: BookingCode) -> String {
        c.0
    }
}

impl fmt::Display for BookingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for BookingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BookingCode({})", self.0)
    }
}

/// A string schema for the OpenAPI document.
#[cfg(feature = "ssr")]
pub(crate) fn string_schema(
    description: &str,
    pattern: &str,
    example: &str,
) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .pattern(Some(pattern))
        .examples([serde_json::json!(example)])
        .into()
}

#[cfg(feature = "ssr")]
impl utoipa::PartialSchema for ClaimCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        string_schema(
            "8 Crockford base32 characters shown as XXXX-XXXX; any case, dash optional on input.",
            "^[0-9A-Za-z]{4}-?[0-9A-Za-z]{4}$",
            "A1B2-C3D4",
        )
    }
}

#[cfg(feature = "ssr")]
impl utoipa::ToSchema for ClaimCode {}

#[cfg(feature = "ssr")]
impl utoipa::PartialSchema for BookingCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        string_schema(
            "BK- and 6 Crockford base32 characters.",
            "^[Bb][Kk]-?[0-9A-Za-z]{6}$",
            "BK-7Q2M9X",
        )
    }
}

#[cfg(feature = "ssr")]
impl utoipa::ToSchema for BookingCode {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claim_codes_are_shown_with_a_dash() {
        let code = ClaimCode::from_random(0);
        assert_eq!(code.as_str(), "0000-0000");
        let code = ClaimCode::from_random((1 << 40) - 1);
        assert_eq!(code.as_str(), "ZZZZ-ZZZZ");
    }

    #[test]
    fn claim_codes_parse_case_insensitively_with_or_without_dash() {
        let want = ClaimCode::parse("A1B2-C3D4").unwrap();
        for input in ["a1b2-c3d4", "A1B2C3D4", " a1b2 c3d4 ", "A1B2--C3D4"] {
            assert_eq!(ClaimCode::parse(input).unwrap(), want, "{input:?}");
        }
    }

    #[test]
    fn claim_codes_read_i_l_as_one_and_o_as_zero() {
        assert_eq!(ClaimCode::parse("ilo0-IL0O").unwrap().as_str(), "1100-1100");
    }

    #[test]
    fn claim_codes_refuse_wrong_length_and_letters_outside_the_alphabet() {
        for bad in [
            "",
            "A1B2-C3D",
            "A1B2-C3D45",
            "U1B2-C3D4",
            "A1B2_C3D4",
            "Ä1B2-C3D4",
        ] {
            assert!(ClaimCode::parse(bad).is_err(), "{bad:?} should be refused");
        }
        assert!(ClaimCode::parse(&"A".repeat(10_000)).is_err());
    }

    #[test]
    fn encoding_round_trips_every_bit() {
        for bits in [0u64, 1, 0xAB_CDEF_0123, (1 << 40) - 1] {
            let code = ClaimCode::from_random(bits);
            assert_eq!(ClaimCode::parse(code.as_str()).unwrap(), code);
        }
    }

    #[test]
    fn booking_codes_accept_any_case_and_dash() {
        let want = BookingCode::parse("BK-7Q2M9X").unwrap();
        for input in ["bk-7q2m9x", "BK7Q2M9X", " bk 7Q2M9X", "7Q2M9X"] {
            assert_eq!(BookingCode::parse(input).unwrap(), want, "{input:?}");
        }
        assert_eq!(
            BookingCode::parse("bk-ioloil").unwrap().as_str(),
            "BK-101011"
        );
        assert_eq!(BookingCode::from_random(0).as_str(), "BK-000000");
        assert_eq!(BookingCode::parse("BK1234").unwrap().as_str(), "BK-BK1234");
    }

    #[test]
    fn booking_codes_refuse_other_shapes() {
        for bad in [
            "",
            "BK-",
            "BK-12345",
            "BK-1234567",
            "XX-123456",
            "BK-12345U",
        ] {
            assert!(
                BookingCode::parse(bad).is_err(),
                "{bad:?} should be refused"
            );
        }
    }
}
