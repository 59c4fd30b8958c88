//! Where passengers send their money: the operator's bank accounts, shown
//! on the pay step next to the exact amount.
//!
//! An account is entered by an admin, so its text is checked as strictly as
//! a trip's: a bank name and a holder as a passbook prints them, and a
//! number of digits only (typed with spaces, dots or dashes, as it is
//! usually written). The page groups the digits again for reading.

use serde::{Deserialize, Serialize};

use super::AppError;

/// The most accounts shown at once: a pay step lists a few banks, not a
/// directory (and a passenger reads each one).
pub const MAX_PAYMENT_ACCOUNTS: usize = 6;

/// Where a passenger pays: the operator's live bank accounts and, when it
/// has one, the version of its QRIS image (`/api/payment-qris/?v=…`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayTo {
    pub accounts: Vec<PaymentAccount>,
    pub qris: Option<String>,
}

/// An account as passengers and clients see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PaymentAccount {
    pub id: i64,
    /// The bank as passengers know it: `BCA`, `Bank Mandiri`, `BRI`.
    pub bank: String,
    /// Digits only.
    pub number: String,
    /// The name the bank shows for the account ("a.n.").
    pub holder: String,
}

impl PaymentAccount {
    /// The number in groups of four for reading (`1234 5678 90`).
    pub fn grouped_number(&self) -> String {
        self.number
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// A new account as an admin types it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewPaymentAccount {
    pub bank: String,
    /// Digits; spaces, dots and dashes between them are dropped.
    pub number: String,
    pub holder: String,
}

/// A new account that has passed every check: what storage writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckedAccount {
    pub bank: String,
    pub number: String,
    pub holder: String,
}

impl NewPaymentAccount {
    pub fn check(&self) -> Result<CheckedAccount, AppError> {
        Ok(CheckedAccount {
            bank: text(&self.bank, "bank", 40)?,
            number: digits(&self.number)?,
            holder: text(&self.holder, "holder", 80)?,
        })
    }
}

/// Trimmed, inner white space folded to one space, 1..=max characters, no
/// control characters.
fn text(s: &str, field: &str, max: usize) -> Result<String, AppError> {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.is_empty() || s.chars().count() > max || s.chars().any(char::is_control) {
        return Err(AppError::invalid(format!(
            "{field} must be 1 to {max} characters."
        )));
    }
    Ok(s)
}

fn digits(s: &str) -> Result<String, AppError> {
    let refuse = || AppError::invalid("number must be an account number of 4 to 30 digits.");
    if s.chars()
        .any(|c| !(c.is_ascii_digit() || matches!(c, ' ' | '.' | '-')))
    {
        return Err(refuse());
    }
    let d: String = s.chars().filter(char::is_ascii_digit).collect();
    if (4..=30).contains(&d.len()) {
        Ok(d)
    } else {
        Err(refuse())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(bank: &str, number: &str, holder: &str) -> NewPaymentAccount {
        NewPaymentAccount {
            bank: bank.into(),
            number: number.into(),
            holder: holder.into(),
        }
    }

    #[test]
    fn an_account_is_kept_as_digits_and_folded_text() {
        let a = new("  Bank   Mandiri ", "123-00.0987 6543", " PO  Sinar Jaya ")
            .check()
            .unwrap();
        assert_eq!(a.bank, "Bank Mandiri");
        assert_eq!(a.number, "1230009876543");
        assert_eq!(a.holder, "PO Sinar Jaya");
    }

    #[test]
    fn a_number_with_letters_or_too_few_digits_is_refused() {
        for number in [
            "12a4567",
            "123",
            "",
            "1234567890123456789012345678901",
            "12/34/56",
        ] {
            let e = new("BCA", number, "PO Sinar Jaya").check().unwrap_err();
            assert!(
                matches!(e, AppError::InvalidRequest { ref message } if message.starts_with("number")),
                "{number:?}: {e:?}"
            );
        }
    }

    #[test]
    fn empty_long_or_control_text_is_refused() {
        assert!(new("", "1234567890", "PO Sinar Jaya").check().is_err());
        assert!(new("BCA", "1234567890", "   ").check().is_err());
        assert!(new(&"B".repeat(41), "1234567890", "x").check().is_err());
        assert!(new("BCA", "1234567890", &"h".repeat(81)).check().is_err());
        assert!(new("BC\u{7}A", "1234567890", "x").check().is_err());
        assert!(
            new(&"B".repeat(40), "1234", &"h".repeat(80))
                .check()
                .is_ok()
        );
    }

    #[test]
    fn the_number_reads_in_groups_of_four() {
        let a = PaymentAccount {
            id: 1,
            bank: "BCA".into(),
            number: "1234567890".into(),
            holder: "x".into(),
        };
        assert_eq!(a.grouped_number(), "1234 5678 90");
    }
}
