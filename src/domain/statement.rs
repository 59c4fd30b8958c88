//! Bank statements: which transfer paid which hold.
//!
//! Passengers pay by bank transfer, and the operator's internet banking
//! exports the account's movements as CSV. Each hold awaiting payment has
//! an amount no other has (its unique code, see `money`), so a credit of
//! exactly that amount is, almost certainly, that passenger's transfer.
//! "Almost": two credits of the same amount, a credit dated before the hold
//! existed, an amount that an already booked hold also had. This module
//! reads an export (text in, lines out: no IO) and gives each credit a
//! [`Verdict`]; only a credit with exactly one possible hold, and that hold
//! still payable, is `Ready`. Nothing here books: the admin clicks, and the
//! booking goes through the same operation as every other confirmation.
//!
//! Exports differ from bank to bank. Kursi reads any CSV with a date, a
//! description and an amount column (amounts signed, marked CR/DB, or in
//! separate credit and debit columns), separated by commas, semicolons or
//! tabs, with Indonesian or English number and date formats; it finds the
//! columns by their headers, or the admin names them ([`ColumnMapping`]).
//! It recognises KlikBCA's "Mutasi Rekening" export by its header
//! (`Tanggal Transaksi, Keterangan, Cabang, Jumlah, , Saldo`, the amount
//! followed by a `CR`/`DB` column, dates as `'01/12` without a year,
//! pending lines dated `PEND`, and a preamble and totals around the table).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::Hold;

/// A bank export layout Kursi knows by its header.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StatementLayout {
    /// KlikBCA (BCA internet banking), "Mutasi Rekening", CSV.
    KlikBca,
    /// Any other export whose columns were found by their headers.
    Generic,
}

/// Which column (counted from 0) holds what.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ColumnMapping {
    pub date: usize,
    pub description: usize,
    /// The credits: amounts signed (a minus is a debit), marked `CR`/`DB`
    /// (in the cell or the next column), or credits only when `debit` is
    /// set.
    pub amount: usize,
    /// A column of its own for debits, if the export has one.
    pub debit: Option<usize>,
}

/// Money in or out, in sen (1/100 rupiah).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    Credit(i64),
    Debit(i64),
}

/// One movement of the statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatementLine {
    /// Its line in the file, from 1, as a spreadsheet shows it.
    pub row: usize,
    /// `None` for a pending line (`PEND`) without a date yet.
    pub date: Option<NaiveDate>,
    pub description: String,
    pub flow: Flow,
}

/// An export, read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    pub layout: Option<StatementLayout>,
    /// The header's cells, or `Kolom 1…` with a sample when none was found.
    pub columns: Vec<String>,
    /// `None` when the columns could not be found: the admin names them.
    pub mapping: Option<ColumnMapping>,
    pub lines: Vec<StatementLine>,
    /// Dated lines whose amount could not be read.
    pub unreadable: usize,
}

/// How sure Kursi is of whom a credit paid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Verdict {
    /// Exactly one hold, awaiting payment (or expired with its seats
    /// perhaps still free), has this amount: one click books it.
    Ready,
    /// The one hold with this amount is booked already.
    AlreadyBooked,
    /// More than one hold could be meant, or more than one credit has this
    /// amount: the admin decides.
    Ambiguous,
    /// No hold has this amount (or it is not whole rupiah).
    Unmatched,
}

/// Where a hold with a matching amount stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    Awaiting,
    /// Expired, trip not yet departed: a late payment may still book it.
    Late,
    Booked,
}

/// A hold a credit may have paid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// Its amount to transfer, rupiah.
    pub amount: i64,
    pub standing: Standing,
    /// The day (operator's time zone) it was made: a transfer dated
    /// earlier cannot be for it.
    pub since: NaiveDate,
}

/// What the admin sees: each credit with its verdict and its holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StatementReport {
    pub layout: Option<StatementLayout>,
    /// The columns as the file names them, for choosing a mapping.
    pub columns: Vec<String>,
    /// The columns used; null when they must be chosen (then `credits` is
    /// empty).
    pub mapping: Option<ColumnMapping>,
    pub credits: Vec<StatementCredit>,
    /// Debits in the file, left alone.
    pub debits: usize,
    /// Dated lines whose amount could not be read.
    pub unreadable: usize,
}

/// A credit of the statement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StatementCredit {
    pub row: usize,
    pub date: Option<NaiveDate>,
    pub description: String,
    /// Whole rupiah.
    pub amount: i64,
    /// Sen beyond `amount` (a transfer is whole rupiah; a credit with sen
    /// is not one).
    pub sen: i64,
    pub verdict: Verdict,
    /// The holds with this amount: one when `READY` or `ALREADY_BOOKED`.
    pub holds: Vec<Hold>,
}

/// For each credit of `lines` (in order), its verdict and the indexes into
/// `candidates` of the holds it may have paid.
pub fn verdicts(lines: &[StatementLine], candidates: &[Candidate]) -> Vec<(Verdict, Vec<usize>)> {
    let whole = |sen: i64| (sen % 100 == 0).then_some(sen / 100);
    let mut seen = std::collections::HashMap::<i64, usize>::new();
    for line in lines {
        if let Flow::Credit(sen) = line.flow
            && let Some(amount) = whole(sen)
        {
            *seen.entry(amount).or_default() += 1;
        }
    }
    lines
        .iter()
        .filter_map(|line| match line.flow {
            Flow::Credit(sen) => Some((line, whole(sen))),
            Flow::Debit(_) => None,
        })
        .map(|(line, amount)| {
            let Some(amount) = amount else {
                return (Verdict::Unmatched, Vec::new());
            };
            let holds: Vec<usize> = candidates
                .iter()
                .enumerate()
                .filter(|(_, c)| c.amount == amount && line.date.is_none_or(|d| d >= c.since))
                .map(|(i, _)| i)
                .collect();
            let verdict = match holds.as_slice() {
                [] => Verdict::Unmatched,
                _ if seen[&amount] > 1 => Verdict::Ambiguous,
                [one] => match candidates[*one].standing {
                    Standing::Awaiting | Standing::Late => Verdict::Ready,
                    Standing::Booked => Verdict::AlreadyBooked,
                },
                _ => Verdict::Ambiguous,
            };
            (verdict, holds)
        })
        .collect()
}

/// Reading an export (the server's part: it needs the CSV reader).
#[cfg(feature = "ssr")]
mod read {
    use super::{ColumnMapping, Flow, Statement, StatementLayout, StatementLine};
    use chrono::{Datelike, NaiveDate};

    /// Reads an export: finds its delimiter, its header and columns (unless
    /// `mapping` names them), and its movements. `today` (operator's time
    /// zone) gives dates without a year theirs: the latest such date not after
    /// tomorrow.
    pub fn read_statement(
        text: &str,
        mapping: Option<ColumnMapping>,
        today: NaiveDate,
    ) -> Result<Statement, String> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let delimiter = guess_delimiter(text);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(text.as_bytes());
        let mut records = Vec::new();
        // The line a record starts on, counted from its byte offset (the
        // reader's own line count skips blank lines).
        let (mut counted_to, mut line) = (0, 1);
        for record in reader.records() {
            let record =
                record.map_err(|e| format!("The file is not CSV Kursi can read ({e})."))?;
            let mut start = record
                .position()
                .map_or(counted_to, |p| p.byte() as usize)
                .clamp(counted_to, text.len());
            // It may point at the line breaks before the record.
            while matches!(text.as_bytes().get(start), Some(b'\r' | b'\n')) {
                start += 1;
            }
            line += text.as_bytes()[counted_to..start]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            counted_to = start;
            let row = line;
            let cells: Vec<String> = record.iter().map(|c| c.trim().to_string()).collect();
            if cells.iter().any(|c| !c.is_empty()) {
                records.push((row, cells));
            }
        }
        if records.is_empty() {
            return Err("The file is empty.".into());
        }
        let header = records
            .iter()
            .take(40)
            .find_map(|(_, cells)| find_columns(cells).map(|found| (cells, found)));
        let (layout, columns, found) = match header {
            Some((cells, (layout, found))) => (Some(layout), cells.clone(), Some(found)),
            None => (None, sample_columns(&records, today), None),
        };
        let Some(mapping) = mapping.or(found) else {
            return Ok(Statement {
                layout,
                columns,
                mapping: None,
                lines: Vec::new(),
                unreadable: 0,
            });
        };
        let width = columns
            .len()
            .max(records.iter().map(|(_, c)| c.len()).max().unwrap_or(0));
        let used = [
            Some(mapping.date),
            Some(mapping.description),
            Some(mapping.amount),
            mapping.debit,
        ];
        if used.iter().flatten().any(|&c| c >= width) {
            return Err("A chosen column is not in the file.".into());
        }
        let mut lines = Vec::new();
        let mut unreadable = 0;
        for (row, cells) in &records {
            let cell = |i: usize| cells.get(i).map(String::as_str).unwrap_or("");
            let date_cell = unquote(cell(mapping.date));
            let date = match parse_date(date_cell, today) {
                Some(d) => Some(d),
                None if is_pending(date_cell) => None,
                None => continue,
            };
            match flow_of(cells, &mapping) {
                Some(Some(flow)) => lines.push(StatementLine {
                    row: *row,
                    date,
                    description: cell(mapping.description).chars().take(300).collect(),
                    flow,
                }),
                // A zero amount moves nothing.
                Some(None) => {}
                None => unreadable += 1,
            }
        }
        Ok(Statement {
            layout,
            columns,
            mapping: Some(mapping),
            lines,
            unreadable,
        })
    }

    /// The delimiter (`,`, `;` or a tab) that appears at least twice on the
    /// most of the first lines.
    fn guess_delimiter(text: &str) -> u8 {
        let head: Vec<&str> = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .take(30)
            .collect();
        [b',', b';', b'\t']
            .into_iter()
            .max_by_key(|&d| {
                head.iter()
                    .filter(|l| l.bytes().filter(|&b| b == d).count() >= 2)
                    .count()
            })
            .unwrap_or(b',')
    }

    /// When no header is recognised: `Kolom N`, with the cell of the first
    /// dated row as a sample.
    fn sample_columns(records: &[(usize, Vec<String>)], today: NaiveDate) -> Vec<String> {
        let width = records.iter().map(|(_, c)| c.len()).max().unwrap_or(0);
        let sample = records
            .iter()
            .find(|(_, cells)| {
                cells
                    .iter()
                    .any(|c| parse_date(unquote(c), today).is_some())
            })
            .map(|(_, cells)| cells.clone())
            .unwrap_or_default();
        (0..width)
            .map(|i| match sample.get(i).filter(|s| !s.is_empty()) {
                Some(s) => format!(
                    "Kolom {} ({})",
                    i + 1,
                    s.chars().take(24).collect::<String>()
                ),
                None => format!("Kolom {}", i + 1),
            })
            .collect()
    }

    /// The columns of a header row, if it is one.
    fn find_columns(cells: &[String]) -> Option<(StatementLayout, ColumnMapping)> {
        let names: Vec<String> = cells.iter().map(|c| fold(c)).collect();
        // The first column, other than those in `except`, with one of `words`.
        let find = |words: &[&str], except: &[usize]| {
            names.iter().enumerate().position(|(i, n)| {
                !except.contains(&i) && words.iter().any(|w| n.split(' ').any(|part| part == *w))
            })
        };
        let date = find(&["tanggal", "tgl", "date"], &[])?;
        let description = find(
            &[
                "keterangan",
                "deskripsi",
                "description",
                "uraian",
                "rincian",
                "berita",
                "remark",
                "remarks",
                "detail",
                "details",
                "transaksi",
            ],
            &[date],
        )?;
        let credit = find(&["kredit", "credit", "cr", "masuk"], &[date, description]);
        let debit = find(&["debit", "debet", "db", "keluar"], &[date, description]);
        let (amount, debit) = match (credit, debit) {
            (Some(c), Some(d)) if c != d => (c, Some(d)),
            _ => (
                find(
                    &["jumlah", "amount", "nominal", "mutasi", "nilai"],
                    &[date, description],
                )
                .or(credit)?,
                None,
            ),
        };
        let klik_bca = names.len() >= 4
            && names[0] == "tanggal transaksi"
            && names[1] == "keterangan"
            && names[2] == "cabang"
            && names[3] == "jumlah";
        let layout = if klik_bca {
            StatementLayout::KlikBca
        } else {
            StatementLayout::Generic
        };
        Some((
            layout,
            ColumnMapping {
                date,
                description,
                amount,
                debit,
            },
        ))
    }

    /// Lowercase words, without punctuation: `Tgl. Transaksi` → `tgl transaksi`.
    fn fold(text: &str) -> String {
        text.chars()
            .map(|c| {
                if c.is_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    ' '
                }
            })
            .collect::<String>()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// A cell without the apostrophe spreadsheets put before text (`'01/12`).
    fn unquote(cell: &str) -> &str {
        cell.trim().trim_start_matches('\'').trim()
    }

    fn is_pending(cell: &str) -> bool {
        cell.to_ascii_uppercase().starts_with("PEND")
    }

    /// The movement of a row: `None` when its amount cannot be read,
    /// `Some(None)` when it is zero.
    fn flow_of(cells: &[String], m: &ColumnMapping) -> Option<Option<Flow>> {
        let cell = |i: usize| cells.get(i).map(String::as_str).unwrap_or("");
        let read = |i: usize| -> Option<Option<Amount>> {
            let c = unquote(cell(i));
            if c.is_empty() || c == "-" {
                Some(None)
            } else {
                parse_amount(c).map(Some)
            }
        };
        if let Some(d) = m.debit {
            let credit = read(m.amount)?.map_or(0, |a| a.sen.abs());
            let debit = read(d)?.map_or(0, |a| a.sen.abs());
            return Some(match (credit, debit) {
                (0, 0) => None,
                (0, d) => Some(Flow::Debit(d)),
                (c, _) => Some(Flow::Credit(c)),
            });
        }
        let Some(amount) = read(m.amount)? else {
            return Some(None);
        };
        // A marker in the next column (KlikBCA: `300,417.00`, `CR`).
        let next = marker(unquote(cell(m.amount + 1)));
        let debit = match amount.marker.or(next) {
            Some(Marker::Debit) => true,
            Some(Marker::Credit) => false,
            None => amount.negative,
        };
        let sen = amount.sen.abs();
        Some(match (sen, debit) {
            (0, _) => None,
            (s, true) => Some(Flow::Debit(s)),
            (s, false) => Some(Flow::Credit(s)),
        })
    }

    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub(super) enum Marker {
        Credit,
        Debit,
    }

    fn marker(word: &str) -> Option<Marker> {
        match word.to_ascii_uppercase().as_str() {
            "CR" | "K" | "C" | "KR" | "KREDIT" | "CREDIT" => Some(Marker::Credit),
            "DB" | "D" | "DR" | "DEBIT" | "DEBET" => Some(Marker::Debit),
            _ => None,
        }
    }

    /// An amount as a bank writes it.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub(super) struct Amount {
        pub(super) sen: i64,
        pub(super) negative: bool,
        pub(super) marker: Option<Marker>,
    }

    /// `300.417`, `300,417.00`, `1.234.567,89`, `Rp 300.417`, `-50.000`,
    /// `(50.000)`, `50.000-`, `300417.00 CR`, `IDR 1,000.00 DB`. Thousands
    /// and decimal separators are told apart by position: with both, the last
    /// is the decimal one; with one, it is decimal only when it appears once
    /// with one or two digits after it.
    pub(super) fn parse_amount(cell: &str) -> Option<Amount> {
        let mut t = cell.trim().to_ascii_uppercase();
        let mut marker_found = None;
        for (suffix, m) in [
            ("CR", Marker::Credit),
            ("DB", Marker::Debit),
            ("DR", Marker::Debit),
            ("K", Marker::Credit),
            ("D", Marker::Debit),
        ] {
            if let Some(rest) = t.strip_suffix(suffix)
                && rest.ends_with(|c: char| c.is_ascii_digit() || c == ' ')
            {
                t = rest.trim_end().to_string();
                marker_found = Some(m);
                break;
            }
        }
        for prefix in ["IDR", "RP.", "RP"] {
            if let Some(rest) = t.strip_prefix(prefix) {
                t = rest.trim_start().to_string();
                break;
            }
        }
        let mut negative = false;
        if t.starts_with('(') && t.ends_with(')') {
            negative = true;
            t = t[1..t.len() - 1].trim().to_string();
        }
        if let Some(rest) = t.strip_prefix('-') {
            negative = true;
            t = rest.trim_start().to_string();
        } else if let Some(rest) = t.strip_suffix('-') {
            negative = true;
            t = rest.trim_end().to_string();
        } else if let Some(rest) = t.strip_prefix('+') {
            t = rest.trim_start().to_string();
        }
        // Rp may follow the sign (`-Rp 50.000`).
        if let Some(rest) = t.strip_prefix("RP") {
            t = rest.trim_start_matches('.').trim_start().to_string();
        }
        let t: String = t.chars().filter(|c| *c != ' ').collect();
        if t.is_empty()
            || !t.starts_with(|c: char| c.is_ascii_digit())
            || !t
                .chars()
                .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
        {
            return None;
        }
        let last_dot = t.rfind('.');
        let last_comma = t.rfind(',');
        let decimal = match (last_dot, last_comma) {
            (Some(d), Some(c)) => Some(if d > c { '.' } else { ',' }),
            (Some(_), None) | (None, Some(_)) => {
                let sep = if last_dot.is_some() { '.' } else { ',' };
                let after = t.len() - t.rfind(sep)? - 1;
                (t.matches(sep).count() == 1 && (1..=2).contains(&after)).then_some(sep)
            }
            (None, None) => None,
        };
        let (whole, fraction) = match decimal {
            Some(sep) => {
                let at = t.rfind(sep)?;
                (&t[..at], &t[at + 1..])
            }
            None => (t.as_str(), ""),
        };
        if fraction.len() > 2 || !fraction.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        // Thousands groups: digits, then groups of exactly three.
        let groups: Vec<&str> = whole.split(['.', ',']).collect();
        if groups[0].is_empty()
            || groups[0].len() > 15
            || groups[1..].iter().any(|g| g.len() != 3)
            || (groups.len() > 1 && groups[0].len() > 3)
        {
            return None;
        }
        let digits: String = groups.concat();
        if digits.len() > 15 {
            return None;
        }
        let rupiah: i64 = digits.parse().ok()?;
        let sen: i64 = match fraction.len() {
            0 => 0,
            1 => fraction.parse::<i64>().ok()? * 10,
            _ => fraction.parse().ok()?,
        };
        Some(Amount {
            sen: rupiah * 100 + sen,
            negative,
            marker: marker_found,
        })
    }

    /// A date as banks write it: `01/12/2026`, `1-12-26`, `2026-12-01`,
    /// `01 Des 2026`, `1 Desember 2026`, `01-Dec-2026`, any with a time after
    /// it, and `01/12` without a year (the latest such date not after
    /// `today` + 1 day).
    pub(super) fn parse_date(cell: &str, today: NaiveDate) -> Option<NaiveDate> {
        // ISO's `T` between the date and the time (`2026-12-01T10:15`).
        let cell = match cell.find('T') {
            Some(at) if cell[..at].ends_with(|c: char| c.is_ascii_digit()) => &cell[..at],
            _ => cell,
        };
        let tokens: Vec<&str> = cell
            .split(['/', '-', '.', ' ', ','])
            .filter(|t| !t.is_empty() && !t.contains(':'))
            .collect();
        let number = |t: &str| -> Option<u32> {
            (t.len() <= 4 && t.chars().all(|c| c.is_ascii_digit()))
                .then(|| t.parse().ok())
                .flatten()
        };
        let month = |t: &str| {
            number(t)
                .filter(|m| (1..=12).contains(m))
                .or_else(|| month_name(t))
        };
        let year = |t: &str| {
            let y = number(t)? as i32;
            match t.len() {
                2 => Some(2000 + y),
                4 => Some(y),
                _ => None,
            }
        };
        match tokens.as_slice() {
            [y, m, d] if y.len() == 4 => NaiveDate::from_ymd_opt(year(y)?, number(m)?, number(d)?),
            [d, m, y] if d.len() <= 2 => NaiveDate::from_ymd_opt(year(y)?, month(m)?, number(d)?),
            [d, m] if d.len() <= 2 && m.len() <= 2 => {
                let (d, m) = (number(d)?, number(m)?);
                let latest = today.succ_opt()?;
                let this_year = NaiveDate::from_ymd_opt(today.year(), m, d);
                match this_year {
                    Some(date) if date <= latest => Some(date),
                    _ => NaiveDate::from_ymd_opt(today.year() - 1, m, d),
                }
            }
            _ => None,
        }
    }

    /// Indonesian and English month names and their abbreviations.
    fn month_name(t: &str) -> Option<u32> {
        let t = t.to_lowercase();
        if t.len() < 3 || !t.chars().all(|c| c.is_alphabetic()) {
            return None;
        }
        let months: [&[&str]; 12] = [
            &["jan"],
            &["feb", "peb"],
            &["mar"],
            &["apr"],
            &["mei", "may"],
            &["jun"],
            &["jul"],
            &["agu", "agt", "aug"],
            &["sep"],
            &["okt", "oct"],
            &["nov", "nop"],
            &["des", "dec"],
        ];
        months
            .iter()
            .position(|names| names.iter().any(|n| t.starts_with(n)))
            .map(|i| i as u32 + 1)
    }
}

#[cfg(feature = "ssr")]
pub use read::read_statement;

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::read::{Marker, parse_amount, parse_date};
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn amounts_are_read_as_indonesian_and_english_banks_write_them() {
        let sen = |c: &str| parse_amount(c).map(|a| (a.sen, a.negative, a.marker));
        assert_eq!(sen("300.417"), Some((30_041_700, false, None)));
        assert_eq!(sen("300,417.00"), Some((30_041_700, false, None)));
        assert_eq!(sen("300417.00"), Some((30_041_700, false, None)));
        assert_eq!(sen("300417,00"), Some((30_041_700, false, None)));
        assert_eq!(sen("1.234.567,89"), Some((123_456_789, false, None)));
        assert_eq!(sen("1,234,567.8"), Some((123_456_780, false, None)));
        assert_eq!(sen("Rp 300.417"), Some((30_041_700, false, None)));
        assert_eq!(sen("IDR 1,000.00"), Some((100_000, false, None)));
        assert_eq!(sen("-50.000"), Some((5_000_000, true, None)));
        assert_eq!(sen("-Rp 50.000"), Some((5_000_000, true, None)));
        assert_eq!(sen("(50.000)"), Some((5_000_000, true, None)));
        assert_eq!(sen("50.000-"), Some((5_000_000, true, None)));
        assert_eq!(
            sen("300417.00 CR"),
            Some((30_041_700, false, Some(Marker::Credit)))
        );
        assert_eq!(
            sen("10,000.00 DB"),
            Some((1_000_000, false, Some(Marker::Debit)))
        );
        assert_eq!(
            sen("1.500.000 D"),
            Some((150_000_000, false, Some(Marker::Debit)))
        );
        for bad in [
            "",
            "abc",
            "12.34.56",
            "1.2345",
            "300.417,123",
            "1..000",
            "Rp",
            "12a",
        ] {
            assert_eq!(parse_amount(bad), None, "{bad}");
        }
    }

    #[test]
    fn dates_are_read_with_or_without_a_year_in_either_language() {
        let today = d(2026, 12, 2);
        assert_eq!(parse_date("01/12/2026", today), Some(d(2026, 12, 1)));
        assert_eq!(parse_date("1-12-26", today), Some(d(2026, 12, 1)));
        assert_eq!(parse_date("2026-12-01", today), Some(d(2026, 12, 1)));
        assert_eq!(
            parse_date("2026-12-01T10:15:00", today),
            Some(d(2026, 12, 1))
        );
        assert_eq!(
            parse_date("01/12/2026 10:15:00", today),
            Some(d(2026, 12, 1))
        );
        assert_eq!(parse_date("01 Des 2026", today), Some(d(2026, 12, 1)));
        assert_eq!(parse_date("1 Desember 2026", today), Some(d(2026, 12, 1)));
        assert_eq!(parse_date("17 Agustus 2026", today), Some(d(2026, 8, 17)));
        assert_eq!(parse_date("01-Dec-2026", today), Some(d(2026, 12, 1)));
        assert_eq!(parse_date("5 Mei 2026", today), Some(d(2026, 5, 5)));
        // Without a year: this year's, unless that lies in the future.
        assert_eq!(parse_date("01/12", today), Some(d(2026, 12, 1)));
        assert_eq!(parse_date("03/12", today), Some(d(2026, 12, 3)));
        assert_eq!(parse_date("31/12", today), Some(d(2025, 12, 31)));
        for bad in [
            "",
            "PEND",
            "Saldo Awal",
            "32/01/2026",
            "2026-13-01",
            "Tanggal",
            "1000000.00",
        ] {
            assert_eq!(parse_date(bad, today), None, "{bad}");
        }
    }

    /// A KlikBCA "Mutasi Rekening" export as the bank writes it: a
    /// preamble, the table (amount, then CR/DB), pending lines, totals.
    const KLIKBCA: &str = "\u{feff}Informasi Rekening - Mutasi Rekening\r
No. rekening : ,'0123456789\r
Nama : ,PO BUS SEJAHTERA\r
Periode : ,30/11/2026 - 02/12/2026\r
Kode Mata Uang : ,Rp\r
\r
Tanggal Transaksi,Keterangan,Cabang,Jumlah,,Saldo\r
'30/11,\"TRSF E-BANKING CR 3011/FTSCY/WS95031       350417.00 DEWI LESTARI\",'0000,\"350,417.00\",CR,\"1,350,417.00\"\r
'01/12,BIAYA ADM,'0000,\"10,000.00\",DB,\"1,340,417.00\"\r
'01/12,\"SWITCHING CR TRANSFER DR 014 BUDI SANTOSO\",'0998,\"175,088.00\",CR,\"1,515,505.00\"\r
'PEND,\"TRSF E-BANKING CR 0212/FTSCY/WS95031 AGUS\",'0000,\"525,301.00\",CR,\"2,040,806.00\"\r
\r
Saldo Awal,:,\"1,000,000.00\"\r
Mutasi Kredit,:,\"1,050,806.00\",3\r
Mutasi Debet,:,\"10,000.00\",1\r
Saldo Akhir,:,\"2,040,806.00\"\r
";

    #[test]
    fn a_klikbca_export_is_recognised_with_its_preamble_pending_lines_and_totals() {
        let s = read_statement(KLIKBCA, None, d(2026, 12, 2)).unwrap();
        assert_eq!(s.layout, Some(StatementLayout::KlikBca));
        assert_eq!(
            s.mapping,
            Some(ColumnMapping {
                date: 0,
                description: 1,
                amount: 3,
                debit: None
            })
        );
        let flows: Vec<_> = s.lines.iter().map(|l| (l.date, l.flow)).collect();
        assert_eq!(
            flows,
            vec![
                (Some(d(2026, 11, 30)), Flow::Credit(35_041_700)),
                (Some(d(2026, 12, 1)), Flow::Debit(1_000_000)),
                (Some(d(2026, 12, 1)), Flow::Credit(17_508_800)),
                (None, Flow::Credit(52_530_100)),
            ]
        );
        assert!(s.lines[0].description.contains("DEWI LESTARI"));
        assert_eq!(s.lines[0].row, 8);
        assert_eq!(s.unreadable, 0);
    }

    #[test]
    fn a_generic_export_with_credit_and_debit_columns_and_semicolons() {
        let csv = "Tgl. Transaksi;Uraian;Debet;Kredit;Saldo\n\
                   01/12/2026;Setoran tunai;;1.000.000,00;1.000.000,00\n\
                   02/12/2026;TRF DARI DEWI;;350.417,00;1.350.417,00\n\
                   02/12/2026;Biaya admin;6.500,00;;1.343.917,00\n\
                   02/12/2026;Bunga;;1.234,56;1.345.151,56\n\
                   02/12/2026;Koreksi;abc;;\n";
        let s = read_statement(csv, None, d(2026, 12, 2)).unwrap();
        assert_eq!(s.layout, Some(StatementLayout::Generic));
        assert_eq!(
            s.mapping,
            Some(ColumnMapping {
                date: 0,
                description: 1,
                amount: 3,
                debit: Some(2)
            })
        );
        let flows: Vec<_> = s.lines.iter().map(|l| l.flow).collect();
        assert_eq!(
            flows,
            vec![
                Flow::Credit(100_000_000),
                Flow::Credit(35_041_700),
                Flow::Debit(650_000),
                Flow::Credit(123_456),
            ]
        );
        assert_eq!(s.unreadable, 1);
    }

    #[test]
    fn signed_amounts_in_english_with_tabs() {
        let csv = "Date\tDescription\tAmount\n2026-12-01\tTRANSFER IN SITI\t350,417.00\n2026-12-01\tATM WITHDRAWAL\t-500,000.00\n";
        let s = read_statement(csv, None, d(2026, 12, 2)).unwrap();
        let flows: Vec<_> = s.lines.iter().map(|l| l.flow).collect();
        assert_eq!(
            flows,
            vec![Flow::Credit(35_041_700), Flow::Debit(50_000_000)]
        );
    }

    #[test]
    fn without_a_known_header_the_admin_names_the_columns() {
        let csv = "x,y,z\n01/12/2026,TRF BUDI,350.417\n02/12/2026,TRF SITI,175.088\n";
        let s = read_statement(csv, None, d(2026, 12, 2)).unwrap();
        assert_eq!(s.mapping, None);
        assert!(s.lines.is_empty());
        assert_eq!(s.columns[0], "Kolom 1 (01/12/2026)");
        let chosen = ColumnMapping {
            date: 0,
            description: 1,
            amount: 2,
            debit: None,
        };
        let s = read_statement(csv, Some(chosen), d(2026, 12, 2)).unwrap();
        assert_eq!(
            s.lines.iter().map(|l| l.flow).collect::<Vec<_>>(),
            vec![Flow::Credit(35_041_700), Flow::Credit(17_508_800)]
        );
        let outside = ColumnMapping {
            amount: 7,
            ..chosen
        };
        assert!(read_statement(csv, Some(outside), d(2026, 12, 2)).is_err());
        assert!(read_statement("", None, d(2026, 12, 2)).is_err());
    }

    fn credit(rupiah: i64, date: Option<NaiveDate>) -> StatementLine {
        StatementLine {
            row: 1,
            date,
            description: String::new(),
            flow: Flow::Credit(rupiah * 100),
        }
    }

    #[test]
    fn only_a_credit_with_exactly_one_payable_hold_is_ready() {
        let since = d(2026, 12, 1);
        let holds = [
            Candidate {
                amount: 350_417,
                standing: Standing::Awaiting,
                since,
            },
            Candidate {
                amount: 175_088,
                standing: Standing::Booked,
                since,
            },
            Candidate {
                amount: 525_301,
                standing: Standing::Late,
                since,
            },
            Candidate {
                amount: 700_100,
                standing: Standing::Awaiting,
                since,
            },
            Candidate {
                amount: 700_100,
                standing: Standing::Booked,
                since,
            },
            Candidate {
                amount: 900_900,
                standing: Standing::Awaiting,
                since,
            },
        ];
        let lines = [
            credit(350_417, Some(since)),
            credit(175_088, None),
            credit(525_301, Some(d(2026, 12, 2))),
            credit(700_100, Some(since)),
            credit(123_456, Some(since)),
            // Before the hold was made: not its transfer.
            credit(900_900, Some(d(2026, 11, 30))),
            // Sen: not a transfer of an amount due.
            StatementLine {
                flow: Flow::Credit(35_041_750),
                ..credit(0, None)
            },
            StatementLine {
                flow: Flow::Debit(35_041_700),
                ..credit(0, None)
            },
        ];
        let v = verdicts(&lines, &holds);
        assert_eq!(
            v,
            vec![
                (Verdict::Ready, vec![0]),
                (Verdict::AlreadyBooked, vec![1]),
                (Verdict::Ready, vec![2]),
                (Verdict::Ambiguous, vec![3, 4]),
                (Verdict::Unmatched, vec![]),
                (Verdict::Unmatched, vec![]),
                (Verdict::Unmatched, vec![]),
            ]
        );
        // Two credits of one amount: neither is ready.
        let twice = [credit(350_417, None), credit(350_417, None)];
        assert_eq!(
            verdicts(&twice, &holds),
            vec![(Verdict::Ambiguous, vec![0]), (Verdict::Ambiguous, vec![0])]
        );
    }
}
