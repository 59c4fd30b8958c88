//! The operator's reports (see `domain::report`): read from one snapshot of
//! the database, added up per local day in the operator's time zone.

use chrono::{DateTime, Duration, Utc};

use super::Service;
use super::views::corrupt;
use crate::domain::report::{self, DateRange, Outcome, Report, Sale, TripFill};
use crate::domain::{AppError, HoldStatus};
use crate::storage::{self, from_ms, to_ms};

impl Service {
    /// Sales and hold outcomes over `range`, and how full the active trips
    /// departing in the next `ahead_days` are.
    pub async fn report(
        &self,
        range: DateRange,
        ahead_days: u32,
        now: DateTime<Utc>,
    ) -> Result<Report, AppError> {
        let tz = self.tz();
        let (start, end) = range.bounds(&tz);
        let horizon = now + Duration::days(i64::from(ahead_days));
        let mut conn = self.storage.read().await?;
        let sales = storage::sales(&mut conn, to_ms(start), to_ms(end)).await?;
        let outcomes =
            storage::hold_outcomes(&mut conn, to_ms(start), to_ms(end), to_ms(now)).await?;
        let fills = storage::occupancy(&mut conn, to_ms(now), to_ms(horizon)).await?;
        drop(conn);

        let sales: Vec<Sale> = sales
            .into_iter()
            .map(|r| Sale {
                booked_at: from_ms(r.booked_at),
                seats: r.seats as u32,
                amount: r.amount_due.unwrap_or(r.price * r.seats),
                route_from: r.route_from,
                route_to: r.route_to,
            })
            .collect();
        let outcomes = outcomes
            .into_iter()
            .map(|r| {
                let stored = HoldStatus::parse(&r.status).ok_or_else(|| corrupt("holds.status"))?;
                Ok(Outcome {
                    status: match stored {
                        HoldStatus::Held if r.lapsed == 1 => HoldStatus::Expired,
                        s => s,
                    },
                    with_contact: r.with_contact == 1,
                    count: r.holds as u32,
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        let occupancy = fills
            .into_iter()
            .map(|r| TripFill {
                trip_id: r.id,
                route_from: r.route_from,
                route_to: r.route_to,
                depart_at: from_ms(r.depart_at),
                seats_total: r.seats_total as u32,
                booked: r.booked as u32,
                held: r.held as u32,
            })
            .collect();
        Ok(Report {
            days: report::daily(&range, &sales, &tz),
            routes: report::by_route(&sales),
            conversion: report::conversion(&outcomes),
            range,
            ahead_days,
            occupancy,
        })
    }
}
