//! Rupiah amounts as Indonesians write them: `Rp 150.000`.

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

#[cfg(test)]
mod tests {
    use super::format_rupiah;

    #[test]
    fn groups_thousands_with_dots() {
        assert_eq!(format_rupiah(150_000), "Rp 150.000");
        assert_eq!(format_rupiah(0), "Rp 0");
        assert_eq!(format_rupiah(999), "Rp 999");
        assert_eq!(format_rupiah(1_000), "Rp 1.000");
        assert_eq!(format_rupiah(1_250_000), "Rp 1.250.000");
    }
}
