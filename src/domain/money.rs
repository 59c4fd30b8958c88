//! Rupiah amounts: as Indonesians write them (`Rp 150.000`), and the
//! *kode unik* that makes each transfer findable in a bank statement.
//!
//! A passenger who pays Rp 300.000 looks like every other passenger who
//! pays Rp 300.000. So once contact is attached, the hold's amount to
//! transfer gets a small addition, its unique code (Rp 300.417), chosen so
//! that no two holds awaiting payment have the same amount: the admin (and
//! the statement matching) can tell whose transfer a line is by its amount
//! alone. The code is the operator's to keep; it is a few hundred rupiah.

/// Formats whole rupiah with a dot every three digits.
pub fn format_rupiah(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 4);
    if amount < 0 {
        out.push('-');
    }
    out.push_str("Rp ");
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// Reads an amount as people type it: `300417`, `300.417`, `Rp 300.417`,
/// `Rp300,417`. `None` for anything else (a name, a claim code).
pub fn parse_rupiah(text: &str) -> Option<i64> {
    let t = text.trim();
    let t = t
        .strip_prefix("Rp")
        .or_else(|| t.strip_prefix("rp"))
        .or_else(|| t.strip_prefix("RP"))
        .unwrap_or(t)
        .trim_start_matches(['.', ' ']);
    if t.is_empty() || !t.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let digits: String = t
        .chars()
        .filter(|c| !matches!(c, '.' | ',' | ' '))
        .collect();
    if digits.len() > 15 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The range unique codes are drawn from (SPEC §2: within 1–999).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UniqueCodes {
    min: i64,
    max: i64,
}

impl UniqueCodes {
    /// The largest code there may be (the database checks it too).
    pub const LIMIT: i64 = 999;

    /// `min..=max`, within 1–999.
    pub fn new(min: i64, max: i64) -> Result<Self, String> {
        if (1..=max).contains(&min) && max <= Self::LIMIT {
            Ok(Self { min, max })
        } else {
            Err(format!(
                "unique codes must lie within 1–{}, the smallest first",
                Self::LIMIT
            ))
        }
    }

    /// The amounts a hold of `base` rupiah may be given.
    pub fn amounts(&self, base: i64) -> std::ops::RangeInclusive<i64> {
        base + self.min..=base + self.max
    }

    /// A code for a hold of `base` rupiah whose amount is in no other
    /// awaiting hold (`taken`, the amounts in [`Self::amounts`] already
    /// given): the one it has (`keep`) while still free, else the first
    /// free one from a random place (`roll`), so codes do not simply count
    /// up and give away how many passengers are paying. `None` when every
    /// amount of the range is taken.
    pub fn pick(&self, base: i64, keep: Option<i64>, taken: &[i64], roll: u64) -> Option<i64> {
        let free = |code: &i64| !taken.contains(&(base + code));
        if let Some(code) = keep.filter(|c| (self.min..=self.max).contains(c) && free(c)) {
            return Some(code);
        }
        let span = self.max - self.min + 1;
        let start = (roll % span as u64) as i64;
        (0..span)
            .map(|i| self.min + (start + i) % span)
            .find(|c| free(c))
    }
}

impl Default for UniqueCodes {
    fn default() -> Self {
        Self { min: 1, max: 999 }
    }
}

#[cfg(test)]
mod tests {
    use super::{UniqueCodes, format_rupiah};

    #[test]
    fn a_code_makes_the_amount_unique_among_those_taken() {
        let codes = UniqueCodes::new(1, 5).unwrap();
        assert_eq!(codes.amounts(300_000), 300_001..=300_005);
        // Nothing taken: where the roll lands.
        assert_eq!(codes.pick(300_000, None, &[], 2), Some(3));
        // Taken amounts are skipped, wrapping round the range.
        assert_eq!(
            codes.pick(300_000, None, &[300_003, 300_004, 300_005], 2),
            Some(1)
        );
        // Another base amount's holds do not count against this one...
        assert_eq!(codes.pick(150_000, None, &[300_003], 2), Some(3));
        // ...except where the amounts meet: 299,998 + 5 = 300,003.
        assert_eq!(codes.pick(299_998, None, &[300_003], 4), Some(1));
        // Full: no code.
        let all: Vec<i64> = codes.amounts(300_000).collect();
        assert_eq!(codes.pick(300_000, None, &all, 0), None);
    }

    #[test]
    fn a_hold_keeps_its_code_while_the_amount_is_free() {
        let codes = UniqueCodes::default();
        assert_eq!(codes.pick(300_000, Some(417), &[], 9), Some(417));
        // A second seat: the new amount is taken, so another code.
        assert_eq!(codes.pick(450_000, Some(417), &[450_417], 0), Some(1));
        // A code outside the range (the settings changed) is not kept.
        let narrow = UniqueCodes::new(1, 9).unwrap();
        assert_eq!(narrow.pick(300_000, Some(417), &[], 0), Some(1));
    }

    #[test]
    fn amounts_read_as_they_are_typed() {
        use super::parse_rupiah;
        for typed in [
            "300417",
            "300.417",
            "Rp 300.417",
            "Rp300,417",
            " rp 300 417 ",
        ] {
            assert_eq!(parse_rupiah(typed), Some(300_417), "{typed}");
        }
        for not in [
            "",
            "Rp",
            "Budi",
            "A1B2-C3D4",
            "300.417x",
            "-5",
            "1".repeat(16).as_str(),
        ] {
            assert_eq!(parse_rupiah(not), None, "{not}");
        }
    }

    #[test]
    fn the_range_stays_within_one_to_999() {
        assert!(UniqueCodes::new(1, 999).is_ok());
        assert!(UniqueCodes::new(500, 500).is_ok());
        assert!(UniqueCodes::new(0, 999).is_err());
        assert!(UniqueCodes::new(1, 1000).is_err());
        assert!(UniqueCodes::new(10, 9).is_err());
    }

    #[test]
    fn groups_thousands_with_dots() {
        assert_eq!(format_rupiah(150_000), "Rp 150.000");
        assert_eq!(format_rupiah(0), "Rp 0");
        assert_eq!(format_rupiah(999), "Rp 999");
        assert_eq!(format_rupiah(1_000), "Rp 1.000");
        assert_eq!(format_rupiah(1_250_000), "Rp 1.250.000");
    }
}
