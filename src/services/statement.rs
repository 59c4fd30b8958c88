//! Bank statement matching: the admin's statement export in, each credit
//! beside the hold whose unique amount it is.
//!
//! Only reads: the verdicts are `domain::statement`'s, and booking a
//! matched hold is [`Service::book`], the same idempotent, audited
//! confirmation as a click on the hold list. So an admin who matches the
//! same statement twice, or confirms a line twice, books nothing twice.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};

use super::Service;
use super::views::effective_status;
use crate::domain::statement::{
    Candidate, ColumnMapping, Flow, Standing, StatementCredit, StatementReport, read_statement,
    verdicts,
};
use crate::domain::{AppError, HoldStatus};
use crate::storage::{self, from_ms, to_ms};

/// The most lines a statement may have (a busy month of one account).
pub const MAX_STATEMENT_LINES: usize = 5_000;

/// Booked holds on trips that departed longer ago than this are not
/// looked at: their transfers are old news.
const BOOKED_LOOKBACK_DAYS: i64 = 45;

impl Service {
    /// Reads a statement export (CSV text) and lists each credit with its
    /// verdict and the holds it may have paid. `mapping` names the columns
    /// when the file's header is not recognised (the report then says
    /// which columns there are).
    pub async fn match_statement(
        &self,
        csv: &str,
        mapping: Option<ColumnMapping>,
        now: DateTime<Utc>,
    ) -> Result<StatementReport, AppError> {
        let today = now.with_timezone(&self.tz()).date_naive();
        let statement = read_statement(csv, mapping, today).map_err(AppError::invalid)?;
        if statement.lines.len() > MAX_STATEMENT_LINES {
            return Err(AppError::invalid(format!(
                "A statement may have at most {MAX_STATEMENT_LINES} lines; export a shorter period."
            )));
        }
        let amounts: BTreeSet<i64> = statement
            .lines
            .iter()
            .filter_map(|l| match l.flow {
                Flow::Credit(sen) if sen % 100 == 0 => Some(sen / 100),
                _ => None,
            })
            .collect();
        let amounts: Vec<i64> = amounts.into_iter().collect();
        let since = now - chrono::Duration::days(BOOKED_LOOKBACK_DAYS);
        let mut conn = self.storage.read().await?;
        let rows = storage::holds_with_amounts(&mut conn, &amounts, to_ms(since)).await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let mut seats: HashMap<i64, Vec<storage::HeldSeat>> = HashMap::new();
        for (hold, code) in storage::seats_of_holds(&mut conn, &ids).await? {
            seats.entry(hold).or_default().push(code);
        }
        drop(conn);
        let mut candidates = Vec::with_capacity(rows.len());
        let mut holds = Vec::with_capacity(rows.len());
        for row in &rows {
            let standing = match effective_status(row, now)? {
                HoldStatus::Held => Standing::Awaiting,
                // A late payment books only while the bus has not left.
                HoldStatus::Expired if from_ms(row.depart_at) > now => Standing::Late,
                HoldStatus::Booked => Standing::Booked,
                _ => continue,
            };
            let Some(amount) = row.amount_due else {
                continue;
            };
            candidates.push(Candidate {
                amount,
                standing,
                since: from_ms(row.started_at)
                    .with_timezone(&self.tz())
                    .date_naive(),
            });
            let held = seats.remove(&row.id).unwrap_or_default();
            holds.push(self.hold_view_of(row, &held, now)?);
        }
        // `verdicts` answers for the credits, in order.
        let credits = statement
            .lines
            .iter()
            .filter_map(|l| match l.flow {
                Flow::Credit(sen) => Some((l, sen)),
                Flow::Debit(_) => None,
            })
            .zip(verdicts(&statement.lines, &candidates))
            .map(|((line, sen), (verdict, matched))| StatementCredit {
                row: line.row,
                date: line.date,
                description: line.description.clone(),
                amount: sen / 100,
                sen: sen % 100,
                verdict,
                holds: matched.into_iter().map(|i| holds[i].clone()).collect(),
            })
            .collect();
        let debits = statement
            .lines
            .iter()
            .filter(|l| matches!(l.flow, Flow::Debit(_)))
            .count();
        Ok(StatementReport {
            layout: statement.layout,
            columns: statement.columns,
            mapping: statement.mapping,
            credits,
            debits,
            unreadable: statement.unreadable,
        })
    }
}
